//! The committed schemas stay true to the code, and our composition agrees with the
//! reference composer (`@theguild/federation-composition`) on the same subgraph SDLs.

use std::{io::Write, path::PathBuf, process::Stdio};

use e2e::required_env;
use router::{
    composition::{self, normalize::normalized_sdl},
    supergraph_config::{SubgraphSchema, SupergraphConfig},
};
use xtask::{paths, stack::SUBGRAPHS};

fn drift_message(file: &str, committed: &str, fresh: &str) -> String {
    let first_difference = committed
        .lines()
        .zip(fresh.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(line, (a, b))| format!("line {}:\n  committed: {a}\n  code:      {b}", line + 1))
        .unwrap_or_else(|| {
            format!(
                "one is a prefix of the other ({} vs {} lines)",
                committed.lines().count(),
                fresh.lines().count()
            )
        });
    format!(
        "{file} is out of date with the code; {first_difference}\nRegenerate it with `cargo xtask compose`."
    )
}

#[test]
fn subgraph_schemas_match_their_code() {
    let bin_dir = PathBuf::from(required_env("STOREFRONT_BIN_DIR"));
    for spec in SUBGRAPHS {
        let output = std::process::Command::new(bin_dir.join(spec.name))
            .arg("--print-schema")
            .env_remove("MONGODB_URI")
            .output()
            .expect("the subgraph binary runs");
        assert!(
            output.status.success(),
            "{} --print-schema failed",
            spec.name
        );
        let fresh = String::from_utf8(output.stdout).unwrap();
        let file = format!("subgraphs/{}/schema.graphql", spec.name);
        let committed = std::fs::read_to_string(paths::workspace_root().join(&file)).unwrap();
        assert!(
            committed == fresh,
            "{}",
            drift_message(&file, &committed, &fresh)
        );
    }
}

async fn committed_subgraphs() -> Vec<SubgraphSchema> {
    let config = SupergraphConfig::load(&paths::workspace_root().join("supergraph.yaml")).unwrap();
    config
        .subgraph_schemas(&reqwest::Client::new())
        .await
        .unwrap()
}

#[tokio::test]
async fn committed_supergraph_is_current() {
    let composed = composition::compose(&committed_subgraphs().await).unwrap();
    let committed =
        std::fs::read_to_string(paths::workspace_root().join("supergraph.graphql")).unwrap();
    assert!(
        committed == composed.sdl,
        "{}",
        drift_message("supergraph.graphql", &committed, &composed.sdl)
    );
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
