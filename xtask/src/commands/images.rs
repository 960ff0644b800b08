//! `cargo xtask images`: every service's container image, with Podman, tagged as
//! `docker/compose.yaml` expects (`storefront/<service>:latest`). The images are
//! `docker/Dockerfile`'s stages over binaries built here by cargo (release unless `--debug`) and
//! the web bundle built here by npm, so a rebuild takes seconds. `--from-source` builds them as
//! `docker compose -f docker/compose.yaml up --build` does for users, compiling inside the
//! Dockerfile's build stage, and writes how long that took and the images' sizes to a results
//! file.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use clap::Args;
use xtask::{containers, paths, web};

use super::{build_binaries, build_release_binaries, step};

#[derive(Debug, Args)]
pub struct ImagesArgs {
    /// Use debug binaries (what the tests run) instead of release ones
    #[arg(long, conflicts_with = "from_source")]
    debug: bool,

    /// Compile every image from source inside docker/Dockerfile's build stage (with its cache
    /// mounts: a rebuild after a small change is incremental), tagged storefront-source/<service>
    #[arg(long)]
    from_source: bool,

    /// With --from-source: where to write the build time and the images' sizes
    #[arg(long, default_value = "bench/images.md", requires = "from_source")]
    results: PathBuf,
}

pub async fn run(args: ImagesArgs) -> anyhow::Result<()> {
    containers::ensure_podman().await?;
    if args.from_source {
        return from_source(&args.results).await;
    }
    let bin_dir = if args.debug {
        build_binaries().await?;
        paths::debug_bin_dir()
    } else {
        build_release_binaries().await?
    };
    containers::ensure_base_images(&bin_dir.join("router")).await?;
    let web_dist = web::ensure_bundle().await?;
    containers::build_prebuilt(&bin_dir, &web_dist).await?;
    let sizes = sizes(containers::image).await?;
    print!("\n{}", size_table(&sizes));
    step(
        "Run them with: docker compose -f docker/compose.yaml up (or podman-compose, in .dev/python-tools/bin)",
    );
    Ok(())
}

/// Every image built from source; the time and sizes go to `results`.
async fn from_source(results: &std::path::Path) -> anyhow::Result<()> {
    // The runtime base is the same stand-in the prebuilt images use; it is made from the
    // router's linked libraries, which a debug build (what the tests run) links alike.
    build_binaries().await?;
    containers::ensure_base_images(&paths::debug_bin_dir().join("router")).await?;
    let services = containers::services();
    let took = containers::source::build(&services, None).await?;
    let sizes = sizes(containers::source::image).await?;
    let report = source_report(took, &sizes);
    print!("\n{report}");
    let path = paths::workspace_root().join(results);
    std::fs::write(&path, report).with_context(|| format!("writing {}", path.display()))?;
    step(&format!("Written to {}", path.display()));
    Ok(())
}

/// Each service's image (named by `image`) and its size in bytes.
async fn sizes(image: fn(&str) -> String) -> anyhow::Result<Vec<(String, u64)>> {
    let mut sizes = Vec::new();
    for service in containers::services() {
        let name = image(service);
        let size = containers::image_size(&name).await?;
        sizes.push((name, size));
    }
    Ok(sizes)
}

fn size_table(sizes: &[(String, u64)]) -> String {
    let mut table = String::from("| image | size |\n| --- | ---: |\n");
    for (name, size) in sizes {
        table.push_str(&format!("| `{name}` | {:.1} MB |\n", *size as f64 / 1e6));
    }
    table
}

fn source_report(took: Duration, sizes: &[(String, u64)]) -> String {
    format!(
        "# Images built from source\n\n\
         Written by `cargo xtask images --from-source`: every image compiled inside \
         `docker/Dockerfile`'s build stage, as `docker compose -f docker/compose.yaml up --build` \
         builds them (here on stand-ins for the `rust` and `node` builder images made from this \
         machine's toolchains, and for the distroless base). A first build compiles the whole \
         workspace; later ones reuse the build stage's cache mounts.\n\n\
         Build time: {:.0} s ({} images, {} cores)\n\n{}",
        took.as_secs_f64(),
        sizes.len(),
        std::thread::available_parallelism().map_or(1, usize::from),
        size_table(sizes)
    )
}
