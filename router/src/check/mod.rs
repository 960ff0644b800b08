//! Schema checks, offline: committed schemas still match their sources, the subgraphs compose,
//! a proposed subgraph schema's effect on the API schema is classified, and registered client
//! operations still validate. `router check` and `cargo xtask check` run this.

pub mod approvals;
pub mod changes;
pub mod drift;
pub mod lint;
pub mod operations;
pub mod report;
pub mod sdl;

use std::{
    collections::BTreeSet,
    path::{Component, Path, PathBuf},
    time::Duration,
};

use chrono::{DateTime, Utc};
use hive_router::graphql_tools::{
    parser::schema::{Definition, parse_schema},
    static_graphql::schema,
};
use serde::{Serialize, de::DeserializeOwned};

use self::{
    approvals::{Approval, ApprovalStatus, ApprovalsFile},
    changes::Change,
    drift::Drift,
    lint::{LintConfig, Violation},
    operations::OperationFile,
    sdl::{Sdl, SdlError},
};
pub use self::{changes::Criticality, report::Format};
use crate::{
    composition::{self, CompositionError, CompositionIssue},
    supergraph_config::{ConfigError, SubgraphSchema, SupergraphConfig},
    usage::{UsageError, UsageLog},
};

/// The JSON report's shape; raised when a field changes meaning or goes away.
pub const REPORT_VERSION: u32 = 1;

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

/// Why a check could not run at all (as opposed to running and failing).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    File(#[from] CheckFileError),
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error("{path} is not a valid GraphQL operation document: {message}")]
    InvalidOperation { path: PathBuf, message: String },
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

/// Everything a check found; `passed` is what CI acts on.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
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
    pub lint: Lint,
    pub approvals: Approvals,
    /// The recorded traffic breaking changes were judged by, when usage files were given.
    pub usage: Option<UsageSummary>,
}

/// The recorded traffic a check read.
#[derive(Debug, Clone, Serialize)]
pub struct UsageSummary {
    pub files: Vec<String>,
    /// How far back traffic counted (`30days`).
    pub window: String,
    /// Distinct (client, operation) pairs recorded.
    pub operations: usize,
}

/// A place in a file, for annotations and links (lines and columns count from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Composition {
    pub subgraphs: Vec<String>,
    pub errors: Vec<LocatedIssue>,
}

/// A composition error and where in a subgraph's SDL it is, when that can be told.
#[derive(Debug, Clone, Serialize)]
pub struct LocatedIssue {
    #[serde(flatten)]
    pub issue: CompositionIssue,
    pub location: Option<Location>,
}

/// A schema change, the registered operations that use what it changes, and the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ClassifiedChange {
    #[serde(flatten)]
    pub change: Change,
    pub used_by: Vec<String>,
    /// Recorded traffic (`client: operation`) that used it within the window.
    pub traffic: Vec<String>,
    /// An approval that matched it (approved, or expired).
    pub approval: Option<ApprovalStatus>,
    /// Whether this change fails the check.
    pub fails: bool,
    /// Where the proposed SDL has it (or, for a removal, its nearest remaining parent).
    pub location: Option<Location>,
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
    /// The line of the first error.
    pub line: usize,
    /// Every breaking change these operations use is approved, so their breaking is too.
    pub approved: bool,
}

/// Lint rule violations in the linted subgraph schemas.
#[derive(Debug, Clone, Serialize)]
pub struct Lint {
    /// The subgraphs whose SDL was linted (the proposed one only, for a proposal).
    pub subgraphs: Vec<String>,
    /// Whether a proposal fails for violations its subgraph already had.
    pub all: bool,
    pub violations: Vec<Violation>,
}

impl Lint {
    /// Whether `violation` fails the check.
    pub fn fails(&self, violation: &Violation) -> bool {
        violation.severity == lint::Severity::Error && (self.all || !violation.existing)
    }
}

/// The approvals file's entries that matched nothing.
#[derive(Debug, Clone, Serialize)]
pub struct Approvals {
    pub file: Option<String>,
    /// Approvals no change in this proposal matches: delete them.
    pub stale: Vec<StaleApproval>,
}

/// An approval that matched nothing, and the line of the approvals file that names it.
#[derive(Debug, Clone, Serialize)]
pub struct StaleApproval {
    #[serde(flatten)]
    pub approval: Approval,
    pub location: Option<Location>,
}

/// Runs every check `request` asks for.
pub async fn run(request: &CheckRequest) -> Result<Report, CheckError> {
    let loaded = SupergraphConfig::load(&request.config)?;
    let current = loaded.subgraph_schemas(&reqwest::Client::new()).await?;
    let operation_files = operations::load(&request.operations)?;
    let lint_config = match &request.lint_config {
        Some(path) => LintConfig::load(path)?,
        None => LintConfig::default(),
    };
    let approvals = match &request.approvals {
        Some(path) => ApprovalsFile::load(path)?.approvals,
        None => Vec::new(),
    };
    let traffic_log = if request.usage.is_empty() {
        None
    } else {
        Some(UsageLog::load_all(&request.usage)?)
    };
    let since = u64::try_from(request.now.timestamp())
        .unwrap_or_default()
        .saturating_sub(request.window.as_secs());

    let (baseline, candidate) = match &request.proposal {
        Some(proposal) => {
            let baseline = composition::compose(&current)
                .map_err(|_| CheckError::CurrentGraphDoesNotCompose)?;
            (Some(baseline), with_proposal(&current, proposal)?)
        }
        None => (None, current.clone()),
    };
    let composed = composition::compose(&candidate).map_err(|err| match err {
        CompositionError::Failed(issues) => issues,
        CompositionError::InvalidSdl { subgraph, message } => {
            vec![CompositionIssue::invalid_graphql(&subgraph, message)]
        }
    });

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
    let parsed: Vec<(&SubgraphSchema, Result<Sdl, SdlError>)> = candidate
        .iter()
        .map(|subgraph| (subgraph, Sdl::parse(&subgraph.sdl)))
        .collect();
    let mut report = Report {
        version: REPORT_VERSION,
        passed: false,
        failures: Vec::new(),
        proposal: request.proposal.clone(),
        strict: request.strict,
        drift,
        composition: Composition {
            subgraphs: candidate.iter().map(|s| s.name.clone()).collect(),
            errors: composed
                .as_ref()
                .err()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|issue| locate_issue(issue, &parsed))
                .collect(),
        },
        changes: Vec::new(),
        operations: Operations {
            checked: false,
            registered,
            invalid: Vec::new(),
        },
        lint: lint_subgraphs(request, &lint_config, &current, &parsed),
        approvals: Approvals {
            file: request.approvals.as_deref().map(shown),
            stale: Vec::new(),
        },
        usage: traffic_log.as_ref().map(|log| UsageSummary {
            files: request.usage.iter().map(|p| shown(p)).collect(),
            window: humantime::format_duration(request.window).to_string(),
            operations: log.operations.len(),
        }),
    };
    if let Ok(supergraph) = &composed {
        let proposed_api = parse_api_schema(&supergraph.api_sdl)?;
        report.operations.checked = true;
        report.operations.invalid = operation_files
            .iter()
            .filter_map(|file| {
                let errors = file.validate(&proposed_api);
                let line = errors.iter().find_map(|(_, line)| *line).unwrap_or(1);
                (!errors.is_empty()).then(|| InvalidOperation {
                    operations: file.operation_names(),
                    file: shown(&file.path),
                    errors: errors.into_iter().map(|(error, _)| error).collect(),
                    line,
                    approved: false,
                })
            })
            .collect();
        if let (Some(baseline), Some(proposal)) = (&baseline, &request.proposal) {
            let current_api = parse_api_schema(&baseline.api_sdl)?;
            let usage: Vec<(String, BTreeSet<String>)> = operation_files
                .iter()
                .flat_map(|file| file.usage(&current_api))
                .collect();
            let proposed_sdl = parsed
                .iter()
                .find(|(subgraph, _)| subgraph.name == proposal.subgraph)
                .and_then(|(_, sdl)| sdl.as_ref().ok());
            let mut matched = vec![false; approvals.len()];
            report.changes = changes::compare(&current_api, &proposed_api)
                .into_iter()
                .map(|change| {
                    let through = change.used_through();
                    let coordinate = change.coordinate();
                    // Every matching entry is in use; one still in force wins over an
                    // expired one (a renewal written below the old entry).
                    let mut statuses = Vec::new();
                    for (at, entry) in approvals.iter().enumerate() {
                        if entry.matches(change.code(), &coordinate, &proposal.subgraph) {
                            matched[at] = true;
                            statuses.push(entry.status(request.now.date_naive()));
                        }
                    }
                    let approval = statuses
                        .iter()
                        .find(|s| matches!(s, ApprovalStatus::Approved { .. }))
                        .or(statuses.first())
                        .cloned();
                    let used_by: Vec<String> = usage
                        .iter()
                        .filter(|(_, used)| used.contains(&through))
                        .map(|(name, _)| name.clone())
                        .collect();
                    let traffic = traffic_log
                        .as_ref()
                        .map(|log| log.used_since(&through, since))
                        .unwrap_or_default();
                    // With recorded traffic to go by, an unused change is known to be safe.
                    let used = !used_by.is_empty() || !traffic.is_empty();
                    let fails = change.criticality() == Criticality::Breaking
                        && !matches!(approval, Some(ApprovalStatus::Approved { .. }))
                        && (used || (request.strict && traffic_log.is_none()));
                    ClassifiedChange {
                        traffic,
                        location: proposed_sdl
                            .and_then(|sdl| locate(sdl, &coordinate, Some(&proposal.schema))),
                        used_by,
                        approval,
                        fails,
                        change,
                    }
                })
                .collect();
            let stale = approvals
                .iter()
                .zip(matched)
                .filter(|(approval, matched)| {
                    !matched
                        && approval
                            .subgraph
                            .as_deref()
                            .is_none_or(|s| s == proposal.subgraph)
                })
                .map(|(approval, _)| approval.clone())
                .collect::<Vec<_>>();
            if !stale.is_empty()
                && let Some(path) = &request.approvals
            {
                let text = read(path).unwrap_or_default();
                report.approvals.stale = stale
                    .into_iter()
                    .map(|approval| StaleApproval {
                        location: Some(Location {
                            file: shown(path),
                            line: approvals::line_naming(&text, &approval.coordinate),
                            column: 1,
                        }),
                        approval,
                    })
                    .collect();
            }
            for invalid in &mut report.operations.invalid {
                let mut breaking = report.changes.iter().filter(|c| {
                    c.change.criticality() == Criticality::Breaking
                        && c.used_by.iter().any(|op| invalid.operations.contains(op))
                });
                let first = breaking.next();
                invalid.approved = first.is_some()
                    && first
                        .into_iter()
                        .chain(breaking)
                        .all(|c| matches!(c.approval, Some(ApprovalStatus::Approved { .. })));
            }
        }
    }
    report.failures = report::failures(&report);
    report.passed = report.failures.is_empty();
    Ok(report)
}

/// Lints every subgraph, or for a proposal the proposed SDL, marking what the current SDL of
/// that subgraph already broke.
fn lint_subgraphs(
    request: &CheckRequest,
    config: &LintConfig,
    current: &[SubgraphSchema],
    candidate: &[(&SubgraphSchema, Result<Sdl, SdlError>)],
) -> Lint {
    let linted = candidate.iter().filter(|(subgraph, _)| {
        request
            .proposal
            .as_ref()
            .is_none_or(|proposal| proposal.subgraph == subgraph.name)
    });
    let mut lint = Lint {
        subgraphs: Vec::new(),
        all: request.lint_all,
        violations: Vec::new(),
    };
    for (subgraph, sdl) in linted {
        // Unparseable SDL is already a composition error (INVALID_GRAPHQL).
        let Ok(sdl) = sdl else { continue };
        lint.subgraphs.push(subgraph.name.clone());
        let mut found = lint::lint(config, &subgraph.name, subgraph.file.as_deref(), sdl);
        if request.proposal.is_some() {
            let before = current
                .iter()
                .find(|old| old.name == subgraph.name)
                .and_then(|old| Sdl::parse(&old.sdl).ok())
                .map(|old| lint::lint(config, &subgraph.name, None, &old))
                .unwrap_or_default();
            lint::mark_existing(&mut found, &before);
        }
        lint.violations.extend(found);
    }
    lint
}

/// `issue` with the line of its coordinate in the first subgraph it names (or, for SDL that
/// does not parse, where the parser stopped).
fn locate_issue(
    issue: CompositionIssue,
    parsed: &[(&SubgraphSchema, Result<Sdl, SdlError>)],
) -> LocatedIssue {
    let location = issue.subgraphs.first().and_then(|name| {
        let (subgraph, sdl) = parsed.iter().find(|(s, _)| &s.name == name)?;
        let file = subgraph.file.as_deref()?;
        match (sdl, &issue.coordinate) {
            (Ok(sdl), Some(coordinate)) => locate(sdl, coordinate, Some(file)),
            (Err(error), _) => Some(Location {
                file: shown(file),
                line: error.line.unwrap_or(1),
                column: error.column.unwrap_or(1),
            }),
            (Ok(_), None) => Some(Location {
                file: shown(file),
                line: 1,
                column: 1,
            }),
        }
    });
    LocatedIssue { issue, location }
}

fn locate(sdl: &Sdl, coordinate: &str, file: Option<&Path>) -> Option<Location> {
    let (line, column) = sdl.locate(coordinate)?;
    Some(Location {
        file: shown(file?),
        line,
        column,
    })
}

/// A path as reports show it: without `./` steps, so CI annotations find the file.
pub fn shown(path: &Path) -> String {
    path.components()
        .filter(|component| *component != Component::CurDir)
        .collect::<PathBuf>()
        .display()
        .to_string()
}

/// Reads a YAML file the check is configured with; an empty one (or only comments) is the
/// default value.
fn read_yaml<T: DeserializeOwned + Default>(
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

/// The current subgraphs with `proposal`'s schema in place of (or beside) its subgraph's.
fn with_proposal(
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

fn read(path: &Path) -> Result<String, CheckFileError> {
    std::fs::read_to_string(path).map_err(|source| CheckFileError::Read {
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
