//! `router check` reports on a small fixture graph (`tests/fixtures/check`), in every format,
//! compared with the expected files beside it. A proposal for the `shop` subgraph exercises
//! each verdict at once: an approved breaking change, an expired approval, a stale one, a
//! dangerous and a safe change, new and existing lint violations. Regenerate the expected
//! files after an intended change with `UPDATE_EXPECT=1 cargo test -p router --test check_reports`.

use std::path::PathBuf;

use chrono::NaiveDate;
use expect_test::expect_file;
use router::check::{CheckRequest, Format, Proposal, Report, report};

const FIXTURES: &str = "tests/fixtures/check";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(FIXTURES).join(name)
}

fn request(proposal: Option<&str>) -> CheckRequest {
    CheckRequest {
        config: fixture("supergraph.yaml"),
        supergraph: None,
        drift: Vec::new(),
        regenerate: "router compose --config supergraph.yaml > supergraph.graphql".to_owned(),
        proposal: proposal.map(|file| Proposal {
            subgraph: "shop".to_owned(),
            schema: fixture(file),
        }),
        operations: vec![fixture("operations")],
        strict: false,
        approvals: Some(fixture("approvals.yaml")),
        lint_config: Some(fixture("lint.yaml")),
        lint_all: false,
        today: NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date"),
    }
}

fn run(request: &CheckRequest) -> Report {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(router::check::run(request))
        .expect("the check runs")
}

fn written(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    let mut summary = Vec::new();
    report::write(report, format, &mut out, Some(&mut summary)).expect("written");
    if format == Format::Github {
        out.extend(b"\n--- job summary ---\n");
        out.extend(summary);
    }
    let text = String::from_utf8(out).expect("UTF-8");
    if format == Format::Human {
        anstream::adapter::strip_str(&text).to_string()
    } else {
        text
    }
}

#[test]
fn a_proposal_in_every_format() {
    let report = run(&request(Some("proposed-shop.graphql")));
    assert!(!report.passed);
    expect_file!["fixtures/check/expected/proposal.txt"]
        .assert_eq(&written(&report, Format::Human));
    expect_file!["fixtures/check/expected/proposal.json"]
        .assert_eq(&written(&report, Format::Json));
    expect_file!["fixtures/check/expected/proposal.github"]
        .assert_eq(&written(&report, Format::Github));
    expect_file!["fixtures/check/expected/proposal.md"]
        .assert_eq(&written(&report, Format::Markdown));
    expect_file!["fixtures/check/expected/proposal.xml"]
        .assert_eq(&written(&report, Format::Junit));
}

#[test]
fn the_committed_graph_in_every_format() {
    let report = run(&request(None));
    expect_file!["fixtures/check/expected/committed.txt"]
        .assert_eq(&written(&report, Format::Human));
    expect_file!["fixtures/check/expected/committed.json"]
        .assert_eq(&written(&report, Format::Json));
    expect_file!["fixtures/check/expected/committed.github"]
        .assert_eq(&written(&report, Format::Github));
    expect_file!["fixtures/check/expected/committed.md"]
        .assert_eq(&written(&report, Format::Markdown));
    expect_file!["fixtures/check/expected/committed.xml"]
        .assert_eq(&written(&report, Format::Junit));
}

#[test]
fn approvals_pass_what_they_approve_and_no_more() {
    let report = run(&request(Some("proposed-shop.graphql")));
    let change = |coordinate: &str| {
        report
            .changes
            .iter()
            .find(|c| c.change.coordinate() == coordinate)
            .unwrap_or_else(|| panic!("no change at {coordinate}"))
    };
    let approved = change("Product.legacyCode");
    assert!(!approved.fails, "an approved change passes: {approved:?}");
    assert_eq!(approved.used_by, ["ProductPage"]);
    let expired = change("Product.weight");
    assert!(expired.fails, "an expired approval no longer applies");
    let stale: Vec<&str> = report
        .approvals
        .stale
        .iter()
        .map(|a| a.coordinate.as_str())
        .collect();
    assert_eq!(stale, ["Product.color"]);
    let page = &report.operations.invalid[0];
    assert_eq!(
        (page.operations.as_slice(), page.approved),
        (&["ProductPage".to_owned()][..], true)
    );

    // The same proposal the day the expired approval still held: everything else passes.
    let mut earlier = request(Some("proposed-shop.graphql"));
    earlier.today = NaiveDate::from_ymd_opt(2026, 1, 31).expect("a date");
    earlier.lint_config = Some(fixture("lint-off.yaml"));
    let report = run(&earlier);
    assert!(report.passed, "{:#?}", report.failures);
}

#[test]
fn invalid_sdl_is_invalid_graphql_in_every_format() {
    let report = run(&request(Some("invalid-shop.graphql")));
    assert!(!report.passed);
    let issue = &report.composition.errors[0];
    assert_eq!(issue.issue.code, "INVALID_GRAPHQL");
    assert_eq!(issue.location.as_ref().map(|l| l.line), Some(5));
    for format in [
        Format::Human,
        Format::Json,
        Format::Github,
        Format::Markdown,
        Format::Junit,
    ] {
        let text = written(&report, format);
        assert!(
            text.contains("INVALID_GRAPHQL"),
            "{format:?} does not say INVALID_GRAPHQL:\n{text}"
        );
    }
}
