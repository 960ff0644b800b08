//! The one `main` every subgraph runs: parse flags, then print the SDL, seed the database, or
//! serve. A subgraph crate implements [`Subgraph`] and calls [`run`].

use std::{future::Future, num::NonZeroUsize, sync::Arc, time::Duration};

use async_graphql::{ObjectType, SDLExportOptions, Schema, SchemaBuilder, SubscriptionType};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use mongodb::Database;

use service_kit::telemetry;

use crate::{
    batching::Batching, config::ServiceConfig, deadline::RequestDeadline, directives,
    identity::Verifier, limits, mongo, operation_labels::OperationLabels,
    parsed_queries::ParsedQueryCache, refusals::RefusalCodes, server, sharding::ShardKey,
};

/// One storefront subgraph: its identity, its schema and how it fills its own database.
pub trait Subgraph: 'static {
    /// Service name; also the default database name.
    const NAME: &'static str;
    /// Where this subgraph listens by default: its `routing_url`'s port in `supergraph.yaml`
    /// (the roster; a test holds the two equal).
    const DEFAULT_PORT: u16;
    /// One line for `--help`.
    const ABOUT: &'static str;
    /// How its collections would be sharded (docs/sharding.md); the unlisted stay unsharded.
    const SHARD_KEYS: &'static [ShardKey] = &[];

    type Query: ObjectType + Default + 'static;
    type Mutation: ObjectType + Default + 'static;
    /// Its subscriptions (`EmptySubscription` if none), served as Server-Sent Events.
    type Subscription: SubscriptionType + Default + 'static;
    /// Settings of this subgraph's own, added to the shared flags ([`NoOptions`] if none).
    type Options: Args + Clone + Send + Sync + 'static;

    /// The schema with no data attached: enough to print the SDL without a database.
    fn schema_builder() -> Builder<Self> {
        Schema::build(
            Self::Query::default(),
            Self::Mutation::default(),
            Self::Subscription::default(),
        )
        .enable_federation()
        .enable_subscription_in_federation()
    }

    /// Creates the indexes this subgraph relies on and attaches its stores and loaders.
    fn attach(
        builder: Builder<Self>,
        database: Database,
        options: &Self::Options,
        batching: Batching,
    ) -> impl Future<Output = Result<Builder<Self>, AttachError>> + Send;

    /// Writes this subgraph's demo data; running it twice leaves the same data.
    fn seed(
        database: &Database,
        options: &SeedOptions,
    ) -> impl Future<Output = mongodb::error::Result<String>> + Send;
}

/// A subgraph's schema under construction.
pub type Builder<S> =
    SchemaBuilder<<S as Subgraph>::Query, <S as Subgraph>::Mutation, <S as Subgraph>::Subscription>;

/// Why a subgraph could not be wired to its dependencies at start.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("MongoDB: {0}")]
    Mongo(#[from] mongodb::error::Error),
    #[error("cannot set up {what}: {reason}")]
    Dependency { what: &'static str, reason: String },
}

/// The subgraph's federation SDL, as committed in `subgraphs/<name>/schema.graphql`.
pub fn sdl<S: Subgraph>() -> String {
    let sdl = S::schema_builder()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive());
    with_federation_directives_imported(&without_redefined_directives(&sdl))
}

/// Directives every GraphQL server has; declaring them again in a subgraph SDL only makes
/// composers carry the copies into the supergraph.
const BUILTIN_DIRECTIVES: &[&str] = &["include", "skip", "deprecated", "specifiedBy", "oneOf"];

/// The federation link async-graphql writes, and the one our SDL carries: v2.9 is the first
/// with `@cost` and `@listSize`, and the spec's own directives are imported, not redefined.
const ASYNC_GRAPHQL_LINK: (&str, &str) = (
    "\"https://specs.apollo.dev/federation/v2.5\"",
    "\"@requiresScopes\"]",
);
const FEDERATION_LINK: (&str, &str) = (
    "\"https://specs.apollo.dev/federation/v2.9\"",
    "\"@requiresScopes\", \"@authenticated\", \"@cost\", \"@listSize\"]",
);

fn with_federation_directives_imported(sdl: &str) -> String {
    sdl.replacen(ASYNC_GRAPHQL_LINK.0, FEDERATION_LINK.0, 1)
        .replacen(ASYNC_GRAPHQL_LINK.1, FEDERATION_LINK.1, 1)
}

/// Drops async-graphql's definitions of the built-in directives and of the federation-owned
/// ones ([`directives::FEDERATION_OWNED`]), with their descriptions.
fn without_redefined_directives(sdl: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut description_start = None;
    let mut in_description = false;
    for line in sdl.lines() {
        let is_builtin = line.strip_prefix("directive @").is_some_and(|rest| {
            BUILTIN_DIRECTIVES
                .iter()
                .chain(directives::FEDERATION_OWNED)
                .any(|name| rest.starts_with(name) && rest[name.len()..].starts_with(['(', ' ']))
        });
        if is_builtin {
            if let Some(start) = description_start.take() {
                kept.truncate(start);
            }
            continue;
        }
        if line.trim() == "\"\"\"" {
            if !in_description {
                description_start = Some(kept.len());
            }
            in_description = !in_description;
        } else if !in_description && !line.trim().is_empty() {
            description_start = None;
        }
        kept.push(line);
    }
    let mut text = kept.join("\n");
    text.push('\n');
    text
}

/// Query texts whose parsed documents a subgraph keeps: a router sends a few per operation it
/// plans, so this covers a large API's worth.
const PARSED_QUERIES: NonZeroUsize = NonZeroUsize::new(1024).unwrap();

/// Builds the schema against `database`, ready to serve.
pub async fn schema<S: Subgraph>(
    database: Database,
    options: &S::Options,
    batching: Batching,
    request_timeout: Duration,
) -> Result<Schema<S::Query, S::Mutation, S::Subscription>, AttachError> {
    let builder = S::schema_builder()
        .extension(ParsedQueryCache::new(PARSED_QUERIES))
        .extension(RefusalCodes)
        .extension(RequestDeadline::new(request_timeout))
        .limit_depth(limits::MAX_DEPTH)
        .limit_complexity(limits::MAX_COMPLEXITY)
        .data(database.clone());
    Ok(S::attach(builder, database, options, batching)
        .await?
        .finish())
}

/// For subgraphs with no settings beyond the shared ones.
#[derive(Debug, Clone, Default, Args)]
pub struct NoOptions {}

#[cfg(test)]
mod tests {
    use super::{with_federation_directives_imported, without_redefined_directives};
    use crate::directives::{authenticated, cost, listSize};

    #[test]
    fn federation_directives_are_imported_from_the_spec_not_defined() {
        struct Query;
        #[async_graphql::Object]
        impl Query {
            #[graphql(directive = authenticated::apply(), directive = listSize::apply(Some(3), None, None, None))]
            async fn secrets(
                &self,
                #[graphql(directive = cost::apply(5))] _word: String,
            ) -> Vec<i32> {
                Vec::new()
            }
        }
        let raw = async_graphql::Schema::build(
            Query,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        )
        .enable_federation()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().federation());
        let sdl = with_federation_directives_imported(&without_redefined_directives(&raw));
        assert!(
            sdl.contains("secrets(word: String! @cost(weight: 5)): [Int!]! @authenticated @listSize(assumedSize: 3)"),
            "{sdl}"
        );
        assert!(!sdl.contains("directive @"), "{sdl}");
        assert!(
            sdl.contains("federation/v2.9")
                && sdl.contains(r#""@authenticated", "@cost", "@listSize"]"#),
            "{sdl}"
        );
    }

    #[test]
    fn builtin_directive_definitions_are_dropped_with_their_descriptions() {
        let sdl = "type Query {\n\t\"\"\"\n\tKept.\n\t\"\"\"\n\ta: Int\n}\n\n\"\"\"\nGone.\n\"\"\"\ndirective @include(if: Boolean!) on FIELD\ndirective @skip(if: Boolean!) on FIELD\n\"\"\"\nMine.\n\"\"\"\ndirective @skipped on FIELD\n";
        let cleaned = without_redefined_directives(sdl);
        assert!(!cleaned.contains("@include") && !cleaned.contains("Gone."));
        assert!(!cleaned.contains("@skip("));
        assert!(
            cleaned.contains("Kept.")
                && cleaned.contains("directive @skipped")
                && cleaned.contains("Mine.")
        );
    }
}

#[derive(Debug, Parser)]
struct Cli<O: Args> {
    #[command(subcommand)]
    command: Option<Command>,

    /// Print this subgraph's federation SDL and exit (needs no MongoDB)
    #[arg(long)]
    print_schema: bool,

    /// Print the shard key of each collection to shard (docs/sharding.md), one JSON line each
    /// (`{"collection": …, "key": {…}}`, as `sh.shardCollection` takes the key), and exit
    #[arg(long)]
    print_shard_keys: bool,

    #[command(flatten)]
    service: ServiceConfig,

    #[command(flatten)]
    options: O,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the subgraph (the default)
    Serve,
    /// Write this subgraph's demo data into its database, idempotently, and exit
    Seed(SeedOptions),
    /// Exit 0 when this subgraph, at its listen address, is ready (a container health check)
    Probe,
}

/// How much demo data to write.
#[derive(Debug, Clone, Args)]
pub struct SeedOptions {
    /// Number of demo products (every subgraph derives its data from the same catalog)
    #[arg(long, env = "SEED_PRODUCTS", default_value_t = 1000)]
    pub products: usize,
}

/// Runs the subgraph binary: `--print-schema`, `seed`, or serve (the default).
pub async fn run<S: Subgraph>() -> anyhow::Result<()> {
    let matches = Cli::<S::Options>::command()
        .name(S::NAME)
        .about(S::ABOUT)
        // Shown in `--help`, where the roster test reads it back.
        .mut_arg("listen", |arg| {
            arg.default_value(format!("127.0.0.1:{}", S::DEFAULT_PORT))
        })
        .get_matches();
    let cli = Cli::<S::Options>::from_arg_matches(&matches)?;

    if cli.print_schema {
        print!("{}", sdl::<S>());
        return Ok(());
    }
    if cli.print_shard_keys {
        for key in S::SHARD_KEYS {
            println!("{}", key.line());
        }
        return Ok(());
    }
    let service = &cli.service;
    let open_database = || async {
        telemetry::init_logging(
            service.log_format,
            S::NAME,
            service.otlp_endpoint.as_deref(),
        );
        let name = service.database_name(S::NAME);
        anyhow::Ok((
            mongo::connect(&service.mongodb_uri, name, service.mongodb_timeout).await?,
            name,
        ))
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Probe => service_kit::server::probe(service.listen_addr(S::DEFAULT_PORT))
            .await
            .map_err(|reason| anyhow::anyhow!("not ready: {reason}"))?,
        Command::Seed(options) => {
            let (database, name) = open_database().await?;
            let summary = S::seed(&database, &options).await?;
            tracing::info!(subgraph = S::NAME, database = name, "{summary}");
        }
        Command::Serve => {
            let (database, _) = open_database().await?;
            let metrics = telemetry::metrics_handle();
            tokio::spawn(mongo::keep_checking_reachability(
                database.clone(),
                service.mongodb_timeout,
            ));
            let verifier = match &service.jwks_file {
                Some(path) => Some(Arc::new(Verifier::from_jwks_file(
                    path,
                    &service.jwt_issuer,
                    &service.jwt_audience,
                )?)),
                None => None,
            };
            let batching = Batching {
                window: service.batch_window,
            };
            let schema = schema::<S>(
                database.clone(),
                &cli.options,
                batching,
                service.request_timeout,
            )
            .await?;
            let app = server::app(server::AppState {
                schema,
                database,
                metrics,
                verifier,
                operation_labels: Arc::new(OperationLabels::registered()),
                streams: Arc::new(tokio::sync::Semaphore::new(service.max_subscriptions)),
                max_stream_age: service.max_stream_age,
                mongodb_timeout: service.mongodb_timeout,
            });
            service_kit::server::serve(
                service.listen_addr(S::DEFAULT_PORT),
                app,
                service.shutdown_grace,
            )
            .await?;
        }
    }
    Ok(())
}
