//! Rules that compare actions with the action catalog: unknown services, unknown actions and
//! retired actions.
//!
//! The catalog is generated from API metadata of a known date, and services add operations
//! faster than the metadata is refreshed, so these rules are warnings at most and every
//! message names the catalog's date.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;

use super::{Ctx, closest};
use crate::catalog::{self, Service};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote, shorten};
use crate::document::policy::Item;
use crate::eval::pattern::{self, Case};
use crate::source::split_once_ascii;

declare_rule! {
    /// ## What it checks
    /// That the service code of every action (the part before the colon) is the RAM code of
    /// a service in the action catalog, which is generated from Alibaba Cloud's API metadata.
    /// The closest known codes are suggested. A service code with wildcards (`ec*:Describe*`)
    /// must match at least one service.
    ///
    /// ## Why it matters
    /// An action of an unknown service matches nothing, so the statement grants or denies
    /// less than its author thinks. The usual causes are a typo (`ecss:`) or a product name
    /// used where the RAM code is expected (`redis:` instead of `kvstore:`).
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "redis:DescribeInstances", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// The catalog takes each product's RAM code to be its lower-cased product code unless
    /// `rules/catalog/ram-codes.toml` says otherwise; a product whose RAM code differs and is
    /// not listed there is reported by mistake. Never an error, because the metadata can be
    /// older than the service.
    pub static UNKNOWN_SERVICE = ("unknown-service", Warning, "an action whose service code the catalog does not know");
}

declare_rule! {
    /// ## What it checks
    /// That every action names an operation its service has in the action catalog, spelled
    /// as the catalog spells it, and that an action with wildcards (`ecs:Describe*`) matches
    /// at least one. The closest real names are suggested (`ens:ExportImages` →
    /// `ens:ExportImage`), and a name that differs only in case
    /// (`ecs:DescribeAutoSnapshotPolicyEX`) gets the documented spelling.
    ///
    /// ## Why it matters
    /// A misspelled action matches nothing: the statement silently grants or denies less
    /// than it says. RAM compares action names without case "in most cases", so a case
    /// variant usually works, but the documented spelling is the one that always does.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ens:ExportImages", "ecs:DescribeAutoSnapshotPolicyEX"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ens:ExportImage", "ecs:DescribeAutoSnapshotPolicyEx"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// The catalog lists API operations. For most services every operation is an action of
    /// the same name, but a few services define actions that are not operations; those are
    /// reported by mistake. Services whose metadata lists no operations are not checked.
    /// Never an error, because the metadata can be older than the service.
    pub static UNKNOWN_ACTION = ("unknown-action", Warning, "a well-formed action that the catalog does not list");
}

declare_rule! {
    /// ## What it checks
    /// That no action names an operation its service has retired, according to the
    /// `deprecated` marks of the API metadata and `rules/catalog/retired.toml`.
    ///
    /// ## Why it matters
    /// A grant of a retired operation is dead weight: it makes the policy longer and harder
    /// to review, and it may hide that the replacement operation is not granted.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:DescribeUserBusinessBehavior", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// Remove the action, or grant the operation that replaced it.
    ///
    /// ## Known problems
    /// Retirement data is incomplete: only operations marked in the metadata or listed by
    /// hand are known.
    pub static RETIRED_ACTION = ("retired-action", Info, "an action of an operation its service has retired");
}

/// Names the catalog in messages, with its date.
fn catalog_name() -> String {
    format!("the action catalog (API metadata of {})", catalog::DATE)
}

/// Compares one well-formed action with the catalog. `*` alone is not checked.
pub fn check_action(ctx: &mut Ctx<'_>, item: &Item<'_>, pointer: &dyn Fn() -> String) {
    let text = item.text.as_ref();
    let Some((service_code, name)) = split_once_ascii(text, b':') else {
        return;
    };
    if is_known(text) {
        return;
    }
    let matching: Vec<&'static Service>;
    let single: [&'static Service; 1];
    let services: &[&'static Service] = if !pattern::is_literal(service_code) {
        matching = catalog::services()
            .iter()
            .filter(|service| pattern::matches(service_code, service.code, Case::IgnoreAscii))
            .collect();
        &matching
    } else if let Some(service) = catalog::service(service_code) {
        single = [service];
        &single
    } else {
        &[]
    };

    if services.is_empty() {
        report_unknown_service(ctx, item, service_code, pointer);
        return;
    }
    if !services.iter().any(|service| service.actions_known()) {
        return;
    }

    if !pattern::is_literal(text) {
        let prefix = pattern::literal_prefix(name);
        let matched = services.iter().any(|service| {
            service
                .actions_with_prefix(prefix)
                .any(|action| pattern::matches(name, action.name(), Case::IgnoreAscii))
        });
        if matched {
            remember_known(text);
        } else if ctx.enabled(&UNKNOWN_ACTION) {
            ctx.report(
                Diagnostic::new(
                    &UNKNOWN_ACTION,
                    ctx.file,
                    item.span,
                    format!(
                        "action pattern {} matches no action of `{service_code}` in {}",
                        quote(text),
                        catalog_name()
                    ),
                )
                .label("matches nothing")
                .help("check the spelling of the pattern; a pattern that matches nothing grants and denies nothing")
                .pointer(pointer()),
            );
        }
        return;
    }

    let service = services[0];
    match service.action(name) {
        Some(action) if action.name() == name => {
            if action.retired().is_none() {
                remember_known(text);
            }
            if let Some(note) = action.retired() {
                ctx.report(
                    Diagnostic::new(
                        &RETIRED_ACTION,
                        ctx.file,
                        item.span,
                        format!(
                            "`{}:{}` is an action of a retired operation ({note})",
                            service.code,
                            action.name()
                        ),
                    )
                    .label("retired")
                    .help("remove it, or grant the operation that replaced it")
                    .pointer(pointer()),
                );
            }
        }
        Some(action) => {
            ctx.report(
                Diagnostic::new(
                    &UNKNOWN_ACTION,
                    ctx.file,
                    item.span,
                    format!(
                        "action {} differs only in case from `{service_code}:{}` in {}",
                        quote(text),
                        action.name(),
                        catalog_name()
                    ),
                )
                .label(format!("did you mean `{service_code}:{}`?", action.name()))
                .help(format!(
                    "write `{service_code}:{}`; RAM compares action names without case in most cases, and the documented spelling always works",
                    action.name()
                ))
                .pointer(pointer()),
            );
        }
        None if !service.actions_known() => {}
        None => {
            if !ctx.enabled(&UNKNOWN_ACTION) {
                return;
            }
            let suggestions = suggest_actions(service, name);
            let mut diagnostic = Diagnostic::new(
                &UNKNOWN_ACTION,
                ctx.file,
                item.span,
                format!(
                    "`{name}` is not an action of `{}` in {}",
                    service.code,
                    catalog_name()
                ),
            )
            .pointer(pointer());
            diagnostic = match suggestions.as_slice() {
                [] => diagnostic.label("unknown action").help(format!(
                    "check the action against the service's RAM documentation; if it is new, the catalog of {} may predate it",
                    catalog::DATE
                )),
                [only] => diagnostic
                    .label(format!("did you mean `{service_code}:{only}`?"))
                    .help(format!("write `{service_code}:{only}`")),
                several => diagnostic.label("unknown action").help(format!(
                    "the closest actions are {}",
                    several
                        .iter()
                        .map(|name| format!("`{service_code}:{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            ctx.report(diagnostic);
        }
    }
}

/// The maximum number of action texts [`KNOWN_ACTIONS`] keeps before it is cleared.
const KNOWN_ACTIONS_LIMIT: usize = 4096;

thread_local! {
    /// Action texts of this thread's files that were found to need no diagnostic: current
    /// actions spelled as the catalog spells them, and patterns that match some action.
    /// Policies repeat the same actions, so most lookups end here.
    static KNOWN_ACTIONS: RefCell<HashSet<Box<str>>> = RefCell::new(HashSet::default());
}

/// Returns whether `text` was already found to need no diagnostic, either for its form or
/// from the catalog.
pub(super) fn is_known(text: &str) -> bool {
    KNOWN_ACTIONS.with(|known| known.borrow().contains(text))
}

/// Records that `text` needs no diagnostic. The text must already have passed the form
/// check, because the grammar skips that check as well for a known text.
fn remember_known(text: &str) {
    KNOWN_ACTIONS.with(|known| {
        let mut known = known.borrow_mut();
        if known.len() >= KNOWN_ACTIONS_LIMIT {
            known.clear();
        }
        known.insert(text.into());
    });
}

fn report_unknown_service(
    ctx: &mut Ctx<'_>,
    item: &Item<'_>,
    service_code: &str,
    pointer: &dyn Fn() -> String,
) {
    if !ctx.enabled(&UNKNOWN_SERVICE) {
        return;
    }
    let rest = &item.text[service_code.len()..];
    let suggestion = if !pattern::is_literal(service_code) {
        None
    } else {
        suggest_service(service_code)
    };
    let (label, help) = match suggestion {
        Some(code) => (
            format!("did you mean `{code}`?"),
            format!("write `{code}{rest}`"),
        ),
        None => (
            "unknown service".to_string(),
            "use the service's RAM code, which its RAM authorization documentation gives (for example `kvstore` for Tair, `log` for Simple Log Service)".to_string(),
        ),
    };
    let message = if !pattern::is_literal(service_code) {
        format!(
            "service pattern `{service_code}` matches no service in {}",
            catalog_name()
        )
    } else {
        format!("service code `{service_code}` is not in {}", catalog_name())
    };
    ctx.report(
        Diagnostic::new(&UNKNOWN_SERVICE, ctx.file, item.span, message)
            .label(label)
            .help(help)
            .pointer(pointer()),
    );
}

/// Compares one literal action named outside a policy (on the command line) with the
/// catalog. Returns a warning with the closest real names when the catalog does not list
/// it, or `None` when it does or when the catalog has no action list for its service.
pub fn unlisted_action_warning(text: &str) -> Option<String> {
    let (service_code, name) = split_once_ascii(text, b':')?;
    // A command-line value may be a pasted blob, so the messages show it shortened.
    let Some(service) = catalog::service(service_code) else {
        let hint = suggest_service(service_code)
            .map(|code| format!("; did you mean `{code}:{}`?", shorten(name)))
            .unwrap_or_default();
        return Some(format!(
            "service code `{}` is not in {}{hint}",
            shorten(service_code),
            catalog_name()
        ));
    };
    if !service.actions_known() {
        return None;
    }
    if let Some(action) = service.action(name) {
        if action.name() == name {
            return None;
        }
        return Some(format!(
            "`{}` differs only in case from `{}:{}` in {}",
            shorten(text),
            service.code,
            action.name(),
            catalog_name()
        ));
    }
    let hint = match suggest_actions(service, name).as_slice() {
        [] => String::new(),
        names => format!(
            "; did you mean {}?",
            names
                .iter()
                .map(|name| format!("`{service_code}:{name}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    Some(format!(
        "`{}` is not an action of `{}` in {}{hint}",
        shorten(name),
        service.code,
        catalog_name()
    ))
}

/// Returns the known service code closest to `code`. Service codes are short, so only a
/// case difference or one edit in a code of four or more characters counts as a typo;
/// anything looser suggests unrelated services (`bss` is not a typo of `ess`).
fn suggest_service(code: &str) -> Option<&'static str> {
    let lower = code.to_ascii_lowercase();
    // A product code used in place of the RAM code (`sls` for `log`).
    if let Some(service) = catalog::services()
        .iter()
        .find(|s| s.products.iter().any(|p| p.eq_ignore_ascii_case(&lower)))
    {
        return Some(service.code);
    }
    let near = closest(&lower, catalog::services().iter().map(|s| s.code))?;
    let distance = strsim::damerau_levenshtein(&lower, near);
    (distance == 0 || (distance == 1 && lower.len() >= 4) || (distance == 2 && lower.len() >= 9))
        .then_some(near)
}

/// A service code and an action name as written.
type SuggestionKey = (&'static str, Box<str>);

thread_local! {
    /// Suggestions already computed on this thread, by service code and name: the same
    /// misspelling tends to recur across a repository's files, and each computation compares
    /// the name with every action of the service.
    static SUGGESTIONS: RefCell<HashMap<SuggestionKey, Vec<&'static str>>> =
        RefCell::new(HashMap::default());
}

/// Returns up to three action names of `service` closest to `name`: those at the smallest
/// edit distance found, if it is small enough to be a typo.
fn suggest_actions(service: &'static Service, name: &str) -> Vec<&'static str> {
    let key = (service.code, Box::<str>::from(name));
    if let Some(found) = SUGGESTIONS.with(|cache| cache.borrow().get(&key).cloned()) {
        return found;
    }
    let found = compute_suggestions(service, name);
    SUGGESTIONS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= KNOWN_ACTIONS_LIMIT {
            cache.clear();
        }
        cache.insert(key, found.clone());
    });
    found
}

fn compute_suggestions(service: &Service, name: &str) -> Vec<&'static str> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &'static str)> = service
        .actions
        .iter()
        .filter_map(|action| {
            let allowed = (lower.len().max(action.name().len()) / 4).max(1);
            // The edit distance is at least the difference in length, which is cheap to test.
            if lower.len().abs_diff(action.name().len()) > allowed {
                return None;
            }
            let distance = strsim::damerau_levenshtein(&lower, &action.name().to_ascii_lowercase());
            (distance <= allowed).then_some((distance, action.name()))
        })
        .collect();
    scored.sort();
    let best = scored.first().map(|(distance, _)| *distance);
    scored
        .into_iter()
        .take_while(|(distance, _)| Some(*distance) == best)
        .take(3)
        .map(|(_, name)| name)
        .collect()
}
