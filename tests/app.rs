//! App mode through the pipeline: each Web API answer's status for EventBridge, a thread's
//! parent taken once when a deployment's first events race, service actions in their story's
//! thread, rewrites that fail without failing the event, a store that fails, the routes and
//! `/health`, and the token never shown.

use std::time::Duration;

use ecs_deploy_alerts::Handled;
use ecs_deploy_alerts::host::{SlackResponse, TransportFailure};
use ecs_deploy_alerts::memory::{MemoryHost, MemoryStore, START_OF_TIME};
use serde_json::{Value, json};

const TOKEN: &str = "xoxb-1-2-TOKENSECRET";
const KEY: &str = "key-SECRET-1234";
const WEBHOOK: &str = "https://hooks.slack.com/services/T0SECRET/B0SECRET/HOOKSECRET";
const FAILED: &str = include_str!("../fixtures/ecs-deployment-failed-checkout.json");
const ROLLING_BACK: &str = include_str!("../fixtures/ecs-deployment-rollback-started.json");
const ACTION: &str = include_str!("../fixtures/ecs-service-action-placement-failure.json");

fn app() -> Vec<(&'static str, &'static str)> {
    vec![
        ("api_key", KEY),
        ("slack_webhook_url", WEBHOOK),
        ("slack_bot_token", TOKEN),
        ("slack_channel", "C0ALERTS"),
    ]
}

fn host(body: &str, store: &MemoryStore, now: u64) -> MemoryHost {
    let mut host = MemoryHost::new(&app(), body);
    host.store = Some(store.clone());
    host.now = now;
    host
}

fn post(host: &mut MemoryHost) -> Handled {
    let handled = host.handle("POST", "/", &[("x-api-key", KEY)]);
    // Whatever happened, neither the answer, the log nor the headers show a secret.
    let shown = format!(
        "{}{}{:?}",
        String::from_utf8_lossy(&handled.reply.body),
        handled.log.to_json(),
        handled.reply.headers
    );
    assert!(!shown.contains("SECRET"), "{shown}");
    handled
}

fn json_of(handled: &Handled) -> Value {
    serde_json::from_slice(&handled.reply.body).unwrap()
}

fn web_api(
    status: u16,
    retry_after: Option<&str>,
    body: Value,
) -> Result<SlackResponse, TransportFailure> {
    Ok(SlackResponse {
        status,
        retry_after: retry_after.map(str::to_owned),
        body: body.to_string().into_bytes(),
    })
}

fn error(code: &str) -> Result<SlackResponse, TransportFailure> {
    web_api(200, None, json!({"ok": false, "error": code}))
}

/// A Web API answer, and the status, error code and `Retry-After` it becomes.
type Case = (
    Result<SlackResponse, TransportFailure>,
    u16,
    &'static str,
    Option<&'static str>,
);

#[test]
fn each_web_api_answer_has_the_status_that_retries_when_it_can_help() {
    let cases: Vec<Case> = vec![
        (error("ratelimited"), 429, "slack_rate_limited", Some("30")),
        (
            web_api(429, Some("7"), json!({"ok": false, "error": "ratelimited"})),
            429,
            "slack_rate_limited",
            Some("7"),
        ),
        (error("invalid_auth"), 424, "slack_rejected", None),
        (error("token_expired"), 424, "slack_rejected", None),
        (error("restricted_action"), 424, "slack_rejected", None),
        (error("not_authed"), 424, "slack_rejected", None),
        (error("token_revoked"), 424, "slack_rejected", None),
        (error("account_inactive"), 424, "slack_rejected", None),
        (error("missing_scope"), 424, "slack_rejected", None),
        (error("channel_not_found"), 424, "slack_rejected", None),
        (error("not_in_channel"), 424, "slack_rejected", None),
        (error("is_archived"), 424, "slack_rejected", None),
        (error("invalid_blocks"), 424, "slack_rejected", None),
        (error("msg_too_long"), 424, "slack_rejected", None),
        (error("internal_error"), 502, "slack_failed", None),
        (error("fatal_error"), 502, "slack_failed", None),
        // Refused for its thread: a parent has none, so the channel refused it for good.
        (
            error("restricted_action_thread_locked"),
            424,
            "slack_rejected",
            None,
        ),
        (web_api(503, None, json!({})), 502, "slack_failed", None),
        (Err(TransportFailure::Timeout), 504, "slack_timeout", None),
    ];
    for (answer, status, code, retry_after) in cases {
        let mut host = host(FAILED, &MemoryStore::default(), START_OF_TIME);
        host.web_api.push(("chat.postMessage", answer.clone()));
        let handled = post(&mut host);
        let body = json_of(&handled);
        assert_eq!(
            (handled.reply.status, body["error"].as_str()),
            (status, Some(code)),
            "{answer:?}: {body}"
        );
        let header = handled
            .reply
            .headers
            .iter()
            .find(|(n, _)| *n == "retry-after");
        assert_eq!(header.map(|(_, v)| v.as_str()), retry_after, "{answer:?}");
        let slack_code = answer.as_ref().ok().and_then(|a| {
            let body: Value = serde_json::from_slice(&a.body).unwrap();
            body["error"].as_str().map(str::to_owned)
        });
        if let Some(slack_code) = slack_code.filter(|_| status != 429) {
            assert!(
                body["message"].as_str().unwrap().contains(&slack_code),
                "{body}"
            );
        }
        // A failed post leaves the event and the deployment's thread free for the retry.
        let mut retry = MemoryHost::new(&app(), FAILED);
        retry.store = host.store.clone();
        let handled = post(&mut retry);
        assert_eq!(json_of(&handled)["thread"], "parent", "{answer:?}");
    }
}

#[test]
fn calls_carry_the_token_the_charset_and_the_channel() {
    let mut host = host(FAILED, &MemoryStore::default(), START_OF_TIME);
    let handled = post(&mut host);
    assert_eq!(json_of(&handled)["outcome"], "delivered");
    let [call] = host.posts.as_slice() else {
        panic!("{:?}", host.posts)
    };
    assert_eq!(call.path_and_query, "/api/chat.postMessage");
    assert_eq!(
        call.authorization.as_deref(),
        Some("Bearer xoxb-1-2-TOKENSECRET")
    );
    assert_eq!(call.content_type, "application/json; charset=utf-8");
    let body: Value = serde_json::from_slice(&call.payload).unwrap();
    assert_eq!(body["channel"], "C0ALERTS");
    assert!(body.get("thread_ts").is_none());
}

#[test]
fn racing_first_events_of_a_story_start_one_thread() {
    use ecs_deploy_alerts::state::{claim, keys, thread};
    let store = MemoryStore::default();
    // Another event of the service's story holds the claim on its thread: this one waits.
    let mut rival = host(ROLLING_BACK, &store, START_OF_TIME);
    let key = keys::parent("111122223333/us-east-1/prod-cluster/checkout-api");
    claim::begin(&mut rival, &key, 99, START_OF_TIME).unwrap();
    // The failure that the rolling back names: its thread's parent is in flight.
    let mut first = host(FAILED, &store, START_OF_TIME);
    let handled = post(&mut first);
    assert_eq!(
        (handled.reply.status, json_of(&handled)["error"].as_str()),
        (409, Some("in_flight"))
    );
    assert!(first.posts.is_empty());
    // The rival's parent lands and its claim goes: the retry replies in its thread.
    let parent = thread::Thread {
        deployment: "ecs-svc/4829135026487120563".into(),
        channel: "C0ALERTS".into(),
        ts: "1.000009".into(),
        event: None,
        failure: None,
        rollback: None,
        why_of: None,
        status: Some(ecs_deploy_alerts::remembered::Status::Failed),
        causes: Vec::new(),
        editable: true,
        replies: true,
        since: None,
        at: None,
        revision: 0,
        shown: 0,
    };
    thread::save(&mut rival, &parent, START_OF_TIME).unwrap();
    claim::release(&mut rival, &key).unwrap();
    let mut retry = host(FAILED, &store, START_OF_TIME + 1);
    let handled = post(&mut retry);
    assert_eq!(
        json_of(&handled)["thread"],
        "reply",
        "{}",
        json_of(&handled)
    );
    let body: Value = serde_json::from_slice(&retry.posts[0].payload).unwrap();
    assert_eq!(body["thread_ts"], "1.000009");
}

/// `event` (JSON) with its own time (`detail.createdAt`, `detail.updatedAt`) set to `at`.
fn at_time(event: &str, field: &str, at: &str) -> Value {
    let mut event: Value = serde_json::from_str(event).unwrap();
    event["detail"][field] = json!(at);
    event
}

#[test]
fn service_actions_join_their_services_story_only_while_it_goes_on() {
    let store = MemoryStore::default();
    let action = |id: &str, at: &str| {
        let mut action = at_time(ACTION, "createdAt", at);
        action["id"] = json!(id);
        action.to_string()
    };
    let mut alone = host(&action("a1", "2025-11-25T14:50:00Z"), &store, START_OF_TIME);
    assert_eq!(json_of(&post(&mut alone))["thread"], "standalone");
    // The action's service, failing: its story opens a thread.
    let actions: Value = serde_json::from_str(ACTION).unwrap();
    let mut failed: Value = serde_json::from_str(FAILED).unwrap();
    failed["resources"] = json!([actions["resources"][0]]);
    failed["account"] = actions["account"].clone();
    failed["region"] = actions["region"].clone();
    failed["detail"]["clusterArn"] = actions["detail"]["clusterArn"].clone();
    let mut parent = host(&failed.to_string(), &store, START_OF_TIME + 1);
    assert_eq!(json_of(&post(&mut parent))["thread"], "parent");
    let mut joined = host(
        &action("a2", "2025-11-25T15:10:00Z"),
        &store,
        START_OF_TIME + 2,
    );
    let handled = post(&mut joined);
    assert_eq!(
        json_of(&handled)["thread"],
        "reply",
        "{}",
        json_of(&handled)
    );
    // A service action does not move the story: the parent is not rewritten.
    assert_eq!(joined.posts.len(), 1);
    // 30 hours later the story is another day's: the action stands alone.
    let mut later = host(
        &action("a3", "2025-11-26T20:57:00Z"),
        &store,
        START_OF_TIME + 3,
    );
    assert_eq!(json_of(&post(&mut later))["thread"], "standalone");
    // The failed deployment's service completes a deployment, which `notify` does not post:
    // the story has ended, and the next action stands alone.
    let mut completed = failed.clone();
    completed["id"] = json!("completed");
    completed["detail"]["eventName"] = json!("SERVICE_DEPLOYMENT_COMPLETED");
    completed["detail"]["updatedAt"] = json!("2025-11-25T15:20:00Z");
    let mut done = host(&completed.to_string(), &store, START_OF_TIME + 4);
    assert_eq!(json_of(&post(&mut done))["outcome"], "ignored");
    let mut after = host(
        &action("a4", "2025-11-25T15:25:00Z"),
        &store,
        START_OF_TIME + 5,
    );
    assert_eq!(json_of(&post(&mut after))["thread"], "standalone");
}

#[test]
fn a_final_rewrite_that_fails_is_the_events_answer_until_a_retry_draws_it() {
    let store = MemoryStore::default();
    post(&mut host(FAILED, &store, START_OF_TIME));
    let mut rolling = host(ROLLING_BACK, &store, START_OF_TIME + 1);
    rolling.web_api.push((
        "chat.update",
        web_api(429, Some("3"), json!({"ok": false, "error": "ratelimited"})),
    ));
    let handled = post(&mut rolling);
    // The reply posted; the parent still says "failed": EventBridge must come back.
    assert_eq!(
        (handled.reply.status, json_of(&handled)["error"].as_str()),
        (429, Some("parent_update_failed"))
    );
    let retry_after = handled
        .reply
        .headers
        .iter()
        .find(|(n, _)| *n == "retry-after");
    assert_eq!(retry_after.map(|(_, v)| v.as_str()), Some("3"));
    assert_eq!(handled.log.parent_update, Some("failed"));
    // The retry posts nothing again: it draws the parent, and the event is a duplicate.
    let mut retry = host(ROLLING_BACK, &store, START_OF_TIME + 30);
    let handled = post(&mut retry);
    assert_eq!(
        json_of(&handled)["outcome"],
        "duplicate",
        "{}",
        json_of(&handled)
    );
    let methods: Vec<_> = retry
        .posts
        .iter()
        .map(|p| p.method().unwrap().to_owned())
        .collect();
    assert_eq!(methods, ["chat.update"]);
    let drawn: Value = serde_json::from_slice(&retry.posts[0].payload).unwrap();
    let header = drawn["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(header.contains("rolling back"), "{header}");
    // Owed no more: a further retry calls nothing.
    let mut again = host(ROLLING_BACK, &store, START_OF_TIME + 60);
    assert_eq!(json_of(&post(&mut again))["outcome"], "duplicate");
    assert!(again.posts.is_empty());

    // A rewrite Slack refuses for good is only logged: the event is delivered.
    let store = MemoryStore::default();
    post(&mut host(FAILED, &store, START_OF_TIME));
    let mut rolling = host(ROLLING_BACK, &store, START_OF_TIME + 1);
    rolling
        .web_api
        .push(("chat.update", error("invalid_blocks")));
    let handled = post(&mut rolling);
    assert_eq!(handled.reply.status, 200);
    assert_eq!(handled.log.parent_update, Some("failed"));

    // Too little time left for the rewrite: the reply went, the rewrite is owed.
    let store = MemoryStore::default();
    post(&mut host(FAILED, &store, START_OF_TIME));
    let mut late = host(ROLLING_BACK, &store, START_OF_TIME + 1);
    // The reply leaves 0.8 s of the deadline and takes 0.4 s: less than a post needs.
    late.elapsed = Duration::from_millis(3300);
    late.slack_latency = Duration::from_millis(400);
    let handled = post(&mut late);
    assert_eq!(
        (handled.reply.status, json_of(&handled)["error"].as_str()),
        (503, Some("parent_update_failed"))
    );
    assert_eq!(late.posts.len(), 1, "only the reply");
    assert_eq!(handled.log.parent_update, Some("failed"));
}

#[test]
fn a_thread_slack_locks_lets_the_story_go_on_in_the_channel() {
    let store = MemoryStore::default();
    post(&mut host(FAILED, &store, START_OF_TIME));
    let mut rolling = host(ROLLING_BACK, &store, START_OF_TIME + 1);
    rolling
        .web_api
        .push(("chat.postMessage", error("restricted_action_thread_locked")));
    let handled = post(&mut rolling);
    assert_eq!(handled.reply.status, 200, "{}", json_of(&handled));
    assert_eq!(json_of(&handled)["thread"], "standalone");
    let calls: Vec<Value> = rolling
        .posts
        .iter()
        .map(|p| serde_json::from_slice(&p.payload).unwrap())
        .collect();
    // Refused in the thread, posted in the channel; the parent still follows the story.
    assert!(calls[0]["thread_ts"].is_string());
    assert!(calls[1].get("thread_ts").is_none());
    assert_eq!(rolling.posts[2].method(), Some("chat.update"));
    // The story's next message goes to the channel at once.
    let completed = include_str!("../fixtures/ecs-deployment-rollback-completed.json");
    let mut done = host(completed, &store, START_OF_TIME + 2);
    let handled = post(&mut done);
    assert_eq!(
        json_of(&handled)["thread"],
        "standalone",
        "{}",
        json_of(&handled)
    );
    let call: Value = serde_json::from_slice(&done.posts[0].payload).unwrap();
    assert!(call.get("thread_ts").is_none(), "{call}");
}

#[test]
fn without_a_store_messages_post_alone_and_are_delivered() {
    let mut host = MemoryHost::new(&app(), FAILED);
    host.store = None;
    let handled = post(&mut host);
    assert_eq!(handled.reply.status, 200);
    assert_eq!(json_of(&handled)["thread"], "standalone");
    assert_eq!(handled.log.store, Some("unavailable"));
    assert_eq!(host.posts.len(), 1);
}

#[test]
fn routes_mix_channels_and_webhooks_and_health_says_which() {
    let mut settings = app();
    settings.retain(|(k, _)| *k != "slack_channel");
    settings.push(("slack_routes", "production=C0PROD"));
    let mut host = MemoryHost::new(&settings, FAILED);
    let handled = post(&mut host);
    let log: Value = serde_json::from_str(&handled.log.to_json()).unwrap();
    assert_eq!(log["environment"], "production");
    let body: Value = serde_json::from_slice(&host.posts[0].payload).unwrap();
    assert_eq!(body["channel"], "C0PROD");
    let health = host.handle("GET", "/health", &[("x-api-key", KEY)]);
    let health = json_of(&health);
    assert_eq!(
        health["modes"],
        json!({"production": "app", "*": "webhook"})
    );
    assert_eq!(health["settings"]["slack_bot_token"], true);
    assert!(!health.to_string().contains("SECRET"));
    // A channel without the token is refused, naming the key.
    let mut settings = vec![
        ("api_key", KEY),
        ("slack_webhook_url", WEBHOOK),
        ("slack_routes", "production=C0PROD"),
    ];
    let mut host = MemoryHost::new(&settings, FAILED);
    let handled = post(&mut host);
    assert_eq!(json_of(&handled)["error"], "config_invalid");
    assert!(
        json_of(&handled)["message"]
            .as_str()
            .unwrap()
            .contains("slack_routes")
    );
    settings.push(("slack_bot_token", TOKEN));
    let mut host = MemoryHost::new(&settings, FAILED);
    assert_eq!(post(&mut host).reply.status, 200);
}

const STOPPED: &str = include_str!("../fixtures/ecs-task-stopped-exit-code.json");

/// `json` with `edit` applied.
fn edited(json: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(json).unwrap();
    edit(&mut value);
    value.to_string()
}

fn methods(host: &MemoryHost) -> Vec<&str> {
    host.posts
        .iter()
        .map(|post| post.method().unwrap())
        .collect()
}

#[test]
fn a_parent_whose_thread_is_not_kept_still_marks_its_event_delivered() {
    let store = MemoryStore::default();
    // Writes: the event's claim (0), the service's failure (1), the parent's claim (2), the
    // thread (3): that one fails.
    store.fail_write(3);
    let mut first = host(FAILED, &store, START_OF_TIME);
    let handled = post(&mut first);
    assert_eq!(json_of(&handled)["thread"], "parent");
    assert_eq!(handled.log.store, Some("unavailable"));
    let entries = store.data().entries;
    assert!(
        !entries.keys().any(|k| k.contains("/parent:")),
        "{entries:?}"
    );
    // The event is delivered all the same: a redelivery posts nothing.
    let mut again = host(FAILED, &store, START_OF_TIME + 1);
    assert_eq!(json_of(&post(&mut again))["outcome"], "duplicate");
    assert!(again.posts.is_empty());
}

#[test]
fn a_rollback_never_joins_the_thread_of_the_deployment_it_returns_to() {
    let store = MemoryStore::default();
    let with_completions = |body: &str, now| {
        let mut host = host(body, &store, now);
        host.settings.as_mut().unwrap().push((
            "notify".into(),
            "deployment_failed,rollback,deployment_completed".into(),
        ));
        host
    };
    // Yesterday, the deployment this rollback returns to completed, in a thread of its own.
    let earlier = edited(FAILED, |event| {
        event["id"] = json!("earlier-completion");
        event["detail"]["eventName"] = json!("SERVICE_DEPLOYMENT_COMPLETED");
        event["detail"]["deploymentId"] = json!("ecs-svc/3917652044385617209");
    });
    let handled = post(&mut with_completions(&earlier, START_OF_TIME));
    assert_eq!(
        json_of(&handled)["thread"],
        "parent",
        "{}",
        json_of(&handled)
    );
    // Today's failure did not post (its event is yet to come): the rollback starts its own.
    let mut rolling = with_completions(ROLLING_BACK, START_OF_TIME + 60);
    let handled = post(&mut rolling);
    assert_eq!(
        json_of(&handled)["thread"],
        "parent",
        "{}",
        json_of(&handled)
    );
    assert_eq!(methods(&rolling), ["chat.postMessage"]);
}

#[test]
fn the_parent_never_moves_back_and_a_late_failure_only_replies() {
    let store = MemoryStore::default();
    post(&mut host(FAILED, &store, START_OF_TIME));
    let mut rolling = host(ROLLING_BACK, &store, START_OF_TIME + 1);
    post(&mut rolling);
    assert_eq!(methods(&rolling), ["chat.postMessage", "chat.update"]);
    // The same failure again, under another event id (ECS may send it twice).
    let again = edited(FAILED, |event| {
        event["id"] = json!("the-same-failure-again")
    });
    let mut late = host(&again, &store, START_OF_TIME + 2);
    let handled = post(&mut late);
    assert_eq!(json_of(&handled)["thread"], "reply");
    assert_eq!(
        methods(&late),
        ["chat.postMessage"],
        "no rewrite back to failed"
    );
}

#[test]
fn stopped_tasks_rewrite_only_a_parent_that_shows_their_deployments_why() {
    let store = MemoryStore::default();
    // A thread started by the rollback (its failure unknown): no Why to rewrite.
    post(&mut host(ROLLING_BACK, &store, START_OF_TIME));
    let rollback_task = edited(STOPPED, |event| {
        event["detail"]["startedBy"] = json!("ecs-svc/7726348810925539781");
    });
    let mut task = host(&rollback_task, &store, START_OF_TIME + 1);
    let handled = post(&mut task);
    assert_eq!(handled.reply.status, 202);
    assert!(task.posts.is_empty(), "{:?}", task.posts);
}

#[test]
fn a_failed_rewrite_is_tried_again_by_the_tasks_retry_or_the_next_task() {
    let store = MemoryStore::default();
    post(&mut host(FAILED, &store, START_OF_TIME));
    let mut first = host(STOPPED, &store, START_OF_TIME + 1);
    first
        .web_api
        .push(("chat.update", web_api(500, None, json!({}))));
    let handled = post(&mut first);
    // Recorded, but the parent does not show it yet: EventBridge must come back.
    assert_eq!(
        (handled.reply.status, handled.log.parent_update),
        (502, Some("failed"))
    );
    assert_eq!(json_of(&handled)["error"], "parent_update_failed");
    // The task's retry draws it.
    let mut retry = host(STOPPED, &store, START_OF_TIME + 2);
    let handled = post(&mut retry);
    assert_eq!(
        (handled.reply.status, handled.log.parent_update),
        (202, Some("updated"))
    );
    // Or, the same again, another task of the same cause does.
    let store = MemoryStore::default();
    post(&mut host(FAILED, &store, START_OF_TIME));
    let mut first = host(STOPPED, &store, START_OF_TIME + 1);
    first
        .web_api
        .push(("chat.update", web_api(500, None, json!({}))));
    assert_eq!(post(&mut first).reply.status, 502);
    let twin = edited(STOPPED, |event| {
        event["id"] = json!("another-task-event");
        event["detail"]["taskArn"] = json!(
            "arn:aws:ecs:us-east-1:111122223333:task/prod-cluster/b4f2d0e3c8e5f1a9b2c3d4e5f6a7b8c9"
        );
    });
    let mut second = host(&twin, &store, START_OF_TIME + 2);
    let handled = post(&mut second);
    assert_eq!(handled.log.parent_update, Some("updated"));
    // Now shown: a third of the same cause rewrites nothing.
    let third = edited(&twin, |event| event["id"] = json!("a-third-task-event"));
    let mut third = host(&third, &store, START_OF_TIME + 3);
    post(&mut third);
    assert!(third.posts.is_empty());
}
