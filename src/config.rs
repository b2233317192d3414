//! `ramlint.toml`: finding it, reading it, and reporting its errors with spans.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use toml::Spanned;

use crate::catalog::regions;
use crate::diagnostic::Severity;
use crate::document::inventory::Entry;
use crate::grants::{self, PolicySetSpec, RequestScope};
use crate::rules;
use crate::settings::{self, Settings};
use crate::source::Span;

/// The name of the configuration file.
pub const FILE_NAME: &str = "ramlint.toml";

/// The severity at or above which a run fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    /// Tells whether a diagnostic of `severity` makes the run fail.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

/// A size in bytes, written as a number or as text with a unit (`"16 MiB"`, `"500K"`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SizeValue {
    Bytes(u64),
    Text(String),
}

/// The file as written.
///
/// The JSON Schema of this type is committed as `ramlint.schema.json`; a `Spanned` field
/// describes its inner type there through `#[schemars(with)]` or `schema_with`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(
    title = "ramlint.toml",
    description = "Configuration of ramlint, the checker of Alibaba Cloud RAM policies."
)]
pub struct ConfigFile {
    /// The lowest severity that makes `ramlint check` exit with 1.
    pub fail_on: Option<FailOn>,
    /// Globs of paths not to check during folder walks, relative to this file's folder.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Files larger than this are reported and not read: bytes, or a number with K, M or G
    /// (binary units, such as "16 MiB").
    #[schemars(with = "Option<SizeValue>")]
    pub max_file_size: Option<Spanned<SizeValue>>,
    /// Rule severities: `"error"`, `"warning"`, `"info"` or `"off"`.
    #[serde(default)]
    #[schemars(schema_with = "rule_severities_schema")]
    pub rules: BTreeMap<Spanned<String>, Spanned<String>>,
    /// The bucket inventory: bucket name to region (an ID, a Location form or an endpoint).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub buckets: BTreeMap<Spanned<String>, Spanned<String>>,
    /// The region ROS templates are deployed in: a path glob (relative to this file's
    /// folder) to a region ID. The OSS buckets a matching template creates become bucket
    /// inventory entries in that region. When several globs match, the one that sorts
    /// first wins.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub template_regions: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Policy sets: the policies that apply to a group of stored requests.
    #[serde(default)]
    #[schemars(with = "Vec<GrantEntry>")]
    pub grants: Vec<Spanned<GrantEntry>>,
    /// Suppressions: each entry hides one rule's diagnostics in some files, and must say why.
    #[serde(default)]
    #[schemars(with = "Vec<IgnoreEntry>")]
    pub ignore: Vec<Spanned<IgnoreEntry>>,
}

/// A `[[grants]]` entry. Paths and globs are relative to the configuration's folder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GrantEntry {
    /// Policy files or globs; the files are evaluated together as one policy set.
    #[schemars(with = "Vec<String>")]
    pub policies: Vec<Spanned<String>>,
    /// Globs of the stored request files the policies apply to.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub requests: Vec<Spanned<String>>,
    /// Actions the policies must grant.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub require: Vec<Spanned<String>>,
}

/// One `[[ignore]]` entry: a suppression of one rule's diagnostics in the files its globs
/// match, optionally narrowed to a JSON pointer or to one fingerprint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IgnoreEntry {
    /// The id of the rule whose diagnostics are suppressed.
    #[schemars(schema_with = "rule_id_schema")]
    pub rule: Spanned<String>,
    /// Globs of the files the entry applies to, relative to the folder of ramlint.toml. A
    /// pattern without `/` matches at any depth, `*` stays within one path segment and `**`
    /// crosses segments.
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub paths: Vec<Spanned<String>>,
    /// Suppresses only diagnostics about the value at this JSON pointer or inside it, such
    /// as "/Statement/0/Action".
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = "^/"))]
    pub pointer: Option<Spanned<String>>,
    /// Suppresses only the diagnostic with this fingerprint, as printed by `--format json`.
    #[serde(default)]
    #[schemars(with = "String")]
    pub fingerprint: Option<Spanned<String>>,
    /// Why the suppressed diagnostics are acceptable. Required: an entry without a reason
    /// is a configuration error.
    #[schemars(with = "String", length(min = 1))]
    pub reason: Option<Spanned<String>>,
    /// The last day on which the entry suppresses, as a TOML date (`expires = 2027-06-30`),
    /// compared with today's date in UTC.
    #[serde(default)]
    #[schemars(schema_with = "date_schema")]
    pub expires: Option<Spanned<toml::Value>>,
}

fn rule_severities_schema(_: &mut SchemaGenerator) -> Schema {
    let properties: serde_json::Map<String, serde_json::Value> = rules::all()
        .iter()
        .map(|rule| {
            let schema = serde_json::json!({
                "description": format!("{} (default: {})", rule.summary, rule.default_severity),
                "enum": ["error", "warning", "info", "off"],
            });
            (rule.id.to_string(), schema)
        })
        .collect();
    json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

fn rule_id_schema(_: &mut SchemaGenerator) -> Schema {
    let ids: Vec<&str> = rules::all().iter().map(|rule| rule.id).collect();
    json_schema!({ "enum": ids })
}

fn date_schema(_: &mut SchemaGenerator) -> Schema {
    // TOML dates have no JSON type; editors that check TOML against a JSON Schema (Taplo,
    // for one) treat them as strings in the `date` format.
    json_schema!({ "type": "string", "format": "date" })
}

/// Generates the JSON Schema of `ramlint.toml` from the configuration types. It is written
/// as draft-07 rather than schemars' default 2020-12, so that editor tooling whose JSON
/// Schema support predates the 2019 drafts can read it too.
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    generator.into_root_schema_for::<ConfigFile>().to_value()
}

/// A loaded configuration, with its path and text for error reporting.
#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub text: String,
    pub file: ConfigFile,
}

/// An error in the configuration file, with the span of the offending text when known.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: Option<Span>,
    pub message: String,
    pub help: Option<String>,
}

/// Finds `ramlint.toml` in `start` or the nearest folder above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and parses a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let error = |message: String| ConfigError {
        path: path.to_path_buf(),
        text: String::new(),
        span: None,
        message,
        help: None,
    };
    let bytes =
        std::fs::read(path).map_err(|e| error(format!("cannot read the configuration: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| error("the configuration is not UTF-8 text".to_string()))?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        text: text.clone(),
        span: e.span().map(|r| Span::from_range(r.start, r.end)),
        message: e.message().trim_end().to_string(),
        help: None,
    })?;
    Ok(Config {
        path: Some(path.to_path_buf()),
        text,
        file,
    })
}

impl Config {
    /// The folder that relative paths in the configuration are relative to.
    pub fn base_dir(&self) -> PathBuf {
        match &self.path {
            Some(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
            None => PathBuf::from("."),
        }
    }

    /// Builds an error about the configuration text at `span`.
    pub(crate) fn error_at(
        &self,
        span: std::ops::Range<usize>,
        message: String,
        help: Option<String>,
    ) -> ConfigError {
        ConfigError {
            path: self.path.clone().unwrap_or_default(),
            text: self.text.clone(),
            span: Some(Span::from_range(span.start, span.end)),
            message,
            help,
        }
    }

    /// Applies the configuration to the run's settings, checking rule ids and values.
    pub fn apply(&self, settings: &mut Settings) -> Result<(), ConfigError> {
        for (id, value) in &self.file.rules {
            let rule = settings::lookup_rule(id.get_ref())
                .map_err(|message| self.error_at(id.span(), message, None))?;
            let severity = match value.get_ref().as_str() {
                "off" => None,
                other => match Severity::parse(other) {
                    Some(severity) => Some(severity),
                    None => {
                        return Err(self.error_at(
                            value.span(),
                            format!("invalid severity `{other}` for `{}`", rule.id),
                            Some("use \"error\", \"warning\", \"info\" or \"off\"".to_string()),
                        ));
                    }
                },
            };
            settings.set_severity(rule, severity);
        }
        if let Some(size) = &self.file.max_file_size {
            settings.max_file_size = parse_size_value(size.get_ref())
                .map_err(|message| self.error_at(size.span(), message, None))?;
        }
        settings.template_regions = self.template_regions()?;
        Ok(())
    }

    /// Compiles `[template-regions]`, checking each glob and region.
    fn template_regions(&self) -> Result<settings::TemplateRegions, ConfigError> {
        let mut entries = Vec::new();
        for (glob, region) in &self.file.template_regions {
            if let Some((message, help)) =
                crate::discover::unreachable_glob(glob.get_ref(), &self.base_dir())
            {
                return Err(self.error_at(glob.span(), message, Some(help)));
            }
            let mut builder = globset::GlobSetBuilder::new();
            let set = crate::discover::add_path_glob(&mut builder, glob.get_ref())
                .and_then(|()| builder.build())
                .map_err(|error| {
                    self.error_at(
                        glob.span(),
                        format!("invalid glob `{}`: {error}", glob.get_ref()),
                        None,
                    )
                })?;
            let Some(resolved) = regions::resolve(region.get_ref()) else {
                let help = match regions::closest_id(region.get_ref()) {
                    Some(id) => format!("did you mean \"{id}\"?"),
                    None => "write a region ID such as \"cn-beijing\"".to_string(),
                };
                return Err(self.error_at(
                    region.span(),
                    format!("`{}` is not a region", region.get_ref()),
                    Some(help),
                ));
            };
            entries.push((set, resolved.id.to_string()));
        }
        let base = std::path::absolute(self.base_dir()).unwrap_or_else(|_| self.base_dir());
        Ok(settings::TemplateRegions::new(base, entries))
    }
}

impl Config {
    /// Returns the `[buckets]` entries with their spans, checking each bucket name and region.
    pub fn buckets(&self) -> Result<Vec<Entry>, ConfigError> {
        let mut entries = Vec::new();
        for (bucket, region) in &self.file.buckets {
            if let Some(problem) = crate::checks::oss::bucket_name_problem(bucket.get_ref()) {
                return Err(self.error_at(
                    bucket.span(),
                    format!(
                        "`{}` is not a valid bucket name: {problem}",
                        bucket.get_ref()
                    ),
                    Some(
                        "bucket names are 3 to 63 lowercase letters, digits and hyphens"
                            .to_string(),
                    ),
                ));
            }
            if regions::resolve(region.get_ref()).is_none() {
                let help = match regions::closest_id(region.get_ref()) {
                    Some(id) => format!("did you mean \"{id}\"?"),
                    None => "write a region ID such as \"cn-beijing\", its Location form \"oss-cn-beijing\" or an endpoint".to_string(),
                };
                return Err(self.error_at(
                    region.span(),
                    format!("`{}` is not an OSS region", region.get_ref()),
                    Some(help),
                ));
            }
            // TOML strings are quoted, so the value's text is inside the span's quotes.
            let span = region.span();
            let inner = if self
                .text
                .get(span.clone())
                .is_some_and(|t| t.len() >= 2 && (t.starts_with('"') || t.starts_with('\'')))
            {
                Span::from_range(span.start + 1, span.end - 1)
            } else {
                Span::from_range(span.start, span.end)
            };
            let bucket_span = bucket.span();
            entries.push(Entry {
                bucket: bucket.get_ref().clone(),
                bucket_span: Span::from_range(bucket_span.start, bucket_span.end),
                region: region.get_ref().clone(),
                region_span: inner,
            });
        }
        Ok(entries)
    }

    /// Resolves the `[[grants]]` entries into policy sets: expands the policy globs, checks
    /// that every named file exists and every required action is well-formed.
    pub fn grant_sets(&self) -> Result<Vec<PolicySetSpec>, ConfigError> {
        let base = self.base_dir();
        let file_name = self.path.as_deref().and_then(Path::file_name).map_or_else(
            || FILE_NAME.to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut sets = Vec::new();
        for (index, entry) in self.file.grants.iter().enumerate() {
            let span = entry.span();
            let entry = entry.get_ref();
            if entry.policies.is_empty() {
                return Err(self.error_at(
                    span,
                    "this `[[grants]]` entry has an empty `policies` list".to_string(),
                    Some("list the policy files that apply, such as `policies = [\"policies/exporter.json\"]`".to_string()),
                ));
            }
            if entry.require.is_empty() && entry.requests.is_empty() {
                return Err(self.error_at(
                    span,
                    "this `[[grants]]` entry has neither `require` nor `requests`, so it checks nothing".to_string(),
                    Some("add `require = [\"ens:ExportImage\"]` or `requests = [\"requests/**\"]`".to_string()),
                ));
            }

            let mut files = Vec::new();
            for policy in &entry.policies {
                let text = policy.get_ref();
                if grants::is_glob(text) {
                    let found = grants::expand_glob(&base, text)
                        .map_err(|message| self.error_at(policy.span(), message, None))?;
                    if found.is_empty() {
                        return Err(self.error_at(
                            policy.span(),
                            format!("`{text}` matches no file"),
                            Some(format!("globs are relative to the folder of {file_name}")),
                        ));
                    }
                    files.extend(found);
                } else {
                    let path = base.join(text);
                    if !path.is_file() {
                        return Err(self.error_at(
                            policy.span(),
                            format!("the policy file `{text}` does not exist"),
                            Some(format!("paths are relative to the folder of {file_name}")),
                        ));
                    }
                    // A configuration comes with the repository it checks, so it may only
                    // name files inside that repository; a scan of an untrusted repository
                    // must not read files elsewhere on the machine.
                    if !is_inside(&path, &base) {
                        return Err(self.error_at(
                            policy.span(),
                            format!("the policy file `{text}` is outside the folder of {file_name}"),
                            Some("name policy files inside the repository; a link that leads outside it counts as outside".to_string()),
                        ));
                    }
                    files.push(path);
                }
            }

            let mut require = Vec::new();
            for action in &entry.require {
                grants::check_required_action(action.get_ref())
                    .map_err(|message| self.error_at(action.span(), message, None))?;
                require.push(action.get_ref().clone());
            }

            let patterns: Vec<&str> = entry
                .requests
                .iter()
                .map(|r| r.get_ref().as_str())
                .collect();
            let globs = grants::compile_globs(&patterns).map_err(|(position, message)| {
                let span = entry
                    .requests
                    .get(position)
                    .map_or(span.clone(), Spanned::span);
                self.error_at(span, message, None)
            })?;

            sets.push(PolicySetSpec {
                name: format!(
                    "the policies of [[grants]] entry {} in {file_name}",
                    index + 1
                ),
                files,
                require,
                requests: RequestScope::Matching {
                    globs,
                    base: base.clone(),
                },
            });
        }
        Ok(sets)
    }
}

/// Tells whether `path` resolves, links followed, to a place inside `folder`.
fn is_inside(path: &Path, folder: &Path) -> bool {
    match (std::fs::canonicalize(path), std::fs::canonicalize(folder)) {
        (Ok(path), Ok(folder)) => path.starts_with(folder),
        _ => false,
    }
}

fn parse_size_value(value: &SizeValue) -> Result<u64, String> {
    match value {
        SizeValue::Bytes(bytes) => Ok(*bytes),
        SizeValue::Text(text) => parse_size(text),
    }
}

/// Parses a size such as `16777216`, `16MiB`, `16 MB` or `500K`; decimal and binary units are
/// both read as binary (1 K = 1,024 bytes), as most tools do for file sizes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("invalid size `{text}`; write bytes, or a number with K, M or G"))?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("invalid size unit in `{text}`; use K, M or G")),
    };
    let bytes = number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("size `{text}` is too large"))?;
    // Spans are 32-bit byte offsets, so no file above 4 GiB can be read.
    if bytes >= u32::MAX as u64 {
        return Err(format!("size `{text}` is too large; the maximum is 4 GiB"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("500 K"), Ok(500 << 10));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert!(parse_size("5 TB").is_err());
        assert!(parse_size("8G").is_err());
    }

    #[test]
    fn unknown_key_has_a_span() {
        let text = "fail-on = \"error\"\nexcludes = [\"x\"]\n";
        let err = toml::from_str::<ConfigFile>(text).unwrap_err();
        let span = err.span().unwrap();
        assert_eq!(&text[span], "excludes");
        assert!(err.message().contains("unknown field"), "{}", err.message());
    }
}
