//! One subgraph down or hung: the router answers what it can (partial data, errors with the
//! failing path, within the per-subgraph timeout), requests that do not need that subgraph
//! are untouched, and answers are whole again once it is back — no router restart.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use e2e::{TestStack, data, eventually};
use serde_json::{Value, json};

const PRODUCT: &str = "prod-000001";

/// Catalog only.
const CATALOG_ONLY: &str = "query($id: ID!) { categories { name } product(id: $id) { id name } }";
/// Catalog, plus pricing's nullable `compareAtPrice`.
const WITH_PRICING: &str = "query($id: ID!) { categories { name } product(id: $id) { id name compareAtPrice { amount } price { amount } } }";
/// Catalog, plus the recommendation subgraph.
const WITH_RECOMMENDATIONS: &str = "query($id: ID!) { categories { name } product(id: $id) { id name recommendations(first: 2) { id } } }";

fn vars() -> Value {
    json!({ "id": PRODUCT })
}

/// A partial answer: the catalog's `categories` as in `whole`, and errors (each with a
/// path below `product`, where the failing subgraph's fields are). Returns the errors.
fn assert_partial(partial: &Value, whole: &Value) -> Vec<Value> {
    assert_eq!(
        partial["data"]["categories"], whole["categories"],
        "{partial:#}"
    );
    let errors = errors_with_paths(partial);
    assert!(
        errors.iter().all(|e| e["path"][0] == "product"),
        "errors point below `product`: {partial:#}"
    );
    errors
}

/// The errors of a response, asserting there are some and that each names a path.
fn errors_with_paths(response: &Value) -> Vec<Value> {
    let errors = response["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected errors, got {response:#}"))
        .clone();
    assert!(!errors.is_empty(), "{response:#}");
    for error in &errors {
        assert!(
            error["path"].as_array().is_some_and(|p| !p.is_empty()),
            "every error names the path that failed: {response:#}"
        );
    }
    errors
}

/// Retries `query` until it has no errors (a subgraph coming back takes a moment to be
/// reachable again), giving up after `limit`.
async fn until_whole(stack: &TestStack, query: &str, limit: Duration) -> Value {
    let mut response = Value::Null;
    eventually(limit, async || {
        response = stack.query(query, vars()).await;
        response.get("errors").is_none()
    })
    .await;
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_subgraph_costs_only_the_fields_it_serves() {
    let mut stack = TestStack::start("fault-stopped").await;
    let whole = stack.query(WITH_PRICING, vars()).await;
    let whole = data(&whole).clone();
    let catalog_only = data(&stack.query(CATALOG_ONLY, vars()).await).clone();

    // Traffic that never touches pricing keeps flowing while pricing goes away and comes back.
    let running = Arc::new(AtomicBool::new(true));
    let (served, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let traffic = {
        let (running, served, failed) = (running.clone(), served.clone(), failed.clone());
        let (client, url, expected) = (
            stack.client.clone(),
            stack.stack.router_url(),
            catalog_only.clone(),
        );
        tokio::spawn(async move {
            while running.load(Ordering::SeqCst) {
                let body = json!({ "query": CATALOG_ONLY, "variables": vars() });
                let response: Option<Value> = match client.post(&url).json(&body).send().await {
                    Ok(response) => response.json().await.ok(),
                    Err(_) => None,
                };
                let ok =
                    response.is_some_and(|r| r.get("errors").is_none() && r["data"] == expected);
                if ok { &served } else { &failed }.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };

    let traffic_flows = async |at_least: usize| {
        eventually(Duration::from_secs(10), async || {
            served.load(Ordering::SeqCst) >= at_least
        })
        .await
    };
    assert!(traffic_flows(5).await, "catalog traffic is flowing");

    stack.stack.stop_subgraph("pricing").await;
    let served_when_pricing_stopped = served.load(Ordering::SeqCst);
    let partial = stack.query(WITH_PRICING, vars()).await;
    // `price` is non-null, so its null propagates to the nearest nullable field, `product`
    // (GraphQL's null propagation); the catalog's other answer, `categories`, is intact.
    let errors = assert_partial(&partial, &whole);
    assert!(
        errors
            .iter()
            .any(|e| e["extensions"]["service"] == "pricing"
                || e["message"].as_str().unwrap_or("").contains("pricing")),
        "the failing subgraph is named: {partial:#}"
    );
    // Nothing that needs only the catalog notices.
    assert_eq!(
        data(&stack.query(CATALOG_ONLY, vars()).await),
        &catalog_only
    );

    assert!(
        traffic_flows(served_when_pricing_stopped + 5).await,
        "catalog traffic kept being served while pricing was down"
    );

    stack.stack.start_subgraph_again("pricing").await.unwrap();
    let again = until_whole(&stack, WITH_PRICING, Duration::from_secs(15)).await;
    assert_eq!(data(&again), &whole, "whole again without a router restart");

    running.store(false, Ordering::SeqCst);
    traffic.await.unwrap();
    assert_eq!(
        failed.load(Ordering::SeqCst),
        0,
        "no catalog-only request failed while pricing was down"
    );
}

#[tokio::test]
async fn a_hung_subgraph_is_cut_off_at_its_own_timeout() {
    let stack = TestStack::start_with("fault-hung", |options| {
        options.router_env = vec![
            // Far apart, so the test can tell which one applied.
            ("ROUTER_SUBGRAPH_TIMEOUT".into(), "30s".into()),
            ("ROUTER_RECOMMENDATION_TIMEOUT".into(), "1s".into()),
        ];
    })
    .await;
    let whole = data(&stack.query(WITH_RECOMMENDATIONS, vars()).await).clone();

    stack.stack.freeze_subgraph("recommendation", true);
    let started = Instant::now();
    let partial = stack.query(WITH_RECOMMENDATIONS, vars()).await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(15),
        "cut off at the recommendation subgraph's 1s timeout, not the global 30s (took {waited:?})"
    );
    assert_partial(&partial, &whole);
    // Requests that do not need the hung subgraph do not wait for it.
    let started = Instant::now();
    data(&stack.query(CATALOG_ONLY, vars()).await);
    assert!(started.elapsed() < Duration::from_secs(5));

    stack.stack.freeze_subgraph("recommendation", false);
    let again = until_whole(&stack, WITH_RECOMMENDATIONS, Duration::from_secs(15)).await;
    assert_eq!(data(&again), &whole, "whole again once it answers");
}
