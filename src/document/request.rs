//! Stored API requests: one model for the three forms they are kept in, and which API and
//! operation a request calls.
//!
//! A JSON parameter map, an RPC query string and an `aliyun` command line all become a
//! [`Request`] whose parameters are a [`Node`] object. Each member keeps the span of its
//! name and of its value as written in the file: the JSON string with its quotes, the
//! percent-encoded bytes of a query, the shell word of a command line with its quotes.

use std::ops::Range;

use crate::catalog::api::{self, ApiData};
use crate::catalog::requests::{self, CheckedOperation};
use crate::checks::closest;
use crate::source::Span;
use crate::syntax::cli_line::{self, CliCommand};
use crate::syntax::query::{self, Query};
use crate::syntax::{Member, Node};

/// The form a request is stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestForm {
    /// A JSON object of parameters.
    Json,
    /// An RPC query string, alone or in a URL.
    Query,
    /// An `aliyun` CLI command line.
    Cli,
}

/// A text with the span it was found at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub text: String,
    pub span: Span,
}

/// One stored request.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub form: RequestForm,
    /// The object, query or command that contains the parameters.
    pub span: Span,
    /// The product named by a command line (`aliyun ens ...`).
    pub product: Option<Located>,
    /// The host of the URL a query belongs to.
    pub host: Option<String>,
    /// The operation: the `Action` parameter, or the word after the product on a command line.
    pub action: Option<Located>,
    /// The `Version` parameter, or the CLI's `--version` option.
    pub version: Option<Located>,
    /// The parameters, including `Action` and `Version` when they are parameters.
    pub params: Node<'a>,
}

/// The API and operation of a request, as far as ramlint's data describes them.
#[derive(Debug)]
pub enum Classification {
    /// A request for an operation whose requests are checked.
    Checked(&'static CheckedOperation),
    /// A request to a known API for an operation the API does not have.
    UnknownOperation(&'static ApiData),
    /// Another API, an operation not checked yet, or too little to tell.
    NotRecognised,
}

impl<'a> Request<'a> {
    /// Reads a JSON value as a parameter map. Only objects are requests.
    pub fn from_json(root: Node<'a>) -> Option<Request<'a>> {
        root.as_object()?;
        let string_member = |name: &str| {
            root.get(name).and_then(|member| {
                member.value.as_str().map(|text| Located {
                    text: text.to_string(),
                    span: member.value.span,
                })
            })
        };
        Some(Request {
            form: RequestForm::Json,
            span: root.span,
            product: None,
            host: None,
            action: string_member("Action"),
            version: string_member("Version"),
            params: root,
        })
    }

    fn from_query(query: Query<'a>) -> Request<'a> {
        let located = |name: &str| {
            query.params.get(name).and_then(|member| {
                member.value.as_str().map(|text| Located {
                    text: text.to_string(),
                    span: member.value.span,
                })
            })
        };
        Request {
            form: RequestForm::Query,
            span: query.span,
            product: None,
            action: located("Action"),
            version: located("Version"),
            host: query.host,
            params: query.params,
        }
    }

    fn from_cli(command: CliCommand<'a>) -> Request<'a> {
        let located = |word: &cli_line::Word| Located {
            text: word.text.clone(),
            span: word.span,
        };
        let version = command.option("version").map(located).or_else(|| {
            command.params.get("Version").and_then(|member| {
                member.value.as_str().map(|text| Located {
                    text: text.to_string(),
                    span: member.value.span,
                })
            })
        });
        let host = command.option("endpoint").map(|word| {
            let text = word.text.to_ascii_lowercase();
            text.strip_prefix("https://")
                .or_else(|| text.strip_prefix("http://"))
                .unwrap_or(&text)
                .trim_end_matches('/')
                .to_string()
        });
        Request {
            form: RequestForm::Cli,
            span: command.span,
            product: command.product.as_ref().map(located),
            host,
            action: command.operation.as_ref().map(located),
            version,
            params: command.params,
        }
    }

    /// Returns the parameters as members; a request's parameters are always an object.
    pub fn members(&self) -> &[Member<'a>] {
        self.params.as_object().unwrap_or(&[])
    }

    /// Tells whether the request has a parameter, by exact name.
    pub fn has(&self, name: &str) -> bool {
        self.members().iter().any(|m| m.key == name)
    }

    /// Decides which API and operation the request is for.
    ///
    /// The product of a command line, the host of a URL and `Version` each name an API. A
    /// request that names none is matched against the checked operations by its `Action`.
    /// Without an `Action`, the parameters that identify an operation (its `signature`) decide.
    /// Requests that also fit another API with look-alike requests are not recognised.
    pub fn classify(&self) -> Result<Classification, String> {
        let mut named: Option<&'static ApiData> = None;
        let mut names = Vec::new();
        if let Some(product) = &self.product {
            names.push(api::api_for_product(&product.text));
        }
        if let Some(host) = &self.host
            && host.ends_with(".aliyuncs.com")
        {
            names.push(api::api_for_host(host));
        }
        if let Some(version) = &self.version {
            names.push(api::api_for_version(&version.text));
        }
        for found in names {
            match (found, named) {
                // A product, host or version that no API under rules/ has.
                (None, _) => return Ok(Classification::NotRecognised),
                (Some(found), Some(earlier)) if !std::ptr::eq(found, earlier) => {
                    return Ok(Classification::NotRecognised);
                }
                (Some(found), _) => named = Some(found),
            }
        }

        let action = self.action.as_ref().map(|a| a.text.as_str());
        if let Some(api) = named {
            let Some(action) = action else {
                return Ok(Classification::NotRecognised);
            };
            if api.operation_index(action).is_none() {
                return Ok(Classification::UnknownOperation(api));
            }
            return match requests::checked_operation(api, action) {
                Some(operation) => operation.map(Classification::Checked),
                None => Ok(Classification::NotRecognised),
            };
        }

        for rules in &requests::rules().operations {
            let matches = match action {
                Some(action) => rules.name == action,
                None => !rules.signature.is_empty() && self.has_signature(&rules.signature),
            };
            if !matches {
                continue;
            }
            let other = rules.other_api.iter().any(|other| {
                let by_version = other.version.is_some()
                    && self.version.as_ref().map(|v| &v.text) == other.version.as_ref();
                let by_parameters = !other.with.is_empty()
                    && other.with.iter().all(|p| self.has(p))
                    && !other.without.iter().any(|p| self.has(p));
                by_version || by_parameters
            });
            if other {
                return Ok(Classification::NotRecognised);
            }
            let Some(api) = api::api_for_product(&rules.product) else {
                return Err(format!(
                    "no API under rules/api/ has product `{}`",
                    rules.product
                ));
            };
            return match requests::checked_operation(api, &rules.name) {
                Some(operation) => operation.map(Classification::Checked),
                None => Ok(Classification::NotRecognised),
            };
        }
        Ok(Classification::NotRecognised)
    }

    /// Tells whether every signature key is a parameter, spelled exactly or nearly so
    /// (`OssBucket` for `OSSBucket`), and no `Action` is given.
    fn has_signature(&self, signature: &[String]) -> bool {
        signature.iter().all(|key| {
            self.members().iter().any(|member| {
                member.key == key.as_str()
                    || closest(&member.key, signature.iter().map(String::as_str))
                        == Some(key.as_str())
            })
        })
    }
}

/// The request forms to look for in a text.
#[derive(Clone, Copy, Debug)]
pub struct TextForms {
    pub queries: bool,
    pub commands: bool,
}

impl TextForms {
    /// Both query strings and command lines.
    pub const ALL: TextForms = TextForms {
        queries: true,
        commands: true,
    };
}

/// Finds the query strings and `aliyun` commands in the given ranges of `text`, in file order.
pub fn requests_in_text<'t>(
    text: &'t str,
    ranges: &[Range<usize>],
    forms: TextForms,
) -> Vec<Request<'t>> {
    let mut found = Vec::new();
    for range in ranges {
        let slice = &text[range.clone()];
        let base = range.start as u32;
        if forms.commands {
            found.extend(
                cli_line::find_commands(slice, base)
                    .into_iter()
                    .map(Request::from_cli),
            );
        }
        if forms.queries {
            found.extend(
                query::find_queries(slice, base)
                    .into_iter()
                    .map(Request::from_query),
            );
        }
    }
    found.sort_by_key(|request| request.span.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    fn classify_json(text: &str) -> Classification {
        Request::from_json(json::parse(text).unwrap())
            .unwrap()
            .classify()
            .unwrap()
    }

    fn classify_text(text: &str) -> Vec<Classification> {
        let forms = TextForms {
            queries: true,
            commands: true,
        };
        let whole = 0..text.len();
        requests_in_text(text, std::slice::from_ref(&whole), forms)
            .iter()
            .map(|r| r.classify().unwrap())
            .collect()
    }

    fn is_checked(classification: &Classification) -> bool {
        matches!(classification, Classification::Checked(op) if op.name == "ExportImage")
    }

    #[test]
    fn json_signature_without_action_is_export_image() {
        assert!(is_checked(&classify_json(
            r#"{"ImageId": "m-1", "OSSBucket": "b", "OSSRegionId": "cn-beijing"}"#
        )));
        assert!(is_checked(&classify_json(
            r#"{"ImageId": "m-1", "OssBucket": "b", "OSSRegion": "cn-beijing"}"#
        )));
        assert!(matches!(
            classify_json(r#"{"ImageId": "m-1", "OSSBucket": "b"}"#),
            Classification::NotRecognised
        ));
    }

    #[test]
    fn ecs_export_image_is_not_recognised() {
        let ecs_version = r#"{"Action": "ExportImage", "Version": "2014-05-26", "ImageId": "m-1", "OSSBucket": "b", "RegionId": "cn-hangzhou"}"#;
        assert!(matches!(
            classify_json(ecs_version),
            Classification::NotRecognised
        ));
        let ecs_shape = r#"{"Action": "ExportImage", "ImageId": "m-1", "OSSBucket": "b", "RegionId": "cn-hangzhou", "ImageFormat": "raw"}"#;
        assert!(matches!(
            classify_json(ecs_shape),
            Classification::NotRecognised
        ));
        let ens = r#"{"Action": "ExportImage", "Version": "2017-11-10", "ImageId": "m-1"}"#;
        assert!(is_checked(&classify_json(ens)));
    }

    #[test]
    fn hosts_and_products_name_the_api() {
        let found = classify_text(
            "https://ecs.aliyuncs.com/?Action=ExportImage&ImageId=m-1&OSSBucket=b\n\
             https://ens.aliyuncs.com/?Action=ExportImage&ImageId=m-1\n\
             aliyun ecs ExportImage --ImageId m-1 --OSSBucket b --OSSRegionId cn-beijing\n\
             aliyun ens ExportImage --ImageId m-1\n\
             aliyun ens ExportImages --ImageId m-1\n\
             aliyun ens DescribeInstances\n",
        );
        assert_eq!(found.len(), 6);
        assert!(matches!(found[0], Classification::NotRecognised));
        assert!(is_checked(&found[1]));
        assert!(matches!(found[2], Classification::NotRecognised));
        assert!(is_checked(&found[3]));
        assert!(matches!(found[4], Classification::UnknownOperation(_)));
        assert!(matches!(found[5], Classification::NotRecognised));
    }

    #[test]
    fn conflicting_names_are_not_recognised() {
        let found = classify_text("aliyun ens ExportImage --version 2014-05-26 --ImageId m-1\n");
        assert!(matches!(found[0], Classification::NotRecognised));
    }
}
