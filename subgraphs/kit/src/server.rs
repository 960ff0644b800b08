//! The HTTP face of a subgraph: `/graphql` (GET and POST; subscriptions, and anything asked
//! for as `text/event-stream`, as GraphQL over SSE), `/health` (the process is up), `/ready` (its
//! MongoDB answers), `/metrics` (Prometheus). Serving it, with the graceful shutdown every
//! service has, is `service_kit::server`.

use std::{
    convert::Infallible,
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

use async_graphql::{ObjectType, Schema, SubscriptionType};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::get,
};
use futures::{Stream, StreamExt};
use metrics_exporter_prometheus::PrometheusHandle;
use mongodb::Database;
use serde_json::json;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use service_kit::telemetry;

use crate::{ErrorCode, identity::Verifier, mongo, operation_labels::OperationLabels, refusals};

/// Everything a request handler needs, cloned cheaply per request.
pub struct AppState<Q, M, S> {
    pub schema: Schema<Q, M, S>,
    pub database: Database,
    pub metrics: PrometheusHandle,
    /// Verifies the identity tokens requests carry; `None` trusts none.
    pub verifier: Option<Arc<Verifier>>,
    pub operation_labels: Arc<OperationLabels>,
    /// Open event streams (subscriptions) this process still takes: each holds memory for as
    /// long as its client stays, so their number is bounded.
    pub streams: Arc<tokio::sync::Semaphore>,
    /// The longest a stream lasts before it completes (its client subscribes again).
    pub max_stream_age: Duration,
    /// How long `/ready` waits for MongoDB's answer to a ping.
    pub mongodb_timeout: Duration,
}

impl<Q, M, S> Clone for AppState<Q, M, S> {
    fn clone(&self) -> Self {
        Self {
            schema: self.schema.clone(),
            database: self.database.clone(),
            metrics: self.metrics.clone(),
            verifier: self.verifier.clone(),
            operation_labels: self.operation_labels.clone(),
            streams: self.streams.clone(),
            max_stream_age: self.max_stream_age,
            mongodb_timeout: self.mongodb_timeout,
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
        .route("/invalidations", get(invalidations::<Q, M, S>))
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
) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let caller = Verifier::caller(state.verifier.as_deref(), &headers);
    let session_ends = caller.expires_at();
    let request = request.into_inner().data(caller);
    let operation = state
        .operation_labels
        .label(request.operation_name.as_deref());
    if wants_event_stream(&headers) {
        return event_stream(&state, request, operation.into_owned(), session_ends).into_response();
    }
    let started = Instant::now();
    let _in_flight = InFlight::begin();
    let mut response = state.schema.execute(request).await;
    finish(&mut response);
    let outcome = if response.is_ok() { "ok" } else { "error" };
    metrics::counter!("graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("graphql_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    GraphQLResponse::from(response).into_response()
}

/// Gives every error a code and counts it by code; an answer with no root field left (by
/// `@skip`/`@include`) gets `data: {}`, as the spec says, not async-graphql's `data: null`
/// (which routers read as a failed fetch).
fn finish(response: &mut async_graphql::Response) {
    refusals::code_the_rest(response);
    if response.data == async_graphql::Value::Null && response.errors.is_empty() {
        response.data = async_graphql::Value::Object(Default::default());
    }
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
}

/// Whether the caller asks for Server-Sent Events: what a router sends a subscription with.
fn wants_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|accept| accept.contains("text/event-stream"))
}

/// How often an open stream with nothing to say sends a comment, so proxies and the router
/// keep the connection and a dead peer is noticed.
const STREAM_HEARTBEAT: Duration = Duration::from_secs(15);

/// Answers `request` as GraphQL over SSE (distinct connections mode): a `next` event per
/// response, then `complete`. A subscription runs until the caller goes away, its token
/// expires (`session_ends`: it ends with an `UNAUTHENTICATED` error) or this process stops
/// (with a `SERVICE_UNAVAILABLE` error telling the client to subscribe again); it completes
/// after [`AppState::max_stream_age`]. Past [`AppState::streams`] open streams, the request is
/// refused with that error.
fn event_stream<Q, M, S>(
    state: &AppState<Q, M, S>,
    request: async_graphql::Request,
    operation: String,
    session_ends: Option<SystemTime>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<Q, M, S>>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let slot = Arc::clone(&state.streams).try_acquire_owned().ok();
    let schema = state.schema.clone();
    let max_age = state.max_stream_age;
    let events = async_stream::stream! {
        let Some(_slot) = slot else {
            yield Ok(error_event(
                ErrorCode::Unavailable,
                "this service holds as many open subscriptions as it may; subscribe again later",
            ));
            yield Ok(complete_event());
            return;
        };
        let _open = OpenStream::begin(&operation);
        let mut responses = std::pin::pin!(schema.execute_stream(request));
        let mut stopping = std::pin::pin!(service_kit::server::shutting_down());
        let mut expired = std::pin::pin!(until(session_ends));
        let mut aged = std::pin::pin!(tokio::time::sleep(max_age));
        loop {
            tokio::select! {
                response = responses.next() => {
                    let Some(mut response) = response else { break };
                    finish(&mut response);
                    metrics::counter!("graphql_stream_events_total", "operation" => operation.clone())
                        .increment(1);
                    yield Ok(next_event(response));
                }
                () = &mut expired => {
                    yield Ok(error_event(
                        ErrorCode::Unauthenticated,
                        "the token expired: sign in again, then subscribe again",
                    ));
                    break;
                }
                // The client subscribes again and starts from a fresh first event.
                () = &mut aged => break,
                () = &mut stopping => {
                    yield Ok(error_event(
                        ErrorCode::Unavailable,
                        "the service is restarting; subscribe again",
                    ));
                    break;
                }
            }
        }
        yield Ok(complete_event());
    };
    Sse::new(events).keep_alive(KeepAlive::new().interval(STREAM_HEARTBEAT))
}

/// The channel a router's entity cache follows (`crate::invalidation`); refused with 503 when
/// the process holds as many open streams as it may.
async fn invalidations<Q, M, S>(State(state): State<AppState<Q, M, S>>) -> Response
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    match Arc::clone(&state.streams).try_acquire_owned() {
        Ok(slot) => crate::invalidation::announcer()
            .channel(slot)
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "this service holds as many open streams as it may; follow again later",
        )
            .into_response(),
    }
}

/// Resolves at `moment`, or never without one.
async fn until(moment: Option<SystemTime>) {
    match moment {
        Some(moment) => {
            let left = moment.duration_since(SystemTime::now()).unwrap_or_default();
            tokio::time::sleep(left).await;
        }
        None => std::future::pending().await,
    }
}

fn next_event(response: async_graphql::Response) -> Event {
    let data = serde_json::to_string(&response)
        .unwrap_or_else(|_| r#"{"errors":[{"message":"unserializable response"}]}"#.to_owned());
    Event::default().event("next").data(data)
}

/// A `next` event carrying only an error with `code`: why the stream ends.
fn error_event(code: ErrorCode, message: &str) -> Event {
    let error = code.error(message).into_server_error(Default::default());
    next_event(async_graphql::Response::from_errors(vec![error]))
}

fn complete_event() -> Event {
    Event::default().event("complete").data("")
}

/// One open event stream, counted in `graphql_streams_open` by operation while it lasts.
struct OpenStream(metrics::Gauge);

impl OpenStream {
    fn begin(operation: &str) -> Self {
        let gauge = metrics::gauge!("graphql_streams_open", "operation" => operation.to_owned());
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
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
    match mongo::ping(&state.database, state.mongodb_timeout).await {
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
