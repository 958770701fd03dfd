//! Which files clawlint may read: those under the scanned homes, `--root`, the config files
//! named on the command line (and their directories), the directory of `clawlint.toml`, and
//! any `--allow-outside` path.
//!
//! A layout's own files say where else to read (`OPENCLAW_CONFIG_PATH=/etc/passwd` in a unit,
//! `EnvironmentFile=`, a state dir symlinked out of the home, `OPENCLAW_INCLUDE_ROOTS=/` in a
//! `.env`), and in CI the author of a pull request writes them. So a file whose real path
//! (symlinks followed) lies outside the layout is not opened: the reader reports it as
//! outside the layout, and the finding says how to allow it.
//!
//! The policy is set once per run by the command line, before discovery. A library user who
//! never sets it (benchmarks, fuzz targets, the fixtures' own tests) reads as before.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

static LAYOUT: RwLock<Option<Layout>> = RwLock::new(None);

/// The roots reads are confined to, and the real path of each directory a read was in (every
/// file of a directory shares its directory's real path: looked up once per run, not once per
/// file; a file that is itself a symlink is still resolved whole; a directory's real path is
/// its parent's, remembered too, joined with its name: one `lstat` per directory).
struct Layout {
    roots: Vec<PathBuf>,
    /// The roots as given (absolute, not resolved): how the layout's own paths spell them.
    given: Vec<PathBuf>,
    dirs: Mutex<crate::paths::RealPaths>,
}

/// Confines every later read to `roots` (each resolved to its real path; a root that does not
/// exist is kept as given).
pub fn confine(roots: &[PathBuf]) {
    let given: Vec<PathBuf> = roots.iter().map(|r| crate::paths::absolute(r)).collect();
    let mut real: Vec<PathBuf> = given
        .iter()
        .map(|abs| std::fs::canonicalize(abs).unwrap_or_else(|_| abs.clone()))
        .collect();
    real.sort();
    real.dedup();
    let mut listed: Vec<PathBuf> = given.iter().chain(&real).cloned().collect();
    listed.sort();
    listed.dedup();
    super::listing::start(listed);
    *LAYOUT.write().unwrap_or_else(|e| e.into_inner()) = Some(Layout {
        roots: real,
        given,
        dirs: Mutex::new(crate::paths::RealPaths::new()),
    });
}

/// Forgets what loading learnt about the layout's directories (their listings and real paths,
/// 6.4 MiB at 10,000 gateways), keeping the confinement: nothing after loading asks about
/// names but a `--fix` write or `plan`'s new profile, which the file system answers the same.
pub fn forget_lookups() {
    super::listing::stop();
    let guard = LAYOUT.read().unwrap_or_else(|e| e.into_inner());
    if let Some(layout) = guard.as_ref() {
        *layout.dirs.lock().unwrap_or_else(|e| e.into_inner()) = crate::paths::RealPaths::new();
    }
}

/// Lifts the confinement (tests that run several layouts in one process).
pub fn unconfine() {
    super::listing::stop();
    *LAYOUT.write().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Whether `path` is spelled as a path of the layout (under one of its roots, as given or
/// resolved), whatever its symlinks lead to. False when reads are not confined.
pub fn names_inside(path: &Path) -> bool {
    spelled_inside(path) == Some(true)
}

/// Whether reads are confined and `path` is spelled outside every root of the layout (a
/// gateway's log under the host's `/tmp`): a path of the host, not of the copied layout.
pub fn names_outside(path: &Path) -> bool {
    spelled_inside(path) == Some(false)
}

/// Whether `path` is spelled under one of the layout's roots; `None` when reads are not
/// confined (there is no layout to be inside or outside of).
fn spelled_inside(path: &Path) -> Option<bool> {
    let guard = LAYOUT.read().unwrap_or_else(|e| e.into_inner());
    let layout = guard.as_ref()?;
    Some(
        (layout.given.iter())
            .chain(&layout.roots)
            .any(|root| path.starts_with(root)),
    )
}

/// `Some(real path)` when `path` exists and its real path is outside the layout. A path that
/// does not resolve is not judged here: the reader reports it as missing or unreadable.
pub fn outside(path: &Path) -> Option<PathBuf> {
    let is_symlink = std::fs::symlink_metadata(path)
        .ok()?
        .file_type()
        .is_symlink();
    outside_probed(path, is_symlink)
}

/// [`outside`] of a path that exists, when whether it is a symlink is already known.
pub fn outside_probed(path: &Path, is_symlink: bool) -> Option<PathBuf> {
    let guard = LAYOUT.read().unwrap_or_else(|e| e.into_inner());
    let layout = guard.as_ref()?;
    if let Some((dir, name)) = crate::paths::split_at_last_slash(path).filter(|_| !is_symlink) {
        // Not a symlink, spelt `dir/name`: its real path is its directory's joined with its
        // name (as `real_path_via_dir_of` makes it), and a directory inside a root holds only
        // files inside it. Real paths and roots are absolute and normal: compared as bytes.
        let mut dirs = layout.dirs.lock().unwrap_or_else(|e| e.into_inner());
        let real_dir = dirs.real_ref(dir)?;
        let inside = |p: &Path| {
            layout
                .roots
                .iter()
                .any(|root| crate::paths::is_inside_normal(root, p))
        };
        if inside(real_dir) {
            return None;
        }
        let real = crate::paths::join(real_dir, name);
        return (!inside(&real)).then_some(real);
    }
    let real = crate::paths::real_path_via_dir_of(path, is_symlink, |dir| {
        let mut dirs = layout.dirs.lock().unwrap_or_else(|e| e.into_inner());
        dirs.real(dir)
    })?;
    (!layout.roots.iter().any(|root| real.starts_with(root))).then_some(real)
}
