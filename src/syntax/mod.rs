//! Span-preserving parsers for the formats policies and requests are stored in.

pub mod cli_line;
pub mod json;
pub mod markdown;
pub mod query;
pub mod tree;

pub use tree::{Member, Node, Value};
