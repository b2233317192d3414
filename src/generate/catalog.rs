//! The RAM action catalog: for every service, its RAM code and the actions it defines.
//!
//! Inputs: `rules/upstream/products.json` (operations of 323 products), the OSS api-docs
//! (OSS lists no operations in products.json) and the `deprecated` flags of the api-docs
//! files. Three hand-written files refine them: `rules/catalog/ram-codes.toml` (RAM codes that
//! differ from the lower-cased product code), `rules/catalog/extra-actions.toml` (RAM codes no
//! product has, and actions that are not API operations) and `rules/catalog/retired.toml`
//! (retirements the metadata does not carry). Output: `rules/catalog/actions.json`, which
//! `build.rs` embeds into the binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Output, read_input, to_json_file};

/// The date of `products.json`, the newest input; every `unknown-action` message names it.
pub const CATALOG_DATE: &str = "2026-04-21";

/// Api-docs files whose operation names are actions of their service, with the RAM code.
/// OSS is here because products.json lists no OSS operations; ENS and ECS contribute their
/// `deprecated` flags.
const API_DOCS: &[(&str, &str)] = &[
    ("oss", "rules/upstream/oss_2019-05-17.api-docs.json"),
    ("ens", "rules/upstream/ens_2017-11-10.api-docs.json"),
    ("ecs", "rules/upstream/ecs_2014-05-26.api-docs.json"),
    ("ram", "rules/upstream/ram_2015-05-01.api-docs.json"),
    ("sts", "rules/upstream/sts_2015-04-01.api-docs.json"),
];

#[derive(Deserialize)]
struct Products {
    products: Vec<Product>,
}

#[derive(Deserialize)]
struct Product {
    code: String,
    #[serde(default)]
    apis: Vec<String>,
}

#[derive(Deserialize)]
struct ApiDocs {
    apis: BTreeMap<String, ApiDoc>,
}

#[derive(Deserialize)]
struct ApiDoc {
    #[serde(default)]
    deprecated: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RamCodes {
    #[serde(default, rename = "override")]
    overrides: Vec<RamCodeOverride>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RamCodeOverride {
    product: String,
    ram_code: String,
    #[allow(dead_code)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraActions {
    #[serde(default, rename = "service")]
    services: Vec<ExtraService>,
    #[serde(default)]
    actions: Vec<ExtraActionGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraService {
    code: String,
    #[allow(dead_code)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraActionGroup {
    service: String,
    names: Vec<String>,
    #[allow(dead_code)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Retired {
    #[serde(default)]
    retired: Vec<RetiredGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetiredGroup {
    service: String,
    names: Vec<String>,
    /// When or how the operations were retired, shown in `retired-action` messages.
    note: String,
    #[allow(dead_code)]
    source: String,
}

/// The generated catalog file.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Catalog {
    pub date: String,
    pub services: Vec<ServiceEntry>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct ServiceEntry {
    /// The RAM code, lower case.
    pub code: String,
    /// The product codes that use this RAM code.
    pub products: Vec<String>,
    /// Action names, sorted case-insensitively; empty when the metadata lists none.
    pub actions: Vec<String>,
    /// Retired actions, each with a note on its retirement.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub retired: BTreeMap<String, String>,
}

/// Generates `rules/catalog/actions.json`.
pub fn generate(root: &Path) -> Result<Vec<Output>, String> {
    let products: Products =
        serde_json::from_str(&read_input(root, "rules/upstream/products.json")?)
            .map_err(|e| format!("rules/upstream/products.json: {e}"))?;
    let codes: RamCodes = toml::from_str(&read_input(root, "rules/catalog/ram-codes.toml")?)
        .map_err(|e| format!("rules/catalog/ram-codes.toml: {e}"))?;
    let retired: Retired = toml::from_str(&read_input(root, "rules/catalog/retired.toml")?)
        .map_err(|e| format!("rules/catalog/retired.toml: {e}"))?;
    let extra: ExtraActions =
        toml::from_str(&read_input(root, "rules/catalog/extra-actions.toml")?)
            .map_err(|e| format!("rules/catalog/extra-actions.toml: {e}"))?;

    let mut services: BTreeMap<String, ServiceEntry> = BTreeMap::new();
    for override_ in &codes.overrides {
        if !products
            .products
            .iter()
            .any(|p| p.code == override_.product)
        {
            return Err(format!(
                "rules/catalog/ram-codes.toml: no product `{}` in products.json",
                override_.product
            ));
        }
    }
    for product in &products.products {
        let code = codes
            .overrides
            .iter()
            .find(|o| o.product == product.code)
            .map(|o| o.ram_code.clone())
            .unwrap_or_else(|| product.code.to_ascii_lowercase());
        let entry = services
            .entry(code.clone())
            .or_insert_with(|| ServiceEntry {
                code,
                products: Vec::new(),
                actions: Vec::new(),
                retired: BTreeMap::new(),
            });
        entry.products.push(product.code.clone());
        entry.actions.extend(product.apis.iter().cloned());
    }

    for (code, file) in API_DOCS {
        let docs: ApiDocs =
            serde_json::from_str(&read_input(root, file)?).map_err(|e| format!("{file}: {e}"))?;
        let entry = services.get_mut(*code).ok_or_else(|| {
            format!("{file}: no product in products.json has the RAM code `{code}`")
        })?;
        for (name, doc) in docs.apis {
            if doc.deprecated {
                entry
                    .retired
                    .insert(name.clone(), format!("marked deprecated in {file}"));
            }
            entry.actions.push(name);
        }
    }

    for service in &extra.services {
        if services.contains_key(&service.code) {
            return Err(format!(
                "rules/catalog/extra-actions.toml: service `{}` is already the RAM code of a product",
                service.code
            ));
        }
        services.insert(
            service.code.clone(),
            ServiceEntry {
                code: service.code.clone(),
                products: Vec::new(),
                actions: Vec::new(),
                retired: BTreeMap::new(),
            },
        );
    }

    for group in extra.actions {
        let entry = services.get_mut(&group.service).ok_or_else(|| {
            format!(
                "rules/catalog/extra-actions.toml: unknown service `{}`",
                group.service
            )
        })?;
        entry.actions.extend(group.names);
    }

    for group in retired.retired {
        let entry = services.get_mut(&group.service).ok_or_else(|| {
            format!(
                "rules/catalog/retired.toml: unknown service `{}`",
                group.service
            )
        })?;
        for name in group.names {
            entry.retired.insert(name.clone(), group.note.clone());
            entry.actions.push(name);
        }
    }

    for entry in services.values_mut() {
        entry.products.sort();
        entry.actions.sort_by(|a, b| {
            a.to_ascii_lowercase()
                .cmp(&b.to_ascii_lowercase())
                .then(a.cmp(b))
        });
        entry.actions.dedup();
    }
    let catalog = Catalog {
        date: CATALOG_DATE.to_string(),
        services: services.into_values().collect(),
    };
    Ok(vec![Output {
        path: PathBuf::from("rules/catalog/actions.json"),
        contents: to_json_file(&catalog)?,
    }])
}
