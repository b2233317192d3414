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
