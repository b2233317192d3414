//! Every data file under `rules/` matches its JSON Schema under `rules/schemas/`. TOML files
//! are converted to JSON first, so one schema language covers both formats.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{files_in, relative, root};

/// The schema of each data file: a path relative to the crate root, or a folder whose `.json`
/// files share one schema.
const SCHEMAS: &[(&str, &str)] = &[
    ("rules/api/", "api.schema.json"),
    ("rules/catalog/actions.json", "actions.schema.json"),
    (
        "rules/catalog/action-resources.toml",
        "action-resources.schema.json",
    ),
    (
        "rules/catalog/extra-actions.toml",
        "extra-actions.schema.json",
    ),
    ("rules/catalog/ram-codes.toml", "ram-codes.schema.json"),
    ("rules/catalog/retired.toml", "retired.schema.json"),
    ("rules/oss-regions.json", "oss-regions.schema.json"),
    ("rules/requests.toml", "requests.schema.json"),
    (
        "rules/upstream/products.json",
        "upstream-products.schema.json",
    ),
    ("rules/upstream/", "upstream-api-docs.schema.json"),
];

/// Lists every file under `dir`, recursively, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in files_in(dir) {
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn schema_for(path: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(pattern, _)| *pattern == path)
        .or_else(|| {
            SCHEMAS.iter().find(|(pattern, _)| {
                pattern.ends_with('/') && path.starts_with(pattern) && path.ends_with(".json")
            })
        })
        .map(|(_, schema)| *schema)
}

/// Reads a data file as JSON, converting TOML.
fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if path.extension().is_some_and(|ext| ext == "toml") {
        let table: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()));
        serde_json::to_value(table).expect("TOML converts to JSON")
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
    }
}

fn validator(schema: &str) -> jsonschema::Validator {
    let schema = load(&root().join("rules/schemas").join(schema));
    jsonschema::draft202012::options()
        .build(&schema)
        .unwrap_or_else(|e| panic!("rules/schemas/{schema}: the schema does not compile: {e}"))
}

/// Returns the validation errors of `instance`, one line each.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

#[test]
fn every_data_file_matches_its_schema() {
    let mut checked = 0;
    for path in walk(&root().join("rules")) {
        let name = relative(&path);
        if name.ends_with(".md") || name.starts_with("rules/schemas/") {
            continue;
        }
        let schema =
            schema_for(&name).unwrap_or_else(|| panic!("{name} has no schema; add one to SCHEMAS"));
        let found = errors(&validator(schema), &load(&path));
        assert!(
            found.is_empty(),
            "{name} does not match {schema}:\n{}",
            found.join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} data files were found");
}

#[test]
fn every_schema_is_used() {
    for schema in files_in(&root().join("rules/schemas")) {
        let name = schema.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            SCHEMAS.iter().any(|(_, used)| *used == name),
            "rules/schemas/{name} validates no data file"
        );
    }
}

#[test]
fn schemas_reject_broken_data() {
    let codes = validator("ram-codes.schema.json");
    let without_source = json!({"override": [{"product": "cas", "ram-code": "yundun-cert"}]});
    assert!(!errors(&codes, &without_source).is_empty());

    let api = validator("api.schema.json");
    let mut ens = load(&root().join("rules/api/ens-2017-11-10.json"));
    ens["operations"]["ExportImage"]["parameters"][0]["style"] = json!("matrix");
    assert!(!errors(&api, &ens).is_empty());

    let requests = validator("requests.schema.json");
    let mut rules = load(&root().join("rules/requests.toml"));
    rules["operation"][0]["parameters"]["OSSPrefix"]
        .as_object_mut()
        .unwrap()
        .remove("pattern-description");
    let found = errors(&requests, &rules);
    assert!(
        found.iter().any(|e| e.contains("pattern-description")),
        "{found:?}"
    );

    let actions = validator("actions.schema.json");
    let mut catalog = load(&root().join("rules/catalog/actions.json"));
    catalog["services"][0]["code"] = json!("Has Space");
    assert!(!errors(&actions, &catalog).is_empty());
}
