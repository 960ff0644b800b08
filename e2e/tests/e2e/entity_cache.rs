//! The router's entity cache (`router/src/entity_cache`) and what invalidates it: each
//! subgraph's invalidation channel (`GET /invalidations`, `subgraph_kit::invalidation`) names
//! an entity as soon as its document is written, straight to MongoDB included, and says
//! "everything" when a change may touch any entity (reference data reloaded, a promotion
//! window opening with no write at all); the router answers repeated entity fetches from
//! memory, asks a subgraph only for the entities it lacks, and shows every such change within
//! a second.

use std::time::{Duration, Instant};

use e2e::{TestStack, data};
use futures::StreamExt;
use mongodb::bson::doc;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// How soon after a write its announcement must arrive.
const ANNOUNCED_WITHIN: Duration = Duration::from_secs(1);

/// One router's view of a subgraph's channel: each event's kind and data, in order.
struct Channel {
    events: mpsc::UnboundedReceiver<(String, Value)>,
}

impl Channel {
    /// Follows `subgraph`'s channel and waits for its `ready` (from then on nothing is missed).
    async fn follow(stack: &TestStack, subgraph: &str) -> Self {
        let url = format!("{}/invalidations", stack.stack.subgraph_url(subgraph));
        let response = stack.client.get(&url).send().await.expect("the channel");
        assert_eq!(response.status(), 200, "{url}");
        let (sender, events) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut stream = eventsource_stream::Eventsource::eventsource(response.bytes_stream());
            while let Some(Ok(event)) = stream.next().await {
                if event.event == "ping" {
                    continue;
                }
                let data = serde_json::from_str(&event.data).unwrap_or(Value::Null);
                if sender.send((event.event, data)).is_err() {
                    return;
                }
            }
        });
        let mut channel = Self { events };
        let (kind, _) = channel.next(Duration::from_secs(5)).await.expect("ready");
        assert_eq!(kind, "ready");
        // What a subgraph announces as it starts (its feeds opening, its mirrors loading) is
        // not what a test is waiting for.
        while channel.next(Duration::from_millis(300)).await.is_some() {}
        channel
    }

    async fn next(&mut self, limit: Duration) -> Option<(String, Value)> {
        tokio::time::timeout(limit, self.events.recv())
            .await
            .ok()
            .flatten()
    }

    /// Reads until an event `wanted` accepts, for at most `limit`: the event and when it came.
    async fn until(
        &mut self,
        limit: Duration,
        wanted: impl Fn(&str, &Value) -> bool,
    ) -> Option<(Value, Instant)> {
        let deadline = Instant::now() + limit;
        while let Some((kind, data)) = self.next(deadline - Instant::now()).await {
            if wanted(&kind, &data) {
                return Some((data, Instant::now()));
            }
        }
        None
    }
}

/// Renames a product straight in the catalog database; when MongoDB acknowledged it.
async fn rename(stack: &TestStack, id: &str, name: &str) -> Instant {
    stack
        .write_straight(("catalog", "products"), id, "name", name)
        .await
}

fn names(typename: &str, id: &str) -> impl Fn(&str, &Value) -> bool {
    let expected = json!({ "kind": "changed", "typename": typename, "ids": [id] });
    move |kind, data| kind == "changed" && *data == expected
}

#[tokio::test]
async fn a_list_price_written_straight_to_mongodb_is_announced_by_pricing() {
    let stack = TestStack::start("invalidate-list-price").await;
    let mut channel = Channel::follow(&stack, "pricing").await;
    let written = stack.set_list_price("prod-000003", 4_242).await;
    let (_, heard) = channel
        .until(ANNOUNCED_WITHIN, names("Product", "prod-000003"))
        .await
        .expect("pricing names the product whose list price was written");
    println!("announced {:?} after the write", heard - written);
}

#[tokio::test]
async fn a_product_renamed_in_the_catalog_database_is_announced_by_catalog() {
    let stack = TestStack::start("invalidate-rename").await;
    let mut channel = Channel::follow(&stack, "catalog").await;
    rename(&stack, "prod-000005", "Renamed while cached").await;
    channel
        .until(ANNOUNCED_WITHIN, names("Product", "prod-000005"))
        .await
        .expect("catalog names the renamed product");
}

/// A promotion changes prices twice without naming a product: when it is written (the mirror
/// reloads) and when its window opens, which no write marks: both are "everything".
#[tokio::test]
async fn a_promotion_window_opening_is_announced_at_its_start_with_no_write() {
    let stack = TestStack::start_alone("invalidate-promotion", |_| {}).await;
    let mut channel = Channel::follow(&stack, "pricing").await;
    let starts_in = Duration::from_secs(2);
    let written = Instant::now();
    stack
        .write_promotion("promo-invalidation-test", 50, starts_in)
        .await;
    let everything = |kind: &str, _: &Value| kind == "everything";
    let (_, reloaded) = channel
        .until(ANNOUNCED_WITHIN, everything)
        .await
        .expect("the promotion's write is announced");
    assert!(reloaded < written + starts_in, "announced at the write");
    let (_, opened) = channel
        .until(starts_in + ANNOUNCED_WITHIN, everything)
        .await
        .expect("the window's opening is announced");
    assert!(
        opened >= written + starts_in - Duration::from_millis(50),
        "announced {:?} after the write, before the window opened",
        opened - written
    );
}

/// A stack serving router.yaml, whose entity cache caches catalog's, pricing's and
/// recommendation's products (and catalog's and pricing's root fields) and lets
/// `x-storefront-cache: bypass` compare an answer with the subgraphs' own; once the router
/// follows all three channels.
async fn cached_stack(name: &str, alone: bool) -> TestStack {
    let stack = if alone {
        TestStack::start_alone(name, |_| {}).await
    } else {
        TestStack::start(name).await
    };
    let following = e2e::eventually(Duration::from_secs(10), async || {
        stack.router_series("entity_cache_following", &[]).await == 3.0
    })
    .await;
    assert!(
        following,
        "the router follows the cached subgraphs' channels"
    );
    stack
}

const PRICES: &str = "query Prices($first: Int!) { products(first: $first) { edges { node { id pricing { price { amount } percentOff } } } } }";

/// The router's answer, and pricing's GraphQL requests served to give it.
async fn prices(stack: &TestStack, first: usize, bypass: bool) -> (Value, u64) {
    let before = stack.subgraph_requests("pricing").await;
    let mut request = stack
        .client
        .post(stack.stack.router_url())
        .json(&json!({ "query": PRICES, "variables": { "first": first } }));
    if bypass {
        request = request.header("x-storefront-cache", "bypass");
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    let asked = stack.subgraph_requests("pricing").await - before;
    (data(&body)["products"].clone(), asked)
}

#[tokio::test]
async fn repeated_entity_fetches_are_answered_from_memory_and_only_missing_entities_are_asked_for()
{
    let stack = cached_stack("cache-hits", false).await;
    // Pricing's request counter exists once it has served one (a product the test never lists).
    stack
        .query(
            r#"{ product(id: "prod-000300") { pricing { percentOff } } }"#,
            json!({}),
        )
        .await;
    let (first, asked) = prices(&stack, 3, false).await;
    assert_eq!(asked, 1, "the first answer asks pricing (the control)");
    let hits = stack
        .router_series("entity_cache_lookups_total", &[("result", "hit")])
        .await;
    let (again, asked) = prices(&stack, 3, false).await;
    assert_eq!(again, first);
    assert_eq!(asked, 0, "the same products again: pricing is not asked");
    assert_eq!(
        stack
            .router_series(
                "entity_cache_lookups_total",
                &[("result", "hit"), ("subgraph", "pricing")]
            )
            .await
            - hits,
        3.0
    );

    let misses = stack
        .router_series(
            "entity_cache_lookups_total",
            &[("result", "miss"), ("subgraph", "pricing")],
        )
        .await;
    let (five, asked) = prices(&stack, 5, false).await;
    assert_eq!(
        asked, 1,
        "two of five are not cached: pricing is asked once"
    );
    assert_eq!(
        stack
            .router_series(
                "entity_cache_lookups_total",
                &[("result", "miss"), ("subgraph", "pricing")],
            )
            .await
            - misses,
        2.0,
        "for those two only"
    );
    let (uncached, _) = prices(&stack, 5, true).await;
    assert_eq!(
        five, uncached,
        "put back together in order, as pricing answers it"
    );
}

/// Polls the router (past the cache's memory, as a client would) until `shows` holds: how long
/// after `since` it did, within `limit`.
async fn shown_within(
    stack: &TestStack,
    query: &str,
    limit: Duration,
    since: Instant,
    shows: impl Fn(&Value) -> bool,
) -> Option<Duration> {
    while since.elapsed() < limit {
        let answer = stack.query(query, json!({})).await;
        if shows(&answer) {
            return Some(since.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

#[tokio::test]
async fn a_list_price_written_straight_to_mongodb_shows_through_the_cache_within_a_second() {
    let stack = cached_stack("cache-list-price", true).await;
    let query = r#"{ product(id: "prod-000001") { pricing { price { amount } } } }"#;
    let price = |answer: &Value| data(answer)["product"]["pricing"]["price"]["amount"].clone();
    let before = price(&stack.query(query, json!({})).await);
    let hits = stack
        .router_series("entity_cache_lookups_total", &[("result", "hit")])
        .await;
    assert_eq!(price(&stack.query(query, json!({})).await), before);
    assert!(
        stack
            .router_series("entity_cache_lookups_total", &[("result", "hit")])
            .await
            > hits,
        "the price is served from memory before the write"
    );
    let written = stack.set_list_price("prod-000001", 987_654).await;
    let took = shown_within(&stack, query, ANNOUNCED_WITHIN, written, |answer| {
        price(answer) == "9876.54"
    })
    .await
    .expect("the new list price shows within a second");
    println!("the new price showed {took:?} after the write was acknowledged");
}

#[tokio::test]
async fn a_promotion_shows_through_the_cache_when_its_window_opens_with_no_write() {
    let stack = cached_stack("cache-promotion", true).await;
    let query = r#"{ product(id: "prod-000001") { pricing { percentOff } } }"#;
    let percent = |answer: &Value| data(answer)["product"]["pricing"]["percentOff"].clone();
    assert_eq!(percent(&stack.query(query, json!({})).await), 0);
    let written = Instant::now();
    stack
        .write_promotion("promo-cache-test", 40, Duration::from_secs(2))
        .await;
    let took = shown_within(
        &stack,
        query,
        Duration::from_secs(2) + ANNOUNCED_WITHIN,
        written,
        |answer| percent(answer) == 40,
    )
    .await
    .expect("the promotion shows once its window opens");
    assert!(
        took >= Duration::from_millis(1_950),
        "shown {took:?} after the write: before its window opened"
    );
}

#[tokio::test]
async fn a_product_renamed_in_the_catalog_database_shows_through_the_cache_within_a_second() {
    let stack = cached_stack("cache-rename", true).await;
    // The recommended products' names come from catalog by entity fetch.
    let query = r#"{ product(id: "prod-000001") { recommendations(first: 2) { id name } } }"#;
    let first = stack.query(query, json!({})).await;
    let renamed = data(&first)["product"]["recommendations"][0]["id"]
        .as_str()
        .expect("a recommended product")
        .to_owned();
    let hits = stack
        .router_series(
            "entity_cache_lookups_total",
            &[("subgraph", "catalog"), ("result", "hit")],
        )
        .await;
    assert_eq!(stack.query(query, json!({})).await, first);
    assert!(
        stack
            .router_series(
                "entity_cache_lookups_total",
                &[("subgraph", "catalog"), ("result", "hit")]
            )
            .await
            > hits,
        "the names are served from memory before the write"
    );
    let written = rename(&stack, &renamed, "Renamed under the cache").await;
    shown_within(&stack, query, ANNOUNCED_WITHIN, written, |answer| {
        data(answer)["product"]["recommendations"][0]["name"] == "Renamed under the cache"
    })
    .await
    .expect("the new name shows within a second");
}

#[tokio::test]
async fn root_fields_are_answered_from_memory_until_their_subgraph_announces_a_change() {
    let stack = cached_stack("cache-root-fields", true).await;
    let query = r#"{ products(first: 3) { totalCount edges { node { id name } } } }"#;
    let first = stack.query(query, json!({})).await;
    let renamed = data(&first)["products"]["edges"][1]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let served = stack.subgraph_requests("catalog").await;
    assert_eq!(stack.query(query, json!({})).await, first);
    assert_eq!(
        stack.subgraph_requests("catalog").await,
        served,
        "the same listing again: catalog is not asked"
    );
    let written = rename(&stack, &renamed, "Renamed in the listing").await;
    shown_within(&stack, query, ANNOUNCED_WITHIN, written, |answer| {
        data(answer)["products"]["edges"][1]["node"]["name"] == "Renamed in the listing"
    })
    .await
    .expect("the listing shows the new name within a second");
    assert!(
        stack.subgraph_requests("catalog").await > served,
        "asked again after the change"
    );
}

/// Read your writes, with the cache on: a shopper's `CartView` right after each change of a
/// line's quantity shows the cart as that mutation left it, 1,000 times over, two shoppers
/// alternating, and neither ever sees the other's cart (the cart is never cached; the
/// products and prices on its lines are).
#[tokio::test]
async fn a_cart_read_right_after_each_add_is_never_stale_nor_another_shoppers() {
    let stack = cached_stack("cache-read-your-writes", false).await;
    let view = e2e::contract_operation("CartView");
    let update = e2e::contract_operation("UpdateCartLine");
    let shoppers = [e2e::token("ryw-ada"), e2e::token("ryw-bob")];
    let products = ["prod-000011", "prod-000012"];
    for (shopper, product) in shoppers.iter().zip(products) {
        let added = stack
            .query_as(
                Some(shopper),
                &e2e::contract_operation("AddToCart"),
                json!({ "productId": product }),
            )
            .await;
        assert!(added.get("errors").is_none(), "{added}");
    }
    let hits_before = stack
        .router_series("entity_cache_lookups_total", &[("result", "hit")])
        .await;
    let rounds = 500;
    for round in 1..=rounds {
        // A quantity of 1..=99 that differs from the last round's.
        let quantity = round % 99 + 1;
        for (shopper, product) in shoppers.iter().zip(products) {
            let changed = stack
                .query_as(
                    Some(shopper),
                    &update,
                    json!({ "productId": product, "quantity": quantity }),
                )
                .await;
            assert!(changed.get("errors").is_none(), "{changed}");
            let cart = stack.query_as(Some(shopper), &view, json!({})).await;
            let lines = &data(&cart)["cart"]["lines"];
            assert_eq!(
                lines.as_array().map(Vec::len),
                Some(1),
                "round {round}: one product in this shopper's cart: {cart}"
            );
            assert_eq!(lines[0]["product"]["id"], product, "round {round}: {cart}");
            assert_eq!(
                lines[0]["quantity"], quantity,
                "round {round}: the cart as the change left it: {cart}"
            );
        }
    }
    assert!(
        stack
            .router_series("entity_cache_lookups_total", &[("result", "hit")])
            .await
            > hits_before + f64::from(rounds),
        "the lines' products and prices came from the cache meanwhile"
    );
}

/// A subgraph killed takes its channel with it: what was written while it was down shows as
/// soon as it answers again, never an answer cached before the cut.
#[tokio::test]
async fn a_price_written_while_pricing_was_down_shows_when_it_returns() {
    let mut stack = cached_stack("cache-channel-cut", true).await;
    let query = r#"{ product(id: "prod-000021") { pricing { price { amount } } } }"#;
    let price = |answer: &Value| data(answer)["product"]["pricing"]["price"]["amount"].clone();
    let before = price(&stack.query(query, json!({})).await);
    assert_eq!(price(&stack.query(query, json!({})).await), before);
    let gaps = stack
        .router_series("entity_cache_channel_gaps_total", &[])
        .await;

    stack.stack.kill_subgraph("pricing").await;
    let dark = e2e::eventually(Duration::from_secs(5), async || {
        stack
            .router_series("entity_cache_following", &[("subgraph", "pricing")])
            .await
            == 0.0
    })
    .await;
    assert!(
        dark,
        "the router stops caching pricing once its channel is cut"
    );
    assert!(
        stack
            .router_series("entity_cache_channel_gaps_total", &[])
            .await
            > gaps
    );
    stack.set_list_price("prod-000021", 55_555).await;
    stack
        .stack
        .start_subgraph_again("pricing")
        .await
        .expect("pricing starts again");
    let answered = e2e::eventually(Duration::from_secs(10), async || {
        !price(&stack.query(query, json!({})).await).is_null()
    })
    .await;
    assert!(answered, "pricing answers again");
    assert_eq!(
        price(&stack.query(query, json!({})).await),
        "555.55",
        "the first answers after the cut are the price written meanwhile"
    );
}

/// How stale a read through the cache may be, after the write that replaced what it returned
/// was acknowledged (docs/entity-cache.md).
const STALENESS_BOUND: Duration = Duration::from_secs(1);

/// One value a reader or writer can see: a product's name and list price (written straight to
/// MongoDB), the history shopper's quantity (written through `addToCart`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Name(&'static str),
    ListPrice(&'static str),
    Quantity,
}

const HISTORY_PRODUCTS: [&str; 3] = ["prod-000031", "prod-000032", "prod-000033"];
const HISTORY_LINE: &str = "prod-000034";
/// List prices the writers set are this plus the write's number (cents).
const PRICE_BASE: i64 = 7_000_000;

/// A read as its reader saw it: when it was sent, and the version of each key it returned.
struct Read {
    sent: Instant,
    versions: Vec<(Key, u64)>,
}

/// The versions one read of product `id` returned (0: the value from before any write).
fn product_versions(id: &'static str, response: &Value) -> Vec<(Key, u64)> {
    let product = &data(response)["product"];
    let name = product["name"].as_str().unwrap_or_default();
    let name_version = name
        .strip_prefix("History ")
        .map_or(0, |n| n.parse().expect("a version"));
    let pricing = &product["pricing"];
    let list = pricing["compareAtPrice"]["amount"]
        .as_str()
        .or(pricing["price"]["amount"].as_str())
        .expect("a price");
    let cents = (list.parse::<f64>().expect("an amount") * 100.0).round() as i64;
    let price_version = u64::try_from(cents - PRICE_BASE).unwrap_or(0);
    vec![
        (Key::Name(id), name_version),
        (Key::ListPrice(id), price_version),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_of_concurrent_writes_and_reads_has_no_read_older_than_the_bound() {
    const RUN: Duration = Duration::from_secs(10);
    // The writers and readers below run at once on this task (`join!`), borrowing the stack.
    let stack = &cached_stack("cache-history", true).await;
    // One product per read: the storefront's own pages ask for one product at a time.
    let product_query = |id: &str| {
        format!(
            r#"{{ product(id: "{id}") {{ name pricing {{ price {{ amount }} compareAtPrice {{ amount }} }} }} }}"#
        )
    };
    let shopper = &e2e::token("history-shopper");
    let cart_query = "{ cart { lines { quantity product { id } } } }";
    let add = "mutation($id: ID!) { addToCart(productId: $id, quantity: 1) { lines { quantity product { id } } } }";
    let quantity_in = |cart: &Value| -> u64 {
        cart["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|line| line["product"]["id"] == HISTORY_LINE)
            .and_then(|line| line["quantity"].as_u64())
            .unwrap_or(0)
    };
    let started = Instant::now();
    let running = || started.elapsed() < RUN;

    // Writers: straight to MongoDB (names and list prices, in turn), and through the router.
    let direct = async move {
        let mut acknowledged: Vec<(Key, u64, Instant)> = Vec::new();
        let mut version = 0;
        while running() {
            version += 1;
            for id in HISTORY_PRODUCTS {
                let at = stack
                    .write_straight(
                        ("catalog", "products"),
                        id,
                        "name",
                        format!("History {version}"),
                    )
                    .await;
                acknowledged.push((Key::Name(id), version, at));
                let cents = PRICE_BASE + version as i64;
                let at = stack.set_list_price(id, cents).await;
                acknowledged.push((Key::ListPrice(id), version, at));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        acknowledged
    };
    let through_router = async move {
        let mut acknowledged = Vec::new();
        while running() {
            let answer = stack
                .query_as(Some(shopper), add, json!({ "id": HISTORY_LINE }))
                .await;
            let at = Instant::now();
            acknowledged.push((Key::Quantity, quantity_in(&data(&answer)["addToCart"]), at));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        acknowledged
    };
    // Readers: the products (cached) and the shopper's cart, through the router.
    let product_reader = || async move {
        let mut reads = Vec::new();
        while running() {
            for id in HISTORY_PRODUCTS {
                let sent = Instant::now();
                let answer = stack.query(&product_query(id), json!({})).await;
                reads.push(Read {
                    sent,
                    versions: product_versions(id, &answer),
                });
            }
        }
        reads
    };
    let cart_reader = async move {
        let mut reads = Vec::new();
        while running() {
            let sent = Instant::now();
            let answer = stack.query_as(Some(shopper), cart_query, json!({})).await;
            let quantity = quantity_in(&data(&answer)["cart"]);
            reads.push(Read {
                sent,
                versions: vec![(Key::Quantity, quantity)],
            });
        }
        reads
    };
    let (direct, through_router, products_a, products_b, carts) = tokio::join!(
        direct,
        through_router,
        product_reader(),
        product_reader(),
        cart_reader
    );

    let mut acknowledged: Acknowledged = Default::default();
    for (key, version, at) in direct.into_iter().chain(through_router) {
        acknowledged.entry(key).or_default().push((version, at));
    }
    let reads: Vec<Read> = products_a
        .into_iter()
        .chain(products_b)
        .chain(carts)
        .collect();
    let mut behind = behind_acknowledged_writes(&acknowledged, &reads);
    behind.sort();
    let (worst, worst_key) = behind
        .last()
        .copied()
        .unwrap_or((Duration::ZERO, Key::Quantity));
    let values_read: usize = reads.iter().map(|read| read.versions.len()).sum();
    let writes: usize = acknowledged.values().map(Vec::len).sum();
    println!(
        "{writes} writes, {} reads ({values_read} values); {} values read behind a newer \
         acknowledged write, the oldest by {worst:?} ({worst_key:?}); bound {STALENESS_BOUND:?}",
        reads.len(),
        behind.len()
    );
    assert!(
        writes > 100 && reads.len() > 100,
        "the history is long enough to mean something"
    );
    assert!(
        worst < STALENESS_BOUND,
        "a read returned {worst_key:?} {worst:?} after the write that replaced it was acknowledged"
    );

    // The control: the checker sees a stale read when there is one. With catalog frozen, its
    // channel is silent and the router keeps answering names from memory until the channel's
    // silence limit (3 s); a name written meanwhile is read behind.
    let id = HISTORY_PRODUCTS[0];
    // The last writes' announcements land first; then the name is read into memory.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stack.query(&product_query(id), json!({})).await;
    stack.stack.freeze_subgraph("catalog", true);
    let at = stack
        .write_straight(("catalog", "products"), id, "name", "History 1000000")
        .await;
    let control: Acknowledged = [(Key::Name(id), vec![(1_000_000, at)])].into();
    let mut control_reads = Vec::new();
    while at.elapsed() < Duration::from_millis(1500) {
        let sent = Instant::now();
        let answer = stack.query(&product_query(id), json!({})).await;
        let versions = product_versions(id, &answer)
            .into_iter()
            .filter(|(key, _)| *key == Key::Name(id))
            .collect();
        control_reads.push(Read { sent, versions });
    }
    stack.stack.freeze_subgraph("catalog", false);
    let caught = behind_acknowledged_writes(&control, &control_reads);
    assert!(
        caught.iter().any(|(by, _)| *by >= Duration::from_secs(1)),
        "control: reads answered from memory while catalog was frozen are caught behind the \
         write ({} reads, {caught:?})",
        control_reads.len()
    );
}

/// Each version of each key, with when its write was acknowledged.
type Acknowledged = std::collections::BTreeMap<Key, Vec<(u64, Instant)>>;

/// Every value read behind a newer acknowledged write: how long before the read was sent the
/// write that replaced what it returned had been acknowledged. Panics on a version never
/// written.
fn behind_acknowledged_writes(acknowledged: &Acknowledged, reads: &[Read]) -> Vec<(Duration, Key)> {
    let mut behind = Vec::new();
    for read in reads {
        for (key, seen) in &read.versions {
            let Some(writes) = acknowledged.get(key) else {
                continue;
            };
            let newest = writes
                .iter()
                .map(|(version, _)| *version)
                .max()
                .unwrap_or(0);
            assert!(*seen <= newest, "{key:?}: a version never written ({seen})");
            if let Some((_, replaced_at)) = writes
                .iter()
                .filter(|(version, at)| *version > *seen && *at <= read.sent)
                .min_by_key(|(_, at)| *at)
            {
                behind.push((read.sent - *replaced_at, *key));
            }
        }
    }
    behind
}
