//! Evaluating one condition (an operator, a key and its values) against a request context.
//!
//! Results are three-valued ([`Truth`]): a condition is `Unknown` when its key is not in the
//! context, or when a value cannot be read as the operator's type and no other value
//! decides it. Several policy values for one key are OR: the condition holds when the
//! request's value matches any of them. When the context gives the key several values, any
//! of them may match.
//!
//! A negated operator (`StringNotEquals`, `StringNotEqualsIgnoreCase`, `StringNotLike`,
//! `NumericNotEquals`, `DateNotEquals`, `NotIpAddress`) holds when its positive form does
//! not: the request's value matches none of the listed values. With the key absent from the
//! context it is `Unknown`, like every other operator; see the module documentation of
//! [`crate::eval`] for why.

use std::net::IpAddr;

use crate::document::condition as cond;
use crate::document::policy::Condition;

use super::context::Context;
use super::pattern::{self, Case};

/// A three-valued truth: Kleene's logic, where `Unknown` is "true or false, not known which".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }

    fn from_option(value: Option<bool>) -> Truth {
        match value {
            Some(true) => Truth::True,
            Some(false) => Truth::False,
            None => Truth::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Truth::True => "true",
            Truth::False => "false",
            Truth::Unknown => "unknown",
        }
    }
}

impl std::ops::Not for Truth {
    type Output = Truth;

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// The comparison an operator makes, without its negation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Order),
    Date(Order),
    Bool,
    IpAddress,
}

/// The comparison of a request's value with a policy value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Order {
    fn holds(self, request: f64, policy: f64) -> bool {
        match self {
            Order::Equal => request == policy,
            Order::Less => request < policy,
            Order::LessOrEqual => request <= policy,
            Order::Greater => request > policy,
            Order::GreaterOrEqual => request >= policy,
        }
    }
}

/// Returns an operator's test and whether it is negated, for the operators RAM documents.
fn operator(name: &str) -> Option<(Test, bool)> {
    let found = match name {
        "StringEquals" => (Test::StringEquals, false),
        "StringNotEquals" => (Test::StringEquals, true),
        "StringEqualsIgnoreCase" => (Test::StringEqualsIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Test::StringEqualsIgnoreCase, true),
        "StringLike" => (Test::StringLike, false),
        "StringNotLike" => (Test::StringLike, true),
        "NumericEquals" => (Test::Numeric(Order::Equal), false),
        "NumericNotEquals" => (Test::Numeric(Order::Equal), true),
        "NumericLessThan" => (Test::Numeric(Order::Less), false),
        "NumericLessThanEquals" => (Test::Numeric(Order::LessOrEqual), false),
        "NumericGreaterThan" => (Test::Numeric(Order::Greater), false),
        "NumericGreaterThanEquals" => (Test::Numeric(Order::GreaterOrEqual), false),
        "DateEquals" => (Test::Date(Order::Equal), false),
        "DateNotEquals" => (Test::Date(Order::Equal), true),
        "DateLessThan" => (Test::Date(Order::Less), false),
        "DateLessThanEquals" => (Test::Date(Order::LessOrEqual), false),
        "DateGreaterThan" => (Test::Date(Order::Greater), false),
        "DateGreaterThanEquals" => (Test::Date(Order::GreaterOrEqual), false),
        "Bool" => (Test::Bool, false),
        "IpAddress" => (Test::IpAddress, false),
        "NotIpAddress" => (Test::IpAddress, true),
        _ => return None,
    };
    Some(found)
}

/// Tells whether an operator is one of the negated forms.
pub fn is_negated(name: &str) -> bool {
    operator(name).is_some_and(|(_, negated)| negated)
}

/// Evaluates one condition. An operator RAM does not document is `Unknown`, never `True`.
pub fn evaluate(condition: &Condition<'_>, context: &Context) -> Truth {
    let Some((test, negated)) = operator(&condition.operator) else {
        return Truth::Unknown;
    };
    let Some(request_values) = context.get(&condition.key) else {
        return Truth::Unknown;
    };
    let mut any = Truth::False;
    for request in request_values {
        for policy in &condition.values {
            any = any.or(Truth::from_option(compare(test, request, &policy.text)));
        }
    }
    if negated { !any } else { any }
}

/// Compares a request's value with a policy value; `None` when either cannot be read as the
/// test's type.
fn compare(test: Test, request: &str, policy: &str) -> Option<bool> {
    match test {
        Test::StringEquals => Some(request == policy),
        Test::StringEqualsIgnoreCase => Some(request.to_lowercase() == policy.to_lowercase()),
        Test::StringLike => Some(pattern::matches(policy, request, Case::Sensitive)),
        Test::Numeric(order) => {
            Some(order.holds(cond::parse_number(request)?, cond::parse_number(policy)?))
        }
        Test::Date(order) => {
            Some(order.holds(cond::parse_date(request)?, cond::parse_date(policy)?))
        }
        Test::Bool => Some(cond::parse_bool(request)? == cond::parse_bool(policy)?),
        Test::IpAddress => {
            let address: IpAddr = request.parse().ok()?;
            Some(cond::parse_ip_block(policy)?.contains(address))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::policy::Item;
    use crate::source::Span;

    fn condition(operator: &str, key: &str, values: &[&str]) -> Condition<'static> {
        Condition {
            operator: operator.to_string().into(),
            operator_span: Span::default(),
            key: key.to_string().into(),
            key_span: Span::default(),
            values: values
                .iter()
                .map(|text| Item {
                    text: text.to_string().into(),
                    span: Span::default(),
                })
                .collect(),
        }
    }

    fn context(pairs: &[(&str, &str)]) -> Context {
        let mut context = Context::new();
        for (key, value) in pairs {
            context.insert(key, value);
        }
        context
    }

    #[test]
    fn truth_follows_kleene_logic() {
        use Truth::*;
        assert_eq!(True.and(Unknown), Unknown);
        assert_eq!(False.and(Unknown), False);
        assert_eq!(True.or(Unknown), True);
        assert_eq!(False.or(Unknown), Unknown);
        assert_eq!(!Unknown, Unknown);
        assert_eq!(!True, False);
    }

    #[test]
    fn negated_operators_match_none_of_the_values() {
        let c = condition("StringNotEquals", "oss:Prefix", &["a", "b"]);
        assert_eq!(evaluate(&c, &context(&[("oss:Prefix", "a")])), Truth::False);
        assert_eq!(evaluate(&c, &context(&[("oss:Prefix", "c")])), Truth::True);
        assert_eq!(evaluate(&c, &Context::new()), Truth::Unknown);
    }

    #[test]
    fn unreadable_values_are_unknown_unless_another_decides() {
        let c = condition("NumericLessThan", "ecs:Count", &["ten", "5"]);
        assert_eq!(evaluate(&c, &context(&[("ecs:Count", "3")])), Truth::True);
        assert_eq!(
            evaluate(&c, &context(&[("ecs:Count", "7")])),
            Truth::Unknown
        );
    }

    #[test]
    fn undocumented_operators_are_never_true() {
        let c = condition("BoolIfExists", "acs:MFAPresent", &["true"]);
        assert_eq!(
            evaluate(&c, &context(&[("acs:MFAPresent", "true")])),
            Truth::Unknown
        );
    }
}
