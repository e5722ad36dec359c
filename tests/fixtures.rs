//! Every fixture through the whole pipeline, compared with its reviewed expectation in
//! `fixtures/expected/` (status, JSON answer and the exact Slack payload), and every scenario
//! of `fixtures/scenarios/` (several events through one store) with `fixtures/expected/scenarios/`.
//!
//! After a deliberate change, `UPDATE_EXPECT=1 cargo test --test fixtures` rewrites the
//! expectations; review the diff before committing it.

mod expect;

use std::fs;
use std::path::{Path, PathBuf};

use ecs_deploy_alerts::delivery::SLACK_TIMEOUTS;
use ecs_deploy_alerts::memory::{MemoryStore, START_OF_TIME};
use expect::{
    Scenario, Step, check_message, compare, host_for, json_files, post_as_eventbridge, root,
    scenarios, settings,
};
use serde_json::{Value, json};

fn fixtures() -> Vec<PathBuf> {
    json_files("fixtures", 16)
}

/// What the pipeline did with one fixture, in the expectation files' shape.
fn run(fixture: &Path) -> Value {
    run_step(
        fixture,
        &settings(),
        &MemoryStore::default(),
        200,
        START_OF_TIME,
    )
}

/// Posts `fixture` with `settings` to a host that sees `store` and whose Slack answers
/// `slack_status`, at `now`.
fn run_step(
    fixture: &Path,
    settings: &[(String, String)],
    store: &MemoryStore,
    slack_status: u16,
    now: u64,
) -> Value {
    let mut host = host_for(fixture, settings, store, slack_status, now);
    let handled = post_as_eventbridge(&mut host, settings);
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

/// One scenario through one store, a second apart per step: each step's result, named.
fn run_scenario(settings: &[(String, String)], steps: &[Step]) -> Value {
    let store = MemoryStore::default();
    let results = steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let mut result = run_step(
                &step.fixture,
                settings,
                &store,
                step.slack,
                START_OF_TIME + i as u64,
            );
            result["post"] = json!(step.fixture.file_name().unwrap().to_string_lossy());
            result
        })
        .collect();
    Value::Array(results)
}

#[test]
fn every_scenario_matches_its_reviewed_expectation() {
    let mut mismatches = Vec::new();
    for Scenario {
        name,
        settings,
        steps,
    } in scenarios()
    {
        let path = root().join("fixtures/expected/scenarios").join(&name);
        compare(&path, &run_scenario(&settings, &steps), &mut mismatches);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_fixture_matches_its_reviewed_expectation() {
    let mut mismatches = Vec::new();
    for fixture in fixtures() {
        let path = root()
            .join("fixtures/expected")
            .join(fixture.file_name().unwrap());
        compare(&path, &run(&fixture), &mut mismatches);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The reviewed files themselves keep Slack's rules: an independent check of every payload
/// as committed, whatever the code now renders.
#[test]
fn every_reviewed_payload_keeps_block_kit_limits_and_escaping() {
    let mut checked = 0;
    let expected = root().join("fixtures/expected");
    let files = fixtures()
        .into_iter()
        .map(|f| expected.join(f.file_name().unwrap()))
        .chain(
            scenarios()
                .into_iter()
                .map(|scenario| expected.join("scenarios").join(scenario.name)),
        );
    for path in files {
        let name = path.display().to_string();
        let Ok(text) = fs::read_to_string(&path) else {
            continue; // the snapshot tests report missing expectations
        };
        let results: Value = serde_json::from_str(&text).unwrap();
        let results = match results {
            Value::Array(steps) => steps,
            one => vec![one],
        };
        for result in results {
            if let Some(message) = result["slack"].as_object() {
                check_message(&name, message);
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} payloads checked");
}

/// Every hint of the table shows in the reviewed alert of a `cause-*` scenario, under a cause
/// line that still gives the exit code or the reason; the unknown cause shows none.
#[test]
fn every_hint_has_a_scenario_that_shows_it_beside_the_reason() {
    let expected = root().join("fixtures/expected/scenarios");
    let mut shown = Vec::new();
    for Scenario { name, .. } in scenarios() {
        if !name.starts_with("cause-") {
            continue;
        }
        let steps: Value =
            serde_json::from_str(&fs::read_to_string(expected.join(&name)).unwrap()).unwrap();
        let alert = &steps.as_array().unwrap().last().unwrap()["slack"];
        let why: String = alert["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|block| block["text"]["text"].as_str())
            .filter(|text| text.starts_with("*Why*") || text.starts_with("• "))
            .collect();
        let cause = why.lines().find(|line| line.starts_with("• ")).unwrap();
        assert!(
            cause.contains("exited with code ") || cause.contains(": `"),
            "{name}: {cause}"
        );
        let hints: Vec<&str> = why
            .lines()
            .filter_map(|line| line.trim().strip_prefix("_Usually:_ "))
            .collect();
        if name == "cause-unknown.json" {
            assert!(hints.is_empty(), "{name}: {hints:?}");
        } else {
            assert_eq!(hints.len(), 1, "{name}: {why}");
            shown.extend(hints.iter().map(|hint| hint.to_string()));
        }
    }
    for hint in ecs_deploy_alerts::slack::hints::HINTS {
        assert!(
            shown.iter().any(|text| text == hint.text),
            "no scenario shows: {}",
            hint.text
        );
    }
}
