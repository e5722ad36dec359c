//! ecs-deploy-alerts: Amazon ECS deployment events, delivered by EventBridge API destinations,
//! become the deployment's story in Slack: why it failed, the rollback and its outcome.
//!
//! Everything here but `component` is plain Rust that builds and tests natively, and reaches
//! the outside world only through the [`host::Host`] port, which the Spin component implements
//! with WASI and the tests implement in memory. The modules, in the order a request meets them:

/// The answers, the log line, and the one error type that owns every status.
pub mod answer;
/// App mode: a deployment's story as one Slack thread.
pub mod app;
/// Who may continue or roll back a paused deployment from Slack.
pub mod approvers;
/// Who may call: API key or Basic authentication.
pub mod auth;
/// Event → one fact, and what it derives: ARNs, environments, console links, times.
pub mod aws;
pub mod bot;
pub mod classify;
/// The Spin/WASI shell: the only module that touches spin-sdk and WASI.
#[cfg(all(target_arch = "wasm32", feature = "component"))]
mod component;
/// The configuration keys, their raw values, and their one parse.
pub mod config;
pub mod console;
/// Slack's share of the answer deadline, and what a webhook's answer means.
pub mod delivery;
/// Calls to ECS's API: SigV4, AWS JSON 1.1, its errors.
pub mod ecs_api;
pub mod endpoint;
pub mod environment;
pub mod error;
/// The EventBridge envelope and ECS details (serde).
pub mod event;
/// `GET /health`.
pub mod health;
/// The port: the host as the core sees it, and the request and answer.
pub mod host;
/// `POST /slack/interactions`: the buttons' presses, signed by Slack.
pub mod interactions;
pub mod logs;
/// An in-memory host for tests, benchmarks and the fuzzer.
#[cfg(feature = "memory")]
pub mod memory;
/// `handle`: the pipeline, step by step.
pub mod pipeline;
/// A press of one of our buttons: which, by whom, on which message.
pub mod press;
/// The story's vocabulary: stopped tasks, causes, rollbacks, where a story stands.
pub mod remembered;
pub mod routing;
pub mod settings;
/// Slack's request signing: is a press Slack's own, and fresh?
pub mod signing;
pub mod slack;
/// The key-value state: keys, records, claims, pruning.
pub mod state;
/// The story: what to tell, from the fact and what the store remembers.
pub mod story;
pub mod time;
/// Slack's Web API: the calls app mode makes and what their answers mean.
pub mod web_api;

pub use answer::{Handled, LogLine};
pub use host::MAX_BODY_BYTES;
pub use pipeline::{after_answer, handle};
