//! `cargo xtask bench --subscriptions`: `cartChanged` streams through the router over SSE, one
//! shopper each (no two share an upstream stream), on release builds. For each count of
//! subscribers: how long opening them took, what holding them idle costs the router and the
//! cart subgraph in memory, then carts written straight to MongoDB at a steady rate, each
//! event's delay from the write to the client (the event's `updatedAt` is the write's moment),
//! events lost, and CPU per delivered event; and the router's memory once they close.
//! Writes `bench/subscriptions.md`. Each subscriber costs the router two sockets (its client's
//! and its stream from the cart subgraph), so a process's open-files limit (`ulimit -n`; 20,000
//! on the machines this project is built on, and not raisable there) bounds the count.

use std::{
    fmt::Write as _,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::StreamExt;
use mongodb::bson::{DateTime, doc};
use serde_json::{Value, json};
use xtask::{
    paths,
    process::{Memory, memory_mib},
    roster::SUBGRAPHS,
};

use super::{BenchArgs, System, publish, sampling, step};

/// Products seeded: streams do not care how large the catalogue is.
const PRODUCTS: usize = 2_000;
/// How long a subscriber may take to deliver its first event before the bench gives up.
const OPEN_LIMIT: Duration = Duration::from_secs(120);
/// How long idle subscriptions settle before their memory is read.
const SETTLE: Duration = Duration::from_secs(5);
/// How long after the streams close the router's memory is read again.
const AFTER_CLOSE: Duration = Duration::from_secs(30);

/// What one count of subscribers measured.
struct Measured {
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
}

pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let most = args.subscribers.iter().copied().max().unwrap_or(0);
    let system = System::start_with(
        "bench-subscriptions",
        PRODUCTS,
        &[("ROUTER_MAX_LONG_LIVED_CLIENTS", &(most * 2).to_string())],
    )
    .await?;
    let outcome = measure_all(args, &system).await;
    system.stop().await;
    let measured = outcome?;
    publish(&args.subscriptions_output, &render(args, &measured))
}

async fn measure_all(args: &BenchArgs, system: &System) -> anyhow::Result<Vec<Measured>> {
    let mongo = mongodb::Client::with_uri_str(system.mongo.uri()).await?;
    let carts = mongo
        .database("bench_cart")
        .collection::<mongodb::bson::Document>("carts");
    let document_id = paths::registered_operation("CartChanged")?.id;
    let baseline = rss(system);
    let mut all = Vec::new();
    for &subscribers in &args.subscribers {
        step(&format!("{subscribers} cartChanged subscriptions over SSE"));
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
                system.stack.router_url(),
                token,
                document_id.clone(),
                heard.clone(),
            )));
        }
        while heard.first_events.load(Ordering::Relaxed) < subscribers {
            anyhow::ensure!(
                started.elapsed() < OPEN_LIMIT,
                "only {} of {subscribers} subscriptions delivered their first event",
                heard.first_events.load(Ordering::Relaxed)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let open_time = started.elapsed();
        tokio::time::sleep(SETTLE).await;
        let idle_rss = rss(system)
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
        let cpu_before = sampling::CpuTimes::read(&system.processes)?;
        let writing = Instant::now();
        let writes = write_carts(&carts, subscribers, args.event_rate, args.duration).await?;
        // The last events' stragglers.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (_, cpu) = sampling::CpuTimes::read(&system.processes)?.since(&cpu_before);
        let elapsed = writing.elapsed().as_secs_f64();
        let delays_ms = std::mem::take(&mut *heard.delays_ms.lock().expect("tally"));
        let events = delays_ms.len().max(1) as f64;
        // The router's and the subgraphs' CPU (not MongoDB's, nor the web server's).
        let busy_seconds: f64 = cpu
            .iter()
            .filter(|(name, _)| name == "router" || SUBGRAPHS.iter().any(|spec| spec.name == name))
            .map(|(_, percent)| percent / 100.0 * elapsed)
            .sum();
        for stream in &streams {
            stream.abort();
        }
        drop(streams);
        tokio::time::sleep(AFTER_CLOSE).await;
        let router_rss_after_close = system
            .pid("router")
            .and_then(|pid| memory_mib(pid, Memory::Resident))
            .unwrap_or(f64::NAN);
        let metrics = reqwest::Client::new();
        let still_open = (
            system
                .stack
                .metric_total(&metrics, "cart", "graphql_streams_open")
                .await?,
            system
                .stack
                .metric_total(
                    &metrics,
                    "router",
                    "hive_router_subscriptions_clients_active",
                )
                .await?,
        );
        all.push(Measured {
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

fn shopper(index: usize) -> String {
    format!("bench-shopper-{index}")
}

/// Resident memory of the processes a stream passes through, in MiB.
fn rss(system: &System) -> Vec<(String, f64)> {
    ["router", "cart", "catalog", "pricing"]
        .into_iter()
        .filter_map(|name| {
            let pid = system.pid(name)?;
            Some((name.to_owned(), memory_mib(pid, Memory::Resident)?))
        })
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
    let Ok(response) = client
        .post(&url)
        .header("accept", "text/event-stream")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
    else {
        return;
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

fn render(args: &BenchArgs, measured: &[Measured]) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Subscriptions\n\n`cargo xtask bench --subscriptions` on {} (release builds, MongoDB 6.0.5 \
         replica set of one, {PRODUCTS} products). `cartChanged` over SSE through the router, one \
         shopper per subscription; carts written straight to MongoDB at {} a second for {:?}, \
         round-robin over the shoppers; delay = the client hearing the event − the write's \
         `updatedAt`.\n",
        sampling::machine(),
        args.event_rate,
        args.duration,
    );
    let _ = writeln!(
        text,
        "| subscribers | all open after | router MiB idle (per 1,000) | cart MiB idle (per 1,000) | events written | heard | lost | delay p50 | delay p99 | delay max | CPU per event | router MiB after close | still open (cart, router) |"
    );
    let _ = writeln!(
        text,
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
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
            "| {} | {:.1} s | {} | {} | {} | {heard} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} ms | {:.0} | {}, {} |",
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
    let _ = writeln!(
        text,
        "\nMemory is resident memory grown over the system before any subscription. CPU per event \
         is the router's and subgraphs' CPU time over the writing phase divided by the events \
         heard (it includes the joins each event makes to catalog and pricing)."
    );
    text
}
