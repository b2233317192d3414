//! Policy documents and OSS buckets in Terraform configurations (`.tf` files).
//!
//! Policies are found in two passes. The first follows the attributes that hold a policy in
//! the `alicloud` provider (see [`POLICY_ATTRIBUTES`]) through locals, variable defaults,
//! `jsonencode`, conditionals and `coalesce` to every document they may take, and checks it
//! as the kind of policy the attribute expects. The second looks at every other value of
//! the file (locals that no attribute references, variable defaults, module arguments) for text or
//! `jsonencode` objects that are policy documents; their kind is inferred from their
//! statements. Documents that only look like RAM policies are recognised and skipped, see
//! [`super::embedded::look_alike`].
//!
//! Embedded JSON (heredocs, quoted strings with escapes) is parsed with an offset map, so
//! spans point into the `.tf` file, also inside an indented `<<-` heredoc and inside escape
//! sequences. An interpolation whose value is a literal of the module is substituted; any
//! other becomes an unknown value.

pub mod scope;

mod convert;
mod text;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};

use self::scope::{Lookup, ModuleScope, expression_span};
use super::PolicyKind;
use super::embedded::{EmbeddedPolicy, LookAlike, PolicyContent, look_alike};
use super::inventory::Entry;
use crate::checks::pointer_push;
use crate::source::Span;
use crate::syntax::json::ParseError;

/// The attributes of `alicloud` resources that hold a RAM policy document, and the kind of
/// policy each expects. `permission_policy_document` sits in a `permission_policies` block.
pub const POLICY_ATTRIBUTES: &[(&str, &[&str], PolicyKind)] = &[
    (
        "alicloud_ram_policy",
        &["policy_document", "document"],
        PolicyKind::Identity,
    ),
    (
        "alicloud_ram_role",
        &["assume_role_policy_document", "document"],
        PolicyKind::Trust,
    ),
    ("alicloud_oss_bucket", &["policy"], PolicyKind::Resource),
    (
        "alicloud_oss_bucket_policy",
        &["policy"],
        PolicyKind::Resource,
    ),
    ("alicloud_kms_key", &["policy"], PolicyKind::Resource),
    (
        "alicloud_resource_manager_policy",
        &["policy_document"],
        PolicyKind::Identity,
    ),
    (
        "alicloud_resource_manager_policy_version",
        &["policy_document"],
        PolicyKind::Identity,
    ),
    (
        "alicloud_resource_manager_role",
        &["assume_role_policy_document"],
        PolicyKind::Trust,
    ),
    (
        "alicloud_resource_manager_control_policy",
        &["policy_document"],
        PolicyKind::Control,
    ),
    (
        "alicloud_vpc_gateway_endpoint",
        &["policy_document"],
        PolicyKind::Endpoint,
    ),
    (
        "alicloud_privatelink_vpc_endpoint",
        &["policy_document"],
        PolicyKind::Endpoint,
    ),
    (
        "alicloud_cloud_sso_access_configuration",
        &["permission_policy_document"],
        PolicyKind::Identity,
    ),
];

/// Attributes that hold a document that is not a RAM policy: the stack policies of ROS
/// stacks. They are never checked, not even by the second pass.
const OTHER_POLICY_ATTRIBUTES: &[(&str, &[&str])] = &[
    (
        "alicloud_ros_stack",
        &["stack_policy_body", "stack_policy_during_update_body"],
    ),
    ("alicloud_ros_change_set", &["stack_policy_body"]),
];

/// Functions that return their first argument's document unchanged for our purposes.
const PASS_THROUGH_FUNCTIONS: &[&str] = &["trimspace", "chomp", "tostring", "nonsensitive"];

/// Functions that return one of their arguments.
const CHOICE_FUNCTIONS: &[&str] = &["coalesce", "try"];

/// The policies and buckets of a Terraform file.
#[derive(Debug, Default)]
pub struct Extraction {
    pub policies: Vec<EmbeddedPolicy>,
    pub look_alikes: Vec<LookAlike>,
    /// OSS buckets whose name and region are literals.
    pub inventory: Vec<Entry>,
}

/// Reads the policies and buckets of one `.tf` file of a module.
pub fn extract(text: &str, path: &Path, scope: &ModuleScope) -> Result<Extraction, ParseError> {
    let body = parse(text)?;
    let mut extractor = Extractor::new(text, path, scope, &body);
    extractor.known_attributes(&body);
    extractor.scan_body(&body, "", None);
    extractor.buckets(&body);
    Ok(extractor.out)
}

/// Parses HCL text. A UTF-8 byte-order mark, which the HCL parser rejects, is read as three
/// spaces so that every offset stays an offset into `text`.
pub(crate) fn parse(text: &str) -> Result<Body, ParseError> {
    let blanked;
    let input = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => {
            blanked = format!("   {rest}");
            blanked.as_str()
        }
        None => text,
    };
    hcl_edit::parser::parse_body(input).map_err(|error| {
        let offset = error.location().offset().min(text.len());
        let end = offset + text[offset..].chars().next().map_or(0, char::len_utf8);
        ParseError {
            span: Span::from_range(offset, end),
            message: format!("invalid HCL: {}", error.message()),
            label: None,
            help: None,
        }
    })
}

/// The result of following an expression to the documents it may evaluate to.
enum Followed {
    /// At least one document was found (or was already found).
    Documents,
    /// The value is defined in another file of the module, which is checked on its own.
    Elsewhere,
    /// The value is only known when Terraform runs.
    Unknown(String),
    /// The value is `null`: the attribute is not set.
    Nothing,
}

struct Extractor<'t> {
    text: &'t str,
    path: &'t Path,
    scope: &'t ModuleScope,
    /// The locals of this file, by name.
    locals: HashMap<&'t str, &'t Expression>,
    /// The variables of this file, by name.
    variables: HashMap<&'t str, &'t Block>,
    /// The `alicloud_ram_policy_document` data sources of this file, by name.
    documents: HashMap<&'t str, &'t Block>,
    /// Expressions already taken as documents, so that each is checked once.
    visited: HashSet<Span>,
    out: Extraction,
}

impl<'t> Extractor<'t> {
    fn new(text: &'t str, path: &'t Path, scope: &'t ModuleScope, body: &'t Body) -> Extractor<'t> {
        let mut locals = HashMap::new();
        let mut variables = HashMap::new();
        let mut documents = HashMap::new();
        for block in body.blocks() {
            match (block.ident.as_str(), block.labels.as_slice()) {
                ("locals", []) => {
                    for attribute in block.body.attributes() {
                        locals.insert(attribute.key.as_str(), &attribute.value);
                    }
                }
                ("variable", [name]) => {
                    variables.insert(name.as_str(), block);
                }
                ("data", [kind, name]) if kind.as_str() == "alicloud_ram_policy_document" => {
                    documents.insert(name.as_str(), block);
                }
                _ => {}
            }
        }
        Extractor {
            text,
            path,
            scope,
            locals,
            variables,
            documents,
            visited: HashSet::new(),
            out: Extraction::default(),
        }
    }

    /// Runs the first pass over every attribute that contains a policy in the provider.
    fn known_attributes(&mut self, body: &'t Body) {
        for block in body.blocks() {
            let labels = block.labels.as_slice();
            if block.ident.as_str() != "resource" {
                continue;
            }
            let [kind, name, ..] = labels else {
                continue;
            };
            let (kind, name) = (kind.as_str(), name.as_str());
            let Some((_, attributes, policy_kind)) =
                POLICY_ATTRIBUTES.iter().find(|(t, _, _)| *t == kind)
            else {
                continue;
            };
            let base = format!("/resource/{kind}/{name}");
            if kind == "alicloud_ram_policy" && block.body.has_blocks("statement") {
                // The deprecated form: `statement` blocks in the resource itself.
                self.statement_blocks(block, base.clone(), *policy_kind);
            }
            self.policy_attributes(&block.body, &base, attributes, *policy_kind);
            for (index, nested) in block
                .body
                .blocks()
                .filter(|b| b.ident.as_str() == "permission_policies")
                .enumerate()
            {
                let pointer = format!("{base}/permission_policies/{index}");
                self.policy_attributes(&nested.body, &pointer, attributes, *policy_kind);
            }
        }
        // A data source that no attribute above uses is checked on its own, after the
        // attributes, so that one that is used takes the kind of its use.
        for block in body.blocks() {
            if block.ident.as_str() == "data"
                && let [kind, name] = block.labels.as_slice()
                && kind.as_str() == "alicloud_ram_policy_document"
            {
                let pointer = format!("/data/alicloud_ram_policy_document/{}", name.as_str());
                self.data_document(block, pointer, PolicyKind::Unspecified);
            }
        }
    }

    fn policy_attributes(&mut self, body: &'t Body, base: &str, names: &[&str], kind: PolicyKind) {
        for attribute in body.attributes() {
            let key = attribute.key.as_str();
            if !names.contains(&key) {
                continue;
            }
            let pointer = pointer_push(base, key);
            let expression = &attribute.value;
            if let Followed::Unknown(reason) = self.follow(expression, pointer.clone(), kind, 0) {
                self.out.policies.push(EmbeddedPolicy {
                    pointer,
                    kind,
                    span: expression_span(expression),
                    content: PolicyContent::Unknown { reason },
                });
            }
        }
    }

    /// Follows an expression to the documents it may evaluate to, adding each.
    fn follow(
        &mut self,
        expression: &'t Expression,
        pointer: String,
        kind: PolicyKind,
        depth: usize,
    ) -> Followed {
        if depth > 8 {
            return Followed::Unknown(format!("{} refers too deep", self.describe(expression)));
        }
        match expression {
            Expression::Null(_) => Followed::Nothing,
            Expression::String(_)
            | Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_) => {
                self.text_document(expression, pointer, kind, false);
                Followed::Documents
            }
            Expression::Parenthesis(inner) => self.follow(inner.inner(), pointer, kind, depth + 1),
            Expression::Conditional(conditional) => self.choose(
                [&conditional.true_expr, &conditional.false_expr],
                pointer,
                kind,
                depth,
            ),
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                let args: Vec<&'t Expression> = call.args.iter().collect();
                if name == "jsonencode" && args.len() == 1 && !call.name.is_namespaced() {
                    self.tree_document(args[0], expression, pointer, kind);
                    Followed::Documents
                } else if PASS_THROUGH_FUNCTIONS.contains(&name) && args.len() == 1 {
                    self.follow(args[0], pointer, kind, depth + 1)
                } else if CHOICE_FUNCTIONS.contains(&name) && !args.is_empty() {
                    self.choose(args, pointer, kind, depth)
                } else {
                    Followed::Unknown(format!(
                        "{} is computed when Terraform runs",
                        self.describe(expression)
                    ))
                }
            }
            Expression::Traversal(traversal) => self.follow_reference(
                expression,
                &traversal.expr,
                &traversal.operators,
                pointer,
                kind,
                depth,
            ),
            _ => Followed::Unknown(format!(
                "{} is computed when Terraform runs",
                self.describe(expression)
            )),
        }
    }

    /// Follows each alternative of a conditional or of `coalesce`; the value is unknown
    /// only when no alternative leads to a document.
    fn choose(
        &mut self,
        alternatives: impl IntoIterator<Item = &'t Expression>,
        pointer: String,
        kind: PolicyKind,
        depth: usize,
    ) -> Followed {
        let mut first_unknown = None;
        let mut found = false;
        for alternative in alternatives {
            match self.follow(alternative, pointer.clone(), kind, depth + 1) {
                Followed::Documents | Followed::Elsewhere => found = true,
                Followed::Unknown(reason) => {
                    first_unknown.get_or_insert(reason);
                }
                Followed::Nothing => {}
            }
        }
        match (found, first_unknown) {
            (true, _) => Followed::Documents,
            (false, Some(reason)) => Followed::Unknown(reason),
            (false, None) => Followed::Nothing,
        }
    }

    fn follow_reference(
        &mut self,
        expression: &'t Expression,
        root: &'t Expression,
        operators: &'t [hcl_edit::Decorated<TraversalOperator>],
        pointer: String,
        kind: PolicyKind,
        depth: usize,
    ) -> Followed {
        let Expression::Variable(root) = root else {
            return self.unknown_reference(expression);
        };
        let names: Vec<&str> = operators
            .iter()
            .map_while(|operator| match operator.value() {
                TraversalOperator::GetAttr(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        let only_names = names.len() == operators.len();
        match (root.as_str(), names.as_slice()) {
            ("local", [name, fields @ ..]) if only_names => {
                if let Some(value) = self.locals.get(name).copied() {
                    let mut pointer = format!("/locals/{name}");
                    let Some(value) = object_field(value, fields, &mut pointer) else {
                        return self.unknown_reference(expression);
                    };
                    return self.follow(value, pointer, kind, depth + 1);
                }
                if !fields.is_empty() {
                    return self.unknown_reference(expression);
                }
                self.defined_elsewhere(expression, &format!("local.{name}"))
            }
            ("var", [name, fields @ ..]) if only_names => {
                if let Some(block) = self.variables.get(name).copied() {
                    return match block.body.get_attribute("default") {
                        Some(default) => {
                            let mut pointer = format!("/variable/{name}/default");
                            let Some(value) = object_field(&default.value, fields, &mut pointer)
                            else {
                                return self.unknown_reference(expression);
                            };
                            self.follow(value, pointer, kind, depth + 1)
                        }
                        None => Followed::Unknown(format!(
                            "`var.{name}` has no default, so its value is given when Terraform runs"
                        )),
                    };
                }
                if !fields.is_empty() {
                    return self.unknown_reference(expression);
                }
                self.defined_elsewhere(expression, &format!("var.{name}"))
            }
            ("data", ["alicloud_ram_policy_document", name, "document" | "json"])
                if operators.len() == 3 =>
            {
                if let Some(block) = self.documents.get(name).copied() {
                    let pointer = format!("/data/alicloud_ram_policy_document/{name}");
                    self.data_document(block, pointer, kind);
                    return Followed::Documents;
                }
                let _ = pointer;
                Followed::Elsewhere
            }
            _ => self.unknown_reference(expression),
        }
    }

    /// Decides what to do with a local or variable that this file does not define.
    fn defined_elsewhere(&self, expression: &Expression, name: &str) -> Followed {
        match self.scope.lookup(name, self.path) {
            Lookup::Found(definition) => match &definition.value {
                Some(value) if value.is_policy_text() => Followed::Elsewhere,
                Some(_) => Followed::Unknown(format!(
                    "{} is not a policy document in text form",
                    self.describe(expression)
                )),
                // A computed value, or a heredoc or `jsonencode` that the other file's own
                // check reads.
                None => Followed::Elsewhere,
            },
            Lookup::Missing => Followed::Unknown(format!(
                "`{name}` is not defined in the files of this module"
            )),
            Lookup::Ambiguous => Followed::Unknown(format!(
                "`{name}` is defined in more than one file of this folder"
            )),
        }
    }

    fn unknown_reference(&self, expression: &Expression) -> Followed {
        Followed::Unknown(format!(
            "{} is only known when Terraform runs",
            self.describe(expression)
        ))
    }

    /// Names an expression for messages: its first line, shortened, in backticks.
    fn describe(&self, expression: &Expression) -> String {
        let span = expression_span(expression);
        let raw = &self.text[span.range()];
        let line = raw.lines().next().unwrap_or("");
        let shown = crate::diagnostic::shorten(line.trim());
        if line.len() < raw.len() {
            format!("`{shown} …`")
        } else {
            format!("`{shown}`")
        }
    }

    /// Adds a document written as text: a heredoc or a quoted string. In the second pass
    /// (`found_by_scan`), only text that parses as a policy is taken, and look-alikes are
    /// set aside.
    fn text_document(
        &mut self,
        expression: &'t Expression,
        pointer: String,
        kind: PolicyKind,
        found_by_scan: bool,
    ) {
        let span = expression_span(expression);
        if !self.visited.insert(span) {
            return;
        }
        let Some(embedded) = text::embed(self.text, expression, &|name| {
            self.scope.value(name, self.path).cloned()
        }) else {
            return;
        };
        let content = match embedded.parse_json() {
            Ok(root) => {
                if found_by_scan {
                    if !super::is_policy(&root) {
                        return;
                    }
                    if let Some(reason) = look_alike(&root) {
                        self.out.look_alikes.push(LookAlike { span, reason });
                        return;
                    }
                }
                PolicyContent::Tree {
                    variants: vec![root],
                    written: Some(embedded.text.clone()),
                }
            }
            Err(error) => {
                if found_by_scan
                    && (!super::looks_like_policy_text(&embedded.text)
                        || embedded.text.contains("\"Update:"))
                {
                    return;
                }
                PolicyContent::Invalid(error)
            }
        };
        self.out.policies.push(EmbeddedPolicy {
            pointer,
            kind,
            span,
            content,
        });
    }

    /// Adds a document built from an HCL object, the argument of `jsonencode`.
    fn tree_document(
        &mut self,
        argument: &'t Expression,
        call: &'t Expression,
        pointer: String,
        kind: PolicyKind,
    ) {
        let span = expression_span(call);
        if !self.visited.insert(span) {
            return;
        }
        let root = self.converter().node(argument);
        self.out.policies.push(EmbeddedPolicy {
            pointer,
            kind,
            span,
            content: PolicyContent::Tree {
                variants: vec![root],
                written: None,
            },
        });
    }

    fn data_document(&mut self, block: &'t Block, pointer: String, kind: PolicyKind) {
        let span = block_span(block);
        if !self.visited.insert(span) {
            return;
        }
        let root = self.converter().statement_blocks(block);
        self.out.policies.push(EmbeddedPolicy {
            pointer,
            kind,
            span,
            content: PolicyContent::Tree {
                variants: vec![root],
                written: None,
            },
        });
    }

    fn statement_blocks(&mut self, block: &'t Block, pointer: String, kind: PolicyKind) {
        self.data_document(block, pointer, kind);
    }

    fn converter(&self) -> convert::Converter<'_> {
        convert::Converter {
            text: self.text,
            resolve: Box::new(|name| self.scope.value(name, self.path).cloned()),
        }
    }

    /// Runs the second pass over every other value of the file, taking those that are
    /// policy documents.
    fn scan_body(&mut self, body: &'t Body, pointer: &str, resource_type: Option<&str>) {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    if let Some(kind) = resource_type
                        && OTHER_POLICY_ATTRIBUTES
                            .iter()
                            .any(|(t, names)| *t == kind && names.contains(&key))
                    {
                        if self.mentions_statement(&attribute.value) {
                            self.out.look_alikes.push(LookAlike {
                                span: expression_span(&attribute.value),
                                reason: "a ROS stack policy (the attribute holds one)",
                            });
                        }
                        continue;
                    }
                    self.scan_expression(&attribute.value, pointer_push(pointer, key));
                }
                Structure::Block(block) => {
                    let mut nested = pointer_push(pointer, block.ident.as_str());
                    for label in &block.labels {
                        nested = pointer_push(&nested, label.as_str());
                    }
                    let kind = match (block.ident.as_str(), block.labels.first()) {
                        ("resource", Some(kind)) => Some(kind.as_str()),
                        _ => resource_type,
                    };
                    self.scan_body(&block.body, &nested, kind);
                }
            }
        }
    }

    fn scan_expression(&mut self, expression: &'t Expression, pointer: String) {
        match expression {
            Expression::String(_)
            | Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_)
                if self.mentions_statement(expression) =>
            {
                self.text_document(expression, pointer, PolicyKind::Unspecified, true);
            }
            Expression::FuncCall(call) => {
                let args: Vec<&'t Expression> = call.args.iter().collect();
                if call.name.name.as_str() == "jsonencode"
                    && let [Expression::Object(object)] = args.as_slice()
                    && object
                        .iter()
                        .any(|(key, _)| convert::key_name(key) == Some("Statement"))
                {
                    let span = expression_span(expression);
                    if self.visited.contains(&span) {
                        return;
                    }
                    let root = self.converter().node(args[0]);
                    if let Some(reason) = look_alike(&root) {
                        self.visited.insert(span);
                        self.out.look_alikes.push(LookAlike { span, reason });
                        return;
                    }
                    self.tree_document(args[0], expression, pointer, PolicyKind::Unspecified);
                    return;
                }
                for (index, arg) in args.into_iter().enumerate() {
                    self.scan_expression(arg, format!("{pointer}/{index}"));
                }
            }
            Expression::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.scan_expression(item, format!("{pointer}/{index}"));
                }
            }
            Expression::Object(object) => {
                for (key, value) in object.iter() {
                    let name = convert::key_name(key).unwrap_or("?");
                    self.scan_expression(value.expr(), pointer_push(&pointer, name));
                }
            }
            Expression::Parenthesis(inner) => self.scan_expression(inner.inner(), pointer),
            Expression::Conditional(conditional) => {
                self.scan_expression(&conditional.true_expr, pointer.clone());
                self.scan_expression(&conditional.false_expr, pointer);
            }
            _ => {}
        }
    }

    /// Tells whether the text of an expression names `Statement` as a JSON key, escaped or
    /// not, which every policy document does.
    fn mentions_statement(&self, expression: &Expression) -> bool {
        let raw = &self.text[expression_span(expression).range()];
        raw.contains("\"Statement\"") || raw.contains("\\\"Statement\\\"")
    }

    /// Reads the `alicloud_oss_bucket` resources whose bucket name and provider region are
    /// literals of the module.
    fn buckets(&mut self, body: &'t Body) {
        for block in body.blocks() {
            if block.ident.as_str() != "resource"
                || block.labels.first().map(|l| l.as_str()) != Some("alicloud_oss_bucket")
            {
                continue;
            }
            let Some(bucket) = block.body.get_attribute("bucket") else {
                continue;
            };
            let resolve = |name: &str| self.scope.value(name, self.path).cloned();
            let Some(scope::Literal::String(name)) = scope::literal(&bucket.value, &resolve) else {
                continue;
            };
            let bucket_span = expression_span(&bucket.value);
            let provider = match block.body.get_attribute("provider") {
                Some(provider) => match provider_reference(&provider.value) {
                    Some(reference) => reference,
                    None => continue,
                },
                None => "provider.alicloud".to_string(),
            };
            let Lookup::Found(definition) = self.scope.lookup(&provider, self.path) else {
                continue;
            };
            let Some(scope::Literal::String(region)) = &definition.value else {
                continue;
            };
            // A region set in another file of the module is shown at the bucket name.
            let region_span = if definition.file == self.path {
                definition.span
            } else {
                bucket_span
            };
            self.out.inventory.push(Entry {
                bucket: name,
                bucket_span,
                region: region.clone(),
                region_span,
            });
        }
    }
}

/// Follows `fields` (the `.name` parts of a reference after the local or variable) into
/// nested object expressions, extending `pointer`. Returns `None` when a part is not the
/// key of an object written in place.
fn object_field<'e>(
    mut expression: &'e Expression,
    fields: &[&str],
    pointer: &mut String,
) -> Option<&'e Expression> {
    for field in fields {
        let Expression::Object(object) = expression else {
            return None;
        };
        let (_, value) = object
            .iter()
            .find(|(key, _)| convert::key_name(key) == Some(field))?;
        *pointer = pointer_push(pointer, field);
        expression = value.expr();
    }
    Some(expression)
}

/// Returns the scope name of a `provider = alicloud.ALIAS` meta-argument.
fn provider_reference(expression: &Expression) -> Option<String> {
    let Expression::Traversal(traversal) = expression else {
        return None;
    };
    let Expression::Variable(provider) = &traversal.expr else {
        return None;
    };
    match traversal.operators.as_slice() {
        [operator] => match operator.value() {
            TraversalOperator::GetAttr(alias) => {
                Some(format!("provider.{}.{}", provider.as_str(), alias.as_str()))
            }
            _ => None,
        },
        _ => None,
    }
}

fn block_span(block: &Block) -> Span {
    block.span().map_or(Span::default(), |range| {
        Span::from_range(range.start, range.end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_one(text: &str) -> Extraction {
        let name = Path::new("main.tf");
        let scope = ModuleScope::from_files([(name.to_path_buf(), text)]);
        extract(text, name, &scope).unwrap()
    }

    #[test]
    fn byte_order_mark_keeps_offsets() {
        let text = "\u{FEFF}locals {\n  p = \"{\\\"Statement\\\": []}\"\n}\n";
        let extraction = extract_one(text);
        assert_eq!(extraction.policies.len(), 1);
        let span = extraction.policies[0].span;
        assert_eq!(&text[span.range()], "\"{\\\"Statement\\\": []}\"");
    }

    #[test]
    fn conditional_follows_both_branches() {
        let text = r#"
locals {
  a = <<EOF
{"Version": "1", "Statement": []}
EOF
  b = jsonencode({ Version = "1", Statement = [] })
}
resource "alicloud_ram_role" "r" {
  document = var.mfa ? local.a : local.b
}
"#;
        let extraction = extract_one(text);
        let pointers: Vec<(&str, PolicyKind)> = extraction
            .policies
            .iter()
            .map(|p| (p.pointer.as_str(), p.kind))
            .collect();
        assert_eq!(
            pointers,
            [
                ("/locals/a", PolicyKind::Trust),
                ("/locals/b", PolicyKind::Trust)
            ]
        );
    }

    #[test]
    fn data_source_takes_use_kind() {
        let text = r#"
data "alicloud_ram_policy_document" "trust" {
  statement {
    action = ["sts:AssumeRole"]
  }
}
resource "alicloud_ram_role" "r" {
  assume_role_policy_document = data.alicloud_ram_policy_document.trust.document
}
"#;
        let extraction = extract_one(text);
        assert_eq!(extraction.policies.len(), 1);
        assert_eq!(extraction.policies[0].kind, PolicyKind::Trust);
        assert_eq!(
            extraction.policies[0].pointer,
            "/data/alicloud_ram_policy_document/trust"
        );
    }

    #[test]
    fn local_stack_policy_look_alike() {
        let text = r#"
locals {
  protect = <<EOF
{"Statement": [{"Action": "Update:*", "Resource": "*", "Effect": "Deny", "Principal": "*"}]}
EOF
}
"#;
        let extraction = extract_one(text);
        assert!(extraction.policies.is_empty());
        assert_eq!(extraction.look_alikes.len(), 1);
    }
}
