//! Eight bytes looked at as one `u64`, for the scans that skip plain text a word at a time
//! (line breaks, shown text). Each test is exact as a yes/no answer; a word that
//! answers yes is then looked at byte by byte.
//!
//! And sixteen bytes as a block (one SSE2 register on x86_64), for the scans that cover most
//! text (line starts, JSON strings): a block's test gives a bit per byte, exact, so that the
//! bytes found are its set bits.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is `byte`.
pub(crate) fn has_byte(word: u64, byte: u8) -> bool {
    byte_marks(word, byte) != 0
}

/// Whether any byte of `word` is below `limit` (at most 0x80).
pub(crate) fn has_below(word: u64, limit: u8) -> bool {
    below_marks(word, limit) != 0
}

/// Whether any byte of `word` is 0x80 or above (a byte of a character past ASCII).
pub(crate) fn has_high(word: u64) -> bool {
    word & HIGHS != 0
}

// The marks: the high bit of each byte found. The lowest byte found is always marked, and a
// byte is marked wrongly only above one found (a borrow or carry from it): exact as a yes/no,
// and marks of several tests ORed together stay so, for one test of a word.

/// Marks the bytes of `word` that are 0.
pub(crate) fn zero_marks(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// Marks the bytes of `word` that are `byte`.
pub(crate) fn byte_marks(word: u64, byte: u8) -> u64 {
    zero_marks(word ^ (ONES * u64::from(byte)))
}

/// Marks the bytes of `word` below `limit` (at most 0x80).
pub(crate) fn below_marks(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGHS
}

/// `n` in decimal, written into the end of `digits`: the digits' text. For the writers that
/// put numbers straight into their buffer, without `core::fmt`. Two digits a step, from a
/// table (most numbers are ports: five digits in three steps, not five divisions).
pub(crate) fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &str {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut at = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + n as u8;
    }
    // SAFETY: every byte from `at` was written just above, each an ASCII digit.
    unsafe { std::str::from_utf8_unchecked(&digits[at..]) }
}

/// How many bytes a block scan looks at at once.
pub(crate) const BLOCK: usize = 16;

/// The [`BLOCK`] bytes of `bytes` from `at`; past the end, spaces (which no block test
/// marks), so that the end of a text is a block too, not a byte at a time.
pub(crate) fn block_at(bytes: &[u8], at: usize) -> [u8; BLOCK] {
    match bytes.get(at..at + BLOCK) {
        Some(block) => block.try_into().expect("a block"),
        None => padded(&bytes[at..]),
    }
}

/// `rest` (shorter than a block) at the start of a block padded with spaces: read in two
/// overlapping loads of a fixed length, not copied by a call of its length (the end of every
/// text scanned, and most of the short texts written, such as gateways' names).
fn padded(rest: &[u8]) -> [u8; BLOCK] {
    let mut block = [b' '; BLOCK];
    let n = rest.len();
    if n >= 8 {
        block[..8].copy_from_slice(&rest[..8]);
        block[n - 8..n].copy_from_slice(&rest[n - 8..]);
    } else if n >= 4 {
        block[..4].copy_from_slice(&rest[..4]);
        block[n - 4..n].copy_from_slice(&rest[n - 4..]);
    } else if n > 0 {
        // One to three bytes: the first, the middle and the last cover them.
        block[0] = rest[0];
        block[n / 2] = rest[n / 2];
        block[n - 1] = rest[n - 1];
    }
    block
}

/// The bytes of `block` that `test` holds for, bit `i` for byte `i`: what each SSE2 test
/// gives (x86_64 uses this only in the tests), and what other processors use.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn marks_of(block: [u8; BLOCK], test: impl Fn(u8) -> bool) -> u32 {
    (0..BLOCK).fold(0, |marks, i| marks | u32::from(test(block[i])) << i)
}

/// The bytes of `block` that are `byte`, and those from 0x80 (past ASCII): two
/// [`marks_of`] answers at once.
pub(crate) fn byte_and_high_marks(block: [u8; BLOCK], byte: u8) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of every x86_64 processor (the target's baseline features),
        // and the load reads the sixteen bytes of `block`, unaligned.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast());
            let found = _mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8));
            (_mm_movemask_epi8(found) as u32, _mm_movemask_epi8(v) as u32)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    (
        marks_of(block, |b| b == byte),
        marks_of(block, |b| b >= 0x80),
    )
}

/// The bytes of `block` that are `a`, and those that are `b`: two [`marks_of`] answers at
/// once (a path's `/` and `.`, the only bytes that can make a component other than a name).
pub(crate) fn two_byte_marks(block: [u8; BLOCK], a: u8, b: u8) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: as in `byte_and_high_marks`.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast());
            let found_a = _mm_cmpeq_epi8(v, _mm_set1_epi8(a as i8));
            let found_b = _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            (
                _mm_movemask_epi8(found_a) as u32,
                _mm_movemask_epi8(found_b) as u32,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    (marks_of(block, |x| x == a), marks_of(block, |x| x == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `format!` writes them, from one digit to the largest `u64`.
    #[test]
    fn decimal_writes_what_format_writes() {
        let mut digits = [0u8; 20];
        let powers = (1..20).flat_map(|k| [10_u64.pow(k) - 1, 10_u64.pow(k)]);
        for n in (0..=100_000).chain(powers).chain([4_294_967_295, u64::MAX]) {
            assert_eq!(decimal(n, &mut digits), n.to_string());
        }
    }

    /// Each test answers for every byte value at every position of a word of another byte.
    #[test]
    fn each_test_answers_as_a_byte_by_byte_look() {
        for fill in [b'a', b' ', 0x7e] {
            for b in 0..=255u8 {
                for at in 0..8 {
                    let mut bytes = [fill; 8];
                    bytes[at] = b;
                    let word = u64::from_le_bytes(bytes);
                    assert_eq!(zero_marks(word) != 0, bytes.contains(&0), "{b} at {at}");
                    assert_eq!(has_byte(word, b'['), bytes.contains(&b'['), "{b} at {at}");
                    assert_eq!(
                        has_below(word, 0x20),
                        bytes.iter().any(|&x| x < 0x20),
                        "{b}"
                    );
                    assert_eq!(has_high(word), bytes.iter().any(|&x| x >= 0x80), "{b}");
                }
            }
        }
    }

    /// Marks of several tests ORed answer as the tests one by one, over words holding any two
    /// byte values at any two places (a borrow or carry from one byte into the other).
    #[test]
    fn ored_marks_answer_as_each_test_does() {
        let any = |bytes: &[u8; 8], test: &dyn Fn(u8) -> bool| bytes.iter().any(|&x| test(x));
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for (i, j) in [(0, 1), (1, 0), (2, 7), (7, 3), (4, 5)] {
                    let mut bytes = [b'a'; 8];
                    bytes[i] = a;
                    bytes[j] = b;
                    let word = u64::from_le_bytes(bytes);
                    let marks = below_marks(word, 0x20) | byte_marks(word, b'"') | zero_marks(word);
                    let expected = any(&bytes, &|x| x < 0x20 || x == b'"');
                    assert_eq!(marks != 0, expected, "{a} at {i}, {b} at {j}");
                }
            }
        }
    }

    /// The block test marks exactly the bytes it says, each byte value at every place of a
    /// block of other bytes.
    #[test]
    fn block_marks_are_each_byte_tested() {
        for fill in [b'a', b' ', b'\n', 0x7f, 0x80, 0xff] {
            for b in 0..=255u8 {
                for at in 0..BLOCK {
                    let mut block = [fill; BLOCK];
                    block[at] = b;
                    let expected = |test: fn(u8) -> bool| {
                        let fills = if test(fill) { 0xffff & !(1 << at) } else { 0 };
                        fills | u32::from(test(b)) << at
                    };
                    let (newlines, high) = byte_and_high_marks(block, b'\n');
                    assert_eq!(newlines, expected(|x| x == b'\n'), "{b} at {at}");
                    assert_eq!(high, expected(|x| x >= 0x80), "{b} at {at}");
                    assert_eq!(marks_of(block, |x| x == b'\n'), newlines);
                    let (slashes, dots) = two_byte_marks(block, b'/', b'.');
                    assert_eq!(slashes, expected(|x| x == b'/'), "{b} at {at}");
                    assert_eq!(dots, expected(|x| x == b'.'), "{b} at {at}");
                }
            }
        }
        let text = b"0123456789abcdefgh";
        assert_eq!(&block_at(text, 0), b"0123456789abcdef");
        assert_eq!(&block_at(text, 16), b"gh              ");
    }

    /// A text's last part shorter than a block is its bytes and then spaces, at every length
    /// the overlapping loads distinguish.
    #[test]
    fn a_short_tail_is_its_bytes_padded_with_spaces() {
        let text = b"0123456789abcdef";
        for n in 0..BLOCK {
            let mut expected = [b' '; BLOCK];
            expected[..n].copy_from_slice(&text[..n]);
            assert_eq!(block_at(&text[..n], 0), expected, "{n}");
            assert_eq!(block_at(text, BLOCK - n), expected_tail(text, n), "{n}");
        }
    }

    fn expected_tail(text: &[u8], n: usize) -> [u8; BLOCK] {
        let mut expected = [b' '; BLOCK];
        expected[..n].copy_from_slice(&text[BLOCK - n..]);
        expected
    }
}
