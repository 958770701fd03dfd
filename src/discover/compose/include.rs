//! A compose file's top-level `include:` (compose-go's `ApplyInclude`, loader/include.go):
//! each entry is a project of its own (its files, its directory, its `.env`) whose services
//! join the including file's before its `extends` and before the files merge; a service the
//! including file also defines is merged under that definition (`importResource`:
//! `MergeYaml(included, own)`). Every chain is bounded: a cycle, nesting deeper than
//! [`DEPTH`], or more files than the project's budget stop it, said where the entry is.

use super::extends::Extends;
use super::{read_env_file, EnvVariants, Reader, ServiceSpec};
use crate::load::yaml::{Node, Value};
use crate::load::{Problem, ProblemKind};
use crate::source::{FileId, Loc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How deep includes nest: compose follows any nesting but a cycle.
const DEPTH: usize = 16;

/// How many `include:` entries one project's files may hold, nested ones counted: a file
/// included many times by files each included many times would otherwise be read for
/// every path through them.
const ENTRIES: usize = 256;

/// One `include:` entry as written, interpolated: its files (the first is the main one, the
/// others override it), its project directory and env files, if given.
struct Entry {
    paths: Vec<String>,
    project_directory: Option<String>,
    env_files: Vec<String>,
    at: Loc,
}

/// The services `file`'s `include:` brings, each as its project reads it (its relative host
/// paths its project directory's). `working_dir`: the including project's directory, which
/// the entries' paths are relative to; `chain`: the files including this one, this one last.
pub(super) fn services(
    files: &mut Extends,
    reader: &mut Reader,
    file: FileId,
    root: &Node,
    working_dir: &Path,
    chain: &mut Vec<PathBuf>,
) -> BTreeMap<String, ServiceSpec> {
    let mut out: BTreeMap<String, ServiceSpec> = BTreeMap::new();
    let Some(list) = root.get("include") else {
        return out;
    };
    let at = |n: &Node| Loc { file, span: n.span };
    let Value::Seq(items) = &list.value else {
        refused(files, at(list), "`include` must be a list".to_string());
        return out;
    };
    for item in items {
        if files.include_entries >= ENTRIES {
            files.stopped::<()>(at(item), format!("this project's `include` entries, nested ones counted, number more than {ENTRIES}: clawlint reads no more of them, and what their services give is not seen"));
            break;
        }
        files.include_entries += 1;
        let Some(entry) = entry(reader, file, item) else {
            refused(
                files,
                at(item),
                "an `include` entry names no file (`path` is required)".to_string(),
            );
            continue;
        };
        for (name, mut spec) in project_services(files, reader, &entry, working_dir, chain) {
            let Some(earlier) = out.remove(&name) else {
                out.insert(name, spec);
                continue;
            };
            files.problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!("this entry defines service {name}, as an earlier entry of this `include` does: older docker compose releases refuse the project (\"services.{name} conflicts with imported resource\"), current ones merge the two into one service, the earlier entry's settings winning; clawlint reads them merged"),
                loc: Some(entry.at),
            });
            // compose-go `importResource`: `MergeYaml(imported, existing)`.
            spec.merge(earlier);
            out.insert(name, spec);
        }
    }
    out
}

/// The services of one included project, merged across its files.
fn project_services(
    files: &mut Extends,
    reader: &mut Reader,
    entry: &Entry,
    working_dir: &Path,
    chain: &mut Vec<PathBuf>,
) -> BTreeMap<String, ServiceSpec> {
    let Some((paths, project_dir)) = located(files, entry, working_dir, chain) else {
        return BTreeMap::new();
    };
    let Some(env) = project_env(files, reader, entry, working_dir, &project_dir) else {
        return BTreeMap::new();
    };
    let from = match env.files.is_empty() {
        true => reader.from.to_string(),
        false => format!("{} and {}", reader.from, env.files.join(" and ")),
    };
    let variants = EnvVariants::default();
    let mut nested = Reader {
        env: &env.values,
        host: reader.host,
        from: &from,
        env_files: reader.env_files,
        unverifiable: reader.unverifiable,
        variants: &variants,
        varied: Default::default(),
        vars: Vec::new(),
        in_entry: false,
        problems: Vec::new(),
        refused: None,
    };
    chain.push(paths[0].clone());
    let mut out = merged_files(files, &mut nested, &paths, entry.at, &project_dir, chain);
    chain.pop();
    reader.problems.append(&mut nested.problems);
    // An included file compose refuses refuses the project that includes it.
    if reader.refused.is_none() {
        reader.refused = nested.refused;
    }
    let interpolated_with: Vec<String> = (reader.env_files.iter())
        .chain(&env.files)
        .cloned()
        .collect();
    for spec in out.values_mut() {
        spec.rebase(&project_dir);
        spec.interpolated_with
            .get_or_insert_with(|| interpolated_with.clone());
    }
    out
}

/// The entry's files on the host and its project directory; `None` when the entry is not
/// followed (a remote file, a cycle, nesting past [`DEPTH`]), said at the entry.
fn located(
    files: &mut Extends,
    entry: &Entry,
    working_dir: &Path,
    chain: &[PathBuf],
) -> Option<(Vec<PathBuf>, PathBuf)> {
    if let Some(remote) = entry.paths.iter().find(|p| is_remote(p)) {
        files.problems.push(Problem {
            kind: ProblemKind::Unresolved,
            message: format!("this project includes {remote}, a remote resource clawlint does not fetch: what its services give is not seen"),
            loc: Some(entry.at),
        });
        return None;
    }
    let paths: Vec<PathBuf> = (entry.paths.iter())
        .map(|p| files.host.host_path(p, working_dir))
        .collect();
    let main = &paths[0];
    // What an entry names belongs to this project even when compose refuses the entry.
    files.included.extend(paths.iter().cloned());
    if chain.iter().any(|f| f == main) {
        let shown = crate::paths::display_path(main);
        let why = format!(
            "{shown} includes, in turn, the file that includes it (\"include cycle detected\")"
        );
        refused(files, entry.at, why);
        return None;
    }
    if chain.len() > DEPTH {
        return files.stopped(entry.at, format!("`include` nests deeper than {DEPTH} files here: clawlint reads no further, and what the rest gives is not seen"));
    }
    let project_dir = match &entry.project_directory {
        Some(dir) => files.host.host_path(dir, working_dir),
        None => main.parent().unwrap_or(Path::new("/")).to_path_buf(),
    };
    Some((paths, project_dir))
}

/// The services of an included project's files (`paths`, each on top of the ones before),
/// each file's own `include:` and `extends` applied; `at`: the entry that names them.
fn merged_files(
    files: &mut Extends,
    reader: &mut Reader,
    paths: &[PathBuf],
    at: Loc,
    project_dir: &Path,
    chain: &mut Vec<PathBuf>,
) -> BTreeMap<String, ServiceSpec> {
    let mut out = BTreeMap::new();
    for path in paths {
        let Some((id, parsed)) = files.read(path, at, "include file") else {
            continue;
        };
        let root = &parsed.root;
        reader.problems.extend(super::refused_keys(id, root));
        let own = services(files, reader, id, root, project_dir, chain);
        for (name, spec) in files.with_imported(reader, id, root, own) {
            super::merge_service(&mut out, name, spec);
        }
    }
    out
}

/// What an included project interpolates with: the including project's values, and under
/// them (a name already set keeps its value) its env files, else its directory's `.env`.
struct IncludedEnv {
    values: BTreeMap<String, (String, Loc)>,
    /// The env files read, in words.
    files: Vec<String>,
}

/// `None` when compose refuses the entry (an env file it names is missing).
fn project_env(
    files: &mut Extends,
    reader: &Reader,
    entry: &Entry,
    working_dir: &Path,
    project_dir: &Path,
) -> Option<IncludedEnv> {
    let named: Vec<PathBuf> = match entry.env_files.is_empty() {
        true => vec![project_dir.join(".env")],
        false => (entry.env_files.iter())
            .filter(|f| *f != "/dev/null")
            .map(|f| files.host.host_path(f, working_dir))
            .collect(),
    };
    let mut values = reader.env.clone();
    let mut read = Vec::new();
    for path in named {
        if !crate::paths::host::is_file(&path) {
            if !entry.env_files.is_empty() {
                let shown = crate::paths::display_path(&path);
                refused(
                    files,
                    entry.at,
                    format!("the included project's env file {shown} does not exist"),
                );
                return None;
            }
            continue;
        }
        read.push(crate::paths::display_path(&path));
        for (key, value, at) in read_env_file(
            &path,
            true,
            files.host,
            &mut files.parsed.env,
            files.sources,
            files.problems,
        ) {
            if files.host.shell_var(&key).is_none() {
                values.entry(key).or_insert((value, at));
            }
        }
    }
    Some(IncludedEnv {
        values,
        files: read,
    })
}

/// `- path` or `- {path: p | [p, ...], project_directory: d, env_file: f | [f, ...]}`,
/// interpolated with the including project's values; `None` without a path.
fn entry(reader: &mut Reader, file: FileId, item: &Node) -> Option<Entry> {
    let at = Loc {
        file,
        span: item.span,
    };
    let mut strings = |node: Option<&Node>| -> Vec<String> {
        match node.map(|n| &n.value) {
            Some(Value::Seq(list)) => list.iter().filter_map(|n| reader.string(file, n)).collect(),
            Some(_) => node
                .and_then(|n| reader.string(file, n))
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    };
    let (paths, env_files, dir) = match &item.value {
        Value::Map(_) => (
            strings(item.get("path")),
            strings(item.get("env_file")),
            strings(item.get("project_directory")).pop(),
        ),
        _ => (strings(Some(item)), Vec::new(), None),
    };
    let paths: Vec<String> = paths.into_iter().filter(|p| !p.is_empty()).collect();
    if paths.is_empty() {
        return None;
    }
    Some(Entry {
        paths,
        project_directory: dir.filter(|d| !d.is_empty()),
        env_files,
        at,
    })
}

/// An `include:` compose refuses: `docker compose` loads nothing of the project.
fn refused(files: &mut Extends, at: Loc, why: String) {
    files.problems.push(Problem {
        kind: ProblemKind::InvalidValue,
        message: format!("{why}: docker compose refuses to load the project, and clawlint reads it without this entry"),
        loc: Some(at),
    });
}

/// A path compose's remote loaders take (git and OCI): clawlint reads only local files.
fn is_remote(path: &str) -> bool {
    path.contains("://") || path.starts_with("git@")
}
