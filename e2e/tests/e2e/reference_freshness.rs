//! Reference data served from memory (categories and product counts in catalog; promotions and
//! rates in pricing, see `subgraph_kit::reference`) stays as fresh as MongoDB: a write shows
//! through the router within a second, and while mirrored no request reads that data from
//! MongoDB.

use std::time::{Duration, Instant};

use bson::doc;
use e2e::{TestStack, data, eventually};
use serde_json::{Value, json};

/// How soon a write to MongoDB must show in answers.
const FRESH_WITHIN: Duration = Duration::from_secs(1);

const QUOTE: &str = r#"{ product(id: "prod-000001") { category { slug name } pricing { price { amount } percentOff } } }"#;

/// Polls `read` every 20 ms until `holds`, for at most `limit`: how long it took, if it did.
async fn time_until(
    limit: Duration,
    mut read: impl AsyncFnMut() -> Value,
    holds: impl Fn(&Value) -> bool,
) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if holds(&read().await) {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// `mongodb_commands_total` of one MongoDB command on a subgraph's `/metrics`.
async fn commands_named(stack: &TestStack, subgraph: &str, command: &str) -> f64 {
    let label = format!("mongodb_commands_total{{command=\"{command}\"}}");
    stack
        .metrics(subgraph)
        .await
        .lines()
        .filter(|line| line.starts_with(&label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Waits until both subgraphs' mirrors have loaded (their own commands are counted apart).
async fn mirrors_following(stack: &TestStack) {
    for subgraph in ["catalog", "pricing"] {
        assert!(
            eventually(Duration::from_secs(10), async || {
                stack
                    .metrics(subgraph)
                    .await
                    .contains("mongodb_mirror_commands_total{command=\"find\"}")
            })
            .await,
            "{subgraph} mirrors its reference data"
        );
    }
}

/// A stack whose mirrors follow, the quote before any write, and the quoted product's category.
async fn start_mirroring(name: &str) -> (TestStack, Value, String) {
    // Freshness is bounded in time: nothing else runs meanwhile.
    let stack = TestStack::start_alone(name, |_| {}).await;
    mirrors_following(&stack).await;
    let before = stack.query(QUOTE, json!({})).await;
    let slug = data(&before)["product"]["category"]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    (stack, before, slug)
}

#[tokio::test]
async fn a_promotion_written_to_mongodb_shows_in_prices_within_a_second() {
    let (stack, before, slug) = start_mirroring("fresh-promotions").await;
    let percent_before = data(&before)["product"]["pricing"]["percentOff"].clone();
    assert_ne!(
        percent_before,
        json!(77),
        "the test's promotion is not there yet"
    );

    // While mirrored, a quote reads prices only: no aggregation with the promotions.
    let aggregations = commands_named(&stack, "pricing", "aggregate").await;
    stack.query_past_cache(QUOTE, json!({})).await;
    assert_eq!(
        commands_named(&stack, "pricing", "aggregate").await,
        aggregations,
        "running promotions come from memory"
    );

    let promotions = stack
        .database("pricing")
        .await
        .collection::<bson::Document>("promotions");
    let now = bson::DateTime::now().timestamp_millis();
    let minutes = |n: i64| bson::DateTime::from_millis(now + n * 60_000);
    promotions
        .insert_one(doc! {
            "_id": "e2e-flash-sale",
            "title": "Flash sale (end-to-end test)",
            "percent_off": 77,
            "category_slugs": [&slug],
            "starts_at": minutes(-1),
            "ends_at": minutes(60),
        })
        .await
        .unwrap();
    let quote = async || stack.query(QUOTE, json!({})).await;
    let shown = time_until(FRESH_WITHIN, quote, |r| {
        r["data"]["product"]["pricing"]["percentOff"] == json!(77)
    })
    .await;
    println!("a new promotion showed in prices after {shown:?}");
    assert!(
        shown.is_some(),
        "the promotion shows within {FRESH_WITHIN:?}"
    );

    // Ending it shows as fast.
    promotions
        .update_one(
            doc! { "_id": "e2e-flash-sale" },
            doc! { "$set": { "ends_at": bson::DateTime::now() } },
        )
        .await
        .unwrap();
    let quote = async || stack.query(QUOTE, json!({})).await;
    let ended = time_until(FRESH_WITHIN, quote, |r| {
        r["data"]["product"]["pricing"]["percentOff"] == percent_before
    })
    .await;
    println!("an ended promotion left prices after {ended:?}");
    assert!(
        ended.is_some(),
        "the ended promotion is gone within {FRESH_WITHIN:?}"
    );
}

#[tokio::test]
async fn a_category_renamed_in_mongodb_shows_within_a_second() {
    let (stack, _, slug) = start_mirroring("fresh-categories").await;

    // While mirrored, the menu and a product's category cost the catalog no category read.
    let finds = commands_named(&stack, "catalog", "find").await;
    stack
        .query_past_cache("{ categories { slug name } }", json!({}))
        .await;
    assert_eq!(
        commands_named(&stack, "catalog", "find").await,
        finds,
        "the category menu comes from memory"
    );

    stack
        .database("catalog")
        .await
        .collection::<bson::Document>("categories")
        .update_one(
            doc! { "slug": &slug },
            doc! { "$set": { "name": "Renamed by the end-to-end test" } },
        )
        .await
        .unwrap();
    let renamed = |response: &Value| {
        let menu = response["data"]["categories"].as_array();
        let in_menu = menu.is_some_and(|menu| {
            menu.iter()
                .any(|c| c["slug"] == json!(slug) && c["name"] == "Renamed by the end-to-end test")
        });
        in_menu
            && response["data"]["product"]["category"]["name"] == "Renamed by the end-to-end test"
    };
    let read = async || {
        stack
            .query(
                r#"{ categories { slug name } product(id: "prod-000001") { category { name } } }"#,
                json!({}),
            )
            .await
    };
    let shown = time_until(FRESH_WITHIN, read, renamed).await;
    println!("a renamed category showed after {shown:?}");
    assert!(
        shown.is_some(),
        "the new name shows within {FRESH_WITHIN:?}"
    );
}

#[tokio::test]
async fn a_product_added_in_mongodb_counts_in_its_category_within_a_second() {
    let (stack, _, slug) = start_mirroring("fresh-counts").await;
    // Past the router's entity cache: the subgraph's own memory of counts is what is tested.
    let count = async || {
        stack
            .query_past_cache(
                "query ($slug: String!) { products(categorySlug: $slug, first: 1) { totalCount } }",
                json!({ "slug": slug }),
            )
            .await
    };
    let total = |response: &Value| response["data"]["products"]["totalCount"].as_i64();

    // Once counted, a category's total is remembered: a page then costs one aggregation (its
    // products), not two (its products and their count).
    let remembered = eventually(Duration::from_secs(10), async || {
        count().await;
        let before = commands_named(&stack, "catalog", "aggregate").await;
        count().await;
        commands_named(&stack, "catalog", "aggregate").await - before == 1.0
    })
    .await;
    assert!(remembered, "a category's product count is remembered");
    let before = total(&count().await).expect("a count");

    let products = stack
        .database("catalog")
        .await
        .collection::<bson::Document>("products");
    let category_id = stack
        .database("catalog")
        .await
        .collection::<bson::Document>("categories")
        .find_one(doc! { "slug": &slug })
        .await
        .unwrap()
        .expect("the category")
        .get_str("_id")
        .unwrap()
        .to_owned();
    products
        .insert_one(doc! {
            "_id": "prod-e2e-counted",
            "sku": "SKU-E2E-COUNTED",
            "name": "Counted by the end-to-end test",
            "description": "Added straight to MongoDB",
            "category_id": &category_id,
            "tags": [],
            "image_url": null,
        })
        .await
        .unwrap();
    let shown = time_until(FRESH_WITHIN, count, |r| total(r) == Some(before + 1)).await;
    println!("an added product counted after {shown:?}");
    assert!(
        shown.is_some(),
        "the new product counts within {FRESH_WITHIN:?}"
    );

    products
        .delete_one(doc! { "_id": "prod-e2e-counted" })
        .await
        .unwrap();
    let gone = time_until(FRESH_WITHIN, count, |r| total(r) == Some(before)).await;
    println!("a deleted product left the count after {gone:?}");
    assert!(
        gone.is_some(),
        "the deleted product leaves the count within {FRESH_WITHIN:?}"
    );
}
