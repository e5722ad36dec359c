//! ECS's names for service actions and placement failures, in words a person reads.

/// A service action's event name in words: ours for the actions ECS documents (Amazon ECS
/// Developer Guide, "Amazon ECS service action events": `SERVICE_HEALTH_UNKNOWN` is "The service
/// was unable to describe the health data for tasks", `VPC_LATTICE_TARGET_UNHEALTHY` "one of the
/// targets for the VPC Lattice is unhealthy"), else the name itself in sentence case, at most
/// 100 characters.
pub fn action_in_words(name: &str) -> String {
    let known = match name {
        "SERVICE_TASK_PLACEMENT_FAILURE" => Some("Tasks cannot be placed"),
        "SERVICE_TASK_CONFIGURATION_FAILURE" => Some("Task configuration is invalid"),
        "SERVICE_TASK_START_IMPAIRED" => Some("Tasks keep failing to start"),
        "SERVICE_DISCOVERY_INSTANCE_UNHEALTHY" => Some("Service discovery reports unhealthy tasks"),
        "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED" => {
            Some("A daemon task violates its placement constraints")
        }
        "ECS_OPERATION_THROTTLED" | "SERVICE_DISCOVERY_OPERATION_THROTTLED" => {
            Some("ECS is being throttled")
        }
        "VPC_LATTICE_TARGET_UNHEALTHY" => Some("VPC Lattice reports an unhealthy target"),
        "SERVICE_HEALTH_UNKNOWN" => Some("ECS cannot read the tasks' health"),
        _ => None,
    };
    if let Some(words) = known {
        return words.to_owned();
    }
    // SOME_EVENT_NAME → "Some event name".
    let mut words = String::with_capacity(name.len());
    for (i, c) in name.chars().take(100).enumerate() {
        words.push(match c {
            '_' => ' ',
            c if i == 0 => c.to_ascii_uppercase(),
            c => c.to_ascii_lowercase(),
        });
    }
    words
}

/// Where a deployment is at a lifecycle stage, in words, for the stages ECS documents (ECS API
/// Reference, `DeploymentLifecycleHook`); another stage is shown as ECS names it.
pub fn stage_in_words(stage: &str) -> Option<&'static str> {
    Some(match stage {
        "RECONCILE_SERVICE" => "while ECS reconciles more than one active revision",
        "PRE_SCALE_UP" => "before the new revision starts",
        "POST_SCALE_UP" => "the new revision started, before it takes traffic",
        "TEST_TRAFFIC_SHIFT" => "while test traffic shifts to the new revision",
        "POST_TEST_TRAFFIC_SHIFT" => "the new revision takes all test traffic",
        "PRE_PRODUCTION_TRAFFIC_SHIFT" => {
            "before production traffic shifts, at each step of a linear or canary shift"
        }
        "PRODUCTION_TRAFFIC_SHIFT" => "while production traffic shifts to the new revision",
        "POST_PRODUCTION_TRAFFIC_SHIFT" => "the new revision takes all production traffic",
        _ => return None,
    })
}

/// What a placement failure's reason means, for the reasons ECS documents.
pub fn reason_in_words(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "RESOURCE:MEMORY" => "No container instance has enough free memory for the task.",
        "RESOURCE:CPU" => "No container instance has enough free CPU for the task.",
        "RESOURCE:PORTS" | "RESOURCE:PORTS_TCP" | "RESOURCE:PORTS_UDP" => {
            "The ports the task needs are taken on every container instance."
        }
        "RESOURCE:ENI" => "No container instance has an elastic network interface to spare.",
        "RESOURCE:GPU" => "No container instance has a free GPU.",
        "RESOURCE:FARGATE" => "Fargate has no capacity for the task right now.",
        "AGENT" => "The ECS agent is not connected on the container instances.",
        "ATTRIBUTE" => "No container instance has the attributes the task requires.",
        "LOCATION" => "No container instance is in a location the task may use.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_in_words() {
        assert_eq!(
            action_in_words("SERVICE_TASK_PLACEMENT_FAILURE"),
            "Tasks cannot be placed"
        );
        assert_eq!(
            action_in_words("SERVICE_SOMETHING_NEW"),
            "Service something new"
        );
    }
}
