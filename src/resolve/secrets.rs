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
}

fn known(value: &str, hint: Option<String>) -> SecretIdentity {
    // A 1Password secret reference is no secret: `op run` or the 1Password plugin replaces it
    // when the gateway starts. Only the reference can be compared.
    let trimmed = value.trim_matches(crate::paths::is_js_whitespace);
    if trimmed.starts_with("op://") {
        return SecretIdentity::Unresolved {
            reference: trimmed.to_string(),
            reason: "a 1Password reference (op://…) that `op run` or the 1Password plugin resolves when the gateway starts".to_string(),
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
    let unresolved = |reason: String| SecretIdentity::Unresolved {
        reference: match provider_def {
            Some(def) => format!("{reference} ({})", describe_provider(def)),
            None => reference.clone(),
        },
        reason,
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
        "file" => match provider_def.and_then(|d| file_secret(d, &id, ctx)) {
            Some(value) => known(
                &value,
                hint(value.trim_matches(crate::paths::is_js_whitespace)),
            ),
            None => unresolved("the secret file cannot be read statically".to_string()),
        },
        other => unresolved(format!("an `{other}` secret is only known at run time")),
    }
}

fn describe_provider(def: &Node) -> String {
    let field = |k: &str| def.get(k).and_then(Node::as_str);
    match (field("source"), field("path"), field("command")) {
        (Some(s), Some(p), _) => format!("{s} {p}"),
        (Some(s), _, Some(c)) => format!("{s} {c}"),
        (Some(s), _, _) => s.to_string(),
        _ => "provider".to_string(),
    }
}

/// A file provider's value: the whole file in `singleValue` mode, or a JSON pointer.
fn file_secret(def: &Node, id: &str, ctx: &SecretContext) -> Option<String> {
    let path = resolve_user_path(def.get("path")?.as_str()?, ctx.home, ctx.cwd);
    let text = read_text(&path, SMALL_FILE_LIMIT).ok()?;
    if def.get("mode").and_then(Node::as_str) == Some("singleValue") {
        return Some(
            text.trim_matches(crate::paths::is_js_whitespace)
                .to_string(),
        );
    }
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.pointer(id)?.as_str().map(str::to_string)
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
    let path = resolve_user_path(raw, ctx.home, ctx.cwd);
    let is_symlink =
        crate::paths::host::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    let identity = match read_text(&path, SMALL_FILE_LIMIT) {
        Ok(text)
            if !is_symlink && !text.trim_matches(crate::paths::is_js_whitespace).is_empty() =>
        {
            known(
                &text,
                hint(text.trim_matches(crate::paths::is_js_whitespace)),
            )
        }
        Ok(_) if is_symlink => SecretIdentity::Unresolved {
            reference: format!("file:{}", path.display()),
            reason: "OpenClaw refuses a tokenFile that is a symlink".to_string(),
        },
        _ => SecretIdentity::Unresolved {
            reference: format!("file:{}", path.display()),
            reason: "the token file cannot be read on this host".to_string(),
        },
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
