//! What a deployment event's `reason` says, read loosely: AWS publishes the circuit breaker's
//! wording only, and words other causes in its own way ("deployment failed: alarm detected.",
//! "rolling back to deployment ecs-svc/…" in a canary service's event log). Case and
//! `deployment` / `deploymentId` do not matter; a cause is named only when the reason names it.

/// The phrase that makes a deployment event a rollback, whatever started it; the deployment
/// it returns to follows it (`deployment ecs-svc/1`, `deploymentId ecs-svc/1`).
const ROLLING_BACK_TO: &str = "rolling back to deployment";
/// The prefix of the deployments a service deployment starts.
pub const SERVICE_DEPLOYMENT: &str = "ecs-svc/";

/// What failed a deployment (or started a rollback), as its reason names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCause {
    /// The deployment circuit breaker: the new tasks failed.
    CircuitBreaker,
    /// Tasks failed (to start, or their health checks), no circuit breaker named.
    Tasks,
    /// A CloudWatch alarm the deployment watches.
    Alarm,
    /// A lifecycle hook.
    Hook,
    /// Someone stopped the deployment (`StopServiceDeployment`).
    Stopped,
    /// None the reason names.
    Other,
}

impl FailureCause {
    /// The cause `reason` names; [`FailureCause::Other`] when it names none we know.
    pub fn of(reason: Option<&str>) -> Self {
        let Some(reason) = reason else {
            return FailureCause::Other;
        };
        let reason = reason.to_ascii_lowercase();
        let says = |words: &[&str]| words.iter().any(|word| reason.contains(word));
        if says(&["alarm"]) {
            FailureCause::Alarm
        } else if says(&["hook"]) {
            FailureCause::Hook
        } else if says(&["circuit breaker", "circuitbreaker"]) {
            FailureCause::CircuitBreaker
        } else if says(&["task"]) {
            FailureCause::Tasks
        } else if says(&["stopservicedeployment", "stopped by", "manual"]) {
            FailureCause::Stopped
        } else {
            FailureCause::Other
        }
    }

    /// Whether the cause is the tasks' failing: stopped tasks explain it.
    pub fn is_about_tasks(self) -> bool {
        matches!(self, FailureCause::CircuitBreaker | FailureCause::Tasks)
    }
}

/// For a rollback's reason, `Some` with the deployment it rolls back to if the reason names one
/// (`ecs-svc/...`; the documentation's sample has a placeholder there); `None` when the reason
/// is not a rollback's.
pub fn rollback_target(reason: &str) -> Option<Option<String>> {
    let lower = reason.to_ascii_lowercase();
    let at = lower.find(ROLLING_BACK_TO)? + ROLLING_BACK_TO.len();
    let rest = &reason[at..];
    // `deploymentId ecs-svc/1` as well as `deployment ecs-svc/1`.
    let rest = match rest.get(..2) {
        Some(id) if id.eq_ignore_ascii_case("id") => &rest[2..],
        _ => rest,
    };
    // The phrase ends here: `rolling back to deployments` is not it.
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    let id = rest
        .trim_start_matches(|c: char| c.is_whitespace() || c == ':')
        .split_whitespace()
        .next()
        .map(|word| word.trim_end_matches(['.', ',', ';', ')']))
        .filter(|id| {
            id.strip_prefix(SERVICE_DEPLOYMENT).is_some_and(|rest| {
                (1..=64).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
            })
        });
    Some(id.map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollbacks_are_known_by_their_wording_whatever_started_them() {
        let target = |reason| rollback_target(reason);
        let to = |id: &str| Some(Some(id.to_owned()));
        // The documented circuit breaker's, and the event log's wording of an alarm's.
        assert_eq!(
            target("ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/123."),
            to("ecs-svc/123")
        );
        assert_eq!(
            target("deployment failed: alarm detected. Rolling back to deployment ecs-svc/9"),
            to("ecs-svc/9")
        );
        assert_eq!(
            target("ROLLING BACK TO DEPLOYMENTID: ecs-svc/7"),
            to("ecs-svc/7")
        );
        assert_eq!(
            target("rolling back to deployment ecs-svc/7, as asked"),
            to("ecs-svc/7")
        );
        // A rollback whose target is a placeholder or missing is still one.
        assert_eq!(
            target("rolling back to deploymentId <deployment-id>"),
            Some(None)
        );
        assert_eq!(
            target("lifecycle hook failed: rolling back to deployment"),
            Some(None)
        );
        assert_eq!(
            target("hook failed, rolling back to deployment."),
            Some(None)
        );
        for not in [
            "ECS deployment circuit breaker: task failed to start.",
            "rolling back to deployments of last week",
            "rolled back to deployment ecs-svc/1",
            "",
        ] {
            assert_eq!(target(not), None, "{not}");
        }
    }

    #[test]
    fn causes_are_named_only_when_the_reason_names_them() {
        let cause = |reason| FailureCause::of(Some(reason));
        assert_eq!(
            cause("ECS deployment circuit breaker: task failed to start."),
            FailureCause::CircuitBreaker
        );
        assert_eq!(cause("tasks failed to start."), FailureCause::Tasks);
        assert_eq!(
            cause("deployment failed: alarm detected."),
            FailureCause::Alarm
        );
        assert_eq!(
            cause("Deployment failed: ALARM detected"),
            FailureCause::Alarm
        );
        assert_eq!(
            cause("lifecycle hook failed at PRE_SCALE_UP"),
            FailureCause::Hook
        );
        assert_eq!(
            cause("Deployment stopped by StopServiceDeployment"),
            FailureCause::Stopped
        );
        assert_eq!(cause("deployment failed."), FailureCause::Other);
        assert_eq!(FailureCause::of(None), FailureCause::Other);
        assert!(
            FailureCause::CircuitBreaker.is_about_tasks() && FailureCause::Tasks.is_about_tasks()
        );
        assert!(!FailureCause::Alarm.is_about_tasks() && !FailureCause::Other.is_about_tasks());
    }
}
