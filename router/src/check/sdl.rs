//! A subgraph's SDL as a flat list of its elements (types, fields, arguments, enum values,
//! input fields), each with its schema coordinate and line, so reports can point at the line
//! a finding is about and lint rules can walk one list instead of a syntax tree.

use cynic_parser::{
    Span, parse_type_system_document,
    type_system::{Definition, Directive, FieldDefinition, InputValueDefinition, TypeDefinition},
};

/// What kind of schema element an [`Element`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementKind {
    /// A named type; the string is its kind (`object`, `interface`, `enum`, …).
    Type(&'static str),
    Field,
    Argument,
    EnumValue,
    InputField,
}

/// One element of a schema, where its name is written (not its description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// `Product`, `Product.name`, `Query.product(id:)`, `Currency.EUR`, `CartInput.items`.
    pub coordinate: String,
    pub kind: ElementKind,
    pub name: String,
    /// The type that holds a field, enum value or input field; the field an argument is on.
    pub parent: Option<String>,
    pub line: usize,
    pub column: usize,
    pub description: Option<String>,
    pub directives: Vec<DirectiveUse>,
    /// A field's, argument's or input field's type as written (`ID!`, `[Product!]!`).
    pub value_type: Option<String>,
}

/// A directive applied to an element, with its string arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveUse {
    pub name: String,
    /// Each argument's name and, when it is a string, its value.
    pub arguments: Vec<(String, Option<String>)>,
}

impl DirectiveUse {
    /// The string value of argument `name`.
    pub fn string_argument(&self, name: &str) -> Option<&str> {
        self.arguments
            .iter()
            .find(|(argument, _)| argument == name)
            .and_then(|(_, value)| value.as_deref())
    }

    fn of(directive: Directive<'_>) -> Self {
        DirectiveUse {
            name: directive.name().to_owned(),
            arguments: directive
                .arguments()
                .map(|a| (a.name().to_owned(), a.value().as_str().map(str::to_owned)))
                .collect(),
        }
    }
}

/// A parsed SDL document: its elements and the names of its root operation types.
#[derive(Debug, Clone)]
pub struct Sdl {
    elements: Vec<Element>,
    roots: Vec<String>,
}

/// SDL that does not parse, and where.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SdlError {
    pub message: String,
    /// Where the parser stopped, when it says.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Sdl {
    pub fn parse(sdl: &str) -> Result<Self, SdlError> {
        let lines = LineIndex::new(sdl);
        let document = parse_type_system_document(sdl).map_err(|err| {
            let at = err.span().map(|span| lines.position(span));
            SdlError {
                message: err.to_string(),
                line: at.map(|(line, _)| line),
                column: at.map(|(_, column)| column),
            }
        })?;
        let mut elements = Vec::new();
        let mut roots: Vec<String> = ["Query", "Mutation", "Subscription"]
            .map(str::to_owned)
            .to_vec();
        for definition in document.definitions() {
            match definition {
                Definition::Type(definition) | Definition::TypeExtension(definition) => {
                    type_elements(definition, &lines, &mut elements)
                }
                Definition::Schema(schema) | Definition::SchemaExtension(schema) => {
                    for root in schema.root_operations() {
                        let slot = match root.operation_type().as_str() {
                            "query" => 0,
                            "mutation" => 1,
                            _ => 2,
                        };
                        roots[slot] = root.named_type().to_owned();
                    }
                }
                Definition::Directive(_) => {}
            }
        }
        Ok(Self { elements, roots })
    }

    /// Every element, in document order; type extensions contribute their own elements.
    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// Whether `type_name` is the query, mutation or subscription root.
    pub fn is_root(&self, type_name: &str) -> bool {
        self.roots.iter().any(|root| root == type_name)
    }

    /// Where `coordinate` is written, or else its nearest written parent (a removed field
    /// points at its type; a removed argument at its field).
    pub fn locate(&self, coordinate: &str) -> Option<(usize, usize)> {
        let mut wanted = coordinate;
        loop {
            if let Some(found) = self.elements.iter().find(|e| e.coordinate == wanted) {
                return Some((found.line, found.column));
            }
            wanted = &wanted[..wanted.rfind(['(', '.'])?];
        }
    }
}

/// Byte offsets to one-based lines and columns.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { starts }
    }

    fn position(&self, span: Span) -> (usize, usize) {
        let line = self.starts.partition_point(|start| *start <= span.start);
        (line, span.start - self.starts[line - 1] + 1)
    }
}

/// Fields the element list records the same way, whatever the element.
struct Written {
    span: Span,
    description: Option<String>,
    directives: Vec<DirectiveUse>,
    value_type: Option<String>,
}

fn push(
    out: &mut Vec<Element>,
    lines: &LineIndex,
    (kind, name, parent, coordinate): (ElementKind, &str, Option<&str>, String),
    written: Written,
) {
    let (line, column) = lines.position(written.span);
    out.push(Element {
        coordinate,
        kind,
        name: name.to_owned(),
        parent: parent.map(str::to_owned),
        line,
        column,
        description: written.description,
        directives: written.directives,
        value_type: written.value_type,
    });
}

fn type_elements(definition: TypeDefinition<'_>, lines: &LineIndex, out: &mut Vec<Element>) {
    let name = definition.name();
    let (kind, name_span) = match definition {
        TypeDefinition::Scalar(d) => ("scalar", d.name_span()),
        TypeDefinition::Object(d) => ("object", d.name_span()),
        TypeDefinition::Interface(d) => ("interface", d.name_span()),
        TypeDefinition::Union(d) => ("union", d.name_span()),
        TypeDefinition::Enum(d) => ("enum", d.name_span()),
        TypeDefinition::InputObject(d) => ("input object", d.name_span()),
    };
    push(
        out,
        lines,
        (ElementKind::Type(kind), name, None, name.to_owned()),
        Written {
            span: name_span,
            description: definition
                .description()
                .map(|d| d.literal().to_cow().into()),
            directives: definition.directives().map(DirectiveUse::of).collect(),
            value_type: None,
        },
    );
    match definition {
        TypeDefinition::Object(object) => {
            object.fields().for_each(|f| field(f, name, lines, out));
        }
        TypeDefinition::Interface(interface) => {
            interface.fields().for_each(|f| field(f, name, lines, out));
        }
        TypeDefinition::InputObject(input) => {
            for value in input.fields() {
                input_value(value, ElementKind::InputField, name, ".", lines, out);
            }
        }
        TypeDefinition::Enum(definition) => {
            for value in definition.values() {
                push(
                    out,
                    lines,
                    (
                        ElementKind::EnumValue,
                        value.value(),
                        Some(name),
                        format!("{name}.{}", value.value()),
                    ),
                    Written {
                        span: value.value_span(),
                        description: value.description().map(|d| d.literal().to_cow().into()),
                        directives: value.directives().map(DirectiveUse::of).collect(),
                        value_type: None,
                    },
                );
            }
        }
        TypeDefinition::Scalar(_) | TypeDefinition::Union(_) => {}
    }
}

fn field(field: FieldDefinition<'_>, parent: &str, lines: &LineIndex, out: &mut Vec<Element>) {
    let coordinate = format!("{parent}.{}", field.name());
    push(
        out,
        lines,
        (
            ElementKind::Field,
            field.name(),
            Some(parent),
            coordinate.clone(),
        ),
        Written {
            span: field.name_span(),
            description: field.description().map(|d| d.literal().to_cow().into()),
            directives: field.directives().map(DirectiveUse::of).collect(),
            value_type: Some(field.ty().to_string()),
        },
    );
    for argument in field.arguments() {
        input_value(
            argument,
            ElementKind::Argument,
            &coordinate,
            "(",
            lines,
            out,
        );
    }
}

/// An argument (`Query.product(id:)`, joined by `(`) or input field (`Input.name`, by `.`).
fn input_value(
    value: InputValueDefinition<'_>,
    kind: ElementKind,
    parent: &str,
    joint: &str,
    lines: &LineIndex,
    out: &mut Vec<Element>,
) {
    let closing = if joint == "(" { ":)" } else { "" };
    push(
        out,
        lines,
        (
            kind,
            value.name(),
            Some(parent),
            format!("{parent}{joint}{}{closing}", value.name()),
        ),
        Written {
            span: value.name_span(),
            description: value.description().map(|d| d.literal().to_cow().into()),
            directives: value.directives().map(DirectiveUse::of).collect(),
            value_type: Some(value.ty().to_string()),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.9\")\n\ntype Product @key(fields: \"id\") {\n  id: ID!\n  price(currency: Currency): Int\n}\n\nenum Currency {\n  EUR\n}\n";

    #[test]
    fn coordinates_carry_their_lines() {
        let sdl = Sdl::parse(SDL).expect("parses");
        assert_eq!(sdl.locate("Product"), Some((3, 6)));
        assert_eq!(sdl.locate("Product.price"), Some((5, 3)));
        assert_eq!(sdl.locate("Product.price(currency:)"), Some((5, 9)));
        assert_eq!(sdl.locate("Currency.EUR"), Some((9, 3)));
    }

    #[test]
    fn what_is_gone_points_at_its_nearest_parent() {
        let sdl = Sdl::parse(SDL).expect("parses");
        assert_eq!(sdl.locate("Product.sku"), Some((3, 6)));
        assert_eq!(sdl.locate("Product.price(region:)"), Some((5, 3)));
        assert_eq!(sdl.locate("Brand"), None);
    }

    #[test]
    fn elements_keep_types_and_directive_arguments() {
        let sdl = Sdl::parse(SDL).expect("parses");
        let product = &sdl.elements()[0];
        assert_eq!(product.kind, ElementKind::Type("object"));
        assert_eq!(product.directives[0].string_argument("fields"), Some("id"));
        assert_eq!(sdl.elements()[1].value_type.as_deref(), Some("ID!"));
    }
}
