//! The web storefront's budgets, measured in Chromium by `web/tests/budgets.mjs` against the
//! bench's stack: JavaScript on first load (target ≤ 80 KB gzip), navigation to the product
//! page's price on screen, and GraphQL requests per page view (target: one).

use std::{collections::BTreeMap, fmt::Write as _};

use anyhow::{Context, bail};
use serde::Deserialize;
use xtask::{stack::Stack, web};

/// The first-load JavaScript budget, gzip bytes.
const SCRIPT_BUDGET_BYTES: u64 = 80 * 1024;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebBudgets {
    first_load: FirstLoad,
    price_visible_ms: PriceVisible,
    requests_per_page: BTreeMap<String, u32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FirstLoad {
    script_bytes: u64,
    script_bytes_uncompressed: u64,
    all_bytes: u64,
}

#[derive(Debug, Deserialize)]
struct PriceVisible {
    views: u32,
    p50: f64,
    p95: f64,
    max: f64,
}

/// Runs the budget script against `stack`'s web storefront.
pub async fn measure(stack: &Stack) -> anyhow::Result<WebBudgets> {
    web::ensure_chromium().await?;
    let output = web::node_against(stack, &["tests/budgets.mjs"])?
        .output()
        .await
        .context("running node web/tests/budgets.mjs")?;
    if !output.status.success() {
        bail!(
            "web/tests/budgets.mjs failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    serde_json::from_slice(&output.stdout).context("web/tests/budgets.mjs printed no budgets")
}

/// The budgets as a Markdown section.
pub fn render(budgets: &WebBudgets, machine: &str) -> String {
    let load = &budgets.first_load;
    let price = &budgets.price_visible_ms;
    let verdict = |ok: bool| if ok { "met" } else { "**missed**" };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Web storefront budgets\n\nMeasured by `cargo xtask bench` (`web/tests/budgets.mjs` in \
         Debian's headless Chromium) against the bench's release-build stack on {machine}; the \
         browser shares the machine's two cores with every service.\n"
    );
    let _ = writeln!(text, "| budget | measured | target | |\n|---|---|---|---|");
    let _ = writeln!(
        text,
        "| JavaScript on first load (gzip, as sent) | {:.1} KB ({:.1} KB uncompressed) | ≤ 80 KB | {} |",
        load.script_bytes as f64 / 1024.0,
        load.script_bytes_uncompressed as f64 / 1024.0,
        verdict(load.script_bytes <= SCRIPT_BUDGET_BYTES)
    );
    let _ = writeln!(
        text,
        "| Everything on first load (as sent) | {:.1} KB | | |",
        load.all_bytes as f64 / 1024.0
    );
    let _ = writeln!(
        text,
        "| Navigation → product price on screen ({} full loads) | p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms | | |",
        price.views, price.p50, price.p95, price.max
    );
    for (page, count) in &budgets.requests_per_page {
        let _ = writeln!(
            text,
            "| GraphQL requests, {page} page view | {count} | 1 | {} |",
            verdict(*count == 1)
        );
    }
    text
}
