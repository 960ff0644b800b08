mod directive;
mod directive_definition;
mod display_utils;
mod input_value_definition;
mod render_api_sdl;
mod render_federated_sdl;

pub use self::{render_api_sdl::render_api_sdl, render_federated_sdl::render_federated_sdl};

pub(crate) use self::display_utils::display_graphql_string_literal;
