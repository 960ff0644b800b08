//! The check report in each format CI and people read: grouped text for terminals, JSON for
//! tools, GitHub workflow commands (line annotations) with a Markdown job summary, Markdown
//! for a pull-request comment, and JUnit XML for GitLab, Jenkins and the rest. Every format
//! but the human one is built from the same list of [`Finding`]s, so they cannot disagree.

mod github;
mod human;
mod junit;
mod markdown;

use std::io::{self, Write};

use super::{Criticality, Location, Report, approvals::ApprovalStatus, lint::Severity};

pub use self::{github::write_github, human::write_human, markdown::write_markdown};

/// How `router check` writes its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped text, coloured on a terminal
    Human,
    /// One JSON document (it carries a `version`)
    Json,
    /// GitHub Actions workflow commands annotating the proposed SDL's lines; the Markdown
    /// report also goes to $GITHUB_STEP_SUMMARY when that is set
    Github,
    /// A Markdown report, ready to post as a pull-request comment
    Markdown,
    /// JUnit XML (GitLab, Jenkins, Azure Pipelines, …)
    Junit,
}

/// Writes `report` as `format`; `summary` receives the GitHub job summary (Markdown).
pub fn write(
    report: &Report,
    format: Format,
    out: &mut impl Write,
    summary: Option<&mut dyn Write>,
) -> io::Result<()> {
    match format {
        Format::Human => write_human(report, out),
        Format::Json => {
            let json = serde_json::to_string_pretty(report).map_err(io::Error::other)?;
            writeln!(out, "{json}")
        }
        Format::Github => {
            write_github(report, out)?;
            match summary {
                Some(mut summary) => write_markdown(report, &mut summary),
                None => Ok(()),
            }
        }
        Format::Markdown => write_markdown(report, out),
        Format::Junit => junit::write_junit(report, out),
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Fails the check.
    Error,
    /// Worth a reviewer's look; the check passes.
    Warning,
    /// Passes for a stated reason: an approval, or no recorded traffic.
    Notice,
}

/// Which check a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Drift,
    Composition,
    Changes,
    Operations,
    Lint,
    Approvals,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Drift,
        Section::Composition,
        Section::Changes,
        Section::Operations,
        Section::Lint,
        Section::Approvals,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Drift => "Drift",
            Section::Composition => "Composition",
            Section::Changes => "Schema changes",
            Section::Operations => "Client operations",
            Section::Lint => "Lint",
            Section::Approvals => "Approvals",
        }
    }

    /// Whether the check ran in `report` (sections that did not run are left out of reports).
    pub fn ran(self, report: &Report) -> bool {
        match self {
            Section::Drift => report.proposal.is_none(),
            Section::Composition => true,
            Section::Changes => report.proposal.is_some() && report.operations.checked,
            Section::Operations => report.operations.checked,
            Section::Lint => !report.lint.subgraphs.is_empty(),
            Section::Approvals => {
                report.approvals.file.is_some()
                    && report.proposal.is_some()
                    && report.operations.checked
            }
        }
    }
}

/// One thing a report says: what, how much it matters, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub section: Section,
    /// A short name for it (`FIELD_REMOVED Product.sku`).
    pub title: String,
    /// One line saying what is wrong or what was decided.
    pub summary: String,
    /// Supporting text: a diff, the library's message, validation errors.
    pub detail: String,
    pub location: Option<Location>,
}

/// Why the check failed, one line each.
pub fn failures(report: &Report) -> Vec<String> {
    findings(report)
        .into_iter()
        .filter(|finding| finding.level == Level::Error)
        .map(|finding| finding.summary)
        .collect()
}

/// Everything the report says that a reader should see, in section order.
pub fn findings(report: &Report) -> Vec<Finding> {
    let mut found = Vec::new();
    for drift in &report.drift {
        found.push(Finding {
            level: Level::Error,
            section: Section::Drift,
            title: format!("{} is out of date", drift.file),
            summary: format!(
                "{} is out of date: it differs from {}; regenerate it with `{}`",
                drift.file, drift.source, drift.regenerate
            ),
            detail: drift.diff.clone(),
            location: Some(Location {
                file: drift.file.clone(),
                line: drift.line,
                column: 1,
            }),
        });
    }
    for located in &report.composition.errors {
        let issue = &located.issue;
        let place = issue.place();
        found.push(Finding {
            level: Level::Error,
            section: Section::Composition,
            title: issue.code.to_owned(),
            summary: format!("{} ({place}): {}", issue.code, issue.explanation),
            detail: issue.message.clone(),
            location: located.location.clone(),
        });
    }
    for classified in &report.changes {
        let change = &classified.change;
        let coordinate = change.coordinate();
        let expired = match &classified.approval {
            Some(ApprovalStatus::Expired { expired, .. }) => {
                format!(" (its approval expired on {expired})")
            }
            _ => String::new(),
        };
        let window = report.usage.as_ref().map_or(String::new(), |usage| {
            format!(" in the last {}", usage.window)
        });
        let mut users = Vec::new();
        if !classified.used_by.is_empty() {
            users.push(classified.used_by.join(", "));
        }
        if !classified.traffic.is_empty() {
            users.push(format!(
                "recorded traffic from {}{window}",
                classified.traffic.join(", ")
            ));
        }
        let approved = matches!(classified.approval, Some(ApprovalStatus::Approved { .. }));
        let summary = match change.criticality() {
            Criticality::Safe => continue,
            Criticality::Dangerous => format!("dangerous change to {coordinate}"),
            Criticality::Breaking => match &classified.approval {
                Some(ApprovalStatus::Approved { reason }) => {
                    format!("approved breaking change to {coordinate}: {reason}")
                }
                _ if !users.is_empty() => format!(
                    "breaking change to {coordinate} used by {}{expired}",
                    users.join(" and by ")
                ),
                _ if classified.fails => {
                    format!("breaking change to {coordinate} (--strict){expired}")
                }
                _ if report.usage.is_some() => format!(
                    "breaking change to {coordinate} is safe: no registered operation uses it \
                     and no recorded operation did{window}"
                ),
                _ => format!(
                    "breaking change to {coordinate}; no registered operation uses it{expired}"
                ),
            },
        };
        // Whether it fails was decided once, with the change (`ClassifiedChange::fails`).
        let level = if classified.fails {
            Level::Error
        } else if change.criticality() == Criticality::Breaking
            && (approved || report.usage.is_some())
        {
            Level::Notice
        } else {
            Level::Warning
        };
        found.push(Finding {
            level,
            section: Section::Changes,
            title: format!("{} {coordinate}", change.code()),
            summary,
            detail: change.message(),
            location: classified.location.clone(),
        });
    }
    for invalid in &report.operations.invalid {
        let operations = invalid.operations.join(", ");
        let (level, summary) = if invalid.approved {
            (
                Level::Notice,
                format!(
                    "{operations} no longer validate(s), through approved breaking changes only"
                ),
            )
        } else {
            (Level::Error, format!("{operations} no longer validate(s)"))
        };
        found.push(Finding {
            level,
            section: Section::Operations,
            title: format!("{operations} no longer validate(s)"),
            summary,
            detail: invalid.errors.join("\n"),
            location: Some(Location {
                file: invalid.file.clone(),
                line: invalid.line,
                column: 1,
            }),
        });
    }
    for violation in &report.lint.violations {
        let level = match (report.lint.fails(violation), violation.severity) {
            (true, _) => Level::Error,
            (false, Severity::Off) => continue,
            (false, _) => Level::Warning,
        };
        let existing = if violation.existing {
            " (already in the current schema)"
        } else {
            ""
        };
        found.push(Finding {
            level,
            section: Section::Lint,
            title: violation.rule.to_string(),
            summary: format!(
                "{} [{}] {}{existing}",
                violation.subgraph, violation.rule, violation.message
            ),
            detail: String::new(),
            location: violation.file.as_ref().map(|file| Location {
                file: file.clone(),
                line: violation.line,
                column: violation.column,
            }),
        });
    }
    for stale in &report.approvals.stale {
        let approval = &stale.approval;
        found.push(Finding {
            level: Level::Warning,
            section: Section::Approvals,
            title: "stale approval".to_owned(),
            summary: format!(
                "the approval of {} at {} matches no change in this proposal; remove it",
                approval.change, approval.coordinate
            ),
            detail: approval.reason.clone(),
            location: stale.location.clone(),
        });
    }
    found
}
