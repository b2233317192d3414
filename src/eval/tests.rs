//! Hand-written evaluation cases: each policy is read by the real grammar check, so the
//! cases also cover how JSON shapes (a string or a one-element array) reach evaluation.

use super::*;
use crate::checks::{Ctx, grammar};
use crate::diagnostic::FileId;
use crate::document::PolicyKind;
use crate::document::policy::Policy;
use crate::settings::Settings;

/// Reads a policy document the way a scan does.
fn policy(text: &str) -> Policy<'static> {
    let root = crate::syntax::json::parse(text).expect("the test policy is valid JSON");
    let settings = Settings::default();
    let mut ctx = Ctx::new(FileId(0), text, &settings);
    grammar::check_policy(&mut ctx, &root, PolicyKind::Unspecified, "").into_owned()
}

/// Writes a one-statement policy with the given `Action`, `Resource` and `Condition` JSON.
fn statement(effect: &str, action: &str, resource: &str, condition: &str) -> String {
    let condition = if condition.is_empty() {
        String::new()
    } else {
        format!(", \"Condition\": {condition}")
    };
    format!(
        r#"{{"Version": "1", "Statement": [{{"Effect": "{effect}", "Action": {action}, "Resource": {resource}{condition}}}]}}"#
    )
}

fn allow(action: &str, resource: &str) -> String {
    statement("Allow", action, resource, "")
}

fn allow_if(condition: &str) -> String {
    statement("Allow", r#""ens:ExportImage""#, r#""*""#, condition)
}

struct Case {
    name: &'static str,
    policies: Vec<String>,
    action: &'static str,
    resource: &'static str,
    context: &'static [(&'static str, &'static str)],
    expected: Decision,
}

fn case(
    name: &'static str,
    policies: Vec<String>,
    action: &'static str,
    resource: &'static str,
    expected: Decision,
) -> Case {
    Case {
        name,
        policies,
        action,
        resource,
        context: &[],
        expected,
    }
}

fn with_context(
    name: &'static str,
    policy: String,
    context: &'static [(&'static str, &'static str)],
    expected: Decision,
) -> Case {
    Case {
        name,
        policies: vec![policy],
        action: "ens:ExportImage",
        resource: "*",
        context,
        expected,
    }
}

fn run(case: &Case) -> Evaluation {
    let policies: Vec<Policy<'static>> = case.policies.iter().map(|text| policy(text)).collect();
    let documents: Vec<Document<'_>> = policies
        .iter()
        .enumerate()
        .map(|(i, policy)| Document {
            file: FileId(i as u32),
            policy,
        })
        .collect();
    let mut context = Context::new();
    for (key, value) in case.context {
        context.insert(key, value);
    }
    let request = Request {
        action: case.action,
        resource: case.resource,
        context: &context,
    };
    evaluate(&documents, &request)
}

use Decision::{Allowed, Conditional, Denied, ImplicitlyDenied};

fn matching_cases() -> Vec<Case> {
    const EXPORT: &str = "ens:ExportImage";
    vec![
        case("question mark matches one character", vec![allow(r#""ens:Export?mage""#, r#""*""#)], EXPORT, "*", Allowed),
        case("question mark needs exactly one character", vec![allow(r#""ens:Export?Image""#, r#""*""#)], EXPORT, "*", ImplicitlyDenied),
        case("star in the middle", vec![allow(r#""ens:Ex*ge""#, r#""*""#)], EXPORT, "*", Allowed),
        case("star before the end", vec![allow(r#""ens:*Images""#, r#""*""#)], EXPORT, "*", ImplicitlyDenied),
        case("action case is ignored", vec![allow(r#""ENS:exportIMAGE""#, r#""*""#)], EXPORT, "*", Allowed),
        case(
            "resource case matters",
            vec![allow(r#""oss:GetObject""#, r#""acs:oss:*:*:Bucket/*""#)],
            "oss:GetObject",
            "acs:oss:cn-hangzhou:123:bucket/a.txt",
            ImplicitlyDenied,
        ),
        case(
            "deny in another file wins",
            vec![allow(r#""ens:*""#, r#""*""#), statement("Deny", r#""ens:ExportImage""#, r#""*""#, "")],
            EXPORT,
            "*",
            Denied,
        ),
        case(
            "not action with an unknown action excludes nothing",
            vec![r#"{"Version": "1", "Statement": [{"Effect": "Allow", "NotAction": "ens:NoSuchAction", "Resource": "*"}]}"#.to_string()],
            EXPORT,
            "*",
            Allowed,
        ),
        case(
            "not action excludes the listed action",
            vec![r#"{"Version": "1", "Statement": [{"Effect": "Allow", "NotAction": ["ens:Export*"], "Resource": "*"}]}"#.to_string()],
            EXPORT,
            "*",
            ImplicitlyDenied,
        ),
        case("empty action array grants nothing", vec![allow("[]", r#""*""#)], EXPORT, "*", ImplicitlyDenied),
        case(
            "colon inside an object key",
            vec![allow(r#""oss:GetObject""#, r#""acs:oss:*:*:bucket/a:b""#)],
            "oss:GetObject",
            "acs:oss:cn-hangzhou:123:bucket/a:b",
            Allowed,
        ),
        case(
            "star crosses slash and colon in the relative id",
            vec![allow(r#""oss:GetObject""#, r#""acs:oss:*:*:bucket/*""#)],
            "oss:GetObject",
            "acs:oss:cn-hangzhou:123:bucket/dir/a:b:c",
            Allowed,
        ),
        case(
            "object key with a colon is not a prefix match",
            vec![allow(r#""oss:GetObject""#, r#""acs:oss:*:*:bucket/a""#)],
            "oss:GetObject",
            "acs:oss:cn-hangzhou:123:bucket/a:b",
            ImplicitlyDenied,
        ),
        case("one-element action array", vec![allow(r#"["ens:ExportImage"]"#, r#"["*"]"#)], EXPORT, "*", Allowed),
        case("action string", vec![allow(r#""ens:ExportImage""#, r#""*""#)], EXPORT, "*", Allowed),
        case(
            "export image needs resource star",
            vec![allow(r#""ens:ExportImage""#, r#""acs:ens:*:*:*""#)],
            EXPORT,
            "*",
            ImplicitlyDenied,
        ),
        case(
            "not resource excluding other resources",
            vec![r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "NotResource": "acs:oss:*:*:*"}]}"#.to_string()],
            EXPORT,
            "*",
            Allowed,
        ),
        case("no policies", vec![], EXPORT, "*", ImplicitlyDenied),
    ]
}

fn condition_cases() -> Vec<Case> {
    vec![
        // String operators.
        with_context(
            "StringEquals equal",
            allow_if(r#"{"StringEquals": {"oss:Prefix": "logs/"}}"#),
            &[("oss:Prefix", "logs/")],
            Allowed,
        ),
        with_context(
            "StringEquals differs in case",
            allow_if(r#"{"StringEquals": {"oss:Prefix": "logs/"}}"#),
            &[("oss:Prefix", "Logs/")],
            ImplicitlyDenied,
        ),
        with_context(
            "StringEqualsIgnoreCase",
            allow_if(r#"{"StringEqualsIgnoreCase": {"oss:Prefix": "logs/"}}"#),
            &[("oss:Prefix", "LOGS/")],
            Allowed,
        ),
        with_context(
            "StringNotEquals listed value",
            allow_if(r#"{"StringNotEquals": {"oss:Prefix": ["a", "b"]}}"#),
            &[("oss:Prefix", "b")],
            ImplicitlyDenied,
        ),
        with_context(
            "StringNotEquals other value",
            allow_if(r#"{"StringNotEquals": {"oss:Prefix": ["a", "b"]}}"#),
            &[("oss:Prefix", "c")],
            Allowed,
        ),
        with_context(
            "StringNotEqualsIgnoreCase",
            allow_if(r#"{"StringNotEqualsIgnoreCase": {"oss:Prefix": "A"}}"#),
            &[("oss:Prefix", "a")],
            ImplicitlyDenied,
        ),
        with_context(
            "StringLike inside",
            allow_if(r#"{"StringLike": {"oss:Prefix": "logs/*"}}"#),
            &[("oss:Prefix", "logs/2026/a")],
            Allowed,
        ),
        with_context(
            "StringLike outside",
            allow_if(r#"{"StringLike": {"oss:Prefix": "logs/*"}}"#),
            &[("oss:Prefix", "logs")],
            ImplicitlyDenied,
        ),
        with_context(
            "StringNotLike",
            allow_if(r#"{"StringNotLike": {"oss:Prefix": "tmp/?"}}"#),
            &[("oss:Prefix", "tmp/ab")],
            Allowed,
        ),
        // Numeric operators, on both sides of 10.
        with_context(
            "NumericLessThan below",
            allow_if(r#"{"NumericLessThan": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "9.99")],
            Allowed,
        ),
        with_context(
            "NumericLessThan at",
            allow_if(r#"{"NumericLessThan": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "10")],
            ImplicitlyDenied,
        ),
        with_context(
            "NumericLessThanEquals at",
            allow_if(r#"{"NumericLessThanEquals": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "10")],
            Allowed,
        ),
        with_context(
            "NumericLessThanEquals above",
            allow_if(r#"{"NumericLessThanEquals": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "10.01")],
            ImplicitlyDenied,
        ),
        with_context(
            "NumericGreaterThan above",
            allow_if(r#"{"NumericGreaterThan": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "10.01")],
            Allowed,
        ),
        with_context(
            "NumericGreaterThan at",
            allow_if(r#"{"NumericGreaterThan": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "10")],
            ImplicitlyDenied,
        ),
        with_context(
            "NumericGreaterThanEquals at",
            allow_if(r#"{"NumericGreaterThanEquals": {"oss:MaxKeys": 10}}"#),
            &[("oss:MaxKeys", "10")],
            Allowed,
        ),
        with_context(
            "NumericGreaterThanEquals below",
            allow_if(r#"{"NumericGreaterThanEquals": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "9")],
            ImplicitlyDenied,
        ),
        with_context(
            "NumericEquals compares numbers",
            allow_if(r#"{"NumericEquals": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "10.0")],
            Allowed,
        ),
        with_context(
            "NumericNotEquals",
            allow_if(r#"{"NumericNotEquals": {"oss:MaxKeys": "10"}}"#),
            &[("oss:MaxKeys", "10")],
            ImplicitlyDenied,
        ),
        // Date operators, on both sides of the new year.
        with_context(
            "DateLessThan before",
            allow_if(r#"{"DateLessThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#),
            &[("acs:CurrentTime", "2025-12-31T23:59:59Z")],
            Allowed,
        ),
        with_context(
            "DateLessThan at",
            allow_if(r#"{"DateLessThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#),
            &[("acs:CurrentTime", "2026-01-01T00:00:00Z")],
            ImplicitlyDenied,
        ),
        with_context(
            "DateLessThanEquals at",
            allow_if(r#"{"DateLessThanEquals": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#),
            &[("acs:CurrentTime", "2026-01-01T08:00:00+08:00")],
            Allowed,
        ),
        with_context(
            "DateGreaterThan after",
            allow_if(r#"{"DateGreaterThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#),
            &[("acs:CurrentTime", "2026-01-01T00:00:01Z")],
            Allowed,
        ),
        with_context(
            "DateGreaterThan at",
            allow_if(r#"{"DateGreaterThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#),
            &[("acs:CurrentTime", "2026-01-01T00:00:00Z")],
            ImplicitlyDenied,
        ),
        with_context(
            "DateGreaterThanEquals before",
            allow_if(r#"{"DateGreaterThanEquals": {"acs:CurrentTime": "2026-01-01"}}"#),
            &[("acs:CurrentTime", "2025-12-31T23:59:59Z")],
            ImplicitlyDenied,
        ),
        with_context(
            "DateEquals across offsets",
            allow_if(r#"{"DateEquals": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#),
            &[("acs:CurrentTime", "2026-01-01T08:00:00+08:00")],
            Allowed,
        ),
        with_context(
            "DateNotEquals",
            allow_if(r#"{"DateNotEquals": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#),
            &[("acs:CurrentTime", "2026-01-01T00:00:00Z")],
            ImplicitlyDenied,
        ),
        // Boolean.
        with_context(
            "Bool true",
            allow_if(r#"{"Bool": {"acs:SecureTransport": "true"}}"#),
            &[("acs:SecureTransport", "true")],
            Allowed,
        ),
        with_context(
            "Bool false",
            allow_if(r#"{"Bool": {"acs:SecureTransport": "true"}}"#),
            &[("acs:SecureTransport", "false")],
            ImplicitlyDenied,
        ),
        // IP addresses, IPv4 and IPv6, at the edges of the block.
        with_context(
            "IpAddress last address",
            allow_if(r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#),
            &[("acs:SourceIp", "10.255.255.255")],
            Allowed,
        ),
        with_context(
            "IpAddress next address",
            allow_if(r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#),
            &[("acs:SourceIp", "11.0.0.0")],
            ImplicitlyDenied,
        ),
        with_context(
            "IpAddress one-element array",
            allow_if(r#"{"IpAddress": {"acs:SourceIp": ["10.0.0.0/8"]}}"#),
            &[("acs:SourceIp", "10.1.2.3")],
            Allowed,
        ),
        with_context(
            "IpAddress IPv6 inside",
            allow_if(r#"{"IpAddress": {"acs:SourceIp": "2001:db8::/32"}}"#),
            &[("acs:SourceIp", "2001:db8:ffff::1")],
            Allowed,
        ),
        with_context(
            "IpAddress IPv6 outside",
            allow_if(r#"{"IpAddress": {"acs:SourceIp": "2001:db8::/32"}}"#),
            &[("acs:SourceIp", "2001:db9::1")],
            ImplicitlyDenied,
        ),
        with_context(
            "NotIpAddress inside",
            allow_if(r#"{"NotIpAddress": {"acs:SourceIp": "192.168.0.0/16"}}"#),
            &[("acs:SourceIp", "192.168.1.1")],
            ImplicitlyDenied,
        ),
        with_context(
            "NotIpAddress outside",
            allow_if(r#"{"NotIpAddress": {"acs:SourceIp": "192.168.0.0/16"}}"#),
            &[("acs:SourceIp", "192.169.0.1")],
            Allowed,
        ),
        // Combining conditions.
        with_context(
            "values of one key are OR",
            allow_if(r#"{"StringEquals": {"oss:Prefix": ["a", "b"]}}"#),
            &[("oss:Prefix", "b")],
            Allowed,
        ),
        with_context(
            "keys under one operator are AND",
            allow_if(r#"{"StringEquals": {"oss:Prefix": "a", "oss:Delimiter": "/"}}"#),
            &[("oss:Prefix", "a"), ("oss:Delimiter", "-")],
            ImplicitlyDenied,
        ),
        with_context(
            "operators are AND",
            allow_if(
                r#"{"StringEquals": {"oss:Prefix": "a"}, "Bool": {"acs:SecureTransport": "true"}}"#,
            ),
            &[("oss:Prefix", "a"), ("acs:SecureTransport", "true")],
            Allowed,
        ),
        // Keys missing from the context.
        with_context(
            "absent key is conditional",
            allow_if(r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#),
            &[],
            Conditional,
        ),
        with_context(
            "absent key of a negated operator is conditional",
            allow_if(r#"{"NotIpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#),
            &[],
            Conditional,
        ),
        with_context(
            "absent key beside a false condition",
            allow_if(
                r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}, "Bool": {"acs:SecureTransport": "true"}}"#,
            ),
            &[("acs:SecureTransport", "false")],
            ImplicitlyDenied,
        ),
        // Operators RAM does not document are never true.
        with_context(
            "IfExists is never true",
            allow_if(r#"{"BoolIfExists": {"acs:MFAPresent": "true"}}"#),
            &[("acs:MFAPresent", "true")],
            Conditional,
        ),
        with_context(
            "Null is never true",
            allow_if(r#"{"Null": {"acs:SourceVpc": "true"}}"#),
            &[],
            Conditional,
        ),
    ]
}

#[test]
fn matching_table() {
    for case in matching_cases() {
        let evaluation = run(&case);
        assert_eq!(evaluation.decision, case.expected, "{}", case.name);
    }
}

#[test]
fn condition_table() {
    for case in condition_cases() {
        let evaluation = run(&case);
        assert_eq!(evaluation.decision, case.expected, "{}", case.name);
    }
}

#[test]
fn deny_across_files_names_the_deciding_statement() {
    let case = case(
        "deny in the second file",
        vec![
            allow(r#""ens:*""#, r#""*""#),
            r#"{"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
                {"Sid": "NoExport", "Effect": "Deny", "Action": ["ecs:Describe*", "ens:Export*"], "Resource": "*"}
            ]}"#
            .to_string(),
        ],
        "ens:ExportImage",
        "*",
        Denied,
    );
    let evaluation = run(&case);
    let deciding = evaluation.deciding().expect("a Deny decided");
    assert_eq!(deciding.file, FileId(1));
    assert_eq!(deciding.index, 1);
    assert_eq!(deciding.sid.as_deref(), Some("NoExport"));
    let item = deciding.action.item.as_ref().expect("the matching item");
    assert_eq!(item.text, "ens:Export*");
    let text = &case.policies[1];
    assert_eq!(&text[item.span.range()], "\"ens:Export*\"");
    // The Allow that loses is traced too; the unrelated ecs statement is not.
    assert_eq!(evaluation.statements.len(), 2);
}

#[test]
fn conditional_deny_beside_an_allow_is_conditional() {
    let deny = statement(
        "Deny",
        r#""ens:ExportImage""#,
        r#""*""#,
        r#"{"Bool": {"acs:SecureTransport": "false"}}"#,
    );
    let mut case = with_context("", deny, &[], Conditional);
    case.policies.push(allow(r#""ens:*""#, r#""*""#));
    let evaluation = run(&case);
    assert_eq!(evaluation.decision, Conditional);
    assert_eq!(
        evaluation.deciding().unwrap().effect,
        crate::document::policy::Effect::Deny
    );

    // Without any Allow the request is denied, whether or not the condition holds.
    case.policies.pop();
    assert_eq!(run(&case).decision, ImplicitlyDenied);
}

#[test]
fn near_misses_are_traced_with_their_reason() {
    let case = case(
        "near misses",
        vec![
            r#"{"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "acs:ens:*:*:image/*"},
            {"Effect": "Allow", "NotAction": "ens:Export*", "Resource": "*"},
            {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}
        ]}"#
            .to_string(),
        ],
        "ens:ExportImage",
        "*",
        ImplicitlyDenied,
    );
    let evaluation = run(&case);
    let outcomes: Vec<Outcome> = evaluation.statements.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::ResourceNotMatched, Outcome::ActionExcluded]
    );
}
