//! What one run has already read and parsed, so that a file many gateways share (an
//! `$include` every tenant pulls in, the home's `.env`, a config a unit and the home scan both
//! reach) is read and parsed once per run, not once per gateway.
//!
//! Configs and includes are keyed by path and file identity (device, inode, size, mtime), so
//! a file changed during the run is read again. `.env` files are keyed by path, their absence
//! too, so a probe that finds nothing (`$HOME/.env` on most hosts) is made once per run.
//! What a gateway takes from a cached file is exactly what a fresh read gives: the same
//! source-map entry (the map keeps one entry per path), the same tree, the same problems.

use super::dotenv;
use super::env::EnvLayer;
use super::read::ReadError;
use super::tree::{Member, Node};
use super::Problem;
use crate::paths::FastMap as HashMap;
use crate::source::FileId;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// A file's path and identity: the same file, unchanged, when all of these are equal.
#[derive(Debug, Clone)]
pub struct Identity {
    path: PathBuf,
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
}

impl Identity {
    /// The identity of the regular file at `path` (symlinks followed), or `None` when it is
    /// not one or cannot be had (the reader then says why).
    pub fn of(path: &Path) -> Option<Identity> {
        Identity::from_meta(path, &std::fs::metadata(crate::paths::on_host(path)?).ok()?)
    }

    /// The identity of `path` from its metadata (symlinks followed), as the bounded reader's
    /// [`super::read::probe`] had it: no second look at the file.
    pub fn from_meta(path: &Path, meta: &std::fs::Metadata) -> Option<Identity> {
        if !meta.is_file() {
            return None;
        }
        #[cfg(unix)]
        let (dev, ino, mtime) = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino(), (meta.mtime(), meta.mtime_nsec()))
        };
        #[cfg(not(unix))]
        let (dev, ino, mtime) = {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or((0, 0), |d| {
                    (d.as_secs() as i64, i64::from(d.subsec_nanos()))
                });
            (0, 0, modified)
        };
        Some(Identity {
            path: path.to_path_buf(),
            dev,
            ino,
            size: meta.len(),
            mtime,
        })
    }

    /// Everything but the path.
    fn stamp(&self) -> Stamp {
        (self.dev, self.ino, self.size, self.mtime)
    }

    pub fn size(&self) -> u64 {
        self.size
    }
}

/// Paths compared as bytes, not component by component as `Path` does: a path spelt two
/// ways (`a//b`, `a/b`) only misses the cache, and the file is read again.
impl PartialEq for Identity {
    fn eq(&self, other: &Self) -> bool {
        self.stamp() == other.stamp() && self.path.as_os_str() == other.path.as_os_str()
    }
}

impl Eq for Identity {}

/// A file's [`Identity`] but its path: the cache keeps that as the key, not a second copy.
type Stamp = (u64, u64, u64, (i64, i64));

/// A config or include file as parsed: its tree (or why it did not parse), the first byte
/// that was not UTF-8, and its length.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The tree, shared (cloning it is O(1)) by every gateway that reads the file.
    pub result: Result<Node, Problem>,
    pub bad_byte: Option<usize>,
    pub text_len: usize,
    /// The tree's values and key/string bytes ([`super::include::tree_size`]), counted once.
    pub size: (usize, usize),
    /// Whether the tree has an `$include` key anywhere (OpenClaw's
    /// `containsConfigIncludeDirective`; else it is never expanded).
    pub has_include: bool,
}

/// What the cache keeps of a parsed config or include file.
#[derive(Debug)]
enum KeptFile {
    /// The file as parsed, tree and all.
    Parsed(ParsedFile),
    /// A gateway's own config, parsed without a problem, whose tree is not kept: the text it
    /// was parsed from is in the source map, and a second reader parses that again.
    Text {
        file: FileId,
        bad_byte: Option<usize>,
        text_len: usize,
        size: (usize, usize),
        has_include: bool,
    },
}

/// A `.env` file as read: missing, unreadable, or its entries (`None`: not kept; they are
/// parsed again from the file's text in the source map).
#[derive(Debug, Clone)]
pub enum DotenvFile {
    Missing,
    Unreadable(ReadError),
    Read {
        file: FileId,
        entries: Option<Vec<dotenv::Entry>>,
        bad_byte: Option<usize>,
    },
}

/// An `env.vars` object's address, and the written home its values are mapped from (to the
/// scanned one), if any.
type EnvLayerKey = (usize, Option<(String, PathBuf)>);

/// The files one run has parsed.
#[derive(Debug, Default)]
pub struct FileCache {
    /// By the path's bytes, with the rest of the identity the file had when read: a file
    /// changed since is read again, and replaces it.
    parsed: HashMap<OsString, (Stamp, KeptFile)>,
    /// Whether a gateway's own files (its config's tree, its `.env` entries) are kept as
    /// parsed for the rest of the run, or only their texts (in the source map).
    keep_own_files: bool,
    /// By the path's bytes (hashed as bytes, not component by component as `Path` hashes).
    dotenv: HashMap<OsString, DotenvFile>,
    /// The environment layer of each config `env.vars` object, by the object's address and
    /// the written-home mapping of its values; the object is kept alive here, so an address
    /// is never reused for another one.
    env_layers: HashMap<EnvLayerKey, (Arc<Vec<Member>>, Arc<EnvLayer>)>,
    /// The global OpenClaw installs of each home (every gateway of a home has the same).
    home_installs: HashMap<OsString, Vec<super::install::Installed>>,
    /// Large parts of the parsed trees with nothing to substitute (`${VAR}`-free), and the
    /// substitution walks' buffer.
    substitutions: super::env::Substitutions,
    /// The real path of each directory an include was resolved in or allowed from.
    real_dirs: crate::paths::RealPaths,
}

impl FileCache {
    /// A cache that keeps every file as parsed.
    pub fn new() -> Self {
        Self {
            keep_own_files: true,
            ..Self::default()
        }
    }

    /// A cache for a run in which no gateway is resolved after the ones whose config and
    /// `.env` files it reads (no supervisor reaches a scanned gateway's files): a gateway's
    /// own config tree and `.env` entries are not kept past it. Kept, they lived to the end
    /// of resolve, were freed there among the pages of what lives on, and stayed resident (at
    /// 10,000 gateways 17 MB of the heap's peak). A file read again after all (two gateways
    /// that share a config, or a config the command line names) is parsed again from its
    /// text in the source map: the same tree, not a second read of the file.
    pub fn dropping_own_files() -> Self {
        Self::default()
    }

    /// Makes room for `configs` configs and their `.env` files (a map grown by doubling hashes
    /// every key again each time it grows).
    pub fn reserve_configs(&mut self, configs: usize) {
        self.parsed.reserve(configs);
        self.dotenv.reserve(configs);
    }

    /// The file with this identity as this run parsed it: its tree parsed again from the
    /// source map when it was not kept ([`FileCache::keep_parsed`]).
    pub fn parsed(&self, id: &Identity, sources: &crate::source::SourceMap) -> Option<ParsedFile> {
        let (kept_as, kept) = self.parsed.get(id.path.as_os_str())?;
        if *kept_as != id.stamp() {
            return None;
        }
        match kept {
            KeptFile::Parsed(parsed) => Some(parsed.clone()),
            &KeptFile::Text {
                file,
                bad_byte,
                text_len,
                size,
                has_include,
            } => Some(ParsedFile {
                result: super::reparse_config(sources, file),
                bad_byte,
                text_len,
                size,
                has_include,
            }),
        }
    }

    /// Whether this run parsed a file at `path` (exactly that spelling): only then can
    /// [`FileCache::parsed`] find it.
    pub fn has_parsed(&self, path: &Path) -> bool {
        self.parsed.contains_key(path.as_os_str())
    }

    /// Keeps a parsed file for the rest of the run; of a gateway's own config (`own`: not an
    /// include) whose text is in the source map as `file` and that parsed, only that, unless
    /// this cache keeps gateways' own files ([`FileCache::dropping_own_files`]).
    pub fn keep_parsed(&mut self, id: Identity, parsed: &ParsedFile, own: Option<FileId>) {
        let kept = match own {
            Some(file) if !self.keep_own_files && parsed.result.is_ok() => KeptFile::Text {
                file,
                bad_byte: parsed.bad_byte,
                text_len: parsed.text_len,
                size: parsed.size,
                has_include: parsed.has_include,
            },
            _ => KeptFile::Parsed(parsed.clone()),
        };
        let stamp = id.stamp();
        self.parsed.insert(id.path.into_os_string(), (stamp, kept));
    }

    /// Whether [`FileCache::keep_dotenv`] keeps a `.env` file's entries.
    pub fn keeps_dotenv_entries(&self, in_sources: bool) -> bool {
        self.keep_own_files || !in_sources
    }

    pub fn dotenv(&self, path: &Path) -> Option<&DotenvFile> {
        self.dotenv.get(path.as_os_str())
    }

    /// Keeps a `.env` file as read; its entries only if this cache keeps gateways' own files,
    /// or when the source map does not hold the text they were parsed from (`in_sources`).
    pub fn keep_dotenv(&mut self, path: &Path, mut file: DotenvFile, in_sources: bool) {
        if let DotenvFile::Read { entries, .. } = &mut file {
            if !self.keeps_dotenv_entries(in_sources) {
                *entries = None;
            }
        }
        self.dotenv.insert(path.as_os_str().to_owned(), file);
    }

    /// The real path of directory `dir` (`None` when it does not resolve), looked up once
    /// per run.
    pub fn real_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        self.real_dirs.real(dir)
    }

    /// What this run's substitution walks share: the containers found with nothing to
    /// substitute ([`super::env::substitute_tree_with`]).
    pub fn substitutions(&mut self) -> &mut super::env::Substitutions {
        &mut self.substitutions
    }

    /// The global installs `find` finds in `home`, found once per home.
    pub fn home_installs(
        &mut self,
        home: &Path,
        find: impl FnOnce() -> Vec<super::install::Installed>,
    ) -> &[super::install::Installed] {
        let home = home.as_os_str();
        if !self.home_installs.contains_key(home) {
            let found = find();
            self.home_installs.insert(home.to_owned(), found);
        }
        &self.home_installs[home]
    }

    /// The layer `make` builds from an `env.vars` object, built once per object: a file many
    /// gateways include shares one tree, so its variables are one layer, not a copy per
    /// gateway.
    pub fn env_layer(
        &mut self,
        members: &Arc<Vec<Member>>,
        mapping: Option<(String, PathBuf)>,
        make: impl FnOnce(&[Member]) -> EnvLayer,
    ) -> Arc<EnvLayer> {
        let key = (Arc::as_ptr(members) as usize, mapping);
        let (_, layer) = self
            .env_layers
            .entry(key)
            .or_insert_with(|| (Arc::clone(members), Arc::new(make(members))));
        Arc::clone(layer)
    }
}

/// Supervisor files (units, drop-ins, plists, `gateway.cmd`, environment files) as one
/// discovery read them, by path: a template every instance starts from, a drop-in directory
/// every unit of a prefix takes, an `EnvironmentFile=` many units name are read and parsed
/// once per run, not once per unit. Installed by [`ServiceFiles::during`] for one discovery
/// (nothing is kept across runs); outside it every read goes to the file.
#[derive(Default)]
pub struct ServiceFiles {
    bytes: HashMap<(PathBuf, u64), Kept>,
    units: HashMap<PathBuf, Rc<UnitRead>>,
}

/// A file's bytes as read (shared by every reader), or why they could not be had.
type Kept = Result<Rc<[u8]>, ReadError>;

thread_local! {
    static SERVICE_FILES: std::cell::RefCell<Option<ServiceFiles>> =
        const { std::cell::RefCell::new(None) };
}

impl ServiceFiles {
    /// Runs `f` with a cache of supervisor files of its own (an enclosing one is put back).
    pub fn during<T>(f: impl FnOnce() -> T) -> T {
        let outer = SERVICE_FILES.with(|c| c.replace(Some(ServiceFiles::default())));
        let out = f();
        SERVICE_FILES.with(|c| c.replace(outer));
        out
    }

    /// The bytes of `path` (at most `limit`), read through the bounded reader once.
    pub fn bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        let key = (path.to_path_buf(), limit);
        let known = SERVICE_FILES.with(|c| {
            c.borrow()
                .as_ref()
                .and_then(|files| files.bytes.get(&key).cloned())
        });
        if let Some(known) = known {
            return known.map(|b| b.to_vec());
        }
        let read = super::read::read_bytes(path, limit);
        SERVICE_FILES.with(|c| {
            if let Some(files) = c.borrow_mut().as_mut() {
                let kept = read.as_ref().map(|b| Rc::from(b.as_slice()));
                files.bytes.insert(key, kept.map_err(Clone::clone));
            }
        });
        read
    }

    /// The text of `path` (UTF-8, at most `limit` bytes), read once: what
    /// [`super::read::read_text`] gives.
    pub fn text(path: &Path, limit: u64) -> Result<String, ReadError> {
        let bytes = Self::bytes(path, limit)?;
        String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
        })
    }

    /// The unit file, drop-in or manager configuration file at `path` (at most `limit` bytes),
    /// read and parsed once as systemd reads it ([`crate::discover::systemd::read_unit`]): the
    /// text to show and the parse.
    pub fn unit(path: &Path, limit: u64) -> Result<Rc<UnitRead>, ReadError> {
        // Parsed already (a template is read once per instance): what the read gave, without
        // copying the bytes out of the cache to look the parse up.
        let known = SERVICE_FILES.with(|c| {
            let c = c.borrow();
            let files = c.as_ref()?;
            match files.bytes.get(&(path.to_path_buf(), limit))? {
                Err(err) => Some(Err(err.clone())),
                Ok(_) => files.units.get(path).cloned().map(Ok),
            }
        });
        if let Some(known) = known {
            return known;
        }
        let bytes = Self::bytes(path, limit)?;
        Ok(Self::unit_of(path, &bytes))
    }

    /// The unit file at `path`, whose bytes are `bytes` ([`ServiceFiles::unit`]).
    fn unit_of(path: &Path, bytes: &[u8]) -> Rc<UnitRead> {
        let known = SERVICE_FILES.with(|c| {
            c.borrow()
                .as_ref()
                .and_then(|files| files.units.get(path).cloned())
        });
        if let Some(unit) = known {
            return unit;
        }
        let (text, unit) = crate::discover::systemd::read_unit(bytes);
        let read = Rc::new(UnitRead { text, unit });
        SERVICE_FILES.with(|c| {
            if let Some(files) = c.borrow_mut().as_mut() {
                files.units.insert(path.to_path_buf(), Rc::clone(&read));
            }
        });
        read
    }
}

/// A unit file as [`ServiceFiles::unit`] read it.
#[derive(Debug, PartialEq)]
pub struct UnitRead {
    /// The file's text, each sequence that is not UTF-8 replaced by U+FFFD.
    pub text: String,
    pub unit: crate::discover::systemd::UnitFile,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_during_the_run_has_a_new_identity() {
        let dir = std::env::temp_dir().join(format!("clawlint-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("inc.json5");
        std::fs::write(&path, "{ a: 1 }").unwrap();
        let first = Identity::of(&path).unwrap();
        assert_eq!(Identity::of(&path), Some(first.clone()), "unchanged");
        std::fs::write(&path, "{ a: 12 }").unwrap();
        assert_ne!(Identity::of(&path), Some(first), "changed: read again");
        assert_eq!(Identity::of(&dir), None, "a directory is never cached");
        assert_eq!(Identity::of(&dir.join("missing")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A cache that does not keep a gateway's own config gives a second reader the same tree,
    /// parsed again from the text the source map holds (one entry, no second read); an
    /// include is kept as parsed and shared.
    #[test]
    fn an_own_config_not_kept_is_parsed_again_from_its_text() {
        use crate::load::read::CONFIG_LIMIT;
        use crate::load::tree::Value;
        use crate::source::{Loc, SourceMap};
        let dir = std::env::temp_dir().join(format!("clawlint-reparse-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("openclaw.json");
        std::fs::write(
            &path,
            b"// clawlint-disable CL101\n{ gateway: { port: 18789, name: \"a\xffb\" }, $include: \"x\" }",
        )
        .unwrap();
        let members = |parsed: &ParsedFile| match &parsed.result.as_ref().unwrap().value {
            Value::Object(members) => Arc::clone(members),
            _ => panic!("an object"),
        };
        let (mut sources, mut cache) = (SourceMap::new(), FileCache::dropping_own_files());
        let parse = |sources: &mut SourceMap, cache: &mut FileCache, from: Option<Loc>| {
            crate::load::parse_cached(&path, CONFIG_LIMIT, from, sources, cache).unwrap()
        };
        let first = parse(&mut sources, &mut cache, None);
        let again = parse(&mut sources, &mut cache, None);
        assert_eq!(first.result, again.result);
        assert!(!Arc::ptr_eq(&members(&first), &members(&again)), "not kept");
        assert_eq!(
            (
                first.bad_byte,
                first.text_len,
                first.size,
                first.has_include
            ),
            (
                again.bad_byte,
                again.text_len,
                again.size,
                again.has_include
            )
        );
        assert_eq!((first.bad_byte.is_some(), first.has_include), (true, true));
        assert_eq!(sources.files().count(), 1);
        // Included (the same file's identity is another cache's here): kept and shared.
        let at = first.result.as_ref().unwrap().loc;
        let (mut sources, mut cache) = (SourceMap::new(), FileCache::dropping_own_files());
        let include = parse(&mut sources, &mut cache, Some(at));
        let again = parse(&mut sources, &mut cache, Some(at));
        assert!(Arc::ptr_eq(&members(&include), &members(&again)), "kept");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_supervisor_file_is_read_and_parsed_once_per_discovery() {
        let dir = std::env::temp_dir().join(format!("clawlint-units-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("openclaw-gateway@.service");
        std::fs::write(
            &path,
            "[Service]\nExecStart=openclaw gateway --port 18789\n",
        )
        .unwrap();
        ServiceFiles::during(|| {
            let first = ServiceFiles::text(&path, 1024).unwrap();
            let unit = ServiceFiles::unit(&path, 1024).unwrap();
            // Gone from the disk: the second instance still gets what the first read.
            std::fs::remove_file(&path).unwrap();
            assert_eq!(ServiceFiles::text(&path, 1024), Ok(first.clone()));
            assert_eq!(ServiceFiles::unit(&path, 1024), Ok(unit));
            assert_eq!(
                ServiceFiles::text(&dir.join("missing"), 1024),
                Err(ReadError::Missing)
            );
        });
        // Outside a discovery nothing is kept: the file is read again (and is gone).
        assert_eq!(ServiceFiles::text(&path, 1024), Err(ReadError::Missing));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A unit asked for again is the parse the first read gave (the same one, not a new
    /// parse), whether its bytes were first read as a unit or as text; a read that failed
    /// fails again the same way; and a limit the file passes is its own read.
    #[test]
    fn a_unit_read_again_is_the_first_parse_or_the_first_error() {
        let dir = std::env::temp_dir().join(format!("clawlint-units-again-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let unit_text = "[Service]\nExecStart=openclaw gateway --port 18789\n";
        let template = dir.join("openclaw-gateway@.service");
        let env_first = dir.join("other.service");
        let big = dir.join("big.service");
        std::fs::write(&template, unit_text).unwrap();
        std::fs::write(&env_first, unit_text).unwrap();
        std::fs::write(&big, "x".repeat(2048)).unwrap();
        ServiceFiles::during(|| {
            let first = ServiceFiles::unit(&template, 1024).unwrap();
            std::fs::write(&template, "[Service]\nExecStart=changed\n").unwrap();
            let again = ServiceFiles::unit(&template, 1024).unwrap();
            assert!(Rc::ptr_eq(&first, &again));
            let (text, unit) = crate::discover::systemd::read_unit(unit_text.as_bytes());
            assert_eq!(*again, UnitRead { text, unit });
            // Read as text first: the unit is parsed from those bytes, then kept.
            let text = ServiceFiles::text(&env_first, 1024).unwrap();
            let unit = ServiceFiles::unit(&env_first, 1024).unwrap();
            assert_eq!(unit.text, text);
            assert!(Rc::ptr_eq(
                &unit,
                &ServiceFiles::unit(&env_first, 1024).unwrap()
            ));
            let too_large = ServiceFiles::unit(&big, 1024).unwrap_err();
            assert!(
                matches!(too_large, ReadError::TooLarge { .. }),
                "{too_large:?}"
            );
            assert_eq!(ServiceFiles::unit(&big, 1024), Err(too_large));
            let missing = dir.join("missing.service");
            assert_eq!(ServiceFiles::unit(&missing, 1024), Err(ReadError::Missing));
            assert_eq!(ServiceFiles::unit(&missing, 1024), Err(ReadError::Missing));
        });
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
