//! Containers on this machine: Podman and podman-compose (installed on Debian when missing),
//! local stand-ins for the public base images no registry can give us here, and the
//! storefront's images built from `docker/Dockerfile`. `cargo xtask images` and `cargo xtask
//! test` use it; the container suite then runs `docker/compose.yaml` against these images.
//!
//! The stand-ins keep the Dockerfile and the Compose file exactly what users run: the runtime
//! base is tagged with distroless's public name (glibc, CA certificates, no shell), and MongoDB
//! is the dev stack's pinned `mongod` in an image the Compose file takes as `MONGO_IMAGE`.

pub mod compose;
pub mod source;

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::Context;
use tokio::process::Command;

use crate::{
    paths,
    process::run_to_completion,
    roster::SUBGRAPHS,
    system::{self, run},
};

/// Where images are tagged: `storefront/<service>:latest`, as the Compose file names them.
pub const REGISTRY: &str = "storefront";
pub const TAG: &str = "latest";
/// The runtime base `docker/Dockerfile` names.
pub const RUNTIME_BASE: &str = "gcr.io/distroless/cc-debian12:nonroot";
/// The stand-in for the official `mongo` image: the dev stack's mongod 6.0.5.
pub const MONGO_STANDIN: &str = "localhost/storefront-standin/mongo:6.0.5";
/// The stand-in for the official Prometheus image (Compose's `monitoring` profile): Debian's
/// `prometheus` on the distroless stand-in, laid out as the official image is.
pub const PROMETHEUS_STANDIN: &str = "localhost/storefront-standin/prometheus:2.42";
/// Debian packages Podman needs here (crun refuses this VM's cgroup layout: runc instead).
const PODMAN_PACKAGES: &[&str] = &[
    "podman",
    "runc",
    "debootstrap",
    "uidmap",
    "slirp4netns",
    "netavark",
    "aardvark-dns",
    // netavark sets up container networks with it.
    "iptables",
];
/// What this VM needs in containers.conf: runc, and ulimits it can grant.
const CONTAINERS_CONF: &str = "# Written by the storefront's `cargo xtask` (xtask/src/containers.rs).\n\
[engine]\nruntime = \"runc\"\n\n[containers]\n\
default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]\n";

/// The web storefront's image (and binary): the Dockerfile's `web` target.
pub const WEB: &str = "storefront-web";

/// Every image the system runs as: the router, each subgraph, the web storefront and the
/// one-shot MongoDB setup.
pub fn services() -> Vec<&'static str> {
    let mut services = vec!["router", "storefront-ops", WEB];
    services.extend(SUBGRAPHS.iter().map(|spec| spec.name));
    services
}

/// The Dockerfile target that builds `service`'s image.
pub(crate) fn target(service: &str) -> &'static str {
    if service == WEB { "web" } else { "runtime" }
}

/// `storefront/<service>:latest`.
pub fn image(service: &str) -> String {
    format!("{REGISTRY}/{service}:{TAG}")
}

/// Podman, installed when missing (as root on Debian; otherwise says how), and configured for
/// this VM. podman-compose comes with the Python test tools (`python_tools`).
pub async fn ensure_podman() -> anyhow::Result<()> {
    let is_root = nix::unistd::geteuid().is_root();
    system::ensure_programs(
        &["podman", "iptables"],
        PODMAN_PACKAGES,
        "the container suite",
    )
    .await?;
    if is_root {
        let conf = Path::new("/etc/containers/containers.conf");
        let current = std::fs::read_to_string(conf).unwrap_or_default();
        if !current.contains("runtime = \"runc\"") || !current.contains("default_ulimits") {
            std::fs::create_dir_all("/etc/containers")?;
            std::fs::write(conf, CONTAINERS_CONF).context("writing containers.conf")?;
        }
    }
    Ok(())
}

/// The stand-in base images, made once from a Debian bookworm tree (cached in `.dev`).
pub async fn ensure_base_images(probe_binary: &Path) -> anyhow::Result<()> {
    if image_exists(RUNTIME_BASE).await && image_exists(MONGO_STANDIN).await {
        return Ok(());
    }
    let work = work_dir();
    let rootfs = bookworm_tree("bookworm", &["ca-certificates", "libcurl4"]).await?;
    if !image_exists(RUNTIME_BASE).await {
        crate::step(&format!("Importing the stand-in for {RUNTIME_BASE}"));
        let tree = work.join("distroless");
        let _ = std::fs::remove_dir_all(&tree);
        distroless_tree(&rootfs, &tree, probe_binary).await?;
        import(&tree, RUNTIME_BASE, &["USER 65532:65532"]).await?;
    }
    if !image_exists(MONGO_STANDIN).await {
        crate::step(&format!(
            "Importing the stand-in for the official mongo image ({MONGO_STANDIN})"
        ));
        let mongod = crate::mongo::ensure_binary(&paths::dev_dir()).await?;
        let bin = rootfs.join("usr/bin/mongod");
        std::fs::copy(&mongod, &bin).context("copying mongod into the tree")?;
        std::fs::create_dir_all(rootfs.join("data/db"))?;
        std::os::unix::fs::chown(rootfs.join("data/db"), Some(999), Some(999))?;
        let passwd = rootfs.join("etc/passwd");
        let users = std::fs::read_to_string(&passwd)?;
        if !users.contains("mongodb:") {
            std::fs::write(
                &passwd,
                users + "mongodb:x:999:999::/data/db:/usr/sbin/nologin\n",
            )?;
        }
        import(
            &rootfs,
            MONGO_STANDIN,
            &[
                "USER 999:999",
                "ENTRYPOINT [\"/usr/bin/mongod\"]",
                "EXPOSE 27017",
            ],
        )
        .await?;
        std::fs::remove_file(&bin)?;
    }
    Ok(())
}

/// The Prometheus stand-in ([`PROMETHEUS_STANDIN`]), made once from this machine's Debian
/// `prometheus` (installed when missing) over the distroless stand-in: `/bin/prometheus`, its
/// storage at `/prometheus` owned by `nobody`, who runs it, as in the official image.
pub async fn ensure_prometheus_standin() -> anyhow::Result<()> {
    if image_exists(PROMETHEUS_STANDIN).await {
        return Ok(());
    }
    system::ensure_programs(
        &["prometheus"],
        &["prometheus"],
        "the Prometheus stand-in image",
    )
    .await?;
    crate::step(&format!(
        "Building the stand-in for the official Prometheus image ({PROMETHEUS_STANDIN})"
    ));
    let context = work_dir().join("prometheus");
    let _ = std::fs::remove_dir_all(&context);
    std::fs::create_dir_all(context.join("data"))?;
    let binary = system::locate("prometheus").await?;
    std::fs::copy(&binary, context.join("prometheus"))
        .with_context(|| format!("copying {}", binary.display()))?;
    std::fs::write(
        context.join("Containerfile"),
        format!(
            "FROM {RUNTIME_BASE}\n\
             COPY prometheus /bin/prometheus\n\
             COPY --chown=65534:65534 data/ /prometheus/\n\
             USER 65534:65534\n\
             WORKDIR /prometheus\n\
             EXPOSE 9090\n\
             ENTRYPOINT [\"/bin/prometheus\"]\n"
        ),
    )?;
    let mut build = Command::new("podman");
    build
        .args(["build", "--quiet", "-t", PROMETHEUS_STANDIN])
        .arg(&context);
    run("podman build (Prometheus stand-in)", &mut build).await?;
    std::fs::remove_dir_all(&context)?;
    Ok(())
}

/// Where the stand-ins' trees and the build contexts are made.
fn work_dir() -> PathBuf {
    paths::dev_dir().join("containers")
}

/// A minimal Debian bookworm tree with `packages` (made once by debootstrap into
/// `.dev/containers/<name>`, reused after); its path.
async fn bookworm_tree(name: &str, packages: &[&str]) -> anyhow::Result<PathBuf> {
    let rootfs = work_dir().join(name);
    if rootfs.join(".complete").is_file() {
        return Ok(rootfs);
    }
    crate::step(&format!(
        "Making a Debian bookworm tree with {} for the stand-in images (debootstrap, first run only)",
        packages.join(", ")
    ));
    let _ = std::fs::remove_dir_all(&rootfs);
    std::fs::create_dir_all(work_dir())?;
    run(
        "debootstrap",
        Command::new("debootstrap")
            .arg("--variant=minbase")
            .arg(format!("--include={}", packages.join(",")))
            .arg("bookworm")
            .arg(&rootfs),
    )
    .await?;
    std::fs::write(rootfs.join(".complete"), "")?;
    Ok(rootfs)
}

/// A distroless-like tree: the shared libraries `probe_binary` links (read by `ldd`), the
/// dynamic loader, CA certificates, `nonroot` (65532) and a writable /tmp; no shell.
async fn distroless_tree(rootfs: &Path, tree: &Path, probe_binary: &Path) -> anyhow::Result<()> {
    let ldd = run_to_completion("ldd", {
        let mut command = Command::new("ldd");
        command.arg(probe_binary);
        command
    })
    .await?;
    let mut files: Vec<PathBuf> = ldd
        .split_whitespace()
        .filter(|word| word.starts_with('/'))
        .map(PathBuf::from)
        .collect();
    files.push("/etc/ssl/certs/ca-certificates.crt".into());
    for file in files {
        let relative = file.strip_prefix("/")?;
        let source = rootfs.join(relative);
        let source = std::fs::canonicalize(&source)
            .with_context(|| format!("{} is not in the Debian tree", file.display()))?;
        let target = tree.join(relative);
        std::fs::create_dir_all(target.parent().expect("a file has a folder"))?;
        std::fs::copy(&source, &target)?;
    }
    std::fs::create_dir_all(tree.join("etc"))?;
    std::fs::write(
        tree.join("etc/passwd"),
        "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
    )?;
    std::fs::write(tree.join("etc/group"), "root:x:0:\nnonroot:x:65532:\n")?;
    for folder in ["tmp", "home/nonroot"] {
        std::fs::create_dir_all(tree.join(folder))?;
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(tree.join("tmp"), std::fs::Permissions::from_mode(0o1777))?;
    std::os::unix::fs::chown(tree.join("home/nonroot"), Some(65532), Some(65532))?;
    Ok(())
}

/// Imports `tree` as image `name`, with Dockerfile-style `changes` (USER, ENTRYPOINT, …).
pub(crate) async fn import(tree: &Path, name: &str, changes: &[&str]) -> anyhow::Result<()> {
    let archive = tree.with_extension("tar");
    run(
        "tar",
        Command::new("tar")
            .arg("-C")
            .arg(tree)
            .arg("-cf")
            .arg(&archive)
            .arg("."),
    )
    .await?;
    let mut command = Command::new("podman");
    command.arg("import");
    for change in changes {
        command.args(["--change", change]);
    }
    command.arg(&archive).arg(name);
    run("podman import", &mut command).await?;
    std::fs::remove_file(&archive)?;
    Ok(())
}

/// Builds every service's image with `docker/Dockerfile` from binaries already built in
/// `bin_dir` and the web bundle already built in `web_dist` (the Dockerfile's
/// `BINARIES=prebuilt`), tagged as the Compose file expects.
pub async fn build_prebuilt(bin_dir: &Path, web_dist: &Path) -> anyhow::Result<()> {
    let context = work_dir().join("context");
    let _ = std::fs::remove_dir_all(&context);
    std::fs::create_dir_all(context.join("bin"))?;
    copy_folder(web_dist, &context.join("web-dist"))?;
    for service in services() {
        std::fs::copy(bin_dir.join(service), context.join("bin").join(service))
            .with_context(|| format!("no {service} binary in {}", bin_dir.display()))?;
    }
    let dockerfile = paths::workspace_root().join("docker/Dockerfile");
    for service in services() {
        crate::step(&format!("Building image {}", image(service)));
        let mut build = Command::new("podman");
        build
            // Docker's image format keeps the HEALTHCHECK (OCI's has no field for it).
            .args(["build", "--quiet", "--format", "docker"])
            .args(["--target", target(service)])
            .args(["--build-arg", "BINARIES=prebuilt"])
            .args(["--build-arg", &format!("SERVICE={service}")])
            .arg("-f")
            .arg(&dockerfile)
            .args(["-t", &image(service)])
            .arg(&context);
        run(&format!("podman build {service}"), &mut build).await?;
    }
    // Each rebuild leaves the images it replaced (and its build stages) untagged, some
    // hundreds of MB per run: removing dangling images keeps repeated runs from filling the
    // disk. (Any other dangling image of this machine's Podman goes too; none are kept.)
    let mut prune = Command::new("podman");
    prune.args(["image", "prune", "--force"]);
    run("podman image prune", &mut prune).await?;
    Ok(())
}

pub(crate) fn copy_folder(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        let target = to.join(path.file_name().expect("a named entry"));
        if path.is_dir() {
            copy_folder(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

/// An image's size in bytes, as `podman images` reports it.
pub async fn image_size(name: &str) -> anyhow::Result<u64> {
    let mut command = Command::new("podman");
    command.args(["image", "inspect", "--format", "{{.Size}}", name]);
    let size = run_to_completion("podman image inspect", command).await?;
    Ok(size.trim().parse()?)
}

pub(crate) async fn image_exists(name: &str) -> bool {
    Command::new("podman")
        .args(["image", "exists", name])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|status| status.success())
}
