//! Helpers for lists that live to the end of a run.

/// Makes `list`'s capacity its length, by moving its items into a list of exactly that many
/// slots. `Vec::shrink_to_fit` does not do it with the binary's allocator: mimalloc keeps a
/// block that shrinks by less than half where it is (eight listener slots of which five are
/// used stay eight), so the items are moved instead.
pub(crate) fn exact<T>(list: &mut Vec<T>) {
    if list.capacity() > list.len() {
        let mut tight = Vec::with_capacity(list.len());
        tight.append(list);
        *list = tight;
    }
}

/// A list that grows by fixed-size chunks instead of doubling: a list of thousands of large
/// items that lives to the end of the run (the source map's files) keeps at most one chunk's
/// unused slots, where a doubled `Vec` keeps up to half its slots unused (23,334 files of
/// 10,000 gateways held 32,768 slots) and copies every item at each growth.
#[derive(Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

/// Items per chunk.
const CHUNK: usize = 256;

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, item: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks
            .last_mut()
            .expect("a chunk with room")
            .push(item);
        self.len += 1;
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

impl<T> std::ops::Index<usize> for Chunked<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<T> std::ops::IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exact_keeps_the_items_in_order_in_exactly_their_slots() {
        let mut list: Vec<String> = Vec::new();
        for i in 0..5 {
            list.push(i.to_string());
        }
        assert!(list.capacity() > 5);
        super::exact(&mut list);
        assert_eq!(list, ["0", "1", "2", "3", "4"]);
        assert_eq!(list.capacity(), 5);
        let mut empty: Vec<u8> = Vec::with_capacity(8);
        super::exact(&mut empty);
        assert_eq!(empty.capacity(), 0);
    }

    #[test]
    fn chunked_keeps_every_item_at_its_index_across_chunks() {
        let mut list = super::Chunked::default();
        let n = super::CHUNK * 2 + 3;
        for i in 0..n {
            list.push(i);
        }
        assert_eq!(list.len(), n);
        assert!((0..n).all(|i| list[i] == i));
        assert!(list.iter().copied().eq(0..n));
        list[super::CHUNK] = 0;
        assert_eq!(list[super::CHUNK], 0);
        assert_eq!(list.chunks.len(), 3);
    }
}
