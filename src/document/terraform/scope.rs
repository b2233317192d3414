//! The names a Terraform module defines: input variables with their defaults, locals and
//! provider configurations. A module is every `.tf` file of one folder, so a reference in
//! one file may be defined in another.
//!
//! Only values that are literals (or built from literals, like `"${var.prefix}-logs"` with a
//! literal default) are resolved; anything computed when Terraform runs stays unknown. A
//! name defined in the file that uses it is taken from that file. Otherwise it must be
//! defined exactly once in the module: Terraform rejects a module that defines a name
//! twice, so two definitions in one folder mean the files are not one module, and the value
//! is treated as unknown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::Element;

use crate::source::Span;

/// A value written as a literal in a module.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    /// A number as written.
    Number(String),
    String(String),
    List(Vec<Literal>),
    Object(Vec<(String, Literal)>),
}

impl Literal {
    /// Renders the value the way a template interpolation (`${...}`) does, which is only
    /// defined for primitive values.
    pub fn interpolated(&self) -> Option<String> {
        match self {
            Literal::Bool(flag) => Some(flag.to_string()),
            Literal::Number(text) | Literal::String(text) => Some(text.clone()),
            _ => None,
        }
    }

    /// Renders the value as `jsonencode` does.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Literal::Null => serde_json::Value::Null,
            Literal::Bool(flag) => serde_json::Value::Bool(*flag),
            Literal::Number(text) => text
                .parse::<serde_json::Number>()
                .map(serde_json::Value::Number)
                .unwrap_or_else(|_| serde_json::Value::String(text.clone())),
            Literal::String(text) => serde_json::Value::String(text.clone()),
            Literal::List(items) => {
                serde_json::Value::Array(items.iter().map(Literal::to_json).collect())
            }
            Literal::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|(key, value)| (key.clone(), value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Tells whether the value is text that looks like a JSON policy document.
    pub fn is_policy_text(&self) -> bool {
        matches!(self, Literal::String(text) if looks_like_policy_json(text))
    }
}

/// Tells whether text looks like a JSON policy: it starts with `{` and names `Statement`.
pub fn looks_like_policy_json(text: &str) -> bool {
    text.trim_start().starts_with('{') && text.contains("\"Statement\"")
}

/// One definition of a name.
#[derive(Clone, Debug)]
pub struct Definition {
    pub file: PathBuf,
    /// The literal value, when it has one.
    pub value: Option<Literal>,
    /// The span of the value in its file.
    pub span: Span,
}

/// The outcome of looking a name up.
#[derive(Debug)]
pub enum Lookup<'s> {
    Found(&'s Definition),
    /// The name is not defined in any file of the module that was read.
    Missing,
    /// More than one file defines the name, and the file that uses it does not.
    Ambiguous,
}

/// Every variable default, local and provider region of a module, by name (`var.bucket`,
/// `local.policy`, `provider.alicloud`, `provider.alicloud.beijing`).
#[derive(Debug, Default)]
pub struct ModuleScope {
    definitions: HashMap<String, Vec<Definition>>,
}

/// The maximum depth of chained references (`local.a` = `local.b` = ...) before a value is
/// unknown.
const MAX_REFERENCE_DEPTH: usize = 8;

impl ModuleScope {
    /// Reads the definitions of the given files of one module. Files that do not parse
    /// contribute nothing.
    pub fn from_files<'t>(files: impl IntoIterator<Item = (PathBuf, &'t str)>) -> ModuleScope {
        let mut raw: Vec<(String, PathBuf, Expression)> = Vec::new();
        for (path, text) in files {
            let Ok(body) = super::parse(text) else {
                continue;
            };
            collect_definitions(&body, &path, &mut raw);
        }
        let mut scope = ModuleScope::default();
        for (name, file, expression) in &raw {
            scope
                .definitions
                .entry(name.clone())
                .or_default()
                .push(Definition {
                    file: file.clone(),
                    value: None,
                    span: expression_span(expression),
                });
        }
        // Locals may refer to variables and to other locals; each pass resolves one more
        // level of references.
        for _ in 0..MAX_REFERENCE_DEPTH {
            let mut changed = false;
            for (index, (name, file, expression)) in raw.iter().enumerate() {
                let position = raw[..index]
                    .iter()
                    .filter(|(other, _, _)| other == name)
                    .count();
                if scope.definitions[name][position].value.is_some() {
                    continue;
                }
                let value = literal(expression, &|reference| {
                    scope.value(reference, file).cloned()
                });
                if let Some(value) = value {
                    scope.definitions.get_mut(name).expect("defined above")[position].value =
                        Some(value);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        scope
    }

    /// Looks a name up for a reference in `file`.
    pub fn lookup(&self, name: &str, file: &Path) -> Lookup<'_> {
        let Some(definitions) = self.definitions.get(name) else {
            return Lookup::Missing;
        };
        if let Some(local) = definitions.iter().find(|d| d.file == file) {
            return Lookup::Found(local);
        }
        match definitions.as_slice() {
            [only] => Lookup::Found(only),
            _ => Lookup::Ambiguous,
        }
    }

    /// Returns the literal value of a name used in `file`, when it has one.
    pub fn value(&self, name: &str, file: &Path) -> Option<&Literal> {
        match self.lookup(name, file) {
            Lookup::Found(definition) => definition.value.as_ref(),
            _ => None,
        }
    }
}

/// Collects the variable defaults, locals and provider regions of one file.
fn collect_definitions(body: &Body, path: &Path, out: &mut Vec<(String, PathBuf, Expression)>) {
    for structure in body.iter() {
        let Structure::Block(block) = structure else {
            continue;
        };
        match (block.ident.as_str(), block.labels.as_slice()) {
            ("variable", [name]) => {
                // A variable without a default is recorded too, as a value only known when
                // Terraform runs, so that it hides a same-named variable of another file.
                let value = match block.body.get_attribute("default") {
                    Some(default) => default.value.clone(),
                    None => Expression::Variable(hcl_edit::Decorated::new(hcl_edit::Ident::new(
                        "unknown",
                    ))),
                };
                out.push((format!("var.{}", name.as_str()), path.to_path_buf(), value));
            }
            ("locals", []) => {
                for attribute in block.body.attributes() {
                    out.push((
                        format!("local.{}", attribute.key.as_str()),
                        path.to_path_buf(),
                        attribute.value.clone(),
                    ));
                }
            }
            ("provider", [name]) => {
                let Some(region) = block.body.get_attribute("region") else {
                    continue;
                };
                let alias = block
                    .body
                    .get_attribute("alias")
                    .and_then(|alias| alias.value.as_str().map(str::to_string));
                let key = match alias {
                    Some(alias) => format!("provider.{}.{alias}", name.as_str()),
                    None => format!("provider.{}", name.as_str()),
                };
                out.push((key, path.to_path_buf(), region.value.clone()));
            }
            _ => {}
        }
    }
}

pub fn expression_span(expression: &Expression) -> Span {
    expression.span().map_or(Span::default(), |range| {
        Span::from_range(range.start, range.end)
    })
}

/// Returns the name a traversal refers to when it starts with `var.NAME` or `local.NAME`,
/// and the operators that follow the name.
pub fn reference_name(expression: &Expression) -> Option<(String, usize)> {
    let Expression::Traversal(traversal) = expression else {
        return None;
    };
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    let root = root.as_str();
    if !matches!(root, "var" | "local") {
        return None;
    }
    match traversal.operators.first().map(|op| op.value()) {
        Some(TraversalOperator::GetAttr(name)) => Some((format!("{root}.{}", name.as_str()), 1)),
        _ => None,
    }
}

/// Evaluates an expression that is built from literals and from references that `resolve`
/// returns a value for. Returns `None` when any part is only known when Terraform runs.
pub fn literal(
    expression: &Expression,
    resolve: &dyn Fn(&str) -> Option<Literal>,
) -> Option<Literal> {
    match expression {
        Expression::Null(_) => Some(Literal::Null),
        Expression::Bool(flag) => Some(Literal::Bool(*flag.value())),
        Expression::Number(number) => Some(Literal::Number(number.value().to_string())),
        Expression::String(text) => Some(Literal::String(text.value().clone())),
        Expression::Array(items) => items
            .iter()
            .map(|item| literal(item, resolve))
            .collect::<Option<Vec<_>>>()
            .map(Literal::List),
        Expression::Object(object) => object
            .iter()
            .map(|(key, value)| {
                let name = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(text)) => text.value().clone(),
                    ObjectKey::Expression(_) => return None,
                };
                literal(value.expr(), resolve).map(|value| (name, value))
            })
            .collect::<Option<Vec<_>>>()
            .map(Literal::Object),
        Expression::StringTemplate(template) => {
            let mut out = String::new();
            for element in template.iter() {
                match element {
                    Element::Literal(text) => out.push_str(text.value()),
                    Element::Interpolation(interpolation) => {
                        out.push_str(&literal(&interpolation.expr, resolve)?.interpolated()?)
                    }
                    Element::Directive(_) => return None,
                }
            }
            Some(Literal::String(out))
        }
        Expression::HeredocTemplate(heredoc) => {
            let mut out = String::new();
            for element in heredoc.template.iter() {
                match element {
                    Element::Literal(text) => out.push_str(text.value()),
                    Element::Interpolation(interpolation) => {
                        out.push_str(&literal(&interpolation.expr, resolve)?.interpolated()?)
                    }
                    Element::Directive(_) => return None,
                }
            }
            Some(Literal::String(out))
        }
        Expression::Parenthesis(inner) => literal(inner.inner(), resolve),
        Expression::Traversal(traversal) => {
            let (name, used) = reference_name(expression)?;
            let mut value = resolve(&name)?;
            for operator in &traversal.operators[used..] {
                value = match (operator.value(), value) {
                    (TraversalOperator::GetAttr(key), Literal::Object(members)) => members
                        .into_iter()
                        .find(|(name, _)| name == key.as_str())
                        .map(|(_, value)| value)?,
                    (TraversalOperator::Index(index), Literal::List(items)) => {
                        let index: usize = index.as_number()?.as_u64()? as usize;
                        items.into_iter().nth(index)?
                    }
                    (TraversalOperator::LegacyIndex(index), Literal::List(items)) => {
                        items.into_iter().nth(*index.value() as usize)?
                    }
                    _ => return None,
                };
            }
            Some(value)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(files: &[(&str, &str)]) -> ModuleScope {
        ModuleScope::from_files(
            files
                .iter()
                .map(|(name, text)| (PathBuf::from(name), *text)),
        )
    }

    #[test]
    fn variable_defaults_and_locals_resolve() {
        let scope = scope(&[
            (
                "variables.tf",
                "variable \"bucket\" {\n  default = \"logs\"\n}\n",
            ),
            (
                "main.tf",
                "locals {\n  arn = \"acs:oss:*:*:${var.bucket}/*\"\n  copy = local.arn\n}\n",
            ),
        ]);
        let main = Path::new("main.tf");
        assert_eq!(
            scope.value("local.arn", main),
            Some(&Literal::String("acs:oss:*:*:logs/*".to_string()))
        );
        assert_eq!(
            scope.value("local.copy", main),
            Some(&Literal::String("acs:oss:*:*:logs/*".to_string()))
        );
    }

    #[test]
    fn computed_values_stay_unknown() {
        let scope = scope(&[(
            "main.tf",
            "variable \"name\" {}\nlocals {\n  id = random_uuid.this.result\n  x = \"${var.name}-a\"\n}\n",
        )]);
        let main = Path::new("main.tf");
        assert_eq!(scope.value("local.id", main), None);
        assert_eq!(scope.value("local.x", main), None);
        assert!(matches!(scope.lookup("var.name", main), Lookup::Found(_)));
        assert_eq!(scope.value("var.name", main), None);
        assert!(matches!(scope.lookup("var.other", main), Lookup::Missing));
    }

    #[test]
    fn duplicate_definitions_elsewhere_are_ambiguous() {
        let scope = scope(&[
            ("a.tf", "locals {\n  p = \"a\"\n}\n"),
            ("b.tf", "locals {\n  p = \"b\"\n}\n"),
        ]);
        assert!(matches!(
            scope.lookup("local.p", Path::new("c.tf")),
            Lookup::Ambiguous
        ));
        assert_eq!(
            scope.value("local.p", Path::new("b.tf")),
            Some(&Literal::String("b".to_string()))
        );
    }

    #[test]
    fn provider_regions_by_alias() {
        let scope = scope(&[(
            "main.tf",
            "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\nprovider \"alicloud\" {\n  alias = \"bj\"\n  region = \"cn-beijing\"\n}\n",
        )]);
        let main = Path::new("main.tf");
        assert_eq!(
            scope.value("provider.alicloud.bj", main),
            Some(&Literal::String("cn-beijing".to_string()))
        );
        assert_eq!(
            scope.value("provider.alicloud", main),
            Some(&Literal::String("cn-hangzhou".to_string()))
        );
    }
}
