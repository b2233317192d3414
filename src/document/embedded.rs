//! Policy documents found inside templates (Terraform configurations, ROS templates): where
//! each one is, how it is used, and its content as far as it is known without rendering
//! the template.

use super::PolicyKind;
use crate::source::Span;
use crate::syntax::Node;
use crate::syntax::json::ParseError;

/// A policy document inside a template file.
#[derive(Debug)]
pub struct EmbeddedPolicy {
    /// The JSON pointer of the document in the template, such as
    /// `/resource/alicloud_ram_policy/reader/policy_document` or
    /// `/Resources/ReaderPolicy/Properties/PolicyDocument`. Diagnostics about the document
    /// extend it with the pointer inside the document.
    pub pointer: String,
    /// The kind of policy the template uses the document as.
    pub kind: PolicyKind,
    /// The span of the whole document, or of the expression that computes it.
    pub span: Span,
    pub content: PolicyContent,
}

/// The known content of an embedded document.
#[derive(Debug)]
pub enum PolicyContent {
    /// The document as a tree. Most documents have one variant; a document that chooses
    /// between values (ROS `Fn::If`) has one variant per choice, and each is checked.
    Tree {
        variants: Vec<Node<'static>>,
        /// The text RAM receives, when the template sends the document as written (a
        /// heredoc or string) rather than serialising it (`jsonencode`, a ROS mapping).
        written: Option<String>,
    },
    /// Embedded JSON text that does not parse.
    Invalid(ParseError),
    /// The whole document is only known when the template is rendered, for the reason given.
    Unknown { reason: String },
}

/// A document that looks like a policy but is not a RAM policy, such as a ROS stack policy.
/// It is counted but never checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookAlike {
    pub span: Span,
    pub reason: &'static str,
}

/// Tells why a policy-shaped tree is not a RAM policy, or returns `None` when it may be one.
///
/// - A ROS stack policy (`alicloud_ros_stack.stack_policy_body`, the `StackPolicyBody` of a
///   stack) protects stack resources from updates. Its actions are `Update:Modify`,
///   `Update:Replace`, `Update:Delete` or `Update:*` and its resources are logical
///   resource IDs; it has no `Version`. A document whose every action starts with
///   `Update:` is one.
/// - An AWS IAM policy has the version `2012-10-17` or `2008-10-17`.
pub fn look_alike(root: &Node<'_>) -> Option<&'static str> {
    if let Some(version) = root.get("Version").and_then(|m| m.value.as_str())
        && matches!(version, "2012-10-17" | "2008-10-17")
    {
        return Some("an AWS IAM policy (Version 2012-10-17 or 2008-10-17)");
    }
    let statements = root.get("Statement")?;
    let mut actions = Vec::new();
    let statement_nodes: Vec<&Node<'_>> = match statements.value.as_array() {
        Some(items) => items.iter().collect(),
        None => vec![&statements.value],
    };
    for statement in statement_nodes {
        for key in ["Action", "NotAction"] {
            if let Some(member) = statement.get(key) {
                match member.value.as_array() {
                    Some(items) => actions.extend(items.iter().filter_map(Node::as_str)),
                    None => actions.extend(member.value.as_str()),
                }
            }
        }
    }
    if !actions.is_empty() && actions.iter().all(|action| action.starts_with("Update:")) {
        return Some("a ROS stack policy (its actions are `Update:*` actions)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json::parse;

    #[test]
    fn stack_policy_is_a_look_alike() {
        let root = parse(
            r#"{"Statement": [{"Action": "Update:Delete", "Resource": "*", "Effect": "Allow", "Principal": "*"}]}"#,
        )
        .unwrap();
        assert!(look_alike(&root).unwrap().contains("stack policy"));
    }

    #[test]
    fn ram_policy_is_not_a_look_alike() {
        let root = parse(
            r#"{"Version": "1", "Statement": [{"Action": ["Update:Delete", "ecs:*"], "Resource": "*", "Effect": "Allow"}]}"#,
        )
        .unwrap();
        assert_eq!(look_alike(&root), None);
    }

    #[test]
    fn aws_policy_is_a_look_alike() {
        let root = parse(r#"{"Version": "2012-10-17", "Statement": []}"#).unwrap();
        assert!(look_alike(&root).unwrap().contains("AWS"));
    }
}
