//! Properties over generated input: the parser never panics and its spans are sound, every
//! format renders any input, and the number of jobs never changes the output.

use proptest::prelude::*;
use ramlint::source::Span;
use ramlint::syntax::json;
use ramlint::syntax::{Node, Value};

use crate::support::{TempDir, run, run_with_stdin};

/// JSON texts shaped like policies, often slightly broken by the mutations below.
fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-zA-Z0-9:*?/ _\\-\\.中文é\\\\\"\\n\\t\\u{1b}]{0,12}"
            .prop_map(|s| serde_json::to_string(&s).unwrap()),
        prop_oneof![
            Just("Effect"),
            Just("Action"),
            Just("Resource"),
            Just("Allow"),
            Just("ecs:*")
        ]
        .prop_map(|s| format!("\"{s}\"")),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("Version".to_string()),
                        Just("Statement".to_string()),
                        Just("Effect".to_string()),
                        Just("Action".to_string()),
                        Just("NotAction".to_string()),
                        Just("Resource".to_string()),
                        Just("Condition".to_string()),
                        Just("Principal".to_string()),
                        "[a-zA-Z:]{1,8}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|members| {
                let body: Vec<String> = members
                    .into_iter()
                    .map(|(key, value)| {
                        format!("{}: {value}", serde_json::to_string(&key).unwrap())
                    })
                    .collect();
                format!("{{{}}}", body.join(",\n  "))
            }),
        ]
    })
}

/// A JSON text with a few random edits: characters inserted, removed or replaced.
fn mutated_json() -> impl Strategy<Value = String> {
    (
        json_value(),
        prop::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), "[\\s\\S]"),
            0..4,
        ),
    )
        .prop_map(|(text, edits)| {
            let mut chars: Vec<char> = text.chars().collect();
            for (index, kind, replacement) in edits {
                if chars.is_empty() {
                    break;
                }
                let at = index.index(chars.len());
                let ch = replacement.chars().next().unwrap_or(' ');
                match kind % 3 {
                    0 => chars.insert(at, ch),
                    1 => {
                        chars.remove(at);
                    }
                    _ => chars[at] = ch,
                }
            }
            chars.into_iter().collect()
        })
}

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(span.start <= span.end, "{what}: reversed span {span}");
    assert!(
        span.end as usize <= text.len(),
        "{what}: span {span} past the end ({})",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start as usize),
        "{what}: start {span} splits a character"
    );
    assert!(
        text.is_char_boundary(span.end as usize),
        "{what}: end {span} splits a character"
    );
}

fn assert_tree_spans(text: &str, node: &Node<'_>) {
    assert_span(text, node.span, "node");
    match &node.value {
        Value::Array(items) => items.iter().for_each(|item| assert_tree_spans(text, item)),
        Value::Object(members) => {
            for member in members {
                assert_span(text, member.key_span, "key");
                assert!(
                    member.key_span.end <= member.value.span.start,
                    "key after its value"
                );
                assert_tree_spans(text, &member.value);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parser_spans_are_sound(text in mutated_json()) {
        match json::parse(&text) {
            Ok(root) => assert_tree_spans(&text, &root),
            Err(error) => {
                assert_span(&text, error.span, "error");
                if let Some((span, _)) = error.label {
                    assert_span(&text, span, "error label");
                }
            }
        }
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = json::parse(&text);
    }

    #[test]
    fn parser_agrees_with_serde_json(text in mutated_json()) {
        let ours = json::parse(&text).is_ok();
        // A leading byte-order mark is accepted on purpose and serde_json rejects it, and
        // serde_json refuses numbers it cannot hold in an f64 (`1e400`), which are valid JSON
        // text; those are the two known differences.
        let reference = serde_json::from_str::<serde_json::Value>(text.strip_prefix('\u{FEFF}').unwrap_or(&text));
        let out_of_range = reference.as_ref().is_err_and(|e| e.to_string().contains("number out of range"));
        if !out_of_range {
            prop_assert_eq!(ours, reference.is_ok(), "{}", text);
        }
    }

    #[test]
    fn every_format_renders_any_input(text in mutated_json()) {
        let text_output = run_with_stdin(&["check", "--color", "always", "-"], text.as_bytes());
        prop_assert!(text_output.code <= 2);
        prop_assert!(!text_output.stdout.contains("\u{1b}]"), "raw escape sequence from the input");
        let json_output = run_with_stdin(&["check", "--format", "json", "-"], text.as_bytes());
        let report: serde_json::Value = serde_json::from_str(&json_output.stdout)
            .map_err(|e| TestCaseError::fail(format!("invalid JSON ({e}): {}", json_output.stdout)))?;
        prop_assert!(report["summary"]["files"] == 1);
        for diagnostic in report["diagnostics"].as_array().unwrap() {
            let start = diagnostic["span"]["start"]["offset"].as_u64();
            let end = diagnostic["span"]["end"]["offset"].as_u64();
            if let (Some(start), Some(end)) = (start, end) {
                prop_assert!(start <= end && end as usize <= text.len());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_break_a_scan(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let output = run_with_stdin(&["check", "--format", "json", "-"], &bytes);
        prop_assert!(output.code <= 2);
        let _: serde_json::Value = serde_json::from_str(&output.stdout)
            .map_err(|e| TestCaseError::fail(format!("invalid JSON ({e})")))?;
        let text = run_with_stdin(&["check", "-"], &bytes);
        prop_assert!(!text.stdout.contains('\u{1b}'), "raw escape byte in text output");
    }
}

/// More files than one merge chunk (2,048), so that outcomes from several chunks are merged.
#[test]
fn jobs_agree_across_merge_chunks() {
    let dir = TempDir::new("jobs-chunks");
    let (mut invalid, mut wildcards) = (0, 0);
    for i in 0..2500 {
        let effect = if i % 7 == 0 { "Alow" } else { "Allow" };
        let action = if i % 5 == 0 {
            "ecs:*"
        } else {
            "ecs:DescribeInstances"
        };
        invalid += usize::from(i % 7 == 0);
        wildcards += usize::from(i % 7 != 0 && i % 5 == 0);
        dir.write(
            &format!("part-{}/policy-{i:04}.json", i % 3),
            format!(
                r#"{{"Version": "1", "Statement": [{{"Effect": "{effect}", "Action": "{action}", "Resource": "*"}}]}}"#
            ),
        );
    }
    let reference = run(&["check", "--format", "json", "--jobs", "1", dir.path()]);
    assert_eq!(reference.code, 1, "{}", reference.stderr);
    let rules = reference.rules();
    let count = |id: &str| rules.iter().filter(|rule| *rule == id).count();
    assert_eq!(count("invalid-effect"), invalid);
    assert_eq!(count("service-wildcard"), wildcards);
    for jobs in ["2", "8"] {
        let output = run(&["check", "--format", "json", "--jobs", jobs, dir.path()]);
        assert_eq!(
            output.stdout, reference.stdout,
            "--jobs {jobs} changes the JSON report"
        );
    }
}

#[test]
fn output_is_identical_for_any_number_of_jobs() {
    let reference = run(&["check", "--format", "json", "fixtures"]);
    assert!(
        reference.code == 1 || reference.code == 2,
        "{}",
        reference.stderr
    );
    let reference_text = run(&["check", "--color", "never", "fixtures"]);
    for jobs in ["1", "2", "8"] {
        let output = run(&["check", "--format", "json", "--jobs", jobs, "fixtures"]);
        assert_eq!(
            output.stdout, reference.stdout,
            "--jobs {jobs} changes the JSON report"
        );
        assert_eq!(output.code, reference.code);
        let text = run(&["check", "--color", "never", "--jobs", jobs, "fixtures"]);
        assert_eq!(
            text.stdout, reference_text.stdout,
            "--jobs {jobs} changes the text report"
        );
    }
}
