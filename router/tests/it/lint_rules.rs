//! Each schema lint rule on a subgraph SDL that breaks it and a near miss that does not, plus
//! severities from a config file and what counts as a new violation in a proposal.

use router::check::{
    lint::{LintConfig, Rule, Severity, Violation, lint, mark_existing},
    sdl::Sdl,
};

const LINK: &str =
    r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])"#;

fn violations(config: &LintConfig, sdl: &str) -> Vec<Violation> {
    let sdl = Sdl::parse(&format!("{LINK}\n{sdl}")).expect("fixture parses");
    lint(config, "shop", None, &sdl)
}

/// The coordinates where `rule` (at its default severity) fires in `sdl`.
fn fired(rule: Rule, sdl: &str) -> Vec<String> {
    violations(&LintConfig::default(), sdl)
        .into_iter()
        .filter(|v| v.rule == rule)
        .map(|v| v.coordinate)
        .collect()
}

const QUERY: &str = "type Query {\n  \"Described.\"\n  shop: Shop\n}\n";

#[test]
fn type_names_are_pascal_case() {
    let sdl = format!(
        "{QUERY}type Shop {{ id: ID! }}\ntype shop_item {{ id: ID! }}\nenum sort_order {{ ASC }}"
    );
    assert_eq!(
        fired(Rule::TypeNamesPascalCase, &sdl),
        ["shop_item", "sort_order"]
    );
}

#[test]
fn field_names_are_camel_case() {
    let sdl = format!(
        "{QUERY}type Shop {{ id: ID! openingHours: String Closing_time: String is_open: Boolean }}"
    );
    assert_eq!(
        fired(Rule::FieldNamesCamelCase, &sdl),
        ["Shop.Closing_time", "Shop.is_open"]
    );
}

#[test]
fn arguments_and_input_fields_are_camel_case() {
    let sdl = format!(
        "{QUERY}type Shop {{ items(firstN: Int, sort_by: String): [String!]! }}\ninput ShopFilter {{ minPrice: Int, Max_price: Int }}"
    );
    assert_eq!(
        fired(Rule::ArgumentNamesCamelCase, &sdl),
        ["Shop.items(sort_by:)", "ShopFilter.Max_price"]
    );
}

#[test]
fn enum_values_are_upper_case() {
    let sdl =
        format!("{QUERY}type Shop {{ id: ID! }}\nenum Sort {{ PRICE_ASC priceDesc NEWEST2 }}");
    assert_eq!(fired(Rule::EnumValuesUpperCase, &sdl), ["Sort.priceDesc"]);
}

#[test]
fn every_deprecation_says_why() {
    let sdl = format!(
        "{QUERY}type Shop {{ a: Int @deprecated(reason: \"Use b.\") b: Int @deprecated c: Int @deprecated(reason: \" \") }}\nenum Sort {{ OLD @deprecated NEW }}"
    );
    assert_eq!(
        fired(Rule::DeprecatedHasReason, &sdl),
        ["Shop.b", "Shop.c", "Sort.OLD"]
    );
}

#[test]
fn root_fields_are_described() {
    let sdl = "type Query {\n  \"Described.\"\n  shop: Shop\n  shops: [Shop!]!\n  internal: Int @inaccessible\n}\ntype Mutation { openShop: Shop }\ntype Shop { undescribed: Int }";
    assert_eq!(
        fired(Rule::RootFieldsDescribed, sdl),
        ["Query.shops", "Mutation.openShop"]
    );
    // A schema definition can name other root types.
    let renamed = "schema { query: Root }\ntype Root { shop: Shop }\ntype Query { notRoot: Int }\ntype Shop { id: ID! }";
    assert_eq!(fired(Rule::RootFieldsDescribed, renamed), ["Root.shop"]);
}

#[test]
fn fields_do_not_repeat_their_type_name() {
    let sdl = format!(
        "{QUERY}type Shop {{ shopName: String name: String shop: Shop workshop: String shopping: Boolean }}"
    );
    assert_eq!(
        fired(Rule::NoTypenamePrefix, &sdl),
        ["Shop.shopName", "Shop.shop"]
    );
}

#[test]
fn entities_keyed_by_id_have_an_id_typed_id() {
    let sdl = format!(
        "{QUERY}type Shop @key(fields: \"id\") {{ id: String! }}\ntype Item @key(fields: \"id\") {{ id: ID! }}\ntype Sku @key(fields: \"code\") {{ code: String! }}\ntype Lot @key(fields: \"id\") {{ id: ID }}"
    );
    assert_eq!(fired(Rule::KeyIdIsId, &sdl), ["Shop", "Lot"]);
}

#[test]
fn federation_machinery_is_not_linted() {
    let sdl = "type Query {\n  \"Described.\"\n  shop: Int\n  _service: _Service!\n}\ntype _Service { sdl: String }\nscalar link__Import\nenum link__Purpose { SECURITY EXECUTION }";
    assert_eq!(violations(&LintConfig::default(), sdl), vec![]);
}

#[test]
fn the_config_sets_each_rules_severity() {
    let sdl = format!("{QUERY}type Shop {{ shopName: String Bad_name: Int }}");
    let default = violations(&LintConfig::default(), &sdl);
    let severity =
        |found: &[Violation], rule| found.iter().find(|v| v.rule == rule).map(|v| v.severity);
    assert_eq!(
        severity(&default, Rule::NoTypenamePrefix),
        Some(Severity::Warn)
    );
    assert_eq!(
        severity(&default, Rule::FieldNamesCamelCase),
        Some(Severity::Error)
    );

    let config: LintConfig = serde_yaml::from_str(
        "rules:\n  no-typename-prefix: error\n  field-names-camel-case: off\n",
    )
    .expect("config parses");
    let configured = violations(&config, &sdl);
    assert_eq!(
        severity(&configured, Rule::NoTypenamePrefix),
        Some(Severity::Error)
    );
    assert_eq!(severity(&configured, Rule::FieldNamesCamelCase), None);

    let unknown = serde_yaml::from_str::<LintConfig>("rules:\n  no-such-rule: error\n");
    assert!(unknown.is_err(), "an unknown rule name is refused");
}

#[test]
fn rule_names_are_the_config_names() {
    for rule in Rule::ALL {
        let yaml = serde_yaml::to_string(&rule).expect("serializes");
        assert_eq!(yaml.trim(), rule.name());
    }
}

#[test]
fn a_proposal_is_judged_on_what_it_adds() {
    let current = violations(
        &LintConfig::default(),
        &format!("{QUERY}type Shop {{ Old_name: Int }}"),
    );
    let mut proposed = violations(
        &LintConfig::default(),
        &format!("{QUERY}type Shop {{ Old_name: Int New_name: Int }}"),
    );
    mark_existing(&mut proposed, &current);
    let existing: Vec<(&str, bool)> = proposed
        .iter()
        .map(|v| (v.coordinate.as_str(), v.existing))
        .collect();
    assert_eq!(
        existing,
        [("Shop.Old_name", true), ("Shop.New_name", false)]
    );
}
