//! Real policies from public repositories and documentation, with their origin in
//! `fixtures/real/SOURCES.tsv`.

use crate::support::{files_in, relative, root, run};

#[test]
fn real_policies_have_recorded_origins() {
    let sources = std::fs::read_to_string(root().join("fixtures/real/SOURCES.tsv")).unwrap();
    for file in files_in(&root().join("fixtures/real")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "SOURCES.tsv" || name == "README.md" {
            continue;
        }
        assert!(
            sources
                .lines()
                .any(|line| line.split('\t').next() == Some(name.as_str())),
            "{name} has no row in fixtures/real/SOURCES.tsv"
        );
    }
}

#[test]
fn real_policies_snapshots() {
    for file in files_in(&root().join("fixtures/real")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "SOURCES.tsv" || name == "README.md" {
            continue;
        }
        let path = relative(&file);
        let text = run(&["check", "--color", "never", &path]);
        let json = run(&["check", "--format", "json", &path]);
        assert!(
            text.code == 0 || text.code == 1,
            "{name}: exit code {}",
            text.code
        );
        assert_eq!(json.json()["summary"]["files"], 1, "{name}");
        insta::with_settings!({ input_file => &file, omit_expression => true }, {
            insta::assert_snapshot!(format!("real__{name}__text"), text.stdout);
            insta::assert_snapshot!(format!("real__{name}__json"), json.stdout);
        });
    }
}

#[test]
fn real_policies_rarely_grant_export_image() {
    let output = run(&[
        "check",
        "--format",
        "json",
        "--require",
        "ens:ExportImage",
        "fixtures/real",
    ]);
    let report = output.json();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let denied: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d["rule"] == "action-not-granted")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    for diagnostic in diagnostics
        .iter()
        .filter(|d| d["rule"] == "action-not-granted")
    {
        let message = diagnostic["message"].as_str().unwrap();
        assert!(
            message.starts_with("\"ens:ExportImage\" is implicitly denied"),
            "{message}"
        );
    }
    // 19 files parse as policies: 14 identity policies lack the grant, one grants every
    // action, and four trust or bucket policies are not checked on their own.
    assert_eq!(report["summary"]["checked"], 19);
    assert_eq!(denied.len(), 14, "{denied:#?}");
    assert!(
        !denied
            .iter()
            .any(|path| path.ends_with("ram_cn.zh-CN_.md_f297f5e6__L8-25.json"))
    );
    assert!(
        !denied
            .iter()
            .any(|path| path.ends_with("ram_cn.zh-CN_.md_2e024437__L51-64.json")),
        "a trust policy is not checked on its own"
    );
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["rule"] == "action-conditionally-granted")
    );
}
