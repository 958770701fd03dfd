//! Eight bytes looked at as one `u64`, for the scans that skip plain text a word at a time
//! (line breaks, shown text). Each test is exact as a yes/no answer; a word that
//! answers yes is then looked at byte by byte.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
