//! The GitHub Actions format: one workflow command per diagnostic, which the runner turns
//! into an annotation on the file and line.
//!
//! ```text
//! ::error file=policies/admin.json,line=5,col=17,endLine=5,endColumn=23,title=invalid-effect::`Effect` is "Alow"; …
//! ```
//!
//! Escaping follows `escapeData` and `escapeProperty` in `packages/core/src/command.ts` of
//! actions/toolkit: the message escapes `%`, CR and LF as `%25`, `%0D` and `%0A`, and
//! property values also escape `:` and `,` as `%3A` and `%2C`. Errors become `::error`,
//! warnings `::warning` and infos `::notice`. Columns count Unicode scalar values.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileInfo;

/// Escapes the message of a workflow command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Returns the workflow command of a severity.
fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Renders one workflow command per diagnostic. A diagnostic about a whole file has no
/// position, so GitHub shows its annotation on the file.
pub fn render(diagnostics: &[Diagnostic], files: &[FileInfo]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let file = &files[diagnostic.file.0 as usize];
        let mut properties = format!("file={}", escape_property(&file.display));
        if let Some(span) = diagnostic.span {
            let start = file.excerpt.position(span.start);
            let end = file.excerpt.position(span.end);
            let _ = write!(
                properties,
                ",line={},col={},endLine={},endColumn={}",
                start.line, start.column, end.line, end.column
            );
        }
        let _ = write!(
            properties,
            ",title={}",
            escape_property(&format!("ramlint {}", diagnostic.rule.id))
        );
        let message = match &diagnostic.help {
            Some(help) => format!("{}\nhelp: {help}", diagnostic.message),
            None => diagnostic.message.clone(),
        };
        let _ = writeln!(
            out,
            "::{} {properties}::{}",
            command(diagnostic.severity),
            escape_data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks() {
        assert_eq!(escape_data("50%\r\nnext: a, b"), "50%25%0D%0Anext: a, b");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
