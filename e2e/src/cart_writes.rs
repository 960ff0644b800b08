//! Cart writes under a fault, as clients see them: clients adding to their own carts one write
//! after another, each write recorded with when it started, how long it took and how it ended;
//! then the checks every MongoDB fault drill makes of them.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{TestStack, error_codes, eventually, token};

/// Clients writing at once, each to its own cart.
pub const USERS: usize = 12;
/// Products each client's writes cycle through (a cart holds at most 100).
pub const PRODUCTS: usize = 40;
/// The subgraphs' MongoDB timeout (their default): how long a write may wait for a primary.
pub const MONGODB_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a failed write may take, all told: the timeout and the hops around it.
pub const FAIL_FAST: Duration = Duration::from_secs(3);
/// The subgraphs' request deadline (their default `REQUEST_TIMEOUT`): how long a write may
/// wait on a MongoDB that stopped answering mid-command.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

const ADD: &str = "mutation($id: ID!) { addToCart(productId: $id, quantity: 1) { id } }";
pub const CART: &str = "{ cart { lines { quantity product { id } } } }";
pub const CATALOG_READ: &str = r#"{ product(id: "prod-000001") { id name } }"#;

/// One write, as its client saw it.
pub struct Write {
    pub product: String,
    pub started: Instant,
    pub took: Duration,
    /// `None` when acknowledged; else the error codes the client got.
    pub failed: Option<Vec<String>>,
}

/// Clients adding to their carts, one write after another, until stopped.
pub struct WriteLoad {
    running: Arc<AtomicBool>,
    acknowledged: Arc<AtomicUsize>,
    clients: Vec<tokio::task::JoinHandle<(String, Vec<Write>)>>,
}

impl WriteLoad {
    pub fn start(stack: &TestStack, label: &str) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let acknowledged = Arc::new(AtomicUsize::new(0));
        // A client that gives up is told nothing; this one waits far past any timeout.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let clients = (0..USERS)
            .map(|n| {
                let user = format!("{label}-user-{n}");
                let bearer = token(&user);
                let (running, acknowledged, client, url) = (
                    running.clone(),
                    acknowledged.clone(),
                    client.clone(),
                    stack.stack.router_url(),
                );
                tokio::spawn(async move {
                    let mut writes = Vec::new();
                    while running.load(Ordering::SeqCst) {
                        let product = format!("prod-{:06}", writes.len() % PRODUCTS + 1);
                        let started = Instant::now();
                        let body = json!({ "query": ADD, "variables": { "id": product } });
                        let answer = client
                            .post(&url)
                            .bearer_auth(&bearer)
                            .json(&body)
                            .send()
                            .await;
                        let response: Value = match answer {
                            Ok(answer) => answer.json().await.unwrap_or(Value::Null),
                            Err(err) => json!({ "errors": [{ "message": err.to_string() }] }),
                        };
                        let acknowledged_write = response["data"]["addToCart"]["id"].is_string()
                            && response.get("errors").is_none();
                        if acknowledged_write {
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        writes.push(Write {
                            product,
                            started,
                            took: started.elapsed(),
                            failed: (!acknowledged_write).then(|| error_codes(&response)),
                        });
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    (user, writes)
                })
            })
            .collect();
        Self {
            running,
            acknowledged,
            clients,
        }
    }

    /// Waits until `more` writes beyond those acknowledged so far are acknowledged.
    pub async fn acknowledges(&self, more: usize, limit: Duration) -> bool {
        let target = self.acknowledged.load(Ordering::SeqCst) + more;
        eventually(limit, async || {
            self.acknowledged.load(Ordering::SeqCst) >= target
        })
        .await
    }

    pub async fn stop(self) -> Vec<(String, Vec<Write>)> {
        self.running.store(false, Ordering::SeqCst);
        let mut clients = Vec::new();
        for client in self.clients {
            clients.push(client.await.expect("a client's task"));
        }
        clients
    }
}

/// Every acknowledged write is in its client's cart (and nothing that was never tried is):
/// per product, acknowledged ≤ stored quantity ≤ attempted. Returns (acknowledged, failed).
pub async fn assert_acknowledged_writes_kept(
    stack: &TestStack,
    clients: &[(String, Vec<Write>)],
) -> (usize, usize) {
    let (mut acknowledged, mut failed) = (0, 0);
    for (user, writes) in clients {
        let response = stack.query_as(Some(&token(user)), CART, json!({})).await;
        let stored: HashMap<String, i64> = response["data"]["cart"]["lines"]
            .as_array()
            .unwrap_or_else(|| panic!("{user}'s cart: {response:#}"))
            .iter()
            .map(|line| {
                let id = line["product"]["id"].as_str().unwrap().to_owned();
                (id, line["quantity"].as_i64().unwrap())
            })
            .collect();
        let mut told: HashMap<&str, (i64, i64)> = HashMap::new();
        for write in writes {
            let (ok, tried) = told.entry(&write.product).or_default();
            *tried += 1;
            if write.failed.is_none() {
                *ok += 1;
                acknowledged += 1;
            } else {
                failed += 1;
            }
        }
        for (product, (ok, tried)) in told {
            let kept = stored.get(product).copied().unwrap_or(0);
            assert!(
                ok <= kept && kept <= tried,
                "{user}: {ok} acknowledged adds of {product}, {tried} tried, {kept} stored"
            );
        }
    }
    (acknowledged, failed)
}

/// The failed writes (started at or after `since`): each with `SERVICE_UNAVAILABLE` and
/// within `within` ([`FAIL_FAST`] for MongoDB out of reach). Returns how many, and the longest.
pub fn assert_failed_fast(
    clients: &[(String, Vec<Write>)],
    since: Instant,
    within: Duration,
) -> (usize, Duration) {
    let mut longest = Duration::ZERO;
    let mut count = 0;
    for write in clients.iter().flat_map(|(_, writes)| writes) {
        let Some(codes) = &write.failed else { continue };
        if write.started < since {
            continue;
        }
        assert!(
            codes.iter().any(|code| code == "SERVICE_UNAVAILABLE"),
            "a write failed with {codes:?}, not SERVICE_UNAVAILABLE"
        );
        assert!(
            write.took <= within,
            "a write failed only after {:?}",
            write.took
        );
        longest = longest.max(write.took);
        count += 1;
    }
    (count, longest)
}

/// How long after `since` the first write started at or after it was acknowledged: when writes
/// resumed after a fault.
pub fn first_acknowledged_after(clients: &[(String, Vec<Write>)], since: Instant) -> Duration {
    clients
        .iter()
        .flat_map(|(_, writes)| writes)
        .filter(|write| write.started >= since && write.failed.is_none())
        .map(|write| write.started + write.took - since)
        .min()
        .expect("a write acknowledged after the fault")
}
