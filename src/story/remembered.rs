//! What the story remembers between events: the stopped tasks that explain a failure, and the
//! rollbacks whose outcome is still to come. [`crate::state`] keeps them as serde records.

use serde::{Deserialize, Serialize};

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
}
