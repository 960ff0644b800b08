//! Logs and metrics set up once per process: `tracing` to stdout (pretty or JSON), OTLP traces
//! when asked, and a Prometheus recorder whose text rendering `/metrics` serves; and the span
//! each request is logged under, carrying its request id and the W3C trace it belongs to.

use std::{
    io::IsTerminal,
    sync::{
        OnceLock,
        atomic::{AtomicBool, Ordering},
    },
};

use axum::http::Request;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use opentelemetry::{propagation::TextMapPropagator, trace::TraceContextExt};
use opentelemetry_http::HeaderExtractor;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// For people: compact, coloured on a terminal.
    Pretty,
    /// For machines: one JSON object per line, with the request's span fields.
    Json,
}

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
                .set_buckets_for_metric(Matcher::Suffix("_size".to_owned()), &COUNT_BUCKETS)
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

/// How often pending histogram samples are folded into their buckets (the exporter's own
/// default when it runs its server).
const METRICS_UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// Buckets of histograms that count things (`…_size`: keys in a DataLoader batch, say).
const COUNT_BUCKETS: [f64; 9] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0];

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
