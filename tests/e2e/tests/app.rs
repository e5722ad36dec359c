//! App mode through the release component in wasmtime, with a Web API stand-in: every scenario
//! of `fixtures/scenarios/` replayed as the native suite replays it (the same calls, bodies
//! and answers as `fixtures/expected/app/`), each Web API error's status, and the token's
//! place: in the `Authorization` header and nowhere else.

use std::collections::HashMap;
use std::sync::OnceLock;

use e2e::{
    Call, Exchange, KeyValueStore, Scenario, SlackScript, TestHost, WebApiScript, fixture_config,
    repo_root, scenarios,
};
use ecs_deploy_alerts::memory::START_OF_TIME;
use serde_json::{Value, json};

const TOKEN: &str = "xoxb-0000-fixture-TOKEN";

fn host() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| TestHost::load().unwrap_or_else(|e| panic!("{e:?}")))
}

/// The fixture settings in app mode, as the native replay sets them.
fn app_config() -> HashMap<String, String> {
    let mut config = fixture_config();
    config.insert("slack_bot_token".into(), TOKEN.into());
    config.insert("slack_channel".into(), "C0ALERTS".into());
    config
}

async fn send(
    body: Vec<u8>,
    config: &HashMap<String, String>,
    script: WebApiScript,
    store: &KeyValueStore,
    now: u64,
) -> Exchange {
    let call = Call::eventbridge(body).with_header("x-api-key", &config["api_key"]);
    let exchange = host()
        .call_with_store(&call, config, SlackScript::WebApi(script), store, Some(now))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    exchange.assert_hides(&[TOKEN, "fixture-api-key"]);
    exchange
}

fn log_line(exchange: &Exchange) -> Value {
    serde_json::from_str(exchange.stdout.lines().next().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_replays_in_app_mode_as_reviewed() {
    let scenarios = scenarios(&app_config(), "app");
    assert!(scenarios.len() >= 20);
    for Scenario {
        name,
        config,
        steps,
        expected,
    } in scenarios
    {
        let store = KeyValueStore::default();
        for (i, step) in steps.iter().enumerate() {
            let fixture = step["post"].as_str().unwrap();
            let body = std::fs::read(repo_root().join("fixtures").join(fixture)).unwrap();
            let mut script = WebApiScript::default();
            if let Some(status) = step["slack"].as_u64() {
                script = script.then("chat.postMessage", status as u16, String::new(), None);
            }
            for (method, code) in step["web_api"].as_object().into_iter().flatten() {
                script = script.error(method, code.as_str().unwrap());
            }
            let exchange = send(body, &config, script, &store, START_OF_TIME + i as u64).await;
            let want = &expected[i];
            let what = format!("{name} step {i} ({fixture})");
            assert_eq!(exchange.status, want["status"], "{what}");
            assert_eq!(exchange.json(), want["response"], "{what}");
            let log = log_line(&exchange);
            assert_eq!(
                log.get("thread").unwrap_or(&Value::Null),
                &want["log"]["thread"],
                "{what}"
            );
            assert_eq!(
                log.get("parent_update").unwrap_or(&Value::Null),
                &want["log"]["parent_update"],
                "{what}"
            );
            let calls: Vec<Value> = exchange
                .sent
                .iter()
                .map(|sent| {
                    assert_eq!(sent.header("authorization"), Some(&*format!("Bearer {TOKEN}")), "{what}");
                    assert_eq!(sent.header("content-type"), Some("application/json; charset=utf-8"), "{what}");
                    let method = sent.uri.strip_prefix("https://slack.com/api/").unwrap_or_else(|| panic!("{what}: {}", sent.uri));
                    json!({"method": method, "body": serde_json::from_slice::<Value>(&sent.body).unwrap()})
                })
                .collect();
            assert_eq!(Value::Array(calls), want["calls"], "{what}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_web_api_error_answers_the_status_that_retries_when_it_can_help() {
    let failure =
        std::fs::read(repo_root().join("fixtures/ecs-deployment-failed-checkout.json")).unwrap();
    let limited = r#"{"ok":false,"error":"ratelimited"}"#.to_owned();
    let cases: Vec<(WebApiScript, u16, &str, Option<&str>)> = vec![
        (
            WebApiScript::default().then("chat.postMessage", 429, limited, Some("9")),
            429,
            "slack_rate_limited",
            Some("9"),
        ),
        (
            WebApiScript::default().error("chat.postMessage", "ratelimited"),
            429,
            "slack_rate_limited",
            Some("30"),
        ),
        (
            WebApiScript::default().error("chat.postMessage", "token_revoked"),
            424,
            "slack_rejected",
            None,
        ),
        (
            WebApiScript::default().error("chat.postMessage", "not_in_channel"),
            424,
            "slack_rejected",
            None,
        ),
        (
            WebApiScript::default().error("chat.postMessage", "internal_error"),
            502,
            "slack_failed",
            None,
        ),
        (
            WebApiScript::default().then("chat.postMessage", 500, String::new(), None),
            502,
            "slack_failed",
            None,
        ),
    ];
    for (script, status, code, retry_after) in cases {
        let exchange = send(
            failure.clone(),
            &app_config(),
            script,
            &KeyValueStore::default(),
            START_OF_TIME,
        )
        .await;
        assert_eq!(
            (exchange.status, exchange.json()["error"].as_str()),
            (status, Some(code))
        );
        assert_eq!(exchange.header("retry-after"), retry_after);
    }
}
