//! Inputs on which a fuzz target once failed (`fixtures/regressions/`): each is checked, as a
//! scanned file and as an inventory, without a panic, with spans inside the file, and with the
//! output snapshotted.

use crate::support::{files_in, relative, root, run};

#[test]
fn fuzzer_findings_stay_fixed() {
    for file in files_in(&root().join("fixtures/regressions")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "README.md" {
            continue;
        }
        let path = relative(&file);
        let size = std::fs::metadata(&file).unwrap().len();
        let mut outputs = String::new();
        for extra in [&[][..], &["--inventory", path.as_str()][..]] {
            let mut args = vec!["check", "--allow-empty", "--color", "never"];
            args.extend_from_slice(extra);
            args.push(&path);
            let text = run(&args);
            assert!(text.code <= 2, "{name}: exit code {}", text.code);
            args.splice(1..1, ["--format", "json"]);
            let json = run(&args);
            for diagnostic in json.json()["diagnostics"].as_array().unwrap() {
                if let Some(end) = diagnostic["span"]["end"]["offset"].as_u64() {
                    let start = diagnostic["span"]["start"]["offset"].as_u64().unwrap();
                    assert!(start <= end && end <= size, "{name}: span {start}..{end}");
                }
            }
            outputs.push_str(&format!(
                "$ ramlint {}\n{}",
                args[3..].join(" "),
                text.stdout
            ));
        }
        insta::assert_snapshot!(format!("regression__{name}"), outputs);
    }
}
