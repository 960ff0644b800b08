//! The check's inputs: what a run is asked to do, and the files it reads for it (the
//! subgraphs' current schemas, registered operations, lint config, approvals, recorded
//! traffic), loaded once before any stage runs.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};

use super::{
    CheckError, CheckFileError,
    approvals::{Approval, ApprovalsFile},
    lint::LintConfig,
};
use crate::{
    operations::{self, OperationFile},
    supergraph_config::{SubgraphSchema, SupergraphConfig},
    usage::UsageLog,
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
    /// The approved breaking changes file.
    pub approvals: Option<PathBuf>,
    /// The lint config (rule severities); every rule at its default without one.
    pub lint_config: Option<PathBuf>,
    /// Fail a proposal on lint errors its subgraph already had, not only on new ones.
    pub lint_all: bool,
    /// Usage files the router recorded (`--usage-file`), one per replica; with them a
    /// breaking change fails only when registered operations or recorded traffic use it.
    pub usage: Vec<PathBuf>,
    /// How far back recorded traffic counts.
    pub window: Duration,
    /// The time approvals' expiry and the usage window are judged against.
    pub now: DateTime<Utc>,
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

/// Everything the stages read, loaded from the files `CheckRequest` names.
pub struct Inputs {
    /// The subgraphs' current schemas (as deployed).
    pub current: Vec<SubgraphSchema>,
    pub operations: Vec<OperationFile>,
    pub lint_config: LintConfig,
    pub approvals: Vec<Approval>,
    /// Recorded traffic, when usage files were given.
    pub traffic: Option<UsageLog>,
    /// Unix time from which recorded traffic counts.
    pub traffic_since: u64,
}

impl Inputs {
    pub async fn load(request: &CheckRequest) -> Result<Self, CheckError> {
        let loaded = SupergraphConfig::load(&request.config)?;
        let current = loaded.subgraph_schemas(&reqwest::Client::new()).await?;
        let operations = operations::load(&request.operations)?;
        let lint_config = match &request.lint_config {
            Some(path) => LintConfig::load(path)?,
            None => LintConfig::default(),
        };
        let approvals = match &request.approvals {
            Some(path) => ApprovalsFile::load(path)?.approvals,
            None => Vec::new(),
        };
        let traffic = if request.usage.is_empty() {
            None
        } else {
            Some(UsageLog::load_all(&request.usage)?)
        };
        let traffic_since = u64::try_from(request.now.timestamp())
            .unwrap_or_default()
            .saturating_sub(request.window.as_secs());
        Ok(Self {
            current,
            operations,
            lint_config,
            approvals,
            traffic,
            traffic_since,
        })
    }
}

/// The current subgraphs with `proposal`'s schema in place of (or beside) its subgraph's.
pub fn with_proposal(
    current: &[SubgraphSchema],
    proposal: &Proposal,
) -> Result<Vec<SubgraphSchema>, CheckError> {
    let sdl = read(&proposal.schema)?;
    let mut subgraphs = current.to_vec();
    match subgraphs.iter_mut().find(|s| s.name == proposal.subgraph) {
        Some(subgraph) => {
            subgraph.sdl = sdl;
            subgraph.file = Some(proposal.schema.clone());
        }
        None => subgraphs.push(SubgraphSchema {
            name: proposal.subgraph.clone(),
            // A new subgraph: where it will be routed does not matter to the check.
            routing_url: format!("http://{}.invalid/graphql", proposal.subgraph),
            sdl,
            file: Some(proposal.schema.clone()),
        }),
    }
    Ok(subgraphs)
}

pub fn read(path: &Path) -> Result<String, CheckFileError> {
    std::fs::read_to_string(path).map_err(|source| CheckFileError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads a YAML file the check is configured with; an empty one (or only comments) is the
/// default value.
pub fn read_yaml<T: DeserializeOwned + Default>(
    path: &Path,
    expected: &str,
) -> Result<T, CheckFileError> {
    let text = read(path)?;
    let blank = text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'));
    if blank {
        return Ok(T::default());
    }
    serde_yaml::from_str(&text).map_err(|source| CheckFileError::Parse {
        path: path.to_owned(),
        source,
        expected: expected.to_owned(),
    })
}
