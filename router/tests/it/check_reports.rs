//! `router check` reports on a small fixture graph (`tests/fixtures/check`), in every format,
//! compared with the expected files beside it. A proposal for the `shop` subgraph exercises
//! each verdict at once: an approved breaking change, an expired approval, a stale one, a
//! dangerous and a safe change, new and existing lint violations. Regenerate the expected
//! files after an intended change with `UPDATE_EXPECT=1 cargo test --workspace --test it -- check_reports`.

use std::path::PathBuf;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
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
        usage: Vec::new(),
        window: Duration::from_secs(30 * 86_400),
        now: at(2026, 11, 23),
    }
}

/// Noon UTC on that day.
fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|date| date.and_hms_opt(12, 0, 0))
        .expect("a date")
        .and_utc()
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
    expect_file!["../fixtures/check/expected/proposal.txt"]
        .assert_eq(&written(&report, Format::Human));
    expect_file!["../fixtures/check/expected/proposal.json"]
        .assert_eq(&written(&report, Format::Json));
    expect_file!["../fixtures/check/expected/proposal.github"]
        .assert_eq(&written(&report, Format::Github));
    expect_file!["../fixtures/check/expected/proposal.md"]
        .assert_eq(&written(&report, Format::Markdown));
    expect_file!["../fixtures/check/expected/proposal.xml"]
        .assert_eq(&written(&report, Format::Junit));
}

#[test]
fn the_committed_graph_in_every_format() {
    let report = run(&request(None));
    expect_file!["../fixtures/check/expected/committed.txt"]
        .assert_eq(&written(&report, Format::Human));
    expect_file!["../fixtures/check/expected/committed.json"]
        .assert_eq(&written(&report, Format::Json));
    expect_file!["../fixtures/check/expected/committed.github"]
        .assert_eq(&written(&report, Format::Github));
    expect_file!["../fixtures/check/expected/committed.md"]
        .assert_eq(&written(&report, Format::Markdown));
    expect_file!["../fixtures/check/expected/committed.xml"]
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
        .map(|a| a.approval.coordinate.as_str())
        .collect();
    assert_eq!(stale, ["Product.color"]);
    let page = &report.operations.invalid[0];
    assert_eq!(
        (page.operations.as_slice(), page.approved),
        (&["ProductPage".to_owned()][..], true)
    );

    // The same proposal the day the expired approval still held: everything else passes.
    let mut earlier = request(Some("proposed-shop.graphql"));
    earlier.now = at(2026, 1, 31);
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

/// Recorded traffic decides a breaking change no registered operation uses: it fails naming
/// the client that used the field within the window, and passes as safe once that traffic
/// is older than the window (even under --strict, which has no evidence to go on otherwise).
#[test]
fn recorded_traffic_decides_unregistered_breaking_changes() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let now = at(2026, 11, 23);
    let day = 86_400;
    let mut recorder = router::usage::Recorder::new(100, Duration::MAX);
    let used = ["Query.product", "Product.color"].map(str::to_owned).into();
    let seen = u64::try_from(now.timestamp()).expect("after 1970") - 3 * day;
    recorder.record("partner-app", "Swatches", &used, seen);
    let usage = dir.path().join("usage.json");
    recorder.snapshot().save(&usage).expect("saved");
    let shop = std::fs::read_to_string(fixture("shop.graphql")).expect("fixture");
    let proposal = dir.path().join("shop.graphql");
    std::fs::write(&proposal, shop.replace("  color: Color\n", "")).expect("written");

    let mut request = request(None);
    request.proposal = Some(Proposal {
        subgraph: "shop".to_owned(),
        schema: proposal,
    });
    request.lint_config = Some(fixture("lint-off.yaml"));
    request.approvals = None;
    request.usage = vec![usage];
    request.now = now;
    let report = run(&request);
    let removal = |report: &Report| {
        report
            .changes
            .iter()
            .find(|c| c.change.coordinate() == "Product.color")
            .cloned()
            .expect("the removal is reported")
    };
    assert!(!report.passed);
    assert_eq!(removal(&report).traffic, ["partner-app: Swatches"]);
    assert_eq!(
        report.failures,
        [
            "breaking change to Product.color used by recorded traffic from partner-app: Swatches in the last 30days"
        ]
    );

    request.window = Duration::from_secs(2 * day);
    request.strict = true;
    let report = run(&request);
    assert!(report.passed, "{:?}", report.failures);
    assert!(removal(&report).traffic.is_empty());
    let text = written(&report, Format::Human);
    assert!(
        text.contains("safe: no recorded operation used it in the last 2days"),
        "{text}"
    );
}
