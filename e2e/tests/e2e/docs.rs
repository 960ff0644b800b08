//! The manual's links: README is the front door and `docs/` the manual, so a link that moved
//! or a heading that was renamed must fail here, not in a reader's browser.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use xtask::paths;

/// The files a reader starts from: README and everything under `docs/`, plus the READMEs
/// beside the code they describe.
fn manual() -> Vec<PathBuf> {
    let root = paths::workspace_root();
    let mut files = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).expect("docs/") {
        let path = entry.expect("a docs/ entry").path();
        if path.extension().is_some_and(|ext| ext == "md") {
            files.push(path);
        }
    }
    for readme in [
        "docker/README.md",
        "deploy/kubernetes/README.md",
        "dev-identity/README.md",
        "tools/audit/README.md",
        "vendor/graphql-composition/README.md",
        "vendor/graphql-composition/PATCHES.md",
    ] {
        files.push(root.join(readme));
    }
    files
}

/// What a Markdown file links to, and the anchors its headings get on GitHub.
struct Page {
    links: Vec<String>,
    anchors: BTreeSet<String>,
}

fn read_page(path: &Path) -> Page {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    let mut links = Vec::new();
    let mut anchors = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut heading: Option<String> = None;
    for event in Parser::new(&text) {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push(dest_url.to_string());
            }
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(text) | Event::Code(text) => {
                if let Some(heading) = &mut heading {
                    heading.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let slug = github_slug(&heading.take().unwrap_or_default());
                // GitHub numbers repeated headings: `setup`, `setup-1`, …
                let count = seen.entry(slug.clone()).or_default();
                anchors.insert(match *count {
                    0 => slug,
                    n => format!("{slug}-{n}"),
                });
                *count += 1;
            }
            _ => {}
        }
    }
    Page { links, anchors }
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.
pub fn github_slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn every_relative_link_in_readme_and_docs_resolves() {
    let root = paths::workspace_root();
    let mut pages: BTreeMap<PathBuf, Page> = BTreeMap::new();
    let mut broken = Vec::new();
    let mut checked = 0;
    let files = manual();
    for file in &files {
        let page = read_page(file);
        for link in &page.links {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (target, anchor) = link.split_once('#').unwrap_or((link, ""));
            let target = if target.is_empty() {
                file.clone()
            } else {
                file.parent().expect("a file's folder").join(target)
            };
            let Ok(target) = target.canonicalize() else {
                broken.push(format!("{}: {link} (no such file)", relative(&root, file)));
                continue;
            };
            if anchor.is_empty() || target.extension().is_none_or(|ext| ext != "md") {
                continue;
            }
            let anchors = &pages
                .entry(target.clone())
                .or_insert_with(|| read_page(&target))
                .anchors;
            if !anchors.contains(anchor) {
                broken.push(format!(
                    "{}: {link} (no such heading)",
                    relative(&root, file)
                ));
            }
        }
    }
    println!("{checked} relative links in {} files resolve", files.len());
    assert!(
        checked > 50,
        "only {checked} relative links found: is the manual there?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// README is the front door: what the system is, the two commands, the picture, the layout,
/// the commands and where to read next; the manual lives in `docs/`.
#[test]
fn readme_stays_a_front_door() {
    let readme = std::fs::read_to_string(paths::workspace_root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 300,
        "README.md has {lines} lines: move the manual's parts to docs/"
    );
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
