//! Where things live: the workspace root, the git-ignored `.dev/` folder for local state, and
//! the cargo target directory (which CI may point outside the clone).

use std::path::PathBuf;

/// The workspace root (the folder holding `Cargo.toml` and `supergraph.yaml`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
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

/// The shared storefront contract beside the project.
pub fn contract_dir() -> PathBuf {
    workspace_root().join("../shared/contract")
}
