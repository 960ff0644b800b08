//! How every subgraph batches its MongoDB reads: async-graphql DataLoaders that gather the keys
//! asked for by every request ready to run, then load them with one query.

use std::{collections::HashMap, hash::Hash, time::Duration};

use async_graphql::dataloader::DataLoader;

/// The DataLoader settings shared by a subgraph's loaders (`--batch-window`).
#[derive(Debug, Clone, Copy)]
pub struct Batching {
    pub window: Duration,
}

impl Batching {
    /// A DataLoader for `loader`, without a cache: every request reads MongoDB's current data.
    ///
    /// A batch's load first yields to the scheduler, so tasks already runnable (the other
    /// fields of this request, other requests whose data just arrived) add their keys first —
    /// most of them: on a multi-threaded runtime another worker may still be mid-way — then it
    /// waits `window` more, if any. Batches so grow with load instead of costing each request
    /// a fixed wait per hop.
    pub fn loader<T: Send + Sync + 'static>(&self, loader: T) -> DataLoader<T> {
        DataLoader::new(loader, |load| {
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                load.await;
            })
        })
        .delay(self.window)
    }
}

/// A DataLoader key that is a document's string id.
pub trait IdKey: Clone + Eq + Hash + Send + Sync + 'static {
    fn from_id(id: String) -> Self;
    fn id(&self) -> &str;
}

/// Declares a newtype DataLoader key over a string id.
#[macro_export]
macro_rules! id_key {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(pub String);

        impl $crate::batching::IdKey for $name {
            fn from_id(id: String) -> Self {
                Self(id)
            }
            fn id(&self) -> &str {
                &self.0
            }
        }
    };
}

id_key!(
    /// A product's id: the catalog's key, which pricing and recommendation batch by too.
    ProductId
);

/// The shape of nearly every loader: one query for all the keys' ids, each result filed
/// under the key it answers (found by `id_of`); ids with no result are simply absent.
pub async fn load_by_ids<K: IdKey, V, E>(
    keys: &[K],
    query: impl AsyncFnOnce(&[String]) -> Result<Vec<V>, E>,
    id_of: impl Fn(&V) -> &str,
) -> Result<HashMap<K, V>, E> {
    let ids: Vec<String> = keys.iter().map(|key| key.id().to_owned()).collect();
    let loader = std::any::type_name::<K>()
        .rsplit("::")
        .next()
        .unwrap_or("key");
    metrics::histogram!("dataloader_batch_size", "key" => loader).record(ids.len() as f64);
    let found = query(&ids).await?;
    Ok(found
        .into_iter()
        .map(|value| (K::from_id(id_of(&value).to_owned()), value))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn results_are_filed_under_their_keys_and_missing_ids_are_absent() {
        let keys = [
            ProductId("a".into()),
            ProductId("b".into()),
            ProductId("c".into()),
        ];
        let loaded = load_by_ids(
            &keys,
            async |ids: &[String]| {
                assert_eq!(ids, ["a", "b", "c"], "one query for every key");
                Ok::<_, ()>(vec![("c", 3), ("a", 1)])
            },
            |(id, _)| id,
        )
        .await
        .unwrap();
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded[&ProductId("a".into())], ("a", 1));
        assert_eq!(loaded[&ProductId("c".into())], ("c", 3));
    }
}
