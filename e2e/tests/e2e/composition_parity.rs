//! Composition refuses what Apollo Federation refuses, with the same code: each invalid
//! subgraph set in `router/tests/fixtures/composition-parity.yaml` goes through our
//! composition and through `@apollo/composition`; both must refuse it, and both must name the
//! code the case is about. A CI check that waved such a set through would pass a change that
//! a Federation 2 pipeline elsewhere refuses.

use std::collections::{BTreeMap, BTreeSet};

use e2e::reference::{self, Composer};
use router::{
    composition::{self, CompositionError, FederationErrorCode},
    supergraph_config::SubgraphSchema,
};
use serde::Deserialize;
use xtask::paths;

#[derive(Debug, Deserialize)]
struct Suite {
    prelude: String,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    code: String,
    subgraphs: BTreeMap<String, String>,
    #[serde(default = "yes")]
    prelude: bool,
}

fn yes() -> bool {
    true
}

/// The codes a composition refused with, or `None` when it composed.
fn ours(subgraphs: &[SubgraphSchema]) -> Option<BTreeSet<String>> {
    match composition::compose(subgraphs) {
        Ok(_) => None,
        Err(CompositionError::Failed(issues)) => {
            Some(issues.iter().map(|i| i.code.to_owned()).collect())
        }
        Err(CompositionError::InvalidSdl { .. }) => Some(["INVALID_GRAPHQL".to_owned()].into()),
    }
}

fn apollo(subgraphs: &[SubgraphSchema]) -> Option<BTreeSet<String>> {
    reference::compose(Composer::Apollo, subgraphs)
        .err()
        .map(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    e.code
                        .unwrap_or_else(|| format!("(no code: {})", e.message))
                })
                .collect()
        })
}

#[test]
fn composition_refuses_what_apollo_refuses_with_the_same_code() {
    let path = paths::workspace_root().join("router/tests/fixtures/composition-parity.yaml");
    let suite: Suite = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut mismatches = Vec::new();
    let mut codes = BTreeSet::new();
    for case in &suite.cases {
        let subgraphs: Vec<SubgraphSchema> = case
            .subgraphs
            .iter()
            .map(|(name, sdl)| SubgraphSchema {
                name: name.clone(),
                routing_url: format!("http://{name}.example/graphql"),
                sdl: if case.prelude {
                    format!("{}{sdl}", suite.prelude)
                } else {
                    sdl.clone()
                },
                file: None,
            })
            .collect();
        let (ours, apollo) = (ours(&subgraphs), apollo(&subgraphs));
        let show = |codes: &Option<BTreeSet<String>>| match codes {
            None => "composes".to_owned(),
            Some(codes) => codes.iter().cloned().collect::<Vec<_>>().join(", "),
        };
        let names = |codes: &Option<BTreeSet<String>>| {
            codes
                .as_ref()
                .is_some_and(|codes| codes.contains(&case.code))
        };
        println!(
            "{:45} ours: {:45} apollo: {}",
            case.code,
            show(&ours),
            show(&apollo)
        );
        if !names(&apollo) {
            mismatches.push(format!(
                "fixture `{}`: Apollo does not refuse it with {} ({})",
                case.name,
                case.code,
                show(&apollo)
            ));
        } else if !names(&ours) {
            mismatches.push(format!(
                "`{}`: Apollo refuses it with {}, we {}",
                case.name,
                case.code,
                match &ours {
                    None => "compose it".to_owned(),
                    Some(_) => format!("say {}", show(&ours)),
                }
            ));
        }
        codes.insert(case.code.clone());
    }
    println!(
        "{} cases, {} distinct codes",
        suite.cases.len(),
        codes.len()
    );
    // Nothing in the file was dropped on the way in: every case listed was run.
    let text = std::fs::read_to_string(&path).unwrap();
    let listed = text
        .lines()
        .filter(|line| line.trim_start().starts_with("- name:"))
        .count();
    assert_eq!(suite.cases.len(), listed, "cases run / cases in {path:?}");
    // At least one case per code the check can report that Apollo has too (every one but
    // COMPOSITION_ERROR, our own rules' code, which Apollo cannot be asked about).
    let uncovered: Vec<&str> = FederationErrorCode::ALL
        .iter()
        .filter(|code| **code != FederationErrorCode::CompositionError)
        .map(|code| code.as_str())
        .filter(|code| !codes.contains(*code))
        .collect();
    assert!(
        uncovered.is_empty(),
        "codes the check reports with no parity case: {uncovered:?}"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ from Apollo:\n  {}",
        mismatches.len(),
        suite.cases.len(),
        mismatches.join("\n  ")
    );
}
