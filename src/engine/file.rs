//! The work of one file: load it, decode it, recognise what it holds, and check it.
//!
//! Which parser runs depends on the file's kind (see [`FileKind`]). Spans that the
//! cross-document phase may point at later (bucket names and regions of requests and of
//! inventory entries) are kept in the file's excerpt, because the text is dropped here.

use std::cell::Cell;
use std::io::Read;
use std::ops::Range;

use bumpalo::Bump;

use super::iac::{self, ModuleCache};
use super::{FileInfo, FileStatus, push_configured};
use crate::checks::request::{self as request_checks, BucketUse};
use crate::checks::{self, Ctx, file as file_checks};
use crate::diagnostic::FileId;
use crate::discover::{Origin, Target};
use crate::document::inventory::{self, Entry};
use crate::document::policy::Policy;
use crate::document::request::{Classification, Request, TextForms, requests_in_text};
use crate::document::{self, FileKind, PolicyKind};
use crate::fingerprint;
use crate::settings::Settings;
use crate::source::{self, DecodeError, Excerpt, Span};
use crate::syntax::{json, markdown};

/// The work on one file beyond the per-document checks.
pub(super) struct FileJob<'a> {
    /// The file belongs to a policy set: keep its policy, and the lines of its statements
    /// so that diagnostics of the set can label them.
    pub keep_policy: bool,
    /// Actions the file's policy must grant on its own.
    pub require_each: &'a [String],
    /// Some policy set may apply to the file's stored requests: keep each request's RAM
    /// action and the span a grant diagnostic would point at.
    pub keep_requests: bool,
    /// The Terraform modules of the run, shared by the workers.
    pub modules: &'a ModuleCache,
    /// Whether to compute fingerprints, as [`super::RunOptions::fingerprints`] describes.
    pub fingerprints: bool,
}

pub(super) struct FileOutcome {
    pub info: FileInfo,
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
    pub io_failure: bool,
    /// The file's policy, kept when the file belongs to a policy set.
    pub policy: Option<Policy<'static>>,
    /// The RAM action of each checked request, with the span to report a missing grant on.
    pub requests: Vec<(String, Span)>,
    /// Requests whose bucket region is judged once every inventory is known.
    pub buckets: Vec<BucketUse>,
    /// Bucket inventory entries the file holds.
    pub inventory: Vec<Entry>,
}

pub(crate) enum Loaded {
    Bytes(Vec<u8>),
    TooLarge(u64),
    Failed(std::io::Error),
}

/// Reads at most `cap + 1` bytes. `expected` is the file's size from its metadata, or 0 when
/// unknown (files in `/proc` report 0), and then the file is read to its end.
///
/// A known size is reserved and the read stops there: no probing reads, and no read that only
/// finds the end. A file that grows meanwhile is read as it was when its size was taken.
pub(crate) fn read_capped(reader: &mut dyn Read, cap: u64, expected: u64) -> Loaded {
    let (limit, reserved) = match expected {
        0 => (cap + 1, 0),
        size => (size.min(cap + 1), size.min(cap + 1) as usize),
    };
    let mut bytes = Vec::with_capacity(reserved);
    match reader.take(limit).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > cap => Loaded::TooLarge(bytes.len() as u64),
        Ok(_) => Loaded::Bytes(bytes),
        Err(error) => Loaded::Failed(error),
    }
}

fn load(target: &Target, cap: u64) -> Loaded {
    let mut file = match open_without_blocking(&target.path) {
        Ok(file) => file,
        Err(error) => return Loaded::Failed(error),
    };
    // The metadata of the open file, not of the path, so that the path is resolved once.
    let metadata = match file.metadata() {
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
    read_capped(&mut file, cap, metadata.len())
}

/// Opens a file for reading without waiting for a writer, which opening a FIFO would do.
/// The flag changes nothing for the regular files that are then read.
#[cfg(unix)]
fn open_without_blocking(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Opens a file for reading after checking that the path is a regular file.
#[cfg(not(unix))]
fn open_without_blocking(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::File::open(path)
}

/// Computes the fingerprints of a file's diagnostics when the run needs them, and frees
/// the subjects they are computed from either way.
fn finish_fingerprints(
    diagnostics: &mut [crate::diagnostic::Diagnostic],
    display: &str,
    job: &FileJob<'_>,
) {
    if job.fingerprints {
        fingerprint::assign_fingerprints(diagnostics, display);
    } else {
        for diagnostic in diagnostics {
            diagnostic.subject = String::new();
        }
    }
}

pub(super) fn process_file(
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
        requests: Vec::new(),
        buckets: Vec::new(),
        inventory: Vec::new(),
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
            finish_fingerprints(&mut outcome.diagnostics, &target.display, job);
            return outcome;
        }
        Loaded::Failed(error) => {
            let diagnostic = file_checks::io_diagnostic(id, "the file", &error);
            push_configured(&mut outcome.diagnostics, diagnostic, settings);
            finish_fingerprints(&mut outcome.diagnostics, &target.display, job);
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
            if let (DecodeError::InvalidUtf8 { .. }, Some(span)) = (&error, diagnostic.span) {
                outcome.info.excerpt = Excerpt::build_lossy(&bytes, span);
            }
            push_configured(&mut outcome.diagnostics, diagnostic, settings);
            finish_fingerprints(&mut outcome.diagnostics, &target.display, job);
            return outcome;
        }
    };

    let mut ctx = Ctx::new(id, &text, settings);
    let kind = document::file_kind(&target.path, target.origin, &text);
    let found = match kind {
        FileKind::Json => check_json(&mut ctx, target, job),
        FileKind::Terraform => iac::check_terraform(&mut ctx, target, job),
        FileKind::Yaml => iac::check_yaml(&mut ctx, target, job),
        FileKind::Xml => check_xml(&mut ctx, target),
        FileKind::Text | FileKind::Shell => {
            let whole = 0..text.len();
            check_text(
                &mut ctx,
                target,
                std::slice::from_ref(&whole),
                TextForms::ALL,
            )
        }
        FileKind::Markdown => {
            let ranges = markdown::code_block_ranges(&text);
            check_text(&mut ctx, target, &ranges, TextForms::ALL)
        }
    };
    outcome.info.status = found.status;
    outcome.info.documents = found.documents;
    outcome.buckets = found.buckets;
    outcome.inventory = found.inventory;
    outcome.policy = found.policy;
    if job.keep_requests {
        outcome.requests = found.requests;
    }

    outcome.diagnostics = ctx.diagnostics;
    // Kept until the run ends, so the spare capacity of a vector grown one push at a time
    // would add up over a large scan.
    outcome.diagnostics.shrink_to_fit();
    finish_fingerprints(&mut outcome.diagnostics, &target.display, job);
    let mut retained: Vec<Span> = Vec::new();
    retained.extend(outcome.diagnostics.iter().flat_map(|d| {
        d.span
            .into_iter()
            .chain(d.labels.iter().filter(|l| l.file == id).map(|l| l.span))
    }));
    retained.extend(
        outcome
            .buckets
            .iter()
            .flat_map(|use_| [use_.bucket_span, use_.region_span]),
    );
    retained.extend(
        outcome
            .inventory
            .iter()
            .flat_map(|entry| [entry.bucket_span, entry.region_span]),
    );
    retained.extend(found.policy_spans);
    retained.extend(outcome.requests.iter().map(|(_, span)| *span));
    if !retained.is_empty() {
        outcome.info.excerpt = Excerpt::build(&text, retained);
    }
    outcome
}

/// The documents and inventory entries found in a file.
pub(super) struct Found {
    pub status: FileStatus,
    pub documents: usize,
    pub buckets: Vec<BucketUse>,
    pub inventory: Vec<Entry>,
    /// The policy, when the job asks to keep it.
    pub policy: Option<Policy<'static>>,
    /// Spans of the kept policy's statements, for labels of policy-set diagnostics.
    pub policy_spans: Vec<Span>,
    /// The RAM action of each checked request, with the span a grant diagnostic points at.
    pub requests: Vec<(String, Span)>,
}

impl Found {
    pub fn nothing() -> Found {
        Found {
            status: FileStatus::NotRecognised,
            documents: 0,
            buckets: Vec::new(),
            inventory: Vec::new(),
            policy: None,
            policy_spans: Vec::new(),
            requests: Vec::new(),
        }
    }

    pub fn failed() -> Found {
        Found {
            status: FileStatus::Failed,
            ..Found::nothing()
        }
    }
}

/// The maximum memory a worker's JSON arena keeps between files. A larger one, left by a huge
/// file, is freed. NOTE: 1 MiB is an estimate of a large policy's tree, not a measured bound.
const ARENA_KEPT: usize = 1 << 20;

thread_local! {
    /// Each worker's arena for the syntax trees of JSON files, emptied after each file. It
    /// keeps its largest block, so most trees need no call to the allocator at all.
    static ARENA: Cell<Option<Bump>> = const { Cell::new(None) };
}

/// Checks a JSON file with its syntax tree in the worker's arena.
fn check_json(ctx: &mut Ctx<'_>, target: &Target, job: &FileJob<'_>) -> Found {
    let mut arena = ARENA.take().unwrap_or_default();
    let found = check_json_in(ctx, target, job, &arena);
    arena.reset();
    if arena.allocated_bytes() <= ARENA_KEPT {
        ARENA.set(Some(arena));
    }
    found
}

/// Tells whether a display path's file name has the extension `json` or `policy`, in any
/// case, as `Path::extension` finds it. Display paths use `/` on every system.
fn has_policy_extension(display: &str) -> bool {
    let name = display.rsplit('/').next().unwrap_or(display);
    match name.rfind('.') {
        Some(dot) if dot > 0 => {
            let extension = &name[dot + 1..];
            extension.eq_ignore_ascii_case("json") || extension.eq_ignore_ascii_case("policy")
        }
        _ => false,
    }
}

fn check_json_in(ctx: &mut Ctx<'_>, target: &Target, job: &FileJob<'_>, arena: &Bump) -> Found {
    let text = ctx.text;
    // A folder scan reads policies only from JSON files; JSON in a `.txt` or `.md` file found
    // there is checked only when it is a request, so that notes and docs stay quiet.
    let json_file = target.origin != Origin::Walked || has_policy_extension(&target.display);
    let (root, facts) = match json::parse_document(text, arena) {
        Ok(parsed) => (parsed.root, parsed.facts),
        Err(error) => {
            if target.origin == Origin::Walked
                && (!json_file || !document::looks_like_policy_text(text))
            {
                return Found::nothing();
            }
            let diagnostic = checks::json::parse_error_diagnostic(ctx, &error);
            ctx.report(diagnostic);
            return Found::failed();
        }
    };
    let mut found = Found::nothing();
    if target.inventory {
        report_not_inventory(ctx);
        return Found::failed();
    }
    if crate::document::ros::is_template(&root) {
        return iac::check_ros(ctx, target, &root, crate::document::ros::Format::Json, job);
    }
    if document::is_policy(&root) {
        if !json_file {
            return found;
        }
        found.status = FileStatus::Checked;
        found.documents = 1;
        let policy = check_document(ctx, &root, PolicyKind::Unspecified, "", None, facts, job);
        if job.fingerprints {
            fingerprint::assign_subjects(&mut ctx.diagnostics, &root);
        }
        if job.keep_policy {
            found.policy_spans = policy.label_spans();
            found.policy = Some(policy.into_owned());
        }
        return found;
    }
    if let Some(request) = Request::from_json(root) {
        check_requests(ctx, std::slice::from_ref(&request), &mut found);
    }
    found
}

/// Runs every per-document rule on one policy document: duplicate keys, the grammar, the
/// permission and resource rules, and the actions `--require` asks each document to grant.
/// `pointer` is the document's JSON pointer in its file and `sent` the text RAM receives
/// when it differs from the text at the document's span. `facts` is what the parser found
/// out about `root`.
pub(super) fn check_document<'a>(
    ctx: &mut Ctx<'_>,
    root: &crate::syntax::Node<'a>,
    kind: PolicyKind,
    pointer: &str,
    sent: Option<&str>,
    facts: json::Facts,
    job: &FileJob<'_>,
) -> Policy<'a> {
    if facts.duplicate_keys {
        checks::json::check_duplicate_keys(ctx, root, pointer);
    }
    let policy = checks::grammar::check_policy_sent(ctx, root, kind, pointer, sent, facts);
    checks::permissions::check(ctx, &policy);
    checks::resources::check(ctx, &policy);
    // Trust and resource-based policies grant nothing to a caller of their own.
    if policy.kind == PolicyKind::Identity {
        for action in job.require_each {
            if let Some(diagnostic) = checks::grants::check_document(ctx.file, &policy, action) {
                ctx.report(diagnostic);
            }
        }
    }
    policy
}

fn check_text(
    ctx: &mut Ctx<'_>,
    target: &Target,
    ranges: &[Range<usize>],
    forms: TextForms,
) -> Found {
    let text = ctx.text;
    if let Some(entries) = inventory::parse_ossutil_listing(text) {
        return check_inventory(ctx, entries);
    }
    if target.inventory {
        report_not_inventory(ctx);
        return Found::failed();
    }
    let requests = requests_in_text(text, ranges, forms);
    let mut found = Found::nothing();
    check_requests(ctx, &requests, &mut found);
    found
}

fn check_xml(ctx: &mut Ctx<'_>, target: &Target) -> Found {
    let text = ctx.text;
    if !inventory::is_list_buckets_xml(text) {
        if target.inventory {
            report_not_inventory(ctx);
            return Found::failed();
        }
        return Found::nothing();
    }
    match inventory::parse_list_buckets_xml(text) {
        Ok(entries) => check_inventory(ctx, entries),
        Err(error) => {
            let diagnostic = checks::inventory::invalid_inventory(ctx, error.span, error.message);
            ctx.report(diagnostic);
            Found::failed()
        }
    }
}

fn report_not_inventory(ctx: &mut Ctx<'_>) {
    let diagnostic = checks::inventory::not_an_inventory(ctx);
    ctx.report(diagnostic);
}

fn check_inventory(ctx: &mut Ctx<'_>, entries: Vec<Entry>) -> Found {
    checks::inventory::check_entries(ctx, &entries);
    Found {
        status: FileStatus::Checked,
        inventory: entries,
        ..Found::nothing()
    }
}

/// Classifies each request and checks those ramlint has rules for.
fn check_requests(ctx: &mut Ctx<'_>, requests: &[Request<'_>], found: &mut Found) {
    for request in requests {
        match request.classify() {
            Ok(Classification::Checked(operation)) => {
                found.documents += 1;
                if let Some(use_) = request_checks::check_request(ctx, request, operation) {
                    found.buckets.push(use_);
                }
                if let Some(action) =
                    crate::catalog::ram_action(operation.api.product, operation.name)
                {
                    found.requests.push((action, grant_anchor(request)));
                }
            }
            Ok(Classification::UnknownOperation(api)) => {
                found.documents += 1;
                request_checks::check_unknown_operation(ctx, request, api);
            }
            Ok(Classification::NotRecognised) => {}
            Err(message) => {
                let error = std::io::Error::other(format!(
                    "ramlint's rule data is inconsistent: {message}"
                ));
                let diagnostic =
                    file_checks::io_diagnostic(ctx.file, "the rule data for this request", &error);
                ctx.report(diagnostic);
                found.status = FileStatus::Failed;
                return;
            }
        }
    }
    if found.documents > 0 {
        found.status = FileStatus::Checked;
    }
}

/// Returns the span a missing grant of a request is reported on: its `Action` value (or
/// the operation word of a command line), or its first parameter when it has neither.
fn grant_anchor(request: &Request<'_>) -> Span {
    if let Some(action) = &request.action {
        return action.span;
    }
    request
        .params
        .as_object()
        .and_then(|members| members.first())
        .map_or(request.span, |member| member.key_span)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts the calls to `read`, each of which is a system call on a file.
    struct CountingReader<R> {
        inner: R,
        calls: usize,
    }

    impl<R: Read> Read for CountingReader<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            self.inner.read(buf)
        }
    }

    fn read_counting(text: &[u8], cap: u64, expected: u64) -> (Option<Vec<u8>>, usize) {
        let mut reader = CountingReader {
            inner: std::io::Cursor::new(text.to_vec()),
            calls: 0,
        };
        let bytes = match read_capped(&mut reader, cap, expected) {
            Loaded::Bytes(bytes) => Some(bytes),
            _ => None,
        };
        (bytes, reader.calls)
    }

    #[test]
    fn known_size_takes_one_read() {
        let text = b"{\"Version\": \"1\"}";
        let size = text.len() as u64;
        assert_eq!(read_counting(text, 1000, size), (Some(text.to_vec()), 1));
        // Unknown size: read to the end, which takes a read that returns nothing.
        assert_eq!(read_counting(text, 1000, 0), (Some(text.to_vec()), 2));
        // A file that grew after its size was taken is read up to that size.
        assert_eq!(read_counting(text, 1000, 5), (Some(text[..5].to_vec()), 1));
        // A file that shrank is read to its end.
        assert_eq!(read_counting(text, 1000, size + 10).0, Some(text.to_vec()));
    }

    #[test]
    fn cap_applies_with_any_size() {
        let text = [b'x'; 100];
        for expected in [0, 50, 100, 200] {
            let mut reader = std::io::Cursor::new(text.to_vec());
            let loaded = read_capped(&mut reader, 10, expected);
            assert!(matches!(loaded, Loaded::TooLarge(11)), "{expected}");
        }
    }

    /// The display-path test agrees with `Path::extension` on the names a walk yields.
    #[test]
    fn policy_extension_matches_path() {
        let names = [
            "policy.json",
            "policy.JSON",
            "a/b/policy.Policy",
            ".json",
            "dir/.json",
            "..json",
            "policy.json.bak",
            "policy",
            "dir.json/policy",
            "a.b/c.policy",
            "policy.",
            "é.json",
        ];
        for name in names {
            let expected = std::path::Path::new(name)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| {
                    e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("policy")
                });
            assert_eq!(has_policy_extension(name), expected, "{name}");
        }
    }
}
