//! Schema policy: lint rules over subgraph SDL, each with a severity a team sets in a config
//! file (`schema-lint.yaml`). Federation's own machinery (`_service`, `link__Import`, …) is
//! not the team's to name, so rules skip it.

use std::{collections::BTreeMap, fmt, path::Path};

use serde::{Deserialize, Serialize};

use super::{
    CheckFileError,
    inputs::{CheckRequest, read_yaml},
    model::{Lint, shown},
    sdl::{Element, ElementKind, Sdl, SdlError},
};
use crate::supergraph_config::SubgraphSchema;

/// One lint rule; its kebab-case name is what the config file and reports say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Type names are PascalCase (`ProductEdge`).
    TypeNamesPascalCase,
    /// Field names are camelCase (`imageUrl`).
    FieldNamesCamelCase,
    /// Argument and input field names are camelCase.
    ArgumentNamesCamelCase,
    /// Enum values are UPPER_CASE.
    EnumValuesUpperCase,
    /// Every `@deprecated` says why (and what to use instead).
    DeprecatedHasReason,
    /// Public fields of `Query`, `Mutation` and `Subscription` (not `@inaccessible`) have a
    /// description.
    RootFieldsDescribed,
    /// A field is not named after its own type (`Product.productName` is `Product.name`).
    NoTypenamePrefix,
    /// An entity keyed by `id` has `id: ID!`.
    KeyIdIsId,
}

impl Rule {
    pub const ALL: [Rule; 8] = [
        Rule::TypeNamesPascalCase,
        Rule::FieldNamesCamelCase,
        Rule::ArgumentNamesCamelCase,
        Rule::EnumValuesUpperCase,
        Rule::DeprecatedHasReason,
        Rule::RootFieldsDescribed,
        Rule::NoTypenamePrefix,
        Rule::KeyIdIsId,
    ];

    /// The name the config file and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Rule::TypeNamesPascalCase => "type-names-pascal-case",
            Rule::FieldNamesCamelCase => "field-names-camel-case",
            Rule::ArgumentNamesCamelCase => "argument-names-camel-case",
            Rule::EnumValuesUpperCase => "enum-values-upper-case",
            Rule::DeprecatedHasReason => "deprecated-has-reason",
            Rule::RootFieldsDescribed => "root-fields-described",
            Rule::NoTypenamePrefix => "no-typename-prefix",
            Rule::KeyIdIsId => "key-id-is-id",
        }
    }

    /// The severity a rule has when the config does not set one.
    pub fn default_severity(self) -> Severity {
        match self {
            Rule::TypeNamesPascalCase
            | Rule::FieldNamesCamelCase
            | Rule::ArgumentNamesCamelCase
            | Rule::EnumValuesUpperCase
            | Rule::DeprecatedHasReason
            | Rule::KeyIdIsId => Severity::Error,
            Rule::RootFieldsDescribed | Rule::NoTypenamePrefix => Severity::Warn,
        }
    }

    /// What `element` breaks of this rule, in words, if anything.
    fn violation(self, element: &Element, context: &Context<'_>) -> Option<String> {
        let name = element.name.as_str();
        match (self, element.kind) {
            (Rule::TypeNamesPascalCase, ElementKind::Type(kind)) if !is_pascal_case(name) => {
                Some(format!("{kind} type `{name}` is not PascalCase"))
            }
            (Rule::FieldNamesCamelCase, ElementKind::Field) if !is_camel_case(name) => {
                Some(format!("field `{}` is not camelCase", element.coordinate))
            }
            (Rule::ArgumentNamesCamelCase, ElementKind::Argument | ElementKind::InputField)
                if !is_camel_case(name) =>
            {
                Some(format!("`{}` is not camelCase", element.coordinate))
            }
            (Rule::EnumValuesUpperCase, ElementKind::EnumValue) if !is_upper_case(name) => Some(
                format!("enum value `{}` is not UPPER_CASE", element.coordinate),
            ),
            (Rule::DeprecatedHasReason, _) => {
                let deprecated = element
                    .directives
                    .iter()
                    .find(|directive| directive.name == "deprecated")?;
                match deprecated.string_argument("reason") {
                    Some(reason) if !reason.trim().is_empty() => None,
                    _ => Some(format!(
                        "`{}` is @deprecated without a reason",
                        element.coordinate
                    )),
                }
            }
            (Rule::RootFieldsDescribed, ElementKind::Field)
                if element
                    .parent
                    .as_deref()
                    .is_some_and(|p| context.sdl.is_root(p))
                    && !element.directives.iter().any(|d| d.name == "inaccessible")
                    && element
                        .description
                        .as_deref()
                        .is_none_or(|d| d.trim().is_empty()) =>
            {
                Some(format!(
                    "root field `{}` has no description",
                    element.coordinate
                ))
            }
            (Rule::NoTypenamePrefix, ElementKind::Field) => {
                let parent = element.parent.as_deref()?;
                (!context.sdl.is_root(parent) && repeats_type_name(name, parent)).then(|| {
                    format!(
                        "field `{}` repeats its type's name `{parent}`",
                        element.coordinate
                    )
                })
            }
            (Rule::KeyIdIsId, ElementKind::Type(_)) if keyed_by_id(element) => {
                let id = context.field(&format!("{name}.id"))?;
                let id_type = id.value_type.as_deref().unwrap_or_default();
                (id_type != "ID!").then(|| {
                    format!("entity `{name}` is keyed by `id`, but `id` is {id_type}, not ID!")
                })
            }
            _ => None,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How much a rule's violation matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Not checked.
    Off,
    /// Reported; the check still passes.
    Warn,
    /// Fails the check.
    Error,
}

/// The lint config file: a severity per rule; rules left out keep their default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    #[serde(default)]
    pub rules: BTreeMap<Rule, Severity>,
}

impl LintConfig {
    pub fn load(path: &Path) -> Result<Self, CheckFileError> {
        let rules = Rule::ALL.map(Rule::name).join(", ");
        read_yaml(
            path,
            &format!("expected `rules:` mapping rule names to off, warn or error (rules: {rules})"),
        )
    }

    pub fn severity(&self, rule: Rule) -> Severity {
        self.rules
            .get(&rule)
            .copied()
            .unwrap_or_else(|| rule.default_severity())
    }
}

/// One rule broken at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: Rule,
    pub severity: Severity,
    pub subgraph: String,
    pub coordinate: String,
    pub message: String,
    /// The SDL file, when the schema came from one.
    pub file: Option<String>,
    pub line: usize,
    pub column: usize,
    /// Whether the current schema already had it (a proposal is not failed for it).
    pub existing: bool,
}

/// What the rules need to know about the whole document.
struct Context<'d> {
    sdl: &'d Sdl,
}

impl Context<'_> {
    fn field(&self, coordinate: &str) -> Option<&Element> {
        self.sdl
            .elements()
            .iter()
            .find(|e| e.kind == ElementKind::Field && e.coordinate == coordinate)
    }
}

/// Whether a type carries `@key(fields: "id")`.
fn keyed_by_id(element: &Element) -> bool {
    element.directives.iter().any(|directive| {
        directive.name == "key"
            && directive
                .string_argument("fields")
                .is_some_and(|fields| fields.trim() == "id")
    })
}

/// Lints every subgraph, or for a proposal the proposed SDL, marking what the current SDL of
/// that subgraph already broke.
pub fn subgraphs(
    request: &CheckRequest,
    config: &LintConfig,
    current: &[SubgraphSchema],
    candidate: &[(&SubgraphSchema, &Result<Sdl, SdlError>)],
) -> Lint {
    let linted = candidate.iter().filter(|(subgraph, _)| {
        request
            .proposal
            .as_ref()
            .is_none_or(|proposal| proposal.subgraph == subgraph.name)
    });
    let mut linted_report = Lint {
        subgraphs: Vec::new(),
        all: request.lint_all,
        violations: Vec::new(),
    };
    for (subgraph, sdl) in linted {
        // Unparseable SDL is already a composition error (INVALID_GRAPHQL).
        let Ok(sdl) = sdl else { continue };
        linted_report.subgraphs.push(subgraph.name.clone());
        let mut found = lint(config, &subgraph.name, subgraph.file.as_deref(), sdl);
        if request.proposal.is_some() {
            let before = current
                .iter()
                .find(|old| old.name == subgraph.name)
                .and_then(|old| Sdl::parse(&old.sdl).ok())
                .map(|old| lint(config, &subgraph.name, None, &old))
                .unwrap_or_default();
            mark_existing(&mut found, &before);
        }
        linted_report.violations.extend(found);
    }
    linted_report
}

/// Every violation of an enabled rule in `sdl`.
pub fn lint(config: &LintConfig, subgraph: &str, file: Option<&Path>, sdl: &Sdl) -> Vec<Violation> {
    let context = Context { sdl };
    let mut violations = Vec::new();
    for element in sdl
        .elements()
        .iter()
        .filter(|e| !is_federation_machinery(e))
    {
        for rule in Rule::ALL {
            let severity = config.severity(rule);
            if severity == Severity::Off {
                continue;
            }
            if let Some(message) = rule.violation(element, &context) {
                violations.push(Violation {
                    rule,
                    severity,
                    subgraph: subgraph.to_owned(),
                    coordinate: element.coordinate.clone(),
                    message,
                    file: file.map(shown),
                    line: element.line,
                    column: element.column,
                    existing: false,
                });
            }
        }
    }
    violations
}

/// Marks the violations of `proposed` that `current` already had (same rule, same place).
pub fn mark_existing(proposed: &mut [Violation], current: &[Violation]) {
    for violation in proposed {
        violation.existing = current
            .iter()
            .any(|old| old.rule == violation.rule && old.coordinate == violation.coordinate);
    }
}

/// Federation and link-spec definitions, and the `_service`/`_entities` fields.
fn is_federation_machinery(element: &Element) -> bool {
    let type_name = element
        .parent
        .as_deref()
        .map_or(element.coordinate.as_str(), |parent| {
            parent.split('.').next().unwrap_or(parent)
        });
    // Federation 1 SDL declares its field-set scalar unprefixed.
    let federation_scalar = element.kind == ElementKind::Type("scalar")
        && matches!(type_name, "FieldSet" | "_FieldSet");
    type_name.starts_with('_')
        || type_name.contains("__")
        || federation_scalar
        || element.name.starts_with('_')
}

/// `productName` or `product` on `Product`; not `username` on `User` (the type's name must be a
/// whole word of the field's).
fn repeats_type_name(field: &str, type_name: &str) -> bool {
    let prefix = type_name.len();
    field.len() >= prefix
        && field.is_char_boundary(prefix)
        && field[..prefix].eq_ignore_ascii_case(type_name)
        && field[prefix..]
            .chars()
            .next()
            .is_none_or(|c| c.is_ascii_uppercase())
}

fn is_pascal_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_camel_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_upper_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
