//! `router`: serves the storefront's federated graph on one endpoint, from a composed
//! supergraph file or by composing a rover-format `supergraph.yaml` itself.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use hive_router::{RouterGlobalAllocator, configure_global_allocator, ntex};
use router::{
    composition,
    serve::{self, RunFiles, ServeOptions, Source},
    supergraph_config::SupergraphConfig,
};

configure_global_allocator!();

#[derive(Debug, Parser)]
#[command(
    name = "router",
    version,
    about = "The storefront's federation router (Hive Router engine)",
    after_help = "Examples:\n  router --config supergraph.yaml\n  router --supergraph supergraph.graphql --listen 0.0.0.0:4000\n  router compose --config supergraph.yaml > supergraph.graphql"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Serve this composed (Apollo-format) supergraph; edits to the file are picked up live
    #[arg(long, env = "ROUTER_SUPERGRAPH", conflicts_with = "config")]
    supergraph: Option<PathBuf>,

    /// Compose the subgraphs listed in this rover-format supergraph.yaml, then serve the result
    #[arg(long, env = "ROUTER_SUPERGRAPH_CONFIG")]
    config: Option<PathBuf>,

    /// Address to listen on
    #[arg(long, env = "ROUTER_LISTEN", default_value = "127.0.0.1:4000")]
    listen: SocketAddr,

    /// Hive Router configuration file (limits, JWT, CORS, telemetry, …) to serve with
    #[arg(long, env = "ROUTER_CONFIG")]
    router_config: Option<PathBuf>,

    /// How often to recompose from --config and check the supergraph file for changes
    #[arg(long, env = "ROUTER_POLL_INTERVAL", default_value = "2s", value_parser = parse_duration)]
    poll_interval: Duration,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compose the subgraphs of a rover-format supergraph.yaml and print the supergraph SDL
    Compose {
        /// The supergraph config to compose
        #[arg(long, default_value = "supergraph.yaml")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Compose { config }) => compose(&config),
        None => run_server(cli.serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn compose(config: &std::path::Path) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let supergraph = runtime.block_on(async {
        let loaded = SupergraphConfig::load(config)?;
        let schemas = loaded.subgraph_schemas(&reqwest::Client::new()).await?;
        anyhow::Ok(composition::compose(&schemas)?)
    })?;
    for warning in &supergraph.warnings {
        eprintln!("warning: {warning}");
    }
    print!("{}", supergraph.sdl);
    Ok(())
}

fn run_server(args: ServeArgs) -> anyhow::Result<()> {
    let source = match (args.supergraph, args.config) {
        (Some(file), None) => Source::Supergraph(file),
        (None, Some(config)) => Source::Compose(config),
        _ => anyhow::bail!(
            "say what to serve: --supergraph FILE or --config supergraph.yaml (see --help)"
        ),
    };
    let files = RunFiles::new()?;
    point_hive_router_at(&files.hive_config);
    let options = ServeOptions {
        source,
        listen: args.listen,
        router_config: args.router_config,
        poll_interval: args.poll_interval,
    };
    serve_on_hive_runtime(options, files)?;
    Ok(())
}

/// Hive Router reads its configuration path from the environment.
#[allow(unsafe_code)]
fn point_hive_router_at(config: &std::path::Path) {
    // SAFETY: called from `main` before any runtime or other thread exists, so nothing can
    // read the environment concurrently.
    unsafe { std::env::set_var("ROUTER_CONFIG_FILE_PATH", config) };
}

#[hive_router::main]
async fn serve_on_hive_runtime(
    options: ServeOptions,
    files: RunFiles,
) -> Result<(), serve::ServeError> {
    // `files` lives (and its folder with it) until the router has stopped.
    serve::serve(options, &files).await
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|err| err.to_string())
}
