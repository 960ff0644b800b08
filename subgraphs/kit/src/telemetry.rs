//! Logs and metrics set up once per process: `tracing` to stdout (pretty or JSON) and a
//! Prometheus recorder whose text rendering `/metrics` serves; and the span each request is
//! logged under, carrying its request id and the W3C trace it belongs to.

use std::{
    collections::HashSet,
    io::IsTerminal,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, Ordering},
    },
};

use axum::http::Request;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use opentelemetry::{propagation::TextMapPropagator, trace::TraceContextExt};
use opentelemetry_http::HeaderExtractor;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

/// Installs the global log subscriber; `RUST_LOG` overrides the default `info` filter. With an
/// OTLP endpoint, spans are also exported as OpenTelemetry traces, named after `service`.
pub fn init_logging(format: LogFormat, service: &'static str, otlp_endpoint: Option<&str>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let traces = otlp_endpoint.and_then(|endpoint| match otlp_tracer(service, endpoint) {
        Ok(tracer) => Some(tracing_opentelemetry::layer().with_tracer(tracer)),
        Err(err) => {
            eprintln!("warning: OpenTelemetry traces are off: {err}");
            None
        }
    });
    EXPORTING_TRACES.store(traces.is_some(), Ordering::Relaxed);
    let registry = tracing_subscriber::registry().with(filter).with(traces);
    // A second initialisation (tests building several apps in one process) is harmless.
    let _ = match format {
        LogFormat::Pretty => registry
            .with(
                fmt::layer()
                    .compact()
                    .with_ansi(std::io::stdout().is_terminal()),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init(),
    };
}

static EXPORTING_TRACES: AtomicBool = AtomicBool::new(false);

/// Whether spans leave the process (an OTLP endpoint is set): spans no log line is written in,
/// such as MongoDB commands', are only worth opening then.
pub fn exporting_traces() -> bool {
    EXPORTING_TRACES.load(Ordering::Relaxed)
}

/// A tracer exporting batches over OTLP/HTTP from a thread of its own (its own Tokio runtime,
/// so exporting never competes with request handling).
fn otlp_tracer(
    service: &'static str,
    endpoint: &str,
) -> Result<opentelemetry_sdk::trace::Tracer, opentelemetry_otlp::ExporterBuildError> {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::WithExportConfig as _;
    use opentelemetry_sdk::{
        Resource, runtime::TokioCurrentThread, trace::SdkTracerProvider,
        trace::span_processor_with_async_runtime::BatchSpanProcessor,
    };

    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(endpoint)
        .build()?;
    let provider = SdkTracerProvider::builder()
        .with_span_processor(BatchSpanProcessor::builder(exporter, TokioCurrentThread).build())
        .with_resource(Resource::builder().with_service_name(service).build())
        .build();
    opentelemetry::global::set_tracer_provider(provider.clone());
    Ok(provider.tracer(service))
}

/// Installs the Prometheus recorder behind the `metrics` facade (once) and returns its handle.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&LATENCY_BUCKETS_SECONDS)
                .expect("static, non-empty bucket list")
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder)
                .expect("the metrics recorder is installed only here");
            // Histogram samples wait in the recorder until folded into their buckets, which
            // rendering `/metrics` does; unscraped, they would pile up with every request.
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(METRICS_UPKEEP);
                        upkeep.run_upkeep();
                    }
                })
                .expect("a thread for metrics upkeep");
            handle
        })
        .clone()
}

/// The `operation` label of the request metrics. Clients choose operation names (and the
/// router forwards them, naming its subgraph fetches after them), and every distinct label
/// value is a series held in memory for good. So only the registered client operations (the
/// manifest `contract/persisted-documents.json`, built in) get series of their own, whoever
/// asks first; every other name is counted under `other`, whatever clients send.
pub struct OperationLabels {
    registered: HashSet<Arc<str>>,
}

/// The registered client operations, as the router's trusted-documents manifest lists them.
const REGISTERED_OPERATIONS: &str = include_str!("../../../contract/persisted-documents.json");

#[derive(serde::Deserialize)]
struct Manifest {
    operations: Vec<ManifestOperation>,
}

#[derive(serde::Deserialize)]
struct ManifestOperation {
    name: String,
}

impl OperationLabels {
    /// What requests without an operation name are counted under.
    pub const ANONYMOUS: &str = "anonymous";
    /// What every name that is not a registered operation is counted under.
    pub const OTHER: &str = "other";

    /// Labels naming the registered client operations built into this binary.
    pub fn registered() -> Self {
        let manifest: Manifest = serde_json::from_str(REGISTERED_OPERATIONS)
            .expect("contract/persisted-documents.json is a persisted-query manifest");
        Self::new(
            manifest
                .operations
                .into_iter()
                .map(|operation| operation.name),
        )
    }

    /// Labels naming exactly `operations`.
    pub fn new(operations: impl IntoIterator<Item = String>) -> Self {
        Self {
            registered: operations.into_iter().map(Arc::from).collect(),
        }
    }

    /// The label value a request named `name` is counted under: the registered operation it
    /// is (sent straight, or as the router's fetch `{operation}__{step}`), else `other`.
    pub fn label(&self, name: Option<&str>) -> metrics::SharedString {
        let Some(name) = name else {
            return Self::ANONYMOUS.into();
        };
        let operation = fetched_operation(name).unwrap_or(name);
        match self.registered.get(operation) {
            Some(known) => known.clone().into(),
            None => Self::OTHER.into(),
        }
    }
}

/// `ProductPage` from the name Hive Router gives its fetch of a step (`ProductPage__3`) when
/// it forwards operation names (`traffic_shaping.all.forward_operation_name`).
fn fetched_operation(name: &str) -> Option<&str> {
    let (operation, step) = name.rsplit_once("__")?;
    step.parse::<u32>().ok().map(|_| operation)
}

/// How often pending histogram samples are folded into their buckets (the exporter's own
/// default when it runs its server).
const METRICS_UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// Histogram buckets from 0.5 ms to 5 s: MongoDB commands and subgraph requests both live here.
const LATENCY_BUCKETS_SECONDS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The span a request is handled (and logged) in: method, path, the request id, and the trace
/// and parent span of the caller's W3C `traceparent` (the router's, when it traces).
pub fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let headers = request.headers();
    let request_id = headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let caller = TraceContextPropagator::new().extract(&HeaderExtractor(headers));

    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id,
        trace_id = tracing::field::Empty,
        parent_span_id = tracing::field::Empty,
    );
    let caller_span = caller.span().span_context().clone();
    if caller_span.is_valid() {
        span.record("trace_id", tracing::field::display(caller_span.trace_id()));
        span.record(
            "parent_span_id",
            tracing::field::display(caller_span.span_id()),
        );
        // Exported spans continue the caller's trace.
        let _ = tracing_opentelemetry::OpenTelemetrySpanExt::set_parent(&span, caller);
    }
    span
}

#[cfg(test)]
mod tests {
    use super::OperationLabels;

    #[test]
    fn only_registered_operations_get_series_of_their_own_whoever_comes_first() {
        let labels = OperationLabels::new(["Home".to_owned(), "Search".to_owned()]);
        let label = |name: Option<&str>| labels.label(name).as_ref().to_owned();
        // Made-up names first: none of them takes a series.
        for n in 0..1_000 {
            assert_eq!(label(Some(&format!("Op{n}"))), OperationLabels::OTHER);
        }
        assert_eq!(label(None), OperationLabels::ANONYMOUS);
        assert_eq!(label(Some("Home")), "Home");
        // The router's fetch of a step counts as the operation; a look-alike does not.
        assert_eq!(label(Some("Search__0")), "Search");
        assert_eq!(label(Some("Search__12")), "Search");
        assert_eq!(label(Some("Search__x")), OperationLabels::OTHER);
        assert_eq!(label(Some("Search_1")), OperationLabels::OTHER);
        assert_eq!(label(Some("Homes")), OperationLabels::OTHER);
    }

    #[test]
    fn the_built_in_manifest_names_the_registered_operations() {
        let labels = OperationLabels::registered();
        assert_eq!(labels.label(Some("ProductPage")).as_ref(), "ProductPage");
        assert_eq!(labels.label(Some("CartView__1")).as_ref(), "CartView");
        assert!(labels.registered.len() >= 9, "{}", labels.registered.len());
    }
}
