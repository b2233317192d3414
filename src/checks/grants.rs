//! Required grants: does a policy, a set of policies, or the policies that apply to a stored
//! request allow an action?
//!
//! Three callers build the same diagnostics from an [`Evaluation`]. `--require` without
//! `--policy` checks each policy document on its own ([`check_document`]). `--require` with
//! `--policy`, and `require` in a `[[grants]]` entry, check a set of policies
//! ([`check_set`]). A stored request covered by `--policy` or a `[[grants]]` entry needs its
//! action granted by that set ([`check_request`]).

use crate::catalog::resources;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, quote};
use crate::document::policy::{Effect, Policy};
use crate::eval::{self, Context, Decision, Document, Evaluation, Outcome, Request};
use crate::source::Span;

declare_rule! {
    /// ## What it checks
    /// That a required action is allowed. `ramlint check --require ens:ExportImage` checks
    /// each policy document of the scan on its own. With `--policy FILE` (repeatable) it
    /// checks the set of those documents together. `require` in a `[[grants]]` entry of
    /// `ramlint.toml` checks that entry's policies. A stored request covered by `--policy`
    /// or a `[[grants]]` entry needs its own action granted too.
    ///
    /// The action is evaluated as RAM does: any matching Deny wins across all the
    /// documents, otherwise any matching Allow grants, otherwise the action is implicitly
    /// denied. The resource is the one the action acts on (`*` for `ens:ExportImage`, and
    /// for actions whose resources ramlint does not know). The message says whether the
    /// action is implicitly or explicitly denied. An explicit Deny is labelled at the
    /// deciding statement, which may be in another file; for an implicit deny, statements
    /// that nearly grant the action are labelled with the reason they do not.
    ///
    /// ## Why it matters
    /// A CI gate can prove that a role can still export images before a policy change
    /// ships, instead of learning it from a `NoPermission` error in production.
    ///
    /// ## Example
    /// With `--require ens:ExportImage`:
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:Describe*", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ens:Describe*", "ens:ExportImage"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// Without `--policy`, documents whose statements all name a `Principal` (trust policies
    /// and bucket policies) are not checked, since they do not grant permissions to a
    /// caller of their own. `Principal` is not evaluated. Control policies and session
    /// policies, which RAM evaluates first, are not modelled.
    pub static ACTION_NOT_GRANTED = ("action-not-granted", Error, "a required action is not allowed by the policy set");
}

declare_rule! {
    /// ## What it checks
    /// That a required action is granted without conditions. When the only statements that
    /// allow it have a `Condition`, or a Deny with a `Condition` could take it back, the
    /// outcome depends on the request, and the diagnostic names those conditions. No request
    /// context is given to `check`, so every condition is undecided there; `ramlint simulate
    /// --context KEY=VALUE` decides them for one request.
    ///
    /// ## Why it matters
    /// A grant that holds only from one network or only with MFA is easy to mistake for an
    /// unconditional one, and fails for the callers that do not meet it.
    ///
    /// ## Example
    /// With `--require ens:ExportImage`:
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*",
    ///   "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}}]}
    /// ```
    ///
    /// ## Use instead
    /// Nothing, when the condition is intended. Otherwise remove the `Condition`.
    ///
    /// ## Known problems
    /// A condition that RAM does not support (`invalid-condition`) is undecided here too,
    /// although RAM would reject the whole policy.
    pub static ACTION_CONDITIONALLY_GRANTED = ("action-conditionally-granted", Warning, "a required action is allowed only when conditions hold");
}

/// A set of policies that is evaluated together.
#[derive(Clone, Debug)]
pub struct PolicySet<'p> {
    /// Describes the set in messages, such as "the policies given with --policy".
    pub name: String,
    pub documents: Vec<Document<'p>>,
}

/// The part of a stored request that the grant check needs.
#[derive(Clone, Copy, Debug)]
pub struct RequestAction<'a> {
    pub file: FileId,
    /// The RAM action of the request, such as `ens:ExportImage` for an ENS `ExportImage`
    /// request; [`crate::catalog::ram_action`] derives it from the product and operation.
    pub action: &'a str,
    /// The span of the request's `Action` value, or of its first parameter when it has none.
    pub span: Span,
}

/// Checks that one policy document grants `action` on its own. Returns `None` when it does.
pub fn check_document(file: FileId, policy: &Policy<'_>, action: &str) -> Option<Diagnostic> {
    let context = Context::new();
    let request = request_for(action, &context);
    let documents = [Document { file, policy }];
    let evaluation = eval::evaluate(&documents, &request);
    let anchor = Anchor {
        file,
        span: policy.statement_span.unwrap_or(policy.span),
        label: "no statement here allows it",
    };
    let diagnostic = build(&evaluation, &request, None, anchor, None)?;
    Some(diagnostic.subject(format!("require {}", action.to_ascii_lowercase())))
}

/// Checks that a set of policies grants `action`. Returns `None` when it does, or when the
/// set is empty.
pub fn check_set(set: &PolicySet<'_>, action: &str) -> Option<Diagnostic> {
    let first = set.documents.first()?;
    let context = Context::new();
    let request = request_for(action, &context);
    let evaluation = eval::evaluate(&set.documents, &request);
    let anchor = Anchor {
        file: first.file,
        span: first.policy.statement_span.unwrap_or(first.policy.span),
        label: "no statement of the set allows it",
    };
    let mut diagnostic = build(&evaluation, &request, Some(&set.name), anchor, None)?;
    if evaluation.decision == Decision::ImplicitlyDenied {
        for document in &set.documents[1..] {
            diagnostic = diagnostic.secondary(
                document.file,
                document
                    .policy
                    .statement_span
                    .unwrap_or(document.policy.span),
                "nor does any statement here",
            );
        }
    }
    Some(diagnostic.subject(format!(
        "require {} in {}",
        action.to_ascii_lowercase(),
        set.name
    )))
}

/// Checks that the policies that apply to a stored request grant its action. The
/// diagnostic is on the request's span; the deciding statement is labelled.
pub fn check_request(
    request_action: &RequestAction<'_>,
    set: &PolicySet<'_>,
) -> Option<Diagnostic> {
    let context = Context::new();
    let request = request_for(request_action.action, &context);
    let evaluation = eval::evaluate(&set.documents, &request);
    let anchor = Anchor {
        file: request_action.file,
        span: request_action.span,
        label: "this request's action",
    };
    let diagnostic = build(&evaluation, &request, Some(&set.name), anchor, Some(anchor))?;
    Some(diagnostic.subject(format!(
        "request {} in {}",
        request_action.action.to_ascii_lowercase(),
        set.name
    )))
}

fn request_for<'r>(action: &'r str, context: &'r Context) -> Request<'r> {
    Request {
        action,
        resource: resources::request_resource(action),
        context,
    }
}

/// The place of a diagnostic when no statement decided, or of every diagnostic when it is
/// the `fixed` argument of [`build`].
#[derive(Clone, Copy)]
struct Anchor {
    file: FileId,
    span: Span,
    label: &'static str,
}

/// Builds the diagnostic for an evaluation, or `None` when the action is allowed. With
/// `fixed`, the primary span is always there (a request) and statements are labels.
fn build(
    evaluation: &Evaluation,
    request: &Request<'_>,
    set_name: Option<&str>,
    anchor: Anchor,
    fixed: Option<Anchor>,
) -> Option<Diagnostic> {
    let action = quote(request.action);
    let resource = quote(request.resource);
    let by_set = set_name
        .map(|name| format!(" by {name}"))
        .unwrap_or_default();
    let of_set = set_name
        .map(|name| format!(" of {name}"))
        .unwrap_or_default();

    let (rule, message, help) = match evaluation.decision {
        Decision::Allowed => return None,
        Decision::ImplicitlyDenied => (
            &ACTION_NOT_GRANTED,
            format!("{action} is implicitly denied{by_set}: no statement allows it on {resource}"),
            format!(
                "add a statement such as `{{\"Effect\": \"Allow\", \"Action\": \"{}\", \"Resource\": \"{}\"}}`",
                request.action, request.resource
            ),
        ),
        Decision::Denied => {
            let deciding = evaluation.deciding()?;
            (
                &ACTION_NOT_GRANTED,
                format!(
                    "{action} is explicitly denied by {}{of_set}",
                    deciding.name()
                ),
                "remove or narrow the Deny statement; a Deny wins over every Allow".to_string(),
            )
        }
        Decision::Conditional => {
            let deciding = evaluation.deciding()?;
            let conditions = describe_conditions(deciding);
            let message = match deciding.effect {
                Effect::Allow => format!("{action} is allowed{by_set} only if {conditions}"),
                Effect::Deny => format!(
                    "{action} is denied by {}{of_set} if {conditions}",
                    deciding.name()
                ),
            };
            (
                &ACTION_CONDITIONALLY_GRANTED,
                message,
                "the grant depends on the request; to decide it for one request, run `ramlint simulate` with `--context KEY=VALUE`".to_string(),
            )
        }
    };

    let deciding = evaluation.deciding();
    let (primary_file, primary_span, primary_label) = match (fixed, deciding) {
        (Some(fixed), _) => (fixed.file, fixed.span, fixed.label.to_string()),
        (None, Some(statement)) => (
            statement.file,
            statement.label_span(),
            deciding_label(evaluation.decision, statement, request),
        ),
        (None, None) => (anchor.file, anchor.span, anchor.label.to_string()),
    };
    let mut diagnostic = Diagnostic::new(rule, primary_file, primary_span, message)
        .label(primary_label)
        .help(help);

    // The deciding statement, when the primary span is elsewhere.
    if let (Some(_), Some(statement)) = (fixed, deciding) {
        diagnostic = diagnostic.secondary(
            statement.file,
            statement.label_span(),
            deciding_label(evaluation.decision, statement, request),
        );
    }
    // The conditions that make the decision conditional.
    if evaluation.decision == Decision::Conditional
        && let Some(statement) = deciding
    {
        for condition in statement.undecided_conditions() {
            let label = match condition.request_values {
                None => "undecided: the request context has no value for this key",
                Some(_) => "undecided: the context's value cannot be compared",
            };
            diagnostic = diagnostic.secondary(statement.file, condition.key_span, label);
        }
    }
    // Other statements worth seeing: near misses for an implicit deny, Allows that lose
    // to a Deny, and other statements whose conditions are undecided.
    for statement in &evaluation.statements {
        if deciding.is_some_and(|d| d.file == statement.file && d.index == statement.index) {
            continue;
        }
        let relevant = match evaluation.decision {
            Decision::ImplicitlyDenied => statement.effect == Effect::Allow,
            Decision::Denied => {
                statement.effect == Effect::Allow && statement.outcome == Outcome::Applies
            }
            Decision::Conditional => statement.outcome == Outcome::AppliesIfConditions,
            Decision::Allowed => false,
        };
        if relevant {
            let label = if evaluation.decision == Decision::Denied {
                format!("{}, but the Deny wins", statement.explain(request))
            } else {
                statement.explain(request)
            };
            diagnostic = diagnostic.secondary(statement.file, near_miss_span(statement), label);
        }
    }
    Some(diagnostic)
}

/// Labels the deciding statement. A conditional statement's conditions are named in the
/// message and labelled one by one, so its own label stays short.
fn deciding_label(
    decision: Decision,
    statement: &eval::StatementTrace,
    request: &Request<'_>,
) -> String {
    match (decision, statement.effect) {
        (Decision::Conditional, Effect::Allow) => {
            format!(
                "allows {} only if its conditions hold",
                quote(request.action)
            )
        }
        (Decision::Conditional, Effect::Deny) => {
            format!("denies {} if its conditions hold", quote(request.action))
        }
        _ => statement.explain(request),
    }
}

/// Returns the span to label for a statement that nearly matched: the item that excluded
/// the request, else the resource that did not match, else the matched action.
fn near_miss_span(statement: &eval::StatementTrace) -> Span {
    match statement.outcome {
        Outcome::ActionExcluded => statement.label_span(),
        Outcome::ResourceNotMatched => match &statement.resource {
            Some(resource) => resource
                .item
                .as_ref()
                .map_or(resource.value_span, |item| item.span),
            None => statement.label_span(),
        },
        Outcome::ConditionsFalse => statement
            .conditions
            .iter()
            .find(|c| c.truth == eval::Truth::False)
            .map_or(statement.label_span(), |c| c.key_span),
        Outcome::Applies | Outcome::AppliesIfConditions => statement.label_span(),
    }
}

/// Names the undecided conditions of a statement, such as
/// `IpAddress acs:SourceIp "10.0.0.0/8" holds`.
fn describe_conditions(statement: &eval::StatementTrace) -> String {
    let mut parts: Vec<String> = statement
        .undecided_conditions()
        .map(|condition| condition.describe())
        .collect();
    if statement.conditions_invalid {
        parts.push("a condition that could not be read".to_string());
    }
    match parts.as_slice() {
        [one] => format!("{one} holds"),
        _ => format!("{} hold", parts.join(", and ")),
    }
}
