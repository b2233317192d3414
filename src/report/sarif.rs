//! The SARIF 2.1.0 format: one run whose driver lists every rule, for GitHub code scanning
//! and other SARIF viewers.
//!
//! Columns count Unicode scalar values, as in every other format, and the run declares it
//! with `columnKind: "unicodeCodePoints"`. A region's `endColumn` is the column after its last
//! character. File paths become relative URIs (percent-encoded), or `file://` URIs for files
//! outside the current folder. A diagnostic about a whole file, such as one that could not be
//! read, has no region.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileInfo;
use crate::rules::{self, Rule};
use crate::source::{Excerpt, Span};

/// The `$schema` of the log: the `$id` of the OASIS SARIF 2.1.0 schema.
pub const SCHEMA_URI: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

/// The repository that contains `docs/rules.md`: `RAMLINT_REPOSITORY_URL` at build time when
/// it is set, otherwise `repository` in Cargo.toml.
///
/// NOTE: the project has no published repository yet, so Cargo.toml leaves `repository` empty
/// and rules carry no `helpUri` unless the build sets the variable. SARIF requires an
/// absolute URI there, so a path relative to the repository would be invalid, and an
/// invented address would send users to someone else's page.
pub const REPOSITORY_URL: &str = match option_env!("RAMLINT_REPOSITORY_URL") {
    Some(url) => url,
    None => env!("CARGO_PKG_REPOSITORY"),
};

/// The path of the rule documentation in the repository, in the `blob/BRANCH/PATH` form
/// that GitHub serves. Each rule is a `## rule-id` section, so its anchor is the id.
pub const RULES_DOC_PATH: &str = "blob/main/docs/rules.md";

/// The key of ramlint's own fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "ramlint/v1";

/// Characters kept as they are in a URI path segment: the unreserved set of RFC 3986.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: String,
    short_description: Message,
    full_description: Message,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<MessageRef<'a>>,
}

#[derive(Serialize)]
struct MessageRef<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

/// Returns the SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Builds the documentation URI of a rule from a repository URL, or `None` when the URL is
/// empty.
pub fn help_uri(repository_url: &str, rule_id: &str) -> Option<String> {
    // A clone URL (`https://github.com/org/ramlint.git`) names the same repository.
    let base = repository_url.trim_end_matches('/');
    let base = base.strip_suffix(".git").unwrap_or(base);
    if base.is_empty() {
        return None;
    }
    Some(format!("{base}/{RULES_DOC_PATH}#{rule_id}"))
}

/// Converts a displayed path into a URI: relative and percent-encoded for paths under the
/// current folder, `file://` for absolute paths.
pub fn path_uri(display: &str) -> String {
    let encode = |path: &str| {
        path.split('/')
            .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
            .collect::<Vec<_>>()
            .join("/")
    };
    let bytes = display.as_bytes();
    if display.starts_with('/') {
        format!("file://{}", encode(display))
    } else if bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":/" {
        // A Windows path such as `C:/policies/a.json`; the drive's colon stays as it is.
        format!("file:///{}{}", &display[..2], encode(&display[2..]))
    } else {
        encode(display)
    }
}

/// Converts a rule id into the PascalCase name SARIF viewers show (`InvalidEffect`).
fn rule_name(id: &str) -> String {
    id.split('-').map(rules::capitalise).collect()
}

fn descriptor(rule: &Rule, repository_url: &str) -> ReportingDescriptor {
    let documentation = rule.documentation();
    let full = rule
        .section("What it checks")
        .map(|text| unwrap_lines(&text))
        .unwrap_or_else(|| rule.summary.to_string());
    ReportingDescriptor {
        id: rule.id,
        name: rule_name(rule.id),
        short_description: Message {
            text: format!("{}.", rules::capitalise(rule.summary)),
        },
        full_description: Message { text: full },
        help: Help {
            text: documentation.clone(),
            markdown: documentation,
        },
        help_uri: help_uri(repository_url, rule.id),
        default_configuration: Configuration {
            level: level(rule.default_severity),
        },
    }
}

/// Joins the hard-wrapped lines of each paragraph, because SARIF viewers wrap text
/// themselves. Text with a code block is returned unchanged.
fn unwrap_lines(text: &str) -> String {
    if text.contains("```") {
        return text.to_string();
    }
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn physical_location(file: &FileInfo, span: Option<Span>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: path_uri(&file.display),
        },
        region: span.map(|span| region(&file.excerpt, span)),
    }
}

fn region(excerpt: &Excerpt, span: Span) -> Region {
    let start = excerpt.position(span.start);
    let end = excerpt.position(span.end);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// Renders the log as pretty-printed JSON followed by a newline. `repository_url` is the
/// base of the rules' `helpUri`; pass [`REPOSITORY_URL`] outside tests.
pub fn render(diagnostics: &[Diagnostic], files: &[FileInfo], repository_url: &str) -> String {
    let all = rules::all();
    let results = diagnostics
        .iter()
        .map(|d| {
            let file = &files[d.file.0 as usize];
            let message = match &d.help {
                Some(help) => format!("{}\nhelp: {help}", d.message),
                None => d.message.clone(),
            };
            let related_locations = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, label)| Location {
                    id: Some(i + 1),
                    physical_location: physical_location(
                        &files[label.file.0 as usize],
                        Some(label.span),
                    ),
                    message: Some(MessageRef {
                        text: &label.message,
                    }),
                })
                .collect();
            SarifResult {
                rule_id: d.rule.id,
                rule_index: all
                    .iter()
                    .position(|rule| rule.id == d.rule.id)
                    .expect("every diagnostic's rule is registered"),
                level: level(d.severity),
                message: Message { text: message },
                locations: vec![Location {
                    id: None,
                    physical_location: physical_location(file, d.span),
                    message: None,
                }],
                related_locations,
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, d.fingerprint.as_str())]),
            }
        })
        .collect();
    let base = repository_url.trim_end_matches('/');
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "ramlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: (!base.is_empty()).then(|| base.to_string()),
                    rules: all.iter().map(|rule| descriptor(rule, base)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("the SARIF log serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(path_uri("policies/admin.json"), "policies/admin.json");
        assert_eq!(path_uri("my policies/a#1.json"), "my%20policies/a%231.json");
        assert_eq!(path_uri("a:b.json"), "a%3Ab.json");
        assert_eq!(path_uri("策略.json"), "%E7%AD%96%E7%95%A5.json");
        assert_eq!(path_uri("/tmp/x y.json"), "file:///tmp/x%20y.json");
        assert_eq!(path_uri("C:/p/a.json"), "file:///C:/p/a.json");
    }

    #[test]
    fn help_uri_needs_a_repository() {
        assert_eq!(help_uri("", "invalid-effect"), None);
        assert_eq!(
            help_uri("https://example.com/org/ramlint/", "invalid-effect").as_deref(),
            Some("https://example.com/org/ramlint/blob/main/docs/rules.md#invalid-effect")
        );
        assert_eq!(
            help_uri("https://example.com/org/ramlint.git", "io-error").as_deref(),
            Some("https://example.com/org/ramlint/blob/main/docs/rules.md#io-error")
        );
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(rule_name("invalid-effect"), "InvalidEffect");
        assert_eq!(rule_name("io-error"), "IoError");
    }
}
