//! The rule registry: every rule's id, default severity, summary and documentation.
//!
//! A rule is declared with [`declare_rule!`] next to the code that checks it, and its doc
//! comment is its documentation: `ramlint rule ID`, `docs/rules.md` and SARIF's rule metadata
//! all print that one text. Rule ids are permanent; a retired id stays listed.

use crate::diagnostic::Severity;

/// A rule's metadata.
#[derive(Debug)]
pub struct Rule {
    /// The stable kebab-case id used in output, configuration and suppressions.
    pub id: &'static str,
    pub default_severity: Severity,
    /// One line saying what the rule reports.
    pub summary: &'static str,
    /// The documentation in Markdown, as written in the rule's doc comment.
    pub doc: &'static str,
}

impl Rule {
    /// Returns the documentation with the one leading space that `///` comments carry removed.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_string()
    }

    /// Formats the rule's page: a heading with the id, the default severity and summary, and
    /// the documentation with its headings moved down one level per `level` above 1, so that
    /// they nest under the id. `ramlint rule ID` prints level 1, and `docs/rules.md` contains
    /// level 2.
    pub fn page(&self, level: usize) -> String {
        let level = level.max(1);
        let mut out = format!(
            "{} {}\n\nDefault severity: {}. {}.\n\n",
            "#".repeat(level),
            self.id,
            self.default_severity,
            capitalise(self.summary)
        );
        let mut in_code_block = false;
        for line in self.documentation().lines() {
            if line.trim_start().starts_with("```") {
                in_code_block = !in_code_block;
            }
            if !in_code_block && line.starts_with('#') {
                out.push_str(&"#".repeat(level - 1));
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Returns the text under one `## Heading` of the documentation, trimmed, or `None` when
    /// the documentation has no such heading.
    pub fn section(&self, heading: &str) -> Option<String> {
        let documentation = self.documentation();
        let marker = format!("## {heading}\n");
        let start = documentation.find(&marker)? + marker.len();
        let rest = &documentation[start..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        Some(rest[..end].trim().to_string())
    }
}

/// Makes the first character of `text` upper case.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.id == other.id
    }
}

impl Eq for Rule {}

/// Declares a rule as a `static` whose doc comment becomes its documentation.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it checks
///     /// ...
///     pub static INVALID_EFFECT = ("invalid-effect", Error, "Effect is not exactly Allow or Deny");
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident = ($id:literal, $severity:ident, $summary:literal $(,)?);
    ) => {
        $(#[doc = $doc])*
        $vis static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            default_severity: $crate::diagnostic::Severity::$severity,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

/// Every rule, in the order `ramlint rules` lists them.
pub fn all() -> &'static [&'static Rule] {
    use crate::checks::{
        catalog, condition, elements, file, grammar, grants, inventory, json, oss, permissions,
        request, resources, template,
    };
    use crate::suppress;
    static ALL: &[&Rule] = &[
        &file::INVALID_ENCODING,
        &file::IO_ERROR,
        &file::FILE_TOO_LARGE,
        &file::INVALID_CONFIG,
        &json::INVALID_JSON,
        &json::DUPLICATE_KEY,
        &template::INVALID_HCL,
        &template::INVALID_YAML,
        &template::UNRESOLVED_VALUE,
        &grammar::MISSING_ELEMENT,
        &grammar::UNKNOWN_ELEMENT,
        &grammar::INVALID_ELEMENT_TYPE,
        &grammar::EMPTY_ELEMENT,
        &grammar::INVALID_VERSION,
        &grammar::INVALID_EFFECT,
        &grammar::CONFLICTING_ELEMENTS,
        &elements::INVALID_ACTION,
        &catalog::UNKNOWN_SERVICE,
        &catalog::UNKNOWN_ACTION,
        &catalog::RETIRED_ACTION,
        &elements::INVALID_RESOURCE,
        &elements::INVALID_PRINCIPAL,
        &condition::INVALID_CONDITION,
        &grammar::POLICY_TOO_LARGE,
        &resources::RESOURCE_MISMATCH,
        &permissions::ADMIN_ACCESS,
        &permissions::SERVICE_WILDCARD,
        &permissions::ALLOW_NOT_ACTION,
        &grants::ACTION_NOT_GRANTED,
        &grants::ACTION_CONDITIONALLY_GRANTED,
        &request::UNKNOWN_API,
        &request::MISSING_PARAMETER,
        &request::UNKNOWN_PARAMETER,
        &request::INVALID_PARAMETER_TYPE,
        &request::PARAMETER_LENGTH,
        &request::PARAMETER_RANGE,
        &request::PARAMETER_PATTERN,
        &request::PARAMETER_ENUM,
        &oss::INVALID_OBJECT_KEY,
        &oss::INVALID_BUCKET_NAME,
        &oss::INVALID_REGION,
        &inventory::REGION_MISMATCH,
        &inventory::BUCKET_REGION_UNKNOWN,
        &inventory::INVENTORY_CONFLICT,
        &inventory::INVALID_INVENTORY,
        &request::PLACEHOLDER_VALUE,
        &suppress::UNUSED_SUPPRESSION,
        &suppress::EXPIRED_SUPPRESSION,
    ];
    ALL
}

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|rule| rule.id == id)
}
