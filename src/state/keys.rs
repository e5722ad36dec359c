//! The key scheme: every key this component writes, namespaced by kind, with the parts that
//! come from the caller kept short and plain.

use std::borrow::Cow;

/// The prefix of every key this component writes: a store (a Redis database) may be shared
/// with other applications, whose keys pruning must never touch.
pub const NAMESPACE: &str = "ecs-deploy-alerts/";
/// A stopped task: `task:DEPLOYMENT:TASK`.
pub const TASK: &str = "ecs-deploy-alerts/task:";
/// An event's claim, then its delivered mark.
const SENT: &str = "ecs-deploy-alerts/sent:";
/// What links a service's events by time alone: its recent failures, a rollback waiting for
/// its failure.
const LINKS: &str = "ecs-deploy-alerts/links:";
/// When a deployment completed.
const COMPLETED: &str = "ecs-deploy-alerts/completed:";
/// A rollback, under its own deployment and the one it rolls back to.
const ROLLBACK: &str = "ecs-deploy-alerts/rollback:";
/// A deployment's Slack thread (app mode), or a link to the thread of the deployment its
/// story belongs to.
const THREAD: &str = "ecs-deploy-alerts/thread:";
/// The claim of the delivery that starts a service's thread.
const PARENT: &str = "ecs-deploy-alerts/parent:";
/// The deployment whose thread a service's story is told in, until its outcome.
const SERVICE_THREAD: &str = "ecs-deploy-alerts/service-thread:";
/// How a pause hook ended, by its id.
const HOOK: &str = "ecs-deploy-alerts/hook:";
/// A pause that may be ended from Slack, by its buttons' opaque id.
const PAUSE: &str = "ecs-deploy-alerts/pause:";
/// The claim of the press that calls ECS for a pause.
const PRESS: &str = "ecs-deploy-alerts/press:";
/// How a person ended a pause from Slack, by the hook's id.
const DECIDED: &str = "ecs-deploy-alerts/decided:";
/// A deployment with recorded tasks.
const DEPLOYMENT: &str = "ecs-deploy-alerts/deployment:";
/// Where the last prune stopped reading.
pub const CURSOR: &str = "ecs-deploy-alerts/prune-cursor";

/// A stopped task's key.
pub fn task(deployment: &str, task_id: &str) -> String {
    format!("{TASK}{}:{}", part(deployment), part(task_id))
}

/// The prefix of every task key of `deployment`.
pub fn tasks_of(deployment: &str) -> String {
    format!("{TASK}{}:", part(deployment))
}

/// The marker of a deployment with recorded tasks.
pub fn marker(deployment: &str) -> String {
    format!("{DEPLOYMENT}{}", part(deployment))
}

/// An event's claim and delivered mark.
pub fn sent(event_id: &str) -> String {
    format!("{SENT}{}", part(event_id))
}

/// What links a service's events, by its identity (always hashed: it is long).
pub fn links(service: &str) -> String {
    format!("{LINKS}{:032x}", fnv1a(service))
}

/// When a deployment completed.
pub fn completed(deployment: &str) -> String {
    format!("{COMPLETED}{}", part(deployment))
}

/// A deployment's thread, or the link to the thread it belongs to.
pub fn thread(deployment: &str) -> String {
    format!("{THREAD}{}", part(deployment))
}

/// The claim on starting a thread for a service, by its identity (hashed).
pub fn parent(service: &str) -> String {
    format!("{PARENT}{:032x}", fnv1a(service))
}

/// The open thread of a service, by its identity (always hashed: it is long).
pub fn service_thread(service: &str) -> String {
    format!("{SERVICE_THREAD}{:032x}", fnv1a(service))
}

/// How a pause hook ended.
pub fn hook(hook_id: &str) -> String {
    format!("{HOOK}{}", part(hook_id))
}

/// A pause that may be ended from Slack, by its buttons' opaque id.
pub fn pause(id: &str) -> String {
    format!("{PAUSE}{}", part(id))
}

/// The claim of a press on the pause `id`.
pub fn press(id: &str) -> String {
    format!("{PRESS}{}", part(id))
}

/// How a person ended the pause `hook_id` from Slack.
pub fn decided(hook_id: &str) -> String {
    format!("{DECIDED}{}", part(hook_id))
}

/// A rollback, under one of its deployments.
pub fn rollback(deployment: &str) -> String {
    format!("{ROLLBACK}{}", part(deployment))
}

/// A caller-supplied key part: kept when it is 1 to 96 plain characters (`ecs-svc/123`, a
/// UUID), else `~` and a 128-bit hash, so keys stay short and `:` stays a separator.
fn part(text: &str) -> Cow<'_, str> {
    let plain = (1..=96).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
    if plain {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("~{:032x}", fnv1a(text)))
    }
}

/// FNV-1a, 128 bits: stable across builds and hosts, and collisions are not a practical worry
/// for ids (it is not a defence against an attacker, who would need valid credentials anyway).
pub fn fnv1a(text: &str) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;
    text.bytes()
        .fold(OFFSET, |hash, b| (hash ^ u128::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_is_the_128_bit_fnv_1a() {
        // Keys and the prune decision depend on it: pinned to FNV-1a 128's reference values.
        assert_eq!(fnv1a(""), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(fnv1a("a"), 0xd228cb696f1a8caf78912b704e4a8964);
    }

    #[test]
    fn keys_stay_short_and_plain_whatever_the_ids() {
        let long = "x:".repeat(10_000);
        for key in [
            task(&long, &long),
            sent(&long),
            marker(&long),
            rollback(&long),
            thread(&long),
            parent(&long),
            completed(&long),
            links(&long),
            pause(&long),
            press(&long),
            decided(&long),
        ] {
            assert!(key.len() <= 128, "{key}");
            let separators = if key.starts_with(TASK) { 2 } else { 1 };
            assert_eq!(key.matches(':').count(), separators, "{key}");
            assert!(key.starts_with(NAMESPACE));
        }
        assert_ne!(sent(&long), sent(&"x:".repeat(9_999)));
        assert_eq!(sent("ecs-svc/1"), "ecs-deploy-alerts/sent:ecs-svc/1");
        // `ecs-svc/1` is not a prefix match for `ecs-svc/10`.
        assert!(!task("ecs-svc/10", "t").starts_with(&tasks_of("ecs-svc/1")));
        assert_eq!(links("a").len(), "ecs-deploy-alerts/links:".len() + 32);
    }
}
