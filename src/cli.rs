//! The command line: argument parsing, the subcommands and exit codes.
//!
//! Everything the binary does goes through [`run`], which takes the arguments and the three
//! standard streams, so tests drive the real command line in process.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::baseline::{Baseline, BaselineEntry};
use crate::config::{self, Config, ConfigError, FailOn};
use crate::diagnostic::{Diagnostic, FileId, Severity};
use crate::discover::{DiscoverOptions, Excludes};
use crate::engine::{
    self, ConfigInventory, FileInfo, FileStatus, InventoryInput, RunOptions, RunResult,
};
use crate::grants::{self, GrantOptions, PolicySetSpec, RequestScope};
use crate::report::{self, Summary, text::Style};
use crate::rules;
use crate::settings::{self, Settings};
use crate::source::Excerpt;
use crate::suppress::{Date, Suppressions};

/// Exit code: nothing at or above `--fail-on` was found.
pub const EXIT_OK: i32 = 0;
/// Exit code: at least one diagnostic at or above `--fail-on`.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: ramlint could not do what was asked.
pub const EXIT_TROUBLE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "ramlint",
    version,
    about = "Static checker for Alibaba Cloud RAM policies and stored API requests"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check files and folders for RAM policy and request problems.
    Check(Box<CheckArgs>),
    /// List every rule with its default severity and summary.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print one rule's documentation.
    Rule {
        /// The rule id, such as `invalid-effect`.
        id: String,
    },
    /// Decide whether policies allow one request, and show the statements that decided.
    Simulate(SimulateArgs),
}

#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// A policy that applies to the caller (repeatable); the files are evaluated together.
    #[arg(long = "policy", value_name = "FILE", required = true)]
    pub policies: Vec<PathBuf>,
    /// The action, such as `ens:ExportImage`.
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// The resource ARN [default: the resource the action acts on, `*` when unknown].
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
    /// A condition key of the request and its value (repeatable), such as
    /// `acs:SourceIp=203.0.113.7`; a key given twice has both values.
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with source excerpts, for people.
    Text,
    /// The JSON report, version 1.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands, shown as annotations on the files.
    Github,
    /// JUnit XML: one test case per file and one failure per diagnostic.
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files and folders to check; `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file [default: the nearest ramlint.toml from the current folder upward].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not read any ramlint.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// A policy that applies to the caller of the scanned requests (repeatable). The files
    /// form one policy set, which `--require` checks as a whole.
    #[arg(long = "policy", value_name = "FILE")]
    pub policies: Vec<PathBuf>,
    /// An action that must be allowed (repeatable): by the `--policy` set, or without
    /// `--policy` by each policy document of the scan on its own.
    #[arg(long, value_name = "ACTION")]
    pub require: Vec<String>,
    /// The lowest severity that makes the run exit with 1 [default: error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Run only this rule (repeatable; comma-separated lists are accepted).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run this rule (repeatable; comma-separated lists are accepted).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Skip paths matching this glob during folder walks (repeatable), in addition to
    /// `exclude` in ramlint.toml.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The region of a bucket, as NAME=REGION (repeatable); REGION may be a region ID, its
    /// Location form (oss-cn-beijing) or an endpoint.
    #[arg(long, value_name = "NAME=REGION")]
    pub bucket_region: Vec<String>,
    /// A bucket inventory file (repeatable): an OSS ListBuckets XML response or `ossutil ls`
    /// output.
    #[arg(long, value_name = "FILE")]
    pub inventory: Vec<PathBuf>,
    /// Apply the exclude globs to files named on the command line too.
    #[arg(long)]
    pub force_exclude: bool,
    /// Skip files named on the command line that do not look like a policy, as a folder walk
    /// does, instead of reporting them (for pre-commit hooks, which name every changed file).
    #[arg(long)]
    pub skip_unrecognised: bool,
    /// Report only diagnostics whose fingerprints FILE does not list, and name the entries
    /// of FILE that no longer occur.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record every current diagnostic in FILE as a baseline, then report as `--baseline
    /// FILE` would, so the run passes.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Files larger than this are reported and not read, in bytes or with a unit (16MiB).
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// Exit with 0 instead of 2 when no policy or request is found.
    #[arg(long)]
    pub allow_empty: bool,
    /// Print diagnostics only, without the summary (text and github formats).
    #[arg(long, short)]
    pub quiet: bool,
    /// Print how many diagnostics each rule reported, after the summary.
    #[arg(long)]
    pub statistics: bool,
    /// Worker threads [default: the number of available cores].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Runs the command line and returns the exit code.
pub fn run<I, T>(
    args: I,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_TROUBLE
            } else {
                EXIT_OK
            };
            let text = error.render().to_string();
            let _ = if error.use_stderr() {
                stderr.write_all(text.as_bytes())
            } else {
                stdout.write_all(text.as_bytes())
            };
            return code;
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(*args, stdin, stdout, stderr),
        Command::Rules { format } => list_rules(format, stdout),
        Command::Rule { id } => explain_rule(&id, stdout, stderr),
        Command::Simulate(args) => crate::simulate::run(&args, stdout, stderr),
    };
    match result {
        Ok(code) => code,
        // The reader closed the pipe (`ramlint check . | head`) because it has what it wanted,
        // so no message is printed. Exit code 2 still reports that the output was cut short.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => EXIT_TROUBLE,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            EXIT_TROUBLE
        }
    }
}

fn list_rules(format: ListFormat, stdout: &mut dyn Write) -> std::io::Result<i32> {
    match format {
        ListFormat::Text => {
            let width = rules::all().iter().map(|r| r.id.len()).max().unwrap_or(0);
            for rule in rules::all() {
                writeln!(
                    stdout,
                    "{:<width$}  {:<7}  {}",
                    rule.id,
                    rule.default_severity.as_str(),
                    rule.summary
                )?;
            }
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rules::all()
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "id": rule.id,
                        "severity": rule.default_severity.as_str(),
                        "summary": rule.summary,
                    })
                })
                .collect();
            writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            )?;
        }
    }
    Ok(EXIT_OK)
}

fn explain_rule(id: &str, stdout: &mut dyn Write, stderr: &mut dyn Write) -> std::io::Result<i32> {
    match settings::lookup_rule(id) {
        Ok(rule) => {
            stdout.write_all(rule.page(1).as_bytes())?;
            Ok(EXIT_OK)
        }
        Err(message) => {
            writeln!(stderr, "error: {message}")?;
            Ok(EXIT_TROUBLE)
        }
    }
}

fn check(
    args: CheckArgs,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<i32> {
    let config = match load_config(&args) {
        Ok(config) => config,
        Err(error) => {
            write_config_error(&error, stderr)?;
            return Ok(EXIT_TROUBLE);
        }
    };
    let mut settings = Settings::default();
    if let Err(error) = config.apply(&mut settings) {
        write_config_error(&error, stderr)?;
        return Ok(EXIT_TROUBLE);
    }
    let mut suppressions = match Suppressions::compile(&config) {
        Ok(suppressions) => suppressions,
        Err(error) => {
            write_config_error(&error, stderr)?;
            return Ok(EXIT_TROUBLE);
        }
    };
    for id in &args.select {
        match settings::lookup_rule(id) {
            Ok(rule) => settings.select(rule),
            Err(message) => return usage_error(stderr, &format!("--select: {message}")),
        }
    }
    for id in &args.ignore {
        match settings::lookup_rule(id) {
            Ok(rule) => settings.ignore(rule),
            Err(message) => return usage_error(stderr, &format!("--ignore: {message}")),
        }
    }
    if let Some(size) = &args.max_file_size {
        match config::parse_size(size) {
            Ok(bytes) => settings.max_file_size = bytes,
            Err(message) => return usage_error(stderr, &format!("--max-file-size: {message}")),
        }
    }
    if args.jobs == Some(0) {
        return usage_error(stderr, "--jobs must be at least 1");
    }
    for action in &args.require {
        if let Err(message) = grants::check_required_action(action) {
            return usage_error(stderr, &format!("--require: {message}"));
        }
        // The catalog can be older than the service, so an unlisted action is still checked.
        if let Some(message) = crate::checks::catalog::unlisted_action_warning(action) {
            writeln!(
                stderr,
                "warning: --require: {message}\nnote: `{}` is checked as written",
                crate::diagnostic::shorten(action)
            )?;
        }
    }
    let mut sets = match config.grant_sets() {
        Ok(sets) => sets,
        Err(error) => {
            write_config_error(&error, stderr)?;
            return Ok(EXIT_TROUBLE);
        }
    };
    let require_each = if args.policies.is_empty() {
        args.require.clone()
    } else {
        sets.push(PolicySetSpec {
            name: "the policies given with --policy".to_string(),
            files: args.policies.clone(),
            require: args.require.clone(),
            requests: RequestScope::All,
        });
        Vec::new()
    };
    let grant_options = GrantOptions { require_each, sets };
    let mut baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(baseline) => Some(baseline),
            Err(message) => return usage_error(stderr, &message),
        },
        None => None,
    };

    let mut excludes = Excludes::default();
    if let Err(message) = excludes.add(&config.file.exclude, &config.base_dir()) {
        return usage_error(stderr, &message);
    }
    if let Err(message) = excludes.add(&args.exclude, std::path::Path::new(".")) {
        return usage_error(stderr, &message);
    }

    let flags = match parse_bucket_regions(&args.bucket_region) {
        Ok(flags) => flags,
        Err(message) => return usage_error(stderr, &format!("--bucket-region: {message}")),
    };
    let config_buckets = match config.buckets() {
        Ok(entries) => entries,
        Err(error) => {
            write_config_error(&error, stderr)?;
            return Ok(EXIT_TROUBLE);
        }
    };
    let inventory = InventoryInput {
        flags,
        config: (!config_buckets.is_empty()).then(|| ConfigInventory {
            display: crate::discover::display_path(
                config
                    .path
                    .as_deref()
                    .unwrap_or(std::path::Path::new(config::FILE_NAME)),
            ),
            text: config.text.clone(),
            entries: config_buckets,
        }),
        files: args.inventory.clone(),
    };

    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut result = engine::run(RunOptions {
        paths: args.paths.clone(),
        discover: DiscoverOptions {
            excludes,
            force_exclude: args.force_exclude,
            skip_unrecognised: args.skip_unrecognised,
        },
        settings: &settings,
        grants: &grant_options,
        jobs,
        stdin: Some(stdin),
        inventory,
        fingerprints: matches!(args.format, Format::Json | Format::Sarif)
            || baseline.is_some()
            || args.write_baseline.is_some()
            || suppressions.use_fingerprints(),
    });

    // Suppressions, then the baseline, decide what is reported; both count what they remove.
    let mut suppressed = suppressions.apply(&mut result, &settings, Date::today_utc());
    if let Some(path) = &args.write_baseline {
        let recorded = Baseline::from_diagnostics(&result.diagnostics, &result.files);
        if let Err(message) = recorded.write(path) {
            return usage_error(stderr, &message);
        }
        writeln!(
            stderr,
            "wrote {} diagnostic{} to the baseline {}",
            recorded.len(),
            if recorded.len() == 1 { "" } else { "s" },
            path.display()
        )?;
        baseline = Some(recorded);
    }
    let mut stale = Vec::new();
    if let Some(baseline) = &baseline {
        let filtered = baseline.filter(&mut result.diagnostics);
        suppressed += filtered.removed;
        stale = filtered.stale;
    }

    let fail_on = args
        .fail_on
        .or(config.file.fail_on)
        .unwrap_or(FailOn::Error);
    let summary = Summary::new(&result.files, &result.diagnostics, suppressed);
    if args.format != Format::Text && !args.quiet && !stale.is_empty() {
        stderr.write_all(stale_baseline_lines(&stale).as_bytes())?;
    }
    match &args.output {
        Some(path) => {
            let written = std::fs::File::create(path).and_then(|file| {
                let mut writer = std::io::BufWriter::new(file);
                write_report(&args, jobs, &result, &summary, &stale, &mut writer)?;
                writer.flush()
            });
            if let Err(error) = written {
                writeln!(
                    stderr,
                    "error: cannot write the report to {}: {error}",
                    path.display()
                )?;
                return Ok(EXIT_TROUBLE);
            }
        }
        None => write_report(&args, jobs, &result, &summary, &stale, stdout)?,
    }

    let documents: usize = result.files.iter().map(|f| f.documents).sum();
    let read = result
        .files
        .iter()
        .filter(|f| f.status != FileStatus::Config)
        .count();
    let attempted = result
        .files
        .iter()
        .any(|f| !matches!(f.status, FileStatus::NotRecognised | FileStatus::Config));
    if result.io_failure {
        return Ok(EXIT_TROUBLE);
    }
    if documents == 0 && !attempted && !args.allow_empty {
        writeln!(
            stderr,
            "error: no RAM policy or stored request was found ({read} file{} read); nothing was checked",
            if read == 1 { "" } else { "s" }
        )?;
        writeln!(
            stderr,
            "help: check the paths, or pass --allow-empty when an empty scan is expected"
        )?;
        return Ok(EXIT_TROUBLE);
    }
    let failed = result.diagnostics.iter().any(|d| fail_on.fails(d.severity));
    let items = result.diagnostics.len() + result.files.len();
    engine::free_in_background(result, items);
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}

/// The number of diagnostics rendered at a time, on `--jobs` threads, before writing them.
const RENDER_CHUNK: usize = 1024;

/// Writes the report in the requested format. Text is rendered in chunks of [`RENDER_CHUNK`]
/// diagnostics, so that a scan with many findings never keeps the whole report in memory.
fn write_report(
    args: &CheckArgs,
    jobs: usize,
    result: &RunResult,
    summary: &Summary,
    stale: &[BaselineEntry],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (diagnostics, files) = (&result.diagnostics, &result.files);
    let rendered = match args.format {
        Format::Text => {
            let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            let style = Style { color };
            // Renders a few diagnostics into one string, so that a task is worth scheduling.
            let render_some = |some: &[Diagnostic]| {
                let mut text = String::with_capacity(some.len() * 512);
                for diagnostic in some {
                    report::text::render(&mut text, diagnostic, files, style);
                }
                text
            };
            let pool = if diagnostics.len() > RENDER_CHUNK {
                crate::engine::thread_pool(jobs)
            } else {
                None
            };
            for chunk in diagnostics.chunks(RENDER_CHUNK) {
                let texts: Vec<String> = match &pool {
                    Some(pool) => pool.install(|| chunk.par_chunks(64).map(render_some).collect()),
                    None => vec![render_some(chunk)],
                };
                for text in texts {
                    out.write_all(text.as_bytes())?;
                }
            }
            let mut rendered = String::new();
            if !args.quiet {
                rendered.push_str(&summary.line());
                rendered.push('\n');
                if args.statistics {
                    for (id, severity, count) in report::statistics(diagnostics) {
                        rendered.push_str(&format!("{count:>6}  {id} ({severity})\n"));
                    }
                }
                rendered.push_str(&stale_baseline_lines(stale));
            }
            rendered
        }
        Format::Json => report::json::render(diagnostics, files, summary),
        Format::Sarif => report::sarif::render(diagnostics, files, report::sarif::REPOSITORY_URL),
        Format::Github => {
            let mut rendered = report::github::render(diagnostics, files);
            if !args.quiet {
                rendered.push_str(&summary.line());
                rendered.push('\n');
            }
            rendered
        }
        Format::Junit => report::junit::render(diagnostics, files, summary),
    };
    out.write_all(rendered.as_bytes())
}

/// Lists the baseline entries that no longer occur, or returns nothing when there are none.
fn stale_baseline_lines(stale: &[BaselineEntry]) -> String {
    if stale.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "{} baseline entr{} no longer occur{}; record a new baseline with --write-baseline:\n",
        stale.len(),
        if stale.len() == 1 { "y" } else { "ies" },
        if stale.len() == 1 { "s" } else { "" }
    );
    for entry in stale {
        out.push_str(&report::text::escape_text(&format!(
            "  {} in {}: {}",
            entry.rule, entry.path, entry.message
        )));
        out.push('\n');
    }
    out
}

/// Parses `--bucket-region NAME=REGION` values. A region that is not a region in any form,
/// an invalid bucket name, and one bucket given two regions are errors.
fn parse_bucket_regions(values: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for value in values {
        let Some((bucket, region)) = value.split_once('=') else {
            return Err(format!("`{value}` is not NAME=REGION"));
        };
        let (bucket, region) = (bucket.trim(), region.trim());
        if let Some(problem) = crate::checks::oss::bucket_name_problem(bucket) {
            return Err(format!("`{bucket}` is not a valid bucket name: {problem}"));
        }
        let Some(resolved) = crate::catalog::regions::resolve(region) else {
            return Err(match crate::catalog::regions::closest_id(region) {
                Some(id) => format!("`{region}` is not an OSS region; did you mean `{id}`?"),
                None => format!(
                    "`{region}` is not an OSS region; write a region ID such as `cn-beijing`"
                ),
            });
        };
        if let Some((_, earlier)) = entries.iter().find(|(b, _)| b == bucket) {
            let earlier_id = crate::catalog::regions::resolve(earlier).map(|r| r.id);
            if earlier_id != Some(resolved.id) {
                return Err(format!(
                    "bucket `{bucket}` is given both `{earlier}` and `{region}`"
                ));
            }
            continue;
        }
        entries.push((bucket.to_string(), region.to_string()));
    }
    Ok(entries)
}

pub(crate) fn usage_error(stderr: &mut dyn Write, message: &str) -> std::io::Result<i32> {
    writeln!(stderr, "error: {message}")?;
    Ok(EXIT_TROUBLE)
}

fn load_config(args: &CheckArgs) -> Result<Config, ConfigError> {
    if args.no_config {
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => config::find(std::path::Path::new(".")),
    };
    match path {
        Some(path) => config::load(&path),
        None => Ok(Config::default()),
    }
}

/// Prints a configuration error with the offending text underlined.
fn write_config_error(error: &ConfigError, stderr: &mut dyn Write) -> std::io::Result<()> {
    let display = crate::discover::display_path(&error.path);
    let excerpt = match error.span {
        Some(span) => Excerpt::build(&error.text, [span]),
        None => Excerpt::default(),
    };
    let files = [FileInfo {
        display,
        excerpt,
        status: FileStatus::Failed,
        documents: 0,
    }];
    let mut diagnostic = Diagnostic::whole_file(
        &crate::checks::file::INVALID_CONFIG,
        FileId(0),
        error.message.clone(),
    )
    .maybe_help(error.help.clone());
    diagnostic.span = error.span;
    diagnostic.severity = Severity::Error;
    let mut out = String::new();
    report::text::render(&mut out, &diagnostic, &files, Style { color: false });
    stderr.write_all(out.as_bytes())
}
