//! Which story an event joins when only its service and its own time link it: the window's
//! edges, starts and completions of other deployments, an ended story; and how large an
//! event a parent keeps to be drawn again.

use super::*;

/// The failure fixture's own time.
const T: &str = "2025-11-25T14:57:06Z";

/// `FAILED` as another event of its service: `name`, `deployment`, at `seconds` from `T`.
fn of_the_service(id: &str, name: &str, deployment: &str, seconds: i64) -> String {
    let at = humantime::parse_rfc3339(T).unwrap();
    let at = if seconds >= 0 {
        at + std::time::Duration::from_secs(seconds as u64)
    } else {
        at - std::time::Duration::from_secs(seconds.unsigned_abs())
    };
    let mut event: Value = serde_json::from_str(FAILED).unwrap();
    event["id"] = json!(id);
    event["detail"]["eventName"] = json!(name);
    event["detail"]["deploymentId"] = json!(deployment);
    event["detail"]["updatedAt"] = json!(humantime::format_rfc3339_seconds(at).to_string());
    event.to_string()
}

/// Where `last` went after `story` was told on a fresh store, with every kind in `notify`.
fn placed(story: &[String], last: &str) -> Value {
    let store = MemoryStore::default();
    let mut settings = app();
    settings.push((
        "notify",
        "deployment_failed,rollback,service_action,deployment_started,deployment_completed",
    ));
    let send = |body: &str| {
        let mut host = MemoryHost::new(&settings, body);
        host.store = Some(store.clone());
        post(&mut host)
    };
    for body in story {
        assert_eq!(send(body).reply.status, 200);
    }
    json_of(&send(last))["thread"].clone()
}

const FAILURE: &str = "SERVICE_DEPLOYMENT_FAILED";

#[test]
fn a_failure_of_the_service_joins_its_story_only_within_the_window() {
    let story = [FAILED.to_owned()];
    let other = |seconds| of_the_service("other", FAILURE, "ecs-svc/9", seconds);
    // An hour after the story's latest event, or before its first: still its story.
    assert_eq!(placed(&story, &other(3600)), "reply");
    assert_eq!(placed(&story, &other(-3600)), "reply");
    // A second more, either way: another story.
    assert_eq!(placed(&story, &other(3601)), "parent");
    assert_eq!(placed(&story, &other(-3601)), "parent");
    assert_eq!(placed(&story, &other(-86_400)), "parent");
}

#[test]
fn another_deployments_start_or_earlier_completion_is_another_story() {
    // A deployment that starts after the failure is a new deployment: a story of its own.
    let story = [FAILED.to_owned()];
    let start = of_the_service("start", "SERVICE_DEPLOYMENT_IN_PROGRESS", "ecs-svc/9", 600);
    assert_eq!(placed(&story, &start), "parent");
    // The failed deployment's own start, come late, is its story's.
    let own = of_the_service(
        "own-start",
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "ecs-svc/1",
        -600,
    );
    assert_eq!(placed(&[ROLLING_BACK.to_owned()], &own), "reply");
    // A completion from before the story began is an earlier deployment's.
    let earlier = of_the_service("done", "SERVICE_DEPLOYMENT_COMPLETED", "ecs-svc/8", -600);
    assert_eq!(placed(&[ROLLING_BACK.to_owned()], &earlier), "parent");
}

#[test]
fn a_service_action_does_not_join_a_story_that_ended() {
    let action = action_of_the_failures_service("2025-11-25T15:10:00Z");
    let action = action.to_string();
    let story = vec![FAILED.to_owned(), ROLLING_BACK.to_owned()];
    assert_eq!(placed(&story, &action), "reply");
    let mut ended = story;
    ended.push(include_str!("../../fixtures/ecs-deployment-rollback-completed.json").to_owned());
    assert_eq!(placed(&ended, &action), "standalone");
}

#[test]
fn a_deployment_event_without_a_deployment_id_posts_on_its_own() {
    let mut event: Value = serde_json::from_str(FAILED).unwrap();
    event["detail"]
        .as_object_mut()
        .unwrap()
        .remove("deploymentId");
    assert_eq!(placed(&[], &event.to_string()), "standalone");
}

/// `FAILED` padded to exactly `size` bytes.
fn failure_of_size(size: usize) -> String {
    let mut event: Value = serde_json::from_str(FAILED).unwrap();
    event["padding"] = json!("");
    let bare = event.to_string().len();
    event["padding"] = json!("p".repeat(size - bare));
    let body = event.to_string();
    assert_eq!(body.len(), size);
    body
}

#[test]
fn a_parent_keeps_its_event_up_to_16_kb_to_be_drawn_again() {
    for (size, redrawn) in [(4096, true), (16_384, true), (16_385, false)] {
        let store = MemoryStore::default();
        post(&mut host(&failure_of_size(size), &store, START_OF_TIME));
        let mut rolling = host(ROLLING_BACK, &store, START_OF_TIME + 1);
        post(&mut rolling);
        let calls: Vec<_> = rolling.posts.iter().filter_map(|p| p.method()).collect();
        let expected = if redrawn {
            vec!["chat.postMessage", "chat.update"]
        } else {
            vec!["chat.postMessage"]
        };
        assert_eq!(calls, expected, "a parent drawn from {size} bytes");
    }
}

#[test]
fn an_earlier_story_that_starts_late_does_not_take_the_services_latest() {
    let action = action_of_the_failures_service("2025-11-25T15:05:00Z");
    // Today's story, then a failure from two hours before whose delivery was retried late.
    let earlier = of_the_service("earlier", FAILURE, "ecs-svc/7", -7200);
    let story = [FAILED.to_owned(), earlier];
    assert_eq!(placed(&story, &action.to_string()), "reply");
}

#[test]
fn a_completion_after_a_story_ended_is_another_story() {
    let ended = [
        FAILED.to_owned(),
        ROLLING_BACK.to_owned(),
        include_str!("../../fixtures/ecs-deployment-rollback-completed.json").to_owned(),
    ];
    // The rollback completed at 15:03:41: a deployment completing at 15:20 is a new one's.
    let later = of_the_service("later", "SERVICE_DEPLOYMENT_COMPLETED", "ecs-svc/9", 1374);
    assert_eq!(placed(&ended, &later), "parent");
    // One that completed before the end, come late, is the story's.
    let before = of_the_service("before", "SERVICE_DEPLOYMENT_COMPLETED", "ecs-svc/9", 60);
    assert_eq!(placed(&ended, &before), "reply");
}

#[test]
fn a_rollbacks_completion_ends_the_story_for_service_actions_even_untold() {
    let store = MemoryStore::default();
    let mut settings = app();
    settings.push(("notify", "deployment_failed,service_action"));
    let send = |body: &str| {
        let mut host = MemoryHost::new(&settings, body);
        host.store = Some(store.clone());
        json_of(&post(&mut host))
    };
    let mut action = action_of_the_failures_service("2025-11-25T15:10:00Z");
    // The notice (not posted) before its failure: the failure knows its rollback.
    assert_eq!(send(ROLLING_BACK)["outcome"], "ignored");
    assert_eq!(send(FAILED)["thread"], "parent");
    assert_eq!(send(&action.to_string())["thread"], "reply");
    // The rollback completes, untold: the story is over for the service's actions.
    let completed = include_str!("../../fixtures/ecs-deployment-rollback-completed.json");
    assert_eq!(send(completed)["outcome"], "ignored");
    action["id"] = json!("after-the-end");
    assert_eq!(send(&action.to_string())["thread"], "standalone");
}
