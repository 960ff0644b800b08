//! Batched reads for recommendation: related lists for a batch of products in one read.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
pub use subgraph_kit::batching::ProductId;
use subgraph_kit::batching::load_by_ids;

use crate::store::{RecommendationStore, RelatedDoc};

pub struct RelatedLoader {
    store: RecommendationStore,
}

impl RelatedLoader {
    pub fn new(store: RecommendationStore) -> Self {
        Self { store }
    }
}

impl Loader<ProductId> for RelatedLoader {
    type Value = RelatedDoc;
    type Error = mongodb::error::Error;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, RelatedDoc>, Self::Error> {
        load_by_ids(
            keys,
            async |ids| self.store.related_by_product_ids(ids).await,
            |doc| &doc.product_id,
        )
        .await
    }
}
