//! Catalog's part of the storefront graph: the `Product` and `Category` entities (key `id`),
//! the root listings and search, and cursor pagination over them.

use async_graphql::{Context, ID, Object, Result, SimpleObject, dataloader::DataLoader};
use subgraph_kit::{
    ErrorCode,
    directives::{cost, listSize},
    errors::{attached, bounded_first, internal, storage},
    limits,
};

use crate::{
    cursor::Cursor,
    loaders::{CatalogLoader, CategoryId, CategorySlug, ProductCount, ProductId},
    store::{CatalogStore, CategoryDoc, PageKey, ProductDoc},
};

/// The page size when a client names none.
const DEFAULT_PAGE_SIZE: i32 = 20;
/// The largest page a client may ask for.
const MAX_PAGE_SIZE: i32 = 100;
/// Longer search strings are refused rather than sent to the text index.
const MAX_SEARCH_LENGTH: usize = 200;
/// What the router's cost estimate charges for a full-text `search`.
const SEARCH_COST: u32 = 10;
/// How many categories the cost estimate assumes `categories` returns (a shop's menu).
const ASSUMED_CATEGORIES: u32 = 50;

#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    /// A product by id; null when there is none.
    async fn product(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        load_product(ctx, id).await
    }

    /// Products in id order, optionally within one category or matching a full-text search
    /// (then ranked by relevance).
    #[graphql(
        directive = listSize::apply(None, Some(vec!["first".into()]), Some(vec!["edges".into()]), Some(false)),
        complexity = "limits::sized(first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, child_complexity)"
    )]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(DEFAULT_PAGE_SIZE)")] first: Option<i32>,
        after: Option<String>,
        category_slug: Option<String>,
        // A text search ranks every match before it pages; it costs more than an index walk.
        #[graphql(directive = cost::apply(SEARCH_COST))] search: Option<String>,
    ) -> Result<ProductConnection> {
        let first = page_size(first)?;
        let after = after
            .as_deref()
            .map(Cursor::decode)
            .transpose()
            .map_err(bad_cursor)?;
        let category_id = match category_slug {
            None => None,
            Some(slug) => match loader(ctx)?
                .load_one(CategorySlug(slug))
                .await
                .map_err(storage)?
            {
                Some(category) => Some(category.id),
                None => return Ok(ProductConnection::empty()),
            },
        };
        match search
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
        {
            Some(text) => search_products(ctx, text, category_id, first, after).await,
            None => list_products(ctx, category_id, first, after).await,
        }
    }

    /// Every category, in display order.
    #[graphql(directive = listSize::apply(Some(ASSUMED_CATEGORIES), None, None, None))]
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        let store = attached::<CatalogStore>(ctx)?;
        let categories = store.all_categories().await.map_err(storage)?;
        Ok(categories.into_iter().map(Category).collect())
    }

    #[graphql(entity)]
    async fn find_product_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        load_product(ctx, id).await
    }

    #[graphql(entity)]
    async fn find_category_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Category>> {
        let category = loader(ctx)?
            .load_one(CategoryId(id.0))
            .await
            .map_err(storage)?;
        Ok(category.map(Category))
    }
}

pub struct Product(ProductDoc);

#[Object]
impl Product {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn category(&self, ctx: &Context<'_>) -> Result<Category> {
        let id = CategoryId(self.0.category_id.clone());
        match loader(ctx)?.load_one(id).await.map_err(storage)? {
            Some(category) => Ok(Category(category)),
            None => Err(internal(format!(
                "product {} names missing category {}",
                self.0.id, self.0.category_id
            ))),
        }
    }
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }
    async fn image_url(&self) -> Option<&str> {
        self.0.image_url.as_deref()
    }
}

pub struct Category(CategoryDoc);

#[Object]
impl Category {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// This category's products in id order.
    #[graphql(
        directive = listSize::apply(None, Some(vec!["first".into()]), Some(vec!["edges".into()]), Some(false)),
        complexity = "limits::sized(first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, child_complexity)"
    )]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(DEFAULT_PAGE_SIZE)")] first: Option<i32>,
        after: Option<String>,
    ) -> Result<ProductConnection> {
        let first = page_size(first)?;
        let after = after
            .as_deref()
            .map(Cursor::decode)
            .transpose()
            .map_err(bad_cursor)?;
        list_products(ctx, Some(self.0.id.clone()), first, after).await
    }
}

pub struct ProductConnection {
    edges: Vec<ProductEdge>,
    has_next_page: bool,
    total: Total,
}

/// `totalCount` costs a count, so it is only computed when a client selects it.
enum Total {
    Known(u64),
    Count(ProductCount),
}

#[derive(SimpleObject)]
pub struct ProductEdge {
    cursor: String,
    node: Product,
}

#[derive(SimpleObject)]
pub struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[Object]
impl ProductConnection {
    async fn edges(&self) -> &[ProductEdge] {
        &self.edges
    }
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next_page,
            end_cursor: self.edges.last().map(|edge| edge.cursor.clone()),
        }
    }
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let total = match &self.total {
            Total::Known(total) => *total,
            Total::Count(key) => loader(ctx)?
                .load_one(key.clone())
                .await
                .map_err(storage)?
                .unwrap_or(0),
        };
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }
}

impl ProductConnection {
    fn empty() -> Self {
        Self {
            edges: Vec::new(),
            has_next_page: false,
            total: Total::Known(0),
        }
    }

    /// Builds a page from up to `first + 1` products read in order; the extra one only
    /// tells whether another page follows.
    fn from_window(
        mut products: Vec<ProductDoc>,
        first: usize,
        total: Total,
        cursor_of: impl Fn(usize, &ProductDoc) -> Cursor,
    ) -> Self {
        let has_next_page = products.len() > first;
        products.truncate(first);
        let edges = products
            .into_iter()
            .enumerate()
            .map(|(index, product)| ProductEdge {
                cursor: cursor_of(index, &product).encode(),
                node: Product(product),
            })
            .collect();
        Self {
            edges,
            has_next_page,
            total,
        }
    }
}

async fn list_products(
    ctx: &Context<'_>,
    category_id: Option<String>,
    first: usize,
    after: Option<Cursor>,
) -> Result<ProductConnection> {
    let after = match after {
        None => None,
        Some(Cursor::After(id)) => Some(id),
        Some(Cursor::Rank(_)) => {
            return Err(bad_cursor("a search cursor cannot continue a listing"));
        }
    };
    let key = PageKey {
        category_id: category_id.clone(),
        after,
        limit: first + 1,
    };
    let products = loader(ctx)?
        .load_one(key)
        .await
        .map_err(storage)?
        .unwrap_or_default();
    Ok(ProductConnection::from_window(
        products,
        first,
        Total::Count(ProductCount(category_id)),
        |_, product| Cursor::After(product.id.clone()),
    ))
}

async fn search_products(
    ctx: &Context<'_>,
    text: &str,
    category_id: Option<String>,
    first: usize,
    after: Option<Cursor>,
) -> Result<ProductConnection> {
    if text.chars().count() > MAX_SEARCH_LENGTH {
        return Err(ErrorCode::BadUserInput.error(format!(
            "`search` must be at most {MAX_SEARCH_LENGTH} characters"
        )));
    }
    let skip = match after {
        None => 0,
        Some(Cursor::Rank(rank)) => rank,
        Some(Cursor::After(_)) => {
            return Err(bad_cursor("a listing cursor cannot continue a search"));
        }
    };
    let store = attached::<CatalogStore>(ctx)?;
    let limit = i64::try_from(first + 1).unwrap_or(i64::MAX);
    let page = store
        .search(text, category_id.as_deref(), skip, limit)
        .await
        .map_err(storage)?;
    Ok(ProductConnection::from_window(
        page.products,
        first,
        Total::Known(page.total),
        |index, _| Cursor::Rank(skip + index as u64 + 1),
    ))
}

async fn load_product(ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
    let product = loader(ctx)?
        .load_one(ProductId(id.0))
        .await
        .map_err(storage)?;
    Ok(product.map(Product))
}

fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<CatalogLoader>> {
    attached(ctx)
}

fn page_size(first: Option<i32>) -> Result<usize> {
    bounded_first(first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
}

fn bad_cursor(reason: impl std::fmt::Display) -> async_graphql::Error {
    ErrorCode::BadUserInput.error(format!("invalid `after` cursor: {reason}"))
}
