//! A schema node's keywords as the checker reads them. build.rs reads every node of
//! `data/openclaw-schemas.jsonl` into pointer-free constant tables (see [`super::spans`]), so
//! that no run parses a schema; a node's [`Compiled`] is made from its keywords the first time a
//! config reaches it, and the checker then reads fields instead of looking keyword names up,
//! and finds a present key's subschema by a hash lookup of the node's properties.

use super::schema::{Pattern, SchemaTable, Sub};
use super::spans::{List, Span};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// A keyword of a node, as build.rs writes it (one of the wrong JSON type is left out: it
/// counts as absent, as the checker has always read it). Not every keyword is in today's data
/// (no `exclusiveMaximum`, `multipleOf` or `patternProperties`), hence the `allow`.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
enum Kw {
    /// Runs of `SUBS`.
    AllOf(List),
    AnyOf(List),
    OneOf(List),
    Type(Lit),
    Const(Lit),
    /// A run of `LITS`.
    Enum(List),
    Maximum(f64),
    ExclusiveMaximum(f64),
    Minimum(f64),
    ExclusiveMinimum(f64),
    MultipleOf(f64),
    MaxLength(u64),
    MinLength(u64),
    MaxItems(u64),
    MinItems(u64),
    MaxProperties(u64),
    MinProperties(u64),
    Pattern(Span),
    Format(Span),
    /// `items` as a list: a run of `SUBS`.
    ItemsTuple(List),
    Items(Sub),
    AdditionalItems(Sub),
    AdditionalProperties(Sub),
    PropertyNames(Sub),
    Not(Sub),
    /// A run of `PROPS`, sorted by key.
    Properties(List),
    /// A run of `PATTERNS`.
    PatternProperties(List),
    /// A run of `REQUIRED`.
    Required(List),
}

/// A JSON value of a `type`, `const` or `enum`; a number keeps serde_json's kind, which decides
/// how it prints (`1`, `-1`, `1.5`). Today's data has no negative or fractional one.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
enum Lit {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Span),
    /// A run of `LITS`.
    Array(List),
}

impl Lit {
    fn value(self) -> Value {
        match self {
            Lit::Null => Value::Null,
            Lit::Bool(b) => Value::Bool(b),
            Lit::U64(n) => Value::from(n),
            Lit::I64(n) => Value::from(n),
            Lit::F64(n) => Value::from(n),
            Lit::Str(s) => Value::String(s.of(TEXT).to_string()),
            Lit::Array(items) => Value::Array(items.of(LITS).iter().map(|l| l.value()).collect()),
        }
    }
}

/// A release's schema as the table's header records it.
#[derive(Debug, Clone, Copy)]
pub enum Root {
    Schema(Sub),
    /// Why the release has none.
    Unavailable(Span),
}

// `TEXT`, `RELEASES`, `NODES`, `KWS`, `SUBS`, `LITS`, `PROPS`, `PATTERNS` and `REQUIRED`.
include!(concat!(env!("OUT_DIR"), "/schema_nodes.rs"));

/// How many nodes the table has.
pub fn node_count() -> usize {
    NODES.len()
}

/// Each recorded release (in the header's order, by version text) with its root node or why
/// it has none.
pub fn releases() -> impl Iterator<Item = (&'static str, Result<Sub, &'static str>)> {
    RELEASES.iter().map(|(version, root)| {
        let root = match root {
            Root::Schema(sub) => Ok(*sub),
            Root::Unavailable(why) => Err(why.of(TEXT)),
        };
        (version.of(TEXT), root)
    })
}

/// What the checker needs of one node. A keyword of the wrong JSON type counts as absent, as
/// the checker has always read it.
#[derive(Default)]
pub struct Compiled {
    /// Not an object (a node the table does not have): nothing to check.
    pub empty: bool,
    pub all_of: Vec<Sub>,
    /// `anyOf`, then `oneOf`, each when it is an array.
    pub unions: Vec<Vec<Sub>>,
    /// `type` as written (a name or a list of names), else `"object"` for a node with
    /// `properties` (see [`Compiled::of`]).
    pub types: Option<Value>,
    /// `types` is the `"object"` implied by `properties`, not written.
    implied_type: bool,
    /// `types` as a set of [`TypeSet`] bits, tested for every value checked; `None`: no type
    /// test (no `type`, or one that is neither a name nor a list).
    pub type_set: Option<u8>,
    pub constant: Option<Value>,
    pub options: Option<Vec<Value>>,
    pub maximum: Option<f64>,
    pub exclusive_maximum: Option<f64>,
    pub minimum: Option<f64>,
    pub exclusive_minimum: Option<f64>,
    pub multiple_of: Option<f64>,
    pub max_length: Option<u64>,
    pub min_length: Option<u64>,
    pub pattern: Option<SchemaPattern>,
    pub format: Option<String>,
    pub items: Items,
    pub max_items: Option<u64>,
    pub min_items: Option<u64>,
    /// `properties`, sorted by key, each with its subschema if it names one.
    properties: &'static [(Span, Option<Sub>)],
    /// Where each key of `properties` is in it: a config's every member is looked up, and a
    /// binary search over the table's text cost ~300 instructions a member (a slice and a
    /// `memcmp` per step), a tenth of validating a small config.
    places: crate::paths::FastMap<&'static str, u32>,
    /// `patternProperties` in the schema's order, each with its subschema if it names one.
    pub patterns: Vec<(SchemaPattern, Option<Sub>)>,
    pub additional: Option<Sub>,
    pub names: Option<Sub>,
    pub required: Vec<String>,
    pub max_properties: Option<u64>,
    pub min_properties: Option<u64>,
    pub not: Option<Sub>,
}

/// The JSON Schema type names as bits ([`Compiled::type_set`]); a name not listed here is
/// none of them (it accepts no value).
pub struct TypeSet;

impl TypeSet {
    pub const NULL: u8 = 1;
    pub const BOOLEAN: u8 = 1 << 1;
    pub const STRING: u8 = 1 << 2;
    pub const ARRAY: u8 = 1 << 3;
    pub const OBJECT: u8 = 1 << 4;
    pub const NUMBER: u8 = 1 << 5;
    pub const INTEGER: u8 = 1 << 6;

    fn name(t: &str) -> u8 {
        match t {
            "null" => TypeSet::NULL,
            "boolean" => TypeSet::BOOLEAN,
            "string" => TypeSet::STRING,
            "array" => TypeSet::ARRAY,
            "object" => TypeSet::OBJECT,
            "number" => TypeSet::NUMBER,
            "integer" => TypeSet::INTEGER,
            _ => 0,
        }
    }

    /// The bits of `type` (a name, or a list whose names count and other entries do not);
    /// `None` for any other value, which tests nothing.
    fn of(types: &Value) -> Option<u8> {
        match types {
            Value::String(t) => Some(TypeSet::name(t)),
            Value::Array(ts) => Some(
                ts.iter()
                    .filter_map(Value::as_str)
                    .map(TypeSet::name)
                    .fold(0, |a, b| a | b),
            ),
            _ => None,
        }
    }
}

/// A node's `pattern` (or a `patternProperties` key): its text, for messages, and its matcher,
/// found in the table's the first time a string is tested against it, so that testing a string
/// takes neither the table's lock nor a hash of the pattern's text.
pub struct SchemaPattern {
    pub text: &'static str,
    matcher: OnceLock<Arc<Pattern>>,
}

impl SchemaPattern {
    fn new(text: &'static str) -> SchemaPattern {
        SchemaPattern {
            text,
            matcher: OnceLock::new(),
        }
    }

    /// Whether `s` matches, as [`SchemaTable::matches`] answers.
    pub fn is_match(&self, table: &SchemaTable, s: &str) -> bool {
        self.matcher
            .get_or_init(|| table.pattern(self.text))
            .is_match(s)
    }
}

/// How an array's items are checked.
#[derive(Default)]
pub enum Items {
    #[default]
    Unchecked,
    /// `items` as a list: item `i` by the `i`th subschema, the rest by `additionalItems`.
    Tuple(Vec<Sub>, Option<Sub>),
    /// Every item by one subschema.
    Each(Sub),
}

impl Compiled {
    /// What the checker reads of node `n` (which the table has).
    pub fn of(n: usize) -> Compiled {
        let mut c = Compiled::default();
        let (mut any_of, mut one_of) = (None, None);
        let (mut tuple, mut each, mut additional_items) = (None, None, None);
        let mut has_properties = false;
        for kw in NODES[n].of(KWS) {
            match *kw {
                Kw::AllOf(l) => c.all_of = l.of(SUBS).to_vec(),
                Kw::AnyOf(l) => any_of = Some(l.of(SUBS).to_vec()),
                Kw::OneOf(l) => one_of = Some(l.of(SUBS).to_vec()),
                Kw::Type(l) => c.types = Some(l.value()),
                Kw::Const(l) => c.constant = Some(l.value()),
                Kw::Enum(l) => c.options = Some(l.of(LITS).iter().map(|o| o.value()).collect()),
                Kw::Maximum(x) => c.maximum = Some(x),
                Kw::ExclusiveMaximum(x) => c.exclusive_maximum = Some(x),
                Kw::Minimum(x) => c.minimum = Some(x),
                Kw::ExclusiveMinimum(x) => c.exclusive_minimum = Some(x),
                Kw::MultipleOf(x) => c.multiple_of = Some(x),
                Kw::MaxLength(x) => c.max_length = Some(x),
                Kw::MinLength(x) => c.min_length = Some(x),
                Kw::MaxItems(x) => c.max_items = Some(x),
                Kw::MinItems(x) => c.min_items = Some(x),
                Kw::MaxProperties(x) => c.max_properties = Some(x),
                Kw::MinProperties(x) => c.min_properties = Some(x),
                Kw::Pattern(p) => c.pattern = Some(SchemaPattern::new(p.of(TEXT))),
                Kw::Format(f) => c.format = Some(f.of(TEXT).to_string()),
                Kw::ItemsTuple(l) => tuple = Some(l.of(SUBS).to_vec()),
                Kw::Items(sub) => each = Some(sub),
                Kw::AdditionalItems(sub) => additional_items = Some(sub),
                Kw::AdditionalProperties(sub) => c.additional = Some(sub),
                Kw::PropertyNames(sub) => c.names = Some(sub),
                Kw::Not(sub) => c.not = Some(sub),
                Kw::Properties(l) => {
                    c.properties = l.of(PROPS);
                    c.places = (c.properties.iter().enumerate())
                        .map(|(at, (k, _))| (k.of(TEXT), at as u32))
                        .collect();
                    has_properties = true;
                }
                Kw::PatternProperties(l) => {
                    c.patterns = l
                        .of(PATTERNS)
                        .iter()
                        .map(|(p, sub)| (SchemaPattern::new(p.of(TEXT)), *sub))
                        .collect();
                }
                Kw::Required(l) => {
                    c.required = l
                        .of(REQUIRED)
                        .iter()
                        .map(|k| k.of(TEXT).to_string())
                        .collect();
                }
            }
        }
        // OpenClaw's schemas are zod's, where a node with `properties` is a `z.object`, which
        // refuses anything but an object; where OpenClaw writes such a node's JSON schema
        // itself it may leave `type` out (2026.3.31's and 2026.4.29's `channels`: "Invalid
        // input: expected object, received boolean" for `channels: true`).
        if c.types.is_none() && has_properties {
            c.types = Some(Value::String("object".to_string()));
            c.implied_type = true;
        }
        c.type_set = c.types.as_ref().and_then(TypeSet::of);
        c.unions = any_of.into_iter().chain(one_of).collect();
        c.items = match (tuple, each) {
            (Some(tuple), _) => Items::Tuple(tuple, additional_items),
            (None, Some(sub)) => Items::Each(sub),
            (None, None) => Items::Unchecked,
        };
        c
    }

    /// `type` as the node writes it (for messages that describe the schema).
    pub fn written_types(&self) -> Option<&Value> {
        self.types.as_ref().filter(|_| !self.implied_type)
    }

    /// Whether a string is checked by this node's string keywords alone (length, pattern,
    /// format: [`Compiled::max_length`] ...): its type admits strings, and it has no keyword that
    /// looks at any value (no `allOf`, union, `const`, `enum` or `not`). Record keys are checked
    /// this way, and most key schemas are such a node.
    pub fn checks_strings_only(&self) -> bool {
        !self.empty
            && self.all_of.is_empty()
            && self.unions.is_empty()
            && self.constant.is_none()
            && self.options.is_none()
            && self.not.is_none()
            && self.type_set.is_none_or(|set| set & TypeSet::STRING != 0)
    }

    /// A node the table does not have: nothing to check.
    pub fn empty() -> Compiled {
        Compiled {
            empty: true,
            ..Compiled::default()
        }
    }

    /// Where property `key` is in the node's sorted `properties`.
    fn find(&self, key: &str) -> Option<usize> {
        self.places.get(key).map(|at| *at as usize)
    }

    /// Whether the node's `properties` name `key` (whatever its value).
    pub fn has_property(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// The names of `properties` in the schema's order (serde_json's, by key).
    pub fn property_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.properties.iter().map(|(k, _)| k.of(TEXT))
    }

    /// The names of `properties` in the schema's order, but `$schema` (an unknown key's issue
    /// lists them).
    pub fn known_keys(&self) -> Vec<String> {
        self.property_names()
            .filter(|k| *k != "$schema")
            .map(str::to_string)
            .collect()
    }

    /// The subschema of property `key`, if the node names one.
    pub fn property(&self, key: &str) -> Option<Sub> {
        self.properties[self.find(key)?].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node's keywords as the checker read them from the parsed JSON line before build.rs
    /// compiled them, printed (the reference for [`the_tables_are_the_data_file`]).
    fn from_json(node: &Value) -> String {
        let obj = node.as_object().expect("every node is an object");
        let subs = |v: Option<&Value>| -> Option<Vec<Sub>> {
            v.and_then(Value::as_array)
                .map(|list| list.iter().filter_map(Sub::from_value).collect())
        };
        let f64_at = |k: &str| obj.get(k).and_then(Value::as_f64);
        let u64_at = |k: &str| obj.get(k).and_then(Value::as_u64);
        let str_at = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        let sub_at = |k: &str| obj.get(k).and_then(Sub::from_value);
        let props = obj.get("properties").and_then(Value::as_object);
        let items = match obj.get("items") {
            Some(Value::Array(tuple)) => format!(
                "Tuple({:?}, {:?})",
                tuple.iter().filter_map(Sub::from_value).collect::<Vec<_>>(),
                sub_at("additionalItems")
            ),
            Some(v) => Sub::from_value(v).map_or("Unchecked".into(), |s| format!("Each({s:?})")),
            None => "Unchecked".into(),
        };
        format!(
            "{:?} {:?}",
            (
                subs(obj.get("allOf")).unwrap_or_default(),
                ["anyOf", "oneOf"]
                    .into_iter()
                    .filter_map(|k| subs(obj.get(k)))
                    .collect::<Vec<_>>(),
                obj.get("type")
                    .cloned()
                    .or_else(|| { props.is_some().then(|| Value::String("object".to_string())) }),
                obj.get("const"),
                obj.get("enum").and_then(Value::as_array),
                [
                    "maximum",
                    "exclusiveMaximum",
                    "minimum",
                    "exclusiveMinimum",
                    "multipleOf",
                ]
                .map(f64_at),
                [
                    "maxLength",
                    "minLength",
                    "maxItems",
                    "minItems",
                    "maxProperties",
                    "minProperties",
                ]
                .map(u64_at),
            ),
            (
                (str_at("pattern"), str_at("format"), items),
                // Absent and empty `properties` read alike.
                props.map_or_else(Vec::new, |p| {
                    p.iter()
                        .map(|(k, v)| (k.clone(), Sub::from_value(v)))
                        .collect::<Vec<_>>()
                }),
                props.map_or_else(Vec::new, |p| {
                    p.keys().filter(|k| *k != "$schema").cloned().collect()
                }),
                obj.get("patternProperties")
                    .and_then(Value::as_object)
                    .map(|p| {
                        p.iter()
                            .map(|(k, v)| (k.clone(), Sub::from_value(v)))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
                [
                    sub_at("additionalProperties"),
                    sub_at("propertyNames"),
                    sub_at("not"),
                ],
                obj.get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                    .unwrap_or_default(),
            )
        )
    }

    /// The same fields of a compiled node, printed alike.
    fn printed(c: &Compiled) -> String {
        let items = match &c.items {
            Items::Tuple(tuple, additional) => format!("Tuple({tuple:?}, {additional:?})"),
            Items::Each(s) => format!("Each({s:?})"),
            Items::Unchecked => "Unchecked".into(),
        };
        format!(
            "{:?} {:?}",
            (
                &c.all_of,
                &c.unions,
                c.types.clone(),
                c.constant.as_ref(),
                c.options.as_ref(),
                [
                    c.maximum,
                    c.exclusive_maximum,
                    c.minimum,
                    c.exclusive_minimum,
                    c.multiple_of,
                ],
                [
                    c.max_length,
                    c.min_length,
                    c.max_items,
                    c.min_items,
                    c.max_properties,
                    c.min_properties,
                ],
            ),
            (
                (
                    c.pattern.as_ref().map(|p| p.text.to_string()),
                    c.format.clone(),
                    items,
                ),
                c.properties
                    .iter()
                    .map(|(k, v)| (k.of(TEXT).to_string(), *v))
                    .collect::<Vec<_>>(),
                c.known_keys(),
                c.patterns
                    .iter()
                    .map(|(p, sub)| (p.text.to_string(), *sub))
                    .collect::<Vec<_>>(),
                [c.additional, c.names, c.not],
                &c.required,
            )
        )
    }

    /// Every node build.rs compiled reads as its line of data/openclaw-schemas.jsonl did, and
    /// the releases are the header's.
    #[test]
    fn the_tables_are_the_data_file() {
        let data = include_str!("../../data/openclaw-schemas.jsonl");
        let mut lines = data.lines();
        let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        let want: Vec<(String, Result<Sub, String>)> = header["releases"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(v, e)| {
                let root = e.get("root").and_then(Sub::from_value);
                let why = e["unavailable"].as_str().unwrap_or("").to_string();
                (v.clone(), root.ok_or(why))
            })
            .collect();
        let ours: Vec<(String, Result<Sub, String>)> = releases()
            .map(|(v, r)| (v.to_string(), r.map_err(str::to_string)))
            .collect();
        assert_eq!(ours, want);
        let mut count = 0;
        for (n, line) in lines.enumerate() {
            let node: Value = serde_json::from_str(line).unwrap();
            let ours = Compiled::of(n);
            assert_eq!(printed(&ours), from_json(&node), "node {n}");
            assert_eq!(ours.written_types(), node.get("type"), "node {n}");
            count += 1;
        }
        assert_eq!(count, node_count());
    }
}
