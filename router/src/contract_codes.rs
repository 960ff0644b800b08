//! The contract's identity codes on the router's own refusals. Hive Router refuses a field its
//! caller may not have (`@authenticated`, `@requiresScopes`) with `UNAUTHORIZED_FIELD_OR_TYPE`,
//! and a token it cannot verify with codes of its own; the storefront contract promises clients
//! `UNAUTHENTICATED` (no valid identity: send the shopper to sign in) and `FORBIDDEN` (signed in,
//! without the scope). This plugin answers those, whatever else the operator switches off,
//! and sees that they reach a client that accepts only a stream (a subscription over SSE or
//! multipart): Hive Router 0.2 cannot write a single response as a stream and would answer
//! `UNSUPPORTED_CONTENT_TYPE` instead, hiding the refusal.

use hive_router::{
    GraphQLError, async_trait,
    http::StatusCode,
    ntex::{
        http::header::{self, HeaderValue},
        web::WebResponse,
    },
    plugins::{
        hooks::{
            on_graphql_error::{OnGraphQLErrorHookPayload, OnGraphQLErrorHookResult},
            on_http_request::{OnHttpRequestHookFuture, OnHttpRequestHookPayload},
            on_plugin_init::{OnPluginInitPayload, OnPluginInitResult},
        },
        plugin_trait::{EndHookPayload, RouterPlugin, StartHookPayload},
    },
    sonic_rs,
};
use serde::Deserialize;

/// The name this plugin has in Hive Router's `plugins:` configuration.
pub const PLUGIN_NAME: &str = "storefront_contract_codes";

/// The contract's code for a caller without a valid identity.
pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
/// The contract's code for a signed-in caller without the scope an element needs.
pub const FORBIDDEN: &str = "FORBIDDEN";

/// The contract's code for a subscription refused because the router holds its most
/// long-lived clients (`traffic_shaping.router.max_long_lived_clients`).
pub const LONG_LIVED_CLIENT_LIMIT: &str = "LONG_LIVED_CLIENT_LIMIT";

/// Hive Router's code for a field or type removed by its authorization directives.
const UNAUTHORIZED_FIELD_OR_TYPE: &str = "UNAUTHORIZED_FIELD_OR_TYPE";

/// Hive Router's codes for a bearer token it could not verify (`jwt::errors::JwtError`), which
/// refuse the whole request when the operator requires authentication
/// (`jwt.require_authentication: true`; ours takes such a token for no identity): refused
/// still, but under the contract's code and HTTP 401.
const INVALID_TOKEN_CODES: [&str; 6] = [
    "MISSING_JWT",
    "INVALID_JWT",
    "INVALID_JWT_HEADER",
    "JWT_NOT_SUPPORTED",
    "JWK_ALGORITHM_NOT_SUPPORTED",
    "JWT_LOOKUP_FAILED",
];

pub struct ContractCodes;

#[derive(Debug, Default, Deserialize)]
pub struct ContractCodesConfig {}

#[async_trait]
impl RouterPlugin for ContractCodes {
    type Config = ContractCodesConfig;

    fn plugin_name() -> &'static str {
        PLUGIN_NAME
    }

    fn on_plugin_init(_payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        Ok(Some(Self))
    }

    fn on_http_request<'req>(
        &'req self,
        mut payload: OnHttpRequestHookPayload<'req>,
    ) -> OnHttpRequestHookFuture<'req> {
        Box::pin(async move {
            let headers = payload.router_http_request.headers_mut();
            if let Some(accept) = headers
                .get(header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .and_then(with_single_response_accepted)
            {
                headers.insert(header::ACCEPT, accept);
            }
            payload.on_end(|answered| {
                if is_long_lived_client_refusal(&answered.response) {
                    let error = GraphQLError::from_message_and_code(
                        "this router holds as many open subscriptions as it may; try again shortly",
                        LONG_LIVED_CLIENT_LIMIT,
                    );
                    return answered.end_with_graphql_error(error, StatusCode::SERVICE_UNAVAILABLE);
                }
                answered.proceed()
            })
        })
    }

    fn on_graphql_error<'req>(
        &'req self,
        mut payload: OnGraphQLErrorHookPayload<'req>,
    ) -> OnGraphQLErrorHookResult<'req> {
        let Some(engine_code) = payload.error.extensions.code.clone() else {
            return payload.proceed();
        };
        let code = if engine_code == UNAUTHORIZED_FIELD_OR_TYPE {
            // Verified by the JWT plugin earlier in the same request, or not at all.
            let signed_in = payload
                .request_context
                .read()
                .is_ok_and(|context| context.authentication().jwt_status() == Some(&true));
            if signed_in {
                FORBIDDEN
            } else {
                UNAUTHENTICATED
            }
        } else if INVALID_TOKEN_CODES.contains(&engine_code.as_str()) {
            payload.status_code = StatusCode::UNAUTHORIZED;
            UNAUTHENTICATED
        } else {
            return payload.proceed();
        };
        let extensions = &mut payload.error.extensions;
        extensions.code = Some(code.to_owned());
        // What the engine said, for whoever debugs a refusal.
        extensions.set(
            "reason".to_owned(),
            sonic_rs::Value::from(engine_code.as_str()),
        );
        payload.proceed()
    }
}

/// Hive Router's refusal at its long-lived client limit: a plain-text 503 with `Retry-After: 5`
/// (`pipeline::long_lived_client_limit`), which a GraphQL client cannot read a code from.
fn is_long_lived_client_refusal(response: &WebResponse) -> bool {
    let headers = response.headers();
    response.status() == StatusCode::SERVICE_UNAVAILABLE
        && headers.get(header::RETRY_AFTER).is_some()
        && !headers
            .get(header::CONTENT_TYPE)
            .and_then(|kind| kind.to_str().ok())
            .is_some_and(|kind| kind.contains("json"))
}

/// Media types that carry one GraphQL response.
const SINGLE_RESPONSE_TYPES: [&str; 3] = [
    "application/json",
    "application/graphql-response+json",
    "*/*",
];

/// An `Accept` that lists only streaming types (`text/event-stream`, `multipart/mixed`), with
/// `application/json` added at the lowest preference: a stream stays a stream, and a
/// refusal answered before any stream starts reaches the client as a GraphQL response with
/// its code. `None` when `accept` already takes a single response or asks for no stream.
fn with_single_response_accepted(accept: &str) -> Option<HeaderValue> {
    let streams = accept.contains("text/event-stream") || accept.contains("multipart/mixed");
    let single = SINGLE_RESPONSE_TYPES
        .iter()
        .any(|kind| accept.contains(kind));
    if !streams || single {
        return None;
    }
    HeaderValue::from_str(&format!("{accept}, application/json;q=0.1")).ok()
}

#[cfg(test)]
mod tests {
    use super::with_single_response_accepted;

    #[test]
    fn only_a_stream_only_accept_gains_a_single_response_type() {
        assert_eq!(
            with_single_response_accepted("text/event-stream").unwrap(),
            "text/event-stream, application/json;q=0.1"
        );
        assert!(
            with_single_response_accepted(r#"multipart/mixed;subscriptionSpec="1.0""#).is_some()
        );
        assert_eq!(
            with_single_response_accepted("text/event-stream, application/json"),
            None
        );
        assert_eq!(
            with_single_response_accepted("application/graphql-response+json"),
            None
        );
        assert_eq!(with_single_response_accepted("*/*"), None);
    }
}
