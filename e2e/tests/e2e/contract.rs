//! The storefront contract (`contract/`): the router's introspected schema contains
//! every type, field, argument, default and enum value of `storefront.graphql` with the same
//! types, and every contract operation validates and answers.

use std::collections::BTreeMap;

use cynic_parser::type_system::{Definition, TypeDefinition};
use e2e::{TestStack, contract_operation, data, token};
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

    // Every registered operation, in an order where each has something to act on.
    let runs = [
        ("AddToCart", json!({ "productId": "prod-000012" })),
        (
            "UpdateCartLine",
            json!({ "productId": "prod-000012", "quantity": 3 }),
        ),
        ("Home", json!({ "signedIn": true })),
        ("CategoryListing", json!({ "slug": "garden" })),
        (
            "ProductPage",
            json!({ "id": "prod-000003", "currency": "EUR" }),
        ),
        ("Search", json!({ "text": "tent" })),
        ("CartView", json!({ "currency": "GBP" })),
        ("RemoveFromCart", json!({ "productId": "prod-000012" })),
        ("ClearCart", json!({})),
    ];
    let mut registered: Vec<String> = paths::registered_operations()
        .unwrap()
        .into_iter()
        .map(|operation| operation.name)
        .collect();
    registered.sort_unstable();
    let mut covered: Vec<&str> = runs.iter().map(|(name, _)| *name).collect();
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
}
