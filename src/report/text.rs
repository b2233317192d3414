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

use smallvec::SmallVec;
use unicode_width::UnicodeWidthChar;

use crate::diagnostic::{Diagnostic, FileId, Severity, is_unsafe_char};
use crate::engine::FileInfo;
use crate::source::{ExcerptLine, Span, push_decimal};

/// ANSI styling, or none.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

const GUTTER: &str = "1;34";
const BOLD: &str = "1";

impl Style {
    /// Starts a styled run, which [`Style::close`] ends. Both write nothing without color.
    fn open(&self, out: &mut String, code: &str) {
        if self.color {
            out.push_str("\x1b[");
            out.push_str(code);
            out.push('m');
        }
    }

    fn close(&self, out: &mut String) {
        if self.color {
            out.push_str("\x1b[0m");
        }
    }

    /// Writes `text` in the style `code`. Empty text gets no escape codes.
    fn put(&self, out: &mut String, code: &str, text: &str) {
        if !text.is_empty() {
            self.open(out, code);
            out.push_str(text);
            self.close(out);
        }
    }
}

fn severity_code(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

/// Returns the style of an annotation: the severity's for the primary span, else the gutter's.
fn annotation_code(primary: bool, severity: Severity) -> &'static str {
    if primary {
        severity_code(severity)
    } else {
        GUTTER
    }
}

fn push_repeated(out: &mut String, ch: char, count: usize) {
    // Indentation and underlines are runs of one ASCII character, copied from a block of
    // them instead of pushed one at a time.
    let block = match ch {
        ' ' => SPACES,
        '^' => CARETS,
        '-' => DASHES,
        '_' => UNDERSCORES,
        _ => {
            out.extend(std::iter::repeat_n(ch, count));
            return;
        }
    };
    let mut left = count;
    while left > 0 {
        let take = left.min(block.len());
        out.push_str(&block[..take]);
        left -= take;
    }
}

const SPACES: &str = "                                                                ";
const CARETS: &str = "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^";
const DASHES: &str = "----------------------------------------------------------------";
const UNDERSCORES: &str = "________________________________________________________________";

fn digit_count(number: u32) -> usize {
    number.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// Tells whether every byte of `text` is printable ASCII. Blocks of sixteen bytes are tested
/// without an early exit, which the compiler turns into vector compares.
fn is_printable_ascii(text: &str) -> bool {
    let printable = |byte: u8| (0x20..0x7f).contains(&byte);
    let mut blocks = text.as_bytes().chunks_exact(16);
    blocks.all(|block| block.iter().fold(true, |all, &byte| all & printable(byte)))
        && blocks.remainder().iter().all(|&byte| printable(byte))
}

/// Escapes characters that must not reach a terminal raw, in paths and other text that is
/// not a source line.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    // Printable ASCII, the usual case, needs no escaping.
    if is_printable_ascii(text) {
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
    style.open(out, severity_code(severity));
    out.push_str(severity.as_str());
    out.push('[');
    out.push_str(diagnostic.rule.id);
    out.push(']');
    style.close(out);
    style.open(out, BOLD);
    out.push_str(": ");
    out.push_str(&escape_text(&diagnostic.message));
    style.close(out);
    out.push('\n');

    let groups = group_annotations(diagnostic);
    let last_line = groups
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
        .unwrap_or(1);
    let width = digit_count(last_line);
    let file = &files[diagnostic.file.0 as usize];

    match diagnostic.span {
        None => {
            push_repeated(out, ' ', width);
            style.put(out, GUTTER, "-->");
            out.push(' ');
            out.push_str(&escape_text(&file.display));
            out.push('\n');
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
                push_repeated(out, ' ', width);
                style.put(out, GUTTER, if i == 0 { "-->" } else { ":::" });
                out.push(' ');
                out.push_str(&escape_text(&info.display));
                out.push(':');
                push_decimal(out, u64::from(position.line));
                out.push(':');
                push_decimal(out, u64::from(position.column));
                out.push('\n');
                render_snippet(out, group, info, severity, style, width);
            }
        }
    }

    if diagnostic.omitted_labels > 0 {
        push_repeated(out, ' ', width + 1);
        style.put(out, GUTTER, "=");
        out.push(' ');
        style.put(out, BOLD, "note:");
        out.push(' ');
        push_decimal(out, diagnostic.omitted_labels as u64);
        out.push_str(if diagnostic.omitted_labels == 1 {
            " more place is not shown\n"
        } else {
            " more places are not shown\n"
        });
    }
    if let Some(help) = &diagnostic.help {
        if diagnostic.span.is_some() {
            push_repeated(out, ' ', width + 1);
            style.put(out, GUTTER, "|");
            out.push('\n');
        }
        push_repeated(out, ' ', width + 1);
        style.put(out, GUTTER, "=");
        out.push(' ');
        style.put(out, BOLD, "help:");
        out.push(' ');
        out.push_str(&escape_text(help));
        out.push('\n');
    }
    out.push('\n');
}

struct Annotation<'d> {
    file: FileId,
    span: Span,
    label: Option<&'d str>,
    primary: bool,
}

/// The annotations of one file. Up to two are kept without allocating.
struct Group<'d> {
    file: FileId,
    annotations: SmallVec<[Annotation<'d>; 2]>,
}

/// Groups the primary span and the labels by file, the primary's file first.
fn group_annotations(diagnostic: &Diagnostic) -> SmallVec<[Group<'_>; 2]> {
    let mut groups: SmallVec<[Group<'_>; 2]> = SmallVec::new();
    let Some(span) = diagnostic.span else {
        return groups;
    };
    groups.push(Group {
        file: diagnostic.file,
        annotations: smallvec::smallvec![Annotation {
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
                annotations: smallvec::smallvec![annotation],
            }),
        }
    }
    groups
}

/// A line as displayed: its text with tabs expanded and unsafe characters escaped, and the
/// display column of each byte offset.
struct DisplayLine<'l> {
    text: Cow<'l, str>,
    /// The byte offset in the file where the kept text starts, and its length in bytes.
    start: u32,
    len: u32,
    /// The display column of the kept text's first character (3 after a leading "...").
    first_column: usize,
    /// `(byte offset in the file, display column)` for each character start, plus the end.
    /// It is empty when the text is printable ASCII, where each byte takes one column.
    columns: Vec<(u32, usize)>,
}

impl<'a> DisplayLine<'a> {
    fn new(line: ExcerptLine<'a>) -> DisplayLine<'a> {
        let first_column = if line.cut_before { 3 } else { 0 };
        let printable = is_printable_ascii(line.text);
        if printable {
            let text = if line.cut_before || line.cut_after {
                let mut text = String::with_capacity(line.text.len() + 6);
                if line.cut_before {
                    text.push_str("...");
                }
                text.push_str(line.text);
                if line.cut_after {
                    text.push_str("...");
                }
                Cow::Owned(text)
            } else {
                Cow::Borrowed(line.text)
            };
            return DisplayLine {
                text,
                start: line.start,
                len: line.text.len() as u32,
                first_column,
                columns: Vec::new(),
            };
        }
        let mut text = String::with_capacity(line.text.len() + 8);
        let mut columns = Vec::with_capacity(line.text.len() + 1);
        let mut column = first_column;
        if line.cut_before {
            text.push_str("...");
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
        DisplayLine {
            text: Cow::Owned(text),
            start: line.start,
            len: line.text.len() as u32,
            first_column,
            columns,
        }
    }

    /// Returns the display column of a byte offset, clamped to the kept text.
    fn column(&self, offset: u32) -> usize {
        if self.columns.is_empty() {
            let within = offset.clamp(self.start, self.start + self.len) - self.start;
            return self.first_column + within as usize;
        }
        match self.columns.binary_search_by_key(&offset, |(o, _)| *o) {
            Ok(i) => self.columns[i].1,
            Err(0) => self.columns[0].1,
            Err(i) if i >= self.columns.len() => self.columns[self.columns.len() - 1].1,
            Err(i) => self.columns[i - 1].1,
        }
    }

    fn end_column(&self) -> usize {
        match self.columns.last() {
            Some((_, column)) => *column,
            None => self.first_column + self.len as usize,
        }
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
    let excerpt = &info.excerpt;

    // Line ranges of each annotation, from the positions stored in the excerpt.
    let ranges: SmallVec<[(u32, u32); 4]> = group
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
    // Writes the gutter of a row under a source line: padding and the bar.
    let gutter = |out: &mut String| {
        push_repeated(out, ' ', width + 1);
        style.put(out, GUTTER, "|");
    };

    gutter(out);
    out.push('\n');
    let mut previous: Option<u32> = None;
    let visible_lines =
        excerpt.lines_where(|number| ranges.iter().any(|(s, e)| number >= *s && number <= *e));
    for line in visible_lines {
        if previous.is_some_and(|p| line.number > p + 1) {
            style.put(out, GUTTER, "...");
            out.push('\n');
        }
        previous = Some(line.number);
        let display = DisplayLine::new(line);
        let inside_multi =
            multi.is_some_and(|m| line.number > ranges[m].0 && line.number <= ranges[m].1);
        // The margin of rows inside the multi-line annotation: its bar and a space.
        let line_margin = |out: &mut String| {
            if let Some(m) = multi.filter(|_| inside_multi) {
                style.put(
                    out,
                    annotation_code(group.annotations[m].primary, severity),
                    "|",
                );
                out.push(' ');
            } else {
                out.push_str(margin);
            }
        };
        style.open(out, GUTTER);
        push_repeated(out, ' ', width - digit_count(line.number).min(width));
        push_decimal(out, u64::from(line.number));
        style.close(out);
        out.push(' ');
        style.put(out, GUTTER, "|");
        out.push(' ');
        line_margin(out);
        out.push_str(&display.text);
        out.push('\n');

        for (i, annotation) in group.annotations.iter().enumerate() {
            let (start_line, end_line) = ranges[i];
            let code = annotation_code(annotation.primary, severity);
            let mark = if annotation.primary { '^' } else { '-' };
            let label = |out: &mut String| {
                if let Some(text) = annotation.label {
                    style.open(out, code);
                    out.push(' ');
                    out.push_str(&escape_text(text));
                    style.close(out);
                }
            };
            if Some(i) == multi {
                if line.number == start_line {
                    let column = display.column(annotation.span.start);
                    gutter(out);
                    style.open(out, code);
                    out.push_str("  ");
                    push_repeated(out, '_', column + 1);
                    out.push(mark);
                    style.close(out);
                    out.push('\n');
                } else if line.number == end_line {
                    let end = display.column(annotation.span.end).max(1);
                    gutter(out);
                    out.push(' ');
                    style.open(out, code);
                    out.push('|');
                    push_repeated(out, '_', end);
                    out.push(mark);
                    style.close(out);
                    label(out);
                    out.push('\n');
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
            gutter(out);
            out.push(' ');
            if multi.is_some_and(|m| line.number > ranges[m].0 && line.number < ranges[m].1) {
                line_margin(out);
            } else {
                out.push_str(margin);
            }
            style.open(out, code);
            push_repeated(out, ' ', start);
            push_repeated(out, mark, length);
            style.close(out);
            label(out);
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_check_any_position() {
        // One character in every position of texts that end inside and after a block.
        for length in 0..40 {
            for at in 0..length {
                for ch in [' ', '~', 'a', '\u{7f}', '\u{1f}', '\t', '\u{e9}'] {
                    let mut text = "a".repeat(length);
                    text.replace_range(at..=at, ch.encode_utf8(&mut [0; 4]));
                    let expected = (' '..='~').contains(&ch);
                    assert_eq!(is_printable_ascii(&text), expected, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn repeated_runs_any_length() {
        for ch in [' ', '^', '-', '_', '~', '中'] {
            for count in [0, 1, 63, 64, 65, 200] {
                let mut out = "x".to_string();
                push_repeated(&mut out, ch, count);
                let expected = format!("x{}", ch.to_string().repeat(count));
                assert_eq!(out, expected, "{ch:?} {count}");
            }
        }
    }
}
