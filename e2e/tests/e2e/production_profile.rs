//! `router.production.yaml`, the production profile layered over `router.yaml` (what the
//! Kubernetes production overlay serves): each of its settings in effect on a running router,
//! and the web storefront's kind of request (a JSON POST by document id) unaffected.

use e2e::{TestStack, data, error_codes, registered_document_id};
use serde_json::{Value, json};
use xtask::paths;

/// A stack whose router serves `router.yaml` with the production profile over it, plus `extra`
/// router arguments.
async fn production_stack(name: &str, extra: &[&str]) -> TestStack {
    TestStack::start_with(name, |options| {
        options.router_args.extend([
            "--router-config".to_owned(),
            paths::workspace_root()
                .join("router.production.yaml")
                .display()
                .to_string(),
        ]);
        options
            .router_args
            .extend(extra.iter().map(|arg| (*arg).to_owned()));
    })
    .await
}

#[tokio::test]
async fn the_production_profile_refuses_introspection_unregistered_documents_and_csrf() {
    let stack = production_stack("production-profile", &[]).await;
    let url = stack.stack.router_url();

    // What the web storefront sends: a JSON POST of a registered id.
    let (status, home) = stack
        .post_json(
            &url,
            &json!({ "documentId": registered_document_id("Home"), "variables": {} }),
        )
        .await;
    assert_eq!(status, 200, "{home}");
    assert!(data(&home)["categories"].as_array().unwrap().len() >= 10);

    // Cost limits and authorization hold here too: the registered operations are estimated,
    // and an anonymous cart view gets its public part with the cart refused at the router.
    let estimated = stack
        .client
        .post(&url)
        .json(&json!({ "documentId": registered_document_id("Home"), "variables": {} }))
        .send()
        .await
        .unwrap();
    let cost: u64 = estimated.headers()["x-cost-estimated"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(cost > 0);
    let (_, cart_view) = stack
        .post_json(
            &url,
            &json!({ "documentId": registered_document_id("CartView"), "variables": {} }),
        )
        .await;
    assert_eq!(
        error_codes(&cart_view),
        // The cart and its `cartRecommendations` alias.
        ["UNAUTHENTICATED", "UNAUTHENTICATED"],
        "{cart_view}"
    );
    assert!(
        !cart_view["data"]["categories"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Trusted documents: any text is refused, introspection included.
    let (status, introspection) = stack
        .post_json(&url, &json!({ "query": "{ __schema { types { name } } }" }))
        .await;
    assert_eq!(status, 400, "{introspection}");
    assert_eq!(
        error_codes(&introspection),
        ["PERSISTED_DOCUMENT_ID_REQUIRED"]
    );

    // CSRF: a browser's simple GET (no preflight-triggering header) is refused before anything
    // else; with one of the profile's headers the same request passes that check (and meets
    // trusted documents next).
    let simple = stack
        .client
        .get(format!("{url}?query=%7B__typename%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(simple.status(), 403);
    let body: Value = simple.json().await.unwrap();
    assert_eq!(error_codes(&body), ["CSRF_PREVENTION_FAILED"], "{body}");
    let marked = stack
        .client
        .get(format!("{url}?query=%7B__typename%7D"))
        .header("graphql-client-name", "storefront-test")
        .header("accept", "application/graphql-response+json")
        .send()
        .await
        .unwrap();
    let body: Value = marked.json().await.unwrap();
    assert_eq!(
        error_codes(&body),
        ["PERSISTED_DOCUMENT_ID_REQUIRED"],
        "{body}"
    );
}

/// Introspection off is the profile's own setting, not only a side effect of trusted documents:
/// with trusted documents switched back off on the command line, introspection stays refused.
#[tokio::test]
async fn the_production_profile_turns_introspection_off() {
    let stack = production_stack(
        "production-introspection",
        &["--trusted-documents", "false"],
    )
    .await;
    let response = stack
        .query("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(
        response["data"].is_null() || response["data"]["__schema"].is_null(),
        "introspection is off: {response}"
    );
    assert!(!error_codes(&response).is_empty(), "{response}");
    let plain = stack.query("{ categories { slug } }", json!({})).await;
    assert!(!data(&plain)["categories"].as_array().unwrap().is_empty());
}
