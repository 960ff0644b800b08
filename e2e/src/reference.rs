//! The reference composers, run with Node (`tools/node/compose-reference.mjs`, installed by
//! `cargo xtask test`): yardsticks our composition is compared with, never used by it.

use std::{io::Write, path::PathBuf, process::Stdio};

use router::supergraph_config::SubgraphSchema;
use serde::Deserialize;

use crate::required_env;

/// Which reference composer to run.
#[derive(Debug, Clone, Copy)]
pub enum Composer {
    /// `@theguild/federation-composition`.
    Guild,
    /// `@apollo/composition`, Apollo Federation's own.
    Apollo,
}

/// One error a reference composer reported.
#[derive(Debug, Clone, Deserialize)]
pub struct ReferenceError {
    pub message: String,
    pub code: Option<String>,
}

/// `subgraphs` composed by `composer`: the supergraph SDL, or the errors it refused them with.
pub fn compose(
    composer: Composer,
    subgraphs: &[SubgraphSchema],
) -> Result<String, Vec<ReferenceError>> {
    let tools = PathBuf::from(required_env("STOREFRONT_NODE_TOOLS"));
    let input: Vec<_> = subgraphs
        .iter()
        .map(|s| serde_json::json!({ "name": s.name, "url": s.routing_url, "sdl": s.sdl }))
        .collect();
    let which = match composer {
        Composer::Guild => "guild",
        Composer::Apollo => "apollo",
    };
    let mut node = std::process::Command::new("node")
        .arg(tools.join("compose-reference.mjs"))
        .arg(which)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    node.stdin
        .take()
        .expect("a stdin")
        .write_all(serde_json::to_string(&input).expect("JSON").as_bytes())
        .expect("written to node");
    let output = node.wait_with_output().expect("node finished");
    if output.status.success() {
        return Ok(String::from_utf8(output.stdout).expect("UTF-8 SDL"));
    }
    let errors = serde_json::from_slice(&output.stderr).unwrap_or_else(|err| {
        panic!(
            "the reference composer failed without a report ({err}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Err(errors)
}
