//! Output formats. Every format renders the same sorted diagnostics and summary.

pub mod github;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{FileInfo, FileStatus};

/// Counts printed at the end of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read or attempted, whatever their outcome.
    pub files: usize,
    /// Files that held at least one policy or request.
    pub checked: usize,
    /// Files read that hold nothing ramlint checks.
    pub not_recognised: usize,
    /// Files that could not be read, decoded or parsed; each has a diagnostic with the reason.
    pub failed: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Diagnostics hidden by suppressions or the baseline.
    pub suppressed: usize,
}

impl Summary {
    /// Counts the files and diagnostics of a run; `suppressed` is the number of diagnostics
    /// that suppressions and the baseline removed.
    pub fn new(files: &[FileInfo], diagnostics: &[Diagnostic], suppressed: usize) -> Summary {
        let count = |severity| {
            diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .count()
        };
        Summary {
            files: files
                .iter()
                .filter(|f| f.status != FileStatus::Config)
                .count(),
            checked: files
                .iter()
                .filter(|f| f.status == FileStatus::Checked)
                .count(),
            not_recognised: files
                .iter()
                .filter(|f| f.status == FileStatus::NotRecognised)
                .count(),
            failed: files
                .iter()
                .filter(|f| f.status == FileStatus::Failed)
                .count(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            suppressed,
        }
    }

    /// Formats the one-line summary of the text format.
    pub fn line(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        // Files that could not be checked are named only when there are some, so that the
        // three counts always add up to the files read.
        let failed = if self.failed > 0 {
            format!(", {} could not be checked", self.failed)
        } else {
            String::new()
        };
        format!(
            "{}, {}, {} in {} ({} checked, {} not recognised{failed}); {} suppressed",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.infos, "info"),
            plural(self.files, "file"),
            self.checked,
            self.not_recognised,
            self.suppressed
        )
    }
}

/// Counts diagnostics per rule, sorted by count and then id, for `--statistics`.
pub fn statistics(diagnostics: &[Diagnostic]) -> Vec<(&'static str, Severity, usize)> {
    let mut counts: std::collections::BTreeMap<&'static str, (Severity, usize)> =
        std::collections::BTreeMap::new();
    for diagnostic in diagnostics {
        let entry = counts
            .entry(diagnostic.rule.id)
            .or_insert((diagnostic.severity, 0));
        entry.1 += 1;
        entry.0 = entry.0.max(diagnostic.severity);
    }
    let mut rows: Vec<_> = counts
        .into_iter()
        .map(|(id, (sev, n))| (id, sev, n))
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    rows
}
