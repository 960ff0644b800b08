//! The web storefront in a real browser (Debian's Chromium driven by playwright-core, scripts in
//! `web/tests/`) against a whole stack: a shopper's path, then the page with pricing, and then
//! recommendations, stopped. Screenshots of a failing test land in the test's scratch folder.

use std::path::PathBuf;

use e2e::{TestStack, required_env, scratch_dir};
use xtask::{process::free_port, stack::WebOptions, web};

/// Runs `web/tests/<script>` under Node's test runner against `stack`; panics with its report
/// unless every test in it passed.
async fn run_browser_tests(stack: &TestStack, script: &str, env: &[(&str, &str)]) {
    let screenshots = scratch_dir().join("browser-screenshots");
    let script = format!("tests/{script}");
    let output = web::node_against(
        &stack.stack,
        &[
            "--test",
            "--test-concurrency=1",
            "--test-reporter=spec",
            &script,
        ],
    )
    .expect("the stack serves the web app")
    .env("STOREFRONT_SCREENSHOTS", &screenshots)
    .envs(env.iter().copied())
    .output()
    .await
    .expect("node runs the browser tests");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{script}:\n{report}");
    assert!(
        output.status.success(),
        "browser tests in web/{script} failed (screenshots in {}):\n{report}",
        screenshots.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_shops_in_a_real_browser_and_outages_degrade_the_page() {
    let dist = PathBuf::from(required_env("STOREFRONT_WEB_DIST"));
    assert!(
        dist.join("index.html").is_file(),
        "{} holds no built bundle",
        dist.display()
    );
    // Chromium beside other stacks (or a dozen containers) would starve on two cores, and
    // the page tests count requests: the machine to itself.
    let mut stack = TestStack::start_alone("browser", |options| {
        options.web = Some(WebOptions {
            port: free_port().expect("a free port"),
            dist,
        });
    })
    .await;

    run_browser_tests(&stack, "shopping.test.mjs", &[]).await;

    for down in ["pricing", "recommendation"] {
        stack.stack.stop_subgraph(down).await;
        run_browser_tests(&stack, "degraded.test.mjs", &[("STOREFRONT_DOWN", down)]).await;
        stack
            .stack
            .start_subgraph_again(down)
            .await
            .expect("the subgraph starts again");
    }
}
