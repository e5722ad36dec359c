//! The deployment's story through the whole pipeline, on one store: which failure a rollback
//! names, rollbacks ECS reports without an id, who hears of a failed rollback, what a message
//! that does not post costs the store, and that store failures are always logged.

use ecs_deploy_alerts::Handled;
use ecs_deploy_alerts::host::HttpResponse;
use ecs_deploy_alerts::memory::{MemoryHost, MemoryStore};
use serde_json::{Value, json};

const WEBHOOK: &str = "https://hooks.slack.com/services/T0/B0/SECRET";
const KEY: &str = "story-key";

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `name` with a new event id and `detail` fields replaced (`null` removes one).
fn event(name: &str, id: &str, detail: Value) -> Value {
    let mut event = fixture(name);
    event["id"] = json!(id);
    for (field, value) in detail.as_object().unwrap() {
        let target = event["detail"].as_object_mut().unwrap();
        if value.is_null() {
            target.remove(field);
        } else {
            target.insert(field.clone(), value.clone());
        }
    }
    event
}

/// Posts `event` through a host on `store` (`None`: a store that fails) with `notify` (unset
/// when empty), Slack answering `slack_status`; the answer and the Slack payload if one was
/// posted.
fn send(
    store: Option<&MemoryStore>,
    notify: &str,
    event: &Value,
    slack_status: u16,
) -> (Handled, Option<String>) {
    let mut settings = vec![("slack_webhook_url", WEBHOOK), ("api_key", KEY)];
    if !notify.is_empty() {
        settings.push(("notify", notify));
    }
    let mut host = MemoryHost::new(&settings, event.to_string());
    host.store = store.cloned();
    host.slack = Ok(HttpResponse {
        status: slack_status,
        retry_after: None,
        body: Vec::new(),
    });
    let handled = host.handle("POST", "/", &[("x-api-key", KEY)]);
    let payload = host
        .posts
        .pop()
        .map(|post| String::from_utf8(post.payload).unwrap());
    (handled, payload)
}

/// [`send`] on `store` with Slack accepting, and the store's reads and listings for this
/// request alone.
fn post(
    store: &MemoryStore,
    notify: &str,
    event: &Value,
) -> (Handled, Option<String>, (usize, usize)) {
    let before = store.data();
    let (handled, payload) = send(Some(store), notify, event, 200);
    let after = store.data();
    (
        handled,
        payload,
        (after.reads - before.reads, after.lists - before.lists),
    )
}

fn outcome(handled: &Handled) -> Value {
    serde_json::from_slice::<Value>(&handled.reply.body).unwrap()["outcome"].clone()
}

#[test]
fn a_rollback_names_only_the_failure_it_follows() {
    let store = MemoryStore::default();
    let failed = fixture("ecs-deployment-failed-checkout.json");
    let failed_id = failed["detail"]["deploymentId"]
        .as_str()
        .unwrap()
        .to_owned();
    post(&store, "", &failed);
    let (_, first, _) = post(&store, "", &fixture("ecs-deployment-rollback-started.json"));
    assert!(first.unwrap().contains(&failed_id));
    // A later rollback of the same service, with no failure seen in between (its failure
    // event was lost, or left out by a rule): it must not name the old failure again.
    let later = event(
        "ecs-deployment-rollback-started.json",
        "later-rollback",
        json!({"deploymentId": "ecs-svc/1111111111111111111"}),
    );
    let (handled, second, _) = post(&store, "", &later);
    assert_eq!(outcome(&handled), "delivered");
    let second = second.unwrap();
    assert!(!second.contains(&failed_id), "{second}");
}

#[test]
fn a_rollback_without_its_own_id_still_finds_its_outcome() {
    let store = MemoryStore::default();
    let started = event(
        "ecs-deployment-rollback-started.json",
        "anonymous-rollback",
        json!({"deploymentId": null}),
    );
    assert_eq!(outcome(&post(&store, "", &started).0), "delivered");
    // ECS reports the end under the deployment it rolled back to.
    let completed = event(
        "ecs-deployment-rollback-completed.json",
        "anonymous-rollback-done",
        json!({"deploymentId": "ecs-svc/3917652044385617209"}),
    );
    let (handled, payload, _) = post(&store, "", &completed);
    assert_eq!(outcome(&handled), "delivered");
    let payload = payload.unwrap();
    assert!(payload.contains("Rolled back"), "{payload}");
}

#[test]
fn a_failed_rollback_reaches_whoever_watches_failures() {
    let store = MemoryStore::default();
    post(
        &store,
        "deployment_failed",
        &fixture("ecs-deployment-failed-checkout.json"),
    );
    // The rolling-back notice is left out, but the rollback is remembered.
    let (handled, payload, _) = post(
        &store,
        "deployment_failed",
        &fixture("ecs-deployment-rollback-started.json"),
    );
    assert_eq!(outcome(&handled), "ignored");
    assert!(payload.is_none());
    let (handled, payload, _) = post(
        &store,
        "deployment_failed",
        &fixture("ecs-deployment-rollback-failed.json"),
    );
    assert_eq!(outcome(&handled), "delivered");
    assert!(payload.unwrap().contains("Rollback failed"));
    // And whoever watches rollbacks alone.
    let store = MemoryStore::default();
    post(
        &store,
        "rollback",
        &fixture("ecs-deployment-rollback-started.json"),
    );
    let (handled, _, _) = post(
        &store,
        "rollback",
        &fixture("ecs-deployment-rollback-failed.json"),
    );
    assert_eq!(outcome(&handled), "delivered");
}

#[test]
fn a_message_that_does_not_post_reads_only_what_later_events_need() {
    let store = MemoryStore::default();
    post(&store, "", &fixture("ecs-task-stopped-exit-code.json"));
    // A failure that does not post lists no tasks, but is still remembered.
    let (handled, _, (_, lists)) = post(
        &store,
        "service_action",
        &fixture("ecs-deployment-failed-checkout.json"),
    );
    assert_eq!(outcome(&handled), "ignored");
    assert_eq!(lists, 0);
    let (_, payload, _) = post(&store, "", &fixture("ecs-deployment-rollback-started.json"));
    assert!(payload.unwrap().contains("4829135026487120563"));
    // A completion that can become nothing that posts reads nothing.
    let (handled, _, (reads, _)) = post(
        &store,
        "service_action",
        &fixture("ecs-deployment-rollback-completed.json"),
    );
    assert_eq!(outcome(&handled), "ignored");
    assert_eq!(reads, 0);
}

#[test]
fn a_store_failure_is_logged_whatever_happens_next() {
    let log_of = |notify: &str, slack_status: u16| {
        let failed = fixture("ecs-deployment-failed.json");
        let (handled, _) = send(None, notify, &failed, slack_status);
        let log: Value = serde_json::from_str(&handled.log.to_json()).unwrap();
        (handled.reply.status, log)
    };
    // Nothing to post after all (a plain failure, `notify` has only rollbacks).
    let (status, log) = log_of("rollback", 200);
    assert_eq!((status, log["outcome"].as_str()), (202, Some("ignored")));
    assert_eq!(log["store"], "unavailable");
    // Slack failed.
    let (status, log) = log_of("", 500);
    assert_eq!(status, 502);
    assert_eq!(log["store"], "unavailable");
}

#[test]
fn a_retried_rollback_still_names_the_failure() {
    let store = MemoryStore::default();
    post(&store, "", &fixture("ecs-deployment-failed-checkout.json"));
    // Slack refuses the rolling-back notice the first time; EventBridge sends it again.
    let rollback = fixture("ecs-deployment-rollback-started.json");
    let (refused, _) = send(Some(&store), "", &rollback, 500);
    assert_eq!(refused.reply.status, 502);
    let (handled, payload, _) = post(&store, "", &rollback);
    assert_eq!(outcome(&handled), "delivered");
    assert!(payload.unwrap().contains("4829135026487120563"));
    // And its end says which deployment failed.
    let (_, payload, _) = post(
        &store,
        "",
        &fixture("ecs-deployment-rollback-completed.json"),
    );
    assert!(payload.unwrap().contains("4829135026487120563"));
}

#[test]
fn a_failure_retried_after_its_rollback_is_not_named_again() {
    let store = MemoryStore::default();
    let failed = fixture("ecs-deployment-failed-checkout.json");
    // Slack rate-limits the failure alert; the rollback arrives before its retry.
    let (limited, _) = send(Some(&store), "", &failed, 429);
    assert_eq!(limited.reply.status, 429);
    let (_, named, _) = post(&store, "", &fixture("ecs-deployment-rollback-started.json"));
    assert!(named.unwrap().contains("4829135026487120563"));
    assert_eq!(outcome(&post(&store, "", &failed).0), "delivered");
    // A later rollback with no failure seen in between names none.
    let later = event(
        "ecs-deployment-rollback-started.json",
        "later-rollback",
        json!({"deploymentId": "ecs-svc/1111111111111111111"}),
    );
    let (_, payload, _) = post(&store, "", &later);
    let payload = payload.unwrap();
    assert!(!payload.contains("4829135026487120563"), "{payload}");
}

/// Webhook mode, EventBridge out of order: each message stands alone, but names the failure
/// of its own story, whatever came first.
#[test]
fn out_of_order_each_message_names_its_own_failure() {
    let failed = fixture("ecs-deployment-failed-checkout.json");
    let failed_id = failed["detail"]["deploymentId"]
        .as_str()
        .unwrap()
        .to_owned();
    let notice = fixture("ecs-deployment-rollback-started.json");
    let completed = fixture("ecs-deployment-rollback-completed.json");
    // The notice before its failure: it cannot name it yet; the failure, then the outcome, can.
    let store = MemoryStore::default();
    let (_, rolling, _) = post(&store, "", &notice);
    assert!(!rolling.unwrap().contains(&failed_id));
    let (handled, _, _) = post(&store, "", &failed);
    assert_eq!(outcome(&handled), "delivered");
    let (_, done, _) = post(&store, "", &completed);
    let done = done.unwrap();
    assert!(
        done.contains("Rolled back") && done.contains(&failed_id),
        "{done}"
    );
    // The outcome before its notice: the notice tells the end, naming the failure.
    let store = MemoryStore::default();
    post(&store, "", &failed);
    let (handled, early, _) = post(&store, "", &completed);
    assert_eq!(outcome(&handled), "ignored", "{early:?}");
    let (handled, late, _) = post(&store, "", &notice);
    assert_eq!(outcome(&handled), "delivered");
    let late = late.unwrap();
    assert!(
        late.contains("Rolled back") && late.contains(&failed_id),
        "{late}"
    );
}

/// A failure of the same service from yesterday that never rolled back is another story:
/// today's rollback does not name it, and its failure, coming late, is named by it.
#[test]
fn yesterdays_failure_is_not_todays_rollbacks() {
    let store = MemoryStore::default();
    let yesterday = event(
        "ecs-deployment-failed-checkout.json",
        "yesterday",
        json!({"deploymentId": "ecs-svc/2222222222222222222", "updatedAt": "2025-11-24T10:00:00Z"}),
    );
    post(&store, "", &yesterday);
    let (_, rolling, _) = post(&store, "", &fixture("ecs-deployment-rollback-started.json"));
    let rolling = rolling.unwrap();
    assert!(
        !rolling.contains("ecs-svc/2222222222222222222"),
        "{rolling}"
    );
    // Today's failure comes late: the rollback's outcome names it, not yesterday's.
    post(&store, "", &fixture("ecs-deployment-failed-checkout.json"));
    let (_, done, _) = post(
        &store,
        "",
        &fixture("ecs-deployment-rollback-completed.json"),
    );
    let done = done.unwrap();
    assert!(done.contains("ecs-svc/4829135026487120563"), "{done}");
    assert!(!done.contains("ecs-svc/2222222222222222222"), "{done}");
}

#[test]
fn a_pause_that_ended_before_its_waiting_event_came_asks_nobody_to_act() {
    let store = MemoryStore::default();
    let waiting = fixture("ecs-hook-pause-step-2-awaiting.json");
    let rolled_back = fixture("ecs-hook-pause-step-2-rolled-back.json");
    // The outcome first: told; the waiting event, late: no alert, no commands.
    let (handled, payload) = send(Some(&store), "", &rolled_back, 200);
    assert_eq!(handled.reply.status, 200);
    assert!(payload.unwrap().contains("Rolled back at a pause"));
    let (handled, payload) = send(Some(&store), "", &waiting, 200);
    let answer: Value = serde_json::from_slice(&handled.reply.body).unwrap();
    assert_eq!(
        (handled.reply.status, &answer["outcome"]),
        (202, &json!("ignored"))
    );
    assert_eq!(
        answer["message"],
        "the pause ended before this event came (rollback chosen)"
    );
    assert_eq!(payload, None);
    // Remembered whatever `notify` says; the other pause still waits and is told.
    let other = fixture("ecs-hook-pause-step-1-awaiting.json");
    let fresh = MemoryStore::default();
    send(Some(&fresh), "deployment_failed", &rolled_back, 200);
    let (handled, _) = send(Some(&fresh), "", &waiting, 200);
    assert_eq!(handled.reply.status, 202);
    let (handled, payload) = send(Some(&fresh), "", &other, 200);
    assert_eq!(handled.reply.status, 200);
    assert!(payload.unwrap().contains("--action CONTINUE"));
    // In order, both are told.
    let ordered = MemoryStore::default();
    for event in [&waiting, &rolled_back] {
        let (handled, payload) = send(Some(&ordered), "", event, 200);
        assert_eq!(handled.reply.status, 200);
        assert!(payload.is_some());
    }
}
