//! Drop-ins, Podman's search directories and its one-name-once rule, and `\r` inside a line:
//! each test fails with its piece of the model off.

use super::{dropins, files, system_dirs, user_dirs, SearchDir, Skip};
use crate::invocation::Invocation;
use crate::load::ProblemKind;
use crate::source::SourceMap;
use std::path::PathBuf;

use super::test_dir::{run, Tmp, IMAGE};

/// What each drop-in merged into the gateway's quadlet applies to, in merge order.
fn applies_to(found: &Invocation) -> Vec<String> {
    let drop_ins = &found.container.as_ref().unwrap().drop_ins;
    drop_ins
        .iter()
        .map(crate::container::DropIn::applies_to)
        .collect()
}

/// (host port, file name of the line that publishes it) of each gateway.
fn ports(found: &[Invocation], sources: &SourceMap) -> Vec<(String, u16, String)> {
    found
        .iter()
        .flat_map(|inv| {
            let c = inv.container.as_ref().unwrap();
            c.published.iter().map(|p| {
                let file = &sources.file(p.loc.file).path;
                let name = file.file_name().unwrap().to_string_lossy().into_owned();
                (inv.name.clone(), p.host_port, name)
            })
        })
        .collect()
}

/// podman's pkg/systemd/parser/unitfile_test.go `sampleDropinPaths`, and a `.container`.
#[test]
fn drop_in_directories_are_searched_in_podmans_order() {
    assert_eq!(
        dropins::search_names("sample-unit.service"),
        ["sample-unit.service.d", "sample-.service.d", "service.d"]
    );
    assert_eq!(
        dropins::search_names("sample-template-unit@.service"),
        [
            "sample-template-unit@.service.d",
            "sample-template-@.service.d",
            "sample-template-.service.d",
            "sample-@.service.d",
            "sample-.service.d",
            "service.d",
        ]
    );
    assert_eq!(
        dropins::search_names("sample-template-unit@base-instance.service"),
        [
            "sample-template-unit@base-instance.service.d",
            "sample-template-unit@.service.d",
            "sample-template-@.service.d",
            "sample-template-.service.d",
            "sample-@.service.d",
            "sample-.service.d",
            "service.d",
        ]
    );
    assert_eq!(
        dropins::search_names("openclaw.container"),
        ["openclaw.container.d", "container.d"]
    );
}

/// A drop-in's `PublishPort=`, `Volume=`, `Environment=` and `Network=` change what the
/// container is, each located in the drop-in; an empty `PublishPort=` drops the ports before
/// it (`LookupAll`); files not named `*.conf` are no drop-ins.
#[test]
fn a_drop_in_changes_what_the_quadlet_publishes_mounts_and_sets() {
    let t = Tmp::new("change");
    let dir = t.0.join("systemd");
    t.write(
        "systemd/openclaw.container",
        &format!("{IMAGE}PublishPort=127.0.0.1:19100:18789\nEnvironment=A=quadlet\n"),
    );
    t.write(
        "systemd/openclaw.container.d/10-ports.conf",
        "[Container]\nPublishPort=\nPublishPort=127.0.0.1:19200:18789\nVolume=/srv/oc:/home/node/.openclaw\nEnvironment=A=drop-in\n",
    );
    t.write(
        "systemd/openclaw.container.d/20-off.conf.disabled",
        "[Container]\nNetwork=host\n",
    );
    let (found, problems, sources) = run(&t.0, &[SearchDir::all(dir.clone())]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        ports(&found, &sources),
        [(
            "systemd-openclaw".to_string(),
            19200,
            "10-ports.conf".to_string()
        )]
    );
    let c = found[0].container.as_ref().unwrap();
    assert_eq!(c.network, crate::container::Network::Isolated);
    assert_eq!(c.mounts.len(), 1);
    assert_eq!(
        sources.file(c.mounts[0].loc.file).path.file_name().unwrap(),
        "10-ports.conf"
    );
    assert_eq!(found[0].env.value("A"), Some("drop-in"));
    // Network=host from a real drop-in.
    t.write(
        "systemd/openclaw.container.d/30-host.conf",
        "[Container]\nNetwork=host\n",
    );
    let (found, _, _) = run(&t.0, &[SearchDir::all(dir)]);
    let c = found[0].container.as_ref().unwrap();
    assert_eq!(c.network, crate::container::Network::Host);
}

/// Drop-ins merge in name order whatever directory they are in; of two with one name the
/// most specific directory's wins (`a-b.container.d` over `a-.container.d` over
/// `container.d`), and in one directory name the first source directory's; a template
/// instance takes its template's; a drop-in directory of a later source directory applies
/// to a unit of an earlier one.
#[test]
fn drop_ins_merge_in_name_order_and_the_most_specific_name_wins() {
    let t = Tmp::new("order");
    let etc = t.0.join("etc");
    let usr = t.0.join("usr");
    t.write(
        "etc/my-gw.container",
        &format!("{IMAGE}PublishPort=19100:18789\n"),
    );
    t.write(
        "etc/tpl@a.container",
        &format!("{IMAGE}PublishPort=19500:18789\n"),
    );
    // Same name in three directories: `my-gw.container.d`'s wins.
    t.write(
        "usr/container.d/50-port.conf",
        "[Container]\nPublishPort=\nPublishPort=19300:18789\n",
    );
    t.write(
        "etc/my-.container.d/50-port.conf",
        "[Container]\nPublishPort=\nPublishPort=19400:18789\n",
    );
    t.write(
        "usr/my-gw.container.d/50-port.conf",
        "[Container]\nPublishPort=\nPublishPort=19200:18789\n",
    );
    // Merged after 50-port.conf (name order), from the broadest directory.
    t.write(
        "usr/container.d/60-extra.conf",
        "[Container]\nPublishPort=19201:18790\n",
    );
    // In one directory name, the first source directory's; merged last (by its name).
    t.write(
        "etc/tpl@.container.d/70-x.conf",
        "[Container]\nPublishPort=\nPublishPort=19600:18789\n",
    );
    t.write(
        "usr/tpl@.container.d/70-x.conf",
        "[Container]\nPublishPort=\nPublishPort=19700:18789\n",
    );
    let (found, problems, sources) = run(&t.0, &[SearchDir::all(etc), SearchDir::all(usr)]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        ports(&found, &sources),
        [
            (
                "systemd-my-gw".to_string(),
                19200,
                "50-port.conf".to_string()
            ),
            (
                "systemd-my-gw".to_string(),
                19201,
                "60-extra.conf".to_string()
            ),
            ("systemd-tpl_a".to_string(), 19600, "70-x.conf".to_string()),
        ]
    );
    let tpl_port = &found[1].container.as_ref().unwrap().published[0];
    assert!(sources
        .file(tpl_port.loc.file)
        .path
        .starts_with(t.0.join("etc")));
    // Each container lists the drop-ins merged into it, in merge order, with the directory
    // name that applied each and the same-named ones it hides.
    let listed = |i: usize| -> Vec<(PathBuf, String, Vec<PathBuf>)> {
        let c = found[i].container.as_ref().unwrap();
        c.drop_ins
            .iter()
            .map(|d| (d.path.clone(), d.dir_name.clone(), d.hides.clone()))
            .collect()
    };
    let p = |rel: &str| t.0.join(rel);
    assert_eq!(
        listed(0),
        [
            (
                p("usr/my-gw.container.d/50-port.conf"),
                "my-gw.container.d".to_string(),
                vec![
                    p("etc/my-.container.d/50-port.conf"),
                    p("usr/container.d/50-port.conf")
                ]
            ),
            (
                p("usr/container.d/60-extra.conf"),
                "container.d".to_string(),
                vec![]
            ),
        ]
    );
    assert_eq!(
        listed(1),
        [
            (
                p("usr/container.d/50-port.conf"),
                "container.d".to_string(),
                vec![]
            ),
            (
                p("usr/container.d/60-extra.conf"),
                "container.d".to_string(),
                vec![]
            ),
            (
                p("etc/tpl@.container.d/70-x.conf"),
                "tpl@.container.d".to_string(),
                vec![p("usr/tpl@.container.d/70-x.conf")]
            ),
        ]
    );
    let words = applies_to(&found[1]);
    assert_eq!(
        words,
        [
            "every .container quadlet",
            "every .container quadlet",
            "its template's"
        ]
    );
    let words = applies_to(&found[0]);
    assert_eq!(words, ["its own", "every .container quadlet"]);
}

/// A drop-in Podman's parser refuses is skipped: one CL901 at its line, said once however
/// many units it applies to, and each unit still runs as the rest makes it. A drop-in line
/// systemd fails in the generated service means no container.
#[test]
fn a_drop_in_podman_refuses_is_skipped_and_the_unit_still_runs() {
    let t = Tmp::new("refused");
    let dir = t.0.join("systemd");
    t.write(
        "systemd/a.container",
        &format!("{IMAGE}PublishPort=19100:18789\n"),
    );
    t.write(
        "systemd/b.container",
        &format!("{IMAGE}PublishPort=19200:18789\n"),
    );
    let bad = "[Container]\nPublishPort=\n// moved to 19900\nPublishPort=19900:18789\n";
    t.write("systemd/container.d/10-move.conf", bad);
    let (found, problems, sources) = run(&t.0, &[SearchDir::all(dir.clone())]);
    assert_eq!(
        ports(&found, &sources),
        [
            ("systemd-a".to_string(), 19100, "a.container".to_string()),
            ("systemd-b".to_string(), 19200, "b.container".to_string()),
        ]
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].kind, ProblemKind::Unparsable);
    assert!(
        problems[0].message.contains("skips this drop-in"),
        "{problems:?}"
    );
    let span = problems[0].loc.unwrap().span;
    assert_eq!(&bad[span.start()..span.end()], "// moved to 19900");
    // systemd's view of the generated service: a header with a quote.
    t.write(
        "systemd/container.d/10-move.conf",
        "[Container]\nPublishPort=19900:18789\n[X\"y]\n",
    );
    let (found, problems, _) = run(&t.0, &[SearchDir::all(dir)]);
    assert!(found.is_empty());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("merges this drop-in"),
        "{problems:?}"
    );
}

/// Podman's `seen`: a unit's name is taken from the first directory that loads it. A name
/// that loaded in a directory Podman then drops (another of its files is refused) is seen
/// all the same and shadows later directories; a name that failed is not, so a later
/// directory's file of that name loads.
#[test]
fn a_name_loads_once_over_the_search_directories() {
    let t = Tmp::new("seen");
    let (first, second) = (t.0.join("etc"), t.0.join("usr"));
    t.write("etc/a.container", &format!("{IMAGE}garbage\n"));
    t.write(
        "etc/b.container",
        &format!("{IMAGE}PublishPort=19100:18789\n"),
    );
    t.write(
        "usr/a.container",
        &format!("{IMAGE}PublishPort=19200:18789\n"),
    );
    t.write(
        "usr/b.container",
        &format!("{IMAGE}PublishPort=19300:18789\n"),
    );
    t.write(
        "usr/c.container",
        &format!("{IMAGE}PublishPort=19400:18789\n"),
    );
    t.write("etc/c.volume", "[Volume]\n");
    let dirs = [
        SearchDir::all(first.clone()),
        SearchDir::all(second.clone()),
    ];
    let (found, problems, sources) = run(&t.0, &dirs);
    // etc's b.container is lost with its directory, and shadows usr's; usr's a.container
    // loads, etc's having failed; c.volume is another name than c.container.
    assert_eq!(
        ports(&found, &sources),
        [
            ("systemd-a".to_string(), 19200, "a.container".to_string()),
            ("systemd-c".to_string(), 19400, "c.container".to_string()),
        ]
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].message.contains("b.container"), "{problems:?}");
    let instead = format!("from {} instead", second.join("a.container").display());
    assert!(problems[0].message.contains(&instead), "{problems:?}");
    // A refused unit of any type drops its directory's containers.
    t.write(
        "etc/a.container",
        &format!("{IMAGE}PublishPort=19500:18789\n"),
    );
    t.write("etc/c.volume", "[Volume]\nnot a line\n");
    let (found, problems, _) = run(&t.0, &dirs);
    let names: Vec<&str> = found.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["systemd-c"]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    // The first directory wins when it loads.
    t.write("etc/c.volume", "[Volume]\n");
    let (found, _, sources) = run(&t.0, &dirs);
    assert_eq!(
        ports(&found, &sources)
            .iter()
            .map(|(_, port, _)| *port)
            .collect::<Vec<_>>(),
        [19500, 19100, 19400]
    );
}

/// The rootful generator leaves `/etc/containers/systemd/users` out; a user's reads
/// `users/` without other users' uid directories, its own `users/$UID`, and every
/// directory under `/usr/share/containers/systemd/users`; no `*.d` directory is a source.
#[test]
fn search_directories_are_podmans() {
    let t = Tmp::new("dirs");
    let root = &t.0;
    let home = root.join("home/ana");
    for rel in [
        "etc/containers/systemd/sys.container",
        "etc/containers/systemd/users/all.container",
        "etc/containers/systemd/users/team/team.container",
        "etc/containers/systemd/users/1000/mine.container",
        "etc/containers/systemd/users/1001/theirs.container",
        "usr/share/containers/systemd/users/1001/shared.container",
        "home/ana/.config/containers/systemd/own.container",
        "home/ana/.config/containers/systemd/x.container.d/inner.container",
    ] {
        t.write(rel, "");
    }
    let names = |dirs: &[SearchDir]| -> Vec<String> {
        files(dirs)
            .files()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(
        names(&system_dirs(root)),
        ["sys.container", "shared.container"]
    );
    assert_eq!(
        names(&user_dirs(&home, Some(root), Some("1000"))),
        [
            "own.container",
            "all.container",
            "team.container",
            "mine.container",
            "shared.container",
        ]
    );
    assert_eq!(
        names(&user_dirs(&home, Some(root), None)),
        [
            "own.container",
            "all.container",
            "team.container",
            "shared.container"
        ]
    );
    let skip = Skip::NumericBelow(root.join("etc/containers/systemd/users"));
    assert!(skip.skips(&root.join("etc/containers/systemd/users/1001")));
    assert!(!skip.skips(&root.join("etc/containers/systemd/users/team")));
}

/// Podman cuts a quadlet's lines at `\n` only: a `\r` inside a line is part of the value
/// (`PublishPort=19100:18789\rPublishPort=18789:18789` is one port podman rejects, not
/// two), where systemd would end the line at it.
#[test]
fn a_carriage_return_inside_a_line_does_not_end_it() {
    let t = Tmp::new("cr");
    let dir = t.0.join("systemd");
    let text = format!("{IMAGE}PublishPort=19100:18789\rPublishPort=18789:18789\n");
    t.write("systemd/gw.container", &text);
    let (found, problems, _) = run(&t.0, &[SearchDir::all(dir.clone())]);
    assert_eq!(found.len(), 1);
    assert!(found[0].container.as_ref().unwrap().published.is_empty());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].kind, ProblemKind::InvalidValue);
    assert!(
        problems[0].message.contains("\\rPublishPort"),
        "{problems:?}"
    );
    // CRLF line ends are trimmed; the value is the line's.
    t.write(
        "systemd/gw.container",
        &format!("{IMAGE}PublishPort=19100:18789\r\n").replace('\n', "\r\n"),
    );
    let (found, problems, _) = run(&t.0, &[SearchDir::all(dir)]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        found[0].container.as_ref().unwrap().published[0].host_port,
        19100
    );
}

/// A drop-in hidden by a file of its name that sets nothing (a link to `/dev/null`, an empty
/// file) is listed as masked by that file, pointing at it; its lines never apply. One hidden
/// by a drop-in that sets something is only in that one's `hides`.
#[test]
fn masked_drop_ins_are_listed_with_the_file_that_masks_them() {
    let t = Tmp::new("masked");
    let (etc, usr) = (t.0.join("etc"), t.0.join("usr"));
    t.write(
        "usr/gw.container",
        &format!("{IMAGE}PublishPort=19100:18789\n"),
    );
    for name in [
        "gw.container.d/10-a.conf",
        "container.d/20-b.conf",
        "gw.container.d/30-c.conf",
    ] {
        t.write(
            &format!("usr/{name}"),
            "[Container]\nPublishPort=18789:18789\n",
        );
    }
    t.link("etc/gw.container.d/10-a.conf", "/dev/null");
    t.write("etc/gw.container.d/20-b.conf", "# nothing here\n");
    t.write("etc/gw.container.d/30-c.conf", "[Container]\nLabel=x=y\n");
    let (found, problems, sources) = run(&t.0, &[SearchDir::all(etc), SearchDir::all(usr)]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        ports(&found, &sources),
        [("systemd-gw".to_string(), 19100, "gw.container".to_string())]
    );
    let c = found[0].container.as_ref().unwrap();
    let p = |rel: &str| t.0.join(rel);
    let listed: Vec<(PathBuf, Option<PathBuf>, PathBuf)> = c
        .drop_ins
        .iter()
        .map(|d| {
            let at = sources.file(d.loc.file).path.clone();
            (d.path.clone(), d.masked_by.clone(), at)
        })
        .collect();
    let masked_by_link = p("etc/gw.container.d/10-a.conf");
    let empty = p("etc/gw.container.d/20-b.conf");
    let sets_a_label = p("etc/gw.container.d/30-c.conf");
    assert_eq!(
        listed,
        [
            (
                p("usr/gw.container.d/10-a.conf"),
                Some(masked_by_link.clone()),
                masked_by_link
            ),
            (empty.clone(), None, empty.clone()),
            (p("usr/container.d/20-b.conf"), Some(empty.clone()), empty),
            (sets_a_label.clone(), None, sets_a_label),
        ]
    );
    assert_eq!(c.drop_ins[3].hides, [p("usr/gw.container.d/30-c.conf")]);
    assert_eq!(c.drop_ins[2].dir_name, "container.d");
}
