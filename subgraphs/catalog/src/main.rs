//! The catalog subgraph: products and categories, owned in the `catalog` database.

mod cursor;
mod loaders;
mod schema;
mod store;

use async_graphql::{EmptyMutation, EmptySubscription, SchemaBuilder};
use mongodb::Database;
use subgraph_kit::{AttachError, Batching, NoOptions, SeedOptions, Subgraph, sharding::ShardKey};

use crate::{loaders::CatalogLoader, schema::Query, store::CatalogStore};

struct Catalog;

impl Subgraph for Catalog {
    const NAME: &'static str = "catalog";
    const DEFAULT_PORT: u16 = 4001;
    const ABOUT: &'static str = "Storefront catalog subgraph: products, categories and search";
    const SHARD_KEYS: &'static [ShardKey] = store::SHARD_KEYS;

    type Query = Query;
    type Mutation = EmptyMutation;
    type Subscription = EmptySubscription;
    type Options = NoOptions;

    async fn attach(
        builder: SchemaBuilder<Query, EmptyMutation, EmptySubscription>,
        database: Database,
        _options: &NoOptions,
        batching: Batching,
    ) -> Result<SchemaBuilder<Query, EmptyMutation, EmptySubscription>, AttachError> {
        let store = CatalogStore::new(&database).mirroring_reference_data();
        store.ensure_indexes().await?;
        store.announce_invalidations();
        let loader = batching.loader(CatalogLoader::new(store.clone()));
        Ok(builder.data(store).data(loader))
    }

    async fn seed(database: &Database, options: &SeedOptions) -> mongodb::error::Result<String> {
        let store = CatalogStore::new(database);
        store.ensure_indexes().await?;
        let (categories, products) = store.seed(options.products).await?;
        Ok(format!(
            "seeded {categories} categories and {products} products"
        ))
    }
}

service_kit::global_allocator!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    subgraph_kit::run::<Catalog>().await
}
