//! The policy grammar: which elements a document and its statements have, their JSON types,
//! `Version`, `Effect`, and the document's size.
//!
//! The grammar check walks a policy once, reports what breaks RAM's policy language, and
//! returns the typed [`Policy`] view that evaluation uses. Values of `Action`, `Resource`,
//! `Principal` and `Condition` are checked in [`super::elements`] and [`super::condition`].

use std::borrow::Cow;
use std::sync::LazyLock;

use super::{Ctx, closest, condition, elements, pointer_index, pointer_push};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::document::PolicyKind;
use crate::document::policy::{Effect, Item, Patterns, Policy, Statement};
use crate::syntax::json::Facts;
use crate::syntax::{Member, Node, Value};

declare_rule! {
    /// ## What it checks
    /// That a policy has `Version` and `Statement`, and that each statement has `Effect`,
    /// `Action` or `NotAction`, and, outside trust policies, `Resource` or `NotResource`.
    /// In a resource-based policy (one where some statements name a `Principal`), every
    /// statement needs a `Principal`. The diagnostic points at the object that lacks the
    /// element.
    ///
    /// ## Why it matters
    /// RAM rejects such documents with `MalformedPolicyDocument` (for example "Add an Action
    /// or NotAction element to the policy statement"). A policy without `Version` is rejected
    /// too, even where a template's documentation calls it optional. OSS's authorization
    /// reference lists `Principal` as required in bucket policies.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Action": "ens:ExportImage", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ens:ExportImage", "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// When an unknown key is a likely misspelling of the missing element (`effect`,
    /// `Actions`), the element is still reported missing, with the key labelled, because RAM
    /// rejects the statement; `unknown-element` reports the key too. Such a statement grants
    /// and denies nothing in `--require` and `simulate`.
    pub static MISSING_ELEMENT = ("missing-element", Error, "a policy or statement lacks a required element");
}

declare_rule! {
    /// ## What it checks
    /// That every key of a policy and of its statements is an element of RAM's policy
    /// grammar: `Version` and `Statement` at the top; `Sid`, `Effect`, `Action`,
    /// `NotAction`, `Resource`, `NotResource`, `Principal` and `Condition` in a statement.
    /// Element names are case-sensitive. The closest correct name is suggested
    /// (`Actions` → `Action`, `effect` → `Effect`), and the misspelled element's value is
    /// still checked as if it were spelled right. A misspelled required element is also a
    /// `missing-element` error.
    ///
    /// ## Why it matters
    /// A misspelled element is at best ignored and at worst makes RAM reject the policy. An
    /// ignored `Condition` turns a restricted grant into an unrestricted one.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"effect": "Allow", "Actions": ["ecs:Describe*"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ecs:Describe*"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// Whether RAM rejects or ignores unknown keys is not documented, so this is a warning.
    /// `Sid` and `NotResource` appear in RAM documentation only in places, and are accepted.
    pub static UNKNOWN_ELEMENT = ("unknown-element", Warning, "a key that RAM's policy grammar does not define");
}

declare_rule! {
    /// ## What it checks
    /// That each element has the JSON type the grammar requires: `Version`, `Effect` and
    /// `Sid` are strings; `Statement` is an array of objects; `Action`, `Resource` and their
    /// `Not` forms are a string or an array of strings; `Condition` is an object of
    /// operators, each an object of keys; `Principal` is `"*"`, an array, or an object.
    ///
    /// In a ROS template's policy mapping, an unquoted `Version: 1` (a YAML integer) is not
    /// reported, because ROS accepts it: the stack-group roles that the ROS documentation
    /// has users create (aliyun/ros-templates, `examples/stackgroup/`) are written this way.
    /// The `ALIYUN::RAM::ManagedPolicy` reference declares `"Version": String`, so ROS
    /// presumably converts the value before it calls RAM; that step is not documented. Where RAM
    /// receives the number as written (JSON text in a template, `jsonencode({Version = 1})`
    /// in Terraform), it is reported: RAM reads `Version` as a string, and a role created
    /// through ROS without `Version` failed with "apsara::AnyCast: can't cast from v to Ss".
    ///
    /// ## Why it matters
    /// RAM rejects a document whose elements have the wrong type. A common case is
    /// `"Version": 1` written as a number, or a single statement object not wrapped in an
    /// array.
    ///
    /// ## Example
    /// ```json
    /// {"Version": 1, "Statement": {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// Numbers and booleans as condition values are accepted, although RAM's grammar writes
    /// every condition value as a string.
    pub static INVALID_ELEMENT_TYPE = ("invalid-element-type", Error, "an element has the wrong JSON type");
}

declare_rule! {
    /// ## What it checks
    /// That no element that takes values is empty: an empty `Statement` array, an empty
    /// `Action` or `Resource` string or array, an empty condition operator, or an empty
    /// string inside any of them.
    ///
    /// ## Why it matters
    /// An empty `Action` array grants nothing, which is rarely what its author meant; an
    /// empty string is never a valid action or resource.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ecs:DescribeInstances"], "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// An empty `Condition` object (`"Condition": {}`) is common in documentation and
    /// harmless, so it is not reported.
    pub static EMPTY_ELEMENT = ("empty-element", Error, "an empty string or array where values are required");
}

declare_rule! {
    /// ## What it checks
    /// That `Version` is the string `"1"`, the only version of RAM's policy language.
    ///
    /// ## Why it matters
    /// RAM rejects any other version. `"2012-10-17"` is AWS IAM's version and usually means
    /// the policy was written for AWS; the syntax of the two differs in places.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// None known.
    pub static INVALID_VERSION = ("invalid-version", Error, "Version is not \"1\"");
}

declare_rule! {
    /// ## What it checks
    /// That `Effect` is exactly `Allow` or `Deny`. The value is case-sensitive and has no
    /// surrounding spaces, so `"allow "` and `"Alow"` are both wrong.
    ///
    /// ## Why it matters
    /// RAM rejects the policy; a checker that normalised the value would hide the error
    /// until deployment.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "allow ", "Action": "oss:GetObject", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}]}
    /// ```
    ///
    /// ## Known problems
    /// None known.
    pub static INVALID_EFFECT = ("invalid-effect", Error, "Effect is not exactly Allow or Deny");
}

declare_rule! {
    /// ## What it checks
    /// That a statement does not have both `Action` and `NotAction`, or both `Resource` and
    /// `NotResource`.
    ///
    /// ## Why it matters
    /// The grammar allows exactly one of each pair; RAM rejects a statement with both, and
    /// a reader cannot tell which one was meant.
    ///
    /// ## Example
    /// ```json
    /// {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "NotAction": "ecs:Delete*", "Resource": "*"}]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
    ///   {"Effect": "Deny", "Action": "ecs:Delete*", "Resource": "*"}
    /// ]}
    /// ```
    ///
    /// ## Known problems
    /// None known.
    pub static CONFLICTING_ELEMENTS = ("conflicting-elements", Error, "Action with NotAction, or Resource with NotResource");
}

declare_rule! {
    /// ## What it checks
    /// That a policy document is at most 6,144 characters long, counted as written
    /// (whitespace included). The message also gives the length without insignificant
    /// whitespace, which is what a minified copy would measure.
    ///
    /// ## Why it matters
    /// RAM rejects longer custom policies (`InvalidParameter.PolicyDocument.Length`). The
    /// limit was 2,048 and then 4,096 characters in older versions of the service. A
    /// Resource Directory control policy (`alicloud_resource_manager_control_policy`,
    /// `ALIYUN::ResourceManager::ControlPolicy`) is limited to 4,096 characters.
    ///
    /// A policy in a template is measured as RAM receives it: the text of a heredoc or
    /// block, the decoded text of an escaped string, and compact JSON for a document that
    /// the template serialises (`jsonencode`, a ROS mapping).
    ///
    /// ## Example
    /// A policy listing several hundred individual actions.
    ///
    /// ## Use instead
    /// Use wildcards such as `ecs:Describe*`, or split the document into several policies
    /// attached to the same identity.
    ///
    /// ## Known problems
    /// RAM's documentation says "characters" without saying whether it counts whitespace or
    /// how it counts multi-byte characters; ramlint counts Unicode scalar values of the text
    /// as written.
    pub static POLICY_TOO_LARGE = ("policy-too-large", Error, "the document exceeds RAM's 6,144-character limit");
}

const TOP_ELEMENTS: &[&str] = &["Version", "Statement"];
const VERSION: usize = 0;
const STATEMENT: usize = 1;

const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "Condition",
];
const SID: usize = 0;
const EFFECT: usize = 1;
const ACTION: usize = 2;
const NOT_ACTION: usize = 3;
const RESOURCE: usize = 4;
const NOT_RESOURCE: usize = 5;
const PRINCIPAL: usize = 6;
const CONDITION: usize = 7;

/// Returns the index of a top-level element in [`TOP_ELEMENTS`].
fn top_element(key: &str) -> Option<usize> {
    TOP_ELEMENTS.iter().position(|name| *name == key)
}

/// Returns the index of a statement element in [`STATEMENT_ELEMENTS`]. Every statement's
/// keys go through here, and a `match` lets the compiler compare them with constants
/// instead of calling `memcmp`.
fn statement_element(key: &str) -> Option<usize> {
    match key {
        "Sid" => Some(SID),
        "Effect" => Some(EFFECT),
        "Action" => Some(ACTION),
        "NotAction" => Some(NOT_ACTION),
        "Resource" => Some(RESOURCE),
        "NotResource" => Some(NOT_RESOURCE),
        "Principal" => Some(PRINCIPAL),
        "Condition" => Some(CONDITION),
        _ => None,
    }
}
/// AWS IAM elements with no RAM counterpart; suggesting the nearest RAM element would mislead.
const AWS_ONLY_ELEMENTS: &[&str] = &["Id", "NotPrincipal"];

/// Checks a policy document and returns its typed view. `pointer` is the JSON pointer of
/// `root` within its file ("" for a whole JSON file).
pub fn check_policy<'a>(
    ctx: &mut Ctx<'_>,
    root: &Node<'a>,
    kind: PolicyKind,
    pointer: &str,
) -> Policy<'a> {
    check_policy_sent(ctx, root, kind, pointer, None, Facts::UNKNOWN)
}

/// Checks a policy document like [`check_policy`]. `sent` is the text RAM receives when it
/// differs from the text at `root`'s span, as for a policy in an escaped string or one that
/// a template serialises; the size limit is measured on it. `facts` is what the parser found
/// out about the text at `root`'s span.
pub fn check_policy_sent<'a>(
    ctx: &mut Ctx<'_>,
    root: &Node<'a>,
    kind: PolicyKind,
    pointer: &str,
    sent: Option<&str>,
    facts: Facts,
) -> Policy<'a> {
    let members = root.as_object().unwrap_or(&[]);
    let elements = resolve_elements(ctx, members, TOP_ELEMENTS, top_element, pointer, "policy");

    let (text, whitespace) = match sent {
        Some(sent) => (sent, None),
        None => (&ctx.text[root.span.range()], facts.inner_whitespace),
    };
    let limit = match kind {
        PolicyKind::Control => (
            CONTROL_POLICY_MAX_CHARS.min(ctx.settings.policy_max_chars),
            "Resource Directory",
        ),
        _ => (ctx.settings.policy_max_chars, "RAM"),
    };
    check_size(ctx, root, pointer, (text, whitespace), limit);

    let version = elements.get(VERSION);
    if let Some(version) = version {
        check_version(ctx, version, pointer);
    }
    if version.is_none_or(|member| member.key != "Version") {
        let mut diagnostic = Diagnostic::new(
            &MISSING_ELEMENT,
            ctx.file,
            root.span,
            "the policy has no `Version`; RAM requires `\"Version\": \"1\"`",
        )
        .label("this policy")
        .help("add `\"Version\": \"1\"`")
        .pointer(pointer_push(pointer, "Version"));
        if let Some(member) = version {
            diagnostic = misspelled_label(ctx, diagnostic, member, "Version");
        }
        ctx.report(diagnostic);
    }

    let mut policy = Policy {
        span: root.span,
        statement_span: None,
        kind,
        statements: Vec::new(),
    };
    let statement_member = elements.get(STATEMENT);
    if statement_member.is_none_or(|member| member.key != "Statement") {
        let mut diagnostic = Diagnostic::new(
            &MISSING_ELEMENT,
            ctx.file,
            root.span,
            "the policy has no `Statement`; a policy needs at least one statement",
        )
        .label("this policy")
        .pointer(pointer_push(pointer, "Statement"));
        if root.get("Effect").is_some() || root.get("Action").is_some() {
            diagnostic = diagnostic.help(
                "put each statement's elements in an object of a `Statement` array: `\"Statement\": [{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}]`",
            );
        }
        if let Some(member) = statement_member {
            diagnostic = misspelled_label(ctx, diagnostic, member, "Statement");
        }
        ctx.report(diagnostic);
    }
    let Some(statement_member) = statement_member else {
        return policy;
    };
    // Statements under a misspelled key are checked, but RAM rejects the policy, so none of
    // them grants or denies anything.
    let statements_ignored = statement_member.key != "Statement";

    policy.statement_span = Some(statement_member.value.span);
    // The usual pointer is a constant, so that a clean policy allocates none.
    let statements_pointer: Cow<'static, str> =
        if pointer.is_empty() && statement_member.key == "Statement" {
            Cow::Borrowed("/Statement")
        } else {
            Cow::Owned(pointer_push(pointer, &statement_member.key))
        };
    let statement_nodes: Vec<(&Node<'a>, Cow<'static, str>)> = match &statement_member.value.value {
        Value::Array(items) => {
            if items.is_empty() {
                ctx.report(
                    Diagnostic::new(
                        &EMPTY_ELEMENT,
                        ctx.file,
                        statement_member.value.span,
                        "`Statement` is empty; a policy needs at least one statement",
                    )
                    .pointer(statements_pointer.clone()),
                );
            }
            items
                .iter()
                .enumerate()
                .map(|(index, item)| (item, statement_pointer(&statements_pointer, index)))
                .collect()
        }
        Value::Object(_) => {
            ctx.report(
                Diagnostic::new(
                    &INVALID_ELEMENT_TYPE,
                    ctx.file,
                    statement_member.value.span,
                    "`Statement` is an object; it must be an array of statements",
                )
                .label("a single statement")
                .help("wrap the statement in `[` and `]`")
                .pointer(statements_pointer.clone()),
            );
            vec![(&statement_member.value, statements_pointer.clone())]
        }
        Value::Unknown { .. } => Vec::new(),
        _ => {
            ctx.report(type_error(
                ctx,
                &statement_member.value,
                "`Statement`",
                "an array of statements",
                &statements_pointer,
            ));
            Vec::new()
        }
    };

    let kind = infer_kind(kind, &statement_nodes);
    policy.kind = kind;
    policy.statements.reserve_exact(statement_nodes.len());
    for (index, (node, statement_pointer)) in statement_nodes.into_iter().enumerate() {
        if let Some(mut statement) = check_statement(ctx, node, index, statement_pointer, kind) {
            if statements_ignored {
                statement.effect = None;
            }
            policy.statements.push(statement);
        }
    }
    policy
}

/// Decides what kind of policy a document is when its context does not say: a statement
/// with a `Principal` makes it resource-based, and a trust policy when every such statement
/// allows only `sts:` actions.
fn infer_kind(kind: PolicyKind, statements: &[(&Node<'_>, Cow<'static, str>)]) -> PolicyKind {
    if kind != PolicyKind::Unspecified {
        return kind;
    }
    let with_principal: Vec<&Node<'_>> = statements
        .iter()
        .map(|(node, _)| *node)
        .filter(|node| node.get("Principal").is_some())
        .collect();
    if with_principal.is_empty() {
        return PolicyKind::Identity;
    }
    let only_sts = with_principal.iter().all(|node| {
        let Some(action) = node.get("Action") else {
            return false;
        };
        let texts: Vec<&str> = match &action.value.value {
            Value::String(text) => vec![text],
            Value::Array(items) => items.iter().filter_map(Node::as_str).collect(),
            _ => Vec::new(),
        };
        !texts.is_empty()
            && texts
                .iter()
                .all(|text| text.to_ascii_lowercase().starts_with("sts:"))
    });
    if only_sts {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    }
}

/// The members of an object sorted into grammar elements, with misspelled keys resolved to
/// the element they were probably meant to be.
struct Elements<'t, 'a> {
    /// Each element found, by its index in the list of known elements, with its member.
    found: Vec<(usize, &'t Member<'a>)>,
    /// Elements present only under a misspelled key; their absence is not reported again.
    misspelled: Vec<&'static str>,
}

impl<'t, 'a> Elements<'t, 'a> {
    /// Returns the member of the element at `index` of the list of known elements.
    fn get(&self, index: usize) -> Option<&'t Member<'a>> {
        self.found
            .iter()
            .rev()
            .find(|(element, _)| *element == index)
            .map(|(_, member)| *member)
    }
}

fn resolve_elements<'t, 'a>(
    ctx: &mut Ctx<'_>,
    members: &'t [Member<'a>],
    known: &[&'static str],
    index_of: fn(&str) -> Option<usize>,
    pointer: &str,
    container: &str,
) -> Elements<'t, 'a> {
    let mut elements = Elements {
        found: Vec::with_capacity(members.len()),
        misspelled: Vec::new(),
    };
    let mut unknown = Vec::new();
    for member in members {
        match index_of(&member.key) {
            Some(index) => elements.found.push((index, member)),
            None => unknown.push(member),
        }
    }
    for member in unknown {
        let key = member.key.as_ref();
        let suggestion = if AWS_ONLY_ELEMENTS.contains(&key) {
            None
        } else {
            closest(key, known.iter().copied())
                .and_then(|near| known.iter().position(|name| *name == near))
        };
        let mut diagnostic = Diagnostic::new(
            &UNKNOWN_ELEMENT,
            ctx.file,
            member.key_span,
            format!("{} is not an element of a RAM {container}", quote(key)),
        )
        .pointer(pointer_push(pointer, key));
        let statement_element = container == "policy" && STATEMENT_ELEMENTS.contains(&key);
        diagnostic = match suggestion {
            _ if statement_element => diagnostic
                .label("an element of a statement")
                .help(format!(
                    "move `{key}` into a statement: `\"Statement\": [{{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}}]`"
                )),
            Some(index) => {
                let name = known[index];
                let present = elements.found.iter().any(|(element, _)| *element == index);
                if !present {
                    elements.found.push((index, member));
                    elements.misspelled.push(name);
                }
                diagnostic
                    .label(format!("did you mean `{name}`?"))
                    .help(format!(
                        "element names are case-sensitive; rename it to `{name}`"
                    ))
            }
            None if AWS_ONLY_ELEMENTS.contains(&key) => diagnostic
                .label("AWS IAM element")
                .help("RAM's policy language has no such element; remove it"),
            None => diagnostic.label("unknown element").help(format!(
                "a {container} may contain {}",
                known
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        ctx.report(diagnostic);
    }
    elements
}

fn check_version(ctx: &mut Ctx<'_>, member: &Member<'_>, pointer: &str) {
    // Built only for a diagnostic, since most versions are valid.
    let version_pointer = || pointer_push(pointer, &member.key);
    let value = &member.value;
    match &value.value {
        Value::String(text) if text == "1" => {}
        Value::String(text) => {
            let help = if text.trim() == "1" {
                "remove the spaces: `\"Version\": \"1\"`".to_string()
            } else if text.starts_with("20") && text.len() == 10 {
                "this looks like an AWS IAM policy version; RAM's only version is \"1\", and the syntax differs in places".to_string()
            } else {
                "write `\"Version\": \"1\"`".to_string()
            };
            ctx.report(
                Diagnostic::new(
                    &INVALID_VERSION,
                    ctx.file,
                    value.span,
                    format!(
                        "`Version` is {}; the only version RAM accepts is \"1\"",
                        quote(text)
                    ),
                )
                .label("unsupported version")
                .help(help)
                .pointer(version_pointer()),
            );
        }
        Value::Number(number) => {
            ctx.report(
                Diagnostic::new(
                    &INVALID_ELEMENT_TYPE,
                    ctx.file,
                    value.span,
                    format!(
                        "`Version` is the number {}; it must be the string \"1\"",
                        crate::diagnostic::shorten(number)
                    ),
                )
                .label("a number")
                .help("quote it: `\"Version\": \"1\"`")
                .pointer(version_pointer()),
            );
        }
        Value::Unknown { .. } => {}
        _ => ctx.report(type_error(
            ctx,
            value,
            "`Version`",
            "the string \"1\"",
            &version_pointer(),
        )),
    }
}

/// The pointers of the first 64 statements of a policy file, built once per run.
static STATEMENT_POINTERS: LazyLock<Vec<String>> = LazyLock::new(|| {
    (0..64)
        .map(|index| pointer_index("/Statement", index))
        .collect()
});

/// Returns the JSON pointer of statement `index` under `statements`, without allocating
/// for the first statements of a policy file.
fn statement_pointer(statements: &str, index: usize) -> Cow<'static, str> {
    match STATEMENT_POINTERS.get(index) {
        Some(pointer) if statements == "/Statement" => Cow::Borrowed(pointer),
        _ => Cow::Owned(pointer_index(statements, index)),
    }
}

fn check_statement<'a>(
    ctx: &mut Ctx<'_>,
    node: &Node<'a>,
    index: usize,
    pointer: Cow<'static, str>,
    kind: PolicyKind,
) -> Option<Statement<'a>> {
    let Some(members) = node.as_object() else {
        if !node.is_unknown() {
            ctx.report(type_error(ctx, node, "a statement", "an object", &pointer));
        }
        return None;
    };
    let elements = resolve_elements(
        ctx,
        members,
        STATEMENT_ELEMENTS,
        statement_element,
        &pointer,
        "statement",
    );
    let mut statement = Statement {
        index,
        pointer: pointer.clone(),
        span: node.span,
        sid: None,
        effect: None,
        effect_span: None,
        action: None,
        resource: None,
        principal_span: None,
        conditions: Vec::new(),
        conditions_invalid: false,
    };

    if let Some(sid) = elements.get(SID) {
        match &sid.value.value {
            Value::String(text) => statement.sid = Some(text.clone()),
            Value::Unknown { .. } => {}
            _ => {
                let sid_pointer = pointer_push(&pointer, &sid.key);
                ctx.report(type_error(
                    ctx,
                    &sid.value,
                    "`Sid`",
                    "a string",
                    &sid_pointer,
                ));
            }
        }
    }

    // A required element present only under a misspelled key is checked, and reported
    // missing too, because RAM rejects the statement. Such a statement grants and denies
    // nothing, so its effect is cleared at the end.
    let mut rejected = false;
    let effect = elements.get(EFFECT);
    if let Some(effect) = effect {
        statement.effect_span = Some(effect.value.span);
        statement.effect = check_effect(ctx, effect, &pointer);
    }
    if effect.is_none_or(|member| member.key != "Effect") {
        rejected |= report_missing(
            ctx,
            node,
            &pointer,
            "Effect",
            "add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`",
            effect,
        );
    }

    let (action, misspelled_action) =
        check_pair(ctx, node, &elements, &pointer, (ACTION, NOT_ACTION), true);
    statement.action = action;
    rejected |= misspelled_action;
    let has_principal = elements.get(PRINCIPAL).is_some();
    let resource_required = match kind {
        PolicyKind::Trust => false,
        _ => !(has_principal && statement_is_trust(&statement)),
    };
    let (resource, misspelled_resource) = check_pair(
        ctx,
        node,
        &elements,
        &pointer,
        (RESOURCE, NOT_RESOURCE),
        resource_required,
    );
    statement.resource = resource;
    rejected |= misspelled_resource;
    if let Some(action) = &statement.action {
        for (i, item) in action.items.iter().enumerate() {
            let key = if action.negated {
                "NotAction"
            } else {
                "Action"
            };
            // An action already found well-formed and in the catalog, in this file or an
            // earlier one, needs neither check again.
            if super::catalog::is_known(&item.text) {
                continue;
            }
            // The pointer is only built when a diagnostic needs it.
            let item_pointer = || item_pointer(&pointer, key, action, i);
            if elements::check_action(ctx, item, &item_pointer) && item.text != "*" {
                super::catalog::check_action(ctx, item, &item_pointer);
            }
        }
    }
    if let Some(resource) = &statement.resource {
        for (i, item) in resource.items.iter().enumerate() {
            let key = if resource.negated {
                "NotResource"
            } else {
                "Resource"
            };
            elements::check_resource(ctx, item, &|| item_pointer(&pointer, key, resource, i));
        }
    }

    let principal = elements.get(PRINCIPAL);
    if let Some(principal) = principal {
        statement.principal_span = Some(principal.value.span);
        elements::check_principal(ctx, principal, &pointer, kind);
    }
    let principal_required = matches!(
        kind,
        PolicyKind::Trust | PolicyKind::Resource | PolicyKind::Endpoint
    );
    if principal_required && principal.is_none_or(|member| member.key != "Principal") {
        rejected |= report_missing(
            ctx,
            node,
            &pointer,
            "Principal",
            "in a resource-based policy every statement names who it applies to",
            principal,
        );
    }

    if let Some(condition) = elements.get(CONDITION) {
        let (conditions, invalid) = condition::check_condition(ctx, condition, &pointer);
        statement.conditions = conditions;
        statement.conditions_invalid = invalid;
    }
    if rejected {
        statement.effect = None;
    }
    Some(statement)
}

/// Tells whether a statement only allows `sts:` actions, as trust policy statements do.
fn statement_is_trust(statement: &Statement<'_>) -> bool {
    statement.action.as_ref().is_some_and(|action| {
        !action.negated
            && !action.items.is_empty()
            && action
                .items
                .iter()
                .all(|item| item.text.to_ascii_lowercase().starts_with("sts:"))
    })
}

/// Returns the pointer of one item of an `Action` or `Resource` value, which is the value
/// itself when it was written as a single string.
pub(crate) fn item_pointer(
    pointer: &str,
    key: &str,
    patterns: &Patterns<'_>,
    index: usize,
) -> String {
    let element = pointer_push(pointer, key);
    if patterns.items.len() == 1 && patterns.items[0].span == patterns.value_span {
        element
    } else {
        pointer_index(&element, index)
    }
}

fn check_effect(ctx: &mut Ctx<'_>, member: &Member<'_>, pointer: &str) -> Option<Effect> {
    // Built only for a diagnostic, because every statement has an effect.
    let effect_pointer = || pointer_push(pointer, &member.key);
    let value = &member.value;
    let text = match &value.value {
        Value::String(text) => text,
        Value::Unknown { .. } => return None,
        _ => {
            ctx.report(type_error(
                ctx,
                value,
                "`Effect`",
                "the string \"Allow\" or \"Deny\"",
                &effect_pointer(),
            ));
            return None;
        }
    };
    match text.as_ref() {
        "Allow" => return Some(Effect::Allow),
        "Deny" => return Some(Effect::Deny),
        _ => {}
    }
    let normalised = text.trim().to_ascii_lowercase();
    let intended = match normalised.as_str() {
        "allow" => Some("Allow"),
        "deny" => Some("Deny"),
        _ => closest(text.trim(), ["Allow", "Deny"]),
    };
    let help = match intended {
        Some(word) if text.trim() != text => {
            format!("write `\"{word}\"`, without surrounding spaces; Effect is case-sensitive")
        }
        Some(word) => format!("write `\"{word}\"`; Effect is case-sensitive"),
        None => "write `\"Allow\"` or `\"Deny\"`".to_string(),
    };
    ctx.report(
        Diagnostic::new(
            &INVALID_EFFECT,
            ctx.file,
            value.span,
            format!(
                "`Effect` is {}; it must be exactly \"Allow\" or \"Deny\"",
                quote(text)
            ),
        )
        .label(match intended {
            Some(word) => format!("did you mean `{word}`?"),
            None => "not an effect".to_string(),
        })
        .help(help)
        .pointer(effect_pointer()),
    );
    None
}

/// Checks one of the pairs `Action`/`NotAction` or `Resource`/`NotResource`: that exactly one
/// is present and that its value is a non-empty string or array of strings.
fn check_pair<'a>(
    ctx: &mut Ctx<'_>,
    statement: &Node<'a>,
    elements: &Elements<'_, 'a>,
    pointer: &str,
    (plain_index, negated_index): (usize, usize),
    required: bool,
) -> (Option<Patterns<'a>>, bool) {
    let (plain, negated) = (
        STATEMENT_ELEMENTS[plain_index],
        STATEMENT_ELEMENTS[negated_index],
    );
    let positive = elements.get(plain_index);
    let negative = elements.get(negated_index);
    if let (Some(first), Some(second)) = (positive, negative) {
        let (earlier, later) = if first.key_span < second.key_span {
            (first, second)
        } else {
            (second, first)
        };
        ctx.report(
            Diagnostic::new(
                &CONFLICTING_ELEMENTS,
                ctx.file,
                later.key_span,
                format!("a statement cannot have both `{plain}` and `{negated}`"),
            )
            .label(format!("`{}` here", later.key))
            .secondary(
                ctx.file,
                earlier.key_span,
                format!("`{}` here", earlier.key),
            )
            .help(format!(
                "keep one of them; to exclude some {} from a grant, add a Deny statement",
                plain.to_lowercase() + "s"
            ))
            .pointer(pointer_push(pointer, &later.key)),
        );
    }
    let (member, is_negated) = match (positive, negative) {
        (Some(member), _) => (member, false),
        (None, Some(member)) => (member, true),
        (None, None) => {
            if required {
                let help = if plain == "Action" {
                    "add `\"Action\"` with the actions the statement applies to, such as `\"ecs:DescribeInstances\"`"
                } else {
                    "add `\"Resource\": \"*\"` or the ARNs the statement applies to"
                };
                let name = format!("{plain}` nor `{negated}");
                ctx.report(missing(ctx, statement, pointer, &name, help));
            }
            return (None, false);
        }
    };
    let key = if is_negated { negated } else { plain };
    let misspelled = member.key != key;
    if misspelled && required {
        let name = format!("{plain}` nor `{negated}");
        let diagnostic = missing(ctx, statement, pointer, &name, "");
        ctx.report(misspelled_label(ctx, diagnostic, member, key));
    }
    let element_pointer = || pointer_push(pointer, key);
    let patterns = string_items(ctx, member, &element_pointer, key).map(|items| Patterns {
        negated: is_negated,
        key_span: member.key_span,
        value_span: member.value.span,
        items,
    });
    (patterns, misspelled && required)
}

/// Reads a value that may be a string or an array of strings, reporting wrong types and
/// empty values. Returns `None` when the value is unknown or has the wrong type.
/// `pointer` builds the element's pointer, and is called only for a diagnostic.
pub(super) fn string_items<'a>(
    ctx: &mut Ctx<'_>,
    member: &Member<'a>,
    pointer: &dyn Fn() -> String,
    key: &str,
) -> Option<Vec<Item<'a>>> {
    let value = &member.value;
    // This runs for every action, so the element's name is formatted only for a diagnostic.
    let element = || format!("`{key}`");
    match &value.value {
        Value::String(text) => {
            if text.is_empty() {
                ctx.report(empty(ctx, value, &element(), &pointer()));
                return Some(Vec::new());
            }
            Some(vec![Item {
                text: text.clone(),
                span: value.span,
            }])
        }
        Value::Array(items) => {
            if items.is_empty() {
                ctx.report(empty(ctx, value, &element(), &pointer()));
            }
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                match &item.value {
                    Value::String(text) if text.is_empty() => {
                        let description = format!("an element of {}", element());
                        ctx.report(empty(
                            ctx,
                            item,
                            &description,
                            &pointer_index(&pointer(), index),
                        ));
                    }
                    Value::String(text) => out.push(Item {
                        text: text.clone(),
                        span: item.span,
                    }),
                    Value::Unknown { .. } => {}
                    _ => {
                        let description = format!("an element of {}", element());
                        ctx.report(type_error(
                            ctx,
                            item,
                            &description,
                            "a string",
                            &pointer_index(&pointer(), index),
                        ));
                    }
                }
            }
            Some(out)
        }
        Value::Unknown { .. } => None,
        _ => {
            ctx.report(type_error(
                ctx,
                value,
                &element(),
                "a string or an array of strings",
                &pointer(),
            ));
            None
        }
    }
}

/// Reports a statement element as missing, with a label on `found` when that key misspells
/// it. Returns true when it does, because RAM then rejects the statement.
fn report_missing(
    ctx: &mut Ctx<'_>,
    node: &Node<'_>,
    pointer: &str,
    element: &str,
    help: &str,
    found: Option<&Member<'_>>,
) -> bool {
    let mut diagnostic = missing(ctx, node, pointer, element, help);
    if let Some(member) = found {
        diagnostic = misspelled_label(ctx, diagnostic, member, element);
    }
    ctx.report(diagnostic);
    found.is_some()
}

/// Labels the key that misspells a missing element, with help to rename it.
fn misspelled_label(
    ctx: &Ctx<'_>,
    diagnostic: Diagnostic,
    member: &Member<'_>,
    element: &str,
) -> Diagnostic {
    let key = member.key.as_ref();
    diagnostic
        .secondary(
            ctx.file,
            member.key_span,
            format!("`{key}` is not `{element}`: element names are case-sensitive"),
        )
        .help(format!("rename `{key}` to `{element}`"))
}

/// Builds a `missing-element` diagnostic on a statement. An empty `help` adds none, for
/// callers that add their own.
fn missing(ctx: &Ctx<'_>, node: &Node<'_>, pointer: &str, element: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        &MISSING_ELEMENT,
        ctx.file,
        node.span,
        format!("the statement has no `{element}`"),
    )
    .label("this statement")
    .maybe_help((!help.is_empty()).then(|| help.to_string()))
    .pointer(pointer.to_string())
    .subject(format!("missing {element}"))
}

/// Builds an `invalid-element-type` diagnostic; `what` names the element in backticks.
pub(super) fn type_error(
    ctx: &Ctx<'_>,
    node: &Node<'_>,
    what: &str,
    expected: &str,
    pointer: &str,
) -> Diagnostic {
    Diagnostic::new(
        &INVALID_ELEMENT_TYPE,
        ctx.file,
        node.span,
        format!("{what} is {}; it must be {expected}", node.kind_name()),
    )
    .label(format!("expected {expected}"))
    .pointer(pointer.to_string())
}

pub(super) fn empty(ctx: &Ctx<'_>, node: &Node<'_>, what: &str, pointer: &str) -> Diagnostic {
    let (message, help) = match &node.value {
        Value::Array(_) => (
            format!("{what} is an empty array"),
            "list at least one value, or remove the element",
        ),
        _ => (
            format!("{what} is an empty string"),
            "write a value, or remove it",
        ),
    };
    Diagnostic::new(&EMPTY_ELEMENT, ctx.file, node.span, message)
        .label("empty")
        .help(help)
        .pointer(pointer.to_string())
}

/// The limit of Resource Directory on a control policy, in characters.
const CONTROL_POLICY_MAX_CHARS: usize = 4096;

/// Checks the size of `text` against `limit`, the most characters that `service` accepts.
/// `whitespace` is the number of whitespace bytes between the tokens of `text`, when known.
fn check_size(
    ctx: &mut Ctx<'_>,
    root: &Node<'_>,
    pointer: &str,
    (text, whitespace): (&str, Option<usize>),
    (limit, service): (usize, &str),
) {
    if !ctx.enabled(&POLICY_TOO_LARGE) {
        return;
    }
    // Counting characters costs a pass over the text, so the byte length, which is never
    // smaller, rules out most documents first.
    if text.len() <= limit {
        return;
    }
    let chars = text.chars().count();
    if chars <= limit {
        return;
    }
    // Whitespace between tokens is ASCII, one character per byte.
    let compact = whitespace.map_or_else(|| compact_length(text), |bytes| chars - bytes);
    let help = if compact <= limit {
        format!(
            "without insignificant whitespace it is {} characters, within the limit; minify it, or split it into several policies",
            thousands(compact)
        )
    } else {
        format!(
            "even without insignificant whitespace it is {} characters; use wildcards such as `ecs:Describe*`, or split it into several policies",
            thousands(compact)
        )
    };
    ctx.report(
        Diagnostic::new(
            &POLICY_TOO_LARGE,
            ctx.file,
            root.span,
            format!(
                "the policy is {} characters long; {} accepts at most {}",
                thousands(chars),
                service,
                thousands(limit)
            ),
        )
        .label(format!("{} characters", thousands(chars)))
        .help(help)
        .pointer(pointer.to_string())
        .subject("too-large"),
    );
}

/// Formats a count with thousands separators, such as `6,144`.
pub fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Counts the characters of JSON text without whitespace outside strings.
///
/// It works on bytes, counting each byte that starts a UTF-8 character, because it runs over
/// every policy and a loop over `chars` cost about 3% of a large scan.
fn compact_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    // Counting with `filter().count()` over whole runs lets the compiler compare many bytes
    // at once. The runs end at quotes and backslashes, which memchr finds.
    let starts_char = |byte: &&u8| **byte & 0xC0 != 0x80;
    let significant =
        |byte: &&u8| !matches!(**byte, b' ' | b'\t' | b'\n' | b'\r') && starts_char(byte);
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        let Some(quote) = memchr::memchr(b'"', &bytes[i..]) else {
            count += bytes[i..].iter().filter(significant).count();
            break;
        };
        count += bytes[i..i + quote].iter().filter(significant).count();
        // A string, counted through its closing quote. The character after a backslash is
        // counted and cannot close it.
        count += 1;
        i += quote + 1;
        while i < bytes.len() {
            let Some(stop) = memchr::memchr2(b'"', b'\\', &bytes[i..]) else {
                count += bytes[i..].iter().filter(starts_char).count();
                i = bytes.len();
                break;
            };
            count += bytes[i..i + stop].iter().filter(starts_char).count() + 1;
            i += stop + 1;
            if bytes[i - 1] == b'"' {
                break;
            }
            // The escaped byte starts a character, and never ends the string.
            if i < bytes.len() {
                count += 1;
                i += 1;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::{
        STATEMENT_ELEMENTS, TOP_ELEMENTS, compact_length, statement_element, thousands, top_element,
    };

    #[test]
    fn element_lookups_match_element_lists() {
        for (index, name) in STATEMENT_ELEMENTS.iter().enumerate() {
            assert_eq!(statement_element(name), Some(index), "{name}");
        }
        for (index, name) in TOP_ELEMENTS.iter().enumerate() {
            assert_eq!(top_element(name), Some(index), "{name}");
        }
        for other in ["effect", "Actions", "", "Version", "NotPrincipal"] {
            assert_eq!(statement_element(other), None, "{other}");
        }
        assert_eq!(top_element("Effect"), None);
    }

    /// Counts one character at a time, as the definition reads, for comparison.
    fn compact_length_by_chars(text: &str) -> usize {
        let (mut count, mut in_string, mut escaped) = (0, false, false);
        for ch in text.chars() {
            if in_string {
                count += 1;
                match (escaped, ch) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
            } else if !matches!(ch, ' ' | '\t' | '\n' | '\r') {
                count += 1;
                in_string = ch == '"';
            }
        }
        count
    }

    /// The parser's count of whitespace between tokens gives the same compact length as a
    /// pass over the text. The documents are the real policies of the fixtures and a few
    /// written for the edge cases.
    #[test]
    fn parser_whitespace_gives_compact_length() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real");
        let mut texts: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default())
            .collect();
        texts.extend(
            [
                "\u{feff}  {\"a\" : [ 1 ,\t2 ] }\r\n",
                "[]",
                " \"caf\u{e9} \u{4e2d}\" ",
                "{\"Statement\": [{\"Sid\": \"a \\\" b\", \"Action\": \"ecs:*\"}]}\n\n",
                "{\n    \"k\":\n\n        true\n}",
            ]
            .map(String::from),
        );
        let mut checked = 0;
        let arena = bumpalo::Bump::new();
        for text in &texts {
            let Ok(parsed) = crate::syntax::json::parse_document(text, &arena) else {
                continue;
            };
            let root = &text[parsed.root.span.range()];
            let whitespace = parsed.facts.inner_whitespace.unwrap();
            assert_eq!(
                root.chars().count() - whitespace,
                compact_length(root),
                "{root}"
            );
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} documents parsed");
    }

    #[test]
    fn compact_length_matches_char_count() {
        let texts = [
            "",
            "{ \"Version\": \"1\" }",
            "{\n  \"Sid\": \"caf\u{e9} \u{4e2d}\u{6587}\"\n}",
            "[\"a\\\"b\", \"c\\\\\", \"\\\u{e9}x\"]",
            "\"unterminated \\",
            "\"\\",
            "  \u{1F600} \"\u{1F600}\" ",
        ];
        for text in texts {
            assert_eq!(
                compact_length(text),
                compact_length_by_chars(text),
                "{text:?}"
            );
        }
        // Texts built from quotes, backslashes, whitespace and multi-byte characters in the
        // order of a fixed pseudo-random sequence.
        let pieces = ["\"", "\\", " ", "\n", "a", "\u{e9}", "\u{1F600}", "{", "  "];
        let mut state: u32 = 1;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(state % 40) {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                text.push_str(pieces[(state >> 16) as usize % pieces.len()]);
            }
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            assert_eq!(
                compact_length(&text),
                compact_length_by_chars(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(6144), "6,144");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn compact_length_keeps_string_spaces() {
        assert_eq!(compact_length("{ \"a b\" : [ 1 , 2 ] }"), 13);
        assert_eq!(compact_length("\"a\\\" b\""), 7);
    }
}
