//! Pretty-printed JSON written straight from a model, with no tree of `serde_json::Value`s in
//! between: the bytes `serde_json::to_string_pretty` gives (two spaces a level, `"key": value`,
//! `[]` and `{}` when empty), for a value that sits `depth` levels deep in a document.
//!
//! Keys are written in the order the caller gives them. A document that used to be built as a
//! `Value` (whose maps are sorted) keeps its bytes only if the caller writes keys in sorted
//! order: debug builds check that they are.

use serde::Serialize;

/// A writer of one pretty-printed JSON value into a buffer.
pub struct Pretty<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
    open: Vec<Open>,
    /// What each string value is shown as (keys are the caller's own).
    shown: Option<Shown>,
}

/// A string as it may be shown: itself, or a stand-in.
pub type Shown = for<'s> fn(&'s str) -> std::borrow::Cow<'s, str>;

/// An object or array not yet closed.
struct Open {
    array: bool,
    items: bool,
    /// The last key written (objects), to check the order in debug builds.
    last: &'static str,
}

impl<'a> Pretty<'a> {
    /// A writer of a value `depth` levels deep in its document.
    pub fn at(out: &'a mut Vec<u8>, depth: usize) -> Self {
        Pretty {
            out,
            depth,
            open: Vec::with_capacity(8),
            shown: None,
        }
    }

    /// Every string value written is `shown(value)`.
    pub fn bounded(mut self, shown: Shown) -> Self {
        self.shown = Some(shown);
        self
    }

    fn indent(&mut self) {
        for _ in 0..self.depth + self.open.len() {
            self.out.extend_from_slice(b"  ");
        }
    }

    /// Before a value: in an array, the separator and the indent of a new item.
    fn item(&mut self) {
        if let Some(top) = self.open.last_mut() {
            if top.array {
                let first = !top.items;
                top.items = true;
                self.out
                    .extend_from_slice(if first { b"\n" } else { b",\n" });
                self.indent();
            }
        }
    }

    fn begin(&mut self, array: bool) -> &mut Self {
        self.item();
        self.out.push(if array { b'[' } else { b'{' });
        self.open.push(Open {
            array,
            items: false,
            last: "",
        });
        self
    }

    /// Opens an object.
    pub fn object(&mut self) -> &mut Self {
        self.begin(false)
    }

    /// Opens an array.
    pub fn array(&mut self) -> &mut Self {
        self.begin(true)
    }

    /// Closes the innermost object or array.
    pub fn end(&mut self) -> &mut Self {
        let top = self.open.pop().expect("an open object or array");
        if top.items {
            self.out.push(b'\n');
            self.indent();
        }
        self.out.push(if top.array { b']' } else { b'}' });
        self
    }

    /// The next key of the innermost object; its value follows.
    pub fn key(&mut self, key: &'static str) -> &mut Self {
        let top = self.open.last_mut().expect("an open object");
        debug_assert!(!top.array, "key {key:?} in an array");
        debug_assert!(
            !top.items || top.last < key,
            "key {key:?} after {:?}: keys must be sorted",
            top.last
        );
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
        let first = !top.items;
        top.items = true;
        top.last = key;
        self.out
            .extend_from_slice(if first { b"\n" } else { b",\n" });
        self.indent();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
        self
    }

    /// A string, escaped as serde_json escapes it.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.item();
        let s = match self.shown {
            Some(shown) => shown(s),
            None => std::borrow::Cow::Borrowed(s),
        };
        super::json::string(self.out, &s);
        self
    }

    pub fn opt_str(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    pub fn num(&mut self, n: u64) -> &mut Self {
        self.item();
        serde_json::to_writer(&mut *self.out, &n).expect("writing to memory");
        self
    }

    pub fn bool(&mut self, b: bool) -> &mut Self {
        self.item();
        self.out
            .extend_from_slice(if b { b"true" } else { b"false" });
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.item();
        self.out.extend_from_slice(b"null");
        self
    }

    /// An array of strings.
    pub fn strs<S: AsRef<str>>(&mut self, items: impl IntoIterator<Item = S>) -> &mut Self {
        self.array();
        for s in items {
            self.str(s.as_ref());
        }
        self.end()
    }

    /// Any serialisable value, pretty-printed at this depth by serde_json.
    pub fn serde<T: Serialize + ?Sized>(&mut self, value: &T) -> &mut Self {
        self.item();
        let depth = self.depth + self.open.len();
        let mut ser = serde_json::Serializer::with_formatter(&mut *self.out, Indented::at(depth));
        value.serialize(&mut ser).expect("serializable");
        self
    }
}

/// serde_json's pretty format (two spaces a level) for a value that sits `level` levels deep
/// in a pretty-printed document.
struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    fn at(level: usize) -> Self {
        Indented {
            level,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        for _ in 0..self.level {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    /// `]` or `}`: on a line of its own when anything was in it.
    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(bracket)
    }

    /// Before an array item or an object key: a new line, after a comma unless it is the first.
    fn next<W: ?Sized + std::io::Write>(&self, out: &mut W, first: bool) -> std::io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.next(out, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.next(out, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
    ) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn written(depth: usize, f: impl FnOnce(&mut Pretty)) -> String {
        let mut out = Vec::new();
        f(&mut Pretty::at(&mut out, depth));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn bytes_are_serde_jsons_pretty_bytes() {
        let value = json!({"a": [], "b": {}, "c": [1, "x\"\n\u{7f}", null, true, {"d": [[]]}],
            "e": {"f": false, "g": ["h"]}});
        let text = written(0, |w| {
            w.object();
            w.key("a").array().end();
            w.key("b").object().end();
            w.key("c")
                .array()
                .num(1)
                .str("x\"\n\u{7f}")
                .null()
                .bool(true);
            w.object().key("d").array().array().end().end().end();
            w.end();
            w.key("e")
                .object()
                .key("f")
                .bool(false)
                .key("g")
                .strs(["h"]);
            w.end().end();
        });
        assert_eq!(text, serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn a_value_deep_in_a_document_is_indented_for_its_depth() {
        let value = json!([[{"a": [1, 2], "b": {"c": "d"}}]]);
        let whole = serde_json::to_string_pretty(&value).unwrap();
        let inner = written(2, |w| {
            w.object()
                .key("a")
                .serde(&[1, 2])
                .key("b")
                .serde(&json!({"c": "d"}))
                .end();
        });
        assert!(whole.contains(&inner), "{whole}\n{inner}");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "keys must be sorted")]
    fn unsorted_keys_are_caught_in_debug_builds() {
        written(0, |w| {
            w.object().key("b").null().key("a").null().end();
        });
    }
}
