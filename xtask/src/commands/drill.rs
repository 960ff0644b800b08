//! `cargo xtask drill [FILTER]`: runs the multi-host drills (`e2e/tests/e2e/drills.rs`) by hand,
//! each on hosts made of network namespaces (root and iproute2/iptables needed), and writes
//! what they measured to `bench/drills.md` and README's table. `cargo xtask test` runs the same
//! drills; only this command keeps their figures.

use std::{collections::BTreeMap, path::Path};

use anyhow::{Context, bail};
use clap::Args;
use serde::{Deserialize, Serialize};
use xtask::{paths, system};

use super::{
    build_binaries,
    results::{publish, publish_into_readme, publish_quietly},
    step,
    test::cargo_test_with_mongodb,
};

/// The results file, whose table README shows.
pub const RESULTS: &str = "bench/drills.md";
/// Every drill's latest record, by drill name: a run of some drills keeps the others'.
const RECORDS: &str = "bench/drills.json";

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Run only the drills whose test name starts with this (`primary`: the cart's primary
    /// partitioned; `services`: latency and loss, a subgraph partitioned from the router and
    /// from its database); all by default
    filter: Option<String>,
}

/// What one drill measured (written by `e2e::drills::record`).
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    drill: String,
    guarantee: String,
    figures: Vec<(String, String)>,
}

pub async fn run(args: DrillArgs) -> anyhow::Result<()> {
    ensure_tools().await?;
    build_binaries().await?;
    let fresh = paths::dev_dir().join("drill-results");
    let _ = std::fs::remove_dir_all(&fresh);
    std::fs::create_dir_all(&fresh)?;
    let filter = format!("drills::{}", args.filter.unwrap_or_default());
    let status = cargo_test_with_mongodb(
        None,
        &[
            // The whole workspace's features, as `cargo xtask test` builds them: no rebuild.
            "--workspace",
            "--test",
            "e2e",
            "--",
            &filter,
            // The drills CI has no time for are ignored there, and run here.
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ],
        &[("STOREFRONT_DRILL_RESULTS", fresh.clone().into_os_string())],
    )
    .await?;
    let mut records = read_records()?;
    let mut ran = 0;
    for entry in std::fs::read_dir(&fresh)? {
        let path = entry?.path();
        let record: Record = serde_json::from_slice(&std::fs::read(&path)?)
            .with_context(|| format!("reading {}", path.display()))?;
        records.insert(record.drill.clone(), record);
        ran += 1;
    }
    if ran > 0 {
        publish_quietly(Path::new(RECORDS), &serde_json::to_string_pretty(&records)?)?;
        let table = render(&records);
        publish(
            Path::new(RESULTS),
            &format!(
                "# Multi-host drills\n\nWritten by `cargo xtask drill` (the drills in \
                 `e2e/tests/e2e/drills.rs`, each on its own hosts made of network namespaces: \
                 a host per service, a replica set per subgraph). Each row is the latest run \
                 of that drill on this machine.\n\n{table}"
            ),
        )?;
        publish_into_readme(RESULTS, &table)?;
    }
    if !status.success() {
        bail!("a drill failed ({status}); only the drills that passed updated their figures");
    }
    if ran == 0 {
        bail!("no drill's name starts with {filter:?} (see e2e/tests/e2e/drills.rs)");
    }
    step(&format!("{ran} drill(s) ran"));
    Ok(())
}

/// What the drills need beyond the tests' own tools.
pub async fn ensure_tools() -> anyhow::Result<()> {
    system::ensure_programs(
        &["ip", "iptables"],
        &["iproute2", "iptables"],
        "the multi-host drills",
    )
    .await
}

fn read_records() -> anyhow::Result<BTreeMap<String, Record>> {
    let path = paths::workspace_root().join(RECORDS);
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(err) => Err(err.into()),
    }
}

/// One table: a row per figure, under its drill and guarantee.
fn render(records: &BTreeMap<String, Record>) -> String {
    let mut table =
        String::from("| drill | guarantee | figure | measured |\n| --- | --- | --- | ---: |\n");
    for record in records.values() {
        for (index, (what, value)) in record.figures.iter().enumerate() {
            let (drill, guarantee) = if index == 0 {
                (format!("`{}`", record.drill), record.guarantee.as_str())
            } else {
                (String::new(), "")
            };
            table.push_str(&format!("| {drill} | {guarantee} | {what} | {value} |\n"));
        }
    }
    table
}
