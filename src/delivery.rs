//! Talking to Slack: the time we allow it, and what its answer means for EventBridge.

use std::time::Duration;

use crate::error::{DEFAULT_RETRY_AFTER_SECS, Error};
use crate::host::{HttpResponse, Timeouts, TransportFailure, is_permanent_rejection};
use crate::time;

/// EventBridge gives up on an API destination after 5 s; answer well before.
pub const ANSWER_DEADLINE: Duration = Duration::from_millis(4500);

/// Slack's timeouts when the whole answer deadline is still ahead: 4 s for the exchange,
/// leaving half a second of the [`ANSWER_DEADLINE`] for our own work. Each event's share is
/// [`Timeouts::within`] what is left of it.
pub const SLACK_TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_millis(1000),
    first_byte: Duration::from_millis(2500),
    between_bytes: Duration::from_millis(500),
    whole: Duration::from_millis(4000),
};

/// What an answer needs after Slack's: marking the event delivered, the answer itself.
pub const AFTER_SLACK: Duration = Duration::from_millis(400);

/// Less time than this left for Slack, and the event is not posted at all: a post that is
/// cut off may still reach the channel, and its retry would post it again.
pub const MIN_SLACK_TIME: Duration = Duration::from_millis(500);

// The whole exchange ends with the time for our own work left.
const _: () = assert!(
    SLACK_TIMEOUTS.whole.as_millis() + AFTER_SLACK.as_millis() <= ANSWER_DEADLINE.as_millis()
);

/// The time Slack may take for this event, `elapsed` after the handler started, so that the
/// answer leaves within [`ANSWER_DEADLINE`]; `None` when too little is left to post at all.
pub fn slack_share(elapsed: Duration) -> Option<Timeouts> {
    share_within(ANSWER_DEADLINE, elapsed)
}

/// The time a call may take, `elapsed` after the handler started, so that the work is done by
/// `deadline`; `None` when too little is left to call at all.
pub fn share_within(deadline: Duration, elapsed: Duration) -> Option<Timeouts> {
    let left = deadline.saturating_sub(elapsed).saturating_sub(AFTER_SLACK);
    (left >= MIN_SLACK_TIME).then(|| SLACK_TIMEOUTS.within(left))
}

/// The longest `Retry-After` we pass on; EventBridge keeps retrying for 24 hours anyway.
const MAX_RETRY_AFTER_SECS: u32 = 3600;

/// The delivery's result: Slack's status on success, else the error that tells EventBridge
/// whether to retry. `now` (Unix seconds) reads a `Retry-After` given as a date.
pub fn outcome(answer: Result<HttpResponse, TransportFailure>, now: u64) -> Result<u16, Error> {
    let response = answer.map_err(transport_error)?;
    let retry_after = || retry_after_secs(response.retry_after.as_deref(), now);
    match response.status {
        200..=299 => Ok(response.status),
        429 => Err(Error::SlackRateLimited {
            retry_after_secs: retry_after().unwrap_or(DEFAULT_RETRY_AFTER_SECS),
        }),
        status if is_permanent_rejection(status) => Err(Error::SlackRejected {
            status,
            code: error_code(&response.body),
        }),
        status => Err(Error::SlackFailed {
            code: None,
            status,
            retry_after_secs: retry_after(),
        }),
    }
}

/// The error for a request that got no answer.
pub fn transport_error(failure: TransportFailure) -> Error {
    match failure {
        TransportFailure::Timeout => Error::SlackTimeout,
        TransportFailure::Unreachable(how) => Error::SlackUnreachable(how),
    }
}

/// Slack's `Retry-After` (RFC 9110: delay-seconds or an HTTP-date) in seconds from `now`,
/// within 1 s and [`MAX_RETRY_AFTER_SECS`]; `None` when absent or unreadable.
pub fn retry_after_secs(header: Option<&str>, now: u64) -> Option<u32> {
    let value = header?.trim();
    let secs = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still a number: past the cap.
        value.parse::<u64>().unwrap_or(u64::MAX)
    } else {
        time::http_date(value)?.saturating_sub(now)
    };
    Some(secs.clamp(1, u64::from(MAX_RETRY_AFTER_SECS)) as u32)
}

/// Slack's error code from the body (`channel_is_archived`), or `unknown` for anything that
/// does not look like one, so that no stray text reaches our answers.
fn error_code(body: &[u8]) -> String {
    let text = std::str::from_utf8(body).unwrap_or_default().trim();
    if is_error_code(text) { text } else { "unknown" }.to_owned()
}

/// Whether `text` looks like one of Slack's error codes: short, lower-case words and `_`.
pub fn is_error_code(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-27T00:00:00Z.
    const NOW: u64 = 1_795_737_600;

    fn answer(status: u16, retry_after: Option<&str>, body: &str) -> Result<u16, Error> {
        outcome(
            Ok(HttpResponse {
                status,
                retry_after: retry_after.map(str::to_owned),
                body: body.as_bytes().to_vec(),
            }),
            NOW,
        )
    }

    fn rate_limited(secs: u32) -> Result<u16, Error> {
        Err(Error::SlackRateLimited {
            retry_after_secs: secs,
        })
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_within_the_cap() {
        assert_eq!(answer(429, Some("12"), ""), rate_limited(12));
        assert_eq!(answer(429, None, ""), rate_limited(30));
        assert_eq!(answer(429, Some("soon"), ""), rate_limited(30));
        assert_eq!(answer(429, Some("-5"), ""), rate_limited(30));
        assert_eq!(answer(429, Some("0"), ""), rate_limited(1));
        assert_eq!(answer(429, Some("999999"), ""), rate_limited(3600));
        assert_eq!(answer(429, Some("4294967296"), ""), rate_limited(3600));
        assert_eq!(answer(429, Some(&"9".repeat(40)), ""), rate_limited(3600));
        // 2026-11-27T00:02:00Z is 120 s after NOW; a date in the past means now.
        assert_eq!(
            answer(429, Some("Fri, 27 Nov 2026 00:02:00 GMT"), ""),
            rate_limited(120)
        );
        assert_eq!(
            answer(429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), ""),
            rate_limited(1)
        );
        assert_eq!(
            answer(429, Some("Fri, 27 Nov 2026 12:00:00 GMT"), ""),
            rate_limited(3600)
        );
    }

    #[test]
    fn server_errors_pass_retry_after_on() {
        assert_eq!(
            answer(503, Some("7"), ""),
            Err(Error::SlackFailed {
                code: None,
                status: 503,
                retry_after_secs: Some(7)
            })
        );
        assert_eq!(
            answer(500, Some("Fri, 27 Nov 2026 00:00:45 GMT"), ""),
            Err(Error::SlackFailed {
                code: None,
                status: 500,
                retry_after_secs: Some(45)
            })
        );
        assert_eq!(
            answer(500, None, ""),
            Err(Error::SlackFailed {
                code: None,
                status: 500,
                retry_after_secs: None
            })
        );
    }

    #[test]
    fn slack_answers_map_to_retry_semantics() {
        assert_eq!(answer(200, None, "ok"), Ok(200));
        for (status, body, code) in [
            (400, "invalid_payload", "invalid_payload"),
            (403, "action_prohibited", "action_prohibited"),
            (404, "no_service", "no_service"),
            (410, "channel_is_archived\n", "channel_is_archived"),
            (413, "", "unknown"),
            (401, "invalid_token", "invalid_token"),
            (451, "", "unknown"),
            (
                404,
                "<html>Not found https://hooks.slack.com/services/T/B/SECRET</html>",
                "unknown",
            ),
        ] {
            assert_eq!(
                answer(status, None, body),
                Err(Error::SlackRejected {
                    status,
                    code: code.into()
                })
            );
        }
        // Retrying can help these: they stay retryable (502).
        for status in [408, 409, 425, 500, 503, 302] {
            assert_eq!(
                answer(status, None, ""),
                Err(Error::SlackFailed {
                    code: None,
                    status,
                    retry_after_secs: None
                }),
                "{status}"
            );
        }
        assert_eq!(
            outcome(Err(TransportFailure::Timeout), NOW),
            Err(Error::SlackTimeout)
        );
        assert_eq!(
            outcome(
                Err(TransportFailure::Unreachable("connection_refused")),
                NOW
            ),
            Err(Error::SlackUnreachable("connection_refused"))
        );
    }
}
