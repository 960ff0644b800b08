//! The error codes clients see in `extensions.code`, shared so every subgraph speaks the same
//! vocabulary, and the conversion of failures into what a client may see of them.

use std::sync::Arc;

use async_graphql::{Context, Error as GraphQLError, ErrorExtensions};

use crate::mongo;

/// A machine-readable error class, sent as `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request is not GraphQL: a syntax error.
    ParseFailed,
    /// The request asks for something the schema does not have, or in the wrong shape.
    ValidationFailed,
    /// The client sent an argument the operation cannot accept.
    BadUserInput,
    /// The operation needs a verified identity and none was presented.
    Unauthenticated,
    /// The caller is known but their token lacks the scope the operation needs.
    Forbidden,
    /// Something the request names does not exist where it must.
    NotFound,
    /// A service this one depends on did not answer; retrying later may work.
    Unavailable,
    /// An entity representation lacks a field the subgraph `@requires`: a planning bug, never
    /// answered with a made-up value (a missing quantity must not price a line at 0).
    InvalidRepresentation,
    /// Something on our side failed; details stay in the logs.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::ValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Unavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::InvalidRepresentation => "INVALID_REPRESENTATION",
            ErrorCode::Internal => "INTERNAL_SERVER_ERROR",
        }
    }

    /// A GraphQL error with this code and a message meant for the client.
    pub fn error(self, message: impl Into<String>) -> GraphQLError {
        GraphQLError::new(message).extend_with(|_, ext| ext.set("code", self.as_str()))
    }
}

/// Logs a storage failure with its detail and returns an error that hides it from clients.
pub fn internal(err: impl std::fmt::Display) -> GraphQLError {
    tracing::error!(error = %err, "request failed");
    ErrorCode::Internal.error("internal error")
}

/// A storage failure: MongoDB out of reach (or between primaries) is `SERVICE_UNAVAILABLE`,
/// which a client may retry; anything else is a masked internal error. Logged either way.
pub fn storage(err: impl StorageFailure) -> GraphQLError {
    if err.is_unavailable() {
        tracing::warn!(error = %err, "MongoDB unavailable");
        ErrorCode::Unavailable.error("the data store is unavailable; try again shortly")
    } else {
        internal(err)
    }
}

/// An error from reading or writing MongoDB, which knows whether MongoDB was simply out of
/// reach.
pub trait StorageFailure: std::fmt::Display {
    fn is_unavailable(&self) -> bool;
}

impl StorageFailure for mongodb::error::Error {
    fn is_unavailable(&self) -> bool {
        mongo::is_unavailable(self)
    }
}

/// DataLoaders share one error among every key of a batch.
impl<T: StorageFailure> StorageFailure for Arc<T> {
    fn is_unavailable(&self) -> bool {
        T::is_unavailable(self)
    }
}

/// What the schema was built with (`SchemaBuilder::data`), by type; a missing one is an
/// internal error rather than a panic.
pub fn attached<'a, T: std::any::Any + Send + Sync>(
    ctx: &Context<'a>,
) -> Result<&'a T, GraphQLError> {
    ctx.data::<T>().map_err(|_| {
        internal(format!(
            "{} is not attached to the schema",
            std::any::type_name::<T>()
        ))
    })
}

/// A client's `first` within `0..=max`, or `default` when it names none.
pub fn bounded_first(first: Option<i32>, default: i32, max: i32) -> Result<usize, GraphQLError> {
    let first = first.unwrap_or(default);
    usize::try_from(first)
        .ok()
        .filter(|_| first <= max)
        .ok_or_else(|| {
            ErrorCode::BadUserInput
                .error(format!("`first` must be between 0 and {max}, got {first}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(error: &GraphQLError) -> Option<String> {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .map(|code| code.to_string())
    }

    #[test]
    fn first_is_bounded_with_a_default() {
        assert_eq!(bounded_first(None, 20, 100).unwrap(), 20);
        assert_eq!(bounded_first(Some(0), 20, 100).unwrap(), 0);
        assert_eq!(bounded_first(Some(100), 20, 100).unwrap(), 100);
        for refused in [-1, 101, i32::MIN, i32::MAX] {
            let error = bounded_first(Some(refused), 20, 100).unwrap_err();
            assert_eq!(code(&error).as_deref(), Some("\"BAD_USER_INPUT\""));
            assert!(error.message.contains(&refused.to_string()));
        }
    }
}
