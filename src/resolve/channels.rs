//! Channel and gateway credentials (openclaw-facts.md §4): which token each enabled account
//! of each channel would use, as an identity and a source. Disabled channels and accounts
//! are left out: they poll nothing.

use super::model::{Credential, Origin, SecretIdentity};
use super::secrets::{from_env, secret_from_node, token_file, SecretContext};
use crate::load::env::Env;
use crate::load::tree::Node;
use crate::redact::telegram_bot_id;
use std::borrow::Cow;
use std::path::Path;

type Hint = fn(&str) -> Option<String>;

fn no_hint(_: &str) -> Option<String> {
    None
}

/// One secret field of a channel: its keys in config and its env fallback.
struct Field {
    kind: &'static str,
    key: &'static str,
    file_key: Option<&'static str>,
    env: Option<&'static str>,
    hint: Hint,
}

struct Channel {
    id: &'static str,
    fields: &'static [Field],
    /// The env fallback needs the channel block to exist (Discord, per its docs).
    env_needs_block: bool,
}

/// A channel with one secret, no env fallback and no public hint.
macro_rules! other_channel {
    ($id:literal, $kind:literal, $key:literal, $file_key:expr) => {
        Channel {
            id: $id,
            fields: &[Field {
                kind: $kind,
                key: $key,
                file_key: $file_key,
                env: None,
                hint: no_hint,
            }],
            env_needs_block: false,
        }
    };
}

const CHANNELS: &[Channel] = &[
    Channel {
        id: "telegram",
        fields: &[Field {
            kind: "bot token",
            key: "botToken",
            file_key: Some("tokenFile"),
            env: Some("TELEGRAM_BOT_TOKEN"),
            hint: telegram_bot_id,
        }],
        env_needs_block: false,
    },
    Channel {
        id: "discord",
        fields: &[Field {
            kind: "bot token",
            key: "token",
            file_key: None,
            env: Some("DISCORD_BOT_TOKEN"),
            hint: no_hint,
        }],
        env_needs_block: true,
    },
    Channel {
        id: "slack",
        fields: &[
            Field {
                kind: "bot token",
                key: "botToken",
                file_key: None,
                env: Some("SLACK_BOT_TOKEN"),
                hint: no_hint,
            },
            Field {
                kind: "app token",
                key: "appToken",
                file_key: None,
                env: Some("SLACK_APP_TOKEN"),
                hint: no_hint,
            },
        ],
        env_needs_block: false,
    },
    // Channels whose runtime behaviour with a shared credential is not verified (their plugins
    // are not in the package): compared all the same, reported as CL306.
    other_channel!("mattermost", "bot token", "botToken", None),
    other_channel!("matrix", "access token", "accessToken", None),
    other_channel!(
        "line",
        "channel access token",
        "channelAccessToken",
        Some("tokenFile")
    ),
    other_channel!("zalo", "bot token", "botToken", Some("tokenFile")),
    other_channel!("twitch", "access token", "accessToken", None),
    other_channel!("msteams", "app password", "appPassword", None),
    other_channel!("feishu", "app secret", "appSecret", None),
];

pub fn credentials(
    config: &Node,
    env: &Env,
    home: &Path,
    cwd: &Path,
    in_container: bool,
) -> Vec<Credential> {
    let ctx = SecretContext {
        config,
        env,
        home,
        cwd,
        in_container,
    };
    // Looked up once, not once per known channel.
    let blocks = config.get("channels");
    let mut out = Vec::new();
    for channel in CHANNELS {
        let block = blocks.and_then(|b| b.get(channel.id));
        channel_credentials(channel, block, &ctx, &mut out);
    }
    gateway_auth(&ctx, &mut out);
    out
}

fn is_enabled(node: Option<&Node>) -> bool {
    node.and_then(|n| n.get("enabled")?.as_bool()) != Some(false)
}

/// The credentials of `channel` (its config block `block`), added to `out`. Nothing is
/// allocated for a channel that has none.
fn channel_credentials(
    channel: &Channel,
    block: Option<&Node>,
    ctx: &SecretContext,
    out: &mut Vec<Credential>,
) {
    // Without a block, only an env fallback can give a credential (most of the ten channels
    // have neither on a gateway: they are passed over at once).
    let no_fallback = channel.env_needs_block || channel.fields.iter().all(|f| f.env.is_none());
    if !is_enabled(block) || (block.is_none() && no_fallback) {
        return;
    }
    let default_account = block
        .and_then(|b| b.get("defaultAccount")?.as_str())
        .unwrap_or("default");
    let accounts = block
        .and_then(|b| b.get("accounts"))
        .map(Node::members)
        .unwrap_or_default();
    // Each account with its own block (a tree's keys are unique: no search for an id's
    // block, which was quadratic in the accounts of one channel), or the default account alone
    // when there is no accounts map.
    let ids = accounts
        .iter()
        .map(|m| (m.key.as_str(), Some(&m.value)))
        .chain(accounts.is_empty().then_some((default_account, None)));
    for (id, account) in ids {
        if !is_enabled(account) {
            continue;
        }
        // An account falls back to channel-level keys when it is the default, has its own
        // block, or there is no accounts map at all.
        let fallback = id == default_account || account.is_some() || accounts.is_empty();
        for field in channel.fields {
            let found = account_secret(field, account, block.filter(|_| fallback), ctx)
                .or_else(|| env_secret(field, id, default_account, ctx));
            if let Some((secret, origin)) = found {
                out.push(Credential {
                    channel: channel.id,
                    account: match id {
                        "default" => Cow::Borrowed("default"),
                        id => Cow::Owned(id.to_string()),
                    },
                    kind: field.kind,
                    secret,
                    origin,
                });
            }
        }
    }
}

/// `accounts.<id>.tokenFile`, `accounts.<id>.<key>`, then the channel's own.
fn account_secret(
    field: &Field,
    account: Option<&Node>,
    channel: Option<&Node>,
    ctx: &SecretContext,
) -> Option<(SecretIdentity, Origin)> {
    [account, channel].into_iter().flatten().find_map(|block| {
        let from_file = field
            .file_key
            .and_then(|k| block.get(k))
            .and_then(|n| token_file(n, ctx, field.hint));
        from_file.or_else(|| secret_from_node(block.get(field.key)?, ctx, field.hint))
    })
}

/// The env fallback applies to the default account only.
fn env_secret(
    field: &Field,
    account: &str,
    default_account: &str,
    ctx: &SecretContext,
) -> Option<(SecretIdentity, Origin)> {
    let var = field.env?;
    if account != default_account || ctx.env.value(var).is_none() {
        return None;
    }
    let reference = Origin::Default(format!("{var} (env fallback for the default account)").into());
    Some(from_env(var, ctx, field.hint, reference))
}

/// `gateway.auth.token`/`password`, else `OPENCLAW_GATEWAY_TOKEN`/`PASSWORD`, added to `out`.
fn gateway_auth(ctx: &SecretContext, out: &mut Vec<Credential>) {
    for (key, var, kind) in [
        ("token", "OPENCLAW_GATEWAY_TOKEN", "auth token"),
        ("password", "OPENCLAW_GATEWAY_PASSWORD", "auth password"),
    ] {
        let from_config = ctx
            .config
            .at(&["gateway", "auth", key])
            .and_then(|n| secret_from_node(n, ctx, no_hint));
        let found = from_config.or_else(|| {
            ctx.env.value(var)?;
            let reference = Origin::Default(format!("{var} in the environment").into());
            Some(from_env(var, ctx, no_hint, reference))
        });
        if let Some((secret, origin)) = found {
            out.push(Credential {
                channel: "gateway",
                account: Cow::Borrowed("auth"),
                kind,
                secret,
                origin,
            });
        }
    }
}
