//! Acting from Slack through the release component in wasmtime: presses on
//! `/slack/interactions` signed as Slack signs them (or not), "I'm on it", and a pause ended
//! through a stand-in ECS whose check of the request's SigV4 signature is the `aws-sigv4`
//! crate's, an implementation independent of the component's own.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use e2e::{
    Call, Exchange, KeyValueStore, SentRequest, SlackScript, TestHost, WebApiScript,
    fixture_config, repo_root,
};
use ecs_deploy_alerts::memory::START_OF_TIME;
use ecs_deploy_alerts::signing::{self, SigningSecret};
use serde_json::{Value, json};

const TOKEN: &str = "xoxb-0000-fixture-TOKEN";
const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const AWS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const APPROVER: &str = "U0APPROVER";
const RESPONSE_URL: &str = "https://hooks.slack.com/actions/T1/1/response";
const PAUSE: &str = "ecs-hook-pause-step-1-awaiting.json";
const ECS: &str = "https://ecs.us-east-1.amazonaws.com/";
/// The pause waits two hours (its `expiresAt` after its `time`).
const PAUSE_WAITS: u64 = 2 * 3600;

fn host() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| TestHost::load().unwrap_or_else(|e| panic!("{e:?}")))
}

/// App mode with the buttons on, approvers for production, and an ECS key.
fn interactive() -> HashMap<String, String> {
    let mut config = fixture_config();
    for (key, value) in [
        ("slack_bot_token", TOKEN),
        ("slack_channel", "C0ALERTS"),
        ("slack_signing_secret", SIGNING_SECRET),
        ("slack_approvers", "production=U0APPROVER U0SECOND"),
        ("aws_access_key_id", AWS_KEY_ID),
        ("aws_secret_access_key", AWS_SECRET),
    ] {
        config.insert(key.into(), value.into());
    }
    config
}

/// Sends `call` at `now`, and checks that no secret shows in what came back or was logged.
async fn exchange(
    call: Call,
    config: &HashMap<String, String>,
    script: WebApiScript,
    store: &KeyValueStore,
    now: u64,
) -> Exchange {
    let exchange = host()
        .call_with_store(&call, config, SlackScript::WebApi(script), store, Some(now))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    exchange.assert_hides(&[SIGNING_SECRET, AWS_SECRET, TOKEN]);
    exchange
}

/// Posts the fixture `name` as EventBridge does.
async fn event(
    name: &str,
    config: &HashMap<String, String>,
    store: &KeyValueStore,
    now: u64,
) -> Exchange {
    let body = std::fs::read(repo_root().join("fixtures").join(name)).unwrap();
    let call = Call::eventbridge(body).with_header("x-api-key", &config["api_key"]);
    exchange(call, config, WebApiScript::default(), store, now).await
}

/// The form Slack posts for a press of `action_id` with `value` by `user` on the message `ts`.
fn press_form(action_id: &str, value: &str, user: &str, ts: &str) -> String {
    let payload = json!({
        "type": "block_actions",
        "user": {"id": user},
        "container": {"type": "message", "message_ts": ts, "channel_id": "C0ALERTS"},
        "channel": {"id": "C0ALERTS"},
        "response_url": RESPONSE_URL,
        "actions": [{"action_id": action_id, "value": value, "type": "button"}],
    });
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish()
}

/// A POST of `form` to the interactions path, with Slack's headers for `timestamp` and
/// `signature` (each left out when `None`).
fn interaction(form: &str, timestamp: Option<u64>, signature: Option<&str>) -> Call {
    let mut call = Call::eventbridge(Bytes::from(form.to_owned()))
        .without_header("content-type")
        .without_header("user-agent")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)");
    call.path = "/slack/interactions";
    if let Some(timestamp) = timestamp {
        call = call.with_header("x-slack-request-timestamp", &timestamp.to_string());
    }
    if let Some(signature) = signature {
        call = call.with_header("x-slack-signature", signature);
    }
    call
}

/// `form` signed by Slack at `now`.
fn signed(form: &str, now: u64) -> Call {
    let secret = SigningSecret::parse(SIGNING_SECRET).unwrap();
    let signature = signing::sign(&secret, now, form.as_bytes());
    interaction(form, Some(now), Some(&signature))
}

/// A press, signed by Slack at `now`, and what came of it.
async fn press(
    (action_id, value): (&str, &str),
    user: &str,
    ts: &str,
    store: &KeyValueStore,
    ecs: WebApiScript,
    now: u64,
) -> Exchange {
    let form = press_form(action_id, value, user, ts);
    let exchange = exchange(signed(&form, now), &interactive(), ecs, store, now).await;
    // Slack is answered at once and with nothing to show: the work's outcome goes by the Web
    // API and the press's `response_url`.
    assert_eq!((exchange.status, exchange.body.len()), (200, 0));
    exchange
}

/// The posted message's buttons: (action_id, value), link buttons left out.
fn buttons(sent: &SentRequest) -> Vec<(String, String)> {
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|block| block["type"] == "actions")
        .flat_map(|block| block["elements"].as_array().unwrap().clone())
        .filter_map(|button| {
            let value = button.get("value")?.as_str()?.to_owned();
            Some((button["action_id"].as_str()?.to_owned(), value))
        })
        .collect()
}

fn to(exchange: &Exchange, method: &str) -> Vec<SentRequest> {
    exchange
        .sent
        .iter()
        .filter(|sent| sent.uri.rsplit('/').next() == Some(method) || sent.uri == method)
        .cloned()
        .collect()
}

fn text(sent: &SentRequest) -> String {
    String::from_utf8_lossy(&sent.body).into_owned()
}

/// The log line of a press.
fn logged(exchange: &Exchange) -> Value {
    serde_json::from_str(exchange.stdout.lines().last().unwrap()).unwrap()
}

/// The parent an event at `now` posted: its `ts` (the stand-in numbers each request's calls)
/// and its buttons.
fn parent(posted: &Exchange, now: u64) -> (String, Vec<(String, String)>) {
    let at = posted
        .sent
        .iter()
        .position(|sent| sent.uri.ends_with("/chat.postMessage"))
        .unwrap();
    (format!("{now}.{:06}", at + 1), buttons(&posted.sent[at]))
}

/// Posts the waiting pause at `now`: its parent's `ts` and its pause buttons' id.
async fn pause_posted(store: &KeyValueStore, now: u64) -> (String, String) {
    let posted = event(PAUSE, &interactive(), store, now).await;
    assert_eq!(posted.status, 200, "{:?}", posted.body);
    let (ts, shown) = parent(&posted, now);
    let actions: Vec<&str> = shown.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(actions, ["hook_continue", "hook_rollback", "ack"]);
    assert_eq!(shown[0].1, shown[1].1, "both buttons name one pause");
    assert!(
        !shown[0].1.contains("Xq8m2"),
        "the id says nothing of the hook"
    );
    (ts, shown[0].1.clone())
}

/// Checks the ECS call's SigV4 signature with `aws-sigv4`, over the headers it signed.
fn assert_signed_for_ecs(call: &SentRequest, now: u64) {
    let authorization = call.header("authorization").unwrap();
    let signed_headers = authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap();
    assert_eq!(signed_headers, "content-type;host;x-amz-date;x-amz-target");
    let headers: Vec<(&str, &str)> = signed_headers
        .split(';')
        .filter(|name| *name != "host")
        .map(|name| (name, call.header(name).unwrap()))
        .collect();
    let identity = Credentials::new(AWS_KEY_ID, AWS_SECRET, None, None, "e2e").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ecs")
        .time(UNIX_EPOCH + Duration::from_secs(now))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let request = SignableRequest::new(
        "POST",
        &call.uri,
        headers.into_iter(),
        SignableBody::Bytes(&call.body),
    )
    .unwrap();
    let (_, signature) = sign(request, &params).unwrap().into_parts();
    assert!(
        authorization.ends_with(&format!("Signature={signature}")),
        "aws-sigv4 signs {signature}; the component sent {authorization}"
    );
    assert!(authorization.starts_with(&format!(
        "AWS4-HMAC-SHA256 Credential={AWS_KEY_ID}/20261127/us-east-1/ecs/aws4_request"
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_signing_secret_there_are_no_buttons_and_no_path() {
    let mut config = interactive();
    config.remove("slack_signing_secret");
    let store = KeyValueStore::default();
    let body = std::fs::read(repo_root().join("fixtures").join(PAUSE)).unwrap();
    let call = Call::eventbridge(body).with_header("x-api-key", &config["api_key"]);
    let posted = exchange(
        call,
        &config,
        WebApiScript::default(),
        &store,
        START_OF_TIME,
    )
    .await;
    assert!(buttons(&to(&posted, "chat.postMessage")[0]).is_empty());
    let form = press_form("ack", "x", APPROVER, "1.2");
    let answered = exchange(
        signed(&form, START_OF_TIME),
        &config,
        WebApiScript::default(),
        &store,
        START_OF_TIME,
    )
    .await;
    assert_eq!(answered.status, 404);
    assert!(answered.sent.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_stale_or_missing_signature_is_401_and_does_nothing() {
    let store = KeyValueStore::default();
    let (ts, id) = pause_posted(&store, START_OF_TIME).await;
    let now = START_OF_TIME + 60;
    let form = press_form("hook_continue", &id, APPROVER, &ts);
    let secret = SigningSecret::parse(SIGNING_SECRET).unwrap();
    let stale = now - 301;
    let wrong = "v0=0000000000000000000000000000000000000000000000000000000000000000";
    let other_body = signing::sign(&secret, now, b"payload=%7B%7D");
    let cases = [
        ("wrong", interaction(&form, Some(now), Some(wrong))),
        (
            "another body's",
            interaction(&form, Some(now), Some(&other_body)),
        ),
        (
            "stale",
            interaction(
                &form,
                Some(stale),
                Some(&signing::sign(&secret, stale, form.as_bytes())),
            ),
        ),
        ("no signature", interaction(&form, Some(now), None)),
        ("no timestamp", {
            let signature = signing::sign(&secret, now, form.as_bytes());
            interaction(&form, None, Some(&signature))
        }),
        (
            "EventBridge's key",
            interaction(&form, None, None).with_header("x-api-key", "fixture-api-key"),
        ),
    ];
    for (what, call) in cases {
        let answered = exchange(call, &interactive(), WebApiScript::default(), &store, now).await;
        assert_eq!(answered.status, 401, "{what}");
        // One answer for every failure: nothing tells a forger which part was wrong.
        let unauthorized =
            json!({"error": "unauthorized", "message": "missing or invalid credentials"});
        assert_eq!(answered.json(), unauthorized, "{what}");
        assert!(answered.sent.is_empty(), "{what}: {:?}", answered.sent);
    }
    // Slack's signature admits nothing on EventBridge's path.
    let body = std::fs::read(repo_root().join("fixtures").join(PAUSE)).unwrap();
    let signature = signing::sign(&secret, now, &body);
    let mut call = signed(&form, now);
    call.path = "/";
    call.body = Bytes::from(body);
    call = call
        .without_header("x-slack-signature")
        .with_header("x-slack-signature", &signature);
    let answered = exchange(call, &interactive(), WebApiScript::default(), &store, now).await;
    assert_eq!(answered.status, 401);
    // The pause still waits for a real press.
    let pressed = press(
        ("hook_continue", &id),
        APPROVER,
        &ts,
        &store,
        WebApiScript::default(),
        now,
    )
    .await;
    assert_eq!(logged(&pressed)["press"], "continued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approver_continues_a_pause_once_through_a_signed_ecs_call() {
    let store = KeyValueStore::default();
    let (ts, id) = pause_posted(&store, START_OF_TIME).await;
    let now = START_OF_TIME + 600;
    let pressed = press(
        ("hook_continue", &id),
        APPROVER,
        &ts,
        &store,
        WebApiScript::default(),
        now,
    )
    .await;
    let log = logged(&pressed);
    assert_eq!(
        (&log["press"], &log["user"]),
        (&json!("continued"), &json!(APPROVER))
    );

    // One call to ECS, first, in the pause's region, signed.
    let call = &pressed.sent[0];
    assert_eq!((call.method.as_str(), call.uri.as_str()), ("POST", ECS));
    assert_eq!(
        call.header("x-amz-target"),
        Some("AmazonEC2ContainerServiceV20141113.ContinueServiceDeployment")
    );
    assert_eq!(
        call.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&call.body).unwrap(),
        json!({
            "serviceDeploymentArn": "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/checkout-api/Qm3kT9vZx2LpR8wYc4NbE",
            "hookId": "ecs-pause-Xq8m2NvT5rKcW9pL3yHb7dFj1sZg6aUe4oIk0nMt2Qw",
            "action": "CONTINUE",
        })
    );
    assert_signed_for_ecs(call, now);
    assert_eq!(pressed.sent.iter().filter(|s| s.uri == ECS).count(), 1);

    // The message says who continued, its pause buttons gone; the thread hears it.
    let update = &to(&pressed, "chat.update")[0];
    assert!(
        text(update).contains("Continued by <@U0APPROVER>"),
        "{}",
        text(update)
    );
    assert!(buttons(update).iter().all(|(action, _)| action == "ack"));
    let reply = &to(&pressed, "chat.postMessage")[0];
    assert!(text(reply).contains(&format!("\"thread_ts\":\"{ts}\"")));
    assert!(
        to(&pressed, RESPONSE_URL).is_empty(),
        "no note when it worked"
    );

    // Pressed again, by the other approver: the pause is over and ECS is not called.
    let again = press(
        ("hook_rollback", &id),
        "U0SECOND",
        &ts,
        &store,
        WebApiScript::default(),
        now + 5,
    )
    .await;
    assert_eq!(logged(&again)["press"], "pause_over");
    assert_eq!(again.sent.len(), 1, "{:?}", again.sent);
    let note = text(&to(&again, RESPONSE_URL)[0]);
    assert!(
        note.contains("\"response_type\":\"ephemeral\"") && note.contains("This pause is over")
    );

    // The hook event the press caused posts nothing.
    let continued = event(
        "ecs-hook-pause-step-1-continued.json",
        &interactive(),
        &store,
        now + 30,
    )
    .await;
    assert_eq!(continued.status, 202, "{:?}", continued.body);
    assert!(
        continued.json()["message"]
            .as_str()
            .unwrap()
            .contains("ended from Slack")
    );
    assert!(to(&continued, "chat.postMessage").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_or_a_late_press_calls_nothing() {
    let store = KeyValueStore::default();
    let (ts, id) = pause_posted(&store, START_OF_TIME).await;
    let stranger = press(
        ("hook_rollback", &id),
        "U0STRANGER",
        &ts,
        &store,
        WebApiScript::default(),
        START_OF_TIME + 60,
    )
    .await;
    assert_eq!(logged(&stranger)["press"], "refused");
    assert_eq!(stranger.sent.len(), 1);
    assert!(text(&stranger.sent[0]).contains("Only the approvers of `production`"));

    // Once the pause has expired, an approver's press is too late: ECS is not called.
    let late = press(
        ("hook_continue", &id),
        APPROVER,
        &ts,
        &store,
        WebApiScript::default(),
        START_OF_TIME + PAUSE_WAITS + 1,
    )
    .await;
    assert_eq!(logged(&late)["press"], "pause_over");
    assert_eq!(late.sent.len(), 1, "{:?}", late.sent);
    assert!(text(&late.sent[0]).contains("This pause is over"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ecs_refusal_is_told_to_the_presser_and_a_throttle_keeps_the_buttons() {
    let store = KeyValueStore::default();
    let (ts, id) = pause_posted(&store, START_OF_TIME).await;
    let refusal = |code: &str| {
        let body = json!({"__type": code, "message": "no"}).to_string();
        WebApiScript::default().then("ContinueServiceDeployment", 400, body, None)
    };
    let throttled = press(
        ("hook_rollback", &id),
        APPROVER,
        &ts,
        &store,
        refusal("ThrottlingException"),
        START_OF_TIME + 60,
    )
    .await;
    let log = logged(&throttled);
    assert_eq!(
        (&log["press"], &log["ecs_error"]),
        (&json!("ecs_failed"), &json!("ThrottlingException"))
    );
    assert!(to(&throttled, "chat.update").is_empty(), "the buttons stay");
    assert!(text(&to(&throttled, RESPONSE_URL)[0]).contains("ThrottlingException"));

    let refused = press(
        ("hook_rollback", &id),
        APPROVER,
        &ts,
        &store,
        refusal("com.amazonaws.ecs#InvalidParameterException"),
        START_OF_TIME + 90,
    )
    .await;
    assert_eq!(logged(&refused)["press"], "ecs_refused");
    let update = &to(&refused, "chat.update")[0];
    assert!(buttons(update).iter().all(|(action, _)| action == "ack"));
    assert_eq!(refused.sent.iter().filter(|s| s.uri == ECS).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_on_it_are_added_to_the_alert_and_told_in_its_thread() {
    let store = KeyValueStore::default();
    let failed = event(
        "ecs-deployment-failed-checkout.json",
        &interactive(),
        &store,
        START_OF_TIME,
    )
    .await;
    let (ts, ack) = parent(&failed, START_OF_TIME);
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0].0, "ack");
    let mut shown = Vec::new();
    for (i, user) in ["U0FIRST", "U0SECOND"].into_iter().enumerate() {
        let pressed = press(
            ("ack", &ack[0].1),
            user,
            &ts,
            &store,
            WebApiScript::default(),
            START_OF_TIME + 60 + i as u64,
        )
        .await;
        assert_eq!(logged(&pressed)["press"], "acknowledged");
        shown.push(text(&to(&pressed, "chat.update")[0]));
        let reply = text(&to(&pressed, "chat.postMessage")[0]);
        assert!(reply.contains(&format!("<@{user}> is on it")), "{reply}");
        assert!(reply.contains(&format!("\"thread_ts\":\"{ts}\"")));
    }
    assert!(shown[0].contains("👀 <@U0FIRST> is on it"));
    assert!(shown[1].contains("👀 <@U0FIRST> and <@U0SECOND> are on it"));
}
