//! JSON written as HCL text: heredocs and quoted strings, turned into [`Embedded`] text
//! whose offsets map back to the `.tf` file.

use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::template::{Element, Template};

use super::scope::{self, Literal};
use crate::syntax::embedded::Embedded;

/// Builds the embedded text of a string, string template or heredoc. Interpolations of
/// literal values are substituted; others, and template directives, become holes.
pub fn embed(
    text: &str,
    expression: &Expression,
    resolve: &dyn Fn(&str) -> Option<Literal>,
) -> Option<Embedded> {
    let mut embedded = Embedded::new();
    match expression {
        Expression::String(string) => {
            let span = string.span()?;
            decode(text, span.start + 1..span.end - 1, true, &mut embedded);
        }
        Expression::StringTemplate(template) => {
            embed_template(text, template, true, resolve, &mut embedded)?
        }
        Expression::HeredocTemplate(heredoc) => {
            embed_template(text, &heredoc.template, false, resolve, &mut embedded)?
        }
        _ => return None,
    }
    Some(embedded)
}

fn embed_template(
    text: &str,
    template: &Template,
    quoted: bool,
    resolve: &dyn Fn(&str) -> Option<Literal>,
    out: &mut Embedded,
) -> Option<()> {
    for element in template.iter() {
        let span = element.span()?;
        match element {
            // The span of a literal covers its text as written, including the indentation
            // that a `<<-` heredoc strips; JSON ignores that whitespace.
            Element::Literal(_) => decode(text, span, quoted, out),
            Element::Interpolation(interpolation) => {
                match substitution(&interpolation.expr, resolve) {
                    Some(value) => out.push_replaced(&value, span),
                    None => out.push_hole(span.clone(), reason(&text[span])),
                }
            }
            Element::Directive(_) => out.push_hole(span.clone(), reason(&text[span])),
        }
    }
    Some(())
}

/// Returns the text an interpolation renders when its value is a literal of the module.
fn substitution(
    expression: &Expression,
    resolve: &dyn Fn(&str) -> Option<Literal>,
) -> Option<String> {
    if let Expression::FuncCall(call) = expression
        && call.name.name.as_str() == "jsonencode"
        && !call.name.is_namespaced()
        && call.args.len() == 1
    {
        let value = scope::literal(call.args.iter().next()?, resolve)?;
        return serde_json::to_string(&value.to_json()).ok();
    }
    scope::literal(expression, resolve)?.interpolated()
}

/// Returns the reason of a hole: the template expression as written, on one line.
fn reason(raw: &str) -> String {
    let single: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("`{}`", crate::diagnostic::shorten(&single))
}

/// Copies literal template text into `out`, decoding the escapes of HCL strings (`\"`,
/// `\\`, `\n`, `\uXXXX`, ...) when `quoted`, and the template escapes `$${` and `%%{`
/// always.
fn decode(text: &str, range: Range<usize>, quoted: bool, out: &mut Embedded) {
    let bytes = text.as_bytes();
    let mut run_start = range.start;
    let mut pos = range.start;
    while pos < range.end {
        let (decoded, len): (Option<String>, usize) = match bytes[pos] {
            b'\\' if quoted && pos + 1 < range.end => escape(text, pos, range.end),
            b'$' | b'%'
                if bytes.get(pos + 1) == Some(&bytes[pos]) && bytes.get(pos + 2) == Some(&b'{') =>
            {
                (Some(format!("{}{{", bytes[pos] as char)), 3)
            }
            _ => (None, 0),
        };
        match decoded {
            Some(decoded) => {
                out.push_verbatim(&text[run_start..pos], run_start);
                out.push_replaced(&decoded, pos..pos + len);
                pos += len;
                run_start = pos;
            }
            None => pos += 1,
        }
    }
    out.push_verbatim(&text[run_start..range.end], run_start);
}

/// Decodes the escape sequence at `pos`; returns its text and length, or `None` for a
/// sequence HCL does not define (left as written).
fn escape(text: &str, pos: usize, end: usize) -> (Option<String>, usize) {
    let kind = text.as_bytes()[pos + 1];
    let simple = match kind {
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        _ => None,
    };
    if let Some(ch) = simple {
        return (Some(ch.to_string()), 2);
    }
    let digits = match kind {
        b'u' => 4,
        b'U' => 8,
        _ => return (None, 0),
    };
    let hex = text.get(pos + 2..(pos + 2 + digits).min(end));
    match hex
        .filter(|hex| hex.len() == digits)
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .and_then(char::from_u32)
    {
        Some(ch) => (Some(ch.to_string()), 2 + digits),
        None => (None, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_attribute(text: &str) -> Expression {
        let body = hcl_edit::parser::parse_body(text).unwrap();
        body.attributes().next().unwrap().value.clone()
    }

    fn no_values(_: &str) -> Option<Literal> {
        None
    }

    #[test]
    fn escaped_string_spans_cover_escapes() {
        let text = r#"p = "{\"Version\":\"1\",\"Statement\":[]}""#;
        let expression = parse_attribute(text);
        let root = embed(text, &expression, &no_values)
            .unwrap()
            .parse_json()
            .unwrap();
        let version = &root.as_object().unwrap()[0];
        assert_eq!(version.key, "Version");
        assert_eq!(&text[version.key_span.range()], r#"\"Version\""#);
        assert_eq!(&text[version.value.span.range()], r#"\"1\""#);
    }

    #[test]
    fn indented_heredoc_spans_point_at_the_file() {
        let text = "p = <<-EOF\n    {\n      \"Version\": \"1\"\n    }\n    EOF\n";
        let expression = parse_attribute(text);
        let root = embed(text, &expression, &no_values)
            .unwrap()
            .parse_json()
            .unwrap();
        let version = &root.as_object().unwrap()[0];
        assert_eq!(&text[version.value.span.range()], "\"1\"");
    }

    #[test]
    fn literal_interpolations_are_substituted() {
        let text = "p = <<EOF\n{\"Resource\": \"acs:oss:*:*:${var.bucket}/*\", \"Action\": ${jsonencode(var.actions)}}\nEOF\n";
        let expression = parse_attribute(text);
        let resolve = |name: &str| match name {
            "var.bucket" => Some(Literal::String("logs".to_string())),
            "var.actions" => Some(Literal::List(vec![Literal::String("oss:GetObject".into())])),
            _ => None,
        };
        let root = embed(text, &expression, &resolve)
            .unwrap()
            .parse_json()
            .unwrap();
        let members = root.as_object().unwrap();
        assert_eq!(members[0].value.as_str(), Some("acs:oss:*:*:logs/*"));
        assert_eq!(
            &text[members[0].value.span.range()],
            "\"acs:oss:*:*:${var.bucket}/*\""
        );
        let actions = members[1].value.as_array().unwrap();
        assert_eq!(actions[0].as_str(), Some("oss:GetObject"));
        assert_eq!(&text[actions[0].span.range()], "${jsonencode(var.actions)}");
    }

    #[test]
    fn unknown_interpolations_become_unknown_values() {
        let text = r#"p = <<EOF
{"RAM": ${local.arns}, "Resource": ["${join("\",\"", var.arns)}"]}
EOF
"#;
        let expression = parse_attribute(text);
        let root = embed(text, &expression, &no_values)
            .unwrap()
            .parse_json()
            .unwrap();
        let members = root.as_object().unwrap();
        assert!(members[0].value.is_unknown());
        assert_eq!(&text[members[0].value.span.range()], "${local.arns}");
        let resources = members[1].value.as_array().unwrap();
        assert!(resources[0].is_unknown());
    }

    #[test]
    fn template_escapes_are_decoded() {
        let text = "p = <<EOF\n{\"a\": \"$${literal}\"}\nEOF\n";
        let expression = parse_attribute(text);
        let root = embed(text, &expression, &no_values)
            .unwrap()
            .parse_json()
            .unwrap();
        assert_eq!(
            root.as_object().unwrap()[0].value.as_str(),
            Some("${literal}")
        );
    }
}
