//! The Hive Router configuration a run serves with: the operator's file (`--router-config`),
//! with what our flags own layered over it — listen address, supergraph source, introspection,
//! trusted documents, OTLP export, log level, the laboratory off and our plugins on. Each section we write is read
//! and written as hive-router's own config type, and the result is parsed by hive-router
//! before the engine starts, so a mistake in either is reported here, naming the file.

use std::path::Path;

use hive_router::config::{
    PluginConfig,
    http_server::HttpServerConfig,
    introspection_policy::IntrospectionPermissionConfig,
    laboratory::LaboratoryConfig,
    log::{LogLevel, LoggingConfig},
    telemetry::TelemetryConfig,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_yaml::{Mapping, Value};

use super::{ServeError, ServeOptions};
use crate::{contract_codes, entity_cache, error_paths, playground, process_metrics, usage};

/// What is wrong with an operator's router config, or with what we layer over it.
#[derive(Debug, thiserror::Error)]
pub enum HiveConfigError {
    #[error("cannot read it")]
    Read(#[source] std::io::Error),
    #[error("not YAML")]
    Yaml(#[source] serde_yaml::Error),
    #[error("the top level must be a mapping")]
    NotAMapping,
    #[error("`{key}` is not a valid section")]
    Section {
        key: String,
        #[source]
        source: serde_yaml::Error,
    },
    #[error("`plugins.{name}` is not a valid plugin section")]
    Plugin {
        name: String,
        #[source]
        source: serde_yaml::Error,
    },
    #[error("OTLP endpoint {endpoint:?}")]
    OtlpEndpoint {
        endpoint: String,
        #[source]
        source: serde_yaml::Error,
    },
    #[error(
        "trusted documents need a `persisted_documents.storage` (the manifest of registered \
         operations) in the router config"
    )]
    TrustedDocumentsWithoutManifest,
    #[error(
        "`plugins.{plugin}.config.subgraphs.{subgraph}`: the supergraph has no subgraph \
         `{subgraph}`, and no `invalidations` URL is given for it",
        plugin = entity_cache::PLUGIN_NAME
    )]
    EntityCacheSubgraph { subgraph: String },
    #[error("Hive Router refuses the result")]
    Refused(#[source] Box<hive_router::config::RouterConfigError>),
}

/// The operator's configuration with our flags layered over it, as YAML for Hive Router.
pub fn layered(options: &ServeOptions, supergraph: &Path) -> Result<String, ServeError> {
    let mut root = Mapping::new();
    for path in &options.router_config {
        let file = operator_config(path).map_err(|source| ServeError::RouterConfig {
            path: path.clone(),
            source,
        })?;
        merge(&mut root, file);
    }
    let operator_files = options
        .router_config
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let error = |source: HiveConfigError| ServeError::RouterConfig {
        path: operator_files.clone().into(),
        source,
    };

    let mut graphql_path = String::new();
    edit_section(&mut root, "http", |http: &mut HttpServerConfig| {
        http.host = options.listen.ip().to_string();
        http.port = options.listen.port();
        graphql_path.clone_from(&http.graphql_endpoint);
    })
    .map_err(error)?;

    // The supergraph is always the file this run keeps current (composed, or the operator's).
    let mut source = Mapping::new();
    source.insert("source".into(), "file".into());
    source.insert("path".into(), supergraph.display().to_string().into());
    source.insert(
        "poll_interval".into(),
        format!("{}ms", options.poll_interval.as_millis().max(100)).into(),
    );
    root.insert("supergraph".into(), Value::Mapping(source));

    if let Some(introspection) = options.introspection {
        set_section(
            &mut root,
            "introspection",
            &IntrospectionPermissionConfig::Boolean(introspection),
        )
        .map_err(error)?;
    }

    if let Some(trusted) = options.trusted_documents {
        // Written as YAML, not through `PersistedDocumentsConfig`: its file path type does not
        // serialize back (a flattened string); hive-router's parse below still checks it.
        let mut documents = section(&root, "persisted_documents")
            .cloned()
            .unwrap_or_default();
        if trusted && !documents.contains_key("storage") {
            return Err(error(HiveConfigError::TrustedDocumentsWithoutManifest));
        }
        if trusted {
            documents.insert("enabled".into(), true.into());
        }
        documents.insert("require_id".into(), trusted.into());
        root.insert("persisted_documents".into(), Value::Mapping(documents));
    }

    if let Some(endpoint) = &options.otlp_endpoint {
        let exporter = otlp_exporter(endpoint).map_err(error)?;
        edit_section(&mut root, "telemetry", |telemetry: &mut TelemetryConfig| {
            telemetry.tracing.exporters.push(exporter);
        })
        .map_err(error)?;
    }

    // Debug builds of Hive Router default to debug logs; an operator's choice still wins.
    let operator_set_level = section(&root, "log").is_some_and(|log| log.contains_key("level"));
    if !operator_set_level {
        edit_section(&mut root, "log", |log: &mut LoggingConfig| {
            log.level = LogLevel::Info;
        })
        .map_err(error)?;
    }

    // Our playground replaces Hive's laboratory (which would fetch its UI from the internet).
    edit_section(
        &mut root,
        "laboratory",
        |laboratory: &mut LaboratoryConfig| {
            laboratory.enabled = false;
        },
    )
    .map_err(error)?;

    // Our plugins are on, each with the operator's own settings kept: `enabled: false` in
    // their file switches one off (the playground in production, say).
    let mut plugins = section(&root, "plugins").cloned().unwrap_or_default();
    let mut playground = operator_plugin(&plugins, playground::PLUGIN_NAME).map_err(error)?;
    playground.config["graphql_path"] = serde_json::json!(graphql_path);
    let error_paths = operator_plugin(&plugins, error_paths::PLUGIN_NAME).map_err(error)?;
    // The contract's identity codes are part of the API, not an option.
    let mut contract_codes =
        operator_plugin(&plugins, contract_codes::PLUGIN_NAME).map_err(error)?;
    contract_codes.enabled = true;
    // The router's own CPU, memory and connections on its `/metrics` (the resources dashboard).
    let process_metrics = operator_plugin(&plugins, process_metrics::PLUGIN_NAME).map_err(error)?;
    for (name, plugin) in [
        (playground::PLUGIN_NAME, playground),
        (error_paths::PLUGIN_NAME, error_paths),
        (contract_codes::PLUGIN_NAME, contract_codes),
        (process_metrics::PLUGIN_NAME, process_metrics),
    ] {
        plugins.insert(name.into(), to_value(&plugin).map_err(error)?);
    }
    if plugins.contains_key(entity_cache::PLUGIN_NAME) {
        let mut cache = operator_plugin(&plugins, entity_cache::PLUGIN_NAME).map_err(error)?;
        fill_invalidation_urls(&mut cache.config, &root, supergraph).map_err(error)?;
        plugins.insert(
            entity_cache::PLUGIN_NAME.into(),
            to_value(&cache).map_err(error)?,
        );
    }
    if let Some(file) = &options.usage_file {
        // The file from the command line switches usage recording on.
        let mut usage = operator_plugin(&plugins, usage::PLUGIN_NAME).map_err(error)?;
        usage.config["file"] = serde_json::json!(file);
        usage.enabled = true;
        plugins.insert(usage::PLUGIN_NAME.into(), to_value(&usage).map_err(error)?);
    }
    root.insert("plugins".into(), Value::Mapping(plugins));

    let yaml = serde_yaml::to_string(&Value::Mapping(root))
        .map_err(|source| error(HiveConfigError::Yaml(source)))?;
    // What the engine will read, checked with its own types now rather than at its start.
    hive_router::config::parse_yaml_config(yaml.clone())
        .map_err(|source| error(HiveConfigError::Refused(Box::new(source))))?;
    Ok(yaml)
}

/// Gives each subgraph the entity cache follows the URL of its invalidation channel, where the
/// operator gave none: `/invalidations` beside the subgraph's GraphQL endpoint, as a static
/// `override_subgraph_urls` entry or else the supergraph names it. (A URL an expression
/// computes, as in containers, is not known here: give those explicitly.)
fn fill_invalidation_urls(
    config: &mut serde_json::Value,
    root: &Mapping,
    supergraph: &Path,
) -> Result<(), HiveConfigError> {
    let Some(subgraphs) = config
        .get_mut("subgraphs")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return Ok(());
    };
    let supergraph = std::fs::read_to_string(supergraph).unwrap_or_default();
    let join_graph = regex::Regex::new(r#"@join__graph\(name: "([^"]+)", url: "([^"]+)"\)"#)
        .expect("a valid pattern");
    for (name, subgraph) in subgraphs.iter_mut() {
        if subgraph.get("invalidations").is_some() {
            continue;
        }
        let overridden = section(root, "override_subgraph_urls")
            .and_then(|overrides| overrides.get("subgraphs")?.get(name.as_str())?.get("url"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let url = overridden.or_else(|| {
            join_graph
                .captures_iter(&supergraph)
                .find(|captures| &captures[1] == name)
                .map(|captures| captures[2].to_owned())
        });
        let channel = url
            .and_then(|url| reqwest::Url::parse(&url).ok())
            .map(|mut url| {
                url.set_path("/invalidations");
                url.set_query(None);
                url.to_string()
            })
            .ok_or_else(|| HiveConfigError::EntityCacheSubgraph {
                subgraph: name.clone(),
            })?;
        if let Some(subgraph) = subgraph.as_object_mut() {
            subgraph.insert("invalidations".into(), channel.into());
        }
    }
    Ok(())
}

/// The operator's file as a YAML mapping, with relative `source: file` paths made absolute
/// and unset `from_env` placeholders replaced by their defaults.
fn operator_config(path: &Path) -> Result<Mapping, HiveConfigError> {
    let text = std::fs::read_to_string(path).map_err(HiveConfigError::Read)?;
    let mut config = match serde_yaml::from_str::<Value>(&text).map_err(HiveConfigError::Yaml)? {
        Value::Mapping(mapping) => mapping,
        Value::Null => Mapping::new(),
        _ => return Err(HiveConfigError::NotAMapping),
    };
    let folder = std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_owned))
        .unwrap_or_default();
    absolutize_file_sources(&mut config, &folder);
    for value in config.values_mut() {
        apply_unset_env_defaults(value);
    }
    Ok(config)
}

/// The operator's settings for the plugin `name` (hive-router's defaults when they set none),
/// its `config` an object ours can be added to.
fn operator_plugin(plugins: &Mapping, name: &str) -> Result<PluginConfig, HiveConfigError> {
    let mut plugin: PluginConfig = match plugins.get(name) {
        Some(configured) => serde_yaml::from_value(configured.clone()).map_err(|source| {
            HiveConfigError::Plugin {
                name: name.to_owned(),
                source,
            }
        })?,
        None => PluginConfig::default(),
    };
    if !plugin.config.is_object() {
        plugin.config = serde_json::json!({});
    }
    Ok(plugin)
}

/// Deep-merges `overlay` into `base`: mappings merge key by key, anything else is replaced.
fn merge(base: &mut Mapping, overlay: Mapping) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(Value::Mapping(inner)), Value::Mapping(overlay)) => merge(inner, overlay),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn section<'a>(root: &'a Mapping, key: &str) -> Option<&'a Mapping> {
    root.get(key).and_then(Value::as_mapping)
}

/// Reads `root[key]` as hive-router's type `T` (its default when absent), lets `edit` change
/// it, and writes it back: the operator's other settings in that section are kept.
fn edit_section<T: DeserializeOwned + Serialize + Default>(
    root: &mut Mapping,
    key: &str,
    edit: impl FnOnce(&mut T),
) -> Result<(), HiveConfigError> {
    let mut typed: T = match root.get(key) {
        None | Some(Value::Null) => T::default(),
        Some(value) => {
            serde_yaml::from_value(value.clone()).map_err(|source| HiveConfigError::Section {
                key: key.to_owned(),
                source,
            })?
        }
    };
    edit(&mut typed);
    set_section(root, key, &typed)
}

fn set_section(
    root: &mut Mapping,
    key: &str,
    value: &impl Serialize,
) -> Result<(), HiveConfigError> {
    root.insert(key.into(), to_value(value)?);
    Ok(())
}

fn to_value(value: &impl Serialize) -> Result<Value, HiveConfigError> {
    serde_yaml::to_value(value).map_err(HiveConfigError::Yaml)
}

/// An OTLP/HTTP trace exporter to `endpoint`, otherwise hive-router's defaults.
fn otlp_exporter(
    endpoint: &str,
) -> Result<hive_router::config::telemetry::tracing::TracingExporterConfig, HiveConfigError> {
    let mut exporter = Mapping::new();
    exporter.insert("kind".into(), "otlp".into());
    exporter.insert("endpoint".into(), endpoint.into());
    exporter.insert("protocol".into(), "http".into());
    serde_yaml::from_value(Value::Mapping(exporter)).map_err(|source| {
        HiveConfigError::OtlpEndpoint {
            endpoint: endpoint.to_owned(),
            source,
        }
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

/// Hive Router resolves a file entry's relative `path` (`source: file`, as JWKS providers
/// say it, or `type: file`, as persisted-document storage does) against its config file's
/// folder; the config it reads is written elsewhere, so those paths are made absolute against
/// the operator's file first.
fn absolutize_file_sources(mapping: &mut Mapping, folder: &Path) {
    let is_file_source = ["source", "type"]
        .iter()
        .any(|key| mapping.get(*key).and_then(Value::as_str) == Some("file"));
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

#[cfg(test)]
mod tests {
    use std::{net::SocketAddr, path::PathBuf, time::Duration};

    use hive_router::config::primitives::value_or_expression::ValueOrExpression;

    use super::*;
    use crate::serve::Source;

    fn options(router_config: Vec<PathBuf>) -> ServeOptions {
        ServeOptions {
            source: Source::Supergraph(PathBuf::from("unused.graphql")),
            listen: SocketAddr::from(([0, 0, 0, 0], 4100)),
            router_config,
            introspection: Some(false),
            trusted_documents: None,
            otlp_endpoint: Some("http://127.0.0.1:4318/v1/traces".to_owned()),
            usage_file: None,
            poll_interval: Duration::from_millis(500),
            shutdown_grace: Duration::from_secs(1),
        }
    }

    fn layered_with(operator_yaml: &str) -> hive_router::config::HiveRouterConfig {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keys.json"), r#"{"keys":[]}"#).unwrap();
        std::fs::write(dir.path().join("supergraph.graphql"), "").unwrap();
        let file = dir.path().join("router.yaml");
        std::fs::write(&file, operator_yaml).unwrap();
        let yaml = layered(&options(vec![file]), &dir.path().join("supergraph.graphql"))
            .unwrap_or_else(|err| panic!("{err}"));
        hive_router::config::parse_yaml_config(yaml).unwrap()
    }

    #[test]
    fn the_usage_file_flag_keeps_the_operators_usage_settings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("supergraph.graphql"), "").unwrap();
        let file = dir.path().join("router.yaml");
        std::fs::write(
            &file,
            "plugins:\n  storefront_usage:\n    enabled: false\n    config:\n      retention: 30d\n",
        )
        .unwrap();
        let mut options = options(vec![file]);
        options.usage_file = Some(PathBuf::from("/var/lib/router/usage.json"));
        let yaml = layered(&options, &dir.path().join("supergraph.graphql")).unwrap();
        let config = hive_router::config::parse_yaml_config(yaml).unwrap();
        let usage = &config.plugins[usage::PLUGIN_NAME];
        assert!(usage.enabled);
        assert_eq!(usage.config["file"], "/var/lib/router/usage.json");
        assert_eq!(usage.config["retention"], "30d");
    }

    #[test]
    fn the_operator_can_switch_our_plugins_off() {
        let config = layered_with(
            "plugins:\n  storefront_playground:\n    enabled: false\n  storefront_error_paths:\n    enabled: false\n",
        );
        let playground = &config.plugins[playground::PLUGIN_NAME];
        assert!(!playground.enabled);
        assert_eq!(playground.config["graphql_path"], "/graphql");
        assert!(!config.plugins[error_paths::PLUGIN_NAME].enabled);
    }

    #[test]
    fn the_entity_cache_follows_each_subgraphs_channel_beside_its_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let supergraph = dir.path().join("supergraph.graphql");
        std::fs::write(
            &supergraph,
            "enum join__Graph {\n  CATALOG @join__graph(name: \"catalog\", url: \"http://127.0.0.1:4001/graphql\")\n  PRICING @join__graph(name: \"pricing\", url: \"http://127.0.0.1:4003/graphql\")\n}\n",
        )
        .unwrap();
        let cache = |yaml: &str| {
            let file = dir.path().join("router.yaml");
            std::fs::write(&file, yaml).unwrap();
            layered(&options(vec![file]), &supergraph).map(|yaml| {
                hive_router::config::parse_yaml_config(yaml)
                    .unwrap()
                    .plugins[entity_cache::PLUGIN_NAME]
                    .config
                    .clone()
            })
        };
        let config = cache(
            "override_subgraph_urls:\n  subgraphs:\n    catalog:\n      url: http://catalog.internal:4001/graphql\n\
             plugins:\n  storefront_entity_cache:\n    config:\n      subgraphs:\n        \
             catalog: { types: [Product] }\n        pricing: { types: [Product] }\n        \
             recommendation: { types: [Product], invalidations: 'http://r:4004/invalidations' }\n",
        )
        .unwrap();
        let subgraphs = &config["subgraphs"];
        assert_eq!(
            subgraphs["catalog"]["invalidations"],
            "http://catalog.internal:4001/invalidations"
        );
        assert_eq!(
            subgraphs["pricing"]["invalidations"],
            "http://127.0.0.1:4003/invalidations"
        );
        assert_eq!(
            subgraphs["recommendation"]["invalidations"],
            "http://r:4004/invalidations"
        );
        let unknown = cache(
            "plugins:\n  storefront_entity_cache:\n    config:\n      subgraphs:\n        shipping: { types: [Parcel] }\n",
        )
        .unwrap_err();
        let source = std::error::Error::source(&unknown).map(ToString::to_string);
        assert!(
            source
                .as_deref()
                .is_some_and(|text| text.contains("`shipping`")),
            "{unknown}: {source:?}"
        );
    }

    #[test]
    fn the_contract_codes_stay_on_whatever_the_operator_says() {
        let config = layered_with("plugins:\n  storefront_contract_codes:\n    enabled: false\n");
        assert!(config.plugins[contract_codes::PLUGIN_NAME].enabled);
        assert!(layered_with("").plugins[contract_codes::PLUGIN_NAME].enabled);
    }

    #[test]
    fn our_flags_layer_over_the_operators_file_and_keep_the_rest() {
        let config = layered_with(
            "http:\n  graphql_endpoint: /api\n  port: 9999\n\
             log:\n  level: warn\n\
             introspection: true\n\
             limits:\n  max_depth:\n    n: 7\n\
             jwt:\n  enabled: true\n  require_authentication: false\n  jwks_providers:\n    - source: file\n      path: keys.json\n",
        );
        // Ours: the listen address, introspection, the OTLP exporter, the plugins.
        assert_eq!(
            (config.http.host.as_str(), config.http.port),
            ("0.0.0.0", 4100)
        );
        assert!(matches!(
            config.introspection,
            Some(IntrospectionPermissionConfig::Boolean(false))
        ));
        assert_eq!(config.telemetry.tracing.exporters.len(), 1);
        assert!(!config.laboratory.enabled);
        let playground = &config.plugins[playground::PLUGIN_NAME];
        assert!(playground.enabled);
        assert_eq!(playground.config["graphql_path"], "/api");
        assert!(config.plugins[error_paths::PLUGIN_NAME].enabled);
        // The operator's: the endpoint path, a log level, limits, and a relative key file
        // found beside their file.
        assert_eq!(config.http.graphql_endpoint, "/api");
        assert!(matches!(config.log.level, LogLevel::Warn));
        assert_eq!(
            config.limits.max_depth.as_ref().map(|limit| limit.n),
            Some(7)
        );
        assert!(config.jwt.enabled);
    }

    #[test]
    fn unset_env_placeholders_take_their_defaults_and_set_ones_their_values() {
        // Variable names of this test's own; temp_env sets one for the closure only.
        let set = "STOREFRONT_TEST_LAYERING_DEPTH_SET";
        let unset = "STOREFRONT_TEST_LAYERING_ALIASES_UNSET";
        let yaml = format!(
            "limits:\n  max_depth:\n    n: {{ from_env: {set}, default: 3 }}\n  max_aliases:\n    n: {{ from_env: {unset}, default: 4 }}\n"
        );
        let config = temp_env::with_vars([(set, Some("9")), (unset, None)], || layered_with(&yaml));
        assert_eq!(config.limits.max_depth.as_ref().map(|l| l.n), Some(9));
        assert_eq!(config.limits.max_aliases.as_ref().map(|l| l.n), Some(4));
    }

    /// The repository's `router.yaml` with `router.production.yaml` over it: every protection
    /// the production profile promises is in the configuration Hive Router runs with.
    #[test]
    fn the_production_profile_keeps_every_protection_on() {
        use hive_router::config::{
            authorization::UnauthorizedMode, demand_control::DemandControlMode,
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let supergraph = root.join("supergraph.graphql");
        let mut options = options(vec![
            root.join("router.yaml"),
            root.join("router.production.yaml"),
        ]);
        options.introspection = None;
        let yaml = layered(&options, &supergraph).unwrap_or_else(|err| panic!("{err}"));
        let config = hive_router::config::parse_yaml_config(yaml).unwrap();

        assert!(matches!(
            config.introspection,
            Some(IntrospectionPermissionConfig::Boolean(false))
        ));
        assert!(config.persisted_documents.enabled);
        assert!(matches!(
            config.persisted_documents.require_id,
            ValueOrExpression::Value(true)
        ));
        assert!(config.csrf.enabled && !config.csrf.required_headers.is_empty());
        // Error masking stays on for every subgraph but our four, which mask at the source.
        assert!(config.error_masking.enabled && config.error_masking.all.enabled);
        let mut unmasked: Vec<&String> = config
            .error_masking
            .subgraphs
            .iter()
            .flatten()
            .filter(|(_, subgraph)| subgraph.enabled == Some(false))
            .map(|(name, _)| name)
            .collect();
        unmasked.sort();
        assert_eq!(unmasked, ["cart", "catalog", "pricing", "recommendation"]);
        let demand_control = config.demand_control.expect("demand control configured");
        assert!(demand_control.enabled);
        assert_eq!(
            demand_control.operation_cost.mode,
            DemandControlMode::Enforce
        );
        assert!(config.authorization.directives.enabled);
        assert_eq!(
            config.authorization.directives.unauthorized.mode,
            UnauthorizedMode::Filter
        );
        assert!(config.jwt.enabled);
    }

    #[test]
    fn later_files_override_earlier_ones_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let supergraph = dir.path().join("supergraph.graphql");
        std::fs::write(&supergraph, "").unwrap();
        let base = dir.path().join("router.yaml");
        std::fs::write(
            &base,
            "limits:\n  max_depth:\n    n: 12\n  max_aliases:\n    n: 30\nintrospection: true\n",
        )
        .unwrap();
        let profile = dir.path().join("production.yaml");
        std::fs::write(&profile, "limits:\n  max_depth:\n    n: 8\n").unwrap();
        let mut options = options(vec![base, profile]);
        options.introspection = None;
        let yaml = layered(&options, &supergraph).unwrap();
        let config = hive_router::config::parse_yaml_config(yaml).unwrap();
        assert_eq!(config.limits.max_depth.as_ref().map(|l| l.n), Some(8));
        assert_eq!(config.limits.max_aliases.as_ref().map(|l| l.n), Some(30));
        assert!(matches!(
            config.introspection,
            Some(IntrospectionPermissionConfig::Boolean(true))
        ));
    }

    #[test]
    fn trusted_documents_require_ids_from_the_operators_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let supergraph = dir.path().join("supergraph.graphql");
        std::fs::write(&supergraph, "").unwrap();
        std::fs::write(dir.path().join("documents.json"), "{}").unwrap();
        let file = dir.path().join("router.yaml");
        std::fs::write(
            &file,
            "persisted_documents:\n  enabled: true\n  storage:\n    type: file\n    path: documents.json\n",
        )
        .unwrap();
        let mut trusted = options(vec![file.clone()]);
        trusted.trusted_documents = Some(true);
        let yaml = layered(&trusted, &supergraph).unwrap();
        let config = hive_router::config::parse_yaml_config(yaml.clone()).unwrap();
        let documents = &config.persisted_documents;
        assert!(documents.enabled);
        assert!(matches!(
            documents.require_id,
            ValueOrExpression::Value(true)
        ));
        // The manifest's relative path is found beside the operator's file.
        assert!(
            yaml.contains(&dir.path().join("documents.json").display().to_string()),
            "{yaml}"
        );

        let default = layered(&options(vec![file]), &supergraph).unwrap();
        let config = hive_router::config::parse_yaml_config(default).unwrap();
        assert!(matches!(
            config.persisted_documents.require_id,
            ValueOrExpression::Value(false)
        ));

        let bare = dir.path().join("bare.yaml");
        std::fs::write(&bare, "introspection: false\n").unwrap();
        let mut without_storage = options(vec![bare]);
        without_storage.trusted_documents = Some(true);
        let error = layered(&without_storage, &supergraph).unwrap_err().chain();
        assert!(error.contains("persisted_documents.storage"), "{error}");
    }

    #[test]
    fn a_mistake_in_the_operators_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("router.yaml");
        std::fs::write(&file, "limitz:\n  max_depth:\n    n: 3\n").unwrap();
        let supergraph = dir.path().join("supergraph.graphql");
        std::fs::write(&supergraph, "").unwrap();
        let error = layered(&options(vec![file.clone()]), &supergraph)
            .unwrap_err()
            .chain();
        assert!(error.contains(&file.display().to_string()), "{error}");
        assert!(error.contains("limitz"), "{error}");
    }
}
