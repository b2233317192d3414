//! Policy evaluation: does a set of policies allow an action on a resource, and which
//! statement decided?
//!
//! [`evaluate`] follows RAM's documented logic for one kind of policy. Any matching Deny wins
//! across every document of the set. Otherwise any matching Allow grants, and without one
//! the request is implicitly denied. A statement matches when its `Action` (or `NotAction`), its
//! `Resource` (or `NotResource`) and all its conditions match the request.
//!
//! - Action names match ignoring ASCII case ([`pattern`]); resources match case-sensitively,
//!   part by part for five-part ARNs ([`arn`]). `*` matches any run of characters, `?`
//!   exactly one. `NotAction` and `NotResource` match what none of their items match.
//! - Within `Condition`, several operators are AND, several keys under one operator are
//!   AND, and several values for one key are OR ([`condition`]).
//! - `Principal` is not evaluated: every statement is read as applying to the caller.
//!
//! # Keys missing from the context
//!
//! A condition whose key is not in the request context is `Unknown`, and a statement that
//! could match but for such a condition makes the decision `Conditional`. This holds for the
//! negated operators too:
//!
//! | operator | key absent from the context |
//! | --- | --- |
//! | `StringNotEquals` | unknown |
//! | `StringNotEqualsIgnoreCase` | unknown |
//! | `StringNotLike` | unknown |
//! | `NumericNotEquals` | unknown |
//! | `DateNotEquals` | unknown |
//! | `NotIpAddress` | unknown |
//!
//! RAM's documentation does not say how a negated operator treats a key that a request does
//! not carry. AWS IAM reads it as a match, so a reader could expect `NotIpAddress` without
//! `acs:SourceIp` to hold. ramlint does not guess, because a context here holds only the keys
//! the user gave: a key left out is not known, which is not the same as a key the request
//! lacks. A guess either way could report a Deny as certain when it is not, or a grant as
//! certain when it is not.
//!
//! # Conditions that cannot be read
//!
//! Operators RAM does not document (`...IfExists`, `Null`, `ForAllValues:`,
//! `ForAnyValue:`) and values of the wrong type are reported by `invalid-condition`. In
//! evaluation they are `Unknown`, never true: such a statement matches at best
//! conditionally.

pub mod arn;
pub mod condition;
pub mod context;
pub mod decision;
pub mod pattern;

pub use condition::Truth;
pub use context::Context;
pub use decision::{
    ConditionTrace, Decision, Document, ElementMatch, Evaluation, Outcome, Request, StatementTrace,
    evaluate,
};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod reference_tests;
