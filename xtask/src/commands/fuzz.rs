//! `cargo xtask fuzz`: the test suite's bad-input drill, longer. The same generator
//! (`e2e::bad_input`) sends as many requests as asked to the router and to each subgraph of a
//! fresh stack, from a seed printed first, so any failure can be replayed with `--seed`.

use anyhow::bail;
use clap::Args;

use super::{build_binaries, step, test::cargo_test_with_mongodb};

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// Generated requests per endpoint (the router and each subgraph)
    #[arg(long, default_value_t = 20_000)]
    cases: usize,

    /// The generator's seed [default: a new one each run]
    #[arg(long)]
    seed: Option<u64>,

    /// Use this MongoDB instead of starting a throwaway local one
    #[arg(long, env = "MONGODB_URI")]
    mongodb_uri: Option<String>,
}

pub async fn run(args: FuzzArgs) -> anyhow::Result<()> {
    build_binaries().await?;
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs())
    });
    step(&format!(
        "Fuzzing with {} requests per endpoint, seed {seed} (replay: cargo xtask fuzz --seed {seed})",
        args.cases
    ));
    let status = cargo_test_with_mongodb(
        args.mongodb_uri,
        &[
            "-p",
            "e2e",
            "--test",
            "e2e",
            "--",
            "bad_input::",
            "--nocapture",
        ],
        &[
            ("STOREFRONT_FUZZ_CASES", args.cases.to_string().into()),
            ("STOREFRONT_FUZZ_SEED", seed.to_string().into()),
        ],
    )
    .await?;
    if !status.success() {
        bail!("bad input was answered badly (seed {seed}); see the report above");
    }
    Ok(())
}
