//! One small fixture per change rule: a current and a proposed API schema that differ in just
//! that way, and the classification graphql-inspector's rule set gives it.

use hive_router::graphql_tools::{parser::schema::parse_schema, static_graphql::schema::Document};
use router::check::{Criticality, changes::compare};

const BASE: &str = r#"
schema { query: Query }
type Query {
  product(id: ID!): Product
  products(first: Int = 20, filter: ProductFilter): [Product!]!
  search(text: String): [SearchResult!]!
}
interface Node { id: ID! }
type Product implements Node {
  id: ID!
  name: String!
  "Free text."
  description: String
  tags: [String!]!
  stock: Int @deprecated(reason: "use availability")
  currency: Currency!
}
type Category { id: ID! name: String! }
union SearchResult = Product | Category
enum Currency { USD EUR GBP @deprecated }
input ProductFilter { category: String, minPrice: Int = 0 }
directive @cached(seconds: Int) on FIELD | QUERY
"#;

fn document(sdl: &str) -> Document {
    parse_schema::<String>(sdl)
        .unwrap_or_else(|err| panic!("fixture does not parse: {err}\n{sdl}"))
        .into_static()
}

/// The single change `edit` makes to the base schema.
fn only_change(edit: (&str, &str)) -> (Criticality, &'static str, String) {
    let (from, to) = edit;
    assert!(BASE.contains(from), "fixture edit `{from}` matches nothing");
    let proposed = BASE.replacen(from, to, 1);
    let changes = compare(&document(BASE), &document(&proposed));
    assert_eq!(
        changes.len(),
        1,
        "expected exactly one change for `{from}` -> `{to}`, got {changes:#?}"
    );
    let change = &changes[0];
    (change.criticality(), change.code(), change.coordinate())
}

use Criticality::{Breaking, Dangerous, Safe};

#[test]
fn identical_schemas_have_no_changes() {
    assert_eq!(compare(&document(BASE), &document(BASE)), vec![]);
}

#[test]
fn types() {
    let proposed = BASE
        .replacen("type Category { id: ID! name: String! }", "", 1)
        .replacen("= Product | Category", "= Product", 1);
    let changes = compare(&document(BASE), &document(&proposed));
    assert!(
        changes
            .iter()
            .any(|c| c.code() == "TYPE_REMOVED" && c.criticality() == Breaking)
    );
    assert_eq!(
        only_change(("type Category {", "type Brand { id: ID! }\ntype Category {")),
        (Safe, "TYPE_ADDED", "Brand".into())
    );
    assert_eq!(
        only_change((
            "type Category { id: ID! name: String! }",
            "interface Category { id: ID! name: String! }"
        )),
        (Breaking, "TYPE_KIND_CHANGED", "Category".into())
    );
}

#[test]
fn output_fields() {
    assert_eq!(
        only_change(("  name: String!\n", "")),
        (Breaking, "FIELD_REMOVED", "Product.name".into())
    );
    assert_eq!(
        only_change(("  name: String!\n", "  name: String!\n  weight: Int\n")),
        (Safe, "FIELD_ADDED", "Product.weight".into())
    );
    // Loosening nullability on output: clients may now receive null.
    assert_eq!(
        only_change(("  name: String!\n", "  name: String\n")),
        (Breaking, "FIELD_TYPE_CHANGED", "Product.name".into())
    );
    // Tightening it: clients only ever see what they already handled.
    assert_eq!(
        only_change(("  description: String\n", "  description: String!\n")),
        (Safe, "FIELD_TYPE_CHANGED", "Product.description".into())
    );
    assert_eq!(
        only_change(("  tags: [String!]!\n", "  tags: String!\n")),
        (Breaking, "FIELD_TYPE_CHANGED", "Product.tags".into())
    );
    assert_eq!(
        only_change(("  name: String!\n", "  name: ID!\n")),
        (Breaking, "FIELD_TYPE_CHANGED", "Product.name".into())
    );
}

#[test]
fn arguments() {
    assert_eq!(
        only_change(("product(id: ID!)", "product(id: ID!, locale: String!)")),
        (
            Breaking,
            "FIELD_ARGUMENT_ADDED",
            "Query.product(locale:)".into()
        )
    );
    assert_eq!(
        only_change(("product(id: ID!)", "product(id: ID!, locale: String)")),
        (
            Dangerous,
            "FIELD_ARGUMENT_ADDED",
            "Query.product(locale:)".into()
        )
    );
    assert_eq!(
        only_change((
            "product(id: ID!)",
            "product(id: ID!, locale: String! = \"en\")"
        ))
        .0,
        Dangerous
    );
    assert_eq!(
        only_change((
            "products(first: Int = 20, filter: ProductFilter)",
            "products(first: Int = 20)"
        )),
        (
            Breaking,
            "FIELD_ARGUMENT_REMOVED",
            "Query.products(filter:)".into()
        )
    );
    // Tightening an argument: values clients send today may be refused.
    assert_eq!(
        only_change(("search(text: String)", "search(text: String!)")),
        (
            Breaking,
            "FIELD_ARGUMENT_TYPE_CHANGED",
            "Query.search(text:)".into()
        )
    );
    // Loosening it: everything sent today is still accepted.
    assert_eq!(
        only_change(("product(id: ID!)", "product(id: ID)")),
        (
            Safe,
            "FIELD_ARGUMENT_TYPE_CHANGED",
            "Query.product(id:)".into()
        )
    );
    assert_eq!(
        only_change(("first: Int = 20", "first: Int = 50")),
        (
            Dangerous,
            "FIELD_ARGUMENT_DEFAULT_CHANGED",
            "Query.products(first:)".into()
        )
    );
}

#[test]
fn enums() {
    assert_eq!(
        only_change(("enum Currency { USD EUR GBP", "enum Currency { USD GBP")),
        (Breaking, "ENUM_VALUE_REMOVED", "Currency.EUR".into())
    );
    assert_eq!(
        only_change((
            "enum Currency { USD EUR GBP",
            "enum Currency { USD EUR JPY GBP"
        )),
        (Dangerous, "ENUM_VALUE_ADDED", "Currency.JPY".into())
    );
    assert_eq!(
        only_change(("{ USD EUR", "{ USD EUR @deprecated")),
        (Safe, "ENUM_VALUE_DEPRECATION_ADDED", "Currency.EUR".into())
    );
}

#[test]
fn unions_and_interfaces() {
    let proposed = BASE.replacen("= Product | Category", "= Product", 1);
    let changes = compare(&document(BASE), &document(&proposed));
    assert_eq!(
        changes
            .iter()
            .map(|c| (c.criticality(), c.code()))
            .collect::<Vec<_>>(),
        [(Breaking, "UNION_MEMBER_REMOVED")]
    );
    let proposed = BASE.replacen("type Category { id: ID! name: String! }\n", "", 1);
    let proposed = proposed.replacen("= Product | Category", "= Product", 1);
    let added_back = compare(&document(&proposed), &document(BASE));
    assert!(
        added_back
            .iter()
            .any(|c| (c.criticality(), c.code()) == (Dangerous, "UNION_MEMBER_ADDED"))
    );
    assert_eq!(
        only_change(("type Product implements Node {", "type Product {")),
        (Breaking, "OBJECT_TYPE_INTERFACE_REMOVED", "Product".into())
    );
    assert_eq!(
        only_change((
            "type Category { id: ID!",
            "type Category implements Node { id: ID!"
        )),
        (Dangerous, "OBJECT_TYPE_INTERFACE_ADDED", "Category".into())
    );
}

#[test]
fn input_fields() {
    assert_eq!(
        only_change((
            "{ category: String, minPrice: Int = 0 }",
            "{ category: String, minPrice: Int = 0, brand: String! }"
        )),
        (Breaking, "INPUT_FIELD_ADDED", "ProductFilter.brand".into())
    );
    assert_eq!(
        only_change((
            "{ category: String, minPrice: Int = 0 }",
            "{ category: String, minPrice: Int = 0, brand: String }"
        )),
        (Dangerous, "INPUT_FIELD_ADDED", "ProductFilter.brand".into())
    );
    assert_eq!(
        only_change(("{ category: String, minPrice", "{ minPrice")),
        (
            Breaking,
            "INPUT_FIELD_REMOVED",
            "ProductFilter.category".into()
        )
    );
    assert_eq!(
        only_change(("{ category: String,", "{ category: String!,")),
        (
            Breaking,
            "INPUT_FIELD_TYPE_CHANGED",
            "ProductFilter.category".into()
        )
    );
    assert_eq!(
        only_change(("minPrice: Int = 0", "minPrice: Int = 10")),
        (
            Dangerous,
            "INPUT_FIELD_DEFAULT_VALUE_CHANGED",
            "ProductFilter.minPrice".into()
        )
    );
}

#[test]
fn deprecations_and_descriptions() {
    assert_eq!(
        only_change(("  name: String!\n", "  name: String! @deprecated\n")),
        (Safe, "FIELD_DEPRECATION_ADDED", "Product.name".into())
    );
    assert_eq!(
        only_change((
            "  stock: Int @deprecated(reason: \"use availability\")\n",
            "  stock: Int\n"
        )),
        (
            Dangerous,
            "FIELD_DEPRECATION_REMOVED",
            "Product.stock".into()
        )
    );
    assert_eq!(
        only_change(("\"Free text.\"", "\"Free text, in the shop's language.\"")),
        (
            Safe,
            "FIELD_DESCRIPTION_CHANGED",
            "Product.description".into()
        )
    );
}

#[test]
fn directives_and_roots() {
    assert_eq!(
        only_change(("directive @cached(seconds: Int) on FIELD | QUERY", "")),
        (Breaking, "DIRECTIVE_REMOVED", "@cached".into())
    );
    assert_eq!(
        only_change(("on FIELD | QUERY", "on FIELD")),
        (Breaking, "DIRECTIVE_LOCATION_REMOVED", "@cached".into())
    );
    assert_eq!(
        only_change((
            "@cached(seconds: Int)",
            "@cached(seconds: Int, scope: String!)"
        )),
        (Breaking, "FIELD_ARGUMENT_ADDED", "@cached(scope:)".into())
    );
    assert_eq!(
        only_change((
            "directive @cached",
            "directive @live on QUERY\ndirective @cached"
        )),
        (Safe, "DIRECTIVE_ADDED", "@live".into())
    );
    let proposed = BASE
        .replacen("schema { query: Query }", "schema { query: RootQuery }", 1)
        .replacen("type Query {", "type RootQuery {", 1);
    let changes = compare(&document(BASE), &document(&proposed));
    assert!(
        changes
            .iter()
            .any(|c| (c.criticality(), c.code()) == (Breaking, "SCHEMA_ROOT_TYPE_CHANGED")),
        "{changes:#?}"
    );
}
