//! Operation specs for `rules/api/`, generated from the OpenAPI-style metadata copies in
//! `rules/upstream/` (the `api-docs.json` files).
//!
//! Each output file describes one API version of one product: its RAM and CLI product code,
//! its endpoints, and every operation with its parameters. A parameter keeps the upstream
//! schema keywords (`type`, `required`, `enum`, `minLength`, `maxLength`, `pattern`,
//! `minimum`, `maximum`, `items`, ...) and its transport (`in`, `style`). Upstream writes
//! `minimum` and `maximum` as strings (`"1"`); they become JSON numbers here.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::{Output, read_input, to_json_file};

/// One upstream API description and where its output goes.
struct ApiSource {
    /// The product code used in RAM actions and by the `aliyun` CLI, in lower case.
    product: &'static str,
    upstream: &'static str,
    output: &'static str,
    /// The operations to keep, or `None` for all of them. An API written with only some
    /// operations is marked `"complete": false`, so that a request for another operation
    /// is not reported as unknown.
    operations: Option<&'static [&'static str]>,
}

const SOURCES: &[ApiSource] = &[
    ApiSource {
        product: "ecs",
        upstream: "rules/upstream/ecs_2014-05-26.api-docs.json",
        output: "rules/api/ecs-2014-05-26.json",
        operations: Some(&["ExportImage"]),
    },
    ApiSource {
        product: "ens",
        upstream: "rules/upstream/ens_2017-11-10.api-docs.json",
        output: "rules/api/ens-2017-11-10.json",
        operations: None,
    },
];

/// Schema keywords copied from upstream; anything else (descriptions, examples) is dropped.
const KEPT_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "required",
    "enum",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "items",
    "properties",
];

/// Generates one spec file per entry of [`SOURCES`].
pub fn generate(root: &Path) -> Result<Vec<Output>, String> {
    let products = products(root)?;
    SOURCES
        .iter()
        .map(|source| {
            let text = read_input(root, source.upstream)?;
            let upstream: Value = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not JSON: {e}", source.upstream))?;
            let spec = convert(source, &upstream, &products)?;
            Ok(Output {
                path: source.output.into(),
                contents: to_json_file(&spec)?,
            })
        })
        .collect()
}

fn products(root: &Path) -> Result<Value, String> {
    let text = read_input(root, "rules/upstream/products.json")?;
    serde_json::from_str(&text)
        .map_err(|e| format!("rules/upstream/products.json is not JSON: {e}"))
}

fn convert(source: &ApiSource, upstream: &Value, products: &Value) -> Result<Value, String> {
    let info = &upstream["info"];
    let version = info["version"]
        .as_str()
        .ok_or_else(|| format!("{}: no info.version", source.upstream))?;
    let apis = upstream["apis"]
        .as_object()
        .ok_or_else(|| format!("{}: no apis object", source.upstream))?;

    if let Some(wanted) = source.operations
        && let Some(missing) = wanted.iter().find(|name| !apis.contains_key(**name))
    {
        return Err(format!("{}: no operation {missing}", source.upstream));
    }
    let mut operations = Map::new();
    for (name, api) in apis {
        if source
            .operations
            .is_some_and(|wanted| !wanted.contains(&name.as_str()))
        {
            continue;
        }
        let mut parameters = Vec::new();
        for parameter in api["parameters"].as_array().into_iter().flatten() {
            parameters.push(convert_parameter(source, name, parameter)?);
        }
        operations.insert(name.clone(), json!({ "parameters": parameters }));
    }

    Ok(json!({
        "product": source.product,
        "version": version,
        "style": info["style"].as_str().unwrap_or("RPC"),
        "source": source.upstream,
        "complete": source.operations.is_none(),
        "endpoints": endpoints(source, upstream, products),
        "operations": operations,
    }))
}

fn convert_parameter(
    source: &ApiSource,
    operation: &str,
    parameter: &Value,
) -> Result<Value, String> {
    let name = parameter["name"].as_str().ok_or_else(|| {
        format!(
            "{}: {operation} has a parameter without a name",
            source.upstream
        )
    })?;
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("in".into(), parameter["in"].clone());
    if let Some(style) = parameter.get("style") {
        out.insert("style".into(), style.clone());
    }
    let schema = convert_schema(&parameter["schema"])
        .map_err(|e| format!("{}: {operation}.{name}: {e}", source.upstream))?;
    if let Value::Object(schema) = schema {
        out.extend(schema);
    }
    Ok(Value::Object(out))
}

/// Keeps the validation keywords of a schema, recursively, with numeric limits as numbers.
fn convert_schema(schema: &Value) -> Result<Value, String> {
    let Some(object) = schema.as_object() else {
        return Err("the schema is not an object".to_string());
    };
    let mut out = Map::new();
    for (key, value) in object {
        if !KEPT_KEYWORDS.contains(&key.as_str()) {
            continue;
        }
        let value = match key.as_str() {
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => number(value)?,
            "items" => convert_schema(value)?,
            "properties" => {
                let mut properties = Map::new();
                for (name, property) in value.as_object().into_iter().flatten() {
                    properties.insert(name.clone(), convert_schema(property)?);
                }
                Value::Object(properties)
            }
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Ok(Value::Object(out))
}

fn number(value: &Value) -> Result<Value, String> {
    match value {
        Value::Number(_) | Value::Bool(_) => Ok(value.clone()),
        Value::String(text) => text
            .parse::<serde_json::Number>()
            .map(Value::Number)
            .map_err(|_| format!("limit {text:?} is not a number")),
        other => Err(format!("limit {other} is not a number")),
    }
}

/// Lists the product's endpoints from the metadata and from `products.json`, sorted and
/// without duplicates.
fn endpoints(source: &ApiSource, upstream: &Value, products: &Value) -> Vec<String> {
    let mut endpoints: Vec<String> = upstream["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["endpoint"].as_str().map(str::to_string))
        .collect();
    let product = products["products"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| {
            p["code"]
                .as_str()
                .is_some_and(|c| c.eq_ignore_ascii_case(source.product))
        });
    if let Some(product) = product {
        for key in ["regional_endpoints", "regional_vpc_endpoints"] {
            for endpoint in product[key]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, v)| v)
            {
                if let Some(endpoint) = endpoint.as_str() {
                    endpoints.push(endpoint.to_string());
                }
            }
        }
        if let Some(global) = product["global_endpoint"]
            .as_str()
            .filter(|g| !g.is_empty())
        {
            endpoints.push(global.to_string());
        }
    }
    endpoints.sort();
    endpoints.dedup();
    endpoints
}
