//! Recommendation's part of the storefront graph: `Product.recommendations` and
//! `Cart.recommendations`. It returns product references only; names, prices and the rest
//! come from their owners through the router.

use std::collections::{HashMap, HashSet};

use async_graphql::{
    ComplexObject, Context, ID, Object, Result, SimpleObject, dataloader::DataLoader,
};
use subgraph_kit::{
    directives::listSize,
    errors::{attached, bounded_first, storage},
    limits,
    representations::{CartLineRepresentation, required},
};

use crate::loaders::{ProductId, RelatedLoader};

/// The most recommendations one field returns.
const MAX_RECOMMENDATIONS: i32 = 12;
const DEFAULT_RECOMMENDATIONS: i32 = 4;

#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_product_by_id(&self, id: ID) -> Product {
        Product { id }
    }

    /// `Cart.recommendations` requires every line's product.
    #[graphql(entity)]
    async fn find_cart_by_id(
        &self,
        #[graphql(key)] id: ID,
        lines: Option<Vec<CartLineRepresentation>>,
    ) -> Result<Cart> {
        let lines = required(lines, "Cart", "lines")?
            .into_iter()
            .map(|line| CartLine {
                id: ID::default(),
                product: Product {
                    id: line.product.id,
                },
            })
            .collect();
        Ok(Cart { id, lines })
    }
}

pub struct Product {
    id: ID,
}

#[Object]
impl Product {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// Related products, best first; never this product itself.
    #[graphql(
        directive = listSize::apply(None, Some(vec!["first".into()]), None, Some(false)),
        complexity = "limits::sized(first, DEFAULT_RECOMMENDATIONS, MAX_RECOMMENDATIONS, child_complexity)"
    )]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(DEFAULT_RECOMMENDATIONS)")] first: Option<i32>,
    ) -> Result<Vec<Product>> {
        let first = how_many(first)?;
        let related = related(ctx, self.id.as_str()).await?;
        Ok(related
            .into_iter()
            .filter(|id| id != self.id.as_str())
            .take(first)
            .map(|id| Product { id: ID(id) })
            .collect())
    }
}

// A cart line as recommendation sees it: which product.
#[derive(SimpleObject)]
#[graphql(unresolvable = "id")]
pub struct CartLine {
    id: ID,
    #[graphql(external)]
    product: Product,
}

// A cart as recommendation sees it: its lines.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Cart {
    id: ID,
    #[graphql(external)]
    lines: Vec<CartLine>,
}

#[ComplexObject]
impl Cart {
    /// Products related to the cart's contents, best first; never one already in the cart.
    #[graphql(
        requires = "lines { product { id } }",
        directive = listSize::apply(None, Some(vec!["first".into()]), None, Some(false)),
        complexity = "limits::sized(first, DEFAULT_RECOMMENDATIONS, MAX_RECOMMENDATIONS, child_complexity)"
    )]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(DEFAULT_RECOMMENDATIONS)")] first: Option<i32>,
    ) -> Result<Vec<Product>> {
        let first = how_many(first)?;
        let in_cart: HashSet<&str> = self
            .lines
            .iter()
            .map(|line| line.product.id.as_str())
            .collect();
        let lists =
            futures::future::try_join_all(in_cart.iter().map(|id| related(ctx, id))).await?;
        // A product scores by how high it ranks for each cart product it is related to.
        let mut scores: HashMap<String, usize> = HashMap::new();
        for list in lists {
            let length = list.len();
            for (rank, id) in list.into_iter().enumerate() {
                if !in_cart.contains(id.as_str()) {
                    *scores.entry(id).or_default() += length - rank;
                }
            }
        }
        let mut ranked: Vec<(String, usize)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(ranked
            .into_iter()
            .take(first)
            .map(|(id, _)| Product { id: ID(id) })
            .collect())
    }
}

async fn related(ctx: &Context<'_>, product_id: &str) -> Result<Vec<String>> {
    let related = attached::<DataLoader<RelatedLoader>>(ctx)?
        .load_one(ProductId(product_id.to_owned()))
        .await
        .map_err(storage)?;
    // A product with no stored list (added after the last seeding) has no recommendations yet.
    Ok(related.map(|doc| doc.related).unwrap_or_default())
}

fn how_many(first: Option<i32>) -> Result<usize> {
    bounded_first(first, DEFAULT_RECOMMENDATIONS, MAX_RECOMMENDATIONS)
}
