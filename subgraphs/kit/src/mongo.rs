//! The MongoDB connection every subgraph opens: one pooled client per process, majority write
//! concern so a write is acknowledged only once it is durable, command monitoring feeding
//! the `mongodb_commands_total` / `mongodb_command_duration_seconds` metrics and, when traces
//! are exported, a `mongodb` span per command; pool gauges (`mongodb_pool_connections`,
//! `mongodb_pool_checked_out`) and `mongodb_reachable`, which dashboards and alerts read.

use std::{collections::HashMap, time::Duration};

use futures::TryStreamExt;
use mongodb::{
    Client, Collection, Database,
    bson::doc,
    event::{EventHandler, cmap::CmapEvent, command::CommandEvent},
    options::{ClientOptions, WriteConcern},
};

use crate::reference;

#[derive(Debug, thiserror::Error)]
pub enum MongoError {
    #[error("invalid MongoDB connection string {uri:?}: {source}")]
    InvalidUri {
        uri: String,
        source: mongodb::error::Error,
    },
    #[error("MongoDB at {uri:?} did not answer a ping: {source}")]
    Unreachable { uri: String, source: PingFailed },
}

/// Why MongoDB did not answer a ping.
#[derive(Debug, thiserror::Error)]
pub enum PingFailed {
    #[error(transparent)]
    Mongo(#[from] mongodb::error::Error),
    /// No answer at all: a server cut off mid-conversation, which the driver waits on.
    #[error("no answer within {0:?}")]
    Silent(Duration),
}

/// How often the driver checks each member of the replica set (see [`connect`]).
const HEARTBEAT: Duration = Duration::from_secs(1);

/// Opens a client for `uri` and returns the database `name` on it.
///
/// Fails fast: a command waits at most `timeout` for a usable server (and a connection), so a
/// missing MongoDB, or a replica set electing a primary, is a prompt `SERVICE_UNAVAILABLE`
/// (see [`is_unavailable`]), not a hang.
pub async fn connect(uri: &str, name: &str, timeout: Duration) -> Result<Database, MongoError> {
    let mut options = ClientOptions::parse(uri)
        .await
        .map_err(|source| MongoError::InvalidUri {
            uri: uri.to_owned(),
            source,
        })?;
    options.server_selection_timeout = Some(timeout);
    options.connect_timeout = Some(timeout);
    // How soon the driver notices a server that went silent or a new primary: its monitors
    // check each member this often (10 s by default). After a failover, writes resume within
    // about this long of the election instead of up to ten seconds later.
    options.heartbeat_freq = Some(HEARTBEAT);
    options.write_concern = Some(WriteConcern::majority());
    options.command_event_handler = Some(EventHandler::callback(record_command));
    options.cmap_event_handler = Some(EventHandler::callback(record_pool));
    let client = Client::with_options(options).map_err(|source| MongoError::InvalidUri {
        uri: uri.to_owned(),
        source,
    })?;
    let database = client.database(name);
    ping(&database, timeout)
        .await
        .map_err(|source| MongoError::Unreachable {
            uri: uri.to_owned(),
            source,
        })?;
    Ok(database)
}

/// Whether a failed command says MongoDB is out of reach or between primaries (no server to
/// select, a dropped connection, a primary stepping down): a client may retry later, unlike
/// any other failure. Such a write was not acknowledged; it may or may not have been applied.
pub fn is_unavailable(error: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, RETRYABLE_WRITE_ERROR, WriteFailure};
    let code = match &*error.kind {
        ErrorKind::ServerSelection { .. }
        | ErrorKind::Io(_)
        | ErrorKind::ConnectionPoolCleared { .. } => return true,
        ErrorKind::Command(command) => Some(command.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(concern)) => Some(concern.code),
        _ => None,
    };
    error.contains_label(RETRYABLE_WRITE_ERROR)
        || code.is_some_and(|code| NO_PRIMARY_CODES.contains(&code))
}

/// Server error codes meaning "not the primary, or shutting down": `InterruptedAtShutdown`,
/// `ShutdownInProgress`, `PrimarySteppedDown`, `NotWritablePrimary`,
/// `InterruptedDueToReplStateChange`, `NotPrimaryNoSecondaryOk`, `NotPrimaryOrSecondary`.
const NO_PRIMARY_CODES: [i32; 7] = [11600, 91, 189, 10107, 11602, 13435, 13436];

/// One round trip to the server within `limit`: what `/ready` means by "MongoDB answers".
pub async fn ping(database: &Database, limit: Duration) -> Result<(), PingFailed> {
    let answered = match tokio::time::timeout(limit, database.run_command(doc! { "ping": 1 })).await
    {
        Ok(answer) => answer.map(drop).map_err(PingFailed::from),
        Err(_) => Err(PingFailed::Silent(limit)),
    };
    metrics::gauge!("mongodb_reachable").set(if answered.is_ok() { 1.0 } else { 0.0 });
    answered
}

/// How often a serving subgraph pings MongoDB for `mongodb_reachable`, whether or not
/// anything asks for `/ready`.
const REACHABILITY_INTERVAL: Duration = Duration::from_secs(5);

/// Pings MongoDB every few seconds for as long as the process runs, keeping
/// `mongodb_reachable` current for alerts (an orchestrator's `/ready` probes do the same).
pub async fn keep_checking_reachability(database: Database, limit: Duration) {
    loop {
        let _ = ping(&database, limit).await;
        tokio::time::sleep(REACHABILITY_INTERVAL).await;
    }
}

/// Every document whose `field` is one of `values`: the one query behind a DataLoader batch.
pub async fn find_in<T>(
    collection: &Collection<T>,
    field: &str,
    values: &[String],
) -> mongodb::error::Result<Vec<T>>
where
    T: serde::de::DeserializeOwned + Send + Sync,
{
    collection
        .find(doc! { field: { "$in": values } })
        .await?
        .try_collect()
        .await
}

/// Writes `documents` in place of any stored ones with the same ids, a chunk per transaction,
/// so readers never see a chunk half replaced: how seeding stays idempotent.
pub async fn replace_by_id<T>(
    collection: &Collection<T>,
    documents: &[T],
    id_of: impl Fn(&T) -> &str,
) -> mongodb::error::Result<()>
where
    T: serde::Serialize + Send + Sync,
{
    let mut session = collection.client().start_session().await?;
    for chunk in documents.chunks(2_000) {
        let ids: Vec<&str> = chunk.iter().map(&id_of).collect();
        session.start_transaction().await?;
        collection
            .delete_many(doc! { "_id": { "$in": ids } })
            .session(&mut session)
            .await?;
        collection.insert_many(chunk).session(&mut session).await?;
        session.commit_transaction().await?;
    }
    Ok(())
}

/// Spans of the MongoDB commands in flight, by the driver's request id: opened when a
/// command starts (inside the span of whatever issued it), closed when it ends.
static COMMAND_SPANS: std::sync::LazyLock<std::sync::Mutex<HashMap<i32, tracing::Span>>> =
    std::sync::LazyLock::new(Default::default);

fn record_command(event: CommandEvent) {
    // No log line is written inside these spans, so without an exporter they would cost a
    // lock per command for nothing.
    if service_kit::telemetry::exporting_traces() {
        track_command_span(&event);
    }
    match event {
        // The reference mirrors' own commands (their change streams wait on `getMore` around
        // the clock) are counted apart: `mongodb_commands_total` is what requests cost.
        CommandEvent::Started(started)
            if started.command.get_str("comment") == Ok(reference::MIRROR_COMMENT) =>
        {
            metrics::counter!("mongodb_mirror_commands_total", "command" => started.command_name)
                .increment(1);
        }
        CommandEvent::Started(started) => {
            metrics::counter!("mongodb_commands_total", "command" => started.command_name)
                .increment(1);
        }
        CommandEvent::Succeeded(done) => {
            metrics::histogram!("mongodb_command_duration_seconds", "command" => done.command_name)
                .record(done.duration.as_secs_f64());
        }
        CommandEvent::Failed(failed) => {
            metrics::counter!("mongodb_command_failures_total", "command" => failed.command_name.clone())
                .increment(1);
            metrics::histogram!("mongodb_command_duration_seconds", "command" => failed.command_name)
                .record(failed.duration.as_secs_f64());
        }
        _ => {}
    }
}

/// The connection pool as gauges: connections open, and those checked out by a command.
fn record_pool(event: CmapEvent) {
    match event {
        CmapEvent::ConnectionCreated(_) => {
            metrics::gauge!("mongodb_pool_connections").increment(1.0);
        }
        CmapEvent::ConnectionClosed(_) => {
            metrics::gauge!("mongodb_pool_connections").decrement(1.0);
        }
        CmapEvent::ConnectionCheckedOut(_) => {
            metrics::gauge!("mongodb_pool_checked_out").increment(1.0);
        }
        CmapEvent::ConnectionCheckedIn(_) => {
            metrics::gauge!("mongodb_pool_checked_out").decrement(1.0);
        }
        CmapEvent::ConnectionCheckoutFailed(_) => {
            metrics::counter!("mongodb_pool_checkout_failures_total").increment(1);
        }
        _ => {}
    }
}

/// Opens the command's `mongodb` span when it starts and closes it when it ends.
fn track_command_span(event: &CommandEvent) {
    let request_id = match event {
        CommandEvent::Started(e) => e.request_id,
        CommandEvent::Succeeded(e) => e.request_id,
        CommandEvent::Failed(e) => e.request_id,
        _ => return,
    };
    if let Ok(mut spans) = COMMAND_SPANS.lock() {
        if let CommandEvent::Started(started) = event {
            let span = tracing::info_span!(
                "mongodb",
                db.system = "mongodb",
                db.operation = %started.command_name,
                db.name = %started.db,
            );
            spans.insert(request_id, span);
        } else {
            spans.remove(&request_id);
        }
    }
}
