//! Finding ```` ```tcpdialog ```` blocks in a markdown text, with the same parser and options as the site, so
//! a block is found in a book chapter or a Hugo post exactly where the site would find it.

use crate::site::config::line_of;
use crate::site::markdown::{is_tcpdialog_fence, markdown_options};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::ops::Range;

/// One fenced block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The text between the fences, as the parser gives it (every line ends with a newline).
    pub inner: String,
    /// Bytes of the whole block in the text, fences included.
    pub range: Range<usize>,
    /// 1-based line of the opening fence.
    pub fence_line: usize,
    /// What stands before the fence on its line when it is only spaces (a block inside a list item).
    pub indent: String,
}

impl Block {
    /// The 1-based line of the block's first line of TOML (where its line 0 is).
    pub fn first_line(&self) -> usize {
        self.fence_line + 1
    }
}

/// Every tcpdialog block of `text`, in order.
pub fn find(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if is_tcpdialog_fence(&lang) => {
                let line_start = text.get(..range.start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
                let before = text.get(line_start..range.start).unwrap_or_default();
                let indent = if before.chars().all(|c| c == ' ') { before.to_string() } else { String::new() };
                open = Some(Block { inner: String::new(), range, fence_line: line_of(text, line_start), indent });
            }
            Event::Text(part) => {
                if let Some(block) = open.as_mut() {
                    block.inner.push_str(&part);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(open.take()),
            _ => {}
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_with_their_lines_and_text() {
        let text = "# T\n\n```tcpdialog\ncapture = \"a.pcap\"\n```\n\n```toml\nx = 1\n```\n\n- item\n\n  ```tcpdialog title\n  capture = \"b.pcap\"\n  ```\n";
        let blocks = find(text);
        assert_eq!(blocks.len(), 2, "{blocks:?}");
        assert_eq!(blocks[0].inner, "capture = \"a.pcap\"\n");
        assert_eq!((blocks[0].fence_line, blocks[0].first_line()), (3, 4));
        assert_eq!(&text[blocks[0].range.clone()], "```tcpdialog\ncapture = \"a.pcap\"\n```");
        assert_eq!(blocks[0].indent, "");
        assert_eq!(blocks[1].inner, "capture = \"b.pcap\"\n");
        assert_eq!((blocks[1].fence_line, blocks[1].indent.as_str()), (13, "  "));
    }

    #[test]
    fn code_that_only_mentions_tcpdialog_is_not_a_block() {
        assert!(find("```\ntcpdialog\n```\n\n`tcpdialog`\n\n~~~ rust\nfn tcpdialog() {}\n~~~\n").is_empty());
    }
}
