//! `cargo xtask bench --subscriptions`: `cartChanged` streams through the router over SSE, one
//! shopper each (no two share an upstream stream), on release builds. For each count of
//! subscribers: how long opening them took, what holding them idle costs the router and the
//! cart subgraph in memory, then carts written straight to MongoDB at a steady rate, each
//! event's delay from the write to the client (the event's `updatedAt` is the write's moment),
//! events lost, and CPU per delivered event; and the router's memory once they close. The same
//! again through stock Hive Router on a system started afresh. Writes `bench/subscriptions.md`. Each
//! subscriber costs the router a socket (its streams from a subgraph share one HTTP/2
//! connection), so a process's open-files limit (`ulimit -n`; 20,000 on the machines this
//! project is built on, and not raisable there) bounds the count.

use std::{
    fmt::Write as _,
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use futures::StreamExt;
use mongodb::bson::{DateTime, doc};
use serde_json::{Value, json};
use xtask::{
    paths,
    process::{Memory, Output, free_port, memory_mib},
    roster::SUBGRAPHS,
    stack::metric_sum,
};

use super::{
    BenchArgs, System,
    peers::{self, Gateway, Installed},
    publish, publish_into_readme, sampling, step,
};

/// The results file (the default output), whose table README shows.
pub const RESULTS: &str = "bench/subscriptions.md";
/// Products seeded: streams do not care how large the catalogue is.
const PRODUCTS: usize = 2_000;
/// How long a subscriber may take to deliver its first event before the bench gives up.
const OPEN_LIMIT: Duration = Duration::from_secs(120);
/// How long idle subscriptions settle before their memory is read.
const SETTLE: Duration = Duration::from_secs(5);
/// How long after the streams close the router's memory is read again.
const AFTER_CLOSE: Duration = Duration::from_secs(30);
/// How long the cart subgraph may take to end the streams a gateway abandoned, once each has
/// an event to carry.
const RELEASE_LIMIT: Duration = Duration::from_secs(180);

/// The gateway the subscriptions go through.
struct Through {
    gateway: Gateway,
    /// Its GraphQL endpoint.
    url: String,
    pid: u32,
    /// Its Prometheus page.
    metrics_url: String,
}

/// What one count of subscribers measured.
struct Measured {
    gateway: Gateway,
    subscribers: usize,
    open_time: Duration,
    idle_rss: Vec<(String, f64)>,
    writes: usize,
    delays_ms: Vec<f64>,
    cpu_ms_per_event: f64,
    router_rss_after_close: f64,
    /// Streams the cart subgraph still held, and clients the router still counted, then.
    still_open: (f64, f64),
}

/// The subscribers' shared tally: events heard, and each one's delay from its write.
#[derive(Default)]
struct Heard {
    first_events: AtomicUsize,
    delays_ms: Mutex<Vec<f64>>,
    /// The last answer that was not a stream, or a stream's first event that was not a cart.
    refused: Mutex<Option<String>>,
}

pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let most = args.subscribers.iter().copied().max().unwrap_or(0);
    let stock = peers::install(Gateway::HiveRouter).await?;
    let long_lived = (most * 2).to_string();
    let router_env = [("ROUTER_MAX_LONG_LIVED_CLIENTS", long_lived.as_str())];
    // Each gateway on a system of its own, started afresh: neither inherits what the other
    // left in the subgraphs' memory.
    let mut measured = Vec::new();
    for gateway in [Gateway::Storefront, Gateway::HiveRouter] {
        let system = System::start_with("bench-subscriptions", PRODUCTS, &router_env).await?;
        let outcome = measure_through(args, &system, gateway, &stock, &router_env).await;
        system.stop().await;
        measured.extend(outcome?);
    }
    let table = table(&measured);
    publish(
        &args.subscriptions_output,
        &render(args, &stock.label, &table),
    )?;
    if args.subscriptions_output == Path::new(RESULTS) {
        publish_into_readme(RESULTS, &table)?;
    }
    Ok(())
}

/// Every count through `gateway`: our router (part of `system`), or `stock` Hive Router started
/// on the system's subgraphs.
async fn measure_through(
    args: &BenchArgs,
    system: &System,
    gateway: Gateway,
    stock: &Installed,
    router_env: &[(&str, &str)],
) -> anyhow::Result<Vec<Measured>> {
    if gateway == Gateway::Storefront {
        let ours = Through {
            gateway,
            url: system.stack.router_url(),
            pid: system.pid("router").context("our router is not running")?,
            metrics_url: format!(
                "http://127.0.0.1:{}/metrics",
                system.stack.options.router_port
            ),
        };
        return measure_all(args, system, &ours).await;
    }
    step(&format!(
        "Starting {} on the system's subgraphs",
        stock.label
    ));
    let supergraph = system.compose_supergraph().await?;
    let port = free_port()?;
    let log = Output::File(system.scratch.join("hive-router.log"));
    let service = stock.start(&supergraph, port, router_env, &log).await?;
    let theirs = Through {
        gateway,
        url: peers::url(port),
        pid: service.pid().context("stock Hive Router exited at once")?,
        metrics_url: format!("http://127.0.0.1:{port}/metrics"),
    };
    let outcome = measure_all(args, system, &theirs).await;
    service.stop(Duration::from_secs(10)).await;
    outcome
}

async fn measure_all(
    args: &BenchArgs,
    system: &System,
    through: &Through,
) -> anyhow::Result<Vec<Measured>> {
    let carts = system.collection("cart", "carts").await?;
    let document_id = paths::registered_operation("CartChanged")?.id;
    let metrics = reqwest::Client::new();
    let baseline = rss(system, through.pid);
    let mut all = Vec::new();
    for &subscribers in &args.subscribers {
        step(&format!(
            "{subscribers} cartChanged subscriptions over SSE through {}",
            through.gateway
        ));
        let heard = Arc::new(Heard::default());
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()?;
        let started = Instant::now();
        let mut streams = Vec::with_capacity(subscribers);
        for index in 0..subscribers {
            let token = dev_identity::dev_token(
                &paths::dev_signing_key(),
                &shopper(index),
                dev_identity::SCOPES,
                Duration::from_secs(3600),
            )?;
            streams.push(tokio::spawn(subscribe(
                client.clone(),
                through.url.clone(),
                token,
                document_id.clone(),
                heard.clone(),
            )));
        }
        while heard.first_events.load(Ordering::Relaxed) < subscribers {
            if started.elapsed() >= OPEN_LIMIT {
                let refused = heard.refused.lock().expect("tally").clone();
                let page = metrics
                    .get(&through.metrics_url)
                    .send()
                    .await?
                    .text()
                    .await?;
                anyhow::bail!(
                    "only {} of {subscribers} subscriptions delivered their first event (one \
                     refusal: {}); the cart subgraph serves {} streams, {} holds {} from subgraphs",
                    heard.first_events.load(Ordering::Relaxed),
                    refused.as_deref().unwrap_or("none"),
                    open_cart_streams(system, &metrics).await?,
                    through.gateway,
                    metric_sum(
                        &page,
                        "hive_router_subscriptions_subgraphs_active",
                        through.gateway.name()
                    )?,
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let open_time = started.elapsed();
        tokio::time::sleep(SETTLE).await;
        let idle_rss = rss(system, through.pid)
            .into_iter()
            .map(|(name, now)| {
                let before = baseline
                    .iter()
                    .find(|(process, _)| *process == name)
                    .map_or(0.0, |(_, mib)| *mib);
                (name, now - before)
            })
            .collect();

        step(&format!(
            "Writing carts straight to MongoDB, {} a second for {:?}",
            args.event_rate, args.duration
        ));
        // The gateway's and the subgraphs' CPU (not MongoDB's, nor the web server's).
        let processes: Vec<(String, u32)> = system
            .processes
            .iter()
            .filter(|(name, _)| SUBGRAPHS.iter().any(|spec| spec.name == name))
            .cloned()
            .chain([("router".to_owned(), through.pid)])
            .collect();
        let cpu_before = sampling::CpuTimes::read(&processes)?;
        let writing = Instant::now();
        let writes = write_carts(&carts, subscribers, args.event_rate, args.duration).await?;
        // The last events' stragglers.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (_, cpu) = sampling::CpuTimes::read(&processes)?.since(&cpu_before);
        let elapsed = writing.elapsed().as_secs_f64();
        let delays_ms = std::mem::take(&mut *heard.delays_ms.lock().expect("tally"));
        let events = delays_ms.len().max(1) as f64;
        let busy_seconds: f64 = cpu
            .iter()
            .map(|(_, percent)| percent / 100.0 * elapsed)
            .sum();
        for stream in &streams {
            stream.abort();
        }
        drop(streams);
        tokio::time::sleep(AFTER_CLOSE).await;
        let router_rss_after_close = memory_mib(through.pid, Memory::Resident).unwrap_or(f64::NAN);
        let router_page = metrics
            .get(&through.metrics_url)
            .send()
            .await?
            .text()
            .await?;
        let still_open = (
            open_cart_streams(system, &metrics).await?,
            metric_sum(
                &router_page,
                "hive_router_subscriptions_clients_active",
                through.gateway.name(),
            )?,
        );
        release_abandoned(system, &metrics, &carts, subscribers).await?;
        all.push(Measured {
            gateway: through.gateway,
            subscribers,
            open_time,
            idle_rss,
            writes,
            delays_ms,
            cpu_ms_per_event: busy_seconds * 1000.0 / events,
            router_rss_after_close,
            still_open,
        });
    }
    Ok(all)
}

/// The cart subgraph's carts, in the bench's MongoDB.
fn shopper(index: usize) -> String {
    format!("bench-shopper-{index}")
}

async fn open_cart_streams(system: &System, metrics: &reqwest::Client) -> anyhow::Result<f64> {
    system
        .stack
        .metric_total(metrics, "cart", "graphql_streams_open")
        .await
}

/// Gives every shopper's stream an event, so that the streams a gateway still held for clients
/// gone (Hive Router 0.2 notices only then) end before the next count opens its own.
async fn release_abandoned(
    system: &System,
    metrics: &reqwest::Client,
    carts: &mongodb::Collection<mongodb::bson::Document>,
    shoppers: usize,
) -> anyhow::Result<()> {
    // A shopper without a cart gets one (one written already refuses the insert: its `_id` is
    // the shopper's), and every cart is written: each shopper's stream has an event.
    let created = carts
        .insert_many((0..shoppers).map(|index| {
            doc! {
                "_id": format!("cart-bench-{index}"),
                "user_id": shopper(index),
                "lines": [],
                "updated_at": DateTime::now(),
            }
        }))
        .ordered(false)
        .await;
    if let Err(err) = created
        && !only_duplicates(&err)
    {
        return Err(err.into());
    }
    let names: Vec<String> = (0..shoppers).map(shopper).collect();
    carts
        .update_many(
            doc! { "user_id": { "$in": names } },
            doc! { "$set": { "updated_at": DateTime::now() } },
        )
        .await?;
    let started = Instant::now();
    loop {
        let open = open_cart_streams(system, metrics).await?;
        if open == 0.0 {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < RELEASE_LIMIT,
            "the cart subgraph still holds {open} streams {RELEASE_LIMIT:?} after their clients left"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Whether every write `err` tells of was refused as a duplicate key, and nothing else failed.
fn only_duplicates(err: &mongodb::error::Error) -> bool {
    const DUPLICATE_KEY: i32 = 11000;
    match &*err.kind {
        mongodb::error::ErrorKind::InsertMany(failure) => {
            failure.write_concern_error.is_none()
                && failure
                    .write_errors
                    .iter()
                    .flatten()
                    .all(|write| write.code == DUPLICATE_KEY)
        }
        _ => false,
    }
}

/// Resident memory of the processes a stream passes through, in MiB: the gateway (pid
/// `gateway`), the cart subgraph, and the subgraphs each event joins.
fn rss(system: &System, gateway: u32) -> Vec<(String, f64)> {
    let subgraphs = ["cart", "catalog", "pricing"]
        .into_iter()
        .filter_map(|name| Some((name, system.pid(name)?)));
    [("router", gateway)]
        .into_iter()
        .chain(subgraphs)
        .filter_map(|(name, pid)| Some((name.to_owned(), memory_mib(pid, Memory::Resident)?)))
        .collect()
}

/// One subscriber until aborted: every event's delay from the write it tells of.
async fn subscribe(
    client: reqwest::Client,
    url: String,
    token: String,
    document_id: String,
    heard: Arc<Heard>,
) {
    let body = json!({ "documentId": document_id, "variables": { "currency": "USD" } });
    let response = match client
        .post(&url)
        .header("accept", "text/event-stream")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
    {
        Ok(response) if response.status().is_success() => response,
        Ok(response) => {
            let answer = format!("HTTP {}", response.status());
            *heard.refused.lock().expect("tally") = Some(answer);
            return;
        }
        Err(err) => {
            *heard.refused.lock().expect("tally") = Some(err.to_string());
            return;
        }
    };
    let mut bytes = response.bytes_stream();
    let mut buffer = String::new();
    let mut first = true;
    while let Some(Ok(chunk)) = bytes.next().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|line| line.strip_prefix("data:")) else {
                continue;
            };
            let Ok(response) = serde_json::from_str::<Value>(data.trim()) else {
                continue;
            };
            let updated_at = response["data"]["cartChanged"]["updatedAt"].as_str();
            if updated_at.is_none() {
                *heard.refused.lock().expect("tally") = Some(response.to_string());
                continue;
            }
            if first {
                first = false;
                heard.first_events.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if let Some(written) = updated_at.and_then(epoch_millis) {
                let now = DateTime::now().timestamp_millis();
                heard
                    .delays_ms
                    .lock()
                    .expect("tally")
                    .push((now - written) as f64);
            }
        }
    }
}

/// Milliseconds since the epoch of an RFC 3339 time.
fn epoch_millis(rfc3339: &str) -> Option<i64> {
    DateTime::parse_rfc3339_str(rfc3339)
        .ok()
        .map(|at| at.timestamp_millis())
}

/// Writes `rate` carts a second for `duration`, round-robin over the shoppers, each stamped
/// with the moment of its write; returns how many were acknowledged.
async fn write_carts(
    carts: &mongodb::Collection<mongodb::bson::Document>,
    shoppers: usize,
    rate: u32,
    duration: Duration,
) -> anyhow::Result<usize> {
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate.max(1))));
    let started = Instant::now();
    let mut written = 0;
    while started.elapsed() < duration {
        ticks.tick().await;
        let index = written % shoppers;
        carts
            .update_one(
                doc! { "user_id": shopper(index) },
                doc! {
                    "$set": {
                        "lines": [{ "product_id": "prod-000001", "quantity": (written % 99 + 1) as i32 }],
                        "updated_at": DateTime::now(),
                    },
                    "$setOnInsert": { "_id": format!("cart-bench-{index}") },
                },
            )
            .upsert(true)
            .await?;
        written += 1;
    }
    Ok(written)
}

fn percentile(sorted: &[f64], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * quantile).round() as usize;
    sorted[index]
}

/// The results as a Markdown table (what README shows too).
fn table(measured: &[Measured]) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "| gateway | subscribers | all open after | router MiB idle (per 1,000) | cart MiB idle (per 1,000) | events written | heard | lost | delay p50 | delay p99 | delay max | CPU per event | router MiB after close | still open (cart, router) |"
    );
    let _ = writeln!(
        text,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for run in measured {
        let per_thousand = |name: &str| {
            let grown = run
                .idle_rss
                .iter()
                .find(|(process, _)| process == name)
                .map_or(f64::NAN, |(_, mib)| *mib);
            format!(
                "{grown:.0} ({:.1})",
                grown * 1000.0 / run.subscribers as f64
            )
        };
        let mut delays = run.delays_ms.clone();
        delays.sort_by(f64::total_cmp);
        let heard = delays.len();
        let _ = writeln!(
            text,
            "| {} | {} | {:.1} s | {} | {} | {} | {heard} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} ms | {:.0} | {}, {} |",
            run.gateway,
            run.subscribers,
            run.open_time.as_secs_f64(),
            per_thousand("router"),
            per_thousand("cart"),
            run.writes,
            run.writes.saturating_sub(heard),
            percentile(&delays, 0.5),
            percentile(&delays, 0.99),
            delays.last().copied().unwrap_or(f64::NAN),
            run.cpu_ms_per_event,
            run.router_rss_after_close,
            run.still_open.0,
            run.still_open.1,
        );
    }
    text
}

fn render(args: &BenchArgs, stock: &str, table: &str) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Subscriptions\n\n`cargo xtask bench --subscriptions` on {} (release builds, MongoDB 6.0.5 \
         replica set of one, {PRODUCTS} products). `cartChanged` over SSE through our router, then \
         through {stock} (same `router.yaml`, without our plugins) on the same subgraphs and data, one \
         shopper per subscription; carts written straight to MongoDB at {} a second for {:?}, \
         round-robin over the shoppers; delay = the client hearing the event − the write's \
         `updatedAt`.\n",
        sampling::machine(),
        args.event_rate,
        args.duration,
    );
    text.push_str(table);
    let _ = writeln!(
        text,
        "\nEach gateway has a system of its own, started afresh. Memory is resident memory grown \
         over the system before the gateway's first count. CPU \
         per event is the gateway's and subgraphs' CPU time over the writing phase divided by the \
         events heard (it includes the joins each event makes to catalog and pricing). Still \
         open: 30 s after the clients left, the streams the cart subgraph still served and the \
         clients the gateway still counted; Hive Router 0.2 ends its stream from a subgraph only \
         at that stream's next event (the subgraphs end every stream at 15 minutes), so the bench \
         then writes every shopper's cart once and waits for the cart subgraph to hold none."
    );
    text
}
