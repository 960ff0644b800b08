//! The router's own resources on its `/metrics`, which Hive Router 0.2 does not report: CPU
//! time, resident memory, open file descriptors (its client connections, mostly) and threads,
//! named after OpenTelemetry's process conventions and read from `/proc` at each scrape.

use hive_router::plugins::{
    hooks::on_plugin_init::{OnPluginInitPayload, OnPluginInitResult},
    plugin_trait::RouterPlugin,
};
use opentelemetry::metrics::{ObservableCounter, ObservableGauge};
use serde::Deserialize;

/// The name this plugin has in Hive Router's `plugins:` configuration.
pub const PLUGIN_NAME: &str = "storefront_process_metrics";

/// Clock ticks per second in `/proc/<pid>/stat`: Linux's USER_HZ, 100 on every architecture
/// the router is built for.
const TICKS_PER_SECOND: f64 = 100.0;

pub struct ProcessMetrics {
    // Held for the router's life: the meter calls them back at each scrape.
    _cpu_time: ObservableCounter<f64>,
    _memory: ObservableGauge<u64>,
    _open_files: ObservableGauge<u64>,
    _threads: ObservableGauge<u64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProcessMetricsConfig {}

impl RouterPlugin for ProcessMetrics {
    type Config = ProcessMetricsConfig;

    fn plugin_name() -> &'static str {
        PLUGIN_NAME
    }

    // Plugins start after Hive Router has set the global meter provider its `/metrics` reads.
    fn on_plugin_init(_payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        let meter = opentelemetry::global::meter("storefront_router");
        let cpu_time = meter
            .f64_observable_counter("process.cpu.time")
            .with_unit("s")
            .with_description("CPU time the router has used, user and system")
            .with_callback(|observer| {
                if let Some(seconds) = cpu_seconds() {
                    observer.observe(seconds, &[]);
                }
            })
            .build();
        let memory = meter
            .u64_observable_gauge("process.memory.usage")
            .with_unit("By")
            .with_description("The router's resident memory")
            .with_callback(|observer| {
                if let Some(bytes) = status_field("VmRSS:").map(|kib| kib * 1024) {
                    observer.observe(bytes, &[]);
                }
            })
            .build();
        let open_files = meter
            .u64_observable_gauge("process.open_file_descriptor.count")
            .with_description(
                "File descriptors the router holds open: its client and subgraph connections, \
                 mostly",
            )
            .with_callback(|observer| {
                if let Ok(open) = std::fs::read_dir("/proc/self/fd") {
                    observer.observe(open.count() as u64, &[]);
                }
            })
            .build();
        let threads = meter
            .u64_observable_gauge("process.thread.count")
            .with_description("The router's threads")
            .with_callback(|observer| {
                if let Some(threads) = status_field("Threads:") {
                    observer.observe(threads, &[]);
                }
            })
            .build();
        Ok(Some(Self {
            _cpu_time: cpu_time,
            _memory: memory,
            _open_files: open_files,
            _threads: threads,
        }))
    }
}

/// User and system CPU seconds, from `/proc/self/stat` (its 14th and 15th fields).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: count fields after it (state is 3rd).
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / TICKS_PER_SECOND)
}

/// A numeric field of `/proc/self/status` (`VmRSS:` in KiB, `Threads:`).
fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
