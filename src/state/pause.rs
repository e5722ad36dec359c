//! Pauses that may be ended from Slack: what a pause button's opaque id stands for (the hook,
//! its service deployment, the environment, the waiting event to draw its message again), kept
//! as long as the pause may wait; and how a person ended a pause, so that the hook event the
//! press causes tells nothing twice.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{KeyValue, StoreError, keys, read, read_dated, write, write_until};
use crate::remembered::Decision;

/// What a pause button's opaque id stands for. The press's own payload is never trusted for
/// any of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pause {
    /// The hook's id (`ContinueServiceDeployment`'s `hookId`).
    pub hook_id: String,
    /// The service deployment's ARN.
    pub service_deployment: String,
    /// The environment, whose approvers may press.
    pub environment: String,
    /// The deployment whose thread tells the story (the ARN too, or an `ecs-svc/` id).
    pub thread: Option<String>,
    /// The waiting event, to draw the pause's message again once it ended.
    pub event: Box<RawValue>,
}

/// Keeps `pause` under its buttons' `id` until `until` (the pause's expiry, by the host's
/// clock; at least the usual retention, as a record).
pub fn keep(
    kv: &mut impl KeyValue,
    id: &str,
    pause: &Pause,
    now: u64,
    until: Option<u64>,
) -> Result<(), StoreError> {
    write_until(kv, &keys::pause(id), pause, now, until)
}

/// The pause `id` stands for, unless it is unknown, ended or expired: past its expiry, no
/// press can end it, and none calls ECS.
pub fn find(kv: &mut impl KeyValue, id: &str, now: u64) -> Result<Option<Pause>, StoreError> {
    Ok(read_dated(kv, &keys::pause(id), now)?
        .filter(|kept| kept.until.is_none_or(|expiry| now <= expiry))
        .map(|kept| kept.value))
}

/// Forgets the pause `id`: it ended, and its buttons now say so.
pub fn forget(kv: &mut impl KeyValue, id: &str) -> Result<(), StoreError> {
    kv.delete(&keys::pause(id))
}

/// Remembers that a person ended the pause `hook_id` from Slack.
pub fn remember_decision(
    kv: &mut impl KeyValue,
    hook_id: &str,
    decision: &Decision,
    now: u64,
) -> Result<(), StoreError> {
    write(kv, &keys::decided(hook_id), decision, now)
}

/// How a person ended the pause `hook_id` from Slack, if one did.
pub fn decision(
    kv: &mut impl KeyValue,
    hook_id: &str,
    now: u64,
) -> Result<Option<Decision>, StoreError> {
    read(kv, &keys::decided(hook_id), now)
}

#[cfg(test)]
mod tests {
    use super::super::RETENTION_SECS;
    use super::super::tests::{NOW, Store};
    use super::*;
    use crate::bot::UserId;
    use crate::ecs_api::HookAction;

    #[test]
    fn a_pause_lives_as_long_as_it_may_wait_and_goes_once_ended() {
        let mut kv = Store::default();
        let pause = Pause {
            hook_id: "hook-1".into(),
            service_deployment: "arn:aws:ecs:us-west-2:1:service-deployment/c/s/x".into(),
            environment: "production".into(),
            thread: None,
            event: RawValue::from_string("{}".into()).unwrap(),
        };
        let week = 7 * 24 * 3600;
        keep(&mut kv, "id1", &pause, NOW, Some(NOW + week)).unwrap();
        let found = find(&mut kv, "id1", NOW + week).unwrap().unwrap();
        assert_eq!(found.hook_id, "hook-1");
        assert!(find(&mut kv, "id1", NOW + week + 1).unwrap().is_none());
        assert!(find(&mut kv, "other", NOW).unwrap().is_none());
        // A pause of an hour has expired after it, though its record is kept longer.
        keep(&mut kv, "id2", &pause, NOW, Some(NOW + 3600)).unwrap();
        assert!(find(&mut kv, "id2", NOW + 3600).unwrap().is_some());
        assert!(find(&mut kv, "id2", NOW + 3601).unwrap().is_none());
        forget(&mut kv, "id1").unwrap();
        assert!(find(&mut kv, "id1", NOW).unwrap().is_none());

        let chosen = Decision {
            action: HookAction::Continue,
            by: UserId::parse("U0123").unwrap(),
            at: NOW,
        };
        remember_decision(&mut kv, "hook-1", &chosen, NOW).unwrap();
        assert_eq!(decision(&mut kv, "hook-1", NOW).unwrap(), Some(chosen));
        assert!(
            decision(&mut kv, "hook-1", NOW + RETENTION_SECS + 1)
                .unwrap()
                .is_none()
        );
    }
}
