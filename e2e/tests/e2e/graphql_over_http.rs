//! The GraphQL-over-HTTP spec audit (`graphql-http`'s server audit, run with Node) against
//! the router: every MUST passes. `node .dev/node/graphql-http-audit.mjs <url>` runs the same
//! audit by hand.

use std::path::PathBuf;

use e2e::{TestStack, required_env};

#[tokio::test]
async fn the_router_passes_every_must_of_the_graphql_over_http_audit() {
    let stack = TestStack::start("graphql-http").await;
    let tools = PathBuf::from(required_env("STOREFRONT_NODE_TOOLS"));
    let output = tokio::process::Command::new("node")
        .arg(tools.join("graphql-http-audit.mjs"))
        .arg(stack.stack.router_url())
        .output()
        .await
        .expect("node runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "the audit did not report: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    eprintln!(
        "graphql-http audit: {} of {} passed; warnings: {:#}",
        report["ok"], report["total"], report["warnings"]
    );
    assert_eq!(
        report["errors"],
        serde_json::json!([]),
        "failed MUSTs: {report:#}"
    );
    assert!(output.status.success());
    assert!(report["total"].as_u64().unwrap() > 40, "{report:#}");
}
