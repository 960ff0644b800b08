//! How many documents hold each value of one field (products per category), remembered once
//! counted and forgotten as soon as the change stream reports a change that could alter them:
//! a count costs MongoDB a scan of every matching index key, so it grows with the data while a
//! remembered one does not.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use mongodb::{
    Collection,
    bson::{Document, doc},
};

use super::{FollowError, Follower, keep_following};

/// At most this many counts are remembered (the values come from clients' arguments).
const MAX_COUNTS: usize = 10_000;

/// Remembered counts of documents by the value of one field; `None` counts every document.
#[derive(Clone)]
pub struct Counts {
    field: &'static str,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    following: bool,
    /// Bumped by every change that forgets counts, so a count started before it is not
    /// remembered after it.
    generation: u64,
    counts: HashMap<Option<String>, u64>,
}

/// Permission to remember counts made after [`Counts::cached`] handed it out; refused if a
/// change was reported meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct CountTicket(u64);

impl Counts {
    /// Starts following `collection` in the background (for as long as the process runs),
    /// counting its documents by `field`.
    pub fn follow<T: Send + Sync + 'static>(
        collection: Collection<T>,
        field: &'static str,
    ) -> Self {
        let counts = Self {
            field,
            state: Arc::default(),
        };
        tokio::spawn(keep_following(collection, counts.clone()));
        counts
    }

    /// The remembered counts among `keys`, and a ticket to remember the others with once
    /// counted (`None` while the stream is not following: count, but do not remember).
    pub fn cached(
        &self,
        keys: &[Option<String>],
    ) -> (HashMap<Option<String>, u64>, Option<CountTicket>) {
        let state = self.state();
        if !state.following {
            return (HashMap::new(), None);
        }
        let known = keys
            .iter()
            .filter_map(|key| Some((key.clone(), *state.counts.get(key)?)))
            .collect();
        (known, Some(CountTicket(state.generation)))
    }

    /// Remembers counts made after `ticket` was handed out, unless a change came since.
    pub fn remember(
        &self,
        ticket: CountTicket,
        counted: impl IntoIterator<Item = (Option<String>, u64)>,
    ) {
        let mut state = self.state();
        if !state.following || state.generation != ticket.0 {
            return;
        }
        for (key, count) in counted {
            if state.counts.len() >= MAX_COUNTS && !state.counts.contains_key(&key) {
                break;
            }
            state.counts.insert(key, count);
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets the counts `change` may alter: an insert adds to its value's count and to the
    /// total; a delete, a replacement or an update of the field may take from any.
    fn forget(&self, change: &Document) {
        let inserted = (change.get_str("operationType") == Ok("insert"))
            .then(|| change.get_document("fullDocument").ok())
            .flatten()
            .and_then(|document| document.get_str(self.field).ok());
        let mut state = self.state();
        state.generation += 1;
        match inserted {
            Some(value) => {
                state.counts.remove(&Some(value.to_owned()));
                state.counts.remove(&None);
            }
            None => state.counts.clear(),
        }
    }
}

impl Follower for Counts {
    fn wanted_changes(&self) -> Vec<Document> {
        // Updates that leave the field alone change no count: MongoDB does not send them.
        let updated = format!("updateDescription.updatedFields.{}", self.field);
        let inserted = format!("fullDocument.{}", self.field);
        vec![
            doc! { "$match": { "$or": [
                { "operationType": { "$ne": "update" } },
                { updated: { "$exists": true } },
                { "updateDescription.removedFields": self.field },
            ] } },
            doc! { "$project": { "operationType": 1, "wallTime": 1, inserted: 1 } },
        ]
    }

    async fn following(&self) -> Result<(), FollowError> {
        let mut state = self.state();
        state.counts.clear();
        state.generation += 1;
        state.following = true;
        Ok(())
    }

    async fn changed(&self, change: Document) -> Result<(), FollowError> {
        self.forget(&change);
        Ok(())
    }

    fn stopped(&self) {
        let mut state = self.state();
        state.following = false;
        state.generation += 1;
        state.counts.clear();
    }

    fn is_following(&self) -> bool {
        self.state().following
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn following() -> Counts {
        let counts = Counts {
            field: "category_id",
            state: Arc::default(),
        };
        counts.state().following = true;
        counts
    }

    fn key(value: &str) -> Option<String> {
        Some(value.to_owned())
    }

    fn remembered(counts: &Counts) -> usize {
        counts.cached(&[None, key("shoes"), key("books")]).0.len()
    }

    fn count_all(counts: &Counts) {
        let (_, ticket) = counts.cached(&[]);
        counts.remember(
            ticket.expect("following"),
            [(None, 10), (key("shoes"), 4), (key("books"), 6)],
        );
    }

    #[test]
    fn an_insert_forgets_its_value_and_the_total_only() {
        let counts = following();
        count_all(&counts);
        assert_eq!(remembered(&counts), 3);
        counts.forget(&doc! {
            "operationType": "insert",
            "fullDocument": { "category_id": "shoes" },
        });
        let (known, _) = counts.cached(&[None, key("shoes"), key("books")]);
        assert_eq!(known, HashMap::from([(key("books"), 6)]));
    }

    #[test]
    fn a_delete_or_replacement_forgets_every_count() {
        for operation in ["delete", "replace", "update", "drop"] {
            let counts = following();
            count_all(&counts);
            counts.forget(&doc! { "operationType": operation });
            assert_eq!(remembered(&counts), 0, "{operation}");
        }
    }

    #[test]
    fn a_count_started_before_a_change_is_not_remembered() {
        let counts = following();
        let (_, ticket) = counts.cached(&[key("shoes")]);
        counts.forget(&doc! { "operationType": "delete" });
        counts.remember(ticket.unwrap(), [(key("shoes"), 4)]);
        assert_eq!(remembered(&counts), 0);
    }

    #[test]
    fn nothing_is_remembered_while_not_following() {
        let counts = following();
        count_all(&counts);
        let (_, ticket) = counts.cached(&[]);
        counts.stopped();
        assert!(counts.cached(&[key("shoes")]).1.is_none());
        counts.remember(ticket.unwrap(), [(key("shoes"), 4)]);
        assert_eq!(remembered(&counts), 0);
    }

    #[test]
    fn remembered_counts_are_bounded() {
        let counts = following();
        let (_, ticket) = counts.cached(&[]);
        counts.remember(
            ticket.unwrap(),
            (0..MAX_COUNTS + 5).map(|n| (Some(n.to_string()), 1)),
        );
        assert_eq!(counts.state().counts.len(), MAX_COUNTS);
    }
}
