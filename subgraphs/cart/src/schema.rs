//! Cart's part of the storefront graph: the signed-in user's `Cart` and its `CartLine`s
//! (entities, key `id`) and the cart mutations. Every field needs a verified identity and
//! shows only the caller's own cart. The router refuses these fields first (`@authenticated`,
//! and the `cart:write` scope for changes); this subgraph verifies the token again itself.

use async_graphql::{Context, ID, Object, Result, SimpleObject, dataloader::DataLoader};
use chrono::{DateTime, Utc};
use subgraph_kit::{
    ErrorCode,
    directives::{authenticated, listSize},
    errors::{attached, storage},
    identity::Caller,
};

use crate::{
    catalog_client::CatalogClient,
    loaders::{CartId, CartLoader},
    store::{CartDoc, CartError, CartStore, LineDoc, MAX_LINE_QUANTITY, MAX_LINES},
};

/// The scope a cart change needs (the `requires_scopes` attributes below spell it too, as
/// async-graphql takes only a literal there).
const WRITE_SCOPE: &str = "cart:write";

#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    /// The signed-in user's cart; null until its first change.
    #[graphql(directive = authenticated::apply())]
    async fn cart(&self, ctx: &Context<'_>) -> Result<Option<Cart>> {
        let user = caller(ctx)?;
        let cart = store(ctx)?.cart_of(user).await.map_err(storage)?;
        Ok(cart.map(Cart))
    }

    #[graphql(entity)]
    async fn find_cart_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Cart>> {
        Ok(own_cart(ctx, &id).await?.map(Cart))
    }

    #[graphql(entity)]
    async fn find_cart_line_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<CartLine>> {
        let Some((cart_id, product_id)) = id.split_once('/') else {
            return Ok(None);
        };
        let cart = own_cart(ctx, cart_id).await?;
        Ok(cart.and_then(|cart| {
            cart.line(product_id)
                .map(|line| CartLine::new(&cart.id, line))
        }))
    }
}

#[derive(Default)]
pub struct Mutation;

#[Object]
impl Mutation {
    /// Adds `quantity` (1..=99) of a product; a line holds at most 99.
    #[graphql(requires_scopes = "cart:write")]
    async fn add_to_cart(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        #[graphql(default = 1)] quantity: i32,
    ) -> Result<Cart> {
        let user = writer(ctx)?;
        check_quantity(quantity)?;
        let catalog = attached::<CatalogClient>(ctx)?;
        match catalog.product_exists(&product_id).await {
            Ok(true) => {}
            Ok(false) => {
                return Err(ErrorCode::BadUserInput
                    .error(format!("there is no product {}", product_id.as_str())));
            }
            Err(err) => {
                tracing::error!(error = %err, "product check failed");
                return Err(
                    ErrorCode::Unavailable.error("the catalog is unavailable; nothing was added")
                );
            }
        }
        written(store(ctx)?.add(user, &product_id, quantity).await)
    }

    /// Sets the quantity (1..=99) of a product already in the cart.
    #[graphql(requires_scopes = "cart:write")]
    async fn update_cart_line(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        quantity: i32,
    ) -> Result<Cart> {
        let user = writer(ctx)?;
        check_quantity(quantity)?;
        written(store(ctx)?.set_quantity(user, &product_id, quantity).await)
    }

    /// Takes a product out of the cart.
    #[graphql(requires_scopes = "cart:write")]
    async fn remove_from_cart(&self, ctx: &Context<'_>, product_id: ID) -> Result<Cart> {
        let user = writer(ctx)?;
        written(store(ctx)?.remove(user, &product_id).await)
    }

    /// Empties the cart.
    #[graphql(requires_scopes = "cart:write")]
    async fn clear_cart(&self, ctx: &Context<'_>) -> Result<Cart> {
        let user = writer(ctx)?;
        written(store(ctx)?.clear(user).await)
    }
}

pub struct Cart(CartDoc);

#[Object]
impl Cart {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Lines in the order their products were first added.
    #[graphql(directive = listSize::apply(Some(MAX_LINES as u32), None, None, None))]
    async fn lines(&self) -> Vec<CartLine> {
        self.0
            .lines
            .iter()
            .map(|line| CartLine::new(&self.0.id, line))
            .collect()
    }
    async fn total_quantity(&self) -> i32 {
        self.0.lines.iter().map(|line| line.quantity).sum()
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(SimpleObject)]
pub struct CartLine {
    /// `<cart id>/<product id>`.
    id: ID,
    product: Product,
    quantity: i32,
}

impl CartLine {
    fn new(cart_id: &str, line: &LineDoc) -> Self {
        Self {
            id: ID(format!("{cart_id}/{}", line.product_id)),
            product: Product {
                id: ID(line.product_id.clone()),
            },
            quantity: line.quantity,
        }
    }
}

// The catalog's product, referenced by key; the catalog resolves the rest.
#[derive(SimpleObject)]
#[graphql(unresolvable)]
pub struct Product {
    id: ID,
}

/// Who is calling: what the server attached for this request, else nobody.
fn identity<'a>(ctx: &Context<'a>) -> &'a Caller {
    static ANONYMOUS: Caller = Caller::Anonymous;
    ctx.data_opt::<Caller>().unwrap_or(&ANONYMOUS)
}

fn caller<'a>(ctx: &Context<'a>) -> Result<&'a str> {
    identity(ctx).user()
}

/// The caller, who must hold the `cart:write` scope the router also demands.
fn writer<'a>(ctx: &Context<'a>) -> Result<&'a str> {
    identity(ctx).user_with_scope(WRITE_SCOPE)
}

fn store<'a>(ctx: &Context<'a>) -> Result<&'a CartStore> {
    attached(ctx)
}

/// The caller's cart with this id; someone else's cart is as good as none.
async fn own_cart(ctx: &Context<'_>, id: &str) -> Result<Option<CartDoc>> {
    let user = caller(ctx)?;
    let cart = attached::<DataLoader<CartLoader>>(ctx)?
        .load_one(CartId(id.to_owned()))
        .await
        .map_err(storage)?;
    Ok(cart.filter(|cart| cart.user_id == user))
}

fn check_quantity(quantity: i32) -> Result<()> {
    if (1..=MAX_LINE_QUANTITY).contains(&quantity) {
        Ok(())
    } else {
        Err(ErrorCode::BadUserInput.error(format!(
            "`quantity` must be between 1 and {MAX_LINE_QUANTITY}, got {quantity}"
        )))
    }
}

fn written(result: Result<CartDoc, CartError>) -> Result<Cart> {
    match result {
        Ok(cart) => Ok(Cart(cart)),
        Err(
            err
            @ (CartError::QuantityLimit { .. } | CartError::LineLimit | CartError::NotInCart(_)),
        ) => Err(ErrorCode::BadUserInput.error(err.to_string())),
        Err(CartError::Mongo(err)) => Err(storage(err)),
    }
}
