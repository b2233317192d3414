//! Stored requests: the same mistake in every form, exact spans, inventories from every
//! source, and real samples of other APIs that must not be checked as ENS requests.

use crate::support::{TempDir, files_in, relative, root, run};

const IMAGE: &str = "m-5ragaz3s74b7go8ks7jp9rch1";
const PREFIX_31: &str = "nightlyExportsOfTheEdgeImage24x";

/// Returns the text of a diagnostic's span.
fn spanned<'t>(text: &'t str, diagnostic: &serde_json::Value) -> &'t str {
    let start = diagnostic["span"]["start"]["offset"].as_u64().unwrap() as usize;
    let end = diagnostic["span"]["end"]["offset"].as_u64().unwrap() as usize;
    &text[start..end]
}

#[test]
fn same_mistake_same_diagnostic_in_every_form() {
    let dir = TempDir::new("three-forms");
    let json = format!(
        "{{\n  \"ImageId\": \"{IMAGE}\",\n  \"OSSBucket\": \"image-exports-bj\",\n  \"OSSRegionId\": \"cn-beijing\",\n  \"OSSPrefix\": \"{PREFIX_31}\"\n}}\n"
    );
    let query = format!(
        "https://ens.aliyuncs.com/?Action=ExportImage&ImageId={IMAGE}&OSSBucket=image-exports-bj&OSSRegionId=cn-beijing&OSSPrefix={PREFIX_31}\n"
    );
    let cli = format!(
        "aliyun ens ExportImage --ImageId {IMAGE} --OSSBucket image-exports-bj --OSSRegionId cn-beijing --OSSPrefix {PREFIX_31}\n"
    );
    let markdown = format!("# Export\n\n```sh\n{cli}```\n");
    let cases = [
        ("request.json", json.as_str(), format!("\"{PREFIX_31}\"")),
        ("request.txt", query.as_str(), PREFIX_31.to_string()),
        ("export.sh", cli.as_str(), PREFIX_31.to_string()),
        ("README.md", markdown.as_str(), PREFIX_31.to_string()),
    ];
    let mut messages = Vec::new();
    for (name, text, expected) in cases {
        let path = dir.write(name, text);
        let output = run(&[
            "check",
            "--format",
            "json",
            "--bucket-region",
            "image-exports-bj=cn-beijing",
            path.to_str().unwrap(),
        ]);
        assert_eq!(
            output.rules(),
            ["parameter-length"],
            "{name}: {}",
            output.stdout
        );
        let diagnostic = &output.json()["diagnostics"][0];
        assert_eq!(spanned(text, diagnostic), expected, "{name}");
        messages.push(diagnostic["message"].as_str().unwrap().to_string());
    }
    assert!(messages.iter().all(|m| *m == messages[0]), "{messages:?}");
    assert_eq!(
        messages[0],
        "OSSPrefix is 31 characters long; ExportImage accepts 1 to 30 characters"
    );
}

#[test]
fn percent_encoded_value_spans_encoded_bytes() {
    // 31 characters once decoded: "%E5%AF%BC" is one character.
    let encoded = format!("%E5%AF%BC{}", &PREFIX_31[1..]);
    let text = format!(
        "Action=ExportImage&ImageId={IMAGE}&OSSBucket=image-exports-bj&OSSRegionId=cn-beijing&OSSPrefix={encoded}\n"
    );
    let dir = TempDir::new("encoded");
    let path = dir.write("request.txt", &text);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--bucket-region",
        "image-exports-bj=cn-beijing",
        path.to_str().unwrap(),
    ]);
    let report = output.json();
    let length = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "parameter-length")
        .expect("parameter-length is reported");
    assert_eq!(spanned(&text, length), encoded);
    assert!(
        length["message"]
            .as_str()
            .unwrap()
            .contains("31 characters")
    );
}

#[test]
fn cli_line_over_three_lines_points_at_value() {
    let text = format!(
        "aliyun ens ExportImage --ImageId {IMAGE} \\\n  --OSSBucket image-exports-bj \\\n  --OSSRegionId cn-bejing\n"
    );
    let dir = TempDir::new("three-lines");
    let path = dir.write("export.sh", &text);
    let output = run(&["check", "--format", "json", path.to_str().unwrap()]);
    let report = output.json();
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["rule"], "invalid-region");
    assert_eq!(spanned(&text, diagnostic), "cn-bejing");
    assert_eq!(diagnostic["span"]["start"]["line"], 3);
    assert_eq!(diagnostic["span"]["start"]["column"], 17);
}

#[test]
fn prefix_length_counts_characters() {
    let dir = TempDir::new("lengths");
    let request = |prefix: &str| {
        format!(
            "{{\"ImageId\": \"{IMAGE}\", \"OSSBucket\": \"image-exports-bj\", \"OSSRegionId\": \"cn-beijing\", \"OSSPrefix\": \"{prefix}\"}}"
        )
    };
    let chinese = "边缘节点镜像导出备份";
    assert_eq!(chinese.len(), 30);
    assert_eq!(chinese.chars().count(), 10);
    let cases = [
        (&PREFIX_31[..30], false),
        (PREFIX_31, true),
        (chinese, false),
        ("", true),
    ];
    for (prefix, too_long_or_short) in cases {
        let path = dir.write("request.json", request(prefix));
        let rules = run(&["check", "--format", "json", path.to_str().unwrap()]).rules();
        assert_eq!(
            rules.contains(&"parameter-length".to_string()),
            too_long_or_short,
            "{prefix:?}: {rules:?}"
        );
    }
}

#[test]
fn mismatch_labels_entry_in_config() {
    let dir = TempDir::new("config-buckets");
    let config = dir.write(
        "ramlint.toml",
        "[buckets]\n\"image-exports-bj\" = \"oss-cn-beijing\"\n",
    );
    let request = format!(
        "{{\"ImageId\": \"{IMAGE}\", \"OSSBucket\": \"image-exports-bj\", \"OSSRegionId\": \"cn-beijing\"}}"
    );
    let good = dir.write("good.json", &request);
    let bad = dir.write(
        "bad.json",
        request.replace("\"cn-beijing\"", "\"cn-hangzhou\""),
    );
    let config = config.to_str().unwrap();
    let output = run(&[
        "check",
        "--format",
        "json",
        "--config",
        config,
        good.to_str().unwrap(),
    ]);
    assert_eq!(output.rules(), Vec::<String>::new(), "{}", output.stdout);

    let output = run(&[
        "check",
        "--format",
        "json",
        "--ignore",
        "parameter-enum",
        "--config",
        config,
        bad.to_str().unwrap(),
    ]);
    let report = output.json();
    assert_eq!(output.rules(), ["region-mismatch"]);
    let diagnostic = &report["diagnostics"][0];
    let label = &diagnostic["labels"][0];
    assert!(label["path"].as_str().unwrap().ends_with("ramlint.toml"));
    assert_eq!(label["span"]["start"]["line"], 2);
    assert_eq!(label["span"]["start"]["column"], 23);
    assert_eq!(
        report["summary"]["files"], 1,
        "the configuration is not counted"
    );

    let text = run(&[
        "check",
        "--color",
        "never",
        "--ignore",
        "parameter-enum",
        "--config",
        config,
        bad.to_str().unwrap(),
    ]);
    assert!(
        text.stdout
            .contains("2 | \"image-exports-bj\" = \"oss-cn-beijing\""),
        "{}",
        text.stdout
    );
}

#[test]
fn flag_inventory_and_conflicts() {
    let dir = TempDir::new("flag-buckets");
    let path = dir.write(
        "export.sh",
        format!("aliyun ens ExportImage --ImageId {IMAGE} --OSSBucket image-exports-bj --OSSRegionId cn-beijing\n"),
    );
    let path = path.to_str().unwrap();
    let mismatch = run(&[
        "check",
        "--format",
        "json",
        "--bucket-region",
        "image-exports-bj=oss-cn-hangzhou.aliyuncs.com",
        path,
    ]);
    assert_eq!(mismatch.rules(), ["region-mismatch"]);
    let message = mismatch.json()["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("--bucket-region"), "{message}");

    let bad_region = run(&[
        "check",
        "--bucket-region",
        "image-exports-bj=cn-bejing",
        path,
    ]);
    assert_eq!(bad_region.code, 2);
    assert!(
        bad_region.stderr.contains("did you mean `cn-beijing`?"),
        "{}",
        bad_region.stderr
    );
    let twice = run(&[
        "check",
        "--bucket-region",
        "b-1=cn-beijing",
        "--bucket-region",
        "b-1=cn-hangzhou",
        path,
    ]);
    assert_eq!(twice.code, 2, "{}", twice.stderr);
    let agreeing = run(&[
        "check",
        "--bucket-region",
        "image-exports-bj=cn-beijing",
        "--bucket-region",
        "image-exports-bj=oss-cn-beijing",
        path,
    ]);
    assert_eq!(agreeing.code, 0, "{}", agreeing.stderr);
}

#[test]
fn bad_buckets_in_config_stop_the_run() {
    let dir = TempDir::new("config-bad-buckets");
    let request = dir.write(
        "request.json",
        format!(
            "{{\"ImageId\": \"{IMAGE}\", \"OSSBucket\": \"b-1\", \"OSSRegionId\": \"cn-beijing\"}}"
        ),
    );
    for (config, underlined) in [
        (
            "[buckets]\n\"image-exports-bj\" = \"cn-bejing\"\n",
            "\"cn-bejing\"",
        ),
        (
            "[buckets]\n\"Image_Exports\" = \"cn-beijing\"\n",
            "\"Image_Exports\"",
        ),
        ("[buckets]\n\"image-exports-bj\" = 3\n", "3"),
    ] {
        let path = dir.write("ramlint.toml", config);
        let output = run(&[
            "check",
            "--config",
            path.to_str().unwrap(),
            request.to_str().unwrap(),
        ]);
        assert_eq!(output.code, 2, "{config}");
        assert!(
            output.stderr.contains("error[invalid-config]"),
            "{}",
            output.stderr
        );
        let caret_line = output
            .stderr
            .lines()
            .find(|l| l.contains('^'))
            .unwrap_or_default();
        assert_eq!(
            caret_line.matches('^').count(),
            underlined.len(),
            "{}",
            output.stderr
        );
    }
}

#[test]
fn inventory_found_in_scan_is_used() {
    let dir = TempDir::new("scan-inventory");
    dir.write(
        "inventory/buckets.txt",
        "CreationTime                                 Region    StorageClass    BucketName\n\
         2024-05-14 10:11:53 +0800 CST         oss-cn-beijing        Standard    oss://image-exports-bj\n\
         Bucket Number is: 1\n",
    );
    dir.write(
        "requests/export.json",
        format!("{{\"ImageId\": \"{IMAGE}\", \"OSSBucket\": \"image-exports-bj\", \"OSSRegionId\": \"cn-hangzhou\"}}"),
    );
    let output = run(&[
        "check",
        "--format",
        "json",
        "--ignore",
        "parameter-enum",
        dir.path(),
    ]);
    let report = output.json();
    assert_eq!(output.rules(), ["region-mismatch"], "{}", output.stdout);
    let label = &report["diagnostics"][0]["labels"][0];
    assert!(label["path"].as_str().unwrap().ends_with("buckets.txt"));
    assert_eq!(label["span"]["start"]["line"], 2);
}

#[test]
fn missing_inventory_file_exits_two() {
    let dir = TempDir::new("missing-inventory");
    let request = dir.write(
        "request.json",
        format!(
            "{{\"ImageId\": \"{IMAGE}\", \"OSSBucket\": \"b-1\", \"OSSRegionId\": \"cn-beijing\"}}"
        ),
    );
    let missing = dir.0.join("nope.xml");
    let output = run(&[
        "check",
        "--inventory",
        missing.to_str().unwrap(),
        request.to_str().unwrap(),
    ]);
    assert_eq!(output.code, 2);
    assert!(output.stdout.contains("io-error"), "{}", output.stdout);
}

#[test]
fn ecs_export_image_is_checked_with_ecs_rules() {
    let dir = TempDir::new("ecs-shapes");
    let json = dir.write(
        "ecs.json",
        r#"{"Action": "ExportImage", "ImageId": "m-bp67acfmxazb4p1234", "OSSBucket": "testexportimage", "RegionId": "cn-hangzhou", "OSSPrefix": "EcsExport", "ImageFormat": "iso"}"#,
    );
    let query = dir.write(
        "ecs.txt",
        "?Action=ExportImage&Version=2014-05-26\n&ImageId=m-bp67acfmxazb4p1234\n&OSSBucket=testexportimage\n&RegionId=cn-hangzhou\n&ImageFormat=iso\n",
    );
    for path in [json, query] {
        let output = run(&[
            "check",
            "--format",
            "json",
            "--bucket-region",
            "testexportimage=cn-hangzhou",
            path.to_str().unwrap(),
        ]);
        let report = output.json();
        assert_eq!(output.rules(), ["parameter-enum"], "{}", output.stdout);
        let message = report["diagnostics"][0]["message"].as_str().unwrap();
        assert_eq!(
            message,
            "ImageFormat is \"iso\"; the API reference lists \"raw\", \"vhd\", \"qcow2\", \"vmdk\", \"vdi\" for ImageFormat"
        );
        assert_eq!(report["summary"]["not_recognised"], 0);
    }
}

#[test]
fn ecs_export_image_bucket_must_be_in_region_id() {
    let dir = TempDir::new("ecs-region");
    let text = "aliyun ecs ExportImage --RegionId cn-hangzhou --ImageId m-bp67acfmxazb4p1234 --OSSBucket exports-bj\n";
    let path = dir.write("export.sh", text);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--bucket-region",
        "exports-bj=cn-beijing",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.rules(), ["region-mismatch"], "{}", output.stdout);
    let diagnostic = &output.json()["diagnostics"][0];
    assert_eq!(spanned(text, diagnostic), "cn-hangzhou");
}

#[test]
fn real_requests_have_recorded_origins() {
    let dir = root().join("fixtures/real-requests");
    let sources = std::fs::read_to_string(dir.join("SOURCES.tsv")).unwrap();
    for file in files_in(&dir) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "SOURCES.tsv" || name == "README.md" {
            continue;
        }
        assert!(
            sources
                .lines()
                .any(|line| line.split('\t').next() == Some(name.as_str())),
            "{name} has no row in fixtures/real-requests/SOURCES.tsv"
        );
    }
}

/// The real ECS ExportImage samples and what ramlint reports on them: the documentation
/// masks the image ID, writes the bucket with an uppercase letter, which OSS bucket names
/// cannot contain, and one older page spells `OSSBucket` as `OssBucket`.
const REAL_ECS_EXPORTS: &[(&str, &[&str])] = &[
    (
        "ecs_cn.zh-CN_API_ExportImage.md_010acc24__L101-107.txt",
        &["invalid-bucket-name", "placeholder-value"],
    ),
    (
        "ecs_cn.zh-CN_API_ExportImage.md_35f8e2fe__L78-82.txt",
        &["invalid-bucket-name", "unknown-parameter"],
    ),
    (
        "ecs_intl.en-US_API_Reference_Images_ExportImage.md__L96-102.txt",
        &["invalid-bucket-name", "placeholder-value"],
    ),
];

#[test]
fn real_requests_are_checked_or_not_recognised() {
    for file in files_in(&root().join("fixtures/real-requests")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "SOURCES.tsv" || name == "README.md" {
            continue;
        }
        let output = run(&[
            "check",
            "--format",
            "json",
            "--allow-empty",
            &relative(&file),
        ]);
        let report = output.json();
        let expected = REAL_ECS_EXPORTS
            .iter()
            .find(|(file, _)| *file == name)
            .map(|(_, rules)| *rules);
        match expected {
            Some(rules) => {
                let mut found = output.rules();
                found.sort();
                found.dedup();
                assert_eq!(found, rules, "{name}: {}", output.stdout);
                assert_eq!(report["summary"]["not_recognised"], 0, "{name}");
            }
            None => {
                assert_eq!(output.code, 0, "{name}: {}", output.stdout);
                assert_eq!(report["diagnostics"].as_array().unwrap().len(), 0, "{name}");
                assert_eq!(report["summary"]["not_recognised"], 1, "{name}");
            }
        }
    }
}

#[test]
fn scan_of_docs_and_scripts_stays_quiet() {
    let dir = TempDir::new("quiet-scan");
    dir.write("README.md", "# Tools\n\n```sh\nmake build\naliyun ecs DescribeRegions\n```\n\nSet `Action=ExportImage` in prose.\n");
    dir.write(
        "deploy.sh",
        "#!/bin/sh\nset -e\ncurl -fsS https://example.com/health\n",
    );
    dir.write(
        "notes.txt",
        "Remember: OSSBucket=a&OSSRegionId=b is not a request without an image.\n",
    );
    dir.write(
        "pom.xml",
        "<?xml version=\"1.0\"?>\n<project><name>x</name></project>\n",
    );
    let output = run(&["check", "--format", "json", "--allow-empty", dir.path()]);
    let report = output.json();
    assert_eq!(
        report["diagnostics"].as_array().unwrap().len(),
        0,
        "{}",
        output.stdout
    );
    assert_eq!(report["summary"]["files"], 4);
    assert_eq!(report["summary"]["not_recognised"], 4);
    assert_eq!(output.code, 0);
}
