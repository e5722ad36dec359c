//! Slack's Web API as app mode calls it (`chat.postMessage`, `chat.update`), and what each
//! answer means for EventBridge. Unlike a webhook, the Web API answers most errors with HTTP
//! 200 and `{"ok": false, "error": CODE}`: the body decides, not the status.

use serde::Deserialize;

use crate::delivery::{is_error_code, retry_after_secs, transport_error};
use crate::error::{DEFAULT_RETRY_AFTER_SECS, Error};
use crate::host::{HttpResponse, TransportFailure, is_permanent_rejection};

/// Posts a message, or a reply with `thread_ts`.
pub const POST_MESSAGE: &str = "chat.postMessage";
/// Rewrites a message the app posted.
pub const UPDATE: &str = "chat.update";

/// Errors no retry can fix (the token, the scopes, the channel, the message): the event goes
/// to the dead-letter queue, for a re-drive once they are fixed.
const REJECTED: [&str; 14] = [
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "missing_scope",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_blocks",
    "msg_too_long",
    "restricted_action",
    "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel",
];

/// Refusals of a reply for its thread (locked, not a message one can reply to, a channel
/// without threads): the message can still go to the channel on its own.
const REFUSED_REPLIES: [&str; 3] = [
    "cannot_reply_to_message",
    "restricted_action_thread_locked",
    "restricted_action_non_threadable_channel",
];

/// `chat.update`'s refusals to edit a message: deleted, not the app's, or too old.
const REFUSED_EDITS: [&str; 3] = [
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
];

/// A message Slack took: where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// The channel's ID.
    pub channel: String,
    /// The message's `ts`.
    pub ts: String,
}

/// Why a call did not land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Slack will not edit the message (`message_not_found`, `cant_update_message`,
    /// `edit_window_closed`): a reply can say it instead.
    EditRefused(String),
    /// Slack will not take a reply in this thread ([`REFUSED_REPLIES`]): the channel can.
    ReplyRefused(String),
    /// Anything else: the error that answers the event.
    Failed(Error),
}

impl Failure {
    /// The error that answers the event whose own message the call was: there, a refused edit
    /// means only what Slack said, and a refused reply that the channel refused it too.
    pub fn into_error(self) -> Error {
        match self {
            Failure::Failed(error) => error,
            Failure::EditRefused(code) => failed(200, Some(code), None),
            Failure::ReplyRefused(code) => Error::SlackRejected { status: 200, code },
        }
    }
}

/// The fields of an answer that we read; the echoed message is skipped.
#[derive(Deserialize)]
struct Answer {
    ok: bool,
    error: Option<String>,
    channel: Option<String>,
    ts: Option<String>,
}

/// What Slack's answer to a Web API call means. `now` (Unix seconds) reads a `Retry-After`
/// given as a date.
pub fn answer(
    response: Result<HttpResponse, TransportFailure>,
    now: u64,
) -> Result<Posted, Failure> {
    let fail = |error| Err(Failure::Failed(error));
    let response = match response {
        Ok(response) => response,
        Err(failure) => return fail(transport_error(failure)),
    };
    let retry_after = retry_after_secs(response.retry_after.as_deref(), now);
    let answer = serde_json::from_slice::<Answer>(&response.body)
        .ok()
        .or_else(|| head_of(&response.body));
    let code = answer
        .as_ref()
        .and_then(|answer| answer.error.as_deref())
        .filter(|code| is_error_code(code))
        .map(str::to_owned);
    let rate_limited = Error::SlackRateLimited {
        retry_after_secs: retry_after.unwrap_or(DEFAULT_RETRY_AFTER_SECS),
    };
    match (response.status, answer) {
        (429, _) => fail(rate_limited),
        (200, Some(answer)) if answer.ok => match (answer.channel, answer.ts) {
            (Some(channel), Some(ts)) if is_id(&channel) && is_ts(&ts) => {
                Ok(Posted { channel, ts })
            }
            // Taken, but without saying where: nothing can reply to it. A retry may post it
            // twice; it is Slack's answer that broke its contract.
            _ => fail(failed(200, Some("no_ts".into()), None)),
        },
        (200, Some(_)) => match code.as_deref() {
            Some("ratelimited" | "rate_limited") => fail(rate_limited),
            Some(code) if REFUSED_EDITS.contains(&code) => Err(Failure::EditRefused(code.into())),
            Some(code) if REFUSED_REPLIES.contains(&code) => {
                Err(Failure::ReplyRefused(code.into()))
            }
            Some(code) if REJECTED.contains(&code) => fail(Error::SlackRejected {
                status: 200,
                code: code.into(),
            }),
            _ => fail(failed(200, code.or_else(|| Some("unknown".into())), None)),
        },
        (status, _) if is_permanent_rejection(status) => fail(Error::SlackRejected {
            status,
            code: code.unwrap_or_else(|| "unknown".into()),
        }),
        // A 200 that is not the Web API's JSON, a 5xx, or another status a retry may pass.
        (status, _) => fail(failed(status, code, retry_after)),
    }
}

/// An answer cut short (by the deadline, or the read limit) inside the message it echoes:
/// Slack writes `ok`, `channel` and `ts` first, and they are what a post needs. Without this, a
/// post Slack took would answer 502 and its retry post it again.
fn head_of(body: &[u8]) -> Option<Answer> {
    const ECHO: &[u8] = br#","message":"#;
    let at = body.windows(ECHO.len()).position(|window| window == ECHO)?;
    let mut head = body[..at].to_vec();
    head.push(b'}');
    serde_json::from_slice(&head).ok()
}

fn failed(status: u16, code: Option<String>, retry_after_secs: Option<u32>) -> Error {
    Error::SlackFailed {
        code,
        status,
        retry_after_secs,
    }
}

/// A Slack ID as answers carry them: upper-case letters and digits.
fn is_id(text: &str) -> bool {
    (2..=32).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A message `ts`: seconds, a dot, and a sequence number (`1503435956.000247`).
fn is_ts(text: &str) -> bool {
    text.len() <= 32
        && text.split_once('.').is_some_and(|(seconds, sequence)| {
            [seconds, sequence]
                .iter()
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-27T00:00:00Z.
    const NOW: u64 = 1_795_737_600;

    fn call(status: u16, retry_after: Option<&str>, body: &str) -> Result<Posted, Failure> {
        answer(
            Ok(HttpResponse {
                status,
                retry_after: retry_after.map(str::to_owned),
                body: body.as_bytes().to_vec(),
            }),
            NOW,
        )
    }

    fn error(code: &str) -> Result<Posted, Failure> {
        call(200, None, &format!(r#"{{"ok":false,"error":"{code}"}}"#))
    }

    #[test]
    fn ok_answers_say_where_the_message_is() {
        let posted = call(
            200,
            None,
            r#"{"ok":true,"channel":"C0ALERTS","ts":"1503435956.000247","message":{"text":"x"},"warning":"superfluous_charset"}"#,
        );
        assert_eq!(
            posted,
            Ok(Posted {
                channel: "C0ALERTS".into(),
                ts: "1503435956.000247".into()
            })
        );
        // Cut short inside the echoed message: where it is was said before.
        let cut = r#"{"ok":true,"channel":"C0ALERTS","ts":"1.000002","message":{"text":"ab"#;
        assert_eq!(call(200, None, cut).unwrap().ts, "1.000002");
        // Cut before it said where: not Slack's answer as far as we can tell.
        assert_eq!(
            call(200, None, r#"{"ok":true,"channel":"C0ALERTS","#),
            Err(Failure::Failed(failed(200, None, None)))
        );
        for bad in [
            r#"{"ok":true}"#,
            r#"{"ok":true,"channel":"C0ALERTS","ts":"<!here>"}"#,
            r##"{"ok":true,"channel":"#alerts","ts":"1.2"}"##,
        ] {
            assert_eq!(
                call(200, None, bad),
                Err(Failure::Failed(failed(200, Some("no_ts".into()), None))),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_error_maps_to_the_status_that_retries_when_it_can_help() {
        for code in REJECTED {
            let Err(Failure::Failed(error)) = error(code) else {
                panic!("{code}")
            };
            assert_eq!(
                (error.status(), error.code()),
                (424, "slack_rejected"),
                "{code}"
            );
            assert!(error.to_string().contains(code), "{error}");
        }
        for code in ["internal_error", "fatal_error", "something_new"] {
            let Err(Failure::Failed(error)) = error(code) else {
                panic!("{code}")
            };
            assert_eq!(
                (error.status(), error.code()),
                (502, "slack_failed"),
                "{code}"
            );
            assert!(error.to_string().contains(code), "{error}");
        }
        for code in REFUSED_EDITS {
            assert_eq!(error(code), Err(Failure::EditRefused(code.into())));
        }
        for code in REFUSED_REPLIES {
            assert_eq!(error(code), Err(Failure::ReplyRefused(code.into())));
        }
        let limited = |secs| {
            Err(Failure::Failed(Error::SlackRateLimited {
                retry_after_secs: secs,
            }))
        };
        assert_eq!(error("ratelimited"), limited(30));
        assert_eq!(
            call(429, Some("7"), r#"{"ok":false,"error":"ratelimited"}"#),
            limited(7)
        );
        assert_eq!(call(429, Some("12"), ""), limited(12));
        assert_eq!(
            call(503, Some("5"), "<html>busy</html>"),
            Err(Failure::Failed(failed(503, None, Some(5))))
        );
        // A 404 from a wrong `slack_api_url` cannot pass on a retry.
        assert_eq!(
            call(404, None, "<html>no such method</html>"),
            Err(Failure::Failed(Error::SlackRejected {
                status: 404,
                code: "unknown".into()
            }))
        );
        // An error code that is not one is not repeated.
        assert_eq!(
            error("xoxb-SECRET <!here>"),
            Err(Failure::Failed(failed(200, Some("unknown".into()), None)))
        );
        assert_eq!(
            answer(Err(TransportFailure::Timeout), NOW),
            Err(Failure::Failed(Error::SlackTimeout))
        );
    }
}
