//! The diagnostic model shared by every check and every output format.

use rustc_hash::FxHashSet as HashSet;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::rules::Rule;
use crate::source::Span;

/// How serious a diagnostic is; the order is `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most secondary labels one diagnostic carries.
pub const MAX_LABELS: usize = 100;

/// Index of a file in the run's file table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A secondary place shown with a diagnostic, possibly in another file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// One finding: a rule, the exact bytes it is about, and what to do.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    /// The severity after configuration; checks create diagnostics at the rule's default.
    pub severity: Severity,
    pub message: String,
    /// Shared between diagnostics with the same text; see [`shared_text`].
    pub help: Option<Arc<str>>,
    pub file: FileId,
    /// The primary span; `None` for diagnostics about a whole file that has no text, such as
    /// one that could not be read.
    pub span: Option<Span>,
    /// The primary label printed under the underline; a short phrase.
    pub label: Option<Arc<str>>,
    pub labels: Vec<Label>,
    /// Secondary labels left out because the diagnostic already had [`MAX_LABELS`].
    pub omitted_labels: usize,
    /// The JSON pointer of the value the diagnostic is about, when it is inside a document.
    pub pointer: Option<String>,
    /// A description of the subject that does not change when the file is reformatted or
    /// another value is edited; the fingerprint is computed from it.
    pub subject: String,
    pub fingerprint: String,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity,
            message: message.into(),
            help: None,
            file,
            span: Some(span),
            label: None,
            labels: Vec::new(),
            omitted_labels: 0,
            pointer: None,
            subject: String::new(),
            fingerprint: String::new(),
        }
    }

    /// Creates a diagnostic about a whole file, with no span to show.
    pub fn whole_file(rule: &'static Rule, file: FileId, message: impl Into<String>) -> Self {
        Diagnostic {
            span: None,
            ..Diagnostic::new(rule, file, Span::default(), message)
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shared_text(help.into()));
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help.map(shared_text);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(shared_text(label.into()));
        self
    }

    /// Adds a secondary label. Past [`MAX_LABELS`] labels are only counted, so that a
    /// statement listing a million actions yields a diagnostic of readable size.
    pub fn secondary(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        if self.labels.len() >= MAX_LABELS {
            self.omitted_labels += 1;
            return self;
        }
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    pub fn start(&self) -> u32 {
        self.span.map_or(0, |span| span.start)
    }
}

/// Distinct texts each thread remembers for sharing; past this, texts are kept unshared.
const SHARED_TEXTS: usize = 4096;

/// Returns a shared copy of a help or label text. Most diagnostics of a rule repeat a few
/// help and label texts, so a scan with a hundred thousand findings keeps each text once
/// per thread, not once per diagnostic.
fn shared_text(text: String) -> Arc<str> {
    thread_local! {
        static TEXTS: RefCell<HashSet<Arc<str>>> = RefCell::new(HashSet::default());
    }
    TEXTS.with(|texts| {
        let mut texts = texts.borrow_mut();
        if let Some(found) = texts.get(text.as_str()) {
            return Arc::clone(found);
        }
        let created: Arc<str> = Arc::from(text);
        if texts.len() < SHARED_TEXTS {
            texts.insert(Arc::clone(&created));
        }
        created
    })
}

/// The longest value a message shows whole; longer ones are shortened in the middle.
const MAX_SHOWN_CHARS: usize = 60;

/// Shortens a long value in the middle with `…`, keeping its start and end.
pub fn shorten(value: &str) -> String {
    let count = value.chars().count();
    if count <= MAX_SHOWN_CHARS {
        return value.to_string();
    }
    let head: String = value.chars().take(MAX_SHOWN_CHARS - 20).collect();
    let tail: String = value.chars().skip(count - 15).collect();
    format!("{head}…{tail}")
}

/// Quotes a value for a message: JSON-style double quotes, control characters escaped so
/// that nothing reaches a terminal raw, and long values shortened in the middle.
pub fn quote(value: &str) -> String {
    // A value of at most the shown length in bytes is never shortened, and most values are
    // printable ASCII with nothing to escape, so they are copied whole.
    if value.len() <= MAX_SHOWN_CHARS
        && value
            .bytes()
            .all(|byte| (b' '..=b'~').contains(&byte) && byte != b'"' && byte != b'\\')
    {
        return ["\"", value, "\""].concat();
    }
    let shown = shorten(value);
    let mut out = String::with_capacity(shown.len() + 2);
    out.push('"');
    for ch in shown.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ch if is_unsafe_char(ch) => out.push_str(&format!("\\u{{{:x}}}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

/// Characters that must never reach a terminal raw: C0 and C1 controls, DEL, and the
/// bidirectional overrides that can make text display in a misleading order.
pub fn is_unsafe_char(ch: char) -> bool {
    ch.is_control()
        || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_terminal_sequences() {
        assert_eq!(quote("a\u{1b}[31mb"), "\"a\\u{1b}[31mb\"");
        assert_eq!(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn quote_copies_plain_values_whole() {
        assert_eq!(quote("ecs:Describe*"), "\"ecs:Describe*\"");
        assert_eq!(quote("a\\b"), "\"a\\\\b\"");
        assert_eq!(quote("tab\there"), "\"tab\\there\"");
        // Sixty characters are shown whole, and sixty-one are shortened.
        assert_eq!(quote(&"y".repeat(60)), format!("\"{}\"", "y".repeat(60)));
        assert!(quote(&"y".repeat(61)).contains('…'));
    }

    #[test]
    fn quote_shortens_long_values() {
        let long = "x".repeat(200);
        let quoted = quote(&long);
        assert!(quoted.chars().count() < 70, "{quoted}");
        assert!(quoted.contains('…'));
    }
}
