//! Federation 2 rules that upstream graphql-composition got wrong and our fork fixes
//! (vendor/graphql-composition/PATCHES.md): each schema Apollo Federation accepts now composes
//! to the supergraph a router needs, and each near miss Apollo refuses is still refused; and
//! the rules upstream lacks, each refusing what Apollo refuses (with Apollo's code) while its
//! near miss composes. `e2e/tests/e2e/composition_parity.rs` checks the codes against
//! `@apollo/composition` itself.

use crate::subgraphs::{composed, refused_with, subgraph};

/// The line of the supergraph SDL that declares `type_name` with its join directives.
fn type_declaration<'a>(sdl: &'a str, keyword: &str, type_name: &str) -> &'a str {
    let start = sdl
        .find(&format!("{keyword} {type_name} "))
        .unwrap_or_else(|| panic!("no {keyword} {type_name} in:\n{sdl}"));
    let end = sdl[start..].find('{').map_or(sdl.len(), |end| start + end);
    &sdl[start..end]
}

#[test]
fn an_entity_in_one_subgraph_may_be_a_value_type_in_another() {
    let supergraph = composed(&[
        subgraph(
            "agency",
            r#"type Agency @key(fields: "id") { id: ID! name: String @shareable } type Query { agency: Agency }"#,
        ),
        subgraph(
            "products",
            r#"type Agency { id: ID! @shareable name: String @shareable } type Query { featured: Agency }"#,
        ),
    ]);
    let agency = type_declaration(&supergraph.sdl, "type", "Agency");
    assert!(
        agency.contains(r#"@join__type(graph: AGENCY, key: "id")"#),
        "{agency}"
    );
    assert!(agency.contains("@join__type(graph: PRODUCTS)"), "{agency}");
}

#[test]
fn an_output_field_may_return_a_subtype_in_one_subgraph() {
    let supergraph = composed(&[
        subgraph(
            "a",
            r#"type Book @shareable { title: String } type Query { media: Book @shareable }"#,
        ),
        subgraph(
            "b",
            r#"type Book @shareable { title: String } type Movie { title: String } union Media = Book | Movie type Query { media: Media @shareable }"#,
        ),
    ]);
    let media = supergraph
        .sdl
        .lines()
        .find(|line| line.trim_start().starts_with("media:"))
        .expect("Query.media in the supergraph");
    assert!(media.trim_start().starts_with("media: Media "), "{media}");
    assert!(
        media.contains(r#"@join__field(graph: A, type: "Book")"#),
        "{media}"
    );
}

#[test]
fn a_field_is_not_widened_beyond_the_interface_it_implements() {
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"interface HasMedia { media: Book } type Book @shareable { title: String } type Shelf implements HasMedia @shareable { media: Book } type Query { shelf: Shelf @shareable }"#,
        ),
        subgraph(
            "b",
            r#"type Book @shareable { title: String } type Movie { title: String } union Media = Book | Movie type Shelf @shareable { media: Media } type Query { shelf: Shelf @shareable }"#,
        ),
    ]);
    // Apollo finds this when it validates the composed schema: INVALID_GRAPHQL.
    assert_eq!(issue.code, "INVALID_GRAPHQL", "{issue:?}");
    assert_eq!(
        issue.coordinate.as_deref(),
        Some("Shelf.media"),
        "{issue:?}"
    );
}

#[test]
fn unrelated_output_types_are_still_refused() {
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"type Book { title: String } type Query { media: Book @shareable }"#,
        ),
        subgraph(
            "b",
            r#"type Movie { title: String } type Query { media: Movie @shareable }"#,
        ),
    ]);
    assert_eq!(issue.code, "FIELD_TYPE_MISMATCH", "{issue:?}");
}

#[test]
fn an_inaccessible_enum_value_may_be_missing_elsewhere_when_the_enum_is_input_and_output() {
    let supergraph = composed(&[
        subgraph(
            "a",
            r#"enum Kind { REGULAR } type Query { kind: Kind @shareable }"#,
        ),
        subgraph(
            "b",
            r#"enum Kind { REGULAR ANONYMOUS @inaccessible } type Query { kind: Kind @shareable byKind(kind: Kind!): Int }"#,
        ),
    ]);
    assert!(
        supergraph
            .sdl
            .contains("ANONYMOUS @inaccessible @join__enumValue(graph: B)")
    );
    let api_kind = type_declaration(&supergraph.api_sdl, "enum", "Kind");
    let api_kind_body = &supergraph.api_sdl[supergraph.api_sdl.find(api_kind).unwrap()..];
    let api_kind_body = &api_kind_body[..api_kind_body.find('}').unwrap()];
    assert!(api_kind_body.contains("REGULAR"), "{api_kind_body}");
    assert!(!api_kind_body.contains("ANONYMOUS"), "{api_kind_body}");
}

#[test]
fn an_accessible_enum_value_missing_elsewhere_is_still_refused() {
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"enum Kind { REGULAR } type Query { kind: Kind @shareable }"#,
        ),
        subgraph(
            "b",
            r#"enum Kind { REGULAR ANONYMOUS } type Query { kind: Kind @shareable byKind(kind: Kind!): Int }"#,
        ),
    ]);
    assert_eq!(issue.code, "ENUM_VALUE_MISMATCH", "{issue:?}");
}

#[test]
fn fields_inside_a_nested_key_are_implicitly_shareable() {
    let nested_key = r#"type Item @key(fields: "id { one two }") { id: CompositeId! name: String @shareable } type CompositeId { one: ID! two: ID! }"#;
    composed(&[
        subgraph("a", &format!("{nested_key} type Query {{ a: Item }}")),
        subgraph("b", &format!("{nested_key} type Query {{ b: Item }}")),
    ]);
}

#[test]
fn value_type_fields_outside_any_key_still_need_shareable() {
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"type Dimensions { width: Int } type Query { a: Dimensions }"#,
        ),
        subgraph(
            "b",
            r#"type Dimensions { width: Int } type Query { b: Dimensions }"#,
        ),
    ]);
    assert_eq!(issue.code, "INVALID_FIELD_SHARING", "{issue:?}");
}

#[test]
fn a_shareable_entity_need_not_define_every_field_everywhere() {
    composed(&[
        subgraph(
            "a",
            r#"type Product @key(fields: "id") @shareable { id: ID! } type Query { product: Product }"#,
        ),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") @shareable { id: ID! name: String }"#,
        ),
    ]);
}

#[test]
fn a_shareable_entity_missing_a_field_and_its_key_is_still_refused() {
    // `b` returns products it cannot identify, so `id` (only in `a`) cannot be fetched for them.
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"type Product @key(fields: "id") @shareable { id: ID! name: String } type Query { a: Product }"#,
        ),
        subgraph(
            "b",
            r#"type Product @shareable { name: String } type Query { b: Product }"#,
        ),
    ]);
    assert!(issue.message.contains("[b]"), "{issue:?}");
    assert!(
        issue.message.contains("missing the `id` field"),
        "{issue:?}"
    );
}

#[test]
fn a_field_only_behind_an_unresolvable_key_is_still_refused() {
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"type Product @key(fields: "id", resolvable: false) @shareable { id: ID! name: String } type Query { a: Product }"#,
        ),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") @shareable { id: ID! } type Query { b: Product }"#,
        ),
    ]);
    assert!(
        issue.message.contains("missing the `name` field"),
        "{issue:?}"
    );
}

#[test]
fn a_shareable_value_type_must_still_define_every_field_everywhere() {
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"type Dimensions @shareable { width: Int } type Query { a: Dimensions }"#,
        ),
        subgraph(
            "b",
            r#"type Dimensions @shareable { width: Int height: Int } type Query { b: Dimensions }"#,
        ),
    ]);
    assert!(
        issue.message.contains("missing the `height` field"),
        "{issue:?}"
    );
}

/// Federation v2.9 subgraphs import `@cost` and `@listSize` from the federation spec (upstream
/// knew them only unimported, and dropped them as unknown): they reach the supergraph under the
/// cost spec's link, with `@authenticated` and `@requiresScopes` under theirs, which is where
/// Hive Router reads them for demand control and authorization.
#[test]
fn imported_cost_list_size_and_authorization_directives_reach_the_supergraph() {
    let sdl = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize", "@authenticated", "@requiresScopes"])
type Query {
  items(first: Int = 10, search: String @cost(weight: 7)): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
  mine: [Item!]! @authenticated @listSize(assumedSize: 5)
}
type Mutation { buy(id: ID!): Item! @requiresScopes(scopes: [["shop:write"]]) }
type Item @key(fields: "id") { id: ID! price: Int! @cost(weight: 3) }"#;
    let supergraph = composed(&[router::supergraph_config::SubgraphSchema {
        name: "shop".to_owned(),
        routing_url: "http://shop.example/graphql".to_owned(),
        sdl: sdl.to_owned(),
        file: None,
    }]);
    let sdl = &supergraph.sdl;
    for expected in [
        r#"search: String @cost(weight: 7)"#,
        r#"@listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)"#,
        r#"mine: [Item!]! @listSize(assumedSize: 5) @authenticated"#,
        r#"@requiresScopes(scopes: [["shop:write"]])"#,
        r#"price: Int! @cost(weight: 3)"#,
        r#"@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])"#,
        r#"@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)"#,
        r#"@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)"#,
        "directive @listSize(",
        "scalar requiresScopes__Scope",
    ] {
        assert!(sdl.contains(expected), "missing `{expected}` in:\n{sdl}");
    }
}

/// A supergraph that uses none of them links none of those specs.
#[test]
fn specs_are_linked_only_when_used() {
    let supergraph = composed(&[subgraph("plain", "type Query { a: Int }")]);
    for spec in [
        "cost/",
        "authenticated/",
        "requiresScopes/",
        "inaccessible/",
    ] {
        assert!(
            !supergraph.sdl.contains(spec),
            "{spec} linked:\n{}",
            supergraph.sdl
        );
    }
}

const PRODUCT_IN_A: &str = r#"type Query { product: Product } type Product @key(fields: "id") { id: ID! name: String @shareable weight: Int @shareable }"#;

#[test]
fn an_override_of_a_field_that_itself_overrides_is_refused() {
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"type Query { product: Product } type Product @key(fields: "id") { id: ID! name: String @override(from: "b") }"#,
        ),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") { id: ID! name: String @override(from: "a") }"#,
        ),
    ]);
    assert_eq!(issue.code, "OVERRIDE_SOURCE_HAS_OVERRIDE", "{issue:?}");
    composed(&[
        subgraph(
            "a",
            r#"type Query { product: Product } type Product @key(fields: "id") { id: ID! name: String @override(from: "b") }"#,
        ),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") { id: ID! name: String }"#,
        ),
    ]);
}

#[test]
fn override_labels_follow_apollos_grammar() {
    let with_label = |label: &str| {
        [
            subgraph(
                "a",
                &format!(
                    r#"type Query {{ product: Product }} type Product @key(fields: "id") {{ id: ID! name: String @override(from: "b", label: "{label}") }}"#
                ),
            ),
            subgraph(
                "b",
                r#"type Product @key(fields: "id") { id: ID! name: String }"#,
            ),
        ]
    };
    for bad in [
        "percent(120)",
        "percent(-1)",
        "percent(1.123456789)",
        "2fast",
        "with space",
    ] {
        let issue = refused_with(&with_label(bad));
        assert_eq!(issue.code, "OVERRIDE_LABEL_INVALID", "{bad}: {issue:?}");
    }
    for good in [
        "percent(25)",
        "percent(0.5)",
        "percent(100)",
        "canary-2:eu.west_1",
    ] {
        composed(&with_label(good));
    }
}

#[test]
fn a_field_external_everywhere_is_refused() {
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"type Query { product: Product } type Product @key(fields: "id") { id: ID! }"#,
        ),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") { id: ID! weight: Int @external shipping: Int @requires(fields: "weight") }"#,
        ),
    ]);
    assert_eq!(issue.code, "EXTERNAL_MISSING_ON_BASE", "{issue:?}");
    composed(&[
        subgraph("a", PRODUCT_IN_A),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") { id: ID! weight: Int @external shipping: Int @requires(fields: "weight") }"#,
        ),
    ]);
}

#[test]
fn an_external_field_nothing_uses_is_refused() {
    let issue = refused_with(&[
        subgraph("a", PRODUCT_IN_A),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") { id: ID! name: String @external }"#,
        ),
    ]);
    assert_eq!(issue.code, "EXTERNAL_UNUSED", "{issue:?}");
    assert_eq!(issue.coordinate.as_deref(), Some("Product.name"));
    // Used by a @provides (of another subgraph's entity), it has a purpose.
    composed(&[
        subgraph("a", PRODUCT_IN_A),
        subgraph(
            "b",
            r#"type Query { featured: Product @provides(fields: "name") } type Product @key(fields: "id") { id: ID! name: String @external }"#,
        ),
    ]);
}

#[test]
fn requires_and_provides_select_only_external_leaves() {
    let issue = refused_with(&[
        subgraph("a", PRODUCT_IN_A),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") { id: ID! weight: Int @shareable shipping: Int @requires(fields: "weight") }"#,
        ),
    ]);
    assert_eq!(issue.code, "REQUIRES_FIELDS_MISSING_EXTERNAL", "{issue:?}");
    let issue = refused_with(&[
        subgraph("a", PRODUCT_IN_A),
        subgraph(
            "b",
            r#"type Query { featured: Product @provides(fields: "name") } type Product @key(fields: "id") { id: ID! name: String @shareable }"#,
        ),
    ]);
    assert_eq!(issue.code, "PROVIDES_FIELDS_MISSING_EXTERNAL", "{issue:?}");
    // Under an @external field, the value's own fields need no marking.
    composed(&[
        subgraph(
            "a",
            r#"type Query { product: Product } type Product @key(fields: "id") { id: ID! size: Size @shareable } type Size @shareable { width: Int height: Int }"#,
        ),
        subgraph(
            "b",
            r#"type Product @key(fields: "id") { id: ID! size: Size @external area: Int @requires(fields: "size { width height }") } type Size @shareable { width: Int height: Int }"#,
        ),
    ]);
}

#[test]
fn keys_select_no_arguments_and_no_abstract_types() {
    let issue = refused_with(&[subgraph(
        "a",
        r#"type Query { product: Product } type Product @key(fields: "id") { id(format: String): ID! }"#,
    )]);
    assert_eq!(issue.code, "KEY_FIELDS_HAS_ARGS", "{issue:?}");
    let issue = refused_with(&[subgraph(
        "a",
        r#"type Query { product: Product } type Product @key(fields: "owner { id }") { owner: Node! } interface Node { id: ID! } type User implements Node { id: ID! }"#,
    )]);
    assert_eq!(issue.code, "KEY_FIELDS_SELECT_INVALID_TYPE", "{issue:?}");
    composed(&[subgraph(
        "a",
        r#"type Query { product: Product } type Product @key(fields: "owner { id }") { owner: User! } type User { id: ID! }"#,
    )]);
}

#[test]
fn a_field_no_query_can_reach_is_unsatisfiable() {
    let reviews_without_key = r#"type Review { id: ID! body: String } type Product { id: ID! @shareable reviews: [Review] }"#;
    let issue = refused_with(&[
        subgraph(
            "a",
            r#"type Query { product: Product } type Product @key(fields: "id") { id: ID! }"#,
        ),
        subgraph("b", reviews_without_key),
    ]);
    assert_eq!(issue.code, "SATISFIABILITY_ERROR", "{issue:?}");
    assert_eq!(
        issue.coordinate.as_deref(),
        Some("Product.reviews"),
        "{issue:?}"
    );
    // With a key, the planner can enter b at Product: reachable.
    composed(&[
        subgraph(
            "a",
            r#"type Query { product: Product } type Product @key(fields: "id") { id: ID! }"#,
        ),
        subgraph(
            "b",
            r#"type Review { id: ID! body: String } type Product @key(fields: "id") { id: ID! reviews: [Review] }"#,
        ),
    ]);
    // So can a root field of b's own.
    composed(&[
        subgraph(
            "a",
            r#"type Query { product: Product } type Product @key(fields: "id") { id: ID! }"#,
        ),
        subgraph(
            "b",
            r#"type Query { top: Product @shareable } type Review { id: ID! body: String } type Product { id: ID! @shareable reviews: [Review] }"#,
        ),
    ]);
}
