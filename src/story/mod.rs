//! The deployment's story: from a [`Fact`] and what the store remembers, decide what to tell
//! the channel (a failure with its causes, a rollback and its outcome, a service action), and
//! remember what later events will need. Only the kinds in `notify` are posted, and the store
//! is read only for what a message that posts will show.

pub mod causes;
pub mod notify;
pub mod thread;

use crate::classify::{Action, Deployment, Fact, Hook, Level, Service};
use crate::remembered::{HookNews, Rollback};
use crate::state::links::{self, ServiceLinks};
use crate::state::{self, KeyValue, StoreError, pause};
use causes::{Why, group_causes};
use notify::{Kind, Notify};

/// What to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'f, 'a> {
    /// An ordinary deployment failed.
    DeploymentFailed {
        /// The failure.
        deployment: &'f Deployment<'a>,
        /// Why.
        why: Why,
        /// The rollback that follows it, when its notice came first.
        followed_by: Option<Rollback>,
    },
    /// A rollback failed.
    RollbackFailed {
        /// The failure.
        deployment: &'f Deployment<'a>,
        /// The rollback.
        rollback: Rollback,
        /// Why.
        why: Why,
    },
    /// The circuit breaker is rolling back.
    RollingBack {
        /// The rollback deployment.
        deployment: &'f Deployment<'a>,
        /// What it rolls back to and what failed, when known.
        rollback: Rollback,
    },
    /// A rollback completed: the service is steady again.
    RolledBack {
        /// The completion.
        deployment: &'f Deployment<'a>,
        /// The rollback.
        rollback: Rollback,
    },
    /// A service action of level WARN or ERROR.
    ServiceAction(&'f Action<'a>),
    /// An ordinary deployment started.
    DeploymentStarted(&'f Deployment<'a>),
    /// An ordinary deployment completed.
    DeploymentCompleted(&'f Deployment<'a>),
    /// A lifecycle hook's news.
    Hook {
        /// The hook's event.
        hook: &'f Hook<'a>,
        /// What it tells: the event's own news, or, for a thread's parent drawn again from a
        /// pause, how the pause ended.
        news: HookNews,
    },
}

/// What a message is about: a deployment's event, a hook's, or a service action.
pub enum About<'m, 'a> {
    /// A deployment's event.
    Deployment(&'m Deployment<'a>),
    /// A lifecycle hook's event.
    Hook(&'m Hook<'a>),
    /// A service action.
    Action(&'m Action<'a>),
}

impl<'a> Message<'_, 'a> {
    /// What it is about.
    pub fn about(&self) -> About<'_, 'a> {
        match self {
            Message::DeploymentFailed { deployment, .. }
            | Message::RollbackFailed { deployment, .. }
            | Message::RollingBack { deployment, .. }
            | Message::RolledBack { deployment, .. }
            | Message::DeploymentStarted(deployment)
            | Message::DeploymentCompleted(deployment) => About::Deployment(deployment),
            Message::ServiceAction(action) => About::Action(action),
            Message::Hook { hook, .. } => About::Hook(hook),
        }
    }

    /// The service it is about.
    pub fn service(&self) -> &Service<'a> {
        match self.about() {
            About::Deployment(deployment) => &deployment.service,
            About::Hook(hook) => &hook.service,
            About::Action(action) => &action.service,
        }
    }

    /// The `notify` kinds that post it (any one of them does).
    pub fn kinds(&self) -> &'static [Kind] {
        match self {
            Message::DeploymentFailed { .. } => &[Kind::DeploymentFailed],
            // An alert: it posts for whoever watches failures or rollbacks.
            Message::RollbackFailed { .. } => &[Kind::DeploymentFailed, Kind::Rollback],
            Message::RollingBack { .. } | Message::RolledBack { .. } => &[Kind::Rollback],
            Message::ServiceAction(_) => &[Kind::ServiceAction],
            Message::DeploymentStarted(_) => &[Kind::DeploymentStarted],
            Message::DeploymentCompleted(_) => &[Kind::DeploymentCompleted],
            Message::Hook { news, .. } => hook_kinds(*news),
        }
    }

    /// Whether it is an alert (someone must act) rather than a notice or a recovery: a
    /// waiting pause needs a person, as a failure does.
    pub fn is_alert(&self) -> bool {
        match self {
            Message::DeploymentFailed { .. } | Message::RollbackFailed { .. } => true,
            Message::ServiceAction(action) => action.level == Level::Error,
            Message::Hook { news, .. } => matches!(
                news,
                HookNews::Waiting | HookNews::Failed | HookNews::TimedOut
            ),
            _ => false,
        }
    }
}

/// The `notify` kinds that post a hook's news.
fn hook_kinds(news: HookNews) -> &'static [Kind] {
    match news {
        HookNews::Waiting | HookNews::Continued | HookNews::RollbackChosen => &[Kind::HookWaiting],
        HookNews::Failed | HookNews::TimedOut => &[Kind::HookFailed],
        HookNews::Running | HookNews::Passed => &[Kind::HookProgress],
    }
}

/// The kinds a fact can become, before the store says which.
fn possible_kinds(fact: &Fact) -> &'static [Kind] {
    match fact {
        // A failure may turn out to be a failed rollback, a completion a rollback's end.
        Fact::DeploymentFailed(_) => &[Kind::DeploymentFailed, Kind::Rollback],
        Fact::DeploymentCompleted(_) => &[Kind::DeploymentCompleted, Kind::Rollback],
        // A notice whose rollback failed before it came tells that failure.
        Fact::RollbackStarted { .. } => &[Kind::Rollback, Kind::DeploymentFailed],
        Fact::DeploymentStarted(_) => &[Kind::DeploymentStarted],
        Fact::ServiceAction(_) => &[Kind::ServiceAction],
        Fact::Hook(hook) => hook_kinds(hook.news),
        Fact::StoppedTask(_) | Fact::Covered { .. } | Fact::Ignored { .. } => &[],
    }
}

/// Whether `fact` can become a message that `notify` posts: when not, the event is decided
/// (for what later events need) but never claimed nor posted. An ordinary completion posts
/// only as a rollback's end when `notify` leaves completions out: one read tells, before any
/// claim is written (a store that fails to tell counts as "may").
pub fn may_post(fact: &Fact, notify: Notify, kv: &mut impl KeyValue, now: u64) -> bool {
    if let Fact::DeploymentCompleted(deployment) = fact
        && !notify.includes(Kind::DeploymentCompleted)
    {
        return notify.includes(Kind::Rollback)
            && deployment
                .deployment_id
                .as_deref()
                .is_some_and(|id| !matches!(state::rollback_of(kv, id, now), Ok(None)));
    }
    notify.includes_any(possible_kinds(fact))
}

/// What the story decided about one event.
#[derive(Debug)]
pub struct Decision<'f, 'a> {
    /// The message to post, or why nothing is posted.
    pub message: Result<Message<'f, 'a>, String>,
    /// Whether the store failed along the way (the message then lacks what it would recall).
    pub store_failed: bool,
}

/// Recalls what `fact` needs, remembers what later events will need, and decides what to post.
/// A store that fails costs the message its detail, never the message.
pub fn decide<'f, 'a>(
    fact: &'f Fact<'a>,
    kv: &mut impl KeyValue,
    notify: Notify,
    now: u64,
) -> Decision<'f, 'a> {
    let mut store_failed = false;
    let message = match fact {
        Fact::DeploymentFailed(deployment) => {
            let id = deployment.deployment_id.as_deref();
            let rollback: Option<Rollback> =
                id.and_then(|id| tolerated(&mut store_failed, state::rollback_of(kv, id, now)));
            let followed_by = match (&rollback, id) {
                (None, Some(id)) => follow_or_remember(kv, deployment, id, now, &mut store_failed),
                _ => None,
            };
            // The causes take a listing of the store: only for a message that posts.
            let posts = match &rollback {
                Some(_) => notify.includes_any(&[Kind::DeploymentFailed, Kind::Rollback]),
                None => notify.includes(Kind::DeploymentFailed),
            };
            let why = why_of(kv, id.filter(|_| posts), now, &mut store_failed);
            Ok(match rollback {
                Some(rollback) => Message::RollbackFailed {
                    deployment,
                    rollback,
                    why,
                },
                None => Message::DeploymentFailed {
                    deployment,
                    why,
                    followed_by,
                },
            })
        }
        Fact::RollbackStarted { deployment, target } => {
            let (rollback, ended) = start_rollback(kv, deployment, target, now, &mut store_failed);
            Ok(match ended {
                // Its outcome came before it: the notice tells it.
                Some(Ended::Failed) => {
                    let posts = notify.includes_any(&[Kind::DeploymentFailed, Kind::Rollback]);
                    let own = deployment.deployment_id.as_deref().filter(|_| posts);
                    Message::RollbackFailed {
                        deployment,
                        rollback,
                        why: why_of(kv, own, now, &mut store_failed),
                    }
                }
                Some(Ended::Completed) => Message::RolledBack {
                    deployment,
                    rollback,
                },
                None => Message::RollingBack {
                    deployment,
                    rollback,
                },
            })
        }
        Fact::DeploymentCompleted(deployment) => {
            let id = deployment.deployment_id.as_deref();
            let rollback = id
                .filter(|_| notify.includes_any(possible_kinds(fact)))
                .and_then(|id| tolerated(&mut store_failed, state::rollback_of(kv, id, now)));
            if let (None, Some(id)) = (&rollback, id) {
                // A rollback notice that comes later finds its outcome here.
                let at = deployment.at().unwrap_or(now);
                let kept = links::remember_completion(kv, id, at, now);
                tolerated(&mut store_failed, kept);
            }
            Ok(match rollback {
                Some(rollback) => Message::RolledBack {
                    deployment,
                    rollback,
                },
                None => Message::DeploymentCompleted(deployment),
            })
        }
        Fact::DeploymentStarted(deployment) => Ok(Message::DeploymentStarted(deployment)),
        Fact::ServiceAction(action) => Ok(Message::ServiceAction(action)),
        Fact::Hook(hook) => {
            pause_news(kv, hook, now, &mut store_failed).map(|news| Message::Hook { hook, news })
        }
        Fact::StoppedTask(_) | Fact::Covered { .. } | Fact::Ignored { .. } => {
            Err("nothing to tell".to_owned())
        }
    };
    let message = message.and_then(|message| {
        if notify.includes_any(message.kinds()) {
            Ok(message)
        } else {
            Err(notify.left_out(message.kinds()))
        }
    });
    Decision {
        message,
        store_failed,
    }
}

/// A hook's news as it is told: a pause's outcome is remembered (whatever `notify` says), and
/// a pause's waiting event that comes after its outcome asks nobody to act (EventBridge
/// promises no order); why not, then.
fn pause_news(
    kv: &mut impl KeyValue,
    hook: &Hook,
    now: u64,
    store_failed: &mut bool,
) -> Result<HookNews, String> {
    let Some(id) = hook.hook_id.as_deref().filter(|_| hook.is_pause()) else {
        return Ok(hook.news);
    };
    match hook.news {
        outcome if outcome.is_outcome() => {
            let kept = state::remember_hook_outcome(kv, id, outcome, now);
            tolerated(store_failed, kept);
            // Ended from Slack: the press's own message and reply told it already.
            match tolerated(store_failed, pause::decision(kv, id, now)) {
                Some(decision) => Err(format!(
                    "ended from Slack already ({})",
                    decision.news().name()
                )),
                None => Ok(outcome),
            }
        }
        HookNews::Waiting => match tolerated(store_failed, state::hook_outcome(kv, id, now)) {
            Some(outcome) => Err(format!(
                "the pause ended before this event came ({})",
                outcome.name()
            )),
            None => Ok(HookNews::Waiting),
        },
        news => Ok(news),
    }
}

/// How a rollback ended before its notice came.
enum Ended {
    Completed,
    Failed,
}

/// The failure of `deployment` (`id`): the rollback whose notice came first and waits for it,
/// within the story window; else it is remembered, for the notice that comes later. One read
/// and one write of its service's links.
fn follow_or_remember(
    kv: &mut impl KeyValue,
    deployment: &Deployment,
    id: &str,
    now: u64,
    store_failed: &mut bool,
) -> Option<Rollback> {
    let service = deployment.service.identity();
    let at = deployment.at().unwrap_or(now);
    let mut links = tolerated(store_failed, ServiceLinks::read(kv, &service, now));
    let followed_by = links.take_waiting(id, at).map(|mut rollback| {
        rollback.failed = Some(id.to_owned());
        tolerated(store_failed, state::remember_rollback(kv, &rollback, now));
        // Named by its rollback already: a retry of this event must not wait for another.
        links.name(id, at);
        rollback
    });
    if followed_by.is_none() {
        // Remembered whatever `notify` says: the rollback that follows names it.
        links.add_failure(id, at);
    }
    tolerated(store_failed, links.write(kv, &service, now));
    followed_by
}

/// A rollback's notice: the failure it follows (kept by a retry of this event, else the
/// service's latest within the window), remembered for what comes next, and how it ended if
/// its outcome came first.
fn start_rollback(
    kv: &mut impl KeyValue,
    deployment: &Deployment,
    target: &Option<String>,
    now: u64,
    store_failed: &mut bool,
) -> (Rollback, Option<Ended>) {
    let service = deployment.service.identity();
    let own = deployment.deployment_id.as_deref();
    let at = deployment.at().unwrap_or(now);
    // A retry of this event finds the failure in the rollback it remembered, since the first
    // attempt marked the failure named.
    let remembered = own
        .or(target.as_deref())
        .and_then(|id| tolerated(store_failed, state::rollback_of(kv, id, now)))
        .and_then(|rollback| rollback.failed);
    let mut links = tolerated(store_failed, ServiceLinks::read(kv, &service, now));
    let not: Vec<&str> = [own, target.as_deref()].into_iter().flatten().collect();
    let failed = remembered.or_else(|| links.failure_before(at, &not));
    let rollback = Rollback {
        deployment: own.map(str::to_owned),
        target: target.clone(),
        failed,
        at: Some(at),
    };
    // Remembered whatever `notify` says: a failed rollback is an alert of its own.
    tolerated(store_failed, state::remember_rollback(kv, &rollback, now));
    match &rollback.failed {
        // This rollback names that failure; a later one must not.
        Some(failed) => links.name(failed, at),
        // The failure has not come yet: it will find this rollback.
        None => links.wait(&rollback),
    }
    tolerated(store_failed, links.write(kv, &service, now));
    let ended = if own.is_some_and(|own| links.failed_since(own, at)) {
        Some(Ended::Failed)
    } else if not
        .iter()
        .any(|id| tolerated(store_failed, links::completed_since(kv, id, at, now)))
    {
        Some(Ended::Completed)
    } else {
        None
    };
    (rollback, ended)
}

/// The Why of `deployment`'s failure, when its message posts (the causes take a listing of
/// the store); none recorded otherwise.
fn why_of(
    kv: &mut impl KeyValue,
    deployment: Option<&str>,
    now: u64,
    store_failed: &mut bool,
) -> Why {
    match deployment.map(|id| state::tasks_of(kv, id, now)) {
        Some(Ok(tasks)) => group_causes(&tasks),
        Some(Err(StoreError)) => {
            *store_failed = true;
            Why::StoreUnavailable
        }
        None => Why::NothingRecorded,
    }
}

/// A store result where failing costs only detail: a failed read counts as nothing remembered,
/// a failed write as nothing kept; `failed` notes it for the log.
fn tolerated<T: Default>(failed: &mut bool, result: Result<T, StoreError>) -> T {
    *failed |= result.is_err();
    result.unwrap_or_default()
}
