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

use super::{run_cargo, step};

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

/// One load scenario: an operation sent to a URL, at full speed or at a fixed rate. Requests
/// cycle through `bodies` (different products, categories, searches), so neither the router's
/// de-duplication of identical in-flight requests nor batching flatters the figures.
struct Scenario {
    name: &'static str,
    target: Target,
    bodies: Vec<Value>,
    rate: Option<u32>,
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
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    step("Building release binaries (the first build takes a while)");
    run_cargo(&["build", "--release", "--workspace", "--bins"]).await?;
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
        bin_dir: paths::target_dir().join("release"),
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
    let outcome = measure_all(&args, &oha, &stack, &scratch).await;
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
        },
        Scenario {
            name: "ProductPage",
            target: Target::Router,
            bodies: for_products(product_page.clone()),
            rate: None,
        },
        Scenario {
            name: "CategoryListing",
            target: Target::Router,
            bodies: category_slugs
                .iter()
                .map(|slug| json!({ "query": operation("CategoryListing"), "variables": { "slug": slug } }))
                .collect(),
            rate: None,
        },
        Scenario {
            name: "Search",
            target: Target::Router,
            bodies: SEARCH_WORDS
                .iter()
                .map(|text| json!({ "query": operation("Search"), "variables": { "text": text } }))
                .collect(),
            rate: None,
        },
        Scenario {
            name: "ProductById via router",
            target: Target::Router,
            bodies: for_products(product_by_id.to_owned()),
            rate: None,
        },
        Scenario {
            name: "ProductById direct to catalog",
            target: Target::Subgraph("catalog"),
            bodies: for_products(product_by_id.to_owned()),
            rate: None,
        },
        Scenario {
            name: "ProductPage at fixed rate",
            target: Target::Router,
            bodies: for_products(product_page),
            rate: Some(rate),
        },
    ]
}

async fn measure_all(
    args: &BenchArgs,
    oha: &std::path::Path,
    stack: &Stack,
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
        let mut command = tokio::process::Command::new(oha);
        command
            .arg(&url)
            .args(["-m", "POST", "-T", "application/json", "--no-tui"])
            .args(["--output-format", "json"])
            .arg("-Z")
            .arg(&body_file)
            .args(["-z", &format!("{}s", args.duration.as_secs())])
            .args(["-c", &args.connections.to_string()]);
        if let Some(rate) = scenario.rate {
            command.args(["-q", &rate.to_string(), "--latency-correction"]);
        }
        let output = run_to_completion(scenario.name, command).await?;
        let after = mongodb_commands(&client, stack).await?;
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
        "| scenario | target | rps | p50 ms | p95 ms | p99 ms | non-2xx | MongoDB commands / request |"
    )?;
    writeln!(
        out,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
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
            "| {name} | {target} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.2} |",
            m.rps, m.p50_ms, m.p95_ms, m.p99_ms, m.non_2xx, m.mongodb_commands
        )?;
    }
    let find = |name: &str| results.iter().find(|(s, _)| s.name == name).map(|(_, m)| m);
    writeln!(
        out,
        "\nRequests cycle through 1000 products spread over the catalog (ProductPage, \
         ProductById), every category (CategoryListing) and {} search words; Home is the same \
         for everyone. MongoDB commands per request fall under concurrency: each subgraph's \
         DataLoader batches the keys of all requests arriving within its 1 ms window into one \
         query (no caching: every request still reads MongoDB's current data). The fixed-rate \
         run shows the per-request figure at low concurrency.",
        SEARCH_WORDS.len()
    )?;
    writeln!(out, "\n## Against the targets\n")?;
    if let (Some(via), Some(direct)) = (
        find("ProductById via router"),
        find("ProductById direct to catalog"),
    ) {
        let overhead = via.p50_ms / direct.p50_ms;
        writeln!(
            out,
            "- Router overhead (same catalog query, p50 through the router / p50 direct): \
             **{overhead:.2}×** (target ≤ 1.3×: {}); throughput ratio {:.2}×.",
            verdict(overhead <= 1.3),
            direct.rps / via.rps
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
