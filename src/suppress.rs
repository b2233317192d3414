//! Suppressions: the `[[ignore]]` entries of `ramlint.toml`, applied to a run's diagnostics
//! after the checks and before rendering.
//!
//! JSON has no comments, so a policy cannot carry an "allow" marker the way source code can.
//! Each entry instead names a rule and the files it applies to (globs relative to the
//! configuration's folder), optionally narrowed to a JSON pointer or to one fingerprint, and
//! gives a reason. A suppressed diagnostic is removed from the report and counted in the
//! summary. An entry past its `expires` date suppresses nothing and is reported as
//! `expired-suppression`; a live entry that suppressed nothing is reported as
//! `unused-suppression`. Both diagnostics point into `ramlint.toml`, which joins the run's
//! file table for that.

use std::fmt;
use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};

use crate::config::{Config, ConfigError, IgnoreEntry};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, quote};
use crate::discover;
use crate::engine::{self, FileInfo, FileStatus, RunResult};
use crate::fingerprint;
use crate::rules::Rule;
use crate::settings::{self, Settings};
use crate::source::{Excerpt, Span};

declare_rule! {
    /// ## What it checks
    /// That every `[[ignore]]` entry in `ramlint.toml` still suppresses at least one
    /// diagnostic. An entry is reported when its rule ran, and either a file it names
    /// literally does not exist, or files of the run match its `paths` but none of their
    /// diagnostics matched the entry.
    ///
    /// ## Why it matters
    /// A suppression outlives the problem it was written for: the policy gets fixed, renamed
    /// or deleted, and the entry stays behind. A stale entry would silently hide the next,
    /// unrelated diagnostic of the same rule in those files.
    ///
    /// ## Example
    /// ```toml
    /// [[ignore]]
    /// rule = "invalid-action"
    /// paths = ["policies/old-admin.json"]   # the file was deleted
    /// reason = "legacy role, reviewed"
    /// ```
    ///
    /// ## Use instead
    /// Delete the entry.
    ///
    /// ## Known problems
    /// A run that reads only part of a repository, such as a pre-commit hook that names the
    /// changed files, cannot see diagnostics in the files it did not read. An entry whose
    /// globs cover several files can then be reported although it is used elsewhere, so the
    /// pre-commit hook shipped with ramlint turns this rule off and a full scan in CI reports
    /// it. An entry whose globs match none of the files of the run is not reported, except
    /// for a literal path that does not exist.
    pub static UNUSED_SUPPRESSION = ("unused-suppression", Warning, "an `[[ignore]]` entry in ramlint.toml suppressed no diagnostic");
}

declare_rule! {
    /// ## What it checks
    /// That no `[[ignore]]` entry in `ramlint.toml` is past its `expires` date. The date is
    /// the last day on which the entry suppresses, compared with today's date in UTC. An
    /// expired entry suppresses nothing, so the diagnostics it hid are reported again.
    ///
    /// ## Why it matters
    /// An expiry date turns "we will fix it later" into a deadline that the CI gate
    /// enforces, instead of a suppression that nobody revisits.
    ///
    /// ## Example
    /// ```toml
    /// [[ignore]]
    /// rule = "invalid-resource"
    /// paths = ["policies/migration.json"]
    /// reason = "fixed once the bucket moves"
    /// expires = 2001-01-31
    /// ```
    ///
    /// ## Use instead
    /// Fix the diagnostics and delete the entry, or set a later date when the reason still
    /// holds.
    ///
    /// ## Known problems
    /// None known.
    pub static EXPIRED_SUPPRESSION = ("expired-suppression", Warning, "an `[[ignore]]` entry in ramlint.toml is past its `expires` date and no longer suppresses");
}

/// A calendar date in the proleptic Gregorian calendar, ordered by year, month and day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i64,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Converts a count of days since 1970-01-01 into a date.
    pub fn from_unix_days(days: i64) -> Date {
        // Count from 0000-03-01 so that the leap day ends the year, then split the count into
        // 400-year eras of 146,097 days, years within the era and days within the year.
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        // Months from March: 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31 and February, whose
        // starts follow (153 * month + 2) / 5.
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = era * 400 + year_of_era + i64::from(month <= 2);
        Date {
            year,
            month: month as u8,
            day: day as u8,
        }
    }

    /// Returns today's date in UTC from the system clock.
    pub fn today_utc() -> Date {
        let seconds = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(elapsed) => elapsed.as_secs() as i64,
            Err(before) => -(before.duration().as_secs() as i64) - 1,
        };
        Date::from_unix_days(seconds.div_euclid(86_400))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One compiled `[[ignore]]` entry.
struct Suppression {
    rule: &'static Rule,
    /// The `[[ignore]]` header, where `unused-suppression` points.
    header: Span,
    globs: GlobSet,
    /// The patterns of `paths` without glob characters, with their spans.
    literal_paths: Vec<(String, Span)>,
    pointer: Option<String>,
    fingerprint: Option<String>,
    expires: Option<(Date, Span)>,
    /// A description of the entry that does not change when the file is reformatted, for
    /// the fingerprints of the diagnostics about it.
    subject: String,
    /// How many diagnostics the entry suppressed in this run.
    used: usize,
}

impl Suppression {
    fn is_live(&self, today: Date) -> bool {
        self.expires.is_none_or(|(last_day, _)| today <= last_day)
    }

    fn matches(&self, diagnostic: &Diagnostic) -> bool {
        if diagnostic.rule.id != self.rule.id {
            return false;
        }
        if let Some(pointer) = &self.pointer {
            let Some(at) = &diagnostic.pointer else {
                return false;
            };
            let inside = at
                .strip_prefix(pointer.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
            if !inside {
                return false;
            }
        }
        self.fingerprint
            .as_ref()
            .is_none_or(|fingerprint| *fingerprint == diagnostic.fingerprint)
    }
}

/// The compiled `[[ignore]]` entries of a configuration.
pub struct Suppressions {
    entries: Vec<Suppression>,
    /// The folder that `paths` globs are relative to, canonicalised when it exists.
    base: PathBuf,
    config_display: String,
    config_text: String,
}

impl Suppressions {
    /// Tells whether some entry selects a diagnostic by its fingerprint.
    pub fn use_fingerprints(&self) -> bool {
        self.entries.iter().any(|entry| entry.fingerprint.is_some())
    }

    /// Checks and compiles the `[[ignore]]` entries, rejecting an entry without a reason,
    /// an unknown rule, an invalid glob, pointer, fingerprint or date.
    pub fn compile(config: &Config) -> Result<Suppressions, ConfigError> {
        let mut entries = Vec::with_capacity(config.file.ignore.len());
        for entry in &config.file.ignore {
            entries.push(compile_entry(config, entry.span(), entry.get_ref())?);
        }
        let base = config.base_dir();
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        Ok(Suppressions {
            entries,
            base: canonical(&base),
            config_display: config
                .path
                .as_deref()
                .map(discover::display_path)
                .unwrap_or_default(),
            config_text: config.text.clone(),
        })
    }

    /// Removes the diagnostics that a live entry matches and returns how many it removed.
    /// Then reports expired entries and unused ones (see [`UNUSED_SUPPRESSION`]) as
    /// diagnostics in the configuration file, which is added to the run's file table.
    pub fn apply(&mut self, result: &mut RunResult, settings: &Settings, today: Date) -> usize {
        if self.entries.is_empty() {
            return 0;
        }

        // Which entries' globs match which file of the run.
        let covered: Vec<Vec<bool>> = result
            .files
            .iter()
            .map(|file| {
                let relative = self.relative_path(file);
                self.entries
                    .iter()
                    .map(|entry| relative.as_ref().is_some_and(|p| entry.globs.is_match(p)))
                    .collect()
            })
            .collect();
        let live: Vec<bool> = self.entries.iter().map(|e| e.is_live(today)).collect();

        let mut suppressed = 0;
        let entries = &mut self.entries;
        result.diagnostics.retain(|diagnostic| {
            let file = diagnostic.file.0 as usize;
            let matching = entries
                .iter_mut()
                .enumerate()
                .find(|(i, entry)| live[*i] && covered[file][*i] && entry.matches(diagnostic));
            match matching {
                Some((_, entry)) => {
                    entry.used += 1;
                    suppressed += 1;
                    false
                }
                None => true,
            }
        });

        let config_id = FileId(result.files.len() as u32);
        let mut reports = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            let report = if !live[i] {
                expired_diagnostic(config_id, entry)
            } else if entry.used == 0 {
                let files_covered = covered.iter().filter(|row| row[i]).count();
                self.unused_diagnostic(config_id, entry, files_covered)
            } else {
                None
            };
            if let Some(mut diagnostic) = report
                && let Some(severity) = settings.severity(diagnostic.rule)
            {
                diagnostic.severity = severity;
                reports.push(diagnostic);
            }
        }
        if reports.is_empty() {
            return suppressed;
        }

        fingerprint::assign_fingerprints(&mut reports, &self.config_display);
        let spans: Vec<Span> = reports
            .iter()
            .flat_map(|d| d.span.into_iter().chain(d.labels.iter().map(|l| l.span)))
            .collect();
        result.files.push(FileInfo {
            display: self.config_display.clone(),
            excerpt: Excerpt::build(&self.config_text, spans),
            status: FileStatus::Config,
            documents: 0,
        });
        result.diagnostics.extend(reports);
        engine::sort_diagnostics(&mut result.diagnostics, &result.files);
        suppressed
    }

    /// Returns a file's path relative to the configuration's folder, or `None` for standard
    /// input and files outside that folder.
    fn relative_path(&self, file: &FileInfo) -> Option<PathBuf> {
        if file.display == "-" || file.status == FileStatus::Config {
            return None;
        }
        canonical(Path::new(&file.display))
            .strip_prefix(&self.base)
            .ok()
            .map(Path::to_path_buf)
    }

    fn unused_diagnostic(
        &self,
        file: FileId,
        entry: &Suppression,
        files_covered: usize,
    ) -> Option<Diagnostic> {
        let missing = entry
            .literal_paths
            .iter()
            .find(|(path, _)| !self.base.join(path).exists());
        let diagnostic = match missing {
            Some((path, span)) => Diagnostic::new(
                &UNUSED_SUPPRESSION,
                file,
                *span,
                format!(
                    "the suppression of `{}` names {}, which does not exist",
                    entry.rule.id,
                    quote(path)
                ),
            )
            .label("no such file")
            .help("delete the path, or the whole entry if no other path remains"),
            None if files_covered > 0 => Diagnostic::new(
                &UNUSED_SUPPRESSION,
                file,
                entry.header,
                format!(
                    "the suppression of `{}` matched no diagnostic in the {} its paths cover",
                    entry.rule.id,
                    if files_covered == 1 {
                        "file".to_string()
                    } else {
                        format!("{files_covered} files")
                    }
                ),
            )
            .label("suppresses nothing")
            .help("delete the entry: the diagnostics it was written for no longer occur"),
            None => return None,
        };
        Some(diagnostic.subject(entry.subject.clone()))
    }
}

fn expired_diagnostic(file: FileId, entry: &Suppression) -> Option<Diagnostic> {
    let (last_day, span) = entry.expires?;
    let diagnostic = Diagnostic::new(
        &EXPIRED_SUPPRESSION,
        file,
        span,
        format!(
            "the suppression of `{}` expired after {last_day}; its diagnostics are reported again",
            entry.rule.id
        ),
    )
    .label("past this date")
    .help("fix the diagnostics and delete the entry, or set a later date if the reason still holds")
    .subject(entry.subject.clone());
    Some(diagnostic)
}

/// Checks one entry and compiles its globs, with errors pointing at the offending value.
fn compile_entry(
    config: &Config,
    header: std::ops::Range<usize>,
    entry: &IgnoreEntry,
) -> Result<Suppression, ConfigError> {
    let header_span = Span::from_range(header.start, header.end);

    let rule = settings::lookup_rule(entry.rule.get_ref())
        .map_err(|message| config.error_at(entry.rule.span(), message, None))?;
    if rule.id == UNUSED_SUPPRESSION.id || rule.id == EXPIRED_SUPPRESSION.id {
        return Err(config.error_at(
            entry.rule.span(),
            format!("`{}` cannot be suppressed", rule.id),
            Some("fix or delete the [[ignore]] entry that the diagnostic is about".to_string()),
        ));
    }

    match &entry.reason {
        None => {
            return Err(config.error_at(
                header.clone(),
                format!("this [[ignore]] entry for `{}` has no `reason`", rule.id),
                Some(
                    "add `reason = \"...\"` saying why the diagnostics are acceptable".to_string(),
                ),
            ));
        }
        Some(reason) if reason.get_ref().trim().is_empty() => {
            return Err(config.error_at(
                reason.span(),
                "`reason` is empty".to_string(),
                Some("say why the diagnostics are acceptable".to_string()),
            ));
        }
        Some(_) => {}
    }

    if entry.paths.is_empty() {
        return Err(config.error_at(
            header.clone(),
            format!(
                "this [[ignore]] entry for `{}` has an empty `paths`",
                rule.id
            ),
            Some(
                "list the files it applies to, such as `paths = [\"policies/admin.json\"]`"
                    .to_string(),
            ),
        ));
    }
    let mut builder = GlobSetBuilder::new();
    let mut literal_paths = Vec::new();
    for path in &entry.paths {
        let pattern = path.get_ref();
        if let Some((message, help)) = discover::unreachable_glob(pattern, &config.base_dir()) {
            return Err(config.error_at(path.span(), message, Some(help)));
        }
        discover::add_path_glob(&mut builder, pattern).map_err(|error| {
            config.error_at(
                path.span(),
                format!("invalid glob {}: {error}", quote(pattern)),
                None,
            )
        })?;
        if !pattern.contains(['*', '?', '[', '{']) {
            let span = path.span();
            literal_paths.push((pattern.clone(), Span::from_range(span.start, span.end)));
        }
    }
    let globs = builder.build().map_err(|error| {
        config.error_at(header.clone(), format!("invalid `paths`: {error}"), None)
    })?;

    if let Some(pointer) = &entry.pointer
        && !pointer.get_ref().starts_with('/')
    {
        return Err(config.error_at(
            pointer.span(),
            format!(
                "`pointer` is {}; a JSON pointer starts with `/`",
                quote(pointer.get_ref())
            ),
            Some(
                "write the path from the document root, such as \"/Statement/0/Action\""
                    .to_string(),
            ),
        ));
    }
    if let Some(fingerprint) = &entry.fingerprint {
        if entry.pointer.is_some() {
            return Err(config.error_at(
                fingerprint.span(),
                "give `pointer` or `fingerprint`, not both".to_string(),
                Some("a fingerprint already selects one diagnostic; delete `pointer`".to_string()),
            ));
        }
        if !is_fingerprint(fingerprint.get_ref()) {
            return Err(config.error_at(
                fingerprint.span(),
                format!(
                    "`fingerprint` is {}; a fingerprint is 16 hexadecimal digits, optionally followed by `:` and a number",
                    quote(fingerprint.get_ref())
                ),
                Some("copy the `fingerprint` of the diagnostic from `ramlint check --format json`".to_string()),
            ));
        }
    }

    let expires = match &entry.expires {
        None => None,
        Some(value) => Some((
            parse_expiry(value.get_ref()).map_err(|(message, help)| {
                config.error_at(value.span(), message, Some(help.to_string()))
            })?,
            Span::from_range(value.span().start, value.span().end),
        )),
    };

    let mut subject = format!(
        "{} {}",
        rule.id,
        entry
            .paths
            .iter()
            .map(|p| p.get_ref().as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    for part in [&entry.pointer, &entry.fingerprint].into_iter().flatten() {
        subject.push(' ');
        subject.push_str(part.get_ref());
    }
    Ok(Suppression {
        rule,
        header: header_span,
        globs,
        literal_paths,
        pointer: entry.pointer.as_ref().map(|p| p.get_ref().clone()),
        fingerprint: entry.fingerprint.as_ref().map(|f| f.get_ref().clone()),
        expires,
        subject,
        used: 0,
    })
}

/// Reads `expires`, which must be a TOML local date such as `2027-06-30`.
fn parse_expiry(value: &toml::Value) -> Result<Date, (String, &'static str)> {
    const HELP: &str = "write a TOML date without quotes, such as `expires = 2027-06-30`";
    match value {
        toml::Value::Datetime(datetime) => match (datetime.date, datetime.time, datetime.offset) {
            (Some(date), None, None) => Ok(Date {
                year: i64::from(date.year),
                month: date.month,
                day: date.day,
            }),
            _ => Err((
                format!("`expires` is {datetime}; it takes a date without a time"),
                HELP,
            )),
        },
        toml::Value::String(text) => Err((
            format!("`expires` is the string {}, not a TOML date", quote(text)),
            HELP,
        )),
        other => Err((
            format!("`expires` is a {}, not a date", other.type_str()),
            HELP,
        )),
    }
}

/// Checks that `text` has the form of a fingerprint: 16 lower-case hexadecimal digits,
/// optionally followed by `:` and the number that distinguishes equal findings in one file.
fn is_fingerprint(text: &str) -> bool {
    let (hash, number) = match text.split_once(':') {
        Some((hash, number)) => (hash, Some(number)),
        None => (text, None),
    };
    hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && number.is_none_or(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Resolves a path to its canonical form when it exists, so that symbolic links and `..`
/// do not defeat prefix comparisons; otherwise makes it absolute.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i64, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn unix_days_convert_to_dates() {
        let cases = [
            (0, date(1970, 1, 1)),
            (-1, date(1969, 12, 31)),
            (10_957, date(2000, 1, 1)),
            (11_016, date(2000, 2, 29)),
            (19_782, date(2024, 2, 29)),
            (2_932_896, date(9999, 12, 31)),
        ];
        for (days, expected) in cases {
            assert_eq!(Date::from_unix_days(days), expected, "day {days}");
        }
    }

    #[test]
    fn dates_order_and_print() {
        assert!(date(2027, 6, 30) < date(2027, 7, 1));
        assert!(date(2026, 12, 31) < date(2027, 1, 1));
        assert_eq!(date(2027, 6, 3).to_string(), "2027-06-03");
    }

    #[test]
    fn expiry_date_is_inclusive() {
        let entry = |last_day| Suppression {
            rule: &UNUSED_SUPPRESSION,
            header: Span::default(),
            globs: GlobSet::empty(),
            literal_paths: Vec::new(),
            pointer: None,
            fingerprint: None,
            expires: Some((last_day, Span::default())),
            subject: String::new(),
            used: 0,
        };
        let today = date(2027, 6, 30);
        assert!(entry(date(2027, 6, 30)).is_live(today));
        assert!(entry(date(2027, 7, 1)).is_live(today));
        assert!(!entry(date(2027, 6, 29)).is_live(today));
    }

    #[test]
    fn fingerprint_shape_is_checked() {
        assert!(is_fingerprint("0123456789abcdef"));
        assert!(is_fingerprint("0123456789abcdef:2"));
        assert!(!is_fingerprint("0123456789ABCDEF"));
        assert!(!is_fingerprint("0123456789abcde"));
        assert!(!is_fingerprint("0123456789abcdef:"));
        assert!(!is_fingerprint("/Statement/0"));
    }

    #[test]
    fn expiry_accepts_only_local_dates() {
        let parse = |text: &str| {
            let table: toml::Table = toml::from_str(&format!("expires = {text}")).unwrap();
            parse_expiry(&table["expires"])
        };
        assert_eq!(parse("2027-06-30"), Ok(date(2027, 6, 30)));
        let string = parse("\"2027-06-30\"").unwrap_err();
        assert!(string.0.contains("not a TOML date"), "{}", string.0);
        let with_time = parse("2027-06-30T12:00:00Z").unwrap_err();
        assert!(with_time.0.contains("without a time"), "{}", with_time.0);
        let number = parse("20270630").unwrap_err();
        assert!(number.0.contains("integer"), "{}", number.0);
    }
}
