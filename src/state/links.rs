//! What links a story's events when only their service and their own times do: a service's
//! recent failures (for the rollback notice that follows one) and a rollback notice still
//! waiting for its failure, in one record per service; and when each deployment completed (for
//! a notice whose outcome came first). EventBridge promises no order, so each side looks for
//! the other, and a link holds only within [`WINDOW_SECS`] of the events' own times:
//! yesterday's failure never captures today's rollback.

use serde::{Deserialize, Serialize};

use super::{KeyValue, StoreError, keys, read, write};
use crate::remembered::Rollback;

/// The story window: events that only their service links belong to one story when their own
/// times are at most this far apart.
pub const WINDOW_SECS: u64 = 3600;
/// How much earlier than the event it follows ECS may date an event of the same moment.
const SKEW_SECS: u64 = 60;
/// The failures kept for a service: a failed rollback's event may come before its notice, so
/// the failure it rolls back must not be pushed out by it.
const MAX_FAILURES: usize = 4;

/// Whether an event at `later` can follow one at `earlier` in one story.
fn follows(earlier: u64, later: u64) -> bool {
    later + SKEW_SECS >= earlier && later.saturating_sub(earlier) <= WINDOW_SECS
}

/// A failed deployment, when it failed, and whether a rollback named it already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Failure {
    deployment: String,
    at: u64,
    /// A rollback named it: no later rollback may, even when its event comes again.
    named: bool,
}

/// What links a service's events by time alone: one read, one write per event that needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLinks {
    /// Its last few failures, the earliest first.
    failures: Vec<Failure>,
    /// A rollback whose notice came before its failure.
    waiting: Option<Rollback>,
}

impl ServiceLinks {
    /// Reads `service`'s links (none kept: empty).
    pub fn read(kv: &mut impl KeyValue, service: &str, now: u64) -> Result<Self, StoreError> {
        Ok(read(kv, &keys::links(service), now)?.unwrap_or_default())
    }

    /// Keeps them.
    pub fn write(&self, kv: &mut impl KeyValue, service: &str, now: u64) -> Result<(), StoreError> {
        write(kv, &keys::links(service), self, now)
    }

    /// Adds the failure of `deployment` at `at`, unless it is kept already (a retried event).
    pub fn add_failure(&mut self, deployment: &str, at: u64) {
        if self.failures.iter().any(|f| f.deployment == deployment) {
            return;
        }
        self.failures.push(Failure {
            deployment: deployment.to_owned(),
            at,
            named: false,
        });
        self.failures.sort_by_key(|failure| failure.at);
        let excess = self.failures.len().saturating_sub(MAX_FAILURES);
        self.failures.drain(..excess);
    }

    /// Marks the failure of `deployment` (at `at`, if not kept yet) named by a rollback.
    pub fn name(&mut self, deployment: &str, at: u64) {
        self.add_failure(deployment, at);
        for failure in &mut self.failures {
            failure.named |= failure.deployment == deployment;
        }
    }

    /// The failure a rollback that started at `at` follows: the latest that it can follow and
    /// no rollback named yet, other than the deployments in `not`.
    pub fn failure_before(&self, at: u64, not: &[&str]) -> Option<String> {
        self.failures
            .iter()
            .rev()
            .find(|f| !f.named && follows(f.at, at) && !not.contains(&f.deployment.as_str()))
            .map(|failure| failure.deployment.clone())
    }

    /// Whether `deployment` failed at or after `since`, within the window: a rollback whose
    /// failure came before its notice.
    pub fn failed_since(&self, deployment: &str, since: u64) -> bool {
        self.failures
            .iter()
            .any(|failure| failure.deployment == deployment && follows(since, failure.at))
    }

    /// Keeps `rollback` waiting for its failure, which will find it.
    pub fn wait(&mut self, rollback: &Rollback) {
        self.waiting = Some(rollback.clone());
    }

    /// The rollback still waiting for a failure of another deployment at `at`, if it can
    /// follow it; it waits no more.
    pub fn take_waiting(&mut self, deployment: &str, at: u64) -> Option<Rollback> {
        let follows_it = self.waiting.as_ref().is_some_and(|rollback| {
            rollback.deployment.as_deref() != Some(deployment)
                && rollback.at.is_some_and(|started| follows(at, started))
        });
        if follows_it {
            self.waiting.take()
        } else {
            None
        }
    }
}

/// Remembers that `deployment` completed at `at`: one small record, for a rollback notice that
/// comes after its outcome.
pub fn remember_completion(
    kv: &mut impl KeyValue,
    deployment: &str,
    at: u64,
    now: u64,
) -> Result<(), StoreError> {
    write(kv, &keys::completed(deployment), &at, now)
}

/// Whether `deployment` completed at or after `since`, within the window.
pub fn completed_since(
    kv: &mut impl KeyValue,
    deployment: &str,
    since: u64,
    now: u64,
) -> Result<bool, StoreError> {
    Ok(completed_at(kv, deployment, now)?.is_some_and(|at| follows(since, at)))
}

/// When `deployment` completed, by its event's own time, if that is remembered.
pub fn completed_at(
    kv: &mut impl KeyValue,
    deployment: &str,
    now: u64,
) -> Result<Option<u64>, StoreError> {
    read::<u64>(kv, &keys::completed(deployment), now)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, Store};
    use super::*;

    const SERVICE: &str = "111122223333/us-east-1/prod/checkout";
    const T: u64 = 1_795_000_000;

    #[test]
    fn a_rollback_follows_only_a_failure_of_its_window() {
        let mut links = ServiceLinks::default();
        links.add_failure("ecs-svc/yesterday", T - 86_400);
        // Yesterday's failure is not today's rollback's.
        assert_eq!(links.failure_before(T, &[]), None);
        links.add_failure("ecs-svc/1", T - 3);
        links.add_failure("ecs-svc/rollback", T + 400);
        // The rollback's own failure came first: it is not the failure it rolls back, but it
        // says how the rollback ended.
        let not = ["ecs-svc/rollback", "ecs-svc/stable"];
        assert_eq!(links.failure_before(T, &not).as_deref(), Some("ecs-svc/1"));
        assert!(links.failed_since("ecs-svc/rollback", T));
        assert!(!links.failed_since("ecs-svc/yesterday", T));
        // Named by a rollback: never again, even when its event comes again.
        links.name("ecs-svc/1", T - 3);
        links.add_failure("ecs-svc/1", T - 3);
        assert_eq!(links.failure_before(T, &not), None);
        // A service keeps its last few failures, the latest.
        for n in 0..10 {
            links.add_failure(&format!("ecs-svc/9{n}"), T + n);
        }
        assert_eq!(
            links.failure_before(T + 20, &[]).as_deref(),
            Some("ecs-svc/99")
        );
        assert!(!links.failed_since("ecs-svc/90", T));
        // Kept as one record.
        let mut kv = Store::default();
        links.write(&mut kv, SERVICE, NOW).unwrap();
        assert_eq!(ServiceLinks::read(&mut kv, SERVICE, NOW).unwrap(), links);
        assert_eq!(kv.map.len(), 1);
    }

    #[test]
    fn an_early_notice_waits_for_its_failure_and_an_early_outcome_for_its_notice() {
        let rollback = Rollback {
            deployment: Some("ecs-svc/2".into()),
            target: Some("ecs-svc/0".into()),
            failed: None,
            at: Some(T),
        };
        let mut links = ServiceLinks::default();
        links.wait(&rollback);
        // A failure an hour and more before it, after it, or its own, is not the one.
        assert_eq!(links.take_waiting("ecs-svc/1", T - 4000), None);
        assert_eq!(links.take_waiting("ecs-svc/1", T + 600), None);
        assert_eq!(links.take_waiting("ecs-svc/2", T - 3), None);
        assert_eq!(links.take_waiting("ecs-svc/1", T - 3), Some(rollback));
        // Found: it waits no more.
        assert_eq!(links.take_waiting("ecs-svc/1", T - 3), None);

        let mut kv = Store::default();
        remember_completion(&mut kv, "ecs-svc/2", T + 300, NOW).unwrap();
        assert!(completed_since(&mut kv, "ecs-svc/2", T, NOW).unwrap());
        // A completion before the rollback started is an earlier story's end.
        assert!(!completed_since(&mut kv, "ecs-svc/2", T + 1000, NOW).unwrap());
        assert!(!completed_since(&mut kv, "ecs-svc/2", T - 4000, NOW).unwrap());
        assert!(!completed_since(&mut kv, "ecs-svc/3", T, NOW).unwrap());
    }
}
