//! The command line's behaviour: discovery, loading, exit codes, output and configuration.

use crate::support::{TempDir, run, run_with_stdin};

const CLEAN: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*"}]}"#;
const BAD_EFFECT: &str = r#"{"Version": "1", "Statement": [{"Effect": "Alow", "Action": "ens:ExportImage", "Resource": "*"}]}"#;
const UNKNOWN_KEY: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*", "Sids": "x"}]}"#;

#[test]
fn clean_policy_exits_zero() {
    let dir = TempDir::new("clean");
    let path = dir.write("policy.json", CLEAN);
    let output = run(&["check", path.to_str().unwrap()]);
    assert_eq!(output.code, 0, "{}", output.stdout);
    assert!(
        output
            .stdout
            .contains("0 errors, 0 warnings, 0 infos in 1 file (1 checked, 0 not recognised)"),
        "{}",
        output.stdout
    );
}

#[test]
fn error_exits_one_and_points_at_value() {
    let dir = TempDir::new("error");
    let path = dir.write("policy.json", BAD_EFFECT);
    let output = run(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(output.code, 1);
    let report = output.json();
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["rule"], "invalid-effect");
    let start = diagnostic["span"]["start"]["offset"].as_u64().unwrap() as usize;
    let end = diagnostic["span"]["end"]["offset"].as_u64().unwrap() as usize;
    assert_eq!(&BAD_EFFECT[start..end], "\"Alow\"");
    assert_eq!(diagnostic["span"]["start"]["column"], start as u64 + 1);
}

#[test]
fn missing_path_is_io_error_and_exit_two() {
    let dir = TempDir::new("missing");
    let good = dir.write("bad.json", BAD_EFFECT);
    let missing = dir.0.join("nope.json");
    let output = run(&[
        "check",
        "--format",
        "json",
        missing.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(output.code, 2);
    let rules = output.rules();
    assert!(rules.contains(&"io-error".to_string()), "{rules:?}");
    assert!(
        rules.contains(&"invalid-effect".to_string()),
        "the other file is still checked: {rules:?}"
    );
}

#[test]
fn fail_on_controls_the_exit_code() {
    let dir = TempDir::new("fail-on");
    let path = dir.write("policy.json", UNKNOWN_KEY);
    let path = path.to_str().unwrap();
    assert_eq!(
        run(&["check", path]).code,
        0,
        "a warning does not fail by default"
    );
    assert_eq!(run(&["check", "--fail-on", "warning", path]).code, 1);
    assert_eq!(run(&["check", "--fail-on", "never", path]).code, 0);
    let bad = dir.write("bad.json", BAD_EFFECT);
    assert_eq!(
        run(&["check", "--fail-on", "never", bad.to_str().unwrap()]).code,
        0
    );
}

#[test]
fn folder_walk_skips_non_policies_quietly() {
    let dir = TempDir::new("walk");
    dir.write("policy.json", CLEAN);
    dir.write("package.json", r#"{"name": "app", "version": "1.0.0"}"#);
    dir.write(
        "tsconfig.json",
        "{\n  // comments are fine here\n  \"compilerOptions\": {}\n}",
    );
    dir.write("notes.txt", BAD_EFFECT);
    let output = run(&["check", "--format", "json", dir.path()]);
    assert_eq!(output.code, 0, "{}", output.stdout);
    let report = output.json();
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(
        report["summary"]["files"], 4,
        "notes.txt is walked for stored requests"
    );
    assert_eq!(report["summary"]["checked"], 1);
    assert_eq!(
        report["summary"]["not_recognised"], 3,
        "a policy in a .txt file is not checked in a folder scan"
    );
}

#[test]
fn broken_policy_in_walk_is_reported() {
    let dir = TempDir::new("walk-broken");
    dir.write("policy.json", "{\"Version\": \"1\", \"Statement\": [],}");
    let output = run(&["check", "--format", "json", dir.path()]);
    assert_eq!(output.rules(), vec!["invalid-json"]);
}

#[test]
fn explicit_file_is_read_whatever_its_extension() {
    let dir = TempDir::new("explicit");
    let path = dir.write("policy.txt", BAD_EFFECT);
    let output = run(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(output.rules(), vec!["invalid-effect"]);
    let broken = dir.write("tsconfig.json", "{ // comment\n}");
    let output = run(&["check", "--format", "json", broken.to_str().unwrap()]);
    assert_eq!(
        output.rules(),
        vec!["invalid-json"],
        "a named file is always reported"
    );
}

#[test]
fn nothing_to_check_is_not_success() {
    let dir = TempDir::new("empty");
    dir.write("package.json", r#"{"name": "app"}"#);
    let output = run(&["check", dir.path()]);
    assert_eq!(output.code, 2);
    assert!(
        output
            .stderr
            .contains("no RAM policy or stored request was found"),
        "{}",
        output.stderr
    );
    assert_eq!(run(&["check", "--allow-empty", dir.path()]).code, 0);
}

#[test]
fn gitignore_ignore_and_exclude_are_honoured() {
    let dir = TempDir::new("ignore");
    dir.write(".gitignore", "build/\n");
    dir.write(".ignore", "scratch.json\n");
    dir.write("build/policy.json", BAD_EFFECT);
    dir.write("scratch.json", BAD_EFFECT);
    dir.write("vendor/policy.json", BAD_EFFECT);
    dir.write("policies/ok.json", CLEAN);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--exclude",
        "vendor/**",
        dir.path(),
    ]);
    let report = output.json();
    assert_eq!(report["summary"]["files"], 1, "{}", output.stdout);
    assert_eq!(output.code, 0);

    dir.write("ramlint.toml", "exclude = [\"policies\"]\n");
    let config = dir.0.join("ramlint.toml");
    let output = run(&[
        "check",
        "--format",
        "json",
        "--allow-empty",
        "--config",
        config.to_str().unwrap(),
        dir.path(),
    ]);
    assert_eq!(
        output.json()["summary"]["files"],
        1,
        "vendor is walked again, policies excluded: {}",
        output.stdout
    );
}

#[test]
fn exclude_applies_to_named_files_only_when_forced() {
    let dir = TempDir::new("force-exclude");
    let path = dir.write("vendor/policy.json", BAD_EFFECT);
    let path = path.to_str().unwrap();
    assert_eq!(run(&["check", "--exclude", "vendor", path]).code, 1);
    let output = run(&[
        "check",
        "--exclude",
        "vendor",
        "--force-exclude",
        "--allow-empty",
        path,
    ]);
    assert_eq!(output.code, 0, "{}", output.stdout);
}

#[test]
fn standard_input_is_read_with_dash() {
    let output = run_with_stdin(&["check", "--format", "json", "-"], BAD_EFFECT.as_bytes());
    assert_eq!(output.code, 1);
    let report = output.json();
    assert_eq!(report["diagnostics"][0]["path"], "-");
    assert_eq!(report["diagnostics"][0]["rule"], "invalid-effect");
}

#[test]
fn byte_order_mark_keeps_original_offsets() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(BAD_EFFECT.as_bytes());
    let output = run_with_stdin(&["check", "--format", "json", "-"], &bytes);
    let span = &output.json()["diagnostics"][0]["span"];
    let start = span["start"]["offset"].as_u64().unwrap() as usize;
    assert_eq!(&bytes[start..start + 6], b"\"Alow\"");
    // Editors do not show the mark, so columns on line 1 count from after it.
    let column_without = BAD_EFFECT.find("\"Alow\"").unwrap() as u64 + 1;
    assert_eq!(span["start"]["column"], column_without);
}

#[test]
fn utf16_is_named() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in BAD_EFFECT.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let output = run_with_stdin(&["check", "--format", "json", "-"], &bytes);
    let report = output.json();
    assert_eq!(report["diagnostics"][0]["rule"], "invalid-encoding");
    let message = report["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("UTF-16LE") && message.contains("byte-order mark"),
        "{message}"
    );
    assert_eq!(
        output.code, 1,
        "a file that is read but not UTF-8 is a finding, not exit 2"
    );
}

#[test]
fn invalid_utf8_names_the_offset() {
    let mut bytes = BAD_EFFECT.as_bytes().to_vec();
    let at = BAD_EFFECT.find("ExportImage").unwrap();
    bytes[at] = 0xFF;
    let output = run_with_stdin(&["check", "--format", "json", "-"], &bytes);
    let diagnostic = &output.json()["diagnostics"][0];
    assert_eq!(
        diagnostic["message"],
        format!("byte {at} is not valid UTF-8")
    );
    assert_eq!(diagnostic["span"]["start"]["offset"], at as u64);
    assert_eq!(diagnostic["span"]["start"]["column"], at as u64 + 1);
}

#[test]
fn size_cap_reports_instead_of_reading() {
    let dir = TempDir::new("cap");
    let path = dir.write("big.json", BAD_EFFECT);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--max-file-size",
        "50",
        path.to_str().unwrap(),
    ]);
    let report = output.json();
    assert_eq!(output.rules(), vec!["file-too-large"]);
    assert!(report["diagnostics"][0]["span"].is_null());
    assert_eq!(output.code, 1);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_io_error_and_scan_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("unreadable");
    let locked = dir.write("locked.json", CLEAN);
    dir.write("other.json", BAD_EFFECT);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        eprintln!("skipped: running as root, so a file with permission 000 is still readable");
        return;
    }
    let output = run(&["check", "--format", "json", dir.path()]);
    assert_eq!(output.code, 2);
    let rules = output.rules();
    assert!(rules.contains(&"io-error".to_string()), "{rules:?}");
    assert!(rules.contains(&"invalid-effect".to_string()), "{rules:?}");
}

#[test]
fn output_is_sorted_by_path_position_and_rule() {
    let dir = TempDir::new("sorted");
    dir.write("b.json", BAD_EFFECT);
    dir.write(
        "a.json",
        r#"{"Version": "2", "Statement": [{"Effect": "Deny", "Action": "x", "Resource": "*"}]}"#,
    );
    let output = run(&["check", "--format", "json", "--jobs", "3", dir.path()]);
    let report = output.json();
    let keys: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["span"]["start"]["offset"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys.len(), 3);
}

#[test]
fn select_ignore_and_config_severities_combine() {
    let dir = TempDir::new("select");
    let path = dir.write("policy.json", r#"{"Version": "1", "Statement": [{"Effect": "Alow", "Action": "ecs: Describe*", "Resource": "*", "Sids": "x"}]}"#);
    let path = path.to_str().unwrap();
    let all = run(&["check", "--format", "json", path]).rules();
    assert_eq!(
        all,
        vec!["invalid-effect", "invalid-action", "unknown-element"]
    );
    assert_eq!(
        run(&[
            "check",
            "--format",
            "json",
            "--select",
            "invalid-action",
            path
        ])
        .rules(),
        vec!["invalid-action"]
    );
    assert_eq!(
        run(&[
            "check",
            "--format",
            "json",
            "--ignore",
            "invalid-action,unknown-element",
            path
        ])
        .rules(),
        vec!["invalid-effect"]
    );
    let config = dir.write(
        "ramlint.toml",
        "[rules]\ninvalid-effect = \"off\"\nunknown-element = \"error\"\n",
    );
    let output = run(&[
        "check",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
        path,
    ]);
    let report = output.json();
    assert_eq!(output.rules(), vec!["invalid-action", "unknown-element"]);
    assert_eq!(report["diagnostics"][1]["severity"], "error");
    let unknown = run(&["check", "--select", "invalid-efect", path]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `invalid-effect`?"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn json_report_has_the_documented_shape() {
    let output = run_with_stdin(&["check", "--format", "json", "-"], BAD_EFFECT.as_bytes());
    let report = output.json();
    let keys = |value: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&report), ["diagnostics", "summary", "tool", "version"]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "ramlint");
    assert_eq!(
        keys(&report["diagnostics"][0]),
        [
            "fingerprint",
            "help",
            "labels",
            "message",
            "path",
            "rule",
            "severity",
            "span"
        ]
    );
    assert_eq!(
        keys(&report["diagnostics"][0]["span"]["start"]),
        ["column", "line", "offset"]
    );
    for key in ["files", "errors", "warnings", "infos"] {
        assert!(report["summary"][key].is_u64(), "summary.{key}");
    }
}

#[test]
fn duplicate_key_labels_both_places() {
    let text = r#"{"Version": "1", "Statement": [{"Effect": "Deny", "Action": "ram:*", "Effect": "Allow", "Resource": "*"}]}"#;
    let output = run_with_stdin(
        &[
            "check",
            "--format",
            "json",
            "--select",
            "duplicate-key",
            "-",
        ],
        text.as_bytes(),
    );
    let diagnostic = &output.json()["diagnostics"][0];
    assert_eq!(diagnostic["rule"], "duplicate-key");
    let second = text.rfind("\"Effect\"").unwrap() as u64;
    let first = text.find("\"Effect\"").unwrap() as u64;
    assert_eq!(diagnostic["span"]["start"]["offset"], second);
    assert_eq!(diagnostic["labels"][0]["span"]["start"]["offset"], first);
    assert_eq!(diagnostic["labels"][0]["message"], "first defined here");
}

#[test]
fn underlines_account_for_wide_characters_and_tabs() {
    let text = "{\"Version\": \"1\", \"Statement\": [{\"Sid\": \"导出镜像\",\t\"Effect\": \"Alow\", \"Action\": \"ens:ExportImage\", \"Resource\": \"*\"}]}";
    let output = run_with_stdin(&["check", "--color", "never", "-"], text.as_bytes());
    insta::assert_snapshot!("wide_characters_and_tabs", output.stdout);
    let lines: Vec<&str> = output.stdout.lines().collect();
    let source = lines.iter().position(|l| l.contains("导出镜像")).unwrap();
    let underline = lines[source + 1];
    let caret = underline.find('^').unwrap();
    // Everything before the value is measured in display columns: wide characters count two
    // and the tab four.
    let prefix = &lines[source][..lines[source].find("\"Alow\"").unwrap()];
    let width: usize = prefix
        .chars()
        .map(|c| {
            if ('\u{4e00}'..='\u{9fff}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum();
    assert_eq!(caret, width);
    assert_eq!(underline.matches('^').count(), 6);
}

#[test]
fn terminal_escapes_in_files_are_escaped() {
    let text = "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Al\u{1b}[31mow\", \"Action\": \"ens:ExportImage\", \"Resource\": \"*\"}]}";
    let output = run_with_stdin(&["check", "--color", "never", "-"], text.as_bytes());
    assert!(!output.stdout.contains('\u{1b}'), "{:?}", output.stdout);
    assert!(
        output.stdout.contains("Al\\u{1b}[31mow"),
        "{}",
        output.stdout
    );
}

#[test]
fn quiet_prints_only_diagnostics_and_output_writes_a_file() {
    let dir = TempDir::new("quiet");
    let path = dir.write("policy.json", BAD_EFFECT);
    let quiet = run(&[
        "check",
        "--quiet",
        "--color",
        "never",
        path.to_str().unwrap(),
    ]);
    assert!(
        quiet.stdout.starts_with("error[invalid-effect]"),
        "{}",
        quiet.stdout
    );
    assert!(!quiet.stdout.contains("in 1 file"), "{}", quiet.stdout);

    let report = dir.0.join("report.json");
    let output = run(&[
        "check",
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.code, 1);
    assert!(output.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(written["diagnostics"][0]["rule"], "invalid-effect");
}

#[test]
fn colour_is_off_unless_asked_for() {
    let plain = run_with_stdin(&["check", "-"], BAD_EFFECT.as_bytes());
    assert!(!plain.stdout.contains('\u{1b}'));
    let coloured = run_with_stdin(&["check", "--color", "always", "-"], BAD_EFFECT.as_bytes());
    assert!(
        coloured
            .stdout
            .contains("\u{1b}[1;31merror[invalid-effect]"),
        "{}",
        coloured.stdout
    );
}

#[test]
fn rules_command_lists_every_rule() {
    let output = run(&["rules"]);
    assert_eq!(output.code, 0);
    for rule in ramlint::rules::all() {
        assert!(output.stdout.contains(rule.id), "{} missing", rule.id);
    }
    let json = run(&["rules", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), ramlint::rules::all().len());
    insta::assert_snapshot!("rules_list", output.stdout);
}

#[test]
fn rule_command_prints_documentation() {
    let output = run(&["rule", "invalid-effect"]);
    assert_eq!(output.code, 0);
    assert!(output.stdout.starts_with("# invalid-effect\n"));
    assert!(output.stdout.contains("## Why it matters"));
    let unknown = run(&["rule", "invalid-efect"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("did you mean `invalid-effect`?"));
}

#[test]
fn fingerprints_survive_reformatting_and_other_fixes() {
    let fingerprint = |text: &str, rule: &str| {
        let args = ["check", "--format", "json", "--select", rule, "-"];
        run_with_stdin(&args, text.as_bytes()).json()["diagnostics"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let compact = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"},{"Effect":"Alow","Action":"Oss: GetObject","Resource":"*"}]}"#;
    let reformatted = "{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"ecs:*\", \"Resource\": \"*\"},\n    {\"Effect\":   \"Alow\", \"Action\": \"Oss: GetObject\", \"Resource\": \"*\"}\n  ]\n}\n";
    let original = fingerprint(compact, "invalid-effect");
    assert_eq!(original, fingerprint(reformatted, "invalid-effect"));

    // Fixing another finding in the same statement keeps this one's fingerprint, so a
    // baseline's findings can be fixed one at a time.
    let action_fixed = compact.replace("Oss: GetObject", "oss:GetObject");
    assert_eq!(original, fingerprint(&action_fixed, "invalid-effect"));

    // Changing the offending value gives a new fingerprint.
    let effect_changed = compact.replace("\"Alow\"", "\"Alloww\"");
    assert_ne!(original, fingerprint(&effect_changed, "invalid-effect"));

    // A statement with a `Sid` keeps its fingerprints when it moves.
    let with_sid = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"},{"Sid":"Read","Effect":"Alow","Action":"oss:GetObject","Resource":"*"}]}"#;
    let moved = r#"{"Version":"1","Statement":[{"Sid":"Read","Effect":"Alow","Action":"oss:GetObject","Resource":"*"},{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}"#;
    assert_eq!(
        fingerprint(with_sid, "invalid-effect"),
        fingerprint(moved, "invalid-effect")
    );
}

/// A writer whose reader has gone away, as when the output is piped into `head`.
struct ClosedPipe;

impl std::io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn closed_output_pipe_is_not_reported() {
    let mut stderr = Vec::new();
    let argv = [
        "ramlint",
        "check",
        "fixtures/rules/invalid-effect/fail.json",
    ];
    let code = ramlint::cli::run(argv, &mut &b""[..], &mut ClosedPipe, &mut stderr);
    // The report was not delivered whole, so the run does not claim success.
    assert_eq!(code, 2);
    assert_eq!(String::from_utf8(stderr).unwrap(), "");
}
