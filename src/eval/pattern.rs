//! Wildcard patterns as RAM policies write them in `Action`, `Resource` and `StringLike`.
//!
//! `*` matches any run of characters, including an empty run and one that contains `/` or
//! `:`. `?` matches exactly one character, counted in Unicode scalar values. There is no
//! escape, so a literal `*` or `?` in a value is matched only by a wildcard.
//!
//! The matcher is greedy and keeps one backtrack point, the last `*` it passed. On a mismatch
//! it lets that star absorb one more character and retries the text after it. Earlier stars
//! never need another try, because the last star can absorb whatever they would have. For a
//! value of `n` characters and a pattern of `m` whose longest run between two stars is `k`,
//! it makes at most about `n * (k + 1) + m` steps, so no pattern can make it exponential.

/// Whether letters must match in case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// `A` and `a` differ, as in resources and `StringLike`.
    Sensitive,
    /// ASCII letters match in either case, as in action names.
    IgnoreAscii,
}

/// Tells whether `value` matches `pattern`.
pub fn matches(pattern: &str, value: &str, case: Case) -> bool {
    match_counting_steps(pattern, value, case).0
}

/// Matches like [`matches`] and also returns the number of steps taken, so tests can check
/// the bound stated in the module documentation.
pub fn match_counting_steps(pattern: &str, value: &str, case: Case) -> (bool, usize) {
    if pattern.is_ascii() && value.is_ascii() {
        let equal = match case {
            Case::Sensitive => |a: u8, b: u8| a == b,
            Case::IgnoreAscii => |a: u8, b: u8| a.eq_ignore_ascii_case(&b),
        };
        return wildcard(pattern.as_bytes(), value.as_bytes(), b'*', b'?', equal);
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let value: Vec<char> = value.chars().collect();
    let equal = match case {
        Case::Sensitive => |a: char, b: char| a == b,
        Case::IgnoreAscii => |a: char, b: char| a.eq_ignore_ascii_case(&b),
    };
    wildcard(&pattern, &value, '*', '?', equal)
}

/// Tells whether a pattern has no wildcard, so it matches one value only.
pub fn is_literal(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    #[cfg(target_arch = "x86_64")]
    if bytes.len() >= 16 {
        return !has_wildcard_sse2(bytes);
    }
    !has_wildcard_by_words(bytes)
}

/// Tells whether `bytes` (at least 16) contain a wildcard, testing sixteen bytes per compare.
/// The last block overlaps the one before it, so no byte needs a test of its own.
#[cfg(target_arch = "x86_64")]
fn has_wildcard_sse2(bytes: &[u8]) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let block_has_wildcard = |block: &[u8; 16]| {
        // SAFETY: SSE2 is in the x86_64 baseline, and the unaligned load reads exactly the
        // 16 bytes of `block`.
        unsafe {
            let loaded = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let stars = _mm_cmpeq_epi8(loaded, _mm_set1_epi8(b'*' as i8));
            let marks = _mm_cmpeq_epi8(loaded, _mm_set1_epi8(b'?' as i8));
            _mm_movemask_epi8(_mm_or_si128(stars, marks)) != 0
        }
    };
    let (blocks, _) = bytes.as_chunks::<16>();
    let last = bytes.last_chunk::<16>();
    blocks.iter().any(block_has_wildcard) || last.is_some_and(block_has_wildcard)
}

/// Tells whether `bytes` contain a wildcard, eight bytes at a time.
fn has_wildcard_by_words(bytes: &[u8]) -> bool {
    // Both wildcards are ASCII. XOR with a word of one wildcard leaves a zero byte where it
    // occurs, and the borrow test below finds zero bytes.
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const STARS: u64 = u64::from_ne_bytes([b'*'; 8]);
    const MARKS: u64 = u64::from_ne_bytes([b'?'; 8]);
    let has_zero_byte = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS != 0;
    let (words, rest) = bytes.as_chunks::<8>();
    for word in words {
        let word = u64::from_ne_bytes(*word);
        if has_zero_byte(word ^ STARS) || has_zero_byte(word ^ MARKS) {
            return true;
        }
    }
    rest.iter().copied().any(is_wildcard)
}

fn is_wildcard(byte: u8) -> bool {
    byte == b'*' || byte == b'?'
}

/// Returns the part of a pattern before its first wildcard, which every match starts with
/// (ignoring case where the pattern is compared without case).
pub fn literal_prefix(pattern: &str) -> &str {
    let end = pattern
        .bytes()
        .position(is_wildcard)
        .unwrap_or(pattern.len());
    &pattern[..end]
}

/// Tells whether a pattern matches every value: it is one or more `*` and nothing else.
pub fn matches_everything(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.bytes().all(|b| b == b'*')
}

fn wildcard<T: Copy + PartialEq>(
    pattern: &[T],
    text: &[T],
    star: T,
    any: T,
    equal: impl Fn(T, T) -> bool,
) -> (bool, usize) {
    let mut steps = 0;
    let (mut p, mut t) = (0, 0);
    // The pattern position after the last star passed, and the text position that star's
    // run ends at.
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        steps += 1;
        if p < pattern.len() && pattern[p] == star {
            p += 1;
            backtrack = Some((p, t));
        } else if p < pattern.len() && (pattern[p] == any || equal(pattern[p], text[t])) {
            p += 1;
            t += 1;
        } else if let Some((after_star, run_end)) = backtrack {
            p = after_star;
            t = run_end + 1;
            backtrack = Some((after_star, run_end + 1));
        } else {
            return (false, steps);
        }
    }
    while p < pattern.len() && pattern[p] == star {
        steps += 1;
        p += 1;
    }
    (p == pattern.len(), steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        let cases = [
            ("*", "", true),
            ("*", "acs:oss:*:*:a/b", true),
            ("ecs:Describe*", "ecs:DescribeInstances", true),
            ("ecs:Describe*", "ecs:Describ", false),
            ("ecs:*Instance?", "ecs:DescribeInstances", true),
            ("ecs:*Instance?", "ecs:DescribeInstance", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("?", "中", true),
            ("??", "中", false),
            ("a?c", "a/c", true),
            ("", "", true),
            ("", "a", false),
            ("a", "", false),
            ("***", "x", true),
        ];
        for (pattern, value, expected) in cases {
            assert_eq!(
                matches(pattern, value, Case::Sensitive),
                expected,
                "{pattern:?} against {value:?}"
            );
        }
    }

    #[test]
    fn case_is_ignored_only_when_asked() {
        assert!(matches("ENS:export*", "ens:ExportImage", Case::IgnoreAscii));
        assert!(!matches("ENS:export*", "ens:ExportImage", Case::Sensitive));
        assert!(matches("bucket/中*", "bucket/中文", Case::IgnoreAscii));
    }

    #[test]
    fn many_stars_stay_linear() {
        let n = 20_000;
        let pattern = format!("{}b", "*a".repeat(50));
        let text = "a".repeat(n);
        let (matched, steps) = match_counting_steps(&pattern, &text, Case::Sensitive);
        assert!(!matched);
        assert!(
            steps <= 2 * (n + pattern.len()),
            "{steps} steps for {n} characters"
        );
    }

    #[test]
    fn literal_run_bounds_steps() {
        let n = 5_000;
        let run = format!("{}b", "a".repeat(30));
        let pattern = format!("*{run}");
        let text = "a".repeat(n);
        let (matched, steps) = match_counting_steps(&pattern, &text, Case::Sensitive);
        assert!(!matched);
        assert!(
            steps <= n * (run.len() + 1) + pattern.len(),
            "{steps} steps"
        );
    }

    #[test]
    fn literal_and_everything_patterns() {
        assert!(is_literal("ens:ExportImage"));
        assert!(!is_literal("ens:Export?mage"));
        assert!(matches_everything("*"));
        assert!(matches_everything("**"));
        assert!(!matches_everything("*:*"));
        assert!(!matches_everything(""));
    }

    #[test]
    fn literal_check_finds_every_wildcard_position() {
        // Neighbours of both wildcards, and characters whose UTF-8 bytes differ from them in
        // the high bit only, must not be taken for wildcards in any position of a word.
        let fillers = [
            "a", ")", "+", ">", "@", "\u{7f}", "\u{aa}", "\u{bf}", "\u{3f2a}",
        ];
        for filler in fillers {
            for length in 0..40 {
                let text = filler.repeat(length);
                assert!(is_literal(&text), "{text:?}");
                assert!(!has_wildcard_by_words(text.as_bytes()), "{text:?}");
                for at in 0..=length {
                    for wildcard in ["*", "?"] {
                        let mut text = filler.repeat(length);
                        text.insert_str(at * filler.len(), wildcard);
                        assert!(!is_literal(&text), "{text:?}");
                        assert!(has_wildcard_by_words(text.as_bytes()), "{text:?}");
                    }
                }
            }
        }
    }
}
