//! Following one subgraph's invalidation channel (`GET /invalidations`, Server-Sent Events):
//! its cache follows from the channel's `ready` on, forgets what each announcement names, and
//! goes dark (serves and stores nothing, forgets everything) the moment the channel breaks or
//! falls silent for longer than its heartbeat allows, until it follows again.

use std::{sync::Arc, time::Duration};

use futures::StreamExt;
use hive_router::background_tasks::{BackgroundTask, CancellationToken};
use serde::Deserialize;

use super::{
    metrics::CacheMetrics,
    store::{Store, SubgraphState},
};

/// How long the channel may be silent (subgraphs send a `ping` every second) before the cache
/// treats it as cut: a partition closes no connection.
const SILENCE_LIMIT: Duration = Duration::from_secs(3);
/// How long to wait before following again, doubling up to the most.
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MOST: Duration = Duration::from_secs(5);

/// An announcement, as `subgraph_kit::invalidation` sends it.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Announcement {
    Changed { typename: String, ids: Vec<String> },
    Everything,
}

/// Why following stopped.
#[derive(Debug, thiserror::Error)]
enum ChannelError {
    #[error("cannot reach it: {0}")]
    Unreachable(#[from] reqwest::Error),
    #[error("it answered HTTP {0}")]
    Refused(reqwest::StatusCode),
    #[error("silent for {0:?}")]
    Silent(Duration),
    #[error("it ended")]
    Ended,
    #[error("unreadable event: {0}")]
    Unreadable(String),
}

/// The background task following one subgraph's channel for the router's life.
pub struct Follower {
    pub store: Arc<Store>,
    pub state: Arc<SubgraphState>,
    pub url: String,
    pub metrics: Arc<CacheMetrics>,
}

#[hive_router::async_trait]
impl BackgroundTask for Follower {
    fn id(&self) -> &str {
        "storefront_entity_cache_channel"
    }

    async fn run(&self, token: CancellationToken) {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .build()
            .expect("a plain HTTP client builds");
        let mut wait = RETRY_FIRST;
        let mut last_error = String::new();
        loop {
            let mut followed = false;
            let error = tokio::select! {
                () = token.cancelled() => break,
                error = self.follow(&client, &mut followed) => error,
            };
            if self.state.is_live() {
                self.store.go_dark(&self.state);
                self.metrics.gap(&self.state.name);
            }
            if followed {
                wait = RETRY_FIRST;
            }
            let error = error.to_string();
            if error != last_error {
                tracing::warn!(subgraph = %self.state.name, url = %self.url, %error, "entity cache: invalidation channel lost; not caching this subgraph until it follows again");
                last_error = error;
            }
            tokio::select! {
                () = token.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
            wait = (wait * 2).min(RETRY_MOST);
        }
        self.store.go_dark(&self.state);
    }
}

impl Follower {
    /// Follows until the channel breaks, goes silent or sends what it should not.
    async fn follow(&self, client: &reqwest::Client, followed: &mut bool) -> ChannelError {
        let response = match client.get(&self.url).send().await {
            Ok(response) if response.status().is_success() => response,
            Ok(response) => return ChannelError::Refused(response.status()),
            Err(error) => return error.into(),
        };
        let chunks = futures::stream::unfold(response, |mut response| async move {
            let chunk = response.chunk().await.transpose()?;
            Some((chunk, response))
        });
        let mut events = std::pin::pin!(eventsource_stream::Eventsource::eventsource(chunks));
        loop {
            let event = match tokio::time::timeout(SILENCE_LIMIT, events.next()).await {
                Err(_) => return ChannelError::Silent(SILENCE_LIMIT),
                Ok(None) => return ChannelError::Ended,
                Ok(Some(Err(error))) => return ChannelError::Unreadable(error.to_string()),
                Ok(Some(Ok(event))) => event,
            };
            match event.event.as_str() {
                "ready" => {
                    self.store.go_live(&self.state);
                    *followed = true;
                    tracing::info!(subgraph = %self.state.name, "entity cache: following the invalidation channel");
                }
                "ping" => {}
                _ => match serde_json::from_str::<Announcement>(&event.data) {
                    Ok(Announcement::Changed { typename, ids }) => {
                        self.store.invalidate(&self.state, &typename, &ids);
                        self.metrics
                            .invalidated(&self.state.name, "changed", ids.len());
                    }
                    Ok(Announcement::Everything) => {
                        self.store.flush(&self.state);
                        self.metrics.invalidated(&self.state.name, "everything", 1);
                    }
                    Err(error) => return ChannelError::Unreadable(error.to_string()),
                },
            }
        }
    }
}
