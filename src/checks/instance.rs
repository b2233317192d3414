//! The JSON instance that an operation's schema validates, built from a request's
//! parameters, with the origin of every value in it, so that each validation error is
//! reported at the bytes it is about.
//!
//! Structured parameters (type `array` or `object`) reach an RPC API in the encoding that
//! the metadata's `style` names. Alibaba Cloud's OpenAPI util library encodes them like this
//! (`ArrayToStringWithSpecifiedStyle`, `Query` and `flatRepeatedList` in
//! github.com/aliyun/darabonba-openapi-util, `golang/service/service.go`):
//!
//! - `repeatList` and `flat`: one parameter per item, numbered from 1, and one per property
//!   of an object: `Tag.1.Key=env&Tag.1.Value=prod`, `ResourceId.1=i-1&ResourceId.2=i-2`.
//! - `json`: the whole value as JSON text: `InstanceIds=["i-1","i-2"]`.
//! - `simple`: the items joined with commas: `EventTypes=a,b`.
//!
//! The `aliyun` CLI takes the numbered names as options (`--Tag.1.Key env`, see
//! `findParameterInner` in github.com/aliyun/aliyun-cli, `meta/api.go`) and passes other
//! values through as text. A JSON parameter map, as SDK request models serialise, may also
//! hold the structured value itself. Every form is accepted here.

use std::collections::HashMap;

use serde_json::{Map, Value as Json};

use crate::catalog::requests::CheckedOperation;
use crate::source::Span;
use crate::syntax::tree::to_json;
use crate::syntax::{Member, Node, Value};

use super::pointer_push;

/// The origin of a value of the instance: the request parameter and the text it was read from.
#[derive(Clone, Debug)]
pub struct Origin<'m, 'a> {
    /// The index of the request parameter it belongs to, in the caller's list.
    pub parameter: usize,
    pub node: &'m Node<'a>,
    /// The span of the value's name: the member's key, or the item itself in an array.
    pub key_span: Span,
    /// The value's name in RPC form, such as `Tag.1.Key`.
    pub name: String,
    /// True when the node is text that encodes a whole structure (`json` or `simple`
    /// style), so that errors about its parts are reported on the text.
    pub opaque: bool,
}

/// A parameter map converted for validation.
pub struct Instance<'m, 'a> {
    pub value: Json,
    /// Origins by JSON pointer into `value` (`/Tag/0/Key`).
    origins: HashMap<String, Origin<'m, 'a>>,
    /// True when origins are recorded. Only a failed validation reads them.
    recording: bool,
}

/// One request parameter to put into the instance.
pub struct Entry<'m, 'a> {
    /// The parameter's index in the caller's list, copied into its origins.
    pub index: usize,
    pub member: &'m Member<'a>,
    /// The instance key: the operation's parameter name, or the name as written when the
    /// operation does not define it.
    pub name: &'m str,
    /// The rest of a numbered name (`1.Key` of `Tag.1.Key`); empty for a whole value.
    pub suffix: &'m str,
}

impl<'m, 'a> Instance<'m, 'a> {
    /// Builds the instance from the request's parameters, converting text into the types
    /// the operation's schema expects. Origins are recorded when `recording` is true.
    pub fn build(
        operation: &CheckedOperation,
        entries: &[Entry<'m, 'a>],
        recording: bool,
    ) -> Instance<'m, 'a> {
        let mut instance = Instance {
            value: Json::Object(Map::new()),
            origins: HashMap::new(),
            recording,
        };
        for entry in entries {
            if entry.suffix.is_empty() {
                instance.insert_whole(operation, entry);
            } else {
                instance.insert_numbered(operation, entry);
            }
        }
        instance
    }

    /// Records the origin of the value at `pointer`, replacing an earlier one.
    fn record(&mut self, pointer: String, origin: Origin<'m, 'a>) {
        if self.recording {
            self.origins.insert(pointer, origin);
        }
    }

    /// Returns the RPC name of a part of a value, such as `Tag.1`, or nothing when origins
    /// are not recorded.
    fn part_name(&self, parent: &str, part: &dyn std::fmt::Display) -> String {
        if self.recording {
            format!("{parent}.{part}")
        } else {
            String::new()
        }
    }

    /// Returns the origin of the value at `pointer`, and the rest of the pointer below that
    /// origin: empty for the value's own origin, and the part's pointer (`/1`) when the
    /// origin is opaque text that encodes the value.
    pub fn origin<'p>(&self, pointer: &'p str) -> Option<(&Origin<'m, 'a>, &'p str)> {
        if let Some(origin) = self.origins.get(pointer) {
            return Some((origin, ""));
        }
        let mut prefix = pointer;
        while let Some(cut) = prefix.rfind('/') {
            prefix = &prefix[..cut];
            if let Some(origin) = self.origins.get(prefix) {
                return origin.opaque.then_some((origin, &pointer[cut..]));
            }
        }
        None
    }

    fn insert_whole(&mut self, operation: &CheckedOperation, entry: &Entry<'m, 'a>) {
        let pointer = pointer_push("", entry.name);
        let origin = Origin {
            parameter: entry.index,
            node: &entry.member.value,
            key_span: entry.member.key_span,
            name: if self.recording {
                entry.name.to_string()
            } else {
                String::new()
            },
            opaque: false,
        };
        let value = self.convert(operation, &pointer, origin);
        if let Json::Object(members) = &mut self.value {
            members.insert(entry.name.to_string(), value);
        }
    }

    /// Converts a node for the schema at `pointer`, recording the origins of the node and of
    /// every value inside it.
    fn convert(
        &mut self,
        operation: &CheckedOperation,
        pointer: &str,
        origin: Origin<'m, 'a>,
    ) -> Json {
        let schema = operation.schema_at(pointer);
        let kind = schema.and_then(|s| s["type"].as_str()).unwrap_or("");
        let node = origin.node;
        let value = match (&node.value, kind) {
            (Value::String(text), "array" | "object") => {
                let style = style_of(operation, pointer);
                match decode_text(text, kind, style.as_deref()) {
                    Some(decoded) => {
                        let mut origin = origin.clone();
                        origin.opaque = true;
                        self.record(pointer.to_string(), origin);
                        return decoded;
                    }
                    None => Json::String(text.to_string()),
                }
            }
            (Value::String(text), scalar) => typed_text(text, scalar),
            (Value::Array(items), _) => {
                let mut converted = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    let item_origin = Origin {
                        parameter: origin.parameter,
                        node: item,
                        key_span: item.span,
                        name: self.part_name(&origin.name, &(index + 1)),
                        opaque: false,
                    };
                    converted.push(self.convert(
                        operation,
                        &format!("{pointer}/{index}"),
                        item_origin,
                    ));
                }
                Json::Array(converted)
            }
            (Value::Object(members), _) => {
                let mut converted = Map::new();
                for member in members.iter() {
                    let member_origin = Origin {
                        parameter: origin.parameter,
                        node: &member.value,
                        key_span: member.key_span,
                        name: self.part_name(&origin.name, &member.key),
                        opaque: false,
                    };
                    let member_pointer = pointer_push(pointer, &member.key);
                    let value = self.convert(operation, &member_pointer, member_origin);
                    converted.insert(member.key.to_string(), value);
                }
                Json::Object(converted)
            }
            _ => to_json(node),
        };
        self.record(pointer.to_string(), origin);
        value
    }

    /// Puts a numbered parameter (`Tag.1.Key`) at its place in the structure, filling the
    /// items it skips with `null`.
    fn insert_numbered(&mut self, operation: &CheckedOperation, entry: &Entry<'m, 'a>) {
        let mut pointer = pointer_push("", entry.name);
        let mut name = entry.name.to_string();
        let Json::Object(root) = &mut self.value else {
            return;
        };
        let mut slot: &mut Json = root.entry(entry.name.to_string()).or_insert(Json::Null);
        if self.recording && !self.origins.contains_key(&pointer) {
            let group = Origin {
                parameter: entry.index,
                node: &entry.member.value,
                key_span: entry.member.key_span,
                name: entry.name.to_string(),
                opaque: false,
            };
            self.origins.insert(pointer.clone(), group);
        }

        for token in entry.suffix.split('.') {
            let kind = operation
                .schema_at(&pointer)
                .and_then(|s| s["type"].as_str())
                .unwrap_or("");
            match (kind, token.parse::<usize>()) {
                ("array", Ok(number)) if number >= 1 => {
                    if !slot.is_array() {
                        *slot = Json::Array(Vec::new());
                    }
                    let items = slot.as_array_mut().expect("an array");
                    if items.len() < number {
                        items.resize(number, Json::Null);
                    }
                    pointer = format!("{pointer}/{}", number - 1);
                    slot = &mut items[number - 1];
                }
                _ => {
                    // A property, or a token that fits no structure; as a property it is
                    // reported unknown by the schema (`additionalProperties`).
                    if !slot.is_object() {
                        *slot = Json::Object(Map::new());
                    }
                    let members = slot.as_object_mut().expect("an object");
                    pointer = pointer_push(&pointer, token);
                    slot = members.entry(token.to_string()).or_insert(Json::Null);
                }
            }
            name.push('.');
            name.push_str(token);
            if self.recording && !self.origins.contains_key(&pointer) {
                let group = Origin {
                    parameter: entry.index,
                    node: &entry.member.value,
                    key_span: entry.member.key_span,
                    name: name.clone(),
                    opaque: false,
                };
                self.origins.insert(pointer.clone(), group);
            }
        }

        let origin = Origin {
            parameter: entry.index,
            node: &entry.member.value,
            key_span: entry.member.key_span,
            name,
            opaque: false,
        };
        let kind = operation
            .schema_at(&pointer)
            .and_then(|s| s["type"].as_str())
            .unwrap_or("");
        *slot = match &entry.member.value.value {
            Value::String(text) => typed_text(text, kind),
            _ => to_json(&entry.member.value),
        };
        // The member's own origin replaces a group origin recorded by an earlier entry.
        self.record(pointer, origin);
    }
}

/// Returns the `style` of the parameter that contains the value at `pointer`.
fn style_of(operation: &CheckedOperation, pointer: &str) -> Option<String> {
    let name = pointer.split('/').nth(1)?;
    operation.spec.parameter(name)?.style.clone()
}

/// Decodes text that encodes a structure in the parameter's style: JSON text for `json`
/// (and for a parameter without a style), items joined with commas for `simple`. Returns
/// `None` when the text does not decode to a value of the expected kind.
fn decode_text(text: &str, kind: &str, style: Option<&str>) -> Option<Json> {
    match style {
        Some("simple") if kind == "array" => Some(Json::Array(
            text.split(',')
                .map(|item| Json::String(item.to_string()))
                .collect(),
        )),
        Some("json") | None => {
            let decoded: Json = serde_json::from_str(text).ok()?;
            let fits = match kind {
                "array" => decoded.is_array(),
                _ => decoded.is_object(),
            };
            fits.then_some(decoded)
        }
        _ => None,
    }
}

/// Converts text into a scalar of the schema's type. RPC transmits every value as text, so
/// `"10"` is an integer when the parameter takes one. Text that does not parse stays text
/// and fails the type check.
fn typed_text(text: &str, kind: &str) -> Json {
    match kind {
        "integer" | "number" => text
            .parse::<serde_json::Number>()
            .map(Json::Number)
            .unwrap_or_else(|_| Json::String(text.to_string())),
        "boolean" => match text {
            "true" => Json::Bool(true),
            "false" => Json::Bool(false),
            _ => Json::String(text.to_string()),
        },
        _ => Json::String(text.to_string()),
    }
}
