//! CL108's fix on a quadlet the package manager owns ([`crate::container::Packaged`]): the
//! packaged file is left as the package installed it, and a new drop-in under
//! `/etc/containers/systemd/<unit>.d/` replaces the container's `PublishPort=` list, the
//! way podman-systemd.unit(5) says drop-ins alter a unit "without having to modify unit
//! files". Podman's `LookupAll` drops the values before an empty `PublishPort=`, so the
//! drop-in empties the list and writes it again, the moved entry on its new host port.
//!
//! Drop-ins are merged in file-name order, so the drop-in is named to sort after every drop-in
//! of the unit ([`Packaged::drop_in_name`]): the list it writes again is the one in effect, and
//! no drop-in adds values after it.

use super::Edit;
use crate::container::{Container, Packaged};
use crate::load::json5::Span;
use crate::source::{Loc, SourceMap};

/// The edit that publishes `container`'s entry `entry` on host port `to` in a new drop-in,
/// and where, in words, when `entry` lies in the package's tree; `None` when it does not (an
/// administrator's file is edited where it is). `digits`: where the host port is written in
/// the entry; `place`: that place in words (`"18789", the host side of ...`).
pub fn edit(
    container: &Container,
    sources: &SourceMap,
    entry: Loc,
    digits: Span,
    to: u16,
    place: &str,
) -> Option<Result<(Edit, String), String>> {
    let packaged = container.packaged.as_deref()?;
    let entry_path = &sources.file(entry.file).path;
    if !entry_path.starts_with(&packaged.tree) {
        return None;
    }
    let made = drop_in(container, packaged, sources, entry, digits, to);
    Some(made.map(|(file, text)| {
        let words = format!(
            "{place}, a file the package manager owns, which an update would put back: in a new drop-in {} that empties PublishPort= and publishes every port again",
            crate::paths::display_path(&sources.file(file).path),
        );
        let edit = Edit {
            file,
            span: Span::new(0, 0),
            replacement: text,
        };
        (edit, words)
    }))
}

/// The drop-in to create and its text, or why there is none.
fn drop_in(
    container: &Container,
    packaged: &Packaged,
    sources: &SourceMap,
    entry: Loc,
    digits: Span,
    to: u16,
) -> Result<(crate::source::FileId, String), String> {
    let Some(file) = packaged.drop_in else {
        return Err(format!(
            "the package manager's file is not edited, and a file is already at {}, where the drop-in would be written",
            crate::paths::display_path(&packaged.drop_in_path)
        ));
    };
    let inside = entry.span.start() <= digits.start() && digits.end() <= entry.span.end();
    if !inside {
        return Err("clawlint cannot find the host port in the entry".into());
    }
    let mut text = String::from(
        "# Written by `clawlint check --fix --unsafe-fixes`: the packaged quadlet is left as\n\
         # its package installed it. An empty PublishPort= drops the ports before it; the\n\
         # ports are then published again, one of them on another host port.\n\
         [Container]\n\
         PublishPort=\n",
    );
    let mut last = None;
    for p in &container.published {
        // A range's ports share their line.
        if last == Some(p.loc) {
            continue;
        }
        last = Some(p.loc);
        let source = sources.file(p.loc.file);
        let value = &source.text[p.loc.span.range()];
        if source.hides(p.loc.span) {
            return Err("the package manager's file is not edited, and the drop-in would copy a value clawlint does not show".into());
        }
        if value.contains(['\n', '\\']) {
            return Err(
                "the package manager's file is not edited, and a PublishPort= value the drop-in would write again spans several lines or has escapes".into(),
            );
        }
        text.push_str("PublishPort=");
        if p.loc == entry {
            let at = digits.start() - entry.span.start();
            text.push_str(&value[..at]);
            text.push_str(&to.to_string());
            text.push_str(&value[at + digits.end() - digits.start()..]);
        } else {
            text.push_str(value);
        }
        text.push('\n');
    }
    Ok((file, text))
}
