//! One subgraph killed or hung: the router answers what it can (partial data, errors with the
//! failing path, within the per-subgraph timeout), requests that do not need that subgraph
//! are untouched, no answer is a 5xx, and answers are whole again once it is back — no router
//! restart. Each subgraph in turn is SIGKILLed under a mixed storefront load.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use e2e::{TestStack, data, eventually};
use futures::StreamExt;
use serde_json::{Value, json};
use xtask::process::{Memory, memory_mib};

const PRODUCT: &str = "prod-000001";

/// Catalog only.
const CATALOG_ONLY: &str = "query($id: ID!) { categories { name } product(id: $id) { id name } }";
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

/// A storefront request of the mixed load, with the subgraphs it needs.
struct RequestClass {
    name: &'static str,
    query: &'static str,
    needs: &'static [&'static str],
}

/// The mixed load: one request shape per combination a storefront page makes.
const MIXED_LOAD: [RequestClass; 5] = [
    RequestClass {
        name: "catalog",
        query: r#"{ categories { name } product(id: "prod-000001") { id name } }"#,
        needs: &["catalog"],
    },
    RequestClass {
        name: "promotions",
        query: "{ promotions { id title } }",
        needs: &["pricing"],
    },
    RequestClass {
        name: "product+price",
        query: r#"{ promotions { id } product(id: "prod-000001") { name pricing { price { amount } } } }"#,
        needs: &["catalog", "pricing"],
    },
    RequestClass {
        name: "product+recommendations",
        query: r#"{ cart { id } product(id: "prod-000001") { name recommendations(first: 2) { id } } }"#,
        needs: &["cart", "catalog", "recommendation"],
    },
    RequestClass {
        name: "cart",
        query: "{ promotions { id } cart { id totalQuantity lines { quantity product { id } } } }",
        needs: &["pricing", "cart"],
    },
];

/// How one answer of the mixed load came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Outcome {
    /// HTTP 200, no errors, the same data as before any fault.
    Whole,
    /// HTTP 200 and errors that each name the path that failed (or, for a root field, the
    /// subgraph that failed); every other field as before any fault.
    Partial,
    /// Anything else: a 5xx, no answer, an error naming nothing, data that changed.
    Broken,
}

/// The root fields the mixed load asks for: the subgraph serving each, and whether the
/// schema lets it be null (a non-null root that fails nulls the whole `data`).
const ROOTS: [(&str, &str, bool); 4] = [
    ("categories", "catalog", false),
    ("product", "catalog", true),
    ("promotions", "pricing", false),
    ("cart", "cart", true),
];

fn served_by(root: &str, subgraph: &str) -> bool {
    ROOTS
        .iter()
        .any(|(field, owner, _)| *field == root && *owner == subgraph)
}

fn non_null(root: &str) -> bool {
    ROOTS
        .iter()
        .any(|(field, _, nullable)| *field == root && !nullable)
}

/// How an answer compares with the `whole` data of its request while `dead` is down.
fn outcome(status: u16, response: &Value, whole: &Value, dead: &str) -> Outcome {
    if status != 200 {
        return Outcome::Broken;
    }
    let Some(errors) = response["errors"].as_array() else {
        return if response["data"] == *whole {
            Outcome::Whole
        } else {
            Outcome::Broken
        };
    };
    let error_paths: Vec<&Vec<Value>> = errors
        .iter()
        .filter_map(|error| error["path"].as_array())
        .collect();
    let each_names_its_failure = errors
        .iter()
        .all(|error| error["path"].is_array() || error["extensions"]["service"] == dead);
    // A null may stand where a field failed, or above it (null propagation), or for a root
    // field the dead subgraph serves.
    let root_failed =
        |root: &str| served_by(root, dead) || error_paths.iter().any(|failed| failed[0] == root);
    let may_be_null = |path: &[Value]| match path {
        [] => whole
            .as_object()
            .is_some_and(|roots| roots.keys().any(|root| non_null(root) && root_failed(root))),
        [Value::String(root)] if served_by(root, dead) => true,
        _ => error_paths.iter().any(|failed| failed.starts_with(path)),
    };
    if !errors.is_empty()
        && each_names_its_failure
        && agrees(&response["data"], whole, &mut Vec::new(), &may_be_null)
    {
        Outcome::Partial
    } else {
        Outcome::Broken
    }
}

/// Whether `data` equals `whole` but for nulls where `may_be_null` allows them.
fn agrees(
    data: &Value,
    whole: &Value,
    path: &mut Vec<Value>,
    may_be_null: &dyn Fn(&[Value]) -> bool,
) -> bool {
    if data == whole {
        return true;
    }
    match (data, whole) {
        (Value::Null, _) => may_be_null(path),
        (Value::Object(fields), Value::Object(expected)) => expected.iter().all(|(name, value)| {
            path.push(Value::String(name.clone()));
            let agreed = agrees(&fields[name], value, path, may_be_null);
            path.pop();
            agreed
        }),
        (Value::Array(items), Value::Array(expected)) if items.len() == expected.len() => items
            .iter()
            .zip(expected)
            .enumerate()
            .all(|(index, (item, value))| {
                path.push(Value::from(index));
                let agreed = agrees(item, value, path, may_be_null);
                path.pop();
                agreed
            }),
        _ => false,
    }
}

/// Counts of each outcome per request class over one phase of the drill.
type Tally = std::collections::BTreeMap<(&'static str, String), usize>;

/// Sends the mixed load (`workers` at once) for `duration`; each answer's outcome is tallied
/// under its class. Asserts `check(class, outcome)` for every answer.
async fn mixed_load(
    stack: &TestStack,
    token: &str,
    wholes: &[Value],
    dead: &str,
    duration: Duration,
    check: impl Fn(&RequestClass, Outcome, &Value) + Sync,
) -> Tally {
    let tally = std::sync::Mutex::new(Tally::new());
    let started = Instant::now();
    let worker = async |offset: usize| {
        let mut n = offset;
        while started.elapsed() < duration {
            let (class, whole) = (
                &MIXED_LOAD[n % MIXED_LOAD.len()],
                &wholes[n % MIXED_LOAD.len()],
            );
            n += 1;
            let asked = Instant::now();
            let (status, response) = stack
                .post_json_as(
                    Some(token),
                    &stack.stack.router_url(),
                    &json!({ "query": class.query }),
                )
                .await;
            let outcome = outcome(status, &response, whole, dead);
            assert!(
                asked.elapsed() < Duration::from_secs(6),
                "{} took {:?}, past the subgraph timeout (5s)",
                class.name,
                asked.elapsed()
            );
            check(class, outcome, &response);
            *tally
                .lock()
                .unwrap()
                .entry((class.name, format!("{outcome:?}")))
                .or_default() += 1;
        }
    };
    futures::future::join_all((0..4).map(worker)).await;
    tally.into_inner().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_subgraph_killed_under_mixed_load_costs_only_what_it_serves() {
    let mut stack = TestStack::start("fault-killed").await;
    let token = e2e::token("mixed-load-user");
    let mut wholes = Vec::new();
    for class in &MIXED_LOAD {
        let response = stack.query_as(Some(&token), class.query, json!({})).await;
        wholes.push(data(&response).clone());
    }

    for subgraph in xtask::roster::SUBGRAPHS.iter().map(|spec| spec.name) {
        stack.stack.kill_subgraph(subgraph).await;
        let while_dead = mixed_load(
            &stack,
            &token,
            &wholes,
            subgraph,
            Duration::from_secs(3),
            |class, outcome, response| {
                let expected = if class.needs.contains(&subgraph) {
                    Outcome::Partial
                } else {
                    Outcome::Whole
                };
                assert_eq!(
                    outcome, expected,
                    "{} with {subgraph} killed: {response:#}",
                    class.name
                );
            },
        )
        .await;
        println!("{subgraph} killed: {while_dead:?}");
        assert_eq!(
            stack.stack.exited(),
            Vec::<String>::new(),
            "nothing else exited"
        );

        stack.stack.start_subgraph_again(subgraph).await.unwrap();
        for (class, whole) in MIXED_LOAD.iter().zip(&wholes) {
            let mut response = Value::Null;
            let again = eventually(Duration::from_secs(15), async || {
                response = stack.query_as(Some(&token), class.query, json!({})).await;
                response.get("errors").is_none()
            })
            .await;
            assert!(
                again,
                "{} whole again after {subgraph} restarted: {response:#}",
                class.name
            );
            assert_eq!(&response["data"], whole);
        }
        let after = mixed_load(
            &stack,
            &token,
            &wholes,
            "",
            Duration::from_secs(1),
            |class, outcome, response| {
                assert_eq!(
                    outcome,
                    Outcome::Whole,
                    "{} after {subgraph} restarted: {response:#}",
                    class.name
                );
            },
        )
        .await;
        println!("{subgraph} back: {after:?}");
    }
}

/// How slow the slow subgraph answers: slow, not hung (its timeout is 2 s).
const SLOW: Duration = Duration::from_millis(800);

/// The 99th percentile of `latencies`.
fn p99(mut latencies: Vec<Duration>) -> Duration {
    latencies.sort();
    latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)]
}

/// `count` catalog-only requests, four at a time; their latencies.
async fn catalog_latencies(stack: &TestStack, count: usize) -> Vec<Duration> {
    futures::stream::iter(0..count)
        .map(async |_| {
            let asked = Instant::now();
            data(&stack.query(CATALOG_ONLY, vars()).await);
            asked.elapsed()
        })
        .buffer_unordered(4)
        .collect()
        .await
}

/// The router's `http_server_active_requests` (requests it is answering now).
async fn router_in_flight(stack: &TestStack) -> f64 {
    stack
        .stack
        .metric_total(&stack.client, "router", "http_server_active_requests")
        .await
        .expect("the router's metrics")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_subgraph_does_not_slow_what_does_not_need_it() {
    // The router reaches the recommendation subgraph through a proxy that can slow it down.
    let delay = Arc::new(AtomicU64::new(0));
    let mut proxy_port = None;
    let stack = TestStack::start_with("fault-slow", |options| {
        let index = xtask::roster::index_of("recommendation");
        let mut routed = options.subgraph_ports.clone();
        let upstream = routed[index];
        let port = futures::executor::block_on(e2e::slow_proxy(upstream, delay.clone()));
        routed[index] = port;
        proxy_port = Some(port);
        std::fs::write(
            &options.supergraph_config,
            xtask::stack::supergraph_yaml(&routed),
        )
        .unwrap();
    })
    .await;
    assert!(proxy_port.is_some());
    let whole = data(&stack.query(WITH_RECOMMENDATIONS, vars()).await).clone();
    let before = p99(catalog_latencies(&stack, 200).await);

    delay.store(SLOW.as_millis() as u64, Ordering::Relaxed);
    let router_pid = stack
        .stack
        .processes()
        .into_iter()
        .find(|(name, _)| name == "router")
        .map(|(_, pid)| pid)
        .unwrap();
    let memory = || memory_mib(router_pid, Memory::Resident).unwrap();
    let memory_before = memory();
    // Requests that need it keep arriving, 25 a second, whatever their answers' pace.
    let slow_answers = Arc::new(AtomicUsize::new(0));
    let arrivals = {
        let (client, url, slow_answers) = (
            stack.client.clone(),
            stack.stack.router_url(),
            slow_answers.clone(),
        );
        tokio::spawn(async move {
            let mut waiting = Vec::new();
            for _ in 0..200 {
                let (client, url, slow_answers) =
                    (client.clone(), url.clone(), slow_answers.clone());
                waiting.push(tokio::spawn(async move {
                    let body = json!({ "query": WITH_RECOMMENDATIONS, "variables": vars() });
                    let response: Value = client
                        .post(&url)
                        .json(&body)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    if response.get("errors").is_none() {
                        slow_answers.fetch_add(1, Ordering::SeqCst);
                    }
                    response
                }));
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            futures::future::join_all(waiting).await
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut in_flight = Vec::new();
    let mut during = Vec::new();
    while !arrivals.is_finished() {
        in_flight.push(router_in_flight(&stack).await);
        during.extend(catalog_latencies(&stack, 20).await);
    }
    let memory_during = memory();
    let answers = arrivals.await.unwrap();
    let during = p99(during);
    let most_in_flight = in_flight.iter().copied().fold(0.0, f64::max);
    println!(
        "recommendation {SLOW:?} slow: catalog-only p99 {before:?} before, {during:?} during; \
         router in flight at most {most_in_flight} (sampled {} times); router RSS \
         {memory_before:.1} MiB before, {memory_during:.1} MiB during; {} of 200 slow requests whole",
        in_flight.len(),
        slow_answers.load(Ordering::SeqCst)
    );
    assert!(
        during < SLOW,
        "requests that do not need the slow subgraph waited for it (p99 {during:?}, {before:?} before)"
    );
    // 25 arrivals a second, each held about 0.8 s, and the catalog-only probes.
    assert!(
        most_in_flight > 0.0,
        "the router reports its in-flight requests"
    );
    assert!(
        most_in_flight <= 60.0,
        "the router held {most_in_flight} requests at once"
    );
    assert!(
        memory_during < memory_before + 64.0,
        "the router grew from {memory_before:.1} to {memory_during:.1} MiB"
    );
    // Slow is not failed: the slow subgraph's answers arrived within its timeout.
    for response in &answers {
        let response = response.as_ref().unwrap();
        assert_eq!(data(response), &whole);
    }

    delay.store(0, Ordering::Relaxed);
}
