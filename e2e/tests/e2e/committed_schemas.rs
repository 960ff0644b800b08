//! Our composition agrees with the reference composer (`@theguild/federation-composition`)
//! on the committed subgraph SDLs. (Drift of the committed files is `router check`'s job; see
//! `schema_checks.rs`.)

use e2e::reference::{self, Composer};
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

    let reference = reference::compose(Composer::Guild, &subgraphs).unwrap_or_else(|errors| {
        panic!("reference composition failed: {errors:#?}");
    });

    let (ours, reference) = (
        normalized_sdl(&ours).unwrap(),
        as_join_v0_3(&normalized_sdl(&reference).unwrap()),
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

/// The reference writes join v0.5 for Federation v2.8+ subgraphs (ours link v2.9 for `@cost`
/// and `@listSize`); we write join v0.3, which carries all our subgraphs use (no `@context`),
/// because Hive Router 0.2 does not strip v0.5's `join__ContextArgument` and `join__FieldValue`
/// from the API schema it serves. The two differ only in those definitions.
fn as_join_v0_3(reference: &str) -> String {
    assert!(
        !reference.contains("contextArguments: [{"),
        "the reference uses @context, which join v0.3 cannot express:\n{reference}"
    );
    let mut lines = Vec::new();
    let mut in_context_argument = false;
    for line in reference.lines() {
        if line.starts_with("input join__ContextArgument") {
            in_context_argument = true;
        }
        let blank_again = line.is_empty() && lines.last().is_some_and(String::is_empty);
        if !in_context_argument && line != "scalar join__FieldValue" && !blank_again {
            lines.push(
                line.replace("join/v0.5", "join/v0.3")
                    .replace("contextArguments: [join__ContextArgument!], ", "")
                    .replace("overrideLabel: String, ", ""),
            );
        }
        if in_context_argument && line == "}" {
            in_context_argument = false;
        }
    }
    let mut text = lines.join("\n");
    if reference.ends_with('\n') {
        text.push('\n');
    }
    text
}
