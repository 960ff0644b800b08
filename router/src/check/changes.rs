//! What a proposed API schema changes for clients: every difference from the current API
//! schema, classified breaking / dangerous / safe by graphql-inspector's rules.

use std::collections::{BTreeMap, BTreeSet};

use hive_router::graphql_tools::static_graphql::schema::{
    Definition, Directive, DirectiveDefinition, Document, EnumType, Field, InputValue, Type,
    TypeDefinition, Value,
};
use serde::Serialize;

/// How a change affects existing clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    /// Existing operations can stop validating or get responses they cannot handle.
    Breaking,
    /// Existing operations keep validating but may see values they do not expect.
    Dangerous,
    /// No existing operation is affected.
    Safe,
}

/// One difference between the current and the proposed API schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    pub criticality: Criticality,
    /// graphql-inspector's name for the change (`FIELD_REMOVED`, `ENUM_VALUE_ADDED`, …).
    pub code: &'static str,
    /// Where in the schema: `Product.sku`, `Query.products(first:)`, `Currency.JPY`, `@tag`.
    pub coordinate: String,
    pub message: String,
    /// The schema element an operation must use to be affected (a type, field, argument or
    /// directive coordinate), matched against each operation's usage.
    #[serde(skip)]
    pub used_through: String,
}

/// Every change from `current` to `proposed`, most critical first.
pub fn compare(current: &Document, proposed: &Document) -> Vec<SchemaChange> {
    let mut changes = Changes::default();
    let (old, new) = (Index::new(current), Index::new(proposed));
    for (name, old_type) in &old.types {
        match new.types.get(name) {
            None => changes.push(
                Criticality::Breaking,
                "TYPE_REMOVED",
                name,
                name,
                format!("Type '{name}' was removed"),
            ),
            Some(new_type) if kind(old_type) != kind(new_type) => changes.push(
                Criticality::Breaking,
                "TYPE_KIND_CHANGED",
                name,
                name,
                format!(
                    "'{name}' kind changed from '{}' to '{}'",
                    kind(old_type),
                    kind(new_type)
                ),
            ),
            Some(new_type) => compare_types(&mut changes, old_type, new_type),
        }
    }
    for name in new
        .types
        .keys()
        .filter(|name| !old.types.contains_key(*name))
    {
        changes.push(
            Criticality::Safe,
            "TYPE_ADDED",
            name,
            name,
            format!("Type '{name}' was added"),
        );
    }
    for (root, old_name) in &old.roots {
        let new_name = new.roots.get(root);
        if new_name != Some(old_name) {
            changes.push(
                Criticality::Breaking,
                "SCHEMA_ROOT_TYPE_CHANGED",
                old_name,
                old_name,
                format!(
                    "Schema {root} root type changed from '{old_name}' to '{}'",
                    new_name.map_or("(none)", String::as_str)
                ),
            );
        }
    }
    compare_directives(&mut changes, &old.directives, &new.directives);
    let mut changes = changes.0;
    changes.sort_by(|a, b| {
        (a.criticality, &a.coordinate, a.code).cmp(&(b.criticality, &b.coordinate, b.code))
    });
    changes
}

#[derive(Default)]
struct Changes(Vec<SchemaChange>);

impl Changes {
    fn push(
        &mut self,
        criticality: Criticality,
        code: &'static str,
        coordinate: &str,
        used_through: &str,
        message: String,
    ) {
        self.0.push(SchemaChange {
            criticality,
            code,
            coordinate: coordinate.to_owned(),
            message,
            used_through: used_through.to_owned(),
        });
    }
}

struct Index<'a> {
    types: BTreeMap<&'a str, &'a TypeDefinition>,
    directives: BTreeMap<&'a str, &'a DirectiveDefinition>,
    roots: BTreeMap<&'static str, String>,
}

impl<'a> Index<'a> {
    fn new(document: &'a Document) -> Self {
        let mut index = Index {
            types: BTreeMap::new(),
            directives: BTreeMap::new(),
            roots: BTreeMap::new(),
        };
        let mut declared_roots = false;
        for definition in &document.definitions {
            match definition {
                Definition::TypeDefinition(definition) => {
                    index.types.insert(definition.name(), definition);
                }
                Definition::DirectiveDefinition(directive) => {
                    index.directives.insert(&directive.name, directive);
                }
                Definition::SchemaDefinition(schema) => {
                    declared_roots = true;
                    let roots = [
                        ("query", &schema.query),
                        ("mutation", &schema.mutation),
                        ("subscription", &schema.subscription),
                    ];
                    for (root, name) in roots {
                        if let Some(name) = name {
                            index.roots.insert(root, name.clone());
                        }
                    }
                }
                Definition::TypeExtension(_) => {}
            }
        }
        if !declared_roots {
            for (root, name) in [
                ("query", "Query"),
                ("mutation", "Mutation"),
                ("subscription", "Subscription"),
            ] {
                if index.types.contains_key(name) {
                    index.roots.insert(root, name.to_owned());
                }
            }
        }
        index
    }
}

fn kind(definition: &TypeDefinition) -> &'static str {
    match definition {
        TypeDefinition::Scalar(_) => "scalar",
        TypeDefinition::Object(_) => "object type",
        TypeDefinition::Interface(_) => "interface",
        TypeDefinition::Union(_) => "union",
        TypeDefinition::Enum(_) => "enum",
        TypeDefinition::InputObject(_) => "input object type",
    }
}

fn description(definition: &TypeDefinition) -> &Option<String> {
    match definition {
        TypeDefinition::Scalar(t) => &t.description,
        TypeDefinition::Object(t) => &t.description,
        TypeDefinition::Interface(t) => &t.description,
        TypeDefinition::Union(t) => &t.description,
        TypeDefinition::Enum(t) => &t.description,
        TypeDefinition::InputObject(t) => &t.description,
    }
}

fn compare_types(changes: &mut Changes, old: &TypeDefinition, new: &TypeDefinition) {
    let name = old.name();
    if description(old) != description(new) {
        changes.push(
            Criticality::Safe,
            "TYPE_DESCRIPTION_CHANGED",
            name,
            name,
            format!("Description of type '{name}' changed"),
        );
    }
    match (old, new) {
        (TypeDefinition::Object(old), TypeDefinition::Object(new)) => {
            compare_interfaces(
                changes,
                name,
                &old.implements_interfaces,
                &new.implements_interfaces,
            );
            compare_fields(changes, name, "object type", &old.fields, &new.fields);
        }
        (TypeDefinition::Interface(old), TypeDefinition::Interface(new)) => {
            compare_interfaces(
                changes,
                name,
                &old.implements_interfaces,
                &new.implements_interfaces,
            );
            compare_fields(changes, name, "interface", &old.fields, &new.fields);
        }
        (TypeDefinition::Union(old), TypeDefinition::Union(new)) => {
            for member in old.types.iter().filter(|m| !new.types.contains(m)) {
                changes.push(
                    Criticality::Breaking,
                    "UNION_MEMBER_REMOVED",
                    &format!("{name}.{member}"),
                    name,
                    format!("Member '{member}' was removed from union type '{name}'"),
                );
            }
            for member in new.types.iter().filter(|m| !old.types.contains(m)) {
                changes.push(
                    Criticality::Dangerous,
                    "UNION_MEMBER_ADDED",
                    &format!("{name}.{member}"),
                    name,
                    format!("Member '{member}' was added to union type '{name}'"),
                );
            }
        }
        (TypeDefinition::Enum(old), TypeDefinition::Enum(new)) => compare_enums(changes, old, new),
        (TypeDefinition::InputObject(old), TypeDefinition::InputObject(new)) => {
            compare_input_fields(changes, name, &old.fields, &new.fields);
        }
        _ => {}
    }
}

fn compare_interfaces(changes: &mut Changes, name: &str, old: &[String], new: &[String]) {
    for interface in old.iter().filter(|i| !new.contains(i)) {
        changes.push(
            Criticality::Breaking,
            "OBJECT_TYPE_INTERFACE_REMOVED",
            name,
            interface,
            format!("'{name}' no longer implements interface '{interface}'"),
        );
    }
    for interface in new.iter().filter(|i| !old.contains(i)) {
        changes.push(
            Criticality::Dangerous,
            "OBJECT_TYPE_INTERFACE_ADDED",
            name,
            interface,
            format!("'{name}' implements a new interface '{interface}'"),
        );
    }
}

fn compare_fields(changes: &mut Changes, parent: &str, kind: &str, old: &[Field], new: &[Field]) {
    for old_field in old {
        let coordinate = format!("{parent}.{}", old_field.name);
        let Some(new_field) = new.iter().find(|f| f.name == old_field.name) else {
            let deprecated = if deprecation(&old_field.directives).is_some() {
                " (it was deprecated)"
            } else {
                ""
            };
            changes.push(
                Criticality::Breaking,
                "FIELD_REMOVED",
                &coordinate,
                &coordinate,
                format!(
                    "Field '{}' was removed from {kind} '{parent}'{deprecated}",
                    old_field.name
                ),
            );
            continue;
        };
        if old_field.field_type != new_field.field_type {
            let criticality = if is_safe_output_change(&old_field.field_type, &new_field.field_type)
            {
                Criticality::Safe
            } else {
                Criticality::Breaking
            };
            changes.push(
                criticality,
                "FIELD_TYPE_CHANGED",
                &coordinate,
                &coordinate,
                format!(
                    "Field '{coordinate}' changed type from '{}' to '{}'",
                    old_field.field_type, new_field.field_type
                ),
            );
        }
        if old_field.description != new_field.description {
            changes.push(
                Criticality::Safe,
                "FIELD_DESCRIPTION_CHANGED",
                &coordinate,
                &coordinate,
                format!("Description of field '{coordinate}' changed"),
            );
        }
        compare_deprecation(
            changes,
            &coordinate,
            "FIELD",
            &old_field.directives,
            &new_field.directives,
        );
        compare_arguments(
            changes,
            &coordinate,
            &old_field.arguments,
            &new_field.arguments,
        );
    }
    for new_field in new.iter().filter(|f| !old.iter().any(|o| o.name == f.name)) {
        let coordinate = format!("{parent}.{}", new_field.name);
        changes.push(
            Criticality::Safe,
            "FIELD_ADDED",
            &coordinate,
            &coordinate,
            format!("Field '{}' was added to {kind} '{parent}'", new_field.name),
        );
    }
}

fn compare_arguments(changes: &mut Changes, field: &str, old: &[InputValue], new: &[InputValue]) {
    for old_argument in old {
        let coordinate = format!("{field}({}:)", old_argument.name);
        let Some(new_argument) = new.iter().find(|a| a.name == old_argument.name) else {
            changes.push(
                Criticality::Breaking,
                "FIELD_ARGUMENT_REMOVED",
                &coordinate,
                &coordinate,
                format!(
                    "Argument '{}' was removed from field '{field}'",
                    old_argument.name
                ),
            );
            continue;
        };
        if old_argument.value_type != new_argument.value_type {
            let criticality =
                if is_safe_input_change(&old_argument.value_type, &new_argument.value_type) {
                    Criticality::Safe
                } else {
                    Criticality::Breaking
                };
            changes.push(
                criticality,
                "FIELD_ARGUMENT_TYPE_CHANGED",
                &coordinate,
                &coordinate,
                format!(
                    "Type of argument '{coordinate}' changed from '{}' to '{}'",
                    old_argument.value_type, new_argument.value_type
                ),
            );
        }
        if old_argument.default_value != new_argument.default_value {
            changes.push(
                Criticality::Dangerous,
                "FIELD_ARGUMENT_DEFAULT_CHANGED",
                &coordinate,
                field,
                format!(
                    "Default value of argument '{coordinate}' changed from {} to {}",
                    shown(old_argument.default_value.as_ref()),
                    shown(new_argument.default_value.as_ref())
                ),
            );
        }
    }
    for new_argument in new.iter().filter(|a| !old.iter().any(|o| o.name == a.name)) {
        let coordinate = format!("{field}({}:)", new_argument.name);
        let (criticality, what) = if is_required(new_argument) {
            (Criticality::Breaking, "Required argument")
        } else {
            (Criticality::Dangerous, "Optional argument")
        };
        changes.push(
            criticality,
            "FIELD_ARGUMENT_ADDED",
            &coordinate,
            field,
            format!(
                "{what} '{}: {}' was added to field '{field}'",
                new_argument.name, new_argument.value_type
            ),
        );
    }
}

fn compare_input_fields(
    changes: &mut Changes,
    input: &str,
    old: &[InputValue],
    new: &[InputValue],
) {
    for old_field in old {
        let coordinate = format!("{input}.{}", old_field.name);
        let Some(new_field) = new.iter().find(|f| f.name == old_field.name) else {
            changes.push(
                Criticality::Breaking,
                "INPUT_FIELD_REMOVED",
                &coordinate,
                input,
                format!(
                    "Input field '{}' was removed from input object type '{input}'",
                    old_field.name
                ),
            );
            continue;
        };
        if old_field.value_type != new_field.value_type {
            let criticality = if is_safe_input_change(&old_field.value_type, &new_field.value_type)
            {
                Criticality::Safe
            } else {
                Criticality::Breaking
            };
            changes.push(
                criticality,
                "INPUT_FIELD_TYPE_CHANGED",
                &coordinate,
                input,
                format!(
                    "Input field '{coordinate}' changed type from '{}' to '{}'",
                    old_field.value_type, new_field.value_type
                ),
            );
        }
        if old_field.default_value != new_field.default_value {
            changes.push(
                Criticality::Dangerous,
                "INPUT_FIELD_DEFAULT_VALUE_CHANGED",
                &coordinate,
                input,
                format!(
                    "Default value of input field '{coordinate}' changed from {} to {}",
                    shown(old_field.default_value.as_ref()),
                    shown(new_field.default_value.as_ref())
                ),
            );
        }
    }
    for new_field in new.iter().filter(|f| !old.iter().any(|o| o.name == f.name)) {
        let coordinate = format!("{input}.{}", new_field.name);
        let (criticality, what) = if is_required(new_field) {
            (Criticality::Breaking, "Required input field")
        } else {
            (Criticality::Dangerous, "Optional input field")
        };
        changes.push(
            criticality,
            "INPUT_FIELD_ADDED",
            &coordinate,
            input,
            format!(
                "{what} '{}: {}' was added to input object type '{input}'",
                new_field.name, new_field.value_type
            ),
        );
    }
}

fn compare_enums(changes: &mut Changes, old: &EnumType, new: &EnumType) {
    let name = &old.name;
    for old_value in &old.values {
        let coordinate = format!("{name}.{}", old_value.name);
        match new.values.iter().find(|v| v.name == old_value.name) {
            None => changes.push(
                Criticality::Breaking,
                "ENUM_VALUE_REMOVED",
                &coordinate,
                name,
                format!(
                    "Enum value '{}' was removed from enum '{name}'",
                    old_value.name
                ),
            ),
            Some(new_value) => compare_deprecation(
                changes,
                &coordinate,
                "ENUM_VALUE",
                &old_value.directives,
                &new_value.directives,
            ),
        }
    }
    for new_value in new
        .values
        .iter()
        .filter(|v| !old.values.iter().any(|o| o.name == v.name))
    {
        changes.push(
            Criticality::Dangerous,
            "ENUM_VALUE_ADDED",
            &format!("{name}.{}", new_value.name),
            name,
            format!("Enum value '{}' was added to enum '{name}'", new_value.name),
        );
    }
}

fn compare_deprecation(
    changes: &mut Changes,
    coordinate: &str,
    element: &'static str,
    old: &[Directive],
    new: &[Directive],
) {
    let (old, new) = (deprecation(old), deprecation(new));
    let (criticality, code, message) = match (old, new) {
        (None, Some(_)) => (
            Criticality::Safe,
            deprecation_code(element, "ADDED"),
            format!("'{coordinate}' is deprecated"),
        ),
        (Some(_), None) => (
            Criticality::Dangerous,
            deprecation_code(element, "REMOVED"),
            format!("'{coordinate}' is no longer deprecated"),
        ),
        (Some(a), Some(b)) if a != b => (
            Criticality::Safe,
            deprecation_code(element, "REASON_CHANGED"),
            format!("Deprecation reason of '{coordinate}' changed"),
        ),
        _ => return,
    };
    changes.push(criticality, code, coordinate, coordinate, message);
}

fn deprecation_code(element: &'static str, what: &'static str) -> &'static str {
    match (element, what) {
        ("FIELD", "ADDED") => "FIELD_DEPRECATION_ADDED",
        ("FIELD", "REMOVED") => "FIELD_DEPRECATION_REMOVED",
        ("FIELD", _) => "FIELD_DEPRECATION_REASON_CHANGED",
        (_, "ADDED") => "ENUM_VALUE_DEPRECATION_ADDED",
        (_, "REMOVED") => "ENUM_VALUE_DEPRECATION_REMOVED",
        _ => "ENUM_VALUE_DEPRECATION_REASON_CHANGED",
    }
}

/// `Some(reason)` when deprecated (the reason is empty when none is given).
fn deprecation(directives: &[Directive]) -> Option<String> {
    directives.iter().find(|d| d.name == "deprecated").map(|d| {
        d.arguments
            .iter()
            .find(|(name, _)| name == "reason")
            .map(|(_, value)| value.to_string())
            .unwrap_or_default()
    })
}

fn compare_directives(
    changes: &mut Changes,
    old: &BTreeMap<&str, &DirectiveDefinition>,
    new: &BTreeMap<&str, &DirectiveDefinition>,
) {
    for (name, old_directive) in old {
        let coordinate = format!("@{name}");
        let Some(new_directive) = new.get(name) else {
            changes.push(
                Criticality::Breaking,
                "DIRECTIVE_REMOVED",
                &coordinate,
                &coordinate,
                format!("Directive '{coordinate}' was removed"),
            );
            continue;
        };
        let locations = |d: &DirectiveDefinition| -> BTreeSet<String> {
            d.locations.iter().map(|l| l.as_str().to_owned()).collect()
        };
        let (old_locations, new_locations) = (locations(old_directive), locations(new_directive));
        for location in old_locations.difference(&new_locations) {
            changes.push(
                Criticality::Breaking,
                "DIRECTIVE_LOCATION_REMOVED",
                &coordinate,
                &coordinate,
                format!("Location '{location}' was removed from directive '{coordinate}'"),
            );
        }
        for location in new_locations.difference(&old_locations) {
            changes.push(
                Criticality::Safe,
                "DIRECTIVE_LOCATION_ADDED",
                &coordinate,
                &coordinate,
                format!("Location '{location}' was added to directive '{coordinate}'"),
            );
        }
        if old_directive.repeatable && !new_directive.repeatable {
            changes.push(
                Criticality::Breaking,
                "DIRECTIVE_REPEATABLE_REMOVED",
                &coordinate,
                &coordinate,
                format!("Directive '{coordinate}' is no longer repeatable"),
            );
        }
        compare_arguments(
            changes,
            &coordinate,
            &old_directive.arguments,
            &new_directive.arguments,
        );
    }
    for name in new.keys().filter(|name| !old.contains_key(*name)) {
        let coordinate = format!("@{name}");
        changes.push(
            Criticality::Safe,
            "DIRECTIVE_ADDED",
            &coordinate,
            &coordinate,
            format!("Directive '{coordinate}' was added"),
        );
    }
}

fn is_required(input: &InputValue) -> bool {
    matches!(input.value_type, Type::NonNullType(_)) && input.default_value.is_none()
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "(none)".to_owned(), |value| format!("'{value}'"))
}

/// A client reading the field still gets what it expects: same named type, and `!` may only
/// be added (graphql-inspector's `safeChangeForField`).
fn is_safe_output_change(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::NamedType(a), Type::NamedType(b)) => a == b,
        (Type::ListType(a), Type::ListType(b)) | (Type::NonNullType(a), Type::NonNullType(b)) => {
            is_safe_output_change(a, b)
        }
        (Type::NamedType(_) | Type::ListType(_), Type::NonNullType(b)) => {
            is_safe_output_change(old, b)
        }
        _ => false,
    }
}

/// Every value a client sends today is still accepted: same named type, and `!` may only be
/// dropped (graphql-inspector's `safeChangeForInputValue`).
fn is_safe_input_change(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::NamedType(a), Type::NamedType(b)) => a == b,
        (Type::ListType(a), Type::ListType(b)) | (Type::NonNullType(a), Type::NonNullType(b)) => {
            is_safe_input_change(a, b)
        }
        (Type::NonNullType(a), Type::NamedType(_) | Type::ListType(_)) => {
            is_safe_input_change(a, new)
        }
        _ => false,
    }
}
