//! Over-broad grants: every action on every resource, every action of a service, and
//! `NotAction` in an Allow.
//!
//! These rules look at Allow statements only; a Deny with the same patterns restricts, it
//! does not grant. Each reports one diagnostic per statement, with a label on each action
//! string that makes it over-broad, never one per action a wildcard expands to.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::Ctx;
use super::grammar::item_pointer;
use crate::catalog;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::document::PolicyKind;
use crate::document::policy::{Effect, Item, Policy, Statement};
use crate::eval::pattern::{self, Case};
use crate::source::Span;
use crate::source::split_once_ascii;

declare_rule! {
    /// ## What it checks
    /// That no Allow statement grants every action on every resource: `Action` `*` or `*:*`,
    /// or a `NotAction` that excludes no action in the action catalog (such as a misspelled
    /// action), together with `Resource` `*`. The diagnostic points at the action string and
    /// labels the resource.
    ///
    /// ## Why it matters
    /// Such a statement makes the identity an administrator of the account, RAM included: it
    /// can grant itself anything else and remove every other restriction.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ens:ExportImage", "ens:DescribeImages"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// VPC endpoint policies (`alicloud_vpc_gateway_endpoint`,
    /// `alicloud_privatelink_vpc_endpoint`) are not checked: they limit what passes through
    /// an endpoint, and allowing everything is their default.
    ///
    /// A `NotAction` item is taken to exclude something when its service is in the catalog
    /// but the catalog lists none of its actions, since ramlint cannot tell. Deny statements
    /// elsewhere in the same or another policy can narrow the grant; this rule looks at one
    /// statement at a time.
    pub static ADMIN_ACCESS = ("admin-access", Error, "an Allow that grants every action on every resource");
}

declare_rule! {
    /// ## What it checks
    /// That no Allow statement lists an action pattern that matches every action of a
    /// service: `ens:*`, a pattern that matches every action the catalog lists for the
    /// service (`ecs:?*`), or a pattern whose service part is a wildcard (`e*:*`, which
    /// covers every service starting with `e`). `*` and `*:*` are reported here when the
    /// statement's resources are narrower than `*`, and by `admin-access` otherwise. Each
    /// offending action string is labelled.
    ///
    /// ## Why it matters
    /// A service wildcard grants the actions the service adds later too, and usually far
    /// more than the task needs: `ens:*` lets an image exporter delete instances.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:*", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ens:ExportImage", "ens:DescribeExportImageStatus"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// For services whose operations the catalog does not list, only a name made of `*`
    /// counts as every action.
    pub static SERVICE_WILDCARD = ("service-wildcard", Warning, "an Allow of every action of a service");
}

declare_rule! {
    /// ## What it checks
    /// That no Allow statement uses `NotAction`. The diagnostic points at the `NotAction` key
    /// and labels each listed action.
    ///
    /// ## Why it matters
    /// An Allow with `NotAction` grants every action except the listed ones, including every
    /// action of services that do not exist yet. It is easy to read as a restriction, but it
    /// is not one: another policy can still grant the listed actions.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "NotAction": "ram:*", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ecs:*", "oss:*"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// None known. A Deny with `NotAction`, a common guard, is not reported.
    pub static ALLOW_NOT_ACTION = ("allow-not-action", Warning, "an Allow with NotAction, which grants everything not listed");
}

/// Runs the over-permission rules on every Allow statement of a policy. A VPC endpoint
/// policy grants nothing, so they do not apply to it.
pub fn check(ctx: &mut Ctx<'_>, policy: &Policy<'_>) {
    if policy.kind == PolicyKind::Endpoint {
        return;
    }
    for statement in &policy.statements {
        if statement.effect != Some(Effect::Allow) {
            continue;
        }
        let admin_items = check_admin_access(ctx, statement);
        check_service_wildcard(ctx, statement, &admin_items);
        check_allow_not_action(ctx, statement);
    }
}

/// Reports `admin-access` and returns the spans of the action items it labelled.
fn check_admin_access(ctx: &mut Ctx<'_>, statement: &Statement<'_>) -> HashSet<Span> {
    let (Some(action), Some(resource)) = (&statement.action, &statement.resource) else {
        return HashSet::new();
    };
    if resource.negated {
        return HashSet::new();
    }
    let Some(every_resource) = resource
        .items
        .iter()
        .find(|item| pattern::matches_everything(&item.text))
    else {
        return HashSet::new();
    };

    let (offending, message, label): (Vec<&Item<'_>>, String, String) = if action.negated {
        if action
            .items
            .iter()
            .any(|item| excludes_some_action(&item.text))
        {
            return HashSet::new();
        }
        (
            action.items.iter().collect(),
            "this statement allows every action on every resource: its `NotAction` excludes no action the catalog lists".to_string(),
            format!("matches no action in the catalog of {}", catalog::DATE),
        )
    } else {
        let items: Vec<&Item<'_>> = action
            .items
            .iter()
            .filter(|item| matches_every_action(&item.text))
            .collect();
        let Some(first) = items.first() else {
            return HashSet::new();
        };
        (
            items.clone(),
            format!(
                "this statement allows every action ({}) on every resource",
                quote(&first.text)
            ),
            "every action".to_string(),
        )
    };

    let key = if action.negated {
        "NotAction"
    } else {
        "Action"
    };
    let (span, pointer) = match offending.first() {
        Some(first) => {
            let index = action
                .items
                .iter()
                .position(|item| item.span == first.span)
                .unwrap_or(0);
            (
                first.span,
                item_pointer(&statement.pointer, key, action, index),
            )
        }
        // An empty `NotAction` array excludes nothing; the array is what to point at.
        None => (
            action.value_span,
            super::pointer_push(&statement.pointer, key),
        ),
    };
    let mut diagnostic = Diagnostic::new(&ADMIN_ACCESS, ctx.file, span, message)
        .label(label.clone())
        .pointer(pointer);
    for other in offending.iter().skip(1) {
        diagnostic = diagnostic.secondary(ctx.file, other.span, label.clone());
    }
    ctx.report(
        diagnostic
            .secondary(ctx.file, every_resource.span, "on every resource")
            .help("grant only the actions and resources this identity needs"),
    );
    offending.iter().map(|item| item.span).collect()
}

fn check_service_wildcard(
    ctx: &mut Ctx<'_>,
    statement: &Statement<'_>,
    already_reported: &HashSet<Span>,
) {
    let Some(action) = &statement.action else {
        return;
    };
    if action.negated {
        return;
    }
    // Scopes are kept once per distinct text and labels only up to the diagnostic's limit,
    // so a statement listing a million wildcards costs memory for neither.
    let mut first: Option<(usize, &Item<'_>, Arc<str>)> = None;
    let mut distinct_scopes: Vec<Arc<str>> = Vec::new();
    let mut labels: Vec<(&Item<'_>, Arc<str>)> = Vec::new();
    let mut offending = 0usize;
    for (index, item) in action.items.iter().enumerate() {
        if already_reported.contains(&item.span) {
            continue;
        }
        let Some(scope) = cached_service_scope(&item.text) else {
            continue;
        };
        offending += 1;
        if !distinct_scopes.contains(&scope) {
            distinct_scopes.push(Arc::clone(&scope));
        }
        if first.is_none() {
            first = Some((index, item, scope));
        } else if labels.len() < crate::diagnostic::MAX_LABELS {
            labels.push((item, scope));
        }
    }
    let Some((first_index, first, first_scope)) = first else {
        return;
    };
    let message = if offending == 1 {
        [quote(&first.text).as_str(), " allows ", &first_scope].concat()
    } else {
        let scopes: Vec<&str> = distinct_scopes.iter().map(|scope| &**scope).collect();
        format!("this statement allows {}", join_and(&scopes))
    };
    let mut diagnostic = Diagnostic::new(&SERVICE_WILDCARD, ctx.file, first.span, message).pointer(
        item_pointer(&statement.pointer, "Action", action, first_index),
    );
    // The scope is already shared, so it becomes the label without another copy.
    diagnostic.label = Some(first_scope);
    for (item, scope) in labels {
        diagnostic = diagnostic.secondary(ctx.file, item.span, &*scope);
    }
    // Labels past the limit are counted, not kept.
    diagnostic.omitted_labels += offending.saturating_sub(1 + crate::diagnostic::MAX_LABELS);
    let example_service = split_once_ascii(&first.text, b':')
        .map(|(service, _)| service)
        .filter(|service| pattern::is_literal(service))
        .map_or_else(|| "ecs".to_string(), str::to_ascii_lowercase);
    ctx.report(
        diagnostic.help(
            [
                "list the actions this identity needs, or a narrower pattern such as `",
                &example_service,
                ":Describe*`",
            ]
            .concat(),
        ),
    );
}

fn check_allow_not_action(ctx: &mut Ctx<'_>, statement: &Statement<'_>) {
    let Some(action) = &statement.action else {
        return;
    };
    if !action.negated {
        return;
    }
    let listed: Vec<String> = action.items.iter().map(|item| quote(&item.text)).collect();
    let except = if listed.is_empty() {
        "nothing".to_string()
    } else {
        join_and(&listed.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let mut diagnostic = Diagnostic::new(
        &ALLOW_NOT_ACTION,
        ctx.file,
        action.key_span,
        format!("this Allow statement uses `NotAction`, so it grants every action except {except}"),
    )
    .label("grants every action not listed")
    .pointer(super::pointer_push(&statement.pointer, "NotAction"));
    for item in &action.items {
        diagnostic = diagnostic.secondary(ctx.file, item.span, "excluded from the grant");
    }
    ctx.report(
        diagnostic
            .help("list the granted actions in `Action`; to take some back, add a Deny statement"),
    );
}

/// Tells whether an action pattern matches every action of every service: `*`, or `*:*`.
fn matches_every_action(text: &str) -> bool {
    // A text without wildcards, as most actions are, names one action.
    if pattern::is_literal(text) {
        return false;
    }
    if pattern::matches_everything(text) {
        return true;
    }
    split_once_ascii(text, b':').is_some_and(|(service, name)| {
        pattern::matches_everything(service) && pattern::matches_everything(name)
    })
}

/// The maximum number of action texts [`SCOPES`] keeps before it is cleared.
const SCOPES_LIMIT: usize = 4096;

thread_local! {
    /// The service scope of each wildcard action text this thread has seen. Policies repeat
    /// the same patterns, and finding a scope can mean scanning a service's actions.
    static SCOPES: RefCell<FxHashMap<Box<str>, Option<Arc<str>>>> =
        RefCell::new(FxHashMap::default());
}

/// Returns [`service_scope`] of an action text, remembered per thread for wildcard texts.
fn cached_service_scope(text: &str) -> Option<Arc<str>> {
    if pattern::is_literal(text) {
        return None;
    }
    SCOPES.with(|scopes| {
        if let Some(found) = scopes.borrow().get(text) {
            return found.clone();
        }
        let scope: Option<Arc<str>> = service_scope(text).map(Arc::from);
        let mut scopes = scopes.borrow_mut();
        if scopes.len() >= SCOPES_LIMIT {
            scopes.clear();
        }
        scopes.insert(text.into(), scope.clone());
        scope
    })
}

/// Describes the services whose every action a pattern matches, such as "every action of
/// `ens`", or returns `None` when it matches only some actions of each service.
fn service_scope(text: &str) -> Option<String> {
    if pattern::is_literal(text) {
        return None;
    }
    if pattern::matches_everything(text) {
        return Some("every action of every service".to_string());
    }
    let (service, name) = split_once_ascii(text, b':')?;
    if pattern::matches_everything(name) {
        return Some(if pattern::matches_everything(service) {
            "every action of every service".to_string()
        } else if pattern::is_literal(service) {
            ["every action of `", &service.to_ascii_lowercase(), "`"].concat()
        } else {
            ["every action of every service matching `", service, "`"].concat()
        });
    }
    // A literal name is one action, not a service's worth; only patterns need the catalog.
    if !pattern::is_literal(service) || pattern::is_literal(name) {
        return None;
    }
    let known = catalog::service(service)?;
    let covers_all = known.actions_known()
        && known
            .actions
            .iter()
            .all(|action| pattern::matches(name, action.name(), Case::IgnoreAscii));
    covers_all.then(|| format!("every action the catalog lists for `{}`", known.code))
}

/// Tells whether a `NotAction` item excludes at least one action: `false` only when the
/// catalog shows that it matches none. Items whose service the catalog lists without its
/// actions are assumed to exclude something.
fn excludes_some_action(text: &str) -> bool {
    if pattern::matches_everything(text) {
        return true;
    }
    let Some((service, name)) = split_once_ascii(text, b':') else {
        // Every action has a colon, so this pattern matches none.
        return false;
    };
    catalog::services()
        .iter()
        .filter(|known| pattern::matches(service, known.code, Case::IgnoreAscii))
        .any(|known| {
            !known.actions_known()
                || known
                    .actions
                    .iter()
                    .any(|action| pattern::matches(name, action.name(), Case::IgnoreAscii))
        })
}

/// Joins phrases as "a, b and c".
/// Joins distinct parts as "a, b and c", in order of first appearance. Past five parts the
/// rest are counted, so that a statement listing thousands of actions keeps a short message.
fn join_and(parts: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut distinct: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for part in parts {
        if seen.insert(*part) {
            distinct.push(part);
        }
    }
    if distinct.len() > SHOWN {
        let more = distinct.len() - SHOWN;
        return format!("{} and {more} more", distinct[..SHOWN].join(", "));
    }
    match distinct.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_patterns() {
        assert!(matches_every_action("*"));
        assert!(matches_every_action("*:*"));
        assert!(matches_every_action("**:*"));
        assert!(!matches_every_action("ens:*"));
        assert!(!matches_every_action("*:Describe*"));
    }

    #[test]
    fn service_scopes() {
        assert_eq!(
            service_scope("ens:*").as_deref(),
            Some("every action of `ens`")
        );
        assert_eq!(
            service_scope("ENS:*").as_deref(),
            Some("every action of `ens`")
        );
        assert_eq!(
            service_scope("ecs:?*").as_deref(),
            Some("every action the catalog lists for `ecs`")
        );
        assert!(service_scope("e*:*").unwrap().contains("matching `e*`"));
        assert_eq!(service_scope("ens:Describe*"), None);
        assert_eq!(service_scope("*:Describe*"), None);
        assert_eq!(service_scope("ens:ExportImage"), None);
    }

    #[test]
    fn not_action_exclusions_use_the_catalog() {
        assert!(excludes_some_action("ram:*"));
        assert!(excludes_some_action("ens:ExportImage"));
        assert!(excludes_some_action("ENS:exportimage"));
        assert!(!excludes_some_action("ens:NoSuchAction"));
        assert!(!excludes_some_action("nosuchservice:*"));
        assert!(!excludes_some_action("ens"));
        assert!(excludes_some_action("*"));
        // A service whose actions the catalog does not list may exclude something.
        let unlisted = catalog::services()
            .iter()
            .find(|service| !service.actions_known())
            .expect("the catalog has services without listed actions");
        assert!(excludes_some_action(&format!("{}:Anything", unlisted.code)));
    }

    #[test]
    fn joins_with_and() {
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
    }
}
