//! What a person or a probe sees besides GraphQL: the offline playground, health and
//! readiness on the router and on every subgraph.

use e2e::TestStack;
use xtask::roster::SUBGRAPHS;

#[tokio::test]
async fn browsers_get_a_playground_that_needs_no_internet() {
    let stack = TestStack::start("playground").await;
    let page = stack
        .client
        .get(stack.stack.router_url())
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("GraphiQL"), "the page is the playground");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page loads nothing from the internet"
    );

    let router_base = stack
        .stack
        .router_url()
        .trim_end_matches("/graphql")
        .to_owned();
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|part| part.starts_with("/playground/"))
        .collect();
    assert_eq!(assets.len(), 4, "scripts and styles: {assets:?}");
    for asset in assets {
        let response = stack
            .client
            .get(format!("{router_base}{asset}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{asset}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let expected = if asset.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(
            content_type.starts_with(expected),
            "{asset}: {content_type}"
        );
        assert!(
            response.bytes().await.unwrap().len() > 1000,
            "{asset} is the real bundle"
        );
    }

    // A GET with a query is still GraphQL, not the playground.
    let query = stack
        .client
        .get(format!(
            "{}?query=%7B__typename%7D",
            stack.stack.router_url()
        ))
        .header("accept", "application/graphql-response+json")
        .send()
        .await
        .unwrap();
    assert_eq!(query.status().as_u16(), 200);
    let body: serde_json::Value = query.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
}

#[tokio::test]
async fn health_and_readiness_answer_everywhere() {
    let stack = TestStack::start("probes").await;
    let router_base = stack
        .stack
        .router_url()
        .trim_end_matches("/graphql")
        .to_owned();
    for path in ["/health", "/readiness"] {
        let response = stack
            .client
            .get(format!("{router_base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "router {path}");
    }
    for spec in SUBGRAPHS.iter() {
        let base = stack.stack.subgraph_url(spec.name);
        for path in ["/health", "/ready"] {
            let response = stack
                .client
                .get(format!("{base}{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200, "{} {path}", spec.name);
        }
        let metrics = stack.metrics(spec.name).await;
        assert!(
            metrics.contains("mongodb_commands_total"),
            "{} exports MongoDB command metrics",
            spec.name
        );
    }
}
