//! The Why section of a failure alert: the causes of the stopped tasks, each with links to one
//! of its tasks and its logs and what it usually means, or why none is shown.

use super::hints::hint_for;
use super::mrkdwn::push_code;
use crate::classify::Service;
use crate::console::{self, TaskTab};
use crate::logs::LogGroups;
use crate::remembered::StoppedTask;
use crate::story::causes::{CauseGroup, Why};

/// How much of each cause's reason the Why section shows.
const CAUSE_REASON: usize = 400;

/// How far around a task's life its log link reaches: logs arrive late, and start early.
const LOG_MARGIN_SECS: u64 = 300;

/// A log link longer than this (a very long group or stream name) gives way to the task's
/// Logs tab, so that a cause's section stays well within Slack's 3,000 characters.
const MAX_LOG_LINK: usize = 1000;

/// The Why part as section texts: the heading and the first cause, then one per further cause
/// (each within Slack's limit for a section); or why there is nothing to show.
pub fn why_sections(why: &Why, service: &Service, log_groups: &LogGroups) -> Vec<String> {
    let mut text = String::from("*Why*\n");
    match why {
        Why::NothingRecorded => text.push_str(
            "_No stopped task of this deployment was recorded. Send `ECS Task State Change` \
             events here too (the `StoppedTaskRule` of `deploy/eventbridge.yaml`) and the \
             alert will say why._",
        ),
        Why::StoreUnavailable => text.push_str(
            "_The key-value store could not be read, so the stopped tasks are not shown._",
        ),
        Why::Causes { groups, others } => {
            let mut sections = Vec::with_capacity(groups.len() + 1);
            for group in groups {
                push_cause(&mut text, group, service, log_groups);
                sections.push(std::mem::take(&mut text));
            }
            if *others > 0 {
                let tasks = if *others == 1 { "task" } else { "tasks" };
                sections.push(format!("_… and {others} more {tasks} with other causes._"));
            }
            return sections;
        }
    }
    vec![text]
}

/// What stands for the causes a message has no room left for.
pub fn more_causes(count: usize) -> String {
    let causes = if count == 1 { "cause" } else { "causes" };
    format!(
        "_… and {count} more {causes}: the stopped tasks are on the service's Deployments tab._"
    )
}

fn push_cause(text: &mut String, group: &CauseGroup, service: &Service, log_groups: &LogGroups) {
    let CauseGroup {
        cause,
        count,
        example,
    } = group;
    text.push_str("• ");
    text.push_str(&count.to_string());
    text.push_str(if *count == 1 { " task: " } else { " tasks: " });
    if let Some(container) = cause.container.as_deref() {
        push_code(text, container, 100);
        text.push(' ');
    }
    match cause.exit_code {
        Some(code) => {
            text.push_str("exited with code ");
            text.push_str(&code.to_string());
        }
        None => text.push_str("stopped"),
    }
    if let Some(reason) = cause.reason.as_deref() {
        text.push_str(": ");
        push_code(text, reason, CAUSE_REASON);
    }
    let cluster = example.cluster.as_deref().or(service.cluster.as_deref());
    let tab = |tab| {
        let cluster = cluster?;
        console::task_url(
            service.partition,
            &service.region,
            cluster,
            &example.task_id,
            tab,
        )
    };
    // Our own links: the region, cluster, task id, group and stream in them are validated
    // and encoded.
    if let Some(url) = tab(TaskTab::Configuration) {
        text.push_str(" <");
        text.push_str(&url);
        text.push_str("|task ");
        text.push_str(example.task_id.get(..8).unwrap_or(&example.task_id));
        text.push('>');
    }
    if let Some(url) = log_stream(example, cause.container.as_deref(), service, log_groups)
        .filter(|url| url.len() <= MAX_LOG_LINK)
        .or_else(|| tab(TaskTab::Logs))
    {
        text.push_str(" · <");
        text.push_str(&url);
        text.push_str("|logs>");
    }
    text.push('\n');
    let details = [
        ("task definition ", example.task_definition.as_deref()),
        ("image ", example.image.as_deref()),
    ];
    let mut first = true;
    for (label, value) in details {
        if let Some(value) = value {
            text.push_str(if first { "    " } else { " · " });
            text.push_str(label);
            push_code(text, value, 200);
            first = false;
        }
    }
    if !first {
        text.push('\n');
    }
    // What it usually means: under the reason, never instead of it.
    if let Some(hint) = hint_for(cause) {
        text.push_str("    _Usually:_ ");
        text.push_str(hint.text);
        text.push('\n');
    }
}

/// The CloudWatch Logs stream of the container that explains `task`'s stop, around the task's
/// life, when `log_groups` says where its family logs with a stream prefix.
fn log_stream(
    task: &StoppedTask,
    container: Option<&str>,
    service: &Service,
    log_groups: &LogGroups,
) -> Option<String> {
    let target = log_groups.for_task_definition(task.task_definition.as_deref()?)?;
    let stream = target.stream(container?, &task.task_id)?;
    let from = task.started_at.unwrap_or(task.stopped_at);
    let window = (
        from.saturating_sub(LOG_MARGIN_SECS).saturating_mul(1000),
        task.stopped_at
            .saturating_add(LOG_MARGIN_SECS)
            .saturating_mul(1000),
    );
    console::log_stream_url(
        service.partition,
        &service.region,
        &target.group,
        &stream,
        Some(window),
    )
}
