//! The registered client operations as a persisted-document manifest, in Apollo's
//! `apollo-persisted-query-manifest` format: one entry per operation with its full text (shared
//! fragments included) and a SHA-256 id. The one place an operation's sent text comes from.

use std::path::PathBuf;

use hive_router::graphql_tools::static_graphql::query::{Definition, OperationDefinition};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::operations::{self, OperationsError};

pub const FORMAT: &str = "apollo-persisted-query-manifest";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub operations: Vec<PersistedDocument>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersistedDocument {
    /// Hex SHA-256 of `body`.
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: OperationKind,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

impl Manifest {
    /// The manifest of every operation in the `.graphql` files under `roots`, by name.
    pub fn build(roots: &[PathBuf]) -> Result<Self, OperationsError> {
        let mut operations: Vec<PersistedDocument> = operations::load(roots)?
            .iter()
            .flat_map(|file| {
                let body = file.text();
                let id = hex(&Sha256::digest(body.as_bytes()));
                file.document
                    .definitions
                    .iter()
                    .filter_map(|definition| match definition {
                        Definition::Operation(operation) => Some(operation),
                        Definition::Fragment(_) => None,
                    })
                    .zip(file.operation_names())
                    .map(|(operation, name)| PersistedDocument {
                        id: id.clone(),
                        name,
                        kind: OperationKind::of(operation),
                        body: body.clone(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self {
            format: FORMAT.to_owned(),
            version: 1,
            operations,
        })
    }

    /// The manifest as committed: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest serializes");
        text.push('\n');
        text
    }

    /// The operation named `name`.
    pub fn operation(&self, name: &str) -> Option<&PersistedDocument> {
        self.operations
            .iter()
            .find(|operation| operation.name == name)
    }
}

impl OperationKind {
    fn of(operation: &OperationDefinition) -> Self {
        match operation {
            OperationDefinition::Query(_) | OperationDefinition::SelectionSet(_) => Self::Query,
            OperationDefinition::Mutation(_) => Self::Mutation,
            OperationDefinition::Subscription(_) => Self::Subscription,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_from_other_files_are_part_of_each_operation() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join("Card.graphql"),
            "fragment Card on Product { id name ...Price }\nfragment Price on Product { price { amount } }",
        )
        .unwrap();
        std::fs::write(
            folder.path().join("Page.graphql"),
            "query Page($id: ID!) { product(id: $id) { ...Card } }",
        )
        .unwrap();
        std::fs::write(
            folder.path().join("Clear.graphql"),
            "mutation Clear { clearCart { id } }",
        )
        .unwrap();

        let manifest = Manifest::build(&[folder.path().to_owned()]).unwrap();
        let names: Vec<&str> = manifest
            .operations
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["Clear", "Page"],
            "fragment-only files are not operations"
        );
        let page = manifest.operation("Page").unwrap();
        assert_eq!(page.kind, OperationKind::Query);
        assert!(
            page.body.contains("fragment Card on Product"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("fragment Price on Product"),
            "{}",
            page.body
        );
        let clear = manifest.operation("Clear").unwrap();
        assert_eq!(clear.kind, OperationKind::Mutation);
        assert!(!clear.body.contains("fragment"), "{}", clear.body);
        assert_eq!(clear.id, hex(&Sha256::digest(clear.body.as_bytes())));
        assert_eq!(page.id.len(), 64);
    }
}
