//! Batched reads for cart: the router resolves `Cart` and `CartLine` entities by id, a batch
//! of them costs one read.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use subgraph_kit::{batching::load_by_ids, id_key};

use crate::store::{CartDoc, CartStore};

pub struct CartLoader {
    store: CartStore,
}

impl CartLoader {
    pub fn new(store: CartStore) -> Self {
        Self { store }
    }
}

id_key!(
    /// A cart's id.
    CartId
);

impl Loader<CartId> for CartLoader {
    type Value = CartDoc;
    type Error = mongodb::error::Error;

    async fn load(&self, keys: &[CartId]) -> Result<HashMap<CartId, CartDoc>, Self::Error> {
        load_by_ids(
            keys,
            async |ids| self.store.carts_by_ids(ids).await,
            |cart| &cart.id,
        )
        .await
    }
}
