//! The port: what the core needs from the host it runs in (configuration, the request body,
//! the key-value store, Slack and ECS, clocks and randomness) and the request and answer as the core
//! sees them. The Spin component implements [`Host`] with WASI; the tests, in memory. Every
//! module may use this one; it uses only leaves: Slack's URLs, the bot token and the error.

use std::time::Duration;

use crate::bot::BotToken;
use crate::endpoint::Endpoint;
use crate::error::Error;

/// The host's key-value store failed (it could not be opened, or an operation failed); what it
/// said is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreError;

/// The host's configuration store failed to answer; what it said is not kept (it may name
/// the provider's hosts or paths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigStoreError;

/// The key-value store, as the pipeline needs it (`wasi:keyvalue/store`).
pub trait KeyValue {
    /// The value of `key`, if any.
    fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Sets `key` to `value`.
    fn set(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    /// Deletes `key` (absent is fine).
    fn delete(&mut self, key: &str) -> Result<(), StoreError>;
    /// Every key in the store.
    fn keys(&mut self) -> Result<Vec<String>, StoreError>;
}

/// What the pipeline needs from the host it runs in: configuration, the request body, the
/// key-value store ([`KeyValue`]), Slack and ECS, clocks and randomness.
pub trait Host: KeyValue {
    /// Reads a configuration value (`wasi:config/store`).
    fn config(&mut self, key: &str) -> Result<Option<String>, ConfigStoreError>;
    /// Reads the request body, stopping after `up_to` bytes; `None` if the stream broke.
    fn read_body(&mut self, up_to: usize) -> Option<Vec<u8>>;
    /// POSTs `request` (to Slack or ECS) within `timeouts`, and reads as much of the answer's
    /// body as [`OutboundRequest::body_wanted`] says.
    fn post(
        &mut self,
        request: &OutboundRequest,
        timeouts: Timeouts,
    ) -> Result<HttpResponse, TransportFailure>;
    /// The wall-clock time in seconds since the Unix epoch.
    fn now(&mut self) -> u64;
    /// The time since the request arrived, by a monotonic clock.
    fn elapsed(&mut self) -> Duration;
    /// Waits for `duration`.
    fn sleep(&mut self, duration: Duration);
    /// A random number: a claim's token.
    fn random(&mut self) -> u64;
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

/// The largest request body accepted; EventBridge events are at most 256 KB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The request's body: refused (413) when its declared length, or what came, is over
/// [`MAX_BODY_BYTES`], before more is read than that; 500 `body_unreadable` when the stream
/// broke.
pub fn read_request_body(head: &RequestHead, host: &mut impl Host) -> Result<Vec<u8>, Error> {
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
    Ok(body)
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

/// Timeouts for an outbound request, set on the outgoing request so the host enforces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To establish the connection (TCP and TLS).
    pub connect: Duration,
    /// From sending the request to the first byte of the answer.
    pub first_byte: Duration,
    /// Between chunks of the answer body.
    pub between_bytes: Duration,
    /// The whole exchange: the phase timeouts bound each wait, not their sum (a host may not
    /// bound a TLS handshake at all), so the shell also holds the exchange to this.
    pub whole: Duration,
}

impl Timeouts {
    /// These timeouts, none longer than `left`.
    pub fn within(self, left: Duration) -> Self {
        Self {
            connect: self.connect.min(left),
            first_byte: self.first_byte.min(left),
            between_bytes: self.between_bytes.min(left),
            whole: self.whole.min(left),
        }
    }
}

/// Who an outbound request goes to: it decides the `Content-Type` and how much of the answer
/// is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// A Slack incoming webhook (or a `response_url`, which answers the same way).
    Webhook,
    /// Slack's Web API, as the app.
    WebApi,
    /// ECS's API (AWS JSON 1.1, signed).
    Ecs,
}

/// A POST out of the component: a message to a webhook, a Web API call as the app, or a
/// signed call to ECS.
#[derive(Debug, Clone)]
pub struct OutboundRequest<'a> {
    /// Where.
    pub url: &'a Endpoint,
    /// Who it goes to.
    pub to: Destination,
    /// Headers besides `Content-Type` and `Content-Length`: the Web API's bearer token, or
    /// ECS's target and signature. Secrets: never logged.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: &'a [u8],
}

/// The most of a Web API answer read: `chat.postMessage` echoes the message it posted.
pub const WEB_API_ANSWER_LIMIT: usize = 256 * 1024;
/// The most of a webhook's refusal read: its error codes are short.
pub const WEBHOOK_ERROR_LIMIT: usize = 256;
/// The most of an ECS answer read: its errors are a short JSON object.
pub const ECS_ANSWER_LIMIT: usize = 16 * 1024;

impl<'a> OutboundRequest<'a> {
    /// A message to the webhook `url`.
    pub fn webhook(url: &'a Endpoint, body: &'a [u8]) -> Self {
        Self {
            url,
            to: Destination::Webhook,
            headers: Vec::new(),
            body,
        }
    }

    /// A Web API call to `url` with the app's `token`.
    pub fn web_api(url: &'a Endpoint, token: &BotToken, body: &'a [u8]) -> Self {
        Self {
            url,
            to: Destination::WebApi,
            headers: vec![("authorization", token.bearer())],
            body,
        }
    }

    /// The `Content-Type`: the Web API wants the charset (else it warns `missing_charset`);
    /// webhooks are sent as they always were; ECS reads AWS JSON 1.1.
    pub fn content_type(&self) -> &'static str {
        match self.to {
            Destination::Webhook => "application/json",
            Destination::WebApi => "application/json; charset=utf-8",
            Destination::Ecs => "application/x-amz-json-1.1",
        }
    }

    /// How much of the answer's body to read, given its status: the Web API's and ECS's
    /// always (both answer errors in a JSON body), a webhook's only when it refused for good.
    pub fn body_wanted(&self, status: u16) -> usize {
        match self.to {
            Destination::WebApi => WEB_API_ANSWER_LIMIT,
            Destination::Ecs => ECS_ANSWER_LIMIT,
            Destination::Webhook if is_permanent_rejection(status) => WEBHOOK_ERROR_LIMIT,
            Destination::Webhook => 0,
        }
    }

    /// The value of the header `name` this request adds, if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Whether Slack refused a request for good: a 4xx that sending it again cannot fix.
/// 408 (timeout), 409 (conflict), 425 (too early) and 429 (rate limit) may pass on a retry.
pub fn is_permanent_rejection(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 408 | 409 | 425 | 429)
}

/// What Slack or ECS answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The start of the body, as much as [`OutboundRequest::body_wanted`]: a webhook's error code
    /// such as `channel_is_archived`, or the Web API's JSON answer.
    pub body: Vec<u8>,
}

/// Why no answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// A timeout passed.
    Timeout,
    /// The connection failed, or the host refused the request; the name says how
    /// (`dns_error`, `connection_refused`, `invalid_request`, ...).
    Unreachable(&'static str),
}
