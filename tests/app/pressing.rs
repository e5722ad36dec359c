//! What the presses' tests share: settings with the buttons on, a press signed as Slack signs
//! it (or not), a stand-in ECS, and readers of what was posted.

use std::rc::Rc;

use ecs_deploy_alerts::host::Destination;
use ecs_deploy_alerts::memory::{Post, SlackAnswer, SlackHook};
use ecs_deploy_alerts::signing::{self, SigningSecret};

use super::*;

pub const PAUSE: &str = include_str!("../../fixtures/ecs-hook-pause-step-1-awaiting.json");
pub const CONTINUED: &str = include_str!("../../fixtures/ecs-hook-pause-step-1-continued.json");
pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const APPROVER: &str = "U0APPROVER";
pub const RESPONSE_URL: &str = "https://hooks.slack.com/actions/T1/1/response";

/// App mode with the buttons on, approvers for production, and an ECS key.
pub fn interactive() -> Vec<(&'static str, &'static str)> {
    let mut settings = app();
    settings.extend([
        ("slack_signing_secret", SIGNING_SECRET),
        ("slack_approvers", "production=U0APPROVER U0SECOND"),
        ("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key", AWS_SECRET),
    ]);
    settings
}

pub fn event_host(body: &str, store: &MemoryStore) -> MemoryHost {
    let mut host = MemoryHost::new(&interactive(), body);
    host.store = Some(store.clone());
    host
}

/// A press to send: the host that receives it, and its `X-Slack-Signature`.
pub struct Pressing {
    pub host: MemoryHost,
    pub signature: String,
}

/// A press of `action_id` with `value` by `user` on the message `ts`, signed by Slack (or
/// with `signature`) at the host's time.
pub fn press(
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
pub fn send(pressing: &mut Pressing) -> Handled {
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
pub fn buttons(post: &Post) -> Vec<(String, String)> {
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

pub fn text(post: &Post) -> String {
    String::from_utf8_lossy(&post.payload).into_owned()
}

/// Slack's `ok` to a Web API call (a rewrite keeps its `ts`, a new message gets one).
pub fn slack_ok(post: &Post) -> SlackAnswer {
    let call: Value = serde_json::from_slice(&post.payload).unwrap_or_default();
    let ts = call["ts"].as_str().unwrap_or("1795737600.000900");
    web_api(
        200,
        None,
        json!({"ok": true, "channel": "C0ALERTS", "ts": ts}),
    )
}

/// A stand-in ECS that answers `ecs` and records the calls; Slack answers `ok`.
pub fn ecs_answers(host: &mut MemoryHost, ecs: SlackAnswer) {
    host.slack_hook = Some(SlackHook(Rc::new(move |post: &Post| match post.to {
        Destination::Ecs => ecs.clone(),
        _ => slack_ok(post),
    })));
}

/// The Web API calls of `method` among `posts`, in order.
pub fn calls<'p>(posts: &'p [Post], method: &str) -> Vec<&'p Post> {
    posts
        .iter()
        .filter(|p| p.method() == Some(method))
        .collect()
}

/// The `ts` Slack gave the posted message.
pub fn answered_ts(post: &Post) -> String {
    let answer: Value = serde_json::from_slice(&post.answer.as_ref().unwrap().body).unwrap();
    answer["ts"].as_str().unwrap().to_owned()
}

/// Posts the waiting pause; its parent's `ts` and its pause buttons' id.
pub fn pause_posted(store: &MemoryStore) -> (String, String) {
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
    (answered_ts(parent), id)
}
