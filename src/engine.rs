//! The pipeline of a `check` run: discover, then load, parse, classify and check every file
//! in parallel, then sort what was found.
//!
//! Each file is handled by one worker from start to end. When the worker is done, the file's
//! text is dropped and only the lines its diagnostics point at are kept (an [`Excerpt`]), so
//! memory follows the number of findings rather than the size of the scan.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::checks::{self, Ctx, file as file_checks};
use crate::diagnostic::{Diagnostic, FileId};
use crate::discover::{self, DiscoverOptions, Origin, Target};
use crate::document::policy::Policy;
use crate::document::{self, PolicyKind};
use crate::fingerprint;
use crate::grants::{self, GrantOptions, PolicySetSpec};
use crate::settings::Settings;
use crate::source::{self, DecodeError, Excerpt, LineIndex, Span};
use crate::syntax::json;

/// The outcome of one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// The file contains at least one document, and it was checked.
    Checked,
    /// The file was read but contains nothing ramlint checks.
    NotRecognised,
    /// The file could not be read, decoded or parsed; a diagnostic says why.
    Failed,
}

/// A file of the run, as the report needs it.
#[derive(Clone, Debug)]
pub struct FileInfo {
    pub display: String,
    pub excerpt: Excerpt,
    pub status: FileStatus,
    /// How many documents (policies, requests) the file holds.
    pub documents: usize,
}

/// The outcome of a `check` run before suppressions and formatting.
#[derive(Debug, Default)]
pub struct RunResult {
    pub files: Vec<FileInfo>,
    pub diagnostics: Vec<Diagnostic>,
    /// True when some path could not be used at all, which makes the exit code 2.
    pub io_failure: bool,
    /// The policies of the files that belong to a policy set, by file. A member file that
    /// could not be read, or contains no policy, has no entry.
    pub policies: HashMap<FileId, Policy<'static>>,
    /// The files of each policy set, in the order of [`GrantOptions::sets`].
    pub set_files: Vec<Vec<FileId>>,
}

pub struct RunOptions<'a> {
    pub paths: Vec<PathBuf>,
    pub discover: DiscoverOptions,
    pub settings: &'a Settings,
    pub grants: &'a GrantOptions,
    pub jobs: usize,
    pub stdin: Option<&'a mut dyn Read>,
}

/// The work on one file beyond the per-document checks.
struct FileJob<'a> {
    /// The file belongs to a policy set: keep its policy, and the lines of its statements
    /// so that diagnostics of the set can label them.
    keep_policy: bool,
    /// Actions the file's policy must grant on its own.
    require_each: &'a [String],
}

/// Runs the checks over the given paths.
pub fn run(mut options: RunOptions<'_>) -> RunResult {
    let discovery = discover::discover(&options.paths, &options.discover);
    let settings = options.settings;

    let mut result = RunResult::default();
    for error in &discovery.errors {
        let id = FileId(result.files.len() as u32);
        result.files.push(FileInfo {
            display: error.display.clone(),
            excerpt: Excerpt::default(),
            status: FileStatus::Failed,
            documents: 0,
        });
        let mut diagnostic = file_checks::io_diagnostic(id, "the path", &error.error);
        if error.error.kind() == std::io::ErrorKind::NotFound && error.error.get_ref().is_none() {
            diagnostic.message = "the path does not exist".to_string();
            diagnostic = diagnostic.help("check the spelling of the path");
        }
        diagnostic.fingerprint =
            fingerprint::fingerprint(diagnostic.rule.id, &error.display, &diagnostic.subject);
        push_configured(&mut result.diagnostics, diagnostic, settings);
        result.io_failure = true;
    }

    // Standard input is read up front, on this thread, since it cannot be shared.
    let mut stdin_bytes = None;
    if discovery.targets.iter().any(|t| t.origin == Origin::Stdin)
        && let Some(reader) = options.stdin.take()
    {
        stdin_bytes = Some(read_capped(reader, settings.max_file_size));
    }

    let mut targets = discovery.targets;
    // Files read only because a policy set names them are not part of the scan, so
    // `--require` does not check them on their own.
    let scanned = targets.len();
    let set_targets = attach_set_files(&mut targets, &options.grants.sets);
    let mut keep_policy = vec![false; targets.len()];
    for &index in set_targets.iter().flatten() {
        keep_policy[index] = true;
    }
    let require_each = options.grants.require_each.as_slice();

    let base = result.files.len() as u32;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build();
    let process_all = || {
        targets
            .par_iter()
            .enumerate()
            .map(|(i, target)| {
                let job = FileJob {
                    keep_policy: keep_policy[i],
                    require_each: if i < scanned { require_each } else { &[] },
                };
                process_file(
                    FileId(base + i as u32),
                    target,
                    settings,
                    stdin_bytes.as_ref(),
                    &job,
                )
            })
            .collect::<Vec<_>>()
    };
    let outcomes = match &pool {
        Ok(pool) => pool.install(process_all),
        Err(_) => process_all(),
    };

    for (i, outcome) in outcomes.into_iter().enumerate() {
        if outcome.io_failure {
            result.io_failure = true;
        }
        if let Some(policy) = outcome.policy {
            result.policies.insert(FileId(base + i as u32), policy);
        }
        result.files.push(outcome.info);
        result.diagnostics.extend(outcome.diagnostics);
    }
    result.set_files = set_targets
        .iter()
        .map(|members| {
            members
                .iter()
                .map(|&index| FileId(base + index as u32))
                .collect()
        })
        .collect();
    for diagnostic in grants::check_sets(&result, &options.grants.sets) {
        push_configured(&mut result.diagnostics, diagnostic, settings);
    }
    sort_diagnostics(&mut result.diagnostics, &result.files);
    result
}

/// Makes sure every file of every policy set is read, adding those the scan did not find,
/// and returns the target indexes of each set's files. A file is recognised as already
/// found when both paths resolve to the same file.
fn attach_set_files(targets: &mut Vec<Target>, sets: &[PolicySetSpec]) -> Vec<Vec<usize>> {
    if sets.is_empty() {
        return Vec::new();
    }
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    for (index, target) in targets.iter().enumerate() {
        if target.origin != Origin::Stdin {
            let key = std::fs::canonicalize(&target.path).unwrap_or_else(|_| target.path.clone());
            by_path.entry(key).or_insert(index);
        }
    }
    sets.iter()
        .map(|set| {
            let mut members: Vec<usize> = Vec::new();
            for file in &set.files {
                let key = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
                let index = *by_path.entry(key).or_insert_with(|| {
                    targets.push(Target {
                        path: file.clone(),
                        display: discover::display_path(file),
                        origin: Origin::Explicit,
                    });
                    targets.len() - 1
                });
                if !members.contains(&index) {
                    members.push(index);
                }
            }
            members
        })
        .collect()
}

/// Sorts diagnostics by path, then position, then rule id.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic], files: &[FileInfo]) {
    diagnostics.sort_by(|a, b| {
        files[a.file.0 as usize]
            .display
            .cmp(&files[b.file.0 as usize].display)
            .then(a.start().cmp(&b.start()))
            .then(a.span.map(|s| s.end).cmp(&b.span.map(|s| s.end)))
            .then(a.rule.id.cmp(b.rule.id))
            .then(a.message.cmp(&b.message))
    });
}

struct FileOutcome {
    info: FileInfo,
    diagnostics: Vec<Diagnostic>,
    io_failure: bool,
    /// The file's policy, kept when the file belongs to a policy set.
    policy: Option<Policy<'static>>,
}

enum Loaded {
    Bytes(Vec<u8>),
    TooLarge(u64),
    Failed(std::io::Error),
}

fn read_capped(reader: &mut dyn Read, cap: u64) -> Loaded {
    let mut bytes = Vec::new();
    match reader.take(cap + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > cap => Loaded::TooLarge(bytes.len() as u64),
        Ok(_) => Loaded::Bytes(bytes),
        Err(error) => Loaded::Failed(error),
    }
}

fn load(target: &Target, cap: u64) -> Loaded {
    let metadata = match std::fs::metadata(&target.path) {
        Ok(metadata) => metadata,
        Err(error) => return Loaded::Failed(error),
    };
    if !metadata.is_file() {
        // A FIFO or device would block or never end; only regular files are read.
        return Loaded::Failed(std::io::Error::other("not a regular file"));
    }
    if metadata.len() > cap {
        return Loaded::TooLarge(metadata.len());
    }
    match std::fs::File::open(&target.path) {
        Ok(mut file) => read_capped(&mut file, cap),
        Err(error) => Loaded::Failed(error),
    }
}

fn process_file(
    id: FileId,
    target: &Target,
    settings: &Settings,
    stdin: Option<&Loaded>,
    job: &FileJob<'_>,
) -> FileOutcome {
    let mut outcome = FileOutcome {
        info: FileInfo {
            display: target.display.clone(),
            excerpt: Excerpt::default(),
            status: FileStatus::Failed,
            documents: 0,
        },
        diagnostics: Vec::new(),
        io_failure: false,
        policy: None,
    };
    let loaded = match (target.origin, stdin) {
        (Origin::Stdin, Some(Loaded::Bytes(bytes))) => Loaded::Bytes(bytes.clone()),
        (Origin::Stdin, Some(Loaded::TooLarge(size))) => Loaded::TooLarge(*size),
        (Origin::Stdin, Some(Loaded::Failed(error))) => {
            Loaded::Failed(std::io::Error::new(error.kind(), error.to_string()))
        }
        (Origin::Stdin, None) => {
            Loaded::Failed(std::io::Error::other("standard input is not available"))
        }
        _ => load(target, settings.max_file_size),
    };
    let bytes = match loaded {
        Loaded::Bytes(bytes) => bytes,
        Loaded::TooLarge(size) => {
            let diagnostic = file_checks::too_large_diagnostic(id, size, settings.max_file_size);
            push_configured(&mut outcome.diagnostics, diagnostic, settings);
            fingerprint::assign_fingerprints(&mut outcome.diagnostics, &target.display);
            return outcome;
        }
        Loaded::Failed(error) => {
            let diagnostic = file_checks::io_diagnostic(id, "the file", &error);
            push_configured(&mut outcome.diagnostics, diagnostic, settings);
            fingerprint::assign_fingerprints(&mut outcome.diagnostics, &target.display);
            outcome.io_failure = true;
            return outcome;
        }
    };

    let text = match source::decode(bytes) {
        Ok(text) => text,
        Err((bytes, error)) => {
            if target.origin == Origin::Walked && !foreign_text_looks_relevant(&bytes, &error) {
                outcome.info.status = FileStatus::NotRecognised;
                return outcome;
            }
            let diagnostic = file_checks::encoding_diagnostic(id, &error, bytes.len());
            if let DecodeError::InvalidUtf8 { offset, .. } = error {
                outcome.info.excerpt = Excerpt::build_lossy(&bytes, offset);
            }
            push_configured(&mut outcome.diagnostics, diagnostic, settings);
            fingerprint::assign_fingerprints(&mut outcome.diagnostics, &target.display);
            return outcome;
        }
    };

    let mut ctx = Ctx::new(id, &text, settings);
    let mut retained: Vec<Span> = Vec::new();
    match json::parse(&text) {
        Err(error) => {
            if target.origin == Origin::Walked && !document::looks_like_policy_text(&text) {
                outcome.info.status = FileStatus::NotRecognised;
            } else {
                let diagnostic = checks::json::parse_error_diagnostic(&ctx, &error);
                ctx.report(diagnostic);
            }
        }
        Ok(root) => {
            if document::is_policy(&root) {
                outcome.info.status = FileStatus::Checked;
                outcome.info.documents = 1;
                checks::json::check_duplicate_keys(&mut ctx, &root, "");
                let policy =
                    checks::grammar::check_policy(&mut ctx, &root, PolicyKind::Unspecified, "");
                checks::permissions::check(&mut ctx, &policy);
                checks::resources::check(&mut ctx, &policy);
                // Trust and resource-based policies grant nothing to a caller of their own.
                if policy.kind == PolicyKind::Identity {
                    for action in job.require_each {
                        if let Some(diagnostic) =
                            checks::grants::check_document(id, &policy, action)
                        {
                            ctx.report(diagnostic);
                        }
                    }
                }
                if job.keep_policy {
                    retained.extend(policy.label_spans());
                    outcome.policy = Some(policy.into_owned());
                }
            } else {
                outcome.info.status = FileStatus::NotRecognised;
            }
            fingerprint::assign_subjects(&mut ctx.diagnostics, &root);
        }
    }

    outcome.diagnostics = ctx.diagnostics;
    fingerprint::assign_fingerprints(&mut outcome.diagnostics, &target.display);
    retained.extend(outcome.diagnostics.iter().flat_map(|d| {
        d.span
            .into_iter()
            .chain(d.labels.iter().filter(|l| l.file == id).map(|l| l.span))
    }));
    if !retained.is_empty() {
        let index = LineIndex::new(&text);
        outcome.info.excerpt = Excerpt::build(&text, &index, retained);
    }
    outcome
}

/// Tells whether a file in a foreign encoding, or with bytes that are not UTF-8, seems to
/// hold a policy or request, so that a folder scan reports it rather than skipping it.
fn foreign_text_looks_relevant(bytes: &[u8], error: &DecodeError) -> bool {
    match error {
        DecodeError::Foreign { encoding, .. } => {
            document::looks_like_policy_text(&source::decode_foreign_lossy(bytes, *encoding))
        }
        DecodeError::InvalidUtf8 { .. } => {
            document::looks_like_policy_text(&String::from_utf8_lossy(bytes))
        }
    }
}

fn push_configured(out: &mut Vec<Diagnostic>, mut diagnostic: Diagnostic, settings: &Settings) {
    if let Some(severity) = settings.severity(diagnostic.rule) {
        diagnostic.severity = severity;
        out.push(diagnostic);
    }
}
