//! An entity cache that is never staler than the subgraphs' own change streams: entity
//! fetches (`_entities`) for configured types are answered from memory, per entity, and so are
//! fetches of configured root fields, whole; each subgraph's invalidation channel
//! (`subgraph_kit::invalidation`) says what to forget. A fetch of 50 entities with 45 cached
//! asks the subgraph for the 5 it lacks.
//!
//! Guarantees: an answer is served only while its subgraph's channel follows, and never to a
//! subscription's event (which a change still being announced may have caused); an answer
//! fetched while anything was announced for its subgraph is not kept; "everything", a broken
//! channel or one silent past its heartbeat forgets the subgraph's answers; a mutation sent to
//! a cached subgraph forgets them before its response returns (read your writes). Staleness is
//! therefore bounded by how long an announcement takes to arrive after the write (the change
//! stream's delay plus one hop), and by the silence limit when a network cuts the channel
//! without closing it.

mod channel;
mod fetch;
mod metrics;
mod store;

use std::{
    collections::{HashMap, HashSet},
    hash::{DefaultHasher, Hash, Hasher},
    sync::Arc,
    time::Duration,
};

use hive_router::{
    ArcSwap,
    executor::response::subgraph_response::SubgraphResponse,
    humantime_serde,
    plugins::{
        hooks::{
            on_plugin_init::{OnPluginInitPayload, OnPluginInitResult},
            on_subgraph_execute::{
                OnSubgraphExecuteStartHookPayload, OnSubgraphExecuteStartHookResult,
            },
            on_supergraph_load::{
                OnSupergraphLoadStartHookPayload, OnSupergraphLoadStartHookResult,
            },
        },
        plugin_trait::{EndHookPayload, RouterPlugin, StartHookPayload},
    },
    query_planner::state::supergraph_state::OperationKind,
};
use serde::Deserialize;
use serde_json::Value;

use self::{
    fetch::{Cacheable, EntitiesAnswer, SchemaFacts},
    metrics::{CacheGauges, CacheMetrics, Lookup},
    store::{EntityKey, Scope, Store, SubgraphState},
};

/// The name this plugin has in Hive Router's `plugins:` configuration.
pub const PLUGIN_NAME: &str = "storefront_entity_cache";

/// The request header that skips the cache for one request, where `allow_bypass_header` lets
/// it (development: compare an answer with the subgraphs' own).
pub const BYPASS_HEADER: &str = "x-storefront-cache";

/// Distinct fetch texts whose cacheability is remembered (a supergraph's plans have a few
/// hundred at most).
const JUDGED_FETCHES: u64 = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityCacheConfig {
    /// The most memory cached answers may take, in MB.
    #[serde(default = "default_max_size_mb")]
    pub max_size_mb: u64,
    /// The oldest an answer may be served: a safety net, not what keeps answers fresh.
    #[serde(default = "default_ttl", with = "humantime_serde")]
    pub ttl: Duration,
    /// Whether `x-storefront-cache: bypass` skips the cache (development only).
    #[serde(default)]
    pub allow_bypass_header: bool,
    /// The subgraphs whose entities are cached.
    #[serde(default)]
    pub subgraphs: HashMap<String, SubgraphCacheConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgraphCacheConfig {
    /// The entity types cached: public data only, whose answers do not depend on the caller.
    #[serde(default)]
    pub types: HashSet<String>,
    /// The `Query` fields cached (a fetch of these only): public data only, as for `types`.
    #[serde(default)]
    pub root_fields: HashSet<String>,
    /// The subgraph's invalidation channel (the router fills it in from the subgraph's URL).
    pub invalidations: String,
}

fn default_max_size_mb() -> u64 {
    64
}

fn default_ttl() -> Duration {
    Duration::from_secs(600)
}

/// What a subgraph's fetches may be cached for.
struct Declared {
    types: HashSet<String>,
    root_fields: HashSet<String>,
}

pub struct EntityCache {
    store: Arc<Store>,
    declared: HashMap<String, Declared>,
    facts: ArcSwap<SchemaFacts>,
    /// How each fetch text (by subgraph and hash) may be cached, judged once per supergraph.
    judged: moka::sync::Cache<u64, Option<Cacheable>>,
    allow_bypass_header: bool,
    metrics: Arc<CacheMetrics>,
    _gauges: CacheGauges,
}

#[hive_router::async_trait]
impl RouterPlugin for EntityCache {
    type Config = EntityCacheConfig;

    fn plugin_name() -> &'static str {
        PLUGIN_NAME
    }

    fn on_plugin_init(mut payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        let config = payload.config()?;
        let meter = opentelemetry::global::meter("storefront_router");
        let metrics = Arc::new(CacheMetrics::new(
            &meter,
            config.subgraphs.keys().map(String::as_str),
        ));
        let evictions = metrics.evictions.clone();
        let store = Arc::new(Store::new(
            config.subgraphs.keys().map(String::as_str),
            config.max_size_mb.saturating_mul(1_000_000),
            config.ttl,
            Box::new(move || evictions.add(1, &[])),
        ));
        for (name, subgraph) in &config.subgraphs {
            payload.register_background_task(channel::Follower {
                store: store.clone(),
                state: store.subgraph(name).expect("made above").clone(),
                url: subgraph.invalidations.clone(),
                metrics: metrics.clone(),
            });
        }
        Ok(Some(Self {
            _gauges: CacheGauges::observe(&meter, &store),
            store,
            declared: config
                .subgraphs
                .into_iter()
                .map(|(name, subgraph)| {
                    let declared = Declared {
                        types: subgraph.types,
                        root_fields: subgraph.root_fields,
                    };
                    (name, declared)
                })
                .collect(),
            facts: ArcSwap::from_pointee(SchemaFacts::default()),
            judged: moka::sync::Cache::new(JUDGED_FETCHES),
            allow_bypass_header: config.allow_bypass_header,
            metrics,
        }))
    }

    fn on_supergraph_reload<'exec>(
        &'exec self,
        payload: OnSupergraphLoadStartHookPayload,
    ) -> OnSupergraphLoadStartHookResult<'exec> {
        self.facts
            .store(Arc::new(SchemaFacts::of(&payload.new_ast)));
        self.judged.invalidate_all();
        payload.proceed()
    }

    async fn on_subgraph_execute<'exec>(
        &'exec self,
        payload: OnSubgraphExecuteStartHookPayload<'exec>,
    ) -> OnSubgraphExecuteStartHookResult<'exec> {
        let Some(state) = self.store.subgraph(payload.subgraph_name) else {
            return payload.proceed();
        };
        let query = payload.execution_request.query;
        if query.trim_start().starts_with("mutation") {
            // Read your writes: what the mutation changed is forgotten before its response
            // reaches the client, whether or not its announcement has arrived yet.
            let (store, state) = (&self.store, state.clone());
            return payload.on_end(move |end| {
                store.flush(&state);
                end.proceed()
            });
        }
        let bypass = self.allow_bypass_header
            && payload
                .router_http_request
                .headers
                .get(BYPASS_HEADER)
                .is_some_and(|value| value == "bypass");
        // A subscription's event may come from the very change whose announcement is still on
        // its way: what the router fetches for an event is always fresh.
        let for_an_event = payload.request_context.read().is_ok_and(|context| {
            matches!(
                context.operation().kind(),
                Some(OperationKind::Subscription)
            )
        });
        let Some(started) = state.begin_fetch().filter(|_| !bypass && !for_an_event) else {
            return payload.proceed();
        };
        match self.judge(payload.subgraph_name, query) {
            Some(Cacheable::Entities(scope)) => self.fetch_entities(payload, state, started, scope),
            Some(Cacheable::RootFields) => self.fetch_root_fields(payload, state, started),
            None => payload.proceed(),
        }
    }
}

impl EntityCache {
    /// How `query`, sent to `subgraph`, may be cached; judged once per fetch text and
    /// supergraph.
    fn judge(&self, subgraph: &str, query: &str) -> Option<Cacheable> {
        let declared = self.declared.get(subgraph)?;
        let mut hasher = DefaultHasher::new();
        (subgraph, query).hash(&mut hasher);
        self.judged.get_with(hasher.finish(), || {
            self.facts
                .load()
                .judge(query, &declared.types, &declared.root_fields)
        })
    }

    /// An `_entities` fetch: the stored entities from memory, the others from the subgraph.
    fn fetch_entities<'exec>(
        &'exec self,
        mut payload: OnSubgraphExecuteStartHookPayload<'exec>,
        state: &Arc<SubgraphState>,
        started: u64,
        scope: Scope,
    ) -> OnSubgraphExecuteStartHookResult<'exec> {
        let Some(asked) = payload
            .execution_request
            .raw_variable_values
            .as_ref()
            .and_then(|values| values.iter().find(|(name, _)| *name == "representations"))
            .and_then(|(_, raw)| fetch::representations(raw))
        else {
            return payload.proceed();
        };
        let fetch = fetch_hash(&payload);
        let keys: Vec<(EntityKey, u64)> = asked
            .iter()
            .map(|representation| {
                let key = EntityKey {
                    subgraph: state.name.clone(),
                    typename: representation.typename.as_str().into(),
                    id: representation.id.as_str().into(),
                };
                (key, fetch::answer_hash(fetch, representation))
            })
            .collect();
        let found: Vec<Option<Arc<str>>> = keys
            .iter()
            .map(|(key, shape)| self.store.lookup(state, key, *shape, scope))
            .collect();
        let missing: Vec<usize> = (0..found.len()).filter(|i| found[*i].is_none()).collect();
        let hits = found.len() - missing.len();
        self.metrics.looked_up(&state.name, Lookup::Hit, hits);
        self.metrics
            .looked_up(&state.name, Lookup::Miss, missing.len());
        let custom_scalar_paths = payload.execution_request.custom_scalar_paths;

        if missing.is_empty() {
            // The stored answers are JSON text already: joined, not parsed and written again.
            let texts: Vec<&str> = found.iter().flatten().map(|text| &**text).collect();
            let body = fetch::data_body(&format!("{{\"_entities\":[{}]}}", texts.join(",")));
            return match SubgraphResponse::deserialize_from_bytes(body.into(), custom_scalar_paths)
            {
                Ok(response) => payload.end_with_response(response),
                Err(error) => {
                    tracing::warn!(%error, "entity cache: a stored answer did not read back; asking the subgraph");
                    payload.proceed()
                }
            };
        }
        if hits > 0 {
            let text = fetch::representations_text(missing.iter().map(|i| &asked[*i]));
            if let Some(values) = payload.execution_request.raw_variable_values.as_mut() {
                values.retain(|(name, _)| *name != "representations");
                values.push(("representations", text));
            }
        }
        let (store, state) = (&self.store, state.clone());
        payload.on_end(move |mut end| {
            let Some(answer) = end
                .execution_result
                .bytes
                .as_deref()
                .and_then(EntitiesAnswer::parse)
            else {
                return end.proceed();
            };
            let complete = answer.errors.is_empty()
                && answer
                    .entities
                    .as_ref()
                    .is_some_and(|entities| entities.len() == missing.len());
            if complete {
                let entities = answer.entities.iter().flatten();
                for (slot, entity) in missing.iter().zip(entities) {
                    let (key, shape) = &keys[*slot];
                    store.insert(
                        &state,
                        key.clone(),
                        *shape,
                        entity.to_string().into(),
                        started,
                    );
                }
            }
            if hits == 0 {
                return end.proceed();
            }
            // The subgraph answered for the missing entities only: put the stored ones back in
            // their places, and its errors' paths with them.
            let mut fetched = answer.entities.into_iter().flatten();
            let entities = found
                .iter()
                .map(|stored| match stored {
                    Some(text) => parse_stored(text),
                    None => fetched.next().unwrap_or(Value::Null),
                })
                .collect();
            let mut errors = answer.errors;
            for error in &mut errors {
                fetch::remap_error_path(error, &missing);
            }
            let body = fetch::entities_body(Some(entities), errors, answer.extensions);
            match SubgraphResponse::deserialize_from_bytes(body.into(), custom_scalar_paths) {
                Ok(mut whole) => {
                    whole.headers = end.execution_result.headers.take();
                    whole.status = end.execution_result.status;
                    end.execution_result = whole;
                }
                Err(error) => {
                    tracing::error!(%error, "entity cache: cannot put an answer back together")
                }
            }
            end.proceed()
        })
    }

    /// A fetch of root fields: the whole answer from memory, or stored once the subgraph gave
    /// it without errors.
    fn fetch_root_fields<'exec>(
        &'exec self,
        payload: OnSubgraphExecuteStartHookPayload<'exec>,
        state: &Arc<SubgraphState>,
        started: u64,
    ) -> OnSubgraphExecuteStartHookResult<'exec> {
        let shape = fetch_hash(&payload);
        let key = EntityKey {
            subgraph: state.name.clone(),
            typename: "Query".into(),
            id: format!("{shape:016x}").into(),
        };
        let custom_scalar_paths = payload.execution_request.custom_scalar_paths;
        if let Some(data) = self.store.lookup(state, &key, shape, Scope::Subgraph) {
            self.metrics.looked_up(&state.name, Lookup::Hit, 1);
            let body = fetch::data_body(&data);
            match SubgraphResponse::deserialize_from_bytes(body.into(), custom_scalar_paths) {
                Ok(response) => return payload.end_with_response(response),
                Err(error) => {
                    tracing::warn!(%error, "entity cache: a stored answer did not read back; asking the subgraph")
                }
            }
        }
        self.metrics.looked_up(&state.name, Lookup::Miss, 1);
        let (store, state) = (&self.store, state.clone());
        payload.on_end(move |end| {
            if let Some(data) = end
                .execution_result
                .bytes
                .as_deref()
                .and_then(fetch::whole_data)
            {
                store.insert(&state, key, shape, data.into(), started);
            }
            end.proceed()
        })
    }
}

/// What a fetch's answers depend on besides the entity: its text and its variables (but the
/// representations).
fn fetch_hash(payload: &OnSubgraphExecuteStartHookPayload<'_>) -> u64 {
    let request = &payload.execution_request;
    let variables = request
        .variables
        .iter()
        .flatten()
        .map(|(name, value)| (*name, value.to_string()));
    fetch::fetch_hash(request.query, variables)
}

/// A stored answer as JSON (it was stored as JSON text).
fn parse_stored(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}
