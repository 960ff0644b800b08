//! Catalog and pricing through the router: cross-subgraph queries, pagination, search,
//! promotions and currency conversion, checked against what the subgraphs stored.

use std::collections::{HashMap, HashSet};

use bson::doc;
use e2e::{SEEDED_PRODUCTS, TestStack, contract_operation, data, error_codes};
use serde_json::{Value, json};

fn decimal_cents(amount: &Value) -> i64 {
    let text = amount
        .as_str()
        .unwrap_or_else(|| panic!("Decimal must be a string, got {amount}"));
    let (whole, fraction) = text
        .split_once('.')
        .unwrap_or_else(|| panic!("{text} has no minor unit"));
    assert_eq!(fraction.len(), 2, "{text} must have exactly two decimals");
    whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap()
}

/// `cents * numerator / denominator`, rounded half to even.
fn round_half_even(cents: i64, numerator: i64, denominator: i64) -> i64 {
    let product = cents * numerator;
    let (quotient, remainder) = (product / denominator, product % denominator);
    match (remainder * 2).cmp(&denominator) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + (quotient % 2),
    }
}

#[tokio::test]
async fn cross_subgraph_query_prices_products_with_promotions() {
    let stack = TestStack::start("cross-subgraph").await;
    let response = stack
        .query(
            "{ products(first: 36) { edges { node { id name category { slug } price { amount currencyCode } compareAtPrice { amount currencyCode } } } } promotions { percentOff categorySlugs } }",
            json!({}),
        )
        .await;
    let data = data(&response);
    let edges = data["products"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 36);

    let promotions = data["promotions"].as_array().unwrap();
    assert!(!promotions.is_empty(), "the seed has running promotions");
    let best_percent = |slug: &str| {
        promotions
            .iter()
            .filter(|p| {
                let slugs = p["categorySlugs"].as_array().unwrap();
                slugs.is_empty() || slugs.iter().any(|s| s == slug)
            })
            .map(|p| p["percentOff"].as_i64().unwrap())
            .max()
            .unwrap_or(0)
    };

    let list_prices: HashMap<String, i64> = {
        let ids: Vec<&str> = edges
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap())
            .collect();
        let prices = stack
            .database("pricing")
            .await
            .collection::<bson::Document>("prices");
        let mut cursor = prices.find(doc! { "_id": { "$in": ids } }).await.unwrap();
        let mut found = HashMap::new();
        while cursor.advance().await.unwrap() {
            let price = cursor.deserialize_current().unwrap();
            found.insert(
                price.get_str("_id").unwrap().to_owned(),
                price.get_i64("list_price_cents").unwrap(),
            );
        }
        found
    };

    let mut discounted = 0;
    for edge in edges {
        let node = &edge["node"];
        let id = node["id"].as_str().unwrap();
        assert!(!node["name"].as_str().unwrap().is_empty());
        assert_eq!(node["price"]["currencyCode"], "USD");
        let list = list_prices[id];
        let percent = best_percent(node["category"]["slug"].as_str().unwrap());
        let price = decimal_cents(&node["price"]["amount"]);
        assert_eq!(
            price,
            round_half_even(list, 100 - percent, 100),
            "price of {id} after {percent}% off {list}"
        );
        if percent > 0 {
            discounted += 1;
            assert_eq!(
                decimal_cents(&node["compareAtPrice"]["amount"]),
                list,
                "compareAtPrice of {id}"
            );
        } else {
            assert!(
                node["compareAtPrice"].is_null(),
                "{id} is not discounted: {node}"
            );
        }
    }
    assert!(
        discounted > 0,
        "the first 36 products span a promoted category"
    );
}

#[tokio::test]
async fn prices_convert_at_stored_rates_rounded_half_even() {
    let stack = TestStack::start("currencies").await;
    let response = stack
        .query(
            "query($id: ID!) { product(id: $id) { usd: price { amount } eur: price(currency: EUR) { amount currencyCode } gbp: price(currency: GBP) { amount currencyCode } } }",
            json!({ "id": "prod-000007" }),
        )
        .await;
    let product = &data(&response)["product"];
    let usd = decimal_cents(&product["usd"]["amount"]);
    let rates = stack
        .database("pricing")
        .await
        .collection::<bson::Document>("rates");
    for (alias, code) in [("eur", "EUR"), ("gbp", "GBP")] {
        let rate = rates
            .find_one(doc! { "_id": code })
            .await
            .unwrap()
            .expect("a stored rate");
        let per_usd = rate.get_str("per_usd").unwrap();
        let (whole, fraction) = per_usd.split_once('.').unwrap_or((per_usd, ""));
        let scale = 10_i64.pow(fraction.len() as u32);
        let numerator =
            whole.parse::<i64>().unwrap() * scale + fraction.parse::<i64>().unwrap_or(0);
        assert_eq!(product[alias]["currencyCode"], code);
        assert_eq!(
            decimal_cents(&product[alias]["amount"]),
            round_half_even(usd, numerator, scale),
            "{code} at {per_usd}"
        );
    }
}

#[tokio::test]
async fn category_listing_pages_are_disjoint_and_complete() {
    let stack = TestStack::start("pagination").await;
    let operation = contract_operation("CategoryListing");
    let categories = data(
        &stack
            .query("{ categories { id slug name } }", json!({}))
            .await,
    )["categories"]
        .clone();
    let categories = categories.as_array().unwrap();
    assert!(categories.len() >= 10);

    let slug = categories[3]["slug"].as_str().unwrap();
    let mut seen = HashSet::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let response = stack
            .query(
                &operation,
                json!({ "slug": slug, "first": 7, "after": after }),
            )
            .await;
        let products = &data(&response)["products"];
        total = total.or(products["totalCount"].as_u64());
        for edge in products["edges"].as_array().unwrap() {
            assert!(
                seen.insert(edge["node"]["id"].as_str().unwrap().to_owned()),
                "a product appeared twice"
            );
            assert!(edge["node"]["pricing"]["price"]["amount"].is_string());
        }
        if !products["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = Some(
            products["pageInfo"]["endCursor"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let stored = stack
        .database("catalog")
        .await
        .collection::<bson::Document>("products")
        .count_documents(doc! { "category_id": categories[3]["id"].as_str().unwrap() })
        .await
        .unwrap();
    assert!(
        stored > 7,
        "the category spans more than one page of 7 ({stored})"
    );
    assert_eq!(seen.len() as u64, stored);
    assert_eq!(total, Some(stored));

    let all = stack
        .query(
            "{ products(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&all)["products"]["totalCount"], SEEDED_PRODUCTS);
    assert_eq!(data(&all)["products"]["edges"], json!([]));
    assert_eq!(data(&all)["products"]["pageInfo"]["hasNextPage"], true);

    let unknown = stack
        .query(&operation, json!({ "slug": "no-such-category" }))
        .await;
    assert_eq!(data(&unknown)["products"]["totalCount"], 0);
}

#[tokio::test]
async fn search_ranks_matching_products() {
    let stack = TestStack::start("search").await;
    let response = stack
        .query(
            &contract_operation("Search"),
            json!({ "text": "kettle", "first": 5 }),
        )
        .await;
    let products = &data(&response)["products"];
    let edges = products["edges"].as_array().unwrap();
    assert!(!edges.is_empty(), "the seed has kettles");
    assert!(products["totalCount"].as_u64().unwrap() >= edges.len() as u64);
    for edge in edges {
        let name = edge["node"]["name"].as_str().unwrap().to_lowercase();
        assert!(name.contains("kettle"), "{name} does not match");
        assert_eq!(edge["node"]["category"]["name"], "Home & Kitchen");
        assert!(edge["node"]["pricing"]["price"]["amount"].is_string());
    }

    // The next page continues the ranking without repeating anything.
    let first_page = stack.query("query($t: String!) { products(search: $t, first: 2) { edges { node { id } } pageInfo { endCursor } } }", json!({ "t": "kettle" })).await;
    let cursor = data(&first_page)["products"]["pageInfo"]["endCursor"].clone();
    let second_page = stack.query("query($t: String!, $a: String) { products(search: $t, first: 2, after: $a) { edges { node { id } } } }", json!({ "t": "kettle", "a": cursor })).await;
    let ids = |page: &Value| -> HashSet<String> {
        data(page)["products"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (first_ids, second_ids) = (ids(&first_page), ids(&second_page));
    // Both pages hold products (the seed has more than two kettles), so disjoint means
    // something.
    assert_eq!(first_ids.len(), 2, "{first_page}");
    assert!(!second_ids.is_empty(), "{second_page}");
    assert!(first_ids.is_disjoint(&second_ids));
}

#[tokio::test]
async fn home_operation_answers() {
    let stack = TestStack::start("contract-ops").await;
    let home = stack.query(&contract_operation("Home"), json!({})).await;
    let home = data(&home);
    assert!(home["categories"].as_array().unwrap().len() >= 10);
    assert_eq!(home["products"]["edges"].as_array().unwrap().len(), 8);
    let promotions = home["promotions"].as_array().unwrap();
    assert!(!promotions.is_empty(), "the seed has running promotions");
    for promotion in promotions {
        assert!(promotion["percentOff"].as_i64().unwrap() > 0);
        assert!(
            promotion["endsAt"].as_str().unwrap().ends_with('Z')
                || promotion["endsAt"].as_str().unwrap().contains('+')
        );
    }
}

#[tokio::test]
async fn bad_input_gets_clear_errors() {
    let stack = TestStack::start("bad-input").await;
    let negative = stack
        .query("{ products(first: -1) { totalCount } }", json!({}))
        .await;
    assert_eq!(error_codes(&negative), ["BAD_USER_INPUT"]);
    assert!(
        negative["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("first")
    );

    let too_many = stack
        .query("{ products(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(error_codes(&too_many), ["BAD_USER_INPUT"]);

    let cursor = stack
        .query("{ products(after: \"garbage\") { totalCount } }", json!({}))
        .await;
    assert_eq!(error_codes(&cursor), ["BAD_USER_INPUT"]);

    let unknown = stack
        .query(
            "{ product(id: \"prod-999999\") { id name price { amount } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&unknown)["product"], Value::Null);

    let malformed = stack
        .client
        .post(stack.stack.router_url())
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert!(body["errors"][0]["message"].is_string(), "{body}");

    let invalid = stack.query("{ products { nope } }", json!({})).await;
    assert!(!error_codes(&invalid).is_empty());
    assert!(invalid.get("data").is_none() || invalid["data"].is_null());
}
