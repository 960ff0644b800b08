//! Pricing's MongoDB access: list prices (exact USD cents per product, with the product's
//! category for promotion matching), currency rates and promotions in the `pricing` database.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use mongodb::{
    Collection, Database, IndexModel,
    bson::{Document, doc},
    error::Result,
};
use serde::{Deserialize, Serialize};

use subgraph_kit::{
    live::ChangeFeed,
    mongo,
    reference::Mirror,
    sharding::{KeyKind, ShardKey},
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PriceDoc {
    /// The product id.
    #[serde(rename = "_id")]
    pub product_id: String,
    pub category_slug: String,
    pub list_price_cents: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateDoc {
    /// ISO currency code.
    #[serde(rename = "_id")]
    pub currency: String,
    /// Units of the currency per US dollar, as an exact decimal string.
    pub per_usd: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PromotionDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub title: String,
    pub percent_off: u32,
    /// Categories the promotion applies to; empty means every product.
    pub category_slugs: Vec<String>,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    pub ends_at: DateTime<Utc>,
}

impl PromotionDoc {
    pub fn applies_to(&self, category_slug: &str) -> bool {
        self.category_slugs.is_empty() || self.category_slugs.iter().any(|s| s == category_slug)
    }

    /// Whether its window contains `now` (as [`running_at`] asks MongoDB).
    fn runs_at(&self, now: DateTime<Utc>) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

/// The filter matching promotions whose window contains `now`.
fn running_at(now: DateTime<Utc>) -> Document {
    let now = bson::DateTime::from_chrono(now);
    doc! { "starts_at": { "$lte": now }, "ends_at": { "$gt": now } }
}

/// How pricing would be sharded: list prices by product id, what every quote looks them up by;
/// rates and promotions are small and stay unsharded (docs/sharding.md).
pub const SHARD_KEYS: &[ShardKey] = &[ShardKey {
    collection: "prices",
    fields: &[("_id", KeyKind::Ranged)],
}];

#[derive(Clone)]
pub struct PricingStore {
    prices: Collection<PriceDoc>,
    rates: Collection<RateDoc>,
    promotions: Collection<PromotionDoc>,
    /// Promotions and rates in memory while change streams follow them (every quote reads
    /// them; they change rarely), so a quote reads only its prices.
    mirrors: Option<(Mirror<PromotionDoc>, Mirror<RateDoc>)>,
}

impl PricingStore {
    pub fn new(database: &Database) -> Self {
        Self {
            prices: database.collection("prices"),
            rates: database.collection("rates"),
            promotions: database.collection("promotions"),
            mirrors: None,
        }
    }

    /// Serves promotions and rates from memory, kept current by change streams (see
    /// [`subgraph_kit::reference`]): a promotion written to MongoDB shows in prices within
    /// milliseconds; while a stream is not following, they are read from MongoDB.
    pub fn mirroring_reference_data(mut self) -> Self {
        self.mirrors = Some((
            Mirror::follow(self.promotions.clone()),
            Mirror::follow(self.rates.clone()),
        ));
        self
    }

    /// The promotions and rates mirrors, when the store keeps them.
    pub fn mirrors(&self) -> Option<&(Mirror<PromotionDoc>, Mirror<RateDoc>)> {
        self.mirrors.as_ref()
    }

    /// Every change to list prices, followed once for the whole process.
    pub fn follow_price_changes(&self) -> ChangeFeed<PriceDoc> {
        ChangeFeed::follow(self.prices.clone(), Vec::new())
    }

    /// The promotions running at `now`, from the mirror when it is current.
    fn mirrored_promotions(&self, now: DateTime<Utc>) -> Option<Vec<PromotionDoc>> {
        self.mirrors.as_ref()?.0.select(|p| p.runs_at(now))
    }

    pub async fn ensure_indexes(&self) -> Result<()> {
        self.promotions
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "starts_at": 1, "ends_at": 1 })
                    .build(),
            )
            .await?;
        Ok(())
    }

    /// What quoting a batch of products needs, in one command: their prices, by product id,
    /// and the promotions running at `now` (a `$unionWith` branch whose documents come wrapped
    /// in `{ _promotion: … }`, a name no price document has, so the two kinds can be told
    /// apart).
    pub async fn prices_and_active_promotions(
        &self,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<(HashMap<String, PriceDoc>, Vec<PromotionDoc>)> {
        if let Some(promotions) = self.mirrored_promotions(now) {
            let prices = mongo::find_in(&self.prices, "_id", ids).await?;
            let prices = prices
                .into_iter()
                .map(|price| (price.product_id.clone(), price))
                .collect();
            return Ok((prices, promotions));
        }
        let pipeline = [
            doc! { "$match": { "_id": { "$in": ids } } },
            doc! { "$unionWith": {
                "coll": self.promotions.name(),
                "pipeline": [
                    { "$match": running_at(now) },
                    { "$replaceWith": { "_promotion": "$$ROOT" } },
                ],
            } },
        ];
        let mut cursor = self.prices.aggregate(pipeline).await?;
        let mut prices = HashMap::with_capacity(ids.len());
        let mut promotions = Vec::new();
        while let Some(document) = cursor.try_next().await? {
            match document.get_document("_promotion") {
                Ok(promotion) => promotions.push(bson::from_document(promotion.clone())?),
                Err(_) => {
                    let price: PriceDoc = bson::from_document(document)?;
                    prices.insert(price.product_id.clone(), price);
                }
            }
        }
        Ok((prices, promotions))
    }

    pub async fn rates(&self, currencies: &[String]) -> Result<Vec<RateDoc>> {
        let mirrored = self
            .mirrors
            .as_ref()
            .and_then(|(_, rates)| rates.select(|rate| currencies.contains(&rate.currency)));
        if let Some(rates) = mirrored {
            return Ok(rates);
        }
        self.rates
            .find(doc! { "_id": { "$in": currencies } })
            .await?
            .try_collect()
            .await
    }

    /// Promotions whose window contains `now`, soonest-ending first.
    pub async fn active_promotions(&self, now: DateTime<Utc>) -> Result<Vec<PromotionDoc>> {
        if let Some(mut promotions) = self.mirrored_promotions(now) {
            promotions.sort_by(|a, b| (a.ends_at, &a.id).cmp(&(b.ends_at, &b.id)));
            return Ok(promotions);
        }
        self.promotions
            .find(running_at(now))
            .sort(doc! { "ends_at": 1, "_id": 1 })
            .await?
            .try_collect()
            .await
    }

    /// Prices every demo product, stores the rates, and (re)opens the demo promotions around
    /// `now`: two running, one over and one not yet started.
    pub async fn seed(&self, product_count: usize, now: DateTime<Utc>) -> Result<(usize, usize)> {
        let prices: Vec<PriceDoc> = demo_data::products(product_count)
            .map(|p| PriceDoc {
                product_id: p.id,
                category_slug: p.category_slug.to_owned(),
                list_price_cents: p.base_price_cents,
            })
            .collect();
        mongo::replace_by_id(&self.prices, &prices, |p| &p.product_id).await?;
        let rates =
            [("USD", "1"), ("EUR", "0.9215"), ("GBP", "0.7890")].map(|(currency, per_usd)| {
                RateDoc {
                    currency: currency.to_owned(),
                    per_usd: per_usd.to_owned(),
                }
            });
        mongo::replace_by_id(&self.rates, &rates, |r| &r.currency).await?;
        let day = Duration::days(1);
        let promotion =
            |id: &str, title: &str, percent_off, slugs: &[&str], starts, ends| PromotionDoc {
                id: id.to_owned(),
                title: title.to_owned(),
                percent_off,
                category_slugs: slugs.iter().map(|s| (*s).to_owned()).collect(),
                starts_at: starts,
                ends_at: ends,
            };
        let promotions = [
            promotion(
                "promo-outdoor-season",
                "Outdoor season: 20% off outdoors",
                20,
                &["outdoors"],
                now - day,
                now + day * 60,
            ),
            promotion(
                "promo-reading-week",
                "Reading week: 15% off books and music",
                15,
                &["books", "music"],
                now - day * 2,
                now + day * 30,
            ),
            promotion(
                "promo-spring-clearance",
                "Spring clearance",
                30,
                &[],
                now - day * 90,
                now - day * 30,
            ),
            promotion(
                "promo-holiday-preview",
                "Holiday preview: 25% off toys",
                25,
                &["toys"],
                now + day * 20,
                now + day * 50,
            ),
        ];
        mongo::replace_by_id(&self.promotions, &promotions, |p| &p.id).await?;
        Ok((prices.len(), promotions.len()))
    }
}
