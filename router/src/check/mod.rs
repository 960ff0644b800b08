//! Schema checks, offline: committed schemas still match their sources, the subgraphs compose,
//! a proposed subgraph schema's effect on the API schema is classified, and registered client
//! operations still validate. `router check` and `cargo xtask check` run this.
//!
//! [`run`] is a pipeline of stages, each in its own module: load the inputs (`inputs`),
//! compose, drift (`drift`), lint (`lint`), registered operations (`registered`), classify the
//! changes (`classify`), stale approvals (`approvals`); the report they fill is `model`, and
//! `report` writes it in every format. A new rule belongs to one stage.

mod api_schema;
pub mod approvals;
pub mod changes;
mod classify;
pub mod drift;
mod inputs;
pub mod lint;
mod model;
mod registered;
pub mod report;
pub mod sdl;

use std::path::PathBuf;

pub use self::{
    changes::Criticality,
    inputs::{CheckRequest, DriftPair, Proposal},
    model::*,
    report::Format,
};
use self::{
    inputs::{Inputs, with_proposal},
    sdl::{Sdl, SdlError},
};
use crate::{
    composition::{self, CompositionError, CompositionIssue, Supergraph},
    operations::OperationsError,
    supergraph_config::{ConfigError, SubgraphSchema},
    usage::UsageError,
};

/// Why a check could not run at all (as opposed to running and failing).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    File(#[from] CheckFileError),
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error(transparent)]
    Operations(#[from] OperationsError),
    #[error(
        "the current subgraphs do not compose, so there is nothing to compare the proposal with \
         (run the check without --subgraph to see why)"
    )]
    CurrentGraphDoesNotCompose,
    #[error("the composed API schema does not parse: {0}")]
    ApiSchema(String),
}

/// A file the check reads that is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum CheckFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source} ({expected})")]
    Parse {
        path: PathBuf,
        source: serde_yaml::Error,
        expected: String,
    },
}

/// Runs every check `request` asks for.
pub async fn run(request: &CheckRequest) -> Result<Report, CheckError> {
    let inputs = Inputs::load(request).await?;
    let graph = Graph::compose(request, &inputs)?;
    let drift = drift::committed_files(
        request,
        graph.composed.as_ref().ok().map(|s| s.sdl.as_str()),
    )?;

    let mut report = Report {
        version: REPORT_VERSION,
        passed: false,
        failures: Vec::new(),
        proposal: request.proposal.clone(),
        strict: request.strict,
        drift,
        composition: Composition {
            subgraphs: graph.candidate.iter().map(|s| s.name.clone()).collect(),
            errors: graph
                .composed
                .as_ref()
                .err()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|issue| locate_issue(issue, &graph.parsed()))
                .collect(),
        },
        changes: Vec::new(),
        operations: Operations {
            checked: false,
            registered: registered::registered_names(&inputs.operations),
            invalid: Vec::new(),
        },
        lint: lint::subgraphs(
            request,
            &inputs.lint_config,
            &inputs.current,
            &graph.parsed(),
        ),
        approvals: Approvals {
            file: request.approvals.as_deref().map(shown),
            stale: Vec::new(),
        },
        usage: inputs.traffic.as_ref().map(|log| UsageSummary {
            files: request.usage.iter().map(|p| shown(p)).collect(),
            window: humantime::format_duration(request.window).to_string(),
            operations: log.operations.len(),
        }),
    };
    if let Ok(supergraph) = &graph.composed {
        let proposed_api = api_schema::parse(&supergraph.api_sdl)?;
        report.operations = registered::validate(&inputs.operations, &proposed_api);
        if let (Some(baseline), Some(proposal)) = (&graph.baseline, &request.proposal) {
            let current_api = api_schema::parse(&baseline.api_sdl)?;
            let parsed = graph.parsed();
            let proposed_sdl = parsed
                .iter()
                .find(|(subgraph, _)| subgraph.name == proposal.subgraph)
                .and_then(|(_, sdl)| sdl.as_ref().ok());
            let classified = classify::changes(
                request,
                &inputs,
                proposal,
                &current_api,
                &proposed_api,
                proposed_sdl,
            );
            report.approvals.stale = approvals::stale(
                &inputs.approvals,
                &classified.matched_approvals,
                proposal,
                request.approvals.as_deref(),
            );
            report.changes = classified.changes;
            registered::mark_approved(&mut report.operations.invalid, &report.changes);
        }
    }
    report.failures = report::failures(&report);
    report.passed = report.failures.is_empty();
    Ok(report)
}

/// The compose stage: the graph a check judges (the current subgraphs, or with a proposal in
/// place of its subgraph's schema) and, for a proposal, the current graph it is compared with.
struct Graph {
    baseline: Option<Supergraph>,
    candidate: Vec<SubgraphSchema>,
    composed: Result<Supergraph, Vec<CompositionIssue>>,
    parsed_sdl: Vec<Result<Sdl, SdlError>>,
}

impl Graph {
    fn compose(request: &CheckRequest, inputs: &Inputs) -> Result<Self, CheckError> {
        let (baseline, candidate) = match &request.proposal {
            Some(proposal) => {
                let baseline = composition::compose(&inputs.current)
                    .map_err(|_| CheckError::CurrentGraphDoesNotCompose)?;
                (Some(baseline), with_proposal(&inputs.current, proposal)?)
            }
            None => (None, inputs.current.clone()),
        };
        let composed = composition::compose(&candidate).map_err(|err| match err {
            CompositionError::Failed(issues) => issues,
            CompositionError::InvalidSdl { subgraph, message } => {
                vec![CompositionIssue::invalid_graphql(&subgraph, message)]
            }
        });
        let parsed_sdl = candidate
            .iter()
            .map(|subgraph| Sdl::parse(&subgraph.sdl))
            .collect();
        Ok(Self {
            baseline,
            candidate,
            composed,
            parsed_sdl,
        })
    }

    /// Each candidate subgraph with its SDL parsed (or why it does not parse).
    fn parsed(&self) -> Vec<(&SubgraphSchema, &Result<Sdl, SdlError>)> {
        self.candidate.iter().zip(&self.parsed_sdl).collect()
    }
}
