//! The report as Markdown: a verdict, one row per check, then what failed, what to look at and
//! what was approved, each with its file and line; safe changes folded away. Posted as a
//! pull-request comment, or as the GitHub job summary.

use std::io::{self, Write};

use super::{Finding, Level, Report, Section, findings};
use crate::check::Criticality;

pub fn write_markdown(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let (icon, verdict) = if report.passed {
        ("✅", "passed")
    } else {
        ("❌", "failed")
    };
    let subject = match &report.proposal {
        Some(proposal) => format!(
            "proposed `{}` schema (`{}`)",
            proposal.subgraph,
            crate::check::shown(&proposal.schema)
        ),
        None => "the committed schemas".to_owned(),
    };
    writeln!(out, "## {icon} Schema check {verdict}: {subject}")?;
    writeln!(out)?;
    let found = findings(report);
    writeln!(out, "| Check | Result |")?;
    writeln!(out, "| --- | --- |")?;
    for section in Section::ALL {
        if section.ran(report) {
            let of_section: Vec<&Finding> = found.iter().filter(|f| f.section == section).collect();
            writeln!(
                out,
                "| {} | {} |",
                section.title(),
                section_result(report, section, &of_section)
            )?;
        }
    }
    for (level, heading) in [
        (Level::Error, "Failures"),
        (Level::Warning, "Warnings"),
        (Level::Notice, "Passing, with a reason"),
    ] {
        let listed: Vec<&Finding> = found.iter().filter(|f| f.level == level).collect();
        if listed.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "### {heading}")?;
        writeln!(out)?;
        for finding in listed {
            write_finding(out, finding)?;
        }
    }
    let safe: Vec<_> = report
        .changes
        .iter()
        .filter(|c| c.change.criticality() == Criticality::Safe)
        .collect();
    if !safe.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>Safe changes ({})</summary>\n",
            safe.len()
        )?;
        for classified in safe {
            writeln!(
                out,
                "- `{}` {} ({})",
                classified.change.coordinate(),
                classified.change.message(),
                classified.change.code()
            )?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

fn section_result(report: &Report, section: Section, found: &[&Finding]) -> String {
    let count = |level: Level| found.iter().filter(|f| f.level == level).count();
    let (errors, warnings, notices) = (
        count(Level::Error),
        count(Level::Warning),
        count(Level::Notice),
    );
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(format!("❌ {errors} failing"));
    }
    if warnings > 0 {
        parts.push(format!("⚠️ {warnings} to review"));
    }
    if notices > 0 {
        parts.push(format!("☑️ {notices} passing with a reason"));
    }
    if parts.is_empty() {
        parts.push(format!("✅ {}", all_clear(report, section)));
    }
    parts.join(", ")
}

/// What a section with nothing to report says.
fn all_clear(report: &Report, section: Section) -> String {
    match section {
        Section::Drift => "committed schemas match their sources".to_owned(),
        Section::Composition => format!("{} subgraphs compose", report.composition.subgraphs.len()),
        Section::Changes => {
            let safe = report.changes.len();
            if safe == 0 {
                "no change to the API schema".to_owned()
            } else {
                format!("{safe} safe change(s)")
            }
        }
        Section::Operations => format!(
            "{} registered operations validate",
            report.operations.registered.len()
        ),
        Section::Lint => format!("{} linted, no violations", report.lint.subgraphs.join(", ")),
        Section::Approvals => "no stale approvals".to_owned(),
    }
}

fn write_finding(out: &mut impl Write, finding: &Finding) -> io::Result<()> {
    let place = finding
        .location
        .as_ref()
        .map(|l| format!(" — `{}:{}`", l.file, l.line))
        .unwrap_or_default();
    writeln!(
        out,
        "- **{}**: {}{place}",
        finding.section.title(),
        finding.summary
    )?;
    if finding.detail.is_empty() {
        return Ok(());
    }
    if finding.section == Section::Drift {
        writeln!(out, "\n  ```diff")?;
        for line in finding.detail.lines() {
            writeln!(out, "  {line}")?;
        }
        writeln!(out, "  ```\n")
    } else {
        for line in finding.detail.lines() {
            writeln!(out, "  > {line}")?;
        }
        Ok(())
    }
}
