//! Resources that can never match what a statement's actions act on.

use super::Ctx;
use super::grammar::item_pointer;
use crate::catalog::resources;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::document::policy::{Policy, Statement};
use crate::eval::{arn, pattern};

declare_rule! {
    /// ## What it checks
    /// That a statement naming an action can match the resources the action acts on.
    /// `ens:ExportImage` has no resource-level permission: RAM authorizes it on all resources
    /// (`*`) only, so a statement that lists it with `"Resource": "acs:ens:*:*:image/m-1"`
    /// grants (or denies) nothing for it. The diagnostic points at the resource and labels
    /// the action.
    ///
    /// The actions and their resources are data, in `rules/catalog/action-resources.toml`,
    /// each with the documentation page that states them.
    ///
    /// ## Why it matters
    /// Alibaba Cloud's documentation says a policy whose resource is not compatible with the
    /// action is ineffective. The author believes the identity may export images, and every
    /// call fails with `NoPermission`; a Deny written this way protects nothing.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage",
    ///   "Resource": "acs:ens:*:*:image/m-5ragaz3s74b7go8ks7jp9****"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// Only actions named without wildcards are checked: `ens:*` with an instance ARN is
    /// meant for the instance-level actions. Only actions with no resource-level permission
    /// are listed so far.
    pub static RESOURCE_MISMATCH = ("resource-mismatch", Warning, "the resource can never match what the action acts on");
}

/// Reports statements whose resources cannot match what their listed actions act on.
pub fn check(ctx: &mut Ctx<'_>, policy: &Policy<'_>) {
    if !ctx.enabled(&RESOURCE_MISMATCH) {
        return;
    }
    for statement in &policy.statements {
        check_statement(ctx, statement);
    }
}

fn check_statement(ctx: &mut Ctx<'_>, statement: &Statement<'_>) {
    let (Some(action), Some(resource)) = (&statement.action, &statement.resource) else {
        return;
    };
    if action.negated || resource.items.is_empty() {
        return;
    }
    // `Resource: "*"` matches every resource an action acts on, and every listed action
    // acts on at least one (the data's loader test checks it), so no action needs a lookup.
    if !resource.negated
        && resource
            .items
            .iter()
            .any(|item| pattern::matches_everything(&item.text))
    {
        return;
    }
    for action_item in &action.items {
        // Only literal names are listed (the data's loader test checks it), so a pattern
        // never matches an entry and needs no scan for wildcards first.
        let Some(known) = resources::lookup(&action_item.text) else {
            continue;
        };
        let item_matches = |text: &str| {
            known
                .resources
                .iter()
                .any(|target| arn::resource_matches(text, target))
        };
        // `NotResource` misses the action's resources when one of its items matches them,
        // and `Resource` when none does. Texts are built only once a diagnostic is certain.
        let excluded = if resource.negated {
            let found = resource
                .items
                .iter()
                .enumerate()
                .find(|(_, item)| item_matches(&item.text));
            let Some(found) = found else {
                continue;
            };
            Some(found)
        } else {
            if resource.items.iter().any(|item| item_matches(&item.text)) {
                continue;
            }
            None
        };
        let targets: Vec<String> = known.resources.iter().map(|r| quote(r)).collect();
        let targets = targets.join(" or ");
        let action_name = quote(&action_item.text);
        let key = if resource.negated {
            "NotResource"
        } else {
            "Resource"
        };

        let diagnostic = if let Some((index, excluding)) = excluded {
            Diagnostic::new(
                &RESOURCE_MISMATCH,
                ctx.file,
                excluding.span,
                format!(
                    "{action_name} acts only on {targets}, and `NotResource` item {} excludes it",
                    quote(&excluding.text)
                ),
            )
            .label(format!("excludes {targets}"))
            .pointer(item_pointer(&statement.pointer, key, resource, index))
        } else {
            let first = &resource.items[0];
            let which = if resource.items.len() == 1 {
                ["`Resource` ", &quote(&first.text), " never matches"].concat()
            } else {
                format!(
                    "none of the {} `Resource` items matches",
                    resource.items.len()
                )
            };
            let mut diagnostic = Diagnostic::new(
                &RESOURCE_MISMATCH,
                ctx.file,
                first.span,
                [&action_name, " acts only on ", &targets, ", which ", &which].concat(),
            )
            .label(["does not match ", &targets].concat())
            .pointer(item_pointer(&statement.pointer, key, resource, 0));
            for other in &resource.items[1..] {
                diagnostic = diagnostic.secondary(
                    ctx.file,
                    other.span,
                    ["does not match ", &targets, " either"].concat(),
                );
            }
            diagnostic
        };
        let effect = match statement.effect {
            Some(crate::document::policy::Effect::Deny) => "denies",
            _ => "grants",
        };
        ctx.report(
            diagnostic
                .secondary(
                    ctx.file,
                    action_item.span,
                    ["acts only on ", &targets].concat(),
                )
                .help(
                    [
                        "use `\"Resource\": \"*\"` for ",
                        &action_name,
                        ", in a statement of its own if the other actions need narrower resources; as written, the statement ",
                        effect,
                        " nothing for it",
                    ]
                    .concat(),
                )
                .subject(format!("action {}", action_item.text.to_ascii_lowercase())),
        );
    }
}
