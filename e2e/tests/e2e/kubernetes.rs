//! The Kubernetes manifests (`deploy/kubernetes`): both overlays render with kustomize,
//! validate against Kubernetes' schemas offline and pass the policy scan; and they agree with
//! the code: images are the ones `docker/` builds, ports and probe paths are the ones the
//! running services serve, every variable a container sets is one its binary reads, and the
//! network policies allow exactly the calls the system makes.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
    process::Command,
};

use e2e::{TestStack, required_env, scratch_dir};
use serde::Deserialize;
use serde_yaml::Value;
use xtask::{containers, paths, roster::SUBGRAPHS};

const OVERLAYS: [&str; 2] = ["dev", "production"];

fn kubernetes_dir() -> PathBuf {
    paths::workspace_root().join("deploy/kubernetes")
}

/// `kubectl kustomize` of an overlay, as one multi-document YAML file and its objects.
fn render(overlay: &str) -> (PathBuf, Vec<Value>) {
    render_kustomization(&kubernetes_dir().join("overlays").join(overlay), overlay)
}

/// `kubectl kustomize` of the kustomization in `dir`, saved as `kubernetes-<name>.yaml`.
fn render_kustomization(dir: &std::path::Path, name: &str) -> (PathBuf, Vec<Value>) {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("kubectl (with kustomize) is needed for the Kubernetes checks");
    assert!(
        output.status.success(),
        "{name} does not render: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = scratch_dir().join(format!("kubernetes-{name}.yaml"));
    std::fs::create_dir_all(scratch_dir()).unwrap();
    std::fs::write(&file, &output.stdout).unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let objects = serde_yaml::Deserializer::from_str(&text)
        .map(|document| Value::deserialize(document).unwrap())
        .collect();
    (file, objects)
}

fn python_tool(name: &str) -> PathBuf {
    PathBuf::from(required_env("STOREFRONT_PYTHON_TOOLS")).join(name)
}

fn of_kind<'a>(objects: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    objects.iter().filter(move |object| object["kind"] == kind)
}

fn name(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

#[test]
fn both_overlays_render_and_validate_against_the_kubernetes_schemas() {
    for overlay in OVERLAYS {
        let (file, objects) = render(overlay);
        assert!(of_kind(&objects, "Deployment").count() == SUBGRAPHS.len() + 1);
        let output = Command::new(python_tool("kubernetes-validate"))
            .args(["--strict", "--quiet", "--kubernetes-version", "1.33.0"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "overlay {overlay} is not valid Kubernetes 1.33:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// checkov's JSON summary of one scan: how many checks passed and failed, and what it could
/// not parse. A scan that ran no check passes nothing, so `passed` must be above zero.
#[derive(Debug, serde::Deserialize)]
struct CheckovSummary {
    passed: u64,
    failed: u64,
    parsing_errors: u64,
    resource_count: u64,
}

#[test]
fn both_overlays_pass_the_policy_scan() {
    for overlay in OVERLAYS {
        let (file, objects) = render(overlay);
        let output = Command::new(python_tool("checkov"))
            .args(["--framework", "kubernetes", "--skip-download", "-o", "json"])
            .arg("-f")
            .arg(&file)
            .output()
            .unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
                panic!(
                    "checkov's output for overlay {overlay} is not JSON ({err}):\n{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                )
            });
        // One framework gives one report; checkov lists several when it runs more.
        let reports = match report {
            serde_json::Value::Array(reports) => reports,
            report => vec![report],
        };
        assert_eq!(reports.len(), 1, "overlay {overlay}: {reports:#?}");
        let summary: CheckovSummary = serde_json::from_value(reports[0]["summary"].clone())
            .unwrap_or_else(|err| panic!("overlay {overlay}: no checkov summary ({err})"));
        let failed: Vec<String> = reports[0]["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|check| {
                format!(
                    "{} {} ({})",
                    check["check_id"], check["check_name"], check["resource"]
                )
            })
            .collect();
        println!("checkov, overlay {overlay}: {summary:?}");
        assert!(
            summary.failed == 0 && output.status.success(),
            "checkov fails overlay {overlay} (suppress only with a reason next to the \
             suppression, as `checkov.io/skip` annotations):\n  {}",
            failed.join("\n  ")
        );
        assert_eq!(summary.parsing_errors, 0, "overlay {overlay}: {summary:?}");
        assert!(
            summary.passed > 0,
            "checkov checked nothing in overlay {overlay}: {summary:?}"
        );
        assert!(
            summary.resource_count as usize >= objects.len() / 2,
            "checkov saw {} of the {} objects of overlay {overlay}",
            summary.resource_count,
            objects.len()
        );
    }
}

#[test]
fn the_copies_kustomize_reads_are_the_repositorys_files() {
    let root = paths::workspace_root();
    for (copy, original) in paths::KUBERNETES_COPIES {
        assert_eq!(
            std::fs::read_to_string(kubernetes_dir().join(copy)).unwrap(),
            std::fs::read_to_string(root.join(original)).unwrap(),
            "deploy/kubernetes/{copy} differs from {original}: `cargo xtask compose` copies it \
             again"
        );
    }
}

/// The variables a binary reads: every `[env: NAME=…]` its `--help` shows (subcommands too).
fn variables_read_by(service: &str) -> BTreeSet<String> {
    let bin = PathBuf::from(required_env("STOREFRONT_BIN_DIR"));
    let mut names = BTreeSet::new();
    for args in [
        vec!["--help"],
        vec!["seed", "--help"],
        vec!["mongo-init", "--help"],
    ] {
        let Ok(output) = Command::new(bin.join(service)).args(&args).output() else {
            continue;
        };
        let help = String::from_utf8_lossy(&output.stdout);
        for piece in help.split("[env: ").skip(1) {
            // `[env: NAME=value]`, or `[env: NAME]` when the value is hidden.
            if let Some(name) = piece.split(['=', ']']).next() {
                names.insert(name.to_owned());
            }
        }
    }
    if service == "router" {
        // Read by Hive Router's engine itself, not by our flags: its log format.
        names.insert("LOG_FORMAT".to_owned());
    }
    names
}

/// Every container of a workload, with the service its image is.
fn containers_of(object: &Value) -> Vec<(&Value, String)> {
    let spec = &object["spec"]["template"]["spec"];
    ["initContainers", "containers"]
        .iter()
        .filter_map(|key| spec[*key].as_sequence())
        .flatten()
        .map(|container| {
            let image = container["image"].as_str().unwrap_or_default();
            let repository = image.rsplit_once(':').map_or(image, |(name, _)| name);
            let service = repository.rsplit('/').next().unwrap_or_default().to_owned();
            (container, service)
        })
        .collect()
}

#[tokio::test]
async fn workloads_use_the_images_ports_probes_and_variables_the_services_have() {
    let stack = TestStack::start("kubernetes-probes").await;
    let (_, objects) = render("dev");
    let services: BTreeSet<&str> = containers::services().into_iter().collect();
    let workloads = ["Deployment", "Job"]
        .iter()
        .flat_map(|kind| of_kind(&objects, kind));
    for workload in workloads {
        for (container, service) in containers_of(workload) {
            if service == "mongo" {
                continue;
            }
            let image = container["image"].as_str().unwrap();
            assert!(
                services.contains(service.as_str()),
                "{}: image {image} is not one docker/Dockerfile builds",
                name(workload)
            );
            let read = variables_read_by(&service);
            for variable in container["env"].as_sequence().into_iter().flatten() {
                let variable = variable["name"].as_str().unwrap();
                assert!(
                    read.contains(variable),
                    "{}: {variable} is set, but {service} does not read it",
                    name(workload)
                );
            }
        }
    }
    let client = reqwest::Client::new();
    for deployment in of_kind(&objects, "Deployment") {
        let service = name(deployment);
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        let port = container["ports"][0]["containerPort"].as_u64().unwrap() as u16;
        let roster_port = match service {
            "router" => xtask::roster::ROUTER_PORT,
            _ => {
                SUBGRAPHS
                    .iter()
                    .find(|s| s.name == service)
                    .unwrap()
                    .default_port
            }
        };
        assert_eq!(port, roster_port, "{service}: containerPort");
        let base = match service {
            "router" => stack
                .stack
                .router_url()
                .trim_end_matches("/graphql")
                .to_owned(),
            _ => stack.stack.subgraph_url(service),
        };
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let path = container[probe]["httpGet"]["path"]
                .as_str()
                .unwrap_or_else(|| panic!("{service} has no HTTP {probe}"));
            let status = client
                .get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(
                status, 200,
                "{service}'s {probe} {path} answers on the real service"
            );
        }
        let listen = container["env"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "LISTEN_ADDR" || v["name"] == "ROUTER_LISTEN")
            .and_then(|v| v["value"].as_str())
            .unwrap_or_default();
        assert_eq!(
            listen,
            format!("0.0.0.0:{port}"),
            "{service} listens on its port"
        );
    }
    stack.stack.stop().await;
}

/// A pod's labels by workload, to evaluate policy selectors against.
fn pod_labels(objects: &[Value]) -> BTreeMap<String, BTreeMap<String, String>> {
    ["Deployment", "StatefulSet", "Job"]
        .iter()
        .flat_map(|kind| of_kind(objects, kind))
        .map(|workload| {
            let labels =
                serde_yaml::from_value(workload["spec"]["template"]["metadata"]["labels"].clone())
                    .unwrap_or_default();
            (name(workload).to_owned(), labels)
        })
        .collect()
}

fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let labels_match = selector["matchLabels"]
        .as_mapping()
        .into_iter()
        .flatten()
        .all(|(key, value)| {
            labels.get(key.as_str().unwrap()).map(String::as_str) == value.as_str()
        });
    let expressions_match = selector["matchExpressions"]
        .as_sequence()
        .into_iter()
        .flatten()
        .all(|expression| {
            let value = labels.get(expression["key"].as_str().unwrap());
            let values: Vec<&str> = expression["values"]
                .as_sequence()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match expression["operator"].as_str() {
                Some("In") => value.is_some_and(|v| values.contains(&v.as_str())),
                _ => false,
            }
        });
    labels_match && expressions_match
}

/// (from, to, port) for every pod pair a policy's egress allows and the target's ingress
/// admits (both directions must allow it under default deny).
fn allowed_calls(objects: &[Value]) -> BTreeSet<(String, String, u16)> {
    let pods = pod_labels(objects);
    let policies: Vec<&Value> = of_kind(objects, "NetworkPolicy").collect();
    let port_of = |rule: &Value, port: u16| {
        rule["ports"].as_sequence().is_none_or(|ports| {
            ports
                .iter()
                .any(|p| p["port"].as_u64() == Some(u64::from(port)))
        })
    };
    let allows = |direction: &str, peer_key: &str, subject: &str, peer: &str, port: u16| {
        policies.iter().any(|policy| {
            selects(&policy["spec"]["podSelector"], &pods[subject])
                && policy["spec"][direction]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .any(|rule| {
                        port_of(rule, port)
                            && rule[peer_key].as_sequence().into_iter().flatten().any(|p| {
                                p.get("namespaceSelector").is_none()
                                    && selects(&p["podSelector"], &pods[peer])
                            })
                    })
        })
    };
    let mut calls = BTreeSet::new();
    let ports: Vec<u16> = [27017, xtask::roster::ROUTER_PORT]
        .into_iter()
        .chain(SUBGRAPHS.iter().map(|s| s.default_port))
        .collect();
    for from in pods.keys() {
        for to in pods.keys() {
            for &port in &ports {
                if from != to
                    && allows("egress", "to", from, to, port)
                    && allows("ingress", "from", to, from, port)
                {
                    calls.insert((from.clone(), to.clone(), port));
                }
            }
        }
    }
    calls
}

#[test]
fn network_policies_allow_exactly_the_calls_the_system_makes() {
    let (_, objects) = render("dev");
    let mut expected = BTreeSet::new();
    for spec in SUBGRAPHS.iter() {
        expected.insert(("router".to_owned(), spec.name.to_owned(), spec.default_port));
        expected.insert((spec.name.to_owned(), "mongodb".to_owned(), 27017));
    }
    // The cart checks with the catalog that a product exists (CATALOG_URL).
    let catalog = SUBGRAPHS.iter().find(|s| s.name == "catalog").unwrap();
    expected.insert((
        "cart".to_owned(),
        "catalog".to_owned(),
        catalog.default_port,
    ));
    for job in ["mongodb-init", "demo-seed"] {
        expected.insert((job.to_owned(), "mongodb".to_owned(), 27017));
    }
    let allowed = allowed_calls(&objects);
    assert_eq!(
        allowed,
        expected,
        "network policies: allowed but not made {:?}; made but not allowed {:?}",
        allowed.difference(&expected).collect::<Vec<_>>(),
        expected.difference(&allowed).collect::<Vec<_>>()
    );
    // From outside the namespace, only the ingress controller, and only to the router.
    for policy in of_kind(&objects, "NetworkPolicy") {
        for rule in policy["spec"]["ingress"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            let from_outside = rule["from"]
                .as_sequence()
                .into_iter()
                .flatten()
                .any(|peer| peer.get("namespaceSelector").is_some());
            if from_outside {
                assert_eq!(
                    name(policy),
                    "router",
                    "only the router admits other namespaces"
                );
            }
        }
    }
}

/// The production overlay trusts no dev identity and runs only registered documents: the dev
/// signing key is in no manifest of either overlay, the dev JWKS only in the dev overlay, and
/// production's router has trusted documents and introspection off.
#[test]
fn production_carries_no_dev_identity_and_serves_the_production_profile() {
    let identity = paths::workspace_root().join("dev-identity");
    let private_key = std::fs::read_to_string(identity.join("signing-key.pem")).unwrap();
    let private_body = private_key.lines().nth(1).expect("a PEM body line");
    let jwks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(identity.join("jwks.json")).unwrap())
            .unwrap();
    let public_modulus = jwks["keys"][0]["n"]
        .as_str()
        .expect("the dev key's modulus");
    for overlay in OVERLAYS {
        let (file, _) = render(overlay);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains(private_body),
            "overlay {overlay} carries the dev private key"
        );
        assert_eq!(
            text.contains(public_modulus),
            overlay == "dev",
            "the dev JWKS belongs to the dev overlay only ({overlay})"
        );
    }
    let (_, objects) = render("production");
    let router = of_kind(&objects, "Deployment")
        .find(|object| name(object) == "router")
        .expect("a router Deployment");
    let env = &router["spec"]["template"]["spec"]["containers"][0]["env"];
    let value_of = |variable: &str| {
        env.as_sequence()
            .unwrap()
            .iter()
            .find(|entry| entry["name"] == variable)
            .and_then(|entry| entry["value"].as_str())
            .map(str::to_owned)
    };
    let config = value_of("ROUTER_CONFIG").expect("the router's ROUTER_CONFIG");
    assert!(
        config.ends_with("/router.production.yaml"),
        "production layers the production profile last: {config}"
    );
}

/// A kustomization that exists only while the test renders it: the base with the monitoring
/// component, as an operator's overlay would add it (kustomize reads only paths below or beside
/// the kustomization, so it sits in `deploy/kubernetes/`; removed when dropped).
struct WithMonitoring(PathBuf);

impl WithMonitoring {
    fn new() -> Self {
        let dir = kubernetes_dir().join(format!(".monitoring-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\
             resources: [../base]\ncomponents: [../components/monitoring]\n",
        )
        .unwrap();
        Self(dir)
    }
}

impl Drop for WithMonitoring {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_monitoring_component_carries_the_alert_rules_and_the_dashboards() {
    let check = WithMonitoring::new();
    let (_, objects) = render_kustomization(&check.0, "base-with-monitoring");

    // The PrometheusRule holds exactly the rule files' groups.
    let groups = paths::prometheus_rule_groups().expect("the rule files");
    let rule = of_kind(&objects, "PrometheusRule")
        .next()
        .expect("a PrometheusRule");
    assert_eq!(
        rule["spec"]["groups"]
            .as_sequence()
            .cloned()
            .unwrap_or_default(),
        groups,
        "deploy/kubernetes/components/monitoring/prometheusrule.yaml differs from \
         monitoring/prometheus: run `cargo xtask compose`"
    );

    // Every dashboard is in a ConfigMap Grafana's sidecar picks up, and its copy is current.
    let dashboards = of_kind(&objects, "ConfigMap")
        .find(|map| map["metadata"]["labels"]["grafana_dashboard"] == "1")
        .expect("a ConfigMap labelled grafana_dashboard: \"1\"");
    let mut count = 0;
    for entry in std::fs::read_dir(paths::dashboards_dir()).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let original = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            dashboards["data"][file.as_str()].as_str(),
            Some(original.as_str()),
            "{file} in the dashboards ConfigMap: list it in the component's configMapGenerator \
             and run `cargo xtask compose`"
        );
        count += 1;
    }
    assert!(count >= 2, "{count} dashboards");
    assert!(
        of_kind(&objects, "ServiceMonitor").next().is_some(),
        "the component still brings its ServiceMonitor"
    );
}

#[test]
fn the_ingress_keeps_subscription_streams_open() {
    for overlay in OVERLAYS {
        let (_, objects) = render(overlay);
        let ingress = of_kind(&objects, "Ingress").next().expect("an Ingress");
        let annotations = &ingress["metadata"]["annotations"];
        assert_eq!(
            annotations["nginx.ingress.kubernetes.io/proxy-buffering"], "off",
            "{overlay}: streams are not buffered"
        );
        for timeout in ["proxy-read-timeout", "proxy-send-timeout"] {
            let seconds: u64 = annotations
                [format!("nginx.ingress.kubernetes.io/{timeout}").as_str()]
            .as_str()
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("{overlay}: the Ingress sets {timeout}"));
            assert!(seconds >= 3600, "{overlay}: {timeout} is {seconds} s");
        }
    }
}
