//! Deciding a request against a set of policies, with a trace of the statements involved.

use crate::diagnostic::{FileId, quote};
use crate::document::policy::{Effect, Item, Patterns, Policy, Statement};
use crate::source::Span;

use super::arn;
use super::condition::{self, Truth};
use super::context::Context;
use super::pattern::{self, Case};

/// One policy document of a set, and the file it comes from.
#[derive(Clone, Copy, Debug)]
pub struct Document<'p> {
    pub file: FileId,
    pub policy: &'p Policy<'p>,
}

/// What is asked: may the caller perform `action` on `resource`, given `context`?
#[derive(Clone, Copy, Debug)]
pub struct Request<'r> {
    /// A RAM action such as `ens:ExportImage`.
    pub action: &'r str,
    /// A resource ARN, or `*` for actions that act on all resources.
    pub resource: &'r str,
    pub context: &'r Context,
}

/// The decision on a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// An Allow statement applies and no Deny statement can apply.
    Allowed,
    /// A Deny statement applies.
    Denied,
    /// No Allow statement can apply.
    ImplicitlyDenied,
    /// The decision depends on conditions that the context does not decide.
    Conditional,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Denied => "denied",
            Decision::ImplicitlyDenied => "implicitly-denied",
            Decision::Conditional => "conditional",
        }
    }
}

/// The relation of a statement to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The action, the resource and every condition match.
    Applies,
    /// The action and the resource match; some condition is not decided by the context.
    AppliesIfConditions,
    /// The action and the resource match, but a condition does not hold.
    ConditionsFalse,
    /// The action matches, but the resource does not, or the statement has no `Resource`.
    ResourceNotMatched,
    /// `NotAction` lists the action, so the statement does not apply.
    ActionExcluded,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applies => "applies",
            Outcome::AppliesIfConditions => "applies-if-conditions",
            Outcome::ConditionsFalse => "conditions-false",
            Outcome::ResourceNotMatched => "resource-not-matched",
            Outcome::ActionExcluded => "action-excluded",
        }
    }
}

/// The match of an `Action`/`Resource` element, or its `Not` form, against the request.
#[derive(Clone, Debug, PartialEq)]
pub struct ElementMatch {
    pub matched: bool,
    pub negated: bool,
    /// The item that decided: for `Action` and `Resource` the first item that matches the
    /// request; for `NotAction` and `NotResource` the first item that excludes it. `None`
    /// when no item matches the request.
    pub item: Option<Item<'static>>,
    pub key_span: Span,
    pub value_span: Span,
    /// The element's items, for messages.
    pub items: Vec<String>,
}

/// One condition of a statement and its result.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionTrace {
    pub operator: String,
    pub operator_span: Span,
    pub key: String,
    pub key_span: Span,
    pub values: Vec<String>,
    /// The context's values of the key, `None` when the context does not have it.
    pub request_values: Option<Vec<String>>,
    pub truth: Truth,
}

impl ConditionTrace {
    /// Describes the condition, such as `IpAddress acs:SourceIp "10.0.0.0/8"`.
    pub fn describe(&self) -> String {
        let values: Vec<String> = self.values.iter().map(|v| quote(v)).collect();
        format!("{} {} {}", self.operator, self.key, values.join(" or "))
    }
}

/// A statement that matched the request or nearly did, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct StatementTrace {
    pub file: FileId,
    /// The statement's index in `Statement`.
    pub index: usize,
    pub sid: Option<String>,
    pub span: Span,
    pub effect: Effect,
    pub effect_span: Option<Span>,
    pub action: ElementMatch,
    /// `None` when the statement has no `Resource` or `NotResource`.
    pub resource: Option<ElementMatch>,
    pub conditions: Vec<ConditionTrace>,
    /// True when some condition could not be read (an operator RAM does not document, or a
    /// value of the wrong type), so the conditions are at best unknown.
    pub conditions_invalid: bool,
    pub outcome: Outcome,
}

impl StatementTrace {
    /// Names the statement, such as `statement 2 (Sid "DenyExport")`.
    pub fn name(&self) -> String {
        match &self.sid {
            Some(sid) => format!("statement {} (Sid {})", self.index, quote(sid)),
            None => format!("statement {}", self.index),
        }
    }

    /// Returns the span to put a label about this statement on: the item that matched the
    /// action, else the action element's value.
    pub fn label_span(&self) -> Span {
        self.action
            .item
            .as_ref()
            .map_or(self.action.value_span, |item| item.span)
    }

    /// Returns the conditions that the context does not decide. A condition that could not be
    /// read is not among them; [`StatementTrace::conditions_invalid`] marks it.
    pub fn undecided_conditions(&self) -> impl Iterator<Item = &ConditionTrace> {
        self.conditions
            .iter()
            .filter(|condition| condition.truth == Truth::Unknown)
    }

    /// Explains the outcome in a sentence fragment, such as `allows "ens:ExportImage" on "*"`.
    pub fn explain(&self, request: &Request<'_>) -> String {
        let (verb, base_verb) = match self.effect {
            Effect::Allow => ("allows", "allow"),
            Effect::Deny => ("denies", "deny"),
        };
        let action = quote(request.action);
        let resource = quote(request.resource);
        match self.outcome {
            Outcome::Applies => format!("{verb} {action} on {resource}"),
            Outcome::AppliesIfConditions => {
                let mut undecided: Vec<String> = self
                    .undecided_conditions()
                    .map(|condition| match &condition.request_values {
                        None => format!("{} (key not in the context)", condition.describe()),
                        Some(_) => format!("{} (value not comparable)", condition.describe()),
                    })
                    .collect();
                if self.conditions_invalid {
                    undecided.push("a condition that could not be read".to_string());
                }
                format!(
                    "{verb} {action} on {resource} only if {}",
                    undecided.join(" and ")
                )
            }
            Outcome::ConditionsFalse => {
                let failed: Vec<String> = self
                    .conditions
                    .iter()
                    .filter(|condition| condition.truth == Truth::False)
                    .map(|condition| {
                        let given = condition
                            .request_values
                            .as_deref()
                            .unwrap_or_default()
                            .iter()
                            .map(|v| quote(v))
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!("{} does not hold for {given}", condition.describe())
                    })
                    .collect();
                format!("would {base_verb} {action}, but {}", failed.join(" and "))
            }
            Outcome::ResourceNotMatched => match &self.resource {
                None => {
                    format!("covers {action} but has no `Resource`, so it applies to no resource")
                }
                Some(element) if element.negated => format!(
                    "covers {action}, but its `NotResource` item {} excludes {resource}",
                    quote(element.item.as_ref().map_or("", |item| &item.text))
                ),
                Some(element) => {
                    let items: Vec<String> = element.items.iter().map(|i| quote(i)).collect();
                    let verb = if items.len() == 1 { "does" } else { "do" };
                    format!(
                        "covers {action}, but only on {}, which {verb} not match {resource}",
                        items.join(", ")
                    )
                }
            },
            Outcome::ActionExcluded => format!(
                "does not apply: its `NotAction` item {} excludes {action}",
                quote(self.action.item.as_ref().map_or("", |item| &item.text))
            ),
        }
    }
}

/// The decision and the statements that matched or nearly matched, in document order.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub decision: Decision,
    pub statements: Vec<StatementTrace>,
}

impl Evaluation {
    /// Returns the statement that decided: the first applying Deny for `Denied`, the first
    /// applying Allow for `Allowed`, and for `Conditional` the first Deny whose conditions are
    /// undecided, else the first such Allow. `None` for `ImplicitlyDenied`.
    pub fn deciding(&self) -> Option<&StatementTrace> {
        let first = |effect: Effect, outcome: Outcome| {
            self.statements
                .iter()
                .find(|s| s.effect == effect && s.outcome == outcome)
        };
        match self.decision {
            Decision::Denied => first(Effect::Deny, Outcome::Applies),
            Decision::Allowed => first(Effect::Allow, Outcome::Applies),
            Decision::Conditional => first(Effect::Deny, Outcome::AppliesIfConditions)
                .or_else(|| first(Effect::Allow, Outcome::AppliesIfConditions)),
            Decision::ImplicitlyDenied => None,
        }
    }
}

/// Decides a request against every statement of `documents`.
///
/// Any applying Deny wins across all documents; otherwise any applying Allow grants;
/// otherwise the request is implicitly denied. A statement whose conditions are undecided
/// makes the decision `Conditional` where it could change it: an undecided Deny next to an
/// Allow, or an undecided Allow with no applying Allow. Statements without a valid `Effect`
/// or without `Action`/`NotAction` are skipped; the grammar check reports them.
///
/// NOTE: the undecided conditions of different statements are treated as independent. When
/// a Deny and an Allow depend on the same key so that they can never both be false (or
/// both true), the decision may be `Conditional` although no context allows the request.
pub fn evaluate(documents: &[Document<'_>], request: &Request<'_>) -> Evaluation {
    let mut statements = Vec::new();
    for document in documents {
        for statement in &document.policy.statements {
            if let Some(trace) = trace_statement(document.file, statement, request) {
                statements.push(trace);
            }
        }
    }
    let has = |effect: Effect, outcome: Outcome| {
        statements
            .iter()
            .any(|s: &StatementTrace| s.effect == effect && s.outcome == outcome)
    };
    let decision = if has(Effect::Deny, Outcome::Applies) {
        Decision::Denied
    } else if !has(Effect::Allow, Outcome::Applies)
        && !has(Effect::Allow, Outcome::AppliesIfConditions)
    {
        Decision::ImplicitlyDenied
    } else if has(Effect::Deny, Outcome::AppliesIfConditions)
        || !has(Effect::Allow, Outcome::Applies)
    {
        Decision::Conditional
    } else {
        Decision::Allowed
    };
    Evaluation {
        decision,
        statements,
    }
}

/// Traces one statement, or returns `None` when its action element does not concern the
/// request at all.
fn trace_statement(
    file: FileId,
    statement: &Statement<'_>,
    request: &Request<'_>,
) -> Option<StatementTrace> {
    let effect = statement.effect?;
    let action_patterns = statement.action.as_ref()?;
    let action = match_element(action_patterns, |pattern| {
        pattern::matches(pattern, request.action, Case::IgnoreAscii)
    });
    if !action.matched && !action.negated {
        return None;
    }
    let resource = statement.resource.as_ref().map(|patterns| {
        match_element(patterns, |pattern| {
            arn::resource_matches(pattern, request.resource)
        })
    });
    let conditions: Vec<ConditionTrace> = statement
        .conditions
        .iter()
        .map(|c| ConditionTrace {
            operator: c.operator.to_string(),
            operator_span: c.operator_span,
            key: c.key.to_string(),
            key_span: c.key_span,
            values: c.values.iter().map(|v| v.text.to_string()).collect(),
            request_values: request.context.get(&c.key).map(<[String]>::to_vec),
            truth: condition::evaluate(c, request.context),
        })
        .collect();
    let mut truth = conditions
        .iter()
        .fold(Truth::True, |all, condition| all.and(condition.truth));
    if statement.conditions_invalid {
        truth = truth.and(Truth::Unknown);
    }
    let outcome = if !action.matched {
        Outcome::ActionExcluded
    } else if !resource.as_ref().is_some_and(|r| r.matched) {
        Outcome::ResourceNotMatched
    } else {
        match truth {
            Truth::True => Outcome::Applies,
            Truth::Unknown => Outcome::AppliesIfConditions,
            Truth::False => Outcome::ConditionsFalse,
        }
    };
    Some(StatementTrace {
        file,
        index: statement.index,
        sid: statement.sid.as_ref().map(|sid| sid.to_string()),
        span: statement.span,
        effect,
        effect_span: statement.effect_span,
        action,
        resource,
        conditions,
        conditions_invalid: statement.conditions_invalid,
        outcome,
    })
}

/// Matches an element's items: a plain element matches when some item does, a `Not` element
/// when none does.
fn match_element(patterns: &Patterns<'_>, item_matches: impl Fn(&str) -> bool) -> ElementMatch {
    let item = patterns
        .items
        .iter()
        .find(|item| item_matches(&item.text))
        .map(|item| item.clone().into_owned());
    ElementMatch {
        matched: item.is_some() != patterns.negated,
        negated: patterns.negated,
        item,
        key_span: patterns.key_span,
        value_span: patterns.value_span,
        items: patterns.items.iter().map(|i| i.text.to_string()).collect(),
    }
}
