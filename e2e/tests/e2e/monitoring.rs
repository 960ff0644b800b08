//! The alerts and recording rules operators load (`monitoring/prometheus/`): promtool accepts
//! them and their unit tests pass (every alert firing and not firing), and every series they
//! select exists, with the labels they match on, on the running services' `/metrics`, so a
//! rule cannot drift from the metric names and labels the code emits.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
    process::Command,
    time::Duration,
};

use e2e::{TestStack, eventually};
use serde_json::json;
use xtask::{paths, roster::SUBGRAPHS};

/// The rule files, in the order Prometheus loads them.
const RULE_FILES: [&str; 2] = ["recording.rules.yaml", "alerts.rules.yaml"];

/// Metric name prefixes the services emit (everything else in an expression is PromQL, a
/// label, or a recording rule's `level:metric:operation` name).
const EMITTED_PREFIXES: [&str; 6] = [
    "graphql_",
    "mongodb_",
    "change_stream_",
    "dataloader_",
    "http_",
    "hive_router_",
];

fn rules_dir() -> PathBuf {
    paths::workspace_root().join("monitoring/prometheus")
}

/// promtool's output; a clear failure when it is missing (Debian's `prometheus` package,
/// which `cargo xtask test` installs).
fn promtool(args: &[&str]) -> String {
    let output = Command::new("promtool")
        .args(args)
        .current_dir(rules_dir())
        .output()
        .expect("promtool (Debian package `prometheus`; `cargo xtask test` installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "promtool {args:?}:\n{text}");
    text
}

#[test]
fn promtool_accepts_every_rule_and_the_alert_unit_tests_pass() {
    let checked = promtool(&["check", "rules", RULE_FILES[0], RULE_FILES[1]]);
    let found: usize = checked
        .lines()
        .filter_map(|line| line.trim().strip_prefix("SUCCESS: "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse::<usize>().ok())
        .sum();
    println!("promtool check rules: {found} rules");
    assert!(found >= 20, "{checked}");

    let tests: Vec<String> = std::fs::read_dir(rules_dir().join("tests"))
        .expect("monitoring/prometheus/tests")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| format!("tests/{}", path.file_name().unwrap().to_string_lossy()))
        .collect();
    assert!(
        !tests.is_empty(),
        "no unit tests under monitoring/prometheus/tests"
    );
    let mut args = vec!["test", "rules"];
    args.extend(tests.iter().map(String::as_str));
    let tested = promtool(&args);
    assert!(tested.contains("SUCCESS"), "{tested}");

    // Every alert has a unit test.
    let unit_tests: String = tests
        .iter()
        .map(|file| std::fs::read_to_string(rules_dir().join(file)).unwrap())
        .collect();
    for alert in rules().alerts {
        assert!(
            unit_tests.contains(&format!("alertname: {alert}")),
            "{alert} has no promtool unit test"
        );
    }
}

/// What the rule files hold.
struct Rules {
    expressions: Vec<String>,
    alerts: Vec<String>,
    /// Each alert's `runbook` annotation.
    runbooks: Vec<String>,
}

fn rules() -> Rules {
    let mut rules = Rules {
        expressions: Vec::new(),
        alerts: Vec::new(),
        runbooks: Vec::new(),
    };
    for file in RULE_FILES {
        let text = std::fs::read_to_string(rules_dir().join(file)).unwrap();
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        for group in yaml["groups"].as_sequence().expect("groups") {
            for rule in group["rules"].as_sequence().expect("rules") {
                rules
                    .expressions
                    .push(rule["expr"].as_str().expect("expr").to_owned());
                if let Some(alert) = rule["alert"].as_str() {
                    rules.alerts.push(alert.to_owned());
                    rules.runbooks.push(
                        rule["annotations"]["runbook"]
                            .as_str()
                            .unwrap_or_else(|| panic!("{alert} has no runbook"))
                            .to_owned(),
                    );
                }
            }
        }
    }
    rules
}

/// Every series selector in `expr` naming an emitted metric, with the label names it matches.
fn selectors(expr: &str) -> Vec<(String, BTreeSet<String>)> {
    let bytes = expr.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let starts_name = (bytes[at].is_ascii_alphabetic() || bytes[at] == b'_')
            && (at == 0
                || !(bytes[at - 1].is_ascii_alphanumeric() || b"_:\"".contains(&bytes[at - 1])));
        if !starts_name {
            at += 1;
            continue;
        }
        let end = expr[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .map_or(expr.len(), |len| at + len);
        let name = &expr[at..end];
        let mut labels = BTreeSet::new();
        let mut next = end;
        if expr[end..].starts_with('{') {
            let close = expr[end..].find('}').expect("a closed selector") + end;
            for matcher in expr[end + 1..close].split(',') {
                let label = matcher.split(['=', '!']).next().unwrap_or("").trim();
                if !label.is_empty() {
                    labels.insert(label.to_owned());
                }
            }
            next = close + 1;
        }
        if !name.contains(':') && EMITTED_PREFIXES.iter().any(|p| name.starts_with(p)) {
            found.push((name.to_owned(), labels));
        }
        at = next;
    }
    found
}

/// Each metric name on a `/metrics` page with every label name its series carry.
fn exposed(pages: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in pages.iter().flat_map(|page| page.lines()) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name_end = line.find(['{', ' ']).unwrap_or(line.len());
        let labels = names.entry(line[..name_end].to_owned()).or_default();
        if let Some(inside) = line[name_end..]
            .strip_prefix('{')
            .and_then(|rest| rest.split_once('}'))
            .map(|(inside, _)| inside)
        {
            for pair in inside.split("\",") {
                if let Some((label, _)) = pair.split_once('=') {
                    labels.insert(label.trim().to_owned());
                }
            }
        }
    }
    names
}

#[tokio::test]
async fn every_series_the_rules_select_is_on_the_running_services() {
    let stack = TestStack::start("monitoring-series").await;
    let wanted: BTreeMap<String, BTreeSet<String>> = rules()
        .expressions
        .iter()
        .flat_map(|expr| selectors(expr))
        .fold(BTreeMap::new(), |mut all, (name, labels)| {
            all.entry(name).or_default().extend(labels);
            all
        });
    assert!(wanted.len() >= 8, "the rules select too little: {wanted:?}");

    // Traffic that makes every series appear: a page needing every subgraph; a router error
    // with a code; a subgraph error with a code; a write a change stream reports.
    stack.reach_every_subgraph().await;
    let refused = stack.query("{ nope }", json!({})).await;
    assert!(refused["errors"].is_array(), "{refused}");
    let direct = reqwest::Client::new()
        .post(format!("{}/graphql", stack.stack.subgraph_url("catalog")))
        .json(&json!({ "query": "{ products(first: -1) { edges { cursor } } }" }))
        .send()
        .await
        .unwrap();
    assert!(direct.status().is_success() || direct.status().is_client_error());
    stack
        .database("catalog")
        .await
        .collection::<bson::Document>("categories")
        .update_many(
            bson::doc! {},
            bson::doc! { "$set": { "monitoringProbe": 1 } },
        )
        .await
        .unwrap();

    let processes: Vec<&str> = std::iter::once("router")
        .chain(SUBGRAPHS.iter().map(|spec| spec.name))
        .collect();
    let mut missing = Vec::new();
    let complete = eventually(Duration::from_secs(15), async || {
        let mut pages = Vec::new();
        for process in &processes {
            pages.push(stack.metrics(process).await);
        }
        let exposed = exposed(&pages);
        missing = wanted
            .iter()
            .filter_map(|(name, labels)| match exposed.get(name) {
                None => Some(format!("{name} (no series)")),
                Some(carried) => {
                    let absent: Vec<&String> = labels
                        .iter()
                        .filter(|label| *label != "job" && *label != "instance")
                        .filter(|label| !carried.contains(*label))
                        .collect();
                    (!absent.is_empty()).then(|| format!("{name} (no label {absent:?})"))
                }
            })
            .collect();
        missing.is_empty()
    })
    .await;
    println!(
        "{} metrics the rules select, all exposed: {complete}",
        wanted.len()
    );
    assert!(
        complete,
        "selected by the rules but not exposed:\n{}",
        missing.join("\n")
    );
}

/// Each alert's runbook is a section of docs/operations.md.
#[test]
fn every_alert_links_its_runbook_section() {
    let operations = std::fs::read_to_string(paths::workspace_root().join("docs/operations.md"))
        .expect("docs/operations.md");
    for runbook in rules().runbooks {
        let anchor = runbook
            .strip_prefix("docs/operations.md#")
            .unwrap_or_else(|| panic!("{runbook} is not a section of docs/operations.md"));
        let heading = operations.lines().any(|line| {
            line.starts_with('#')
                && crate::docs::github_slug(line.trim_start_matches('#')) == anchor
        });
        assert!(heading, "docs/operations.md has no section for {runbook}");
    }
}
