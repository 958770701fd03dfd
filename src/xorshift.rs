//! A small deterministic generator (xorshift64), so that randomised tests need no dependency
//! and test the same inputs every run. Test-only: the library's unit tests use it as
//! `crate::xorshift`, integration tests include this file (`#[path]`).

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `items`.
    #[allow(dead_code)] // not every test that includes this file picks
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}
