//! The JUnit XML format, for CI systems that show test reports: one test case per file and
//! one `<failure>` per diagnostic, whatever its severity (the `type` attribute is the rule
//! id). A file that contains nothing ramlint checks is a skipped test case.
//!
//! XML 1.0 cannot carry most control characters even as character references, so they are
//! written as `\u{…}` escapes, as the text format does.

use std::fmt::Write as _;

use super::Summary;
use crate::diagnostic::Diagnostic;
use crate::engine::{FileInfo, FileStatus};

/// Escapes text for XML content and attribute values. Line breaks and tabs become
/// character references so that attribute values keep them.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            // Characters outside XML 1.0's `Char` production, and the C1 controls and
            // bidirectional overrides that must not reach a terminal raw.
            ch if crate::diagnostic::is_unsafe_char(ch)
                || matches!(ch, '\u{FFFE}' | '\u{FFFF}') =>
            {
                let _ = write!(out, "\\u{{{:x}}}", ch as u32);
            }
            ch => out.push(ch),
        }
    }
    out
}

/// Renders the report as a JUnit XML document with one `<testsuite>`.
pub fn render(diagnostics: &[Diagnostic], files: &[FileInfo], summary: &Summary) -> String {
    let mut per_file: Vec<Vec<&Diagnostic>> = vec![Vec::new(); files.len()];
    for diagnostic in diagnostics {
        per_file[diagnostic.file.0 as usize].push(diagnostic);
    }

    // Files sorted by path, as diagnostics are; the configuration file appears only when it
    // has diagnostics.
    let mut order: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].status != FileStatus::Config || !per_file[i].is_empty())
        .collect();
    order.sort_by(|&a, &b| files[a].display.cmp(&files[b].display));

    let tests = order.len();
    let failed = order.iter().filter(|&&i| !per_file[i].is_empty()).count();
    let skipped = order
        .iter()
        .filter(|&&i| per_file[i].is_empty() && files[i].status == FileStatus::NotRecognised)
        .count();

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"ramlint\" tests=\"{tests}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"ramlint\" tests=\"{tests}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        out,
        "    <properties>\n      <property name=\"summary\" value=\"{}\"/>\n    </properties>",
        escape(&summary.line())
    );
    for &i in &order {
        let file = &files[i];
        let name = escape(&file.display);
        let open = format!("    <testcase name=\"{name}\" classname=\"ramlint\" file=\"{name}\"");
        if per_file[i].is_empty() {
            if file.status == FileStatus::NotRecognised {
                let _ = writeln!(
                    out,
                    "{open}>\n      <skipped message=\"not a RAM policy or stored request\"/>\n    </testcase>"
                );
            } else {
                let _ = writeln!(out, "{open}/>");
            }
            continue;
        }
        let _ = writeln!(out, "{open}>");
        for diagnostic in &per_file[i] {
            let location = match diagnostic.span {
                Some(span) => {
                    let position = file.excerpt.position(span.start);
                    format!("{}:{}:{}", file.display, position.line, position.column)
                }
                None => file.display.clone(),
            };
            let mut body = format!(
                "{}[{}] {location}: {}",
                diagnostic.severity, diagnostic.rule.id, diagnostic.message
            );
            if let Some(help) = &diagnostic.help {
                let _ = write!(body, "\nhelp: {help}");
            }
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                diagnostic.rule.id,
                escape(&diagnostic.message),
                escape(&body)
            );
        }
        let _ = writeln!(out, "    </testcase>");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_controls_are_escaped() {
        assert_eq!(escape("a<b & \"c\"\n"), "a&lt;b &amp; &quot;c&quot;&#10;");
        assert_eq!(escape("x\u{1b}[31m"), "x\\u{1b}[31m");
        assert_eq!(escape("导出"), "导出");
    }
}
