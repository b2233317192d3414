//! The text format: diagnostics rendered the way rustc renders them, for people.
//!
//! ```text
//! error[invalid-effect]: `Effect` is "Alow"; it must be exactly "Allow" or "Deny"
//!  --> policies/admin.json:5:17
//!   |
//! 5 |       "Effect": "Alow",
//!   |                 ^^^^^^ did you mean `Allow`?
//!   |
//!   = help: write `"Allow"`; Effect is case-sensitive
//! ```
//!
//! Columns in the location line count Unicode scalar values. Underlines are placed by display
//! width: tabs are shown as four spaces, East Asian wide characters take two columns, and
//! control characters and bidirectional overrides are shown escaped (`\u{1b}`), so file
//! content can never drive the terminal.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar;

use crate::diagnostic::{Diagnostic, FileId, Severity, is_unsafe_char};
use crate::engine::FileInfo;
use crate::source::{ExcerptLine, Span};

/// ANSI styling, or none.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint<'t>(&self, code: &str, text: &'t str) -> Cow<'t, str> {
        if self.color && !text.is_empty() {
            Cow::Owned(format!("\x1b[{code}m{text}\x1b[0m"))
        } else {
            Cow::Borrowed(text)
        }
    }

    fn severity<'t>(&self, severity: Severity, text: &'t str) -> Cow<'t, str> {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(code, text)
    }

    fn gutter<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.paint("1;34", text)
    }

    fn bold<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.paint("1", text)
    }
}

/// Escapes characters that must not reach a terminal raw, in paths and other text that is
/// not a source line.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    // Printable ASCII, the usual case, needs no escaping.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if is_unsafe_char(ch) {
            let _ = write!(out, "\\u{{{:x}}}", ch as u32);
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// Renders one diagnostic, followed by a blank line.
pub fn render(out: &mut String, diagnostic: &Diagnostic, files: &[FileInfo], style: Style) {
    let severity = diagnostic.severity;
    let _ = writeln!(
        out,
        "{}{}",
        style.severity(
            severity,
            &format!("{}[{}]", severity.as_str(), diagnostic.rule.id)
        ),
        style.bold(&format!(": {}", escape_text(&diagnostic.message)))
    );

    let groups = group_annotations(diagnostic);
    let width = groups
        .iter()
        .flat_map(|group| group.annotations.iter())
        .map(|a| {
            files[a.file.0 as usize]
                .excerpt
                .position(a.span.end)
                .line
                .max(1)
        })
        .max()
        .unwrap_or(1)
        .to_string()
        .len();
    let pad = " ".repeat(width);
    let file = &files[diagnostic.file.0 as usize];

    match diagnostic.span {
        None => {
            let _ = writeln!(
                out,
                "{pad}{} {}",
                style.gutter("-->"),
                escape_text(&file.display)
            );
        }
        Some(_) => {
            for (i, group) in groups.iter().enumerate() {
                let info = &files[group.file.0 as usize];
                let first = group
                    .annotations
                    .iter()
                    .find(|a| a.primary)
                    .unwrap_or(&group.annotations[0]);
                let position = info.excerpt.position(first.span.start);
                let arrow = if i == 0 { "-->" } else { ":::" };
                let _ = writeln!(
                    out,
                    "{pad}{} {}:{}:{}",
                    style.gutter(arrow),
                    escape_text(&info.display),
                    position.line,
                    position.column
                );
                render_snippet(out, group, info, severity, style, width);
            }
        }
    }

    if diagnostic.omitted_labels > 0 {
        let _ = writeln!(
            out,
            "{pad} {} {} {} more place{} not shown",
            style.gutter("="),
            style.bold("note:"),
            diagnostic.omitted_labels,
            if diagnostic.omitted_labels == 1 {
                " is"
            } else {
                "s are"
            }
        );
    }
    if let Some(help) = &diagnostic.help {
        if diagnostic.span.is_some() {
            let _ = writeln!(out, "{pad} {}", style.gutter("|"));
        }
        let _ = writeln!(
            out,
            "{pad} {} {} {}",
            style.gutter("="),
            style.bold("help:"),
            escape_text(help)
        );
    }
    out.push('\n');
}

struct Annotation<'d> {
    file: FileId,
    span: Span,
    label: Option<&'d str>,
    primary: bool,
}

struct Group<'d> {
    file: FileId,
    annotations: Vec<Annotation<'d>>,
}

/// Groups the primary span and the labels by file, the primary's file first.
fn group_annotations(diagnostic: &Diagnostic) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let Some(span) = diagnostic.span else {
        return groups;
    };
    groups.push(Group {
        file: diagnostic.file,
        annotations: vec![Annotation {
            file: diagnostic.file,
            span,
            label: diagnostic.label.as_deref(),
            primary: true,
        }],
    });
    for label in &diagnostic.labels {
        let annotation = Annotation {
            file: label.file,
            span: label.span,
            label: Some(label.message.as_str()),
            primary: false,
        };
        match groups.iter_mut().find(|g| g.file == label.file) {
            Some(group) => group.annotations.push(annotation),
            None => groups.push(Group {
                file: label.file,
                annotations: vec![annotation],
            }),
        }
    }
    groups
}

/// A line as displayed: its text with tabs expanded and unsafe characters escaped, and the
/// display column of each byte offset.
struct DisplayLine {
    text: String,
    /// `(byte offset in the file, display column)` for each character start, plus the end.
    columns: Vec<(u32, usize)>,
}

impl DisplayLine {
    fn new(line: &ExcerptLine) -> DisplayLine {
        let mut text = String::with_capacity(line.text.len() + 8);
        let mut columns = Vec::with_capacity(line.text.len() + 1);
        let mut column = 0;
        if line.cut_before {
            text.push_str("...");
            column += 3;
        }
        for (i, ch) in line.text.char_indices() {
            columns.push((line.start + i as u32, column));
            if ch == '\t' {
                text.push_str("    ");
                column += 4;
            } else if is_unsafe_char(ch) {
                let escaped = format!("\\u{{{:x}}}", ch as u32);
                column += escaped.len();
                text.push_str(&escaped);
            } else {
                text.push(ch);
                column += ch.width().unwrap_or(0);
            }
        }
        columns.push((line.start + line.text.len() as u32, column));
        if line.cut_after {
            text.push_str("...");
        }
        DisplayLine { text, columns }
    }

    /// Returns the display column of a byte offset, clamped to the kept text.
    fn column(&self, offset: u32) -> usize {
        match self.columns.binary_search_by_key(&offset, |(o, _)| *o) {
            Ok(i) => self.columns[i].1,
            Err(0) => self.columns[0].1,
            Err(i) if i >= self.columns.len() => self.columns[self.columns.len() - 1].1,
            Err(i) => self.columns[i - 1].1,
        }
    }

    fn end_column(&self) -> usize {
        self.columns.last().map_or(0, |(_, c)| *c)
    }
}

fn render_snippet(
    out: &mut String,
    group: &Group<'_>,
    info: &FileInfo,
    severity: Severity,
    style: Style,
    width: usize,
) {
    let pad = " ".repeat(width);
    let bar = style.gutter("|");
    let excerpt = &info.excerpt;

    // Line ranges of each annotation, from the positions stored in the excerpt.
    let ranges: Vec<(u32, u32)> = group
        .annotations
        .iter()
        .map(|a| {
            let start = excerpt.position(a.span.start).line;
            let end_offset = if a.span.end > a.span.start {
                a.span.end - 1
            } else {
                a.span.end
            };
            let end = excerpt.position(a.span.end).line.max(start);
            // A span that ends right after a line break belongs to the line before.
            let end = if end > start
                && excerpt.position(a.span.end).column == 1
                && end_offset < a.span.end
            {
                end - 1
            } else {
                end
            };
            (start, end)
        })
        .collect();
    // One multi-line annotation (the primary when it is one) is drawn with a margin.
    let multi = (0..group.annotations.len())
        .filter(|&i| ranges[i].1 > ranges[i].0)
        .min_by_key(|&i| !group.annotations[i].primary);
    let margin = if multi.is_some() { "  " } else { "" };

    let lines: Vec<&ExcerptLine> = excerpt
        .lines()
        .iter()
        .filter(|line| {
            ranges
                .iter()
                .any(|(s, e)| line.number >= *s && line.number <= *e)
        })
        .collect();

    let _ = writeln!(out, "{pad} {bar}");
    let mut previous: Option<u32> = None;
    for line in lines {
        if previous.is_some_and(|p| line.number > p + 1) {
            let _ = writeln!(out, "{}", style.gutter("..."));
        }
        previous = Some(line.number);
        let display = DisplayLine::new(line);
        let inside_multi =
            multi.is_some_and(|m| line.number > ranges[m].0 && line.number <= ranges[m].1);
        let line_margin = if inside_multi {
            format!(
                "{} ",
                style.severity_or_gutter(group.annotations[multi.unwrap()].primary, severity, "|")
            )
        } else {
            margin.to_string()
        };
        let _ = writeln!(
            out,
            "{} {bar} {line_margin}{}",
            style.gutter(&format!("{:>width$}", line.number)),
            display.text
        );

        for (i, annotation) in group.annotations.iter().enumerate() {
            let (start_line, end_line) = ranges[i];
            let color = |text: &str| {
                style
                    .severity_or_gutter(annotation.primary, severity, text)
                    .into_owned()
            };
            let mark = if annotation.primary { '^' } else { '-' };
            let label = annotation
                .label
                .map(|l| format!(" {}", escape_text(l)))
                .unwrap_or_default();
            if Some(i) == multi {
                if line.number == start_line {
                    let column = display.column(annotation.span.start);
                    let row = format!("  {}{}", "_".repeat(column + 1), mark);
                    let _ = writeln!(out, "{pad} {bar}{}", color(&row));
                } else if line.number == end_line {
                    let end = display.column(annotation.span.end).max(1);
                    let row = format!("|{}{}", "_".repeat(end), mark);
                    let _ = writeln!(out, "{pad} {bar} {}{}", color(&row), color(&label));
                }
                continue;
            }
            if line.number != start_line {
                continue;
            }
            let start = display.column(annotation.span.start);
            let end = if end_line > start_line {
                display.end_column()
            } else {
                display.column(annotation.span.end)
            };
            let length = end.saturating_sub(start).max(1);
            let row = format!("{}{}", " ".repeat(start), mark.to_string().repeat(length));
            let row_margin =
                if multi.is_some_and(|m| line.number > ranges[m].0 && line.number < ranges[m].1) {
                    line_margin.clone()
                } else {
                    margin.to_string()
                };
            let _ = writeln!(
                out,
                "{pad} {bar} {row_margin}{}{}",
                color(&row),
                color(&label)
            );
        }
    }
}

impl Style {
    fn severity_or_gutter<'t>(
        &self,
        primary: bool,
        severity: Severity,
        text: &'t str,
    ) -> Cow<'t, str> {
        if primary {
            self.severity(severity, text)
        } else {
            self.gutter(text)
        }
    }
}
