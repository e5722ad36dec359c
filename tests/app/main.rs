//! App mode through the pipeline: each Web API answer's status for EventBridge, and what the
//! calls carry (answers.rs); one thread per story (threads.rs); the story when its events come in
//! any order and Slack fails halfway (order.rs). Here: what they share, and every answer checked
//! for the token and the other secrets.

mod acks;
mod answers;
mod hooks;
mod order;
mod presses;
mod pressing;
mod store;
mod threads;
mod window;

use ecs_deploy_alerts::Handled;
use ecs_deploy_alerts::host::{HttpResponse, TransportFailure};
use ecs_deploy_alerts::memory::{MemoryHost, MemoryStore, START_OF_TIME};
use serde_json::{Value, json};

pub const TOKEN: &str = "xoxb-1-2-TOKENSECRET";
pub const KEY: &str = "key-SECRET-1234";
pub const WEBHOOK: &str = "https://hooks.slack.com/services/T0SECRET/B0SECRET/HOOKSECRET";
pub const FAILED: &str = include_str!("../../fixtures/ecs-deployment-failed-checkout.json");
pub const ROLLING_BACK: &str = include_str!("../../fixtures/ecs-deployment-rollback-started.json");
pub const ACTION: &str = include_str!("../../fixtures/ecs-service-action-placement-failure.json");

pub fn app() -> Vec<(&'static str, &'static str)> {
    vec![
        ("api_key", KEY),
        ("slack_webhook_url", WEBHOOK),
        ("slack_bot_token", TOKEN),
        ("slack_channel", "C0ALERTS"),
    ]
}

pub fn host(body: &str, store: &MemoryStore, now: u64) -> MemoryHost {
    let mut host = MemoryHost::new(&app(), body);
    host.store = Some(store.clone());
    host.now = now;
    host
}

pub fn post(host: &mut MemoryHost) -> Handled {
    let handled = host.handle("POST", "/", &[("x-api-key", KEY)]);
    // Whatever happened, neither the answer, the log nor the headers show a secret.
    let shown = format!(
        "{}{}{:?}",
        String::from_utf8_lossy(&handled.reply.body),
        handled.log.to_json(),
        handled.reply.headers
    );
    assert!(!shown.contains("SECRET"), "{shown}");
    handled
}

pub fn json_of(handled: &Handled) -> Value {
    serde_json::from_slice(&handled.reply.body).unwrap()
}

pub fn web_api(
    status: u16,
    retry_after: Option<&str>,
    body: Value,
) -> Result<HttpResponse, TransportFailure> {
    Ok(HttpResponse {
        status,
        retry_after: retry_after.map(str::to_owned),
        body: body.to_string().into_bytes(),
    })
}

pub fn error(code: &str) -> Result<HttpResponse, TransportFailure> {
    web_api(200, None, json!({"ok": false, "error": code}))
}

/// `ACTION` as an action of `FAILED`'s service, created at `at`.
pub fn action_of_the_failures_service(at: &str) -> Value {
    let mut action: Value = serde_json::from_str(ACTION).unwrap();
    let failed: Value = serde_json::from_str(FAILED).unwrap();
    action["resources"] = failed["resources"].clone();
    action["region"] = failed["region"].clone();
    action["detail"]["clusterArn"] = failed["detail"]["clusterArn"].clone();
    action["detail"]["createdAt"] = json!(at);
    action
}

/// `FAILED` as a failure of `ACTION`'s service.
pub fn failure_of_the_actions_service() -> Value {
    let action: Value = serde_json::from_str(ACTION).unwrap();
    let mut failed: Value = serde_json::from_str(FAILED).unwrap();
    failed["resources"] = json!([action["resources"][0]]);
    failed["account"] = action["account"].clone();
    failed["region"] = action["region"].clone();
    failed["detail"]["clusterArn"] = action["detail"]["clusterArn"].clone();
    failed
}
