//! What each operation does with a user, given who manages it (the reserved tag, read with
//! [`Ownership::of`]). Pure: the rules that keep a user from being lost, duplicated or taken
//! from another resource are tested here without I/O.

use crate::connect_user::model::{Claim, How, Manager, Ownership, Relation, Requester};

/// What a Create (or a replacing Update) does with the user that already holds its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// This very request made or adopted it in an earlier delivery: converge it and answer it.
    Resume(How),
    /// `AdoptExistingUser`, and no other resource manages it: claim it, then converge it.
    Adopt,
    /// Leave it untouched and fail.
    Refuse(Holder),
}

/// Who holds a name a Create cannot take, for its FAILED reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// No resource of this function, or this resource in another request: only
    /// `AdoptExistingUser` may take it.
    Adoptable,
    /// Some resource of this function that a bare RequestId cannot name.
    Unnamed,
    Other(Manager),
}

/// A Create finds the name taken: see [`Taken`]. Without `adopt`, only the user this very
/// request made is taken (as before `AdoptExistingUser` existed).
pub fn on_taken(relation: Relation, adopt: bool) -> Taken {
    match relation {
        Relation::ThisRequest(how) => Taken::Resume(how),
        Relation::Unmanaged | Relation::ThisResource(_) if adopt => Taken::Adopt,
        Relation::Unmanaged | Relation::ThisResource(_) => Taken::Refuse(Holder::Adoptable),
        Relation::Legacy => Taken::Refuse(Holder::Unnamed),
        Relation::Other(manager) => Taken::Refuse(Holder::Other(manager)),
    }
}

/// The reserved tag an in-place Update writes, if any; `Err` names the resource that manages
/// the user now (it was handed over), and the Update must change nothing.
///
/// - a bare RequestId becomes the new form, keeping that RequestId (the user was created);
/// - an adopted user whose template no longer says `AdoptExistingUser` becomes owned, so a
///   later Delete deletes it (as `terraform destroy` would after an import);
/// - a user whose tag was removed is claimed again: adopted if the template says
///   `AdoptExistingUser`, else owned.
pub fn on_update(
    requester: &Requester,
    ownership: &Ownership,
    adopt: bool,
) -> Result<Option<Claim>, Manager> {
    match ownership {
        Ownership::Unmanaged => Ok(Some(requester.claim(if adopt {
            How::Adopted
        } else {
            How::Created
        }))),
        Ownership::Legacy(request_id) => Ok(Some(Claim {
            how: How::Created,
            manager: requester.manager.clone(),
            request_id: request_id.clone(),
        })),
        Ownership::Claimed(claim) if claim.manager != requester.manager => {
            Err(claim.manager.clone())
        }
        Ownership::Claimed(claim) if claim.how == How::Adopted && !adopt => Ok(Some(Claim {
            how: How::Created,
            ..claim.clone()
        })),
        Ownership::Claimed(_) => Ok(None),
    }
}

/// What a Delete does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnDelete {
    /// `DeleteUser`: this resource created it (or a bare RequestId says this function did).
    Delete,
    /// This resource adopted it: remove the reserved tag, leave the user.
    Release,
    /// Another resource manages it (`Some`), or none does (`None`): leave it untouched.
    Leave(Option<Manager>),
}

pub fn on_delete(requester: &Requester, ownership: &Ownership) -> OnDelete {
    match ownership {
        Ownership::Unmanaged => OnDelete::Leave(None),
        Ownership::Legacy(_) => OnDelete::Delete,
        Ownership::Claimed(claim) if claim.manager != requester.manager => {
            OnDelete::Leave(Some(claim.manager.clone()))
        }
        Ownership::Claimed(claim) => match claim.how {
            How::Created => OnDelete::Delete,
            How::Adopted => OnDelete::Release,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::connect_user::model::OWNERSHIP_TAG;

    fn me() -> Requester {
        Requester::new("stack", "Agent", "req-2")
    }

    fn tagged(value: Option<&str>) -> Ownership {
        let mut tags = BTreeMap::new();
        if let Some(value) = value {
            tags.insert(OWNERSHIP_TAG.to_owned(), value.to_owned());
        }
        Ownership::of(&tags)
    }

    fn other() -> Manager {
        Manager::new("other", "Agent")
    }

    #[test]
    fn a_create_takes_only_what_it_may() {
        let taken = |value: Option<&str>, adopt| on_taken(me().relation(&tagged(value)), adopt);
        for adopt in [false, true] {
            assert_eq!(taken(Some("req-2"), adopt), Taken::Resume(How::Created));
            assert_eq!(
                taken(Some("adopted/stack/Agent/req-2"), adopt),
                Taken::Resume(How::Adopted)
            );
            assert_eq!(taken(Some("req-1"), adopt), Taken::Refuse(Holder::Unnamed));
            assert_eq!(
                taken(Some("created/other/Agent/req-2"), adopt),
                Taken::Refuse(Holder::Other(other()))
            );
        }
        assert_eq!(taken(None, true), Taken::Adopt);
        assert_eq!(taken(Some("created/stack/Agent/req-1"), true), Taken::Adopt);
        assert_eq!(taken(None, false), Taken::Refuse(Holder::Adoptable));
        assert_eq!(
            taken(Some("created/stack/Agent/req-1"), false),
            Taken::Refuse(Holder::Adoptable)
        );
    }

    #[test]
    fn an_update_restamps_or_refuses() {
        let update = |value: Option<&str>, adopt| {
            on_update(&me(), &tagged(value), adopt).map(|c| c.map(|c| c.value()))
        };
        assert_eq!(
            update(Some("req-1"), false),
            Ok(Some("created/stack/Agent/req-1".into()))
        );
        assert_eq!(update(Some("created/stack/Agent/req-1"), false), Ok(None));
        assert_eq!(update(Some("created/stack/Agent/req-1"), true), Ok(None));
        assert_eq!(update(Some("adopted/stack/Agent/req-1"), true), Ok(None));
        assert_eq!(
            update(Some("adopted/stack/Agent/req-1"), false),
            Ok(Some("created/stack/Agent/req-1".into()))
        );
        assert_eq!(
            update(None, false),
            Ok(Some("created/stack/Agent/req-2".into()))
        );
        assert_eq!(
            update(None, true),
            Ok(Some("adopted/stack/Agent/req-2".into()))
        );
        assert_eq!(
            update(Some("adopted/other/Agent/req-9"), true),
            Err(other())
        );
    }

    #[test]
    fn a_delete_deletes_only_what_this_resource_created() {
        let delete = |value: Option<&str>| on_delete(&me(), &tagged(value));
        assert_eq!(delete(Some("created/stack/Agent/req-1")), OnDelete::Delete);
        assert_eq!(delete(Some("req-1")), OnDelete::Delete);
        assert_eq!(delete(Some("adopted/stack/Agent/req-1")), OnDelete::Release);
        assert_eq!(
            delete(Some("created/other/Agent/req-1")),
            OnDelete::Leave(Some(other()))
        );
        assert_eq!(delete(None), OnDelete::Leave(None));
    }
}
