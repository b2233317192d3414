//! The `aliyun` command-line parser: any text yields commands whose spans (of the command,
//! the product and operation words, each `--Name` and each value) lie inside the text on
//! character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ramlint::source::Span;
use ramlint::syntax::Value;
use ramlint::syntax::cli_line::find_commands;

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
    for command in find_commands(text, 0) {
        check_span(text, command.span);
        for word in command.product.iter().chain(command.operation.iter()) {
            check_span(text, word.span);
        }
        if let Value::Object(members) = &command.params.value {
            for member in members {
                check_span(text, member.key_span);
                check_span(text, member.value.span);
            }
        }
    }
});
