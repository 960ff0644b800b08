//! `cargo xtask <command>`: the project's developer entry points.

mod commands;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Storefront developer commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole system in the foreground: MongoDB, seed data, subgraphs, router
    Dev(commands::dev::DevArgs),
    /// Run every test: unit, integration against a real MongoDB, end to end through the router
    Test(commands::test::TestArgs),
    /// Print a dev identity token (JWT) for USER, alone on stdout
    Token(commands::token::TokenArgs),
    /// Send generated bad requests (seeded) to the router and every subgraph, many more than the tests do
    Fuzz(commands::fuzz::FuzzArgs),
    /// Regenerate the committed schemas: each subgraphs/<name>/schema.graphql and supergraph.graphql
    Compose,
    /// Benchmark the storefront's operations (release builds, seeded data) into bench/results.md
    Bench(commands::bench::BenchArgs),
    /// Schema checks: drift, composition, a proposed subgraph schema, client operations
    Check(commands::check::CheckArgs),
    /// Build every service's container image with Podman (storefront/<service>:latest)
    Images(commands::images::ImagesArgs),
    /// Run the multi-host drills (network namespaces as hosts) and write bench/drills.md
    Drill(commands::drill::DrillArgs),
    /// Run docker/compose.yaml with Podman, every service in dependency order (`up`, `down`)
    Podman(commands::podman::PodmanArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => {
            return commands::check::run(args).await.unwrap_or_else(|err| {
                eprintln!("error: {err:#}");
                std::process::ExitCode::from(2)
            });
        }
        Command::Dev(args) => commands::dev::run(args).await,
        Command::Test(args) => commands::test::run(args).await,
        Command::Fuzz(args) => commands::fuzz::run(args).await,
        Command::Token(args) => commands::token::run(args),
        Command::Compose => commands::compose::run().await,
        Command::Bench(args) => commands::bench::run(args).await,
        Command::Images(args) => commands::images::run(args).await,
        Command::Podman(args) => commands::podman::run(args).await,
        Command::Drill(args) => commands::drill::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
