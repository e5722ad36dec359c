//! The state as a whole over an in-memory store: tasks, failures, rollbacks, expiry, pruning.

use std::collections::BTreeMap;

use super::prune::{
    MAX_DELETES_PER_PRUNE, MAX_READS_PER_PRUNE, PRUNE_EVERY, Pruned, prune, prune_due,
};
use super::*;
use crate::remembered::Cause;

/// An in-memory store that counts operations.
#[derive(Default)]
pub(super) struct Store {
    pub(super) map: BTreeMap<String, Vec<u8>>,
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

/// 2026-11-27T00:00:00Z.
pub(super) const NOW: u64 = 1_795_737_600;

fn task(deployment: &str, id: &str, stopped_at: u64) -> StoppedTask {
    StoppedTask {
        deployment: deployment.into(),
        task_id: id.into(),
        started_at: None,
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

fn ids(tasks: Vec<StoppedTask>) -> Vec<String> {
    tasks.into_iter().map(|t| t.task_id).collect()
}

#[test]
fn tasks_are_kept_per_deployment_and_a_redelivery_is_stored_once() {
    let mut kv = Store::default();
    record_task(&mut kv, &task("ecs-svc/1", "a", NOW - 20), NOW).unwrap();
    record_task(&mut kv, &task("ecs-svc/1", "b", NOW - 10), NOW).unwrap();
    record_task(&mut kv, &task("ecs-svc/1", "a", NOW - 20), NOW).unwrap();
    record_task(&mut kv, &task("ecs-svc/2", "c", NOW - 5), NOW).unwrap();
    assert_eq!(
        ids(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap()),
        ["a", "b"]
    );
    assert_eq!(tasks_of(&mut kv, "ecs-svc/2", NOW).unwrap().len(), 1);
    assert!(tasks_of(&mut kv, "ecs-svc/3", NOW).unwrap().is_empty());
    record_task(&mut kv, &task("ecs-svc/10", "d", NOW), NOW).unwrap();
    assert_eq!(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap().len(), 2);
}

#[test]
fn before_a_prune_twice_the_cap_is_read_and_the_first_to_stop_are_kept() {
    let mut kv = Store::default();
    // 20 tasks, the later a key sorts the earlier it stopped: the first ten to stop are the
    // last keys, which only a read of twice the cap reaches.
    for n in 0..20u64 {
        let id = format!("t{n:02}");
        record_task(&mut kv, &task("ecs-svc/1", &id, NOW - n), NOW).unwrap();
    }
    let kept = ids(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap());
    let first_to_stop: Vec<String> = (10..20).rev().map(|n| format!("t{n}")).collect();
    assert_eq!(kept, first_to_stop);
}

#[test]
fn a_task_reads_back_as_it_was_recorded() {
    let mut kv = Store::default();
    let mut tricky = task("ecs-svc/1", "a", NOW);
    tricky.cause.reason = Some("line one\nline \\two\\n \\".into());
    tricky.cause.exit_code = Some(-137);
    tricky.image = None;
    record_task(&mut kv, &tricky, NOW).unwrap();
    assert_eq!(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap(), [tricky]);
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
    claim::mark_delivered(&mut kv, &keys::sent("event-1"), None, old).unwrap();
    let mut failed = links::ServiceLinks::default();
    failed.add_failure("ecs-svc/1", old);
    failed.write(&mut kv, "svc", old).unwrap();
    assert!(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap().is_empty());
    let read = |kv: &mut Store, now| links::ServiceLinks::read(kv, "svc", now).unwrap();
    assert_eq!(read(&mut kv, NOW), links::ServiceLinks::default());
    assert_eq!(read(&mut kv, old), failed);
    // A value that does not read (an older format) is pruned like an expired one.
    kv.map
        .insert(keys::sent("event-0"), b"1795737600\n\nevent-0".to_vec());
    let pruned = prune(&mut kv, NOW).unwrap();
    assert_eq!(
        pruned,
        Pruned {
            listed: 5,
            deleted: 5
        }
    );
    // Only the prune's own cursor is left.
    assert_eq!(kv.map.keys().collect::<Vec<_>>(), [keys::CURSOR]);
}

#[test]
fn a_record_kept_longer_lives_until_then_and_the_usual_retention_after() {
    let mut kv = Store::default();
    let until = NOW + 10 * 24 * 3600;
    write_until(
        &mut kv,
        "ecs-deploy-alerts/x:long",
        &"paused",
        NOW,
        Some(until),
    )
    .unwrap();
    // An `until` within the usual retention changes nothing.
    write_until(
        &mut kv,
        "ecs-deploy-alerts/x:short",
        &"x",
        NOW,
        Some(NOW + 60),
    )
    .unwrap();
    let read = |kv: &mut Store, key: &str, now| read::<String>(kv, key, now).unwrap();
    let later = NOW + RETENTION_SECS + 1;
    assert_eq!(read(&mut kv, "ecs-deploy-alerts/x:short", later), None);
    assert_eq!(
        read(&mut kv, "ecs-deploy-alerts/x:long", later).as_deref(),
        Some("paused")
    );
    assert_eq!(
        read(&mut kv, "ecs-deploy-alerts/x:long", until).as_deref(),
        Some("paused")
    );
    assert_eq!(prune(&mut kv, until).unwrap().deleted, 1);
    assert_eq!(read(&mut kv, "ecs-deploy-alerts/x:long", until + 1), None);
    assert_eq!(prune(&mut kv, until + 1).unwrap().deleted, 1);
}

#[test]
fn prune_keeps_the_first_tasks_of_a_deployment() {
    let mut kv = Store::default();
    write(&mut kv, &keys::marker("ecs-svc/1"), &"ecs-svc/1", NOW).unwrap();
    for i in 10..35u64 {
        let task = task("ecs-svc/1", &format!("t{i}"), NOW - 100 + i);
        write(&mut kv, &keys::task("ecs-svc/1", &task.task_id), &task, NOW).unwrap();
    }
    prune(&mut kv, NOW).unwrap();
    let kept = ids(tasks_of(&mut kv, "ecs-svc/1", NOW).unwrap());
    assert_eq!(kept, (10..20).map(|i| format!("t{i}")).collect::<Vec<_>>());
    assert_eq!(kv.map.len(), MAX_TASKS_PER_DEPLOYMENT + 2); // and the marker and cursor
}

#[test]
fn pruning_leaves_other_applications_keys_alone() {
    let mut kv = Store::default();
    kv.map
        .insert("other-app:session:42".into(), b"not ours".to_vec());
    kv.map
        .insert("task:ecs-svc/1:x".into(), b"not ours either".to_vec());
    claim::mark_delivered(&mut kv, &keys::sent("e1"), None, NOW - RETENTION_SECS - 1).unwrap();
    let pruned = prune(&mut kv, NOW).unwrap();
    assert_eq!(
        pruned,
        Pruned {
            listed: 1,
            deleted: 1
        }
    );
    kv.map.remove(keys::CURSOR);
    assert_eq!(kv.map.len(), 2);
    assert!(kv.map.keys().all(|key| !key.starts_with(keys::NAMESPACE)));
}

#[test]
fn every_key_has_its_turn() {
    // Far more keys than one prune reads: successive prunes go round them all.
    let mut kv = Store::default();
    let old = NOW - RETENTION_SECS - 1;
    for i in 0..MAX_READS_PER_PRUNE * 3 {
        claim::mark_delivered(&mut kv, &keys::sent(&format!("e{i:04}")), None, old).unwrap();
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
fn rollbacks_are_remembered() {
    let mut kv = Store::default();
    let rollback = Rollback {
        deployment: Some("ecs-svc/3".into()),
        target: Some("ecs-svc/1".into()),
        failed: Some("ecs-svc/2".into()),
        at: Some(NOW),
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
    // Without its own deployment id, under its target alone.
    let anonymous = Rollback {
        deployment: None,
        target: Some("ecs-svc/7".into()),
        failed: None,
        at: None,
    };
    remember_rollback(&mut kv, &anonymous, NOW).unwrap();
    assert_eq!(
        rollback_of(&mut kv, "ecs-svc/7", NOW).unwrap(),
        Some(anonymous)
    );
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
            2 => claim::mark_delivered(&mut kv, &keys::sent(&event_id), None, now),
            _ => {
                let service = format!("service-{}", i % 97);
                let mut failed = links::ServiceLinks::read(&mut kv, &service, now).unwrap();
                failed.add_failure(&deployment, now);
                failed.write(&mut kv, &service, now)
            }
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
        .filter_map(|k| k.strip_prefix(keys::TASK)?.split(':').next())
        .fold(BTreeMap::<&str, usize>::new(), |mut counts, d| {
            *counts.entry(d).or_default() += 1;
            counts
        });
    assert!(
        per_deployment
            .values()
            .all(|&n| n <= MAX_TASKS_PER_DEPLOYMENT + PRUNE_EVERY as usize)
    );
    assert!(kv.writes > 0);
}
