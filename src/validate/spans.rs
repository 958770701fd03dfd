//! The pointer-free form of the tables build.rs generates (`retired`, `migrations`, `trimmed`,
//! `legacy`, the schema nodes of `compiled`): each table's strings are one text, referred to by
//! byte span, and its lists are runs of an array, referred to by index range. A table of
//! `&'static str` and `&'static [T]` would cost the dynamic loader one relocation per pointer,
//! in every run of the position-independent binary (about 9,000 for the retired keys and the
//! migrations alone, and the pages they dirty), whether the run looks at the tables or not.

/// A string of a generated table: its byte span `start..end` in the table's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(pub u32, pub u32);

impl Span {
    pub fn of(self, text: &'static str) -> &'static str {
        &text[self.0 as usize..self.1 as usize]
    }
}

/// A list of a generated table: the items `start..end` of one of its arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct List(pub u32, pub u32);

impl List {
    pub fn of<T>(self, items: &'static [T]) -> &'static [T] {
        &items[self.0 as usize..self.1 as usize]
    }

    pub fn len(self) -> usize {
        (self.1 - self.0) as usize
    }

    pub fn is_empty(self) -> bool {
        self.1 == self.0
    }
}
