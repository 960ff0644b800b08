//! The web storefront in a real browser (Debian's Chromium driven by playwright-core, scripts in
//! `web/tests/`) against a whole stack: a shopper's path, live updates across two devices (a
//! promotion starting, the router restarting), then the page with pricing, and then
//! recommendations, stopped. Screenshots of a failing test land in the test's scratch folder.

use std::path::PathBuf;

use e2e::{TestStack, required_env, scratch_dir};
use xtask::{process::free_port, stack::WebOptions, web};

/// Node's test runner on `web/tests/<script>` against `stack`, with `env` added.
fn browser_tests(stack: &TestStack, script: &str, env: &[(&str, &str)]) -> tokio::process::Command {
    let screenshots = scratch_dir().join("browser-screenshots");
    let script = format!("tests/{script}");
    let mut command = web::node_against(
        &stack.stack,
        &[
            "--test",
            "--test-concurrency=1",
            "--test-reporter=spec",
            &script,
        ],
    )
    .expect("the stack serves the web app");
    command
        .env("STOREFRONT_SCREENSHOTS", &screenshots)
        .envs(env.iter().copied());
    command
}

/// Prints the report of `web/tests/<script>`; panics with it unless every test passed.
fn assert_passed(script: &str, output: &std::process::Output) {
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{script}:\n{report}");
    assert!(
        output.status.success(),
        "browser tests in web/tests/{script} failed (screenshots in {}):\n{report}",
        scratch_dir().join("browser-screenshots").display()
    );
}

/// Runs `web/tests/<script>` under Node's test runner against `stack`; panics with its report
/// unless every test in it passed.
async fn run_browser_tests(stack: &TestStack, script: &str, env: &[(&str, &str)]) {
    let output = browser_tests(stack, script, env)
        .output()
        .await
        .expect("node runs the browser tests");
    assert_passed(script, &output);
}

/// The product `web/tests/live.test.mjs` watches while a promotion starts: in `electronics`,
/// which no demo promotion covers.
const PROMOTED_PRODUCT: &str = "prod-000001";

/// Runs `web/tests/live.test.mjs`, doing what it asks of the harness (a file named after the
/// step appears in the harness folder; `<step>.done` answers): write a promotion that starts
/// two seconds later, or restart the router.
async fn run_live_browser_tests(stack: &mut TestStack) {
    let harness = scratch_dir().join("live-harness");
    let _ = std::fs::remove_dir_all(&harness);
    std::fs::create_dir_all(&harness).unwrap();
    let harness_dir = harness.display().to_string();
    let mut command = browser_tests(
        stack,
        "live.test.mjs",
        &[
            ("STOREFRONT_HARNESS_DIR", &harness_dir),
            ("STOREFRONT_PROMOTED_PRODUCT", PROMOTED_PRODUCT),
        ],
    );
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let node = command.spawn().expect("node runs the browser tests");
    let mut output = std::pin::pin!(node.wait_with_output());
    let output = loop {
        tokio::select! {
            output = &mut output => break output.expect("node's output"),
            () = tokio::time::sleep(std::time::Duration::from_millis(100)) => {}
        }
        for step in ["promotion", "restart-router"] {
            let asked = harness.join(step);
            if !asked.exists() {
                continue;
            }
            std::fs::remove_file(&asked).unwrap();
            match step {
                // Half off PROMOTED_PRODUCT's category, two seconds from now.
                "promotion" => {
                    stack
                        .write_promotion(
                            "promo-browser-live",
                            50,
                            std::time::Duration::from_secs(2),
                        )
                        .await;
                }
                _ => stack
                    .stack
                    .restart_router()
                    .await
                    .expect("the router starts again"),
            }
            std::fs::write(harness.join(format!("{step}.done")), "").unwrap();
        }
    };
    assert_passed("live.test.mjs", &output);
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
    run_live_browser_tests(&mut stack).await;

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
