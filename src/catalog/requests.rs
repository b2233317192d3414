//! The request checks of every operation under `rules/api/`: the generated spec, refined by
//! `rules/requests.toml`, compiled into a JSON Schema per operation on first use.

use std::collections::BTreeMap;
use std::sync::{LazyLock, OnceLock};

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::api::{APIS, ApiData, OperationSpec, api_for_product};

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

/// The refinements of one operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperationRules {
    pub product: String,
    pub name: String,
    /// Keys that identify a JSON parameter map as this operation when it has no `Action`.
    #[serde(default)]
    pub signature: Vec<String>,
    /// Refinements by parameter name. A dotted name (`BackendServers.Port`) refines a
    /// property of the items or members of a structured parameter.
    #[serde(default)]
    pub parameters: BTreeMap<String, ParameterRules>,
}

/// The rules of an operation that `rules/requests.toml` does not refine.
static NO_RULES: OperationRules = OperationRules {
    product: String::new(),
    name: String::new(),
    signature: Vec::new(),
    parameters: BTreeMap::new(),
};

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
    /// Replaces the metadata's `enum`.
    #[serde(rename = "enum")]
    pub allowed: Option<Vec<Value>>,
    /// Keywords of the metadata to drop because they are wrong (`minimum`, `maximum`, ...).
    #[serde(default)]
    pub remove: Vec<String>,
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

/// Returns the refinements of an operation, or `None` when `rules/requests.toml` has none.
pub fn operation_rules(api: &ApiData, name: &str) -> Option<&'static OperationRules> {
    RULES
        .operations
        .iter()
        .find(|op| op.product.eq_ignore_ascii_case(api.product) && op.name == name)
}

/// An operation whose stored requests are checked: its spec, its rules and its schema.
pub struct CheckedOperation {
    pub api: &'static ApiData,
    pub name: &'static str,
    pub spec: &'static OperationSpec,
    pub rules: &'static OperationRules,
    pub schema: Value,
    /// The schema of each parameter, by name: the `properties` of `schema`, in a hash map,
    /// because every parameter of every request is looked up.
    properties: FxHashMap<String, Value>,
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

/// A compiled operation, or why the data under `rules/` could not be compiled.
type CheckedSlot = OnceLock<Result<CheckedOperation, String>>;

/// Compiled operations, one slot per operation of each API, filled on first use.
static CHECKED: LazyLock<Vec<Vec<CheckedSlot>>> = LazyLock::new(|| {
    APIS.iter()
        .map(|api| api.operations.iter().map(|_| OnceLock::new()).collect())
        .collect()
});

/// Returns the checked operation `name` of `api`, or `None` when the API has no such
/// operation. An `Err` means the data under `rules/` is inconsistent.
pub fn checked_operation(
    api: &'static ApiData,
    name: &str,
) -> Option<Result<&'static CheckedOperation, String>> {
    let api_index = APIS
        .iter()
        .position(|candidate| std::ptr::eq(candidate, api))?;
    let index = api.operation_index(name)?;
    let built = CHECKED[api_index][index].get_or_init(|| build(api, index));
    Some(built.as_ref().map_err(Clone::clone))
}

/// Builds every operation of every API and checks that each entry of
/// `rules/requests.toml` refines an operation that exists, for the data tests.
pub fn all_checked_operations() -> Vec<Result<&'static CheckedOperation, String>> {
    let mut all = Vec::new();
    for api in APIS {
        for name in api.operation_names() {
            all.push(checked_operation(api, name).expect("the operation exists"));
        }
    }
    for rules in &RULES.operations {
        let found = api_for_product(&rules.product)
            .is_some_and(|api| api.operation_index(&rules.name).is_some());
        if !found {
            all.push(Err(format!(
                "rules/requests.toml: {}:{} is not an operation of any API under rules/api/",
                rules.product, rules.name
            )));
        }
    }
    all
}

fn build(api: &'static ApiData, index: usize) -> Result<CheckedOperation, String> {
    let name = api.operations[index].0;
    let rules = operation_rules(api, name).unwrap_or(&NO_RULES);
    let context = format!("{}:{name}", api.product);
    let spec = api
        .operation(name)
        .expect("the operation exists")
        .map_err(|e| format!("{context}: {e}"))?;
    let raw: Value = serde_json::from_str(api.operations[index].1)
        .map_err(|e| format!("{context}: the spec is not JSON: {e}"))?;

    let context = format!("rules/requests.toml: {context}");
    for (path, refinement) in &rules.parameters {
        let top = path.split('.').next().unwrap_or(path);
        if spec.parameter(top).is_none() {
            return Err(format!(
                "{context}: refines `{path}`, which the operation lacks"
            ));
        }
        if let Some(bucket) = &refinement.region_of {
            let bucket_kind = rules.parameters.get(bucket).and_then(|r| r.kind);
            if bucket_kind != Some(ValueKind::OssBucket) {
                return Err(format!(
                    "{context}: `{path}` is the region of `{bucket}`, which is not an oss-bucket parameter"
                ));
            }
        }
        if refinement.pattern.is_some() != refinement.pattern_description.is_some() {
            return Err(format!(
                "{context}: `{path}` needs both `pattern` and `pattern-description`"
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

    let mut used = Vec::new();
    let schema = build_schema(&raw, rules, &mut used).map_err(|e| format!("{context}: {e}"))?;
    if let Some(unused) = rules.parameters.keys().find(|path| !used.contains(path)) {
        return Err(format!(
            "{context}: refines `{unused}`, which names no parameter or property"
        ));
    }
    let validator = jsonschema::draft202012::options()
        .build(&schema)
        .map_err(|e| format!("{context}: the schema does not compile: {e}"))?;
    // `schema_at` looks up a pointer's first token among the properties, which is right
    // because the parameter map's schema is an object without `items`.
    if schema.get("items").is_some() {
        return Err(format!("{context}: the parameter map's schema has `items`"));
    }
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .map(|(name, property)| (name.clone(), property.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(CheckedOperation {
        api,
        name,
        spec,
        rules,
        schema,
        properties,
        validator,
    })
}

/// Builds the JSON Schema of a parameter map: one property per parameter with the spec's
/// keywords and the refinements, the required parameters, and no other keys. `used`
/// collects the refinements that were applied.
fn build_schema(
    operation: &Value,
    rules: &OperationRules,
    used: &mut Vec<String>,
) -> Result<Value, String> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"]
            .as_str()
            .ok_or("a parameter has no name")?;
        properties.insert(
            name.to_string(),
            value_schema(parameter, name, rules, used)?,
        );
        if parameter["required"] == Value::Bool(true) {
            required.push(name.to_string());
        }
    }
    Ok(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    }))
}

/// Converts the metadata's schema of one value (a parameter, an array's items or an object's
/// property) into JSON Schema, applying the refinement registered under `path`.
///
/// The metadata follows Swagger 2: `required` is a flag on each property rather than a list
/// on the object, `enum` values of integers are written as strings, and an empty `enum`
/// means that no list is given.
fn value_schema(
    spec: &Value,
    path: &str,
    rules: &OperationRules,
    used: &mut Vec<String>,
) -> Result<Value, String> {
    let kind = spec["type"]
        .as_str()
        .ok_or_else(|| format!("`{path}` has no type"))?;
    let mut schema = Map::new();
    match kind {
        "string" | "integer" | "boolean" | "number" => {
            schema.insert("type".into(), json!(kind));
        }
        "array" => {
            schema.insert("type".into(), json!("array"));
            let items = spec
                .get("items")
                .ok_or_else(|| format!("array `{path}` has no items"))?;
            schema.insert("items".into(), value_schema(items, path, rules, used)?);
        }
        "object" => {
            schema.insert("type".into(), json!("object"));
            let mut properties = Map::new();
            let mut required = Vec::new();
            for (name, property) in spec["properties"].as_object().into_iter().flatten() {
                let property_path = format!("{path}.{name}");
                properties.insert(
                    name.clone(),
                    value_schema(property, &property_path, rules, used)?,
                );
                if property["required"] == Value::Bool(true) {
                    required.push(name.clone());
                }
            }
            if !properties.is_empty() {
                schema.insert("properties".into(), Value::Object(properties));
                schema.insert("required".into(), json!(required));
                schema.insert("additionalProperties".into(), json!(false));
            }
        }
        other => return Err(format!("`{path}` has the unknown type `{other}`")),
    }

    for keyword in [
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
    ] {
        if let Some(value) = spec.get(keyword) {
            schema.insert(keyword.into(), value.clone());
        }
    }
    if let Some(values) = spec["enum"].as_array().filter(|values| !values.is_empty()) {
        let typed: Vec<Value> = values.iter().map(|v| typed_enum_value(v, kind)).collect();
        schema.insert("enum".into(), Value::Array(typed));
    }

    if let Some(refinement) = rules.parameters.get(path) {
        used.push(path.to_string());
        for keyword in &refinement.remove {
            if schema.remove(keyword).is_none() {
                return Err(format!(
                    "`{path}`: `remove` names `{keyword}`, which the metadata does not set"
                ));
            }
        }
        if let Some(min) = refinement.min_length {
            schema.insert("minLength".into(), json!(min));
        }
        if let Some(max) = refinement.max_length {
            schema.insert("maxLength".into(), json!(max));
        }
        if let Some(pattern) = &refinement.pattern {
            schema.insert("pattern".into(), json!(pattern));
        }
        if let Some(allowed) = &refinement.allowed {
            schema.insert("enum".into(), Value::Array(allowed.clone()));
        }
    }
    Ok(Value::Object(schema))
}

/// Converts an `enum` value written as a string into the value's type (`"30"` for an
/// integer becomes `30`), so that the list can match the typed instance.
fn typed_enum_value(value: &Value, kind: &str) -> Value {
    let Some(text) = value.as_str() else {
        return value.clone();
    };
    match kind {
        "integer" | "number" => text
            .parse::<serde_json::Number>()
            .map(Value::Number)
            .unwrap_or_else(|_| value.clone()),
        "boolean" => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => value.clone(),
        },
        _ => value.clone(),
    }
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

    /// Returns the compiled schema of the value at a JSON pointer into the parameter map
    /// (`/Tag/0/Key`), following `properties` and `items`.
    pub fn schema_at(&self, pointer: &str) -> Option<&Value> {
        let mut tokens = pointer.split('/').skip(1);
        let Some(first) = tokens.next() else {
            return Some(&self.schema);
        };
        let mut schema = self.properties.get(unescape_token(first).as_ref())?;
        for token in tokens {
            schema = if token.parse::<usize>().is_ok() && schema.get("items").is_some() {
                &schema["items"]
            } else {
                schema
                    .get("properties")?
                    .get(unescape_token(token).as_ref())?
            };
        }
        Some(schema)
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

/// Undoes the RFC 6901 escapes of one JSON pointer token.
fn unescape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
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
    fn every_operation_is_checked() {
        let ens = api_for_product("ens").unwrap();
        assert!(checked_operation(ens, "DescribeInstances").is_some());
        assert!(checked_operation(ens, "ExportImages").is_none());
    }

    #[test]
    fn structured_parameters_become_nested_schemas() {
        let ens = api_for_product("ens").unwrap();
        let operation = checked_operation(ens, "AccosicateNetworkAcl")
            .unwrap()
            .unwrap();
        let resource = operation.schema_at("/Resource").unwrap();
        assert_eq!(resource["type"], "array");
        assert_eq!(resource["maxItems"], 30);
        let item = operation.schema_at("/Resource/0").unwrap();
        assert_eq!(item["required"], json!(["ResourceId", "ResourceType"]));
        assert_eq!(item["additionalProperties"], json!(false));
        let kind = operation.schema_at("/Resource/0/ResourceType").unwrap();
        assert_eq!(kind["enum"], json!(["Network"]));
    }

    #[test]
    fn metadata_quirks_are_normalised() {
        let ens = api_for_product("ens").unwrap();
        let renew = checked_operation(ens, "RenewInstance").unwrap().unwrap();
        assert_eq!(renew.keyword("Period", "enum").unwrap()[0], json!(1));
        let import = checked_operation(ens, "ImportImage").unwrap().unwrap();
        assert!(import.keyword("OSSRegion", "enum").is_none());
        let backends = checked_operation(ens, "AddBackendServers")
            .unwrap()
            .unwrap();
        let port = backends.schema_at("/BackendServers/0/Port").unwrap();
        assert!(port.get("maximum").is_none(), "{port}");
    }
}
