//! Runtime configuration shared by every subgraph: flags with environment-variable fallbacks
//! and documented defaults, so `--help` is the configuration reference.

use std::{net::SocketAddr, time::Duration};

use clap::Args;
pub use service_kit::LogFormat;

/// Where a subgraph listens and which MongoDB database it owns.
#[derive(Debug, Clone, Args)]
pub struct ServiceConfig {
    /// Address to serve `/graphql`, `/health`, `/ready` and `/metrics` on
    #[arg(long, env = "LISTEN_ADDR")]
    pub listen: Option<SocketAddr>,

    /// MongoDB connection string
    #[arg(
        long,
        env = "MONGODB_URI",
        default_value = "mongodb://127.0.0.1:27017/?directConnection=true"
    )]
    pub mongodb_uri: String,

    /// How long a MongoDB command may wait for a server it can use (and a new connection may
    /// take): with MongoDB down or electing a primary, requests fail with
    /// `SERVICE_UNAVAILABLE` after this long instead of waiting, and `/ready` turns 503
    #[arg(long, env = "MONGODB_TIMEOUT", default_value = "2s", value_parser = humantime::parse_duration)]
    pub mongodb_timeout: Duration,

    /// The longest this subgraph works on one request before answering `SERVICE_UNAVAILABLE`:
    /// a MongoDB server that stops answering mid-command (a primary cut off by a partition) is
    /// otherwise waited on until the driver gives it up. Keep it below the router's subgraph
    /// timeout, so clients get this code rather than the router's timeout
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "3s", value_parser = humantime::parse_duration)]
    pub request_timeout: Duration,

    /// Database this subgraph owns [default: the subgraph's name]
    #[arg(long, env = "DATABASE_NAME")]
    pub database: Option<String>,

    /// JWKS file with the keys that sign trusted identity tokens; without it no token is trusted
    #[arg(long, env = "JWKS_FILE")]
    pub jwks_file: Option<std::path::PathBuf>,

    /// Issuer (`iss`) trusted tokens must name
    #[arg(long, env = "JWT_ISSUER", default_value = "storefront-dev")]
    pub jwt_issuer: String,

    /// Audience (`aud`) trusted tokens must name
    #[arg(long, env = "JWT_AUDIENCE", default_value = "storefront")]
    pub jwt_audience: String,

    /// Log output: `pretty` for people, `json` for machines
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,

    /// How long each DataLoader waits for more keys, after those of every request ready to run,
    /// before its one MongoDB query: longer batches more requests together, shorter answers
    /// each one sooner
    #[arg(long, env = "BATCH_WINDOW", default_value = "0ms", value_parser = humantime::parse_duration)]
    pub batch_window: Duration,

    /// After SIGTERM or Ctrl-C, how long in-flight requests may take to finish before the
    /// process exits anyway (new connections are refused at once)
    #[arg(long, env = "SHUTDOWN_GRACE", default_value = "20s", value_parser = humantime::parse_duration)]
    pub shutdown_grace: Duration,

    /// Subscriptions this process serves at once (each holds a little memory for as long as
    /// its client stays); one more is refused with `SERVICE_UNAVAILABLE`
    #[arg(long, env = "MAX_SUBSCRIPTIONS", default_value_t = 20_000)]
    pub max_subscriptions: usize,

    /// The longest a subscription stream lasts before it completes and its client subscribes
    /// again (a fresh first event, nothing lost): bounds what a stream whose client left
    /// unnoticed holds (Hive Router 0.2 drops its stream from a subgraph only at the next event)
    #[arg(long, env = "MAX_STREAM_AGE", default_value = "15m", value_parser = humantime::parse_duration)]
    pub max_stream_age: Duration,

    /// Export OpenTelemetry traces (request and MongoDB spans) to this OTLP/HTTP endpoint
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", value_name = "URL")]
    pub otlp_endpoint: Option<String>,
}

impl ServiceConfig {
    pub fn listen_addr(&self, default_port: u16) -> SocketAddr {
        self.listen
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], default_port)))
    }

    pub fn database_name<'a>(&'a self, default: &'a str) -> &'a str {
        self.database.as_deref().unwrap_or(default)
    }
}
