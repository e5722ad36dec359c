//! What later events need from earlier ones, kept in the host's key-value store
//! (`wasi:keyvalue`): the stopped tasks of each deployment, what links each service's events by
//! time (its recent failures, a rollback waiting for its failure), when deployments completed,
//! rollbacks in progress, and each event's claim and delivered mark.
//!
//! The store has no expiry, so this module keeps it bounded, in one place:
//! - every value is a dated, versioned record ([`record`]); one older than [`RETENTION_SECS`]
//!   counts as absent when read, and [`prune`] deletes it in its turn;
//! - a stopped task is one key of its own ([`keys::task`]), so replicas recording tasks of one
//!   deployment at the same moment never overwrite each other, and a redelivered task event
//!   writes the same key again; the deployment's first task also writes its marker, so a
//!   failure lists keys only when there is a task to find;
//! - keys are namespaced by kind, and parts that come from the caller are kept only when short
//!   and plain, else replaced by a hash ([`keys`]);
//! - an event's delivery is one key: the claim of the delivery at work on it, then the mark
//!   that Slack accepted it ([`claim`]);
//! - what links a story's events by their service and time alone (recent failures, a
//!   rollback waiting for its failure, completions) lives within the story window ([`links`]);
//! - how each pause hook ended, for its waiting event if that comes later; what a pause
//!   button's opaque id stands for, as long as the pause may wait, and who ended a pause from
//!   Slack ([`pause`]);
//! - app mode keeps each deployment's thread, links to it, and each service's latest story
//!   ([`thread`]), and the claim on starting a service's thread.
//!
//! Writes happen only where something must persist: a stopped task, a failed deployment, a
//! rollback, an ordinary completion, a claim and a delivered message, a thread's parent and
//! what it shows. Paths that only read never write.

pub mod claim;
pub mod keys;
pub mod links;
pub mod pause;
pub mod prune;
pub mod record;
pub mod thread;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::host::{KeyValue, StoreError};
use crate::remembered::{HookNews, Rollback, StoppedTask};

/// How long anything is kept: 48 hours.
pub const RETENTION_SECS: u64 = 48 * 3600;
/// The most stopped tasks kept for one deployment.
pub const MAX_TASKS_PER_DEPLOYMENT: usize = 10;

/// Records a stopped task under its deployment: one write, the same key on redelivery.
pub fn record_task(kv: &mut impl KeyValue, task: &StoppedTask, now: u64) -> Result<(), StoreError> {
    // The deployment's marker, once: a failure of a deployment without one lists nothing.
    let marker = keys::marker(&task.deployment);
    if read::<String>(kv, &marker, now)?.is_none() {
        write(kv, &marker, &task.deployment, now)?;
    }
    write(kv, &keys::task(&task.deployment, &task.task_id), task, now)
}

/// The stopped tasks kept for `deployment` that have not expired, the first to stop first, at
/// most [`MAX_TASKS_PER_DEPLOYMENT`]. Lists the keys only when the deployment's marker says a
/// task was recorded: a failure with nothing to explain it costs one read.
pub fn tasks_of(
    kv: &mut impl KeyValue,
    deployment: &str,
    now: u64,
) -> Result<Vec<StoppedTask>, StoreError> {
    // Listing costs the host every key in the store: only when a task was recorded.
    if read::<String>(kv, &keys::marker(deployment), now)?.is_none() {
        return Ok(Vec::new());
    }
    let prefix = keys::tasks_of(deployment);
    let mut keys: Vec<String> = kv
        .keys()?
        .into_iter()
        .filter(|key| key.starts_with(&prefix))
        .collect();
    // A prune trims each deployment to the cap; until it runs, read a bounded few more.
    keys.sort_unstable();
    keys.truncate(2 * MAX_TASKS_PER_DEPLOYMENT);
    let mut tasks = Vec::new();
    for key in keys {
        tasks.extend(read::<StoppedTask>(kv, &key, now)?);
    }
    tasks.sort_unstable_by(|a, b| (a.stopped_at, &a.task_id).cmp(&(b.stopped_at, &b.task_id)));
    tasks.truncate(MAX_TASKS_PER_DEPLOYMENT);
    Ok(tasks)
}

/// Remembers a rollback under its own deployment and the one it rolls back to, whichever are
/// known (ECS may report the end under either).
pub fn remember_rollback(
    kv: &mut impl KeyValue,
    rollback: &Rollback,
    now: u64,
) -> Result<(), StoreError> {
    for deployment in [rollback.deployment.as_ref(), rollback.target.as_ref()]
        .into_iter()
        .flatten()
    {
        write(kv, &keys::rollback(deployment), rollback, now)?;
    }
    Ok(())
}

/// The rollback that `deployment` is part of, if one started within [`RETENTION_SECS`].
pub fn rollback_of(
    kv: &mut impl KeyValue,
    deployment: &str,
    now: u64,
) -> Result<Option<Rollback>, StoreError> {
    read(kv, &keys::rollback(deployment), now)
}

/// Remembers how the pause `hook_id` ended: its waiting event, delivered later, must not ask
/// anyone to act.
pub fn remember_hook_outcome(
    kv: &mut impl KeyValue,
    hook_id: &str,
    outcome: HookNews,
    now: u64,
) -> Result<(), StoreError> {
    write(kv, &keys::hook(hook_id), &outcome, now)
}

/// How the pause `hook_id` ended, if it did within [`RETENTION_SECS`].
pub fn hook_outcome(
    kv: &mut impl KeyValue,
    hook_id: &str,
    now: u64,
) -> Result<Option<HookNews>, StoreError> {
    read(kv, &keys::hook(hook_id), now)
}

fn write(
    kv: &mut impl KeyValue,
    key: &str,
    value: &impl Serialize,
    now: u64,
) -> Result<(), StoreError> {
    write_until(kv, key, value, now, None)
}

/// Writes `value` under `key`, kept at least `until` if that is given (and the usual retention
/// in any case).
fn write_until(
    kv: &mut impl KeyValue,
    key: &str,
    value: &impl Serialize,
    now: u64,
    until: Option<u64>,
) -> Result<(), StoreError> {
    kv.set(key, &record::encode(value, now, until))
}

/// The value under `key`, unless it has expired or does not read.
fn read<T: DeserializeOwned>(
    kv: &mut impl KeyValue,
    key: &str,
    now: u64,
) -> Result<Option<T>, StoreError> {
    Ok(read_dated(kv, key, now)?.map(|dated| dated.value))
}

/// The record under `key` with when it was written, unless it has expired or does not read.
fn read_dated<T: DeserializeOwned>(
    kv: &mut impl KeyValue,
    key: &str,
    now: u64,
) -> Result<Option<record::Dated<T>>, StoreError> {
    Ok(kv
        .get(key)?
        .and_then(|bytes| record::decode::<T>(&bytes))
        .filter(|dated| !expired(dated.at, dated.until, now)))
}

/// Whether a record written `at`, and kept `until` if that is given, has expired by `now`.
fn expired(at: u64, until: Option<u64>, now: u64) -> bool {
    now.saturating_sub(at) > RETENTION_SECS && until.is_none_or(|until| now > until)
}

#[cfg(test)]
mod tests;
