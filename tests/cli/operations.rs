//! Stored requests of several operations, each in every stored form: the same mistake is
//! found in each form, valid requests pass, and every request is recognised.

use crate::support::{files_in, root, run_fixture};

#[test]
fn operation_fixtures_match_snapshots() {
    for operation_dir in files_in(&root().join("fixtures/requests")) {
        if !operation_dir.is_dir() {
            continue;
        }
        let operation = operation_dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for fixture in files_in(&operation_dir) {
            let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
            let failing = name.starts_with("fail");
            if !failing && !name.starts_with("pass") {
                continue;
            }
            let text = run_fixture(&fixture, "text");
            insta::with_settings!({ input_file => &fixture, omit_expression => true }, {
                insta::assert_snapshot!(format!("{operation}__{name}"), text.stdout);
            });

            let json = run_fixture(&fixture, "json");
            let report = json.json();
            assert_eq!(
                report["summary"]["not_recognised"], 0,
                "{operation}/{name} is not recognised"
            );
            let count = report["diagnostics"].as_array().unwrap().len();
            if failing {
                assert!(count > 0, "{operation}/{name} reports nothing");
            } else {
                assert_eq!(count, 0, "{operation}/{name}: {}", json.stdout);
            }
        }
    }
}

#[test]
fn same_mistake_in_every_form() {
    for operation_dir in files_in(&root().join("fixtures/requests")) {
        if !operation_dir.is_dir() {
            continue;
        }
        let mut messages: Vec<(String, Vec<String>)> = Vec::new();
        for fixture in files_in(&operation_dir) {
            let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
            // The ExportImage folder has one failing request per API: compare within each.
            let group = name.split('.').next().unwrap().to_string();
            if !group.starts_with("fail") {
                continue;
            }
            let report = run_fixture(&fixture, "json").json();
            let found: Vec<String> = report["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| format!("{}: {}", d["rule"], d["message"]))
                .collect();
            match messages.iter().find(|(g, _)| *g == group) {
                Some((_, first)) => assert_eq!(&found, first, "{}", fixture.display()),
                None => messages.push((group, found)),
            }
        }
    }
}
