//! Authorization in the graph: `Query.cart` is `@authenticated` and the cart mutations need the
//! `cart:write` scope (`@requiresScopes`). The router removes a field its caller may not have
//! before planning, answering it at that path with the contract's code (UNAUTHENTICATED without
//! an identity, FORBIDDEN without the scope), so the cart subgraph is never called for it; the
//! cart subgraph still verifies every token (`cart.rs`) and the scope itself.

use e2e::{TestStack, data, error_codes, token, token_with_scopes};
use serde_json::{Value, json};

const CART: &str = "{ categories { slug } cart { totalQuantity } }";
const ADD: &str =
    "mutation { addToCart(productId: \"prod-000005\", quantity: 2) { totalQuantity } }";

/// The error paths of a response, as strings.
fn error_paths(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|error| error["path"].to_string())
        .collect()
}

#[tokio::test]
async fn anonymous_and_unscoped_callers_are_refused_by_the_router_and_scoped_ones_served() {
    let stack = TestStack::start("authorization").await;
    // The control: a signed-in read reaches the cart subgraph and moves its request counter.
    let reader = token_with_scopes("reader", "");
    let read = stack.query_as(Some(&reader), CART, json!({})).await;
    assert!(read.get("errors").is_none(), "{read}");
    let first_read = stack.subgraph_requests("cart").await;
    stack.query_as(Some(&reader), CART, json!({})).await;
    let cart_calls = stack.subgraph_requests("cart").await;
    assert!(
        cart_calls > first_read,
        "the signed-in read reached the cart subgraph"
    );

    // Anonymous: the public part of the page is served, the cart is null with an error at its
    // path, and the cart subgraph is not called; an anonymous change is refused whole.
    let anonymous = stack.query(CART, json!({})).await;
    assert!(
        !anonymous["data"]["categories"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(anonymous["data"]["cart"], Value::Null, "{anonymous}");
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);
    assert_eq!(error_paths(&anonymous), [r#"["cart"]"#]);
    let anonymous_add = stack.query(ADD, json!({})).await;
    assert_eq!(error_codes(&anonymous_add), ["UNAUTHENTICATED"]);
    assert_eq!(stack.subgraph_requests("cart").await, cart_calls);

    // Signed in without `cart:write`: reading the cart is allowed (above), changing it is not,
    // and the refused change never reaches the cart subgraph.
    let after_read = stack.subgraph_requests("cart").await;
    let unscoped_add = stack.query_as(Some(&reader), ADD, json!({})).await;
    assert_eq!(error_codes(&unscoped_add), ["FORBIDDEN"], "{unscoped_add}");
    assert_eq!(error_paths(&unscoped_add), [r#"["addToCart"]"#]);
    assert_eq!(stack.subgraph_requests("cart").await, after_read);
    let wrong_scope = token_with_scopes("reader", "cart:read profile:write");
    let wrong_add = stack.query_as(Some(&wrong_scope), ADD, json!({})).await;
    assert_eq!(error_codes(&wrong_add), ["FORBIDDEN"], "{wrong_add}");
    let cart = stack.query_as(Some(&reader), CART, json!({})).await;
    assert_eq!(
        data(&cart)["cart"],
        Value::Null,
        "nothing was written: {cart}"
    );

    // Defence in depth: reached directly, the cart subgraph demands the scope itself.
    let direct = format!("{}/graphql", stack.stack.subgraph_url("cart"));
    let (_, direct_add) = stack
        .post_json_as(Some(&reader), &direct, &json!({ "query": ADD }))
        .await;
    assert_eq!(error_codes(&direct_add), ["FORBIDDEN"], "{direct_add}");

    // With the scope (what dev tokens carry): the change is made.
    let writer = token("writer");
    let added = stack.query_as(Some(&writer), ADD, json!({})).await;
    assert_eq!(data(&added)["addToCart"]["totalQuantity"], 2, "{added}");
    let cart = stack.query_as(Some(&writer), CART, json!({})).await;
    assert_eq!(data(&cart)["cart"]["totalQuantity"], 2, "{cart}");
}
