//! The story's vocabulary, what it remembers between events: the stopped tasks that explain a
//! failure, the rollbacks whose outcome is still to come, and where a deployment's story
//! stands (app mode's thread). A leaf: [`crate::classify`] makes them, [`crate::state`] keeps
//! them as serde records, and [`crate::story`] tells them.

use serde::{Deserialize, Serialize};

use crate::bot::UserId;
use crate::ecs_api::HookAction;

/// Why a task stopped: the container that explains it, if any, its exit code and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// The container's name.
    pub container: Option<String>,
    /// Its exit code.
    pub exit_code: Option<i64>,
    /// The container's reason, else the task's `stoppedReason`.
    pub reason: Option<String>,
}

/// A stopped task of a service deployment, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppedTask {
    /// The deployment that started it (`startedBy`).
    pub deployment: String,
    /// The task id.
    pub task_id: String,
    /// When it started (else was created), Unix seconds: where its logs begin.
    #[serde(default)]
    pub started_at: Option<u64>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollback {
    /// The rollback deployment, when the event named it.
    pub deployment: Option<String>,
    /// The deployment it rolls back to, when ECS named it.
    pub target: Option<String>,
    /// The deployment that failed, when known.
    pub failed: Option<String>,
    /// When it started, by the notice's own time (Unix seconds): what links it to a failure
    /// that came later.
    #[serde(default)]
    pub at: Option<u64>,
}

/// Where a deployment's story stands, as its thread's parent shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The deployment failed.
    Failed,
    /// The circuit breaker is rolling back, to this deployment when ECS named it.
    RollingBack(Option<String>),
    /// The rollback completed: the service is steady on this deployment.
    RolledBack(Option<String>),
    /// The rollback failed too.
    RollbackFailed,
    /// The deployment completed.
    Completed,
}

impl Status {
    /// How far the story has gone: a later event never moves it back (a retried failure after
    /// its rollback started, a late "rolling back" after the outcome). A completion that came
    /// before its rollback's notice is told again as the rollback's end.
    pub fn rank(&self) -> u8 {
        match self {
            Status::Failed => 1,
            Status::RollingBack(_) => 2,
            Status::Completed => 3,
            Status::RolledBack(_) | Status::RollbackFailed => 4,
        }
    }

    /// Whether the story has ended: nothing but a late event of it comes now.
    pub fn is_final(&self) -> bool {
        self.rank() >= Status::Completed.rank()
    }

    /// Whether `self` moves a story that stands at `now` further.
    pub fn moves(&self, now: Option<&Status>) -> bool {
        now.is_none_or(|now| self.rank() > now.rank())
    }
}

/// What a lifecycle hook's event tells: a pause waiting for a person and how it ended, a
/// Lambda hook's failure, any hook's time-out, and progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookNews {
    /// A pause waits for someone to continue or roll back the deployment.
    Waiting,
    /// Someone continued a paused deployment.
    Continued,
    /// Someone chose to roll back at a pause.
    RollbackChosen,
    /// A hook that is not a pause (a Lambda function) failed: the deployment rolls back.
    Failed,
    /// The hook timed out: ECS takes its timeout action.
    TimedOut,
    /// A hook started running.
    Running,
    /// A hook that is not a pause passed.
    Passed,
}

impl HookNews {
    /// Whether it ends its hook: what a thread's parent drawn from the hook shows from then
    /// on.
    pub fn is_outcome(self) -> bool {
        !matches!(self, HookNews::Waiting | HookNews::Running)
    }

    /// Its name, for answers and logs: `continued`.
    pub fn name(self) -> &'static str {
        match self {
            HookNews::Waiting => "waiting",
            HookNews::Continued => "continued",
            HookNews::RollbackChosen => "rollback chosen",
            HookNews::Failed => "failed",
            HookNews::TimedOut => "timed out",
            HookNews::Running => "running",
            HookNews::Passed => "passed",
        }
    }
}

/// Someone said they are on it, from the alert's button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// Who.
    pub user: UserId,
    /// When, by the host's clock (Unix seconds).
    pub at: u64,
}

/// A person ended a pause from Slack, and ECS accepted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Continue or roll back.
    pub action: HookAction,
    /// Who pressed.
    pub by: UserId,
    /// When ECS accepted it, by the host's clock (Unix seconds).
    pub at: u64,
}

impl Decision {
    /// The hook's outcome this decision brings.
    pub fn news(&self) -> HookNews {
        match self.action {
            HookAction::Continue => HookNews::Continued,
            HookAction::Rollback => HookNews::RollbackChosen,
        }
    }
}
