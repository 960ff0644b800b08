//! Debian packages a command needs, installed when missing (as root, like these machines), or a
//! clear message saying which to install; and npm packages, installed from a lock file.

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    path::Path,
    process::Stdio,
};

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

/// `npm ci` in `folder` unless its `node_modules` was installed from the same
/// `package-lock.json` (a hash of it is kept beside the packages); `what` names them in the
/// progress line.
pub async fn npm_ci(folder: &Path, what: &str) -> anyhow::Result<()> {
    let lock_path = folder.join("package-lock.json");
    let lock =
        std::fs::read(&lock_path).with_context(|| format!("reading {}", lock_path.display()))?;
    let lock_hash = content_hash(&[&lock]);
    let stamp = folder.join("node_modules/.storefront-lock-hash");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock_hash.as_str()) {
        return Ok(());
    }
    crate::step(&format!("Installing {what} (npm ci, first run only)"));
    let mut install = Command::new("npm");
    install
        .current_dir(folder)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
    run(&format!("npm ci ({})", folder.display()), &mut install).await?;
    std::fs::write(&stamp, lock_hash).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(())
}

/// Copies the scripts (`.mjs`) and npm manifests of `source` (a folder of the repository) into
/// `target` and installs its packages there with [`npm_ci`]: scripts live beside
/// `node_modules` so their ES-module imports resolve.
pub async fn install_node_folder(source: &Path, target: &Path, what: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(target)?;
    for entry in std::fs::read_dir(source)? {
        let path = entry?.path();
        let is_script = path.extension().is_some_and(|ext| ext == "mjs");
        let is_package = ["package.json", "package-lock.json"]
            .iter()
            .any(|name| path.file_name().is_some_and(|file| file == *name));
        if is_script || is_package {
            std::fs::copy(&path, target.join(path.file_name().expect("a file")))?;
        }
    }
    npm_ci(target, what).await
}

/// Whether `program` is on the PATH.
pub async fn has(program: &str) -> bool {
    locate(program).await.is_ok()
}

/// Where `program` is on the PATH.
pub async fn locate(program: &str) -> anyhow::Result<std::path::PathBuf> {
    let mut command = Command::new("sh");
    command.args(["-c", &format!("command -v {program}")]);
    let path = crate::process::run_to_completion(&format!("looking for {program}"), command)
        .await
        .with_context(|| format!("{program} is not on the PATH"))?;
    Ok(path.trim().into())
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

/// A short hash of `parts`, to tell whether inputs changed since a stamp was written (not
/// stable across Rust releases, which only costs one rebuild).
pub fn content_hash(parts: &[&[u8]]) -> String {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
