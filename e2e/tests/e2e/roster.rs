//! The roster of subgraphs (`supergraph.yaml`) against every place that lists subgraphs and
//! cannot read it: the workspace's crates and binaries, each subgraph's own default port, the
//! cart's catalog URL and `router.yaml`. A subgraph added to one and not the other fails here,
//! naming the place to change.

use std::{collections::BTreeSet, path::PathBuf, process::Command};

use e2e::{compose_file, required_env};
use xtask::{
    paths,
    roster::{SUBGRAPHS, WEB_PORT},
};

fn roster_names() -> BTreeSet<&'static str> {
    SUBGRAPHS.iter().map(|spec| spec.name).collect()
}

/// What `<binary> --help` prints (clap shows each flag's environment variable and default).
fn help(name: &str) -> String {
    let binary = PathBuf::from(required_env("STOREFRONT_BIN_DIR")).join(name);
    let output = Command::new(&binary)
        .arg("--help")
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "there is no binary {binary} (a subgraph supergraph.yaml lists needs the crate \
                 subgraphs/{name}): {err}",
                binary = binary.display()
            )
        });
    assert!(output.status.success(), "{name} --help failed");
    String::from_utf8(output.stdout).unwrap()
}

/// The `[default: …]` clap prints for the flag that reads `variable`.
fn default_of(help: &str, variable: &str) -> Option<String> {
    let after = &help[help.find(&format!("[env: {variable}="))?..];
    let start = after.find("[default: ")? + "[default: ".len();
    let end = start + after[start..].find(']')?;
    Some(after[start..end].to_owned())
}

#[test]
fn every_subgraph_crate_is_in_the_roster_and_every_roster_entry_is_a_crate() {
    let root = paths::workspace_root();
    let crates: BTreeSet<String> = std::fs::read_dir(root.join("subgraphs"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name != "kit"
                && root
                    .join("subgraphs")
                    .join(name)
                    .join("Cargo.toml")
                    .is_file()
        })
        .collect();
    for name in &crates {
        assert!(
            roster_names().contains(name.as_str()),
            "subgraphs/{name} is a subgraph crate, but supergraph.yaml does not list it"
        );
    }
    for name in roster_names() {
        let manifest = root.join("subgraphs").join(name).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap_or_else(|_| {
            panic!("supergraph.yaml lists {name}, but there is no crate subgraphs/{name}")
        });
        assert!(
            text.contains(&format!("name = \"{name}\"")),
            "{} must name its package {name} (the binary the stack starts)",
            manifest.display()
        );
    }
}

#[test]
fn the_web_storefront_listens_by_default_on_its_port_and_compose_publishes_it() {
    let listen = default_of(&help("storefront-web"), "WEB_LISTEN")
        .expect("storefront-web --help shows a default WEB_LISTEN");
    assert_eq!(listen, format!("127.0.0.1:{WEB_PORT}"));
    let ports = format!("{:?}", compose_file()["services"]["web"]["ports"]);
    assert!(
        ports.contains(&format!("${{WEB_PORT:-{WEB_PORT}}}:3000")),
        "docker/compose.yaml publishes the web storefront on {WEB_PORT}: {ports}"
    );
}

#[test]
fn each_subgraph_listens_by_default_where_the_roster_routes_it() {
    for spec in SUBGRAPHS.iter() {
        let listen = default_of(&help(spec.name), "LISTEN_ADDR")
            .unwrap_or_else(|| panic!("{} --help shows no default LISTEN_ADDR", spec.name));
        assert_eq!(
            listen,
            format!("127.0.0.1:{}", spec.default_port),
            "subgraphs/{name}/src/main.rs: DEFAULT_PORT differs from {name}'s routing_url port in supergraph.yaml",
            name = spec.name
        );
    }
}

#[test]
fn the_cart_asks_the_catalog_where_the_roster_routes_it() {
    let cart = SUBGRAPHS.iter().find(|spec| spec.name == "cart").unwrap();
    let catalog = SUBGRAPHS
        .iter()
        .find(|spec| spec.name == "catalog")
        .unwrap();
    assert_eq!(
        default_of(&help(cart.name), "CATALOG_URL").as_deref(),
        Some(format!("http://127.0.0.1:{}/graphql", catalog.default_port).as_str()),
        "subgraphs/cart/src/main.rs: the default CATALOG_URL differs from catalog's routing_url in supergraph.yaml"
    );
}

#[test]
fn router_yaml_configures_exactly_the_roster() {
    let text = std::fs::read_to_string(paths::workspace_root().join("router.yaml")).unwrap();
    let config: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let keys = |section: &serde_yaml::Value| -> BTreeSet<String> {
        section
            .as_mapping()
            .map(|mapping| {
                mapping
                    .keys()
                    .filter_map(|key| key.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let roster: BTreeSet<String> = roster_names().into_iter().map(str::to_owned).collect();
    assert_eq!(
        keys(&config["error_masking"]["subgraphs"]),
        roster,
        "router.yaml: error_masking.subgraphs must name every subgraph of supergraph.yaml (our \
         subgraphs mask their own internal errors), and no other"
    );
    let shaped = keys(&config["traffic_shaping"]["subgraphs"]);
    assert!(
        shaped.is_subset(&roster),
        "router.yaml: traffic_shaping.subgraphs names {:?}, which supergraph.yaml does not list",
        shaped.difference(&roster).collect::<Vec<_>>()
    );
}

#[test]
fn the_compose_stack_runs_exactly_the_roster() {
    let compose = compose_file();
    let services = &compose["services"];
    let place = "docker/compose.yaml";
    let databases = services["mongo-init"]["environment"]["MONGODB_DATABASES"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut built: BTreeSet<String> = services
        .as_mapping()
        .unwrap()
        .values()
        .filter_map(|service| service["build"]["args"]["SERVICE"].as_str())
        .map(str::to_owned)
        .collect();
    for spec in SUBGRAPHS.iter() {
        let name = spec.name;
        let service = &services[name];
        let env = &service["environment"];
        assert_eq!(
            service["build"]["args"]["SERVICE"].as_str(),
            Some(name),
            "{place}: service {name} must build the {name} image"
        );
        assert_eq!(
            env["LISTEN_ADDR"].as_str(),
            Some(format!("0.0.0.0:{}", spec.default_port).as_str()),
            "{place}: {name} must listen on its roster port, which the router's override keeps"
        );
        assert_eq!(
            env["DATABASE_NAME"].as_str(),
            Some(name),
            "{place}: {name}'s database"
        );
        assert!(
            env["MONGODB_URI"]
                .as_str()
                .is_some_and(|uri| uri.starts_with(&format!("mongodb://{name}:"))
                    && uri.contains(&format!("authSource={name}"))),
            "{place}: {name} must sign in to MongoDB as its own user"
        );
        assert!(
            services[format!("{name}-seed").as_str()].is_mapping(),
            "{place}: {name} needs its one-shot {name}-seed"
        );
        assert!(
            databases
                .split(',')
                .any(|entry| entry.starts_with(&format!("{name}="))),
            "{place}: mongo-init's MONGODB_DATABASES must create {name}'s user"
        );
        assert!(
            services["router"]["depends_on"][name].is_mapping(),
            "{place}: the router starts after {name}"
        );
        built.remove(name);
    }
    built.remove("router");
    built.remove("storefront-ops");
    built.remove("storefront-web");
    assert!(
        built.is_empty(),
        "{place} builds {built:?}, which supergraph.yaml does not list"
    );
}

#[test]
fn the_subgraph_alert_watches_exactly_the_roster() {
    let alerts =
        std::fs::read_to_string(paths::prometheus_rules_dir().join("alerts.rules.yaml")).unwrap();
    let selector = alerts
        .lines()
        .find_map(|line| line.trim().strip_prefix("expr: up{job=~\""))
        .expect("the subgraph alert selects `up{job=~\"…\"}`");
    let watched: BTreeSet<&str> = selector
        .split('"')
        .next()
        .unwrap_or_default()
        .split('|')
        .collect();
    assert_eq!(
        watched,
        roster_names(),
        "monitoring/prometheus/alerts.rules.yaml (StorefrontSubgraphNotReady) must watch the roster"
    );
}
