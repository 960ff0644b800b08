//! The HTTP face of a subgraph: `/graphql` (GET and POST), `/health` (the process is up),
//! `/ready` (its MongoDB answers), `/metrics` (Prometheus). Serving it, with the graceful
//! shutdown every service has, is `service_kit::server`.

use std::{sync::Arc, time::Instant};

use async_graphql::{ObjectType, Schema, SubscriptionType};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::get,
};
use metrics_exporter_prometheus::PrometheusHandle;
use mongodb::Database;
use serde_json::json;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use service_kit::telemetry;

use crate::{identity::Verifier, mongo, operation_labels::OperationLabels, refusals};

/// Everything a request handler needs, cloned cheaply per request.
pub struct AppState<Q, M, S> {
    pub schema: Schema<Q, M, S>,
    pub database: Database,
    pub metrics: PrometheusHandle,
    /// Verifies the identity tokens requests carry; `None` trusts none.
    pub verifier: Option<Arc<Verifier>>,
    pub operation_labels: Arc<OperationLabels>,
}

impl<Q, M, S> Clone for AppState<Q, M, S> {
    fn clone(&self) -> Self {
        Self {
            schema: self.schema.clone(),
            database: self.database.clone(),
            metrics: self.metrics.clone(),
            verifier: self.verifier.clone(),
            operation_labels: self.operation_labels.clone(),
        }
    }
}

/// The subgraph's routes (served by `service_kit::server::serve`; tests drive them without a
/// socket).
pub fn app<Q, M, S>(state: AppState<Q, M, S>) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    Router::new()
        .route("/graphql", get(graphql::<Q, M, S>).post(graphql::<Q, M, S>))
        .route("/health", get(health))
        .route("/ready", get(ready::<Q, M, S>))
        .route("/metrics", get(render_metrics::<Q, M, S>))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(telemetry::request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        // The router's `x-request-id` (or a new one), on every log line and the response.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

async fn graphql<Q, M, S>(
    State(state): State<AppState<Q, M, S>>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let caller = Verifier::caller(state.verifier.as_deref(), &headers);
    let request = request.into_inner().data(caller);
    let operation = state
        .operation_labels
        .label(request.operation_name.as_deref());
    let started = Instant::now();
    let _in_flight = InFlight::begin();
    let mut response = state.schema.execute(request).await;
    refusals::code_the_rest(&mut response);
    // async-graphql answers `data: null` when `@skip`/`@include` leave no root field, which
    // routers read as a failed fetch; the spec's answer is an empty object.
    if response.data == async_graphql::Value::Null && response.errors.is_empty() {
        response.data = async_graphql::Value::Object(Default::default());
    }
    let outcome = if response.is_ok() { "ok" } else { "error" };
    // Every error carries a code by now (`code_the_rest`), from the kit's bounded set.
    for error in &response.errors {
        let code = error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .and_then(|code| match code {
                async_graphql::Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "NONE".to_owned());
        metrics::counter!("graphql_errors_total", "code" => code).increment(1);
    }
    metrics::counter!("graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("graphql_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    response.into()
}

/// One GraphQL request being answered, counted in `graphql_requests_in_flight` from its start
/// until it is answered or its caller goes away.
struct InFlight;

impl InFlight {
    fn begin() -> Self {
        metrics::gauge!("graphql_requests_in_flight").increment(1.0);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!("graphql_requests_in_flight").decrement(1.0);
    }
}

async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

async fn ready<Q, M, S>(State(state): State<AppState<Q, M, S>>) -> impl IntoResponse {
    match mongo::ping(&state.database).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "MongoDB did not answer a ping" })),
            )
        }
    }
}

async fn render_metrics<Q, M, S>(State(state): State<AppState<Q, M, S>>) -> impl IntoResponse {
    (
        [("content-type", "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
