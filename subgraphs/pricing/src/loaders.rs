//! Batched reads for pricing: a batch of products costs one MongoDB command, reading their
//! prices (the running promotions come from memory, or with the prices in that command while
//! the promotions' mirror is not following); currency rates are batched the same way.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use chrono::Utc;
use rust_decimal::Decimal;
pub use subgraph_kit::batching::ProductId;

use crate::{money::CurrencyCode, store::PricingStore};

pub struct PricingLoader {
    store: PricingStore,
}

impl PricingLoader {
    pub fn new(store: PricingStore) -> Self {
        Self { store }
    }
}

/// What a product costs now: its list price and the best running promotion for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    pub list_price_cents: i64,
    pub percent_off: u32,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Mongo(#[from] mongodb::error::Error),
    #[error("stored rate {rate:?} for {currency} is not a decimal number")]
    BadRate {
        currency: &'static str,
        rate: String,
    },
}

impl subgraph_kit::errors::StorageFailure for LoadError {
    fn is_unavailable(&self) -> bool {
        match self {
            LoadError::Mongo(err) => err.is_unavailable(),
            LoadError::BadRate { .. } => false,
        }
    }
}

impl Loader<ProductId> for PricingLoader {
    type Value = Quote;
    type Error = Arc<LoadError>;

    async fn load(&self, keys: &[ProductId]) -> Result<HashMap<ProductId, Quote>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|key| key.0.clone()).collect();
        let (prices, promotions) = self
            .store
            .prices_and_active_promotions(&ids, Utc::now())
            .await
            .map_err(|err| Arc::new(err.into()))?;
        Ok(prices
            .into_values()
            .map(|price| {
                let percent_off = promotions
                    .iter()
                    .filter(|promotion| promotion.applies_to(&price.category_slug))
                    .map(|promotion| promotion.percent_off)
                    .max()
                    .unwrap_or(0);
                let quote = Quote {
                    list_price_cents: price.list_price_cents,
                    percent_off,
                };
                (ProductId(price.product_id), quote)
            })
            .collect())
    }
}

impl Loader<CurrencyCode> for PricingLoader {
    type Value = Decimal;
    type Error = Arc<LoadError>;

    async fn load(
        &self,
        keys: &[CurrencyCode],
    ) -> Result<HashMap<CurrencyCode, Decimal>, Self::Error> {
        let codes: Vec<String> = keys.iter().map(|c| c.code().to_owned()).collect();
        let rates = self
            .store
            .rates(&codes)
            .await
            .map_err(|err| Arc::new(err.into()))?;
        let mut found = HashMap::with_capacity(keys.len());
        for key in keys {
            if let Some(rate) = rates.iter().find(|rate| rate.currency == key.code()) {
                let per_usd = rate.per_usd.parse().map_err(|_| {
                    Arc::new(LoadError::BadRate {
                        currency: key.code(),
                        rate: rate.per_usd.clone(),
                    })
                })?;
                found.insert(*key, per_usd);
            }
        }
        Ok(found)
    }
}
