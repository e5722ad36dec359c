//! The release component, hosted in wasmtime, driven over wasi:http as EventBridge drives it,
//! with a scripted Slack. Run after `spin build` (`scripts/test.sh` does both).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use e2e::{
    Call, Exchange, KeyValueStore, Scenario, SlackScript, TestHost, fixture_config, fixtures,
    repo_root, scenarios,
};
use ecs_deploy_alerts::delivery::{ANSWER_DEADLINE, SLACK_TIMEOUTS};
use serde_json::{Value, json};

fn host() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| TestHost::load().unwrap_or_else(|e| panic!("{e:?}")))
}

const WEBHOOK: &str = "https://hooks.slack.com/services/T0SECRET/B0SECRET/HOOKSECRET";
const API_KEY: &str = "key-SECRET-1234";
const BASIC_USER: &str = "eventbridge";
const BASIC_PASSWORD: &str = "pw-SECRET-5678";
/// base64("eventbridge:pw-SECRET-5678")
const BASIC_TOKEN: &str = "ZXZlbnRicmlkZ2U6cHctU0VDUkVULTU2Nzg=";
const FAILED: &str = include_str!("../../../fixtures/ecs-deployment-failed.json");

fn config(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Webhook and API key: the usual production setup.
fn standard() -> HashMap<String, String> {
    config(&[("slack_webhook_url", WEBHOOK), ("api_key", API_KEY)])
}

fn signed(body: impl Into<bytes::Bytes>) -> Call {
    Call::eventbridge(body).with_header("x-api-key", API_KEY)
}

async fn call(call: &Call, config: &HashMap<String, String>, slack: SlackScript) -> Exchange {
    let exchange = host()
        .call(call, config, slack)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_no_secrets(&exchange);
    exchange
}

/// No answer, header or log line may contain a secret, whatever happened.
fn assert_no_secrets(exchange: &Exchange) {
    let headers: String = exchange
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\n"))
        .collect();
    let body = String::from_utf8_lossy(&exchange.body);
    for (what, text) in [
        ("headers", headers.as_str()),
        ("body", &*body),
        ("stdout", &exchange.stdout),
        ("stderr", &exchange.stderr),
    ] {
        for secret in ["SECRET", BASIC_TOKEN, "XXXXXXXXXXXXXXXX", "fixture-api-key"] {
            assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
        }
    }
}

/// The one JSON log line the component writes per request.
fn log_line(exchange: &Exchange) -> Value {
    let lines: Vec<&str> = exchange.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one log line per request: {:?}",
        exchange.stdout
    );
    serde_json::from_str(lines[0]).unwrap()
}

#[test]
fn imports_only_standard_wasi_interfaces() {
    let mut imports: Vec<&str> = host().imports().iter().map(|s| s.as_str()).collect();
    imports.sort_unstable();
    // Everything the component needs from its host; a new import must be added here on purpose.
    let expected = [
        "wasi:cli/environment@0.2.6",
        "wasi:cli/exit@0.2.6",
        "wasi:cli/stderr@0.2.6",
        "wasi:cli/stdin@0.2.6",
        "wasi:cli/stdout@0.2.6",
        "wasi:cli/terminal-input@0.2.6",
        "wasi:cli/terminal-output@0.2.6",
        "wasi:cli/terminal-stderr@0.2.6",
        "wasi:cli/terminal-stdin@0.2.6",
        "wasi:cli/terminal-stdout@0.2.6",
        "wasi:clocks/monotonic-clock@0.2.6",
        "wasi:clocks/wall-clock@0.2.6",
        "wasi:config/store@0.2.0-draft-2024-09-27",
        "wasi:http/outgoing-handler@0.2.6",
        "wasi:http/types@0.2.6",
        "wasi:io/error@0.2.6",
        "wasi:io/poll@0.2.6",
        "wasi:io/streams@0.2.6",
        "wasi:keyvalue/store@0.2.0-draft2",
        // A claim's token (the wasi:http proxy world has it, so every host serves it).
        "wasi:random/random@0.2.6",
    ];
    assert_eq!(imports, expected);
    assert!(
        host()
            .exports()
            .iter()
            .any(|e| e == "wasi:http/incoming-handler@0.2.0"),
        "{:?}",
        host().exports()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_matches_its_reviewed_expectation() {
    let config = fixture_config();
    let key = config["api_key"].clone();
    let webhook = config["slack_webhook_url"].clone();
    for (name, body) in fixtures() {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(repo_root().join("fixtures/expected").join(&name)).unwrap(),
        )
        .unwrap();
        let exchange = call(
            &Call::eventbridge(body).with_header("x-api-key", &key),
            &config,
            SlackScript::OK,
        )
        .await;
        assert_eq!(exchange.status, expected["status"], "{name}");
        assert_eq!(
            exchange.header("content-type"),
            Some("application/json"),
            "{name}"
        );
        assert_eq!(exchange.json(), expected["response"], "{name}");
        match (&expected["slack"], exchange.sent.as_slice()) {
            (Value::Null, []) => {}
            (payload, [sent]) if !payload.is_null() => {
                assert_eq!(sent.method, "POST");
                assert_eq!(sent.uri, webhook);
                let content_type = sent.headers.iter().find(|(k, _)| k == "content-type");
                assert_eq!(
                    content_type.map(|(_, v)| v.as_str()),
                    Some("application/json")
                );
                let body: Value = serde_json::from_slice(&sent.body).unwrap();
                assert_eq!(&body, payload, "{name}");
            }
            (payload, sent) => panic!("{name}: expected {payload}, sent {sent:?}"),
        }
        let log = log_line(&exchange);
        assert_eq!(log["status"], expected["status"], "{name}");
        assert_eq!(log["event_id"], expected["response"]["event_id"], "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_4xx_and_never_reaches_slack() {
    let over_limit = vec![b' '; 1024 * 1024 + 1];
    let cases: Vec<(&str, Call, u16, &str)> = vec![
        ("invalid JSON", signed("{\"id\": "), 400, "invalid_json"),
        ("not an object", signed("[1, 2, 3]"), 400, "not_an_object"),
        ("empty body", signed(""), 400, "invalid_json"),
        // Nesting where strings are expected stops at its first bracket; unknown members
        // are skipped without recursion: the 128 KiB stack is never at risk.
        (
            "nested 10,000 deep",
            signed(FAILED.replacen(
                "\"resources\": [",
                &format!(
                    "\"resources\": [{}{},",
                    "[".repeat(10_000),
                    "]".repeat(10_000)
                ),
                1,
            )),
            400,
            "invalid_field",
        ),
        (
            "missing field",
            signed(FAILED.replace("\"source\": \"aws.ecs\",", "")),
            400,
            "missing_field",
        ),
        (
            "mistyped field",
            signed(FAILED.replace("\"SERVICE_DEPLOYMENT_FAILED\"", "[]")),
            400,
            "invalid_field",
        ),
        (
            "1 MiB + 1 byte, declared",
            signed(over_limit.clone()),
            413,
            "payload_too_large",
        ),
        (
            "1 MiB + 1 byte, chunked",
            signed(over_limit).without_header("content-length"),
            413,
            "payload_too_large",
        ),
        (
            "GET",
            Call {
                method: "GET",
                ..signed(FAILED)
            },
            405,
            "method_not_allowed",
        ),
        (
            "PUT",
            Call {
                method: "PUT",
                ..signed(FAILED)
            },
            405,
            "method_not_allowed",
        ),
    ];
    for (what, request, status, code) in cases {
        let exchange = call(&request, &standard(), SlackScript::OK).await;
        assert_eq!(exchange.status, status, "{what}");
        assert_eq!(exchange.json()["error"], code, "{what}");
        assert!(exchange.sent.is_empty(), "{what} reached Slack");
        assert_eq!(log_line(&exchange)["outcome"], code, "{what}");
    }
    let field = call(
        &signed(FAILED.replace("\"SERVICE_DEPLOYMENT_FAILED\"", "[]")),
        &standard(),
        SlackScript::OK,
    )
    .await;
    assert!(
        field.json()["message"]
            .as_str()
            .unwrap()
            .contains("`detail.eventName`")
    );
    let method = call(
        &Call {
            method: "GET",
            ..signed(FAILED)
        },
        &standard(),
        SlackScript::OK,
    )
    .await;
    assert_eq!(method.header("allow"), Some("POST"));

    // Valid events we do not alert on are accepted and dropped, not refused.
    let other = include_str!("../../../fixtures/s3-object-created.json");
    let exchange = call(&signed(other), &standard(), SlackScript::OK).await;
    assert_eq!(exchange.status, 202);
    assert_eq!(exchange.json()["outcome"], "ignored");
    assert!(exchange.sent.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication() {
    let custom_header = config(&[
        ("slack_webhook_url", WEBHOOK),
        ("api_key", API_KEY),
        ("api_key_header", "X-EventBridge-Key"),
    ]);
    let basic = config(&[
        ("slack_webhook_url", WEBHOOK),
        ("basic_auth_username", BASIC_USER),
        ("basic_auth_password", BASIC_PASSWORD),
    ]);
    let open = config(&[
        ("slack_webhook_url", WEBHOOK),
        ("allow_unauthenticated", "true"),
    ]);
    let unconfigured = config(&[("slack_webhook_url", WEBHOOK)]);
    let standard = standard();
    let plain = Call::eventbridge(FAILED);
    let basic_header = format!("Basic {BASIC_TOKEN}");
    let cases: Vec<(&str, Call, &HashMap<String, String>, u16)> = vec![
        ("API key", signed(FAILED), &standard, 200),
        (
            "custom header",
            plain.clone().with_header("x-eventbridge-key", API_KEY),
            &custom_header,
            200,
        ),
        (
            "key in the default header",
            signed(FAILED),
            &custom_header,
            401,
        ),
        (
            "Basic",
            plain.clone().with_header("authorization", &basic_header),
            &basic,
            200,
        ),
        (
            "wrong Basic",
            plain
                .clone()
                .with_header("authorization", "Basic ZXZlbnRicmlkZ2U6bm8="),
            &basic,
            401,
        ),
        ("missing", plain.clone(), &standard, 401),
        (
            "wrong key",
            plain.clone().with_header("x-api-key", "key-guess"),
            &standard,
            401,
        ),
        ("unconfigured", signed(FAILED), &unconfigured, 503),
        ("allow_unauthenticated", plain.clone(), &open, 200),
    ];
    for (what, request, config, status) in cases {
        let exchange = call(&request, config, SlackScript::OK).await;
        assert_eq!(exchange.status, status, "{what}: {:?}", exchange.body);
        assert_eq!(exchange.sent.len(), usize::from(status == 200), "{what}");
        if status == 401 {
            assert_eq!(exchange.json()["error"], "unauthorized");
        }
    }
    let challenge = call(&plain, &basic, SlackScript::OK).await;
    assert!(
        challenge
            .header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    let unconfigured = call(&plain, &unconfigured, SlackScript::OK).await;
    assert!(
        unconfigured.json()["message"]
            .as_str()
            .unwrap()
            .contains("allow_unauthenticated")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_faults_map_to_retry_semantics() {
    let answer = |status, body, retry_after| SlackScript::Answer {
        status,
        body,
        retry_after,
    };
    let cases = [
        (answer(200, "ok", None), 200, None, "delivered"),
        (
            answer(400, "invalid_payload", None),
            424,
            None,
            "slack_rejected",
        ),
        (
            answer(403, "action_prohibited", None),
            424,
            None,
            "slack_rejected",
        ),
        (answer(404, "no_service", None), 424, None, "slack_rejected"),
        (
            answer(410, "channel_is_archived", None),
            424,
            None,
            "slack_rejected",
        ),
        (
            answer(429, "rate_limited", Some("17")),
            429,
            Some("17"),
            "slack_rate_limited",
        ),
        (
            answer(429, "rate_limited", None),
            429,
            Some("30"),
            "slack_rate_limited",
        ),
        (answer(500, "", None), 502, None, "slack_failed"),
        (answer(503, "", Some("9")), 502, Some("9"), "slack_failed"),
        (
            answer(413, "request_too_large", None),
            424,
            None,
            "slack_rejected",
        ),
        (SlackScript::Refuse, 503, None, "slack_unreachable"),
        (SlackScript::Hang, 504, None, "slack_timeout"),
        (SlackScript::Silent, 504, None, "slack_timeout"),
        (SlackScript::Trickle(410), 424, None, "slack_rejected"),
    ];
    for (script, status, retry_after, outcome) in cases {
        let what = format!("{script:?}");
        let exchange = call(&signed(FAILED), &standard(), script.clone()).await;
        assert_eq!(exchange.status, status, "{what}");
        assert_eq!(exchange.header("retry-after"), retry_after, "{what}");
        assert_eq!(exchange.sent.len(), 1, "{what}");
        let answer = exchange.json();
        assert_eq!(
            answer["event_id"], "ddca6449-b258-46c0-8653-e0e3aEXAMPLE",
            "{what}"
        );
        assert_eq!(
            answer.get("error").unwrap_or(&answer["outcome"]),
            outcome,
            "{what}"
        );
        if let SlackScript::Answer { status, body, .. } = script
            && status != 429
            && (400..500).contains(&status)
        {
            assert!(
                answer["message"].as_str().unwrap().contains(body),
                "{answer}"
            );
        }
        let log = log_line(&exchange);
        assert_eq!(log["outcome"], outcome);
        // The component told the host how long to wait, and the whole answer fits
        // EventBridge's 5 s with room to spare, even when Slack never answers.
        let options = exchange.sent[0].options.expect("request options set");
        assert_eq!(options.connect_timeout, Some(Duration::from_millis(1000)));
        assert_eq!(
            options.first_byte_timeout,
            Some(Duration::from_millis(2500))
        );
        assert_eq!(
            options.between_bytes_timeout,
            Some(Duration::from_millis(500))
        );
        assert!(
            exchange.elapsed < ANSWER_DEADLINE,
            "{what}: {:?}",
            exchange.elapsed
        );
        if matches!(script, SlackScript::Silent) {
            // It was the component's own 4 s deadline that ended the wait.
            assert!(
                exchange.elapsed >= SLACK_TIMEOUTS.whole,
                "{:?}",
                exchange.elapsed
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_health_and_a_missing_webhook() {
    let dry = config(&[("dry_run", "true"), ("api_key", API_KEY)]);
    let exchange = call(&signed(FAILED), &dry, SlackScript::OK).await;
    assert_eq!(exchange.status, 200);
    assert!(exchange.sent.is_empty());
    let answer = exchange.json();
    assert_eq!(answer["outcome"], "dry_run");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("fixtures/expected/ecs-deployment-failed.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(answer["slack_payload"], expected["slack"]);
    assert_eq!(log_line(&exchange)["slack_payload"], expected["slack"]);

    let missing = config(&[("api_key", API_KEY)]);
    let exchange = call(&signed(FAILED), &missing, SlackScript::OK).await;
    assert_eq!(exchange.status, 503);
    assert_eq!(exchange.json()["error"], "config_missing");
    assert!(
        exchange.json()["message"]
            .as_str()
            .unwrap()
            .contains("slack_webhook_url")
    );
    assert!(exchange.sent.is_empty());

    let health = Call {
        method: "GET",
        path: "/health",
        headers: Vec::new(),
        body: Default::default(),
    };
    let exchange = call(&health, &standard(), SlackScript::OK).await;
    assert_eq!(exchange.status, 200);
    assert_eq!(exchange.json(), json!({"status": "ok", "ready": true}));
    let authenticated = Call {
        headers: vec![("x-api-key".into(), API_KEY.into())],
        ..health.clone()
    };
    let exchange = call(&authenticated, &standard(), SlackScript::OK).await;
    assert_eq!(exchange.status, 200);
    let answer = exchange.json();
    assert_eq!(answer["ready"], true);
    assert_eq!(answer["version"], "0.1.0");
    assert_eq!(
        answer["settings"],
        json!({
            "slack_webhook_url": true, "slack_bot_token": false, "slack_channel": false,
            "slack_api_url": false, "dry_run": false, "api_key": true, "api_key_header": false,
            "basic_auth_username": false, "basic_auth_password": false,
            "allow_unauthenticated": false, "environment_rules": false, "account_environments": false,
            "notify": false, "slack_routes": false, "mentions": false, "log_groups": false,
            "slack_signing_secret": false, "slack_approvers": false, "aws_access_key_id": false,
            "aws_secret_access_key": false, "ecs_api_url": false
        })
    );
    let exchange = call(&authenticated, &missing, SlackScript::OK).await;
    assert_eq!(exchange.status, 503);
    assert_eq!(exchange.json()["ready"], false);
    assert!(
        exchange.json()["problem"]
            .as_str()
            .unwrap()
            .contains("slack_webhook_url")
    );
    let exchange = call(&health, &config(&[]), SlackScript::OK).await;
    assert_eq!(exchange.status, 503);
    assert_eq!(
        exchange.json(),
        json!({"status": "misconfigured", "ready": false})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn load_from_concurrent_clients() {
    const CLIENTS: usize = 8;
    const PER_CLIENT: usize = 64;
    const _: () = assert!(CLIENTS * PER_CLIENT >= 500);
    let config = fixture_config();
    let key = config["api_key"].clone();
    let alerts: Vec<(String, Vec<u8>, Value)> = fixtures()
        .into_iter()
        .map(|(name, body)| {
            let expected: Value = serde_json::from_str(
                &std::fs::read_to_string(repo_root().join("fixtures/expected").join(&name))
                    .unwrap(),
            )
            .unwrap();
            (name, body, expected)
        })
        .filter(|(_, _, expected)| !expected["slack"].is_null())
        .collect();
    assert!(alerts.len() >= 8);
    let clients = (0..CLIENTS).map(|client| {
        let (config, key, alerts) = (config.clone(), key.clone(), alerts.clone());
        tokio::spawn(async move {
            let mut posts = 0;
            for i in 0..PER_CLIENT {
                let (name, body, expected) = &alerts[(client + i) % alerts.len()];
                let request = Call::eventbridge(body.clone()).with_header("x-api-key", &key);
                let exchange = host()
                    .call(&request, &config, SlackScript::OK)
                    .await
                    .unwrap();
                assert_eq!(exchange.status, expected["status"], "{name}");
                assert_eq!(exchange.json(), expected["response"], "{name}");
                assert_eq!(exchange.sent.len(), 1, "{name}");
                let sent: Value = serde_json::from_slice(&exchange.sent[0].body).unwrap();
                assert_eq!(sent, expected["slack"], "{name}");
                posts += 1;
            }
            posts
        })
    });
    let mut posts = 0;
    for client in clients.collect::<Vec<_>>() {
        posts += client.await.unwrap();
    }
    assert_eq!(posts, CLIENTS * PER_CLIENT);
}

/// The release component stays within the size budget in `Cargo.toml`.
#[test]
fn release_component_fits_its_size_budget() {
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let budget: u64 = manifest
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("size_budget_bytes")?
                .trim()
                .strip_prefix('=')?
                .trim()
                .replace('_', "")
                .parse()
                .ok()
        })
        .expect("Cargo.toml [package.metadata.component] size_budget_bytes");
    let size = e2e::read_component().unwrap().len() as u64;
    println!("release component: {size} bytes (budget {budget})");
    assert!(
        size <= budget,
        "the component is {size} bytes, over its budget of {budget}"
    );
}

/// Every scenario of `fixtures/scenarios/` through the component, one store per scenario,
/// compared with the reviewed `fixtures/expected/scenarios/`: causes in the alert, a
/// redelivery posting once, a failed post then a retry posting once, the rollback's story.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_matches_its_reviewed_expectation() {
    let scenarios = scenarios(&fixture_config(), "scenarios");
    assert!(scenarios.len() >= 6);
    for Scenario {
        name,
        config,
        steps,
        expected,
    } in scenarios
    {
        let key = config["api_key"].clone();
        let store = KeyValueStore::default();
        for (i, step) in steps.iter().enumerate() {
            let fixture = step["post"].as_str().unwrap();
            let body = std::fs::read(repo_root().join("fixtures").join(fixture)).unwrap();
            let slack = match step["slack"].as_u64() {
                None => SlackScript::OK,
                Some(status) => SlackScript::Answer {
                    status: status as u16,
                    body: "",
                    retry_after: None,
                },
            };
            let exchange = host()
                .call_with_store(
                    &Call::eventbridge(body).with_header("x-api-key", &key),
                    &config,
                    slack,
                    &store,
                    None,
                )
                .await
                .unwrap();
            assert_no_secrets(&exchange);
            let want = &expected[i];
            let what = format!("{name} step {i} ({fixture})");
            assert_eq!(exchange.status, want["status"], "{what}");
            assert_eq!(exchange.json(), want["response"], "{what}");
            match (&want["slack"], exchange.sent.as_slice()) {
                (Value::Null, []) => {}
                (payload, [sent]) if !payload.is_null() => {
                    let body: Value = serde_json::from_slice(&sent.body).unwrap();
                    assert_eq!(&body, payload, "{what}");
                }
                (payload, sent) => panic!("{what}: expected {payload}, sent {sent:?}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_faults_cost_detail_not_alerts() {
    let store = KeyValueStore::default();
    store.set_failing(true);
    let failure = include_str!("../../../fixtures/ecs-deployment-failed-checkout.json");
    let exchange = host()
        .call_with_store(&signed(failure), &standard(), SlackScript::OK, &store, None)
        .await
        .unwrap();
    assert_eq!(exchange.status, 200, "{:?}", exchange.body);
    assert_eq!(exchange.json()["outcome"], "delivered");
    assert_eq!(exchange.sent.len(), 1);
    assert!(String::from_utf8_lossy(&exchange.sent[0].body).contains("could not be read"));
    assert_eq!(log_line(&exchange)["store"], "unavailable");

    let task = include_str!("../../../fixtures/ecs-task-stopped-exit-code.json");
    let exchange = host()
        .call_with_store(&signed(task), &standard(), SlackScript::OK, &store, None)
        .await
        .unwrap();
    assert_eq!(exchange.status, 503);
    assert_eq!(exchange.json()["error"], "store_unavailable");

    let health = Call {
        method: "GET",
        path: "/health",
        headers: vec![("x-api-key".into(), API_KEY.into())],
        body: Default::default(),
    };
    let exchange = host()
        .call_with_store(&health, &standard(), SlackScript::OK, &store, None)
        .await
        .unwrap();
    assert_eq!(exchange.status, 200);
    assert_eq!(exchange.json()["status"], "degraded");
    assert_eq!(exchange.json()["ready"], true);
    assert!(
        exchange.json()["store"]
            .as_str()
            .unwrap()
            .contains("unavailable")
    );

    // The store back: the task is recorded on EventBridge's retry.
    store.set_failing(false);
    let exchange = host()
        .call_with_store(&signed(task), &standard(), SlackScript::OK, &store, None)
        .await
        .unwrap();
    assert_eq!(exchange.status, 202);
    assert_eq!(exchange.json()["outcome"], "recorded");
}

/// Thousands of events over simulated days: stopped tasks of ever new deployments (more than
/// ten each), their failures and the deliveries, two minutes apart. The store never holds
/// much more than 48 hours of writes, and nothing outlives 48 hours by more than one round
/// of the prune cursor (every key is read once per keys / 64 prunes, one prune per 16 writes:
/// a quarter of 48 hours' writes, 12 hours here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_stay_bounded_over_simulated_days() {
    const EVENTS: u64 = 4_000;
    const STEP_SECS: u64 = 120;
    let store = KeyValueStore::default();
    let task: Value = serde_json::from_str(include_str!(
        "../../../fixtures/ecs-task-stopped-exit-code.json"
    ))
    .unwrap();
    let failure: Value = serde_json::from_str(include_str!(
        "../../../fixtures/ecs-deployment-failed-checkout.json"
    ))
    .unwrap();
    let start = 1_795_737_600;
    let mut peak = 0;
    for i in 0..EVENTS {
        let deployment = format!("ecs-svc/{}", 1_000_000 + i / 15);
        let mut event = if i % 15 == 14 {
            failure.clone()
        } else {
            task.clone()
        };
        event["id"] = json!(format!("event-{i}"));
        if i % 15 == 14 {
            event["detail"]["deploymentId"] = json!(deployment);
        } else {
            event["detail"]["startedBy"] = json!(deployment);
            event["detail"]["taskArn"] = json!(format!(
                "arn:aws:ecs:us-east-1:111122223333:task/prod-cluster/{i:032x}"
            ));
        }
        let exchange = host()
            .call_with_store(
                &signed(event.to_string()),
                &standard(),
                SlackScript::OK,
                &store,
                Some(start + i * STEP_SECS),
            )
            .await
            .unwrap();
        assert!(
            matches!(exchange.status, 200 | 202),
            "{i}: {:?}",
            exchange.body
        );
        peak = peak.max(store.entries().len());
    }
    let writes = store.writes();
    let per_retention = 48 * 3600 / STEP_SECS; // events in 48 hours
    let entries = store.entries();
    let now = start + EVENTS * STEP_SECS;
    let stale = entries
        .values()
        .filter(|value| {
            // Every record is `{"v":2,"at":SECONDS,"value":...}`.
            let record: Value = serde_json::from_slice(value).unwrap();
            let at = record["at"].as_u64().unwrap();
            now - at > 64 * 3600
        })
        .count();
    println!(
        "{EVENTS} events, {writes} writes: peak {peak} keys, {} at the end, {stale} older than 64 h",
        entries.len()
    );
    // Each event writes at most two keys; pruning must keep up with them.
    assert!(writes as u64 > EVENTS, "{writes}");
    assert!(peak as u64 <= 2 * per_retention, "peak {peak}");
    assert!(
        stale * 20 <= entries.len(),
        "{stale} stale of {}",
        entries.len()
    );
    // At most ten tasks per deployment survive pruning.
    let mut per_deployment: HashMap<&str, usize> = HashMap::new();
    for key in entries
        .keys()
        .filter_map(|k| k.strip_prefix("ecs-deploy-alerts/task:"))
    {
        *per_deployment
            .entry(key.split(':').next().unwrap())
            .or_default() += 1;
    }
    let over = per_deployment.values().filter(|&&n| n > 10).count();
    assert!(over <= 2, "{over} deployments keep more than ten tasks");
}

/// A production and a staging failure, back to back, reach two different webhooks; only the
/// production one pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environments_reach_their_own_channels() {
    const PROD: &str = "https://hooks.slack.com/services/T0SECRET/PROD/SECRETPROD";
    const STAGING: &str = "https://hooks.slack.com/services/T0SECRET/STG/SECRETSTG";
    let routes = format!("production={PROD};staging={STAGING}");
    let config = config(&[
        ("api_key", API_KEY),
        ("slack_routes", &routes),
        (
            "mentions",
            "production=<!here>;staging=<!subteam^S0123ABCD>",
        ),
    ]);
    let production = call(
        &signed(include_str!(
            "../../../fixtures/ecs-deployment-failed-production.json"
        )),
        &config,
        SlackScript::OK,
    )
    .await;
    let staging = call(
        &signed(include_str!(
            "../../../fixtures/ecs-deployment-failed-short-arn-staging.json"
        )),
        &config,
        SlackScript::OK,
    )
    .await;
    assert_eq!(production.status, 200);
    assert_eq!(staging.status, 200);
    assert_eq!(production.sent[0].uri, PROD);
    assert_eq!(staging.sent[0].uri, STAGING);
    let production: Value = serde_json::from_slice(&production.sent[0].body).unwrap();
    let staging: Value = serde_json::from_slice(&staging.sent[0].body).unwrap();
    assert!(production["text"].as_str().unwrap().starts_with("<!here> "));
    // The mention leads the first section: the failure's cause.
    let first = production["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(first.starts_with("<!here>\n*Cause:* "), "{first}");
    assert!(
        staging["text"]
            .as_str()
            .unwrap()
            .starts_with("<!subteam^S0123ABCD> ")
    );
    let unrouted = call(&signed(FAILED), &config, SlackScript::OK).await;
    assert_eq!(unrouted.status, 503);
    assert_eq!(unrouted.json()["error"], "config_missing");
    assert!(unrouted.sent.is_empty());
}
