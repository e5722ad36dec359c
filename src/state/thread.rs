//! App mode's threads: for each deployment whose story started a thread, where its parent
//! message is and what it shows; for the deployments a rollback names, a link to that thread;
//! and for each service with a story still open, the deployment whose thread it is.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{KeyValue, RETENTION_SECS, StoreError, keys, read, write_until};
use crate::bot::UserId;
use crate::remembered::{Ack, Cause, Decision, HookNews, Rollback, Status};

/// A deployment's thread: where its parent is, what the story it tells has come to, and what
/// the parent last showed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Thread {
    /// The deployment whose thread it is.
    pub deployment: String,
    /// The channel the parent is in.
    pub channel: String,
    /// The parent's `ts`: every reply's `thread_ts`.
    pub ts: String,
    /// The event the parent was drawn from first; none when it was too large to keep (the
    /// parent is then never rewritten).
    pub event: Option<Box<RawValue>>,
    /// The story's failure, when it came after another event drew the parent: the parent is
    /// drawn from it from then on, with its Why.
    pub failure: Option<Box<RawValue>>,
    /// The story's rollback, if any.
    pub rollback: Option<Rollback>,
    /// The deployment whose stopped tasks the parent's Why shows, if it shows one (a failed
    /// rollback's parent shows the rollback's).
    pub why_of: Option<String>,
    /// Where the story stands.
    pub status: Option<Status>,
    /// The causes the parent's Why showed when last drawn.
    pub causes: Vec<Cause>,
    /// False once Slack refused to edit the parent: later news goes to replies only.
    pub editable: bool,
    /// False once Slack refused a reply in the thread: later messages post on their own.
    pub replies: bool,
    /// The earliest of the story's own event times (Unix seconds).
    pub since: Option<u64>,
    /// The latest of the story's own event times (Unix seconds): the story window counts
    /// from it.
    pub at: Option<u64>,
    /// Counts the changes to what the parent must show.
    pub revision: u32,
    /// The revision Slack last took: the parent's rewrite is pending while it is behind.
    pub shown: u32,
    /// The hook the parent was drawn from first (its id), when a hook's event started the
    /// thread.
    #[serde(default)]
    pub hook: Option<String>,
    /// How that hook ended, once it did: the parent shows it.
    #[serde(default)]
    pub hook_outcome: Option<HookNews>,
    /// The story's service deployment (its ARN), once a hook's event named it.
    #[serde(default)]
    pub service_deployment: Option<String>,
    /// Until when a pause of the story waits, by the events' own clock (Unix seconds): the
    /// story stays open at least that long.
    #[serde(default)]
    pub open_until: Option<u64>,
    /// The same, by the host's clock: the thread is kept at least that long, and the usual
    /// retention after it.
    #[serde(default)]
    pub kept_until: Option<u64>,
    /// Who said they are on it, first first: the parent shows them.
    #[serde(default)]
    pub acks: Vec<Ack>,
    /// How a person ended the parent's pause from Slack: the parent shows it.
    #[serde(default)]
    pub decision: Option<Decision>,
}

/// What a parent shows: the story's status, whether it is drawn from a late failure, the
/// rollback, whose Why, how its hook ended, who is on it and who ended its pause.
type Drawn = (
    Option<Status>,
    bool,
    Option<Rollback>,
    Option<String>,
    Option<HookNews>,
    usize,
    bool,
);

impl Thread {
    /// Whether `user` is among those on it.
    pub fn is_on_it(&self, user: &UserId) -> bool {
        self.acks.iter().any(|known| &known.user == user)
    }

    /// The thread of `deployment` whose parent Slack posted in `channel` as `ts`, knowing
    /// nothing yet of its story: editable, taking replies, at revision 0.
    pub fn new(deployment: String, channel: String, ts: String) -> Self {
        Self {
            deployment,
            channel,
            ts,
            event: None,
            failure: None,
            rollback: None,
            why_of: None,
            status: None,
            causes: Vec::new(),
            editable: true,
            replies: true,
            since: None,
            at: None,
            revision: 0,
            shown: 0,
            hook: None,
            hook_outcome: None,
            service_deployment: None,
            open_until: None,
            kept_until: None,
            acks: Vec::new(),
            decision: None,
        }
    }

    /// Whether the parent shows less than the story now says: a rewrite is pending.
    pub fn pending(&self) -> bool {
        self.editable && self.shown < self.revision
    }

    /// What the parent shows, as far as a change of it needs a rewrite.
    fn drawn(&self) -> Drawn {
        (
            self.status.clone(),
            self.failure.is_some(),
            self.rollback.clone(),
            self.why_of.clone(),
            self.hook_outcome,
            self.acks.len(),
            self.decision.is_some(),
        )
    }

    /// Until when its records are kept: past the usual retention while a pause waits.
    fn keep_until(&self) -> Option<u64> {
        self.kept_until.map(|until| until + RETENTION_SECS)
    }

    /// Takes in what `other` knows and this does not: the story never moves back, a failure
    /// and a rollback once known stay known, causes shown stay shown, and a parent or thread
    /// Slack refused stays refused.
    fn absorb(&mut self, other: &Thread) {
        if let Some(status) = other
            .status
            .as_ref()
            .filter(|s| s.moves(self.status.as_ref()))
        {
            self.status = Some(status.clone());
        }
        if self.failure.is_none() && other.failure.is_some() {
            self.failure.clone_from(&other.failure);
            self.why_of.clone_from(&other.why_of);
        }
        self.why_of = self.why_of.take().or_else(|| other.why_of.clone());
        // A rollback once known is replaced only by one that knows the failure it follows.
        let learns = match (&self.rollback, &other.rollback) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(kept), Some(new)) => kept.failed.is_none() && new.failed.is_some(),
        };
        if learns {
            self.rollback.clone_from(&other.rollback);
        }
        for cause in &other.causes {
            if !self.causes.contains(cause) {
                self.causes.push(cause.clone());
            }
        }
        // A hook has one outcome; the first known stays.
        self.hook = self.hook.take().or_else(|| other.hook.clone());
        self.hook_outcome = self.hook_outcome.or(other.hook_outcome);
        self.decision = self.decision.take().or_else(|| other.decision.clone());
        // Each person once, at their first press.
        for ack in &other.acks {
            if !self.is_on_it(&ack.user) {
                self.acks.push(ack.clone());
            }
        }
        self.service_deployment = self
            .service_deployment
            .take()
            .or_else(|| other.service_deployment.clone());
        self.open_until = self.open_until.max(other.open_until);
        self.kept_until = self.kept_until.max(other.kept_until);
        self.editable &= other.editable;
        self.replies &= other.replies;
        self.at = self.at.max(other.at);
        self.since = match (self.since, other.since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.shown = self.shown.max(other.shown);
        self.revision = self.revision.max(other.revision);
    }
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

/// The first thread that one of `deployments` belongs to, and the place in `deployments` of
/// the one that found it (those before it have no thread of their own).
pub fn first_thread(
    kv: &mut impl KeyValue,
    deployments: &[&str],
    now: u64,
) -> Result<Option<(usize, Thread)>, StoreError> {
    for (at, deployment) in deployments.iter().enumerate() {
        if let Some(thread) = thread_of(kv, deployment, now)? {
            return Ok(Some((at, thread)));
        }
    }
    Ok(None)
}

/// Keeps a new thread's parent.
pub fn save(kv: &mut impl KeyValue, thread: &Thread, now: u64) -> Result<(), StoreError> {
    write_until(
        kv,
        &keys::thread(&thread.deployment),
        &Entry::Parent(Box::new(thread.clone())),
        now,
        thread.keep_until(),
    )
}

/// Keeps `change` merged with what the store holds now (another delivery may have kept
/// something since this one read it: no claim guards a thread), and returns what is kept. The
/// revision goes up when the merge changes what the parent must show, or when `redraw` says
/// the parent must be drawn again anyway (a cause it does not show).
pub fn update(
    kv: &mut impl KeyValue,
    change: &Thread,
    redraw: bool,
    now: u64,
) -> Result<Thread, StoreError> {
    let key = keys::thread(&change.deployment);
    let Some(Entry::Parent(kept)) = read::<Entry>(kv, &key, now)? else {
        save(kv, change, now)?;
        return Ok(change.clone());
    };
    let mut merged = *kept;
    let before = merged.drawn();
    merged.absorb(change);
    if redraw || merged.drawn() != before {
        merged.revision += 1;
    }
    save(kv, &merged, now)?;
    Ok(merged)
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
    write_until(
        kv,
        &keys::thread(deployment),
        &Entry::Link(thread.deployment.clone()),
        now,
        thread.keep_until(),
    )
}

/// The thread of `service`'s latest story (by its identity), if any: whether an event joins
/// it is the story's to say, by its status and window.
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

/// Makes `thread` the one of `service`'s latest story.
pub fn set_service_thread(
    kv: &mut impl KeyValue,
    service: &str,
    thread: &Thread,
    now: u64,
) -> Result<(), StoreError> {
    write_until(
        kv,
        &keys::service_thread(service),
        &thread.deployment,
        now,
        thread.keep_until(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, Store};
    use super::*;

    fn thread(deployment: &str) -> Thread {
        Thread {
            event: RawValue::from_string(r#"{"id":"e1"}"#.into()).ok(),
            why_of: Some(deployment.into()),
            status: Some(Status::Failed),
            since: Some(NOW),
            at: Some(NOW),
            ..Thread::new(
                deployment.into(),
                "C0ALERTS".into(),
                "1795737600.000100".into(),
            )
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
        let (at, found) = first_thread(&mut kv, &["ecs-svc/9", "ecs-svc/2"], NOW)
            .unwrap()
            .unwrap();
        assert_eq!((at, found.ts.as_str()), (1, "1795737600.000100"));
        assert!(thread_of(&mut kv, "ecs-svc/9", NOW).unwrap().is_none());
        // Threads last as long as everything else: 48 hours.
        assert!(
            thread_of(&mut kv, "ecs-svc/2", NOW + 49 * 3600)
                .unwrap()
                .is_none()
        );

        assert!(service_thread(&mut kv, "svc", NOW).unwrap().is_none());
        set_service_thread(&mut kv, "svc", &failed, NOW).unwrap();
        let latest = service_thread(&mut kv, "svc", NOW).unwrap().unwrap();
        assert_eq!(latest.deployment, "ecs-svc/1");
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
        let returned = update(&mut kv, &older, false, NOW).unwrap();
        let kept = thread_of(&mut kv, "ecs-svc/1", NOW).unwrap().unwrap();
        assert_eq!(kept.status, Some(Status::RolledBack(None)));
        assert_eq!(kept.causes, older.causes);
        assert!(!kept.editable);
        assert_eq!(returned.causes, kept.causes);
        // Nothing the parent shows changed: no rewrite is owed.
        assert_eq!((kept.revision, kept.pending()), (0, false));
    }

    #[test]
    fn a_merge_keeps_what_is_known_and_learns_only_more() {
        let rollback = |failed: Option<&str>, target: &str| Rollback {
            deployment: Some("ecs-svc/2".into()),
            target: Some(target.into()),
            failed: failed.map(str::to_owned),
            at: Some(NOW),
        };
        let mut kept = thread("ecs-svc/1");
        kept.rollback = Some(rollback(None, "ecs-svc/0"));
        // A change that knows no Why and no rollback takes neither away.
        let mut bare = thread("ecs-svc/1");
        bare.why_of = None;
        let mut merged = kept.clone();
        merged.absorb(&bare);
        assert_eq!(merged.why_of.as_deref(), Some("ecs-svc/1"));
        assert_eq!(merged.rollback, kept.rollback);
        // A rollback that knows no more does not replace the one kept; one that knows its
        // failure does.
        let mut same = thread("ecs-svc/1");
        same.rollback = Some(rollback(None, "ecs-svc/other"));
        merged.absorb(&same);
        assert_eq!(merged.rollback, kept.rollback);
        let mut knows = thread("ecs-svc/1");
        knows.rollback = Some(rollback(Some("ecs-svc/1"), "ecs-svc/0"));
        merged.absorb(&knows);
        assert_eq!(merged.rollback, knows.rollback);
        // A failure kept later brings its Why; none comes back over it.
        let mut late = thread("ecs-svc/1");
        late.failure = RawValue::from_string(r#"{"id":"f"}"#.into()).ok();
        late.why_of = Some("ecs-svc/9".into());
        merged.absorb(&late);
        merged.absorb(&bare);
        assert_eq!(merged.why_of.as_deref(), Some("ecs-svc/9"));
        assert!(merged.failure.is_some());
    }

    #[test]
    fn a_change_of_what_the_parent_shows_is_pending_until_shown() {
        let mut kv = Store::default();
        save(&mut kv, &thread("ecs-svc/1"), NOW).unwrap();
        let mut moved = thread("ecs-svc/1");
        moved.status = Some(Status::RollingBack(None));
        let kept = update(&mut kv, &moved, false, NOW).unwrap();
        assert_eq!((kept.revision, kept.pending()), (1, true));
        // A delivery that drew the older story lands later: the status stays, and so does
        // what is owed.
        let mut stale = thread("ecs-svc/1");
        stale.shown = 0;
        let kept = update(&mut kv, &stale, false, NOW).unwrap();
        assert_eq!(kept.status, Some(Status::RollingBack(None)));
        assert!(kept.pending());
        // Shown: nothing owed; a cause the parent does not show owes a rewrite again.
        let mut shown = kept.clone();
        shown.shown = kept.revision;
        assert!(!update(&mut kv, &shown, false, NOW).unwrap().pending());
        let kept = update(&mut kv, &shown, true, NOW).unwrap();
        assert_eq!((kept.revision, kept.pending()), (2, true));
        // A parent Slack will not edit owes nothing.
        let mut refused = kept.clone();
        refused.editable = false;
        assert!(!update(&mut kv, &refused, false, NOW).unwrap().pending());
    }
}
