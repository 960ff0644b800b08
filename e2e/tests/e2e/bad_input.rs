//! Bad input at volume: thousands of requests generated from the schema's shape
//! ([`e2e::bad_input`], seeded) sent to the router and straight to each subgraph. Every answer
//! is a GraphQL error with a code or an HTTP client error, within its timeout; no process
//! panics or exits. `cargo xtask fuzz` sends many more of the same.

use std::{collections::BTreeMap, time::Duration};

use e2e::{
    TestStack,
    bad_input::{self, BadRequest, Target},
};
use futures::StreamExt;
use xtask::roster::SUBGRAPHS;

/// Requests per endpoint (`STOREFRONT_FUZZ_CASES` overrides).
const CASES: usize = 400;
/// The generator's seed (`STOREFRONT_FUZZ_SEED` overrides): a failure names it.
const SEED: u64 = 20_261_123;
/// Longer than any timeout of the system (the router's subgraph timeout is 5 s): an answer
/// that takes this long is a hang.
const HANG: Duration = Duration::from_secs(20);

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Sends `request` to `url`; the answer's status, or why there is none.
async fn send(client: &reqwest::Client, url: &str, request: &BadRequest) -> Result<u16, String> {
    let mut builder = if request.method == reqwest::Method::GET {
        let query = String::from_utf8_lossy(&request.body);
        client.get(format!("{url}?{query}"))
    } else {
        client
            .request(request.method.clone(), url)
            .body(request.body.clone())
    };
    // What GraphQL clients ask for (a generated `accept` replaces it); a bare GET would
    // rightly get the playground page.
    builder = builder.header(
        "accept",
        "application/graphql-response+json, application/json",
    );
    if let Some(content_type) = request.content_type {
        builder = builder.header("content-type", content_type);
    }
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let response = builder
        .send()
        .await
        .map_err(|err| format!("no answer: {err:?}"))?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|err| format!("HTTP {status}, body cut off: {err}"))?;
    bad_input::judge(status, &body).map(|()| status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_bad_requests_get_coded_errors_and_crash_nothing() {
    let cases = setting("STOREFRONT_FUZZ_CASES", CASES);
    let seed = setting("STOREFRONT_FUZZ_SEED", SEED);
    let mut stack = TestStack::start("bad-input").await;
    // A connection each: a request the server refuses (and closes the connection after)
    // must not fail the next one, which would otherwise reuse that connection.
    let client = reqwest::Client::builder()
        .timeout(HANG)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let endpoints: Vec<(String, String, Target)> = std::iter::once((
        "router".to_owned(),
        stack.stack.router_url(),
        Target::Router,
    ))
    .chain(SUBGRAPHS.iter().map(|subgraph| {
        let url = format!("{}/graphql", stack.stack.subgraph_url(subgraph.name));
        (subgraph.name.to_owned(), url, Target::Subgraph)
    }))
    .collect();

    let mut failures = Vec::new();
    for (name, url, target) in &endpoints {
        let requests = bad_input::requests(*target, seed, cases);
        let answers: Vec<(Result<u16, String>, &BadRequest)> = futures::stream::iter(&requests)
            .map(async |request| (send(&client, url, request).await, request))
            .buffer_unordered(8)
            .collect()
            .await;
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        for (answer, request) in answers {
            match answer {
                Ok(status) => *statuses.entry(status).or_default() += 1,
                Err(reason) => {
                    failures.push(format!("{name}: {reason}\n  for {}", request.describe()))
                }
            }
        }
        println!("{name}: {cases} generated requests (seed {seed}), answered {statuses:?}");
    }

    let shown: Vec<&String> = failures.iter().take(10).collect();
    assert!(
        failures.is_empty(),
        "{} of the generated requests (seed {seed}) were answered badly; the first:\n{}",
        failures.len(),
        shown
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        stack.stack.exited(),
        Vec::<String>::new(),
        "no process exited"
    );
    let logs = stack.logs();
    assert!(
        !logs.contains("panicked"),
        "a process panicked: {}",
        logs.lines()
            .filter(|line| line.contains("panicked"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
