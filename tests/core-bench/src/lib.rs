//! The pure core's alert path (parse → classify → story, against an empty in-memory store →
//! Slack JSON bytes), timed in batches. The same code runs natively and, built for
//! `wasm32-wasip2`, inside wasmtime, so the two compare.

use std::hint::black_box;
use std::time::Instant;

use ecs_deploy_alerts::classify::classify;
use ecs_deploy_alerts::environment::EnvironmentResolver;
use ecs_deploy_alerts::event::parse_envelope;
use ecs_deploy_alerts::logs::LogGroups;
use ecs_deploy_alerts::memory::{MemoryHost, START_OF_TIME};
use ecs_deploy_alerts::routing::Mentions;
use ecs_deploy_alerts::slack;
use ecs_deploy_alerts::story::decide;
use ecs_deploy_alerts::story::notify::Notify;

/// A realistic failure event (long ARN, `clusterArn`, production names).
pub const FAILURE_EVENT: &[u8] =
    include_bytes!("../../../fixtures/ecs-deployment-failed-production.json");

/// The production mention of the fixture settings (`fixtures/expected/config.json`).
pub const MENTIONS: &str = "production=<!here>";

/// One failure event to Slack payload bytes: the work every alert does (the store, empty
/// here, is the host's cost and is measured under Spin instead).
pub fn alert_payload(
    body: &[u8],
    environments: &EnvironmentResolver,
    mentions: &Mentions,
) -> String {
    let event = parse_envelope(body).expect("the fixture parses");
    let fact = classify(event, environments, START_OF_TIME).expect("the fixture is valid");
    let mut store = MemoryHost::new(&[], "");
    let decision = decide(&fact, &mut store, Notify::default(), START_OF_TIME);
    let message = decision.message.expect("the fixture is an alert");
    let mention = mentions.for_environment(message.service().environment);
    let log_groups = LogGroups::default();
    let look = slack::Look::new(mention, &log_groups);
    slack::render(&message, &look, &slack::Address::default())
        .get()
        .to_owned()
}

/// Median and 99th percentile of nanoseconds per operation over `batches` batches of
/// `per_batch` operations (batching keeps the clock's own cost out of the figure).
pub fn measure(batches: usize, per_batch: usize) -> (f64, f64) {
    let environments = EnvironmentResolver::default();
    let mentions = Mentions::parse(MENTIONS).expect("the mentions parse");
    for _ in 0..per_batch {
        black_box(alert_payload(
            black_box(FAILURE_EVENT),
            &environments,
            &mentions,
        ));
    }
    let mut per_op: Vec<f64> = (0..batches)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..per_batch {
                black_box(alert_payload(
                    black_box(FAILURE_EVENT),
                    &environments,
                    &mentions,
                ));
            }
            started.elapsed().as_nanos() as f64 / per_batch as f64
        })
        .collect();
    per_op.sort_by(f64::total_cmp);
    let at = |q: f64| per_op[((per_op.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mentions_are_the_fixture_settings() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../../../fixtures/expected/config.json")).unwrap();
        assert_eq!(config["mentions"], MENTIONS);
    }

    #[test]
    fn the_timed_work_produces_the_reviewed_payload() {
        let mentions = Mentions::parse(MENTIONS).unwrap();
        let payload = alert_payload(FAILURE_EVENT, &EnvironmentResolver::default(), &mentions);
        let expected: serde_json::Value = serde_json::from_str(include_str!(
            "../../../fixtures/expected/ecs-deployment-failed-production.json"
        ))
        .unwrap();
        let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(payload, expected["slack"]);
    }
}
