//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` per finding, which
//! GitHub shows as an annotation on the file and line it names (the proposed SDL, a lint
//! violation's line, a drifted file), then the full text report in a collapsed group.

use std::io::{self, Write};

use super::{Level, Report, findings, write_human};

/// Writes the annotations, a one-line verdict and the human report (folded).
pub fn write_github(report: &Report, out: &mut impl Write) -> io::Result<()> {
    for finding in findings(report) {
        let command = match finding.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        };
        let mut properties = Vec::new();
        if let Some(location) = &finding.location {
            properties.push(format!("file={}", escape_property(&location.file)));
            properties.push(format!("line={}", location.line));
            properties.push(format!("col={}", location.column));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("{}: {}", finding.section.title(), finding.title))
        ));
        let mut message = finding.summary.clone();
        if !finding.detail.is_empty() {
            message.push('\n');
            message.push_str(&finding.detail);
        }
        writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        )?;
    }
    writeln!(out, "::group::Schema check report")?;
    let mut text = Vec::new();
    write_human(report, &mut text)?;
    out.write_all(&anstream::adapter::strip_bytes(&text).into_vec())?;
    writeln!(out, "::endgroup::")
}

/// A workflow command's message: `%`, CR and LF are percent-encoded (GitHub's toolkit rules).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as a message, plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
