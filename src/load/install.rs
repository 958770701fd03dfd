//! Installed OpenClaw packages: which release an installation is, from the `version` of its
//! `package.json`, or from a versioned install path (`.pnpm/openclaw@2026.3.1/…`,
//! `/opt/openclaw-2026.3.1/…`). This only reads; what the release means is the validator's.

use super::read::{read_text, SMALL_FILE_LIMIT};
use crate::source::{Loc, SourceMap};
use crate::validate::releases::is_release;
use std::path::{Path, PathBuf};

/// The package names OpenClaw was published under.
const PACKAGE_NAMES: [&str; 3] = ["openclaw", "clawdbot", "moltbot"];

/// Global install prefixes under a home, where `npm i -g openclaw` (with the prefix the
/// OpenClaw docs and installers set), pnpm, bun, volta and Windows npm put the package.
const HOME_PACKAGE_DIRS: [&str; 7] = [
    ".npm-global/lib/node_modules/openclaw",
    ".local/lib/node_modules/openclaw",
    ".local/share/pnpm/global/5/node_modules/openclaw",
    "Library/pnpm/global/5/node_modules/openclaw",
    ".bun/install/global/node_modules/openclaw",
    "AppData/Roaming/npm/node_modules/openclaw",
    ".volta/tools/image/packages/openclaw/lib/node_modules/openclaw",
];

/// A release an installation shows, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    pub release: String,
    /// "the version in …/package.json", "the versioned path …".
    pub what: String,
    /// The `version` value in the package.json, when it came from one.
    pub loc: Option<Loc>,
}

/// The release a versioned install path names: `openclaw@2026.3.1` (a pnpm store or an npx
/// cache), `openclaw-2026.3.1` or `openclaw/2026.3.1` (an unpacked release). Other version
/// numbers in a path (node's `v22.1.0`) are not OpenClaw's.
pub fn release_in_path(path: &str) -> Option<String> {
    let lower = path.replace('\\', "/");
    for name in PACKAGE_NAMES {
        for sep in ["@", "-", "/"] {
            let marker = format!("{name}{sep}");
            let mut rest = lower.as_str();
            while let Some(at) = rest.find(&marker) {
                let before = rest[..at].chars().next_back();
                let after = &rest[at + marker.len()..];
                rest = after;
                if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    continue;
                }
                let word: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                    .collect();
                let word = word.trim_start_matches('v');
                // `openclaw@2026.3.1_peer` (pnpm) or `openclaw-2026.3.1.tgz`: the release part.
                let core: String = word.split('_').next().unwrap_or("").into();
                let core = core.strip_suffix(".tgz").unwrap_or(&core);
                if is_release(core) {
                    return Some(core.to_string());
                }
            }
        }
    }
    None
}

/// The directories that may hold the package a program path belongs to: the program's own
/// ancestors (`…/node_modules/openclaw/dist/index.js`), and for a bin shim the package under
/// its prefix (`<prefix>/bin/openclaw` → `<prefix>/lib/node_modules/openclaw`, Windows
/// `%APPDATA%\npm\openclaw.cmd` → `…\npm\node_modules\openclaw`). A shim that is a relative
/// symlink is followed once.
pub fn package_dirs(program: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut starts = vec![program.to_path_buf()];
    if let Ok(target) = crate::paths::host::read_link(program) {
        if target.is_relative() {
            if let Some(parent) = program.parent() {
                starts.push(parent.join(target));
            }
        }
    }
    for start in &starts {
        let mut dir = start.parent();
        for _ in 0..4 {
            let Some(d) = dir else { break };
            out.push(d.to_path_buf());
            dir = d.parent();
        }
    }
    if let Some(bin) = program.parent() {
        if let Some(prefix) = bin.parent() {
            out.push(prefix.join("lib/node_modules/openclaw"));
        }
        out.push(bin.join("node_modules/openclaw"));
    }
    out
}

/// The package directories of global installs under a home (`~/.npm-global`, pnpm, bun,
/// volta, Windows npm, and each nvm node version).
pub fn home_package_dirs(home: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = HOME_PACKAGE_DIRS.iter().map(|d| home.join(d)).collect();
    if let Ok(entries) = crate::paths::host::read_dir(&home.join(".nvm/versions/node")) {
        let mut versions: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path().join("lib/node_modules/openclaw"))
            .collect();
        versions.sort();
        out.extend(versions);
    }
    out
}

/// The release of the OpenClaw package in `dir`: the `version` of its `package.json` when the
/// package is OpenClaw's (`name` openclaw, clawdbot or moltbot). The file joins `sources`, with
/// its name and version shown.
pub fn package_release(dir: &Path, sources: &mut SourceMap) -> Option<Installed> {
    let path = dir.join("package.json");
    if !crate::paths::host::is_file(&path) {
        return None;
    }
    let text = read_text(&path, SMALL_FILE_LIMIT).ok()?;
    let doc = super::json5::parse(&text).ok()?;
    let name_member = doc.root.member("name")?;
    let name = &name_member.value;
    if !name
        .as_str()
        .is_some_and(|n| PACKAGE_NAMES.contains(&n.trim_start_matches("@openclaw/")))
    {
        return None;
    }
    let version_member = doc.root.member("version")?;
    let version = &version_member.value;
    let release = version.as_str()?.trim().to_string();
    if !is_release(&release) {
        return None;
    }
    let version_span = version.span;
    let shown = [
        name_member.key_span,
        name.span,
        version_member.key_span,
        version_span,
    ];
    let file = sources.add(&path, text, None);
    sources.show(file, shown);
    Some(Installed {
        release,
        what: "the version of the installed OpenClaw package".to_string(),
        loc: Some(Loc {
            file,
            span: version_span,
        }),
    })
}

/// The release of the OpenClaw a program path runs: its versioned path, else the package.json
/// of the installation it lies in.
pub fn program_release(
    written: &str,
    program: &Path,
    sources: &mut SourceMap,
) -> Option<Installed> {
    if let Some(release) = release_in_path(written) {
        return Some(Installed {
            release,
            what: "the versioned path of the OpenClaw it runs".to_string(),
            loc: None,
        });
    }
    package_dirs(program)
        .iter()
        .find_map(|d| package_release(d, sources))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_paths() {
        for (path, want) in [
            (
                "/home/u/.local/share/pnpm/global/5/.pnpm/openclaw@2026.3.1/node_modules/openclaw/dist/index.js",
                Some("2026.3.1"),
            ),
            ("/opt/openclaw-2026.2.26/openclaw.mjs", Some("2026.2.26")),
            ("/opt/openclaw/2026.5.28/bin/openclaw", Some("2026.5.28")),
            (
                "/root/.npm/_npx/x/node_modules/.pnpm/openclaw@2026.4.29_ws@8/node_modules/openclaw/openclaw.mjs",
                Some("2026.4.29"),
            ),
            (
                "/home/u/.nvm/versions/node/v22.1.0/lib/node_modules/openclaw/dist/index.js",
                None,
            ),
            ("/usr/lib/node_modules/openclaw/dist/index.js", None),
            ("/opt/myopenclaw-2026.3.1/x", None),
        ] {
            assert_eq!(release_in_path(path).as_deref(), want, "{path}");
        }
    }
}
