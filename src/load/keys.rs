//! "Last key wins": the one index clawlint keeps a key's first position with, wherever a later
//! key replaces an earlier one (JSON5 objects, `deepMerge`, `.env` files, a unit's
//! `Environment=`, plists, a LaunchAgent wrapper's env file). A hash index (std's randomly
//! keyed SipHash, so a layout cannot choose keys that collide), so n keys cost O(n), however
//! often each repeats.
//!
//! [`comparisons`] counts the key comparisons every index on this thread has made. It changes
//! nothing the index does; it is what `tests/hostile.rs` reads to show that merging n keys
//! compares keys O(n) times, not O(n²) (a scan of the earlier keys, or a hash that puts keys
//! together, would), without timing anything.

use std::cell::Cell;
use std::collections::hash_map::{Entry, HashMap};
use std::hash::{Hash, Hasher};

thread_local! {
    static COMPARISONS: Cell<u64> = const { Cell::new(0) };
}

/// Key comparisons made by every [`KeyIndex`] on this thread so far.
pub fn comparisons() -> u64 {
    COMPARISONS.with(Cell::get)
}

/// A key as the index holds it: hashed and compared as its text, each comparison counted.
#[derive(Clone, Debug)]
struct Counted<K>(K);

impl<K: AsRef<str>> PartialEq for Counted<K> {
    fn eq(&self, other: &Self) -> bool {
        COMPARISONS.with(|c| c.set(c.get() + 1));
        self.0.as_ref() == other.0.as_ref()
    }
}

impl<K: AsRef<str>> Eq for Counted<K> {}

impl<K: AsRef<str>> Hash for Counted<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_ref().hash(state);
    }
}

/// Where each key first went, in a list the caller keeps.
#[derive(Clone, Debug)]
pub struct KeyIndex<K> {
    positions: HashMap<Counted<K>, usize>,
}

impl<K: AsRef<str>> Default for KeyIndex<K> {
    fn default() -> Self {
        KeyIndex {
            positions: HashMap::new(),
        }
    }
}

impl<K: AsRef<str>> KeyIndex<K> {
    pub fn with_capacity(n: usize) -> Self {
        KeyIndex {
            positions: HashMap::with_capacity(n),
        }
    }

    /// Where `key` already is; or, when it is new, `None`, and `key` is recorded at `next`
    /// (where the caller then puts it).
    pub fn place(&mut self, key: K, next: usize) -> Option<usize> {
        match self.positions.entry(Counted(key)) {
            Entry::Occupied(at) => Some(*at.get()),
            Entry::Vacant(slot) => {
                slot.insert(next);
                None
            }
        }
    }

    /// Where `key` is, if it is there.
    pub fn find(&self, key: K) -> Option<usize> {
        self.positions.get(&Counted(key)).copied()
    }

    /// Forgets every key (an empty `Environment=` clears what came before).
    pub fn clear(&mut self) {
        self.positions.clear();
    }

    /// Forgets `key` (a batch file's `set NAME=` unsets it): where it was, if it was there.
    pub fn remove(&mut self, key: K) -> Option<usize> {
        self.positions.remove(&Counted(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_is_found_where_it_first_went() {
        let mut index = KeyIndex::default();
        assert_eq!(index.place("a", 0), None);
        assert_eq!(index.place("b", 1), None);
        let before = comparisons();
        assert_eq!(index.place("a", 2), Some(0));
        assert!(comparisons() > before, "a hit compares the key");
        index.clear();
        assert_eq!(index.place("a", 0), None);
    }
}
