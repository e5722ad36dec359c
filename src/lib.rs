//! ecs-deploy-alerts: Amazon ECS deployment events, delivered by EventBridge API destinations,
//! become the deployment's story in Slack: why it failed, the rollback and its outcome.
//!
//! Everything here but [`component`] is plain Rust that builds and tests natively. The
//! pipeline [`handle`] reaches the outside world only through the [`Host`] trait, which the
//! Spin component implements with WASI and the tests implement in memory. In reading order:
//! [`auth`], [`event`], [`classify`], [`state`], [`story`], [`slack`], [`delivery`].

pub mod auth;
pub mod aws;
pub mod classify;
#[cfg(all(target_arch = "wasm32", feature = "component"))]
mod component;
pub mod config;
pub mod console;
pub mod delivery;
pub mod environment;
pub mod error;
pub mod event;
pub mod json;
pub mod memory;
pub mod routing;
pub mod settings;
pub mod slack;
pub mod state;
pub mod story;
pub mod time;
pub mod webhook;

use crate::auth::AuthPolicy;
use crate::classify::Fact;
use crate::config::{AlertConfig, Config, Delivery};
use std::time::Duration;

use crate::delivery::{SlackResponse, Timeouts, TransportFailure};
use crate::error::Error;
use crate::settings::{ALERT_KEYS, API_KEY_KEYS, ConfigStoreError, OTHER_AUTH_KEYS, Settings};
use crate::state::{Claim, KeyValue, StoreError};
use crate::webhook::WebhookUrl;
use serde::Serialize;
use serde_json::value::RawValue;

/// The largest request body accepted; EventBridge events are at most 256 KB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The component's version, shown by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The most characters of a caller-supplied value (an event id, a `detail-type`) that an
/// answer or a log line repeats.
pub const MAX_ECHO_CHARS: usize = 256;

/// The key `/health` reads to see that the store answers; never written.
const HEALTH_PROBE_KEY: &str = "ecs-deploy-alerts/health";

/// The most characters of an error message in an answer.
const MAX_MESSAGE_CHARS: usize = 512;

/// What the pipeline needs from the host it runs in: configuration, the request body, the
/// key-value store ([`KeyValue`]), Slack and a clock.
pub trait Host: KeyValue {
    /// Reads a configuration value (`wasi:config/store`).
    fn config(&mut self, key: &str) -> Result<Option<String>, ConfigStoreError>;
    /// Reads the request body, stopping after `up_to` bytes; `None` if the stream broke.
    fn read_body(&mut self, up_to: usize) -> Option<Vec<u8>>;
    /// POSTs `payload` (JSON) to the webhook within `timeouts`.
    fn post(
        &mut self,
        webhook: &WebhookUrl,
        payload: &[u8],
        timeouts: Timeouts,
    ) -> Result<SlackResponse, TransportFailure>;
    /// The wall-clock time in seconds since the Unix epoch.
    fn now(&mut self) -> u64;
    /// The time since the request arrived, by a monotonic clock.
    fn elapsed(&mut self) -> Duration;
    /// Waits for `duration`.
    fn sleep(&mut self, duration: Duration);
    /// A random number: a claim's token.
    fn random(&mut self) -> u64;
}

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

/// The method, path and headers of the incoming request.
#[derive(Debug, Clone, Copy)]
pub struct RequestHead<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path, with or without the query.
    pub path: &'a str,
    /// Header names and values, as received.
    pub headers: &'a [(String, Vec<u8>)],
}

impl<'a> RequestHead<'a> {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.header_values(name).next()
    }

    /// Every value of a header, by case-insensitive name, in the order received.
    pub fn header_values(&self, name: &str) -> impl Iterator<Item = &'a [u8]> {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// The HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Headers, `content-type` included.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
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
    /// Slack's status, when Slack answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_status: Option<u16>,
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
fn to_json(value: &impl Serialize) -> String {
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
}

/// The housekeeping that waits until the answer has left: one ECS event in
/// [`state::PRUNE_EVERY`] prunes the store, so that no answer waits for it. A prune that fails
/// is only housekeeping: the next one tries again.
pub fn after_answer(host: &mut impl Host, handled: &Handled) {
    if handled.prune {
        let now = host.now();
        let _ = state::prune(host, now);
    }
}

/// How a request that got through ended.
enum Outcome {
    Delivered { slack_status: u16 },
    Duplicate,
    DryRun { payload: Box<RawValue> },
    Recorded,
    Ignored { why: String },
}

/// Handles one request: routing, authentication, parsing, rendering and delivery.
pub fn handle(head: &RequestHead, host: &mut impl Host) -> Handled {
    let path = head.path.split('?').next().unwrap_or_default();
    let is_health = matches!(path, "/health" | "/health/");
    let mut log = LogLine::default();
    let mut prune = false;
    let result = match (is_health, head.method) {
        (true, "GET") => return health(head, host),
        (true, _) => Err(Error::MethodNotAllowed { allow: "GET" }),
        (false, "POST") => process_event(head, host, &mut log, &mut prune),
        (false, _) => Err(Error::MethodNotAllowed { allow: "POST" }),
    };
    let reply = match result {
        Ok(outcome) => answer_outcome(outcome, &mut log),
        Err(error) => {
            log.outcome = error.code();
            error_reply(&error, log.event_id.as_deref())
        }
    };
    log.status = reply.status;
    Handled { reply, log, prune }
}

/// An event: who sent it, what it is, what to tell. Sets `prune` when the request is the one
/// in [`state::PRUNE_EVERY`] that prunes after its answer.
fn process_event(
    head: &RequestHead,
    host: &mut impl Host,
    log: &mut LogLine,
    prune: &mut bool,
) -> Result<Outcome, Error> {
    // Who may call first, from the authentication keys alone: a refused caller costs the
    // host no other lookups, and EventBridge's API key admits after two.
    let mut settings = Settings::default();
    settings.fetch(&API_KEY_KEYS, |key| host.config(key))?;
    if !AuthPolicy::admits_by_api_key(&settings, head) {
        settings.fetch(&OTHER_AUTH_KEYS, |key| host.config(key))?;
        AuthPolicy::parse(&settings)?.authenticate(head)?;
    }

    let declared_length = head
        .header("content-length")
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let too_large = Error::PayloadTooLarge {
        limit: MAX_BODY_BYTES,
    };
    if declared_length.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large);
    }
    let body = host
        .read_body(MAX_BODY_BYTES + 1)
        .ok_or(Error::BodyUnreadable)?;
    if body.len() > MAX_BODY_BYTES {
        return Err(too_large);
    }

    let event = event::parse_envelope(&body)?;
    log.event_id = Some(capped(&event.id, MAX_ECHO_CHARS));
    log.event_name = Some(capped(&event.detail_type, MAX_ECHO_CHARS));
    if let Some(Fact::Ignored { why, .. }) = classify::not_for_us(&event) {
        return Ok(Outcome::Ignored {
            why: why.into_owned(),
        });
    }
    // An ECS event: now the rest of the configuration, every key of it checked.
    settings.fetch(&ALERT_KEYS, |key| host.config(key))?;
    let config = AlertConfig::parse(&settings)?;
    let event_id = event.id.clone();
    let now = host.now();
    let fact = classify::classify(event, &config.environments, now)?;
    if let Some(name) = fact.event_name() {
        log.event_name = Some(capped(name, MAX_ECHO_CHARS));
    }
    *prune = !matches!(fact, Fact::Ignored { .. }) && state::prune_due(&event_id);
    match &fact {
        Fact::Ignored { why, .. } => {
            return Ok(Outcome::Ignored {
                why: why.to_string(),
            });
        }
        // Recorded whatever `notify` says, also in dry run: a failure alert reads it.
        Fact::StoppedTask(task) => {
            state::record_task(host, task, now).map_err(|StoreError| Error::StoreUnavailable)?;
            return Ok(Outcome::Recorded);
        }
        _ => {}
    }
    // The event's claim, before the story remembers anything again: a redelivery of an event
    // Slack already took stops here, and so does one that overlaps a delivery at work. A dry
    // run never claims nor marks.
    let mut store_failed = false;
    let claimed = match config.delivery {
        Delivery::DryRun => false,
        Delivery::Slack(_) if !story::may_post(&fact, config.notify) => false,
        Delivery::Slack(_) => match claim(host, &event_id, now) {
            Ok(Claim::Ours) => true,
            Ok(Claim::Delivered) => return Ok(Outcome::Duplicate),
            Ok(Claim::InFlight) => return Err(Error::InFlight),
            // Without a store, post anyway: a duplicate beats a lost alert.
            Err(StoreError) => {
                store_failed = true;
                false
            }
        },
    };
    let outcome = tell_and_deliver(host, &fact, &config, &event_id, now, log, &mut store_failed);
    // Whatever kept the event from Slack, a retry must be free to post it at once.
    if claimed && !matches!(outcome, Ok(Outcome::Delivered { .. })) {
        store_failed |= state::release_claim(host, &event_id).is_err();
    }
    log.store = store_failed.then_some("unavailable");
    outcome
}

/// How long a claim waits before it reads itself back: longer than the time between another
/// delivery's read and write of the same key, so that of two overlapping deliveries, the one
/// that wrote first sees the other's claim.
const CLAIM_SETTLE: Duration = Duration::from_millis(15);

/// Takes the event's claim: writes a token, waits [`CLAIM_SETTLE`], and reads it back.
fn claim(host: &mut impl Host, event_id: &str, now: u64) -> Result<Claim, StoreError> {
    // 63 bits, so that it stores as a non-negative i64.
    let token = (host.random() >> 1) as i64;
    if let Some(settled) = state::begin_claim(host, event_id, token, now)? {
        return Ok(settled);
    }
    host.sleep(CLAIM_SETTLE);
    state::confirm_claim(host, event_id, token, now)
}

/// Tells the story of `fact` and posts its message; notes in `store_failed` whether the
/// store failed on the way.
fn tell_and_deliver(
    host: &mut impl Host,
    fact: &Fact,
    config: &AlertConfig,
    event_id: &str,
    now: u64,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Outcome, Error> {
    let told = story::tell(fact, host, config.notify, now);
    *store_failed |= told.store_failed;
    let message = match told.message {
        Ok(message) => message,
        Err(why) => return Ok(Outcome::Ignored { why }),
    };
    let service = message.service();
    log.cluster.clone_from(&service.cluster);
    log.service = Some(service.name.clone());
    log.environment = Some(service.environment.to_owned());
    // Alerts page someone; notices and recoveries carry no mention.
    let mention = message
        .is_alert()
        .then(|| config.mentions.for_environment(service.environment))
        .flatten();
    let payload = slack::render(&message, mention);
    let outcome = match &config.delivery {
        // Our own JSON, so it always reads back.
        Delivery::DryRun => Outcome::DryRun {
            payload: RawValue::from_string(payload).unwrap_or_else(|_| RawValue::NULL.to_owned()),
        },
        Delivery::Slack(routes) => {
            let webhook = routes
                .webhook_for(service.environment)
                .ok_or_else(|| Error::NoWebhook(service.environment.to_owned()))?;
            // Slack gets what is left of the answer deadline, less the time to answer.
            let timeouts = delivery::slack_share(host.elapsed()).ok_or(Error::OutOfTime)?;
            let answer = host.post(webhook, payload.as_bytes(), timeouts);
            log.slack_status = answer.as_ref().ok().map(|r| r.status);
            let slack_status = delivery::outcome(answer, host.now())?;
            // Only once Slack took it: a retry after a failed post must still post.
            *store_failed |= state::mark_delivered(host, event_id, now).is_err();
            Outcome::Delivered { slack_status }
        }
    };
    Ok(outcome)
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
    slack_payload: Option<&'a RawValue>,
}

fn json_reply(status: u16, mut headers: Vec<(&'static str, String)>, body: String) -> Reply {
    headers.insert(0, ("content-type", "application/json".to_owned()));
    Reply {
        status,
        headers,
        body: body.into_bytes(),
    }
}

fn answer_outcome(outcome: Outcome, log: &mut LogLine) -> Reply {
    let event_id = log.event_id.as_deref();
    let (status, name, answer) = match &outcome {
        Outcome::Delivered { slack_status } => (
            200,
            "delivered",
            Answer {
                slack_status: Some(*slack_status),
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
    };
    let answer = Answer {
        outcome: Some(name),
        event_id,
        ..answer
    };
    let reply = json_reply(status, Vec::new(), to_json(&answer));
    log.outcome = name;
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

/// `GET /health`: 200 when alerts can be delivered, 503 when not (a readiness probe's
/// answer). A store fault makes it `degraded` but still ready: alerts still go out, without
/// their detail and duplicate suppression. Anyone sees the status and readiness; callers with
/// valid credentials also see the version, which settings are set (booleans only) and the
/// problems, if any.
fn health(head: &RequestHead, host: &mut impl Host) -> Handled {
    #[derive(Serialize)]
    struct HealthAnswer {
        status: &'static str,
        ready: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<&'static str>,
        /// Which settings are set (booleans only), in the order of the configuration table.
        #[serde(skip_serializing_if = "Option::is_none")]
        settings: Option<Flags>,
        #[serde(skip_serializing_if = "Option::is_none")]
        problem: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        store: Option<&'static str>,
        /// The environments with a webhook of their own (never a URL).
        #[serde(skip_serializing_if = "Option::is_none")]
        routes: Option<Vec<String>>,
    }
    /// Names and booleans, as one JSON object in their order.
    struct Flags(Vec<(&'static str, bool)>);
    impl Serialize for Flags {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|(name, set)| (name, set)))
        }
    }
    let mut answer = HealthAnswer {
        status: "ok",
        ready: true,
        version: None,
        settings: None,
        problem: None,
        store: None,
        routes: None,
    };
    // One read, never a write: enough to know the store answers.
    let store_failed = host.get(HEALTH_PROBE_KEY).is_err();
    let problem = match Settings::read(|key| host.config(key)) {
        Err(error) => Some(error),
        Ok(settings) => match Config::parse(&settings) {
            // Without a working policy nobody can authenticate: no details.
            Err(error) => Some(error),
            Ok(config) => {
                let problem = config.alerts.as_ref().err().cloned();
                if config.auth.authenticate(head).is_ok() {
                    answer.version = Some(VERSION);
                    answer.settings = Some(Flags(settings.presence().collect()));
                    answer.problem = problem.as_ref().map(Error::to_string);
                    if let Ok(AlertConfig {
                        delivery: Delivery::Slack(routes),
                        ..
                    }) = &config.alerts
                    {
                        answer.routes = Some(
                            routes
                                .environments()
                                .into_iter()
                                .map(str::to_owned)
                                .collect(),
                        );
                    }
                    answer.store = store_failed.then_some(
                        "the key-value store `default` is unavailable: alerts go out without \
                         their causes and without duplicate suppression",
                    );
                }
                problem
            }
        },
    };
    if problem.is_some() {
        answer.status = "misconfigured";
        answer.ready = false;
    } else if store_failed {
        answer.status = "degraded";
    }
    let body = to_json(&answer);
    let reply = json_reply(if answer.ready { 200 } else { 503 }, Vec::new(), body);
    let log = LogLine {
        outcome: "health",
        status: reply.status,
        store: store_failed.then_some("unavailable"),
        ..LogLine::default()
    };
    Handled {
        reply,
        log,
        prune: false,
    }
}
