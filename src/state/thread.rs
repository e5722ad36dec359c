//! App mode's threads: for each deployment whose story started a thread, where its parent
//! message is and what it shows; for the deployments a rollback names, a link to that thread;
//! and for each service with a story still open, the deployment whose thread it is.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{KeyValue, StoreError, keys, read, write};
use crate::remembered::{Cause, Rollback, Status};

/// A deployment's thread: where its parent is, and what is needed to draw it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Thread {
    /// The deployment whose thread it is.
    pub deployment: String,
    /// The channel the parent is in.
    pub channel: String,
    /// The parent's `ts`: every reply's `thread_ts`.
    pub ts: String,
    /// The event the parent was drawn from; none when it was too large to keep (the parent is
    /// then never rewritten).
    pub event: Option<Box<RawValue>>,
    /// The rollback the parent told of, if any.
    pub rollback: Option<Rollback>,
    /// The deployment whose stopped tasks the parent's Why shows, if it shows one (a failed
    /// rollback's parent shows the rollback's).
    pub why_of: Option<String>,
    /// Where the story stands, as the parent shows it.
    pub status: Option<Status>,
    /// The causes the parent's Why shows.
    pub causes: Vec<Cause>,
    /// False once Slack refused to edit the parent: later news goes to replies only.
    pub editable: bool,
}

/// What a deployment's thread key holds.
#[derive(Serialize, Deserialize)]
enum Entry {
    /// The deployment's own thread.
    Parent(Box<Thread>),
    /// The deployment belongs to this deployment's thread.
    Link(String),
}

/// The thread `deployment` belongs to: its own, or the one its link names.
pub fn thread_of(
    kv: &mut impl KeyValue,
    deployment: &str,
    now: u64,
) -> Result<Option<Thread>, StoreError> {
    match read::<Entry>(kv, &keys::thread(deployment), now)? {
        Some(Entry::Parent(thread)) => Ok(Some(*thread)),
        // One step only: links always name a deployment with a thread of its own.
        Some(Entry::Link(owner)) => match read::<Entry>(kv, &keys::thread(&owner), now)? {
            Some(Entry::Parent(thread)) => Ok(Some(*thread)),
            _ => Ok(None),
        },
        None => Ok(None),
    }
}

/// The first thread that one of `deployments` belongs to.
pub fn first_thread(
    kv: &mut impl KeyValue,
    deployments: &[&str],
    now: u64,
) -> Result<Option<Thread>, StoreError> {
    for deployment in deployments {
        if let Some(thread) = thread_of(kv, deployment, now)? {
            return Ok(Some(thread));
        }
    }
    Ok(None)
}

/// Keeps a new thread's parent.
pub fn save(kv: &mut impl KeyValue, thread: &Thread, now: u64) -> Result<(), StoreError> {
    write(
        kv,
        &keys::thread(&thread.deployment),
        &Entry::Parent(Box::new(thread.clone())),
        now,
    )
}

/// Keeps what a thread's parent now shows, merged with what another delivery may have kept
/// since this one read it (no claim guards a rewrite): the story never moves back, causes
/// shown stay shown, and a parent Slack would not edit stays so.
pub fn update(kv: &mut impl KeyValue, thread: &Thread, now: u64) -> Result<(), StoreError> {
    let mut merged = thread.clone();
    if let Some(Entry::Parent(kept)) = read::<Entry>(kv, &keys::thread(&thread.deployment), now)? {
        if let Some(status) = kept.status.filter(|s| s.moves(merged.status.as_ref())) {
            merged.status = Some(status);
        }
        for cause in kept.causes {
            if !merged.causes.contains(&cause) {
                merged.causes.push(cause);
            }
        }
        merged.editable &= kept.editable;
    }
    save(kv, &merged, now)
}

/// Links `deployment` to `thread`, unless it is the thread's own.
pub fn link(
    kv: &mut impl KeyValue,
    deployment: &str,
    thread: &Thread,
    now: u64,
) -> Result<(), StoreError> {
    if deployment == thread.deployment {
        return Ok(());
    }
    write(
        kv,
        &keys::thread(deployment),
        &Entry::Link(thread.deployment.clone()),
        now,
    )
}

/// The thread of the story `service` (by its identity) has open, if any.
pub fn service_thread(
    kv: &mut impl KeyValue,
    service: &str,
    now: u64,
) -> Result<Option<Thread>, StoreError> {
    match read::<String>(kv, &keys::service_thread(service), now)? {
        Some(deployment) => thread_of(kv, &deployment, now),
        None => Ok(None),
    }
}

/// Opens `service`'s story in `thread`: its service actions go there until the story ends.
pub fn open_for_service(
    kv: &mut impl KeyValue,
    service: &str,
    thread: &Thread,
    now: u64,
) -> Result<(), StoreError> {
    write(kv, &keys::service_thread(service), &thread.deployment, now)
}

/// Closes `service`'s story: its service actions post on their own again.
pub fn close_for_service(kv: &mut impl KeyValue, service: &str) -> Result<(), StoreError> {
    kv.delete(&keys::service_thread(service))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, Store};
    use super::*;

    fn thread(deployment: &str) -> Thread {
        Thread {
            deployment: deployment.into(),
            channel: "C0ALERTS".into(),
            ts: "1795737600.000100".into(),
            event: RawValue::from_string(r#"{"id":"e1"}"#.into()).ok(),
            rollback: None,
            why_of: Some(deployment.into()),
            status: Some(Status::Failed),
            causes: Vec::new(),
            editable: true,
        }
    }

    #[test]
    fn links_lead_to_the_thread_and_services_to_theirs() {
        let mut kv = Store::default();
        let failed = thread("ecs-svc/1");
        save(&mut kv, &failed, NOW).unwrap();
        link(&mut kv, "ecs-svc/2", &failed, NOW).unwrap();
        link(&mut kv, "ecs-svc/1", &failed, NOW).unwrap();
        for deployment in ["ecs-svc/1", "ecs-svc/2"] {
            let found = thread_of(&mut kv, deployment, NOW).unwrap().unwrap();
            assert_eq!(found.deployment, "ecs-svc/1");
            assert_eq!(found.event.unwrap().get(), r#"{"id":"e1"}"#);
        }
        let found = first_thread(&mut kv, &["ecs-svc/9", "ecs-svc/2"], NOW).unwrap();
        assert_eq!(found.unwrap().ts, "1795737600.000100");
        assert!(thread_of(&mut kv, "ecs-svc/9", NOW).unwrap().is_none());
        // Threads last as long as everything else: 48 hours.
        assert!(
            thread_of(&mut kv, "ecs-svc/2", NOW + 49 * 3600)
                .unwrap()
                .is_none()
        );

        open_for_service(&mut kv, "svc", &failed, NOW).unwrap();
        let open = service_thread(&mut kv, "svc", NOW).unwrap().unwrap();
        assert_eq!(open.deployment, "ecs-svc/1");
        close_for_service(&mut kv, "svc").unwrap();
        assert!(service_thread(&mut kv, "svc", NOW).unwrap().is_none());
    }

    #[test]
    fn an_update_keeps_what_another_delivery_kept_meanwhile() {
        let mut kv = Store::default();
        let mut newer = thread("ecs-svc/1");
        newer.status = Some(Status::RolledBack(None));
        newer.editable = false;
        save(&mut kv, &newer, NOW).unwrap();
        // A delivery that read the thread before: the story stood at "failed" then.
        let mut older = thread("ecs-svc/1");
        older.causes.push(Cause {
            container: Some("app".into()),
            exit_code: Some(1),
            reason: None,
        });
        update(&mut kv, &older, NOW).unwrap();
        let kept = thread_of(&mut kv, "ecs-svc/1", NOW).unwrap().unwrap();
        assert_eq!(kept.status, Some(Status::RolledBack(None)));
        assert_eq!(kept.causes, older.causes);
        assert!(!kept.editable);
    }
}
