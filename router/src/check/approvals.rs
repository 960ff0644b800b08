//! Approved breaking changes: a committed file (`schema-approvals.yaml`) where a team records a
//! breaking change it means to make, so the check passes it and says why. An approval that no
//! longer matches any change is reported as stale (delete it); an expired one no longer applies.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    CheckFileError,
    inputs::{Proposal, read, read_yaml},
    model::{Location, StaleApproval, shown},
};

/// The approvals file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalsFile {
    #[serde(default)]
    pub approvals: Vec<Approval>,
}

/// One intended breaking change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The change's code, as the report prints it (`FIELD_REMOVED`).
    pub change: String,
    /// The schema coordinate it concerns (`Product.legacySku`, `Query.products(sort:)`).
    pub coordinate: String,
    /// Why the break is acceptable; shown in every report that applies it.
    pub reason: String,
    /// Only for proposals of this subgraph (any subgraph when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subgraph: Option<String>,
    /// The last day the approval applies (`2026-12-31`); after it the change fails again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

impl ApprovalsFile {
    pub fn load(path: &Path) -> Result<Self, CheckFileError> {
        read_yaml(
            path,
            "each approval needs change, coordinate and reason; subgraph and expires \
             (YYYY-MM-DD) are optional",
        )
    }
}

/// How an approval bears on one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// The change is approved: it passes.
    Approved { reason: String },
    /// An approval matched, but its last day has passed: the change is judged as if unapproved.
    Expired { reason: String, expired: NaiveDate },
}

impl Approval {
    /// Whether this approval is for `code` at `coordinate` in a proposal for `subgraph`.
    pub fn matches(&self, code: &str, coordinate: &str, subgraph: &str) -> bool {
        self.change == code
            && self.coordinate == coordinate
            && self.subgraph.as_deref().is_none_or(|s| s == subgraph)
    }

    pub fn status(&self, today: NaiveDate) -> ApprovalStatus {
        match self.expires {
            Some(expired) if today > expired => ApprovalStatus::Expired {
                reason: self.reason.clone(),
                expired,
            },
            _ => ApprovalStatus::Approved {
                reason: self.reason.clone(),
            },
        }
    }
}

/// The line of an approvals file's `text` that says `coordinate: <coordinate>` (1 when none
/// does), for reports to point at.
pub fn line_naming(text: &str, coordinate: &str) -> usize {
    let names = |line: &str| {
        line.trim()
            .trim_start_matches("- ")
            .strip_prefix("coordinate:")
            .is_some_and(|value| value.trim().trim_matches(['"', '\'']) == coordinate)
    };
    text.lines().position(names).map_or(1, |index| index + 1)
}

/// The stale-approvals stage: the approvals (for this proposal's subgraph, or any) that no
/// change matched (`matched[i]` for `approvals[i]`), each with the line of `file` naming it.
pub fn stale(
    approvals: &[Approval],
    matched: &[bool],
    proposal: &Proposal,
    file: Option<&Path>,
) -> Vec<StaleApproval> {
    let Some(path) = file else {
        return Vec::new();
    };
    let stale: Vec<&Approval> = approvals
        .iter()
        .zip(matched)
        .filter(|(approval, matched)| {
            !**matched
                && approval
                    .subgraph
                    .as_deref()
                    .is_none_or(|s| s == proposal.subgraph)
        })
        .map(|(approval, _)| approval)
        .collect();
    if stale.is_empty() {
        return Vec::new();
    }
    let text = read(path).unwrap_or_default();
    stale
        .into_iter()
        .map(|approval| StaleApproval {
            location: Some(Location {
                file: shown(path),
                line: line_naming(&text, &approval.coordinate),
                column: 1,
            }),
            approval: approval.clone(),
        })
        .collect()
}
