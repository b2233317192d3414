//! Rules about templates that hold policies: Terraform configurations and ROS templates
//! that cannot be parsed, and policy values only known once a template is rendered.

use super::Ctx;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::json::ParseError;
use crate::syntax::{Node, Value};

declare_rule! {
    /// ## What it checks
    /// Policy documents in Terraform configurations and ROS templates whose value, or part
    /// of it, is only known when the template is rendered: a `${...}` interpolation or a
    /// `%{...}` directive whose value is not a literal of the module, a reference to a
    /// variable without a default, a resource attribute, a data source other than
    /// `alicloud_ram_policy_document`, or a ROS function such as `Fn::GetAtt`. ramlint
    /// checks everything else in the document and reports, once per document, which values
    /// it could not check. A document that is unknown as a whole is reported at the
    /// expression that computes it.
    ///
    /// References are resolved when their value is a literal in the same module: a
    /// variable's `default`, a local built from literals, a ROS parameter's `Default`,
    /// `Fn::Join`, `Fn::Sub` and `Fn::Split` of literals.
    ///
    /// ## Why it matters
    /// A checker that silently skipped these values would report a policy as clean when
    /// part of it was never checked; one that checked the template text as written would
    /// report `${var.bucket}` as an invalid ARN.
    ///
    /// ## Example
    /// ```hcl
    /// variable "bucket" {}
    /// resource "alicloud_ram_policy" "reader" {
    ///   policy_name     = "reader"
    ///   policy_document = <<EOF
    ///   {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject",
    ///     "Resource": "acs:oss:*:*:${var.bucket}/*"}]}
    ///   EOF
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Give the variable a default, or check the rendered policy (for example from
    /// `terraform show -json`) as a JSON file.
    ///
    /// ## Known problems
    /// Conditionals and `coalesce` are followed into every branch, but a `for` expression or
    /// a function other than `jsonencode`, `trimspace`, `chomp` and `tostring` makes its
    /// value unknown. In a ROS template, `Fn::If` is read with all conditions true and then
    /// all false, so combinations of two conditions are not checked.
    pub static UNRESOLVED_VALUE = ("unresolved-value", Info, "a policy value is only known when the template is rendered");
}

declare_rule! {
    /// ## What it checks
    /// That a Terraform file (`.tf`) parses as HCL. In a folder scan, a file that does not
    /// parse is reported only when it mentions `alicloud_`; a file named on the command line
    /// is always reported.
    ///
    /// ## Why it matters
    /// ramlint cannot find the policies of a file it cannot parse, and Terraform rejects the
    /// file too.
    ///
    /// ## Example
    /// ```hcl
    /// resource "alicloud_ram_policy" "reader" {
    ///   policy_name = "reader"
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "alicloud_ram_policy" "reader" {
    ///   policy_name = "reader"
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Only the first syntax error is reported, with the parser's message.
    pub static INVALID_HCL = ("invalid-hcl", Error, "a Terraform file is not valid HCL");
}

declare_rule! {
    /// ## What it checks
    /// That a ROS template written in YAML parses. In a folder scan, a YAML file that does
    /// not parse is reported only when it contains `ROSTemplateFormatVersion`, so that other
    /// YAML (CI configurations, Kubernetes manifests) stays quiet; a file named on the
    /// command line is always reported.
    ///
    /// ## Why it matters
    /// ramlint cannot find the policies of a template it cannot parse, and ROS rejects the
    /// template too.
    ///
    /// ## Example
    /// ```yaml
    /// ROSTemplateFormatVersion: '2015-09-01'
    /// Resources:
    ///   Policy:
    ///     Type: ALIYUN::RAM::ManagedPolicy
    ///     Properties: {PolicyName: reader
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// ROSTemplateFormatVersion: '2015-09-01'
    /// Resources:
    ///   Policy:
    ///     Type: ALIYUN::RAM::ManagedPolicy
    ///     Properties: {PolicyName: reader}
    /// ```
    ///
    /// ## Known problems
    /// Only the first syntax error is reported, with the parser's message. Nesting deeper
    /// than 128 levels and aliases that copy more than 100,000 nodes are reported as errors.
    pub static INVALID_YAML = ("invalid-yaml", Error, "a ROS template is not valid YAML");
}

/// The maximum number of unknown values one diagnostic labels; the rest are counted in its
/// message.
const MAX_LISTED: usize = 10;

/// Builds the diagnostic for a template that does not parse.
pub fn syntax_diagnostic(
    ctx: &Ctx<'_>,
    rule: &'static crate::rules::Rule,
    error: &ParseError,
) -> Diagnostic {
    Diagnostic::new(rule, ctx.file, error.span, error.message.clone())
        .maybe_help(error.help.clone())
        .subject("syntax")
}

/// Reports the values of a document that are only known when the template is rendered,
/// once for the document. `pointer` is the document's pointer in the template.
pub fn report_unknown_values(ctx: &mut Ctx<'_>, root: &Node<'_>, pointer: &str) {
    if !ctx.enabled(&UNRESOLVED_VALUE) {
        return;
    }
    let mut unknown: Vec<(Span, &str)> = Vec::new();
    collect_unknown(root, &mut unknown);
    unknown.sort_by_key(|(span, _)| *span);
    unknown.dedup_by_key(|(span, _)| *span);
    let Some(&(first_span, first_reason)) = unknown.first() else {
        return;
    };
    let count = unknown.len();
    let message = if count == 1 {
        format!(
            "{first_reason} is only known when the template is rendered, so this value of the policy was not checked"
        )
    } else {
        format!(
            "{count} values of this policy are only known when the template is rendered, so they were not checked; the first is {first_reason}"
        )
    };
    let mut diagnostic = Diagnostic::new(&UNRESOLVED_VALUE, ctx.file, first_span, message)
        .label("not checked")
        .help("the rest of the document was checked; to check these values too, write them as literals or check the rendered policy as a JSON file")
        .pointer(pointer.to_string())
        .subject("unresolved");
    for (span, reason) in unknown.iter().skip(1).take(MAX_LISTED - 1) {
        diagnostic = diagnostic.secondary(ctx.file, *span, reason.to_string());
    }
    ctx.report(diagnostic);
}

fn collect_unknown<'n>(node: &'n Node<'_>, out: &mut Vec<(Span, &'n str)>) {
    node.walk(&mut |inner| {
        if let Value::Unknown { reason } = &inner.value {
            out.push((inner.span, reason));
        }
    });
}

/// Reports a document that is unknown as a whole.
pub fn report_unknown_document(ctx: &mut Ctx<'_>, span: Span, pointer: &str, reason: &str) {
    ctx.report(
        Diagnostic::new(
            &UNRESOLVED_VALUE,
            ctx.file,
            span,
            format!("this policy document was not checked: {reason}"),
        )
        .label("only known when the template is rendered")
        .help("write the document as a literal, or check the rendered policy as a JSON file")
        .pointer(pointer.to_string())
        .subject("unresolved document"),
    );
}
