//! Batched reads for recommendation: related lists for a batch of products in one read.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::store::RecommendationStore;

pub struct RelatedLoader {
    store: RecommendationStore,
}

impl RelatedLoader {
    pub fn new(store: RecommendationStore) -> Self {
        Self { store }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductId(pub String);

impl Loader<ProductId> for RelatedLoader {
    type Value = Vec<String>;
    type Error = mongodb::error::Error;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Vec<String>>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|key| key.0.clone()).collect();
        let related = self.store.related_by_product_ids(&ids).await?;
        Ok(related
            .into_iter()
            .map(|(id, list)| (ProductId(id), list))
            .collect())
    }
}
