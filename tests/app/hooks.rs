//! A story with lifecycle hooks in app mode: a waiting pause keeps its story open, and its
//! thread kept, until it gives up; a hook of another service deployment starts its own thread;
//! the parent drawn from a pause shows how the pause ended.

use super::*;

const PAUSE: &str = include_str!("../../fixtures/ecs-hook-pause-step-1-awaiting.json");
const CONTINUED: &str = include_str!("../../fixtures/ecs-hook-pause-step-1-continued.json");
const LAMBDA_FAILED: &str = include_str!("../../fixtures/ecs-hook-lambda-failed.json");
const FAILED_AFTER: &str = include_str!("../../fixtures/ecs-deployment-failed-pause-rollback.json");

/// `body` with its own times (`time`, `updatedAt`) set to `at`, and `expiresAt` to `expires`
/// when given.
fn at(body: &str, at: &str, expires: Option<&str>) -> String {
    let mut event: Value = serde_json::from_str(body).unwrap();
    event["time"] = json!(at);
    event["detail"]["updatedAt"] = json!(at);
    if let Some(expires) = expires {
        event["detail"]["expiresAt"] = json!(expires);
    }
    event.to_string()
}

/// Where each of `story` went, posted in order on one store, by the host's clock `now`.
fn placed(story: &[(&str, u64)]) -> Vec<Value> {
    let store = MemoryStore::default();
    story
        .iter()
        .map(|(body, now)| {
            let handled = post(&mut host(body, &store, START_OF_TIME + now));
            assert_eq!(handled.reply.status, 200, "{}", json_of(&handled));
            json_of(&handled)["thread"].clone()
        })
        .collect()
}

#[test]
fn a_waiting_pause_keeps_its_story_open_until_it_gives_up() {
    // The pause (10:05) gives up at 12:05; the deployment fails at 13:05, within the hour
    // after: its story still.
    let failure = at(FAILED_AFTER, "2025-11-26T13:05:00Z", None);
    assert_eq!(placed(&[(PAUSE, 0), (&failure, 60)]), ["parent", "reply"]);
    // An hour and a second after it gave up: another story.
    let later = at(FAILED_AFTER, "2025-11-26T13:05:01Z", None);
    assert_eq!(placed(&[(PAUSE, 0), (&later, 60)]), ["parent", "parent"]);
    // A hook that does not wait keeps nothing open: an hour after it, another story.
    let lambda = at(LAMBDA_FAILED, "2025-11-26T10:05:00Z", None)
        .replace("Vb7nW2qPz5KdT1xYr9MjA", "Qm3kT9vZx2LpR8wYc4NbE");
    let failure = at(FAILED_AFTER, "2025-11-26T11:05:01Z", None);
    assert_eq!(
        placed(&[(&lambda, 0), (&failure, 60)]),
        ["parent", "parent"]
    );
}

#[test]
fn a_pause_of_days_keeps_its_thread_past_the_usual_retention() {
    const DAY: u64 = 24 * 3600;
    let long = at(PAUSE, "2025-11-26T10:05:00Z", Some("2025-12-06T10:05:00Z"));
    let continued = at(CONTINUED, "2025-12-05T10:05:00Z", None);
    // Continued nine days on (by both clocks): the pause's own thread.
    assert_eq!(
        placed(&[(&long, 0), (&continued, 9 * DAY)]),
        ["parent", "reply"]
    );
    // A pause of two hours is kept the usual 48 hours: three days on, a thread of its own.
    assert_eq!(
        placed(&[(PAUSE, 0), (&continued, 3 * DAY)]),
        ["parent", "parent"]
    );
    // An `expiresAt` past the longest pause ECS allows is believed only that far (14 days,
    // and one to spare).
    let far = at(PAUSE, "2025-11-26T10:05:00Z", Some("2035-01-01T00:00:00Z"));
    assert_eq!(
        placed(&[(&far, 0), (&continued, 14 * DAY)]),
        ["parent", "reply"]
    );
    assert_eq!(
        placed(&[(&far, 0), (&continued, 18 * DAY)]),
        ["parent", "parent"]
    );
}

#[test]
fn a_hook_of_another_service_deployment_starts_its_own_thread() {
    let other = PAUSE
        .replace("Qm3kT9vZx2LpR8wYc4NbE", "Zz9kT9vZx2LpR8wYc4Nb0")
        .replace("5b01", "5b99");
    assert_eq!(placed(&[(PAUSE, 0), (&other, 1)]), ["parent", "parent"]);
    // A hook of the same service deployment finds its thread by its ARN, also after the
    // window: the pause's outcome at 11:30 on a pause of two hours.
    let late = at(CONTINUED, "2025-11-26T11:30:00Z", None);
    assert_eq!(placed(&[(PAUSE, 0), (&late, 1)]), ["parent", "reply"]);
}

#[test]
fn the_parent_drawn_from_a_pause_shows_how_it_ended_and_loses_its_commands() {
    let store = MemoryStore::default();
    let mut first = host(PAUSE, &store, START_OF_TIME);
    post(&mut first);
    let parent: Value = serde_json::from_slice(&first.posts[0].payload).unwrap();
    assert!(parent.to_string().contains("--action ROLLBACK"));
    let mut then = host(CONTINUED, &store, START_OF_TIME + 1);
    let handled = post(&mut then);
    assert_eq!(json_of(&handled)["thread"], "reply");
    let update = then
        .posts
        .iter()
        .find(|call| call.method() == Some("chat.update"))
        .expect("the parent is drawn again");
    let drawn: Value = serde_json::from_slice(&update.payload).unwrap();
    assert_eq!(
        drawn["blocks"][0]["text"]["text"],
        "▶️ Continued: checkout-api"
    );
    assert!(!drawn.to_string().contains("continue-service-deployment"));
    // The pause's outcome is no alert: neither the reply nor the parent mentions anyone.
    assert!(
        then.posts
            .iter()
            .all(|call| !String::from_utf8_lossy(&call.payload).contains("<!"))
    );
}
