//! The JSON report, version 1: one object with the tool, the diagnostics and a summary.

use serde::Serialize;

use super::Summary;
use crate::diagnostic::Diagnostic;
use crate::engine::FileInfo;
use crate::source::{Excerpt, Position, Span};

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    path: &'a str,
    span: Option<JsonSpan>,
    labels: Vec<JsonLabel<'a>>,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    path: &'a str,
    span: JsonSpan,
    message: &'a str,
}

#[derive(Serialize)]
pub struct JsonSpan {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    line: u32,
    column: u32,
    offset: u32,
}

impl From<Position> for JsonPosition {
    fn from(position: Position) -> JsonPosition {
        JsonPosition {
            line: position.line,
            column: position.column,
            offset: position.offset,
        }
    }
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    checked: usize,
    not_recognised: usize,
    /// Files that could not be read, decoded or parsed.
    failed: usize,
    suppressed: usize,
}

/// Converts a span into start and end positions.
pub fn json_span(excerpt: &Excerpt, span: Span) -> JsonSpan {
    JsonSpan {
        start: excerpt.position(span.start).into(),
        end: excerpt.position(span.end).into(),
    }
}

/// Renders the report as pretty-printed JSON followed by a newline.
pub fn render(diagnostics: &[Diagnostic], files: &[FileInfo], summary: &Summary) -> String {
    let report = Report {
        version: 1,
        tool: Tool {
            name: "ramlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let file = &files[d.file.0 as usize];
                JsonDiagnostic {
                    rule: d.rule.id,
                    severity: d.severity.as_str(),
                    message: &d.message,
                    help: d.help.as_deref(),
                    path: &file.display,
                    span: d.span.map(|span| json_span(&file.excerpt, span)),
                    labels: d
                        .labels
                        .iter()
                        .map(|label| {
                            let file = &files[label.file.0 as usize];
                            JsonLabel {
                                path: &file.display,
                                span: json_span(&file.excerpt, label.span),
                                message: &label.message,
                            }
                        })
                        .collect(),
                    fingerprint: &d.fingerprint,
                }
            })
            .collect(),
        summary: JsonSummary {
            files: summary.files,
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            checked: summary.checked,
            not_recognised: summary.not_recognised,
            failed: summary.failed,
            suppressed: summary.suppressed,
        },
    };
    let mut text = serde_json::to_string_pretty(&report).expect("the report serialises");
    text.push('\n');
    text
}
