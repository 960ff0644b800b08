//! The recommendation subgraph: related products, owned in the `recommendation` database.

mod loaders;
mod schema;
mod store;

use async_graphql::{EmptyMutation, EmptySubscription, SchemaBuilder};
use mongodb::Database;
use subgraph_kit::{AttachError, Batching, NoOptions, SeedOptions, Subgraph, sharding::ShardKey};

use crate::{loaders::RelatedLoader, schema::Query, store::RecommendationStore};

struct Recommendation;

impl Subgraph for Recommendation {
    const NAME: &'static str = "recommendation";
    const DEFAULT_PORT: u16 = 4004;
    const ABOUT: &'static str = "Storefront recommendation subgraph: related products";
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
        let store = RecommendationStore::new(&database);
        store.announce_invalidations();
        let loader = batching.loader(RelatedLoader::new(store));
        Ok(builder.data(loader))
    }

    async fn seed(database: &Database, options: &SeedOptions) -> mongodb::error::Result<String> {
        let related = RecommendationStore::new(database)
            .seed(options.products)
            .await?;
        Ok(format!("seeded related products for {related} products"))
    }
}

service_kit::global_allocator!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    subgraph_kit::run::<Recommendation>().await
}
