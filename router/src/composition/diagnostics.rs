//! Composition failures in the terms federation users know: each with Apollo Federation's
//! composition error code (our graphql-composition fork attaches it where the rule is checked),
//! the subgraphs and the schema coordinate it concerns, and a one-line explanation of the rule.

use std::sync::LazyLock;

use graphql_composition::diagnostics::FederationErrorCode;
use regex::Regex;
use serde::Serialize;

/// One reason composition failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositionIssue {
    /// Apollo Federation's error code for this rule (`KEY_INVALID_FIELDS`, …), or
    /// `COMPOSITION_ERROR` for the library's own rules Federation has no code for.
    pub code: &'static str,
    /// The subgraphs the message names, in the order it names them.
    pub subgraphs: Vec<String>,
    /// The type or field concerned (`Product`, `Product.sku`, `Query.product(id:)`).
    pub coordinate: Option<String>,
    /// The rule, in one line.
    pub explanation: &'static str,
    /// What the composition library said.
    pub message: String,
}

impl CompositionIssue {
    /// Where it is, in words: the subgraphs, then the coordinate (`catalog, pricing · Product.name`).
    pub fn place(&self) -> String {
        let mut place = self.subgraphs.join(", ");
        if let Some(coordinate) = &self.coordinate {
            if !place.is_empty() {
                place.push_str(" · ");
            }
            place.push_str(coordinate);
        }
        place
    }

    /// A subgraph schema that is not valid GraphQL SDL, as Apollo's composition reports it.
    pub fn invalid_graphql(subgraph: &str, message: String) -> Self {
        CompositionIssue {
            code: FederationErrorCode::InvalidGraphql.as_str(),
            subgraphs: vec![subgraph.to_owned()],
            coordinate: None,
            explanation: explanation(FederationErrorCode::InvalidGraphql),
            message,
        }
    }
}

/// The rule behind `code`, in one line.
fn explanation(code: FederationErrorCode) -> &'static str {
    use FederationErrorCode as C;
    match code {
        C::KeyInvalidFields => {
            "a @key's fields must select existing fields (and arguments) of the type"
        }
        C::KeyFieldsSelectInvalidType => "a @key cannot select fields of interface or union type",
        C::KeyFieldsHasArgs => "a @key cannot select fields that take arguments",
        C::RequiresInvalidFields => {
            "a @requires's fields must select existing fields of the parent type"
        }
        C::RequiresFieldsMissingExternal => "the fields a @requires selects must be @external",
        C::ProvidesInvalidFields => {
            "a @provides's fields must select existing fields of the returned type"
        }
        C::ProvidesFieldsMissingExternal => "the fields a @provides selects must be @external",
        C::ProvidesOnNonObjectField => {
            "@provides only applies to fields returning an object, interface or union"
        }
        C::ProvidesDirectiveInFieldsArg => {
            "the selection in @provides(fields:) cannot carry directives"
        }
        C::ExternalCollisionWithAnotherDirective => {
            "an @external field cannot also carry @provides"
        }
        C::ExternalMissingOnBase => {
            "an @external field must be defined (not @external) in some other subgraph"
        }
        C::ExternalUnused => "an @external field must be used by a @key, @requires or @provides",
        C::ExternalTypeMismatch => {
            "an @external field must have the type the defining subgraph gives it"
        }
        C::TypeKindMismatch => {
            "a type must be the same kind (object, interface, enum, …) in every subgraph"
        }
        C::InvalidFieldSharing => {
            "a field resolved by several subgraphs must be @shareable (and never on Subscription)"
        }
        C::InvalidShareableUsage => "@shareable is not allowed on interface fields",
        C::FieldTypeMismatch => {
            "a field shared by subgraphs must have compatible types in all of them"
        }
        C::FieldArgumentTypeMismatch => {
            "an argument must have the same type wherever its field is defined"
        }
        C::FieldArgumentDefaultMismatch => {
            "an argument's default value must agree in every subgraph defining it"
        }
        C::RequiredArgumentMissingInSomeSubgraph => {
            "a required argument must be declared wherever its field is defined"
        }
        C::RequiredInputFieldMissingInSomeSubgraph => {
            "a required input field must be declared in every subgraph defining the input type"
        }
        C::ReferencedInaccessible => {
            "an element whose type is @inaccessible must be @inaccessible too"
        }
        C::QueryRootTypeInaccessible => "the Query root type cannot be @inaccessible",
        C::EmptyMergedEnumType => {
            "an enum used only as input keeps the values common to all subgraphs, and none are"
        }
        C::EnumValueMismatch => {
            "an enum used as both input and output must have the same values in every subgraph"
        }
        C::InterfaceFieldNoImplem => {
            "every implementation of an interface must define the interface's fields"
        }
        C::InterfaceKeyMissingImplementationType => {
            "a subgraph with a resolvable key on an interface must define all its implementations"
        }
        C::InterfaceKeyNotOnImplementation => {
            "implementations of an entity interface must have the interface's @key"
        }
        C::InterfaceObjectUsageError => {
            "@interfaceObject types must mirror an entity interface with the same @key"
        }
        C::OverrideFromSelfError => "@override(from:) must name another subgraph",
        C::OverrideSourceHasOverride => {
            "a field cannot be overridden from a subgraph that itself overrides it"
        }
        C::OverrideLabelInvalid => {
            "an @override label must be `percent(N)` or a valid label string"
        }
        C::RootQueryUsed => {
            "a type named like a root (Query, Mutation, Subscription) must be that root"
        }
        C::NoQueries => "the composed graph needs at least one root field",
        C::InvalidSubgraphName => {
            "subgraph names must be unique, non-empty, alphanumeric with hyphens"
        }
        C::InvalidLinkDirectiveUsage => {
            "@link must name a valid spec URL and import what the spec defines"
        }
        C::DirectiveCompositionError => {
            "a composed directive must be defined the same way in every subgraph"
        }
        C::SatisfiabilityError => {
            "every field must be reachable by some query through the subgraphs that resolve it"
        }
        C::InvalidGraphql => "the schema (a subgraph's, or the composed one) must be valid GraphQL",
        _ => "the subgraphs cannot be merged into one valid supergraph",
    }
}

/// One composition error: Apollo's code for the rule (attached by our graphql-composition
/// fork), the subgraphs the message names (from `subgraph_names` only) and the coordinate.
pub fn classify<'a>(
    code: FederationErrorCode,
    message: &str,
    subgraph_names: impl IntoIterator<Item = &'a str>,
) -> CompositionIssue {
    CompositionIssue {
        code: code.as_str(),
        subgraphs: subgraphs_named(message, subgraph_names),
        coordinate: coordinate_in(message),
        explanation: explanation(code),
        message: message.to_owned(),
    }
}

fn subgraphs_named<'a>(message: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z0-9_.\-]+").expect("a valid pattern"));
    let words: Vec<(usize, &str)> = WORD
        .find_iter(message)
        .map(|word| (word.start(), word.as_str().trim_end_matches('.')))
        .collect();
    let mut found: Vec<(usize, String)> = names
        .into_iter()
        .filter_map(|name| {
            words
                .iter()
                .find(|(_, word)| *word == name)
                .map(|(at, _)| (*at, name.to_owned()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, name)| name).collect()
}

fn coordinate_in(message: &str) -> Option<String> {
    static MISSING_FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"the (\w+) field does not exist on (\w+)").expect("a valid pattern")
    });
    static ARGUMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"the (\w+)\.(\w+) argument(?:.* on (\w+))?").expect("a valid pattern")
    });
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b([A-Z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*(?:\(\w+:\))?)")
            .expect("a valid pattern")
    });
    static TYPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"[`"]([A-Z_][A-Za-z0-9_]*)[`"]|(?:at|on) ([A-Z_][A-Za-z0-9_]*)\b"#)
            .expect("a valid pattern")
    });
    if let Some(found) = MISSING_FIELD.captures(message) {
        return Some(format!("{}.{}", &found[2], &found[1]));
    }
    if let Some(found) = ARGUMENT.captures(message) {
        let parent = found
            .get(3)
            .map_or(String::new(), |p| format!("{}.", p.as_str()));
        return Some(format!("{parent}{}({}:)", &found[1], &found[2]));
    }
    if let Some(found) = FIELD.captures(message) {
        return Some(found[1].to_owned());
    }
    TYPE.captures(message)
        .and_then(|found| found.get(1).or(found.get(2)))
        .map(|name| name.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBGRAPHS: [&str; 2] = ["catalog", "pricing"];

    #[test]
    fn a_missing_key_field_names_its_subgraph_and_coordinate() {
        let issue = classify(
            FederationErrorCode::KeyInvalidFields,
            "[catalog] Error in @key at Product: the skuu field does not exist on Product",
            SUBGRAPHS,
        );
        assert_eq!(issue.code, "KEY_INVALID_FIELDS");
        assert_eq!(issue.subgraphs, ["catalog"]);
        assert_eq!(issue.coordinate.as_deref(), Some("Product.skuu"));
    }

    #[test]
    fn unshared_fields_name_every_subgraph_and_the_field() {
        let issue = classify(
            FederationErrorCode::InvalidFieldSharing,
            "The field `Product.name` is resolved by multiple subgraphs, but not marked as `@shareable`. The field must be marked as `@shareable` in at least one of the subgraphs: catalog, pricing",
            SUBGRAPHS,
        );
        assert_eq!(issue.subgraphs, ["catalog", "pricing"]);
        assert_eq!(issue.coordinate.as_deref(), Some("Product.name"));
    }

    #[test]
    fn kind_mismatches_name_the_type() {
        let issue = classify(
            FederationErrorCode::TypeKindMismatch,
            "Cannot merge Object with Interface (`Product` in `catalog` and `pricing`)",
            SUBGRAPHS,
        );
        assert_eq!(issue.coordinate.as_deref(), Some("Product"));
        assert_eq!(issue.subgraphs, ["catalog", "pricing"]);
    }

    #[test]
    fn every_code_has_its_own_explanation() {
        let fallback = explanation(FederationErrorCode::CompositionError);
        for code in FederationErrorCode::ALL {
            if *code != FederationErrorCode::CompositionError {
                assert_ne!(explanation(*code), fallback, "{code:?} has no explanation");
            }
        }
    }
}
