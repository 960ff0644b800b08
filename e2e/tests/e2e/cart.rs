//! The cart through the router and directly: the contract's cart flow with exact arithmetic,
//! concurrency, privacy, refusal of bad input, and durability across a full restart.

use e2e::{TestStack, contract_operation, data, error_codes, token};
use serde_json::{Value, json};

const CART_STATE: &str = "{ cart { id totalQuantity lines { id quantity product { id } } } }";

fn cents(amount: &Value) -> i64 {
    let text = amount.as_str().expect("Decimal is a string");
    let (whole, fraction) = text.split_once('.').expect("two decimals");
    whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap()
}

async fn unit_price(stack: &TestStack, product_id: &str, currency: &str) -> i64 {
    let response = stack
        .query(
            "query($id: ID!, $c: CurrencyCode) { product(id: $id) { price(currency: $c) { amount } } }",
            json!({ "id": product_id, "c": currency }),
        )
        .await;
    cents(&data(&response)["product"]["price"]["amount"])
}

#[tokio::test]
async fn the_contract_cart_flow_adds_up() {
    let stack = TestStack::start("cart-flow").await;
    let alice = token("alice");
    let empty = stack.query_as(Some(&alice), CART_STATE, json!({})).await;
    assert_eq!(
        data(&empty)["cart"],
        Value::Null,
        "no cart before the first write"
    );

    let add = contract_operation("AddToCart");
    // prod-000004 is in `outdoors` (20% off), prod-000001 in `electronics` (no promotion).
    data(
        &stack
            .query_as(
                Some(&alice),
                &add,
                json!({ "productId": "prod-000004", "quantity": 3 }),
            )
            .await,
    );
    let added = stack
        .query_as(Some(&alice), &add, json!({ "productId": "prod-000001" }))
        .await;
    let cart = &data(&added)["addToCart"];
    assert_eq!(cart["totalQuantity"], 4);
    assert_eq!(cart["lines"][1]["quantity"], 1, "quantity defaults to 1");
    assert!(
        cart["lines"][0]["product"]["name"].is_string(),
        "names come from the catalog"
    );

    for currency in ["USD", "EUR"] {
        let view = stack
            .query_as(
                Some(&alice),
                &contract_operation("CartView"),
                json!({ "currency": currency }),
            )
            .await;
        let cart = &data(&view)["cart"];
        let recommended = data(&view)["cartRecommendations"]["recommendations"].clone();
        let mut expected_subtotal = 0;
        for line in cart["lines"].as_array().unwrap() {
            let id = line["product"]["id"].as_str().unwrap();
            let unit = unit_price(&stack, id, currency).await;
            assert_eq!(cents(&line["product"]["pricing"]["price"]["amount"]), unit);
            let quantity = line["quantity"].as_i64().unwrap();
            assert_eq!(
                cents(&line["lineTotal"]["amount"]),
                unit * quantity,
                "{id} line total in {currency}"
            );
            assert_eq!(line["lineTotal"]["currencyCode"], currency);
            expected_subtotal += unit * quantity;
        }
        assert_eq!(
            cents(&cart["subtotal"]["amount"]),
            expected_subtotal,
            "subtotal in {currency}"
        );
        let in_cart: Vec<&str> = cart["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["product"]["id"].as_str().unwrap())
            .collect();
        let recommended = recommended.as_array().unwrap();
        assert_eq!(recommended.len(), 3);
        for product in recommended {
            assert!(
                !in_cart.contains(&product["id"].as_str().unwrap()),
                "recommends a product already in the cart"
            );
            assert!(
                product["name"].is_string() && product["pricing"]["price"]["amount"].is_string()
            );
        }
    }

    // The promotion shows in the line total: 3 × (list price less 20%).
    let compare = stack
        .query(
            "{ product(id: \"prod-000004\") { price { amount } compareAtPrice { amount } } }",
            json!({}),
        )
        .await;
    let product = &data(&compare)["product"];
    assert!(cents(&product["price"]["amount"]) < cents(&product["compareAtPrice"]["amount"]));

    let updated = stack
        .query_as(Some(&alice), "mutation { updateCartLine(productId: \"prod-000004\", quantity: 7) { totalQuantity } }", json!({}))
        .await;
    assert_eq!(data(&updated)["updateCartLine"]["totalQuantity"], 8);
    let removed = stack
        .query_as(Some(&alice), "mutation { removeFromCart(productId: \"prod-000001\") { totalQuantity lines { product { id } } } }", json!({}))
        .await;
    assert_eq!(data(&removed)["removeFromCart"]["totalQuantity"], 7);
    let cleared = stack
        .query_as(
            Some(&alice),
            "mutation { clearCart { totalQuantity lines { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&cleared)["clearCart"],
        json!({ "totalQuantity": 0, "lines": [] })
    );
}

#[tokio::test]
async fn fifty_concurrent_adds_are_all_counted() {
    let stack = TestStack::start("cart-concurrency").await;
    let bob = token("bob");
    let adds = (0..50).map(|_| {
        stack.query_as(
            Some(&bob),
            "mutation { addToCart(productId: \"prod-000010\", quantity: 1) { id } }",
            json!({}),
        )
    });
    for response in futures::future::join_all(adds).await {
        data(&response);
    }
    let cart = stack.query_as(Some(&bob), CART_STATE, json!({})).await;
    let cart = &data(&cart)["cart"];
    assert_eq!(cart["totalQuantity"], 50);
    assert_eq!(cart["lines"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn carts_are_private_and_need_a_valid_identity() {
    let stack = TestStack::start("cart-privacy").await;
    let alice = token("alice");
    let added = stack
        .query_as(
            Some(&alice),
            "mutation { addToCart(productId: \"prod-000003\", quantity: 2) { id } }",
            json!({}),
        )
        .await;
    let cart_id = data(&added)["addToCart"]["id"].as_str().unwrap().to_owned();

    // Another user sees no cart. (Anonymous callers are refused by the router before the
    // cart subgraph hears of them: `authorization.rs`.)
    let carol = stack
        .query_as(Some(&token("carol")), CART_STATE, json!({}))
        .await;
    assert_eq!(data(&carol)["cart"], Value::Null);

    // The router takes a forged or expired token for no identity at all: the cart is refused at
    // its path with the contract's code.
    let expired = e2e::dev_token("alice", std::time::Duration::ZERO);
    let mut forged = alice.clone();
    forged.replace_range(forged.len() - 6.., "AAAAAA");
    for bad in [&expired, &forged] {
        let (status, body) = stack
            .post_json_as(
                Some(bad),
                &stack.stack.router_url(),
                &json!({ "query": CART_STATE }),
            )
            .await;
        assert_eq!(
            (status, error_codes(&body)),
            (200, vec!["UNAUTHENTICATED".to_owned()]),
            "bad token accepted: {body}"
        );
        assert!(body["data"]["cart"].is_null(), "{body}");
    }

    // Reached directly, the cart subgraph verifies identities itself.
    let direct = format!("{}/graphql", stack.stack.subgraph_url("cart"));
    let entities = json!({
        "query": "query($r: [_Any!]!) { _entities(representations: $r) { ... on Cart { id totalQuantity lines { quantity } } } }",
        "variables": { "r": [{ "__typename": "Cart", "id": cart_id }] },
    });
    for credentials in [None, Some(expired.as_str()), Some(forged.as_str())] {
        let (_, body) = stack.post_json_as(credentials, &direct, &entities).await;
        assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");
        assert!(
            !body.to_string().contains("totalQuantity\":2"),
            "cart data leaked: {body}"
        );
        let (_, body) = stack
            .post_json_as(credentials, &direct, &json!({ "query": CART_STATE }))
            .await;
        assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");
    }
    // Someone else's valid token does not open alice's cart by id either.
    let (_, body) = stack
        .post_json_as(Some(&token("mallory")), &direct, &entities)
        .await;
    assert_eq!(body["data"]["_entities"], json!([null]), "{body}");
    // Alice herself can.
    let (_, body) = stack.post_json_as(Some(&alice), &direct, &entities).await;
    assert_eq!(body["data"]["_entities"][0]["totalQuantity"], 2, "{body}");
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let stack = TestStack::start("cart-bad-input").await;
    let dave = token("dave");
    let first = stack
        .query_as(
            Some(&dave),
            "mutation { addToCart(productId: \"prod-000005\", quantity: 98) { id } }",
            json!({}),
        )
        .await;
    data(&first);
    let before = data(&stack.query_as(Some(&dave), CART_STATE, json!({})).await).clone();

    for mutation in [
        "mutation { addToCart(productId: \"prod-000005\", quantity: 0) { id } }",
        "mutation { addToCart(productId: \"prod-000005\", quantity: 100) { id } }",
        "mutation { addToCart(productId: \"prod-000005\", quantity: 2) { id } }",
        "mutation { addToCart(productId: \"no-such-product\") { id } }",
        "mutation { updateCartLine(productId: \"prod-000006\", quantity: 3) { id } }",
        "mutation { updateCartLine(productId: \"prod-000005\", quantity: -1) { id } }",
    ] {
        let response = stack.query_as(Some(&dave), mutation, json!({})).await;
        assert_eq!(
            error_codes(&response),
            ["BAD_USER_INPUT"],
            "{mutation}: {response}"
        );
        assert!(
            !response["errors"][0]["message"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    let after = data(&stack.query_as(Some(&dave), CART_STATE, json!({})).await).clone();
    assert_eq!(before, after, "refused mutations changed the cart");
}

/// A cart holds at most 100 different products: the 101st is refused, and raising a product
/// already in the full cart still works.
#[tokio::test]
async fn a_full_cart_refuses_another_product() {
    let stack = TestStack::start("cart-full").await;
    let frank = token("frank");
    let add = |product: usize| {
        format!("mutation {{ addToCart(productId: \"prod-{product:06}\") {{ lines {{ id }} }} }}")
    };
    for product in 1..=100 {
        let added = stack.query_as(Some(&frank), &add(product), json!({})).await;
        assert_eq!(
            data(&added)["addToCart"]["lines"].as_array().unwrap().len(),
            product
        );
    }
    let refused = stack.query_as(Some(&frank), &add(101), json!({})).await;
    assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"], "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("100 different products"),
        "{refused}"
    );
    let raised = stack.query_as(Some(&frank), &add(7), json!({})).await;
    assert_eq!(
        data(&raised)["addToCart"]["lines"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

#[tokio::test]
async fn the_cart_survives_a_full_restart() {
    let stack = TestStack::start("cart-restart").await;
    let erin = token("erin");
    let add = "mutation { addToCart(productId: \"prod-000008\", quantity: 4) { id } }";
    data(&stack.query_as(Some(&erin), add, json!({})).await);
    let before = data(&stack.query_as(Some(&erin), CART_STATE, json!({})).await).clone();

    let stack = stack.restart().await;
    let after = data(&stack.query_as(Some(&erin), CART_STATE, json!({})).await).clone();
    assert_eq!(before, after);
    assert_eq!(after["cart"]["totalQuantity"], 4);
}

#[tokio::test]
async fn product_recommendations_never_include_the_product() {
    let stack = TestStack::start("recommendations").await;
    for id in ["prod-000001", "prod-000013", "prod-000200"] {
        let page = stack
            .query(&contract_operation("ProductPage"), json!({ "id": id }))
            .await;
        assert_eq!(data(&page)["product"]["id"], id);
        let recommended = data(&page)["related"]["recommendations"]
            .as_array()
            .unwrap();
        assert_eq!(recommended.len(), 4);
        for other in recommended {
            assert_ne!(other["id"], id);
            assert!(other["name"].is_string() && other["pricing"]["price"]["amount"].is_string());
        }
    }
    let too_many = stack
        .query(
            "{ product(id: \"prod-000001\") { recommendations(first: 13) { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&too_many), ["BAD_USER_INPUT"]);
}
