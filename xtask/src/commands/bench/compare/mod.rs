//! `cargo xtask bench --compare`: our router side by side with the federation gateways a user
//! would weigh it against, on the same machine, supergraph and running subgraphs. Every
//! workload runs against every gateway back to back, each pair twice, interleaved; a gateway
//! whose answer differs from ours is not measured (a fast wrong answer cannot win).

mod report;
mod writes;

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
    /// The same, while list prices of the products it shows are written straight to MongoDB at
    /// 1% of its request rate, each write probed through the gateway until its price shows.
    StorefrontWrites,
    /// Every category → its products with prices and recommendations → their prices: one
    /// request fans out over all four subgraphs and answers ~95 KB.
    Heavy,
    /// One catalog field, one subgraph: what the gateway itself costs.
    SingleSubgraph,
    /// The same, one request at a time: the latency a gateway adds to a call.
    SingleSubgraphSerial,
}

impl Workload {
    const ALL: [Workload; 5] = [
        Workload::Storefront,
        Workload::StorefrontWrites,
        Workload::Heavy,
        Workload::SingleSubgraph,
        Workload::SingleSubgraphSerial,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Workload::Storefront => "Storefront operations (mixed)",
            Workload::StorefrontWrites => "Storefront operations (mixed), 1% writing prices",
            Workload::Heavy => "Heavy nested query",
            Workload::SingleSubgraph => "Single-subgraph query",
            Workload::SingleSubgraphSerial => "Single-subgraph query, one at a time",
        }
    }

    fn drive(self) -> Drive {
        match self {
            Workload::SingleSubgraphSerial => Drive::Serial,
            Workload::Storefront
            | Workload::StorefrontWrites
            | Workload::Heavy
            | Workload::SingleSubgraph => Drive::Saturate,
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
    /// MongoDB commands the subgraphs ran per response: what a gateway's fetches (or its
    /// cache) cost the database.
    pub mongodb_commands_per_request: f64,
    /// Entities and root fields answered from an entity cache, of all looked up (a gateway
    /// that has none: `None`).
    pub cache_hit_ratio: Option<f64>,
    /// How stale the gateway's answers were, where prices were written during the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staleness: Option<writes::Staleness>,
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
                // 1% of the rate the same gateway served the mix at, this round.
                let write_every = (*workload == Workload::StorefrontWrites).then(|| {
                    let rps = rows
                        .iter()
                        .find(|r: &&Row| {
                            r.workload == Workload::Storefront && r.via == via && r.round == round
                        })
                        .map_or(100.0, |r| r.rps);
                    Duration::from_secs_f64(1.0 / (rps * writes::WRITE_SHARE).max(1.0))
                });
                let target = Target {
                    via,
                    url,
                    pids: &pids,
                    write_every,
                };
                rows.push(measure(args, oha, system, *workload, &target, bodies, round).await?);
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

/// What one run measures: where its requests go, the processes serving them, and how often
/// prices are written meanwhile.
struct Target<'a> {
    via: Via,
    url: &'a str,
    pids: &'a [u32],
    write_every: Option<Duration>,
}

/// Warms the target up, then measures one run: latency and throughput from the load
/// generator, CPU time and peak memory of the target's processes from /proc, MongoDB commands
/// from the subgraphs' metrics, the entity cache's hits from the gateway's, and with writes,
/// how stale its answers were.
async fn measure(
    args: &BenchArgs,
    oha: &Path,
    system: &System,
    workload: Workload,
    target: &Target<'_>,
    bodies: &[Value],
    round: u32,
) -> anyhow::Result<Row> {
    let Target {
        via,
        url,
        pids,
        write_every,
    } = *target;
    let body_file = system.scratch.join("compare-bodies.jsonl");
    let client = reqwest::Client::new();
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
    let commands_before = super::mongodb_commands(&client, &system.stack).await?;
    let lookups_before = cache_lookups(&client, url).await;
    let load = run_oha(
        oha,
        url,
        bodies,
        &body_file,
        args.duration,
        CONNECTIONS,
        drive,
    );
    let (stats, staleness) = match write_every {
        Some(interval) => {
            let until = std::time::Instant::now() + args.duration;
            let prices = system.collection("pricing", "prices").await?;
            let products = scenarios::product_ids(args.products);
            let (stats, staleness) = tokio::join!(
                load,
                writes::write_and_probe(prices, url, &products, interval, until)
            );
            (stats?, Some(staleness?))
        }
        None => (load.await?, None),
    };
    let cpu_seconds = CpuTimes::read(&named)?.process_seconds_since(&before);
    let commands = super::mongodb_commands(&client, &system.stack).await? - commands_before;
    let cache_hit_ratio = match (lookups_before, cache_lookups(&client, url).await) {
        (Some((hits, all)), Some((hits_after, all_after))) if all_after > all => {
            Some((hits_after - hits) / (all_after - all))
        }
        _ => None,
    };
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
            mongodb_commands_per_request: f64::NAN,
            cache_hit_ratio,
            staleness,
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
        mongodb_commands_per_request: commands / requests.max(1) as f64,
        cache_hit_ratio,
        staleness,
    })
}

/// The entity cache lookups a gateway has answered so far, hits and all, from its `/metrics`
/// beside `url`; `None` for a gateway with no entity cache.
async fn cache_lookups(client: &reqwest::Client, url: &str) -> Option<(f64, f64)> {
    let metrics = format!("{}/metrics", url.strip_suffix("/graphql")?);
    let page = client.get(metrics).send().await.ok()?.text().await.ok()?;
    let lines: Vec<(bool, f64)> = page
        .lines()
        .filter(|line| line.starts_with("entity_cache_lookups_total{"))
        .filter_map(|line| {
            let value = line.rsplit(' ').next()?.parse().ok()?;
            Some((line.contains("result=\"hit\""), value))
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let hits = lines.iter().filter(|(hit, _)| *hit).map(|(_, v)| v).sum();
    Some((hits, lines.iter().map(|(_, v)| v).sum()))
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
                Workload::Storefront | Workload::StorefrontWrites => &storefront,
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
