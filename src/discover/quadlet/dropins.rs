//! Quadlet drop-ins, as cmd/quadlet's `loadUnitDropins` finds and merges them: for a unit
//! `a-b.container`, the directories `GetUnitDropinPaths` names, most specific first
//! (`a-b.container.d`, then for an instance `a-b@i.container` its template's
//! `a-b@.container.d`, then the unit name cut at each `-`, longest first, `a-.container.d`
//! (and `a-@.container.d` for a template), then `container.d` for every `.container`), each
//! looked for in every source directory of the run in order; of the `*.conf` files there,
//! the first found under each name is taken, and the taken ones are merged in name order
//! (`sort.Strings`). One Podman's parser refuses is skipped (reported; the unit is still
//! generated, without it).

use super::merged::Part;
use super::podman;
use super::SourceDir;
use crate::load::read::{read_bytes, SMALL_FILE_LIMIT};
use crate::load::{unreadable, Problem, ProblemKind};
use crate::source::{Loc, SourceMap};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// Entries the drop-in directories of one generator run may hold in all.
pub const ENTRY_BUDGET: usize = 10_000;

/// `UnitFile.GetUnitDropinPaths` for the unit file named `file_name`: the drop-in
/// directories' names, most specific first.
pub fn search_names(file_name: &str) -> Vec<String> {
    let (stem, ext) = match file_name.rfind('.') {
        Some(dot) => (&file_name[..dot], &file_name[dot..]),
        None => (file_name, ""),
    };
    let drop_in_ext = format!("{ext}.d");
    let (unit_name, instance) = match stem.split_once('@') {
        Some((unit, instance)) => (unit, Some(instance)),
        None => (stem, None),
    };
    let mut names = vec![drop_in_ext.trim_start_matches('.').to_string()];
    let parts: Vec<&str> = unit_name.split('-').collect();
    for i in 1..parts.len() {
        let truncated = format!("{}-", parts[..i].join("-"));
        names.push(format!("{truncated}{drop_in_ext}"));
        if instance.is_some() {
            names.push(format!("{truncated}@{drop_in_ext}"));
        }
    }
    if instance.is_some_and(|i| !i.is_empty()) {
        names.push(format!("{unit_name}@{drop_in_ext}"));
    }
    names.push(format!("{file_name}.d"));
    names.reverse();
    names
}

/// Go's `filepath.Ext(name) == ".conf"`.
fn is_conf(name: &OsStr) -> bool {
    name.as_encoded_bytes().ends_with(b".conf")
}

/// Finds and reads the drop-ins of one generator run's units: each drop-in directory listed
/// once, within [`ENTRY_BUDGET`] entries in all; each problem with a drop-in said once,
/// however many units it applies to.
pub struct Finder<'a> {
    dirs: &'a [SourceDir],
    listed: HashMap<PathBuf, Vec<OsString>>,
    budget: usize,
    /// Set when a directory held more entries than were left: nothing is listed after it.
    stopped: bool,
    said: HashSet<PathBuf>,
}

/// A drop-in a unit takes: where, under which drop-in directory name, and the drop-ins of
/// the same file name it hides (each with its directory's name).
pub struct Found {
    pub path: PathBuf,
    pub dir_name: String,
    pub hides: Vec<(PathBuf, String)>,
}

/// What reading one drop-in comes to.
pub enum Read {
    Merged(Part),
    /// A link to `/dev/null`: Podman reads it as empty, so it sets nothing and masks the
    /// drop-ins of its name it hides.
    Masked,
    /// Podman's parser refuses it (the text, and where).
    Refused(String, podman::Refused),
    Nothing,
}

impl<'a> Finder<'a> {
    pub fn new(dirs: &'a [SourceDir]) -> Self {
        Self::within(dirs, ENTRY_BUDGET)
    }

    fn within(dirs: &'a [SourceDir], budget: usize) -> Self {
        Finder {
            dirs,
            listed: HashMap::new(),
            budget,
            stopped: false,
            said: HashSet::new(),
        }
    }

    /// The drop-ins of the unit at `unit`, in the order Podman merges them.
    pub fn for_unit(
        &mut self,
        unit: &Path,
        sources: &mut SourceMap,
        problems: &mut Vec<Problem>,
    ) -> Vec<Found> {
        let file_name = unit
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut taken: BTreeMap<OsString, Found> = BTreeMap::new();
        for name in search_names(&file_name) {
            let dir_name = name.as_str();
            let name = OsStr::new(&name);
            for source in self.dirs {
                let has = source
                    .drop_in_dirs
                    .binary_search_by(|d| d.as_os_str().cmp(name))
                    .is_ok();
                if !has {
                    continue;
                }
                let dir = source.path.join(name);
                for entry in self.list(&dir, sources, problems) {
                    if !is_conf(&entry) {
                        continue;
                    }
                    let path = dir.join(&entry);
                    match taken.get_mut(&entry) {
                        Some(first) => first.hides.push((path, dir_name.to_string())),
                        None => {
                            taken.insert(
                                entry,
                                Found {
                                    path,
                                    dir_name: dir_name.to_string(),
                                    hides: Vec::new(),
                                },
                            );
                        }
                    }
                }
            }
        }
        taken.into_values().collect()
    }

    /// The names in drop-in directory `dir`, listed once.
    fn list(
        &mut self,
        dir: &Path,
        sources: &mut SourceMap,
        problems: &mut Vec<Problem>,
    ) -> Vec<OsString> {
        if let Some(names) = self.listed.get(dir) {
            return names.clone();
        }
        let names = if self.stopped {
            Vec::new()
        } else {
            match crate::paths::host::read_dir_within(dir, &mut self.budget) {
                None => Vec::new(),
                Some(Err(())) => {
                    self.stopped = true;
                    problems.push(stopped(dir, sources));
                    Vec::new()
                }
                Some(Ok(listed)) => listed.iter().map(|e| e.file_name()).collect(),
            }
        };
        self.listed.insert(dir.to_path_buf(), names.clone());
        names
    }

    /// Whether this is the first time `path` is to be said (a drop-in in `container.d`
    /// applies to every unit).
    pub fn first_said(&mut self, path: &Path) -> bool {
        self.said.insert(path.to_path_buf())
    }

    /// Reads the drop-in at `path`: Podman reads a link to `/dev/null` as empty, and skips
    /// one it cannot read (said once).
    pub fn read(
        &mut self,
        path: &Path,
        sources: &mut SourceMap,
        problems: &mut Vec<Problem>,
    ) -> Read {
        if super::is_masked(path) {
            return Read::Masked;
        }
        let bytes = match read_bytes(path, SMALL_FILE_LIMIT) {
            Ok(bytes) => bytes,
            // A listed drop-in that is missing is a link to nothing: skipped as unreadable.
            Err(err) => {
                if self.first_said(path) {
                    let mut problem = unreadable(sources, path, &err);
                    problem.message.push_str(
                        ": a quadlet drop-in; podman's quadlet generator skips one it cannot read, and generates its unit without it",
                    );
                    problems.push(problem);
                }
                return Read::Nothing;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        match podman::parse(&text) {
            Ok(parsed) => Read::Merged(Part::new(path, &bytes, parsed)),
            Err(refused) => Read::Refused(text.into_owned(), refused),
        }
    }
}

/// CL907 where the drop-in search stopped.
fn stopped(dir: &Path, sources: &mut SourceMap) -> Problem {
    let message = format!(
        "the search for Podman quadlet drop-ins looks at {ENTRY_BUDGET} directory entries at most, and {} holds more than were left: it stopped there, so drop-ins in it and in directories listed after it are not read",
        crate::paths::display_path(dir),
    );
    Problem::listing_stopped(dir, message, sources)
}

/// CL901 at the line where Podman's parser refuses a drop-in of `unit`: the generator reports
/// it and merges the unit's other drop-ins, so this one's lines are not in the service.
pub fn skipped(at: Loc, refused: podman::Refused, unit: &Path) -> Problem {
    Problem {
        kind: ProblemKind::Unparsable,
        message: format!(
            "{}: podman's quadlet generator skips this drop-in (\"{}\"), so none of its lines apply to {}, which it still generates without them",
            refused.why.line(),
            refused.why.podman_says(),
            crate::paths::display_path(unit),
        ),
        loc: Some(at),
    }
}

#[cfg(test)]
mod tests {
    use super::Finder;
    use crate::load::ProblemKind;
    use std::path::PathBuf;

    /// A drop-in directory with more entries than are left: a located CL907, nothing of it
    /// read, and what was listed before it still applies.
    #[test]
    fn a_drop_in_directory_past_the_budget_is_a_located_cl907() {
        let dir = std::env::temp_dir().join(format!("clawlint-qd-budget-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("gw.container.d")).unwrap();
        std::fs::create_dir_all(dir.join("container.d")).unwrap();
        std::fs::write(dir.join("gw.container.d/a.conf"), "[Container]\n").unwrap();
        for i in 0..5 {
            std::fs::write(dir.join(format!("container.d/{i}.conf")), "").unwrap();
        }
        let scanned = super::super::files(&[super::super::SearchDir::all(dir.clone())]);
        let mut sources = crate::source::SourceMap::new();
        let mut problems = Vec::new();
        let mut finder = Finder::within(&scanned.dirs, 3);
        let found = finder.for_unit(&dir.join("gw.container"), &mut sources, &mut problems);
        let found: Vec<PathBuf> = found.into_iter().map(|f| f.path).collect();
        assert_eq!(found, [dir.join("gw.container.d/a.conf")]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, ProblemKind::TooManyEntries);
        assert_eq!(
            sources.file(problems[0].loc.unwrap().file).path,
            dir.join("container.d")
        );
        // Said once: the next unit lists nothing more.
        finder.for_unit(&dir.join("other.container"), &mut sources, &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
