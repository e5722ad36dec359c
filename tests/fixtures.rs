//! Every fixture through the whole pipeline, compared with its reviewed expectation in
//! `fixtures/expected/` (status, JSON answer and the exact Slack payload).
//!
//! After a deliberate change, `UPDATE_EXPECT=1 cargo test --test fixtures` rewrites the
//! expectations; review the diff before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use ecs_deploy_alerts::delivery::SLACK_TIMEOUTS;
use ecs_deploy_alerts::memory::MemoryHost;
use serde_json::{Value, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture settings: the same file the end-to-end suite configures the component with.
fn settings() -> Vec<(String, String)> {
    let text = fs::read_to_string(root().join("fixtures/expected/config.json")).unwrap();
    let config: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    config
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
        .collect()
}

fn fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 14, "fixtures went missing: {paths:?}");
    paths
}

/// What the pipeline did with one fixture, in the expectation files' shape.
fn run(fixture: &Path) -> Value {
    let settings = settings();
    let pairs: Vec<(&str, &str)> = settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let api_key = settings
        .iter()
        .find(|(k, _)| k == "api_key")
        .unwrap()
        .1
        .clone();
    let mut host = MemoryHost::new(&pairs, fs::read(fixture).unwrap());
    let handled = host.handle(
        "POST",
        "/",
        &[
            ("content-type", "application/json; charset=utf-8"),
            ("user-agent", "Amazon/EventBridge/ApiDestinations"),
            ("x-api-key", &api_key),
        ],
    );
    let slack = match host.posts.as_slice() {
        [] => Value::Null,
        [post] => {
            assert_eq!(post.scheme, "https");
            assert_eq!(post.authority, "hooks.slack.com");
            assert_eq!(post.timeouts, SLACK_TIMEOUTS);
            serde_json::from_slice(&post.payload).unwrap()
        }
        more => panic!("{} posts for one event", more.len()),
    };
    json!({
        "status": handled.reply.status,
        "response": serde_json::from_slice::<Value>(&handled.reply.body).unwrap(),
        "slack": slack,
    })
}

#[test]
fn every_fixture_matches_its_reviewed_expectation() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut mismatches = Vec::new();
    for fixture in fixtures() {
        let name = fixture.file_name().unwrap();
        let expected_path = root().join("fixtures/expected").join(name);
        let actual = run(&fixture);
        if update {
            let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
            fs::write(&expected_path, text).unwrap();
            continue;
        }
        let expected: Value = fs::read_to_string(&expected_path)
            .map(|text| serde_json::from_str(&text).unwrap())
            .unwrap_or_else(|_| {
                panic!(
                    "{} has no expectation; run with UPDATE_EXPECT=1",
                    name.display()
                )
            });
        if actual != expected {
            mismatches.push(format!(
                "{}:\n  expected {expected}\n  actual   {actual}",
                name.display()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The expectations themselves keep Slack's rules: an independent check of every payload.
#[test]
fn every_expected_payload_keeps_block_kit_limits_and_escaping() {
    for fixture in fixtures() {
        let actual = run(&fixture);
        let Some(message) = actual["slack"].as_object() else {
            continue;
        };
        let name = fixture.display();
        let text = message["text"].as_str().unwrap();
        assert!(!text.is_empty() && text.chars().count() <= 1000, "{name}");
        let blocks = message["blocks"].as_array().unwrap();
        assert!(blocks.len() <= 50, "{name}");
        let mut texts = vec![text.to_owned()];
        for block in blocks {
            match block["type"].as_str().unwrap() {
                "header" => {
                    let t = block["text"]["text"].as_str().unwrap();
                    assert!(t.chars().count() <= 150, "{name}: header");
                    texts.push(t.to_owned());
                }
                "section" => {
                    if let Some(t) = block["text"]["text"].as_str() {
                        assert!(t.chars().count() <= 3000, "{name}: section");
                        texts.push(t.to_owned());
                    }
                    if let Some(fields) = block["fields"].as_array() {
                        assert!(fields.len() <= 10, "{name}: fields");
                        for field in fields {
                            let t = field["text"].as_str().unwrap();
                            assert!(t.chars().count() <= 2000, "{name}: field");
                            texts.push(t.to_owned());
                        }
                    }
                }
                "actions" => {
                    let button = &block["elements"][0];
                    assert!(button["text"]["text"].as_str().unwrap().chars().count() <= 75);
                    let url = button["url"].as_str().unwrap();
                    assert!(url.starts_with("https://") && url.len() <= 3000, "{name}");
                }
                "context" => {
                    for element in block["elements"].as_array().unwrap() {
                        let t = element["text"].as_str().unwrap();
                        assert!(t.chars().count() <= 3000, "{name}: context");
                        texts.push(t.to_owned());
                    }
                }
                other => panic!("{name}: unexpected block {other}"),
            }
        }
        for t in texts {
            assert!(
                !t.contains('<') && !t.contains('>'),
                "{name}: unescaped text {t}"
            );
        }
    }
}
