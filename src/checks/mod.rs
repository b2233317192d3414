//! Checks: one module per family of rules, each rule declared next to the code that
//! reports it.

pub mod catalog;
pub mod condition;
pub mod elements;
pub mod file;
pub mod grammar;
pub mod grants;
pub mod instance;
pub mod inventory;
pub mod json;
pub mod oss;
pub mod permissions;
pub mod request;
pub mod resources;
pub mod template;

use crate::diagnostic::{Diagnostic, FileId};
use crate::settings::Settings;

/// What a check needs to know about the file it looks at, and where its findings go.
pub struct Ctx<'s> {
    pub file: FileId,
    pub text: &'s str,
    pub settings: &'s Settings,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'s> Ctx<'s> {
    pub fn new(file: FileId, text: &'s str, settings: &'s Settings) -> Ctx<'s> {
        Ctx {
            file,
            text,
            settings,
            diagnostics: Vec::new(),
        }
    }

    /// Tells whether a rule is on, so that a check can skip work whose findings would be
    /// dropped.
    pub fn enabled(&self, rule: &crate::rules::Rule) -> bool {
        self.settings.severity(rule).is_some()
    }

    /// Records a diagnostic unless its rule is off, at the configured severity.
    pub fn report(&mut self, mut diagnostic: Diagnostic) {
        if let Some(severity) = self.settings.severity(diagnostic.rule) {
            diagnostic.severity = severity;
            self.diagnostics.push(diagnostic);
        }
    }
}

/// Appends one reference token to a JSON pointer, escaped as RFC 6901 requires.
pub fn pointer_push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    if !token.bytes().any(|byte| byte == b'~' || byte == b'/') {
        out.push_str(token);
        return out;
    }
    for ch in token.chars() {
        match ch {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            ch => out.push(ch),
        }
    }
    out
}

/// Appends an array index to a JSON pointer.
pub fn pointer_index(pointer: &str, index: usize) -> String {
    let mut out = String::with_capacity(pointer.len() + 8);
    out.push_str(pointer);
    out.push('/');
    crate::source::push_decimal(&mut out, index as u64);
    out
}

/// Returns the candidate closest to `word` when it is close enough to be a likely typo:
/// equal ignoring case, or within a small edit distance for its length.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        let candidate_lower = candidate.to_ascii_lowercase();
        if candidate_lower == lower {
            return Some(candidate);
        }
        let distance = strsim::damerau_levenshtein(&lower, &candidate_lower);
        let longest = lower.chars().count().max(candidate_lower.chars().count());
        // Allow about one edit in three characters, and at least one.
        let allowed = (longest / 3).max(1);
        let plural = lower.strip_suffix('s') == Some(candidate_lower.as_str())
            || candidate_lower.strip_suffix('s') == Some(lower.as_str());
        if distance <= allowed || plural {
            let score = if plural { 0.5 } else { distance as f64 };
            if best.is_none_or(|(_, best_score)| score < best_score) {
                best = Some((candidate, score));
            }
        }
    }
    best.map(|(candidate, _)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes_tokens() {
        assert_eq!(pointer_push("", "a/b~c"), "/a~1b~0c");
        assert_eq!(pointer_index("/Statement", 2), "/Statement/2");
    }

    #[test]
    fn closest_finds_typos_and_case() {
        let keys = ["Effect", "Action", "NotAction", "Resource", "Condition"];
        assert_eq!(closest("Actions", keys), Some("Action"));
        assert_eq!(closest("effect", keys), Some("Effect"));
        assert_eq!(closest("Resources", keys), Some("Resource"));
        assert_eq!(closest("Conditon", keys), Some("Condition"));
        assert_eq!(closest("Zebra", keys), None);
    }
}
