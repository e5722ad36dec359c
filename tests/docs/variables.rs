//! The configuration reference cannot drift from what the component reads: every Spin
//! variable of `spin.toml` has a row in the reference table, every key there is a variable, and
//! the example variables file and the SpinKube manifests list the same keys.

use std::collections::BTreeSet;
use std::path::Path;

/// The configuration reference: the page and its table's header.
pub const REFERENCE: &str = "docs/configuration.md";
const TABLE_HEADER: &str = "| key | meaning |";

/// Variables that are for local use only, and deliberately not wired to SpinKube's Secret.
pub const LOCAL_ONLY: [&str; 2] = ["dry_run", "allow_unauthenticated"];

/// The keys named (in backticks) in the first column of the reference table in `text`.
pub fn reference_keys(text: &str) -> BTreeSet<String> {
    let mut lines = text.lines().skip_while(|line| line.trim() != TABLE_HEADER);
    lines.next();
    lines
        .take_while(|line| line.starts_with('|'))
        .filter(|line| !line.starts_with("|---"))
        .flat_map(|row| {
            let first = row.split('|').nth(1).unwrap_or_default();
            first
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The top-level keys of a TOML table (`[variables]` of `spin.toml`, or the example file).
pub fn toml_keys(text: &str, table: Option<&str>) -> BTreeSet<String> {
    let document: toml::Table = text.parse().unwrap();
    let table = match table {
        Some(name) => document[name].as_table().unwrap(),
        None => &document,
    };
    table.keys().cloned().collect()
}

/// The variables the SpinApp manifest wires, and the keys of its Secret's template.
pub fn spinkube_keys(root: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let read = |path: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        serde_norway::from_str(&text).unwrap()
    };
    let app = read("deploy/spinkube/spinapp.yaml");
    let wired = app["spec"]["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|variable| variable["name"].as_str().unwrap().to_owned())
        .collect();
    let secret = read("deploy/spinkube/secret/secret.yaml");
    let keys = secret["stringData"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    (wired, keys)
}

/// What differs between two key sets, named for the reader: empty when they agree.
pub fn differences(
    (left_name, left): (&str, &BTreeSet<String>),
    (right_name, right): (&str, &BTreeSet<String>),
) -> Vec<String> {
    let only = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> Vec<String> {
        a.difference(b).cloned().collect()
    };
    let mut found = Vec::new();
    let missing_right = only(left, right);
    if !missing_right.is_empty() {
        found.push(format!(
            "in {left_name}, not in {right_name}: {missing_right:?}"
        ));
    }
    let missing_left = only(right, left);
    if !missing_left.is_empty() {
        found.push(format!(
            "in {right_name}, not in {left_name}: {missing_left:?}"
        ));
    }
    found
}
