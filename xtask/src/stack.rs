//! The whole storefront as child processes: each subgraph seeded and served on its own
//! database, the router composing them from a `supergraph.yaml`, and the web storefront.

use std::{
    collections::BTreeMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

use anyhow::Context;
use tokio::process::Command;

use crate::{
    netns::{Host, command_on},
    paths,
    process::{Output, Service, run_to_completion, wait_ready},
    roster::{self, ROUTER_PORT, SUBGRAPHS, SubgraphSpec},
};

/// How long a service may take to become ready (a debug build against a cold MongoDB).
const READY_LIMIT: Duration = Duration::from_secs(60);

/// What to start and where.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Folder holding the `router` and subgraph binaries.
    pub bin_dir: PathBuf,
    pub mongodb_uri: String,
    /// Prefixed to each subgraph's database name, so several stacks can share one MongoDB.
    pub database_prefix: String,
    /// Seed this many demo products first; `None` leaves the databases as they are.
    pub seed_products: Option<usize>,
    /// Port per subgraph, in [`SUBGRAPHS`] order.
    pub subgraph_ports: Vec<u16>,
    pub router_port: u16,
    /// The `supergraph.yaml` the router composes from.
    pub supergraph_config: PathBuf,
    /// Extra arguments for the router (e.g. `--router-config FILE`).
    pub router_args: Vec<String>,
    /// Extra environment for the router (e.g. `ROUTER_SUBGRAPH_TIMEOUT`).
    pub router_env: Vec<(String, String)>,
    /// Extra environment for every subgraph (e.g. `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub subgraph_env: Vec<(String, String)>,
    /// The web storefront, when it is wanted.
    pub web: Option<WebOptions>,
    pub output: Output,
    /// Hosts to run on instead of this machine's loopback (the multi-host drills).
    pub placement: Option<Placement>,
    /// A MongoDB of its own per subgraph (name → URI) instead of `mongodb_uri`: a database per
    /// service, physically.
    pub subgraph_mongodb_uris: BTreeMap<String, String>,
}

/// A host per process: the router's, and each subgraph's in [`SUBGRAPHS`] order.
#[derive(Debug, Clone)]
pub struct Placement {
    pub router: Host,
    pub subgraphs: Vec<Host>,
}

/// Where the web storefront listens and which built bundle it serves.
#[derive(Debug, Clone)]
pub struct WebOptions {
    pub port: u16,
    pub dist: PathBuf,
}

impl StackOptions {
    /// The roster's ports and the committed `supergraph.yaml`: what `cargo xtask dev` runs.
    pub fn dev(bin_dir: PathBuf, mongodb_uri: String) -> Self {
        Self {
            bin_dir,
            mongodb_uri,
            database_prefix: String::new(),
            seed_products: Some(1000),
            subgraph_ports: SUBGRAPHS.iter().map(|s| s.default_port).collect(),
            router_port: ROUTER_PORT,
            supergraph_config: paths::workspace_root().join("supergraph.yaml"),
            router_args: default_router_args(),
            router_env: Vec::new(),
            subgraph_env: Vec::new(),
            web: None,
            output: Output::Console,
            placement: None,
            subgraph_mongodb_uris: BTreeMap::new(),
        }
    }

    /// Where subgraph `index` ([`SUBGRAPHS`] order) listens.
    pub fn subgraph_address(&self, index: usize) -> SocketAddr {
        let host = self.placement.as_ref().map(|p| &p.subgraphs[index]);
        SocketAddr::new(address_of(host), self.subgraph_ports[index])
    }

    /// Where the router listens.
    pub fn router_address(&self) -> SocketAddr {
        let host = self.placement.as_ref().map(|p| &p.router);
        SocketAddr::new(address_of(host), self.router_port)
    }

    fn subgraph_host(&self, index: usize) -> Option<&Host> {
        self.placement.as_ref().map(|p| &p.subgraphs[index])
    }

    /// The MongoDB subgraph `subgraph` stores in.
    pub fn mongodb_uri_of(&self, subgraph: &str) -> &str {
        self.subgraph_mongodb_uris
            .get(subgraph)
            .unwrap_or(&self.mongodb_uri)
    }
}

/// A host's address, or loopback when the process runs on this machine's.
fn address_of(host: Option<&Host>) -> IpAddr {
    host.map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |host| {
        IpAddr::V4(host.address)
    })
}

/// The running system; dropping it kills every process, [`Stack::stop`] stops them gracefully.
pub struct Stack {
    pub options: StackOptions,
    /// Subgraphs, in [`SUBGRAPHS`] order; `None` while one is stopped.
    subgraphs: Vec<Option<Service>>,
    router: Option<Service>,
    web: Option<Service>,
}

impl Stack {
    pub async fn start(options: StackOptions) -> anyhow::Result<Self> {
        if let Some(products) = options.seed_products {
            seed(&options, products).await?;
        }
        let mut stack = Self {
            options,
            subgraphs: Vec::new(),
            router: None,
            web: None,
        };
        for index in 0..SUBGRAPHS.len() {
            let service = stack.start_subgraph(index).await?;
            stack.subgraphs.push(Some(service));
        }
        stack.router = Some(stack.start_router().await?);
        if let Some(web) = &stack.options.web {
            stack.web = Some(stack.start_web(web).await?);
        }
        Ok(stack)
    }

    pub fn router_url(&self) -> String {
        format!("http://{}/graphql", self.options.router_address())
    }

    /// The web storefront's address, when the stack serves it.
    pub fn web_url(&self) -> Option<String> {
        let web = self.options.web.as_ref()?;
        Some(format!("http://127.0.0.1:{}", web.port))
    }

    /// The subgraph's base URL (`/graphql`, `/health`, `/ready`, `/metrics` below it).
    pub fn subgraph_url(&self, name: &str) -> String {
        let address = self.options.subgraph_address(roster::index_of(name));
        format!("http://{address}")
    }

    /// The port subgraph `name` listens on.
    pub fn subgraph_port(&self, name: &str) -> u16 {
        self.options.subgraph_ports[roster::index_of(name)]
    }

    /// The MongoDB commands a subgraph has sent so far: the sum of `mongodb_commands_total`
    /// on its `/metrics`.
    pub async fn mongodb_commands(
        &self,
        client: &reqwest::Client,
        subgraph: &str,
    ) -> anyhow::Result<f64> {
        self.metric_total(client, subgraph, "mongodb_commands_total")
            .await
    }

    /// The `/metrics` page of `process`: `"router"` or a subgraph's name.
    pub async fn metrics_page(
        &self,
        client: &reqwest::Client,
        process: &str,
    ) -> anyhow::Result<String> {
        let url = if process == "router" {
            format!("http://{}/metrics", self.options.router_address())
        } else {
            format!("{}/metrics", self.subgraph_url(process))
        };
        Ok(client.get(url).send().await?.text().await?)
    }

    /// The sum of every series of `metric` on the `/metrics` page of `process` (`"router"` or
    /// a subgraph's name); see [`metric_sum`].
    pub async fn metric_total(
        &self,
        client: &reqwest::Client,
        process: &str,
        metric: &str,
    ) -> anyhow::Result<f64> {
        let page = self.metrics_page(client, process).await?;
        metric_sum(&page, metric, process)
    }

    /// Resolves when any running service exits on its own, saying which and how.
    pub async fn any_exited(&mut self) -> String {
        let waits = self.running_mut().map(|service| {
            Box::pin(async move {
                let status = service.exited().await;
                let status = status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|e| e.to_string());
                format!("{} exited ({status})", service.name)
            })
        });
        let (message, _, _) = futures::future::select_all(waits).await;
        message
    }

    /// The services that have exited since they started (none should, short of a stop).
    pub fn exited(&mut self) -> Vec<String> {
        self.running_mut()
            .filter_map(|service| {
                let status = service.try_exited()?;
                Some(format!("{} exited ({status})", service.name))
            })
            .collect()
    }

    /// Every running process of the system by name (subgraphs, then the router), with its pid.
    pub fn processes(&self) -> Vec<(String, u32)> {
        self.running()
            .filter_map(|service| Some((service.name.clone(), service.pid()?)))
            .collect()
    }

    /// The services started and not stopped: subgraphs, router, web storefront.
    fn running(&self) -> impl Iterator<Item = &Service> {
        self.subgraphs
            .iter()
            .flatten()
            .chain(self.router.as_ref())
            .chain(self.web.as_ref())
    }

    fn running_mut(&mut self) -> impl Iterator<Item = &mut Service> {
        self.subgraphs
            .iter_mut()
            .flatten()
            .chain(self.router.as_mut())
            .chain(self.web.as_mut())
    }

    /// Stops the web storefront and the router first, then the subgraphs, each with a grace
    /// period.
    pub async fn stop(mut self) {
        if let Some(web) = self.web.take() {
            web.stop(Duration::from_secs(10)).await;
        }
        if let Some(router) = self.router.take() {
            router.stop(Duration::from_secs(10)).await;
        }
        let stops = self
            .subgraphs
            .drain(..)
            .flatten()
            .map(|s| s.stop(Duration::from_secs(10)));
        futures::future::join_all(stops).await;
    }

    /// Stops one subgraph (SIGTERM), as an outage or a redeploy does; the rest keep running.
    pub async fn stop_subgraph(&mut self, name: &str) {
        if let Some(service) = self.subgraphs[roster::index_of(name)].take() {
            service.stop(Duration::from_secs(10)).await;
        }
    }

    /// Kills one subgraph (SIGKILL), as a crash or an out-of-memory kill does: in-flight
    /// requests are cut, nothing is cleaned up.
    pub async fn kill_subgraph(&mut self, name: &str) {
        if let Some(service) = self.subgraphs[roster::index_of(name)].take() {
            service.kill().await;
        }
    }

    /// SIGKILLs one subgraph where it stands, while requests may be in flight to it; a later
    /// [`Stack::kill_subgraph`] reaps it.
    pub fn crash_subgraph(&self, name: &str) {
        if let Some(service) = &self.subgraphs[roster::index_of(name)] {
            service.crash();
        }
    }

    /// Starts a stopped subgraph again, on its port and database, and waits until it is ready.
    pub async fn start_subgraph_again(&mut self, name: &str) -> anyhow::Result<()> {
        let index = roster::index_of(name);
        if self.subgraphs[index].is_none() {
            let service = self.start_subgraph(index).await?;
            self.subgraphs[index] = Some(service);
        }
        Ok(())
    }

    /// Stops the router (SIGTERM, its grace for in-flight requests) and starts it again on the
    /// same port, as a redeploy does; waits until it is ready.
    pub async fn restart_router(&mut self) -> anyhow::Result<()> {
        if let Some(router) = self.router.take() {
            router.stop(Duration::from_secs(10)).await;
        }
        self.router = Some(self.start_router().await?);
        Ok(())
    }

    /// Freezes (or thaws) one subgraph: it keeps its port but answers nothing, like a hung
    /// process, so callers wait until their own timeouts.
    pub fn freeze_subgraph(&self, name: &str, frozen: bool) {
        if let Some(service) = &self.subgraphs[roster::index_of(name)] {
            service.set_frozen(frozen);
        }
    }

    async fn start_subgraph(&self, index: usize) -> anyhow::Result<Service> {
        let spec = SUBGRAPHS[index];
        let address = self.options.subgraph_address(index);
        let mut command = subgraph_command(&self.options, spec);
        command.env("LISTEN_ADDR", address.to_string()).arg("serve");
        let mut service = Service::spawn(spec.name, command, &self.options.output).await?;
        wait_ready(
            &mut service,
            &format!("http://{address}/ready"),
            READY_LIMIT,
        )
        .await?;
        Ok(service)
    }

    async fn start_router(&self) -> anyhow::Result<Service> {
        let address = self.options.router_address();
        let host = self.options.placement.as_ref().map(|p| &p.router);
        let mut command = command_on(host, self.options.bin_dir.join("router"));
        command
            .arg("--config")
            .arg(&self.options.supergraph_config)
            .args(["--listen", &address.to_string()])
            .args(&self.options.router_args)
            .envs(self.options.router_env.iter().cloned());
        let mut router = Service::spawn("router", command, &self.options.output).await?;
        wait_ready(
            &mut router,
            &format!("http://{address}/readiness"),
            READY_LIMIT,
        )
        .await?;
        Ok(router)
    }

    async fn start_web(&self, web: &WebOptions) -> anyhow::Result<Service> {
        let mut command = Command::new(self.options.bin_dir.join("storefront-web"));
        command
            .args(["--listen", &format!("127.0.0.1:{}", web.port)])
            .arg("--dist")
            .arg(&web.dist)
            .args(["--graphql-url", &self.router_url()])
            // DEV ONLY: sign-in as anyone (see dev-identity/README.md).
            .arg("--dev-signing-key")
            .arg(paths::dev_signing_key());
        let mut service = Service::spawn("web", command, &self.options.output).await?;
        wait_ready(
            &mut service,
            &format!("http://127.0.0.1:{}/ready", web.port),
            READY_LIMIT,
        )
        .await?;
        Ok(service)
    }
}

/// A rover-format config routing to subgraphs on `ports` ([`SUBGRAPHS`] order) on loopback,
/// with the committed schemas.
pub fn supergraph_yaml(ports: &[u16]) -> String {
    let addresses: Vec<SocketAddr> = ports
        .iter()
        .map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, *port)))
        .collect();
    supergraph_yaml_at(&addresses)
}

/// A rover-format config routing to subgraphs at `addresses` ([`SUBGRAPHS`] order), with the
/// committed schemas.
pub fn supergraph_yaml_at(addresses: &[SocketAddr]) -> String {
    let root = paths::workspace_root();
    let mut yaml = String::from("federation_version: =2.9.3\nsubgraphs:\n");
    for (spec, address) in SUBGRAPHS.iter().zip(addresses) {
        yaml.push_str(&format!(
            "  {name}:\n    routing_url: http://{address}/graphql\n    schema:\n      file: {schema}\n",
            name = spec.name,
            schema = root.join("subgraphs").join(spec.name).join("schema.graphql").display(),
        ));
    }
    yaml
}

/// The committed Hive Router configuration every stack serves with.
pub fn default_router_args() -> Vec<String> {
    let config = paths::workspace_root().join("router.yaml");
    vec!["--router-config".to_owned(), config.display().to_string()]
}

fn subgraph_command(options: &StackOptions, spec: SubgraphSpec) -> Command {
    let index = roster::index_of(spec.name);
    let mut command = command_on(
        options.subgraph_host(index),
        options.bin_dir.join(spec.name),
    );
    let catalog = options.subgraph_address(roster::index_of("catalog"));
    command
        .env("MONGODB_URI", options.mongodb_uri_of(spec.name))
        .env(
            "DATABASE_NAME",
            format!("{}{}", options.database_prefix, spec.name),
        )
        // DEV ONLY keys: see dev-identity/README.md.
        .env("JWKS_FILE", paths::dev_jwks())
        .env("CATALOG_URL", format!("http://{catalog}/graphql"))
        .envs(options.subgraph_env.iter().cloned());
    command
}

/// Seeds every subgraph's database, concurrently.
pub async fn seed(options: &StackOptions, products: usize) -> anyhow::Result<()> {
    let runs = SUBGRAPHS.iter().map(|spec| {
        let mut command = subgraph_command(options, *spec);
        command.args(["seed", "--products", &products.to_string()]);
        async move {
            run_to_completion(&format!("{} seed", spec.name), command)
                .await
                .with_context(|| format!("seeding {}", spec.name))
        }
    });
    for result in futures::future::join_all(runs).await {
        result?;
    }
    Ok(())
}

/// The sum of every series of `metric` on a Prometheus text `page` (from `source`, for the
/// error). A metric with no series there is an error, never 0: a counter that was renamed or
/// never registered must not pass for one that stayed still.
pub fn metric_sum(page: &str, metric: &str, source: &str) -> anyhow::Result<f64> {
    let values: Vec<f64> = page
        .lines()
        // `metric{labels} value` or, unlabelled, `metric value`.
        .filter(|line| {
            line.strip_prefix(metric)
                .is_some_and(|rest| rest.starts_with(['{', ' ']))
        })
        .map(|line| {
            line.rsplit(' ')
                .next()
                .and_then(|value| value.parse::<f64>().ok())
                .with_context(|| format!("{source}'s /metrics line is not `name value`: {line}"))
        })
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(
        !values.is_empty(),
        "{source}'s /metrics has no series of {metric}"
    );
    Ok(values.iter().sum())
}
