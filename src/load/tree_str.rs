//! [`TreeStr`]: a config tree's key or string value, kept inline when short.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// A key or string value of a config tree. Nearly every key and many values are short
/// (`gateway`, `botToken`, `pairing`, `${GW_TOKEN}`): up to [`TreeStr::INLINE`] bytes are
/// kept in the value itself, with no allocation of their own (a tree had one per key and one
/// per string); longer ones in a `Box<str>`. As large as a `String` (24 bytes). It compares,
/// hashes, orders and debug-prints as its `str` does. No `Display`: `to_string` would go
/// through the formatter; [`TreeStr::as_str`] gives the text to print or copy. Its methods are `#[inline]`: every key
/// comparison of every lookup goes through them, from every codegen unit.
#[derive(Clone)]
pub struct TreeStr(Repr);

#[derive(Clone)]
enum Repr {
    /// The text is `bytes[..len]`, copied from a `&str`: always UTF-8.
    Inline {
        len: u8,
        bytes: [u8; TreeStr::INLINE],
    },
    Heap(Box<str>),
}

impl TreeStr {
    /// The longest text kept inline: what fits beside the length and the variant's tag in 24
    /// bytes.
    pub const INLINE: usize = 22;

    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let text = &bytes[..usize::from(*len)];
                // SAFETY: inline bytes are only ever a whole `&str` copied in
                // (`TreeStr::inline`), so they are UTF-8.
                unsafe { std::str::from_utf8_unchecked(text) }
            }
            Repr::Heap(text) => text,
        }
    }

    /// `text` inline, when it fits.
    #[inline]
    fn inline(text: &str) -> Option<TreeStr> {
        let len = u8::try_from(text.len())
            .ok()
            .filter(|&len| usize::from(len) <= Self::INLINE)?;
        let mut bytes = [0; Self::INLINE];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(TreeStr(Repr::Inline { len, bytes }))
    }
}

impl Default for TreeStr {
    #[inline]
    fn default() -> Self {
        TreeStr::from("")
    }
}

impl From<&str> for TreeStr {
    #[inline]
    fn from(text: &str) -> Self {
        TreeStr::inline(text).unwrap_or_else(|| TreeStr(Repr::Heap(Box::from(text))))
    }
}

impl From<String> for TreeStr {
    #[inline]
    fn from(text: String) -> Self {
        TreeStr::inline(&text).unwrap_or_else(|| TreeStr(Repr::Heap(text.into_boxed_str())))
    }
}

impl From<Cow<'_, str>> for TreeStr {
    #[inline]
    fn from(text: Cow<'_, str>) -> Self {
        match text {
            Cow::Borrowed(text) => TreeStr::from(text),
            Cow::Owned(text) => TreeStr::from(text),
        }
    }
}

impl From<TreeStr> for String {
    #[inline]
    fn from(text: TreeStr) -> Self {
        match text.0 {
            Repr::Heap(text) => text.into_string(),
            Repr::Inline { .. } => text.as_str().to_owned(),
        }
    }
}

impl Deref for TreeStr {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for TreeStr {
    #[inline]
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for TreeStr {
    #[inline]
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for TreeStr {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for TreeStr {}

impl PartialEq<str> for TreeStr {
    #[inline]
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for TreeStr {
    #[inline]
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for TreeStr {
    #[inline]
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<TreeStr> for str {
    #[inline]
    fn eq(&self, other: &TreeStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<TreeStr> for &str {
    #[inline]
    fn eq(&self, other: &TreeStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<TreeStr> for String {
    #[inline]
    fn eq(&self, other: &TreeStr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for TreeStr {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TreeStr {
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for TreeStr {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for TreeStr {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts of every length around the inline limit, ASCII and not, read back as given,
    /// through every conversion, and inline exactly when they fit.
    #[test]
    fn texts_read_back_as_given_inline_when_they_fit() {
        for len in 0..=TreeStr::INLINE + 3 {
            for unit in ["a", "é", "€"] {
                let text: String = unit.repeat(len.div_ceil(unit.len()));
                let expected_inline = text.len() <= TreeStr::INLINE;
                for made in [
                    TreeStr::from(text.as_str()),
                    TreeStr::from(text.clone()),
                    TreeStr::from(Cow::Borrowed(text.as_str())),
                    TreeStr::from(Cow::<str>::Owned(text.clone())),
                ] {
                    assert_eq!(made.as_str(), text);
                    assert_eq!(made, text.as_str());
                    assert_eq!(format!("{made:?}"), format!("{text:?}"));
                    assert_eq!(String::from(made.clone()), text);
                    let inline = matches!(made.0, Repr::Inline { .. });
                    assert_eq!(inline, expected_inline, "{text:?}");
                }
            }
        }
        assert_eq!(
            std::mem::size_of::<TreeStr>(),
            std::mem::size_of::<String>()
        );
    }
}
