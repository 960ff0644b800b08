//! What makes a product's effective price change, heard in one place for every
//! `productPriceChanged` subscription in the process: a list price written (the prices'
//! change feed), a promotion or rate written (their mirrors reload), and a promotion window
//! opening or closing (a timer set to the next start or end, with no write at all).

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use futures::Stream;
use subgraph_kit::live::{ChangeFeed, Heard};
use tokio::sync::watch;

use crate::{
    loaders::{LoadError, PricingLoader, ProductId},
    money::{self, CurrencyCode, Money},
    store::{PriceDoc, PricingStore, PromotionDoc},
};

/// How long to wait before quoting again after MongoDB failed to answer.
const RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// The sources of price changes, shared by every subscription.
#[derive(Clone)]
pub struct PriceChanges {
    store: PricingStore,
    list_prices: ChangeFeed<PriceDoc>,
    /// Ticks whenever promotions or rates were reloaded or a promotion window opened or
    /// closed: any product's price may have changed.
    reference: watch::Receiver<()>,
}

impl PriceChanges {
    /// Starts following list prices and the promotion clock, for as long as the process runs.
    pub fn follow(store: &PricingStore) -> Self {
        let (tick, reference) = watch::channel(());
        if let Some((promotions, rates)) = store.mirrors() {
            tokio::spawn(tick_on_reference_changes(
                promotions.clone(),
                rates.reloads(),
                tick,
            ));
        }
        Self {
            store: store.clone(),
            list_prices: store.follow_price_changes(),
            reference,
        }
    }

    /// Announces to routers' entity caches what these sources change: a list price names its
    /// product; a promotion, a rate or a window opening or closing may change any price.
    pub fn announce_invalidations(&self) {
        let announcer = subgraph_kit::invalidation::announcer();
        announcer.follow(&self.list_prices, "Product");
        announcer.everything_on(self.reference.clone());
    }

    /// One event (the product's id) each time the effective price of one of `ids` in
    /// `currency` changes. Quotes once first, to know what changing means.
    pub fn watch(
        &self,
        ids: Vec<String>,
        currency: CurrencyCode,
    ) -> impl Stream<Item = String> + use<> {
        let loader = PricingLoader::new(self.store.clone());
        // Listen before the first quote: a change made in between is heard, not missed.
        let mut list_prices = self.list_prices.listen();
        let mut reference = self.reference.clone();
        reference.mark_unchanged();
        let watched: HashSet<String> = ids.iter().cloned().collect();
        async_stream::stream! {
            let mut shown: Option<HashMap<String, Money>> = None;
            let mut quote_again = true;
            loop {
                if quote_again {
                    match prices_now(&loader, &ids, currency).await {
                        Ok(now) => {
                            if let Some(before) = &shown {
                                for id in &ids {
                                    if before.get(id) != now.get(id) {
                                        yield id.clone();
                                    }
                                }
                            }
                            shown = Some(now);
                        }
                        Err(error) => {
                            tracing::warn!(%error, "cannot quote watched prices; trying again");
                            tokio::time::sleep(RETRY).await;
                            continue;
                        }
                    }
                }
                tokio::select! {
                    heard = list_prices.next() => match heard {
                        Heard::Changed(change) => {
                            let id = change.document_key.as_ref().and_then(|key| key.get_str("_id").ok());
                            quote_again = id.is_some_and(|id| watched.contains(id));
                        }
                        Heard::Resync => quote_again = true,
                    },
                    changed = reference.changed() => {
                        quote_again = true;
                        // The sender lives as long as the clock task, which never ends.
                        if changed.is_err() {
                            std::future::pending::<()>().await;
                        }
                    }
                }
            }
        }
    }
}

/// The effective prices of `ids` in `currency` now.
async fn prices_now(
    loader: &PricingLoader,
    ids: &[String],
    currency: CurrencyCode,
) -> Result<HashMap<String, Money>, Arc<LoadError>> {
    let keys: Vec<ProductId> = ids.iter().cloned().map(ProductId).collect();
    let quotes = Loader::<ProductId>::load(loader, &keys).await?;
    let per_usd = if currency == CurrencyCode::Usd {
        rust_decimal::Decimal::ONE
    } else {
        match Loader::<CurrencyCode>::load(loader, &[currency])
            .await?
            .get(&currency)
        {
            Some(rate) => *rate,
            // No rate: nothing in this currency has a price to compare.
            None => return Ok(HashMap::new()),
        }
    };
    Ok(quotes
        .into_iter()
        .map(|(ProductId(id), quote)| {
            let usd = money::discounted_usd(quote.list_price_cents, quote.percent_off);
            (id, money::convert(usd, currency, per_usd))
        })
        .collect())
}

/// Ticks `tick` whenever promotions or rates reload, and at each moment a promotion window
/// opens or closes.
async fn tick_on_reference_changes(
    promotions: subgraph_kit::reference::Mirror<PromotionDoc>,
    mut rates: watch::Receiver<()>,
    tick: watch::Sender<()>,
) {
    let mut promotion_reloads = promotions.reloads();
    loop {
        // Without the mirror (not following), nothing is known of the windows; its return
        // is a reload, which ticks.
        let next = promotions
            .documents()
            .and_then(|all| next_boundary(&all, Utc::now()));
        let until_next = async {
            match next {
                Some(at) => {
                    let wait = (at - Utc::now()).to_std().unwrap_or_default();
                    // A millisecond past the boundary, so quoting then sees the new window.
                    tokio::time::sleep(wait + std::time::Duration::from_millis(1)).await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = promotion_reloads.changed() => {}
            _ = rates.changed() => {}
            () = until_next => {}
        }
        tick.send_replace(());
    }
}

/// The first moment after `now` at which one of `promotions` starts or ends.
fn next_boundary(promotions: &[PromotionDoc], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    promotions
        .iter()
        .flat_map(|promotion| [promotion.starts_at, promotion.ends_at])
        .filter(|moment| *moment > now)
        .min()
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn promotion(starts: i64, ends: i64, now: DateTime<Utc>) -> PromotionDoc {
        PromotionDoc {
            id: "p".to_owned(),
            title: "p".to_owned(),
            percent_off: 10,
            category_slugs: Vec::new(),
            starts_at: now + Duration::seconds(starts),
            ends_at: now + Duration::seconds(ends),
        }
    }

    #[test]
    fn the_next_boundary_is_the_soonest_start_or_end_still_ahead() {
        let now = Utc::now();
        let promotions = [promotion(-60, 30, now), promotion(10, 90, now)];
        assert_eq!(
            next_boundary(&promotions, now),
            Some(now + Duration::seconds(10))
        );
        assert_eq!(
            next_boundary(&promotions, now + Duration::seconds(10)),
            Some(now + Duration::seconds(30))
        );
        assert_eq!(
            next_boundary(&promotions, now + Duration::seconds(90)),
            None
        );
    }
}
