//! The one error type of the pipeline: it alone decides the HTTP status, and so whether
//! EventBridge retries the event.

use std::borrow::Cow;

use thiserror::Error;

/// Seconds to ask EventBridge to wait when another delivery of the event is in flight: a
/// post takes well under a second, and its claim lasts at most
/// [`crate::state::claim::STALE_SECS`].
pub const IN_FLIGHT_RETRY_AFTER_SECS: u32 = 1;

/// Seconds to ask EventBridge to wait when Slack rate-limits us without saying how long.
pub const DEFAULT_RETRY_AFTER_SECS: u32 = 30;

/// Everything that stops an event from becoming a delivered Slack alert.
///
/// Messages name the offending field or configuration key, never a secret's value.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The caller sent no credentials, or wrong ones.
    #[error("missing or invalid credentials")]
    Unauthorized {
        /// Whether Basic authentication is configured, so the answer carries its challenge.
        basic_challenge: bool,
    },
    /// Nothing is served on this path: the interactions path, while `slack_signing_secret`
    /// is unset.
    #[error("not found")]
    NotFound,
    /// The method is not served on this path.
    #[error("method not allowed; use {allow}")]
    MethodNotAllowed {
        /// The value of the `Allow` header.
        allow: &'static str,
    },
    /// The request body exceeds the limit.
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The host failed to deliver the request body; a retry may get it whole.
    #[error("the request body could not be read")]
    BodyUnreadable,
    /// The request body is not JSON, or is cut short.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The request body is JSON but not an object.
    #[error("the event must be a JSON object")]
    NotAnObject,
    /// A required field is absent or null.
    #[error("missing field `{0}`")]
    MissingField(Cow<'static, str>),
    /// A field is present with the wrong type or an unusable value.
    #[error("invalid field `{path}`: {reason}")]
    InvalidField {
        /// Path of the field, like `detail.eventName` or `resources[0]`.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A required configuration key is unset or empty.
    #[error("configuration `{0}` is not set")]
    ConfigMissing(&'static str),
    /// Neither `slack_routes` nor a default (`slack_webhook_url`, `slack_channel`) gives a
    /// route for an environment.
    #[error(
        "no route for environment `{0}`: add it to `slack_routes`, or set `slack_webhook_url` \
         or `slack_channel`"
    )]
    NoRoute(String),
    /// A configuration value cannot be used.
    #[error("configuration `{key}` is invalid: {reason}")]
    ConfigInvalid {
        /// The configuration key.
        key: &'static str,
        /// What is wrong with it (never the value itself).
        reason: String,
    },
    /// The host's configuration store failed to answer.
    #[error("configuration `{0}` could not be read from the host")]
    ConfigUnavailable(&'static str),
    /// Neither credentials nor `allow_unauthenticated` are configured.
    #[error(
        "no caller authentication is configured: set `api_key`, or `basic_auth_username` and \
         `basic_auth_password`, or `allow_unauthenticated` to true"
    )]
    AuthNotConfigured,
    /// Slack refused the message for good (bad payload, revoked webhook, archived channel, or
    /// another 4xx that a retry cannot fix).
    #[error("slack rejected the alert with {status} {code}")]
    SlackRejected {
        /// Slack's HTTP status.
        status: u16,
        /// Slack's error code, such as `channel_is_archived`.
        code: String,
    },
    /// Slack asked us to slow down.
    #[error("slack is rate limiting us; retry after {retry_after_secs} s")]
    SlackRateLimited {
        /// Seconds Slack asked us to wait.
        retry_after_secs: u32,
    },
    /// Slack answered with a server error or another status that a retry may get past.
    #[error("slack answered {status}{}", with_code(.code.as_deref()))]
    SlackFailed {
        /// The Web API's error code, such as `internal_error`.
        code: Option<String>,
        /// Slack's HTTP status.
        status: u16,
        /// Seconds Slack asked us to wait, if it said.
        retry_after_secs: Option<u32>,
    },
    /// Slack could not be reached (DNS, connection, TLS).
    #[error("slack could not be reached: {0}")]
    SlackUnreachable(&'static str),
    /// Slack did not answer within the request's timeouts.
    #[error("slack did not answer in time")]
    SlackTimeout,
    /// Another delivery of the same event holds its claim and is posting it now.
    #[error(
        "another delivery of this event is in flight; retry after {IN_FLIGHT_RETRY_AFTER_SECS} s"
    )]
    InFlight,
    /// So much of the answer deadline went before the post (configuration, the store) that
    /// Slack would not have had the time to answer; nothing was posted.
    #[error("too little time was left to post to slack before the answer deadline")]
    OutOfTime,
    /// The event's message posted, but the rewrite of its thread's parent failed in a way a
    /// retry may get past: the retry draws the parent again (and posts nothing twice).
    #[error("the message posted, but its thread's parent was not rewritten: {0}")]
    ParentUpdateFailed(Box<Error>),
    /// The key-value store failed while recording an event whose only purpose is to be
    /// recorded (a stopped task).
    #[error("the key-value store is unavailable; the event was not recorded")]
    StoreUnavailable,
}

impl Error {
    /// The HTTP status of the answer. EventBridge retries 401, 407, 409, 429 and 5xx, and sends
    /// anything else to the rule's dead-letter queue, so each status is chosen for that.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized { .. } => 401,
            Self::NotFound => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::PayloadTooLarge { .. } => 413,
            Self::InvalidJson(_)
            | Self::NotAnObject
            | Self::MissingField(_)
            | Self::InvalidField { .. } => 400,
            // Slack will never take this message: retrying cannot help, the DLQ keeps it.
            Self::SlackRejected { .. } => 424,
            // EventBridge retries 409: by then the other delivery has posted, or failed.
            Self::InFlight => 409,
            Self::SlackRateLimited { .. } => 429,
            Self::ConfigInvalid { .. } | Self::BodyUnreadable => 500,
            Self::SlackFailed { .. } => 502,
            // Misconfiguration is fixable: keep EventBridge retrying so nothing is lost meanwhile.
            Self::ConfigMissing(_)
            | Self::NoRoute(_)
            | Self::ConfigUnavailable(_)
            | Self::AuthNotConfigured
            | Self::SlackUnreachable(_)
            | Self::OutOfTime
            | Self::StoreUnavailable => 503,
            Self::SlackTimeout => 504,
            // As the failed call would answer: it is that call the retry must get past.
            Self::ParentUpdateFailed(call) => call.status(),
        }
    }

    /// The `Retry-After` seconds to send, if any.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::SlackRateLimited { retry_after_secs } => Some(*retry_after_secs),
            Self::InFlight => Some(IN_FLIGHT_RETRY_AFTER_SECS),
            Self::SlackFailed {
                retry_after_secs, ..
            } => *retry_after_secs,
            Self::ParentUpdateFailed(call) => call.retry_after(),
            _ => None,
        }
    }

    /// A stable, machine-readable name for the `error` field of the answer.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "unauthorized",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::BodyUnreadable => "body_unreadable",
            Self::InvalidJson(_) => "invalid_json",
            Self::NotAnObject => "not_an_object",
            Self::MissingField(_) => "missing_field",
            Self::InvalidField { .. } => "invalid_field",
            // Both say a setting is missing; the message names which.
            Self::ConfigMissing(_) | Self::NoRoute(_) => "config_missing",
            Self::ConfigInvalid { .. } => "config_invalid",
            Self::ConfigUnavailable(_) => "config_unavailable",
            Self::AuthNotConfigured => "auth_not_configured",
            Self::SlackRejected { .. } => "slack_rejected",
            Self::SlackRateLimited { .. } => "slack_rate_limited",
            Self::SlackFailed { .. } => "slack_failed",
            Self::SlackUnreachable(_) => "slack_unreachable",
            Self::SlackTimeout => "slack_timeout",
            Self::StoreUnavailable => "store_unavailable",
            Self::InFlight => "in_flight",
            Self::OutOfTime => "out_of_time",
            Self::ParentUpdateFailed(_) => "parent_update_failed",
        }
    }

    /// Extra headers the answer needs: `Allow`, `WWW-Authenticate`, `Retry-After`.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::MethodNotAllowed { allow } => vec![("allow", (*allow).to_owned())],
            Self::Unauthorized {
                basic_challenge: true,
            } => vec![(
                "www-authenticate",
                r#"Basic realm="ecs-deploy-alerts", charset="UTF-8""#.to_owned(),
            )],
            _ => self
                .retry_after()
                .map(|secs| vec![("retry-after", secs.to_string())])
                .unwrap_or_default(),
        }
    }
}

/// ` CODE` after a status, when Slack gave one.
fn with_code(code: Option<&str>) -> String {
    code.map(|code| format!(" {code}")).unwrap_or_default()
}

/// Whether EventBridge API destinations retry an answer with this status.
pub fn eventbridge_retries(status: u16) -> bool {
    matches!(status, 401 | 407 | 409 | 429 | 500..=599)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant with the status, Retry-After and retry behaviour docs/statuses.md documents.
    #[test]
    fn status_table() {
        let rejected = Error::SlackRejected {
            status: 410,
            code: "channel_is_archived".into(),
        };
        let table: Vec<(Error, u16, Option<u32>, bool)> = vec![
            (
                Error::Unauthorized {
                    basic_challenge: false,
                },
                401,
                None,
                true,
            ),
            (Error::NotFound, 404, None, false),
            (Error::MethodNotAllowed { allow: "POST" }, 405, None, false),
            (Error::PayloadTooLarge { limit: 1 }, 413, None, false),
            (Error::BodyUnreadable, 500, None, true),
            (Error::InvalidJson("eof".into()), 400, None, false),
            (Error::NotAnObject, 400, None, false),
            (Error::MissingField("detail".into()), 400, None, false),
            (
                Error::InvalidField {
                    path: "account".into(),
                    reason: "x".into(),
                },
                400,
                None,
                false,
            ),
            (Error::ConfigMissing("slack_webhook_url"), 503, None, true),
            (Error::NoRoute("staging".into()), 503, None, true),
            (
                Error::ConfigInvalid {
                    key: "dry_run",
                    reason: "x".into(),
                },
                500,
                None,
                true,
            ),
            (Error::ConfigUnavailable("api_key"), 503, None, true),
            (Error::AuthNotConfigured, 503, None, true),
            (rejected, 424, None, false),
            (Error::InFlight, 409, Some(1), true),
            (Error::OutOfTime, 503, None, true),
            (
                Error::SlackRateLimited {
                    retry_after_secs: 7,
                },
                429,
                Some(7),
                true,
            ),
            (
                Error::SlackFailed {
                    code: None,
                    status: 500,
                    retry_after_secs: None,
                },
                502,
                None,
                true,
            ),
            (
                Error::SlackFailed {
                    code: None,
                    status: 503,
                    retry_after_secs: Some(9),
                },
                502,
                Some(9),
                true,
            ),
            (
                Error::SlackUnreachable("connection_refused"),
                503,
                None,
                true,
            ),
            (Error::SlackTimeout, 504, None, true),
            (Error::StoreUnavailable, 503, None, true),
            (
                Error::ParentUpdateFailed(Box::new(Error::SlackRateLimited {
                    retry_after_secs: 4,
                })),
                429,
                Some(4),
                true,
            ),
            (
                Error::ParentUpdateFailed(Box::new(Error::SlackTimeout)),
                504,
                None,
                true,
            ),
        ];
        for (error, status, retry_after, retried) in table {
            assert_eq!(error.status(), status, "{error:?}");
            assert_eq!(error.retry_after(), retry_after, "{error:?}");
            assert_eq!(eventbridge_retries(error.status()), retried, "{error:?}");
        }
    }

    #[test]
    fn headers_carry_allow_challenge_and_retry_after() {
        assert_eq!(
            Error::MethodNotAllowed { allow: "GET" }.headers(),
            vec![("allow", "GET".to_owned())]
        );
        let challenge = Error::Unauthorized {
            basic_challenge: true,
        }
        .headers();
        assert_eq!(challenge[0].0, "www-authenticate");
        assert!(challenge[0].1.starts_with("Basic realm="));
        assert!(
            Error::Unauthorized {
                basic_challenge: false
            }
            .headers()
            .is_empty()
        );
        assert_eq!(
            Error::SlackRateLimited {
                retry_after_secs: 30
            }
            .headers(),
            vec![("retry-after", "30".to_owned())]
        );
    }

    #[test]
    fn codes_are_unique() {
        let errors = [
            Error::Unauthorized {
                basic_challenge: false,
            },
            Error::MethodNotAllowed { allow: "POST" },
            Error::PayloadTooLarge { limit: 1 },
            Error::BodyUnreadable,
            Error::InvalidJson(String::new()),
            Error::NotAnObject,
            Error::MissingField("id".into()),
            Error::InvalidField {
                path: String::new(),
                reason: String::new(),
            },
            Error::ConfigMissing("k"),
            Error::ConfigInvalid {
                key: "k",
                reason: String::new(),
            },
            Error::ConfigUnavailable("k"),
            Error::AuthNotConfigured,
            Error::InFlight,
            Error::OutOfTime,
            Error::SlackRejected {
                status: 400,
                code: String::new(),
            },
            Error::SlackRateLimited {
                retry_after_secs: 1,
            },
            Error::SlackFailed {
                code: None,
                status: 500,
                retry_after_secs: None,
            },
            Error::SlackUnreachable("dns_error"),
            Error::SlackTimeout,
            Error::StoreUnavailable,
            Error::ParentUpdateFailed(Box::new(Error::SlackTimeout)),
        ];
        let mut codes: Vec<_> = errors.iter().map(Error::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }
}
