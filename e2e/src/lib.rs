//! The end-to-end test harness: each test starts its own storefront (own ports, own
//! databases) on the MongoDB that `cargo xtask test` provides, through the same stack code
//! as `cargo xtask dev`, and talks to it over HTTP like a client would.

pub mod bad_input;
pub mod cart_writes;
pub mod compose;
pub mod drills;
pub mod live;
pub mod reference;

use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
};

use serde_json::{Value, json};
use xtask::{
    paths,
    process::{Output, free_port},
    roster::SUBGRAPHS,
    stack::{Stack, StackOptions, default_router_args, supergraph_yaml},
};

/// The machine, as tests share it: every stack-starting test holds it shared for its whole run;
/// the test that loads the machine most (the Compose stack: a dozen containers) and the tests
/// whose assertions carry a time bound or need the machine quiet (freshness within a second,
/// timeouts, in-flight requests at a kill, how DataLoader batches form, the browser's request
/// counts) hold it alone. A panic in one does not block the others.
static MACHINE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// A hold on [`MACHINE`], shared or alone, released when dropped.
pub enum MachineGuard {
    Shared(tokio::sync::RwLockReadGuard<'static, ()>),
    Alone(tokio::sync::RwLockWriteGuard<'static, ()>),
}

/// Waits until no test that needs the machine alone runs, and keeps it so while held.
pub async fn shared_machine() -> MachineGuard {
    MachineGuard::Shared(MACHINE.read().await)
}

/// Waits until no other stack-starting test runs, and keeps it so while held.
pub async fn exclusive_machine() -> MachineGuard {
    MachineGuard::Alone(MACHINE.write().await)
}

/// The Compose file as YAML, with its `<<:` merge keys applied (as Compose reads it).
pub fn compose_file() -> serde_yaml::Value {
    xtask::containers::compose::file().unwrap_or_else(|err| panic!("{err:#}"))
}

/// Demo products seeded per test stack: several pages, every category.
pub const SEEDED_PRODUCTS: usize = 360;

/// A running storefront for one test.
pub struct TestStack {
    pub stack: Stack,
    pub client: reqwest::Client,
    pub database_prefix: String,
    pub mongodb_uri: String,
    /// The test's hold on the machine, for as long as the stack runs.
    _machine: MachineGuard,
}

/// A value the harness needs from `cargo xtask test`'s environment.
pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests with `cargo xtask test`, which provides MongoDB and the binaries")
    })
}

/// Where a test run keeps its logs and files (`.dev/test-run` unless `cargo xtask test` says).
pub fn scratch_dir() -> PathBuf {
    std::env::var_os("STOREFRONT_SCRATCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| paths::dev_dir().join("test-run"))
}

impl TestStack {
    /// Seeds and starts every subgraph and the router, composing from the committed schemas.
    pub async fn start(name: &str) -> Self {
        Self::start_with(name, |_| {}).await
    }

    /// Like [`TestStack::start`], with a chance to adjust the options first.
    pub async fn start_with(name: &str, adjust: impl FnOnce(&mut StackOptions)) -> Self {
        Self::start_holding(shared_machine().await, name, adjust).await
    }

    /// Like [`TestStack::start_with`], with the machine to itself for as long as the stack
    /// runs: for tests whose assertions carry a time bound.
    pub async fn start_alone(name: &str, adjust: impl FnOnce(&mut StackOptions)) -> Self {
        Self::start_holding(exclusive_machine().await, name, adjust).await
    }

    pub async fn start_holding(
        machine: MachineGuard,
        name: &str,
        adjust: impl FnOnce(&mut StackOptions),
    ) -> Self {
        static STACKS: AtomicUsize = AtomicUsize::new(0);
        let serial = STACKS.fetch_add(1, Ordering::SeqCst);
        let database_prefix = format!("t{}_{serial}_", std::process::id());
        let mongodb_uri = required_env("MONGODB_URI");
        let scratch = scratch_dir().join(format!("{name}-{serial}"));
        std::fs::create_dir_all(&scratch).expect("scratch dir");

        let subgraph_ports: Vec<u16> = SUBGRAPHS
            .iter()
            .map(|_| free_port().expect("a free port"))
            .collect();
        let supergraph_config = scratch.join("supergraph.yaml");
        std::fs::write(&supergraph_config, supergraph_yaml(&subgraph_ports))
            .expect("write supergraph.yaml");

        let mut options = StackOptions {
            bin_dir: PathBuf::from(required_env("STOREFRONT_BIN_DIR")),
            mongodb_uri: mongodb_uri.clone(),
            database_prefix: database_prefix.clone(),
            seed_products: Some(SEEDED_PRODUCTS),
            subgraph_ports,
            router_port: free_port().expect("a free port"),
            supergraph_config,
            router_args: [
                default_router_args(),
                vec!["--poll-interval".into(), "500ms".into()],
            ]
            .concat(),
            router_env: Vec::new(),
            subgraph_env: Vec::new(),
            web: None,
            output: Output::File(scratch.join("services.log")),
            placement: None,
            subgraph_mongodb_uris: Default::default(),
        };
        adjust(&mut options);
        let mongodb_uri = options.mongodb_uri.clone();
        let stack = Stack::start(options).await.unwrap_or_else(|err| {
            panic!(
                "the stack did not start: {err:#} (logs in {})",
                scratch.display()
            )
        });
        Self {
            stack,
            client: reqwest::Client::new(),
            database_prefix,
            mongodb_uri,
            _machine: machine,
        }
    }

    /// POSTs an operation to the router and returns the whole response body.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        self.query_as(None, query, variables).await
    }

    /// POSTs an operation past the router's entity cache (`x-storefront-cache: bypass`, which
    /// router.yaml allows): what a test of the subgraphs themselves (their MongoDB commands,
    /// their request counters) sends, so that the router's memory does not answer for them.
    pub async fn query_past_cache(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables });
        self.post_json_past_cache(None, &body).await.1
    }

    /// POSTs a JSON body to the router past its entity cache (see
    /// [`TestStack::query_past_cache`]), as `token`'s bearer when given; the status and body.
    pub async fn post_json_past_cache(&self, token: Option<&str>, body: &Value) -> (u16, Value) {
        self.send_json(token, &self.stack.router_url(), body, true)
            .await
    }

    /// POSTs an operation to the router with `Authorization: Bearer <token>`.
    pub async fn query_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables });
        self.post_json_as(token, &self.stack.router_url(), &body)
            .await
            .1
    }

    /// POSTs a JSON body to `url`, returning the status and the parsed body.
    pub async fn post_json(&self, url: &str, body: &Value) -> (u16, Value) {
        self.post_json_as(None, url, body).await
    }

    /// POSTs a JSON body to `url` with an optional bearer token.
    pub async fn post_json_as(&self, token: Option<&str>, url: &str, body: &Value) -> (u16, Value) {
        self.send_json(token, url, body, false).await
    }

    /// POSTs a JSON body to `url`, past the router's entity cache when `past_cache` (see
    /// [`TestStack::query_past_cache`]); the status and the parsed body.
    async fn send_json(
        &self,
        token: Option<&str>,
        url: &str,
        body: &Value,
        past_cache: bool,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .post(url)
            .header(
                "accept",
                "application/graphql-response+json, application/json",
            )
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if past_cache {
            request = request.header(router::entity_cache::BYPASS_HEADER, "bypass");
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("not JSON (HTTP {status}): {text}"));
        (status, value)
    }

    /// Stops every process, then starts the system again on the same databases (not seeding
    /// them again): what a full restart of the deployment looks like.
    pub async fn restart(self) -> Self {
        let mut options = self.stack.options.clone();
        self.stack.stop().await;
        options.seed_products = None;
        options.router_port = free_port().expect("a free port");
        let stack = Stack::start(options).await.expect("the stack starts again");
        Self { stack, ..self }
    }

    /// Everything the stack's processes have logged so far.
    pub fn logs(&self) -> String {
        match &self.stack.options.output {
            Output::File(path) => std::fs::read_to_string(path).unwrap_or_default(),
            Output::Console => String::new(),
        }
    }

    /// Writes, straight to the pricing database, a promotion of `percent_off` on the
    /// `electronics` category (prod-000001's) whose window opens `starts_in` from now and lasts
    /// ten minutes; when it opens.
    pub async fn write_promotion(
        &self,
        id: &str,
        percent_off: i32,
        starts_in: std::time::Duration,
    ) -> mongodb::bson::DateTime {
        use mongodb::bson::{DateTime, doc};
        let starts = DateTime::from_millis(
            DateTime::now().timestamp_millis() + starts_in.as_millis() as i64,
        );
        self.database("pricing")
            .await
            .collection::<mongodb::bson::Document>("promotions")
            .insert_one(doc! {
                "_id": id,
                "title": "Electronics flash sale",
                "percent_off": percent_off,
                "category_slugs": ["electronics"],
                "starts_at": starts,
                "ends_at": DateTime::from_millis(starts.timestamp_millis() + 600_000),
            })
            .await
            .expect("a promotion written");
        starts
    }

    /// Sets `field` of document `id` in a subgraph's collection straight in MongoDB, as another
    /// process would (the subgraphs hear it only from their change streams); when it was
    /// acknowledged.
    pub async fn write_straight(
        &self,
        (subgraph, collection): (&str, &str),
        id: &str,
        field: &str,
        value: impl Into<mongodb::bson::Bson>,
    ) -> std::time::Instant {
        use mongodb::bson::{Document, doc};
        self.database(subgraph)
            .await
            .collection::<Document>(collection)
            .update_one(doc! { "_id": id }, doc! { "$set": { field: value.into() } })
            .await
            .expect("a direct write");
        std::time::Instant::now()
    }

    /// Writes product `id`'s list price (in cents) straight to the pricing database.
    pub async fn set_list_price(&self, id: &str, cents: i64) -> std::time::Instant {
        self.write_straight(("pricing", "prices"), id, "list_price_cents", cents)
            .await
    }

    /// The subgraph's own database, for asserting against what it stored.
    pub async fn database(&self, subgraph: &str) -> mongodb::Database {
        let client = mongodb::Client::with_uri_str(self.stack.options.mongodb_uri_of(subgraph))
            .await
            .expect("MongoDB client");
        client.database(&format!("{}{subgraph}", self.database_prefix))
    }

    /// The `/metrics` page of `process`: `"router"` or a subgraph's name.
    pub async fn metrics(&self, process: &str) -> String {
        self.stack
            .metrics_page(&self.client, process)
            .await
            .expect("a metrics page")
    }

    /// The sum of `metric`'s series on `process`'s `/metrics` (panics when it has none).
    pub async fn metric_total(&self, process: &str, metric: &str) -> f64 {
        self.stack
            .metric_total(&self.client, process, metric)
            .await
            .unwrap_or_else(|err| panic!("{process}'s {metric}: {err:#}"))
    }

    /// The sum of the router's `metric` series carrying every one of `labels`; a metric the page
    /// lacks fails the test.
    pub async fn router_series(&self, metric: &str, labels: &[(&str, &str)]) -> f64 {
        let page = self.metrics("router").await;
        let lines: Vec<&str> = page
            .lines()
            .filter(|line| {
                line.strip_prefix(metric)
                    .is_some_and(|rest| rest.starts_with(['{', ' ']))
            })
            .collect();
        assert!(
            !lines.is_empty(),
            "the router's /metrics has no {metric}; its entity cache series:\n{}",
            page.lines()
                .filter(|line| line.contains("entity_cache"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        lines
            .iter()
            .filter(|line| {
                labels
                    .iter()
                    .all(|(name, value)| line.contains(&format!("{name}=\"{value}\"")))
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    /// The GraphQL requests a subgraph has served so far (`graphql_requests_total`).
    pub async fn subgraph_requests(&self, subgraph: &str) -> u64 {
        self.metric_total(subgraph, "graphql_requests_total").await as u64
    }

    /// Every subgraph's `graphql_requests_total`, in roster order. Panics when a subgraph has
    /// no such series yet (it has served nothing): call [`TestStack::reach_every_subgraph`]
    /// first.
    pub async fn requests_by_subgraph(&self) -> Vec<u64> {
        let mut counts = Vec::new();
        for spec in SUBGRAPHS.iter() {
            counts.push(self.subgraph_requests(spec.name).await);
        }
        counts
    }

    /// Sends a registered operation that needs every subgraph (ProductPage, signed in), by
    /// id so that trusted mode runs it too, past the entity cache, and asserts it was answered
    /// whole.
    pub async fn reach_every_subgraph(&self) {
        let body = json!({
            "documentId": registered_document_id("ProductPage"),
            "variables": { "id": "prod-000001", "signedIn": true },
        });
        let (status, response) = self
            .send_json(
                Some(&token("control")),
                &self.stack.router_url(),
                &body,
                true,
            )
            .await;
        assert_eq!(status, 200, "{response}");
        data(&response);
    }

    /// Asserts that `refused` reaches no subgraph, first proving the counters can show it:
    /// a request that needs every subgraph (the control) must move every subgraph's request
    /// counter, and only then is `refused` trusted to leave them all where they were.
    pub async fn assert_reaches_no_subgraph(&self, what: &str, refused: impl AsyncFnOnce()) {
        self.reach_every_subgraph().await;
        let before_control = self.requests_by_subgraph().await;
        self.reach_every_subgraph().await;
        let before = self.requests_by_subgraph().await;
        for ((spec, was), is) in SUBGRAPHS.iter().zip(&before_control).zip(&before) {
            assert!(
                is > was,
                "control: a request needing {} did not move its request counter ({was} → {is})",
                spec.name
            );
        }
        refused().await;
        let after = self.requests_by_subgraph().await;
        for ((spec, was), is) in SUBGRAPHS.iter().zip(&before).zip(&after) {
            assert_eq!(was, is, "{what} reached {}", spec.name);
        }
    }

    /// Sum of `mongodb_commands_total` on a subgraph's `/metrics`.
    pub async fn mongodb_commands(&self, subgraph: &str) -> u64 {
        self.stack
            .mongodb_commands(&self.client, subgraph)
            .await
            .expect("the subgraph's metrics") as u64
    }
}

/// Polls `check` until it holds, for at most `limit`; whether it came to hold.
pub async fn eventually(limit: std::time::Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// The `data` of a response that must have no errors.
pub fn data(response: &Value) -> &Value {
    assert!(
        response.get("errors").is_none(),
        "unexpected errors: {response:#}"
    );
    &response["data"]
}

/// The `extensions.code` of every error in a response.
pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// How long the tests' dev tokens stay valid.
const TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(600);

/// A valid dev token for `user`.
pub fn token(user: &str) -> String {
    dev_token(user, TOKEN_TTL)
}

/// A dev token for `user`, valid for `ttl` (zero: one that expired an hour ago).
pub fn dev_token(user: &str, ttl: std::time::Duration) -> String {
    signed(user, dev_identity::SCOPES, ttl)
}

/// A valid dev token for `user` carrying exactly `scopes` (space-separated; may be empty).
pub fn token_with_scopes(user: &str, scopes: &str) -> String {
    signed(user, scopes, TOKEN_TTL)
}

fn signed(user: &str, scopes: &str, ttl: std::time::Duration) -> String {
    dev_identity::dev_token(&paths::dev_signing_key(), user, scopes, ttl).expect("a dev token")
}

/// Every registered query and mutation with variables, in an order where each has something to
/// act on when sent by one signed-in shopper whose cart already holds a line (the
/// subscriptions are opened apart).
pub fn contract_runs() -> Vec<(&'static str, Value)> {
    vec![
        ("AddToCart", json!({ "productId": "prod-000012" })),
        (
            "UpdateCartLine",
            json!({ "productId": "prod-000012", "quantity": 3 }),
        ),
        ("Home", json!({ "signedIn": true })),
        ("CategoryListing", json!({ "slug": "garden" })),
        (
            "ProductPage",
            json!({ "id": "prod-000003", "currency": "EUR" }),
        ),
        ("Search", json!({ "text": "tent" })),
        ("CartView", json!({ "currency": "GBP" })),
        ("RemoveFromCart", json!({ "productId": "prod-000012" })),
        ("ClearCart", json!({})),
    ]
}

/// The registered operation `name`'s id in the committed persisted-document manifest.
pub fn registered_document_id(name: &str) -> String {
    registered(name).id
}

/// The text a client sends for the registered operation `name` (shared fragments included).
pub fn contract_operation(name: &str) -> String {
    registered(name).body
}

fn registered(name: &str) -> paths::RegisteredOperation {
    paths::registered_operation(name).unwrap_or_else(|err| panic!("{err:#}"))
}

/// A TCP proxy listening on `listen` (any free port) in front of `upstream` that holds each
/// chunk a client sends for `delay` (milliseconds, changeable while it runs) before passing it
/// on: every request through it answers that much later, as from a slow service or a long
/// link. Answers pass unhindered. Returns the address it listens on.
pub async fn delaying_proxy(
    listen: std::net::IpAddr,
    upstream: std::net::SocketAddr,
    delay: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind((listen, 0))
        .await
        .expect("a port for the proxy");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let delay = delay.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut client_reads, mut client_writes) = client.into_split();
                let (mut server_reads, mut server_writes) = server.into_split();
                let requests = async move {
                    let mut chunk = vec![0u8; 64 * 1024];
                    while let Ok(read @ 1..) = client_reads.read(&mut chunk).await {
                        let held = delay.load(Ordering::Relaxed);
                        tokio::time::sleep(std::time::Duration::from_millis(held)).await;
                        if server_writes.write_all(&chunk[..read]).await.is_err() {
                            break;
                        }
                    }
                };
                let answers = tokio::io::copy(&mut server_reads, &mut client_writes);
                tokio::select! {
                    () = requests => {},
                    _ = answers => {},
                }
            });
        }
    });
    address
}
