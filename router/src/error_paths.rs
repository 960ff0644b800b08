//! Errors from a failed subgraph fetch get a GraphQL `path`. Hive Router reports where such a
//! fetch's data would have gone only as `extensions.affectedPath` (`product`,
//! `products.edges.@.node`); clients read the spec's `path`, so this plugin fills it in from
//! that: the concrete part of the affected path, up to the first `@` (every list item).

use hive_router::{
    async_trait,
    executor::response::graphql_error::{GraphQLErrorPath, GraphQLErrorPathSegment},
    plugins::{
        hooks::{
            on_graphql_error::{OnGraphQLErrorHookPayload, OnGraphQLErrorHookResult},
            on_plugin_init::{OnPluginInitPayload, OnPluginInitResult},
        },
        plugin_trait::RouterPlugin,
    },
};
use serde::Deserialize;

/// The name this plugin has in Hive Router's `plugins:` configuration.
pub const PLUGIN_NAME: &str = "storefront_error_paths";

pub struct ErrorPaths;

#[derive(Debug, Default, Deserialize)]
pub struct ErrorPathsConfig {}

#[async_trait]
impl RouterPlugin for ErrorPaths {
    type Config = ErrorPathsConfig;

    fn plugin_name() -> &'static str {
        PLUGIN_NAME
    }

    fn on_plugin_init(_payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        Ok(Some(Self))
    }

    fn on_graphql_error<'req>(
        &'req self,
        mut payload: OnGraphQLErrorHookPayload<'req>,
    ) -> OnGraphQLErrorHookResult<'req> {
        let error = &mut payload.error;
        if error.path.is_none()
            && let Some(affected) = &error.extensions.affected_path
        {
            let segments = path_segments(affected);
            if !segments.is_empty() {
                error.path = Some(GraphQLErrorPath { segments });
            }
        }
        payload.proceed()
    }
}

/// `products.edges.@.node` → `["products", "edges"]`; `user.friends[0].name` →
/// `["user", "friends", 0, "name"]`.
fn path_segments(affected: &str) -> Vec<GraphQLErrorPathSegment> {
    let mut segments = Vec::new();
    for part in affected.split('.') {
        // Type conditions (`node|[Product]`) say nothing about where the data is.
        let part = part.split('|').next().unwrap_or_default();
        if part == "@" || part.is_empty() {
            break;
        }
        let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
        if let Ok(index) = name.parse::<usize>() {
            segments.push(GraphQLErrorPathSegment::Index(index));
        } else {
            segments.push(GraphQLErrorPathSegment::String(name.to_owned()));
        }
        for index in indexes.split('[') {
            if let Ok(index) = index.trim_end_matches(']').parse::<usize>() {
                segments.push(GraphQLErrorPathSegment::Index(index));
            }
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(affected: &str) -> Vec<String> {
        path_segments(affected)
            .into_iter()
            .map(|segment| match segment {
                GraphQLErrorPathSegment::String(name) => name,
                GraphQLErrorPathSegment::Index(index) => index.to_string(),
            })
            .collect()
    }

    #[test]
    fn concrete_paths_are_kept_whole() {
        assert_eq!(shown("product"), ["product"]);
        assert_eq!(
            shown("user.friends[0].name"),
            ["user", "friends", "0", "name"]
        );
        assert_eq!(
            shown("cart.lines.2.product"),
            ["cart", "lines", "2", "product"]
        );
    }

    #[test]
    fn list_wildcards_cut_the_path_at_the_list() {
        assert_eq!(shown("products.edges.@.node"), ["products", "edges"]);
        assert_eq!(shown("@"), Vec::<String>::new());
    }
}
