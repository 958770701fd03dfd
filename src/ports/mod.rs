//! The port domain: where a gateway's ports lie (`layout`), the one free-port allocator
//! (`allocate`), the port map of a host that `clawlint ports` prints and draws (`map`, `svg`).

pub mod allocate;
pub mod layout;
pub mod map;
pub mod svg;
