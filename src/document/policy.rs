//! A typed view of a RAM policy document, built by the grammar check.
//!
//! The view keeps only what is well-formed: an `Action` array with one non-string element
//! still yields its string elements, and a statement without a valid `Effect` has none. Every
//! item keeps its span, so evaluation can point at the statement and the value that decided.

use std::borrow::Cow;

use super::PolicyKind;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A string value from a policy with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Item<'a> {
    pub text: Cow<'a, str>,
    pub span: Span,
}

impl Item<'_> {
    pub fn into_owned(self) -> Item<'static> {
        Item {
            text: Cow::Owned(self.text.into_owned()),
            span: self.span,
        }
    }
}

/// The value of `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Clone, Debug, PartialEq)]
pub struct Patterns<'a> {
    /// True for `NotAction` and `NotResource`.
    pub negated: bool,
    pub key_span: Span,
    pub value_span: Span,
    pub items: Vec<Item<'a>>,
}

impl Patterns<'_> {
    pub fn into_owned(self) -> Patterns<'static> {
        Patterns {
            negated: self.negated,
            key_span: self.key_span,
            value_span: self.value_span,
            items: self.items.into_iter().map(Item::into_owned).collect(),
        }
    }
}

/// One condition: an operator, a key and the values to compare with.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition<'a> {
    pub operator: Cow<'a, str>,
    pub operator_span: Span,
    pub key: Cow<'a, str>,
    pub key_span: Span,
    pub values: Vec<Item<'a>>,
}

impl Condition<'_> {
    pub fn into_owned(self) -> Condition<'static> {
        Condition {
            operator: Cow::Owned(self.operator.into_owned()),
            operator_span: self.operator_span,
            key: Cow::Owned(self.key.into_owned()),
            key_span: self.key_span,
            values: self.values.into_iter().map(Item::into_owned).collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement<'a> {
    /// The statement's index in `Statement`.
    pub index: usize,
    /// The statement's JSON pointer. Those of a policy file's first statements are static.
    pub pointer: Cow<'static, str>,
    pub span: Span,
    pub sid: Option<Cow<'a, str>>,
    pub effect: Option<Effect>,
    pub effect_span: Option<Span>,
    pub action: Option<Patterns<'a>>,
    pub resource: Option<Patterns<'a>>,
    /// The span of the `Principal` value, when the statement has one.
    pub principal_span: Option<Span>,
    pub conditions: Vec<Condition<'a>>,
    /// True when a condition could not be read (unknown operator, wrong type), so the
    /// statement's conditions are not all known.
    pub conditions_invalid: bool,
}

impl Statement<'_> {
    pub fn into_owned(self) -> Statement<'static> {
        Statement {
            index: self.index,
            pointer: self.pointer,
            span: self.span,
            sid: self.sid.map(|sid| Cow::Owned(sid.into_owned())),
            effect: self.effect,
            effect_span: self.effect_span,
            action: self.action.map(Patterns::into_owned),
            resource: self.resource.map(Patterns::into_owned),
            principal_span: self.principal_span,
            conditions: self
                .conditions
                .into_iter()
                .map(Condition::into_owned)
                .collect(),
            conditions_invalid: self.conditions_invalid,
        }
    }
}

/// A policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy<'a> {
    pub span: Span,
    /// The span of the `Statement` value, when the document has one.
    pub statement_span: Option<Span>,
    pub kind: PolicyKind,
    pub statements: Vec<Statement<'a>>,
}

impl Policy<'_> {
    /// Returns the spans that a diagnostic about this policy in another file may label: the
    /// `Statement` value, the first and last line of each statement, and each statement's
    /// `Effect`, action and resource values and items, and condition operators and keys. A file's worker keeps these
    /// lines when the policy belongs to a policy set.
    pub fn label_spans(&self) -> Vec<Span> {
        let mut spans: Vec<Span> = self.statement_span.into_iter().collect();
        for statement in &self.statements {
            spans.push(Span::new(statement.span.start, statement.span.start));
            spans.push(Span::new(statement.span.end, statement.span.end));
            spans.extend(statement.effect_span);
            for patterns in [&statement.action, &statement.resource]
                .into_iter()
                .flatten()
            {
                spans.push(patterns.key_span);
                spans.push(patterns.value_span);
                spans.extend(patterns.items.iter().map(|item| item.span));
            }
            for condition in &statement.conditions {
                spans.push(condition.operator_span);
                spans.push(condition.key_span);
            }
        }
        spans
    }

    pub fn into_owned(self) -> Policy<'static> {
        Policy {
            span: self.span,
            statement_span: self.statement_span,
            kind: self.kind,
            statements: self
                .statements
                .into_iter()
                .map(Statement::into_owned)
                .collect(),
        }
    }
}
