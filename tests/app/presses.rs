//! Acting from Slack through the pipeline: signed presses on `/slack/interactions`, "I'm on
//! it" kept with the story, and a pause continued or rolled back through a stand-in ECS.

use std::rc::Rc;

use ecs_deploy_alerts::host::Destination;
use ecs_deploy_alerts::memory::{Post, SlackAnswer, SlackHook};
use ecs_deploy_alerts::signing::{self, SigningSecret};

use super::*;

const PAUSE: &str = include_str!("../../fixtures/ecs-hook-pause-step-1-awaiting.json");
const CONTINUED: &str = include_str!("../../fixtures/ecs-hook-pause-step-1-continued.json");
const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const APPROVER: &str = "U0APPROVER";
const RESPONSE_URL: &str = "https://hooks.slack.com/actions/T1/1/response";

/// App mode with the buttons on, approvers for production, and an ECS key.
fn interactive() -> Vec<(&'static str, &'static str)> {
    let mut settings = app();
    settings.extend([
        ("slack_signing_secret", SIGNING_SECRET),
        ("slack_approvers", "production=U0APPROVER U0SECOND"),
        ("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key", AWS_SECRET),
    ]);
    settings
}

fn event_host(body: &str, store: &MemoryStore) -> MemoryHost {
    let mut host = MemoryHost::new(&interactive(), body);
    host.store = Some(store.clone());
    host
}

/// A press to send: the host that receives it, and its `X-Slack-Signature`.
struct Pressing {
    host: MemoryHost,
    signature: String,
}

/// A press of `action_id` with `value` by `user` on the message `ts`, signed by Slack (or
/// with `signature`) at the host's time.
fn press(
    store: &MemoryStore,
    (action_id, value): (&str, &str),
    user: &str,
    ts: &str,
    signature: Option<&str>,
) -> Pressing {
    let payload = json!({
        "type": "block_actions",
        "user": {"id": user},
        "container": {"type": "message", "message_ts": ts, "channel_id": "C0ALERTS"},
        "channel": {"id": "C0ALERTS"},
        "response_url": RESPONSE_URL,
        "message": {"text": "<!channel> never read"},
        "actions": [{"action_id": action_id, "value": value, "type": "button"}],
    });
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish();
    let mut host = event_host(&body, store);
    let secret = SigningSecret::parse(SIGNING_SECRET).unwrap();
    let signed = signing::sign(&secret, host.now, body.as_bytes());
    host.body = Some(body.into_bytes());
    Pressing {
        host,
        signature: signature.map_or(signed, str::to_owned),
    }
}

/// Sends the press, with its signature and the host's time.
fn send(pressing: &mut Pressing) -> Handled {
    let Pressing { host, signature } = pressing;
    let timestamp = host.now.to_string();
    let handled = host.handle(
        "POST",
        "/slack/interactions",
        &[
            ("x-slack-request-timestamp", &timestamp),
            ("x-slack-signature", signature.as_str()),
        ],
    );
    let shown = format!(
        "{}{}{:?}",
        String::from_utf8_lossy(&handled.reply.body),
        handled.log.to_json(),
        host.posts
            .iter()
            .map(|p| String::from_utf8_lossy(&p.payload).into_owned())
            .collect::<Vec<_>>()
    );
    for secret in [SIGNING_SECRET, AWS_SECRET, TOKEN] {
        assert!(!shown.contains(secret), "{shown}");
    }
    handled
}

/// The buttons of a posted message: (action_id, value).
fn buttons(post: &Post) -> Vec<(String, String)> {
    let payload: Value = serde_json::from_slice(&post.payload).unwrap();
    payload["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|block| block["type"] == "actions")
        .flat_map(|block| block["elements"].as_array().unwrap().clone())
        .filter(|button| button.get("value").is_some())
        .map(|button| {
            (
                button["action_id"].as_str().unwrap().to_owned(),
                button["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn text(post: &Post) -> String {
    String::from_utf8_lossy(&post.payload).into_owned()
}

/// A stand-in ECS that answers `ecs` and records the calls; Slack answers `ok`.
fn ecs_answers(host: &mut MemoryHost, ecs: SlackAnswer) {
    host.slack_hook = Some(SlackHook(Rc::new(move |post: &Post| match post.to {
        Destination::Ecs => ecs.clone(),
        _ => {
            let call: Value = serde_json::from_slice(&post.payload).unwrap_or_default();
            let ts = call["ts"].as_str().unwrap_or("1795737600.000900");
            web_api(
                200,
                None,
                json!({"ok": true, "channel": "C0ALERTS", "ts": ts}),
            )
        }
    })));
}

/// Posts the waiting pause; its parent's `ts` and its pause buttons' id.
fn pause_posted(store: &MemoryStore) -> (String, String) {
    let mut host = event_host(PAUSE, store);
    let handled = post(&mut host);
    assert_eq!(json_of(&handled)["thread"], "parent");
    let parent = &host.posts[0];
    let shown = buttons(parent);
    let arn = "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/checkout-api/Qm3kT9vZx2LpR8wYc4NbE";
    assert_eq!(shown[0].0, "hook_continue");
    assert_eq!(shown[1].0, "hook_rollback");
    assert_eq!(shown[2], ("ack".to_owned(), arn.to_owned()));
    let id = shown[0].1.clone();
    assert_eq!(id.len(), 32);
    assert!(!id.contains("Xq8m2"), "the id says nothing of the hook");
    assert!(text(parent).contains("\"confirm\""));
    let answer: Value = serde_json::from_slice(&parent.answer.as_ref().unwrap().body).unwrap();
    (answer["ts"].as_str().unwrap().to_owned(), id)
}

#[test]
fn an_approver_continues_a_pause_once_and_the_story_says_who() {
    let store = MemoryStore::default();
    let (ts, id) = pause_posted(&store);

    let mut pressing = press(&store, ("hook_continue", &id), APPROVER, &ts, None);
    ecs_answers(&mut pressing.host, web_api(200, None, json!({})));
    let handled = send(&mut pressing);
    let host = &pressing.host;
    assert_eq!(handled.reply.status, 200);
    assert!(handled.reply.body.is_empty());
    assert_eq!(handled.log.press, Some("continued"));
    assert_eq!(handled.log.user.as_deref(), Some(APPROVER));
    // One signed call to ECS, in the pause's region.
    let ecs: Vec<&Post> = host
        .posts
        .iter()
        .filter(|p| p.to == Destination::Ecs)
        .collect();
    assert_eq!(ecs.len(), 1);
    let call = ecs[0];
    assert_eq!(call.authority, "ecs.us-east-1.amazonaws.com");
    assert_eq!(call.content_type, "application/x-amz-json-1.1");
    let authorization = call.authorization.as_deref().unwrap();
    assert!(
        authorization.contains("/us-east-1/ecs/aws4_request"),
        "{authorization}"
    );
    let body: Value = serde_json::from_slice(&call.payload).unwrap();
    assert_eq!(body["action"], "CONTINUE");
    assert_eq!(
        body["hookId"],
        "ecs-pause-Xq8m2NvT5rKcW9pL3yHb7dFj1sZg6aUe4oIk0nMt2Qw"
    );
    // The parent says who continued it, its pause buttons gone; the thread hears it.
    let update = host
        .posts
        .iter()
        .find(|p| p.method() == Some("chat.update"))
        .unwrap();
    assert!(
        text(update).contains("Continued by <@U0APPROVER>"),
        "{}",
        text(update)
    );
    assert!(buttons(update).iter().all(|(action, _)| action == "ack"));
    let reply = host
        .posts
        .iter()
        .find(|p| p.method() == Some("chat.postMessage"))
        .unwrap();
    assert!(text(reply).contains(&format!("\"thread_ts\":\"{ts}\"")));

    // A second press, by anyone: the pause is over, ECS is not called again.
    let mut again = press(&store, ("hook_rollback", &id), "U0SECOND", &ts, None);
    ecs_answers(&mut again.host, web_api(200, None, json!({})));
    assert_eq!(send(&mut again).log.press, Some("pause_over"));
    assert!(again.host.posts.iter().all(|p| p.to != Destination::Ecs));
    let note = again.host.posts.last().unwrap();
    assert_eq!(note.path_and_query, "/actions/T1/1/response");
    assert!(text(note).contains("\"response_type\":\"ephemeral\""));
    assert!(text(note).contains("This pause is over"));

    // The hook event the press caused posts nothing more.
    let mut event = event_host(CONTINUED, &store);
    let handled = post(&mut event);
    assert_eq!(handled.reply.status, 202, "{}", json_of(&handled));
    assert!(
        json_of(&handled)["message"]
            .as_str()
            .unwrap()
            .contains("ended from Slack")
    );
    assert!(
        event
            .posts
            .iter()
            .all(|p| p.method() != Some("chat.postMessage"))
    );
}

#[test]
fn a_stranger_or_a_forged_press_calls_nothing() {
    let store = MemoryStore::default();
    let (ts, id) = pause_posted(&store);
    let mut stranger = press(&store, ("hook_continue", &id), "U0STRANGER", &ts, None);
    let handled = send(&mut stranger);
    assert_eq!(handled.log.press, Some("refused"));
    assert_eq!(stranger.host.posts.len(), 1);
    assert!(text(&stranger.host.posts[0]).contains("Only the approvers of `production`"));

    // Wrong, stale or missing signatures: 401 and nothing else.
    let wrong = "v0=0000000000000000000000000000000000000000000000000000000000000000";
    let mut forged = press(&store, ("hook_continue", &id), APPROVER, &ts, Some(wrong));
    let handled = send(&mut forged);
    assert_eq!(handled.reply.status, 401);
    assert!(forged.host.posts.is_empty());
    let mut stale = press(&store, ("hook_continue", &id), APPROVER, &ts, None);
    stale.host.now += 301;
    assert_eq!(send(&mut stale).reply.status, 401);
    let mut missing = press(&store, ("hook_continue", &id), APPROVER, &ts, None);
    let handled = missing.host.handle("POST", "/slack/interactions", &[]);
    assert_eq!(handled.reply.status, 401);
    assert!(stale.host.posts.is_empty() && missing.host.posts.is_empty());
    // EventBridge's key admits nothing here, and the signature nothing on `/`.
    let mut with_key = press(&store, ("hook_continue", &id), APPROVER, &ts, None);
    let handled = with_key
        .host
        .handle("POST", "/slack/interactions", &[("x-api-key", KEY)]);
    assert_eq!(handled.reply.status, 401);
    // An unknown id, and a link button's press: nothing done.
    let mut unknown = press(&store, ("hook_continue", "feed"), APPROVER, &ts, None);
    assert_eq!(send(&mut unknown).log.press, Some("pause_over"));
    let mut link = press(&store, ("open_console", ""), APPROVER, &ts, None);
    let handled = send(&mut link);
    assert_eq!((handled.reply.status, handled.reply.body.len()), (200, 0));
    assert!(link.host.posts.is_empty());
}

#[test]
fn without_the_signing_secret_there_are_no_buttons_and_no_path() {
    let store = MemoryStore::default();
    let mut plain = host(PAUSE, &store, START_OF_TIME);
    post(&mut plain);
    assert!(buttons(&plain.posts[0]).is_empty());
    let handled = plain.handle("POST", "/slack/interactions", &[]);
    assert_eq!(handled.reply.status, 404);
    // The secret alone: "I'm on it", and no pause buttons without approvers.
    let mut settings = app();
    settings.push(("slack_signing_secret", SIGNING_SECRET));
    let mut acks_only = MemoryHost::new(&settings, PAUSE);
    post(&mut acks_only);
    let shown = buttons(&acks_only.posts[0]);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].0, "ack");
}

#[test]
fn an_ecs_refusal_is_told_to_the_presser_and_a_throttle_keeps_the_buttons() {
    let store = MemoryStore::default();
    let (ts, id) = pause_posted(&store);
    let throttled = web_api(400, None, json!({"__type": "ThrottlingException"}));
    let mut first = press(&store, ("hook_rollback", &id), APPROVER, &ts, None);
    ecs_answers(&mut first.host, throttled);
    let handled = send(&mut first);
    assert_eq!(handled.log.press, Some("ecs_failed"));
    assert_eq!(
        handled.log.ecs_error.as_deref(),
        Some("ThrottlingException")
    );
    let note = first.host.posts.last().unwrap();
    assert!(text(note).contains("ThrottlingException"));
    assert!(
        first
            .host
            .posts
            .iter()
            .all(|p| p.method() != Some("chat.update"))
    );
    // Pressed again: ECS says the hook no longer waits; the buttons go.
    let gone = web_api(
        400,
        None,
        json!({"__type": "com.amazonaws.ecs#InvalidParameterException"}),
    );
    let mut second = press(&store, ("hook_rollback", &id), APPROVER, &ts, None);
    ecs_answers(&mut second.host, gone);
    let handled = send(&mut second);
    assert_eq!(handled.log.press, Some("ecs_refused"));
    let update = second
        .host
        .posts
        .iter()
        .find(|p| p.method() == Some("chat.update"))
        .unwrap();
    assert!(buttons(update).iter().all(|(action, _)| action == "ack"));
    let mut third = press(&store, ("hook_rollback", &id), APPROVER, &ts, None);
    assert_eq!(send(&mut third).log.press, Some("pause_over"));
}

#[test]
fn people_on_it_are_kept_with_the_story_and_added_not_swapped() {
    let store = MemoryStore::default();
    let mut failure = event_host(FAILED, &store);
    post(&mut failure);
    let parent = &failure.posts[0];
    let ack = buttons(parent);
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0].0, "ack");
    let answer: Value = serde_json::from_slice(&parent.answer.as_ref().unwrap().body).unwrap();
    let ts = answer["ts"].as_str().unwrap().to_owned();

    let mut first = press(&store, ("ack", &ack[0].1), "U0FIRST", &ts, None);
    assert_eq!(send(&mut first).log.press, Some("acknowledged"));
    let update = first
        .host
        .posts
        .iter()
        .find(|p| p.method() == Some("chat.update"));
    assert!(text(update.unwrap()).contains("👀 <@U0FIRST> is on it"));
    let reply = first.host.posts.last().unwrap();
    assert!(text(reply).contains("<@U0FIRST> is on it"));
    assert!(text(reply).contains(&format!("\"thread_ts\":\"{ts}\"")));

    let mut second = press(&store, ("ack", &ack[0].1), "U0SECOND", &ts, None);
    send(&mut second);
    let update = second
        .host
        .posts
        .iter()
        .find(|p| p.method() == Some("chat.update"));
    assert!(text(update.unwrap()).contains("👀 <@U0FIRST> and <@U0SECOND> are on it"));

    // A later event's redraw keeps them.
    let mut rolling = event_host(ROLLING_BACK, &store);
    post(&mut rolling);
    let redrawn = rolling
        .posts
        .iter()
        .find(|p| p.method() == Some("chat.update"));
    assert!(text(redrawn.unwrap()).contains("<@U0FIRST> and <@U0SECOND> are on it"));

    // A story no longer kept: a note, nothing else.
    let mut gone = press(&store, ("ack", "ecs-svc/unknown"), "U0FIRST", &ts, None);
    assert_eq!(send(&mut gone).log.press, Some("story_gone"));
    assert_eq!(gone.host.posts.len(), 1);
    assert!(text(&gone.host.posts[0]).contains("no longer kept"));
}

#[test]
fn a_press_after_the_settings_broke_tells_the_presser() {
    let store = MemoryStore::default();
    let (ts, id) = pause_posted(&store);
    let mut pressing = press(&store, ("hook_continue", &id), APPROVER, &ts, None);
    let settings = pressing.host.settings.as_mut().unwrap();
    settings.retain(|(key, _)| key != "aws_secret_access_key");
    settings.push(("aws_secret_access_key".into(), "too-short".into()));
    let handled = send(&mut pressing);
    assert_eq!(
        (handled.reply.status, handled.log.press),
        (200, Some("failed"))
    );
    let [note] = &pressing.host.posts[..] else {
        panic!("{:?}", pressing.host.posts);
    };
    assert_eq!(note.path_and_query, "/actions/T1/1/response");
    let said: Value = serde_json::from_slice(&note.payload).unwrap();
    assert_eq!(
        said["text"],
        "This alerts component's settings are invalid or no longer include the Slack app (its \
         `/health` says what is wrong). Nothing was done."
    );
}

#[test]
fn a_later_pause_is_ended_from_its_own_reply_and_the_parent_is_left_alone() {
    let store = MemoryStore::default();
    pause_posted(&store);
    post(&mut event_host(CONTINUED, &store));
    let mut second = event_host(
        include_str!("../../fixtures/ecs-hook-pause-step-2-awaiting.json"),
        &store,
    );
    post(&mut second);
    let reply = second
        .posts
        .iter()
        .find(|p| p.method() == Some("chat.postMessage"))
        .unwrap();
    assert!(text(reply).contains("\"thread_ts\""), "{}", text(reply));
    let shown = buttons(reply);
    assert_eq!(shown[0].0, "hook_continue");
    let answer: Value = serde_json::from_slice(&reply.answer.as_ref().unwrap().body).unwrap();
    let reply_ts = answer["ts"].as_str().unwrap().to_owned();

    let mut pressing = press(
        &store,
        ("hook_rollback", &shown[0].1),
        APPROVER,
        &reply_ts,
        None,
    );
    ecs_answers(&mut pressing.host, web_api(200, None, json!({})));
    assert_eq!(send(&mut pressing).log.press, Some("rollback_requested"));
    let updates: Vec<&Post> = pressing
        .host
        .posts
        .iter()
        .filter(|p| p.method() == Some("chat.update"))
        .collect();
    // Only the pressed reply is drawn again: it says who, and has no buttons left (an ended
    // pause is no alert); the parent, the first pause, stays as it was.
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert!(text(updates[0]).contains(&format!("\"ts\":\"{reply_ts}\"")));
    assert!(text(updates[0]).contains("Rollback requested by <@U0APPROVER>"));
    assert_eq!(buttons(updates[0]), []);
    let ecs_body = &pressing
        .host
        .posts
        .iter()
        .find(|p| p.to == Destination::Ecs)
        .unwrap()
        .payload;
    let ecs_body: Value = serde_json::from_slice(ecs_body).unwrap();
    assert_eq!(ecs_body["action"], "ROLLBACK");
    assert_ne!(
        ecs_body["hookId"], "ecs-pause-Xq8m2NvT5rKcW9pL3yHb7dFj1sZg6aUe4oIk0nMt2Qw",
        "the second pause's hook, not the first's"
    );
}

#[test]
fn a_pause_ecs_calls_over_is_drawn_from_its_story_keeping_who_is_on_it() {
    let store = MemoryStore::default();
    let (ts, id) = pause_posted(&store);
    let story = "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/checkout-api/Qm3kT9vZx2LpR8wYc4NbE";
    let mut on_it = press(&store, ("ack", story), "U0FIRST", &ts, None);
    assert_eq!(send(&mut on_it).log.press, Some("acknowledged"));

    let over = web_api(400, None, json!({"__type": "InvalidParameterException"}));
    let mut pressing = press(&store, ("hook_continue", &id), APPROVER, &ts, None);
    ecs_answers(&mut pressing.host, over);
    assert_eq!(send(&mut pressing).log.press, Some("ecs_refused"));
    let update = pressing
        .host
        .posts
        .iter()
        .find(|p| p.method() == Some("chat.update"))
        .unwrap();
    // The parent as its story has it: who is on it, "I'm on it" (the pause's alert stands
    // until its news comes), and no pause buttons: their record is gone.
    assert!(
        text(update).contains("👀 <@U0FIRST> is on it"),
        "{}",
        text(update)
    );
    let shown: Vec<String> = buttons(update)
        .into_iter()
        .map(|(action, _)| action)
        .collect();
    assert_eq!(shown, ["ack"]);
    // Drawn again later, by the next event of its story, it gets no pause buttons back.
    let mut later = event_host(ROLLING_BACK, &store);
    post(&mut later);
    for redrawn in later
        .posts
        .iter()
        .filter(|p| p.method() == Some("chat.update"))
    {
        assert!(buttons(redrawn).iter().all(|(action, _)| action == "ack"));
    }
}

#[test]
fn two_people_on_it_at_once_are_both_kept() {
    let store = MemoryStore::default();
    let mut failure = event_host(FAILED, &store);
    post(&mut failure);
    let parent = &failure.posts[0];
    let ack = buttons(parent)[0].1.clone();
    let answer: Value = serde_json::from_slice(&parent.answer.as_ref().unwrap().body).unwrap();
    let ts = answer["ts"].as_str().unwrap().to_owned();
    let thread_key = store
        .data()
        .entries
        .keys()
        .find(|key| key.starts_with("ecs-deploy-alerts/thread:"))
        .unwrap()
        .clone();

    // U0SECOND presses on another instance, having read the story before U0FIRST's write,
    // and writes after it: last writer wins.
    let elsewhere = MemoryStore::default();
    for (key, value) in store.data().entries {
        elsewhere.set_entry(&key, &value);
    }
    let mut second = press(&elsewhere, ("ack", &ack), "U0SECOND", &ts, None);
    assert_eq!(send(&mut second).log.press, Some("acknowledged"));
    let second_wrote = elsewhere.data().entries[&thread_key].clone();

    let mut first = press(&store, ("ack", &ack), "U0FIRST", &ts, None);
    let landed = store.clone();
    let once = std::cell::Cell::new(false);
    first.host.slack_hook = Some(SlackHook(Rc::new(move |post: &Post| {
        // It lands as U0FIRST's reply goes out, after U0FIRST's last write to the story.
        if post.method() == Some("chat.postMessage") && !once.replace(true) {
            landed.set_entry(&thread_key, &second_wrote);
        }
        let call: Value = serde_json::from_slice(&post.payload).unwrap_or_default();
        let ts = call["ts"].as_str().unwrap_or("1795737600.000900");
        web_api(
            200,
            None,
            json!({"ok": true, "channel": "C0ALERTS", "ts": ts}),
        )
    })));
    assert_eq!(send(&mut first).log.press, Some("acknowledged"));
    let last = first
        .host
        .posts
        .iter()
        .rev()
        .find(|p| p.method() == Some("chat.update"))
        .unwrap();
    assert!(
        text(last).contains("<@U0SECOND> and <@U0FIRST> are on it"),
        "{}",
        text(last)
    );
}
