//! The composed API schema as graphql-tools reads it, with the built-in definitions printed
//! SDL leaves out (operation validation looks them up).

use std::collections::BTreeSet;

use hive_router::graphql_tools::{
    parser::schema::{Definition, parse_schema},
    static_graphql::schema,
};

use super::CheckError;

/// Built-in definitions every GraphQL schema has; printed SDL leaves them out, but operation
/// validation looks them up.
const BUILT_INS: &str = r#"
scalar String
scalar Int
scalar Float
scalar Boolean
scalar ID
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @deprecated(reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @specifiedBy(url: String!) on SCALAR
"#;

pub fn parse(sdl: &str) -> Result<schema::Document, CheckError> {
    let parse = |text: &str| {
        parse_schema::<String>(text)
            .map(|document| document.into_static())
            .map_err(|err| CheckError::ApiSchema(err.to_string()))
    };
    let mut document = parse(sdl)?;
    let declared: BTreeSet<String> = document
        .definitions
        .iter()
        .filter_map(defined_name)
        .collect();
    let missing: Vec<Definition<'static, String>> = parse(BUILT_INS)?
        .definitions
        .into_iter()
        .filter(|definition| defined_name(definition).is_some_and(|name| !declared.contains(&name)))
        .collect();
    document.definitions.extend(missing);
    Ok(document)
}

/// A type's name, or a directive's as `@name`.
fn defined_name(definition: &Definition<'static, String>) -> Option<String> {
    match definition {
        Definition::TypeDefinition(definition) => Some(definition.name().to_owned()),
        Definition::DirectiveDefinition(directive) => Some(format!("@{}", directive.name)),
        _ => None,
    }
}
