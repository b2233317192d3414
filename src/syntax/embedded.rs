//! Text embedded in a larger file, such as JSON in a Terraform heredoc, in an escaped HCL
//! string or in a YAML block scalar, with the map from its offsets back to the file.
//!
//! The embedded text is assembled piece by piece: runs copied verbatim keep a one-to-one
//! offset map, while an escape sequence (`\"`, `$${`) or a substituted template expression
//! maps as a whole onto the bytes it came from. Template expressions whose value is unknown
//! become holes, which the JSON parser reads as unknown values (see
//! [`super::json::parse_template`]). Every span of the parsed tree and of a parse error is
//! mapped back, so diagnostics point at the exact bytes of the template file.

use std::borrow::Cow;
use std::ops::Range;

use super::json::{self, Hole, ParseError};
use super::tree::{Member, Node, Value};
use crate::source::Span;

/// The placeholder of a hole in the text handed to the JSON parser. It contains no `"`,
/// `\` or control character, so it can sit inside a JSON string.
const HOLE_TEXT: &str = "\u{FFFC}";

/// One piece of the text and the file bytes it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    text_start: u32,
    text_len: u32,
    file_start: u32,
    file_len: u32,
    /// True when offsets inside the piece map one to one; false for a replacement.
    verbatim: bool,
}

/// Embedded text with its offset map and the template expressions it contains.
#[derive(Clone, Debug, Default)]
pub struct Embedded {
    pub text: String,
    segments: Vec<Segment>,
    holes: Vec<Hole>,
}

impl Embedded {
    pub fn new() -> Embedded {
        Embedded::default()
    }

    /// Builds embedded text that is a plain slice of the file starting at `file_start`.
    pub fn verbatim(text: &str, file_start: usize) -> Embedded {
        let mut embedded = Embedded::new();
        embedded.push_verbatim(text, file_start);
        embedded
    }

    /// Appends text copied unchanged from the file at `file_start`.
    pub fn push_verbatim(&mut self, text: &str, file_start: usize) {
        if text.is_empty() {
            return;
        }
        let text_start = self.text.len() as u32;
        self.text.push_str(text);
        if let Some(last) = self.segments.last_mut()
            && last.verbatim
            && (last.file_start + last.file_len) as usize == file_start
        {
            last.text_len += text.len() as u32;
            last.file_len += text.len() as u32;
            return;
        }
        self.segments.push(Segment {
            text_start,
            text_len: text.len() as u32,
            file_start: file_start as u32,
            file_len: text.len() as u32,
            verbatim: true,
        });
    }

    /// Appends text that stands for the file bytes `file`, such as the character an escape
    /// sequence means or the value of a resolved template expression. A span that starts or
    /// ends inside it maps to the whole of `file`.
    pub fn push_replaced(&mut self, text: &str, file: Range<usize>) {
        let text_start = self.text.len() as u32;
        self.text.push_str(text);
        self.segments.push(Segment {
            text_start,
            text_len: text.len() as u32,
            file_start: file.start as u32,
            file_len: (file.end - file.start) as u32,
            verbatim: false,
        });
    }

    /// Appends a hole: a template expression at `file` whose value is unknown.
    pub fn push_hole(&mut self, file: Range<usize>, reason: impl Into<String>) {
        let start = self.text.len();
        self.push_replaced(HOLE_TEXT, file);
        self.holes.push(Hole {
            range: start..self.text.len(),
            reason: reason.into(),
        });
    }

    /// Tells whether the text contains a template expression whose value is unknown.
    pub fn has_holes(&self) -> bool {
        !self.holes.is_empty()
    }

    /// Maps a span of the embedded text to the span of the file it came from.
    pub fn map_span(&self, span: Span) -> Span {
        Span::new(self.map_start(span.start), self.map_end(span.end))
    }

    fn map_start(&self, offset: u32) -> u32 {
        let index = self
            .segments
            .partition_point(|s| s.text_start + s.text_len <= offset);
        match self.segments.get(index) {
            Some(segment) if segment.verbatim => segment.file_start + (offset - segment.text_start),
            Some(segment) => segment.file_start,
            None => self
                .segments
                .last()
                .map_or(0, |segment| segment.file_start + segment.file_len),
        }
    }

    fn map_end(&self, offset: u32) -> u32 {
        let index = self
            .segments
            .partition_point(|s| s.text_start + s.text_len < offset);
        match self.segments.get(index) {
            Some(segment) if offset <= segment.text_start => segment.file_start,
            Some(segment) if segment.verbatim => segment.file_start + (offset - segment.text_start),
            Some(segment) => segment.file_start + segment.file_len,
            None => self
                .segments
                .last()
                .map_or(0, |segment| segment.file_start + segment.file_len),
        }
    }

    /// Parses the text as JSON and returns the tree with every span mapped into the file.
    pub fn parse_json(&self) -> Result<Node<'static>, ParseError> {
        match json::parse_template(&self.text, &self.holes) {
            Ok(node) => Ok(self.map_node(node)),
            Err(mut error) => {
                error.span = self.map_span(error.span);
                if let Some((span, _)) = &mut error.label {
                    *span = self.map_span(*span);
                }
                Err(error)
            }
        }
    }

    fn map_node(&self, node: Node<'_>) -> Node<'static> {
        let span = self.map_span(node.span);
        let value = match node.value {
            Value::Null => Value::Null,
            Value::Bool(flag) => Value::Bool(flag),
            Value::Number(text) => Value::Number(Cow::Owned(text.into_owned())),
            Value::String(text) => Value::String(Cow::Owned(text.into_owned())),
            Value::Unknown { reason } => Value::Unknown {
                reason: Cow::Owned(reason.into_owned()),
            },
            Value::Array(items) => Value::Array(
                items
                    .into_owned()
                    .into_iter()
                    .map(|item| self.map_node(item))
                    .collect::<Vec<_>>()
                    .into(),
            ),
            Value::Object(members) => Value::Object(
                members
                    .into_owned()
                    .into_iter()
                    .map(|member| Member {
                        key: Cow::Owned(member.key.into_owned()),
                        key_span: self.map_span(member.key_span),
                        value: self.map_node(member.value),
                    })
                    .collect(),
            ),
        };
        Node::new(span, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_spans_shift_by_the_start() {
        let file = "xx{\"a\": 1}";
        let embedded = Embedded::verbatim(&file[2..], 2);
        let root = embedded.parse_json().unwrap();
        assert_eq!(root.span, Span::new(2, 10));
        let member = &root.as_object().unwrap()[0];
        assert_eq!(&file[member.key_span.range()], "\"a\"");
        assert_eq!(&file[member.value.span.range()], "1");
    }

    #[test]
    fn escapes_map_to_their_whole_source() {
        // The file contains `{\"a\":\"b\"}` as an escaped string starting at offset 1.
        let file = "\"{\\\"a\\\":\\\"b\\\"}\"";
        let mut embedded = Embedded::new();
        embedded.push_verbatim("{", 1);
        embedded.push_replaced("\"", 2..4);
        embedded.push_verbatim("a", 4);
        embedded.push_replaced("\"", 5..7);
        embedded.push_verbatim(":", 7);
        embedded.push_replaced("\"", 8..10);
        embedded.push_verbatim("b", 10);
        embedded.push_replaced("\"", 11..13);
        embedded.push_verbatim("}", 13);
        let root = embedded.parse_json().unwrap();
        let member = &root.as_object().unwrap()[0];
        assert_eq!(&file[member.key_span.range()], "\\\"a\\\"");
        assert_eq!(&file[member.value.span.range()], "\\\"b\\\"");
        assert_eq!(&file[root.span.range()], "{\\\"a\\\":\\\"b\\\"}");
    }

    #[test]
    fn holes_become_unknown_values() {
        let file = "{\"R\": ${local.arns}, \"S\": \"x-${var.y}\"}";
        let mut embedded = Embedded::new();
        embedded.push_verbatim("{\"R\": ", 0);
        embedded.push_hole(6..19, "local.arns");
        embedded.push_verbatim(", \"S\": \"x-", 19);
        embedded.push_hole(29..37, "var.y");
        embedded.push_verbatim("\"}", 37);
        let root = embedded.parse_json().unwrap();
        let members = root.as_object().unwrap();
        assert!(members[0].value.is_unknown());
        assert_eq!(&file[members[0].value.span.range()], "${local.arns}");
        assert!(members[1].value.is_unknown());
        assert_eq!(&file[members[1].value.span.range()], "\"x-${var.y}\"");
    }

    #[test]
    fn errors_are_mapped_into_the_file() {
        let file = "<<EOF\n{\"a\": 1,}\nEOF";
        let embedded = Embedded::verbatim(&file[6..15], 6);
        let error = embedded.parse_json().unwrap_err();
        assert_eq!(&file[error.span.range()], ",");
    }

    #[test]
    fn directive_before_closing_bracket_is_an_element() {
        let mut embedded = Embedded::new();
        embedded.push_verbatim("[\"a\", ", 0);
        embedded.push_hole(6..40, "%{ for x in var.list }");
        embedded.push_verbatim(" \"b\"]", 40);
        let root = embedded.parse_json().unwrap();
        let items = root.as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[1].is_unknown());
    }

    #[test]
    fn hole_in_member_position_makes_object_unknown() {
        let mut embedded = Embedded::new();
        embedded.push_verbatim("{\"a\": 1 ", 0);
        embedded.push_hole(8..20, "%{ if var.c }");
        embedded.push_verbatim("}", 20);
        let root = embedded.parse_json().unwrap();
        assert!(root.is_unknown());
    }
}
