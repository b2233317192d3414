//! Baselines: a file of the diagnostics a repository already had, by fingerprint, so that a
//! gate can be adopted at once and report only new diagnostics.
//!
//! `--write-baseline FILE` records every diagnostic that remains after suppressions;
//! `--baseline FILE` removes the diagnostics whose fingerprints it lists and names the
//! entries that no longer occur. Fingerprints hash the rule, the path as displayed and the
//! subject (see [`crate::fingerprint`]), so a baseline only matches runs started from the
//! same folder. The rule, path and message are stored for people reading the file.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::engine::FileInfo;

/// The version of the baseline file format.
pub const VERSION: u32 = 1;

/// A baseline file as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    entries: Vec<BaselineEntry>,
}

/// One recorded diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    pub message: String,
}

/// A loaded baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    entries: Vec<BaselineEntry>,
}

/// What filtering by a baseline did.
#[derive(Debug, Default)]
pub struct Filtered {
    /// How many diagnostics the baseline removed.
    pub removed: usize,
    /// Baseline entries that match no diagnostic of this run.
    pub stale: Vec<BaselineEntry>,
}

impl Baseline {
    /// Builds a baseline from the diagnostics of a run.
    pub fn from_diagnostics(diagnostics: &[Diagnostic], files: &[FileInfo]) -> Baseline {
        let entries = diagnostics
            .iter()
            .map(|d| BaselineEntry {
                fingerprint: d.fingerprint.clone(),
                rule: d.rule.id.to_string(),
                path: files[d.file.0 as usize].display.clone(),
                message: d.message.clone(),
            })
            .collect();
        Baseline { entries }
    }

    /// Reads a baseline file, with an error message that names the file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            format!(
                "the baseline {} is not a ramlint baseline: {e}",
                path.display()
            )
        })?;
        if file.version != VERSION {
            return Err(format!(
                "the baseline {} has version {}; this ramlint reads version {VERSION}",
                path.display(),
                file.version
            ));
        }
        Ok(Baseline {
            entries: file.entries,
        })
    }

    /// Writes the baseline as pretty-printed JSON.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let file = BaselineFile {
            version: VERSION,
            entries: self.entries.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("the baseline serialises");
        text.push('\n');
        std::fs::write(path, text)
            .map_err(|e| format!("cannot write the baseline {}: {e}", path.display()))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes the diagnostics whose fingerprints the baseline lists.
    pub fn filter(&self, diagnostics: &mut Vec<Diagnostic>) -> Filtered {
        let recorded: HashSet<&str> = self
            .entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut seen: HashSet<String> = HashSet::new();
        let before = diagnostics.len();
        diagnostics.retain(|d| {
            if recorded.contains(d.fingerprint.as_str()) {
                seen.insert(d.fingerprint.clone());
                false
            } else {
                true
            }
        });
        let stale = self
            .entries
            .iter()
            .filter(|e| !seen.contains(&e.fingerprint))
            .cloned()
            .collect();
        Filtered {
            removed: before - diagnostics.len(),
            stale,
        }
    }
}
