//! HCL values as policy trees: the object given to `jsonencode`, and the `statement` blocks
//! of the `alicloud_ram_policy_document` data source (and of the deprecated form of
//! `alicloud_ram_policy`).

use std::borrow::Cow;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Block;

use super::scope::{self, Literal, expression_span};

/// Looks up the literal value of a `var.` or `local.` name.
pub type Resolver<'t> = Box<dyn Fn(&str) -> Option<Literal> + 't>;
use crate::source::Span;
use crate::syntax::{Children, Member, Node, Value};

/// Converts HCL expressions of one file into policy trees.
pub struct Converter<'t> {
    pub text: &'t str,
    pub resolve: Resolver<'t>,
}

/// Returns the name of an object key written as an identifier or a quoted string.
pub fn key_name(key: &ObjectKey) -> Option<&str> {
    match key {
        ObjectKey::Ident(ident) => Some(ident.as_str()),
        ObjectKey::Expression(Expression::String(text)) => Some(text.value()),
        ObjectKey::Expression(_) => None,
    }
}

fn span_of(item: &impl hcl_edit::Span) -> Span {
    item.span().map_or(Span::default(), |range| {
        Span::from_range(range.start, range.end)
    })
}

impl Converter<'_> {
    /// Converts an expression. Literals keep their spans; a reference to a literal of the
    /// module takes the span of the reference; anything computed when Terraform runs
    /// becomes an unknown value.
    pub fn node(&self, expression: &Expression) -> Node<'static> {
        let span = expression_span(expression);
        let value = match expression {
            Expression::Null(_) => Value::Null,
            Expression::Bool(flag) => Value::Bool(*flag.value()),
            Expression::Number(_) => Value::Number(Cow::Owned(self.text[span.range()].to_string())),
            Expression::String(text) => Value::String(Cow::Owned(text.value().clone())),
            Expression::Array(items) => Value::Array(items.iter().map(|i| self.node(i)).collect()),
            Expression::Object(object) => {
                let mut members = Vec::new();
                for (key, value) in object.iter() {
                    let Some(name) = key_name(key) else {
                        return self.unknown(expression);
                    };
                    members.push(Member {
                        key: Cow::Owned(name.to_string()),
                        key_span: span_of(key),
                        value: self.node(value.expr()),
                    });
                }
                Value::Object(Children::Owned(members))
            }
            Expression::Parenthesis(inner) => return self.node(inner.inner()),
            _ => match scope::literal(expression, &*self.resolve) {
                Some(literal) => return literal_node(&literal, span),
                None => return self.unknown(expression),
            },
        };
        Node::new(span, value)
    }

    fn unknown(&self, expression: &Expression) -> Node<'static> {
        let span = expression_span(expression);
        let raw = &self.text[span.range()];
        let single: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        Node::new(
            span,
            Value::Unknown {
                reason: Cow::Owned(format!("`{}`", crate::diagnostic::shorten(&single))),
            },
        )
    }

    /// Builds the document that `statement` blocks describe. `version` defaults to `"1"`
    /// and `effect` to `"Allow"`, as in the provider; `principal` blocks are merged by
    /// `entity` and `condition` blocks by `operator` and `variable`, as the rendered JSON
    /// has them.
    // NOTE: the defaults follow the provider documentation's description of the data
    // source; its schema was not read.
    pub fn statement_blocks(&self, block: &Block) -> Node<'static> {
        let block_span = span_of(block);
        let ident_span = span_of(&block.ident);
        let mut members = Vec::new();

        let version = match block.body.get_attribute("version") {
            Some(attribute) => Member {
                key: Cow::Borrowed("Version"),
                key_span: span_of(&attribute.key),
                value: self.node(&attribute.value),
            },
            None => Member {
                key: Cow::Borrowed("Version"),
                key_span: ident_span,
                value: Node::new(ident_span, Value::String(Cow::Borrowed("1"))),
            },
        };
        members.push(version);

        let mut statements = Vec::new();
        let mut statements_span: Option<Span> = None;
        let mut statements_key: Option<Span> = None;
        for nested in block.body.blocks() {
            let ident = nested.ident.as_str();
            let dynamic = ident == "dynamic"
                && nested.labels.first().map(|l| l.as_str()) == Some("statement");
            if ident != "statement" && !dynamic {
                continue;
            }
            let span = span_of(nested);
            statements_key.get_or_insert(span_of(&nested.ident));
            statements_span = Some(match statements_span {
                Some(all) => Span::new(all.start.min(span.start), all.end.max(span.end)),
                None => span,
            });
            if dynamic {
                statements.push(Node::new(
                    span,
                    Value::Unknown {
                        reason: Cow::Borrowed("`dynamic \"statement\"`"),
                    },
                ));
                continue;
            }
            statements.push(self.statement(nested));
        }
        if let (Some(span), Some(key_span)) = (statements_span, statements_key) {
            members.push(Member {
                key: Cow::Borrowed("Statement"),
                key_span,
                value: Node::new(span, Value::Array(Children::Owned(statements))),
            });
        }
        Node::new(block_span, Value::Object(Children::Owned(members)))
    }

    fn statement(&self, block: &Block) -> Node<'static> {
        let ident_span = span_of(&block.ident);
        let mut members = Vec::new();
        let mut has_effect = false;
        for attribute in block.body.attributes() {
            let key = match attribute.key.as_str() {
                "effect" => {
                    has_effect = true;
                    "Effect"
                }
                "action" => "Action",
                "not_action" => "NotAction",
                "resource" => "Resource",
                "not_resource" => "NotResource",
                "sid" => "Sid",
                // Terraform itself rejects other arguments.
                _ => continue,
            };
            members.push(Member {
                key: Cow::Borrowed(key),
                key_span: span_of(&attribute.key),
                value: self.node(&attribute.value),
            });
        }
        if !has_effect {
            members.insert(
                0,
                Member {
                    key: Cow::Borrowed("Effect"),
                    key_span: ident_span,
                    value: Node::new(ident_span, Value::String(Cow::Borrowed("Allow"))),
                },
            );
        }
        if let Some(principal) = self.principals(block) {
            members.push(principal);
        }
        if let Some(condition) = self.conditions(block) {
            members.push(condition);
        }
        Node::new(span_of(block), Value::Object(Children::Owned(members)))
    }

    /// Merges `principal { entity, identifiers }` blocks into a `Principal` object.
    fn principals(&self, block: &Block) -> Option<Member<'static>> {
        let mut entities: Vec<Member<'static>> = Vec::new();
        let mut first: Option<(Span, Span)> = None;
        for principal in block
            .body
            .blocks()
            .filter(|b| b.ident.as_str() == "principal")
        {
            let span = span_of(principal);
            first.get_or_insert((span_of(&principal.ident), span));
            let entity = principal.body.get_attribute("entity");
            let identifiers = principal.body.get_attribute("identifiers");
            let (Some(entity), Some(identifiers)) = (entity, identifiers) else {
                continue;
            };
            let entity_node = self.node(&entity.value);
            let Some(name) = entity_node.as_str().map(str::to_string) else {
                continue;
            };
            let values = self.node(&identifiers.value);
            match entities.iter_mut().find(|m| m.key == name) {
                Some(existing) => append(&mut existing.value, values),
                None => entities.push(Member {
                    key: Cow::Owned(name),
                    key_span: entity_node.span,
                    value: values,
                }),
            }
        }
        let (key_span, span) = first?;
        Some(Member {
            key: Cow::Borrowed("Principal"),
            key_span,
            value: Node::new(span, Value::Object(Children::Owned(entities))),
        })
    }

    /// Merges `condition { operator, variable, values }` blocks into a `Condition` object.
    fn conditions(&self, block: &Block) -> Option<Member<'static>> {
        let mut operators: Vec<Member<'static>> = Vec::new();
        let mut first: Option<(Span, Span)> = None;
        for condition in block
            .body
            .blocks()
            .filter(|b| b.ident.as_str() == "condition")
        {
            first.get_or_insert((span_of(&condition.ident), span_of(condition)));
            let operator = condition.body.get_attribute("operator");
            let variable = condition.body.get_attribute("variable");
            let values = condition.body.get_attribute("values");
            let (Some(operator), Some(variable), Some(values)) = (operator, variable, values)
            else {
                continue;
            };
            let operator_node = self.node(&operator.value);
            let variable_node = self.node(&variable.value);
            let (Some(operator_name), Some(variable_name)) = (
                operator_node.as_str().map(str::to_string),
                variable_node.as_str().map(str::to_string),
            ) else {
                continue;
            };
            let entry = Member {
                key: Cow::Owned(variable_name),
                key_span: variable_node.span,
                value: self.node(&values.value),
            };
            match operators.iter_mut().find(|m| m.key == operator_name) {
                Some(existing) => {
                    if let Value::Object(keys) = &mut existing.value.value {
                        keys.to_mut().push(entry);
                    }
                }
                None => operators.push(Member {
                    key: Cow::Owned(operator_name),
                    key_span: operator_node.span,
                    value: Node::new(
                        span_of(condition),
                        Value::Object(Children::Owned(vec![entry])),
                    ),
                }),
            }
        }
        let (key_span, span) = first?;
        Some(Member {
            key: Cow::Borrowed("Condition"),
            key_span,
            value: Node::new(span, Value::Object(Children::Owned(operators))),
        })
    }
}

/// Appends the elements of `more` to the array `list`.
fn append(list: &mut Node<'static>, more: Node<'static>) {
    if let (Value::Array(items), Value::Array(extra)) = (&mut list.value, more.value) {
        items.to_mut().extend(extra.into_owned());
    }
}

/// Builds a tree from a literal; every node takes `span`, the place the value is used.
pub fn literal_node(literal: &Literal, span: Span) -> Node<'static> {
    let value = match literal {
        Literal::Null => Value::Null,
        Literal::Bool(flag) => Value::Bool(*flag),
        Literal::Number(text) => Value::Number(Cow::Owned(text.clone())),
        Literal::String(text) => Value::String(Cow::Owned(text.clone())),
        Literal::List(items) => {
            Value::Array(items.iter().map(|item| literal_node(item, span)).collect())
        }
        Literal::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, value)| Member {
                    key: Cow::Owned(key.clone()),
                    key_span: span,
                    value: literal_node(value, span),
                })
                .collect(),
        ),
    };
    Node::new(span, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(text: &str) -> Converter<'_> {
        Converter {
            text,
            resolve: Box::new(|name| {
                (name == "var.bucket").then(|| Literal::String("logs".to_string()))
            }),
        }
    }

    #[test]
    fn jsonencode_object_keeps_spans() {
        let text = "p = jsonencode({\n  Version = \"1\"\n  \"Statement\" : [{ Effect = \"Allow\", Resource = \"acs:oss:*:*:${var.bucket}\", Action = local.x }]\n})\n";
        let body = hcl_edit::parser::parse_body(text).unwrap();
        let Expression::FuncCall(call) = &body.attributes().next().unwrap().value else {
            panic!("not a call");
        };
        let converter = converter(text);
        let root = converter.node(call.args.iter().next().unwrap());
        let members = root.as_object().unwrap();
        assert_eq!(&text[members[0].key_span.range()], "Version");
        assert_eq!(&text[members[1].key_span.range()], "\"Statement\"");
        let statement = &members[1].value.as_array().unwrap()[0];
        let resource = statement.get("Resource").unwrap();
        assert_eq!(resource.value.as_str(), Some("acs:oss:*:*:logs"));
        assert!(statement.get("Action").unwrap().value.is_unknown());
    }

    #[test]
    fn statement_blocks_become_a_document() {
        let text = r#"data "alicloud_ram_policy_document" "d" {
  statement {
    action   = ["sts:AssumeRole"]
    principal {
      entity      = "Service"
      identifiers = ["ecs.aliyuncs.com"]
    }
    condition {
      operator = "StringEquals"
      variable = "acs:SourceIp"
      values   = ["10.0.0.0/8"]
    }
  }
}
"#;
        let body = hcl_edit::parser::parse_body(text).unwrap();
        let block = body.blocks().next().unwrap();
        let root = converter(text).statement_blocks(block);
        assert_eq!(root.get("Version").unwrap().value.as_str(), Some("1"));
        let statement = &root.get("Statement").unwrap().value.as_array().unwrap()[0];
        assert_eq!(
            statement.get("Effect").unwrap().value.as_str(),
            Some("Allow")
        );
        let principal = statement.get("Principal").unwrap();
        let service = principal.value.get("Service").unwrap();
        assert_eq!(&text[service.key_span.range()], "\"Service\"");
        let condition = statement.get("Condition").unwrap();
        let key = condition
            .value
            .get("StringEquals")
            .unwrap()
            .value
            .get("acs:SourceIp")
            .unwrap();
        assert_eq!(&text[key.value.span.range()], "[\"10.0.0.0/8\"]");
    }
}
