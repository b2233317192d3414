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
    /// request that names none is matched by its `Action` against the operations of every
    /// API; without an `Action`, the parameters that identify an operation (its `signature`
    /// in `rules/requests.toml`) decide. When several operations match, as ENS and ECS
    /// ExportImage do, the one the parameters fit best is taken, and a tie is not recognised.
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
            return match requests::checked_operation(api, action) {
                Some(operation) => operation.map(Classification::Checked),
                None if api.complete => Ok(Classification::UnknownOperation(api)),
                None => Ok(Classification::NotRecognised),
            };
        }

        let mut candidates = Vec::new();
        match action {
            Some(action) => {
                for api in api::APIS {
                    if let Some(operation) = requests::checked_operation(api, action) {
                        candidates.push(operation?);
                    }
                }
            }
            None => {
                // Operations whose signature keys are all spelled exactly compete with those
                // whose keys are only nearly spelled (`OSSRegion` for `OSSRegionId`), so that
                // one misspelling does not hand the request to another API. On a tie the
                // exact ones win.
                let (exact, near) = self.signature_matches();
                let mut exact_candidates = Vec::new();
                for (api, name) in exact {
                    if let Some(operation) = requests::checked_operation(api, name) {
                        exact_candidates.push(operation?);
                    }
                }
                candidates.extend(exact_candidates.iter().copied());
                for (api, name) in near {
                    if let Some(operation) = requests::checked_operation(api, name) {
                        candidates.push(operation?);
                    }
                }
                let best = self
                    .best_fit(&candidates)
                    .or_else(|| self.best_fit(&exact_candidates));
                return Ok(best.map_or(Classification::NotRecognised, Classification::Checked));
            }
        }
        Ok(self
            .best_fit(&candidates)
            .map_or(Classification::NotRecognised, Classification::Checked))
    }

    /// Returns the operations whose signature keys the request has, spelled exactly, and
    /// those whose keys it has only nearly spelled (`OssBucket` for `OSSBucket`).
    #[allow(clippy::type_complexity)]
    fn signature_matches(
        &self,
    ) -> (
        Vec<(&'static ApiData, &'static str)>,
        Vec<(&'static ApiData, &'static str)>,
    ) {
        let mut exact = Vec::new();
        let mut near = Vec::new();
        for rules in &requests::rules().operations {
            if rules.signature.is_empty() {
                continue;
            }
            let Some(api) = api::api_for_product(&rules.product) else {
                continue;
            };
            if rules.signature.iter().all(|key| self.has(key)) {
                exact.push((api, rules.name.as_str()));
            } else if self.has_signature(&rules.signature) {
                near.push((api, rules.name.as_str()));
            }
        }
        (exact, near)
    }

    /// Picks the operation whose parameters the request fits best: the fewest parameters it
    /// does not define plus required parameters the request lacks. A key that nearly spells
    /// a missing required parameter (`OSSRegion` for `OSSRegionId`) counts as that parameter,
    /// so a misspelling does not tip the choice to another API; between equal fits the one
    /// needing fewer such readings wins. `None` on a tie.
    fn best_fit(
        &self,
        candidates: &[&'static CheckedOperation],
    ) -> Option<&'static CheckedOperation> {
        if let [only] = candidates {
            return Some(only);
        }
        let misfit = |operation: &CheckedOperation| {
            let defined = |key: &str| {
                let base = key.split('.').next().unwrap_or(key);
                operation.spec.parameter(base).is_some() || requests::is_common_parameter(key)
            };
            let present = |name: &str| {
                self.members().iter().any(|member| {
                    member.key == name
                        || member
                            .key
                            .strip_prefix(name)
                            .is_some_and(|rest| rest.starts_with('.'))
                })
            };
            let absent: Vec<&str> = operation
                .spec
                .required()
                .filter(|name| !present(name))
                .collect();
            let missing = absent.len();
            let mut unknown = 0;
            let mut misspelled = 0;
            for member in self.members() {
                if defined(&member.key) {
                    continue;
                }
                if misspelled < missing && closest(&member.key, absent.iter().copied()).is_some() {
                    misspelled += 1;
                } else {
                    unknown += 1;
                }
            }
            // Between equal fits, the one that needs no misspelling wins.
            (unknown + missing - misspelled, misspelled)
        };
        let mut scored: Vec<((usize, usize), &'static CheckedOperation)> = candidates
            .iter()
            .map(|operation| (misfit(operation), *operation))
            .collect();
        scored.sort_by_key(|(score, _)| *score);
        match scored.as_slice() {
            [(best, operation), (next, _), ..] if best < next => Some(operation),
            _ => None,
        }
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
        matches!(classification, Classification::Checked(op) if op.name == "ExportImage" && op.api.product == "ens")
    }

    fn is_ecs_export(classification: &Classification) -> bool {
        matches!(classification, Classification::Checked(op) if op.name == "ExportImage" && op.api.product == "ecs")
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
    fn ecs_and_ens_export_image_are_told_apart() {
        let ecs_version = r#"{"Action": "ExportImage", "Version": "2014-05-26", "ImageId": "m-1", "OSSBucket": "b", "RegionId": "cn-hangzhou"}"#;
        assert!(is_ecs_export(&classify_json(ecs_version)));
        let ecs_shape = r#"{"Action": "ExportImage", "ImageId": "m-1", "OSSBucket": "b", "RegionId": "cn-hangzhou", "ImageFormat": "raw"}"#;
        assert!(is_ecs_export(&classify_json(ecs_shape)));
        let ecs_signature = r#"{"ImageId": "m-1", "OSSBucket": "b", "RegionId": "cn-hangzhou"}"#;
        assert!(is_ecs_export(&classify_json(ecs_signature)));
        let ens = r#"{"Action": "ExportImage", "Version": "2017-11-10", "ImageId": "m-1"}"#;
        assert!(is_checked(&classify_json(ens)));
        let ens_shape = r#"{"Action": "ExportImage", "ImageId": "m-1", "OSSBucket": "b", "OSSRegionId": "cn-beijing"}"#;
        assert!(is_checked(&classify_json(ens_shape)));
        let ens_misspelled = r#"{"Action": "ExportImage", "RegionId": "cn-beijing", "ImageId": "m-1", "OSSBucket": "b", "OSSRegion": "cn-beijing"}"#;
        assert!(is_checked(&classify_json(ens_misspelled)));
        let either = r#"{"Action": "ExportImage", "ImageId": "m-1", "OSSBucket": "b"}"#;
        assert!(matches!(
            classify_json(either),
            Classification::NotRecognised
        ));
    }

    #[test]
    fn every_ens_operation_is_recognised() {
        assert!(matches!(
            classify_json(r#"{"Action": "DescribeInstances", "PageSize": "10"}"#),
            Classification::Checked(op) if op.name == "DescribeInstances"
        ));
    }

    #[test]
    fn hosts_and_products_name_the_api() {
        let found = classify_text(
            "https://ecs.aliyuncs.com/?Action=ExportImage&ImageId=m-1&OSSBucket=b\n\
             https://ens.aliyuncs.com/?Action=ExportImage&ImageId=m-1\n\
             aliyun ecs ExportImage --ImageId m-1 --OSSBucket b --OSSRegionId cn-beijing\n\
             aliyun ens ExportImage --ImageId m-1\n\
             aliyun ens ExportImages --ImageId m-1\n\
             aliyun ens DescribeInstances\n\
             aliyun ecs DescribeInstances\n",
        );
        assert_eq!(found.len(), 7);
        assert!(is_ecs_export(&found[0]));
        assert!(is_checked(&found[1]));
        assert!(is_ecs_export(&found[2]));
        assert!(is_checked(&found[3]));
        assert!(matches!(found[4], Classification::UnknownOperation(_)));
        assert!(matches!(&found[5], Classification::Checked(op) if op.name == "DescribeInstances"));
        // The ECS data lists only some operations, so another one is not called unknown.
        assert!(matches!(found[6], Classification::NotRecognised));
    }

    #[test]
    fn conflicting_names_are_not_recognised() {
        let found = classify_text("aliyun ens ExportImage --version 2014-05-26 --ImageId m-1\n");
        assert!(matches!(found[0], Classification::NotRecognised));
    }
}
