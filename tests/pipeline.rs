//! The request pipeline as EventBridge and operators meet it: routing, the order of checks,
//! configuration problems, Slack's answers, dry runs, and what never leaks.

use ecs_deploy_alerts::host::{HttpResponse, TransportFailure};
use ecs_deploy_alerts::memory::{MemoryHost, MemoryStore, START_OF_TIME};
use ecs_deploy_alerts::{Handled, MAX_BODY_BYTES};
use serde_json::Value;
use std::time::Duration;

const WEBHOOK: &str = "https://hooks.slack.com/services/T0SECRET/B0SECRET/HOOKSECRET";
const KEY: &str = "key-SECRET-1234";
const FAILED: &str = include_str!("../fixtures/ecs-deployment-failed.json");
const EVENT_ID: &str = "ddca6449-b258-46c0-8653-e0e3aEXAMPLE";

fn configured() -> Vec<(&'static str, &'static str)> {
    vec![("slack_webhook_url", WEBHOOK), ("api_key", KEY)]
}

fn post(host: &mut MemoryHost) -> Handled {
    host.handle("POST", "/", &[("x-api-key", KEY)])
}

fn json(handled: &Handled) -> Value {
    serde_json::from_slice(&handled.reply.body).unwrap()
}

fn header<'a>(handled: &'a Handled, name: &str) -> Option<&'a str> {
    handled
        .reply
        .headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

/// Nothing a caller or the log sees may contain a secret.
fn assert_no_secrets(handled: &Handled) {
    let reply = String::from_utf8_lossy(&handled.reply.body).into_owned();
    let log = handled.log.to_json();
    for text in [reply, log] {
        assert!(!text.contains("SECRET"), "secret leaked: {text}");
    }
}

#[test]
fn a_failure_is_delivered_once_and_logged() {
    let mut host = MemoryHost::new(&configured(), FAILED);
    let handled = post(&mut host);
    assert_eq!(handled.reply.status, 200);
    assert_eq!(header(&handled, "content-type"), Some("application/json"));
    assert_eq!(json(&handled)["outcome"], "delivered");
    assert_eq!(host.posts.len(), 1);
    assert_eq!(
        host.posts[0].path_and_query,
        "/services/T0SECRET/B0SECRET/HOOKSECRET"
    );
    let log: Value = serde_json::from_str(&handled.log.to_json()).unwrap();
    assert_eq!(log["event_id"], EVENT_ID);
    assert_eq!(log["event_name"], "SERVICE_DEPLOYMENT_FAILED");
    assert_eq!(log["cluster"], "default");
    assert_eq!(log["service"], "servicetest");
    assert_eq!(log["environment"], "unknown");
    assert_eq!(log["outcome"], "delivered");
    assert_eq!(log["status"], 200);
    assert_eq!(log["slack_status"], 200);
    assert_no_secrets(&handled);
}

#[test]
fn health_tells_strangers_only_status_and_readiness() {
    let mut host = MemoryHost::new(&configured(), "");
    for headers in [&[][..], &[("x-api-key", "wrong")]] {
        let handled = host.handle("GET", "/health", headers);
        assert_eq!(handled.reply.status, 200);
        assert_eq!(
            json(&handled),
            serde_json::json!({"status": "ok", "ready": true})
        );
    }
    let handled = host.handle("GET", "/health", &[("x-api-key", KEY)]);
    assert_eq!(handled.reply.status, 200);
    let body = json(&handled);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["ready"], true);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["settings"]["slack_webhook_url"], true);
    assert_eq!(body["settings"]["api_key"], true);
    assert_eq!(body["settings"]["dry_run"], false);
    assert_eq!(body["settings"].as_object().unwrap().len(), 21);
    assert_eq!(body["settings"]["slack_signing_secret"], false);
    assert_eq!(body["modes"], serde_json::json!({"*": "webhook"}));
    assert!(body.get("problem").is_none());
    assert_no_secrets(&handled);
}

#[test]
fn health_is_503_when_alerts_cannot_be_delivered() {
    // Authentication set up but no webhook: strangers learn only that it is not ready.
    let mut host = MemoryHost::new(&[("api_key", KEY), ("account_environments", "1=x")], "");
    let handled = host.handle("GET", "/health", &[]);
    assert_eq!(handled.reply.status, 503);
    assert_eq!(
        json(&handled),
        serde_json::json!({"status": "misconfigured", "ready": false})
    );
    let handled = host.handle("GET", "/health", &[("x-api-key", KEY)]);
    assert_eq!(handled.reply.status, 503);
    assert!(
        json(&handled)["problem"]
            .as_str()
            .unwrap()
            .contains("slack_webhook_url")
    );
    // Nothing set: nobody can authenticate, so nobody gets details.
    let mut unconfigured = MemoryHost::new(&[], "");
    let handled = unconfigured.handle("GET", "/health", &[("x-api-key", KEY)]);
    assert_eq!(handled.reply.status, 503);
    assert_eq!(
        json(&handled),
        serde_json::json!({"status": "misconfigured", "ready": false})
    );
    // Open for local use: everyone is authenticated, so everyone gets details.
    let mut open = MemoryHost::new(
        &[("allow_unauthenticated", "true"), ("dry_run", "true")],
        "",
    );
    let body = json(&open.handle("GET", "/health", &[]));
    assert_eq!(body["ready"], true);
    assert_eq!(body["settings"]["dry_run"], true);
}

#[test]
fn caller_supplied_values_are_capped_in_answers_and_logs() {
    let long_id = "i".repeat(100_000);
    let long_type = "t".repeat(100_000);
    let body = FAILED
        .replace(EVENT_ID, &long_id)
        .replace("ECS Deployment State Change", &long_type);
    let mut host = MemoryHost::new(&configured(), body);
    let handled = post(&mut host);
    assert_eq!(handled.reply.status, 202);
    let expected_id = format!("{}…", "i".repeat(255));
    assert_eq!(json(&handled)["event_id"], expected_id.as_str());
    let log: Value = serde_json::from_str(&handled.log.to_json()).unwrap();
    assert_eq!(log["event_id"], expected_id.as_str());
    assert_eq!(log["event_name"].as_str().unwrap().chars().count(), 256);
    assert!(handled.log.to_json().len() < 1024);

    let name = "N".repeat(100_000);
    let body = FAILED.replace("SERVICE_DEPLOYMENT_FAILED", &name);
    let mut host = MemoryHost::new(&configured(), body);
    let handled = post(&mut host);
    let log: Value = serde_json::from_str(&handled.log.to_json()).unwrap();
    assert_eq!(log["event_name"].as_str().unwrap().chars().count(), 256);
    assert!(handled.reply.body.len() < 2048);
}

#[test]
fn methods_are_checked_per_path() {
    let mut host = MemoryHost::new(&configured(), FAILED);
    for (method, path, allow) in [
        ("GET", "/", "POST"),
        ("PUT", "/events", "POST"),
        ("DELETE", "/", "POST"),
        ("POST", "/health", "GET"),
        ("GET", "/status/health", "POST"),
    ] {
        let handled = host.handle(method, path, &[("x-api-key", KEY)]);
        assert_eq!(handled.reply.status, 405, "{method} {path}");
        assert_eq!(header(&handled, "allow"), Some(allow));
        assert_eq!(json(&handled)["error"], "method_not_allowed");
    }
    assert!(host.posts.is_empty());
}

#[test]
fn authentication_comes_before_the_body() {
    // A huge unauthenticated body is refused as unauthenticated, not read.
    let mut host = MemoryHost::new(&configured(), vec![b'x'; MAX_BODY_BYTES + 10]);
    let handled = host.handle("POST", "/", &[]);
    assert_eq!(handled.reply.status, 401);
    assert_eq!(json(&handled)["error"], "unauthorized");
    let handled = host.handle("POST", "/", &[("x-api-key", "wrong")]);
    assert_eq!(handled.reply.status, 401);
    assert!(host.posts.is_empty());
    assert_no_secrets(&handled);
}

#[test]
fn bodies_over_the_limit_are_413() {
    let declared = (MAX_BODY_BYTES + 1).to_string();
    let mut host = MemoryHost::new(&configured(), FAILED);
    let handled = host.handle(
        "POST",
        "/",
        &[("x-api-key", KEY), ("content-length", &declared)],
    );
    assert_eq!(handled.reply.status, 413);

    let mut padded = FAILED.trim_end().trim_end_matches('}').to_owned();
    padded.push_str(",\"pad\":\"");
    padded.push_str(&"p".repeat(MAX_BODY_BYTES - padded.len() - 2));
    let at_limit = format!("{padded}\"}}");
    assert_eq!(at_limit.len(), MAX_BODY_BYTES);
    let mut host = MemoryHost::new(&configured(), at_limit.clone());
    assert_eq!(post(&mut host).reply.status, 200);
    let mut host = MemoryHost::new(&configured(), at_limit + " ");
    assert_eq!(post(&mut host).reply.status, 413);
    assert!(host.posts.is_empty());
}

#[test]
fn bad_events_are_400_naming_the_field_and_never_reach_slack() {
    let cases = [
        ("", "invalid_json", None),
        ("{\"id\": ", "invalid_json", None),
        ("[1, 2]", "not_an_object", None),
        ("{}", "missing_field", Some("`id`")),
        (
            &*FAILED.replace("\"SERVICE_DEPLOYMENT_FAILED\"", "7"),
            "invalid_field",
            Some("`detail.eventName`"),
        ),
        (
            &*FAILED.replace("\"eventName\": \"SERVICE_DEPLOYMENT_FAILED\",", ""),
            "missing_field",
            Some("`detail.eventName`"),
        ),
    ];
    for (body, code, field) in cases {
        let mut host = MemoryHost::new(&configured(), body);
        let handled = post(&mut host);
        assert_eq!(handled.reply.status, 400, "{body}");
        let answer = json(&handled);
        assert_eq!(answer["error"], code, "{body}");
        if let Some(field) = field {
            assert!(
                answer["message"].as_str().unwrap().contains(field),
                "{answer}"
            );
        }
        assert!(host.posts.is_empty());
    }
}

#[test]
fn a_body_the_host_cannot_read_is_retried() {
    let mut host = MemoryHost::new(&configured(), FAILED);
    host.body = None;
    let handled = post(&mut host);
    assert_eq!(handled.reply.status, 500);
    assert_eq!(json(&handled)["error"], "body_unreadable");
    assert!(host.posts.is_empty());
}

#[test]
fn errors_after_the_envelope_carry_the_event_id() {
    let body = FAILED.replace("\"111122223333\"", "\"not-an-account\"");
    let mut host = MemoryHost::new(&configured(), body);
    let answer = json(&post(&mut host));
    assert_eq!(answer["error"], "invalid_field");
    assert_eq!(answer["event_id"], EVENT_ID);
}

#[test]
fn other_events_are_202_and_not_sent() {
    for fixture in [
        include_str!("../fixtures/ecs-deployment-completed.json"),
        include_str!("../fixtures/s3-object-created.json"),
    ] {
        let mut host = MemoryHost::new(&configured(), fixture);
        let handled = post(&mut host);
        assert_eq!(handled.reply.status, 202);
        assert_eq!(json(&handled)["outcome"], "ignored");
        assert!(host.posts.is_empty());
    }
}

/// Settings, the expected status, and the key the message must name.
type ConfigCase = (Vec<(&'static str, &'static str)>, u16, &'static str);

#[test]
fn configuration_problems_are_5xx_naming_the_key() {
    let cases: Vec<ConfigCase> = vec![
        (vec![("api_key", KEY)], 503, "slack_webhook_url"),
        (
            vec![("slack_webhook_url", WEBHOOK)],
            503,
            "allow_unauthenticated",
        ),
        (
            vec![
                ("api_key", KEY),
                ("slack_webhook_url", "http://hooks.slack.com/SECRET"),
            ],
            500,
            "slack_webhook_url",
        ),
        (
            vec![
                ("api_key", KEY),
                ("slack_webhook_url", WEBHOOK),
                ("dry_run", "sometimes"),
            ],
            500,
            "dry_run",
        ),
        (
            vec![
                ("api_key", KEY),
                ("slack_webhook_url", WEBHOOK),
                ("environment_rules", "prod"),
            ],
            500,
            "environment_rules",
        ),
        (
            vec![
                ("api_key", KEY),
                ("slack_webhook_url", WEBHOOK),
                ("account_environments", "1=x"),
            ],
            500,
            "account_environments",
        ),
        (
            vec![("basic_auth_username", "eb")],
            503,
            "basic_auth_password",
        ),
        (
            vec![
                ("api_key", KEY),
                ("slack_webhook_url", WEBHOOK),
                ("log_groups", "checkout-api=/ecs/checkout api:ecs"),
            ],
            500,
            "log_groups",
        ),
    ];
    for (settings, status, key) in cases {
        let mut host = MemoryHost::new(&settings, FAILED);
        let handled = post(&mut host);
        assert_eq!(handled.reply.status, status, "{key}");
        let answer = json(&handled);
        let message = answer["message"].as_str().unwrap().to_owned();
        assert!(message.contains(key), "{key}: {message}");
        if status == 500 {
            assert_eq!(answer["error"], "config_invalid", "{key}");
        }
        assert!(host.posts.is_empty());
        assert_no_secrets(&handled);
    }
    let mut broken_store = MemoryHost::new(&[], FAILED);
    broken_store.settings = None;
    let handled = post(&mut broken_store);
    assert_eq!(handled.reply.status, 503);
    assert_eq!(json(&handled)["error"], "config_unavailable");
}

fn slack_answer(status: u16, retry_after: Option<&str>) -> HttpResponse {
    HttpResponse {
        status,
        retry_after: retry_after.map(str::to_owned),
        body: Vec::new(),
    }
}

#[test]
fn slack_answers_decide_whether_eventbridge_retries() {
    let answer = |status: u16, retry_after: Option<&str>, body: &str| {
        Ok(HttpResponse {
            body: body.as_bytes().to_vec(),
            ..slack_answer(status, retry_after)
        })
    };
    let cases = [
        (answer(200, None, "ok"), 200, None),
        (answer(400, None, "invalid_payload"), 424, None),
        (answer(403, None, "action_prohibited"), 424, None),
        (answer(404, None, "no_service"), 424, None),
        (answer(410, None, "channel_is_archived"), 424, None),
        (answer(429, Some("17"), ""), 429, Some("17")),
        (answer(429, None, ""), 429, Some("30")),
        (answer(500, None, ""), 502, None),
        (answer(413, None, "request_too_large"), 424, None),
        (answer(408, None, ""), 502, None),
        (answer(503, Some("9"), ""), 502, Some("9")),
        (
            answer(429, Some("Fri, 27 Nov 2026 00:01:00 GMT"), ""),
            429,
            Some("60"),
        ),
        (
            Err(TransportFailure::Unreachable("connection_refused")),
            503,
            None,
        ),
        (Err(TransportFailure::Timeout), 504, None),
    ];
    for (slack, status, retry_after) in cases {
        let mut host = MemoryHost::new(&configured(), FAILED);
        host.slack = slack.clone();
        let handled = post(&mut host);
        assert_eq!(handled.reply.status, status, "{slack:?}");
        assert_eq!(header(&handled, "retry-after"), retry_after, "{slack:?}");
        assert_eq!(host.posts.len(), 1);
        assert_eq!(json(&handled)["event_id"], EVENT_ID);
        if status == 424 {
            let code = String::from_utf8(slack.unwrap().body).unwrap();
            assert!(json(&handled)["message"].as_str().unwrap().contains(&code));
        }
        assert_no_secrets(&handled);
    }
}

#[test]
fn dry_run_answers_and_logs_the_payload_without_sending() {
    let mut host = MemoryHost::new(
        &[("dry_run", "true"), ("allow_unauthenticated", "true")],
        FAILED,
    );
    let handled = host.handle("POST", "/", &[]);
    assert_eq!(handled.reply.status, 200);
    let answer = json(&handled);
    assert_eq!(answer["outcome"], "dry_run");
    assert_eq!(answer["slack_payload"]["blocks"][0]["type"], "header");
    let log: Value = serde_json::from_str(&handled.log.to_json()).unwrap();
    assert_eq!(log["outcome"], "dry_run");
    assert_eq!(log["slack_payload"], answer["slack_payload"]);
    assert!(host.posts.is_empty());
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A host on `store` with the standard settings plus `extra`, posting `name`.
fn post_fixture(
    store: &MemoryStore,
    extra: &[(&'static str, &'static str)],
    name: &str,
) -> (Handled, MemoryHost) {
    let mut settings = configured();
    settings.extend_from_slice(extra);
    let mut host = MemoryHost::new(&settings, fixture(name));
    host.store = Some(store.clone());
    let handled = post(&mut host);
    assert_no_secrets(&handled);
    (handled, host)
}

#[test]
fn a_broken_store_costs_the_detail_never_the_alert() {
    let mut host = MemoryHost::new(
        &configured(),
        fixture("ecs-deployment-failed-checkout.json"),
    );
    host.store = None;
    let handled = post(&mut host);
    assert_eq!(handled.reply.status, 200);
    assert_eq!(json(&handled)["outcome"], "delivered");
    assert_eq!(host.posts.len(), 1);
    let payload = String::from_utf8(host.posts[0].payload.clone()).unwrap();
    assert!(payload.contains("could not be read"), "{payload}");
    let log: Value = serde_json::from_str(&handled.log.to_json()).unwrap();
    assert_eq!(log["store"], "unavailable");

    // A stopped task exists only to be recorded: EventBridge must retry it.
    let mut host = MemoryHost::new(&configured(), fixture("ecs-task-stopped-exit-code.json"));
    host.store = None;
    let handled = post(&mut host);
    assert_eq!(handled.reply.status, 503);
    assert_eq!(json(&handled)["error"], "store_unavailable");
}

#[test]
fn health_is_degraded_but_ready_when_the_store_fails() {
    let mut host = MemoryHost::new(&configured(), "");
    host.store = None;
    let handled = host.handle("GET", "/health", &[]);
    assert_eq!(handled.reply.status, 200);
    assert_eq!(
        json(&handled),
        serde_json::json!({"status": "degraded", "ready": true})
    );
    let details = json(&host.handle("GET", "/health", &[("x-api-key", KEY)]));
    assert!(details["store"].as_str().unwrap().contains("unavailable"));
}

#[test]
fn writes_happen_only_where_something_must_persist() {
    let store = MemoryStore::default();
    let writes = |store: &MemoryStore| store.data().writes;
    // Ignored events and health checks read at most; they never write.
    post_fixture(&store, &[], "s3-object-created.json");
    post_fixture(&store, &[], "ecs-deployment-in-progress.json");
    post_fixture(&store, &[], "ecs-task-stopped-scale-in.json");
    let mut host = MemoryHost::new(&configured(), "");
    host.store = Some(store.clone());
    host.handle("GET", "/health", &[]);
    assert_eq!(writes(&store), 0);
    // An ordinary completion could only post as a rollback's end: one read says it is not,
    // and one small record says when it completed, for a rollback notice that comes later.
    post_fixture(&store, &[], "ecs-deployment-completed.json");
    assert_eq!(writes(&store), 1);
    let store = MemoryStore::default();
    // A deployment's first stopped task: its marker and the task; the next ones: one write.
    post_fixture(&store, &[], "ecs-task-stopped-exit-code.json");
    assert_eq!(writes(&store), 2);
    post_fixture(&store, &[], "ecs-task-stopped-out-of-memory.json");
    assert_eq!(writes(&store), 3);
    // A failure: its claim, its service's links (the failed deployment), then its delivered
    // mark.
    post_fixture(&store, &[], "ecs-deployment-failed-checkout.json");
    assert_eq!(writes(&store), 6);
    // The duplicate only reads.
    let (handled, host) = post_fixture(&store, &[], "ecs-deployment-failed-checkout.json");
    assert_eq!(json(&handled)["outcome"], "duplicate");
    assert!(host.posts.is_empty());
    assert_eq!(writes(&store), 6);
    // A dry run reads and records tasks, but never marks anything delivered.
    let dry = MemoryStore::default();
    for _ in 0..2 {
        let (handled, _) = post_fixture(
            &dry,
            &[("dry_run", "true")],
            "ecs-deployment-failed-checkout.json",
        );
        assert_eq!(json(&handled)["outcome"], "dry_run");
    }
    assert!(
        dry.data()
            .entries
            .keys()
            .all(|key| !key.starts_with("ecs-deploy-alerts/sent:"))
    );
}

#[test]
fn notify_decides_what_posts_and_tasks_are_recorded_whatever_it_says() {
    let store = MemoryStore::default();
    let (handled, host) = post_fixture(
        &store,
        &[("notify", "none")],
        "ecs-task-stopped-exit-code.json",
    );
    assert_eq!(handled.reply.status, 202);
    assert_eq!(json(&handled)["outcome"], "recorded");
    assert!(host.posts.is_empty());
    let (handled, host) = post_fixture(
        &store,
        &[("notify", "none")],
        "ecs-deployment-failed-checkout.json",
    );
    assert_eq!(handled.reply.status, 202);
    assert!(
        json(&handled)["message"]
            .as_str()
            .unwrap()
            .contains("deployment_failed")
    );
    assert!(host.posts.is_empty());
    let (handled, host) = post_fixture(
        &MemoryStore::default(),
        &[("notify", "deployment_started,deployment_completed")],
        "ecs-deployment-in-progress.json",
    );
    assert_eq!(json(&handled)["outcome"], "delivered");
    let text = String::from_utf8(host.posts[0].payload.clone()).unwrap();
    assert!(text.contains("Deployment started"), "{text}");
    let (handled, _) = post_fixture(
        &store,
        &[("notify", "deployment_failed,oops")],
        "ecs-deployment-failed-checkout.json",
    );
    assert_eq!(handled.reply.status, 500);
    assert!(
        json(&handled)["message"]
            .as_str()
            .unwrap()
            .contains("`oops`")
    );
}

#[test]
fn instances_sharing_a_store_share_the_story() {
    // Two replicas on one store: one records the tasks, the other alerts with them.
    let store = MemoryStore::default();
    post_fixture(&store, &[], "ecs-task-stopped-pull-error.json");
    post_fixture(&store, &[], "ecs-task-stopped-out-of-memory.json");
    let (_, host) = post_fixture(&store, &[], "ecs-deployment-failed-checkout.json");
    let text = String::from_utf8(host.posts[0].payload.clone()).unwrap();
    assert!(
        text.contains("CannotPullContainerError") && text.contains("OutOfMemoryError"),
        "{text}"
    );
    // Tasks of another deployment never appear.
    let other = MemoryStore::default();
    post_fixture(&other, &[], "ecs-task-stopped-other-deployment.json");
    let (_, host) = post_fixture(&other, &[], "ecs-deployment-failed-checkout.json");
    let text = String::from_utf8(host.posts[0].payload.clone()).unwrap();
    assert!(
        text.contains("No stopped task of this deployment was recorded"),
        "{text}"
    );
}

/// The event's key as another delivery's fresh claim leaves it: taken at `at`, token 99.
fn foreign_claim(store: &MemoryStore, at: u64) {
    let mut host = MemoryHost::new(&configured(), "");
    host.store = Some(store.clone());
    let key = format!("ecs-deploy-alerts/sent:{EVENT_ID}");
    ecs_deploy_alerts::state::claim::begin(&mut host, &key, 99, at).unwrap();
    assert!(store.data().entries.contains_key(&key));
}

#[test]
fn a_delivery_that_overlaps_another_posts_nothing_and_is_retried() {
    let store = MemoryStore::default();
    foreign_claim(&store, START_OF_TIME);
    let (handled, host) = post_fixture(&store, &[], "ecs-deployment-failed.json");
    assert_eq!(handled.reply.status, 409);
    assert_eq!(json(&handled)["error"], "in_flight");
    assert_eq!(header(&handled, "retry-after"), Some("1"));
    assert!(host.posts.is_empty());
    // The claim is the other delivery's: this one leaves it alone.
    assert!(!store.data().entries.is_empty());
    // Ten seconds on, it is still the other's; after that, a stopped instance's.
    let at = |now: u64| {
        let mut host = MemoryHost::new(&configured(), fixture("ecs-deployment-failed.json"));
        host.store = Some(store.clone());
        host.now = now;
        let handled = post(&mut host);
        (handled.reply.status, host.posts.len())
    };
    assert_eq!(at(START_OF_TIME + 10), (409, 0));
    assert_eq!(at(START_OF_TIME + 11), (200, 1));
    assert_eq!(at(START_OF_TIME + 12), (200, 0)); // a duplicate now
}

#[test]
fn a_claim_waits_then_reads_itself_back() {
    let mut host = MemoryHost::new(&configured(), FAILED);
    let handled = post(&mut host);
    assert_eq!(json(&handled)["outcome"], "delivered");
    assert_eq!(host.sleeps, [Duration::from_millis(15)]);
    let store = host.store.as_ref().unwrap().data();
    // The claim's two reads, the story's three (a rollback? named by one already? recorded
    // tasks?); the claim, the failed deployment, the delivered mark.
    assert_eq!((store.reads, store.writes), (5, 3));
    // A duplicate and a dry run do not wait.
    let mut again = MemoryHost::new(&configured(), FAILED);
    again.store = host.store.clone();
    assert_eq!(json(&post(&mut again))["outcome"], "duplicate");
    assert!(again.sleeps.is_empty());
    let mut dry = configured();
    dry.push(("dry_run", "true"));
    let mut dry = MemoryHost::new(&dry, FAILED);
    assert_eq!(json(&post(&mut dry))["outcome"], "dry_run");
    assert!(dry.sleeps.is_empty());
    let entries = dry.store.as_ref().unwrap().data().entries;
    assert!(entries.keys().all(|k| !k.contains("/sent:")));
}

#[test]
fn a_failed_post_releases_the_claim_so_a_retry_posts_at_once() {
    let store = MemoryStore::default();
    for (slack, status) in [
        (Ok(slack_answer(500, None)), 502),
        (Ok(slack_answer(429, Some("3"))), 429),
        (Ok(slack_answer(400, None)), 424),
        (Err(TransportFailure::Timeout), 504),
    ] {
        let mut host = MemoryHost::new(&configured(), FAILED);
        host.store = Some(store.clone());
        host.slack = slack;
        assert_eq!(post(&mut host).reply.status, status);
        assert_eq!(host.posts.len(), 1);
        let entries = store.data().entries;
        assert!(
            entries.keys().all(|k| !k.contains("/sent:")),
            "{status}: claim left"
        );
    }
    let mut host = MemoryHost::new(&configured(), FAILED);
    host.store = Some(store.clone());
    assert_eq!(json(&post(&mut host))["outcome"], "delivered");
    // Nothing to post (`notify` leaves it out): released too.
    let store = MemoryStore::default();
    let (handled, _) = post_fixture(
        &store,
        &[("notify", "rollback")],
        "ecs-deployment-failed.json",
    );
    assert_eq!(json(&handled)["outcome"], "ignored");
    assert!(store.data().entries.keys().all(|k| !k.contains("/sent:")));
}

#[test]
fn slack_gets_what_is_left_of_the_answer_deadline() {
    // 3 s went on configuration and the store: Slack's share is what is left, less 0.4 s.
    let mut host = MemoryHost::new(&configured(), FAILED);
    host.elapsed = Duration::from_millis(3000);
    assert_eq!(post(&mut host).reply.status, 200);
    let timeouts = host.posts[0].timeouts;
    assert_eq!(timeouts.whole, Duration::from_millis(1085));
    assert_eq!(timeouts.connect, Duration::from_millis(1000));
    assert_eq!(timeouts.first_byte, Duration::from_millis(1085));
    // Too little left to post: nothing goes out, the claim is released, EventBridge retries.
    let mut host = MemoryHost::new(&configured(), FAILED);
    host.elapsed = Duration::from_millis(3700);
    let handled = post(&mut host);
    assert_eq!(handled.reply.status, 503);
    assert_eq!(json(&handled)["error"], "out_of_time");
    assert!(host.posts.is_empty());
    assert!(
        host.store
            .as_ref()
            .unwrap()
            .data()
            .entries
            .keys()
            .all(|k| !k.contains("/sent:"))
    );
}

#[test]
fn pruning_waits_for_the_answer() {
    // The handler never lists keys for a plain failure; the prune after the answer does, for
    // one event id in sixteen.
    let mut pruned = 0;
    for i in 0..64 {
        let body = String::from_utf8(fixture("ecs-deployment-failed.json"))
            .unwrap()
            .replace(EVENT_ID, &format!("event-{i}"));
        let mut host = MemoryHost::new(&configured(), body);
        let head_headers = [("x-api-key", KEY)];
        let headers: Vec<(String, Vec<u8>)> = head_headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect();
        let head = ecs_deploy_alerts::host::RequestHead {
            method: "POST",
            path: "/",
            headers: &headers,
        };
        let mut handled = ecs_deploy_alerts::handle(&head, &mut host);
        assert_eq!(host.store.as_ref().unwrap().data().lists, 0);
        assert_eq!(
            handled.prune,
            ecs_deploy_alerts::state::prune::prune_due(&format!("event-{i}"))
        );
        ecs_deploy_alerts::after_answer(&mut host, &mut handled);
        pruned += host.store.as_ref().unwrap().data().lists;
    }
    assert!((1..=12).contains(&pruned), "{pruned} prunes in 64 events");
}

const PROD_HOOK: &str = "https://hooks.slack.com/services/T0/PROD/SECRETPROD";
const STAGING_HOOK: &str = "https://hooks.slack.com/services/T0/STG/SECRETSTG";

/// Posts `name` with routes, mentions and maybe a default webhook; returns the answer and the
/// one post, if any.
fn routed(name: &str, default: bool) -> (Handled, Option<ecs_deploy_alerts::memory::Post>) {
    let routes = format!("production={PROD_HOOK};staging={STAGING_HOOK}");
    let mut settings = vec![
        ("api_key", KEY),
        ("slack_routes", routes.as_str()),
        ("mentions", "production=<!here> <@U0ONCALL1>"),
    ];
    if default {
        settings.push(("slack_webhook_url", WEBHOOK));
    }
    let mut host = MemoryHost::new(&settings, fixture(name));
    let handled = post(&mut host);
    assert_no_secrets(&handled);
    (handled, host.posts.pop())
}

#[test]
fn each_environment_reaches_its_channel_and_only_alerts_page() {
    // prod-cluster: production, routed, mentioned.
    let (handled, post) = routed("ecs-deployment-failed-production.json", false);
    assert_eq!(handled.reply.status, 200);
    let post = post.unwrap();
    assert_eq!(post.path_and_query, "/services/T0/PROD/SECRETPROD");
    let payload: Value = serde_json::from_slice(&post.payload).unwrap();
    assert!(
        payload["text"]
            .as_str()
            .unwrap()
            .starts_with("<!here> <@U0ONCALL1> 🚨")
    );
    // The mention leads the first section, the failure's cause.
    assert_eq!(
        payload["blocks"][1]["text"]["text"],
        "<!here> <@U0ONCALL1>\n*Cause:* the deployment circuit breaker: the new tasks failed to \
         start or to stay healthy."
    );
    // An old-format ARN in the staging cluster: staging, its own channel, no mention.
    let (_, post) = routed("ecs-deployment-failed-short-arn-staging.json", false);
    let post = post.unwrap();
    assert_eq!(post.path_and_query, "/services/T0/STG/SECRETSTG");
    assert!(!String::from_utf8(post.payload).unwrap().contains("<!"));
    // An environment without a route falls back to slack_webhook_url...
    let (_, post) = routed("ecs-deployment-failed.json", true);
    assert_eq!(
        post.unwrap().path_and_query,
        "/services/T0SECRET/B0SECRET/HOOKSECRET"
    );
    // ...and without one, the event waits (503) for the configuration to be fixed.
    let (handled, post) = routed("ecs-deployment-failed.json", false);
    assert_eq!(handled.reply.status, 503);
    assert_eq!(json(&handled)["error"], "config_missing");
    let message = json(&handled)["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("`unknown`")
            && message.contains("slack_routes")
            && message.contains("slack_webhook_url"),
        "{message}"
    );
    assert!(post.is_none());
}

#[test]
fn notices_and_recoveries_page_nobody() {
    let store = MemoryStore::default();
    let routes = format!("production={PROD_HOOK}");
    let settings = [
        ("api_key", KEY),
        ("slack_routes", routes.as_str()),
        ("mentions", "production=<!channel>"),
    ];
    let mut texts = Vec::new();
    for name in [
        "ecs-deployment-failed-checkout.json",
        "ecs-deployment-rollback-started.json",
        "ecs-deployment-rollback-completed.json",
    ] {
        let mut host = MemoryHost::new(&settings, fixture(name));
        host.store = Some(store.clone());
        assert_eq!(post(&mut host).reply.status, 200, "{name}");
        texts.push(String::from_utf8(host.posts.pop().unwrap().payload).unwrap());
    }
    assert!(texts[0].contains("<!channel>"));
    assert!(!texts[1].contains("<!channel>") && !texts[2].contains("<!channel>"));
}

#[test]
fn health_lists_routed_environments_never_urls() {
    let routes = format!("production={PROD_HOOK};staging={STAGING_HOOK}");
    let mut host = MemoryHost::new(&[("api_key", KEY), ("slack_routes", &routes)], "");
    let handled = host.handle("GET", "/health", &[("x-api-key", KEY)]);
    assert_eq!(handled.reply.status, 200);
    assert_eq!(
        json(&handled)["routes"],
        serde_json::json!(["production", "staging"])
    );
    assert_no_secrets(&handled);
    for (key, value) in [
        ("slack_routes", "production=http://hooks.slack.com/SECRET"),
        ("slack_routes", "production=x;production=y"),
        ("mentions", "production=@here"),
    ] {
        let mut host = MemoryHost::new(
            &[
                ("api_key", KEY),
                ("slack_webhook_url", WEBHOOK),
                (key, value),
            ],
            "",
        );
        let handled = host.handle("GET", "/health", &[("x-api-key", KEY)]);
        assert_eq!(handled.reply.status, 503, "{value}");
        assert!(json(&handled)["problem"].as_str().unwrap().contains(key));
        assert_no_secrets(&handled);
    }
}

#[test]
fn each_path_reads_only_the_configuration_it_needs() {
    // Every lookup costs the host a resolution through its variable providers.
    let reads = |method: &str, path: &str, key: &str, body: Vec<u8>| {
        let mut host = MemoryHost::new(&configured(), body);
        host.handle(method, path, &[("x-api-key", key)]);
        host.config_reads
    };
    let failure = fixture("ecs-deployment-failed-checkout.json");
    assert_eq!(reads("PUT", "/", KEY, failure.clone()), 0);
    // A refusal is decided on every authentication key; the right API key admits after two.
    assert_eq!(reads("POST", "/", "wrong", failure.clone()), 5);
    assert_eq!(
        reads("POST", "/", KEY, fixture("s3-object-created.json")),
        2
    );
    assert_eq!(reads("POST", "/", KEY, b"{not json".to_vec()), 2);
    assert_eq!(reads("POST", "/", KEY, failure.clone()), 11);
    assert_eq!(reads("GET", "/health", KEY, Vec::new()), 21);
    // The interactions path reads the signing secret, and refuses on it alone.
    assert_eq!(reads("POST", "/slack/interactions", KEY, Vec::new()), 1);
    // The app's keys only when a channel may be configured.
    let mut host = MemoryHost::new(&configured(), failure);
    host.settings.as_mut().unwrap().extend([
        ("slack_channel".to_owned(), "C0ALERTS".to_owned()),
        ("slack_bot_token".to_owned(), "xoxb-1-SECRET".to_owned()),
    ]);
    host.handle("POST", "/", &[("x-api-key", KEY)]);
    assert_eq!(host.config_reads, 14);
    // Acting from Slack's keys only once its signing secret is set.
    host.settings.as_mut().unwrap().push((
        "slack_signing_secret".to_owned(),
        "8f742231b10e8888abcd99yyyzzz85a5".to_owned(),
    ));
    host.config_reads = 0;
    host.handle("POST", "/", &[("x-api-key", KEY)]);
    assert_eq!(host.config_reads, 18);
}

#[test]
fn the_right_api_key_is_admitted_even_when_other_authentication_settings_are_broken() {
    // Half-configured Basic credentials: the right API key still gets its alert through
    // (two lookups decide), a refusal names the problem, and /health is not ready (without
    // a working policy it shows nobody the details).
    let mut settings = configured();
    settings.push(("basic_auth_username", "eventbridge"));
    let mut host = MemoryHost::new(&settings, FAILED.as_bytes());
    let handled = host.handle("POST", "/", &[("x-api-key", KEY)]);
    assert_eq!(handled.reply.status, 200, "{}", json(&handled));
    assert_eq!(host.posts.len(), 1);

    let mut host = MemoryHost::new(&settings, FAILED.as_bytes());
    let handled = host.handle("POST", "/", &[("x-api-key", "wrong")]);
    assert_eq!(handled.reply.status, 503, "{}", json(&handled));
    assert_eq!(json(&handled)["error"], "config_missing");
    assert!(host.posts.is_empty());

    let mut host = MemoryHost::new(&settings, "");
    let handled = host.handle("GET", "/health", &[("x-api-key", KEY)]);
    assert_eq!(handled.reply.status, 503);
    assert_eq!(json(&handled)["status"], "misconfigured");
    assert_eq!(json(&handled)["ready"], false);
}

#[test]
fn the_right_api_key_with_a_repeated_authorization_header_is_refused() {
    let mut settings = configured();
    settings.extend([
        ("basic_auth_username", "eventbridge"),
        ("basic_auth_password", "pw"),
    ]);
    let mut host = MemoryHost::new(&settings, FAILED.as_bytes());
    let handled = host.handle(
        "POST",
        "/",
        &[
            ("x-api-key", KEY),
            ("authorization", "Basic ZXZlbnRicmlkZ2U6cHc="),
            ("authorization", "Basic eDp5"),
        ],
    );
    assert_eq!(handled.reply.status, 401, "{}", json(&handled));
    assert!(host.posts.is_empty());
}
