//! Our composition front end: subgraph SDLs in, an Apollo-format supergraph out, as Hive
//! Router's planner reads it. Merging and validation are graphql-composition's; rendering
//! the join/link spec form, and reporting errors, are ours.

pub mod diagnostics;
pub mod normalize;
mod render;

use graphql_composition::{Subgraphs, diagnostics::Severity};

pub use self::diagnostics::CompositionIssue;
use crate::supergraph_config::SubgraphSchema;
/// Every code a composition issue can carry (Apollo Federation's, and ours).
pub use graphql_composition::diagnostics::FederationErrorCode;

/// A composed supergraph and what composition warned about.
#[derive(Debug, Clone)]
pub struct Supergraph {
    /// The supergraph in Apollo's join/link form, as routers read it.
    pub sdl: String,
    /// The API schema clients see: the supergraph without federation machinery or
    /// `@inaccessible` elements.
    pub api_sdl: String,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CompositionError {
    #[error("subgraph `{subgraph}` is not valid GraphQL SDL: {message}")]
    InvalidSdl { subgraph: String, message: String },
    #[error("composition failed:\n{}", format_issues(.0))]
    Failed(Vec<CompositionIssue>),
}

fn format_issues(issues: &[CompositionIssue]) -> String {
    issues
        .iter()
        .map(|issue| format!("  [{}] {}", issue.code, issue.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Composes `subgraphs` into a supergraph.
pub fn compose(subgraphs: &[SubgraphSchema]) -> Result<Supergraph, CompositionError> {
    let mut ingested = Subgraphs::default();
    for subgraph in subgraphs {
        ingested
            .ingest_str(&subgraph.sdl, &subgraph.name, Some(&subgraph.routing_url))
            .map_err(|err| CompositionError::InvalidSdl {
                subgraph: subgraph.name.clone(),
                message: err.to_string(),
            })?;
    }
    let result = graphql_composition::compose(&mut ingested);
    let warnings: Vec<String> = result
        .diagnostics()
        .iter_warnings()
        .map(str::to_owned)
        .collect();
    let names = || subgraphs.iter().map(|subgraph| subgraph.name.as_str());
    let issues: Vec<CompositionIssue> = result
        .diagnostics()
        .iter()
        .filter(|diagnostic| matches!(diagnostic.severity(), Severity::Error))
        .map(|diagnostic| {
            let code = diagnostic
                .federation_code()
                .unwrap_or(FederationErrorCode::CompositionError);
            diagnostics::classify(code, diagnostic.message(), names())
        })
        .collect();
    let graph = result
        .into_result()
        .map_err(|_| CompositionError::Failed(issues))?;
    let render_failed = |err: &dyn std::fmt::Display| {
        CompositionError::Failed(vec![CompositionIssue {
            code: "RENDER_ERROR",
            subgraphs: Vec::new(),
            coordinate: None,
            explanation: "the composed graph could not be written as an Apollo supergraph",
            message: err.to_string(),
        }])
    };
    let federated =
        graphql_composition::render_federated_sdl(&graph).map_err(|err| render_failed(&err))?;
    let sdl =
        render::apollo_supergraph(&federated, subgraphs).map_err(|err| render_failed(&err))?;
    let api_sdl = graphql_composition::render_api_sdl(&graph);
    Ok(Supergraph {
        sdl,
        api_sdl,
        warnings,
    })
}
