//! The list of OSS region IDs, `rules/oss-regions.json`, generated from the OSS entry of
//! `rules/upstream/products.json`, whose `regional_endpoints` map each OSS region ID to its
//! public endpoint.

use std::path::Path;

use serde_json::{Value, json};

use super::{Output, read_input, to_json_file};

const UPSTREAM: &str = "rules/upstream/products.json";
const OUTPUT: &str = "rules/oss-regions.json";

/// Generates `rules/oss-regions.json`.
pub fn generate(root: &Path) -> Result<Vec<Output>, String> {
    let text = read_input(root, UPSTREAM)?;
    let products: Value =
        serde_json::from_str(&text).map_err(|e| format!("{UPSTREAM} is not JSON: {e}"))?;
    let oss = products["products"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["code"] == "Oss")
        .ok_or_else(|| format!("{UPSTREAM} has no product with code Oss"))?;
    let endpoints = oss["regional_endpoints"]
        .as_object()
        .ok_or_else(|| format!("{UPSTREAM}: Oss has no regional_endpoints"))?;
    let mut regions: Vec<Value> = endpoints
        .iter()
        .map(|(id, endpoint)| json!({ "id": id, "endpoint": endpoint }))
        .collect();
    regions.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    if regions.is_empty() {
        return Err(format!("{UPSTREAM}: Oss lists no regional endpoints"));
    }
    let data = json!({
        "source": format!("{UPSTREAM}, product Oss, regional_endpoints"),
        "regions": regions,
    });
    Ok(vec![Output {
        path: OUTPUT.into(),
        contents: to_json_file(&data)?,
    }])
}
