//! What a proposed API schema changes for clients: every difference from the current API
//! schema as a [`Change`], classified breaking / dangerous / safe by graphql-inspector's rules.
//! Each kind of change is one variant; its code, criticality, message and coordinates come
//! from exhaustive matches, so a new kind cannot be added without saying all four.

use std::collections::{BTreeMap, BTreeSet};

use hive_router::graphql_tools::static_graphql::schema::{
    Definition, Directive, DirectiveDefinition, Document, EnumType, Field, InputValue, Type,
    TypeDefinition,
};
use serde::{Serialize, Serializer, ser::SerializeStruct};

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

/// What holds a list of input values: a field's or directive's arguments, or an input
/// object's fields. Both are compared alike; graphql-inspector names their changes apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOwner {
    /// Arguments of a field (`Query.products`) or a directive (`@cached`).
    Arguments,
    /// Fields of an input object type.
    InputObject,
}

/// What a deprecation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deprecatable {
    Field,
    EnumValue,
}

/// How a deprecation changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeprecationChange {
    Added,
    Removed,
    ReasonChanged,
}

/// One difference between the current and the proposed API schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    TypeRemoved {
        name: String,
    },
    TypeAdded {
        name: String,
    },
    TypeKindChanged {
        name: String,
        from: &'static str,
        to: &'static str,
    },
    TypeDescriptionChanged {
        name: String,
    },
    RootTypeChanged {
        root: &'static str,
        from: String,
        to: Option<String>,
    },
    UnionMemberRemoved {
        union: String,
        member: String,
    },
    UnionMemberAdded {
        union: String,
        member: String,
    },
    InterfaceRemoved {
        type_name: String,
        interface: String,
    },
    InterfaceAdded {
        type_name: String,
        interface: String,
    },
    /// `parent_kind` is "object type" or "interface".
    FieldRemoved {
        parent: String,
        parent_kind: &'static str,
        field: String,
        was_deprecated: bool,
    },
    FieldAdded {
        parent: String,
        parent_kind: &'static str,
        field: String,
    },
    FieldTypeChanged {
        parent: String,
        field: String,
        from: Type,
        to: Type,
    },
    FieldDescriptionChanged {
        parent: String,
        field: String,
    },
    Deprecation {
        on: Deprecatable,
        coordinate: String,
        change: DeprecationChange,
    },
    /// `holder` is the field (`Query.products`), directive (`@cached`) or input object.
    InputValueRemoved {
        owner: InputOwner,
        holder: String,
        name: String,
    },
    InputValueAdded {
        owner: InputOwner,
        holder: String,
        name: String,
        value_type: Type,
        required: bool,
    },
    InputValueTypeChanged {
        owner: InputOwner,
        holder: String,
        name: String,
        from: Type,
        to: Type,
    },
    InputValueDefaultChanged {
        owner: InputOwner,
        holder: String,
        name: String,
        from: Option<String>,
        to: Option<String>,
    },
    EnumValueRemoved {
        enum_name: String,
        value: String,
    },
    EnumValueAdded {
        enum_name: String,
        value: String,
    },
    DirectiveRemoved {
        name: String,
    },
    DirectiveAdded {
        name: String,
    },
    DirectiveLocationRemoved {
        name: String,
        location: String,
    },
    DirectiveLocationAdded {
        name: String,
        location: String,
    },
    DirectiveRepeatableRemoved {
        name: String,
    },
}

impl Change {
    /// graphql-inspector's name for the change (`FIELD_REMOVED`, `ENUM_VALUE_ADDED`, …).
    pub fn code(&self) -> &'static str {
        use {DeprecationChange as D, InputOwner::*};
        match self {
            Change::TypeRemoved { .. } => "TYPE_REMOVED",
            Change::TypeAdded { .. } => "TYPE_ADDED",
            Change::TypeKindChanged { .. } => "TYPE_KIND_CHANGED",
            Change::TypeDescriptionChanged { .. } => "TYPE_DESCRIPTION_CHANGED",
            Change::RootTypeChanged { .. } => "SCHEMA_ROOT_TYPE_CHANGED",
            Change::UnionMemberRemoved { .. } => "UNION_MEMBER_REMOVED",
            Change::UnionMemberAdded { .. } => "UNION_MEMBER_ADDED",
            Change::InterfaceRemoved { .. } => "OBJECT_TYPE_INTERFACE_REMOVED",
            Change::InterfaceAdded { .. } => "OBJECT_TYPE_INTERFACE_ADDED",
            Change::FieldRemoved { .. } => "FIELD_REMOVED",
            Change::FieldAdded { .. } => "FIELD_ADDED",
            Change::FieldTypeChanged { .. } => "FIELD_TYPE_CHANGED",
            Change::FieldDescriptionChanged { .. } => "FIELD_DESCRIPTION_CHANGED",
            Change::Deprecation { on, change, .. } => match (on, change) {
                (Deprecatable::Field, D::Added) => "FIELD_DEPRECATION_ADDED",
                (Deprecatable::Field, D::Removed) => "FIELD_DEPRECATION_REMOVED",
                (Deprecatable::Field, D::ReasonChanged) => "FIELD_DEPRECATION_REASON_CHANGED",
                (Deprecatable::EnumValue, D::Added) => "ENUM_VALUE_DEPRECATION_ADDED",
                (Deprecatable::EnumValue, D::Removed) => "ENUM_VALUE_DEPRECATION_REMOVED",
                (Deprecatable::EnumValue, D::ReasonChanged) => {
                    "ENUM_VALUE_DEPRECATION_REASON_CHANGED"
                }
            },
            Change::InputValueRemoved { owner, .. } => match owner {
                Arguments => "FIELD_ARGUMENT_REMOVED",
                InputObject => "INPUT_FIELD_REMOVED",
            },
            Change::InputValueAdded { owner, .. } => match owner {
                Arguments => "FIELD_ARGUMENT_ADDED",
                InputObject => "INPUT_FIELD_ADDED",
            },
            Change::InputValueTypeChanged { owner, .. } => match owner {
                Arguments => "FIELD_ARGUMENT_TYPE_CHANGED",
                InputObject => "INPUT_FIELD_TYPE_CHANGED",
            },
            Change::InputValueDefaultChanged { owner, .. } => match owner {
                Arguments => "FIELD_ARGUMENT_DEFAULT_CHANGED",
                InputObject => "INPUT_FIELD_DEFAULT_VALUE_CHANGED",
            },
            Change::EnumValueRemoved { .. } => "ENUM_VALUE_REMOVED",
            Change::EnumValueAdded { .. } => "ENUM_VALUE_ADDED",
            Change::DirectiveRemoved { .. } => "DIRECTIVE_REMOVED",
            Change::DirectiveAdded { .. } => "DIRECTIVE_ADDED",
            Change::DirectiveLocationRemoved { .. } => "DIRECTIVE_LOCATION_REMOVED",
            Change::DirectiveLocationAdded { .. } => "DIRECTIVE_LOCATION_ADDED",
            Change::DirectiveRepeatableRemoved { .. } => "DIRECTIVE_REPEATABLE_REMOVED",
        }
    }

    pub fn criticality(&self) -> Criticality {
        use Criticality::*;
        match self {
            Change::TypeRemoved { .. }
            | Change::TypeKindChanged { .. }
            | Change::RootTypeChanged { .. }
            | Change::UnionMemberRemoved { .. }
            | Change::InterfaceRemoved { .. }
            | Change::FieldRemoved { .. }
            | Change::InputValueRemoved { .. }
            | Change::EnumValueRemoved { .. }
            | Change::DirectiveRemoved { .. }
            | Change::DirectiveLocationRemoved { .. }
            | Change::DirectiveRepeatableRemoved { .. } => Breaking,
            Change::UnionMemberAdded { .. }
            | Change::InterfaceAdded { .. }
            | Change::EnumValueAdded { .. }
            | Change::InputValueDefaultChanged { .. } => Dangerous,
            Change::TypeAdded { .. }
            | Change::TypeDescriptionChanged { .. }
            | Change::FieldAdded { .. }
            | Change::FieldDescriptionChanged { .. }
            | Change::DirectiveAdded { .. }
            | Change::DirectiveLocationAdded { .. } => Safe,
            Change::FieldTypeChanged { from, to, .. } => {
                if is_safe_output_change(from, to) {
                    Safe
                } else {
                    Breaking
                }
            }
            Change::InputValueTypeChanged { from, to, .. } => {
                if is_safe_input_change(from, to) {
                    Safe
                } else {
                    Breaking
                }
            }
            Change::InputValueAdded { required, .. } => {
                if *required {
                    Breaking
                } else {
                    Dangerous
                }
            }
            Change::Deprecation { change, .. } => match change {
                DeprecationChange::Removed => Dangerous,
                DeprecationChange::Added | DeprecationChange::ReasonChanged => Safe,
            },
        }
    }

    /// Where in the schema: `Product.sku`, `Query.products(first:)`, `Currency.JPY`, `@tag`.
    pub fn coordinate(&self) -> String {
        match self {
            Change::TypeRemoved { name }
            | Change::TypeAdded { name }
            | Change::TypeKindChanged { name, .. }
            | Change::TypeDescriptionChanged { name } => name.clone(),
            Change::RootTypeChanged { from, .. } => from.clone(),
            Change::UnionMemberRemoved { union, member }
            | Change::UnionMemberAdded { union, member } => format!("{union}.{member}"),
            Change::InterfaceRemoved { type_name, .. }
            | Change::InterfaceAdded { type_name, .. } => type_name.clone(),
            Change::FieldRemoved { parent, field, .. }
            | Change::FieldAdded { parent, field, .. }
            | Change::FieldTypeChanged { parent, field, .. }
            | Change::FieldDescriptionChanged { parent, field } => format!("{parent}.{field}"),
            Change::Deprecation { coordinate, .. } => coordinate.clone(),
            Change::InputValueRemoved {
                owner,
                holder,
                name,
            }
            | Change::InputValueAdded {
                owner,
                holder,
                name,
                ..
            }
            | Change::InputValueTypeChanged {
                owner,
                holder,
                name,
                ..
            }
            | Change::InputValueDefaultChanged {
                owner,
                holder,
                name,
                ..
            } => match owner {
                InputOwner::Arguments => format!("{holder}({name}:)"),
                InputOwner::InputObject => format!("{holder}.{name}"),
            },
            Change::EnumValueRemoved { enum_name, value }
            | Change::EnumValueAdded { enum_name, value } => format!("{enum_name}.{value}"),
            Change::DirectiveRemoved { name }
            | Change::DirectiveAdded { name }
            | Change::DirectiveLocationRemoved { name, .. }
            | Change::DirectiveLocationAdded { name, .. }
            | Change::DirectiveRepeatableRemoved { name } => format!("@{name}"),
        }
    }

    /// The schema element an operation must use to be affected (a type, field, argument or
    /// directive coordinate), matched against each operation's usage.
    pub fn used_through(&self) -> String {
        match self {
            Change::UnionMemberRemoved { union, .. } | Change::UnionMemberAdded { union, .. } => {
                union.clone()
            }
            Change::InterfaceRemoved { interface, .. }
            | Change::InterfaceAdded { interface, .. } => interface.clone(),
            Change::EnumValueRemoved { enum_name, .. }
            | Change::EnumValueAdded { enum_name, .. } => enum_name.clone(),
            // A changed default or a new argument affects whoever uses the field at all; a
            // changed input field, whoever sends that input type.
            Change::InputValueAdded { holder, .. }
            | Change::InputValueDefaultChanged { holder, .. } => holder.clone(),
            // An argument that becomes required breaks whoever omits it: every use of the field.
            Change::InputValueTypeChanged {
                owner: InputOwner::Arguments,
                holder,
                from,
                to,
                ..
            } if matches!(to, Type::NonNullType(_)) && !matches!(from, Type::NonNullType(_)) => {
                holder.clone()
            }
            Change::InputValueRemoved { owner, holder, .. }
            | Change::InputValueTypeChanged { owner, holder, .. } => match owner {
                InputOwner::Arguments => self.coordinate(),
                InputOwner::InputObject => holder.clone(),
            },
            _ => self.coordinate(),
        }
    }

    pub fn message(&self) -> String {
        let coordinate = self.coordinate();
        match self {
            Change::TypeRemoved { name } => format!("Type '{name}' was removed"),
            Change::TypeAdded { name } => format!("Type '{name}' was added"),
            Change::TypeKindChanged { name, from, to } => {
                format!("'{name}' kind changed from '{from}' to '{to}'")
            }
            Change::TypeDescriptionChanged { name } => {
                format!("Description of type '{name}' changed")
            }
            Change::RootTypeChanged { root, from, to } => format!(
                "Schema {root} root type changed from '{from}' to '{}'",
                to.as_deref().unwrap_or("(none)")
            ),
            Change::UnionMemberRemoved { union, member } => {
                format!("Member '{member}' was removed from union type '{union}'")
            }
            Change::UnionMemberAdded { union, member } => {
                format!("Member '{member}' was added to union type '{union}'")
            }
            Change::InterfaceRemoved {
                type_name,
                interface,
            } => {
                format!("'{type_name}' no longer implements interface '{interface}'")
            }
            Change::InterfaceAdded {
                type_name,
                interface,
            } => {
                format!("'{type_name}' implements a new interface '{interface}'")
            }
            Change::FieldRemoved {
                parent,
                parent_kind,
                field,
                was_deprecated,
            } => format!(
                "Field '{field}' was removed from {parent_kind} '{parent}'{}",
                if *was_deprecated {
                    " (it was deprecated)"
                } else {
                    ""
                }
            ),
            Change::FieldAdded {
                parent,
                parent_kind,
                field,
            } => {
                format!("Field '{field}' was added to {parent_kind} '{parent}'")
            }
            Change::FieldTypeChanged { from, to, .. } => {
                format!("Field '{coordinate}' changed type from '{from}' to '{to}'")
            }
            Change::FieldDescriptionChanged { .. } => {
                format!("Description of field '{coordinate}' changed")
            }
            Change::Deprecation { change, .. } => match change {
                DeprecationChange::Added => format!("'{coordinate}' is deprecated"),
                DeprecationChange::Removed => format!("'{coordinate}' is no longer deprecated"),
                DeprecationChange::ReasonChanged => {
                    format!("Deprecation reason of '{coordinate}' changed")
                }
            },
            Change::InputValueRemoved {
                owner,
                holder,
                name,
            } => match owner {
                InputOwner::Arguments => {
                    format!("Argument '{name}' was removed from field '{holder}'")
                }
                InputOwner::InputObject => {
                    format!("Input field '{name}' was removed from input object type '{holder}'")
                }
            },
            Change::InputValueAdded {
                owner,
                holder,
                name,
                value_type,
                required,
            } => {
                let required = if *required { "Required" } else { "Optional" };
                match owner {
                    InputOwner::Arguments => format!(
                        "{required} argument '{name}: {value_type}' was added to field '{holder}'"
                    ),
                    InputOwner::InputObject => format!(
                        "{required} input field '{name}: {value_type}' was added to input object type '{holder}'"
                    ),
                }
            }
            Change::InputValueTypeChanged {
                owner, from, to, ..
            } => match owner {
                InputOwner::Arguments => {
                    format!("Type of argument '{coordinate}' changed from '{from}' to '{to}'")
                }
                InputOwner::InputObject => {
                    format!("Input field '{coordinate}' changed type from '{from}' to '{to}'")
                }
            },
            Change::InputValueDefaultChanged {
                owner, from, to, ..
            } => {
                let shown = |value: &Option<String>| {
                    value
                        .as_ref()
                        .map_or_else(|| "(none)".to_owned(), |value| format!("'{value}'"))
                };
                let what = match owner {
                    InputOwner::Arguments => "argument",
                    InputOwner::InputObject => "input field",
                };
                format!(
                    "Default value of {what} '{coordinate}' changed from {} to {}",
                    shown(from),
                    shown(to)
                )
            }
            Change::EnumValueRemoved { enum_name, value } => {
                format!("Enum value '{value}' was removed from enum '{enum_name}'")
            }
            Change::EnumValueAdded { enum_name, value } => {
                format!("Enum value '{value}' was added to enum '{enum_name}'")
            }
            Change::DirectiveRemoved { .. } => format!("Directive '{coordinate}' was removed"),
            Change::DirectiveAdded { .. } => format!("Directive '{coordinate}' was added"),
            Change::DirectiveLocationRemoved { location, .. } => {
                format!("Location '{location}' was removed from directive '{coordinate}'")
            }
            Change::DirectiveLocationAdded { location, .. } => {
                format!("Location '{location}' was added to directive '{coordinate}'")
            }
            Change::DirectiveRepeatableRemoved { .. } => {
                format!("Directive '{coordinate}' is no longer repeatable")
            }
        }
    }
}

/// The JSON report's view of a change: `criticality`, `code`, `coordinate`, `message`.
impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut change = serializer.serialize_struct("Change", 4)?;
        change.serialize_field("criticality", &self.criticality())?;
        change.serialize_field("code", self.code())?;
        change.serialize_field("coordinate", &self.coordinate())?;
        change.serialize_field("message", &self.message())?;
        change.end()
    }
}

/// Every change from `current` to `proposed`, most critical first.
pub fn compare(current: &Document, proposed: &Document) -> Vec<Change> {
    let mut changes = Vec::new();
    let (old, new) = (Index::new(current), Index::new(proposed));
    compare_type_sets(&mut changes, &old, &new);
    for (root, from) in &old.roots {
        let to = new.roots.get(root);
        if to != Some(from) {
            changes.push(Change::RootTypeChanged {
                root,
                from: from.clone(),
                to: to.cloned(),
            });
        }
    }
    compare_directives(&mut changes, &old.directives, &new.directives);
    changes.sort_by_cached_key(|change| (change.criticality(), change.coordinate(), change.code()));
    changes
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

/// Types removed, added, changed in kind, or changed inside.
fn compare_type_sets(changes: &mut Vec<Change>, old: &Index<'_>, new: &Index<'_>) {
    for (name, old_type) in &old.types {
        let name = (*name).to_owned();
        match new.types.get(name.as_str()) {
            None => changes.push(Change::TypeRemoved { name }),
            Some(new_type) if kind(old_type) != kind(new_type) => {
                changes.push(Change::TypeKindChanged {
                    name,
                    from: kind(old_type),
                    to: kind(new_type),
                })
            }
            Some(new_type) => compare_types(changes, old_type, new_type),
        }
    }
    for name in new
        .types
        .keys()
        .filter(|name| !old.types.contains_key(*name))
    {
        changes.push(Change::TypeAdded {
            name: (*name).to_owned(),
        });
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

/// Two definitions of the same name and kind.
fn compare_types(changes: &mut Vec<Change>, old: &TypeDefinition, new: &TypeDefinition) {
    let name = old.name().to_owned();
    if description(old) != description(new) {
        changes.push(Change::TypeDescriptionChanged { name: name.clone() });
    }
    match (old, new) {
        (TypeDefinition::Object(old), TypeDefinition::Object(new)) => {
            compare_interfaces(
                changes,
                &name,
                &old.implements_interfaces,
                &new.implements_interfaces,
            );
            compare_fields(changes, &name, "object type", &old.fields, &new.fields);
        }
        (TypeDefinition::Interface(old), TypeDefinition::Interface(new)) => {
            compare_interfaces(
                changes,
                &name,
                &old.implements_interfaces,
                &new.implements_interfaces,
            );
            compare_fields(changes, &name, "interface", &old.fields, &new.fields);
        }
        (TypeDefinition::Union(old), TypeDefinition::Union(new)) => {
            for member in old.types.iter().filter(|m| !new.types.contains(m)) {
                changes.push(Change::UnionMemberRemoved {
                    union: name.clone(),
                    member: member.clone(),
                });
            }
            for member in new.types.iter().filter(|m| !old.types.contains(m)) {
                changes.push(Change::UnionMemberAdded {
                    union: name.clone(),
                    member: member.clone(),
                });
            }
        }
        (TypeDefinition::Enum(old), TypeDefinition::Enum(new)) => compare_enums(changes, old, new),
        (TypeDefinition::InputObject(old), TypeDefinition::InputObject(new)) => {
            compare_input_values(
                changes,
                InputOwner::InputObject,
                &name,
                &old.fields,
                &new.fields,
            );
        }
        _ => {}
    }
}

fn compare_interfaces(changes: &mut Vec<Change>, name: &str, old: &[String], new: &[String]) {
    for interface in old.iter().filter(|i| !new.contains(i)) {
        changes.push(Change::InterfaceRemoved {
            type_name: name.to_owned(),
            interface: interface.clone(),
        });
    }
    for interface in new.iter().filter(|i| !old.contains(i)) {
        changes.push(Change::InterfaceAdded {
            type_name: name.to_owned(),
            interface: interface.clone(),
        });
    }
}

fn compare_enums(changes: &mut Vec<Change>, old: &EnumType, new: &EnumType) {
    let enum_name = &old.name;
    for old_value in &old.values {
        match new.values.iter().find(|v| v.name == old_value.name) {
            None => changes.push(Change::EnumValueRemoved {
                enum_name: enum_name.clone(),
                value: old_value.name.clone(),
            }),
            Some(new_value) => compare_deprecation(
                changes,
                Deprecatable::EnumValue,
                format!("{enum_name}.{}", old_value.name),
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
        changes.push(Change::EnumValueAdded {
            enum_name: enum_name.clone(),
            value: new_value.name.clone(),
        });
    }
}

/// The fields of an object type or interface of the same name.
fn compare_fields(
    changes: &mut Vec<Change>,
    parent: &str,
    parent_kind: &'static str,
    old: &[Field],
    new: &[Field],
) {
    for old_field in old {
        let Some(new_field) = new.iter().find(|f| f.name == old_field.name) else {
            changes.push(Change::FieldRemoved {
                parent: parent.to_owned(),
                parent_kind,
                field: old_field.name.clone(),
                was_deprecated: deprecation(&old_field.directives).is_some(),
            });
            continue;
        };
        let coordinate = format!("{parent}.{}", old_field.name);
        if old_field.field_type != new_field.field_type {
            changes.push(Change::FieldTypeChanged {
                parent: parent.to_owned(),
                field: old_field.name.clone(),
                from: old_field.field_type.clone(),
                to: new_field.field_type.clone(),
            });
        }
        if old_field.description != new_field.description {
            changes.push(Change::FieldDescriptionChanged {
                parent: parent.to_owned(),
                field: old_field.name.clone(),
            });
        }
        compare_deprecation(
            changes,
            Deprecatable::Field,
            coordinate.clone(),
            &old_field.directives,
            &new_field.directives,
        );
        compare_input_values(
            changes,
            InputOwner::Arguments,
            &coordinate,
            &old_field.arguments,
            &new_field.arguments,
        );
    }
    for new_field in new.iter().filter(|f| !old.iter().any(|o| o.name == f.name)) {
        changes.push(Change::FieldAdded {
            parent: parent.to_owned(),
            parent_kind,
            field: new_field.name.clone(),
        });
    }
}

fn compare_deprecation(
    changes: &mut Vec<Change>,
    on: Deprecatable,
    coordinate: String,
    old: &[Directive],
    new: &[Directive],
) {
    let change = match (deprecation(old), deprecation(new)) {
        (None, Some(_)) => DeprecationChange::Added,
        (Some(_), None) => DeprecationChange::Removed,
        (Some(a), Some(b)) if a != b => DeprecationChange::ReasonChanged,
        _ => return,
    };
    changes.push(Change::Deprecation {
        on,
        coordinate,
        change,
    });
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

/// Arguments (of a field or directive) or input object fields: the same comparison, told
/// apart only by `owner`.
fn compare_input_values(
    changes: &mut Vec<Change>,
    owner: InputOwner,
    holder: &str,
    old: &[InputValue],
    new: &[InputValue],
) {
    for old_value in old {
        let name = old_value.name.clone();
        let Some(new_value) = new.iter().find(|v| v.name == old_value.name) else {
            changes.push(Change::InputValueRemoved {
                owner,
                holder: holder.to_owned(),
                name,
            });
            continue;
        };
        if old_value.value_type != new_value.value_type {
            changes.push(Change::InputValueTypeChanged {
                owner,
                holder: holder.to_owned(),
                name: name.clone(),
                from: old_value.value_type.clone(),
                to: new_value.value_type.clone(),
            });
        }
        if old_value.default_value != new_value.default_value {
            changes.push(Change::InputValueDefaultChanged {
                owner,
                holder: holder.to_owned(),
                name,
                from: old_value.default_value.as_ref().map(ToString::to_string),
                to: new_value.default_value.as_ref().map(ToString::to_string),
            });
        }
    }
    for new_value in new.iter().filter(|v| !old.iter().any(|o| o.name == v.name)) {
        changes.push(Change::InputValueAdded {
            owner,
            holder: holder.to_owned(),
            name: new_value.name.clone(),
            value_type: new_value.value_type.clone(),
            required: matches!(new_value.value_type, Type::NonNullType(_))
                && new_value.default_value.is_none(),
        });
    }
}

fn compare_directives(
    changes: &mut Vec<Change>,
    old: &BTreeMap<&str, &DirectiveDefinition>,
    new: &BTreeMap<&str, &DirectiveDefinition>,
) {
    for (name, old_directive) in old {
        let name = (*name).to_owned();
        let Some(new_directive) = new.get(name.as_str()) else {
            changes.push(Change::DirectiveRemoved { name });
            continue;
        };
        let locations = |d: &DirectiveDefinition| -> BTreeSet<String> {
            d.locations.iter().map(|l| l.as_str().to_owned()).collect()
        };
        let (old_locations, new_locations) = (locations(old_directive), locations(new_directive));
        for location in old_locations.difference(&new_locations) {
            changes.push(Change::DirectiveLocationRemoved {
                name: name.clone(),
                location: location.clone(),
            });
        }
        for location in new_locations.difference(&old_locations) {
            changes.push(Change::DirectiveLocationAdded {
                name: name.clone(),
                location: location.clone(),
            });
        }
        if old_directive.repeatable && !new_directive.repeatable {
            changes.push(Change::DirectiveRepeatableRemoved { name: name.clone() });
        }
        compare_input_values(
            changes,
            InputOwner::Arguments,
            &format!("@{name}"),
            &old_directive.arguments,
            &new_directive.arguments,
        );
    }
    for name in new.keys().filter(|name| !old.contains_key(*name)) {
        changes.push(Change::DirectiveAdded {
            name: (*name).to_owned(),
        });
    }
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
