//! Hostile and broken input. Each case is scanned together with a normal file whose finding
//! must still be reported, and checks the exact diagnostic and the exit code.

use std::path::Path;

use crate::support::{Output, TempDir, run};

/// A policy with one error, scanned next to every hostile file.
const NORMAL: &str = r#"{"Version": "1", "Statement": [{"Effect": "Alow", "Action": "ens:ExportImage", "Resource": "*"}]}"#;

const POLICY_START: &str = r#"{"Version": "1", "Statement": "#;

/// Scans `paths` (and the normal file) with the JSON format.
fn scan(dir: &TempDir, paths: &[&Path]) -> Output {
    let normal = dir.write("normal.json", NORMAL);
    let mut args: Vec<String> = vec!["check".into(), "--format".into(), "json".into()];
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    args.push(normal.to_string_lossy().into_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args);
    let report = output.json();
    let normal_reported = report["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["rule"] == "invalid-effect" && d["path"].as_str().unwrap().ends_with("normal.json")
    });
    assert!(
        normal_reported,
        "the normal file's finding is missing:\n{}",
        output.stdout
    );
    output
}

/// Returns the diagnostics about files other than the normal one.
fn hostile_diagnostics(output: &Output) -> Vec<serde_json::Value> {
    output.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["path"].as_str().unwrap().ends_with("normal.json"))
        .cloned()
        .collect()
}

/// Returns the one diagnostic about the hostile file, failing when there are more or none.
fn only_diagnostic(output: &Output) -> serde_json::Value {
    let diagnostics = hostile_diagnostics(output);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    diagnostics.into_iter().next().unwrap()
}

#[test]
fn nested_arrays_stop_at_the_depth_limit() {
    let dir = TempDir::new("hostile-nested");
    let text = format!("{POLICY_START}{}", "[".repeat(100_000));
    let path = dir.write("nested.json", &text);
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "invalid-json");
    assert_eq!(
        diagnostic["message"],
        "arrays and objects are nested more than 128 levels deep here"
    );
    // The object is level 1, so the 128th bracket is the first one too deep.
    assert_eq!(
        diagnostic["span"]["start"]["offset"],
        (POLICY_START.len() + 127) as u64
    );
    assert_eq!(output.code, 1);
}

#[test]
fn file_over_the_cap_is_not_read() {
    let dir = TempDir::new("hostile-200mb");
    let path = dir.0.join("dump.json");
    // A sparse file: the size is real, the disk blocks are not written.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(200 * 1024 * 1024).unwrap();
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "file-too-large");
    assert_eq!(
        diagnostic["message"],
        "the file is 200 MiB (209715200 bytes), larger than the 16 MiB cap; it was not read"
    );
    assert!(diagnostic["span"].is_null());
    assert_eq!(output.code, 1);
}

#[test]
fn ten_megabyte_line_is_checked_and_shown_in_a_window() {
    let dir = TempDir::new("hostile-long-line");
    let arns: Vec<String> = (0..320_000)
        .map(|i| format!("\"acs:oss:*:*:bucket-{i:07}/*\""))
        .collect();
    let text = format!(
        r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "oss:GetObject", "Resource": [{}]}}]}}"#,
        arns.join(", ")
    );
    assert!(text.len() > 10_000_000 && !text.contains('\n'));
    let path = dir.write("long.json", &text);
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "policy-too-large");
    let chars = text.chars().count();
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains(&format_thousands(chars)),
        "{}",
        diagnostic["message"]
    );
    assert_eq!(diagnostic["span"]["end"]["column"], chars as u64 + 1);

    let text_output = run(&["check", "--color", "never", path.to_str().unwrap()]);
    assert_eq!(text_output.code, 1);
    assert!(
        text_output.stdout.len() < 2_000,
        "the line is shown in a window:\n{}",
        text_output.stdout
    );
    assert!(text_output.stdout.contains("..."));
}

fn format_thousands(count: usize) -> String {
    ramlint::checks::grammar::thousands(count)
}

#[test]
fn invalid_utf8_in_a_string_names_the_byte() {
    let dir = TempDir::new("hostile-utf8");
    let mut bytes = NORMAL.replace("Alow", "Allow").into_bytes();
    let at = bytes.iter().position(|&b| b == b'*').unwrap();
    bytes[at] = 0xC3;
    let path = dir.write("latin1.json", &bytes);
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "invalid-encoding");
    assert_eq!(
        diagnostic["message"],
        format!("byte {at} is not valid UTF-8")
    );
    assert_eq!(diagnostic["span"]["start"]["offset"], at as u64);
    assert_eq!(output.code, 1);
}

#[test]
fn utf16_and_utf32_are_named_with_and_without_mark() {
    let text = NORMAL.replace("Alow", "Allow");
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let utf32: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "le-bom.json",
            [&[0xFF, 0xFE][..], &le].concat(),
            "UTF-16LE (it starts with a byte-order mark",
        ),
        (
            "le.json",
            le.clone(),
            "UTF-16LE (it has the NUL-byte pattern",
        ),
        (
            "be-bom.json",
            [&[0xFE, 0xFF][..], &be].concat(),
            "UTF-16BE (it starts with a byte-order mark",
        ),
        (
            "be.json",
            be.clone(),
            "UTF-16BE (it has the NUL-byte pattern",
        ),
        ("utf32.json", utf32, "UTF-32LE (it has the NUL-byte pattern"),
    ];
    for (name, bytes, expected) in cases {
        let dir = TempDir::new(&format!("hostile-{name}"));
        let path = dir.write(name, &bytes);
        let output = scan(&dir, &[&path]);
        let diagnostic = only_diagnostic(&output);
        assert_eq!(diagnostic["rule"], "invalid-encoding", "{name}");
        let message = diagnostic["message"].as_str().unwrap();
        assert!(message.contains(expected), "{name}: {message}");
        assert_eq!(output.code, 1, "{name}");
    }
}

#[test]
fn utf8_byte_order_mark_is_accepted() {
    let dir = TempDir::new("hostile-bom");
    let text = format!("\u{FEFF}{}", NORMAL.replace("Alow", "Deny "));
    let path = dir.write("bom.json", &text);
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "invalid-effect");
    let start = diagnostic["span"]["start"]["offset"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..start + 7], "\"Deny \"");
}

#[test]
fn nul_byte_is_named() {
    let dir = TempDir::new("hostile-nul");
    let text = NORMAL.replace("Alow", "Al\0low");
    let path = dir.write("nul.json", &text);
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "invalid-json");
    assert_eq!(
        diagnostic["message"],
        "U+0000 (NUL byte) must be escaped inside a JSON string"
    );
    assert_eq!(
        diagnostic["span"]["start"]["offset"],
        text.find('\0').unwrap() as u64
    );
    assert_eq!(output.code, 1);
}

#[test]
fn empty_and_whitespace_files_are_invalid_json() {
    for (name, text, message) in [
        ("empty.json", "", "the file is empty; expected a JSON value"),
        (
            "blank.json",
            " \n\t\r\n",
            "the file contains only whitespace; expected a JSON value",
        ),
    ] {
        let dir = TempDir::new(&format!("hostile-{name}"));
        let path = dir.write(name, text);
        let output = scan(&dir, &[&path]);
        let diagnostic = only_diagnostic(&output);
        assert_eq!(diagnostic["rule"], "invalid-json", "{name}");
        assert_eq!(diagnostic["message"], message, "{name}");
        assert_eq!(output.code, 1, "{name}");
    }
}

#[test]
fn five_thousand_digit_number_is_shortened_in_messages() {
    let dir = TempDir::new("hostile-number");
    let digits = "7".repeat(5_000);
    let text = format!(
        r#"{{"Version": {digits}, "Statement": [{{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*"}}]}}"#
    );
    let path = dir.write("number.json", &text);
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "invalid-element-type");
    let message = diagnostic["message"].as_str().unwrap();
    assert!(message.len() < 200 && message.contains('…'), "{message}");
    assert_eq!(
        diagnostic["span"]["end"]["offset"],
        (text.find(&digits).unwrap() + 5_000) as u64
    );
    assert_eq!(output.code, 1);
}

#[test]
fn million_element_action_array_is_checked() {
    let dir = TempDir::new("hostile-million");
    let actions = vec!["\"ecs:*\""; 1_000_000].join(",");
    let text = format!(
        r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": [{actions}], "Resource": "*"}}]}}"#
    );
    let path = dir.write("million.json", &text);
    let output = scan(&dir, &[&path]);
    let diagnostics = hostile_diagnostics(&output);
    let rules: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["policy-too-large", "service-wildcard"]);
    // One diagnostic for the statement, with a bounded number of labels and a short message.
    let wildcard = &diagnostics[1];
    assert_eq!(
        wildcard["labels"].as_array().unwrap().len(),
        ramlint::diagnostic::MAX_LABELS
    );
    assert_eq!(
        wildcard["message"],
        "this statement allows every action of `ecs`"
    );
    assert_eq!(output.code, 1);
}

#[test]
fn ten_thousand_duplicate_keys_are_each_reported() {
    let dir = TempDir::new("hostile-duplicates");
    let effects = vec![r#""Effect": "Allow""#; 10_000].join(", ");
    let text = format!(
        r#"{{"Version": "1", "Statement": [{{{effects}, "Action": "ens:ExportImage", "Resource": "*"}}]}}"#
    );
    let path = dir.write("duplicates.json", &text);
    let output = scan(&dir, &[&path]);
    let diagnostics = hostile_diagnostics(&output);
    let duplicates: Vec<&serde_json::Value> = diagnostics
        .iter()
        .filter(|d| d["rule"] == "duplicate-key")
        .collect();
    assert_eq!(duplicates.len(), 9_999);
    let first = text.find("\"Effect\"").unwrap() as u64;
    assert!(
        duplicates
            .iter()
            .all(|d| d["labels"][0]["span"]["start"]["offset"] == first)
    );
    // The repeated keys also make the document far longer than RAM accepts.
    assert_eq!(diagnostics.len() - duplicates.len(), 1);
    assert!(diagnostics.iter().any(|d| d["rule"] == "policy-too-large"));
    assert_eq!(output.code, 1);
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_an_io_error_when_named_and_skipped_in_walks() {
    let dir = TempDir::new("hostile-loop");
    let a = dir.0.join("a.json");
    let b = dir.0.join("b.json");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let output = scan(&dir, &[&a]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "io-error");
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("symbolic links"),
        "{}",
        diagnostic["message"]
    );
    assert_eq!(output.code, 2);

    // A walk does not follow links, so the loop is never entered.
    let walk = run(&["check", "--format", "json", dir.path()]);
    assert_eq!(walk.code, 1);
    assert_eq!(walk.rules(), vec!["invalid-effect"]);
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_folder_is_not_followed_in_walks() {
    let outside = TempDir::new("hostile-outside-target");
    let target = outside.write("secret.json", NORMAL.replace("Alow", "Permit"));
    let dir = TempDir::new("hostile-outside");
    let link = dir.0.join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    dir.write("normal.json", NORMAL);
    let walk = run(&["check", "--format", "json", dir.path()]);
    assert_eq!(walk.rules(), vec!["invalid-effect"], "{}", walk.stdout);
    assert_eq!(walk.json()["summary"]["files"], 1);

    // Named explicitly, the link is read like any file.
    let named = scan(&dir, &[&link]);
    let diagnostic = only_diagnostic(&named);
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("\"Permit\"")
    );
}

#[cfg(unix)]
#[test]
fn fifo_is_skipped_in_walks_and_an_io_error_when_named() {
    let dir = TempDir::new("hostile-fifo");
    let fifo = dir.0.join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|status| status.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let output = scan(&dir, &[&fifo]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "io-error");
    assert_eq!(
        diagnostic["message"],
        "cannot read the file: not a regular file"
    );
    assert_eq!(output.code, 2);

    let walk = run(&["check", "--format", "json", dir.path()]);
    assert_eq!(walk.rules(), vec!["invalid-effect"]);
    assert_eq!(walk.code, 1);
}

#[test]
fn folder_named_like_a_json_file_is_walked() {
    let dir = TempDir::new("hostile-folder");
    let folder = dir.0.join("x.json");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("inner.json"), NORMAL.replace("Alow", "Permit")).unwrap();
    let output = scan(&dir, &[&folder]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "invalid-effect");
    assert!(
        diagnostic["path"]
            .as_str()
            .unwrap()
            .ends_with("x.json/inner.json")
    );
}

#[test]
fn path_with_spaces_and_non_ascii_is_reported() {
    let dir = TempDir::new("hostile-path");
    let path = dir.write(
        "my policies/导出 策略.json",
        NORMAL.replace("Alow", "Permit"),
    );
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert!(
        diagnostic["path"]
            .as_str()
            .unwrap()
            .ends_with("my policies/导出 策略.json")
    );
    let text = run(&["check", "--color", "never", path.to_str().unwrap()]);
    assert!(
        text.stdout.contains("my policies/导出 策略.json:1:43"),
        "{}",
        text.stdout
    );
}

#[test]
fn truncated_policy_points_at_the_end() {
    let dir = TempDir::new("hostile-truncated");
    let full = "{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"ens:ExportImage\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n";
    let half = &full[..full.len() / 2];
    let path = dir.write("truncated.json", half);
    let output = scan(&dir, &[&path]);
    let diagnostic = only_diagnostic(&output);
    assert_eq!(diagnostic["rule"], "invalid-json");
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .starts_with("this string is never closed")
            || diagnostic["message"]
                .as_str()
                .unwrap()
                .contains("ends before"),
        "{}",
        diagnostic["message"]
    );
    assert_eq!(output.code, 1);
}
