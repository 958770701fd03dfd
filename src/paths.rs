//! Path arithmetic the way Node's `path` module does it, plus canonical comparison keys.
//!
//! Paths stay as clawlint built them from the user's arguments (possibly relative to the
//! working directory), so output never shows absolute paths the user did not pass.

use std::collections::HashMap;
use std::ffi::OsString;
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
    if std::fs::symlink_metadata(path)
        .ok()?
        .file_type()
        .is_symlink()
    {
        return std::fs::canonicalize(path).ok();
    }
    let parent = match parent.as_os_str().is_empty() {
        true => Path::new("."),
        false => parent,
    };
    Some(real_dir(parent)?.join(name))
}

/// `path.resolve(base, p)`: an absolute `p` stands alone, a relative one joins `base`.
pub fn resolve(base: &Path, path: &Path) -> PathBuf {
    normalize(&base.join(path))
}

/// Expands a leading `~`, `~/` or `~\` with `home`, as OpenClaw's `expandHomePrefix` does.
/// `~user` is left alone.
pub fn expand_tilde(raw: &str, home: &Path) -> Option<PathBuf> {
    let rest = raw.strip_prefix('~')?;
    if rest.is_empty() {
        return Some(home.to_path_buf());
    }
    let rest = rest.strip_prefix('/').or_else(|| rest.strip_prefix('\\'))?;
    Some(home.join(rest))
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
    candidate.starts_with(root)
}

fn process_cwd() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
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

/// Maps keyed by a path's bytes, with a randomly seeded hasher (paths come from the layout,
/// which an attacker may write: no fixed hash function, so no crafted collisions), faster
/// than SipHash over the component-wise hash of `Path`.
type ByPath<V> = HashMap<OsString, V, foldhash::fast::RandomState>;

/// Canonical keys of every path the rules compare, computed once by resolve (each directory
/// looked up once), so that rules compare paths without touching the file system.
#[derive(Debug, Default, Clone)]
pub struct PathKeys {
    /// Every path looked up (and its ancestors): its key, and whether it exists (a path below
    /// one that does not exist is not looked up: it cannot exist, nor be a symlink).
    keys: ByPath<(PathBuf, bool)>,
}

impl PathKeys {
    /// Looks every path up on the file system, sharing the work between common ancestors.
    pub fn compute<'a>(paths: impl IntoIterator<Item = &'a Path>) -> PathKeys {
        let mut keys = PathKeys::default();
        for path in paths {
            keys.add(path);
        }
        keys
    }

    /// The key of `path`, looked up on the file system unless known already (with every
    /// ancestor's), and kept.
    pub fn add(&mut self, path: &Path) -> PathBuf {
        if let Some((key, _)) = self.keys.get(path.as_os_str()) {
            return key.clone();
        }
        let (key, exists) = self.canonical(&absolute(path));
        self.keys
            .insert(path.as_os_str().to_owned(), (key.clone(), exists));
        key
    }

    fn canonical(&mut self, path: &Path) -> (PathBuf, bool) {
        if let Some(known) = self.keys.get(path.as_os_str()) {
            return known.clone();
        }
        let result = match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => {
                let (parent_key, parent_exists) = self.canonical(parent);
                let joined = parent_key.join(name);
                if !parent_exists {
                    (joined, false)
                } else {
                    match std::fs::symlink_metadata(&joined) {
                        Ok(meta) if meta.file_type().is_symlink() => {
                            match std::fs::canonicalize(&joined) {
                                Ok(real) => (real, true),
                                Err(_) => (joined, false),
                            }
                        }
                        Ok(_) => (joined, true),
                        Err(_) => (joined, false),
                    }
                }
            }
            _ => (path.to_path_buf(), true),
        };
        self.keys
            .insert(path.as_os_str().to_owned(), result.clone());
        result
    }

    /// Test-only: `path` has the key `key`, as if a symlink on it led there.
    #[cfg(test)]
    pub(crate) fn assume(&mut self, path: &Path, key: &Path) {
        self.keys
            .insert(path.as_os_str().to_owned(), (key.to_path_buf(), true));
    }

    /// The key of a path, without touching the file system: computed when resolve knew the
    /// path; otherwise its parent's key joined with its name (a path resolve never saw is one
    /// no symlink was found on).
    pub fn key(&self, path: &Path) -> PathBuf {
        if let Some((key, _)) = self.keys.get(path.as_os_str()) {
            return key.clone();
        }
        let absolute = absolute(path);
        if let Some((key, _)) = self.keys.get(absolute.as_os_str()) {
            return key.clone();
        }
        match (absolute.parent(), absolute.file_name()) {
            (Some(parent), Some(name)) => self.key(parent).join(name),
            _ => absolute,
        }
    }
}

/// Shows a path relative to clawlint's working directory when it lies below it, so output
/// shows the paths the user typed and no machine-specific prefix.
pub fn display_path(path: &Path) -> String {
    // File names come from the layout: shown so that they cannot drive a terminal or forge CI
    // output (`openclaw-gateway-x\n::error ...service`).
    let shown = match process_cwd().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rest) if !rest.as_os_str().is_empty() => rest.display().to_string(),
        _ => path.display().to_string(),
    };
    crate::report::visible::visible(&shown).into_owned()
}

/// Shows a path under `home` as `~/…`, which is how operators read them.
pub fn display_home_relative(path: &Path, home: &Path) -> String {
    let shown = match path.strip_prefix(home) {
        Ok(rest) if rest.as_os_str().is_empty() => "~".to_string(),
        Ok(rest) => format!("~/{}", rest.display()),
        // Outside the home (a system unit, an enabling link): as the user passed it, never
        // with this machine's absolute prefix.
        Err(_) => display_path(path),
    };
    crate::report::visible::visible(&shown).into_owned()
}

/// `path`, a path under the copied system `root`, with every symlink on it resolved as on the
/// host the layout was copied from: an absolute target (`/etc/systemd/system/y.service`,
/// `/srv/cfg`) is read under `root`, and `..` never climbs above it (as `openat2`'s
/// `RESOLVE_IN_ROOT`). Only paths under `root` are ever looked at, whatever the links say (a
/// pull request's author writes them). `None` when `path` is not under `root`, or past 40
/// links (a loop).
pub fn resolve_in_root(root: &Path, path: &Path) -> Option<PathBuf> {
    use std::collections::VecDeque;
    use std::ffi::OsString;
    use std::path::Component;
    fn push_front(pending: &mut VecDeque<OsString>, p: &Path) {
        let parts: Vec<OsString> = p
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
    let rest = path.strip_prefix(root).ok()?;
    let mut pending = VecDeque::new();
    push_front(&mut pending, rest);
    let mut current = PathBuf::new();
    let mut links = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            current.pop();
            continue;
        }
        let candidate = root.join(&current).join(&part);
        match std::fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > 40 {
                    return None;
                }
                let target = std::fs::read_link(&candidate).ok()?;
                if target.is_absolute() {
                    current = PathBuf::new();
                }
                push_front(&mut pending, &target);
            }
            _ => current.push(&part),
        }
    }
    Some(root.join(current))
}

#[cfg(test)]
mod tests {
    use super::*;

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
