//! Schema checks, offline: committed schemas still match their sources, the subgraphs compose,
//! a proposed subgraph schema's effect on the API schema is classified, and registered client
//! operations still validate. `router check` and `cargo xtask check` run this.

pub mod changes;
pub mod drift;
pub mod operations;
mod report;

use std::{collections::BTreeSet, path::PathBuf};

use hive_router::graphql_tools::{
    parser::schema::{Definition, parse_schema},
    static_graphql::schema,
};
use serde::Serialize;

use self::{changes::Change, drift::Drift, operations::OperationFile};
pub use self::{changes::Criticality, report::write_human};
use crate::{
    composition::{self, CompositionError, CompositionIssue},
    supergraph_config::{ConfigError, SubgraphSchema, SupergraphConfig},
};

/// What to check.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// The rover-format supergraph config naming the subgraphs and their current schemas.
    pub config: PathBuf,
    /// A committed supergraph that must equal a fresh composition of `config`.
    pub supergraph: Option<PathBuf>,
    /// Committed files that must equal freshly generated ones.
    pub drift: Vec<DriftPair>,
    /// The command that regenerates drifted files, shown to whoever has to fix them.
    pub regenerate: String,
    /// A proposed schema for one subgraph, checked against the current graph.
    pub proposal: Option<Proposal>,
    /// Files or folders of registered client operations (`.graphql`).
    pub operations: Vec<PathBuf>,
    /// Fail on breaking changes even when no registered operation uses them.
    pub strict: bool,
}

/// `committed` must have the same contents as `fresh`.
#[derive(Debug, Clone)]
pub struct DriftPair {
    pub committed: PathBuf,
    pub fresh: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub subgraph: String,
    pub schema: PathBuf,
}

/// Why a check could not run at all (as opposed to running and failing).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid GraphQL operation document: {message}")]
    InvalidOperation { path: PathBuf, message: String },
    #[error("subgraph `{subgraph}`'s schema is not valid GraphQL SDL: {message}")]
    InvalidSdl { subgraph: String, message: String },
    #[error(
        "the current subgraphs do not compose, so there is nothing to compare the proposal with \
         (run the check without --subgraph to see why)"
    )]
    CurrentGraphDoesNotCompose,
    #[error("the composed API schema does not parse: {0}")]
    ApiSchema(String),
}

/// Everything a check found; `passed` is what CI acts on.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub passed: bool,
    /// Why the check failed, one line each (empty when it passed).
    pub failures: Vec<String>,
    pub proposal: Option<Proposal>,
    pub strict: bool,
    pub drift: Vec<Drift>,
    pub composition: Composition,
    /// API schema changes the proposal makes (empty without a proposal).
    pub changes: Vec<ClassifiedChange>,
    pub operations: Operations,
}

#[derive(Debug, Clone, Serialize)]
pub struct Composition {
    pub subgraphs: Vec<String>,
    pub errors: Vec<CompositionIssue>,
}

/// A schema change and the registered operations that use what it changes.
#[derive(Debug, Clone, Serialize)]
pub struct ClassifiedChange {
    #[serde(flatten)]
    pub change: Change,
    pub used_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operations {
    /// Whether operations were validated (not when composition failed).
    pub checked: bool,
    /// Every registered operation's name.
    pub registered: Vec<String>,
    pub invalid: Vec<InvalidOperation>,
}

/// A registered operation the (proposed) API schema no longer accepts.
#[derive(Debug, Clone, Serialize)]
pub struct InvalidOperation {
    pub operations: Vec<String>,
    pub file: String,
    pub errors: Vec<String>,
}

/// Runs every check `request` asks for.
pub async fn run(request: &CheckRequest) -> Result<Report, CheckError> {
    let loaded = SupergraphConfig::load(&request.config)?;
    let current = loaded.subgraph_schemas(&reqwest::Client::new()).await?;
    let operation_files = operations::load(&request.operations)?;

    let (baseline, candidate) = match &request.proposal {
        Some(proposal) => {
            let baseline = match composition::compose(&current) {
                Ok(supergraph) => supergraph,
                Err(CompositionError::Failed(_)) => {
                    return Err(CheckError::CurrentGraphDoesNotCompose);
                }
                Err(err) => return Err(invalid_sdl(err)),
            };
            (Some(baseline), with_proposal(&current, proposal)?)
        }
        None => (None, current),
    };
    let composed = match composition::compose(&candidate) {
        Ok(supergraph) => Ok(supergraph),
        Err(CompositionError::Failed(issues)) => Err(issues),
        Err(err) => return Err(invalid_sdl(err)),
    };

    let mut drift = Vec::new();
    if request.proposal.is_none() {
        if let (Some(file), Ok(supergraph)) = (&request.supergraph, &composed) {
            let committed = read(file)?;
            let source = format!("a fresh composition of {}", request.config.display());
            drift.extend(drift::compare(
                file,
                &committed,
                &supergraph.sdl,
                &source,
                &request.regenerate,
            ));
        }
        for pair in &request.drift {
            let (committed, fresh) = (read(&pair.committed)?, read(&pair.fresh)?);
            let source = "the schema its code prints";
            drift.extend(drift::compare(
                &pair.committed,
                &committed,
                &fresh,
                source,
                &request.regenerate,
            ));
        }
    }

    let registered = operation_files
        .iter()
        .flat_map(OperationFile::operation_names)
        .collect();
    let mut report = Report {
        passed: false,
        failures: Vec::new(),
        proposal: request.proposal.clone(),
        strict: request.strict,
        drift,
        composition: Composition {
            subgraphs: candidate.iter().map(|s| s.name.clone()).collect(),
            errors: composed.as_ref().err().cloned().unwrap_or_default(),
        },
        changes: Vec::new(),
        operations: Operations {
            checked: false,
            registered,
            invalid: Vec::new(),
        },
    };
    if let Ok(supergraph) = &composed {
        let proposed_api = parse_api_schema(&supergraph.api_sdl)?;
        report.operations.checked = true;
        report.operations.invalid = operation_files
            .iter()
            .filter_map(|file| {
                let errors = file.validate(&proposed_api);
                (!errors.is_empty()).then(|| InvalidOperation {
                    operations: file.operation_names(),
                    file: file.path.display().to_string(),
                    errors,
                })
            })
            .collect();
        if let Some(baseline) = &baseline {
            let current_api = parse_api_schema(&baseline.api_sdl)?;
            let usage: Vec<(String, BTreeSet<String>)> = operation_files
                .iter()
                .flat_map(|file| file.usage(&current_api))
                .collect();
            report.changes = changes::compare(&current_api, &proposed_api)
                .into_iter()
                .map(|change| {
                    let through = change.used_through();
                    ClassifiedChange {
                        used_by: usage
                            .iter()
                            .filter(|(_, used)| used.contains(&through))
                            .map(|(name, _)| name.clone())
                            .collect(),
                        change,
                    }
                })
                .collect();
        }
    }
    report.failures = failures(&report);
    report.passed = report.failures.is_empty();
    Ok(report)
}

fn failures(report: &Report) -> Vec<String> {
    let mut failures = Vec::new();
    for drift in &report.drift {
        failures.push(format!("{} is out of date", drift.file));
    }
    if !report.composition.errors.is_empty() {
        failures.push(format!(
            "composition failed with {} error(s)",
            report.composition.errors.len()
        ));
    }
    for change in &report.changes {
        if change.change.criticality() != Criticality::Breaking {
            continue;
        }
        if !change.used_by.is_empty() {
            failures.push(format!(
                "breaking change to {} used by {}",
                change.change.coordinate(),
                change.used_by.join(", ")
            ));
        } else if report.strict {
            failures.push(format!(
                "breaking change to {} (--strict)",
                change.change.coordinate()
            ));
        }
    }
    for invalid in &report.operations.invalid {
        failures.push(format!(
            "{} no longer validate(s)",
            invalid.operations.join(", ")
        ));
    }
    failures
}

/// The current subgraphs with `proposal`'s schema in place of (or beside) its subgraph's.
fn with_proposal(
    current: &[SubgraphSchema],
    proposal: &Proposal,
) -> Result<Vec<SubgraphSchema>, CheckError> {
    let sdl = read(&proposal.schema)?;
    let mut subgraphs = current.to_vec();
    match subgraphs.iter_mut().find(|s| s.name == proposal.subgraph) {
        Some(subgraph) => subgraph.sdl = sdl,
        None => subgraphs.push(SubgraphSchema {
            name: proposal.subgraph.clone(),
            // A new subgraph: where it will be routed does not matter to the check.
            routing_url: format!("http://{}.invalid/graphql", proposal.subgraph),
            sdl,
        }),
    }
    Ok(subgraphs)
}

fn invalid_sdl(err: CompositionError) -> CheckError {
    match err {
        CompositionError::InvalidSdl { subgraph, message } => {
            CheckError::InvalidSdl { subgraph, message }
        }
        CompositionError::Failed(_) => CheckError::CurrentGraphDoesNotCompose,
    }
}

fn read(path: &std::path::Path) -> Result<String, CheckError> {
    std::fs::read_to_string(path).map_err(|source| CheckError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Built-in definitions every GraphQL schema has; printed SDL leaves them out, but operation
/// validation looks them up.
const BUILT_INS: &str = r#"
scalar String
scalar Int
scalar Float
scalar Boolean
scalar ID
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @deprecated(reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @specifiedBy(url: String!) on SCALAR
"#;

fn parse_api_schema(sdl: &str) -> Result<schema::Document, CheckError> {
    let parse = |text: &str| {
        parse_schema::<String>(text)
            .map(|document| document.into_static())
            .map_err(|err| CheckError::ApiSchema(err.to_string()))
    };
    let mut document = parse(sdl)?;
    let declared: BTreeSet<String> = document
        .definitions
        .iter()
        .filter_map(defined_name)
        .collect();
    let missing: Vec<Definition<'static, String>> = parse(BUILT_INS)?
        .definitions
        .into_iter()
        .filter(|definition| defined_name(definition).is_some_and(|name| !declared.contains(&name)))
        .collect();
    document.definitions.extend(missing);
    Ok(document)
}

/// A type's name, or a directive's as `@name`.
fn defined_name(definition: &Definition<'static, String>) -> Option<String> {
    match definition {
        Definition::TypeDefinition(definition) => Some(definition.name().to_owned()),
        Definition::DirectiveDefinition(directive) => Some(format!("@{}", directive.name)),
        _ => None,
    }
}
