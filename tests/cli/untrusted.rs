//! Scanning an untrusted repository: nothing from it changes the run's configuration unless it
//! is the configuration found for the run, paths in the configuration cannot reach outside its
//! folder, and file content never reaches the terminal raw.

use crate::support::{TempDir, run};

const BAD_EFFECT: &str = r#"{"Version": "1", "Statement": [{"Effect": "Alow", "Action": "ens:ExportImage", "Resource": "*"}]}"#;
const ALLOW: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*"}]}"#;

#[test]
fn config_in_a_scanned_subfolder_is_ignored() {
    let dir = TempDir::new("untrusted-nested-config");
    dir.write(
        "repo/sub/ramlint.toml",
        "[rules]\ninvalid-effect = \"off\"\n",
    );
    dir.write("repo/sub/policy.json", BAD_EFFECT);
    let output = run(&["check", "--format", "json", dir.path()]);
    assert_eq!(output.rules(), vec!["invalid-effect"], "{}", output.stdout);
    assert_eq!(output.code, 1);
}

#[test]
fn config_cannot_name_files_outside_its_folder() {
    let outside = TempDir::new("untrusted-outside");
    outside.write("policy.json", ALLOW);
    let dir = TempDir::new("untrusted-repo");
    dir.write("policies/local.json", ALLOW);
    let escaping = format!(
        "[[grants]]\npolicies = [\"../{}/policy.json\"]\nrequire = [\"ens:ExportImage\"]\n",
        outside.0.file_name().unwrap().to_string_lossy()
    );
    let config = dir.write("ramlint.toml", &escaping);
    let output = run(&["check", "--config", config.to_str().unwrap(), dir.path()]);
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert!(
        output
            .stderr
            .contains("is outside the folder of ramlint.toml"),
        "{}",
        output.stderr
    );
    // The error is underlined in the configuration.
    assert!(output.stderr.contains("^^^"), "{}", output.stderr);
}

#[cfg(unix)]
#[test]
fn config_cannot_follow_a_link_out_of_its_folder() {
    let outside = TempDir::new("untrusted-link-target");
    let target = outside.write("policy.json", ALLOW);
    let dir = TempDir::new("untrusted-link-repo");
    std::fs::create_dir_all(dir.0.join("policies")).unwrap();
    std::os::unix::fs::symlink(&target, dir.0.join("policies/linked.json")).unwrap();
    let config = dir.write(
        "ramlint.toml",
        "[[grants]]\npolicies = [\"policies/linked.json\"]\nrequire = [\"ens:ExportImage\"]\n",
    );
    let output = run(&["check", "--config", config.to_str().unwrap(), dir.path()]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("is outside the folder"),
        "{}",
        output.stderr
    );
}

#[test]
fn config_inside_its_folder_is_accepted() {
    let dir = TempDir::new("untrusted-inside");
    dir.write("policies/local.json", ALLOW);
    let config = dir.write(
        "ramlint.toml",
        "[[grants]]\npolicies = [\"policies/local.json\"]\nrequire = [\"ens:ExportImage\"]\n",
    );
    let output = run(&["check", "--config", config.to_str().unwrap(), dir.path()]);
    assert_eq!(output.code, 0, "{}\n{}", output.stdout, output.stderr);
}

#[test]
fn control_characters_in_request_values_are_escaped() {
    let dir = TempDir::new("untrusted-escapes");
    dir.write(
        "request.json",
        "{\"Action\": \"ExportImage\", \"ImageId\": \"m-123\", \"OSSBucket\": \"evil\\u001b[2J\\u001b]0;pwned\\u0007\", \"OSSRegionId\": \"cn-beijing\"}",
    );
    dir.write(
        "export.txt",
        "https://ens.aliyuncs.com/?Action=ExportImage&ImageId=m-1&OSSBucket=bad%1B%5B31mname&OSSRegionId=cn-beijing\n",
    );
    dir.write(
        "export.sh",
        "aliyun ens ExportImage --ImageId m-1 --OSSBucket 'raw\u{1b}[31mred' --OSSRegionId cn-beijing\n",
    );
    let output = run(&["check", "--color", "never", dir.path()]);
    assert!(
        !output.stdout.contains('\u{1b}'),
        "a raw escape reached the output:\n{:?}",
        output.stdout
    );
    assert!(
        !output.stdout.contains('\u{7}'),
        "a raw bell reached the output"
    );
    for file in ["request.json", "export.txt", "export.sh"] {
        assert!(
            output.stdout.contains(file),
            "{file} has no diagnostic:\n{}",
            output.stdout
        );
    }
    assert!(
        output.stdout.contains("\\u{1b}"),
        "escapes are shown escaped:\n{}",
        output.stdout
    );
    let json = run(&["check", "--format", "json", dir.path()]);
    let report = json.json();
    let bucket_rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .filter(|rule| *rule == "invalid-bucket-name")
        .collect();
    assert_eq!(bucket_rules.len(), 3, "{}", json.stdout);
}
