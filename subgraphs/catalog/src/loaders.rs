//! Batched reads for catalog: every key type below is gathered across a request's resolvers
//! and answered with one MongoDB command per batch, so a page of N products never costs N.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use mongodb::error::Error;

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

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductId(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategoryId(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategorySlug(pub String);

/// The number of products in a category, or in the whole catalog for `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductCount(pub Option<String>);

impl Loader<ProductId> for CatalogLoader {
    type Value = ProductDoc;
    type Error = Error;

    async fn load(&self, keys: &[ProductId]) -> Result<HashMap<ProductId, ProductDoc>, Error> {
        let ids: Vec<String> = keys.iter().map(|key| key.0.clone()).collect();
        let products = self.store.products_by_ids(&ids).await?;
        Ok(products
            .into_iter()
            .map(|product| (ProductId(product.id.clone()), product))
            .collect())
    }
}

impl Loader<CategoryId> for CatalogLoader {
    type Value = CategoryDoc;
    type Error = Error;

    async fn load(&self, keys: &[CategoryId]) -> Result<HashMap<CategoryId, CategoryDoc>, Error> {
        let ids: Vec<String> = keys.iter().map(|key| key.0.clone()).collect();
        let categories = self.store.categories_by_ids(&ids).await?;
        Ok(categories
            .into_iter()
            .map(|category| (CategoryId(category.id.clone()), category))
            .collect())
    }
}

impl Loader<CategorySlug> for CatalogLoader {
    type Value = CategoryDoc;
    type Error = Error;

    async fn load(
        &self,
        keys: &[CategorySlug],
    ) -> Result<HashMap<CategorySlug, CategoryDoc>, Error> {
        let slugs: Vec<String> = keys.iter().map(|key| key.0.clone()).collect();
        let categories = self.store.categories_by_slugs(&slugs).await?;
        Ok(categories
            .into_iter()
            .map(|category| (CategorySlug(category.slug.clone()), category))
            .collect())
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
