//! "👀 I'm on it" through the pipeline: people kept with the story, added not swapped, and
//! both kept when two press at once on two instances.

use std::rc::Rc;

use ecs_deploy_alerts::memory::{Post, SlackHook};

use super::pressing::*;
use super::*;

/// Posts the failure: its parent's `ts` and its one button's value, "I'm on it".
fn failure_posted(store: &MemoryStore) -> (String, String) {
    let mut failure = event_host(FAILED, store);
    post(&mut failure);
    let parent = &failure.posts[0];
    let ack = buttons(parent);
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0].0, "ack");
    (answered_ts(parent), ack[0].1.clone())
}

#[test]
fn people_on_it_are_kept_with_the_story_and_added_not_swapped() {
    let store = MemoryStore::default();
    let (ts, ack) = failure_posted(&store);

    let mut first = press(&store, ("ack", &ack), "U0FIRST", &ts, None);
    assert_eq!(send(&mut first).log.press, Some("acknowledged"));
    let update = calls(&first.host.posts, "chat.update")[0];
    assert!(text(update).contains("👀 <@U0FIRST> is on it"));
    let reply = first.host.posts.last().unwrap();
    assert!(text(reply).contains("<@U0FIRST> is on it"));
    assert!(text(reply).contains(&format!("\"thread_ts\":\"{ts}\"")));

    let mut second = press(&store, ("ack", &ack), "U0SECOND", &ts, None);
    send(&mut second);
    let update = calls(&second.host.posts, "chat.update")[0];
    assert!(text(update).contains("👀 <@U0FIRST> and <@U0SECOND> are on it"));

    // A later event's redraw keeps them.
    let mut rolling = event_host(ROLLING_BACK, &store);
    post(&mut rolling);
    let redrawn = calls(&rolling.posts, "chat.update")[0];
    assert!(text(redrawn).contains("<@U0FIRST> and <@U0SECOND> are on it"));

    // A story no longer kept: a note, nothing else.
    let mut gone = press(&store, ("ack", "ecs-svc/unknown"), "U0FIRST", &ts, None);
    assert_eq!(send(&mut gone).log.press, Some("story_gone"));
    assert_eq!(gone.host.posts.len(), 1);
    assert!(text(&gone.host.posts[0]).contains("no longer kept"));
}

#[test]
fn two_people_on_it_at_once_are_both_kept() {
    let store = MemoryStore::default();
    let (ts, ack) = failure_posted(&store);
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
        slack_ok(post)
    })));
    assert_eq!(send(&mut first).log.press, Some("acknowledged"));
    let last = calls(&first.host.posts, "chat.update")
        .last()
        .copied()
        .unwrap();
    assert!(
        text(last).contains("<@U0SECOND> and <@U0FIRST> are on it"),
        "{}",
        text(last)
    );
}
