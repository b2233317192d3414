//! Embeds the data under `rules/` into the binary as Rust statics, so that a run does not parse
//! megabytes of JSON at start-up. Each data family has one function here that reads its files
//! and writes `$OUT_DIR/<name>.rs`, which the matching module includes: the action catalog as
//! sorted tables, and every API operation as a compact JSON string parsed only when a request
//! for that operation is checked.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out_dir);
    embed_action_catalog(out);
    embed_api_data(out);
}

/// Writes `catalog.rs`: the RAM services sorted by code, each with its actions sorted by
/// lower-cased name, for binary search.
///
/// Action names live in one string, `ACTION_NAMES`, and each action stores the offset and
/// length of its name in it. Integers need no relocation when the program is loaded, while a
/// table of ~20,000 `&'static str` would need one relocation per string (and one per retirement
/// note) before `main` runs, on every start.
fn embed_action_catalog(out: &Path) {
    let input = "rules/catalog/actions.json";
    println!("cargo::rerun-if-changed={input}");
    let text =
        std::fs::read_to_string(input).unwrap_or_else(|e| panic!("cannot read {input}: {e}"));
    let catalog: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{input}: {e}"));

    let mut services: Vec<&serde_json::Value> = catalog["services"]
        .as_array()
        .expect("services")
        .iter()
        .collect();
    services.sort_by_key(|s| s["code"].as_str().unwrap_or_default().to_ascii_lowercase());

    let mut names = String::new();
    let mut notes: Vec<&str> = Vec::new();
    let mut tables = String::new();
    let mut rows = String::new();
    for (index, service) in services.iter().enumerate() {
        let service_code = service["code"].as_str().expect("service code");
        let products: Vec<&str> = service["products"]
            .as_array()
            .expect("products")
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        let mut actions: Vec<&str> = service["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        actions.sort_by_key(|a| a.to_ascii_lowercase());
        let retired = service.get("retired").and_then(|r| r.as_object());

        writeln!(
            tables,
            "static ACTIONS_{index}: [Action; {}] = [",
            actions.len()
        )
        .unwrap();
        for action in actions {
            let start = names.len();
            names.push_str(action);
            let note = retired
                .and_then(|r| r.get(action))
                .and_then(|n| n.as_str())
                .map(|note| match notes.iter().position(|n| *n == note) {
                    Some(position) => position,
                    None => {
                        notes.push(note);
                        notes.len() - 1
                    }
                });
            let note = note.map_or("NOT_RETIRED".to_string(), |n| n.to_string());
            writeln!(
                tables,
                "    Action {{ start: {start}, len: {}, note: {note} }},",
                action.len()
            )
            .unwrap();
        }
        writeln!(tables, "];").unwrap();
        writeln!(
            rows,
            "    Service {{ code: {service_code:?}, products: &{products:?}, actions: &ACTIONS_{index} }},"
        )
        .unwrap();
    }
    assert!(
        names.len() < u32::MAX as usize,
        "action names exceed u32 offsets"
    );
    assert!(
        notes.len() < usize::from(u16::MAX),
        "too many retirement notes"
    );

    let mut code = String::new();
    let date = catalog["date"].as_str().expect("catalog date");
    writeln!(
        code,
        "/// The date of the metadata the action catalog was generated from."
    )
    .unwrap();
    writeln!(code, "pub const DATE: &str = {date:?};").unwrap();
    writeln!(code, "/// Every action name, concatenated.").unwrap();
    writeln!(code, "static ACTION_NAMES: &str = {names:?};").unwrap();
    writeln!(
        code,
        "/// The same names in lower case, at the same offsets, for lookups that ignore case."
    )
    .unwrap();
    let lower = names.to_ascii_lowercase();
    writeln!(code, "static ACTION_NAMES_LOWER: &str = {lower:?};").unwrap();
    writeln!(code, "/// The notes of retired actions.").unwrap();
    writeln!(code, "static RETIREMENT_NOTES: &[&str] = &{notes:?};").unwrap();
    code.push_str(&tables);
    writeln!(code, "pub static SERVICES: &[Service] = &[").unwrap();
    code.push_str(&rows);
    writeln!(code, "];").unwrap();
    std::fs::write(out.join("catalog.rs"), code).expect("write catalog.rs");
}

/// Writes `catalog_data.rs`: each API of `rules/api/` with every operation as a compact JSON
/// string, parsed only when a request for it is checked, and the OSS region table.
fn embed_api_data(out: &Path) {
    println!("cargo::rerun-if-changed=rules/api");
    println!("cargo::rerun-if-changed=rules/oss-regions.json");

    let mut code = String::new();
    code.push_str("/// Every API described under `rules/api/`, sorted by product.\n");
    code.push_str("pub static APIS: &[ApiData] = &[\n");
    for path in api_files() {
        let api = read_json(&path);
        let field = |key: &str| {
            api[key]
                .as_str()
                .unwrap_or_else(|| panic!("{}: no string `{key}`", path.display()))
                .to_string()
        };
        let endpoints: Vec<&str> = api["endpoints"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no `endpoints` array", path.display()))
            .iter()
            .filter_map(|e| e.as_str())
            .collect();
        let operations = api["operations"]
            .as_object()
            .unwrap_or_else(|| panic!("{}: no `operations` object", path.display()));
        let complete = api["complete"]
            .as_bool()
            .unwrap_or_else(|| panic!("{}: no boolean `complete`", path.display()));
        let _ = writeln!(
            code,
            "    ApiData {{\n        product: {:?},\n        version: {:?},\n        complete: {complete},\n        endpoints: &{:?},\n        operations: &[",
            field("product"),
            field("version"),
            endpoints
        );
        // serde_json keeps object keys sorted, so the table can be binary-searched.
        for (name, operation) in operations {
            let _ = writeln!(code, "            ({name:?}, {:?}),", operation.to_string());
        }
        code.push_str("        ],\n    },\n");
    }
    code.push_str("];\n\n");

    let regions = read_json(Path::new("rules/oss-regions.json"));
    code.push_str("/// OSS region IDs with their public endpoints, sorted by ID.\n");
    code.push_str("pub static OSS_REGIONS: &[(&str, &str)] = &[\n");
    for region in regions["regions"]
        .as_array()
        .expect("rules/oss-regions.json: no `regions`")
    {
        let id = region["id"].as_str().expect("a region without `id`");
        let endpoint = region["endpoint"]
            .as_str()
            .expect("a region without `endpoint`");
        let _ = writeln!(code, "    ({id:?}, {endpoint:?}),");
    }
    code.push_str("];\n");

    let out = out.join("catalog_data.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

fn api_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("rules/api")
        .expect("rules/api exists; run scripts/generate-data")
        .map(|entry| entry.expect("rules/api can be listed").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run scripts/generate-data",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}
