//! The request checks declared in `rules/requests.toml`, combined with the generated specs
//! into a compiled JSON Schema per operation.

use std::collections::BTreeMap;
use std::sync::{LazyLock, OnceLock};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::api::{ApiData, OperationSpec, api_for_product};

/// The hand-written file, embedded so that the binary needs nothing at run time.
const RULES_TEXT: &str = include_str!("../../rules/requests.toml");

/// The whole of `rules/requests.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequestRules {
    pub rpc: RpcRules,
    #[serde(rename = "operation")]
    pub operations: Vec<OperationRules>,
}

/// Facts shared by every RPC-style API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RpcRules {
    /// Parameters any request may carry; they are never reported as unknown.
    pub common_parameters: Vec<String>,
}

/// The checks of one operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperationRules {
    pub product: String,
    pub name: String,
    /// Keys that identify a JSON parameter map as this operation when it has no `Action`.
    #[serde(default)]
    pub signature: Vec<String>,
    /// Other APIs whose requests look like this operation's.
    #[serde(default)]
    pub other_api: Vec<OtherApi>,
    #[serde(default)]
    pub parameters: BTreeMap<String, ParameterRules>,
}

/// An API whose requests look like the operation's but are not, such as ECS's ExportImage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OtherApi {
    pub name: String,
    /// A request with this `Version` belongs to the other API.
    pub version: Option<String>,
    /// So does a request that has all of these parameters ...
    #[serde(default)]
    pub with: Vec<String>,
    /// ... and none of these.
    #[serde(default)]
    pub without: Vec<String>,
}

/// Refinements of one parameter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ParameterRules {
    /// The kind of value, which selects the checks written for that kind.
    pub kind: Option<ValueKind>,
    /// For a region parameter: the bucket parameter whose region it must be.
    pub region_of: Option<String>,
    /// Replaces the metadata's `minLength`.
    pub min_length: Option<u64>,
    /// Replaces the metadata's `maxLength`.
    pub max_length: Option<u64>,
    /// Replaces the metadata's `pattern` (ECMA-262 syntax, as JSON Schema uses).
    pub pattern: Option<String>,
    /// The characters `pattern` allows, in words, for messages.
    pub pattern_description: Option<String>,
    /// The document the refinement comes from.
    pub source: Option<String>,
}

/// Kinds of values with checks of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueKind {
    /// An OSS bucket name.
    OssBucket,
    /// An OSS region ID.
    OssRegion,
    /// A prefix of OSS object keys.
    OssObjectPrefix,
}

static RULES: LazyLock<RequestRules> = LazyLock::new(|| {
    toml::from_str(RULES_TEXT)
        .unwrap_or_else(|e| panic!("rules/requests.toml is invalid (a test checks it): {e}"))
});

/// Returns the request rules.
pub fn rules() -> &'static RequestRules {
    &RULES
}

/// Tells whether a parameter is one of the RPC common parameters.
pub fn is_common_parameter(name: &str) -> bool {
    RULES.rpc.common_parameters.iter().any(|p| p == name)
}

/// An operation whose stored requests are checked: its spec, its rules and its schema.
pub struct CheckedOperation {
    pub api: &'static ApiData,
    pub name: &'static str,
    pub spec: &'static OperationSpec,
    pub rules: &'static OperationRules,
    pub schema: Value,
    pub validator: jsonschema::Validator,
}

impl std::fmt::Debug for CheckedOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedOperation")
            .field("product", &self.api.product)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

static CHECKED: LazyLock<Vec<OnceLock<Result<CheckedOperation, String>>>> =
    LazyLock::new(|| RULES.operations.iter().map(|_| OnceLock::new()).collect());

/// Returns the checked operation `name` of `api`, or `None` when its requests are not
/// checked. An `Err` means the data under `rules/` is inconsistent.
pub fn checked_operation(
    api: &'static ApiData,
    name: &str,
) -> Option<Result<&'static CheckedOperation, String>> {
    let index = RULES
        .operations
        .iter()
        .position(|op| op.product.eq_ignore_ascii_case(api.product) && op.name == name)?;
    let built = CHECKED[index].get_or_init(|| build(&RULES.operations[index]));
    Some(built.as_ref().map_err(Clone::clone))
}

/// Builds every checked operation, for the data tests.
pub fn all_checked_operations() -> Vec<Result<&'static CheckedOperation, String>> {
    RULES
        .operations
        .iter()
        .map(|op| match api_for_product(&op.product) {
            Some(api) => checked_operation(api, &op.name)
                .unwrap_or_else(|| Err(format!("{} is not found", op.name))),
            None => Err(format!(
                "no API under rules/api/ has product `{}`",
                op.product
            )),
        })
        .collect()
}

fn build(rules: &'static OperationRules) -> Result<CheckedOperation, String> {
    let context = format!("rules/requests.toml: {}:{}", rules.product, rules.name);
    let api = api_for_product(&rules.product)
        .ok_or_else(|| format!("{context}: no API under rules/api/ has this product"))?;
    let index = api
        .operation_index(&rules.name)
        .ok_or_else(|| format!("{context}: the API has no such operation"))?;
    let name = api.operations[index].0;
    let spec = api
        .operation(name)
        .expect("the operation exists")
        .map_err(|e| format!("{context}: {e}"))?;

    for (parameter, refinement) in &rules.parameters {
        if spec.parameter(parameter).is_none() {
            return Err(format!(
                "{context}: refines `{parameter}`, which the operation lacks"
            ));
        }
        if let Some(bucket) = &refinement.region_of {
            let bucket_kind = rules.parameters.get(bucket).and_then(|r| r.kind);
            if bucket_kind != Some(ValueKind::OssBucket) {
                return Err(format!(
                    "{context}: `{parameter}` is the region of `{bucket}`, which is not an oss-bucket parameter"
                ));
            }
        }
        if refinement.pattern.is_some() != refinement.pattern_description.is_some() {
            return Err(format!(
                "{context}: `{parameter}` needs both `pattern` and `pattern-description`"
            ));
        }
    }
    for key in &rules.signature {
        if spec.parameter(key).is_none() {
            return Err(format!(
                "{context}: signature key `{key}` is not a parameter"
            ));
        }
    }

    let schema = build_schema(spec, rules).map_err(|e| format!("{context}: {e}"))?;
    let validator = jsonschema::draft202012::options()
        .build(&schema)
        .map_err(|e| format!("{context}: the schema does not compile: {e}"))?;
    Ok(CheckedOperation {
        api,
        name,
        spec,
        rules,
        schema,
        validator,
    })
}

/// Builds the JSON Schema of a parameter map: one property per parameter with the spec's
/// keywords and the refinements, the required parameters, and no other keys.
fn build_schema(spec: &OperationSpec, rules: &OperationRules) -> Result<Value, String> {
    let mut properties = Map::new();
    for parameter in &spec.parameters {
        let refinement = rules.parameters.get(&parameter.name);
        let mut schema = Map::new();
        match parameter.kind.as_str() {
            "string" | "integer" | "boolean" | "number" => {
                schema.insert("type".into(), json!(parameter.kind));
            }
            // NOTE: structured parameters travel flattened (`Tag.1.Key`) or JSON-encoded in
            // RPC requests. Mapping them back to the schema is not written yet, so an operation
            // that has them cannot be checked.
            other => {
                return Err(format!(
                    "`{}` has type `{other}`, which request checks do not support yet",
                    parameter.name
                ));
            }
        }
        if let Some(allowed) = &parameter.allowed {
            schema.insert("enum".into(), Value::Array(allowed.clone()));
        }
        let min_length = refinement
            .and_then(|r| r.min_length)
            .or(parameter.min_length);
        let max_length = refinement
            .and_then(|r| r.max_length)
            .or(parameter.max_length);
        let pattern = refinement
            .and_then(|r| r.pattern.clone())
            .or(parameter.pattern.clone());
        if let Some(min) = min_length {
            schema.insert("minLength".into(), json!(min));
        }
        if let Some(max) = max_length {
            schema.insert("maxLength".into(), json!(max));
        }
        if let Some(pattern) = pattern {
            schema.insert("pattern".into(), json!(pattern));
        }
        if let Some(minimum) = &parameter.minimum {
            schema.insert("minimum".into(), Value::Number(minimum.clone()));
        }
        if let Some(maximum) = &parameter.maximum {
            schema.insert("maximum".into(), Value::Number(maximum.clone()));
        }
        properties.insert(parameter.name.clone(), Value::Object(schema));
    }
    let required: Vec<&str> = spec.required().collect();
    Ok(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    }))
}

impl CheckedOperation {
    pub fn parameter_rules(&self, name: &str) -> Option<&'static ParameterRules> {
        self.rules.parameters.get(name)
    }

    /// Returns the parameter of a given kind, if the operation has one.
    pub fn parameter_of_kind(&self, kind: ValueKind) -> Option<&'static str> {
        self.rules
            .parameters
            .iter()
            .find(|(_, rules)| rules.kind == Some(kind))
            .map(|(name, _)| name.as_str())
    }

    /// Returns a keyword of a parameter's property in the compiled schema.
    pub fn keyword(&self, parameter: &str, keyword: &str) -> Option<&Value> {
        self.schema["properties"][parameter].get(keyword)
    }

    /// Names every parameter, for help texts.
    pub fn parameter_names(&self) -> Vec<&str> {
        self.spec
            .parameters
            .iter()
            .map(|p| p.name.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_operation_builds() {
        assert!(!rules().operations.is_empty());
        for operation in all_checked_operations() {
            assert!(operation.is_ok(), "{:?}", operation.err());
        }
    }

    #[test]
    fn export_image_schema_has_refinements() {
        let ens = api_for_product("ens").unwrap();
        let operation = checked_operation(ens, "ExportImage").unwrap().unwrap();
        assert_eq!(operation.keyword("OSSPrefix", "minLength"), Some(&json!(1)));
        assert_eq!(
            operation.keyword("OSSPrefix", "maxLength"),
            Some(&json!(30))
        );
        assert_eq!(
            operation.parameter_of_kind(ValueKind::OssBucket),
            Some("OSSBucket")
        );
        let valid = json!({"ImageId": "m-1", "OSSBucket": "b", "OSSRegionId": "cn-beijing"});
        assert!(operation.validator.is_valid(&valid));
        let long = json!({"ImageId": "m-1", "OSSBucket": "b", "OSSRegionId": "cn-beijing", "OSSPrefix": "a".repeat(31)});
        assert!(!operation.validator.is_valid(&long));
    }

    #[test]
    fn common_parameters_are_listed() {
        assert!(is_common_parameter("SignatureNonce"));
        assert!(!is_common_parameter("OSSBucket"));
    }

    #[test]
    fn unlisted_operations_are_not_checked() {
        let ens = api_for_product("ens").unwrap();
        assert!(checked_operation(ens, "DescribeInstances").is_none());
    }
}
