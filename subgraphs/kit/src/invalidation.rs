//! What changed in this subgraph's data, announced to the routers that cache its entities
//! (`GET /invalidations`, Server-Sent Events). Announcements come from the same change feeds
//! the subscriptions hear, so a router's cache is as fresh as a subscription: an entity is
//! named as soon as its document changed, and whenever changes may have been missed (a feed
//! started afresh, a listener fell behind) everything is named at once.

use std::{convert::Infallible, sync::LazyLock, time::Duration};

use axum::response::sse::{Event, Sse};
use futures::Stream;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;

use crate::live::{ChangeFeed, Heard};

/// Announcements kept for a router that has not read them yet; one further behind is told
/// that everything changed instead: memory stays bounded whatever the write rate.
const BACKLOG: usize = 4096;

/// How often the channel says it is alive (a `ping` event, which an SSE reader sees, where a
/// comment would be skipped); a router that hears nothing for a few of these treats the
/// channel as cut (a partition closes no connection).
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// One thing a router must forget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Announcement {
    /// These entities of `typename` (by their `id` key) changed.
    Changed { typename: String, ids: Vec<String> },
    /// Anything may have changed: forget every entity of this subgraph.
    Everything,
}

/// This process's announcements (one subgraph per process).
pub struct Announcer {
    sender: broadcast::Sender<Announcement>,
}

static ANNOUNCER: LazyLock<Announcer> = LazyLock::new(|| Announcer {
    sender: broadcast::channel(BACKLOG).0,
});

/// The process's announcer.
pub fn announcer() -> &'static Announcer {
    &ANNOUNCER
}

impl Announcer {
    pub fn announce(&self, announcement: Announcement) {
        metrics::counter!("entity_invalidations_announced_total", "kind" => announcement.kind())
            .increment(1);
        // No router listening is fine: none caches this subgraph right now.
        let _ = self.sender.send(announcement);
    }

    /// Announces every change `feed` hears as a change to the `typename` entity whose `id` is
    /// the document's `_id`, for as long as the process runs.
    pub fn follow<D>(&'static self, feed: &ChangeFeed<D>, typename: &'static str)
    where
        D: DeserializeOwned + Send + Sync + Unpin + 'static,
    {
        let mut listener = feed.listen();
        tokio::spawn(async move {
            loop {
                let announcement = match listener.next().await {
                    Heard::Changed(change) => {
                        let id = change
                            .document_key
                            .as_ref()
                            .and_then(|key| key.get_str("_id").ok());
                        match id {
                            Some(id) => Announcement::Changed {
                                typename: typename.to_owned(),
                                ids: vec![id.to_owned()],
                            },
                            None => Announcement::Everything,
                        }
                    }
                    Heard::Resync => Announcement::Everything,
                };
                self.announce(announcement);
            }
        });
    }

    /// Announces [`Announcement::Everything`] at each tick of `ticks` (a mirror reloaded, a
    /// clock passed a boundary), for as long as its sender lives.
    pub fn everything_on(&'static self, mut ticks: tokio::sync::watch::Receiver<()>) {
        ticks.mark_unchanged();
        tokio::spawn(async move {
            while ticks.changed().await.is_ok() {
                self.announce(Announcement::Everything);
            }
        });
    }

    /// The channel one router follows: `ready` first (from then on nothing is missed), then
    /// every announcement as an event of its kind, and a heartbeat while idle; it ends when
    /// the process shuts down. `slot` is the open stream's share of the process's cap.
    pub fn channel(
        &self,
        slot: tokio::sync::OwnedSemaphorePermit,
    ) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
        let mut receiver = self.sender.subscribe();
        let events = async_stream::stream! {
            let _slot = slot;
            yield Ok(Event::default().event("ready").data("{}"));
            let mut stopping = std::pin::pin!(service_kit::server::shutting_down());
            let mut heartbeat = tokio::time::interval(HEARTBEAT);
            heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let announcement = tokio::select! {
                    _ = heartbeat.tick() => {
                        yield Ok(Event::default().event("ping").data("{}"));
                        continue;
                    }
                    heard = receiver.recv() => match heard {
                        Ok(announcement) => announcement,
                        Err(broadcast::error::RecvError::Lagged(_)) => Announcement::Everything,
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                    () = &mut stopping => break,
                };
                let data = serde_json::to_string(&announcement).expect("announcements serialize");
                yield Ok(Event::default().event(announcement.kind()).data(data));
            }
        };
        Sse::new(events)
    }
}

impl Announcement {
    fn kind(&self) -> &'static str {
        match self {
            Self::Changed { .. } => "changed",
            Self::Everything => "everything",
        }
    }
}
