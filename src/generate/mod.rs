//! The generator of committed files that are derived from other sources: the data under
//! `rules/` from the upstream metadata in `rules/upstream/`, the rule reference
//! `docs/rules.md` and the configuration schema `ramlint.schema.json` ([`docs`]).
//!
//! Every generated file is produced by a function registered in [`outputs`], from the
//! upstream copies, from hand-written data files under `rules/`, or from the code. The
//! output is deterministic: the same inputs give byte-identical files, so a test can
//! regenerate the data and fail when the committed copy differs (`tests/cli/generated.rs`).
//! Run `scripts/generate-data` to rewrite the files after changing an input.

pub mod docs;

mod api;
mod regions;

use std::path::{Path, PathBuf};

pub mod catalog;

/// One generated file: its path relative to the crate root and its full contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: PathBuf,
    pub contents: String,
}

/// A generator: reads its inputs under the crate root and returns the files it produces.
pub type Generator = fn(&Path) -> Result<Vec<Output>, String>;

/// Every generator; each data family adds its own.
const GENERATORS: &[Generator] = &[
    api::generate,
    catalog::generate,
    docs::rules_doc,
    docs::config_schema,
    regions::generate,
];

/// Generates every data file from the inputs under `root` (the crate root).
pub fn outputs(root: &Path) -> Result<Vec<Output>, String> {
    let generators = GENERATORS;
    let mut all = Vec::new();
    for generate in generators {
        all.extend(generate(root)?);
    }
    all.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(all)
}

/// Writes every generated file under `root` and returns their paths.
pub fn write_all(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for output in outputs(root)? {
        let path = root.join(&output.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, output.contents.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(output.path);
    }
    Ok(written)
}

/// Reads an input file under `root`, naming it in the error.
pub fn read_input(root: &Path, relative: &str) -> Result<String, String> {
    let path = root.join(relative);
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Serialises a value as pretty JSON with a final newline, the format of every generated
/// JSON file.
pub fn to_json_file<T: serde::Serialize>(value: &T) -> Result<String, String> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|e| format!("cannot serialise: {e}"))?;
    text.push('\n');
    Ok(text)
}
