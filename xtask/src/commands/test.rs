//! `cargo xtask test`: every test, against a real MongoDB. Builds the binaries the end-to-end
//! tests start, provides a throwaway local MongoDB unless `MONGODB_URI` is given, installs the
//! Node test tools (the reference composer), Podman and Chromium, builds the web storefront and
//! the container images (one of them from source, as users build it), runs the schema checks,
//! then `cargo test` over the workspace.

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
    step("promtool for the alert rules' checks and unit tests");
    system::ensure_programs(&["promtool"], &["prometheus"], "the alert rule tests").await?;
    step("iproute2 and iptables for the multi-host drills");
    super::drill::ensure_tools().await?;
    step("Container images (Podman; the first run installs it and makes the base images)");
    let python_tools = python_tools::ensure().await?;
    containers::ensure_podman().await?;
    containers::ensure_base_images(&paths::debug_bin_dir().join("router")).await?;
    containers::ensure_prometheus_standin().await?;
    containers::build_prebuilt(&paths::debug_bin_dir(), &web_dist).await?;
    step(&format!(
        "The {} image built from source (docker/Dockerfile's build stage; again only when the \
         Dockerfile, Cargo.lock or the toolchain changed)",
        containers::source::PROBE_SERVICE
    ));
    let source_image = containers::source::ensure_probe_image().await?;

    let mut cargo_args = vec!["--workspace"];
    cargo_args.extend(args.cargo_test_args.iter().map(String::as_str));
    let status = cargo_test_with_mongodb(
        args.mongodb_uri,
        &cargo_args,
        &[
            ("STOREFRONT_NODE_TOOLS", node_tools.into_os_string()),
            ("STOREFRONT_PYTHON_TOOLS", python_tools.into_os_string()),
            ("STOREFRONT_WEB_DIST", web_dist.into_os_string()),
            ("STOREFRONT_SOURCE_IMAGE", source_image.into()),
        ],
    )
    .await?;
    if !status.success() {
        bail!(
            "tests failed ({status}); service logs are in {}",
            scratch_dir().display()
        );
    }
    if !check.success() {
        bail!("the schema checks failed ({check}); see their report above");
    }
    let _ = std::fs::remove_dir_all(scratch_dir());
    Ok(())
}

/// Where a run's service logs and MongoDB data go.
fn scratch_dir() -> std::path::PathBuf {
    paths::dev_dir().join("test-run")
}

/// `cargo test <cargo_args>` (no fail-fast) with what the end-to-end tests read from their
/// environment: MongoDB (`mongodb_uri`, else a throwaway local one), the `mongod` binary the
/// reliability tests run their own from, the debug binaries, a fresh scratch folder, and
/// `extra_env`. Returns how cargo exited.
pub async fn cargo_test_with_mongodb(
    mongodb_uri: Option<String>,
    cargo_args: &[&str],
    extra_env: &[(&str, std::ffi::OsString)],
) -> anyhow::Result<std::process::ExitStatus> {
    let scratch = scratch_dir();
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let binary = mongo::ensure_binary(&paths::dev_dir()).await?;
    let (local_mongo, mongodb_uri) = match mongodb_uri {
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

    step(&format!("Running cargo test {}", cargo_args.join(" ")));
    let status = cargo()
        .arg("test")
        .arg("--no-fail-fast")
        .args(cargo_args)
        .env("MONGODB_URI", &mongodb_uri)
        .env("STOREFRONT_MONGOD", &binary)
        .env("STOREFRONT_BIN_DIR", paths::debug_bin_dir())
        .env("STOREFRONT_SCRATCH_DIR", &scratch)
        .envs(extra_env.iter().cloned())
        .stdin(Stdio::null())
        .status()
        .await
        .context("cannot run cargo test")?;

    if let Some(mongo) = local_mongo {
        mongo.service.stop(Duration::from_secs(20)).await;
    }
    Ok(status)
}

/// Installs the pinned Node test tools (`tools/node/package-lock.json`) into `.dev/node`.
async fn install_node_tools() -> anyhow::Result<std::path::PathBuf> {
    let target = paths::dev_dir().join("node");
    system::install_node_folder(
        &paths::workspace_root().join("tools/node"),
        &target,
        "the Node test tools",
    )
    .await
    .context("npm (Node.js) is needed for the test tools")?;
    Ok(target)
}
