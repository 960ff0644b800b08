//! The dev stack as a library: provisioning a local MongoDB, running the subgraphs and the
//! router as supervised child processes, and waiting for them to be ready. `cargo xtask dev`
//! and the end-to-end tests start the system through this same code.

pub mod identity;
pub mod mongo;
pub mod paths;
pub mod process;
pub mod roster;
pub mod schema_check;
pub mod stack;
