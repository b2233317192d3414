//! Span-preserving parsers for the formats policies and requests are stored in.

pub mod cli_line;
pub mod embedded;
pub mod json;
pub mod markdown;
pub mod query;
pub mod tree;
pub mod yaml;

pub use tree::{Children, Member, Node, Value};
