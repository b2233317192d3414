//! Wildcard patterns as RAM writes them in `Action`, `Resource` and `StringLike` values: `*`
//! matches any run of characters (also an empty one) and `?` exactly one character.
//!
//! Matching splits the pattern at its stars and finds each piece at its leftmost possible
//! place, which is correct for this pattern language because a leftmost match never leaves
//! less room for the pieces after it. There is no backtracking, so a pattern such as
//! `*a*a*a*b` against a long run of `a` costs one pass per piece instead of exploding.

/// A pattern split at its stars, ready to match many texts.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The pieces between stars; a pattern without stars has exactly one.
    pieces: Vec<Vec<char>>,
    ignore_case: bool,
}

impl Pattern {
    /// Compiles a pattern. With `ignore_case`, letters compare without case, as RAM compares
    /// action names.
    pub fn new(pattern: &str, ignore_case: bool) -> Pattern {
        Pattern {
            pieces: pattern
                .split('*')
                .map(|piece| piece.chars().collect())
                .collect(),
            ignore_case,
        }
    }

    /// Tells whether `text` matches the whole pattern.
    pub fn is_match(&self, text: &str) -> bool {
        if text.is_ascii() {
            let bytes = text.as_bytes();
            self.match_units(bytes.len(), |i| bytes[i] as char)
        } else {
            let chars: Vec<char> = text.chars().collect();
            self.match_units(chars.len(), |i| chars[i])
        }
    }

    fn piece_matches(&self, piece: &[char], text: impl Fn(usize) -> char, at: usize) -> bool {
        piece.iter().enumerate().all(|(i, &p)| {
            let t = text(at + i);
            p == '?' || p == t || (self.ignore_case && chars_equal_ignoring_case(p, t))
        })
    }

    /// Returns the literal text before the first wildcard, which every match starts with.
    pub fn literal_prefix(&self) -> String {
        self.pieces[0].iter().take_while(|&&c| c != '?').collect()
    }

    fn match_units(&self, len: usize, text: impl Fn(usize) -> char + Copy) -> bool {
        let pieces = &self.pieces;
        if pieces.len() == 1 {
            return pieces[0].len() == len && self.piece_matches(&pieces[0], text, 0);
        }
        let first = &pieces[0];
        let last = &pieces[pieces.len() - 1];
        if len < first.len() + last.len() {
            return false;
        }
        if !self.piece_matches(first, text, 0) || !self.piece_matches(last, text, len - last.len())
        {
            return false;
        }
        // The middle pieces must appear in order between the first and last pieces.
        let mut position = first.len();
        let end = len - last.len();
        for piece in &pieces[1..pieces.len() - 1] {
            if piece.is_empty() {
                continue;
            }
            let mut start = position;
            loop {
                if start + piece.len() > end {
                    return false;
                }
                if self.piece_matches(piece, text, start) {
                    break;
                }
                start += 1;
            }
            position = start + piece.len();
        }
        true
    }
}

fn chars_equal_ignoring_case(a: char, b: char) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(&b)
    } else {
        a.to_lowercase().eq(b.to_lowercase())
    }
}

/// Tells whether `text` matches `pattern`; compile a [`Pattern`] instead to match many texts.
pub fn matches(pattern: &str, text: &str, ignore_case: bool) -> bool {
    Pattern::new(pattern, ignore_case).is_match(text)
}

/// Tells whether a pattern contains a wildcard.
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("ecs:Describe*", "ecs:DescribeInstances", false));
        assert!(matches("ecs:*", "ecs:", false));
        assert!(matches("*Describe*", "ecs:DescribeDisks", false));
        assert!(matches("ecs:?escribe*", "ecs:DescribeDisks", false));
        assert!(!matches("ecs:?escribe*", "ecs:escribe", false));
        assert!(matches("a*b*c", "abc", false));
        assert!(!matches("a*b*c", "acb", false));
        assert!(matches("*", "", false));
        assert!(!matches("", "a", false));
        assert!(!matches("ab*ba", "aba", false));
    }

    #[test]
    fn case_is_optional() {
        assert!(matches("ECS:describe*", "ecs:DescribeDisks", true));
        assert!(!matches("ECS:describe*", "ecs:DescribeDisks", false));
    }

    #[test]
    fn stars_cross_slashes_and_colons() {
        assert!(matches(
            "acs:oss:*:*:bucket/*",
            "acs:oss:*:*:bucket/a/b:c",
            false
        ));
    }

    #[test]
    fn non_ascii_question_mark_is_one_character() {
        assert!(matches("ecs:tag/部?", "ecs:tag/部门", false));
        assert!(!matches("ecs:tag/?", "ecs:tag/部门", false));
    }

    #[test]
    fn many_stars_stay_fast() {
        let pattern = format!("{}b", "*a".repeat(2_000));
        let text = "a".repeat(100_000);
        assert!(!matches(&pattern, &text, false));
    }
}
