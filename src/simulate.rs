//! `ramlint simulate`: decides one request against a set of policies and shows every
//! statement that matched or nearly matched, with its location and why.
//!
//! The exit code is 0 when the request is allowed, 1 when it is not (denied, implicitly
//! denied, or conditional), and 2 when the policies could not be read.

use std::io::Write;

use serde::Serialize;

use crate::catalog::resources;
use crate::checks::elements::resource_problem;
use crate::cli::{EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE, ListFormat, SimulateArgs, usage_error};
use crate::diagnostic::{Severity, quote};
use crate::discover::{DiscoverOptions, Excludes};
use crate::engine::{self, RunOptions, RunResult};
use crate::eval::{self, Context, Decision, Document, Evaluation, Outcome, Request};
use crate::grants::{self, GrantOptions, PolicySetSpec, RequestScope};
use crate::report::json::{JsonSpan, json_span};
use crate::report::text::{Style, escape_text};
use crate::settings::Settings;

/// Runs `ramlint simulate` and returns the exit code.
pub fn run(
    args: &SimulateArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<i32> {
    if let Err(message) = grants::check_required_action(&args.action) {
        return usage_error(stderr, &format!("--action: {message}"));
    }
    if let Some(message) = crate::checks::catalog::unlisted_action_warning(&args.action) {
        writeln!(
            stderr,
            "warning: --action: {message}\nnote: `{}` is simulated as written",
            crate::diagnostic::shorten(&args.action)
        )?;
    }
    let resource = match &args.resource {
        Some(resource) => {
            if let Some((problem, _)) = resource_problem(resource) {
                return usage_error(
                    stderr,
                    &format!("--resource: resource {} {problem}", quote(resource)),
                );
            }
            resource.clone()
        }
        None => resources::request_resource(&args.action).to_string(),
    };
    let mut context = Context::new();
    for argument in &args.context {
        if let Err(message) = context.insert_argument(argument) {
            return usage_error(stderr, &format!("--context: {message}"));
        }
    }

    let settings = Settings::default();
    let grant_options = GrantOptions {
        require_each: Vec::new(),
        sets: vec![PolicySetSpec {
            name: "the policies given with --policy".to_string(),
            files: args.policies.clone(),
            require: Vec::new(),
            requests: RequestScope::All,
        }],
    };
    let result = engine::run(RunOptions {
        paths: Vec::new(),
        discover: DiscoverOptions {
            excludes: Excludes::default(),
            force_exclude: false,
            skip_unrecognised: false,
        },
        settings: &settings,
        grants: &grant_options,
        jobs: 1,
        stdin: None,
        inventory: Default::default(),
        fingerprints: true,
    });

    // Errors in the policies change what they mean to RAM, so they are shown first.
    let mut errors = String::new();
    for diagnostic in &result.diagnostics {
        if diagnostic.severity == Severity::Error {
            crate::report::text::render(
                &mut errors,
                diagnostic,
                &result.files,
                Style { color: false },
            );
        }
    }
    stderr.write_all(errors.as_bytes())?;
    let members = &result.set_files[0];
    let unreadable: Vec<&str> = members
        .iter()
        .filter(|file| !result.policies.contains_key(file))
        .map(|file| result.files[file.0 as usize].display.as_str())
        .collect();
    if result.io_failure || !unreadable.is_empty() {
        writeln!(
            stderr,
            "error: cannot evaluate the request: {} contains no policy that could be read",
            escape_text(&unreadable.join(", "))
        )?;
        return Ok(EXIT_TROUBLE);
    }
    if !errors.is_empty() {
        writeln!(
            stderr,
            "note: RAM rejects policies with these errors; the decision below uses only their well-formed parts\n"
        )?;
    }

    let documents: Vec<Document<'_>> = members
        .iter()
        .filter_map(|file| {
            result.policies.get(file).map(|policy| Document {
                file: *file,
                policy,
            })
        })
        .collect();
    let request = Request {
        action: &args.action,
        resource: &resource,
        context: &context,
    };
    let evaluation = eval::evaluate(&documents, &request);
    let rendered = match args.format {
        ListFormat::Text => render_text(&evaluation, &request, &result),
        ListFormat::Json => render_json(&evaluation, &request, &result),
    };
    stdout.write_all(rendered.as_bytes())?;
    Ok(if evaluation.decision == Decision::Allowed {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

/// Formats a statement's location as `path:line:column`.
fn location(result: &RunResult, statement: &eval::StatementTrace) -> String {
    let file = &result.files[statement.file.0 as usize];
    let position = file.excerpt.position(statement.span.start);
    format!(
        "{}:{}:{}",
        escape_text(&file.display),
        position.line,
        position.column
    )
}

fn render_text(evaluation: &Evaluation, request: &Request<'_>, result: &RunResult) -> String {
    let mut out = format!(
        "{}: {} on {}\n",
        evaluation.decision.as_str(),
        quote(request.action),
        quote(request.resource)
    );
    match evaluation.deciding() {
        Some(statement) => out.push_str(&format!(
            "decided by {} at {}\n",
            statement.name(),
            location(result, statement)
        )),
        None => out.push_str("no statement allows it\n"),
    }
    if evaluation.statements.is_empty() {
        out.push_str(&format!("\nno statement lists {}\n", quote(request.action)));
    }
    for statement in &evaluation.statements {
        out.push_str(&format!(
            "\n{}: {}, {}: {}\n    {}\n",
            location(result, statement),
            statement.name(),
            statement.effect.as_str(),
            statement.outcome.as_str(),
            escape_text(&statement.explain(request))
        ));
        for condition in &statement.conditions {
            let given = match &condition.request_values {
                Some(values) => {
                    let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
                    format!("request has {}", values.join(", "))
                }
                None => "key not in the context".to_string(),
            };
            out.push_str(&format!(
                "    condition {}: {} ({given})\n",
                escape_text(&condition.describe()),
                condition.truth.as_str()
            ));
        }
        if statement.conditions_invalid {
            out.push_str("    a condition could not be read, so it is unknown\n");
        }
    }
    out
}

#[derive(Serialize)]
struct SimulateReport<'a> {
    decision: &'static str,
    action: &'a str,
    resource: &'a str,
    statements: Vec<JsonStatement<'a>>,
    conditions: Vec<JsonCondition<'a>>,
}

#[derive(Serialize)]
struct JsonStatement<'a> {
    path: &'a str,
    span: JsonSpan,
    index: usize,
    sid: Option<&'a str>,
    effect: &'static str,
    /// True when the statement applies to the request: action, resource and conditions.
    matched: bool,
    outcome: &'static str,
    /// True for the statement that decided.
    deciding: bool,
    reason: String,
}

#[derive(Serialize)]
struct JsonCondition<'a> {
    path: &'a str,
    span: JsonSpan,
    /// The index of the statement the condition belongs to.
    statement: usize,
    operator: &'a str,
    key: &'a str,
    values: &'a [String],
    /// The context's values of the key; `null` when the context does not have it.
    request_values: Option<&'a [String]>,
    result: &'static str,
}

fn render_json(evaluation: &Evaluation, request: &Request<'_>, result: &RunResult) -> String {
    let deciding = evaluation.deciding();
    let mut statements = Vec::new();
    let mut conditions = Vec::new();
    for statement in &evaluation.statements {
        let file = &result.files[statement.file.0 as usize];
        statements.push(JsonStatement {
            path: &file.display,
            span: json_span(&file.excerpt, statement.span),
            index: statement.index,
            sid: statement.sid.as_deref(),
            effect: statement.effect.as_str(),
            matched: statement.outcome == Outcome::Applies,
            outcome: statement.outcome.as_str(),
            deciding: deciding.is_some_and(|d| std::ptr::eq(d, statement)),
            reason: statement.explain(request),
        });
        for condition in &statement.conditions {
            conditions.push(JsonCondition {
                path: &file.display,
                span: json_span(&file.excerpt, condition.key_span),
                statement: statement.index,
                operator: &condition.operator,
                key: &condition.key,
                values: &condition.values,
                request_values: condition.request_values.as_deref(),
                result: condition.truth.as_str(),
            });
        }
    }
    let report = SimulateReport {
        decision: evaluation.decision.as_str(),
        action: request.action,
        resource: request.resource,
        statements,
        conditions,
    };
    let mut text = serde_json::to_string_pretty(&report).expect("the report serialises");
    text.push('\n');
    text
}
