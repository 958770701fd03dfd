//! The one bounded reader every input file goes through, so that a bad file becomes a
//! located problem, never a panic, a hang or an unbounded allocation.
//!
//! - The file's type is checked before it is opened (following symlinks): a FIFO, socket or
//!   device is never opened, because opening a FIFO blocks until a writer comes and reading
//!   `/dev/zero` or `/dev/stdin` never ends or reads clawlint's own input. One look at the path
//!   ([`probe`]: `lstat`, plus `stat` only for a symlink) serves this check, the layout check
//!   and the run's file cache ([`super::cache::Identity`]). Where its directory's listing
//!   ([`super::listing`]) already says the path is a regular file and not a symlink, that is
//!   the check before the open, and the handle's `fstat` the look.
//! - It is opened non-blocking and checked again on the open handle, so a file swapped for a
//!   FIFO between the two checks cannot block either.
//! - A file whose size is over the limit is refused before a byte is read, and at most
//!   `limit + 1` bytes are ever read (a file that grows while read is refused too).

use std::fs;
use std::io::Read;
use std::path::Path;

/// Why a file's text could not be had.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    Missing,
    /// Any other I/O failure: permissions, a symlink loop.
    Io(String),
    TooLarge {
        limit: u64,
    },
    /// Not a regular file: a directory, FIFO, socket or device ("a FIFO (named pipe)").
    NotRegular {
        kind: &'static str,
    },
    /// Its real path is outside the scanned layout (see [`super::layout`]): not opened.
    OutsideLayout {
        real: std::path::PathBuf,
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
            ReadError::NotRegular { kind } => {
                format!("is {kind}, not a regular file; clawlint does not open it")
            }
            ReadError::OutsideLayout { real } => format!(
                "resolves to {}, outside the scanned homes and --root; clawlint does not read it (allow it with --allow-outside {})",
                real.display(),
                real.display()
            ),
            ReadError::NotUtf8 { offset } => {
                format!("file is not valid UTF-8 (first bad byte at offset {offset})")
            }
        }
    }
}

/// What kind of non-regular file this is, for messages; `None` for a regular file.
pub fn special_kind(file_type: fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
    }
    Some("not a regular file")
}

/// Checks, without opening it, that `path` (following symlinks) is a regular file.
pub fn check_regular(path: &Path) -> Result<fs::Metadata, ReadError> {
    let meta = fs::metadata(path).map_err(io_error)?;
    match special_kind(meta.file_type()) {
        Some(kind) => Err(ReadError::NotRegular { kind }),
        None => Ok(meta),
    }
}

/// What one look at a layout path, before it is opened, tells: where it is on the host
/// (`paths::on_host`: under a copied `--root`, its links lead within the root), then `lstat`,
/// and `stat` only when the path is itself a symlink (for any other path the two say the same).
#[derive(Debug)]
pub struct Probe<'a> {
    /// The path placed on the host (as given when it could not be: `meta` then says why).
    placed: std::borrow::Cow<'a, Path>,
    /// Whether the placed path itself is a symbolic link.
    symlink: bool,
    /// Its metadata, symlinks followed.
    pub meta: Result<fs::Metadata, ReadError>,
    /// The file, already opened, when its directory's listing said it is a regular file and
    /// not a symlink (see [`probe`]): `meta` is then its handle's.
    opened: Option<fs::File>,
}

/// `lstat`, then `stat` only for a symlink: (is a symlink, metadata with symlinks followed).
pub(crate) fn look(path: &Path) -> (bool, Result<fs::Metadata, ReadError>) {
    // A container's own file is not on this host: not looked up under the working directory.
    if crate::container::is_private_path(path) {
        return (false, Err(ReadError::Missing));
    }
    // A name its directory's listing does not hold is not there: no `lstat` to say so.
    if super::listing::listed(path) == Some(super::listing::Listed::Missing) {
        return (false, Err(ReadError::Missing));
    }
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => (true, fs::metadata(path).map_err(io_error)),
        Ok(meta) => (false, Ok(meta)),
        Err(err) => (false, Err(io_error(err))),
    }
}

/// Looks at the layout path `path` (see [`Probe`]) to read it. A file its directory's
/// listing ([`super::listing`]) shows as a regular file, not a symlink (so inside the layout),
/// is opened at once (non-blocking, not following a link) and its type and size taken from the
/// handle: one `fstat` where `lstat`, `open` and `fstat` were three. The type was still known
/// before the open (the listing's), and is checked again on the handle before a byte is read;
/// a file swapped for a link since the listing is not followed (the open fails and it is
/// looked at as any other path).
pub fn probe(path: &Path) -> Probe<'_> {
    probe_opening(path, true)
}

/// [`probe`], never opening the file: for a file many gateways share, whose identity the
/// run's cache compares before reading it again.
pub fn probe_unopened(path: &Path) -> Probe<'_> {
    probe_opening(path, false)
}

fn probe_opening(path: &Path, open: bool) -> Probe<'_> {
    let Some(placed) = crate::paths::on_host(path) else {
        return Probe {
            placed: std::borrow::Cow::Borrowed(path),
            symlink: false,
            meta: Err(ReadError::Io(SYMLINK_LOOP.to_string())),
            opened: None,
        };
    };
    // A file a listing shows is inside the layout (see [`super::listing`]: a listed directory
    // is a root or a plain directory entry of a listed one, so its real path is below a root's
    // real path): no real path to look up and compare (~1,100 instructions a file).
    let listed_file = open
        && super::listing::listed(&placed)
            == Some(super::listing::Listed::Plain(super::listing::Kind::File));
    if listed_file {
        if let Ok(file) = open_listed(&placed) {
            if let Ok(meta) = file.metadata() {
                return Probe {
                    placed,
                    symlink: false,
                    meta: Ok(meta),
                    opened: Some(file),
                };
            }
        }
    }
    let (symlink, meta) = look(&placed);
    Probe {
        placed,
        symlink,
        meta,
        opened: None,
    }
}

/// Reads at most `limit` bytes of a regular file of the layout.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_probed_bytes(&probe(path), limit)
}

/// [`read_bytes`] of a path already looked at ([`probe`], just made).
pub fn read_probed_bytes(probe: &Probe, limit: u64) -> Result<Vec<u8>, ReadError> {
    // A path that cannot be looked at is not judged against the layout: this says why.
    if let Err(err) = &probe.meta {
        return Err(err.clone());
    }
    let path = &probe.placed;
    if let Some(file) = &probe.opened {
        // Judged against the layout before it was opened.
        return read_opened(file, &probe.meta, limit);
    }
    if let Some(real) = super::layout::outside_probed(path, probe.symlink) {
        return Err(ReadError::OutsideLayout { real });
    }
    read_regular(path, &probe.meta, limit)
}

/// Reads at most `limit` bytes of a regular file the user named on the command line (so it
/// may be outside the layout), with every other check [`read_bytes`] makes.
pub fn read_named_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_regular(path, &look(path).1, limit)
}

/// The type and size checks, before and after the open, and the bounded read.
fn read_regular(
    path: &Path,
    meta: &Result<fs::Metadata, ReadError>,
    limit: u64,
) -> Result<Vec<u8>, ReadError> {
    let meta = meta.as_ref().map_err(Clone::clone)?;
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(ReadError::NotRegular { kind });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let file = open_nonblocking(path)?;
    read_opened(&file, &file.metadata().map_err(io_error), limit)
}

/// The type and size checks on an open handle's metadata, and the bounded read.
fn read_opened(
    file: &fs::File,
    meta: &Result<fs::Metadata, ReadError>,
    limit: u64,
) -> Result<Vec<u8>, ReadError> {
    let meta = meta.as_ref().map_err(Clone::clone)?;
    if let Some(kind) = special_kind(meta.file_type()) {
        return Err(ReadError::NotRegular { kind });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let bytes = read_to_end_sized(file, meta.len(), limit).map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Reads an open regular file to its end, at most `limit + 1` bytes; `size` is what its
/// `fstat` said (at most `limit`). The first `read` asks for `size + 1` bytes: a regular file's
/// read comes back short only at its end, so exactly `size` bytes say the file ended there,
/// without the second `read` that `read_to_end` makes to find the end after filling a buffer
/// of the file's size (a third of the calls that read a small file). A file whose first read
/// says anything else (it grew or shrank since the `fstat`, or its size says nothing, as
/// procfs's `0`) is read on until its end or the limit, as `read_to_end` reads it.
fn read_to_end_sized(file: &fs::File, size: u64, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if size > 0 {
        bytes.resize(size as usize + 1, 0);
        let read = loop {
            match (&*file).read(&mut bytes) {
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        bytes.truncate(read);
        if read as u64 == size {
            return Ok(bytes);
        }
    }
    let left = (limit + 1).saturating_sub(bytes.len() as u64);
    file.take(left).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> Result<fs::File, ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(io_error)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> Result<fs::File, ReadError> {
    fs::File::open(path).map_err(io_error)
}

/// Opens a file its directory's listing showed as a regular file: as [`open_nonblocking`],
/// and never through a symlink (one there now was put in its place since the listing);
/// relative to the layout's root (see [`super::listing::open`]).
#[cfg(target_os = "linux")]
fn open_listed(path: &Path) -> std::io::Result<fs::File> {
    use rustix::fs::OFlags;
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::NOFOLLOW;
    super::listing::open(path, flags | OFlags::CLOEXEC)
}

/// [`open_listed`] elsewhere on Unix: by its whole path.
#[cfg(all(unix, not(target_os = "linux")))]
fn open_listed(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(not(unix))]
fn open_listed(path: &Path) -> std::io::Result<fs::File> {
    fs::File::open(path)
}

/// Reads at most `limit` bytes of UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Reads text the way Node's `readFileSync(path, "utf-8")` does: bytes that are not UTF-8
/// become U+FFFD. Returns the offset of the first bad byte, if any. The file is read once.
pub fn read_text_lossy(path: &Path, limit: u64) -> Result<(String, Option<usize>), ReadError> {
    read_probed_text_lossy(&probe(path), limit)
}

/// [`read_text_lossy`] of a path already looked at (see [`read_probed_bytes`]).
pub fn read_probed_text_lossy(
    probe: &Probe,
    limit: u64,
) -> Result<(String, Option<usize>), ReadError> {
    let bytes = read_probed_bytes(probe, limit)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, None)),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            Ok((text, Some(offset)))
        }
    }
}

fn io_error(err: std::io::Error) -> ReadError {
    match err.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        _ if is_symlink_loop(&err) => ReadError::Io(SYMLINK_LOOP.to_string()),
        _ => ReadError::Io(err.to_string()),
    }
}

/// What a path is when following it fails with ELOOP, in the words clawlint uses for it.
pub const SYMLINK_LOOP: &str = "a symlink loop (too many levels of symbolic links)";

/// Whether following a path failed because it is a symlink loop (ELOOP).
pub fn is_symlink_loop(err: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        err.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

/// Main config files: OpenClaw reads them whole; we stop at a size no real config reaches.
pub const CONFIG_LIMIT: u64 = 16 * 1024 * 1024;
/// `$include` files: OpenClaw's own limit (`MAX_INCLUDE_FILE_BYTES`).
pub const INCLUDE_LIMIT: u64 = 2 * 1024 * 1024;
/// `.env` files, unit files and the like.
pub const SMALL_FILE_LIMIT: u64 = 4 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    /// CL902's help for a file over its limit (rules/problems.rs) names these figures.
    #[test]
    fn limits_are_the_figures_cl902_names() {
        assert_eq!(CONFIG_LIMIT, 16 << 20);
        assert_eq!(INCLUDE_LIMIT, 2 << 20);
        assert_eq!(SMALL_FILE_LIMIT, 4 << 20);
    }

    /// The whole file whatever its `fstat` size said: exact, too small (it grew), too large
    /// (it shrank), `0` (procfs); never more than `limit + 1` bytes.
    #[test]
    fn a_file_is_read_to_its_end_whatever_its_size_said() {
        let dir = std::env::temp_dir().join(format!("clawlint-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let read = |size: u64, limit: u64| {
            read_to_end_sized(&fs::File::open(&path).unwrap(), size, limit).unwrap()
        };
        for size in [0, 1, 9, 10, 11, 64] {
            assert_eq!(read(size, 100), b"0123456789", "size {size}");
        }
        assert_eq!(
            read(3, 5),
            b"012345",
            "limit + 1 bytes, then refused as too large"
        );
        assert_eq!(read(0, 5), b"012345");
        std::fs::remove_dir_all(&dir).unwrap();
        #[cfg(target_os = "linux")]
        {
            let status = read_named_bytes(Path::new("/proc/self/status"), 1 << 20).unwrap();
            assert!(status.starts_with(b"Name:"), "procfs says size 0");
        }
    }

    #[test]
    fn devices_are_refused_without_reading() {
        #[cfg(unix)]
        {
            let err = read_bytes(Path::new("/dev/zero"), 16).unwrap_err();
            assert_eq!(
                err,
                ReadError::NotRegular {
                    kind: "a character device"
                }
            );
        }
        let err = read_bytes(Path::new("/"), 16).unwrap_err();
        assert_eq!(
            err,
            ReadError::NotRegular {
                kind: "a directory"
            }
        );
    }
}
