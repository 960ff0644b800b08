//! The cart subgraph: each signed-in user's cart, owned in the `cart` database.

mod catalog_client;
mod loaders;
mod schema;
mod store;

use async_graphql::SchemaBuilder;
use clap::Args;
use mongodb::Database;
use subgraph_kit::{AttachError, Batching, SeedOptions, Subgraph, sharding::ShardKey};

use crate::{
    catalog_client::CatalogClient,
    loaders::CartLoader,
    schema::{Mutation, Query, Subscription},
    store::CartStore,
};

struct Cart;

/// Cart's own settings.
#[derive(Debug, Clone, Args)]
struct CartOptions {
    /// The catalog subgraph's GraphQL endpoint, asked whether a product exists before it is added
    #[arg(
        long,
        env = "CATALOG_URL",
        default_value = "http://127.0.0.1:4001/graphql"
    )]
    catalog_url: String,
}

impl Subgraph for Cart {
    const NAME: &'static str = "cart";
    const DEFAULT_PORT: u16 = 4002;
    const ABOUT: &'static str = "Storefront cart subgraph: each signed-in user's cart";
    const SHARD_KEYS: &'static [ShardKey] = store::SHARD_KEYS;

    type Query = Query;
    type Mutation = Mutation;
    type Subscription = Subscription;
    type Options = CartOptions;

    async fn attach(
        builder: SchemaBuilder<Query, Mutation, Subscription>,
        database: Database,
        options: &CartOptions,
        batching: Batching,
    ) -> Result<SchemaBuilder<Query, Mutation, Subscription>, AttachError> {
        let store = CartStore::new(&database);
        store.ensure_indexes().await?;
        let loader = batching.loader(CartLoader::new(store.clone()));
        let catalog = CatalogClient::new(options.catalog_url.clone()).map_err(|err| {
            AttachError::Dependency {
                what: "the catalog client",
                reason: err.to_string(),
            }
        })?;
        let changes = store.follow_changes();
        Ok(builder.data(store).data(loader).data(catalog).data(changes))
    }

    async fn seed(database: &Database, _options: &SeedOptions) -> mongodb::error::Result<String> {
        // Carts are the users' own data: seeding only prepares the collection.
        CartStore::new(database).ensure_indexes().await?;
        Ok("prepared the carts collection (carts start empty)".to_owned())
    }
}

service_kit::global_allocator!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    subgraph_kit::run::<Cart>().await
}
