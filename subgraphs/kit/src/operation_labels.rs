//! The `operation` label on a subgraph's request metrics: registered client operations by
//! name, everything else as `other`, so clients cannot grow `/metrics` by naming operations.

use std::{collections::HashSet, sync::Arc};

/// The `operation` label of the request metrics. Clients choose operation names (and the
/// router forwards them, naming its subgraph fetches after them), and every distinct label
/// value is a series held in memory for good. So only the registered client operations (the
/// manifest `contract/persisted-documents.json`, built in) get series of their own, whoever
/// asks first; every other name is counted under `other`, whatever clients send.
pub struct OperationLabels {
    registered: HashSet<Arc<str>>,
}

/// The registered client operations, as the router's trusted-documents manifest lists them.
const REGISTERED_OPERATIONS: &str = include_str!("../../../contract/persisted-documents.json");

#[derive(serde::Deserialize)]
struct Manifest {
    operations: Vec<ManifestOperation>,
}

#[derive(serde::Deserialize)]
struct ManifestOperation {
    name: String,
}

impl OperationLabels {
    /// What requests without an operation name are counted under.
    pub const ANONYMOUS: &str = "anonymous";
    /// What every name that is not a registered operation is counted under.
    pub const OTHER: &str = "other";

    /// Labels naming the registered client operations built into this binary.
    pub fn registered() -> Self {
        let manifest: Manifest = serde_json::from_str(REGISTERED_OPERATIONS)
            .expect("contract/persisted-documents.json is a persisted-query manifest");
        Self::new(
            manifest
                .operations
                .into_iter()
                .map(|operation| operation.name),
        )
    }

    /// Labels naming exactly `operations`.
    pub fn new(operations: impl IntoIterator<Item = String>) -> Self {
        Self {
            registered: operations.into_iter().map(Arc::from).collect(),
        }
    }

    /// The label value a request named `name` is counted under: the registered operation it
    /// is (sent straight, or as the router's fetch `{operation}__{step}`), else `other`.
    pub fn label(&self, name: Option<&str>) -> metrics::SharedString {
        let Some(name) = name else {
            return Self::ANONYMOUS.into();
        };
        let operation = fetched_operation(name).unwrap_or(name);
        match self.registered.get(operation) {
            Some(known) => known.clone().into(),
            None => Self::OTHER.into(),
        }
    }
}

/// `ProductPage` from the name Hive Router gives its fetch of a step (`ProductPage__3`) when
/// it forwards operation names (`traffic_shaping.all.forward_operation_name`).
fn fetched_operation(name: &str) -> Option<&str> {
    let (operation, step) = name.rsplit_once("__")?;
    step.parse::<u32>().ok().map(|_| operation)
}

#[cfg(test)]
mod tests {
    use super::OperationLabels;

    #[test]
    fn only_registered_operations_get_series_of_their_own_whoever_comes_first() {
        let labels = OperationLabels::new(["Home".to_owned(), "Search".to_owned()]);
        let label = |name: Option<&str>| labels.label(name).as_ref().to_owned();
        // Made-up names first: none of them takes a series.
        for n in 0..1_000 {
            assert_eq!(label(Some(&format!("Op{n}"))), OperationLabels::OTHER);
        }
        assert_eq!(label(None), OperationLabels::ANONYMOUS);
        assert_eq!(label(Some("Home")), "Home");
        // The router's fetch of a step counts as the operation; a look-alike does not.
        assert_eq!(label(Some("Search__0")), "Search");
        assert_eq!(label(Some("Search__12")), "Search");
        assert_eq!(label(Some("Search__x")), OperationLabels::OTHER);
        assert_eq!(label(Some("Search_1")), OperationLabels::OTHER);
        assert_eq!(label(Some("Homes")), OperationLabels::OTHER);
    }

    #[test]
    fn the_built_in_manifest_names_the_registered_operations() {
        let labels = OperationLabels::registered();
        assert_eq!(labels.label(Some("ProductPage")).as_ref(), "ProductPage");
        assert_eq!(labels.label(Some("CartView__1")).as_ref(), "CartView");
        assert!(labels.registered.len() >= 9, "{}", labels.registered.len());
    }
}
