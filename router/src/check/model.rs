//! What a check found: the report every output format (`report/`) writes, and where in which
//! file each finding is. The pipeline in `mod.rs` fills it stage by stage.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::{
    approvals::{Approval, ApprovalStatus},
    changes::Change,
    drift::Drift,
    inputs::Proposal,
    lint::{self, Violation},
    sdl::{Sdl, SdlError},
};
use crate::{composition::CompositionIssue, supergraph_config::SubgraphSchema};

/// The JSON report's shape; raised when a field changes meaning or goes away.
pub const REPORT_VERSION: u32 = 1;

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

/// `issue` with the line of its coordinate in the first subgraph it names (or, for SDL that
/// does not parse, where the parser stopped).
pub fn locate_issue(
    issue: CompositionIssue,
    parsed: &[(&SubgraphSchema, &Result<Sdl, SdlError>)],
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

pub fn locate(sdl: &Sdl, coordinate: &str, file: Option<&Path>) -> Option<Location> {
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
