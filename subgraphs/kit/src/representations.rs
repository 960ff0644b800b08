//! Input shapes for reading entity representations: the fields a subgraph `@requires` arrive
//! with the key in `_entities(representations:)`, and these hidden input types receive them.

use async_graphql::{ID, InputObject};

use crate::ErrorCode;

/// A product's key inside a representation (`product { id }`).
#[derive(Debug, Clone, InputObject)]
#[graphql(visible = false)]
pub struct ProductKey {
    pub id: ID,
}

/// A cart line inside a `Cart` representation, with what other subgraphs `@requires` of it
/// (`lines { quantity product { id } }`, or a part of that).
#[derive(Debug, Clone, InputObject)]
#[graphql(visible = false)]
pub struct CartLineRepresentation {
    pub quantity: Option<i32>,
    pub product: ProductKey,
}

/// A `@requires` field the router must have sent with an entity representation; its absence
/// is an error with a code, never a default value.
pub fn required<T>(value: Option<T>, type_name: &str, field: &str) -> async_graphql::Result<T> {
    value.ok_or_else(|| {
        ErrorCode::InvalidRepresentation.error(format!(
            "the {type_name} representation lacks `{field}`, which this subgraph requires"
        ))
    })
}
