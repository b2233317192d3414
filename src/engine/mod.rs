//! The pipeline of a `check` run: discover, then load, parse, classify and check every file
//! in parallel, then sort what was found.
//!
//! Each file is handled by one worker from start to end. When the worker is done, the file's
//! text is dropped and only the lines its diagnostics point at are kept (an [`Excerpt`]), so
//! memory follows the number of findings rather than the size of the scan.

mod cross;
mod file;
mod iac;

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::checks::file as file_checks;
use crate::diagnostic::{Diagnostic, FileId};
use crate::discover::{self, DiscoverOptions, Origin, Target};
use crate::document::inventory::Entry;
use crate::document::policy::Policy;
use crate::fingerprint;
use crate::grants::{self, GrantOptions, PolicySetSpec};
use crate::settings::Settings;
use crate::source::Excerpt;
use file::{FileJob, process_file, read_capped};

/// The outcome of one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// The file contains at least one document, and it was checked.
    Checked,
    /// The file was read but contains nothing ramlint checks.
    NotRecognised,
    /// The file could not be read, decoded or parsed; a diagnostic says why.
    Failed,
    /// `ramlint.toml`, listed only so that diagnostics can point into it (its `[buckets]`
    /// entries and `[[ignore]]` entries). It is not a scanned file and is not counted as one.
    Config,
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

/// Frees `value`, which contains `items` records, on a thread of its own when there are at
/// least 10,000, so that the caller goes on at once. A small value is freed here.
pub fn free_in_background<T: Send + 'static>(value: T, items: usize) {
    // Freeing the result of a 100,000-file scan took about 40 ms on the main thread alone,
    // while starting a thread costs more than freeing a few records.
    if items < 10_000 {
        return;
    }
    // When no thread can be started, the closure, and the value with it, is dropped here.
    let _ = std::thread::Builder::new()
        .name("free".to_string())
        .spawn(move || drop(value));
}

pub struct RunOptions<'a> {
    pub paths: Vec<PathBuf>,
    pub discover: DiscoverOptions,
    pub settings: &'a Settings,
    pub grants: &'a GrantOptions,
    pub jobs: usize,
    pub stdin: Option<&'a mut dyn Read>,
    pub inventory: InventoryInput,
    /// Whether to compute each diagnostic's fingerprint. Only baselines, suppressions by fingerprint and
    /// the JSON and SARIF reports use fingerprints, and they cost a walk of each document.
    pub fingerprints: bool,
}

/// The bucket inventories given outside the scanned files.
#[derive(Debug, Default)]
pub struct InventoryInput {
    /// `--bucket-region NAME=REGION` entries, as bucket name and region text.
    pub flags: Vec<(String, String)>,
    /// The `[buckets]` table of `ramlint.toml`.
    pub config: Option<ConfigInventory>,
    /// Files named with `--inventory`.
    pub files: Vec<PathBuf>,
}

/// The `[buckets]` entries of a configuration file, with the file for labels.
#[derive(Debug)]
pub struct ConfigInventory {
    pub display: String,
    pub text: String,
    pub entries: Vec<Entry>,
}

/// Files checked in parallel before their outcomes are merged into the run's result.
const MERGE_CHUNK: usize = 2048;

/// Runs the checks over the given paths.
pub fn run(mut options: RunOptions<'_>) -> RunResult {
    // `--jobs` threads walk the folders and then do the per-file work. With one job,
    // everything runs on this thread and no pool is built.
    let jobs = options.jobs.max(1);
    let pool = thread_pool(jobs);
    let mut discovery = discover::discover(&options.paths, &options.discover, jobs);
    add_inventory_files(&mut discovery, &options.inventory.files);
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
        stdin_bytes = Some(read_capped(reader, settings.max_file_size, 0));
    }

    let mut targets = std::mem::take(&mut discovery.targets);
    // Files read only because a policy set names them are not part of the scan, so
    // `--require` does not check them on their own.
    let scanned = targets.len();
    let set_targets = attach_set_files(&mut targets, &options.grants.sets);
    let mut keep_policy = vec![false; targets.len()];
    for &index in set_targets.iter().flatten() {
        keep_policy[index] = true;
    }
    let require_each = options.grants.require_each.as_slice();
    let keep_requests = options.grants.has_sets();

    let modules = iac::ModuleCache::default();
    let base = result.files.len() as u32;
    let process_one = |(i, target): (usize, &Target)| {
        let job = FileJob {
            keep_policy: keep_policy[i],
            require_each: if i < scanned { require_each } else { &[] },
            keep_requests,
            modules: &modules,
            fingerprints: options.fingerprints,
        };
        let mut outcome = process_file(
            FileId(base + i as u32),
            target,
            settings,
            stdin_bytes.as_ref(),
            &job,
        );
        // Sorting each file's diagnostics here, in parallel, leaves the final sort mostly
        // sorted runs to merge. Both sorts are stable on the same keys, so the order is the same.
        outcome.diagnostics.sort_by(compare_within_file);
        outcome
    };
    // Each chunk of files is merged into the result while the next is checked. Merging at
    // the end would hold every diagnostic twice, in the outcomes and the result, at the peak.
    result.files.reserve_exact(targets.len());
    let mut judged = cross::Inventories::default();
    let mut stored_requests = Vec::new();
    let process_chunk = |chunk: Range<usize>| -> Vec<file::FileOutcome> {
        let first = chunk.start;
        match &pool {
            Some(_) => targets[chunk]
                .par_iter()
                .enumerate()
                .map(|(offset, target)| process_one((first + offset, target)))
                .collect(),
            None => targets[chunk]
                .iter()
                .enumerate()
                .map(|(offset, target)| process_one((first + offset, target)))
                .collect(),
        }
    };
    let mut merge_chunk = |chunk: Range<usize>, outcomes: Vec<file::FileOutcome>| {
        let found: usize = outcomes.iter().map(|o| o.diagnostics.len()).sum();
        reserve_for_scan(&mut result.diagnostics, found, chunk.end, targets.len());
        for (i, outcome) in chunk.zip(outcomes) {
            if outcome.io_failure {
                result.io_failure = true;
            }
            let id = FileId(base + i as u32);
            judged.add_file(id, outcome.inventory, outcome.buckets);
            if let Some(policy) = outcome.policy {
                result.policies.insert(id, policy);
            }
            stored_requests.extend(
                outcome
                    .requests
                    .into_iter()
                    .map(|(action, span)| (targets[i].path.clone(), id, action, span)),
            );
            result.files.push(outcome.info);
            result.diagnostics.extend(outcome.diagnostics);
        }
    };
    let chunks = (0..targets.len())
        .step_by(MERGE_CHUNK)
        .map(|first| first..(first + MERGE_CHUNK).min(targets.len()));
    match &pool {
        // A chunk is merged on one thread of the pool while the others start on the next
        // chunk, and the merging thread joins them when it is done.
        Some(pool) => pool.install(|| {
            let mut checked: Option<(Range<usize>, Vec<file::FileOutcome>)> = None;
            for chunk in chunks.map(Some).chain([None]) {
                let (outcomes, ()) = rayon::join(
                    || chunk.clone().map(&process_chunk),
                    || {
                        if let Some((range, outcomes)) = checked.take() {
                            merge_chunk(range, outcomes);
                        }
                    },
                );
                checked = chunk.zip(outcomes);
            }
        }),
        None => {
            for chunk in chunks {
                let outcomes = process_chunk(chunk.clone());
                merge_chunk(chunk, outcomes);
            }
        }
    }
    // Freeing the targets, which are no longer needed, lowers the memory peak of a large scan.
    let count = targets.len();
    free_in_background((targets, discovery), count);
    result.set_files = set_targets
        .iter()
        .map(|members| {
            members
                .iter()
                .map(|&index| FileId(base + index as u32))
                .collect()
        })
        .collect();
    // Diagnostics about several files at once, merged with the others below.
    let mut across = Vec::new();
    for diagnostic in grants::check_sets(&result, &options.grants.sets) {
        push_configured(&mut across, diagnostic, settings);
    }
    let requests: Vec<grants::StoredRequest<'_>> = stored_requests
        .iter()
        .map(|(path, file, action, span)| grants::StoredRequest {
            path,
            action: crate::checks::grants::RequestAction {
                file: *file,
                action,
                span: *span,
            },
        })
        .collect();
    for diagnostic in grants::check_requests(&result, &options.grants.sets, &requests) {
        push_configured(&mut across, diagnostic, settings);
    }

    let config = options.inventory.config.take();
    let config_id = config.as_ref().map(|config| {
        let id = FileId(result.files.len() as u32);
        result.files.push(FileInfo {
            display: config.display.clone(),
            excerpt: Excerpt::default(),
            status: FileStatus::Config,
            documents: 0,
        });
        id
    });
    if let (Some(config), Some(id)) = (&config, config_id) {
        judged.add_config(id, config.entries.clone());
    }
    judged.add_flags(&options.inventory.flags);
    let found = judged.judge(&result.files);
    for diagnostic in found {
        push_configured(&mut across, diagnostic, settings);
    }
    result.diagnostics.reserve_exact(across.len());
    result.diagnostics.extend(across);
    if let (Some(config), Some(id)) = (&config, config_id) {
        result.files[id.0 as usize].excerpt =
            cross::config_excerpt(&config.text, id, &result.diagnostics);
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
                        inventory: false,
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

/// Adds the files named with `--inventory` to the targets, marking a target that is
/// already there.
fn add_inventory_files(discovery: &mut discover::Discovery, files: &[PathBuf]) {
    for path in files {
        let display = discover::display_path(path);
        if let Some(target) = discovery
            .targets
            .iter_mut()
            .find(|t| t.display == display && t.origin != Origin::Stdin)
        {
            target.inventory = true;
            continue;
        }
        match std::fs::metadata(path) {
            Ok(_) => discovery.targets.push(Target {
                path: path.clone(),
                display,
                origin: Origin::Explicit,
                inventory: true,
            }),
            Err(error) => discovery
                .errors
                .push(discover::DiscoveryError { display, error }),
        }
    }
    discovery.targets.sort_by(|a, b| a.display.cmp(&b.display));
}

/// Builds a pool of `jobs` threads, or returns `None` for one job (the work then runs on the
/// calling thread) or when the threads cannot be started.
pub fn thread_pool(jobs: usize) -> Option<rayon::ThreadPool> {
    if jobs <= 1 {
        return None;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .ok()
}

/// Orders two diagnostics of one file: by position, then rule and message.
fn compare_within_file(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    a.start()
        .cmp(&b.start())
        .then(a.span.map(|s| s.end).cmp(&b.span.map(|s| s.end)))
        .then(a.rule.id.cmp(b.rule.id))
        .then(a.message.cmp(&b.message))
}

/// Sorts diagnostics by path, then position, then rule id and message.
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>, files: &[FileInfo]) {
    // Each file's rank in path order, so that the sort compares numbers, not paths. Files
    // with the same path share a rank.
    let mut by_path: Vec<u32> = (0..files.len() as u32).collect();
    by_path.sort_by(|&a, &b| files[a as usize].display.cmp(&files[b as usize].display));
    let mut rank = vec![0u32; files.len()];
    for (position, pair) in by_path.iter().enumerate() {
        rank[*pair as usize] = match position.checked_sub(1).map(|p| by_path[p] as usize) {
            Some(previous) if files[previous].display == files[*pair as usize].display => {
                rank[previous]
            }
            _ => position as u32,
        };
    }
    let compare = |a: &Diagnostic, b: &Diagnostic| {
        rank[a.file.0 as usize]
            .cmp(&rank[b.file.0 as usize])
            .then_with(|| compare_within_file(a, b))
    };
    // Files come in path order with sorted diagnostics, so usually only the cross-file
    // diagnostics at the end are out of place. They are sorted alone and merged in.
    let sorted_len = diagnostics
        .windows(2)
        .position(|pair| compare(&pair[0], &pair[1]).is_gt())
        .map_or(diagnostics.len(), |last| last + 1);
    if sorted_len == diagnostics.len() {
        return;
    }
    let mut rest = diagnostics.split_off(sorted_len);
    sort_by_index(&mut rest, compare);
    merge_sorted(diagnostics, rest, |a, b| compare(a, b).is_lt());
}

/// Sorts `items` stably. A stable sort of the items themselves would allocate a buffer of
/// half of them, so indexes are sorted instead and the permutation is applied in place.
fn sort_by_index<T>(items: &mut [T], compare: impl Fn(&T, &T) -> std::cmp::Ordering) {
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    order.sort_by(|&a, &b| compare(&items[a as usize], &items[b as usize]));
    // `order[j]` is the index of the item that belongs at position `j`. Each cycle of the
    // permutation is walked once, and finished positions are marked with their own index.
    for i in 0..order.len() {
        let mut j = i;
        while order[j] as usize != i {
            let k = order[j] as usize;
            items.swap(j, k);
            order[j] = j as u32;
            j = k;
        }
        order[j] = j as u32;
    }
}

/// Merges the sorted `tail` into the sorted `items` in place, from the end, moving each
/// item once. Of two equal items, the one from `items` comes first, as in a stable sort.
///
/// A merge into a new vector would hold every diagnostic twice at the end of a scan.
fn merge_sorted<T>(items: &mut Vec<T>, tail: Vec<T>, is_less: impl Fn(&T, &T) -> bool) {
    let (count, added) = (items.len(), tail.len());
    items.reserve_exact(added);
    let mut tail = std::mem::ManuallyDrop::new(tail);
    let base = items.as_mut_ptr();
    // SAFETY: `items` has room for every item. `next` is `unmoved` plus the tail items left,
    // so no write lands on an unmoved item. The length stays 0 until the end, so a panic in
    // `is_less` leaks the items instead of dropping moved ones twice.
    unsafe {
        items.set_len(0);
        let mut unmoved = count;
        let mut next = count + added;
        for k in (0..added).rev() {
            let item = tail.as_ptr().add(k);
            let start = std::slice::from_raw_parts(base, unmoved);
            let after = start.partition_point(|existing| !is_less(&*item, existing));
            let block = unmoved - after;
            next -= block;
            std::ptr::copy(base.add(after), base.add(next), block);
            unmoved = after;
            next -= 1;
            std::ptr::copy_nonoverlapping(item, base.add(next), 1);
        }
        tail.set_len(0);
        std::mem::ManuallyDrop::drop(&mut tail);
        items.set_len(count + added);
    }
}

/// Makes room for a chunk's `found` diagnostics, once `done` of `total` files are checked.
///
/// Each growth copies every diagnostic found so far, so the vector is sized for the whole
/// scan from the rate seen so far, with a quarter more as a margin. Doubling would leave the
/// freed copies resident at the peak. Capacity that is never written costs no memory,
/// because its pages are never touched.
///
/// NOTE: this holds when the allocator takes fresh pages from the system for the vector. If
/// it reuses pages that earlier allocations wrote, the unused margin is resident too.
fn reserve_for_scan(diagnostics: &mut Vec<Diagnostic>, found: usize, done: usize, total: usize) {
    if diagnostics.capacity() - diagnostics.len() >= found {
        return;
    }
    let so_far = diagnostics.len() + found;
    let expected = so_far.saturating_mul(total) / done.max(1);
    let capacity = expected.saturating_add(expected / 4).max(so_far);
    diagnostics.reserve_exact(capacity - diagnostics.len());
}

fn push_configured(out: &mut Vec<Diagnostic>, mut diagnostic: Diagnostic, settings: &Settings) {
    if let Some(severity) = settings.severity(diagnostic.rule) {
        diagnostic.severity = severity;
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items with few distinct keys, so that ties are common, and an owned payload, so that
    /// an item dropped twice or lost would show.
    fn items(count: usize, seed: u64) -> Vec<(u8, String)> {
        let mut state = seed;
        (0..count)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 59) as u8, format!("item {i}"))
            })
            .collect()
    }

    #[test]
    fn merge_matches_a_stable_sort() {
        for (count, added, seed) in [(0, 5, 1), (5, 0, 2), (1, 1, 3), (40, 7, 4), (200, 200, 5)] {
            let mut start = items(count, seed);
            start.sort_by_key(|item| item.0);
            let mut tail = items(added, seed + 100);
            tail.iter_mut()
                .for_each(|item| item.1.push_str(" of the tail"));
            tail.sort_by_key(|item| item.0);
            let mut expected: Vec<_> = start.iter().chain(&tail).cloned().collect();
            expected.sort_by_key(|item| item.0);
            merge_sorted(&mut start, tail, |a, b| a.0 < b.0);
            assert_eq!(start, expected, "{count} + {added}");
        }
    }

    #[test]
    fn index_sort_matches_a_stable_sort() {
        for (count, seed) in [(0, 1), (1, 2), (2, 3), (300, 4)] {
            let mut sorted = items(count, seed);
            let mut expected = sorted.clone();
            expected.sort_by_key(|item| item.0);
            sort_by_index(&mut sorted, |a, b| a.0.cmp(&b.0));
            assert_eq!(sorted, expected, "{count}");
        }
    }
}
