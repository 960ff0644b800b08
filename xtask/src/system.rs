//! Debian packages a command needs, installed when missing (as root, like these machines), or a
//! clear message saying which to install.

use std::process::Stdio;

use anyhow::{Context, bail};
use tokio::process::Command;

/// Makes sure every program in `programs` is on the PATH, installing `packages` with apt-get
/// when one is not; `purpose` says what needs them.
pub async fn ensure_programs(
    programs: &[&str],
    packages: &[&str],
    purpose: &str,
) -> anyhow::Result<()> {
    let mut missing = false;
    for program in programs {
        missing |= !has(program).await;
    }
    if !missing {
        return Ok(());
    }
    if !nix::unistd::geteuid().is_root() || !has("apt-get").await {
        bail!(
            "{purpose} needs {}: on Debian, as root, `apt-get install {}` (or run the command \
             as root, which installs them)",
            programs.join(", "),
            packages.join(" ")
        );
    }
    crate::step(&format!(
        "Installing {} for {purpose} (apt-get, first run only)",
        packages.join(" ")
    ));
    run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-qq"]),
    )
    .await?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive");
    run(
        &format!("apt-get install {}", packages.join(" ")),
        &mut install,
    )
    .await
}

/// Whether `program` is on the PATH.
pub async fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .await
        .is_ok_and(|status| status.success())
}

/// Runs `command` with its output on the console; fails unless it succeeds.
pub async fn run(name: &str, command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .stdin(Stdio::null())
        .status()
        .await
        .with_context(|| format!("cannot run {name}"))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}
