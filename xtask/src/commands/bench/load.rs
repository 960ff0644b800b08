//! The load generator: `oha` (crates.io, pinned), installed into `.dev/tools` on first use,
//! run once per scenario, its JSON report read into typed structs (a field it leaves out is
//! an error, never a 0 or NaN in the table).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use xtask::{paths, process::run_to_completion};

use super::scenarios::Drive;
use crate::commands::{run_cargo, step};

/// The load generator, pinned.
pub const OHA_VERSION: &str = "1.16.0";

/// The part of oha's `--output-format json` report the bench reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OhaReport {
    pub summary: Summary,
    pub latency_percentiles: Percentiles,
    /// Responses by HTTP status.
    pub status_code_distribution: BTreeMap<String, u64>,
    /// Requests that got no response at all, by reason.
    pub error_distribution: BTreeMap<String, u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub requests_per_sec: f64,
}

/// Latencies in seconds.
#[derive(Debug, Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// Latency percentiles in milliseconds, as the reports show them.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LatencyMs {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

impl LatencyMs {
    /// No latency: nothing was answered.
    pub const NONE: Self = Self {
        p50_ms: f64::NAN,
        p95_ms: f64::NAN,
        p99_ms: f64::NAN,
    };
}

impl OhaReport {
    /// The latency percentiles in milliseconds.
    pub fn latency_ms(&self) -> LatencyMs {
        let percentiles = &self.latency_percentiles;
        LatencyMs {
            p50_ms: percentiles.p50 * 1000.0,
            p95_ms: percentiles.p95 * 1000.0,
            p99_ms: percentiles.p99 * 1000.0,
        }
    }

    /// Requests that got an HTTP response.
    pub fn responses(&self) -> u64 {
        self.status_code_distribution.values().sum()
    }

    /// Responses other than 2xx, plus requests that got none — except those oha itself cut
    /// off when the run's time was up (one per connection, in flight at the end).
    pub fn failures(&self) -> u64 {
        let non_2xx: u64 = self
            .status_code_distribution
            .iter()
            .filter(|(code, _)| !code.starts_with('2'))
            .map(|(_, count)| count)
            .sum();
        let unanswered: u64 = self
            .error_distribution
            .iter()
            .filter(|(reason, _)| !reason.contains("aborted due to deadline"))
            .map(|(_, count)| count)
            .sum();
        non_2xx + unanswered
    }
}

/// `oha` from crates.io, installed once into `.dev/tools`.
pub async fn ensure_oha() -> anyhow::Result<PathBuf> {
    let root = paths::dev_dir().join("tools");
    let binary = root.join("bin/oha");
    if binary.is_file() {
        return Ok(binary);
    }
    step(&format!(
        "Installing the load generator oha {OHA_VERSION} into .dev/tools (first run only, a few minutes)"
    ));
    let root_arg = root.display().to_string();
    run_cargo(&[
        "install",
        "oha",
        "--locked",
        "--version",
        OHA_VERSION,
        "--root",
        &root_arg,
    ])
    .await?;
    Ok(binary)
}

/// POSTs `bodies` (cycled) to `url` for `duration`, driven as `drive` says. `None` when no
/// request got a response in that time (oha then has no latencies to report).
pub async fn run_oha(
    oha: &Path,
    url: &str,
    bodies: &[Value],
    body_file: &Path,
    duration: Duration,
    connections: u32,
    drive: Drive,
) -> anyhow::Result<Option<OhaReport>> {
    let lines: Vec<String> = bodies.iter().map(Value::to_string).collect();
    std::fs::write(body_file, lines.join("\n") + "\n")?;
    let connections = match drive {
        Drive::Serial => 1,
        Drive::Saturate | Drive::Rate(_) => connections,
    };
    let mut command = tokio::process::Command::new(oha);
    command
        .arg(url)
        .args(["-m", "POST", "-T", "application/json", "--no-tui"])
        .args(["--output-format", "json"])
        .arg("-Z")
        .arg(body_file)
        .args(["-z", &format!("{}s", duration.as_secs())])
        .args(["-c", &connections.to_string()]);
    if let Drive::Rate(rate) = drive {
        command.args(["-q", &rate.to_string(), "--latency-correction"]);
    }
    let output = run_to_completion("oha", command).await?;
    let report: Value = serde_json::from_str(&output)
        .with_context(|| format!("oha's report is not JSON: {output}"))?;
    if report["statusCodeDistribution"]
        .as_object()
        .is_some_and(|statuses| statuses.is_empty())
    {
        return Ok(None);
    }
    serde_json::from_value(report)
        .map(Some)
        .with_context(|| format!("oha's report is not what we read: {output}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_read_with_every_field_it_needs() {
        let report: OhaReport = serde_json::from_str(
            r#"{"summary":{"requestsPerSec":812.5,"successRate":1.0},
                "latencyPercentiles":{"p50":0.004,"p95":0.008,"p99":0.012},
                "statusCodeDistribution":{"200":900,"502":3},
                "errorDistribution":{"connection reset":2,"aborted due to deadline":32}}"#,
        )
        .unwrap();
        assert_eq!(report.summary.requests_per_sec, 812.5);
        assert_eq!(report.latency_percentiles.p99, 0.012);
        assert_eq!(report.responses(), 903);
        assert_eq!(report.failures(), 5);
    }

    #[test]
    fn a_missing_or_null_figure_is_an_error() {
        let missing = r#"{"summary":{},"latencyPercentiles":{"p50":0.1,"p95":0.1,"p99":0.1},
            "statusCodeDistribution":{},"errorDistribution":{}}"#;
        assert!(serde_json::from_str::<OhaReport>(missing).is_err());
        let null = r#"{"summary":{"requestsPerSec":1.0},"latencyPercentiles":{"p50":null,"p95":0.1,"p99":0.1},
            "statusCodeDistribution":{},"errorDistribution":{}}"#;
        assert!(serde_json::from_str::<OhaReport>(null).is_err());
    }
}
