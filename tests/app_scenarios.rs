//! Every scenario of `fixtures/scenarios/` replayed in app mode (a bot token and a channel):
//! the Web API calls each step makes, compared with their reviewed expectation in
//! `fixtures/expected/app/`, and the thread's rules checked on every replay: one parent per
//! story, every later message a reply to the parent's `ts`, rewrites of the parent only,
//! `reply_broadcast` only on a failed rollback, and a redelivered event posting nothing.
//!
//! After a deliberate change, `UPDATE_EXPECT=1 cargo test --test app_scenarios` rewrites the
//! expectations; review the diff before committing it.

mod expect;

use ecs_deploy_alerts::delivery::SLACK_TIMEOUTS;
use ecs_deploy_alerts::host::HttpResponse;
use ecs_deploy_alerts::memory::{MemoryStore, Post, START_OF_TIME};
use expect::{Scenario, check_message, compare, host_for, post_as_eventbridge, root, scenarios};
use serde_json::{Value, json};

const TOKEN: &str = "xoxb-0000-fixture-TOKEN";
const CHANNEL: &str = "C0ALERTS";

/// The scenario's settings with the app's: a token and a default channel (which wins over the
/// fixture settings' webhook).
fn app_settings(settings: &[(String, String)]) -> Vec<(String, String)> {
    let mut settings = settings.to_vec();
    settings.push(("slack_bot_token".into(), TOKEN.into()));
    settings.push(("slack_channel".into(), CHANNEL.into()));
    settings
}

/// One Web API call as the expectation files show it: the method and the body.
fn call(post: &Post) -> Value {
    assert_eq!(post.scheme, "https");
    assert_eq!(post.authority, "slack.com");
    assert_eq!(post.content_type, "application/json; charset=utf-8");
    assert_eq!(
        post.authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert!(post.timeouts.whole <= SLACK_TIMEOUTS.whole);
    json!({
        "method": post.method().expect("a Web API call"),
        "body": serde_json::from_slice::<Value>(&post.payload).unwrap(),
    })
}

/// The `ts` Slack answered a call with, if it took it.
fn answered_ts(post: &Post) -> Option<String> {
    let answer = post.answer.as_ref().ok()?;
    let body: Value = serde_json::from_slice(&answer.body).ok()?;
    (body["ok"] == true).then(|| body["ts"].as_str().unwrap().to_owned())
}

/// The scenario in app mode, a second apart per step: each step's answer and calls, and every
/// call, in order, for the rules.
fn replay(scenario: &Scenario) -> (Value, Vec<Post>) {
    let settings = app_settings(&scenario.settings);
    let store = MemoryStore::default();
    let mut all = Vec::new();
    let mut steps = Vec::new();
    for (i, step) in scenario.steps.iter().enumerate() {
        let mut host = host_for(
            &step.fixture,
            &settings,
            &store,
            200,
            START_OF_TIME + i as u64,
        );
        if step.slack != 200 {
            host.web_api.push((
                "chat.postMessage",
                Ok(HttpResponse {
                    status: step.slack,
                    retry_after: None,
                    body: Vec::new(),
                }),
            ));
        }
        for (method, code) in &step.web_api {
            let method = if method == "chat.update" {
                "chat.update"
            } else {
                "chat.postMessage"
            };
            host.web_api.push((
                method,
                Ok(HttpResponse {
                    status: 200,
                    retry_after: None,
                    body: json!({"ok": false, "error": code}).to_string().into_bytes(),
                }),
            ));
        }
        let handled = post_as_eventbridge(&mut host, &settings);
        let response: Value = serde_json::from_slice(&handled.reply.body).unwrap();
        if response["outcome"] == "duplicate" {
            assert!(
                host.posts.is_empty(),
                "{}: a duplicate posted",
                scenario.name
            );
        }
        steps.push(json!({
            "post": step.fixture.file_name().unwrap().to_string_lossy(),
            "status": handled.reply.status,
            "response": response,
            "log": {"thread": handled.log.thread, "parent_update": handled.log.parent_update},
            "calls": host.posts.iter().map(call).collect::<Vec<_>>(),
        }));
        all.extend(host.posts);
    }
    (Value::Array(steps), all)
}

/// The thread's rules, over every call of a replay.
fn check_thread(name: &str, calls: &[Post]) {
    let body = |post: &Post| serde_json::from_slice::<Value>(&post.payload).unwrap();
    let mut parents: Vec<String> = Vec::new();
    for post in calls {
        let body = body(post);
        let header = body["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        check_message(name, body.as_object().unwrap());
        assert_eq!(body["channel"], CHANNEL, "{name}");
        match (post.method().unwrap(), body["thread_ts"].as_str()) {
            ("chat.postMessage", None) => parents.extend(answered_ts(post)),
            ("chat.postMessage", Some(parent)) => {
                assert!(
                    parents.iter().any(|p| p == parent),
                    "{name}: a reply to {parent}, not a parent"
                );
                // Alerts (a failure, a waiting pause, a hook's failure) are also shown in the
                // channel: their icons say so.
                let broadcast = body["reply_broadcast"] == true;
                let alert = ["🚨", "⏸️", "⏰"]
                    .iter()
                    .any(|icon| header.starts_with(icon));
                assert_eq!(broadcast, alert, "{name}: {header}");
            }
            ("chat.update", None) => {
                let ts = body["ts"].as_str().unwrap();
                assert!(
                    parents.iter().any(|p| p == ts),
                    "{name}: an update of {ts}, not the parent"
                );
            }
            (method, _) => panic!("{name}: {method} with thread_ts"),
        }
        if body.get("thread_ts").is_none() {
            assert!(body.get("reply_broadcast").is_none(), "{name}");
        }
    }
    assert!(parents.len() <= 1, "{name}: {} parents", parents.len());
}

#[test]
fn every_scenario_replays_in_app_mode_as_one_thread() {
    let mut mismatches = Vec::new();
    let mut threads = 0;
    for scenario in scenarios() {
        let (steps, calls) = replay(&scenario);
        check_thread(&scenario.name, &calls);
        threads += usize::from(!calls.is_empty());
        let path = root().join("fixtures/expected/app").join(&scenario.name);
        compare(&path, &steps, &mut mismatches);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(threads >= 15, "only {threads} scenarios posted");
}

/// What the new scenarios are for: a late stopped task rewrites the parent's Why, and a
/// refused rewrite becomes a reply.
#[test]
fn late_causes_rewrite_the_parent_and_a_refused_rewrite_replies() {
    let find = |name: &str| scenarios().into_iter().find(|s| s.name == name).unwrap();
    let (steps, _) = replay(&find("late-stopped-task.json"));
    let methods = |step: &Value| -> Vec<String> {
        step["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["method"].as_str().unwrap().to_owned())
            .collect()
    };
    let steps = steps.as_array().unwrap();
    assert_eq!(methods(&steps[0]), ["chat.postMessage"]);
    for (step, rewrites) in steps[1..].iter().zip([true, false, true]) {
        assert_eq!(step["status"], 202, "{step}");
        assert_eq!(step["response"]["outcome"], "recorded");
        assert_eq!(
            methods(step),
            if rewrites {
                vec!["chat.update"]
            } else {
                vec![]
            },
            "{step}"
        );
    }
    let why = |step: &Value| step["calls"][0]["body"]["blocks"].to_string();
    assert!(
        why(&steps[1]).contains("CannotPullContainerError"),
        "{}",
        why(&steps[1])
    );
    assert!(
        why(&steps[3]).contains("exited with code 1"),
        "{}",
        why(&steps[3])
    );
    assert!(why(&steps[3]).contains("CannotPullContainerError"));

    let (steps, _) = replay(&find("refused-rewrite.json"));
    let steps = steps.as_array().unwrap();
    assert_eq!(
        methods(&steps[1]),
        ["chat.postMessage", "chat.update", "chat.postMessage"]
    );
    assert_eq!(steps[1]["log"]["parent_update"], "replied");
    // The parent can no longer be edited: the rollback's end is a reply and nothing more.
    assert_eq!(methods(&steps[2]), ["chat.postMessage"]);
}
