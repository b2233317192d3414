//! Integrations: the pre-commit hook run as pre-commit runs it, the documented GitHub Actions
//! workflow's command, the configuration's JSON Schema, and the generated rule reference.

use std::path::Path;
use std::process::Command;

use saphyr::{LoadableYamlNode, Yaml};
use serde_json::Value;

use crate::support::{TempDir, files_in, root, run};

const BAD_EFFECT: &str = r#"{"Version": "1", "Statement": [{"Effect": "Alow", "Action": "ens:ExportImage", "Resource": "*"}]}"#;
const CLEAN: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*"}]}"#;

/// A hook of `.pre-commit-hooks.yaml`, with the keys pre-commit needs to run it.
struct Hook {
    entry: String,
    files: regex::Regex,
    pass_filenames: bool,
}

fn ramlint_hook() -> Hook {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let documents = Yaml::load_from_str(&text).expect(".pre-commit-hooks.yaml is YAML");
    let hooks = documents[0].as_vec().expect("a list of hooks");
    let hook = hooks
        .iter()
        .find(|hook| hook["id"].as_str() == Some("ramlint"))
        .expect("a hook with id ramlint");
    assert_eq!(hook["language"].as_str(), Some("rust"));
    assert!(hook["name"].as_str().is_some());
    Hook {
        entry: hook["entry"].as_str().unwrap().to_string(),
        files: regex::Regex::new(hook["files"].as_str().unwrap()).unwrap(),
        // pre-commit's default is true.
        pass_filenames: hook["pass_filenames"].as_bool().unwrap_or(true),
    }
}

/// Runs the hook's entry the way pre-commit does: split like a shell line, with the staged
/// files that match `files` appended, in the repository root. `ramlint` is this build.
fn run_hook(hook: &Hook, repository: &Path, staged: &[&str]) -> std::process::Output {
    let words = shlex::split(&hook.entry).expect("the entry splits like a shell line");
    assert_eq!(words[0], "ramlint");
    let files: Vec<&str> = staged
        .iter()
        .copied()
        .filter(|name| hook.files.is_match(name))
        .collect();
    Command::new(env!("CARGO_BIN_EXE_ramlint"))
        .args(&words[1..])
        .args(files)
        .current_dir(repository)
        .env("NO_COLOR", "1")
        .output()
        .expect("the ramlint binary runs")
}

#[test]
fn pre_commit_hook_checks_changed_files() {
    let hook = ramlint_hook();
    assert!(hook.pass_filenames, "the hook passes the changed files");

    let repository = TempDir::new("pre-commit");
    repository.write("ramlint.toml", "exclude = [\"vendor/**\"]\n");
    repository.write("policies/export.json", BAD_EFFECT);
    repository.write("policies/read.json", CLEAN);
    repository.write("vendor/upstream.json", BAD_EFFECT);
    repository.write("package.json", r#"{"name": "console", "version": "1.0.0"}"#);
    repository.write(
        "tsconfig.json",
        "{\n  // comments are allowed here\n  \"compilerOptions\": {}\n}\n",
    );
    repository.write("README.md", "# Policies\n");

    let output = run_hook(
        &hook,
        &repository.0,
        &[
            "README.md",
            "package.json",
            "policies/export.json",
            "policies/read.json",
            "tsconfig.json",
            "vendor/upstream.json",
        ],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("error[invalid-effect]") && stdout.contains("policies/export.json:1:"),
        "{stdout}"
    );
    assert!(!stdout.contains("vendor/"), "excluded: {stdout}");
    assert!(!stdout.contains("tsconfig.json"), "not a policy: {stdout}");
    // README.md is passed (Markdown may hold stored requests) and skipped as holding none;
    // vendor/ is excluded.
    assert!(
        stdout.contains("in 5 files (2 checked, 3 not recognised)"),
        "README.md is read and skipped, vendor/ is excluded: {stdout}"
    );
}

#[test]
fn pre_commit_hook_passes_without_policies() {
    let hook = ramlint_hook();
    let repository = TempDir::new("pre-commit-empty");
    repository.write("package.json", r#"{"name": "console"}"#);
    repository.write("tsconfig.json", "{ // comment\n}\n");
    repository.write(
        "ramlint.toml",
        "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies/*.json\"]\nreason = \"reviewed\"\n",
    );
    let output = run_hook(&hook, &repository.0, &["package.json", "tsconfig.json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Returns the fenced blocks of `language` in a Markdown file, in order.
fn code_blocks(markdown: &str, language: &str) -> Vec<String> {
    let fence = format!("```{language}\n");
    let mut blocks = Vec::new();
    let mut rest = markdown;
    while let Some(found) = rest.find(&fence) {
        let start = found + fence.len();
        let end = start + rest[start..].find("```").expect("a closed code block");
        blocks.push(rest[start..end].to_string());
        rest = &rest[end + 3..];
    }
    blocks
}

#[test]
fn documented_workflow_uploads_sarif() {
    let markdown = std::fs::read_to_string(root().join("docs/github-actions.md")).unwrap();
    let workflow = code_blocks(&markdown, "yaml").remove(0);
    let documents = Yaml::load_from_str(&workflow).expect("the workflow is YAML");
    let job = &documents[0]["jobs"]["ramlint"];
    assert_eq!(
        job["permissions"]["security-events"].as_str(),
        Some("write")
    );
    let steps = job["steps"].as_vec().unwrap();

    let check = steps
        .iter()
        .filter_map(|step| step.as_mapping_get("run").and_then(Yaml::as_str))
        .find(|command| command.starts_with("ramlint check"))
        .expect("a step runs ramlint check");
    let upload = steps
        .iter()
        .find(|step| {
            step.as_mapping_get("uses")
                .and_then(Yaml::as_str)
                .is_some_and(|uses| uses.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("a step uploads SARIF");
    let sarif_file = upload["with"]["sarif_file"].as_str().unwrap();

    // Run the documented command in a repository of our own, as the runner would.
    let words = shlex::split(check).unwrap();
    let output_index = words.iter().position(|w| w == "--output").unwrap();
    assert_eq!(words[output_index + 1], sarif_file);
    let repository = TempDir::new("workflow");
    repository.write("policies/export.json", BAD_EFFECT);
    let status = Command::new(env!("CARGO_BIN_EXE_ramlint"))
        .args(&words[1..])
        .current_dir(&repository.0)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(repository.0.join(sarif_file)).unwrap())
            .unwrap();
    crate::formats::assert_valid_sarif(&log, "the workflow's SARIF");
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(
        uri, "policies/export.json",
        "relative to the repository root"
    );
}

/// Converts TOML into the JSON that the schema describes; dates become strings.
fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::String(text.clone()),
        toml::Value::Integer(number) => Value::from(*number),
        toml::Value::Float(number) => Value::from(*number),
        toml::Value::Boolean(flag) => Value::Bool(*flag),
        toml::Value::Datetime(datetime) => Value::String(datetime.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .iter()
                .map(|(key, value)| (key.clone(), toml_to_json(value)))
                .collect(),
        ),
    }
}

fn config_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("ramlint.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("ramlint.schema.json compiles")
}

#[test]
fn config_schema_accepts_what_ramlint_accepts() {
    let schema = config_schema();
    let mut configs: Vec<(String, String)> = Vec::new();
    for dir in files_in(&root().join("fixtures/rules")) {
        for file in files_in(&dir) {
            if file.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&file).unwrap();
                configs.push((crate::support::relative(&file), text));
            }
        }
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let examples = code_blocks(&readme, "toml");
    assert!(examples.len() >= 2, "the README shows ramlint.toml");
    for example in examples {
        configs.push(("README.md".to_string(), example));
    }

    let dir = TempDir::new("config-schema");
    // The README's `[[grants]]` example names this policy file, which must exist.
    dir.write(
        "policies/image-exporter.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*"}]}"#,
    );
    let mut accepted = 0;
    for (name, text) in &configs {
        let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let instance = toml_to_json(&toml::Value::Table(table));
        let valid_for_schema = schema.is_valid(&instance);
        let config_path = dir.write("ramlint.toml", text);
        let valid_for_ramlint = run(&[
            "check",
            "--allow-empty",
            "--config",
            config_path.to_str().unwrap(),
            "fixtures/formats/package.json",
        ])
        .code
            != 2;
        assert_eq!(
            valid_for_schema, valid_for_ramlint,
            "{name}: the schema and ramlint disagree"
        );
        accepted += usize::from(valid_for_schema);
    }
    assert!(accepted >= 5, "only {accepted} configurations were valid");
}

#[test]
fn config_schema_lists_every_rule() {
    let text = std::fs::read_to_string(root().join("ramlint.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let severities = schema["properties"]["rules"]["properties"]
        .as_object()
        .unwrap();
    let ignore_rules = schema["definitions"]["IgnoreEntry"]["properties"]["rule"]["enum"]
        .as_array()
        .unwrap();
    for rule in ramlint::rules::all() {
        assert!(
            severities.contains_key(rule.id),
            "[rules] lacks {}",
            rule.id
        );
        assert!(
            ignore_rules.iter().any(|id| id == rule.id),
            "[[ignore]] rule lacks {}",
            rule.id
        );
    }
    let required = schema["definitions"]["IgnoreEntry"]["required"]
        .as_array()
        .unwrap();
    for key in ["rule", "paths", "reason"] {
        assert!(required.iter().any(|k| k == key), "{key} is not required");
    }
}

#[test]
fn generated_files_are_registered() {
    let outputs = ramlint::generate::outputs(&root()).unwrap();
    let paths: Vec<String> = outputs
        .iter()
        .map(|o| o.path.to_string_lossy().into_owned())
        .collect();
    assert!(paths.contains(&"docs/rules.md".to_string()), "{paths:?}");
    assert!(
        paths.contains(&"ramlint.schema.json".to_string()),
        "{paths:?}"
    );
}

/// Moves every Markdown heading outside code blocks one level down.
fn demote_headings(text: &str) -> String {
    let mut out = String::new();
    let mut in_code_block = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code_block = !in_code_block;
        }
        if !in_code_block && line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn rules_doc_matches_rule_command() {
    let doc = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    for rule in ramlint::rules::all() {
        let output = run(&["rule", rule.id]);
        assert_eq!(output.code, 0, "{}", rule.id);
        let section = demote_headings(&output.stdout);
        assert!(
            doc.contains(&section),
            "docs/rules.md does not contain `ramlint rule {}` one level down; run scripts/generate-data",
            rule.id
        );
        assert!(
            doc.contains(&format!("| [`{id}`](#{id}) |", id = rule.id)),
            "the table of docs/rules.md lacks {}",
            rule.id
        );
    }
}
