//! Policy documents and OSS buckets in ROS (Resource Orchestration Service) templates.
//!
//! A template is a YAML or JSON mapping with `ROSTemplateFormatVersion`. Policies sit in
//! the properties listed in [`POLICY_PROPERTIES`], as mappings or as JSON text. Values built
//! by intrinsic functions are evaluated when they are literals of the template: `Ref` to a
//! parameter with a `Default`, `Fn::Join`, `Fn::Sub`, `Fn::Split`, `Fn::Select`,
//! `Fn::FindInMap` and `Fn::Str` of literals. `Fn::If` is read both ways: a document that
//! contains it is checked once with every condition true and once with every condition
//! false. Anything else (`Fn::GetAtt`, pseudo parameters such as `ALIYUN::TenantId`) is
//! unknown. A value taken from a parameter or computed by a function is shown at the place
//! that uses it.

use std::borrow::Cow;
use std::collections::HashMap;

use super::PolicyKind;
use super::embedded::{EmbeddedPolicy, LookAlike, PolicyContent, look_alike};
use super::inventory::Entry;
use crate::checks::{pointer_index, pointer_push};
use crate::source::Span;
use crate::syntax::embedded::Embedded;
use crate::syntax::yaml::Style;
use crate::syntax::{Children, Member, Node, Value};

/// The resource properties that hold a policy document, with the kind of policy. A path
/// element `[]` stands for every element of a list.
pub const POLICY_PROPERTIES: &[(&str, &[&str], PolicyKind)] = &[
    (
        "ALIYUN::RAM::ManagedPolicy",
        &["PolicyDocument"],
        PolicyKind::Identity,
    ),
    (
        "ALIYUN::RAM::ManagedPolicy",
        &["PolicyDocumentUnchecked"],
        PolicyKind::Identity,
    ),
    (
        "ALIYUN::RAM::Role",
        &["AssumeRolePolicyDocument"],
        PolicyKind::Trust,
    ),
    (
        "ALIYUN::RAM::Role",
        &["Policies", "[]", "PolicyDocument"],
        PolicyKind::Identity,
    ),
    (
        "ALIYUN::RAM::User",
        &["Policies", "[]", "PolicyDocument"],
        PolicyKind::Identity,
    ),
    (
        "ALIYUN::RAM::Group",
        &["Policies", "[]", "PolicyDocument"],
        PolicyKind::Identity,
    ),
    (
        "ALIYUN::ResourceManager::ControlPolicy",
        &["PolicyDocument"],
        PolicyKind::Control,
    ),
    (
        "ALIYUN::ResourceManager::Policy",
        &["PolicyDocument"],
        PolicyKind::Identity,
    ),
    (
        "ALIYUN::ResourceManager::Role",
        &["AssumeRolePolicyDocument"],
        PolicyKind::Trust,
    ),
    ("ALIYUN::OSS::Bucket", &["Policy"], PolicyKind::Resource),
];

/// How the template file is written, which decides how a policy in JSON text is decoded.
#[derive(Clone, Copy, Debug)]
pub enum Format<'s> {
    /// A YAML template, with the style of its quoted and block scalars by span.
    Yaml(&'s HashMap<Span, Style>),
    Json,
}

/// The policies and buckets of a ROS template.
#[derive(Debug, Default)]
pub struct Extraction {
    pub policies: Vec<EmbeddedPolicy>,
    pub look_alikes: Vec<LookAlike>,
    pub inventory: Vec<Entry>,
}

/// Tells whether a tree is a ROS template: a mapping with `ROSTemplateFormatVersion`.
pub fn is_template(root: &Node<'_>) -> bool {
    root.as_object()
        .is_some_and(|members| members.iter().any(|m| m.key == "ROSTemplateFormatVersion"))
}

/// Reads the policies of a template, and its OSS buckets when `region` (the region the
/// template is deployed in) is known.
pub fn extract(
    root: &Node<'_>,
    text: &str,
    format: Format<'_>,
    region: Option<&str>,
) -> Extraction {
    let mut out = Extraction::default();
    let template = Template::new(root, text);
    let Some(resources) = root.get("Resources").and_then(|m| m.value.as_object()) else {
        return out;
    };
    for resource in resources {
        let Some(kind) = resource.value.get("Type").and_then(|m| m.value.as_str()) else {
            continue;
        };
        let Some(properties) = resource.value.get("Properties") else {
            continue;
        };
        let base = pointer_push(&pointer_push("/Resources", &resource.key), "Properties");
        for (_, path, policy_kind) in POLICY_PROPERTIES.iter().filter(|(t, _, _)| *t == kind) {
            for (pointer, node) in walk_path(&properties.value, path, &base) {
                out.policies
                    .push(template.document(node, pointer, *policy_kind, format));
            }
        }
        if kind == "ALIYUN::OSS::Bucket"
            && let Some(region) = region
            && let Some(name) = properties.value.get("BucketName")
            && let Some(bucket) = template.literal_string(&name.value)
        {
            out.inventory.push(Entry {
                bucket,
                bucket_span: name.value.span,
                region: region.to_string(),
                // The region comes from ramlint.toml; it is shown at the bucket name.
                region_span: name.value.span,
            });
        }
    }
    let mut kept = Vec::new();
    for policy in out.policies {
        match &policy.content {
            PolicyContent::Tree { variants, .. }
                if variants.first().and_then(look_alike).is_some() =>
            {
                let reason = variants.first().and_then(look_alike).unwrap_or_default();
                out.look_alikes.push(LookAlike {
                    span: policy.span,
                    reason,
                });
            }
            _ => kept.push(policy),
        }
    }
    out.policies = kept;
    out
}

/// Returns the nodes at a property path, with their pointers.
fn walk_path<'n, 'a>(
    node: &'n Node<'a>,
    path: &[&str],
    pointer: &str,
) -> Vec<(String, &'n Node<'a>)> {
    let Some((first, rest)) = path.split_first() else {
        return vec![(pointer.to_string(), node)];
    };
    if *first == "[]" {
        return node
            .as_array()
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .flat_map(|(index, item)| walk_path(item, rest, &pointer_index(pointer, index)))
            .collect();
    }
    match node.get(first) {
        Some(member) => walk_path(&member.value, rest, &pointer_push(pointer, first)),
        None => Vec::new(),
    }
}

/// The branch of every `Fn::If` that an evaluation takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Branch {
    True,
    False,
}

/// An evaluated value: a tree, or nothing (`Ref: ALIYUN::NoValue`, which removes the
/// property or element that contains it).
type Evaluated = Option<Node<'static>>;

/// The parts of a template that intrinsic functions read.
struct Template<'n, 'a> {
    text: &'n str,
    parameters: HashMap<&'n str, &'n Node<'a>>,
    mappings: Option<&'n Node<'a>>,
}

impl<'n, 'a> Template<'n, 'a> {
    fn new(root: &'n Node<'a>, text: &'n str) -> Template<'n, 'a> {
        let parameters = root
            .get("Parameters")
            .and_then(|m| m.value.as_object())
            .map(|members| {
                members
                    .iter()
                    .map(|member| (member.key.as_ref(), &member.value))
                    .collect()
            })
            .unwrap_or_default();
        Template {
            text,
            parameters,
            mappings: root.get("Mappings").map(|m| &m.value),
        }
    }

    /// Builds the embedded document at `node`.
    fn document(
        &self,
        node: &Node<'_>,
        pointer: String,
        kind: PolicyKind,
        format: Format<'_>,
    ) -> EmbeddedPolicy {
        let span = node.span;
        let content = match &node.value {
            Value::String(_) => self.text_document(node, format),
            _ => {
                let mut variants = Vec::new();
                let branches = if contains_if(node) {
                    &[Branch::True, Branch::False][..]
                } else {
                    &[Branch::True][..]
                };
                for &branch in branches {
                    match self.evaluate(node, branch, 0) {
                        Some(tree) if tree.is_unknown() => {
                            let Value::Unknown { reason } = tree.value else {
                                unreachable!("checked above");
                            };
                            return EmbeddedPolicy {
                                pointer,
                                kind,
                                span,
                                content: PolicyContent::Unknown {
                                    reason: format!(
                                        "{reason} is only known when ROS creates the stack"
                                    ),
                                },
                            };
                        }
                        Some(Node {
                            value: Value::String(_),
                            ..
                        }) => {
                            // A function that builds the document as JSON text.
                            return EmbeddedPolicy {
                                pointer,
                                kind,
                                span,
                                content: PolicyContent::Unknown {
                                    reason: format!(
                                        "{} builds the document as text",
                                        self.describe(node)
                                    ),
                                },
                            };
                        }
                        Some(mut tree) => {
                            coerce_version(&mut tree);
                            variants.push(tree);
                        }
                        None => {}
                    }
                }
                if variants.is_empty() {
                    return EmbeddedPolicy {
                        pointer,
                        kind,
                        span,
                        content: PolicyContent::Unknown {
                            reason: "the document is `ALIYUN::NoValue`".to_string(),
                        },
                    };
                }
                PolicyContent::Tree {
                    variants,
                    written: None,
                }
            }
        };
        EmbeddedPolicy {
            pointer,
            kind,
            span,
            content,
        }
    }

    /// Parses a document given as JSON text, with spans mapped into the template file.
    fn text_document(&self, node: &Node<'_>, format: Format<'_>) -> PolicyContent {
        let raw_span = node.span;
        let raw = &self.text[raw_span.range()];
        let embedded = match format {
            Format::Json => decode_json_string(raw, raw_span.start as usize),
            Format::Yaml(styles) => match styles.get(&raw_span) {
                Some(Style::DoubleQuoted) => decode_json_string(raw, raw_span.start as usize),
                Some(Style::SingleQuoted) => decode_single_quoted(raw, raw_span.start as usize),
                // Plain and block scalars: the text as written differs from the value only
                // in line breaks and indentation, which JSON ignores between tokens.
                _ => Embedded::verbatim(raw, raw_span.start as usize),
            },
        };
        match embedded.parse_json() {
            Ok(root) => PolicyContent::Tree {
                written: node.as_str().map(str::to_string),
                variants: vec![root],
            },
            Err(error) => PolicyContent::Invalid(error),
        }
    }

    /// Evaluates a value, resolving the intrinsic functions it can.
    fn evaluate(&self, node: &Node<'_>, branch: Branch, depth: usize) -> Evaluated {
        if depth > 32 {
            return Some(unknown(node.span, "functions nested too deep".to_string()));
        }
        if let Some((name, argument)) = function(node) {
            return self.call(node, name, argument, branch, depth + 1);
        }
        let value = match &node.value {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .filter_map(|item| self.evaluate(item, branch, depth + 1))
                    .collect(),
            ),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .filter_map(|member| {
                        self.evaluate(&member.value, branch, depth + 1)
                            .map(|value| Member {
                                key: Cow::Owned(member.key.to_string()),
                                key_span: member.key_span,
                                value,
                            })
                    })
                    .collect(),
            ),
            other => owned_value(other),
        };
        Some(Node::new(node.span, value))
    }

    fn call(
        &self,
        node: &Node<'_>,
        name: &str,
        argument: &Node<'_>,
        branch: Branch,
        depth: usize,
    ) -> Evaluated {
        let span = node.span;
        let not_known = || Some(unknown(span, self.describe(node)));
        match name {
            "Ref" => {
                let Some(target) = argument.as_str() else {
                    return not_known();
                };
                if target == "ALIYUN::NoValue" {
                    return None;
                }
                let Some(parameter) = self.parameters.get(target) else {
                    return not_known();
                };
                let Some(default) = parameter.get("Default") else {
                    return Some(unknown(
                        span,
                        format!("{}, a parameter without a default,", self.describe(node)),
                    ));
                };
                let list = parameter
                    .get("Type")
                    .and_then(|m| m.value.as_str())
                    .is_some_and(|t| t == "CommaDelimitedList");
                let value = self.evaluate(&default.value, branch, depth)?;
                let value = match (&value.value, list) {
                    (Value::String(text), true) => Node::new(
                        span,
                        Value::Array(
                            text.split(',')
                                .map(|part| {
                                    Node::new(span, Value::String(Cow::Owned(part.to_string())))
                                })
                                .collect(),
                        ),
                    ),
                    _ => value,
                };
                Some(respan(value, span))
            }
            "Fn::If" => {
                let Some([_, when_true, when_false]) = argument.as_array() else {
                    return not_known();
                };
                let chosen = match branch {
                    Branch::True => when_true,
                    Branch::False => when_false,
                };
                self.evaluate(chosen, branch, depth)
            }
            "Fn::Join" => {
                let parts = self.evaluate(argument, branch, depth)?;
                let Some([delimiter, list]) = pair(&parts) else {
                    return not_known();
                };
                let (Some(delimiter), Some(items)) = (delimiter.as_str(), list.as_array()) else {
                    return self.unknown_from(&parts).or_else(not_known);
                };
                let mut texts = Vec::new();
                for item in items {
                    match scalar_text(item) {
                        Some(text) => texts.push(text),
                        None => return self.unknown_from(item).or_else(not_known),
                    }
                }
                Some(Node::new(
                    span,
                    Value::String(Cow::Owned(texts.join(delimiter))),
                ))
            }
            "Fn::Split" => {
                let parts = self.evaluate(argument, branch, depth)?;
                let Some([delimiter, source]) = pair(&parts) else {
                    return not_known();
                };
                let (Some(delimiter), Some(source)) = (delimiter.as_str(), source.as_str()) else {
                    return self.unknown_from(&parts).or_else(not_known);
                };
                if delimiter.is_empty() {
                    return not_known();
                }
                Some(Node::new(
                    span,
                    Value::Array(
                        source
                            .split(delimiter)
                            .map(|part| {
                                Node::new(span, Value::String(Cow::Owned(part.to_string())))
                            })
                            .collect(),
                    ),
                ))
            }
            "Fn::Select" => {
                let parts = self.evaluate(argument, branch, depth)?;
                let Some([index, list]) = pair(&parts) else {
                    return not_known();
                };
                let index = match &index.value {
                    Value::Number(text) | Value::String(text) => text.parse::<usize>().ok(),
                    _ => None,
                };
                match (index, list.as_array()) {
                    (Some(index), Some(items)) => match items.get(index) {
                        Some(item) => Some(respan(item.clone(), span)),
                        None => not_known(),
                    },
                    _ => self.unknown_from(&parts).or_else(not_known),
                }
            }
            "Fn::Sub" => self.substitute(node, argument, branch, depth),
            "Fn::Str" => {
                let value = self.evaluate(argument, branch, depth)?;
                match scalar_text(&value) {
                    Some(text) => Some(Node::new(span, Value::String(Cow::Owned(text)))),
                    None => self.unknown_from(&value).or_else(not_known),
                }
            }
            "Fn::FindInMap" => {
                let parts = self.evaluate(argument, branch, depth)?;
                let keys: Option<Vec<String>> = parts
                    .as_array()
                    .filter(|items| items.len() == 3)
                    .and_then(|items| items.iter().map(scalar_text).collect());
                let found = keys.and_then(|keys| {
                    let mut node = self.mappings?;
                    for key in &keys {
                        node = &node.get(key)?.value;
                    }
                    Some(node)
                });
                match found {
                    Some(found) => Some(respan(self.evaluate(found, branch, depth)?, span)),
                    None => self.unknown_from(&parts).or_else(not_known),
                }
            }
            _ => not_known(),
        }
    }

    /// Evaluates `Fn::Sub`: a string, or a string and a map of variables, in which
    /// `${Name}` is replaced by a variable or a parameter's default and `${!Name}` stands
    /// for the literal text `${Name}`.
    fn substitute(
        &self,
        node: &Node<'_>,
        argument: &Node<'_>,
        branch: Branch,
        depth: usize,
    ) -> Evaluated {
        let span = node.span;
        let (template, variables) = match &argument.value {
            Value::String(text) => (text.to_string(), None),
            Value::Array(items) if items.len() == 2 => {
                let Some(text) = items[0].as_str() else {
                    return Some(unknown(span, self.describe(node)));
                };
                (
                    text.to_string(),
                    Some(self.evaluate(&items[1], branch, depth)?),
                )
            }
            _ => {
                return Some(unknown(span, self.describe(node)));
            }
        };
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let from_map = variables
                .as_ref()
                .and_then(|map| map.get(name))
                .map(|member| member.value.clone());
            let value = match from_map {
                Some(value) => Some(value),
                None => {
                    let reference = Node::new(
                        span,
                        Value::Object(Children::Owned(vec![Member {
                            key: Cow::Borrowed("Ref"),
                            key_span: span,
                            value: Node::new(span, Value::String(Cow::Owned(name.to_string()))),
                        }])),
                    );
                    if self.parameters.contains_key(name) {
                        self.evaluate(&reference, branch, depth)
                    } else {
                        None
                    }
                }
            };
            match value.as_ref().and_then(scalar_text) {
                Some(text) => out.push_str(&text),
                None => {
                    return Some(unknown(
                        span,
                        format!("`${{{name}}}` in {}", self.describe(node)),
                    ));
                }
            }
        }
        out.push_str(rest);
        Some(Node::new(span, Value::String(Cow::Owned(out))))
    }

    /// Returns the first unknown value inside an evaluated value, to pass its reason on.
    fn unknown_from(&self, node: &Node<'static>) -> Evaluated {
        let mut found = None;
        node.walk(&mut |inner| {
            if found.is_none() && inner.is_unknown() {
                found = Some(inner.clone());
            }
        });
        found.map(|inner| respan(inner, node.span))
    }

    /// Evaluates a value that should be a string, such as a bucket name.
    fn literal_string(&self, node: &Node<'_>) -> Option<String> {
        self.evaluate(node, Branch::True, 0)?
            .as_str()
            .map(str::to_string)
    }

    /// Names a template value for messages: its first line, shortened, in backticks.
    fn describe(&self, node: &Node<'_>) -> String {
        let raw = &self.text[node.span.range()];
        let single: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("`{}`", crate::diagnostic::shorten(&single))
    }
}

/// Returns the name and argument of an intrinsic function: a mapping with one key that is
/// `Ref` or starts with `Fn::`.
fn function<'n, 'a>(node: &'n Node<'a>) -> Option<(&'n str, &'n Node<'a>)> {
    match node.as_object()? {
        [member] if member.key == "Ref" || member.key.starts_with("Fn::") => {
            Some((member.key.as_ref(), &member.value))
        }
        _ => None,
    }
}

fn contains_if(node: &Node<'_>) -> bool {
    let mut found = false;
    node.walk(&mut |inner| {
        if let Some(("Fn::If", _)) = function(inner) {
            found = true;
        }
    });
    found
}

fn pair<'n>(node: &'n Node<'static>) -> Option<[&'n Node<'static>; 2]> {
    match node.as_array()? {
        [first, second] => Some([first, second]),
        _ => None,
    }
}

/// Returns the text of a scalar as a function that joins strings renders it.
fn scalar_text(node: &Node<'_>) -> Option<String> {
    match &node.value {
        Value::String(text) | Value::Number(text) => Some(text.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn unknown(span: Span, reason: String) -> Node<'static> {
    Node::new(
        span,
        Value::Unknown {
            reason: Cow::Owned(reason),
        },
    )
}

fn owned_value(value: &Value<'_>) -> Value<'static> {
    match value {
        Value::Null => Value::Null,
        Value::Bool(flag) => Value::Bool(*flag),
        Value::Number(text) => Value::Number(Cow::Owned(text.to_string())),
        Value::String(text) => Value::String(Cow::Owned(text.to_string())),
        Value::Unknown { reason } => Value::Unknown {
            reason: Cow::Owned(reason.to_string()),
        },
        Value::Array(_) | Value::Object(_) => unreachable!("containers are evaluated"),
    }
}

/// Moves a value to `span`, the place that uses it.
fn respan(mut node: Node<'static>, span: Span) -> Node<'static> {
    node.span = span;
    match &mut node.value {
        Value::Array(items) => {
            for item in items.to_mut().iter_mut() {
                *item = respan(std::mem::replace(item, Node::new(span, Value::Null)), span);
            }
        }
        Value::Object(members) => {
            for member in members.to_mut().iter_mut() {
                member.key_span = span;
                member.value = respan(
                    std::mem::replace(&mut member.value, Node::new(span, Value::Null)),
                    span,
                );
            }
        }
        _ => {}
    }
    node
}

/// Reads an unquoted `Version: 1` of a policy mapping as the string `"1"`, because ROS
/// accepts it: the stack-group roles that the ROS documentation has users create
/// (aliyun/ros-templates, `examples/stackgroup/aliyun-ros-stack-group-*-role.yml`) are
/// written this way. The `PolicyDocument` schema declares `Version` a string, so ROS
/// presumably converts the value before it calls RAM; that step is not documented.
fn coerce_version(root: &mut Node<'static>) {
    if let Value::Object(members) = &mut root.value {
        for member in members.to_mut().iter_mut().filter(|m| m.key == "Version") {
            if matches!(&member.value.value, Value::Number(text) if text == "1") {
                member.value.value = Value::String(Cow::Borrowed("1"));
            }
        }
    }
}

/// Decodes a JSON (or YAML double-quoted) string literal written at `start`, quotes
/// included, into embedded text.
fn decode_json_string(raw: &str, start: usize) -> Embedded {
    let mut out = Embedded::new();
    let inner_start = start + 1;
    let inner = raw
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(raw);
    let bytes = inner.as_bytes();
    let mut run = 0;
    let mut pos = 0;
    while pos < bytes.len() {
        if bytes[pos] != b'\\' || pos + 1 >= bytes.len() {
            pos += 1;
            continue;
        }
        let (decoded, len) = match bytes[pos + 1] {
            b'"' => (Some('"'), 2),
            b'\\' => (Some('\\'), 2),
            b'/' => (Some('/'), 2),
            b'n' => (Some('\n'), 2),
            b't' => (Some('\t'), 2),
            b'r' => (Some('\r'), 2),
            b'b' => (Some('\u{8}'), 2),
            b'f' => (Some('\u{c}'), 2),
            b'u' => (
                inner
                    .get(pos + 2..pos + 6)
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32),
                6,
            ),
            _ => (None, 0),
        };
        match decoded {
            Some(ch) => {
                out.push_verbatim(&inner[run..pos], inner_start + run);
                out.push_replaced(
                    ch.encode_utf8(&mut [0; 4]),
                    inner_start + pos..inner_start + pos + len,
                );
                pos += len;
                run = pos;
            }
            None => pos += 1,
        }
    }
    out.push_verbatim(&inner[run..], inner_start + run);
    out
}

/// Decodes a YAML single-quoted scalar written at `start`, in which `''` is one quote.
fn decode_single_quoted(raw: &str, start: usize) -> Embedded {
    let mut out = Embedded::new();
    let inner_start = start + 1;
    let inner = raw
        .strip_prefix('\'')
        .and_then(|inner| inner.strip_suffix('\''))
        .unwrap_or(raw);
    let mut run = 0;
    while let Some(found) = inner[run..].find("''") {
        let at = run + found;
        out.push_verbatim(&inner[run..at], inner_start + run);
        out.push_replaced("'", inner_start + at..inner_start + at + 2);
        run = at + 2;
    }
    out.push_verbatim(&inner[run..], inner_start + run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml;

    fn extract_yaml(text: &str) -> Extraction {
        let document = yaml::parse(text).unwrap();
        extract(
            &document.root,
            text,
            Format::Yaml(&document.styles),
            Some("cn-beijing"),
        )
    }

    fn tree(policy: &EmbeddedPolicy) -> &[Node<'static>] {
        match &policy.content {
            PolicyContent::Tree { variants, .. } => variants,
            other => panic!("not a tree: {other:?}"),
        }
    }

    const TEMPLATE: &str = "ROSTemplateFormatVersion: '2015-09-01'
Parameters:
  Bucket:
    Type: String
    Default: logs
  Actions:
    Type: CommaDelimitedList
    Default: oss:GetObject,oss:PutObject
Conditions:
  Strict:
    Fn::Equals: [a, b]
Resources:
  Policy:
    Type: ALIYUN::RAM::ManagedPolicy
    Properties:
      PolicyName: reader
      PolicyDocument:
        Version: 1
        Statement:
        - Effect: !If [Strict, Deny, Allow]
          Action: !Ref Actions
          Resource:
          - !Sub acs:oss:*:*:${Bucket}/*
          - !Join ['', ['acs:oss:*:*:', !GetAtt Other.Name]]
  Role:
    Type: ALIYUN::RAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '1'
        Statement:
        - Action: sts:AssumeRole
          Effect: Allow
          Principal:
            Service: [ecs.aliyuncs.com]
  Control:
    Type: ALIYUN::ResourceManager::ControlPolicy
    Properties:
      PolicyDocument: |-
        {
          \"Version\": \"1\",
          \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"ecs:*\", \"Resource\": \"*\"}]
        }
  Store:
    Type: ALIYUN::OSS::Bucket
    Properties:
      BucketName: !Ref Bucket
";

    #[test]
    fn policies_are_found_with_kinds() {
        let extraction = extract_yaml(TEMPLATE);
        let kinds: Vec<(&str, PolicyKind)> = extraction
            .policies
            .iter()
            .map(|p| (p.pointer.as_str(), p.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    "/Resources/Policy/Properties/PolicyDocument",
                    PolicyKind::Identity
                ),
                (
                    "/Resources/Role/Properties/AssumeRolePolicyDocument",
                    PolicyKind::Trust
                ),
                (
                    "/Resources/Control/Properties/PolicyDocument",
                    PolicyKind::Control
                ),
            ]
        );
    }

    #[test]
    fn functions_are_evaluated() {
        let extraction = extract_yaml(TEMPLATE);
        let variants = tree(&extraction.policies[0]);
        assert_eq!(variants.len(), 2);
        let statement = &variants[0]
            .get("Statement")
            .unwrap()
            .value
            .as_array()
            .unwrap()[0];
        assert_eq!(
            statement.get("Effect").unwrap().value.as_str(),
            Some("Deny")
        );
        let other = &variants[1]
            .get("Statement")
            .unwrap()
            .value
            .as_array()
            .unwrap()[0];
        assert_eq!(other.get("Effect").unwrap().value.as_str(), Some("Allow"));
        let actions = statement.get("Action").unwrap().value.as_array().unwrap();
        assert_eq!(actions[1].as_str(), Some("oss:PutObject"));
        assert_eq!(&TEMPLATE[actions[1].span.range()], "!Ref Actions");
        let resources = statement.get("Resource").unwrap().value.as_array().unwrap();
        assert_eq!(resources[0].as_str(), Some("acs:oss:*:*:logs/*"));
        assert!(resources[1].is_unknown());
        assert_eq!(
            variants[0].get("Version").unwrap().value.as_str(),
            Some("1")
        );
    }

    #[test]
    fn json_text_policy_maps_into_the_block() {
        let extraction = extract_yaml(TEMPLATE);
        let root = &tree(&extraction.policies[2])[0];
        let statement = &root.get("Statement").unwrap().value.as_array().unwrap()[0];
        let action = statement.get("Action").unwrap();
        assert_eq!(&TEMPLATE[action.value.span.range()], "\"ecs:*\"");
    }

    #[test]
    fn bucket_becomes_inventory_entry() {
        let extraction = extract_yaml(TEMPLATE);
        assert_eq!(extraction.inventory.len(), 1);
        assert_eq!(extraction.inventory[0].bucket, "logs");
        assert_eq!(extraction.inventory[0].region, "cn-beijing");
    }

    #[test]
    fn json_string_escapes_map_back() {
        let text = r#""{\"Version\": \"1\"}""#;
        let root = decode_json_string(text, 0).parse_json().unwrap();
        let member = &root.as_object().unwrap()[0];
        assert_eq!(&text[member.key_span.range()], r#"\"Version\""#);
    }
}
