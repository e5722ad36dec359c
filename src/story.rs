//! The deployment's story: from a [`Fact`] and what the store remembers, decide what to tell
//! the channel (a failure with its causes, a rollback and its outcome, a service action), and
//! remember what later events will need. Only the kinds in `notify` are posted.

use crate::classify::{Action, Deployment, Fact, Level, Service};
use crate::state::{self, Cause, KeyValue, Rollback, StoppedTask, StoreError};

/// The kinds of message, as the `notify` setting names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A deployment failed.
    DeploymentFailed,
    /// Rolling back, rolled back, rollback failed.
    Rollback,
    /// A service action of level WARN or ERROR.
    ServiceAction,
    /// An ordinary deployment started.
    DeploymentStarted,
    /// An ordinary deployment completed.
    DeploymentCompleted,
}

impl Kind {
    const ALL: [(Kind, &'static str); 5] = [
        (Kind::DeploymentFailed, "deployment_failed"),
        (Kind::Rollback, "rollback"),
        (Kind::ServiceAction, "service_action"),
        (Kind::DeploymentStarted, "deployment_started"),
        (Kind::DeploymentCompleted, "deployment_completed"),
    ];

    /// The name `notify` uses.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("", |(_, name)| name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Which kinds post: the `notify` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notify(u8);

impl Default for Notify {
    /// `deployment_failed,rollback,service_action`.
    fn default() -> Self {
        Self(Kind::DeploymentFailed.bit() | Kind::Rollback.bit() | Kind::ServiceAction.bit())
    }
}

impl Notify {
    /// Parses the full comma-separated list of kinds that post, or `none`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().eq_ignore_ascii_case("none") {
            return Ok(Self(0));
        }
        text.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .try_fold(Self(0), |Self(bits), name| {
                Kind::ALL
                    .iter()
                    .find(|(_, known)| known.eq_ignore_ascii_case(name))
                    .map(|(kind, _)| Self(bits | kind.bit()))
                    .ok_or_else(|| {
                        let known: Vec<&str> = Kind::ALL.iter().map(|(_, n)| *n).collect();
                        format!(
                            "unknown kind `{name}`; use `none` or some of {}",
                            known.join(", ")
                        )
                    })
            })
            .and_then(|notify| {
                if notify.0 == 0 {
                    Err("no kinds given; use `none` to post nothing".into())
                } else {
                    Ok(notify)
                }
            })
    }

    /// Whether messages of `kind` post.
    pub fn includes(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }
}

/// Why a deployment failed, as far as the stopped tasks tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The causes, most frequent first (at most [`MAX_CAUSES`]), and how many tasks had
    /// other causes.
    Causes(Vec<CauseGroup>, usize),
    /// No stopped task of this deployment was recorded.
    NothingRecorded,
    /// The store could not be read.
    StoreUnavailable,
}

/// The most causes a failure alert lists.
pub const MAX_CAUSES: usize = 3;

/// Tasks that stopped for the same cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseGroup {
    /// The cause.
    pub cause: Cause,
    /// How many tasks.
    pub count: usize,
    /// The first of them, for its link, task definition and image.
    pub example: StoppedTask,
}

/// What to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'f, 'a> {
    /// An ordinary deployment failed.
    DeploymentFailed {
        /// The failure.
        deployment: &'f Deployment<'a>,
        /// Why.
        why: Why,
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
}

impl<'a> Message<'_, 'a> {
    /// The service it is about.
    pub fn service(&self) -> &Service<'a> {
        match self {
            Message::DeploymentFailed { deployment, .. }
            | Message::RollbackFailed { deployment, .. }
            | Message::RollingBack { deployment, .. }
            | Message::RolledBack { deployment, .. }
            | Message::DeploymentStarted(deployment)
            | Message::DeploymentCompleted(deployment) => &deployment.service,
            Message::ServiceAction(action) => &action.service,
        }
    }

    /// The `notify` kind that governs it.
    pub fn kind(&self) -> Kind {
        match self {
            Message::DeploymentFailed { .. } => Kind::DeploymentFailed,
            Message::RollbackFailed { .. }
            | Message::RollingBack { .. }
            | Message::RolledBack { .. } => Kind::Rollback,
            Message::ServiceAction(_) => Kind::ServiceAction,
            Message::DeploymentStarted(_) => Kind::DeploymentStarted,
            Message::DeploymentCompleted(_) => Kind::DeploymentCompleted,
        }
    }

    /// Whether it is an alert (someone must act) rather than a notice or a recovery.
    pub fn is_alert(&self) -> bool {
        match self {
            Message::DeploymentFailed { .. } | Message::RollbackFailed { .. } => true,
            Message::ServiceAction(action) => action.level == Level::Error,
            _ => false,
        }
    }
}

/// Whether `fact` can become a message that `notify` posts: when not, the event is told (for
/// what later events need) but never claimed nor posted.
pub fn may_post(fact: &Fact, notify: Notify) -> bool {
    let kinds: &[Kind] = match fact {
        // A failure may turn out to be a failed rollback, a completion a rollback's end.
        Fact::DeploymentFailed(_) => &[Kind::DeploymentFailed, Kind::Rollback],
        Fact::DeploymentCompleted(_) => &[Kind::DeploymentCompleted, Kind::Rollback],
        Fact::RollbackStarted { .. } => &[Kind::Rollback],
        Fact::DeploymentStarted(_) => &[Kind::DeploymentStarted],
        Fact::ServiceAction(_) => &[Kind::ServiceAction],
        Fact::StoppedTask(_) | Fact::Ignored { .. } => &[],
    };
    kinds.iter().any(|&kind| notify.includes(kind))
}

/// What the story says about one event.
#[derive(Debug)]
pub struct Told<'f, 'a> {
    /// The message to post, or why nothing is posted.
    pub message: Result<Message<'f, 'a>, String>,
    /// Whether the store failed along the way (the message then lacks what it would recall).
    pub store_failed: bool,
}

/// Recalls what `fact` needs, remembers what later events will need, and decides what to post.
/// A store that fails costs the message its detail, never the message.
pub fn tell<'f, 'a>(
    fact: &'f Fact<'a>,
    kv: &mut impl KeyValue,
    notify: Notify,
    now: u64,
) -> Told<'f, 'a> {
    let mut store_failed = false;
    let message = match fact {
        Fact::DeploymentFailed(deployment) => {
            let id = deployment.deployment_id.as_deref();
            let rollback: Option<Rollback> =
                id.and_then(|id| soft(&mut store_failed, state::rollback_of(kv, id, now)));
            let why = match id.map(|id| state::tasks_of(kv, id, now)) {
                Some(Ok(tasks)) => why(&tasks),
                Some(Err(StoreError)) => {
                    store_failed = true;
                    Why::StoreUnavailable
                }
                None => Why::NothingRecorded,
            };
            match (rollback, id) {
                (Some(rollback), _) => Ok(Message::RollbackFailed {
                    deployment,
                    rollback,
                    why,
                }),
                (None, Some(id)) => {
                    soft(
                        &mut store_failed,
                        state::remember_failure(kv, &deployment.service.identity(), id, now),
                    );
                    Ok(Message::DeploymentFailed { deployment, why })
                }
                (None, None) => Ok(Message::DeploymentFailed { deployment, why }),
            }
        }
        Fact::RollbackStarted { deployment, target } => {
            let failed = soft(
                &mut store_failed,
                state::failed_deployment(kv, &deployment.service.identity(), now),
            );
            let rollback = Rollback {
                deployment: deployment
                    .deployment_id
                    .as_deref()
                    .unwrap_or_default()
                    .to_owned(),
                target: target.clone(),
                failed,
            };
            if !rollback.deployment.is_empty() {
                soft(
                    &mut store_failed,
                    state::remember_rollback(kv, &rollback, now),
                );
            }
            Ok(Message::RollingBack {
                deployment,
                rollback,
            })
        }
        Fact::DeploymentCompleted(deployment) => {
            let rollback = deployment
                .deployment_id
                .as_deref()
                .and_then(|id| soft(&mut store_failed, state::rollback_of(kv, id, now)));
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
        Fact::StoppedTask(_) | Fact::Ignored { .. } => Err("nothing to tell".to_owned()),
    };
    let message = message.and_then(|message| {
        if notify.includes(message.kind()) {
            Ok(message)
        } else {
            Err(format!(
                "`notify` does not include `{}`",
                message.kind().name()
            ))
        }
    });
    Told {
        message,
        store_failed,
    }
}

/// A store result where failing costs only detail: a failed read counts as nothing remembered,
/// a failed write as nothing kept; `failed` notes it for the log.
fn soft<T: Default>(failed: &mut bool, result: Result<T, StoreError>) -> T {
    *failed |= result.is_err();
    result.unwrap_or_default()
}

/// Groups stopped tasks by identical cause, most frequent first (ties: the earliest first).
pub fn why(tasks: &[StoppedTask]) -> Why {
    if tasks.is_empty() {
        return Why::NothingRecorded;
    }
    // At most MAX_TASKS_PER_DEPLOYMENT tasks: a linear search is the cheapest grouping.
    let mut groups: Vec<CauseGroup> = Vec::new();
    for task in tasks {
        match groups.iter_mut().find(|group| group.cause == task.cause) {
            Some(group) => group.count += 1,
            None => groups.push(CauseGroup {
                cause: task.cause.clone(),
                count: 1,
                example: task.clone(),
            }),
        }
    }
    // A stable sort keeps first-seen order among equal counts.
    groups.sort_by_key(|group| std::cmp::Reverse(group.count));
    let others = groups.iter().skip(MAX_CAUSES).map(|g| g.count).sum();
    groups.truncate(MAX_CAUSES);
    Why::Causes(groups, others)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, container: &str, exit_code: Option<i64>, reason: &str) -> StoppedTask {
        StoppedTask {
            deployment: "ecs-svc/1".into(),
            task_id: id.into(),
            stopped_at: 0,
            cluster: None,
            task_definition: None,
            image: None,
            cause: Cause {
                container: Some(container.into()),
                exit_code,
                reason: Some(reason.into()),
            },
        }
    }

    #[test]
    fn notify_lists_replace_the_default() {
        let default = Notify::default();
        assert!(default.includes(Kind::DeploymentFailed));
        assert!(default.includes(Kind::Rollback));
        assert!(default.includes(Kind::ServiceAction));
        assert!(!default.includes(Kind::DeploymentStarted));
        assert!(!default.includes(Kind::DeploymentCompleted));
        let only = Notify::parse(" deployment_completed , DEPLOYMENT_STARTED").unwrap();
        assert!(only.includes(Kind::DeploymentStarted) && only.includes(Kind::DeploymentCompleted));
        assert!(!only.includes(Kind::DeploymentFailed));
        let none = Notify::parse("none").unwrap();
        assert!(Kind::ALL.iter().all(|(kind, _)| !none.includes(*kind)));
        for bad in ["", " , ", "deployment_failed,oops", "all"] {
            assert!(Notify::parse(bad).is_err(), "{bad}");
        }
        assert!(Notify::parse("oops").unwrap_err().contains("`oops`"));
    }

    #[test]
    fn causes_are_grouped_counted_and_capped() {
        let tasks = [
            task("1", "app", Some(1), "Essential container in task exited"),
            task("2", "app", Some(137), "OutOfMemoryError"),
            task("3", "app", Some(1), "Essential container in task exited"),
            task("4", "app", None, "CannotPullContainerError"),
            task("5", "app", Some(137), "OutOfMemoryError"),
            task("6", "app", Some(1), "Essential container in task exited"),
            task("7", "web", Some(2), "x"),
        ];
        let Why::Causes(groups, others) = why(&tasks) else {
            panic!()
        };
        let summary: Vec<(Option<i64>, usize, &str)> = groups
            .iter()
            .map(|g| (g.cause.exit_code, g.count, g.example.task_id.as_str()))
            .collect();
        assert_eq!(
            summary,
            [(Some(1), 3, "1"), (Some(137), 2, "2"), (None, 1, "4")]
        );
        assert_eq!(others, 1);
        assert_eq!(why(&[]), Why::NothingRecorded);
    }
}
