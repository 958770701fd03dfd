//! Podman quadlets: `*.container` units in `~/.config/containers/systemd/` (rootless) and
//! `/etc/containers/systemd/`, `/usr/share/containers/systemd/` (rootful), read as
//! podman-systemd.unit(5) describes them: `Image=`, `ContainerName=` (default
//! `systemd-<name>`), `Exec=` (the command after the image's entrypoint), `Network=host`,
//! `PublishPort=` (podman's `-p` syntax), `Volume=`, `Environment=`, `EnvironmentFile=`,
//! `WorkingDir=`, and systemd's specifiers (`%h`).

use super::compose::{self, spec, HostContext};
use super::systemd::{self, SpecifierContext};
use crate::container::{
    Container, Engine, HostAddr, HostText, Mount, MountSource, Network, Published,
};
use crate::invocation::{Discovery, Invocation, Origin, Sourced};
use crate::load::env::{Env, EnvOrigin};
use crate::load::json5::Span;
use crate::load::read::{read_bytes, read_text_lossy, ReadError, SMALL_FILE_LIMIT};
use crate::load::{unreadable, Problem, ProblemKind};
use crate::source::{Loc, SourceMap};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

mod podman;

/// Directory entries the quadlet search looks at, over all its directories: a real quadlet
/// directory holds a few units; a pull request can hold millions of empty files.
pub const SCAN_ENTRY_BUDGET: usize = 10_000;

/// What the quadlet search found, and where it stopped when it met [`SCAN_ENTRY_BUDGET`].
#[derive(Debug, Default)]
pub struct Scanned {
    pub files: Vec<PathBuf>,
    /// The directory holding more entries than the budget had left: none of it, and nothing
    /// after it, was looked at.
    pub stopped_in: Option<PathBuf>,
}

/// `*.container` entries in `dirs` and their subdirectories (quadlet reads those too): each
/// that is not a directory or masked (linked to `/dev/null`), so that a FIFO, a device or a
/// symlink loop there is said by the reader instead of skipped unseen. Sorted,
/// at most 3 levels down and [`SCAN_ENTRY_BUDGET`] entries: a directory is listed one entry
/// past what is left of the budget at most (never whole), and one with more stops the search,
/// which says where. Listed and tested where the layout's reads find them (`paths::host`:
/// links followed within a copied `--root`, never to this machine's own paths); each named
/// under the dir it was found from.
pub fn files(dirs: &[PathBuf]) -> Scanned {
    files_within(dirs, SCAN_ENTRY_BUDGET)
}

fn files_within(dirs: &[PathBuf], entries: usize) -> Scanned {
    /// Walks `dir`; `Err` holds the directory with more entries than `budget` had left.
    fn walk(
        dir: &Path,
        depth: usize,
        budget: &mut usize,
        out: &mut Vec<PathBuf>,
    ) -> Result<(), PathBuf> {
        let listed = match crate::paths::host::read_dir_within(dir, budget) {
            None => return Ok(()),
            Some(Err(())) => return Err(dir.to_path_buf()),
            Some(Ok(listed)) => listed,
        };
        let mut names: Vec<std::ffi::OsString> = listed.iter().map(|e| e.file_name()).collect();
        names.sort();
        for name in names {
            let path = dir.join(&name);
            if crate::paths::host::is_dir(&path) {
                if depth < 3 {
                    walk(&path, depth + 1, budget, out)?;
                }
            } else if path.extension().is_some_and(|e| e == "container") && !is_masked(&path) {
                // A FIFO, a device, a symlink loop: the reader says what it is, where it is.
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Scanned::default();
    let mut budget = entries;
    for dir in dirs {
        if let Err(full) = walk(dir, 1, &mut budget, &mut out.files) {
            out.stopped_in = Some(full);
            break;
        }
    }
    out
}

/// A `.container` linked to `/dev/null`, the way a unit is masked: not a quadlet, and never
/// opened.
fn is_masked(path: &Path) -> bool {
    crate::paths::host::read_link(path).is_ok_and(|target| target == Path::new("/dev/null"))
}

/// CL907 where the quadlet search stopped (see [`Scanned::stopped_in`]).
pub fn stopped(dir: &Path, sources: &mut SourceMap) -> Problem {
    let file = sources.add(dir, String::new(), None);
    Problem {
        kind: ProblemKind::TooManyEntries,
        message: format!(
            "the search for Podman quadlets looks at {SCAN_ENTRY_BUDGET} directory entries at most, and {} holds more than were left: it stopped there, so quadlets in it and after it are not found",
            crate::paths::display_path(dir),
        ),
        loc: Some(crate::load::tree::file_start(file)),
    }
}

/// Registers a quadlet that is not run (whole, with what of it may be shown).
fn register(path: &Path, text: String, sources: &mut SourceMap) -> crate::source::FileId {
    let shown = crate::redact::scan::unit(&text);
    let file = sources.add(path, text, None);
    sources.show(file, shown);
    file
}

/// CL901 at the line of a quadlet where systemd's parser fails a unit
/// ([`systemd::Stopped`]) that Podman's generator took: this container never starts. The
/// generator reads the file as bytes and checks no encoding, but copies every line into the
/// service it generates (the `[Container]` group kept as `[X-Container]`,
/// `initServiceUnitFile`), and systemd fails that service at the line, so the unit is not
/// loaded: a line that is not UTF-8, a header with a quote or a backslash in its name, or
/// one without its `]` that podman took as a key (it has an `=`).
fn refused_by_systemd(
    path: &Path,
    text: String,
    stopped: systemd::Stopped,
    sources: &mut SourceMap,
) -> Problem {
    let file = register(path, text, sources);
    Problem {
        kind: ProblemKind::Unparsable,
        message: format!(
            "{}: podman's quadlet generator copies it into the service it generates, and systemd does not load that service (it fails the file at this line, \"{}\"), so this container never starts, whatever its lines say",
            stopped.why.line(),
            stopped.why.systemd_says()
        ),
        loc: Some(Loc {
            file,
            span: stopped.span,
        }),
    }
}

/// CL901 at the line where Podman's own parser fails a quadlet ([`podman::refused`]). The
/// generator then generates nothing from the quadlet's directory: cmd/quadlet's
/// `loadUnitsFromDir` returns the error, and its caller drops every unit that directory
/// held (`if err != nil { reportError(err) } else { units = append(units, result...) }`).
/// `lost`: the other quadlets of the directory that run a gateway.
fn refused_by_podman(
    at: Loc,
    refused: podman::Refused,
    starts_with_bom: bool,
    lost: &[&Path],
) -> Problem {
    let dir = lost.first().and_then(|p| p.parent());
    let others = match lost {
        [] => String::new(),
        [one] => format!(
            ", and neither does the gateway of {}",
            crate::paths::display_path(one)
        ),
        [first, rest @ ..] => format!(
            ", and neither do the gateways of {} and {} other quadlet(s) in {}",
            crate::paths::display_path(first),
            rest.len(),
            dir.map(crate::paths::display_path).unwrap_or_default()
        ),
    };
    let bom = if starts_with_bom {
        " (the file starts with a UTF-8 byte order mark, which podman reads as part of the line)"
    } else {
        ""
    };
    Problem {
        kind: ProblemKind::Unparsable,
        message: format!(
            "{}{bom}: podman's quadlet generator refuses this file (\"{}\") and, with it, every quadlet in the same directory (it loads a directory's quadlets all or none), so this container never starts{others}",
            refused.why.line(),
            refused.why.podman_says(),
        ),
        loc: Some(at),
    }
}

/// What one quadlet file comes to.
enum Quadlet {
    /// Podman's generator refuses it, and so its whole directory.
    RefusedByPodman {
        at: Loc,
        refused: podman::Refused,
        starts_with_bom: bool,
    },
    /// Podman's generator takes it: the gateway it runs, if any.
    Taken(Option<Box<Invocation>>),
}

/// The gateways the quadlets `files` run, in their order: none from a directory that holds a
/// quadlet Podman's generator refuses ([`refused_by_podman`]). What a quadlet's reading
/// found wrong is said either way.
pub fn invocations(
    files: &[PathBuf],
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<Invocation> {
    let read: Vec<(&Path, Quadlet)> = files
        .iter()
        .map(|path| (path.as_path(), quadlet(path, host, sources, problems)))
        .collect();
    fn dir(path: &Path) -> &Path {
        path.parent().unwrap_or(Path::new("."))
    }
    let refused: HashSet<&Path> = read
        .iter()
        .filter(|(_, q)| matches!(q, Quadlet::RefusedByPodman { .. }))
        .map(|(path, _)| dir(path))
        .collect();
    let mut lost: HashMap<&Path, Vec<&Path>> = HashMap::new();
    let mut out = Vec::new();
    for (path, q) in &read {
        if let Quadlet::Taken(Some(_)) = q {
            if refused.contains(dir(path)) {
                lost.entry(dir(path)).or_default().push(path);
            }
        }
    }
    for (path, q) in read {
        match q {
            Quadlet::RefusedByPodman {
                at,
                refused,
                starts_with_bom,
            } => {
                let lost = lost.get(dir(path)).map_or(&[][..], Vec::as_slice);
                problems.push(refused_by_podman(at, refused, starts_with_bom, lost));
            }
            Quadlet::Taken(gateway) if !refused.contains(dir(path)) => {
                out.extend(gateway.map(|g| *g));
            }
            Quadlet::Taken(_) => {}
        }
    }
    out
}

/// Reads one quadlet: refused by Podman's generator, or the gateway it runs, if it runs one.
fn quadlet(
    path: &Path,
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Quadlet {
    let bytes = match read_bytes(path, SMALL_FILE_LIMIT) {
        Ok(bytes) => bytes,
        Err(ReadError::Missing) => return Quadlet::Taken(None),
        Err(err) => {
            problems.push(unreadable(sources, path, &err));
            return Quadlet::Taken(None);
        }
    };
    let (text, unit) = systemd::read_unit(&bytes);
    if let Some(refused) = podman::refused(&text) {
        let starts_with_bom = refused.span.start() == 0 && text.starts_with('\u{feff}');
        let file = register(path, text, sources);
        return Quadlet::RefusedByPodman {
            at: Loc {
                file,
                span: refused.span,
            },
            refused,
            starts_with_bom,
        };
    }
    if let Some(stopped) = unit.stopped {
        problems.push(refused_by_systemd(path, text, stopped, sources));
        return Quadlet::Taken(None);
    }
    Quadlet::Taken(invocation(path, text, unit, host, sources, problems).map(Box::new))
}

/// The gateway a quadlet Podman's generator takes runs, if it runs one.
fn invocation(
    path: &Path,
    text: String,
    unit: systemd::UnitFile,
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Invocation> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unit_name = format!("{stem}.service");
    let ctx = SpecifierContext {
        home: host.home.display().to_string(),
        user: None,
        unit_name: unit_name.clone(),
    };
    let expand = |v: &str| systemd::expand_specifiers(v, &ctx).0;
    let image = unit
        .get_last("Container", "Image")
        .map(|d| expand(&d.value));
    let openclaw_image = image.as_deref().is_some_and(compose::is_openclaw_image);
    let exec = unit.get_last("Container", "Exec");
    let argv: Vec<String> = match exec {
        Some(d) => {
            let value = expand(&d.value);
            crate::openclaw::split_shell_words(&value)
                .unwrap_or_else(|| value.split_whitespace().map(str::to_string).collect())
        }
        None if openclaw_image => compose::IMAGE_CMD.iter().map(|s| s.to_string()).collect(),
        None => Vec::new(),
    };
    if !compose::runs_gateway(&argv, openclaw_image) {
        return None;
    }
    // Shown: what the unit scanner knows to be safe (Environment= values by their names).
    let shown = crate::redact::scan::unit(&text);
    let file = sources.add(path, text, None);
    sources.show(file, shown);
    let at = |span: Span| Loc { file, span };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut env = Env::new();
    if openclaw_image {
        env.set("HOME", compose::IMAGE_HOME.to_string(), EnvOrigin::Given);
    }
    for d in unit.get_all("Container", "EnvironmentFile") {
        let raw = expand(&d.value);
        let file_path = host.host_path(&raw, dir);
        read_env_file(&file_path, at(d.span), &mut env, sources, problems);
    }
    for d in unit.get_all("Container", "Environment") {
        let (assignments, errors) = systemd::parse_environment(&d.value);
        for (key, value, span) in assignments {
            let loc = at(Span::new(
                d.value_span.start() + span.start(),
                d.value_span.start() + span.end(),
            ));
            env.set(&key, expand(&value), EnvOrigin::Container(loc));
        }
        for e in errors {
            problems.push(Problem {
                kind: ProblemKind::Unparsable,
                message: e,
                loc: Some(at(d.value_span)),
            });
        }
    }
    let mut published = Vec::new();
    for d in unit.get_all("Container", "PublishPort") {
        match spec::parse_port(&expand(&d.value)) {
            Ok(p) => {
                let addr = HostAddr::parse(p.host_ip.as_deref().unwrap_or(""));
                published.extend(p.pairs().into_iter().map(|(h, c)| Published {
                    host_addr: addr.clone(),
                    host_port: h,
                    container_port: c,
                    protocol: p.protocol.clone(),
                    loc: at(d.value_span),
                    vars: Vec::new(),
                    host_text: HostText::Entry,
                }));
            }
            Err(why) => problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!("podman rejects PublishPort={}: {why}", d.value),
                loc: Some(at(d.value_span)),
            }),
        }
    }
    let mut mounts = Vec::new();
    for d in unit.get_all("Container", "Volume") {
        let value = expand(&d.value);
        match podman_volume(&value) {
            Ok(v) => mounts.push(Mount {
                source: match v.kind {
                    spec::VolumeKind::Bind => MountSource::Bind(host.host_path(&v.source, dir)),
                    spec::VolumeKind::Volume => MountSource::Volume(volume_name(&v.source)),
                    _ => MountSource::Private,
                },
                target: PathBuf::from(&v.target),
                read_only: v.read_only,
                loc: at(d.value_span),
            }),
            Err(why) => problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!("podman rejects Volume={}: {why}", d.value),
                loc: Some(at(d.value_span)),
            }),
        }
    }
    let network = match unit
        .get_last("Container", "Network")
        .map(|d| d.value.as_str())
    {
        Some("host") => Network::Host,
        Some(other) if other.starts_with("container:") => Network::Shared(other.to_string()),
        _ => Network::Isolated,
    };
    let name = unit
        .get_last("Container", "ContainerName")
        .map(|d| expand(&d.value))
        .unwrap_or_else(|| format!("systemd-{stem}"));
    let command_loc = exec.map(|d| at(d.value_span));
    let image_loc = unit
        .get_last("Container", "Image")
        .map(|d| at(d.value_span));
    let key_loc = unit
        .sections
        .iter()
        .find(|s| s.name == "Container")
        .map_or(at(Span::new(0, 0)), |s| at(s.span));
    let cwd = unit
        .get_last("Container", "WorkingDir")
        .map(|d| PathBuf::from(expand(&d.value)))
        .unwrap_or_else(|| PathBuf::from(compose::IMAGE_WORKDIR));
    let home = PathBuf::from(env.value("HOME").unwrap_or(compose::IMAGE_HOME));
    let (profile_flag, dev) = crate::openclaw::root_flags(&argv);
    let port_arg = crate::openclaw::port_from_args(&argv)
        .map(|(port, _)| Sourced::new(port, Origin::cli(format!("--port {port}"), command_loc)));
    Some(Invocation {
        written_home: None,
        name: name.clone(),
        discovery: Discovery::Container(path.to_path_buf()),
        home,
        cwd,
        profile_flag,
        dev,
        env,
        port_arg,
        service: None,
        container: Some(Box::new(Container {
            engine: Engine::Quadlet,
            name,
            service: unit_name,
            file: path.to_path_buf(),
            loc: key_loc,
            image,
            image_loc,
            network,
            published,
            mounts,
            bind: crate::container::bind_from_args(&argv),
            host_home: host.home.to_path_buf(),
            profiles: None,
            run: None,
            env_files: Vec::new(),
            other_runs: Vec::new(),
            name_clashes: Vec::new(),
        })),
    })
}

/// `data.volume` is the quadlet volume unit's volume, `systemd-data`; a plain name is itself.
/// `Volume=` as quadlet and podman split it on Linux: at every `:` (quadlet's
/// `strings.SplitN(volume, ":", 3)`, then podman's `specgen.SplitVolumeString`, which takes a
/// drive letter's `:` as no separator only under WSL or on Windows), into
/// `[SOURCE:]TARGET[:OPTIONS]`. A source starting with `/` or `.` is a host path (`.` from the
/// unit's directory, as quadlet resolves it), anything else a named volume (`NAME.volume` is
/// quadlet's `systemd-NAME`): so `c:/data` mounts the volume `c`, not a Windows drive, unlike
/// Compose's reading ([`spec::parse_volume`]).
fn podman_volume(raw: &str) -> Result<spec::VolumeSpec, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let (source, target, options) = match parts.as_slice() {
        [target] => ("", *target, ""),
        [source, target] => (*source, *target, ""),
        [source, target, options] => (*source, *target, *options),
        _ => {
            return Err(
                "incorrect volume format, should be [host-dir:]ctr-dir[:option]".to_string(),
            )
        }
    };
    if parts.len() > 1 && source.is_empty() {
        return Err("host directory cannot be empty".to_string());
    }
    if !target.starts_with('/') {
        return Err(format!(
            "invalid container path {target:?}, must be an absolute path"
        ));
    }
    let kind = if source.is_empty() {
        spec::VolumeKind::Anonymous
    } else if source.starts_with(['/', '.']) {
        spec::VolumeKind::Bind
    } else {
        let valid = source
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && source
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !valid {
            return Err(format!(
                "{source:?} is no host path (those start with / or .) and no valid volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)"
            ));
        }
        spec::VolumeKind::Volume
    };
    Ok(spec::VolumeSpec {
        kind,
        source: source.to_string(),
        target: target
            .trim_end_matches('/')
            .to_string()
            .max("/".to_string()),
        read_only: options.split(',').any(|o| o == "ro"),
    })
}

fn volume_name(source: &str) -> String {
    match source.strip_suffix(".volume") {
        Some(stem) => format!("systemd-{stem}"),
        None => source.to_string(),
    }
}

/// `EnvironmentFile=`: podman reads it when it starts the container; a missing one stops it.
fn read_env_file(
    path: &Path,
    at: Loc,
    env: &mut Env,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) {
    let text = match read_text_lossy(path, SMALL_FILE_LIMIT) {
        Ok((text, _)) => text,
        Err(err) => {
            problems.push(Problem {
                kind: ProblemKind::Unreadable,
                message: format!(
                    "EnvironmentFile {} cannot be read ({}): podman refuses to start the container",
                    crate::paths::display_path(path),
                    err.describe()
                ),
                loc: Some(at),
            });
            return;
        }
    };
    let (entries, _) = systemd::parse_environment_file(&text);
    let shown = crate::redact::scan::env_lines(&text);
    let file = sources.add(path, text, None);
    sources.show(file, shown);
    for e in entries {
        env.set(
            &e.key,
            e.value.clone(),
            EnvOrigin::Container(Loc { file, span: e.span }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::podman_volume;
    use crate::discover::compose::spec::VolumeKind;

    fn read(raw: &str) -> (VolumeKind, String, String, bool) {
        let v = podman_volume(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        (v.kind, v.source, v.target, v.read_only)
    }

    #[test]
    fn volumes_split_at_every_colon_as_podman_does_on_linux() {
        let s = String::from;
        assert_eq!(
            read("/home/ana/.openclaw:/home/node/.openclaw:Z,ro"),
            (
                VolumeKind::Bind,
                s("/home/ana/.openclaw"),
                s("/home/node/.openclaw"),
                true
            )
        );
        assert_eq!(
            read("./config:/home/node/.openclaw"),
            (
                VolumeKind::Bind,
                s("./config"),
                s("/home/node/.openclaw"),
                false
            )
        );
        assert_eq!(
            read("openclaw.volume:/home/node/.openclaw"),
            (
                VolumeKind::Volume,
                s("openclaw.volume"),
                s("/home/node/.openclaw"),
                false
            )
        );
        assert_eq!(
            read("/home/node/.openclaw"),
            (
                VolumeKind::Anonymous,
                s(""),
                s("/home/node/.openclaw"),
                false
            )
        );
        // A single letter before `:` is a volume's name on Linux (Compose would read a drive).
        assert_eq!(
            read("c:/data"),
            (VolumeKind::Volume, s("c"), s("/data"), false)
        );
        assert_eq!(
            read("C:/home/node/.openclaw:ro"),
            (VolumeKind::Volume, s("C"), s("/home/node/.openclaw"), true)
        );
    }

    /// A line systemd does not take as UTF-8 anywhere but in a comment: the service quadlet
    /// generates from it is not loaded, so no container (one CL901 at the first bad byte).
    #[test]
    fn a_line_that_is_not_utf8_means_no_container() {
        let dir = std::env::temp_dir().join(format!("clawlint-quadlet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let host = super::HostContext {
            home: &dir,
            root: None,
        };
        let quadlet = dir.join("gw.container");
        let run = |bytes: &[u8]| {
            std::fs::write(&quadlet, bytes).unwrap();
            let mut sources = crate::source::SourceMap::new();
            let mut problems = Vec::new();
            let found = super::invocations(
                std::slice::from_ref(&quadlet),
                &host,
                &mut sources,
                &mut problems,
            );
            (!found.is_empty(), problems)
        };
        let image = b"[Container]\nImage=ghcr.io/openclaw/openclaw:latest\n".to_vec();
        let (found, problems) = run(&[&image[..], b"PublishPort=19100:18789\n"].concat());
        assert!(found && problems.is_empty(), "{problems:?}");
        let (found, problems) = run(&[&image[..], b"Label=a=caf\xe9\n"].concat());
        assert!(!found);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, crate::load::ProblemKind::Unparsable);
        let span = problems[0].loc.unwrap().span;
        assert_eq!(span.start(), image.len() + "Label=a=caf".len());
        // U+FFFE is UTF-8 to podman, not to systemd.
        let (found, _) = run(&[&image[..], "Label=a=\u{FFFE}\n".as_bytes()].concat());
        assert!(!found);
        let (found, problems) = run(&[b"# caf\xe9\n", &image[..]].concat());
        assert!(found && problems.is_empty(), "{problems:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A malformed section header, after or before the `[Container]` group: podman's generator
    /// refuses the file (`[x` with no `]` nor `=`, text after the `]`) or systemd refuses the
    /// service it generates (a quote in the name, a `[x=y` podman took as a key): no container,
    /// one CL901 at the header, whatever the lines around it say.
    #[test]
    fn a_malformed_section_header_means_no_container() {
        let dir = std::env::temp_dir().join(format!("clawlint-quadlet-hdr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let host = super::HostContext {
            home: &dir,
            root: None,
        };
        let quadlet = dir.join("gw.container");
        let image = "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\n";
        for (text, header, says) in [
            (
                format!("{image}PublishPort=19100:18789\n[Service\n"),
                "[Service",
                "generator refuses this file (\"which is not a key-value pair",
            ),
            (
                format!("{image}[Install]  x\n"),
                "[Install]  x",
                "generator refuses this file (\"which is not a key-value pair",
            ),
            (
                format!("{image}[Install=x\n"),
                "[Install=x",
                "does not end with `]`",
            ),
            (format!("[Unit]\n  [a\"b]\n{image}"), "[a\"b]", "a quote"),
        ] {
            std::fs::write(&quadlet, &text).unwrap();
            let mut sources = crate::source::SourceMap::new();
            let mut problems = Vec::new();
            let found = super::invocations(
                std::slice::from_ref(&quadlet),
                &host,
                &mut sources,
                &mut problems,
            );
            assert!(found.is_empty(), "{text}");
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].message.contains(says), "{problems:?}");
            let span = problems[0].loc.unwrap().span;
            assert_eq!(&text[span.start()..span.end()], header);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The lines Podman's own parser refuses and systemd only warns about (a line that is no
    /// comment, group or pair, a pair before any group, an empty group name, a `[` or a control
    /// character in one, a byte order mark): the generator makes no service of the file, nor
    /// of any other quadlet in its directory (a gateway there is lost, and said), while a
    /// quadlet in a subdirectory, which Podman loads as a directory of its own, still runs.
    /// One CL901 at the line. Look-alikes Podman takes run.
    #[test]
    fn a_line_podman_refuses_means_no_container_in_its_directory() {
        let dir = std::env::temp_dir().join(format!("clawlint-quadlet-pod-{}", std::process::id()));
        let sub = dir.join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        let host = super::HostContext {
            home: &dir,
            root: None,
        };
        let image = "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\n";
        let bad = dir.join("a.container");
        let sibling = dir.join("b.container");
        let below = sub.join("c.container");
        std::fs::write(&sibling, format!("{image}PublishPort=19200:18789\n")).unwrap();
        std::fs::write(&below, format!("{image}PublishPort=19300:18789\n")).unwrap();
        let files = [bad.clone(), sibling.clone(), below.clone()];
        let run = |text: &str| {
            std::fs::write(&bad, text).unwrap();
            let mut sources = crate::source::SourceMap::new();
            let mut problems = Vec::new();
            let found = super::invocations(&files, &host, &mut sources, &mut problems);
            let names: Vec<String> = found.iter().map(|i| i.name.clone()).collect();
            (names, problems)
        };
        for (text, line, says) in [
            (
                format!("{image}garbage\n"),
                "garbage",
                "not a comment, a `[group]`",
            ),
            (
                format!("Image=x\n{image}"),
                "Image=x",
                "before any `[group]`",
            ),
            (format!("{image}[]\n"), "[]", "name is empty"),
            (format!("{image}  [a[b]  \n"), "[a[b]", "name is empty"),
            (
                format!("{image}[a\u{85}b]\n"),
                "[a\u{85}b]",
                "control character",
            ),
            (
                format!("{image}[a]b]\n"),
                "[a]b]",
                "not a comment, a `[group]`",
            ),
            (
                format!("{image}Exec=gateway \\\n  # a comment\n  run\nstray \\\n words\n"),
                "stray \\\n words",
                "not a comment",
            ),
            (
                format!("\u{feff}{image}"),
                "\u{feff}[Container]",
                "byte order mark",
            ),
        ] {
            let (names, problems) = run(&text);
            assert_eq!(names, ["systemd-c"], "{text:?}");
            assert_eq!(problems.len(), 1, "{text:?}: {problems:?}");
            let problem = &problems[0];
            assert_eq!(problem.kind, crate::load::ProblemKind::Unparsable);
            assert!(problem.message.contains(says), "{text:?}: {problem:?}");
            assert!(problem.message.contains("b.container"), "{problem:?}");
            let span = problem.loc.unwrap().span;
            assert_eq!(&text[span.start()..span.end()], line, "{text:?}");
        }
        // What Podman takes: comments anywhere, a pair after a group, `[x]` followed by
        // blanks, a continuation over a comment line, an empty value, CRLF line ends, a last
        // line that ends in `\`.
        for text in [
            format!("# caf\u{e9}\n; x\n\n{image}"),
            format!("{image}[Install]\t \nWantedBy=default.target\n"),
            format!("{image}Exec=gateway \\\n# note\n --port 18789\n"),
            format!("{image}Label=\n"),
            image.replace('\n', "\r\n"),
            format!("{image}Label=a \\"),
            format!("[Unit]\nDescription=[x\n{image}"),
        ] {
            let (names, problems) = run(&text);
            assert_eq!(names, ["systemd-a", "systemd-b", "systemd-c"], "{text:?}");
            assert!(problems.is_empty(), "{text:?}: {problems:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn volumes_podman_refuses_say_why() {
        for (raw, why) in [
            ("C:\\data:/x", "must be an absolute path"),
            ("C:/a:/b:ro", "incorrect volume format"),
            (":/x", "host directory cannot be empty"),
            ("data:relative", "must be an absolute path"),
            ("~/oc:/x", "no valid volume name"),
        ] {
            let err = podman_volume(raw).expect_err(raw);
            assert!(err.contains(why), "{raw}: {err}");
        }
    }
}
