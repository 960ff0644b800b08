//! `cargo xtask images`: every service's container image, with Podman, tagged as
//! `docker/compose.yaml` expects (`storefront/<service>:latest`). The images are
//! `docker/Dockerfile`'s stages over binaries built here by cargo (release unless `--debug`) and
//! the web bundle built here by npm, so a rebuild takes seconds; `docker compose -f docker/compose.yaml build` builds
//! the same images from source with Docker instead.

use clap::Args;
use xtask::{containers, paths, web};

use super::{build_binaries, build_release_binaries, step};

#[derive(Debug, Args)]
pub struct ImagesArgs {
    /// Use debug binaries (what the tests run) instead of release ones
    #[arg(long)]
    debug: bool,
}

pub async fn run(args: ImagesArgs) -> anyhow::Result<()> {
    let bin_dir = if args.debug {
        build_binaries().await?;
        paths::debug_bin_dir()
    } else {
        build_release_binaries().await?
    };
    containers::ensure_podman().await?;
    containers::ensure_base_images(&bin_dir.join("router")).await?;
    let web_dist = web::ensure_bundle().await?;
    containers::build_prebuilt(&bin_dir, &web_dist).await?;
    println!("\n  {:<40} {:>10}", "image", "size");
    for service in containers::services() {
        let image = containers::image(service);
        let size = containers::image_size(&image).await?;
        println!("  {image:<40} {:>7.1} MB", size as f64 / 1e6);
    }
    step(
        "Run them with: docker compose -f docker/compose.yaml up (or podman-compose, in .dev/python-tools/bin)",
    );
    Ok(())
}
