//! The Hive Router plugin that records usage: after validation it works out which schema
//! elements each operation in the document uses; once the request is analysed (so it is
//! valid and its operation chosen) it files that under the client and operation name, and a
//! background task writes the file every `flush_interval` and at shutdown. Off unless the
//! operator names a file (`--usage-file`); nothing leaves the machine.

use std::{
    collections::BTreeSet,
    num::NonZeroUsize,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use hive_router::{
    async_trait,
    background_tasks::{BackgroundTask, CancellationToken},
    graphql_tools::static_graphql::query::Document as QueryDocument,
    humantime_serde,
    plugins::{
        hooks::{
            on_graphql_analysis::{OnGraphqlAnalysisHookPayload, OnGraphqlAnalysisHookResult},
            on_graphql_validation::{
                OnGraphQLValidationStartHookPayload, OnGraphQLValidationStartHookResult,
            },
            on_plugin_init::{OnPluginInitPayload, OnPluginInitResult},
        },
        plugin_trait::{EndHookPayload, RouterPlugin, StartHookPayload},
    },
};
use serde::Deserialize;

use super::{Recorder, SharedRecorder, UsageError, UsageLog};
use crate::operations::document_usage;

/// The name this plugin has in Hive Router's `plugins:` configuration.
pub const PLUGIN_NAME: &str = "storefront_usage";

/// The request headers a client names itself in, first match wins (Hive's and Apollo's).
const CLIENT_NAME_HEADERS: [&str; 2] = ["graphql-client-name", "apollographql-client-name"];

/// Client and operation names are the client's to choose; they are kept this long at most.
const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsagePluginConfig {
    /// The usage file: read at start (usage accumulates across restarts), written as it goes.
    pub file: PathBuf,
    /// How often the file is written.
    #[serde(default = "default_flush_interval", with = "humantime_serde")]
    pub flush_interval: Duration,
    /// Distinct (client, operation) pairs kept; the rest are filed together as `(other)`.
    #[serde(default = "default_max_operations")]
    pub max_operations: usize,
    /// Usage older than this is forgotten (so are the names of clients gone quiet); keep it
    /// longer than the longest `--window` checks use.
    #[serde(default = "default_retention", with = "humantime_serde")]
    pub retention: Duration,
}

fn default_retention() -> Duration {
    Duration::from_secs(90 * 24 * 60 * 60)
}

fn default_flush_interval() -> Duration {
    Duration::from_secs(10)
}

fn default_max_operations() -> usize {
    10_000
}

/// Documents whose usage was worked out, kept this many at most (least recently used go).
const WORKED_OUT_DOCUMENTS: NonZeroUsize = NonZeroUsize::new(1_000).expect("not zero");

pub struct UsagePlugin {
    recorder: SharedRecorder,
    file: PathBuf,
    worked_out: WorkedOut,
}

/// What each operation of a document uses.
type OperationsUsage = Arc<Vec<(Option<String>, BTreeSet<String>)>>;

/// What each operation of the request's document uses, from validation to analysis.
struct DocumentUsage(OperationsUsage);

/// Usage already worked out, by schema and document: Hive Router's parse cache hands every
/// request with the same text the same parsed document, so a repeated operation costs a
/// lookup, not a walk of the document (which cost ~15% of a small query's CPU). The document
/// is held with its entry, so its address cannot be reused while it is a key.
struct WorkedOut(Mutex<lru::LruCache<WorkedOutKey, (Arc<QueryDocument>, OperationsUsage)>>);

/// The schema's hash and the parsed document's address.
type WorkedOutKey = (u64, usize);

impl WorkedOut {
    fn usage(
        &self,
        schema_hash: u64,
        document: &Arc<QueryDocument>,
        work_out: impl FnOnce() -> Vec<(Option<String>, BTreeSet<String>)>,
    ) -> OperationsUsage {
        let key = (schema_hash, Arc::as_ptr(document) as usize);
        let mut entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, usage)) = entries.get(&key) {
            return usage.clone();
        }
        drop(entries);
        let usage = Arc::new(work_out());
        let mut entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        entries.put(key, (document.clone(), usage.clone()));
        usage
    }
}

#[async_trait]
impl RouterPlugin for UsagePlugin {
    type Config = UsagePluginConfig;

    fn plugin_name() -> &'static str {
        PLUGIN_NAME
    }

    fn on_plugin_init(mut payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        let config = payload.config()?;
        let mut recorder = Recorder::new(config.max_operations, config.retention);
        match UsageLog::load(&config.file) {
            Ok(earlier) => recorder.add(earlier),
            Err(UsageError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound => {}
            // A file the router cannot read is kept for a person to look at, not served
            // around: recording starts afresh beside it.
            Err(err) => {
                let aside = config.file.with_extension("unreadable.json");
                tracing::warn!("usage recording: {err}; moving it to {}", aside.display());
                std::fs::rename(&config.file, &aside)?;
            }
        }
        let recorder = Arc::new(Mutex::new(recorder));
        payload.register_background_task(Flusher {
            recorder: recorder.clone(),
            file: config.file.clone(),
            interval: config.flush_interval,
        });
        Ok(Some(Self {
            recorder,
            file: config.file,
            worked_out: WorkedOut(Mutex::new(lru::LruCache::new(WORKED_OUT_DOCUMENTS))),
        }))
    }

    async fn on_graphql_validation<'exec>(
        &'exec self,
        payload: OnGraphQLValidationStartHookPayload<'exec>,
    ) -> OnGraphQLValidationStartHookResult<'exec> {
        // Only a document that passed validation (and so the depth and size limits) is walked.
        let (document, schema, context) = (
            payload.document.clone(),
            payload.schema.clone(),
            payload.context,
        );
        let worked_out = &self.worked_out;
        payload.on_end(move |end| {
            if end.errors.is_empty() {
                let usage = worked_out.usage(schema.hash, &document, || {
                    document_usage(&document, &schema.document)
                });
                context.insert(DocumentUsage(usage));
            }
            end.proceed()
        })
    }

    async fn on_graphql_analysis<'exec>(
        &'exec self,
        payload: &mut OnGraphqlAnalysisHookPayload<'exec>,
    ) -> OnGraphqlAnalysisHookResult {
        let Some(usage) = payload.context.get_ref::<DocumentUsage>() else {
            return OnGraphqlAnalysisHookResult::Proceed;
        };
        let wanted = payload.client_request_details.operation.name;
        let chosen = match wanted {
            Some(wanted) => usage
                .0
                .iter()
                .find(|(name, _)| name.as_deref() == Some(wanted)),
            None if usage.0.len() == 1 => usage.0.first(),
            None => None,
        };
        if let Some((name, used)) = chosen {
            let headers = &payload.client_request_details.headers;
            let client = CLIENT_NAME_HEADERS
                .iter()
                .find_map(|header| headers.get(*header)?.to_str().ok())
                .filter(|name| !name.is_empty())
                .unwrap_or("unknown");
            let operation = name.as_deref().unwrap_or("anonymous");
            let mut recorder = self.recorder.lock().unwrap_or_else(|e| e.into_inner());
            recorder.record(&bounded(client), &bounded(operation), used, unix_seconds());
        }
        OnGraphqlAnalysisHookResult::Proceed
    }

    async fn on_shutdown<'exec>(&'exec self) {
        write(&self.recorder, &self.file);
    }
}

/// Writes the usage file every `interval`, and once more when the router stops.
struct Flusher {
    recorder: SharedRecorder,
    file: PathBuf,
    interval: Duration,
}

#[async_trait]
impl BackgroundTask for Flusher {
    fn id(&self) -> &str {
        "storefront_usage_file"
    }

    async fn run(&self, token: CancellationToken) {
        loop {
            tokio::select! {
                () = token.cancelled() => break,
                () = tokio::time::sleep(self.interval) => write(&self.recorder, &self.file),
            }
        }
        write(&self.recorder, &self.file);
    }
}

/// Writes the file when something was recorded since the last write, after forgetting what
/// is older than the retention.
fn write(recorder: &SharedRecorder, file: &std::path::Path) {
    let log = {
        let mut recorder = recorder.lock().unwrap_or_else(|e| e.into_inner());
        recorder.forget_before(unix_seconds());
        recorder.take_changes()
    };
    if let Some(log) = log
        && let Err(err) = log.save(file)
    {
        tracing::error!("usage recording: {err}");
    }
}

fn bounded(name: &str) -> String {
    name.chars().take(MAX_NAME_CHARS).collect()
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}
