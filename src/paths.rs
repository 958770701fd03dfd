//! Path arithmetic the way Node's `path` module does it, plus canonical comparison keys.
//!
//! Paths stay as clawlint built them from the user's arguments (possibly relative to the
//! working directory), so output never shows absolute paths the user did not pass.

use crate::load::listing::{Directory, Listed};
use hashbrown::HashTable;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::hash::BuildHasher;
use std::path::{Component, Path, PathBuf};

/// What JavaScript's `String.prototype.trim` and `\s` treat as whitespace (WhiteSpace and
/// LineTerminator), for reading values the way OpenClaw's JS does.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `path.normalize`: drops `.` and folds `..` lexically.
pub fn normalize(path: &Path) -> PathBuf {
    // Most paths are normal already (plain components only): they are their own normal form,
    // byte for byte, without taking them apart and joining them again.
    if plain_spelling(path).is_some() {
        return path.to_path_buf();
    }
    normalize_components(path)
}

/// [`normalize`] component by component.
fn normalize_components(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// `realpath(path)` from its directory's real path: a path that is exactly its parent joined
/// with a plain name, and whose last component is not a symlink, is `realpath(parent)/name`,
/// with `real_dir` giving the directory's (a caller remembers it once per run: every file of a
/// directory shares it). Anything else (the last component a symlink, `.` or `..`, a trailing
/// `/`) is resolved whole, as `realpath` does. `None` when the path does not resolve.
pub fn real_path_via_dir(
    path: &Path,
    real_dir: impl FnOnce(&Path) -> Option<PathBuf>,
) -> Option<PathBuf> {
    let split = match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if parent.join(name).as_os_str() == path.as_os_str() => {
            Some((parent, name))
        }
        _ => None,
    };
    let Some((parent, name)) = split else {
        return std::fs::canonicalize(path).ok();
    };
    // Its directory's listing, where it has one, says what an `lstat` would.
    let is_symlink = match crate::load::listing::listed(path) {
        Some(Listed::Missing) => return None,
        Some(Listed::Plain(_)) => false,
        None => std::fs::symlink_metadata(path)
            .ok()?
            .file_type()
            .is_symlink(),
    };
    via_dir(path, parent, name, is_symlink, real_dir)
}

/// [`real_path_via_dir`] of a path that exists, when whether it is a symlink is already known
/// (from the `lstat` the bounded reader made).
pub fn real_path_via_dir_of(
    path: &Path,
    is_symlink: bool,
    real_dir: impl FnOnce(&Path) -> Option<PathBuf>,
) -> Option<PathBuf> {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if parent.join(name).as_os_str() == path.as_os_str() => {
            via_dir(path, parent, name, is_symlink, real_dir)
        }
        _ => std::fs::canonicalize(path).ok(),
    }
}

fn via_dir(
    path: &Path,
    parent: &Path,
    name: &std::ffi::OsStr,
    is_symlink: bool,
    real_dir: impl FnOnce(&Path) -> Option<PathBuf>,
) -> Option<PathBuf> {
    if is_symlink {
        return std::fs::canonicalize(path).ok();
    }
    let parent = match parent.as_os_str().is_empty() {
        true => Path::new("."),
        false => parent,
    };
    Some(real_dir(parent)?.join(name))
}

/// Real paths (`realpath`) remembered for one run, each path looked at once: the real path of
/// an absolute path with only plain components (no `.`, `..`, empty component or trailing
/// `/`) that is not itself a symlink is its parent's real path joined with its name, so a
/// directory costs one `lstat`, not one per component as `realpath` makes. A symlink, and any
/// other spelling, is resolved whole by `realpath`, exactly as before. A relative plain path
/// is its spelling under the process's working directory (which `getcwd` gives as a real
/// path).
#[derive(Debug, Default)]
pub struct RealPaths {
    known: ByPath<Option<PathBuf>>,
}

impl RealPaths {
    pub fn new() -> Self {
        Self::default()
    }

    /// `realpath(path)`, `None` when it does not resolve.
    pub fn real(&mut self, path: &Path) -> Option<PathBuf> {
        self.real_ref(path).map(Path::to_path_buf)
    }

    /// [`RealPaths::real`], borrowed from what is remembered (no copy of the path).
    pub fn real_ref(&mut self, path: &Path) -> Option<&Path> {
        if !self.known.contains_key(path.as_os_str()) {
            let real = self.look_up(path);
            return self
                .known
                .entry(path.as_os_str().to_owned())
                .or_insert(real)
                .as_deref();
        }
        self.known.get(path.as_os_str())?.as_deref()
    }

    /// The real path of a path not looked up yet.
    fn look_up(&mut self, path: &Path) -> Option<PathBuf> {
        // A container's own path is not on this host (looked up, it is a file under the
        // working directory): it resolves to nothing here.
        if crate::container::is_private_path(path) {
            return None;
        }
        match plain_spelling(path) {
            Some(true) => self.real_plain(path),
            Some(false) => match process_cwd() {
                Some(cwd) if !cwd.as_os_str().is_empty() => {
                    let joined = cwd.join(path);
                    match plain_spelling(&joined) {
                        Some(true) => self.real_plain(&joined),
                        _ => std::fs::canonicalize(path).ok(),
                    }
                }
                _ => std::fs::canonicalize(path).ok(),
            },
            None => std::fs::canonicalize(path).ok(),
        }
    }

    /// [`RealPaths::real`] of an absolute plain path (see [`plain_spelling`]).
    fn real_plain(&mut self, path: &Path) -> Option<PathBuf> {
        // Split at its last `/` (as `Path::parent` and `file_name` would, for a plain path,
        // without parsing its components twice).
        let Some((parent, name)) = split_at_last_slash(path) else {
            // The root itself.
            return std::fs::canonicalize(path).ok();
        };
        match crate::load::listing::listed(path) {
            Some(Listed::Missing) => return None,
            Some(Listed::Plain(_)) => return Some(join(self.real_ref(parent)?, name)),
            None => {}
        }
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path).ok(),
            Ok(_) => Some(join(self.real_ref(parent)?, name)),
            Err(_) => None,
        }
    }
}

/// A path's bytes as `Path`'s `==` compares them (component by component: `d//e/` is `d/e`):
/// its own bytes when spelt in plain components (nearly every path, borrowed), else its
/// components with one `/` between them (and none after the root). Two paths are `==`
/// exactly when these are equal; `Path`'s own `Hash` and `==` parse the components of every
/// path (~600 instructions for a layout's path).
pub(crate) fn compared_bytes(path: &Path) -> Cow<'_, [u8]> {
    if plain_spelling(path).is_some() {
        return Cow::Borrowed(path.as_os_str().as_encoded_bytes());
    }
    let mut out: Vec<u8> = Vec::with_capacity(path.as_os_str().len());
    for component in path.components() {
        if !out.is_empty() && out != b"/" {
            out.push(b'/');
        }
        out.extend_from_slice(component.as_os_str().as_encoded_bytes());
    }
    Cow::Owned(out)
}

/// `Some(true)` for an absolute path spelt with plain components only (`/a/b`: no `.`, `..`,
/// empty component or trailing `/`), `Some(false)` for such a relative one (`a/b`), `None`
/// for any other spelling.
pub(crate) fn plain_spelling(path: &Path) -> Option<bool> {
    if !cfg!(unix) {
        return None;
    }
    let bytes = path.as_os_str().as_encoded_bytes();
    let (absolute, rest) = match bytes.split_first() {
        Some((b'/', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if absolute && rest.is_empty() {
        return Some(true);
    }
    names_only(rest).then_some(absolute)
}

/// Whether every component of `rest` (split at each `/`) is a name: not empty, `.` or `..`.
/// Only a component that starts with `/` (an empty one) or `.` can be other than a name, so
/// only those are looked at, found sixteen bytes at a time (one SSE2 test of a block on
/// x86_64: this runs for ~370,000 paths at 10,000 gateways; eight bytes at a time as a `u64`
/// it cost ~300 instructions a layout path).
fn names_only(rest: &[u8]) -> bool {
    use crate::words::{block_at, two_byte_marks, BLOCK};
    if rest.last().is_none_or(|b| *b == b'/') {
        // Empty, or a trailing `/` (an empty last component).
        return false;
    }
    let whole = rest.len() - rest.len() % BLOCK;
    // Bit 0: the first component starts at 0, as if after a `/`.
    let mut after_slash = 1;
    for at in (0..whole).step_by(BLOCK) {
        let block = rest[at..at + BLOCK].try_into().expect("a whole block");
        let (slashes, dots) = two_byte_marks(block, b'/', b'.');
        if !names_in_block(rest, at, slashes, dots, after_slash, 0) {
            return false;
        }
        after_slash = slashes >> (BLOCK - 1);
    }
    if whole == rest.len() {
        return true;
    }
    match rest.len().checked_sub(BLOCK) {
        // The last bytes as the text's last block, which overlaps the one before it (no copy
        // of them into a padded block: ~a fifth of the whole test's cost): its bytes before
        // `whole` were looked at, and each byte after those follows one in the block.
        Some(last) => {
            let block = rest[last..].try_into().expect("the last block");
            let (slashes, dots) = two_byte_marks(block, b'/', b'.');
            names_in_block(rest, last, slashes, dots, 0, whole - last)
        }
        // Shorter than a block: padded (spaces, which neither test marks).
        None => {
            let (slashes, dots) = two_byte_marks(block_at(rest, 0), b'/', b'.');
            names_in_block(rest, 0, slashes, dots, 1, 0)
        }
    }
}

/// Whether every component that starts in the block of `rest` at `at` (from its byte `from`
/// on) is a name, given the block's `/`s and `.`s and whether the byte before it is a `/`.
#[inline(always)]
fn names_in_block(
    rest: &[u8],
    at: usize,
    slashes: u32,
    dots: u32,
    after_slash: u32,
    from: usize,
) -> bool {
    // Each byte that starts a component: the byte after a `/` (bit i + 1 for bit i).
    let starts = (slashes << 1 | after_slash) & 0xffff & (u32::MAX << from);
    let mut suspects = starts & (slashes | dots);
    while suspects != 0 {
        if !name_at(rest, at + suspects.trailing_zeros() as usize) {
            return false;
        }
        suspects &= suspects - 1;
    }
    true
}

/// Whether the component of `rest` that starts at `at` (after a `/`, or at 0) is a name.
fn name_at(rest: &[u8], at: usize) -> bool {
    let end = |i: usize| rest.get(i).is_none_or(|b| *b == b'/');
    match rest.get(at) {
        None | Some(b'/') => false,
        Some(b'.') => !(end(at + 1) || (rest[at + 1] == b'.' && end(at + 2))),
        Some(_) => true,
    }
}

/// `path.resolve(base, p)`: an absolute `p` stands alone, a relative one joins `base`.
pub fn resolve(base: &Path, path: &Path) -> PathBuf {
    // What `normalize(&base.join(path))` gives, without copying a path that is its own
    // normal form twice.
    let joined = match path.is_absolute() {
        true => Cow::Borrowed(path),
        false => Cow::Owned(join(base, path)),
    };
    match plain_spelling(&joined) {
        Some(_) => joined.into_owned(),
        None => normalize_components(&joined),
    }
}

/// `base.join(name)`, made in one allocation of its exact size: `Path::join` copies `base`
/// into a buffer of `base`'s length and then grows it for `name`, a second allocation and
/// copy (470,000 joins at 10,000 gateways, ~4% of a `check`'s instructions). On Unix the
/// bytes are put together as `PathBuf::push` puts them (an absolute `name` replaces `base`,
/// one `/` between unless `base` is empty or ends in one), without its parse of both paths
/// (~100 instructions a join).
pub fn join(base: &Path, name: impl AsRef<Path>) -> PathBuf {
    let name = name.as_ref();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let (base, name) = (base.as_os_str().as_bytes(), name.as_os_str().as_bytes());
        if name.first() == Some(&b'/') {
            return PathBuf::from(OsStr::from_bytes(name));
        }
        let separator = base.last().is_some_and(|b| *b != b'/');
        let mut joined = Vec::with_capacity(base.len() + usize::from(separator) + name.len());
        joined.extend_from_slice(base);
        if separator {
            joined.push(b'/');
        }
        joined.extend_from_slice(name);
        PathBuf::from(OsString::from_vec(joined))
    }
    #[cfg(not(unix))]
    {
        let mut joined =
            PathBuf::with_capacity(base.as_os_str().len() + 1 + name.as_os_str().len());
        joined.push(base);
        joined.push(name);
        joined
    }
}

/// Expands a leading `~`, `~/` or `~\` with `home`, as OpenClaw's `expandHomePrefix` does.
/// `~user` is left alone.
pub fn expand_tilde(raw: &str, home: &Path) -> Option<PathBuf> {
    let rest = raw.strip_prefix('~')?;
    if rest.is_empty() {
        return Some(home.to_path_buf());
    }
    let rest = rest.strip_prefix('/').or_else(|| rest.strip_prefix('\\'))?;
    Some(join(home, rest))
}

/// OpenClaw's `resolveUserPath`: `~` expanded with `home`, relative paths against `cwd`.
pub fn resolve_user_path(raw: &str, home: &Path, cwd: &Path) -> PathBuf {
    match expand_tilde(raw, home) {
        Some(expanded) => resolve(cwd, &expanded),
        None => resolve(cwd, Path::new(raw)),
    }
}

/// The home a supervisor's absolute paths were written under (`/root`, `/home/ana`) and the
/// scanned home that stands for it. One mapping for every value the gateway reads on the
/// written machine: the config tree, `$include` paths, `.env` and `env.vars` values.
#[derive(Debug, Clone, Copy)]
pub struct WrittenHome<'a> {
    pub written: &'a str,
    pub home: &'a Path,
}

impl WrittenHome<'_> {
    /// `value` with the written home replaced by the scanned one, when it is that home or a
    /// path under it (whole components only: `/home/anabel` is not under `/home/ana`).
    pub fn map(&self, value: &str) -> Option<String> {
        let rest = value.strip_prefix(self.written)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        Some(format!("{}{rest}", self.home.display()))
    }
}

/// `isPathInside(root, candidate)`: equal, or below it.
pub fn is_inside(root: &Path, candidate: &Path) -> bool {
    // Two plain spellings (see [`plain_spelling`]) are their components joined by single
    // `/`s: compared as bytes, where `starts_with` takes both apart (~1,000 instructions a
    // layout path).
    if plain_spelling(root).is_some() && plain_spelling(candidate).is_some() {
        return is_inside_normal(root, candidate);
    }
    candidate.starts_with(root)
}

/// `a == b` as paths compare (component by component: `a//b/` is `a/b`): the same bytes are
/// the same path, and two plain spellings (see [`plain_spelling`]) are the same path only as
/// the same bytes. `Path`'s `==` takes two paths that differ apart component by component
/// from the back (~800 instructions for two layout paths).
pub fn same_path(a: &Path, b: &Path) -> bool {
    if a.as_os_str() == b.as_os_str() {
        return true;
    }
    if plain_spelling(a).is_some() && plain_spelling(b).is_some() {
        return false;
    }
    a == b
}

fn process_cwd() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// [`absolute`], borrowing a path that is absolute and normal already (most are).
fn absolute_cow(path: Cow<'_, Path>) -> Cow<'_, Path> {
    match plain_spelling(&path) {
        Some(true) => path,
        _ => Cow::Owned(absolute(&path)),
    }
}

/// The path made absolute against the process's working directory, lexically.
pub fn absolute(path: &Path) -> PathBuf {
    match process_cwd() {
        Some(cwd) if !path.is_absolute() => resolve(cwd, path),
        _ => normalize(path),
    }
}

/// A key under which two spellings of the same directory compare equal: absolute, with
/// symlinks resolved as far as the path exists, and the rest normalised lexically. Touches the
/// file system (one `lstat` per component): resolve computes keys once, into [`PathKeys`].
pub fn canonical_key(path: &Path) -> PathBuf {
    PathKeys::default().add(path)
}

/// Hash maps on the hot paths of a run (keyed by paths, files, spans, ports): foldhash, a
/// fast hasher with a per-process random seed (the keys come from the layout, which an
/// attacker may write: no fixed hash function, so no crafted collisions), where SipHash was a
/// tenth of a 1,000-gateway `check`. No map's order is ever shown (SipHash was randomly seeded
/// too).
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
/// A set with [`FastMap`]'s hasher.
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Maps keyed by a path's bytes, with a randomly seeded hasher (paths come from the layout,
/// which an attacker may write: no fixed hash function, so no crafted collisions), faster
/// than SipHash over the component-wise hash of `Path`.
type ByPath<V> = HashMap<OsString, V, foldhash::fast::RandomState>;

/// Paths of this many bytes or more name nothing that exists (Linux's `PATH_MAX`, with its
/// NUL: the kernel refuses them, `ENAMETOOLONG`). A layout's string can be megabytes long
/// (`%h` repeated in a unit): such a path is its own key, never looked up ancestor by
/// ancestor (a call and a stored prefix for each of its components: the stack overflowed at
/// 3,000 `%h`, and memory grew with the square of its length).
const MAX_PATH_BYTES: usize = 4096;

fn too_long(path: &Path) -> bool {
    path.as_os_str().len() >= MAX_PATH_BYTES
}

/// `(path.parent(), path.file_name())` of an absolute normal path, read off its bytes at the
/// last `/` (PathKeys splits every path it looks up, ancestor by ancestor, and `Path` would
/// parse the components from the back twice); other spellings as `Path` splits them.
fn parent_and_name(path: &Path) -> Option<(&Path, &OsStr)> {
    split_at_last_slash(path).or_else(|| Some((path.parent()?, path.file_name()?)))
}

/// `path.parent()`, read off the bytes at the last `/` for a path spelt `dir` joined with a
/// plain name (nearly every path: `Path::parent` parses the components from the back, ~440
/// instructions a layout path).
pub fn parent(path: &Path) -> Option<&Path> {
    match split_at_last_slash(path) {
        Some((dir, _)) => Some(dir),
        None => path.parent(),
    }
}

/// `(dir, name)` of a path spelt exactly `dir` joined with a plain `name` (`dir.join(name)`
/// gives the path back byte for byte), split at its last `/`; `None` for any other spelling
/// (no `/`, a name that is empty, `.` or `..`, or `//` before it).
pub(crate) fn split_at_last_slash(path: &Path) -> Option<(&Path, &OsStr)> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let at = bytes.iter().rposition(|b| *b == b'/')?;
        let (parent, name) = (&bytes[..at.max(1)], &bytes[at + 1..]);
        let plain = !name.is_empty() && name != b"." && name != b"..";
        (plain && (at == 0 || bytes[at - 1] != b'/')).then(|| {
            (
                Path::new(OsStr::from_bytes(parent)),
                OsStr::from_bytes(name),
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// [`is_inside`] of two absolute normal paths (real paths, canonical keys), compared as bytes:
/// for such paths component-wise and byte-wise prefixes agree, and `Path::starts_with` parses
/// both into components first.
pub(crate) fn is_inside_normal(root: &Path, candidate: &Path) -> bool {
    let (root, candidate) = (
        root.as_os_str().as_encoded_bytes(),
        candidate.as_os_str().as_encoded_bytes(),
    );
    candidate
        .strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest[0] == b'/' || root.last() == Some(&b'/'))
}

/// Canonical keys of every path the rules compare, computed once by resolve (each directory
/// looked up once), so that rules compare paths without touching the file system.
///
/// Every path looked up (and its ancestors) is kept with its key and whether it exists (a path
/// below one that does not exist is not looked up: it cannot exist, nor be a symlink). The
/// paths' bytes live in one buffer, not one allocation each, and the table holds indices: at
/// 10,000 gateways the 70,000 paths kept took 11.3 MB as boxed paths in a map of 40-byte slots.
#[derive(Debug, Default, Clone)]
pub struct PathKeys {
    /// The bytes of every path kept, each followed by its key's when that is not the path
    /// itself. A path that extends the path kept just before it (a directory, then a name in
    /// it, as [`PathKeys::canonical`] keeps them) shares its bytes.
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// Indices into `entries`, by the hash of the path's bytes.
    table: HashTable<u32>,
    /// The entry that numbers each key kept that is no path kept as its own key (a symlink's
    /// target, a relative path's absolute form), by the hash of the key's bytes: every other
    /// key is numbered by the entry of the path it spells (see [`KeyId`]). Few: most paths
    /// are their own keys.
    other_keys: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    /// The bytes of the path kept last, when nothing was kept after them (`start..bytes.len()`).
    last: Option<usize>,
    /// The listing of each kept directory whose names were looked up, by its entry: taken
    /// from the listings once, then asked for each name (see [`PathKeys::listed`]).
    listings: FastMap<u32, Directory>,
    /// The entries of each gateway's compared paths, by the gateway's index.
    gateways: GatewayEntries,
}

/// The entries `resolve::path_keys` kept for each gateway's compared paths, by the gateway's
/// index: the path rules take each key from its entry, not by a hash and a lookup of the
/// path's bytes again (80,000 lookups at 10,000 gateways, of exactly the paths just kept).
#[derive(Debug, Default, Clone)]
struct GatewayEntries {
    gateways: Vec<OneGateway>,
    /// Each gateway's data dirs' entries, then its agents' workspace and agent dir, from its
    /// [`OneGateway::start`]: one list for every gateway, not a list each.
    lists: Vec<u32>,
}

/// A gateway's entries in [`GatewayEntries`] ([`NOT_KEPT`] for a path not kept).
#[derive(Debug, Clone, Copy)]
struct OneGateway {
    os_home: u32,
    state_dir: u32,
    config_file: u32,
    log_file: u32,
    start: u32,
    data_dirs: u32,
    agents: u32,
}

/// A kept path's entry, as [`PathKeys::insert_kept`] hands it back: its key is read from the
/// entry, without a hash or a lookup ([`PathKeys::kept_key_with_id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kept(u32);

/// A gateway's kept paths, as [`PathKeys::keep_gateway`] takes them.
pub struct GatewayKept<'a> {
    pub os_home: Kept,
    pub state_dir: Kept,
    pub config_file: Kept,
    pub log_file: Kept,
    /// In the order of the gateway's data dirs.
    pub data_dirs: &'a [Kept],
    /// Each agent's workspace and agent dir, in the order of its agents.
    pub agents: &'a [(Kept, Kept)],
}

/// One gateway's kept paths ([`PathKeys::gateway`]); nothing for a gateway whose paths were
/// not kept by `resolve::path_keys` (then each key is looked up by its path).
#[derive(Clone, Copy)]
pub struct GatewayKeys<'k> {
    kept: Option<(&'k OneGateway, &'k [u32])>,
}

impl GatewayKeys<'_> {
    fn one(&self, entry: impl Fn(&OneGateway) -> u32) -> Option<Kept> {
        self.kept.map(|(one, _)| Kept(entry(one)))
    }

    fn listed(&self, at: impl Fn(&OneGateway) -> Option<usize>) -> Option<Kept> {
        let (one, lists) = self.kept?;
        let at = at(one)?;
        Some(Kept(lists[one.start as usize + at]))
    }

    pub fn os_home(&self) -> Option<Kept> {
        self.one(|g| g.os_home)
    }

    pub fn state_dir(&self) -> Option<Kept> {
        self.one(|g| g.state_dir)
    }

    pub fn config_file(&self) -> Option<Kept> {
        self.one(|g| g.config_file)
    }

    pub fn log_file(&self) -> Option<Kept> {
        self.one(|g| g.log_file)
    }

    /// The gateway's `n`th data dir.
    pub fn data_dir(&self, n: usize) -> Option<Kept> {
        self.listed(|g| (n < g.data_dirs as usize).then_some(n))
    }

    /// The workspace of the gateway's `n`th agent.
    pub fn workspace(&self, n: usize) -> Option<Kept> {
        self.listed(|g| (n < g.agents as usize).then(|| g.data_dirs as usize + 2 * n))
    }

    /// The agent dir of the gateway's `n`th agent.
    pub fn agent_dir(&self, n: usize) -> Option<Kept> {
        self.listed(|g| (n < g.agents as usize).then(|| g.data_dirs as usize + 2 * n + 1))
    }
}

/// A path kept, its key and whether it exists.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The path is `bytes[start..start + len]`.
    start: usize,
    len: u32,
    /// The key's length, right after the path's bytes; [`SAME_KEY`]: the key is the path
    /// (most are: no symlink on them, already absolute and normal).
    key_len: u32,
    /// The key's number (see [`KeyId`]).
    key_id: u32,
    exists: bool,
}

impl Entry {
    /// The path's bytes, in [`PathKeys::bytes`].
    fn path<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        &bytes[self.start..self.start + self.len as usize]
    }
}

/// A path's key, whether it exists, and its entry.
struct Canonical {
    /// `None`: the path itself.
    key: Option<PathBuf>,
    exists: bool,
    /// Its index in [`PathKeys::entries`]; [`NOT_KEPT`] for a path too long to keep.
    entry: u32,
}

/// [`Canonical::entry`] of a path not kept.
const NOT_KEPT: u32 = u32::MAX;

/// A path's directory, by its entry in [`PathKeys::entries`] and as spelt, and its name in it.
type InDir<'a> = (u32, &'a Path, &'a OsStr);

/// [`Entry::key_len`] of a path that is its own key.
const SAME_KEY: u32 = u32::MAX;

/// A canonical key as rules and resolve compare it: numbered once, when resolve keeps it, so
/// that comparing or hashing two keys is comparing or hashing two numbers, not two paths'
/// bytes. Two paths have equal `KeyId`s exactly when their keys are the same bytes (keys are
/// absolute and normal: the same path exactly when the same bytes).
///
/// A kept key's number is the entry of the path that spells it when that path is kept as
/// its own key (nearly every key), else the first entry kept with it. A key no path was kept
/// with (a path resolve never saw) is its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyId {
    Kept(u32),
    Other(Box<OsStr>),
}

impl std::hash::Hash for KeyId {
    /// A kept key's number alone (one write, not the variant's then the number's).
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            KeyId::Kept(id) => state.write_u32(*id),
            KeyId::Other(key) => key.hash(state),
        }
    }
}

/// Paths a gateway gives [`PathKeys`] at least (its state dir, config, workspace, agent dir,
/// log and profile dirs, and their ancestors not shared with another: 11 a gateway on the
/// benchmark's layouts), so that its table is sized once, not grown by doubling (16 times at
/// 10,000 gateways, every key hashed again each time). An underestimate: the table's slots
/// are a power of two, and sized for more than a layout uses it would hold twice the slots it
/// needs.
const KEYS_PER_GATEWAY: usize = 8;

/// Paths and path bytes a gateway keeps at most on the benchmark's layouts (11 paths, 420
/// bytes with shared prefixes), for the lists: sized once, not grown by doubling (a copy of
/// each, and at the end a list of up to twice the room it uses). Room reserved and not used
/// is never touched: it costs no memory.
const LISTED_PER_GATEWAY: usize = 12;
const BYTES_PER_GATEWAY: usize = 480;

/// An entry's key in [`PathKeys::bytes`]: its path's bytes, or the bytes after them.
fn key_bytes<'a>(entry: &Entry, bytes: &'a [u8]) -> &'a [u8] {
    let end = entry.start + entry.len as usize;
    match entry.key_len {
        SAME_KEY => &bytes[entry.start..end],
        len => &bytes[end..end + len as usize],
    }
}

/// The path a span of [`PathKeys::bytes`] holds: each span is the whole of one path's
/// `as_encoded_bytes` (a shared prefix is compared byte for byte before it is shared).
fn path_of(bytes: &[u8]) -> &Path {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Path::new(OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        // SAFETY: `bytes` is exactly what `as_encoded_bytes` gave for one `OsStr` of this
        // process (see above).
        Path::new(unsafe { OsStr::from_encoded_bytes_unchecked(bytes) })
    }
}

impl PathKeys {
    /// Empty, with room for the paths of `gateways` gateways.
    pub fn for_gateways(gateways: usize) -> PathKeys {
        PathKeys {
            bytes: Vec::with_capacity(gateways.saturating_mul(BYTES_PER_GATEWAY)),
            entries: Vec::with_capacity(gateways.saturating_mul(LISTED_PER_GATEWAY)),
            table: HashTable::with_capacity(gateways.saturating_mul(KEYS_PER_GATEWAY)),
            // A gateway's own directories asked about (its state dir, its agents dir, ...):
            // not grown by doubling, each kept listing moved again each time.
            listings: FastMap::with_capacity_and_hasher(gateways, Default::default()),
            ..PathKeys::default()
        }
    }

    /// Looks every path up on the file system, sharing the work between common ancestors.
    pub fn compute<'a>(paths: impl IntoIterator<Item = &'a Path>) -> PathKeys {
        let mut keys = PathKeys::default();
        for path in paths {
            keys.insert(path);
        }
        keys
    }

    fn hash(&self, path: &Path) -> u64 {
        self.hasher.hash_one(path.as_os_str().as_encoded_bytes())
    }

    /// The entry of `path` (exactly that spelling), whose hash is `hash`.
    fn find(&self, hash: u64, path: &Path) -> Option<&Entry> {
        Some(&self.entries[self.find_index(hash, path)? as usize])
    }

    /// [`PathKeys::find`]'s index in [`PathKeys::entries`].
    fn find_index(&self, hash: u64, path: &Path) -> Option<u32> {
        self.find_bytes(hash, path.as_os_str().as_encoded_bytes())
    }

    /// [`PathKeys::find_index`] of a path's bytes.
    fn find_bytes(&self, hash: u64, bytes: &[u8]) -> Option<u32> {
        let index = self.table.find(hash, |&i| {
            self.entries[i as usize].path(&self.bytes) == bytes
        })?;
        Some(*index)
    }

    /// The key stored for `path` (exactly that spelling), and whether it exists.
    fn stored(&self, path: &Path) -> Option<(&Path, bool)> {
        let entry = self.find(self.hash(path), path)?;
        Some((self.key_of(entry), entry.exists))
    }

    /// An entry's key: its path, or the bytes after them.
    fn key_of(&self, entry: &Entry) -> &Path {
        path_of(key_bytes(entry, &self.bytes))
    }

    /// Keeps `path` (not kept yet, of hash `hash`) with its key; its entry ([`NOT_KEPT`] when
    /// too long to keep).
    fn keep(&mut self, hash: u64, path: &Path, key: &Path, exists: bool) -> u32 {
        let (path, key) = (
            path.as_os_str().as_encoded_bytes(),
            key.as_os_str().as_encoded_bytes(),
        );
        // Compared as bytes: `a/b/` and `a/b` are equal as paths, not as keys.
        let same = key == path;
        // Lengths are 32-bit: a path of gigabytes (nothing reads that much) is not kept, and
        // `key` makes its key lexically.
        let (Ok(len), Ok(key_len)) = (
            u32::try_from(path.len()),
            u32::try_from(if same { 0 } else { key.len() }),
        ) else {
            return NOT_KEPT;
        };
        let start = match self.last {
            Some(last) if path.starts_with(&self.bytes[last..]) => {
                self.bytes
                    .extend_from_slice(&path[self.bytes.len() - last..]);
                last
            }
            _ => {
                self.bytes.extend_from_slice(path);
                self.bytes.len() - path.len()
            }
        };
        self.last = Some(start);
        if !same {
            self.bytes.extend_from_slice(key);
            self.last = None;
        }
        let index = self.entries.len() as u32;
        let key_id = match same {
            true => self.number_own_key(hash, key, index),
            false => self.number_other_key(key, index),
        };
        self.entries.push(Entry {
            start,
            len,
            key_len: if same { SAME_KEY } else { key_len },
            key_id,
            exists,
        });
        let (entries, bytes, hasher) = (&self.entries, &self.bytes, &self.hasher);
        self.table.insert_unique(hash, index, |&i| {
            hasher.hash_one(entries[i as usize].path(bytes))
        });
        index
    }

    /// The number of `key`, the key of the path of hash `hash` about to be kept as entry
    /// `index` as its own key: the number an earlier path was given for the same key (one
    /// that leads here through a symlink), else its own entry.
    fn number_own_key(&mut self, hash: u64, key: &[u8], index: u32) -> u32 {
        if self.other_keys.is_empty() {
            // No symlink or other spelling met so far (the usual layout): nothing to probe.
            return index;
        }
        self.find_other_key(hash, key).unwrap_or(index)
    }

    /// The number of `key`, the key of a path about to be kept as entry `index` that is not
    /// its own key: the number of the path that spells it when that one is kept (as its own
    /// key), else of the first entry kept with it, else `index` (and kept as that).
    fn number_other_key(&mut self, key: &[u8], index: u32) -> u32 {
        let hash = self.hasher.hash_one(key);
        if let Some(id) = self.find_kept_key(hash, key) {
            return id;
        }
        let (entries, bytes, hasher) = (&self.entries, &self.bytes, &self.hasher);
        // The entry is pushed after this: its key's bytes are the last kept.
        let key_of = |i: u32| match i == index {
            true => key,
            false => key_bytes(&entries[i as usize], bytes),
        };
        self.other_keys
            .insert_unique(hash, index, |&i| hasher.hash_one(key_of(i)));
        index
    }

    /// The number of the kept key `key` (of hash `hash`): the entry of the path that spells
    /// it when that path is its own key, else from [`PathKeys::other_keys`].
    fn find_kept_key(&self, hash: u64, key: &[u8]) -> Option<u32> {
        if let Some(index) = self.find_bytes(hash, key) {
            let entry = &self.entries[index as usize];
            if key_bytes(entry, &self.bytes) == key {
                return Some(entry.key_id);
            }
        }
        self.find_other_key(hash, key)
    }

    /// The number [`PathKeys::other_keys`] holds for `key` (of hash `hash`).
    fn find_other_key(&self, hash: u64, key: &[u8]) -> Option<u32> {
        let (entries, bytes) = (&self.entries, &self.bytes);
        let found = self
            .other_keys
            .find(hash, |&i| key_bytes(&entries[i as usize], bytes) == key)?;
        Some(entries[*found as usize].key_id)
    }

    /// [`PathKeys::keep`] unless `path` is kept already.
    fn keep_new(&mut self, hash: u64, path: &Path, key: &Path, exists: bool) -> u32 {
        match self.find_index(hash, path) {
            Some(index) => index,
            None => self.keep(hash, path, key, exists),
        }
    }

    /// The key of `path`, looked up on the file system unless known already (with every
    /// ancestor's), and kept.
    pub fn add(&mut self, path: &Path) -> PathBuf {
        self.insert(path);
        self.key(path)
    }

    /// [`PathKeys::add`], the key by its number: no copy of it.
    pub fn add_id(&mut self, path: &Path) -> KeyId {
        match self.insert_entry(path) {
            NOT_KEPT => self.key_id(path),
            entry => KeyId::Kept(self.entries[entry as usize].key_id),
        }
    }

    /// [`PathKeys::add`] without handing the key back.
    pub fn insert(&mut self, path: &Path) {
        self.insert_entry(path);
    }

    /// [`PathKeys::insert`], handing back the path's entry.
    pub fn insert_kept(&mut self, path: &Path) -> Kept {
        Kept(self.insert_entry(path))
    }

    /// Records the kept paths of the next gateway (its index: the number recorded before it).
    pub fn keep_gateway(&mut self, gateway: GatewayKept) {
        let lists = &mut self.gateways.lists;
        // A list longer than 32 bits (nothing reads that much) is not recorded: looked up.
        let (Ok(start), Ok(data_dirs), Ok(agents)) = (
            u32::try_from(lists.len()),
            u32::try_from(gateway.data_dirs.len()),
            u32::try_from(gateway.agents.len()),
        ) else {
            self.gateways.gateways.push(OneGateway {
                os_home: NOT_KEPT,
                state_dir: NOT_KEPT,
                config_file: NOT_KEPT,
                log_file: NOT_KEPT,
                start: 0,
                data_dirs: 0,
                agents: 0,
            });
            return;
        };
        lists.extend(gateway.data_dirs.iter().map(|k| k.0));
        lists.extend(gateway.agents.iter().flat_map(|(w, a)| [w.0, a.0]));
        self.gateways.gateways.push(OneGateway {
            os_home: gateway.os_home.0,
            state_dir: gateway.state_dir.0,
            config_file: gateway.config_file.0,
            log_file: gateway.log_file.0,
            start,
            data_dirs,
            agents,
        });
    }

    /// The kept paths of gateway `index` (see [`PathKeys::keep_gateway`]).
    pub fn gateway(&self, index: usize) -> GatewayKeys<'_> {
        let kept = self.gateways.gateways.get(index);
        GatewayKeys {
            kept: kept.map(|one| (one, &self.gateways.lists[..])),
        }
    }

    /// [`PathKeys::key_with_id`] of `path`, read from its entry `kept` when that is the
    /// entry of `path` (as `resolve::path_keys` kept it), else looked up.
    pub fn kept_key_with_id(&self, kept: Option<Kept>, path: &Path) -> (KeyId, Cow<'_, Path>) {
        // The entry's path is compared with `path` (a few bytes, no hash), so that a record
        // that does not match its gateway can give no other path's key.
        let entry = kept
            .and_then(|Kept(at)| self.entries.get(at as usize))
            .filter(|e| e.path(&self.bytes) == path.as_os_str().as_encoded_bytes());
        match entry {
            Some(entry) => (KeyId::Kept(entry.key_id), Cow::Borrowed(self.key_of(entry))),
            None => self.key_with_id(path),
        }
    }

    /// [`PathKeys::insert`], handing back the entry of `path` ([`NOT_KEPT`] for a path too
    /// long to keep).
    fn insert_entry(&mut self, path: &Path) -> u32 {
        let hash = self.hash(path);
        if let Some(index) = self.find_index(hash, path) {
            return index;
        }
        // A container's own path is its own key, never looked up on this host.
        if too_long(path) || crate::container::is_private_path(path) {
            return self.keep(hash, path, &absolute(path), false);
        }
        // Under a copied `--root`, keyed where its links lead within the root.
        match on_host(path) {
            Some(placed) => {
                let at = absolute_cow(placed);
                // Spelt as it is placed (the usual case): `canonical` keeps it.
                if at.as_os_str() == path.as_os_str() {
                    // Not kept (asked above): looked up without asking again.
                    return self.canonical_new(hash, path).entry;
                }
                let Canonical { key, exists, .. } = self.canonical(&at);
                self.keep_new(hash, path, key.as_deref().unwrap_or(&at), exists)
            }
            None => self.keep(hash, path, &absolute(path), false),
        }
    }

    /// Keeps `path` as its own key (made absolute and normal), without touching the file
    /// system: for a path outside the layout that clawlint must not look at.
    pub fn insert_lexical(&mut self, path: &Path) -> Kept {
        let hash = self.hash(path);
        Kept(match self.find_index(hash, path) {
            Some(index) => index,
            None => self.keep(hash, path, &absolute(path), false),
        })
    }

    /// The key of `path` (absolute and normal), whether it exists, and its entry: the key is
    /// `None` for a path that is its own key (no symlink on it, the usual case), so that no key
    /// is built for it.
    #[inline(always)]
    fn canonical(&mut self, path: &Path) -> Canonical {
        self.canonical_hashed(self.hash(path), path)
    }

    /// [`PathKeys::canonical`] of a path whose hash is `hash`.
    #[inline(always)]
    fn canonical_hashed(&mut self, hash: u64, path: &Path) -> Canonical {
        if let Some(index) = self.find_index(hash, path) {
            let entry = &self.entries[index as usize];
            let key = (entry.key_len != SAME_KEY).then(|| self.key_of(entry).to_path_buf());
            let exists = entry.exists;
            return Canonical {
                key,
                exists,
                entry: index,
            };
        }
        self.canonical_new(hash, path)
    }

    /// [`PathKeys::canonical_hashed`] of a path not kept yet, which it keeps.
    fn canonical_new(&mut self, hash: u64, path: &Path) -> Canonical {
        // Each ancestor is looked up (and kept) in turn, one call deeper: bounded by the
        // length of a path that can exist.
        if too_long(path) {
            let entry = self.keep(hash, path, path, false);
            return Canonical {
                key: None,
                exists: false,
                entry,
            };
        }
        // Spelt as its directory joined with a plain name, absolute (and not too long): what
        // the listings would split it into when asked about it.
        let absolute = path.as_os_str().as_encoded_bytes().first() == Some(&b'/');
        let plain = split_at_last_slash(path).filter(|_| absolute);
        let (key, exists) = match plain.or_else(|| parent_and_name(path)) {
            Some((parent, name)) => {
                let of_parent = self.canonical(parent);
                // A parent that is its own key: the path is too (it is normal).
                let joined = of_parent.key.map(|key| key.join(name));
                let in_dir = match (&joined, plain) {
                    (None, Some(_)) if of_parent.entry != NOT_KEPT => {
                        Some((of_parent.entry, parent, name))
                    }
                    _ => None,
                };
                match of_parent.exists {
                    false => (joined, false),
                    true => self.look_up(path, joined, in_dir),
                }
            }
            None => (None, true),
        };
        let entry = self.keep(hash, path, key.as_deref().unwrap_or(path), exists);
        Canonical { key, exists, entry }
    }

    /// The key of `path`, whose directory exists, and whether it exists: `joined` (its
    /// directory's key joined with its name; `None` when that is `path` itself) unless that is
    /// a symlink. `in_dir`: see [`PathKeys::listed`].
    fn look_up(
        &mut self,
        path: &Path,
        joined: Option<PathBuf>,
        in_dir: Option<InDir>,
    ) -> (Option<PathBuf>, bool) {
        let at = joined.as_deref().unwrap_or(path);
        // The directory's listing answers most lookups without a `stat`.
        match self.listed(at, in_dir) {
            Some(Listed::Missing) => return (joined, false),
            Some(Listed::Plain(_)) => return (joined, true),
            None => {}
        }
        match std::fs::symlink_metadata(at) {
            Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(at) {
                Ok(real) => (Some(real), true),
                Err(_) => (joined, false),
            },
            Ok(_) => (joined, true),
            Err(_) => (joined, false),
        }
    }

    /// What [`listing::listed`](crate::load::listing::listed) says of `at`. With `in_dir`
    /// (`at` is spelt as that kept directory, its own key, joined with that plain name, as
    /// nearly every path is), from the directory's listing, taken from the listings at its
    /// first settled answer and kept: each later name in it is one look at its entries, not
    /// the listings' lock, a split of the path and a hash of the directory's.
    fn listed(&mut self, at: &Path, in_dir: Option<InDir>) -> Option<Listed> {
        use crate::load::listing;
        let Some((parent, dir, name)) = in_dir else {
            return listing::listed(at);
        };
        if let Some(directory) = self.listings.get(&parent) {
            return directory.answer(name);
        }
        let directory = listing::directory(dir)?;
        let answer = directory.answer(name);
        self.listings.insert(parent, directory);
        answer
    }

    /// Drops the directories' listings kept while paths were looked up (the keys are all
    /// computed: no more lookups are made).
    pub fn done_looking(&mut self) {
        self.listings = FastMap::default();
    }

    /// Test-only: `path` has the key `key`, as if a symlink on it led there.
    #[cfg(test)]
    pub(crate) fn assume(&mut self, path: &Path, key: &Path) {
        let hash = self.hash(path);
        let wanted = path.as_os_str().as_encoded_bytes();
        let (entries, bytes) = (&self.entries, &self.bytes);
        let same = |i: &u32| entries[*i as usize].path(bytes) == wanted;
        if let Ok(found) = self.table.find_entry(hash, same) {
            found.remove();
        }
        self.keep(hash, path, key, true);
    }

    /// The key of a path, without touching the file system: computed when resolve knew the
    /// path; otherwise its parent's key joined with its name (a path resolve never saw is one
    /// no symlink was found on).
    pub fn key(&self, path: &Path) -> PathBuf {
        if let Some((key, _)) = self.stored(path) {
            return key.to_path_buf();
        }
        let absolute = absolute(path);
        if let Some((key, _)) = self.stored(&absolute) {
            return key.to_path_buf();
        }
        if too_long(&absolute) {
            return absolute;
        }
        match (absolute.parent(), absolute.file_name()) {
            (Some(parent), Some(name)) => self.key(parent).join(name),
            _ => absolute,
        }
    }

    /// [`PathKeys::key`], borrowed from the keys when resolve kept the path as spelt (nearly
    /// every path a rule compares): no copy of each key.
    pub fn key_ref(&self, path: &Path) -> Cow<'_, Path> {
        match self.stored(path) {
            Some((key, _)) => Cow::Borrowed(key),
            None => Cow::Owned(self.key(path)),
        }
    }

    /// The number of `path`'s key ([`PathKeys::key`]), without touching the file system.
    pub fn key_id(&self, path: &Path) -> KeyId {
        self.key_with_id(path).0
    }

    /// [`PathKeys::key_ref`] and [`PathKeys::key_id`] of `path`, from one lookup of a path
    /// resolve kept.
    pub fn key_with_id(&self, path: &Path) -> (KeyId, Cow<'_, Path>) {
        if let Some(entry) = self.find(self.hash(path), path) {
            return (KeyId::Kept(entry.key_id), Cow::Borrowed(self.key_of(entry)));
        }
        let key = self.key(path);
        let bytes = key.as_os_str().as_encoded_bytes();
        match self.find_kept_key(self.hasher.hash_one(bytes), bytes) {
            Some(id) => (KeyId::Kept(id), Cow::Owned(key)),
            None => (KeyId::Other(key.as_os_str().into()), Cow::Owned(key)),
        }
    }
}

/// The path as text, as `path.display().to_string()` writes it (invalid UTF-8 replaced), with
/// no formatting machinery for the usual UTF-8 path (resolve writes a few into each gateway's
/// environment).
pub fn text(path: &Path) -> String {
    match path.to_str() {
        Some(text) => text.to_owned(),
        None => path.display().to_string(),
    }
}

/// Shows a path relative to clawlint's working directory when it lies below it, so output
/// shows the paths the user typed and no machine-specific prefix.
pub fn display_path(path: &Path) -> String {
    // File names come from the layout: shown so that they cannot drive a terminal or forge CI
    // output (`openclaw-gateway-x\n::error ...service`).
    let shown = match process_cwd().and_then(|c| below(c, path)) {
        Some(rest) if !rest.as_os_str().is_empty() => rest,
        _ => path,
    };
    // As `display` writes it (invalid UTF-8 replaced alike), without the formatting machinery.
    let shown = shown.to_string_lossy();
    crate::report::visible::visible(&cut(&shown)).into_owned()
}

/// What is left of `path` below `dir` (`Path::strip_prefix`); for two plain spellings (see
/// [`plain_spelling`]) the bytes after `dir`'s, where `strip_prefix` takes both apart.
pub(crate) fn below<'p>(dir: &Path, path: &'p Path) -> Option<&'p Path> {
    if plain_spelling(dir).is_some() && plain_spelling(path).is_some() {
        let (d, p) = (
            dir.as_os_str().as_encoded_bytes(),
            path.as_os_str().as_encoded_bytes(),
        );
        let rest = p.strip_prefix(d)?;
        let rest = match rest {
            [] => rest,
            [b'/', rest @ ..] => rest,
            _ if d.ends_with(b"/") => rest,
            _ => return None,
        };
        // Only on unix (`plain_spelling` says `None` elsewhere), where any bytes are a path.
        return Some(path_of(rest));
    }
    path.strip_prefix(dir).ok()
}

/// A path as long as no path that exists can be (a layout's string: `%h` repeated in a unit)
/// shown by its length, as [`crate::redact::shown`] shows a value not known to be safe:
/// each message that names it would otherwise repeat megabytes of the author's text.
fn cut(shown: &str) -> std::borrow::Cow<'_, str> {
    match shown.len() < MAX_PATH_BYTES {
        true => shown.into(),
        false => format!("<{} characters, not shown>", shown.chars().count()).into(),
    }
}

/// Shows a path under `home` as `~/…`, which is how operators read them.
pub fn display_home_relative(path: &Path, home: &Path) -> String {
    let shown = match path.strip_prefix(home) {
        Ok(rest) if rest.as_os_str().is_empty() => "~".to_string(),
        Ok(rest) => format!("~/{}", rest.display()),
        // A path of the host outside the layout (a log under `/tmp`) is the host's: absolute,
        // never cut to the directory clawlint runs in.
        Err(_) if path.is_absolute() && crate::load::layout::names_outside(path) => {
            path.to_string_lossy().into_owned()
        }
        // Outside the home (a system unit, an enabling link): as the user passed it, never
        // with this machine's absolute prefix.
        Err(_) => display_path(path),
    };
    crate::report::visible::visible(&cut(&shown)).into_owned()
}

/// `path`, a path under the copied system `root`, with every symlink on it resolved as on the
/// host the layout was copied from: an absolute target (`/etc/systemd/system/y.service`,
/// `/srv/cfg`) is read under `root`, and `..` never climbs above it (as `openat2`'s
/// `RESOLVE_IN_ROOT`). Only paths under `root` are ever looked at, whatever the links say (a
/// pull request's author writes them). `None` when `path` is not under `root`, or past 40
/// links (a loop).
pub fn resolve_in_root(root: &Path, path: &Path) -> Option<PathBuf> {
    walk_links(root, PathBuf::new(), true, path.strip_prefix(root).ok()?)
}

/// Puts `p`'s components (names and `..`) in front of what is left to walk.
fn push_front(pending: &mut std::collections::VecDeque<std::ffi::OsString>, p: &Path) {
    let parts: Vec<std::ffi::OsString> = p
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    for part in parts.into_iter().rev() {
        pending.push_front(part);
    }
}

/// `path`, under a scanned `home` that lies outside the copied system `root` (given beside
/// it, its real path not in it): walked as it is written until a link's target is absolute.
/// Under `--root` every scanned home is a home of the copied host, so an absolute target
/// (`~/.openclaw -> /srv/openclaw`) is a path of that host: the walk goes on under `root`
/// as [`resolve_in_root`] does (`..` stops at the root), never on this machine's `/srv`. A
/// relative link is followed where it is (one that climbs out of the home leads outside the
/// layout, and the reader refuses it). `None` past 40 links (a loop).
pub fn resolve_from_home(root: &Path, home: &Path, path: &Path) -> Option<PathBuf> {
    walk_links(
        root,
        home.to_path_buf(),
        false,
        path.strip_prefix(home).ok()?,
    )
}

/// Walks `rest` from `current` following each link: `current` is a path of this layout until
/// a link's target is absolute, then (or from the start, when `in_root`) a path relative to
/// `root`, where `..` stops. `None` past 40 links (a loop) or on an unreadable link.
fn walk_links(
    root: &Path,
    mut current: PathBuf,
    mut in_root: bool,
    rest: &Path,
) -> Option<PathBuf> {
    use std::collections::VecDeque;
    let mut pending = VecDeque::new();
    push_front(&mut pending, rest);
    let mut links = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            current.pop();
            continue;
        }
        let candidate = match in_root {
            true => root.join(&current).join(&part),
            false => current.join(&part),
        };
        match std::fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > 40 {
                    return None;
                }
                let target = std::fs::read_link(&candidate).ok()?;
                if target.is_absolute() {
                    in_root = true;
                    current = PathBuf::new();
                }
                push_front(&mut pending, &target);
            }
            _ => current.push(&part),
        }
    }
    Some(match in_root {
        true => root.join(current),
        false => current,
    })
}

/// The copied host a run reads (`--root`) and the scanned homes that lie in it, set once per
/// run by the command line ([`set_copied_host`]). A library user who never sets it reads every
/// path as this machine resolves it.
static COPIED_HOST: std::sync::RwLock<Option<CopiedHost>> = std::sync::RwLock::new(None);

struct CopiedHost {
    /// The root as given and as an absolute path: discovery meets both forms.
    roots: [PathBuf; 2],
    /// Each scanned home that is not written under the root but whose real path lies in it
    /// (`--home copy/home/u` reached through a link), as given and absolute: the home, and
    /// where it lies under the root.
    homes: Vec<(PathBuf, PathBuf)>,
    /// Each scanned home that lies outside the root altogether, as given and absolute: read
    /// as written, but an absolute link target in it is a path of the copied host
    /// ([`resolve_from_home`]).
    apart: Vec<PathBuf>,
    /// Each directory's resolution under the root (`None`: a loop), looked up once per run.
    dirs: std::sync::Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

/// Every later [`on_host`] resolves paths under `root` (and under the scanned `homes` whose
/// real path lies in it) against `root`, as the host the layout was copied from sees them.
/// `None` (no `--root`) clears it.
pub fn set_copied_host(root: Option<&Path>, homes: &[PathBuf]) {
    // The live host (`/`) is read as this machine resolves it: nothing to translate.
    let host = root.filter(|r| *r != Path::new("/")).map(|root| {
        let abs_root = absolute(root);
        let real_root = std::fs::canonicalize(&abs_root).ok();
        let mut placed = Vec::new();
        let mut apart = Vec::new();
        for home in homes {
            let abs = absolute(home);
            if abs.starts_with(&abs_root) {
                continue;
            }
            let Some(rest) = std::fs::canonicalize(&abs)
                .ok()
                .and_then(|real| Some(real.strip_prefix(real_root.as_ref()?).ok()?.to_path_buf()))
            else {
                apart.push(home.clone());
                apart.push(abs);
                continue;
            };
            placed.push((home.clone(), abs_root.join(&rest)));
            placed.push((abs, abs_root.join(&rest)));
        }
        CopiedHost {
            roots: [root.to_path_buf(), abs_root],
            homes: placed,
            apart,
            dirs: std::sync::Mutex::new(HashMap::new()),
        }
    });
    *COPIED_HOST.write().unwrap_or_else(|e| e.into_inner()) = host;
}

/// The path to look at for `path`, a path of the layout: under a copied `--root` (or a
/// scanned home inside it), `path` with every symlink on it resolved against the root
/// ([`resolve_in_root`]: `~/.openclaw -> /srv/openclaw`, an `EnvironmentFile=` under
/// `/etc/openclaw -> /srv/conf`, a drop-in linked to `/opt/app/override.conf`), so that
/// nothing outside the root is ever looked at; any other path as it is. `None` when the
/// links on it loop (more than 40): nothing is there to read.
///
/// Every read, existence test and directory listing of a layout path goes through this one
/// function (the reader, discovery, path keys), so a link is followed the same way wherever
/// it is met.
pub fn on_host(path: &Path) -> Option<std::borrow::Cow<'_, Path>> {
    use std::borrow::Cow;
    let guard = COPIED_HOST.read().unwrap_or_else(|e| e.into_inner());
    let Some(host) = guard.as_ref() else {
        return Some(Cow::Borrowed(path));
    };
    if let Some(root) = host.roots.iter().find(|r| path.starts_with(r)) {
        return host.resolve(root, path).map(Cow::Owned);
    }
    if let Some((home, at)) = host.homes.iter().find(|(h, _)| path.starts_with(h)) {
        let placed = at.join(path.strip_prefix(home).ok()?);
        return host.resolve(&host.roots[1], &placed).map(Cow::Owned);
    }
    match host.apart.iter().find(|h| path.starts_with(h)) {
        Some(home) => resolve_from_home(&host.roots[1], home, path).map(|p| match p == path {
            true => Cow::Borrowed(path),
            false => Cow::Owned(p),
        }),
        None => Some(Cow::Borrowed(path)),
    }
}

/// Where `path`, an absolute path as a gateway on the copied host spells it (a `tokenFile`
/// of `/run/agenix/telegram`), lies in the layout: under the copied `--root`. `None` when
/// no root is copied (the live host, or none given), or when `path` is relative or already
/// a path of the layout (under the root or a scanned home).
pub fn in_copied_root(path: &Path) -> Option<PathBuf> {
    let guard = COPIED_HOST.read().unwrap_or_else(|e| e.into_inner());
    let host = guard.as_ref()?;
    let inside = (host.roots.iter())
        .chain(host.homes.iter().map(|(h, _)| h))
        .chain(&host.apart)
        .any(|r| path.starts_with(r));
    if inside || !path.is_absolute() {
        return None;
    }
    let rest = path.strip_prefix("/").ok()?;
    Some(host.roots[1].join(rest))
}

impl CopiedHost {
    /// `path` (under `root`, one of the root's two forms) resolved against the root: its
    /// directory's resolution once per run, then its last component.
    fn resolve(&self, root: &Path, path: &Path) -> Option<PathBuf> {
        let plain = path
            .components()
            .all(|c| !matches!(c, Component::ParentDir | Component::CurDir));
        let split = match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) if plain && parent.starts_with(root) => Some((parent, name)),
            _ => None,
        };
        let Some((parent, name)) = split else {
            return resolve_in_root(root, path);
        };
        let dir = {
            let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
            dirs.entry(parent.to_path_buf())
                .or_insert_with(|| resolve_in_root(root, parent))
                .clone()?
        };
        let candidate = dir.join(name);
        match std::fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => resolve_in_root(root, &candidate),
            _ => Some(candidate),
        }
    }
}

/// Tests and checks of layout paths, each made where [`on_host`] says the path lies.
pub mod host {
    use super::on_host;
    use crate::load::listing::{listed, Kind, Listed, NamesIn};
    use std::path::Path;

    /// A regular file (symlinks followed within the copied root).
    pub fn is_file(path: &Path) -> bool {
        on_host(path).is_some_and(|p| match listed(&p) {
            Some(found) => found == Listed::Plain(Kind::File),
            None => p.is_file(),
        })
    }

    /// The first of `names` that is a regular file in `dir`, as [`is_file`] says of each
    /// `dir/name`, with the same questions to the layout's listings: `dir` placed once and
    /// its listing taken once settled, not a join, a placement and a lookup by the whole path
    /// per name.
    pub fn first_file_in(dir: &Path, names: &[&str]) -> Option<std::path::PathBuf> {
        first_file_name_in(dir, names).map(|name| dir.join(name))
    }

    /// [`first_file_in`] of `dir` and `names`, the name alone (nothing joined).
    pub fn first_file_name_in<'n>(dir: &Path, names: &[&'n str]) -> Option<&'n str> {
        // `dir/name` lies where `dir` lies, with `name` under it (as [`is_there_in`] places it).
        let placed = on_host(dir);
        let mut in_dir = placed.as_deref().map(NamesIn::new);
        let is_file = |name: &&&str| {
            let name = std::ffi::OsStr::new(name);
            match in_dir.as_mut().and_then(|d| d.listed(name)) {
                Some(found) => found == Listed::Plain(Kind::File),
                // What `is_file` asks of the file system when no listing answers.
                None => on_host(&dir.join(name)).is_some_and(|p| p.is_file()),
            }
        };
        names.iter().find(is_file).copied()
    }

    /// A directory (symlinks followed within the copied root).
    pub fn is_dir(path: &Path) -> bool {
        on_host(path).is_some_and(|p| match listed(&p) {
            Some(found) => found == Listed::Plain(Kind::Dir),
            None => p.is_dir(),
        })
    }

    /// Whether anything is at `path` itself, a link there counting whatever it leads to
    /// (`lstat` succeeds; its directory resolved within the copied root).
    pub fn is_there(path: &Path) -> bool {
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
                is_there_in(parent, name)
            }
            _ => placed_is_there(path),
        }
    }

    /// [`is_there`] of `dir`/`name`, `name` one plain component (the path is not parsed
    /// again: discovery asks it of every gateway directory).
    pub fn is_there_in(dir: &Path, name: &std::ffi::OsStr) -> bool {
        on_host(dir).is_some_and(|dir| placed_is_there(&super::join(&dir, name)))
    }

    /// Whether anything is at `placed`, a path as placed on the host.
    fn placed_is_there(placed: &Path) -> bool {
        if crate::container::is_private_path(placed) {
            return false;
        }
        match listed(placed) {
            Some(found) => found != Listed::Missing,
            None => std::fs::symlink_metadata(placed).is_ok(),
        }
    }

    /// Anything at all (symlinks followed within the copied root). A path of the layout that
    /// leads out of it (through a symlink to a directory or file outside it) counts as there,
    /// whether or not its target is: the link is, what is outside is not looked at, and a
    /// read of it is refused and says so.
    pub fn exists(path: &Path) -> bool {
        exists_within(path).unwrap_or(true)
    }

    /// Whether anything is at `path`, as far as the layout may be looked at: `None` when
    /// `path`, a path of the layout, leads out of it (as a read of it would be refused), so
    /// that no test of a path says anything about what lies outside the layout. A path the
    /// layout does not name (a container's, another machine's) is looked up as it is.
    pub fn exists_within(path: &Path) -> Option<bool> {
        let Some(placed) = on_host(path) else {
            return Some(false);
        };
        if !crate::load::layout::names_inside(path) {
            return Some(placed.exists());
        }
        let (symlink, meta) = crate::load::read::look(&placed);
        match meta {
            Ok(_) if crate::load::layout::outside_probed(&placed, symlink).is_some() => None,
            Ok(_) => Some(true),
            // Missing where a link in the layout leads out of it: nothing to say either.
            Err(_) if leads_outside(&placed) => None,
            Err(_) => Some(false),
        }
    }

    /// [`is_file`], as far as the layout may be looked at (see [`exists_within`]).
    pub fn is_file_within(path: &Path) -> Option<bool> {
        let Some(placed) = on_host(path) else {
            return Some(false);
        };
        if !crate::load::layout::names_inside(path) {
            return Some(placed.is_file());
        }
        let (symlink, meta) = crate::load::read::look(&placed);
        match meta {
            Ok(_) if crate::load::layout::outside_probed(&placed, symlink).is_some() => None,
            Ok(meta) => Some(meta.is_file()),
            Err(_) if leads_outside(&placed) => None,
            Err(_) => Some(false),
        }
    }

    /// Whether the deepest part of `path` that exists leads out of the layout (a missing file
    /// under a symlinked directory that points outside it).
    fn leads_outside(path: &Path) -> bool {
        // One too long to exist is not looked at (each look copies the whole path).
        path.ancestors()
            .skip(1)
            .filter(|dir| !super::too_long(dir))
            .find(|dir| std::fs::symlink_metadata(dir).is_ok())
            .is_some_and(|dir| crate::load::layout::outside(dir).is_some())
    }

    /// Where `path` (on the host) leads out of the layout: the real path of it, or of the
    /// deepest part of it that exists; `None` when it does not lead out.
    pub fn outside_real(path: &Path) -> Option<std::path::PathBuf> {
        let placed = on_host(path)?;
        placed
            .ancestors()
            .filter(|p| !super::too_long(p))
            .find(|p| std::fs::symlink_metadata(p).is_ok())
            .and_then(crate::load::layout::outside)
    }

    /// The metadata of what `path` leads to.
    pub fn metadata(path: &Path) -> std::io::Result<std::fs::Metadata> {
        match on_host(path) {
            Some(p) => std::fs::metadata(p),
            None => Err(looped()),
        }
    }

    /// The entries of directory `path`, listed where it lies (a linked directory's entries
    /// are named under its target in the root).
    pub fn read_dir(path: &Path) -> std::io::Result<std::fs::ReadDir> {
        match on_host(path) {
            Some(p) => std::fs::read_dir(p),
            None => Err(looped()),
        }
    }

    /// The entries of `dir` within what is `left` of a listing budget (taken from it):
    /// `None` when the directory cannot be listed, `Some(Err(()))` when it holds more than
    /// were left (then `left` is 0). At most one entry past the budget is ever listed, never
    /// the whole of a huge directory.
    pub fn read_dir_within(
        dir: &Path,
        left: &mut usize,
    ) -> Option<Result<Vec<std::fs::DirEntry>, ()>> {
        let entries = read_dir(dir).ok()?;
        let listed: Vec<std::fs::DirEntry> = entries
            .filter_map(Result::ok)
            .take(left.saturating_add(1))
            .collect();
        if listed.len() > *left {
            *left = 0;
            return Some(Err(()));
        }
        *left -= listed.len();
        Some(Ok(listed))
    }

    /// The metadata of `path` itself, not following a link it ends in (its directory
    /// resolved within the copied root).
    pub fn symlink_metadata(path: &Path) -> std::io::Result<std::fs::Metadata> {
        std::fs::symlink_metadata(placed_itself(path)?)
    }

    /// Where the link `path` points, as written (its directory resolved within the copied
    /// root).
    pub fn read_link(path: &Path) -> std::io::Result<std::path::PathBuf> {
        std::fs::read_link(placed_itself(path)?)
    }

    /// `path` placed on the host with its last component as it is (a link there not
    /// followed). A path not on this host (a container's own file) is not there.
    fn placed_itself(path: &Path) -> std::io::Result<std::path::PathBuf> {
        if crate::container::is_private_path(path) {
            return Err(std::io::ErrorKind::NotFound.into());
        }
        Ok(match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
                on_host(parent).ok_or_else(looped)?.join(name)
            }
            _ => path.to_path_buf(),
        })
    }

    fn looped() -> std::io::Error {
        std::io::Error::other("a symlink loop (too many levels of symbolic links)")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Split off the bytes, a path's parent and name are what `Path` says they are.
    #[test]
    fn parent_and_name_as_path_splits() {
        for p in [
            "/", "/a", "/a/b", "/a/b/", "/a//b", "/a/.", "/a/..", "a", "a/b", "./a", "", "/.a/b.c",
        ] {
            let path = Path::new(p);
            let expected = path.parent().zip(path.file_name());
            assert_eq!(parent_and_name(path), expected, "{p}");
        }
        for path in short_spellings() {
            assert_eq!(parent(&path), path.parent(), "{}", path.display());
        }
    }

    /// The byte scan answers as splitting at every `/` does, on every spelling of up to seven
    /// bytes from `/`, `.` and a letter.
    #[cfg(unix)]
    #[test]
    fn plain_spelling_is_what_the_components_say() {
        use std::os::unix::ffi::OsStrExt;
        let by_split = |bytes: &[u8]| {
            let (absolute, rest) = match bytes.split_first() {
                Some((b'/', rest)) => (true, rest),
                _ => (false, bytes),
            };
            if absolute && rest.is_empty() {
                return Some(true);
            }
            rest.split(|b| *b == b'/')
                .all(|part| !part.is_empty() && part != b"." && part != b"..")
                .then_some(absolute)
        };
        let mut spellings = vec![Vec::new()];
        for _ in 0..7 {
            let longer: Vec<Vec<u8>> = spellings
                .iter()
                .filter(|s| s.len() == spellings.last().map_or(0, Vec::len))
                .flat_map(|s| {
                    [b'/', b'.', b'a'].map(|b| {
                        let mut s = s.clone();
                        s.push(b);
                        s
                    })
                })
                .collect();
            spellings.extend(longer);
        }
        assert!(spellings.len() > 3_000);
        // Each also after and before plain stretches of every length up to two blocks (the
        // components are looked at sixteen bytes at a time: each spelling at every place in a
        // block, and across two).
        let stretches: Vec<Vec<u8>> = (0..=32)
            .map(|n| [b"/".as_slice(), &b"b".repeat(n)].concat())
            .collect();
        for bytes in &spellings {
            let mut variants = vec![bytes.clone()];
            for stretch in &stretches {
                variants.push([&stretch[..], bytes].concat());
                variants.push([&stretch[1..], bytes].concat());
                variants.push([bytes, &stretch[..]].concat());
            }
            for bytes in variants {
                let path = Path::new(OsStr::from_bytes(&bytes));
                assert_eq!(plain_spelling(path), by_split(&bytes), "{}", path.display());
            }
        }
    }

    /// Joined as bytes, a path is what `Path::join` makes, byte for byte, over every pair of
    /// short spellings.
    #[test]
    fn join_makes_what_path_join_makes() {
        let spellings = short_spellings();
        for base in &spellings {
            for name in &spellings {
                assert_eq!(
                    join(base, name).as_os_str(),
                    base.join(name).as_os_str(),
                    "{} joined with {}",
                    base.display(),
                    name.display()
                );
            }
        }
    }

    /// What is left below a directory, found as bytes for plain spellings, is what
    /// `strip_prefix` leaves, byte for byte, over every pair of short spellings.
    #[test]
    fn below_leaves_what_strip_prefix_leaves() {
        let spellings = short_spellings();
        for dir in &spellings {
            for path in &spellings {
                let bytes = |p: Option<&Path>| p.map(|p| p.as_os_str().as_encoded_bytes().to_vec());
                assert_eq!(
                    bytes(below(dir, path)),
                    bytes(path.strip_prefix(dir).ok()),
                    "{} below {}",
                    path.display(),
                    dir.display()
                );
            }
        }
    }

    /// Every spelling of up to five bytes of `/`, `.` and `a`.
    pub(crate) fn short_spellings() -> Vec<PathBuf> {
        use std::os::unix::ffi::OsStrExt;
        let mut spellings: Vec<Vec<u8>> = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|s: &Vec<u8>| {
                    [b'/', b'.', b'a'].map(|b| {
                        let mut s = s.clone();
                        s.push(b);
                        s
                    })
                })
                .collect();
            spellings.extend(last.iter().cloned());
        }
        spellings
            .iter()
            .map(|b| PathBuf::from(OsStr::from_bytes(b)))
            .collect()
    }

    #[test]
    fn absolute_links_in_a_copied_root_resolve_under_it() {
        let t = std::env::temp_dir().join(format!("clawlint-in-root-{}", std::process::id()));
        let root = t.join("root");
        let unit_dir = root.join("etc/systemd/system");
        std::fs::create_dir_all(unit_dir.join("multi-user.target.wants")).unwrap();
        std::fs::create_dir_all(root.join("srv/cfg")).unwrap();
        std::fs::create_dir_all(root.join("home/u")).unwrap();
        std::fs::write(unit_dir.join("y.service"), "[Service]\n").unwrap();
        let link = |at: &Path, to: &str| std::os::unix::fs::symlink(to, at).unwrap();
        link(
            &unit_dir.join("multi-user.target.wants/y.service"),
            "/etc/systemd/system/y.service",
        );
        link(&root.join("home/u/.config"), "/srv/cfg");
        link(&root.join("home/u/up"), "../../../../../etc");
        link(&root.join("loop"), "/loop");
        let r = |p: &str| resolve_in_root(&root, &root.join(p));
        assert_eq!(
            r("etc/systemd/system/multi-user.target.wants/y.service"),
            Some(unit_dir.join("y.service"))
        );
        assert_eq!(
            r("home/u/.config/openclaw/x.json"),
            Some(root.join("srv/cfg/openclaw/x.json"))
        );
        // `..` stops at the root: the link leads to the root's /etc, never the host's.
        assert_eq!(r("home/u/up/passwd"), Some(root.join("etc/passwd")));
        assert_eq!(r("loop/x"), None);
        assert_eq!(resolve_in_root(&root, Path::new("/etc/passwd")), None);
        std::fs::remove_dir_all(&t).unwrap();
    }

    #[test]
    fn a_written_home_maps_whole_components_only() {
        let home = Path::new("/scan/home");
        let w = WrittenHome {
            written: "/home/ana",
            home,
        };
        assert_eq!(w.map("/home/ana").as_deref(), Some("/scan/home"));
        assert_eq!(
            w.map("/home/ana/.openclaw/gw.json5").as_deref(),
            Some("/scan/home/.openclaw/gw.json5")
        );
        assert_eq!(w.map("/home/anabel/ws"), None);
        assert_eq!(w.map("ws/home/ana"), None);
        assert_eq!(w.map("~/ws"), None);
    }

    #[test]
    fn normalize_folds_dots() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(normalize(Path::new("/../x")), PathBuf::from("/x"));
        assert_eq!(normalize(Path::new("a/..")), PathBuf::from("."));
    }

    /// The shortcut for paths that are normal already gives what the component-wise form
    /// gives, byte for byte.
    #[test]
    fn normalize_shortcut_agrees() {
        for spelling in [
            "/", "/a", "/a/b", "a", "a/b", ".a/b..", "/a b/ü", "", ".", "..", "./a", "a/.",
            "a/./b", "a//b", "//a", "/a/", "a/", "/a/..", "../a", "a/../b", "/.", "/..", "...",
            "a/.../b",
        ] {
            let path = Path::new(spelling);
            assert_eq!(
                normalize(path).as_os_str(),
                normalize_components(path).as_os_str(),
                "{spelling:?}"
            );
        }
    }

    /// Real paths from the memo are `realpath`'s, through symlinked directories, a symlinked
    /// file, `..` after a link, relative spellings and missing paths.
    #[test]
    fn real_paths_agree_with_realpath() {
        let dir = std::env::temp_dir().join(format!("clawlint-realpaths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("real/sub")).unwrap();
        std::fs::write(dir.join("real/sub/f"), "").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("real"), dir.join("link")).unwrap();
            std::os::unix::fs::symlink("sub/f", dir.join("real/flink")).unwrap();
            std::os::unix::fs::symlink("nowhere", dir.join("real/dangling")).unwrap();
        }
        let dir = std::fs::canonicalize(&dir).unwrap();
        let mut memo = RealPaths::new();
        for rest in [
            "",
            "real",
            "real/sub",
            "real/sub/f",
            "link",
            "link/sub",
            "link/sub/f",
            "link/flink",
            "real/flink",
            "real/dangling",
            "missing",
            "missing/x",
            "real/sub/f/x",
            "link/..",
            "link/sub/..",
            "real/./sub",
            "real//sub",
            "real/sub/",
        ] {
            let path = dir.join(rest);
            for _ in 0..2 {
                assert_eq!(
                    memo.real(&path),
                    std::fs::canonicalize(&path).ok(),
                    "{rest}"
                );
            }
        }
        let relative = Path::new("Cargo.toml");
        assert_eq!(memo.real(relative), std::fs::canonicalize(relative).ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tilde_forms() {
        let home = Path::new("/h");
        assert_eq!(expand_tilde("~", home), Some(PathBuf::from("/h")));
        assert_eq!(expand_tilde("~/x", home), Some(PathBuf::from("/h/x")));
        assert_eq!(expand_tilde("~user/x", home), None);
        assert_eq!(expand_tilde("x", home), None);
        assert_eq!(
            resolve_user_path("rel/ws", home, Path::new("/cwd")),
            PathBuf::from("/cwd/rel/ws")
        );
    }

    #[test]
    fn inside_is_component_wise() {
        assert!(is_inside(Path::new("/a/b"), Path::new("/a/b/c")));
        assert!(is_inside(Path::new("/a/b"), Path::new("/a/b")));
        assert!(!is_inside(Path::new("/a/b"), Path::new("/a/bc")));
    }

    /// `is_inside` and `same_path` answer as `Path::starts_with` and `==` do for every pair
    /// of spellings of up to five bytes of `/`, `.` and `a`, alone and under a longer plain
    /// directory (the byte comparisons of plain spellings, and the component-wise ones).
    #[cfg(unix)]
    #[test]
    fn inside_and_same_agree_with_the_components() {
        let short = short_spellings();
        let under = |p: &PathBuf| PathBuf::from(format!("/srv/aa{}", p.display()));
        for a in &short {
            for b in &short {
                for (a, b) in [(a.clone(), b.clone()), (under(a), under(b))] {
                    assert_eq!(is_inside(&a, &b), b.starts_with(&a), "{a:?} {b:?}");
                    assert_eq!(same_path(&a, &b), a == b, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn canonical_keys_see_through_symlinks() {
        let dir = std::env::temp_dir().join(format!("clawlint-canon-{}", std::process::id()));
        let real = dir.join("real");
        std::fs::create_dir_all(real.join("sub")).unwrap();
        let link = dir.join("link");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(
            canonical_key(&link.join("sub")),
            canonical_key(&real.join("sub"))
        );
        assert_eq!(
            canonical_key(&link.join("missing/x")),
            canonical_key(&real.join("missing/x"))
        );
        assert_ne!(
            canonical_key(&dir.join("a")),
            canonical_key(&dir.join("ab"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A fresh scratch directory holding `dirs` and `link`, a symlink to its `real`.
    fn scratch_with_link(label: &str, dirs: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("clawlint-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(dirs)).unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("link")).unwrap();
        dir
    }

    /// Keys kept in one buffer (a path sharing the bytes of the path kept before it, a key
    /// that is not its path stored after it) read back the same whatever order the paths were
    /// kept in, and the same as each path's own lookup.
    #[test]
    fn kept_keys_do_not_depend_on_the_order_paths_were_kept_in() {
        let dir = scratch_with_link("keys", "real/sub/deeper");
        let paths: Vec<PathBuf> = [
            "real/sub/deeper/file",
            "link/sub/deeper/file",
            "link/sub",
            "real",
            "missing/a/b",
            "link/missing/c",
            "real/sub/../sub/./deeper",
            "real/sub/",
        ]
        .iter()
        .map(|p| dir.join(p))
        .collect();
        let alone: Vec<PathBuf> = paths.iter().map(|p| canonical_key(p)).collect();
        for order in [paths.clone(), paths.iter().rev().cloned().collect()] {
            let keys = PathKeys::compute(order.iter().map(PathBuf::as_path));
            for (path, key) in paths.iter().zip(&alone) {
                assert_eq!(&keys.key(path), key, "{path:?}");
            }
        }
        assert_eq!(alone[0], alone[1], "through the link");
        assert_eq!(alone[6], canonical_key(&dir.join("real/sub/deeper")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Two paths' key numbers are equal exactly when their keys are, whatever order the paths
    /// were kept in (a symlink kept before or after the path it leads to, a relative spelling,
    /// `..`), for paths kept and paths resolve never saw.
    #[test]
    fn key_numbers_are_equal_exactly_when_the_keys_are() {
        let dir = scratch_with_link("key-ids", "real/sub");
        std::os::unix::fs::symlink(dir.join("real/sub"), dir.join("sublink")).unwrap();
        let kept: Vec<PathBuf> = [
            "link/sub",
            "real/sub",
            "sublink",
            "real",
            "link",
            "real/sub/../sub",
            "missing/x",
            "real/other",
            "link/other",
        ]
        .iter()
        .map(|p| dir.join(p))
        .collect();
        let mut asked = kept.clone();
        asked.extend(["real/sub/never", "link/sub/never", "real/never"].map(|p| dir.join(p)));
        let cwd = std::env::current_dir().unwrap();
        if let Ok(rest) = dir.strip_prefix(&cwd) {
            // The same directory, spelt relative to the working directory.
            asked.push(rest.join("real/sub"));
        }
        for order in [kept.clone(), kept.iter().rev().cloned().collect()] {
            let mut keys = PathKeys::default();
            for path in &order {
                let id = keys.add_id(path);
                assert_eq!(id, keys.key_id(path), "{path:?}");
            }
            for a in &asked {
                for b in &asked {
                    let same_key = keys.key(a) == keys.key(b);
                    assert_eq!(keys.key_id(a) == keys.key_id(b), same_key, "{a:?} {b:?}");
                }
                let (id, key) = keys.key_with_id(a);
                assert_eq!((id, key.into_owned()), (keys.key_id(a), keys.key(a)));
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A gateway's recorded entries give each path's key and number as its lookup does, for
    /// a path through a symlink, one that does not exist and one kept before; an entry given
    /// with another path, a gateway not recorded, and a data dir or agent past the gateway's
    /// own, give the path's own key (looked up).
    #[test]
    fn recorded_entries_give_the_keys_of_their_paths() {
        let dir = scratch_with_link("gateway-keys", "real/sub");
        let path = |p: &str| dir.join(p);
        let mut keys = PathKeys::default();
        keys.insert(&path("real"));
        let kept = |keys: &mut PathKeys, p: &str| keys.insert_kept(&path(p));
        let os_home = kept(&mut keys, "real");
        let state_dir = kept(&mut keys, "link/sub");
        let config_file = kept(&mut keys, "link/sub/openclaw.json");
        let log_file = keys.insert_lexical(&path("real/../missing/log"));
        let data_dirs = [kept(&mut keys, "missing/data")];
        let agents = [(kept(&mut keys, "real/ws"), kept(&mut keys, "link/agent"))];
        keys.keep_gateway(GatewayKept {
            os_home,
            state_dir,
            config_file,
            log_file,
            data_dirs: &data_dirs,
            agents: &agents,
        });
        let gateway = keys.gateway(0);
        let recorded = [
            (gateway.os_home(), "real"),
            (gateway.state_dir(), "link/sub"),
            (gateway.config_file(), "link/sub/openclaw.json"),
            (gateway.log_file(), "real/../missing/log"),
            (gateway.data_dir(0), "missing/data"),
            (gateway.workspace(0), "real/ws"),
            (gateway.agent_dir(0), "link/agent"),
        ];
        let looked_up = |p: &Path| {
            let (id, key) = keys.key_with_id(p);
            (id, key.into_owned())
        };
        for (entry, p) in recorded {
            assert!(entry.is_some(), "{p}");
            let (id, key) = keys.kept_key_with_id(entry, &path(p));
            assert_eq!((id, key.into_owned()), looked_up(&path(p)), "{p}");
        }
        assert_eq!(keys.key(&path("link/sub")), path("real/sub"));
        // Given another path's entry, or none, the path's own key.
        let (id, key) = keys.kept_key_with_id(gateway.state_dir(), &path("real/ws"));
        assert_eq!((id, key.into_owned()), looked_up(&path("real/ws")));
        let none = keys.gateway(1);
        assert_eq!(none.state_dir(), None);
        assert_eq!(gateway.data_dir(1), None);
        assert_eq!((gateway.workspace(1), gateway.agent_dir(1)), (None, None));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Keys computed while the layout is listed (each directory's listing taken once and asked
    /// for every name in it) are the keys, and say the existence, that the file system gives
    /// without listings, whatever order the paths come in (a directory asked about once is
    /// not listed: the file system answers; the next question lists it).
    #[test]
    fn keys_from_listings_are_the_file_systems() {
        let dir = std::env::temp_dir().join(format!("clawlint-keys-listed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let gateway = dir.join(".openclaw-a");
        std::fs::create_dir_all(gateway.join("agents/main/agent")).unwrap();
        std::fs::create_dir_all(dir.join("elsewhere/sub")).unwrap();
        std::fs::write(gateway.join("openclaw.json"), "{}").unwrap();
        std::os::unix::fs::symlink(dir.join("elsewhere"), gateway.join("workspace")).unwrap();
        std::os::unix::fs::symlink("missing", gateway.join("dangling")).unwrap();
        let paths: Vec<PathBuf> = [
            ".openclaw-a",
            ".openclaw-a/openclaw.json",
            ".openclaw-a/.env",
            ".openclaw-a/agents/main/agent",
            ".openclaw-a/agents/main/sessions",
            ".openclaw-a/agents/other/agent",
            ".openclaw-a/workspace",
            ".openclaw-a/workspace/sub",
            ".openclaw-a/workspace/sub/x",
            ".openclaw-a/dangling",
            ".openclaw-a/dangling/x",
            ".openclaw-a/OPENCLAW.json",
            ".openclaw-a/agents/../openclaw.json",
            ".openclaw-a//agents",
            ".openclaw-b/openclaw.json",
            "elsewhere/sub",
        ]
        .iter()
        .map(|p| dir.join(p))
        .collect();
        let said = |keys: &PathKeys| -> Vec<(PathBuf, bool)> {
            let stored = |p: &PathBuf| {
                keys.stored(p)
                    .map(|(key, exists)| (key.to_path_buf(), exists))
            };
            paths.iter().map(|p| stored(p).expect("kept")).collect()
        };
        let _alone = crate::load::listing::STARTED_BY_A_TEST
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let unlisted = said(&PathKeys::compute(paths.iter().map(PathBuf::as_path)));
        assert_eq!(unlisted[1], (paths[1].clone(), true));
        assert_eq!(unlisted[2], (paths[2].clone(), false));
        assert_eq!(unlisted[8], (dir.join("elsewhere/sub/x"), false));
        for order in [paths.clone(), paths.iter().rev().cloned().collect()] {
            crate::load::listing::start(vec![dir.clone()]);
            let keys = PathKeys::compute(order.iter().map(PathBuf::as_path));
            crate::load::listing::stop();
            assert_eq!(said(&keys), unlisted);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn home_relative_display() {
        let home = Path::new("fixtures/x/home");
        assert_eq!(
            display_home_relative(Path::new("fixtures/x/home/.openclaw"), home),
            "~/.openclaw"
        );
        assert_eq!(display_home_relative(Path::new("/srv/a"), home), "/srv/a");
    }
}
