//! Our composition agrees with the reference composer (`@theguild/federation-composition`)
//! on the committed subgraph SDLs. (Drift of the committed files is `router check`'s job; see
//! `schema_checks.rs`.)

use std::{io::Write, path::PathBuf, process::Stdio};

use e2e::required_env;
use router::{
    composition::{self, normalize::normalized_sdl},
    supergraph_config::{SubgraphSchema, SupergraphConfig},
};
use xtask::paths;

async fn committed_subgraphs() -> Vec<SubgraphSchema> {
    let config = SupergraphConfig::load(&paths::workspace_root().join("supergraph.yaml")).unwrap();
    config
        .subgraph_schemas(&reqwest::Client::new())
        .await
        .unwrap()
}

#[tokio::test]
async fn composition_matches_the_reference_composer() {
    let subgraphs = committed_subgraphs().await;
    let ours = composition::compose(&subgraphs).unwrap().sdl;

    let tools = PathBuf::from(required_env("STOREFRONT_NODE_TOOLS"));
    let input: Vec<_> = subgraphs
        .iter()
        .map(|s| serde_json::json!({ "name": s.name, "url": s.routing_url, "sdl": s.sdl }))
        .collect();
    let mut node = std::process::Command::new("node")
        .arg(tools.join("compose-reference.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    node.stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let output = node.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "reference composition failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reference = String::from_utf8(output.stdout).unwrap();

    let (ours, reference) = (
        normalized_sdl(&ours).unwrap(),
        normalized_sdl(&reference).unwrap(),
    );
    if ours != reference {
        let ours_lines: Vec<&str> = ours.lines().collect();
        let missing: Vec<&str> = reference
            .lines()
            .filter(|l| !ours_lines.contains(l))
            .collect();
        let reference_lines: Vec<&str> = reference.lines().collect();
        let extra: Vec<&str> = ours_lines
            .iter()
            .copied()
            .filter(|l| !reference_lines.contains(l))
            .collect();
        panic!(
            "our supergraph differs from the reference composer's.\nOnly in the reference:\n{}\nOnly in ours:\n{}",
            missing.join("\n"),
            extra.join("\n")
        );
    }
}
