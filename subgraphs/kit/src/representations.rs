//! Input shapes for reading entity representations: the fields a subgraph `@requires` arrive
//! with the key in `_entities(representations:)`, and these hidden input types receive them.

use async_graphql::{ID, InputObject};

/// A product's key inside a representation (`product { id }`).
#[derive(Debug, Clone, InputObject)]
#[graphql(visible = false)]
pub struct ProductKey {
    pub id: ID,
}
