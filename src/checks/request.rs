//! Rules about stored API requests: which operation is called, which parameters are given,
//! and their values.
//!
//! A request's parameters are validated against the operation's JSON Schema (built from
//! `rules/api/` and `rules/requests.toml`), and every validation error is mapped back to the
//! span of the parameter it is about. Values of a declared kind (bucket, region, object
//! prefix) get the checks in [`super::oss`]. Values that look like placeholders are reported
//! once and not checked further.

use std::collections::HashMap;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Value as Json};

use super::oss::{self, INVALID_BUCKET_NAME, INVALID_OBJECT_KEY, INVALID_REGION};
use super::{Ctx, closest};
use crate::catalog::api::ApiData;
use crate::catalog::regions;
use crate::catalog::requests::{CheckedOperation, ValueKind, is_common_parameter, rules};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::document::request::{Request, RequestForm};
use crate::fingerprint::fnv1a;
use crate::source::Span;
use crate::syntax::tree::to_json;
use crate::syntax::{Member, Node, Value};

declare_rule! {
    /// ## What it checks
    /// That a request to an API that ramlint has data for names an operation of that API.
    /// The closest operation name is suggested. The API is known from the command line
    /// (`aliyun ens ...`), the URL's host (`ens.aliyuncs.com`) or `Version`.
    ///
    /// ## Why it matters
    /// The call fails with an error about an unknown action, or the CLI rejects it as an
    /// unknown API, usually only when the script runs in production.
    ///
    /// ## Example
    /// ```sh
    /// aliyun ens ExportImages --ImageId m-5ragaz3s74b7go8ks7jp9rch1 --OSSBucket image-exports --OSSRegionId cn-beijing
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// aliyun ens ExportImage --ImageId m-5ragaz3s74b7go8ks7jp9rch1 --OSSBucket image-exports --OSSRegionId cn-beijing
    /// ```
    ///
    /// ## Known problems
    /// The operation list comes from the API metadata in `rules/api/`; operations added to
    /// the API after it was copied are reported too.
    pub static UNKNOWN_API = ("unknown-api", Warning, "a request names an operation the API data does not list");
}

declare_rule! {
    /// ## What it checks
    /// That a request has every parameter its operation requires. For ENS ExportImage these
    /// are `ImageId`, `OSSBucket` and `OSSRegionId`. The diagnostic points at the request:
    /// the JSON object, the query string or the command line. When a parameter is present
    /// under a misspelled name, only `unknown-parameter` is reported.
    ///
    /// ## Why it matters
    /// The service rejects the call with `MissingParameter`.
    ///
    /// ## Example
    /// ```text
    /// https://ens.aliyuncs.com/?Action=ExportImage&ImageId=m-5ragaz3s74b7go8ks7jp9rch1&OSSBucket=image-exports
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// https://ens.aliyuncs.com/?Action=ExportImage&ImageId=m-5ragaz3s74b7go8ks7jp9rch1&OSSBucket=image-exports&OSSRegionId=cn-beijing
    /// ```
    ///
    /// ## Known problems
    /// Which parameters are required comes from the API metadata.
    pub static MISSING_PARAMETER = ("missing-parameter", Error, "a required request parameter is absent");
}

declare_rule! {
    /// ## What it checks
    /// That every parameter of a request is one the operation defines, or one of the RPC
    /// common parameters (`Action`, `Version`, `RegionId`, `Format`, `AccessKeyId`,
    /// `SignatureMethod`, `SignatureNonce`, `SignatureVersion`, `Signature`, `Timestamp`,
    /// `SecurityToken`). Names are case-sensitive. The closest name is suggested
    /// (`OssBucket` → `OSSBucket`, `OSSRegion` → `OSSRegionId`), and the misspelled
    /// parameter's value is still checked as if it were spelled right.
    ///
    /// ## Why it matters
    /// The service ignores or rejects a parameter it does not know, and the parameter that
    /// was meant is then missing. `OssBucket` is ECS's older spelling, so it appears in
    /// requests adapted from ECS examples.
    ///
    /// ## Example
    /// ```sh
    /// aliyun ens ExportImage --ImageId m-5ragaz3s74b7go8ks7jp9rch1 --OssBucket image-exports --OSSRegionId cn-beijing
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// aliyun ens ExportImage --ImageId m-5ragaz3s74b7go8ks7jp9rch1 --OSSBucket image-exports --OSSRegionId cn-beijing
    /// ```
    ///
    /// ## Known problems
    /// Options of the `aliyun` CLI itself, written in lower case (`--region`, `--profile`),
    /// are not parameters and are not checked.
    pub static UNKNOWN_PARAMETER = ("unknown-parameter", Error, "a parameter the operation does not define");
}

declare_rule! {
    /// ## What it checks
    /// That a parameter value in a JSON parameter map has the type the operation takes: a
    /// string for string parameters, not a number, boolean, array, object or null. Values in
    /// query strings and on command lines are text, so only numbers and booleans written as
    /// text are checked there.
    ///
    /// ## Why it matters
    /// SDKs and tools that read the map expect the documented type and fail or send
    /// something else.
    ///
    /// ## Example
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": ["image-exports"], "OSSRegionId": "cn-beijing"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing"}
    /// ```
    ///
    /// ## Known problems
    /// None known.
    pub static INVALID_PARAMETER_TYPE = ("invalid-parameter-type", Error, "a parameter value has the wrong type");
}

declare_rule! {
    /// ## What it checks
    /// That a parameter value is within the operation's length limits, counted in
    /// characters (Unicode scalar values), not bytes. ENS ExportImage's `OSSPrefix` takes 1
    /// to 30 characters: an empty string is too short, and ten Chinese characters (30 bytes
    /// in UTF-8) are fine.
    ///
    /// ## Why it matters
    /// The service rejects the call with `InvalidParameter`.
    ///
    /// ## Example
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing", "OSSPrefix": "nightlyExportsOfTheEdgeImage2024"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing", "OSSPrefix": "nightly2024"}
    /// ```
    ///
    /// ## Known problems
    /// The maximum comes from the API metadata; the minimum of 1 for `OSSPrefix` comes from
    /// the ENS API reference (`rules/requests.toml`).
    pub static PARAMETER_LENGTH = ("parameter-length", Error, "a value is outside its length limits");
}

declare_rule! {
    /// ## What it checks
    /// That a parameter value uses only the characters the API documents. For ENS
    /// ExportImage's `OSSPrefix` these are letters and digits.
    ///
    /// ## Why it matters
    /// The service may reject other characters.
    ///
    /// ## Example
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing", "OSSPrefix": "exports_2024"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing", "OSSPrefix": "exports2024"}
    /// ```
    ///
    /// ## Known problems
    /// The ENS API reference says letters and digits only, yet its own example prefix is
    /// `dataCenter/972****/`, and slashes are common in real prefixes. That is why this rule
    /// is a warning. If your prefixes with `/` work, turn it off with
    /// `parameter-pattern = "off"` under `[rules]` in `ramlint.toml`.
    pub static PARAMETER_PATTERN = ("parameter-pattern", Warning, "a value has characters outside the documented set");
}

declare_rule! {
    /// ## What it checks
    /// That a parameter value is one of the values the API metadata lists for it. For ENS
    /// ExportImage, the metadata lists only `cn-beijing` for `OSSRegionId`.
    ///
    /// ## Why it matters
    /// A value outside the list may be rejected. ENS exports images only to some regions,
    /// and the metadata is the only place that names them.
    ///
    /// ## Example
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-hangzhou"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports-bj", "OSSRegionId": "cn-beijing"}
    /// ```
    ///
    /// ## Known problems
    /// The human documentation of ExportImage names no such list, and the SDK
    /// documentation dropped its sentence about `cn-beijing` in 2025, so the list may be out
    /// of date. That is why this rule is a warning.
    pub static PARAMETER_ENUM = ("parameter-enum", Warning, "a value outside the operation's documented values");
}

declare_rule! {
    /// ## What it checks
    /// That a parameter value is not a placeholder: a masked example (`whxyl****`,
    /// `m-5ragaz3s74b7go8ks7jp9****`), a marker to replace (`<your-bucket>`), a template
    /// (`${var.bucket}`, `{bucket-name}`), or a shell expansion whose value is known only
    /// when the script runs (`"$BUCKET"`). The other checks skip such a value.
    ///
    /// ## Why it matters
    /// Documentation examples mask real IDs with `****`, and a request copied from them
    /// fails. A value set at run time cannot be checked, and ramlint reports that instead of
    /// passing it silently.
    ///
    /// ## Example
    /// ```sh
    /// aliyun ens ExportImage --ImageId m-5ragaz3s74b7go8ks7jp9**** --OSSBucket '<your-bucket>' --OSSRegionId cn-beijing
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// aliyun ens ExportImage --ImageId m-5ragaz3s74b7go8ks7jp9rch1 --OSSBucket image-exports --OSSRegionId cn-beijing
    /// ```
    ///
    /// ## Known problems
    /// Scripts that take every value from variables get one warning per parameter; turn the
    /// rule off for them with `[rules]` in `ramlint.toml`.
    pub static PLACEHOLDER_VALUE = ("placeholder-value", Warning, "a value looks masked or templated");
}

/// A request whose bucket region is judged once every inventory is known.
#[derive(Clone, Debug)]
pub struct BucketUse {
    pub operation: &'static str,
    pub bucket: String,
    pub bucket_span: Span,
    pub region_parameter: String,
    /// The region as written, and its ID when it names a known region in any form.
    pub region_text: String,
    pub region_id: Option<&'static str>,
    pub region_span: Span,
}

/// Reports a request to a known API that names an operation the API lacks.
pub fn check_unknown_operation(ctx: &mut Ctx<'_>, request: &Request<'_>, api: &ApiData) {
    let Some(action) = &request.action else {
        return;
    };
    let suggestion = closest(&action.text, api.operation_names());
    let mut diagnostic = Diagnostic::new(
        &UNKNOWN_API,
        ctx.file,
        action.span,
        format!(
            "{} API {} has no operation {}",
            api.product.to_ascii_uppercase(),
            api.version,
            quote(&action.text)
        ),
    )
    .subject(format!("unknown-api {}", action.text));
    diagnostic = match suggestion {
        Some(name) => diagnostic
            .label(format!("did you mean `{name}`?"))
            .help(format!(
                "write `{name}`; operation names are case-sensitive"
            )),
        None => diagnostic.help(format!(
            "check the operation name against the {} API reference",
            api.product.to_ascii_uppercase()
        )),
    };
    ctx.report(diagnostic);
}

/// The state of one parameter while a request is checked.
struct Parameter<'m, 'a> {
    member: &'m Member<'a>,
    /// The operation's name for it: its own, or the one it misspells.
    name: String,
    /// True when the value is a placeholder or unknown, so that it is not checked further.
    skipped: bool,
}

/// Checks a request for a checked operation and returns the bucket it uses, for the
/// region check that runs once every inventory is known.
pub fn check_request(
    ctx: &mut Ctx<'_>,
    request: &Request<'_>,
    operation: &'static CheckedOperation,
) -> Option<BucketUse> {
    let members = request.members();
    if request.form == RequestForm::Json {
        super::json::check_duplicate_keys(ctx, &request.params, "");
    } else {
        check_duplicate_parameters(ctx, members, operation);
    }

    // The last occurrence of each name wins, as `Node::get` and most servers do.
    let mut parameters: Vec<Parameter<'_, '_>> = Vec::new();
    for member in members {
        if is_common_parameter(&member.key) {
            continue;
        }
        parameters.retain(|p| p.member.key != member.key);
        parameters.push(Parameter {
            member,
            name: member.key.to_string(),
            skipped: false,
        });
    }
    // A misspelled parameter stands for the one it misspells when that one is absent.
    let spec_names = operation.parameter_names();
    for index in 0..parameters.len() {
        let key = parameters[index].member.key.as_ref();
        if spec_names.contains(&key) {
            continue;
        }
        if let Some(meant) = closest(key, spec_names.iter().copied())
            && !parameters.iter().any(|p| p.name == meant)
        {
            parameters[index].name = meant.to_string();
        }
    }

    for parameter in &mut parameters {
        if let Some(diagnostic) = placeholder_diagnostic(ctx, operation, parameter) {
            parameter.skipped = true;
            ctx.report(diagnostic);
        }
    }

    let suppressed = check_kinds(ctx, operation, &parameters);
    validate(ctx, request, operation, &parameters, &suppressed);
    bucket_use(operation, &parameters)
}

fn check_duplicate_parameters(
    ctx: &mut Ctx<'_>,
    members: &[Member<'_>],
    operation: &CheckedOperation,
) {
    for (index, member) in members.iter().enumerate() {
        if let Some(first) = members[..index].iter().find(|m| m.key == member.key) {
            let diagnostic = Diagnostic::new(
                &super::json::DUPLICATE_KEY,
                ctx.file,
                member.key_span,
                format!(
                    "parameter {} is given more than once in this request",
                    quote(&member.key)
                ),
            )
            .label("given again here")
            .secondary(ctx.file, first.key_span, "first given here")
            .help("remove one of the two; servers differ in which one they use")
            .subject(format!("{}/duplicate:{}", operation.name, member.key));
            ctx.report(diagnostic);
        }
    }
}

/// Recognises masked, templated and run-time values.
fn placeholder_reason(value: &Node<'_>) -> Option<String> {
    let text = match &value.value {
        Value::Unknown { reason } => {
            return Some(format!(
                "is set by the shell expansion {} when the script runs, so it cannot be checked",
                quote(reason)
            ));
        }
        Value::String(text) => text.as_ref(),
        _ => return None,
    };
    let between = |open: &str, close: &str| {
        text.find(open)
            .is_some_and(|start| text[start + open.len()..].contains(close))
    };
    if text.contains("***") {
        return Some(format!(
            "is {}, which looks like a masked example value",
            quote(text)
        ));
    }
    if between("${", "}") || between("{{", "}}") {
        return Some(format!(
            "is {}, which is a template expression",
            quote(text)
        ));
    }
    if between("<", ">") || between("{", "}") {
        return Some(format!(
            "is {}, which looks like a placeholder to replace",
            quote(text)
        ));
    }
    None
}

fn placeholder_diagnostic(
    ctx: &Ctx<'_>,
    operation: &CheckedOperation,
    parameter: &Parameter<'_, '_>,
) -> Option<Diagnostic> {
    let reason = placeholder_reason(&parameter.member.value)?;
    Some(
        Diagnostic::new(
            &PLACEHOLDER_VALUE,
            ctx.file,
            parameter.member.value.span,
            format!("{} {reason}", parameter.member.key),
        )
        .label("placeholder")
        .help("replace it with the real value; ramlint does not check this value further")
        .subject(value_subject(
            operation,
            &parameter.name,
            &parameter.member.value,
        )),
    )
}

/// Runs the checks of each parameter's declared kind and returns the rules whose findings
/// would repeat them, by parameter name.
fn check_kinds(
    ctx: &mut Ctx<'_>,
    operation: &CheckedOperation,
    parameters: &[Parameter<'_, '_>],
) -> Vec<(String, &'static str)> {
    let mut suppressed = Vec::new();
    for parameter in parameters.iter().filter(|p| !p.skipped) {
        let Some(kind) = operation
            .parameter_rules(&parameter.name)
            .and_then(|rules| rules.kind)
        else {
            continue;
        };
        let Some(value) = parameter.member.value.as_str() else {
            continue;
        };
        let span = parameter.member.value.span;
        let subject = value_subject(operation, &parameter.name, &parameter.member.value);
        let key = &parameter.member.key;
        match kind {
            ValueKind::OssBucket => {
                if let Some(problem) = oss::bucket_name_problem(value) {
                    ctx.report(
                        Diagnostic::new(
                            &INVALID_BUCKET_NAME,
                            ctx.file,
                            span,
                            format!("{key} {} is not a valid bucket name: {problem}", quote(value)),
                        )
                        .help("bucket names are 3 to 63 lowercase letters, digits and hyphens, and start and end with a letter or digit")
                        .subject(subject),
                    );
                }
            }
            ValueKind::OssObjectPrefix => {
                if let Some(problem) = oss::object_prefix_problem(value) {
                    suppressed.push((parameter.name.clone(), PARAMETER_PATTERN.id));
                    ctx.report(
                        Diagnostic::new(
                            &INVALID_OBJECT_KEY,
                            ctx.file,
                            span,
                            format!(
                                "{key} {} cannot start an object key: {problem}",
                                quote(value)
                            ),
                        )
                        .help("remove the leading slash; the prefix is relative to the bucket")
                        .subject(subject),
                    );
                }
            }
            ValueKind::OssRegion => {
                if let Some(problem) = oss::region_id_problem(value) {
                    suppressed.push((parameter.name.clone(), PARAMETER_ENUM.id));
                    let mut diagnostic = Diagnostic::new(
                        &INVALID_REGION,
                        ctx.file,
                        span,
                        format!("{key} {}", problem.message),
                    )
                    .subject(subject);
                    diagnostic = match problem.suggestion {
                        Some(id) => diagnostic
                            .label(format!("use `{id}`"))
                            .help(format!("write the region ID `{id}`")),
                        None => diagnostic.help(
                            "write an OSS region ID such as `cn-beijing` or `ap-southeast-1`",
                        ),
                    };
                    ctx.report(diagnostic);
                }
            }
        }
    }
    suppressed
}

/// Validates the parameters against the operation's schema and reports each error at the
/// span of the parameter it is about.
fn validate(
    ctx: &mut Ctx<'_>,
    request: &Request<'_>,
    operation: &CheckedOperation,
    parameters: &[Parameter<'_, '_>],
    suppressed: &[(String, &'static str)],
) {
    // Instance keys: each parameter under its own name, and a misspelled one also under the
    // name it stands for, so that its value is checked and the name is not reported missing.
    let mut instance = Map::new();
    let mut by_key: HashMap<String, &Parameter<'_, '_>> = HashMap::new();
    for parameter in parameters {
        let value = instance_value(operation, &parameter.name, &parameter.member.value);
        instance.insert(parameter.member.key.to_string(), value.clone());
        by_key.insert(parameter.member.key.to_string(), parameter);
        if parameter.name != parameter.member.key {
            instance.insert(parameter.name.clone(), value);
            by_key.insert(parameter.name.clone(), parameter);
        }
    }
    let instance = Json::Object(instance);

    for error in operation.validator.iter_errors(&instance) {
        let path = error.instance_path();
        let key = path
            .as_str()
            .trim_start_matches('/')
            .replace("~1", "/")
            .replace("~0", "~");
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                report_missing(ctx, request, operation, name);
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    if let Some(parameter) = by_key.get(key.as_str()) {
                        report_unknown(ctx, operation, parameter);
                    }
                }
            }
            kind => {
                let Some(parameter) = by_key.get(key.as_str()) else {
                    continue;
                };
                if parameter.skipped {
                    continue;
                }
                if let Some(diagnostic) =
                    value_diagnostic(ctx, operation, parameter, kind, suppressed)
                {
                    ctx.report(diagnostic);
                }
            }
        }
    }
}

/// Converts a parameter value for the schema. Text is what RPC transmits, so text is
/// parsed into the parameter's type when that type is a number or a boolean.
fn instance_value(operation: &CheckedOperation, name: &str, node: &Node<'_>) -> Json {
    let kind = operation
        .spec
        .parameter(name)
        .map(|p| p.kind.as_str())
        .unwrap_or("string");
    match (&node.value, kind) {
        (Value::String(text), "integer" | "number") => text
            .parse::<serde_json::Number>()
            .map(Json::Number)
            .unwrap_or_else(|_| Json::String(text.to_string())),
        (Value::String(text), "boolean") => match text.as_ref() {
            "true" => Json::Bool(true),
            "false" => Json::Bool(false),
            _ => Json::String(text.to_string()),
        },
        _ => to_json(node),
    }
}

fn report_missing(
    ctx: &mut Ctx<'_>,
    request: &Request<'_>,
    operation: &CheckedOperation,
    name: &str,
) {
    let required: Vec<&str> = operation.spec.required().collect();
    ctx.report(
        Diagnostic::new(
            &MISSING_PARAMETER,
            ctx.file,
            request.span,
            format!("the {} request has no {name}", operation.name),
        )
        .label("this request")
        .help(format!(
            "add {name}; {} requires {}",
            operation.name,
            join_names(&required)
        ))
        .subject(format!("{}/missing:{name}", operation.name)),
    );
}

fn report_unknown(ctx: &mut Ctx<'_>, operation: &CheckedOperation, parameter: &Parameter<'_, '_>) {
    let key = parameter.member.key.as_ref();
    let names = operation.parameter_names();
    let common = rules().rpc.common_parameters.iter().map(String::as_str);
    let suggestion = if parameter.name != key {
        Some(parameter.name.as_str())
    } else {
        closest(key, names.iter().copied().chain(common))
    };
    let mut diagnostic = Diagnostic::new(
        &UNKNOWN_PARAMETER,
        ctx.file,
        parameter.member.key_span,
        format!("{} has no parameter {}", operation.name, quote(key)),
    )
    .subject(format!("{}/unknown:{key}", operation.name));
    diagnostic = match suggestion {
        Some(name) => diagnostic
            .label(format!("did you mean `{name}`?"))
            .help(format!(
                "write `{name}`; parameter names are case-sensitive"
            )),
        None => diagnostic.help(format!(
            "{} takes {}, and the RPC common parameters",
            operation.name,
            join_names(&names)
        )),
    };
    ctx.report(diagnostic);
}

fn value_diagnostic(
    ctx: &Ctx<'_>,
    operation: &CheckedOperation,
    parameter: &Parameter<'_, '_>,
    kind: &ValidationErrorKind,
    suppressed: &[(String, &'static str)],
) -> Option<Diagnostic> {
    let is_suppressed = |rule: &str| {
        suppressed
            .iter()
            .any(|(name, id)| *name == parameter.name && *id == rule)
    };
    let key = parameter.member.key.as_ref();
    let node = &parameter.member.value;
    let text = node.as_str();
    let shown = text
        .map(quote)
        .unwrap_or_else(|| node.kind_name().to_string());
    let span = node.span;
    let subject = value_subject(operation, &parameter.name, node);
    let diagnostic = match kind {
        ValidationErrorKind::MinLength { .. } | ValidationErrorKind::MaxLength { .. } => {
            let count = text.map_or(0, |t| t.chars().count());
            let min = operation
                .keyword(&parameter.name, "minLength")
                .and_then(Json::as_u64);
            let max = operation
                .keyword(&parameter.name, "maxLength")
                .and_then(Json::as_u64);
            let limits = match (min, max) {
                (Some(min), Some(max)) => format!("{min} to {max} characters"),
                (Some(min), None) => format!("at least {min} characters"),
                (None, Some(max)) => format!("at most {max} characters"),
                (None, None) => "another length".to_string(),
            };
            let message = if count == 0 {
                format!("{key} is empty; {} accepts {limits}", operation.name)
            } else {
                format!(
                    "{key} is {count} character{} long; {} accepts {limits}",
                    if count == 1 { "" } else { "s" },
                    operation.name
                )
            };
            let help = match max {
                Some(max) if count as u64 > max => format!(
                    "shorten it to at most {max} characters; length is counted in characters, not bytes"
                ),
                _ if count == 0 => format!("give {key} a value, or leave it out"),
                _ => format!("use {limits}"),
            };
            Diagnostic::new(&PARAMETER_LENGTH, ctx.file, span, message).help(help)
        }
        ValidationErrorKind::Pattern { pattern } => {
            if is_suppressed(PARAMETER_PATTERN.id) {
                return None;
            }
            let description = operation
                .parameter_rules(&parameter.name)
                .and_then(|r| r.pattern_description.clone());
            let value = text.unwrap_or_default();
            let message = match &description {
                Some(description) => {
                    let outside = outside_characters(value, pattern);
                    format!(
                        "{key} {shown} contains {outside}; the API reference allows only {description}"
                    )
                }
                None => format!(
                    "{key} {shown} does not match the pattern `{pattern}` of the API metadata"
                ),
            };
            let help = match description {
                Some(_) if value.contains('/') => "slashes are common in real prefixes and OSS accepts them in object keys; if yours work, turn this rule off with `parameter-pattern = \"off\"` under [rules] in ramlint.toml".to_string(),
                Some(description) => format!("use only {description}; this rule can be turned off with `parameter-pattern = \"off\"` under [rules] in ramlint.toml"),
                None => "change the value to match the pattern".to_string(),
            };
            Diagnostic::new(&PARAMETER_PATTERN, ctx.file, span, message).help(help)
        }
        ValidationErrorKind::Enum { options } => {
            if is_suppressed(PARAMETER_ENUM.id) {
                return None;
            }
            let listed: Vec<String> = options
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| match o.as_str() {
                    Some(text) => quote(text),
                    None => o.to_string(),
                })
                .collect();
            let list = if listed.len() == 1 {
                format!("only {}", listed[0])
            } else {
                listed.join(", ")
            };
            let mut diagnostic = Diagnostic::new(
                &PARAMETER_ENUM,
                ctx.file,
                span,
                format!("{key} is {shown}; the API metadata lists {list} for {key}"),
            );
            diagnostic = if operation
                .parameter_rules(&parameter.name)
                .is_some_and(|r| r.kind == Some(ValueKind::OssRegion))
                && text.is_some_and(|t| regions::find_id(t).is_some())
            {
                diagnostic.help(format!(
                    "{} may reject this region; if the call works with it, turn this rule off with `parameter-enum = \"off\"` under [rules] in ramlint.toml",
                    operation.name
                ))
            } else {
                diagnostic.help(format!(
                    "use one of the listed values: {}",
                    listed.join(", ")
                ))
            };
            diagnostic
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(single) => single.to_string(),
                TypeKind::Multiple(set) => format!("{set:?}"),
            };
            let help = if node.as_str().is_some()
                || matches!(node.value, Value::Number(_) | Value::Bool(_))
            {
                format!("write the value as {}", article(&expected))
            } else {
                format!("{key} takes a single {expected}")
            };
            Diagnostic::new(
                &INVALID_PARAMETER_TYPE,
                ctx.file,
                span,
                format!(
                    "{key} is {}; {} takes {}",
                    describe(node),
                    operation.name,
                    article(&expected)
                ),
            )
            .help(help)
        }
        // NOTE: the schemas built from `rules/` contain only the keywords handled above and
        // `minimum`/`maximum`, which no checked operation has yet. This arm reports any other
        // error in the validator's words, so that none is dropped.
        other => Diagnostic::new(
            &INVALID_PARAMETER_TYPE,
            ctx.file,
            span,
            format!("{key} {shown} is invalid: {other:?}"),
        ),
    };
    Some(diagnostic.subject(subject))
}

/// Names the characters of `value` that `pattern` rejects, for messages. The pattern is one
/// character class repeated (`^[A-Za-z0-9]*$`), so each character is tested on its own.
fn outside_characters(value: &str, pattern: &str) -> String {
    let single = pattern.replace(['*', '+'], "");
    let schema = serde_json::json!({ "pattern": single });
    let Ok(validator) = jsonschema::validator_for(&schema) else {
        return "characters outside the allowed set".to_string();
    };
    let mut outside: Vec<char> = Vec::new();
    for ch in value.chars() {
        let probe = Json::String(ch.to_string());
        if !validator.is_valid(&probe) && !outside.contains(&ch) {
            outside.push(ch);
        }
    }
    if outside.is_empty() {
        return "characters outside the allowed set".to_string();
    }
    let shown: Vec<String> = outside
        .iter()
        .take(5)
        .map(|c| quote(&c.to_string()))
        .collect();
    shown.join(", ")
}

fn describe(node: &Node<'_>) -> String {
    match &node.value {
        Value::String(text) => format!("the string {}", quote(text)),
        Value::Number(text) => format!("the number {text}"),
        other => other.kind_name().to_string(),
    }
}

fn article(kind: &str) -> String {
    match kind.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

fn join_names(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_string(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Describes a parameter value for fingerprints: the operation, the parameter and a digest
/// of the value, so that the fingerprint survives moving the request.
fn value_subject(operation: &CheckedOperation, name: &str, node: &Node<'_>) -> String {
    let value = match &node.value {
        Value::String(text) => text.to_string(),
        Value::Unknown { reason } => reason.to_string(),
        _ => crate::fingerprint::canonical(node),
    };
    format!("{}/{name}={:x}", operation.name, fnv1a(&[&value]))
}

/// Finds the bucket and region of a request whose operation relates them.
fn bucket_use(
    operation: &'static CheckedOperation,
    parameters: &[Parameter<'_, '_>],
) -> Option<BucketUse> {
    let (region_name, bucket_name) = operation
        .rules
        .parameters
        .iter()
        .find_map(|(name, rules)| rules.region_of.as_ref().map(|bucket| (name, bucket)))?;
    let usable = |name: &str| {
        parameters
            .iter()
            .find(|p| p.name == name && !p.skipped)
            .and_then(|p| p.member.value.as_str().map(|text| (p, text)))
    };
    let (bucket, bucket_text) = usable(bucket_name)?;
    let (region, region_text) = usable(region_name)?;
    // An invalid bucket name or region is reported already, and cannot be compared.
    if oss::bucket_name_problem(bucket_text).is_some() {
        return None;
    }
    let region_id = regions::resolve(region_text).map(|r| r.id)?;
    Some(BucketUse {
        operation: operation.name,
        bucket: bucket_text.to_string(),
        bucket_span: bucket.member.value.span,
        region_parameter: region.member.key.to_string(),
        region_text: region_text.to_string(),
        region_id: Some(region_id),
        region_span: region.member.value.span,
    })
}
