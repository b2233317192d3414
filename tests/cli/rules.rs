//! Every rule has documentation and fixtures, and each fixture's output is snapshotted.
//!
//! `fixtures/rules/<rule-id>/` contains `fail*` files, each of which must produce at least one
//! diagnostic of that rule, and `pass*` files, which must produce none. An optional
//! `args.txt` adds arguments to every run in the folder; `{file}` in it stands for the
//! fixture, which is then not passed as a path.

use crate::support::{Output, files_in, root, run_fixture};

/// Headings every rule's documentation must have, in this order.
const DOC_HEADINGS: &[&str] = &[
    "## What it checks",
    "## Why it matters",
    "## Example",
    "## Use instead",
    "## Known problems",
];

#[test]
fn every_rule_is_documented() {
    for rule in ramlint::rules::all() {
        let doc = rule.documentation();
        let mut last = 0;
        for heading in DOC_HEADINGS {
            let found = doc
                .find(heading)
                .unwrap_or_else(|| panic!("{}: no `{heading}` section", rule.id));
            assert!(found >= last, "{}: `{heading}` is out of order", rule.id);
            last = found;
        }
        assert!(!rule.summary.is_empty(), "{}: empty summary", rule.id);
        assert!(
            !rule.summary.ends_with('.'),
            "{}: summary ends with a period",
            rule.id
        );
    }
}

#[test]
fn rule_ids_are_unique_and_kebab_case() {
    let mut ids: Vec<&str> = ramlint::rules::all().iter().map(|r| r.id).collect();
    for id in &ids {
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{id} is not kebab-case"
        );
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate rule ids");
}

#[test]
fn every_rule_has_failing_and_passing_fixtures() {
    for rule in ramlint::rules::all() {
        let dir = root().join("fixtures/rules").join(rule.id);
        assert!(
            dir.is_dir(),
            "{}: no folder fixtures/rules/{}",
            rule.id,
            rule.id
        );
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("fail")),
            "{}: no fail fixture",
            rule.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("pass")),
            "{}: no pass fixture",
            rule.id
        );
    }
}

#[test]
fn fixture_folders_name_real_rules() {
    for dir in files_in(&root().join("fixtures/rules")) {
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            ramlint::rules::find(&id).is_some(),
            "fixtures/rules/{id} names no rule"
        );
    }
}

fn snapshot_text(output: &Output) -> String {
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        output.code, output.stdout, output.stderr
    )
}

#[test]
fn rule_fixtures_report_their_rule() {
    for rule_dir in files_in(&root().join("fixtures/rules")) {
        let rule = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        for fixture in files_in(&rule_dir) {
            let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
            let failing = name.starts_with("fail");
            if !failing && !name.starts_with("pass") {
                continue;
            }
            let text = run_fixture(&fixture, "text");
            let json_output = run_fixture(&fixture, "json");
            let snapshot_name = format!("{rule}__{name}");
            insta::with_settings!({ input_file => &fixture, omit_expression => true }, {
                insta::assert_snapshot!(format!("{snapshot_name}__text"), snapshot_text(&text));
            });

            // Configuration errors stop the run before any report is written.
            if rule == "invalid-config" {
                assert_eq!(
                    text.code,
                    if failing { 2 } else { 0 },
                    "{rule}/{name}: {}",
                    text.stderr
                );
                assert_eq!(
                    text.stderr.contains("error[invalid-config]"),
                    failing,
                    "{rule}/{name}"
                );
                continue;
            }
            insta::with_settings!({ input_file => &fixture, omit_expression => true }, {
                insta::assert_snapshot!(format!("{snapshot_name}__json"), json_output.stdout);
            });
            let rules = json_output.rules();
            if failing {
                assert!(
                    rules.contains(&rule),
                    "{rule}/{name} does not report {rule}: {rules:?}"
                );
                let severity = ramlint::rules::find(&rule).unwrap().default_severity;
                if severity == ramlint::diagnostic::Severity::Error {
                    assert_ne!(json_output.code, 0, "{rule}/{name} exits with 0");
                }
            } else {
                assert!(!rules.contains(&rule), "{rule}/{name} reports {rule}");
            }
        }
    }
}
