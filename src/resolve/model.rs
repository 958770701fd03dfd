//! The effective model of one gateway: what OpenClaw would use, each value with its source.

use crate::load::env::Env;
use crate::load::Problem;
pub use crate::redact::SecretIdentity;
use crate::source::Loc;
use std::borrow::Cow;
use std::path::PathBuf;

// What discover produces is part of every instance; rules and reporters name it from here.
pub use crate::invocation::{
    Discovery, Formula, Invocation, Origin, ServiceEvidence, ServiceFile, ServiceKind, Sourced,
};

/// Which step of OpenClaw's port precedence gave the gateway port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortKind {
    Argument,
    ServiceArgument,
    Env,
    Config,
    ProfileHash,
    Default,
}

impl PortKind {
    /// OpenClaw's own `portSource` wording in `gateway status --json`.
    pub fn openclaw_port_source(self) -> &'static str {
        match self {
            PortKind::Argument => "cli",
            PortKind::ServiceArgument => "service args",
            _ => "env/config",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            PortKind::Argument => "argument",
            PortKind::ServiceArgument => "service-argument",
            PortKind::Env => "env",
            PortKind::Config => "config",
            PortKind::ProfileHash => "profile-hash",
            PortKind::Default => "default",
        }
    }
}

/// What a listener is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListenerKind {
    Gateway,
    McpSandbox,
    BrowserControl,
    ExtensionRelay,
    Cdp,
    TelegramWebhook,
    GmailHook,
    IngressPortal,
    /// A container's port published on the host.
    Published,
}

impl ListenerKind {
    pub fn describe(self) -> &'static str {
        match self {
            ListenerKind::Gateway => "gateway port",
            ListenerKind::McpSandbox => "MCP Apps sandbox port",
            ListenerKind::BrowserControl => "browser control port",
            ListenerKind::ExtensionRelay => "extension relay port",
            ListenerKind::Cdp => "CDP port",
            ListenerKind::TelegramWebhook => "Telegram webhook port",
            ListenerKind::GmailHook => "Gmail hook port",
            ListenerKind::IngressPortal => "ingress portal port",
            ListenerKind::Published => "published port",
        }
    }

    /// Whether OpenClaw binds this listener when the gateway starts (openclaw-facts 2.2): the
    /// browser control server, extension relays and Chrome's CDP only on first browser use;
    /// `None` where a setting decides (the MCP Apps sandbox, with `mcp.apps.enabled`) or it is
    /// not recorded (Gmail hooks, portals).
    pub fn binds_at_start(self) -> Option<bool> {
        match self {
            ListenerKind::Gateway | ListenerKind::TelegramWebhook | ListenerKind::Published => {
                Some(true)
            }
            ListenerKind::BrowserControl | ListenerKind::ExtensionRelay | ListenerKind::Cdp => {
                Some(false)
            }
            ListenerKind::McpSandbox | ListenerKind::GmailHook | ListenerKind::IngressPortal => {
                None
            }
        }
    }

    /// Whether OpenClaw binds this listener to loopback only, under the gateway's bind mode
    /// (openclaw-facts 2.2, 2.6): the gateway port and the MCP Apps sandbox follow
    /// `gateway.bind`; browser control, extension relays and CDP are always 127.0.0.1.
    /// `None` where the listener's own host setting decides (webhooks, Gmail hooks, portals)
    /// and for a published port.
    pub fn loopback_only(self, gateway_bind: &str) -> Option<bool> {
        match self {
            _ if self.follows_gateway_bind() => Some(gateway_bind == "loopback"),
            ListenerKind::BrowserControl | ListenerKind::ExtensionRelay | ListenerKind::Cdp => {
                Some(true)
            }
            _ => None,
        }
    }

    /// Bound on the gateway's own addresses (`gateway.bind`).
    pub fn follows_gateway_bind(self) -> bool {
        matches!(self, ListenerKind::Gateway | ListenerKind::McpSandbox)
    }

    pub fn id(self) -> &'static str {
        match self {
            ListenerKind::Gateway => "gateway",
            ListenerKind::McpSandbox => "mcp-sandbox",
            ListenerKind::BrowserControl => "browser-control",
            ListenerKind::ExtensionRelay => "extension-relay",
            ListenerKind::Cdp => "cdp",
            ListenerKind::TelegramWebhook => "telegram-webhook",
            ListenerKind::GmailHook => "gmail-hook",
            ListenerKind::IngressPortal => "ingress-portal",
            ListenerKind::Published => "published",
        }
    }
}

/// A TCP port the gateway (or a browser it launches) binds on this host.
#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    pub port: u16,
    pub kind: ListenerKind,
    /// Which one, when a gateway has several of a kind (browser profile, account).
    pub detail: Option<Detail>,
    pub origin: Origin,
}

impl Listener {
    /// `CDP port (browser profile "work")`.
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

/// `CDP port (browser profile "work")`, written into a text through a formatter (a label's
/// party).
impl std::fmt::Display for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind.describe())?;
        match &self.detail {
            Some(detail) => write!(f, " ({detail})"),
            None => Ok(()),
        }
    }
}

/// `CDP port (browser profile "work")`, written word by word (CL102 and CL103 say it for
/// thousands of findings).
impl crate::diagnostic::Wording for Listener {
    fn write_words(&self, out: &mut String) {
        out.push_str(self.kind.describe());
        if let Some(detail) = &self.detail {
            out.push_str(" (");
            detail.write_words(out);
            out.push(')');
        }
    }
}

/// Which listener of its kind: `browser profile "work"`, `account "ops"`. Kept as the name
/// and written out when shown (every gateway has a few; few are ever shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub of: DetailOf,
    /// Shared by the copies findings and reports make.
    pub name: std::sync::Arc<str>,
}

/// What a [`Detail`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailOf {
    BrowserProfile,
    Account,
}

impl Detail {
    /// The name is the run's shared copy ([`crate::diagnostic::shared_name`]): every gateway's
    /// profile `openclaw` names the same one.
    pub fn new(of: DetailOf, name: &str) -> Self {
        Detail {
            of,
            name: crate::diagnostic::shared_name(name),
        }
    }
}

impl Detail {
    /// What it names: `browser profile`, `account`.
    fn of_words(&self) -> &'static str {
        match self.of {
            DetailOf::BrowserProfile => "browser profile",
            DetailOf::Account => "account",
        }
    }
}

/// `browser profile "work"`.
impl crate::diagnostic::Wording for Detail {
    fn write_words(&self, out: &mut String) {
        for words in [self.of_words(), " \"", &self.name, "\""] {
            out.push_str(words);
        }
    }
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} \"{}\"", self.of_words(), self.name)
    }
}

/// As its words (`plan --format json` shows a listener's detail).
impl serde::Serialize for Detail {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

impl PortRange {
    pub fn contains(&self, port: u16) -> bool {
        (self.start..=self.end).contains(&port)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BrowserProfile {
    /// Shared with every other gateway's profile of that name and with the profile's listener
    /// ([`crate::diagnostic::shared_name`]): every gateway has OpenClaw's implicit three.
    pub name: std::sync::Arc<str>,
    /// `openclaw`, `existing-session` or `extension` (fixed words: not a string per profile).
    pub driver: &'static str,
    /// 0 when the driver uses none (existing-session). Wider than a port: OpenClaw counts
    /// extension relays down from control + 8 without clamping, so near the top of the range
    /// it gives values past 65535 that cannot be bound.
    pub cdp_port: u32,
    /// The endpoint's URL ([`BrowserProfile::cdp_url`]) when it is not the one made of
    /// `cdp_host` and `cdp_port` (`http://127.0.0.1:18800`), which most profiles use and which
    /// is written out when shown rather than kept.
    pub(super) written_url: Option<Box<str>>,
    /// Not copied when it is the default 127.0.0.1, as for nearly every profile.
    pub cdp_host: std::borrow::Cow<'static, str>,
    pub loopback: bool,
    pub attach_only: bool,
    /// Declared in config (as opposed to OpenClaw's implicit `openclaw`/`user`/`chrome`).
    pub explicit: bool,
    /// The endpoint was given as a `cdpUrl` (profile or `browser.cdpUrl`), not derived.
    pub from_url: bool,
    pub origin: Origin,
}

impl BrowserProfile {
    /// The CDP endpoint's URL (empty for an existing-session profile without one).
    pub fn cdp_url(&self) -> std::borrow::Cow<'_, str> {
        match &self.written_url {
            Some(url) => std::borrow::Cow::Borrowed(url),
            None => std::borrow::Cow::Owned(format!("http://{}:{}", self.cdp_host, self.cdp_port)),
        }
    }

    /// `url` as [`BrowserProfile::written_url`] keeps it for a profile on `host` and `port`.
    pub(super) fn written_url(url: String, host: &str, port: u32) -> Option<Box<str>> {
        let made = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_prefix(host))
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|digits| is_decimal(digits, port));
        (!made).then(|| url.into_boxed_str())
    }

    /// OpenClaw launches Chrome itself on this port (`isLocalManagedProfile`).
    pub fn is_local_managed(&self) -> bool {
        self.driver == "openclaw" && self.loopback && !self.attach_only
    }

    /// The port as a bindable TCP port, when it is one.
    pub fn bindable_port(&self) -> Option<u16> {
        u16::try_from(self.cdp_port).ok().filter(|p| *p != 0)
    }
}

/// `digits` is `n` written in decimal, as `format!` writes it (no sign, no leading zero).
fn is_decimal(digits: &str, n: u32) -> bool {
    digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && digits.parse() == Ok(n)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Browser {
    pub enabled: bool,
    pub control_port: u16,
    pub cdp_range: PortRange,
    /// control + 8, unclamped (may pass 65535).
    pub relay_default_port: u32,
    pub profiles: Vec<BrowserProfile>,
    /// Set when OpenClaw itself refuses this browser config.
    pub error: Option<BrowserError>,
}

/// Why OpenClaw refuses a browser config, in the words it uses.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowserError {
    /// The gateway port is so high that control + 1, the first derived CDP port, passes 65535.
    DerivedCdpTooHigh { port: u32 },
    /// A URL, relay or profile that OpenClaw's browser resolution rejects, with its message.
    Rejected(String),
}

impl std::fmt::Display for BrowserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BrowserError::DerivedCdpTooHigh { port } => write!(
                f,
                "Derived CDP port ({port}) is too high; check gateway port configuration."
            ),
            BrowserError::Rejected(message) => f.write_str(message),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    /// `telegram`, `discord`, `slack`, `gateway`: one of clawlint's own words, not copied
    /// for every gateway.
    pub channel: &'static str,
    /// The account's id; `default` and the gateway's `auth` not copied.
    pub account: Cow<'static, str>,
    /// `bot token`, `app token`, `auth token`, ...
    pub kind: &'static str,
    pub secret: SecretIdentity,
    pub origin: Origin,
}

impl Credential {
    /// `telegram bot token`, `gateway auth token`.
    pub fn name(&self) -> String {
        match self.channel {
            "gateway" => format!("gateway {}", self.kind),
            channel if self.account == "default" => format!("{channel} {}", self.kind),
            // The id is a key of the config: shown as a key is (a token pasted there is not).
            channel => format!(
                "{channel} account {} {}",
                crate::redact::shown_key_quoted(&self.account),
                self.kind
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    pub id: String,
    pub workspace: Sourced<PathBuf>,
    pub agent_dir: Sourced<PathBuf>,
    /// Docker containers this agent's sandbox uses under a fixed name (scope `shared`).
    pub shared_containers: Vec<Sourced<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceNames {
    pub systemd_unit: String,
    pub launchd_label: String,
    pub windows_task: String,
}

/// A value of a gateway that clawlint cannot determine: part of the gateway's start is hidden
/// (an unreadable or opaque wrapper), and the value would otherwise be a guess (OpenClaw's
/// default). Such a value takes part in no comparison with other gateways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unverifiable {
    Port,
    Profile,
    StateDir,
    ConfigPath,
}

impl Unverifiable {
    pub fn describe(self) -> &'static str {
        match self {
            Unverifiable::Port => "gateway port",
            Unverifiable::Profile => "profile",
            Unverifiable::StateDir => "state dir",
            Unverifiable::ConfigPath => "config path",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Unverifiable::Port => "port",
            Unverifiable::Profile => "profile",
            Unverifiable::StateDir => "state-dir",
            Unverifiable::ConfigPath => "config-path",
        }
    }
}

/// One gateway as OpenClaw would run it.
#[derive(Debug, Clone)]
pub struct Instance {
    pub name: String,
    pub discovery: Discovery,
    /// The effective home OpenClaw resolves `~` with: `OPENCLAW_HOME`, else `HOME`.
    pub home: PathBuf,
    /// `HOME` of the process (the scanned home). Output shows paths relative to it, so that
    /// `~` names one directory in a whole report even when gateways set `OPENCLAW_HOME`.
    pub os_home: PathBuf,
    pub cwd: PathBuf,
    pub profile_flag: Option<String>,
    /// The effective `OPENCLAW_PROFILE` after flags.
    pub profile: Option<Sourced<String>>,
    /// The environment after flags, `.env` files and the config `env` block.
    pub env: Env,
    pub config_path: Sourced<PathBuf>,
    pub config_exists: bool,
    /// The start of the config's root object (of an empty stand-in when there is no file).
    pub config_loc: Loc,
    pub state_dir: Sourced<PathBuf>,
    pub workspace: Sourced<PathBuf>,
    pub agents: Vec<Agent>,
    /// Data dirs that belong to one gateway: managed Chrome profiles (`<config dir>/browser`),
    /// channel credentials (`$S/credentials` or `OPENCLAW_OAUTH_DIR`), WhatsApp sessions.
    /// Each named in fixed words (most) or made for it (a WhatsApp account's).
    pub data_dirs: Vec<(std::borrow::Cow<'static, str>, Sourced<PathBuf>)>,
    pub lock_dir: PathBuf,
    pub log_file: Sourced<PathBuf>,
    pub port: Sourced<u16>,
    pub port_kind: PortKind,
    /// `gateway.port` in the config, whatever the effective port is (for drift).
    pub config_port: Option<Sourced<u16>>,
    /// The supervisor that starts this gateway (boxed: most gateways of a large host have
    /// none, and a supervisor's file is 600 bytes).
    pub service: Option<Box<ServiceFile>>,
    /// Further supervisors that start the same gateway (same state dir).
    pub other_services: Vec<ServiceFile>,
    /// The gateway as one of `other_services` would start it, where that supervisor gives it
    /// another profile or port (each instance of a template with its own `%i`), resolved
    /// with that supervisor's own environment and arguments. Whichever takes the state dir's
    /// lock first runs the gateway; the others exit 78 (CL402).
    pub other_starts: Vec<Instance>,
    /// `gateway.tailscale.mode` when it is `serve` or `funnel`: the gateway claims the node's
    /// Tailscale HTTPS root route when it starts.
    /// (Boxed, as `ignored_port_env`: rare, and inline 104 bytes in every gateway.)
    pub tailscale: Option<Box<Sourced<String>>>,
    /// An `OPENCLAW_GATEWAY_PORT` that OpenClaw cannot parse and silently ignores.
    pub ignored_port_env: Option<Box<Sourced<String>>>,
    pub listeners: Vec<Listener>,
    pub browser: Option<Browser>,
    pub credentials: Vec<Credential>,
    /// Why OpenClaw would not start this gateway (it refuses the config, or the CLI crashes):
    /// then it binds nothing and `listeners` is empty. Set with `start`.
    pub refusal: Option<String>,
    /// OpenClaw crashes on the process's `OPENCLAW_PROFILE` while loading its modules
    /// (`openclaw::crashes_on_profile`): nothing runs, not even a default gateway.
    pub crashes_on_profile: bool,
    /// Its start first moves a legacy `~/.clawdbot` to `~/.openclaw`
    /// ([`super::startup::LegacyMove::Moves`]): a start that must also repair the
    /// config exits 1 once, and the next start runs.
    pub legacy_state_moves: bool,
    /// Whether and how the gateway starts, with each offending config value once
    /// (`super::verdict::decide`).
    pub start: super::verdict::StartVerdict,
    /// The start verdict once the host runs the release `--target-version` names (`None`
    /// without one): what CL703 compares with `start` (boxed: rare).
    pub target_start: Option<Box<super::verdict::StartVerdict>>,
    /// What resolve knows about the start of the config values it uses (port, env, browser),
    /// merged into `start`.
    pub start_facts: Vec<super::startup::StartFact>,
    pub problems: Vec<Problem>,
    /// The effective config tree (after `$include` and `${VAR}`), for validation; `None`
    /// when there is no usable config (missing, unreadable or unparsable), and once the
    /// validation step is done with it ([`super::verdict::Validation`]).
    pub config_root: Option<Box<crate::load::tree::Node>>,
    /// What fix planning and port suggestions read from the config tree, taken out of it
    /// when the tree is dropped ([`super::config_facts::take`]); `None` when the config
    /// holds none of it (or is not usable), and before.
    pub config_facts: Option<Box<super::config_facts::ConfigFacts>>,
    /// The position in `agents` of the agent that inherits the default workspace, taken
    /// with `config_facts` (`fix::paths` gives a workspace back to its owner).
    pub data_owner: Option<u32>,
    /// Whether the config is more than one file (OpenClaw repairs only single files at start).
    pub config_uses_include: bool,
    /// The OpenClaw release that runs this gateway, where the layout shows it.
    pub release: Option<Sourced<String>>,
    /// Every source in the layout that names a release for this gateway, strongest first
    /// (`resolve::release::detect`); when they disagree, clawlint says so.
    pub release_sources: Vec<Sourced<String>>,
    /// The config checked against that release's schema (set by the validation step).
    /// Shared by the gateways whose configs pass the same check ([`super::verdict`]): inline
    /// it was 176 bytes in every gateway, and most are the same.
    pub validity: Option<std::sync::Arc<crate::validate::Validity>>,
    /// `gateway.bind` (or the container command's `--bind`): unless set, `loopback`, or
    /// `auto` (every address) in a container.
    pub gateway_bind: std::borrow::Cow<'static, str>,
    /// Where the bind mode is set (the config's `gateway.bind`, the command's `--bind`); for
    /// a container's default, the container.
    pub gateway_bind_loc: Option<Loc>,
    /// The container it runs in: its network, published ports and mounts.
    pub container: Option<Box<crate::container::Container>>,
    /// Listeners inside the container's own network namespace (not on the host).
    pub container_listeners: Vec<Listener>,
    /// Values clawlint cannot determine (see [`Unverifiable`]); why is the supervisor's
    /// `how.opaque`.
    pub unverifiable: Vec<Unverifiable>,
}

impl Instance {
    /// The gateway as `service`, its supervisor or one of `other_services`, starts it: a
    /// supervisor that gives it another profile or port starts it as in `other_starts`.
    pub fn as_started_by(&self, service: &ServiceFile) -> &Instance {
        let same = |s: &ServiceFile| s.name == service.name && s.path == service.path;
        self.other_starts
            .iter()
            .find(|i| i.service.as_deref().is_some_and(same))
            .unwrap_or(self)
    }

    /// This gateway and the gateway as each of its other supervisors would start it, where
    /// that differs (`other_starts`).
    pub fn with_other_starts(&self) -> impl Iterator<Item = &Instance> {
        std::iter::once(self).chain(&self.other_starts)
    }

    /// Its listeners are host listeners: a native gateway, or a container on the host
    /// network.
    pub fn listens_on_host(&self) -> bool {
        self.container.as_ref().is_none_or(|c| c.on_host_network())
    }

    /// The gateway starts (OpenClaw does not refuse its config).
    pub fn starts(&self) -> bool {
        self.refusal.is_none()
    }

    /// Its browser when it runs one: enabled, and accepted by OpenClaw (a refused browser
    /// config launches nothing and holds no CDP range).
    pub fn live_browser(&self) -> Option<&Browser> {
        self.browser
            .as_ref()
            .filter(|b| b.enabled && b.error.is_none())
    }

    /// Something runs it: it is not a compose service that every command found starting its
    /// project leaves out (`profiles:`). Such a service binds nothing and holds no file or
    /// token while it does not run, so it takes part in no collision; per-gateway rules still
    /// read it (enabling its profile is one flag away).
    ///
    /// Nor does a gateway whose `OPENCLAW_PROFILE` makes OpenClaw crash before it does
    /// anything ([`Instance::crashes_on_profile`]): it is no default gateway either.
    pub fn launched(&self) -> bool {
        self.container.as_ref().is_none_or(|c| c.starts()) && !self.crashes_on_profile()
    }

    /// It runs and holds what it uses: launched ([`Instance::launched`]), and OpenClaw does
    /// not refuse the way it is started ([`Instance::start_refused`]). A refused start never
    /// opens a log, writes state, connects with a token, launches a browser or claims a
    /// Tailscale route, so it takes part in no collision; per-gateway rules still read it.
    /// A gateway refused only for its config (CL701, CL901, CL501) still counts: that config
    /// is the one being edited, and what it shares is shared as soon as it starts.
    pub fn runs(&self) -> bool {
        self.launched() && !self.start_refused()
    }

    /// OpenClaw refuses how this gateway is started, whatever its config says (CL909: a
    /// `gateway start` it will not carry out, a legacy state dir it cannot migrate, an
    /// invalid profile's start-up migration).
    pub fn start_refused(&self) -> bool {
        !self.starts()
            && self
                .problems
                .iter()
                .any(|p| p.kind == crate::load::ProblemKind::Refused)
    }

    /// OpenClaw exits while loading its modules: its `OPENCLAW_PROFILE` is a name it refuses
    /// and nothing else names its workspace (`openclaw::crashes_on_profile`).
    pub fn crashes_on_profile(&self) -> bool {
        self.crashes_on_profile
    }

    /// The names OpenClaw gives its supervisor services, after the profile. Made when asked
    /// (a few rules and reports), not kept: three strings in every gateway of a large host.
    pub fn service_names(&self) -> ServiceNames {
        super::paths::service_names(self.profile.as_ref().map(|p| p.value.as_str()))
    }

    /// The home of the OS account a user-level supervisor runs the gateway as: the home its
    /// unit or LaunchAgent lies in (`~/.config/systemd/user/`, `~/Library/LaunchAgents/`),
    /// whatever `HOME=` the unit gives the process. `None` for other gateways, whose
    /// `os_home` says.
    pub fn account_home(&self) -> Option<PathBuf> {
        let service = self.service.as_deref()?;
        let path = service.path.to_str()?;
        ["/.config/systemd/user/", "/Library/LaunchAgents/"]
            .iter()
            .find_map(|marker| path.find(marker).map(|at| PathBuf::from(&path[..at])))
    }

    /// clawlint knows this value of the gateway (it is not [`Unverifiable`]).
    pub fn knows(&self, what: Unverifiable) -> bool {
        !self.unverifiable.contains(&what)
    }
}
