//! Composition failures carry Apollo Federation's error code, the subgraph(s) and the schema
//! coordinate: real subgraph pairs that break one rule each, composed for real.

use crate::subgraphs::{refused_with, subgraph};

#[test]
fn a_key_on_a_missing_field() {
    let issue = refused_with(&[
        subgraph(
            "catalog",
            r#"type Product @key(fields: "sku") { id: ID! } type Query { product: Product }"#,
        ),
        subgraph(
            "pricing",
            r#"type Product @key(fields: "id") { id: ID! price: Int }"#,
        ),
    ]);
    assert_eq!(issue.code, "KEY_INVALID_FIELDS", "{issue:?}");
    assert_eq!(issue.subgraphs, ["catalog"]);
    assert_eq!(issue.coordinate.as_deref(), Some("Product.sku"));
}

#[test]
fn a_requires_on_a_missing_field() {
    let issue = refused_with(&[
        subgraph(
            "catalog",
            r#"type Product @key(fields: "id") { id: ID! weight: Int } type Query { product: Product }"#,
        ),
        subgraph(
            "shipping",
            r#"type Product @key(fields: "id") { id: ID! weight: Int @external cost: Int @requires(fields: "volume") }"#,
        ),
    ]);
    assert_eq!(issue.code, "REQUIRES_INVALID_FIELDS", "{issue:?}");
    assert_eq!(issue.subgraphs, ["shipping"]);
}

#[test]
fn a_field_resolved_twice_without_shareable() {
    let issue = refused_with(&[
        subgraph(
            "catalog",
            r#"type Product @key(fields: "id") { id: ID! name: String } type Query { product: Product }"#,
        ),
        subgraph(
            "reviews",
            r#"type Product @key(fields: "id") { id: ID! name: String }"#,
        ),
    ]);
    assert_eq!(issue.code, "INVALID_FIELD_SHARING", "{issue:?}");
    assert_eq!(issue.subgraphs, ["catalog", "reviews"]);
    assert_eq!(issue.coordinate.as_deref(), Some("Product.name"));
}

#[test]
fn a_type_of_different_kinds() {
    let issue = refused_with(&[
        subgraph(
            "catalog",
            r#"type Money { amount: Int } type Query { price: Money }"#,
        ),
        subgraph(
            "pricing",
            r#"input Money { amount: Int } type Query { convert(m: Money): Int }"#,
        ),
    ]);
    assert_eq!(issue.code, "TYPE_KIND_MISMATCH", "{issue:?}");
    assert_eq!(issue.coordinate.as_deref(), Some("Money"));
}

#[test]
fn a_shared_field_with_conflicting_types() {
    let issue = refused_with(&[
        subgraph(
            "catalog",
            r#"type Product @key(fields: "id") { id: ID! name: String @shareable } type Query { product: Product }"#,
        ),
        subgraph(
            "reviews",
            r#"type Product @key(fields: "id") { id: ID! name: Int @shareable }"#,
        ),
    ]);
    assert_eq!(issue.code, "FIELD_TYPE_MISMATCH", "{issue:?}");
    assert_eq!(issue.coordinate.as_deref(), Some("Product.name"));
}
