//! `router check` as CI runs it (`cargo xtask check`): on the real subgraphs' schemas, with
//! proposed changes that are breaking, safe, or do not compose, and on drifted files.

use std::{
    path::{Path, PathBuf},
    process::Output,
};

use e2e::{TestStack, eventually, required_env, scratch_dir};
use serde_json::Value;
use xtask::{paths, schema_check};

fn bin_dir() -> PathBuf {
    PathBuf::from(required_env("STOREFRONT_BIN_DIR"))
}

/// A folder of this test's own, for proposed schemas and edited copies.
fn workdir(test: &str) -> PathBuf {
    let dir = scratch_dir().join("schema-checks").join(test);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The catalog's committed schema with `edit` applied, written where a proposal is read from.
fn proposed_catalog(test: &str, edit: impl FnOnce(String) -> String) -> PathBuf {
    proposed_schema("catalog", test, edit)
}

/// `subgraph`'s committed schema with `edit` applied, written where a proposal is read from.
fn proposed_schema(subgraph: &str, test: &str, edit: impl FnOnce(String) -> String) -> PathBuf {
    let current = std::fs::read_to_string(
        paths::workspace_root().join(format!("subgraphs/{subgraph}/schema.graphql")),
    )
    .unwrap();
    let proposed = edit(current.clone());
    assert_ne!(proposed, current, "the fixture edit changed nothing");
    let path = workdir(test).join(format!("{subgraph}.graphql"));
    std::fs::write(&path, proposed).unwrap();
    path
}

/// The repository's check, as `cargo xtask check` runs it, plus `extra` arguments.
fn check(test: &str, extra: &[&str]) -> Output {
    schema_check::router_check(&bin_dir(), &workdir(test).join("printed"), &[])
        .unwrap()
        .args(extra)
        .output()
        .unwrap()
}

fn propose(test: &str, schema: &Path, extra: &[&str]) -> Output {
    propose_for("catalog", test, schema, extra)
}

fn propose_for(subgraph: &str, test: &str, schema: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["--subgraph", subgraph, "--schema", schema.to_str().unwrap()];
    args.extend_from_slice(extra);
    check(test, &args)
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not a JSON report ({err}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The change at `coordinate` in a JSON report.
fn change_at<'a>(report: &'a Value, coordinate: &str) -> &'a Value {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["coordinate"] == coordinate)
        .unwrap_or_else(|| panic!("no change to {coordinate} in {report}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_committed_tree_passes() {
    let output = check("clean", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = check("clean-json", &["--format", "json"]);
    let report = json(&output);
    assert_eq!(report["passed"], true);
    assert_eq!(report["drift"], serde_json::json!([]));
    assert_eq!(
        report["composition"]["subgraphs"].as_array().unwrap().len(),
        4
    );
    let registered = report["operations"]["registered"].as_array().unwrap();
    assert!(
        registered.iter().any(|name| name == "ProductPage"),
        "{report}"
    );
    assert_eq!(report["version"], 1);
    assert_eq!(
        report["lint"]["subgraphs"].as_array().unwrap().len(),
        4,
        "every subgraph is linted: {report}"
    );
    assert_eq!(report["lint"]["violations"], serde_json::json!([]));
}

/// A team approves removing a field a registered operation uses: the check passes and says
/// why; an approval that matches nothing is stale; once expired, the change fails again.
#[test]
fn an_approved_breaking_change_passes_until_its_approval_expires() {
    let test = "approved";
    let schema = proposed_catalog(test, |sdl| sdl.replace("\tsku: String!\n", ""));
    let approvals = workdir(test).join("approvals.yaml");
    let write_approvals = |expires: &str| {
        std::fs::write(
            &approvals,
            format!(
                "approvals:\n  - change: FIELD_REMOVED\n    coordinate: Product.sku\n    reason: SKUs move to the inventory subgraph\n    subgraph: catalog\n{expires}  - change: FIELD_REMOVED\n    coordinate: Product.imageUrl\n    reason: Images move too\n"
            ),
        )
        .unwrap()
    };
    let approvals_arg = approvals.to_str().unwrap();
    let check_json = || {
        propose(
            test,
            &schema,
            &["--approvals", approvals_arg, "--format", "json"],
        )
    };

    write_approvals("");
    let output = check_json();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = json(&output);
    let removal = change_at(&report, "Product.sku");
    assert_eq!(removal["used_by"], serde_json::json!(["ProductPage"]));
    assert_eq!(
        removal["approval"],
        serde_json::json!({"status": "approved", "reason": "SKUs move to the inventory subgraph"})
    );
    assert_eq!(removal["fails"], false);
    assert_eq!(report["operations"]["invalid"][0]["approved"], true);
    assert_eq!(
        report["approvals"]["stale"][0]["coordinate"], "Product.imageUrl",
        "{report}"
    );
    let human = text(&propose(test, &schema, &["--approvals", approvals_arg]));
    assert!(human.contains("approved: SKUs move"), "{human}");
    assert!(human.contains("stale:"), "{human}");

    write_approvals("    expires: 2020-01-31\n");
    let output = check_json();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let failures = json(&output)["failures"].to_string();
    assert!(
        failures.contains("Product.sku used by ProductPage (its approval expired on 2020-01-31)"),
        "{failures}"
    );

    std::fs::write(&approvals, "approvals:\n  - coordinate: Product.sku\n").unwrap();
    let output = propose(test, &schema, &["--approvals", approvals_arg]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("each approval needs change"),
        "{}",
        text(&output)
    );
}

/// A field the proposal adds against the naming rules fails the check; GitHub gets an error
/// annotation on that line of the proposed SDL, Markdown and JUnit readers a failure, and
/// the job summary file the Markdown report.
#[test]
fn a_lint_violation_a_proposal_adds_fails_on_its_line_in_every_format() {
    let test = "lint";
    let schema = proposed_catalog(test, |sdl| {
        sdl.replace("\tsku: String!\n", "\tsku: String!\n\tstock_count: Int\n")
    });
    let line = std::fs::read_to_string(&schema)
        .unwrap()
        .lines()
        .position(|line| line.contains("stock_count"))
        .unwrap()
        + 1;
    let summary = workdir(test).join("summary.md");
    let _ = std::fs::remove_file(&summary);
    let output = schema_check::router_check(&bin_dir(), &workdir(test).join("printed"), &[])
        .unwrap()
        .args([
            "--subgraph",
            "catalog",
            "--schema",
            schema.to_str().unwrap(),
        ])
        .args(["--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let annotation = format!(
        "::error file={},line={line},col=2,title=Lint%3A field-names-camel-case::catalog [field-names-camel-case] field `Product.stock_count` is not camelCase",
        schema.display()
    );
    assert!(
        text(&output).contains(&annotation),
        "no `{annotation}` in\n{}",
        text(&output)
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("## ❌ Schema check failed"),
        "{summary}"
    );

    let markdown = text(&propose(test, &schema, &["--format", "markdown"]));
    assert!(markdown.contains("| Lint | ❌ 1 failing |"), "{markdown}");
    assert!(markdown.contains(&format!("graphql:{line}`")), "{markdown}");

    let junit = text(&propose(test, &schema, &["--format", "junit"]));
    assert!(
        junit.contains(r#"<testsuite name="Lint" tests="1" skipped="0" errors="0" failures="1">"#),
        "{junit}"
    );
    assert!(
        junit.contains(r#"type="field-names-camel-case""#),
        "{junit}"
    );

    // The near miss: the same field, named by the rules, passes.
    let named = proposed_catalog("lint-named", |sdl| {
        sdl.replace("\tsku: String!\n", "\tsku: String!\n\tstockCount: Int\n")
    });
    let output = propose("lint-named", &named, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

/// The web storefront's operations share fragments across files: a field used only inside a
/// fragment still fails the check, naming every page operation that spreads it.
#[test]
fn removing_a_field_a_shared_fragment_uses_fails_naming_each_page_operation() {
    let schema = proposed_schema("pricing", "no-percent-off", |sdl| {
        sdl.replace(
            "\t\"\"\"\n\tThe running promotion's discount in percent (0 when none applies).\n\t\"\"\"\n\tpercentOff: Int!\n",
            "",
        )
    });
    let report = json(&propose_for(
        "pricing",
        "no-percent-off",
        &schema,
        &["--format", "json"],
    ));
    assert_eq!(report["passed"], false, "{report}");
    let removal = change_at(&report, "ProductPricing.percentOff");
    assert_eq!(removal["criticality"], "breaking");
    let used_by: Vec<&str> = removal["used_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    for page in [
        "Home",
        "CategoryListing",
        "Search",
        "ProductPage",
        "CartView",
        "AddToCart",
    ] {
        assert!(
            used_by.contains(&page),
            "{page} uses it through ProductCard: {used_by:?}"
        );
    }
}

#[test]
fn removing_a_field_an_operation_uses_fails_naming_field_and_operation() {
    let schema = proposed_catalog("no-sku", |sdl| sdl.replace("\tsku: String!\n", ""));
    let output = propose("no-sku", &schema, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report_text = text(&output);
    assert!(report_text.contains("Product.sku"), "{report_text}");
    assert!(report_text.contains("ProductPage"), "{report_text}");

    let report = json(&propose("no-sku", &schema, &["--format", "json"]));
    assert_eq!(report["passed"], false);
    let removal = change_at(&report, "Product.sku");
    assert_eq!(removal["code"], "FIELD_REMOVED");
    assert_eq!(removal["criticality"], "breaking");
    assert_eq!(removal["used_by"], serde_json::json!(["ProductPage"]));
    let invalid = &report["operations"]["invalid"][0];
    assert_eq!(invalid["operations"], serde_json::json!(["ProductPage"]));
    assert!(
        invalid["errors"][0].as_str().unwrap().contains("sku"),
        "{invalid}"
    );
}

#[test]
fn a_subscription_operation_is_protected_like_the_others() {
    let schema = proposed_schema("pricing", "no-currency-arg", |sdl| {
        sdl.replace(", currency: CurrencyCode = USD): Product!", "): Product!")
    });
    let report = json(&propose_for(
        "pricing",
        "no-currency-arg",
        &schema,
        &["--format", "json"],
    ));
    assert_eq!(report["passed"], false, "{report}");
    let removal = change_at(&report, "Subscription.productPriceChanged(currency:)");
    assert_eq!(removal["criticality"], "breaking", "{removal}");
    assert_eq!(
        removal["used_by"],
        serde_json::json!(["ProductPriceChanged"])
    );
}

#[test]
fn adding_an_optional_field_passes_as_a_safe_change() {
    let schema = proposed_catalog("add-field", |sdl| {
        sdl.replace("\tsku: String!\n", "\tsku: String!\n\tweightGrams: Int\n")
    });
    let output = propose("add-field", &schema, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = json(&output);
    let line = std::fs::read_to_string(&schema)
        .unwrap()
        .lines()
        .position(|line| line.contains("weightGrams"))
        .unwrap()
        + 1;
    assert_eq!(
        report["changes"],
        serde_json::json!([{
            "criticality": "safe",
            "code": "FIELD_ADDED",
            "coordinate": "Product.weightGrams",
            "message": "Field 'weightGrams' was added to object type 'Product'",
            "used_by": [],
            "traffic": [],
            "approval": null,
            "fails": false,
            "location": {"file": schema.display().to_string(), "line": line, "column": 2}
        }])
    );
}

#[test]
fn a_breaking_change_no_operation_uses_passes_unless_strict() {
    // No registered operation reads a category's products.
    let schema = proposed_catalog("unused-removal", |sdl| {
        sdl.replace(
            "\t\"\"\"\n\tThis category's products in id order.\n\t\"\"\"\n\tproducts(first: Int = 20, after: String): ProductConnection! @listSize(slicingArguments: [\"first\"], sizedFields: [\"edges\"], requireOneSlicingArgument: false)\n",
            "",
        )
    });
    let output = propose("unused-removal", &schema, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = json(&output);
    let removal = change_at(&report, "Category.products");
    assert_eq!(removal["criticality"], "breaking");
    assert_eq!(removal["used_by"], serde_json::json!([]));

    let strict = propose("unused-removal", &schema, &["--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
    assert!(text(&strict).contains("Category.products"));
}

#[test]
fn a_key_on_a_missing_field_fails_as_a_composition_error() {
    let schema = proposed_catalog("bad-key", |sdl| {
        sdl.replace(
            "type Product @key(fields: \"id\")",
            "type Product @key(fields: \"skuu\")",
        )
    });
    let output = propose("bad-key", &schema, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = json(&output);
    let error = &report["composition"]["errors"][0];
    assert_eq!(error["code"], "KEY_INVALID_FIELDS", "{report}");
    assert_eq!(error["subgraphs"], serde_json::json!(["catalog"]));
    assert_eq!(error["coordinate"], "Product.skuu");
    assert_eq!(report["operations"]["checked"], false);
}

#[test]
fn a_hand_edited_supergraph_fails_as_drift() {
    let dir = workdir("drift");
    let root = paths::workspace_root();
    let committed = std::fs::read_to_string(root.join("supergraph.graphql")).unwrap();
    let edited = dir.join("supergraph.graphql");
    std::fs::write(
        &edited,
        committed.replacen("sku: String!", "sku: String", 1),
    )
    .unwrap();
    let output = std::process::Command::new(bin_dir().join("router"))
        .current_dir(&root)
        .args(["check", "--config", "supergraph.yaml", "--supergraph"])
        .arg(&edited)
        .args(["--regenerate-with", schema_check::REGENERATE])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = text(&output);
    assert!(report.contains(&edited.display().to_string()), "{report}");
    assert!(
        report.contains("-  sku: String") || report.contains("sku: String"),
        "{report}"
    );
    assert!(report.contains("cargo xtask compose"), "{report}");
}

#[test]
fn a_subgraph_schema_out_of_date_with_its_code_fails_as_drift() {
    let dir = workdir("subgraph-drift");
    let root = paths::workspace_root();
    let stale = dir.join("printed-by-code.graphql");
    let committed = std::fs::read_to_string(root.join("subgraphs/catalog/schema.graphql")).unwrap();
    std::fs::write(&stale, format!("{committed}\ntype Extra {{ id: ID! }}\n")).unwrap();
    let output = std::process::Command::new(bin_dir().join("router"))
        .current_dir(&root)
        .args(["check", "--format", "json", "--drift"])
        .arg(format!(
            "subgraphs/catalog/schema.graphql={}",
            stale.display()
        ))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = json(&output);
    assert_eq!(
        report["drift"][0]["file"],
        "subgraphs/catalog/schema.graphql"
    );
    assert!(
        report["drift"][0]["diff"]
            .as_str()
            .unwrap()
            .contains("+type Extra")
    );
}

#[test]
fn an_unreadable_proposal_cannot_run_and_invalid_sdl_is_invalid_graphql() {
    let missing = workdir("bad-input").join("does-not-exist.graphql");
    let output = propose("bad-input", &missing, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("cannot read"), "{}", text(&output));

    let invalid = workdir("bad-input").join("invalid.graphql");
    std::fs::write(&invalid, "type Query { ok: Int }\ntype Product { id: ID! ").unwrap();
    let output = propose("bad-input", &invalid, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let error = &json(&output)["composition"]["errors"][0];
    assert_eq!(error["code"], "INVALID_GRAPHQL", "{error}");
    assert_eq!(error["subgraphs"], serde_json::json!(["catalog"]));
    assert_eq!(error["location"]["line"], 2, "{error}");
}

/// Every lint rule fires on the real catalog schema: a proposal that breaks each once fails
/// with one violation per rule, at the severities `schema-lint.yaml` gives them.
#[test]
fn a_proposal_breaking_every_lint_rule_reports_each() {
    let test = "lint-every-rule";
    let schema = proposed_catalog(test, |sdl| {
        let sdl = sdl.replace(
            "\tsku: String!\n",
            "\tsku: String!\n\tstock_count: Int\n\tproductCode: String\n\tlegacyCode: String @deprecated\n\tbadge: product_badge\n\ttone: BadgeTone\n\trelated(max_items: Int): [Product!]\n",
        );
        format!(
            "{sdl}\ntype product_badge {{\n\tlabel: String\n}}\n\nenum BadgeTone {{\n\tWARM\n\tcool\n}}\n\ntype Shelf @key(fields: \"id\") {{\n\tid: String!\n}}\n\nextend type Query {{\n\tshelves: [Shelf!]!\n}}\n"
        )
    });
    let output = propose(test, &schema, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = json(&output);
    let violations: Vec<(String, String, String)> = report["lint"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let field = |name: &str| v[name].as_str().unwrap().to_owned();
            (field("rule"), field("coordinate"), field("severity"))
        })
        .collect();
    let expected = [
        ("field-names-camel-case", "Product.stock_count", "error"),
        ("no-typename-prefix", "Product.productCode", "warn"),
        ("deprecated-has-reason", "Product.legacyCode", "error"),
        (
            "argument-names-camel-case",
            "Product.related(max_items:)",
            "error",
        ),
        ("type-names-pascal-case", "product_badge", "error"),
        ("enum-values-upper-case", "BadgeTone.cool", "error"),
        ("key-id-is-id", "Shelf", "error"),
        ("root-fields-described", "Query.shelves", "error"),
    ];
    for (rule, coordinate, severity) in expected {
        assert!(
            violations
                .iter()
                .any(|v| (v.0.as_str(), v.1.as_str(), v.2.as_str()) == (rule, coordinate, severity)),
            "no {rule} at {coordinate} ({severity}) in {violations:#?}"
        );
    }
    assert_eq!(violations.len(), expected.len(), "{violations:#?}");
    let failures = report["failures"].as_array().unwrap().len();
    assert_eq!(
        failures, 7,
        "every error-severity violation fails the check: {report}"
    );
}

/// The router records which fields each client's operations use (`--usage-file`); the check
/// reads that file: removing a field a partner's traffic used fails naming the client, and
/// the same removal passes as safe once that traffic is older than the window.
#[tokio::test]
async fn recorded_traffic_decides_a_breaking_change_no_registered_operation_uses() {
    let test = "usage";
    let usage = workdir(test).join("usage.json");
    let _ = std::fs::remove_file(&usage);
    let stack = TestStack::start_with("usage", |options| {
        options
            .router_env
            .push(("ROUTER_USAGE_FILE".into(), usage.display().to_string()));
    })
    .await;
    // No registered operation reads a category's products; a partner's app does.
    let response = stack
        .client
        .post(stack.stack.router_url())
        .header("graphql-client-name", "partner-app")
        .json(&serde_json::json!({
            "query": "query Shelves { categories { slug products(first: 2) { edges { node { id } } } } }",
            "operationName": "Shelves"
        }))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap()
    );
    let traffic_at = std::time::Instant::now();
    let recorded = eventually(std::time::Duration::from_secs(20), async || {
        std::fs::read_to_string(&usage).is_ok_and(|text| text.contains("Category.products"))
    })
    .await;
    assert!(recorded, "the router did not write {}", usage.display());
    let file = std::fs::read_to_string(&usage).unwrap();
    assert!(file.contains("\"client\": \"partner-app\""), "{file}");
    assert!(file.contains("\"operation\": \"Shelves\""), "{file}");

    let schema = proposed_catalog(test, |sdl| {
        sdl.replace(
            "\t\"\"\"\n\tThis category's products in id order.\n\t\"\"\"\n\tproducts(first: Int = 20, after: String): ProductConnection! @listSize(slicingArguments: [\"first\"], sizedFields: [\"edges\"], requireOneSlicingArgument: false)\n",
            "",
        )
    });
    let usage_arg = usage.to_str().unwrap();
    let output = propose(test, &schema, &["--usage", usage_arg, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = json(&output);
    let failures = report["failures"].to_string();
    assert!(
        failures.contains("Category.products used by recorded traffic from partner-app: Shelves in the last 30days"),
        "{failures}"
    );

    // The same change, judged on a window that ended before that traffic.
    let window = std::time::Duration::from_secs(2);
    tokio::time::sleep(
        window.saturating_sub(traffic_at.elapsed()) + std::time::Duration::from_secs(2),
    )
    .await;
    let output = propose(
        test,
        &schema,
        &["--usage", usage_arg, "--window", "2s", "--strict"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        text(&output).contains("safe: no recorded operation used it in the last 2s"),
        "{}",
        text(&output)
    );
}
