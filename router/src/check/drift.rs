//! Drift: a committed, generated file that no longer equals what generating it gives now.

use std::path::Path;

use serde::Serialize;
use similar::TextDiff;

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
    let shown = super::shown(file);
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
