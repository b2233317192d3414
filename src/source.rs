//! Source files: byte spans, line and column positions, and loading bytes into checked UTF-8.
//!
//! Every diagnostic is anchored to a [`Span`], a byte range into the text of one file as it
//! sits on disk. Columns shown to people are counted in Unicode scalar values; offsets stay
//! bytes, so a span always slices the original text.

use std::fmt;

/// A half-open byte range `start..end` into a file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// Builds a span from `usize` offsets; callers guarantee the file is below 4 GiB.
    pub fn from_range(start: usize, end: usize) -> Span {
        Span::new(start as u32, end as u32)
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Shifts both ends by `delta` bytes, for text embedded in a larger file.
    pub fn shifted(self, delta: u32) -> Span {
        Span::new(self.start + delta, self.end + delta)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A 1-based line and 1-based column counted in Unicode scalar values, plus the byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

/// The encodings recognised when a file is not UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForeignEncoding {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl ForeignEncoding {
    pub fn name(self) -> &'static str {
        match self {
            ForeignEncoding::Utf16Le => "UTF-16LE",
            ForeignEncoding::Utf16Be => "UTF-16BE",
            ForeignEncoding::Utf32Le => "UTF-32LE",
            ForeignEncoding::Utf32Be => "UTF-32BE",
        }
    }
}

/// An error decoding a file's bytes as UTF-8 text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The file is in another Unicode encoding; `bom` is true when it starts with a byte-order mark.
    Foreign {
        encoding: ForeignEncoding,
        bom: bool,
    },
    /// The bytes are not valid UTF-8; `offset` is the first invalid byte and `len` the length
    /// of the invalid sequence (0 when the file ends inside a sequence).
    InvalidUtf8 { offset: usize, len: usize },
}

/// Length of the UTF-8 byte-order mark.
pub const UTF8_BOM_LEN: usize = 3;

/// Checks that `bytes` are UTF-8 (a leading byte-order mark is allowed and kept) and turns
/// them into a `String` without copying.
pub fn decode(bytes: Vec<u8>) -> Result<String, (Vec<u8>, DecodeError)> {
    if let Some(encoding) = sniff_bom(&bytes) {
        return Err((
            bytes,
            DecodeError::Foreign {
                encoding,
                bom: true,
            },
        ));
    }
    if let Some(encoding) = sniff_nul_pattern(&bytes) {
        return Err((
            bytes,
            DecodeError::Foreign {
                encoding,
                bom: false,
            },
        ));
    }
    // simdutf8 validates a block of bytes per step with SIMD instructions. For invalid text,
    // the standard library then finds the offset of the first error.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just found `bytes` to be valid UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let utf8 = err.utf8_error();
            let offset = utf8.valid_up_to();
            let len = utf8.error_len().unwrap_or(0);
            Err((err.into_bytes(), DecodeError::InvalidUtf8 { offset, len }))
        }
    }
}

fn sniff_bom(bytes: &[u8]) -> Option<ForeignEncoding> {
    // UTF-32LE's mark starts with UTF-16LE's, so the longer marks are tested first.
    match bytes {
        [0xFF, 0xFE, 0x00, 0x00, ..] => Some(ForeignEncoding::Utf32Le),
        [0x00, 0x00, 0xFE, 0xFF, ..] => Some(ForeignEncoding::Utf32Be),
        [0xFF, 0xFE, ..] => Some(ForeignEncoding::Utf16Le),
        [0xFE, 0xFF, ..] => Some(ForeignEncoding::Utf16Be),
        _ => None,
    }
}

/// Recognises UTF-16 and UTF-32 without a byte-order mark by the NUL bytes that ASCII text
/// leaves in them. JSON text starts with ASCII (`{`, `[`, whitespace), which makes the first
/// four bytes a reliable sign (RFC 4627 section 3 used the same test).
fn sniff_nul_pattern(bytes: &[u8]) -> Option<ForeignEncoding> {
    match bytes {
        [a, 0, 0, 0, ..] if *a != 0 => Some(ForeignEncoding::Utf32Le),
        [0, 0, 0, b, ..] if *b != 0 => Some(ForeignEncoding::Utf32Be),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some(ForeignEncoding::Utf16Le),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some(ForeignEncoding::Utf16Be),
        [a, 0] if *a != 0 => Some(ForeignEncoding::Utf16Le),
        [0, a] if *a != 0 => Some(ForeignEncoding::Utf16Be),
        _ => None,
    }
}

/// Decodes UTF-16 or UTF-32 text, replacing invalid units, so that a file in a foreign
/// encoding can still be recognised as a policy and named in a diagnostic.
pub fn decode_foreign_lossy(bytes: &[u8], encoding: ForeignEncoding) -> String {
    match encoding {
        ForeignEncoding::Utf16Le | ForeignEncoding::Utf16Be => {
            let units = bytes.chunks_exact(2).map(|pair| match encoding {
                ForeignEncoding::Utf16Le => u16::from_le_bytes([pair[0], pair[1]]),
                _ => u16::from_be_bytes([pair[0], pair[1]]),
            });
            char::decode_utf16(units)
                .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        ForeignEncoding::Utf32Le | ForeignEncoding::Utf32Be => bytes
            .chunks_exact(4)
            .map(|quad| {
                let value = match encoding {
                    ForeignEncoding::Utf32Le => {
                        u32::from_le_bytes([quad[0], quad[1], quad[2], quad[3]])
                    }
                    _ => u32::from_be_bytes([quad[0], quad[1], quad[2], quad[3]]),
                };
                char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
    }
}

/// The lines of a file that diagnostics point at, kept after the file's text is dropped so
/// that a large scan holds only what it will print.
///
/// Positions of span ends are computed while the text is still there and stored, so they are
/// exact even where a line is only partly kept: a line longer than [`LONG_LINE`] bytes keeps
/// a window around the spans on it.
#[derive(Clone, Debug, Default)]
pub struct Excerpt {
    /// The kept text of every line, one after the other, in one allocation.
    text: String,
    /// Kept lines, sorted by number.
    lines: Vec<KeptLine>,
    /// Positions of span ends, sorted by offset.
    positions: Vec<Position>,
}

/// A kept line as stored: where it is in the file and where its text is in the excerpt.
#[derive(Clone, Copy, Debug)]
struct KeptLine {
    number: u32,
    start: u32,
    /// The end of the line's text in [`Excerpt::text`]. Its text starts where the previous
    /// line's ends.
    text_end: u32,
    cut_before: bool,
    cut_after: bool,
}

/// A kept line, or a window of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExcerptLine<'a> {
    /// The 1-based line number.
    pub number: u32,
    /// The byte offset in the file where `text` starts.
    pub start: u32,
    pub text: &'a str,
    /// True when the line has text before `text` that was not kept.
    pub cut_before: bool,
    /// True when the line has text after `text` that was not kept.
    pub cut_after: bool,
}

/// Lines kept at each end of a span longer than `2 * SPAN_LINES_KEPT + 2` lines; the lines
/// between are elided.
const SPAN_LINES_KEPT: usize = 3;

/// Lines longer than this many bytes keep only a window around the spans on them.
pub const LONG_LINE: usize = 512;

/// Bytes of context kept on each side of the spans in a long line's window.
const WINDOW_CONTEXT: usize = 80;

impl Excerpt {
    /// Keeps the lines that `spans` touch. A span over many lines keeps its first and last
    /// few lines only.
    pub fn build(text: &str, spans: impl IntoIterator<Item = Span>) -> Excerpt {
        let spans: Vec<Span> = spans.into_iter().collect();
        let bytes = text.as_bytes();
        let lines = SpanLines::resolve(text, &spans);

        let mut positions: Vec<Position> = spans
            .iter()
            .flat_map(|span| [span.start, span.end])
            .map(|offset| lines.position(text, offset))
            .collect();
        positions.sort_by_key(|p| p.offset);
        positions.dedup_by_key(|p| p.offset);
        positions.shrink_to_fit();

        // For each line to keep, its start and the range of offsets on it that must stay
        // visible. A line kept twice is merged after sorting.
        let mut kept: Vec<(usize, u32, u32, u32)> = Vec::with_capacity(spans.len() * 2);
        let mut keep = |line: usize, start: u32, lo: u32, hi: u32| {
            kept.push((line, start, lo, hi));
        };
        for span in &spans {
            let (first, first_start) = lines.line_of(span.start);
            let (last, last_start) = lines.line_of(last_offset(bytes, *span));
            if first == last {
                keep(first, first_start, span.start, span.end);
                continue;
            }
            keep(first, first_start, span.start, span.start);
            keep(last, last_start, last_start, span.end);
            // The lines between, or the few after the first and before the last.
            let (head, tail) = if last - first < 2 * SPAN_LINES_KEPT + 2 {
                (last - first - 1, 0)
            } else {
                (SPAN_LINES_KEPT - 1, SPAN_LINES_KEPT - 1)
            };
            let mut start = first_start;
            for line in first + 1..=first + head {
                start = next_line_start(bytes, start);
                keep(line, start, start, start);
            }
            let mut start = last_start;
            for line in (last - tail..last).rev() {
                start = previous_line_start(bytes, start, lines.first_start);
                keep(line, start, start, start);
            }
        }

        kept.sort_unstable_by_key(|&(line, ..)| line);
        kept.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                earlier.2 = earlier.2.min(later.2);
                earlier.3 = earlier.3.max(later.3);
            }
            same
        });
        let windows: Vec<_> = kept
            .into_iter()
            .map(|(line, start, lo, hi)| {
                let range = line_range(bytes, start as usize);
                let (start, end) = window(text, range.clone(), lo as usize, hi as usize);
                (line, range, start, end)
            })
            .collect();
        let mut kept_text = String::with_capacity(windows.iter().map(|w| w.3 - w.2).sum());
        let lines = windows
            .into_iter()
            .map(|(line, range, start, end)| {
                kept_text.push_str(&text[start..end]);
                KeptLine {
                    number: line as u32 + 1,
                    start: start as u32,
                    text_end: kept_text.len() as u32,
                    cut_before: start > range.start,
                    cut_after: end < range.end,
                }
            })
            .collect();
        Excerpt {
            text: kept_text,
            lines,
            positions,
        }
    }

    /// Keeps the one line that contains `span.start` in bytes that are not valid UTF-8 from
    /// `span.start` on. The line is decoded lossily. The position of `span.start` is exact,
    /// because everything before the first invalid byte is valid. The invalid bytes of
    /// `span` count as one character, because the lossy decoding shows them as one.
    pub fn build_lossy(bytes: &[u8], span: Span) -> Excerpt {
        let offset = span.start as usize;
        let start = bytes[..offset]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| offset + i);
        let number = bytes[..start].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let window_start = offset.saturating_sub(WINDOW_CONTEXT).max(start);
        // Everything before `offset` is valid UTF-8, so a character boundary is easy to find.
        let prefix = std::str::from_utf8(&bytes[start..offset]).unwrap_or("");
        let mut cut = window_start - start;
        while cut < prefix.len() && !prefix.is_char_boundary(cut) {
            cut += 1;
        }
        let window_end = (offset + WINDOW_CONTEXT).min(end);
        let text = String::from_utf8_lossy(&bytes[start + cut..window_end])
            .trim_end_matches('\r')
            .to_string();
        let column = prefix.chars().count() as u32 + 1;
        Excerpt {
            lines: vec![KeptLine {
                number,
                start: (start + cut) as u32,
                text_end: text.len() as u32,
                cut_before: cut > 0,
                cut_after: window_end < end,
            }],
            text,
            positions: vec![
                Position {
                    line: number,
                    column,
                    offset: offset as u32,
                },
                Position {
                    line: number,
                    column: column + 1,
                    offset: span.end,
                },
            ],
        }
    }

    /// Returns the kept lines in order.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = ExcerptLine<'_>> + '_ {
        (0..self.lines.len()).map(|i| self.line_at(i))
    }

    /// Returns the kept lines whose number `include` accepts, in order.
    pub fn lines_where<'a>(
        &'a self,
        include: impl Fn(u32) -> bool + 'a,
    ) -> impl Iterator<Item = ExcerptLine<'a>> + 'a {
        (0..self.lines.len())
            .filter(move |&i| include(self.lines[i].number))
            .map(|i| self.line_at(i))
    }

    /// Returns the kept line with a 1-based number.
    pub fn line(&self, number: u32) -> Option<ExcerptLine<'_>> {
        self.lines
            .binary_search_by_key(&number, |line| line.number)
            .ok()
            .map(|i| self.line_at(i))
    }

    fn line_at(&self, index: usize) -> ExcerptLine<'_> {
        let line = self.lines[index];
        let text_start = index.checked_sub(1).map_or(0, |i| self.lines[i].text_end);
        ExcerptLine {
            number: line.number,
            start: line.start,
            text: &self.text[text_start as usize..line.text_end as usize],
            cut_before: line.cut_before,
            cut_after: line.cut_after,
        }
    }

    /// Returns the position of a span end that was given to [`Excerpt::build`]. Other
    /// offsets get the start of the nearest kept line before them.
    pub fn position(&self, offset: u32) -> Position {
        if let Ok(i) = self.positions.binary_search_by_key(&offset, |p| p.offset) {
            return self.positions[i];
        }
        let line = match self.lines.binary_search_by_key(&offset, |line| line.start) {
            Ok(i) => Some(&self.lines[i]),
            Err(0) => None,
            Err(next) => Some(&self.lines[next - 1]),
        };
        Position {
            line: line.map_or(1, |l| l.number),
            column: 1,
            offset,
        }
    }
}

/// Chooses the part of a line to keep so that offsets `lo..hi` stay visible: the whole line
/// when it is short, otherwise a window with some context, on character boundaries.
fn window(text: &str, line: std::ops::Range<usize>, lo: usize, hi: usize) -> (usize, usize) {
    if line.len() <= LONG_LINE {
        return (line.start, line.end);
    }
    let lo = lo.clamp(line.start, line.end);
    let hi = hi.clamp(lo, line.end).min(lo + LONG_LINE);
    let mut start = lo.saturating_sub(WINDOW_CONTEXT).max(line.start);
    let mut end = (hi + WINDOW_CONTEXT).min(line.end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

/// Returns the offset that finds a span's last line. A span that ends with a line feed ends
/// on the line that the line feed closes.
fn last_offset(bytes: &[u8], span: Span) -> u32 {
    if span.end > span.start && bytes.get(span.end as usize - 1) == Some(&b'\n') {
        span.end - 1
    } else {
        span.end
    }
}

/// The 0-based line and the line start of each offset an excerpt needs, found in one pass
/// over the text up to the last of them. Building an index of every line cost more than the
/// rest of an excerpt, because most files have a diagnostic or two and hundreds of lines.
struct SpanLines {
    /// The start of line 0, after a byte-order mark, which is not part of the line.
    first_start: u32,
    /// `(offset, line, line start)`, sorted by offset.
    resolved: Vec<(u32, usize, u32)>,
}

impl SpanLines {
    fn resolve(text: &str, spans: &[Span]) -> SpanLines {
        let bytes = text.as_bytes();
        let first_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut offsets: Vec<u32> = spans
            .iter()
            .flat_map(|span| [span.start, span.end, last_offset(bytes, *span)])
            .map(|offset| offset.min(bytes.len() as u32))
            .collect();
        offsets.sort_unstable();
        offsets.dedup();
        let mut resolved = Vec::with_capacity(offsets.len());
        let (mut line, mut start, mut counted) = (0usize, first_start, 0u32);
        for offset in offsets {
            let segment = &bytes[counted as usize..offset as usize];
            let feeds = count_line_feeds(segment);
            if feeds > 0 {
                line += feeds;
                let last_feed = memchr::memrchr(b'\n', segment).unwrap_or(0);
                start = counted + last_feed as u32 + 1;
            }
            counted = offset;
            resolved.push((offset, line, start));
        }
        SpanLines {
            first_start,
            resolved,
        }
    }

    /// Returns the 0-based line of an offset given to [`SpanLines::resolve`], and its start.
    fn line_of(&self, offset: u32) -> (usize, u32) {
        let index = self
            .resolved
            .partition_point(|&(known, _, _)| known < offset)
            .min(self.resolved.len().saturating_sub(1));
        self.resolved
            .get(index)
            .map_or((0, self.first_start), |&(_, line, start)| (line, start))
    }

    fn position(&self, text: &str, offset: u32) -> Position {
        let (line, start) = self.line_of(offset);
        let start = (start as usize).min(offset as usize);
        let before = &text[start..offset as usize];
        // An ASCII prefix, the usual case, has one character per byte, and `is_ascii` tests
        // a word at a time.
        let characters = if before.is_ascii() {
            before.len()
        } else {
            before.chars().count()
        };
        let column = characters as u32 + 1;
        Position {
            line: line as u32 + 1,
            column,
            offset,
        }
    }
}

/// Counts the line feeds of `bytes` with bytecount, which chooses AVX2 or SSE2 compares at
/// run time from what the processor supports.
fn count_line_feeds(bytes: &[u8]) -> usize {
    bytecount::count(bytes, b'\n')
}

/// Returns where the line after the one starting at `start` starts, or the end of the text.
fn next_line_start(bytes: &[u8], start: u32) -> u32 {
    memchr::memchr(b'\n', &bytes[start as usize..])
        .map_or(bytes.len() as u32, |feed| start + feed as u32 + 1)
}

/// Returns where the line before the one starting at `start` starts. `start` must follow a
/// line feed.
fn previous_line_start(bytes: &[u8], start: u32, first_start: u32) -> u32 {
    let before = start.saturating_sub(1) as usize;
    memchr::memrchr(b'\n', &bytes[..before]).map_or(first_start, |feed| feed as u32 + 1)
}

/// Returns the byte range of the line starting at `start`, without its line terminator.
fn line_range(bytes: &[u8], start: usize) -> std::ops::Range<usize> {
    let mut end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |feed| start + feed);
    if end > start && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    start..end
}

/// Splits `text` at the first `byte`, which must be ASCII. On short texts a byte loop is
/// cheaper than the general search that `str::split_once` runs.
pub fn split_once_ascii(text: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = text.bytes().position(|b| b == byte)?;
    // An ASCII byte never falls inside a multi-byte character, so both halves are valid.
    Some((&text[..at], &text[at + 1..]))
}

/// Splits `text` at `byte`, which must be ASCII, into at most `N` parts, as
/// `str::splitn(N, byte)` does, without allocating. Returns the parts and how many there are.
/// Unused parts are empty.
pub fn split_ascii_n<const N: usize>(text: &str, byte: u8) -> ([&str; N], usize) {
    debug_assert!(byte.is_ascii());
    let mut parts = [""; N];
    let mut count = 0;
    let mut rest = text;
    while count + 1 < N {
        let Some((part, after)) = split_once_ascii(rest, byte) else {
            break;
        };
        parts[count] = part;
        count += 1;
        rest = after;
    }
    parts[count] = rest;
    (parts, count + 1)
}

/// Appends a number in decimal, without the formatting machinery that `write!` goes through.
pub fn push_decimal(out: &mut String, number: u64) {
    let mut digits = [0u8; 20];
    let mut rest = number;
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

/// Appends a number in lowercase hexadecimal, padded with zeros to at least `width` digits.
pub fn push_hex(out: &mut String, number: u64, width: usize) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [b'0'; 16];
    let mut rest = number;
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = DIGITS[(rest & 0xf) as usize];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    at = at.min(digits.len() - width.min(digits.len()));
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index of every line start, the way excerpts were once built, to compare with.
    struct LineIndex {
        starts: Vec<u32>,
    }

    impl LineIndex {
        fn new(text: &str) -> LineIndex {
            let mut starts = Vec::with_capacity(text.len() / 32 + 1);
            // A byte-order mark is not part of line 1, so columns there count from after it and
            // excerpts do not show it. Offsets still count its bytes.
            starts.push(if text.starts_with('\u{feff}') { 3 } else { 0 });
            starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
            LineIndex { starts }
        }

        /// Returns the 0-based line that contains `offset`.
        fn line_of(&self, offset: u32) -> usize {
            match self.starts.binary_search(&offset) {
                Ok(line) => line,
                Err(0) => 0,
                Err(next) => next - 1,
            }
        }

        fn line_start(&self, line: usize) -> u32 {
            self.starts[line]
        }

        /// Returns the byte range of a 0-based line without its line terminator.
        fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
            let start = self.starts[line] as usize;
            let mut end = self
                .starts
                .get(line + 1)
                .map(|&next| next as usize)
                .unwrap_or(text.len());
            let bytes = text.as_bytes();
            if end > start && bytes[end - 1] == b'\n' {
                end -= 1;
            }
            if end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            start..end
        }

        /// Converts a byte offset into a position; `offset` must lie on a character boundary.
        fn position(&self, text: &str, offset: u32) -> Position {
            let line = self.line_of(offset);
            let start = (self.starts[line] as usize).min(offset as usize);
            let column = text[start..offset as usize].chars().count() as u32 + 1;
            Position {
                line: line as u32 + 1,
                column,
                offset,
            }
        }
    }

    /// Builds an excerpt from a full line index.
    fn build_with_index(text: &str, spans: &[Span]) -> Excerpt {
        let index = &LineIndex::new(text);
        let spans = spans.to_vec();
        let mut positions: Vec<Position> = spans
            .iter()
            .flat_map(|span| [span.start, span.end])
            .map(|offset| index.position(text, offset))
            .collect();
        positions.sort_by_key(|p| p.offset);
        positions.dedup_by_key(|p| p.offset);
        positions.shrink_to_fit();

        // For each wanted line, the range of offsets on it that must stay visible.
        let mut wanted: std::collections::BTreeMap<usize, (u32, u32)> =
            std::collections::BTreeMap::new();
        let mut want = |line: usize, lo: u32, hi: u32| {
            let entry = wanted.entry(line).or_insert((lo, hi));
            entry.0 = entry.0.min(lo);
            entry.1 = entry.1.max(hi);
        };
        for span in &spans {
            let first = index.line_of(span.start);
            let last_offset = if span.end > span.start
                && text.as_bytes().get(span.end as usize - 1) == Some(&b'\n')
            {
                span.end - 1
            } else {
                span.end
            };
            let last = index.line_of(last_offset.max(span.start));
            if first == last {
                want(first, span.start, span.end);
                continue;
            }
            want(first, span.start, span.start);
            want(last, index.line_start(last), span.end);
            let middle: Vec<usize> = if last - first < 2 * SPAN_LINES_KEPT + 2 {
                (first + 1..last).collect()
            } else {
                (first + 1..first + SPAN_LINES_KEPT)
                    .chain(last + 1 - SPAN_LINES_KEPT..last)
                    .collect()
            };
            for line in middle {
                let start = index.line_start(line);
                want(line, start, start);
            }
        }

        let mut kept_text = String::new();
        let lines = wanted
            .into_iter()
            .map(|(line, (lo, hi))| {
                let range = index.line_range(text, line);
                let (start, end) = window(text, range.clone(), lo as usize, hi as usize);
                kept_text.push_str(&text[start..end]);
                KeptLine {
                    number: line as u32 + 1,
                    start: start as u32,
                    text_end: kept_text.len() as u32,
                    cut_before: start > range.start,
                    cut_after: end < range.end,
                }
            })
            .collect();
        Excerpt {
            text: kept_text,
            lines,
            positions,
        }
    }

    #[test]
    fn ascii_splits_match_str_splits() {
        let texts = [
            "",
            ":",
            "ecs:Describe*",
            "acs:ram::123:role/a:b",
            "no colon",
            "caf\u{e9}:\u{4e2d}:x",
            "a::b:",
        ];
        for text in texts {
            assert_eq!(
                split_once_ascii(text, b':'),
                text.split_once(':'),
                "{text:?}"
            );
            let expected: Vec<&str> = text.splitn(5, ':').collect();
            let (parts, count) = split_ascii_n::<5>(text, b':');
            assert_eq!(&parts[..count], expected.as_slice(), "{text:?}");
        }
    }

    #[test]
    fn push_hex_matches_format() {
        for number in [0, 9, 10, 255, 0xabc_def, u64::from(u32::MAX), u64::MAX] {
            let (mut plain, mut padded) = (String::new(), String::new());
            push_hex(&mut plain, number, 0);
            push_hex(&mut padded, number, 16);
            assert_eq!(plain, format!("{number:x}"));
            assert_eq!(padded, format!("{number:016x}"));
        }
    }

    #[test]
    fn push_decimal_matches_format() {
        for number in [0, 7, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, number);
            assert_eq!(out, format!("x{number}"));
        }
    }

    #[test]
    fn byte_order_mark_is_not_a_column() {
        let text = "\u{feff}{\"Effect\": 1}";
        let excerpt = Excerpt::build(text, [Span::new(0, 3), Span::new(3, 4), Span::new(4, 12)]);
        let brace = excerpt.position(3);
        assert_eq!((brace.line, brace.column, brace.offset), (1, 1, 3));
        let key = excerpt.position(4);
        assert_eq!((key.line, key.column), (1, 2));
        assert_eq!(excerpt.position(0).column, 1);
        let line = excerpt.line(1).unwrap();
        assert_eq!(line.text, "{\"Effect\": 1}");
        assert_eq!(line.start, 3);
    }

    #[test]
    fn positions_count_characters() {
        let text = "{\n  \"中文\": \"x\"\r\n}";
        let offset = text.find("\"x\"").unwrap() as u32;
        let excerpt = Excerpt::build(text, [Span::new(offset, offset + 3)]);
        let pos = excerpt.position(offset);
        assert_eq!((pos.line, pos.column), (2, 9));
        assert_eq!(excerpt.line(2).unwrap().text, "  \"中文\": \"x\"");
    }

    #[test]
    fn line_feed_count_blocks() {
        // Line feeds at the start, the end, in runs and alone, around the block size.
        for length in [
            0usize, 1, 15, 16, 17, 20, 127, 128, 129, 143, 144, 300, 1000,
        ] {
            for step in [1usize, 2, 7, 64, 200] {
                let text: Vec<u8> = (0..length)
                    .map(|i| if i % step == 0 { b'\n' } else { b'a' })
                    .collect();
                let expected = text.iter().filter(|&&byte| byte == b'\n').count();
                assert_eq!(count_line_feeds(&text), expected, "{length} {step}");
            }
        }
    }

    /// Excerpts found in one pass agree with excerpts built from an index of every line.
    /// The texts have byte-order marks, CRLF, long lines and wide characters. The spans
    /// may be empty, cross many lines, end with a line feed or end the text.
    #[test]
    fn excerpts_match_full_index() {
        let pieces = [
            "a",
            "\n",
            "\r\n",
            "{",
            "\"Action\": ",
            "中",
            "\u{1F600}",
            "\t",
            "  ",
        ];
        let mut state: u64 = 11;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % bound.max(1)
        };
        for case in 0..3000 {
            let mut text = String::new();
            if case % 5 == 0 {
                text.push('\u{feff}');
            }
            // Some texts are long enough for hundreds of lines between two spans.
            let count = if case % 11 == 0 {
                500 + next(2000)
            } else {
                next(120)
            };
            for _ in 0..count {
                text.push_str(pieces[next(pieces.len())]);
            }
            if case % 7 == 0 {
                // A line longer than the window limit.
                text.push_str(&"x".repeat(LONG_LINE + next(300)));
                text.push('\n');
            }
            let boundaries: Vec<u32> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .map(|i| i as u32)
                .collect();
            let spans: Vec<Span> = (0..1 + next(6))
                .map(|_| {
                    let a = boundaries[next(boundaries.len())];
                    let b = boundaries[next(boundaries.len())];
                    Span::new(a.min(b), a.max(b))
                })
                .collect();
            let ours = Excerpt::build(&text, spans.iter().copied());
            let reference = build_with_index(&text, &spans);
            let (ours_lines, reference_lines): (Vec<_>, Vec<_>) =
                (ours.lines().collect(), reference.lines().collect());
            assert_eq!(ours_lines, reference_lines, "{text:?} {spans:?}");
            assert_eq!(ours.positions, reference.positions, "{text:?} {spans:?}");
        }
    }

    #[test]
    fn decode_accepts_utf8_bom() {
        let text = decode(b"\xEF\xBB\xBF{}".to_vec()).unwrap();
        assert_eq!(text.len(), 5);
    }

    #[test]
    fn decode_names_utf16_and_utf32() {
        let cases: [(&[u8], ForeignEncoding, bool); 6] = [
            (b"\xFF\xFE{\x00", ForeignEncoding::Utf16Le, true),
            (b"\xFE\xFF\x00{", ForeignEncoding::Utf16Be, true),
            (b"{\x00}\x00", ForeignEncoding::Utf16Le, false),
            (b"\x00{\x00}", ForeignEncoding::Utf16Be, false),
            (
                b"\xFF\xFE\x00\x00{\x00\x00\x00",
                ForeignEncoding::Utf32Le,
                true,
            ),
            (b"{\x00\x00\x00", ForeignEncoding::Utf32Le, false),
        ];
        for (bytes, encoding, bom) in cases {
            let (_, err) = decode(bytes.to_vec()).unwrap_err();
            assert_eq!(err, DecodeError::Foreign { encoding, bom }, "{bytes:?}");
        }
    }

    #[test]
    fn decode_reports_first_invalid_byte() {
        let (_, err) = decode(b"{\"a\": \"\xC3\x28\"}".to_vec()).unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { offset: 7, len: 1 });
    }

    /// The fast check accepts exactly what the standard library accepts, in every position
    /// of a text longer than one SIMD block.
    #[test]
    fn decode_agrees_with_std() {
        let pieces: [&[u8]; 12] = [
            b"a",
            "é".as_bytes(),
            "€".as_bytes(),
            "😀".as_bytes(),
            b"\xC0\xAF",         // overlong `/`
            b"\xE0\x80\xAF",     // overlong, three bytes
            b"\xED\xA0\x80",     // UTF-16 surrogate
            b"\xF4\x90\x80\x80", // above U+10FFFF
            b"\xF8\x88\x80\x80\x80",
            b"\xE2\x82",     // cut short
            b"\x80",         // continuation byte alone
            b"\xF0\x9F\x98", // cut short, four bytes
        ];
        for piece in pieces {
            for at in [0, 1, 15, 16, 31, 63, 64, 65] {
                let mut bytes = vec![b' '; 80];
                bytes.splice(at..at, piece.iter().copied());
                let expected = String::from_utf8(bytes.clone()).map_err(|e| {
                    let e = e.utf8_error();
                    (e.valid_up_to(), e.error_len().unwrap_or(0))
                });
                let found = decode(bytes).map_err(|(_, error)| match error {
                    DecodeError::InvalidUtf8 { offset, len } => (offset, len),
                    other => panic!("{other:?}"),
                });
                assert_eq!(found, expected, "{piece:?} at {at}");
            }
        }
    }
}
