//! Cart's part of the storefront graph: the signed-in user's `Cart` and its `CartLine`s
//! (entities, key `id`), the cart mutations and `cartChanged`. Every field needs a verified identity and
//! shows only the caller's own cart. The router refuses these fields first (`@authenticated`,
//! and the `cart:write` scope for changes); this subgraph verifies the token again itself.

use async_graphql::{
    Context, ID, Object, Result, SimpleObject, Subscription as SubscriptionRoot,
    dataloader::DataLoader,
};
use chrono::{DateTime, Utc};
use futures::Stream;
use mongodb::change_stream::event::OperationType;
use subgraph_kit::{
    ErrorCode,
    directives::{authenticated, listSize},
    errors::{attached, storage},
    identity::Caller,
    live::{ChangeFeed, Heard},
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

#[derive(Default)]
pub struct Subscription;

#[SubscriptionRoot]
impl Subscription {
    /// The signed-in user's whole cart each time it changes, from any tab, device or process
    /// (writes made straight to MongoDB included). The first event is the cart as it is now
    /// (empty, under an id of its own, before its first change), so no separate query is needed.
    #[graphql(directive = authenticated::apply())]
    async fn cart_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<Cart>> + use<>> {
        let user = caller(ctx)?.to_owned();
        let store = store(ctx)?.clone();
        // Listen before the first read: a change made in between is heard, not missed.
        let mut changes = attached::<ChangeFeed<CartDoc>>(ctx)?.listen();
        Ok(async_stream::stream! {
            let mut shown: Option<CartDoc> = None;
            let mut read_again = true;
            loop {
                if read_again {
                    read_again = false;
                    match store.cart_of(&user).await {
                        Ok(cart) => {
                            let cart = cart.unwrap_or_else(|| CartDoc::empty_for(&user));
                            if shown.as_ref() != Some(&cart) {
                                shown = Some(cart.clone());
                                yield Ok(Cart(cart));
                            }
                        }
                        // The client subscribes again; nothing is lost, as it starts with a read.
                        Err(err) => {
                            yield Err(storage(err));
                            return;
                        }
                    }
                }
                let change = match changes.next().await {
                    Heard::Resync => {
                        read_again = true;
                        continue;
                    }
                    Heard::Changed(change) => change,
                };
                let now = match change.operation_type {
                    OperationType::Insert | OperationType::Update | OperationType::Replace => {
                        // Absent when the cart was deleted since; its delete follows.
                        match &change.full_document {
                            Some(cart) if cart.user_id == user => cart.clone(),
                            _ => continue,
                        }
                    }
                    OperationType::Delete => {
                        let deleted = change
                            .document_key
                            .as_ref()
                            .and_then(|key| key.get_str("_id").ok());
                        match &shown {
                            Some(cart) if Some(cart.id.as_str()) == deleted => {
                                CartDoc::empty_for(&user)
                            }
                            _ => continue,
                        }
                    }
                    // The collection was dropped or renamed, or something new: read it again.
                    _ => {
                        read_again = true;
                        continue;
                    }
                };
                if shown.as_ref() != Some(&now) {
                    shown = Some(now.clone());
                    yield Ok(Cart(now));
                }
            }
        })
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
