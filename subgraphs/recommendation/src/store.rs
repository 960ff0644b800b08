//! Recommendation's MongoDB access: for each product, the ids of related products, best
//! first, in the `related` collection of the `recommendation` database. Derived at seed time
//! from the demo catalog's categories and tags, so no request ever reads the catalog.

use std::collections::HashMap;

use demo_data::DemoProduct;
use mongodb::{Collection, Database, bson::doc, error::Result};
use serde::{Deserialize, Serialize};
use subgraph_kit::{
    live::ChangeFeed,
    mongo,
    sharding::{KeyKind, ShardKey},
};

/// Related products kept per product.
pub const RELATED_PER_PRODUCT: usize = 12;
/// How far around a product (in its category) candidates are looked for.
const NEIGHBOURHOOD: usize = 24;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelatedDoc {
    #[serde(rename = "_id")]
    pub product_id: String,
    /// Related product ids, best first; never the product itself.
    pub related: Vec<String>,
}

/// How recommendations would be sharded: related lists by the product they belong to, what
/// every lookup names (docs/sharding.md).
pub const SHARD_KEYS: &[ShardKey] = &[ShardKey {
    collection: "related",
    fields: &[("_id", KeyKind::Ranged)],
}];

#[derive(Clone)]
pub struct RecommendationStore {
    related: Collection<RelatedDoc>,
}

impl RecommendationStore {
    pub fn new(database: &Database) -> Self {
        Self {
            related: database.collection("related"),
        }
    }

    /// Announces to routers' entity caches each product whose related list is written.
    pub fn announce_invalidations(&self) {
        subgraph_kit::invalidation::announcer().follow(
            &ChangeFeed::follow(self.related.clone(), Vec::new()),
            "Product",
        );
    }

    pub async fn related_by_product_ids(&self, ids: &[String]) -> Result<Vec<RelatedDoc>> {
        mongo::find_in(&self.related, "_id", ids).await
    }

    /// Writes every demo product's related list.
    pub async fn seed(&self, product_count: usize) -> Result<usize> {
        let products: Vec<DemoProduct> = demo_data::products(product_count).collect();
        let docs = related_lists(&products);
        mongo::replace_by_id(&self.related, &docs, |d| &d.product_id).await?;
        Ok(docs.len())
    }
}

/// Ranks, for each product, its category neighbours by shared tags, then by closeness.
fn related_lists(products: &[DemoProduct]) -> Vec<RelatedDoc> {
    let mut by_category: HashMap<&str, Vec<&DemoProduct>> = HashMap::new();
    for product in products {
        by_category
            .entry(product.category_slug)
            .or_default()
            .push(product);
    }
    let mut docs = Vec::with_capacity(products.len());
    for members in by_category.values() {
        for (position, product) in members.iter().enumerate() {
            let low = position.saturating_sub(NEIGHBOURHOOD);
            let high = (position + NEIGHBOURHOOD + 1).min(members.len());
            let mut candidates: Vec<(usize, usize, &str)> = (low..high)
                .filter(|&other| other != position)
                .map(|other| {
                    let shared = members[other]
                        .tags
                        .iter()
                        .filter(|t| product.tags.contains(t))
                        .count();
                    (shared, position.abs_diff(other), members[other].id.as_str())
                })
                .collect();
            candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
            docs.push(RelatedDoc {
                product_id: product.id.clone(),
                related: candidates
                    .into_iter()
                    .take(RELATED_PER_PRODUCT)
                    .map(|(_, _, id)| id.to_owned())
                    .collect(),
            });
        }
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_lists_exclude_the_product_and_stay_in_its_category() {
        let products: Vec<DemoProduct> = demo_data::products(600).collect();
        let category: HashMap<&str, &str> = products
            .iter()
            .map(|p| (p.id.as_str(), p.category_slug))
            .collect();
        for doc in related_lists(&products) {
            assert_eq!(doc.related.len(), RELATED_PER_PRODUCT);
            assert!(!doc.related.contains(&doc.product_id));
            assert!(
                doc.related
                    .iter()
                    .all(|id| category[id.as_str()] == category[doc.product_id.as_str()])
            );
        }
    }
}
