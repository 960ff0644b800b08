//! One module per `cargo xtask` command, plus the cargo invocations they share.

pub mod bench;
pub mod check;
pub mod compose;
pub mod dev;
pub mod drill;
pub mod fuzz;
pub mod images;
pub mod podman;
pub mod results;
pub mod test;
pub mod token;

use std::{path::PathBuf, process::Stdio};

use anyhow::{Context, bail};
use tokio::process::Command;
use xtask::paths;
pub use xtask::step;

/// `cargo` as invoked us (the same toolchain), run in the workspace root.
pub fn cargo() -> Command {
    let program = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(program);
    command.current_dir(paths::workspace_root());
    // `cargo run` gave xtask its own package's variables; passed on, they make build scripts
    // that watch them (ring's `CARGO_MANIFEST_DIR`) rerun, and so rebuild half the tree
    // whenever `cargo xtask` and a plain `cargo build` take turns.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || matches!(
                &*name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
            )
        {
            command.env_remove(&*name);
        }
    }
    command
}

/// Builds every binary of the workspace (debug), streaming cargo's own progress.
pub async fn build_binaries() -> anyhow::Result<()> {
    step("Building the router and subgraphs (debug)");
    run_cargo(&["build", "--workspace", "--bins"]).await
}

/// Builds every binary of the workspace with optimisations and returns where they are.
pub async fn build_release_binaries() -> anyhow::Result<PathBuf> {
    step("Building the router and subgraphs (release; the first build takes a while)");
    run_cargo(&["build", "--release", "--workspace", "--bins"]).await?;
    Ok(paths::target_dir().join("release"))
}

/// Runs `cargo <args>` in the workspace, its progress on the console; fails unless it succeeds.
pub async fn run_cargo(args: &[&str]) -> anyhow::Result<()> {
    let status = cargo()
        .args(args)
        .stdin(Stdio::null())
        .status()
        .await
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}
