//! Embeds the data under `rules/` into the binary as Rust statics, so that a run does not parse
//! megabytes of JSON at start-up. Each data family has one function here that reads its file
//! and writes `$OUT_DIR/<name>.rs`, which the matching module includes.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out_dir);
    embed_action_catalog(out);
}

/// Writes `catalog.rs`: the RAM services sorted by code, each with its actions sorted by
/// lower-cased name, for binary search.
fn embed_action_catalog(out: &Path) {
    let input = "rules/catalog/actions.json";
    println!("cargo::rerun-if-changed={input}");
    let text =
        std::fs::read_to_string(input).unwrap_or_else(|e| panic!("cannot read {input}: {e}"));
    let catalog: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{input}: {e}"));

    let mut code = String::new();
    let date = catalog["date"].as_str().expect("catalog date");
    writeln!(
        code,
        "/// The date of the metadata the action catalog was generated from."
    )
    .unwrap();
    writeln!(code, "pub const DATE: &str = {date:?};").unwrap();
    writeln!(code, "pub static SERVICES: &[Service] = &[").unwrap();
    let mut services: Vec<&serde_json::Value> = catalog["services"]
        .as_array()
        .expect("services")
        .iter()
        .collect();
    services.sort_by_key(|s| s["code"].as_str().unwrap_or_default().to_ascii_lowercase());
    for service in services {
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
            code,
            "    Service {{ code: {service_code:?}, products: &{products:?}, actions: &["
        )
        .unwrap();
        for action in actions {
            let note = retired.and_then(|r| r.get(action)).and_then(|n| n.as_str());
            writeln!(
                code,
                "        Action {{ name: {action:?}, retired: {note:?} }},"
            )
            .unwrap();
        }
        writeln!(code, "    ] }},").unwrap();
    }
    writeln!(code, "];").unwrap();
    std::fs::write(out.join("catalog.rs"), code).expect("write catalog.rs");
}
