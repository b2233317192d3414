//! RPC query strings stored as text: `Action=ExportImage&ImageId=...` alone or in a URL
//! (`https://ens.aliyuncs.com/?Action=...`), one per line.
//!
//! A query may continue on the following lines when they start with `&` or when the line
//! before ends with `&`, as API documentation writes long requests. Pieces such as
//! `<Common request parameters>` stand for parameters left out and are skipped. Keys and values
//! are decoded as HTML forms encode them (`+` is a space, `%XX` a byte), and every span points
//! at the bytes as written, so a diagnostic underlines `%E5%AF%BC`, not the decoded text.

use std::borrow::Cow;

use percent_encoding::percent_decode;

use super::tree::{Member, Node, Value};
use crate::source::Span;

/// A query string found in a text.
#[derive(Clone, Debug, PartialEq)]
pub struct Query<'a> {
    /// From the start of the URL, or of the first parameter, to the end of the last one.
    pub span: Span,
    /// The URL's host in lower case, when the query is part of a URL.
    pub host: Option<String>,
    /// The parameters, as an object whose members keep the spans of the encoded key and value.
    pub params: Node<'a>,
}

/// Finds the query strings in `text`, which starts at byte `base` of its file. A line is a
/// query when it contains a URL with a query, starts with `?`, or is a `Name=value&...` list.
pub fn find_queries(text: &str, base: u32) -> Vec<Query<'_>> {
    let lines = lines(text);
    let mut queries = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let (start, end) = lines[index];
        let Some(head) = query_head(text, start, end) else {
            index += 1;
            continue;
        };
        let mut pieces = Vec::new();
        split_pieces(text, head.query_start, head.query_end, &mut pieces);
        let mut last_end = head.query_end;
        let mut open = text[head.query_start..head.query_end].ends_with('&');
        index += 1;
        // Continuation lines: `&Name=value`, or anything after a line that ends with `&`.
        while index < lines.len() {
            let (line_start, line_end) = lines[index];
            let line = &text[line_start..line_end];
            let trimmed_start = line_start + (line.len() - line.trim_start().len());
            let trimmed_end = line_start + line.trim_end().len();
            if trimmed_start >= trimmed_end {
                break;
            }
            let first = text.as_bytes()[trimmed_start];
            if first != b'&' && !(open && looks_like_pieces(&text[trimmed_start..trimmed_end], 1)) {
                break;
            }
            split_pieces(text, trimmed_start, trimmed_end, &mut pieces);
            last_end = trimmed_end;
            open = text[trimmed_start..trimmed_end].ends_with('&');
            index += 1;
        }
        if pieces.is_empty() {
            continue;
        }
        let span = Span::from_range(head.start, last_end).shifted(base);
        let members = pieces
            .into_iter()
            .map(|piece| piece.into_member(text, base))
            .collect();
        queries.push(Query {
            span,
            host: head.host,
            params: Node::new(span, Value::Object(members)),
        });
    }
    queries
}

/// Byte ranges of the lines of `text`, without line terminators.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if byte == b'\n' {
            let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            lines.push((start, end));
            start = i + 1;
        }
    }
    if start < text.len() {
        lines.push((start, text.len()));
    }
    lines
}

/// The start of a query on its first line.
struct Head {
    /// The start of the URL, or of the query when there is no URL.
    start: usize,
    host: Option<String>,
    query_start: usize,
    query_end: usize,
}

fn query_head(text: &str, start: usize, end: usize) -> Option<Head> {
    let line = &text[start..end];
    if let Some(at) = find_url(line) {
        let url_start = start + at;
        let url_end = url_end(text, url_start, end);
        let url = &text[url_start..url_end];
        let after_scheme = url.find("://")? + 3;
        let host_end = url[after_scheme..]
            .find(['/', '?', '#', ':'])
            .map_or(url.len(), |i| after_scheme + i);
        let host = url[after_scheme..host_end].to_ascii_lowercase();
        let (query_start, query_end) = match url.find('?') {
            Some(question) => {
                let query_end = url[question..]
                    .find('#')
                    .map_or(url.len(), |i| question + i);
                (url_start + question + 1, url_start + query_end)
            }
            None => (url_end, url_end),
        };
        return Some(Head {
            start: url_start,
            host: Some(host),
            query_start,
            query_end,
        });
    }
    if line.trim().is_empty() {
        return None;
    }
    let trimmed_start = start + (line.len() - line.trim_start().len());
    let trimmed_end = start + line.trim_end().len();
    let trimmed = &text[trimmed_start..trimmed_end];
    let (query_start, query) = match trimmed.strip_prefix('?') {
        Some(rest) => (trimmed_start + 1, rest),
        None => (trimmed_start, trimmed),
    };
    let has_action = query.starts_with("Action=") || query.contains("&Action=");
    if !(has_action || trimmed.starts_with('?') || looks_like_pieces(query, 2)) {
        return None;
    }
    Some(Head {
        start: trimmed_start,
        host: None,
        query_start,
        query_end: trimmed_end,
    })
}

/// Finds `http://` or `https://` in a line, in any case. Each `://` is found with a byte
/// search and the scheme before it compared, so the first one that qualifies is the earliest.
fn find_url(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let scheme_before = |at: usize, scheme: &str| {
        at.checked_sub(scheme.len())
            .filter(|&start| bytes[start..at].eq_ignore_ascii_case(scheme.as_bytes()))
    };
    memchr::memmem::find_iter(bytes, b"://")
        .find_map(|at| scheme_before(at, "https").or_else(|| scheme_before(at, "http")))
}

/// A URL ends at whitespace, a quote or a backtick, except inside `<...>`, where
/// documentation writes placeholders with spaces.
fn url_end(text: &str, start: usize, end: usize) -> usize {
    let mut in_angle = false;
    for (i, ch) in text[start..end].char_indices() {
        match ch {
            '<' => in_angle = true,
            '>' => in_angle = false,
            '"' | '\'' | '`' => return start + i,
            ch if ch.is_whitespace() && !in_angle => return start + i,
            _ => {}
        }
    }
    end
}

/// Tells whether text is a list of at least `min` `Name=value` pieces joined by `&`, with
/// names made of letters, digits, `.` and `_`.
fn looks_like_pieces(text: &str, min: usize) -> bool {
    let text = text.trim_start_matches('&').trim_end_matches('&');
    let mut count = 0;
    for piece in text.split('&') {
        if piece.starts_with('<') && piece.ends_with('>') {
            continue;
        }
        let Some((name, _)) = piece.split_once('=') else {
            return false;
        };
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
        if !valid {
            return false;
        }
        count += 1;
    }
    count >= min
}

/// One `name=value` piece, by byte ranges.
struct Piece {
    key: (usize, usize),
    /// `None` when the piece has no `=`.
    value: Option<(usize, usize)>,
}

/// Splits `text[start..end]` at `&`, skipping empty pieces and `<...>` placeholders.
fn split_pieces(text: &str, start: usize, end: usize, out: &mut Vec<Piece>) {
    let mut piece_start = start;
    let mut in_angle = false;
    for (i, byte) in text[start..end].bytes().enumerate() {
        match byte {
            b'<' => in_angle = true,
            b'>' => in_angle = false,
            b'&' if !in_angle => {
                push_piece(text, piece_start, start + i, out);
                piece_start = start + i + 1;
            }
            _ => {}
        }
    }
    push_piece(text, piece_start, end, out);
}

fn push_piece(text: &str, start: usize, end: usize, out: &mut Vec<Piece>) {
    let raw = &text[start..end];
    if raw.trim().is_empty() || (raw.starts_with('<') && raw.ends_with('>')) {
        return;
    }
    match raw.find('=') {
        Some(eq) => out.push(Piece {
            key: (start, start + eq),
            value: Some((start + eq + 1, end)),
        }),
        None => out.push(Piece {
            key: (start, end),
            value: None,
        }),
    }
}

impl Piece {
    fn into_member(self, text: &str, base: u32) -> Member<'_> {
        let key_span = Span::from_range(self.key.0, self.key.1).shifted(base);
        let key = decode(&text[self.key.0..self.key.1]);
        let value = match self.value {
            Some((start, end)) => Node::new(
                Span::from_range(start, end).shifted(base),
                Value::String(decode(&text[start..end])),
            ),
            None => Node::new(
                Span::new(key_span.end, key_span.end),
                Value::String(Cow::Borrowed("")),
            ),
        };
        Member {
            key,
            key_span,
            value,
        }
    }
}

/// Decodes form encoding: `+` is a space and `%XX` a byte. Bytes that do not form UTF-8 are
/// replaced with U+FFFD, and a `%` without two hex digits is kept as it is.
pub fn decode(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['%', '+']) {
        return Cow::Borrowed(raw);
    }
    let spaced = raw.replace('+', " ");
    let bytes = percent_decode(spaced.as_bytes()).collect::<Vec<u8>>();
    Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params<'a>(query: &'a Query<'_>) -> Vec<(&'a str, &'a str)> {
        query
            .params
            .as_object()
            .unwrap()
            .iter()
            .map(|m| (m.key.as_ref(), m.value.as_str().unwrap()))
            .collect()
    }

    #[test]
    fn url_found_in_any_case() {
        // The earliest `http://` or `https://`, against a search on a lowercase copy.
        let lines = [
            "GET HTTPS://ens.aliyuncs.com/?Action=ExportImage",
            "see http://a and https://b",
            "ftp://x then Http://y",
            "https:// http://",
            "://https://",
            "xhttps://y",
            "no scheme here: //x",
            "",
            "h://http://",
            "caf\u{e9} https://\u{4e2d}",
        ];
        for line in lines {
            let lower = line.to_ascii_lowercase();
            let expected = [lower.find("http://"), lower.find("https://")]
                .into_iter()
                .flatten()
                .min();
            assert_eq!(find_url(line), expected, "{line:?}");
        }
    }

    #[test]
    fn url_query_has_host_and_spans() {
        let text = "GET https://ENS.aliyuncs.com/?Action=ExportImage&OSSPrefix=a%2Fb HTTP/1.1\n";
        let queries = find_queries(text, 0);
        assert_eq!(queries.len(), 1);
        let query = &queries[0];
        assert_eq!(query.host.as_deref(), Some("ens.aliyuncs.com"));
        assert_eq!(
            params(query),
            [("Action", "ExportImage"), ("OSSPrefix", "a/b")]
        );
        let prefix = &query.params.as_object().unwrap()[1];
        assert_eq!(&text[prefix.value.span.range()], "a%2Fb");
        assert_eq!(&text[prefix.key_span.range()], "OSSPrefix");
        assert!(text[query.span.range()].starts_with("https://"));
        assert!(text[query.span.range()].ends_with("a%2Fb"));
    }

    #[test]
    fn continuation_lines_join_one_query() {
        let text = "https://ecs.aliyuncs.com/?Action=ExportImage\n&ImageId=m-1\n  &OSSBucket=b\n&<Common request parameters>\n\nAction=Other&X=1\n";
        let queries = find_queries(text, 10);
        assert_eq!(queries.len(), 2);
        assert_eq!(
            params(&queries[0]),
            [
                ("Action", "ExportImage"),
                ("ImageId", "m-1"),
                ("OSSBucket", "b")
            ]
        );
        let bucket = &queries[0].params.as_object().unwrap()[2];
        let start = bucket.value.span.start as usize - 10;
        assert_eq!(&text[start..start + 1], "b");
        assert_eq!(params(&queries[1]), [("Action", "Other"), ("X", "1")]);
    }

    #[test]
    fn trailing_ampersand_continues() {
        let text = "Action=ExportImage&\nImageId=m-1&\nOSSBucket=b\nplain text\n";
        let queries = find_queries(text, 0);
        assert_eq!(queries.len(), 1);
        assert_eq!(params(&queries[0]).len(), 3);
    }

    #[test]
    fn decoding_keeps_encoded_spans() {
        let text = "Action=ExportImage&OSSPrefix=%E5%AF%BC+x&Bad=%ZZ";
        let queries = find_queries(text, 0);
        let members = queries[0].params.as_object().unwrap();
        assert_eq!(members[1].value.as_str(), Some("导 x"));
        assert_eq!(&text[members[1].value.span.range()], "%E5%AF%BC+x");
        assert_eq!(members[2].value.as_str(), Some("%ZZ"));
    }

    #[test]
    fn prose_is_not_a_query() {
        let text =
            "Set Action=ExportImage in the request.\nsee https://example.com/docs page\nfoo=bar\n";
        assert_eq!(find_queries(text, 0), []);
        assert_eq!(find_queries("   \n\t\n", 0), []);
    }

    #[test]
    fn key_without_value_is_empty() {
        let text = "Action=ExportImage&OSSPrefix";
        let queries = find_queries(text, 0);
        let member = &queries[0].params.as_object().unwrap()[1];
        assert_eq!(member.value.as_str(), Some(""));
        assert_eq!(member.value.span, Span::new(28, 28));
    }
}
