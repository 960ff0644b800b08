//! `cargo xtask compose`: regenerates the committed schemas from the code, so the drift
//! tests pass again: each subgraph's `schema.graphql`, then `supergraph.graphql` (and the
//! Kubernetes base's copy of it), and the registered operations' persisted-document manifest
//! (and its Kubernetes copy).

use anyhow::Context;
use xtask::{paths, process::run_to_completion, roster::SUBGRAPHS, schema_check};

use super::{build_binaries, step};

pub async fn run() -> anyhow::Result<()> {
    build_binaries().await?;
    let root = paths::workspace_root();
    let bin = paths::debug_bin_dir();
    for spec in SUBGRAPHS.iter() {
        let sdl = schema_check::printed_schema(&bin, spec.name)?;
        let path = root
            .join("subgraphs")
            .join(spec.name)
            .join("schema.graphql");
        std::fs::write(&path, sdl).with_context(|| format!("writing {}", path.display()))?;
        step(&format!("Wrote {}", path.display()));
    }
    let mut command = tokio::process::Command::new(bin.join("router"));
    command
        .args(["compose", "--config"])
        .arg(root.join("supergraph.yaml"));
    let supergraph = run_to_completion("router compose", command).await?;
    // The Kubernetes base serves a copy (kustomize reads nothing outside its folder).
    for path in [
        root.join("supergraph.graphql"),
        root.join("deploy/kubernetes/base/config/supergraph.graphql"),
    ] {
        std::fs::write(&path, &supergraph)
            .with_context(|| format!("writing {}", path.display()))?;
        step(&format!("Wrote {}", path.display()));
    }
    let manifest = schema_check::persisted_documents(&bin)?;
    for path in [
        root.join(paths::PERSISTED_DOCUMENTS),
        root.join("deploy/kubernetes/base/config/persisted-documents.json"),
    ] {
        std::fs::write(&path, &manifest).with_context(|| format!("writing {}", path.display()))?;
        step(&format!("Wrote {}", path.display()));
    }
    Ok(())
}
