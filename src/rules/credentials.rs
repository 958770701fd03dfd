//! Credential rules (CL3xx): the same bot, app or auth token in two gateways, compared by
//! fingerprint of the resolved value; unresolvable references are reported, not guessed.

use crate::catalog;

use super::group::{distinct, names, parties, party, party_loc, shared_across_instances};
use super::RuleContext;
use crate::diagnostic::Finding;
use crate::resolve::SecretIdentity;

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut out = shared_tokens(ctx);
    out.extend(unverifiable(ctx));
    out
}

fn code_for(channel: &str) -> Option<&'static catalog::Rule> {
    match channel {
        "telegram" => Some(&catalog::SHARED_TELEGRAM_TOKEN),
        "discord" => Some(&catalog::SHARED_DISCORD_TOKEN),
        "slack" => Some(&catalog::SHARED_SLACK_TOKEN),
        "gateway" => Some(&catalog::SHARED_GATEWAY_AUTH_TOKEN),
        _ => Some(&catalog::SHARED_CHANNEL_CREDENTIAL),
    }
}

fn shared_tokens(ctx: &RuleContext) -> Vec<Finding> {
    // Sized once: a flattened list has no length of its own and grew by doubling.
    let mut items = Vec::with_capacity(ctx.instances.iter().map(|i| i.credentials.len()).sum());
    items.extend(
        ctx.instances
            .iter()
            .enumerate()
            // A compose service nothing starts, or a gateway whose start OpenClaw refuses
            // (CL909), holds no connection with its token.
            .filter(|(_, inst)| inst.runs())
            .flat_map(|(i, inst)| {
                inst.credentials
                    .iter()
                    .filter_map(move |c| match &c.secret {
                        SecretIdentity::Known { fingerprint, .. } => {
                            Some(((c.channel, c.kind, fingerprint.as_str()), i, c))
                        }
                        // The same file, secret command or 1Password item is the same
                        // credential, whatever it holds (CL304's page).
                        SecretIdentity::Unresolved {
                            reference,
                            host_wide: true,
                            ..
                        } => Some(((c.channel, c.kind, reference.as_str()), i, c)),
                        SecretIdentity::Unresolved { .. } => None,
                    })
            }),
    );
    let mut out = Vec::new();
    for ((channel, _, _), sharing) in shared_across_instances(items) {
        let Some(code) = code_for(channel) else {
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
                    .replacen(" account ", " token of account ", 1),
                sharing[0].1.secret.shown()
            ),
        )
        .help(help_for(channel));
        if let SecretIdentity::Unresolved { .. } = sharing[0].1.secret {
            finding = finding.note(
                "clawlint cannot read the value, but each gateway names the same reference, which gives each the same credential",
            );
        }
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
            let SecretIdentity::Unresolved {
                reference, reason, ..
            } = &credential.secret
            else {
                continue;
            };
            if credential.channel == "gateway" {
                continue;
            }
            // A `${VAR}` with no value there is CL502's finding at the same place: said once.
            let at = party_loc(inst, &credential.origin);
            let missing_here = |p: &crate::load::Problem| {
                p.kind == crate::load::ProblemKind::MissingEnvVar && at.is_some() && p.loc == at
            };
            if inst.problems.iter().any(missing_here) {
                continue;
            }
            let what = credential.name();
            out.push(
                Finding::new(
                    &catalog::UNVERIFIABLE_CREDENTIAL,
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

#[cfg(test)]
mod tests {
    use crate::catalog::{
        SHARED_CHANNEL_CREDENTIAL, SHARED_DISCORD_TOKEN, SHARED_GATEWAY_AUTH_TOKEN,
        SHARED_SLACK_TOKEN, SHARED_TELEGRAM_TOKEN, UNVERIFIABLE_CREDENTIAL,
    };
    use crate::rules::testing::{gateway, host, labels, parties};

    // Fake secrets, shaped like the real ones.
    const BOT: &str = "123456789:AAFakeTelegramTokenForTests0000000000";
    const OTHER_BOT_SAME_ID: &str = "123456789:AAFakeTelegramTokenForTests1111111111";

    fn sha8(secret: &str) -> String {
        crate::redact::fingerprint(secret)[..8].to_string()
    }

    #[test]
    fn cl301_one_telegram_bot_in_two_gateways() {
        let host = host([
            gateway("a").port(18789).telegram_token(BOT),
            gateway("b").port(18900).telegram_token(BOT),
        ]);
        let f = host.finding(SHARED_TELEGRAM_TOKEN);
        assert_eq!(
            f.message,
            format!(
                "gateways \"a\" and \"b\" use the same telegram bot token (bot 123456789:…, fingerprint {})",
                sha8(BOT)
            )
        );
        assert_eq!(parties(&f), ["a", "b"]);
        assert_eq!(
            labels(&f),
            ["a: telegram bot token", "b: telegram bot token"]
        );
        assert!(
            !format!("{f:?}").contains("AAFake"),
            "the secret is never in a finding"
        );
    }

    #[test]
    fn cl301_not_for_two_tokens_of_one_bot_id() {
        // The bot id is public and equal; the secrets differ (a revoked and a new token).
        let host = host([
            gateway("a").telegram_token(BOT),
            gateway("b").telegram_token(OTHER_BOT_SAME_ID),
        ]);
        assert!(host.findings(SHARED_TELEGRAM_TOKEN).is_empty());
    }

    #[test]
    fn cl302_one_discord_bot_in_two_gateways() {
        let token = "FakeDiscordToken.ForTests.000000000000000000";
        let host = host([
            gateway("a").discord_token(token),
            gateway("b").discord_token(token),
        ]);
        let f = host.finding(SHARED_DISCORD_TOKEN);
        assert_eq!(
            f.message,
            format!(
                "gateways \"a\" and \"b\" use the same discord bot token (fingerprint {})",
                sha8(token)
            )
        );
    }

    #[test]
    fn cl302_not_from_the_environment_without_a_discord_block() {
        // DISCORD_BOT_TOKEN applies only to a configured Discord channel.
        let token = "FakeDiscordToken.ForTests.000000000000000000";
        let host = host([
            gateway("a").env("DISCORD_BOT_TOKEN", token),
            gateway("b").env("DISCORD_BOT_TOKEN", token),
        ]);
        assert!(host.findings(SHARED_DISCORD_TOKEN).is_empty());
    }

    #[test]
    fn cl303_one_slack_app_token_in_two_gateways() {
        let app = "xapp-1-FAKE-0000-fakeapptokenfortests";
        let host = host([
            gateway("a").slack_tokens("xoxb-fake-bot-a-0000", app),
            gateway("b").slack_tokens("xoxb-fake-bot-b-0000", app),
        ]);
        let f = host.finding(SHARED_SLACK_TOKEN);
        assert_eq!(
            f.message,
            format!(
                "gateways \"a\" and \"b\" use the same slack app token (fingerprint {})",
                sha8(app)
            )
        );
    }

    #[test]
    fn cl303_not_for_apps_of_their_own() {
        let host = host([
            gateway("a").slack_tokens("xoxb-fake-bot-a-0000", "xapp-1-FAKE-a"),
            gateway("b").slack_tokens("xoxb-fake-bot-b-0000", "xapp-1-FAKE-b"),
        ]);
        assert!(host.findings(SHARED_SLACK_TOKEN).is_empty());
    }

    #[test]
    fn cl304_a_token_from_a_variable_nobody_sets() {
        let host =
            host([gateway("a").set("channels.telegram.botToken", "\"$TELEGRAM_BOT_TOKEN\"")]);
        let f = host.finding(UNVERIFIABLE_CREDENTIAL);
        assert_eq!(
            f.message,
            "cannot verify \"a\"'s telegram bot token: $TELEGRAM_BOT_TOKEN is not set for this gateway (not in its environment, its .env files or env.vars)"
        );
        assert_eq!(
            f.notes,
            ["clawlint sees only its reference: env:default:TELEGRAM_BOT_TOKEN"]
        );
    }

    /// `${VAR}` substitution with no value is CL502's finding at the same place (a published
    /// SSH agent manager's cloned configs): CL304 does not say it again.
    #[test]
    fn cl304_not_where_cl502_says_the_variable_is_missing() {
        let host =
            host([gateway("a").set("channels.telegram.botToken", "\"${TELEGRAM_BOT_TOKEN}\"")]);
        assert!(host.findings(UNVERIFIABLE_CREDENTIAL).is_empty());
        assert!(!host.findings(crate::catalog::MISSING_ENV_VAR).is_empty());
    }

    #[test]
    fn cl304_not_once_the_variable_is_set() {
        let host = host([gateway("a")
            .set("channels.telegram.botToken", "\"$TELEGRAM_BOT_TOKEN\"")
            .env("TELEGRAM_BOT_TOKEN", BOT)]);
        assert!(host.findings(UNVERIFIABLE_CREDENTIAL).is_empty());
    }

    /// A gateway whose telegram token is the exec SecretRef `id` of a provider `vault`
    /// running `provider` (JSON5).
    fn exec_token(name: &str, provider: &str, id: &str) -> crate::rules::testing::Gateway {
        gateway(name).set("secrets.providers.vault", provider).set(
            "channels.telegram.botToken",
            &format!("{{ source: \"exec\", provider: \"vault\", id: \"{id}\" }}"),
        )
    }

    /// CL304's page: two gateways naming the same unreadable file or the same secret command
    /// and id share the credential (one bot, two pollers: Telegram's 409 loop), though neither
    /// value can be read. Not the same variable name (each gateway's environment may give it
    /// another value), another id, or one command run with other arguments.
    #[test]
    fn cl301_the_same_reference_in_two_gateways() {
        let vault = "{ source: \"exec\", command: \"/usr/local/bin/vault-secret\" }";
        let shared = host([
            exec_token("a", vault, "telegram/main"),
            exec_token("b", vault, "telegram/main"),
        ]);
        let f = shared.finding(SHARED_TELEGRAM_TOKEN);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" use the same telegram bot token (unresolved exec:vault:telegram/main (exec /usr/local/bin/vault-secret))"
        );
        assert_eq!(
            f.notes,
            ["clawlint cannot read the value, but each gateway names the same reference, which gives each the same credential"]
        );
        let file =
            |n: &str| gateway(n).set("channels.telegram.tokenFile", "\"/run/agenix/telegram\"");
        assert_eq!(host_findings(host([file("a"), file("b")])), 1);

        let with_args = |args: &str| {
            format!(
                "{{ source: \"exec\", command: \"/usr/local/bin/vault-secret\", args: [{args}] }}"
            )
        };
        for pair in [
            [
                exec_token("a", vault, "telegram/main"),
                exec_token("b", vault, "telegram/rescue"),
            ],
            [
                exec_token("a", &with_args("\"prod\""), "tg"),
                exec_token("b", &with_args("\"dev\""), "tg"),
            ],
            [
                gateway("a").set("channels.telegram.botToken", "\"$TELEGRAM_BOT_TOKEN\""),
                gateway("b").set("channels.telegram.botToken", "\"$TELEGRAM_BOT_TOKEN\""),
            ],
        ] {
            assert_eq!(host_findings(host(pair)), 0);
        }
    }

    fn host_findings(host: crate::rules::testing::Host) -> usize {
        host.findings(SHARED_TELEGRAM_TOKEN).len()
    }

    #[test]
    fn cl305_one_gateway_auth_token_in_two_gateways() {
        let token = "fake-gateway-auth-token-0000000000";
        let host = host([
            gateway("a").gateway_token(token),
            gateway("b").gateway_token(token),
        ]);
        let f = host.finding(SHARED_GATEWAY_AUTH_TOKEN);
        assert_eq!(
            f.message,
            format!(
                "gateways \"a\" and \"b\" use the same gateway auth token (fingerprint {})",
                sha8(token)
            )
        );
        assert_eq!(parties(&f), ["a", "b"]);
    }

    #[test]
    fn cl305_not_for_tokens_of_their_own() {
        let host = host([
            gateway("a").gateway_token("fake-gateway-auth-token-a"),
            gateway("b").gateway_token("fake-gateway-auth-token-b"),
        ]);
        assert!(host.findings(SHARED_GATEWAY_AUTH_TOKEN).is_empty());
    }

    #[test]
    fn cl306_one_matrix_token_in_two_gateways() {
        let token = "\"syt_fake_matrix_token_for_tests\"";
        let host = host([
            gateway("a").set("channels.matrix.accessToken", token),
            gateway("b").set("channels.matrix.accessToken", token),
        ]);
        let f = host.finding(SHARED_CHANNEL_CREDENTIAL);
        assert!(
            f.message.starts_with(
                "gateways \"a\" and \"b\" use the same matrix access token (fingerprint "
            ),
            "{}",
            f.message
        );
    }

    #[test]
    fn cl306_not_when_one_channel_is_disabled() {
        let token = "\"syt_fake_matrix_token_for_tests\"";
        let host = host([
            gateway("a").set("channels.matrix.accessToken", token),
            gateway("b")
                .set("channels.matrix.accessToken", token)
                .set("channels.matrix.enabled", "false"),
        ]);
        assert!(host.findings(SHARED_CHANNEL_CREDENTIAL).is_empty());
    }

    // The human rendering of `check --select RULE` for each rule's case (ruff's `for_rule`).
    // Secrets never show: only the bot id and a fingerprint prefix.

    #[test]
    fn cl301_human() {
        let host = host([
            gateway("a").port(18789).telegram_token(BOT),
            gateway("b").port(18900).telegram_token(BOT),
        ]);
        let shown = host.human(SHARED_TELEGRAM_TOKEN);
        assert!(!shown.contains("AAFake"), "{shown}");
        insta::assert_snapshot!("CL301", shown);
    }

    #[test]
    fn cl302_human() {
        let token = "FakeDiscordToken.ForTests.000000000000000000";
        let host = host([
            gateway("a").discord_token(token),
            gateway("b").discord_token(token),
        ]);
        let shown = host.human(SHARED_DISCORD_TOKEN);
        assert!(!shown.contains("FakeDiscord"), "{shown}");
        insta::assert_snapshot!("CL302", shown);
    }

    #[test]
    fn cl303_human() {
        let app = "xapp-1-FAKE-0000-fakeapptokenfortests";
        let host = host([
            gateway("a").slack_tokens("xoxb-fake-bot-a-0000", app),
            gateway("b").slack_tokens("xoxb-fake-bot-b-0000", app),
        ]);
        let shown = host.human(SHARED_SLACK_TOKEN);
        assert!(!shown.contains("fakeapptoken"), "{shown}");
        insta::assert_snapshot!("CL303", shown);
    }

    #[test]
    fn cl304_human() {
        let host =
            host([gateway("a").set("channels.telegram.botToken", "\"$TELEGRAM_BOT_TOKEN\"")]);
        insta::assert_snapshot!("CL304", host.human(UNVERIFIABLE_CREDENTIAL));
    }

    #[test]
    fn cl305_human() {
        let token = "fake-gateway-auth-token-0000000000";
        let host = host([
            gateway("a").gateway_token(token),
            gateway("b").gateway_token(token),
        ]);
        let shown = host.human(SHARED_GATEWAY_AUTH_TOKEN);
        assert!(!shown.contains("fake-gateway-auth"), "{shown}");
        insta::assert_snapshot!("CL305", shown);
    }

    #[test]
    fn cl306_human() {
        let token = "\"syt_fake_matrix_token_for_tests\"";
        let host = host([
            gateway("a").set("channels.matrix.accessToken", token),
            gateway("b").set("channels.matrix.accessToken", token),
        ]);
        let shown = host.human(SHARED_CHANNEL_CREDENTIAL);
        assert!(!shown.contains("syt_fake"), "{shown}");
        insta::assert_snapshot!("CL306", shown);
    }
}
