//! A canonical form of an SDL document, so two schemas that differ only in the order of
//! their definitions, fields, arguments, values or directives print identically.

use hive_router::graphql_tools::parser::schema::{
    Definition, Directive, Field, InputValue, TypeDefinition, TypeExtension, parse_schema,
};

/// `sdl` with every list that carries no meaning in its order sorted.
pub fn normalized_sdl(sdl: &str) -> Result<String, String> {
    let mut document = parse_schema::<String>(sdl)
        .map_err(|err| err.to_string())?
        .into_static();
    for definition in &mut document.definitions {
        match definition {
            Definition::SchemaDefinition(schema) => sort_directives(&mut schema.directives),
            Definition::DirectiveDefinition(directive) => {
                sort_input_values(&mut directive.arguments);
                directive
                    .locations
                    .sort_by_key(|location| location.as_str().to_owned());
            }
            Definition::TypeDefinition(definition) => normalize_type(definition),
            Definition::TypeExtension(extension) => normalize_extension(extension),
        }
    }
    document.definitions.sort_by_key(sort_key);
    Ok(document.to_string())
}

fn normalize_type(definition: &mut TypeDefinition<'static, String>) {
    match definition {
        TypeDefinition::Scalar(t) => sort_directives(&mut t.directives),
        TypeDefinition::Object(t) => {
            sort_directives(&mut t.directives);
            t.implements_interfaces.sort();
            sort_fields(&mut t.fields);
        }
        TypeDefinition::Interface(t) => {
            sort_directives(&mut t.directives);
            t.implements_interfaces.sort();
            sort_fields(&mut t.fields);
        }
        TypeDefinition::Union(t) => {
            sort_directives(&mut t.directives);
            t.types.sort();
        }
        TypeDefinition::Enum(t) => {
            sort_directives(&mut t.directives);
            for value in &mut t.values {
                sort_directives(&mut value.directives);
            }
            t.values.sort_by(|a, b| a.name.cmp(&b.name));
        }
        TypeDefinition::InputObject(t) => {
            sort_directives(&mut t.directives);
            sort_input_values(&mut t.fields);
        }
    }
}

fn normalize_extension(extension: &mut TypeExtension<'static, String>) {
    match extension {
        TypeExtension::Object(t) => {
            sort_directives(&mut t.directives);
            sort_fields(&mut t.fields);
        }
        TypeExtension::Interface(t) => {
            sort_directives(&mut t.directives);
            sort_fields(&mut t.fields);
        }
        TypeExtension::InputObject(t) => {
            sort_directives(&mut t.directives);
            sort_input_values(&mut t.fields);
        }
        TypeExtension::Scalar(t) => sort_directives(&mut t.directives),
        TypeExtension::Union(t) => sort_directives(&mut t.directives),
        TypeExtension::Enum(t) => sort_directives(&mut t.directives),
    }
}

fn sort_fields(fields: &mut [Field<'static, String>]) {
    for field in fields.iter_mut() {
        sort_directives(&mut field.directives);
        sort_input_values(&mut field.arguments);
    }
    fields.sort_by(|a, b| a.name.cmp(&b.name));
}

fn sort_input_values(values: &mut [InputValue<'static, String>]) {
    for value in values.iter_mut() {
        sort_directives(&mut value.directives);
    }
    values.sort_by(|a, b| a.name.cmp(&b.name));
}

fn sort_directives(directives: &mut [Directive<'static, String>]) {
    for directive in directives.iter_mut() {
        directive.arguments.sort_by(|a, b| a.0.cmp(&b.0));
    }
    directives.sort_by_key(|directive| directive.to_string());
}

fn sort_key(definition: &Definition<'static, String>) -> (u8, String) {
    match definition {
        Definition::SchemaDefinition(_) => (0, String::new()),
        Definition::DirectiveDefinition(d) => (1, d.name.clone()),
        Definition::TypeDefinition(t) => (2, t.name().to_owned()),
        Definition::TypeExtension(e) => (3, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_does_not_matter_but_content_does() {
        let a =
            "type Query { b: Int a(y: Int, x: Int): String @d(k: 1) @c }\nenum E { Y X }\nscalar S";
        let b =
            "scalar S\nenum E { X Y }\ntype Query { a(x: Int, y: Int): String @c @d(k: 1) b: Int }";
        assert_eq!(normalized_sdl(a).unwrap(), normalized_sdl(b).unwrap());
        let c = "scalar S\nenum E { X Y }\ntype Query { a(x: Int, y: Int): String @c b: Int }";
        assert_ne!(normalized_sdl(a).unwrap(), normalized_sdl(c).unwrap());
    }
}
