//! The one XML escaper: JUnit output and the ports picture (SVG) write every piece of text
//! they did not write themselves through it. (SARIF is JSON: its only escaping is the
//! message-link escaping in `sarif.rs`.)
//!
//! Three contexts, one policy on what XML 1.0 can hold: markup characters become entity
//! references, and characters outside XML's `Char` production (most C0 controls, U+FFFE,
//! U+FFFF) become U+FFFD, since no reference can carry them either.

/// Where escaped text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Character data whose line breaks matter (a CI log): `\n` and `\t` kept, `\r` as a
    /// reference so that parsers do not fold it; quotes need no escape.
    Text,
    /// An attribute value: quotes escaped, and whitespace other than spaces written as
    /// references, as attribute-value normalisation would turn it into spaces.
    Attribute,
    /// A one-line label in a picture, safe in text and in attributes alike: quotes escaped,
    /// every control character (line breaks included) and bidirectional control a space.
    Label,
}

/// Escapes character data: `&`, `<` and `>`; `\r` as `&#13;`; `\n` and `\t` kept.
pub fn text(raw: &str) -> String {
    escaped(raw, Context::Text)
}

/// Escapes an attribute value: markup, both quotes, and `\r`, `\n`, `\t` as references.
pub fn attribute(raw: &str) -> String {
    escaped(raw, Context::Attribute)
}

/// Escapes a one-line label (an SVG `<text>` or `<title>`): markup and quotes escaped,
/// control characters turned into spaces.
pub fn label(raw: &str) -> String {
    escaped(raw, Context::Label)
}

/// Writes `raw` escaped as [`text`] escapes it.
pub fn push_text(buf: &mut Vec<u8>, raw: &str) {
    escape(buf, raw, Context::Text);
}

/// Writes `raw` escaped as [`attribute`] escapes it.
pub fn push_attribute(buf: &mut Vec<u8>, raw: &str) {
    escape(buf, raw, Context::Attribute);
}

fn escaped(raw: &str, context: Context) -> String {
    let mut buf = Vec::with_capacity(raw.len());
    escape(&mut buf, raw, context);
    String::from_utf8(buf).expect("characters in, characters out")
}

use super::visible::reorders;

/// Writes `raw` escaped for `context`; runs of characters that need nothing are copied at once.
fn escape(buf: &mut Vec<u8>, raw: &str, context: Context) {
    let quotes = context != Context::Text;
    let mut clean_from = 0;
    for (i, c) in raw.char_indices() {
        let mut one = [0u8; 4];
        let escaped: &[u8] = match c {
            '&' => b"&amp;",
            '<' => b"&lt;",
            '>' => b"&gt;",
            '"' if quotes => b"&quot;",
            '\'' if quotes => b"&apos;",
            c if context == Context::Label && (c.is_control() || reorders(c)) => b" ",
            '\r' => b"&#13;",
            '\n' if context == Context::Attribute => b"&#10;",
            '\t' if context == Context::Attribute => b"&#9;",
            '\n' | '\t' => continue,
            c if is_xml_char(c) => continue,
            _ => '\u{FFFD}'.encode_utf8(&mut one).as_bytes(),
        };
        buf.extend_from_slice(&raw.as_bytes()[clean_from..i]);
        buf.extend_from_slice(escaped);
        clean_from = i + c.len_utf8();
    }
    buf.extend_from_slice(&raw.as_bytes()[clean_from..]);
}

/// XML 1.0's `Char` production (Rust `char`s are never surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_control_characters() {
        assert_eq!(
            attribute("a&b<c>\"d'\ne\tf\u{1}g\u{FFFE}"),
            "a&amp;b&lt;c&gt;&quot;d&apos;&#10;e&#9;f\u{FFFD}g\u{FFFD}"
        );
        assert_eq!(text("x\n\"y'\r\u{0}&"), "x\n\"y'&#13;\u{FFFD}&amp;");
    }

    #[test]
    fn labels_are_one_line_and_safe_in_attributes() {
        assert_eq!(
            label("a&b<c>\"d'\ne\tf\r\u{1}\u{7F}\u{85}g"),
            "a&amp;b&lt;c&gt;&quot;d&apos; e f    g"
        );
        assert_eq!(label("π \u{1F980} \u{FFFE}"), "π \u{1F980} \u{FFFD}");
    }

    #[test]
    fn every_output_is_well_formed_xml() {
        let nasty: String = (0u32..0x200)
            .chain([0xD7FF, 0xE000, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF])
            .filter_map(char::from_u32)
            .collect();
        let (content, attr, lbl) = (text(&nasty), attribute(&nasty), label(&nasty));
        for escaped in [&content, &attr, &lbl] {
            assert!(escaped.chars().all(is_xml_char), "{escaped:?}");
        }
        let doc = format!("<a b=\"{attr}\" c='{lbl}'>{content}<t>{lbl}</t></a>");
        let mut reader = quick_xml::Reader::from_str(&doc);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(e)) => {
                    for a in e.attributes() {
                        a.unwrap();
                    }
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}: {doc:?}"),
            }
        }
    }
}
