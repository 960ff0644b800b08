//! Which subgraph fetches the entity cache may answer, and how answers are taken apart and put
//! back together. An `_entities` query for configured types is cached per entity: when its
//! selection reads only each entity's own document (nested fields returning value objects such
//! as `Money`, or other entities by their key alone, never more of another entity, whose
//! changes are announced under that entity's name) an answer ends when its entity is named;
//! otherwise at any change its subgraph announces. A
//! query of configured root fields only is cached whole, and ends at any such change too.

use std::{
    collections::{HashMap, HashSet},
    hash::{DefaultHasher, Hash, Hasher},
};

use hive_router::graphql_tools::{
    parser::{parse_query, query, schema},
    static_graphql::schema::Document as SupergraphDocument,
};
use serde_json::Value;

use super::store::Scope;

/// How a fetch may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cacheable {
    /// An `_entities` fetch: answered per entity.
    Entities(Scope),
    /// Root fields of the subgraph's `Query`, all configured: answered whole.
    RootFields,
}

/// What the supergraph says about types, for judging a fetch's selection.
#[derive(Debug, Default)]
pub struct SchemaFacts {
    /// Types with a federation key (`@join__type(key: …)`): entities.
    entities: HashSet<String>,
    /// Each object or interface field's named return type.
    field_types: HashMap<(String, String), String>,
    /// Types and fields only some callers may read (`@authenticated`, `@requiresScopes`,
    /// `@policy`): never cached, whatever the configuration lists.
    private: HashSet<(String, Option<String>)>,
}

/// The directives that make data depend on who asks.
const PRIVATE_DIRECTIVES: [&str; 3] = ["authenticated", "requiresScopes", "policy"];

fn carries_private_directive(directives: &[schema::Directive<'static, String>]) -> bool {
    directives
        .iter()
        .any(|directive| PRIVATE_DIRECTIVES.contains(&directive.name.as_str()))
}

impl SchemaFacts {
    pub fn of(supergraph: &SupergraphDocument) -> Self {
        let mut facts = Self::default();
        for definition in &supergraph.definitions {
            let schema::Definition::TypeDefinition(definition) = definition else {
                continue;
            };
            let (name, fields, directives) = match definition {
                schema::TypeDefinition::Object(object) => {
                    (&object.name, &object.fields, &object.directives)
                }
                schema::TypeDefinition::Interface(interface) => {
                    (&interface.name, &interface.fields, &interface.directives)
                }
                _ => continue,
            };
            let keyed = directives.iter().any(|directive| {
                directive.name == "join__type"
                    && directive
                        .arguments
                        .iter()
                        .any(|(argument, _)| argument == "key")
            });
            if keyed {
                facts.entities.insert(name.clone());
            }
            if carries_private_directive(directives) {
                facts.private.insert((name.clone(), None));
            }
            for field in fields {
                if carries_private_directive(&field.directives) {
                    facts
                        .private
                        .insert((name.clone(), Some(field.name.clone())));
                }
                facts.field_types.insert(
                    (name.clone(), field.name.clone()),
                    named_type(&field.field_type).to_owned(),
                );
            }
        }
        facts
    }

    /// How `query` may be cached: an `_entities` fetch for `types` only, or a query of
    /// `root_fields` only; `None` for anything else (mutations, other root fields, fragments).
    pub fn judge(
        &self,
        query: &str,
        types: &HashSet<String>,
        root_fields: &HashSet<String>,
    ) -> Option<Cacheable> {
        let document = parse_query::<String>(query).ok()?;
        let roots = match document.definitions.as_slice() {
            [query::Definition::Operation(query::OperationDefinition::Query(operation))] => {
                &operation.selection_set.items
            }
            [query::Definition::Operation(query::OperationDefinition::SelectionSet(set))] => {
                &set.items
            }
            _ => return None,
        };
        if let [query::Selection::Field(entities)] = roots.as_slice()
            && entities.name == "_entities"
        {
            return self
                .judge_entities(entities, types)
                .map(Cacheable::Entities);
        }
        roots
            .iter()
            .all(|root| match root {
                query::Selection::Field(field) if field.name == "__typename" => true,
                query::Selection::Field(field) => {
                    root_fields.contains(&field.name)
                        && !self.is_private("Query", &field.name)
                        && self.reads_nothing_private("Query", field)
                }
                _ => false,
            })
            .then_some(Cacheable::RootFields)
    }

    /// Whether an `_entities` field asks for `types` only, and whether each reads only its own
    /// fields ([`Scope::Entity`]) or reaches further ([`Scope::Subgraph`]).
    fn judge_entities(
        &self,
        entities: &query::Field<String>,
        types: &HashSet<String>,
    ) -> Option<Scope> {
        if entities.alias.is_some() {
            return None;
        }
        let mut scope = Scope::Entity;
        for selection in &entities.selection_set.items {
            match selection {
                query::Selection::Field(field) if field.name == "__typename" => {}
                query::Selection::InlineFragment(query::InlineFragment {
                    type_condition: Some(query::TypeCondition::On(typename)),
                    selection_set,
                    ..
                }) if types.contains(typename) => {
                    if !self.reads_nothing_private_in(typename, selection_set) {
                        return None;
                    }
                    if !self.reads_only_its_own(typename, selection_set) {
                        scope = Scope::Subgraph;
                    }
                }
                _ => return None,
            }
        }
        Some(scope)
    }

    /// Whether `type_name.field` (or the type itself) is only for some callers.
    fn is_private(&self, typename: &str, field: &str) -> bool {
        self.private.contains(&(typename.to_owned(), None))
            || self
                .private
                .contains(&(typename.to_owned(), Some(field.to_owned())))
    }

    /// Whether `field` of `typename`, and everything selected below it, is for every caller.
    fn reads_nothing_private(&self, typename: &str, field: &query::Field<String>) -> bool {
        let returns = self
            .field_types
            .get(&(typename.to_owned(), field.name.clone()));
        match returns {
            Some(returns) => {
                !self.private.contains(&(returns.clone(), None))
                    && self.reads_nothing_private_in(returns, &field.selection_set)
            }
            None => field.selection_set.items.is_empty(),
        }
    }

    /// Whether everything `selection` reads of `typename` is for every caller.
    fn reads_nothing_private_in(
        &self,
        typename: &str,
        selection: &query::SelectionSet<String>,
    ) -> bool {
        !self.private.contains(&(typename.to_owned(), None))
            && selection.items.iter().all(|item| match item {
                query::Selection::Field(field) if field.name.starts_with("__") => true,
                query::Selection::Field(field) => {
                    !self.is_private(typename, &field.name)
                        && self.reads_nothing_private(typename, field)
                }
                query::Selection::InlineFragment(fragment) => match &fragment.type_condition {
                    Some(query::TypeCondition::On(on)) => {
                        self.reads_nothing_private_in(on, &fragment.selection_set)
                    }
                    None => self.reads_nothing_private_in(typename, &fragment.selection_set),
                },
                query::Selection::FragmentSpread(_) => false,
            })
    }

    /// Whether `selection`, on `typename`, reaches no entity but its own.
    fn reads_only_its_own(&self, typename: &str, selection: &query::SelectionSet<String>) -> bool {
        selection.items.iter().all(|item| match item {
            query::Selection::Field(field) if field.name.starts_with("__") => true,
            query::Selection::Field(field) => {
                let key = (typename.to_owned(), field.name.clone());
                let Some(returns) = self.field_types.get(&key) else {
                    return false;
                };
                if field.selection_set.items.is_empty() {
                    return true;
                }
                if self.entities.contains(returns) {
                    // Another entity's key alone comes from this entity's own document (a
                    // related product's id); anything more is that entity's.
                    return names_only_a_key(&field.selection_set);
                }
                self.reads_only_its_own(returns, &field.selection_set)
            }
            query::Selection::InlineFragment(fragment) => match &fragment.type_condition {
                Some(query::TypeCondition::On(on)) if on == typename => {
                    self.reads_only_its_own(typename, &fragment.selection_set)
                }
                _ => false,
            },
            query::Selection::FragmentSpread(_) => false,
        })
    }
}

/// Whether `selection` asks for nothing but `id` and `__typename`.
fn names_only_a_key(selection: &query::SelectionSet<String>) -> bool {
    selection.items.iter().all(|item| {
        matches!(item, query::Selection::Field(field)
            if (field.name == "id" || field.name == "__typename") && field.selection_set.items.is_empty())
    })
}

fn named_type<'t>(ty: &'t schema::Type<'static, String>) -> &'t str {
    match ty {
        schema::Type::NamedType(name) => name,
        schema::Type::ListType(inner) | schema::Type::NonNullType(inner) => named_type(inner),
    }
}

/// One representation of an entity fetch: the entity it names and its exact text.
#[derive(Debug, Clone, PartialEq)]
pub struct Representation {
    pub typename: String,
    pub id: String,
    pub text: String,
}

/// The representations of a fetch, each naming its type and a string `id`; `None` when one
/// does not (the fetch is then not cached).
pub fn representations(raw: &[u8]) -> Option<Vec<Representation>> {
    let all: Vec<Value> = serde_json::from_slice(raw).ok()?;
    all.into_iter()
        .map(|representation| {
            Some(Representation {
                typename: representation.get("__typename")?.as_str()?.to_owned(),
                id: representation.get("id")?.as_str()?.to_owned(),
                text: representation.to_string(),
            })
        })
        .collect()
}

/// The representations as the variable's JSON text.
pub fn representations_text<'a>(
    representations: impl Iterator<Item = &'a Representation>,
) -> Vec<u8> {
    let mut text = b"[".to_vec();
    for (index, representation) in representations.enumerate() {
        if index > 0 {
            text.push(b',');
        }
        text.extend_from_slice(representation.text.as_bytes());
    }
    text.push(b']');
    text
}

/// What, besides the entity, an answer depends on: the fetch's text and its other variables.
pub fn fetch_hash<'a>(query: &str, variables: impl Iterator<Item = (&'a str, String)>) -> u64 {
    let mut variables: Vec<(&str, String)> = variables.collect();
    variables.sort();
    let mut hasher = DefaultHasher::new();
    query.hash(&mut hasher);
    variables.hash(&mut hasher);
    hasher.finish()
}

/// One answer's place among an entity's answers: the fetch it came from and the exact
/// representation asked.
pub fn answer_hash(fetch: u64, representation: &Representation) -> u64 {
    let mut hasher = DefaultHasher::new();
    fetch.hash(&mut hasher);
    representation.text.hash(&mut hasher);
    hasher.finish()
}

/// A subgraph's answer to an `_entities` fetch, taken apart.
pub struct EntitiesAnswer {
    /// Each entity's JSON, in the order asked; `None` when the answer had no such list.
    pub entities: Option<Vec<Value>>,
    pub errors: Vec<Value>,
    pub extensions: Option<Value>,
}

impl EntitiesAnswer {
    pub fn parse(body: &[u8]) -> Option<Self> {
        let mut body: Value = serde_json::from_slice(body).ok()?;
        let entities = match body.pointer_mut("/data/_entities").map(Value::take) {
            Some(Value::Array(entities)) => Some(entities),
            _ => None,
        };
        let errors = match body.get_mut("errors").map(Value::take) {
            Some(Value::Array(errors)) => errors,
            _ => Vec::new(),
        };
        Some(Self {
            entities,
            errors,
            extensions: body.get_mut("extensions").map(Value::take),
        })
    }
}

/// A whole `_entities` answer: `entities` in the order asked (`None`: no data at all), and
/// `errors` whose `_entities` indexes have been mapped to the same order.
pub fn entities_body(
    entities: Option<Vec<Value>>,
    errors: Vec<Value>,
    extensions: Option<Value>,
) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    body.insert(
        "data".into(),
        match entities {
            Some(entities) => serde_json::json!({ "_entities": entities }),
            None => Value::Null,
        },
    );
    if !errors.is_empty() {
        body.insert("errors".into(), Value::Array(errors));
    }
    if let Some(extensions) = extensions {
        body.insert("extensions".into(), extensions);
    }
    serde_json::to_vec(&body).expect("JSON values serialize")
}

/// A root fetch's `data`, as JSON text, when the answer has it and no errors.
pub fn whole_data(body: &[u8]) -> Option<String> {
    let body: Value = serde_json::from_slice(body).ok()?;
    let errors = body.get("errors").is_some_and(|errors| !errors.is_null());
    let data = body.get("data").filter(|data| data.is_object())?;
    (!errors).then(|| data.to_string())
}

/// An answer made of stored `data` JSON text.
pub fn data_body(data: &str) -> Vec<u8> {
    format!("{{\"data\":{data}}}").into_bytes()
}

/// Maps an error's `path: ["_entities", i, …]` from the fetch sent (the missing entities only)
/// to the fetch asked: its `i` becomes `asked[i]`.
pub fn remap_error_path(error: &mut Value, asked: &[usize]) {
    let Some(index) = error.pointer_mut("/path/1") else {
        return;
    };
    if let Some(original) = index.as_u64().and_then(|i| asked.get(i as usize)) {
        *index = Value::from(*original);
    }
}

#[cfg(test)]
mod tests {
    use hive_router::graphql_tools::parser::parse_schema;

    use super::*;

    const SUPERGRAPH: &str = r#"
        type Product @join__type(graph: CATALOG, key: "id") @join__type(graph: PRICING, key: "id") {
          id: ID!
          name: String!
          category: Category!
          pricing(currency: CurrencyCode = USD): ProductPricing
          wholesalePrice: Money @requiresScopes(scopes: [["staff"]])
          recommendations(first: Int = 4): [Product!]!
        }
        type Category @join__type(graph: CATALOG, key: "id") { id: ID! name: String! }
        type Query { products(first: Int): [Product!]! categories: [Category!]! cart: Cart @authenticated }
        type Cart @join__type(graph: CART, key: "id") { id: ID! }
        type ProductPricing @join__type(graph: PRICING) { price: Money! percentOff: Int! }
        type Money @join__type(graph: PRICING) { amount: String! currency: CurrencyCode! }
        enum CurrencyCode { USD EUR }
    "#;

    fn facts() -> SchemaFacts {
        let document = parse_schema::<String>(SUPERGRAPH).unwrap().into_static();
        SchemaFacts::of(&document)
    }

    fn judge(query: &str) -> Option<Cacheable> {
        facts().judge(
            query,
            &HashSet::from(["Product".to_owned()]),
            &HashSet::from([
                "products".to_owned(),
                "categories".to_owned(),
                "cart".to_owned(),
            ]),
        )
    }

    #[test]
    fn an_entity_fetch_of_own_fields_and_value_objects_ends_with_its_entity() {
        let query = "query($representations:[_Any!]!,$currency:CurrencyCode){_entities(representations:$representations){...on Product{__typename name pricing(currency:$currency){price{amount currency} percentOff}}}}";
        assert_eq!(judge(query), Some(Cacheable::Entities(Scope::Entity)));
    }

    #[test]
    fn an_entity_fetch_reaching_another_entity_ends_at_any_change_of_its_subgraph() {
        for query in [
            "query($representations:[_Any!]!){_entities(representations:$representations){...on Product{category{name}}}}",
            "query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name recommendations{id name}}}}",
        ] {
            assert_eq!(
                judge(query),
                Some(Cacheable::Entities(Scope::Subgraph)),
                "{query}"
            );
        }
        let keys_only = "query($representations:[_Any!]!){_entities(representations:$representations){...on Product{recommendations(first:4){__typename id}}}}";
        assert_eq!(
            judge(keys_only),
            Some(Cacheable::Entities(Scope::Entity)),
            "related products named by key come from the entity's own document"
        );
    }

    #[test]
    fn configured_root_fields_are_cached_whole_and_anything_else_not_at_all() {
        assert_eq!(
            judge("{categories{name} products(first:8){id} __typename}"),
            Some(Cacheable::RootFields)
        );
        for query in [
            "query($representations:[_Any!]!){_entities(representations:$representations){...on Category{name}}}",
            "{categories{name} cart{id}}",
            "query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name wholesalePrice{amount}}}}",
            "mutation{clear{id}}",
            "query($representations:[_Any!]!){_entities(representations:$representations){...P}} fragment P on Product{name}",
            "{...on Query{categories{name}}}",
            "not graphql",
        ] {
            assert_eq!(judge(query), None, "{query}");
        }
    }

    #[test]
    fn representations_name_their_entity_or_the_fetch_is_not_cached() {
        let found = representations(
            br#"[{"__typename":"Product","id":"p1"},{"__typename":"Product","id":"p2","sku":"x"}]"#,
        )
        .unwrap();
        assert_eq!(found[1].id, "p2");
        assert_eq!(
            representations_text(found.iter()),
            br#"[{"__typename":"Product","id":"p1"},{"__typename":"Product","id":"p2","sku":"x"}]"#
        );
        assert!(representations(br#"[{"__typename":"Product","id":7}]"#).is_none());
        assert!(representations(br#"[{"id":"p1"}]"#).is_none());
    }

    #[test]
    fn an_answer_is_taken_apart_and_its_error_paths_follow_the_entities_asked() {
        let answer = EntitiesAnswer::parse(
            br#"{"data":{"_entities":[{"name":"a"},null]},"errors":[{"message":"gone","path":["_entities",1,"name"]}]}"#,
        )
        .unwrap();
        assert_eq!(answer.entities.as_ref().unwrap().len(), 2);
        let mut error = answer.errors[0].clone();
        remap_error_path(&mut error, &[2, 5]);
        assert_eq!(error["path"], serde_json::json!(["_entities", 5, "name"]));
        let body = entities_body(answer.entities, vec![error], None);
        let back: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(back["data"]["_entities"][0]["name"], "a");
        assert_eq!(back["errors"][0]["path"][1], 5);
    }
}
