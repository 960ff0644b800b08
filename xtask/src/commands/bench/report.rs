//! `bench/results.md`: one row per scenario, then the figures against the targets, CPU per
//! process during the fixed-rate run, and peak memory.

use std::fmt::Write as _;

use super::{
    BenchArgs, Measured,
    load::OHA_VERSION,
    sampling::machine,
    scenarios::{Drive, SEARCH_WORDS, ScenarioId, Target},
};

pub fn render(
    args: &BenchArgs,
    results: &[Measured],
    rss: &[(String, f64)],
) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    writeln!(out, "# Benchmark results\n")?;
    writeln!(
        out,
        "Written by `cargo xtask bench` (release builds, {} seeded products, {:?} per scenario, \
         {} connections; load generator `oha` {OHA_VERSION}; load generator, MongoDB, router and \
         subgraphs all on the same machine; every process logs warnings and errors only).\n",
        args.products, args.duration, args.connections
    )?;
    writeln!(out, "Machine: {}\n", machine())?;
    writeln!(
        out,
        "| scenario | target | rps | p50 ms | p95 ms | p99 ms | failed | MongoDB commands / request | machine CPU busy |"
    )?;
    writeln!(
        out,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )?;
    for m in results {
        let target = match m.scenario.target {
            Target::Router => "router".to_owned(),
            Target::Subgraph(name) => format!("{name} (direct)"),
        };
        writeln!(
            out,
            "| {} | {target} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.2} | {:.0}% |",
            m.scenario.title(),
            m.rps,
            m.p50_ms,
            m.p95_ms,
            m.p99_ms,
            m.failed,
            m.mongodb_commands,
            m.machine_busy
        )?;
    }
    let find = |id: ScenarioId| results.iter().find(|m| m.scenario.id == id);
    writeln!(
        out,
        "\nRequests cycle through 1000 products spread over the catalog (ProductPage, \
         ProductById), every category (CategoryListing) and {} search words; Home is the same \
         for everyone. MongoDB commands per request fall under concurrency: each subgraph's \
         DataLoaders batch the keys of every request ready to run into one query; categories, \
         running promotions and rates come from memory kept current by MongoDB change streams \
         (product data is read from MongoDB on every request). \"One at a time\" rows are one \
         connection, so their latency is the call's own, without queueing. \"Failed\" counts \
         non-2xx responses and requests that got no response.",
        SEARCH_WORDS.len()
    )?;
    writeln!(out, "\n## Against the targets\n")?;
    if let (Some(via), Some(direct)) = (
        find(ScenarioId::ProductByIdViaGatewaySerial),
        find(ScenarioId::ProductByIdDirectSerial),
    ) {
        let overhead = via.p50_ms / direct.p50_ms;
        writeln!(
            out,
            "- Router overhead on latency (same catalog query one request at a time, p50 \
             through the router / p50 direct): **{overhead:.2}×**, {:.2} ms added (target ≤ \
             1.3×: {}).",
            via.p50_ms - direct.p50_ms,
            verdict(overhead <= 1.3),
        )?;
    }
    if let (Some(via), Some(direct)) = (
        find(ScenarioId::ProductByIdViaGateway),
        find(ScenarioId::ProductByIdDirect),
    ) {
        writeln!(
            out,
            "- Router overhead under saturation ({} connections, CPU-bound: the router's work \
             competes with the subgraph's for the same cores): throughput direct / via router \
             **{:.2}×**, p50 {:.2}× (against the same 1.3×: {}).",
            args.connections,
            direct.rps / via.rps,
            via.p50_ms / direct.p50_ms,
            verdict(direct.rps / via.rps <= 1.3),
        )?;
    }
    if let Some(fixed) = find(ScenarioId::ProductPageFixedRate) {
        let rate = match fixed.scenario.drive {
            Drive::Rate(rate) => rate,
            Drive::Saturate | Drive::Serial => args.rate,
        };
        writeln!(
            out,
            "- ProductPage at {rate} rps: p99 **{:.2} ms** (target < 25 ms: {}); achieved {:.0} rps.",
            fixed.p99_ms,
            verdict(fixed.p99_ms < 25.0),
            fixed.rps
        )?;
        writeln!(
            out,
            "\nCPU during the {rate} rps run ({:.0}% of the machine busy; the rest of the busy time \
             is the load generator and the system):\n",
            fixed.machine_busy
        )?;
        writeln!(out, "| process | CPU, % of one core |\n| --- | ---: |")?;
        for (name, percent) in &fixed.process_cpu {
            writeln!(out, "| {name} | {percent:.0} |")?;
        }
    }
    writeln!(out, "\n## Peak memory (VmHWM) after the run\n")?;
    writeln!(out, "| process | peak RSS MiB |\n| --- | ---: |")?;
    for (name, mib) in rss {
        writeln!(out, "| {name} | {mib:.1} |")?;
    }
    Ok(out)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
}
