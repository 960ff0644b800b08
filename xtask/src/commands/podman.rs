//! `cargo xtask podman up|down`: `docker/compose.yaml` with Podman, for the machines where
//! `podman-compose up` cannot start it in one go (Debian's Podman 4.3): the services come up one
//! at a time in `depends_on` order (`xtask::containers::compose`). Settings come from the
//! environment as for Compose (`ROUTER_PORT`, `MONGO_IMAGE`, …).

use clap::{Args, Subcommand};
use xtask::{
    containers::{self, compose::Project},
    system,
};

use super::step;

#[derive(Debug, Args)]
pub struct PodmanArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Start every service from the images `cargo xtask images` built, in dependency order
    Up {
        /// The Compose project name (containers are <project>_<service>_1)
        #[arg(long, short = 'p', default_value = "storefront")]
        project: String,
        /// Compose profiles to run too, e.g. `monitoring` (Prometheus and Grafana)
        #[arg(long = "profile", env = "COMPOSE_PROFILES", value_delimiter = ',')]
        profiles: Vec<String>,
    },
    /// Stop and remove the project's containers (and, with --volumes, its data)
    Down {
        #[arg(long, short = 'p', default_value = "storefront")]
        project: String,
        /// The profiles it was started with, so their services go too
        #[arg(long = "profile", env = "COMPOSE_PROFILES", value_delimiter = ',')]
        profiles: Vec<String>,
        /// Remove the named volumes too: MongoDB's data is gone
        #[arg(long, short = 'v')]
        volumes: bool,
    },
}

pub async fn run(args: PodmanArgs) -> anyhow::Result<()> {
    containers::ensure_podman().await?;
    match args.action {
        Action::Up { project, profiles } => {
            let project = Project {
                name: project,
                profiles,
            };
            project.up().await?;
            step(&format!(
                "Up: project {}; `cargo xtask podman down -p {}` stops it",
                project.name, project.name
            ));
        }
        Action::Down {
            project,
            profiles,
            volumes,
        } => {
            let project = Project {
                name: project,
                profiles,
            };
            let mut command = project.command().await?;
            command.args(["down", "-t", "10"]);
            if volumes {
                command.arg("-v");
            }
            system::run("podman-compose down", &mut command).await?;
        }
    }
    Ok(())
}
