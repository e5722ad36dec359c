//! One thread per story: its parent taken once, rollbacks never joining the deployment they
//! return to, the parent never moving back, stopped tasks rewriting its Why.

use super::*;

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
        status: Some(ecs_deploy_alerts::remembered::Status::Failed),
        ..thread::Thread::new(
            "ecs-svc/4829135026487120563".into(),
            "C0ALERTS".into(),
            "1.000009".into(),
        )
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

const STOPPED: &str = include_str!("../../fixtures/ecs-task-stopped-exit-code.json");

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
