//! The release path as files: one version (`Cargo.toml`'s is the one `spin.toml` pushes, the
//! SpinKube manifest pulls and `/health` reports, and `CHANGELOG.md` has its section;
//! `scripts/release.sh` refuses a version without one), and GitHub workflows that do what the
//! README and the release path say (they cannot run here; `tests/release/lint-workflows` lints
//! them): CI runs the README's test command on pushes and pull requests, and a version tag runs
//! `scripts/release.sh` to GHCR with the workflow's own token and attaches the `.wasm` and its
//! SHA-256 to the GitHub release. `tests/release/run` proves the path itself.

use std::path::PathBuf;

use serde_json::Value;

fn read(path: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[test]
fn spin_toml_pushes_the_crates_version() {
    let manifest: toml::Table = read("spin.toml").parse().unwrap();
    assert_eq!(manifest["application"]["version"].as_str(), Some(VERSION));
}

#[test]
fn the_spinkube_manifest_pulls_the_crates_version() {
    let app: serde_json::Value =
        serde_norway::from_str(&read("deploy/spinkube/spinapp.yaml")).unwrap();
    let image = app["spec"]["image"].as_str().unwrap();
    let (name, tag) = image.rsplit_once(':').unwrap();
    assert!(name.ends_with("/ecs-deploy-alerts"), "{image}");
    assert_eq!(tag, VERSION, "{image}");
}

#[test]
fn the_lock_file_has_the_crates_version() {
    let lock: toml::Table = read("Cargo.lock").parse().unwrap();
    let ours = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|package| package["name"].as_str() == Some("ecs-deploy-alerts"))
        .unwrap();
    assert_eq!(ours["version"].as_str(), Some(VERSION));
}

#[test]
fn the_changelog_has_a_section_for_the_version() {
    let heading = format!("## {VERSION}");
    let changelog = read("CHANGELOG.md");
    assert!(
        changelog
            .lines()
            .any(|line| line == heading || line.starts_with(&format!("{heading} "))),
        "CHANGELOG.md has no `{heading}` section"
    );
}

#[test]
fn health_reports_the_crates_version() {
    use ecs_deploy_alerts::memory::MemoryHost;
    let settings = [("dry_run", "true"), ("api_key", "version-key")];
    let mut host = MemoryHost::new(&settings, Vec::new());
    let handled = host.handle("GET", "/health", &[("x-api-key", "version-key")]);
    let health: serde_json::Value = serde_json::from_slice(&handled.reply.body).unwrap();
    assert_eq!(health["version"], VERSION, "{health}");
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
