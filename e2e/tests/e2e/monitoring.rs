//! The alerts, recording rules and dashboards operators load (`monitoring/`): promtool accepts
//! the rules and their unit tests pass (every alert firing and not firing), the dashboards are
//! well-formed Grafana JSON of the schema version they declare, and every series the rules and
//! panels select exists, with the labels they match and group on, on the running services'
//! `/metrics`, so neither can drift from the metric names and labels the code emits.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
    process::Command,
    time::Duration,
};

use e2e::{TestStack, eventually};
use serde_json::json;
use xtask::{
    paths::{self, ALERT_RULE_FILES as RULE_FILES},
    roster::SUBGRAPHS,
};

/// Metric name prefixes the services emit (everything else in an expression is PromQL, a
/// label, or a recording rule's `level:metric:operation` name).
const EMITTED_PREFIXES: [&str; 7] = [
    "graphql_",
    "mongodb_",
    "change_stream_",
    "dataloader_",
    "http_",
    "hive_router_",
    "entity_cache_",
];

/// Every dashboard: its file name and JSON.
fn dashboards() -> Vec<(String, serde_json::Value)> {
    let mut found: Vec<(String, serde_json::Value)> = std::fs::read_dir(paths::dashboards_dir())
        .expect("monitoring/grafana/dashboards")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let json = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{name} is not JSON: {err}"));
            (name, json)
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Each panel query of every dashboard, named `dashboard / panel`.
fn panel_queries() -> Vec<(String, String)> {
    let mut queries = Vec::new();
    for (file, dashboard) in dashboards() {
        for panel in dashboard["panels"].as_array().into_iter().flatten() {
            for target in panel["targets"].as_array().into_iter().flatten() {
                queries.push((
                    format!("{file} / {}", panel["title"].as_str().unwrap_or("?")),
                    target["expr"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    }
    queries
}

/// promtool's output; a clear failure when it is missing (Debian's `prometheus` package,
/// which `cargo xtask test` installs).
fn promtool(args: &[&str]) -> String {
    let output = Command::new("promtool")
        .args(args)
        .current_dir(paths::prometheus_rules_dir())
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

    let tests: Vec<String> = std::fs::read_dir(paths::prometheus_rules_dir().join("tests"))
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
        .map(|file| std::fs::read_to_string(paths::prometheus_rules_dir().join(file)).unwrap())
        .collect();
    for alert in rules().alerts {
        assert!(
            unit_tests.contains(&format!("alertname: {alert}")),
            "{alert} has no promtool unit test"
        );
    }
}

/// Grafana's dashboard model as the schema versions we declare define it (9.4 to 11.x): what
/// Grafana needs to import a dashboard and draw each panel from our Prometheus data source.
#[test]
fn dashboards_are_grafana_json_of_the_schema_version_they_declare() {
    let all = dashboards();
    assert!(
        all.len() >= 2,
        "dashboards: {:?}",
        all.iter().map(|d| &d.0).collect::<Vec<_>>()
    );
    let mut uids = BTreeSet::new();
    for (file, dashboard) in &all {
        let version = dashboard["schemaVersion"].as_u64().unwrap_or_default();
        assert!(
            (37..=41).contains(&version),
            "{file}: schemaVersion {version}"
        );
        let uid = dashboard["uid"].as_str().unwrap_or_default();
        assert!(!uid.is_empty() && uid.len() <= 40, "{file}: uid {uid:?}");
        assert!(uids.insert(uid.to_owned()), "{file}: uid {uid} used twice");
        assert!(
            dashboard["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{file}: title"
        );
        let variables = dashboard["templating"]["list"]
            .as_array()
            .expect("templating.list");
        assert!(
            variables.iter().any(|v| v["name"] == "datasource"
                && v["type"] == "datasource"
                && v["query"] == "prometheus"),
            "{file}: a `datasource` variable choosing a Prometheus data source"
        );
        let panels = dashboard["panels"].as_array().expect("panels");
        assert!(!panels.is_empty(), "{file} has no panels");
        let mut ids = BTreeSet::new();
        for panel in panels {
            let title = panel["title"].as_str().unwrap_or_default();
            let at = format!("{file} / {title}");
            assert!(!title.is_empty(), "{file}: a panel without a title");
            assert!(
                ids.insert(panel["id"].as_u64().expect("panel id")),
                "{at}: id used twice"
            );
            assert!(
                ["timeseries", "stat"].contains(&panel["type"].as_str().unwrap_or_default()),
                "{at}: panel type {}",
                panel["type"]
            );
            let grid = &panel["gridPos"];
            let (x, w) = (grid["x"].as_u64(), grid["w"].as_u64());
            assert!(
                grid["h"].as_u64().is_some() && grid["y"].as_u64().is_some(),
                "{at}: gridPos {grid}"
            );
            assert!(
                x.zip(w).is_some_and(|(x, w)| w > 0 && x + w <= 24),
                "{at}: gridPos {grid} (24 columns)"
            );
            assert_eq!(panel["datasource"]["type"], "prometheus", "{at}");
            assert_eq!(panel["datasource"]["uid"], "${datasource}", "{at}");
            let targets = panel["targets"].as_array().expect("targets");
            assert!(!targets.is_empty(), "{at} queries nothing");
            let mut ref_ids = BTreeSet::new();
            for target in targets {
                assert!(
                    ref_ids.insert(target["refId"].as_str().expect("refId")),
                    "{at}: refId twice"
                );
                assert!(
                    target["expr"]
                        .as_str()
                        .is_some_and(|expr| !expr.trim().is_empty()),
                    "{at}: an empty query"
                );
            }
        }
    }
}

/// What the rule files hold.
struct Rules {
    expressions: Vec<String>,
    /// The recording rules' names.
    records: Vec<String>,
    alerts: Vec<String>,
    /// Each alert's `runbook` annotation.
    runbooks: Vec<String>,
}

fn rules() -> Rules {
    let mut rules = Rules {
        expressions: Vec::new(),
        records: Vec::new(),
        alerts: Vec::new(),
        runbooks: Vec::new(),
    };
    for group in paths::prometheus_rule_groups().expect("the rule files") {
        for rule in group["rules"].as_sequence().expect("rules") {
            rules
                .expressions
                .push(rule["expr"].as_str().expect("expr").to_owned());
            if let Some(record) = rule["record"].as_str() {
                rules.records.push(record.to_owned());
            }
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
        // `by (…)` and `without (…)` list labels, not series.
        if let Some(keyword) = ["by (", "without ("]
            .into_iter()
            .find(|keyword| expr[at..].starts_with(keyword))
        {
            at = expr[at + keyword.len()..]
                .find(')')
                .map_or(expr.len(), |close| at + keyword.len() + close + 1);
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

/// The labels `expr` groups by (`sum by (job, le) (…)`).
fn grouping_labels(expr: &str) -> BTreeSet<String> {
    expr.match_indices("by (")
        .filter_map(|(at, by)| {
            let rest = &expr[at + by.len()..];
            rest.split_once(')').map(|(list, _)| list)
        })
        .flat_map(|list| list.split(','))
        .map(|label| label.trim().to_owned())
        .filter(|label| !label.is_empty())
        .collect()
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

/// Requests that make every series appear: a page needing every subgraph, past the entity
/// cache and then twice through it (a miss and a hit); a subscription; a router error with a
/// code; a subgraph error with a code; a write the catalog's change streams report.
async fn traffic_that_makes_every_series(stack: &TestStack, round: u32) {
    stack.reach_every_subgraph().await;
    let page = e2e::contract_operation("ProductPage");
    for _ in 0..2 {
        let answer = stack.query(&page, json!({ "id": "prod-000002" })).await;
        assert!(answer["errors"].is_null(), "{answer}");
    }
    let mut live = e2e::live::Subscription::open(
        e2e::live::Transport::Sse,
        &stack.stack.router_url(),
        Some(&e2e::token("monitoring")),
        &e2e::contract_operation("CartChanged"),
        json!({}),
    )
    .await;
    live.next_response(std::time::Duration::from_secs(5), "the current cart")
        .await;
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
            bson::doc! { "$set": { "monitoringRound": round } },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn every_series_the_rules_and_dashboards_select_is_on_the_running_services() {
    let stack = TestStack::start("monitoring-series").await;
    let queries: Vec<(String, String)> = rules()
        .expressions
        .into_iter()
        .map(|expr| ("a rule".to_owned(), expr))
        .chain(panel_queries())
        .collect();
    let wanted: BTreeMap<String, BTreeSet<String>> = queries
        .iter()
        .flat_map(|(_, expr)| selectors(expr))
        .fold(BTreeMap::new(), |mut all, (name, labels)| {
            all.entry(name).or_default().extend(labels);
            all
        });
    assert!(
        wanted.len() >= 15,
        "the rules and panels select too little: {wanted:?}"
    );

    traffic_that_makes_every_series(&stack, 0).await;

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
        // A query grouping by a label none of its series carries draws one unlabelled line.
        for (source, expr) in &queries {
            let carried: BTreeSet<&String> = selectors(expr)
                .iter()
                .filter_map(|(name, _)| exposed.get(name))
                .flatten()
                .collect();
            for label in grouping_labels(expr) {
                let ours = !["le", "job", "instance"].contains(&label.as_str());
                if ours && !carried.contains(&label) {
                    missing.push(format!("{source}: groups by {label}, which `{expr}` lacks"));
                }
            }
        }
        missing.is_empty()
    })
    .await;
    println!(
        "{} metrics the rules and panels select, all exposed: {complete}",
        wanted.len()
    );
    assert!(
        complete,
        "selected by the rules or panels but not exposed:\n{}",
        missing.join("\n")
    );
}

/// Compose's `monitoring` profile provisions Grafana with the profile's Prometheus and the
/// repository's dashboards (Grafana's image does not install here, so this reads what it would:
/// the container suite runs the Prometheus side). The provisioning folder and the dashboards are
/// mounted where Grafana and the dashboard provider look, the data source is the Prometheus
/// service on the address it listens on, and the home dashboard is one of ours.
#[test]
fn compose_provisions_grafana_with_its_prometheus_and_every_dashboard() {
    let compose = e2e::compose_file();
    let docker = paths::workspace_root().join("docker");
    let grafana = &compose["services"]["grafana"];
    let mounts: BTreeMap<PathBuf, String> = grafana["volumes"]
        .as_sequence()
        .expect("grafana mounts volumes")
        .iter()
        .filter_map(|volume| {
            let mut parts = volume.as_str()?.split(':');
            let (source, target) = (parts.next()?, parts.next()?);
            source
                .starts_with('.')
                .then(|| (docker.join(source), target.to_owned()))
        })
        .collect();
    let mounted_at = |folder: PathBuf| -> (PathBuf, String) {
        let (source, target) = mounts
            .iter()
            .find(|(source, _)| {
                std::fs::canonicalize(source).ok() == std::fs::canonicalize(&folder).ok()
            })
            .unwrap_or_else(|| panic!("grafana mounts {}: {mounts:?}", folder.display()));
        (source.clone(), target.clone())
    };
    let (provisioning, provisioning_target) = mounted_at(docker.join("monitoring/grafana"));
    assert_eq!(provisioning_target, "/etc/grafana/provisioning");
    let (_, dashboards_target) = mounted_at(paths::dashboards_dir());

    let yaml = |path: PathBuf| -> serde_yaml::Value {
        serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
    };
    let providers = yaml(provisioning.join("dashboards/storefront.yaml"));
    assert_eq!(
        providers["providers"][0]["options"]["path"].as_str(),
        Some(dashboards_target.as_str()),
        "the dashboard provider reads the folder Compose mounts the dashboards at"
    );

    let prometheus = &compose["services"]["prometheus"];
    let listen = prometheus["command"]
        .as_sequence()
        .into_iter()
        .flatten()
        .find_map(|arg| arg.as_str()?.strip_prefix("--web.listen-address="))
        .expect("prometheus sets --web.listen-address");
    let port = listen.rsplit(':').next().unwrap();
    let sources = yaml(provisioning.join("datasources/prometheus.yaml"));
    let source = &sources["datasources"][0];
    assert_eq!(source["type"], "prometheus");
    assert_eq!(
        source["isDefault"], true,
        "the dashboards' `datasource` variable picks it"
    );
    assert_eq!(
        source["url"].as_str(),
        Some(format!("http://prometheus:{port}").as_str()),
        "the data source is the profile's Prometheus service"
    );

    let home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
        .as_str()
        .expect("a home dashboard");
    let file = home
        .strip_prefix(&format!("{dashboards_target}/"))
        .expect("the home dashboard is in the mounted folder");
    assert!(
        dashboards().iter().any(|(name, _)| name == file),
        "the home dashboard {file} is one of monitoring/grafana/dashboards"
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

/// A real Prometheus (Debian's package) scraping a stack every second with the rules loaded,
/// as an operator's would every 30 s; stopped (and its data removed) when dropped.
struct Prometheus {
    url: String,
    _process: tokio::process::Child,
    _dir: PathBuf,
}

impl Prometheus {
    async fn scraping(stack: &TestStack, name: &str) -> Self {
        let dir = e2e::scratch_dir().join(format!("prometheus-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut jobs = vec![("router".to_owned(), stack.stack.options.router_port)];
        for (spec, port) in SUBGRAPHS.iter().zip(&stack.stack.options.subgraph_ports) {
            jobs.push((spec.name.to_owned(), *port));
        }
        let scrape_configs: Vec<serde_json::Value> = jobs
            .iter()
            .map(|(job, port)| {
                json!({ "job_name": job, "static_configs": [{ "targets": [format!("127.0.0.1:{port}")] }] })
            })
            .collect();
        let config = json!({
            "global": { "scrape_interval": "1s", "evaluation_interval": "1s" },
            "rule_files": RULE_FILES.map(|file| paths::prometheus_rules_dir().join(file)),
            "scrape_configs": scrape_configs,
        });
        let config_path = dir.join("prometheus.yml");
        std::fs::write(&config_path, serde_yaml::to_string(&config).unwrap()).unwrap();
        let port = xtask::process::free_port().expect("a free port");
        let process = tokio::process::Command::new("prometheus")
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(std::fs::File::create(dir.join("prometheus.log")).unwrap())
            .stderr(std::fs::File::create(dir.join("prometheus.err.log")).unwrap())
            .kill_on_drop(true)
            .spawn()
            .expect("prometheus (Debian package `prometheus`; `cargo xtask test` installs it)");
        let prometheus = Self {
            url: format!("http://127.0.0.1:{port}"),
            _process: process,
            _dir: dir,
        };
        let up = eventually(Duration::from_secs(20), async || {
            prometheus.get("/-/ready").await.is_some()
        })
        .await;
        assert!(
            up,
            "Prometheus did not start (see its log under the test run's folder)"
        );
        prometheus
    }

    async fn get(&self, path: &str) -> Option<String> {
        let response = reqwest::get(format!("{}{path}", self.url)).await.ok()?;
        response.status().is_success().then_some(())?;
        response.text().await.ok()
    }

    /// The result of an instant query.
    async fn query(&self, promql: &str) -> Vec<serde_json::Value> {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/query", self.url))
            .query(&[("query", promql)])
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "success", "{promql}: {body}");
        body["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The state of `alert` (`inactive`, `pending`, `firing`) for the given `job`.
    async fn alert_state(&self, alert: &str, job: &str) -> String {
        let rules: serde_json::Value =
            serde_json::from_str(&self.get("/api/v1/rules?type=alert").await.unwrap()).unwrap();
        let rule = rules["data"]["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|group| group["rules"].as_array().cloned().unwrap_or_default())
            .find(|rule| rule["name"] == alert)
            .unwrap_or_else(|| panic!("Prometheus has no alert {alert}"));
        rule["alerts"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|active| active["labels"]["job"] == job)
            .and_then(|active| active["state"].as_str())
            .unwrap_or("inactive")
            .to_owned()
    }
}

/// Prometheus scrapes the running stack while requests, bad input and a change-stream write go
/// through it: every recording rule and every dashboard panel returns data, every alert
/// evaluates cleanly, and the subgraph alert fires within its `for` when a subgraph is
/// stopped and resolves when it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_sees_every_panel_and_rule_and_pages_for_a_stopped_subgraph() {
    // Alone: the alert's timing is asserted.
    let mut stack = TestStack::start_alone("monitoring-prometheus", |_| {}).await;
    let prometheus = Prometheus::scraping(&stack, "scrape").await;

    // Traffic for a while, with bad input and a write the change streams report.
    let started = std::time::Instant::now();
    let mut round = 0;
    while started.elapsed() < Duration::from_secs(20) {
        traffic_that_makes_every_series(&stack, round).await;
        round += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Every recording rule and panel query has data (a panel's `$job` is the catalog).
    let recorded = rules().records;
    let mut empty = Vec::new();
    let queries: Vec<(String, String)> = recorded
        .iter()
        .map(|record| (format!("recording rule {record}"), record.clone()))
        .chain(
            panel_queries()
                .into_iter()
                .map(|(panel, expr)| (panel, expr.replace("$job", "catalog"))),
        )
        .collect();
    let all_data = eventually(Duration::from_secs(20), async || {
        empty.clear();
        for (what, promql) in &queries {
            if prometheus.query(promql).await.is_empty() {
                empty.push(format!("{what}: {promql}"));
            }
        }
        empty.is_empty()
    })
    .await;
    println!(
        "{} recording rules and panel queries, all with data: {all_data}",
        queries.len()
    );
    assert!(all_data, "no data for:\n{}", empty.join("\n"));

    // Every alert evaluates without error.
    let rules: serde_json::Value =
        serde_json::from_str(&prometheus.get("/api/v1/rules").await.unwrap()).unwrap();
    let mut evaluated = 0;
    for group in rules["data"]["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            assert_eq!(
                rule["health"], "ok",
                "{}: {}",
                rule["name"], rule["lastError"]
            );
            evaluated += 1;
        }
    }
    assert!(evaluated >= 20, "{evaluated} rules evaluated");

    // The cart stops: its alert goes pending at once and fires after its `for` (30 s) …
    const ALERT: &str = "StorefrontSubgraphNotReady";
    assert_eq!(prometheus.alert_state(ALERT, "cart").await, "inactive");
    stack.stack.stop_subgraph("cart").await;
    let stopped = std::time::Instant::now();
    let fired = eventually(Duration::from_secs(50), async || {
        prometheus.alert_state(ALERT, "cart").await == "firing"
    })
    .await;
    let took = stopped.elapsed();
    println!("{ALERT} fired {took:?} after the cart stopped");
    assert!(
        fired,
        "{ALERT} did not fire within 50 s of the cart stopping"
    );
    assert!(
        took >= Duration::from_secs(30),
        "fired after {took:?}, before its `for`"
    );
    assert_eq!(prometheus.alert_state(ALERT, "catalog").await, "inactive");

    // … and resolves once the cart is back.
    stack.stack.start_subgraph_again("cart").await.unwrap();
    let resolved = eventually(Duration::from_secs(15), async || {
        prometheus.alert_state(ALERT, "cart").await == "inactive"
    })
    .await;
    assert!(
        resolved,
        "{ALERT} still active 15 s after the cart came back"
    );
}
