//! A service's `extends:` (compose-go's `ApplyExtends`, loader/extends.go): within a file, or
//! in the file `extends.file` names, applied to each file's services before the files merge;
//! the base service merged under the one that extends it as an override file's service is
//! (`override.ExtendService` is `MergeYaml`), its relative host paths made its own file's.
//! Every chain is bounded: a cycle, a chain deeper than [`DEPTH`] or more files than
//! [`FILES`] stop it, said where the `extends:` is.

use super::{HostContext, ParsedFiles, Reader, ServiceSpec};
use crate::load::read::ReadError;
use crate::load::yaml::{Node, Value};
use crate::load::{Problem, ProblemKind};
use crate::source::{FileId, Loc, SourceMap};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// How many `extends` a chain follows: compose follows any chain but a cycle.
const DEPTH: usize = 16;

/// How many other files a project's `extends` may read.
const FILES: usize = 32;

/// What reading one project's `extends` and `include:` needs beside the reader: the other
/// files read, each once, and what `include:` brought (see the `include` module).
pub(super) struct Extends<'a> {
    pub host: &'a HostContext<'a>,
    pub parsed: &'a mut ParsedFiles,
    pub sources: &'a mut SourceMap,
    pub problems: &'a mut Vec<Problem>,
    /// The other files this project's `extends` named.
    named: Vec<PathBuf>,
    /// Each file's services by name (their place in `services:`), made at its first
    /// `extends`: a file of many services, each extending another, is not searched for each.
    indexes: HashMap<FileId, HashMap<String, usize>>,
    /// The services each file's `include:` brings, which its own may extend.
    imported: HashMap<FileId, BTreeMap<String, ServiceSpec>>,
    /// The files the project's `include:` entries name.
    pub included: Vec<PathBuf>,
    /// How many `include:` entries the project's files hold, nested ones counted.
    pub include_entries: usize,
}

/// A file `extends.file` named, as read: parsed, or why not (`None`: it did not parse, said
/// at the file).
pub(super) type ExtendedFile = Result<(FileId, Rc<super::Parsed>), Option<ReadError>>;

/// One `extends:` as written: the service it names and the file, if another.
struct Target<'n> {
    service: String,
    file: Option<(String, &'n Node)>,
}

impl<'a> Extends<'a> {
    pub fn new(
        host: &'a HostContext<'a>,
        parsed: &'a mut ParsedFiles,
        sources: &'a mut SourceMap,
        problems: &'a mut Vec<Problem>,
    ) -> Self {
        Extends {
            host,
            parsed,
            sources,
            problems,
            named: Vec::new(),
            indexes: HashMap::new(),
            imported: HashMap::new(),
            included: Vec::new(),
            include_entries: 0,
        }
    }

    /// Each service of `file` (its tree `root`), with what it extends applied, in file order.
    pub fn services(
        &mut self,
        reader: &mut Reader,
        file: FileId,
        root: &Node,
    ) -> Vec<(String, ServiceSpec)> {
        let Some(list) = root.get("services") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (at, (key, _)) in list.entries().iter().enumerate() {
            let Some(name) = key.as_str() else { continue };
            let mut chain = Vec::new();
            if let Some(spec) = self.service(reader, file, root, at, &mut chain) {
                out.push((name.to_string(), spec));
            }
        }
        out
    }

    /// `file`'s services over those its `include:` brings (`imported`), as compose-go
    /// imports them: an included service the file also defines is merged under the file's,
    /// and the file's may extend an included one.
    pub fn with_imported(
        &mut self,
        reader: &mut Reader,
        file: FileId,
        root: &Node,
        imported: BTreeMap<String, ServiceSpec>,
    ) -> Vec<(String, ServiceSpec)> {
        if imported.is_empty() {
            return self.services(reader, file, root);
        }
        self.imported.insert(file, imported.clone());
        let mut out = imported;
        for (name, spec) in self.services(reader, file, root) {
            match out.get_mut(&name) {
                Some(existing) => {
                    let key = spec.key;
                    existing.merge(spec);
                    existing.key = key;
                }
                None => {
                    out.insert(name, spec);
                }
            }
        }
        out.into_iter().collect()
    }

    /// The service at `at` in `file`'s `services:`, under what it extends; `chain`: the
    /// services on the way here.
    fn service(
        &mut self,
        reader: &mut Reader,
        file: FileId,
        root: &Node,
        at: usize,
        chain: &mut Vec<(FileId, String)>,
    ) -> Option<ServiceSpec> {
        let (key, body) = root.get("services")?.entries().get(at)?;
        let name = key.as_str()?;
        let spec = reader.service(file, &self.sources.file(file).text, key, body);
        let Some(node) = body.get("extends") else {
            return Some(spec);
        };
        let at = |n: &Node| Loc { file, span: n.span };
        let Some(target) = target(reader, file, node) else {
            self.refused(at(node), format!("service {name}'s `extends` names no service (\"extends.{name}.service is required\")"));
            return Some(spec);
        };
        chain.push((file, name.to_string()));
        let base = self.target_base(reader, file, root, name, &target, at(node), chain);
        chain.pop();
        let Some(mut merged) = base else {
            return Some(spec);
        };
        let key = spec.key;
        merged.merge(spec);
        merged.key = key;
        Some(merged)
    }

    /// What `target` names for `name` (of `file`): a service of the same file, or of the
    /// file `extends.file` names, its relative paths made that file's.
    #[allow(clippy::too_many_arguments)]
    fn target_base(
        &mut self,
        reader: &mut Reader,
        file: FileId,
        root: &Node,
        name: &str,
        target: &Target,
        at: Loc,
        chain: &mut Vec<(FileId, String)>,
    ) -> Option<ServiceSpec> {
        let Some((raw, file_node)) = &target.file else {
            return self.base(reader, file, root, name, &target.service, at, chain);
        };
        let path = self.host.host_path(raw, &self.dir_of(file));
        let named_at = Loc {
            file,
            span: file_node.span,
        };
        let (other, parsed) = self.read(&path, named_at, "extends file")?;
        let mut base = self.base(
            reader,
            other,
            &parsed.root,
            name,
            &target.service,
            at,
            chain,
        )?;
        base.rebase(&self.dir_of(other));
        Some(base)
    }

    /// The service `wanted` of `file` that `name` extends, if the chain may go on there.
    #[allow(clippy::too_many_arguments)]
    fn base(
        &mut self,
        reader: &mut Reader,
        file: FileId,
        root: &Node,
        name: &str,
        wanted: &str,
        at: Loc,
        chain: &mut Vec<(FileId, String)>,
    ) -> Option<ServiceSpec> {
        if chain.iter().any(|(f, s)| *f == file && s == wanted) {
            self.refused(at, format!("service {name} extends {wanted}, which extends it in turn (\"circular reference\")"));
            return None;
        }
        if chain.len() >= DEPTH {
            return self.stopped(at, format!("service {name}'s `extends` chain is deeper than {DEPTH} services: clawlint reads no further, and what the rest gives it is not seen"));
        }
        let Some(position) = self.position(file, root, wanted) else {
            if let Some(included) = self.imported.get(&file).and_then(|m| m.get(wanted)) {
                return Some(included.clone());
            }
            let shown = crate::paths::display_path(&self.sources.file(file).path);
            self.refused(at, format!("service {name} extends {wanted}, which is not a service of {shown} (\"cannot extend service {name}\")"));
            return None;
        };
        self.service(reader, file, root, position, chain)
    }

    /// Where service `name` is in `file`'s `services:`.
    fn position(&mut self, file: FileId, root: &Node, name: &str) -> Option<usize> {
        let index = self.indexes.entry(file).or_insert_with(|| {
            let entries = root.get("services").map_or(&[][..], Node::entries);
            let mut index = HashMap::new();
            for (at, (key, _)) in entries.iter().enumerate() {
                if let Some(name) = key.as_str() {
                    index.entry(name.to_string()).or_insert(at);
                }
            }
            index
        });
        index.get(name).copied()
    }

    /// A file `extends.file` or `include:` names (`what`), read and parsed once per discovery
    /// (many stacks extend one template), each project naming no more than [`FILES`].
    pub fn read(
        &mut self,
        path: &Path,
        at: Loc,
        what: &str,
    ) -> Option<(FileId, Rc<super::Parsed>)> {
        if !self.named.iter().any(|p| p == path) {
            if self.named.len() >= FILES {
                return self.stopped(at, format!("this project's `extends` and `include` name more than {FILES} other files: clawlint reads no more of them, and what their services give is not seen"));
            }
            self.named.push(path.to_path_buf());
        }
        if !self.parsed.extended.contains_key(path) {
            let read = self.read_new(path);
            self.parsed.extended.insert(path.to_path_buf(), read);
        }
        match self.parsed.extended.get(path)?.clone() {
            Ok(read) => Some(read),
            // Said where each project names it; a file that does not parse, once at the file.
            Err(Some(err)) => {
                self.not_read(path, &err, at, what);
                None
            }
            Err(None) => None,
        }
    }

    fn read_new(&mut self, path: &Path) -> ExtendedFile {
        match super::read_parsed(path, self.parsed, self.sources, self.problems) {
            Ok(Some(read)) => Ok(read),
            Ok(None) => Err(None),
            Err(err) => Err(Some(err)),
        }
    }

    fn not_read(&mut self, path: &Path, err: &ReadError, at: Loc, what: &str) {
        let shown = crate::paths::display_path(path);
        if matches!(err, ReadError::Missing) {
            return self.refused(at, format!("{what} {shown} does not exist"));
        }
        let kind = ProblemKind::of_read_error(err);
        self.problems.push(Problem {
            kind,
            message: format!(
                "{what} {shown}: {}; what its services give is not seen",
                err.describe()
            ),
            loc: Some(at),
        });
    }

    /// A chain stopped at one of clawlint's budgets, said where: nothing further is read.
    pub fn stopped<T>(&mut self, at: Loc, why: String) -> Option<T> {
        self.problems.push(Problem {
            kind: ProblemKind::Budget,
            message: why,
            loc: Some(at),
        });
        None
    }

    /// An `extends` compose refuses: `docker compose` loads nothing of the project.
    fn refused(&mut self, at: Loc, why: String) {
        self.problems.push(Problem {
            kind: ProblemKind::InvalidValue,
            message: format!("{why}: docker compose refuses to load the project, and clawlint reads the service without it"),
            loc: Some(at),
        });
    }

    fn dir_of(&self, file: FileId) -> PathBuf {
        let path = &self.sources.file(file).path;
        path.parent().unwrap_or(Path::new(".")).to_path_buf()
    }
}

/// `extends: name` or `extends: {service: name, file: path}`, interpolated.
fn target<'n>(reader: &mut Reader, file: FileId, node: &'n Node) -> Option<Target<'n>> {
    match &node.value {
        Value::Map(_) => {
            let service = reader.string(file, node.get("service")?)?;
            let file = match node.get("file") {
                Some(n) => Some((reader.string(file, n)?, n)),
                None => None,
            };
            Some(Target { service, file })
        }
        _ => Some(Target {
            service: reader.string(file, node)?,
            file: None,
        }),
    }
}
