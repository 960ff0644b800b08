//! Catalog's MongoDB access: the `products` and `categories` collections of the `catalog`
//! database, their indexes, the batched reads the loaders issue, text search and seeding.

use std::collections::HashMap;

use futures::TryStreamExt;
use mongodb::{
    Collection, Database, IndexModel,
    bson::{Document, doc},
    error::Result,
    options::IndexOptions,
};
use serde::{Deserialize, Serialize};

use subgraph_kit::{
    live::ChangeFeed,
    mongo,
    reference::{Counts, Mirror},
    sharding::{KeyKind, ShardKey},
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category_id: String,
    pub tags: Vec<String>,
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub slug: String,
    pub name: String,
    pub position: i32,
}

/// One page of products in `_id` order: optionally within a category, after a product id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub category_id: Option<String>,
    pub after: Option<String>,
    /// How many products to read: the page size plus one, to know whether more follow.
    pub limit: usize,
}

/// A page of text-search results, ranked by relevance.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub products: Vec<ProductDoc>,
    pub total: u64,
}

/// How the catalog would be sharded: products by category, then id, so a category page (a
/// range of ids in one category) stays on one shard and a large category still splits; the
/// categories are small and stay unsharded (docs/sharding.md).
pub const SHARD_KEYS: &[ShardKey] = &[ShardKey {
    collection: "products",
    fields: &[("category_id", KeyKind::Ranged), ("_id", KeyKind::Ranged)],
}];

#[derive(Clone)]
pub struct CatalogStore {
    products: Collection<ProductDoc>,
    categories: Collection<CategoryDoc>,
    /// The categories in memory while a change stream follows them: every page reads them
    /// (the menu, each product's category), and they change rarely.
    category_mirror: Option<Mirror<CategoryDoc>>,
    /// Products per category, remembered until a change stream reports a change to them:
    /// counting a category costs a scan of its index keys, which grows with the catalog.
    product_counts: Option<Counts>,
}

#[derive(Deserialize)]
struct Tagged<T> {
    #[serde(rename = "_batch")]
    batch: usize,
    #[serde(flatten)]
    item: T,
}

#[derive(Deserialize)]
struct CategoryCount {
    #[serde(rename = "_id")]
    category_id: String,
    count: i64,
}

impl CatalogStore {
    pub fn new(database: &Database) -> Self {
        Self {
            products: database.collection("products"),
            categories: database.collection("categories"),
            category_mirror: None,
            product_counts: None,
        }
    }

    /// Announces to routers' entity caches every product written (by its id), and every
    /// category reload as a change to anything (a product shows its category).
    pub fn announce_invalidations(&self) {
        let announcer = subgraph_kit::invalidation::announcer();
        announcer.follow(
            &ChangeFeed::follow(self.products.clone(), Vec::new()),
            "Product",
        );
        if let Some(categories) = &self.category_mirror {
            announcer.everything_on(categories.reloads());
        }
    }

    /// Serves categories and product counts from memory, kept current by change streams (see
    /// [`subgraph_kit::reference`]); from MongoDB while the streams are not following.
    pub fn mirroring_reference_data(mut self) -> Self {
        self.category_mirror = Some(Mirror::follow(self.categories.clone()));
        self.product_counts = Some(Counts::follow(self.products.clone(), "category_id"));
        self
    }

    /// The categories `wanted` keeps, from the mirror when it is current.
    fn mirrored_categories(
        &self,
        wanted: impl Fn(&CategoryDoc) -> bool,
    ) -> Option<Vec<CategoryDoc>> {
        self.category_mirror.as_ref()?.select(wanted)
    }

    /// Unique SKUs and slugs, the keyset index behind category pages, and the text index.
    pub async fn ensure_indexes(&self) -> Result<()> {
        let unique = || IndexOptions::builder().unique(true).build();
        self.products
            .create_indexes([
                IndexModel::builder()
                    .keys(doc! { "sku": 1 })
                    .options(unique())
                    .build(),
                IndexModel::builder()
                    .keys(doc! { "category_id": 1, "_id": 1 })
                    .build(),
                IndexModel::builder()
                    .keys(doc! { "name": "text", "description": "text", "tags": "text" })
                    .options(
                        IndexOptions::builder()
                            .name("product_text".to_owned())
                            .weights(doc! { "name": 10, "tags": 5, "description": 1 })
                            .build(),
                    )
                    .build(),
            ])
            .await?;
        self.categories
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "slug": 1 })
                    .options(unique())
                    .build(),
            )
            .await?;
        Ok(())
    }

    pub async fn products_by_ids(&self, ids: &[String]) -> Result<Vec<ProductDoc>> {
        mongo::find_in(&self.products, "_id", ids).await
    }

    pub async fn categories_by_ids(&self, ids: &[String]) -> Result<Vec<CategoryDoc>> {
        if let Some(categories) = self.mirrored_categories(|c| ids.contains(&c.id)) {
            return Ok(categories);
        }
        mongo::find_in(&self.categories, "_id", ids).await
    }

    pub async fn categories_by_slugs(&self, slugs: &[String]) -> Result<Vec<CategoryDoc>> {
        if let Some(categories) = self.mirrored_categories(|c| slugs.contains(&c.slug)) {
            return Ok(categories);
        }
        mongo::find_in(&self.categories, "slug", slugs).await
    }

    /// Every category, in menu order.
    pub async fn all_categories(&self) -> Result<Vec<CategoryDoc>> {
        if let Some(mut categories) = self.mirrored_categories(|_| true) {
            categories.sort_by_key(|c| c.position);
            return Ok(categories);
        }
        self.categories
            .find(doc! {})
            .sort(doc! { "position": 1 })
            .await?
            .try_collect()
            .await
    }

    /// Reads every requested page in one command: each page is an index-backed branch of a
    /// `$unionWith` chain, tagged with its position so the results can be split again.
    pub async fn product_pages(
        &self,
        keys: &[PageKey],
    ) -> Result<HashMap<PageKey, Vec<ProductDoc>>> {
        let collection = self.products.name().to_owned();
        let mut branches = keys
            .iter()
            .enumerate()
            .map(|(batch, key)| page_branch(batch, key));
        let Some(first) = branches.next() else {
            return Ok(HashMap::new());
        };
        let mut pipeline = first;
        pipeline.extend(branches.map(|branch| {
            doc! { "$unionWith": { "coll": &collection, "pipeline": branch } }
        }));
        let mut cursor = self
            .products
            .aggregate(pipeline)
            .with_type::<Tagged<ProductDoc>>()
            .await?;
        let mut pages: HashMap<PageKey, Vec<ProductDoc>> =
            keys.iter().map(|key| (key.clone(), Vec::new())).collect();
        while let Some(tagged) = cursor.try_next().await? {
            if let Some(page) = keys.get(tagged.batch).and_then(|key| pages.get_mut(key)) {
                page.push(tagged.item);
            }
        }
        Ok(pages)
    }

    /// Counts products per category (`None`: the whole catalog): remembered counts from
    /// memory, the others from MongoDB.
    pub async fn count_products(
        &self,
        keys: &[Option<String>],
    ) -> Result<HashMap<Option<String>, u64>> {
        let Some(remembered) = &self.product_counts else {
            return self.count_in_mongodb(keys).await;
        };
        let (mut counts, ticket) = remembered.cached(keys);
        let missing: Vec<Option<String>> = keys
            .iter()
            .filter(|key| !counts.contains_key(*key))
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(counts);
        }
        let counted = self.count_in_mongodb(&missing).await?;
        if let Some(ticket) = ticket {
            remembered.remember(ticket, counted.clone());
        }
        counts.extend(counted);
        Ok(counts)
    }

    /// Counts products per category (`None`: the whole catalog), one command per kind.
    async fn count_in_mongodb(
        &self,
        keys: &[Option<String>],
    ) -> Result<HashMap<Option<String>, u64>> {
        let mut counts = HashMap::with_capacity(keys.len());
        let category_ids: Vec<&String> = keys.iter().flatten().collect();
        if !category_ids.is_empty() {
            let pipeline = [
                doc! { "$match": { "category_id": { "$in": &category_ids } } },
                doc! { "$group": { "_id": "$category_id", "count": { "$sum": 1 } } },
            ];
            let mut cursor = self
                .products
                .aggregate(pipeline)
                .with_type::<CategoryCount>()
                .await?;
            while let Some(row) = cursor.try_next().await? {
                counts.insert(Some(row.category_id), u64::try_from(row.count).unwrap_or(0));
            }
            for id in category_ids {
                counts.entry(Some(id.clone())).or_insert(0);
            }
        }
        if keys.contains(&None) {
            counts.insert(None, self.products.count_documents(doc! {}).await?);
        }
        Ok(counts)
    }

    /// Full-text search ranked by relevance (ties by id), optionally within one category.
    pub async fn search(
        &self,
        text: &str,
        category_id: Option<&str>,
        skip: u64,
        limit: i64,
    ) -> Result<SearchPage> {
        let mut filter = doc! { "$text": { "$search": text } };
        if let Some(category_id) = category_id {
            filter.insert("category_id", category_id);
        }
        let total = self.products.count_documents(filter.clone()).await?;
        let products = self
            .products
            .find(filter)
            .sort(doc! { "score": { "$meta": "textScore" }, "_id": 1 })
            .projection(doc! { "score": { "$meta": "textScore" } })
            .skip(skip)
            .limit(limit)
            .await?
            .try_collect()
            .await?;
        Ok(SearchPage { products, total })
    }

    /// Upserts the demo catalog: running it again rewrites the same documents.
    pub async fn seed(&self, product_count: usize) -> Result<(usize, usize)> {
        let categories = demo_data::categories();
        for (position, category) in categories.iter().enumerate() {
            let document = CategoryDoc {
                id: category.id.clone(),
                slug: category.slug.to_owned(),
                name: category.name.to_owned(),
                position: i32::try_from(position).unwrap_or(i32::MAX),
            };
            self.categories
                .replace_one(doc! { "_id": &document.id }, &document)
                .upsert(true)
                .await?;
        }
        let products: Vec<ProductDoc> = demo_data::products(product_count)
            .map(|p| ProductDoc {
                id: p.id,
                sku: p.sku,
                name: p.name,
                description: p.description,
                category_id: p.category_id,
                tags: p.tags,
                image_url: p.image_url,
            })
            .collect();
        mongo::replace_by_id(&self.products, &products, |p| &p.id).await?;
        Ok((categories.len(), products.len()))
    }
}

fn page_branch(batch: usize, key: &PageKey) -> Vec<Document> {
    let mut filter = Document::new();
    if let Some(category_id) = &key.category_id {
        filter.insert("category_id", category_id);
    }
    if let Some(after) = &key.after {
        filter.insert("_id", doc! { "$gt": after });
    }
    vec![
        doc! { "$match": filter },
        doc! { "$sort": { "_id": 1 } },
        doc! { "$limit": i64::try_from(key.limit).unwrap_or(i64::MAX) },
        doc! { "$addFields": { "_batch": i64::try_from(batch).unwrap_or(i64::MAX) } },
    ]
}
