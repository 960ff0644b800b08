//! The registered-operations stage: every registered client operation validated against the
//! proposed API schema, and whether the breaking changes an invalid one uses are all approved.

use hive_router::graphql_tools::static_graphql::schema;

use super::{
    Criticality,
    approvals::ApprovalStatus,
    model::{ClassifiedChange, InvalidOperation, Operations, shown},
};
use crate::operations::OperationFile;

/// The operations `api` no longer accepts.
pub fn validate(files: &[OperationFile], api: &schema::Document) -> Operations {
    let invalid = files
        .iter()
        .filter_map(|file| {
            let errors = file.validate(api);
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
    Operations {
        checked: true,
        registered: registered_names(files),
        invalid,
    }
}

/// Every registered operation's name.
pub fn registered_names(files: &[OperationFile]) -> Vec<String> {
    files
        .iter()
        .flat_map(OperationFile::operation_names)
        .collect()
}

/// An invalid operation is approved when it uses breaking changes and every one is approved.
pub fn mark_approved(invalid: &mut [InvalidOperation], changes: &[ClassifiedChange]) {
    for invalid in invalid {
        let mut breaking = changes.iter().filter(|c| {
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
