//! Talking to Slack: the webhook URL, the time we allow it, and what its answer means for
//! EventBridge.

use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

use crate::error::{DEFAULT_RETRY_AFTER_SECS, Error};

/// EventBridge gives up on an API destination after 5 s; answer well before.
pub const ANSWER_DEADLINE: Duration = Duration::from_millis(4500);

/// Timeouts for the Slack request, set on the outgoing request so the host enforces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To establish the connection (TCP and TLS).
    pub connect: Duration,
    /// From sending the request to the first byte of the answer.
    pub first_byte: Duration,
    /// Between chunks of the answer body.
    pub between_bytes: Duration,
}

/// Each bounds one wait; the component also holds the whole exchange to their sum, 4 s,
/// leaving half a second of the [`ANSWER_DEADLINE`] for its own work.
pub const SLACK_TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_millis(1000),
    first_byte: Duration::from_millis(2500),
    between_bytes: Duration::from_millis(500),
};

impl Timeouts {
    /// The deadline for the whole exchange: the sum of the three.
    pub fn total(&self) -> Duration {
        self.connect + self.first_byte + self.between_bytes
    }
}

/// The longest `Retry-After` we pass on; EventBridge keeps retrying for 24 hours anyway.
const MAX_RETRY_AFTER_SECS: u32 = 3600;

/// A Slack incoming-webhook URL: `https`, or `http` to a loopback host (local testing).
///
/// The URL is a secret: `Debug` does not show it. Parsed by hand rather than with the `url`
/// crate: webhook URLs are plain ASCII, and the crate's IDNA tables would double the
/// component's size.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    https: bool,
    authority: String,
    path_and_query: String,
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookUrl(<redacted>)")
    }
}

impl WebhookUrl {
    /// Parses `scheme://host[:port][/path][?query]`; the error never quotes the URL.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the URL must be ASCII without spaces");
        }
        let (scheme, rest) = text.split_once("://").ok_or("not a valid absolute URL")?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err("the URL must use https (http only for loopback hosts)"),
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_and_query) = rest.split_at(split);
        if authority.contains('@') {
            return Err("the URL must not contain credentials");
        }
        let host = host_of(authority).ok_or("the URL has no valid host")?;
        if !https && !is_loopback(host) {
            return Err("the URL must use https (http only for loopback hosts)");
        }
        let path_and_query = match path_and_query {
            "" => "/".to_owned(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_owned(),
        };
        Ok(Self {
            https,
            authority: authority.to_ascii_lowercase(),
            path_and_query,
        })
    }

    /// Whether to use TLS.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// `host[:port]`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The path and query, such as `/services/T000/B000/XXXX`.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }
}

/// IPv6 literals are not webhook hosts; only the loopback one is accepted, for local tests.
const IPV6_LOOPBACK: &str = "[::1]";

/// The host of `host[:port]`, if both parts are well-formed.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = match authority.strip_prefix(IPV6_LOOPBACK) {
        Some("") => (IPV6_LOOPBACK, None),
        Some(after) => (IPV6_LOOPBACK, Some(after.strip_prefix(':')?)),
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    let host_ok = host == IPV6_LOOPBACK
        || (!host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    (port_ok && host_ok).then_some(host)
}

fn is_loopback(host: &str) -> bool {
    host == IPV6_LOOPBACK
        || host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// What Slack answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body, such as `ok` or `channel_is_archived`.
    pub body: Vec<u8>,
}

/// Why no answer came from Slack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// A timeout of [`SLACK_TIMEOUTS`] passed.
    Timeout,
    /// The connection failed; the name says how (`dns_error`, `connection_refused`, ...).
    Unreachable(&'static str),
}

/// The delivery's result: Slack's status on success, else the error that tells EventBridge
/// whether to retry.
pub fn outcome(answer: Result<SlackResponse, TransportFailure>) -> Result<u16, Error> {
    let response = match answer {
        Ok(response) => response,
        Err(TransportFailure::Timeout) => return Err(Error::SlackTimeout),
        Err(TransportFailure::Unreachable(how)) => return Err(Error::SlackUnreachable(how)),
    };
    match response.status {
        200..=299 => Ok(response.status),
        429 => Err(Error::SlackRateLimited {
            retry_after_secs: retry_after_secs(response.retry_after.as_deref()),
        }),
        400 | 403 | 404 | 410 => Err(Error::SlackRejected {
            status: response.status,
            code: error_code(&response.body),
        }),
        status => Err(Error::SlackFailed { status }),
    }
}

/// Slack's `Retry-After` seconds, bounded; the default when absent or not a number.
fn retry_after_secs(header: Option<&str>) -> u32 {
    header
        .and_then(|value| value.trim().parse::<u32>().ok())
        .map_or(DEFAULT_RETRY_AFTER_SECS, |secs| {
            secs.clamp(1, MAX_RETRY_AFTER_SECS)
        })
}

/// Slack's error code from the body (`channel_is_archived`), or `unknown` for anything that
/// does not look like one, so that no stray text reaches our answers.
fn error_code(body: &[u8]) -> String {
    let text = std::str::from_utf8(body).unwrap_or_default().trim();
    let looks_like_code = (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if looks_like_code { text } else { "unknown" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEBHOOK: &str = "https://hooks.slack.com/services/T000/B000/XXXX";

    #[test]
    fn timeouts_fit_the_deadline_with_room_to_spare() {
        let worst =
            SLACK_TIMEOUTS.connect + SLACK_TIMEOUTS.first_byte + SLACK_TIMEOUTS.between_bytes;
        assert!(
            worst + Duration::from_millis(400) <= ANSWER_DEADLINE,
            "{worst:?}"
        );
    }

    #[test]
    fn webhook_urls() {
        let url = WebhookUrl::parse(WEBHOOK).unwrap();
        assert!(url.is_https());
        assert_eq!(url.authority(), "hooks.slack.com");
        assert_eq!(url.path_and_query(), "/services/T000/B000/XXXX");
        assert_eq!(format!("{url:?}"), "WebhookUrl(<redacted>)");

        let local = WebhookUrl::parse("http://127.0.0.1:8080/hook?x=1").unwrap();
        assert!(!local.is_https());
        assert_eq!(local.authority(), "127.0.0.1:8080");
        assert_eq!(local.path_and_query(), "/hook?x=1");
        assert!(WebhookUrl::parse("http://[::1]:9/h").is_ok());
        assert!(WebhookUrl::parse("http://localhost/h").is_ok());

        let bare = WebhookUrl::parse("HTTPS://Hooks.Slack.com:8443?x#frag").unwrap();
        assert_eq!(bare.authority(), "hooks.slack.com:8443");
        assert_eq!(bare.path_and_query(), "/?x");

        for bad in [
            "",
            "hooks.slack.com/services/x",
            "http://hooks.slack.com/services/x",
            "ftp://hooks.slack.com/x",
            "https://user:pw@hooks.slack.com/x",
            "https://hooks.slack.com@evil.com/x",
            "http://127.0.0.1.evil.com/x",
            "https:///services/x",
            "https://hooks.slack.com:99999/x",
            "https://hooks.slack.com:/x",
            "https://[::1/x",
            "https://[2001:db8::1]/x",
            "http://[::1]x/hook",
            "https://hooks slack.com/x",
            "https://hooks.slack.com/\u{e9}",
            "https://hooks_slack.com/x",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
    }

    fn answer(status: u16, retry_after: Option<&str>, body: &str) -> Result<u16, Error> {
        outcome(Ok(SlackResponse {
            status,
            retry_after: retry_after.map(str::to_owned),
            body: body.as_bytes().to_vec(),
        }))
    }

    #[test]
    fn slack_answers_map_to_retry_semantics() {
        assert_eq!(answer(200, None, "ok"), Ok(200));
        assert_eq!(
            answer(429, Some("12"), ""),
            Err(Error::SlackRateLimited {
                retry_after_secs: 12
            })
        );
        assert_eq!(
            answer(429, None, ""),
            Err(Error::SlackRateLimited {
                retry_after_secs: 30
            })
        );
        assert_eq!(
            answer(429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), ""),
            Err(Error::SlackRateLimited {
                retry_after_secs: 30
            })
        );
        assert_eq!(
            answer(429, Some("999999"), ""),
            Err(Error::SlackRateLimited {
                retry_after_secs: 3600
            })
        );
        for (status, body, code) in [
            (400, "invalid_payload", "invalid_payload"),
            (403, "action_prohibited", "action_prohibited"),
            (404, "no_service", "no_service"),
            (410, "channel_is_archived\n", "channel_is_archived"),
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
        assert_eq!(
            answer(500, None, ""),
            Err(Error::SlackFailed { status: 500 })
        );
        assert_eq!(
            answer(503, None, ""),
            Err(Error::SlackFailed { status: 503 })
        );
        assert_eq!(
            answer(302, None, ""),
            Err(Error::SlackFailed { status: 302 })
        );
        assert_eq!(
            outcome(Err(TransportFailure::Timeout)),
            Err(Error::SlackTimeout)
        );
        assert_eq!(
            outcome(Err(TransportFailure::Unreachable("connection_refused"))),
            Err(Error::SlackUnreachable("connection_refused"))
        );
    }
}
