//! What operators see: Prometheus metrics on the router and every subgraph, one request
//! followable through the logs by its request id and its W3C trace from the router into the
//! subgraphs, and that trace exported over OTLP by the router and the subgraphs (with
//! MongoDB command spans), received here by a minimal OTLP/HTTP endpoint; and metrics whose
//! size clients cannot grow.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use e2e::{TestStack, data, eventually, token};
use futures::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xtask::roster::SUBGRAPHS;

/// What a subgraph counts every unregistered operation name under (`OperationLabels::OTHER`).
const OTHER: &str = "other";

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Accepts OTLP/HTTP export requests on a free port and keeps their (protobuf) bodies.
async fn otlp_receiver() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let received = bodies.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let received = received.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let Ok(read) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..read]);
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .and_then(|value| value.trim().parse().ok())
                        .unwrap_or(0);
                    if buffer.len() < end + 4 + length {
                        continue;
                    }
                    received
                        .lock()
                        .unwrap()
                        .push(buffer[end + 4..end + 4 + length].to_vec());
                    buffer.drain(..end + 4 + length);
                    let reply = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    if socket.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, bodies)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn metrics_and_correlated_logs_follow_a_request_through_the_graph() {
    let (otlp_url, exported) = otlp_receiver().await;
    let stack = TestStack::start_with("observability", |options| {
        let endpoint = vec![("OTEL_EXPORTER_OTLP_ENDPOINT".to_owned(), otlp_url.clone())];
        options.router_env = endpoint.clone();
        options.subgraph_env = endpoint;
    })
    .await;
    let request_id = format!("e2e-{}", std::process::id());
    let response: serde_json::Value = stack
        .client
        .post(stack.stack.router_url())
        .header("x-request-id", &request_id)
        .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01"))
        .json(&json!({
            "query": r#"query ProductPage { product(id: "prod-000001") { name price { amount } } }"#
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    data(&response);

    // The router's metrics: its requests, and its requests to each subgraph; not by
    // operation name, which clients choose (see `client_chosen_names_leave_metrics_bounded`).
    let router_metrics = stack.metrics("router").await;
    assert!(
        router_metrics.contains("http_server_request_duration"),
        "{router_metrics}"
    );
    assert!(!router_metrics.contains("ProductPage"), "{router_metrics}");
    assert!(router_metrics.contains("pricing"), "{router_metrics}");

    // Each subgraph's: GraphQL requests and MongoDB command timings.
    let catalog_metrics = stack.metrics("catalog").await;
    assert!(
        catalog_metrics.contains("graphql_requests_total"),
        "{catalog_metrics}"
    );
    assert!(
        catalog_metrics.contains("mongodb_command_duration_seconds"),
        "{catalog_metrics}"
    );

    // Both subgraphs the request touched logged it under the caller's request id and trace.
    let logs = stack.logs();
    for subgraph in ["catalog", "pricing"] {
        let line = logs
            .lines()
            .find(|line| {
                line.trim_start().starts_with(subgraph)
                    && line.contains(&request_id)
                    && line.contains(TRACE_ID)
            })
            .unwrap_or_else(|| {
                panic!("no {subgraph} log line with request id {request_id} and trace {TRACE_ID}:\n{logs}")
            });
        assert!(line.contains("/graphql"), "{line}");
    }

    // The trace went out over OTLP from the subgraphs too (exports are batched: wait for them).
    let trace_id: Vec<u8> = (0..TRACE_ID.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&TRACE_ID[i..i + 2], 16).unwrap())
        .collect();
    // A subgraph's export batch names only its own service (the router's names `hive-router`).
    let exported_by = |service: &str| {
        exported.lock().unwrap().iter().any(|body| {
            contains(body, &trace_id)
                && contains(body, service.as_bytes())
                && !contains(body, b"hive-router")
        })
    };
    eventually(Duration::from_secs(30), async || {
        exported_by("catalog") && exported_by("pricing")
    })
    .await;
    assert!(
        exported_by("catalog"),
        "the catalog exported spans of the caller's trace"
    );
    assert!(
        exported_by("pricing"),
        "pricing exported spans of the caller's trace"
    );
    let mongodb_spans = exported.lock().unwrap().iter().any(|body| {
        contains(body, b"db.operation")
            && contains(body, b"catalog")
            && !contains(body, b"hive-router")
    });
    assert!(mongodb_spans, "the catalog exported MongoDB command spans");
}

/// Series (sample lines) on a process's `/metrics` page: how many in all, how many carry an
/// `operation` label, and that label's distinct values.
async fn series(stack: &TestStack, process: &str) -> (usize, usize, BTreeSet<String>) {
    let text = stack.metrics(process).await;
    let samples: Vec<&str> = text
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let labelled: Vec<&str> = samples
        .iter()
        .filter_map(|line| line.split("operation=\"").nth(1)?.split('"').next())
        .collect();
    let operations = labelled.iter().map(|name| (*name).to_owned()).collect();
    (samples.len(), labelled.len(), operations)
}

/// A set of label values short enough for a failure message: how many, and the first few.
fn label_values(values: &BTreeSet<String>) -> String {
    let first: Vec<&str> = values.iter().take(8).map(String::as_str).collect();
    format!(
        "{} values: {}{}",
        values.len(),
        first.join(", "),
        if values.len() > 8 { ", …" } else { "" }
    )
}

/// Distinct operation names clients send, to the router and to each subgraph directly.
const DISTINCT_NAMES: usize = 10_000;

/// Made-up names arrive first, thousands of them, through the router and straight at every
/// subgraph; then the storefront's registered operations. No process's `/metrics` grows with
/// the made-up names (each subgraph counts them as `other`), and the registered operations
/// still get series of their own: nobody can crowd them out by coming first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_chosen_names_leave_metrics_bounded() {
    let stack = TestStack::start("bounded-metrics").await;
    let processes: Vec<&str> = std::iter::once("router")
        .chain(SUBGRAPHS.iter().map(|subgraph| subgraph.name))
        .collect();

    // Every process has served a request before the baseline (anonymous, so no name).
    let token = token("metrics-user");
    let every_subgraph = |name: &str| {
        json!({
            "operationName": name,
            "query": format!("query {name} {{ cart {{ id }} product(id: \"prod-000001\") {{ name price {{ amount }} recommendations(first: 1) {{ id }} }} }}"),
        })
    };
    let send = async |url: String, bearer: Option<&str>, body: serde_json::Value| {
        let mut request = stack.client.post(url).json(&body);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let response = request.send().await.expect("an answer");
        assert!(response.status().is_success(), "{}", response.status());
    };
    let anonymous = json!({
        "query": "{ cart { id } product(id: \"prod-000001\") { name price { amount } recommendations(first: 1) { id } } }",
    });
    send(stack.stack.router_url(), Some(&token), anonymous).await;
    let mut before = Vec::new();
    for process in &processes {
        before.push(series(&stack, process).await);
    }

    // Through the router: names reaching every subgraph (the router names its subgraph
    // fetches after them), then the cheapest named operation, up to DISTINCT_NAMES in all.
    let through_router = 500;
    futures::stream::iter(0..DISTINCT_NAMES)
        .for_each_concurrent(16, |n| {
            let name = format!("Client{n}");
            let body = if n < through_router {
                every_subgraph(&name)
            } else {
                json!({ "operationName": name, "query": format!("query {name} {{ __typename }}") })
            };
            send(stack.stack.router_url(), Some(&token), body)
        })
        .await;
    // Straight to each subgraph, as anything inside the network could.
    for subgraph in SUBGRAPHS.iter() {
        let url = format!("{}/graphql", stack.stack.subgraph_url(subgraph.name));
        futures::stream::iter(0..DISTINCT_NAMES)
            .for_each_concurrent(16, |n| {
                let name = format!("Direct{n}");
                let body =
                    json!({ "operationName": name, "query": format!("query {name} {{ __typename }}") });
                send(url.clone(), None, body)
            })
            .await;
    }
    // Then the registered operation that needs every subgraph, by id, as the storefront sends it.
    stack.reach_every_subgraph().await;

    for (&process, (series_before, labelled_before, _)) in processes.iter().zip(&before) {
        let (series_after, labelled_after, operations) = series(&stack, process).await;
        let shown = label_values(&operations);
        println!(
            "{process}: {series_before} series before {DISTINCT_NAMES} distinct operation names, \
             {series_after} after ({labelled_before} → {labelled_after} with an operation label); \
             operation label values {shown}"
        );
        if process == "router" {
            // No series is keyed by a name the client chose.
            assert!(
                series_after <= series_before + 50,
                "the router's series grew from {series_before} to {series_after}"
            );
        } else {
            // The made-up names all went to `other` (they were seen: the label exists) ...
            assert!(
                operations.contains(OTHER),
                "{process} shows no `other` series: {shown}"
            );
            // ... and the registered operation, arriving last, still has its own series.
            assert!(
                operations.contains("ProductPage"),
                "{process} has no series of its own for ProductPage: {shown}"
            );
            assert!(
                operations
                    .iter()
                    .all(|name| !name.starts_with("Client") && !name.starts_with("Direct")),
                "{process} labels a made-up name: {shown}"
            );
            // `other` and `ProductPage` each cost a counter per outcome and a latency
            // histogram (17 lines), on top of what was there.
            assert!(
                labelled_after <= labelled_before + 2 * 20,
                "{process}'s operation series grew from {labelled_before} to {labelled_after}"
            );
            // Everything else grows only by what the new requests' MongoDB commands add (a
            // counter and a histogram per command name), never with the names sent.
            assert!(
                series_after <= series_before + 2 * 20 + 4 * 20,
                "{process}'s series grew from {series_before} to {series_after}"
            );
        }
    }
}
