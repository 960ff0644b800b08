//! The classification stage: each API schema change a proposal makes, with the approvals that
//! match it, the registered operations and the recorded traffic that use what it changes, and
//! whether it fails the check.

use std::collections::BTreeSet;

use hive_router::graphql_tools::static_graphql::schema;

use super::{
    Criticality,
    approvals::ApprovalStatus,
    changes,
    inputs::{CheckRequest, Inputs, Proposal},
    model::{ClassifiedChange, locate},
    sdl::Sdl,
};

/// The classified changes, and for each of `inputs.approvals` whether a change matched it.
pub struct Classified {
    pub changes: Vec<ClassifiedChange>,
    pub matched_approvals: Vec<bool>,
}

pub fn changes(
    request: &CheckRequest,
    inputs: &Inputs,
    proposal: &Proposal,
    current_api: &schema::Document,
    proposed_api: &schema::Document,
    proposed_sdl: Option<&Sdl>,
) -> Classified {
    let approvals = &inputs.approvals;
    let usage: Vec<(String, BTreeSet<String>)> = inputs
        .operations
        .iter()
        .flat_map(|file| file.usage(current_api))
        .collect();
    let mut matched = vec![false; approvals.len()];
    let changes = changes::compare(current_api, proposed_api)
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
            let traffic = inputs
                .traffic
                .as_ref()
                .map(|log| log.used_since(&through, inputs.traffic_since))
                .unwrap_or_default();
            // With recorded traffic to go by, an unused change is known to be safe.
            let used = !used_by.is_empty() || !traffic.is_empty();
            let fails = change.criticality() == Criticality::Breaking
                && !matches!(approval, Some(ApprovalStatus::Approved { .. }))
                && (used || (request.strict && inputs.traffic.is_none()));
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
    Classified {
        changes,
        matched_approvals: matched,
    }
}
