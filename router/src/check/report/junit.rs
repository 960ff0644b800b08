//! The report as JUnit XML, which GitLab, Jenkins, Azure Pipelines and most CI systems show as
//! test results: one suite per check, one failing test case per error, a passing case per
//! warning or notice (its text in `system-out`), and one passing case for a clean check.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::{Finding, Level, Report, Section, findings};

pub fn write_junit(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let mut junit = JunitReport::new("schema check");
    let found = findings(report);
    for section in Section::ALL.into_iter().filter(|s| s.ran(report)) {
        let mut suite = TestSuite::new(section.title());
        let of_section: Vec<&Finding> = found.iter().filter(|f| f.section == section).collect();
        if of_section.iter().all(|f| f.level != Level::Error) {
            let mut case = TestCase::new(
                format!("{}: nothing fails", section.title()),
                TestCaseStatus::success(),
            );
            case.set_classname(section.title());
            suite.add_test_case(case);
        }
        for finding in of_section {
            suite.add_test_case(test_case(finding));
        }
        junit.add_test_suite(suite);
    }
    junit.serialize(out).map_err(io::Error::other)
}

fn test_case(finding: &Finding) -> TestCase {
    let place = finding
        .location
        .as_ref()
        .map(|l| format!("{}:{}:{}", l.file, l.line, l.column));
    let mut text = finding.summary.clone();
    if let Some(place) = &place {
        text.push_str(&format!("\nat {place}"));
    }
    if !finding.detail.is_empty() {
        text.push_str(&format!("\n\n{}", finding.detail));
    }
    let status = match finding.level {
        Level::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(finding.summary.clone())
                .set_type(finding.title.clone())
                .set_description(text.clone());
            status
        }
        Level::Warning | Level::Notice => TestCaseStatus::success(),
    };
    let name = match finding.level {
        Level::Error => finding.title.clone(),
        Level::Warning => format!("{} (warning)", finding.title),
        Level::Notice => format!("{} (passes)", finding.title),
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(finding.section.title());
    if finding.level != Level::Error {
        case.set_system_out(text);
    }
    case
}
