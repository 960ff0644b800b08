//! Composition failures in the terms federation users know: graphql-composition's messages
//! mapped to Apollo Federation's composition error codes, with the subgraphs and the schema
//! coordinate each one concerns and a one-line explanation of the rule broken.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// One reason composition failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositionIssue {
    /// Apollo Federation's error code for this rule (`KEY_INVALID_FIELDS`, …), or
    /// `COMPOSITION_ERROR` for rules Federation has no code for.
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

struct Rule {
    code: &'static str,
    explanation: &'static str,
    applies: fn(&str) -> bool,
}

/// First match wins, so specific wordings come before general ones.
const RULES: &[Rule] = &[
    Rule {
        code: "KEY_INVALID_FIELDS",
        explanation: "a @key's fields must select existing fields (and arguments) of the type",
        applies: |m| in_directive(m, "key"),
    },
    Rule {
        code: "REQUIRES_INVALID_FIELDS",
        explanation: "a @requires's fields must select existing fields of the parent type",
        applies: |m| in_directive(m, "requires"),
    },
    Rule {
        code: "PROVIDES_ON_NON_OBJECT_FIELD",
        explanation: "@provides only applies to fields returning an object, interface or union",
        applies: |m| m.contains("Invalid @provides") && m.contains("no selection possible"),
    },
    Rule {
        code: "PROVIDES_DIRECTIVE_IN_FIELDS_ARG",
        explanation: "the selection in @provides(fields:) cannot carry directives",
        applies: |m| m.contains("no directives are allowed in the selection sets in `@provides"),
    },
    Rule {
        code: "PROVIDES_INVALID_FIELDS",
        explanation: "a @provides's fields must select existing fields of the returned type",
        applies: |m| in_directive(m, "provides"),
    },
    Rule {
        code: "EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE",
        explanation: "an @external field cannot also carry @requires or @provides",
        applies: |m| m.contains("declared as `@external`") && m.contains("cannot have a"),
    },
    Rule {
        code: "TYPE_KIND_MISMATCH",
        explanation: "a type must be the same kind (object, interface, enum, …) in every subgraph",
        applies: |m| m.starts_with("Cannot merge "),
    },
    Rule {
        code: "INVALID_FIELD_SHARING",
        explanation: "a field resolved by several subgraphs must be @shareable (and never on Subscription)",
        applies: |m| {
            m.contains("not marked as `@shareable`")
                || m.contains("Subscription type cannot be marked as @shareable")
                || m.contains("Subscription root fields cannot be marked as @shareable")
        },
    },
    Rule {
        code: "INVALID_SHAREABLE_USAGE",
        explanation: "@shareable is not allowed on interface fields",
        applies: |m| m.contains("marked as shareable but this is not allowed on interfaces"),
    },
    Rule {
        code: "FIELD_ARGUMENT_TYPE_MISMATCH",
        explanation: "an argument must have the same type wherever its field is defined",
        applies: |m| m.contains("argument has conflicting types"),
    },
    Rule {
        code: "FIELD_TYPE_MISMATCH",
        explanation: "a field shared by subgraphs must have compatible types in all of them",
        applies: |m| m.contains("field has conflicting types"),
    },
    Rule {
        code: "INTERFACE_FIELD_IMPLEM_TYPE_MISMATCH",
        explanation: "a field implementing an interface field must return a subtype of its type",
        applies: |m| m.contains("is not a subtype of the type of the interface field"),
    },
    Rule {
        code: "FIELD_ARGUMENT_DEFAULT_MISMATCH",
        explanation: "an argument's default value must agree in every subgraph defining it",
        applies: |m| m.contains("has incompatible defaults"),
    },
    Rule {
        code: "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        explanation: "a required argument must be declared wherever its field is defined",
        applies: |m| m.starts_with("The argument `") && m.contains("is required in"),
    },
    Rule {
        code: "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        explanation: "a required input field must be declared in every subgraph defining the input type",
        applies: |m| m.contains("field is not defined in all subgraphs, but it is required"),
    },
    Rule {
        code: "REFERENCED_INACCESSIBLE",
        explanation: "an element whose type is @inaccessible must be @inaccessible too",
        applies: |m| m.contains("is of an @inaccessible type"),
    },
    Rule {
        code: "QUERY_ROOT_TYPE_INACCESSIBLE",
        explanation: "the Query root type cannot be @inaccessible",
        applies: |m| m.contains("query root type cannot be inaccessible"),
    },
    Rule {
        code: "EMPTY_MERGED_ENUM_TYPE",
        explanation: "an enum used only as input keeps the values common to all subgraphs, and none are",
        applies: |m| m.contains("are empty (intersection)"),
    },
    Rule {
        code: "ENUM_VALUE_MISMATCH",
        explanation: "an enum used as both input and output must have the same values in every subgraph",
        applies: |m| m.contains("should match exactly in all subgraphs"),
    },
    Rule {
        code: "INTERFACE_FIELD_NO_IMPLEM",
        explanation: "every implementation of an interface must define the interface's fields",
        applies: |m| m.contains("field is not implemented by"),
    },
    Rule {
        code: "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
        explanation: "a subgraph with a resolvable key on an interface must define all its implementations",
        applies: |m| m.contains("is missing some of the supergraph implementation types"),
    },
    Rule {
        code: "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
        explanation: "implementations of an entity interface must have the interface's @key",
        applies: |m| m.contains("implements the entity interface") && m.contains("same key"),
    },
    Rule {
        code: "INTERFACE_OBJECT_USAGE_ERROR",
        explanation: "@interfaceObject types must mirror an entity interface with the same @key",
        applies: |m| m.contains("@interfaceObject") || m.contains("entity interface"),
    },
    Rule {
        code: "OVERRIDE_FROM_SELF_ERROR",
        explanation: "@override(from:) must name another subgraph",
        applies: |m| m.contains("are the same for overridden field"),
    },
    Rule {
        code: "OVERRIDE_SOURCE_HAS_OVERRIDE",
        explanation: "a field cannot be overridden from a subgraph that itself overrides it",
        applies: |m| m.contains("override") && m.contains("source") && m.contains("has"),
    },
    Rule {
        code: "OVERRIDE_LABEL_INVALID",
        explanation: "an @override label must be `percent(N)` or a valid label string",
        applies: |m| m.starts_with("Invalid @override label"),
    },
    Rule {
        code: "NO_QUERIES",
        explanation: "the composed graph needs at least one root field",
        applies: |m| {
            m.contains("The federated graph cannot be empty")
                || m.starts_with("No subgraphs to compose")
        },
    },
    Rule {
        code: "INVALID_SUBGRAPH_NAME",
        explanation: "subgraph names must be unique, non-empty, alphanumeric with hyphens",
        applies: |m| {
            m.contains("Invalid subgraph name")
                || m.contains("Found two subgraphs named")
                || m.contains("not a valid subgraph name")
        },
    },
    Rule {
        code: "DIRECTIVE_DEFINITION_INVALID",
        explanation: "a directive must be defined the same way (arguments, repeatable) in every subgraph",
        applies: |m| m.starts_with("Directive `"),
    },
];

const FALLBACK_EXPLANATION: &str = "the subgraphs cannot be merged into one valid supergraph";

impl CompositionIssue {
    /// A subgraph schema that is not valid GraphQL SDL, as Apollo's composition reports it.
    pub fn invalid_graphql(subgraph: &str, message: String) -> Self {
        CompositionIssue {
            code: "INVALID_GRAPHQL",
            subgraphs: vec![subgraph.to_owned()],
            coordinate: None,
            explanation: "a subgraph schema must be valid GraphQL SDL",
            message,
        }
    }
}

/// Reads one composition error message, naming subgraphs from `subgraph_names` only.
pub fn classify<'a>(
    message: &str,
    subgraph_names: impl IntoIterator<Item = &'a str>,
) -> CompositionIssue {
    let rule = RULES.iter().find(|rule| (rule.applies)(message));
    CompositionIssue {
        code: rule.map_or("COMPOSITION_ERROR", |rule| rule.code),
        subgraphs: subgraphs_named(message, subgraph_names),
        coordinate: coordinate_in(message),
        explanation: rule.map_or(FALLBACK_EXPLANATION, |rule| rule.explanation),
        message: message.to_owned(),
    }
}

/// The library words field-set errors `Error in @key at Product: …` (or `Error in key …`).
fn in_directive(message: &str, directive: &str) -> bool {
    message.contains(&format!("Error in @{directive} "))
        || message.contains(&format!("Error in {directive} "))
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
    fn a_key_naming_a_missing_field_is_key_invalid_fields() {
        let issue = classify(
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
            "The field `Product.name` is resolved by multiple subgraphs, but not marked as `@shareable`. The field must be marked as `@shareable` in at least one of the subgraphs: catalog, pricing",
            SUBGRAPHS,
        );
        assert_eq!(issue.code, "INVALID_FIELD_SHARING");
        assert_eq!(issue.subgraphs, ["catalog", "pricing"]);
        assert_eq!(issue.coordinate.as_deref(), Some("Product.name"));
    }

    #[test]
    fn kind_mismatches_name_the_type() {
        let issue = classify(
            "Cannot merge Object with Interface (`Product` in `catalog` and `pricing`)",
            SUBGRAPHS,
        );
        assert_eq!(issue.code, "TYPE_KIND_MISMATCH");
        assert_eq!(issue.coordinate.as_deref(), Some("Product"));
        assert_eq!(issue.subgraphs, ["catalog", "pricing"]);
    }

    #[test]
    fn unknown_wordings_keep_the_message_under_a_generic_code() {
        let issue = classify("something new went wrong", SUBGRAPHS);
        assert_eq!(issue.code, "COMPOSITION_ERROR");
        assert_eq!(issue.message, "something new went wrong");
        assert!(issue.subgraphs.is_empty());
    }
}
