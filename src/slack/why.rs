//! The Why section of a failure alert: the causes of the stopped tasks, or why none is shown.

use super::mrkdwn::push_code;
use crate::classify::Service;
use crate::console;
use crate::story::causes::{CauseGroup, Why};

/// How much of each cause's reason the Why section shows.
const CAUSE_REASON: usize = 400;

/// Appends the Why section: each cause with its count, a link to one of its tasks, its task
/// definition and image; or why there is nothing to show.
pub fn why_text(text: &mut String, why: &Why, service: &Service) {
    text.push_str("*Why*\n");
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
            for group in groups {
                push_cause(text, group, service);
            }
            if *others > 0 {
                text.push_str("_… and ");
                text.push_str(&others.to_string());
                text.push_str(if *others == 1 {
                    " more task"
                } else {
                    " more tasks"
                });
                text.push_str(" with other causes._\n");
            }
        }
    }
}

fn push_cause(text: &mut String, group: &CauseGroup, service: &Service) {
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
    if let Some(url) = cluster.and_then(|cluster| {
        console::task_url(
            service.partition,
            &service.region,
            cluster,
            &example.task_id,
        )
    }) {
        // Our own link: the region, cluster and task id in it are validated and encoded.
        text.push_str(" <");
        text.push_str(&url);
        text.push_str("|task ");
        text.push_str(example.task_id.get(..8).unwrap_or(&example.task_id));
        text.push('>');
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
}
