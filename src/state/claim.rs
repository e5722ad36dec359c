//! One delivery at a time: the claim a delivery takes on a key before it posts, which becomes
//! the delivered mark once Slack accepts the message. An event's key ([`super::keys::sent`]) keeps an
//! event from posting twice; a deployment's parent key ([`super::keys::parent`]) keeps its thread
//! from starting twice.
//!
//! Built from `get`, `set` and `delete` alone (the hosts serve no `wasi:keyvalue/atomics`): a
//! delivery reads the key; unless the event is delivered or freshly claimed by another, it
//! writes a claim with a random token ([`begin`]), waits a moment, and reads it back
//! ([`confirm`]). Of deliveries that both read "unclaimed", the one that wrote last finds its
//! token. docs/operations.md says what this guarantees and what it does not.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{KeyValue, StoreError, read_dated, write};
use crate::host::Host;

/// How long a claim holds its event: a delivery answers within
/// [`crate::delivery::ANSWER_DEADLINE`], so a claim older than this belongs to an instance that
/// stopped mid-delivery, and another delivery may take it over.
pub const STALE_SECS: u64 = 10;

/// Where an event's delivery stands, as its key says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The claim is this delivery's own: it may post.
    Ours,
    /// Slack already accepted the event's message, in the thread of this deployment if it
    /// went into one (app mode): a retry finds the parent's rewrite there, if it is owed.
    Delivered(Option<String>),
    /// Another delivery holds a fresh claim on the event.
    InFlight,
}

/// What an event's key holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mark {
    /// A delivery at work, and its token.
    Claimed(u64),
    /// Slack accepted the message, in this deployment's thread if any.
    Delivered(Option<String>),
}

/// How long a claim waits before it reads itself back: longer than the time between another
/// delivery's read and write of the same key, so that of two overlapping deliveries, the one
/// that wrote first sees the other's claim.
pub const SETTLE: Duration = Duration::from_millis(15);

/// Takes the claim on `key`: writes a token, waits [`SETTLE`], and reads it back. `wrote`
/// says whether the claim written is, or may still be, this delivery's: then a delivery that
/// does not end delivered releases it (also when the read-back failed).
pub fn take(
    host: &mut impl Host,
    key: &str,
    now: u64,
    wrote: &mut bool,
) -> Result<Claim, StoreError> {
    let token = host.random();
    if let Some(settled) = begin(host, key, token, now)? {
        return Ok(settled);
    }
    *wrote = true;
    host.sleep(SETTLE);
    let claim = confirm(host, key, token, now)?;
    // Another delivery's claim replaced ours: it is theirs to release.
    *wrote = claim == Claim::Ours;
    Ok(claim)
}

/// The first half of taking the claim on `key`: `Some` when it is settled without one (it is
/// delivered, or another delivery's fresh claim holds it), else `None` once a claim carrying
/// `token` is written. Then wait a moment and [`confirm`].
pub fn begin(
    kv: &mut impl KeyValue,
    key: &str,
    token: u64,
    now: u64,
) -> Result<Option<Claim>, StoreError> {
    match read(kv, key, now)? {
        Some((_, Mark::Delivered(thread))) => return Ok(Some(Claim::Delivered(thread))),
        Some((at, Mark::Claimed(_))) if now.saturating_sub(at) <= STALE_SECS => {
            return Ok(Some(Claim::InFlight));
        }
        _ => {}
    }
    write(kv, key, &Mark::Claimed(token), now)?;
    Ok(None)
}

/// The second half: whether the claim [`begin`] wrote is still this delivery's.
pub fn confirm(
    kv: &mut impl KeyValue,
    key: &str,
    token: u64,
    now: u64,
) -> Result<Claim, StoreError> {
    Ok(match read(kv, key, now)? {
        Some((_, Mark::Claimed(held))) if held == token => Claim::Ours,
        Some((_, Mark::Delivered(thread))) => Claim::Delivered(thread),
        // Another delivery's claim, or none (deleted by a delivery that failed): another
        // delivery is at work.
        _ => Claim::InFlight,
    })
}

/// Gives the claim on `key` up, so that a retry can post at once (the post failed, or there
/// was nothing to post).
pub fn release(kv: &mut impl KeyValue, key: &str) -> Result<(), StoreError> {
    kv.delete(key)
}

/// Remembers that Slack accepted the message claimed by `key`, in `thread`'s thread if it went
/// into one: the claim becomes the mark.
pub fn mark_delivered(
    kv: &mut impl KeyValue,
    key: &str,
    thread: Option<&str>,
    now: u64,
) -> Result<(), StoreError> {
    write(kv, key, &Mark::Delivered(thread.map(str::to_owned)), now)
}

fn read(kv: &mut impl KeyValue, key: &str, now: u64) -> Result<Option<(u64, Mark)>, StoreError> {
    Ok(read_dated::<Mark>(kv, key, now)?.map(|dated| (dated.at, dated.value)))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, Store};
    use super::*;

    /// The key the tests claim: an event's.
    const E1: &str = "ecs-deploy-alerts/sent:e1";

    fn was_delivered(kv: &mut Store, key: &str, now: u64) -> bool {
        matches!(read(kv, key, now), Ok(Some((_, Mark::Delivered(_)))))
    }

    /// Takes a claim as the pipeline does, with `between` run where the pipeline waits.
    fn claim(kv: &mut Store, token: u64, now: u64, between: impl FnOnce(&mut Store)) -> Claim {
        match begin(kv, E1, token, now).unwrap() {
            Some(settled) => settled,
            None => {
                between(kv);
                confirm(kv, E1, token, now).unwrap()
            }
        }
    }

    #[test]
    fn of_two_overlapping_claims_one_wins() {
        let mut kv = Store::default();
        assert_eq!(begin(&mut kv, E1, 1, NOW).unwrap(), None);
        assert_eq!(begin(&mut kv, E1, 2, NOW).unwrap(), Some(Claim::InFlight));
        // Both read "unclaimed" before either wrote: the later writer finds its token.
        let mut kv = Store::default();
        let first = begin(&mut kv, E1, 1, NOW).unwrap();
        let mut other = Store::default();
        let second = begin(&mut other, E1, 2, NOW).unwrap();
        assert_eq!((first, second), (None, None));
        kv.map.extend(other.map); // the second write lands after the first
        assert_eq!(confirm(&mut kv, E1, 1, NOW).unwrap(), Claim::InFlight);
        assert_eq!(confirm(&mut kv, E1, 2, NOW).unwrap(), Claim::Ours);
        // A claim that arrives while another waits finds it in flight.
        let mut kv = Store::default();
        let ours = claim(&mut kv, 1, NOW, |kv| {
            assert_eq!(claim(kv, 2, NOW, |_| {}), Claim::InFlight);
        });
        assert_eq!(ours, Claim::Ours);
    }

    #[test]
    fn a_claim_ends_delivered_released_or_stale() {
        let mut kv = Store::default();
        assert_eq!(claim(&mut kv, 1, NOW, |_| {}), Claim::Ours);
        mark_delivered(&mut kv, E1, Some("ecs-svc/1"), NOW).unwrap();
        let thread = Some("ecs-svc/1".to_owned());
        assert_eq!(claim(&mut kv, 2, NOW + 1, |_| {}), Claim::Delivered(thread));
        assert!(was_delivered(&mut kv, E1, NOW));
        // Delivered while we waited.
        let mut kv = Store::default();
        let late = claim(&mut kv, 1, NOW, |kv| {
            mark_delivered(kv, E1, None, NOW).unwrap()
        });
        assert_eq!(late, Claim::Delivered(None));
        // Released after a failed post: the next delivery claims at once.
        let mut kv = Store::default();
        assert_eq!(claim(&mut kv, 1, NOW, |_| {}), Claim::Ours);
        release(&mut kv, E1).unwrap();
        assert!(kv.map.is_empty());
        assert_eq!(claim(&mut kv, 2, NOW, |_| {}), Claim::Ours);
        // Left by a stopped instance: it blocks for STALE_SECS, then is taken over.
        let fresh = NOW + STALE_SECS;
        assert_eq!(claim(&mut kv, 3, fresh, |_| {}), Claim::InFlight);
        assert_eq!(claim(&mut kv, 3, fresh + 1, |_| {}), Claim::Ours);
        // The mark outlives the claim: a redelivery a day later is still a duplicate.
        mark_delivered(&mut kv, E1, None, fresh + 1).unwrap();
        assert_eq!(
            claim(&mut kv, 4, fresh + 86_400, |_| {}),
            Claim::Delivered(None)
        );
        // ... but not two days later.
        assert_eq!(claim(&mut kv, 5, fresh + 49 * 3600, |_| {}), Claim::Ours);
    }
}
