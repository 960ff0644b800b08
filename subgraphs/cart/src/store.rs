//! Cart's MongoDB access: one document per user in the `carts` collection of the `cart`
//! database, changed only by single-document atomic updates so concurrent mutations never
//! lose each other's work.

use chrono::{DateTime, Utc};
use mongodb::{
    Collection, Database, IndexModel,
    bson::{Document, doc, oid::ObjectId},
    error::{Error, ErrorKind, WriteFailure},
    options::{IndexOptions, ReturnDocument},
};
use serde::{Deserialize, Serialize};
use subgraph_kit::{
    live::ChangeFeed,
    mongo,
    sharding::{KeyKind, ShardKey},
};

/// The most of one product a cart may hold.
pub const MAX_LINE_QUANTITY: i32 = 99;
/// The most distinct products a cart may hold: a client cannot grow one document (and every
/// page that shows the cart) without bound.
pub const MAX_LINES: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub user_id: String,
    #[serde(default)]
    pub lines: Vec<LineDoc>,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineDoc {
    pub product_id: String,
    pub quantity: i32,
}

impl CartDoc {
    /// What a user's cart is before its first change: empty, under an id of its own (the
    /// stored cart gets another at its first write).
    pub fn empty_for(user_id: &str) -> Self {
        Self {
            id: format!("cart-of-{user_id}"),
            user_id: user_id.to_owned(),
            lines: Vec::new(),
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    pub fn line(&self, product_id: &str) -> Option<&LineDoc> {
        self.lines.iter().find(|line| line.product_id == product_id)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CartError {
    #[error(
        "the cart would hold {would_be} of product {product_id}; at most {MAX_LINE_QUANTITY} are allowed"
    )]
    QuantityLimit { product_id: String, would_be: i32 },
    #[error("the cart already holds {MAX_LINES} different products; remove one first")]
    LineLimit,
    #[error("product {0} is not in the cart")]
    NotInCart(String),
    #[error(transparent)]
    Mongo(#[from] Error),
}

/// How the carts would be sharded: by a hash of their user, which every cart query and write
/// names, spreading users that arrive in no useful order evenly (docs/sharding.md).
pub const SHARD_KEYS: &[ShardKey] = &[ShardKey {
    collection: "carts",
    fields: &[("user_id", KeyKind::Hashed)],
}];

#[derive(Clone)]
pub struct CartStore {
    carts: Collection<CartDoc>,
}

impl CartStore {
    pub fn new(database: &Database) -> Self {
        Self {
            carts: database.collection("carts"),
        }
    }

    /// Every change to every cart, followed once for the whole process (`cartChanged`).
    pub fn follow_changes(&self) -> ChangeFeed<CartDoc> {
        ChangeFeed::follow(self.carts.clone(), Vec::new())
    }

    /// One cart per user.
    pub async fn ensure_indexes(&self) -> mongodb::error::Result<()> {
        self.carts
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "user_id": 1 })
                    .options(IndexOptions::builder().unique(true).build())
                    .build(),
            )
            .await?;
        Ok(())
    }

    pub async fn cart_of(&self, user_id: &str) -> mongodb::error::Result<Option<CartDoc>> {
        self.carts.find_one(doc! { "user_id": user_id }).await
    }

    pub async fn carts_by_ids(&self, ids: &[String]) -> mongodb::error::Result<Vec<CartDoc>> {
        mongo::find_in(&self.carts, "_id", ids).await
    }

    /// Adds `quantity` of a product: raises its line, or appends one (creating the cart).
    pub async fn add(
        &self,
        user_id: &str,
        product_id: &str,
        quantity: i32,
    ) -> Result<CartDoc, CartError> {
        loop {
            let now = bson::DateTime::now();
            let raised = self
                .carts
                .find_one_and_update(
                    doc! {
                        "user_id": user_id,
                        "lines": { "$elemMatch": { "product_id": product_id, "quantity": { "$lte": MAX_LINE_QUANTITY - quantity } } },
                    },
                    doc! { "$inc": { "lines.$.quantity": quantity }, "$set": { "updated_at": now } },
                )
                .return_document(ReturnDocument::After)
                .await?;
            if let Some(cart) = raised {
                return Ok(cart);
            }
            let appended = self
                .upsert(
                    // `lines.<MAX_LINES - 1>` exists once the cart is full.
                    doc! {
                        "user_id": user_id,
                        "lines.product_id": { "$ne": product_id },
                        format!("lines.{}", MAX_LINES - 1): { "$exists": false },
                    },
                    doc! { "$push": { "lines": { "product_id": product_id, "quantity": quantity } } },
                )
                .await;
            match appended {
                Ok(cart) => return Ok(cart),
                // The cart exists and either already holds the product (its line is too full to
                // raise, or a concurrent request added it first and the next round raises it)
                // or is full.
                Err(CartError::Mongo(err)) if is_duplicate_key(&err) => {
                    let Some(cart) = self.cart_of(user_id).await? else {
                        continue;
                    };
                    match cart.line(product_id) {
                        Some(line) if line.quantity + quantity > MAX_LINE_QUANTITY => {
                            return Err(CartError::QuantityLimit {
                                product_id: product_id.to_owned(),
                                would_be: line.quantity + quantity,
                            });
                        }
                        None if cart.lines.len() >= MAX_LINES => return Err(CartError::LineLimit),
                        _ => {}
                    }
                }
                Err(other) => return Err(other),
            }
        }
    }

    /// Sets the quantity of a product already in the cart.
    pub async fn set_quantity(
        &self,
        user_id: &str,
        product_id: &str,
        quantity: i32,
    ) -> Result<CartDoc, CartError> {
        self.carts
            .find_one_and_update(
                doc! { "user_id": user_id, "lines.product_id": product_id },
                doc! { "$set": { "lines.$.quantity": quantity, "updated_at": bson::DateTime::now() } },
            )
            .return_document(ReturnDocument::After)
            .await?
            .ok_or_else(|| CartError::NotInCart(product_id.to_owned()))
    }

    /// Takes a product out of the cart (creating an empty cart if there was none).
    pub async fn remove(&self, user_id: &str, product_id: &str) -> Result<CartDoc, CartError> {
        self.upsert(
            doc! { "user_id": user_id },
            doc! { "$pull": { "lines": { "product_id": product_id } } },
        )
        .await
    }

    /// Empties the cart (creating it if there was none).
    pub async fn clear(&self, user_id: &str) -> Result<CartDoc, CartError> {
        self.upsert(
            doc! { "user_id": user_id },
            doc! { "$set": { "lines": [] } },
        )
        .await
    }

    /// Applies `update` to the cart `filter` finds, or to a new cart for the filter's user.
    async fn upsert(&self, filter: Document, mut update: Document) -> Result<CartDoc, CartError> {
        let now = bson::DateTime::now();
        let set = update
            .entry("$set".to_owned())
            .or_insert_with(|| doc! {}.into());
        if let bson::Bson::Document(set) = set {
            set.insert("updated_at", now);
        }
        update.insert(
            "$setOnInsert",
            doc! { "_id": format!("cart-{}", ObjectId::new().to_hex()) },
        );
        let cart = self
            .carts
            .find_one_and_update(filter, update)
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await?;
        Ok(cart.expect("an upsert returning the document after always has one"))
    }
}

fn is_duplicate_key(err: &Error) -> bool {
    match err.kind.as_ref() {
        ErrorKind::Command(command) => command.code == 11000,
        ErrorKind::Write(WriteFailure::WriteError(write)) => write.code == 11000,
        _ => false,
    }
}
