//! The dev stack as a library: provisioning a local MongoDB, running the subgraphs and the
//! router as supervised child processes, and waiting for them to be ready. `cargo xtask dev`
//! and the end-to-end tests start the system through this same code.

pub mod containers;
pub mod mongo;
pub mod netns;
pub mod paths;
pub mod process;
pub mod python_tools;
pub mod roster;
pub mod schema_check;
pub mod stack;
pub mod system;
pub mod web;

/// One line of progress on stderr, set apart from the output of the tools it runs (stdout
/// stays free for what a command produces: a token, a JSON report).
pub fn step(message: &str) {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprintln!("\x1b[1m▸ {message}\x1b[0m");
    } else {
        eprintln!("▸ {message}");
    }
}
