//! Unraid's Docker Manager templates: each container a user installs from the Docker tab is
//! kept as `/boot/config/plugins/dockerMan/templates-user/my-<Name>.xml` on the flash drive,
//! and the webgui builds the container's `docker run` line from it
//! (limetech/webgui `emhttp/plugins/dynamix.docker.manager/include/Helpers.php`:
//! `xmlToVar` reads the template, `xmlToCommand` builds the line, `CreateDocker.php` runs it
//! through a shell with `execCommand`).
//!
//! A template is turned here into the words `xmlToCommand` gives docker, each with the place
//! in the XML it comes from (the element's text, or its `Default` attribute when the text is
//! empty), and handed to [`super::container_run`]: ports, mounts, environment, network,
//! command and the OpenClaw-image test are the same as for a `docker run` in a unit.
//!
//! What `xmlToCommand` does with each element:
//! - `<Name>`: `--name=` (white space removed).
//! - `<Network>`: `--net=` (lowercased unless `container:<name>`), left out when
//!   `<ExtraParams>` has `--net=` or `--network=`. A name that is not a network of the host
//!   becomes `none` (`xmlToVar` checks `DockerUtil::network`): empty, or `Bridge`/`Host`
//!   spelt otherwise than Docker's own networks.
//! - `<MyIP>`: `--ip=`/`--ip6=` for each address.
//! - `<Config Type="Port" Target=C Mode=tcp|udp>H</Config>`: the value, else `Default`, is the
//!   host port. Published (`-p H:C/mode`) only when the network's driver is `bridge`
//!   (`bridge` itself or a user-defined bridge); on `host`, `macvlan` or `ipvlan` (Unraid's own
//!   custom networks `br0`, `bond0`, `eth0`, `wlan0`, `br0.10`..., which rc.docker creates with
//!   `-d macvlan` or `-d ipvlan`) it becomes a variable (`TCP_PORT_C=H`), and with `none` or
//!   `container:` nothing. A Mode other than tcp/udp is tcp.
//! - `Type="Path"`: `-v HOST:TARGET:MODE` (skipped when either is empty; a Mode other than
//!   `rw`, `ro` and their `,slave`/`,shared` forms is `rw`).
//! - `Type="Variable"`: `-e TARGET=VALUE` (an empty value is still set, empty).
//! - `Type="Label"` and `Type="Device"`: `-l`, `--device=`: nothing clawlint reads.
//! - `<ExtraParams>`: raw words of the shell line before the image (`--user root`,
//!   `--network=host`, `-p`, `-v`, `-e`).
//! - `<Repository>`: the image. `<PostArgs>`: raw words after it, the container's command;
//!   the shell ends the `docker` command at an unquoted `;`, `&`, `|` or newline, and what
//!   follows is a host command, not the container's.
//!
//! Which of them run: the templates are what the webgui creates containers from, and what it
//! keeps after a container is removed (Community Applications' "previous apps"); the host
//! starts at boot the containers named in `/var/lib/docker/unraid-autostart`, which lives in
//! `docker.img` (or the Docker directory), not on the flash drive. When the layout has that
//! file, a template whose container is not in it is not read (as a systemd unit nobody
//! enabled); without it, every template is taken as a container that runs.

use super::compose::HostContext;
use super::container_run::{self, RunSite};
use crate::container::Engine;
use crate::invocation::Invocation;
use crate::load::env::Env;
use crate::load::read::{read_text_lossy, SMALL_FILE_LIMIT};
use crate::load::{Problem, ProblemKind};
use crate::source::{FileId, Loc, SourceMap, Span};
use std::path::{Path, PathBuf};

/// Where the webgui keeps the installed containers' templates, under the root.
pub const TEMPLATES_DIR: &str = "boot/config/plugins/dockerMan/templates-user";
/// The containers the host starts at boot, one a line (`NAME [WAIT]`), under the root.
pub const AUTOSTART_FILE: &str = "var/lib/docker/unraid-autostart";
/// Directory entries the templates dir is listed for at most; a host has tens.
pub const MAX_ENTRIES: usize = 2_000;
/// XML nodes (elements, attributes' owners, texts, comments) one template may have: the
/// parser stops past it, so a hostile file's memory is bounded. A template has a few hundred.
const NODES_LIMIT: u32 = 200_000;

/// What CL910's list says clawlint looks for in [`TEMPLATES_DIR`].
pub const SEARCHED: &str = "Unraid Docker Manager templates (my-*.xml)";

/// The templates dir under `root`.
pub fn templates_dir(root: &Path) -> PathBuf {
    root.join(TEMPLATES_DIR)
}

/// The gateways the Unraid templates under `root` start, in file name order.
pub fn invocations(
    root: &Path,
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<Invocation> {
    let dir = templates_dir(root);
    let mut budget = MAX_ENTRIES;
    let listed = match crate::paths::host::read_dir_within(&dir, &mut budget) {
        None => return Vec::new(),
        Some(Err(())) => {
            let message = format!(
                "{} holds more than {MAX_ENTRIES} entries: clawlint does not read its Unraid Docker Manager templates (a host has tens)",
                crate::paths::display_path(&dir),
            );
            problems.push(Problem::listing_stopped(&dir, message, sources));
            return Vec::new();
        }
        Some(Ok(listed)) => listed,
    };
    let mut files: Vec<PathBuf> = (listed.iter())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
        .collect();
    files.sort();
    let autostart = autostart(root);
    let mut out = Vec::new();
    for file in files {
        let Some(template) = read(&file, sources, problems) else {
            continue;
        };
        if let Some(started) = &autostart {
            if !started.iter().any(|n| n == &template.name) {
                continue;
            }
        }
        out.extend(invocation(&template, host, sources, problems));
    }
    out
}

/// The names in the autostart list, when the layout has it.
fn autostart(root: &Path) -> Option<Vec<String>> {
    let (text, _) = read_text_lossy(&root.join(AUTOSTART_FILE), SMALL_FILE_LIMIT).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect(),
    )
}

/// A value of a template and where it is written.
#[derive(Debug, Clone)]
struct Value {
    text: String,
    loc: Loc,
}

/// A `<Config>` as `xmlToVar` reads it.
#[derive(Debug)]
struct Config {
    kind: String,
    target: String,
    mode: String,
    /// The value, else `Default` (`xmlToVar`: `strlen(value) ? value : Default`).
    value: Value,
}

/// A template as `xmlToVar` reads it.
#[derive(Debug)]
struct Template {
    file: PathBuf,
    start: Loc,
    name: String,
    name_loc: Loc,
    repository: Option<Value>,
    network: Value,
    my_ip: Option<Value>,
    privileged: bool,
    extra_params: Option<Value>,
    /// The raw text's place of `extra_params` and `post_args`, when the text is written as it
    /// reads (no entity): their words are placed in it.
    extra_raw: Option<Span>,
    post_args: Option<Value>,
    post_raw: Option<Span>,
    configs: Vec<Config>,
}

/// Reads and parses one template; a file that cannot be read or parsed is said, located.
fn read(path: &Path, sources: &mut SourceMap, problems: &mut Vec<Problem>) -> Option<Template> {
    let text = match read_text_lossy(path, SMALL_FILE_LIMIT) {
        Ok((text, _)) => text,
        Err(err) => {
            problems.push(crate::load::unreadable(sources, path, &err));
            return None;
        }
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..Default::default()
    };
    let doc = match roxmltree::Document::parse_with_options(&text, options) {
        Ok(doc) => doc,
        Err(err) => {
            let offset = error_offset(&text, &err);
            let why = match err {
                roxmltree::Error::DtdDetected => "it has a DTD (<!DOCTYPE …>), which clawlint does not read: an entity it defines could expand without bound, and the webgui never writes one".to_string(),
                roxmltree::Error::NodesLimitReached => format!("it has more than {NODES_LIMIT} XML nodes, more than clawlint reads (a template has a few hundred)"),
                other => format!("it is not well-formed XML ({other})"),
            };
            let shown = crate::redact::scan::xml_unparsed(&text);
            let file = sources.add(path, text, None);
            sources.show(file, shown);
            problems.push(Problem {
                kind: ProblemKind::Unparsable,
                message: format!(
                    "clawlint cannot read this Unraid Docker Manager template: {why}. What the container it describes runs is not known (the webgui cannot create or update it from this file either)"
                ),
                loc: Some(Loc {
                    file,
                    span: Span::new(offset, offset),
                }),
            });
            return None;
        }
    };
    let shown = crate::redact::scan::unraid_template(&text, &doc);
    let template = parse(path, &doc, FileId(u32::MAX));
    drop(doc);
    let file = sources.add(path, text, None);
    sources.show(file, shown);
    Some(template.placed_in(file))
}

/// The byte offset of a parse error's line and column (the column counts characters).
fn error_offset(text: &str, err: &roxmltree::Error) -> usize {
    if matches!(err, roxmltree::Error::DtdDetected) {
        return text.find("<!DOCTYPE").unwrap_or(0);
    }
    let pos = err.pos();
    let line_start: usize = (text.split_inclusive('\n'))
        .take(pos.row.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let line = &text[line_start.min(text.len())..];
    let col = (line.char_indices())
        .nth(pos.col.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    (line_start + col).min(text.len())
}

/// `html_entity_decode($s, ENT_XML1)`, which `xml_decode` applies to what SimpleXML already
/// decoded once: `&amp;lt;` written is `<`.
fn xml_decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let entity = after.find(';').filter(|&semi| semi <= 10).map(|semi| {
            let name = &after[1..semi];
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => match name.strip_prefix('#') {
                    Some(hex) if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16)
                        .ok()
                        .and_then(char::from_u32),
                    Some(dec) => dec.parse().ok().and_then(char::from_u32),
                    None => None,
                },
            };
            (c, semi)
        });
        match entity {
            Some((Some(c), semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `xmlSecurity`: a value with something `strip_tags` would remove (a `<` that opens a tag)
/// loses every `<` and `>`.
fn xml_security(s: String) -> String {
    let opens_tag = s.as_bytes().windows(2).any(|w| {
        w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?'))
    });
    match opens_tag {
        true => s.replace(['<', '>'], ""),
        false => s,
    }
}

/// The text of an element as SimpleXML's string of it (its own text nodes), decoded as
/// `xml_decode` does, and the place of its text (the element's own place when it has none).
fn element_text(node: roxmltree::Node) -> (String, Span, bool) {
    let mut text = String::new();
    let mut span: Option<(usize, usize)> = None;
    for child in node.children().filter(|c| c.is_text()) {
        text.push_str(child.text().unwrap_or_default());
        let r = child.range();
        span = Some(match span {
            Some((s, _)) => (s, r.end),
            None => (r.start, r.end),
        });
    }
    let (start, end) = span.unwrap_or_else(|| {
        let r = node.range();
        (r.start, r.start)
    });
    let raw_equal = node
        .document()
        .input_text()
        .get(start..end)
        .is_some_and(|raw| raw == text);
    let span = match span {
        Some(_) => Span::new(start, end),
        None => Span::new(
            node.range().start,
            node.range().start + 1 + node.tag_name().name().len(),
        ),
    };
    (xml_security(xml_decode(&text)), span, raw_equal)
}

/// A template read into its values, each placed in file `file` (re-placed by
/// [`Template::placed_in`] once the text is registered).
fn parse(path: &Path, doc: &roxmltree::Document, file: FileId) -> Template {
    let at = |span: Span| Loc { file, span };
    let root = doc.root_element();
    let start = at(Span::new(root.range().start, root.range().start));
    // SimpleXML's `$xml->Name`: the first child element of that name.
    let child = |name: &str| {
        root.children()
            .find(|c| c.is_element() && c.has_tag_name(name))
    };
    let value = |name: &str| {
        child(name).map(|n| {
            let (text, span, raw_equal) = element_text(n);
            (
                Value {
                    text,
                    loc: at(span),
                },
                raw_equal,
            )
        })
    };
    let (name, name_loc) = match value("Name") {
        Some((v, _)) => (v.text.split_whitespace().collect::<String>(), v.loc),
        None => (String::new(), start),
    };
    let repository = value("Repository").map(|(v, _)| v);
    let mut network = value("Network").map(|(v, _)| v);
    // "some xml templates advertise as V2 but omit the new <Network> element": V1's
    // `<Networking><Mode>`.
    if network.as_ref().is_none_or(|n| n.text.is_empty()) {
        let mode = child("Networking").and_then(|n| {
            n.children()
                .find(|c| c.is_element() && c.has_tag_name("Mode"))
        });
        if let Some(mode) = mode {
            let (text, span, _) = element_text(mode);
            network = Some(Value {
                text,
                loc: at(span),
            });
        }
    }
    let network = network.unwrap_or(Value {
        text: String::new(),
        loc: start,
    });
    let my_ip = value("MyIP").map(|(v, _)| v);
    let privileged = value("Privileged").is_some_and(|(v, _)| v.text.eq_ignore_ascii_case("true"));
    let (extra_params, extra_raw) = match value("ExtraParams") {
        Some((v, raw_equal)) => {
            let raw = raw_equal.then_some(v.loc.span);
            (Some(v), raw)
        }
        None => (None, None),
    };
    let (post_args, post_raw) = match value("PostArgs") {
        Some((v, raw_equal)) => {
            let raw = raw_equal.then_some(v.loc.span);
            (Some(v), raw)
        }
        None => (None, None),
    };
    let mut configs = Vec::new();
    for config in root
        .children()
        .filter(|c| c.is_element() && c.has_tag_name("Config"))
    {
        let attr = |name: &str| {
            let a = config.attribute_node(name)?;
            let r = a.range_value();
            Some((
                xml_security(xml_decode(a.value())),
                Span::new(r.start, r.end),
            ))
        };
        let (text, span, _) = element_text(config);
        let value = match (text.is_empty(), attr("Default")) {
            (true, Some((default, span))) => Value {
                text: default,
                loc: at(span),
            },
            _ => Value {
                text,
                loc: at(span),
            },
        };
        configs.push(Config {
            kind: attr("Type").map(|(t, _)| t).unwrap_or_default(),
            target: attr("Target").map(|(t, _)| t).unwrap_or_default(),
            mode: attr("Mode").map(|(t, _)| t).unwrap_or_default(),
            value,
        });
    }
    Template {
        file: path.to_path_buf(),
        start,
        name,
        name_loc,
        repository,
        network,
        my_ip,
        privileged,
        extra_params,
        extra_raw,
        post_args,
        post_raw,
        configs,
    }
}

impl Template {
    /// Every place moved into `file`.
    fn placed_in(mut self, file: FileId) -> Template {
        let place = |loc: &mut Loc| loc.file = file;
        place(&mut self.start);
        place(&mut self.name_loc);
        place(&mut self.network.loc);
        for v in [
            &mut self.repository,
            &mut self.my_ip,
            &mut self.extra_params,
            &mut self.post_args,
        ]
        .into_iter()
        .flatten()
        {
            place(&mut v.loc);
        }
        for c in &mut self.configs {
            place(&mut c.value.loc);
        }
        self
    }
}

/// What the network's driver does with a `Port` config (`xmlToCommand`'s
/// `switch ($driver[$xml['Network']])`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortsAs {
    /// `bridge`: `-p HOST:CONTAINER/mode`.
    Published,
    /// `host`, `macvlan`, `ipvlan`: a variable, `TCP_PORT_C=H`.
    Variable,
    /// `none`, `container:`: nothing.
    Nothing,
}

/// The network `xmlToVar` settles on: the template's, `none` when it is not a network of the
/// host. Unraid's own custom networks (`br0`, `bond0`, `eth0`, `wlan0`, with a VLAN `.N`)
/// are macvlan or ipvlan; any other name is taken as a user-defined bridge network that
/// exists (which networks a host has is in `docker.img`, not on the flash drive).
fn network(written: &str) -> (String, PortsAs) {
    if written.starts_with("container:") {
        return (written.to_string(), PortsAs::Nothing);
    }
    match written {
        "bridge" => return ("bridge".into(), PortsAs::Published),
        "host" => return ("host".into(), PortsAs::Variable),
        "none" => return ("none".into(), PortsAs::Nothing),
        _ => {}
    }
    let lower = written.to_ascii_lowercase();
    if written.is_empty() || matches!(lower.as_str(), "bridge" | "host" | "none") {
        return ("none".into(), PortsAs::Nothing);
    }
    let unraid_custom = ["br", "bond", "eth", "wlan"].iter().any(|prefix| {
        written.strip_prefix(prefix).is_some_and(|rest| {
            let (nic, vlan) = rest.split_once('.').unwrap_or((rest, "0"));
            !nic.is_empty()
                && nic.bytes().all(|b| b.is_ascii_digit())
                && !vlan.is_empty()
                && vlan.bytes().all(|b| b.is_ascii_digit())
        })
    });
    let ports = match unraid_custom {
        true => PortsAs::Variable,
        false => PortsAs::Published,
    };
    (lower, ports)
}

/// `docker run` words and where each is written, as `xmlToCommand` builds them.
struct Words {
    argv: Vec<String>,
    locs: Vec<Loc>,
}

impl Words {
    fn push(&mut self, word: impl Into<String>, loc: Loc) {
        self.argv.push(word.into());
        self.locs.push(loc);
    }

    /// The shell words of `value` (an `<ExtraParams>` or `<PostArgs>`), each placed in the
    /// raw text when it is written as it reads, else at the whole text. Returns whether the
    /// shell line went on after the `docker` command (`;`, `&&`, `|`).
    fn push_shell(&mut self, value: &Value, raw: Option<Span>) -> bool {
        let (words, ended) = shell_words(&value.text);
        for (word, start, end) in words {
            let loc = match raw {
                Some(span) => Loc {
                    file: value.loc.file,
                    span: Span::new(span.start() + start, span.start() + end),
                },
                None => value.loc,
            };
            self.push(word, loc);
        }
        ended
    }
}

/// Splits a shell line into words as `sh` reads a simple command: quotes removed, a
/// backslash escapes the next character (in double quotes only before `$`, `` ` ``, `"`,
/// `\` and a newline), until an unquoted `;`, `&`, `|`, `<`, `>`, `(`, `)` or newline, which
/// ends the command (`true` then). A `$` expansion is kept as written: the webgui's shell
/// expands it with its own environment, which clawlint does not know. Each word with its
/// byte range in `line`.
fn shell_words(line: &str) -> (Vec<(String, usize, usize)>, bool) {
    let mut out = Vec::new();
    let mut word: Option<(String, usize)> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some('\'') => match c {
                '\'' => quote = None,
                _ => word.get_or_insert((String::new(), i)).0.push(c),
            },
            Some(_) => match c {
                '"' => quote = None,
                '\\' => {
                    let w = &mut word.get_or_insert((String::new(), i)).0;
                    match chars.peek().map(|&(_, n)| n) {
                        Some(n @ ('$' | '`' | '"' | '\\')) => {
                            w.push(n);
                            chars.next();
                        }
                        Some('\n') => {
                            chars.next();
                        }
                        _ => w.push('\\'),
                    }
                }
                _ => word.get_or_insert((String::new(), i)).0.push(c),
            },
            None => match c {
                ' ' | '\t' | '\r' => {
                    if let Some((w, start)) = word.take() {
                        out.push((w, start, i));
                    }
                }
                ';' | '&' | '|' | '<' | '>' | '(' | ')' | '\n' => {
                    if let Some((w, start)) = word.take() {
                        out.push((w, start, i));
                    }
                    return (out, true);
                }
                '\'' | '"' => {
                    word.get_or_insert((String::new(), i));
                    quote = Some(c);
                }
                '\\' => {
                    let w = &mut word.get_or_insert((String::new(), i)).0;
                    match chars.next() {
                        Some((_, '\n')) => {}
                        Some((_, n)) => w.push(n),
                        None => w.push('\\'),
                    }
                }
                _ => word.get_or_insert((String::new(), i)).0.push(c),
            },
        }
    }
    if let Some((w, start)) = word.take() {
        out.push((w, start, line.len()));
    }
    (out, false)
}

/// The `docker run` line `xmlToCommand` builds from `template`, each word with its place.
fn command(template: &Template) -> Words {
    let mut words = Words {
        argv: Vec::new(),
        locs: Vec::new(),
    };
    let start = template.start;
    words.push("docker", start);
    words.push("run", start);
    if !template.name.is_empty() {
        words.push(format!("--name={}", template.name), template.name_loc);
    }
    let extra = template.extra_params.as_ref();
    let (net, ports_as) = network(&template.network.text);
    let net_in_extra =
        extra.is_some_and(|e| e.text.contains("--net=") || e.text.contains("--network="));
    if !net_in_extra {
        words.push(format!("--net={net}"), template.network.loc);
    }
    if let Some(ip) = &template.my_ip {
        for addr in ip.text.replace(',', " ").split_whitespace() {
            let flag = match addr.contains(':') {
                true => "--ip6",
                false => "--ip",
            };
            words.push(format!("{flag}={addr}"), ip.loc);
        }
    }
    if template.privileged {
        words.push("--privileged=true", start);
    }
    // Variables, then ports, then paths, as `xmlToCommand` orders them.
    let mut variables = Vec::new();
    let mut ports = Vec::new();
    let mut paths = Vec::new();
    for c in &template.configs {
        let kind = c.kind.to_ascii_lowercase();
        let host = &c.value.text;
        if kind != "device" && c.target.is_empty() {
            continue;
        }
        match kind.as_str() {
            "path" => {
                if host.trim().is_empty() || c.target.trim().is_empty() {
                    continue;
                }
                let modes = ["rw", "rw,slave", "rw,shared", "ro", "ro,slave", "ro,shared"];
                let mode = match modes.contains(&c.mode.to_ascii_lowercase().as_str()) {
                    true => c.mode.as_str(),
                    false => "rw",
                };
                paths.push((format!("{host}:{}:{mode}", c.target), c.value.loc));
            }
            "port" => {
                let mode = match c.mode.to_ascii_lowercase().as_str() {
                    m @ ("tcp" | "udp") => m.to_string(),
                    _ => "tcp".to_string(),
                };
                match ports_as {
                    PortsAs::Published => {
                        ports.push((format!("{host}:{}/{mode}", c.target), c.value.loc))
                    }
                    PortsAs::Variable => variables.push((
                        format!("{}_PORT_{}={host}", mode, c.target).to_ascii_uppercase(),
                        c.value.loc,
                    )),
                    PortsAs::Nothing => {}
                }
            }
            "variable" => variables.push((format!("{}={host}", c.target), c.value.loc)),
            _ => {}
        }
    }
    for (flag, list) in [("-e", variables), ("-p", ports), ("-v", paths)] {
        for (value, loc) in list {
            words.push(flag, loc);
            words.push(value, loc);
        }
    }
    if let Some(extra) = extra {
        words.push_shell(extra, template.extra_raw);
    }
    match &template.repository {
        Some(image) => words.push(image.text.clone(), image.loc),
        None => words.push(String::new(), start),
    }
    if let Some(post) = &template.post_args {
        words.push_shell(post, template.post_raw);
    }
    words
}

/// The gateway `template`'s container runs, if it runs one.
fn invocation(
    template: &Template,
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Invocation> {
    let words = command(template);
    let run = container_run::parse(&words.argv)?;
    let stem = template
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let service = match template.name.is_empty() {
        true => stem.strip_prefix("my-").unwrap_or(stem).to_string(),
        false => template.name.clone(),
    };
    let root_dir = host.root.map(Path::to_path_buf).unwrap_or_default();
    let place = |raw: &str| host.host_path(raw, &root_dir);
    let env = Env::new();
    let home = host.home_or_tilde().to_path_buf();
    let site = RunSite {
        file: &template.file,
        service: &service,
        loc: template.start,
        text: None,
        written: None,
        cwd: &root_dir,
        place: &place,
        client_env: &env,
        host_home: &home,
        word_locs: Some(&words.locs),
    };
    let mut inv = container_run::invocation(&run, &words.argv, &site, sources, problems)?;
    if let Some(c) = inv.container.as_deref_mut() {
        c.engine = Engine::Unraid;
        c.loc = template.name_loc;
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_end_at_the_first_operator() {
        let (words, ended) =
            shell_words(r#"--user root -e "A=two words" --x='y z' ; docker network connect"#);
        let got: Vec<&str> = words.iter().map(|(w, ..)| w.as_str()).collect();
        assert_eq!(got, ["--user", "root", "-e", "A=two words", "--x=y z"]);
        assert!(ended);
        let (words, _) = shell_words(r#"sh -c "a; b \"c\" \$d""#);
        let got: Vec<&str> = words.iter().map(|(w, ..)| w.as_str()).collect();
        assert_eq!(got, ["sh", "-c", r#"a; b "c" $d"#]);
        assert_eq!((words[2].1, words[2].2), (6, 22));
    }

    #[test]
    fn networks_as_xml_to_var_settles_them() {
        assert_eq!(network("bridge"), ("bridge".into(), PortsAs::Published));
        assert_eq!(network("host"), ("host".into(), PortsAs::Variable));
        assert_eq!(network("br0"), ("br0".into(), PortsAs::Variable));
        assert_eq!(network("br0.10"), ("br0.10".into(), PortsAs::Variable));
        assert_eq!(network("proxynet"), ("proxynet".into(), PortsAs::Published));
        assert_eq!(
            network("container:vpn"),
            ("container:vpn".into(), PortsAs::Nothing)
        );
        assert_eq!(network(""), ("none".into(), PortsAs::Nothing));
        assert_eq!(network("Host"), ("none".into(), PortsAs::Nothing));
    }

    #[test]
    fn values_are_decoded_twice_as_xml_decode_does() {
        assert_eq!(
            xml_decode("a &amp;&amp; b &lt;x&#62; &#x41; &bogus;"),
            "a && b <x> A &bogus;"
        );
        assert_eq!(xml_security("echo <b>x</b> > f".into()), "echo bx/b  f");
        assert_eq!(xml_security("a 2>&1 > f".into()), "a 2>&1 > f");
    }
}
