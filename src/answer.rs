//! What every request answers and logs: the JSON answer for each outcome and error, and the
//! one log line.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::error::Error;
use crate::host::Reply;
use crate::press::Press;

/// The most characters of a caller-supplied value (an event id, a `detail-type`) that an
/// answer or a log line repeats.
pub const MAX_ECHO_CHARS: usize = 256;

/// The most characters of an error message in an answer.
const MAX_MESSAGE_CHARS: usize = 512;

/// `text` cut to `max` characters, with `…` where it was cut.
pub fn capped(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((end, _)) if text[end..].chars().nth(1).is_some() => {
            let mut cut = text[..end].to_owned();
            cut.push('…');
            cut
        }
        _ => text.to_owned(),
    }
}

/// The one log line written per request: identifiers and outcome, never a secret.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogLine {
    /// The EventBridge event id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// `detail.eventName` once read, else the event's `detail-type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    /// The ECS cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The ECS service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The derived environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// `delivered`, `duplicate`, `dry_run`, `recorded`, `ignored`, `health` or the error code.
    pub outcome: &'static str,
    /// `unavailable` when the key-value store failed and the message went out without what
    /// it would have recalled (or without being remembered as delivered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<&'static str>,
    /// Our answer's status.
    pub status: u16,
    /// Slack's status, when Slack answered (the event's own message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_status: Option<u16>,
    /// App mode: where the message went (`parent`, `reply` or `standalone`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<&'static str>,
    /// App mode: what became of a rewrite of the thread's parent (`updated`, `replied`, or
    /// `failed`), when one was tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_update: Option<&'static str>,
    /// A press of one of our buttons: what became of it (`acknowledged`, `continued`,
    /// `rollback_requested`, `refused`, `pause_over`, `in_flight`, `ecs_refused`, `ecs_failed`,
    /// `story_gone`, `failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub press: Option<&'static str>,
    /// Who pressed (a Slack user ID): who approved is worth an audit trail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// ECS's error code (its `__type`), when it refused a press's call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecs_error: Option<String>,
    /// Time spent in microseconds, filled in by the shell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_us: Option<u64>,
    /// The Slack payload of a dry run, as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_payload: Option<Box<RawValue>>,
}

impl LogLine {
    /// The line as JSON.
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// `value` as JSON; our own types always serialize.
pub fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The answer and what to log about it.
#[derive(Debug)]
pub struct Handled {
    /// The HTTP answer.
    pub reply: Reply,
    /// The log line.
    pub log: LogLine,
    /// Whether [`after_answer`] prunes the store.
    pub prune: bool,
    /// A press of one of our buttons, which [`after_answer`] acts on.
    pub press: Option<Box<Press>>,
}

/// How a request that got through ended.
pub enum Outcome {
    /// Slack accepted the message, with this status; in app mode, where it went in its
    /// thread.
    Delivered {
        slack_status: u16,
        thread: Option<&'static str>,
    },
    /// Slack already has this event's message.
    Duplicate,
    /// The message, built and not sent.
    DryRun { payload: Box<RawValue> },
    /// A stopped task, kept for the failure it may explain.
    Recorded,
    /// Nothing to tell, and why.
    Ignored { why: String },
    /// What another event tells (a service action restating a deployment's failure), and
    /// which.
    Covered { why: &'static str },
}

/// The JSON body of every answer.
#[derive(Default, Serialize)]
struct Answer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slack_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thread: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slack_payload: Option<&'a RawValue>,
}

pub fn json_reply(status: u16, mut headers: Vec<(&'static str, String)>, body: String) -> Reply {
    headers.insert(0, ("content-type", "application/json".to_owned()));
    Reply {
        status,
        headers,
        body: body.into_bytes(),
    }
}

pub fn answer_outcome(outcome: Outcome, log: &mut LogLine) -> Reply {
    let event_id = log.event_id.as_deref();
    let (status, name, answer) = match &outcome {
        Outcome::Delivered {
            slack_status,
            thread,
        } => (
            200,
            "delivered",
            Answer {
                slack_status: Some(*slack_status),
                thread: *thread,
                ..Answer::default()
            },
        ),
        Outcome::Duplicate => (
            200,
            "duplicate",
            Answer {
                message: Some("slack already has this event's message".to_owned()),
                ..Answer::default()
            },
        ),
        Outcome::Recorded => (202, "recorded", Answer::default()),
        Outcome::DryRun { payload } => (
            200,
            "dry_run",
            Answer {
                slack_payload: Some(payload),
                ..Answer::default()
            },
        ),
        Outcome::Ignored { why } => (
            202,
            "ignored",
            Answer {
                message: Some(why.clone()),
                ..Answer::default()
            },
        ),
        Outcome::Covered { why } => (
            202,
            "covered",
            Answer {
                message: Some((*why).to_owned()),
                ..Answer::default()
            },
        ),
    };
    let answer = Answer {
        outcome: Some(name),
        event_id,
        ..answer
    };
    let reply = json_reply(status, Vec::new(), to_json(&answer));
    log.outcome = name;
    log.thread = answer.thread;
    if let Outcome::DryRun { payload } = outcome {
        log.slack_payload = Some(payload);
    }
    reply
}

/// The answer for an error: its status and headers, and a JSON body naming it.
pub fn error_reply(error: &Error, event_id: Option<&str>) -> Reply {
    let answer = Answer {
        error: Some(error.code()),
        message: Some(capped(&error.to_string(), MAX_MESSAGE_CHARS)),
        event_id,
        ..Answer::default()
    };
    json_reply(error.status(), error.headers(), to_json(&answer))
}
