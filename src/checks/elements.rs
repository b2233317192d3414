//! The form of `Action`, `Resource` and `Principal` values.

use super::grammar::{empty, string_items, type_error};
use super::{Ctx, closest, pointer_push};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::document::PolicyKind;
use crate::document::policy::Item;
use crate::source::{split_ascii_n, split_once_ascii};
use crate::syntax::{Member, Value};

declare_rule! {
    /// ## What it checks
    /// That every action is `*` or `service:Name`, where the service code is letters,
    /// digits and hyphens and the name is letters and digits, either possibly with the
    /// wildcards `*` and `?`. Spaces anywhere (`"Oss: GetObject"`), a missing or second
    /// colon, and characters such as brackets left from a placeholder (`[ECS RAM Action]`)
    /// are reported.
    ///
    /// ## Why it matters
    /// RAM rejects a policy with a malformed action, or, where it accepts the text, the
    /// action matches nothing, so the grant silently does not work.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "Oss: GetObject", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// Whether an action exists is the job of `unknown-action` and `unknown-service`; this
    /// rule looks at the form only.
    pub static INVALID_ACTION = ("invalid-action", Error, "an action is not `service:Name`, `service:pattern` or `*`");
}

declare_rule! {
    /// ## What it checks
    /// That every resource is `*` or an ARN `acs:<service>:<region>:<account>:<relative-id>`.
    /// The ARN is split at its first four colons only, so the relative id may contain more
    /// (`acs:oss:*:*:bucket/a:b`). The region may be empty, as in RAM's own ARNs
    /// (`acs:ram::123456789012****:role/admin`), and each part may use `*` and `?`.
    ///
    /// ## Why it matters
    /// A malformed resource never matches, so the statement does not grant (or deny) what its
    /// author meant. A common mistake is a RAM ARN with the empty region left out
    /// (`acs:ram:1234:role/x`), which has only four parts.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "my-bucket/*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "acs:oss:*:*:my-bucket/*"}]}
    /// ```
    ///
    /// ## Known problems
    /// Whether a resource type exists for the service is not checked yet.
    pub static INVALID_RESOURCE = ("invalid-resource", Error, "a resource is neither `*` nor an ARN `acs:service:region:account:relative-id`");
}

declare_rule! {
    /// ## What it checks
    /// That `Principal` is used where it belongs and has RAM's form. Trust policies of RAM
    /// roles and resource-based policies (OSS bucket policies) name a principal; identity
    /// policies attached to users, groups and roles must not. The value is `"*"`, an array
    /// of account IDs or `"*"` (OSS bucket policies), or an object whose keys are `RAM`,
    /// `Service` or `Federated`, each with a string or an array of strings. A trust policy
    /// takes only the object form.
    ///
    /// ## Why it matters
    /// RAM rejects an identity policy with a `Principal`, and a trust policy whose principal
    /// key is misspelled (`"ram"`, or AWS's `"AWS"`) trusts nobody.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["acs:ram::123456789012****:root"]}}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::123456789012****:root"]}}]}
    /// ```
    ///
    /// ## Known problems
    /// A standalone JSON file does not say how it is used; ramlint infers it from the
    /// statements (a `Principal` makes a resource-based policy, and `sts:` actions alone a
    /// trust policy).
    pub static INVALID_PRINCIPAL = ("invalid-principal", Error, "Principal is misplaced or has the wrong form");
}

/// Checks the form of one action; returns true when it is well-formed.
pub fn check_action(ctx: &mut Ctx<'_>, item: &Item<'_>, pointer: &dyn Fn() -> String) -> bool {
    let Some((problem, fix)) = action_problem(&item.text) else {
        return true;
    };
    {
        let help = match fix {
            Some(fixed) => format!("write {}", quote(&fixed)),
            None => "write the action as `service:Action`, such as `ecs:DescribeInstances`, or `*`"
                .to_string(),
        };
        ctx.report(
            Diagnostic::new(
                &INVALID_ACTION,
                ctx.file,
                item.span,
                format!("action {} {problem}", quote(&item.text)),
            )
            .label("malformed action")
            .help(help)
            .pointer(pointer()),
        );
    }
    false
}

/// Describes what is wrong with an action's form, with a corrected spelling when one is
/// obvious. Returns `None` for a well-formed action.
pub fn action_problem(text: &str) -> Option<(String, Option<String>)> {
    if text == "*" || is_plain_action(text) {
        return None;
    }
    if text.contains(['[', ']', '<', '>', '{', '}']) {
        return Some((
            "looks like a placeholder left from documentation, not an action".to_string(),
            None,
        ));
    }
    if text.chars().any(char::is_whitespace) {
        let fixed: String = text.chars().filter(|ch| !ch.is_whitespace()).collect();
        // Service codes are lowercase; the name keeps its case.
        let fixed = match fixed.split_once(':') {
            Some((service, name)) => format!("{}:{name}", service.to_ascii_lowercase()),
            None => fixed,
        };
        // The message names the kind of whitespace, because a line break or tab called "a space"
        // is hard to find.
        let whitespace = if text
            .chars()
            .filter(|ch| ch.is_whitespace())
            .all(|ch| ch == ' ')
        {
            "a space"
        } else if text.contains(['\n', '\r']) {
            "a line break"
        } else if text.contains('\t') {
            "a tab"
        } else {
            "a whitespace character"
        };
        let problem = match text.split_once(':') {
            Some((_, name)) if name.starts_with(char::is_whitespace) => {
                format!("has {whitespace} after the colon")
            }
            Some((service, _)) if service.ends_with(char::is_whitespace) => {
                format!("has {whitespace} before the colon")
            }
            _ if text.trim() != text && whitespace == "a space" => {
                "has leading or trailing spaces".to_string()
            }
            _ if text.trim() != text => format!("has {whitespace} at its start or end"),
            _ => format!("contains {whitespace}"),
        };
        let fix = action_problem(&fixed).is_none().then_some(fixed);
        return Some((problem, fix));
    }
    let Some((service, name)) = split_once_ascii(text, b':') else {
        return Some((
            "has no `:` between a service code and an action name".to_string(),
            None,
        ));
    };
    if name.contains(':') {
        return Some(("has more than one `:`".to_string(), None));
    }
    if service.is_empty() {
        return Some(("has no service code before the `:`".to_string(), None));
    }
    if name.is_empty() {
        return Some((
            "has no action name after the `:`".to_string(),
            Some(format!("{service}:*")),
        ));
    }
    let service_ok = |ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '*' | '?');
    let name_ok =
        |ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '*' | '?' | '_' | '-' | '.');
    if let Some(bad) = service.chars().find(|ch| !service_ok(*ch)) {
        return Some((format!("has {} in its service code", describe(bad)), None));
    }
    if let Some(bad) = name.chars().find(|ch| !name_ok(*ch)) {
        return Some((format!("has {} in its name", describe(bad)), None));
    }
    None
}

/// Recognises the common well-formed action in one pass over its bytes: a non-empty service
/// code, one colon, and a non-empty name, all of the characters each part allows.
fn is_plain_action(text: &str) -> bool {
    let bytes = text.as_bytes();
    // The part being read: the service code until the first colon, then the name.
    let mut part = IN_SERVICE;
    let mut colon = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if ACTION_BYTES[byte as usize] & part != 0 {
            continue;
        }
        if byte == b':' && part == IN_SERVICE {
            part = IN_NAME;
            colon = index;
            continue;
        }
        return false;
    }
    part == IN_NAME && colon > 0 && colon + 1 < bytes.len()
}

const IN_SERVICE: u8 = 1;
const IN_NAME: u8 = 2;

/// For each byte, whether it may appear in a service code and in an action name: letters,
/// digits, `-`, `_` and the wildcards in both, and `.` in names only.
const ACTION_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'*' | b'?') {
            table[byte] = IN_SERVICE | IN_NAME;
        }
        byte += 1;
    }
    table[b'.' as usize] = IN_NAME;
    table
};

fn describe(ch: char) -> String {
    if crate::diagnostic::is_unsafe_char(ch) || ch.is_whitespace() {
        format!("the character U+{:04X}", ch as u32)
    } else {
        format!("`{ch}`")
    }
}

/// Checks the form of one resource.
pub fn check_resource(ctx: &mut Ctx<'_>, item: &Item<'_>, pointer: &dyn Fn() -> String) {
    if !ctx.enabled(&INVALID_RESOURCE) {
        return;
    }
    if let Some((problem, fix)) = resource_problem(&item.text) {
        let help = match fix {
            Some(fixed) => format!("write {}", quote(&fixed)),
            None => "write `*` or an ARN `acs:<service>:<region>:<account>:<resource>`, such as `acs:oss:*:*:my-bucket/*`".to_string(),
        };
        ctx.report(
            Diagnostic::new(
                &INVALID_RESOURCE,
                ctx.file,
                item.span,
                format!("resource {} {problem}", quote(&item.text)),
            )
            .label("malformed resource")
            .help(help)
            .pointer(pointer()),
        );
    }
}

/// Describes what is wrong with a resource's form, with a corrected spelling when one is
/// obvious. Returns `None` for a well-formed resource.
pub fn resource_problem(text: &str) -> Option<(String, Option<String>)> {
    if text == "*" || is_plain_arn(text) {
        return None;
    }
    if text.trim() != text {
        return Some((
            "has leading or trailing spaces".to_string(),
            Some(text.trim().to_string()),
        ));
    }
    if text.starts_with("arn:") {
        return Some((
            "is an AWS ARN; Alibaba Cloud resources start with `acs:`".to_string(),
            None,
        ));
    }
    if !text.starts_with("acs:") {
        if text.to_ascii_lowercase().starts_with("acs:") {
            return Some((
                "starts with a capitalised `acs:`; ARNs are case-sensitive".to_string(),
                Some(format!("acs:{}", &text[4..])),
            ));
        }
        return Some((
            "is neither `*` nor an ARN starting with `acs:`".to_string(),
            None,
        ));
    }
    let (parts, count) = split_ascii_n::<5>(text, b':');
    if count < 5 {
        let fix = match &parts[..count] {
            // A RAM ARN without its empty region: acs:ram:<account>:<type>/<name>
            ["acs", "ram", account, relative] => Some(format!("acs:ram::{account}:{relative}")),
            _ => None,
        };
        let problem = format!(
            "has {count} parts; an ARN has five: acs:<service>:<region>:<account>:<resource>"
        );
        let problem = if fix.is_some() {
            format!("{problem} (RAM ARNs have an empty region)")
        } else {
            problem
        };
        return Some((problem, fix));
    }
    if parts[1].is_empty() {
        return Some(("has an empty service code".to_string(), None));
    }
    if parts[4].is_empty() {
        return Some((
            "has an empty resource part after the last `:`".to_string(),
            None,
        ));
    }
    if text.chars().any(char::is_whitespace) {
        return Some(("contains a space".to_string(), None));
    }
    None
}

/// Recognises the common well-formed ARN in one pass over its bytes: `acs:`, a non-empty
/// service code, two more colons, and a non-empty resource, with no whitespace.
fn is_plain_arn(text: &str) -> bool {
    let bytes = text.as_bytes();
    if !bytes.starts_with(b"acs:") {
        return false;
    }
    // Only the first four colons are recorded, because the resource may contain more.
    let mut colons = [0usize; 4];
    let mut count = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b':' if count < 4 => {
                colons[count] = index;
                count += 1;
            }
            // Non-ASCII text is left to the full check, which tests Unicode whitespace.
            b' ' | b'\t'..=b'\r' | 0x80.. => return false,
            _ => {}
        }
    }
    count == 4 && colons[1] > colons[0] + 1 && colons[3] + 1 < bytes.len()
}

const PRINCIPAL_KEYS: &[&str] = &["RAM", "Service", "Federated"];

/// Checks `Principal`: where it may appear and its form.
pub fn check_principal(ctx: &mut Ctx<'_>, member: &Member<'_>, pointer: &str, kind: PolicyKind) {
    let pointer = pointer_push(pointer, &member.key);
    if matches!(kind, PolicyKind::Identity | PolicyKind::Control) {
        // An explicit identity context (a RAM policy resource in a template); a standalone
        // file with a Principal is inferred to be resource-based instead.
        ctx.report(
            Diagnostic::new(
                &INVALID_PRINCIPAL,
                ctx.file,
                member.key_span,
                if kind == PolicyKind::Control {
                    "`Principal` is not allowed in a control policy"
                } else {
                    "`Principal` is not allowed in an identity policy"
                },
            )
            .label("identity policies apply to whoever they are attached to")
            .help("remove `Principal`; trust policies of RAM roles and bucket policies are the places that name a principal")
            .pointer(pointer),
        );
        return;
    }
    let value = &member.value;
    if kind == PolicyKind::Trust && matches!(value.value, Value::String(_) | Value::Array(_)) {
        // Only bucket policies list principals directly. A role's trust policy names them
        // under `RAM`, `Service` or `Federated`. A bare `"*"`, if RAM took it, would trust
        // anyone.
        ctx.report(
            Diagnostic::new(
                &INVALID_PRINCIPAL,
                ctx.file,
                value.span,
                "in a trust policy, `Principal` must be an object with `RAM`, `Service` or `Federated`",
            )
            .label("not an object")
            .help("write `{\"RAM\": [\"acs:ram::<account-id>:root\"]}` for an account, or use `Service` or `Federated` for a cloud service or an identity provider")
            .pointer(pointer),
        );
        return;
    }
    match &value.value {
        Value::String(text) if text.is_empty() => {
            ctx.report(empty(ctx, value, "`Principal`", &pointer))
        }
        Value::String(_) | Value::Unknown { .. } => {}
        // OSS reads an empty list as `["*"]`, so it grants everyone rather than no one.
        Value::Array(items) if items.is_empty() => ctx.report(
            Diagnostic::new(
                &super::grammar::EMPTY_ELEMENT,
                ctx.file,
                value.span,
                "`Principal` is an empty array, which OSS bucket policies read as `[\"*\"]`: every principal",
            )
            .label("applies to everyone")
            .help("list the account IDs the statement is for, or write `[\"*\"]` if everyone is meant")
            .pointer(pointer),
        ),
        Value::Array(_) => {
            string_items(ctx, member, &|| pointer.clone(), "Principal");
        }
        Value::Object(members) => {
            if members.is_empty() {
                ctx.report(
                    Diagnostic::new(
                        &super::grammar::EMPTY_ELEMENT,
                        ctx.file,
                        value.span,
                        "`Principal` is an empty object",
                    )
                    .label("empty")
                    .help("name the trusted principals under `RAM`, `Service` or `Federated`")
                    .pointer(pointer.clone()),
                );
            }
            for entry in members.iter() {
                let entry_pointer = pointer_push(&pointer, &entry.key);
                if !PRINCIPAL_KEYS.contains(&entry.key.as_ref()) {
                    let suggestion = if entry.key == "AWS" || entry.key == "CanonicalUser" {
                        None
                    } else {
                        closest(&entry.key, PRINCIPAL_KEYS.iter().copied())
                    };
                    let help = match suggestion {
                        Some(name) => format!("principal types are case-sensitive; write `{name}`"),
                        None => "RAM principals are `RAM` (accounts, users, roles), `Service` (cloud services) or `Federated` (identity providers)".to_string(),
                    };
                    ctx.report(
                        Diagnostic::new(
                            &INVALID_PRINCIPAL,
                            ctx.file,
                            entry.key_span,
                            format!("{} is not a RAM principal type", quote(&entry.key)),
                        )
                        .label(match suggestion {
                            Some(name) => format!("did you mean `{name}`?"),
                            None => "unknown principal type".to_string(),
                        })
                        .help(help)
                        .pointer(entry_pointer.clone()),
                    );
                }
                string_items(ctx, entry, &|| entry_pointer.clone(), &entry.key);
            }
        }
        _ => ctx.report(type_error(
            ctx,
            value,
            "`Principal`",
            "\"*\", an array, or an object with `RAM`, `Service` or `Federated`",
            &pointer,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits at the first colon and tests each part on its own, as the definition reads.
    fn is_plain_action_by_parts(text: &str) -> bool {
        let Some((service, name)) = text.split_once(':') else {
            return false;
        };
        let all = |part: &str, class: u8| {
            part.bytes()
                .all(|byte| ACTION_BYTES[byte as usize] & class != 0)
        };
        !service.is_empty() && !name.is_empty() && all(service, IN_SERVICE) && all(name, IN_NAME)
    }

    /// Generates 20,000 texts of up to eight pieces of `alphabet`, the same for each `seed`.
    fn random_texts(alphabet: &[&str], seed: u32) -> Vec<String> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as usize
        };
        (0..20_000)
            .map(|_| {
                let len = next() % 9;
                (0..len)
                    .map(|_| alphabet[next() % alphabet.len()])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn plain_action_single_pass() {
        let alphabet = [
            "e", "S", "7", ":", "*", "?", ".", "-", "_", " ", "\u{e9}", "/",
        ];
        for text in random_texts(&alphabet, 3) {
            assert_eq!(
                is_plain_action(&text),
                is_plain_action_by_parts(&text),
                "{text:?}"
            );
        }
        assert!(is_plain_action("ecs:Describe*"));
        assert!(!is_plain_action("ecs:a:b"));
        assert!(!is_plain_action(":a"));
        assert!(!is_plain_action("ecs:"));
    }

    /// Tells whether [`resource_problem`] finds a problem in `text` other than `*`, by the
    /// checks that follow its fast path.
    fn resource_problem_in_full(text: &str) -> bool {
        if text.trim() != text || text.starts_with("arn:") || !text.starts_with("acs:") {
            return true;
        }
        let (parts, count) = split_ascii_n::<5>(text, b':');
        count < 5
            || parts[1].is_empty()
            || parts[4].is_empty()
            || text.chars().any(char::is_whitespace)
    }

    #[test]
    fn plain_arn_single_pass() {
        let alphabet = [
            "acs:oss:*:*:",
            "acs:ram::1:",
            "acs:",
            "a",
            ":",
            "*",
            "/",
            " ",
            "\t",
            "\u{b}",
            "\u{a0}",
            "\u{e9}",
        ];
        for text in random_texts(&alphabet, 7) {
            if is_plain_arn(&text) {
                assert!(!resource_problem_in_full(&text), "{text:?}");
            }
            assert_eq!(
                resource_problem(&text).is_some(),
                text != "*" && resource_problem_in_full(&text),
                "{text:?}"
            );
        }
        assert!(is_plain_arn("acs:oss:*:*:bucket-28/*"));
        assert!(is_plain_arn("acs:ram::123:role/x"));
        assert!(!is_plain_arn("acs:oss:*:*:"));
        assert!(!is_plain_arn("acs::*:*:x"));
        assert!(!is_plain_arn("acs:oss:*:*:a b"));
    }

    #[test]
    fn line_break_in_action_is_named() {
        let (problem, fix) = action_problem("ecs:\nDescribeInstances").unwrap();
        assert_eq!(problem, "has a line break after the colon");
        assert_eq!(fix.as_deref(), Some("ecs:DescribeInstances"));
        let (problem, _) = action_problem("ecs:Describe\tInstances").unwrap();
        assert_eq!(problem, "contains a tab");
        let (problem, _) = action_problem("ecs:DescribeInstances\n").unwrap();
        assert_eq!(problem, "has a line break at its start or end");
    }

    #[test]
    fn actions_with_spaces_get_a_fix() {
        let (problem, fix) = action_problem("Oss: GetObject").unwrap();
        assert_eq!(problem, "has a space after the colon");
        assert_eq!(fix.as_deref(), Some("oss:GetObject"));
    }

    #[test]
    fn placeholder_actions_are_malformed() {
        assert!(action_problem("[ECS RAM Action]").is_some());
        assert!(action_problem("ecs:[ECS RAM Action]").is_some());
        assert_eq!(action_problem("ecs:Describe*"), None);
        assert_eq!(action_problem("yundun-cert:*"), None);
        assert_eq!(action_problem("*"), None);
        assert_eq!(action_problem("ecs:Create?nstance"), None);
    }

    #[test]
    fn arns_split_at_four_colons() {
        assert_eq!(resource_problem("acs:oss:*:*:bucket/a:b"), None);
        assert_eq!(resource_problem("acs:ram::123:role/x"), None);
        let (problem, fix) = resource_problem("acs:ram:123:role/x").unwrap();
        assert!(problem.starts_with("has 4 parts"), "{problem}");
        assert_eq!(fix.as_deref(), Some("acs:ram::123:role/x"));
        assert!(resource_problem("arn:aws:s3:::bucket").is_some());
        assert!(resource_problem("my-bucket/*").is_some());
        assert!(resource_problem("acs:oss:*:*:").is_some());
    }
}
