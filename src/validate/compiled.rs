//! A schema node's keywords as the checker reads them, taken out of its JSON once (the first
//! time a config reaches the node): the checker then reads fields instead of looking keyword
//! names up in the node's map for every value it checks, and finds a present key's subschema
//! with one hash lookup.

use super::schema::Sub;
use crate::paths::FastMap;
use serde_json::Value;

/// What the checker needs of one node. A keyword of the wrong JSON type counts as absent, as
/// the checker has always read it.
#[derive(Default)]
pub struct Compiled {
    /// Not an object (a node the table does not have): nothing to check.
    pub empty: bool,
    pub all_of: Vec<Sub>,
    /// `anyOf`, then `oneOf`, each when it is an array.
    pub unions: Vec<Vec<Sub>>,
    /// `type` as written (a name or a list of names).
    pub types: Option<Value>,
    pub constant: Option<Value>,
    pub options: Option<Vec<Value>>,
    pub maximum: Option<f64>,
    pub exclusive_maximum: Option<f64>,
    pub minimum: Option<f64>,
    pub exclusive_minimum: Option<f64>,
    pub multiple_of: Option<f64>,
    pub max_length: Option<u64>,
    pub min_length: Option<u64>,
    pub pattern: Option<String>,
    pub format: Option<String>,
    pub items: Items,
    pub max_items: Option<u64>,
    pub min_items: Option<u64>,
    /// `properties`, each that names a subschema.
    pub properties: Option<FastMap<String, Sub>>,
    /// The names of `properties` in the schema's order, but `$schema` (an unknown key's
    /// issue lists them).
    pub known_keys: Vec<String>,
    /// `patternProperties` in the schema's order, each with its subschema if it names one.
    pub patterns: Vec<(String, Option<Sub>)>,
    pub additional: Option<Sub>,
    pub names: Option<Sub>,
    pub required: Vec<String>,
    pub max_properties: Option<u64>,
    pub min_properties: Option<u64>,
    pub not: Option<Sub>,
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

fn subs(v: Option<&Value>) -> Option<Vec<Sub>> {
    v.and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Sub::from_value).collect())
}

impl Compiled {
    pub fn new(node: &Value) -> Compiled {
        let Some(obj) = node.as_object() else {
            return Compiled {
                empty: true,
                ..Compiled::default()
            };
        };
        let f64_at = |k: &str| obj.get(k).and_then(Value::as_f64);
        let u64_at = |k: &str| obj.get(k).and_then(Value::as_u64);
        let str_at = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        let sub_at = |k: &str| obj.get(k).and_then(Sub::from_value);
        let props = obj.get("properties").and_then(Value::as_object);
        Compiled {
            empty: false,
            all_of: subs(obj.get("allOf")).unwrap_or_default(),
            unions: ["anyOf", "oneOf"]
                .into_iter()
                .filter_map(|k| subs(obj.get(k)))
                .collect(),
            // OpenClaw's schemas are zod's, where a node with `properties` is a `z.object`,
            // which refuses anything but an object; where OpenClaw writes such a node's JSON
            // schema itself it may leave `type` out (2026.3.31's and 2026.4.29's `channels`:
            // "Invalid input: expected object, received boolean" for `channels: true`).
            types: obj
                .get("type")
                .cloned()
                .or_else(|| props.is_some().then(|| Value::String("object".to_string()))),
            constant: obj.get("const").cloned(),
            options: obj.get("enum").and_then(Value::as_array).cloned(),
            maximum: f64_at("maximum"),
            exclusive_maximum: f64_at("exclusiveMaximum"),
            minimum: f64_at("minimum"),
            exclusive_minimum: f64_at("exclusiveMinimum"),
            multiple_of: f64_at("multipleOf"),
            max_length: u64_at("maxLength"),
            min_length: u64_at("minLength"),
            pattern: str_at("pattern"),
            format: str_at("format"),
            items: match obj.get("items") {
                Some(Value::Array(tuple)) => Items::Tuple(
                    tuple.iter().filter_map(Sub::from_value).collect(),
                    sub_at("additionalItems"),
                ),
                Some(v) => Sub::from_value(v).map_or(Items::Unchecked, Items::Each),
                None => Items::Unchecked,
            },
            max_items: u64_at("maxItems"),
            min_items: u64_at("minItems"),
            properties: props.map(|p| {
                p.iter()
                    .filter_map(|(k, v)| Some((k.clone(), Sub::from_value(v)?)))
                    .collect()
            }),
            known_keys: props
                .map(|p| p.keys().filter(|k| *k != "$schema").cloned().collect())
                .unwrap_or_default(),
            patterns: obj
                .get("patternProperties")
                .and_then(Value::as_object)
                .map(|p| {
                    p.iter()
                        .map(|(k, v)| (k.clone(), Sub::from_value(v)))
                        .collect()
                })
                .unwrap_or_default(),
            additional: sub_at("additionalProperties"),
            names: sub_at("propertyNames"),
            required: obj
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            max_properties: u64_at("maxProperties"),
            min_properties: u64_at("minProperties"),
            not: sub_at("not"),
        }
    }

    /// The subschema of property `key`, if the node names one.
    pub fn property(&self, key: &str) -> Option<Sub> {
        self.properties.as_ref()?.get(key).copied()
    }
}
