//! The federation gateways the bench drives: ours and the peers a user would compare it with,
//! each installed by the bench (pinned, cached in `.dev/tools`, never a dependency of the
//! system) and started on the same composed supergraph against the same running subgraphs.

use std::{
    fmt,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use serde::Serialize;
use serde_json::json;
use tokio::process::Command;
use xtask::{
    paths,
    process::{Output, Service, wait_answering},
    stack::default_router_args,
    system,
};

use crate::commands::{run_cargo, step};

/// Apollo Router from crates.io (Elastic License 2.0: run here only as a local benchmark peer,
/// never linked or shipped).
const APOLLO_ROUTER_VERSION: &str = "2.17.0";

/// How long a gateway may take to answer its first query (a JavaScript gateway loads and
/// plans the supergraph at start).
const START_LIMIT: Duration = Duration::from_secs(60);

/// A federation gateway the bench drives, each serving the same supergraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[allow(
    clippy::enum_variant_names,
    reason = "two of the products are called … Gateway"
)]
pub enum Gateway {
    /// Our router: Hive Router's engine with our plugins and `router.yaml`.
    #[value(name = "router")]
    Storefront,
    /// Our router recording which clients use which schema elements (`--usage-file`): what
    /// that plugin costs.
    #[value(name = "router+usage")]
    StorefrontUsage,
    /// Our router with its playground and error-path plugins switched off: what those two
    /// cost (the rest of its configuration is stock Hive Router's, on the same `router.yaml`).
    #[value(name = "router-bare")]
    StorefrontBare,
    /// Our router with its entity cache switched off: what the cache is worth.
    #[value(name = "router-uncached")]
    StorefrontUncached,
    /// Hive Router 0.2.0 as released (the `hive_router` binary of the version we build on),
    /// on the same `router.yaml`.
    HiveRouter,
    ApolloRouter,
    /// Hive Gateway (JavaScript, npm).
    HiveGateway,
    /// Apollo Gateway on Apollo Server (JavaScript, npm).
    ApolloGateway,
}

impl Gateway {
    pub const ALL: [Gateway; 8] = [
        Gateway::Storefront,
        Gateway::StorefrontUsage,
        Gateway::StorefrontBare,
        Gateway::StorefrontUncached,
        Gateway::HiveRouter,
        Gateway::ApolloRouter,
        Gateway::HiveGateway,
        Gateway::ApolloGateway,
    ];

    /// The short name the report's rows and files use.
    pub fn name(self) -> &'static str {
        match self {
            Gateway::Storefront => "router",
            Gateway::StorefrontUsage => "router+usage",
            Gateway::StorefrontBare => "router-bare",
            Gateway::StorefrontUncached => "router-uncached",
            Gateway::HiveRouter => "hive-router",
            Gateway::ApolloRouter => "apollo-router",
            Gateway::HiveGateway => "hive-gateway",
            Gateway::ApolloGateway => "apollo-gateway",
        }
    }

    /// Whether this gateway understands the supergraph's `@authenticated` / `@requiresScopes`.
    /// Apollo's refuse them without a GraphOS licence (Router) or at all (Gateway), so they are
    /// given the supergraph without them: the bench's queries touch no field they guard.
    fn reads_security_directives(self) -> bool {
        matches!(
            self,
            Gateway::Storefront
                | Gateway::StorefrontUsage
                | Gateway::StorefrontBare
                | Gateway::StorefrontUncached
                | Gateway::HiveRouter
                | Gateway::HiveGateway
        )
    }
}

impl fmt::Display for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A peer ready to start: how to run it and what it is.
pub struct Installed {
    pub gateway: Gateway,
    /// Name and version, for the report.
    pub label: String,
    /// Configured as: what of our router's settings it shares, for the report.
    pub configured: &'static str,
    program: PathBuf,
    folder: PathBuf,
}

/// Installs `gateway` (once; later runs find it in `.dev/tools`). Ours is built with the
/// system and needs nothing here.
pub async fn install(gateway: Gateway) -> anyhow::Result<Installed> {
    let tools = paths::dev_dir().join("tools");
    let installed = |label: String, configured, program: PathBuf, folder: PathBuf| Installed {
        gateway,
        label,
        configured,
        program,
        folder,
    };
    match gateway {
        Gateway::Storefront => anyhow::bail!("our router runs as part of the system"),
        Gateway::StorefrontUsage | Gateway::StorefrontBare | Gateway::StorefrontUncached => {
            Ok(installed(
                format!("our router {}", env!("CARGO_PKG_VERSION")),
                match gateway {
                    Gateway::StorefrontUsage => {
                        "as `router`, and `--usage-file` (usage recording on)"
                    }
                    Gateway::StorefrontBare => {
                        "as `router`, with tools/bench-peers/router-without-plugins.yaml over \
                     router.yaml (playground and error paths off)"
                    }
                    _ => {
                        "as `router`, with tools/bench-peers/router-without-cache.yaml over \
                     router.yaml (entity cache off)"
                    }
                },
                paths::target_dir().join("release/router"),
                paths::workspace_root(),
            ))
        }
        Gateway::HiveRouter => {
            step("Building stock Hive Router (cargo build --release -p hive-router)");
            run_cargo(&[
                "build",
                "--release",
                "-p",
                "hive-router",
                "--bin",
                "hive_router",
            ])
            .await?;
            Ok(installed(
                format!("Hive Router {}", locked_version("hive-router")?),
                "our router.yaml (JWT, header propagation, limits, demand control, persisted \
                 documents, CORS, Prometheus metrics), without our plugins (the entity cache \
                 among them)",
                paths::target_dir().join("release/hive_router"),
                paths::workspace_root(),
            ))
        }
        Gateway::ApolloRouter => {
            let root = tools.join(format!("apollo-router-{APOLLO_ROUTER_VERSION}"));
            let program = root.join("bin/router");
            if !program.is_file() {
                system::ensure_programs(
                    &["protoc"],
                    &["protobuf-compiler"],
                    "Apollo Router's build",
                )
                .await?;
                step(&format!(
                    "Installing Apollo Router {APOLLO_ROUTER_VERSION} from crates.io into .dev/tools \
                     (first run only; a long build)"
                ));
                let root_arg = root.display().to_string();
                let target_arg = tools.join("cargo-target").display().to_string();
                run_cargo(&[
                    "install",
                    "apollo-router",
                    "--locked",
                    "--version",
                    APOLLO_ROUTER_VERSION,
                    "--root",
                    &root_arg,
                    "--target-dir",
                    &target_arg,
                ])
                .await?;
            }
            Ok(installed(
                format!("Apollo Router {APOLLO_ROUTER_VERSION}"),
                "header propagation, request size limit and subgraph timeouts as ours \
                 (tools/bench-peers/apollo-router.yaml); JWT, operation limits and demand \
                 control are licensed features, so off",
                program,
                paths::workspace_root(),
            ))
        }
        Gateway::HiveGateway | Gateway::ApolloGateway => {
            let folder = install_node_peers().await?;
            let (package, program, configured) = match gateway {
                Gateway::HiveGateway => (
                    "@graphql-hive/gateway",
                    folder.join("node_modules/.bin/hive-gateway"),
                    "defaults (one process), header propagation off",
                ),
                _ => (
                    "@apollo/gateway",
                    folder.join("apollo-gateway.mjs"),
                    "Authorization and x-request-id propagated (tools/bench-peers/apollo-gateway.mjs)",
                ),
            };
            let name = match gateway {
                Gateway::HiveGateway => "Hive Gateway",
                _ => "Apollo Gateway",
            };
            Ok(installed(
                format!("{name} {}", npm_version(&folder, package)?),
                configured,
                program,
                folder,
            ))
        }
    }
}

/// router.yaml as stock Hive Router can read it, beside `supergraph`: without our plugins
/// (which it does not have, and refuses to start with), the files it names found from there.
fn stock_hive_router_config(supergraph: &Path) -> anyhow::Result<PathBuf> {
    let root = paths::workspace_root();
    let text = std::fs::read_to_string(root.join("router.yaml"))?;
    let mut config: serde_yaml::Mapping = serde_yaml::from_str(&text)?;
    config.remove("plugins");
    let mut config = serde_yaml::Value::Mapping(config);
    absolute_paths(&mut config, &root);
    let path = supergraph.with_file_name("hive-router.yaml");
    std::fs::write(&path, serde_yaml::to_string(&config)?)?;
    Ok(path)
}

/// Every relative `path:` in `config` made absolute against `root` (Hive Router resolves them
/// against its config file's folder, which the copy is not in).
fn absolute_paths(config: &mut serde_yaml::Value, root: &Path) {
    match config {
        serde_yaml::Value::Mapping(mapping) => {
            for (key, value) in mapping.iter_mut() {
                match value {
                    serde_yaml::Value::String(path)
                        if key == "path" && Path::new(path.as_str()).is_relative() =>
                    {
                        *path = root.join(path.as_str()).display().to_string();
                    }
                    value => absolute_paths(value, root),
                }
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for item in items {
                absolute_paths(item, root);
            }
        }
        _ => {}
    }
}

impl Installed {
    /// Our router's binary on `supergraph` and `router.yaml`, listening on `listen`, logging
    /// warnings only: what the variants of ours add their flags to.
    fn our_router(&self, supergraph: &Path, listen: &str) -> Command {
        let mut command = Command::new(&self.program);
        command
            .arg("--supergraph")
            .arg(supergraph)
            .args(["--listen", listen])
            .args(default_router_args())
            .env("LOG_LEVEL", "warn");
        command
    }

    /// Starts the peer on `port`, serving `supergraph` (the composed SDL), with `env` added to
    /// its environment, and waits until it answers a query at [`url`].
    pub async fn start(
        &self,
        supergraph: &Path,
        port: u16,
        env: &[(&str, &str)],
        output: &Output,
    ) -> anyhow::Result<Service> {
        let supergraph = if self.gateway.reads_security_directives() {
            supergraph.to_owned()
        } else {
            let unsecured = supergraph.with_extension("without-security.graphql");
            let sdl = std::fs::read_to_string(supergraph)?;
            std::fs::write(&unsecured, without_security_directives(&sdl))?;
            unsecured
        };
        let listen = format!("127.0.0.1:{port}");
        let mut command = match self.gateway {
            Gateway::Storefront => anyhow::bail!("our router runs as part of the system"),
            Gateway::StorefrontUsage => {
                let mut command = self.our_router(&supergraph, &listen);
                command
                    .arg("--usage-file")
                    .arg(supergraph.with_extension("usage.json"));
                command
            }
            Gateway::StorefrontBare | Gateway::StorefrontUncached => {
                // A later `--router-config` overrides router.yaml's settings.
                let overlay = if self.gateway == Gateway::StorefrontBare {
                    "tools/bench-peers/router-without-plugins.yaml"
                } else {
                    "tools/bench-peers/router-without-cache.yaml"
                };
                let mut command = self.our_router(&supergraph, &listen);
                command
                    .arg("--router-config")
                    .arg(paths::workspace_root().join(overlay));
                command
            }
            Gateway::HiveRouter => {
                let config = stock_hive_router_config(&supergraph)?;
                let mut command = Command::new(&self.program);
                command
                    .env("ROUTER_CONFIG_FILE_PATH", config)
                    .env("SUPERGRAPH_FILE_PATH", &supergraph)
                    .env("HOST", "127.0.0.1")
                    .env("PORT", port.to_string())
                    .env("LABORATORY_ENABLED", "false")
                    .env("LOG_LEVEL", "warn");
                command
            }
            Gateway::ApolloRouter => {
                let mut command = Command::new(&self.program);
                command
                    .arg("--supergraph")
                    .arg(&supergraph)
                    .arg("--config")
                    .arg(paths::workspace_root().join("tools/bench-peers/apollo-router.yaml"))
                    .args(["--listen", &listen, "--log", "warn"])
                    .env("APOLLO_TELEMETRY_DISABLED", "true")
                    .env("RUST_BACKTRACE", "0");
                command
            }
            Gateway::HiveGateway => {
                let mut command = Command::new(&self.program);
                command
                    .arg("supergraph")
                    .arg(&supergraph)
                    .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                    .env("NODE_ENV", "production");
                command
            }
            Gateway::ApolloGateway => {
                let mut command = Command::new("node");
                command
                    .arg(&self.program)
                    .arg(&supergraph)
                    .arg(port.to_string())
                    .env("NODE_ENV", "production");
                command
            }
        };
        command.current_dir(&self.folder).envs(env.iter().copied());
        let mut service = Service::spawn(self.gateway.name(), command, output).await?;
        let url = url(port);
        wait_answering(&mut service, &url, START_LIMIT, |client| {
            client
                .post(&url)
                .json(&json!({ "query": "{ __typename }" }))
        })
        .await?;
        Ok(service)
    }
}

/// Where every gateway serves GraphQL.
pub fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/graphql")
}

/// The JavaScript gateways, from `tools/bench-peers/package-lock.json`, in `.dev/tools`.
async fn install_node_peers() -> anyhow::Result<PathBuf> {
    let folder = paths::dev_dir().join("tools/bench-peers");
    system::install_node_folder(
        &paths::workspace_root().join("tools/bench-peers"),
        &folder,
        "the JavaScript gateways for the comparison",
    )
    .await
    .context("npm (Node.js) is needed for the JavaScript gateways")?;
    Ok(folder)
}

/// The version of `package` installed in `folder`'s node_modules.
fn npm_version(folder: &Path, package: &str) -> anyhow::Result<String> {
    let manifest = folder
        .join("node_modules")
        .join(package)
        .join("package.json");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let parsed: serde_json::Value = serde_json::from_str(&text)?;
    parsed["version"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("{} names no version", manifest.display()))
}

/// The version of crate `name` in the workspace's Cargo.lock.
fn locked_version(name: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(paths::workspace_root().join("Cargo.lock"))?;
    let entry = format!("name = \"{name}\"\nversion = \"");
    let start = lock
        .find(&entry)
        .with_context(|| format!("Cargo.lock has no {name}"))?
        + entry.len();
    Ok(lock[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned())
}

/// The supergraph without the `@authenticated` / `@requiresScopes` features (their links,
/// definitions and uses).
fn without_security_directives(sdl: &str) -> String {
    const FEATURES: [&str; 2] = ["authenticated", "requiresScopes"];
    let mut kept: Vec<String> = Vec::new();
    for line in sdl.lines() {
        let defines = FEATURES.iter().any(|feature| {
            line.starts_with(&format!("directive @{feature}("))
                || line.starts_with(&format!("directive @{feature} "))
                || line.starts_with(&format!("scalar {feature}__"))
        });
        if defines {
            continue;
        }
        let mut line = line.to_owned();
        for feature in FEATURES {
            line = line.replace(
                &format!(" @link(url: \"https://specs.apollo.dev/{feature}/v0.1\", for: SECURITY)"),
                "",
            );
            while let Some(at) = line.find(&format!(" @{feature}")) {
                let rest = &line[at + 2 + feature.len()..];
                let arguments = if rest.starts_with('(') {
                    balanced_parentheses(rest)
                } else {
                    0
                };
                line.replace_range(at..at + 2 + feature.len() + arguments, "");
            }
        }
        kept.push(line);
    }
    kept.join("\n") + "\n"
}

/// The length of the parenthesised group `text` opens with.
fn balanced_parentheses(text: &str) -> usize {
    let mut depth = 0;
    for (at, character) in text.char_indices() {
        match character {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return at + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_security_features_are_taken_out_of_a_supergraph_and_nothing_else() {
        let sdl = "schema @link(url: \"https://specs.apollo.dev/join/v0.3\", for: EXECUTION) @link(url: \"https://specs.apollo.dev/authenticated/v0.1\", for: SECURITY) @link(url: \"https://specs.apollo.dev/requiresScopes/v0.1\", for: SECURITY) {\n\
            directive @authenticated on FIELD_DEFINITION | OBJECT\n\
            directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION\n\
            scalar requiresScopes__Scope\n\
            type Query {\n\
            \x20 cart: Cart @authenticated @join__field(graph: CART)\n\
            \x20 authenticatedUsers: Int\n\
            }\n\
            type Mutation {\n\
            \x20 clearCart: Cart! @requiresScopes(scopes: [[\"cart:write\"]]) @join__field(graph: CART)\n\
            }\n";
        assert_eq!(
            without_security_directives(sdl),
            "schema @link(url: \"https://specs.apollo.dev/join/v0.3\", for: EXECUTION) {\n\
             type Query {\n\
             \x20 cart: Cart @join__field(graph: CART)\n\
             \x20 authenticatedUsers: Int\n\
             }\n\
             type Mutation {\n\
             \x20 clearCart: Cart! @join__field(graph: CART)\n\
             }\n"
        );
    }
}
