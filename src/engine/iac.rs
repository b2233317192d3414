//! The work of a template file: a Terraform configuration or a ROS template. Each policy
//! document it contains goes through the same checks as a policy file, with spans and
//! pointers into the template.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::file::{FileJob, Found, check_document};
use super::{FileStatus, file::Loaded, file::read_capped};
use crate::checks::{self, Ctx, template};
use crate::discover::{Origin, Target};
use crate::document::embedded::{EmbeddedPolicy, PolicyContent};
use crate::document::terraform::scope::ModuleScope;
use crate::document::{PolicyKind, ros, terraform};
use crate::fingerprint;
use crate::syntax::json::Facts;
use crate::syntax::{Node, Value, yaml};

/// The scopes of the Terraform modules met in a run, by folder, each read once by the
/// first worker that needs it.
#[derive(Debug, Default)]
pub(super) struct ModuleCache {
    folders: Mutex<HashMap<PathBuf, Arc<OnceLock<ModuleScope>>>>,
}

impl ModuleCache {
    /// Returns the scope of the module that the file at `path` belongs to: every `.tf`
    /// file in its folder, read from disk whether or not the scan includes it, as
    /// Terraform does.
    fn scope(&self, path: &Path, max_file_size: u64) -> Arc<OnceLock<ModuleScope>> {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let cell = {
            let mut folders = self
                .folders
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            folders.entry(folder.clone()).or_default().clone()
        };
        cell.get_or_init(|| read_module(&folder, max_file_size));
        cell
    }
}

/// Reads the definitions of the `.tf` files in `folder`. Files that cannot be read, are
/// too large or are not UTF-8 are left out; they are reported when the scan reaches them.
fn read_module(folder: &Path, max_file_size: u64) -> ModuleScope {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return ModuleScope::default();
    };
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("tf") || !path.is_file() {
            continue;
        }
        let Ok(mut file) = std::fs::File::open(&path) else {
            continue;
        };
        let expected = file.metadata().map_or(0, |metadata| metadata.len());
        if let Loaded::Bytes(bytes) = read_capped(&mut file, max_file_size, expected)
            && let Ok(text) = String::from_utf8(bytes)
            && let Some(name) = path.file_name()
        {
            files.push((PathBuf::from(name), text));
        }
    }
    ModuleScope::from_files(
        files
            .iter()
            .map(|(name, text)| (name.clone(), text.as_str())),
    )
}

/// Checks a Terraform file.
pub(super) fn check_terraform(ctx: &mut Ctx<'_>, target: &Target, job: &FileJob<'_>) -> Found {
    let text = ctx.text;
    let own_scope;
    let shared;
    let (scope, name) = match target.origin {
        Origin::Stdin => {
            own_scope = ModuleScope::from_files([(PathBuf::from("-"), text)]);
            (&own_scope, PathBuf::from("-"))
        }
        _ => {
            shared = job.modules.scope(&target.path, ctx.settings.max_file_size);
            let name = target
                .path
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_default();
            (shared.get().expect("initialised by scope()"), name)
        }
    };
    let extraction = match terraform::extract(text, &name, scope) {
        Ok(extraction) => extraction,
        Err(error) => {
            if target.origin == Origin::Walked && !text.contains("alicloud_") {
                return Found::nothing();
            }
            let diagnostic = template::syntax_diagnostic(ctx, &template::INVALID_HCL, &error);
            ctx.report(diagnostic);
            return Found::failed();
        }
    };
    let mut found = Found::nothing();
    check_embedded(ctx, extraction.policies, job, &mut found);
    found.inventory = extraction.inventory;
    if found.documents > 0 || !found.inventory.is_empty() {
        found.status = FileStatus::Checked;
    }
    found
}

/// Checks a YAML file: a ROS template, or YAML that ramlint does not read.
pub(super) fn check_yaml(ctx: &mut Ctx<'_>, target: &Target, job: &FileJob<'_>) -> Found {
    let text = ctx.text;
    match yaml::parse(text) {
        Ok(document) => {
            if !ros::is_template(&document.root) {
                return Found::nothing();
            }
            check_ros(
                ctx,
                target,
                &document.root,
                ros::Format::Yaml(&document.styles),
                job,
            )
        }
        Err(error) => {
            if target.origin == Origin::Walked && !text.contains("ROSTemplateFormatVersion") {
                return Found::nothing();
            }
            let diagnostic = template::syntax_diagnostic(ctx, &template::INVALID_YAML, &error);
            ctx.report(diagnostic);
            Found::failed()
        }
    }
}

/// Checks a parsed ROS template.
pub(super) fn check_ros(
    ctx: &mut Ctx<'_>,
    target: &Target,
    root: &Node<'_>,
    format: ros::Format<'_>,
    job: &FileJob<'_>,
) -> Found {
    let region = match target.origin {
        Origin::Stdin => None,
        _ => ctx.settings.template_regions.region(&target.path),
    };
    let extraction = ros::extract(root, ctx.text, format, region);
    let mut found = Found::nothing();
    check_embedded(ctx, extraction.policies, job, &mut found);
    found.inventory = extraction.inventory;
    // A template is recognised even when it contains no policy, so it counts as checked.
    found.status = FileStatus::Checked;
    found
}

/// Runs the per-document checks on every policy document of a template.
fn check_embedded(
    ctx: &mut Ctx<'_>,
    policies: Vec<EmbeddedPolicy>,
    job: &FileJob<'_>,
    found: &mut Found,
) {
    for policy in policies {
        found.documents += 1;
        let pointer = policy.pointer.as_str();
        match &policy.content {
            PolicyContent::Tree { variants, written } => {
                let start = ctx.diagnostics.len();
                for root in variants {
                    // A template expression among the document's own members makes the
                    // whole document unknown.
                    if let Value::Unknown { reason } = &root.value {
                        let reason = format!("{reason} adds members to the document");
                        template::report_unknown_document(ctx, root.span, pointer, &reason);
                        continue;
                    }
                    let variant_start = ctx.diagnostics.len();
                    let serialised;
                    let sent = match written {
                        Some(text) => text.as_str(),
                        None => {
                            serialised = fingerprint::canonical(root);
                            serialised.as_str()
                        }
                    };
                    let checked = check_document(
                        ctx,
                        root,
                        policy.kind,
                        pointer,
                        Some(sent),
                        Facts::UNKNOWN,
                        job,
                    );
                    template::report_unknown_values(ctx, root, pointer);
                    if job.fingerprints {
                        fingerprint::assign_subjects_within(
                            &mut ctx.diagnostics[variant_start..],
                            root,
                            pointer,
                        );
                    }
                    if job.keep_policy && checked.kind == PolicyKind::Identity {
                        found.policy_spans.extend(checked.label_spans());
                        let checked = checked.into_owned();
                        match &mut found.policy {
                            // NOTE: the identity policies of a template in a policy set are
                            // evaluated as one document. The decision is the same, because
                            // RAM evaluates the statements of all attached policies together.
                            Some(kept) => kept.statements.extend(checked.statements),
                            None => found.policy = Some(checked),
                        }
                    }
                }
                dedup_variants(&mut ctx.diagnostics, start);
            }
            PolicyContent::Invalid(error) => {
                let mut diagnostic = checks::json::parse_error_diagnostic(ctx, error);
                diagnostic.subject = format!("{pointer} syntax");
                diagnostic.pointer = Some(pointer.to_string());
                ctx.report(diagnostic);
            }
            PolicyContent::Unknown { reason } => {
                template::report_unknown_document(ctx, policy.span, pointer, reason);
            }
        }
    }
}

/// Removes the diagnostics after `start` that an earlier variant of the same document
/// already reported.
fn dedup_variants(diagnostics: &mut Vec<crate::diagnostic::Diagnostic>, start: usize) {
    let mut seen = std::collections::HashSet::new();
    let mut index = start;
    while index < diagnostics.len() {
        let diagnostic = &diagnostics[index];
        let key = (
            diagnostic.rule.id,
            diagnostic.span,
            diagnostic.message.clone(),
        );
        if seen.insert(key) {
            index += 1;
        } else {
            diagnostics.remove(index);
        }
    }
}
