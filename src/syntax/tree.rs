//! The syntax tree that every input format is parsed into.
//!
//! JSON files, query strings and command lines (and, later, HCL and YAML) all produce the
//! same small tree of objects, arrays and scalars, each node carrying the byte span of its
//! text in the original file. Checks work on this tree only, so a rule written once applies
//! to every format that can hold a policy or a request.

use std::borrow::Cow;

use crate::source::Span;

/// A value with the span of its text in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    pub span: Span,
    pub value: Value<'a>,
}

/// A key and its value inside an object; keys keep their own span and duplicates are kept in
/// source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Member<'a> {
    pub key: Cow<'a, str>,
    pub key_span: Span,
    pub value: Node<'a>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// A number as written, so that no precision is lost and no digit count can overflow.
    Number(Cow<'a, str>),
    String(Cow<'a, str>),
    Array(Children<'a, Node<'a>>),
    Object(Children<'a, Member<'a>>),
    /// A value that is only known when a template is rendered, such as a whole-value
    /// `${...}` interpolation; `reason` names what makes it unknown.
    Unknown {
        reason: Cow<'a, str>,
    },
}

/// The items of an array or the members of an object: a slice in the arena of the JSON
/// parser, which costs nothing to drop, or a vector owned by a tree built another way.
/// Unlike `Cow`, it keeps the tree covariant in its lifetime.
#[derive(Debug)]
pub enum Children<'a, T> {
    Borrowed(&'a [T]),
    Owned(Vec<T>),
}

impl<T> std::ops::Deref for Children<'_, T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Children::Borrowed(slice) => slice,
            Children::Owned(vector) => vector,
        }
    }
}

impl<T: Clone> Children<'_, T> {
    /// Returns the children as a vector that can be changed, copying borrowed ones first.
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        if let Children::Borrowed(slice) = self {
            *self = Children::Owned(slice.to_vec());
        }
        match self {
            Children::Owned(vector) => vector,
            Children::Borrowed(_) => unreachable!("borrowed children were just copied"),
        }
    }

    /// Returns the children as an owned vector, copying borrowed ones.
    pub fn into_owned(self) -> Vec<T> {
        match self {
            Children::Borrowed(slice) => slice.to_vec(),
            Children::Owned(vector) => vector,
        }
    }
}

impl<T: Clone> Clone for Children<'_, T> {
    fn clone(&self) -> Self {
        match self {
            Children::Borrowed(slice) => Children::Borrowed(slice),
            Children::Owned(vector) => Children::Owned(vector.clone()),
        }
    }
}

impl<T: PartialEq> PartialEq for Children<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<'c, T> IntoIterator for &'c Children<'_, T> {
    type Item = &'c T;
    type IntoIter = std::slice::Iter<'c, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> FromIterator<T> for Children<'_, T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Children::Owned(items.into_iter().collect())
    }
}

impl<T> From<Vec<T>> for Children<'_, T> {
    fn from(vector: Vec<T>) -> Self {
        Children::Owned(vector)
    }
}

impl<'a> Node<'a> {
    pub fn new(span: Span, value: Value<'a>) -> Node<'a> {
        Node { span, value }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.value, Value::Unknown { .. })
    }

    /// Returns the last member named `key`, which is the one JSON readers that keep the last
    /// duplicate (JavaScript's `JSON.parse`, Go, Jackson by default) would use.
    pub fn get(&self, key: &str) -> Option<&Member<'a>> {
        self.as_object()?
            .iter()
            .rev()
            .find(|member| member.key == key)
    }

    /// Names the kind of value with an article, for messages such as "found a number".
    pub fn kind_name(&self) -> &'static str {
        self.value.kind_name()
    }

    /// Visits this node and every node below it, depth first, in source order.
    pub fn walk<'n>(&'n self, visit: &mut impl FnMut(&'n Node<'a>)) {
        visit(self);
        match &self.value {
            Value::Array(items) => items.iter().for_each(|item| item.walk(visit)),
            Value::Object(members) => members.iter().for_each(|m| m.value.walk(visit)),
            _ => {}
        }
    }
}

impl Value<'_> {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Unknown { .. } => "a template expression",
        }
    }
}

/// Converts a node into a `serde_json::Value`, for validators that need one. Unknown values
/// become `null`, and of duplicate keys the last one wins.
pub fn to_json(node: &Node<'_>) -> serde_json::Value {
    match &node.value {
        Value::Null | Value::Unknown { .. } => serde_json::Value::Null,
        Value::Bool(flag) => serde_json::Value::Bool(*flag),
        Value::Number(text) => text
            .parse::<serde_json::Number>()
            .map(serde_json::Value::Number)
            .unwrap_or_else(|_| serde_json::Value::String(text.to_string())),
        Value::String(text) => serde_json::Value::String(text.to_string()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Object(members) => serde_json::Value::Object(
            members
                .iter()
                .map(|member| (member.key.to_string(), to_json(&member.value)))
                .collect(),
        ),
    }
}
