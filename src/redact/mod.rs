//! Secret redaction: the one place that decides which text may be shown. The policy is
//! "show only what is known to be safe": a value is shown only when clawlint knows from its
//! key or its position that it is not secret (a port, a host, a path, a mode, a name) and the
//! value has that shape; everything else is masked, whatever it looks like.
//!
//! Loaders tell the [`crate::source::SourceMap`] which spans of a file are known to be safe
//! (keys, punctuation and the values this module lets through; [`scan`] does it for the
//! file types that have no tree); everything else in the file is masked when shown. Resolve
//! reduces every secret it reads to a [`SecretIdentity`] (a keyed fingerprint and a public
//! hint) and drops the value; reporters show files only through their masked text, and a value
//! in a message only through [`shown`] or [`redact_url`]. No secret is ever printed, in any
//! output format.

pub mod scan;

use crate::load::json5::Span;
use sha2::{Digest, Sha256};

// What a value is, from its key.

/// What a key says its value is. A value is shown only when its key has a kind and the value
/// has that kind's shape ([`fits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A TCP port: digits.
    Port,
    /// A file or directory.
    Path,
    /// A file or directory under an environment variable's name anyone may choose
    /// (`BACKUP_DIR`): shown only when it looks like a path (`/…`, `~/…`, `./…`, `name.ext`).
    PathLike,
    /// A host name, an address or a bind mode.
    Host,
    /// A URL: only its scheme, host and port are shown ([`url_hidden_parts`]).
    Url,
    /// A mode, a policy, a type: one short word.
    Word,
    /// A name or an id.
    Name,
    /// A count, a duration, a size.
    Number,
    /// A switch: `0`/`1`, `true`/`false`, `yes`/`no`, `on`/`off`.
    Switch,
}

/// The last word of a key, as a byte range: words are runs of ASCII letters and digits, and
/// an uppercase letter after a lowercase one or a digit starts a new word (`cdpUrl` → `Url`,
/// `OPENCLAW_GATEWAY_PORT` → `PORT`, `$include` → `include`). Read off the bytes, with no
/// list of words made (it runs for every value of every config and `.env` file).
fn last_word(key: &str) -> Option<(usize, usize)> {
    let bytes = key.as_bytes();
    let mut last = None;
    let mut start: Option<usize> = None;
    let mut previous_lower = false;
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if let Some(s) = start.take() {
                last = Some((s, i));
            }
            previous_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && previous_lower {
            if let Some(s) = start {
                last = Some((s, i));
            }
            start = Some(i);
        }
        start.get_or_insert(i);
        previous_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
    }
    start.map(|s| (s, bytes.len())).or(last)
}

/// The longest word [`kind_of_word`] knows (`concurrency`, `description`), with room.
const LONGEST_KIND_WORD: usize = 16;

/// Keys judged by [`kind_of_key`] remembered on a thread, at most this many (a hostile file's
/// unknown keys are judged each time once it is full), each at most [`MEMO_KEY_LEN`] bytes.
const MEMO_KEYS: usize = 4096;
const MEMO_KEY_LEN: usize = 64;

thread_local! {
    /// The kind of each key judged so far on this thread.
    static KEY_KINDS: std::cell::RefCell<crate::paths::FastMap<Box<str>, Option<Kind>>> =
        std::cell::RefCell::default();
}

/// The kind of value a key holds, from its last word; `None` when clawlint does not know the
/// key to hold something that is not secret (then its value is never shown).
///
/// A host's configs and `.env` files repeat the same few keys (`port`, `botToken`, `cdpPort`)
/// thousands of times: each key is judged once per thread and then looked up.
pub fn kind_of_key(key: &str) -> Option<Kind> {
    if key.len() > MEMO_KEY_LEN {
        return judged_kind_of_key(key);
    }
    KEY_KINDS.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(&kind) = memo.get(key) {
            return kind;
        }
        let kind = judged_kind_of_key(key);
        if memo.len() < MEMO_KEYS {
            memo.insert(key.into(), kind);
        }
        kind
    })
}

/// [`kind_of_key`], judged from the key's words.
fn judged_kind_of_key(key: &str) -> Option<Kind> {
    if is_openclaw_switch(key) && !is_secret_key(key) {
        return Some(Kind::Switch);
    }
    // The last word first: most keys have no kind, and then whether the key names a secret
    // does not matter.
    let (start, end) = last_word(key)?;
    let word = &key.as_bytes()[start..end];
    // A longer word is none of the kinds' words.
    if word.len() > LONGEST_KIND_WORD {
        return None;
    }
    let mut lower = [0u8; LONGEST_KIND_WORD];
    lower[..word.len()].copy_from_slice(word);
    lower.make_ascii_lowercase();
    let kind = kind_of_word(&lower[..word.len()])?;
    if is_secret_key(key) {
        return None;
    }
    // An environment variable's name is anyone's choice (`TG_OPS_UNIT` may hold a token): a
    // name or a word is trusted only in OpenClaw's own variables and a few standard ones.
    let env_style = key
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let trusted = !env_style
        || key.starts_with("OPENCLAW_")
        || key.starts_with("CLAWDBOT_")
        || matches!(
            key,
            "USER" | "LOGNAME" | "LANG" | "LC_ALL" | "TZ" | "NODE_ENV"
        );
    match kind {
        Kind::Name | Kind::Word if !trusted => None,
        Kind::Path if !trusted => Some(Kind::PathLike),
        kind => Some(kind),
    }
}

/// One of OpenClaw's switches, set to `1` or `true`: `OPENCLAW_NO_RESPAWN`,
/// `OPENCLAW_SKIP_CHANNELS`, `OPENCLAW_ALLOW_MULTI_GATEWAY`, `OPENCLAW_EAGER_…`.
fn is_openclaw_switch(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("OPENCLAW_") else {
        return false;
    };
    let first = rest.split('_').next().unwrap_or(rest);
    matches!(
        first,
        "NO" | "SKIP" | "ALLOW" | "EAGER" | "DISABLE" | "ENABLE"
    )
}

/// The kind a key's last word (lower-case ASCII letters and digits) names; matched as bytes,
/// with no UTF-8 check of the word.
fn kind_of_word(last: &[u8]) -> Option<Kind> {
    Some(match last {
        b"port" | b"ports" => Kind::Port,
        b"path" | b"paths" | b"dir" | b"dirs" | b"directory" | b"file" | b"files" | b"home"
        | b"root" | b"roots" | b"workspace" | b"cwd" | b"include" | b"tmpdir" | b"shell"
        | b"folder" | b"command" | b"program" | b"executable" | b"bin" => Kind::Path,
        // `OPENCLAW_CONFIG=/srv/oc/config.json`: shown only when it looks like a path.
        b"config" => Kind::PathLike,
        b"host" | b"hostname" | b"hosts" | b"bind" | b"address" | b"addr" | b"interface" => {
            Kind::Host
        }
        b"url" | b"uri" | b"endpoint" | b"origin" | b"origins" => Kind::Url,
        b"mode" | b"kind" | b"type" | b"policy" | b"level" | b"source" | b"provider"
        | b"transport" | b"format" | b"driver" | b"strategy" | b"scope" | b"protocol"
        | b"method" | b"env" | b"marker" | b"enabled" | b"launcher" | b"lang" | b"tz"
        | b"locale" => Kind::Word,
        b"name" | b"id" | b"label" | b"profile" | b"agent" | b"model" | b"user" | b"account"
        | b"unit" | b"version" | b"description" | b"title" | b"group" | b"at" | b"date"
        | b"time" => Kind::Name,
        b"ms" | b"sec" | b"secs" | b"seconds" | b"timeout" | b"interval" | b"limit" | b"max"
        | b"min" | b"count" | b"size" | b"bytes" | b"retries" | b"attempts" | b"concurrency"
        | b"width" | b"height" | b"depth" | b"status" | b"priority" | b"nice" | b"weight"
        | b"umask" => Kind::Number,
        _ => return None,
    })
}

/// Does `value` have the shape of a value of `kind`? A value that does not is masked even
/// under a known key (`OPENCLAW_GATEWAY_PORT=19789OPENCLAW_GATEWAY_TOKEN=…`,
/// `DB_HOST=postgres://admin:pw@db`).
pub fn fits(kind: Kind, value: &str) -> bool {
    let bytes = ByteClasses::of(value);
    if has_control(value, &bytes) || value.is_empty() || is_secret_value(value) {
        return false;
    }
    if !matches!(kind, Kind::Port | Kind::Number) && has_token_like_word_in(value, &bytes) {
        return false;
    }
    // `value` is not empty: it has a first byte.
    let first = value.as_bytes()[0];
    let no_scheme_nor_eq = || !(bytes.any(EQUALS) || (bytes.any(COLON) && has_scheme(value)));
    match kind {
        Kind::Port => value.len() <= 5 && bytes.all(DIGIT),
        Kind::Number => {
            value.len() <= 24 && (first.is_ascii_digit() || first == b'-') && bytes.all(NUMBER)
        }
        Kind::Path => value.len() <= 4096 && no_scheme_nor_eq(),
        Kind::PathLike => {
            let path_like = bytes.any(SLASH)
                || matches!(first, b'~' | b'.' | b'%' | b'$')
                || value.rsplit_once('.').is_some_and(|(stem, ext)| {
                    !stem.is_empty()
                        && (1..=6).contains(&ext.len())
                        && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                });
            path_like && value.len() <= 4096 && no_scheme_nor_eq()
        }
        Kind::Host => value.len() <= 253 && bytes.all(HOST),
        Kind::Url => false,
        Kind::Word => value.len() <= 40 && bytes.all(WORD),
        Kind::Switch => ["0", "1", "true", "false", "yes", "no", "on", "off"]
            .iter()
            .any(|w| value.eq_ignore_ascii_case(w)),
        Kind::Name => {
            let chars = match bytes.any(NON_ASCII) {
                true => value.chars().count(),
                false => value.len(),
            };
            chars <= 80 && no_scheme_nor_eq()
        }
    }
}

// What [`fits`] asks of a value's bytes, by class: one bit each.
/// A byte that may start a control character: a C0 control, DEL, or 0xC2 (the lead byte of
/// U+0080 to U+00BF).
const CONTROL: u16 = 1;
/// A byte of [`has_token_like_word`]'s words: an ASCII letter, digit or `_`.
const TOKEN: u16 = 1 << 1;
const DIGIT: u16 = 1 << 2;
/// A number's bytes: ASCII letters and digits, `.`, `-`, `_` and the space.
const NUMBER: u16 = 1 << 3;
/// A host's bytes: ASCII letters and digits, `.`, `-`, `:`, `[`, `]`, `%`, `_`, `*`.
const HOST: u16 = 1 << 4;
/// A word's bytes: ASCII letters and digits, `.`, `-`, `_`.
const WORD: u16 = 1 << 5;
const EQUALS: u16 = 1 << 6;
const COLON: u16 = 1 << 7;
/// `/` or `\`.
const SLASH: u16 = 1 << 8;
/// A byte of a character of several bytes.
const NON_ASCII: u16 = 1 << 9;

/// Each byte's classes.
const CLASSES: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let alnum = b.is_ascii_alphanumeric();
        let mut class = 0;
        if b < 0x20 || b == 0x7f || b == 0xc2 {
            class |= CONTROL;
        }
        if alnum || b == b'_' {
            class |= TOKEN;
        }
        if b.is_ascii_digit() {
            class |= DIGIT;
        }
        if alnum || matches!(b, b'.' | b'-' | b'_' | b' ') {
            class |= NUMBER;
        }
        if alnum || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'%' | b'_' | b'*') {
            class |= HOST;
        }
        if alnum || matches!(b, b'.' | b'-' | b'_') {
            class |= WORD;
        }
        if b == b'=' {
            class |= EQUALS;
        }
        if b == b':' {
            class |= COLON;
        }
        if b == b'/' || b == b'\\' {
            class |= SLASH;
        }
        if b >= 0x80 {
            class |= NON_ASCII;
        }
        table[i] = class;
        i += 1;
    }
    table
};

/// A value's bytes read once, with no branch (each test of [`fits`] was a pass of its own):
/// the classes every byte has, those some byte has, and the longest run of [`TOKEN`] bytes.
struct ByteClasses {
    all: u16,
    any: u16,
    longest_token_run: usize,
}

impl ByteClasses {
    fn of(value: &str) -> Self {
        let (mut all, mut any, mut run, mut longest) = (u16::MAX, 0u16, 0usize, 0usize);
        for &b in value.as_bytes() {
            let class = CLASSES[usize::from(b)];
            all &= class;
            any |= class;
            run = (run + 1) * usize::from(class & TOKEN != 0);
            longest = longest.max(run);
        }
        ByteClasses {
            all,
            any,
            longest_token_run: longest,
        }
    }

    /// Every byte is of `class` (true of no bytes).
    fn all(&self, class: u16) -> bool {
        self.all & class != 0
    }

    /// Some byte is of `class`.
    fn any(&self, class: u16) -> bool {
        self.any & class != 0
    }
}

/// Whether `value` (whose bytes are `bytes`) holds a control character ([`char::is_control`]:
/// U+0000 to U+001F and U+007F to U+009F); only a value with a byte that may start one is read
/// by characters.
fn has_control(value: &str, bytes: &ByteClasses) -> bool {
    bytes.any(CONTROL) && value.chars().any(char::is_control)
}

/// Where `://` first is in `value`: its `:`s found by a byte search, each checked for `//`
/// after it (a substring searcher set up for every value cost more than the search).
pub fn scheme_separator(value: &str) -> Option<usize> {
    let bytes = value.as_bytes();
    memchr::memchr_iter(b':', bytes).find(|&at| bytes[at + 1..].starts_with(b"//"))
}

fn has_scheme(value: &str) -> bool {
    scheme_separator(value).is_some()
}

/// A word of 16 characters or more mixing letters and digits: a token, whatever its key
/// says (a second guard; a value is shown only when its key is known to be safe anyway).
/// Most values hold no run of 16 word characters (ASCII letters, digits, `_`: [`TOKEN`]),
/// which `bytes` tells (no byte of a longer character is a word character); only a value
/// that has one is split into words.
fn has_token_like_word(value: &str) -> bool {
    has_token_like_word_in(value, &ByteClasses::of(value))
}

/// [`has_token_like_word`], of a value whose bytes were read.
fn has_token_like_word_in(value: &str, bytes: &ByteClasses) -> bool {
    bytes.longest_token_run >= 16
        && value
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|w| {
                w.len() >= 16
                    && w.bytes().any(|b| b.is_ascii_digit())
                    && w.bytes().any(|b| b.is_ascii_alphabetic())
            })
}

/// The parts of a value under `key` that must be masked, as byte ranges of `value`: none when
/// the value is known to be safe, the userinfo, path, query and fragment of a URL under a URL
/// key, and otherwise the whole value.
pub fn hidden_parts(key: Option<&str>, value: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    each_hidden_part(key, value, |start, end| parts.push((start, end)));
    parts
}

/// [`hidden_parts`], each given to `hide` in order: no list is made for a value shown or
/// hidden whole (nearly every value of a config or `.env` file).
pub fn each_hidden_part(key: Option<&str>, value: &str, mut hide: impl FnMut(usize, usize)) {
    if value.is_empty() || is_env_reference(value) {
        return;
    }
    match key.and_then(kind_of_key) {
        Some(Kind::Url) => {
            for (start, end) in url_hidden_parts(value) {
                hide(start, end);
            }
        }
        Some(kind) if fits(kind, value) => {}
        Some(kind) if holds_reference(value) && fits(kind, &with_defaults(value)) => {}
        _ => hide(0, value.len()),
    }
}

/// Whether `value` holds `${`: its `$`s found by a byte search, each checked for `{` after it
/// (a substring searcher set up for every value cost more than the search).
fn holds_reference(value: &str) -> bool {
    let bytes = value.as_bytes();
    memchr::memchr_iter(b'$', bytes).any(|at| bytes.get(at + 1) == Some(&b'{'))
}

/// A value with each `${NAME}` reference replaced by its default (`${NAME:-18789}` →
/// `18789`), or by nothing: what it has to fit for its key when the references are set.
fn with_defaults(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            return value.to_string();
        };
        let inner = &rest[start + 2..start + end];
        let name_len = inner
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len == 0 {
            return value.to_string();
        }
        let default = inner[name_len..]
            .strip_prefix(":-")
            .or_else(|| inner[name_len..].strip_prefix('-'));
        out.push_str(default.unwrap_or(""));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether a number under `key` may be shown: a port, a count or a duration.
pub fn shows_number(key: Option<&str>) -> bool {
    matches!(
        key.and_then(kind_of_key),
        Some(Kind::Port | Kind::Number | Kind::Name)
    )
}

/// What of `value` (a value of `kind`) a message may print: the value when it has that
/// kind's shape, else a placeholder that says only how long it is.
pub fn shown(kind: Kind, value: &str) -> String {
    if kind == Kind::Url {
        return redact_url(value);
    }
    // An empty value hides nothing (an unset variable's `--port ""`).
    if value.is_empty() || fits(kind, value) || is_env_reference(value) {
        return value.to_string();
    }
    format!("<{} characters, not shown>", value.chars().count())
}

/// Like [`shown`], quoted (`"18789"`) when the value is shown.
pub fn shown_quoted(kind: Kind, value: &str) -> String {
    let shown = shown(kind, value);
    match shown == value {
        true => format!("{value:?}"),
        false => shown,
    }
}

// Keys: shown unless they look like secrets or are too long.

/// The longest key a message or a snippet repeats: no key OpenClaw, compose or systemd
/// defines is longer. A longer one is only counted, as `resolve` counts a long value.
pub const MAX_SHOWN_KEY_BYTES: usize = 64;

/// Whether `key` may be shown as written. Keys are the layout's like values: a key with a
/// value's secret shape (a token-like word, `Bearer …`) is a secret pasted in the wrong place
/// (`"123456:AAH…": true`), and a key past [`MAX_SHOWN_KEY_BYTES`] is no key anyone reads.
pub fn shows_key(key: &str) -> bool {
    key.len() <= MAX_SHOWN_KEY_BYTES && !is_secret_shaped(key)
}

/// A value's secret shape ([`fits`] refuses it under any key but a port's or a number's).
fn is_secret_shaped(text: &str) -> bool {
    is_secret_value(text) || has_token_like_word(text)
}

/// `key` as a message may print it: itself when [`shows_key`], else its length and, for a
/// secret-shaped one, its fingerprint (two such keys can be told apart, never read).
pub fn shown_key(key: &str) -> std::borrow::Cow<'_, str> {
    let chars = || key.chars().count();
    if key.len() > MAX_SHOWN_KEY_BYTES {
        std::borrow::Cow::Owned(format!("<{} characters, not shown>", chars()))
    } else if is_secret_shaped(key) {
        let fingerprint = fingerprint(key);
        std::borrow::Cow::Owned(format!(
            "<{} characters, fingerprint {}>",
            chars(),
            &fingerprint[..8]
        ))
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// [`shown_key`] quoted as OpenClaw quotes a key in its messages (`"prot"`); a key not shown
/// is its placeholder, unquoted.
pub fn shown_key_quoted(key: &str) -> String {
    match shows_key(key) {
        true => format!("{key:?}"),
        false => shown_key(key).into_owned(),
    }
}

// Which text is a secret.

/// A string value that is only a reference to an environment variable (`${NAME}`, `$NAME`):
/// it says where a secret lives without revealing it.
pub fn is_env_reference(value: &str) -> bool {
    let name_chars = |n: &str| {
        n.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    };
    // `${NAME}` substitution: `[A-Z_][A-Z0-9_]*`; `$NAME` shorthand: `[A-Z][A-Z0-9_]*`; an
    // empty default (`${NAME:-}`, compose's "unset is empty") adds nothing.
    if let Some(name) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        let name = name
            .strip_suffix(":-")
            .or_else(|| name.strip_suffix('-'))
            .unwrap_or(name);
        // `${NAME:?message}`: the message compose prints when NAME has no value, shown when
        // it reads as words (a token pasted there is not).
        let name = match name.split_once('?') {
            Some((name, message)) if fits(Kind::Name, message) || message.is_empty() => {
                name.strip_suffix(':').unwrap_or(name)
            }
            _ => name,
        };
        let first = name.bytes().next();
        return first.is_some_and(|b| b.is_ascii_uppercase() || b == b'_') && name_chars(name);
    }
    match value.strip_prefix('$') {
        Some(name) => {
            name.bytes().next().is_some_and(|b| b.is_ascii_uppercase()) && name_chars(name)
        }
        None => false,
    }
}

/// Values that carry credentials whatever their key: `Bearer …`, `Basic …`.
pub fn is_secret_value(value: &str) -> bool {
    // Nearly every value starts with a printable ASCII byte other than `b`: no trim then.
    match value.as_bytes().first() {
        None => return false,
        Some(&b) if b.is_ascii_graphic() && !b.eq_ignore_ascii_case(&b'b') => return false,
        Some(_) => {}
    }
    // The prefix compared without case, not a lower-case copy of the value made.
    let starts_with = |word: &[u8]| {
        let value = value.trim_start().as_bytes();
        value.len() >= word.len() && value[..word.len()].eq_ignore_ascii_case(word)
    };
    starts_with(b"bearer ") || starts_with(b"basic ")
}

/// Keys whose values are secrets wherever they appear: `botToken`, `appSecret`,
/// `password`, `TELEGRAM_BOT_TOKEN`, `OPENAI_API_KEY`, ... A file or path holding one
/// (`tokenFile`) is not. Used to veto a key's kind; that a key is not listed here says
/// nothing (see [`kind_of_key`]).
pub fn is_secret_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let ends_with = |word: &[u8]| {
        bytes.len() >= word.len() && bytes[bytes.len() - word.len()..].eq_ignore_ascii_case(word)
    };
    if NOT_SECRET_ENDINGS.iter().any(|word| ends_with(word)) {
        return false;
    }
    // Words tried only where the key has their first letter: no lower-case copy of the key
    // and no substring searcher set up per word (twelve a key).
    (0..bytes.len()).any(|i| {
        let first = bytes[i].to_ascii_lowercase();
        let rest = &bytes[i..];
        SECRET_WORDS
            .iter()
            .find(|(letter, _)| *letter == first)
            .is_some_and(|(_, words)| {
                words.iter().any(|word| {
                    rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word)
                })
            })
    })
}

/// A key ending so (any case) names where a secret is, not the secret: `tokenFile`.
const NOT_SECRET_ENDINGS: [&[u8]; 3] = [b"file", b"path", b"dir"];

/// A key with one of these words in it (any case) holds a secret; by first letter, lower-case.
const SECRET_WORDS: [(u8, &[&[u8]]); 5] = [
    (b't', &[b"token"]),
    (b's', &[b"secret"]),
    (
        b'p',
        &[b"password", b"passwd", b"privatekey", b"private_key"],
    ),
    (b'a', &[b"apikey", b"api_key", b"api-key", b"authorization"]),
    (b'c', &[b"credential", b"cookie"]),
];

/// The parts of a URL that may hold a credential, as byte ranges: the userinfo before `@`,
/// and everything from the path on (a path can hold a token: `/bot<id>:<token>/`,
/// `/devtools/browser/<token>`; so can the query and the fragment). Only the scheme, host
/// and port are shown. A value that is not a URL is masked whole.
pub fn url_hidden_parts(url: &str) -> Vec<(usize, usize)> {
    let Some(scheme_end) = scheme_separator(url) else {
        return vec![(0, url.len())];
    };
    let scheme_ok = url[..scheme_end]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok || scheme_end == 0 {
        return vec![(0, url.len())];
    }
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#', '\\'])
        .map_or(url.len(), |i| authority_start + i);
    let mut out = Vec::new();
    let host_start = match url[authority_start..authority_end].rfind('@') {
        Some(at) => {
            out.push((authority_start, authority_start + at));
            authority_start + at + 1
        }
        None => authority_start,
    };
    if !fits(Kind::Host, &url[host_start..authority_end]) && host_start < authority_end {
        out.push((host_start, authority_end));
    }
    let rest = &url[authority_end..];
    if !rest.is_empty() && rest != "/" {
        out.push((
            authority_end + usize::from(rest.starts_with('/')),
            url.len(),
        ));
    }
    out
}

// What may be shown.

/// The text as it may be shown: every character outside the `shown` spans becomes `*`, one
/// per byte, so that spans into the text stay valid; whitespace stays, so lines and columns
/// do not move. Linear in the text and the spans.
pub fn masked(text: &str, shown: &[Span]) -> String {
    let mut spans: Vec<(usize, usize)> = shown
        .iter()
        .map(|s| (s.start().min(text.len()), s.end().min(text.len())))
        .filter(|(start, end)| start < end)
        .collect();
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut next = 0;
    // The end of the shown stretch covering the current position.
    let mut shown_until = 0;
    for (i, c) in text.char_indices() {
        while next < spans.len() && spans[next].0 <= i {
            shown_until = shown_until.max(spans[next].1);
            next += 1;
        }
        if i + c.len_utf8() <= shown_until || matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        }
    }
    out
}

/// [`redact_url`] of an owned URL: the URL itself when it is only a scheme and a numeric
/// host and port (`http://127.0.0.1:18800`, what clawlint builds for most CDP endpoints),
/// which [`url_hidden_parts`] would leave whole; without judging its parts again.
pub fn redacted_url(url: String) -> String {
    if is_numeric_origin(&url) {
        url
    } else {
        redact_url(&url)
    }
}

/// `scheme://` and then only digits, dots and colons: no userinfo, no path, no letter that
/// could make a token-like word; a host [`fits`] whole.
fn is_numeric_origin(url: &str) -> bool {
    let Some((scheme, authority)) = url.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !authority.is_empty()
        && authority.len() <= 253
        && authority
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b':'))
}

/// A URL fit to print: scheme, host and port; `***` for the userinfo and for anything from
/// the path on.
pub fn redact_url(url: &str) -> String {
    let mut shown = url.to_string();
    let mut parts = url_hidden_parts(url);
    parts.sort_by_key(|p| std::cmp::Reverse(p.0));
    for (start, end) in parts {
        if start < end {
            shown.replace_range(start..end, "***");
        }
    }
    shown
}

/// The environment variable that sets the fingerprint key, so that fingerprints are the same
/// across runs and hosts that share it. Without it each run draws a random key.
pub const FINGERPRINT_KEY_ENV: &str = "CLAWLINT_FINGERPRINT_KEY";

/// The longest fingerprint key file read (`--fingerprint-key-file`).
pub const KEY_FILE_LIMIT: u64 = 4096;

/// This run's fingerprint key, set once: from `--fingerprint-key-file` ([`use_key_file`]),
/// else [`FINGERPRINT_KEY_ENV`], else random.
static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();

/// A secret's fingerprint: the first 8 bytes (16 hex digits) of HMAC-SHA256 under this run's
/// key. Equal secrets have equal fingerprints within a run (CL3xx compare them); with a random
/// key a fingerprint cannot be confirmed offline against a dictionary of short tokens.
pub fn fingerprint(secret: &str) -> String {
    let key = KEY.get_or_init(|| match std::env::var(FINGERPRINT_KEY_ENV) {
        Ok(given) if !given.is_empty() => derive_key(given.as_bytes()),
        // Unit tests pin their snapshots with a fixed key.
        _ if cfg!(test) => derive_key(b"clawlint unit tests"),
        _ => random_key(),
    });
    // The key's padded blocks hashed once per run: each fingerprint then hashes its secret
    // and the inner digest only (two SHA-256 blocks for a token, not four).
    static PADDED: std::sync::OnceLock<(Sha256, Sha256)> = std::sync::OnceLock::new();
    let (inner, outer) = PADDED.get_or_init(|| hmac_padded(key));
    hex8(&hmac_finish(
        inner.clone(),
        outer.clone(),
        secret.as_bytes(),
    ))
}

/// Makes the key in the file at `path` this run's fingerprint key (over
/// [`FINGERPRINT_KEY_ENV`]): its bytes without final line breaks, so that a file holding the
/// text of the variable gives the same fingerprints. Read bounded ([`KEY_FILE_LIMIT`]) and
/// never opened if it is not a regular file; no error shows any of its contents.
pub fn use_key_file(path: &std::path::Path) -> Result<(), String> {
    let shown = crate::paths::display_path(path);
    let bytes = crate::load::read::read_named_bytes(path, KEY_FILE_LIMIT).map_err(|e| {
        format!(
            "cannot read the fingerprint key file {shown}: {}",
            e.describe()
        )
    })?;
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, b'\n' | b'\r'))
        .map_or(0, |i| i + 1);
    if end == 0 {
        return Err(format!("the fingerprint key file {shown} is empty"));
    }
    let key = derive_key(&bytes[..end]);
    if *KEY.get_or_init(|| key) != key {
        return Err(format!(
            "the fingerprint key file {shown} was given after fingerprints were made"
        ));
    }
    Ok(())
}

/// The fingerprint under a key given as [`FINGERPRINT_KEY_ENV`] would give it.
pub fn fingerprint_with_key(given_key: &str, secret: &str) -> String {
    keyed_fingerprint(&derive_key(given_key.as_bytes()), secret)
}

fn keyed_fingerprint(key: &[u8; 32], secret: &str) -> String {
    hex8(&hmac_sha256(key, secret.as_bytes()))
}

/// The first 8 bytes of a digest as 16 lowercase hex digits.
fn hex8(digest: &[u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(16);
    for b in &digest[..8] {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// A user's key of any length as 32 bytes.
fn derive_key(given: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"clawlint fingerprint key\0");
    hasher.update(given);
    hasher.finalize().into()
}

/// 32 random bytes from the OS (`/dev/urandom`); where there is none, from the standard
/// library's per-process random hash keys, the time and the process id.
fn random_key() -> [u8; 32] {
    use std::io::Read;
    let mut key = [0u8; 32];
    let from_os = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut key))
        .is_ok();
    if from_os {
        return key;
    }
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = Sha256::new();
    for i in 0..8u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        hasher.update(h.finish().to_le_bytes());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.update(now.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.finalize().into()
}

/// HMAC-SHA256 (RFC 2104) over the `sha2` crate clawlint already uses, rather than one more
/// dependency for a dozen lines.
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let (inner, outer) = hmac_padded(key);
    hmac_finish(inner, outer, message)
}

/// HMAC's inner and outer hashes with the key's padded block already hashed.
fn hmac_padded(key: &[u8; 32]) -> (Sha256, Sha256) {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let mut inner = Sha256::new();
    inner.update(pad(0x36));
    let mut outer = Sha256::new();
    outer.update(pad(0x5c));
    (inner, outer)
}

/// HMAC of `message` from [`hmac_padded`]'s hashes.
fn hmac_finish(mut inner: Sha256, mut outer: Sha256, message: &[u8]) -> [u8; 32] {
    inner.update(message);
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// A message without the fingerprints it shows (`fingerprint 1a2b3c4d`): fingerprints change
/// from run to run, a SARIF result's identity must not.
pub fn without_fingerprints(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("fingerprint ") {
        let after = i + "fingerprint ".len();
        out.push_str(&rest[..after]);
        let hex = rest[after..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        rest = &rest[after + hex..];
    }
    out.push_str(rest);
    out
}

/// A Telegram token's public half: the bot id before the colon.
pub fn telegram_bot_id(token: &str) -> Option<String> {
    let (id, _) = token.split_once(':')?;
    (!id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()))
        .then(|| id.to_string())
}

/// What identifies a secret across gateways, without the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretIdentity {
    /// A value clawlint resolved: its keyed fingerprint and a public hint (a Telegram bot id).
    Known {
        fingerprint: String,
        hint: Option<String>,
    },
    /// A reference clawlint cannot resolve statically: its identity tuple and why.
    /// `host_wide` when the reference names one secret for every gateway on the host that
    /// uses it (a file path or a secret command the host runs, a 1Password item): two
    /// gateways with the same such reference share the credential. An env variable's name
    /// is not (each gateway's environment may give it another value), nor a path inside a
    /// container.
    Unresolved {
        reference: String,
        reason: String,
        host_wide: bool,
    },
}

impl SecretIdentity {
    /// How a secret is shown: never the value, only its public hint and a fingerprint
    /// prefix, or the reference clawlint could not resolve.
    pub fn shown(&self) -> String {
        match self {
            SecretIdentity::Known { fingerprint, hint } => match hint {
                Some(bot) => format!("bot {bot}:…, fingerprint {}", &fingerprint[..8]),
                None => format!("fingerprint {}", &fingerprint[..8]),
            },
            SecretIdentity::Unresolved { reference, .. } => format!("unresolved {reference}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_control(value: &str) -> bool {
        super::has_control(value, &ByteClasses::of(value))
    }

    /// [`fits`] as it was written before its tests shared one pass over the bytes: each test
    /// a pass of its own.
    fn fits_by_passes(kind: Kind, value: &str) -> bool {
        let token_like = value
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|w| {
                w.len() >= 16
                    && w.bytes().any(|b| b.is_ascii_digit())
                    && w.bytes().any(|b| b.is_ascii_alphabetic())
            });
        let secret = {
            let trimmed = value.trim_start().to_ascii_lowercase();
            trimmed.starts_with("bearer ") || trimmed.starts_with("basic ")
        };
        if value.chars().any(char::is_control) || value.is_empty() || secret {
            return false;
        }
        if !matches!(kind, Kind::Port | Kind::Number) && token_like {
            return false;
        }
        let scheme = value.contains("://");
        match kind {
            Kind::Port => value.len() <= 5 && value.bytes().all(|b| b.is_ascii_digit()),
            Kind::Number => {
                value.len() <= 24
                    && value.starts_with(|c: char| c.is_ascii_digit() || c == '-')
                    && value.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b' ')
                    })
            }
            Kind::Path => value.len() <= 4096 && !scheme && !value.contains('='),
            Kind::PathLike => {
                let path_like = value.contains(['/', '\\'])
                    || value.starts_with(['~', '.', '%', '$'])
                    || value.rsplit_once('.').is_some_and(|(stem, ext)| {
                        !stem.is_empty()
                            && (1..=6).contains(&ext.len())
                            && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                    });
                path_like && value.len() <= 4096 && !scheme && !value.contains('=')
            }
            Kind::Host => {
                value.len() <= 253
                    && value.bytes().all(|b| {
                        b.is_ascii_alphanumeric()
                            || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'%' | b'_' | b'*')
                    })
            }
            Kind::Url => false,
            Kind::Word => {
                value.len() <= 40
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            }
            Kind::Name => value.chars().count() <= 80 && !scheme && !value.contains('='),
            Kind::Switch => ["0", "1", "true", "false", "yes", "no", "on", "off"]
                .iter()
                .any(|w| value.eq_ignore_ascii_case(w)),
        }
    }

    /// [`holds_reference`] is `contains("${")`, on texts of `$`, `{`, `}` and other bytes.
    #[test]
    fn holds_reference_is_a_search_for_dollar_brace() {
        let mut rng = crate::xorshift::Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let value: String = (0..rng.below(10))
                .map(|_| rng.pick(&["$", "{", "}", "a", "\u{e9}", "$$", " "]))
                .collect();
            assert_eq!(holds_reference(&value), value.contains("${"), "{value:?}");
        }
    }

    /// [`fits`] answers as a pass per test did, for every kind, on values made of the bytes
    /// and characters each test looks at (controls, blanks of one and several bytes, the
    /// secret prefixes, schemes, long words), around every length limit.
    #[test]
    fn fits_in_one_pass_answers_as_a_pass_per_test() {
        const KINDS: [Kind; 9] = [
            Kind::Port,
            Kind::Path,
            Kind::PathLike,
            Kind::Host,
            Kind::Url,
            Kind::Word,
            Kind::Name,
            Kind::Number,
            Kind::Switch,
        ];
        const PIECES: [&str; 40] = [
            "1",
            "42",
            "a",
            "Z",
            "_",
            ".",
            "-",
            " ",
            ":",
            "://",
            "/",
            "\\",
            "=",
            "[",
            "]",
            "%",
            "*",
            "~",
            "$",
            "#",
            "@",
            ",",
            "\t",
            "\n",
            "\u{b}",
            "\u{1}",
            "\u{7f}",
            "\u{85}",
            "\u{a0}",
            "\u{80}",
            "\u{e9}",
            "\u{2028}",
            "\u{3000}",
            "\u{1f600}",
            "bearer ",
            "Basic ",
            "b",
            "abcdefgh12345678",
            ".conf",
            "x.tar.gz",
        ];
        let mut rng = crate::xorshift::Rng(0x0f17_5e4a_c0de_0001);
        let mut shown = 0;
        for round in 0..40_000 {
            let mut value: String = (0..rng.below(8))
                .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
                .collect();
            // Around the limits: 5, 24, 40, 80, 253 and 4096 bytes or characters.
            if round % 8 == 0 {
                let limits = [5, 24, 40, 80, 253, 4096];
                let target = limits[rng.below(6) as usize] + rng.below(3) as usize - 1;
                let fill = ["1", "a", "\u{e9}", "/", "-"][rng.below(5) as usize];
                while value.chars().count() < target {
                    value.push_str(fill);
                }
            }
            for kind in KINDS {
                let fits_now = fits(kind, &value);
                assert_eq!(fits_now, fits_by_passes(kind, &value), "{kind:?} {value:?}");
                shown += usize::from(fits_now);
            }
        }
        assert!(shown > 10_000, "{shown}");
    }

    /// [`has_control`] answers as a look at every character does: for every character up to
    /// U+07FF and a few beyond, alone and between ASCII text (the bytes before and after it
    /// are read in the same pass).
    #[test]
    fn has_control_is_any_control_character() {
        let beyond = ['\u{2028}', '\u{feff}', '\u{1f600}', '\u{10ffff}'];
        for c in ('\0'..='\u{7ff}').chain(beyond) {
            for text in [
                c.to_string(),
                format!("ab{c}"),
                format!("{c}cd"),
                format!("x{c}y{c}"),
            ] {
                assert_eq!(
                    has_control(&text),
                    text.chars().any(char::is_control),
                    "{text:?}"
                );
            }
        }
        assert!(!has_control(""));
    }

    /// The byte-wise [`is_secret_key`] and [`last_word`] answer as the plain definitions do (a
    /// lower-case copy searched for each word; every word of the key listed), on keys that
    /// split, fold and end in every way the definitions distinguish.
    /// Every word of [`SECRET_WORDS`], each under its own first letter.
    fn secret_words() -> impl Iterator<Item = &'static str> {
        SECRET_WORDS.iter().flat_map(|(letter, words)| {
            words.iter().map(move |w| {
                assert_eq!(w[0], *letter, "{w:?} listed under its first letter");
                std::str::from_utf8(w).unwrap()
            })
        })
    }

    /// A key's remembered kind is its judged kind: asked twice, past the memo's size, and for
    /// keys longer than it remembers.
    #[test]
    fn remembered_kinds_are_the_judged_ones() {
        let long = format!("{}Port", "x".repeat(MEMO_KEY_LEN));
        let keys = [
            "port",
            "botToken",
            "OPENCLAW_GATEWAY_PORT",
            "TG_OPS_UNIT",
            "cdpUrl",
            "x",
        ];
        let many = (0..MEMO_KEYS + 10).map(|i| format!("k{i}Dir"));
        let all: Vec<String> = keys.iter().map(|k| k.to_string()).chain(many).collect();
        for _ in 0..2 {
            for key in all.iter().chain([&long]) {
                assert_eq!(kind_of_key(key), judged_kind_of_key(key), "{key:?}");
            }
        }
    }

    /// The byte search for `://` and the prefix test without a lower-case copy answer as
    /// `str::find` and a lower-cased `starts_with` do, at every place and in every case.
    #[test]
    fn scheme_and_secret_prefixes_agree_with_their_plain_definitions() {
        let values = [
            "",
            ":",
            "://",
            "a://b",
            "a:/b://c",
            "x:",
            "x:/",
            "::///",
            "é://ü",
            "no scheme",
            "Bearer x",
            " bEaReR x",
            "basic",
            "BASIC y",
            "\u{a0}Basic z",
            "bearer",
            "İbearer ",
        ];
        for value in values {
            assert_eq!(scheme_separator(value), value.find("://"), "{value:?}");
            let lower = value.trim_start().to_ascii_lowercase();
            let plain = lower.starts_with("bearer ") || lower.starts_with("basic ");
            assert_eq!(is_secret_value(value), plain, "{value:?}");
        }
    }

    #[test]
    fn key_reading_agrees_with_its_plain_definition() {
        fn secret(key: &str) -> bool {
            let lower = key.to_ascii_lowercase();
            if ["file", "path", "dir"].iter().any(|s| lower.ends_with(s)) {
                return false;
            }
            secret_words().any(|w| lower.contains(w))
        }
        fn words(key: &str) -> Vec<String> {
            let mut words = Vec::new();
            let mut current = String::new();
            let mut previous_lower = false;
            for c in key.chars() {
                if !c.is_ascii_alphanumeric() {
                    if !current.is_empty() {
                        words.push(std::mem::take(&mut current));
                    }
                    previous_lower = false;
                    continue;
                }
                if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
                current.push(c);
            }
            if !current.is_empty() {
                words.push(current);
            }
            words
        }
        let mut keys: Vec<String> = [
            "",
            "_",
            "$include",
            "botToken",
            "tokenFile",
            "TOKEN_DIR",
            "apiKeyPath",
            "API-KEY",
            "x-Api_Key",
            "OPENCLAW_GATEWAY_PORT",
            "cdpUrl",
            "HTTPServerURL",
            "v2Port",
            "a1B",
            "Cookie",
            "passwdFile",
            "privateKey",
            "AuthorizationHeader",
            "tok",
            "secre",
            "credentials",
            "é-port",
            "portéName",
            "ConcurrencyLimitsSuperlongwordhere",
            "__",
            "t",
            "dmPolicy",
            "tokenfile ",
            "dir",
            "DIR",
            "tokendir",
            "a.b.url",
        ]
        .iter()
        .map(|k| k.to_string())
        .collect();
        // Every word with every casing and neighbour.
        let endings = NOT_SECRET_ENDINGS.map(|w| std::str::from_utf8(w).unwrap());
        for word in secret_words().chain(endings) {
            for key in [
                word.to_string(),
                word.to_ascii_uppercase(),
                format!("my{}", word.to_ascii_uppercase()),
                format!("x_{word}_y"),
                format!("{}Path", &word[1..]),
                format!("{word}{word}"),
                word[..word.len() - 1].to_string(),
            ] {
                keys.push(key);
            }
        }
        assert_eq!(secret_words().count(), 12);
        for key in &keys {
            assert_eq!(is_secret_key(key), secret(key), "{key:?}");
            let last = last_word(key).map(|(s, e)| &key[s..e]);
            assert_eq!(last, words(key).last().map(String::as_str), "{key:?}");
        }
    }

    #[test]
    fn only_shown_spans_and_whitespace_survive_masking() {
        let text = "a=sécret; b\n";
        let shown = masked(text, &[Span::new(0, 2)]);
        assert_eq!(shown, "a=******** *\n");
        assert_eq!(shown.len(), text.len());
        // Spans past the end are clipped, not a panic; a span cutting a character masks it.
        assert_eq!(masked("ab", &[Span::new(1, 9), Span::new(5, 7)]), "*b");
        assert_eq!(masked("é", &[Span::new(0, 1)]), "**");
    }

    #[test]
    fn a_value_is_shown_only_under_a_known_key_with_its_shape() {
        let hidden = |key: &str, value: &str| !hidden_parts(Some(key), value).is_empty();
        assert!(!hidden("port", "18789") && !hidden("OPENCLAW_GATEWAY_PORT", "18789"));
        assert!(hidden(
            "OPENCLAW_GATEWAY_PORT",
            "19789OPENCLAW_GATEWAY_TOKEN=abc"
        ));
        assert!(!hidden("DB_HOST", "db.internal") && hidden("DB_HOST", "postgres://a:pw@db"));
        assert!(!hidden("tokenFile", "~/tokens/t.txt") && !hidden("$include", "./a.json5"));
        assert!(!hidden("mode", "token") && !hidden("name", "ops"));
        // OpenClaw's switches show a switch's value; anything else, or a secret's name, never.
        assert!(!hidden("OPENCLAW_NO_RESPAWN", "1") && !hidden("OPENCLAW_SKIP_CHANNELS", "true"));
        assert!(hidden(
            "OPENCLAW_NO_RESPAWN",
            "sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA"
        ));
        assert!(hidden("OPENCLAW_ALLOW_TOKEN", "1") && hidden("NO_RESPAWN", "1"));
        for key in [
            "encryptKey",
            "aesKey",
            "accessKey",
            "pwd",
            "pass",
            "key",
            "args",
            "DATABASE_LINK",
            "botToken",
            "x-api-key",
            "Authorization",
            "SetCredential",
        ] {
            assert!(hidden(key, "hunter2"), "{key}");
        }
        // References say where a secret lives, not what it is.
        assert!(!hidden("botToken", "${TELEGRAM_BOT_TOKEN}") && !hidden("x", "$SLACK"));
        // An empty default adds nothing (a published compose stack's `${ADMIN_TOKEN:-}`).
        assert!(!hidden("TELEGRAM_BOT_TOKEN", "${ADMIN_TELEGRAM_TOKEN:-}"));
        assert!(!hidden("TELEGRAM_BOT_TOKEN", "${ADMIN_TELEGRAM_TOKEN-}"));
        assert!(hidden("TELEGRAM_BOT_TOKEN", "${ADMIN_TELEGRAM_TOKEN:-abc}"));
        // A required variable's message is words, not a secret; a token pasted there is.
        assert!(!hidden(
            "TELEGRAM_BOT_TOKEN",
            "${BETA_TOKEN:?BETA_TOKEN is required}"
        ));
        assert!(!hidden("TELEGRAM_BOT_TOKEN", "${BETA_TOKEN?}"));
        assert!(hidden(
            "T",
            "${BETA_TOKEN:?123456789:AAHFakeFakeFakeFakeFake0000}"
        ));
        assert!(hidden("name", "Bearer abc"));
        // Compose-style references with defaults are judged as the default would be.
        assert!(!hidden("host", "${OPENCLAW_GATEWAY_PORT:-18789}:18789"));
        assert!(hidden("host", "${X:-postgres://a:pw@db}"));
        assert!(shows_number(Some("port")) && !shows_number(Some("pin")));
    }

    #[test]
    fn urls_show_only_scheme_host_and_port() {
        assert_eq!(
            redact_url("http://user:pass@host:9222/json?token=abc#frag"),
            "http://***@host:9222/***"
        );
        assert_eq!(
            redact_url("https://h.example/bot700:abc/update"),
            "https://h.example/***"
        );
        assert_eq!(redact_url("wss://h?token=abc"), "wss://h***");
        assert_eq!(redact_url("ws://127.0.0.1:18800"), "ws://127.0.0.1:18800");
        assert_eq!(redact_url("ws://127.0.0.1:18800/"), "ws://127.0.0.1:18800/");
        assert_eq!(redact_url("not a url"), "***");
        // The owned form's shortcut agrees with the whole judgement.
        for url in [
            "http://127.0.0.1:18800",
            "https://10.0.0.7:9222",
            "ws://127.0.0.1:18800/",
            "http://127.0.0.1:18800?t=1",
            "http://1:2@127.0.0.1:9",
            "http://localhost:18800",
            "http://",
            "://127.0.0.1:9",
            "h t://127.0.0.1:9",
            "127.0.0.1:9",
            "http://1234567890123456789:0",
        ] {
            assert_eq!(redacted_url(url.to_string()), redact_url(url), "{url}");
        }
        assert_eq!(
            shown(Kind::Port, "19789X_TOKEN=abc"),
            "<16 characters, not shown>"
        );
        assert_eq!(shown(Kind::Port, "19789"), "19789");
    }

    #[test]
    fn fingerprints_are_keyed_and_stable_within_a_run() {
        assert_eq!(fingerprint("abc").len(), 16);
        assert_eq!(fingerprint("abc"), fingerprint("abc"));
        assert_ne!(fingerprint("abc"), fingerprint("abd"));
        // Not the unsalted SHA-256 (hunter2 was f52fbd32...), and the key matters.
        assert!(!fingerprint("hunter2").starts_with("f52fbd32"));
        assert_ne!(
            fingerprint_with_key("a", "hunter2"),
            fingerprint_with_key("b", "hunter2")
        );
        assert_eq!(
            fingerprint_with_key("a", "hunter2"),
            fingerprint_with_key("a", "hunter2")
        );
        assert_ne!(random_key(), random_key());
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2 uses a 4-byte key ("Jefe"), zero-padded like ours to 32 bytes:
        // HMAC pads every key shorter than the block with zeros, so the result is the same.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let mac = hmac_sha256(&key, b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn sarif_identities_ignore_fingerprints() {
        assert_eq!(
            without_fingerprints("same token (bot 1:…, fingerprint 1a2b3c4d) and fingerprint ff"),
            "same token (bot 1:…, fingerprint ) and fingerprint "
        );
    }

    #[test]
    fn only_the_public_half_of_a_secret_is_shown() {
        assert_eq!(telegram_bot_id("123456:ABC"), Some("123456".into()));
        assert_eq!(telegram_bot_id("abc:def"), None);
        let known = SecretIdentity::Known {
            fingerprint: fingerprint("123456:ABC"),
            hint: telegram_bot_id("123456:ABC"),
        };
        let shown = known.shown();
        assert!(shown.starts_with("bot 123456:…, fingerprint "), "{shown}");
        assert!(!shown.contains("ABC"), "{shown}");
        let reference = SecretIdentity::Unresolved {
            reference: "exec:vault:tg".into(),
            reason: "run time".into(),
            host_wide: true,
        };
        assert_eq!(reference.shown(), "unresolved exec:vault:tg");
    }

    /// The pass that looks for a long run first finds a token-like word exactly where
    /// splitting the value into words and testing each did: words at either end, split by
    /// punctuation, spaces and longer characters, one short of the length, letters or digits
    /// only.
    #[test]
    fn token_like_words_are_found_as_by_splitting_into_words() {
        let by_words = |value: &str| {
            value
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .any(|w| {
                    w.len() >= 16
                        && w.bytes().any(|b| b.is_ascii_digit())
                        && w.bytes().any(|b| b.is_ascii_alphabetic())
                })
        };
        let words = [
            "",
            "a",
            "abcdefghijklmno1",
            "abcdefghijklmn1",
            "1234567890123456",
            "abcdefghijklmnop",
            "_______________1a",
            "a1______________",
            "sk_live_51Hx9",
            "é",
            "ab€cd",
            "ghcr.io/openclaw/openclaw:latest",
            "0123456789abcdef0",
        ];
        let seps = ["", " ", "-", "é", "/", "€", ":"];
        let mut checked = 0;
        for a in words {
            for sep in seps {
                for b in words {
                    let value = format!("{a}{sep}{b}");
                    assert_eq!(has_token_like_word(&value), by_words(&value), "{value:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, words.len() * seps.len() * words.len());
        assert!(has_token_like_word("token=abcdefghijklmno1;"));
        assert!(!has_token_like_word("abcdefgh-ijklmno1"));
    }
}
