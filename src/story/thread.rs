//! A deployment's story as one Slack thread (app mode): which deployment's thread a message
//! belongs to, where the story stands once it is told, and the parent message drawn again from
//! the event that started the thread.

use super::causes::Why;
use super::{About, Message};
use crate::classify::Fact;
use crate::classify::hook::MAX_PAUSE_SECS;
use crate::remembered::{HookNews, Rollback, Status};

impl Message<'_, '_> {
    /// The deployments whose thread this message belongs to, the story's own first: a
    /// rollback's messages go to the failed deployment's thread, else to the rollback's own.
    /// The deployment a rollback returns to is never one of them: it may have a thread of an
    /// earlier story. A service action names none: it may join its service's latest story.
    pub fn thread_keys(&self) -> Vec<&str> {
        let (deployment, rollback) = match self {
            Message::DeploymentStarted(deployment) | Message::DeploymentCompleted(deployment) => {
                (deployment, None)
            }
            Message::DeploymentFailed {
                deployment,
                followed_by,
                ..
            } => (deployment, followed_by.as_ref()),
            Message::RollbackFailed {
                deployment,
                rollback,
                ..
            }
            | Message::RollingBack {
                deployment,
                rollback,
            }
            | Message::RolledBack {
                deployment,
                rollback,
            } => (deployment, Some(rollback)),
            Message::ServiceAction(_) => return Vec::new(),
            // A hook names its service deployment, never an `ecs-svc/` id: its thread is the
            // one its deployment's ARN names.
            Message::Hook { hook, .. } => return hook.arn().into_iter().collect(),
        };
        let mut keys: Vec<&str> = Vec::with_capacity(3);
        let rollback_keys = rollback
            .map(|r| [r.failed.as_deref(), r.deployment.as_deref()])
            .into_iter()
            .flatten();
        let target = rollback.and_then(|r| r.target.as_deref());
        // ECS may report a rollback's end under the deployment it returned to: not that one.
        let own = deployment
            .deployment_id
            .as_deref()
            .filter(|id| Some(*id) != target);
        for key in rollback_keys.chain([own]).flatten() {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    /// The deployments a rollback's later events name, linked to the thread when its rollback
    /// starts: its completion or failure then finds the thread by the rollback's own id.
    pub fn thread_aliases(&self) -> Vec<&str> {
        match self {
            Message::RollingBack { .. } => self.thread_keys(),
            _ => Vec::new(),
        }
    }

    /// When it happened, by the event's own time (Unix seconds), if that reads.
    pub fn at(&self) -> Option<u64> {
        match self.about() {
            About::Deployment(deployment) => deployment.at(),
            About::Hook(hook) => hook.at(),
            About::Action(action) => action.at(),
        }
    }

    /// Where the story stands once this message is told; `None` when it does not move it.
    pub fn status(&self) -> Option<Status> {
        match self {
            Message::DeploymentFailed { .. } => Some(Status::Failed),
            Message::RollbackFailed { .. } => Some(Status::RollbackFailed),
            Message::RollingBack { rollback, .. } => {
                Some(Status::RollingBack(rollback.target.clone()))
            }
            Message::RolledBack {
                deployment,
                rollback,
            } => Some(Status::RolledBack(rollback.target.clone().or_else(|| {
                deployment.deployment_id.as_deref().map(str::to_owned)
            }))),
            Message::DeploymentCompleted(_) => Some(Status::Completed),
            Message::DeploymentStarted(_) | Message::ServiceAction(_) | Message::Hook { .. } => {
                None
            }
        }
    }

    /// How long a waiting pause keeps its story open: from the event's own time to its
    /// `expiresAt`, believed up to [`MAX_PAUSE_SECS`]. Measured on the event's clock, so that it
    /// can be added to the host's to keep the story that long.
    pub fn waits_for(&self) -> Option<u64> {
        match self {
            Message::Hook {
                hook,
                news: HookNews::Waiting,
            } => Some(
                hook.expires_at?
                    .saturating_sub(hook.at()?)
                    .min(MAX_PAUSE_SECS),
            ),
            _ => None,
        }
    }

    /// The hook whose event it is (its id), and how the hook ended if the message tells it.
    pub fn hook(&self) -> Option<(&str, Option<HookNews>)> {
        match self {
            Message::Hook { hook, news } => Some((
                hook.hook_id.as_deref()?,
                Some(*news).filter(|news| news.is_outcome()),
            )),
            _ => None,
        }
    }

    /// The service deployment it names (its ARN), if it is a hook's.
    pub fn service_deployment(&self) -> Option<&str> {
        match self {
            Message::Hook { hook, .. } => hook.arn(),
            _ => None,
        }
    }

    /// Whether a reply is also shown in the channel: an alert, which needs someone now.
    pub fn broadcast(&self) -> bool {
        self.is_alert()
    }

    /// The rollback of its story, if it tells of one: kept with a parent, to draw it again.
    pub fn rollback(&self) -> Option<&Rollback> {
        match self {
            Message::RollbackFailed { rollback, .. }
            | Message::RollingBack { rollback, .. }
            | Message::RolledBack { rollback, .. } => Some(rollback),
            Message::DeploymentFailed { followed_by, .. } => followed_by.as_ref(),
            _ => None,
        }
    }

    /// The deployment whose stopped tasks its Why shows, if it shows one.
    pub fn why_of(&self) -> Option<&str> {
        match self {
            Message::DeploymentFailed { deployment, .. }
            | Message::RollbackFailed { deployment, .. } => deployment.deployment_id.as_deref(),
            _ => None,
        }
    }

    /// Its Why part, if it shows one.
    pub fn why(&self) -> Option<&Why> {
        match self {
            Message::DeploymentFailed { why, .. } | Message::RollbackFailed { why, .. } => {
                Some(why)
            }
            _ => None,
        }
    }
}

/// The parent message drawn again: from the fact of the event it is drawn from (the one that
/// started the thread, or a failure that came later), the story's rollback, the causes as
/// they are now, and how the parent's own hook ended, if it is a hook's. A failure is the
/// rollback's own when the rollback names it as its deployment.
pub fn parent_message<'f, 'a>(
    fact: &'f Fact<'a>,
    rollback: Option<Rollback>,
    why: Why,
    hook_outcome: Option<HookNews>,
) -> Option<Message<'f, 'a>> {
    Some(match (fact, rollback) {
        (Fact::DeploymentFailed(deployment), Some(rollback))
            if rollback.deployment.is_some()
                && rollback.deployment.as_deref() == deployment.deployment_id.as_deref() =>
        {
            Message::RollbackFailed {
                deployment,
                rollback,
                why,
            }
        }
        (Fact::DeploymentFailed(deployment), followed_by) => Message::DeploymentFailed {
            deployment,
            why,
            followed_by,
        },
        (Fact::RollbackStarted { deployment, .. }, Some(rollback)) => Message::RollingBack {
            deployment,
            rollback,
        },
        (Fact::DeploymentCompleted(deployment), Some(rollback)) => Message::RolledBack {
            deployment,
            rollback,
        },
        (Fact::DeploymentStarted(deployment), _) => Message::DeploymentStarted(deployment),
        (Fact::Hook(hook), _) => Message::Hook {
            hook,
            news: hook_outcome.unwrap_or(hook.news),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::aws::{AccountId, Partition, Region};
    use crate::classify::{Deployment, Service};

    fn deployment(id: &str) -> Deployment<'static> {
        Deployment {
            event_id: Cow::Borrowed("e1"),
            time: Cow::Borrowed("2026-11-27T00:00:00Z"),
            service: Service {
                account: AccountId::parse("111122223333").unwrap(),
                region: Region::parse("eu-west-1").unwrap(),
                partition: Partition::Aws,
                cluster: Some("prod".into()),
                name: "checkout".into(),
                environment: "production",
            },
            deployment_id: Some(Cow::Owned(id.to_owned())),
            reason: None,
        }
    }

    fn rollback(failed: Option<&str>) -> Rollback {
        Rollback {
            deployment: Some("ecs-svc/rollback".into()),
            target: Some("ecs-svc/stable".into()),
            failed: failed.map(str::to_owned),
            at: None,
        }
    }

    #[test]
    fn a_rollbacks_messages_belong_to_the_failed_deployments_thread() {
        let failed = deployment("ecs-svc/failed");
        let rolling = deployment("ecs-svc/rollback");
        let stable = deployment("ecs-svc/stable");
        let failure = Message::DeploymentFailed {
            deployment: &failed,
            why: Why::NothingRecorded,
            followed_by: None,
        };
        assert_eq!(failure.thread_keys(), ["ecs-svc/failed"]);
        assert_eq!(failure.status(), Some(Status::Failed));
        assert!(failure.thread_aliases().is_empty() && failure.broadcast());
        let started = Message::RollingBack {
            deployment: &rolling,
            rollback: rollback(Some("ecs-svc/failed")),
        };
        // Never the deployment it returns to: that one may have a thread of an earlier story.
        assert_eq!(
            started.thread_keys(),
            ["ecs-svc/failed", "ecs-svc/rollback"]
        );
        assert_eq!(started.thread_aliases(), started.thread_keys());
        assert_eq!(
            started.status(),
            Some(Status::RollingBack(Some("ecs-svc/stable".into())))
        );
        // Without the failure known, the rollback's own deployment comes first.
        let unnamed = Message::RollingBack {
            deployment: &rolling,
            rollback: rollback(None),
        };
        assert_eq!(unnamed.thread_keys(), ["ecs-svc/rollback"]);
        // ECS may report the end under the target: it still finds the failure's thread, or
        // the rollback's, never the target's own.
        let ended = Message::RolledBack {
            deployment: &stable,
            rollback: rollback(Some("ecs-svc/failed")),
        };
        assert_eq!(ended.thread_keys(), ["ecs-svc/failed", "ecs-svc/rollback"]);
        assert!(ended.status().is_some_and(|s| s.is_final()) && ended.thread_aliases().is_empty());
        let failed_again = Message::RollbackFailed {
            deployment: &rolling,
            rollback: rollback(Some("ecs-svc/failed")),
            why: Why::NothingRecorded,
        };
        assert!(failed_again.broadcast() && failed_again.status() == Some(Status::RollbackFailed));
        assert_eq!(failed_again.why(), Some(&Why::NothingRecorded));
        assert!(Message::DeploymentStarted(&failed).status().is_none());
    }

    #[test]
    fn the_parent_is_drawn_again_from_its_fact() {
        let failed = deployment("ecs-svc/failed");
        let fact = Fact::DeploymentFailed(failed.clone());
        let parent = parent_message(&fact, None, Why::StoreUnavailable, None).unwrap();
        assert!(matches!(parent, Message::DeploymentFailed { .. }));
        // The story's rollback follows the failure: drawn as the failure, rolling back.
        let follows = rollback(Some("ecs-svc/failed"));
        let parent =
            parent_message(&fact, Some(follows.clone()), Why::NothingRecorded, None).unwrap();
        let Message::DeploymentFailed { followed_by, .. } = &parent else {
            panic!("{parent:?}")
        };
        assert_eq!(followed_by.as_ref(), Some(&follows));
        assert_eq!(parent.thread_keys(), ["ecs-svc/failed", "ecs-svc/rollback"]);
        // The rollback's own failure: a failed rollback.
        let own = Fact::DeploymentFailed(deployment("ecs-svc/rollback"));
        let parent =
            parent_message(&own, Some(rollback(None)), Why::NothingRecorded, None).unwrap();
        assert!(matches!(parent, Message::RollbackFailed { .. }));
        let rolling = Fact::RollbackStarted {
            deployment: deployment("ecs-svc/rollback"),
            target: None,
        };
        assert!(parent_message(&rolling, None, Why::NothingRecorded, None).is_none());
        assert!(
            parent_message(&rolling, Some(rollback(None)), Why::NothingRecorded, None).is_some()
        );
    }
}
