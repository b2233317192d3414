//! The RAM action catalog: every service's RAM code and the actions it defines, generated from
//! Alibaba Cloud's API metadata (`rules/catalog/actions.json`) and embedded at build time.
//!
//! Lookups ignore ASCII case, as RAM does for action names. A service whose metadata lists no
//! operations has an empty action list; callers must not read that as "has no actions".
//! [`resources`] holds what is known of the resources some actions act on.

pub mod resources;

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

/// An action of a service.
#[derive(Debug)]
pub struct Action {
    pub name: &'static str,
    /// Where the retirement of the action's operation is recorded, when it is retired.
    pub retired: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// Every service, sorted by code.
pub fn services() -> &'static [Service] {
    SERVICES
}

/// Finds a service by RAM code, ignoring ASCII case.
pub fn service(code: &str) -> Option<&'static Service> {
    let code = code.to_ascii_lowercase();
    SERVICES
        .binary_search_by(|service| service.code.cmp(code.as_str()))
        .ok()
        .map(|i| &SERVICES[i])
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

    /// Finds an action by name, ignoring ASCII case.
    pub fn action(&self, name: &str) -> Option<&'static Action> {
        let name = name.to_ascii_lowercase();
        self.actions
            .binary_search_by(|action| cmp_ignore_case(action.name, &name))
            .ok()
            .map(|i| &self.actions[i])
    }
}

/// Compares `name` with an already lower-cased `lower`, as if `name` were lower-cased too.
fn cmp_ignore_case(name: &str, lower: &str) -> std::cmp::Ordering {
    name.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(lower.bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_services_and_actions_ignoring_case() {
        let ens = service("ENS").expect("ens is in the catalog");
        assert_eq!(ens.code, "ens");
        assert_eq!(
            ens.action("exportimage").map(|a| a.name),
            Some("ExportImage")
        );
        assert!(ens.action("ExportImages").is_none());
        assert_eq!(service("kvstore").unwrap().products, &["R-kvstore"]);
        assert!(service("oss").unwrap().action("GetObject").is_some());
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
                    .all(|w| w[0].name.to_ascii_lowercase() <= w[1].name.to_ascii_lowercase()),
                "{}",
                service.code
            );
        }
    }

    #[test]
    fn deprecated_operations_are_marked_retired() {
        let ecs = service("ecs").unwrap();
        assert!(
            ecs.action("DescribeUserBusinessBehavior")
                .unwrap()
                .retired
                .is_some()
        );
        assert!(ecs.action("DescribeInstances").unwrap().retired.is_none());
    }
}
