//! `cargo xtask test`: every test, against a real MongoDB. Builds the binaries the end-to-end
//! tests start, provides a throwaway local MongoDB unless `MONGODB_URI` is given, installs the
//! Node test tools (the reference composer), Podman and Chromium, builds the web storefront and
//! the container images, runs the schema checks, then `cargo test` over the workspace.

use std::{process::Stdio, time::Duration};

use anyhow::{Context, bail};
use clap::Args;
use xtask::{
    containers,
    mongo::{self, LocalMongo},
    paths,
    process::{Output, free_port},
    python_tools, schema_check, system, web,
};

use super::{build_binaries, cargo, step};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Use this MongoDB instead of starting a throwaway local one
    #[arg(long, env = "MONGODB_URI")]
    mongodb_uri: Option<String>,

    /// Arguments passed on to `cargo test` (e.g. `-- contract`)
    #[arg(last = true)]
    cargo_test_args: Vec<String>,
}

pub async fn run(args: TestArgs) -> anyhow::Result<()> {
    build_binaries().await?;
    step("Schema checks (cargo xtask check)");
    let check = schema_check::router_check(
        &paths::debug_bin_dir(),
        &paths::dev_dir().join("check"),
        &[],
    )?
    .status()
    .context("cannot run router check")?;
    let node_tools = install_node_tools().await?;
    step("Web storefront and Chromium for the browser tests");
    let web_dist = web::ensure_bundle().await?;
    web::ensure_chromium().await?;
    step("Container images (Podman; the first run installs it and makes the base images)");
    let python_tools = python_tools::ensure().await?;
    containers::ensure_podman().await?;
    containers::ensure_base_images(&paths::debug_bin_dir().join("router")).await?;
    containers::build_prebuilt(&paths::debug_bin_dir(), &web_dist).await?;

    let scratch = paths::dev_dir().join("test-run");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    // The reliability tests run MongoDB processes of their own, to kill.
    let binary = mongo::ensure_binary(&paths::dev_dir()).await?;
    let (local_mongo, mongodb_uri) = match args.mongodb_uri {
        Some(uri) => (None, uri),
        None => {
            let port = free_port()?;
            step(&format!("Starting a throwaway MongoDB on 127.0.0.1:{port}"));
            let log = Output::File(scratch.join("mongod.log"));
            let local = LocalMongo::start(&binary, &scratch.join("mongodb"), port, &log).await?;
            let uri = local.uri();
            (Some(local), uri)
        }
    };

    step("Running cargo test --workspace");
    let status = cargo()
        .args(["test", "--workspace", "--no-fail-fast"])
        .args(&args.cargo_test_args)
        .env("MONGODB_URI", &mongodb_uri)
        .env("STOREFRONT_MONGOD", &binary)
        .env("STOREFRONT_BIN_DIR", paths::debug_bin_dir())
        .env("STOREFRONT_NODE_TOOLS", &node_tools)
        .env("STOREFRONT_PYTHON_TOOLS", &python_tools)
        .env("STOREFRONT_WEB_DIST", &web_dist)
        .env("STOREFRONT_SCRATCH_DIR", &scratch)
        .stdin(Stdio::null())
        .status()
        .await
        .context("cannot run cargo test")?;

    if let Some(mongo) = local_mongo {
        mongo.service.stop(Duration::from_secs(20)).await;
    }
    if !status.success() {
        bail!(
            "tests failed ({status}); service logs are in {}",
            scratch.display()
        );
    }
    if !check.success() {
        bail!("the schema checks failed ({check}); see their report above");
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// Installs the pinned Node test tools (`tools/node/package-lock.json`) into `.dev/node`.
async fn install_node_tools() -> anyhow::Result<std::path::PathBuf> {
    let source = paths::workspace_root().join("tools/node");
    let target = paths::dev_dir().join("node");
    std::fs::create_dir_all(&target)?;
    // Scripts live beside node_modules so their ES-module imports resolve there.
    for entry in std::fs::read_dir(&source)? {
        let path = entry?.path();
        let is_script = path.extension().is_some_and(|ext| ext == "mjs");
        let is_package = ["package.json", "package-lock.json"]
            .iter()
            .any(|name| path.file_name().is_some_and(|file| file == *name));
        if is_script || is_package {
            std::fs::copy(&path, target.join(path.file_name().expect("a file")))?;
        }
    }
    system::npm_ci(&target, "the Node test tools")
        .await
        .context("npm (Node.js) is needed for the test tools")?;
    Ok(target)
}
