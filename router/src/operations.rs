//! Registered client operations: the `.graphql` documents clients send, read from files,
//! validated against an API schema, and the schema coordinates each operation uses. Serving
//! (trusted documents, usage recording) and the schema check both build on this; it depends on
//! neither.

use std::{
    collections::{BTreeSet, HashSet},
    path::{Path, PathBuf},
};

use hive_router::graphql_tools::{
    parser::query::parse_query,
    static_graphql::{
        query::{self, Definition, OperationDefinition, Selection, SelectionSet},
        schema::{self, TypeDefinition},
    },
    validation::{rules::default_rules_validation_plan, validate::validate},
};

/// Registered operations that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum OperationsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid GraphQL operation document: {message}")]
    InvalidDocument { path: PathBuf, message: String },
}

/// One `.graphql` file of client operations.
#[derive(Debug)]
pub struct OperationFile {
    pub path: PathBuf,
    pub document: query::Document,
    /// Whether fragments from other files were appended: then an error's line may be theirs.
    pub borrows_fragments: bool,
}

impl OperationFile {
    /// The names of the operations in this file (the file's stem for an anonymous one).
    pub fn operation_names(&self) -> Vec<String> {
        self.document
            .definitions
            .iter()
            .filter_map(|definition| match definition {
                Definition::Operation(operation) => Some(
                    operation_name(operation)
                        .map(str::to_owned)
                        .unwrap_or_else(|| self.stem()),
                ),
                Definition::Fragment(_) => None,
            })
            .collect()
    }

    fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Validation errors against `schema` (GraphQL's operation validation rules), each with
    /// the line it is about when that line is surely this file's.
    pub fn validate(&self, schema: &schema::Document) -> Vec<(String, Option<usize>)> {
        if !has_query_root(schema) {
            return vec![("the API schema has no Query root type".to_owned(), None)];
        }
        validate(schema, &self.document, &default_rules_validation_plan())
            .into_iter()
            .map(|error| match error.locations.first() {
                Some(at) => (
                    format!("{} (line {})", error.message, at.line),
                    Some(at.line),
                ),
                None => (error.message, None),
            })
            .collect()
    }

    /// Per operation: every type, field (`Type.field`), argument (`Type.field(arg:)`) and
    /// directive (`@name`) it uses, resolved against `schema`.
    pub fn usage(&self, schema: &schema::Document) -> Vec<(String, BTreeSet<String>)> {
        document_usage(&self.document, schema)
            .into_iter()
            .map(|(name, used)| (name.unwrap_or_else(|| self.stem()), used))
            .collect()
    }
}

/// Per operation in `document` (by name; `None` for an anonymous one): every type, field
/// (`Type.field`), argument (`Type.field(arg:)`) and directive (`@name`) it uses, resolved
/// against `schema`. The router's usage recorder and the check read usage this one way.
pub fn document_usage(
    document: &query::Document,
    schema: &schema::Document,
) -> Vec<(Option<String>, BTreeSet<String>)> {
    if !has_query_root(schema) {
        return Vec::new();
    }
    let fragments: Vec<&query::FragmentDefinition> = document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            Definition::Fragment(fragment) => Some(fragment),
            Definition::Operation(_) => None,
        })
        .collect();
    document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            Definition::Operation(operation) => Some(operation),
            Definition::Fragment(_) => None,
        })
        .map(|operation| {
            let mut walk = UsageWalk {
                schema,
                fragments: &fragments,
                visited_fragments: HashSet::new(),
                used: BTreeSet::new(),
            };
            walk.operation(operation);
            (operation_name(operation).map(str::to_owned), walk.used)
        })
        .collect()
}

/// graphql-tools expects (and panics without) an object type for the query root.
fn has_query_root(schema: &schema::Document) -> bool {
    schema
        .query_type_name()
        .and_then(|name| schema.type_by_name(name))
        .is_some_and(|root| matches!(root, TypeDefinition::Object(_)))
}

fn operation_name(operation: &OperationDefinition) -> Option<&str> {
    match operation {
        OperationDefinition::Query(q) => q.name.as_deref(),
        OperationDefinition::Mutation(m) => m.name.as_deref(),
        OperationDefinition::Subscription(s) => s.name.as_deref(),
        OperationDefinition::SelectionSet(_) => None,
    }
}

/// Every `.graphql` file under `roots` (files or folders) that holds an operation, parsed, in
/// path order. Fragments are shared across files, as codegen tools and persisted-document
/// manifests share them: each file gets the fragments it spreads (transitively) from the
/// others appended, so it validates and is sent whole; files of fragments alone are not
/// operations and are checked through the operations that use them.
pub fn load(roots: &[PathBuf]) -> Result<Vec<OperationFile>, OperationsError> {
    let mut paths = Vec::new();
    for root in roots {
        collect_graphql_files(root, &mut paths)?;
    }
    paths.sort();
    let files = paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|source| OperationsError::Read {
                path: path.clone(),
                source,
            })?;
            let document = parse_query::<String>(&text)
                .map_err(|err| OperationsError::InvalidDocument {
                    path: path.clone(),
                    message: err.to_string(),
                })?
                .into_static();
            Ok(OperationFile {
                path,
                document,
                borrows_fragments: false,
            })
        })
        .collect::<Result<Vec<_>, OperationsError>>()?;

    let shared: Vec<query::FragmentDefinition> = files
        .iter()
        .flat_map(|file| &file.document.definitions)
        .filter_map(|definition| match definition {
            Definition::Fragment(fragment) => Some(fragment.clone()),
            Definition::Operation(_) => None,
        })
        .collect();
    Ok(files
        .into_iter()
        .filter(|file| !file.operation_names().is_empty())
        .map(|mut file| {
            file.append_spread_fragments(&shared);
            file
        })
        .collect())
}

impl OperationFile {
    /// The document as text, fragments from other files included: what a client sends.
    pub fn text(&self) -> String {
        self.document.to_string()
    }

    /// Appends, from `shared`, each fragment this document spreads but does not define,
    /// and the fragments those spread in turn.
    fn append_spread_fragments(&mut self, shared: &[query::FragmentDefinition]) {
        loop {
            let defined: HashSet<String> = self
                .document
                .definitions
                .iter()
                .filter_map(|definition| match definition {
                    Definition::Fragment(fragment) => Some(fragment.name.clone()),
                    Definition::Operation(_) => None,
                })
                .collect();
            let mut spread = Vec::new();
            for definition in &self.document.definitions {
                let selections = match definition {
                    Definition::Fragment(fragment) => &fragment.selection_set,
                    Definition::Operation(operation) => operation_selection_set(operation),
                };
                spread_names(selections, &mut spread);
            }
            let missing: Vec<query::FragmentDefinition> = shared
                .iter()
                .filter(|fragment| {
                    spread.contains(&fragment.name) && !defined.contains(&fragment.name)
                })
                .cloned()
                .collect();
            if missing.is_empty() {
                return;
            }
            self.borrows_fragments = true;
            self.document
                .definitions
                .extend(missing.into_iter().map(Definition::Fragment));
        }
    }
}

fn operation_selection_set(operation: &OperationDefinition) -> &SelectionSet {
    match operation {
        OperationDefinition::Query(q) => &q.selection_set,
        OperationDefinition::Mutation(m) => &m.selection_set,
        OperationDefinition::Subscription(s) => &s.selection_set,
        OperationDefinition::SelectionSet(set) => set,
    }
}

fn spread_names(selections: &SelectionSet, found: &mut Vec<String>) {
    for selection in &selections.items {
        match selection {
            Selection::Field(field) => spread_names(&field.selection_set, found),
            Selection::InlineFragment(fragment) => spread_names(&fragment.selection_set, found),
            Selection::FragmentSpread(spread) => found.push(spread.fragment_name.clone()),
        }
    }
}

fn collect_graphql_files(path: &Path, found: &mut Vec<PathBuf>) -> Result<(), OperationsError> {
    let read_error = |source| OperationsError::Read {
        path: path.to_owned(),
        source,
    };
    if path.is_file() {
        found.push(path.to_owned());
        return Ok(());
    }
    for entry in std::fs::read_dir(path).map_err(read_error)? {
        let entry_path = entry.map_err(read_error)?.path();
        if entry_path.is_dir() {
            collect_graphql_files(&entry_path, found)?;
        } else if entry_path.extension().is_some_and(|ext| ext == "graphql") {
            found.push(entry_path);
        }
    }
    Ok(())
}

struct UsageWalk<'a> {
    schema: &'a schema::Document,
    fragments: &'a [&'a query::FragmentDefinition],
    visited_fragments: HashSet<&'a str>,
    used: BTreeSet<String>,
}

impl<'a> UsageWalk<'a> {
    fn operation(&mut self, operation: &'a OperationDefinition) {
        let (root, variables, directives, selection_set) = match operation {
            OperationDefinition::Query(q) => (
                Some(self.schema.query_type().name.as_str()),
                &q.variable_definitions[..],
                &q.directives[..],
                &q.selection_set,
            ),
            OperationDefinition::Mutation(m) => (
                self.schema.mutation_type().map(|t| t.name.as_str()),
                &m.variable_definitions[..],
                &m.directives[..],
                &m.selection_set,
            ),
            OperationDefinition::Subscription(s) => (
                self.schema.subscription_type().map(|t| t.name.as_str()),
                &s.variable_definitions[..],
                &s.directives[..],
                &s.selection_set,
            ),
            OperationDefinition::SelectionSet(set) => (
                Some(self.schema.query_type().name.as_str()),
                &[][..],
                &[][..],
                set,
            ),
        };
        for variable in variables {
            self.input_type(named(&variable.var_type));
        }
        self.directives(directives);
        if let Some(root) = root {
            self.used.insert(root.to_owned());
            self.selection_set(root, selection_set);
        }
    }

    fn selection_set(&mut self, parent: &str, selection_set: &'a SelectionSet) {
        for selection in &selection_set.items {
            match selection {
                Selection::Field(field) => {
                    self.directives(&field.directives);
                    if field.name.starts_with("__") {
                        continue;
                    }
                    let coordinate = format!("{parent}.{}", field.name);
                    for (argument, _) in &field.arguments {
                        self.used.insert(format!("{coordinate}({argument}:)"));
                    }
                    let definition = self
                        .schema
                        .type_by_name(parent)
                        .and_then(|t| t.field_by_name(&field.name));
                    self.used.insert(coordinate);
                    let Some(definition) = definition else {
                        continue;
                    };
                    for argument in &definition.arguments {
                        if field
                            .arguments
                            .iter()
                            .any(|(name, _)| *name == argument.name)
                        {
                            self.input_type(named(&argument.value_type));
                        }
                    }
                    let returned = named(&definition.field_type).to_owned();
                    self.used.insert(returned.clone());
                    self.selection_set(&returned, &field.selection_set);
                }
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.directives);
                    let on = match &fragment.type_condition {
                        Some(query::TypeCondition::On(on)) => on.as_str(),
                        None => parent,
                    }
                    .to_owned();
                    self.used.insert(on.clone());
                    self.selection_set(&on, &fragment.selection_set);
                }
                Selection::FragmentSpread(spread) => {
                    self.directives(&spread.directives);
                    let fragment = self
                        .fragments
                        .iter()
                        .find(|f| f.name == spread.fragment_name);
                    if let Some(fragment) = fragment
                        && self.visited_fragments.insert(&fragment.name)
                    {
                        let query::TypeCondition::On(on) = &fragment.type_condition;
                        self.used.insert(on.clone());
                        self.directives(&fragment.directives);
                        self.selection_set(on, &fragment.selection_set);
                    }
                }
            }
        }
    }

    fn directives(&mut self, directives: &[query::Directive]) {
        for directive in directives {
            self.used.insert(format!("@{}", directive.name));
        }
    }

    /// An input type and every input type reachable through its fields.
    fn input_type(&mut self, name: &str) {
        if !self.used.insert(name.to_owned()) {
            return;
        }
        if let Some(TypeDefinition::InputObject(input)) = self.schema.type_by_name(name) {
            for field in &input.fields {
                self.input_type(named(&field.value_type));
            }
        }
    }
}

fn named(ty: &query::Type) -> &str {
    match ty {
        query::Type::NamedType(name) => name,
        query::Type::ListType(inner) | query::Type::NonNullType(inner) => named(inner),
    }
}
