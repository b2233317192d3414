//! The CI gate: suppressions in ramlint.toml, baselines, and how `--fail-on`, `--select`,
//! `--ignore` and `[rules]` combine.

use crate::support::{TempDir, run};

/// A policy with an invalid effect in the first statement (`/Statement/0/Effect`) and an
/// unknown element in the second (`/Statement/1/Sids`).
const POLICY: &str = r#"{
  "Version": "1",
  "Statement": [
    {"Sid": "Export", "Effect": "Alow", "Action": "ens:ExportImage", "Resource": "*"},
    {"Sid": "Read", "Effect": "Allow", "Action": "oss:GetObject", "Resource": "*", "Sids": "x"}
  ]
}
"#;

/// Writes `POLICY` to `policies/role.json` and `config` to `ramlint.toml`, then runs
/// `check --format json` on the folder with that configuration and any extra arguments.
fn check_with_config(dir: &TempDir, config: &str, extra: &[&str]) -> crate::support::Output {
    dir.write("policies/role.json", POLICY);
    let config_path = dir.write("ramlint.toml", config);
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--config",
        config_path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let folder = dir.0.join("policies");
    let folder = folder.to_str().unwrap().to_string();
    args.push(&folder);
    run(&args)
}

#[test]
fn suppression_hides_and_counts() {
    let dir = TempDir::new("suppress-basic");
    let output = check_with_config(
        &dir,
        "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies/role.json\"]\nreason = \"fixed in the next release\"\n",
        &[],
    );
    assert_eq!(output.rules(), ["unknown-element"]);
    assert_eq!(output.json()["summary"]["suppressed"], 1);
    assert_eq!(
        output.code, 0,
        "the remaining warning does not fail the run"
    );
}

#[test]
fn suppression_summary_line_counts_it() {
    let dir = TempDir::new("suppress-summary");
    dir.write("policies/role.json", POLICY);
    let config = dir.write(
        "ramlint.toml",
        "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"role.json\"]\nreason = \"reviewed\"\n",
    );
    let output = run(&[
        "check",
        "--color",
        "never",
        "--config",
        config.to_str().unwrap(),
        dir.0.join("policies").to_str().unwrap(),
    ]);
    let summary = output.stdout.lines().last().unwrap();
    assert_eq!(
        summary,
        "0 errors, 1 warning, 0 infos in 1 file (1 checked, 0 not recognised); 1 suppressed"
    );
}

#[test]
fn suppression_pointer_narrows_to_a_subtree() {
    let dir = TempDir::new("suppress-pointer");
    let entry = |pointer: &str| {
        format!(
            "[[ignore]]\nrule = \"unknown-element\"\npaths = [\"policies/*.json\"]\npointer = \"{pointer}\"\nreason = \"kept for an old reader\"\n"
        )
    };
    let inside = check_with_config(&dir, &entry("/Statement/1"), &[]);
    assert_eq!(inside.rules(), ["invalid-effect"], "{}", inside.stdout);

    let other = check_with_config(&dir, &entry("/Statement/0"), &[]);
    let rules = other.rules();
    assert!(rules.contains(&"unknown-element".to_string()), "{rules:?}");
    assert!(
        rules.contains(&"unused-suppression".to_string()),
        "{rules:?}"
    );

    // `/Statement/1/Sid` is a prefix of `/Statement/1/Sids` as text but not as a pointer.
    let prefix = check_with_config(&dir, &entry("/Statement/1/Sid"), &[]);
    assert!(
        prefix.rules().contains(&"unknown-element".to_string()),
        "{}",
        prefix.stdout
    );
}

#[test]
fn suppression_fingerprint_selects_one_diagnostic() {
    let dir = TempDir::new("suppress-fingerprint");
    let before = check_with_config(&dir, "", &[]);
    let fingerprint = before.json()["diagnostics"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let config = format!(
        "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies\"]\nfingerprint = \"{fingerprint}\"\nreason = \"reviewed\"\n"
    );
    let after = check_with_config(&dir, &config, &[]);
    assert_eq!(after.rules(), ["unknown-element"]);
}

#[test]
fn suppression_paths_are_relative_to_config() {
    // The run starts in the crate root; the glob is relative to the temporary folder.
    let dir = TempDir::new("suppress-relative");
    let output = check_with_config(
        &dir,
        "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies/**\"]\nreason = \"reviewed\"\n",
        &[],
    );
    assert_eq!(output.rules(), ["unknown-element"]);

    let elsewhere = check_with_config(
        &dir,
        "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"other/**\"]\nreason = \"reviewed\"\n",
        &[],
    );
    assert!(
        elsewhere.rules().contains(&"invalid-effect".to_string()),
        "{}",
        elsewhere.stdout
    );
}

#[test]
fn suppression_without_reason_is_config_error() {
    let dir = TempDir::new("suppress-no-reason");
    let output = check_with_config(
        &dir,
        "fail-on = \"error\"\n\n[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies/role.json\"]\n",
        &[],
    );
    assert_eq!(output.code, 2);
    assert!(output.stdout.is_empty(), "{}", output.stdout);
    assert!(
        output.stderr.contains(
            "error[invalid-config]: this [[ignore]] entry for `invalid-effect` has no `reason`"
        ),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("ramlint.toml:3:1"),
        "{}",
        output.stderr
    );
}

#[test]
fn suppression_paths_outside_the_folder_are_config_errors() {
    let dir = TempDir::new("suppress-outside");
    let absolute = format!("{}/policies/role.json", dir.path());
    let cases = [
        (
            absolute.as_str(),
            "is an absolute path, so it matches nothing",
            "`policies/role.json`",
        ),
        (
            "../elsewhere/*.json",
            "leads out of the folder it is relative to, so it matches nothing",
            "inside the folder of the configuration only",
        ),
    ];
    for (pattern, message, help) in cases {
        let config = format!(
            "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"{pattern}\"]\nreason = \"moved\"\n"
        );
        let output = check_with_config(&dir, &config, &[]);
        assert_eq!(output.code, 2, "{pattern}: {}", output.stderr);
        assert!(output.stderr.contains(message), "{}", output.stderr);
        assert!(output.stderr.contains(help), "{}", output.stderr);
        // The underline covers the pattern and its quotes, on line 3 from column 10.
        assert!(
            output.stderr.contains("ramlint.toml:3:10"),
            "{}",
            output.stderr
        );
        let underline = format!("^{}^", "^".repeat(pattern.len()));
        assert!(output.stderr.contains(&underline), "{}", output.stderr);
    }
}

#[test]
fn absolute_exclude_is_config_error() {
    let dir = TempDir::new("exclude-absolute");
    let config = format!("exclude = [\"{}/policies/**\"]\n", dir.path());
    let output = check_with_config(&dir, &config, &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains("is an absolute path, so it matches nothing"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("`policies/**`"), "{}", output.stderr);
}

#[test]
fn suppression_values_are_checked() {
    let dir = TempDir::new("suppress-invalid");
    let cases = [
        ("rule = \"invalid-efect\"", "did you mean `invalid-effect`?"),
        (
            "rule = \"unused-suppression\"",
            "`unused-suppression` cannot be suppressed",
        ),
        ("reason = \"  \"", "`reason` is empty"),
        ("paths = []", "has an empty `paths`"),
        ("paths = [\"a/[b\"]", "invalid glob \"a/[b\""),
        (
            "pointer = \"Statement/0\"",
            "a JSON pointer starts with `/`",
        ),
        (
            "fingerprint = \"abc\"",
            "a fingerprint is 16 hexadecimal digits",
        ),
        ("expires = \"2027-06-30\"", "not a TOML date"),
        ("expires = 2027-06-30T10:00:00Z", "without a time"),
        ("reasons = \"typo\"", "unknown field `reasons`"),
    ];
    for (line, expected) in cases {
        let key = line.split(' ').next().unwrap();
        let mut entry = String::from("[[ignore]]\n");
        for (default_key, default_line) in [
            ("rule", "rule = \"invalid-effect\""),
            ("paths", "paths = [\"policies/role.json\"]"),
            ("reason", "reason = \"reviewed\""),
        ] {
            if default_key != key {
                entry.push_str(default_line);
                entry.push('\n');
            }
        }
        entry.push_str(line);
        entry.push('\n');
        let output = check_with_config(&dir, &entry, &[]);
        assert_eq!(output.code, 2, "{line}: {}", output.stdout);
        assert!(
            output.stderr.contains(expected),
            "{line}: {}",
            output.stderr
        );
    }
}

#[test]
fn suppression_pointer_and_fingerprint_conflict() {
    let dir = TempDir::new("suppress-both");
    let output = check_with_config(
        &dir,
        "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies\"]\npointer = \"/Statement/0\"\nfingerprint = \"0123456789abcdef\"\nreason = \"reviewed\"\n",
        &[],
    );
    assert_eq!(output.code, 2);
    assert!(
        output
            .stderr
            .contains("give `pointer` or `fingerprint`, not both"),
        "{}",
        output.stderr
    );
}

#[test]
fn expired_suppression_reports_again() {
    let dir = TempDir::new("suppress-expired");
    let entry = |date: &str| {
        format!(
            "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies\"]\nreason = \"until the migration\"\nexpires = {date}\n"
        )
    };
    let expired = check_with_config(&dir, &entry("2001-01-31"), &[]);
    let report = expired.json();
    // Sorted by path: `policies/role.json` comes before `ramlint.toml`.
    assert_eq!(
        expired.rules(),
        ["invalid-effect", "unknown-element", "expired-suppression"]
    );
    let diagnostic = &report["diagnostics"][2];
    assert!(
        diagnostic["path"]
            .as_str()
            .unwrap()
            .ends_with("ramlint.toml")
    );
    assert_eq!(diagnostic["span"]["start"]["line"], 5);
    assert_eq!(diagnostic["span"]["start"]["column"], 11);
    assert_eq!(diagnostic["span"]["end"]["column"], 21);
    assert_eq!(expired.code, 1);

    let live = check_with_config(&dir, &entry("2999-12-31"), &[]);
    assert_eq!(live.rules(), ["unknown-element"]);
}

#[test]
fn unused_suppression_points_at_entry() {
    let dir = TempDir::new("suppress-unused");
    let config = "fail-on = \"error\"\n\n[[ignore]]\nrule = \"invalid-action\"\npaths = [\"policies/role.json\"]\nreason = \"reviewed\"\n";
    let output = check_with_config(&dir, config, &[]);
    let report = output.json();
    let unused = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unused-suppression")
        .expect("an unused-suppression diagnostic");
    let start = unused["span"]["start"]["offset"].as_u64().unwrap() as usize;
    let end = unused["span"]["end"]["offset"].as_u64().unwrap() as usize;
    assert_eq!(&config[start..end], "[[ignore]]");
    assert_eq!(unused["severity"], "warning");
    assert_eq!(
        report["summary"]["files"], 1,
        "ramlint.toml is not a scanned file"
    );
}

#[test]
fn unused_suppression_needs_rule_and_files() {
    let dir = TempDir::new("suppress-unused-scope");
    let config = "[[ignore]]\nrule = \"invalid-action\"\npaths = [\"policies/role.json\"]\nreason = \"reviewed\"\n";

    let rule_off = check_with_config(&dir, config, &["--select", "invalid-effect"]);
    assert_eq!(rule_off.rules(), ["invalid-effect"], "the rule did not run");

    let ignored = check_with_config(&dir, config, &["--ignore", "unused-suppression"]);
    assert!(!ignored.rules().contains(&"unused-suppression".to_string()));

    // A partial run that reads none of the entry's files cannot tell whether it is used.
    dir.write("other/clean.json", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*"}]}"#);
    let config_path = dir.0.join("ramlint.toml");
    let partial = run(&[
        "check",
        "--format",
        "json",
        "--config",
        config_path.to_str().unwrap(),
        dir.0.join("other/clean.json").to_str().unwrap(),
    ]);
    assert_eq!(partial.rules(), Vec::<String>::new(), "{}", partial.stdout);
}

#[test]
fn unused_suppression_names_missing_file() {
    let dir = TempDir::new("suppress-missing");
    let config = "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies/retired.json\"]\nreason = \"reviewed\"\n";
    dir.write("policies/role.json", POLICY);
    let config_path = dir.write("ramlint.toml", config);
    // The run reads a different file, yet a literal path that does not exist is stale.
    let output = run(&[
        "check",
        "--format",
        "json",
        "--config",
        config_path.to_str().unwrap(),
        dir.0.join("policies/role.json").to_str().unwrap(),
    ]);
    let report = output.json();
    assert_eq!(
        output.rules(),
        ["invalid-effect", "unknown-element", "unused-suppression"]
    );
    let unused = &report["diagnostics"][2];
    let start = unused["span"]["start"]["offset"].as_u64().unwrap() as usize;
    let end = unused["span"]["end"]["offset"].as_u64().unwrap() as usize;
    assert_eq!(&config[start..end], "\"policies/retired.json\"");
}

#[test]
fn suppression_diagnostics_honour_rule_severity() {
    let dir = TempDir::new("suppress-severity");
    let config = "[rules]\nunused-suppression = \"error\"\n\n[[ignore]]\nrule = \"invalid-action\"\npaths = [\"policies\"]\nreason = \"reviewed\"\n";
    let output = check_with_config(&dir, config, &["--ignore", "invalid-effect"]);
    let report = output.json();
    let unused = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unused-suppression")
        .unwrap();
    assert_eq!(unused["severity"], "error");
    assert_eq!(output.code, 1);
}

/// Runs `check --format json` on one file with extra arguments.
fn check_file(path: &std::path::Path, extra: &[&str]) -> crate::support::Output {
    let mut args = vec!["check", "--format", "json", "--no-config"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    run(&args)
}

#[test]
fn baseline_hides_recorded_diagnostics() {
    let dir = TempDir::new("baseline-basic");
    let policy = dir.write("role.json", POLICY);
    let baseline = dir.0.join("baseline.json");
    let baseline = baseline.to_str().unwrap();

    let written = check_file(&policy, &["--write-baseline", baseline]);
    assert_eq!(written.code, 0, "the recorded diagnostics no longer fail");
    assert_eq!(written.json()["summary"]["suppressed"], 2);
    assert!(
        written
            .stderr
            .contains("wrote 2 diagnostics to the baseline"),
        "{}",
        written.stderr
    );

    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(baseline).unwrap()).unwrap();
    assert_eq!(file["version"], 1);
    let entry = &file["entries"][0];
    assert_eq!(entry["rule"], "invalid-effect");
    assert!(entry["path"].as_str().unwrap().ends_with("role.json"));
    assert!(entry["message"].as_str().unwrap().contains("Alow"));
    assert_eq!(entry["fingerprint"].as_str().unwrap().len(), 16);

    let again = check_file(&policy, &["--baseline", baseline]);
    assert_eq!(again.rules(), Vec::<String>::new());
    assert_eq!(again.code, 0);
    assert_eq!(again.json()["summary"]["suppressed"], 2);

    // A new diagnostic is reported; the recorded ones stay hidden.
    std::fs::write(&policy, POLICY.replace("oss:GetObject", "oss: GetObject")).unwrap();
    let new = check_file(&policy, &["--baseline", baseline]);
    assert_eq!(new.rules(), ["invalid-action"]);
    assert_eq!(new.code, 1);
}

#[test]
fn baseline_survives_reformatting() {
    let dir = TempDir::new("baseline-reformat");
    let policy = dir.write("role.json", POLICY);
    let baseline = dir.0.join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    check_file(&policy, &["--write-baseline", baseline]);

    let compact: serde_json::Value = serde_json::from_str(POLICY).unwrap();
    let compact = serde_json::to_string(&compact).unwrap();
    assert!(!compact.contains('\n'));
    std::fs::write(&policy, &compact).unwrap();
    let output = check_file(&policy, &["--baseline", baseline]);
    assert_eq!(output.rules(), Vec::<String>::new(), "{}", output.stderr);
    assert!(
        output.stderr.is_empty(),
        "no stale entries: {}",
        output.stderr
    );
}

#[test]
fn baseline_survives_moving_a_statement() {
    let dir = TempDir::new("baseline-move");
    let policy = dir.write("role.json", POLICY);
    let baseline = dir.0.join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    check_file(&policy, &["--write-baseline", baseline]);

    let mut value: serde_json::Value = serde_json::from_str(POLICY).unwrap();
    value["Statement"].as_array_mut().unwrap().reverse();
    std::fs::write(&policy, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let moved = check_file(&policy, &[]);
    assert_eq!(
        moved.rules(),
        ["unknown-element", "invalid-effect"],
        "the order changed"
    );
    let output = check_file(&policy, &["--baseline", baseline]);
    assert_eq!(output.rules(), Vec::<String>::new(), "{}", output.stderr);
}

#[test]
fn baseline_lists_entries_that_no_longer_occur() {
    let dir = TempDir::new("baseline-stale");
    let policy = dir.write("role.json", POLICY);
    let baseline = dir.0.join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    check_file(&policy, &["--write-baseline", baseline]);
    std::fs::write(&policy, POLICY.replace("\"Alow\"", "\"Allow\"")).unwrap();

    let text = run(&[
        "check",
        "--no-config",
        "--color",
        "never",
        "--baseline",
        baseline,
        policy.to_str().unwrap(),
    ]);
    assert!(
        text.stdout.contains(
            "1 baseline entry no longer occurs; record a new baseline with --write-baseline:"
        ),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("  invalid-effect in "),
        "{}",
        text.stdout
    );

    // Machine formats keep standard output clean and list the entries on standard error.
    let json = check_file(&policy, &["--baseline", baseline]);
    assert!(
        json.stderr.contains("1 baseline entry no longer occurs"),
        "{}",
        json.stderr
    );
    json.json();

    let quiet = check_file(&policy, &["--baseline", baseline, "--quiet"]);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

#[test]
fn baseline_errors_exit_two() {
    let dir = TempDir::new("baseline-errors");
    let policy = dir.write("role.json", POLICY);
    let missing = dir.0.join("missing.json");
    let output = check_file(&policy, &["--baseline", missing.to_str().unwrap()]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("cannot read the baseline"),
        "{}",
        output.stderr
    );

    let not_baseline = dir.write("other.json", "{\"entries\": 3}");
    let output = check_file(&policy, &["--baseline", not_baseline.to_str().unwrap()]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("is not a ramlint baseline"),
        "{}",
        output.stderr
    );

    let output = check_file(
        &policy,
        &["--baseline", "a.json", "--write-baseline", "b.json"],
    );
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("cannot be used with"),
        "{}",
        output.stderr
    );
}

#[test]
fn fail_on_flag_overrides_config() {
    let dir = TempDir::new("gate-fail-on");
    dir.write(
        "policies/role.json",
        POLICY.replace("\"Alow\"", "\"Allow\""),
    );
    let config = dir.write("ramlint.toml", "fail-on = \"warning\"\n");
    let config = config.to_str().unwrap();
    let folder = dir.0.join("policies");
    let folder = folder.to_str().unwrap();
    assert_eq!(
        run(&["check", "--config", config, folder]).code,
        1,
        "config: warning fails"
    );
    assert_eq!(
        run(&["check", "--config", config, "--fail-on", "error", folder]).code,
        0,
        "the flag wins over the config"
    );
}

#[test]
fn ignore_wins_over_rules_table() {
    let dir = TempDir::new("gate-ignore");
    let config = "[rules]\nunknown-element = \"error\"\n";
    let output = check_with_config(&dir, config, &["--ignore", "unknown-element"]);
    assert_eq!(output.rules(), ["invalid-effect"]);
    let severities = check_with_config(&dir, config, &[]);
    assert_eq!(severities.json()["diagnostics"][1]["severity"], "error");
}

#[test]
fn select_keeps_rules_about_unreadable_files() {
    let dir = TempDir::new("gate-select");
    dir.write("broken.json", "{\"Version\": \"1\", \"Statement\": [");
    let output = run(&[
        "check",
        "--format",
        "json",
        "--no-config",
        "--select",
        "invalid-effect",
        dir.path(),
    ]);
    assert_eq!(output.rules(), ["invalid-json"]);
    assert_eq!(output.code, 1);
}

#[test]
fn suppressed_error_does_not_fail_the_gate() {
    let dir = TempDir::new("gate-suppressed");
    let config =
        "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"policies\"]\nreason = \"reviewed\"\n";
    let output = check_with_config(&dir, config, &["--fail-on", "error"]);
    assert_eq!(output.code, 0);
    let strict = check_with_config(&dir, config, &["--fail-on", "warning"]);
    assert_eq!(strict.code, 1, "the unknown-element warning remains");
}

/// Text reports skip fingerprints unless a baseline or a suppression needs them.
#[test]
fn text_reports_honour_fingerprints() {
    let dir = TempDir::new("fingerprints-text");
    let policy = dir.write("role.json", POLICY);
    let policy = policy.to_str().unwrap();
    let baseline = dir.0.join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let text = |extra: &[&str]| {
        let mut args = vec!["check", "--no-config"];
        args.extend_from_slice(extra);
        args.push(policy);
        run(&args)
    };
    let written = text(&["--write-baseline", baseline]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    let again = text(&["--baseline", baseline]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(again.stdout.contains("2 suppressed"), "{}", again.stdout);

    let fingerprint =
        check_file(&dir.0.join("role.json"), &[]).json()["diagnostics"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string();
    let config = dir.write(
        "ramlint.toml",
        format!(
            "[[ignore]]\nrule = \"invalid-effect\"\npaths = [\"role.json\"]\nfingerprint = \"{fingerprint}\"\nreason = \"reviewed\"\n"
        ),
    );
    let output = run(&["check", "--config", config.to_str().unwrap(), policy]);
    assert!(
        !output.stdout.contains("invalid-effect"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("unknown-element"),
        "{}",
        output.stdout
    );
}
