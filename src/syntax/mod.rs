//! Span-preserving parsers for the formats policies and requests are stored in.

pub mod json;
pub mod tree;

pub use tree::{Member, Node, Value};
