//! Reading text files with limits, so that a bad file becomes a located problem, never a panic.

use std::fs;
use std::io::Read;
use std::path::Path;

/// Why a file's text could not be had.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    Missing,
    /// Any other I/O failure: permissions, a directory, a symlink loop.
    Io(String),
    TooLarge {
        limit: u64,
    },
    /// The first byte offset where the text is not UTF-8.
    NotUtf8 {
        offset: usize,
    },
}

impl ReadError {
    pub fn describe(&self) -> String {
        match self {
            ReadError::Missing => "file does not exist".to_string(),
            ReadError::Io(msg) => msg.clone(),
            ReadError::TooLarge { limit } => format!("file is larger than {limit} bytes"),
            ReadError::NotUtf8 { offset } => {
                format!("file is not valid UTF-8 (first bad byte at offset {offset})")
            }
        }
    }
}

/// Reads at most `limit` bytes of UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let file = fs::File::open(path).map_err(io_error)?;
    let meta = file.metadata().map_err(io_error)?;
    if meta.is_dir() {
        return Err(ReadError::Io("is a directory, not a file".to_string()));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Reads text the way Node's `readFileSync(path, "utf-8")` does: bytes that are not UTF-8
/// become U+FFFD. Returns the offset of the first bad byte, if any.
pub fn read_text_lossy(path: &Path, limit: u64) -> Result<(String, Option<usize>), ReadError> {
    match read_text(path, limit) {
        Ok(text) => Ok((text, None)),
        Err(ReadError::NotUtf8 { offset }) => {
            let bytes = fs::read(path).map_err(io_error)?;
            Ok((String::from_utf8_lossy(&bytes).into_owned(), Some(offset)))
        }
        Err(other) => Err(other),
    }
}

fn io_error(err: std::io::Error) -> ReadError {
    match err.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        _ if err.raw_os_error() == Some(40) => {
            ReadError::Io("a symlink loop (too many levels of symbolic links)".to_string())
        }
        _ => ReadError::Io(err.to_string()),
    }
}

/// Main config files: OpenClaw reads them whole; we stop at a size no real config reaches.
pub const CONFIG_LIMIT: u64 = 16 * 1024 * 1024;
/// `$include` files: OpenClaw's own limit (`MAX_INCLUDE_FILE_BYTES`).
pub const INCLUDE_LIMIT: u64 = 2 * 1024 * 1024;
/// `.env` files, unit files and the like.
pub const SMALL_FILE_LIMIT: u64 = 4 * 1024 * 1024;
