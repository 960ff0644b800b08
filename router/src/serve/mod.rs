//! Serving: writes the Hive Router configuration for this run (listen address, supergraph
//! file, playground plugin, plus the operator's own router config), keeps the composed
//! supergraph file current, and hands over to Hive Router's HTTP pipeline.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

mod hive_config;

use hive_router::PluginRegistry;

use crate::{
    composition::{self, Supergraph},
    contract_codes::ContractCodes,
    entity_cache::EntityCache,
    error_paths::ErrorPaths,
    playground::Playground,
    process_metrics::ProcessMetrics,
    supergraph_config::{LoadedConfig, SupergraphConfig},
    usage::UsagePlugin,
};

/// Where the served supergraph comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// An already composed supergraph file, reloaded when it changes.
    Supergraph(PathBuf),
    /// A rover-format `supergraph.yaml` to compose, and recompose as subgraphs change.
    Compose(PathBuf),
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub source: Source,
    pub listen: SocketAddr,
    /// The operator's Hive Router configuration (limits, JWT, CORS, telemetry, …): files
    /// layered in order, later ones overriding earlier ones.
    pub router_config: Vec<PathBuf>,
    /// Whether introspection is answered, when the operator says so on the command line.
    pub introspection: Option<bool>,
    /// Whether only persisted documents are executed, when the operator says so on the
    /// command line.
    pub trusted_documents: Option<bool>,
    /// Where to export OpenTelemetry traces (OTLP over HTTP); no tracing when `None`.
    pub otlp_endpoint: Option<String>,
    /// Record which schema elements each client's operations use into this file.
    pub usage_file: Option<PathBuf>,
    /// How often the supergraph is recomposed (compose mode) and its file checked.
    pub poll_interval: Duration,
    /// How long in-flight requests may take after SIGTERM before the process exits anyway.
    pub shutdown_grace: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] crate::supergraph_config::ConfigError),
    #[error(transparent)]
    Composition(#[from] composition::CompositionError),
    #[error("the router config {path}")]
    RouterConfig {
        path: PathBuf,
        #[source]
        source: hive_config::HiveConfigError,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("supergraph file {0} does not exist")]
    MissingSupergraph(PathBuf),
    #[error("the router failed")]
    Router(#[source] Box<hive_router::error::RouterInitError>),
    #[error("cannot build the HTTP client that reads subgraph schemas: {0}")]
    HttpClient(#[from] reqwest::Error),
}

impl ServeError {
    /// This error and each of its causes, as one line (`the router config x.yaml: `limitz`
    /// …: unknown field`). Hive Router's start-up errors are not `Send`, which `anyhow`
    /// needs, so the binary reports them through this.
    pub fn chain(&self) -> String {
        std::iter::successors(Some(self as &dyn std::error::Error), |err| err.source())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ")
    }
}

/// The files a run writes, in a folder removed when the run ends.
pub struct RunFiles {
    _dir: tempfile::TempDir,
    pub hive_config: PathBuf,
    pub supergraph: PathBuf,
}

impl RunFiles {
    pub fn new() -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("storefront-router-")
            .tempdir()?;
        Ok(Self {
            hive_config: dir.path().join("hive-router.yaml"),
            supergraph: dir.path().join("supergraph.graphql"),
            _dir: dir,
        })
    }
}

/// Composes (if asked), writes the Hive Router config, then serves until shutdown.
pub async fn serve(options: ServeOptions, files: &RunFiles) -> Result<(), ServeError> {
    let supergraph_path = match &options.source {
        Source::Supergraph(path) => {
            if !path.is_file() {
                return Err(ServeError::MissingSupergraph(path.clone()));
            }
            std::path::absolute(path).unwrap_or_else(|_| path.clone())
        }
        Source::Compose(config_path) => {
            let config = SupergraphConfig::load(config_path)?;
            let client = http_client()?;
            let supergraph = compose_once(&config, &client).await?;
            for warning in &supergraph.warnings {
                eprintln!("composition warning: {warning}");
            }
            write_atomically(&files.supergraph, &supergraph.sdl)?;
            hive_router::ntex::rt::spawn(keep_composing(
                client,
                config_path.clone(),
                files.supergraph.clone(),
                supergraph.sdl,
                options.poll_interval,
            ));
            files.supergraph.clone()
        }
    };
    let hive_config = hive_config::layered(&options, &supergraph_path)?;
    write_atomically(&files.hive_config, &hive_config)?;

    hive_router::ntex::rt::spawn(exit_after_grace(options.shutdown_grace));
    hive_router::init_rustls_crypto_provider();
    let plugins = PluginRegistry::new()
        .register::<Playground>()
        .register::<ErrorPaths>()
        .register::<ContractCodes>()
        .register::<ProcessMetrics>()
        .register::<EntityCache>()
        .register::<UsagePlugin>();
    hive_router::router_entrypoint(plugins)
        .await
        .map_err(|err| ServeError::Router(Box::new(err)))
}

/// Hive Router's server stops on SIGTERM: it refuses new connections and lets in-flight
/// requests finish (for up to its own 30 s). This bounds that wait by our grace period.
async fn exit_after_grace(grace: Duration) {
    let Ok(mut terminate) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    else {
        return;
    };
    terminate.recv().await;
    tokio::time::sleep(grace).await;
    tracing::warn!(
        ?grace,
        "grace period over; exiting with requests still in flight"
    );
    std::process::exit(0);
}

async fn compose_once(
    config: &LoadedConfig,
    client: &reqwest::Client,
) -> Result<Supergraph, ServeError> {
    let schemas = config.subgraph_schemas(client).await?;
    Ok(composition::compose(&schemas)?)
}

/// Recomposes every `interval`; a changed result replaces the served file (Hive Router
/// notices and swaps schemas), a failed one is logged and the last good supergraph stays.
async fn keep_composing(
    client: reqwest::Client,
    config_path: PathBuf,
    target: PathBuf,
    mut current: String,
    interval: Duration,
) {
    let mut last_error = None;
    loop {
        tokio::time::sleep(interval).await;
        let attempt = match SupergraphConfig::load(&config_path) {
            Ok(config) => compose_once(&config, &client).await,
            Err(err) => Err(err.into()),
        };
        match attempt {
            Ok(supergraph) if supergraph.sdl != current => {
                match write_atomically(&target, &supergraph.sdl) {
                    Ok(()) => {
                        tracing::info!(target: "storefront::composition", "subgraph schemas changed; serving the new supergraph");
                        current = supergraph.sdl;
                    }
                    Err(err) => {
                        tracing::error!(target: "storefront::composition", error = %err, "cannot write the new supergraph")
                    }
                }
                last_error = None;
            }
            Ok(_) => last_error = None,
            Err(err) => {
                let message = err.to_string();
                if last_error.as_ref() != Some(&message) {
                    tracing::error!(target: "storefront::composition", error = %message, "recomposition failed; still serving the last good supergraph");
                    last_error = Some(message);
                }
            }
        }
    }
}

/// The client that asks running subgraphs for their SDL; fails rather than fall back to one
/// without its timeouts.
fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(10))
        .build()
}

/// Writes via a temporary file and a rename, so a reader never sees half a file.
fn write_atomically(path: &Path, contents: &str) -> Result<(), ServeError> {
    let error = |source| ServeError::Write {
        path: path.to_owned(),
        source,
    };
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, contents).map_err(error)?;
    std::fs::rename(&temporary, path).map_err(error)
}
