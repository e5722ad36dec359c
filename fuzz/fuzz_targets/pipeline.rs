//! The whole pipeline (`handle` with the in-memory host) on fuzzed requests: method, path,
//! headers, configuration (webhooks, app mode, buttons), Slack's answer and the body. Every
//! answer must have a status docs/statuses.md documents and be a JSON object (or a press's empty
//! 200), and at most one message may go to Slack. On Slack's interactions path, a request
//! without Slack's signature changes nothing and sends nothing, and signed garbage is a 4xx.
//!
//! Input: six choice bytes, one fuzzed setting value up to a NUL byte, then the body. The
//! seeds in `corpus/pipeline/` are the fixtures behind `\x00\x00\x00\x00\x00\xff\x00`,
//! and presses (`press-*`) sent signed to the interactions path with the buttons on.

#![no_main]

use ecs_deploy_alerts::host::{HttpResponse, TransportFailure};
use ecs_deploy_alerts::memory::MemoryHost;
use ecs_deploy_alerts::settings::KEYS;
use ecs_deploy_alerts::signing::{self, SigningSecret};
use libfuzzer_sys::fuzz_target;

const METHODS: [&str; 4] = ["POST", "GET", "PUT", "OPTIONS"];
const INTERACTIONS: &str = "/slack/interactions";
const PATHS: [&str; 5] = ["/", "/health", "/health?x=1", "/events", INTERACTIONS];
const KEY: &str = "fuzz-key";
const SIGNING_SECRET: &str = "fuzz-signing-secret";

/// Configurations worth telling apart: delivery, dry run, Basic, open, broken, app mode, app
/// mode with the buttons on.
const PROFILES: [&[(&str, &str)]; 8] = [
    &[
        ("slack_webhook_url", "https://hooks.slack.com/services/T/B/X"),
        ("api_key", KEY),
        ("account_environments", "444455556666=production"),
    ],
    &[("dry_run", "true"), ("api_key", KEY)],
    &[
        ("slack_webhook_url", "http://127.0.0.1:9/hook"),
        ("basic_auth_username", "eb"),
        ("basic_auth_password", "pw"),
    ],
    &[("dry_run", "true"), ("allow_unauthenticated", "true")],
    &[("api_key", KEY)],
    &[],
    &[
        ("slack_bot_token", "xoxb-fuzz"),
        ("slack_channel", "C0FUZZ"),
        ("slack_routes", "staging=C0STAGING"),
        ("api_key", KEY),
    ],
    &[
        ("slack_bot_token", "xoxb-fuzz"),
        ("slack_channel", "C0FUZZ"),
        ("api_key", KEY),
        ("slack_signing_secret", SIGNING_SECRET),
        ("slack_approvers", "production=U0FUZZ;*=U0ANY"),
        ("aws_access_key_id", "AKIAFUZZFUZZFUZZFUZZ"),
        ("aws_secret_access_key", "fuzz/secret/access/key/0123456789"),
    ],
];

fn slack_answer(choice: u8) -> Result<HttpResponse, TransportFailure> {
    let (status, retry_after, body) = match choice % 12 {
        0 => (200, None, "ok"),
        1 => (429, Some("17"), ""),
        2 => (429, Some("Fri, 27 Nov 2026 00:02:00 GMT"), ""),
        3 => (410, None, "channel_is_archived"),
        4 => (503, Some("99999999999999999999"), ""),
        5 => (413, None, "<html>"),
        6 => return Err(TransportFailure::Timeout),
        7 => return Err(TransportFailure::Unreachable("connection_refused")),
        // The Web API's answers: taken, cut short, refused, rate limited in the body.
        8 => (200, None, r#"{"ok":true,"channel":"C0FUZZ","ts":"1.000001"}"#),
        9 => (200, None, r#"{"ok":true,"channel":"C0FUZZ","ts":"1.0"#),
        10 => (200, None, r#"{"ok":false,"error":"not_in_channel"}"#),
        _ => (200, Some("5"), r#"{"ok":false,"error":"ratelimited"}"#),
    };
    Ok(HttpResponse {
        status,
        retry_after: retry_after.map(str::to_owned),
        body: body.as_bytes().to_vec(),
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((choices, rest)) = data.split_first_chunk::<6>() else {
        return;
    };
    let [method, path, headers, profile, slack, key] = *choices;
    let (value, body) = match rest.iter().position(|&b| b == 0) {
        Some(end) => (&rest[..end], &rest[end + 1..]),
        None => (rest, &[][..]),
    };
    let value = String::from_utf8_lossy(value);
    let mut settings: Vec<(&str, &str)> = PROFILES[usize::from(profile) % PROFILES.len()].to_vec();
    if let Some(key) = KEYS.get(usize::from(key)) {
        settings.retain(|(k, _)| k != key);
        settings.push((key, &value));
    }
    let mut host = MemoryHost::new(&settings, body);
    host.slack = slack_answer(slack);
    host.web_api.push(("chat.postMessage", slack_answer(slack)));
    if headers & 0x80 != 0 {
        host.body = None;
    }
    let declared = body.len().to_string();
    let mut request_headers = vec![("content-type", "application/json")];
    if headers & 1 != 0 {
        request_headers.push(("x-api-key", KEY));
    }
    if headers & 2 != 0 {
        request_headers.push(("x-api-key", "other"));
    }
    if headers & 4 != 0 {
        request_headers.push(("authorization", "Basic ZWI6cHc="));
    }
    if headers & 8 != 0 {
        request_headers.push(("content-length", &declared));
    }
    if headers & 16 != 0 {
        request_headers.push(("content-length", "99999999999999999999"));
    }
    // Slack's headers: signed as Slack signs (32), at a stale time (64), or both.
    let signed_at = match headers & 0x60 {
        0x20 => Some(host.now),
        0x60 => Some(host.now - 301),
        _ => None,
    };
    let stamp = signed_at.unwrap_or(host.now).to_string();
    let signature = match signed_at {
        Some(at) => {
            let secret = SigningSecret::parse(SIGNING_SECRET).expect("a valid secret");
            signing::sign(&secret, at, body)
        }
        None => "v0=00".to_owned(),
    };
    if headers & 0x60 != 0 {
        request_headers.push(("x-slack-request-timestamp", &stamp));
        request_headers.push(("x-slack-signature", &signature));
    }
    let path = PATHS[usize::from(path) % PATHS.len()];
    let store = host.store.clone().expect("a store");
    let handled = host.handle(
        METHODS[usize::from(method) % METHODS.len()],
        path,
        &request_headers,
    );
    let status = handled.reply.status;
    assert!(
        matches!(
            status,
            200 | 202 | 400 | 401 | 404 | 405 | 413 | 424 | 429 | 500 | 502 | 503 | 504
        ),
        "undocumented status {status}"
    );
    if path == INTERACTIONS {
        // Slack's signature is the only way in: without it, nothing happens.
        if headers & 0x60 != 0x20 {
            assert!(matches!(status, 400..=499 | 500), "unsigned answered {status}");
            assert!(host.posts.is_empty(), "an unsigned request sent something");
            assert!(store.data().entries.is_empty(), "an unsigned request wrote");
        }
        // A press is answered with nothing; its outcome goes to Slack.
        if status == 200 {
            assert!(handled.reply.body.is_empty());
            return;
        }
    }
    let answer: serde_json::Value =
        serde_json::from_slice(&handled.reply.body).expect("every answer is JSON");
    assert!(answer.is_object());
    let log: serde_json::Value =
        serde_json::from_str(&handled.log.to_json()).expect("the log line is JSON");
    assert_eq!(log["status"], status);
    // One message per request: a fresh store holds no thread to reply in nor rewrite.
    assert!(host.posts.len() <= 1, "{} posts for one request", host.posts.len());
    for post in &host.posts {
        let payload: serde_json::Value =
            serde_json::from_slice(&post.payload).expect("Slack payloads are JSON");
        assert!(payload["text"].is_string());
    }
});
