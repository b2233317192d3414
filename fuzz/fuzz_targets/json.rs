//! The JSON layer: any bytes that are UTF-8 parse or fail without a panic, every span of the
//! tree or the error lies inside the text on character boundaries, and the parser accepts
//! exactly what serde_json accepts (apart from numbers too large for an f64 and a leading
//! byte-order mark).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ramlint::source::Span;
use ramlint::syntax::{Node, Value, json};

fn check_span(text: &str, span: Span) {
    assert!(span.start <= span.end && span.end as usize <= text.len());
    assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize));
}

fn check_tree(text: &str, node: &Node<'_>) {
    check_span(text, node.span);
    match &node.value {
        Value::Array(items) => items.iter().for_each(|item| check_tree(text, item)),
        Value::Object(members) => members.iter().for_each(|member| {
            check_span(text, member.key_span);
            check_tree(text, &member.value);
        }),
        _ => {}
    }
}

fn depth(text: &str) -> usize {
    let (mut current, mut deepest) = (0usize, 0usize);
    for byte in text.bytes() {
        match byte {
            b'[' | b'{' => {
                current += 1;
                deepest = deepest.max(current);
            }
            b']' | b'}' => current = current.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = json::parse(text);
    match &ours {
        Ok(root) => check_tree(text, root),
        Err(error) => {
            check_span(text, error.span);
            if let Some((span, _)) = &error.label {
                check_span(text, *span);
            }
        }
    }
    // serde_json stops at 128 levels, as we do, but counts differently inside strings, so
    // only shallow documents are compared.
    // A leading byte-order mark is accepted on purpose; serde_json rejects it.
    if depth(text) < 100 {
        let reference = serde_json::from_str::<serde_json::Value>(
            text.strip_prefix('\u{FEFF}').unwrap_or(text),
        );
        let out_of_range = reference
            .as_ref()
            .is_err_and(|e| e.to_string().contains("number out of range"));
        if !out_of_range {
            assert_eq!(ours.is_ok(), reference.is_ok(), "disagreement on {text:?}");
        }
    }
});
