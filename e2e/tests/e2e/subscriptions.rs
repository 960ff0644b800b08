//! Live updates through the router (docs/live-updates.md): `cartChanged` and
//! `productPriceChanged` over SSE, multipart HTTP and WebSocket, driven by MongoDB change
//! streams: writes through the API, writes straight to MongoDB, and a promotion window opening
//! with no write at all.

use std::time::{Duration, Instant};

use e2e::{
    TestStack, contract_operation, data, error_codes, eventually,
    live::{Delivered, Subscription, Transport},
    registered_document_id, token,
};
use mongodb::bson::{DateTime, doc};
use serde_json::{Value, json};
use xtask::process::connections_served_on;

/// How soon an event must follow the write that caused it.
const EVENT_BOUND: Duration = Duration::from_secs(1);
/// How long a test listens to be sure nothing more comes.
const QUIET: Duration = Duration::from_millis(1500);

async fn cart_changed(
    stack: &TestStack,
    transport: Transport,
    user_token: Option<&str>,
) -> Subscription {
    Subscription::open(
        transport,
        &stack.stack.router_url(),
        user_token,
        &contract_operation("CartChanged"),
        json!({ "currency": "USD" }),
    )
    .await
}

/// A cart's lines as (product id, quantity), in order.
type Lines = Vec<(&'static str, i64)>;

/// The cart an event carries.
fn cart(event: &Value) -> &Value {
    &data(event)["cartChanged"]
}

fn quantities(cart: &Value) -> Vec<(String, i64)> {
    cart["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| {
            (
                line["product"]["id"].as_str().unwrap().to_owned(),
                line["quantity"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Runs a cart mutation (registered text) as `user_token`, asserting it succeeded.
async fn mutate(stack: &TestStack, user_token: &str, operation: &str, variables: Value) {
    let response = stack
        .query_as(Some(user_token), &contract_operation(operation), variables)
        .await;
    data(&response);
}

#[tokio::test]
async fn cart_events_follow_every_change_over_every_transport() {
    let stack = TestStack::start_alone("live-cart", |_| {}).await;
    for transport in Transport::ALL {
        let user = format!("live-{transport:?}").to_lowercase();
        let shopper = token(&user);
        let mut live = cart_changed(&stack, transport, Some(&shopper)).await;
        let first = live
            .next_response(EVENT_BOUND * 5, "the current cart")
            .await;
        assert_eq!(cart(&first)["totalQuantity"], 0, "{transport:?}: {first}");

        let steps: [(&str, Value, Lines); 5] = [
            (
                "AddToCart",
                json!({ "productId": "prod-000004", "quantity": 2 }),
                vec![("prod-000004", 2)],
            ),
            (
                "AddToCart",
                json!({ "productId": "prod-000001" }),
                vec![("prod-000004", 2), ("prod-000001", 1)],
            ),
            (
                "UpdateCartLine",
                json!({ "productId": "prod-000004", "quantity": 5 }),
                vec![("prod-000004", 5), ("prod-000001", 1)],
            ),
            (
                "RemoveFromCart",
                json!({ "productId": "prod-000004" }),
                vec![("prod-000001", 1)],
            ),
            ("ClearCart", json!({}), vec![]),
        ];
        for (operation, variables, expected) in steps {
            let sent = Instant::now();
            mutate(&stack, &shopper, operation, variables).await;
            let event = live
                .next_response(
                    EVENT_BOUND,
                    &format!("{transport:?}: the event after {operation}"),
                )
                .await;
            let after = cart(&event);
            let expected: Vec<(String, i64)> = expected
                .into_iter()
                .map(|(id, n)| (id.to_owned(), n))
                .collect();
            assert_eq!(
                quantities(after),
                expected,
                "{transport:?} after {operation}: {event}"
            );
            // Joined per event as for a query: names from catalog, totals from pricing.
            for line in after["lines"].as_array().unwrap() {
                assert!(line["product"]["name"].is_string(), "{event}");
                assert!(line["lineTotal"]["amount"].is_string(), "{event}");
            }
            assert!(after["subtotal"]["amount"].is_string(), "{event}");
            println!(
                "{transport:?} {operation}: event {:?} after the mutation was sent",
                sent.elapsed()
            );
        }
    }
}

#[tokio::test]
async fn two_shoppers_never_see_each_others_cart() {
    let stack = TestStack::start("live-privacy").await;
    let (alice, bob) = (token("live-alice"), token("live-bob"));
    let mut alices = cart_changed(&stack, Transport::Sse, Some(&alice)).await;
    let mut bobs = cart_changed(&stack, Transport::WebSocket, Some(&bob)).await;
    for live in [&mut alices, &mut bobs] {
        live.next_response(EVENT_BOUND * 5, "the current cart")
            .await;
    }
    mutate(
        &stack,
        &alice,
        "AddToCart",
        json!({ "productId": "prod-000002", "quantity": 7 }),
    )
    .await;
    let hers = alices
        .next_response(EVENT_BOUND * 3, "alice's own change")
        .await;
    assert_eq!(quantities(cart(&hers)), [("prod-000002".to_owned(), 7)]);
    // The control: bob's stream delivers bob's change, and that is the first thing it delivers.
    mutate(
        &stack,
        &bob,
        "AddToCart",
        json!({ "productId": "prod-000003" }),
    )
    .await;
    let his = bobs
        .next_response(EVENT_BOUND * 3, "bob's own change")
        .await;
    assert_eq!(
        quantities(cart(&his)),
        [("prod-000003".to_owned(), 1)],
        "bob's first event after alice's write is his own: {his}"
    );
    assert_eq!(
        alices.next_within(QUIET).await,
        None,
        "alice heard of bob's cart"
    );
}

#[tokio::test]
async fn anonymous_and_forged_subscribers_are_refused() {
    let stack = TestStack::start("live-refusals").await;
    let forged = format!("{}x", token("mallory"));
    for transport in Transport::ALL {
        for (who, bearer) in [("anonymous", None), ("forged", Some(forged.as_str()))] {
            let mut live = cart_changed(&stack, transport, bearer).await;
            let answer = match live.next_within(EVENT_BOUND * 5).await {
                Some(Delivered::Response(answer)) => answer,
                other => panic!("{transport:?} {who}: expected a refusal, got {other:?}"),
            };
            assert!(
                error_codes(&answer).contains(&"UNAUTHENTICATED".to_owned()),
                "{transport:?} {who}: {answer}"
            );
            assert!(
                answer["data"].is_null() || answer["data"]["cartChanged"].is_null(),
                "{transport:?} {who}: {answer}"
            );
        }
    }
}

#[tokio::test]
async fn a_cart_written_straight_to_mongodb_emits() {
    let stack = TestStack::start("live-direct-cart").await;
    let shopper = token("live-direct");
    mutate(
        &stack,
        &shopper,
        "AddToCart",
        json!({ "productId": "prod-000005" }),
    )
    .await;
    let mut live = cart_changed(&stack, Transport::Sse, Some(&shopper)).await;
    let first = live
        .next_response(EVENT_BOUND * 5, "the current cart")
        .await;
    assert_eq!(quantities(cart(&first)), [("prod-000005".to_owned(), 1)]);

    let carts = stack
        .database("cart")
        .await
        .collection::<mongodb::bson::Document>("carts");
    let written = carts
        .update_one(
            doc! { "user_id": "live-direct" },
            doc! { "$set": { "lines.0.quantity": 42, "updated_at": DateTime::now() } },
        )
        .await
        .expect("a direct write");
    assert_eq!(written.modified_count, 1);
    let event = live.next_response(EVENT_BOUND, "the direct write").await;
    assert_eq!(quantities(cart(&event)), [("prod-000005".to_owned(), 42)]);
}

async fn price_changed(stack: &TestStack, ids: &[&str]) -> Subscription {
    Subscription::open(
        Transport::Sse,
        &stack.stack.router_url(),
        None,
        &contract_operation("ProductPriceChanged"),
        json!({ "productIds": ids, "currency": "USD" }),
    )
    .await
}

/// The price the API answers for `id` now, as the event shows it.
async fn price_now(stack: &TestStack, id: &str) -> Value {
    let response = stack
        .query(
            "query($id: ID!) { product(id: $id) { pricing { price { amount currencyCode } compareAtPrice { amount currencyCode } percentOff } } }",
            json!({ "id": id }),
        )
        .await;
    data(&response)["product"]["pricing"].clone()
}

#[tokio::test]
async fn a_list_price_written_straight_to_pricing_emits_the_new_price() {
    let stack = TestStack::start("live-list-price").await;
    // prod-000001 is in `electronics`, which no demo promotion covers; prod-000002 is watched
    // beside it and must stay quiet.
    let mut live = price_changed(&stack, &["prod-000001", "prod-000002"]).await;
    assert_eq!(live.status, 200);
    // Subscribed before the write: give the router and pricing a moment to open the stream.
    assert_eq!(
        live.next_within(Duration::from_millis(500)).await,
        None,
        "no event before a change"
    );
    let prices = stack
        .database("pricing")
        .await
        .collection::<mongodb::bson::Document>("prices");
    prices
        .update_one(
            doc! { "_id": "prod-000001" },
            doc! { "$set": { "list_price_cents": 123_456_i64 } },
        )
        .await
        .expect("a direct write");
    let event = live.next_response(EVENT_BOUND, "the new list price").await;
    let product = &data(&event)["productPriceChanged"];
    assert_eq!(product["id"], "prod-000001");
    assert_eq!(product["pricing"]["price"]["amount"], "1234.56", "{event}");
    assert_eq!(product["pricing"], price_now(&stack, "prod-000001").await);
    assert_eq!(
        live.next_within(QUIET).await,
        None,
        "one event for one change"
    );
}

#[tokio::test]
async fn a_promotion_emits_when_its_window_opens_with_no_write() {
    let stack = TestStack::start_alone("live-promotion", |_| {}).await;
    let mut live = price_changed(&stack, &["prod-000001"]).await;
    assert_eq!(
        live.next_within(Duration::from_millis(500)).await,
        None,
        "no event before a change"
    );
    let before = price_now(&stack, "prod-000001").await;
    let starts = stack
        .write_promotion("promo-live-test", 50, Duration::from_secs(2))
        .await;
    let event = live
        .next_response(Duration::from_secs(4), "the promotion's start")
        .await;
    let arrived = DateTime::now().timestamp_millis();
    assert!(
        arrived >= starts.timestamp_millis(),
        "the event came {} ms before the window opened: {event}",
        starts.timestamp_millis() - arrived
    );
    assert!(
        arrived - starts.timestamp_millis() < EVENT_BOUND.as_millis() as i64,
        "the event came {} ms after the window opened",
        arrived - starts.timestamp_millis()
    );
    let pricing = &data(&event)["productPriceChanged"]["pricing"];
    assert_eq!(pricing["percentOff"], 50, "{event}");
    assert_eq!(
        pricing["compareAtPrice"]["amount"], before["price"]["amount"],
        "{event}"
    );
    assert_eq!(*pricing, price_now(&stack, "prod-000001").await);
}

#[tokio::test]
async fn more_than_a_hundred_watched_products_are_refused_with_a_code() {
    let stack = TestStack::start("live-too-many").await;
    let ids: Vec<String> = (1..=101).map(|n| format!("prod-{n:06}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut live = price_changed(&stack, &ids).await;
    let answer = live.next_response(EVENT_BOUND * 5, "the refusal").await;
    assert_eq!(error_codes(&answer), ["BAD_USER_INPUT"], "{answer}");
    // The control: a hundred are taken.
    let mut accepted = price_changed(&stack, &ids[..100]).await;
    assert_eq!(accepted.next_within(Duration::from_millis(800)).await, None);
}

#[tokio::test]
async fn trusted_mode_runs_registered_subscriptions_by_id_only() {
    let stack = TestStack::start_with("live-trusted", |options| {
        options
            .router_env
            .push(("ROUTER_TRUSTED_DOCUMENTS".into(), "true".into()));
    })
    .await;
    let shopper = token("live-trusted");
    let url = stack.stack.router_url();
    let by_id = json!({ "documentId": registered_document_id("CartChanged"), "variables": {} });
    let mut registered = Subscription::open_body(Transport::Sse, &url, Some(&shopper), by_id).await;
    let first = registered
        .next_response(EVENT_BOUND * 5, "the registered subscription")
        .await;
    assert_eq!(cart(&first)["totalQuantity"], 0, "{first}");

    let unregistered = "subscription Sneaky { cartChanged { id lines { quantity } } }";
    let mut refused = Subscription::open(
        Transport::Sse,
        &url,
        Some(&shopper),
        unregistered,
        json!({}),
    )
    .await;
    let answer = refused.next_response(EVENT_BOUND * 5, "the refusal").await;
    assert_eq!(
        error_codes(&answer),
        ["PERSISTED_DOCUMENT_ID_REQUIRED"],
        "{answer}"
    );
}

/// The reasons a stream that ended gave: the codes of its last response's errors.
fn ending_codes(deliveries: &[Delivered]) -> Vec<String> {
    assert!(
        matches!(deliveries.last(), Some(Delivered::Ended(_))),
        "the stream ended: {deliveries:?}"
    );
    deliveries
        .iter()
        .rev()
        .find_map(|delivered| match delivered {
            Delivered::Response(response) => Some(error_codes(response)),
            Delivered::Ended(_) => None,
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_expiring_token_ends_the_stream_with_unauthenticated() {
    let stack = TestStack::start("live-expiry").await;
    let short = e2e::dev_token("live-expiry", Duration::from_secs(3));
    // The control: a change while the token is valid is delivered.
    let mut live = heard_a_change(&stack, Transport::Sse, &short).await;
    let ended = live.drain(Duration::from_secs(6)).await;
    assert_eq!(ending_codes(&ended), ["UNAUTHENTICATED"], "{ended:?}");
}

/// Subscribes as `shopper` and asserts the stream delivers the cart, then a change (one more
/// of prod-000002); returns the subscription, still open.
async fn heard_a_change(stack: &TestStack, transport: Transport, shopper: &str) -> Subscription {
    let mut live = cart_changed(stack, transport, Some(shopper)).await;
    live.next_response(EVENT_BOUND * 5, "the current cart")
        .await;
    mutate(
        stack,
        shopper,
        "AddToCart",
        json!({ "productId": "prod-000002" }),
    )
    .await;
    live.next_response(EVENT_BOUND, "a change on the subscription")
        .await;
    live
}

#[tokio::test]
async fn a_stopped_or_killed_subgraph_ends_its_streams_and_a_new_one_works_once_it_is_back() {
    let mut stack = TestStack::start("live-subgraph-restart").await;
    let shopper = token("live-restart");
    for kill in [false, true] {
        let mut live = cart_changed(&stack, Transport::Sse, Some(&shopper)).await;
        live.next_response(EVENT_BOUND * 5, "the current cart")
            .await;
        let stopped = Instant::now();
        if kill {
            stack.stack.kill_subgraph("cart").await;
        } else {
            stack.stack.stop_subgraph("cart").await;
        }
        let ended = live.drain(Duration::from_secs(10)).await;
        assert!(
            matches!(ended.last(), Some(Delivered::Ended(_))),
            "kill={kill}: the stream ended rather than hung: {ended:?}"
        );
        println!(
            "kill={kill}: the client's stream ended {:?} after the stop: {ended:?}",
            stopped.elapsed()
        );
        if !kill {
            assert_eq!(ending_codes(&ended), ["SERVICE_UNAVAILABLE"], "{ended:?}");
        }
        stack
            .stack
            .start_subgraph_again("cart")
            .await
            .expect("cart starts again");
        heard_a_change(&stack, Transport::Sse, &shopper).await;
    }
}

#[tokio::test]
async fn a_router_restart_ends_streams_and_clients_reconnect() {
    let mut stack = TestStack::start("live-router-restart").await;
    let shopper = token("live-router");
    let mut live = cart_changed(&stack, Transport::WebSocket, Some(&shopper)).await;
    live.next_response(EVENT_BOUND * 5, "the current cart")
        .await;
    stack
        .stack
        .restart_router()
        .await
        .expect("the router starts again");
    let ended = live.drain(Duration::from_secs(15)).await;
    assert!(
        matches!(ended.last(), Some(Delivered::Ended(_))),
        "{ended:?}"
    );
    heard_a_change(&stack, Transport::WebSocket, &shopper).await;
}

#[tokio::test]
async fn every_write_acknowledged_after_mongodb_restarts_still_arrives() {
    use xtask::{
        mongo::LocalMongo,
        process::{Output, free_port},
    };

    let binary: std::path::PathBuf = e2e::required_env("STOREFRONT_MONGOD").into();
    let data_dir = e2e::scratch_dir().join(format!("live-mongodb-{}", std::process::id()));
    let log = Output::File(e2e::scratch_dir().join("live-mongodb.log"));
    let port = free_port().unwrap();
    let mongod = LocalMongo::start(&binary, &data_dir, port, &log)
        .await
        .expect("a MongoDB of this test's own");
    let stack = TestStack::start_alone("live-mongodb-restart", |options| {
        options.mongodb_uri = mongod.uri();
    })
    .await;
    let shopper = token("live-mongodb");
    let mut live = heard_a_change(&stack, Transport::Sse, &shopper).await;

    mongod.service.kill().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _mongod = LocalMongo::start(&binary, &data_dir, port, &log)
        .await
        .expect("MongoDB starts again on its data");
    // Writes go through once a primary is back; each acknowledged one must be heard.
    let mut acknowledged = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    for quantity in 2..=6 {
        loop {
            assert!(Instant::now() < deadline, "writes did not resume");
            let response = stack
                .query_as(
                    Some(&shopper),
                    &contract_operation("UpdateCartLine"),
                    json!({ "productId": "prod-000002", "quantity": quantity }),
                )
                .await;
            if response.get("errors").is_none() {
                acknowledged.push(quantity);
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    // Each event is the cart as it is when the change is heard: writes in quick succession
    // may arrive as one event showing both, never as a state that skips one or goes back.
    let mut heard: Vec<i64> = Vec::new();
    while heard.last() != acknowledged.last() {
        let event = live
            .next_response(Duration::from_secs(10), "the writes after the restart")
            .await;
        heard.push(quantities(cart(&event))[0].1);
    }
    assert!(
        heard.iter().all(|quantity| acknowledged.contains(quantity))
            && heard.windows(2).all(|pair| pair[0] < pair[1]),
        "heard {heard:?} for the acknowledged {acknowledged:?}"
    );
    println!("acknowledged {acknowledged:?}, heard {heard:?}");
}

#[tokio::test]
async fn past_the_long_lived_client_limit_a_subscription_is_refused_with_a_code() {
    let stack = TestStack::start_with("live-limit", |options| {
        options
            .router_env
            .push(("ROUTER_MAX_LONG_LIVED_CLIENTS".into(), "2".into()));
    })
    .await;
    let first = price_changed(&stack, &["prod-000001"]).await;
    let second = price_changed(&stack, &["prod-000002"]).await;
    // The control: both are held (200, nothing delivered, not ended).
    assert_eq!((first.status, second.status), (200, 200));
    for transport in [Transport::Sse, Transport::Multipart] {
        let mut third = Subscription::open(
            transport,
            &stack.stack.router_url(),
            None,
            &contract_operation("ProductPriceChanged"),
            json!({ "productIds": ["prod-000003"] }),
        )
        .await;
        assert_eq!(third.status, 503, "{transport:?}");
        let answer = third.next_response(EVENT_BOUND, "the refusal").await;
        assert_eq!(
            error_codes(&answer),
            ["LONG_LIVED_CLIENT_LIMIT"],
            "{transport:?}: {answer}"
        );
    }
    // A slot freed is a slot taken again.
    drop(first);
    let mut again = None;
    for _ in 0..20 {
        let attempt = price_changed(&stack, &["prod-000003"]).await;
        if attempt.status == 200 {
            again = Some(attempt);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(again.is_some(), "a closed stream frees its slot");
}

/// Streams the cart subgraph holds open (`graphql_streams_open`).
async fn cart_streams_open(stack: &TestStack) -> f64 {
    stack.metric_total("cart", "graphql_streams_open").await
}

#[tokio::test]
async fn a_stream_whose_client_left_is_released_within_its_maximum_age() {
    let stack = TestStack::start_with("live-abandoned", |options| {
        options
            .subgraph_env
            .push(("MAX_STREAM_AGE".into(), "4s".into()));
    })
    .await;
    let shopper = token("live-abandoned");
    let mut live = cart_changed(&stack, Transport::Sse, Some(&shopper)).await;
    live.next_response(EVENT_BOUND * 5, "the current cart")
        .await;
    // The control: the cart subgraph counts the open stream.
    assert_eq!(cart_streams_open(&stack).await, 1.0);
    // A stream completes at its age; the client subscribes again from a fresh first event.
    let ended = live.drain(Duration::from_secs(8)).await;
    assert!(
        matches!(ended.as_slice(), [Delivered::Ended(_)]),
        "it ends with no error: {ended:?}"
    );
    let mut again = cart_changed(&stack, Transport::Sse, Some(&shopper)).await;
    again
        .next_response(EVENT_BOUND * 5, "the new first event")
        .await;
    // A client that leaves while nothing happens: the router keeps its stream from the
    // subgraph until the next event (Hive Router 0.2), so the age is what releases it.
    drop(again);
    assert!(
        eventually(Duration::from_secs(8), async || cart_streams_open(&stack)
            .await
            == 0.0)
        .await,
        "the abandoned stream was released"
    );
}

#[tokio::test]
async fn the_routers_streams_from_a_subgraph_share_one_connection() {
    let stack = TestStack::start("live-multiplexed").await;
    let mut streams = Vec::new();
    for shopper in 0..20 {
        let shopper = token(&format!("live-multiplexed-{shopper}"));
        let mut live = cart_changed(&stack, Transport::Sse, Some(&shopper)).await;
        live.next_response(EVENT_BOUND * 5, "the current cart")
            .await;
        streams.push(live);
    }
    // The control: the cart subgraph serves each stream.
    assert_eq!(cart_streams_open(&stack).await, streams.len() as f64);
    // Over HTTP/1.1 each stream would hold a connection of its own; over HTTP/2 the router's
    // fetches and streams share one (the test's own metrics client holds another).
    let connections = connections_served_on(stack.stack.subgraph_port("cart"));
    assert!(
        connections < streams.len() / 2,
        "{} streams from the router take {connections} connections to the cart subgraph",
        streams.len()
    );
}
