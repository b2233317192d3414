//! Wildcard patterns as RAM writes them in `Action`, `Resource` and `StringLike` values: `*`
//! matches any run of characters (also an empty one) and `?` exactly one character.
//!
//! Matching splits the pattern at its stars and finds each piece at its leftmost possible
//! place, which is correct for this pattern language because a leftmost match never leaves
//! less room for the pieces after it. There is no backtracking, so a pattern such as
//! `*a*a*a*b` against a long run of `a` costs one pass per piece instead of exploding.

/// Tells whether `text` matches `pattern`. With `ignore_case`, ASCII letters compare without
/// case, as RAM compares action names.
pub fn matches(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        matches_units(
            pattern.as_bytes(),
            text.as_bytes(),
            |a: &u8, b: &u8| *a == b'?' || a == b || (ignore_case && a.eq_ignore_ascii_case(b)),
            &b'*',
        )
    } else {
        let pattern: Vec<char> = pattern.chars().collect();
        let text: Vec<char> = text.chars().collect();
        matches_units(
            &pattern,
            &text,
            |a: &char, b: &char| *a == '?' || a == b || (ignore_case && a.eq_ignore_ascii_case(b)),
            &'*',
        )
    }
}

/// Tells whether a pattern contains a wildcard.
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

fn matches_units<T: PartialEq>(
    pattern: &[T],
    text: &[T],
    eq: impl Fn(&T, &T) -> bool,
    star: &T,
) -> bool {
    let pieces: Vec<&[T]> = pattern.split(|unit| unit == star).collect();
    if pieces.len() == 1 {
        return pattern.len() == text.len() && pattern.iter().zip(text).all(|(p, t)| eq(p, t));
    }
    let first = pieces[0];
    let last = pieces[pieces.len() - 1];
    if text.len() < first.len() + last.len() {
        return false;
    }
    let piece_matches = |piece: &[T], at: &[T]| piece.iter().zip(at).all(|(p, t)| eq(p, t));
    if !piece_matches(first, text) || !piece_matches(last, &text[text.len() - last.len()..]) {
        return false;
    }
    // The middle pieces must appear in order between the first and last pieces.
    let mut position = first.len();
    let end = text.len() - last.len();
    for piece in &pieces[1..pieces.len() - 1] {
        if piece.is_empty() {
            continue;
        }
        let mut found = None;
        let mut start = position;
        while start + piece.len() <= end {
            if piece_matches(piece, &text[start..]) {
                found = Some(start);
                break;
            }
            start += 1;
        }
        match found {
            Some(start) => position = start + piece.len(),
            None => return false,
        }
    }
    true
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
