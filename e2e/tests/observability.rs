//! What operators see: Prometheus metrics on the router and every subgraph, and one request
//! followable through the logs by its request id and its W3C trace from the router into the
//! subgraphs.

use e2e::{TestStack, data};
use serde_json::json;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

async fn metrics(stack: &TestStack, url: String) -> String {
    stack
        .client
        .get(url)
        .send()
        .await
        .expect("metrics answer")
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn metrics_and_correlated_logs_follow_a_request_through_the_graph() {
    let stack = TestStack::start_with("observability", |options| {
        // Tracing on, exporting nowhere in particular: what matters here is propagation.
        options.router_env = vec![(
            "OTEL_EXPORTER_OTLP_ENDPOINT".into(),
            "http://127.0.0.1:9/v1/traces".into(),
        )];
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

    // The router's metrics: its requests, by operation, and its requests to each subgraph.
    let router_metrics = metrics(
        &stack,
        stack.stack.router_url().replace("/graphql", "/metrics"),
    )
    .await;
    assert!(
        router_metrics.contains("http_server_request_duration"),
        "{router_metrics}"
    );
    assert!(router_metrics.contains("ProductPage"), "{router_metrics}");
    assert!(router_metrics.contains("pricing"), "{router_metrics}");

    // Each subgraph's: GraphQL requests and MongoDB command timings.
    let catalog_metrics = metrics(
        &stack,
        format!("{}/metrics", stack.stack.subgraph_url("catalog")),
    )
    .await;
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
}
