//! Credential rules (CL3xx): the same bot, app or auth token in two gateways, compared by
//! fingerprint of the resolved value; unresolvable references are reported, not guessed.

use crate::catalog;

use super::group::{distinct, names, parties, party, shared_across_instances};
use super::RuleContext;
use crate::diagnostic::Finding;
use crate::resolve::SecretIdentity;

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut out = shared_tokens(ctx);
    out.extend(unverifiable(ctx));
    out
}

fn code_for(channel: &str) -> Option<catalog::Rule> {
    match channel {
        "telegram" => Some(catalog::SHARED_TELEGRAM_TOKEN),
        "discord" => Some(catalog::SHARED_DISCORD_TOKEN),
        "slack" => Some(catalog::SHARED_SLACK_TOKEN),
        "gateway" => Some(catalog::SHARED_GATEWAY_AUTH_TOKEN),
        _ => Some(catalog::SHARED_CHANNEL_CREDENTIAL),
    }
}

fn shared_tokens(ctx: &RuleContext) -> Vec<Finding> {
    let items = ctx
        .instances
        .iter()
        .enumerate()
        .flat_map(|(i, inst)| {
            inst.credentials
                .iter()
                .filter_map(move |c| match &c.secret {
                    SecretIdentity::Known { fingerprint, .. } => Some((
                        (c.channel.clone(), c.kind.clone(), fingerprint.clone()),
                        i,
                        c,
                    )),
                    SecretIdentity::Unresolved { .. } => None,
                })
        })
        .collect();
    let mut out = Vec::new();
    for ((channel, _, _), sharing) in shared_across_instances(items) {
        let Some(code) = code_for(&channel) else {
            continue;
        };
        let involved = distinct(ctx.instances, &sharing);
        let mut finding = Finding::new(
            code,
            format!(
                "gateways {} use the same {} ({})",
                names(&involved),
                sharing[0]
                    .1
                    .name()
                    .replace(" account \"", " token of account \""),
                sharing[0].1.secret.shown()
            ),
        )
        .help(help_for(&channel));
        for (i, credential) in &sharing {
            let inst = &ctx.instances[*i];
            for label in parties(inst, &credential.name(), &credential.origin) {
                finding = finding.label(label);
            }
        }
        out.push(finding);
    }
    out
}

fn help_for(channel: &str) -> &'static str {
    match channel {
        "telegram" => "create a separate bot with @BotFather for each gateway; two pollers of one bot get 409 Conflict and keep deleting each other's webhook",
        "discord" => "create a separate Discord application (bot) for each gateway",
        "slack" => "create a separate Slack app for each gateway",
        "gateway" => "give each gateway its own gateway.auth token (`openclaw --profile NAME doctor --generate-gateway-token`)",
        _ => "give each gateway its own bot or app credentials for this channel",
    }
}

/// CL304: a channel credential clawlint cannot resolve on this host.
fn unverifiable(ctx: &RuleContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for inst in ctx.instances {
        for credential in &inst.credentials {
            let SecretIdentity::Unresolved { reference, reason } = &credential.secret else {
                continue;
            };
            if credential.channel == "gateway" {
                continue;
            }
            let what = credential.name();
            out.push(
                Finding::new(
                    catalog::UNVERIFIABLE_CREDENTIAL,
                    format!("cannot verify \"{}\"'s {what}: {reason}", inst.name),
                )
                .label(party(inst, &what, &credential.origin))
                .note(format!("clawlint sees only its reference: {reference}"))
                .help("if the gateway gets it from its service or shell, run clawlint where it can read the same files (its .env, its unit); otherwise this credential cannot be compared"),
            );
        }
    }
    out
}
