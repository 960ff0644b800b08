//! The check report for people: grouped by check, styled for terminals (the writer strips
//! styles when output is not a terminal or `NO_COLOR` is set).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use crate::check::{ClassifiedChange, Criticality, Report, approvals::ApprovalStatus};

const HEADING: Style = Style::new().bold();
const GOOD: Style = AnsiColor::Green.on_default();
const BAD: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default();
const DIM: Style = Style::new().dimmed();

/// Writes `report` as a readable, grouped text report.
pub fn write_human(report: &Report, out: &mut impl Write) -> io::Result<()> {
    match &report.proposal {
        Some(proposal) => writeln!(
            out,
            "{HEADING}Schema check: proposed `{}` schema from {}{HEADING:#}",
            proposal.subgraph,
            proposal.schema.display()
        )?,
        None => writeln!(
            out,
            "{HEADING}Schema check: the committed schemas{HEADING:#}"
        )?,
    }

    if report.proposal.is_none() {
        section(out, "Drift")?;
        if report.drift.is_empty() {
            writeln!(
                out,
                "  {GOOD}✓{GOOD:#} committed schemas match their sources"
            )?;
        }
        for drift in &report.drift {
            writeln!(
                out,
                "  {BAD}✗ {}{BAD:#} differs from {}",
                drift.file, drift.source
            )?;
            for line in drift.diff.lines() {
                let style = match line.chars().next() {
                    Some('+') if !line.starts_with("+++") => GOOD,
                    Some('-') if !line.starts_with("---") => BAD,
                    _ => DIM,
                };
                writeln!(out, "      {style}{line}{style:#}")?;
            }
            writeln!(
                out,
                "    regenerate it with: {HEADING}{}{HEADING:#}",
                drift.regenerate
            )?;
        }
    }

    section(out, "Composition")?;
    if report.composition.errors.is_empty() {
        writeln!(
            out,
            "  {GOOD}✓{GOOD:#} {} subgraphs compose ({})",
            report.composition.subgraphs.len(),
            report.composition.subgraphs.join(", ")
        )?;
    }
    for located in &report.composition.errors {
        let issue = &located.issue;
        writeln!(out, "  {BAD}✗ {}{BAD:#} {}", issue.code, issue.place())?;
        writeln!(out, "      {}", issue.explanation)?;
        writeln!(out, "      {DIM}{}{DIM:#}", issue.message)?;
        if let Some(location) = &located.location {
            writeln!(
                out,
                "      {DIM}at {}:{}{DIM:#}",
                location.file, location.line
            )?;
        }
    }

    if report.proposal.is_some() && report.operations.checked {
        section(out, "Schema changes (API schema, proposed against current)")?;
        if let Some(usage) = &report.usage {
            writeln!(
                out,
                "  {DIM}judged by recorded traffic: {} operation(s) in {}, last {}{DIM:#}",
                usage.operations,
                usage.files.join(", "),
                usage.window
            )?;
        }
        if report.changes.is_empty() {
            writeln!(out, "  {GOOD}✓{GOOD:#} no change to the API schema")?;
        }
        for criticality in [
            Criticality::Breaking,
            Criticality::Dangerous,
            Criticality::Safe,
        ] {
            let group: Vec<&ClassifiedChange> = report
                .changes
                .iter()
                .filter(|c| c.change.criticality() == criticality)
                .collect();
            if !group.is_empty() {
                write_changes(out, report, criticality, &group)?;
            }
        }
    }

    let registered = &report.operations.registered;
    section(
        out,
        &format!("Client operations ({} registered)", registered.len()),
    )?;
    if !report.operations.checked {
        writeln!(
            out,
            "  {DIM}not checked: nothing composed to check them against{DIM:#}"
        )?;
    } else if report.operations.invalid.is_empty() {
        writeln!(
            out,
            "  {GOOD}✓{GOOD:#} all validate against the {} API schema",
            if report.proposal.is_some() {
                "proposed"
            } else {
                "composed"
            }
        )?;
    }
    for invalid in &report.operations.invalid {
        let (mark, style, note) = if invalid.approved {
            (
                "☑",
                WARN,
                " (approved: every breaking change it uses is approved)",
            )
        } else {
            ("✗", BAD, "")
        };
        writeln!(
            out,
            "  {style}{mark} {}{style:#}{note} {DIM}({}){DIM:#}",
            invalid.operations.join(", "),
            invalid.file
        )?;
        for error in &invalid.errors {
            writeln!(out, "      {error}")?;
        }
    }

    write_lint(out, report)?;
    if report.approvals.file.is_some() && report.proposal.is_some() {
        section(out, "Approvals")?;
        if report.approvals.stale.is_empty() {
            writeln!(out, "  {GOOD}✓{GOOD:#} no stale approvals")?;
        }
        for stale in &report.approvals.stale {
            writeln!(
                out,
                "  {WARN}stale:{WARN:#} {} at {} matches no change; remove it {DIM}({}){DIM:#}",
                stale.approval.change, stale.approval.coordinate, stale.approval.reason
            )?;
        }
    }

    writeln!(out)?;
    if report.passed {
        writeln!(out, "{GOOD}{HEADING}PASSED{HEADING:#}{GOOD:#}")?;
    } else {
        writeln!(out, "{BAD}FAILED{BAD:#}")?;
        for failure in &report.failures {
            writeln!(out, "  - {failure}")?;
        }
    }
    Ok(())
}

fn section(out: &mut impl Write, title: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{HEADING}{title}{HEADING:#}")
}

fn write_changes(
    out: &mut impl Write,
    report: &Report,
    criticality: Criticality,
    changes: &[&ClassifiedChange],
) -> io::Result<()> {
    let (title, style) = match criticality {
        Criticality::Breaking => ("Breaking", BAD),
        Criticality::Dangerous => ("Dangerous", WARN),
        Criticality::Safe => ("Safe", GOOD),
    };
    writeln!(out, "  {style}{title} ({}){style:#}", changes.len())?;
    for classified in changes {
        let change = &classified.change;
        writeln!(
            out,
            "    {style}{}{style:#} {} {DIM}({}){DIM:#}",
            change.coordinate(),
            change.message(),
            change.code()
        )?;
        match &classified.approval {
            Some(ApprovalStatus::Approved { reason }) => {
                writeln!(out, "      {GOOD}approved:{GOOD:#} {reason}")?;
                continue;
            }
            Some(ApprovalStatus::Expired { reason, expired }) => writeln!(
                out,
                "      {WARN}approval expired on {expired}:{WARN:#} {DIM}{reason}{DIM:#}"
            )?,
            None => {}
        }
        if !classified.traffic.is_empty() {
            writeln!(
                out,
                "      {BAD}recorded traffic:{BAD:#} {}",
                classified.traffic.join(", ")
            )?;
        } else if criticality == Criticality::Breaking
            && classified.used_by.is_empty()
            && let Some(usage) = &report.usage
        {
            writeln!(
                out,
                "      {GOOD}safe:{GOOD:#} no recorded operation used it in the last {}",
                usage.window
            )?;
            continue;
        }
        if criticality == Criticality::Breaking {
            if classified.used_by.is_empty() {
                let verdict = if classified.fails {
                    "fails under --strict"
                } else {
                    "passes"
                };
                writeln!(out, "      no registered operation uses it; {verdict}")?;
            } else {
                writeln!(
                    out,
                    "      {BAD}used by: {}{BAD:#}",
                    classified.used_by.join(", ")
                )?;
            }
        } else if !classified.used_by.is_empty() {
            writeln!(
                out,
                "      {DIM}used by: {}{DIM:#}",
                classified.used_by.join(", ")
            )?;
        }
    }
    Ok(())
}

fn write_lint(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let lint = &report.lint;
    if lint.subgraphs.is_empty() {
        return Ok(());
    }
    section(out, &format!("Lint ({})", lint.subgraphs.join(", ")))?;
    if lint.violations.is_empty() {
        writeln!(out, "  {GOOD}✓{GOOD:#} no rule broken")?;
    }
    for violation in &lint.violations {
        let (mark, style) = if lint.fails(violation) {
            ("✗", BAD)
        } else {
            ("!", WARN)
        };
        let place = violation
            .file
            .as_ref()
            .map(|file| format!(" {DIM}{file}:{}{DIM:#}", violation.line))
            .unwrap_or_default();
        let existing = if violation.existing {
            format!(" {DIM}(already in the current schema){DIM:#}")
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {style}{mark} {}{style:#} {}{existing}{place}",
            violation.rule, violation.message
        )?;
    }
    Ok(())
}
