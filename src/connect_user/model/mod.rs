//! The model: the user as the template wants it ([`UserSpec`]) and as Connect holds it
//! ([`ObservedUser`]), per-channel settings with the older `PhoneConfig` view of them,
//! proficiencies, Connect ids and ARNs, the value rules both sides share, and who manages a
//! user with what each operation may do with it ([`ownership`]).
//!
//! Pure data and rules: nothing here imports another module of the crate, performs I/O or
//! knows about CloudFormation, so every other part (properties, plan, ports, resource) can
//! depend on it and it on none of them.

pub mod channels;
pub mod default_tags;
pub mod ids;
pub mod observed;
pub mod ownership;
pub mod proficiencies;
pub mod rules;
pub mod user;

pub use channels::{
    AfterContactWork, AutoAccept, Channel, ChannelConfigs, ListedChannels, PhoneConfig,
    PhoneNumber, PhoneType, VoiceEnhancement,
};
pub use default_tags::{DefaultTags, DefaultTagsError};
pub use ids::PhysicalId;
pub use observed::{ObservedUser, UserRef};
pub use ownership::{Claim, ManagedAs, Manager, Ownership, Relation, Requester, OWNERSHIP_TAG};
pub use proficiencies::{ObservedProficiencies, Proficiencies, ProficiencyKey};
pub use user::{
    user_tag_problem, IdentityInfo, PasswordSource, ProfileNames, Secret, UserSpec, MAX_USER_TAGS,
};
