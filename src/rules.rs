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
    use crate::checks::{condition, elements, file, grammar, grants, json, permissions, resources};
    static ALL: &[&Rule] = &[
        &file::INVALID_ENCODING,
        &file::IO_ERROR,
        &file::FILE_TOO_LARGE,
        &file::INVALID_CONFIG,
        &json::INVALID_JSON,
        &json::DUPLICATE_KEY,
        &grammar::MISSING_ELEMENT,
        &grammar::UNKNOWN_ELEMENT,
        &grammar::INVALID_ELEMENT_TYPE,
        &grammar::EMPTY_ELEMENT,
        &grammar::INVALID_VERSION,
        &grammar::INVALID_EFFECT,
        &grammar::CONFLICTING_ELEMENTS,
        &elements::INVALID_ACTION,
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
    ];
    ALL
}

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|rule| rule.id == id)
}
