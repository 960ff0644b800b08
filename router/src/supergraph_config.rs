//! Rover's `supergraph.yaml`: which subgraphs make the graph, where each is routed, and where
//! its schema comes from (a file, or the running subgraph's `_service { sdl }`).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use serde::Deserialize;

/// The file as rover reads it; unknown keys are refused so typos surface.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupergraphConfig {
    /// `2`, `=2.3.2` and the like; only Federation 2 is supported.
    #[serde(default)]
    pub federation_version: Option<FederationVersion>,
    pub subgraphs: BTreeMap<String, SubgraphConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FederationVersion {
    Number(u64),
    Text(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgraphConfig {
    pub routing_url: Option<String>,
    pub schema: SchemaSource,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum SchemaSource {
    File {
        file: PathBuf,
    },
    SubgraphUrl {
        subgraph_url: String,
        #[serde(default)]
        introspection_headers: BTreeMap<String, String>,
    },
}

/// One subgraph's schema as loaded, ready to compose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphSchema {
    pub name: String,
    pub routing_url: String,
    pub sdl: String,
    /// The file the SDL was read from (none when introspected), for reports to point into.
    pub file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid supergraph config: {source}")]
    Parse {
        path: PathBuf,
        source: serde_yaml::Error,
    },
    #[error(
        "{path}: federation_version {version:?} is not supported; use Federation 2 (e.g. `=2.3.2`)"
    )]
    UnsupportedFederation { path: PathBuf, version: String },
    #[error("{path}: subgraph `{subgraph}` has no routing_url and its schema is a file")]
    MissingRoutingUrl { path: PathBuf, subgraph: String },
    #[error("subgraph `{subgraph}`: cannot read schema file {path}: {source}")]
    SchemaFile {
        subgraph: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("subgraph `{subgraph}`: cannot fetch its schema from {url}: {reason}")]
    Introspection {
        subgraph: String,
        url: String,
        reason: String,
    },
}

impl SupergraphConfig {
    /// Reads and validates `path`; relative schema files resolve against its folder.
    pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let config: SupergraphConfig =
            serde_yaml::from_str(&text).map_err(|source| ConfigError::Parse {
                path: path.to_owned(),
                source,
            })?;
        if let Some(version) = &config.federation_version {
            let text = match version {
                FederationVersion::Number(n) => n.to_string(),
                FederationVersion::Text(t) => t.clone(),
            };
            if !text.trim_start_matches('=').starts_with('2') {
                return Err(ConfigError::UnsupportedFederation {
                    path: path.to_owned(),
                    version: text,
                });
            }
        }
        for (name, subgraph) in &config.subgraphs {
            if subgraph.routing_url.is_none()
                && matches!(subgraph.schema, SchemaSource::File { .. })
            {
                return Err(ConfigError::MissingRoutingUrl {
                    path: path.to_owned(),
                    subgraph: name.clone(),
                });
            }
        }
        let base = path.parent().map(Path::to_owned).unwrap_or_default();
        Ok(LoadedConfig { config, base })
    }
}

/// A config with the folder its relative paths are resolved against.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: SupergraphConfig,
    pub base: PathBuf,
}

impl LoadedConfig {
    /// Loads every subgraph's SDL, in name order.
    pub async fn subgraph_schemas(
        &self,
        client: &reqwest::Client,
    ) -> Result<Vec<SubgraphSchema>, ConfigError> {
        let mut schemas = Vec::with_capacity(self.config.subgraphs.len());
        for (name, subgraph) in &self.config.subgraphs {
            let (sdl, file) = match &subgraph.schema {
                SchemaSource::File { file } => {
                    let path = self.base.join(file);
                    let sdl = std::fs::read_to_string(&path).map_err(|source| {
                        ConfigError::SchemaFile {
                            subgraph: name.clone(),
                            path: path.clone(),
                            source,
                        }
                    })?;
                    (sdl, Some(path))
                }
                SchemaSource::SubgraphUrl {
                    subgraph_url,
                    introspection_headers,
                } => (
                    fetch_sdl(client, name, subgraph_url, introspection_headers).await?,
                    None,
                ),
            };
            let routing_url = match (&subgraph.routing_url, &subgraph.schema) {
                (Some(url), _) => url.clone(),
                (None, SchemaSource::SubgraphUrl { subgraph_url, .. }) => subgraph_url.clone(),
                (None, SchemaSource::File { .. }) => unreachable!("validated in load"),
            };
            schemas.push(SubgraphSchema {
                name: name.clone(),
                routing_url,
                sdl,
                file,
            });
        }
        Ok(schemas)
    }
}

/// How long one subgraph may take to hand over its SDL.
const INTROSPECTION_TIMEOUT: Duration = Duration::from_secs(10);

async fn fetch_sdl(
    client: &reqwest::Client,
    subgraph: &str,
    url: &str,
    headers: &BTreeMap<String, String>,
) -> Result<String, ConfigError> {
    let error = |reason: String| ConfigError::Introspection {
        subgraph: subgraph.to_owned(),
        url: url.to_owned(),
        reason,
    };
    let mut request = client
        .post(url)
        .timeout(INTROSPECTION_TIMEOUT)
        .json(&serde_json::json!({ "query": "query SubgraphSdl { _service { sdl } }" }));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|err| error(err.to_string()))?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|err| error(format!("HTTP {status}, body is not JSON: {err}")))?;
    match body
        .pointer("/data/_service/sdl")
        .and_then(|sdl| sdl.as_str())
    {
        Some(sdl) => Ok(sdl.to_owned()),
        None => Err(error(format!("HTTP {status}, no `_service.sdl` in {body}"))),
    }
}
