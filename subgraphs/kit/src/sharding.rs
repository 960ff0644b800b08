//! How each collection would be sharded behind `mongos`: its shard key, declared by the subgraph
//! that owns the collection next to its indexes, printed for operators (`--print-shard-keys`,
//! one `sh.shardCollection` key per line) and held by the tests to the indexes and to every
//! query that names it. The argument for each key is docs/sharding.md.

use mongodb::bson::{Bson, Document, doc};

/// How one field of a shard key splits the collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Chunks by ranges of the value: range queries stay on one shard.
    Ranged,
    /// Chunks by a hash of the value: writes spread evenly, equality stays on one shard.
    Hashed,
}

/// A collection's shard key.
#[derive(Debug, Clone, Copy)]
pub struct ShardKey {
    pub collection: &'static str,
    /// The key's fields in order.
    pub fields: &'static [(&'static str, KeyKind)],
}

impl ShardKey {
    /// The key as `sh.shardCollection` takes it, fields in order: `{ field: 1 | "hashed", … }`.
    pub fn key(&self) -> Document {
        self.fields
            .iter()
            .map(|(field, kind)| {
                let value = match kind {
                    KeyKind::Ranged => Bson::Int32(1),
                    KeyKind::Hashed => Bson::String("hashed".to_owned()),
                };
                ((*field).to_owned(), value)
            })
            .collect()
    }

    /// One line of `--print-shard-keys`: `{"collection": …, "key": {…}}` (JSON).
    pub fn line(&self) -> String {
        let line = doc! { "collection": self.collection, "key": self.key() };
        serde_json::to_string(&line).expect("a document of strings and numbers is JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_prints_as_shard_collection_takes_it() {
        let key = ShardKey {
            collection: "products",
            fields: &[("category_id", KeyKind::Ranged), ("_id", KeyKind::Ranged)],
        };
        assert_eq!(
            key.line(),
            r#"{"collection":"products","key":{"category_id":1,"_id":1}}"#
        );
        let hashed = ShardKey {
            collection: "carts",
            fields: &[("user_id", KeyKind::Hashed)],
        };
        assert_eq!(hashed.key(), doc! { "user_id": "hashed" });
    }
}
