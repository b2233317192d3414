//! Generated documentation: `docs/rules.md` from the rules' own documentation, and
//! `ramlint.schema.json` from the configuration types.

use std::path::{Path, PathBuf};

use super::{Output, to_json_file};
use crate::rules;

/// The path of the rule reference, relative to the crate root.
pub const RULES_DOC: &str = "docs/rules.md";

/// The path of the configuration's JSON Schema, relative to the crate root.
pub const CONFIG_SCHEMA: &str = "ramlint.schema.json";

/// Generates `docs/rules.md`: a table of every rule, then each rule's page as `ramlint rule
/// ID` prints it, one heading level down.
pub fn rules_doc(_root: &Path) -> Result<Vec<Output>, String> {
    let mut text = String::from(
        "# Rules\n\n\
         <!-- Generated from the rules' documentation comments by scripts/generate-data; do not edit. -->\n\n\
         Every rule ramlint runs, in the order `ramlint rules` lists them. `ramlint rule ID` prints \
         the same text for one rule. Severities can be changed per rule in the `[rules]` table of \
         `ramlint.toml`.\n\n\
         | Rule | Default severity | Summary |\n\
         | --- | --- | --- |\n",
    );
    for rule in rules::all() {
        text.push_str(&format!(
            "| [`{id}`](#{id}) | {severity} | {summary} |\n",
            id = rule.id,
            severity = rule.default_severity,
            summary = rule.summary.replace('|', "\\|")
        ));
    }
    for rule in rules::all() {
        text.push('\n');
        text.push_str(&rule.page(2));
    }
    Ok(vec![Output {
        path: PathBuf::from(RULES_DOC),
        contents: text,
    }])
}

/// Generates `ramlint.schema.json`, the JSON Schema that editors use to complete and check
/// `ramlint.toml`.
pub fn config_schema(_root: &Path) -> Result<Vec<Output>, String> {
    Ok(vec![Output {
        path: PathBuf::from(CONFIG_SCHEMA),
        contents: to_json_file(&crate::config::json_schema())?,
    }])
}
