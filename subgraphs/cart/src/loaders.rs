//! Batched reads for cart: the router resolves `Cart` and `CartLine` entities by id, a batch
//! of them costs one read.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::store::{CartDoc, CartStore};

pub struct CartLoader {
    store: CartStore,
}

impl CartLoader {
    pub fn new(store: CartStore) -> Self {
        Self { store }
    }
}

/// A cart's id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CartId(pub String);

impl Loader<CartId> for CartLoader {
    type Value = CartDoc;
    type Error = mongodb::error::Error;

    async fn load(&self, keys: &[CartId]) -> Result<HashMap<CartId, CartDoc>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|key| key.0.clone()).collect();
        let carts = self.store.carts_by_ids(&ids).await?;
        Ok(carts
            .into_iter()
            .map(|cart| (CartId(cart.id.clone()), cart))
            .collect())
    }
}
