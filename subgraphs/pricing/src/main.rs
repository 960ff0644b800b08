//! The pricing subgraph: list prices, currency rates and promotions, owned in the `pricing`
//! database, served as fields on the catalog's `Product`.

mod live;
mod loaders;
mod money;
mod schema;
mod store;

use async_graphql::{EmptyMutation, SchemaBuilder};
use mongodb::Database;
use subgraph_kit::{AttachError, Batching, NoOptions, SeedOptions, Subgraph, sharding::ShardKey};

use crate::{
    live::PriceChanges,
    loaders::PricingLoader,
    schema::{Query, Subscription},
    store::PricingStore,
};

struct Pricing;

impl Subgraph for Pricing {
    const NAME: &'static str = "pricing";
    const DEFAULT_PORT: u16 = 4003;
    const ABOUT: &'static str = "Storefront pricing subgraph: prices, currencies and promotions";
    const SHARD_KEYS: &'static [ShardKey] = store::SHARD_KEYS;

    type Query = Query;
    type Mutation = EmptyMutation;
    type Subscription = Subscription;
    type Options = NoOptions;

    async fn attach(
        builder: SchemaBuilder<Query, EmptyMutation, Subscription>,
        database: Database,
        _options: &NoOptions,
        batching: Batching,
    ) -> Result<SchemaBuilder<Query, EmptyMutation, Subscription>, AttachError> {
        let store = PricingStore::new(&database).mirroring_reference_data();
        store.ensure_indexes().await?;
        let loader = batching.loader(PricingLoader::new(store.clone()));
        let changes = PriceChanges::follow(&store);
        changes.announce_invalidations();
        Ok(builder.data(store).data(loader).data(changes))
    }

    async fn seed(database: &Database, options: &SeedOptions) -> mongodb::error::Result<String> {
        let store = PricingStore::new(database);
        store.ensure_indexes().await?;
        let (prices, promotions) = store.seed(options.products, chrono::Utc::now()).await?;
        Ok(format!(
            "seeded {prices} prices, 3 currency rates and {promotions} promotions"
        ))
    }
}

service_kit::global_allocator!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    subgraph_kit::run::<Pricing>().await
}
