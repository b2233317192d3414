//! Rules about JSON syntax: parse errors and duplicate keys.

use std::collections::HashMap;

use super::{Ctx, pointer_index, pointer_push};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::syntax::json::ParseError;
use crate::syntax::{Node, Value};

declare_rule! {
    /// ## What it checks
    /// That a file holding a policy or a request is strict JSON as RFC 8259 defines it. The
    /// diagnostic points at the first error and names what was expected and what was found,
    /// with a hint for the usual causes: comments, trailing commas, single quotes, no-break
    /// spaces and full-width punctuation copied from web pages, two documents in one file,
    /// and nesting deeper than 128 levels.
    ///
    /// In a folder scan, a file that fails to parse is reported only when its text contains
    /// `"Statement"`, `"Effect"` or `"Action"`; other broken JSON files (such as a
    /// `tsconfig.json` with comments) are counted as not recognised. A file named on the
    /// command line is always reported.
    ///
    /// ## Why it matters
    /// RAM rejects a policy that is not valid JSON when it is created or updated, so the
    /// error would otherwise surface only at deploy time.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "Version": "1",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*",}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {
    ///   "Version": "1",
    ///   "Statement": [
    ///     {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}
    ///   ]
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Only the first syntax error of a file is reported.
    pub static INVALID_JSON = ("invalid-json", Error, "the file is not valid JSON");
}

declare_rule! {
    /// ## What it checks
    /// That no object has the same key twice. Both places are shown.
    ///
    /// ## Why it matters
    /// RFC 8259 leaves the meaning of duplicate keys to each reader: most keep the last one,
    /// some the first, some reject the document. A policy with two `Effect` or two `Action`
    /// keys can mean something different to RAM than to its reviewer. ramlint evaluates the
    /// last occurrence, as JavaScript, Go and Java's Jackson do.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "ram:*", "Effect": "Allow", "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Effect": "Deny", "Action": "ram:*", "Resource": "*"}
    /// ```
    ///
    /// ## Known problems
    /// How RAM itself treats duplicate keys is not documented.
    pub static DUPLICATE_KEY = ("duplicate-key", Error, "a key appears twice in one object");
}

/// Builds the diagnostic for a syntax error.
pub fn parse_error_diagnostic(ctx: &Ctx<'_>, error: &ParseError) -> Diagnostic {
    let mut diagnostic =
        Diagnostic::new(&INVALID_JSON, ctx.file, error.span, error.message.clone())
            .maybe_help(error.help.clone())
            .subject("syntax");
    if let Some((span, message)) = &error.label {
        diagnostic = diagnostic.secondary(ctx.file, *span, message.clone());
    }
    diagnostic
}

/// Reports every key that appears more than once in an object, anywhere in the tree.
pub fn check_duplicate_keys(ctx: &mut Ctx<'_>, root: &Node<'_>, pointer: &str) {
    if !ctx.enabled(&DUPLICATE_KEY) {
        return;
    }
    let mut path = Vec::new();
    visit(ctx, root, pointer, &mut path);
}

/// One step of the path from the root to the object being visited.
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

/// Builds the JSON pointer of the visited object, which is needed only for a duplicate.
fn pointer_of(base: &str, path: &[Step<'_>]) -> String {
    let mut pointer = base.to_string();
    for step in path {
        pointer = match step {
            Step::Key(key) => pointer_push(&pointer, key),
            Step::Index(index) => pointer_index(&pointer, *index),
        };
    }
    pointer
}

fn visit<'n>(ctx: &mut Ctx<'_>, node: &'n Node<'_>, base: &str, path: &mut Vec<Step<'n>>) {
    match &node.value {
        Value::Object(members) => {
            report_duplicates(ctx, members, base, path);
            for member in members.iter() {
                if has_children(&member.value) {
                    path.push(Step::Key(&member.key));
                    visit(ctx, &member.value, base, path);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if has_children(item) {
                    path.push(Step::Index(index));
                    visit(ctx, item, base, path);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

fn has_children(node: &Node<'_>) -> bool {
    matches!(node.value, Value::Object(_) | Value::Array(_))
}

fn report_duplicates(
    ctx: &mut Ctx<'_>,
    members: &[crate::syntax::Member<'_>],
    base: &str,
    path: &[Step<'_>],
) {
    if members.len() < 2 {
        return;
    }
    // Small objects are compared pairwise; large ones through a map, so that an object with
    // thousands of keys stays linear.
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let mut pointer: Option<String> = None;
    for (index, member) in members.iter().enumerate() {
        let first = if members.len() <= 16 {
            members[..index].iter().position(|m| m.key == member.key)
        } else {
            match first_seen.get(member.key.as_ref()) {
                Some(&first) => Some(first),
                None => {
                    first_seen.insert(member.key.as_ref(), index);
                    None
                }
            }
        };
        if let Some(first) = first {
            let earlier = &members[first];
            let object = pointer.get_or_insert_with(|| pointer_of(base, path));
            let diagnostic = Diagnostic::new(
                &DUPLICATE_KEY,
                ctx.file,
                member.key_span,
                format!(
                    "key {} appears more than once in this object",
                    quote(&member.key)
                ),
            )
            .label("duplicate key")
            .secondary(ctx.file, earlier.key_span, "first defined here")
            .help("remove one of the two; ramlint uses the last one, and other readers may not")
            .pointer(pointer_push(object, &member.key));
            ctx.report(diagnostic);
        }
    }
}
