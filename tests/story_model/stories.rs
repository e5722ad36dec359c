//! True stories and their events: what ECS would send for each service, and what Slack must
//! end up showing for it.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use super::Rng;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
/// When the stories happen: 2026-11-27T00:00:00Z.
pub const START: u64 = 1_795_737_600;

/// How a failed deployment's rollback ends, if there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollback {
    None,
    Completes,
    Fails,
}

/// What really happened to one service.
#[derive(Debug, Clone)]
pub enum Truth {
    /// A deployment failed after `tasks` of its tasks stopped, and maybe rolled back.
    Failure { tasks: usize, rollback: Rollback },
    /// A deployment completed.
    Success,
    /// A canary deployment paused before each of its `steps` traffic steps: each pause was
    /// continued and the deployment completed, or the last was rolled back and it failed.
    Paused { steps: usize, rolled_back: bool },
}

/// What one event is in its story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Started,
    Task,
    Failed,
    Notice,
    Completed,
    RollbackFailed,
    Action {
        error: bool,
    },
    /// A pause waits for approval.
    Waiting,
    /// How a pause ended.
    PauseEnded,
}

/// One event ECS sends.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub story: usize,
    pub role: Role,
    pub body: String,
    /// Delivered long before the others, in order, at this time: an earlier story's.
    pub early: Option<u64>,
}

/// One service's story.
#[derive(Debug, Clone)]
pub struct Story {
    pub service: String,
    pub truth: Truth,
}

impl Story {
    /// The statuses its thread's parent may show at the end, as the header says it, for a
    /// `notify` list (empty: nothing of the deployment's own posts). Which event starts the
    /// thread of a paused deployment depends on the order: its start, or a pause.
    pub fn drawn_statuses(&self, notify: &[&str]) -> &'static [&'static str] {
        let has = |kind: &str| notify.contains(&kind);
        match &self.truth {
            Truth::Failure { rollback, .. } => match rollback {
                Rollback::None => &["failed"],
                Rollback::Completes => &["rolled back"],
                Rollback::Fails => &["rollback failed"],
            },
            Truth::Success if has("deployment_completed") => &["completed"],
            Truth::Success if has("deployment_started") => &["started"],
            Truth::Success => &[],
            Truth::Paused {
                rolled_back: true, ..
            } => &["failed"],
            Truth::Paused { .. } if has("deployment_completed") => &["completed"],
            // A pause's parent shows how the pause ended.
            Truth::Paused { .. } => match (has("hook_waiting"), has("deployment_started")) {
                (true, true) => &["continued", "started"],
                (true, false) => &["continued"],
                (false, true) => &["started"],
                (false, false) => &[],
            },
        }
    }
}

/// Whether the event's message must reach Slack under `notify`.
pub fn must_post(role: Role, notify: &[&str]) -> bool {
    match role {
        Role::Failed | Role::RollbackFailed => notify.contains(&"deployment_failed"),
        Role::Notice => notify.contains(&"rollback"),
        Role::Started => notify.contains(&"deployment_started"),
        Role::Action { .. } => notify.contains(&"service_action"),
        Role::PauseEnded => notify.contains(&"hook_waiting"),
        // A pause's waiting event is told unless its outcome came first: checked apart.
        Role::Waiting => false,
        // A completion posts as a rollback's end only once its notice is known: the parent's
        // status says whether the story's end was told.
        Role::Task | Role::Completed => false,
    }
}

/// Whether the event's message is an alert: someone must act.
pub fn is_alert(role: Role) -> bool {
    matches!(
        role,
        Role::Failed | Role::RollbackFailed | Role::Action { error: true } | Role::Waiting
    )
}

fn rfc3339(secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

fn envelope(id: &str, kind: &str, at: u64, resource: String, detail: Value) -> String {
    json!({
        "version": "0", "id": id, "detail-type": kind, "source": "aws.ecs",
        "account": ACCOUNT, "time": rfc3339(at), "region": REGION,
        "resources": [resource], "detail": detail,
    })
    .to_string()
}

fn cluster_arn() -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod")
}

fn deployment(
    id: &str,
    service: &str,
    name: &str,
    at: u64,
    deployment: &str,
    reason: &str,
) -> String {
    let detail = json!({
        "eventType": if name.ends_with("FAILED") { "ERROR" } else { "INFO" },
        "eventName": name, "deploymentId": deployment, "updatedAt": rfc3339(at),
        "reason": reason, "clusterArn": cluster_arn(),
    });
    let arn = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/{service}");
    envelope(id, "ECS Deployment State Change", at, arn, detail)
}

fn task(id: &str, service: &str, at: u64, deployment: &str, task: &str, cause: usize) -> String {
    let arn = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/prod/{task}");
    let detail = json!({
        "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "group": format!("service:{service}"),
        "startedBy": deployment, "taskArn": arn, "clusterArn": cluster_arn(),
        "taskDefinitionArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{service}:7"),
        "stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited",
        "startedAt": rfc3339(at - 30), "stoppedAt": rfc3339(at),
        "containers": [{"name": "app", "exitCode": 1 + cause, "lastStatus": "STOPPED",
                        "image": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{service}:v2")}],
    });
    envelope(id, "ECS Task State Change", at, arn, detail)
}

fn action(id: &str, service: &str, at: u64, error: bool) -> String {
    let (level, name) = match error {
        true => ("ERROR", "SERVICE_TASK_PLACEMENT_FAILURE"),
        false => ("WARN", "SERVICE_TASK_START_IMPAIRED"),
    };
    let detail = json!({
        "eventType": level, "eventName": name, "clusterArn": cluster_arn(),
        "createdAt": rfc3339(at), "reason": "RESOURCE:MEMORY",
    });
    let arn = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/{service}");
    envelope(id, "ECS Service Action", at, arn, detail)
}

fn hook(id: &str, service: &str, at: u64, name: &str, hook_id: &str) -> String {
    let arn =
        format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/prod/{service}/SD{service}");
    let detail = json!({
        "eventType": "INFO", "eventName": name, "hookId": hook_id, "hookType": "PAUSE",
        "expiresAt": rfc3339(at + 7200), "lifecycleStage": "PRE_PRODUCTION_TRAFFIC_SHIFT",
        "clusterArn": cluster_arn(),
        "serviceArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/{service}"),
        "serviceDeploymentArn": arn, "updatedAt": rfc3339(at),
    });
    envelope(id, "ECS Hook State Change", at, arn, detail)
}

/// A random story for service number `index`, and its events in the order ECS sends them.
pub fn generate(rng: &mut Rng, index: usize, events: &mut Vec<Event>) -> Story {
    let service = format!("svc{index}");
    let truth = match rng.below(6) {
        0 => Truth::Success,
        1 => Truth::Paused {
            steps: 1 + rng.below(2),
            rolled_back: rng.below(2) == 0,
        },
        _ => Truth::Failure {
            tasks: rng.below(5),
            rollback: [Rollback::None, Rollback::Completes, Rollback::Fails][rng.below(3)],
        },
    };
    // Each service's story starts a few minutes after the one before, within one window.
    let t0 = START + 300 * index as u64;
    let failed = format!("ecs-svc/{index}001");
    let rollback = format!("ecs-svc/{index}002");
    let stable = format!("ecs-svc/{index}000");
    let mut push = |role: Role, body: &dyn Fn(&str) -> String| {
        let id = format!("s{index}-e{}", events.len());
        let body = body(&id);
        events.push(Event {
            id,
            story: index,
            role,
            body,
            early: None,
        });
    };
    let progress = "DEPLOYMENT_IN_PROGRESS";
    let started = |id: &str| {
        deployment(
            id,
            &service,
            &format!("SERVICE_{progress}"),
            t0,
            &failed,
            "ECS deployment in progress.",
        )
    };
    push(Role::Started, &started);
    match &truth {
        Truth::Paused { steps, rolled_back } => {
            for step in 0..*steps {
                let at = t0 + 60 + 600 * step as u64;
                let hook_id = format!("ecs-pause-{index}x{step}");
                let last = step + 1 == *steps;
                let ended = if last && *rolled_back {
                    "HOOK_FAILED"
                } else {
                    "HOOK_SUCCEEDED"
                };
                push(Role::Waiting, &|id: &str| {
                    hook(id, &service, at, "HOOK_AWAITING_ACTION", &hook_id)
                });
                push(Role::PauseEnded, &|id: &str| {
                    hook(id, &service, at + 120, ended, &hook_id)
                });
            }
            let end = t0 + 60 + 600 * *steps as u64;
            let (name, reason) = match rolled_back {
                true => (
                    "SERVICE_DEPLOYMENT_FAILED",
                    "Service deployment rolled back because PRE_PRODUCTION_TRAFFIC_SHIFT \
                     lifecycle hook(s) failed.",
                ),
                false => ("SERVICE_DEPLOYMENT_COMPLETED", "ECS deployment completed."),
            };
            let role = if *rolled_back {
                Role::Failed
            } else {
                Role::Completed
            };
            push(role, &|id: &str| {
                deployment(id, &service, name, end, &failed, reason)
            });
        }
        Truth::Success => {
            let completed = |id: &str| {
                deployment(
                    id,
                    &service,
                    "SERVICE_DEPLOYMENT_COMPLETED",
                    t0 + 240,
                    &failed,
                    "ECS deployment completed.",
                )
            };
            push(Role::Completed, &completed);
        }
        Truth::Failure {
            tasks,
            rollback: ending,
        } => {
            let causes = 1 + rng.below(3);
            for n in 0..*tasks {
                let cause = n % causes;
                let at = t0 + 60 + 20 * n as u64;
                push(Role::Task, &|id: &str| {
                    task(id, &service, at, &failed, &format!("{index}task{n}"), cause)
                });
            }
            let reason = "ECS deployment circuit breaker: tasks failed to start.";
            push(Role::Failed, &|id: &str| {
                deployment(
                    id,
                    &service,
                    "SERVICE_DEPLOYMENT_FAILED",
                    t0 + 300,
                    &failed,
                    reason,
                )
            });
            if *ending != Rollback::None {
                let why = format!(
                    "ECS deployment circuit breaker: rolling back to deploymentId {stable}."
                );
                push(Role::Notice, &|id: &str| {
                    deployment(
                        id,
                        &service,
                        &format!("SERVICE_{progress}"),
                        t0 + 303,
                        &rollback,
                        &why,
                    )
                });
            }
            match ending {
                Rollback::None => {}
                Rollback::Completes => {
                    let done = format!("ECS deployment {rollback} completed.");
                    push(Role::Completed, &|id: &str| {
                        deployment(
                            id,
                            &service,
                            "SERVICE_DEPLOYMENT_COMPLETED",
                            t0 + 600,
                            &rollback,
                            &done,
                        )
                    });
                }
                Rollback::Fails => {
                    push(Role::Task, &|id: &str| {
                        task(
                            id,
                            &service,
                            t0 + 500,
                            &rollback,
                            &format!("{index}task9"),
                            0,
                        )
                    });
                    push(Role::RollbackFailed, &|id: &str| {
                        deployment(
                            id,
                            &service,
                            "SERVICE_DEPLOYMENT_FAILED",
                            t0 + 700,
                            &rollback,
                            reason,
                        )
                    });
                }
            }
        }
    }
    for n in 0..rng.below(3) {
        let error = rng.below(2) == 0;
        let at = t0 + 100 + 200 * n as u64;
        push(Role::Action { error }, &|id: &str| {
            action(id, &service, at, error)
        });
    }
    Story { service, truth }
}

/// Yesterday's story of service number `of`, as story number `index`: a failure that never
/// rolled back, delivered 30 hours before today's stories. Today's must not join it.
pub fn yesterday(index: usize, of: usize, events: &mut Vec<Event>) -> Story {
    let service = format!("svc{of}");
    let at = START - 30 * 3600;
    let id = format!("s{index}-e{}", events.len());
    let reason = "ECS deployment circuit breaker: tasks failed to start.";
    let body = deployment(
        &id,
        &service,
        "SERVICE_DEPLOYMENT_FAILED",
        at,
        &format!("ecs-svc/{of}999"),
        reason,
    );
    events.push(Event {
        id,
        story: index,
        role: Role::Failed,
        body,
        early: Some(at + 10),
    });
    Story {
        service: format!("{service} (yesterday)"),
        truth: Truth::Failure {
            tasks: 0,
            rollback: Rollback::None,
        },
    }
}
