//! Policy sets of a run and the actions they must grant: `--policy`, `--require` and the
//! `[[grants]]` entries of `ramlint.toml`.
//!
//! A policy set is a list of policy files evaluated together, as the policies attached to
//! one identity are. The engine loads every file of every set, keeps its typed policy, and
//! checks the set's required actions once all files are read ([`check_sets`]). Stored
//! requests that a set covers need their action granted by it ([`check_requests`]).

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::checks::grants::{self, ACTION_NOT_GRANTED, PolicySet, RequestAction};
use crate::diagnostic::{Diagnostic, FileId, quote};
use crate::engine::RunResult;
use crate::eval::Document;
use crate::fingerprint;

/// The grant checks of a run.
#[derive(Clone, Debug, Default)]
pub struct GrantOptions {
    /// Actions that each policy document of the scan must grant on its own: `--require`
    /// without `--policy`.
    pub require_each: Vec<String>,
    pub sets: Vec<PolicySetSpec>,
}

impl GrantOptions {
    /// Tells whether any file must be kept as a member of a policy set.
    pub fn has_sets(&self) -> bool {
        !self.sets.is_empty()
    }
}

/// A policy set as configured, before its files are read.
#[derive(Clone, Debug)]
pub struct PolicySetSpec {
    /// Describes the set in messages, such as "the policies given with --policy".
    pub name: String,
    pub files: Vec<PathBuf>,
    /// Actions the set must grant.
    pub require: Vec<String>,
    /// The stored requests the set applies to.
    pub requests: RequestScope,
}

/// The stored requests a policy set applies to.
#[derive(Clone, Debug)]
pub enum RequestScope {
    /// Every request of the scan, as with `--policy`.
    All,
    /// Requests whose path, relative to `base`, matches one of the globs.
    Matching { globs: GlobSet, base: PathBuf },
}

impl RequestScope {
    /// Tells whether a request file at `path` is covered.
    pub fn covers(&self, path: &Path) -> bool {
        match self {
            RequestScope::All => true,
            RequestScope::Matching { globs, base } => {
                let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
                let base = std::path::absolute(base).unwrap_or_else(|_| base.clone());
                path.strip_prefix(&base)
                    .is_ok_and(|relative| globs.is_match(relative))
            }
        }
    }
}

/// Checks an action given to `--require` or `require`: a well-formed action without
/// wildcards.
pub fn check_required_action(text: &str) -> Result<(), String> {
    if let Some((problem, fix)) = crate::checks::elements::action_problem(text) {
        let fix = fix
            .map(|fixed| format!("; write `{}`", crate::diagnostic::shorten(&fixed)))
            .unwrap_or_default();
        // The action is quoted, escaped and shortened, so that a pasted blob stays readable.
        return Err(format!(
            "invalid action {}: it {problem}{fix}",
            crate::diagnostic::quote(text)
        ));
    }
    if !crate::eval::pattern::is_literal(text) {
        return Err(format!(
            "{} is a pattern; name one action, such as `ens:ExportImage`",
            crate::diagnostic::quote(text)
        ));
    }
    Ok(())
}

/// Compiles globs written relative to a folder: `*` stays within one path segment and `**`
/// crosses segments.
pub fn compile_globs(patterns: &[&str]) -> Result<GlobSet, (usize, String)> {
    let mut builder = GlobSetBuilder::new();
    for (index, pattern) in patterns.iter().enumerate() {
        let trimmed = pattern.trim_start_matches("./");
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|error| (index, format!("invalid glob `{pattern}`: {error}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|error| (0, format!("invalid globs: {error}")))
}

/// Tells whether a path pattern uses glob syntax, as opposed to naming one file.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// Lists the files under `base` that match `pattern`, sorted. The walk honours
/// `.gitignore` and `.ignore` files and does not follow symbolic links, as folder scans do.
pub fn expand_glob(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let globs = compile_globs(&[pattern]).map_err(|(_, message)| message)?;
    let walker = ignore::WalkBuilder::new(base)
        .hidden(false)
        .parents(false)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .build();
    let mut found = Vec::new();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if let Ok(relative) = entry.path().strip_prefix(base)
            && globs.is_match(relative)
        {
            found.push(entry.path().to_path_buf());
        }
    }
    found.sort();
    Ok(found)
}

/// Checks every policy set of a run against its required actions, once every file is read.
/// A set with a member that contains no readable policy cannot be evaluated, and is reported
/// on that member instead of being passed.
pub fn check_sets(result: &RunResult, specs: &[PolicySetSpec]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        if spec.require.is_empty() {
            continue;
        }
        let members = &result.set_files[index];
        let unreadable: Vec<FileId> = members
            .iter()
            .copied()
            .filter(|file| !result.policies.contains_key(file))
            .collect();
        for action in &spec.require {
            if !unreadable.is_empty() {
                for file in &unreadable {
                    let display = &result.files[file.0 as usize].display;
                    let mut diagnostic = Diagnostic::whole_file(
                        &ACTION_NOT_GRANTED,
                        *file,
                        format!(
                            "cannot tell whether {} grant {}: this file contains no policy that could be read",
                            spec.name,
                            quote(action)
                        ),
                    )
                    .help("fix the problems reported for this file, or remove it from the set");
                    diagnostic.subject = format!("unreadable {}", action.to_ascii_lowercase());
                    diagnostic.fingerprint =
                        fingerprint::fingerprint(diagnostic.rule.id, display, &diagnostic.subject);
                    diagnostics.push(diagnostic);
                }
                continue;
            }
            let set = policy_set(result, spec, members);
            if let Some(mut diagnostic) = grants::check_set(&set, action) {
                let display = &result.files[diagnostic.file.0 as usize].display;
                diagnostic.fingerprint =
                    fingerprint::fingerprint(diagnostic.rule.id, display, &diagnostic.subject);
                diagnostics.push(diagnostic);
            }
        }
    }
    diagnostics
}

/// A stored request found by the scan, as the grant check needs it.
#[derive(Clone, Copy, Debug)]
pub struct StoredRequest<'a> {
    /// The request file's path, matched against the `requests` globs of `[[grants]]`.
    pub path: &'a Path,
    pub action: RequestAction<'a>,
}

/// Checks that every stored request's action is granted by each policy set that covers it.
/// When a member of the set contains no readable policy, the request gets a diagnostic saying
/// the answer is unknown, never a pass.
pub fn check_requests(
    result: &RunResult,
    specs: &[PolicySetSpec],
    requests: &[StoredRequest<'_>],
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let members = &result.set_files[index];
        let readable = members
            .iter()
            .all(|file| result.policies.contains_key(file));
        let set = policy_set(result, spec, members);
        for request in requests {
            if !spec.requests.covers(request.path) {
                continue;
            }
            if !readable {
                let mut diagnostic = Diagnostic::new(
                    &ACTION_NOT_GRANTED,
                    request.action.file,
                    request.action.span,
                    format!(
                        "cannot tell whether {} grant {}: some of them contain no policy that could be read",
                        spec.name,
                        quote(request.action.action)
                    ),
                )
                .label("this request's action")
                .help("fix the problems reported for the policy files");
                diagnostic.subject = format!("unreadable request {}", spec.name);
                diagnostics.push(diagnostic);
                continue;
            }
            if let Some(diagnostic) = grants::check_request(&request.action, &set) {
                diagnostics.push(diagnostic);
            }
        }
    }
    for diagnostic in &mut diagnostics {
        let display = &result.files[diagnostic.file.0 as usize].display;
        diagnostic.fingerprint =
            fingerprint::fingerprint(diagnostic.rule.id, display, &diagnostic.subject);
    }
    diagnostics
}

fn policy_set<'r>(
    result: &'r RunResult,
    spec: &PolicySetSpec,
    members: &[FileId],
) -> PolicySet<'r> {
    PolicySet {
        name: spec.name.clone(),
        documents: members
            .iter()
            .filter_map(|file| {
                result.policies.get(file).map(|policy| Document {
                    file: *file,
                    policy,
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_scope_matches_relative_paths() {
        let base = PathBuf::from("/repo");
        let scope = RequestScope::Matching {
            globs: compile_globs(&["requests/**", "./single.json"]).unwrap(),
            base: base.clone(),
        };
        assert!(scope.covers(Path::new("/repo/requests/a/export.json")));
        assert!(scope.covers(Path::new("/repo/single.json")));
        assert!(!scope.covers(Path::new("/repo/other/export.json")));
        assert!(!scope.covers(Path::new("/elsewhere/requests/a.json")));
        assert!(RequestScope::All.covers(Path::new("anything")));
    }

    #[test]
    fn required_actions_are_single_actions() {
        assert!(check_required_action("ens:ExportImage").is_ok());
        assert!(
            check_required_action("ens:Export*")
                .unwrap_err()
                .contains("pattern")
        );
        assert!(check_required_action("*").is_err());
        let error = check_required_action("ens: ExportImage").unwrap_err();
        assert!(error.contains("write `ens:ExportImage`"), "{error}");
    }

    #[test]
    fn globs_are_recognised() {
        assert!(is_glob("policies/*.json"));
        assert!(is_glob("policies/**"));
        assert!(!is_glob("policies/exporter.json"));
    }
}
