//! Where things live: the workspace root, the git-ignored `.dev/` folder for local state, and
//! the cargo target directory (which CI may point outside the clone).

use std::path::PathBuf;

use anyhow::Context;

/// The workspace root (the folder holding `Cargo.toml` and `supergraph.yaml`): the nearest
/// folder with a `Cargo.lock` above the package cargo is running. Read at run time, because
/// two clones sharing one target directory share this crate's build, and with it any
/// compile-time path (CI's clone would otherwise run against the developer's, or back).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .ancestors()
        .find(|folder| folder.join("Cargo.lock").is_file())
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

/// Project-local, git-ignored state: the MongoDB install, dev data, node tools.
pub fn dev_dir() -> PathBuf {
    workspace_root().join(".dev")
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

/// Where `cargo build` (debug) puts the binaries.
pub fn debug_bin_dir() -> PathBuf {
    target_dir().join("debug")
}

/// The storefront contract: the public API (`storefront.graphql`) and the registered client
/// operations (`operations/`). The repository's own copy, the only one anything reads.
pub fn contract_dir() -> PathBuf {
    workspace_root().join("contract")
}

/// DEV ONLY: the committed key dev tokens are signed with (see dev-identity/README.md).
pub fn dev_signing_key() -> PathBuf {
    workspace_root().join("dev-identity/signing-key.pem")
}

/// DEV ONLY: the public half of [`dev_signing_key`], which the dev stack trusts.
pub fn dev_jwks() -> PathBuf {
    workspace_root().join("dev-identity/jwks.json")
}

/// The registered client operations the schema checks protect, relative to the workspace root.
pub const REGISTERED_OPERATIONS: &str = "contract/operations";

/// The registered operations as a persisted-document manifest (what clients send, by name and
/// id), relative to the workspace root; `cargo xtask compose` regenerates it.
pub const PERSISTED_DOCUMENTS: &str = "contract/persisted-documents.json";

/// Files the Kubernetes manifests carry copies of (kustomize reads nothing outside its
/// folder), as (copy under `deploy/kubernetes/`, original), relative paths: `cargo xtask
/// compose` writes the copies, and a test holds them equal.
pub const KUBERNETES_COPIES: &[(&str, &str)] = &[
    ("base/config/router.yaml", "router.yaml"),
    (
        "base/config/router.production.yaml",
        "router.production.yaml",
    ),
    (
        "base/config/router.containers.yaml",
        "docker/router.containers.yaml",
    ),
    ("base/config/supergraph.graphql", "supergraph.graphql"),
    ("base/config/persisted-documents.json", PERSISTED_DOCUMENTS),
    (
        "overlays/dev/dev-identity/jwks.json",
        "dev-identity/jwks.json",
    ),
];

/// Approved breaking schema changes, relative to the workspace root.
pub const SCHEMA_APPROVALS: &str = "schema-approvals.yaml";

/// Schema lint rule severities, relative to the workspace root.
pub const SCHEMA_LINT: &str = "schema-lint.yaml";

/// One entry of the committed persisted-document manifest: a registered operation as clients
/// send it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct RegisteredOperation {
    pub name: String,
    /// The SHA-256 of `body`: what a client sends as `documentId`.
    pub id: String,
    /// The full text, shared fragments included.
    pub body: String,
}

/// Every registered operation, from the committed persisted-document manifest.
pub fn registered_operations() -> anyhow::Result<Vec<RegisteredOperation>> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        operations: Vec<RegisteredOperation>,
    }
    let path = workspace_root().join(PERSISTED_DOCUMENTS);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a persisted-document manifest", path.display()))?;
    Ok(manifest.operations)
}

/// The registered operation `name`, from the committed persisted-document manifest.
pub fn registered_operation(name: &str) -> anyhow::Result<RegisteredOperation> {
    registered_operations()?
        .into_iter()
        .find(|operation| operation.name == name)
        .with_context(|| format!("{name} is not in {PERSISTED_DOCUMENTS}"))
}

/// The Prometheus rule files under `monitoring/prometheus/`, in the order Prometheus loads them.
pub const ALERT_RULE_FILES: [&str; 2] = ["recording.rules.yaml", "alerts.rules.yaml"];

/// Where the Prometheus rule files and their promtool tests live.
pub fn prometheus_rules_dir() -> PathBuf {
    workspace_root().join("monitoring/prometheus")
}

/// Where the Grafana dashboards live.
pub fn dashboards_dir() -> PathBuf {
    workspace_root().join("monitoring/grafana/dashboards")
}

/// Every rule group of [`ALERT_RULE_FILES`], in the order Prometheus loads them.
pub fn prometheus_rule_groups() -> anyhow::Result<Vec<serde_yaml::Value>> {
    let mut groups = Vec::new();
    for file in ALERT_RULE_FILES {
        let path = prometheus_rules_dir().join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let rules: serde_yaml::Value =
            serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let file_groups = rules["groups"]
            .as_sequence()
            .with_context(|| format!("{} has no `groups`", path.display()))?;
        groups.extend(file_groups.iter().cloned());
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::workspace_root;

    /// `.ci/run` proves the repository self-contained by testing a clone with nothing beside
    /// it; this catches a path out of the repository before CI does.
    #[test]
    fn no_tracked_file_reads_outside_the_repository() {
        let output = std::process::Command::new("git")
            .current_dir(workspace_root())
            .args(["grep", "-n", "-I", "-e", r"\.\./shared", "--", ":!*.md"])
            .output()
            .expect("git is needed to list the tracked files");
        let hits = String::from_utf8_lossy(&output.stdout);
        assert!(
            hits.trim().is_empty(),
            "tracked files read the contract from beside the repository; use contract/ inside it:\n{hits}"
        );
    }
}
