//! Results files: what a bench or a drill measured, written where the workspace keeps them, and
//! README's copies of their tables (between `<!-- file -->` markers), so that no figure in
//! README is typed by hand.

use std::path::Path;

use anyhow::Context;
use xtask::paths;

use super::step;

/// Writes a results file (`relative` to the workspace root) and prints it.
pub fn publish(relative: &Path, text: &str) -> anyhow::Result<()> {
    let path = paths::workspace_root().join(relative);
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    println!("{text}");
    step(&format!("Wrote {}", path.display()));
    Ok(())
}

/// Writes a results file (`relative` to the workspace root) without printing it.
pub fn publish_quietly(relative: &Path, text: &str) -> anyhow::Result<()> {
    let path = paths::workspace_root().join(relative);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    step(&format!("Wrote {}", path.display()));
    Ok(())
}

/// Replaces what README.md holds between `<!-- {results} -->` and `<!-- /{results} -->` with
/// `text`, taken from the results file `results`: README's figures are the file's, never typed.
pub fn publish_into_readme(results: &str, text: &str) -> anyhow::Result<()> {
    let path = paths::workspace_root().join("README.md");
    let readme = std::fs::read_to_string(&path)?;
    let (start, end) = readme_block(&readme, results)?;
    std::fs::write(
        &path,
        format!("{}{text}{}", &readme[..start], &readme[end..]),
    )?;
    step(&format!("Wrote the {results} figures into README.md"));
    Ok(())
}

/// Where README's copy of the results file `results` lies (after its opening marker's line, up
/// to its closing marker).
fn readme_block(readme: &str, results: &str) -> anyhow::Result<(usize, usize)> {
    let (open, close) = (
        format!("<!-- {results} -->\n"),
        format!("<!-- /{results} -->"),
    );
    let start = readme
        .find(&open)
        .with_context(|| format!("README.md has no `{}`", open.trim()))?
        + open.len();
    let end = start
        + readme[start..]
            .find(&close)
            .with_context(|| format!("README.md has no `{close}`"))?;
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{bench, drill};

    /// README's tables are copies of the results files their commands wrote, as written.
    #[test]
    fn readme_figures_are_the_results_files_own() {
        let root = paths::workspace_root();
        let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
        for results in [bench::subscriptions::RESULTS, drill::RESULTS] {
            let written = std::fs::read_to_string(root.join(results)).expect(results);
            let (start, end) = readme_block(&readme, results).expect("README's block");
            let shown = &readme[start..end];
            assert!(
                shown.contains("| ---") && written.contains(shown),
                "README.md's figures from {results} are not the file's; rerun its command"
            );
        }
    }
}
