//! The documentation holds together: its links and anchors resolve, and its configuration
//! reference names exactly the variables the component has. Each check also runs on a
//! deliberately broken copy, so that it is seen to fail.

mod links;
mod variables;

use std::collections::BTreeSet;
use std::path::PathBuf;

use variables::{LOCAL_ONLY, REFERENCE};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let files = links::published(&root());
    assert!(files.contains(&root().join("README.md")), "{files:?}");
    let broken = links::broken_links(&root(), &files);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn a_broken_link_or_anchor_is_caught() {
    let dir = std::env::temp_dir().join(format!("docs-links-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    let write = |path: &str, text: &str| std::fs::write(dir.join(path), text).unwrap();
    write(
        "README.md",
        "# Title\n\n## Under the real Spin\n\n[ok](#under-the-real-spin) [page](docs/page.md#state) \
         [gone](#under-the-spin) [missing](docs/none.md) [anchor](docs/page.md#nothing) \
         [web](https://example.com/#x) ![picture](docs/page.md)\n",
    );
    write(
        "docs/page.md",
        "# Page\n\n## State\n\n## State\n\n[up](../README.md#title) [twice](#state-1)\n",
    );
    let files = vec![dir.join("README.md"), dir.join("docs/page.md")];
    let broken = links::broken_links(&dir, &files);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        broken,
        [
            "README.md: #under-the-spin: no such heading",
            "README.md: docs/none.md: no such file",
            "README.md: docs/page.md#nothing: no such heading",
        ]
    );
}

#[test]
fn headings_are_anchored_as_github_anchors_them() {
    for (heading, anchor) in [
        ("Under the real Spin", "under-the-real-spin"),
        (
            "One thread per deployment: app mode",
            "one-thread-per-deployment-app-mode",
        ),
        (
            "Akamai Functions (aka plugin)",
            "akamai-functions-aka-plugin",
        ),
        (
            "Blue/green, linear and canary deployments",
            "bluegreen-linear-and-canary-deployments",
        ),
        ("🚨 Alerts & notices", "-alerts--notices"),
        ("snake_case-and-hyphens", "snake_case-and-hyphens"),
    ] {
        assert_eq!(links::github_anchor(heading), anchor, "{heading}");
    }
}

/// The Spin variables the component has.
fn spin_variables() -> BTreeSet<String> {
    variables::toml_keys(&read("spin.toml"), Some("variables"))
}

#[test]
fn the_configuration_reference_names_every_variable_and_no_other() {
    let declared = spin_variables();
    let reference = variables::reference_keys(&read(REFERENCE));
    let example = variables::toml_keys(&read("deploy/spin-variables.example.toml"), None);
    let (wired, secret) = variables::spinkube_keys(&root());
    let remote: BTreeSet<String> = reference
        .iter()
        .filter(|key| !LOCAL_ONLY.contains(&key.as_str()))
        .cloned()
        .collect();
    // The Secret also holds the key-value store's address, which is no Spin variable.
    let secret: BTreeSet<String> = secret
        .into_iter()
        .filter(|key| key != "redis_url")
        .collect();
    let mut drift = variables::differences(("spin.toml", &declared), (REFERENCE, &reference));
    drift.extend(variables::differences(
        (REFERENCE, &reference),
        ("deploy/spin-variables.example.toml", &example),
    ));
    drift.extend(variables::differences(
        (REFERENCE, &remote),
        ("deploy/spinkube/spinapp.yaml", &wired),
    ));
    drift.extend(variables::differences(
        (REFERENCE, &remote),
        ("deploy/spinkube/secret/secret.yaml", &secret),
    ));
    assert!(drift.is_empty(), "{}", drift.join("\n"));
}

#[test]
fn a_variable_missing_from_the_reference_is_caught() {
    let mut reference = read(REFERENCE);
    let row = reference
        .lines()
        .find(|line| line.starts_with("| `ecs_api_url` |"))
        .unwrap()
        .to_owned();
    reference = reference.replace(&format!("{row}\n"), "");
    reference = reference.replace("| `mentions` |", "| `mentions`, `pager_duty` |");
    let keys = variables::reference_keys(&reference);
    let drift = variables::differences(("spin.toml", &spin_variables()), (REFERENCE, &keys));
    assert_eq!(
        drift,
        [
            format!("in spin.toml, not in {REFERENCE}: [\"ecs_api_url\"]"),
            format!("in {REFERENCE}, not in spin.toml: [\"pager_duty\"]"),
        ]
    );
}
