//! `clawlint ports`: the table, the JSON, and the SVG picture, which is rasterised with
//! resvg and checked pixel by pixel (not blank, one lane per gateway, red exactly where
//! gateways collide, far-apart gateways both readable).

mod common;
use common::*;

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg;
use std::path::Path;

/// Where the lanes' plot starts, right of the gateway names.
const PLOT_X0: u32 = 210;

const EXAMPLE: &str = "fixtures/example/home";
/// Rescue two ports below main: rescue's browser control port is main's gateway port.
const COLLIDING: &str = "fixtures/ports-rescue-control-on-main/home";
/// Three profiles 200 apart, browser profiles inside their own ranges: nothing collides.
const CLEAN: &str = "fixtures/ports-custom-profiles-200-apart/home";

fn ports(home: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["ports", "--home", home, "--no-config"];
    args.extend_from_slice(extra);
    clawlint(&args)
}

/// `ports --format json` on `home`, which succeeds: the port map.
fn port_map(home: &str) -> serde_json::Value {
    let (code, json, stderr) = ports(home, &["--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&json).unwrap()
}

/// The lane of the gateway `name` in a port map.
fn lane<'m>(map: &'m serde_json::Value, name: &str) -> &'m serde_json::Value {
    map["gateways"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("a lane for {name}: {map}"))
}

/// The ports of a lane's listeners (or of a map's collisions), in order.
fn ports_in(list: &serde_json::Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|l| l["port"].as_u64().unwrap())
        .collect()
}

/// `ports --format svg=PATH`, read back.
fn svg_of(home: &str, name: &str) -> String {
    let dir = TempDir::new(&format!("ports-{name}"));
    let path = dir.join(format!("{name}.svg"));
    let spec = format!("svg={}", path.display());
    let (code, stdout, stderr) = ports(home, &["--format", &spec]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "the SVG goes to the file only: {stdout}");
    std::fs::read_to_string(&path).unwrap()
}

/// Rasterises with resvg, as a browser would draw it, and saves the PNG under Cargo's
/// temporary dir for tests (`target/tmp`, not the system's) so that a person can look at it.
fn rasterise(svg: &str, name: &str) -> Pixmap {
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    options.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    let tree = usvg::Tree::from_str(svg, &options).expect("the SVG parses");
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ports-{name}.png"));
    pixmap.save_png(png).unwrap();
    pixmap
}

fn rgb(pixmap: &Pixmap, x: u32, y: u32) -> (u8, u8, u8) {
    let p = pixmap.pixel(x, y).unwrap().demultiply();
    (p.red(), p.green(), p.blue())
}

fn is_red((r, g, b): (u8, u8, u8)) -> bool {
    r >= 170 && g <= 90 && b <= 90
}

/// The footprint bars' fill (#d6e4f5).
fn is_footprint((r, g, b): (u8, u8, u8)) -> bool {
    r.abs_diff(0xd6) <= 2 && g.abs_diff(0xe4) <= 2 && b.abs_diff(0xf5) <= 2
}

fn count(
    pixmap: &Pixmap,
    rows: std::ops::Range<u32>,
    test: impl Fn((u8, u8, u8)) -> bool,
) -> usize {
    count_in(pixmap, rows, 0..pixmap.width(), test)
}

fn count_in(
    pixmap: &Pixmap,
    rows: std::ops::Range<u32>,
    columns: std::ops::Range<u32>,
    test: impl Fn((u8, u8, u8)) -> bool,
) -> usize {
    let mut n = 0;
    for y in rows {
        for x in columns.clone() {
            if test(rgb(pixmap, x, y)) {
                n += 1;
            }
        }
    }
    n
}

/// The rows of each lane: runs of rows whose left margin (x = 14) has a lane's background
/// (#f3f5f8 and #fbfcfd alternate; white rows separate lanes).
fn lanes(pixmap: &Pixmap) -> Vec<std::ops::Range<u32>> {
    let band = |c: (u8, u8, u8)| c == (0xf3, 0xf5, 0xf8) || c == (0xfb, 0xfc, 0xfd);
    let mut out: Vec<std::ops::Range<u32>> = Vec::new();
    for y in 0..pixmap.height() {
        if !band(rgb(pixmap, 14, y)) {
            continue;
        }
        match out.last_mut() {
            Some(run) if run.end == y => run.end = y + 1,
            _ => out.push(y..y + 1),
        }
    }
    out
}

/// The CDP band's fill (#86a9d9).
fn is_cdp((r, g, b): (u8, u8, u8)) -> bool {
    r.abs_diff(0x86) <= 2 && g.abs_diff(0xa9) <= 2 && b.abs_diff(0xd9) <= 2
}

/// How wide a lane's bar is drawn: the most footprint or CDP band pixels in one row.
fn bar_width(pixmap: &Pixmap, rows: &std::ops::Range<u32>) -> usize {
    rows.clone()
        .map(|y| {
            (0..pixmap.width())
                .filter(|x| {
                    let c = rgb(pixmap, *x, y);
                    is_footprint(c) || is_cdp(c)
                })
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn table_shows_every_listener_range_and_overlap() {
    let (code, stdout, stderr) = ports(COLLIDING, &[]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("ports_colliding", stdout);
}

#[test]
fn table_of_the_example() {
    let (code, stdout, stderr) = ports(EXAMPLE, &[]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("ports_example", stdout);
}

#[test]
fn table_of_a_clean_layout_says_so() {
    let (code, stdout, _) = ports(CLEAN, &[]);
    assert_eq!(code, 0);
    assert!(stdout.contains("No overlaps"), "{stdout}");
    assert!(!stdout.contains("! "), "no listener is marked: {stdout}");
}

#[test]
fn json_names_each_collision_and_overlap() {
    let v = port_map(COLLIDING);
    // Version 2: intrusions per port and overlaps per group (version 1 listed pairs).
    assert_eq!(v["version"], 2);
    let names: Vec<&str> = v["gateways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["rescue", "default"], "sorted by base port");
    let rescue = &v["gateways"][0];
    assert_eq!(rescue["basePort"], 18787);
    assert_eq!(rescue["footprint"], serde_json::json!([18787, 18897]));
    assert_eq!(rescue["cdpRange"], serde_json::json!([18798, 18897]));
    let control = rescue["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "browser-control")
        .unwrap();
    assert_eq!(control["port"], 18789);
    assert_eq!(control["from"], "18787 + 2");
    assert_eq!(
        control["conflicts"],
        serde_json::json!(["also default's gateway port"])
    );

    let collisions = v["collisions"].as_array().unwrap();
    assert_eq!(collisions.len(), 1);
    assert_eq!(collisions[0]["port"], 18789);
    let parties: Vec<(&str, &str)> = collisions[0]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["gateway"].as_str().unwrap(), p["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        parties,
        [("rescue", "browser-control"), ("default", "gateway")]
    );

    let overlaps = v["overlaps"].as_array().unwrap();
    assert_eq!(overlaps.len(), 1);
    assert_eq!(overlaps[0]["shared"], serde_json::json!([18789, 18897]));
    assert_eq!(overlaps[0]["count"], 109);
    assert!(!v["intrusions"].as_array().unwrap().is_empty());
    assert_eq!(v["summary"]["gateways"], 2);
}

#[test]
fn json_of_a_clean_layout_is_empty_of_conflicts() {
    let v = port_map(CLEAN);
    for key in ["collisions", "intrusions", "overlaps"] {
        assert_eq!(v[key], serde_json::json!([]), "{key}");
    }
    assert_eq!(v["gateways"].as_array().unwrap().len(), 3);
    assert_eq!(v["summary"]["listeners"], 19);
}

#[test]
fn svg_of_a_collision_is_red_where_gateways_meet() {
    let svg = svg_of(COLLIDING, "colliding");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(
        !svg.contains("href"),
        "self-contained: no links or external resources"
    );
    let png = rasterise(&svg, "colliding");

    let total = png.width() as usize * png.height() as usize;
    let ink = count(&png, 0..png.height(), |(r, g, b)| {
        r < 200 || g < 200 || b < 200
    });
    assert!(
        ink > total / 100,
        "the picture is not blank ({ink} of {total} pixels inked)"
    );

    let lanes = lanes(&png);
    assert_eq!(lanes.len(), 2, "one lane per gateway: {lanes:?}");
    // Right of the lane names (which are red too): the marks and bars themselves.
    for lane in &lanes {
        let red = count_in(&png, lane.clone(), PLOT_X0..png.width(), is_red);
        assert!(
            red > 30,
            "both gateways are marked red in their lane ({red} red pixels in {lane:?})"
        );
    }
    assert!(count(&png, 0..png.height(), is_red) > 300);
}

#[test]
fn svg_of_a_clean_layout_has_no_red() {
    let svg = svg_of(CLEAN, "clean");
    let png = rasterise(&svg, "clean");
    assert_eq!(lanes(&png).len(), 3, "one lane per gateway");
    assert_eq!(
        count(&png, 0..png.height(), is_red),
        0,
        "nothing collides, nothing is red"
    );
    let ink = count(&png, 0..png.height(), |(r, g, b)| {
        r < 200 || g < 200 || b < 200
    });
    assert!(ink > 2_000, "the picture is not blank ({ink} pixels inked)");
}

#[test]
fn svg_keeps_far_apart_gateways_readable() {
    // default and rescue at 18789/18809, ops at its hash port 55291: the axis is broken, so
    // every footprint (111 ports) is drawn wide, not as a sliver of 18789..55401.
    let svg = svg_of(EXAMPLE, "example");
    let png = rasterise(&svg, "example");
    let lanes = lanes(&png);
    assert_eq!(lanes.len(), 3);
    for lane in &lanes {
        let width = bar_width(&png, lane);
        assert!(width >= 150, "footprint bar is {width} px wide in {lane:?}");
    }
    assert!(
        count(&png, 0..png.height(), is_red) > 0,
        "rescue sits in default's CDP range"
    );
}

#[test]
fn svg_is_deterministic() {
    assert_eq!(svg_of(EXAMPLE, "first"), svg_of(EXAMPLE, "second"));
}

#[test]
fn several_formats_in_one_run() {
    let dir = TempDir::new("ports-both");
    let svg = dir.join("both.svg");
    let json = dir.join("both.json");
    let (code, stdout, stderr) = ports(
        CLEAN,
        &[
            "--format",
            "human",
            "--format",
            &format!("svg={}", svg.display()),
            "--format",
            &format!("json={}", json.display()),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("Port map: 3 gateways"));
    assert!(std::fs::read_to_string(svg).unwrap().ends_with("</svg>\n"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(v["gateways"].as_array().unwrap().len(), 3);
}

#[test]
fn unknown_format_is_a_usage_error() {
    let (code, _, stderr) = ports(CLEAN, &["--format", "png"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'png' for '--format <FMT[=PATH]>'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[possible values: human, json, svg]"),
        "{stderr}"
    );
}

#[test]
fn reads_nothing_but_writes_only_where_told() {
    let before = std::fs::read_dir(root().join(CLEAN).join(".openclaw-team-a"))
        .unwrap()
        .count();
    let (code, _, _) = ports(CLEAN, &["--format", "json"]);
    assert_eq!(code, 0);
    let after = std::fs::read_dir(root().join(CLEAN).join(".openclaw-team-a"))
        .unwrap()
        .count();
    assert_eq!(before, after);
}

/// The official compose stack publishing 18789 and 18790 beside a native gateway on 18789.
const COMPOSE: &str = "fixtures/containers-compose-official/home";
/// Two stacks publishing elsewhere (one on a LAN address only): nothing meets.
const COMPOSE_CLEAN: &str = "fixtures/containers-compose-lookalike/home";

#[test]
fn a_container_lane_holds_its_published_ports_and_reserves_nothing() {
    let map = port_map(COMPOSE);
    let lane = lane(&map, "acme-openclaw-gateway-1");
    assert_eq!(lane["container"], "compose, own network");
    assert!(
        lane["footprint"].is_null(),
        "no footprint on the host: {lane}"
    );
    for l in lane["listeners"].as_array().unwrap() {
        assert_eq!(l["kind"], "published");
    }
    assert_eq!(
        ports_in(&lane["listeners"]),
        vec![18789, 18790],
        "published ports, not the container's own"
    );
    assert_eq!(
        ports_in(&map["collisions"]),
        vec![18789, 18790],
        "as CL108 says"
    );
    assert!(
        map["overlaps"].as_array().unwrap().is_empty(),
        "a container reserves no range"
    );

    let map = port_map(COMPOSE_CLEAN);
    assert!(map["collisions"].as_array().unwrap().is_empty());
    assert!(
        map["intrusions"].as_array().unwrap().is_empty(),
        "192.0.2.10 meets no loopback port"
    );
}

#[test]
fn svg_draws_a_lane_per_container_red_where_its_published_port_meets_a_gateway() {
    let svg = svg_of(COMPOSE, "compose");
    assert!(svg.contains("container: compose, own network"));
    let png = rasterise(&svg, "compose");
    let lanes = lanes(&png);
    assert_eq!(
        lanes.len(),
        2,
        "one lane per gateway, the container's included: {lanes:?}"
    );
    for lane in &lanes {
        let red = count_in(&png, lane.clone(), PLOT_X0..png.width(), is_red);
        assert!(
            red > 30,
            "both lanes are marked red ({red} red pixels in {lane:?})"
        );
    }
    let clean = rasterise(&svg_of(COMPOSE_CLEAN, "compose-clean"), "compose-clean");
    assert_eq!(lanes_count(&clean), 3);
    assert_eq!(
        count(&clean, 0..clean.height(), is_red),
        0,
        "nothing meets, nothing is red"
    );
}

fn lanes_count(pixmap: &Pixmap) -> usize {
    lanes(pixmap).len()
}

/// A compose service no command that starts its project enables (profile `openclaw`, the
/// Makefile runs `--profile web`), mounting the native gateway's state dir.
const NOT_STARTED: &str = "fixtures/containers-compose-profile-shared-state-lookalike/home";
/// The same stack, which a unit starts with `--profile openclaw`.
const STARTED: &str = "fixtures/containers-compose-profile-shared-state/home";

#[test]
fn a_compose_service_nothing_starts_is_drawn_as_not_started_with_nothing_on_the_host() {
    const SERVICE: &str = "paas-openclaw-gateway-1";
    let map = port_map(NOT_STARTED);
    let lane = lane(&map, SERVICE);
    let why = lane["notStarted"].as_str().expect("notStarted says why");
    assert!(
        why.starts_with("compose profile openclaw: no command that starts this project enables it")
            && why.contains("Makefile:14"),
        "{why}"
    );
    assert_eq!(
        lane["listeners"],
        serde_json::json!([]),
        "nothing bound on the host"
    );
    assert!(lane["footprint"].is_null());
    assert_eq!(
        map["summary"]["listeners"], 5,
        "the native gateway's five only"
    );
    let (_, human, _) = ports(NOT_STARTED, &[]);
    assert!(
        human.contains(
            "none on the host (compose, own network; not started, compose profile openclaw"
        ),
        "{human}"
    );
    assert!(
        !human.contains("28789"),
        "its published ports are not drawn: {human}"
    );
    let svg = svg_of(NOT_STARTED, "not-started");
    assert!(
        svg.contains("not started: compose, own network"),
        "lane label"
    );

    // Started by the unit: the same lane holds its published ports.
    let map = port_map(STARTED);
    let lane = self::lane(&map, SERVICE);
    assert!(lane.get("notStarted").is_none(), "{lane}");
    assert_eq!(ports_in(&lane["listeners"]), vec![28789, 28790]);
}

/// A container whose `ports:` entries clawlint cannot verify (CL409) is not drawn as
/// publishing nothing: the table and JSON count the entries, and the map says it could not
/// compare them. Where every port is known, nothing is said.
#[test]
fn unverifiable_published_ports_are_said_not_compared() {
    let home = "fixtures/containers-compose-env-variants-unseen/home";
    let (_, table, _) = ports(home, &[]);
    assert!(
        table.contains("publishes nothing known; 2 ports: entries unverifiable (CL409)"),
        "{table}"
    );
    assert!(
        table.contains(
            "Not compared: the ports of \"openclaw_gateway\" cannot be verified (CL409)."
        ),
        "{table}"
    );
    let map = port_map(home);
    let container = lane(&map, "openclaw_gateway");
    assert_eq!(container["unverifiedPortEntries"], 2, "{container}");
    let home = "fixtures/containers-compose-env-variants-makefile-lookalike/home";
    let (_, table, _) = ports(home, &[]);
    assert!(
        !table.contains("Not compared") && !table.contains("unverifiable"),
        "{table}"
    );
    let map = port_map(home);
    assert!(map["gateways"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g.get("unverifiedPortEntries").is_none()));
}
