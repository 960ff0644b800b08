//! The soak (`cargo xtask bench --soak 10m`): the storefront's mixed load (home, product,
//! category and search pages through the router) at a steady rate for a long while. After a
//! warm-up, every process's resident memory and the router's open sockets are sampled each
//! minute; a leak shows as a slope. Writes `bench/soak.md`.

use std::{fmt::Write as _, path::Path, time::Duration};

use anyhow::Context as _;

use xtask::{
    process::{Memory, memory_mib, open_sockets},
    stack::Stack,
};

use super::{
    load,
    scenarios::{Drive, Scenario, ScenarioId, Target},
};

/// Load before the first sample: caches, pools and allocators settle.
const WARM_UP: Duration = Duration::from_secs(60);
/// Time between samples.
const SLICE: Duration = Duration::from_secs(60);

/// One sample: when (since the warm-up ended), each process's resident MiB, the router's
/// open sockets, and the slice's requests and failures.
struct Sample {
    minute: u64,
    resident: Vec<(String, f64)>,
    router_sockets: usize,
    responses: u64,
    failures: u64,
}

/// Runs the soak for `duration` at `rate` requests per second and renders its report.
pub async fn run(
    oha: &Path,
    stack: &Stack,
    processes: &[(String, u32)],
    scratch: &Path,
    scenarios: &[Scenario],
    duration: Duration,
    rate: u32,
) -> anyhow::Result<String> {
    let pages = [
        ScenarioId::Home,
        ScenarioId::ProductPage,
        ScenarioId::CategoryListing,
        ScenarioId::Search,
    ];
    let bodies: Vec<_> = scenarios
        .iter()
        .filter(|s| pages.contains(&s.id) && s.target == Target::Router)
        .flat_map(|s| s.bodies.iter().cloned())
        .collect();
    let body_file = scratch.join("soak-bodies.jsonl");
    let router_pid = processes
        .iter()
        .find(|(name, _)| name == "router")
        .map(|(_, pid)| *pid);
    let sample = |minute, report: Option<&load::OhaReport>| Sample {
        minute,
        resident: processes
            .iter()
            .filter_map(|(name, pid)| Some((name.clone(), memory_mib(*pid, Memory::Resident)?)))
            .collect(),
        router_sockets: router_pid.and_then(open_sockets).unwrap_or(0),
        responses: report.map_or(0, load::OhaReport::responses),
        failures: report.map_or(0, load::OhaReport::failures),
    };

    super::step(&format!("Soak: warming up for {WARM_UP:?} at {rate} rps"));
    let url = stack.router_url();
    let drive = Drive::Rate(rate);
    load::run_oha(oha, &url, &bodies, &body_file, WARM_UP, 64, drive).await?;
    let mut samples = vec![sample(0, None)];
    let slices = (duration.as_secs() / SLICE.as_secs()).max(1);
    for minute in 1..=slices {
        super::step(&format!("Soak: minute {minute} of {slices}"));
        let report = load::run_oha(oha, &url, &bodies, &body_file, SLICE, 64, drive)
            .await?
            .context("no request of the soak got a response in a minute")?;
        samples.push(sample(minute, Some(&report)));
    }
    render(&samples, rate)
}

fn render(samples: &[Sample], rate: u32) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(out, "# Soak\n")?;
    writeln!(
        out,
        "The mixed storefront load (Home, ProductPage, CategoryListing, Search through the \
         router) at {rate} requests per second, sampled each minute after a one-minute \
         warm-up. Written by `cargo xtask bench --soak 10m`; {}.\n",
        super::sampling::machine()
    )?;
    let names: Vec<&str> = samples[0]
        .resident
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    write!(out, "| minute | requests | failed | router sockets |")?;
    for name in &names {
        write!(out, " {name} MiB |")?;
    }
    write!(out, "\n| ---: | ---: | ---: | ---: |")?;
    for _ in &names {
        write!(out, " ---: |")?;
    }
    writeln!(out)?;
    for sample in samples {
        write!(
            out,
            "| {} | {} | {} | {} |",
            sample.minute, sample.responses, sample.failures, sample.router_sockets
        )?;
        for (_, mib) in &sample.resident {
            write!(out, " {mib:.1} |")?;
        }
        writeln!(out)?;
    }
    let (first, last) = (&samples[0], &samples[samples.len() - 1]);
    writeln!(out, "\nStart (after warm-up) → end:\n")?;
    for ((name, start), (_, end)) in first.resident.iter().zip(&last.resident) {
        writeln!(
            out,
            "- {name}: {start:.1} → {end:.1} MiB ({:+.1})",
            end - start
        )?;
    }
    writeln!(
        out,
        "- router sockets: {} → {}",
        first.router_sockets, last.router_sockets
    )?;
    Ok(out)
}
