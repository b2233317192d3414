//! The RAM action catalog: every service's RAM code and the actions it defines, generated from
//! Alibaba Cloud's API metadata (`rules/catalog/actions.json`) and embedded at build time by
//! `build.rs`.
//!
//! Lookups ignore ASCII case, as RAM does for action names. A service whose metadata lists no
//! operations has an empty action list; callers must not read that as "has no actions".

use rustc_hash::FxHashMap;

/// A RAM service.
#[derive(Debug)]
pub struct Service {
    /// The RAM code, lower case, as written before the colon of an action.
    pub code: &'static str,
    /// The product codes of Alibaba Cloud's API metadata that use this RAM code.
    pub products: &'static [&'static str],
    /// The actions, sorted by lower-cased name.
    pub actions: &'static [Action],
}

/// An action of a service. Its name is a range of one string shared by all actions, so the
/// table contains integers only and needs no relocation at start-up (see `build.rs`).
#[derive(Debug)]
pub struct Action {
    start: u32,
    len: u16,
    /// The index of the retirement note in `RETIREMENT_NOTES`, or [`NOT_RETIRED`].
    note: u16,
}

/// The `note` of an action that is not retired.
const NOT_RETIRED: u16 = u16::MAX;

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

impl Action {
    /// Returns the action's name as the catalog spells it.
    pub fn name(&self) -> &'static str {
        let start = self.start as usize;
        &ACTION_NAMES[start..start + usize::from(self.len)]
    }

    /// Returns the action's name in lower case.
    fn lower_name(&self) -> &'static [u8] {
        let start = self.start as usize;
        &ACTION_NAMES_LOWER.as_bytes()[start..start + usize::from(self.len)]
    }

    /// Returns where or when the action's operation was retired, when it is retired.
    pub fn retired(&self) -> Option<&'static str> {
        (self.note != NOT_RETIRED).then(|| RETIREMENT_NOTES[usize::from(self.note)])
    }
}

/// Every service, sorted by code.
pub fn services() -> &'static [Service] {
    SERVICES
}

/// Finds a service by RAM code, ignoring ASCII case.
pub fn service(code: &str) -> Option<&'static Service> {
    // Lookups run for every action of every policy. A hash map finds a code with one string
    // comparison, where a binary search over the services made about nine.
    static BY_CODE: std::sync::OnceLock<FxHashMap<&'static [u8], &'static Service>> =
        std::sync::OnceLock::new();
    let by_code = BY_CODE.get_or_init(|| {
        SERVICES
            .iter()
            .map(|service| (service.code.as_bytes(), service))
            .collect()
    });
    // Service codes are stored in lower case, so only the query needs lower-casing.
    if !code.bytes().any(|byte| byte.is_ascii_uppercase()) {
        return by_code.get(code.as_bytes()).copied();
    }
    by_code.get(LowerCase::new(code).as_bytes()).copied()
}

/// A lower-cased copy of a short name, kept on the stack: catalog lookups run for every
/// action of every policy and should not allocate.
struct LowerCase {
    buffer: [u8; 128],
    len: usize,
    long: Option<Vec<u8>>,
}

impl LowerCase {
    fn new(text: &str) -> LowerCase {
        let mut lower = LowerCase {
            buffer: [0; 128],
            len: text.len(),
            long: None,
        };
        if text.len() <= lower.buffer.len() {
            for (slot, byte) in lower.buffer.iter_mut().zip(text.bytes()) {
                *slot = byte.to_ascii_lowercase();
            }
        } else {
            lower.long = Some(text.as_bytes().to_ascii_lowercase());
        }
        lower
    }

    fn as_bytes(&self) -> &[u8] {
        match &self.long {
            Some(long) => long,
            None => &self.buffer[..self.len],
        }
    }
}

/// Returns the RAM action of an API operation, such as `ens:ExportImage` for the operation
/// `ExportImage` of the product `Ens`. Product codes are compared ignoring ASCII case;
/// `None` when no service lists the product.
pub fn ram_action(product: &str, operation: &str) -> Option<String> {
    SERVICES
        .iter()
        .find(|service| {
            service
                .products
                .iter()
                .any(|code| code.eq_ignore_ascii_case(product))
        })
        .map(|service| format!("{}:{operation}", service.code))
}

impl Service {
    /// Tells whether the metadata lists this service's operations.
    pub fn actions_known(&self) -> bool {
        !self.actions.is_empty()
    }

    /// Returns the actions whose names start with `prefix`, ignoring ASCII case, in order.
    /// The first is found by binary search because the actions are sorted by lower-cased
    /// name, and the rest are read lazily, so a caller that stops early pays little.
    pub fn actions_with_prefix<'p>(
        &self,
        prefix: &'p str,
    ) -> impl Iterator<Item = &'static Action> + 'p {
        let actions: &'static [Action] = self.actions;
        // An empty prefix (the pattern `*`) starts at the first action without a search.
        let start = if prefix.is_empty() {
            0
        } else {
            let lower = LowerCase::new(prefix);
            actions.partition_point(|action| action.lower_name() < lower.as_bytes())
        };
        actions[start..].iter().take_while(move |action| {
            let name = action.name();
            name.len() >= prefix.len()
                && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        })
    }

    /// Finds an action by name, ignoring ASCII case.
    pub fn action(&self, name: &str) -> Option<&'static Action> {
        let lower = LowerCase::new(name);
        self.actions
            .binary_search_by(|action| action.lower_name().cmp(lower.as_bytes()))
            .ok()
            .map(|i| &self.actions[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_found_by_code() {
        for known in SERVICES {
            let found = service(known.code).map(|found| found.code);
            assert_eq!(found, Some(known.code));
            let upper = service(&known.code.to_ascii_uppercase()).map(|found| found.code);
            assert_eq!(upper, Some(known.code));
        }
        for absent in ["", "ec", "ecs:", "ecs ", "\u{e9}cs"] {
            assert!(service(absent).is_none(), "{absent:?}");
        }
    }

    #[test]
    fn finds_services_and_actions_ignoring_case() {
        let ens = service("ENS").expect("ens is in the catalog");
        assert_eq!(ens.code, "ens");
        assert_eq!(
            ens.action("exportimage").map(|a| a.name()),
            Some("ExportImage")
        );
        assert!(ens.action("ExportImages").is_none());
        assert_eq!(service("kvstore").unwrap().products, &["R-kvstore"]);
        assert!(service("oss").unwrap().action("GetObject").is_some());
    }

    #[test]
    fn prefix_search_finds_every_match() {
        let ecs = service("ecs").unwrap();
        let found: Vec<&Action> = ecs.actions_with_prefix("describeinst").collect();
        let expected: Vec<&str> = ecs
            .actions
            .iter()
            .map(|a| a.name())
            .filter(|n| n.to_ascii_lowercase().starts_with("describeinst"))
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(found.iter().map(|a| a.name()).collect::<Vec<_>>(), expected);
        assert_eq!(ecs.actions_with_prefix("").count(), ecs.actions.len());
        assert_eq!(ecs.actions_with_prefix("zzzz").count(), 0);
    }

    #[test]
    fn operations_map_to_ram_actions() {
        assert_eq!(
            ram_action("Ens", "ExportImage").as_deref(),
            Some("ens:ExportImage")
        );
        assert_eq!(
            ram_action("R-kvstore", "DescribeInstances").as_deref(),
            Some("kvstore:DescribeInstances")
        );
        assert_eq!(ram_action("NoSuchProduct", "X"), None);
    }

    #[test]
    fn services_are_sorted_for_binary_search() {
        assert!(SERVICES.windows(2).all(|w| w[0].code < w[1].code));
        for service in SERVICES {
            assert!(
                service
                    .actions
                    .windows(2)
                    .all(|w| w[0].name().to_ascii_lowercase() <= w[1].name().to_ascii_lowercase()),
                "{}",
                service.code
            );
        }
    }

    #[test]
    fn ram_code_overrides_and_extra_services_apply() {
        assert_eq!(
            ram_action("cas", "UploadCsr").as_deref(),
            Some("yundun-cert:UploadCsr")
        );
        assert!(service("cas").is_none());
        assert_eq!(
            ram_action("BssOpenApi", "QueryOrders").as_deref(),
            Some("bssapi:QueryOrders")
        );
        let bss = service("bss").expect("bss is a RAM code without a product");
        assert!(bss.products.is_empty());
        assert!(!bss.actions_known());
        assert!(service("efc").is_some());
        let systrust = service("yundun-systrust").unwrap();
        assert!(systrust.action("GenerateNonce").is_some());
    }

    #[test]
    fn extra_actions_are_listed() {
        let oss = service("oss").unwrap();
        for name in [
            "GetObjectVersion",
            "GetBucketTagging",
            "RestoreObjectVersion",
        ] {
            assert!(oss.action(name).is_some(), "oss:{name}");
        }
        let ram = service("ram").unwrap();
        assert!(ram.action("CreateServiceLinkedRole").is_some());
        assert!(service("cr").unwrap().action("PullRepository").is_some());
        assert!(service("mns").unwrap().action("PublishMessage").is_some());
    }

    #[test]
    fn announced_retirements_are_marked() {
        let ens = service("ens").unwrap();
        let retired = ens.action("CreateEpnInstance").unwrap().retired();
        assert_eq!(retired, Some("ENS took it offline on 2025-03-11"));
        // Named in the announcement but no longer in the metadata: still an action.
        assert!(ens.action("ScheduleGang").unwrap().retired().is_some());
        assert!(ens.action("ExportImage").unwrap().retired().is_none());
    }

    #[test]
    fn deprecated_operations_are_marked_retired() {
        let ecs = service("ecs").unwrap();
        assert!(
            ecs.action("DescribeUserBusinessBehavior")
                .unwrap()
                .retired()
                .is_some()
        );
        assert!(ecs.action("DescribeInstances").unwrap().retired().is_none());
    }
}
