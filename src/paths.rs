//! Path arithmetic the way Node's `path` module does it, plus canonical comparison keys.
//!
//! Paths stay as clawlint built them from the user's arguments (possibly relative to the
//! working directory), so output never shows absolute paths the user did not pass.

use std::path::{Component, Path, PathBuf};

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

/// `isPathInside(root, candidate)`: equal, or below it.
pub fn is_inside(root: &Path, candidate: &Path) -> bool {
    candidate.starts_with(root)
}

/// The path made absolute against the process's working directory, lexically.
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return normalize(path);
    }
    match std::env::current_dir() {
        Ok(cwd) => resolve(&cwd, path),
        Err(_) => normalize(path),
    }
}

/// A key under which two spellings of the same directory compare equal: absolute, with
/// symlinks resolved as far as the path exists, and the rest normalised lexically.
pub fn canonical_key(path: &Path) -> PathBuf {
    let absolute = absolute(path);
    let mut existing = absolute.as_path();
    let mut missing: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut key = real;
            for part in missing.iter().rev() {
                key.push(part);
            }
            return key;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Shows a path relative to clawlint's working directory when it lies below it, so output
/// shows the paths the user typed and no machine-specific prefix.
pub fn display_path(path: &Path) -> String {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    match cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rest) if !rest.as_os_str().is_empty() => rest.display().to_string(),
        _ => path.display().to_string(),
    }
}

/// Shows a path under `home` as `~/…`, which is how operators read them.
pub fn display_home_relative(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) if rest.as_os_str().is_empty() => "~".to_string(),
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn home_relative_display() {
        let home = Path::new("fixtures/x/home");
        assert_eq!(
            display_home_relative(Path::new("fixtures/x/home/.openclaw"), home),
            "~/.openclaw"
        );
        assert_eq!(display_home_relative(Path::new("/srv/a"), home), "/srv/a");
    }
}
