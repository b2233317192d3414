//! The effective settings of a run: which rules are on and at what severity, and limits.
//!
//! Precedence, from weakest to strongest: each rule's default severity, the `[rules]` table
//! of `ramlint.toml`, then `--select` (only the listed rules run) and `--ignore` (the listed
//! rules do not). Rules that report files ramlint could not check at all (`io-error`,
//! `invalid-encoding`, `invalid-json`, `invalid-hcl`, `invalid-yaml`,
//! `file-too-large`) still run under `--select`, because a
//! scan must never pass a file it could not read; only `--ignore` or `"off"` turns them off.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::Severity;
use crate::rules::{self, Rule};

/// The default cap on a file's size: 16 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// RAM's limit on a custom policy document, in characters (6,144 since 2021; it was 2,048
/// and then 4,096 before).
pub const DEFAULT_POLICY_MAX_CHARS: usize = 6144;

/// Ids of the rules that report a file that could not be checked at all.
const ALWAYS_SELECTED: &[&str] = &[
    "io-error",
    "invalid-encoding",
    "invalid-json",
    "invalid-hcl",
    "invalid-yaml",
    "file-too-large",
];

#[derive(Clone, Debug)]
pub struct Settings {
    /// Severity overrides from the configuration; `None` turns a rule off.
    overrides: HashMap<&'static str, Option<Severity>>,
    select: Option<HashSet<&'static str>>,
    ignore: HashSet<&'static str>,
    pub max_file_size: u64,
    pub policy_max_chars: usize,
    /// The region each ROS template is deployed in, from `[template-regions]`.
    pub template_regions: TemplateRegions,
}

/// Path globs and the region of the ROS templates they match; the first match wins.
#[derive(Clone, Debug, Default)]
pub struct TemplateRegions {
    entries: Vec<(globset::GlobSet, String)>,
    /// The folder the globs are relative to.
    base: std::path::PathBuf,
}

impl TemplateRegions {
    /// Builds the table; `entries` are globs relative to `base` with region IDs.
    pub fn new(
        base: std::path::PathBuf,
        entries: Vec<(globset::GlobSet, String)>,
    ) -> TemplateRegions {
        TemplateRegions { entries, base }
    }

    /// Returns the region of the template at `path`.
    pub fn region(&self, path: &std::path::Path) -> Option<&str> {
        if self.entries.is_empty() {
            return None;
        }
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let relative = absolute.strip_prefix(&self.base).unwrap_or(path);
        self.entries
            .iter()
            .find(|(set, _)| set.is_match(relative))
            .map(|(_, region)| region.as_str())
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            overrides: HashMap::new(),
            select: None,
            ignore: HashSet::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            policy_max_chars: DEFAULT_POLICY_MAX_CHARS,
            template_regions: TemplateRegions::default(),
        }
    }
}

impl Settings {
    /// Returns the severity a rule reports at, or `None` when it is off.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        if self.ignore.contains(rule.id) {
            return None;
        }
        if let Some(select) = &self.select
            && !select.contains(rule.id)
            && !ALWAYS_SELECTED.contains(&rule.id)
        {
            return None;
        }
        match self.overrides.get(rule.id) {
            Some(severity) => *severity,
            None => Some(rule.default_severity),
        }
    }

    /// Sets a rule's severity, or turns it off with `None`.
    pub fn set_severity(&mut self, rule: &'static Rule, severity: Option<Severity>) {
        self.overrides.insert(rule.id, severity);
    }

    pub fn select(&mut self, rule: &'static Rule) {
        self.select.get_or_insert_with(HashSet::new).insert(rule.id);
    }

    pub fn ignore(&mut self, rule: &'static Rule) {
        self.ignore.insert(rule.id);
    }
}

/// Looks up a rule id given by a user, with a suggestion when it is misspelled.
pub fn lookup_rule(id: &str) -> Result<&'static Rule, String> {
    rules::find(id).ok_or_else(|| {
        let ids = rules::all().iter().map(|rule| rule.id);
        match crate::checks::closest(id, ids) {
            Some(near) => format!("unknown rule `{id}`; did you mean `{near}`?"),
            None => format!("unknown rule `{id}`; `ramlint rules` lists them"),
        }
    })
}
