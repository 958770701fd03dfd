//! Where a gateway's ports lie relative to its base port B, as OpenClaw 2026.9.6 derives them
//! (openclaw-facts.md §2): one place for the offsets and the footprint that resolve, the rules,
//! `plan`, `ports` and the picture all use.

/// OpenClaw's default gateway port, and the first base the allocator tries.
pub const DEFAULT_GATEWAY_PORT: u16 = 18789;
/// MCP Apps sandbox: B + 1.
pub const SANDBOX_OFFSET: u32 = 1;
/// Browser control: B + 2.
pub const CONTROL_OFFSET: u32 = 2;
/// The first extension relay OpenClaw counts down from: B + 10 (control + 8).
pub const RELAY_OFFSET: u32 = 10;
/// The managed CDP range starts at B + 11.
pub const CDP_RANGE_OFFSET: u32 = 11;
/// Every gateway reserves [B, B + 110]: gateway, sandbox, control, relays and CDP range.
pub const FOOTPRINT: u32 = 111;
/// The fixed CDP range OpenClaw falls back to when B + 110 is past 65535.
pub const FALLBACK_CDP_RANGE: PortSpan = PortSpan {
    start: 18800,
    end: 18899,
};
/// The highest base port whose footprint fits below 65536.
pub const MAX_BASE: u32 = 65535 - (FOOTPRINT - 1);

/// An inclusive range of ports. `u32` so that `base + 110` never wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortSpan {
    pub start: u32,
    pub end: u32,
}

impl PortSpan {
    pub fn contains(&self, port: u32) -> bool {
        self.start <= port && port <= self.end
    }

    pub fn len(&self) -> u32 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        self.end < self.start
    }

    pub fn text(&self) -> String {
        format!("{}..{}", self.start, self.end)
    }
}

/// The CDP range a gateway's live browser holds ([`Instance::live_browser`]), as a span: the
/// one place the allocator, the port map and the fixes take it from.
pub fn live_cdp(instance: &crate::resolve::model::Instance) -> Option<PortSpan> {
    instance.live_browser().map(|b| PortSpan {
        start: u32::from(b.cdp_range.start),
        end: u32::from(b.cdp_range.end),
    })
}

/// A gateway's footprint: `[B, B+110]`, cut at 65535.
pub fn footprint(base: u16) -> PortSpan {
    let start = u32::from(base);
    PortSpan {
        start,
        end: (start + FOOTPRINT - 1).min(65535),
    }
}
