//! `router`: serves the storefront's federated graph on one endpoint, from a composed
//! supergraph file or by composing a rover-format `supergraph.yaml` itself.

#![recursion_limit = "256"]

use std::{io::Write, net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use hive_router::{RouterGlobalAllocator, configure_global_allocator, ntex};
use router::{
    check::Format,
    composition,
    serve::{self, RunFiles, ServeOptions, Source},
    supergraph_config::SupergraphConfig,
};

configure_global_allocator!();

#[derive(Debug, Parser)]
#[command(
    name = "router",
    version,
    about = "The storefront's federation router (Hive Router engine)",
    after_help = "Examples:\n  router --config supergraph.yaml\n  router --supergraph supergraph.graphql --listen 0.0.0.0:4000\n  router compose --config supergraph.yaml > supergraph.graphql"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Serve this composed (Apollo-format) supergraph; edits to the file are picked up live
    #[arg(long, env = "ROUTER_SUPERGRAPH", conflicts_with = "config")]
    supergraph: Option<PathBuf>,

    /// Compose the subgraphs listed in this rover-format supergraph.yaml, then serve the result
    #[arg(long, env = "ROUTER_SUPERGRAPH_CONFIG")]
    config: Option<PathBuf>,

    /// Address to listen on
    #[arg(long, env = "ROUTER_LISTEN", default_value = "127.0.0.1:4000")]
    listen: SocketAddr,

    /// Hive Router configuration files (limits, JWT, CORS, telemetry, …) to serve with; with
    /// several (repeated, or comma-separated in the variable), each later file's settings
    /// override the earlier ones' (a profile over a base)
    #[arg(long, env = "ROUTER_CONFIG", value_delimiter = ',')]
    router_config: Vec<PathBuf>,

    /// Answer introspection queries (overrides the router config's `introspection`)
    #[arg(long, env = "ROUTER_INTROSPECTION", value_name = "true|false")]
    introspection: Option<bool>,

    /// Execute only the persisted documents of the router config's `persisted_documents`
    /// storage, by id, refusing any other document (overrides its `require_id`; production)
    #[arg(long, env = "ROUTER_TRUSTED_DOCUMENTS", value_name = "true|false")]
    trusted_documents: Option<bool>,

    /// Export OpenTelemetry traces to this OTLP/HTTP endpoint (off when not given)
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", value_name = "URL")]
    otlp_endpoint: Option<String>,

    /// Record which fields each client's operations use (by operation name and the
    /// `graphql-client-name` / `apollographql-client-name` header) into this JSON file, for
    /// `router check --usage`; written every 10 s and at shutdown, kept across restarts
    #[arg(long, env = "ROUTER_USAGE_FILE", value_name = "FILE")]
    usage_file: Option<PathBuf>,

    /// How often to recompose from --config and check the supergraph file for changes
    #[arg(long, env = "ROUTER_POLL_INTERVAL", default_value = "2s", value_parser = parse_duration)]
    poll_interval: Duration,

    /// After SIGTERM, how long in-flight requests may take before the process exits anyway
    /// (new connections are refused at once)
    #[arg(long, env = "ROUTER_SHUTDOWN_GRACE", default_value = "25s", value_parser = parse_duration)]
    shutdown_grace: Duration,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compose the subgraphs of a rover-format supergraph.yaml and print the supergraph SDL
    Compose {
        /// The supergraph config to compose
        #[arg(long, default_value = "supergraph.yaml")]
        config: PathBuf,
    },
    /// Check schemas offline: drift, composition, a proposed subgraph change, client operations
    #[command(
        after_help = "Exit status: 0 passed, 1 a check failed, 2 the check could not run.\n\nExamples:\n  router check --config supergraph.yaml --supergraph supergraph.graphql --operations contract/operations/\n  router check --subgraph catalog --schema proposed.graphql --operations contract/operations/\n  router check --subgraph catalog --schema proposed.graphql --format json\n  router check --subgraph catalog --schema proposed.graphql --approvals schema-approvals.yaml --lint-config schema-lint.yaml --format github"
    )]
    Check(Box<CheckArgs>),
    /// Print the registered client operations as a persisted-document manifest (Apollo's
    /// format: id = SHA-256 of the full text, shared fragments included)
    #[command(
        after_help = "Example:\n  router persisted-documents --operations contract/operations > contract/persisted-documents.json"
    )]
    PersistedDocuments {
        /// A file or folder of client operations (.graphql); repeatable
        #[arg(long = "operations", value_name = "PATH", required = true)]
        operations: Vec<PathBuf>,
    },
    /// Exit 0 when the router at --listen is ready (a container health check; needs no curl)
    Probe,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The rover-format supergraph config naming the subgraphs and their current schemas
    #[arg(long, default_value = "supergraph.yaml")]
    config: PathBuf,

    /// A committed supergraph that must equal a fresh composition of --config
    #[arg(long)]
    supergraph: Option<PathBuf>,

    /// The subgraph a proposed schema is for (rover's `subgraph check` shape); needs --schema
    #[arg(long, requires = "schema")]
    subgraph: Option<String>,

    /// The proposed SDL for --subgraph
    #[arg(long, requires = "subgraph")]
    schema: Option<PathBuf>,

    /// A file or folder of registered client operations (.graphql); repeatable
    #[arg(long = "operations", value_name = "PATH")]
    operations: Vec<PathBuf>,

    /// COMMITTED=FRESH: a committed file that must equal a freshly generated one; repeatable
    #[arg(long, value_name = "COMMITTED=FRESH", value_parser = parse_drift_pair)]
    drift: Vec<router::check::DriftPair>,

    /// The command that regenerates drifted files, shown in drift reports
    #[arg(
        long,
        value_name = "COMMAND",
        default_value = "router compose --config supergraph.yaml > supergraph.graphql"
    )]
    regenerate_with: String,

    /// Fail on breaking changes even when no registered operation uses them
    #[arg(long)]
    strict: bool,

    /// Approved breaking changes (YAML: change, coordinate, reason, optional subgraph and
    /// expires); an approved change passes, an approval matching nothing is reported as stale.
    /// The last one given wins
    #[arg(long, value_name = "FILE", overrides_with = "approvals")]
    approvals: Option<PathBuf>,

    /// Lint rule severities (YAML: `rules: { rule-name: off|warn|error }`); without it every
    /// rule runs at its default severity. The last one given wins
    #[arg(long, value_name = "FILE", overrides_with = "lint_config")]
    lint_config: Option<PathBuf>,

    /// Fail a proposal on lint errors its subgraph already had, not only on ones it adds
    #[arg(long)]
    lint_all: bool,

    /// Usage files the router recorded (--usage-file; repeatable, one per replica): a breaking
    /// change then fails only when registered operations or recorded traffic use it, naming
    /// the clients, and passes as safe otherwise
    #[arg(long = "usage", value_name = "FILE")]
    usage: Vec<PathBuf>,

    /// How far back recorded traffic counts (with --usage)
    #[arg(long, default_value = "30d", value_parser = parse_duration, requires = "usage")]
    window: Duration,

    /// Report format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Check(args)) => return check(*args),
        Some(Command::Compose { config }) => compose(&config),
        Some(Command::PersistedDocuments { operations }) => {
            router::persisted_documents::Manifest::build(&operations)
                .map(|manifest| print!("{}", manifest.to_json()))
                .map_err(anyhow::Error::from)
        }
        Some(Command::Probe) => probe(cli.serve.listen),
        None => run_server(cli.serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn compose(config: &std::path::Path) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let supergraph = runtime.block_on(async {
        let loaded = SupergraphConfig::load(config)?;
        let schemas = loaded.subgraph_schemas(&reqwest::Client::new()).await?;
        anyhow::Ok(composition::compose(&schemas)?)
    })?;
    for warning in &supergraph.warnings {
        eprintln!("warning: {warning}");
    }
    print!("{}", supergraph.sdl);
    Ok(())
}

/// Exit status 0 when every check passed, 1 when one failed, 2 when they could not run.
fn check(args: CheckArgs) -> ExitCode {
    let request = router::check::CheckRequest {
        config: args.config,
        supergraph: args.supergraph,
        drift: args.drift,
        regenerate: args.regenerate_with,
        proposal: args
            .subgraph
            .zip(args.schema)
            .map(|(subgraph, schema)| router::check::Proposal { subgraph, schema }),
        operations: args.operations,
        strict: args.strict,
        approvals: args.approvals,
        lint_config: args.lint_config,
        lint_all: args.lint_all,
        usage: args.usage,
        window: args.window,
        now: chrono::Utc::now(),
    };
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| Ok(runtime.block_on(router::check::run(&request))?));
    let report = match outcome {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: the schema check could not run: {err:#}");
            return ExitCode::from(2);
        }
    };
    let written = write_report(&report, args.format);
    if let Err(err) = written {
        eprintln!("error: cannot write the report: {err}");
        return ExitCode::from(2);
    }
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes the report to stdout; GitHub's job summary goes to the file GitHub names.
fn write_report(report: &router::check::Report, format: Format) -> std::io::Result<()> {
    let mut summary = match std::env::var_os("GITHUB_STEP_SUMMARY") {
        Some(path) if format == Format::Github => {
            match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
            {
                Ok(file) => Some(file),
                Err(err) => {
                    // The annotations and the verdict matter more than the summary.
                    eprintln!(
                        "warning: cannot write the job summary to {}: {err}",
                        std::path::Path::new(&path).display()
                    );
                    None
                }
            }
        }
        _ => None,
    };
    let summary = summary.as_mut().map(|file| file as &mut dyn Write);
    router::check::report::write(report, format, &mut anstream::stdout(), summary)
}

fn parse_drift_pair(text: &str) -> Result<router::check::DriftPair, String> {
    let (committed, fresh) = text
        .split_once('=')
        .ok_or_else(|| format!("expected COMMITTED=FRESH, got `{text}`"))?;
    Ok(router::check::DriftPair {
        committed: committed.into(),
        fresh: fresh.into(),
    })
}

fn run_server(args: ServeArgs) -> anyhow::Result<()> {
    let source = match (args.supergraph, args.config) {
        (Some(file), None) => Source::Supergraph(file),
        (None, Some(config)) => Source::Compose(config),
        _ => anyhow::bail!(
            "say what to serve: --supergraph FILE or --config supergraph.yaml (see --help)"
        ),
    };
    let files = RunFiles::new()?;
    point_hive_router_at(&files.hive_config);
    let options = ServeOptions {
        source,
        listen: args.listen,
        router_config: args.router_config,
        introspection: args.introspection,
        trusted_documents: args.trusted_documents,
        otlp_endpoint: args.otlp_endpoint,
        usage_file: args.usage_file,
        poll_interval: args.poll_interval,
        shutdown_grace: args.shutdown_grace,
    };
    // Hive Router's start-up errors are not `Send`, which `anyhow` needs: carried as the
    // chain of their messages from here.
    serve_on_hive_runtime(options, files).map_err(|err| {
        let chain: Vec<String> =
            std::iter::successors(Some(&err as &dyn std::error::Error), |err| err.source())
                .map(ToString::to_string)
                .collect();
        anyhow::anyhow!(chain.join(": "))
    })
}

/// Hive Router reads its configuration path from the environment.
#[allow(unsafe_code)]
fn point_hive_router_at(config: &std::path::Path) {
    // SAFETY: called from `main` before any runtime or other thread exists, so nothing can
    // read the environment concurrently.
    unsafe { std::env::set_var("ROUTER_CONFIG_FILE_PATH", config) };
}

#[hive_router::main]
async fn serve_on_hive_runtime(
    options: ServeOptions,
    files: RunFiles,
) -> Result<(), serve::ServeError> {
    // `files` lives (and its folder with it) until the router has stopped.
    serve::serve(options, &files).await
}

/// GETs the router's readiness endpoint at `listen` (loopback when it listens everywhere).
fn probe(mut listen: SocketAddr) -> anyhow::Result<()> {
    if listen.ip().is_unspecified() {
        listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{listen}/readiness");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let status = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(3))
            .build()?;
        anyhow::Ok(client.get(&url).send().await?.status())
    })?;
    anyhow::ensure!(status.is_success(), "not ready: {url} answered {status}");
    Ok(())
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|err| err.to_string())
}
