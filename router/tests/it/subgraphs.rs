//! Subgraph SDLs written inline for composition tests, and what composing them gives.

use router::{
    composition::{CompositionError, CompositionIssue, Supergraph, compose},
    supergraph_config::SubgraphSchema,
};

/// The federation `@link` every inline subgraph starts with.
const LINK: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@inaccessible", "@external", "@requires", "@provides", "@override"])"#;

/// A subgraph named `name` whose schema is `sdl` after the federation link.
pub fn subgraph(name: &str, sdl: &str) -> SubgraphSchema {
    SubgraphSchema {
        name: name.to_owned(),
        routing_url: format!("http://{name}.example/graphql"),
        sdl: format!("{LINK}\n{sdl}"),
        file: None,
    }
}

/// The supergraph `subgraphs` compose to; panics when they do not.
pub fn composed(subgraphs: &[SubgraphSchema]) -> Supergraph {
    compose(subgraphs).unwrap_or_else(|err| panic!("expected the subgraphs to compose: {err}"))
}

/// The first issue composition refuses `subgraphs` with; panics when they compose.
pub fn refused_with(subgraphs: &[SubgraphSchema]) -> CompositionIssue {
    match compose(subgraphs) {
        Err(CompositionError::Failed(issues)) => issues[0].clone(),
        Err(other) => panic!("expected a composition failure, got {other}"),
        Ok(_) => panic!("expected a composition failure, but it composed"),
    }
}
