//! Small reference collections (categories, promotions, exchange rates) mirrored in memory and
//! kept fresh by a MongoDB change stream, so a request reads them without a round trip and a
//! write to MongoDB shows within milliseconds. While the stream is not following (MongoDB out
//! of reach, not a replica set, the collection too large to mirror) the mirror is empty and
//! callers read MongoDB as before: a copy that might be stale is never served.

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use futures::TryStreamExt;
use mongodb::{Collection, bson::doc};
use serde::de::DeserializeOwned;

/// The `comment` on the mirrors' own commands: the command monitor counts them apart from the
/// commands serving requests (see [`crate::mongo`]).
pub const MIRROR_COMMENT: &str = "storefront-reference-mirror";

/// A collection holding more documents than this is not mirrored (its readers go to MongoDB).
const MAX_DOCUMENTS: usize = 10_000;

/// How long to wait before following again after the stream failed, doubling up to the
/// second while it keeps failing.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MOST: Duration = Duration::from_secs(30);

/// An in-memory copy of a collection, current while its change stream follows it.
pub struct Mirror<T> {
    current: Arc<RwLock<Option<Arc<[T]>>>>,
}

impl<T> Clone for Mirror<T> {
    fn clone(&self) -> Self {
        Self {
            current: Arc::clone(&self.current),
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum FollowError {
    #[error(transparent)]
    Mongo(#[from] mongodb::error::Error),
    #[error("the change stream ended")]
    Ended,
}

impl<T> Mirror<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    /// Starts following `collection` in the background (for as long as the process runs).
    pub fn follow(collection: Collection<T>) -> Self {
        let mirror = Self {
            current: Arc::new(RwLock::new(None)),
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

    fn set(&self, documents: Option<Arc<[T]>>) {
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = documents;
    }
}

async fn keep_following<T>(collection: Collection<T>, mirror: Mirror<T>)
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    let name = collection.name().to_owned();
    let mut wait = RETRY_FIRST;
    let mut last_error = String::new();
    loop {
        let error = follow(&collection, &mirror).await.to_string();
        if mirror.documents().is_some() {
            // It had been following: start over from a short wait.
            wait = RETRY_FIRST;
        }
        mirror.set(None);
        if error != last_error {
            tracing::warn!(
                collection = %name,
                %error,
                "reference mirror stopped; reading MongoDB until it follows again"
            );
            last_error = error;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(RETRY_MOST);
    }
}

/// Opens the change stream, then loads the collection, then reloads it after every change.
/// Returns only when following failed.
async fn follow<T>(collection: &Collection<T>, mirror: &Mirror<T>) -> FollowError
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    match follow_changes(collection, mirror).await {
        Ok(never) => match never {},
        Err(error) => error,
    }
}

async fn follow_changes<T>(
    collection: &Collection<T>,
    mirror: &Mirror<T>,
) -> Result<std::convert::Infallible, FollowError>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    // Watch first, load second: a change made between the two is in the stream, so it is
    // never missed. A plain `$changeStream` aggregation rather than the driver's `watch()`,
    // which cannot carry a `comment` to MongoDB 6.0; nothing needs resuming (any failure
    // starts over with a fresh load).
    let mut changes = collection
        .clone_with_type::<mongodb::bson::Document>()
        .aggregate([doc! { "$changeStream": {} }])
        .comment(mongodb::bson::Bson::from(MIRROR_COMMENT))
        .await?;
    loop {
        mirror.set(load(collection).await?);
        if changes.try_next().await?.is_none() {
            return Err(FollowError::Ended);
        }
    }
}

/// The whole collection, or `None` when it is too large to mirror.
async fn load<T>(collection: &Collection<T>) -> Result<Option<Arc<[T]>>, FollowError>
where
    T: DeserializeOwned + Send + Sync,
{
    let documents: Vec<T> = collection
        .find(doc! {})
        .comment(mongodb::bson::Bson::from(MIRROR_COMMENT))
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
