//! Federation directives our subgraphs put on their schemas for the router: `@authenticated`
//! (authorization before planning) and `@cost`/`@listSize` (demand control). async-graphql
//! prints them as custom directives; [`sdl`](crate::service::sdl) imports them from the
//! federation spec instead of defining them, as composers expect.
#![allow(non_snake_case)] // async-graphql names a directive after its function.

use async_graphql::TypeDirective;

/// Only signed-in callers may read this field; the router refuses it for anonymous ones
/// before any subgraph is called.
#[TypeDirective(location = "FieldDefinition", location = "Object")]
pub fn authenticated() {}

/// What resolving this field (or passing this argument) costs beyond the default weights.
#[TypeDirective(location = "FieldDefinition", location = "ArgumentDefinition")]
pub fn cost(weight: u32) {}

/// How many items this list field returns: its `first`-style slicing argument, or an assumed
/// size; `sizedFields` carries a connection's size down to its `edges`. A `first` with a
/// schema default needs `requireOneSlicingArgument: false`: a query that omits it is then
/// estimated at the router's default list size.
#[TypeDirective(location = "FieldDefinition")]
pub fn listSize(
    assumed_size: Option<u32>,
    slicing_arguments: Option<Vec<String>>,
    sized_fields: Option<Vec<String>>,
    require_one_slicing_argument: Option<bool>,
) {
}

/// The directives above, by name: the federation spec defines them, so a subgraph SDL imports
/// them rather than declaring its own.
pub const FEDERATION_OWNED: &[&str] = &["authenticated", "cost", "listSize"];
