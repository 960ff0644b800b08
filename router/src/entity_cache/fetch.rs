//! Which subgraph fetches the entity cache may answer, and how answers are taken apart and put
//! back together. A fetch is cacheable when it is an `_entities` query for configured types
//! whose selection reads only the entity's own document: nested fields may return value
//! objects (`Money`, `ProductPricing`) but never another entity, whose changes would be
//! announced under that entity's name, not this one's.

use std::{
    collections::{HashMap, HashSet},
    hash::{DefaultHasher, Hash, Hasher},
};

use hive_router::graphql_tools::{
    parser::{parse_query, query, schema},
    static_graphql::schema::Document as SupergraphDocument,
};
use serde_json::Value;

/// What the supergraph says about types, for judging a fetch's selection.
#[derive(Debug, Default)]
pub struct SchemaFacts {
    /// Types with a federation key (`@join__type(key: …)`): entities.
    entities: HashSet<String>,
    /// Each object or interface field's named return type.
    field_types: HashMap<(String, String), String>,
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
            for field in fields {
                facts.field_types.insert(
                    (name.clone(), field.name.clone()),
                    named_type(&field.field_type).to_owned(),
                );
            }
        }
        facts
    }

    /// Whether `query` is an `_entities` fetch for `types` only, reading nothing but each
    /// entity's own fields.
    pub fn is_cacheable_entity_fetch(&self, query: &str, types: &HashSet<String>) -> bool {
        let Ok(document) = parse_query::<String>(query) else {
            return false;
        };
        let [query::Definition::Operation(query::OperationDefinition::Query(operation))] =
            document.definitions.as_slice()
        else {
            return false;
        };
        let [query::Selection::Field(entities)] = operation.selection_set.items.as_slice() else {
            return false;
        };
        if entities.name != "_entities" || entities.alias.is_some() {
            return false;
        }
        entities
            .selection_set
            .items
            .iter()
            .all(|selection| match selection {
                query::Selection::Field(field) => field.name == "__typename",
                query::Selection::InlineFragment(fragment) => match &fragment.type_condition {
                    Some(query::TypeCondition::On(typename)) => {
                        types.contains(typename)
                            && self.reads_only_its_own(typename, &fragment.selection_set)
                    }
                    None => false,
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
                !self.entities.contains(returns)
                    && self.reads_only_its_own(returns, &field.selection_set)
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
          recommendations(first: Int = 4): [Product!]!
        }
        type Category @join__type(graph: CATALOG, key: "id") { id: ID! name: String! }
        type ProductPricing @join__type(graph: PRICING) { price: Money! percentOff: Int! }
        type Money @join__type(graph: PRICING) { amount: String! currency: CurrencyCode! }
        enum CurrencyCode { USD EUR }
    "#;

    fn facts() -> SchemaFacts {
        let document = parse_schema::<String>(SUPERGRAPH).unwrap().into_static();
        SchemaFacts::of(&document)
    }

    fn products() -> HashSet<String> {
        HashSet::from(["Product".to_owned()])
    }

    #[test]
    fn an_entity_fetch_of_own_fields_and_value_objects_is_cacheable() {
        let query = "query($representations:[_Any!]!,$currency:CurrencyCode){_entities(representations:$representations){...on Product{__typename name pricing(currency:$currency){price{amount currency} percentOff}}}}";
        assert!(facts().is_cacheable_entity_fetch(query, &products()));
    }

    #[test]
    fn a_selection_reaching_another_entity_or_an_unlisted_type_is_not() {
        let facts = facts();
        for query in [
            "query($representations:[_Any!]!){_entities(representations:$representations){...on Product{category{name}}}}",
            "query($representations:[_Any!]!){_entities(representations:$representations){...on Product{recommendations{id}}}}",
            "query($representations:[_Any!]!){_entities(representations:$representations){...on Category{name}}}",
            "query{product{name}}",
            "mutation{clear{id}}",
            "query($representations:[_Any!]!){_entities(representations:$representations){...P}} fragment P on Product{name}",
            "not graphql",
        ] {
            assert!(
                !facts.is_cacheable_entity_fetch(query, &products()),
                "{query}"
            );
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
