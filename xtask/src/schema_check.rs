//! The repository's schema check as one `router check` command line: each subgraph's printed
//! SDL against its committed file, the committed supergraph against a fresh composition, and
//! the registered client operations in `contract/operations/`. `cargo xtask check`, `cargo xtask test` and
//! the end-to-end tests all build the command here.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::{paths, roster::SUBGRAPHS};

/// The command that regenerates every committed schema.
pub const REGENERATE: &str = "cargo xtask compose";

/// A subgraph's SDL as its binary in `bin_dir` prints it (`<name> --print-schema`, which
/// needs no database).
pub fn printed_schema(bin_dir: &Path, name: &str) -> anyhow::Result<Vec<u8>> {
    let mut command = std::process::Command::new(bin_dir.join(name));
    command.arg("--print-schema").env_remove("MONGODB_URI");
    stdout_of(command, &format!("{name} --print-schema"))
}

/// Prints each subgraph's schema from its binary into `out_dir/<name>.graphql`; returns the
/// `--drift COMMITTED=FRESH` pairs, relative to the workspace root.
pub fn print_subgraph_schemas(bin_dir: &Path, out_dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let root = paths::workspace_root();
    let mut pairs = Vec::new();
    for spec in SUBGRAPHS.iter() {
        let fresh = out_dir.join(format!("{}.graphql", spec.name));
        std::fs::write(&fresh, printed_schema(bin_dir, spec.name)?)
            .with_context(|| format!("writing {}", fresh.display()))?;
        let fresh = fresh.strip_prefix(&root).unwrap_or(&fresh).to_owned();
        pairs.push(format!(
            "subgraphs/{}/schema.graphql={}",
            spec.name,
            fresh.display()
        ));
    }
    Ok(pairs)
}

/// The persisted-document manifest of the registered operations, as the router in `bin_dir`
/// builds it.
pub fn persisted_documents(bin_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let mut command = std::process::Command::new(bin_dir.join("router"));
    command.current_dir(paths::workspace_root()).args([
        "persisted-documents",
        "--operations",
        paths::REGISTERED_OPERATIONS,
    ]);
    stdout_of(command, "router persisted-documents")
}

/// What `command` prints on stdout; fails with its stderr unless it succeeds.
fn stdout_of(mut command: std::process::Command, what: &str) -> anyhow::Result<Vec<u8>> {
    let output = command
        .output()
        .with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output.stdout)
}

/// `router check` for this repository, run from the workspace root, checking `operations`
/// (the registered clients when empty); callers add `--subgraph`, `--schema`, `--strict`,
/// `--format`.
pub fn router_check(
    bin_dir: &Path,
    scratch: &Path,
    operations: &[PathBuf],
) -> anyhow::Result<std::process::Command> {
    let mut drift = print_subgraph_schemas(bin_dir, scratch)?;
    let manifest = scratch.join("persisted-documents.json");
    std::fs::write(&manifest, persisted_documents(bin_dir)?)
        .with_context(|| format!("writing {}", manifest.display()))?;
    let manifest = manifest
        .strip_prefix(paths::workspace_root())
        .unwrap_or(&manifest)
        .to_owned();
    drift.push(format!(
        "{}={}",
        paths::PERSISTED_DOCUMENTS,
        manifest.display()
    ));
    let mut command = std::process::Command::new(bin_dir.join("router"));
    command
        .current_dir(paths::workspace_root())
        .args(["check", "--config", "supergraph.yaml"])
        .args(["--supergraph", "supergraph.graphql"])
        .args(["--regenerate-with", REGENERATE])
        .args(["--approvals", paths::SCHEMA_APPROVALS])
        .args(["--lint-config", paths::SCHEMA_LINT]);
    for pair in drift {
        command.arg("--drift").arg(pair);
    }
    if operations.is_empty() {
        command
            .arg("--operations")
            .arg(paths::REGISTERED_OPERATIONS);
    }
    for path in operations {
        command.arg("--operations").arg(path);
    }
    Ok(command)
}
