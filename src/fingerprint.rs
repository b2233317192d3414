//! Fingerprints: identifiers of diagnostics that survive reformatting and moving
//! statements, used by baselines, suppressions and SARIF's `partialFingerprints`.
//!
//! A fingerprint hashes the rule id, the file's display path and a *subject*: the JSON
//! pointer of the offending value, followed by a digest of the value itself. In the pointer,
//! a statement with a `Sid` is named by its `Sid`, any other object in an array keeps its
//! index, and a scalar in an array (an action, a resource) is named by a digest of its value.
//! Whitespace and edits to other values therefore do not change a fingerprint, so findings in
//! one statement can be fixed one at a time against a baseline. Moving a statement changes it
//! unless the statement has a `Sid`. Diagnostics that would share a fingerprint within a file
//! are numbered in source order.

use crate::source::{push_decimal, push_hex};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

use crate::diagnostic::Diagnostic;
use crate::syntax::{Node, Value};

/// FNV-1a, 64 bits: small, stable across Rust versions and platforms, and good enough to tell
/// findings apart within one repository.
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xFF)) {
            hash ^= byte as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    hash
}

/// Computes a fingerprint from a rule id, a display path and a subject.
pub fn fingerprint(rule: &str, path: &str, subject: &str) -> String {
    let mut out = String::with_capacity(16);
    push_hex(&mut out, fnv1a(&[rule, path, subject]), 16);
    out
}

/// Fills in the subject of every diagnostic that has a pointer into `root`.
pub fn assign_subjects(diagnostics: &mut [Diagnostic], root: &Node<'_>) {
    // Many diagnostics point into the same statement; its digest is computed once.
    let mut identities = HashMap::default();
    for diagnostic in diagnostics {
        if let Some(pointer) = &diagnostic.pointer {
            let normalised = normalise_pointer(root, pointer, &mut identities);
            diagnostic.subject = if diagnostic.subject.is_empty() {
                normalised
            } else {
                format!("{normalised} {}", diagnostic.subject)
            };
        }
    }
}

/// Fills in the subject of every diagnostic whose pointer is inside a document embedded at
/// `prefix` in its file, such as a policy in a Terraform attribute. The subject is the
/// prefix followed by the normalised pointer within the document.
pub fn assign_subjects_within(diagnostics: &mut [Diagnostic], root: &Node<'_>, prefix: &str) {
    let mut identities = HashMap::default();
    for diagnostic in diagnostics {
        let Some(inner) = diagnostic
            .pointer
            .as_deref()
            .and_then(|pointer| pointer.strip_prefix(prefix))
            .filter(|inner| inner.is_empty() || inner.starts_with('/'))
        else {
            continue;
        };
        let normalised = format!(
            "{prefix}{}",
            normalise_pointer(root, inner, &mut identities)
        );
        diagnostic.subject = if diagnostic.subject.is_empty() {
            normalised
        } else {
            format!("{normalised} {}", diagnostic.subject)
        };
    }
}

/// Computes fingerprints for the diagnostics of one file and numbers those that would
/// otherwise be equal.
pub fn assign_fingerprints(diagnostics: &mut [Diagnostic], display: &str) {
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by_key(|&i| (diagnostics[i].start(), diagnostics[i].rule.id));
    let mut seen: HashMap<String, u32> = HashMap::default();
    for i in order {
        let diagnostic = &mut diagnostics[i];
        if !diagnostic.fingerprint.is_empty() {
            continue;
        }
        // The subject is needed only for the fingerprint, so it is freed here: a large scan
        // keeps every diagnostic until the report is written.
        let subject = std::mem::take(&mut diagnostic.subject);
        let base = fingerprint(diagnostic.rule.id, display, &subject);
        let count = seen.entry(base.clone()).or_insert(0);
        *count += 1;
        diagnostic.fingerprint = base;
        if *count > 1 {
            diagnostic.fingerprint.push(':');
            push_decimal(&mut diagnostic.fingerprint, u64::from(*count));
        }
    }
}

/// Rewrites a JSON pointer so that array indexes become digests of the selected elements.
/// `identities` caches element digests by node address across calls.
fn normalise_pointer(
    root: &Node<'_>,
    pointer: &str,
    identities: &mut HashMap<usize, String>,
) -> String {
    let mut out = String::with_capacity(pointer.len() + 16);
    let mut node = Some(root);
    for token in pointer.split('/').skip(1) {
        let token: Cow<'_, str> = if token.contains('~') {
            Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
        } else {
            Cow::Borrowed(token)
        };
        match node.map(|n| &n.value) {
            Some(Value::Array(items)) => {
                let index = token.parse::<usize>().ok();
                let element = index.and_then(|i| items.get(i));
                match (element, index) {
                    (Some(element), Some(index)) => {
                        let key = element as *const Node<'_> as usize;
                        let identity = identities
                            .entry(key)
                            .or_insert_with(|| element_identity(element, index));
                        out.push_str("/#");
                        out.push_str(identity);
                    }
                    _ => {
                        out.push('/');
                        out.push_str(&token);
                    }
                }
                node = element;
            }
            Some(Value::Object(_)) => {
                out.push('/');
                out.push_str(&token);
                node = node.and_then(|n| n.get(&token)).map(|member| &member.value);
            }
            _ => {
                out.push('/');
                out.push_str(&token);
                node = None;
            }
        }
    }
    // A scalar value is part of the subject. A container is already identified by the path
    // to it (a statement by its digest), and hashing a whole document for a diagnostic about
    // its size would make the fingerprint change with every unrelated edit.
    if let Some(node) = node
        && !matches!(node.value, Value::Object(_) | Value::Array(_))
    {
        out.push('=');
        push_hex(&mut out, digest(node), 0);
    }
    out
}

/// Identifies an array element: a statement by its `Sid` when it has one, any other object
/// by its index, and anything else by a digest of its canonical text. A digest of a whole
/// statement would change with every fix inside it and orphan its other findings.
fn element_identity(node: &Node<'_>, index: usize) -> String {
    if let Some(sid) = node.get("Sid").and_then(|member| member.value.as_str()) {
        return format!("sid:{sid}");
    }
    let mut out = String::with_capacity(16);
    if node.as_object().is_some() {
        out.push('@');
        push_decimal(&mut out, index as u64);
    } else {
        push_hex(&mut out, digest(node), 0);
    }
    out
}

/// Hashes a node's content without building text: whitespace and spans do not count, and
/// keys keep their source order. Strings end with `0xFF`, a byte UTF-8 never contains, so
/// no two different values feed the hash the same bytes.
pub fn digest(node: &Node<'_>) -> u64 {
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    hash_node(node, &mut hasher);
    hasher.0
}

struct Fnv(u64);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= byte as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }

    fn text(&mut self, text: &str) {
        self.write(text.as_bytes());
        self.write(&[0xFF]);
    }
}

fn hash_node(node: &Node<'_>, hasher: &mut Fnv) {
    match &node.value {
        Value::Null => hasher.write(b"n"),
        Value::Bool(flag) => hasher.write(if *flag { b"t" } else { b"f" }),
        Value::Number(text) => {
            hasher.write(b"#");
            hasher.text(text);
        }
        Value::String(text) => {
            hasher.write(b"\"");
            hasher.text(text);
        }
        Value::Unknown { reason } => {
            hasher.write(b"?");
            hasher.text(reason);
        }
        Value::Array(items) => {
            hasher.write(b"[");
            items.iter().for_each(|item| hash_node(item, hasher));
            hasher.write(b"]");
        }
        Value::Object(members) => {
            hasher.write(b"{");
            for member in members.iter() {
                hasher.text(&member.key);
                hash_node(&member.value, hasher);
            }
            hasher.write(b"}");
        }
    }
}

/// Writes a node as compact JSON with keys in source order, so that whitespace does not
/// change the result.
pub fn canonical(node: &Node<'_>) -> String {
    let mut out = String::new();
    write_canonical(node, &mut out);
    out
}

fn write_canonical(node: &Node<'_>, out: &mut String) {
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(text) => out.push_str(text),
        Value::String(text) => {
            out.push_str(&serde_json::to_string(text.as_ref()).unwrap_or_default())
        }
        Value::Unknown { reason } => {
            out.push_str("${");
            out.push_str(reason);
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, member) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(member.key.as_ref()).unwrap_or_default());
                out.push(':');
                write_canonical(&member.value, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json::parse;

    #[test]
    fn statement_named_by_sid_or_index() {
        let a = parse(r#"{"Statement": [{"Effect": "Allow"}, {"Sid": "S", "Effect": "Alow"}]}"#)
            .unwrap();
        let b = parse("{\n  \"Statement\": [\n    {\"Sid\": \"S\", \"Effect\":   \"Alow\"},\n    {\"Effect\": \"Allow\"}\n  ]\n}").unwrap();
        let mut cache = HashMap::default();
        let moved = normalise_pointer(&b, "/Statement/0/Effect", &mut HashMap::default());
        assert_eq!(
            normalise_pointer(&a, "/Statement/1/Effect", &mut cache),
            moved
        );
        let by_index = normalise_pointer(&a, "/Statement/0/Effect", &mut cache);
        assert!(by_index.starts_with("/Statement/#@0/Effect="), "{by_index}");
        assert!(moved.starts_with("/Statement/#sid:S/Effect="), "{moved}");
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(
            fingerprint("invalid-effect", "a.json", "/x"),
            fingerprint("invalid-effect", "a.json", "/x")
        );
    }
}
