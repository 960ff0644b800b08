//! Storefront fork: Apollo's EXTERNAL_UNUSED, for Federation 2 subgraphs. An `@external` field says "another subgraph
//! resolves this, and this subgraph needs it": for a `@key`, a `@requires`, a `@provides`, or to
//! satisfy an interface the type implements here. One that none of those use has no purpose,
//! and Apollo refuses it.

use std::collections::HashSet;

use super::*;
use crate::{
    diagnostics::FederationErrorCode,
    subgraphs::{DefinitionId, Selection, StringId},
};

pub(super) fn validate_external_fields_used(ctx: &mut ValidateContext<'_>) {
    let subgraphs = ctx.subgraphs;
    let mut used: HashSet<(DefinitionId, StringId)> = HashSet::new();
    for key in subgraphs.iter_keys() {
        mark_used(subgraphs, key.definition_id, key.fields(), &mut used);
    }
    for field in subgraphs.iter_fields() {
        if let Some(requires) = field.directives.requires(subgraphs) {
            mark_used(subgraphs, field.parent_definition_id, requires, &mut used);
        }
        if let Some(provides) = field.directives.provides(subgraphs) {
            let subgraph_id = subgraphs.at(field.parent_definition_id).subgraph_id;
            if let Some(returned) = subgraphs.definition_by_name_id(field.r#type.definition_name_id, subgraph_id) {
                mark_used(subgraphs, returned, provides, &mut used);
            }
        }
    }

    for field in subgraphs.iter_fields() {
        let parent = subgraphs.at(field.parent_definition_id);
        // Apollo upgrades Federation 1 subgraphs by dropping such fields, with a hint.
        if !subgraphs.at(parent.subgraph_id).federation_spec.is_apollo_v2() {
            continue;
        }
        let external = field.is_external(subgraphs);
        // An @external field that itself carries @requires or @provides is refused as a
        // collision when the fields are composed.
        let collides = field.directives.requires(subgraphs).is_some() || field.directives.provides(subgraphs).is_some();
        if !external
            || collides
            || used.contains(&(field.parent_definition_id, field.name))
            || satisfies_an_interface(subgraphs, field.parent_definition_id, field.name)
        {
            continue;
        }
        ctx.diagnostics.push_fatal(
            FederationErrorCode::ExternalUnused,
            format!(
                r#"[{}] Field "{}.{}" is marked @external but is not used in any federation directive (@key, @provides, @requires) or to satisfy an interface; the field declaration has no use and should be removed (or the field should not be @external)."#,
                &subgraphs[subgraphs.at(parent.subgraph_id).name],
                &subgraphs[parent.name],
                &subgraphs[field.name],
            ),
        );
    }
}

/// Marks every field `selections` select, starting on `on`, and for a field of an interface
/// the same field of the interface's implementations in the subgraph.
fn mark_used(
    subgraphs: &subgraphs::Subgraphs,
    on: DefinitionId,
    selections: &[Selection],
    used: &mut HashSet<(DefinitionId, StringId)>,
) {
    let subgraph_id = subgraphs.at(on).subgraph_id;
    for selection in selections {
        match selection {
            Selection::Field(selected) => {
                used.insert((on, selected.field));
                let definition = subgraphs.at(on);
                for implementer in subgraphs.iter_implementers_for_interface(definition.name) {
                    if let Some(implementer) = subgraphs.definition_by_name_id(implementer, subgraph_id) {
                        used.insert((implementer, selected.field));
                    }
                }
                if selected.subselection.is_empty() {
                    continue;
                }
                let Some(field) = on.field_by_name(subgraphs, selected.field) else {
                    continue;
                };
                if let Some(inner) = subgraphs.definition_by_name_id(field.r#type.definition_name_id, subgraph_id) {
                    mark_used(subgraphs, inner, &selected.subselection, used);
                }
            }
            Selection::InlineFragment {
                on: type_name,
                subselection,
                ..
            } => {
                if let Some(inner) = subgraphs.definition_by_name_id(*type_name, subgraph_id) {
                    mark_used(subgraphs, inner, subselection, used);
                }
            }
        }
    }
}

/// Whether the type `on` implements, in its own subgraph, an interface with a field `field`.
fn satisfies_an_interface(subgraphs: &subgraphs::Subgraphs, on: DefinitionId, field: StringId) -> bool {
    let definition = subgraphs.at(on);
    subgraphs
        .iter_interface_impls()
        .filter(|(_, implementer)| *implementer == definition.name)
        .filter_map(|(interface, _)| subgraphs.definition_by_name_id(interface, definition.subgraph_id))
        .any(|interface| interface.field_by_name(subgraphs, field).is_some())
}
