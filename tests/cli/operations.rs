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

#[test]
fn item_numbers_out_of_range() {
    let dir = crate::support::TempDir::new("item-numbers");
    let text = "https://ens.aliyuncs.com/?Action=ListTagResources&ResourceType=instance&Tag.0.Key=a&ResourceId.99999999999=i-1\n";
    let path = dir.write("request.txt", text);
    let output = crate::support::run(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(
        output.rules(),
        ["unknown-parameter", "unknown-parameter"],
        "{}",
        output.stdout
    );
    let report = output.json();
    let spans: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let start = d["span"]["start"]["offset"].as_u64().unwrap() as usize;
            let end = d["span"]["end"]["offset"].as_u64().unwrap() as usize;
            &text[start..end]
        })
        .collect();
    assert_eq!(spans, ["Tag.0.Key", "ResourceId.99999999999"]);
    let help = report["diagnostics"][0]["help"].as_str().unwrap();
    assert_eq!(
        help,
        "number the items of Tag from 1 to 1000: Tag.1, Tag.2, ..."
    );
}
