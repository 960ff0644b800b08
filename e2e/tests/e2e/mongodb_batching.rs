//! DataLoader batching, proven by counting MongoDB commands (driver command monitoring, read
//! from each subgraph's `/metrics`): a page of 50 costs no more commands than a page of 5,
//! give or take a couple of extra batches (N+1 would cost 50). Requests go past the router's
//! entity cache, which would otherwise answer the repeated ones itself.

use e2e::{TestStack, contract_operation, data};
use serde_json::json;

async fn commands_for_listing(stack: &TestStack, first: usize) -> (u64, u64) {
    let operation = contract_operation("CategoryListing");
    let before = (
        stack.mongodb_commands("catalog").await,
        stack.mongodb_commands("pricing").await,
    );
    let response = stack
        .query_past_cache(&operation, json!({ "slug": "electronics", "first": first }))
        .await;
    let edges = data(&response)["products"]["edges"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(edges, first, "the page is full");
    let after = (
        stack.mongodb_commands("catalog").await,
        stack.mongodb_commands("pricing").await,
    );
    (after.0 - before.0, after.1 - before.1)
}

#[tokio::test]
async fn category_listing_costs_no_more_commands_at_50_than_at_5() {
    // How batches form depends on scheduling: nothing else runs meanwhile.
    let stack =
        TestStack::start_alone("batching", |options| options.seed_products = Some(720)).await;
    // Warm-up: the first request also pays for connection setup.
    commands_for_listing(&stack, 5).await;

    let small = commands_for_listing(&stack, 5).await;
    let large = commands_for_listing(&stack, 50).await;
    assert!(
        small.0 > 0 && small.1 > 0,
        "both subgraphs were asked: {small:?}"
    );
    // A DataLoader batch holds every key asked for before its load runs (after one yield to
    // the scheduler, see subgraph_kit::batching): on a busy multi-threaded runtime the 50
    // lookups of one page can straddle batches, as another worker starts the load while this
    // one is still asking (seen: up to three for pricing's 50 while the rest of the suite
    // runs) — a couple of extra batches, never one query per product (that would be 50).
    assert!(
        large.0 <= small.0 + 2 && large.1 <= small.1 + 2,
        "MongoDB commands (catalog, pricing) grow with the page: {small:?} for 5, {large:?} for 50"
    );
    // Catalog: the page and the count (the category menu and the category by slug too, until
    // the categories' mirror follows). Pricing: the prices (with the running promotions in one
    // aggregation, until the promotions' mirror follows).
    assert!(
        small.0 <= 4 && small.1 <= 1,
        "more commands than batching allows: {small:?}"
    );
}
