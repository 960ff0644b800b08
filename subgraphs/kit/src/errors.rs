//! The error codes clients see in `extensions.code`, shared so every subgraph speaks the same
//! vocabulary, and the conversion of storage failures into masked internal errors.

use async_graphql::{Error as GraphQLError, ErrorExtensions};

/// A machine-readable error class, sent as `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The client sent an argument the operation cannot accept.
    BadUserInput,
    /// The operation needs a verified identity and none was presented.
    Unauthenticated,
    /// Something the request names does not exist where it must.
    NotFound,
    /// A service this one depends on did not answer; retrying later may work.
    Unavailable,
    /// Something on our side failed; details stay in the logs.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Unavailable => "SERVICE_UNAVAILABLE",
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
