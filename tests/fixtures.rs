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
    assert!(paths.len() >= 16, "fixtures went missing: {paths:?}");
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

/// The reviewed files themselves keep Slack's rules: an independent check of every payload
/// as committed, whatever the code now renders.
#[test]
fn every_reviewed_payload_keeps_block_kit_limits_and_escaping() {
    let mut checked = 0;
    for fixture in fixtures() {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let path = root().join("fixtures/expected").join(&name);
        let Ok(text) = fs::read_to_string(&path) else {
            continue; // the snapshot test reports missing expectations
        };
        let expected: Value = serde_json::from_str(&text).unwrap();
        let Some(message) = expected["slack"].as_object() else {
            continue;
        };
        check_message(&name, message);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} payloads checked");
}

fn check_message(name: &str, message: &serde_json::Map<String, Value>) {
    let text = message["text"].as_str().unwrap();
    assert!(!text.is_empty() && text.chars().count() <= 1000, "{name}");
    assert_escaped(name, text);
    assert_eq!(message["unfurl_links"], false, "{name}");
    assert_eq!(message["unfurl_media"], false, "{name}");
    let blocks = message["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50, "{name}");
    let mut texts = Vec::new();
    for block in blocks {
        match block["type"].as_str().unwrap() {
            "header" => {
                assert_eq!(block["text"]["type"], "plain_text", "{name}");
                let t = block["text"]["text"].as_str().unwrap();
                assert!(t.chars().count() <= 150, "{name}: header");
                assert_escaped(name, t);
            }
            "section" => {
                if !block["text"].is_null() {
                    texts.push((&block["text"], 3000));
                }
                if let Some(fields) = block["fields"].as_array() {
                    assert!(fields.len() <= 10, "{name}: fields");
                    texts.extend(fields.iter().map(|f| (f, 2000)));
                }
            }
            "actions" => {
                let button = &block["elements"][0];
                assert!(button["text"]["text"].as_str().unwrap().chars().count() <= 75);
                let url = button["url"].as_str().unwrap();
                assert!(url.starts_with("https://") && url.len() <= 3000, "{name}");
            }
            "context" => {
                texts.extend(
                    block["elements"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| (e, 3000)),
                );
            }
            other => panic!("{name}: unexpected block {other}"),
        }
    }
    for (object, limit) in texts {
        let t = object["text"].as_str().unwrap();
        assert!(t.chars().count() <= limit, "{name}: over {limit}: {t}");
        assert_escaped(name, t);
        if object["type"] == "mrkdwn" {
            assert_eq!(object["verbatim"], true, "{name}: {object}");
            assert_only_our_formatting(name, t);
        }
    }
}

/// No `<` or `>` (Slack's control characters), and every `&` starts an escape.
fn assert_escaped(name: &str, text: &str) {
    assert!(
        !text.contains('<') && !text.contains('>'),
        "{name}: unescaped: {text}"
    );
    for (i, _) in text.match_indices('&') {
        let rest = &text[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;"]
                .iter()
                .any(|e| rest.starts_with(e)),
            "{name}: bare & in {text}"
        );
    }
}

/// Outside code spans and blocks, a mrkdwn text holds only our own labels and words: event
/// text (all of it inside code) cannot mention, link or format.
fn assert_only_our_formatting(name: &str, text: &str) {
    let mut outside = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        outside.push_str(&rest[..start]);
        let fence = if rest[start..].starts_with("```") {
            "```"
        } else {
            "`"
        };
        let after = &rest[start + fence.len()..];
        let end = after
            .find(fence)
            .unwrap_or_else(|| panic!("{name}: unclosed code in {text}"));
        rest = &after[end + fence.len()..];
        outside.push(' ');
    }
    outside.push_str(rest);
    for line in outside.lines() {
        let line = line.trim();
        let ours = line.is_empty()
            || line == "_ECS gave no reason._"
            || (line.starts_with('*')
                && line.ends_with('*')
                && line[1..line.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' '))
            || line
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " ·:,.()".contains(c));
        assert!(
            ours,
            "{name}: event text outside code: {line:?} in {text:?}"
        );
    }
}
