//! Serving: writes the Hive Router configuration for this run (listen address, supergraph
//! file, playground plugin, plus the operator's own router config), keeps the composed
//! supergraph file current, and hands over to Hive Router's HTTP pipeline.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use hive_router::PluginRegistry;
use serde_yaml::{Mapping, Value};

use crate::{
    composition::{self, Supergraph},
    error_paths::{self, ErrorPaths},
    playground::{self, Playground},
    supergraph_config::{LoadedConfig, SupergraphConfig},
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
    /// The operator's Hive Router configuration (limits, JWT, CORS, telemetry, …).
    pub router_config: Option<PathBuf>,
    /// Whether introspection is answered, when the operator says so on the command line.
    pub introspection: Option<bool>,
    /// Where to export OpenTelemetry traces (OTLP over HTTP); no tracing when `None`.
    pub otlp_endpoint: Option<String>,
    /// How often the supergraph is recomposed (compose mode) and its file checked.
    pub poll_interval: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] crate::supergraph_config::ConfigError),
    #[error(transparent)]
    Composition(#[from] composition::CompositionError),
    #[error("cannot read the router config {path}: {reason}")]
    RouterConfig { path: PathBuf, reason: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("supergraph file {0} does not exist")]
    MissingSupergraph(PathBuf),
    #[error("the router failed: {0}")]
    Router(String),
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
            let client = http_client();
            let supergraph = compose_once(&config, &client).await?;
            for warning in &supergraph.warnings {
                eprintln!("composition warning: {warning}");
            }
            write_atomically(&files.supergraph, &supergraph.sdl)?;
            hive_router::ntex::rt::spawn(keep_composing(
                config_path.clone(),
                files.supergraph.clone(),
                supergraph.sdl,
                options.poll_interval,
            ));
            files.supergraph.clone()
        }
    };
    let hive_config = hive_router_config(&options, &supergraph_path)?;
    write_atomically(&files.hive_config, &hive_config)?;

    hive_router::init_rustls_crypto_provider();
    let plugins = PluginRegistry::new()
        .register::<Playground>()
        .register::<ErrorPaths>();
    hive_router::router_entrypoint(plugins)
        .await
        .map_err(|err| ServeError::Router(err.to_string()))
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
    config_path: PathBuf,
    target: PathBuf,
    mut current: String,
    interval: Duration,
) {
    let client = http_client();
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

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_default()
}

/// Hive Router's YAML config: the operator's file with our listen address, supergraph file
/// and playground layered over it.
fn hive_router_config(options: &ServeOptions, supergraph: &Path) -> Result<String, ServeError> {
    let mut root = match &options.router_config {
        None => Mapping::new(),
        Some(path) => {
            let error = |reason: String| ServeError::RouterConfig {
                path: path.clone(),
                reason,
            };
            let text = std::fs::read_to_string(path).map_err(|err| error(err.to_string()))?;
            let mut config =
                match serde_yaml::from_str::<Value>(&text).map_err(|err| error(err.to_string()))? {
                    Value::Mapping(mapping) => mapping,
                    Value::Null => Mapping::new(),
                    _ => return Err(error("the top level must be a mapping".to_owned())),
                };
            let folder = std::path::absolute(path)
                .ok()
                .and_then(|p| p.parent().map(Path::to_owned))
                .unwrap_or_default();
            absolutize_file_sources(&mut config, &folder);
            for value in config.values_mut() {
                apply_unset_env_defaults(value);
            }
            config
        }
    };
    let http = entry(&mut root, "http");
    http.insert("host".into(), options.listen.ip().to_string().into());
    http.insert("port".into(), u64::from(options.listen.port()).into());
    let graphql_path = http
        .get("graphql_endpoint")
        .and_then(Value::as_str)
        .unwrap_or("/graphql")
        .to_owned();

    let supergraph_source = entry(&mut root, "supergraph");
    supergraph_source.clear();
    supergraph_source.insert("source".into(), "file".into());
    supergraph_source.insert("path".into(), supergraph.display().to_string().into());
    supergraph_source.insert(
        "poll_interval".into(),
        format!("{}ms", options.poll_interval.as_millis().max(100)).into(),
    );

    if let Some(introspection) = options.introspection {
        root.insert("introspection".into(), introspection.into());
    }

    if let Some(endpoint) = &options.otlp_endpoint {
        let mut exporter = Mapping::new();
        exporter.insert("kind".into(), "otlp".into());
        exporter.insert("endpoint".into(), endpoint.clone().into());
        exporter.insert("protocol".into(), "http".into());
        let tracing = entry(entry(&mut root, "telemetry"), "tracing");
        match tracing.get_mut("exporters") {
            Some(Value::Sequence(exporters)) => exporters.push(Value::Mapping(exporter)),
            _ => {
                tracing.insert(
                    "exporters".into(),
                    Value::Sequence(vec![Value::Mapping(exporter)]),
                );
            }
        }
    }

    // Debug builds of Hive Router default to debug logs; an operator's choice still wins.
    entry(&mut root, "log")
        .entry("level".into())
        .or_insert_with(|| "info".into());

    let laboratory = entry(&mut root, "laboratory");
    laboratory.insert("enabled".into(), false.into());

    let plugins = entry(&mut root, "plugins");
    let mut playground_config = Mapping::new();
    playground_config.insert("graphql_path".into(), graphql_path.into());
    let mut playground_entry = Mapping::new();
    playground_entry.insert("enabled".into(), true.into());
    playground_entry.insert("config".into(), Value::Mapping(playground_config));
    plugins.insert(
        playground::PLUGIN_NAME.into(),
        Value::Mapping(playground_entry),
    );
    let mut error_paths_entry = Mapping::new();
    error_paths_entry.insert("enabled".into(), true.into());
    plugins.insert(
        error_paths::PLUGIN_NAME.into(),
        Value::Mapping(error_paths_entry),
    );

    serde_yaml::to_string(&Value::Mapping(root)).map_err(|err| ServeError::RouterConfig {
        path: options.router_config.clone().unwrap_or_default(),
        reason: err.to_string(),
    })
}

/// A `{ from_env: VAR, default: X }` placeholder whose variable is not set becomes `X` here,
/// so Hive Router (which would warn about every such variable at start-up) sees a plain value;
/// placeholders whose variable is set are left for it to resolve.
fn apply_unset_env_defaults(value: &mut Value) {
    let replacement = match value {
        Value::Mapping(mapping) => {
            let variable = mapping.get("from_env").and_then(Value::as_str);
            match (variable, mapping.get("default")) {
                (Some(variable), Some(default)) if std::env::var_os(variable).is_none() => {
                    Some(default.clone())
                }
                _ => {
                    mapping.values_mut().for_each(apply_unset_env_defaults);
                    None
                }
            }
        }
        Value::Sequence(items) => {
            items.iter_mut().for_each(apply_unset_env_defaults);
            None
        }
        _ => None,
    };
    if let Some(replacement) = replacement {
        *value = replacement;
    }
}

/// Hive Router resolves a `source: file` entry's relative `path` against its config file's
/// folder; the config it reads is written elsewhere, so those paths are made absolute against
/// the operator's file first.
fn absolutize_file_sources(mapping: &mut Mapping, folder: &Path) {
    let is_file_source = mapping.get("source").and_then(Value::as_str) == Some("file");
    for (key, value) in mapping.iter_mut() {
        match value {
            Value::String(path)
                if is_file_source
                    && key.as_str() == Some("path")
                    && Path::new(path).is_relative() =>
            {
                *path = folder.join(&*path).display().to_string();
            }
            Value::Mapping(inner) => absolutize_file_sources(inner, folder),
            Value::Sequence(items) => {
                for item in items {
                    if let Value::Mapping(inner) = item {
                        absolutize_file_sources(inner, folder);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The mapping under `key`, created (or replacing a non-mapping) as needed.
fn entry<'a>(root: &'a mut Mapping, key: &str) -> &'a mut Mapping {
    let value = root
        .entry(key.into())
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if !value.is_mapping() {
        *value = Value::Mapping(Mapping::new());
    }
    value.as_mapping_mut().expect("just made a mapping")
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
