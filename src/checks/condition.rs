//! The `Condition` block: operators, keys and value types.

use super::grammar::{EMPTY_ELEMENT, empty, type_error};
use super::{Ctx, closest, pointer_index, pointer_push};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::document::condition::{self as cond, Family, OPERATORS};
use crate::document::policy::{Condition, Item};
use crate::source::split_once_ascii;
use crate::syntax::{Member, Value};

declare_rule! {
    /// ## What it checks
    /// That every condition uses an operator RAM documents (the string, numeric, date and
    /// time, boolean and IP address families), that every key has a service prefix
    /// (`acs:SourceIp`, `oss:Prefix`), and that every value can be read as its operator's
    /// type: a number for `Numeric...`, an ISO 8601 date and time for `Date...`, `"true"` or
    /// `"false"` for `Bool`, an IPv4 or IPv6 address or CIDR block for `IpAddress` and
    /// `NotIpAddress`.
    ///
    /// AWS IAM's `...IfExists` suffix, the `Null` operator and the `ForAllValues:` and
    /// `ForAnyValue:` qualifiers are reported: RAM does not document them, and a condition
    /// RAM cannot evaluate must never be read as satisfied.
    ///
    /// ## Why it matters
    /// RAM rejects unknown operators ("The condition operator 'IfExists/Null' is not
    /// supported"), and a value of the wrong type never matches, so an `IpAddress`
    /// restriction with a malformed address locks everyone out and a `NotIpAddress` one
    /// restricts nobody.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*",
    ///   "Condition": {"IpAddressIfExists": {"acs:SourceIp": "10.0.0.0/33"}}}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*",
    ///   "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}}]}
    /// ```
    ///
    /// ## Known problems
    /// Whether a key exists for the service is not checked. Masked documentation values such
    /// as `116.62.XX.XX/24` are reported, since RAM would reject them too.
    pub static INVALID_CONDITION = ("invalid-condition", Error, "unknown operator, malformed key, or a value of the wrong type");
}

/// Checks a `Condition` element and returns the conditions that could be read, with a flag
/// that is true when some could not.
pub fn check_condition<'a>(
    ctx: &mut Ctx<'_>,
    member: &Member<'a>,
    statement_pointer: &str,
) -> (Vec<Condition<'a>>, bool) {
    // Pointers are built only for a diagnostic, because conditions are checked in every
    // statement that has them.
    let pointer = || pointer_push(statement_pointer, &member.key);
    let mut conditions = Vec::new();
    let mut invalid = false;
    let operators = match &member.value.value {
        Value::Object(operators) => operators,
        Value::Unknown { .. } => return (conditions, true),
        _ => {
            ctx.report(type_error(
                ctx,
                &member.value,
                "`Condition`",
                "an object of condition operators",
                &pointer(),
            ));
            return (conditions, true);
        }
    };
    for operator in operators.iter() {
        let operator_pointer = || pointer_push(&pointer(), &operator.key);
        let family = match cond::family(&operator.key) {
            Some(family) => Some(family),
            None => {
                report_operator(ctx, operator, &operator_pointer());
                invalid = true;
                None
            }
        };
        let keys = match &operator.value.value {
            Value::Object(keys) => keys,
            Value::Unknown { .. } => {
                invalid = true;
                continue;
            }
            _ => {
                ctx.report(type_error(
                    ctx,
                    &operator.value,
                    &format!("the operator `{}`", operator.key),
                    "an object of condition keys and values",
                    &operator_pointer(),
                ));
                invalid = true;
                continue;
            }
        };
        if keys.is_empty() {
            ctx.report(
                Diagnostic::new(
                    &EMPTY_ELEMENT,
                    ctx.file,
                    operator.value.span,
                    format!("the operator `{}` has no condition keys", operator.key),
                )
                .label("empty")
                .help("add a key and values, or remove the operator")
                .pointer(operator_pointer()),
            );
        }
        for key in keys.iter() {
            let key_pointer = || pointer_push(&operator_pointer(), &key.key);
            if !check_key(ctx, key, &key_pointer) {
                invalid = true;
            }
            let Some(values) = condition_values(ctx, key, &key_pointer) else {
                invalid = true;
                continue;
            };
            if let Some(family) = family {
                for (index, value) in values.iter().enumerate() {
                    let value_pointer = || {
                        if values.len() == 1 && value.span == key.value.span {
                            key_pointer()
                        } else {
                            pointer_index(&key_pointer(), index)
                        }
                    };
                    if !check_value(ctx, &operator.key, family, value, &value_pointer) {
                        invalid = true;
                    }
                }
                conditions.push(Condition {
                    operator: operator.key.clone(),
                    operator_span: operator.key_span,
                    key: key.key.clone(),
                    key_span: key.key_span,
                    values,
                });
            }
        }
    }
    (conditions, invalid)
}

fn report_operator(ctx: &mut Ctx<'_>, operator: &Member<'_>, pointer: &str) {
    let name = operator.key.as_ref();
    let names = OPERATORS.iter().map(|(name, _)| *name);
    let (problem, fix) = if let Some(base) = name.strip_suffix("IfExists") {
        (
            "uses the `IfExists` suffix, which RAM does not support".to_string(),
            cond::family(base).map(|_| base.to_string()),
        )
    } else if name == "Null" {
        (
            "is AWS IAM's `Null` operator, which RAM does not support".to_string(),
            None,
        )
    } else if let Some(rest) = name
        .strip_prefix("ForAllValues:")
        .or_else(|| name.strip_prefix("ForAnyValue:"))
    {
        (
            "uses a set qualifier (`ForAllValues:`/`ForAnyValue:`), which RAM does not support"
                .to_string(),
            cond::family(rest).map(|_| rest.to_string()),
        )
    } else if name.starts_with("Arn") || name.starts_with("Binary") {
        (
            "is an AWS IAM operator that RAM does not support".to_string(),
            None,
        )
    } else {
        (
            "is not a condition operator RAM documents".to_string(),
            closest(name, names).map(str::to_string),
        )
    };
    let help = match &fix {
        Some(fixed) => format!("use `{fixed}`; operator names are case-sensitive"),
        None => "RAM's operators are the String..., Numeric..., Date..., Bool and IpAddress/NotIpAddress families".to_string(),
    };
    ctx.report(
        Diagnostic::new(
            &INVALID_CONDITION,
            ctx.file,
            operator.key_span,
            format!("condition operator {} {problem}", quote(name)),
        )
        .label("unsupported operator")
        .help(help)
        .pointer(pointer.to_string()),
    );
}

/// Well-known condition keys, used to suggest the prefix a bare key is missing.
const GLOBAL_KEYS: &[&str] = &[
    "acs:CurrentTime",
    "acs:SecureTransport",
    "acs:SourceIp",
    "acs:MFAPresent",
    "acs:SourceVpc",
    "acs:AccessId",
    "acs:UserAgent",
];

/// Checks a condition key's form; returns false when it is malformed.
fn check_key(ctx: &mut Ctx<'_>, key: &Member<'_>, pointer: &dyn Fn() -> String) -> bool {
    let name = key.key.as_ref();
    let problem = match split_once_ascii(name, b':') {
        None => Some("has no service prefix"),
        Some((prefix, rest)) if prefix.is_empty() || rest.is_empty() => {
            Some("has an empty prefix or name")
        }
        Some(_) if name.trim() != name || name.contains(' ') => Some("contains a space"),
        Some(_) => None,
    };
    let Some(problem) = problem else {
        return true;
    };
    let suggestion = GLOBAL_KEYS
        .iter()
        .find(|global| global[4..].eq_ignore_ascii_case(name.trim()));
    let help = match suggestion {
        Some(global) => format!("write `{global}`"),
        None => "condition keys are written `prefix:Name`, such as `acs:SourceIp` or `oss:Prefix`"
            .to_string(),
    };
    ctx.report(
        Diagnostic::new(
            &INVALID_CONDITION,
            ctx.file,
            key.key_span,
            format!("condition key {} {problem}", quote(name)),
        )
        .label("malformed key")
        .help(help)
        .pointer(pointer()),
    );
    false
}

/// Reads the values of one condition key: a scalar or an array of scalars. Numbers and
/// booleans are read as their text.
fn condition_values<'a>(
    ctx: &mut Ctx<'_>,
    key: &Member<'a>,
    pointer: &dyn Fn() -> String,
) -> Option<Vec<Item<'a>>> {
    let scalar = |node: &crate::syntax::Node<'a>| -> Option<Item<'a>> {
        let text = match &node.value {
            Value::String(text) => text.clone(),
            Value::Number(text) => text.clone(),
            Value::Bool(true) => "true".into(),
            Value::Bool(false) => "false".into(),
            _ => return None,
        };
        Some(Item {
            text,
            span: node.span,
        })
    };
    // Named only in diagnostics, so the text is built only for one.
    let value_name = || format!("the value of `{}`", key.key);
    match &key.value.value {
        Value::Array(items) => {
            if items.is_empty() {
                ctx.report(empty(ctx, &key.value, &value_name(), &pointer()));
                return None;
            }
            let mut values = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                match scalar(item) {
                    Some(value) => values.push(value),
                    None if item.is_unknown() => return None,
                    None => {
                        ctx.report(type_error(
                            ctx,
                            item,
                            &value_name(),
                            "a string",
                            &pointer_index(&pointer(), index),
                        ));
                        return None;
                    }
                }
            }
            Some(values)
        }
        Value::Unknown { .. } => None,
        _ => match scalar(&key.value) {
            Some(value) => Some(vec![value]),
            None => {
                ctx.report(type_error(
                    ctx,
                    &key.value,
                    &value_name(),
                    "a string or an array of strings",
                    &pointer(),
                ));
                None
            }
        },
    }
}

/// Checks that a value can be read as its operator's type; returns false when it cannot.
fn check_value(
    ctx: &mut Ctx<'_>,
    operator: &str,
    family: Family,
    value: &Item<'_>,
    pointer: &dyn Fn() -> String,
) -> bool {
    let text = value.text.as_ref();
    let valid = match family {
        Family::String => true,
        Family::Numeric => cond::parse_number(text).is_some(),
        Family::Date => cond::parse_date(text).is_some(),
        Family::Bool => cond::parse_bool(text).is_some(),
        Family::Ip => cond::parse_ip_block(text).is_some(),
    };
    if valid {
        return true;
    }
    let help = match family {
        Family::Bool if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") => {
            format!("write {}", quote(&text.to_ascii_lowercase()))
        }
        _ => format!("`{operator}` compares {}", family.expected()),
    };
    ctx.report(
        Diagnostic::new(
            &INVALID_CONDITION,
            ctx.file,
            value.span,
            format!(
                "{} is not {} for `{operator}`",
                quote(text),
                family.expected()
            ),
        )
        .label("wrong value type")
        .help(help)
        .pointer(pointer()),
    );
    false
}
