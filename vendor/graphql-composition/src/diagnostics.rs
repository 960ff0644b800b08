//! Composition warnings and errors.

use std::fmt;

/// Warnings and errors produced by composition.
#[derive(Default, Debug)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Is any of the diagnostics fatal, i.e. a hard error?
    pub fn any_fatal(&self) -> bool {
        self.0.iter().any(|diagnostic| diagnostic.severity.is_error())
    }

    /// Is there any diagnostic warning or error
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterate over all diagnostics.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Iterate non-fatal diagnostics.
    pub fn iter_warnings(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(|diagnostic| diagnostic.severity.is_warning())
            .map(|diagnostic| diagnostic.message.as_str())
    }

    /// Iterate fatal diagnostics.
    pub fn iter_errors(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(|diagnostic| diagnostic.severity.is_error())
            .map(|diagnostic| diagnostic.message.as_str())
    }

    pub(crate) fn clone_all_from(&mut self, other: &Diagnostics) {
        self.0.extend(other.0.iter().cloned())
    }

    /// Iterate over all diagnostic messages.
    pub fn iter_messages(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|diagnostic| diagnostic.message.as_str())
    }

    pub(crate) fn push_composite_schemas_source_schema_validation_error(
        &mut self,
        source_schema_name: &str,
        message: impl fmt::Display,
        error_code: CompositeSchemasSourceSchemaValidationErrorCode,
    ) {
        self.0.push(Diagnostic {
            message: format!("[{source_schema_name}] {message}"),
            severity: error_code.severity(),
            error_code: Some(error_code.into()),
            federation_code: Some(CompositeSchemasErrorCode::from(error_code).federation_code()),
        });
    }

    pub(crate) fn push_composite_schemas_pre_merge_validation_error(
        &mut self,
        message: String,
        error_code: CompositeSchemasPreMergeValidationErrorCode,
    ) {
        self.0.push(Diagnostic {
            message,
            severity: error_code.severity(),
            error_code: Some(error_code.into()),
            federation_code: Some(CompositeSchemasErrorCode::from(error_code).federation_code()),
        });
    }

    pub(crate) fn push_composite_schemas_post_merge_validation_error(
        &mut self,
        message: String,
        error_code: CompositeSchemasPostMergeValidationErrorCode,
    ) {
        self.0.push(Diagnostic {
            message,
            severity: error_code.severity(),
            error_code: Some(error_code.into()),
            federation_code: Some(CompositeSchemasErrorCode::from(error_code).federation_code()),
        });
    }

    /// Storefront fork: every fatal diagnostic says which Apollo Federation rule it breaks.
    pub(crate) fn push_fatal(&mut self, code: FederationErrorCode, message: String) {
        self.0.push(Diagnostic {
            message,
            severity: Severity::Error,
            error_code: None,
            federation_code: Some(code),
        });
    }

    pub(crate) fn push_warning(&mut self, message: String) {
        self.0.push(Diagnostic {
            message,
            severity: Severity::Warning,
            error_code: None,
            federation_code: None,
        });
    }
}

/// A composition diagnostic.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    message: String,
    severity: Severity,
    error_code: Option<CompositeSchemasErrorCode>,
    federation_code: Option<FederationErrorCode>,
}

impl Diagnostic {
    /// The warning or error message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// See [Severity].
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The composite schemas error code
    pub fn composite_schemas_error_code(&self) -> Option<CompositeSchemasErrorCode> {
        self.error_code
    }

    /// Storefront fork: Apollo Federation's composition error code for this diagnostic (every
    /// error has one; warnings none).
    pub fn federation_code(&self) -> Option<FederationErrorCode> {
        self.federation_code
    }
}

macro_rules! federation_error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// Storefront fork: Apollo Federation's composition error codes
        /// (<https://www.apollographql.com/docs/graphos/reference/federation/errors>), so a
        /// composition failure reads as a Federation 2 pipeline reports it. Upstream attaches
        /// only Composite Schemas spec codes, to a few diagnostics.
        #[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum FederationErrorCode {
            $($(#[$doc])* #[doc = concat!("`", $code, "`")] $variant,)*
        }

        impl FederationErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [FederationErrorCode] = &[$(FederationErrorCode::$variant,)*];

            /// The code as Apollo writes it (`KEY_INVALID_FIELDS`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(FederationErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

federation_error_codes! {
    KeyInvalidFields => "KEY_INVALID_FIELDS",
    KeyFieldsSelectInvalidType => "KEY_FIELDS_SELECT_INVALID_TYPE",
    KeyFieldsHasArgs => "KEY_FIELDS_HAS_ARGS",
    RequiresInvalidFields => "REQUIRES_INVALID_FIELDS",
    RequiresFieldsMissingExternal => "REQUIRES_FIELDS_MISSING_EXTERNAL",
    ProvidesInvalidFields => "PROVIDES_INVALID_FIELDS",
    ProvidesFieldsMissingExternal => "PROVIDES_FIELDS_MISSING_EXTERNAL",
    ProvidesOnNonObjectField => "PROVIDES_ON_NON_OBJECT_FIELD",
    ProvidesDirectiveInFieldsArg => "PROVIDES_DIRECTIVE_IN_FIELDS_ARG",
    ExternalCollisionWithAnotherDirective => "EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE",
    ExternalMissingOnBase => "EXTERNAL_MISSING_ON_BASE",
    ExternalUnused => "EXTERNAL_UNUSED",
    ExternalTypeMismatch => "EXTERNAL_TYPE_MISMATCH",
    TypeKindMismatch => "TYPE_KIND_MISMATCH",
    InvalidFieldSharing => "INVALID_FIELD_SHARING",
    InvalidShareableUsage => "INVALID_SHAREABLE_USAGE",
    FieldTypeMismatch => "FIELD_TYPE_MISMATCH",
    FieldArgumentTypeMismatch => "FIELD_ARGUMENT_TYPE_MISMATCH",
    FieldArgumentDefaultMismatch => "FIELD_ARGUMENT_DEFAULT_MISMATCH",
    RequiredArgumentMissingInSomeSubgraph => "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
    RequiredInputFieldMissingInSomeSubgraph => "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
    ReferencedInaccessible => "REFERENCED_INACCESSIBLE",
    QueryRootTypeInaccessible => "QUERY_ROOT_TYPE_INACCESSIBLE",
    EmptyMergedEnumType => "EMPTY_MERGED_ENUM_TYPE",
    EnumValueMismatch => "ENUM_VALUE_MISMATCH",
    InterfaceFieldNoImplem => "INTERFACE_FIELD_NO_IMPLEM",
    InterfaceKeyMissingImplementationType => "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
    InterfaceKeyNotOnImplementation => "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
    InterfaceObjectUsageError => "INTERFACE_OBJECT_USAGE_ERROR",
    OverrideFromSelfError => "OVERRIDE_FROM_SELF_ERROR",
    OverrideSourceHasOverride => "OVERRIDE_SOURCE_HAS_OVERRIDE",
    OverrideLabelInvalid => "OVERRIDE_LABEL_INVALID",
    RootQueryUsed => "ROOT_QUERY_USED",
    NoQueries => "NO_QUERIES",
    InvalidSubgraphName => "INVALID_SUBGRAPH_NAME",
    InvalidLinkDirectiveUsage => "INVALID_LINK_DIRECTIVE_USAGE",
    DirectiveCompositionError => "DIRECTIVE_COMPOSITION_ERROR",
    SatisfiabilityError => "SATISFIABILITY_ERROR",
    /// The schema (a subgraph's, or the composed one) is not valid GraphQL.
    InvalidGraphql => "INVALID_GRAPHQL",
    /// A rule of this library Apollo has no code for.
    CompositionError => "COMPOSITION_ERROR",
}

impl CompositeSchemasErrorCode {
    /// Storefront fork: the Apollo Federation code for the same rule.
    pub fn federation_code(self) -> FederationErrorCode {
        use CompositeSchemasPostMergeValidationErrorCode as Post;
        use CompositeSchemasPreMergeValidationErrorCode as Pre;
        use CompositeSchemasSourceSchemaValidationErrorCode as Source;
        match self {
            Self::SourceSchema(Source::QueryRootTypeInaccessible) => FederationErrorCode::QueryRootTypeInaccessible,
            // Apollo has no lookup directive; the rule is closest to an invalid field type.
            Self::SourceSchema(Source::LookupReturnsNonNullableType) => FederationErrorCode::CompositionError,
            Self::SourceSchema(Source::OverrideFromSelf) => FederationErrorCode::OverrideFromSelfError,
            Self::SourceSchema(Source::ProvidesDirectiveInFieldsArgument) => {
                FederationErrorCode::ProvidesDirectiveInFieldsArg
            }
            Self::PreMerge(Pre::TypeKindMismatch) => FederationErrorCode::TypeKindMismatch,
            Self::PreMerge(Pre::OverrideSourceHasOverride) => FederationErrorCode::OverrideSourceHasOverride,
            Self::PostMerge(Post::InvalidFieldSharing) => FederationErrorCode::InvalidFieldSharing,
        }
    }
}

/// The severity of a [Diagnostic].
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A fatal error.
    Error,
    /// A warning to be displayed to the user.
    Warning,
}

impl Severity {
    /// Returns `true` if the severity is [`Error`].
    ///
    /// [`Error`]: Severity::Error
    #[must_use]
    pub fn is_error(&self) -> bool {
        matches!(self, Self::Error)
    }

    /// Returns `true` if the severity is [`Warning`].
    ///
    /// [`Warning`]: Severity::Warning
    #[must_use]
    pub fn is_warning(&self) -> bool {
        matches!(self, Self::Warning)
    }
}

/// Composite Schemas spec [error codes](https://graphql.github.io/composite-schemas-spec/draft/#sec-Schema-Composition).
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CompositeSchemasErrorCode {
    /// See [CompositeSchemasSourceSchemaValidationErrorCode]
    SourceSchema(CompositeSchemasSourceSchemaValidationErrorCode),
    /// See [CompositeSchemasPreMergeValidationErrorCode]
    PreMerge(CompositeSchemasPreMergeValidationErrorCode),
    /// See [CompositeSchemasPostMergeValidationErrorCode]
    PostMerge(CompositeSchemasPostMergeValidationErrorCode),
}

impl From<CompositeSchemasPostMergeValidationErrorCode> for CompositeSchemasErrorCode {
    fn from(v: CompositeSchemasPostMergeValidationErrorCode) -> Self {
        Self::PostMerge(v)
    }
}

impl From<CompositeSchemasSourceSchemaValidationErrorCode> for CompositeSchemasErrorCode {
    fn from(v: CompositeSchemasSourceSchemaValidationErrorCode) -> Self {
        Self::SourceSchema(v)
    }
}

impl From<CompositeSchemasPreMergeValidationErrorCode> for CompositeSchemasErrorCode {
    fn from(v: CompositeSchemasPreMergeValidationErrorCode) -> Self {
        Self::PreMerge(v)
    }
}

/// Composite Schemas spec [source schema validation](https://graphql.github.io/composite-schemas-spec/draft/#sec-Validate-Source-Schemas) error codes.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CompositeSchemasSourceSchemaValidationErrorCode {
    /// https://graphql.github.io/composite-schemas-spec/draft/#sec-Query-Root-Type-Inaccessible
    QueryRootTypeInaccessible,
    /// https://graphql.github.io/composite-schemas-spec/draft/#sec-Lookup-Returns-Non-Nullable-Type
    LookupReturnsNonNullableType,
    /// https://graphql.github.io/composite-schemas-spec/draft/#sec-Override-from-Self
    OverrideFromSelf,
    /// https://graphql.github.io/composite-schemas-spec/draft/#sec-Provides-Directive-in-Fields-Argument
    ProvidesDirectiveInFieldsArgument,
}

impl CompositeSchemasSourceSchemaValidationErrorCode {
    fn severity(&self) -> Severity {
        use CompositeSchemasSourceSchemaValidationErrorCode::*;

        match self {
            QueryRootTypeInaccessible | OverrideFromSelf | ProvidesDirectiveInFieldsArgument => Severity::Error,

            LookupReturnsNonNullableType => Severity::Warning,
        }
    }
}

/// Composite Schemas spec [pre-merge validation](https://graphql.github.io/composite-schemas-spec/draft/#sec-Pre-Merge-Validation) error codes.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub enum CompositeSchemasPreMergeValidationErrorCode {
    /// https://graphql.github.io/composite-schemas-spec/draft/#sec-Type-Kind-Mismatch
    TypeKindMismatch,
    /// https://graphql.github.io/composite-schemas-spec/draft/#sec-Override-Source-Has-Override
    OverrideSourceHasOverride,
}

impl CompositeSchemasPreMergeValidationErrorCode {
    fn severity(&self) -> Severity {
        use CompositeSchemasPreMergeValidationErrorCode::*;

        match self {
            TypeKindMismatch | OverrideSourceHasOverride => Severity::Error,
        }
    }
}

/// Composite Schemas spec [post-merge validation](https://graphql.github.io/composite-schemas-spec/draft/#sec-Post-Merge-Validation) error codes.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub enum CompositeSchemasPostMergeValidationErrorCode {
    /// https://graphql.github.io/composite-schemas-spec/draft/#sec-Invalid-Field-Sharing
    InvalidFieldSharing,
}

impl CompositeSchemasPostMergeValidationErrorCode {
    fn severity(&self) -> Severity {
        use CompositeSchemasPostMergeValidationErrorCode::*;

        match self {
            InvalidFieldSharing => Severity::Error,
        }
    }
}
