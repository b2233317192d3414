//! The resources that actions act on, from `rules/catalog/action-resources.toml`.
//!
//! The file is embedded at build time and parsed once, on first use. The loader test below
//! checks every entry.

use std::sync::LazyLock;

use serde::Deserialize;

const TEXT: &str = include_str!("../../rules/catalog/action-resources.toml");

/// The resource a request names for an action that has no resource-level permission.
pub const ALL_RESOURCES: &str = "*";

/// One action and the resources it acts on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionResources {
    /// The action, such as `ens:ExportImage`.
    pub name: String,
    /// The resources a request for the action names; `*` for all resources.
    pub resources: Vec<String>,
    /// The page that states the resources.
    pub source: String,
    /// The page's "last updated" date.
    pub updated: String,
    pub note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    action: Vec<ActionResources>,
}

static ACTIONS: LazyLock<Vec<ActionResources>> = LazyLock::new(|| {
    toml::from_str::<DataFile>(TEXT)
        .expect("rules/catalog/action-resources.toml is valid; its loader test checks it")
        .action
});

/// Returns every action whose resources are known.
pub fn all() -> &'static [ActionResources] {
    &ACTIONS
}

/// Bit `n` is set when some action name is `n` bytes long, with bit 127 for 127 or more.
/// Most actions of a policy have no entry, and their length alone shows it.
static NAME_LENGTHS: LazyLock<u128> = LazyLock::new(|| {
    ACTIONS
        .iter()
        .fold(0, |bits, entry| bits | length_bit(&entry.name))
});

/// Returns the bit that stands for the length of `name` in [`NAME_LENGTHS`].
fn length_bit(name: &str) -> u128 {
    1 << name.len().min(127)
}

/// Returns what is known of an action's resources; the name is compared ignoring ASCII case.
pub fn lookup(action: &str) -> Option<&'static ActionResources> {
    if *NAME_LENGTHS & length_bit(action) == 0 {
        return None;
    }
    ACTIONS
        .iter()
        .find(|entry| entry.name.eq_ignore_ascii_case(action))
}

/// Returns the resource to evaluate a request for `action` on: the one the data lists, or
/// `*` for actions it does not list.
pub fn request_resource(action: &str) -> &'static str {
    match lookup(action) {
        Some(entry) => entry
            .resources
            .first()
            .map_or(ALL_RESOURCES, String::as_str),
        None => ALL_RESOURCES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::elements::action_problem;
    use crate::eval::pattern;

    #[test]
    fn data_file_loads_and_every_entry_is_sound() {
        assert!(!all().is_empty());
        let mut names = Vec::new();
        for entry in all() {
            assert_eq!(action_problem(&entry.name), None, "{}", entry.name);
            assert!(pattern::is_literal(&entry.name), "{}", entry.name);
            let (service, action) = entry.name.split_once(':').unwrap();
            let known = crate::catalog::service(service)
                .and_then(|s| s.action(action))
                .is_some();
            assert!(known, "{} is not in the action catalog", entry.name);
            // The resource-mismatch check skips statements with `Resource: "*"`, which
            // matches every entry only while each entry lists at least one resource.
            assert!(!entry.resources.is_empty(), "{}", entry.name);
            assert_eq!(
                entry.resources,
                [ALL_RESOURCES],
                "{}: only `*` is supported so far",
                entry.name
            );
            assert!(entry.source.starts_with("https://"), "{}", entry.name);
            assert!(
                entry.updated.len() == 10
                    && crate::document::condition::parse_date(&entry.updated).is_some(),
                "{}: `updated` is not a date",
                entry.name
            );
            names.push(entry.name.to_ascii_lowercase());
        }
        names.sort();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "an action is listed twice");
    }

    #[test]
    fn export_image_acts_on_all_resources() {
        let entry = lookup("ENS:exportimage").expect("ens:ExportImage is listed");
        assert_eq!(entry.resources, ["*"]);
        assert_eq!(request_resource("ens:ExportImage"), "*");
        assert_eq!(request_resource("oss:GetObject"), "*");
    }

    /// The length filter lets every listed name through, in any case.
    #[test]
    fn lookup_finds_every_entry() {
        for entry in all() {
            let found = lookup(&entry.name.to_ascii_uppercase()).map(|e| e.name.as_str());
            assert_eq!(found, Some(entry.name.as_str()));
        }
        assert!(lookup("ens:ExportImageX").is_none());
        assert!(lookup(&"a".repeat(300)).is_none());
    }
}
