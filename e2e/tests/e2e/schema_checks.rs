//! `router check` as CI runs it (`cargo xtask check`): on the real subgraphs' schemas, with
//! proposed changes that are breaking, safe, or do not compose, and on drifted files.

use std::{
    path::{Path, PathBuf},
    process::Output,
};

use e2e::{required_env, scratch_dir};
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
    let removal = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["coordinate"] == "ProductPricing.percentOff")
        .unwrap_or_else(|| panic!("no change to ProductPricing.percentOff in {report}"));
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
    let changes = report["changes"].as_array().unwrap();
    let removal = changes
        .iter()
        .find(|change| change["coordinate"] == "Product.sku")
        .unwrap_or_else(|| panic!("no change to Product.sku in {report}"));
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
fn adding_an_optional_field_passes_as_a_safe_change() {
    let schema = proposed_catalog("add-field", |sdl| {
        sdl.replace("\tsku: String!\n", "\tsku: String!\n\tweightGrams: Int\n")
    });
    let output = propose("add-field", &schema, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = json(&output);
    assert_eq!(
        report["changes"],
        serde_json::json!([{
            "criticality": "safe",
            "code": "FIELD_ADDED",
            "coordinate": "Product.weightGrams",
            "message": "Field 'weightGrams' was added to object type 'Product'",
            "used_by": []
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
    let removal = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["coordinate"] == "Category.products")
        .unwrap_or_else(|| panic!("no change to Category.products in {report}"))
        .clone();
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
fn unreadable_or_invalid_input_cannot_run() {
    let missing = workdir("bad-input").join("does-not-exist.graphql");
    let output = propose("bad-input", &missing, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("cannot read"), "{}", text(&output));

    let invalid = workdir("bad-input").join("invalid.graphql");
    std::fs::write(&invalid, "type Product { id: ID! ").unwrap();
    let output = propose("bad-input", &invalid, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("not valid GraphQL SDL"),
        "{}",
        text(&output)
    );
}
