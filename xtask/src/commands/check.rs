//! `cargo xtask check`: the schema checks CI runs before a subgraph change ships — drift of
//! the committed schemas, composition, a proposed subgraph schema's breaking changes, and the
//! registered client operations (`contract/operations/`). The judging is `router check`'s.

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context;
use clap::{Args, ValueEnum};
use xtask::{paths, schema_check};

use super::{build_binaries, step};

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 passed, 1 a check failed, 2 the check could not run.\n\nExamples:\n  cargo xtask check\n  cargo xtask check --subgraph catalog --schema proposed.graphql\n  cargo xtask check --subgraph catalog --schema proposed.graphql --format json"
)]
pub struct CheckArgs {
    /// The subgraph a proposed schema is for (needs --schema)
    #[arg(long, requires = "schema")]
    subgraph: Option<String>,

    /// The proposed SDL for --subgraph
    #[arg(long, requires = "subgraph")]
    schema: Option<PathBuf>,

    /// Registered client operations to validate (file or folder; repeatable) [default: contract/operations/]
    #[arg(long = "operations", value_name = "PATH")]
    operations: Vec<PathBuf>,

    /// Fail on breaking changes even when no registered operation uses them
    #[arg(long)]
    strict: bool,

    /// Report format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// Runs the check; the exit status is `router check`'s (2 when it could not run at all).
pub async fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    build_binaries().await?;
    step("Checking schemas");
    let absolute = |path: PathBuf| std::path::absolute(&path).unwrap_or(path);
    let operations: Vec<PathBuf> = args.operations.into_iter().map(absolute).collect();
    let mut command = schema_check::router_check(
        &paths::debug_bin_dir(),
        &paths::dev_dir().join("check"),
        &operations,
    )?;
    if let (Some(subgraph), Some(schema)) = (args.subgraph, args.schema) {
        command
            .arg("--subgraph")
            .arg(subgraph)
            .arg("--schema")
            .arg(absolute(schema));
    }
    if args.strict {
        command.arg("--strict");
    }
    if matches!(args.format, Format::Json) {
        command.args(["--format", "json"]);
    }
    let status = command.status().context("cannot run router check")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(1) => ExitCode::from(1),
        _ => ExitCode::from(2),
    })
}
