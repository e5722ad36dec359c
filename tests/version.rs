//! One version: `Cargo.toml`'s is the one `spin.toml` pushes, the SpinKube manifest pulls and
//! `/health` reports, and `CHANGELOG.md` has its section (`scripts/release.sh` refuses a
//! version without one).

use std::path::PathBuf;

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
