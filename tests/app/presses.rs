//! A pause continued or rolled back from Slack through the pipeline: signed presses on
//! `/slack/interactions`, who may press, ECS called once through a stand-in, and what the
//! messages say after.

use ecs_deploy_alerts::host::Destination;
use ecs_deploy_alerts::memory::Post;

use super::pressing::*;
use super::*;

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
    let update = calls(&host.posts, "chat.update")[0];
    assert!(
        text(update).contains("Continued by <@U0APPROVER>"),
        "{}",
        text(update)
    );
    assert!(buttons(update).iter().all(|(action, _)| action == "ack"));
    let reply = calls(&host.posts, "chat.postMessage")[0];
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
    assert!(calls(&event.posts, "chat.postMessage").is_empty());
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
    assert!(calls(&first.host.posts, "chat.update").is_empty());
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
    let update = calls(&second.host.posts, "chat.update")[0];
    assert!(buttons(update).iter().all(|(action, _)| action == "ack"));
    let mut third = press(&store, ("hook_rollback", &id), APPROVER, &ts, None);
    assert_eq!(send(&mut third).log.press, Some("pause_over"));
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
    let reply = calls(&second.posts, "chat.postMessage")[0];
    assert!(text(reply).contains("\"thread_ts\""), "{}", text(reply));
    let shown = buttons(reply);
    assert_eq!(shown[0].0, "hook_continue");
    let reply_ts = answered_ts(reply);

    let mut pressing = press(
        &store,
        ("hook_rollback", &shown[0].1),
        APPROVER,
        &reply_ts,
        None,
    );
    ecs_answers(&mut pressing.host, web_api(200, None, json!({})));
    assert_eq!(send(&mut pressing).log.press, Some("rollback_requested"));
    let updates: Vec<&Post> = calls(&pressing.host.posts, "chat.update");
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
    let update = calls(&pressing.host.posts, "chat.update")[0];
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
    for redrawn in calls(&later.posts, "chat.update") {
        assert!(buttons(redrawn).iter().all(|(action, _)| action == "ack"));
    }
}
