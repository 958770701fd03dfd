//! Secrets (SecretInput, openclaw-facts.md §3.5) reduced to an identity that can be compared
//! across gateways: a fingerprint of the value when clawlint can resolve it statically, the
//! reference tuple otherwise. The value itself is dropped as soon as it is hashed.

use super::model::{Origin, SecretIdentity};
use crate::load::env::Env;
use crate::load::read::{read_text, SMALL_FILE_LIMIT};
use crate::load::tree::Node;
use crate::paths::resolve_user_path;
use crate::redact::fingerprint;
use std::path::Path;

/// Where a secret resolution may look.
pub struct SecretContext<'a> {
    pub config: &'a Node,
    pub env: &'a Env,
    pub home: &'a Path,
    pub cwd: &'a Path,
    /// The gateway runs in a container: its absolute paths are the container's, not the
    /// host's (a compose secret under `/run/secrets` is each container's own).
    pub in_container: bool,
}

fn known(value: &str, hint: Option<String>) -> SecretIdentity {
    // A 1Password secret reference is no secret: `op run` or the 1Password plugin replaces it
    // when the gateway starts. Only the reference can be compared.
    let trimmed = value.trim_matches(crate::paths::is_js_whitespace);
    if trimmed.starts_with("op://") {
        return SecretIdentity::Unresolved {
            reference: trimmed.to_string(),
            reason: "a 1Password reference (op://…) that `op run` or the 1Password plugin resolves when the gateway starts".to_string(),
            host_wide: true,
        };
    }
    SecretIdentity::Known {
        fingerprint: fingerprint(value.trim_matches(crate::paths::is_js_whitespace)),
        hint,
    }
}

fn is_env_ref_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && b[0].is_ascii_uppercase()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

/// `"$NAME"` or an unsubstituted `"${NAME}"`: an env SecretRef shorthand.
fn env_shorthand(value: &str) -> Option<&str> {
    let name = value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .or_else(|| value.strip_prefix('$'))?;
    is_env_ref_name(name).then_some(name)
}

/// The identity and origin of a SecretInput value, or `None` for an empty one.
pub fn secret_from_node(
    node: &Node,
    ctx: &SecretContext,
    hint: fn(&str) -> Option<String>,
) -> Option<(SecretIdentity, Origin)> {
    if let Some(text) = node.as_str() {
        let text = text.trim_matches(crate::paths::is_js_whitespace);
        if text.is_empty() {
            return None;
        }
        if node.env_refs.is_empty() {
            if let Some(name) = env_shorthand(text) {
                return Some(from_env(name, ctx, hint, Origin::Config(node.loc)));
            }
        }
        let origin = match node.env_refs.first() {
            Some(var) => Origin::substituted(
                node.loc,
                var.clone(),
                ctx.env
                    .get(var)
                    .map(|v| v.origin.clone())
                    .expect("substituted from it"),
            ),
            None => Origin::Config(node.loc),
        };
        return Some((known(text, hint(text)), origin));
    }
    if node.is_object() {
        return Some((secret_ref(node, ctx, hint), Origin::Config(node.loc)));
    }
    None
}

/// An env variable holding a secret, as the gateway process would see it.
pub fn from_env(
    name: &str,
    ctx: &SecretContext,
    hint: fn(&str) -> Option<String>,
    reference: Origin,
) -> (SecretIdentity, Origin) {
    match ctx.env.get(name).filter(|v| {
        !v.value
            .trim_matches(crate::paths::is_js_whitespace)
            .is_empty()
    }) {
        Some(var) => {
            let origin = match reference.loc() {
                Some(loc) => Origin::substituted(loc, name.to_string(), var.origin.clone()),
                None => Origin::env(name.to_string(), var.origin.clone()),
            };
            (
                known(
                    &var.value,
                    hint(var.value.trim_matches(crate::paths::is_js_whitespace)),
                ),
                origin,
            )
        }
        None => (
            SecretIdentity::Unresolved {
                reference: format!("env:default:{name}"),
                reason: format!("${name} is not set for this gateway (not in its environment, its .env files or env.vars)"),
                host_wide: false,
            },
            reference,
        ),
    }
}

/// `{source, provider, id}`: env and file providers are resolved; exec and store are not.
fn secret_ref(
    node: &Node,
    ctx: &SecretContext,
    hint: fn(&str) -> Option<String>,
) -> SecretIdentity {
    let field = |k: &str| node.get(k).and_then(Node::as_str).unwrap_or("").to_string();
    let (source, id) = (field("source"), field("id"));
    let provider = node
        .get("provider")
        .and_then(Node::as_str)
        .map(str::to_string)
        .or_else(|| {
            let path = ["secrets", "defaults", source.as_str()];
            Some(ctx.config.at(&path)?.as_str()?.to_string())
        })
        .unwrap_or_else(|| "default".to_string());
    let provider_def = ctx.config.at(&["secrets", "providers", provider.as_str()]);
    let reference = format!("{source}:{provider}:{id}");
    // A file or command the host's provider names is one secret wherever it is used; an env
    // variable is each gateway's own.
    // (A command given the gateway's own variables, `passEnv`, may print each another.)
    let passes_env = provider_def.is_some_and(|d| d.get("passEnv").is_some());
    let host_wide = provider_def.is_some() && source != "env" && !ctx.in_container && !passes_env;
    let unresolved = |reason: String| SecretIdentity::Unresolved {
        reference: match provider_def {
            Some(def) => format!("{reference} ({})", describe_provider(def)),
            None => reference.clone(),
        },
        reason,
        host_wide,
    };
    match source.as_str() {
        "env" => match ctx.env.get(&id).filter(|v| {
            !v.value
                .trim_matches(crate::paths::is_js_whitespace)
                .is_empty()
        }) {
            Some(var) => known(
                &var.value,
                hint(var.value.trim_matches(crate::paths::is_js_whitespace)),
            ),
            None => unresolved(format!(
                "${id} is not set for this gateway (not in its environment, its .env files or env.vars)"
            )),
        },
        "file" => match provider_def.map(|d| file_secret(d, &id, ctx)) {
            Some(Ok(value)) => known(
                &value,
                hint(value.trim_matches(crate::paths::is_js_whitespace)),
            ),
            Some(Err(why)) => unresolved(format!("the secret file {why}")),
            None => unresolved(format!("no secrets.providers.{provider} defines its file")),
        },
        other => unresolved(format!("an `{other}` secret is only known at run time")),
    }
}

/// A provider as references show it: its source and file or command, and for a command
/// given arguments or variables (which may hold secrets) a fingerprint of them, so that two
/// providers running one command differently are two references.
fn describe_provider(def: &Node) -> String {
    let field = |k: &str| def.get(k).and_then(Node::as_str);
    let shown = match (field("source"), field("path"), field("command")) {
        (Some(s), Some(p), _) => format!("{s} {p}"),
        (Some(s), _, Some(c)) => format!("{s} {c}"),
        (Some(s), _, _) => s.to_string(),
        _ => "provider".to_string(),
    };
    let mut given = String::new();
    for key in ["args", "env", "passEnv"] {
        if let Some(value) = def.get(key) {
            given.push_str(key);
            canonical_text(value, &mut given);
        }
    }
    match given.is_empty() {
        true => shown,
        false => format!(
            "{shown}, args/env fingerprint {}",
            &fingerprint(&given)[..8]
        ),
    }
}

/// A value written out whole, object keys in order, so that equal values give equal text.
fn canonical_text(node: &Node, out: &mut String) {
    use crate::load::tree::Value;
    match &node.value {
        Value::Null => out.push('n'),
        Value::Bool(b) => out.push_str(if *b { "t" } else { "f" }),
        Value::Number(n) => out.push_str(&format!("#{n}")),
        Value::String(s) => out.push_str(&format!("{:?}", &**s)),
        Value::Array(items) => {
            out.push('[');
            for item in items.iter() {
                canonical_text(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<_> = members.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            out.push('{');
            for m in sorted {
                out.push_str(&format!("{:?}:", &*m.key));
                canonical_text(&m.value, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

/// A file provider's value: the whole file in `singleValue` mode, or a JSON pointer; else
/// why not, as a phrase after "the secret file".
fn file_secret(def: &Node, id: &str, ctx: &SecretContext) -> Result<String, String> {
    let raw = (def.get("path").and_then(Node::as_str)).ok_or("has no path")?;
    let path = host_path(raw, ctx);
    let text = read_text(&path, SMALL_FILE_LIMIT).map_err(|e| unread(&path, &e))?;
    if def.get("mode").and_then(Node::as_str) == Some("singleValue") {
        return Ok(text
            .trim_matches(crate::paths::is_js_whitespace)
            .to_string());
    }
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| "is not JSON".to_string())?;
    let value = json.pointer(id).and_then(|v| v.as_str());
    value
        .map(str::to_string)
        .ok_or_else(|| "has no string at that id".to_string())
}

/// Where a path a gateway reads (`~`, relative to its directory, absolute) lies on the
/// scanned layout: a native gateway's absolute path under a copied `--root` is the root's.
fn host_path(raw: &str, ctx: &SecretContext) -> std::path::PathBuf {
    let path = resolve_user_path(raw, ctx.home, ctx.cwd);
    match ctx.in_container {
        true => path,
        false => crate::paths::in_copied_root(&path).unwrap_or(path),
    }
}

/// Why a secret file was not read, as a phrase after "the secret file" / "the token file".
fn unread(path: &Path, err: &crate::load::read::ReadError) -> String {
    use crate::load::read::ReadError;
    let at = crate::paths::display_path(path);
    let outside = crate::load::layout::names_outside(path);
    match err {
        ReadError::Missing if !outside => format!("{at} does not exist in the scanned layout"),
        ReadError::Missing | ReadError::OutsideLayout { .. } => format!(
            "{at} is outside the scanned homes and --root: clawlint does not read it (give --root, or --allow-outside)"
        ),
        other => format!("{at} cannot be read: {}", other.describe()),
    }
}

/// A `tokenFile`: its trimmed content (OpenClaw refuses symlinks here).
pub fn token_file(
    node: &Node,
    ctx: &SecretContext,
    hint: fn(&str) -> Option<String>,
) -> Option<(SecretIdentity, Origin)> {
    let raw = node.as_str()?.trim_matches(crate::paths::is_js_whitespace);
    if raw.is_empty() {
        return None;
    }
    // The reference is the path as the gateway spells it; the file read is where it lies
    // on the layout.
    let written = resolve_user_path(raw, ctx.home, ctx.cwd);
    let path = host_path(raw, ctx);
    let is_symlink =
        crate::paths::host::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    let unresolved = |reason: String, host_wide: bool| SecretIdentity::Unresolved {
        reference: format!("file:{}", written.display()),
        reason,
        host_wide,
    };
    let identity = match read_text(&path, SMALL_FILE_LIMIT) {
        Ok(text)
            if !is_symlink && !text.trim_matches(crate::paths::is_js_whitespace).is_empty() =>
        {
            known(
                &text,
                hint(text.trim_matches(crate::paths::is_js_whitespace)),
            )
        }
        Ok(_) if is_symlink => unresolved(
            "OpenClaw refuses a tokenFile that is a symlink".to_string(),
            false,
        ),
        Ok(_) => unresolved("the token file is empty".to_string(), false),
        Err(e) => unresolved(
            format!("the token file {}", unread(&path, &e)),
            !ctx.in_container,
        ),
    };
    Some((identity, Origin::Config(node.loc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthands() {
        assert_eq!(env_shorthand("$TG_TOKEN"), Some("TG_TOKEN"));
        assert_eq!(env_shorthand("${TG_TOKEN}"), Some("TG_TOKEN"));
        assert_eq!(env_shorthand("$lower"), None);
        assert_eq!(env_shorthand("12345:abc"), None);
    }
}
