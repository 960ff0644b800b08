//! `cargo xtask bench`: the storefront's operations under load, through the router and
//! straight at a subgraph, on release builds against a seeded local MongoDB. The load
//! generator is `oha` (crates.io), installed into `.dev/tools` on first use. Writes
//! `bench/results.md`: requests per second, latency percentiles, the router's overhead over a
//! direct subgraph call, MongoDB commands per request and peak memory, with the machine noted.

use std::{fmt::Write as _, path::PathBuf, time::Duration};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};
use xtask::{
    mongo::{self, LocalMongo},
    paths,
    process::{Output, free_port, run_to_completion},
    stack::{SUBGRAPHS, Stack, StackOptions, default_router_args, supergraph_yaml},
};

use super::{build_release_binaries, run_cargo, step};

/// The load generator, pinned.
const OHA_VERSION: &str = "1.16.0";

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
}

/// One load scenario: an operation sent to a URL, at full speed or at a fixed rate, over
/// `--connections` connections or `connections` of its own (1: one request at a time, the
/// latency of the call itself). Requests cycle through `bodies` (different products,
/// categories, searches), so neither the router's de-duplication of identical in-flight
/// requests nor batching flatters the figures.
struct Scenario {
    name: &'static str,
    target: Target,
    bodies: Vec<Value>,
    rate: Option<u32>,
    connections: Option<u32>,
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Router,
    Subgraph(&'static str),
}

/// What one scenario measured.
struct Measured {
    rps: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
    mongodb_commands: f64,
    /// Share of the machine's CPU time that was busy, in percent.
    machine_busy: f64,
    /// CPU used by each process of the system, in percent of one core.
    process_cpu: Vec<(String, f64)>,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let bin_dir = build_release_binaries().await?;
    let oha = ensure_oha().await?;

    let scratch = paths::dev_dir().join("bench");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let binary = mongo::ensure_binary(&paths::dev_dir()).await?;
    let mongo_port = free_port()?;
    step(&format!(
        "Starting a throwaway MongoDB on 127.0.0.1:{mongo_port}"
    ));
    let log = Output::File(scratch.join("mongod.log"));
    let mongo = LocalMongo::start(&binary, &scratch.join("mongodb"), mongo_port, &log).await?;

    step(&format!(
        "Seeding {} products and starting the system (release builds)",
        args.products
    ));
    let options = StackOptions {
        bin_dir,
        mongodb_uri: mongo.uri(),
        database_prefix: "bench_".to_owned(),
        seed_products: Some(args.products),
        subgraph_ports: SUBGRAPHS
            .iter()
            .map(|_| free_port())
            .collect::<anyhow::Result<_>>()?,
        router_port: free_port()?,
        supergraph_config: scratch.join("supergraph.yaml"),
        router_args: default_router_args(),
        router_env: vec![("LOG_LEVEL".into(), "warn".into())],
        subgraph_env: Vec::new(),
        output: Output::File(scratch.join("services.log")),
    };
    std::fs::write(
        &options.supergraph_config,
        supergraph_yaml(&options.subgraph_ports),
    )?;
    let stack = Stack::start(options).await?;
    let mut processes = stack.processes();
    processes.extend(mongo.service.pid().map(|pid| ("mongod".to_owned(), pid)));
    let outcome = measure_all(&args, &oha, &stack, &processes, &scratch).await;
    let rss = peak_rss(&stack);
    stack.stop().await;
    mongo.service.stop(Duration::from_secs(10)).await;
    let results = outcome?;

    let report = report(&args, &results, &rss)?;
    if let Some(folder) = args.output.parent() {
        std::fs::create_dir_all(paths::workspace_root().join(folder))?;
    }
    let output = paths::workspace_root().join(&args.output);
    std::fs::write(&output, &report).with_context(|| format!("writing {}", output.display()))?;
    println!("{report}");
    step(&format!("Wrote {}", output.display()));
    Ok(())
}

/// Search words that match some demo products and not others.
const SEARCH_WORDS: &[&str] = &[
    "lamp", "book", "phone", "chair", "coffee", "garden", "cable", "shirt", "wooden", "portable",
];

fn scenarios(rate: u32, products: usize, category_slugs: &[String]) -> Vec<Scenario> {
    let operation = |name: &str| {
        let path = paths::workspace_root()
            .join("clients/storefront")
            .join(format!("{name}.graphql"));
        std::fs::read_to_string(&path).unwrap_or_default()
    };
    // A thousand products spread over the whole catalog.
    let product_ids: Vec<String> = (0..1000)
        .map(|i| format!("prod-{:06}", (i * 7919) % products.max(1) + 1))
        .collect();
    let for_products = |query: String| -> Vec<Value> {
        product_ids
            .iter()
            .map(|id| json!({ "query": query, "variables": { "id": id } }))
            .collect()
    };
    let product_page = operation("ProductPage");
    let product_by_id = "query ProductById($id: ID!) { product(id: $id) { id sku name description imageUrl tags } }";
    vec![
        Scenario {
            name: "Home",
            target: Target::Router,
            bodies: vec![json!({ "query": operation("Home") })],
            rate: None,
            connections: None,
        },
        Scenario {
            name: "ProductPage",
            target: Target::Router,
            bodies: for_products(product_page.clone()),
            rate: None,
            connections: None,
        },
        Scenario {
            name: "CategoryListing",
            target: Target::Router,
            bodies: category_slugs
                .iter()
                .map(|slug| json!({ "query": operation("CategoryListing"), "variables": { "slug": slug } }))
                .collect(),
            rate: None,
            connections: None,
        },
        Scenario {
            name: "Search",
            target: Target::Router,
            bodies: SEARCH_WORDS
                .iter()
                .map(|text| json!({ "query": operation("Search"), "variables": { "text": text } }))
                .collect(),
            rate: None,
            connections: None,
        },
        Scenario {
            name: "ProductById via router",
            target: Target::Router,
            bodies: for_products(product_by_id.to_owned()),
            rate: None,
            connections: None,
        },
        Scenario {
            name: "ProductById direct to catalog",
            target: Target::Subgraph("catalog"),
            bodies: for_products(product_by_id.to_owned()),
            rate: None,
            connections: None,
        },
        Scenario {
            name: "ProductPage at fixed rate",
            target: Target::Router,
            bodies: for_products(product_page.clone()),
            rate: Some(rate),
            connections: None,
        },
        Scenario {
            name: "ProductPage, one request at a time",
            target: Target::Router,
            bodies: for_products(product_page),
            rate: None,
            connections: Some(1),
        },
        Scenario {
            name: "ProductById via router, one at a time",
            target: Target::Router,
            bodies: for_products(product_by_id.to_owned()),
            rate: None,
            connections: Some(1),
        },
        Scenario {
            name: "ProductById direct to catalog, one at a time",
            target: Target::Subgraph("catalog"),
            bodies: for_products(product_by_id.to_owned()),
            rate: None,
            connections: Some(1),
        },
    ]
}

async fn measure_all(
    args: &BenchArgs,
    oha: &std::path::Path,
    stack: &Stack,
    processes: &[(String, u32)],
    scratch: &std::path::Path,
) -> anyhow::Result<Vec<(Scenario, Measured)>> {
    let client = reqwest::Client::new();
    let categories: Value = client
        .post(stack.router_url())
        .json(&json!({ "query": "{ categories { slug } }" }))
        .send()
        .await?
        .json()
        .await?;
    let category_slugs: Vec<String> = categories["data"]["categories"]
        .as_array()
        .context("the router lists no categories")?
        .iter()
        .filter_map(|category| category["slug"].as_str().map(str::to_owned))
        .collect();
    let mut results = Vec::new();
    for scenario in scenarios(args.rate, args.products, &category_slugs) {
        let url = match scenario.target {
            Target::Router => stack.router_url(),
            Target::Subgraph(name) => format!("{}/graphql", stack.subgraph_url(name)),
        };
        // Benchmark answers, not errors: every request body must succeed before it is measured.
        for body in &scenario.bodies {
            let probe: Value = client.post(&url).json(body).send().await?.json().await?;
            if probe.get("errors").is_some() || probe["data"].is_null() {
                bail!("{} does not answer cleanly: {probe}", scenario.name);
            }
        }
        step(&format!(
            "Measuring {} for {:?}",
            scenario.name, args.duration
        ));
        let body_file = scratch.join("bodies.jsonl");
        let lines: Vec<String> = scenario.bodies.iter().map(Value::to_string).collect();
        std::fs::write(&body_file, lines.join("\n") + "\n")?;
        let before = mongodb_commands(&client, stack).await?;
        let cpu_before = CpuTimes::read(processes);
        let mut command = tokio::process::Command::new(oha);
        command
            .arg(&url)
            .args(["-m", "POST", "-T", "application/json", "--no-tui"])
            .args(["--output-format", "json"])
            .arg("-Z")
            .arg(&body_file)
            .args(["-z", &format!("{}s", args.duration.as_secs())])
            .args([
                "-c",
                &scenario.connections.unwrap_or(args.connections).to_string(),
            ]);
        if let Some(rate) = scenario.rate {
            command.args(["-q", &rate.to_string(), "--latency-correction"]);
        }
        let output = run_to_completion(scenario.name, command).await?;
        let after = mongodb_commands(&client, stack).await?;
        let (machine_busy, process_cpu) = CpuTimes::read(processes).since(&cpu_before);
        let stats: Value = serde_json::from_str(&output)
            .with_context(|| format!("oha's output is not JSON: {output}"))?;
        let requests = stats["statusCodeDistribution"]
            .as_object()
            .map(|codes| codes.values().filter_map(Value::as_f64).sum::<f64>())
            .unwrap_or(0.0);
        let non_2xx = stats["statusCodeDistribution"]
            .as_object()
            .map(|codes| {
                codes
                    .iter()
                    .filter(|(code, _)| !code.starts_with('2'))
                    .filter_map(|(_, count)| count.as_u64())
                    .sum()
            })
            .unwrap_or(0);
        let percentile =
            |p: &str| stats["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN) * 1000.0;
        let measured = Measured {
            rps: stats["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0),
            p50_ms: percentile("p50"),
            p95_ms: percentile("p95"),
            p99_ms: percentile("p99"),
            non_2xx,
            mongodb_commands: if requests > 0.0 {
                (after - before) / requests
            } else {
                f64::NAN
            },
            machine_busy,
            process_cpu,
        };
        results.push((scenario, measured));
    }
    Ok(results)
}

/// Sum of `mongodb_commands_total` over every subgraph.
async fn mongodb_commands(client: &reqwest::Client, stack: &Stack) -> anyhow::Result<f64> {
    let mut total = 0.0;
    for spec in SUBGRAPHS {
        total += stack.mongodb_commands(client, spec.name).await?;
    }
    Ok(total)
}

/// CPU time counters from /proc, in clock ticks: the machine's busy and total time, and each
/// process's user + system time.
struct CpuTimes {
    at: std::time::Instant,
    machine_busy: u64,
    machine_total: u64,
    processes: Vec<(String, u64)>,
}

/// Clock ticks per second in /proc (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

impl CpuTimes {
    fn read(processes: &[(String, u32)]) -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|field| field.parse().ok())
            .collect();
        let machine_total: u64 = fields.iter().take(8).sum();
        // idle and iowait
        let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
        let processes = processes
            .iter()
            .map(|(name, pid)| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                // Fields after the command name (which may hold spaces): utime and stime are
                // the 12th and 13th.
                let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
                let ticks = after_name
                    .split_whitespace()
                    .skip(11)
                    .take(2)
                    .filter_map(|field| field.parse::<u64>().ok())
                    .sum();
                (name.clone(), ticks)
            })
            .collect();
        Self {
            at: std::time::Instant::now(),
            machine_busy: machine_total.saturating_sub(idle),
            machine_total,
            processes,
        }
    }

    /// The machine's busy share (percent) and each process's CPU (percent of one core) since
    /// `before`.
    fn since(&self, before: &Self) -> (f64, Vec<(String, f64)>) {
        let total = self
            .machine_total
            .saturating_sub(before.machine_total)
            .max(1) as f64;
        let busy = self.machine_busy.saturating_sub(before.machine_busy) as f64;
        let elapsed_seconds = self.at.duration_since(before.at).as_secs_f64();
        let processes = self
            .processes
            .iter()
            .zip(&before.processes)
            .map(|((name, now), (_, then))| {
                let seconds = now.saturating_sub(*then) as f64 / TICKS_PER_SECOND;
                (
                    name.clone(),
                    100.0 * seconds / elapsed_seconds.max(f64::EPSILON),
                )
            })
            .collect();
        (100.0 * busy / total, processes)
    }
}

/// Peak resident memory (VmHWM) of each process, in MiB.
fn peak_rss(stack: &Stack) -> Vec<(String, f64)> {
    stack
        .processes()
        .into_iter()
        .filter_map(|(name, pid)| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let kib: f64 = status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((name, kib / 1024.0))
        })
        .collect()
}

fn report(
    args: &BenchArgs,
    results: &[(Scenario, Measured)],
    rss: &[(String, f64)],
) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(out, "# Benchmark results\n")?;
    writeln!(
        out,
        "Written by `cargo xtask bench` (release builds, {} seeded products, {:?} per scenario, \
         {} connections; load generator `oha` {OHA_VERSION}; load generator, MongoDB, router and \
         subgraphs all on the same machine).\n",
        args.products, args.duration, args.connections
    )?;
    writeln!(out, "Machine: {}\n", machine())?;
    writeln!(
        out,
        "| scenario | target | rps | p50 ms | p95 ms | p99 ms | non-2xx | MongoDB commands / request | machine CPU busy |"
    )?;
    writeln!(
        out,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )?;
    for (scenario, m) in results {
        let target = match scenario.target {
            Target::Router => "router".to_owned(),
            Target::Subgraph(name) => format!("{name} (direct)"),
        };
        let name = match scenario.rate {
            Some(rate) => format!("{} ({rate} rps)", scenario.name),
            None => scenario.name.to_owned(),
        };
        writeln!(
            out,
            "| {name} | {target} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.2} | {:.0}% |",
            m.rps, m.p50_ms, m.p95_ms, m.p99_ms, m.non_2xx, m.mongodb_commands, m.machine_busy
        )?;
    }
    let find = |name: &str| results.iter().find(|(s, _)| s.name == name).map(|(_, m)| m);
    writeln!(
        out,
        "\nRequests cycle through 1000 products spread over the catalog (ProductPage, \
         ProductById), every category (CategoryListing) and {} search words; Home is the same \
         for everyone. MongoDB commands per request fall under concurrency: each subgraph's \
         DataLoaders batch the keys of every request ready to run into one query (no caching: \
         every request still reads MongoDB's current data). \"One at a time\" rows are one \
         connection, so their latency is the call's own, without queueing.",
        SEARCH_WORDS.len()
    )?;
    writeln!(out, "\n## Against the targets\n")?;
    if let (Some(via), Some(direct)) = (
        find("ProductById via router, one at a time"),
        find("ProductById direct to catalog, one at a time"),
    ) {
        let overhead = via.p50_ms / direct.p50_ms;
        writeln!(
            out,
            "- Router overhead on latency (same catalog query one request at a time, p50 \
             through the router / p50 direct): **{overhead:.2}×**, {:.2} ms added (target ≤ \
             1.3×: {}).",
            via.p50_ms - direct.p50_ms,
            verdict(overhead <= 1.3),
        )?;
    }
    if let (Some(via), Some(direct)) = (
        find("ProductById via router"),
        find("ProductById direct to catalog"),
    ) {
        writeln!(
            out,
            "- Router overhead under saturation ({} connections, CPU-bound: the router's work \
             competes with the subgraph's for the same cores): throughput direct / via router \
             **{:.2}×**, p50 {:.2}× (against the same 1.3×: {}).",
            args.connections,
            direct.rps / via.rps,
            via.p50_ms / direct.p50_ms,
            verdict(direct.rps / via.rps <= 1.3),
        )?;
    }
    if let Some(fixed) = find("ProductPage at fixed rate") {
        writeln!(
            out,
            "- ProductPage at {} rps: p99 **{:.2} ms** (target < 25 ms: {}); achieved {:.0} rps.",
            args.rate,
            fixed.p99_ms,
            verdict(fixed.p99_ms < 25.0),
            fixed.rps
        )?;
        writeln!(
            out,
            "\nCPU during the {} rps run ({:.0}% of the machine busy; the rest of the busy time \
             is the load generator and the system):\n",
            args.rate, fixed.machine_busy
        )?;
        writeln!(out, "| process | CPU, % of one core |\n| --- | ---: |")?;
        for (name, percent) in &fixed.process_cpu {
            writeln!(out, "| {name} | {percent:.0} |")?;
        }
    }
    writeln!(out, "\n## Peak memory (VmHWM) after the run\n")?;
    writeln!(out, "| process | peak RSS MiB |\n| --- | ---: |")?;
    for (name, mib) in rss {
        writeln!(out, "| {name} | {mib:.1} |")?;
    }
    Ok(out)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let kib: f64 = info
                .lines()
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some(format!("{:.0} GiB RAM", kib / 1024.0 / 1024.0))
        })
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {memory}, {}", std::env::consts::OS)
}

/// `oha` from crates.io, installed once into `.dev/tools`.
async fn ensure_oha() -> anyhow::Result<PathBuf> {
    let root = paths::dev_dir().join("tools");
    let binary = root.join("bin/oha");
    if binary.is_file() {
        return Ok(binary);
    }
    step(&format!(
        "Installing the load generator oha {OHA_VERSION} into .dev/tools (first run only, a few minutes)"
    ));
    let root_arg = root.display().to_string();
    run_cargo(&[
        "install",
        "oha",
        "--locked",
        "--version",
        OHA_VERSION,
        "--root",
        &root_arg,
    ])
    .await?;
    Ok(binary)
}
