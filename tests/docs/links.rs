//! Every relative link and `#anchor` in the project's Markdown resolves: to a file or folder
//! that exists, and, with a fragment, to a heading of that Markdown file, anchored as GitHub
//! anchors headings.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The Markdown the project publishes: the root's pages, `docs/`, and the READMEs beside the
/// fixtures, tests and deployment files.
pub fn published(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["README.md", "CHANGELOG.md"]
        .iter()
        .map(|name| root.join(name))
        .filter(|path| path.exists())
        .collect();
    for folder in ["docs", "deploy", "fixtures", "scripts", "tests"] {
        collect_markdown(&root.join(folder), &mut files);
    }
    files.sort();
    files
}

fn collect_markdown(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.map(|entry| entry.unwrap().path()) {
        if entry.is_dir() {
            collect_markdown(&entry, files);
        } else if entry.extension().is_some_and(|ext| ext == "md") {
            files.push(entry);
        }
    }
}

/// A Markdown file's headings' anchors and its links' destinations.
struct Page {
    anchors: Vec<String>,
    links: Vec<String>,
}

fn read_page(text: &str) -> Page {
    let mut anchors = Vec::new();
    let mut links = Vec::new();
    let mut heading: Option<String> = None;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(part) | Event::Code(part) => {
                if let Some(heading) = heading.as_mut() {
                    heading.push_str(&part);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let base = github_anchor(&heading.take().unwrap_or_default());
                let count = seen.entry(base.clone()).or_default();
                anchors.push(match *count {
                    0 => base,
                    n => format!("{base}-{n}"),
                });
                *count += 1;
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push(dest_url.into_string());
            }
            _ => {}
        }
    }
    Page { anchors, links }
}

/// The anchor GitHub gives a heading: lower-case, spaces made hyphens, and every character
/// but letters, digits, `-` and `_` dropped (emoji and punctuation go).
pub fn github_anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// Every link of `files` (under `root`) that does not resolve, as `FILE: DESTINATION: why`.
pub fn broken_links(root: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut pages: BTreeMap<PathBuf, Page> = BTreeMap::new();
    let mut page_of = |path: &Path| -> Option<Vec<String>> {
        if !pages.contains_key(path) {
            let text = std::fs::read_to_string(path).ok()?;
            pages.insert(path.to_owned(), read_page(&text));
        }
        Some(pages[path].anchors.clone())
    };
    let mut broken = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        for link in read_page(&text).links {
            if is_external(&link) {
                continue;
            }
            let (path, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() {
                file.clone()
            } else {
                normalize(&file.parent().unwrap().join(path))
            };
            if !target.starts_with(root) || !target.exists() {
                broken.push(format!("{shown}: {link}: no such file"));
                continue;
            }
            if fragment.is_empty() {
                continue;
            }
            if target.extension().is_none_or(|ext| ext != "md") {
                broken.push(format!(
                    "{shown}: {link}: an anchor into a file that is not Markdown"
                ));
                continue;
            }
            let anchors = page_of(&target).unwrap_or_default();
            if !anchors.iter().any(|anchor| anchor == fragment) {
                broken.push(format!("{shown}: {link}: no such heading"));
            }
        }
    }
    broken
}

/// Whether `link` leaves the repository (`https:`, `mailto:` and the like).
fn is_external(link: &str) -> bool {
    let scheme = link.split(['/', '#', '?']).next().unwrap_or_default();
    scheme.contains(':')
}

/// `path` with its `.` and `..` resolved, as the browser resolves a relative link.
fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}
