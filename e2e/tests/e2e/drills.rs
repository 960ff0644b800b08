//! Multi-host drills: the storefront spread over network namespaces (a host per service, a
//! replica set per subgraph on hosts of its own; see `e2e::drills`), and the network between
//! them broken while clients keep asking. Each test states its guarantee, asserts it, and
//! records its figures (`cargo xtask drill` writes them to `bench/drills.md`).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use e2e::{
    TestStack,
    cart_writes::{
        REQUEST_TIMEOUT, WriteLoad, assert_acknowledged_writes_kept, assert_failed_fast,
        first_acknowledged_after,
    },
    data,
    drills::{DrillSystem, record, shown},
    error_codes, eventually,
    live::{Subscription, Transport},
};
use mongodb::{
    Client,
    bson::{Document, doc},
    options::{ClientOptions, ReadPreference, SelectionCriteria},
};
use serde_json::{Value, json};

/// The router's timeout per subgraph request (router.yaml's default).
const SUBGRAPH_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the router's entity cache trusts a silent invalidation channel (docs/entity-cache.md).
const CHANNEL_SILENCE_LIMIT: Duration = Duration::from_secs(3);
/// Slack for the hops around a bound (a request's own round trips, a poll's interval).
const SLACK: Duration = Duration::from_millis(1500);

const NEEDS_PRICING: &str =
    r#"{ product(id: "prod-000001") { id name pricing { price { amount } } } }"#;
const CATALOG_ONLY: &str = r#"{ product(id: "prod-000002") { id name } }"#;

/// One request of a mixed load, as its client saw it.
struct Sample {
    sent: Instant,
    took: Duration,
    /// Whether it needs the subgraph the drill cuts off.
    needs_it: bool,
    response: Value,
}

impl Sample {
    fn whole(&self) -> bool {
        self.response.get("errors").is_none() && self.response["data"].is_object()
    }

    fn price(&self) -> Value {
        self.response["data"]["product"]["pricing"]["price"]["amount"].clone()
    }
}

/// Clients asking, one request after another, alternately a query that needs the cut-off
/// subgraph and one that does not, until stopped.
struct MixedLoad {
    running: Arc<AtomicBool>,
    clients: Vec<tokio::task::JoinHandle<Vec<Sample>>>,
}

impl MixedLoad {
    /// `past_cache`: every request past the router's entity cache, so that each reaches the
    /// subgraphs (a drill of the path to a subgraph, not of the cache).
    fn start(
        stack: &TestStack,
        needs_it: &'static str,
        not: &'static str,
        past_cache: bool,
    ) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let clients = (0..2)
            .map(|n| {
                let (running, client, url) =
                    (running.clone(), client.clone(), stack.stack.router_url());
                tokio::spawn(async move {
                    let mut samples = Vec::new();
                    let mut turn = n;
                    while running.load(Ordering::SeqCst) {
                        turn += 1;
                        let needs_it_now = turn % 2 == 0;
                        let query = if needs_it_now { needs_it } else { not };
                        let sent = Instant::now();
                        let mut request = client.post(&url).json(&json!({ "query": query }));
                        if past_cache {
                            request = request.header(router::entity_cache::BYPASS_HEADER, "bypass");
                        }
                        let answer = request.send().await;
                        let response = match answer {
                            Ok(answer) => answer.json().await.unwrap_or(Value::Null),
                            Err(err) => json!({ "errors": [{ "message": err.to_string() }] }),
                        };
                        samples.push(Sample {
                            sent,
                            took: sent.elapsed(),
                            needs_it: needs_it_now,
                            response,
                        });
                        tokio::time::sleep(Duration::from_millis(25)).await;
                    }
                    samples
                })
            })
            .collect();
        Self { running, clients }
    }

    async fn stop(self) -> Vec<Sample> {
        self.running.store(false, Ordering::SeqCst);
        let mut samples = Vec::new();
        for client in self.clients {
            samples.extend(client.await.expect("a client's task"));
        }
        samples.sort_by_key(|sample| sample.sent);
        samples
    }
}

/// The 99th percentile of `took` over `samples` (zero when there are none).
fn p99<'a>(samples: impl Iterator<Item = &'a Sample>) -> Duration {
    let mut took: Vec<Duration> = samples.map(|sample| sample.took).collect();
    took.sort();
    took.get((took.len() * 99).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

/// The router's pid, to show it was never restarted.
fn router_pid(stack: &TestStack) -> u32 {
    stack
        .stack
        .processes()
        .into_iter()
        .find_map(|(name, pid)| (name == "router").then_some(pid))
        .expect("the router runs")
}

/// Three drills on one system, whose hosts start once: latency and loss on the path to
/// recommendation, pricing partitioned from the router, pricing partitioned from its database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_slowed_partitioned_and_cut_off_from_their_database() {
    let delay = Arc::new(AtomicU64::new(0));
    let system =
        DrillSystem::start_with_delay("drill-services", "recommendation", delay.clone()).await;
    latency_and_loss_to_one_subgraph_slow_only_what_needs_it_within_its_timeout(&system, &delay)
        .await;
    subgraph_partitioned_from_the_router_degrades_only_its_fields_and_recovers(&system).await;
    database_partitioned_from_its_subgraph_turns_it_unready_and_its_streams_resume(&system).await;
    system.stop().await;
}

async fn subgraph_partitioned_from_the_router_degrades_only_its_fields_and_recovers(
    system: &DrillSystem,
) {
    let stack = &system.stack;
    assert!(
        eventually(Duration::from_secs(15), async || {
            stack.router_series("entity_cache_following", &[]).await == 3.0
        })
        .await,
        "the router follows every cached subgraph's invalidation channel"
    );
    let old_price =
        data(&stack.query(NEEDS_PRICING, json!({})).await)["product"]["pricing"]["price"]["amount"]
            .clone();
    let router = router_pid(stack);
    let load = MixedLoad::start(stack, NEEDS_PRICING, CATALOG_ONLY, false);
    tokio::time::sleep(Duration::from_secs(1)).await;

    let (router_host, pricing) = (system.host("router"), system.host("pricing"));
    system
        .network
        .set_partitioned(router_host, pricing.address, true)
        .await
        .unwrap();
    let cut = Instant::now();
    // Pricing itself is fine and reaches its database: a price written now is one the router
    // cannot hear about.
    stack.set_list_price("prod-000001", 7_777).await;
    assert!(
        eventually(CHANNEL_SILENCE_LIMIT + SLACK, async || {
            stack
                .router_series("entity_cache_following", &[("subgraph", "pricing")])
                .await
                == 0.0
        })
        .await,
        "the router stops trusting pricing's silent channel"
    );
    let dark_after = cut.elapsed();
    tokio::time::sleep(SUBGRAPH_TIMEOUT + Duration::from_secs(1)).await;

    // A request sent while the rule is being removed may pass either way: "during" ends here.
    let healing = Instant::now();
    system
        .network
        .set_partitioned(router_host, pricing.address, false)
        .await
        .unwrap();
    let healed = Instant::now();
    assert!(
        eventually(Duration::from_secs(20), async || {
            stack
                .query(NEEDS_PRICING, json!({}))
                .await
                .get("errors")
                .is_none()
        })
        .await,
        "answers are whole again once the partition heals"
    );
    let recovered_after = healed.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let samples = load.stop().await;

    let before: Vec<&Sample> = samples.iter().filter(|s| s.sent < cut).collect();
    assert!(
        before.iter().any(|s| s.needs_it) && before.iter().all(|s| s.whole()),
        "control: before the partition every answer is whole"
    );
    let not_needing: Vec<&Sample> = samples.iter().filter(|s| !s.needs_it).collect();
    for sample in &not_needing {
        assert!(
            sample.whole(),
            "an answer that does not need pricing was not whole: {}",
            sample.response
        );
    }
    let during: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.needs_it && s.sent >= cut && s.sent < healing)
        .collect();
    let trusted_until = cut + CHANNEL_SILENCE_LIMIT + SLACK;
    let mut partial = 0;
    let mut longest_partial = Duration::ZERO;
    for sample in &during {
        if sample.whole() {
            // Either the cache's answer, within the channel's silence limit, or pricing's own,
            // which could only come once the partition healed (the request was still waiting).
            let from_cache = sample.price() == old_price && sample.sent < trusted_until;
            let answered_after_heal = sample.sent + sample.took >= healing;
            assert!(
                from_cache || (sample.price() != old_price && answered_after_heal),
                "a whole answer while pricing was cut off, sent {:?} after the cut: {}",
                sample.sent - cut,
                sample.response
            );
        } else {
            assert!(
                !error_codes(&sample.response).is_empty(),
                "{}",
                sample.response
            );
            assert!(
                sample.took <= SUBGRAPH_TIMEOUT + SLACK,
                "a partial answer took {:?}",
                sample.took
            );
            partial += 1;
            longest_partial = longest_partial.max(sample.took);
        }
    }
    assert!(partial > 0, "the partition bit: some answers were partial");
    let after_recovery = healed + recovered_after;
    for sample in samples
        .iter()
        .filter(|s| s.needs_it && s.sent >= after_recovery)
    {
        assert!(sample.whole(), "{}", sample.response);
        assert_ne!(
            sample.price(),
            old_price,
            "a price from before the write came back after the partition healed"
        );
    }
    assert_eq!(router_pid(stack), router, "the router was never restarted");
    let partitioned = |s: &&Sample| s.sent >= cut && s.sent < healing;
    record(
        "subgraph-partitioned",
        "Pricing's host partitioned from the router under mixed load: answers that do not need \
         pricing stay whole; those that do are partial within the subgraph timeout (or, for at \
         most the channel's silence limit, served from the cache as they were); whole again \
         after the partition heals, with no stale price and no router restart.",
        &[
            (
                "answers not needing pricing, all whole",
                not_needing.len().to_string(),
            ),
            (
                "p99 of those before / during the partition",
                format!(
                    "{} / {}",
                    shown(p99(before.iter().copied().filter(|s| !s.needs_it))),
                    shown(p99(not_needing.iter().copied().filter(partitioned)))
                ),
            ),
            ("partial answers (needing pricing)", partial.to_string()),
            ("the longest partial answer", shown(longest_partial)),
            (
                "router stops trusting pricing's channel after",
                shown(dark_after),
            ),
            ("whole again after the heal", shown(recovered_after)),
        ],
    );
}

async fn database_partitioned_from_its_subgraph_turns_it_unready_and_its_streams_resume(
    system: &DrillSystem,
) {
    let stack = &system.stack;
    let (pricing, pricing_db) = (system.host("pricing"), system.host("pricing-db"));
    let ready = |subgraph: &'static str| {
        let url = format!("{}/ready", stack.stack.subgraph_url(subgraph));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        async move {
            match client.get(url).send().await {
                Ok(answer) => answer.status().as_u16(),
                Err(err) => panic!("/ready of {subgraph} did not answer: {err}"),
            }
        }
    };
    let mut prices = Subscription::open(
        Transport::Sse,
        &stack.stack.router_url(),
        None,
        "subscription { productPriceChanged(productIds: [\"prod-000003\"]) { id pricing { price { amount } } } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The control: a price written now reaches the subscriber.
    stack.set_list_price("prod-000003", 1_111).await;
    let control = prices
        .next_response(Duration::from_secs(5), "the control event")
        .await;
    assert_eq!(
        data(&control)["productPriceChanged"]["id"],
        "prod-000003",
        "{control}"
    );
    assert_eq!(ready("pricing").await, 200);

    system
        .network
        .set_partitioned(pricing, pricing_db.address, true)
        .await
        .unwrap();
    let cut = Instant::now();
    stack.set_list_price("prod-000003", 2_222).await;
    let mut unready_after = None;
    let mut slowest_ready = Duration::ZERO;
    assert!(
        eventually(Duration::from_secs(15), async || {
            let asked = Instant::now();
            let status = ready("pricing").await;
            slowest_ready = slowest_ready.max(asked.elapsed());
            if status == 503 && unready_after.is_none() {
                unready_after = Some(cut.elapsed());
            }
            status == 503
        })
        .await,
        "pricing's /ready turns 503 while it cannot reach its MongoDB"
    );
    for other in ["catalog", "cart", "recommendation"] {
        assert_eq!(ready(other).await, 200, "{other} stays ready");
    }
    let catalog_only = stack.query(CATALOG_ONLY, json!({})).await;
    assert!(
        catalog_only.get("errors").is_none(),
        "fields of other services stay whole: {catalog_only}"
    );
    let asked = Instant::now();
    let needs_pricing = stack.query_past_cache(NEEDS_PRICING, json!({})).await;
    let pricing_answer_took = asked.elapsed();
    assert_eq!(
        error_codes(&needs_pricing),
        ["SERVICE_UNAVAILABLE"],
        "pricing's fields fail fast with SERVICE_UNAVAILABLE: {needs_pricing}"
    );
    assert!(
        needs_pricing["data"]["product"]["name"].is_string(),
        "the catalog's fields of the same product are there: {needs_pricing}"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;

    system
        .network
        .set_partitioned(pricing, pricing_db.address, false)
        .await
        .unwrap();
    let healed = Instant::now();
    assert!(
        eventually(Duration::from_secs(20), async || ready("pricing").await
            == 200)
        .await,
        "pricing's /ready is 200 again"
    );
    let ready_after = healed.elapsed();
    let event = prices
        .next_response(
            Duration::from_secs(20),
            "the price written during the partition",
        )
        .await;
    let heard_after = healed.elapsed();
    let amount = |cents: i64| json!(format!("{}.{:02}", cents / 100, cents % 100));
    assert_eq!(
        data(&event)["productPriceChanged"]["pricing"]["price"]["amount"],
        amount(2_222),
        "the subscriber hears the write made during the partition: {event}"
    );
    let through_cache = stack
        .query(
            r#"{ product(id: "prod-000003") { pricing { price { amount } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data(&through_cache)["product"]["pricing"]["price"]["amount"],
        amount(2_222),
        "the router's cache holds nothing from before: {through_cache}"
    );
    record(
        "database-partitioned",
        "Pricing's host partitioned from its own replica set: its /ready turns 503 (the other \
         services stay ready and whole), its fields fail fast with SERVICE_UNAVAILABLE; when the \
         partition heals /ready is 200 again and its change stream resumes, so the write made \
         during the partition reaches subscribers and the router's cache.",
        &[
            (
                "/ready 503 after",
                shown(unready_after.expect("seen unready")),
            ),
            ("the slowest /ready answer", shown(slowest_ready)),
            ("a pricing field failed within", shown(pricing_answer_took)),
            ("/ready 200 after the heal", shown(ready_after)),
            (
                "the write made meanwhile heard after the heal",
                shown(heard_after),
            ),
        ],
    );
}

/// A direct client of one replica-set member, reading what that member holds.
async fn member_client(host: &str) -> Client {
    let mut options = ClientOptions::parse(format!("mongodb://{host}/?directConnection=true"))
        .await
        .unwrap();
    options.server_selection_timeout = Some(Duration::from_secs(1));
    options.selection_criteria = Some(SelectionCriteria::ReadPreference(
        ReadPreference::SecondaryPreferred {
            options: Default::default(),
        },
    ));
    Client::with_options(options).unwrap()
}

/// The member's answer to `hello`, if it answers.
async fn hello(host: &str) -> Option<Document> {
    member_client(host)
        .await
        .database("admin")
        .run_command(doc! { "hello": 1 })
        .await
        .ok()
}

/// Whether the member answers `hello` as writable primary (`Some(true)`), as secondary
/// (`Some(false)`), or not at all.
async fn is_primary(host: &str) -> Option<bool> {
    let hello = hello(host).await?;
    if hello.get_bool("isWritablePrimary").unwrap_or(false) {
        Some(true)
    } else {
        hello
            .get_bool("secondary")
            .ok()
            .filter(|s| *s)
            .map(|_| false)
    }
}

/// Whether a member that was primary under `old_election` has rejoined the set: it is a
/// secondary now, or primary again after a new election (its higher priority takes over once it
/// has caught up), not still the primary it was before it was cut off.
async fn has_rejoined(host: &str, old_election: &mongodb::bson::oid::ObjectId) -> bool {
    let Some(hello) = hello(host).await else {
        return false;
    };
    let secondary = hello.get_bool("secondary").unwrap_or(false);
    let newly_elected = hello.get_bool("isWritablePrimary").unwrap_or(false)
        && hello.get_object_id("electionId").ok() != Some(*old_election);
    secondary || newly_elected
}

/// Every cart document one member holds, in `_id` order; `None` while it cannot be read (a
/// member still recovering).
async fn carts_on(host: &str, database: &str) -> Option<Vec<Document>> {
    let mut cursor = member_client(host)
        .await
        .database(database)
        .collection::<Document>("carts")
        .find(doc! {})
        .sort(doc! { "_id": 1 })
        .await
        .ok()?;
    let mut carts = Vec::new();
    while cursor.advance().await.ok()? {
        carts.push(cursor.deserialize_current().ok()?);
    }
    Some(carts)
}

/// How long a write may have been on its way to the primary when it was cut off.
const IN_FLIGHT: Duration = Duration::from_secs(1);

/// Every document a member's rollbacks undid: the BSON files under its `rollback/` folder.
fn rolled_back_documents(data_dir: &std::path::Path) -> Vec<Document> {
    let mut documents = Vec::new();
    let mut folders = vec![data_dir.join("rollback")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let mut reader = std::io::Cursor::new(bytes);
            while (reader.position() as usize) < reader.get_ref().len() {
                documents.push(Document::from_reader(&mut reader).expect("a rollback document"));
            }
        }
    }
    documents
}

/// The member that is primary now, if one is.
async fn current_primary(members: &[String]) -> Option<&String> {
    for member in members {
        if is_primary(member).await == Some(true) {
            return Some(member);
        }
    }
    None
}

/// Too long for CI's budget (three members to elect, an election's ten seconds, the set
/// settling): `cargo xtask drill primary` runs it and keeps its figures in bench/drills.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in `cargo xtask drill primary` (past the CI time budget)"]
async fn primary_partitioned_from_everything_loses_no_acknowledged_write() {
    let mut system = DrillSystem::start_with_cart_set("drill-primary-partitioned").await;
    let members: Vec<String> = system.databases["cart"]
        .iter()
        .map(|member| member.host())
        .collect();
    assert_eq!(
        is_primary(&members[0]).await,
        Some(true),
        "member 1 starts primary"
    );
    let old_election = hello(&members[0])
        .await
        .and_then(|hello| hello.get_object_id("electionId").ok())
        .expect("the primary's election id");
    let load = WriteLoad::start(&system.stack, "partitioned");
    assert!(load.acknowledges(50, Duration::from_secs(30)).await);

    let old_primary = system.host("cart-db-1").clone();
    system.network.set_link(&old_primary, false).await.unwrap();
    let cut = Instant::now();
    let cut_wall = std::time::SystemTime::now();
    assert!(
        eventually(Duration::from_secs(40), async || {
            is_primary(&members[1]).await == Some(true)
                || is_primary(&members[2]).await == Some(true)
        })
        .await,
        "another member is elected primary"
    );
    let elected_after = cut.elapsed();
    assert!(
        load.acknowledges(50, Duration::from_secs(30)).await,
        "writes resume on the new primary by themselves"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;

    system.network.set_link(&old_primary, true).await.unwrap();
    let healed = Instant::now();
    assert!(
        eventually(Duration::from_secs(60), async || {
            has_rejoined(&members[0], &old_election).await
        })
        .await,
        "the old primary rejoins the set"
    );
    let rejoined_after = healed.elapsed();
    assert!(
        load.acknowledges(50, Duration::from_secs(60)).await,
        "writes go on after it rejoins"
    );
    let clients = load.stop().await;

    let resumed = first_acknowledged_after(&clients, cut);
    let stack = &mut system.stack;
    assert_eq!(
        stack.stack.exited(),
        Vec::<String>::new(),
        "no service exited"
    );
    let (acknowledged, failed) = assert_acknowledged_writes_kept(stack, &clients).await;
    // A write in flight to the cut-off primary waits for nothing but the request's deadline.
    let (failed_since_cut, longest_failure) =
        assert_failed_fast(&clients, cut, REQUEST_TIMEOUT + Duration::from_millis(500));

    // The old primary holds every write the set holds, once it has caught up, and rolled
    // back nothing: it accepted no write while it was cut off.
    let database = format!("{}cart", stack.database_prefix);
    let caught_up = eventually(Duration::from_secs(30), async || {
        let Some(primary) = current_primary(&members).await else {
            return false;
        };
        let Some(held) = carts_on(primary, &database).await else {
            return false;
        };
        !held.is_empty() && carts_on(&members[0], &database).await == Some(held)
    })
    .await;
    assert!(
        caught_up,
        "the old primary holds every cart the set holds once it has caught up"
    );
    let caught_up_after = healed.elapsed();
    // What it rolled back (MongoDB keeps each undone insert in `rollback/`) can only be writes
    // it took once cut off, which never reached a majority and so were never acknowledged:
    // every acknowledged write is on every member (above).
    let rolled_back = rolled_back_documents(&system.data_dir("cart-db-1"));
    for document in &rolled_back {
        let written = document
            .get_datetime("updated_at")
            .map(|at| at.to_system_time())
            .unwrap_or(std::time::UNIX_EPOCH);
        assert!(
            written + IN_FLIGHT >= cut_wall,
            "the old primary rolled back a write from before it was cut off: {document}"
        );
    }
    record(
        "primary-partitioned",
        "The cart's primary partitioned from everything under cart writes: writes fail fast with \
         SERVICE_UNAVAILABLE, a new primary is elected and writes resume by themselves; no \
         acknowledged write is lost; the old primary rejoins, holds every acknowledged write, \
         and rolls back only what it took once cut off, which no client was told succeeded.",
        &[
            ("writes acknowledged, all kept", acknowledged.to_string()),
            (
                "writes failed after the cut, each SERVICE_UNAVAILABLE",
                failed_since_cut.to_string(),
            ),
            ("the longest failed write", shown(longest_failure)),
            ("new primary elected after", shown(elected_after)),
            ("first write acknowledged after the cut", shown(resumed)),
            (
                "old primary back in the set after the heal",
                shown(rejoined_after),
            ),
            (
                "old primary holds every acknowledged write after the heal",
                shown(caught_up_after),
            ),
            (
                "writes it rolled back (taken once cut off, never acknowledged)",
                rolled_back.len().to_string(),
            ),
            ("writes failed in all", failed.to_string()),
        ],
    );
    system.stop().await;
}

/// The router's timeout for the recommendation subgraph (router.yaml's default).
const RECOMMENDATION_TIMEOUT: Duration = Duration::from_secs(2);
/// The latency and loss the drill puts on the path from the router to recommendation.
const ADDED_LATENCY: Duration = Duration::from_millis(100);
const LOSS: f64 = 0.05;

const NEEDS_RECOMMENDATIONS: &str =
    r#"{ product(id: "prod-000001") { id recommendations(first: 2) { id } } }"#;
const PRODUCT_AND_PRICE: &str =
    r#"{ product(id: "prod-000002") { id name pricing { price { amount } } } }"#;

async fn latency_and_loss_to_one_subgraph_slow_only_what_needs_it_within_its_timeout(
    system: &DrillSystem,
    delay: &AtomicU64,
) {
    let stack = &system.stack;
    let calm = MixedLoad::start(stack, NEEDS_RECOMMENDATIONS, PRODUCT_AND_PRICE, true);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let calm = calm.stop().await;

    let recommendation = system.host("recommendation");
    delay.store(ADDED_LATENCY.as_millis() as u64, Ordering::Relaxed);
    system
        .network
        .set_loss(recommendation, system.network.own_address(), LOSS, true)
        .await
        .unwrap();
    let faulty = MixedLoad::start(stack, NEEDS_RECOMMENDATIONS, PRODUCT_AND_PRICE, true);
    tokio::time::sleep(Duration::from_secs(6)).await;
    let faulty = faulty.stop().await;
    delay.store(0, Ordering::Relaxed);
    system
        .network
        .set_loss(recommendation, system.network.own_address(), LOSS, false)
        .await
        .unwrap();

    for sample in calm.iter() {
        assert!(sample.whole(), "control: {}", sample.response);
    }
    let needing = |samples: &[Sample]| -> Vec<Duration> {
        samples
            .iter()
            .filter(|s| s.needs_it)
            .map(|s| s.took)
            .collect()
    };
    // The control: the added latency shows on the path it was put on.
    let quickest_calm = needing(&calm).into_iter().min().unwrap_or_default();
    let quickest_faulty = needing(&faulty)
        .into_iter()
        .min()
        .expect("requests during the fault");
    assert!(
        quickest_faulty >= ADDED_LATENCY,
        "the delay did not reach recommendation's path: {quickest_faulty:?} (calm: {quickest_calm:?})"
    );
    let mut partial = 0;
    for sample in &faulty {
        if sample.needs_it {
            assert!(
                sample.took <= RECOMMENDATION_TIMEOUT + SLACK,
                "a page needing recommendations took {:?}",
                sample.took
            );
            if !sample.whole() {
                assert!(
                    !error_codes(&sample.response).is_empty(),
                    "{}",
                    sample.response
                );
                partial += 1;
            }
        } else {
            assert!(sample.whole(), "{}", sample.response);
        }
    }
    let p99_of =
        |samples: &[Sample], needs_it: bool| p99(samples.iter().filter(|s| s.needs_it == needs_it));
    record(
        "latency-and-loss",
        "100 ms added latency and 5% packet loss between the router and recommendation (every \
         request past the entity cache): pages that do not need recommendation stay whole at \
         their p99; those that do answer within recommendation's timeout (2 s), whole or \
         partial, never hung.",
        &[
            (
                "p99 of pages not needing it, calm / faulty",
                format!(
                    "{} / {}",
                    shown(p99_of(&calm, false)),
                    shown(p99_of(&faulty, false))
                ),
            ),
            (
                "p99 of pages needing it, calm / faulty",
                format!(
                    "{} / {}",
                    shown(p99_of(&calm, true)),
                    shown(p99_of(&faulty, true))
                ),
            ),
            (
                "pages needing it during the fault, partial of them",
                format!(
                    "{}, {partial}",
                    faulty.iter().filter(|s| s.needs_it).count()
                ),
            ),
        ],
    );
}
