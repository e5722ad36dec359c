//! What later events need from earlier ones, kept in the host's key-value store
//! (`wasi:keyvalue`): the stopped tasks of each deployment, the last failed deployment of each
//! service, rollbacks in progress, and the ids of events whose message Slack accepted.
//!
//! The store has no expiry, so this module keeps it bounded, in one place:
//! - every value starts with the time it was written, by the host's clock (not the event's:
//!   fixtures, replays and skewed clocks must not expire on arrival); an entry older than
//!   [`RETENTION_SECS`] counts as absent when read;
//! - one ECS event in [`PRUNE_EVERY`] (chosen by its id, so no extra read decides it) prunes
//!   once its answer has left ([`prune_due`]): it lists the keys, reads at most [`MAX_READS_PER_PRUNE`] of them (the next ones after where the
//!   last prune stopped, so each has its turn) and deletes at most
//!   [`MAX_DELETES_PER_PRUNE`]: the expired ones, and tasks beyond
//!   [`MAX_TASKS_PER_DEPLOYMENT`] of a deployment. Listing is never done on every request
//!   (Spin's `list-keys` returns every key at once), only there and for a failure's causes;
//! - a stopped task is one key of its own (`task:DEPLOYMENT:TASK`), so replicas recording
//!   tasks of one deployment at the same moment never overwrite each other, and a redelivered
//!   task event writes the same key again; the deployment's first task also writes its
//!   marker (`deployment:DEPLOYMENT`), so a failure lists keys only when there is a task to
//!   find;
//! - keys are namespaced by kind, and parts that come from the caller are kept only when short
//!   and plain, else replaced by a hash.
//!
//! - an event's delivery is one key: the claim of the delivery at work on it (a random token,
//!   stale after [`CLAIM_STALE_SECS`]), then the mark that Slack accepted it.
//!
//! Writes happen only where something must persist: a stopped task, a failed deployment, a
//! rollback, a claim and a delivered message. Paths that only read never write.

use std::borrow::Cow;

/// The host's key-value store failed (it could not be opened, or an operation failed); what it
/// said is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreError;

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

/// How long anything is kept: 48 hours.
pub const RETENTION_SECS: u64 = 48 * 3600;
/// The most stopped tasks kept for one deployment.
pub const MAX_TASKS_PER_DEPLOYMENT: usize = 10;
/// One ECS event in this many (by id) prunes after its answer.
pub const PRUNE_EVERY: u64 = 16;
/// The most keys one prune deletes.
pub const MAX_DELETES_PER_PRUNE: usize = 64;
/// The most values one prune reads to date them.
pub const MAX_READS_PER_PRUNE: usize = 64;

/// Why a task stopped: the container that explains it, if any, its exit code and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// The container's name.
    pub container: Option<String>,
    /// Its exit code.
    pub exit_code: Option<i64>,
    /// The container's reason, else the task's `stoppedReason`.
    pub reason: Option<String>,
}

/// A stopped task of a service deployment, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedTask {
    /// The deployment that started it (`startedBy`).
    pub deployment: String,
    /// The task id.
    pub task_id: String,
    /// When it stopped, Unix seconds.
    pub stopped_at: u64,
    /// Its cluster.
    pub cluster: Option<String>,
    /// `family:revision` of its task definition.
    pub task_definition: Option<String>,
    /// The image of the container that explains the stop.
    pub image: Option<String>,
    /// Why it stopped.
    pub cause: Cause,
}

/// A rollback in progress: the deployment rolling back, what it rolls back to, what failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollback {
    /// The rollback deployment.
    pub deployment: String,
    /// The deployment it rolls back to, when ECS named it.
    pub target: Option<String>,
    /// The deployment that failed, when known.
    pub failed: Option<String>,
}

/// How records are stored: their fields, one per line, `\\` and line breaks escaped. Read
/// by hand rather than with serde_json, whose deserializers (one per record type, and float
/// parsing) would add about 100 KB to the component.
trait Record: Sized {
    fn fields(&self) -> Vec<Cow<'_, str>>;
    fn from_fields(fields: &mut std::vec::IntoIter<String>) -> Option<Self>;
}

impl Record for StoppedTask {
    fn fields(&self) -> Vec<Cow<'_, str>> {
        vec![
            Cow::Borrowed(&self.deployment),
            Cow::Borrowed(&self.task_id),
            Cow::Owned(self.stopped_at.to_string()),
            opt(&self.cluster),
            opt(&self.task_definition),
            opt(&self.image),
            opt(&self.cause.container),
            opt(&self.cause.reason),
        ]
    }

    fn from_fields(fields: &mut std::vec::IntoIter<String>) -> Option<Self> {
        let mut opt = || fields.next().filter(|v| !v.is_empty());
        Some(Self {
            deployment: opt()?,
            task_id: opt()?,
            stopped_at: opt()?.parse().ok()?,
            cluster: opt(),
            task_definition: opt(),
            image: opt(),
            cause: Cause {
                container: opt(),
                exit_code: None,
                reason: opt(),
            },
        })
    }
}

impl Record for Rollback {
    fn fields(&self) -> Vec<Cow<'_, str>> {
        vec![
            Cow::Borrowed(&self.deployment),
            opt(&self.target),
            opt(&self.failed),
        ]
    }

    fn from_fields(fields: &mut std::vec::IntoIter<String>) -> Option<Self> {
        let mut opt = || fields.next().filter(|v| !v.is_empty());
        Some(Self {
            deployment: opt()?,
            target: opt(),
            failed: opt(),
        })
    }
}

impl Record for String {
    fn fields(&self) -> Vec<Cow<'_, str>> {
        vec![Cow::Borrowed(self)]
    }

    fn from_fields(fields: &mut std::vec::IntoIter<String>) -> Option<Self> {
        fields.next()
    }
}

/// An optional field as stored: empty when absent.
fn opt(value: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(value.as_deref().unwrap_or(""))
}

/// A record with the time it was written (or, for a task, stopped) and a number (a task's
/// exit code), first.
fn encode(at: u64, number: Option<i64>, fields: &[Cow<'_, str>]) -> Vec<u8> {
    let mut out = String::with_capacity(64 + fields.iter().map(|f| f.len()).sum::<usize>());
    out.push_str(&at.to_string());
    out.push('\n');
    if let Some(number) = number {
        out.push_str(&number.to_string());
    }
    for field in fields {
        out.push('\n');
        for c in field.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
    }
    out.into_bytes()
}

/// The time, the number and the record of [`encode`]'s output; `None` if it does not read.
fn decode<T: Record>(bytes: &[u8]) -> Option<(u64, Option<i64>, T)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.split('\n');
    let at = lines.next()?.parse().ok()?;
    let number = match lines.next()? {
        "" => None,
        number => Some(number.parse().ok()?),
    };
    let fields: Vec<String> = lines
        .map(|line| {
            let mut field = String::with_capacity(line.len());
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                field.push(match (c, c == '\\') {
                    (_, true) => match chars.next()? {
                        'n' => '\n',
                        other => other,
                    },
                    (c, false) => c,
                });
            }
            Some(field)
        })
        .collect::<Option<_>>()?;
    Some((at, number, T::from_fields(&mut fields.into_iter())?))
}

/// The prefix of every key this component writes: a store (a Redis database) may be shared
/// with other applications, whose keys pruning must never touch.
pub const NAMESPACE: &str = "ecs-deploy-alerts/";
const TASK: &str = "ecs-deploy-alerts/task:";
const SENT: &str = "ecs-deploy-alerts/sent:";
const FAILED: &str = "ecs-deploy-alerts/fail:";
const ROLLBACK: &str = "ecs-deploy-alerts/rollback:";
/// A deployment with recorded tasks.
const DEPLOYMENT: &str = "ecs-deploy-alerts/deployment:";
/// Where the last prune stopped reading.
const CURSOR: &str = "ecs-deploy-alerts/prune-cursor";

/// Records a stopped task under its deployment: one write, the same key on redelivery.
pub fn record_task(kv: &mut impl KeyValue, task: &StoppedTask, now: u64) -> Result<(), StoreError> {
    // The deployment's marker, once: a failure of a deployment without one lists nothing.
    let marker = marker_key(&task.deployment);
    if read::<String>(kv, &marker, now)?.is_none() {
        write_dated(kv, &marker, &task.deployment, now)?;
    }
    let key = format!("{TASK}{}:{}", part(&task.deployment), part(&task.task_id));
    write(kv, &key, &encode(now, task.cause.exit_code, &task.fields()))
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
    if read::<String>(kv, &marker_key(deployment), now)?.is_none() {
        return Ok(Vec::new());
    }
    let prefix = format!("{TASK}{}:", part(deployment));
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
        let read = kv.get(&key)?.and_then(|v| decode::<StoppedTask>(&v));
        if let Some((_, exit_code, mut task)) = read.filter(|(at, ..)| !expired(*at, now)) {
            task.cause.exit_code = exit_code;
            tasks.push(task);
        }
    }
    tasks.sort_unstable_by(|a, b| (a.stopped_at, &a.task_id).cmp(&(b.stopped_at, &b.task_id)));
    tasks.truncate(MAX_TASKS_PER_DEPLOYMENT);
    Ok(tasks)
}

/// How long a claim holds its event: a delivery answers within
/// [`crate::delivery::ANSWER_DEADLINE`], so a claim older than this belongs to an instance that
/// stopped mid-delivery, and another delivery may take it over.
pub const CLAIM_STALE_SECS: u64 = 10;

/// Where an event's delivery stands, as its key in the store says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The claim is this delivery's own: it may post.
    Ours,
    /// Slack already accepted the event's message.
    Delivered,
    /// Another delivery holds a fresh claim on the event.
    InFlight,
}

/// The first half of taking an event's claim: reads its key and, unless the event is
/// delivered or freshly claimed by another delivery, writes a claim carrying `token`.
/// Then wait a moment and [`confirm_claim`]: of deliveries that both read "unclaimed", the
/// one that wrote last is the one that finds its token.
pub fn begin_claim(
    kv: &mut impl KeyValue,
    event_id: &str,
    token: i64,
    now: u64,
) -> Result<Option<Claim>, StoreError> {
    let key = sent_key(event_id);
    match read_mark(kv, &key, now)? {
        Some(Mark::Delivered) => return Ok(Some(Claim::Delivered)),
        Some(Mark::Claimed { at, .. }) if now.saturating_sub(at) <= CLAIM_STALE_SECS => {
            return Ok(Some(Claim::InFlight));
        }
        _ => {}
    }
    kv.set(&key, &encode(now, Some(token), &[Cow::Borrowed(CLAIMED)]))?;
    Ok(None)
}

/// The second half: whether the claim [`begin_claim`] wrote is still this delivery's.
pub fn confirm_claim(
    kv: &mut impl KeyValue,
    event_id: &str,
    token: i64,
    now: u64,
) -> Result<Claim, StoreError> {
    Ok(match read_mark(kv, &sent_key(event_id), now)? {
        Some(Mark::Claimed { token: held, .. }) if held == token => Claim::Ours,
        Some(Mark::Delivered) => Claim::Delivered,
        // Another delivery's claim, or none: it was taken from us (or deleted by a delivery
        // that failed), so another delivery is at work.
        _ => Claim::InFlight,
    })
}

/// Gives an event's claim up, so that a retry can post at once (the post failed, or there
/// was nothing to post).
pub fn release_claim(kv: &mut impl KeyValue, event_id: &str) -> Result<(), StoreError> {
    kv.delete(&sent_key(event_id))
}

/// Remembers that Slack accepted the message of event `event_id` (its claim becomes the
/// mark).
pub fn mark_delivered(kv: &mut impl KeyValue, event_id: &str, now: u64) -> Result<(), StoreError> {
    write_dated(
        kv,
        &sent_key(event_id),
        &event_id.chars().take(64).collect::<String>(),
        now,
    )
}

/// The field of a claim's record; a delivered mark holds the event id instead, and no token.
const CLAIMED: &str = "claim";

/// What an event's key holds.
enum Mark {
    Delivered,
    Claimed { at: u64, token: i64 },
}

fn read_mark(kv: &mut impl KeyValue, key: &str, now: u64) -> Result<Option<Mark>, StoreError> {
    Ok(kv
        .get(key)?
        .and_then(|v| decode::<String>(&v))
        .filter(|(at, _, _)| !expired(*at, now))
        .map(|(at, token, _)| match token {
            Some(token) => Mark::Claimed { at, token },
            None => Mark::Delivered,
        }))
}

/// Remembers the last failed deployment of a service (by [`crate::classify::Service::identity`]).
pub fn remember_failure(
    kv: &mut impl KeyValue,
    service: &str,
    deployment: &str,
    now: u64,
) -> Result<(), StoreError> {
    write_dated(kv, &failure_key(service), &deployment.to_owned(), now)
}

/// The last failed deployment of a service, if one failed within [`RETENTION_SECS`].
pub fn failed_deployment(
    kv: &mut impl KeyValue,
    service: &str,
    now: u64,
) -> Result<Option<String>, StoreError> {
    read(kv, &failure_key(service), now)
}

/// Remembers a rollback under its own deployment and, when known, the one it rolls back to
/// (ECS may report the end under either).
pub fn remember_rollback(
    kv: &mut impl KeyValue,
    rollback: &Rollback,
    now: u64,
) -> Result<(), StoreError> {
    for deployment in [Some(&rollback.deployment), rollback.target.as_ref()]
        .into_iter()
        .flatten()
    {
        write_dated(kv, &rollback_key(deployment), rollback, now)?;
    }
    Ok(())
}

/// The rollback that `deployment` is part of, if one started within [`RETENTION_SECS`].
pub fn rollback_of(
    kv: &mut impl KeyValue,
    deployment: &str,
    now: u64,
) -> Result<Option<Rollback>, StoreError> {
    read(kv, &rollback_key(deployment), now)
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
        .filter(|key| key.starts_with(NAMESPACE) && key != CURSOR)
        .collect();
    keys.sort_unstable();
    let mut doomed: Vec<&str> = Vec::new();
    // Over the cap: sorted, each deployment's task keys are adjacent.
    let mut run: (Option<&str>, usize) = (None, 0);
    for key in &keys {
        let Some((deployment, _)) = key.strip_prefix(TASK).and_then(|rest| rest.split_once(':'))
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
        .get(CURSOR)?
        .and_then(|v| decode::<String>(&v))
        .map(|(_, _, key)| key);
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
        let at = kv.get(key)?.and_then(|v| {
            let end = v.iter().position(|&b| b == b'\n').unwrap_or(v.len());
            std::str::from_utf8(&v[..end]).ok()?.parse::<u64>().ok()
        });
        if at.is_none_or(|at| expired(at, now)) && !doomed.contains(&key.as_str()) {
            doomed.push(key);
        }
    }
    doomed.truncate(MAX_DELETES_PER_PRUNE);
    for key in &doomed {
        kv.delete(key)?;
    }
    if let Some(last) = turn.last() {
        kv.set(CURSOR, &encode(now, None, &[Cow::Borrowed(last.as_str())]))?;
    }
    Ok(Pruned {
        listed: keys.len(),
        deleted: doomed.len(),
    })
}

/// Writes `value` under `key`.
fn write(kv: &mut impl KeyValue, key: &str, value: &[u8]) -> Result<(), StoreError> {
    kv.set(key, value)
}

/// Whether the request about event `event_id` prunes once it has answered: one event in
/// [`PRUNE_EVERY`], chosen by its id, so no read decides it and a redelivery decides alike.
pub fn prune_due(event_id: &str) -> bool {
    fnv1a(event_id).is_multiple_of(u128::from(PRUNE_EVERY))
}

fn write_dated(
    kv: &mut impl KeyValue,
    key: &str,
    record: &impl Record,
    now: u64,
) -> Result<(), StoreError> {
    write(kv, key, &encode(now, None, &record.fields()))
}

/// The value under `key`, unless it has expired or does not parse.
fn read<T: Record>(kv: &mut impl KeyValue, key: &str, now: u64) -> Result<Option<T>, StoreError> {
    Ok(kv
        .get(key)?
        .and_then(|v| decode::<T>(&v))
        .filter(|(at, _, _)| !expired(*at, now))
        .map(|(_, _, record)| record))
}

fn expired(at: u64, now: u64) -> bool {
    now.saturating_sub(at) > RETENTION_SECS
}

fn marker_key(deployment: &str) -> String {
    key(DEPLOYMENT, deployment)
}

fn sent_key(event_id: &str) -> String {
    key(SENT, event_id)
}

fn failure_key(service: &str) -> String {
    let mut key = String::with_capacity(FAILED.len() + 32);
    key.push_str(FAILED);
    push_hex(&mut key, fnv1a(service));
    key
}

fn rollback_key(deployment: &str) -> String {
    key(ROLLBACK, deployment)
}

/// `prefix` and the [`part`] of `text`.
fn key(prefix: &str, text: &str) -> String {
    let mut key = String::with_capacity(prefix.len() + 33);
    key.push_str(prefix);
    key.push_str(&part(text));
    key
}

/// Appends `hash` as 32 lower-case hex digits.
fn push_hex(out: &mut String, hash: u128) {
    for shift in (0..32).rev() {
        let digit = (hash >> (shift * 4)) as u32 & 0xf;
        out.push(char::from_digit(digit, 16).unwrap_or('0'));
    }
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
        let mut hashed = String::with_capacity(33);
        hashed.push('~');
        push_hex(&mut hashed, fnv1a(text));
        Cow::Owned(hashed)
    }
}

/// FNV-1a, 128 bits: stable across builds and hosts, and collisions are not a practical worry
/// for ids (it is not a defence against an attacker, who would need valid credentials anyway).
fn fnv1a(text: &str) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;
    text.bytes()
        .fold(OFFSET, |hash, b| (hash ^ u128::from(b)).wrapping_mul(PRIME))
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn was_delivered(kv: &mut Store, event_id: &str, now: u64) -> Result<bool, StoreError> {
        Ok(matches!(
            read_mark(kv, &sent_key(event_id), now)?,
            Some(Mark::Delivered)
        ))
    }

    /// An in-memory store that counts operations.
    #[derive(Default)]
    struct Store {
        map: BTreeMap<String, Vec<u8>>,
        writes: usize,
        lists: usize,
    }

    impl KeyValue for Store {
        fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(self.map.get(key).cloned())
        }
        fn set(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError> {
            self.writes += 1;
            self.map.insert(key.to_owned(), value.to_vec());
            Ok(())
        }
        fn delete(&mut self, key: &str) -> Result<(), StoreError> {
            self.map.remove(key);
            Ok(())
        }
        fn keys(&mut self) -> Result<Vec<String>, StoreError> {
            self.lists += 1;
            Ok(self.map.keys().cloned().collect())
        }
    }

    const NOW: u64 = 1_795_737_600;

    fn task(deployment: &str, id: &str, stopped_at: u64) -> StoppedTask {
        StoppedTask {
            deployment: deployment.into(),
            task_id: id.into(),
            stopped_at,
            cluster: Some("prod".into()),
            task_definition: Some("api:7".into()),
            image: Some("api:v2".into()),
            cause: Cause {
                container: Some("app".into()),
                exit_code: Some(1),
                reason: None,
            },
        }
    }

    #[test]
    fn tasks_are_kept_per_deployment_and_a_redelivery_is_stored_once() {
        let mut kv = Store::default();
        record_task(&mut kv, &task("ecs-svc/1", "a", NOW - 20), NOW).unwrap();
        record_task(&mut kv, &task("ecs-svc/1", "b", NOW - 10), NOW).unwrap();
        record_task(&mut kv, &task("ecs-svc/1", "a", NOW - 20), NOW).unwrap();
        record_task(&mut kv, &task("ecs-svc/2", "c", NOW - 5), NOW).unwrap();
        let ids: Vec<String> = tasks_of(&mut kv, "ecs-svc/1", NOW)
            .unwrap()
            .into_iter()
            .map(|t| t.task_id)
            .collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(tasks_of(&mut kv, "ecs-svc/2", NOW).unwrap().len(), 1);
        assert!(tasks_of(&mut kv, "ecs-svc/3", NOW).unwrap().is_empty());
        // `ecs-svc/1` is not a prefix match for `ecs-svc/10`.
        record_task(&mut kv, &task("ecs-svc/10", "d", NOW), NOW).unwrap();
        assert_eq!(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap().len(), 2);
    }

    #[test]
    fn records_survive_their_encoding() {
        let mut tricky = task("ecs-svc/1", "a", NOW);
        tricky.cause.reason = Some("line one\nline \\two\\n \\".into());
        tricky.cause.exit_code = Some(-137);
        tricky.image = None;
        let bytes = encode(NOW, tricky.cause.exit_code, &tricky.fields());
        let (at, code, mut back) = decode::<StoppedTask>(&bytes).unwrap();
        assert_eq!(at, NOW);
        back.cause.exit_code = code;
        assert_eq!(back, tricky);
        for bad in [
            &b""[..],
            b"x",
            b"1",
            b"1\nnot-a-number\na\nb",
            b"1\n\nends with \\",
        ] {
            assert!(decode::<StoppedTask>(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_failure_without_tasks_lists_nothing() {
        let mut kv = Store::default();
        record_task(&mut kv, &task("ecs-svc/1", "a", NOW), NOW).unwrap();
        let lists = kv.lists;
        assert!(tasks_of(&mut kv, "ecs-svc/2", NOW).unwrap().is_empty());
        assert_eq!(kv.lists, lists);
        assert_eq!(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap().len(), 1);
        assert_eq!(kv.lists, lists + 1);
    }

    #[test]
    fn two_replicas_recording_at_once_lose_nothing() {
        // Each writes its own key: interleaved writes cannot overwrite each other.
        let mut kv = Store::default();
        let (a, b) = (task("ecs-svc/1", "a", NOW), task("ecs-svc/1", "b", NOW));
        record_task(&mut kv, &a, NOW).unwrap();
        record_task(&mut kv, &b, NOW).unwrap();
        assert_eq!(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap(), [a, b]);
    }

    #[test]
    fn expired_entries_are_absent_and_pruned() {
        let mut kv = Store::default();
        let old = NOW - RETENTION_SECS - 1;
        // Dated by the host's clock when written, whatever the event's own time.
        record_task(&mut kv, &task("ecs-svc/1", "old", NOW), old).unwrap();
        mark_delivered(&mut kv, "event-1", old).unwrap();
        remember_failure(&mut kv, "svc", "ecs-svc/1", old).unwrap();
        assert!(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap().is_empty());
        assert!(!was_delivered(&mut kv, "event-1", NOW).unwrap());
        assert_eq!(failed_deployment(&mut kv, "svc", NOW).unwrap(), None);
        assert_eq!(
            failed_deployment(&mut kv, "svc", old).unwrap().as_deref(),
            Some("ecs-svc/1")
        );
        let pruned = prune(&mut kv, NOW).unwrap();
        assert_eq!(
            pruned,
            Pruned {
                listed: 4,
                deleted: 4
            }
        );
        // Only the prune's own cursor is left.
        assert_eq!(kv.map.keys().collect::<Vec<_>>(), [CURSOR]);
    }

    #[test]
    fn prune_keeps_the_first_tasks_of_a_deployment() {
        let mut kv = Store::default();
        write_dated(
            &mut kv,
            &marker_key("ecs-svc/1"),
            &"ecs-svc/1".to_owned(),
            NOW,
        )
        .unwrap();
        for i in 10..35u64 {
            let task = task("ecs-svc/1", &format!("t{i}"), NOW - 100 + i);
            let key = format!("{TASK}ecs-svc/1:t{i}");
            kv.map
                .insert(key, encode(NOW, task.cause.exit_code, &task.fields()));
        }
        prune(&mut kv, NOW).unwrap();
        let ids: Vec<String> = tasks_of(&mut kv, "ecs-svc/1", NOW)
            .unwrap()
            .into_iter()
            .map(|t| t.task_id)
            .collect();
        assert_eq!(ids, (10..20).map(|i| format!("t{i}")).collect::<Vec<_>>());
        assert_eq!(kv.map.len(), MAX_TASKS_PER_DEPLOYMENT + 2); // and the marker and cursor
    }

    #[test]
    fn pruning_leaves_other_applications_keys_alone() {
        let mut kv = Store::default();
        kv.map
            .insert("other-app:session:42".into(), b"not ours".to_vec());
        kv.map
            .insert("task:ecs-svc/1:x".into(), b"not ours either".to_vec());
        mark_delivered(&mut kv, "e1", NOW - RETENTION_SECS - 1).unwrap();
        let pruned = prune(&mut kv, NOW).unwrap();
        assert_eq!(
            pruned,
            Pruned {
                listed: 1,
                deleted: 1
            }
        );
        kv.map.remove(CURSOR);
        assert_eq!(kv.map.len(), 2);
        assert!(kv.map.keys().all(|key| !key.starts_with(NAMESPACE)));
    }

    #[test]
    fn every_key_has_its_turn() {
        // Far more keys than one prune reads: successive prunes go round them all.
        let mut kv = Store::default();
        let old = NOW - RETENTION_SECS - 1;
        for i in 0..MAX_READS_PER_PRUNE * 3 {
            mark_delivered(&mut kv, &format!("e{i:04}"), old).unwrap();
        }
        let mut rounds = 0;
        while kv.map.len() > 1 {
            prune(&mut kv, NOW).unwrap();
            rounds += 1;
            assert!(
                rounds <= 3,
                "{} keys left after {rounds} prunes",
                kv.map.len()
            );
        }
    }

    #[test]
    fn delivered_ids_failures_and_rollbacks_are_remembered() {
        let mut kv = Store::default();
        assert!(!was_delivered(&mut kv, "e1", NOW).unwrap());
        mark_delivered(&mut kv, "e1", NOW).unwrap();
        assert!(was_delivered(&mut kv, "e1", NOW).unwrap());
        assert!(!was_delivered(&mut kv, "e2", NOW).unwrap());
        remember_failure(&mut kv, "a/b/c/d", "ecs-svc/2", NOW).unwrap();
        assert_eq!(
            failed_deployment(&mut kv, "a/b/c/d", NOW)
                .unwrap()
                .as_deref(),
            Some("ecs-svc/2")
        );
        let rollback = Rollback {
            deployment: "ecs-svc/3".into(),
            target: Some("ecs-svc/1".into()),
            failed: Some("ecs-svc/2".into()),
        };
        remember_rollback(&mut kv, &rollback, NOW).unwrap();
        assert_eq!(
            rollback_of(&mut kv, "ecs-svc/3", NOW).unwrap(),
            Some(rollback.clone())
        );
        assert_eq!(
            rollback_of(&mut kv, "ecs-svc/1", NOW).unwrap(),
            Some(rollback)
        );
        assert_eq!(rollback_of(&mut kv, "ecs-svc/2", NOW).unwrap(), None);
    }

    /// Takes a claim as the pipeline does, with `between` run where the pipeline waits.
    fn claim(kv: &mut Store, token: i64, now: u64, between: impl FnOnce(&mut Store)) -> Claim {
        match begin_claim(kv, "e1", token, now).unwrap() {
            Some(settled) => settled,
            None => {
                between(kv);
                confirm_claim(kv, "e1", token, now).unwrap()
            }
        }
    }

    #[test]
    fn of_two_overlapping_claims_one_wins() {
        // Both read "unclaimed" before either wrote: the later writer finds its token.
        let mut kv = Store::default();
        assert_eq!(begin_claim(&mut kv, "e1", 1, NOW).unwrap(), None);
        assert_eq!(
            begin_claim(&mut kv, "e1", 2, NOW).unwrap(),
            Some(Claim::InFlight)
        );
        let mut kv = Store::default();
        let first = begin_claim(&mut kv, "e1", 1, NOW).unwrap();
        let mut other = Store::default();
        let second = begin_claim(&mut other, "e1", 2, NOW).unwrap();
        assert_eq!((first, second), (None, None));
        kv.map.extend(other.map); // the second write lands after the first
        assert_eq!(
            confirm_claim(&mut kv, "e1", 1, NOW).unwrap(),
            Claim::InFlight
        );
        assert_eq!(confirm_claim(&mut kv, "e1", 2, NOW).unwrap(), Claim::Ours);
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
        mark_delivered(&mut kv, "e1", NOW).unwrap();
        assert_eq!(claim(&mut kv, 2, NOW + 1, |_| {}), Claim::Delivered);
        assert!(was_delivered(&mut kv, "e1", NOW).unwrap());
        // Delivered while we waited.
        let mut kv = Store::default();
        let late = claim(&mut kv, 1, NOW, |kv| mark_delivered(kv, "e1", NOW).unwrap());
        assert_eq!(late, Claim::Delivered);
        // Released after a failed post: the next delivery claims at once.
        let mut kv = Store::default();
        assert_eq!(claim(&mut kv, 1, NOW, |_| {}), Claim::Ours);
        release_claim(&mut kv, "e1").unwrap();
        assert!(kv.map.is_empty());
        assert_eq!(claim(&mut kv, 2, NOW, |_| {}), Claim::Ours);
        // Left by a stopped instance: it blocks for CLAIM_STALE_SECS, then is taken over.
        let fresh = NOW + CLAIM_STALE_SECS;
        assert_eq!(claim(&mut kv, 3, fresh, |_| {}), Claim::InFlight);
        assert_eq!(claim(&mut kv, 3, fresh + 1, |_| {}), Claim::Ours);
        // The mark outlives the claim: a redelivery a day later is still a duplicate.
        mark_delivered(&mut kv, "e1", fresh + 1).unwrap();
        assert_eq!(claim(&mut kv, 4, fresh + 86_400, |_| {}), Claim::Delivered);
    }

    #[test]
    fn marks_written_before_claims_existed_still_read_as_delivered() {
        // The encoding of a delivered mark is unchanged: `AT`, an empty number, the event id.
        let mut kv = Store::default();
        kv.map
            .insert(format!("{SENT}e1"), format!("{NOW}\n\ne1").into_bytes());
        assert_eq!(claim(&mut kv, 1, NOW, |_| {}), Claim::Delivered);
    }

    #[test]
    fn fnv1a_is_the_128_bit_fnv_1a() {
        // Keys and the prune decision depend on it: pinned to FNV-1a 128's reference values.
        assert_eq!(fnv1a(""), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(fnv1a("a"), 0xd228cb696f1a8caf78912b704e4a8964);
    }

    #[test]
    fn keys_stay_short_and_plain_whatever_the_ids() {
        let mut kv = Store::default();
        let long = "x:".repeat(10_000);
        mark_delivered(&mut kv, &long, NOW).unwrap();
        record_task(&mut kv, &task(&long, &long, NOW), NOW).unwrap();
        for key in kv.map.keys() {
            assert!(key.len() <= 128, "{key}");
            assert_eq!(
                key.matches(':').count(),
                if key.starts_with(TASK) { 2 } else { 1 },
                "{key}"
            );
        }
        assert!(was_delivered(&mut kv, &long, NOW).unwrap());
        assert!(!was_delivered(&mut kv, &"x:".repeat(9_999), NOW).unwrap());
    }

    #[test]
    fn ten_thousand_events_over_simulated_days_keep_the_store_bounded() {
        let mut kv = Store::default();
        let mut peak = 0;
        // One event a minute for a week: stopped tasks of ever new deployments (some with
        // far more than ten), deliveries, failures and rollbacks.
        for i in 0..10_000u64 {
            let now = NOW + i * 60;
            let deployment = format!("ecs-svc/{}", i / 40);
            let event_id = format!("event-{i}");
            match i % 4 {
                0 | 1 => record_task(&mut kv, &task(&deployment, &format!("t{i}"), now), now),
                2 => mark_delivered(&mut kv, &event_id, now),
                _ => remember_failure(&mut kv, &format!("service-{}", i % 97), &deployment, now),
            }
            .unwrap();
            // As the pipeline does, once the answer has left.
            if prune_due(&event_id) {
                prune(&mut kv, now).unwrap();
            }
            peak = peak.max(kv.map.len());
        }
        // 48 hours at one event a minute is 2,880 events; pruning keeps up with them.
        assert!(peak <= 2_880 + MAX_DELETES_PER_PRUNE * 2, "peak {peak}");
        assert!(
            kv.lists <= 10_000 / PRUNE_EVERY as usize * 2,
            "{} listings",
            kv.lists
        );
        let per_deployment = kv
            .map
            .keys()
            .filter_map(|k| k.strip_prefix(TASK)?.split(':').next())
            .fold(BTreeMap::<&str, usize>::new(), |mut counts, d| {
                *counts.entry(d).or_default() += 1;
                counts
            });
        assert!(
            per_deployment
                .values()
                .all(|&n| n <= MAX_TASKS_PER_DEPLOYMENT + PRUNE_EVERY as usize)
        );
    }
}
