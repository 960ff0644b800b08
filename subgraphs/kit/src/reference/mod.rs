//! What a subgraph keeps in memory and fresh by a MongoDB change stream, so a request reads it
//! without a round trip and a write to MongoDB shows within milliseconds: small reference
//! collections ([`Mirror`]: categories, promotions, exchange rates) and counts that grow with
//! the data ([`Counts`]: products per category). While the stream is not following (MongoDB out
//! of reach, not a replica set) nothing is kept and callers read MongoDB as before: a copy that
//! might be stale is never served.

mod counts;
mod mirror;

use std::{convert::Infallible, time::Duration};

use futures::TryStreamExt;
use mongodb::{
    Collection,
    bson::{Bson, Document, doc},
};

pub use counts::{CountTicket, Counts};
pub use mirror::Mirror;

/// The `comment` on the followers' own commands: the command monitor counts them apart from
/// the commands serving requests (see [`crate::mongo`]).
pub const MIRROR_COMMENT: &str = "storefront-reference-mirror";

/// How long to wait before following again after the stream failed, doubling up to the
/// second while it keeps failing.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MOST: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub(crate) enum FollowError {
    #[error(transparent)]
    Mongo(#[from] mongodb::error::Error),
    #[error("the change stream ended")]
    Ended,
}

/// What a change stream keeps current.
trait Follower: Send + Sync + 'static {
    /// The stages after `$changeStream`: which changes this follower needs to hear of, and
    /// which of their fields.
    fn wanted_changes(&self) -> Vec<Document>;
    /// The stream is open: from here on no change is missed, so the follower may load.
    fn following(&self) -> impl Future<Output = Result<(), FollowError>> + Send;
    /// One change the stream reported.
    fn changed(&self, change: Document) -> impl Future<Output = Result<(), FollowError>> + Send;
    /// The stream stopped following: forget everything kept (readers go to MongoDB).
    fn stopped(&self);
    /// Whether the follower currently serves what it keeps.
    fn is_following(&self) -> bool;
}

/// Follows `collection` for as long as the process runs, starting over after any failure.
async fn keep_following<T>(collection: Collection<T>, follower: impl Follower)
where
    T: Send + Sync,
{
    let name = collection.name().to_owned();
    let metrics = StreamMetrics::of(&name);
    let collection = collection.clone_with_type::<Document>();
    let mut wait = RETRY_FIRST;
    let mut last_error = String::new();
    loop {
        let error = match follow(&collection, &follower, &metrics).await {
            Ok(never) => match never {},
            Err(error) => error.to_string(),
        };
        if follower.is_following() {
            // It had been following: start over from a short wait.
            wait = RETRY_FIRST;
        }
        follower.stopped();
        metrics.following.set(0.0);
        metrics.restarts.increment(1);
        if error != last_error {
            tracing::warn!(
                collection = %name,
                %error,
                "change stream stopped; reading MongoDB until it follows again"
            );
            last_error = error;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(RETRY_MOST);
    }
}

/// One collection's change-stream metrics, labelled once: whether it follows, the changes it
/// reported and how late, and how often it had to start over.
pub(crate) struct StreamMetrics {
    pub(crate) following: metrics::Gauge,
    events: metrics::Counter,
    lag: metrics::Histogram,
    pub(crate) restarts: metrics::Counter,
}

impl StreamMetrics {
    pub(crate) fn of(collection: &str) -> Self {
        let label = || ("collection", collection.to_owned());
        let metrics = Self {
            following: metrics::gauge!("change_stream_following", &[label()]),
            events: metrics::counter!("change_stream_events_total", &[label()]),
            lag: metrics::histogram!("change_stream_lag_seconds", &[label()]),
            restarts: metrics::counter!("change_stream_restarts_total", &[label()]),
        };
        // Present from the start, so a dashboard or alert sees 0 rather than nothing.
        metrics.following.set(0.0);
        metrics.restarts.increment(0);
        metrics
    }

    /// One change heard, written at `written` (MongoDB's `wallTime`): counted, and how late
    /// this process heard of it recorded.
    pub(crate) fn heard(&self, written: Option<mongodb::bson::DateTime>) {
        self.events.increment(1);
        if let Some(written) = written {
            let behind =
                mongodb::bson::DateTime::now().timestamp_millis() - written.timestamp_millis();
            self.lag.record(behind.max(0) as f64 / 1000.0);
        }
    }
}

/// Opens the change stream, then lets the follower load, then tells it of every change.
/// Returns only when following failed.
async fn follow(
    collection: &Collection<Document>,
    follower: &impl Follower,
    metrics: &StreamMetrics,
) -> Result<Infallible, FollowError> {
    // Watch first, load second: a change made between the two is in the stream, so it is
    // never missed. A plain `$changeStream` aggregation rather than the driver's `watch()`,
    // which cannot carry a `comment` to MongoDB 6.0; nothing needs resuming (any failure
    // starts over with a fresh load).
    let mut pipeline = vec![doc! { "$changeStream": {} }];
    pipeline.extend(follower.wanted_changes());
    let mut changes = collection
        .aggregate(pipeline)
        .comment(Bson::from(MIRROR_COMMENT))
        .await?;
    follower.following().await?;
    metrics.following.set(1.0);
    loop {
        let Some(change) = changes.try_next().await? else {
            return Err(FollowError::Ended);
        };
        metrics.heard(change.get_datetime("wallTime").ok().copied());
        follower.changed(change).await?;
    }
}
