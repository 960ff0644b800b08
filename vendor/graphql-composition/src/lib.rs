#![deny(unsafe_code, missing_docs, rust_2018_idioms)]
#![doc = include_str!("../README.md")]

pub mod diagnostics;

mod compose;
mod composition_ir;
mod emit_federated_graph;
mod federated_graph;
mod grafbase_extensions;
mod ingest_subgraph;
mod result;
mod subgraphs;
mod validate;

pub use self::{
    diagnostics::Diagnostics,
    federated_graph::{DomainError, FederatedGraph, render_api_sdl, render_federated_sdl},
    grafbase_extensions::LoadedExtension,
    result::CompositionResult,
    subgraphs::{IngestError, Subgraphs},
};

use self::{
    compose::{ComposeContext, compose_subgraphs},
    emit_federated_graph::emit_federated_graph,
    ingest_subgraph::ast_value_to_subgraph_value,
};
use crate::diagnostics::FederationErrorCode;

/// Compose subgraphs into a federated graph.
pub fn compose(subgraphs: &mut Subgraphs) -> CompositionResult {
    subgraphs.sort_pre_composition();

    let mut diagnostics = Diagnostics::default();

    if subgraphs.iter_subgraphs().len() == 0 {
        let error = "No subgraphs to compose. You must pass at least one subgraph.";
        diagnostics.push_fatal(FederationErrorCode::NoQueries, error.to_owned());

        return CompositionResult {
            federated_graph: None,
            diagnostics,
        };
    }

    let mut context = ComposeContext::new(subgraphs, &mut diagnostics);

    validate::validate_pre_merge(&mut context);

    if context.diagnostics.any_fatal() {
        return CompositionResult {
            federated_graph: None,
            diagnostics,
        };
    }

    compose_subgraphs(&mut context);

    // Storefront fork: what merged must also be queryable.
    if !context.diagnostics.any_fatal() {
        validate::satisfiability::validate_satisfiability(&mut context);
    }

    if context.diagnostics.any_fatal() {
        CompositionResult {
            federated_graph: None,
            diagnostics,
        }
    } else {
        let federated_graph = emit_federated_graph(context.into_ir(), subgraphs);

        CompositionResult {
            federated_graph: Some(federated_graph),
            diagnostics,
        }
    }
}

trait VecExt<T> {
    fn push_return_idx(&mut self, elem: T) -> usize;
}

impl<T> VecExt<T> for Vec<T> {
    fn push_return_idx(&mut self, elem: T) -> usize {
        let idx = self.len();
        self.push(elem);
        idx
    }
}

// Storefront fork: upstream's `grafbase_schema_can_be_composed` test read Grafbase's CLI schema
// from elsewhere in its monorepo, which the published crate never held; removed.
