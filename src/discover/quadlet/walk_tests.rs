//! `Exec=` split as Podman splits it, and the search directories walked as Podman walks
//! them (runtime directories first, no depth limit, each directory once by its real path):
//! each test fails with its piece of the model off.

use super::{files, system_dirs, user_dirs, SearchDir};
use crate::load::{Problem, ProblemKind};
use crate::source::SourceMap;
use std::path::Path;

use super::test_dir::{run, Tmp, IMAGE};

/// The `--port` each gateway runs with (`None`: the image's default), by container name.
fn exec_port(exec: &str) -> (Option<u16>, Option<String>, Vec<Problem>) {
    let t = Tmp::new("exec");
    t.write("q/gw.container", &format!("{IMAGE}Exec={exec}\n"));
    let (found, problems, _) = run(&t.0, &[SearchDir::all(t.0.join("q"))]);
    assert_eq!(found.len(), 1, "{exec}: {problems:?}");
    let port = found[0].port_arg.as_ref().map(|p| p.value);
    let bind = found[0].container.as_ref().unwrap().bind.clone();
    (port, bind, problems)
}

/// Where podman's `splitString` and a shell's split part, the gateway runs what podman
/// splits: an empty word ends the command, C escapes are decoded, shell syntax is text, an
/// escape podman does not know drops `Exec=` (located, the image's own command runs).
#[test]
fn exec_is_split_as_podman_splits_it() {
    let (port, _, problems) = exec_port("gateway --port 19500");
    assert_eq!(port, Some(19500));
    assert!(problems.is_empty(), "{problems:?}");
    // A shell passes "" as an empty argument and the port after it.
    let (port, _, _) = exec_port(r#"gateway --allow-unconfigured "" --port 19500"#);
    assert_eq!(port, None);
    // C escapes decoded, in single quotes too (a shell keeps `1950\x30`).
    let (port, _, _) = exec_port(r"gateway --port '1950\x30'");
    assert_eq!(port, Some(19500));
    // `#` is text (a shell starts a comment there).
    let (port, bind, _) = exec_port("gateway --bind=lan # --port 19500");
    assert_eq!((port, bind.as_deref()), (Some(19500), Some("lan")));
    // Unknown escape: podman drops the key, the image's own command runs (no --port).
    let (port, _, problems) = exec_port(r"gateway --port 19500 --token \$TOKEN");
    assert_eq!(port, None);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].kind, ProblemKind::InvalidValue);
    assert!(
        problems[0].message.contains("unsupported escape char"),
        "{problems:?}"
    );
    assert!(problems[0].loc.is_some());
}

fn names(dirs: &[SearchDir]) -> Vec<String> {
    files(dirs)
        .files()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Podman's `getRootDirs` and `getRootlessDirs` read the runtime directories first:
/// `/run/containers/systemd`, and `$XDG_RUNTIME_DIR/containers/systemd` (`/run/user/$UID`)
/// for a user whose uid the root's passwd says; a runtime quadlet shadows a same-named one.
#[test]
fn runtime_directories_come_first() {
    let t = Tmp::new("run");
    let root = &t.0;
    let home = root.join("home/ana");
    for rel in [
        "run/containers/systemd/gw.container",
        "run/containers/systemd/runtime.container",
        "etc/containers/systemd/gw.container",
        "run/user/1000/containers/systemd/own.container",
        "run/user/1001/containers/systemd/theirs.container",
        "home/ana/.config/containers/systemd/own.container",
        "home/ana/.config/containers/systemd/config.container",
    ] {
        t.write(rel, &format!("{IMAGE}Exec=gateway --port 19000\n"));
    }
    assert_eq!(
        names(&system_dirs(root)),
        ["gw.container", "runtime.container", "gw.container"]
    );
    let (found, _, _) = run(root, &system_dirs(root));
    let from: Vec<&Path> = found
        .iter()
        .map(|inv| inv.container.as_ref().unwrap().file.as_path())
        .collect();
    assert_eq!(
        from,
        [
            root.join("run/containers/systemd/gw.container"),
            root.join("run/containers/systemd/runtime.container")
        ]
    );
    assert_eq!(
        names(&user_dirs(&home, Some(root), Some("1000"))),
        ["own.container", "config.container", "own.container"]
    );
    let dirs = user_dirs(&home, Some(root), Some("1000"));
    assert_eq!(dirs[0].dir, root.join("run/user/1000/containers/systemd"));
    // No uid, or no root: no runtime directory to read.
    assert_eq!(
        names(&user_dirs(&home, Some(root), None)),
        ["config.container", "own.container"]
    );
    assert_eq!(user_dirs(&home, None, Some("1000")).len(), 1);
}

/// `AppendSubPaths` has no depth limit: a quadlet five directories down loads; the entry
/// budget, not the depth, bounds the walk, and a chain deeper than it stops the search
/// where it says.
#[test]
fn the_walk_goes_as_deep_as_the_budget() {
    let t = Tmp::new("deep");
    t.write("q/a/b/c/d/e/deep.container", "");
    t.write("q/top.container", "");
    let dirs = [SearchDir::all(t.0.join("q"))];
    assert_eq!(names(&dirs), ["top.container", "deep.container"]);
    let chain: String = (0..60).map(|i| format!("d{i}/")).collect();
    t.write(&format!("long/{chain}x.container"), "");
    let scanned = super::files_within(&[SearchDir::all(t.0.join("long"))], 40);
    assert!(scanned.stopped_in.is_some());
    assert_eq!(scanned.files().count(), 0);
    let scanned = super::files_within(&[SearchDir::all(t.0.join("long"))], 100);
    assert_eq!(
        (scanned.stopped_in.as_deref(), scanned.files().count()),
        (None, 1)
    );
}

/// Directories are keyed by their real path (`filepath.EvalSymlinks`): a link to another
/// search directory reads it once, where the link is met first (and not again as a search
/// directory of its own); a link back up the tree ends; a link whose real path ends in `.d`
/// is no source directory, a link named `.d` to another directory is one.
#[test]
fn each_directory_is_read_once_by_its_real_path() {
    let t = Tmp::new("real");
    let root = &t.0;
    t.write("usr/share/containers/systemd/pkg.container", "");
    t.write("etc/containers/systemd/admin.container", "");
    t.write("etc/containers/systemd/zz/late.container", "");
    t.link(
        "etc/containers/systemd/aa-vendor",
        "../../../usr/share/containers/systemd",
    );
    t.link("etc/containers/systemd/zz/up", "..");
    t.write(
        "etc/containers/systemd/x.container.d/in-dropin.container",
        "",
    );
    t.link("etc/containers/systemd/dropins", "x.container.d");
    t.write("srv/quadlets/in-plain.container", "");
    t.link("etc/containers/systemd/plain.d", "../../../srv/quadlets");
    assert_eq!(
        names(&system_dirs(root)),
        [
            "admin.container",
            "pkg.container",
            "in-plain.container",
            "late.container"
        ]
    );
    let scanned = files(&system_dirs(root));
    let walked: Vec<&Path> = scanned.dirs.iter().map(|d| d.path.as_path()).collect();
    let etc = root.join("etc/containers/systemd");
    assert_eq!(
        walked,
        [
            &etc,
            &etc.join("aa-vendor"),
            &etc.join("plain.d"),
            &etc.join("zz")
        ]
    );
    assert_eq!(scanned.dirs[0].drop_in_dirs, ["plain.d", "x.container.d"]);
}

/// A link whose links loop: Podman fails to read it as a directory and says so; clawlint
/// says it at the link, and the quadlets beside it still load.
#[test]
fn a_looping_link_is_a_located_problem_and_hides_nothing() {
    let t = Tmp::new("loop");
    t.write(
        "q/gw.container",
        &format!("{IMAGE}Exec=gateway --port 19000\n"),
    );
    t.link("q/loop", "loop");
    t.link("q/a", "b");
    t.link("q/b", "a");
    t.link("top", "top");
    let dirs = [
        SearchDir::all(t.0.join("top")),
        SearchDir::all(t.0.join("q")),
    ];
    let scanned = files(&dirs);
    assert_eq!(
        scanned.looped,
        [
            t.0.join("top"),
            t.0.join("q/a"),
            t.0.join("q/b"),
            t.0.join("q/loop")
        ]
    );
    let mut sources = SourceMap::new();
    let mut problems = Vec::new();
    super::said(&scanned, &mut sources, &mut problems);
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(problems
        .iter()
        .all(|p| p.kind == ProblemKind::Unreadable && p.loc.is_some()));
    assert!(problems[3].message.contains("loop"), "{problems:?}");
    let (found, problems, _) = run(&t.0, &dirs);
    assert_eq!(found.len(), 1, "{problems:?}");
}
