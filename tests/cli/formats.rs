//! The SARIF, GitHub and JUnit formats: schema validity, the requirements of GitHub code
//! scanning, positions that agree with the JSON report, escaping, and snapshots.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde_json::Value;

use crate::support::{all_fixtures, relative, root, run, run_fixture, run_with_stdin};

/// The paths of the snapshot run. They contain a policy whose file name needs escaping and
/// whose first statement has a Chinese `Sid`, a JSON file that is not a policy, a diagnostic
/// with a second label, and a file that is not UTF-8 (a diagnostic without a position).
const SNAPSHOT_PATHS: &[&str] = &[
    "fixtures/formats",
    "fixtures/rules/duplicate-key/fail.json",
    "fixtures/rules/invalid-encoding/fail-utf16be.json",
];

/// The `pattern` of the `language` properties of `run` and `toolComponent` in the SARIF
/// 2.1.0 schema, which ends in an unmatched `]` and is rejected as a regular expression by
/// jsonschema (and by ajv). The OASIS technical committee fixed it in an erratum
/// (oasis-tcs/sarif-spec pull requests 490 and 562). ramlint never writes `language`, so the
/// replacement does not affect the check.
const BROKEN_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
const FIXED_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$";

static SARIF_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let text = std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema is in tests/schemas");
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    for definition in ["run", "toolComponent"] {
        let pointer = format!("/definitions/{definition}/properties/language/pattern");
        let pattern = schema
            .pointer_mut(&pointer)
            .unwrap_or_else(|| panic!("the schema has no {pointer}"));
        assert_eq!(
            pattern, BROKEN_LANGUAGE_PATTERN,
            "the vendored schema changed"
        );
        *pattern = Value::String(FIXED_LANGUAGE_PATTERN.to_string());
    }
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
});

/// Fails with every schema error of a SARIF log.
pub(crate) fn assert_valid_sarif(log: &Value, context: &str) {
    let errors: Vec<String> = SARIF_SCHEMA
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{context}: invalid SARIF:\n{}",
        errors.join("\n")
    );
}

/// Checks what GitHub code scanning requires of an uploaded SARIF file beyond the schema,
/// as "SARIF support for code scanning" in GitHub's documentation lists it. The log has one
/// run with the tool's rules, and each rule has its descriptions, help and a default level.
/// Each result has a rule, a message, one to ten locations with a repository-relative URI,
/// 1-based positions and a fingerprint. There are at most 25,000 rules and results.
fn assert_code_scanning_accepts(log: &Value, context: &str) {
    assert!(log["$schema"].is_string(), "{context}: no $schema");
    assert_eq!(log["version"], "2.1.0", "{context}");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{context}: one run");
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints", "{context}");

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ramlint", "{context}");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(
        rules.len(),
        ramlint::rules::all().len(),
        "{context}: every rule"
    );
    assert!(rules.len() <= 25_000, "{context}");
    let mut ids = HashSet::new();
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(ids.insert(id), "{context}: rule {id} listed twice");
        for key in ["shortDescription", "fullDescription", "help"] {
            let text = rule[key]["text"].as_str().unwrap_or_default();
            assert!(!text.is_empty(), "{context}: rule {id} has no {key}.text");
        }
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(
            ["note", "warning", "error"].contains(&level),
            "{context}: rule {id} level {level}"
        );
        assert!(rule["name"].as_str().unwrap().len() <= 255, "{context}");
    }

    let results = run["results"].as_array().unwrap();
    assert!(results.len() <= 25_000, "{context}");
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "{context}: ruleIndex of {id}");
        assert!(
            !result["message"]["text"].as_str().unwrap().is_empty(),
            "{context}"
        );
        let locations = result["locations"].as_array().unwrap();
        assert!(
            (1..=10).contains(&locations.len()),
            "{context}: {} locations",
            locations.len()
        );
        let physical = &locations[0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.contains("://") && !uri.starts_with('/'),
            "{context}: URI {uri} is not relative to the repository"
        );
        if let Some(region) = physical.get("region") {
            let number = |key: &str| region[key].as_u64().unwrap();
            assert!(number("startLine") >= 1, "{context}");
            assert!(number("startColumn") >= 1, "{context}");
            assert!(number("endLine") >= number("startLine"), "{context}");
            if number("endLine") == number("startLine") {
                assert!(number("endColumn") >= number("startColumn"), "{context}");
            }
        }
        let fingerprints = result["partialFingerprints"].as_object().unwrap();
        assert!(
            !fingerprints.is_empty(),
            "{context}: no partialFingerprints"
        );
    }
}

#[test]
fn sarif_of_every_fixture_is_valid() {
    let mut checked = 0;
    for fixture in all_fixtures() {
        let context = relative(&fixture);
        let output = run_fixture(&fixture, "sarif");
        if output.code == 2 && output.stdout.is_empty() {
            // A configuration error stops the run before any report is written.
            assert!(
                context.contains("invalid-config"),
                "{context}: {}",
                output.stderr
            );
            continue;
        }
        let log: Value = serde_json::from_str(&output.stdout)
            .unwrap_or_else(|e| panic!("{context}: not JSON ({e})"));
        assert_valid_sarif(&log, &context);
        assert_code_scanning_accepts(&log, &context);
        checked += 1;
    }
    assert!(checked > 50, "only {checked} fixtures were checked");
}

#[test]
fn sarif_regions_match_json_spans() {
    let mut compared = 0;
    for fixture in all_fixtures() {
        let context = relative(&fixture);
        let json = run_fixture(&fixture, "json");
        if json.stdout.is_empty() {
            continue;
        }
        let sarif: Value = serde_json::from_str(&run_fixture(&fixture, "sarif").stdout).unwrap();
        let diagnostics = json.json()["diagnostics"].as_array().unwrap().clone();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(diagnostics.len(), results.len(), "{context}");
        for (diagnostic, result) in diagnostics.iter().zip(results) {
            assert_eq!(result["ruleId"], diagnostic["rule"], "{context}");
            assert_eq!(
                result["partialFingerprints"]["ramlint/v1"], diagnostic["fingerprint"],
                "{context}"
            );
            let region = &result["locations"][0]["physicalLocation"]["region"];
            let span = &diagnostic["span"];
            if span.is_null() {
                assert!(
                    region.is_null(),
                    "{context}: a whole-file diagnostic has a region"
                );
                continue;
            }
            assert_eq!(region["startLine"], span["start"]["line"], "{context}");
            assert_eq!(region["startColumn"], span["start"]["column"], "{context}");
            assert_eq!(region["endLine"], span["end"]["line"], "{context}");
            assert_eq!(region["endColumn"], span["end"]["column"], "{context}");
            compared += 1;
        }
    }
    assert!(compared > 50, "only {compared} regions were compared");
}

#[test]
fn sarif_columns_count_characters() {
    let output = run(&["check", "--format", "sarif", "fixtures/formats"]);
    let log: Value = serde_json::from_str(&output.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "invalid-effect");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    let line = r#"    {"Sid": "导出镜像", "Effect": "Alow", "Action": "ens:ExportImage", "Resource": "*"},"#;
    let byte_offset = line.find("\"Alow\"").unwrap();
    let characters_before = line[..byte_offset].chars().count() as u64;
    assert_eq!(region["startColumn"], characters_before + 1);
    assert_eq!(region["endColumn"], characters_before + 1 + 6);
}

#[test]
fn sarif_uri_is_percent_encoded() {
    let output = run(&["check", "--format", "sarif", "fixtures/formats"]);
    let log: Value = serde_json::from_str(&output.stdout).unwrap();
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "fixtures/formats/export%20role%2C%20100%25.json");
}

#[test]
fn sarif_help_uri_uses_repository_url() {
    let text = ramlint::report::sarif::render(&[], &[], "https://example.com/org/ramlint");
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&log, "with a repository URL");
    assert_code_scanning_accepts(&log, "with a repository URL");
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["informationUri"], "https://example.com/org/ramlint");
    for rule in driver["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        assert_eq!(
            rule["helpUri"],
            format!("https://example.com/org/ramlint/blob/main/docs/rules.md#{id}")
        );
    }
}

#[test]
fn sarif_related_locations_carry_labels() {
    let output = run(&[
        "check",
        "--format",
        "sarif",
        "--select",
        "duplicate-key",
        "fixtures/rules/duplicate-key/fail.json",
    ]);
    let log: Value = serde_json::from_str(&output.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "duplicate-key");
    let related = &result["relatedLocations"][0];
    assert_eq!(related["id"], 1);
    assert_eq!(related["message"]["text"], "first defined here");
    assert!(related["physicalLocation"]["region"]["startLine"].is_u64());
}

/// Splits a workflow command into its command, properties (unescaped) and message.
fn parse_workflow_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let unescape = |text: &str| {
        text.replace("%0A", "\n")
            .replace("%0D", "\r")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("a message after `::`");
    let (command, properties) = head.split_once(' ').unwrap_or((head, ""));
    let properties = properties
        .split(',')
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("key=value");
            (key.to_string(), unescape(value))
        })
        .collect();
    (command.to_string(), properties, unescape(message))
}

#[test]
fn github_commands_match_json_positions() {
    let github = run(&["check", "--format", "github", "--quiet"]
        .into_iter()
        .chain(SNAPSHOT_PATHS.iter().copied())
        .collect::<Vec<_>>());
    let json = run(&["check", "--format", "json"]
        .into_iter()
        .chain(SNAPSHOT_PATHS.iter().copied())
        .collect::<Vec<_>>());
    let report = json.json();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let lines: Vec<&str> = github.stdout.lines().collect();
    assert_eq!(lines.len(), diagnostics.len(), "{}", github.stdout);
    for (line, diagnostic) in lines.iter().zip(diagnostics) {
        let (command, properties, message) = parse_workflow_command(line);
        let expected_command = match diagnostic["severity"].as_str().unwrap() {
            "info" => "notice",
            other => other,
        };
        assert_eq!(command, expected_command, "{line}");
        let property = |key: &str| {
            properties
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            property("file").as_deref(),
            diagnostic["path"].as_str(),
            "{line}"
        );
        assert_eq!(
            property("title"),
            Some(format!("ramlint {}", diagnostic["rule"].as_str().unwrap()))
        );
        assert!(
            message.starts_with(diagnostic["message"].as_str().unwrap()),
            "{line}"
        );
        let span = &diagnostic["span"];
        if span.is_null() {
            assert_eq!(property("line"), None, "{line}");
            continue;
        }
        assert_eq!(property("line"), Some(span["start"]["line"].to_string()));
        assert_eq!(property("col"), Some(span["start"]["column"].to_string()));
        assert_eq!(property("endLine"), Some(span["end"]["line"].to_string()));
        assert_eq!(
            property("endColumn"),
            Some(span["end"]["column"].to_string())
        );
    }
}

#[test]
fn github_escapes_file_names_and_messages() {
    let output = run(&["check", "--format", "github", "fixtures/formats"]);
    let first = output.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=fixtures/formats/export role%2C 100%25.json,line=4,"),
        "{first}"
    );
    assert!(first.contains("%0Ahelp: "), "{first}");
    assert_eq!(first.matches("::").count(), 2, "{first}");
}

#[test]
fn github_quiet_omits_the_summary() {
    let loud = run(&["check", "--format", "github", "fixtures/formats"]);
    let quiet = run(&["check", "--format", "github", "--quiet", "fixtures/formats"]);
    assert!(loud.stdout.lines().last().unwrap().contains("suppressed"));
    assert!(
        quiet.stdout.lines().all(|line| line.starts_with("::")),
        "{}",
        quiet.stdout
    );
}

/// Parses a JUnit document and returns, per test case, its name, the `type` of each failure
/// and whether it was skipped. Parsing panics on XML that is not well-formed.
fn parse_junit(text: &str) -> Vec<(String, Vec<String>, bool)> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(text);
    let mut cases: Vec<(String, Vec<String>, bool)> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(element) | Event::Empty(element) => {
                let attribute = |name: &str| {
                    element
                        .attributes()
                        .map(|a| a.expect("a well-formed attribute"))
                        .find(|a| a.key.as_ref() == name.as_bytes())
                        .map(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                };
                match element.name().as_ref() {
                    b"testcase" => cases.push((attribute("name").unwrap(), Vec::new(), false)),
                    b"failure" => cases.last_mut().unwrap().1.push(attribute("type").unwrap()),
                    b"skipped" => cases.last_mut().unwrap().2 = true,
                    _ => {}
                }
            }
            Event::Text(text) => {
                text.decode().expect("text decodes");
            }
            Event::Eof => break,
            _ => {}
        }
    }
    cases
}

#[test]
fn junit_cases_and_failures_match_report() {
    let junit = run(&["check", "--format", "junit"]
        .into_iter()
        .chain(SNAPSHOT_PATHS.iter().copied())
        .collect::<Vec<_>>());
    let json = run(&["check", "--format", "json"]
        .into_iter()
        .chain(SNAPSHOT_PATHS.iter().copied())
        .collect::<Vec<_>>());
    let cases = parse_junit(&junit.stdout);
    let report = json.json();
    assert_eq!(
        cases.len() as u64,
        report["summary"]["files"].as_u64().unwrap()
    );
    let failures: usize = cases.iter().map(|(_, failures, _)| failures.len()).sum();
    assert_eq!(failures, report["diagnostics"].as_array().unwrap().len());
    let skipped: Vec<&str> = cases
        .iter()
        .filter(|(_, _, skipped)| *skipped)
        .map(|(name, _, _)| name.as_str())
        .collect();
    // The walk takes Markdown too (for stored requests in code blocks); neither file is a policy.
    assert_eq!(
        skipped,
        [
            "fixtures/formats/README.md",
            "fixtures/formats/package.json"
        ]
    );
    assert_eq!(
        junit.code, json.code,
        "the format does not change the exit code"
    );
}

#[test]
fn junit_escapes_markup_and_control_characters() {
    let markup = r#"{"Version": "1", "Statement": [{"Effect": "<Al&ow>", "Action": "ens:ExportImage", "Resource": "*"}]}"#;
    let output = run_with_stdin(&["check", "--format", "junit", "-"], markup.as_bytes());
    assert!(
        output.stdout.contains("&lt;Al&amp;ow&gt;"),
        "{}",
        output.stdout
    );
    let cases = parse_junit(&output.stdout);
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].1, ["invalid-effect"]);

    // A raw escape character is not valid in a JSON string, so this is invalid JSON whose
    // message quotes the character.
    let control = "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Al\u{1b}[31mow\"}]}";
    let output = run_with_stdin(&["check", "--format", "junit", "-"], control.as_bytes());
    assert!(!output.stdout.contains('\u{1b}'), "{}", output.stdout);
    let cases = parse_junit(&output.stdout);
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].1, ["invalid-json"]);
}

/// Replaces the rules' documentation in a SARIF log by a marker, so that the snapshot shows
/// the structure without repeating `docs/rules.md`.
fn shorten_rule_help(log: &mut Value) {
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        let id = rule["id"].as_str().unwrap().to_string();
        for key in ["fullDescription", "help"] {
            let object = rule[key].as_object_mut().unwrap();
            for (_, value) in object.iter_mut() {
                *value = Value::String(format!("[documentation of {id}]"));
            }
        }
    }
}

#[test]
fn format_snapshots() {
    for format in ["sarif", "github", "junit"] {
        let args: Vec<&str> = ["check", "--format", format]
            .into_iter()
            .chain(SNAPSHOT_PATHS.iter().copied())
            .collect();
        let output = run(&args);
        assert_eq!(output.code, 1, "{format}: {}", output.stderr);
        let stdout = if format == "sarif" {
            let mut log: Value = serde_json::from_str(&output.stdout).unwrap();
            shorten_rule_help(&mut log);
            serde_json::to_string_pretty(&log).unwrap()
        } else {
            output.stdout.clone()
        };
        insta::assert_snapshot!(format!("format_{format}"), stdout);
    }
}

#[test]
fn output_file_works_for_every_format() {
    let dir = crate::support::TempDir::new("output-formats");
    for format in ["text", "json", "sarif", "github", "junit"] {
        let path = dir.0.join(format!("report.{format}"));
        let to_file = run(&[
            "check",
            "--format",
            format,
            "--color",
            "never",
            "--output",
            path.to_str().unwrap(),
            "fixtures/formats",
        ]);
        let to_stdout = run(&[
            "check",
            "--format",
            format,
            "--color",
            "never",
            "fixtures/formats",
        ]);
        assert_eq!(to_file.code, to_stdout.code, "{format}");
        assert!(to_file.stdout.is_empty(), "{format}: {}", to_file.stdout);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            to_stdout.stdout,
            "{format}"
        );
    }
}
