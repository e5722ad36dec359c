//! Why a deployment failed, as far as its stopped tasks tell: their causes grouped.

use crate::remembered::{Cause, StoppedTask};

/// Why a deployment failed, as far as the stopped tasks tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The causes, most frequent first.
    Causes {
        /// At most [`MAX_CAUSES`] groups of tasks that stopped for the same cause.
        groups: Vec<CauseGroup>,
        /// How many tasks stopped for other causes than those shown.
        others: usize,
    },
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

/// Groups stopped tasks by identical cause, most frequent first (ties: the earliest first).
pub fn group_causes(tasks: &[StoppedTask]) -> Why {
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
    Why::Causes { groups, others }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, container: &str, exit_code: Option<i64>, reason: &str) -> StoppedTask {
        StoppedTask {
            deployment: "ecs-svc/1".into(),
            task_id: id.into(),
            started_at: None,
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
        let Why::Causes { groups, others } = group_causes(&tasks) else {
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
        assert_eq!(group_causes(&[]), Why::NothingRecorded);
    }
}
