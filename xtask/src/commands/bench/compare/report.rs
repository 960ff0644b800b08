//! `bench/compare.md`: per workload a row per gateway (means over the rounds, with their
//! spread, and ratios against our router), then the comparison's targets.

use std::fmt::Write as _;

use super::{Comparison, Row, Via, Workload, via_name};
use crate::commands::bench::{load::OHA_VERSION, peers::Gateway};

/// One gateway's runs of one workload, summarised.
struct Summary {
    via: Via,
    rps: f64,
    /// Largest distance of a round's rps from the mean, as a share of it.
    spread: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    /// The same spread for p99.
    p99_spread: f64,
    errors: u64,
    cpu_seconds_per_1000: f64,
    peak_rss_mib: f64,
    mongodb_commands_per_request: f64,
    /// The rounds' mean share of cache hits, for a gateway with an entity cache.
    cache_hit_ratio: Option<f64>,
}

fn summarise(rows: &[&Row]) -> Option<Summary> {
    let first = rows.first()?;
    let mean =
        |figure: fn(&Row) -> f64| rows.iter().map(|r| figure(r)).sum::<f64>() / rows.len() as f64;
    let spread = |figure: fn(&Row) -> f64| {
        let mean = mean(figure);
        rows.iter()
            .map(|r| (figure(r) - mean).abs() / mean.max(f64::EPSILON))
            .fold(0.0, f64::max)
    };
    Some(Summary {
        via: first.via,
        rps: mean(|r| r.rps),
        spread: spread(|r| r.rps),
        p50_ms: mean(|r| r.latency.p50_ms),
        p95_ms: mean(|r| r.latency.p95_ms),
        p99_ms: mean(|r| r.latency.p99_ms),
        p99_spread: spread(|r| r.latency.p99_ms),
        errors: rows.iter().map(|r| r.errors).sum(),
        cpu_seconds_per_1000: mean(|r| r.cpu_seconds_per_1000),
        peak_rss_mib: rows.iter().map(|r| r.peak_rss_mib).fold(0.0, f64::max),
        mongodb_commands_per_request: mean(|r| r.mongodb_commands_per_request),
        cache_hit_ratio: rows
            .iter()
            .map(|r| r.cache_hit_ratio)
            .sum::<Option<f64>>()
            .map(|sum| sum / rows.len() as f64),
    })
}

/// Each target's summary of `workload`, ours first, in the order the gateways were listed.
fn summaries(comparison: &Comparison, workload: Workload) -> Vec<Summary> {
    let mut vias: Vec<Via> = comparison
        .gateways
        .iter()
        .map(|(gateway, _, _)| Via::Gateway(*gateway))
        .collect();
    vias.push(Via::CatalogDirect);
    vias.into_iter()
        .filter_map(|via| {
            let rows: Vec<&Row> = comparison
                .rows
                .iter()
                .filter(|r| r.workload == workload && r.via == via)
                .collect();
            summarise(&rows)
        })
        .collect()
}

/// The summary of `via`'s runs of `workload`, if it ran.
fn summary(comparison: &Comparison, workload: Workload, via: Via) -> Option<Summary> {
    summaries(comparison, workload)
        .into_iter()
        .find(|s| s.via == via)
}

pub fn render(comparison: &Comparison) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    writeln!(out, "# Our router side by side with the peers\n")?;
    writeln!(
        out,
        "Written by `cargo xtask bench --compare`: release builds, {} seeded products, the same \
         composed supergraph and the same running subgraphs and MongoDB for every gateway. \
         {} closed-loop connections (one for the one-at-a-time rows), {} s of warm-up then {} s \
         measured, every (workload, gateway) pair {} times, interleaved (each round visits the \
         gateways in the other order). Load generator `oha` {OHA_VERSION}. Machine: {}.\n",
        comparison.products,
        comparison.connections,
        comparison.warmup_seconds,
        comparison.seconds_per_run,
        comparison.rounds,
        comparison.machine,
    )?;
    writeln!(
        out,
        "**Core layout:** nothing is pinned. The gateway under load, the four subgraphs, \
         MongoDB and the load generator share both cores (the other gateways sit idle), so a \
         gateway's own CPU takes time from the subgraphs it waits on; the CPU seconds per 1000 \
         requests are the gateway's own processes' cost whatever the layout. Figures are the \
         rounds' means; *spread* is the largest distance of a round's throughput from that \
         mean. Peak RSS is the gateway's largest resident memory during the run.\n"
    )?;
    writeln!(out, "## Gateways\n")?;
    writeln!(
        out,
        "| gateway | what ran | configured as |\n| --- | --- | --- |"
    )?;
    for (gateway, label, configured) in &comparison.gateways {
        writeln!(out, "| {gateway} | {label} | {configured} |")?;
    }
    for missing in &comparison.missing {
        writeln!(
            out,
            "| {} | not measured | {} |",
            missing.gateway, missing.reason
        )?;
    }
    for (workload, gateway, reason) in &comparison.wrong_answers {
        writeln!(
            out,
            "\n{gateway} is not measured on *{}*: {reason}.",
            workload.title()
        )?;
    }

    for workload in Workload::ALL {
        let rows = summaries(comparison, workload);
        let Some(ours) = rows
            .iter()
            .find(|s| s.via == Via::Gateway(Gateway::Storefront))
        else {
            continue;
        };
        let bytes = comparison
            .response_bytes
            .iter()
            .find(|(w, _)| *w == workload)
            .map_or(0, |(_, bytes)| *bytes);
        writeln!(
            out,
            "\n## {} (responses ~{:.1} KB)\n",
            workload.title(),
            bytes as f64 / 1024.0
        )?;
        writeln!(
            out,
            "| gateway | rps | spread | p50 ms | p95 ms | p99 ms | errors | CPU s / 1000 req | peak RSS MiB | MongoDB cmds / req | cache hits | rps vs ours | p99 vs ours |"
        )?;
        writeln!(
            out,
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        )?;
        for s in &rows {
            writeln!(
                out,
                "| {} | {:.0} | ±{:.1}% | {} | {} | {} | {} | {} | {:.1} | {} | {} | {:.2}× | {}× |",
                via_name(s.via),
                s.rps,
                s.spread * 100.0,
                shown(s.p50_ms, 2),
                shown(s.p95_ms, 2),
                shown(s.p99_ms, 2),
                s.errors,
                shown(s.cpu_seconds_per_1000, 3),
                s.peak_rss_mib,
                shown(s.mongodb_commands_per_request, 2),
                s.cache_hit_ratio
                    .map_or("—".to_owned(), |ratio| format!("{:.1}%", ratio * 100.0)),
                s.rps / ours.rps,
                shown(s.p99_ms / ours.p99_ms, 2),
            )?;
        }
    }
    staleness(&mut out, comparison)?;
    targets(&mut out, comparison)?;
    plugin_costs(&mut out, comparison)?;
    Ok(out)
}

/// Each run with prices written: how long a written price took to show through the gateway.
fn staleness(out: &mut String, comparison: &Comparison) -> std::fmt::Result {
    let runs: Vec<&Row> = comparison
        .rows
        .iter()
        .filter(|row| row.staleness.is_some())
        .collect();
    if runs.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n## Staleness under writes\n")?;
    writeln!(
        out,
        "During each *{}* run, list prices of the products the mix shows were written straight \
         to MongoDB at {:.0}% of the gateway's request rate; after each acknowledged write a \
         prober asked the gateway for that price every {} ms until it showed. Delay: from the \
         acknowledgement to the first answer showing it; *past the bound*: prober answers still \
         old more than {} ms after the write.\n",
        Workload::StorefrontWrites.title(),
        super::writes::WRITE_SHARE * 100.0,
        super::writes::PROBE_EVERY.as_millis(),
        super::writes::BOUND.as_millis(),
    )?;
    writeln!(
        out,
        "| gateway | round | writes | delay p50 ms | delay p99 ms | delay max ms | answers past the bound | never shown |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )?;
    for row in runs {
        let Some(s) = &row.staleness else { continue };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            via_name(row.via),
            row.round,
            s.writes,
            shown(s.p50_ms, 1),
            shown(s.p99_ms, 1),
            shown(s.max_ms, 1),
            s.reads_past_bound,
            s.never_shown,
        )?;
    }
    Ok(())
}

/// What each of our plugins costs (or gains): our router against itself with the plugin
/// switched off (`router-bare`, `router-uncached`) or on (`router+usage`), workload by workload.
fn plugin_costs(out: &mut String, comparison: &Comparison) -> std::fmt::Result {
    let pairs = [
        (
            "Playground and error paths (`router` against `router-bare`)",
            Gateway::Storefront,
            Gateway::StorefrontBare,
        ),
        (
            "Usage recording (`router+usage` against `router`)",
            Gateway::StorefrontUsage,
            Gateway::Storefront,
        ),
        (
            "Entity cache (`router` against `router-uncached`)",
            Gateway::Storefront,
            Gateway::StorefrontUncached,
        ),
    ];
    writeln!(out, "\n## What our plugins cost\n")?;
    writeln!(
        out,
        "CPU per request and p99 with the plugin on, against the same router with it off; \
         a difference inside the runs' spread is not told from noise.\n"
    )?;
    for (title, on, off) in pairs {
        let costs: Vec<String> = Workload::ALL
            .into_iter()
            .filter_map(|workload| {
                let on = summary(comparison, workload, Via::Gateway(on))?;
                let off = summary(comparison, workload, Via::Gateway(off))?;
                Some(format!(
                    "{}: CPU {:.2}×, rps {:.2}× (±{:.1}%), p99 {}×",
                    workload.title(),
                    on.cpu_seconds_per_1000 / off.cpu_seconds_per_1000,
                    on.rps / off.rps,
                    on.spread.max(off.spread) * 100.0,
                    shown(on.p99_ms / off.p99_ms, 2),
                ))
            })
            .collect();
        if costs.is_empty() {
            writeln!(out, "- {title}: not measured.")?;
        } else {
            writeln!(out, "- {title}: {}.", costs.join("; "))?;
        }
    }
    Ok(())
}

/// The comparison's targets, from the figures above.
fn targets(out: &mut String, comparison: &Comparison) -> std::fmt::Result {
    writeln!(out, "\n## Against the targets\n")?;
    let find = |workload, via| summary(comparison, workload, via);
    let ours = Via::Gateway(Gateway::Storefront);
    let stock = Via::Gateway(Gateway::HiveRouter);
    for workload in Workload::ALL {
        match (find(workload, ours), find(workload, stock)) {
            (Some(o), Some(h)) => {
                let throughput = o.rps / h.rps;
                let p99 = o.p99_ms / h.p99_ms;
                writeln!(
                    out,
                    "- {}: throughput vs stock Hive Router **{throughput:.2}×** (target ≥ 1.0×: \
                     {}), p99 **{p99:.2}×** (target ≤ 1.05×: {}); CPU per request {:.2}× \
                     stock's.",
                    workload.title(),
                    verdict_within(throughput >= 1.0, 1.0 - throughput, o.spread.max(h.spread)),
                    verdict_within(p99 <= 1.05, p99 - 1.05, o.p99_spread.max(h.p99_spread)),
                    o.cpu_seconds_per_1000 / h.cpu_seconds_per_1000,
                )?
            }
            _ => writeln!(
                out,
                "- {}: stock Hive Router not measured.",
                workload.title()
            )?,
        }
    }
    if let (Some(o), Some(h)) = (
        find(Workload::Storefront, ours),
        find(Workload::Storefront, stock),
    ) {
        let throughput = o.rps / h.rps;
        let commands = h.mongodb_commands_per_request / o.mongodb_commands_per_request;
        writeln!(
            out,
            "- Storefront operations with the entity cache: throughput vs stock Hive Router \
             **{throughput:.2}×** (target ≥ 3×: {}) at p99 {:.2}× (target ≤ 1×: {}); MongoDB \
             commands per request **{commands:.1}× fewer** (target ≥ 10×: {}).",
            verdict(throughput >= 3.0),
            o.p99_ms / h.p99_ms,
            verdict(o.p99_ms <= h.p99_ms),
            verdict(commands >= 10.0),
        )?;
    }
    let ours_under_writes: Vec<&super::writes::Staleness> = comparison
        .rows
        .iter()
        .filter(|row| row.via == ours)
        .filter_map(|row| row.staleness.as_ref())
        .collect();
    if !ours_under_writes.is_empty() {
        let p99 = ours_under_writes
            .iter()
            .map(|s| s.p99_ms)
            .fold(0.0, f64::max);
        let past: u64 = ours_under_writes
            .iter()
            .map(|s| s.reads_past_bound + s.never_shown)
            .sum();
        writeln!(
            out,
            "- With prices written under load: staleness p99 **{p99:.1} ms** (target < {} ms: \
             {}), answers past the bound **{past}** (target 0: {}).",
            super::writes::BOUND.as_millis(),
            verdict(p99 < super::writes::BOUND.as_secs_f64() * 1000.0),
            verdict(past == 0),
        )?;
    }
    match (
        find(Workload::Heavy, ours),
        find(Workload::Heavy, Via::Gateway(Gateway::ApolloRouter)),
    ) {
        (Some(o), Some(a)) => writeln!(
            out,
            "- Heavy nested query: throughput vs Apollo Router **{:.2}×** (target ≥ 4×: {}); \
             CPU per request {:.2}× Apollo Router's.",
            o.rps / a.rps,
            verdict(o.rps >= 4.0 * a.rps),
            o.cpu_seconds_per_1000 / a.cpu_seconds_per_1000,
        )?,
        _ => writeln!(out, "- Heavy nested query: Apollo Router not measured.")?,
    }
    let serial = Workload::SingleSubgraphSerial;
    if let (Some(o), Some(h), Some(d)) = (
        find(serial, ours),
        find(serial, stock),
        find(serial, Via::CatalogDirect),
    ) {
        let (added_ours, added_stock) = (o.p50_ms - d.p50_ms, h.p50_ms - d.p50_ms);
        writeln!(
            out,
            "- Latency added over a direct subgraph call (one request at a time, p50 via the \
             gateway − p50 direct): ours **{added_ours:.3} ms**, stock Hive Router \
             {added_stock:.3} ms: {:+.3} ms (target within 0.05 ms: {}).",
            added_ours - added_stock,
            verdict(added_ours - added_stock <= 0.05),
        )?;
    }
    Ok(())
}

/// `figure` to `decimals` places; a dash where there is none (no request answered in a run).
fn shown(figure: f64, decimals: usize) -> String {
    if figure.is_finite() {
        format!("{figure:.decimals$}")
    } else {
        "—".to_owned()
    }
}

/// A verdict on a ratio that misses its target by `gap`, given the run-to-run `spread` of
/// the figures behind it: a miss smaller than the spread is not told from noise.
fn verdict_within(met: bool, gap: f64, spread: f64) -> String {
    if met {
        "met".to_owned()
    } else if gap <= spread {
        format!(
            "not met by the means, by {:.1}% — within the runs' spread (±{:.1}%)",
            gap * 100.0,
            spread * 100.0
        )
    } else {
        "not met".to_owned()
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
}
