//! Each Web API answer's status for EventBridge, what every call carries, no store, and
//! routes that mix channels and webhooks.

use super::*;

/// A Web API answer, and the status, error code and `Retry-After` it becomes.
type Case = (
    Result<HttpResponse, TransportFailure>,
    u16,
    &'static str,
    Option<&'static str>,
);

#[test]
fn each_web_api_answer_has_the_status_that_retries_when_it_can_help() {
    let cases: Vec<Case> = vec![
        (error("ratelimited"), 429, "slack_rate_limited", Some("30")),
        (
            web_api(429, Some("7"), json!({"ok": false, "error": "ratelimited"})),
            429,
            "slack_rate_limited",
            Some("7"),
        ),
        (error("invalid_auth"), 424, "slack_rejected", None),
        (error("token_expired"), 424, "slack_rejected", None),
        (error("restricted_action"), 424, "slack_rejected", None),
        (error("not_authed"), 424, "slack_rejected", None),
        (error("token_revoked"), 424, "slack_rejected", None),
        (error("account_inactive"), 424, "slack_rejected", None),
        (error("missing_scope"), 424, "slack_rejected", None),
        (error("channel_not_found"), 424, "slack_rejected", None),
        (error("not_in_channel"), 424, "slack_rejected", None),
        (error("is_archived"), 424, "slack_rejected", None),
        (error("invalid_blocks"), 424, "slack_rejected", None),
        (error("msg_too_long"), 424, "slack_rejected", None),
        (error("internal_error"), 502, "slack_failed", None),
        (error("fatal_error"), 502, "slack_failed", None),
        // Refused for its thread: a parent has none, so the channel refused it for good.
        (
            error("restricted_action_thread_locked"),
            424,
            "slack_rejected",
            None,
        ),
        (web_api(503, None, json!({})), 502, "slack_failed", None),
        (Err(TransportFailure::Timeout), 504, "slack_timeout", None),
    ];
    for (answer, status, code, retry_after) in cases {
        let mut host = host(FAILED, &MemoryStore::default(), START_OF_TIME);
        host.web_api.push(("chat.postMessage", answer.clone()));
        let handled = post(&mut host);
        let body = json_of(&handled);
        assert_eq!(
            (handled.reply.status, body["error"].as_str()),
            (status, Some(code)),
            "{answer:?}: {body}"
        );
        let header = handled
            .reply
            .headers
            .iter()
            .find(|(n, _)| *n == "retry-after");
        assert_eq!(header.map(|(_, v)| v.as_str()), retry_after, "{answer:?}");
        let slack_code = answer.as_ref().ok().and_then(|a| {
            let body: Value = serde_json::from_slice(&a.body).unwrap();
            body["error"].as_str().map(str::to_owned)
        });
        if let Some(slack_code) = slack_code.filter(|_| status != 429) {
            assert!(
                body["message"].as_str().unwrap().contains(&slack_code),
                "{body}"
            );
        }
        // A failed post leaves the event and the deployment's thread free for the retry.
        let mut retry = MemoryHost::new(&app(), FAILED);
        retry.store = host.store.clone();
        let handled = post(&mut retry);
        assert_eq!(json_of(&handled)["thread"], "parent", "{answer:?}");
    }
}

#[test]
fn calls_carry_the_token_the_charset_and_the_channel() {
    let mut host = host(FAILED, &MemoryStore::default(), START_OF_TIME);
    let handled = post(&mut host);
    assert_eq!(json_of(&handled)["outcome"], "delivered");
    let [call] = host.posts.as_slice() else {
        panic!("{:?}", host.posts)
    };
    assert_eq!(call.path_and_query, "/api/chat.postMessage");
    assert_eq!(
        call.authorization.as_deref(),
        Some("Bearer xoxb-1-2-TOKENSECRET")
    );
    assert_eq!(call.content_type, "application/json; charset=utf-8");
    let body: Value = serde_json::from_slice(&call.payload).unwrap();
    assert_eq!(body["channel"], "C0ALERTS");
    assert!(body.get("thread_ts").is_none());
}

#[test]
fn without_a_store_messages_post_alone_and_are_delivered() {
    let mut host = MemoryHost::new(&app(), FAILED);
    host.store = None;
    let handled = post(&mut host);
    assert_eq!(handled.reply.status, 200);
    assert_eq!(json_of(&handled)["thread"], "standalone");
    assert_eq!(handled.log.store, Some("unavailable"));
    assert_eq!(host.posts.len(), 1);
}

#[test]
fn routes_mix_channels_and_webhooks_and_health_says_which() {
    let mut settings = app();
    settings.retain(|(k, _)| *k != "slack_channel");
    settings.push(("slack_routes", "production=C0PROD"));
    let mut host = MemoryHost::new(&settings, FAILED);
    let handled = post(&mut host);
    let log: Value = serde_json::from_str(&handled.log.to_json()).unwrap();
    assert_eq!(log["environment"], "production");
    let body: Value = serde_json::from_slice(&host.posts[0].payload).unwrap();
    assert_eq!(body["channel"], "C0PROD");
    let health = host.handle("GET", "/health", &[("x-api-key", KEY)]);
    let health = json_of(&health);
    assert_eq!(
        health["modes"],
        json!({"production": "app", "*": "webhook"})
    );
    assert_eq!(health["settings"]["slack_bot_token"], true);
    assert!(!health.to_string().contains("SECRET"));
    // A channel without the token is refused, naming the key.
    let mut settings = vec![
        ("api_key", KEY),
        ("slack_webhook_url", WEBHOOK),
        ("slack_routes", "production=C0PROD"),
    ];
    let mut host = MemoryHost::new(&settings, FAILED);
    let handled = post(&mut host);
    assert_eq!(json_of(&handled)["error"], "config_invalid");
    assert!(
        json_of(&handled)["message"]
            .as_str()
            .unwrap()
            .contains("slack_routes")
    );
    settings.push(("slack_bot_token", TOKEN));
    let mut host = MemoryHost::new(&settings, FAILED);
    assert_eq!(post(&mut host).reply.status, 200);
}
