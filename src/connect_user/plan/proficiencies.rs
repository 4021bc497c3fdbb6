//! Converging `UserProficiencies` takes three calls at most: disassociate what the template no
//! longer lists, update the levels that differ, associate what is new.

use std::collections::BTreeSet;

use crate::connect_user::model::{ObservedProficiencies, Proficiencies, ProficiencyKey};

/// The calls that bring observed proficiencies to the desired ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProficiencyChanges {
    pub disassociate: BTreeSet<ProficiencyKey>,
    pub update: Proficiencies,
    pub associate: Proficiencies,
}

/// What differs between `desired` and `observed`.
pub fn changes(desired: &Proficiencies, observed: &ObservedProficiencies) -> ProficiencyChanges {
    let mut out = ProficiencyChanges {
        disassociate: observed
            .keys()
            .filter(|key| !desired.contains_key(*key))
            .cloned()
            .collect(),
        ..Default::default()
    };
    for (key, level) in desired {
        match observed.get(key) {
            None => {
                out.associate.insert(key.clone(), *level);
            }
            Some(current) if *current != f32::from(*level) => {
                out.update.insert(key.clone(), *level);
            }
            Some(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, value: &str) -> ProficiencyKey {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn each_difference_lands_in_its_call() {
        let desired = Proficiencies::from([
            (key("Language", "English"), 5),
            (key("Language", "Spanish"), 3),
            (key("Skill", "Billing"), 2),
        ]);
        let observed = ObservedProficiencies::from([
            (key("Language", "English"), 5.0),
            (key("Language", "Spanish"), 2.5),
            (key("Language", "French"), 1.0),
        ]);
        assert_eq!(
            changes(&desired, &observed),
            ProficiencyChanges {
                disassociate: BTreeSet::from([key("Language", "French")]),
                update: Proficiencies::from([(key("Language", "Spanish"), 3)]),
                associate: Proficiencies::from([(key("Skill", "Billing"), 2)]),
            }
        );
    }

    #[test]
    fn equal_sets_need_nothing() {
        let desired = Proficiencies::from([(key("Language", "English"), 4)]);
        let observed = ObservedProficiencies::from([(key("Language", "English"), 4.0)]);
        assert_eq!(changes(&desired, &observed), ProficiencyChanges::default());
    }
}
