//! Renders graphql-composition's federated SDL in the Apollo supergraph form (link v1.0,
//! join v0.3) that Hive Router plans from and the reference composer emits: the spec's own
//! directive definitions, and a `@join__type` for every subgraph that defines a type, roots
//! and scalars included, which the library's rendering leaves out.

use std::collections::{BTreeMap, BTreeSet};

use cynic_parser::type_system::{Definition as SubgraphDefinition, TypeDefinition as SubgraphType};
use hive_router::graphql_tools::parser::{
    Pos,
    schema::{Definition, Directive, Document, TypeDefinition, Value, parse_schema},
};

use crate::supergraph_config::SubgraphSchema;

/// The link and join spec definitions every supergraph starts with.
const SPEC_DEFINITIONS: &str = r#"directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean{OVERRIDE_LABEL}) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY
  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}
"#;

/// Definitions the spec header above replaces.
const REPLACED: &[&str] = &[
    "join__enumValue",
    "join__field",
    "join__graph",
    "join__implements",
    "join__type",
    "join__unionMember",
    "join__owner",
    "link",
    "join__FieldSet",
    "link__Import",
    "link__Purpose",
    "inaccessible",
    "tag",
    "authenticated",
    "requiresScopes",
    "requiresScopes__Scope",
    "cost",
    "listSize",
];

/// Marks a supergraph whose fields use progressive override's labels.
const OVERRIDE_LABEL: &str = "overrideLabel";

/// A spec the supergraph links, with its definitions, only when a type uses its directives:
/// Hive Router enforces `@authenticated`/`@requiresScopes` only under their spec's link, and
/// reads `@cost`/`@listSize` for demand control.
struct LinkedSpec {
    name: &'static str,
    /// Text that shows a type definition uses the spec.
    markers: &'static [&'static str],
    link: &'static str,
    definitions: &'static str,
}

const LINKED_SPECS: &[LinkedSpec] = &[
    LinkedSpec {
        name: "inaccessible",
        markers: &["@inaccessible"],
        link: r#"@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)"#,
        definitions: "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION\n",
    },
    LinkedSpec {
        name: "tag",
        markers: &["@tag("],
        link: r#"@link(url: "https://specs.apollo.dev/tag/v0.3")"#,
        definitions: "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA\n",
    },
    LinkedSpec {
        name: "authenticated",
        markers: &["@authenticated"],
        link: r#"@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)"#,
        definitions: "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n",
    },
    LinkedSpec {
        name: "requiresScopes",
        markers: &["@requiresScopes("],
        link: r#"@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)"#,
        definitions: "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\nscalar requiresScopes__Scope\n",
    },
    LinkedSpec {
        name: "cost",
        markers: &["@cost(", "@listSize("],
        // `@cost` is the spec's own name (its namespace), so only `@listSize` is imported.
        link: r#"@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])"#,
        definitions: "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR\n\ndirective @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION\n",
    },
];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the composed SDL does not parse: {0}")]
    Federated(String),
    #[error("subgraph `{subgraph}` does not parse: {message}")]
    Subgraph { subgraph: String, message: String },
}

pub fn apollo_supergraph(
    federated: &str,
    subgraphs: &[SubgraphSchema],
) -> Result<String, RenderError> {
    let document = parse_schema::<String>(federated)
        .map_err(|err| RenderError::Federated(err.to_string()))?
        .into_static();
    let graph_values = join_graph_values(&document);
    let mut definers = type_definers(subgraphs)?;
    // Every subgraph serves `Query` (`_service`, `_entities`), whether its SDL shows it or not.
    let query_root = document
        .query_type_name()
        .cloned()
        .unwrap_or_else(|| "Query".to_owned());
    let query_definers = definers.entry(query_root).or_default();
    for subgraph in subgraphs {
        query_definers.entry(subgraph.name.clone()).or_default();
    }

    let mut roots = Vec::new();
    let mut uses = BTreeSet::new();
    let mut body = Document::new(Vec::new());
    for definition in document.definitions {
        match definition {
            Definition::SchemaDefinition(schema) => {
                for (operation, root) in [
                    ("query", schema.query),
                    ("mutation", schema.mutation),
                    ("subscription", schema.subscription),
                ] {
                    if let Some(root) = root {
                        roots.push(format!("  {operation}: {root}"));
                    }
                }
            }
            Definition::DirectiveDefinition(directive) => {
                if !REPLACED.contains(&directive.name.as_str()) {
                    body.definitions
                        .push(Definition::DirectiveDefinition(directive));
                }
            }
            Definition::TypeDefinition(mut definition) => {
                let name = definition.name().to_owned();
                if REPLACED.contains(&name.as_str()) || is_federation_internal(&name) {
                    continue;
                }
                if let Some(declarations) = definers.get(&name) {
                    let graphs: Vec<(&String, &SubgraphTypeDeclaration)> = declarations
                        .iter()
                        .filter_map(|(subgraph, declaration)| {
                            graph_values.get(subgraph).map(|graph| (graph, declaration))
                        })
                        .collect();
                    add_missing_join_types(type_directives(&mut definition), &graphs);
                    mark_external_fields(&mut definition, &graphs);
                }
                minify_field_sets(&mut definition);
                drop_redundant_join_fields(&mut definition);
                note_spec_uses(&definition, &mut uses);
                body.definitions
                    .push(Definition::TypeDefinition(definition));
            }
            other @ Definition::TypeExtension(_) => body.definitions.push(other),
        }
    }

    let mut links = vec![
        r#"@link(url: "https://specs.apollo.dev/link/v1.0")"#.to_owned(),
        r#"@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)"#.to_owned(),
    ];
    // Progressive override's label argument is declared only where a field uses it.
    let override_label = if uses.contains(OVERRIDE_LABEL) {
        ", overrideLabel: String"
    } else {
        ""
    };
    let mut spec_definitions = SPEC_DEFINITIONS.replace("{OVERRIDE_LABEL}", override_label);
    for spec in LINKED_SPECS {
        if uses.contains(spec.name) {
            links.push(spec.link.to_owned());
            spec_definitions.push('\n');
            spec_definitions.push_str(spec.definitions);
        }
    }
    Ok(format!(
        "schema {} {{\n{}\n}}\n\n{spec_definitions}\n{body}",
        links.join(" "),
        roots.join("\n"),
    ))
}

/// Subgraph name → its `join__Graph` enum value, as the composed SDL spells them.
fn join_graph_values(document: &Document<'static, String>) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for definition in &document.definitions {
        if let Definition::TypeDefinition(TypeDefinition::Enum(graphs)) = definition
            && graphs.name == "join__Graph"
        {
            for value in &graphs.values {
                let name = value
                    .directives
                    .iter()
                    .filter(|d| d.name == "join__graph")
                    .flat_map(|d| &d.arguments)
                    .find_map(|(argument, value)| match (argument.as_str(), value) {
                        ("name", Value::String(name)) => Some(name.clone()),
                        _ => None,
                    });
                if let Some(name) = name {
                    values.insert(name, value.name.clone());
                }
            }
        }
    }
    values
}

/// How one subgraph's SDL declares a type: its `@key`s (field set, resolvable) and whether it
/// is an `@interfaceObject`.
#[derive(Debug, Clone, Default)]
struct SubgraphTypeDeclaration {
    keys: Vec<(String, bool)>,
    interface_object: bool,
    /// The fields it declares.
    fields: BTreeSet<String>,
    /// Fields a Federation 2 subgraph marks `@external` on a type it defines (rather than
    /// extends): it cannot resolve them, key fields included.
    external_fields: BTreeSet<String>,
}

/// Type name → each subgraph whose SDL defines or extends it, with how it declares it.
fn type_definers(
    subgraphs: &[SubgraphSchema],
) -> Result<BTreeMap<String, BTreeMap<String, SubgraphTypeDeclaration>>, RenderError> {
    let mut definers: BTreeMap<String, BTreeMap<String, SubgraphTypeDeclaration>> = BTreeMap::new();
    for subgraph in subgraphs {
        let document = cynic_parser::parse_type_system_document(&subgraph.sdl).map_err(|err| {
            RenderError::Subgraph {
                subgraph: subgraph.name.clone(),
                message: err.to_string(),
            }
        })?;
        let federation_2 = subgraph.sdl.contains("specs.apollo.dev/federation/v2");
        for definition in document.definitions() {
            let (definition, extended) = match definition {
                SubgraphDefinition::Type(definition) => (definition, false),
                SubgraphDefinition::TypeExtension(definition) => (definition, true),
                _ => continue,
            };
            let is_extension = extended
                || definition
                    .directives()
                    .any(|d| matches!(d.name(), "extends" | "federation__extends"));
            let declaration = definers
                .entry(definition.name().to_owned())
                .or_default()
                .entry(subgraph.name.clone())
                .or_default();
            for directive in definition.directives() {
                match directive.name() {
                    "key" | "federation__key" => {
                        let fields = directive
                            .argument("fields")
                            .and_then(|fields| fields.value().as_str().map(str::to_owned));
                        let resolvable = directive
                            .argument("resolvable")
                            .and_then(|resolvable| resolvable.value().as_bool())
                            .unwrap_or(true);
                        declaration.keys.extend(fields.map(|f| (f, resolvable)));
                    }
                    "interfaceObject" | "federation__interfaceObject" => {
                        declaration.interface_object = true;
                    }
                    _ => {}
                }
            }
            let fields = match definition {
                SubgraphType::Object(object) => object.fields().collect::<Vec<_>>(),
                SubgraphType::Interface(interface) => interface.fields().collect(),
                _ => Vec::new(),
            };
            for field in fields {
                declaration.fields.insert(field.name().to_owned());
                let external = field
                    .directives()
                    .any(|d| matches!(d.name(), "external" | "federation__external"));
                if external && federation_2 && !is_extension {
                    declaration.external_fields.insert(field.name().to_owned());
                }
            }
        }
    }
    Ok(definers)
}

fn type_directives<'a>(
    definition: &'a mut TypeDefinition<'static, String>,
) -> &'a mut Vec<Directive<'static, String>> {
    match definition {
        TypeDefinition::Scalar(t) => &mut t.directives,
        TypeDefinition::Object(t) => &mut t.directives,
        TypeDefinition::Interface(t) => &mut t.directives,
        TypeDefinition::Union(t) => &mut t.directives,
        TypeDefinition::Enum(t) => &mut t.directives,
        TypeDefinition::InputObject(t) => &mut t.directives,
    }
}

/// The `graph:` of a join directive.
fn join_graph<'a>(directive: &'a Directive<'static, String>) -> Option<&'a String> {
    directive
        .arguments
        .iter()
        .find(|(argument, _)| argument == "graph")
        .and_then(|(_, value)| match value {
            Value::Enum(graph) => Some(graph),
            _ => None,
        })
}

/// The graphs named by the `join` directives (`join__type`, `join__field`) among `directives`.
fn joined_graphs(directives: &[Directive<'static, String>], join: &str) -> BTreeSet<String> {
    directives
        .iter()
        .filter(|d| d.name == join)
        .filter_map(join_graph)
        .cloned()
        .collect()
}

/// Adds the `@join__type`s of each defining graph the library left without one: a plain
/// `@join__type(graph: G)`, or one per `@key` the subgraph declares (the library drops
/// non-resolvable keys, and with them an `@interfaceObject`'s whole join).
fn add_missing_join_types(
    directives: &mut Vec<Directive<'static, String>>,
    graphs: &[(&String, &SubgraphTypeDeclaration)],
) {
    let present: BTreeSet<String> = joined_graphs(directives, "join__type");
    let (mut joins, rest): (Vec<_>, Vec<_>) =
        directives.drain(..).partition(|d| d.name == "join__type");
    for (graph, declaration) in graphs.iter().filter(|(graph, _)| !present.contains(*graph)) {
        let join = |arguments| Directive {
            position: Pos::default(),
            name: "join__type".to_owned(),
            arguments,
        };
        let graph_argument = ("graph".to_owned(), Value::Enum((*graph).clone()));
        if declaration.keys.is_empty() {
            joins.push(join(vec![graph_argument]));
            continue;
        }
        for (fields, resolvable) in &declaration.keys {
            let mut arguments = vec![
                graph_argument.clone(),
                ("key".to_owned(), Value::String(fields.clone())),
            ];
            if !resolvable {
                arguments.push(("resolvable".to_owned(), Value::Boolean(false)));
            }
            if declaration.interface_object {
                arguments.push(("isInterfaceObject".to_owned(), Value::Boolean(true)));
            }
            joins.push(join(arguments));
        }
    }
    // Join directives first, in graph order, as composers print them.
    joins.sort_by_key(|d| d.to_string());
    directives.extend(joins);
    directives.extend(rest);
}

/// Marks fields a subgraph declares `@external` on a type it defines as external for that
/// graph. The library drops `external` on key fields (right for `extend type`, wrong for a
/// Federation 2 definition), which would let the planner fetch a key field from a subgraph
/// that cannot resolve it.
fn mark_external_fields(
    definition: &mut TypeDefinition<'static, String>,
    graphs: &[(&String, &SubgraphTypeDeclaration)],
) {
    let Some(fields) = fields_mut(definition) else {
        return;
    };
    for field in fields {
        let externals: Vec<&String> = graphs
            .iter()
            .filter(|(_, declaration)| declaration.external_fields.contains(&field.name))
            .map(|(graph, _)| *graph)
            .collect();
        if externals.is_empty() {
            continue;
        }
        let joined = joined_graphs(&field.directives, "join__field");
        let join_field = |graph: &String, external: bool| {
            let mut arguments = vec![("graph".to_owned(), Value::Enum(graph.clone()))];
            if external {
                arguments.push(("external".to_owned(), Value::Boolean(true)));
            }
            Directive {
                position: Pos::default(),
                name: "join__field".to_owned(),
                arguments,
            }
        };
        for directive in field.directives.iter_mut() {
            let graph = join_graph(directive).cloned();
            let marks_external = directive.arguments.iter().any(|(a, _)| a == "external");
            if directive.name == "join__field"
                && graph.is_some_and(|graph| externals.contains(&&graph))
                && !marks_external
            {
                directive
                    .arguments
                    .push(("external".to_owned(), Value::Boolean(true)));
            }
        }
        let mut added = Vec::new();
        if joined.is_empty() {
            // No join fields meant "every graph resolves it": spell out who really does.
            for (graph, declaration) in graphs {
                if declaration.fields.contains(&field.name) {
                    added.push(join_field(graph, externals.contains(graph)));
                }
            }
        } else {
            for graph in externals.iter().filter(|graph| !joined.contains(**graph)) {
                added.push(join_field(graph, true));
            }
        }
        added.sort_by_key(|d| d.to_string());
        field.directives.splice(0..0, added);
    }
}

/// Federation's own types, which subgraphs that print their full SDL in `_service { sdl }`
/// include, and which have no place in the supergraph or its API.
fn is_federation_internal(name: &str) -> bool {
    matches!(name, "_Any" | "_FieldSet" | "_Service" | "_Entity")
        || name.starts_with("federation__")
}

/// Prints every field set (`key`, `requires`, `provides`) the way composers do:
/// `lines { product { id } }` becomes `lines{product{id}}`.
fn minify_field_sets(definition: &mut TypeDefinition<'static, String>) {
    type_directives(definition)
        .iter_mut()
        .for_each(minify_directive);
    if let Some(fields) = fields_mut(definition) {
        fields
            .iter_mut()
            .flat_map(|field| field.directives.iter_mut())
            .for_each(minify_directive);
    }
}

fn minify_directive(directive: &mut Directive<'static, String>) {
    if !directive.name.starts_with("join__") {
        return;
    }
    for (argument, value) in &mut directive.arguments {
        if let ("key" | "requires" | "provides", Value::String(set)) = (argument.as_str(), value) {
            *set = minified_field_set(set);
        }
    }
}

fn minified_field_set(set: &str) -> String {
    let spaced = set.split_whitespace().collect::<Vec<_>>().join(" ");
    spaced
        .replace(" {", "{")
        .replace("{ ", "{")
        .replace(" }", "}")
}

/// A field of a type only one subgraph defines needs no `@join__field` naming that subgraph.
fn drop_redundant_join_fields(definition: &mut TypeDefinition<'static, String>) {
    let graphs = joined_graphs(type_directives(definition), "join__type");
    if graphs.len() != 1 {
        return;
    }
    if let Some(fields) = fields_mut(definition) {
        for field in fields {
            field.directives.retain(|d| {
                !(d.name == "join__field" && d.arguments.len() == 1 && d.arguments[0].0 == "graph")
            });
        }
    }
}

fn fields_mut<'a>(
    definition: &'a mut TypeDefinition<'static, String>,
) -> Option<&'a mut Vec<hive_router::graphql_tools::parser::schema::Field<'static, String>>> {
    match definition {
        TypeDefinition::Object(t) => Some(&mut t.fields),
        TypeDefinition::Interface(t) => Some(&mut t.fields),
        _ => None,
    }
}

/// Records which optional specs and arguments (`@inaccessible`, `@tag`, override labels)
/// the supergraph uses.
fn note_spec_uses(definition: &TypeDefinition<'static, String>, uses: &mut BTreeSet<&'static str>) {
    let text = definition.to_string();
    for spec in LINKED_SPECS {
        if spec.markers.iter().any(|marker| text.contains(marker)) {
            uses.insert(spec.name);
        }
    }
    if text.contains("overrideLabel:") {
        uses.insert(OVERRIDE_LABEL);
    }
}
