//! Which schema elements each client's operations use, recorded by the router and read by
//! `router check --usage`, so a breaking change is judged by real traffic without a cloud
//! registry: the usage file, its merging, and the "who used this lately" query.

mod plugin;

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::{Path, PathBuf},
    sync::Mutex,
    time::Duration,
};

use serde::{Deserialize, Serialize};

pub use self::plugin::{PLUGIN_NAME, UsagePlugin, UsagePluginConfig};

/// The usage file's shape; raised when a field changes meaning or goes away.
pub const USAGE_VERSION: u32 = 1;

/// What the recorder files operations under when it knows more distinct (client, operation)
/// pairs than it keeps: their usage still counts, under this name.
pub const OVERFLOW: &str = "(other)";

/// A usage file: per client and operation, when each schema element was last used.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageLog {
    pub version: u32,
    pub operations: Vec<OperationUsage>,
}

/// One client's operation and what it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationUsage {
    /// From `graphql-client-name` or `apollographql-client-name` (`unknown` without either).
    pub client: String,
    /// The operation's name (`anonymous` without one).
    pub operation: String,
    pub requests: u64,
    /// Each schema coordinate it used (`Product.sku`, `Query.products(first:)`), with the
    /// last time it did, in Unix seconds.
    pub coordinates: BTreeMap<String, u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("cannot read usage file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a usage file the router wrote: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path} is usage file version {found}; this router reads version {USAGE_VERSION}")]
    Version { path: PathBuf, found: u32 },
    #[error("cannot write usage file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl UsageLog {
    pub fn load(path: &Path) -> Result<Self, UsageError> {
        let text = std::fs::read_to_string(path).map_err(|source| UsageError::Read {
            path: path.to_owned(),
            source,
        })?;
        let log: UsageLog = serde_json::from_str(&text).map_err(|source| UsageError::Parse {
            path: path.to_owned(),
            source,
        })?;
        if log.version != USAGE_VERSION {
            return Err(UsageError::Version {
                path: path.to_owned(),
                found: log.version,
            });
        }
        Ok(log)
    }

    /// Several routers' files (one per replica) read as one.
    pub fn load_all(paths: &[PathBuf]) -> Result<Self, UsageError> {
        let mut merged = Recorder::new(usize::MAX, Duration::MAX);
        for path in paths {
            merged.add(UsageLog::load(path)?);
        }
        Ok(merged.snapshot())
    }

    /// Writes the file whole or not at all (a reader never sees half of it).
    pub fn save(&self, path: &Path) -> Result<(), UsageError> {
        let error = |source| UsageError::Write {
            path: path.to_owned(),
            source,
        };
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(error)?;
        let mut file = tempfile::NamedTempFile::new_in(folder).map_err(error)?;
        serde_json::to_writer_pretty(&mut file, self).map_err(|err| error(err.into()))?;
        file.persist(path).map_err(|err| error(err.error))?;
        Ok(())
    }

    /// `client: operation` for each operation that used `coordinate` at or after `since`.
    pub fn used_since(&self, coordinate: &str, since: u64) -> Vec<String> {
        self.operations
            .iter()
            .filter(|usage| {
                usage
                    .coordinates
                    .get(coordinate)
                    .is_some_and(|t| *t >= since)
            })
            .map(|usage| format!("{}: {}", usage.client, usage.operation))
            .collect()
    }
}

/// Usage aggregated in memory, bounded: at most `max_operations` distinct (client,
/// operation) pairs, the rest filed under [`OVERFLOW`] (coordinates are bounded by the
/// schema, since only validated operations are recorded).
#[derive(Debug)]
pub struct Recorder {
    operations: HashMap<(String, String), OperationUsage>,
    max_operations: usize,
    /// How long a coordinate's last use is remembered.
    retention: Duration,
    /// Whether anything was recorded since [`Recorder::take_changes`].
    changed: bool,
}

impl Recorder {
    pub fn new(max_operations: usize, retention: Duration) -> Self {
        Self {
            operations: HashMap::new(),
            max_operations,
            retention,
            changed: false,
        }
    }

    /// Forgets uses older than the retention before `now`, and operations left with none.
    pub fn forget_before(&mut self, now: u64) {
        let cutoff = now.saturating_sub(self.retention.as_secs());
        for usage in self.operations.values_mut() {
            usage.coordinates.retain(|_, last| *last >= cutoff);
        }
        let before = self.operations.len();
        self.operations
            .retain(|_, usage| !usage.coordinates.is_empty());
        self.changed |= self.operations.len() != before;
    }

    /// The log to write, when anything changed since the last call.
    pub fn take_changes(&mut self) -> Option<UsageLog> {
        std::mem::take(&mut self.changed).then(|| self.snapshot())
    }

    /// One request of `operation` by `client` that used `coordinates`, at `now`.
    pub fn record(
        &mut self,
        client: &str,
        operation: &str,
        coordinates: &BTreeSet<String>,
        now: u64,
    ) {
        self.changed = true;
        let entry = self.entry(client, operation);
        entry.requests += 1;
        for coordinate in coordinates {
            let last = entry.coordinates.entry(coordinate.clone()).or_default();
            *last = (*last).max(now);
        }
    }

    /// Folds a whole log in (a file from an earlier run, or another replica's).
    pub fn add(&mut self, log: UsageLog) {
        self.changed = true;
        for usage in log.operations {
            let entry = self.entry(&usage.client, &usage.operation);
            entry.requests += usage.requests;
            for (coordinate, at) in usage.coordinates {
                let last = entry.coordinates.entry(coordinate).or_default();
                *last = (*last).max(at);
            }
        }
    }

    pub fn snapshot(&self) -> UsageLog {
        let mut operations: Vec<OperationUsage> = self.operations.values().cloned().collect();
        operations.sort_by(|a, b| (&a.client, &a.operation).cmp(&(&b.client, &b.operation)));
        UsageLog {
            version: USAGE_VERSION,
            operations,
        }
    }

    fn entry(&mut self, client: &str, operation: &str) -> &mut OperationUsage {
        let mut key = (client.to_owned(), operation.to_owned());
        if !self.operations.contains_key(&key) && self.operations.len() >= self.max_operations {
            key = (OVERFLOW.to_owned(), OVERFLOW.to_owned());
        }
        self.operations
            .entry(key)
            .or_insert_with_key(|(client, operation)| OperationUsage {
                client: client.clone(),
                operation: operation.clone(),
                requests: 0,
                coordinates: BTreeMap::new(),
            })
    }
}

/// A [`Recorder`] shared between request handlers and the task that writes the file.
pub type SharedRecorder = std::sync::Arc<Mutex<Recorder>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn used(coordinates: &[&str]) -> BTreeSet<String> {
        coordinates.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn the_latest_use_of_each_coordinate_counts() {
        let mut recorder = Recorder::new(10, Duration::MAX);
        recorder.record(
            "web",
            "Home",
            &used(&["Query.products", "Product.name"]),
            100,
        );
        recorder.record("web", "Home", &used(&["Query.products"]), 200);
        recorder.record("ios", "Home", &used(&["Product.name"]), 150);
        let log = recorder.snapshot();
        assert_eq!(log.used_since("Query.products", 200), ["web: Home"]);
        assert_eq!(log.used_since("Product.name", 120), ["ios: Home"]);
        assert_eq!(
            log.used_since("Product.name", 90),
            ["ios: Home", "web: Home"]
        );
        assert_eq!(log.operations[1].requests, 2);
    }

    #[test]
    fn pairs_beyond_the_bound_are_kept_as_other() {
        let mut recorder = Recorder::new(2, Duration::MAX);
        for n in 0..100 {
            recorder.record(&format!("client-{n}"), "Op", &used(&["Product.sku"]), n);
        }
        let log = recorder.snapshot();
        assert_eq!(log.operations.len(), 3);
        assert_eq!(log.used_since("Product.sku", 99), ["(other): (other)"]);
    }

    #[test]
    fn what_is_older_than_the_retention_is_forgotten() {
        let mut recorder = Recorder::new(10, Duration::from_secs(100));
        recorder.record("old", "Op", &used(&["Product.sku"]), 50);
        recorder.record("new", "Op", &used(&["Product.sku", "Product.name"]), 150);
        recorder.record("new", "Op", &used(&["Product.sku"]), 300);
        recorder.forget_before(300);
        let log = recorder.take_changes().expect("changed");
        assert_eq!(log.operations.len(), 1, "{log:?}");
        assert_eq!(log.used_since("Product.sku", 0), ["new: Op"]);
        assert!(log.used_since("Product.name", 0).is_empty());
        assert!(recorder.take_changes().is_none(), "nothing new to write");
    }

    #[test]
    fn files_merge_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut one = Recorder::new(10, Duration::MAX);
        one.record("web", "Home", &used(&["Product.sku"]), 10);
        one.snapshot().save(&dir.path().join("a.json")).unwrap();
        let mut two = Recorder::new(10, Duration::MAX);
        two.record("web", "Home", &used(&["Product.sku"]), 20);
        two.snapshot().save(&dir.path().join("b.json")).unwrap();
        let merged =
            UsageLog::load_all(&[dir.path().join("a.json"), dir.path().join("b.json")]).unwrap();
        assert_eq!(merged.operations[0].requests, 2);
        assert_eq!(merged.operations[0].coordinates["Product.sku"], 20);
    }
}
