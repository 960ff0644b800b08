//! Individually deployable subgraphs: a router composing from `supergraph.yaml` serves a
//! subgraph's new compatible schema without a restart, and refuses an incompatible one
//! (logging the composition error) while the last good supergraph keeps serving.

use std::{path::PathBuf, time::Duration};

use e2e::{TestStack, data, eventually};
use serde_json::{Value, json};
use xtask::{paths, roster::SUBGRAPHS};

const PRODUCT_FIELDS: &str = r#"{ __type(name: "Product") { fields { name } } }"#;
const PRODUCT_PAGE: &str = r#"{ product(id: "prod-000001") { id name sku } }"#;

async fn product_fields(stack: &TestStack) -> Vec<String> {
    let response = stack.query(PRODUCT_FIELDS, json!({})).await;
    data(&response)["__type"]["fields"]
        .as_array()
        .expect("Product has fields")
        .iter()
        .map(|field| field["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn compatible_changes_go_live_and_incompatible_ones_are_refused() {
    // The router composes from copies of the schemas that this test "redeploys".
    let mut catalog_schema = PathBuf::new();
    let stack = TestStack::start_with("live-schema", |options| {
        let dir = options.supergraph_config.parent().unwrap().to_owned();
        let mut yaml = std::fs::read_to_string(&options.supergraph_config).unwrap();
        for spec in SUBGRAPHS.iter() {
            let committed = paths::workspace_root()
                .join("subgraphs")
                .join(spec.name)
                .join("schema.graphql");
            let copy = dir.join(format!("{}.graphql", spec.name));
            std::fs::copy(&committed, &copy).unwrap();
            yaml = yaml.replace(
                &committed.display().to_string(),
                &copy.display().to_string(),
            );
        }
        std::fs::write(&options.supergraph_config, yaml).unwrap();
        catalog_schema = dir.join("catalog.graphql");
    })
    .await;
    let original = std::fs::read_to_string(&catalog_schema).unwrap();
    assert!(
        !product_fields(&stack)
            .await
            .contains(&"weightGrams".to_owned())
    );
    let page = data(&stack.query(PRODUCT_PAGE, json!({})).await).clone();

    // A compatible change: a new optional field.
    let compatible = original.replace("\tsku: String!\n", "\tsku: String!\n\tweightGrams: Int\n");
    assert_ne!(compatible, original);
    std::fs::write(&catalog_schema, &compatible).unwrap();
    assert!(
        eventually(Duration::from_secs(20), async || {
            product_fields(&stack)
                .await
                .contains(&"weightGrams".to_owned())
        })
        .await,
        "the new field never showed up in the router's schema"
    );
    assert_eq!(data(&stack.query(PRODUCT_PAGE, json!({})).await), &page);

    // An incompatible one: a key on a field that does not exist.
    let incompatible = compatible.replace(
        "type Product @key(fields: \"id\")",
        "type Product @key(fields: \"skuu\")",
    );
    assert_ne!(incompatible, compatible);
    std::fs::write(&catalog_schema, &incompatible).unwrap();
    assert!(
        eventually(Duration::from_secs(20), async || {
            stack.logs().contains("KEY_INVALID_FIELDS")
        })
        .await,
        "the composition error was never logged:\n{}",
        stack.logs()
    );
    let logs = stack.logs();
    assert!(
        logs.contains("recomposition failed; still serving the last good supergraph"),
        "{logs}"
    );
    // The last good supergraph (with the compatible change) keeps serving.
    assert!(
        product_fields(&stack)
            .await
            .contains(&"weightGrams".to_owned())
    );
    let response: Value = stack.query(PRODUCT_PAGE, json!({})).await;
    assert_eq!(data(&response), &page);
}
