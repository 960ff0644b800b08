//! One change stream per collection, heard by every subscription in the process: a thousand
//! open subscriptions cost MongoDB one cursor, not a thousand. The stream resumes from its
//! resume token after a transient error, so no change is missed; where it cannot resume (the
//! oplog no longer holds the token) its listeners are told to re-read what they show.

use std::{convert::Infallible, sync::Arc, time::Duration};

use futures::TryStreamExt;
use mongodb::{
    Collection,
    bson::{Bson, Document, doc},
    change_stream::event::ChangeStreamEvent,
    error::ErrorKind,
};
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;

use crate::reference::{FollowError, MIRROR_COMMENT, StreamMetrics};

/// Changes kept for listeners that have not taken them yet. A listener further behind is told
/// to re-read ([`Heard::Resync`]) instead of holding more: memory stays bounded whatever the
/// number of subscriptions or the rate of writes.
const BACKLOG: usize = 1024;

/// How long to wait before following again after the stream failed, doubling up to the most
/// while it keeps failing.
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MOST: Duration = Duration::from_secs(5);

/// Server errors that mean the stream cannot resume from its token: the history it needs is
/// gone (`ChangeStreamHistoryLost`), the token is not one (`InvalidResumeToken`), or the stream
/// was ended for good (`ChangeStreamFatalError`).
const UNRESUMABLE: [i32; 3] = [286, 260, 280];

/// What a listener hears.
#[derive(Debug)]
pub enum Heard<D> {
    /// A change to one document (with the document as it is now, for inserts, updates and
    /// replacements).
    Changed(Arc<ChangeStreamEvent<D>>),
    /// Changes may have been missed (the stream started afresh, or this listener fell more
    /// than the backlog behind): re-read the current state.
    Resync,
}

impl<D> Clone for Heard<D> {
    fn clone(&self) -> Self {
        match self {
            Self::Changed(change) => Self::Changed(Arc::clone(change)),
            Self::Resync => Self::Resync,
        }
    }
}

/// A collection's changes, followed for as long as the process runs.
pub struct ChangeFeed<D> {
    sender: broadcast::Sender<Heard<D>>,
}

impl<D> Clone for ChangeFeed<D> {
    fn clone(&self) -> Self {
        Self {
            sender: self.sender.clone(),
        }
    }
}

impl<D> ChangeFeed<D>
where
    D: DeserializeOwned + Send + Sync + Unpin + 'static,
{
    /// Starts following `collection` in the background: every change `pipeline` (stages after
    /// `$changeStream`) lets through, with the full document as it is now.
    pub fn follow(collection: Collection<D>, pipeline: Vec<Document>) -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        tokio::spawn(keep_following(collection, pipeline, sender.clone()));
        Self { sender }
    }

    /// Hears every change from now on. Listen first, then read the current state: a change
    /// made between the two is heard, never missed.
    pub fn listen(&self) -> Listener<D> {
        Listener(self.sender.subscribe())
    }
}

/// One subscription's ear on a [`ChangeFeed`].
pub struct Listener<D>(broadcast::Receiver<Heard<D>>);

impl<D> Listener<D> {
    /// The next thing heard; waits for as long as nothing changes.
    pub async fn next(&mut self) -> Heard<D> {
        match self.0.recv().await {
            Ok(heard) => heard,
            Err(broadcast::error::RecvError::Lagged(_)) => Heard::Resync,
            // The feed lives as long as the process: nothing more will come.
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}

/// Follows for as long as the process runs, resuming (or starting afresh) after any failure.
async fn keep_following<D>(
    collection: Collection<D>,
    pipeline: Vec<Document>,
    sender: broadcast::Sender<Heard<D>>,
) where
    D: DeserializeOwned + Send + Sync + Unpin + 'static,
{
    let name = collection.name().to_owned();
    let metrics = StreamMetrics::of(&name);
    let mut resume_from = None;
    let mut wait = RETRY_FIRST;
    let mut last_error = String::new();
    loop {
        let mut followed = false;
        let Err(error) = follow(
            &collection,
            &pipeline,
            &sender,
            &metrics,
            &mut resume_from,
            &mut followed,
        )
        .await;
        metrics.following.set(0.0);
        metrics.restarts.increment(1);
        if cannot_resume(&error) {
            // The next stream starts from now and tells listeners to re-read.
            resume_from = None;
        }
        if followed {
            wait = RETRY_FIRST;
        }
        let error = error.to_string();
        if error != last_error {
            tracing::warn!(collection = %name, %error, resumes = resume_from.is_some(), "change feed stopped; following again");
            last_error = error;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(RETRY_MOST);
    }
}

/// Opens the stream (from `resume_from` when there is one) and passes on every change,
/// keeping `resume_from` at the last one. Returns only when following failed.
async fn follow<D>(
    collection: &Collection<D>,
    pipeline: &[Document],
    sender: &broadcast::Sender<Heard<D>>,
    metrics: &StreamMetrics,
    resume_from: &mut Option<Bson>,
    followed: &mut bool,
) -> Result<Infallible, FollowError>
where
    D: DeserializeOwned + Send + Sync + Unpin + 'static,
{
    // A plain `$changeStream` aggregation rather than the driver's `watch()`, which puts a
    // `comment` where MongoDB 6.0 refuses it; the comment keeps the stream's commands apart
    // from those serving requests. Its cursor does not resume by itself: this loop does.
    let mut stage = doc! { "fullDocument": "updateLookup" };
    if let Some(token) = resume_from.clone() {
        stage.insert("resumeAfter", token);
    }
    let resuming = resume_from.is_some();
    let mut stages = vec![doc! { "$changeStream": stage }];
    stages.extend(pipeline.iter().cloned());
    let mut changes = collection
        .clone_with_type::<Document>()
        .aggregate(stages)
        .comment(Bson::from(MIRROR_COMMENT))
        .await?;
    *followed = true;
    metrics.following.set(1.0);
    if !resuming {
        // Whatever happened before this stream opened is unknown to listeners.
        let _ = sender.send(Heard::Resync);
    }
    while let Some(change) = changes.try_next().await? {
        *resume_from = change.get("_id").cloned();
        let change: ChangeStreamEvent<D> = mongodb::bson::from_document(change)
            .map_err(|error| FollowError::Mongo(error.into()))?;
        metrics.heard(change.wall_time);
        // No listener is fine: nobody is subscribed right now.
        let _ = sender.send(Heard::Changed(Arc::new(change)));
    }
    Err(FollowError::Ended)
}

fn cannot_resume(error: &FollowError) -> bool {
    match error {
        FollowError::Mongo(error) => matches!(
            error.kind.as_ref(),
            ErrorKind::Command(command) if UNRESUMABLE.contains(&command.code)
        ),
        FollowError::Ended => false,
    }
}
