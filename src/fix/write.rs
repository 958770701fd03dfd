//! Writes fixed files: all or nothing, each atomically.
//!
//! Every file is checked before any is written: it must be one clawlint read, lie inside the
//! layout it scanned (a symlink is followed only when its target lies inside too, and the
//! target is what gets written), be a writable regular file, and hold exactly the bytes
//! clawlint read. Then each fixed text goes to a temporary file in the same directory, with
//! the original's mode and owner, is fsynced, and only when every temporary file is ready are
//! they renamed over the originals (after a last check that nothing changed meanwhile).
//!
//! A file a fix creates ([`crate::source::SourceFile::to_create`]) must not be there, and its
//! directory must lie inside the layout (the directories missing below it are made, and
//! removed again when the write is given up). Its temporary file is linked to its name, which
//! fails if anything took that name meanwhile: a file is never overwritten by one created.
//! Files are created before any is replaced.

use super::Edit;
use crate::source::{FileId, SourceMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file that was not written, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub path: PathBuf,
    pub reason: String,
}

/// A file to write, checked.
enum Target {
    /// An existing file (a link's target), and the bytes clawlint read of it.
    Replace(PathBuf),
    /// A file to create: its path under the real directory that is there, and the
    /// directories to make below that one, outermost first.
    Create { path: PathBuf, dirs: Vec<PathBuf> },
}

struct Prepared {
    target: PathBuf,
    temp: PathBuf,
    /// `None` for a file created.
    expected: Option<Vec<u8>>,
    /// The directories made for a file created, outermost first.
    made: Vec<PathBuf>,
}

/// Applies `plan` (edits per file, sorted, not overlapping). `roots` are the directories of
/// the layout (scanned homes, the unit root, the dirs of config files named). Returns the
/// files written; on a refusal nothing was written.
pub fn write_all(
    plan: &[(FileId, Vec<Edit>)],
    sources: &SourceMap,
    roots: &[PathBuf],
) -> Result<Vec<PathBuf>, Refusal> {
    let roots: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    let mut checked = Vec::new();
    for (file, edits) in plan {
        let source = sources.file(*file);
        let refuse = |reason: String| Refusal {
            path: source.path.clone(),
            reason,
        };
        if edits.iter().any(|e| source.hides(e.span)) {
            return Err(refuse("the edit would touch a secret".into()));
        }
        let target = match source.to_create {
            true => check_new(&source.path, &roots),
            false => check(&source.path, source.text.as_bytes(), &roots).map(Target::Replace),
        }
        .map_err(refuse)?;
        checked.push((target, source, edits));
    }
    // Created first: a name taken meanwhile then stops the write before any file changed.
    checked.sort_by_key(|(target, _, _)| matches!(target, Target::Replace(_)));
    let mut prepared: Vec<Prepared> = Vec::new();
    for (target, source, edits) in checked {
        let fixed = super::apply(&source.text, edits);
        let made = match target {
            Target::Replace(target) => prepare(&target, fixed.as_bytes()).map(|temp| Prepared {
                target,
                temp,
                expected: Some(source.text.as_bytes().to_vec()),
                made: Vec::new(),
            }),
            Target::Create { path, dirs } => prepare_new(&path, &dirs, fixed.as_bytes()),
        };
        match made {
            Ok(p) => prepared.push(p),
            Err(reason) => {
                discard(&prepared);
                return Err(Refusal {
                    path: source.path.clone(),
                    reason,
                });
            }
        }
    }
    for p in &prepared {
        let unchanged = match &p.expected {
            Some(expected) => matches!(read_again(&p.target, expected), Ok(true)),
            None => std::fs::symlink_metadata(&p.target).is_err(),
        };
        if !unchanged {
            discard(&prepared);
            return Err(Refusal {
                path: p.target.clone(),
                reason: match p.expected {
                    Some(_) => "it changed since clawlint read it",
                    None => "a file took its name since clawlint looked",
                }
                .into(),
            });
        }
    }
    let mut written = Vec::new();
    for (i, p) in prepared.iter().enumerate() {
        if let Err(e) = commit(p) {
            discard(&prepared[i..]);
            return Err(Refusal {
                path: p.target.clone(),
                reason: format!(
                    "cannot {} it: {e} (already written: {})",
                    match p.expected {
                        Some(_) => "replace",
                        None => "create",
                    },
                    if written.is_empty() {
                        "none".to_string()
                    } else {
                        written
                            .iter()
                            .map(|p: &PathBuf| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            });
        }
        if let Some(dir) = p.target.parent() {
            // The rename is durable once the directory is synced.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        written.push(p.target.clone());
    }
    Ok(written)
}

/// Puts a prepared file in place: renamed over the original, or linked to a name that must
/// be free (`link` never replaces a file), its temporary name then removed.
fn commit(p: &Prepared) -> std::io::Result<()> {
    match p.expected {
        Some(_) => std::fs::rename(&p.temp, &p.target),
        None => {
            std::fs::hard_link(&p.temp, &p.target)?;
            let _ = std::fs::remove_file(&p.temp);
            Ok(())
        }
    }
}

/// Where to create `path`, a file a fix creates: nothing may be there (not even a link), and
/// the directory above it that is there must lie inside the layout (its real path: a link
/// out of it is refused); the directories missing below that one are made when it is written.
fn check_new(path: &Path, roots: &[PathBuf]) -> Result<Target, String> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(
            "a file is there already, and clawlint does not overwrite it with a new one".into(),
        );
    }
    let mut missing: Vec<&std::ffi::OsStr> = Vec::new();
    let mut there = path;
    loop {
        let (Some(parent), Some(name)) = (there.parent(), there.file_name()) else {
            return Err("no directory above it is there".into());
        };
        missing.push(name);
        there = parent;
        if std::fs::symlink_metadata(there).is_ok() || there.as_os_str().is_empty() {
            break;
        }
    }
    let there = if there.as_os_str().is_empty() {
        Path::new(".")
    } else {
        there
    };
    let real = std::fs::canonicalize(there)
        .map_err(|e| format!("cannot resolve {}: {e}", there.display()))?;
    if !roots.iter().any(|r| real.starts_with(r)) {
        return Err(format!(
            "its directory {} lies outside the layout clawlint read",
            real.display()
        ));
    }
    if !real.is_dir() {
        return Err(format!("{} is not a directory", real.display()));
    }
    let mut placed = real;
    let mut dirs = Vec::new();
    for (i, name) in missing.iter().rev().enumerate() {
        placed.push(name);
        if i + 1 < missing.len() {
            dirs.push(placed.clone());
        }
    }
    Ok(Target::Create { path: placed, dirs })
}

/// The path to write for `path`: itself, or the target of a symlink inside the layout.
fn check(path: &Path, read: &[u8], roots: &[PathBuf]) -> Result<PathBuf, String> {
    let real = std::fs::canonicalize(path).map_err(|e| format!("cannot resolve it: {e}"))?;
    if !roots.iter().any(|r| real.starts_with(r)) {
        return Err(
            if real.as_path() != path
                && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
            {
                format!(
                    "it is a symlink to {}, outside the layout clawlint read",
                    real.display()
                )
            } else {
                "it lies outside the layout clawlint read".to_string()
            },
        );
    }
    let meta = std::fs::metadata(&real).map_err(|e| format!("cannot stat it: {e}"))?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.permissions().readonly() {
        return Err("it is read-only".into());
    }
    if !read_again(&real, read).map_err(|e| format!("cannot read it again: {e}"))? {
        return Err("it changed since clawlint read it".into());
    }
    Ok(real)
}

/// Whether `path` still holds exactly `expected`, read through the bounded reader (a file
/// that grew past what clawlint read has changed; a FIFO put in its place is never opened).
fn read_again(path: &Path, expected: &[u8]) -> Result<bool, String> {
    match crate::load::read::read_bytes(path, expected.len() as u64) {
        Ok(now) => Ok(now == expected),
        Err(crate::load::read::ReadError::TooLarge { .. }) => Ok(false),
        Err(e) => Err(e.describe()),
    }
}

/// Writes `bytes` to a new temporary file next to `target`, with its mode and owner, synced.
fn prepare(target: &Path, bytes: &[u8]) -> Result<PathBuf, String> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.clawlint-fix-{}.tmp", std::process::id()));
    let meta = std::fs::metadata(target).map_err(|e| format!("cannot stat it: {e}"))?;
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.set_permissions(meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let mine = std::fs::metadata(&temp)?;
            if mine.uid() != meta.uid() || mine.gid() != meta.gid() {
                std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()))?;
            }
        }
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(format!("cannot write a temporary file next to it: {e}"))
        }
    }
}

/// Makes `dirs` (outermost first; none may be there) and writes `bytes` to a new temporary
/// file in the last, synced, for [`commit`] to link to `path`. What it made is removed when it
/// fails.
fn prepare_new(path: &Path, dirs: &[PathBuf], bytes: &[u8]) -> Result<Prepared, String> {
    let mut made = Vec::new();
    for dir in dirs {
        if let Err(e) = std::fs::create_dir(dir) {
            remove_dirs(&made);
            return Err(format!("cannot make the directory {}: {e}", dir.display()));
        }
        made.push(dir.clone());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.clawlint-fix-{}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        remove_dirs(&made);
        return Err(format!("cannot write a temporary file next to it: {e}"));
    }
    Ok(Prepared {
        target: path.to_path_buf(),
        temp,
        expected: None,
        made,
    })
}

/// Removes the directories a write made, innermost first (each only when empty).
fn remove_dirs(made: &[PathBuf]) {
    for dir in made.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

fn discard(prepared: &[Prepared]) {
    for p in prepared {
        let _ = std::fs::remove_file(&p.temp);
        remove_dirs(&p.made);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::json5::Span;

    /// A scratch directory, removed when dropped (also when the test fails).
    struct Scratch(PathBuf);

    impl std::ops::Deref for Scratch {
        type Target = PathBuf;

        fn deref(&self) -> &PathBuf {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The one edit every case plans: `b: 2, ` inserted after `{ ` in `{ a: 1 }`.
    fn insert_b(file: FileId) -> Vec<(FileId, Vec<Edit>)> {
        vec![(
            file,
            vec![Edit {
                file,
                span: Span::new(2, 2),
                replacement: "b: 2, ".into(),
            }],
        )]
    }

    fn setup(tag: &str) -> (Scratch, PathBuf, SourceMap, Vec<(FileId, Vec<Edit>)>) {
        let dir = std::env::temp_dir().join(format!("clawlint-write-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let dir = Scratch(dir);
        let path = dir.join("openclaw.json");
        std::fs::write(&path, "{ a: 1 }\n").unwrap();
        let mut map = SourceMap::new();
        let file = map.add(&path, "{ a: 1 }\n".into(), None);
        // The "secret" case masks ` a:` (where the edit goes); the others show the whole file.
        let hidden = match tag {
            "secret" => vec![Span::new(1, 4)],
            _ => Vec::new(),
        };
        map.show_except(file, hidden);
        (dir, path, map, insert_b(file))
    }

    #[test]
    fn writes_atomically_and_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, path, map, plan) = setup("ok");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let written = write_all(&plan, &map, std::slice::from_ref(&*dir)).unwrap();
        assert_eq!(written.len(), 1);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ b: 2, a: 1 }\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            std::fs::read_dir(&*dir).unwrap().count(),
            1,
            "a temporary file was left"
        );
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_refused() {
        let (dir, path, map, plan) = setup("changed");
        std::fs::write(&path, "{ a: 3 }\n").unwrap();
        let refusal = write_all(&plan, &map, std::slice::from_ref(&*dir)).unwrap_err();
        assert_eq!(refusal.reason, "it changed since clawlint read it");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ a: 3 }\n");
    }

    #[test]
    fn a_file_outside_the_layout_is_refused() {
        let (dir, path, map, plan) = setup("outside");
        let elsewhere = dir.join("sub");
        std::fs::create_dir(&elsewhere).unwrap();
        let refusal = write_all(&plan, &map, &[elsewhere]).unwrap_err();
        assert_eq!(refusal.reason, "it lies outside the layout clawlint read");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ a: 1 }\n");
    }

    #[test]
    fn an_edit_on_a_secret_is_refused() {
        let (dir, path, map, plan) = setup("secret");
        let refusal = write_all(&plan, &map, std::slice::from_ref(&*dir)).unwrap_err();
        assert_eq!(refusal.reason, "the edit would touch a secret");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ a: 1 }\n");
    }

    #[test]
    fn a_symlink_that_leaves_the_layout_is_refused() {
        let (dir, path, _, _) = setup("symlink");
        let inside = dir.join("home");
        std::fs::create_dir(&inside).unwrap();
        let link = inside.join("openclaw.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let mut map = SourceMap::new();
        let file = map.add(&link, "{ a: 1 }\n".into(), None);
        map.show_all(file);
        let plan = insert_b(file);
        let refusal = write_all(&plan, &map, std::slice::from_ref(&inside)).unwrap_err();
        assert!(
            refusal.reason.contains("is a symlink to")
                && refusal.reason.contains("outside the layout"),
            "{}",
            refusal.reason
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ a: 1 }\n");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        // A symlink whose target is inside the layout is followed: the target is written.
        write_all(&plan, &map, std::slice::from_ref(&*dir)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ b: 2, a: 1 }\n");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    /// A plan that creates `path` (relative to `dir`) with `text`, and the map it is in.
    fn create(dir: &Path, path: &str, text: &str) -> (SourceMap, Vec<(FileId, Vec<Edit>)>) {
        let mut map = SourceMap::new();
        let file = map.add_new(&dir.join(path));
        let edit = Edit {
            file,
            span: Span::new(0, 0),
            replacement: text.into(),
        };
        (map, vec![(file, vec![edit])])
    }

    #[test]
    fn a_new_file_is_created_with_the_directories_missing_above_it() {
        let (dir, _, _, _) = setup("create");
        let (map, plan) = create(&dir, "etc/gw.container.d/99-clawlint.conf", "[Container]\n");
        let written = write_all(&plan, &map, std::slice::from_ref(&*dir)).unwrap();
        let path = dir.join("etc/gw.container.d/99-clawlint.conf");
        assert_eq!(written, [std::fs::canonicalize(&path).unwrap()]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[Container]\n");
        let left = std::fs::read_dir(dir.join("etc/gw.container.d"))
            .unwrap()
            .count();
        assert_eq!(left, 1, "a temporary file was left");
    }

    #[test]
    fn a_new_file_never_replaces_one_that_is_there() {
        let (dir, path, _, _) = setup("create-there");
        let (map, plan) = create(&dir, "openclaw.json", "x\n");
        let refusal = write_all(&plan, &map, std::slice::from_ref(&*dir)).unwrap_err();
        assert!(
            refusal.reason.contains("does not overwrite"),
            "{}",
            refusal.reason
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ a: 1 }\n");
        // Nor a link, even one that leads nowhere.
        std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("dangling.conf")).unwrap();
        let (map, plan) = create(&dir, "dangling.conf", "x\n");
        assert!(write_all(&plan, &map, std::slice::from_ref(&*dir)).is_err());
        assert!(!dir.join("nowhere").exists());
    }

    #[test]
    fn a_new_file_whose_directory_leaves_the_layout_is_refused() {
        let (dir, _, _, _) = setup("create-outside");
        let (outside, _, _, _) = setup("create-outside-target");
        let inside = dir.join("home");
        std::fs::create_dir(&inside).unwrap();
        std::os::unix::fs::symlink(&*outside, inside.join("etc")).unwrap();
        let (map, plan) = create(&inside, "etc/gw.container.d/99-clawlint.conf", "x\n");
        let refusal = write_all(&plan, &map, std::slice::from_ref(&inside)).unwrap_err();
        assert!(
            refusal.reason.contains("outside the layout"),
            "{}",
            refusal.reason
        );
        assert!(!outside.join("gw.container.d").exists());
    }

    #[test]
    fn a_refused_write_leaves_no_new_file_nor_directory() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, path, mut map, mut plan) = setup("create-all-or-nothing");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let file = map.add_new(&dir.join("etc/gw.container.d/99-clawlint.conf"));
        let edit = Edit {
            file,
            span: Span::new(0, 0),
            replacement: "x\n".into(),
        };
        plan.insert(0, (file, vec![edit]));
        let refusal = write_all(&plan, &map, std::slice::from_ref(&*dir)).unwrap_err();
        assert_eq!(refusal.reason, "it is read-only");
        assert!(!dir.join("etc").exists());
        // With the file writable, both are written: the new one first.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let written = write_all(&plan, &map, std::slice::from_ref(&*dir)).unwrap();
        assert_eq!(written.len(), 2);
        assert!(written[0].ends_with("99-clawlint.conf"));
    }
}
