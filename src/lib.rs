//! clawlint: a static linter for hosts that run several OpenClaw gateways.
//!
//! The pipeline: discover → load → resolve → rules → suppress → report.

pub mod discover;
pub mod load;
pub mod paths;
pub mod resolve;
pub mod source;
