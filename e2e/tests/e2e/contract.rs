//! The storefront contract (`contract/`): the router's introspected schema contains
//! every type, field, argument, default and enum value of `storefront.graphql` with the same
//! types, and every contract operation validates and answers.

use std::{collections::BTreeMap, time::Duration};

use cynic_parser::type_system::{Definition, TypeDefinition};
use e2e::{
    TestStack, contract_operation, data,
    live::{Subscription, Transport},
    token,
};
use serde_json::{Value, json};
use xtask::paths;

const INTROSPECTION: &str = r#"
query Contract {
  __schema {
    types {
      name kind
      fields(includeDeprecated: true) { name type { ...Ref } args { name defaultValue type { ...Ref } } }
      enumValues(includeDeprecated: true) { name }
    }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
"#;

fn type_string(reference: &Value) -> String {
    match reference["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_string(&reference["ofType"])),
        Some("LIST") => format!("[{}]", type_string(&reference["ofType"])),
        _ => reference["name"].as_str().unwrap_or("?").to_owned(),
    }
}

#[tokio::test]
async fn the_router_serves_the_whole_contract() {
    let stack = TestStack::start("contract-schema").await;
    let response = stack.query(INTROSPECTION, json!({})).await;
    let types: BTreeMap<String, Value> = data(&response)["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();

    let contract =
        std::fs::read_to_string(paths::contract_dir().join("storefront.graphql")).unwrap();
    let document = cynic_parser::parse_type_system_document(&contract).unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for definition in document.definitions() {
        let Definition::Type(definition) = definition else {
            continue;
        };
        let name = definition.name();
        let Some(served) = types.get(name) else {
            problems.push(format!("type {name} is missing"));
            continue;
        };
        match definition {
            TypeDefinition::Scalar(_) => {
                if served["kind"] != "SCALAR" {
                    problems.push(format!("{name} is not a scalar"));
                }
            }
            TypeDefinition::Enum(enumeration) => {
                for value in enumeration.values() {
                    let found = served["enumValues"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|v| v["name"] == value.value());
                    if !found {
                        problems.push(format!("enum value {name}.{} is missing", value.value()));
                    }
                    checked += 1;
                }
            }
            TypeDefinition::Object(object) => {
                for field in object.fields() {
                    checked += 1;
                    let coordinate = format!("{name}.{}", field.name());
                    let Some(served_field) = served["fields"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|f| f["name"] == field.name())
                    else {
                        problems.push(format!("field {coordinate} is missing"));
                        continue;
                    };
                    let (expected, actual) =
                        (field.ty().to_string(), type_string(&served_field["type"]));
                    if expected != actual {
                        problems.push(format!(
                            "{coordinate} is {actual}, the contract says {expected}"
                        ));
                    }
                    for argument in field.arguments() {
                        checked += 1;
                        let Some(served_argument) = served_field["args"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .find(|a| a["name"] == argument.name())
                        else {
                            problems.push(format!(
                                "argument {coordinate}({}) is missing",
                                argument.name()
                            ));
                            continue;
                        };
                        let (expected, actual) = (
                            argument.ty().to_string(),
                            type_string(&served_argument["type"]),
                        );
                        if expected != actual {
                            problems.push(format!(
                                "{coordinate}({}) is {actual}, the contract says {expected}",
                                argument.name()
                            ));
                        }
                        let expected_default = argument.default_value().map(|value| {
                            value
                                .as_i32()
                                .map(|n| n.to_string())
                                .or_else(|| value.as_enum_value().map(str::to_owned))
                                .or_else(|| value.as_str().map(|s| format!("{s:?}")))
                                .unwrap_or_else(|| "<unsupported default>".to_owned())
                        });
                        let served_default =
                            served_argument["defaultValue"].as_str().map(str::to_owned);
                        if expected_default != served_default {
                            problems.push(format!("{coordinate}({}) defaults to {served_default:?}, the contract says {expected_default:?}", argument.name()));
                        }
                    }
                }
            }
            _ => problems.push(format!(
                "{name}: the contract uses a kind of type this test does not check"
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "the served schema breaks the contract:\n{}",
        problems.join("\n")
    );
    assert!(
        checked > 60,
        "only {checked} contract elements were checked"
    );
}

#[tokio::test]
async fn every_contract_operation_answers_without_errors() {
    let stack = TestStack::start("contract-operations").await;
    let shopper = token("shopper");
    // The cart must exist for CartView to have lines to price.
    let add = stack
        .query_as(
            Some(&shopper),
            &contract_operation("AddToCart"),
            json!({ "productId": "prod-000011", "quantity": 2 }),
        )
        .await;
    assert_eq!(data(&add)["addToCart"]["totalQuantity"], 2);

    let runs = e2e::contract_runs();
    let mut registered: Vec<String> = paths::registered_operations()
        .unwrap()
        .into_iter()
        .map(|operation| operation.name)
        .collect();
    registered.sort_unstable();
    let subscriptions = ["CartChanged", "ProductPriceChanged"];
    let mut covered: Vec<&str> = runs
        .iter()
        .map(|(name, _)| *name)
        .chain(subscriptions)
        .collect();
    covered.sort_unstable();
    assert_eq!(
        covered, registered,
        "every registered operation is run here"
    );
    for (name, variables) in runs {
        let response = stack
            .query_as(Some(&shopper), &contract_operation(name), variables)
            .await;
        let data = data(&response);
        assert!(
            data.as_object()
                .is_some_and(|fields| fields.values().all(|v| !v.is_null())),
            "{name} answered {data}"
        );
    }

    // The subscriptions, over SSE: the cart's first event is the cart as it is; a price event
    // follows a list price written.
    let url = stack.stack.router_url();
    let mut cart = Subscription::open(
        Transport::Sse,
        &url,
        Some(&shopper),
        &contract_operation("CartChanged"),
        json!({ "currency": "EUR" }),
    )
    .await;
    let first = cart
        .next_response(Duration::from_secs(5), "CartChanged")
        .await;
    assert!(
        !data(&first)["cartChanged"]["id"].is_null(),
        "CartChanged answered {first}"
    );
    let mut prices = Subscription::open(
        Transport::Sse,
        &url,
        None,
        &contract_operation("ProductPriceChanged"),
        json!({ "productIds": ["prod-000003"], "currency": "GBP" }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stack
        .database("pricing")
        .await
        .collection::<mongodb::bson::Document>("prices")
        .update_one(
            mongodb::bson::doc! { "_id": "prod-000003" },
            mongodb::bson::doc! { "$inc": { "list_price_cents": 100 } },
        )
        .await
        .expect("a list price written");
    let event = prices
        .next_response(Duration::from_secs(5), "ProductPriceChanged")
        .await;
    let product = &data(&event)["productPriceChanged"];
    assert_eq!(product["id"], "prod-000003", "{event}");
    assert_eq!(
        product["pricing"]["price"]["currencyCode"], "GBP",
        "{event}"
    );
}

/// The error codes `storefront.graphql` documents: every `extensions.code "X"` in its comments.
fn documented_codes() -> Vec<String> {
    let contract =
        std::fs::read_to_string(paths::contract_dir().join("storefront.graphql")).unwrap();
    let mut codes: Vec<String> = contract
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix('#'))
        .flat_map(|comment| comment.split("extensions.code").skip(1))
        .filter_map(|after| {
            let quoted = after
                .trim_start()
                .trim_start_matches("is ")
                .strip_prefix('"')?;
            Some(quoted.split('"').next()?.to_owned())
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Every code the contract documents comes back through the router, where it says: a missing,
/// expired or forged token → `UNAUTHENTICATED` at the refused field (the public rest of the page
/// still served), a token without the scope → `FORBIDDEN`, a bad product or
/// quantity → `BAD_USER_INPUT`; and none of them changes the cart.
#[tokio::test]
async fn every_error_code_the_contract_documents_answers_through_the_router() {
    let stack = TestStack::start("contract-codes").await;
    let page = "{ categories { slug } cart { totalQuantity } }";
    let add = |product: &str, quantity: i64| {
        format!(
            "mutation {{ addToCart(productId: \"{product}\", quantity: {quantity}) {{ totalQuantity }} }}"
        )
    };
    let router = stack.stack.router_url();
    let body = |query: &str| json!({ "query": query });
    let expired = e2e::dev_token("contract-shopper", std::time::Duration::ZERO);
    let mut forged = token("contract-shopper");
    forged.replace_range(forged.len() - 6.., "AAAAAA");
    let reader = e2e::token_with_scopes("contract-shopper", "");
    let shopper = token("contract-shopper");

    let mut seen = std::collections::BTreeSet::new();
    // Each refusal is an HTTP 200 with the refused field null and one error at its path.
    let mut expect = async |code: &str, bearer: Option<&str>, query: &str, path: &str| {
        let (status, response) = stack.post_json_as(bearer, &router, &body(query)).await;
        assert_eq!(e2e::error_codes(&response), [code], "{query}: {response}");
        assert_eq!(status, 200, "{query}: {response}");
        assert_eq!(response["errors"][0]["path"], json!([path]), "{response}");
        seen.insert(code.to_owned());
        response
    };

    // No token, or one that does not verify (no identity either): the public part of the page
    // is served, the cart refused at its path.
    for bad in [None, Some(expired.as_str()), Some(forged.as_str())] {
        let refused = expect("UNAUTHENTICATED", bad, page, "cart").await;
        assert!(
            !refused["data"]["categories"].as_array().unwrap().is_empty(),
            "{refused}"
        );
        assert_eq!(refused["data"]["cart"], Value::Null);
    }
    for (code, bearer, product, quantity) in [
        ("UNAUTHENTICATED", None, "prod-000005", 1),
        ("UNAUTHENTICATED", Some(expired.as_str()), "prod-000005", 1),
        ("UNAUTHENTICATED", Some(forged.as_str()), "prod-000005", 1),
        // Signed in without `cart:write`: reading is allowed, changing is forbidden.
        ("FORBIDDEN", Some(reader.as_str()), "prod-000005", 1),
        // Signed in with the scope, but asking for something impossible.
        (
            "BAD_USER_INPUT",
            Some(shopper.as_str()),
            "no-such-product",
            1,
        ),
        ("BAD_USER_INPUT", Some(shopper.as_str()), "prod-000005", 0),
    ] {
        expect(code, bearer, &add(product, quantity), "addToCart").await;
    }

    // Nothing above changed the cart: it still does not exist.
    let (_, cart) = stack
        .post_json_as(Some(&shopper), &router, &body(page))
        .await;
    assert_eq!(data(&cart)["cart"], Value::Null, "{cart}");
    // The control: the same shopper's valid change is made.
    let (_, added) = stack
        .post_json_as(Some(&shopper), &router, &body(&add("prod-000005", 2)))
        .await;
    assert_eq!(data(&added)["addToCart"]["totalQuantity"], 2, "{added}");

    let documented = documented_codes();
    assert!(
        documented.contains(&"UNAUTHENTICATED".to_owned()),
        "{documented:?}"
    );
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        documented,
        "every code the contract documents, and only those, is answered here"
    );
}
