//! Images built from source, as `docker compose -f docker/compose.yaml up --build` builds them
//! for users: `docker/Dockerfile`'s own build stages, run on local stand-ins for its builder
//! images (`rust`, `node`), made from the toolchains on this machine, since no registry can give
//! us the official ones here. The Dockerfile stays what users run; only the image arguments
//! point at the stand-ins.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::Context;
use tokio::process::Command;

use super::{bookworm_tree, image_exists, import, target, work_dir};
use crate::{
    paths,
    process::run_to_completion,
    system::{self, run},
};

/// Where source-built images are tagged, apart from the prebuilt ones the Compose suite runs.
pub const SOURCE_REGISTRY: &str = "storefront-source";

/// The image the test suite builds from source: the smallest (the one-shot MongoDB setup, which
/// links no GraphQL stack), so a cold run stays short.
pub const PROBE_SERVICE: &str = "storefront-ops";

/// `storefront-source/<service>:latest`.
pub fn image(service: &str) -> String {
    format!("{SOURCE_REGISTRY}/{service}:{}", super::TAG)
}

/// The stand-ins for the Dockerfile's `RUST_IMAGE` and `NODE_IMAGE`, named after the
/// toolchains in them.
struct Builders {
    rust: String,
    node: String,
}

/// What `program args…` prints, trimmed.
async fn output_of(program: &str, args: &[&str]) -> anyhow::Result<String> {
    let mut command = Command::new(program);
    command.args(args);
    let output = run_to_completion(&format!("{program} {}", args.join(" ")), command).await?;
    Ok(output.trim().to_owned())
}

/// What this machine's toolchains are: the stand-ins' names and the source build's cache key.
async fn toolchain_versions() -> anyhow::Result<(String, String)> {
    Ok((
        output_of("rustc", &["-vV"]).await?,
        output_of("node", &["--version"]).await?,
    ))
}

/// `1.95` from `rustc -vV`'s `release: 1.95.0`; `20` from `v20.20.2`.
fn short_versions(rustc: &str, node: &str) -> anyhow::Result<(String, String)> {
    let release = rustc
        .lines()
        .find_map(|line| line.strip_prefix("release: "))
        .context("`rustc -vV` names no release")?;
    let rust = release.split('.').take(2).collect::<Vec<_>>().join(".");
    let node = node
        .trim_start_matches('v')
        .split('.')
        .next()
        .unwrap_or_default();
    Ok((rust, node.to_owned()))
}

/// Raised whenever the stand-ins are made differently, so a machine holding older ones makes
/// them again (2: Node.js trusts this machine's certificate authorities too).
const BUILDERS_RECIPE: u32 = 2;

/// The builder stand-ins, made when missing: a Debian bookworm tree with a C toolchain (as the
/// official `rust:*-slim` image has), this machine's Rust toolchain in `/usr/local/cargo` and
/// its Node.js with npm in `/usr/local`, tagged under both names.
async fn ensure_builders() -> anyhow::Result<Builders> {
    let (rustc, node) = toolchain_versions().await?;
    let (rust_version, node_version) = short_versions(&rustc, &node)?;
    let builders = Builders {
        rust: format!(
            "localhost/storefront-standin/rust:{rust_version}-slim-bookworm-r{BUILDERS_RECIPE}"
        ),
        node: format!(
            "localhost/storefront-standin/node:{node_version}-bookworm-slim-r{BUILDERS_RECIPE}"
        ),
    };
    if image_exists(&builders.rust).await && image_exists(&builders.node).await {
        return Ok(builders);
    }
    let tree = bookworm_tree("bookworm-build", &["ca-certificates", "gcc", "libc6-dev"]).await?;
    crate::step(&format!(
        "Importing the stand-ins for the builder images ({} and {})",
        builders.rust, builders.node
    ));
    let sysroot = output_of("rustc", &["--print", "sysroot"]).await?;
    let cargo_home = tree.join("usr/local/cargo");
    let _ = std::fs::remove_dir_all(&cargo_home);
    std::fs::create_dir_all(&cargo_home)?;
    // The toolchain without its documentation (share/), which is most of its size.
    for part in ["bin", "lib", "libexec", "etc"] {
        let from = Path::new(&sysroot).join(part);
        if from.exists() {
            copy_preserving(&from, &cargo_home).await?;
        }
    }
    let node_binary = output_of("which", &["node"])
        .await
        .context("node is needed for the builder stand-in")?;
    let node_binary = std::fs::canonicalize(node_binary)?;
    let npm_root = output_of("npm", &["root", "-g"]).await?;
    let local = tree.join("usr/local");
    std::fs::create_dir_all(local.join("bin"))?;
    std::fs::create_dir_all(local.join("lib/node_modules"))?;
    std::fs::copy(&node_binary, local.join("bin/node")).context("copying node")?;
    let npm = local.join("lib/node_modules/npm");
    let _ = std::fs::remove_dir_all(&npm);
    copy_preserving(
        &Path::new(&npm_root).join("npm"),
        &local.join("lib/node_modules"),
    )
    .await?;
    for (link, script) in [("npm", "npm-cli.js"), ("npx", "npx-cli.js")] {
        let link = local.join("bin").join(link);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(format!("../lib/node_modules/npm/bin/{script}"), link)?;
    }
    // This machine's certificate authorities: where the official images trust the public ones,
    // the stand-ins must trust whatever this machine's own downloads go through.
    std::fs::copy(
        "/etc/ssl/certs/ca-certificates.crt",
        tree.join("etc/ssl/certs/ca-certificates.crt"),
    )
    .context("copying this machine's CA certificates into the builder tree")?;
    let changes = [
        "ENV CARGO_HOME=/usr/local/cargo",
        "ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        // npm trusts only Node's bundled authorities unless told of the system's.
        "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
    ];
    import(&tree, &builders.rust, &changes).await?;
    import(&tree, &builders.node, &changes).await?;
    Ok(builders)
}

/// `cp -a from into/`: trees with their links and modes, as the toolchains are installed.
async fn copy_preserving(from: &Path, into: &Path) -> anyhow::Result<()> {
    run("cp -a", Command::new("cp").arg("-a").arg(from).arg(into)).await
}

/// Builds `services`' images from source with `docker/Dockerfile` (its `build` and
/// `bundle-build` stages, with their cache mounts, so a rebuild after a small change is
/// incremental), tagged `storefront-source/<service>`. `cargo_build_args` narrows what the
/// build stage compiles (the Dockerfile's `CARGO_BUILD_ARGS`; every binary by default).
/// Returns how long the builds took.
pub async fn build(services: &[&str], cargo_build_args: Option<&str>) -> anyhow::Result<Duration> {
    let builders = ensure_builders().await?;
    let root = paths::workspace_root();
    let started = Instant::now();
    for service in services {
        crate::step(&format!(
            "Building image {} from source (docker/Dockerfile's build stage)",
            image(service)
        ));
        let mut command = Command::new("podman");
        command
            .args(["build", "--format", "docker"])
            .args(["--target", target(service)])
            // The Dockerfile's default, said again: Podman 4.3's buildah follows a stage named
            // by an ARG (`FROM ${BINARIES}`) only when the build argument is passed.
            .args(["--build-arg", "BINARIES=build"])
            .args(["--build-arg", &format!("SERVICE={service}")])
            .args(["--build-arg", &format!("RUST_IMAGE={}", builders.rust)])
            .args(["--build-arg", &format!("NODE_IMAGE={}", builders.node)]);
        if let Some(args) = cargo_build_args {
            command.args(["--build-arg", &format!("CARGO_BUILD_ARGS={args}")]);
        }
        command
            .arg("-f")
            .arg(root.join("docker/Dockerfile"))
            .args(["-t", &image(service)])
            .arg(&root);
        run(&format!("podman build {service} from source"), &mut command).await?;
    }
    Ok(started.elapsed())
}

/// [`PROBE_SERVICE`]'s image built from source, when the Dockerfile, `Cargo.lock` or the
/// toolchains changed since it was last built here (a content hash, as the web bundle's);
/// returns its name. What the test suite runs to prove the users' source build works.
pub async fn ensure_probe_image() -> anyhow::Result<String> {
    let root = paths::workspace_root();
    let (rustc, node) = toolchain_versions().await?;
    let dockerfile = std::fs::read(root.join("docker/Dockerfile"))?;
    let lock = std::fs::read(root.join("Cargo.lock"))?;
    let stamp = system::content_hash(&[&dockerfile, &lock, rustc.as_bytes(), node.as_bytes()]);
    let stamp_path = work_dir().join(format!("{PROBE_SERVICE}-from-source.hash"));
    let name = image(PROBE_SERVICE);
    if image_exists(&name).await
        && std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str())
    {
        return Ok(name);
    }
    let took = build(&[PROBE_SERVICE], Some(&format!("--bin {PROBE_SERVICE}"))).await?;
    println!("  {name} built from source in {:.0} s", took.as_secs_f64());
    std::fs::write(&stamp_path, stamp)?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stand_ins_are_named_after_the_toolchains() {
        let rustc = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\nrelease: 1.95.0\n";
        assert_eq!(
            super::short_versions(rustc, "v20.20.2").unwrap(),
            ("1.95".to_owned(), "20".to_owned())
        );
    }
}
