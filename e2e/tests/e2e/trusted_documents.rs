//! Trusted documents: the registered operations' manifest (`contract/persisted-documents.json`)
//! is served by id in every profile; with `--trusted-documents` (production) nothing else runs,
//! and a refused document never reaches a subgraph.

use e2e::{TestStack, data, error_codes, registered_document_id};
use serde_json::{Value, json};

const UNREGISTERED: &str = "query Unregistered { categories { slug } }";
const UNKNOWN_ID: &str = "0000000000000000000000000000000000000000000000000000000000000000";

async fn by_id(stack: &TestStack, id: &str, variables: Value) -> (u16, Value) {
    stack
        .post_json(
            &stack.stack.router_url(),
            &json!({ "documentId": id, "variables": variables }),
        )
        .await
}

async fn by_text(stack: &TestStack, query: &str) -> (u16, Value) {
    stack
        .post_json(&stack.stack.router_url(), &json!({ "query": query }))
        .await
}

#[tokio::test]
async fn development_serves_registered_ids_and_any_document() {
    let stack = TestStack::start("documents-dev").await;
    let (status, page) = by_id(
        &stack,
        &registered_document_id("ProductPage"),
        json!({ "id": "prod-000003", "currency": "EUR" }),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(data(&page)["product"]["id"], "prod-000003");
    assert_eq!(
        data(&page)["product"]["pricing"]["price"]["currencyCode"],
        "EUR"
    );

    let (status, unregistered) = by_text(&stack, UNREGISTERED).await;
    assert_eq!(status, 200, "{unregistered}");
    assert!(
        !data(&unregistered)["categories"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let (_, unknown) = by_id(&stack, UNKNOWN_ID, json!({})).await;
    assert_eq!(
        error_codes(&unknown),
        ["PERSISTED_DOCUMENT_NOT_FOUND"],
        "{unknown}"
    );
}

#[tokio::test]
async fn trusted_mode_runs_only_registered_ids_and_refuses_the_rest_before_any_subgraph() {
    let stack = TestStack::start_with("documents-trusted", |options| {
        options
            .router_env
            .push(("ROUTER_TRUSTED_DOCUMENTS".into(), "true".into()));
    })
    .await;
    let (status, home) = by_id(&stack, &registered_document_id("Home"), json!({})).await;
    assert_eq!(status, 200, "{home}");
    assert!(data(&home)["categories"].as_array().unwrap().len() >= 10);

    stack
        .assert_reaches_no_subgraph("a refused document", async || {
            let (status, refused) = by_text(&stack, UNREGISTERED).await;
            assert_eq!(
                error_codes(&refused),
                ["PERSISTED_DOCUMENT_ID_REQUIRED"],
                "{refused}"
            );
            assert!(refused["data"].is_null(), "{refused}");
            assert_eq!(
                status, 400,
                "GraphQL over HTTP: a request the router will not run"
            );
            // A registered operation's text is refused too: clients send ids.
            let (_, registered_text) = by_text(&stack, &e2e::contract_operation("Home")).await;
            assert_eq!(
                error_codes(&registered_text),
                ["PERSISTED_DOCUMENT_ID_REQUIRED"]
            );
            let (_, unknown) = by_id(&stack, UNKNOWN_ID, json!({})).await;
            assert_eq!(
                error_codes(&unknown),
                ["PERSISTED_DOCUMENT_NOT_FOUND"],
                "{unknown}"
            );
        })
        .await;
}
