//! Required grants and simulation: `--require`, `--policy`, `[[grants]]` and `simulate`.

use std::path::Path;

use crate::support::{Output, TempDir, run};

const ALLOW_ENS: &str = r#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ens:*", "Resource": "*"}
  ]
}
"#;

const DENY_EXPORT: &str = r#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:DescribeInstances", "Resource": "*"},
    {"Sid": "NoExport", "Effect": "Deny", "Action": ["ens:Export*"], "Resource": "*"}
  ]
}
"#;

const READ_ONLY: &str = r#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ens:Describe*", "Resource": "*"}
  ]
}
"#;

const CONDITIONAL_DENY: &str = r#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "ens:ExportImage",
      "Resource": "*",
      "Condition": {"IpAddress": {"acs:SourceIp": "203.0.113.0/24"}}
    }
  ]
}
"#;

fn path(file: &Path) -> &str {
    file.to_str().unwrap()
}

/// Returns the diagnostics of a JSON report with the given rule.
fn diagnostics_of(output: &Output, rule: &str) -> Vec<serde_json::Value> {
    output.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule)
        .cloned()
        .collect()
}

/// Slices the text a JSON span covers.
fn slice<'t>(text: &'t str, span: &serde_json::Value) -> &'t str {
    let start = span["start"]["offset"].as_u64().unwrap() as usize;
    let end = span["end"]["offset"].as_u64().unwrap() as usize;
    &text[start..end]
}

#[test]
fn require_checks_each_document_on_its_own() {
    let dir = TempDir::new("require-each");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let read_only = dir.write("read-only.json", READ_ONLY);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--require",
        "ens:ExportImage",
        path(&allow),
        path(&read_only),
    ]);
    assert_eq!(output.code, 1, "{}", output.stdout);
    let found = diagnostics_of(&output, "action-not-granted");
    assert_eq!(found.len(), 1, "only the read-only policy fails");
    let diagnostic = &found[0];
    assert!(
        diagnostic["path"]
            .as_str()
            .unwrap()
            .ends_with("read-only.json")
    );
    assert_eq!(
        diagnostic["message"],
        "\"ens:ExportImage\" is implicitly denied: no statement allows it on \"*\""
    );
    // An implicit deny points at the `Statement` array that lacks the grant.
    let covered = slice(READ_ONLY, &diagnostic["span"]);
    assert!(
        covered.starts_with('[') && covered.ends_with(']'),
        "{covered}"
    );
}

#[test]
fn explicit_deny_in_another_file_is_labelled_there() {
    let dir = TempDir::new("policy-set-deny");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let deny = dir.write("deny.json", DENY_EXPORT);
    let args = [
        "check",
        "--policy",
        path(&allow),
        "--policy",
        path(&deny),
        "--require",
        "ens:ExportImage",
        path(&allow),
    ];
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let output = run(&json_args);
    assert_eq!(output.code, 1, "{}", output.stdout);
    let found = diagnostics_of(&output, "action-not-granted");
    assert_eq!(found.len(), 1);
    let diagnostic = &found[0];
    assert_eq!(
        diagnostic["message"],
        "\"ens:ExportImage\" is explicitly denied by statement 1 (Sid \"NoExport\") of the policies given with --policy"
    );
    assert!(diagnostic["path"].as_str().unwrap().ends_with("deny.json"));
    assert_eq!(slice(DENY_EXPORT, &diagnostic["span"]), "\"ens:Export*\"");
    let label = &diagnostic["labels"][0];
    assert!(label["path"].as_str().unwrap().ends_with("allow.json"));
    assert_eq!(slice(ALLOW_ENS, &label["span"]), "\"ens:*\"");
    assert_eq!(label["span"]["start"]["line"], 4);
    assert!(
        label["message"]
            .as_str()
            .unwrap()
            .ends_with("but the Deny wins")
    );

    // The text format shows the line of the other file, kept after its worker ended.
    let mut text_args = args.to_vec();
    text_args.extend(["--color", "never"]);
    let text = run(&text_args);
    assert!(
        text.stdout
            .contains(r#"{"Effect": "Allow", "Action": "ens:*", "Resource": "*"}"#),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("allow.json:4:35"), "{}", text.stdout);
}

#[test]
fn policy_set_grants_together() {
    let dir = TempDir::new("policy-set-grant");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let read_only = dir.write("read-only.json", READ_ONLY);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--policy",
        path(&read_only),
        "--policy",
        path(&allow),
        "--require",
        "ens:ExportImage",
        path(&read_only),
    ]);
    assert!(diagnostics_of(&output, "action-not-granted").is_empty());
    assert_eq!(output.code, 0, "{}", output.stdout);
    // Both files are read once, although one was also given as a path.
    assert_eq!(output.json()["summary"]["files"], 2);
}

#[test]
fn implicit_deny_of_a_set_labels_every_file() {
    let dir = TempDir::new("policy-set-implicit");
    let first = dir.write("a.json", READ_ONLY);
    let second = dir.write("b.json", READ_ONLY);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--policy",
        path(&first),
        "--policy",
        path(&second),
        "--require",
        "ens:ExportImage",
        path(&first),
    ]);
    let found = diagnostics_of(&output, "action-not-granted");
    assert_eq!(found.len(), 1);
    assert!(found[0]["path"].as_str().unwrap().ends_with("a.json"));
    let label = &found[0]["labels"][0];
    assert!(label["path"].as_str().unwrap().ends_with("b.json"));
    assert_eq!(label["message"], "nor does any statement here");
}

#[test]
fn conditional_grant_is_a_warning() {
    let dir = TempDir::new("conditional");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let deny = dir.write("deny.json", CONDITIONAL_DENY);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--policy",
        path(&allow),
        "--policy",
        path(&deny),
        "--require",
        "ens:ExportImage",
        path(&allow),
    ]);
    assert_eq!(output.code, 0, "a warning does not fail: {}", output.stdout);
    let found = diagnostics_of(&output, "action-conditionally-granted");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["severity"], "warning");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains(r#"IpAddress acs:SourceIp "203.0.113.0/24""#)
    );
    let condition = found[0]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|label| label["message"].as_str().unwrap().starts_with("undecided"))
        .expect("the condition is labelled");
    assert_eq!(
        slice(CONDITIONAL_DENY, &condition["span"]),
        "\"acs:SourceIp\""
    );
}

#[test]
fn unreadable_policy_never_passes() {
    let dir = TempDir::new("policy-set-broken");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let broken = dir.write("broken.json", "{\"Version\": \"1\", \"Statement\": [");
    let output = run(&[
        "check",
        "--format",
        "json",
        "--policy",
        path(&allow),
        "--policy",
        path(&broken),
        "--require",
        "ens:ExportImage",
        path(&allow),
    ]);
    assert_eq!(output.code, 1);
    let found = diagnostics_of(&output, "action-not-granted");
    assert_eq!(found.len(), 1);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot tell")
    );
    assert!(found[0]["path"].as_str().unwrap().ends_with("broken.json"));

    let missing = dir.0.join("missing.json");
    let output = run(&[
        "check",
        "--policy",
        path(&missing),
        "--require",
        "ens:ExportImage",
        path(&allow),
    ]);
    assert_eq!(output.code, 2, "{}", output.stdout);
}

#[test]
fn misspelled_element_grants_nothing() {
    let dir = TempDir::new("require-misspelled");
    let policy = dir.write(
        "misspelled.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Actions": "ens:ExportImage", "Resource": "*"}]}"#,
    );
    let text = std::fs::read_to_string(&policy).unwrap();
    let output = run(&[
        "check",
        "--format",
        "json",
        "--require",
        "ens:ExportImage",
        path(&policy),
    ]);
    assert_eq!(output.code, 1, "{}", output.stdout);
    let denied = diagnostics_of(&output, "action-not-granted");
    assert_eq!(denied.len(), 1, "{}", output.stdout);
    let missing = diagnostics_of(&output, "missing-element");
    assert_eq!(missing.len(), 1, "{}", output.stdout);
    assert_eq!(
        missing[0]["message"],
        "the statement has no `Action` nor `NotAction`"
    );
    assert_eq!(
        slice(&text, &missing[0]["labels"][0]["span"]),
        "\"Actions\""
    );

    let simulated = run(&[
        "simulate",
        "--policy",
        path(&policy),
        "--action",
        "ens:ExportImage",
    ]);
    assert_eq!(simulated.code, 1, "{}", simulated.stdout);
    assert!(
        simulated.stdout.starts_with("implicitly-denied"),
        "{}",
        simulated.stdout
    );
}

#[test]
fn require_rejects_patterns_and_malformed_actions() {
    let dir = TempDir::new("require-bad");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let output = run(&["check", "--require", "ens:Export*", path(&allow)]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("name one action"),
        "{}",
        output.stderr
    );
    let output = run(&["check", "--require", "ens: ExportImage", path(&allow)]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("write `ens:ExportImage`"),
        "{}",
        output.stderr
    );
}

#[test]
fn unlisted_required_action_warns() {
    let dir = TempDir::new("require-unlisted");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let read_only = dir.write("read-only.json", READ_ONLY);
    let output = run(&["check", "--require", "ens:ExportImages", path(&read_only)]);
    // The catalog can be older than the service, so the run goes on and checks the action.
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output.stderr.contains(
            "warning: --require: `ExportImages` is not an action of `ens` in the action catalog"
        ),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("did you mean `ens:ExportImage`?"),
        "{}",
        output.stderr
    );
    assert!(
        output.stdout.contains("ens:ExportImages"),
        "{}",
        output.stdout
    );

    let listed = run(&["check", "--require", "ens:ExportImage", path(&allow)]);
    assert_eq!(listed.code, 0, "{}", listed.stdout);
    assert!(!listed.stderr.contains("warning"), "{}", listed.stderr);

    let simulated = run(&[
        "simulate",
        "--policy",
        path(&allow),
        "--action",
        "ecss:DescribeInstances",
    ]);
    assert!(
        simulated
            .stderr
            .contains("warning: --action: service code `ecss` is not in the action catalog"),
        "{}",
        simulated.stderr
    );
    assert!(
        simulated
            .stderr
            .contains("did you mean `ecs:DescribeInstances`?"),
        "{}",
        simulated.stderr
    );
}

#[test]
fn long_command_line_actions_shortened() {
    let dir = TempDir::new("long-action");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let action = format!("ens:{}", "Export".repeat(500));
    let simulated = run(&["simulate", "--policy", path(&allow), "--action", &action]);
    let required = run(&["check", "--require", &action, path(&allow)]);
    let bad = format!("ens:{} x", "Export".repeat(500));
    let rejected = run(&["check", "--require", &bad, path(&allow)]);
    for (name, output) in [("simulate", &simulated), ("require", &required)] {
        assert!(
            output.stderr.contains("is not an action of `ens`"),
            "{name}: {}",
            output.stderr
        );
        assert!(
            output.stderr.contains('\u{2026}'),
            "{name}: {}",
            output.stderr
        );
        assert!(output.stderr.len() < 1000, "{name}: {}", output.stderr);
    }
    assert!(simulated.stdout.len() < 1000, "{}", simulated.stdout);
    assert_eq!(rejected.code, 2);
    assert!(
        rejected.stderr.contains("invalid action"),
        "{}",
        rejected.stderr
    );
    assert!(rejected.stderr.len() < 1000, "{}", rejected.stderr);
}

#[test]
fn grants_entries_check_their_policies() {
    let dir = TempDir::new("grants-config");
    dir.write("policies/allow.json", ALLOW_ENS);
    dir.write("policies/deny.json", DENY_EXPORT);
    dir.write("other/read-only.json", READ_ONLY);
    let config = dir.write(
        "ramlint.toml",
        "[[grants]]\npolicies = [\"policies/*.json\"]\nrequests = [\"requests/**\"]\nrequire = [\"ens:ExportImage\"]\n\n[[grants]]\npolicies = [\"other/read-only.json\"]\nrequire = [\"ens:DescribeImages\"]\n",
    );
    let scan = dir.0.join("other");
    let output = run(&[
        "check",
        "--format",
        "json",
        "--config",
        path(&config),
        path(&scan),
    ]);
    assert_eq!(output.code, 1, "{}", output.stdout);
    let found = diagnostics_of(&output, "action-not-granted");
    assert_eq!(found.len(), 1, "only the first entry fails: {found:?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("of the policies of [[grants]] entry 1 in ramlint.toml")
    );
    assert!(
        found[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("policies/deny.json")
    );
    // The policies of both entries are read although only `other/` was scanned.
    assert_eq!(output.json()["summary"]["files"], 3);
}

#[test]
fn grants_entry_errors_point_at_the_value() {
    let dir = TempDir::new("grants-config-bad");
    dir.write("policies/allow.json", ALLOW_ENS);
    let cases = [
        (
            "policies = [\"policies/*.jsn\"]\nrequire = [\"ens:ExportImage\"]\n",
            "\"policies/*.jsn\"",
            "matches no file",
        ),
        (
            "policies = [\"policies/nope.json\"]\nrequire = [\"ens:ExportImage\"]\n",
            "\"policies/nope.json\"",
            "does not exist",
        ),
        (
            "policies = [\"policies/allow.json\"]\nrequire = [\"ens:*\"]\n",
            "\"ens:*\"",
            "is a pattern",
        ),
        (
            "policies = [\"policies/allow.json\"]\n",
            "[[grants]]",
            "neither `require` nor `requests`",
        ),
        (
            "policies = [\"policies/allow.json\"]\nrequired = [\"ens:ExportImage\"]\n",
            "required",
            "unknown field",
        ),
    ];
    for (body, underlined, message) in cases {
        let text = format!("[[grants]]\n{body}");
        let config = dir.write("ramlint.toml", &text);
        let output = run(&["check", "--config", path(&config), dir.path()]);
        assert_eq!(output.code, 2, "{body}");
        assert!(output.stderr.contains(message), "{body}: {}", output.stderr);
        let column = text.lines().find_map(|line| line.find(underlined)).unwrap();
        let carets = format!("{}{}", " ".repeat(column), "^".repeat(underlined.len()));
        assert!(output.stderr.contains(&carets), "{body}: {}", output.stderr);
    }
}

#[test]
fn simulate_prints_the_decision_and_why() {
    let dir = TempDir::new("simulate");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let deny = dir.write("deny.json", CONDITIONAL_DENY);
    let base = [
        "simulate",
        "--policy",
        path(&allow),
        "--policy",
        path(&deny),
        "--action",
        "ens:ExportImage",
    ];

    let undecided = run(&base);
    assert_eq!(undecided.code, 1, "{}", undecided.stderr);
    assert!(
        undecided
            .stdout
            .starts_with("conditional: \"ens:ExportImage\" on \"*\"\n"),
        "{}",
        undecided.stdout
    );
    assert!(
        undecided
            .stdout
            .contains("deny.json:4:5: statement 0, Deny: applies-if-conditions"),
        "{}",
        undecided.stdout
    );

    let mut inside = base.to_vec();
    inside.extend(["--context", "acs:SourceIp=203.0.113.9"]);
    let denied = run(&inside);
    assert_eq!(denied.code, 1);
    assert!(denied.stdout.starts_with("denied:"), "{}", denied.stdout);

    let mut outside = base.to_vec();
    outside.extend(["--context", "acs:SourceIp=198.51.100.1", "--format", "json"]);
    let allowed = run(&outside);
    assert_eq!(allowed.code, 0, "{}", allowed.stdout);
    let report = allowed.json();
    assert_eq!(report["decision"], "allowed");
    let statements = report["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0]["effect"], "Allow");
    assert_eq!(statements[0]["matched"], true);
    assert_eq!(statements[0]["deciding"], true);
    assert_eq!(
        slice(ALLOW_ENS, &statements[0]["span"]),
        r#"{"Effect": "Allow", "Action": "ens:*", "Resource": "*"}"#
    );
    assert_eq!(statements[1]["outcome"], "conditions-false");
    let condition = &report["conditions"][0];
    assert_eq!(condition["result"], "false");
    assert_eq!(condition["request_values"][0], "198.51.100.1");
    assert_eq!(
        slice(CONDITIONAL_DENY, &condition["span"]),
        "\"acs:SourceIp\""
    );
}

#[test]
fn simulate_rejects_bad_input() {
    let dir = TempDir::new("simulate-bad");
    let allow = dir.write("allow.json", ALLOW_ENS);
    let broken = dir.write("broken.json", "{\"Version\": ");
    let cases: [&[&str]; 4] = [
        &[
            "--action",
            "ens:ExportImage",
            "--context",
            "acs:SourceIp=10.0.0.0/8",
        ],
        &["--action", "ens:*"],
        &[
            "--action",
            "ens:ExportImage",
            "--resource",
            "acs:ens:1:image/m-1",
        ],
        &[
            "--action",
            "ens:ExportImage",
            "--context",
            "SourceIp=10.0.0.1",
        ],
    ];
    for extra in cases {
        let mut args = vec!["simulate", "--policy", path(&allow)];
        args.extend_from_slice(extra);
        let output = run(&args);
        assert_eq!(output.code, 2, "{extra:?}: {}", output.stdout);
        assert!(
            output.stderr.starts_with("error: "),
            "{extra:?}: {}",
            output.stderr
        );
    }
    let output = run(&[
        "simulate",
        "--policy",
        path(&broken),
        "--action",
        "ens:ExportImage",
    ]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("error[invalid-json]"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("cannot evaluate the request"),
        "{}",
        output.stderr
    );
    assert_eq!(output.stdout, "");
}

/// Runs the engine over `paths` with one policy set made of `policies`.
fn run_with_set(
    paths: Vec<std::path::PathBuf>,
    policies: Vec<std::path::PathBuf>,
    scope: ramlint::grants::RequestScope,
) -> (
    ramlint::engine::RunResult,
    Vec<ramlint::grants::PolicySetSpec>,
) {
    let specs = vec![ramlint::grants::PolicySetSpec {
        name: "the policies given with --policy".to_string(),
        files: policies,
        require: Vec::new(),
        requests: scope,
    }];
    let grants = ramlint::grants::GrantOptions {
        require_each: Vec::new(),
        sets: specs.clone(),
    };
    let settings = ramlint::settings::Settings::default();
    let result = ramlint::engine::run(ramlint::engine::RunOptions {
        paths,
        discover: ramlint::discover::DiscoverOptions {
            excludes: ramlint::discover::Excludes::default(),
            force_exclude: false,
            skip_unrecognised: false,
        },
        settings: &settings,
        grants: &grants,
        jobs: 1,
        stdin: None,
        inventory: Default::default(),
        fingerprints: true,
    });
    (result, specs)
}

#[test]
fn stored_request_needs_its_action_granted() {
    use ramlint::checks::grants::RequestAction;
    use ramlint::grants::{RequestScope, StoredRequest, check_requests, compile_globs};
    use ramlint::source::Span;

    let dir = TempDir::new("request-grants");
    let allow = dir.write("policies/allow.json", ALLOW_ENS);
    let deny = dir.write("policies/deny.json", DENY_EXPORT);
    let request_text = r#"{"Action": "ExportImage", "ImageId": "m-1", "OSSBucket": "b", "OSSRegionId": "cn-beijing"}"#;
    let request_path = dir.write("requests/export.json", request_text);
    let action_start = request_text.find("\"ExportImage\"").unwrap();
    let action_span = Span::from_range(action_start, action_start + "\"ExportImage\"".len());

    let (result, specs) = run_with_set(
        vec![request_path.clone()],
        vec![allow.clone(), deny.clone()],
        RequestScope::All,
    );
    let request_file = result
        .files
        .iter()
        .position(|file| file.display.ends_with("requests/export.json"))
        .map(|i| ramlint::diagnostic::FileId(i as u32))
        .expect("the request file is part of the run");
    let action = ramlint::catalog::ram_action("Ens", "ExportImage").unwrap();
    let request = StoredRequest {
        path: &request_path,
        action: RequestAction {
            file: request_file,
            action: &action,
            span: action_span,
        },
    };

    let diagnostics = check_requests(&result, &specs, &[request]);
    assert_eq!(diagnostics.len(), 1);
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic.rule.id, "action-not-granted");
    assert_eq!(diagnostic.file, request_file);
    assert_eq!(diagnostic.span, Some(action_span));
    assert!(
        diagnostic
            .message
            .contains("explicitly denied by statement 1 (Sid \"NoExport\")")
    );
    let deciding = &diagnostic.labels[0];
    assert!(
        result.files[deciding.file.0 as usize]
            .display
            .ends_with("deny.json")
    );
    assert_eq!(&DENY_EXPORT[deciding.span.range()], "\"ens:Export*\"");
    assert!(!diagnostic.fingerprint.is_empty());

    // A set whose `requests` globs do not cover the file leaves it alone.
    let (result, specs) = run_with_set(
        vec![request_path.clone()],
        vec![allow.clone(), deny.clone()],
        RequestScope::Matching {
            globs: compile_globs(&["other/**"]).unwrap(),
            base: dir.0.clone(),
        },
    );
    let request = StoredRequest {
        path: &request_path,
        action: RequestAction {
            file: request_file,
            action: &action,
            span: action_span,
        },
    };
    assert!(check_requests(&result, &specs, &[request]).is_empty());

    // A set that grants the action passes the request.
    let (result, specs) = run_with_set(vec![request_path.clone()], vec![allow], RequestScope::All);
    assert!(check_requests(&result, &specs, &[request]).is_empty());
}

#[test]
fn near_miss_in_another_file_keeps_its_lines() {
    const IMAGES_ONLY: &str = r#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ens:ExportImage",
      "Resource": [
        "acs:ens:*:*:image/m-1",
        "acs:ens:*:*:image/m-2"
      ]
    }
  ]
}
"#;
    let dir = TempDir::new("policy-set-near-miss");
    let read_only = dir.write("a.json", READ_ONLY);
    let images = dir.write("b.json", IMAGES_ONLY);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--policy",
        path(&read_only),
        "--policy",
        path(&images),
        "--require",
        "ens:ExportImage",
        path(&read_only),
    ]);
    let found = diagnostics_of(&output, "action-not-granted");
    assert_eq!(found.len(), 1);
    let near_miss = found[0]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|label| label["message"].as_str().unwrap().starts_with("covers"))
        .expect("the statement limited to images is labelled");
    assert!(near_miss["path"].as_str().unwrap().ends_with("b.json"));
    let covered = slice(IMAGES_ONLY, &near_miss["span"]);
    assert!(
        covered.starts_with('[') && covered.ends_with(']'),
        "{covered}"
    );
    assert_eq!(near_miss["span"]["start"]["line"], 7);
    assert_eq!(near_miss["span"]["start"]["column"], 19);
    assert_eq!(near_miss["span"]["end"]["line"], 10);
}

#[test]
fn unscanned_set_members_skip_require() {
    let dir = TempDir::new("grants-not-scanned");
    dir.write("policies/deny.json", DENY_EXPORT);
    dir.write("other/read-only.json", READ_ONLY);
    let config = dir.write(
        "ramlint.toml",
        "[[grants]]\npolicies = [\"policies/deny.json\"]\nrequests = [\"requests/**\"]\n",
    );
    let scan = dir.0.join("other");
    let output = run(&[
        "check",
        "--format",
        "json",
        "--config",
        path(&config),
        "--require",
        "ens:DescribeImages",
        path(&scan),
    ]);
    assert_eq!(output.code, 0, "{}", output.stdout);
    assert!(diagnostics_of(&output, "action-not-granted").is_empty());
    assert_eq!(output.json()["summary"]["files"], 2);
}
