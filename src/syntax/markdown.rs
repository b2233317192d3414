//! Code blocks of Markdown files, where documentation keeps example commands and requests.
//!
//! pulldown-cmark finds the blocks (fenced with backticks or tildes, or indented, also inside
//! lists and block quotes) as CommonMark defines them. A block's text is returned as byte
//! ranges of the file, so spans found in it are spans of the file. Inside a block quote or a
//! list, each line of a block is its own range, because the markers in front of the lines are
//! not part of the code.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// Returns the byte ranges of the text of every code block, in file order. Consecutive lines
/// of one block form one range when nothing sits between them.
pub fn code_block_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut in_block = false;
    let mut block_start = 0;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_block = true;
                block_start = ranges.len();
            }
            Event::End(TagEnd::CodeBlock) => in_block = false,
            Event::Text(code) if in_block => {
                // The text of a block line is the file's bytes unless an indentation was
                // removed, as when tabs are expanded in an indented block. Such text has no
                // exact span, so it is skipped.
                if text.get(range.clone()) != Some(code.as_ref()) {
                    continue;
                }
                let in_this_block = ranges.len() > block_start;
                match ranges.last_mut() {
                    Some(last) if in_this_block && last.end == range.start => {
                        last.end = range.end;
                    }
                    _ => ranges.push(range),
                }
            }
            _ => {}
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_blocks_are_one_range() {
        let text = "# Title\n\n```bash\naliyun ens ExportImage \\\n  --ImageId m-1\n```\n\nText `inline`.\n\n~~~\nAction=X&A=1\n~~~\n";
        let ranges = code_block_ranges(text);
        assert_eq!(ranges.len(), 2);
        assert_eq!(
            &text[ranges[0].clone()],
            "aliyun ens ExportImage \\\n  --ImageId m-1\n"
        );
        assert_eq!(&text[ranges[1].clone()], "Action=X&A=1\n");
    }

    #[test]
    fn quoted_blocks_keep_exact_lines() {
        let text = "> ```sh\n> aliyun ens ExportImage --ImageId m-1\n> echo ok\n> ```\n";
        let ranges = code_block_ranges(text);
        assert!(!ranges.is_empty());
        for range in &ranges {
            assert!(
                !text[range.clone()].contains('>'),
                "{:?}",
                &text[range.clone()]
            );
        }
        assert!(text[ranges[0].clone()].starts_with("aliyun ens ExportImage"));
    }

    #[test]
    fn prose_has_no_blocks() {
        assert!(
            code_block_ranges("Run aliyun ens ExportImage --ImageId m-1 in a shell.\n").is_empty()
        );
    }
}
