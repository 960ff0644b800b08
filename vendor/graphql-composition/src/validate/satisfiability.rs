//! Storefront fork: a satisfiability check for unreachable fields (Apollo's
//! SATISFIABILITY_ERROR). Upstream has none, so a field only a subgraph the query planner can
//! never enter at that type would compose and then fail every query that asks for it.
//!
//! The model is Apollo's, coarsened: the planner is "in" a subgraph at a type when a root
//! field of that subgraph leads there through fields it resolves (or `@provides`), or when the
//! subgraph has a resolvable `@key` for the type and the planner is at that type anywhere (an
//! entity jump; whether the key's fields are at hand is not checked). An object field is
//! unsatisfiable when its type is reachable somewhere, but no subgraph that resolves the field
//! is ever in at that type. Interface fields, `@inaccessible` fields and types reachable nowhere
//! are left alone, so the check errs toward composing.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::*;
use crate::{
    diagnostics::FederationErrorCode,
    subgraphs::{DefinitionId, DefinitionKind, Selection, StringId, SubgraphId},
};

pub(crate) fn validate_satisfiability(ctx: &mut ValidateContext<'_>) {
    let subgraphs = ctx.subgraphs;
    let provided = provided_fields(subgraphs);
    let resolves = |field: &subgraphs::FieldView<'_>| {
        let parent = subgraphs.at(field.parent_definition_id);
        !field.is_effectively_external(subgraphs) || provided.contains(&(parent.subgraph_id, parent.name, field.name))
    };

    // Where each type has a resolvable key: the subgraphs an entity jump can enter.
    let mut key_targets: HashMap<StringId, Vec<SubgraphId>> = HashMap::new();
    for key in subgraphs.iter_keys().filter(|key| key.is_resolvable()) {
        let definition = subgraphs.at(key.definition_id);
        key_targets
            .entry(definition.name)
            .or_default()
            .push(definition.subgraph_id);
    }

    let mut reachable: HashSet<(SubgraphId, StringId)> = HashSet::new();
    let mut queue: VecDeque<(SubgraphId, StringId)> = VecDeque::new();
    let mut visit = |at: (SubgraphId, StringId), queue: &mut VecDeque<_>| {
        if reachable.insert(at) {
            queue.push_back(at);
        }
    };
    for subgraph in subgraphs.iter_subgraphs() {
        for root in [subgraph.query_type, subgraph.mutation_type, subgraph.subscription_type]
            .into_iter()
            .flatten()
        {
            visit((subgraph.id, subgraphs.at(root).name), &mut queue);
        }
    }
    while let Some((subgraph_id, name)) = queue.pop_front() {
        for target in key_targets.get(&name).into_iter().flatten() {
            visit((*target, name), &mut queue);
        }
        let Some(definition) = subgraphs.definition_by_name_id(name, subgraph_id) else {
            continue;
        };
        match subgraphs.at(definition).kind {
            DefinitionKind::Object | DefinitionKind::Interface => {
                for field in definition.fields(subgraphs).filter(|field| resolves(field)) {
                    visit((subgraph_id, field.r#type.definition_name_id), &mut queue);
                }
                for implementer in subgraphs.iter_implementers_for_interface(name) {
                    if subgraphs.definition_by_name_id(implementer, subgraph_id).is_some() {
                        visit((subgraph_id, implementer), &mut queue);
                    }
                }
            }
            DefinitionKind::Union => {
                for member in subgraphs.iter_union_members(definition) {
                    visit((subgraph_id, subgraphs.at(member).name), &mut queue);
                }
            }
            DefinitionKind::InputObject | DefinitionKind::Scalar | DefinitionKind::Enum => {}
        }
    }

    let reachable_somewhere: HashSet<StringId> = reachable.iter().map(|(_, name)| *name).collect();
    // Each object field, with the subgraphs that resolve it.
    let mut resolvers: BTreeMap<(StringId, StringId), Vec<SubgraphId>> = BTreeMap::new();
    for field in subgraphs.iter_fields() {
        let parent = subgraphs.at(field.parent_definition_id);
        let inaccessible = field.directives.inaccessible(subgraphs) || parent.directives.inaccessible(subgraphs);
        if parent.kind != DefinitionKind::Object || inaccessible {
            continue;
        }
        let entry = resolvers.entry((parent.name, field.name)).or_default();
        if resolves(&field) {
            entry.push(parent.subgraph_id);
        }
    }
    for ((type_name, field_name), resolved_in) in resolvers {
        if resolved_in.is_empty() || !reachable_somewhere.contains(&type_name) {
            continue;
        }
        if resolved_in
            .iter()
            .any(|subgraph_id| reachable.contains(&(*subgraph_id, type_name)))
        {
            continue;
        }
        let subgraph_names = resolved_in
            .iter()
            .map(|id| format!(r#""{}""#, &subgraphs[subgraphs.at(*id).name]))
            .collect::<Vec<_>>()
            .join(", ");
        let reached_in = reachable
            .iter()
            .filter(|(_, name)| *name == type_name)
            .map(|(id, _)| format!(r#""{}""#, &subgraphs[subgraphs.at(*id).name]))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ");
        ctx.diagnostics.push_fatal(
            FederationErrorCode::SatisfiabilityError,
            format!(
                r#"The field "{type_name}.{field_name}" cannot be satisfied: it is resolved only by subgraph(s) {subgraph_names}, and no query reaches "{type_name}" there (queries reach it in {reached_in}, from which no @key of "{type_name}" leads to those subgraphs)."#,
                type_name = &subgraphs[type_name],
                field_name = &subgraphs[field_name],
            ),
        );
    }
}

/// `(subgraph, type, field)` for every field some `@provides` in that subgraph selects.
fn provided_fields(subgraphs: &subgraphs::Subgraphs) -> HashSet<(SubgraphId, StringId, StringId)> {
    let mut provided = HashSet::new();
    for field in subgraphs.iter_fields() {
        let Some(selections) = field.directives.provides(subgraphs) else {
            continue;
        };
        let subgraph_id = subgraphs.at(field.parent_definition_id).subgraph_id;
        if let Some(returned) = subgraphs.definition_by_name_id(field.r#type.definition_name_id, subgraph_id) {
            mark_provided(subgraphs, returned, selections, &mut provided);
        }
    }
    provided
}

fn mark_provided(
    subgraphs: &subgraphs::Subgraphs,
    on: DefinitionId,
    selections: &[Selection],
    provided: &mut HashSet<(SubgraphId, StringId, StringId)>,
) {
    let definition = subgraphs.at(on);
    for selection in selections {
        match selection {
            Selection::Field(selected) => {
                provided.insert((definition.subgraph_id, definition.name, selected.field));
                // Provided on an interface: provided on its implementations too.
                for implementer in subgraphs.iter_implementers_for_interface(definition.name) {
                    provided.insert((definition.subgraph_id, implementer, selected.field));
                }
                let inner = on.field_by_name(subgraphs, selected.field).and_then(|field| {
                    subgraphs.definition_by_name_id(field.r#type.definition_name_id, definition.subgraph_id)
                });
                if let Some(inner) = inner {
                    mark_provided(subgraphs, inner, &selected.subselection, provided);
                }
            }
            Selection::InlineFragment {
                on: type_name,
                subselection,
                ..
            } => {
                if let Some(inner) = subgraphs.definition_by_name_id(*type_name, definition.subgraph_id) {
                    mark_provided(subgraphs, inner, subselection, provided);
                }
            }
        }
    }
}
