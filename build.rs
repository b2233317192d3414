//! Embeds the generated data under `rules/` in the binary, in a form that costs nothing at
//! startup: each operation of `rules/api/*.json` becomes its own compact JSON string, parsed
//! only when a request for that operation is checked, and the OSS region list becomes a
//! static table.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
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
        let _ = writeln!(
            code,
            "    ApiData {{\n        product: {:?},\n        version: {:?},\n        endpoints: &{:?},\n        operations: &[",
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

    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalog_data.rs");
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
