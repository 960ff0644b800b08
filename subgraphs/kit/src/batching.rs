//! How every subgraph batches its MongoDB reads: async-graphql DataLoaders that gather the keys
//! asked for by every request ready to run, then load them with one query.

use std::time::Duration;

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
