//! Pricing's part of the storefront graph: `Product.price`, `Product.compareAtPrice` and the
//! nullable `Product.pricing` on the catalog's `Product` entity, plus `Money`, `CurrencyCode`
//! and running `promotions`; `productPriceChanged` tells of prices as they change.

use async_graphql::{
    ComplexObject, Context, ID, Object, Result, SimpleObject, Subscription as SubscriptionRoot,
    dataloader::DataLoader,
};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use subgraph_kit::{
    ErrorCode,
    directives::listSize,
    errors::{attached, internal, storage},
    representations::{CartLineRepresentation, ProductKey, required},
};

use crate::{
    live::PriceChanges,
    loaders::{PricingLoader, ProductId, Quote},
    money::{self, CurrencyCode, Money},
    store::{PricingStore, PromotionDoc},
};

/// How many running promotions the router's cost estimate assumes.
const ASSUMED_PROMOTIONS: u32 = 20;

#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    /// Promotions running now.
    #[graphql(directive = listSize::apply(Some(ASSUMED_PROMOTIONS), None, None, None))]
    async fn promotions(&self, ctx: &Context<'_>) -> Result<Vec<Promotion>> {
        let store = attached::<PricingStore>(ctx)?;
        let promotions = store.active_promotions(Utc::now()).await.map_err(storage)?;
        Ok(promotions.into_iter().map(Promotion::from).collect())
    }

    #[graphql(entity)]
    async fn find_product_by_id(&self, id: ID) -> Product {
        Product { id }
    }

    /// `CartLine.lineTotal` requires the line's quantity and product.
    #[graphql(entity)]
    async fn find_cart_line_by_id(
        &self,
        #[graphql(key)] id: ID,
        quantity: Option<i32>,
        product: Option<ProductKey>,
    ) -> Result<CartLine> {
        Ok(CartLine {
            id,
            quantity: required(quantity, "CartLine", "quantity")?,
            product: Product {
                id: required(product, "CartLine", "product")?.id,
            },
        })
    }

    /// `Cart.subtotal` requires every line's quantity and product.
    #[graphql(entity)]
    async fn find_cart_by_id(
        &self,
        #[graphql(key)] id: ID,
        lines: Option<Vec<CartLineRepresentation>>,
    ) -> Result<Cart> {
        let lines = required(lines, "Cart", "lines")?
            .into_iter()
            .map(|line| {
                Ok(CartLine {
                    id: ID::default(),
                    quantity: required(line.quantity, "CartLine", "quantity")?,
                    product: Product {
                        id: line.product.id,
                    },
                })
            })
            .collect::<Result<_>>()?;
        Ok(Cart { id, lines })
    }
}

/// The most products one `productPriceChanged` subscription may watch.
pub const MAX_WATCHED_PRODUCTS: usize = 100;

#[derive(Default)]
pub struct Subscription;

#[SubscriptionRoot]
impl Subscription {
    /// One event per listed product each time its effective price in `currency` changes: its
    /// list price was written, a promotion covering it started or ended (at the moment its
    /// window opens or closes), or the currency's rate changed. At most 100 products.
    async fn product_price_changed(
        &self,
        ctx: &Context<'_>,
        product_ids: Vec<ID>,
        #[graphql(default_with = "Some(CurrencyCode::Usd)")] currency: Option<CurrencyCode>,
    ) -> Result<impl Stream<Item = Product> + use<>> {
        let mut ids: Vec<String> = product_ids.into_iter().map(|id| id.0).collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() || ids.len() > MAX_WATCHED_PRODUCTS {
            return Err(ErrorCode::BadUserInput.error(format!(
                "`productIds` must list between 1 and {MAX_WATCHED_PRODUCTS} products, got {}",
                ids.len()
            )));
        }
        let changes = attached::<PriceChanges>(ctx)?;
        Ok(changes
            .watch(ids, currency.unwrap_or(CurrencyCode::Usd))
            .map(|id| Product { id: ID(id) }))
    }
}

// The catalog's product, as far as pricing knows it: by its key.
pub struct Product {
    id: ID,
}

#[Object]
impl Product {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// The price after running promotions.
    async fn price(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(CurrencyCode::Usd)")] currency: Option<CurrencyCode>,
    ) -> Result<Money> {
        let quote = self.quote(ctx).await?;
        promoted_price(ctx, &quote, currency).await
    }

    /// The price before promotions, when a promotion lowers it; otherwise null.
    async fn compare_at_price(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(CurrencyCode::Usd)")] currency: Option<CurrencyCode>,
    ) -> Result<Option<Money>> {
        let quote = self.quote(ctx).await?;
        list_price_when_promoted(ctx, &quote, currency).await
    }

    /// Price, pre-promotion price and discount together. Null (with an error at this path) only
    /// when pricing cannot answer: a page that reads prices here keeps the product when pricing
    /// is down, where the non-null `price` takes the whole product with it.
    async fn pricing(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(CurrencyCode::Usd)")] currency: Option<CurrencyCode>,
    ) -> Result<Option<ProductPricing>> {
        // One quote for all three, so a page of products costs one batch, not one per field.
        let quote = self.quote(ctx).await?;
        Ok(Some(ProductPricing {
            price: promoted_price(ctx, &quote, currency).await?,
            compare_at_price: list_price_when_promoted(ctx, &quote, currency).await?,
            percent_off: i32::try_from(quote.percent_off).unwrap_or(100),
        }))
    }
}

/// The price after the quote's promotion, in `currency`.
async fn promoted_price(
    ctx: &Context<'_>,
    quote: &Quote,
    currency: Option<CurrencyCode>,
) -> Result<Money> {
    let usd = money::discounted_usd(quote.list_price_cents, quote.percent_off);
    in_currency(ctx, usd, currency).await
}

/// The list price in `currency` when a promotion lowers it; otherwise `None`.
async fn list_price_when_promoted(
    ctx: &Context<'_>,
    quote: &Quote,
    currency: Option<CurrencyCode>,
) -> Result<Option<Money>> {
    if quote.percent_off == 0 {
        return Ok(None);
    }
    let usd = money::discounted_usd(quote.list_price_cents, 0);
    in_currency(ctx, usd, currency).await.map(Some)
}

/// What a product costs now, in one currency.
#[derive(SimpleObject)]
pub struct ProductPricing {
    /// The price after running promotions.
    price: Money,
    /// The price before promotions, when a promotion lowers it; otherwise null.
    compare_at_price: Option<Money>,
    /// The running promotion's discount in percent (0 when none applies).
    percent_off: i32,
}

impl Product {
    async fn quote(&self, ctx: &Context<'_>) -> Result<Quote> {
        loader(ctx)?
            .load_one(ProductId(self.id.to_string()))
            .await
            .map_err(storage)?
            .ok_or_else(|| {
                ErrorCode::NotFound.error(format!("product {} has no price", self.id.as_str()))
            })
    }
}

// A cart line, as far as pricing needs it: which product, how many.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CartLine {
    id: ID,
    #[graphql(external)]
    quantity: i32,
    #[graphql(external)]
    product: Product,
}

#[ComplexObject]
impl CartLine {
    /// Unit price after promotions, times quantity.
    #[graphql(requires = "quantity product { id }")]
    async fn line_total(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(CurrencyCode::Usd)")] currency: Option<CurrencyCode>,
    ) -> Result<Money> {
        let unit = self.product.price(ctx, currency).await?;
        Ok(unit.times(self.quantity))
    }
}

// A cart, as far as pricing needs it: its lines.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Cart {
    id: ID,
    #[graphql(external)]
    lines: Vec<CartLine>,
}

#[ComplexObject]
impl Cart {
    /// Sum of line totals after promotions.
    #[graphql(requires = "lines { quantity product { id } }")]
    async fn subtotal(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(CurrencyCode::Usd)")] currency: Option<CurrencyCode>,
    ) -> Result<Money> {
        let currency_code = currency.unwrap_or(CurrencyCode::Usd);
        let totals = futures::future::try_join_all(self.lines.iter().map(|line| async move {
            let unit = line.product.price(ctx, currency).await?;
            Ok::<_, async_graphql::Error>(unit.times(line.quantity).amount)
        }))
        .await?;
        Ok(Money::new(totals.into_iter().sum(), currency_code))
    }
}

async fn in_currency(
    ctx: &Context<'_>,
    usd: rust_decimal::Decimal,
    currency: Option<CurrencyCode>,
) -> Result<Money> {
    let currency = currency.unwrap_or(CurrencyCode::Usd);
    if currency == CurrencyCode::Usd {
        return Ok(Money::new(usd, currency));
    }
    let per_usd = loader(ctx)?
        .load_one(currency)
        .await
        .map_err(storage)?
        .ok_or_else(|| internal(format!("no exchange rate stored for {}", currency.code())))?;
    Ok(money::convert(usd, currency, per_usd))
}

#[derive(SimpleObject)]
pub struct Promotion {
    id: ID,
    title: String,
    percent_off: i32,
    /// The promotion applies to these categories' products (empty = all products).
    category_slugs: Vec<String>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

impl From<PromotionDoc> for Promotion {
    fn from(doc: PromotionDoc) -> Self {
        Self {
            id: ID(doc.id),
            title: doc.title,
            percent_off: i32::try_from(doc.percent_off).unwrap_or(i32::MAX),
            category_slugs: doc.category_slugs,
            starts_at: doc.starts_at,
            ends_at: doc.ends_at,
        }
    }
}

fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<PricingLoader>> {
    attached(ctx)
}
