//! Prices changing under load: while a gateway serves the storefront mix, list prices of the
//! products the mix shows are written straight to MongoDB at 1% of its request rate, and
//! after each acknowledged write a prober asks the gateway for that price until it shows:
//! how stale a gateway's answers are (an entity cache's bound), and how many answers came
//! back stale past the bound.

use std::time::{Duration, Instant};

use mongodb::bson::{Document, doc};
use serde::Serialize;
use serde_json::{Value, json};

/// Writes per request of the mix.
pub const WRITE_SHARE: f64 = 0.01;
/// The staleness an answer may have after its write was acknowledged.
pub const BOUND: Duration = Duration::from_millis(200);
/// How long a prober waits for a price to show before it counts the write as never shown.
const GIVE_UP: Duration = Duration::from_secs(5);
/// How often a prober asks.
pub const PROBE_EVERY: Duration = Duration::from_millis(2);

const PROBE: &str = "query Probe($id: ID!) { product(id: $id) { pricing { price { amount } compareAtPrice { amount } } } }";

/// What the writes found, for one measured run.
#[derive(Debug, Clone, Serialize)]
pub struct Staleness {
    pub writes: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Probe answers that still showed the old price more than [`BOUND`] after the write.
    pub reads_past_bound: u64,
    /// Writes whose price had not shown after [`GIVE_UP`].
    pub never_shown: u64,
}

/// Writes prices to `prices` (the pricing subgraph's collection) for `products`, one every
/// `interval`, until `until`; probes `gateway` after each.
pub async fn write_and_probe(
    prices: mongodb::Collection<Document>,
    gateway: &str,
    products: &[String],
    interval: Duration,
    until: Instant,
) -> anyhow::Result<Staleness> {
    let client = reqwest::Client::new();
    let mut delays = Vec::new();
    let (mut reads_past_bound, mut never_shown) = (0, 0);
    let mut next = Instant::now();
    let mut serial: i64 = 0;
    while Instant::now() < until {
        tokio::time::sleep_until(next.into()).await;
        next += interval;
        serial += 1;
        let id = &products[serial as usize * 7 % products.len()];
        // A price no product had before: 1,000.01 and up.
        let cents = 100_000 + serial;
        prices
            .update_one(
                doc! { "_id": id },
                doc! { "$set": { "list_price_cents": cents } },
            )
            .await?;
        let written = Instant::now();
        let wanted = format!("{}.{:02}", cents / 100, cents % 100);
        loop {
            let shown = list_price(&client, gateway, id).await;
            let elapsed = written.elapsed();
            if shown.as_deref() == Some(wanted.as_str()) {
                delays.push(elapsed.as_secs_f64() * 1000.0);
                break;
            }
            if elapsed > BOUND {
                reads_past_bound += 1;
            }
            if elapsed > GIVE_UP {
                never_shown += 1;
                break;
            }
            tokio::time::sleep(PROBE_EVERY).await;
        }
    }
    delays.sort_by(f64::total_cmp);
    let at = |share: f64| {
        delays
            .get(((delays.len() as f64 * share).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    Ok(Staleness {
        writes: serial as u64,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: delays.last().copied().unwrap_or(f64::NAN),
        reads_past_bound,
        never_shown,
    })
}

/// The list price `gateway` shows for `id`: the price before promotions where one runs.
async fn list_price(client: &reqwest::Client, gateway: &str, id: &str) -> Option<String> {
    let body = json!({ "query": PROBE, "variables": { "id": id } });
    let answer: Value = client
        .post(gateway)
        .json(&body)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let pricing = &answer["data"]["product"]["pricing"];
    let list = match &pricing["compareAtPrice"] {
        Value::Null => &pricing["price"]["amount"],
        before => &before["amount"],
    };
    list.as_str().map(str::to_owned)
}
