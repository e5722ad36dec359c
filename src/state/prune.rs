//! Keeping the store bounded: it has no expiry of its own, so one ECS event in
//! [`PRUNE_EVERY`] prunes once its answer has left. A prune lists the keys, reads at most
//! [`MAX_READS_PER_PRUNE`] of them (the next ones after where the last prune stopped, so each
//! has its turn) and deletes at most [`MAX_DELETES_PER_PRUNE`]: the expired ones, those that
//! do not read, and tasks beyond [`super::MAX_TASKS_PER_DEPLOYMENT`] of a deployment.

use super::{KeyValue, MAX_TASKS_PER_DEPLOYMENT, StoreError, expired, keys, record};

/// One ECS event in this many (by id) prunes after its answer.
pub const PRUNE_EVERY: u64 = 16;
/// The most keys one prune deletes.
pub const MAX_DELETES_PER_PRUNE: usize = 64;
/// The most values one prune reads to date them.
pub const MAX_READS_PER_PRUNE: usize = 64;

/// Whether the request about event `event_id` prunes once it has answered: chosen by its id,
/// so no read decides it and a redelivery decides alike.
pub fn prune_due(event_id: &str) -> bool {
    keys::fnv1a(event_id).is_multiple_of(u128::from(PRUNE_EVERY))
}

/// What one prune did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Keys listed.
    pub listed: usize,
    /// Keys deleted.
    pub deleted: usize,
}

/// Deletes expired entries, and tasks beyond the first [`MAX_TASKS_PER_DEPLOYMENT`] (by key)
/// of each deployment: at most [`MAX_DELETES_PER_PRUNE`] keys and [`MAX_READS_PER_PRUNE`]
/// reads.
pub fn prune(kv: &mut impl KeyValue, now: u64) -> Result<Pruned, StoreError> {
    // Only our own keys: anything else in the store belongs to someone else.
    let mut keys: Vec<String> = kv
        .keys()?
        .into_iter()
        .filter(|key| key.starts_with(keys::NAMESPACE) && key != keys::CURSOR)
        .collect();
    keys.sort_unstable();
    let mut doomed: Vec<&str> = Vec::new();
    // Over the cap: sorted, each deployment's task keys are adjacent.
    let mut run: (Option<&str>, usize) = (None, 0);
    for key in &keys {
        let Some((deployment, _)) = key
            .strip_prefix(keys::TASK)
            .and_then(|rest| rest.split_once(':'))
        else {
            continue;
        };
        run = match run {
            (Some(current), count) if current == deployment => (Some(current), count + 1),
            _ => (Some(deployment), 1),
        };
        if run.1 > MAX_TASKS_PER_DEPLOYMENT {
            doomed.push(key);
        }
    }
    // Dating a value takes a read: each prune reads the next keys after where the last one
    // stopped (its cursor, one write), so every key has its turn within len / 64 prunes.
    let cursor = kv
        .get(keys::CURSOR)?
        .and_then(|bytes| record::decode::<String>(&bytes))
        .map(|dated| dated.value);
    let start = cursor.map_or(0, |last| keys.partition_point(|key| *key <= last));
    let turn: Vec<&String> = keys
        .iter()
        .cycle()
        .skip(start)
        .take(keys.len().min(MAX_READS_PER_PRUNE))
        .collect();
    for key in &turn {
        if doomed.len() >= MAX_DELETES_PER_PRUNE {
            break;
        }
        let at = kv.get(key)?.and_then(|bytes| record::written_at(&bytes));
        let gone = at.is_none_or(|(at, until)| expired(at, until, now));
        if gone && !doomed.contains(&key.as_str()) {
            doomed.push(key);
        }
    }
    doomed.truncate(MAX_DELETES_PER_PRUNE);
    for key in &doomed {
        kv.delete(key)?;
    }
    if let Some(last) = turn.last() {
        kv.set(keys::CURSOR, &record::encode(last, now, None))?;
    }
    Ok(Pruned {
        listed: keys.len(),
        deleted: doomed.len(),
    })
}
