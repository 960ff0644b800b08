//! The Compose stack (`docker/compose.yaml`) on the images `cargo xtask test` built, run with
//! Podman: the contract through the router container, MongoDB's least privilege per subgraph,
//! a subgraph redeployed while the rest keeps serving, a killed one restarted by its policy,
//! SIGTERM draining in-flight requests, the `monitoring` profile's Prometheus scraping every
//! service with the rules loaded, data kept across `down` and `up`, and an image built from
//! source as users build it. The stack comes up through `cargo xtask podman up`, the
//! command README gives Podman users (`e2e::compose`).

use std::{
    collections::BTreeSet,
    process::{Command, Output},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use e2e::{
    compose::ComposeStack, contract_operation, data, error_codes, eventually, exclusive_machine,
    required_env, scratch_dir, token,
};
use mongodb::bson::doc;
use serde_json::{Value, json};
use xtask::{containers, paths, process::free_port};

/// `podman <args>`; panics with its error output when it fails.
fn podman(args: &[&str]) -> Output {
    let output = Command::new("podman")
        .args(args)
        .output()
        .expect("podman runs");
    assert!(
        output.status.success(),
        "podman {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_compose_stack_serves_isolates_redeploys_and_keeps_data() {
    let _machine = exclusive_machine().await;
    let stack = ComposeStack::up().await;
    contract_operations_answer_through_the_router_container(&stack).await;
    the_web_container_serves_the_page_and_dev_sign_in(&stack).await;
    every_image_is_non_root_without_a_shell_and_healthy(&stack);
    each_subgraph_user_reaches_only_its_own_database(&stack).await;
    the_cart_is_redeployed_while_catalog_traffic_keeps_succeeding(&stack).await;
    a_killed_subgraph_costs_only_its_fields_and_is_restarted(&stack).await;
    sigterm_lets_in_flight_requests_finish(&stack).await;
    the_image_built_from_source_does_its_job(&stack).await;
    the_monitoring_profiles_prometheus_scrapes_every_service_with_the_rules(&stack).await;
    carts_survive_down_and_up(&stack).await;
}

async fn contract_operations_answer_through_the_router_container(stack: &ComposeStack) {
    let (_, home) = stack
        .query_as(None, &contract_operation("Home"), json!({}))
        .await;
    let categories = data(&home)["categories"].as_array().unwrap();
    assert!(categories.len() >= 10, "{home}");
    let (_, page) = stack
        .query_as(
            None,
            &contract_operation("ProductPage"),
            json!({ "id": "prod-000007" }),
        )
        .await;
    let product = &data(&page)["product"];
    assert_eq!(product["id"], "prod-000007");
    assert!(
        product["pricing"]["price"]["amount"]
            .as_str()
            .is_some_and(|a| a.parse::<f64>().unwrap() > 0.0)
    );
    assert!(
        !data(&page)["related"]["recommendations"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (_, listing) = stack
        .query_as(None, "{ products(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        data(&listing)["products"]["totalCount"],
        200,
        "seeded 200 products"
    );

    let shopper = token("compose-shopper");
    let (_, added) = stack
        .query_as(
            Some(&shopper),
            &contract_operation("AddToCart"),
            json!({ "productId": "prod-000007", "quantity": 3 }),
        )
        .await;
    let cart = &data(&added)["addToCart"];
    assert_eq!(cart["totalQuantity"], 3, "{added}");
    let unit: f64 = product["pricing"]["price"]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let subtotal: f64 = cart["subtotal"]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (subtotal - 3.0 * unit).abs() < 0.005,
        "{subtotal} = 3 × {unit}"
    );
}

/// The web container serves the page pointed at this stack's router, and its dev sign-in hands
/// out tokens the router container accepts for a cart.
async fn the_web_container_serves_the_page_and_dev_sign_in(stack: &ComposeStack) {
    let web = format!("http://127.0.0.1:{}", stack.web_port);
    let mut html = String::new();
    let served = eventually(Duration::from_secs(60), async || {
        match stack.client.get(format!("{web}/c/garden")).send().await {
            Ok(page) if page.status() == 200 => {
                html = page.text().await.unwrap_or_default();
                true
            }
            _ => false,
        }
    })
    .await;
    assert!(served, "the web container serves {web}");
    assert!(
        html.contains(&format!("content=\"{}\"", stack.router_url())),
        "the page calls this stack's router: {html}"
    );
    let signed = stack
        .client
        .post(format!("{web}/dev/token"))
        .json(&json!({ "user": "compose-web-shopper" }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    let token: Value = signed.json().await.unwrap();
    let (_, added) = stack
        .query_as(
            token["token"].as_str(),
            &contract_operation("AddToCart"),
            json!({ "productId": "prod-000003" }),
        )
        .await;
    assert_eq!(data(&added)["addToCart"]["totalQuantity"], 1, "{added}");
}

/// `image` runs as distroless's `nonroot` and has no shell to start.
fn assert_non_root_without_a_shell(image: &str) {
    let user = stdout(&podman(&[
        "image",
        "inspect",
        "--format",
        "{{.Config.User}}",
        image,
    ]));
    assert_eq!(user, "65532:65532", "{image} runs as distroless's nonroot");
    let shell = Command::new("podman")
        .args([
            "run",
            "--rm",
            "--entrypoint",
            "/bin/sh",
            image,
            "-c",
            "true",
        ])
        .output()
        .unwrap();
    assert!(!shell.status.success(), "{image} has no shell");
}

fn every_image_is_non_root_without_a_shell_and_healthy(stack: &ComposeStack) {
    for service in containers::services() {
        assert_non_root_without_a_shell(&containers::image(service));
    }
    for service in [
        "router",
        "catalog",
        "cart",
        "pricing",
        "recommendation",
        "web",
    ] {
        let check = Command::new("podman")
            .args(["healthcheck", "run", &stack.container(service)])
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{service}'s HEALTHCHECK passes: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    // No dev key material is baked into an image: its private key's body is nowhere in them.
    let key = std::fs::read_to_string(paths::dev_signing_key()).unwrap_or_else(|err| {
        panic!(
            "the dev signing key {} is what this scan looks for: {err}",
            paths::dev_signing_key().display()
        )
    });
    assert!(key.contains("PRIVATE KEY"), "not a private key: {key}");
    let body: String = key.lines().nth(1).unwrap_or_default().to_owned();
    assert!(
        body.len() >= 60,
        "a line of the key's body to look for: {body:?}"
    );
    for service in containers::services() {
        let saved = scratch_dir().join(format!("{service}-image.tar"));
        podman(&[
            "save",
            "-o",
            saved.to_str().unwrap(),
            &containers::image(service),
        ]);
        let bytes = std::fs::read(&saved).unwrap();
        std::fs::remove_file(&saved).unwrap();
        assert!(
            !bytes
                .windows(body.len())
                .any(|window| window == body.as_bytes()),
            "{service}'s image holds the dev private key"
        );
    }
}

/// Every subgraph's MongoDB user (made by `storefront-ops`) against every subgraph's database:
/// its own answers, each other one refuses with Unauthorized.
async fn each_subgraph_user_reaches_only_its_own_database(stack: &ComposeStack) {
    let names: Vec<&str> = xtask::roster::SUBGRAPHS.iter().map(|s| s.name).collect();
    for user in &names {
        let client = stack.mongodb_as(user).await;
        for database in &names {
            let read = client
                .database(database)
                .collection::<mongodb::bson::Document>("any")
                .find_one(doc! {})
                .await;
            if user == database {
                assert!(read.is_ok(), "{user} reads its own database: {read:?}");
            } else {
                let refused = read.expect_err(&format!("{user}'s user must not read {database}"));
                assert_eq!(
                    storefront_ops::error_code(&refused),
                    Some(13),
                    "{user} reading {database}: Unauthorized, got {refused}"
                );
            }
        }
    }
    // Its own data, not just its own name: pricing reads the prices it seeded.
    let own = stack
        .mongodb_as("pricing")
        .await
        .database("pricing")
        .collection::<mongodb::bson::Document>("prices")
        .find_one(doc! {})
        .await;
    assert!(
        matches!(own, Ok(Some(_))),
        "pricing reads its own prices: {own:?}"
    );
}

async fn the_cart_is_redeployed_while_catalog_traffic_keeps_succeeding(stack: &ComposeStack) {
    let stop = Arc::new(AtomicBool::new(false));
    let (served, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let traffic = {
        let (stop, served, failed) = (stop.clone(), served.clone(), failed.clone());
        let (client, url) = (stack.client.clone(), stack.router_url());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let answer = client
                    .post(&url)
                    .json(&json!({ "query": "{ products(first: 3) { edges { node { name price { amount } } } } }" }))
                    .send()
                    .await;
                let whole = match answer {
                    Ok(response) if response.status().is_success() => response
                        .json::<Value>()
                        .await
                        .is_ok_and(|body| body.get("errors").is_none()),
                    _ => false,
                };
                let counter = if whole { &served } else { &failed };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let shopper = token("compose-redeploy");
    let cart_query = "{ cart { id totalQuantity } }";

    let before = stdout(&podman(&[
        "inspect",
        "--format",
        "{{.Image}}",
        &stack.container("cart"),
    ]));
    podman(&["stop", "-t", "10", &stack.container("cart")]);
    let (status, gone) = stack.query_as(Some(&shopper), cart_query, json!({})).await;
    assert_eq!(
        status, 200,
        "a subgraph outage is not a router error: {gone}"
    );
    assert!(
        !error_codes(&gone).is_empty(),
        "the cart is unavailable: {gone}"
    );

    // A new version of the cart: the same binary under a new image id, tagged as the release.
    let build_dir = scratch_dir().join("cart-v2");
    std::fs::create_dir_all(&build_dir).unwrap();
    std::fs::write(
        build_dir.join("Containerfile"),
        format!(
            "FROM {}\nLABEL storefront.release=v2\n",
            containers::image("cart")
        ),
    )
    .unwrap();
    let image = containers::image("cart");
    podman(&[
        "build",
        "--quiet",
        "--format",
        "docker",
        "-t",
        &image,
        build_dir.to_str().unwrap(),
    ]);
    podman(&["rm", &stack.container("cart")]);
    stack.compose(&["up", "-d", "--no-deps", "--no-build", "cart"]);
    let after = stdout(&podman(&[
        "inspect",
        "--format",
        "{{.Image}}",
        &stack.container("cart"),
    ]));
    assert_ne!(before, after, "the cart runs the new image");
    let back = eventually(Duration::from_secs(60), async || {
        // This shopper has no cart yet: `null`, without errors, is the cart subgraph's answer.
        let (_, body) = stack.query_as(Some(&shopper), cart_query, json!({})).await;
        body.get("errors").is_none() && body["data"].get("cart").is_some()
    })
    .await;
    assert!(back, "the new cart serves");

    stop.store(true, Ordering::Relaxed);
    traffic.await.unwrap();
    let (served, failed) = (
        served.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    );
    println!("catalog traffic during the cart's redeploy: {served} whole, {failed} failed");
    assert!(served > 20, "traffic kept flowing ({served})");
    assert_eq!(failed, 0, "no request that does not need the cart failed");
}

async fn a_killed_subgraph_costs_only_its_fields_and_is_restarted(stack: &ComposeStack) {
    let container = stack.container("pricing");
    // `compareAtPrice` is nullable, so pricing's failure nulls it alone (the non-null `price`
    // would null the whole product).
    let query =
        "{ product(id: \"prod-000003\") { name compareAtPrice { amount } price { amount } } }";
    let partial_query = "{ product(id: \"prod-000003\") { name compareAtPrice { amount } } }";
    // Requests in flight all along, so some are on their way to pricing when it dies.
    let stop = Arc::new(AtomicBool::new(false));
    // Answers that were a 5xx, or no answer at all (the router must stay up and answer).
    let (partial, failures, answered) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let loops: Vec<_> = (0..8)
        .map(|_| {
            let (stop, partial, failures, answered) = (
                stop.clone(),
                partial.clone(),
                failures.clone(),
                answered.clone(),
            );
            let (client, url) = (stack.client.clone(), stack.router_url());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let response = client
                        .post(&url)
                        .timeout(Duration::from_secs(10))
                        .json(&json!({ "query": partial_query }))
                        .send()
                        .await;
                    let response = match response {
                        Ok(response) if !response.status().is_server_error() => response,
                        _ => {
                            failures.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    };
                    answered.fetch_add(1, Ordering::Relaxed);
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    if body["data"]["product"]["name"].is_string()
                        && body["errors"][0]["path"].is_array()
                    {
                        partial.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    // Kill once the loops are answered, so requests are surely on their way to pricing.
    let flowing = eventually(Duration::from_secs(10), async || {
        answered.load(Ordering::Relaxed) >= 16
    })
    .await;
    assert!(flowing, "the request loops are answered before the kill");
    let pid = stdout(&podman(&[
        "inspect",
        "--format",
        "{{.State.Pid}}",
        &container,
    ]));
    // A crash, not a stop: the process dies under the container runtime's feet.
    let killed = Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    assert!(killed.success());
    let seen = eventually(Duration::from_secs(10), async || {
        partial.load(Ordering::Relaxed) > 0
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for task in loops {
        task.await.unwrap();
    }
    println!(
        "pricing killed: {} partial answers (name, and a pathed error for the price)",
        partial.load(Ordering::Relaxed)
    );
    assert!(
        seen,
        "with pricing dead, the product's name still comes, with a pathed error"
    );
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "the router always answers, never with a 5xx"
    );
    let restarted = eventually(Duration::from_secs(90), async || {
        let (_, body) = stack.query_as(None, query, json!({})).await;
        body.get("errors").is_none() && body["data"]["product"]["price"]["amount"].is_string()
    })
    .await;
    assert!(restarted, "pricing answers again");
    let restarts = stdout(&podman(&[
        "inspect",
        "--format",
        "{{.RestartCount}}",
        &container,
    ]));
    assert!(
        restarts.parse::<u32>().unwrap() >= 1,
        "the restart policy, not the test, brought pricing back (restarts: {restarts})"
    );
}

async fn sigterm_lets_in_flight_requests_finish(stack: &ComposeStack) {
    // A catalog replica whose every request waits 2 s for its batch: requests are surely in
    // flight when SIGTERM arrives.
    let port = free_port().unwrap();
    let name = format!("{}_catalog_drain", stack.project);
    let network = format!("{}_default", stack.project);
    podman(&[
        "run",
        "-d",
        "--name",
        &name,
        "--network",
        &network,
        "-p",
        &format!("127.0.0.1:{port}:4001"),
        "-e",
        "LISTEN_ADDR=0.0.0.0:4001",
        "-e",
        "BATCH_WINDOW=2s",
        "-e",
        "SHUTDOWN_GRACE=20s",
        "-e",
        "MONGODB_URI=mongodb://catalog:catalog-dev-password@mongo:27017/?replicaSet=rs0&authSource=catalog",
        "-e",
        "DATABASE_NAME=catalog",
        &containers::image("catalog"),
    ]);
    let url = format!("http://127.0.0.1:{port}/graphql");
    let client = reqwest::Client::new();
    let ready = eventually(Duration::from_secs(30), async || {
        client
            .get(format!("http://127.0.0.1:{port}/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(ready, "the extra catalog replica is ready");
    let requests: Vec<_> = (0..12)
        .map(|i| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let response = client
                    .post(&url)
                    .json(&json!({ "query": format!("{{ product(id: \"prod-{:06}\") {{ name }} }}", i + 1) }))
                    .send()
                    .await?;
                let status = response.status();
                let body: Value = response.json().await?;
                anyhow::Ok((status, body))
            })
        })
        .collect();
    // SIGTERM once every request is inside the replica, waiting out its batch window.
    let all_in = eventually(Duration::from_secs(10), async || {
        in_flight(&client, port).await == Some(12.0)
    })
    .await;
    assert!(all_in, "the 12 requests are in flight at the replica");
    podman(&["kill", "--signal", "TERM", &name]);
    for request in requests {
        let (status, body) = request
            .await
            .unwrap()
            .expect("an in-flight request is answered, not reset");
        assert!(status.is_success(), "{status}: {body}");
        assert!(data(&body)["product"]["name"].is_string(), "{body}");
    }
    let exit = stdout(&podman(&["wait", &name]));
    assert_eq!(exit, "0", "the replica exits 0 after draining");
    podman(&["rm", &name]);
}

/// The `storefront-ops` image `cargo xtask test` built from source (docker/Dockerfile's own
/// build stage, as `docker compose up --build` builds it) does its job like the prebuilt one:
/// run beside the stack's MongoDB as Compose runs `mongo-init`, it adds a user that can read
/// and write its own database and nothing else.
async fn the_image_built_from_source_does_its_job(stack: &ComposeStack) {
    let image = required_env("STOREFRONT_SOURCE_IMAGE");
    assert_non_root_without_a_shell(&image);
    let init = Command::new("podman")
        .args(["run", "--rm", "--network"])
        .arg(format!("container:{}", stack.container("mongo")))
        .args(["-e", "MONGODB_REPLICA_SET=rs0"])
        .args(["-e", "MONGODB_MEMBERS=mongo:27017"])
        .args(["-e", "MONGODB_ADMIN_USER=admin"])
        .args(["-e", "MONGODB_ADMIN_PASSWORD=admin-dev-password"])
        .args([
            "-e",
            "MONGODB_DATABASES=sourcebuilt=sourcebuilt-dev-password",
        ])
        .args([image.as_str(), "mongo-init"])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "the source-built mongo-init ran: {}{}",
        String::from_utf8_lossy(&init.stdout),
        String::from_utf8_lossy(&init.stderr)
    );
    let client = stack.mongodb_as("sourcebuilt").await;
    let own = client
        .database("sourcebuilt")
        .collection::<mongodb::bson::Document>("notes");
    own.insert_one(doc! { "built": "from source" })
        .await
        .expect("the new user writes its own database");
    assert!(matches!(own.find_one(doc! {}).await, Ok(Some(_))));
    let foreign = client
        .database("cart")
        .collection::<mongodb::bson::Document>("carts")
        .find_one(doc! {})
        .await
        .expect_err("the new user must not read the cart database");
    assert_eq!(storefront_ops::error_code(&foreign), Some(13), "{foreign}");
}

/// A subgraph's `graphql_requests_in_flight`, from its `/metrics` on `port`.
async fn in_flight(client: &reqwest::Client, port: u16) -> Option<f64> {
    let page = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    page.lines()
        .find_map(|line| line.strip_prefix("graphql_requests_in_flight "))
        .and_then(|value| value.trim().parse().ok())
}

async fn carts_survive_down_and_up(stack: &ComposeStack) {
    let shopper = token("compose-durable");
    let (_, added) = stack
        .query_as(
            Some(&shopper),
            &contract_operation("AddToCart"),
            json!({ "productId": "prod-000011", "quantity": 2 }),
        )
        .await;
    assert_eq!(data(&added)["addToCart"]["totalQuantity"], 2);
    stack.compose(&["down", "-t", "10"]);
    stack.start();
    stack.wait_until_whole().await;
    let (_, cart) = stack
        .query_as(
            Some(&shopper),
            "{ cart { totalQuantity lines { product { id } } } }",
            json!({}),
        )
        .await;
    let cart = &data(&cart)["cart"];
    assert_eq!(
        cart["totalQuantity"], 2,
        "the cart written before `down` is there after `up`"
    );
    assert_eq!(cart["lines"][0]["product"]["id"], "prod-000011");
}

/// The `monitoring` profile's Prometheus (the stand-in for the official image, run with the
/// profile's configuration and the repository's rules mounted as Compose mounts them) scrapes
/// every service under the job name the alerts select, and loads and evaluates every rule
/// group. Grafana's image does not install here; its provisioning is checked against this file
/// in `monitoring.rs`.
async fn the_monitoring_profiles_prometheus_scrapes_every_service_with_the_rules(
    stack: &ComposeStack,
) {
    stack.compose(&["up", "-d", "--no-deps", "prometheus"]);
    let api = format!("http://127.0.0.1:{}/api/v1", stack.prometheus_port);
    let get = async |path: &str| -> Option<Value> {
        let response = stack
            .client
            .get(format!("{api}/{path}"))
            .send()
            .await
            .ok()?;
        response.json::<Value>().await.ok()
    };
    let jobs: BTreeSet<String> = std::iter::once("router")
        .chain(xtask::roster::SUBGRAPHS.iter().map(|spec| spec.name))
        .map(str::to_owned)
        .collect();
    let mut targets = Value::Null;
    let all_up = eventually(Duration::from_secs(90), async || {
        targets = get("targets?state=active").await.unwrap_or_default();
        let up: BTreeSet<String> = targets["data"]["activeTargets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|target| target["health"] == "up")
            .filter_map(|target| target["labels"]["job"].as_str().map(str::to_owned))
            .collect();
        up == jobs
    })
    .await;
    assert!(all_up, "every service scraped as {jobs:?}: {targets}");

    let groups: BTreeSet<String> = paths::prometheus_rule_groups()
        .unwrap()
        .iter()
        .filter_map(|group| group["name"].as_str().map(str::to_owned))
        .collect();
    let mut rules = Value::Null;
    let evaluated = eventually(Duration::from_secs(60), async || {
        rules = get("rules").await.unwrap_or_default();
        let loaded = rules["data"]["groups"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let names: BTreeSet<String> = loaded
            .iter()
            .filter_map(|group| group["name"].as_str().map(str::to_owned))
            .collect();
        let all_ok = loaded
            .iter()
            .flat_map(|group| group["rules"].as_array().cloned().unwrap_or_default())
            .all(|rule| rule["health"] == "ok");
        names == groups && all_ok
    })
    .await;
    assert!(
        evaluated,
        "Prometheus loads and evaluates every rule group {groups:?}: {rules}"
    );
}
