//! The pipeline of a `check` run: discover, then load, parse, classify and check every file
//! in parallel, then sort what was found.
//!
//! Each file is handled by one worker from start to end. When the worker is done, the file's
//! text is dropped and only the lines its diagnostics point at are kept (an [`Excerpt`]), so
//! memory follows the number of findings rather than the size of the scan.

use std::io::Read;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::checks::{self, Ctx, file as file_checks};
use crate::diagnostic::{Diagnostic, FileId};
use crate::discover::{self, DiscoverOptions, Origin, Target};
use crate::document::{self, PolicyKind};
use crate::fingerprint;
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
}

pub struct RunOptions<'a> {
    pub paths: Vec<PathBuf>,
    pub discover: DiscoverOptions,
    pub settings: &'a Settings,
    pub jobs: usize,
    pub stdin: Option<&'a mut dyn Read>,
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

    let base = result.files.len() as u32;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build();
    let process_all = || {
        discovery
            .targets
            .par_iter()
            .enumerate()
            .map(|(i, target)| {
                process_file(
                    FileId(base + i as u32),
                    target,
                    settings,
                    stdin_bytes.as_ref(),
                )
            })
            .collect::<Vec<_>>()
    };
    let outcomes = match &pool {
        Ok(pool) => pool.install(process_all),
        Err(_) => process_all(),
    };

    for outcome in outcomes {
        if outcome.io_failure {
            result.io_failure = true;
        }
        result.files.push(outcome.info);
        result.diagnostics.extend(outcome.diagnostics);
    }
    sort_diagnostics(&mut result.diagnostics, &result.files);
    result
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
