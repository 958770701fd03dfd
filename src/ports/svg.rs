//! `clawlint ports --format svg=PATH`: the port map as a picture. One lane per gateway,
//! sorted by base port; the x axis is the port number. Each gateway's footprint
//! `[B, B+110]` is a bar with its CDP range as a band inside it, each listener a mark, and
//! whatever collides with another gateway is red: marks on a shared port or inside another
//! gateway's range, hatched where reserved ranges overlap.
//!
//! Ports that lie far apart (18789 and 55291) would leave each footprint a sliver on one
//! linear axis, so the axis is broken into regions of nearby ports, each with its own scale.
//!
//! The output is deterministic and self-contained: no scripts, no external fonts (generic
//! font families), no links.

use super::layout::PortSpan;
use super::map::{counts, overlap_lines, Lane, Mark, PortMap};
use crate::report::xml;
use std::fmt::Write as _;

const WIDTH: f64 = 1200.0;
const LABEL_X: f64 = 20.0;
const PLOT_X0: f64 = 210.0;
const PLOT_X1: f64 = 1180.0;
/// Where the first panel starts, below the title.
const TOP: f64 = 70.0;
/// Above a panel's lanes: its axis labels.
const PANEL_TOP: f64 = 34.0;
/// Below a panel's lanes: its axis and caption.
const PANEL_BOTTOM: f64 = 56.0;
const LANE_H: f64 = 40.0;
const REGION_GAP: f64 = 24.0;
const MIN_REGION_W: f64 = 120.0;
/// Things closer than this many ports share a region of the axis.
const MERGE_GAP: u32 = 300;
/// Conflict lines listed under the picture before "and N more".
const LISTED: usize = 12;

const TEXT: &str = "#1f2328";
const MUTED: &str = "#59636e";
const AXIS: &str = "#8c959f";
const LANE_A: &str = "#f3f5f8";
const LANE_B: &str = "#fbfcfd";
const FOOTPRINT_FILL: &str = "#d6e4f5";
const FOOTPRINT_STROKE: &str = "#6f93c4";
const CDP_FILL: &str = "#86a9d9";
const GATEWAY_MARK: &str = "#14264a";
const LISTENER_MARK: &str = "#3d4650";
const RED: &str = "#d62728";
const OK: &str = "#1a7f37";
const FONT: &str = "sans-serif";

/// A stretch of the axis: the ports it shows and where it is drawn.
#[derive(Debug, Clone, Copy)]
struct Region {
    ports: PortSpan,
    x0: f64,
    x1: f64,
}

impl Region {
    /// The left edge of a port's cell; `x(p + 0.5)` is its middle.
    fn x(&self, port: f64) -> f64 {
        let cells = f64::from(self.ports.len());
        self.x0 + (port - f64::from(self.ports.start)) / cells * (self.x1 - self.x0)
    }

    fn px_per_port(&self) -> f64 {
        (self.x1 - self.x0) / f64::from(self.ports.len())
    }

    /// The part of `span` this region shows, as x0..x1.
    fn clip(&self, span: PortSpan) -> Option<(f64, f64)> {
        let start = span.start.max(self.ports.start);
        let end = span.end.min(self.ports.end);
        (start <= end).then(|| (self.x(f64::from(start)), self.x(f64::from(end) + 1.0)))
    }
}

/// The stretches of ports worth drawing: everything drawn, merged where closer than
/// [`MERGE_GAP`], padded a little.
fn port_regions(map: &PortMap) -> Vec<PortSpan> {
    let mut spans: Vec<PortSpan> = Vec::new();
    for lane in &map.lanes {
        spans.push(lane.footprint);
        spans.extend(lane.cdp);
        spans.extend(lane.marks.iter().map(|m| PortSpan {
            start: u32::from(m.port),
            end: u32::from(m.port),
        }));
    }
    spans.sort_unstable();
    let mut merged: Vec<PortSpan> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end + MERGE_GAP => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
        .iter()
        .map(|s| {
            let pad = (s.len() / 25).max(4);
            PortSpan {
                start: s.start.saturating_sub(pad),
                end: (s.end + pad).min(65535),
            }
        })
        .collect()
}

/// Lays regions out side by side across the plot, wider for wider regions (by square root,
/// so that a lone port stays readable) and never narrower than [`MIN_REGION_W`].
fn layout(ports: &[PortSpan]) -> Vec<Region> {
    let count = ports.len() as f64;
    let available = PLOT_X1 - PLOT_X0 - REGION_GAP * (count - 1.0).max(0.0);
    let weights: Vec<f64> = ports.iter().map(|s| f64::from(s.len()).sqrt()).collect();
    let total: f64 = weights.iter().sum();
    let spare = (available - MIN_REGION_W * count).max(0.0);
    let floor = if spare > 0.0 {
        MIN_REGION_W
    } else {
        available / count
    };
    let mut x = PLOT_X0;
    ports
        .iter()
        .zip(weights)
        .map(|(ports, w)| {
            let width = floor + spare * w / total;
            let region = Region {
                ports: *ports,
                x0: x,
                x1: x + width,
            };
            x += width + REGION_GAP;
            region
        })
        .collect()
}

/// A block of the picture: a few regions side by side (a broken axis), and the lanes of the
/// gateways that have something there. Gateways whose ports lie far apart (hash ports all
/// over 20000..59999) get a block each row instead of one wide, mostly empty grid.
struct Panel {
    regions: Vec<Region>,
    lanes: Vec<usize>,
}

fn panels(map: &PortMap) -> Vec<Panel> {
    let per_row = ((PLOT_X1 - PLOT_X0 + REGION_GAP) / (MIN_REGION_W + REGION_GAP)).floor() as usize;
    port_regions(map)
        .chunks(per_row.max(1))
        .map(|chunk| {
            let regions = layout(chunk);
            let lanes = map
                .lanes
                .iter()
                .enumerate()
                .filter(|(_, lane)| {
                    chunk.iter().any(|r| {
                        overlaps(*r, lane.footprint)
                            || lane.cdp.is_some_and(|c| overlaps(*r, c))
                            || lane.marks.iter().any(|m| r.contains(u32::from(m.port)))
                    })
                })
                .map(|(i, _)| i)
                .collect();
            Panel { regions, lanes }
        })
        .collect()
}

fn overlaps(a: PortSpan, b: PortSpan) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Height of a panel: its top axis, its lanes, its bottom axis and caption.
fn panel_height(panel: &Panel) -> f64 {
    PANEL_TOP + LANE_H * panel.lanes.len() as f64 + PANEL_BOTTOM
}

/// A tick step of 1, 2 or 5 times a power of ten, at least `min_px` apart.
fn tick_step(px_per_port: f64, min_px: f64) -> u32 {
    let mut magnitude = 1u32;
    loop {
        for factor in [1, 2, 5] {
            let step = factor * magnitude;
            if f64::from(step) * px_per_port >= min_px || step >= 20_000 {
                return step;
            }
        }
        magnitude *= 10;
    }
}

/// Shortens text to about `max` characters, ending in an ellipsis.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The picture being written: drawn into `out`, which is handed to `sink` after each lane
/// (see [`Svg::flush`]), so that a map of thousands of gateways is never one string.
struct Svg<'w> {
    out: String,
    sink: &'w mut dyn std::io::Write,
    /// The first write that failed; nothing more is written after it.
    failed: Option<std::io::Error>,
}

impl Svg<'_> {
    /// Hands the rest to the sink: the first error, if any write failed.
    fn finish(mut self) -> std::io::Result<()> {
        self.flush();
        self.failed.map_or(Ok(()), Err)
    }

    /// Hands what is drawn so far to the sink.
    fn flush(&mut self) {
        if self.failed.is_none() {
            if let Err(e) = self.sink.write_all(self.out.as_bytes()) {
                self.failed = Some(e);
            }
        }
        self.out.clear();
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, style: &str) {
        let _ = writeln!(
            self.out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" {style}/>"#,
            w.max(0.5)
        );
    }

    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), style: &str) {
        let _ = writeln!(
            self.out,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" {style}/>"#
        );
    }

    fn text(&mut self, x: f64, y: f64, style: &str, text: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{x:.1}" y="{y:.1}" {style}>{}</text>"#,
            xml::label(text)
        );
    }
}

/// The picture as one string (tests; `clawlint ports` streams it with [`write`]).
pub fn render(map: &PortMap) -> String {
    let mut out = Vec::new();
    write(map, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("the picture is UTF-8")
}

/// Writes the picture to `sink` lane by lane: what it holds at once is one lane's elements,
/// not the whole picture.
pub fn write(map: &PortMap, sink: &mut dyn std::io::Write) -> std::io::Result<()> {
    let panels = panels(map);
    let lanes_bottom = TOP + panels.iter().map(panel_height).sum::<f64>();
    let total = counts(map).total();
    let lines = overlap_lines(map, LISTED);
    let listed = lines.len() + usize::from(total > LISTED);
    let legend_y = lanes_bottom + 12.0;
    let list_y = legend_y + 34.0;
    let height = if lines.is_empty() {
        legend_y + 30.0
    } else {
        list_y + 22.0 + 18.0 * listed as f64 + 10.0
    };
    let mut svg = Svg {
        out: String::new(),
        sink,
        failed: None,
    };
    let _ = writeln!(
        svg.out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{height:.0}" viewBox="0 0 {WIDTH:.0} {height:.0}" font-family="{FONT}">"#
    );
    svg.out.push_str(&format!(
        r##"<defs><pattern id="overlap" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe3e3"/><line x1="0" y1="0" x2="0" y2="6" stroke="{RED}" stroke-width="2.5"/></pattern></defs>
"##
    ));
    svg.rect(0.0, 0.0, WIDTH, height, r##"fill="#ffffff""##);
    header(&mut svg, map);
    if map.lanes.is_empty() {
        svg.text(
            LABEL_X,
            TOP + 30.0,
            &format!(r#"font-size="14" fill="{MUTED}""#),
            "No gateways found.",
        );
        svg.out.push_str("</svg>\n");
        return svg.finish();
    }
    let mut y = TOP;
    for panel in &panels {
        let lanes_top = y + PANEL_TOP;
        axis(&mut svg, &panel.regions, lanes_top - 10.0, true);
        for (row, lane) in panel.lanes.iter().enumerate() {
            let y0 = lanes_top + LANE_H * row as f64;
            draw_lane(&mut svg, &map.lanes[*lane], row, y0, &panel.regions);
            svg.flush();
        }
        let bottom = lanes_top + LANE_H * panel.lanes.len() as f64;
        axis(&mut svg, &panel.regions, bottom + 8.0, false);
        svg.text(
            (PLOT_X0 + PLOT_X1) / 2.0,
            bottom + 40.0,
            &format!(r#"font-size="12" fill="{MUTED}" text-anchor="middle""#),
            if panel.regions.len() > 1 {
                "TCP port (the axis is broken at // between regions; each region has its own scale)"
            } else {
                "TCP port"
            },
        );
        y += panel_height(panel);
    }
    legend(&mut svg, map, legend_y);
    if !lines.is_empty() {
        svg.text(
            LABEL_X,
            list_y,
            &format!(r#"font-size="13" font-weight="bold" fill="{TEXT}""#),
            "Where they collide:",
        );
        let mut y = list_y + 22.0;
        let shown = lines.iter().cloned();
        let more = (total > LISTED).then(|| format!("and {} more", total - LISTED));
        for line in shown.chain(more) {
            let _ = writeln!(
                svg.out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{RED}"/>"#,
                LABEL_X + 4.0,
                y - 4.0
            );
            svg.text(
                LABEL_X + 14.0,
                y,
                &format!(r#"font-size="12" fill="{TEXT}""#),
                &fit(&line, 180),
            );
            y += 18.0;
        }
    }
    svg.out.push_str("</svg>\n");
    svg.finish()
}

fn header(svg: &mut Svg, map: &PortMap) {
    let count = map.lanes.len();
    let title = format!(
        "Port map: {count} gateway{}",
        if count == 1 { "" } else { "s" }
    );
    svg.text(
        LABEL_X,
        32.0,
        &format!(r#"font-size="20" font-weight="bold" fill="{TEXT}""#),
        &title,
    );
    let status = if map.is_clean() {
        "no collisions".to_string()
    } else {
        let lines = counts(map).total();
        format!("{lines} collision{}", if lines == 1 { "" } else { "s" })
    };
    svg.text(
        LABEL_X,
        54.0,
        &format!(r#"font-size="12" fill="{MUTED}""#),
        &format!("one lane per gateway, sorted by base port; each reserves base .. base + 110; {status} (clawlint ports)"),
    );
}

fn axis(svg: &mut Svg, regions: &[Region], y: f64, labels_above: bool) {
    let axis_style = format!(r#"stroke="{AXIS}" stroke-width="1""#);
    let label_style = format!(r#"font-size="10.5" fill="{MUTED}" text-anchor="middle""#);
    for (i, region) in regions.iter().enumerate() {
        svg.line((region.x0, y), (region.x1, y), &axis_style);
        let step = tick_step(region.px_per_port(), 62.0);
        let first = region.ports.start.div_ceil(step) * step;
        let mut port = first;
        while port <= region.ports.end {
            let x = region.x(f64::from(port) + 0.5);
            let (t0, t1, ty) = if labels_above {
                (y - 4.0, y, y - 7.0)
            } else {
                (y, y + 4.0, y + 15.0)
            };
            svg.line((x, t0), (x, t1), &axis_style);
            if x - region.x0 >= 14.0 && region.x1 - x >= 14.0 {
                svg.text(x, ty, &label_style, &port.to_string());
            }
            port += step;
        }
        if i + 1 < regions.len() {
            let gap = (region.x1 + regions[i + 1].x0) / 2.0;
            for dx in [-3.5, 3.5] {
                let x = gap + dx;
                svg.line(
                    (x - 3.0, y + 5.0),
                    (x + 3.0, y - 5.0),
                    &format!(r#"stroke="{MUTED}" stroke-width="1.3""#),
                );
            }
        }
    }
}

fn mark_title(lane: &Lane, mark: &Mark) -> String {
    let mut text = format!(
        "{}: {} {} ({})",
        lane.name, mark.listener, mark.port, mark.from
    );
    if mark.collides() {
        text.push_str("; ");
        text.push_str(&mark.conflict_text());
    }
    xml::label(&text)
}

fn draw_lane(svg: &mut Svg, lane: &Lane, index: usize, y0: f64, regions: &[Region]) {
    let mid = y0 + LANE_H / 2.0;
    let band = if index.is_multiple_of(2) {
        LANE_A
    } else {
        LANE_B
    };
    let band_style = format!(r#"fill="{band}""#);
    svg.rect(
        LABEL_X - 8.0,
        y0 + 1.0,
        PLOT_X0 - LABEL_X,
        LANE_H - 2.0,
        &band_style,
    );
    for region in regions {
        svg.rect(
            region.x0,
            y0 + 1.0,
            region.x1 - region.x0,
            LANE_H - 2.0,
            &band_style,
        );
    }
    let name_style = if lane.has_conflicts() {
        format!(r#"font-size="13" font-weight="bold" fill="{RED}""#)
    } else {
        format!(r#"font-size="13" font-weight="bold" fill="{TEXT}""#)
    };
    svg.text(LABEL_X, mid - 3.0, &name_style, &fit(&lane.name, 24));
    svg.text(
        LABEL_X,
        mid + 12.0,
        &format!(r#"font-size="10.5" fill="{MUTED}""#),
        &match &lane.container {
            Some(c) if lane.not_started.is_some() => fit(&format!("not started: {c}"), 34),
            Some(c) if !lane.reserves() && lane.unverified_ports > 0 => {
                fit(&format!("container: {c}; ports unverifiable"), 34)
            }
            Some(c) if !lane.reserves() => fit(&format!("container: {c}"), 34),
            Some(c) => fit(&format!("base {} ({c})", lane.base), 30),
            None => format!("base {} ({})", lane.base, lane.port_kind),
        },
    );
    let footprint_style =
        format!(r#"fill="{FOOTPRINT_FILL}" stroke="{FOOTPRINT_STROKE}" stroke-width="1""#);
    let cdp_style = format!(r#"fill="{CDP_FILL}""#);
    let overlap_style = format!(r#"fill="url(#overlap)" stroke="{RED}" stroke-width="1.5""#);
    for region in regions {
        if let Some((x0, x1)) = region.clip(lane.footprint).filter(|_| lane.reserves()) {
            let _ = writeln!(
                svg.out,
                r#"<g><title>{}</title>"#,
                xml::label(&format!(
                    "{}: footprint {}",
                    lane.name,
                    lane.footprint.text()
                ))
            );
            svg.rect(x0, mid - 8.0, x1 - x0, 16.0, &footprint_style);
            svg.out.push_str("</g>\n");
        }
        if let Some((x0, x1)) = lane.cdp.and_then(|cdp| region.clip(cdp)) {
            svg.rect(x0, mid + 2.0, x1 - x0, 6.0, &cdp_style);
        }
        // The upper half of the bar, so that the CDP band below stays visible.
        for span in &lane.overlapped {
            if let Some((x0, x1)) = region.clip(*span) {
                svg.rect(x0, mid - 8.0, x1 - x0, 6.0, &overlap_style);
            }
        }
        // Quiet marks first, so that red ones stay on top.
        let mut marks: Vec<&Mark> = lane
            .marks
            .iter()
            .filter(|m| region.ports.contains(u32::from(m.port)))
            .collect();
        marks.sort_by_key(|m| (m.collides(), m.port));
        for mark in marks {
            let x = region.x(f64::from(mark.port) + 0.5);
            let red = mark.collides();
            let gateway = mark.kind == crate::resolve::ListenerKind::Gateway;
            let published = mark.kind == crate::resolve::ListenerKind::Published;
            let (colour, width) = match (red, gateway || published) {
                (true, _) => (RED, 3.0),
                (false, true) => (GATEWAY_MARK, 3.0),
                (false, false) => (LISTENER_MARK, 1.5),
            };
            let top = if gateway { mid - 15.0 } else { mid - 12.0 };
            let _ = writeln!(svg.out, r#"<g><title>{}</title>"#, mark_title(lane, mark));
            svg.line(
                (x, top),
                (x, mid + 12.0),
                &format!(r#"stroke="{colour}" stroke-width="{width:.1}""#),
            );
            // A published port: a hollow square on the bar (the port is the container's,
            // forwarded by the runtime).
            if published {
                let _ = writeln!(
                    svg.out,
                    r#"<rect x="{:.1}" y="{:.1}" width="7" height="7" fill="none" stroke="{colour}" stroke-width="1.5"/>"#,
                    x - 3.5,
                    mid - 3.5
                );
            }
            if red {
                let _ = writeln!(
                    svg.out,
                    r#"<path d="M{:.1} {:.1} L{:.1} {:.1} L{x:.1} {:.1} Z" fill="{RED}"/>"#,
                    x - 4.5,
                    top - 6.0,
                    x + 4.5,
                    top - 6.0,
                    top
                );
            }
            svg.out.push_str("</g>\n");
        }
    }
}

fn legend(svg: &mut Svg, map: &PortMap, y: f64) {
    let label = format!(r#"font-size="12" fill="{TEXT}""#);
    let mut x = LABEL_X;
    svg.rect(
        x,
        y - 8.0,
        34.0,
        16.0,
        &format!(r#"fill="{FOOTPRINT_FILL}" stroke="{FOOTPRINT_STROKE}" stroke-width="1""#),
    );
    svg.rect(
        x + 10.0,
        y + 2.0,
        24.0,
        6.0,
        &format!(r#"fill="{CDP_FILL}""#),
    );
    svg.text(
        x + 42.0,
        y + 4.0,
        &label,
        "footprint base .. base + 110, with its CDP range (band)",
    );
    x += 400.0;
    svg.line(
        (x + 4.0, y - 12.0),
        (x + 4.0, y + 12.0),
        &format!(r#"stroke="{GATEWAY_MARK}" stroke-width="3""#),
    );
    svg.text(x + 14.0, y + 4.0, &label, "gateway port");
    x += 110.0;
    svg.line(
        (x + 4.0, y - 9.0),
        (x + 4.0, y + 12.0),
        &format!(r#"stroke="{LISTENER_MARK}" stroke-width="1.5""#),
    );
    svg.text(x + 14.0, y + 4.0, &label, "other listener");
    x += 120.0;
    if map.is_clean() {
        svg.text(
            x,
            y + 4.0,
            &format!(r#"font-size="12" font-weight="bold" fill="{OK}""#),
            "no collisions: every range and listener is clear of the others",
        );
        return;
    }
    svg.line(
        (x + 4.0, y - 9.0),
        (x + 4.0, y + 12.0),
        &format!(r#"stroke="{RED}" stroke-width="3""#),
    );
    svg.rect(
        x + 14.0,
        y - 8.0,
        30.0,
        16.0,
        &format!(r#"fill="{FOOTPRINT_FILL}" stroke="{FOOTPRINT_STROKE}" stroke-width="1""#),
    );
    svg.rect(
        x + 14.0,
        y - 8.0,
        30.0,
        6.0,
        &format!(r#"fill="url(#overlap)" stroke="{RED}" stroke-width="1.5""#),
    );
    svg.text(
        x + 52.0,
        y + 4.0,
        &label,
        "collision: shared port, listener in another's range, overlapping ranges",
    );
}
