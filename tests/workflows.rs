//! The GitHub workflows do what the README and the release path say (they cannot run here;
//! `tests/release/lint-workflows` lints them): CI runs the README's test command on pushes and
//! pull requests, and a version tag runs `scripts/release.sh` to GHCR with the workflow's own
//! token and attaches the `.wasm` and its SHA-256 to the GitHub release.

use std::path::PathBuf;

use serde_json::Value;

fn read(path: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn workflow(name: &str) -> Value {
    serde_norway::from_str(&read(&format!(".github/workflows/{name}"))).unwrap()
}

/// Every `run` script of the workflow's jobs, joined.
fn scripts(workflow: &Value) -> String {
    workflow["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|job| job["steps"].as_array().unwrap())
        .filter_map(|step| step["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ci_runs_the_readmes_test_command_on_pushes_and_pull_requests() {
    let readme = read("README.md");
    assert!(
        readme.contains("```sh\nscripts/test.sh\n```"),
        "the README's test command moved"
    );
    let ci = workflow("ci.yml");
    // YAML 1.1 reads a bare `on` as true; serde_norway keeps it a string key.
    let on = &ci["on"];
    assert!(
        on.get("push").is_some() && on.get("pull_request").is_some(),
        "{on}"
    );
    assert!(
        scripts(&ci)
            .lines()
            .any(|line| line.trim() == "scripts/test.sh")
    );
}

#[test]
fn a_version_tag_releases_to_ghcr_and_attaches_the_wasm_and_its_sha256() {
    let release = workflow("release.yml");
    assert_eq!(release["on"]["push"]["tags"], serde_json::json!(["v*"]));
    let permissions = &release["permissions"];
    assert_eq!(permissions["packages"], "write", "{permissions}");
    assert_eq!(permissions["contents"], "write", "{permissions}");
    let script = scripts(&release);
    assert!(script.contains("spin registry login ghcr.io"), "{script}");
    assert!(
        script.contains("scripts/release.sh \"$VERSION\" \"$REGISTRY\""),
        "{script}"
    );
    assert!(script.contains("registry=ghcr.io/$owner"), "{script}");
    assert!(script.contains("gh release create"), "{script}");
    assert!(script.contains("\"$wasm\" \"$wasm.sha256\""), "{script}");
    assert!(
        script.contains("wasm=target/wasm32-wasip2/release/ecs_deploy_alerts.wasm"),
        "{script}"
    );
}
