//! Directory listings of the layout, each made once per run, that answer "is anything at
//! this path, and is it a symlink?" without a `stat` per question.
//!
//! A gateway directory is asked about a dozen names in one run (its config, `.env`,
//! `gateway.cmd`, `state`, `browser`, `credentials`, `workspace`, `agents`, …), most of them
//! absent: one `stat` each was a third of the whole process's CPU at 10,000 gateways. A
//! directory asked about a second time is listed instead (`getdents`, whose entries carry
//! their type; a file system that does not give types is asked `lstat` per entry, as the
//! standard library does), and every later question about a name in it is answered from the
//! listing. A root of the layout and each directory entry of a root (the scanned home's
//! gateway directories) are listed at the first question.
//!
//! What a listing may answer, and what it leaves to the file system:
//! - Only directories of the layout are listed: a root of the scanned layout, or a directory
//!   entry (not a symlink) of a listed directory. A symlink is never followed here: questions
//!   about what lies under one go to the file system, as before.
//! - A name listed as a directory, regular file or other non-link: it is there and not a
//!   symlink. Anything more (its size, what a link leads to) still comes from the file system.
//!   It is inside the layout: its path is a root's joined with names that are none of them
//!   symlinks, so its real path is that root's real path (a root of the confinement) joined
//!   with the same names, and the reader needs no real path to confine it.
//! - A name not listed: nothing is there, but only when no case-insensitive file system could
//!   have found it under another spelling: the name is plain lowercase ASCII (no `~`, no
//!   trailing `.` or space, which FAT and NTFS lookups ignore or map) and no listed name has an
//!   uppercase or non-ASCII byte (which a folding lookup could match). Otherwise `lstat` says.
//! - A directory that could not be listed (permissions, too many entries) answers nothing.
//!
//! The listings are taken when the layout is confined ([`super::layout::confine`]), so each
//! run of a command (and each round of `--fix`, which confines again after writing) starts
//! with none: what a fix wrote is seen. Without a confined layout (a library user) nothing is
//! listed and every question goes to the file system.

use hashbrown::HashTable;
use std::ffi::OsStr;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A directory with more entries than this is not kept as a listing (its names are asked
/// about one by one, as before). The benchmark's largest home has 30,000 gateway dirs.
const MAX_ENTRIES: usize = 100_000;

/// At most this many entries are kept over all of a run's listings (a few tens of bytes
/// each): past it, directories are no longer listed, so memory stays bounded whatever a
/// layout holds. 10,000 gateways with three files each keep 40,000.
const MAX_KEPT: usize = 1_000_000;

static LISTINGS: Mutex<Option<Listings>> = Mutex::new(None);

/// What a listing says about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// Nothing is there (`lstat` would fail with "not found").
    Missing,
    /// Something is there and it is not a symlink.
    Plain(Kind),
}

/// The type of a listed entry that is not a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
    /// A FIFO, socket or device.
    Other,
}

/// A listed entry's type, as `getdents` (or `lstat`) gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Plain(Kind),
    Symlink,
    /// The type could not be had.
    Unknown,
}

/// The entries of one directory. A clone shares them (the home's listing, 10,000 names at
/// 10,000 gateways, is handed to discovery whole).
#[derive(Debug, Clone)]
pub struct Listing {
    /// Every name, one after another, in one allocation (not one each: 5 at a gateway's
    /// directory, 10,000 at the home of 10,000 gateways).
    names: Arc<[u8]>,
    /// Each entry's name in `names` and its type, sorted by name (kept for the run, without
    /// spare capacity).
    entries: Arc<[Slot]>,
    /// Whether a name has an uppercase or non-ASCII byte: a case-insensitive lookup could
    /// then find a name that is not listed as spelt.
    folds: bool,
    /// The entries' positions by name, for a directory of more than [`INDEXED_FROM`]
    /// entries.
    index: Option<Arc<NameIndex>>,
}

/// An entry of a [`Listing`]: its name, `names[start..start + len]`, and its type.
#[derive(Debug, Clone, Copy)]
struct Slot {
    start: u32,
    len: u32,
    entry: Entry,
}

impl Slot {
    fn name<'a>(&self, names: &'a [u8]) -> &'a [u8] {
        &names[self.start as usize..self.start as usize + self.len as usize]
    }
}

/// A directory with more entries than this has its names indexed: the scanned home holds
/// every gateway's directory and is asked about each of them a few times (a binary search of
/// 10,000 names is 14 comparisons; the index is one hash and, for a listed name, one).
const INDEXED_FROM: usize = 32;

/// Positions in [`Listing::entries`] by the hash of the name (foldhash with a per-process
/// random seed: names come from the layout, which an attacker may write).
#[derive(Debug, Clone)]
struct NameIndex {
    table: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl NameIndex {
    fn of(names: &[u8], entries: &[Slot]) -> NameIndex {
        let hasher = foldhash::fast::RandomState::default();
        let hash = |slot: &Slot| hasher.hash_one(slot.name(names));
        let mut table = HashTable::with_capacity(entries.len());
        for (at, slot) in entries.iter().enumerate() {
            // Fewer than `MAX_ENTRIES` entries: the position fits.
            table.insert_unique(hash(slot), at as u32, |&i| hash(&entries[i as usize]));
        }
        NameIndex { table, hasher }
    }

    fn position(&self, names: &[u8], entries: &[Slot], name: &OsStr) -> Option<usize> {
        let name = name.as_encoded_bytes();
        let hash = self.hasher.hash_one(name);
        let found = self
            .table
            .find(hash, |&i| entries[i as usize].name(names) == name)?;
        Some(*found as usize)
    }
}

#[derive(Debug)]
enum Dir {
    /// Asked about once: not listed yet (a directory asked about once costs one `stat`, as
    /// before, not a listing).
    Seen,
    Listed(Listing),
    /// It does not exist: nothing below it does either.
    Missing,
    /// Not listed and never will be this run (outside the layout, a symlink, unreadable, too
    /// large): its names are asked about on the file system.
    Unlisted,
}

struct Listings {
    /// The roots of the layout, as given and resolved: the directories listing starts from.
    roots: Vec<PathBuf>,
    /// The roots opened, that the layout's directories and listed files are opened from.
    opened_roots: OpenedRoots,
    dirs: Dirs,
    /// Entries that may still be kept (see [`MAX_KEPT`]).
    left: usize,
    /// Where each directory is read into (kept from one directory to the next).
    scratch: Scratch,
}

/// The buffers a directory is read into before its listing is made, of its exact size.
#[derive(Default)]
struct Scratch {
    /// What `getdents` gives.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    buffer: Vec<u8>,
    names: Vec<u8>,
    entries: Vec<Slot>,
}

impl Scratch {
    /// Past this many bytes a buffer is dropped once its directory is read: one large
    /// directory (the home of 10,000 profiles; a hostile one of names up to `MAX_ENTRIES`)
    /// would otherwise keep its buffers for the rest of the run. Gateway directories, most of
    /// what is read, stay far below it and reuse theirs.
    const KEPT_BYTES: usize = 64 * 1024;

    fn forget_large(&mut self) {
        if self.buffer.capacity() > Self::KEPT_BYTES {
            self.buffer = Vec::new();
        }
        if self.names.capacity() > Self::KEPT_BYTES {
            self.names = Vec::new();
        }
        if self.entries.capacity() * std::mem::size_of::<Slot>() > Self::KEPT_BYTES {
            self.entries = Vec::new();
        }
    }
}

/// Each directory asked about and its state, found by the hash of its path's bytes, hashed
/// once per question: a question's directory was looked up by its whole path three times
/// (whether it was settled, then for its state, and once more when first met), each a hash
/// and a comparison of ~50 bytes. Positions never change: a directory found keeps its place
/// while its ancestors are looked at.
#[derive(Default)]
struct Dirs {
    dirs: Vec<(Box<OsStr>, Dir)>,
    /// Positions in `dirs`, by the hash of the directory's bytes (foldhash with a per-process
    /// random seed: paths come from the layout, which an attacker may write).
    table: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl Dirs {
    fn hash(&self, dir: &Path) -> u64 {
        self.hasher.hash_one(dir.as_os_str().as_encoded_bytes())
    }

    /// The position of `dir` (of hash `hash`), if asked about before.
    fn position(&self, hash: u64, dir: &Path) -> Option<usize> {
        let dirs = &self.dirs;
        let found = self
            .table
            .find(hash, |&i| *dirs[i as usize].0 == *dir.as_os_str())?;
        Some(*found as usize)
    }

    /// The state of `dir`, if asked about before.
    fn get(&self, dir: &Path) -> Option<&Dir> {
        let at = self.position(self.hash(dir), dir)?;
        Some(&self.dirs[at].1)
    }

    /// Adds `dir` (of hash `hash`, not asked about before) in `state`; its position.
    fn push(&mut self, hash: u64, dir: &Path, state: Dir) -> usize {
        let at = self.dirs.len();
        self.dirs.push((Box::from(dir.as_os_str()), state));
        let (dirs, hasher) = (&self.dirs, &self.hasher);
        // Fewer directories than `u32::MAX`: each is a system call, and listing stops at
        // `MAX_KEPT` entries.
        self.table.insert_unique(hash, at as u32, |&i| {
            hasher.hash_one(dirs[i as usize].0.as_encoded_bytes())
        });
        at
    }
}

/// Starts a run's listings below `roots` (dropping any earlier run's).
pub(crate) fn start(roots: Vec<PathBuf>) {
    let opened_roots = OpenedRoots::open_all(&roots);
    *LISTINGS.lock().unwrap_or_else(|e| e.into_inner()) = Some(Listings {
        roots,
        opened_roots,
        dirs: Dirs::default(),
        left: MAX_KEPT,
        scratch: Scratch::default(),
    });
}

/// Drops the listings: every question goes to the file system again.
pub(crate) fn stop() {
    *LISTINGS.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// What the listing of `path`'s directory says about `path` (as placed on the host, absolute),
/// or `None` when the file system must be asked.
pub fn listed(path: &Path) -> Option<Listed> {
    let (dir, name) = split(path)?;
    let mut guard = LISTINGS.lock().unwrap_or_else(|e| e.into_inner());
    guard.as_mut()?.asked_in(dir)?.answer(name)
}

/// What one directory's listing says about the names in it, once settled for the run: a
/// caller that asks about many names of one directory (`PathKeys`, for each directory it
/// keeps) takes it once and asks it each time, without the listings' lock, a split of each
/// path or a hash of the directory's whole path per question.
#[derive(Debug, Clone)]
pub enum Directory {
    Listed(Listing),
    /// It does not exist: nothing in it does either.
    Missing,
    /// Not listed this run: every name in it goes to the file system.
    Unlisted,
}

impl Directory {
    /// What [`listed`] says of the path `dir/name`, `name` split off it as [`listed`] splits.
    pub fn answer(&self, name: &OsStr) -> Option<Listed> {
        match self {
            Directory::Listed(listing) => listing.answer(name),
            Directory::Missing => Some(Listed::Missing),
            Directory::Unlisted => None,
        }
    }
}

/// The settled state of directory `dir` (as placed on the host), counted as one question about
/// a name in it, as [`listed`] counts each (a directory seen once is listed at the next);
/// `None` while it is not settled (the file system answers this question, and the next is
/// asked here again) or when nothing is listed.
pub fn directory(dir: &Path) -> Option<Directory> {
    let mut guard = LISTINGS.lock().unwrap_or_else(|e| e.into_inner());
    let Some(known) = guard.as_mut()?.asked_in(dir) else {
        return Some(Directory::Unlisted);
    };
    known.settled()
}

/// [`directory`] of a directory about to be asked several names at once ([`NamesIn`]),
/// counted as two questions: one seen only so far is listed now, not after a first name was
/// asked of the file system (at each of the 5,000 compose project directories the scan
/// visits at 10,000 gateways, an `lstat` that found nothing, then the listing anyway).
fn directory_of_names(dir: &Path) -> Option<Directory> {
    let mut guard = LISTINGS.lock().unwrap_or_else(|e| e.into_inner());
    let listings = guard.as_mut()?;
    let hash = listings.dirs.hash(dir);
    let known = listings.dirs.position(hash, dir);
    let Some(mut at) = listings.look_at(hash, dir, known) else {
        return Some(Directory::Unlisted);
    };
    if matches!(listings.dirs.dirs[at].1, Dir::Seen) {
        let Some(listed) = listings.look_at(hash, dir, Some(at)) else {
            return Some(Directory::Unlisted);
        };
        at = listed;
    }
    listings.dirs.dirs[at].1.settled()
}

/// The settled state of directory `dir` (as placed on the host, absolute), for a caller about
/// to take all of its names (a stack manager's directory of projects deep under `--root`,
/// which the compose scan then walks): listed now, with each directory between it and its root
/// (a directory is listed once its own directory is), not after questions that went to the
/// file system. `None` when nothing is listed.
pub fn directory_whole(dir: &Path) -> Option<Directory> {
    let between: Vec<PathBuf> = {
        let guard = LISTINGS.lock().unwrap_or_else(|e| e.into_inner());
        let listings = guard.as_ref()?;
        (dir.ancestors().skip(1))
            .take_while(|a| listings.inside(a))
            .map(Path::to_path_buf)
            .collect()
    };
    for ancestor in between.iter().rev() {
        match directory_of_names(ancestor)? {
            Directory::Listed(_) => {}
            // Nothing below a missing directory; below an unlisted one, the file system says.
            settled => return Some(settled),
        }
    }
    directory_of_names(dir)
}

/// The entries of directory `dir` (as placed on the host, absolute), in name order, when it is
/// listed or can be listed at once (a root of the layout, or an entry of one); `None` when the
/// file system must be asked. Shared, not borrowed: the caller may ask [`listed`] while it
/// walks them.
pub fn entries(dir: &Path) -> Option<Listing> {
    if cfg!(not(unix)) {
        return None;
    }
    let mut guard = LISTINGS.lock().unwrap_or_else(|e| e.into_inner());
    let listings = guard.as_mut()?;
    let hash = listings.dirs.hash(dir);
    let at = match listings.dirs.position(hash, dir) {
        Some(at) if matches!(listings.dirs.dirs[at].1, Dir::Listed(_)) => at,
        known => listings.look_at(hash, dir, known)?,
    };
    match &listings.dirs.dirs[at].1 {
        Dir::Listed(listing) => Some(listing.clone()),
        _ => None,
    }
}

impl Dir {
    /// This state as a settled directory's; `None` while only seen.
    fn settled(&self) -> Option<Directory> {
        match self {
            Dir::Listed(listing) => Some(Directory::Listed(listing.clone())),
            Dir::Missing => Some(Directory::Missing),
            Dir::Unlisted => Some(Directory::Unlisted),
            Dir::Seen => None,
        }
    }

    /// What this directory's state says about `name` in it.
    fn answer(&self, name: &OsStr) -> Option<Listed> {
        match self {
            Dir::Listed(listing) => listing.answer(name),
            Dir::Missing => Some(Listed::Missing),
            Dir::Seen | Dir::Unlisted => None,
        }
    }
}

/// `(directory, name)` of an absolute path, split at its last `/`, whose name is plain (not
/// empty, `.` or `..`); `None` for any other. Only the name is looked at (it runs for every
/// question asked): a directory is only ever listed (or known missing) after its own name was
/// split so in turn, up to a root, so a directory spelt with `.`, `..` or an empty component
/// is never listed and answers nothing.
#[cfg(unix)]
fn split(path: &Path) -> Option<(&Path, &OsStr)> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let last = bytes.iter().rposition(|b| *b == b'/')?;
    let dir = Path::new(OsStr::from_bytes(&bytes[..last.max(1)]));
    let name = OsStr::from_bytes(&bytes[last + 1..]);
    answerable(bytes.len(), dir, name).then_some((dir, name))
}

/// Whether a question about `dir/name` (`len` bytes in all) is one the listings answer (see
/// [`split`]): an absolute directory, a plain name, a path short enough to name.
#[cfg(unix)]
fn answerable(len: usize, dir: &Path, name: &OsStr) -> bool {
    let name = name.as_encoded_bytes();
    dir.as_os_str().as_encoded_bytes().first() == Some(&b'/')
        && len < 4096
        && !matches!(name, b"" | b"." | b"..")
        && !name.contains(&b'/')
}

/// [`listed`] of `dir/name` for names (one component each) of one directory `dir` (as
/// placed on the host), asked one after another: the same answers, with the directory listed
/// at the first name (as [`listed`] lists it at the second) and its state taken once it is
/// settled, not the listings' lock, a split and a hash of the directory's path per name (a
/// compose project directory is asked four names for its file, four for its override).
pub struct NamesIn<'a> {
    dir: &'a Path,
    settled: Option<Directory>,
}

impl<'a> NamesIn<'a> {
    pub fn new(dir: &'a Path) -> Self {
        NamesIn { dir, settled: None }
    }

    /// What [`listed`] says of `dir/name`.
    pub fn listed(&mut self, name: &OsStr) -> Option<Listed> {
        let dir = self.dir.as_os_str().as_encoded_bytes();
        let joined_len = dir.len() + usize::from(dir.last() != Some(&b'/')) + name.len();
        if !answerable(joined_len, self.dir, name) {
            return None;
        }
        if self.settled.is_none() {
            self.settled = directory_of_names(self.dir);
        }
        self.settled.as_ref()?.answer(name)
    }
}

/// Nothing is listed off Unix: every question goes to the file system.
#[cfg(not(unix))]
fn split(_: &Path) -> Option<(&Path, &OsStr)> {
    None
}

#[cfg(not(unix))]
fn answerable(_: usize, _: &Path, _: &OsStr) -> bool {
    false
}

impl Listings {
    /// `dir`'s state after a question about a name in it; `None` when it is known to answer
    /// nothing.
    #[inline]
    fn asked_in(&mut self, dir: &Path) -> Option<&Dir> {
        // Most questions are about a directory already listed (or settled otherwise): one
        // lookup answers them.
        let hash = self.dirs.hash(dir);
        let at = match self.dirs.position(hash, dir) {
            Some(at) if !matches!(self.dirs.dirs[at].1, Dir::Seen) => at,
            known => self.look_at(hash, dir, known)?,
        };
        Some(&self.dirs.dirs[at].1)
    }

    /// Counts a question about a name in `dir`, listing it on the second (a root or an entry
    /// of one on the first). `None` when `dir` is known to answer nothing.
    fn look(&mut self, dir: &Path) -> Option<usize> {
        let hash = self.dirs.hash(dir);
        let known = self.dirs.position(hash, dir);
        self.look_at(hash, dir, known)
    }

    /// [`Listings::look`] of `dir`, of hash `hash`, at position `known` if asked about before;
    /// its position.
    fn look_at(&mut self, hash: u64, dir: &Path, known: Option<usize>) -> Option<usize> {
        let Some(at) = known else {
            // Only `dir`'s ancestors are looked at meanwhile: it is not added by them.
            let state = self.first_look(dir);
            return Some(self.dirs.push(hash, dir, state));
        };
        match self.dirs.dirs[at].1 {
            Dir::Listed(_) | Dir::Missing => {}
            Dir::Unlisted => return None,
            Dir::Seen => self.dirs.dirs[at].1 = self.list(dir),
        }
        Some(at)
    }

    /// What `dir` is at the first question about a name in it. A root (the scanned home,
    /// `--root`) is listed at once: discovery lists it anyway, and every gateway directory is
    /// one of its entries. So is an entry of a root: a gateway directory is asked about a
    /// dozen names, the first of them (its config, by discovery) would otherwise cost a `stat`
    /// of its own.
    fn first_look(&mut self, dir: &Path) -> Dir {
        let split = split(dir);
        // What the listing of `dir`'s own directory says of it (looked up once: at 10,000
        // gateways that listing is the home's, searched for every gateway directory).
        let said = split.and_then(|(parent, name)| match self.dirs.get(parent) {
            Some(Dir::Listed(listing)) => Some(listing.answer(name)),
            Some(Dir::Missing) => Some(Some(Listed::Missing)),
            _ => None,
        });
        if said == Some(Some(Listed::Missing)) {
            // Nothing below a missing name is there either, without a look.
            return Dir::Missing;
        }
        if self.is_root(dir) {
            return self.list(dir);
        }
        match split {
            // An entry of a listed root: what [`Listings::list`] would find, without asking
            // again.
            Some((parent, _)) if self.is_root(parent) => match said {
                Some(Some(Listed::Plain(Kind::Dir))) => self.read(dir),
                Some(_) => Dir::Unlisted,
                None => self.list(dir),
            },
            _ if self.inside(dir) => Dir::Seen,
            _ => Dir::Unlisted,
        }
    }

    /// Whether `dir` is one of the roots, compared as bytes.
    fn is_root(&self, dir: &Path) -> bool {
        self.roots
            .iter()
            .any(|root| root.as_os_str() == dir.as_os_str())
    }

    /// Whether `dir` (spelt plainly, see [`split`]) is a root or below one, compared as bytes
    /// (the roots are absolute and normal).
    fn inside(&self, dir: &Path) -> bool {
        let dir = dir.as_os_str().as_encoded_bytes();
        self.roots.iter().any(|root| {
            let root = root.as_os_str().as_encoded_bytes();
            dir.strip_prefix(root)
                .is_some_and(|rest| rest.is_empty() || rest[0] == b'/' || root == b"/")
        })
    }

    /// Lists `dir` if it is a root of the layout or a plain directory entry of a listed
    /// directory (that one listed first if need be).
    fn list(&mut self, dir: &Path) -> Dir {
        if !self.is_root(dir) {
            let Some((parent, name)) = split(dir) else {
                return Dir::Unlisted;
            };
            if !self.inside(parent) {
                return Dir::Unlisted;
            }
            let Some(at) = self.look(parent) else {
                return Dir::Unlisted;
            };
            match &self.dirs.dirs[at].1 {
                Dir::Listed(listing) => match listing.answer(name) {
                    Some(Listed::Plain(Kind::Dir)) => {}
                    Some(Listed::Missing) => return Dir::Missing,
                    _ => return Dir::Unlisted,
                },
                Dir::Missing => return Dir::Missing,
                // The parent was only seen so far: this directory is listed on a later look.
                Dir::Seen => return Dir::Seen,
                Dir::Unlisted => return Dir::Unlisted,
            }
        }
        self.read(dir)
    }

    /// Lists `dir` within what is left of the entries kept.
    fn read(&mut self, dir: &Path) -> Dir {
        let most = self.left.min(MAX_ENTRIES);
        let read = read(dir, most, &self.opened_roots, &mut self.scratch);
        self.scratch.forget_large();
        match read {
            Ok(Some(listing)) => {
                self.left -= listing.entries.len();
                Dir::Listed(listing)
            }
            Ok(None) => Dir::Unlisted,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Dir::Missing,
            Err(_) => Dir::Unlisted,
        }
    }
}

/// The entries of `dir`, or `None` when it has more than `most`.
fn read(
    dir: &Path,
    most: usize,
    roots: &OpenedRoots,
    scratch: &mut Scratch,
) -> std::io::Result<Option<Listing>> {
    if !read_entries(dir, most, roots, scratch)? {
        return Ok(None);
    }
    let Scratch { names, entries, .. } = scratch;
    entries.sort_unstable_by(|a, b| a.name(names).cmp(b.name(names)));
    let folds = names
        .iter()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii());
    let index = (entries.len() > INDEXED_FROM).then(|| Arc::new(NameIndex::of(names, entries)));
    Ok(Some(Listing {
        names: Arc::from(&names[..]),
        entries: Arc::from(&entries[..]),
        folds,
        index,
    }))
}

/// Puts a name read and its type after the others.
fn push_entry(names: &mut Vec<u8>, entries: &mut Vec<Slot>, name: &[u8], entry: Entry) {
    // Fewer than `MAX_ENTRIES` names of at most a few hundred bytes: the offsets fit.
    entries.push(Slot {
        start: names.len() as u32,
        len: name.len() as u32,
        entry,
    });
    names.extend_from_slice(name);
}

/// Reads the names in `dir` with their types into `scratch` (its names and entries, in the
/// directory's order), or says `false` past `most`: what `std::fs::read_dir` lists, read with
/// `getdents` into one buffer from the directory opened with `O_DIRECTORY`, without the
/// `fstat` glibc's `opendir` makes of it (the open already says it is a directory; 10,000
/// system calls at 10,000 gateways), and without a copy of each name before the one kept.
#[cfg(target_os = "linux")]
fn read_entries(
    dir: &Path,
    most: usize,
    roots: &OpenedRoots,
    scratch: &mut Scratch,
) -> std::io::Result<bool> {
    use rustix::fs::{FileType, OFlags, RawDir};
    use std::os::unix::ffi::OsStrExt;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NONBLOCK;
    let fd = roots.open(dir, flags)?;
    let Scratch {
        buffer,
        names,
        entries,
    } = scratch;
    names.clear();
    entries.clear();
    // As large as glibc's `opendir` buffer: the home of 10,000 gateways in ten calls.
    buffer.clear();
    buffer.reserve(32 * 1024);
    let mut listing = RawDir::new(fd, buffer.spare_capacity_mut());
    while let Some(entry) = listing.next() {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        if entries.len() == most {
            return Ok(false);
        }
        // The type from the listing itself, or `lstat` where the file system gives none.
        let kind = match entry.file_type() {
            FileType::Symlink => Entry::Symlink,
            FileType::Directory => Entry::Plain(Kind::Dir),
            FileType::RegularFile => Entry::Plain(Kind::File),
            FileType::Unknown => looked_at(&dir.join(OsStr::from_bytes(name))),
            _ => Entry::Plain(Kind::Other),
        };
        push_entry(names, entries, name, kind);
    }
    Ok(true)
}

/// [`read_entries`] elsewhere: through `std::fs::read_dir`.
#[cfg(not(target_os = "linux"))]
fn read_entries(
    dir: &Path,
    most: usize,
    _: &OpenedRoots,
    scratch: &mut Scratch,
) -> std::io::Result<bool> {
    let Scratch { names, entries, .. } = scratch;
    names.clear();
    entries.clear();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entries.len() == most {
            return Ok(false);
        }
        // The type from the listing itself, or `lstat` where the file system gives none.
        let kind = match entry.file_type() {
            Ok(t) if t.is_symlink() => Entry::Symlink,
            Ok(t) if t.is_dir() => Entry::Plain(Kind::Dir),
            Ok(t) if t.is_file() => Entry::Plain(Kind::File),
            Ok(_) => Entry::Plain(Kind::Other),
            Err(_) => Entry::Unknown,
        };
        let name = entry.file_name();
        push_entry(names, entries, name.as_encoded_bytes(), kind);
    }
    Ok(true)
}

/// The roots of the layout, each opened once (`O_PATH`) when listing starts, so that a
/// directory or file below one is opened relative to it (`openat`): the kernel then walks only
/// the names below the root, where a whole path's open walks the root's own components again
/// for every directory and file of every gateway (`/tmp/layouts/realistic-10000/home` is four
/// of a gateway file's six). The same names are looked up in the same directory (opened from
/// the same path, and the root's path is resolved the same way), with the same flags.
#[cfg(target_os = "linux")]
struct OpenedRoots(Vec<(PathBuf, rustix::fd::OwnedFd)>);

/// Nothing is opened relative to a root off Linux.
#[cfg(not(target_os = "linux"))]
struct OpenedRoots;

#[cfg(target_os = "linux")]
impl OpenedRoots {
    /// Each root that can be opened (one that cannot is never opened from).
    fn open_all(roots: &[PathBuf]) -> OpenedRoots {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        OpenedRoots(
            roots
                .iter()
                .filter_map(|root| {
                    let fd = rustix::fs::open(root, flags, Mode::empty()).ok()?;
                    Some((root.clone(), fd))
                })
                .collect(),
        )
    }

    /// `path` opened with `flags`: relative to the root it is spelt under (the kernel walks
    /// what follows the root from the root's directory, as it does in a walk of the whole
    /// path, `..` included), else as a whole path.
    fn open(&self, path: &Path, flags: rustix::fs::OFlags) -> std::io::Result<rustix::fd::OwnedFd> {
        use rustix::fs::Mode;
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        // The root nearest the path (fewest names left to walk).
        let below = self
            .0
            .iter()
            .filter_map(|(root, fd)| {
                let rest = bytes.strip_prefix(root.as_os_str().as_bytes())?;
                let rest = rest.strip_prefix(b"/")?;
                // Relative and not empty: `openat` would open an absolute path by itself, and
                // an empty one not at all.
                (rest.first().is_some_and(|b| *b != b'/')).then(|| (fd, OsStr::from_bytes(rest)))
            })
            .min_by_key(|(_, rest)| rest.len());
        Ok(match below {
            Some((root, rest)) => rustix::fs::openat(root, rest, flags, Mode::empty())?,
            None => rustix::fs::open(path, flags, Mode::empty())?,
        })
    }
}

#[cfg(not(target_os = "linux"))]
impl OpenedRoots {
    fn open_all(_: &[PathBuf]) -> OpenedRoots {
        OpenedRoots
    }
}

/// The layout's file `path`, opened with `flags` (relative to the root it is spelt under while
/// the layout is listed, see [`OpenedRoots`]).
#[cfg(target_os = "linux")]
pub(crate) fn open(path: &Path, flags: rustix::fs::OFlags) -> std::io::Result<std::fs::File> {
    let guard = LISTINGS.lock().unwrap_or_else(|e| e.into_inner());
    let fd = match guard.as_ref() {
        Some(listings) => listings.opened_roots.open(path, flags)?,
        None => rustix::fs::open(path, flags, rustix::fs::Mode::empty())?,
    };
    Ok(std::fs::File::from(fd))
}

/// The type of the entry `path`, from `lstat`.
#[cfg(target_os = "linux")]
fn looked_at(path: &Path) -> Entry {
    match std::fs::symlink_metadata(path).map(|meta| meta.file_type()) {
        Ok(t) if t.is_symlink() => Entry::Symlink,
        Ok(t) if t.is_dir() => Entry::Plain(Kind::Dir),
        Ok(t) if t.is_file() => Entry::Plain(Kind::File),
        Ok(_) => Entry::Plain(Kind::Other),
        Err(_) => Entry::Unknown,
    }
}

impl Listing {
    fn answer(&self, name: &OsStr) -> Option<Listed> {
        match self.position(name) {
            Some(at) => match self.entries[at].entry {
                Entry::Plain(kind) => Some(Listed::Plain(kind)),
                Entry::Symlink | Entry::Unknown => None,
            },
            None if !self.folds && only_spelling(name) => Some(Listed::Missing),
            None => None,
        }
    }

    /// Where `name` is in the entries, if listed. A small directory (a gateway's, a handful
    /// of names) is scanned for a name of the same length, then the same bytes: cheaper than
    /// a binary search's ordered comparisons (~180 instructions a question), and the same
    /// answer, a directory's names being distinct.
    fn position(&self, name: &OsStr) -> Option<usize> {
        match &self.index {
            Some(index) => index.position(&self.names, &self.entries, name),
            None => {
                let name = name.as_encoded_bytes();
                self.entries.iter().position(|slot| {
                    slot.len as usize == name.len() && slot.name(&self.names) == name
                })
            }
        }
    }

    /// Each entry's name and type, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&OsStr, Entry)> {
        let names = &self.names;
        self.entries
            .iter()
            .map(|slot| (name_of(slot.name(names)), slot.entry))
    }
}

/// A listed name's bytes as the name: each slot spans exactly the `as_encoded_bytes` of one
/// name this process read.
fn name_of(bytes: &[u8]) -> &OsStr {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        OsStr::from_bytes(bytes)
    }
    #[cfg(not(unix))]
    {
        // SAFETY: `bytes` is exactly what `as_encoded_bytes` gave for one `OsStr` of this
        // process (see above).
        unsafe { OsStr::from_encoded_bytes_unchecked(bytes) }
    }
}

/// Whether no file system lookup could find `name` under another spelling: lowercase ASCII
/// without `~` (a FAT short name), and not ending in `.` or a space (which FAT and NTFS drop).
fn only_spelling(name: &OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    bytes
        .iter()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && *b != b'~')
        && !matches!(bytes.last(), Some(b'.' | b' '))
}

/// Held by each test that starts listings (they are the process's): one at a time.
#[cfg(test)]
pub(crate) static STARTED_BY_A_TEST: Mutex<()> = Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    /// After a large directory the read buffers go (a hostile directory's names are not kept
    /// for the run); after an ordinary one they stay, to be reused.
    #[test]
    fn only_large_read_buffers_are_forgotten() {
        let mut scratch = Scratch::default();
        scratch.names.reserve(Scratch::KEPT_BYTES + 1);
        scratch.entries.reserve(Scratch::KEPT_BYTES);
        scratch.buffer.reserve(32 * 1024);
        scratch.forget_large();
        assert_eq!(scratch.names.capacity(), 0);
        assert_eq!(scratch.entries.capacity(), 0);
        assert!(scratch.buffer.capacity() >= 32 * 1024);
        scratch.names.reserve(4096);
        scratch.forget_large();
        assert!(scratch.names.capacity() >= 4096);
    }

    /// A directory of more than [`INDEXED_FROM`] entries answers through its index exactly as
    /// by a binary search of its sorted names: each listed name with its type, a symlink left
    /// to the file system, a name not listed as missing.
    #[cfg(unix)]
    #[test]
    fn a_large_directory_answers_through_its_index() {
        let dir = std::env::temp_dir().join(format!("clawlint-large-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".openclaw-d")).unwrap();
        let mut names = vec![".openclaw-d".to_string(), "link".to_string()];
        for i in 0..INDEXED_FROM {
            let name = format!(".openclaw-t{i}");
            std::fs::write(dir.join(&name), "{}").unwrap();
            names.push(name);
        }
        std::os::unix::fs::symlink(".openclaw-d", dir.join("link")).unwrap();
        let listing = read(
            &dir,
            MAX_ENTRIES,
            &OpenedRoots::open_all(&[]),
            &mut Scratch::default(),
        )
        .unwrap()
        .expect("listed");
        assert!(listing.index.is_some());
        let searched = Listing {
            index: None,
            ..listing.clone()
        };
        names.extend(["absent", ".openclaw-t", ".openclaw-t00", ""].map(String::from));
        for name in &names {
            let name = OsStr::new(name);
            assert_eq!(listing.answer(name), searched.answer(name), "{name:?}");
        }
        let at = |name: &str| listing.answer(OsStr::new(name));
        assert_eq!(at(".openclaw-t7"), Some(Listed::Plain(Kind::File)));
        assert_eq!(at(".openclaw-d"), Some(Listed::Plain(Kind::Dir)));
        assert_eq!(at("link"), None, "a symlink");
        assert_eq!(at("absent"), Some(Listed::Missing));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A path below an opened root opens the file its whole path names, however it is spelt
    /// (`..`, `//`); the root itself and a path outside it are opened whole.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_path_opened_from_its_root_is_the_file_its_whole_path_names() {
        use rustix::fs::OFlags;
        use std::io::Read;
        let root = std::env::temp_dir().join(format!("clawlint-opened-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/f"), "in b").unwrap();
        std::fs::write(root.join("a/f"), "in a").unwrap();
        let outside = root.with_extension("outside");
        std::fs::write(&outside, "outside").unwrap();
        let roots = OpenedRoots::open_all(std::slice::from_ref(&root));
        let text = |path: &Path, flags: OFlags| {
            let mut text = String::new();
            std::fs::File::from(roots.open(path, flags | OFlags::RDONLY).unwrap())
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let spelt = |rest: &str| PathBuf::from(format!("{}/{rest}", root.display()));
        for (rest, expected) in [("a/b/f", "in b"), ("a/b/../f", "in a"), ("a//b/f", "in b")] {
            assert_eq!(text(&spelt(rest), OFlags::empty()), expected, "{rest}");
        }
        assert_eq!(text(&outside, OFlags::empty()), "outside");
        assert!(roots
            .open(&root, OFlags::RDONLY | OFlags::DIRECTORY)
            .is_ok());
        assert!(roots.open(&spelt("a/missing"), OFlags::RDONLY).is_err());
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::remove_file(&outside).unwrap();
    }

    /// A directory asked several names through NamesIn is listed at the first (a compose
    /// project's, below a root's entry, was asked its first name of the file system, then
    /// listed at the second); `listed` still lists such a directory at the second question.
    #[cfg(unix)]
    #[test]
    fn names_in_lists_its_directory_at_the_first_name() {
        let root = std::env::temp_dir().join(format!("clawlint-names-in-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let project = root.join("stacks/s1");
        let other = root.join("stacks/s2");
        for dir in [&project, &other] {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join("docker-compose.yml"), "services: {}").unwrap();
        }
        let _alone = STARTED_BY_A_TEST.lock().unwrap_or_else(|e| e.into_inner());
        start(vec![root.clone()]);
        let mut in_project = NamesIn::new(&project);
        let first = in_project.listed(OsStr::new("compose.yaml"));
        assert_eq!(first, Some(Listed::Missing), "answered by its listing");
        let found = in_project.listed(OsStr::new("docker-compose.yml"));
        assert_eq!(found, Some(Listed::Plain(Kind::File)));
        assert_eq!(listed(&other.join("compose.yaml")), None, "left to lstat");
        assert_eq!(listed(&other.join("compose.yaml")), Some(Listed::Missing));
        stop();
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Every answer a listing gives is what `lstat` says; a name that a case-insensitive
    /// lookup might find, a symlink and what lies below one are left to the file system.
    #[cfg(unix)]
    #[test]
    fn listings_answer_as_lstat_does() {
        let root = std::env::temp_dir().join(format!("clawlint-listing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let gateway = root.join(".openclaw-a");
        std::fs::create_dir_all(gateway.join("agents")).unwrap();
        std::fs::write(gateway.join("openclaw.json"), "{}").unwrap();
        std::os::unix::fs::symlink("agents", gateway.join("workspace")).unwrap();
        let upper = root.join("Upper");
        std::fs::create_dir_all(&upper).unwrap();
        std::fs::write(upper.join("Config.json"), "{}").unwrap();
        let _alone = STARTED_BY_A_TEST.lock().unwrap_or_else(|e| e.into_inner());
        start(vec![root.clone()]);
        let ask = |path: &Path| {
            // The second question about a directory lists it.
            listed(path);
            listed(path)
        };
        let file = Listed::Plain(Kind::File);
        assert_eq!(ask(&gateway.join("openclaw.json")), Some(file));
        assert_eq!(ask(&gateway.join("agents")), Some(Listed::Plain(Kind::Dir)));
        assert_eq!(ask(&gateway.join(".env")), Some(Listed::Missing));
        assert_eq!(
            ask(&gateway.join("state/openclaw.sqlite")),
            Some(Listed::Missing)
        );
        assert_eq!(ask(&gateway.join("workspace")), None, "a symlink");
        assert_eq!(ask(&gateway.join("workspace/x")), None, "below a symlink");
        assert_eq!(ask(&gateway.join("OPENCLAW.json")), None, "not lowercase");
        assert_eq!(ask(&gateway.join("openclaw.json.")), None, "a trailing dot");
        assert_eq!(ask(&upper.join("config.json")), None, "a folding directory");
        assert_eq!(ask(&gateway.join("a/../openclaw.json")), None, "not plain");
        assert_eq!(ask(&gateway.join("./.env")), None, "not plain");
        // A directory's listing, taken once, says what `listed` says of each name in it.
        let names = [
            "openclaw.json",
            "agents",
            ".env",
            "workspace",
            "Config.json",
            "x",
        ];
        for dir in [&gateway, &upper, &gateway.join("state")] {
            let directory = directory(dir).expect("settled");
            for name in names.map(OsStr::new) {
                let said = directory.answer(name);
                assert_eq!(said, listed(&dir.join(name)), "{dir:?} {name:?}");
            }
        }
        // So does NamesIn, for names `listed` answers and names it leaves to the file system
        // (not plain, a path too long to name), and for a directory not absolute.
        let long = "n".repeat(4096);
        let odd = ["", ".", "..", long.as_str()];
        let relative = Path::new("relative-dir");
        for dir in [
            &gateway,
            &upper,
            &gateway.join("state"),
            &relative.to_path_buf(),
        ] {
            let mut in_dir = NamesIn::new(dir);
            for name in names.iter().chain(&odd).map(OsStr::new) {
                let said = in_dir.listed(name);
                assert_eq!(said, listed(&dir.join(name)), "{dir:?} {name:?}");
            }
        }
        let doubled = format!("{}//.env", gateway.display());
        assert_eq!(ask(Path::new(&doubled)), None, "an empty component");
        assert_eq!(ask(&root.parent().unwrap().join("x")), None, "outside");
        // A listed directory's entries, in name order, each with its type.
        let listing = entries(&gateway).expect("listed");
        let names: Vec<(&str, Entry)> = listing
            .iter()
            .map(|(name, entry)| (name.to_str().unwrap(), entry))
            .collect();
        assert_eq!(
            names,
            [
                ("agents", Entry::Plain(Kind::Dir)),
                ("openclaw.json", Entry::Plain(Kind::File)),
                ("workspace", Entry::Symlink),
            ]
        );
        assert!(entries(root.parent().unwrap()).is_none(), "outside");
        // The reader opens a file listed as regular at once, and still checks the handle
        // before reading: one swapped for a FIFO or a symlink since the listing is refused or
        // looked at anew, never blocks, never read through a stale answer.
        let config = gateway.join("openclaw.json");
        let read = |path: &Path| crate::load::read::read_bytes(path, 16);
        assert_eq!(read(&config), Ok(b"{}".to_vec()));
        std::fs::remove_file(&config).unwrap();
        let fifo = std::process::Command::new("mkfifo").arg(&config).status();
        assert!(fifo.unwrap().success());
        assert_eq!(
            read(&config),
            Err(crate::load::read::ReadError::NotRegular {
                kind: "a FIFO (named pipe)"
            })
        );
        std::fs::remove_file(&config).unwrap();
        std::fs::write(upper.join("Config.json"), "{ a: 1 }").unwrap();
        std::os::unix::fs::symlink(upper.join("Config.json"), &config).unwrap();
        assert_eq!(read(&config), Ok(b"{ a: 1 }".to_vec()));
        stop();
        assert_eq!(listed(&gateway.join(".env")), None, "no layout, no listing");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
