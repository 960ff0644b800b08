//! One module per `cargo xtask` command, plus the cargo invocations they share.

pub mod check;
pub mod compose;
pub mod dev;
pub mod test;
pub mod token;

use std::{io::IsTerminal, process::Stdio};

use anyhow::{Context, bail};
use tokio::process::Command;
use xtask::paths;

/// `cargo` as invoked us (the same toolchain), run in the workspace root.
pub fn cargo() -> Command {
    let program = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(program);
    command.current_dir(paths::workspace_root());
    command
}

/// Builds every binary of the workspace (debug), streaming cargo's own progress.
pub async fn build_binaries() -> anyhow::Result<()> {
    step("Building the router and subgraphs (debug)");
    let status = cargo()
        .args(["build", "--workspace", "--bins"])
        .stdin(Stdio::null())
        .status()
        .await
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("cargo build failed ({status})");
    }
    Ok(())
}

/// One line of progress on stderr, set apart from the output of the tools it runs (stdout
/// stays free for what a command produces: a token, a JSON report).
pub fn step(message: &str) {
    if std::io::stderr().is_terminal() {
        eprintln!("\x1b[1m▸ {message}\x1b[0m");
    } else {
        eprintln!("▸ {message}");
    }
}
