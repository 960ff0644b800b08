//! `storefront-web`: the web storefront's server. Serves the built bundle (`web/dist`) with the
//! router's URL written into the page, and, in development only, sign-in as any user.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Parser, Subcommand};
use dev_identity::DevSigner;
use service_kit::{LogFormat, server, telemetry};
use storefront_web::{DEFAULT_PORT, Site, SiteOptions};

#[derive(Debug, Parser)]
#[command(name = "storefront-web", version, about = "Serves the web storefront")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Address to serve the storefront on
    #[arg(long, env = "WEB_LISTEN", default_value_t = SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)))]
    listen: SocketAddr,

    /// The built bundle (`npm run build` in web/)
    #[arg(long, env = "WEB_DIST", default_value = "web/dist")]
    dist: PathBuf,

    /// The GraphQL endpoint the page calls: the router's /graphql as the browser reaches it
    #[arg(
        long,
        env = "STOREFRONT_GRAPHQL_URL",
        default_value = "http://127.0.0.1:4000/graphql"
    )]
    graphql_url: String,

    /// DEV ONLY: sign in as any user with tokens signed by this key (dev-identity/signing-key.pem).
    /// Without it there is no sign-in here: production shoppers sign in with the identity provider
    #[arg(long, env = "DEV_SIGNING_KEY", value_name = "PEM")]
    dev_signing_key: Option<PathBuf>,

    /// How long a dev token stays valid
    #[arg(long, env = "DEV_TOKEN_TTL", default_value = "8h", value_parser = humantime::parse_duration)]
    dev_token_ttl: Duration,

    /// Log output: `pretty` for people, `json` for machines
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    log_format: LogFormat,

    /// After SIGTERM or Ctrl-C, how long in-flight requests may take to finish
    #[arg(long, env = "SHUTDOWN_GRACE", default_value = "10s", value_parser = humantime::parse_duration)]
    shutdown_grace: Duration,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Exit 0 when the server at --listen is ready (a container health check; needs no curl)
    Probe,
}

service_kit::global_allocator!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Probe) = cli.command {
        return server::probe(cli.listen)
            .await
            .map_err(|reason| anyhow::anyhow!("not ready: {reason}"));
    }
    telemetry::init_logging(cli.log_format, "web", None);
    let dev_signer = match &cli.dev_signing_key {
        Some(path) => {
            tracing::warn!(key = %path.display(), "dev sign-in is on: anyone can sign in as anyone");
            Some(DevSigner::from_pem_file(path)?)
        }
        None => None,
    };
    let site = Site::load(SiteOptions {
        dist: cli.dist,
        graphql_url: cli.graphql_url,
        dev_signer,
        dev_token_ttl: cli.dev_token_ttl,
    })?;
    server::serve(cli.listen, site.app(), cli.shutdown_grace).await?;
    Ok(())
}
