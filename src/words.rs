//! Eight bytes looked at as one `u64`, for the scans that skip plain text a word at a time
//! (line breaks, JSON escapes, shown text). Each test is exact as a yes/no answer; a word that
//! answers yes is then looked at byte by byte.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is 0.
pub(crate) fn has_zero(word: u64) -> bool {
    word.wrapping_sub(ONES) & !word & HIGHS != 0
}

/// Whether any byte of `word` is `byte`.
pub(crate) fn has_byte(word: u64, byte: u8) -> bool {
    has_zero(word ^ (ONES * u64::from(byte)))
}

/// Whether any byte of `word` is below `limit` (at most 0x80).
pub(crate) fn has_below(word: u64, limit: u8) -> bool {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGHS != 0
}

/// Whether any byte of `word` is 0x80 or above (a byte of a character past ASCII).
pub(crate) fn has_high(word: u64) -> bool {
    word & HIGHS != 0
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
                    assert_eq!(has_zero(word), bytes.contains(&0), "{b} at {at}");
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
}
