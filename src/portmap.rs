//! `clawlint ports`: the port map of every gateway. (Being written.)

use crate::cli::PortsArgs;
use crate::commands::{failure, Failure, EXIT_INPUT};

pub fn command(_args: &PortsArgs) -> Result<u8, Failure> {
    Err(failure(EXIT_INPUT, "ports is not implemented yet"))
}
