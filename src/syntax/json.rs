//! A strict RFC 8259 JSON parser that keeps the byte span of every key and value.
//!
//! We parse JSON ourselves rather than through a general-purpose crate for three reasons:
//! the tree must keep duplicate keys in source order with both spans, a syntax error must name
//! what was expected and what was found (with hints for the comments, trailing commas and
//! no-break spaces that documentation copies are full of), and scanning a large repository
//! must cost little more than parsing does. Strings without escapes borrow from the input.
//!
//! Nesting is limited to [`MAX_DEPTH`] levels, so hostile input produces an error instead of
//! exhausting the stack.

use std::borrow::Cow;
use std::ops::Range;

use bumpalo::Bump;

use super::tree::{Children, Member, Node, Value};
use crate::source::Span;

/// The deepest nesting of arrays and objects accepted. Policies nest about six levels deep.
pub const MAX_DEPTH: u32 = 128;

/// A syntax error with the span of the offending text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
    /// A second place worth showing, such as where an unclosed object was opened.
    pub label: Option<(Span, String)>,
    pub help: Option<String>,
}

/// A stretch of JSON text that stands for a template expression (`${...}` or `%{...}`) whose
/// value is only known when the template is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hole {
    /// The byte range of the placeholder in the parsed text.
    pub range: Range<usize>,
    /// The expression as written, which becomes the reason of the unknown value.
    pub reason: String,
}

/// Parses `text` as one JSON document. A UTF-8 byte-order mark at the start is skipped and
/// spans stay offsets into `text`, so they still point at the original bytes.
pub fn parse(text: &str) -> Result<Node<'_>, ParseError> {
    parse_template(text, &[])
}

/// A parsed JSON document, with what the parser found out about it.
pub struct Parsed<'a> {
    pub root: Node<'a>,
    pub facts: Facts,
}

/// Facts about a document that the parser finds while parsing. They save checks a separate
/// pass over the tree or the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Whether some object of the document may have a key more than once. The duplicate-key
    /// check walks the tree only when it may.
    pub duplicate_keys: bool,
    /// The number of whitespace bytes between the tokens of the root value, when known. The
    /// root's length in characters minus this is its length without insignificant whitespace.
    pub inner_whitespace: Option<usize>,
}

impl Facts {
    /// The facts to assume of a tree that the JSON parser did not build from the text at
    /// its span, such as one built from a template.
    pub const UNKNOWN: Facts = Facts {
        duplicate_keys: true,
        inner_whitespace: None,
    };
}

/// Parses `text` as [`parse`] does, with containers and unescaped strings in `arena`, and
/// returns the [`Facts`] found on the way.
pub fn parse_document<'a>(text: &'a str, arena: &'a Bump) -> Result<Parsed<'a>, ParseError> {
    let mut parser = Parser::new(text, &[], Some(arena));
    let first = parser.pos;
    let root = parser.parse_document()?;
    // Whitespace before and after the root value was skipped too, and is not inside it.
    let outside = (root.span.start as usize - first) + (parser.pos - root.span.end as usize);
    Ok(Parsed {
        facts: Facts {
            duplicate_keys: parser.duplicate_keys,
            inner_whitespace: Some(parser.whitespace - outside),
        },
        root,
    })
}

/// Parses JSON text produced by a template, in which `holes` (sorted, not overlapping) mark
/// template expressions. A hole where a value is expected becomes [`Value::Unknown`], and so
/// does a string that contains one. A hole where a separator or a key is expected may add
/// elements or members: it becomes an unknown element of an array, and makes an object
/// unknown as a whole, since the members it adds could be any. The text of a hole must not
/// contain `"`, `\` or control characters.
pub fn parse_template<'a>(text: &'a str, holes: &[Hole]) -> Result<Node<'a>, ParseError> {
    Parser::new(text, holes, None).parse_document()
}

impl<'a, 'h> Parser<'a, 'h> {
    fn new(text: &'a str, holes: &'h [Hole], arena: Option<&'a Bump>) -> Parser<'a, 'h> {
        Parser {
            text,
            arena,
            bytes: text.as_bytes(),
            // A byte-order mark is skipped, and spans still count its bytes.
            pos: if text.starts_with('\u{FEFF}') { 3 } else { 0 },
            depth: 0,
            holes,
            // Room for the members and elements of a typical policy, so that the stacks
            // rarely grow while it is parsed.
            members: Vec::with_capacity(32),
            items: Vec::with_capacity(64),
            duplicate_keys: false,
            whitespace: 0,
        }
    }

    /// Parses the whole text as one JSON value.
    fn parse_document(&mut self) -> Result<Node<'a>, ParseError> {
        let text = self.text;
        self.skip_whitespace()?;
        if self.pos == self.bytes.len() {
            let message = if text.trim_start_matches('\u{FEFF}').is_empty() {
                "the file is empty; expected a JSON value"
            } else {
                "the file contains only whitespace; expected a JSON value"
            };
            return Err(ParseError {
                span: Span::from_range(self.pos, self.pos),
                message: message.to_string(),
                label: None,
                help: None,
            });
        }
        let node = self.parse_value()?;
        self.skip_whitespace()?;
        if self.pos < self.bytes.len() {
            let (span, found) = self.describe_next();
            let help = if self.starts_comment() {
                Some("JSON has no comments; remove it".to_string())
            } else if matches!(self.bytes[self.pos], b'{' | b'[') {
                Some(
                    "a file holds one JSON document; split the documents into separate files"
                        .to_string(),
                )
            } else {
                None
            };
            let last = Span::from_range(node.span.end as usize - 1, node.span.end as usize);
            return Err(ParseError {
                span,
                message: format!(
                    "expected the end of the file after the JSON value, found {found}"
                ),
                label: Some((last, "the JSON value ends here".to_string())),
                help,
            });
        }
        Ok(node)
    }
}

/// Bytes that end a run of plain characters in a string: the closing quote, the start of an
/// escape, and control characters, which JSON does not allow unescaped.
const STRING_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        stops[byte] = true;
        byte += 1;
    }
    stops[b'"' as usize] = true;
    stops[b'\\' as usize] = true;
    stops
};

/// Finds the first quote, backslash or control byte at or after `pos`, or the end of
/// `bytes`, testing sixteen bytes at a time where SSE2 is available and eight otherwise.
fn string_stop(bytes: &[u8], mut pos: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while let Some(block) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<16>) {
        let stops = string_stop_mask(block);
        if stops != 0 {
            return pos + stops.trailing_zeros() as usize;
        }
        pos += 16;
    }
    const fn splat(byte: u8) -> u64 {
        u64::from_ne_bytes([byte; 8])
    }
    const ONES: u64 = splat(0x01);
    const HIGH_BITS: u64 = splat(0x80);
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        // A byte equal to `b` is a zero byte of `word ^ splat(b)`, found by the borrow trick.
        // A borrow marks only bytes above a real match, so the lowest marked byte is exact.
        let word = u64::from_le_bytes(*chunk);
        let quote = word ^ splat(b'"');
        let backslash = word ^ splat(b'\\');
        let marked = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(splat(0x20)) & !word))
            & HIGH_BITS;
        if marked != 0 {
            return pos + (marked.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while bytes
        .get(pos)
        .is_some_and(|&byte| !STRING_STOPS[byte as usize])
    {
        pos += 1;
    }
    pos
}

/// Returns a mask with bit `i` set when byte `i` of `block` is JSON whitespace, from four
/// vector compares.
#[cfg(target_arch = "x86_64")]
fn whitespace_mask(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is in the x86_64 baseline, and the unaligned load reads exactly the 16
    // bytes of `block`.
    unsafe {
        let bytes = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        let equal = |byte: u8| _mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8));
        let blank = _mm_or_si128(
            _mm_or_si128(equal(b' '), equal(b'\n')),
            _mm_or_si128(equal(b'\t'), equal(b'\r')),
        );
        _mm_movemask_epi8(blank) as u32
    }
}

/// Returns a mask with bit `i` set when byte `i` of `block` ends a run of plain characters
/// in a string, as [`STRING_STOPS`] defines.
#[cfg(target_arch = "x86_64")]
fn string_stop_mask(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is in the x86_64 baseline, and the unaligned load reads exactly the 16
    // bytes of `block`.
    unsafe {
        let bytes = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        let equal = |byte: u8| _mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8));
        // A byte is a control character when its unsigned minimum with 0x1F is itself.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1F)), bytes);
        let stops = _mm_or_si128(_mm_or_si128(equal(b'"'), equal(b'\\')), control);
        _mm_movemask_epi8(stops) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn whitespace_mask(block: &[u8; 16]) -> u32 {
    portable_whitespace_mask(block)
}

/// Returns a mask with bit `i` set when byte `i` of `block` is JSON whitespace, one byte at
/// a time, for processors without the vector version.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn portable_whitespace_mask(block: &[u8; 16]) -> u32 {
    let mut mask = 0;
    for (index, &byte) in block.iter().enumerate() {
        let blank = matches!(byte, b' ' | b'\n' | b'\t' | b'\r');
        mask |= u32::from(blank) << index;
    }
    mask
}

struct Parser<'a, 'h> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
    holes: &'h [Hole],
    /// Members of the objects being parsed, innermost last. Each object moves its members
    /// out into a vector of the exact size when it closes, so building a tree costs one
    /// allocation per container instead of a series of reallocations.
    members: Vec<Member<'a>>,
    /// Elements of the arrays being parsed, kept the same way.
    items: Vec<Node<'a>>,
    /// Set when an object closes with a key it has more than once.
    duplicate_keys: bool,
    /// The number of whitespace bytes skipped between tokens so far.
    whitespace: usize,
    /// The arena for containers and unescaped strings, which makes the tree free to drop.
    /// Without one, the tree owns them. Bumpalo runs no destructors, so nothing in the
    /// arena may own memory from the global allocator.
    arena: Option<&'a Bump>,
}

impl<'a> Parser<'a, '_> {
    /// Returns the hole that starts at the current position.
    fn hole_here(&self) -> Option<&Hole> {
        if self.holes.is_empty() {
            return None;
        }
        let index = self
            .holes
            .partition_point(|hole| hole.range.start < self.pos);
        self.holes
            .get(index)
            .filter(|hole| hole.range.start == self.pos)
    }

    /// Returns the first hole inside `range`, such as one within a string.
    fn hole_within(&self, range: Range<usize>) -> Option<&Hole> {
        if self.holes.is_empty() {
            return None;
        }
        let index = self
            .holes
            .partition_point(|hole| hole.range.start < range.start);
        self.holes
            .get(index)
            .filter(|hole| hole.range.end <= range.end)
    }

    /// Consumes the hole at the current position and returns it as an unknown value.
    fn take_hole(&mut self) -> Option<Node<'a>> {
        let hole = self.hole_here()?;
        let node = Node::new(
            Span::from_range(hole.range.start, hole.range.end),
            Value::Unknown {
                reason: Cow::Owned(hole.reason.clone()),
            },
        );
        self.pos = hole.range.end;
        Some(node)
    }

    /// Skips JSON whitespace, and rejects characters that only look like it. Most calls find
    /// a token at once, or one space before it as after a colon, so that much is inlined.
    #[inline(always)]
    fn skip_whitespace(&mut self) -> Result<(), ParseError> {
        let is_token = |byte: u8| byte > b' ' && byte < 0x80;
        let next = |at: usize| self.bytes.get(at).copied().unwrap_or(0);
        if is_token(next(self.pos)) {
            return Ok(());
        }
        if next(self.pos) == b' ' && is_token(next(self.pos + 1)) {
            self.pos += 1;
            self.whitespace += 1;
            return Ok(());
        }
        let start = self.pos;
        self.skip_whitespace_run();
        self.whitespace += self.pos - start;
        // Only a non-ASCII character can be a whitespace lookalike.
        if self.bytes.get(self.pos).is_some_and(|&byte| byte >= 0x80) {
            return self.check_lookalike();
        }
        Ok(())
    }

    /// Moves past a run of JSON whitespace. It returns nothing, so that the call stays cheap
    /// for the parser's most frequent step.
    #[inline(never)]
    fn skip_whitespace_run(&mut self) {
        // Sixteen bytes at a time: a line feed and the next line's indentation usually end
        // within one or two blocks.
        while let Some(block) = self
            .bytes
            .get(self.pos..)
            .and_then(<[u8]>::first_chunk::<16>)
        {
            let other = !whitespace_mask(block) & 0xFFFF;
            if other == 0 {
                self.pos += 16;
                continue;
            }
            self.pos += other.trailing_zeros() as usize;
            return;
        }
        while let Some(&byte) = self.bytes.get(self.pos) {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.pos += 1;
        }
    }

    /// Rejects a character after whitespace that looks like whitespace but is not JSON
    /// whitespace. Text copied from web pages often contains one.
    #[cold]
    #[inline(never)]
    fn check_lookalike(&self) -> Result<(), ParseError> {
        if self.bytes.get(self.pos).is_none_or(|&byte| byte < 0x80) {
            return Ok(());
        }
        let ch = self.char_at(self.pos);
        if ch.is_whitespace() || ch == '\u{FEFF}' || ch == '\u{200B}' {
            return Err(ParseError {
                span: self.char_span(self.pos),
                message: format!("{} is not JSON whitespace", describe_char(ch)),
                label: None,
                help: Some("replace it with a plain space".to_string()),
            });
        }
        Ok(())
    }

    fn parse_value(&mut self) -> Result<Node<'a>, ParseError> {
        let start = self.pos;
        if let Some(hole) = self.take_hole() {
            return Ok(hole);
        }
        match self.bytes.get(self.pos) {
            Some(b'{') => self.parse_object(),
            Some(b'[') => self.parse_array(),
            Some(b'"') => {
                let text = self.parse_string()?;
                let span = Span::from_range(start, self.pos);
                if let Some(hole) = self.hole_within(start..self.pos) {
                    let reason = Cow::Owned(hole.reason.clone());
                    return Ok(Node::new(span, Value::Unknown { reason }));
                }
                Ok(Node::new(span, Value::String(text)))
            }
            Some(b'-' | b'0'..=b'9') => self.parse_number(),
            Some(b't') if self.bytes[self.pos..].starts_with(b"true") => {
                self.finish_literal(start, 4, Value::Bool(true))
            }
            Some(b'f') if self.bytes[self.pos..].starts_with(b"false") => {
                self.finish_literal(start, 5, Value::Bool(false))
            }
            Some(b'n') if self.bytes[self.pos..].starts_with(b"null") => {
                self.finish_literal(start, 4, Value::Null)
            }
            _ => Err(self.unexpected_value()),
        }
    }

    fn finish_literal(
        &mut self,
        start: usize,
        len: usize,
        value: Value<'a>,
    ) -> Result<Node<'a>, ParseError> {
        self.pos += len;
        if self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric())
        {
            self.pos = start;
            return Err(self.unexpected_value());
        }
        Ok(Node::new(Span::from_range(start, self.pos), value))
    }

    /// Builds the error for a position where a value was expected.
    fn unexpected_value(&self) -> ParseError {
        if self.pos >= self.bytes.len() {
            return self.eof_error("expected a value");
        }
        let word = self.word_at(self.pos);
        let (span, found) = self.describe_next();
        let help = match word {
            "True" | "TRUE" => Some("JSON literals are lowercase: write `true`".to_string()),
            "False" | "FALSE" => Some("JSON literals are lowercase: write `false`".to_string()),
            "None" | "NULL" | "Null" | "nil" => Some("write `null`".to_string()),
            "NaN" | "Infinity" => Some("JSON has no NaN or Infinity; quote the value".to_string()),
            "" => match self.bytes[self.pos] {
                b'\'' => Some("JSON strings use double quotes (\")".to_string()),
                b'+' | b'.' => Some("write the number with a leading digit and no `+`".to_string()),
                b'/' if self.starts_comment() => {
                    Some("JSON has no comments; remove it".to_string())
                }
                _ => None,
            },
            _ => Some("strings in JSON must be enclosed in double quotes".to_string()),
        };
        ParseError {
            span,
            message: format!("expected a value, found {found}"),
            label: None,
            help,
        }
    }

    fn parse_object(&mut self) -> Result<Node<'a>, ParseError> {
        let open = self.pos;
        self.enter(open)?;
        self.pos += 1;
        let base = self.members.len();
        self.skip_whitespace()?;
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Node::new(
                Span::from_range(open, self.pos),
                Value::Object(Children::Borrowed(&[])),
            ));
        }
        // The template expression that adds members or computes a key, if any.
        let mut unknown_members: Option<String> = None;
        loop {
            // A member: "key" : value
            let key_start = self.pos;
            if let Some(hole) = self.take_hole() {
                if let Value::Unknown { reason } = hole.value {
                    unknown_members.get_or_insert(reason.into_owned());
                }
                self.skip_whitespace()?;
                match self.bytes.get(self.pos) {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_whitespace()?;
                        if self.bytes.get(self.pos) != Some(&b'}') {
                            continue;
                        }
                        self.pos += 1;
                    }
                    Some(b'}') => self.pos += 1,
                    _ => continue,
                }
                self.depth -= 1;
                self.duplicate_keys |= repeats_a_key(&self.members[base..]);
                let members = self.members.drain(base..).collect();
                return Ok(finish_object(open, self.pos, members, unknown_members));
            }
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.expected_key(open, self.members.len() == base));
            }
            let key = self.parse_string()?;
            let key_span = Span::from_range(key_start, self.pos);
            if let Some(hole) = self.hole_within(key_start..self.pos) {
                unknown_members.get_or_insert_with(|| hole.reason.clone());
            }
            self.skip_whitespace()?;
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.expected_after(open, "`:` after the key", "object"));
            }
            self.pos += 1;
            self.skip_whitespace()?;
            let value = self.parse_value()?;
            self.members.push(Member {
                key,
                key_span,
                value,
            });

            self.skip_whitespace()?;
            match self.bytes.get(self.pos) {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_whitespace()?;
                    if self.bytes.get(self.pos) == Some(&b'}') {
                        return Err(trailing_comma(comma, "}"));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    self.duplicate_keys |= repeats_a_key(&self.members[base..]);
                    let members = match self.arena {
                        Some(arena) => Children::Borrowed(
                            &*arena.alloc_slice_fill_iter(self.members.drain(base..)),
                        ),
                        None => Children::Owned(self.members.drain(base..).collect()),
                    };
                    return Ok(finish_object(open, self.pos, members, unknown_members));
                }
                // A template expression right after a member may add more members.
                _ if self.hole_here().is_some() => {}
                _ => {
                    return Err(self.expected_after(open, "`,` or `}` after the member", "object"));
                }
            }
        }
    }

    fn parse_array(&mut self) -> Result<Node<'a>, ParseError> {
        let open = self.pos;
        self.enter(open)?;
        self.pos += 1;
        let base = self.items.len();
        self.skip_whitespace()?;
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Node::new(
                Span::from_range(open, self.pos),
                Value::Array(Children::Borrowed(&[])),
            ));
        }
        loop {
            let hole_element = self.hole_here().is_some();
            let item = self.parse_value()?;
            self.items.push(item);
            self.skip_whitespace()?;
            match self.bytes.get(self.pos) {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_whitespace()?;
                    if self.bytes.get(self.pos) == Some(&b']') {
                        return Err(trailing_comma(comma, "]"));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    let items = match self.arena {
                        Some(arena) => Children::Borrowed(
                            &*arena.alloc_slice_fill_iter(self.items.drain(base..)),
                        ),
                        None => Children::Owned(self.items.drain(base..).collect()),
                    };
                    return Ok(Node::new(
                        Span::from_range(open, self.pos),
                        Value::Array(items),
                    ));
                }
                // A template expression right after an element, such as a `%{ for }`
                // directive, adds elements of its own; it is read as the next element. One
                // that stood for elements may also have ended with their comma.
                Some(_) if hole_element || self.hole_here().is_some() => {}
                _ => {
                    return Err(self.expected_after(open, "`,` or `]` after the element", "array"));
                }
            }
        }
    }

    fn enter(&mut self, open: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                span: Span::from_range(open, open + 1),
                message: format!(
                    "arrays and objects are nested more than {MAX_DEPTH} levels deep here"
                ),
                label: None,
                help: Some("RAM policies and API requests nest only a few levels; check that the file is what it should be".to_string()),
            });
        }
        Ok(())
    }

    /// Parses a string starting at the opening quote and returns its unescaped text. The
    /// usual string, without escapes, is found here and borrowed, so that only strings with
    /// escapes or errors pay for a call.
    #[inline(always)]
    fn parse_string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        let content_start = self.pos + 1;
        let end = string_stop(self.bytes, content_start);
        // Both quotes are tested, so the unchecked slice below is sound for any caller.
        if self.bytes.get(self.pos) == Some(&b'"') && self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            // SAFETY: both ends are next to an ASCII quote, at `content_start - 1` and at
            // `end`, so both are character boundaries of `text`, and `end < text.len()`.
            let text = unsafe { self.text.get_unchecked(content_start..end) };
            return Ok(Cow::Borrowed(text));
        }
        self.parse_string_in_full()
    }

    /// Parses a string from its opening quote, unescaping it where needed.
    #[inline(never)]
    fn parse_string_in_full(&mut self) -> Result<Cow<'a, str>, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let content_start = self.pos;
        // Fast path: no escapes, so the text can be borrowed.
        loop {
            self.pos = string_stop(self.bytes, self.pos);
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    let text = &self.text[content_start..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(text));
                }
                Some(b'\\') => break,
                Some(&byte) if byte < 0x20 => return Err(self.control_in_string(open)),
                Some(_) => self.pos += 1,
                None => return Err(unterminated_string(open)),
            }
        }

        let mut owned = String::with_capacity(self.pos - content_start + 16);
        owned.push_str(&self.text[content_start..self.pos]);
        loop {
            let run_start = self.pos;
            self.pos = string_stop(self.bytes, self.pos);
            owned.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(match self.arena {
                        Some(arena) => Cow::Borrowed(arena.alloc_str(&owned)),
                        None => Cow::Owned(owned),
                    });
                }
                Some(b'\\') => self.parse_escape(&mut owned)?,
                Some(_) => return Err(self.control_in_string(open)),
                None => return Err(unterminated_string(open)),
            }
        }
    }

    fn parse_escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let start = self.pos;
        let Some(&kind) = self.bytes.get(self.pos + 1) else {
            return Err(self.eof_error("expected an escape character after `\\`"));
        };
        self.pos += 2;
        let ch = match kind {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.parse_hex4(start)?;
                if (0xDC00..0xE000).contains(&high) {
                    return Err(lone_surrogate(start, self.pos, high));
                }
                if (0xD800..0xDC00).contains(&high) {
                    // A high surrogate must be followed by `\u` and a low surrogate.
                    if self.bytes.get(self.pos) != Some(&b'\\')
                        || self.bytes.get(self.pos + 1) != Some(&b'u')
                    {
                        return Err(lone_surrogate(start, self.pos, high));
                    }
                    let low_start = self.pos;
                    self.pos += 2;
                    let low = self.parse_hex4(low_start)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(lone_surrogate(start, low_start, high));
                    }
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    char::from_u32(code).expect("a surrogate pair always decodes")
                } else {
                    char::from_u32(high).expect("a non-surrogate BMP code point is a char")
                }
            }
            _ => {
                let escape_end = start + 1 + self.char_len_at(start + 1);
                return Err(ParseError {
                    span: Span::from_range(start, escape_end),
                    message: format!(
                        "invalid escape `{}` in a string",
                        &self.text[start..escape_end]
                    ),
                    label: None,
                    help: Some(
                        "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a backslash as \\\\"
                            .to_string(),
                    ),
                });
            }
        };
        out.push(ch);
        Ok(())
    }

    /// Reads the four hex digits after `\u`; `escape_start` is the backslash.
    fn parse_hex4(&mut self, escape_start: usize) -> Result<u32, ParseError> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        let value = digits.and_then(|digits| {
            digits.iter().try_fold(0u32, |acc, &byte| {
                (byte as char).to_digit(16).map(|digit| acc * 16 + digit)
            })
        });
        match value {
            Some(value) => {
                self.pos += 4;
                Ok(value)
            }
            None => {
                let mut end = self.pos;
                while end < self.bytes.len()
                    && end < self.pos + 4
                    && self.bytes[end].is_ascii_hexdigit()
                {
                    end += 1;
                }
                Err(ParseError {
                    span: Span::from_range(escape_start, end),
                    message: "a `\\u` escape needs exactly four hex digits".to_string(),
                    label: None,
                    help: None,
                })
            }
        }
    }

    fn parse_number(&mut self) -> Result<Node<'a>, ParseError> {
        let start = self.pos;
        let bytes = self.bytes;
        let mut pos = self.pos;
        if bytes[pos] == b'-' {
            pos += 1;
        }
        let int_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_digits = pos - int_start;
        let mut problem = None;
        if int_digits == 0 {
            problem = Some("a number needs a digit after `-`");
        } else if int_digits > 1 && bytes[int_start] == b'0' {
            problem = Some("a number must not have leading zeros");
        }
        if problem.is_none() && bytes.get(pos) == Some(&b'.') {
            pos += 1;
            let frac_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            if pos == frac_start {
                problem = Some("a number needs a digit after the decimal point");
            }
        }
        if problem.is_none() && matches!(bytes.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            if matches!(bytes.get(pos), Some(b'+' | b'-')) {
                pos += 1;
            }
            let exp_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            if pos == exp_start {
                problem = Some("a number needs a digit in its exponent");
            }
        }
        if problem.is_none()
            && bytes
                .get(pos)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.')
        {
            problem = Some("invalid number");
        }
        if let Some(problem) = problem {
            let mut end = pos.max(start + 1);
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'.' | b'+' | b'-'))
            {
                end += 1;
            }
            return Err(ParseError {
                span: Span::from_range(start, end),
                message: format!(
                    "{problem}: `{}`",
                    crate::diagnostic::shorten(&self.text[start..end])
                ),
                label: None,
                help: None,
            });
        }
        self.pos = pos;
        Ok(Node::new(
            Span::from_range(start, pos),
            Value::Number(Cow::Borrowed(&self.text[start..pos])),
        ))
    }

    fn expected_key(&self, open: usize, first: bool) -> ParseError {
        if self.pos >= self.bytes.len() {
            return self.unclosed(open, "object");
        }
        let (span, found) = self.describe_next();
        let help = match self.bytes[self.pos] {
            b'\'' => Some("JSON strings use double quotes (\")".to_string()),
            b'/' if self.starts_comment() => Some("JSON has no comments; remove it".to_string()),
            b'}' if !first => None,
            byte if byte.is_ascii_alphabetic() || byte == b'_' => {
                Some("object keys in JSON must be enclosed in double quotes".to_string())
            }
            _ => None,
        };
        ParseError {
            span,
            message: format!("expected a key in double quotes, found {found}"),
            label: Some((
                Span::from_range(open, open + 1),
                "object opened here".to_string(),
            )),
            help,
        }
    }

    /// Builds the error for a missing separator or closing bracket inside a container.
    fn expected_after(&self, open: usize, expected: &str, container: &str) -> ParseError {
        if self.pos >= self.bytes.len() {
            return self.unclosed(open, container);
        }
        let (span, found) = self.describe_next();
        let byte = self.bytes[self.pos];
        let help = if self.starts_comment() {
            Some("JSON has no comments; remove it".to_string())
        } else if byte == b'"' || byte == b'{' || byte == b'[' || byte.is_ascii_digit() {
            Some("a comma is missing before this".to_string())
        } else {
            ascii_replacement(self.char_at(self.pos))
        };
        ParseError {
            span,
            message: format!("expected {expected}, found {found}"),
            label: Some((
                Span::from_range(open, open + 1),
                format!("{container} opened here"),
            )),
            help,
        }
    }

    /// Returns the offset just after the last character that is not whitespace, where an
    /// error about the end of the file is best shown.
    fn end_of_content(&self) -> usize {
        self.text.trim_end().len()
    }

    fn unclosed(&self, open: usize, container: &str) -> ParseError {
        let closer = if container == "object" { '}' } else { ']' };
        let end = self.end_of_content();
        ParseError {
            span: Span::from_range(end, end),
            message: format!("the file ends before the {container} is closed; expected `{closer}`"),
            label: Some((
                Span::from_range(open, open + 1),
                format!("{container} opened here"),
            )),
            help: None,
        }
    }

    fn eof_error(&self, expected: &str) -> ParseError {
        let end = self.end_of_content();
        ParseError {
            span: Span::from_range(end, end),
            message: format!("{expected}, found the end of the file"),
            label: None,
            help: None,
        }
    }

    fn control_in_string(&self, open: usize) -> ParseError {
        let byte = self.bytes[self.pos];
        let escape = match byte {
            b'\t' => "\\t".to_string(),
            b'\n' => "\\n".to_string(),
            b'\r' => "\\r".to_string(),
            _ => format!("\\u{byte:04x}"),
        };
        let message = if byte == b'\n' || byte == b'\r' {
            "the string is not closed on this line; JSON strings cannot contain line breaks"
                .to_string()
        } else {
            format!(
                "{} must be escaped inside a JSON string",
                describe_char(byte as char)
            )
        };
        ParseError {
            span: Span::from_range(self.pos, self.pos + 1),
            message,
            label: Some((
                Span::from_range(open, open + 1),
                "string starts here".to_string(),
            )),
            help: Some(format!(
                "write it as `{escape}`, or close the string with `\"`"
            )),
        }
    }

    /// Returns the span and a description of the token at the current position.
    fn describe_next(&self) -> (Span, String) {
        let pos = self.pos;
        if pos >= self.bytes.len() {
            return (
                Span::from_range(pos, pos),
                "the end of the file".to_string(),
            );
        }
        if self.starts_comment() {
            return (self.char_span(pos), "a comment".to_string());
        }
        let word = self.word_at(pos);
        if !word.is_empty() {
            return (
                Span::from_range(pos, pos + word.len()),
                format!("`{}`", crate::diagnostic::shorten(word)),
            );
        }
        let byte = self.bytes[pos];
        if byte == b'"' {
            // Show the whole string when it closes on the same line.
            let rest = &self.bytes[pos + 1..];
            let end = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\n')
                .filter(|&i| rest[i] == b'"')
                .map(|i| pos + i + 2)
                .unwrap_or(pos + 1);
            return (Span::from_range(pos, end), "a string".to_string());
        }
        let ch = self.char_at(pos);
        let span = self.char_span(pos);
        let found = if ch.is_ascii_graphic() {
            format!("`{ch}`")
        } else {
            describe_char(ch)
        };
        (span, found)
    }

    /// Returns the run of ASCII letters, digits and `_` at `pos`, if it starts with a letter.
    fn word_at(&self, pos: usize) -> &'a str {
        let bytes = self.bytes;
        if !bytes.get(pos).is_some_and(|b| b.is_ascii_alphabetic()) {
            return "";
        }
        let mut end = pos;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        &self.text[pos..end]
    }

    fn starts_comment(&self) -> bool {
        matches!(
            self.bytes.get(self.pos..self.pos + 2),
            Some(b"//") | Some(b"/*")
        ) || self.bytes.get(self.pos) == Some(&b'#')
    }

    fn char_at(&self, pos: usize) -> char {
        self.text[pos..].chars().next().unwrap_or('\0')
    }

    fn char_len_at(&self, pos: usize) -> usize {
        self.text[pos..].chars().next().map_or(0, char::len_utf8)
    }

    fn char_span(&self, pos: usize) -> Span {
        Span::from_range(pos, pos + self.char_len_at(pos))
    }
}

/// Builds an object node, or an unknown value when a template expression adds members or
/// computes a key.
/// Returns whether two members of an object have the same key.
fn repeats_a_key(members: &[Member<'_>]) -> bool {
    // Most objects are small and are compared pairwise, the length and first byte first.
    // A large one goes through a set, so that thousands of keys stay linear.
    if members.len() > 16 {
        let mut seen = rustc_hash::FxHashSet::default();
        return !members
            .iter()
            .all(|member| seen.insert(member.key.as_ref()));
    }
    members.iter().enumerate().any(|(index, member)| {
        let key = member.key.as_bytes();
        members[..index].iter().any(|earlier| {
            let other = earlier.key.as_bytes();
            other.len() == key.len() && other.first() == key.first() && other == key
        })
    })
}

fn finish_object<'a>(
    open: usize,
    end: usize,
    members: Children<'a, Member<'a>>,
    unknown_members: Option<String>,
) -> Node<'a> {
    let span = Span::from_range(open, end);
    match unknown_members {
        Some(reason) => Node::new(
            span,
            Value::Unknown {
                reason: Cow::Owned(reason),
            },
        ),
        None => Node::new(span, Value::Object(members)),
    }
}

/// Suggests the ASCII character that a full-width or typographic one stands for.
fn ascii_replacement(ch: char) -> Option<String> {
    let ascii = match ch {
        '\u{ff0c}' => ',',
        '\u{ff1a}' => ':',
        '\u{201c}' | '\u{201d}' => '"',
        '\u{ff5b}' => '{',
        '\u{ff5d}' => '}',
        '\u{ff3b}' => '[',
        '\u{ff3d}' => ']',
        _ => return None,
    };
    Some(format!("replace it with the ASCII `{ascii}`"))
}

fn trailing_comma(comma: usize, closer: &str) -> ParseError {
    ParseError {
        span: Span::from_range(comma, comma + 1),
        message: format!("trailing comma before `{closer}`; JSON does not allow one"),
        label: None,
        help: Some("remove this comma".to_string()),
    }
}

fn unterminated_string(open: usize) -> ParseError {
    ParseError {
        span: Span::from_range(open, open + 1),
        message: "this string is never closed; expected `\"` before the end of the file"
            .to_string(),
        label: None,
        help: None,
    }
}

fn lone_surrogate(start: usize, end: usize, unit: u32) -> ParseError {
    ParseError {
        span: Span::from_range(start, end),
        message: format!(
            "`\\u{unit:04X}` is half of a UTF-16 surrogate pair and cannot stand alone"
        ),
        label: None,
        help: Some("use the full pair, or the character itself".to_string()),
    }
}

/// Names a character for a message: its code point and, when it has one, a common name.
pub fn describe_char(ch: char) -> String {
    let name = match ch {
        '\0' => Some("NUL byte"),
        '\t' => Some("tab"),
        '\n' => Some("line feed"),
        '\r' => Some("carriage return"),
        '\u{1b}' => Some("escape"),
        '\u{a0}' => Some("no-break space"),
        '\u{200b}' => Some("zero-width space"),
        '\u{3000}' => Some("ideographic space"),
        '\u{feff}' => Some("byte-order mark"),
        '\u{ff0c}' => Some("full-width comma"),
        '\u{ff1a}' => Some("full-width colon"),
        '\u{201c}' | '\u{201d}' => Some("curly double quote"),
        '\u{2018}' | '\u{2019}' => Some("curly single quote"),
        _ => None,
    };
    let code = format!("U+{:04X}", ch as u32);
    match name {
        Some(name)
            if ch.is_control() || ch.is_whitespace() || ch == '\u{feff}' || ch == '\u{200b}' =>
        {
            format!("{code} ({name})")
        }
        Some(name) => format!("`{ch}` ({code}, {name})"),
        None if ch.is_control() => format!("control character {code}"),
        None => format!("`{ch}` ({code})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-byte search stops where a byte-by-byte search stops.
    #[test]
    fn string_stop_matches_byte_scan() {
        let alphabet = [
            b'a', b'"', b'\\', 0x1F, 0x20, 0x7F, 0x80, 0xA2, 0xC3, 0x00, 0x21,
        ];
        let mut state: u32 = 7;
        for _ in 0..5000 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let len = (state >> 16) as usize % 24;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                // Mostly plain bytes, so that stops fall at every offset of a word.
                let pick = (state >> 16) as usize % (alphabet.len() * 4);
                bytes.push(*alphabet.get(pick).unwrap_or(&b'x'));
            }
            for start in 0..=bytes.len() {
                let expected = (start..bytes.len())
                    .find(|&i| STRING_STOPS[bytes[i] as usize])
                    .unwrap_or(bytes.len());
                assert_eq!(
                    string_stop(&bytes, start),
                    expected,
                    "{bytes:?} from {start}"
                );
            }
        }
    }

    fn err(text: &str) -> ParseError {
        parse(text).expect_err(text)
    }

    #[test]
    fn spans_cover_keys_and_values() {
        let text = r#"{"Effect": "Allow", "n": [1, true]}"#;
        let root = parse(text).unwrap();
        let members = root.as_object().unwrap();
        assert_eq!(&text[members[0].key_span.range()], "\"Effect\"");
        assert_eq!(&text[members[0].value.span.range()], "\"Allow\"");
        assert_eq!(&text[members[1].value.span.range()], "[1, true]");
        assert_eq!(root.span, Span::from_range(0, text.len()));
    }

    #[test]
    fn escapes_are_decoded() {
        let root = parse(r#""a\"b\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(root.as_str(), Some("a\"bé😀\n"));
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let root = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        let members = root.as_object().unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(
            root.get("a").unwrap().value.value,
            Value::Number("2".into())
        );
    }

    #[test]
    fn bom_is_skipped_and_spans_keep_original_offsets() {
        let text = "\u{FEFF}{\"a\": 1}";
        let root = parse(text).unwrap();
        assert_eq!(root.span.start, 3);
    }

    #[test]
    fn trailing_comma_points_at_comma() {
        let e = err("[1, 2,\n]");
        assert_eq!(e.span, Span::new(5, 6));
        assert!(e.message.contains("trailing comma"), "{}", e.message);
    }

    #[test]
    fn missing_comma_names_expected_tokens() {
        let e = err("{\"a\": 1 \"b\": 2}");
        assert_eq!(
            e.message,
            "expected `,` or `}` after the member, found a string"
        );
        assert_eq!(e.span, Span::new(8, 11));
        assert_eq!(e.label.unwrap().0, Span::new(0, 1));
    }

    #[test]
    fn comment_gets_a_hint() {
        let e = err("{\"a\": 1 // note\n}");
        assert_eq!(e.help.as_deref(), Some("JSON has no comments; remove it"));
    }

    #[test]
    fn no_break_space_is_named() {
        let e = err("{\u{a0}\"a\": 1}");
        assert_eq!(e.message, "U+00A0 (no-break space) is not JSON whitespace");
        assert_eq!(e.span, Span::new(1, 3));
    }

    #[test]
    fn whitespace_runs_of_any_length() {
        // Runs cross the sixteen-byte blocks at every offset, before a token and before a
        // look-alike character, and every skipped byte is counted.
        let blanks = [" ", "\n", "\t", "\r", "\n    "];
        for length in 0..40 {
            let run: String = (0..length).map(|i| blanks[i % blanks.len()]).collect();
            let text = format!("[1,{run}2]");
            let arena = Bump::new();
            let parsed = parse_document(&text, &arena).expect(&text);
            let items = parsed.root.as_array().expect("an array");
            let at = 3 + run.len() as u32;
            assert_eq!(items[1].span, Span::new(at, at + 1), "{text:?}");
            assert_eq!(parsed.facts.inner_whitespace, Some(run.len()), "{text:?}");

            let text = format!("[1,{run}\u{a0}2]");
            let error = err(&text);
            assert_eq!(error.span, Span::new(at, at + 2), "{text:?}");
            assert!(error.message.contains("no-break space"), "{text:?}");
        }
    }

    #[test]
    fn string_stops_found_anywhere() {
        // Every byte value at every position of texts that span blocks of eight and sixteen
        // bytes, among ASCII letters and among continuation bytes of UTF-8.
        for filler in [b'a', 0xA9] {
            for length in 0..40 {
                for at in 0..length {
                    for byte in 0..=u8::MAX {
                        let mut text = vec![filler; length];
                        text[at] = byte;
                        let expected = text
                            .iter()
                            .position(|&b| STRING_STOPS[b as usize])
                            .unwrap_or(length);
                        assert_eq!(string_stop(&text, 0), expected, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn whitespace_masks_agree() {
        // Every byte value in every position of a block, among bytes of another kind.
        for filler in [b' ', b'a'] {
            for position in 0..16 {
                for byte in 0..=u8::MAX {
                    let mut block = [filler; 16];
                    block[position] = byte;
                    assert_eq!(
                        whitespace_mask(&block),
                        portable_whitespace_mask(&block),
                        "{block:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn arena_and_owned_trees_agree() {
        // The arena contains every container and unescaped string, and the tree equals the
        // one that owns them, spans included.
        let texts = [
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ecs:*", "oss:Get*"]}]}"#,
            r#"{"a\"b": "c\u00e9\n", "e": [], "o": {}, "n": [1.5e3, -0, true, false, null]}"#,
            "[[[[\"\u{4e2d}\"]]], {\"k\": {\"k\": [{}]}}]",
            "\u{feff}{\"bom\": \"\\ud83d\\ude00\"}",
        ];
        let arena = Bump::new();
        for text in texts {
            let owned = parse(text).expect(text);
            let borrowed = parse_document(text, &arena).expect(text).root;
            assert_eq!(borrowed, owned, "{text}");
            let mut owning = 0;
            borrowed.walk(&mut |node| {
                owning += match &node.value {
                    Value::Array(Children::Owned(_)) | Value::Object(Children::Owned(_)) => 1,
                    Value::String(Cow::Owned(_)) => 1,
                    Value::Object(Children::Borrowed(members)) => members
                        .iter()
                        .filter(|member| matches!(member.key, Cow::Owned(_)))
                        .count(),
                    _ => 0,
                };
            });
            assert_eq!(owning, 0, "{text}");
        }
    }

    #[test]
    fn raw_tab_in_string_is_rejected() {
        let e = err("\"a\tb\"");
        assert_eq!(e.span, Span::new(2, 3));
    }

    #[test]
    fn lone_surrogate_is_rejected() {
        let e = err(r#""h\udb0Da""#);
        assert!(e.message.contains("surrogate"), "{}", e.message);
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for bad in ["01", "1.", ".5", "-", "1e", "+1", "0x10", "1.2.3"] {
            assert!(parse(bad).is_err(), "{bad} should fail");
        }
        for good in [
            "0",
            "-0",
            "1.5e10",
            "1E-2",
            "123456789012345678901234567890",
        ] {
            assert!(parse(good).is_ok(), "{good} should parse");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let e = err(&text);
        assert!(e.message.contains("nested more than"), "{}", e.message);
        assert_eq!(e.span.start, MAX_DEPTH);
    }

    #[test]
    fn empty_and_whitespace_files_are_errors() {
        assert_eq!(err("").message, "the file is empty; expected a JSON value");
        assert_eq!(
            err(" \n\t").message,
            "the file contains only whitespace; expected a JSON value"
        );
    }

    #[test]
    fn unclosed_object_labels_opening_brace() {
        let e = err("{\"a\": [1, 2]\n\n");
        assert_eq!(e.span, Span::new(12, 12));
        assert_eq!(e.label.unwrap().0, Span::new(0, 1));
    }

    #[test]
    fn second_document_is_rejected() {
        let e = err("{} {}");
        assert!(e.help.unwrap().contains("one JSON document"));
    }

    #[test]
    fn agrees_with_serde_json_on_samples() {
        let samples = [
            "{}",
            "[]",
            "[1,2]",
            "{\"a\":[{}]}",
            "\"\\u0000\"",
            "[1,]",
            "{,}",
            "[\"a\" \"b\"]",
            "tru",
            "nul",
            "[-]",
            "1 2",
            "{\"a\" 1}",
            "[\"\\x\"]",
            "-0.0e+0",
        ];
        for sample in samples {
            let ours = parse(sample).is_ok();
            let reference = serde_json::from_str::<serde_json::Value>(sample).is_ok();
            assert_eq!(ours, reference, "{sample}");
        }
    }

    /// Finds a repeated key by walking the tree, the way the duplicate-key check does.
    fn walk_finds_duplicate(node: &Node<'_>) -> bool {
        let mut found = false;
        node.walk(&mut |node| {
            if let Some(members) = node.as_object() {
                for (index, member) in members.iter().enumerate() {
                    found |= members[..index].iter().any(|m| m.key == member.key);
                }
            }
        });
        found
    }

    #[test]
    fn duplicate_key_flag() {
        let mut texts: Vec<String> = [
            r#"{"a": 1, "b": 2}"#,
            r#"{"a": 1, "a": 2}"#,
            r#"{"ab": 1, "ac": 2, "ab": 3}"#,
            r#"{"a": 1, "b": 2, "A": 3}"#,
            r#"[{"x": {"y": 1, "y": 2}}, {}]"#,
            r#"{"\u0061": 1, "a": 2}"#,
            r#"{"é": 1, "è": 2}"#,
        ]
        .iter()
        .map(|text| text.to_string())
        .collect();
        // Objects past the pairwise limit, with and without a repeat at either end.
        let keys = |count: usize| {
            (0..count)
                .map(|i| format!("\"k{i}\": {i}"))
                .collect::<Vec<_>>()
        };
        for count in [16, 17, 40] {
            let unique = keys(count);
            texts.push(format!("{{{}}}", unique.join(", ")));
            let mut repeated = unique.clone();
            repeated.push("\"k0\": 0".to_string());
            texts.push(format!("{{{}}}", repeated.join(", ")));
            let mut last = unique;
            last.push(format!("\"k{}\": 0", count - 1));
            texts.push(format!("{{{}}}", last.join(", ")));
        }
        let arena = Bump::new();
        for text in &texts {
            let parsed = parse_document(text, &arena).unwrap();
            assert_eq!(
                parsed.facts.duplicate_keys,
                walk_finds_duplicate(&parsed.root),
                "{text}"
            );
        }
        assert_eq!(
            texts
                .iter()
                .filter(|text| parse_document(text, &arena).unwrap().facts.duplicate_keys)
                .count(),
            10
        );
    }
}
