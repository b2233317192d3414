//! Recognising what a parsed file holds: a RAM policy, a stored request, or neither.

pub mod condition;
pub mod embedded;
pub mod inventory;
pub mod policy;
pub mod request;
pub mod ros;
pub mod terraform;

use std::path::Path;

use crate::discover::Origin;
use crate::syntax::Node;

/// The kinds of file ramlint reads, which decide the parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A JSON document: a policy or a request's parameter map.
    Json,
    /// XML: a bucket inventory from OSS `ListBuckets`.
    Xml,
    /// Text with query strings and `aliyun` command lines, or `ossutil ls` output.
    Text,
    /// A shell script.
    Shell,
    /// Markdown, whose code blocks are read as text.
    Markdown,
    /// A Terraform configuration (`.tf`).
    Terraform,
    /// YAML: a ROS template, or YAML that ramlint does not read.
    Yaml,
}

/// Chooses a file's kind by its extension, then by its content: text that starts with `{`
/// or `[` is JSON, text that starts with an XML declaration or a `ListBuckets` root is
/// XML, and text that starts with `ROSTemplateFormatVersion` is a YAML ROS template.
/// Standard input is judged by content only; there, text whose first block is
/// `resource "..."`, `locals {` or another top-level Terraform block is a Terraform
/// configuration. A file's text is not judged so, because notes with stored requests may
/// start with such a word.
pub fn file_kind(path: &Path, origin: Origin, text: &str) -> FileKind {
    let extension = match origin {
        Origin::Stdin => None,
        _ => path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase),
    };
    match extension.as_deref() {
        Some("json" | "policy") => return FileKind::Json,
        Some("xml") => return FileKind::Xml,
        Some("sh" | "bash" | "zsh" | "ksh") => return FileKind::Shell,
        Some("md" | "markdown") => return FileKind::Markdown,
        Some("tf") => return FileKind::Terraform,
        Some("yaml" | "yml") => return FileKind::Yaml,
        _ => {}
    }
    let start = text.trim_start_matches('\u{FEFF}').trim_start();
    if start.starts_with('{') || start.starts_with('[') {
        FileKind::Json
    } else if start.starts_with("ROSTemplateFormatVersion") {
        FileKind::Yaml
    } else if origin == Origin::Stdin && starts_like_terraform(start) {
        FileKind::Terraform
    } else if start.starts_with("<?xml") || start.starts_with("<ListAllMyBucketsResult") {
        FileKind::Xml
    } else {
        FileKind::Text
    }
}

/// Tells whether text starts like a Terraform configuration: after comment lines, with a
/// top-level block such as `resource "..."` or `locals {`.
fn starts_like_terraform(text: &str) -> bool {
    const BLOCKS: &[&str] = &[
        "resource",
        "data",
        "locals",
        "provider",
        "variable",
        "module",
        "output",
        "terraform",
    ];
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with("//"))
    else {
        return false;
    };
    BLOCKS.iter().any(|block| {
        line.strip_prefix(block)
            .is_some_and(|rest| rest.starts_with([' ', '"', '{']))
    })
}

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
    /// A VPC endpoint policy: statements name a `Principal`. It limits the requests that
    /// pass through an endpoint and grants nothing, so an Allow of everything is its
    /// default rather than an over-broad grant.
    Endpoint,
    /// A Resource Directory control policy: the grammar of an identity policy, a limit of
    /// 4,096 characters, and it grants nothing by itself.
    Control,
}

/// Tells whether a JSON value is a RAM policy document: an object with a `Statement` key,
/// or with `Version` (in any case) and either a key that is a misspelling of `Statement` or
/// contains statement-like objects, or an `Effect` of a statement written at the top level.
pub fn is_policy(root: &Node<'_>) -> bool {
    let Some(members) = root.as_object() else {
        return false;
    };
    if members.iter().any(|member| member.key == "Statement") {
        return true;
    }
    if !members
        .iter()
        .any(|member| member.key.eq_ignore_ascii_case("Version"))
    {
        return false;
    }
    // A request also has `Version` and `Action`, but never `Effect`.
    let flattened = members
        .iter()
        .any(|member| member.key.eq_ignore_ascii_case("Effect"));
    flattened
        || members.iter().any(|member| {
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
    [
        "\"Statement\"",
        "\"Effect\"",
        "\"Action\"",
        "\"OSSBucket\"",
        "\"OSSRegionId\"",
    ]
    .iter()
    .any(|key| text.contains(key))
}
