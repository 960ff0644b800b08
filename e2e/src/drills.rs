//! The multi-host drills' system: every service on a host of its own (a network namespace with
//! its own address), and each subgraph's database a replica set of its own on hosts of its own —
//! one member each, or three for the cart in the failover drill — as an operator who outgrew one
//! MongoDB runs it. A drill breaks the network
//! between hosts; [`record`] keeps its figures for `cargo xtask drill`'s results file.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, atomic::AtomicU64},
    time::Duration,
};

use serde_json::json;
use xtask::{
    mongo::{self, LocalMongo},
    netns::{Host, Network},
    process::Output,
    roster::SUBGRAPHS,
    stack::{Placement, supergraph_yaml_at},
};

use crate::{TestStack, exclusive_machine, required_env, scratch_dir};

/// Members of the cart's replica set in the failover drill; the first starts as its primary.
pub const CART_SET_MEMBERS: usize = 3;
/// Every `mongod` listens on this port of its own host's address.
const MONGODB_PORT: u16 = 27017;
/// The subgraphs' and the router's port, each on its own host's address.
const SERVICE_PORT: u16 = 4000;

/// The storefront spread over hosts.
pub struct DrillSystem {
    pub stack: TestStack,
    /// Each subgraph's replica set, by subgraph name, members in order.
    pub databases: BTreeMap<&'static str, Vec<LocalMongo>>,
    hosts: BTreeMap<String, Host>,
    data: PathBuf,
    /// Dropped last: processes leave their namespaces before the namespaces go.
    pub network: Network,
}

impl DrillSystem {
    /// Creates the hosts, starts and forms every replica set, seeds, and starts the subgraphs
    /// and the router on their hosts, with the machine to itself for as long as it runs.
    pub async fn start(name: &str) -> Self {
        Self::start_inner(name, 1, None).await
    }

    /// Like [`DrillSystem::start`], the cart's replica set of [`CART_SET_MEMBERS`] members on
    /// hosts `cart-db-1`… (the first starts as primary).
    pub async fn start_with_cart_set(name: &str) -> Self {
        Self::start_inner(name, CART_SET_MEMBERS, None).await
    }

    /// Like [`DrillSystem::start`], with the router reaching `subgraph` through a proxy on the
    /// drill's own address that holds each request for `delay` milliseconds (changeable while
    /// it runs): latency on that one path, as a userspace stand-in for `netem`.
    pub async fn start_with_delay(name: &str, subgraph: &str, delay: Arc<AtomicU64>) -> Self {
        Self::start_inner(name, 1, Some((subgraph, delay))).await
    }

    async fn start_inner(
        name: &str,
        cart_members: usize,
        delayed: Option<(&str, Arc<AtomicU64>)>,
    ) -> Self {
        let machine = exclusive_machine().await;
        let mut network = Network::create()
            .await
            .unwrap_or_else(|err| panic!("the drill's network: {err:#}"));
        let data = scratch_dir().join(format!("{name}-mongodb"));
        let log = Output::File(scratch_dir().join(format!("{name}-mongodb.log")));
        let binary = PathBuf::from(required_env("STOREFRONT_MONGOD"));
        let mut hosts = BTreeMap::new();
        let mut databases = BTreeMap::new();
        for spec in SUBGRAPHS.iter() {
            let members = if spec.name == "cart" { cart_members } else { 1 };
            let mut set = Vec::new();
            for member in 1..=members {
                let host_name = if members == 1 {
                    format!("{}-db", spec.name)
                } else {
                    format!("{}-db-{member}", spec.name)
                };
                let host = add_host(&mut network, &mut hosts, &host_name).await;
                let dir = data.join(&host_name);
                set.push(
                    LocalMongo::start_member_on(Some(&host), &binary, &dir, MONGODB_PORT, &log)
                        .await
                        .unwrap_or_else(|err| panic!("mongod on {host_name}: {err:#}")),
                );
            }
            mongo::initiate(&set, Duration::from_secs(60))
                .await
                .unwrap_or_else(|err| panic!("{}'s replica set: {err:#}", spec.name));
            databases.insert(spec.name, set);
        }
        let mut subgraph_hosts = Vec::new();
        for spec in SUBGRAPHS.iter() {
            subgraph_hosts.push(add_host(&mut network, &mut hosts, spec.name).await);
        }
        let router = add_host(&mut network, &mut hosts, "router").await;
        let placement = Placement {
            router,
            subgraphs: subgraph_hosts,
        };
        let mut routed: Vec<SocketAddr> = placement
            .subgraphs
            .iter()
            .map(|host| SocketAddr::from((host.address, SERVICE_PORT)))
            .collect();
        if let Some((subgraph, delay)) = delayed {
            let index = xtask::roster::index_of(subgraph);
            routed[index] =
                crate::delaying_proxy(network.own_address().into(), routed[index], delay).await;
        }
        let uris: BTreeMap<String, String> = databases
            .iter()
            .map(|(subgraph, set)| (subgraph.to_string(), mongo::uri_of(set)))
            .collect();
        let stack = TestStack::start_holding(machine, name, |options| {
            options.subgraph_ports = vec![SERVICE_PORT; SUBGRAPHS.len()];
            options.router_port = SERVICE_PORT;
            options.placement = Some(placement);
            options.subgraph_mongodb_uris = uris;
            std::fs::write(&options.supergraph_config, supergraph_yaml_at(&routed))
                .expect("the drill's supergraph.yaml");
        })
        .await;
        Self {
            stack,
            databases,
            hosts,
            data,
            network,
        }
    }

    /// The host called `name`: `"router"`, a subgraph's name, `"catalog-db"`, `"cart-db-1"`, …
    pub fn host(&self, name: &str) -> &Host {
        self.hosts
            .get(name)
            .unwrap_or_else(|| panic!("no drill host {name}"))
    }

    /// Where the `mongod` on host `name` keeps its data.
    pub fn data_dir(&self, name: &str) -> PathBuf {
        self.data.join(name)
    }

    /// Stops the services, then kills every `mongod` at once (their data is thrown away; a
    /// replica-set member asked to stop waits out its quiesce period, ten seconds a member),
    /// and removes the data and the hosts.
    pub async fn stop(self) {
        self.stack.stack.stop().await;
        let members = self.databases.into_values().flatten();
        futures::future::join_all(members.map(|member| member.service.kill())).await;
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

async fn add_host(network: &mut Network, hosts: &mut BTreeMap<String, Host>, name: &str) -> Host {
    let host = network
        .add_host(name)
        .await
        .unwrap_or_else(|err| panic!("drill host {name}: {err:#}"));
    hosts.insert(name.to_owned(), host.clone());
    host
}

/// What a drill measured, printed, and kept as `<drill>.json` in `STOREFRONT_DRILL_RESULTS`
/// when `cargo xtask drill` runs it (the results file and README's table are made from them).
pub fn record(drill: &str, guarantee: &str, figures: &[(&str, String)]) {
    println!("drill {drill}: {guarantee}");
    for (what, value) in figures {
        println!("  {what}: {value}");
    }
    let Some(dir) = std::env::var_os("STOREFRONT_DRILL_RESULTS") else {
        return;
    };
    let figures: Vec<_> = figures
        .iter()
        .map(|(what, value)| json!([what, value]))
        .collect();
    let record = json!({ "drill": drill, "guarantee": guarantee, "figures": figures });
    let path = PathBuf::from(dir).join(format!("{drill}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&record).unwrap())
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

/// A duration as figures show it: milliseconds below ten seconds, else seconds to a tenth.
pub fn shown(duration: Duration) -> String {
    if duration < Duration::from_secs(10) {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}
