//! The router's limits and policies from `router.yaml` (and their environment overrides):
//! each refusal is a GraphQL error with a code, at the status GraphQL over HTTP asks for.

use e2e::{TestStack, data, error_codes};
use serde_json::{Value, json};

/// POSTs `body` as `application/json`, accepting `application/graphql-response+json`.
async fn post(stack: &TestStack, body: String) -> (u16, Value) {
    let response = stack
        .client
        .post(stack.stack.router_url())
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(body)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON (HTTP {status}): {text}")),
    )
}

async fn post_query(stack: &TestStack, query: &str) -> (u16, Value) {
    post(stack, json!({ "query": query }).to_string()).await
}

fn nested_categories(depth: usize) -> String {
    // product → category → products → edges → node → category → …
    let mut selection = String::from("id");
    for _ in 0..depth {
        selection =
            format!("category {{ products(first: 1) {{ edges {{ node {{ {selection} }} }} }} }}");
    }
    format!(r#"{{ product(id: "prod-000001") {{ {selection} }} }}"#)
}

#[tokio::test]
async fn limits_refuse_with_codes_and_defaults_serve_the_storefront() {
    let stack = TestStack::start("limits").await;

    // Within the limits: the deepest contract operation and a reasonable nesting pass.
    let (status, response) = post_query(&stack, &nested_categories(1)).await;
    assert_eq!(status, 200, "{response}");
    data(&response);

    let (status, response) = post_query(&stack, &nested_categories(5)).await;
    assert_eq!(status, 400, "{response}");
    assert_eq!(error_codes(&response), ["MAX_DEPTH_EXCEEDED"]);
    assert!(
        response.get("data").is_none(),
        "refused before execution: {response}"
    );

    let aliases: Vec<String> = (0..31)
        .map(|i| format!("a{i}: categories {{ name }}"))
        .collect();
    let (status, response) = post_query(&stack, &format!("{{ {} }}", aliases.join(" "))).await;
    assert_eq!(status, 400, "{response}");
    assert_eq!(error_codes(&response), ["MAX_ALIASES_EXCEEDED"]);

    let tokens = vec!["__typename"; 2100].join(" ");
    let (status, response) = post_query(&stack, &format!("{{ {tokens} }}")).await;
    assert_eq!(status, 400, "{response}");
    assert_eq!(error_codes(&response), ["TOKEN_LIMIT_EXCEEDED"]);

    let directives: Vec<String> = (0..21)
        .map(|i| format!("t{i}: __typename @include(if: true)"))
        .collect();
    let (status, response) = post_query(&stack, &format!("{{ {} }}", directives.join(" "))).await;
    assert_eq!(status, 400, "{response}");
    assert_eq!(error_codes(&response), ["MAX_DIRECTIVES_EXCEEDED"]);

    let padding = " ".repeat(300 * 1024);
    let body = format!(r#"{{"query": "{{ __typename }}{padding}"}}"#);
    let (status, response) = post(&stack, body).await;
    assert_eq!(status, 413, "{response}");
    assert!(
        error_codes(&response)[0].starts_with("PAYLOAD_TOO_LARGE"),
        "{response}"
    );

    // Introspection is on by default (development).
    let (status, response) = post_query(&stack, "{ __schema { queryType { name } } }").await;
    assert_eq!(status, 200);
    assert_eq!(data(&response)["__schema"]["queryType"]["name"], "Query");

    // CORS: the local front ends are allowed, other origins are not.
    let preflight = |origin: &'static str| {
        stack
            .client
            .request(reqwest::Method::OPTIONS, stack.stack.router_url())
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let allowed = preflight("http://localhost:3000").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    // Refused: no allow-origin, or the opaque `null`; never `*` or the origin itself, which
    // would let that page read the answers.
    let refused = preflight("https://evil.example").await.unwrap();
    let allow = refused.headers().get("access-control-allow-origin");
    assert!(
        allow.is_none_or(|value| value == "null"),
        "{:?}",
        refused.headers()
    );
}

#[tokio::test]
async fn production_settings_come_from_the_environment() {
    let stack = TestStack::start_with("limits-env", |options| {
        options.router_env = vec![
            ("ROUTER_INTROSPECTION".into(), "false".into()),
            ("ROUTER_MAX_DEPTH".into(), "2".into()),
        ];
    })
    .await;
    let (_, response) = post_query(&stack, "{ __schema { queryType { name } } }").await;
    assert!(
        response["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "introspection is refused: {response}"
    );
    assert!(response["data"]["__schema"].is_null(), "{response}");
    assert!(
        !error_codes(&response).contains(&"<none>".to_owned()),
        "{response}"
    );

    let (status, response) = post_query(&stack, &nested_categories(1)).await;
    assert_eq!(status, 400, "{response}");
    assert_eq!(error_codes(&response), ["MAX_DEPTH_EXCEEDED"]);
    // Ordinary queries are still served.
    let (_, response) = post_query(&stack, "{ categories { name } }").await;
    data(&response);
}
