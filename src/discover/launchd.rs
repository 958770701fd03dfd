//! macOS LaunchAgent plists (XML or binary), read for the fields that decide how a gateway
//! starts.
//!
//! OpenClaw 2026.9.6 writes `~/Library/LaunchAgents/<label>.plist` with `ProgramArguments`
//! and, when the service has environment variables, does not put them in
//! `EnvironmentVariables`: it starts `/bin/sh <S>/service-env/<label>-env-wrapper.sh
//! <S>/service-env/<label>.env <node> <entry> gateway --port N` and keeps the variables in that
//! `.env` file as `export KEY='value'` lines. [`env_wrapper`] and [`parse_wrapper_env_file`]
//! read that layout the way OpenClaw's `readLaunchAgentProgramArgumentsFromFile` does.
//! Older or hand-written plists use `EnvironmentVariables`; the wrapper file wins over it.

use crate::load::json5::Span;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchAgent {
    pub label: Option<String>,
    /// `ProgramArguments`, or `[Program]` when only `Program` is given.
    pub program_arguments: Vec<String>,
    /// `EnvironmentVariables` in file order.
    pub environment: Vec<(String, String)>,
    pub working_directory: Option<String>,
    /// `KeepAlive`: a boolean as written; a dictionary (keep alive under conditions such as
    /// `SuccessfulExit`) counts as `true`, since launchd may restart the job.
    pub keep_alive: Option<bool>,
    /// `Disabled`: launchd does not load the job at login or boot (launchd.plist(5)), unless
    /// launchd's override database says otherwise ([`parse_disabled_overrides`]).
    pub disabled: Option<bool>,
    /// `UserName`: the account a LaunchDaemon runs as (ignored for a LaunchAgent).
    pub user_name: Option<String>,
}

/// Parses an XML or binary plist. Fails when the plist does not parse, its top level is not a
/// dictionary, or a field has the wrong type (OpenClaw refuses the same: `ProgramArguments`
/// must be strings, `EnvironmentVariables` a dictionary of strings). Never panics, and refuses
/// plists nested deeper than [`MAX_DEPTH`] or with more than [`MAX_NODES`] values.
pub fn parse_plist(bytes: &[u8]) -> Result<LaunchAgent, String> {
    let root = read_nodes(bytes)?;
    let Node::Dict(dict) = &root else {
        return Err("the top level of the plist is not a dictionary".to_string());
    };
    Ok(LaunchAgent {
        label: optional_string(dict, "Label")?,
        program_arguments: program_arguments(dict)?,
        environment: environment(dict)?,
        working_directory: optional_string(dict, "WorkingDirectory")?,
        keep_alive: keep_alive(dict),
        disabled: match get(dict, "Disabled") {
            Some(Node::Bool(b)) => Some(*b),
            _ => None,
        },
        user_name: match get(dict, "UserName") {
            Some(Node::String(s)) => Some(s.clone()),
            _ => None,
        },
    })
}

/// launchd's override database (`/private/var/db/com.apple.xpc.launchd/disabled.plist` for the
/// system domain, `disabled.<uid>.plist` for a user's): label -> disabled, as `launchctl
/// disable`/`enable` write it (OpenClaw's own `gateway stop` runs `launchctl disable`, keeping
/// the plist: `launchd-*.mjs stopLaunchAgent`). It wins over the plist's `Disabled` key.
pub fn parse_disabled_overrides(bytes: &[u8]) -> Result<Vec<(String, bool)>, String> {
    let root = read_nodes(bytes)?;
    let Node::Dict(dict) = &root else {
        return Err("the top level of the plist is not a dictionary".to_string());
    };
    Ok(dict
        .iter()
        .filter_map(|(label, value)| match value {
            Node::Bool(b) => Some((label.clone(), *b)),
            _ => None,
        })
        .collect())
}

/// launchd's persistent configuration of a domain (`launchctl config user path …` writes
/// `/private/var/db/com.apple.xpc.launchd/config/user.plist`, `config system path …`
/// `system.plist`): the `PATH` it gives every service of the domain that sets none
/// (launchctl(1): "Sets the PATH environment variable for all services within the target
/// domain … if a service specifies its own PATH, the service-specific environment variable
/// will take precedence"), kept under `PathEnvironmentVariable`. `None` when it sets none.
pub fn parse_config_path(bytes: &[u8]) -> Result<Option<String>, String> {
    let root = read_nodes(bytes)?;
    let Node::Dict(dict) = &root else {
        return Err("the top level of the plist is not a dictionary".to_string());
    };
    // `launchctl config user path ""` clears it.
    Ok(optional_string(dict, "PathEnvironmentVariable")?.filter(|p| !p.is_empty()))
}

/// Deeper than any LaunchAgent (they nest three levels), shallow enough for any stack.
pub const MAX_DEPTH: usize = 64;
/// A binary plist may reference one object from many places; without a cap, a few hundred
/// bytes can expand to billions of values.
pub const MAX_NODES: usize = 100_000;

/// The plist as a small tree. `plist::Value` is not used because building and dropping it
/// recurses once per nesting level (a deeply nested file overflows the stack) and because
/// nothing bounds how far a binary plist's shared references expand.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    String(String),
    Bool(bool),
    Array(Vec<Node>),
    /// Keys in first-seen order; a repeated key keeps its place and takes the later value.
    Dict(Vec<(String, Node)>),
    /// Numbers, dates, data: nothing clawlint reads.
    Other,
}

thread_local! {
    /// (current depth, values left) for the parse running on this thread. The plist crate
    /// only deserializes `DeserializeOwned` types, so the budget cannot travel as a seed.
    static BUDGET: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

fn read_nodes(bytes: &[u8]) -> Result<Node, String> {
    BUDGET.with(|b| b.set((0, MAX_NODES)));
    // The plist crate is not expected to panic; this keeps a bug there from taking clawlint
    // down with it.
    let parsed = std::panic::catch_unwind(|| plist::from_bytes::<Node>(bytes))
        .map_err(|_| "the plist parser failed on this file".to_string())?;
    parsed.map_err(|e| format!("not a valid plist: {e}"))
}

/// Restores the depth when a nested value is done, also when it failed.
struct DepthGuard;

impl DepthGuard {
    fn enter<E: de::Error>() -> Result<DepthGuard, E> {
        let (depth, left) = BUDGET.with(Cell::get);
        if depth >= MAX_DEPTH {
            return Err(E::custom(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        if left == 0 {
            return Err(E::custom(format!("more than {MAX_NODES} values")));
        }
        BUDGET.with(|b| b.set((depth + 1, left - 1)));
        Ok(DepthGuard)
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        BUDGET.with(|b| {
            let (depth, left) = b.get();
            b.set((depth.saturating_sub(1), left));
        });
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        let _guard = DepthGuard::enter()?;
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a plist value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_bytes<E>(self, _: &[u8]) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        let mut index = crate::load::keys::KeyIndex::default();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            match index.place(key.clone(), entries.len()) {
                Some(i) => entries[i].1 = value,
                None => entries.push((key, value)),
            }
        }
        Ok(Node::Dict(entries))
    }
}

type Dict = [(String, Node)];

fn get<'a>(dict: &'a Dict, key: &str) -> Option<&'a Node> {
    dict.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn optional_string(dict: &Dict, key: &str) -> Result<Option<String>, String> {
    match get(dict, key) {
        None => Ok(None),
        Some(Node::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{key} is not a string")),
    }
}

fn program_arguments(dict: &Dict) -> Result<Vec<String>, String> {
    let Some(args) = get(dict, "ProgramArguments") else {
        return Ok(optional_string(dict, "Program")?.into_iter().collect());
    };
    let not_strings = || "ProgramArguments is not an array of strings".to_string();
    let Node::Array(items) = args else {
        return Err(not_strings());
    };
    items
        .iter()
        .map(|item| match item {
            Node::String(s) => Ok(s.clone()),
            _ => Err(not_strings()),
        })
        .collect()
}

fn environment(dict: &Dict) -> Result<Vec<(String, String)>, String> {
    let Some(env) = get(dict, "EnvironmentVariables") else {
        return Ok(Vec::new());
    };
    let not_strings = || "EnvironmentVariables is not a dictionary of strings".to_string();
    let Node::Dict(entries) = env else {
        return Err(not_strings());
    };
    entries
        .iter()
        .map(|(k, v)| match v {
            Node::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(not_strings()),
        })
        .collect()
}

fn keep_alive(dict: &Dict) -> Option<bool> {
    match get(dict, "KeepAlive")? {
        Node::Bool(b) => Some(*b),
        Node::Dict(_) => Some(true),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Spans in XML plists
// ---------------------------------------------------------------------------------------------

/// For an XML plist: the byte span of the first `<string>` element whose text is `value`
/// after the first `<key>` whose text is `key` (e.g. key `ProgramArguments`, value `19789`;
/// or key `OPENCLAW_STATE_DIR` and its value). Entities and CDATA are decoded before
/// comparing. `None` for binary plists and when nothing matches. XML comments are not
/// skipped, so a `<key>` inside a comment can match.
pub fn xml_value_span(text: &str, key: &str, value: &str) -> Option<Span> {
    if text.starts_with("bplist") {
        return None;
    }
    let after_key = find_key(text, key)?;
    find_string_element(text, after_key, value)
}

/// For an XML plist: each `<key>` whose next element is a `<string>`, with that element's
/// span and decoded text (a key's first such pair wins), found in one pass: the places of
/// `EnvironmentVariables` entries, however many (a search from the start for each of 40,000
/// variables never finished). Empty for binary plists.
pub fn xml_key_strings(text: &str) -> std::collections::HashMap<String, (Span, String)> {
    let mut out = std::collections::HashMap::new();
    if text.starts_with("bplist") {
        return out;
    }
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|t| t.find("<key>")) {
        let content = from + open + "<key>".len();
        let Some(close) = text[content..].find("</key>").map(|c| content + c) else {
            break;
        };
        from = close + "</key>".len();
        let rest = &text[from..];
        let start = from + (rest.len() - rest.trim_start().len());
        let element = &text[start..];
        let value = if element.starts_with("<string/>") {
            (Span::new(start, start + "<string/>".len()), String::new())
        } else if let Some(body) = element.strip_prefix("<string>") {
            let Some(len) = body.find("</string>") else {
                break;
            };
            let inner = start + "<string>".len();
            let end = inner + len + "</string>".len();
            (Span::new(start, end), xml_text(&text[inner..inner + len]))
        } else {
            continue;
        };
        out.entry(xml_text(&text[content..close])).or_insert(value);
    }
    out
}

/// The offset just after `</key>` of the first `<key>` holding `key`.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    loop {
        let open = from + text.get(from..)?.find("<key>")?;
        let content = open + "<key>".len();
        let close = content + text[content..].find("</key>")?;
        let end = close + "</key>".len();
        if xml_text(&text[content..close]) == key {
            return Some(end);
        }
        from = end;
    }
}

fn find_string_element(text: &str, from: usize, value: &str) -> Option<Span> {
    let mut pos = from;
    loop {
        let start = pos + text.get(pos..)?.find("<string")?;
        let rest = &text[start + "<string".len()..];
        if rest.starts_with("/>") {
            let end = start + "<string/>".len();
            if value.is_empty() {
                return Some(Span::new(start, end));
            }
            pos = end;
        } else if rest.starts_with('>') {
            let content = start + "<string>".len();
            let close = content + text[content..].find("</string>")?;
            let end = close + "</string>".len();
            if xml_text(&text[content..close]) == value {
                return Some(Span::new(start, end));
            }
            pos = end;
        } else {
            pos = start + "<string".len();
        }
    }
}

/// Decodes character data: the five predefined entities, numeric references and CDATA.
/// Anything it does not understand is kept as written.
fn xml_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").unwrap_or(cdata.len());
            out.push_str(&cdata[..end]);
            rest = cdata.get(end + 3..).unwrap_or("");
        } else if let Some((c, len)) = entity(rest) {
            out.push(c);
            rest = &rest[len..];
        } else {
            // '&' and '<' are ASCII, so slicing one byte off is safe.
            out.push_str(&rest[..1]);
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The entity at the start of `s` (which starts with '&') and its length.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.find(';')?;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => name.strip_prefix('#')?.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

// ---------------------------------------------------------------------------------------------
// OpenClaw's environment wrapper
// ---------------------------------------------------------------------------------------------

/// Recognises OpenClaw's generated environment wrapper in `ProgramArguments`:
/// `/bin/sh <…-env-wrapper.sh> <env file> command…` or `<…-env-wrapper.sh> <env file> command…`.
/// Returns the env file path and the index where the real command starts. This is OpenClaw's
/// check without an expected label (`isExpectedGeneratedEnvWrapperPair`).
pub fn env_wrapper(program_arguments: &[String]) -> Option<(String, usize)> {
    let is_wrapper = |s: &String| s.ends_with("-env-wrapper.sh");
    match program_arguments {
        [sh, wrapper, env_file, ..] if sh == "/bin/sh" && is_wrapper(wrapper) => {
            Some((env_file.clone(), 3))
        }
        [wrapper, env_file, ..] if is_wrapper(wrapper) => Some((env_file.clone(), 2)),
        _ => None,
    }
}

/// Reads the wrapper's env file as OpenClaw does when it inspects a service: one
/// `export NAME='value'` per line (`'\''` inside the quotes is a quote), other lines and `#`
/// comments ignored, a later line of a name winning. Spans cover the trimmed line. OpenClaw
/// writes every value on one line; the shell that really sources the file would also accept
/// multi-line values, which this (like OpenClaw's default reading) does not.
pub fn parse_wrapper_env_file(text: &str) -> Vec<(String, String, Span)> {
    let mut entries: Vec<(String, String, Span)> = Vec::new();
    let mut index = crate::load::keys::KeyIndex::default();
    let mut offset = 0;
    for raw in text.split('\n') {
        let line = raw.trim_matches(crate::paths::is_js_whitespace);
        let start =
            offset + (raw.len() - raw.trim_start_matches(crate::paths::is_js_whitespace).len());
        offset += raw.len() + 1;
        let Some((key, value)) = export_line(line) else {
            continue;
        };
        let span = Span::new(start, start + line.len());
        match index.place(key.clone(), entries.len()) {
            Some(i) => entries[i] = (key, value, span),
            None => entries.push((key, value, span)),
        }
    }
    entries
}

/// `^export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$` and OpenClaw's `parseGeneratedEnvValue`.
fn export_line(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("export")?;
    let name_start = rest.trim_start_matches(crate::paths::is_js_whitespace);
    if name_start.len() == rest.len() {
        return None;
    }
    let (name, value) = name_start.split_once('=')?;
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name.to_string(), unquote_generated_value(value)))
}

fn unquote_generated_value(value: &str) -> String {
    let trimmed = value.trim_matches(crate::paths::is_js_whitespace);
    if !(trimmed.starts_with('\'') && trimmed.ends_with('\'')) {
        return trimmed.to_string();
    }
    // A lone "'" both starts and ends with a quote; JS slice(1, -1) gives "".
    let inner = trimmed.get(1..trimmed.len() - 1).unwrap_or("");
    inner.replace("'\\''", "'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openclaw::port_from_args;

    /// Rendered by OpenClaw 2026.9.6's `buildLaunchAgentPlist` for profile rescue, port 19789,
    /// with an inline environment, byte for byte.
    const OPENCLAW_PLIST: &str = r#"
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key>
    <string>ai.openclaw.rescue</string>
    
    <key>Comment</key>
    <string>OpenClaw Gateway (profile: rescue)</string>
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <true/>
    <key>ExitTimeOut</key>
    <integer>20</integer>
    <key>ProcessType</key>
    <string>Interactive</string>
    <key>ThrottleInterval</key>
    <integer>10</integer>
    <key>Umask</key>
    <integer>63</integer>
    <key>StandardInPath</key>
    <string>/dev/null</string>
    <key>ProgramArguments</key>
    <array>
      <string>/opt/homebrew/bin/node</string>
      <string>/opt/homebrew/lib/node_modules/openclaw/dist/index.js</string>
      <string>gateway</string>
      <string>--port</string>
      <string>19789</string>
    </array>
    
    <key>StandardOutPath</key>
    <string>/Users/u/Library/Logs/openclaw/gateway-rescue.log</string>
    <key>StandardErrorPath</key>
    <string>/Users/u/Library/Logs/openclaw/gateway-rescue.log</string>
    <key>EnvironmentVariables</key>
    <dict>
    <key>HOME</key>
    <string>/Users/u</string>
    <key>OPENCLAW_STATE_DIR</key>
    <string>/Users/u/.openclaw-rescue</string>
    <key>OPENCLAW_CONFIG_PATH</key>
    <string>/Users/u/.openclaw-rescue/openclaw.json</string>
    <key>OPENCLAW_PROFILE</key>
    <string>rescue</string>
    <key>OPENCLAW_GATEWAY_PORT</key>
    <string>19789</string>
    <key>OPENCLAW_LAUNCHD_LABEL</key>
    <string>ai.openclaw.rescue</string>
    <key>OPENCLAW_SERVICE_MARKER</key>
    <string>openclaw</string>
    <key>OPENCLAW_SERVICE_KIND</key>
    <string>gateway</string>
    </dict>
  </dict>
</plist>
"#;

    /// The layout `gateway install` really produces in 2026.9.6 when the service has
    /// environment variables: a shell wrapper and a separate env file.
    const WRAPPED_PLIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key>
    <string>ai.openclaw.rescue</string>
    <key>KeepAlive</key>
    <dict><key>SuccessfulExit</key><false/></dict>
    <key>ProgramArguments</key>
    <array>
      <string>/bin/sh</string>
      <string>/Users/u/.openclaw-rescue/service-env/ai.openclaw.rescue-env-wrapper.sh</string>
      <string>/Users/u/.openclaw-rescue/service-env/ai.openclaw.rescue.env</string>
      <string>/opt/homebrew/bin/node</string>
      <string>/opt/homebrew/lib/node_modules/openclaw/dist/index.js</string>
      <string>gateway</string>
      <string>--port</string>
      <string>19789</string>
    </array>
    <key>WorkingDirectory</key>
    <string>/Users/u/Tom &amp; Jerry</string>
  </dict>
</plist>
"#;

    const WRAPPER_ENV: &str =
        "# Generated by OpenClaw. Do not edit while the gateway service is installed.
export OPENCLAW_GATEWAY_PORT='19789'
export OPENCLAW_PROFILE='rescue'
export OPENCLAW_STATE_DIR='/Users/u/.openclaw-rescue'
export QUOTE='it'\\''s'
export EMPTY=''
  export   SPACED='x'  
FOO=not-exported
export 1BAD='x'
export OPENCLAW_PROFILE='later'
";

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn slice(text: &str, span: Span) -> &str {
        text.get(span.start()..span.end())
            .expect("span inside the text")
    }

    fn binary(xml: &str) -> Vec<u8> {
        let value = plist::Value::from_reader(std::io::Cursor::new(xml.as_bytes())).unwrap();
        let mut out = Vec::new();
        plist::to_writer_binary(&mut out, &value).unwrap();
        out
    }

    #[test]
    fn openclaw_xml_plist() {
        let agent = parse_plist(OPENCLAW_PLIST.as_bytes()).unwrap();
        assert_eq!(agent.label.as_deref(), Some("ai.openclaw.rescue"));
        assert_eq!(
            agent.program_arguments,
            args(&[
                "/opt/homebrew/bin/node",
                "/opt/homebrew/lib/node_modules/openclaw/dist/index.js",
                "gateway",
                "--port",
                "19789"
            ])
        );
        assert_eq!(port_from_args(&agent.program_arguments), Some((19789, 4)));
        let keys: Vec<_> = agent.environment.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "HOME",
                "OPENCLAW_STATE_DIR",
                "OPENCLAW_CONFIG_PATH",
                "OPENCLAW_PROFILE",
                "OPENCLAW_GATEWAY_PORT",
                "OPENCLAW_LAUNCHD_LABEL",
                "OPENCLAW_SERVICE_MARKER",
                "OPENCLAW_SERVICE_KIND"
            ]
        );
        assert_eq!(agent.environment[1].1, "/Users/u/.openclaw-rescue");
        assert_eq!(agent.working_directory, None);
        assert_eq!(agent.keep_alive, Some(true));
        assert_eq!(env_wrapper(&agent.program_arguments), None);
    }

    #[test]
    fn openclaw_binary_plist() {
        let bytes = binary(OPENCLAW_PLIST);
        assert!(bytes.starts_with(b"bplist00"));
        let from_binary = parse_plist(&bytes).unwrap();
        assert_eq!(from_binary, parse_plist(OPENCLAW_PLIST.as_bytes()).unwrap());
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(xml_value_span(&text, "ProgramArguments", "19789"), None);
    }

    #[test]
    fn xml_spans() {
        let text = OPENCLAW_PLIST;
        let span = xml_value_span(text, "ProgramArguments", "19789").unwrap();
        assert_eq!(slice(text, span), "<string>19789</string>");
        let span = xml_value_span(text, "OPENCLAW_STATE_DIR", "/Users/u/.openclaw-rescue").unwrap();
        assert_eq!(
            slice(text, span),
            "<string>/Users/u/.openclaw-rescue</string>"
        );
        // The port in EnvironmentVariables is a different element from the one in argv.
        let env_port = xml_value_span(text, "OPENCLAW_GATEWAY_PORT", "19789").unwrap();
        assert!(env_port.start() > span.start());
        assert_eq!(xml_value_span(text, "NoSuchKey", "x"), None);
        assert_eq!(xml_value_span(text, "Label", "not there"), None);
        let span = xml_value_span(WRAPPED_PLIST, "WorkingDirectory", "/Users/u/Tom & Jerry");
        assert_eq!(
            slice(WRAPPED_PLIST, span.unwrap()),
            "<string>/Users/u/Tom &amp; Jerry</string>"
        );
        let odd = "<key>K&#x41;</key><string/><string><![CDATA[a<b]]>&#233;</string>";
        assert_eq!(xml_value_span(odd, "KA", ""), Some(Span::new(18, 27)));
        assert!(xml_value_span(odd, "KA", "a<bé").is_some());
    }

    #[test]
    fn wrapper_layout() {
        let agent = parse_plist(WRAPPED_PLIST.as_bytes()).unwrap();
        assert!(agent.environment.is_empty());
        assert_eq!(agent.keep_alive, Some(true));
        assert_eq!(
            agent.working_directory.as_deref(),
            Some("/Users/u/Tom & Jerry")
        );
        let (env_file, start) = env_wrapper(&agent.program_arguments).unwrap();
        assert_eq!(
            env_file,
            "/Users/u/.openclaw-rescue/service-env/ai.openclaw.rescue.env"
        );
        assert_eq!(agent.program_arguments[start], "/opt/homebrew/bin/node");
        assert_eq!(
            port_from_args(&agent.program_arguments[start..]),
            Some((19789, 4))
        );
        let direct = args(&["/x/gw-env-wrapper.sh", "/x/gw.env", "node"]);
        assert_eq!(env_wrapper(&direct), Some(("/x/gw.env".to_string(), 2)));
        let env = parse_wrapper_env_file(WRAPPER_ENV);
        let pairs: Vec<_> = env
            .iter()
            .map(|(k, v, _)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("OPENCLAW_GATEWAY_PORT", "19789"),
                ("OPENCLAW_PROFILE", "later"),
                ("OPENCLAW_STATE_DIR", "/Users/u/.openclaw-rescue"),
                ("QUOTE", "it's"),
                ("EMPTY", ""),
                ("SPACED", "x"),
            ]
        );
        assert_eq!(slice(WRAPPER_ENV, env[5].2), "export   SPACED='x'");
        assert_eq!(parse_wrapper_env_file("export A='")[0].1, "");
    }

    #[test]
    fn plist_errors() {
        let wrap = |body: &str| {
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">{body}</plist>"#)
        };
        assert!(parse_plist(wrap("<array/>").as_bytes()).is_err());
        let bad_args =
            "<dict><key>ProgramArguments</key><array><integer>1</integer></array></dict>";
        assert!(parse_plist(wrap(bad_args).as_bytes()).is_err());
        let bad_env =
            "<dict><key>EnvironmentVariables</key><dict><key>A</key><true/></dict></dict>";
        assert!(parse_plist(wrap(bad_env).as_bytes()).is_err());
        let bad_label = "<dict><key>Label</key><integer>1</integer></dict>";
        assert!(parse_plist(wrap(bad_label).as_bytes()).is_err());
        let program = "<dict><key>Program</key><string>/bin/gw</string></dict>";
        let agent = parse_plist(wrap(program).as_bytes()).unwrap();
        assert_eq!(agent.program_arguments, args(&["/bin/gw"]));
        assert_eq!(agent.keep_alive, None);
        assert!(parse_plist(b"").is_err());
        assert!(parse_plist(b"not a plist").is_err());
        assert!(parse_plist(b"bplist00").is_err());
    }

    /// A binary plist from raw objects: 4-byte offsets, `ref_size`-byte references.
    fn bplist(objects: &[Vec<u8>], ref_size: u8) -> Vec<u8> {
        let mut out = b"bplist00".to_vec();
        let mut offsets = Vec::new();
        for object in objects {
            offsets.push(out.len() as u32);
            out.extend(object);
        }
        let table = out.len() as u64;
        for offset in offsets {
            out.extend(offset.to_be_bytes());
        }
        out.extend([0u8; 6]);
        out.extend([4, ref_size]);
        out.extend((objects.len() as u64).to_be_bytes());
        out.extend(0u64.to_be_bytes());
        out.extend(table.to_be_bytes());
        out
    }

    /// Object `i` is an array holding `width` references to object `i + 1`.
    fn nested_arrays(depth: usize, width: usize) -> Vec<u8> {
        let mut objects: Vec<Vec<u8>> = (0..depth)
            .map(|i| {
                let mut array = vec![0xa0 | width as u8];
                for _ in 0..width {
                    array.extend((i as u32 + 1).to_be_bytes());
                }
                array
            })
            .collect();
        objects.push(vec![0x51, b'x']);
        bplist(&objects, 4)
    }

    #[test]
    fn hostile_nesting_is_refused() {
        let deep_xml = format!(
            "<?xml version=\"1.0\"?><plist version=\"1.0\">{}{}</plist>",
            "<array>".repeat(200_000),
            "</array>".repeat(200_000)
        );
        let err = parse_plist(deep_xml.as_bytes()).unwrap_err();
        assert!(err.contains("deeper"), "{err}");
        let err = parse_plist(&nested_arrays(100_000, 1)).unwrap_err();
        assert!(err.contains("deeper"), "{err}");
        // 2^40 values if expanded.
        let err = parse_plist(&nested_arrays(40, 2)).unwrap_err();
        assert!(err.contains("more than"), "{err}");
        // Nesting within the limit is fine (the top level is just not a dictionary).
        let err = parse_plist(&nested_arrays(MAX_DEPTH - 1, 1)).unwrap_err();
        assert!(err.contains("top level"), "{err}");
        // A dictionary at the top with a shared string is fine too.
        let dict = bplist(
            &[
                vec![0xd1, 0, 0, 0, 1, 0, 0, 0, 2],
                b"\x55Label".to_vec(),
                b"\x52ab".to_vec(),
            ],
            4,
        );
        assert_eq!(parse_plist(&dict).unwrap().label.as_deref(), Some("ab"));
    }

    #[test]
    fn never_panics() {
        let bin = binary(OPENCLAW_PLIST);
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for sample in [OPENCLAW_PLIST.as_bytes(), WRAPPED_PLIST.as_bytes(), &bin] {
            for i in 0..sample.len() {
                inputs.push(sample[..i].to_vec());
            }
        }
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut mutated = bin.clone();
            for _ in 0..3 {
                let at = (next() as usize) % mutated.len();
                mutated[at] = next() as u8;
            }
            inputs.push(mutated);
            let len = (next() % 64) as usize;
            let mut random: Vec<u8> = b"bplist00".to_vec();
            random.extend((0..len).map(|_| next() as u8));
            inputs.push(random);
        }
        for input in &inputs {
            let _ = parse_plist(input);
            let text = String::from_utf8_lossy(input);
            for (key, value) in [
                ("ProgramArguments", "19789"),
                ("Label", ""),
                ("HOME", "/Users/u"),
            ] {
                if let Some(span) = xml_value_span(&text, key, value) {
                    slice(&text, span);
                }
            }
            let _ = env_wrapper(&[text.to_string()]);
            for (_, _, span) in parse_wrapper_env_file(&text) {
                slice(&text, span);
            }
        }
    }
}
