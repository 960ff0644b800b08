//! One subgraph killed or hung: the router answers what it can (partial data, errors with the
//! failing path, within the per-subgraph timeout), requests that do not need that subgraph
//! are untouched, no answer is a 5xx, and answers are whole again once it is back — no router
//! restart. Each subgraph in turn is SIGKILLed under a mixed storefront load.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
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
    let stack = TestStack::start_alone("fault-hung", |options| {
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
    // Past the entity cache, which may answer for a hung subgraph until its silent channel
    // gives up (docs/entity-cache.md): the subgraph timeout is what is tested.
    let partial = stack.query_past_cache(WITH_RECOMMENDATIONS, vars()).await;
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

/// How one answer of the mixed load came out. The partial shapes are told apart: which one a
/// request gets depends on where the failed subgraph's fields sit (see the tallies the drill
/// prints, and docs/reliability.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Outcome {
    /// HTTP 200, no errors, the same data as before any fault.
    Whole,
    /// HTTP 200, errors each naming the `path` that failed, every other field as before.
    PartialAtPaths,
    /// HTTP 200, errors of which some name only the failed subgraph (`extensions.service`, no
    /// `path`: a root fetch that failed whole), every other field as before.
    PartialByService,
    /// HTTP 200, `data: null` (a non-null root field the dead subgraph serves failed and nulled
    /// everything), with errors naming what failed.
    DataNull,
    /// Anything else: a 5xx, no answer, an error naming nothing, data that changed.
    Broken,
}

impl Outcome {
    /// Whether this is one of the partial shapes a request needing a dead subgraph may get.
    fn is_partial(self) -> bool {
        matches!(
            self,
            Self::PartialAtPaths | Self::PartialByService | Self::DataNull
        )
    }
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
    // field the dead subgraph serves, or below the path an error of the dead subgraph names
    // (a failed entity fetch is reported at its entity, `affectedPath`, and nulls the fields
    // that fetch would have filled).
    let root_failed =
        |root: &str| served_by(root, dead) || error_paths.iter().any(|failed| failed[0] == root);
    let dead_paths: Vec<&Vec<Value>> = errors
        .iter()
        .filter(|error| error["extensions"]["service"] == dead)
        .filter_map(|error| error["path"].as_array())
        .collect();
    let may_be_null = |path: &[Value]| match path {
        [] => whole
            .as_object()
            .is_some_and(|roots| roots.keys().any(|root| non_null(root) && root_failed(root))),
        [Value::String(root)] if served_by(root, dead) => true,
        _ => {
            error_paths.iter().any(|failed| failed.starts_with(path))
                || dead_paths.iter().any(|failed| path.starts_with(failed))
        }
    };
    if errors.is_empty()
        || !each_names_its_failure
        || !agrees(&response["data"], whole, &mut Vec::new(), &may_be_null)
    {
        Outcome::Broken
    } else if response["data"].is_null() {
        Outcome::DataNull
    } else if errors.iter().all(|error| error["path"].is_array()) {
        Outcome::PartialAtPaths
    } else {
        Outcome::PartialByService
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

/// One answer of the mixed load: its class (index into [`MIXED_LOAD`]), when it was asked and
/// answered, and how it came out.
struct Answer {
    class: usize,
    asked: Instant,
    answered: Instant,
    outcome: Outcome,
    response: Value,
}

/// Counts of each outcome per request class.
type Tally = std::collections::BTreeMap<(&'static str, Outcome), usize>;

fn tally<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> Tally {
    let mut tally = Tally::new();
    for answer in answers {
        *tally
            .entry((MIXED_LOAD[answer.class].name, answer.outcome))
            .or_default() += 1;
    }
    tally
}

/// The mixed load, four requests at a time, until `stop` is set. `in_flight[class]` counts the
/// requests of each class between being sent and being answered.
async fn mixed_load(
    stack: &TestStack,
    token: &str,
    wholes: &[Value],
    dead: &str,
    stop: &AtomicBool,
    in_flight: &[AtomicUsize],
) -> Vec<Answer> {
    let answers = std::sync::Mutex::new(Vec::new());
    let worker = async |offset: usize| {
        let mut n = offset;
        while !stop.load(Ordering::SeqCst) {
            let class = n % MIXED_LOAD.len();
            n += 1;
            in_flight[class].fetch_add(1, Ordering::SeqCst);
            let asked = Instant::now();
            let (status, response) = stack
                .post_json_as(
                    Some(token),
                    &stack.stack.router_url(),
                    &json!({ "query": MIXED_LOAD[class].query }),
                )
                .await;
            let answered = Instant::now();
            in_flight[class].fetch_sub(1, Ordering::SeqCst);
            let outcome = outcome(status, &response, &wholes[class], dead);
            answers.lock().unwrap().push(Answer {
                class,
                asked,
                answered,
                outcome,
                response,
            });
        }
    };
    futures::future::join_all((0..4).map(worker)).await;
    answers.into_inner().unwrap()
}

/// How long the load goes on once the killed subgraph refuses connections.
const WHILE_DEAD: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_subgraph_killed_under_mixed_load_costs_only_what_it_serves() {
    let mut stack = TestStack::start_alone("fault-killed", |_| {}).await;
    let token = e2e::token("mixed-load-user");
    let mut wholes = Vec::new();
    for class in &MIXED_LOAD {
        let response = stack.query_as(Some(&token), class.query, json!({})).await;
        wholes.push(data(&response).clone());
    }

    for subgraph in xtask::roster::SUBGRAPHS.iter().map(|spec| spec.name) {
        let needs = |class: usize| MIXED_LOAD[class].needs.contains(&subgraph);
        let stop = AtomicBool::new(false);
        let in_flight: Vec<AtomicUsize> = MIXED_LOAD.iter().map(|_| AtomicUsize::new(0)).collect();
        let port = stack.stack.options.subgraph_ports[xtask::roster::index_of(subgraph)];
        // The kill lands while a request that needs the subgraph is on its way (an observable
        // moment, not a fixed sleep); the load goes on until it has been dead a while.
        let killer = async {
            let needed_in_flight = eventually(Duration::from_secs(10), async || {
                (0..MIXED_LOAD.len())
                    .any(|class| needs(class) && in_flight[class].load(Ordering::SeqCst) > 0)
            })
            .await;
            stack.stack.crash_subgraph(subgraph);
            let killed_at = Instant::now();
            let refused = eventually(Duration::from_secs(10), async || {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_err()
            })
            .await;
            let dead_at = Instant::now();
            assert!(
                needed_in_flight && refused,
                "{subgraph}: in flight {needed_in_flight}, refused {refused}"
            );
            tokio::time::sleep(WHILE_DEAD).await;
            stop.store(true, Ordering::SeqCst);
            (killed_at, dead_at)
        };
        let (answers, (killed_at, dead_at)) = tokio::join!(
            mixed_load(&stack, &token, &wholes, subgraph, &stop, &in_flight),
            killer
        );

        for answer in &answers {
            let class = &MIXED_LOAD[answer.class];
            let took = answer.answered - answer.asked;
            assert!(
                took < Duration::from_secs(6),
                "{} took {took:?}, past the subgraph timeout (5s)",
                class.name
            );
            let acceptable = if !needs(answer.class) {
                answer.outcome == Outcome::Whole
            } else if answer.asked > dead_at {
                answer.outcome.is_partial()
            } else {
                // Asked before the subgraph was surely gone: whole or partial, never broken.
                answer.outcome == Outcome::Whole || answer.outcome.is_partial()
            };
            assert!(
                acceptable,
                "{} with {subgraph} killed: {:?} {:#}",
                class.name, answer.outcome, answer.response
            );
        }
        let cut_off: Vec<&Answer> = answers
            .iter()
            .filter(|a| needs(a.class) && a.asked < killed_at && a.answered > killed_at)
            .collect();
        assert!(
            !cut_off.is_empty(),
            "a request needing {subgraph} was in flight when it was killed"
        );
        let while_dead: Vec<&Answer> = answers.iter().filter(|a| a.asked > dead_at).collect();
        for (class, request) in MIXED_LOAD.iter().enumerate() {
            assert!(
                while_dead.iter().any(|a| a.class == class),
                "{} was asked while {subgraph} was dead",
                request.name
            );
        }
        println!(
            "{subgraph} killed with {} request(s) needing it in flight ({:?}); while dead: {:?}",
            cut_off.len(),
            tally(cut_off.iter().copied()),
            tally(while_dead.iter().copied())
        );
        stack.stack.kill_subgraph(subgraph).await;
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
        let stop = AtomicBool::new(false);
        let (after, ()) = tokio::join!(
            mixed_load(&stack, &token, &wholes, "", &stop, &in_flight),
            async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                stop.store(true, Ordering::SeqCst);
            }
        );
        for answer in &after {
            assert_eq!(
                answer.outcome,
                Outcome::Whole,
                "{} after {subgraph} restarted: {:#}",
                MIXED_LOAD[answer.class].name,
                answer.response
            );
        }
        println!("{subgraph} back: {:?}", tally(&after));
    }
}

/// How slow the slow subgraph answers: slow, not hung (its timeout is 2 s).
const SLOW: Duration = Duration::from_millis(800);

/// Requests needing the slow subgraph, 25 a second.
const SLOW_REQUESTS: usize = 200;

/// Requests the router holds at once, at the least, once the slow ones have piled up: 25 a
/// second held 0.8 s each make about 20.
const PILED_UP: f64 = 10.0;

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
        .metric_total("router", "http_server_active_requests")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_subgraph_does_not_slow_what_does_not_need_it() {
    // The router reaches the recommendation subgraph through a proxy that can slow it down.
    let delay = Arc::new(AtomicU64::new(0));
    let mut proxy_port = None;
    let stack = TestStack::start_alone("fault-slow", |options| {
        let index = xtask::roster::index_of("recommendation");
        let mut routed = options.subgraph_ports.clone();
        let upstream = routed[index];
        let localhost = std::net::Ipv4Addr::LOCALHOST;
        let port = futures::executor::block_on(e2e::delaying_proxy(
            localhost.into(),
            (localhost, upstream).into(),
            delay.clone(),
        ))
        .port();
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
    data(&stack.query(WITH_RECOMMENDATIONS, vars()).await);
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
            for n in 0..SLOW_REQUESTS {
                let (client, url, slow_answers) =
                    (client.clone(), url.clone(), slow_answers.clone());
                waiting.push(tokio::spawn(async move {
                    // A product of its own each: identical fetches in flight would share one
                    // subgraph request (the router deduplicates them), and so one delay.
                    let id = format!("prod-{:06}", n % e2e::SEEDED_PRODUCTS + 1);
                    let body = json!({ "query": WITH_RECOMMENDATIONS, "variables": { "id": id } });
                    let asked = Instant::now();
                    let response: Value = client
                        .post(&url)
                        .json(&body)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    let took = asked.elapsed();
                    let whole = response.get("errors").is_none()
                        && response["data"]["product"]["id"] == id.as_str()
                        && response["data"]["product"]["recommendations"]
                            .as_array()
                            .is_some_and(|r| r.len() == 2);
                    if whole {
                        slow_answers.fetch_add(1, Ordering::SeqCst);
                    }
                    (response, took)
                }));
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            futures::future::join_all(waiting).await
        })
    };
    // Measure once the slow requests have piled up in the router, as the metric shows.
    let piled_up = eventually(Duration::from_secs(5), async || {
        router_in_flight(&stack).await >= PILED_UP
    })
    .await;
    assert!(
        piled_up,
        "the router's in-flight metric shows the slow requests (at least {PILED_UP})"
    );
    let mut in_flight = Vec::new();
    let mut during = Vec::new();
    while !arrivals.is_finished() {
        in_flight.push(router_in_flight(&stack).await);
        during.extend(catalog_latencies(&stack, 20).await);
    }
    let memory_during = memory();
    let answers: Vec<(Value, Duration)> = arrivals
        .await
        .unwrap()
        .into_iter()
        .map(|answer| answer.unwrap())
        .collect();
    let mut slowed: Vec<Duration> = answers.iter().map(|(_, took)| *took).collect();
    slowed.sort();
    let slowed_median = slowed[slowed.len() / 2];
    let during = p99(during);
    let most_in_flight = in_flight.iter().copied().fold(0.0, f64::max);
    println!(
        "recommendation {SLOW:?} slow: catalog-only p99 {before:?} before, {during:?} during; \
         router in flight at most {most_in_flight} (sampled {} times); router RSS \
         {memory_before:.1} MiB before, {memory_during:.1} MiB during; {} of {SLOW_REQUESTS} \
         slow requests whole, their median {slowed_median:?}",
        in_flight.len(),
        slow_answers.load(Ordering::SeqCst)
    );
    // The control: the proxy did slow the requests that need the subgraph behind it.
    assert!(
        slowed_median >= SLOW,
        "requests needing the slowed subgraph answered in {slowed_median:?} (median), not {SLOW:?}"
    );
    assert!(
        during < SLOW,
        "requests that do not need the slow subgraph waited for it (p99 {during:?}, {before:?} before)"
    );
    // 25 arrivals a second, each held about 0.8 s (about 20 at once), and the catalog-only
    // probes: many at once, but bounded.
    assert!(
        most_in_flight <= 60.0,
        "the router held {most_in_flight} requests at once"
    );
    assert!(
        memory_during < memory_before + 64.0,
        "the router grew from {memory_before:.1} to {memory_during:.1} MiB"
    );
    // Slow is not failed: the slow subgraph's answers arrived within its timeout, whole.
    assert_eq!(
        slow_answers.load(Ordering::SeqCst),
        SLOW_REQUESTS,
        "every slow request was answered whole: {:#}",
        answers
            .iter()
            .map(|(response, _)| response)
            .find(|response| response.get("errors").is_some())
            .unwrap_or(&Value::Null)
    );

    delay.store(0, Ordering::Relaxed);
}
