//! Drift: a committed, generated file that no longer equals what generating it gives now.

use std::path::Path;

use serde::Serialize;
use similar::TextDiff;

use super::{
    CheckFileError,
    inputs::{CheckRequest, read},
    model::shown,
};

/// Lines of diff shown before the rest is summarised.
const DIFF_LINES_SHOWN: usize = 24;

/// A committed file out of date with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub file: String,
    /// What the file is checked against, in words (`a fresh composition of supergraph.yaml`).
    pub source: String,
    /// A short unified diff, committed (`-`) to fresh (`+`).
    pub diff: String,
    /// The one command that regenerates the file.
    pub regenerate: String,
    /// The first line of the committed file that differs (counting from 1).
    pub line: usize,
}

/// The drift stage: the committed supergraph against a fresh composition (`supergraph`, when
/// the graph composed) and each generated file against a fresh one. Not for a proposal, whose
/// files are not committed yet.
pub fn committed_files(
    request: &CheckRequest,
    supergraph: Option<&str>,
) -> Result<Vec<Drift>, CheckFileError> {
    let mut drift = Vec::new();
    if request.proposal.is_some() {
        return Ok(drift);
    }
    if let (Some(file), Some(supergraph)) = (&request.supergraph, supergraph) {
        let committed = read(file)?;
        let source = format!("a fresh composition of {}", request.config.display());
        drift.extend(compare(
            file,
            &committed,
            supergraph,
            &source,
            &request.regenerate,
        ));
    }
    for pair in &request.drift {
        let (committed, fresh) = (read(&pair.committed)?, read(&pair.fresh)?);
        let source = "the schema its code prints";
        drift.extend(compare(
            &pair.committed,
            &committed,
            &fresh,
            source,
            &request.regenerate,
        ));
    }
    Ok(drift)
}

/// `Some(drift)` when `committed` (the contents of `file`) differs from `fresh`.
pub fn compare(
    file: &Path,
    committed: &str,
    fresh: &str,
    source: &str,
    regenerate: &str,
) -> Option<Drift> {
    if committed == fresh {
        return None;
    }
    let shown = shown(file);
    let text_diff = TextDiff::from_lines(committed, fresh);
    let line = text_diff
        .ops()
        .iter()
        .find(|op| op.tag() != similar::DiffTag::Equal)
        .map_or(1, |op| op.old_range().start + 1);
    let diff = text_diff
        .unified_diff()
        .context_radius(1)
        .header(&format!("{shown} (committed)"), "fresh")
        .to_string();
    let total = diff.lines().count();
    let mut short: String = diff
        .lines()
        .take(DIFF_LINES_SHOWN)
        .map(|line| format!("{line}\n"))
        .collect();
    if total > DIFF_LINES_SHOWN {
        short.push_str(&format!("… {} more diff lines\n", total - DIFF_LINES_SHOWN));
    }
    Some(Drift {
        file: shown,
        source: source.to_owned(),
        diff: short,
        regenerate: regenerate.to_owned(),
        line,
    })
}
