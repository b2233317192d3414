//! The bucket inventory readers (the OSS ListBuckets XML response and `ossutil ls` output):
//! any text is read or rejected without a panic, and every span of an entry or an error lies
//! inside the text on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ramlint::document::inventory::{
    is_list_buckets_xml, parse_list_buckets_xml, parse_ossutil_listing,
};
use ramlint::source::Span;

fn check_span(text: &str, span: Span) {
    assert!(
        span.start <= span.end && span.end as usize <= text.len(),
        "{span} outside the text"
    );
    assert!(
        text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
        "{span} splits a character"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = is_list_buckets_xml(text);
    match parse_list_buckets_xml(text) {
        Ok(entries) => {
            for entry in entries {
                check_span(text, entry.bucket_span);
                check_span(text, entry.region_span);
            }
        }
        Err(error) => check_span(text, error.span),
    }
    if let Some(entries) = parse_ossutil_listing(text) {
        for entry in entries {
            check_span(text, entry.bucket_span);
            check_span(text, entry.region_span);
        }
    }
});
