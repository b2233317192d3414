//! API operation specs generated from upstream metadata (`rules/api/*.json`).

use std::sync::{LazyLock, OnceLock};

use serde::Deserialize;

/// One API version of one product, as embedded by `build.rs`.
#[derive(Debug)]
pub struct ApiData {
    /// The product code used in RAM actions and by the `aliyun` CLI, in lower case (`ens`).
    pub product: &'static str,
    pub version: &'static str,
    /// False when the data lists only some of the API's operations, so that a missing
    /// operation is not evidence of a misspelled name.
    pub complete: bool,
    /// Host names the API is served from.
    pub endpoints: &'static [&'static str],
    /// Operation names with the compact JSON of their spec, sorted by name.
    pub operations: &'static [(&'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/catalog_data.rs"));

/// An operation's parameters as the metadata describes them.
#[derive(Clone, Debug, Deserialize)]
pub struct OperationSpec {
    pub parameters: Vec<ParameterSpec>,
}

/// One parameter: its name, transport and the schema keywords kept from upstream.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterSpec {
    pub name: String,
    /// The parameter's place in the request: `query` or `formData`.
    #[serde(rename = "in")]
    pub location: String,
    /// The encoding of a structured value (`json`, `flat`, `repeatList`, `simple`).
    pub style: Option<String>,
    /// The JSON Schema type: `string`, `integer`, `boolean`, `array` or `object`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(rename = "enum")]
    pub allowed: Option<Vec<serde_json::Value>>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub minimum: Option<serde_json::Number>,
    pub maximum: Option<serde_json::Number>,
    pub items: Option<serde_json::Value>,
    pub properties: Option<serde_json::Value>,
}

/// Finds the API of a product by its code, ignoring case.
pub fn api_for_product(product: &str) -> Option<&'static ApiData> {
    APIS.iter()
        .find(|api| api.product.eq_ignore_ascii_case(product))
}

/// Finds the API that has a given version string.
pub fn api_for_version(version: &str) -> Option<&'static ApiData> {
    APIS.iter().find(|api| api.version == version)
}

/// Finds the API served from a host name such as `ens.aliyuncs.com`. A host that the
/// metadata does not list is matched by its first label, so that `ens.cn-beijing.aliyuncs.com`
/// and `ens-vpc.cn-beijing.aliyuncs.com` are ENS too.
pub fn api_for_host(host: &str) -> Option<&'static ApiData> {
    let host = host.to_ascii_lowercase();
    let listed = APIS
        .iter()
        .find(|api| api.endpoints.iter().any(|endpoint| *endpoint == host));
    if listed.is_some() {
        return listed;
    }
    let label = host.split('.').next()?;
    let label = label.strip_suffix("-vpc").unwrap_or(label);
    APIS.iter().find(|api| api.product == label)
}

/// A parsed spec, or why the embedded JSON could not be parsed.
type SpecSlot = OnceLock<Result<OperationSpec, String>>;

/// Parsed specs, one slot per operation of each API, filled on first use.
static SPECS: LazyLock<Vec<Vec<SpecSlot>>> = LazyLock::new(|| {
    APIS.iter()
        .map(|api| api.operations.iter().map(|_| OnceLock::new()).collect())
        .collect()
});

impl ApiData {
    /// Returns the index of an operation, matching the name exactly.
    pub fn operation_index(&self, name: &str) -> Option<usize> {
        self.operations
            .binary_search_by(|(candidate, _)| (*candidate).cmp(name))
            .ok()
    }

    pub fn operation_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.operations.iter().map(|(name, _)| *name)
    }

    /// Returns an operation's spec, parsing it on first use.
    pub fn operation(&'static self, name: &str) -> Option<Result<&'static OperationSpec, String>> {
        let api_index = APIS.iter().position(|api| std::ptr::eq(api, self))?;
        let index = self.operation_index(name)?;
        let slot = &SPECS[api_index][index];
        let parsed = slot.get_or_init(|| {
            serde_json::from_str(self.operations[index].1)
                .map_err(|e| format!("the spec of {}:{name} is invalid: {e}", self.product))
        });
        Some(parsed.as_ref().map_err(Clone::clone))
    }
}

impl OperationSpec {
    pub fn parameter(&self, name: &str) -> Option<&ParameterSpec> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// Names of the required parameters, in spec order.
    pub fn required(&self) -> impl Iterator<Item = &str> {
        self.parameters
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_operation_parses() {
        for api in APIS {
            for name in api.operation_names() {
                let spec = api.operation(name).unwrap();
                assert!(spec.is_ok(), "{}:{name}: {:?}", api.product, spec.err());
            }
        }
    }

    #[test]
    fn ens_export_image_matches_metadata() {
        let ens = api_for_product("ens").unwrap();
        assert_eq!(ens.version, "2017-11-10");
        let spec = ens.operation("ExportImage").unwrap().unwrap();
        let required: Vec<&str> = spec.required().collect();
        assert_eq!(required, ["ImageId", "OSSBucket", "OSSRegionId"]);
        let prefix = spec.parameter("OSSPrefix").unwrap();
        assert_eq!(prefix.max_length, Some(30));
        let region = spec.parameter("OSSRegionId").unwrap();
        assert_eq!(region.allowed, Some(vec![serde_json::json!("cn-beijing")]));
    }

    #[test]
    fn apis_are_found_by_product_version_and_host() {
        assert!(api_for_product("ENS").is_some());
        assert!(api_for_version("2017-11-10").is_some());
        assert_eq!(api_for_version("2014-05-26").unwrap().product, "ecs");
        assert!(api_for_version("2015-01-01").is_none());
        assert!(api_for_host("ens.aliyuncs.com").is_some());
        assert!(api_for_host("ens.cn-hangzhou.aliyuncs.com").is_some());
        assert_eq!(api_for_host("ecs.aliyuncs.com").unwrap().product, "ecs");
        assert!(api_for_host("rds.aliyuncs.com").is_none());
    }
}
