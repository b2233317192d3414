//! Rules about stored API requests: which operation is called, which parameters are given,
//! and their values.
//!
//! A request's parameters are validated against the operation's JSON Schema (built from
//! `rules/api/` and `rules/requests.toml`), and every validation error is mapped back to the
//! span of the parameter it is about. Values of a declared kind (bucket, region, object
//! prefix) get the checks in [`super::oss`]. Values that look like placeholders are reported
//! once and not checked further.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value as Json;

use super::instance::{Entry, Instance, Origin};
use super::oss::{self, INVALID_BUCKET_NAME, INVALID_OBJECT_KEY, INVALID_REGION};
use super::{Ctx, closest, pointer_push};
use crate::catalog::api::ApiData;
use crate::catalog::regions;
use crate::catalog::requests::{
    CheckedOperation, ParameterRules, ValueKind, is_common_parameter, rules,
};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::document::request::{Request, RequestForm};
use crate::fingerprint::fnv1a;
use crate::source::Span;
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
    /// That a number is within the `minimum` and `maximum` that the API metadata gives its
    /// parameter, such as 1 to 100 for `Priority` of ENS AuthorizeSecurityGroup. Numbers in
    /// query strings and on command lines are read from their text.
    ///
    /// ## Why it matters
    /// The service rejects the call with `InvalidParameter`.
    ///
    /// ## Example
    /// ```sh
    /// aliyun ens AuthorizeSecurityGroup --SecurityGroupId sg-5p1fg655nh68xyz9i**** --IpProtocol tcp --PortRange 22/22 --SourceCidrIp 10.0.0.0/8 --Priority 101
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// aliyun ens AuthorizeSecurityGroup --SecurityGroupId sg-5p1fg655nh68xyz9i**** --IpProtocol tcp --PortRange 22/22 --SourceCidrIp 10.0.0.0/8 --Priority 100
    /// ```
    ///
    /// ## Known problems
    /// The limits come from the API metadata. Where they are wrong, `rules/requests.toml`
    /// drops or replaces them with the source that says so.
    pub static PARAMETER_RANGE = ("parameter-range", Error, "a number outside the operation's minimum and maximum");
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
    /// The operation's name for it: its own, the one it misspells, or the structured
    /// parameter a numbered name belongs to (`Tag` for `Tag.1.Key`).
    name: String,
    /// The rest of a numbered name (`1.Key` of `Tag.1.Key`); empty for a whole value.
    suffix: String,
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

    // The last occurrence of each name wins, as `Node::get` and most servers do. A common
    // parameter that the operation defines itself (ECS ExportImage's `RegionId`) is checked.
    let mut parameters: Vec<Parameter<'_, '_>> = Vec::new();
    for member in members {
        if operation.spec.parameter(&member.key).is_none() && is_common_parameter(&member.key) {
            continue;
        }
        parameters.retain(|p| p.member.key != member.key);
        parameters.push(Parameter {
            member,
            name: member.key.to_string(),
            suffix: String::new(),
            skipped: false,
        });
    }
    let spec_names = operation.parameter_names();
    for index in 0..parameters.len() {
        let key = parameters[index].member.key.as_ref();
        if spec_names.contains(&key) {
            continue;
        }
        // A numbered name of a structured parameter: `Tag.1.Key`. A name with an item number
        // outside 1..=MAX_ITEM_NUMBER stays as written and is reported unknown.
        if let Some((base, rest)) = key.split_once('.') {
            let structured = operation
                .spec
                .parameter(base)
                .is_some_and(|p| matches!(p.kind.as_str(), "array" | "object"));
            if structured && item_numbers_valid(rest) {
                parameters[index].name = base.to_string();
                parameters[index].suffix = rest.to_string();
            }
            continue;
        }
        // A misspelled parameter stands for the one it misspells when that one is absent.
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

/// The largest item number of a numbered parameter name that is read as an item. The metadata
/// allows at most 100 items for any ENS list; the margin keeps a typo from being misread while
/// bounding the list that a name such as `Tag.99999999.Key` would build.
const MAX_ITEM_NUMBER: usize = 1000;

/// Tells whether every numeric token of a numbered name (`1.Key` of `Tag.1.Key`) is an item
/// number from 1 to [`MAX_ITEM_NUMBER`].
fn item_numbers_valid(rest: &str) -> bool {
    rest.split('.')
        .filter_map(|token| token.parse::<usize>().ok())
        .all(|number| (1..=MAX_ITEM_NUMBER).contains(&number))
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
    // Each pattern below starts with one of these bytes, and most values contain none.
    if !text
        .bytes()
        .any(|byte| matches!(byte, b'*' | b'$' | b'{' | b'<'))
    {
        return None;
    }
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
    for parameter in parameters
        .iter()
        .filter(|p| !p.skipped && p.suffix.is_empty())
    {
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
        // The subject is computed only for a diagnostic, since most values are valid.
        let subject = || value_subject(operation, &parameter.name, &parameter.member.value);
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
                        .subject(subject()),
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
                        .help(format!(
                            "remove the leading `{}`; the prefix is relative to the bucket",
                            value.chars().next().unwrap_or('/')
                        ))
                        .subject(subject()),
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
                    .subject(subject());
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
/// span of the value it is about.
fn validate(
    ctx: &mut Ctx<'_>,
    request: &Request<'_>,
    operation: &CheckedOperation,
    parameters: &[Parameter<'_, '_>],
    suppressed: &[(String, &'static str)],
) {
    // Instance keys: each parameter under its own name, and a misspelled one also under the
    // name it stands for, so that its value is checked and the name is not reported missing.
    let mut entries = Vec::new();
    for (index, parameter) in parameters.iter().enumerate() {
        let key = parameter.member.key.as_ref();
        if !parameter.suffix.is_empty() {
            entries.push(Entry {
                index,
                member: parameter.member,
                name: &parameter.name,
                suffix: &parameter.suffix,
            });
            continue;
        }
        entries.push(Entry {
            index,
            member: parameter.member,
            name: key,
            suffix: "",
        });
        if parameter.name != key {
            entries.push(Entry {
                index,
                member: parameter.member,
                name: &parameter.name,
                suffix: "",
            });
        }
    }
    // A valid request, the usual case, is recognised without recording origins or setting
    // up error collection. An invalid one is built again with the origins its errors need.
    let instance = Instance::build(operation, &entries, false);
    if operation.validator.is_valid(&instance.value) {
        return;
    }
    let instance = Instance::build(operation, &entries, true);
    for error in operation.validator.iter_errors(&instance.value) {
        let pointer = error.instance_path().as_str().to_string();
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                if pointer.is_empty() {
                    report_missing(ctx, request.span, "this request", operation, name);
                    continue;
                }
                // A property of an item or object: name it in RPC form and point at the
                // object that lacks it, or at the request when the value is numbered.
                let Some((origin, rest)) = instance.origin(&pointer) else {
                    continue;
                };
                let exact = rest.is_empty();
                if parameters[origin.parameter].skipped {
                    continue;
                }
                let full = format!("{}.{name}", rpc_name(&origin.name, rest));
                let numbered = !parameters[origin.parameter].suffix.is_empty();
                let span = if exact && numbered {
                    request.span
                } else {
                    origin.node.span
                };
                let label = if span == request.span {
                    "this request"
                } else {
                    "this item"
                };
                report_missing(ctx, span, label, operation, &full);
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let key_pointer = pointer_push(&pointer, key);
                    let Some((origin, "")) = instance.origin(&key_pointer) else {
                        continue;
                    };
                    let parameter = &parameters[origin.parameter];
                    if pointer.is_empty() {
                        let present: Vec<&str> =
                            parameters.iter().map(|p| p.member.key.as_ref()).collect();
                        report_unknown(ctx, operation, parameter, &present);
                    } else {
                        report_unknown_property(ctx, operation, &pointer, key, origin);
                    }
                }
            }
            kind => {
                let Some((origin, rest)) = instance.origin(&pointer) else {
                    continue;
                };
                let parameter = &parameters[origin.parameter];
                if parameter.skipped || origin.node.is_unknown() {
                    continue;
                }
                let part = (!rest.is_empty()).then(|| Part {
                    name: rpc_name(&origin.name, rest),
                    text: error.instance().as_str().map(str::to_string),
                });
                let target = Target {
                    name: origin.name.clone(),
                    parameter: parameter.name.clone(),
                    node: origin.node,
                    value: error.instance().as_ref().clone(),
                    pointer: pointer.clone(),
                    part,
                };
                if let Some(diagnostic) =
                    value_diagnostic(ctx, operation, &target, kind, suppressed)
                {
                    ctx.report(diagnostic);
                }
            }
        }
    }
}

/// The value a validation error is about.
struct Target<'m, 'a> {
    /// The value's name in RPC form (`OSSPrefix`, `Tag.1.Key`).
    name: String,
    /// The operation's parameter it belongs to (`Tag`).
    parameter: String,
    node: &'m Node<'a>,
    /// The value as validated, after text was read as the type the schema expects.
    value: Json,
    /// The JSON pointer of the value in the instance, for its schema.
    pointer: String,
    /// The wrong part of text that encodes a structure (`json` or `simple` style).
    part: Option<Part>,
}

/// A value inside text that encodes a structure.
struct Part {
    /// Its name in RPC form (`EventLevels.2`).
    name: String,
    /// The value, when it is a string.
    text: Option<String>,
}

/// Names a value inside a structure in RPC form: `name` followed by each token of the
/// JSON pointer `part`, item indexes counted from 1 (`/1/Key` gives `Tag.2.Key`).
fn rpc_name(name: &str, part: &str) -> String {
    let mut out = name.to_string();
    for token in part.split('/').skip(1) {
        out.push('.');
        match token.parse::<usize>() {
            Ok(index) => out.push_str(&(index + 1).to_string()),
            Err(_) => out.push_str(&token.replace("~1", "/").replace("~0", "~")),
        }
    }
    out
}

fn report_missing(
    ctx: &mut Ctx<'_>,
    span: Span,
    label: &str,
    operation: &CheckedOperation,
    name: &str,
) {
    let required: Vec<&str> = operation.spec.required().collect();
    let help = if name.contains('.') {
        format!("add {name}; every item of this parameter needs it")
    } else {
        format!(
            "add {name}; {} requires {}",
            operation.name,
            join_names(&required)
        )
    };
    ctx.report(
        Diagnostic::new(
            &MISSING_PARAMETER,
            ctx.file,
            span,
            format!("the {} request has no {name}", operation.name),
        )
        .label(label)
        .help(help)
        .subject(format!("{}/missing:{name}", operation.name)),
    );
}

/// Reports a parameter the operation does not define, suggesting the closest name that the
/// request does not already have (`present`).
fn report_unknown(
    ctx: &mut Ctx<'_>,
    operation: &CheckedOperation,
    parameter: &Parameter<'_, '_>,
    present: &[&str],
) {
    let key = parameter.member.key.as_ref();
    let names = operation.parameter_names();
    let absent = |name: &&str| !present.contains(name);
    let common = rules()
        .rpc
        .common_parameters
        .iter()
        .map(String::as_str)
        .filter(absent);
    let suggestion = if parameter.name != key {
        Some(parameter.name.clone())
    } else if let Some((base, _)) = key.split_once('.').filter(|(base, _)| names.contains(base)) {
        // A structured parameter with an item number out of range (`Tag.0.Key`), or a
        // parameter that takes no items (`ImageId.1`).
        let structured = operation
            .spec
            .parameter(base)
            .is_some_and(|p| matches!(p.kind.as_str(), "array" | "object"));
        let help = if structured {
            format!(
                "number the items of {base} from 1 to {MAX_ITEM_NUMBER}: {base}.1, {base}.2, ..."
            )
        } else {
            format!("{base} takes a single value; write it as {base}")
        };
        ctx.report(
            Diagnostic::new(
                &UNKNOWN_PARAMETER,
                ctx.file,
                parameter.member.key_span,
                format!("{} has no parameter {}", operation.name, quote(key)),
            )
            .help(help)
            .subject(format!("{}/unknown:{key}", operation.name)),
        );
        return;
    } else if let Some((base, rest)) = key.split_once('.') {
        // A numbered name whose parameter is misspelled (`Tags.1.Key`).
        closest(base, names.iter().copied()).map(|meant| {
            let structured = operation
                .spec
                .parameter(meant)
                .is_some_and(|p| matches!(p.kind.as_str(), "array" | "object"));
            if structured {
                format!("{meant}.{rest}")
            } else {
                meant.to_string()
            }
        })
    } else {
        closest(key, names.iter().copied().filter(absent).chain(common)).map(str::to_string)
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
            "{} of {} API {} takes {}, and the RPC common parameters",
            operation.name,
            operation.api.product.to_ascii_uppercase(),
            operation.api.version,
            join_names(&names)
        )),
    };
    ctx.report(diagnostic);
}

/// Reports a property that the items or members of a structured parameter do not have.
fn report_unknown_property(
    ctx: &mut Ctx<'_>,
    operation: &CheckedOperation,
    pointer: &str,
    key: &str,
    origin: &Origin<'_, '_>,
) {
    let properties: Vec<&str> = operation
        .schema_at(pointer)
        .and_then(|schema| schema["properties"].as_object())
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let parent = origin
        .name
        .strip_suffix(key)
        .and_then(|name| name.strip_suffix('.'))
        .unwrap_or(&origin.name);
    let mut diagnostic = Diagnostic::new(
        &UNKNOWN_PARAMETER,
        ctx.file,
        origin.key_span,
        format!(
            "{} has no parameter {}: {parent} has no property {}",
            operation.name,
            quote(&origin.name),
            quote(key)
        ),
    )
    .subject(format!("{}/unknown:{}", operation.name, origin.name));
    diagnostic = match closest(key, properties.iter().copied()) {
        Some(meant) => diagnostic
            .label(format!("did you mean `{parent}.{meant}`?"))
            .help(format!(
                "write `{parent}.{meant}`; property names are case-sensitive"
            )),
        None => diagnostic.help(format!(
            "the properties of {parent} are {}",
            join_names(&properties)
        )),
    };
    ctx.report(diagnostic);
}

fn value_diagnostic(
    ctx: &Ctx<'_>,
    operation: &CheckedOperation,
    target: &Target<'_, '_>,
    kind: &ValidationErrorKind,
    suppressed: &[(String, &'static str)],
) -> Option<Diagnostic> {
    let is_suppressed = |rule: &str| {
        suppressed
            .iter()
            .any(|(name, id)| *name == target.parameter && *id == rule)
    };
    let value = ValueFacts::new(operation, target);
    let diagnostic = match kind {
        ValidationErrorKind::MinLength { .. } | ValidationErrorKind::MaxLength { .. } => {
            length_diagnostic(ctx, operation, &value)
        }
        ValidationErrorKind::MinItems { .. } | ValidationErrorKind::MaxItems { .. } => {
            items_diagnostic(ctx, operation, &value)
        }
        ValidationErrorKind::Minimum { .. } | ValidationErrorKind::Maximum { .. } => {
            range_diagnostic(ctx, operation, &value)
        }
        ValidationErrorKind::Pattern { pattern } => {
            if is_suppressed(PARAMETER_PATTERN.id) {
                return None;
            }
            pattern_diagnostic(ctx, &value, pattern)
        }
        ValidationErrorKind::Enum { options } => {
            if is_suppressed(PARAMETER_ENUM.id) {
                return None;
            }
            enum_diagnostic(ctx, operation, target, &value, options)
        }
        ValidationErrorKind::Type { kind } => type_diagnostic(ctx, operation, target, &value, kind),
        // NOTE: the schemas built from `rules/` contain only the keywords handled above.
        // This arm reports any other error in the validator's words, so that none is dropped.
        other => Diagnostic::new(
            &INVALID_PARAMETER_TYPE,
            ctx.file,
            value.span,
            format!("{} {} is invalid: {other:?}", value.key, value.shown),
        ),
    };
    Some(diagnostic.subject(value_subject(operation, &target.name, target.node)))
}

/// What the messages about one value need to know of it.
struct ValueFacts<'t> {
    /// The value's name in RPC form.
    key: String,
    /// The value as text, when it is text.
    text: Option<&'t str>,
    /// The value as messages show it: quoted text, a number, or the kind of value.
    shown: String,
    span: Span,
    /// The value's schema in the compiled operation.
    schema: Option<&'t Json>,
    /// The refinement of `rules/requests.toml` for the value, if any.
    refinement: Option<&'static ParameterRules>,
}

impl<'t> ValueFacts<'t> {
    fn new(operation: &'t CheckedOperation, target: &'t Target<'_, '_>) -> ValueFacts<'t> {
        // Refinements are registered by dotted name without item numbers
        // (`BackendServers.Port`).
        let rules_name: Vec<&str> = target
            .pointer
            .split('/')
            .skip(1)
            .filter(|token| token.parse::<usize>().is_err())
            .collect();
        let node = target.node;
        // Inside encoded text the checked value is a part of the text, not the text itself.
        let (key, text) = match &target.part {
            Some(part) => (part.name.clone(), part.text.as_deref()),
            None => (target.name.clone(), node.as_str()),
        };
        let shown = match &target.value {
            Json::String(text) => quote(text),
            Json::Number(number) => number.to_string(),
            Json::Bool(flag) => flag.to_string(),
            _ => node.kind_name().to_string(),
        };
        ValueFacts {
            key,
            text,
            shown,
            span: node.span,
            schema: operation.schema_at(&target.pointer),
            refinement: operation.parameter_rules(&rules_name.join(".")),
        }
    }

    /// Returns a keyword of the value's schema, such as `maxLength`.
    fn keyword(&self, name: &str) -> Option<&'t Json> {
        self.schema.and_then(|schema| schema.get(name))
    }
}

fn length_diagnostic(
    ctx: &Ctx<'_>,
    operation: &CheckedOperation,
    value: &ValueFacts<'_>,
) -> Diagnostic {
    let key = &value.key;
    let text = value.text;
    let span = value.span;
    let keyword = |name: &str| value.keyword(name);

    let count = text.map_or(0, |t| t.chars().count());
    let min = keyword("minLength").and_then(Json::as_u64);
    let max = keyword("maxLength").and_then(Json::as_u64);
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

fn items_diagnostic(
    ctx: &Ctx<'_>,
    operation: &CheckedOperation,
    value: &ValueFacts<'_>,
) -> Diagnostic {
    let key = &value.key;
    let span = value.span;
    let keyword = |name: &str| value.keyword(name);

    let min = keyword("minItems").and_then(Json::as_u64);
    let max = keyword("maxItems").and_then(Json::as_u64);
    let limits = match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max} items"),
        (Some(min), None) => format!("at least {min} items"),
        (None, Some(max)) => format!("at most {max} items"),
        (None, None) => "another number of items".to_string(),
    };
    Diagnostic::new(
        &PARAMETER_LENGTH,
        ctx.file,
        span,
        format!(
            "{key} has a number of items outside the limits; {} accepts {limits}",
            operation.name
        ),
    )
    .help(format!("give {key} {limits}"))
}

fn range_diagnostic(
    ctx: &Ctx<'_>,
    operation: &CheckedOperation,
    value: &ValueFacts<'_>,
) -> Diagnostic {
    let key = &value.key;
    let shown = &value.shown;
    let span = value.span;
    let keyword = |name: &str| value.keyword(name);

    let min = keyword("minimum");
    let max = keyword("maximum");
    let limits = match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "another value".to_string(),
    };

    Diagnostic::new(
        &PARAMETER_RANGE,
        ctx.file,
        span,
        format!("{key} is {shown}; {} accepts {limits}", operation.name),
    )
    .help(format!("use a value from {limits}"))
}

fn pattern_diagnostic(ctx: &Ctx<'_>, value: &ValueFacts<'_>, pattern: &str) -> Diagnostic {
    let key = &value.key;
    let text = value.text;
    let shown = &value.shown;
    let span = value.span;
    let refinement = value.refinement;

    let description = refinement.and_then(|r| r.pattern_description.clone());
    let written = text.unwrap_or_default();
    let message = match &description {
        Some(description) => {
            let outside = outside_characters(written, pattern);
            format!("{key} {shown} contains {outside}; the API reference allows only {description}")
        }
        None => format!("{key} {shown} does not match the pattern `{pattern}` of the API metadata"),
    };
    let help = match description {
            Some(_) if written.contains('/') => "slashes are common in real prefixes and OSS accepts them in object keys; if yours work, turn this rule off with `parameter-pattern = \"off\"` under [rules] in ramlint.toml".to_string(),
            Some(description) => format!("use only {description}; this rule can be turned off with `parameter-pattern = \"off\"` under [rules] in ramlint.toml"),
            None => "change the value to match the pattern".to_string(),
        };
    Diagnostic::new(&PARAMETER_PATTERN, ctx.file, span, message).help(help)
}

fn enum_diagnostic(
    ctx: &Ctx<'_>,
    operation: &CheckedOperation,
    target: &Target<'_, '_>,
    value: &ValueFacts<'_>,
    options: &Json,
) -> Diagnostic {
    let key = &value.key;
    let text = value.text;
    let shown = &value.shown;
    let span = value.span;
    let refinement = value.refinement;

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
    // An item's values are listed for every item of its list.
    let item_of = target
        .pointer
        .rsplit_once('/')
        .filter(|(_, last)| last.parse::<usize>().is_ok())
        .and_then(|_| key.rsplit_once('.'))
        .map(|(list, _)| list);
    let listed_for = match item_of {
        Some(list) => format!("each item of {list}"),
        None => key.clone(),
    };
    let source = if refinement.is_some_and(|r| r.allowed.is_some()) {
        "the API reference"
    } else {
        "the API metadata"
    };
    let mut diagnostic = Diagnostic::new(
        &PARAMETER_ENUM,
        ctx.file,
        span,
        format!("{key} is {shown}; {source} lists {list} for {listed_for}"),
    );
    diagnostic = if refinement.is_some_and(|r| r.kind == Some(ValueKind::OssRegion))
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

fn type_diagnostic(
    ctx: &Ctx<'_>,
    operation: &CheckedOperation,
    target: &Target<'_, '_>,
    value: &ValueFacts<'_>,
    kind: &TypeKind,
) -> Diagnostic {
    let key = &value.key;
    let text = value.text;
    let span = value.span;

    let expected = match kind {
        TypeKind::Single(single) => single.to_string(),
        TypeKind::Multiple(set) => format!("{set:?}"),
    };
    let style = operation
        .spec
        .parameter(&target.parameter)
        .and_then(|p| p.style.as_deref());
    let help = match (expected.as_str(), style) {
        ("array", Some("repeatList" | "flat")) => format!(
            "give one parameter per item, numbered from 1: {0}.1, {0}.2, ...",
            target.name
        ),
        ("array", Some("simple")) => "join the items with commas".to_string(),
        ("array" | "object", _) if text.is_some() => format!(
            "write {} as JSON text, such as {}",
            target.name,
            if expected == "array" {
                "[\"a\", \"b\"]"
            } else {
                "{\"Key\": \"value\"}"
            }
        ),
        _ if target.node.as_str().is_some()
            || matches!(target.node.value, Value::Number(_) | Value::Bool(_)) =>
        {
            format!("write the value as {}", article(&expected))
        }
        _ => format!("{key} takes a single {expected}"),
    };
    let found = match (&target.part, text) {
        (Some(_), Some(text)) => format!("the string {}", quote(text)),
        (Some(_), None) => "a value of another type".to_string(),
        (None, _) => describe(target.node),
    };
    Diagnostic::new(
        &INVALID_PARAMETER_TYPE,
        ctx.file,
        span,
        format!(
            "{key} is {found}; {} takes {}",
            operation.name,
            article(&expected)
        ),
    )
    .help(help)
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
    let mut subject = String::with_capacity(operation.name.len() + name.len() + 18);
    subject.push_str(operation.name);
    subject.push('/');
    subject.push_str(name);
    subject.push('=');
    crate::source::push_hex(&mut subject, fnv1a(&[&value]), 0);
    subject
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
            .find(|p| p.name == name && p.suffix.is_empty() && !p.skipped)
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
