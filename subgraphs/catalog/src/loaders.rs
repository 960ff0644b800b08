//! Batched reads for catalog: every key type below is gathered across a request's resolvers
//! and answered with one MongoDB command per batch, so a page of N products never costs N.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use mongodb::error::Error;
pub use subgraph_kit::batching::ProductId;
use subgraph_kit::{batching::load_by_ids, id_key};

use crate::store::{CatalogStore, CategoryDoc, PageKey, ProductDoc};

/// One loader for every catalog key type; `DataLoader<CatalogLoader>` batches each separately.
pub struct CatalogLoader {
    store: CatalogStore,
}

impl CatalogLoader {
    pub fn new(store: CatalogStore) -> Self {
        Self { store }
    }
}

id_key!(CategoryId);
id_key!(CategorySlug);

/// The number of products in a category, or in the whole catalog for `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductCount(pub Option<String>);

impl Loader<ProductId> for CatalogLoader {
    type Value = ProductDoc;
    type Error = Error;

    async fn load(&self, keys: &[ProductId]) -> Result<HashMap<ProductId, ProductDoc>, Error> {
        load_by_ids(
            keys,
            async |ids| self.store.products_by_ids(ids).await,
            |product| &product.id,
        )
        .await
    }
}

impl Loader<CategoryId> for CatalogLoader {
    type Value = CategoryDoc;
    type Error = Error;

    async fn load(&self, keys: &[CategoryId]) -> Result<HashMap<CategoryId, CategoryDoc>, Error> {
        load_by_ids(
            keys,
            async |ids| self.store.categories_by_ids(ids).await,
            |category| &category.id,
        )
        .await
    }
}

impl Loader<CategorySlug> for CatalogLoader {
    type Value = CategoryDoc;
    type Error = Error;

    async fn load(
        &self,
        keys: &[CategorySlug],
    ) -> Result<HashMap<CategorySlug, CategoryDoc>, Error> {
        load_by_ids(
            keys,
            async |slugs| self.store.categories_by_slugs(slugs).await,
            |category| &category.slug,
        )
        .await
    }
}

impl Loader<PageKey> for CatalogLoader {
    type Value = Vec<ProductDoc>;
    type Error = Error;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, Vec<ProductDoc>>, Error> {
        self.store.product_pages(keys).await
    }
}

impl Loader<ProductCount> for CatalogLoader {
    type Value = u64;
    type Error = Error;

    async fn load(&self, keys: &[ProductCount]) -> Result<HashMap<ProductCount, u64>, Error> {
        let categories: Vec<Option<String>> = keys.iter().map(|key| key.0.clone()).collect();
        let counts = self.store.count_products(&categories).await?;
        Ok(counts
            .into_iter()
            .map(|(category, count)| (ProductCount(category), count))
            .collect())
    }
}
