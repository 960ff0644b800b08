//! The entity cache's memory: each entity under its subgraph, type and `id`, holding one
//! answer per fetch shape asked of it (a root fetch's answer is an entry of its own); bounded
//! in bytes. It never serves an answer older than an invalidation its subgraph's channel
//! delivered: every subgraph counts announcements (its epoch), an answer is stored only when
//! no announcement came while it was fetched, an entity's answers go when it is named, and
//! answers born before "everything" (or a gap in the channel) are never served, nor, for
//! answers that read more than one entity, those born before any announcement.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use moka::{notification::RemovalCause, ops::compute::Op, sync::Cache};

/// Which entity an answer is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntityKey {
    pub subgraph: Arc<str>,
    pub typename: Box<str>,
    pub id: Box<str>,
}

/// An entity's answers, one per fetch shape.
#[derive(Debug)]
struct Entry {
    answers: Vec<Answer>,
}

/// One stored answer: the shape of the fetch it answers, the subgraph epoch it was fetched at
/// (each its own: an answer stored after an announcement is alive even where one stored before
/// it, under the same entity, is not), and its JSON text.
#[derive(Debug)]
struct Answer {
    shape: u64,
    born: u64,
    text: Arc<str>,
}

/// Which announcements end an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// It read its entity's own fields: ended when the entity is named, or by "everything".
    Entity,
    /// It read more (other entities, root fields): ended by any announcement of its subgraph.
    Subgraph,
}

/// What the cache knows of one subgraph's channel.
#[derive(Debug)]
pub struct SubgraphState {
    pub name: Arc<str>,
    /// Announcements heard (and channel changes) so far.
    epoch: AtomicU64,
    /// The epoch of the last "everything" or gap: answers born before it are dead.
    flushed_at: AtomicU64,
    /// The epoch of the last announcement of any kind: [`Scope::Subgraph`] answers born
    /// before it are dead.
    changed_at: AtomicU64,
    /// Whether the channel is following: only then is anything served or stored.
    live: AtomicBool,
}

impl SubgraphState {
    fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            epoch: AtomicU64::new(0),
            flushed_at: AtomicU64::new(0),
            changed_at: AtomicU64::new(0),
            live: AtomicBool::new(false),
        }
    }

    /// The epoch a fetch starts at, when the channel follows (`None`: do not cache it).
    pub fn begin_fetch(&self) -> Option<u64> {
        let epoch = self.epoch.load(Ordering::SeqCst);
        self.live.load(Ordering::SeqCst).then_some(epoch)
    }

    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::SeqCst)
    }
}

/// Why an entry left the cache, for the evictions counter.
pub type OnEvicted = Box<dyn Fn() + Send + Sync>;

pub struct Store {
    entries: Cache<EntityKey, Arc<Entry>>,
    subgraphs: HashMap<String, Arc<SubgraphState>>,
}

impl Store {
    /// A store for `subgraphs`, holding at most `max_bytes` of answers, each at most `ttl` old.
    pub fn new<'a>(
        subgraphs: impl Iterator<Item = &'a str>,
        max_bytes: u64,
        ttl: Duration,
        on_evicted: OnEvicted,
    ) -> Self {
        let entries = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &EntityKey, entry: &Arc<Entry>| {
                let answers: usize = entry
                    .answers
                    .iter()
                    .map(|answer| answer.text.len() + 32)
                    .sum();
                let size = 96 + key.typename.len() + key.id.len() + answers;
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .support_invalidation_closures()
            .eviction_listener(move |_, _, cause| {
                if cause == RemovalCause::Size {
                    on_evicted();
                }
            })
            .build();
        Self {
            entries,
            subgraphs: subgraphs
                .map(|name| (name.to_owned(), Arc::new(SubgraphState::new(name))))
                .collect(),
        }
    }

    pub fn subgraph(&self, name: &str) -> Option<&Arc<SubgraphState>> {
        self.subgraphs.get(name)
    }

    pub fn subgraphs(&self) -> impl Iterator<Item = &Arc<SubgraphState>> {
        self.subgraphs.values()
    }

    /// The answer stored for `key` and `shape`, unless an invalidation of its `scope` has
    /// passed it.
    pub fn lookup(
        &self,
        state: &SubgraphState,
        key: &EntityKey,
        shape: u64,
        scope: Scope,
    ) -> Option<Arc<str>> {
        if !state.is_live() {
            return None;
        }
        let entry = self.entries.get(key)?;
        let ended_at = match scope {
            Scope::Entity => &state.flushed_at,
            Scope::Subgraph => &state.changed_at,
        };
        let answer = entry.answers.iter().find(|answer| answer.shape == shape)?;
        (answer.born >= ended_at.load(Ordering::SeqCst)).then(|| answer.text.clone())
    }

    /// Stores `answer` for `key` and `shape`, fetched from epoch `started`, unless anything
    /// was announced for the subgraph since (the answer may predate it).
    pub fn insert(
        &self,
        state: &SubgraphState,
        key: EntityKey,
        shape: u64,
        answer: Arc<str>,
        started: u64,
    ) {
        // Checked inside the key's compute, which an invalidation of the key also goes
        // through after moving the epoch: one of the two sees the other.
        self.entries.entry(key).and_compute_with(|existing| {
            if !state.is_live() || state.epoch.load(Ordering::SeqCst) != started {
                return Op::Nop;
            }
            // Kept: the other shapes' answers still alive (a flush ended those born before it).
            let flushed_at = state.flushed_at.load(Ordering::SeqCst);
            let mut answers: Vec<Answer> = existing
                .map(|existing| existing.into_value())
                .iter()
                .flat_map(|entry| entry.answers.iter())
                .filter(|kept| kept.shape != shape && kept.born >= flushed_at)
                .map(|kept| Answer {
                    shape: kept.shape,
                    born: kept.born,
                    text: kept.text.clone(),
                })
                .collect();
            answers.push(Answer {
                shape,
                born: started,
                text: answer,
            });
            Op::Put(Arc::new(Entry { answers }))
        });
    }

    /// Forgets the entities `ids` of `typename`, and every [`Scope::Subgraph`] answer.
    pub fn invalidate(&self, state: &SubgraphState, typename: &str, ids: &[String]) {
        let epoch = state.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        state.changed_at.store(epoch, Ordering::SeqCst);
        for id in ids {
            let key = EntityKey {
                subgraph: state.name.clone(),
                typename: typename.into(),
                id: id.as_str().into(),
            };
            self.entries
                .entry(key)
                .and_compute_with(|existing| match existing {
                    Some(_) => Op::Remove,
                    None => Op::Nop,
                });
        }
    }

    /// Forgets every entity of the subgraph.
    pub fn flush(&self, state: &SubgraphState) {
        let epoch = state.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        state.changed_at.store(epoch, Ordering::SeqCst);
        state.flushed_at.store(epoch, Ordering::SeqCst);
        let name = state.name.clone();
        // Dead already (born before `flushed_at`); this frees their memory.
        let _ = self
            .entries
            .invalidate_entries_if(move |key, _| key.subgraph == name);
    }

    /// The channel follows again: whatever was stored before may be stale.
    pub fn go_live(&self, state: &SubgraphState) {
        self.flush(state);
        state.live.store(true, Ordering::SeqCst);
    }

    /// The channel is cut: nothing is served or stored until it follows again.
    pub fn go_dark(&self, state: &SubgraphState) {
        state.live.store(false, Ordering::SeqCst);
        self.flush(state);
    }

    /// Entries held (the cache's bookkeeping brought up to date first).
    pub fn entry_count(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    pub fn weighted_size(&self) -> u64 {
        self.entries.weighted_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let store = Store::new(
            ["pricing"].into_iter(),
            1 << 20,
            Duration::from_secs(60),
            Box::new(|| {}),
        );
        store.go_live(store.subgraph("pricing").unwrap());
        store
    }

    fn key(id: &str) -> EntityKey {
        EntityKey {
            subgraph: "pricing".into(),
            typename: "Product".into(),
            id: id.into(),
        }
    }

    #[test]
    fn an_answer_is_served_until_its_entity_is_invalidated() {
        let store = store();
        let state = store.subgraph("pricing").unwrap().clone();
        let started = state.begin_fetch().unwrap();
        store.insert(&state, key("p1"), 7, "{\"a\":1}".into(), started);
        assert_eq!(
            store
                .lookup(&state, &key("p1"), 7, Scope::Entity)
                .as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(
            store.lookup(&state, &key("p1"), 8, Scope::Entity),
            None,
            "another shape"
        );
        store.invalidate(&state, "Product", &["p1".to_owned()]);
        assert_eq!(store.lookup(&state, &key("p1"), 7, Scope::Entity), None);
    }

    #[test]
    fn an_answer_reading_more_than_its_entity_ends_at_any_announcement() {
        let store = store();
        let state = store.subgraph("pricing").unwrap().clone();
        let started = state.begin_fetch().unwrap();
        store.insert(&state, key("p1"), 7, "{}".into(), started);
        assert!(
            store
                .lookup(&state, &key("p1"), 7, Scope::Subgraph)
                .is_some()
        );
        store.invalidate(&state, "Product", &["p2".to_owned()]);
        assert_eq!(store.lookup(&state, &key("p1"), 7, Scope::Subgraph), None);
        assert!(
            store.lookup(&state, &key("p1"), 7, Scope::Entity).is_some(),
            "another product named: an answer of p1's own fields stays"
        );
    }

    #[test]
    fn an_answer_fetched_again_after_an_announcement_is_served_again() {
        let store = store();
        let state = store.subgraph("pricing").unwrap().clone();
        let started = state.begin_fetch().unwrap();
        store.insert(&state, key("p1"), 7, "{\"v\":1}".into(), started);
        store.insert(&state, key("p1"), 8, "{\"own\":1}".into(), started);
        store.invalidate(&state, "Product", &["p2".to_owned()]);
        assert_eq!(store.lookup(&state, &key("p1"), 7, Scope::Subgraph), None);
        // Fetched again after the announcement: alive, though the entity's other answer is
        // older (each answer has its own birth).
        let again = state.begin_fetch().unwrap();
        store.insert(&state, key("p1"), 7, "{\"v\":2}".into(), again);
        assert_eq!(
            store
                .lookup(&state, &key("p1"), 7, Scope::Subgraph)
                .as_deref(),
            Some("{\"v\":2}")
        );
        assert_eq!(
            store
                .lookup(&state, &key("p1"), 8, Scope::Entity)
                .as_deref(),
            Some("{\"own\":1}"),
            "the entity's own answer stays"
        );
    }

    #[test]
    fn an_answer_fetched_across_an_announcement_is_not_stored() {
        let store = store();
        let state = store.subgraph("pricing").unwrap().clone();
        let started = state.begin_fetch().unwrap();
        store.invalidate(&state, "Product", &["p2".to_owned()]);
        store.insert(&state, key("p1"), 7, "{}".into(), started);
        assert_eq!(store.lookup(&state, &key("p1"), 7, Scope::Entity), None);
    }

    #[test]
    fn everything_and_a_cut_channel_forget_every_answer_and_a_cut_one_stores_none() {
        let store = store();
        let state = store.subgraph("pricing").unwrap().clone();
        let started = state.begin_fetch().unwrap();
        store.insert(&state, key("p1"), 7, "{}".into(), started);
        store.flush(&state);
        assert_eq!(store.lookup(&state, &key("p1"), 7, Scope::Entity), None);

        let started = state.begin_fetch().unwrap();
        store.insert(&state, key("p1"), 7, "{}".into(), started);
        assert!(store.lookup(&state, &key("p1"), 7, Scope::Entity).is_some());
        store.go_dark(&state);
        assert_eq!(store.lookup(&state, &key("p1"), 7, Scope::Entity), None);
        assert_eq!(state.begin_fetch(), None);
        store.go_live(&state);
        assert_eq!(
            store.lookup(&state, &key("p1"), 7, Scope::Entity),
            None,
            "stale from before the cut"
        );
    }
}
