//! `cargo xtask bench --compare`: our router side by side with the federation gateways a user
//! would weigh it against, on the same machine, supergraph and running subgraphs. Every
//! workload runs against every gateway back to back, each pair twice, interleaved; a gateway
//! whose answer differs from ours is not measured (a fast wrong answer cannot win).

mod report;

use std::{path::Path, time::Duration};

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::{Value, json};
use xtask::process::{Output, Service, free_port};

use super::{
    BenchArgs, System,
    load::{LatencyMs, run_oha},
    peers::{self, Gateway, Installed},
    sampling::{self, CpuTimes},
    scenarios::{self, Drive, ScenarioId},
};
use crate::commands::step;

/// Closed-loop connections, as the public gateways benchmark uses.
pub const CONNECTIONS: u32 = 50;

/// What the comparison runs, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// The storefront's own operations, mixed (Home, ProductPage, CategoryListing, Search).
    Storefront,
    /// Every category → its products with prices and recommendations → their prices: one
    /// request fans out over all four subgraphs and answers ~95 KB.
    Heavy,
    /// One catalog field, one subgraph: what the gateway itself costs.
    SingleSubgraph,
    /// The same, one request at a time: the latency a gateway adds to a call.
    SingleSubgraphSerial,
}

impl Workload {
    const ALL: [Workload; 4] = [
        Workload::Storefront,
        Workload::Heavy,
        Workload::SingleSubgraph,
        Workload::SingleSubgraphSerial,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Workload::Storefront => "Storefront operations (mixed)",
            Workload::Heavy => "Heavy nested query",
            Workload::SingleSubgraph => "Single-subgraph query",
            Workload::SingleSubgraphSerial => "Single-subgraph query, one at a time",
        }
    }

    fn drive(self) -> Drive {
        match self {
            Workload::SingleSubgraphSerial => Drive::Serial,
            Workload::Storefront | Workload::Heavy | Workload::SingleSubgraph => Drive::Saturate,
        }
    }
}

/// The heavy query: categories → products → prices and recommendations → their prices.
pub const HEAVY_QUERY: &str = "query Heavy($currency: CurrencyCode!) { categories { slug name \
    products(first: 8) { edges { node { id sku name imageUrl tags \
    pricing(currency: $currency) { price { amount currencyCode } compareAtPrice { amount currencyCode } percentOff } \
    recommendations(first: 4) { id name imageUrl pricing(currency: $currency) { price { amount currencyCode } } } \
    } } } } }";

/// Where a row's requests went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "name")]
pub enum Via {
    Gateway(Gateway),
    /// Straight at the catalog subgraph: the baseline of the single-subgraph rows.
    CatalogDirect,
}

/// One measured run.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub workload: Workload,
    pub via: Via,
    pub round: u32,
    pub requests: u64,
    pub rps: f64,
    #[serde(flatten)]
    pub latency: LatencyMs,
    /// Non-2xx responses and requests that got none.
    pub errors: u64,
    /// CPU time of the gateway's processes per 1000 responses.
    pub cpu_seconds_per_1000: f64,
    /// The gateway's peak resident memory during this run (warm-up included).
    pub peak_rss_mib: f64,
}

/// A gateway the comparison could not measure, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub gateway: Gateway,
    pub reason: String,
}

/// Everything a comparison found, as the report and the JSON file hold it.
#[derive(Debug, Serialize)]
pub struct Comparison {
    pub machine: String,
    pub products: usize,
    pub connections: u32,
    pub warmup_seconds: u64,
    pub seconds_per_run: u64,
    pub rounds: u32,
    /// Each gateway measured: its name and version, and how it was configured.
    pub gateways: Vec<(Gateway, String, String)>,
    pub missing: Vec<Missing>,
    /// Gateways whose answer to a workload differed from ours, not measured on it.
    pub wrong_answers: Vec<(Workload, Gateway, String)>,
    /// Median response size of each workload from our router, in bytes.
    pub response_bytes: Vec<(Workload, usize)>,
    pub rows: Vec<Row>,
}

/// A gateway serving during the comparison.
struct Running {
    gateway: Gateway,
    url: String,
    pid: u32,
    /// Peers are stopped when the comparison ends; ours stops with the system.
    _service: Option<Service>,
}

pub async fn run(args: &BenchArgs, oha: &Path) -> anyhow::Result<()> {
    let mut installed = Vec::new();
    let mut missing = Vec::new();
    for &gateway in args.peers.iter().filter(|g| **g != Gateway::Storefront) {
        match peers::install(gateway).await {
            Ok(peer) => installed.push(peer),
            Err(err) => {
                step(&format!("{gateway} cannot be installed: {err:#}"));
                missing.push(Missing {
                    gateway,
                    reason: format!("not installed: {err:#}"),
                });
            }
        }
    }
    let system = System::start(args, "compare").await?;
    let outcome = compare(args, oha, &system, &installed, missing).await;
    system.stop().await;
    let comparison = outcome?;
    let markdown = report::render(&comparison).context("rendering the comparison")?;
    super::publish(&args.compare_output, &markdown)?;
    let json_path = args.compare_output.with_extension("json");
    super::publish_quietly(&json_path, &serde_json::to_string_pretty(&comparison)?)
}

async fn compare(
    args: &BenchArgs,
    oha: &Path,
    system: &System,
    installed: &[Installed],
    mut missing: Vec<Missing>,
) -> anyhow::Result<Comparison> {
    let scratch = &system.scratch;
    let supergraph = system.compose_supergraph().await?;

    let ours = system.pid("router").context("our router is not running")?;
    let mut running = vec![Running {
        gateway: Gateway::Storefront,
        url: system.stack.router_url(),
        pid: ours,
        _service: None,
    }];
    let mut gateways = vec![(
        Gateway::Storefront,
        format!("our router {}", env!("CARGO_PKG_VERSION")),
        "router.yaml, our plugins (playground, error paths; usage recording off)".to_owned(),
    )];
    let log = Output::File(scratch.join("peers.log"));
    for peer in installed {
        step(&format!("Starting {}", peer.label));
        let port = free_port()?;
        match peer.start(&supergraph, port, &[], &log).await {
            Ok(service) => {
                gateways.push((peer.gateway, peer.label.clone(), peer.configured.to_owned()));
                running.push(Running {
                    gateway: peer.gateway,
                    url: peers::url(port),
                    pid: service.pid().context("a peer exited at once")?,
                    _service: Some(service),
                });
            }
            Err(err) => missing.push(Missing {
                gateway: peer.gateway,
                reason: format!(
                    "did not start: {err:#} (see {})",
                    scratch.join("peers.log").display()
                ),
            }),
        }
    }

    let client = reqwest::Client::new();
    let bodies = workload_bodies(args, &system.stack.router_url(), &client).await?;
    let mut wrong_answers = Vec::new();
    let mut response_bytes = Vec::new();
    for (workload, bodies) in &bodies {
        let (reference, bytes) = answers(&client, &running[0].url, bodies)
            .await
            .with_context(|| format!("our router on {}", workload.title()))?;
        response_bytes.push((*workload, bytes));
        for gateway in &running[1..] {
            let verdict = match answers(&client, &gateway.url, bodies).await {
                Ok((answer, _)) if answer == reference => continue,
                Ok(_) => "its data differs from our router's".to_owned(),
                Err(err) => format!("{err:#}"),
            };
            step(&format!(
                "{} is not measured on {}: {verdict}",
                gateway.gateway,
                workload.title()
            ));
            wrong_answers.push((*workload, gateway.gateway, verdict));
        }
    }

    let catalog = format!("{}/graphql", system.stack.subgraph_url("catalog"));
    let mut rows = Vec::new();
    for round in 1..=args.rounds {
        for (workload, bodies) in &bodies {
            // Interleaved: each round visits the gateways in the other order.
            let mut order: Vec<&Running> = running
                .iter()
                .filter(|g| {
                    !wrong_answers
                        .iter()
                        .any(|(w, wg, _)| w == workload && *wg == g.gateway)
                })
                .collect();
            if round % 2 == 0 {
                order.reverse();
            }
            let mut targets: Vec<(Via, &str, Vec<u32>)> = order
                .iter()
                .map(|g| {
                    (
                        Via::Gateway(g.gateway),
                        g.url.as_str(),
                        sampling::process_tree(g.pid),
                    )
                })
                .collect();
            if matches!(
                workload,
                Workload::SingleSubgraph | Workload::SingleSubgraphSerial
            ) {
                let catalog_pid = system.pid("catalog").into_iter().collect();
                targets.push((Via::CatalogDirect, catalog.as_str(), catalog_pid));
            }
            for (via, url, pids) in targets {
                step(&format!(
                    "Round {round}/{}: {} via {}",
                    args.rounds,
                    workload.title(),
                    via_name(via)
                ));
                rows.push(
                    measure(
                        args, oha, scratch, *workload, via, url, &pids, bodies, round,
                    )
                    .await?,
                );
            }
        }
    }
    Ok(Comparison {
        machine: sampling::machine(),
        products: args.products,
        connections: CONNECTIONS,
        warmup_seconds: args.warmup.as_secs(),
        seconds_per_run: args.duration.as_secs(),
        rounds: args.rounds,
        gateways,
        missing,
        wrong_answers,
        response_bytes,
        rows,
    })
}

pub fn via_name(via: Via) -> &'static str {
    match via {
        Via::Gateway(gateway) => gateway.name(),
        Via::CatalogDirect => "catalog (direct)",
    }
}

/// Warms the target up, then measures one run: latency and throughput from the load
/// generator, CPU time and peak memory of the target's processes from /proc.
#[allow(clippy::too_many_arguments)]
async fn measure(
    args: &BenchArgs,
    oha: &Path,
    scratch: &Path,
    workload: Workload,
    via: Via,
    url: &str,
    pids: &[u32],
    bodies: &[Value],
    round: u32,
) -> anyhow::Result<Row> {
    let body_file = scratch.join("compare-bodies.jsonl");
    let named: Vec<(String, u32)> = pids.iter().map(|pid| (pid.to_string(), *pid)).collect();
    sampling::reset_peak_rss(pids);
    let drive = workload.drive();
    if !args.warmup.is_zero() {
        run_oha(
            oha,
            url,
            bodies,
            &body_file,
            args.warmup,
            CONNECTIONS,
            drive,
        )
        .await?;
    }
    let before = CpuTimes::read(&named)?;
    let stats = run_oha(
        oha,
        url,
        bodies,
        &body_file,
        args.duration,
        CONNECTIONS,
        drive,
    )
    .await?;
    let cpu_seconds = CpuTimes::read(&named)?.process_seconds_since(&before);
    let peak_rss_mib = sampling::peak_rss(&named).iter().map(|(_, mib)| mib).sum();
    let Some(stats) = stats else {
        // Nothing answered within the run: a result, not a failure of the bench.
        return Ok(Row {
            workload,
            via,
            round,
            requests: 0,
            rps: 0.0,
            latency: LatencyMs::NONE,
            errors: u64::from(CONNECTIONS),
            cpu_seconds_per_1000: f64::NAN,
            peak_rss_mib,
        });
    };
    let requests = stats.responses();
    Ok(Row {
        workload,
        via,
        round,
        requests,
        rps: stats.summary.requests_per_sec,
        latency: stats.latency_ms(),
        errors: stats.failures(),
        cpu_seconds_per_1000: cpu_seconds * 1000.0 / requests.max(1) as f64,
        peak_rss_mib,
    })
}

/// The request bodies of every workload.
async fn workload_bodies(
    args: &BenchArgs,
    router_url: &str,
    client: &reqwest::Client,
) -> anyhow::Result<Vec<(Workload, Vec<Value>)>> {
    let slugs = super::category_slugs(client, router_url).await?;
    let scenarios = scenarios::scenarios(args.rate, args.products, &slugs)?;
    let bodies_of = |id| scenarios::bodies_of(&scenarios, id);
    // The storefront's pages in turn: a product page, a category, a search, the home page.
    let pages = [
        bodies_of(ScenarioId::ProductPage),
        bodies_of(ScenarioId::CategoryListing),
        bodies_of(ScenarioId::Search),
        bodies_of(ScenarioId::Home),
    ];
    let longest = pages.iter().map(Vec::len).max().unwrap_or_default();
    let storefront = (0..longest)
        .flat_map(|i| {
            pages
                .iter()
                .filter(|p| !p.is_empty())
                .map(move |p| p[i % p.len()].clone())
        })
        .collect();
    let heavy = ["USD", "EUR", "GBP"]
        .iter()
        .map(|currency| json!({ "query": HEAVY_QUERY, "variables": { "currency": currency } }))
        .collect();
    let single = bodies_of(ScenarioId::ProductByIdViaGateway);
    Ok(Workload::ALL
        .into_iter()
        .map(|workload| {
            let bodies = match workload {
                Workload::Storefront => &storefront,
                Workload::Heavy => &heavy,
                Workload::SingleSubgraph | Workload::SingleSubgraphSerial => &single,
            };
            (workload, bodies.clone())
        })
        .collect())
}

/// The `data` a gateway answers to the first dozen of `bodies` (each kind of page of the
/// storefront mix three times), failing on any GraphQL error; and the median response size.
async fn answers(
    client: &reqwest::Client,
    url: &str,
    bodies: &[Value],
) -> anyhow::Result<(Vec<Value>, usize)> {
    let mut data = Vec::new();
    let mut sizes = Vec::new();
    for body in bodies.iter().take(12) {
        let response = client
            .post(url)
            .json(body)
            .timeout(Duration::from_secs(30))
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        sizes.push(text.len());
        let parsed: Value = serde_json::from_str(&text)
            .with_context(|| format!("HTTP {status}, not JSON: {text:.200}"))?;
        if let Some(errors) = parsed.get("errors") {
            bail!("HTTP {status}, errors: {errors:.300}");
        }
        data.push(parsed["data"].clone());
    }
    sizes.sort_unstable();
    Ok((
        data,
        sizes.get(sizes.len() / 2).copied().unwrap_or_default(),
    ))
}
