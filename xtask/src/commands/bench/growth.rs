//! `cargo xtask bench --growth`: how the storefront's reads cost as the catalogue grows. The
//! system is seeded at each size in turn (seed time reported) and the same reads are measured
//! one at a time, so the latency is the read's own: a deep category page (keyset pagination),
//! the product page (lookups by id) and search.

use std::{fmt::Write as _, path::Path, time::Instant};

use anyhow::Context;
use serde::Serialize;
use serde_json::{Value, json};
use xtask::paths;

use super::{
    BenchArgs, System,
    load::{LatencyMs, run_oha},
    sampling,
    scenarios::{self, Drive, ScenarioId},
};
use crate::commands::step;

/// How many products into a category the deep page starts: the same at every size, so a
/// listing that does not depend on the catalogue's size costs the same.
const DEEP_PAGE_OFFSET: usize = 2_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Read {
    /// CategoryListing `after` a cursor 2,400 products into each category.
    DeepCategoryPage,
    ProductPage,
    Search,
}

impl Read {
    const ALL: [Read; 3] = [Read::DeepCategoryPage, Read::ProductPage, Read::Search];

    fn title(self) -> &'static str {
        match self {
            Read::DeepCategoryPage => "Category listing, deep page",
            Read::ProductPage => "Product page",
            Read::Search => "Search",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Size {
    pub products: usize,
    pub seed_seconds: f64,
    pub reads: Vec<Measured>,
}

#[derive(Debug, Serialize)]
pub struct Measured {
    pub read: Read,
    pub rps: f64,
    #[serde(flatten)]
    pub latency: LatencyMs,
    pub errors: u64,
}

pub async fn run(args: &BenchArgs, oha: &Path) -> anyhow::Result<()> {
    let mut sizes = Vec::new();
    for &products in &args.growth_sizes {
        let started = Instant::now();
        let system = System::start_with("growth", products, &[]).await?;
        let seed_seconds = system.seed_time.as_secs_f64();
        step(&format!(
            "{products} products seeded in {seed_seconds:.0} s (system up after {:.0} s)",
            started.elapsed().as_secs_f64()
        ));
        let outcome = measure_size(args, oha, &system, products).await;
        system.stop().await;
        sizes.push(Size {
            products,
            seed_seconds,
            reads: outcome?,
        });
    }
    let markdown = render(args, &sizes)?;
    super::super::results::publish(&args.growth_output, &markdown)?;
    super::super::results::publish_quietly(
        &args.growth_output.with_extension("json"),
        &serde_json::to_string_pretty(&sizes)?,
    )
}

async fn measure_size(
    args: &BenchArgs,
    oha: &Path,
    system: &System,
    products: usize,
) -> anyhow::Result<Vec<Measured>> {
    let client = reqwest::Client::new();
    let router = system.stack.router_url();
    let slugs = super::category_slugs(&client, &router).await?;
    let scenarios = scenarios::scenarios(args.rate, products, &slugs)?;
    let bodies_of = |id| scenarios::bodies_of(&scenarios, id);
    let listing = paths::registered_operation("CategoryListing")?.body;
    let mut deep_pages = Vec::new();
    for slug in &slugs {
        if let Some(cursor) = cursor_at(&client, &router, slug, DEEP_PAGE_OFFSET).await? {
            deep_pages
                .push(json!({ "query": listing, "variables": { "slug": slug, "after": cursor } }));
        }
    }
    anyhow::ensure!(
        !deep_pages.is_empty(),
        "no category holds {DEEP_PAGE_OFFSET} products at {products} products"
    );
    let mut reads = Vec::new();
    for read in Read::ALL {
        let bodies = match read {
            Read::DeepCategoryPage => deep_pages.clone(),
            Read::ProductPage => bodies_of(ScenarioId::ProductPage),
            Read::Search => bodies_of(ScenarioId::Search),
        };
        step(&format!(
            "{} at {products} products, one request at a time, for {:?}",
            read.title(),
            args.duration
        ));
        let body_file = system.scratch.join("growth-bodies.jsonl");
        let stats = run_oha(
            oha,
            &router,
            &bodies,
            &body_file,
            args.duration,
            1,
            Drive::Serial,
        )
        .await?
        .with_context(|| format!("{}: no request got a response", read.title()))?;
        reads.push(Measured {
            read,
            rps: stats.summary.requests_per_sec,
            latency: stats.latency_ms(),
            errors: stats.failures(),
        });
    }
    Ok(reads)
}

/// The cursor `offset` products into category `slug`, paging through it a hundred at a time
/// (`None` when the category is smaller).
async fn cursor_at(
    client: &reqwest::Client,
    router: &str,
    slug: &str,
    offset: usize,
) -> anyhow::Result<Option<String>> {
    let query = "query Walk($slug: String!, $after: String) { products(categorySlug: $slug, \
                 first: 100, after: $after) { pageInfo { hasNextPage endCursor } } }";
    let mut after: Option<String> = None;
    for _ in 0..offset.div_ceil(100) {
        let page: Value = client
            .post(router)
            .json(&json!({ "query": query, "variables": { "slug": slug, "after": after } }))
            .send()
            .await?
            .json()
            .await?;
        let info = &page["data"]["products"]["pageInfo"];
        let Some(cursor) = info["endCursor"].as_str() else {
            anyhow::bail!("paging {slug}: {page}");
        };
        after = Some(cursor.to_owned());
        if info["hasNextPage"] != json!(true) {
            return Ok(None);
        }
    }
    Ok(after)
}

fn render(args: &BenchArgs, sizes: &[Size]) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(out, "# How cost grows with the catalogue\n")?;
    writeln!(
        out,
        "Written by `cargo xtask bench --growth`: the system seeded at each size (release \
         builds, local MongoDB), each read measured one request at a time for {:?} through the \
         router, so the latency is the read's own, without queueing. The deep category page \
         starts {DEEP_PAGE_OFFSET} products into each category (every category in turn); the \
         product page cycles through 1000 products spread over the catalogue; search through \
         {} words. Machine: {}.\n",
        args.duration,
        scenarios::SEARCH_WORDS.len(),
        sampling::machine()
    )?;
    writeln!(out, "| products | seed time |\n| ---: | ---: |")?;
    for size in sizes {
        writeln!(out, "| {} | {:.0} s |", size.products, size.seed_seconds)?;
    }
    let smallest = sizes.first().context("no size measured")?;
    writeln!(
        out,
        "\n| read | products | p50 ms | p95 ms | p99 ms | rps | errors | p50 vs {} |",
        smallest.products
    )?;
    writeln!(
        out,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )?;
    for read in Read::ALL {
        let base = smallest.reads.iter().find(|m| m.read == read);
        for size in sizes {
            let Some(m) = size.reads.iter().find(|m| m.read == read) else {
                continue;
            };
            let growth = base.map_or(f64::NAN, |base| m.latency.p50_ms / base.latency.p50_ms);
            writeln!(
                out,
                "| {} | {} | {:.2} | {:.2} | {:.2} | {:.0} | {} | {growth:.2}× |",
                read.title(),
                size.products,
                m.latency.p50_ms,
                m.latency.p95_ms,
                m.latency.p99_ms,
                m.rps,
                m.errors
            )?;
        }
    }
    let (first, last) = (smallest, sizes.last().unwrap_or(smallest));
    if sizes.len() > 1 {
        writeln!(out, "\n## Against the targets\n")?;
        for read in [Read::DeepCategoryPage, Read::ProductPage] {
            let p50 = |size: &Size| {
                size.reads
                    .iter()
                    .find(|m| m.read == read)
                    .map(|m| m.latency.p50_ms)
            };
            if let (Some(small), Some(large)) = (p50(first), p50(last)) {
                writeln!(
                    out,
                    "- {}: p50 at {} products is **{:.2}×** that at {} (target ≤ 1.2×: {}).",
                    read.title(),
                    last.products,
                    large / small,
                    first.products,
                    if large <= 1.2 * small {
                        "met"
                    } else {
                        "not met"
                    }
                )?;
            }
        }
    }
    Ok(out)
}
