//! The Compose stack (`docker/compose.yaml`) as a test fixture: a project of its own (name,
//! ports, volumes) on the images `cargo xtask test` built, started exactly as README tells
//! Podman users to (`cargo xtask podman up`), taken down with its volumes when dropped.

use std::{
    path::PathBuf,
    process::{Command, Output},
    time::Duration,
};

use serde_json::{Value, json};
use xtask::{
    containers::{self, compose},
    paths,
    process::free_port,
};

use crate::{eventually, required_env, scratch_dir, token};

pub struct ComposeStack {
    pub project: String,
    env: Vec<(String, String)>,
    pub router_port: u16,
    pub mongo_port: u16,
    pub web_port: u16,
    /// Where the `monitoring` profile's Prometheus answers, once a test starts it.
    pub prometheus_port: u16,
    pub client: reqwest::Client,
    pub log: PathBuf,
}

impl ComposeStack {
    /// Starts a project of its own and waits until a query needing every subgraph is whole.
    pub async fn up() -> Self {
        let project = format!("sf{}", std::process::id());
        let (router_port, mongo_port, web_port, prometheus_port) = (
            free_port().unwrap(),
            free_port().unwrap(),
            free_port().unwrap(),
            free_port().unwrap(),
        );
        let env = vec![
            (
                "MONGO_IMAGE".to_owned(),
                containers::MONGO_STANDIN.to_owned(),
            ),
            ("ROUTER_PORT".to_owned(), router_port.to_string()),
            ("MONGO_PORT".to_owned(), mongo_port.to_string()),
            ("WEB_PORT".to_owned(), web_port.to_string()),
            (
                "PROMETHEUS_IMAGE".to_owned(),
                containers::PROMETHEUS_STANDIN.to_owned(),
            ),
            ("PROMETHEUS_PORT".to_owned(), prometheus_port.to_string()),
            (
                "STOREFRONT_GRAPHQL_URL".to_owned(),
                format!("http://127.0.0.1:{router_port}/graphql"),
            ),
            ("SEED_PRODUCTS".to_owned(), "200".to_owned()),
        ];
        let log = scratch_dir().join(format!("compose-{project}.log"));
        std::fs::create_dir_all(scratch_dir()).unwrap();
        let stack = Self {
            project,
            env,
            router_port,
            mongo_port,
            web_port,
            prometheus_port,
            client: reqwest::Client::new(),
            log,
        };
        stack.start();
        stack.wait_until_whole().await;
        stack
    }

    /// `cargo xtask podman up -p <project>`, with this project's settings in the environment:
    /// the command README gives Podman users.
    pub fn start(&self) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .current_dir(paths::workspace_root())
            .args(["xtask", "podman", "up", "-p", &self.project])
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("cargo xtask podman up runs");
        self.append_log("cargo xtask podman up", &output);
        assert!(
            output.status.success(),
            "cargo xtask podman up failed (log: {}):\n{}",
            self.log.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `podman-compose` for this project's Compose file, environment and name (no pod: the
    /// containers join the project's network as Docker Compose would put them), with the
    /// `monitoring` profile on: a test may start its Prometheus, and `down` then removes it too.
    pub fn command(&self) -> Command {
        let mut command = Command::new(podman_compose());
        command
            .args(["--in-pod", "false", "-p", &self.project, "-f"])
            .arg(compose::file_path())
            .args(["--profile", "monitoring"])
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command
    }

    /// Runs `podman-compose <args>` for this project; panics with its output when it fails.
    pub fn compose(&self, args: &[&str]) -> Output {
        let output = self
            .command()
            .args(args)
            .output()
            .expect("podman-compose runs");
        self.append_log(&format!("podman-compose {}", args.join(" ")), &output);
        assert!(
            output.status.success(),
            "podman-compose {} failed (log: {}):\n{}",
            args.join(" "),
            self.log.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    fn append_log(&self, what: &str, output: &Output) {
        use std::io::Write;
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let _ = writeln!(log, "$ {what}");
        let _ = log.write_all(&output.stdout);
        let _ = log.write_all(&output.stderr);
    }

    /// The container podman-compose runs a service in.
    pub fn container(&self, service: &str) -> String {
        compose::Project {
            name: self.project.clone(),
            profiles: Vec::new(),
        }
        .container(service)
    }

    /// A client of the stack's MongoDB signed in as `user` of its own database, with the dev
    /// password Compose gives it (`<user>-dev-password`).
    pub async fn mongodb_as(&self, user: &str) -> mongodb::Client {
        let uri = format!(
            "mongodb://{user}:{user}-dev-password@127.0.0.1:{}/?directConnection=true&authSource={user}",
            self.mongo_port
        );
        mongodb::Client::with_uri_str(&uri)
            .await
            .expect("a MongoDB client")
    }

    pub fn router_url(&self) -> String {
        format!("http://127.0.0.1:{}/graphql", self.router_port)
    }

    /// POSTs an operation to the router container; status 0 and a `transport_error` when no
    /// answer came.
    pub async fn query_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .post(self.router_url())
            .timeout(Duration::from_secs(10))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.json().await.unwrap_or(Value::Null))
            }
            Err(err) => (0, json!({ "transport_error": err.to_string() })),
        }
    }

    /// Waits (up to 4 minutes: first start pulls nothing but seeds and starts eleven
    /// containers) until a query touching every subgraph answers without errors.
    pub async fn wait_until_whole(&self) {
        let shopper = token("compose-probe");
        let whole = eventually(Duration::from_secs(240), async || {
            let (status, body) = self
                .query_as(
                    Some(&shopper),
                    "{ products(first: 2) { edges { node { name price { amount } recommendations(first: 1) { id } } } } cart { id } }",
                    json!({}),
                )
                .await;
            status == 200 && body.get("errors").is_none() && body["data"]["products"].is_object()
        })
        .await;
        assert!(
            whole,
            "the Compose stack did not come up whole; `podman-compose -p {} logs` (log: {})",
            self.project,
            self.log.display()
        );
    }
}

impl Drop for ComposeStack {
    fn drop(&mut self) {
        let _ = self.command().args(["down", "-v", "-t", "5"]).output();
    }
}

/// podman-compose from the Python test tools `cargo xtask test` installs.
fn podman_compose() -> PathBuf {
    PathBuf::from(required_env("STOREFRONT_PYTHON_TOOLS")).join("podman-compose")
}
