//! The roster of subgraphs. `supergraph.yaml` is its one source: it names every subgraph the
//! router composes and where each listens by default. The dev stack, the tests, the bench and
//! the schema checks read it from here; the places that cannot read it (each subgraph's own
//! default port, the cart's catalog URL, `router.yaml`, the workspace) are held equal to it by
//! the end-to-end suite's `roster` tests, which name the place that drifted.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::paths;

/// One subgraph of the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubgraphSpec {
    /// The subgraph's name: its crate and binary under `subgraphs/<name>`, and its database.
    pub name: &'static str,
    /// Where it listens unless told otherwise (its `routing_url`'s port).
    pub default_port: u16,
}

/// Every subgraph, in `supergraph.yaml`'s order (the order the stack starts them in).
pub static SUBGRAPHS: LazyLock<Vec<SubgraphSpec>> = LazyLock::new(|| {
    let path = paths::workspace_root().join("supergraph.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read the roster {}: {err}", path.display()));
    parse(&text).unwrap_or_else(|err| panic!("the roster {} is invalid: {err}", path.display()))
});

/// The router's default port.
pub const ROUTER_PORT: u16 = 4000;

/// The web storefront's default port (`storefront-web`'s `--listen` default).
pub const WEB_PORT: u16 = 3000;

/// The index of `name` in [`SUBGRAPHS`].
pub fn index_of(name: &str) -> usize {
    SUBGRAPHS
        .iter()
        .position(|spec| spec.name == name)
        .unwrap_or_else(|| panic!("no subgraph named {name} in supergraph.yaml"))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RosterError {
    #[error("not rover's supergraph config format: {0}")]
    Format(String),
    #[error("subgraph {name}: routing_url {url:?} has no port")]
    NoPort { name: String, url: String },
    #[error("no subgraphs are listed")]
    Empty,
}

#[derive(Deserialize)]
struct SupergraphYaml {
    subgraphs: serde_yaml::Mapping,
}

#[derive(Deserialize)]
struct Entry {
    routing_url: String,
}

/// The roster in a rover-format `supergraph.yaml`, in its order.
pub fn parse(yaml: &str) -> Result<Vec<SubgraphSpec>, RosterError> {
    let format = |err: serde_yaml::Error| RosterError::Format(err.to_string());
    let config: SupergraphYaml = serde_yaml::from_str(yaml).map_err(format)?;
    let mut roster = Vec::with_capacity(config.subgraphs.len());
    for (name, entry) in config.subgraphs {
        let name: String = serde_yaml::from_value(name).map_err(format)?;
        let entry: Entry = serde_yaml::from_value(entry).map_err(format)?;
        let default_port = reqwest::Url::parse(&entry.routing_url)
            .ok()
            .and_then(|url| url.port_or_known_default())
            .ok_or_else(|| RosterError::NoPort {
                name: name.clone(),
                url: entry.routing_url.clone(),
            })?;
        roster.push(SubgraphSpec {
            // The roster lives as long as the process; a handful of names, leaked once.
            name: name.leak(),
            default_port,
        });
    }
    if roster.is_empty() {
        return Err(RosterError::Empty);
    }
    Ok(roster)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_roster_parses_in_order() {
        let names: Vec<&str> = SUBGRAPHS.iter().map(|spec| spec.name).collect();
        assert_eq!(names[0], "catalog", "catalog starts first");
        assert!(SUBGRAPHS.iter().all(|spec| spec.default_port > 1024));
    }

    #[test]
    fn ports_come_from_routing_urls_and_order_is_kept() {
        let yaml = "subgraphs:\n  b:\n    routing_url: http://127.0.0.1:4010/graphql\n  a:\n    routing_url: http://localhost/graphql\n";
        let roster = parse(yaml).unwrap();
        assert_eq!(
            roster,
            vec![
                SubgraphSpec {
                    name: "b",
                    default_port: 4010
                },
                SubgraphSpec {
                    name: "a",
                    default_port: 80
                },
            ]
        );
    }

    #[test]
    fn a_roster_without_subgraphs_or_urls_is_refused() {
        assert_eq!(parse("subgraphs: {}\n"), Err(RosterError::Empty));
        assert!(matches!(
            parse("subgraphs:\n  a:\n    routing_url: not a url\n"),
            Err(RosterError::NoPort { .. })
        ));
        assert!(matches!(
            parse("nothing: here\n"),
            Err(RosterError::Format(_))
        ));
    }
}
