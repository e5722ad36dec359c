//! What a cause usually means: a short hint under it, from a table whose every row names its
//! source (the ECS developer guide's stopped-task error pages, its exit-code notes, and AWS's
//! own troubleshooting guides). A cause no row matches gets no hint, and a hint never replaces
//! the reason.

use crate::remembered::Cause;

/// One row: when it applies, what it says, and where that comes from.
#[derive(Debug)]
pub struct Hint {
    /// When the row applies.
    pub when: When,
    /// What the cause usually means, and where to look; our own words, plain mrkdwn.
    pub text: &'static str,
    /// The documentation it follows.
    pub source: &'static str,
}

/// What a row matches.
#[derive(Debug)]
pub enum When {
    /// The reason contains this text (compared without case).
    Reason(&'static str),
    /// The container exited with this code and its reason contains this text.
    ExitAndReason(i64, &'static str),
    /// The container exited with this code.
    Exit(i64),
}

/// The rows, most specific first: the first that matches is the hint.
pub static HINTS: &[Hint] = &[
    Hint {
        when: When::ExitAndReason(137, "OutOfMemoryError"),
        text: "Killed for using more memory than the task definition gives it: raise the \
               container's memory, or find what grows.",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/out-of-memory.html",
    },
    Hint {
        when: When::Reason("CannotPullContainerError"),
        text: "The image could not be pulled: check that the tag exists, that the task \
               execution role may pull from the registry, and that the subnets reach it (a NAT \
               gateway, or VPC endpoints for ECR and S3).",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html",
    },
    Hint {
        when: When::Reason("ResourceInitializationError"),
        text: "The task's resources could not be set up: check that its secrets and SSM \
               parameters exist, that the task execution role may read them, and that the \
               subnets reach Secrets Manager, SSM and ECR (VPC endpoints or a NAT gateway).",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html",
    },
    Hint {
        when: When::Reason("CannotStartContainerError"),
        text: "The container could not start: check its command, entry point and mounts.",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cannot-start-container.html",
    },
    Hint {
        when: When::Reason("failed ELB health checks"),
        text: "The load balancer found the task unhealthy: check the target group's \
               health-check path and port, and the service's health-check grace period for a \
               slow start.",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html",
    },
    Hint {
        when: When::Reason("failed container health checks"),
        text: "The container's own health check failed: check its command, and its start \
               period for a slow start.",
        source: "https://repost.aws/knowledge-center/ecs-task-stopped",
    },
    Hint {
        when: When::Reason("Spot Task was interrupted"),
        text: "Spot capacity was reclaimed: spread the service across capacity providers, with \
               on-demand capacity as a base.",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html",
    },
    Hint {
        when: When::Exit(137),
        text: "Killed with SIGKILL: what also ends a container that does not stop within its \
               stopTimeout after SIGTERM.",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/docker-diags.html",
    },
    Hint {
        when: When::Exit(139),
        text: "A segmentation fault: a crash in native code (a library, the runtime) or memory \
               corruption.",
        source: "https://github.com/aws/agent-toolkit-for-aws/blob/main/skills/core-skills/aws-containers/references/ecs-troubleshooting-guide.md",
    },
    Hint {
        when: When::Exit(143),
        text: "Exited on SIGTERM: ECS stopped it (a deployment, a scale-in, or a failed health \
               check) and it shut down.",
        source: "https://github.com/aws/agent-toolkit-for-aws/blob/main/skills/core-skills/aws-containers/references/ecs-troubleshooting-guide.md",
    },
    Hint {
        when: When::Exit(1),
        text: "The application failed: its logs say why (an unhandled error, a bad setting, a \
               failed migration).",
        source: "https://github.com/aws/agent-toolkit-for-aws/blob/main/skills/core-skills/aws-containers/references/ecs-troubleshooting-guide.md",
    },
];

/// What `cause` usually means, if a row knows.
pub fn hint_for(cause: &Cause) -> Option<&'static Hint> {
    let reason = cause
        .reason
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let says = |text: &str| reason.contains(&text.to_ascii_lowercase());
    HINTS.iter().find(|hint| match hint.when {
        When::Reason(text) => says(text),
        When::ExitAndReason(code, text) => cause.exit_code == Some(code) && says(text),
        When::Exit(code) => cause.exit_code == Some(code),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(exit_code: Option<i64>, reason: &str) -> Cause {
        Cause {
            container: Some("app".into()),
            exit_code,
            reason: Some(reason.into()).filter(|r: &String| !r.is_empty()),
        }
    }

    fn hint(exit_code: Option<i64>, reason: &str) -> Option<&'static str> {
        hint_for(&cause(exit_code, reason)).map(|hint| hint.text)
    }

    #[test]
    fn the_most_specific_row_wins() {
        let oom = hint(
            Some(137),
            "OutOfMemoryError: Container killed due to memory usage",
        );
        assert!(oom.unwrap().starts_with("Killed for using more memory"));
        assert!(
            hint(Some(137), "")
                .unwrap()
                .starts_with("Killed with SIGKILL")
        );
        // A reason the table knows beats the exit code.
        let elb = hint(
            Some(143),
            "Task failed ELB health checks in (target-group arn:x)",
        );
        assert!(elb.unwrap().starts_with("The load balancer"));
        assert!(
            hint(Some(143), "")
                .unwrap()
                .starts_with("Exited on SIGTERM")
        );
        assert!(hint(None, "cannotpullcontainererror: pull access denied").is_some());
        assert_eq!(hint(Some(2), "Essential container in task exited"), None);
        assert_eq!(hint(None, ""), None);
    }

    #[test]
    fn every_row_has_a_source_and_is_reachable() {
        for (i, row) in HINTS.iter().enumerate() {
            assert!(row.source.starts_with("https://"), "{}", row.text);
            assert!(row.text.len() <= 240, "{}", row.text);
            assert!(!row.text.contains(['<', '>', '&']), "{}", row.text);
            let probe = match row.when {
                When::Reason(text) => cause(None, text),
                When::ExitAndReason(code, text) => cause(Some(code), text),
                When::Exit(code) => cause(Some(code), ""),
            };
            let found = hint_for(&probe).map(|hint| std::ptr::eq(hint, row));
            assert_eq!(found, Some(true), "row {i} is shadowed");
        }
    }
}
