//! Property tests against simple reference implementations: wildcard patterns translated to
//! anchored regular expressions, and decisions computed by trying every way the undecided
//! conditions could turn out.

use proptest::prelude::*;
use regex::Regex;

use super::pattern::{self, Case};
use super::*;
use crate::diagnostic::FileId;
use crate::document::PolicyKind;
use crate::document::policy::{Condition, Effect, Item, Patterns, Policy, Statement};
use crate::source::Span;

/// Translates a wildcard pattern into a regular expression for one ARN part or a whole
/// value: `*` becomes `star` and `?` becomes `any`.
fn translate(pattern: &str, star: &str, any: &str) -> String {
    let mut out = String::new();
    for ch in pattern.chars() {
        match ch {
            '*' => out.push_str(star),
            '?' => out.push_str(any),
            ch => out.push_str(&regex::escape(&ch.to_string())),
        }
    }
    out
}

fn reference_matches(pattern: &str, value: &str, case: Case) -> bool {
    let flags = match case {
        Case::Sensitive => "(?s)",
        Case::IgnoreAscii => "(?si)",
    };
    let regex = format!("{flags}^{}$", translate(pattern, ".*", "."));
    Regex::new(&regex).unwrap().is_match(value)
}

/// Tells whether text is a five-part ARN, by a regular expression rather than by splitting.
fn is_arn(text: &str) -> bool {
    Regex::new(r"(?s)^acs:[^:]*:[^:]*:[^:]*:.*$")
        .unwrap()
        .is_match(text)
}

/// Matches a resource with one regular expression in which wildcards of the first four
/// parts cannot cross a colon, and those of the relative id can.
fn reference_resource_matches(pattern: &str, resource: &str) -> bool {
    if !(is_arn(pattern) && is_arn(resource)) {
        return reference_matches(pattern, resource, Case::Sensitive);
    }
    let parts: Vec<&str> = pattern.splitn(5, ':').collect();
    let mut regex = String::from("(?s)^acs");
    for part in &parts[1..4] {
        regex.push(':');
        regex.push_str(&translate(part, "[^:]*", "[^:]"));
    }
    regex.push(':');
    regex.push_str(&translate(parts[4], ".*", "."));
    regex.push('$');
    Regex::new(&regex).unwrap().is_match(resource)
}

fn text_from(alphabet: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(alphabet), 0..max)
        .prop_map(|parts| parts.concat())
}

const VALUE_CHARS: &[&str] = &["a", "b", "A", "B", ":", "/", "中", "e", "."];
const PATTERN_CHARS: &[&str] = &["a", "b", "A", ":", "/", "中", "*", "?", "*", "?"];
// Small alphabets make a generated pattern and a generated ARN agree often enough to test
// the cases where only one part, or the text after a colon in the relative id, differs.
const ARN_PART_CHARS: &[&str] = &["a", "b"];
const ARN_PART_PATTERN_CHARS: &[&str] = &["a", "b", "*", "?"];
const RELATIVE_CHARS: &[&str] = &["a", "/", ":", "中"];
const RELATIVE_PATTERN_CHARS: &[&str] = &["a", "/", ":", "中", "*", "?"];

fn arn_from(
    part: &'static [&'static str],
    relative: &'static [&'static str],
) -> impl Strategy<Value = String> {
    (
        text_from(part, 3),
        text_from(part, 3),
        text_from(part, 3),
        text_from(relative, 6),
    )
        .prop_map(|(s, r, a, id)| format!("acs:{s}:{r}:{a}:{id}"))
}

fn resource_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => arn_from(ARN_PART_CHARS, RELATIVE_CHARS),
        1 => text_from(VALUE_CHARS, 8),
        1 => Just("*".to_string()),
    ]
}

fn resource_pattern_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => arn_from(ARN_PART_PATTERN_CHARS, RELATIVE_PATTERN_CHARS),
        1 => text_from(PATTERN_CHARS, 8),
        1 => Just("*".to_string()),
    ]
}

/// The longest run of pattern characters between two stars.
fn longest_run(pattern: &str) -> usize {
    pattern
        .split('*')
        .map(|run| run.chars().count())
        .max()
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn patterns_match_like_anchored_regexes(
        pattern in text_from(PATTERN_CHARS, 10),
        value in text_from(VALUE_CHARS, 14),
    ) {
        prop_assert_eq!(
            pattern::matches(&pattern, &value, Case::Sensitive),
            reference_matches(&pattern, &value, Case::Sensitive)
        );
        prop_assert_eq!(
            pattern::matches(&pattern, &value, Case::IgnoreAscii),
            reference_matches(&pattern, &value, Case::IgnoreAscii)
        );
    }

    #[test]
    fn matching_steps_stay_within_the_bound(
        pattern in text_from(PATTERN_CHARS, 16),
        value in text_from(VALUE_CHARS, 40),
    ) {
        let (_, steps) = pattern::match_counting_steps(&pattern, &value, Case::Sensitive);
        let n = value.chars().count();
        let m = pattern.chars().count();
        let k = longest_run(&pattern);
        prop_assert!(steps <= n * (k + 1) + m + 1, "{} steps, n={} m={} k={}", steps, n, m, k);
    }

    #[test]
    fn resources_match_like_the_reference(
        pattern in resource_pattern_strategy(),
        resource in resource_strategy(),
    ) {
        prop_assert_eq!(
            arn::resource_matches(&pattern, &resource),
            reference_resource_matches(&pattern, &resource)
        );
    }

    #[test]
    fn decisions_match_every_possible_outcome(
        documents in proptest::collection::vec(
            proptest::collection::vec(statement_strategy(), 1..4),
            1..4,
        ),
        action in proptest::sample::select(&ACTIONS[..]),
        resource in proptest::sample::select(&RESOURCES[..]),
        known in proptest::collection::vec(proptest::option::of(proptest::sample::select(&["x", "y"][..])), 12),
    ) {
        check_decision(&documents, action, resource, &known)?;
    }
}

const ACTIONS: [&str; 4] = [
    "ens:ExportImage",
    "ens:DescribeImages",
    "ecs:DescribeInstances",
    "oss:GetObject",
];
const ACTION_PATTERNS: [&str; 8] = [
    "*",
    "ens:*",
    "ENS:exportimage",
    "ens:Export?mage",
    "*:Describe*",
    "ecs:*Instances",
    "oss:Get*",
    "ens:NoSuchAction",
];
const RESOURCES: [&str; 3] = [
    "*",
    "acs:oss:cn-hangzhou:1:bucket/a:b",
    "acs:ens:cn-beijing:1:image/m-1",
];
const RESOURCE_PATTERNS: [&str; 5] = [
    "*",
    "acs:oss:*:*:bucket/*",
    "acs:ens:*:*:image/*",
    "acs:*:*:*:*",
    "acs:oss:*:*:bucket/a",
];

/// A generated statement: effect, whether `Action`/`Resource` are negated, their pattern
/// indexes, and an optional `StringEquals` value for the statement's own key.
#[derive(Clone, Debug)]
struct GeneratedStatement {
    deny: bool,
    not_action: bool,
    actions: Vec<usize>,
    not_resource: bool,
    resources: Vec<usize>,
    condition: Option<&'static str>,
}

fn statement_strategy() -> impl Strategy<Value = GeneratedStatement> {
    (
        any::<bool>(),
        proptest::bool::weighted(0.2),
        proptest::collection::vec(0..ACTION_PATTERNS.len(), 0..3),
        proptest::bool::weighted(0.2),
        proptest::collection::vec(0..RESOURCE_PATTERNS.len(), 1..3),
        proptest::option::weighted(0.4, proptest::sample::select(&["x", "y"][..])),
    )
        .prop_map(
            |(deny, not_action, actions, not_resource, resources, condition)| GeneratedStatement {
                deny,
                not_action,
                actions,
                not_resource,
                resources,
                condition,
            },
        )
}

fn items(texts: impl Iterator<Item = &'static str>) -> Vec<Item<'static>> {
    texts
        .map(|text| Item {
            text: text.into(),
            span: Span::default(),
        })
        .collect()
}

/// Builds the typed policy of a generated document. Statement `i` of document `d` has the
/// condition key `acs:k<d>_<i>`, so no two statements share a condition.
fn build_policy(document: usize, statements: &[GeneratedStatement]) -> Policy<'static> {
    Policy {
        span: Span::default(),
        statement_span: None,
        kind: PolicyKind::Identity,
        statements: statements
            .iter()
            .enumerate()
            .map(|(index, generated)| Statement {
                index,
                pointer: format!("/Statement/{index}").into(),
                span: Span::default(),
                sid: None,
                effect: Some(if generated.deny {
                    Effect::Deny
                } else {
                    Effect::Allow
                }),
                effect_span: None,
                action: Some(Patterns {
                    negated: generated.not_action,
                    key_span: Span::default(),
                    value_span: Span::default(),
                    items: items(generated.actions.iter().map(|&i| ACTION_PATTERNS[i])),
                }),
                resource: Some(Patterns {
                    negated: generated.not_resource,
                    key_span: Span::default(),
                    value_span: Span::default(),
                    items: items(generated.resources.iter().map(|&i| RESOURCE_PATTERNS[i])),
                }),
                principal_span: None,
                conditions: generated
                    .condition
                    .map(|value| Condition {
                        operator: "StringEquals".into(),
                        operator_span: Span::default(),
                        key: condition_key(document, index).into(),
                        key_span: Span::default(),
                        values: items(std::iter::once(value)),
                    })
                    .into_iter()
                    .collect(),
                conditions_invalid: false,
            })
            .collect(),
    }
}

fn condition_key(document: usize, index: usize) -> String {
    format!("acs:k{document}_{index}")
}

/// Decides one world in which every statement is known to apply or not: Deny wins, then
/// Allow, then implicit deny.
fn world_decision(applies: &[(bool, bool)]) -> Decision {
    if applies.iter().any(|&(deny, applies)| deny && applies) {
        Decision::Denied
    } else if applies.iter().any(|&(deny, applies)| !deny && applies) {
        Decision::Allowed
    } else {
        Decision::ImplicitlyDenied
    }
}

fn check_decision(
    documents: &[Vec<GeneratedStatement>],
    action: &str,
    resource: &str,
    known: &[Option<&'static str>],
) -> Result<(), TestCaseError> {
    // The context has a generated value for the keys of some statements.
    let mut context = Context::new();
    let mut slot = 0;
    // For each statement: (is deny, applies: Some(bool) when decided, None when undecided).
    let mut reference: Vec<(bool, Option<bool>)> = Vec::new();
    for (d, statements) in documents.iter().enumerate() {
        for (i, generated) in statements.iter().enumerate() {
            let given = known.get(slot).copied().flatten();
            slot += 1;
            if let Some(value) = given {
                context.insert(&condition_key(d, i), value);
            }
            let action_listed = generated
                .actions
                .iter()
                .any(|&p| reference_matches(ACTION_PATTERNS[p], action, Case::IgnoreAscii));
            let resource_listed = generated
                .resources
                .iter()
                .any(|&p| reference_resource_matches(RESOURCE_PATTERNS[p], resource));
            let matches = (action_listed != generated.not_action)
                && (resource_listed != generated.not_resource);
            let applies = match (generated.condition, given) {
                _ if !matches => Some(false),
                (None, _) => Some(true),
                (Some(_), None) => None,
                (Some(expected), Some(value)) => Some(expected == value),
            };
            reference.push((generated.deny, applies));
        }
    }

    let undecided: Vec<usize> = (0..reference.len())
        .filter(|&i| reference[i].1.is_none())
        .collect();
    let mut outcomes = Vec::new();
    for mask in 0..(1u32 << undecided.len()) {
        let mut world: Vec<(bool, bool)> = reference
            .iter()
            .map(|&(deny, applies)| (deny, applies.unwrap_or(false)))
            .collect();
        for (bit, &index) in undecided.iter().enumerate() {
            world[index].1 = mask & (1 << bit) != 0;
        }
        outcomes.push(world_decision(&world));
    }
    let expected = if outcomes.iter().all(|d| *d == Decision::Allowed) {
        Decision::Allowed
    } else if outcomes.iter().all(|d| *d == Decision::Denied) {
        Decision::Denied
    } else if outcomes.contains(&Decision::Allowed) {
        Decision::Conditional
    } else {
        Decision::ImplicitlyDenied
    };

    let policies: Vec<Policy<'static>> = documents
        .iter()
        .enumerate()
        .map(|(d, statements)| build_policy(d, statements))
        .collect();
    let documents: Vec<Document<'_>> = policies
        .iter()
        .enumerate()
        .map(|(d, policy)| Document {
            file: FileId(d as u32),
            policy,
        })
        .collect();
    let request = Request {
        action,
        resource,
        context: &context,
    };
    let evaluation = evaluate(&documents, &request);
    prop_assert_eq!(evaluation.decision, expected);
    Ok(())
}
