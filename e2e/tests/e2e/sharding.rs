//! The sharding plan held to the code (docs/sharding.md): every shard key a subgraph declares
//! (`<subgraph> --print-shard-keys`) begins one of its collection's indexes, and every query
//! MongoDB's profiler records on a collection to shard, while the storefront serves each
//! registered operation, is served by an index that starts with the key's first field whenever
//! the query names that field (the queries a shard key would target to one shard).

use std::path::PathBuf;

use e2e::{TestStack, contract_operation, contract_runs, required_env, token};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use xtask::roster::SUBGRAPHS;

/// A collection's shard key, as its subgraph prints it.
struct DeclaredKey {
    subgraph: &'static str,
    collection: String,
    key: Document,
}

impl DeclaredKey {
    fn first_field(&self) -> &str {
        self.key.keys().next().expect("a key has a field")
    }
}

/// Every subgraph's `--print-shard-keys`.
fn declared_keys() -> Vec<DeclaredKey> {
    let bin_dir = PathBuf::from(required_env("STOREFRONT_BIN_DIR"));
    let mut keys = Vec::new();
    for spec in SUBGRAPHS.iter() {
        let output = std::process::Command::new(bin_dir.join(spec.name))
            .arg("--print-shard-keys")
            .output()
            .expect("the subgraph runs");
        assert!(output.status.success(), "{} --print-shard-keys", spec.name);
        for line in String::from_utf8(output.stdout).unwrap().lines() {
            // Into a BSON document, which keeps the key's field order (it matters).
            let mut printed: Document = serde_json::from_str(line).expect("a JSON line");
            keys.push(DeclaredKey {
                subgraph: spec.name,
                collection: printed.get_str("collection").unwrap().to_owned(),
                key: printed
                    .remove("key")
                    .and_then(|key| key.as_document().cloned())
                    .unwrap(),
            });
        }
    }
    keys
}

/// The filter a profiled command applied, and whether it is a `$text` search (which MongoDB
/// must serve from the text index, whatever else it filters on).
fn filter_of(entry: &Document) -> Option<Document> {
    let command = entry.get_document("command").ok()?;
    let first = command.keys().next()?.as_str();
    let filter = match first {
        "find" => command.get_document("filter").ok(),
        "findAndModify" | "count" => command.get_document("query").ok(),
        "aggregate" => command
            .get_array("pipeline")
            .ok()?
            .iter()
            .filter_map(Bson::as_document)
            .find_map(|stage| stage.get_document("$match").ok()),
        "update" | "delete" => command
            .get_array(if first == "update" {
                "updates"
            } else {
                "deletes"
            })
            .ok()?
            .first()?
            .as_document()?
            .get_document("q")
            .ok(),
        _ => None,
    };
    filter.cloned()
}

/// Whether a plan summary (`IXSCAN { user_id: 1 }`, `IDHACK`, …) reads an index whose first
/// field is `field`.
fn uses_index_starting_with(plan: &str, field: &str) -> bool {
    plan.contains(&format!("IXSCAN {{ {field}: "))
        || (field == "_id" && (plan.contains("IDHACK") || plan.contains("EXPRESS")))
}

#[tokio::test]
async fn every_query_a_shard_key_would_serve_is_backed_by_an_index_that_starts_with_it() {
    let keys = declared_keys();
    for subgraph in SUBGRAPHS.iter().map(|spec| spec.name) {
        assert!(
            keys.iter().any(|key| key.subgraph == subgraph),
            "{subgraph} declares a shard key"
        );
    }
    let stack = TestStack::start("sharding").await;

    // Every key is the start of one of its collection's indexes.
    for declared in &keys {
        let collection = stack
            .database(declared.subgraph)
            .await
            .collection::<Document>(&declared.collection);
        let indexes: Vec<Document> = collection
            .list_indexes()
            .await
            .unwrap()
            .map_ok(|index| index.keys)
            .try_collect()
            .await
            .unwrap();
        assert!(
            indexes.iter().any(
                |index| index.keys().next().map(String::as_str) == Some(declared.first_field())
            ),
            "{}.{}: no index starts with the shard key's {} (indexes: {indexes:?})",
            declared.subgraph,
            declared.collection,
            declared.first_field()
        );
    }

    // Every registered operation, each subgraph's database profiling every command.
    for spec in SUBGRAPHS.iter() {
        stack
            .database(spec.name)
            .await
            .run_command(doc! { "profile": 2 })
            .await
            .expect("profiling on");
    }
    let shopper = token("sharding-shopper");
    for (name, variables) in contract_runs() {
        let body = serde_json::json!({ "query": contract_operation(name), "variables": variables });
        let (status, response) = stack.post_json_past_cache(Some(&shopper), &body).await;
        assert_eq!(status, 200, "{name}: {response}");
    }
    for spec in SUBGRAPHS.iter() {
        stack
            .database(spec.name)
            .await
            .run_command(doc! { "profile": 0 })
            .await
            .expect("profiling off");
    }

    let mut checked = Vec::new();
    for declared in &keys {
        let database = stack.database(declared.subgraph).await;
        let namespace = format!("{}.{}", database.name(), declared.collection);
        let entries: Vec<Document> = database
            .collection::<Document>("system.profile")
            .find(doc! { "ns": &namespace })
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let field = declared.first_field();
        let mut named = 0;
        for entry in &entries {
            let Some(filter) = filter_of(entry) else {
                continue;
            };
            if !filter.contains_key(field) {
                continue;
            }
            named += 1;
            if filter.contains_key("$text") {
                // A text search is served by the text index on each shard: the one exception
                // (docs/sharding.md, catalog.products).
                continue;
            }
            let plan = entry.get_str("planSummary").unwrap_or_default();
            assert!(
                uses_index_starting_with(plan, field),
                "{namespace}: a query on the shard key's {field} ran as {plan:?}: {filter}"
            );
        }
        assert!(
            named > 0,
            "control: no profiled query on {namespace} named {field} ({} entries): the check \
             would prove nothing",
            entries.len()
        );
        checked.push(format!("{namespace} ({named} queries on {field})"));
    }
    println!("backed by an index starting with the shard key: {checked:?}");
}
