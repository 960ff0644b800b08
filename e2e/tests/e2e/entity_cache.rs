//! What the router's entity cache will be invalidated by (#30): each subgraph's invalidation
//! channel (`GET /invalidations`, `subgraph_kit::invalidation`) names an entity as soon as its
//! document is written, straight to MongoDB included, and says "everything" when a change may
//! touch any entity: reference data reloaded, a promotion window opening with no write at all.

use std::time::{Duration, Instant};

use e2e::TestStack;
use futures::StreamExt;
use mongodb::bson::{DateTime, Document, doc};
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

fn names(typename: &str, id: &str) -> impl Fn(&str, &Value) -> bool {
    let expected = json!({ "kind": "changed", "typename": typename, "ids": [id] });
    move |kind, data| kind == "changed" && *data == expected
}

#[tokio::test]
async fn a_list_price_written_straight_to_mongodb_is_announced_by_pricing() {
    let stack = TestStack::start("invalidate-list-price").await;
    let mut channel = Channel::follow(&stack, "pricing").await;
    let prices = stack
        .database("pricing")
        .await
        .collection::<Document>("prices");
    let written = Instant::now();
    prices
        .update_one(
            doc! { "_id": "prod-000003" },
            doc! { "$set": { "list_price_cents": 4_242_i64 } },
        )
        .await
        .expect("a direct write");
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
    let products = stack
        .database("catalog")
        .await
        .collection::<Document>("products");
    products
        .update_one(
            doc! { "_id": "prod-000005" },
            doc! { "$set": { "name": "Renamed while cached" } },
        )
        .await
        .expect("a direct write");
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
    let starts = DateTime::from_millis(DateTime::now().timestamp_millis() + 2_000);
    let written = Instant::now();
    stack
        .database("pricing")
        .await
        .collection::<Document>("promotions")
        .insert_one(doc! {
            "_id": "promo-invalidation-test",
            "title": "Electronics flash sale",
            "percent_off": 50,
            "category_slugs": ["electronics"],
            "starts_at": starts,
            "ends_at": DateTime::from_millis(starts.timestamp_millis() + 60_000),
        })
        .await
        .expect("a promotion written");
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
