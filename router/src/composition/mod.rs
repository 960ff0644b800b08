//! Our composition front end: subgraph SDLs in, an Apollo-format supergraph out, as Hive
//! Router's planner reads it. Merging and validation are graphql-composition's; rendering
//! the join/link spec form, and reporting errors, are ours.

pub mod normalize;
mod render;

use graphql_composition::{Subgraphs, diagnostics::Severity};

use crate::supergraph_config::SubgraphSchema;

/// A composed supergraph and what composition warned about.
#[derive(Debug, Clone)]
pub struct Supergraph {
    pub sdl: String,
    pub warnings: Vec<String>,
}

/// One reason composition failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositionIssue {
    /// The composite-schemas error code when the library gives one, else `COMPOSITION_ERROR`.
    pub code: String,
    pub message: String,
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
    let issues: Vec<CompositionIssue> = result
        .diagnostics()
        .iter()
        .filter(|diagnostic| matches!(diagnostic.severity(), Severity::Error))
        .map(|diagnostic| CompositionIssue {
            code: diagnostic
                .composite_schemas_error_code()
                .map(|code| format!("{code:?}"))
                .unwrap_or_else(|| "COMPOSITION_ERROR".to_owned()),
            message: diagnostic.message().to_owned(),
        })
        .collect();
    let graph = result
        .into_result()
        .map_err(|_| CompositionError::Failed(issues))?;
    let federated = graphql_composition::render_federated_sdl(&graph).map_err(|err| {
        CompositionError::Failed(vec![CompositionIssue {
            code: "RENDER_ERROR".to_owned(),
            message: err.to_string(),
        }])
    })?;
    let sdl = render::apollo_supergraph(&federated, subgraphs).map_err(|err| {
        CompositionError::Failed(vec![CompositionIssue {
            code: "RENDER_ERROR".to_owned(),
            message: err.to_string(),
        }])
    })?;
    Ok(Supergraph { sdl, warnings })
}
