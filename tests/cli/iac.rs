//! Policies in Terraform configurations and ROS templates: real templates from public
//! repositories (`fixtures/real-iac/`, origins in its `SOURCES.tsv`), spans into the
//! template files, and OSS buckets of templates as inventory entries.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{relative, root, run};

/// Lists the template files under `fixtures/real-iac`, sorted.
fn real_templates() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root().join("fixtures/real-iac")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.file_name().is_some_and(|n| n != "SOURCES.tsv") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn name_in_sources(path: &Path) -> String {
    path.strip_prefix(root().join("fixtures/real-iac"))
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Returns the diagnostics of a JSON report with the given rule.
fn with_rule<'r>(report: &'r Value, rule: &str) -> Vec<&'r Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule)
        .collect()
}

/// Returns the text a diagnostic's span covers.
fn covered(path: &str, diagnostic: &Value) -> String {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let start = diagnostic["span"]["start"]["offset"].as_u64().unwrap() as usize;
    let end = diagnostic["span"]["end"]["offset"].as_u64().unwrap() as usize;
    text[start..end].to_string()
}

#[test]
fn real_templates_have_recorded_origins() {
    let sources = std::fs::read_to_string(root().join("fixtures/real-iac/SOURCES.tsv")).unwrap();
    let templates = real_templates();
    assert!(templates.len() >= 15, "{} templates", templates.len());
    for file in templates {
        let name = name_in_sources(&file);
        assert!(
            sources
                .lines()
                .any(|line| line.split('\t').next() == Some(name.as_str())),
            "{name} has no row in fixtures/real-iac/SOURCES.tsv"
        );
    }
}

#[test]
fn real_templates_snapshots() {
    for file in real_templates() {
        let name = name_in_sources(&file).replace('/', "__");
        let path = relative(&file);
        // A template that holds only look-alikes contains nothing to check.
        let text = run(&["check", "--allow-empty", "--color", "never", &path]);
        let json = run(&["check", "--allow-empty", "--format", "json", &path]);
        assert!(
            text.code == 0 || text.code == 1,
            "{name}: exit code {}\n{}",
            text.code,
            text.stderr
        );
        assert_eq!(json.json()["summary"]["files"], 1, "{name}");
        insta::with_settings!({ input_file => &file, omit_expression => true }, {
            insta::assert_snapshot!(format!("real_iac__{name}__text"), text.stdout);
            insta::assert_snapshot!(format!("real_iac__{name}__json"), json.stdout);
        });
    }
}

#[test]
fn heredoc_full_width_comma_span() {
    let path = "fixtures/real-iac/terraform/terraform-provider-alicloud__website_docs_target_r_resource_manager_role_0_resource_manager_role_0/resource_manager_role_0.tf";
    let report = run(&["check", "--format", "json", path]).json();
    let errors = with_rule(&report, "invalid-json");
    assert_eq!(errors.len(), 1);
    assert_eq!(covered(path, errors[0]), "，");
    assert_eq!(errors[0]["span"]["start"]["line"], 12);
}

#[test]
fn whole_value_interpolations_are_unknown_not_invalid() {
    let path = "fixtures/real-iac/terraform/terraform-alicloud-ram-role__main/main.tf";
    let report = run(&["check", "--format", "json", path]).json();
    assert!(with_rule(&report, "invalid-json").is_empty());
    let unknown = with_rule(&report, "unresolved-value");
    assert_eq!(unknown.len(), 2, "{unknown:#?}");
    assert_eq!(covered(path, unknown[0]), "${local.trusted_principal_arns}");
    let labels = unknown[0]["labels"].as_array().unwrap();
    assert_eq!(labels[0]["message"], "`${local.trusted_services}`");
}

#[test]
fn for_expression_unknown_rest_checked() {
    let path = "fixtures/real-iac/terraform/terraform-alicloud-ram-policy__modules_AhasApplicaitonFullAccess_main/main.tf";
    let report = run(&["check", "--format", "json", path]).json();
    assert!(with_rule(&report, "invalid-json").is_empty());
    let unknown = with_rule(&report, "unresolved-value");
    assert_eq!(unknown.len(), 1);
    assert!(covered(path, unknown[0]).starts_with("${jsonencode([for application in"));
    // The condition key `Action` lacks a service prefix: found in the same document.
    let conditions = with_rule(&report, "invalid-condition");
    assert_eq!(conditions.len(), 1);
    assert_eq!(covered(path, conditions[0]), "\"Action\"");
}

#[test]
fn policy_in_local_object_is_followed() {
    let path = "fixtures/real-iac/terraform/landing-with-terraform__solution_tech-solution_oss-x-cdn_main/main.tf";
    let report = run(&["check", "--format", "json", path]).json();
    let unknown = with_rule(&report, "unresolved-value");
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    assert_eq!(
        covered(path, unknown[0]),
        "\"acs:oss:*:*:${alicloud_oss_bucket.oss_bucket.id}\""
    );
}

#[test]
fn stack_policy_is_not_checked() {
    let path = "fixtures/real-iac/terraform/datadog-iac-scanner__assets_queries_terraform_alicloud_no_ros_stack_policy_test_positive2/positive2.tf";
    let report = run(&["check", "--format", "json", "--allow-empty", path]).json();
    assert_eq!(report["diagnostics"], Value::Array(Vec::new()));
    assert_eq!(report["summary"]["not_recognised"], 1);
}

#[test]
fn escaped_trust_policies_in_variable_default_are_checked() {
    let path = "fixtures/real-iac/terraform/landing-with-terraform__quickstarts_Container_Service_for_Kubernetes_ACK__201-use-case-enable-ack-and-assign-role_main/main.tf";
    let report = run(&[
        "check",
        "--format",
        "json",
        "--require",
        "sts:AssumeRole",
        path,
    ])
    .json();
    // The trust policies grant nothing to a caller, so `--require` leaves them alone; the
    // `for_each` resource that uses them is reported once as unknown.
    assert!(with_rule(&report, "action-not-granted").is_empty());
    let unknown = with_rule(&report, "unresolved-value");
    assert_eq!(unknown.len(), 1);
    assert_eq!(covered(path, unknown[0]), "each.value.policy_document");
}

#[test]
fn ros_json_string_policy_spans_cover_escapes() {
    let path = "fixtures/iac-templates/control-policy.json";
    let report = run(&["check", "--format", "json", path]).json();
    let effects = with_rule(&report, "invalid-effect");
    assert_eq!(effects.len(), 1);
    assert_eq!(covered(path, effects[0]), "\\\"allow\\\"");
}

#[test]
fn ros_if_checks_both_branches() {
    let path = "fixtures/iac-templates/if-branches.yaml";
    let report = run(&["check", "--format", "json", path]).json();
    let effects = with_rule(&report, "invalid-effect");
    assert_eq!(effects.len(), 1, "{effects:#?}");
    assert_eq!(covered(path, effects[0]), "Alow");
    let wildcards = with_rule(&report, "service-wildcard");
    assert_eq!(wildcards.len(), 1);
    assert_eq!(covered(path, wildcards[0]), "!Ref Actions");
}

#[test]
fn template_buckets_are_inventory_entries() {
    let report = run(&[
        "check",
        "--format",
        "json",
        "--config",
        "fixtures/iac-inventory/ramlint.toml",
        "fixtures/iac-inventory",
    ])
    .json();
    let mismatches = with_rule(&report, "region-mismatch");
    let paths: Vec<&str> = mismatches
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "fixtures/iac-inventory/requests/exports-bj.json",
            "fixtures/iac-inventory/requests/exports-sh.json"
        ]
    );
    // The Terraform bucket's region is the default provider's `region`.
    let label = &mismatches[0]["labels"][0];
    assert_eq!(label["path"], "fixtures/iac-inventory/terraform/main.tf");
    assert_eq!(label["span"]["start"]["line"], 2);
    // The ROS bucket's region comes from `[template-regions]`.
    assert!(
        mismatches[1]["message"]
            .as_str()
            .unwrap()
            .contains("is in cn-shanghai")
    );
    // The archive bucket uses the aliased provider in cn-hangzhou and a name from a
    // variable default in another file, so its request matches.
    assert!(
        !report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(
                |d| d["path"] == "fixtures/iac-inventory/requests/archive-hz.json"
                    && d["rule"] != "parameter-enum"
            )
    );
}

#[test]
fn ignore_pointer_matches_template_policy() {
    let report = run(&[
        "check",
        "--format",
        "json",
        "--config",
        "fixtures/iac-suppress/ramlint.toml",
        "fixtures/iac-suppress",
    ])
    .json();
    assert_eq!(report["diagnostics"], Value::Array(Vec::new()));
    assert_eq!(report["summary"]["suppressed"], 1);
}

#[test]
fn variable_default_policies_are_found() {
    use ramlint::document::PolicyKind;
    use ramlint::document::embedded::PolicyContent;
    use ramlint::document::terraform::{extract, scope::ModuleScope};

    let path = "fixtures/real-iac/terraform/landing-with-terraform__quickstarts_Container_Service_for_Kubernetes_ACK__201-use-case-enable-ack-and-assign-role_main/main.tf";
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let name = PathBuf::from("main.tf");
    let scope = ModuleScope::from_files([(name.clone(), text.as_str())]);
    let extraction = extract(&text, &name, &scope).unwrap();
    let from_default: Vec<_> = extraction
        .policies
        .iter()
        .filter(|p| p.pointer.starts_with("/variable/roles/default/"))
        .collect();
    // Fifteen escaped trust policies sit in the `roles` default; each is checked, with its
    // kind inferred from its statements.
    assert_eq!(from_default.len(), 15);
    for policy in &from_default {
        assert_eq!(policy.kind, PolicyKind::Unspecified);
        assert!(matches!(policy.content, PolicyContent::Tree { .. }));
    }
    assert_eq!(
        from_default[0].pointer,
        "/variable/roles/default/0/policy_document"
    );
}

#[test]
fn template_region_must_be_a_region() {
    let output = run(&[
        "check",
        "--config",
        "fixtures/iac-templates/bad-region.toml",
        "fixtures/iac-templates/if-branches.yaml",
    ]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("`beijing` is not a region"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("did you mean \"cn-beijing\"?"),
        "{}",
        output.stderr
    );
}

#[test]
fn terraform_on_standard_input() {
    let text =
        std::fs::read(root().join("fixtures/rules/invalid-effect/fail-escaped-string.tf")).unwrap();
    let output = crate::support::run_with_stdin(&["check", "--format", "json", "-"], &text);
    let report = output.json();
    let effects = with_rule(&report, "invalid-effect");
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0]["span"]["start"]["line"], 3);
    assert_eq!(effects[0]["span"]["start"]["column"], 68);
}

#[test]
fn deep_templates_are_errors_not_crashes() {
    let dir = crate::support::TempDir::new("deep-templates");
    let hcl = dir.write("deep.tf", format!("p = {}", "[".repeat(100_000)));
    let yaml = dir.write(
        "deep.yaml",
        format!(
            "ROSTemplateFormatVersion: '2015-09-01'\nx: {}",
            "[".repeat(100_000)
        ),
    );
    for (path, rule) in [(hcl, "invalid-hcl"), (yaml, "invalid-yaml")] {
        let report = run(&["check", "--format", "json", path.to_str().unwrap()]).json();
        assert_eq!(with_rule(&report, rule).len(), 1, "{}", path.display());
    }
}
