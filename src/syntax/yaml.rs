//! A YAML reader that builds the same span-carrying tree as the JSON parser.
//!
//! The tree is built from the events of `saphyr-parser` rather than from a loaded YAML value,
//! because a loaded mapping is a hash map: it drops duplicate keys and the style of each
//! scalar. Here mappings keep their keys in source order with duplicates, and plain scalars
//! are resolved with the YAML 1.2 core schema (`1` is a number, `'1'` a string).
//!
//! ROS templates use short-form tags for intrinsic functions (`!Ref Name`,
//! `!Join [...]`). A tagged node becomes the long form, a one-member object
//! (`{"Ref": "Name"}`, `{"Fn::Join": [...]}`), whose key span is the tag, so templates in
//! either form read the same. Anchors and aliases are expanded, up to [`MAX_ALIAS_NODES`]
//! copied nodes; nesting is limited to [`json::MAX_DEPTH`] levels. Only the first document
//! of a stream is read.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::json::{self, ParseError};
use super::tree::{Children, Member, Node, Value};
use crate::source::Span;

/// The maximum number of nodes that aliases may copy in one document, so that nested aliases
/// cannot expand a small file into an enormous tree.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A YAML scalar as written: its text after unescaping, its style and its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A block scalar (`|` or `>`) or quoted scalar found while building, with its style, so
/// that text embedded in it (such as a JSON policy) can be mapped back to the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalarInfo {
    pub span: Span,
    pub style: Style,
}

/// The parsed document, and the style of every non-plain scalar by span.
#[derive(Debug)]
pub struct Document<'a> {
    pub root: Node<'a>,
    pub styles: HashMap<Span, Style>,
}

/// Converts character indexes, which `saphyr-parser` reports, into byte offsets.
struct Offsets {
    /// The byte offset of each character, plus the end; empty for ASCII text.
    bytes: Vec<u32>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(offset, _)| offset as u32)
                .chain(std::iter::once(text.len() as u32))
                .collect()
        };
        Offsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, index: usize) -> usize {
        if self.bytes.is_empty() {
            index.min(self.len)
        } else {
            self.bytes
                .get(index)
                .map_or(self.len, |&offset| offset as usize)
        }
    }
}

/// A collection being built.
struct Open<'a> {
    kind: OpenKind,
    start: usize,
    /// The span of a short-form tag on the collection, such as `!Join`.
    tag: Option<(String, Span)>,
    anchor: usize,
    /// The offset of the opening bracket of a tagged flow collection.
    bracket: Option<usize>,
    items: Vec<Node<'a>>,
    members: Vec<Member<'a>>,
    /// A mapping key waiting for its value.
    key: Option<Node<'a>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OpenKind {
    Sequence,
    Mapping,
}

/// Parses the first YAML document of `text`.
pub fn parse(text: &str) -> Result<Document<'_>, ParseError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut anchors: HashMap<usize, Node<'_>> = HashMap::new();
    let mut styles = HashMap::new();
    let mut copied = 0usize;
    let mut root: Option<Node<'_>> = None;

    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|error| {
            let at = offsets.byte(error.marker().index());
            let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
            ParseError {
                span: Span::from_range(at, end),
                message: format!("invalid YAML: {}", error.info()),
                label: None,
                help: None,
            }
        })?;
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index());
        let kind = match &event {
            Event::SequenceStart(..) => OpenKind::Sequence,
            _ => OpenKind::Mapping,
        };
        let node = match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Alias(id) => {
                let Some(node) = anchors.get(&id) else {
                    return Err(error_at(start, end, "an alias refers to an unknown anchor"));
                };
                let mut count = 0;
                node.walk(&mut |_| count += 1);
                copied += count;
                if copied > MAX_ALIAS_NODES {
                    return Err(error_at(
                        start,
                        end,
                        &format!("aliases copy more than {MAX_ALIAS_NODES} nodes"),
                    ));
                }
                let mut node = node.clone();
                node.span = Span::from_range(start, end);
                node
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|tag| (tag.handle.clone(), tag.suffix.clone()));
                let span = trim_span(text, start, end);
                let style = convert_style(style);
                if style != Style::Plain {
                    styles.insert(value_span(text, span, tag.is_some()), style);
                }
                let node = scalar(text, value, style, span, tag);
                if anchor != 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                if stack.len() as u32 >= json::MAX_DEPTH {
                    return Err(error_at(
                        start,
                        end.max(start + 1),
                        &format!(
                            "sequences and mappings are nested more than {} levels deep here",
                            json::MAX_DEPTH
                        ),
                    ));
                }
                let tag = tag.and_then(|tag| {
                    short_form(&tag.handle, &tag.suffix)
                        .map(|name| (name, tag_span(text, start, &tag.handle, &tag.suffix)))
                });
                let opening = &text[start..end.max(start)];
                let bracket = (opening.ends_with('[') || opening.ends_with('{')).then(|| end - 1);
                stack.push(Open {
                    kind,
                    start: collection_start(text, start, kind, tag.is_some()),
                    tag,
                    anchor,
                    bracket,
                    items: Vec::new(),
                    members: Vec::new(),
                    key: None,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = stack.pop() else {
                    continue;
                };
                let flow_end = end > start && matches!(text.as_bytes()[start], b']' | b'}');
                finish(open, if flow_end { Some(end) } else { None }, &mut anchors)
            }
        };
        match stack.last_mut() {
            None => {
                root = Some(node);
            }
            Some(open) => add_child(open, node),
        }
    }
    let root = root.unwrap_or_else(|| Node::new(Span::from_range(0, 0), Value::Null));
    Ok(Document { root, styles })
}

fn error_at(start: usize, end: usize, message: &str) -> ParseError {
    ParseError {
        span: Span::from_range(start, end),
        message: format!("invalid YAML: {message}"),
        label: None,
        help: None,
    }
}

fn add_child<'a>(open: &mut Open<'a>, node: Node<'a>) {
    match open.kind {
        OpenKind::Sequence => open.items.push(node),
        OpenKind::Mapping => match open.key.take() {
            None => open.key = Some(node),
            Some(key) => {
                let name = match &key.value {
                    Value::String(text) | Value::Number(text) => text.clone(),
                    Value::Bool(true) => Cow::Borrowed("true"),
                    Value::Bool(false) => Cow::Borrowed("false"),
                    Value::Null => Cow::Borrowed(""),
                    // A collection as a key has no name a policy could use.
                    _ => Cow::Borrowed("?"),
                };
                open.members.push(Member {
                    key: name,
                    key_span: key.span,
                    value: node,
                });
            }
        },
    }
}

/// Closes a collection. `flow_end` is the end of its closing bracket, when it has one; a
/// block collection ends where its last child ends.
fn finish<'a>(
    open: Open<'a>,
    flow_end: Option<usize>,
    anchors: &mut HashMap<usize, Node<'a>>,
) -> Node<'a> {
    let last_end = match open.kind {
        OpenKind::Sequence => open.items.last().map(|n| n.span.end as usize),
        OpenKind::Mapping => open.members.last().map(|m| m.value.span.end as usize),
    };
    let end = flow_end.or(last_end).unwrap_or(open.start);
    let value = match open.kind {
        OpenKind::Sequence => Value::Array(Children::Owned(open.items)),
        OpenKind::Mapping => Value::Object(Children::Owned(open.members)),
    };
    let inner_start = match (&open.tag, open.bracket) {
        (Some(_), Some(bracket)) => bracket,
        (Some((_, tag)), None) => first_content(value_children_start(&value), open.start, tag.end),
        (None, _) => open.start,
    };
    let inner = Node::new(Span::from_range(inner_start, end), value);
    let node = match open.tag {
        Some((name, tag_span)) => Node::new(
            Span::from_range(open.start, end),
            Value::Object(Children::Owned(vec![Member {
                key: Cow::Owned(name),
                key_span: tag_span,
                value: inner,
            }])),
        ),
        None => inner,
    };
    if open.anchor != 0 {
        anchors.insert(open.anchor, node.clone());
    }
    node
}

fn value_children_start(value: &Value<'_>) -> Option<u32> {
    match value {
        Value::Array(items) => items.first().map(|n| n.span.start),
        Value::Object(members) => members.first().map(|m| m.key_span.start),
        _ => None,
    }
}

/// Returns where the content of a tagged collection starts: its first child, unless a
/// bracket opens it earlier.
fn first_content(child: Option<u32>, start: usize, tag_end: u32) -> usize {
    match child {
        Some(child) => (child as usize).max(tag_end as usize).max(start),
        None => tag_end as usize,
    }
}

/// Returns the start of a collection: the `-` of a block sequence's first item, or the
/// event's start (the tag or the opening bracket).
fn collection_start(text: &str, start: usize, kind: OpenKind, tagged: bool) -> usize {
    if kind == OpenKind::Sequence && !tagged {
        let before = text[..start].trim_end_matches(' ');
        if before.ends_with('-') {
            return before.len() - 1;
        }
    }
    start
}

/// Trims the whitespace (and the line breaks of block scalars) from the end of a span.
fn trim_span(text: &str, start: usize, end: usize) -> Span {
    let end = end.min(text.len()).max(start);
    let trimmed = text[start..end].trim_end_matches([' ', '\t', '\r', '\n']);
    Span::from_range(start, start + trimmed.len())
}

/// Returns the span of a scalar's value without its tag.
fn value_span(text: &str, span: Span, tagged: bool) -> Span {
    if !tagged || !text[span.range()].starts_with('!') {
        return span;
    }
    let raw = &text[span.range()];
    let after_tag = raw.find([' ', '\t', '\n']).unwrap_or(raw.len());
    let rest = &raw[after_tag..];
    let value_start = after_tag + (rest.len() - rest.trim_start().len());
    Span::from_range(span.start as usize + value_start, span.end as usize)
}

/// Returns the span of a tag written at `start`.
fn tag_span(text: &str, start: usize, handle: &str, suffix: &str) -> Span {
    let len = handle.len() + suffix.len();
    if text[start..].starts_with('!') && start + len <= text.len() {
        Span::from_range(start, start + len)
    } else {
        Span::from_range(start, start)
    }
}

fn convert_style(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

/// Returns the long-form key for a short-form tag of a ROS intrinsic function: `!Ref` and
/// `!Condition` keep their name, every other `!Name` becomes `Fn::Name`. Tags of other
/// handles (`!!str`) are not functions.
fn short_form(handle: &str, suffix: &str) -> Option<String> {
    if handle != "!" || suffix.is_empty() {
        return None;
    }
    Some(match suffix {
        "Ref" | "Condition" => suffix.to_string(),
        _ => format!("Fn::{suffix}"),
    })
}

/// Builds the node of a scalar, resolving plain scalars with the YAML 1.2 core schema.
fn scalar<'a>(
    text: &'a str,
    value: Cow<'a, str>,
    style: Style,
    span: Span,
    tag: Option<(String, String)>,
) -> Node<'a> {
    let inner_span = value_span(text, span, tag.is_some());
    let forced_string = matches!(&tag, Some((handle, suffix)) if handle == "!!" && suffix == "str");
    let resolved = if style == Style::Plain && !forced_string {
        resolve_plain(value)
    } else {
        Value::String(value)
    };
    let node = Node::new(inner_span, resolved);
    match tag.and_then(|(handle, suffix)| {
        short_form(&handle, &suffix)
            .map(|name| (name, tag_span(text, span.start as usize, &handle, &suffix)))
    }) {
        Some((name, tag_span)) => Node::new(
            span,
            Value::Object(Children::Owned(vec![Member {
                key: Cow::Owned(name),
                key_span: tag_span,
                value: node,
            }])),
        ),
        None => node,
    }
}

fn resolve_plain(value: Cow<'_, str>) -> Value<'_> {
    match value.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if is_core_number(&value) {
        Value::Number(value)
    } else {
        Value::String(value)
    }
}

/// Tells whether a plain scalar is an integer or a float in the YAML 1.2 core schema.
fn is_core_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(octal) = text.strip_prefix("0o") {
        return !octal.is_empty() && octal.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (!whole.is_empty() || !fraction.is_empty())
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|exp| {
        let digits = exp.strip_prefix(['-', '+']).unwrap_or(exp);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn mapping_keeps_duplicates_and_spans() {
        let text = "a: 1\nb: x\na: '2'\n";
        let doc = parse(text).unwrap();
        let members = doc.root.as_object().unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(slice(text, members[2].key_span), "a");
        assert_eq!(slice(text, members[2].value.span), "'2'");
        assert_eq!(members[0].value.value, Value::Number("1".into()));
        assert_eq!(members[2].value.value, Value::String("2".into()));
        assert_eq!(slice(text, doc.root.span), "a: 1\nb: x\na: '2'");
    }

    #[test]
    fn short_tags_become_long_form() {
        let text = "x: !Ref Name\ny: !Join ['', [a, !Ref B]]\n";
        let doc = parse(text).unwrap();
        let x = &doc.root.as_object().unwrap()[0].value;
        let reference = &x.as_object().unwrap()[0];
        assert_eq!(reference.key, "Ref");
        assert_eq!(slice(text, reference.key_span), "!Ref");
        assert_eq!(slice(text, reference.value.span), "Name");
        assert_eq!(slice(text, x.span), "!Ref Name");
        let y = &doc.root.as_object().unwrap()[1].value;
        let join = &y.as_object().unwrap()[0];
        assert_eq!(join.key, "Fn::Join");
        assert_eq!(slice(text, join.value.span), "['', [a, !Ref B]]");
    }

    #[test]
    fn spans_are_bytes_after_non_ascii_text() {
        let text = "# é\nk: ü\nv: 1\n";
        let doc = parse(text).unwrap();
        let members = doc.root.as_object().unwrap();
        assert_eq!(slice(text, members[1].key_span), "v");
        assert_eq!(slice(text, members[0].value.span), "ü");
    }

    #[test]
    fn block_sequence_starts_at_dash() {
        let text = "s:\n- a: 1\n  b: 2\n- c\n";
        let doc = parse(text).unwrap();
        let seq = &doc.root.as_object().unwrap()[0].value;
        assert_eq!(slice(text, seq.span), "- a: 1\n  b: 2\n- c");
        let first = &seq.as_array().unwrap()[0];
        assert_eq!(slice(text, first.span), "a: 1\n  b: 2");
    }

    #[test]
    fn block_scalar_span_ends_at_content() {
        let text = "d: |-\n  {\"a\": 1}\n\ne: 2\n";
        let doc = parse(text).unwrap();
        let value = &doc.root.as_object().unwrap()[0].value;
        assert_eq!(slice(text, value.span), "{\"a\": 1}");
        assert_eq!(doc.styles.get(&value.span), Some(&Style::Literal));
    }

    #[test]
    fn core_schema_numbers() {
        for number in ["1", "-2", "1.5", "1e3", ".5", "0x1F", "0o7", ".inf"] {
            assert!(is_core_number(number), "{number}");
        }
        for text in ["1.2.3", "v2", "1.6.20", "0x", "e3", "."] {
            assert!(!is_core_number(text), "{text}");
        }
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in 'b'..='k' {
            let items = vec![format!("*{previous}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{items}]\n"));
            previous = name;
        }
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("aliases copy"), "{}", error.message);
    }

    #[test]
    fn invalid_yaml_points_at_the_error() {
        let text = "a: [1, 2\nb: 3\n";
        let error = parse(text).unwrap_err();
        assert!(
            error.message.starts_with("invalid YAML"),
            "{}",
            error.message
        );
    }
}
