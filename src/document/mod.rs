//! Recognising what a parsed file holds: a RAM policy, a stored request, or neither.

pub mod condition;
pub mod policy;

use crate::syntax::Node;

/// Where a policy document is used, which decides whether `Principal` belongs in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// A standalone document whose use is unknown; it is inferred from its statements.
    Unspecified,
    /// Attached to a user, group or role: statements have no `Principal`.
    Identity,
    /// A RAM role's trust policy: statements name a `Principal` and need no `Resource`.
    Trust,
    /// A resource-based policy such as an OSS bucket policy: statements name a `Principal`
    /// and a `Resource`.
    Resource,
}

/// Tells whether a JSON value is a RAM policy document: an object with a `Statement` key,
/// or with `Version` and a key that is a misspelling of `Statement` or holds statement-like
/// objects.
pub fn is_policy(root: &Node<'_>) -> bool {
    let Some(members) = root.as_object() else {
        return false;
    };
    if members.iter().any(|member| member.key == "Statement") {
        return true;
    }
    if !members.iter().any(|member| member.key == "Version") {
        return false;
    }
    members.iter().any(|member| {
        let key = member.key.to_ascii_lowercase();
        key == "statement" || key == "statements" || holds_statements(&member.value)
    })
}

fn holds_statements(node: &Node<'_>) -> bool {
    let looks_like_statement = |item: &Node<'_>| {
        item.as_object().is_some_and(|members| {
            members
                .iter()
                .any(|m| matches!(m.key.as_ref(), "Effect" | "Action" | "NotAction"))
        })
    };
    match node.as_array() {
        Some(items) => items.iter().any(looks_like_statement),
        None => looks_like_statement(node),
    }
}

/// Tells whether text that failed to parse probably meant to be a policy or a request, so
/// that a folder scan reports it instead of counting it as not recognised.
pub fn looks_like_policy_text(text: &str) -> bool {
    text.contains("\"Statement\"") || text.contains("\"Effect\"") || text.contains("\"Action\"")
}
