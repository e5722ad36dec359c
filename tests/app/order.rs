//! The story when Slack fails halfway and the story's events come in any order: service
//! actions only while the story goes on, a failed final rewrite drawn by the retry, a locked
//! thread.

use std::time::Duration;

use super::*;

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
    let failed = failure_of_the_actions_service();
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
    let completed = include_str!("../../fixtures/ecs-deployment-rollback-completed.json");
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

/// Sends `bodies` in order through app-mode hosts on one store, with every kind in `notify`;
/// the hosts, to read what each called.
fn told(bodies: &[&str]) -> Vec<MemoryHost> {
    let store = MemoryStore::default();
    let mut settings = app();
    settings.push((
        "notify",
        "deployment_failed,rollback,service_action,deployment_completed",
    ));
    bodies
        .iter()
        .enumerate()
        .map(|(n, body)| {
            let mut host = MemoryHost::new(&settings, *body);
            host.store = Some(store.clone());
            host.now = START_OF_TIME + n as u64;
            assert_eq!(post(&mut host).reply.status, 200, "{body}");
            host
        })
        .collect()
}

/// The header of the last `chat.update` a host made, if any.
fn rewritten(host: &MemoryHost) -> Option<String> {
    let update = host
        .posts
        .iter()
        .rfind(|p| p.method() == Some("chat.update"))?;
    let body: Value = serde_json::from_slice(&update.payload).unwrap();
    body["blocks"][0]["text"]["text"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn a_story_told_from_its_notice_or_its_outcome_is_drawn_to_its_end() {
    let completed = include_str!("../../fixtures/ecs-deployment-rollback-completed.json");
    // The notice first: the parent is the notice, drawn again as the rollback ends.
    let hosts = told(&[ROLLING_BACK, completed]);
    let header = rewritten(&hosts[1]).expect("the parent rewritten");
    assert!(header.contains("rolled back"), "{header}");
    // The outcome first (it posts as an ordinary completion): the notice tells the end, and
    // the parent, a completion, is drawn again as the rollback's end.
    let hosts = told(&[completed, ROLLING_BACK]);
    let reply: Value = serde_json::from_slice(&hosts[1].posts[0].payload).unwrap();
    assert!(reply["thread_ts"].is_string(), "{reply}");
    let header = rewritten(&hosts[1]).expect("the parent rewritten");
    assert!(header.starts_with("✅ Rolled back"), "{header}");
    // The reply does not name again the deployment the parent shows.
    let context = reply["blocks"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .to_string();
    assert!(!context.contains("Deployment `"), "{context}");
}

/// Answers every call as the Web API does, and runs `meanwhile` while each `chat.update` is in
/// flight.
fn slack_where(meanwhile: impl Fn() + 'static) -> ecs_deploy_alerts::memory::SlackHook {
    let issued = std::cell::Cell::new(0);
    ecs_deploy_alerts::memory::SlackHook(std::rc::Rc::new(move |post| {
        let call: Value = serde_json::from_slice(&post.payload).unwrap();
        let ts = match post.method() {
            Some("chat.update") => {
                meanwhile();
                call["ts"].as_str().unwrap().to_owned()
            }
            _ => {
                issued.set(issued.get() + 1);
                format!("{START_OF_TIME}.{:06}", issued.get())
            }
        };
        web_api(
            200,
            None,
            json!({"ok": true, "channel": call["channel"], "ts": ts}),
        )
    }))
}

/// The story's run of events that another delivery moves on while every rewrite is in flight:
/// the rolling back's answer, its calls, and how many writes it made.
fn story_kept_moving(store: &MemoryStore, failing: Option<usize>) -> (Handled, usize, usize) {
    use ecs_deploy_alerts::state::thread;
    post(&mut host(FAILED, store, START_OF_TIME));
    let mut rolling = host(ROLLING_BACK, store, START_OF_TIME + 1);
    let other = store.clone();
    rolling.slack_hook = Some(slack_where(move || {
        let mut kv = MemoryHost::new(&[], "");
        kv.store = Some(other.clone());
        let deployment = "ecs-svc/4829135026487120563";
        let kept = thread::thread_of(&mut kv, deployment, START_OF_TIME)
            .unwrap()
            .unwrap();
        thread::update(&mut kv, &kept, true, START_OF_TIME).unwrap();
    }));
    let base = store.data().writes;
    if let Some(n) = failing {
        store.fail_write(base + n);
    }
    let handled = post(&mut rolling);
    let updates = rolling
        .posts
        .iter()
        .filter(|p| p.method() == Some("chat.update"))
        .count();
    (handled, updates, store.data().writes - base)
}

#[test]
fn a_story_that_keeps_moving_while_its_parent_is_drawn_is_left_to_the_retry() {
    let (handled, updates, writes) = story_kept_moving(&MemoryStore::default(), None);
    assert_eq!(
        (handled.reply.status, json_of(&handled)["error"].as_str()),
        (409, Some("parent_update_failed"))
    );
    assert_eq!(updates, 3, "drawn three times, then left to the retry");
    // The last write marks the rewrite owed; when it fails, the log says so.
    let (handled, _, _) = story_kept_moving(&MemoryStore::default(), Some(writes - 1));
    assert_eq!(handled.log.store, Some("unavailable"));
}

#[test]
fn a_parent_slack_will_not_edit_takes_late_causes_as_replies() {
    let store = MemoryStore::default();
    post(&mut host(FAILED, &store, START_OF_TIME));
    let mut rolling = host(ROLLING_BACK, &store, START_OF_TIME + 1);
    rolling
        .web_api
        .push(("chat.update", error("message_not_found")));
    assert_eq!(post(&mut rolling).log.parent_update, Some("replied"));
    // A late task with a cause the parent does not show: the parent drawn again, as a reply.
    let stopped = include_str!("../../fixtures/ecs-task-stopped-exit-code.json");
    let mut task = host(stopped, &store, START_OF_TIME + 2);
    let handled = post(&mut task);
    assert_eq!(handled.log.parent_update, Some("replied"));
    let methods: Vec<_> = task.posts.iter().filter_map(|p| p.method()).collect();
    assert_eq!(methods, ["chat.postMessage"]);
    let reply: Value = serde_json::from_slice(&task.posts[0].payload).unwrap();
    assert!(reply["thread_ts"].is_string(), "{reply}");
    // The same cause again: nothing to tell.
    let mut again = host(stopped, &store, START_OF_TIME + 3);
    post(&mut again);
    assert!(again.posts.is_empty(), "{:?}", again.posts);
}
