//! The RPC query-string parser: any text yields queries whose spans (of the query, of each
//! key and of each value) lie inside the text on character boundaries, with the same offset
//! added when the text is embedded at a later position of its file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ramlint::source::Span;
use ramlint::syntax::query::find_queries;
use ramlint::syntax::{Node, Value};

fn check_span(text: &str, base: u32, span: Span) {
    assert!(
        span.start >= base && span.start <= span.end,
        "{span} before {base}"
    );
    let (start, end) = ((span.start - base) as usize, (span.end - base) as usize);
    assert!(end <= text.len(), "{span} past the end");
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{span} splits a character"
    );
}

fn check_params(text: &str, base: u32, params: &Node<'_>) {
    check_span(text, base, params.span);
    if let Value::Object(members) = &params.value {
        for member in members {
            check_span(text, base, member.key_span);
            check_span(text, base, member.value.span);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for base in [0u32, 17] {
        for query in find_queries(text, base) {
            check_span(text, base, query.span);
            check_params(text, base, &query.params);
        }
    }
});
