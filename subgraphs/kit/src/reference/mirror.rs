//! A small collection in memory, reloaded on every change its stream reports.

use std::sync::{Arc, RwLock};

use futures::TryStreamExt;
use mongodb::{
    Collection,
    bson::{Bson, Document, doc},
};
use serde::de::DeserializeOwned;
use tokio::sync::watch;

use super::{FollowError, Follower, MIRROR_COMMENT, keep_following};

/// A collection holding more documents than this is not mirrored (its readers go to MongoDB).
const MAX_DOCUMENTS: usize = 10_000;

/// An in-memory copy of a collection, current while its change stream follows it.
pub struct Mirror<T: Send + Sync> {
    collection: Collection<T>,
    current: Arc<RwLock<Option<Arc<[T]>>>>,
    /// Told of every reload (and of the mirror stopping): see [`Mirror::reloads`].
    reloaded: watch::Sender<()>,
}

impl<T: Send + Sync> Clone for Mirror<T> {
    fn clone(&self) -> Self {
        Self {
            collection: self.collection.clone(),
            current: Arc::clone(&self.current),
            reloaded: self.reloaded.clone(),
        }
    }
}

impl<T> Mirror<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    /// Starts following `collection` in the background (for as long as the process runs).
    pub fn follow(collection: Collection<T>) -> Self {
        let mirror = Self {
            collection: collection.clone(),
            current: Arc::new(RwLock::new(None)),
            reloaded: watch::Sender::new(()),
        };
        tokio::spawn(keep_following(collection, mirror.clone()));
        mirror
    }

    /// Every document of the collection as of the last change, or `None` while the mirror is
    /// not following it (read MongoDB then).
    pub fn documents(&self) -> Option<Arc<[T]>> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The documents `wanted` keeps, or `None` while the mirror is not following (read
    /// MongoDB then).
    pub fn select(&self, wanted: impl Fn(&T) -> bool) -> Option<Vec<T>>
    where
        T: Clone,
    {
        let all = self.documents()?;
        Some(
            all.iter()
                .filter(|document| wanted(document))
                .cloned()
                .collect(),
        )
    }

    /// Resolves at each reload from here on (after any change to the collection) and when the
    /// mirror stops following: what was read from it before may be out of date.
    pub fn reloads(&self) -> watch::Receiver<()> {
        self.reloaded.subscribe()
    }

    fn set(&self, documents: Option<Arc<[T]>>) {
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = documents;
        self.reloaded.send_replace(());
    }
}

impl<T> Follower for Mirror<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    fn wanted_changes(&self) -> Vec<Document> {
        // Any change means reloading: the change itself needs no field.
        vec![doc! { "$project": { "operationType": 1, "wallTime": 1 } }]
    }

    async fn following(&self) -> Result<(), FollowError> {
        self.set(load(&self.collection).await?);
        Ok(())
    }

    async fn changed(&self, _change: Document) -> Result<(), FollowError> {
        self.following().await
    }

    fn stopped(&self) {
        self.set(None);
    }

    fn is_following(&self) -> bool {
        self.documents().is_some()
    }
}

/// The whole collection, or `None` when it is too large to mirror.
async fn load<T>(collection: &Collection<T>) -> Result<Option<Arc<[T]>>, FollowError>
where
    T: DeserializeOwned + Send + Sync,
{
    let documents: Vec<T> = collection
        .find(doc! {})
        .comment(Bson::from(MIRROR_COMMENT))
        .limit(MAX_DOCUMENTS as i64 + 1)
        .await?
        .try_collect()
        .await?;
    if documents.len() > MAX_DOCUMENTS {
        tracing::warn!(
            collection = %collection.name(),
            "more than {MAX_DOCUMENTS} documents: not mirrored, read from MongoDB"
        );
        return Ok(None);
    }
    Ok(Some(documents.into()))
}
