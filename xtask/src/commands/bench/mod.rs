//! `cargo xtask bench`: the storefront's operations under load, through the router and
//! straight at a subgraph, on release builds against a seeded local MongoDB. The load
//! generator is `oha` (crates.io), installed into `.dev/tools` on first use. Writes
//! `bench/results.md`: requests per second, latency percentiles, the router's overhead over a
//! direct subgraph call, MongoDB commands per request and peak memory, with the machine noted.
//! Then the web storefront's budgets in Chromium, into `bench/web-budgets.md`.

mod compare;
mod growth;
mod load;
mod peers;
mod report;
mod sampling;
mod scenarios;
mod soak;
pub mod subscriptions;
mod web_budgets;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};
use tokio::process::Command;
use xtask::{
    mongo::{self, LocalMongo},
    paths,
    process::{Output, free_port, run_to_completion},
    roster::SUBGRAPHS,
    stack::{self, Stack, StackOptions, WebOptions, default_router_args, supergraph_yaml},
    web,
};

use self::{
    sampling::CpuTimes,
    scenarios::{Scenario, Target},
};
use super::{
    build_release_binaries,
    results::{publish, publish_into_readme, publish_quietly},
    step,
};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Demo products to seed
    #[arg(long, default_value_t = 100_000)]
    products: usize,

    /// How long each scenario runs
    #[arg(long, default_value = "15s", value_parser = humantime::parse_duration)]
    duration: Duration,

    /// Concurrent connections for the throughput scenarios
    #[arg(long, default_value_t = 32)]
    connections: u32,

    /// Request rate of the fixed-rate ProductPage scenario (the p99 target is stated at 500)
    #[arg(long, default_value_t = 500)]
    rate: u32,

    /// Where to write the results table
    #[arg(long, default_value = "bench/results.md")]
    output: PathBuf,

    /// Instead of the scenarios, soak: the mixed storefront load for this long (e.g. `10m`),
    /// memory and sockets sampled each minute, into `bench/soak.md`
    #[arg(long, value_parser = humantime::parse_duration)]
    soak: Option<Duration>,

    /// Request rate of the soak
    #[arg(long, default_value_t = 200)]
    soak_rate: u32,

    /// Only the web storefront's budgets (no load scenarios, results table untouched)
    #[arg(long)]
    web_only: bool,

    /// Where to write the web storefront's budgets
    #[arg(long, default_value = "bench/web-budgets.md")]
    web_output: PathBuf,

    /// Instead of the scenarios, compare our router with the peers (stock Hive Router, Apollo
    /// Router, Hive Gateway, Apollo Gateway), installing each into .dev/tools on first use
    #[arg(long)]
    compare: bool,

    /// Load before each measured run of the comparison, not counted
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
    warmup: Duration,

    /// Where to write the comparison (and, beside it with `.json`, its figures)
    #[arg(long, default_value = "bench/compare.md")]
    compare_output: PathBuf,

    /// The peers the comparison runs beside our router (comma-separated; all by default)
    #[arg(long, value_delimiter = ',', default_values_t = peers::Gateway::ALL[1..].to_vec())]
    peers: Vec<peers::Gateway>,

    /// Measured rounds of each (workload, gateway) pair in the comparison, interleaved
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    rounds: u32,

    /// Instead of the scenarios, how reads cost as the catalogue grows: the system seeded at
    /// each of --growth-sizes in turn
    #[arg(long)]
    growth: bool,

    /// Catalogue sizes for --growth
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    growth_sizes: Vec<usize>,

    /// Where to write the growth table (and, beside it with `.json`, its figures)
    #[arg(long, default_value = "bench/growth.md")]
    growth_output: PathBuf,

    /// Instead of the scenarios, subscriptions: `cartChanged` streams through our router and
    /// stock Hive Router, held idle and then fed by carts written straight to MongoDB
    #[arg(long)]
    subscriptions: bool,

    /// Subscriber counts for --subscriptions (each costs the router an open file)
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    subscribers: Vec<usize>,

    /// Carts written a second, in total, while --subscriptions measures delivery
    #[arg(long, default_value_t = 100)]
    event_rate: u32,

    /// Where to write the subscriptions table (README shows the default file's)
    #[arg(long, default_value = subscriptions::RESULTS)]
    subscriptions_output: PathBuf,
}

/// What one scenario measured.
pub struct Measured {
    pub scenario: Scenario,
    pub rps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Non-2xx responses and requests that got none.
    pub failed: u64,
    pub mongodb_commands: f64,
    /// Share of the machine's CPU time that was busy, in percent.
    pub machine_busy: f64,
    /// CPU used by each process of the system, in percent of one core.
    pub process_cpu: Vec<(String, f64)>,
}

/// MongoDB and the whole system, seeded, on release builds: what every bench mode measures.
pub struct System {
    pub stack: Stack,
    mongo: LocalMongo,
    /// Each process of the system (subgraphs, router, web, mongod) and its pid.
    pub processes: Vec<(String, u32)>,
    /// The run's scratch folder under `.dev` (logs, bodies, supergraph).
    pub scratch: PathBuf,
    /// How long seeding the products took.
    pub seed_time: Duration,
}

impl System {
    async fn start(args: &BenchArgs, scratch_name: &str) -> anyhow::Result<Self> {
        Self::start_with(scratch_name, args.products, &[]).await
    }

    /// The system with `products` seeded products, and `router_env` in the router's
    /// environment.
    async fn start_with(
        scratch_name: &str,
        products: usize,
        router_env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let bin_dir = build_release_binaries().await?;
        let web_dist = web::ensure_bundle().await?;
        let scratch = paths::dev_dir().join(scratch_name);
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch)?;
        let binary = mongo::ensure_binary(&paths::dev_dir()).await?;
        let mongo_port = free_port()?;
        step(&format!(
            "Starting a throwaway MongoDB on 127.0.0.1:{mongo_port}"
        ));
        let log = Output::File(scratch.join("mongod.log"));
        let mongo = LocalMongo::start(&binary, &scratch.join("mongodb"), mongo_port, &log).await?;

        let options = StackOptions {
            bin_dir,
            mongodb_uri: mongo.uri(),
            database_prefix: "bench_".to_owned(),
            seed_products: None,
            subgraph_ports: SUBGRAPHS
                .iter()
                .map(|_| free_port())
                .collect::<anyhow::Result<_>>()?,
            router_port: free_port()?,
            supergraph_config: scratch.join("supergraph.yaml"),
            router_args: default_router_args(),
            // Warnings and errors only, everywhere: no per-request log lines (the subgraphs'
            // request log is at info), whose cost here would be the bench's own log forwarding.
            router_env: [("LOG_LEVEL", "warn")]
                .iter()
                .chain(router_env)
                .map(|(name, value)| ((*name).into(), (*value).into()))
                .collect(),
            subgraph_env: vec![("RUST_LOG".into(), "warn".into())],
            web: Some(WebOptions {
                port: free_port()?,
                dist: web_dist,
            }),
            output: Output::File(scratch.join("services.log")),
            placement: None,
            subgraph_mongodb_uris: Default::default(),
        };
        std::fs::write(
            &options.supergraph_config,
            supergraph_yaml(&options.subgraph_ports),
        )?;
        step(&format!("Seeding {products} products"));
        let seeding = std::time::Instant::now();
        stack::seed(&options, products).await?;
        let seed_time = seeding.elapsed();
        step("Starting the system (release builds)");
        let stack = Stack::start(options).await?;
        let mut processes = stack.processes();
        processes.extend(mongo.service.pid().map(|pid| ("mongod".to_owned(), pid)));
        Ok(Self {
            stack,
            mongo,
            processes,
            scratch,
            seed_time,
        })
    }

    /// The pid of the system's process `name` (a subgraph, `router`, `web`, `mongod`).
    pub fn pid(&self, name: &str) -> Option<u32> {
        self.processes
            .iter()
            .find(|(process, _)| process == name)
            .map(|(_, pid)| *pid)
    }

    /// The system's supergraph, composed by our router into the scratch folder: what a peer
    /// gateway is started on.
    async fn compose_supergraph(&self) -> anyhow::Result<PathBuf> {
        let supergraph = self.scratch.join("supergraph.graphql");
        let mut compose = Command::new(self.stack.options.bin_dir.join("router"));
        compose
            .args(["compose", "--config"])
            .arg(&self.stack.options.supergraph_config);
        std::fs::write(
            &supergraph,
            run_to_completion("router compose", compose).await?,
        )?;
        Ok(supergraph)
    }

    /// A collection of `subgraph`'s own database, to write straight to as another service or a
    /// shell would.
    async fn collection(
        &self,
        subgraph: &str,
        name: &str,
    ) -> anyhow::Result<mongodb::Collection<mongodb::bson::Document>> {
        let mongo = mongodb::Client::with_uri_str(self.mongo.uri()).await?;
        let database = format!("{}{subgraph}", self.stack.options.database_prefix);
        Ok(mongo.database(&database).collection(name))
    }

    async fn stop(self) {
        self.stack.stop().await;
        self.mongo.service.stop(Duration::from_secs(10)).await;
    }
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.subscriptions {
        return subscriptions::run(&args).await;
    }
    let oha = if args.web_only {
        None
    } else {
        Some(load::ensure_oha().await?)
    };
    if let Some(oha) = &oha {
        if args.compare {
            return compare::run(&args, oha).await;
        }
        if args.growth {
            return growth::run(&args, oha).await;
        }
    }
    let system = System::start(&args, "bench").await?;
    let (stack, processes, scratch) = (&system.stack, &system.processes, &system.scratch);
    if let (Some(duration), Some(oha)) = (args.soak, &oha) {
        let slugs = category_slugs(&reqwest::Client::new(), &stack.router_url()).await?;
        let scenarios = scenarios::scenarios(args.rate, args.products, &slugs)?;
        let soaked = soak::run(
            oha,
            stack,
            processes,
            scratch,
            &scenarios,
            duration,
            args.soak_rate,
        )
        .await;
        system.stop().await;
        return publish(Path::new("bench/soak.md"), &soaked?);
    }
    let outcome = match &oha {
        Some(oha) => measure_all(&args, oha, stack, processes, scratch).await,
        None => Ok(Vec::new()),
    };
    let rss = sampling::peak_rss(processes);
    step("Web storefront budgets (Chromium)");
    let budgets = web_budgets::measure(stack).await;
    system.stop().await;
    let results = outcome?;

    publish(
        &args.web_output,
        &web_budgets::render(&budgets?, &sampling::machine()),
    )?;
    if args.web_only {
        return Ok(());
    }
    publish(&args.output, &report::render(&args, &results, &rss)?)
}

async fn measure_all(
    args: &BenchArgs,
    oha: &std::path::Path,
    stack: &Stack,
    processes: &[(String, u32)],
    scratch: &std::path::Path,
) -> anyhow::Result<Vec<Measured>> {
    let client = reqwest::Client::new();
    let category_slugs = category_slugs(&client, &stack.router_url()).await?;
    let run = Run {
        args,
        oha,
        stack,
        processes,
        scratch,
        client,
    };
    let mut results = Vec::new();
    for scenario in scenarios::scenarios(args.rate, args.products, &category_slugs)? {
        results.push(run.measure(scenario).await?);
    }
    Ok(results)
}

/// The seeded categories' slugs, as the router at `router_url` lists them.
async fn category_slugs(client: &reqwest::Client, router_url: &str) -> anyhow::Result<Vec<String>> {
    let categories: Value = client
        .post(router_url)
        .json(&json!({ "query": "{ categories { slug } }" }))
        .send()
        .await?
        .json()
        .await?;
    Ok(categories["data"]["categories"]
        .as_array()
        .context("the router lists no categories")?
        .iter()
        .filter_map(|category| category["slug"].as_str().map(str::to_owned))
        .collect())
}

/// What measuring any scenario needs.
struct Run<'a> {
    args: &'a BenchArgs,
    oha: &'a std::path::Path,
    stack: &'a Stack,
    processes: &'a [(String, u32)],
    scratch: &'a std::path::Path,
    client: reqwest::Client,
}

impl Run<'_> {
    /// Checks that every request body of `scenario` answers cleanly, then runs it under load.
    async fn measure(&self, scenario: Scenario) -> anyhow::Result<Measured> {
        let Run {
            args,
            oha,
            stack,
            processes,
            scratch,
            client,
        } = self;
        let url = match scenario.target {
            Target::Router => stack.router_url(),
            Target::Subgraph(name) => format!("{}/graphql", stack.subgraph_url(name)),
        };
        let url = url.as_str();
        // Benchmark answers, not errors: every request body must succeed before it is measured.
        for body in &scenario.bodies {
            let probe: Value = client.post(url).json(body).send().await?.json().await?;
            if probe.get("errors").is_some() || probe["data"].is_null() {
                bail!("{} does not answer cleanly: {probe}", scenario.title());
            }
        }
        step(&format!(
            "Measuring {} for {:?}",
            scenario.title(),
            args.duration
        ));
        let before = mongodb_commands(client, stack).await?;
        let cpu_before = CpuTimes::read(processes)?;
        let stats = load::run_oha(
            oha,
            url,
            &scenario.bodies,
            &scratch.join("bodies.jsonl"),
            args.duration,
            args.connections,
            scenario.drive,
        )
        .await?
        .with_context(|| format!("{}: no request got a response", scenario.title()))?;
        let after = mongodb_commands(client, stack).await?;
        let (machine_busy, process_cpu) = CpuTimes::read(processes)?.since(&cpu_before);
        let responses = stats.responses();
        Ok(Measured {
            rps: stats.summary.requests_per_sec,
            p50_ms: stats.latency_percentiles.p50 * 1000.0,
            p95_ms: stats.latency_percentiles.p95 * 1000.0,
            p99_ms: stats.latency_percentiles.p99 * 1000.0,
            failed: stats.failures(),
            mongodb_commands: (after - before) / responses as f64,
            machine_busy,
            process_cpu,
            scenario,
        })
    }
}

/// Sum of `mongodb_commands_total` over every subgraph.
async fn mongodb_commands(client: &reqwest::Client, stack: &Stack) -> anyhow::Result<f64> {
    let mut total = 0.0;
    for spec in SUBGRAPHS.iter() {
        total += stack.mongodb_commands(client, spec.name).await?;
    }
    Ok(total)
}
