//! The entity cache on the router's `/metrics` (Hive Router's global meter): lookups by
//! result, invalidations by kind, channel gaps and evictions, per subgraph; entries, bytes and
//! whether each subgraph's channel follows, read at each scrape. Hive Router's exporter adds
//! no `_total` to counters, so their names carry it.

use std::sync::Arc;

use opentelemetry::{
    KeyValue,
    metrics::{Counter, Meter, ObservableGauge},
};

use super::store::Store;

pub struct CacheMetrics {
    lookups: Counter<u64>,
    invalidations: Counter<u64>,
    gaps: Counter<u64>,
    pub evictions: Counter<u64>,
}

/// The gauges, held for the router's life: the meter reads them back at each scrape.
pub struct CacheGauges {
    _entries: ObservableGauge<u64>,
    _size: ObservableGauge<u64>,
    _following: ObservableGauge<u64>,
}

/// What one entity lookup found.
#[derive(Debug, Clone, Copy)]
pub enum Lookup {
    Hit,
    Miss,
}

impl CacheMetrics {
    /// The counters, each series of `subgraphs` at 0 from the start (a counter that appears
    /// only at its first event reads as missing, not as none).
    pub fn new<'a>(meter: &Meter, subgraphs: impl Iterator<Item = &'a str>) -> Self {
        let metrics = Self {
            lookups: meter
                .u64_counter("entity_cache.lookups_total")
                .with_description("Entities looked up in the entity cache, by subgraph and result")
                .build(),
            invalidations: meter
                .u64_counter("entity_cache.invalidations_total")
                .with_description(
                    "Entities forgotten because their subgraph announced a change (kind \
                     `changed`: per entity; `everything`: per announcement)",
                )
                .build(),
            gaps: meter
                .u64_counter("entity_cache.channel_gaps_total")
                .with_description(
                    "Times a subgraph's invalidation channel broke or fell silent; each forgets \
                     that subgraph's entities",
                )
                .build(),
            evictions: meter
                .u64_counter("entity_cache.evictions_total")
                .with_description("Entities evicted to stay within the cache's size")
                .build(),
        };
        metrics.evictions.add(0, &[]);
        for subgraph in subgraphs {
            for result in [Lookup::Hit, Lookup::Miss] {
                metrics.looked_up(subgraph, result, 0);
            }
            for kind in ["changed", "everything"] {
                metrics.invalidated(subgraph, kind, 0);
            }
            metrics.count_gaps(subgraph, 0);
        }
        metrics
    }

    pub fn looked_up(&self, subgraph: &str, result: Lookup, count: usize) {
        let result = match result {
            Lookup::Hit => "hit",
            Lookup::Miss => "miss",
        };
        self.lookups.add(
            count as u64,
            &[
                KeyValue::new("subgraph", subgraph.to_owned()),
                KeyValue::new("result", result),
            ],
        );
    }

    pub fn invalidated(&self, subgraph: &str, kind: &'static str, count: usize) {
        self.invalidations.add(
            count as u64,
            &[
                KeyValue::new("subgraph", subgraph.to_owned()),
                KeyValue::new("kind", kind),
            ],
        );
    }

    pub fn gap(&self, subgraph: &str) {
        self.count_gaps(subgraph, 1);
    }

    fn count_gaps(&self, subgraph: &str, count: u64) {
        self.gaps
            .add(count, &[KeyValue::new("subgraph", subgraph.to_owned())]);
    }
}

impl CacheGauges {
    pub fn observe(meter: &Meter, store: &Arc<Store>) -> Self {
        let entries = {
            let store = store.clone();
            meter
                .u64_observable_gauge("entity_cache.entries")
                .with_description("Entities held in the entity cache")
                .with_callback(move |observer| observer.observe(store.entry_count(), &[]))
                .build()
        };
        let size = {
            let store = store.clone();
            meter
                .u64_observable_gauge("entity_cache.size")
                .with_unit("By")
                .with_description("The entity cache's size, as it counts it against its limit")
                .with_callback(move |observer| observer.observe(store.weighted_size(), &[]))
                .build()
        };
        let following = {
            let store = store.clone();
            meter
                .u64_observable_gauge("entity_cache.following")
                .with_description(
                    "1 while a subgraph's invalidation channel follows (its entities are cached), \
                     0 while not",
                )
                .with_callback(move |observer| {
                    for state in store.subgraphs() {
                        observer.observe(
                            u64::from(state.is_live()),
                            &[KeyValue::new("subgraph", state.name.to_string())],
                        );
                    }
                })
                .build()
        };
        Self {
            _entries: entries,
            _size: size,
            _following: following,
        }
    }
}
