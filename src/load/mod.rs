//! Loading: JSON5 with spans, `$include`, `.env` files, the config `env` block and `${VAR}`
//! substitution. A loader records what it found, including problems; it never judges.

pub mod cache;
pub mod dotenv;
pub mod env;
pub mod fleet;
pub mod include;
pub mod install;
pub mod json5;
pub mod keys;
pub mod layout;
pub mod listing;
pub mod read;
pub mod tree;
pub mod tree_str;
pub mod yaml;
mod yaml_lines;

use crate::source::{FileId, Loc, SourceMap};
use std::path::Path;

/// What kind of trouble a loader met. Rules decide what each means for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    Unparsable,
    Unreadable,
    /// A file that a command line or setting names does not exist (a compose `-f` file, an
    /// `--env-file`, a service's `env_file:`): what names it stops there.
    Missing,
    /// Over clawlint's size limit for this kind of file.
    TooLarge,
    /// A FIFO, socket, device or directory where a file was expected: never opened.
    NotRegularFile,
    /// Outside the scanned layout: not opened unless allowed with `--allow-outside`.
    OutsideLayout,
    /// A budget on expansion (`${VAR}`, `$include`) was hit: the rest was not expanded.
    Budget,
    /// More of something than clawlint takes (gateway profile dirs in one home): the rest
    /// was left out.
    TooMany,
    /// A directory listing met its entry budget (the quadlet, compose and systemd manager
    /// drop-in searches): the entries past it were not looked at.
    TooManyEntries,
    Include,
    IncludeCycle,
    IncludeEscape,
    MissingEnvVar,
    /// Not UTF-8: OpenClaw reads it with the bad bytes replaced.
    NotUtf8,
    InvalidValue,
    /// OpenClaw refuses this: the gateway does not start.
    Refused,
    /// A path a script computes in a way clawlint does not evaluate (a command substitution
    /// other than the usual idioms, a variable nobody sets): what it names was not read.
    Unresolved,
}

impl ProblemKind {
    /// The kind of a file that could not be read, by why.
    pub fn of_read_error(err: &read::ReadError) -> ProblemKind {
        match err {
            read::ReadError::TooLarge { .. } => ProblemKind::TooLarge,
            read::ReadError::NotRegular { .. } => ProblemKind::NotRegularFile,
            read::ReadError::OutsideLayout { .. } => ProblemKind::OutsideLayout,
            _ => ProblemKind::Unreadable,
        }
    }

    /// The gateway does not start with this problem: OpenClaw refuses the config (or the
    /// process crashes) before it binds anything.
    pub fn stops_gateway(self) -> bool {
        matches!(
            self,
            ProblemKind::Refused
                | ProblemKind::Unparsable
                | ProblemKind::Include
                | ProblemKind::IncludeCycle
                | ProblemKind::IncludeEscape
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
    /// Where it is; `None` for an input that has no file (a given environment variable).
    pub loc: Option<Loc>,
}

impl Problem {
    /// CL907 at the directory where a bounded listing stopped: the directory is registered (with no
    /// text) so the finding has a file to point at; `message` says which search and what is not read.
    pub fn listing_stopped(dir: &Path, message: String, sources: &mut SourceMap) -> Problem {
        let file = sources.add(dir, String::new(), None);
        Problem {
            kind: ProblemKind::TooManyEntries,
            message,
            loc: Some(tree::file_start(file)),
        }
    }
}

/// Parses a config file's text: `JSON.parse` first, then json5, as OpenClaw does. Our JSON5
/// parser accepts every JSON document, so one parse serves both; it also tells whether the text
/// is plain JSON, recorded on the file ([`crate::source::SourceFile::plain_json`]).
pub fn parse_config(
    sources: &mut SourceMap,
    path: &Path,
    text: String,
    included_from: Option<Loc>,
) -> ParsedConfig {
    parse_config_added(sources, path, text, included_from).1
}

/// A parsed tree's values and key/string bytes, and whether it has an `$include` key
/// ([`include::size_and_include`]).
type TreeSize = ((usize, usize), bool);

/// A config's tree, or why it did not parse.
type ParsedConfig = Result<tree::Node, Problem>;

/// [`parse_config`], with the file's id and whether the source map took this text
/// ([`SourceMap::add_kept`]), and the tree's size when it parsed.
fn parse_config_added(
    sources: &mut SourceMap,
    path: &Path,
    text: String,
    included_from: Option<Loc>,
) -> ((FileId, bool), ParsedConfig, Option<TreeSize>) {
    // Parsed as the file the map is to add; a path it has already (read before with another
    // text, which is rare) keeps its first text, and this text is parsed again as that file.
    let parsed = parse_marked(&text, sources.next_id(), &text);
    let (file, kept, parsed) = match sources.add_unless_known(path, text, included_from) {
        Ok(file) => (file, true, parsed),
        Err((file, text)) => (
            file,
            false,
            parse_marked(&text, file, &sources.file(file).text),
        ),
    };
    let size = parsed.as_ref().ok().map(|marked| marked.size);
    ((file, kept), parsed_into(sources, file, parsed), size)
}

/// `text` parsed into the tree of `file`, with what [`Marks`] finds; the values' offsets
/// are checked against `shown_text`, the file's text in the source map.
fn parse_marked(
    text: &str,
    file: FileId,
    shown_text: &str,
) -> Result<MarkedDocument, json5::ParseError> {
    let mut marks = Marks {
        tree: tree::FileTree { file },
        text: shown_text,
        hidden: Vec::new(),
        members: Vec::with_capacity(members_at_most(text)),
        nodes: 0,
        bytes: 0,
        include: false,
        merged: false,
    };
    let doc = json5::parse_into(text, &mut marks)?;
    // Counted as read, unless an object kept one member of a repeated key: then the tree
    // holds less than was read, and it is counted as it is.
    let size = match marks.merged {
        false => ((marks.nodes, marks.bytes), marks.include),
        true => include::size_and_include(&doc.root),
    };
    Ok(MarkedDocument {
        doc,
        hidden: marks.hidden,
        members: marks.members,
        size,
    })
}

/// At most how many members `text` has, for its list of them ([`Marks`]) made once, not grown
/// by doubling: a member has a `:`. Held to [`MEMBERS_RESERVED`], so that a text of colons
/// does not reserve eight bytes for each.
fn members_at_most(text: &str) -> usize {
    memchr::memchr_iter(b':', text.as_bytes())
        .take(MEMBERS_RESERVED)
        .count()
}

/// The most members [`members_at_most`] reserves for: more than nearly every config has.
const MEMBERS_RESERVED: usize = 256;

/// A config's parse: its tree and comments, the spans of its values that may not be shown,
/// and of its members ([`Marks`]), and the tree's size.
struct MarkedDocument {
    doc: json5::Document<tree::Node>,
    hidden: Vec<json5::Span>,
    members: Vec<json5::Span>,
    size: TreeSize,
}

/// Builds a config's tree as it is parsed ([`tree::FileTree`]), noting on the way what of
/// the text may not be shown and where each member is, so that no pass over the tree follows.
///
/// Hidden: a key that looks like a secret or is too long to read (`redact::shows_key`); a
/// string unless its key says it is safe and it has that shape (only a URL's
/// scheme, host and port under a URL key), a number unless its key is a port, a count or a
/// name; booleans and `null` are shown, and array items are judged by the array's key.
/// Members: each from its key to the end of its value, with repeated keys (the tree keeps
/// one), for the suppressions that cover them.
///
/// Size: the values, key and string bytes, and whether a key is `$include`, counted as
/// [`include::size_and_include`] counts the tree, so that no walk of it follows.
struct Marks<'t> {
    tree: tree::FileTree,
    text: &'t str,
    hidden: Vec<json5::Span>,
    members: Vec<json5::Span>,
    nodes: usize,
    bytes: usize,
    include: bool,
    /// An object kept one member of a repeated key: the counts above are more than the tree.
    merged: bool,
}

impl json5::Build for Marks<'_> {
    type Node = tree::Node;
    type Member = tree::Member;

    fn scalar(
        &mut self,
        value: json5::Scalar<'_>,
        span: json5::Span,
        key: Option<&str>,
    ) -> tree::Node {
        self.nodes += 1;
        match &value {
            json5::Scalar::String(s) => {
                self.bytes += s.len();
                let inner = inner_span(span);
                // Offsets into the value hold in the file only when it has no escapes (the
                // parse borrowed it, or an escaped string reads as written); with escapes, any
                // part hidden hides the whole string.
                let as_written = matches!(s, std::borrow::Cow::Borrowed(_))
                    || self.text.get(inner.start()..inner.end()) == Some(&**s);
                let hidden = &mut self.hidden;
                let mut escaped_part = false;
                crate::redact::each_hidden_part(key, s, |start, end| match as_written {
                    true => {
                        hidden.push(json5::Span::new(inner.start() + start, inner.start() + end))
                    }
                    false => escaped_part = true,
                });
                if escaped_part {
                    self.hidden.push(inner);
                }
            }
            json5::Scalar::Number(_) if !crate::redact::shows_number(key) => self.hidden.push(span),
            _ => {}
        }
        self.tree.scalar(value, span, key)
    }

    fn array(&mut self, items: Vec<tree::Node>, span: json5::Span) -> tree::Node {
        self.nodes += 1;
        self.tree.array(items, span)
    }

    fn object(&mut self, members: Vec<tree::Member>, span: json5::Span) -> tree::Node {
        self.nodes += 1;
        let read = members.len();
        let node = self.tree.object(members, span);
        self.merged |= node.members().len() != read;
        node
    }

    fn member(
        &mut self,
        key: std::borrow::Cow<'_, str>,
        key_span: json5::Span,
        value: tree::Node,
    ) -> tree::Member {
        self.members
            .push(json5::Span::new(key_span.start(), value.loc.span.end()));
        // A key is shown, unless it looks like a secret or is too long to read.
        if !crate::redact::shows_key(&key) {
            self.hidden.push(key_span);
        }
        self.bytes += key.len();
        self.include |= key == "$include";
        self.tree.member(key, key_span, value)
    }
}

/// Marks what of `file` may be shown and its suppressions, from its parse.
fn parsed_into(
    sources: &mut SourceMap,
    file: FileId,
    parsed: Result<MarkedDocument, json5::ParseError>,
) -> ParsedConfig {
    match parsed {
        Ok(MarkedDocument {
            doc,
            mut hidden,
            members,
            ..
        }) => {
            // Shown: keys and punctuation, and the values known to be safe; masked: every
            // other value, and comments (free text) but clawlint's own directives.
            for comment in &doc.comments {
                let end = match comment.kind {
                    json5::CommentKind::Block => comment.span.end().saturating_sub(2),
                    json5::CommentKind::Line => comment.span.end(),
                };
                let body = json5::Span::new(comment.span.start() + 2, end);
                hidden.push(body);
            }
            sources.show_except(file, hidden);
            if doc.plain_json {
                sources.set_plain_json(file);
            }
            if holds_url_separator(&sources.file(file).text) {
                sources.set_holds_url(file);
            }
            // The text the comments were parsed from: `text` kept, or the map's own one.
            let text = &sources.file(file).text;
            let comments = doc.comments.iter().map(|c| (c.span, c.text(text)));
            let suppressions = crate::source::directive::from_comments(text, comments, &members);
            sources.set_suppressions(file, suppressions);
            Ok(doc.root)
        }
        Err(err) => {
            // Nothing parsed: keys and punctuation are shown as far as a scan can tell them,
            // and values only under keys known to be safe.
            let shown = crate::redact::scan::json5_unparsed(&sources.file(file).text);
            sources.show(file, shown);
            Err(unparsable(&err, file))
        }
    }
}

/// Whether `text` (a config's, as the source map holds it: what its tree's spans are in) has a
/// `://` anywhere: one scan, with a searcher made once per run.
fn holds_url_separator(text: &str) -> bool {
    static SEPARATOR: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = SEPARATOR.get_or_init(|| memchr::memmem::Finder::new("://"));
    finder.find(text.as_bytes()).is_some()
}

fn unparsable(err: &json5::ParseError, file: FileId) -> Problem {
    Problem {
        kind: ProblemKind::Unparsable,
        message: match err.message.starts_with("nesting deeper") {
            true => format!("{}: clawlint does not read past that depth", err.message),
            false => format!("invalid JSON5: {}", err.message),
        },
        loc: Some(Loc {
            file,
            span: err.span,
        }),
    }
}

/// The tree of a config [`parse_config`] parsed into the source map as `file`, parsed again
/// from that text (the cache did not keep it): the same tree, without marking the file again.
pub fn reparse_config(sources: &SourceMap, file: FileId) -> Result<tree::Node, Problem> {
    json5::parse_into(&sources.file(file).text, &mut tree::FileTree { file })
        .map(|doc| doc.root)
        .map_err(|err| unparsable(&err, file))
}

/// Reads and parses a config or include file, or takes what this run already parsed of the
/// same file (same path and identity): a file many gateways include is parsed once. A file
/// that cannot be read is not cached: the reader's answer is returned.
pub fn parse_cached(
    path: &Path,
    limit: u64,
    included_from: Option<Loc>,
    sources: &mut SourceMap,
    cache: &mut cache::FileCache,
) -> Result<cache::ParsedFile, read::ReadError> {
    // One look at the file serves the cache, the layout check and the reader's type check.
    // An included file this run already parsed (many gateways may include it) is looked at
    // without opening it, so that a cached one costs one `lstat`, not an `open`, `fstat` and
    // `close`; one seen for the first time cannot be cached (the cache is by path), so it is
    // opened at once, its handle's `fstat` the look.
    let probe = match included_from {
        Some(_) if cache.has_parsed(path) => read::probe_unopened(path),
        _ => read::probe(path),
    };
    let identity = probe
        .meta
        .as_ref()
        .ok()
        .and_then(|meta| cache::Identity::from_meta(path, meta))
        .filter(|id| id.size() <= limit);
    // Only a file that was read (inside the layout, within its limit) is ever cached.
    if let Some(hit) = identity.as_ref().and_then(|id| cache.parsed(id, sources)) {
        return Ok(hit);
    }
    let (text, bad_byte) = read::read_probed_text_lossy(&probe, limit)?;
    let text_len = text.len();
    // The source map keeps the first text of a path: this one, unless it had the path already.
    let ((file, text_kept), result, size) = parse_config_added(sources, path, text, included_from);
    let (size, has_include) = size.unwrap_or(((0, 0), false));
    let parsed = cache::ParsedFile {
        result,
        bad_byte,
        text_len,
        size,
        has_include,
    };
    if let Some(id) = identity {
        let own = (included_from.is_none() && text_kept).then_some(file);
        cache.keep_parsed(id, &parsed, own);
    }
    Ok(parsed)
}

/// A string value's span without its quotes.
fn inner_span(span: json5::Span) -> json5::Span {
    json5::Span::new(
        span.start() + 1,
        span.end().saturating_sub(1).max(span.start() + 1),
    )
}

/// The first byte that was not UTF-8, in a file read lossily (it is now U+FFFD).
pub fn not_utf8(sources: &SourceMap, path: &Path, offset: usize) -> Problem {
    Problem {
        kind: ProblemKind::NotUtf8,
        message: format!(
            "not valid UTF-8 (first bad byte at offset {offset}); OpenClaw reads it with the bad bytes replaced by U+FFFD"
        ),
        loc: sources.lookup(path).map(|file| Loc {
            file,
            span: json5::Span::new(offset, offset + '\u{FFFD}'.len_utf8()),
        }),
    }
}

/// Registers a file that could not be read, so the problem still has a place to point at.
pub fn unreadable(sources: &mut SourceMap, path: &Path, err: &read::ReadError) -> Problem {
    let file = sources.add(path, String::new(), None);
    // A missing file that is there to list is a link to nothing: say where it leads (a
    // link's target is text the layout wrote: shown when it looks like a path).
    let why = match (err, crate::paths::host::read_link(path)) {
        (read::ReadError::Missing, Ok(target)) => format!(
            "it is a symlink to {}, which does not exist",
            crate::redact::shown(
                crate::redact::Kind::Path,
                &crate::paths::display_path(&target)
            )
        ),
        _ => err.describe(),
    };
    Problem {
        kind: ProblemKind::of_read_error(err),
        message: format!("cannot read {}: {why}", crate::paths::display_path(path)),
        loc: Some(tree::file_start(file)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size [`Marks`] counts as the parse reads is what a walk of the tree it built
    /// counts ([`include::size_and_include`]), on random documents with repeated keys (the
    /// tree keeps one member of each: counted again), `$include`s, arrays and every kind of
    /// value.
    #[test]
    fn the_size_counted_in_the_parse_is_the_trees() {
        const PIECES: &[&str] = &[
            "a: 1, ",
            "b: 'xy', ",
            "a: [1, {a: 2, a: 'zzz'}], ",
            "c: {",
            "}, ",
            "$include: './x.json5', ",
            "d: {$include: ['a', 'b'], e: null}, ",
            "'f': true, ",
            "g: \"${A}\", ",
            "k1: [], ",
            "k2: [[], {}], ",
        ];
        let mut rng = crate::xorshift::Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5_000 {
            let len = rng.next() % 30;
            let body: String = (0..len).map(|_| rng.pick(PIECES)).collect();
            let text = format!("{{ {body} }}");
            if let Ok(marked) = parse_marked(&text, FileId(0), &text) {
                let walked = include::size_and_include(&marked.doc.root);
                assert_eq!(marked.size, walked, "{text:?}");
            }
        }
        // The tree keeps `a: 'long'` (the root and a string: key and text 5 bytes), not the
        // three values and 7 bytes read.
        let text = "{ a: 1, a: 'long' }";
        let marked = parse_marked(text, FileId(0), text).expect("parses");
        assert_eq!(marked.size, ((2, 5), false));
        let text = "{ b: { $include: 'x' } }";
        let marked = parse_marked(text, FileId(0), text).expect("parses");
        assert_eq!(marked.size, ((3, 10), true));
    }
}
