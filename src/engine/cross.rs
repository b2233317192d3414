//! The cross-document phase: bucket regions, judged once every inventory of the run is
//! known.

use std::collections::BTreeMap;

use super::FileInfo;
use crate::catalog::regions;
use crate::checks::inventory::{BUCKET_REGION_UNKNOWN, INVENTORY_CONFLICT, REGION_MISMATCH};
use crate::checks::request::BucketUse;
use crate::diagnostic::{Diagnostic, FileId, quote};
use crate::document::inventory::Entry;
use crate::fingerprint;
use crate::source::{Excerpt, Span};

/// The source of an inventory entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// `--bucket-region`, which has no file to point at.
    Flag,
    /// `[buckets]` in `ramlint.toml`.
    Config(FileId),
    /// An inventory file.
    File(FileId),
}

#[derive(Clone, Debug)]
struct SourcedEntry {
    origin: Origin,
    bucket: String,
    region: String,
    /// `None` when the region is not a region; `invalid-region` has reported it.
    region_id: Option<&'static str>,
    region_span: Span,
}

impl SourcedEntry {
    fn file(&self) -> Option<FileId> {
        match self.origin {
            Origin::Flag => None,
            Origin::Config(file) | Origin::File(file) => Some(file),
        }
    }

    /// Names the entry's source for messages.
    fn describe(&self) -> String {
        match self.origin {
            Origin::Flag => format!("--bucket-region {}={}", self.bucket, self.region),
            Origin::Config(_) => "[buckets] in ramlint.toml".to_string(),
            Origin::File(_) => "an inventory file".to_string(),
        }
    }
}

/// Every inventory entry and every bucket use of a run.
#[derive(Debug, Default)]
pub(super) struct Inventories {
    entries: Vec<SourcedEntry>,
    uses: Vec<(FileId, BucketUse)>,
}

impl Inventories {
    pub fn add_file(&mut self, file: FileId, entries: Vec<Entry>, uses: Vec<BucketUse>) {
        self.add_entries(Origin::File(file), entries);
        self.uses.extend(uses.into_iter().map(|use_| (file, use_)));
    }

    pub fn add_config(&mut self, file: FileId, entries: Vec<Entry>) {
        self.add_entries(Origin::Config(file), entries);
    }

    pub fn add_flags(&mut self, flags: &[(String, String)]) {
        for (bucket, region) in flags {
            self.entries.push(SourcedEntry {
                origin: Origin::Flag,
                bucket: bucket.clone(),
                region: region.clone(),
                region_id: regions::resolve(region).map(|r| r.id),
                region_span: Span::default(),
            });
        }
    }

    fn add_entries(&mut self, origin: Origin, entries: Vec<Entry>) {
        for entry in entries {
            self.entries.push(SourcedEntry {
                origin,
                region_id: regions::resolve(&entry.region).map(|r| r.id),
                bucket: entry.bucket,
                region: entry.region,
                region_span: entry.region_span,
            });
        }
    }

    /// Reports conflicting entries, then judges each bucket use against the inventory.
    pub fn judge(mut self, files: &[FileInfo]) -> Vec<Diagnostic> {
        self.entries.sort_by_key(|e| (e.origin, e.region_span));
        let mut by_bucket: BTreeMap<&str, Vec<&SourcedEntry>> = BTreeMap::new();
        for entry in self.entries.iter().filter(|e| e.region_id.is_some()) {
            by_bucket
                .entry(entry.bucket.as_str())
                .or_default()
                .push(entry);
        }

        let mut diagnostics = Vec::new();
        let mut conflicting: Vec<&str> = Vec::new();
        for (bucket, entries) in &by_bucket {
            let first = entries[0];
            for later in &entries[1..] {
                if later.region_id == first.region_id {
                    continue;
                }
                conflicting.push(bucket);
                if let Some(diagnostic) = conflict(first, later, files) {
                    diagnostics.push(diagnostic);
                }
            }
        }

        for (file, use_) in &self.uses {
            let entries = by_bucket.get(use_.bucket.as_str());
            let Some(entries) = entries else {
                diagnostics.push(unknown_bucket(*file, use_, files));
                continue;
            };
            if conflicting.contains(&use_.bucket.as_str()) {
                continue;
            }
            let Some(requested) = use_.region_id else {
                continue;
            };
            let listed = entries[0];
            if listed.region_id != Some(requested) {
                diagnostics.push(mismatch(*file, use_, entries, files));
            }
        }
        diagnostics
    }
}

fn with_fingerprint(mut diagnostic: Diagnostic, files: &[FileInfo]) -> Diagnostic {
    let display = &files[diagnostic.file.0 as usize].display;
    diagnostic.fingerprint =
        fingerprint::fingerprint(diagnostic.rule.id, display, &diagnostic.subject);
    diagnostic
}

fn conflict(first: &SourcedEntry, later: &SourcedEntry, files: &[FileInfo]) -> Option<Diagnostic> {
    let (primary, other) = if later.file().is_some() {
        (later, first)
    } else {
        (first, later)
    };
    let file = primary.file()?;
    let primary_id = primary.region_id.unwrap_or_default();
    let other_id = other.region_id.unwrap_or_default();
    let mut diagnostic = Diagnostic::new(
        &INVENTORY_CONFLICT,
        file,
        primary.region_span,
        format!(
            "bucket {} is in {primary_id} here, but {} puts it in {other_id}",
            quote(&primary.bucket),
            other.describe()
        ),
    )
    .label(format!("{primary_id} here"))
    .help("a bucket is in one region; correct or remove the stale entry")
    .subject(format!(
        "conflict {} {primary_id} {other_id}",
        primary.bucket
    ));
    if let Some(other_file) = other.file() {
        diagnostic =
            diagnostic.secondary(other_file, other.region_span, format!("{other_id} here"));
    }
    Some(with_fingerprint(diagnostic, files))
}

fn unknown_bucket(file: FileId, use_: &BucketUse, files: &[FileInfo]) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &BUCKET_REGION_UNKNOWN,
        file,
        use_.bucket_span,
        format!(
            "no inventory lists bucket {}, so {} was not compared with its region",
            quote(&use_.bucket),
            use_.region_parameter
        ),
    )
    .help(format!(
        "give the bucket's region with `--bucket-region {}=REGION`, `[buckets]` in ramlint.toml, or an inventory file (`--inventory`)",
        use_.bucket
    ))
    .subject(format!("{}/unknown-bucket:{}", use_.operation, use_.bucket));
    with_fingerprint(diagnostic, files)
}

fn mismatch(
    file: FileId,
    use_: &BucketUse,
    entries: &[&SourcedEntry],
    files: &[FileInfo],
) -> Diagnostic {
    let listed = entries
        .iter()
        .find(|e| e.file().is_some())
        .copied()
        .unwrap_or(entries[0]);
    let bucket_region = listed.region_id.unwrap_or_default();
    let source = match listed.origin {
        Origin::Flag => format!(" (from {})", listed.describe()),
        _ => String::new(),
    };
    let mut diagnostic = Diagnostic::new(
        &REGION_MISMATCH,
        file,
        use_.region_span,
        format!(
            "{} is {}, but bucket {} is in {bucket_region}{source}",
            use_.region_parameter,
            quote(&use_.region_text),
            quote(&use_.bucket)
        ),
    )
    .label(format!("the bucket is in {bucket_region}"))
    .help(format!(
        "set {} to `{bucket_region}`, or export to a bucket in {}",
        use_.region_parameter,
        use_.region_id.unwrap_or_default()
    ))
    .subject(format!(
        "{}/mismatch:{}:{}",
        use_.operation, use_.bucket, use_.region_text
    ));
    if let Some(entry_file) = listed.file() {
        diagnostic = diagnostic.secondary(
            entry_file,
            listed.region_span,
            format!(
                "bucket {} is listed in {bucket_region} here",
                quote(&use_.bucket)
            ),
        );
    }
    with_fingerprint(diagnostic, files)
}

/// Keeps the lines of the configuration file that diagnostics point at.
pub(super) fn config_excerpt(text: &str, id: FileId, diagnostics: &[Diagnostic]) -> Excerpt {
    let spans: Vec<Span> = diagnostics
        .iter()
        .flat_map(|d| {
            let primary = (d.file == id).then_some(d.span).flatten();
            primary
                .into_iter()
                .chain(d.labels.iter().filter(|l| l.file == id).map(|l| l.span))
        })
        .collect();
    if spans.is_empty() {
        return Excerpt::default();
    }
    Excerpt::build(text, spans)
}
