//! The web storefront's bundle: npm packages installed from `web/package-lock.json` and the
//! bundle built once per change of its inputs (the app, its config, the contract it is typed
//! from), so `cargo xtask dev` and the tests start at once when nothing changed. And Chromium,
//! which the browser tests drive.

use std::path::{Path, PathBuf};

use anyhow::Context;
use tokio::process::Command;

use crate::{paths, stack::Stack, system};

/// The web app's folder.
pub fn web_dir() -> PathBuf {
    paths::workspace_root().join("web")
}

/// The built bundle `storefront-web` serves.
pub fn dist_dir() -> PathBuf {
    web_dir().join("dist")
}

/// Where Debian's Chromium is; the browser tests launch it there (never a downloaded browser).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Installs the npm packages when the lock file changed, then builds the bundle when any of
/// its inputs changed; returns the bundle's folder.
pub async fn ensure_bundle() -> anyhow::Result<PathBuf> {
    ensure_packages().await?;
    let stamp_path = dist_dir().join(".inputs-hash");
    let stamp = inputs_hash()?;
    if std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str()) {
        return Ok(dist_dir());
    }
    crate::step(
        "Building the web storefront (npm run build: types from the contract, type check, bundle)",
    );
    let mut build = Command::new("npm");
    build
        .current_dir(web_dir())
        .args(["run", "--silent", "build"]);
    system::run("npm run build (web/)", &mut build).await?;
    std::fs::write(&stamp_path, stamp)
        .with_context(|| format!("writing {}", stamp_path.display()))?;
    Ok(dist_dir())
}

/// `node <args>` in `web/`, pointed at `stack`'s web storefront and router and at Chromium:
/// how the browser tests and the budget measurements run.
pub fn node_against(stack: &Stack, args: &[&str]) -> anyhow::Result<Command> {
    let web = stack
        .web_url()
        .context("the stack serves no web storefront")?;
    let mut command = Command::new("node");
    command
        .current_dir(web_dir())
        .args(args)
        .env("STOREFRONT_URL", web)
        .env("STOREFRONT_GRAPHQL_URL", stack.router_url())
        .env("CHROMIUM", CHROMIUM);
    Ok(command)
}

/// Chromium from Debian for the browser tests, installed when missing.
pub async fn ensure_chromium() -> anyhow::Result<()> {
    system::ensure_programs(&["chromium"], &["chromium"], "the browser tests").await
}

async fn ensure_packages() -> anyhow::Result<()> {
    system::npm_ci(&web_dir(), "the web storefront's npm packages")
        .await
        .context("Node.js and npm are needed for the web storefront")
}

/// A hash of everything the bundle is built from.
fn inputs_hash() -> anyhow::Result<String> {
    let root = paths::workspace_root();
    let web = web_dir();
    let mut files = Vec::new();
    for file in [
        "index.html",
        "package-lock.json",
        "codegen.ts",
        "vite.config.ts",
        "tsconfig.json",
    ] {
        files.push(web.join(file));
    }
    collect_files(&web.join("src"), &mut files)?;
    collect_files(&paths::contract_dir(), &mut files)?;
    files.retain(|file| !file.ends_with("src/graphql/types.generated.ts"));
    files.sort();
    let mut contents = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        contents.push(
            file.strip_prefix(&root)
                .unwrap_or(file)
                .display()
                .to_string()
                .into_bytes(),
        );
        contents.push(bytes);
    }
    let parts: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    Ok(system::content_hash(&parts))
}

fn collect_files(folder: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in
        std::fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, found)?;
        } else {
            found.push(path);
        }
    }
    Ok(())
}
