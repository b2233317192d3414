//! Counts the policy documents ramlint finds in a folder of Terraform files and ROS
//! templates: how many were found, checked, skipped as unknown (by reason) or set aside
//! as look-alikes. Used to review a corpus of real templates.
//!
//! ```text
//! cargo run --example iac_census -- FOLDER
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ramlint::document::embedded::{EmbeddedPolicy, PolicyContent};
use ramlint::document::ros;
use ramlint::document::terraform::{self, scope::ModuleScope};
use ramlint::syntax::{json, yaml};

#[derive(Default)]
struct Counts {
    files: usize,
    found: usize,
    checked: usize,
    with_unknown_values: usize,
    invalid: usize,
    unknown: BTreeMap<String, usize>,
    look_alikes: BTreeMap<String, usize>,
    kinds: BTreeMap<String, usize>,
}

impl Counts {
    fn add(&mut self, policies: &[EmbeddedPolicy]) {
        for policy in policies {
            self.found += 1;
            *self.kinds.entry(format!("{:?}", policy.kind)).or_default() += 1;
            match &policy.content {
                PolicyContent::Tree { variants, .. } => {
                    self.checked += 1;
                    let mut unknown = false;
                    variants[0].walk(&mut |node| unknown |= node.is_unknown());
                    if unknown {
                        self.with_unknown_values += 1;
                    }
                }
                PolicyContent::Invalid(_) => self.invalid += 1,
                PolicyContent::Unknown { reason } => {
                    *self.unknown.entry(classify(reason)).or_default() += 1;
                }
            }
        }
    }
}

/// Groups the reasons of unknown documents by their cause.
fn classify(reason: &str) -> String {
    for (needle, cause) in [
        ("each.", "`each.value` of a for_each"),
        ("has no default", "a variable without a default"),
        ("without a default", "a parameter without a default"),
        ("not defined", "a name not defined in the module"),
        ("more than one file", "a name defined in several files"),
        (
            "is computed",
            "a function or expression computed when Terraform runs",
        ),
        ("Fn::", "a ROS function"),
        (
            "only known when Terraform runs",
            "a resource or data source attribute",
        ),
    ] {
        if reason.contains(needle) {
            return cause.to_string();
        }
    }
    reason.to_string()
}

fn main() {
    let folder = PathBuf::from(std::env::args().nth(1).expect("usage: iac_census FOLDER"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("the folder can be read")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    let texts: Vec<(PathBuf, String)> = paths
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            Some((PathBuf::from(path.file_name()?), text))
        })
        .collect();
    let scope = ModuleScope::from_files(
        texts
            .iter()
            .filter(|(name, _)| name.extension().is_some_and(|e| e == "tf"))
            .map(|(name, text)| (name.clone(), text.as_str())),
    );

    let mut counts = Counts::default();
    for (name, text) in &texts {
        let extension = name.extension().and_then(|e| e.to_str()).unwrap_or("");
        let extraction = match extension {
            "tf" => terraform::extract(text, name, &scope)
                .ok()
                .map(|e| (e.policies, e.look_alikes)),
            "yml" | "yaml" => yaml::parse(text).ok().and_then(|document| {
                ros::is_template(&document.root).then(|| {
                    let e = ros::extract(
                        &document.root,
                        text,
                        ros::Format::Yaml(&document.styles),
                        None,
                    );
                    (e.policies, e.look_alikes)
                })
            }),
            "json" => json::parse(text).ok().and_then(|root| {
                ros::is_template(&root).then(|| {
                    let e = ros::extract(&root, text, ros::Format::Json, None);
                    (e.policies, e.look_alikes)
                })
            }),
            _ => None,
        };
        let Some((policies, look_alikes)) = extraction else {
            continue;
        };
        counts.files += 1;
        counts.add(&policies);
        for look_alike in look_alikes {
            *counts
                .look_alikes
                .entry(look_alike.reason.to_string())
                .or_default() += 1;
        }
    }
    report(&folder, &counts);
}

fn report(folder: &Path, counts: &Counts) {
    println!("{}: {} template files read", folder.display(), counts.files);
    println!("  policy documents found: {}", counts.found);
    for (kind, count) in &counts.kinds {
        println!("    {kind}: {count}");
    }
    println!(
        "  checked: {} ({} of them with values only known when rendered)",
        counts.checked, counts.with_unknown_values
    );
    println!("  not valid JSON: {}", counts.invalid);
    let unknown: usize = counts.unknown.values().sum();
    println!("  skipped as unknown: {unknown}");
    for (reason, count) in &counts.unknown {
        println!("    {count:>4}  {reason}");
    }
    let look_alikes: usize = counts.look_alikes.values().sum();
    println!("  look-alikes set aside (not counted above): {look_alikes}");
    for (reason, count) in &counts.look_alikes {
        println!("    {count:>4}  {reason}");
    }
}
