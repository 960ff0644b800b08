//! `docker/compose.yaml` started with Podman. podman-compose (1.6, on Debian's Podman 4.3)
//! cannot bring the file up in one go: Podman 4.3's `--requires` will not start a container
//! whose completed one-shot dependency depends on a running one. So `cargo xtask podman up`
//! starts the services one at a time in `depends_on` order, waiting for each one-shot step a
//! later service needs to exit 0, which is what Docker Compose does by itself.

use std::path::PathBuf;

use anyhow::{Context, bail};
use tokio::process::Command;

use crate::{paths, process::run_to_completion, python_tools};

/// `docker/compose.yaml`, the Compose stack users run.
pub fn file_path() -> PathBuf {
    paths::workspace_root().join("docker/compose.yaml")
}

/// The Compose file as YAML, with its `<<:` merge keys applied (as Compose reads it).
pub fn file() -> anyhow::Result<serde_yaml::Value> {
    let path = file_path();
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut compose: serde_yaml::Value =
        serde_yaml::from_str(&text).with_context(|| format!("{} is not YAML", path.display()))?;
    compose
        .apply_merge()
        .with_context(|| format!("{}'s merge keys", path.display()))?;
    Ok(compose)
}

/// The services Compose starts with `profiles` active (those without `profiles`, and those
/// naming an active one) in an order that starts each after everything it `depends_on`, and for
/// each whether a later service waits for it to complete (a one-shot step).
pub fn start_order(
    compose: &serde_yaml::Value,
    profiles: &[String],
) -> anyhow::Result<Vec<(String, bool)>> {
    let mut services = compose["services"]
        .as_mapping()
        .context("the Compose file has no services")?
        .clone();
    services.retain(|_, service| match service["profiles"].as_sequence() {
        None => true,
        Some(names) => names
            .iter()
            .any(|name| profiles.iter().any(|active| name == active.as_str())),
    });
    let depends_on = |service: &serde_yaml::Value| -> Vec<String> {
        match &service["depends_on"] {
            serde_yaml::Value::Mapping(deps) => deps
                .keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect(),
            serde_yaml::Value::Sequence(deps) => deps
                .iter()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut order: Vec<(String, bool)> = Vec::new();
    while order.len() < services.len() {
        let started = |name: &str| order.iter().any(|(s, _)| s == name);
        let next = services.iter().find_map(|(name, service)| {
            let name = name.as_str()?;
            (!started(name) && depends_on(service).iter().all(|d| started(d))).then_some(name)
        });
        let Some(name) = next else {
            bail!("the Compose file's depends_on has a cycle or names a missing service");
        };
        let awaited = services.values().any(|service| {
            service["depends_on"][name]["condition"] == "service_completed_successfully"
        });
        order.push((name.to_owned(), awaited));
    }
    Ok(order)
}

/// One Compose project: its name (container names are `<project>_<service>_1`) and the
/// profiles it runs with (`monitoring` adds Prometheus and Grafana).
pub struct Project {
    pub name: String,
    pub profiles: Vec<String>,
}

impl Project {
    /// `podman-compose` for this project and the Compose file (no pod: the containers join the
    /// project's network as Docker Compose would put them), with the caller's environment.
    pub async fn command(&self) -> anyhow::Result<Command> {
        let tools = python_tools::ensure().await?;
        let mut command = Command::new(tools.join("podman-compose"));
        command
            .args(["--in-pod", "false", "-p", &self.name, "-f"])
            .arg(file_path());
        for profile in &self.profiles {
            command.args(["--profile", profile]);
        }
        Ok(command)
    }

    /// The container Podman runs `service` in.
    pub fn container(&self, service: &str) -> String {
        format!("{}_{service}_1", self.name)
    }

    /// Starts every service of the Compose file from images already built (`cargo xtask
    /// images`), in `depends_on` order, each one-shot step awaited before what needs it.
    pub async fn up(&self) -> anyhow::Result<()> {
        for (service, awaited) in start_order(&file()?, &self.profiles)? {
            crate::step(&format!("Starting {service}"));
            let mut command = self.command().await?;
            command.args(["up", "-d", "--no-deps", "--no-build", &service]);
            run_to_completion(&format!("podman-compose up {service}"), command).await?;
            if awaited {
                let mut wait = Command::new("podman");
                wait.args(["wait", &self.container(&service)]);
                let exit = run_to_completion(&format!("podman wait {service}"), wait).await?;
                if exit.trim() != "0" {
                    bail!(
                        "the one-shot step {service} exited {} (see `podman logs {}`)",
                        exit.trim(),
                        self.container(&service)
                    );
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn services_start_after_what_they_depend_on_and_one_shot_steps_are_awaited() {
        let compose: serde_yaml::Value = serde_yaml::from_str(
            "services:\n  router: { depends_on: { catalog: { condition: service_healthy } } }\n  \
             catalog: { depends_on: { seed: { condition: service_completed_successfully } } }\n  \
             seed: { depends_on: [mongo] }\n  mongo: {}\n",
        )
        .unwrap();
        let order = super::start_order(&compose, &[]).unwrap();
        let names: Vec<&str> = order.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["mongo", "seed", "catalog", "router"]);
        assert_eq!(
            order.iter().filter(|(_, awaited)| *awaited).count(),
            1,
            "{order:?}"
        );
        assert!(order[1].1, "the seed is awaited");
        let cycle: serde_yaml::Value =
            serde_yaml::from_str("services:\n  a: { depends_on: [b] }\n  b: { depends_on: [a] }\n")
                .unwrap();
        assert!(super::start_order(&cycle, &[]).is_err());
    }

    #[test]
    fn a_service_with_profiles_starts_only_when_one_of_them_is_active() {
        let compose: serde_yaml::Value = serde_yaml::from_str(
            "services:\n  router: {}\n  prometheus: { profiles: [monitoring] }\n  \
             grafana: { profiles: [monitoring], depends_on: [prometheus] }\n",
        )
        .unwrap();
        let names = |profiles: &[String]| -> Vec<String> {
            let order = super::start_order(&compose, profiles).unwrap();
            order.into_iter().map(|(name, _)| name).collect()
        };
        assert_eq!(names(&[]), ["router"]);
        assert_eq!(names(&["debug".to_owned()]), ["router"]);
        assert_eq!(
            names(&["monitoring".to_owned()]),
            ["router", "prometheus", "grafana"]
        );
    }
}
