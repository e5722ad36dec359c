//! What the story tells, as Slack Block Kit messages with a plain-text fallback: alerts (a
//! deployment or rollback failed, with the stopped tasks that explain it; a service action of
//! level ERROR), notices (rolling back, WARN service actions, started, completed) and
//! recoveries (rolled back).
//!
//! Every value that came from the event is shown as code (inline, or a block for reasons),
//! mrkdwn-escaped, with backticks replaced so it cannot close its code span, in text objects
//! marked `verbatim`: a reason such as `<!channel>`, `@here`, `*bold*`, a bare URL or
//! `<https://evil|docs>` shows as text instead of pinging, linking or reformatting the
//! message. The only links are our own console links. Every Block Kit limit is kept by
//! truncating with `…`.

use crate::classify::{Deployment, Level, Service};
use crate::console;
use crate::json::{self, Array, Object};
use crate::state::Rollback;
use crate::story::{CauseGroup, Message, Why};

/// Block Kit limits, in characters.
pub mod limits {
    /// Header block text.
    pub const HEADER: usize = 150;
    /// Section block text.
    pub const SECTION_TEXT: usize = 3000;
    /// One section field.
    pub const FIELD: usize = 2000;
    /// A button's URL.
    pub const BUTTON_URL: usize = 3000;
    /// Our own bound on the fallback text (Slack truncates at 40,000).
    pub const FALLBACK: usize = 1000;
}

/// How much of a reason the fallback text (notifications) carries.
const FALLBACK_REASON: usize = 300;
/// How much of each cause's reason the Why section shows.
const CAUSE_REASON: usize = 400;

/// Renders a message as the JSON body of a webhook POST; `mention` (validated Slack mention
/// syntax from the configuration) leads the fallback text and the first section.
pub fn render(message: &Message, mention: Option<&str>) -> String {
    write(draft(message), mention)
}

/// The parts every message is made of.
struct Draft<'s> {
    service: &'s Service<'s>,
    icon: &'static str,
    title: String,
    summary: Option<String>,
    deployment: Option<&'s str>,
    reason: Option<(&'static str, &'s str)>,
    why: Option<&'s Why>,
    event_id: &'s str,
    time: &'s str,
    fallback: String,
}

/// What the message for what the story tells is made of.
fn draft<'s>(message: &'s Message) -> Draft<'s> {
    match message {
        Message::DeploymentFailed { deployment, why } => failure(
            deployment,
            "Deployment failed",
            "ECS deployment failed",
            why,
        ),
        Message::RollbackFailed {
            deployment, why, ..
        } => failure(deployment, "Rollback failed", "ECS rollback failed", why),
        Message::RollingBack {
            deployment,
            rollback,
        } => rolling_back(deployment, rollback),
        Message::RolledBack {
            deployment,
            rollback,
        } => rolled_back(deployment, rollback),
        Message::ServiceAction(action) => {
            let (icon, what) = match action.level {
                Level::Error => ("🚨", "ECS service action"),
                Level::Warn => ("⚠️", "ECS service warning"),
            };
            let words = action_in_words(&action.name);
            let mut fallback = fallback_start(icon, what, &action.service);
            fallback.push_str(": ");
            fallback.push_str(&words);
            if let Some(reason) = action.reason.as_deref() {
                fallback.push_str(" (");
                push_escaped_as(&mut fallback, reason, FALLBACK_REASON, Escape::Code);
                fallback.push(')');
            }
            let mut summary = String::from("*Event*\n");
            push_code(&mut summary, &action.name, 300);
            if let Some(meaning) = action.reason.as_deref().and_then(reason_in_words) {
                summary.push('\n');
                summary.push_str(meaning);
            }
            Draft {
                service: &action.service,
                icon,
                title: words,
                summary: Some(summary),
                deployment: None,
                reason: action.reason.as_deref().map(|r| ("Reason", r)),
                why: None,
                event_id: &action.event_id,
                time: &action.time,
                fallback,
            }
        }
        Message::DeploymentStarted(deployment) => notice(
            deployment,
            "🚀",
            "Deployment started",
            "ECS deployment started",
        ),
        Message::DeploymentCompleted(deployment) => notice(
            deployment,
            "✅",
            "Deployment completed",
            "ECS deployment completed",
        ),
    }
}

fn failure<'s>(deployment: &'s Deployment, title: &str, what: &str, why: &'s Why) -> Draft<'s> {
    let service = &deployment.service;
    let mut fallback = fallback_start("🚨", what, service);
    fallback.push_str(": ");
    let reason = deployment.reason.as_deref().unwrap_or("no reason given");
    push_escaped_as(&mut fallback, reason, FALLBACK_REASON, Escape::Code);
    Draft {
        service,
        icon: "🚨",
        title: title.to_owned(),
        summary: None,
        deployment: deployment.deployment_id.as_deref(),
        reason: Some(("Reason", reason)).filter(|_| deployment.reason.is_some()),
        why: Some(why),
        event_id: &deployment.event_id,
        time: &deployment.time,
        fallback,
    }
}

fn rolling_back<'s>(deployment: &'s Deployment, rollback: &Rollback) -> Draft<'s> {
    let service = &deployment.service;
    let target = rollback.target.as_deref();
    let mut summary = String::from("The deployment circuit breaker is rolling back");
    if let Some(failed) = rollback.failed.as_deref() {
        summary.push_str(" the failed deployment ");
        push_code(&mut summary, failed, 100);
    }
    summary.push_str(" to ");
    match target {
        Some(target) => push_code(&mut summary, target, 100),
        None => summary.push_str("the last deployment that completed"),
    }
    summary.push('.');
    let mut title = String::from("Rolling back ");
    title.push_str(&service.name);
    title.push_str(" to ");
    title.push_str(target.unwrap_or("the previous deployment"));
    let mut fallback = fallback_start("↩️", "ECS rolling back", service);
    fallback.push_str(" to ");
    push_escaped(
        &mut fallback,
        target.unwrap_or("the previous deployment"),
        100,
    );
    Draft {
        service,
        icon: "↩️",
        title,
        summary: Some(summary),
        deployment: deployment.deployment_id.as_deref(),
        reason: deployment.reason.as_deref().map(|r| ("Reason", r)),
        why: None,
        event_id: &deployment.event_id,
        time: &deployment.time,
        fallback,
    }
}

fn rolled_back<'s>(deployment: &'s Deployment, rollback: &Rollback) -> Draft<'s> {
    let service = &deployment.service;
    let steady_on = rollback
        .target
        .as_deref()
        .or(deployment.deployment_id.as_deref())
        .unwrap_or("the previous deployment");
    let mut title = String::from("Rolled back: ");
    title.push_str(&service.name);
    title.push_str(" is steady on ");
    title.push_str(steady_on);
    let mut summary = String::from("Recovered: the rollback completed");
    if let Some(failed) = rollback.failed.as_deref() {
        summary.push_str(" after deployment ");
        push_code(&mut summary, failed, 100);
        summary.push_str(" failed");
    }
    summary.push_str(". Nothing to do unless the failed release must still ship.");
    let mut fallback = fallback_start("✅", "ECS rolled back", service);
    fallback.push_str(": steady on ");
    push_escaped(&mut fallback, steady_on, 100);
    Draft {
        service,
        icon: "✅",
        title,
        summary: Some(summary),
        deployment: deployment.deployment_id.as_deref(),
        reason: None,
        why: None,
        event_id: &deployment.event_id,
        time: &deployment.time,
        fallback,
    }
}

fn notice<'s>(
    deployment: &'s Deployment,
    icon: &'static str,
    title: &str,
    what: &str,
) -> Draft<'s> {
    let service = &deployment.service;
    Draft {
        service,
        icon,
        title: title.to_owned(),
        summary: None,
        deployment: deployment.deployment_id.as_deref(),
        reason: deployment.reason.as_deref().map(|r| ("Reason", r)),
        why: None,
        event_id: &deployment.event_id,
        time: &deployment.time,
        fallback: fallback_start(icon, what, service),
    }
}

/// `ICON WHAT in ENV: CLUSTER / SERVICE (REGION)`: at most 64 + 255 + 255 + 32 characters
/// of values, so with a reason of [`FALLBACK_REASON`] it stays within limits::FALLBACK.
fn fallback_start(icon: &str, what: &str, service: &Service) -> String {
    let mut text = String::with_capacity(256);
    text.push_str(icon);
    text.push(' ');
    text.push_str(what);
    text.push_str(" in ");
    push_escaped(&mut text, service.environment, 64);
    text.push_str(": ");
    push_escaped(
        &mut text,
        service.cluster.as_deref().unwrap_or("unknown"),
        255,
    );
    text.push_str(" / ");
    push_escaped(&mut text, &service.name, 255);
    text.push_str(" (");
    text.push_str(service.region.as_str());
    text.push(')');
    text
}

/// Writes the message as the JSON body of a webhook POST, each text straight into it: one
/// buffer serves every text built from event values in turn.
fn write(draft: Draft, mention: Option<&str>) -> String {
    let Draft {
        service,
        icon,
        title,
        summary,
        deployment,
        reason,
        why,
        event_id,
        time,
        fallback,
    } = draft;
    let mut text = String::with_capacity(512);
    text.push_str(icon);
    text.push(' ');
    // Slack counts code points, and an icon may be several (`↩️` is two): the room left is
    // counted from what the header holds, never assumed.
    if title.starts_with("Rolling back") || title.starts_with("Rolled back") {
        // The title already names the service.
        let room = limits::HEADER.saturating_sub(text.chars().count());
        push_escaped(&mut text, &title, room);
    } else {
        text.push_str(&title);
        text.push_str(": ");
        let room = limits::HEADER.saturating_sub(text.chars().count());
        push_escaped(&mut text, &service.name, room);
    }
    // The mention goes first into the first section after the header.
    let mut mention = mention;
    let mut json = String::with_capacity(2048);
    json::object(&mut json, |o| {
        match mention {
            Some(mention) => o.str_parts("text", &[mention, " ", &fallback]),
            None => o.str("text", &fallback),
        };
        o.array("blocks", |blocks| {
            blocks.object(|o| {
                o.str("type", "header")
                    .object("text", |o| plain_text(o, &text, true));
            });
            if let Some(summary) = &summary {
                match mention.take() {
                    Some(mention) => section(blocks, &[mention, "\n", summary]),
                    None => section(blocks, &[summary]),
                }
            }
            let cluster = service.cluster.as_deref().unwrap_or("unknown");
            let fields = [
                ("Environment", service.environment),
                ("Cluster", cluster),
                ("Service", &service.name),
                ("Region", service.region.as_str()),
                ("Account", service.account.as_str()),
            ];
            let deployment = deployment.map(|deployment| ("Deployment", deployment));
            blocks.object(|o| {
                o.str("type", "section");
                if let Some(mention) = mention.take() {
                    o.object("text", |o| mrkdwn(o, &[mention]));
                }
                o.array("fields", |a| {
                    for (label, value) in fields.into_iter().chain(deployment) {
                        text.clear();
                        labelled_code(&mut text, label, value, limits::FIELD);
                        a.object(|o| mrkdwn(o, &[&text]));
                    }
                });
            });
            if let Some((label, reason)) = reason {
                text.clear();
                labelled_code_block(&mut text, label, reason, limits::SECTION_TEXT);
                section(blocks, &[&text]);
            }
            if let Some(why) = why {
                text.clear();
                why_text(&mut text, why, service);
                section(blocks, &[&text]);
            }
            // A cut URL is a broken link: drop the button instead.
            if let Some(url) = service
                .console_url()
                .filter(|url| url.chars().count() <= limits::BUTTON_URL)
            {
                blocks.object(|o| {
                    o.str("type", "actions").array("elements", |a| {
                        a.object(|o| {
                            o.str("type", "button")
                                .object("text", |o| plain_text(o, "Open in AWS console", false))
                                .str("url", &url)
                                .str("action_id", "open_console");
                        });
                    });
                });
            }
            text.clear();
            text.push_str("Event ");
            push_code(&mut text, event_id, 1000);
            text.push_str(" · ");
            push_code(&mut text, time, 100);
            blocks.object(|o| {
                o.str("type", "context").array("elements", |a| {
                    a.object(|o| mrkdwn(o, &[&text]));
                });
            });
        });
        // No link previews: a URL in event text must not pull one in.
        o.bool("unfurl_links", false).bool("unfurl_media", false);
    });
    json
}

fn plain_text(o: &mut Object, text: &str, emoji: bool) {
    o.str("type", "plain_text")
        .str("text", text)
        .bool("emoji", emoji);
}

/// A mrkdwn text object of `parts`; always `verbatim`: Slack neither links URLs nor resolves
/// names in it.
fn mrkdwn(o: &mut Object, parts: &[&str]) {
    o.str("type", "mrkdwn")
        .str_parts("text", parts)
        .bool("verbatim", true);
}

/// A section block of one mrkdwn text.
fn section(blocks: &mut Array, parts: &[&str]) {
    blocks.object(|o| {
        o.str("type", "section")
            .object("text", |o| mrkdwn(o, parts));
    });
}

/// The Why section: each cause with its count, a link to one of its tasks, its task
/// definition and image; or why there is nothing to show.
fn why_text(text: &mut String, why: &Why, service: &Service) {
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
        Why::Causes(groups, others) => {
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

/// A service action's event name in words.
fn action_in_words(name: &str) -> String {
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
        "VPC_LATTICE_TARGET_UNHEALTHY" => Some("VPC Lattice reports unhealthy targets"),
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

/// What a placement failure's reason means, for the reasons ECS documents.
fn reason_in_words(reason: &str) -> Option<&'static str> {
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

/// `*Label*` and the value as inline code on the next line, within `max` characters.
fn labelled_code(out: &mut String, label: &str, value: &str, max: usize) {
    let used = push_label(out, label);
    push_code(out, value, max.saturating_sub(used));
}

/// `*Label*` and the value as a code block on the next line, within `max` characters.
fn labelled_code_block(out: &mut String, label: &str, value: &str, max: usize) {
    let used = push_label(out, label) + 6;
    out.push_str("```");
    push_escaped_as(out, value, max.saturating_sub(used), Escape::Code);
    out.push_str("```");
}

/// Appends `*Label*` and a line break; returns the characters written.
fn push_label(out: &mut String, label: &str) -> usize {
    out.push('*');
    out.push_str(label);
    out.push_str("*\n");
    label.chars().count() + 3
}

/// Appends `text` as inline code, within `max` characters including the backticks.
fn push_code(out: &mut String, text: &str, max: usize) {
    out.push('`');
    push_escaped_as(out, text, max.saturating_sub(2), Escape::Inline);
    out.push('`');
}

/// How a value is escaped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// `&`, `<`, `>` only.
    Mrkdwn,
    /// Also a backtick, which would end the code span, becomes `ˋ` (U+02CB).
    Code,
    /// As `Code`, and line breaks become spaces (inline code is one line).
    Inline,
}

/// Appends `text` with Slack's control characters escaped, cut with `…` to at most `max`
/// characters without splitting an escape.
fn push_escaped(out: &mut String, text: &str, max: usize) {
    push_escaped_as(out, text, max, Escape::Mrkdwn);
}

/// Per byte, the escapes for which it is special: a table, as every value passes through it.
const MRKDWN: u8 = 1;
const CODE: u8 = 2;
const INLINE: u8 = 4;
static SPECIAL: [u8; 256] = {
    let mut table = [0; 256];
    table[b'&' as usize] = MRKDWN | CODE | INLINE;
    table[b'<' as usize] = MRKDWN | CODE | INLINE;
    table[b'>' as usize] = MRKDWN | CODE | INLINE;
    table[b'`' as usize] = CODE | INLINE;
    table[b'\n' as usize] = INLINE;
    table[b'\r' as usize] = INLINE;
    table
};

fn push_escaped_as(out: &mut String, text: &str, max: usize, escape: Escape) {
    let mode = match escape {
        Escape::Mrkdwn => MRKDWN,
        Escape::Code => CODE,
        Escape::Inline => INLINE,
    };
    let special = |b: u8| SPECIAL[usize::from(b)] & mode != 0;
    // Most values (names, ids) need neither: copy them whole.
    if text.len() <= max && !text.bytes().any(special) {
        out.push_str(text);
        return;
    }
    let mut used = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let piece = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '`' if escape != Escape::Mrkdwn => "ˋ",
            '\n' | '\r' if escape == Escape::Inline => " ",
            _ => "",
        };
        let width = match piece {
            "" | "ˋ" | " " => 1,
            _ => piece.len(),
        };
        // Keep room for the ellipsis unless this is the last character.
        let reserve = usize::from(chars.peek().is_some());
        if used + width + reserve > max {
            if max > used {
                out.push('…');
            }
            break;
        }
        if piece.is_empty() {
            out.push(c);
        } else {
            out.push_str(piece);
        }
        used += width;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escape_within(text: &str, max: usize) -> String {
        let mut out = String::with_capacity(text.len().min(max * 4));
        push_escaped(&mut out, text, max);
        out
    }

    #[test]
    fn escapes_slack_control_characters() {
        assert_eq!(
            escape_within("<!channel> & <https://x|y>", 100),
            "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
        );
    }

    #[test]
    fn truncation_keeps_the_limit_and_whole_escapes() {
        assert_eq!(escape_within("abcdef", 6), "abcdef");
        assert_eq!(escape_within("abcdefg", 6), "abcde…");
        assert_eq!(escape_within("ab<cd", 5), "ab…");
        assert_eq!(escape_within("", 0), "");
        assert_eq!(escape_within("ab", 0), "");
        for max in 0..40 {
            for text in ["a<b>c&d".repeat(5), "ééé<<<".repeat(3)] {
                let out = escape_within(&text, max);
                assert!(out.chars().count() <= max, "{max} {out}");
                let body = out.trim_end_matches('…');
                assert!(!body.contains('<') && !body.contains('>'));
                // Every `&` starts a whole escape.
                for (i, _) in body.match_indices('&') {
                    let rest = &body[i..];
                    assert!(
                        rest.starts_with("&amp;")
                            || rest.starts_with("&lt;")
                            || rest.starts_with("&gt;"),
                        "{out}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_fallback_text_stays_within_its_limit_for_the_longest_values() {
        use crate::aws::{AccountId, Partition, Region};
        use crate::classify::{Deployment, Service};
        use std::borrow::Cow;
        let longest = "<".repeat(255);
        let environment = "e".repeat(64);
        let deployment = Deployment {
            event_id: Cow::Owned("<".repeat(5000)),
            time: Cow::Owned("&".repeat(5000)),
            service: Service {
                account: AccountId::parse("111122223333").unwrap(),
                region: Region::parse(&format!("a{}", "b".repeat(31))).unwrap(),
                partition: Partition::Aws,
                cluster: Some(longest.clone()),
                name: longest,
                environment: &environment,
            },
            deployment_id: Some(Cow::Owned(">".repeat(5000))),
            reason: Some(Cow::Owned("&".repeat(10_000))),
        };
        let rollback = Rollback {
            deployment: "d".into(),
            target: Some("t".repeat(5000)),
            failed: Some("f".repeat(5000)),
        };
        for message in [
            Message::DeploymentFailed {
                deployment: &deployment,
                why: Why::NothingRecorded,
            },
            Message::RollingBack {
                deployment: &deployment,
                rollback: rollback.clone(),
            },
            Message::RolledBack {
                deployment: &deployment,
                rollback,
            },
            Message::DeploymentStarted(&deployment),
        ] {
            let payload: serde_json::Value = serde_json::from_str(&render(&message, None)).unwrap();
            let text = payload["text"].as_str().unwrap();
            assert!(text.chars().count() <= limits::FALLBACK, "{}", text.len());
            let header = payload["blocks"][0]["text"]["text"].as_str().unwrap();
            assert!(header.chars().count() <= limits::HEADER, "{header}");
        }
    }

    /// Every header of every kind of message, for the longest values ECS allows (service
    /// and cluster names of 255 characters, deployment ids without bound, action names),
    /// stays within Slack's limit as Slack counts it: in code points, so an icon such as
    /// `↩️` (U+21A9 U+FE0F) counts two. Past the limit Slack refuses the whole message.
    #[test]
    fn every_header_stays_within_its_limit_for_the_longest_names() {
        use crate::aws::{AccountId, Partition, Region};
        use crate::classify::{Action, Deployment, Level, Service};
        use std::borrow::Cow;
        let environment = "e".repeat(64);
        let long_id = format!("ecs-svc/{}", "9".repeat(500));
        // The longest target a rollback's reason yields (`ecs-svc/` and 64 characters), and
        // a deployment id of any length.
        let targets = [
            None,
            Some(format!("ecs-svc/{}", "7".repeat(64))),
            Some(long_id.clone()),
        ];
        let mut over = Vec::new();
        let mut kinds = std::collections::BTreeSet::new();
        // Escapes take several characters each and so cut elsewhere: plain names, escaped
        // ones, and names of multi-byte characters.
        for letter in ['a', '<', 'é'] {
            for len in 1..=255 {
                let service = Service {
                    account: AccountId::parse("111122223333").unwrap(),
                    region: Region::parse("us-east-1").unwrap(),
                    partition: Partition::Aws,
                    cluster: Some("c".repeat(255)),
                    name: std::iter::repeat_n(letter, len).collect(),
                    environment: &environment,
                };
                let deployment = Deployment {
                    event_id: Cow::Borrowed("e"),
                    time: Cow::Borrowed("t"),
                    service: service.clone(),
                    deployment_id: Some(Cow::Borrowed(&long_id)),
                    reason: Some(Cow::Borrowed("r")),
                };
                let no_id = Deployment {
                    deployment_id: None,
                    ..deployment.clone()
                };
                let actions: Vec<Action> = [Level::Error, Level::Warn]
                    .into_iter()
                    .flat_map(|level| {
                        [
                            "SERVICE_TASK_PLACEMENT_FAILURE".to_owned(),
                            "X_".repeat(128),
                        ]
                        .map(|name| Action {
                            event_id: Cow::Borrowed("e"),
                            time: Cow::Borrowed("t"),
                            service: service.clone(),
                            level,
                            name: Cow::Owned(name),
                            reason: None,
                        })
                    })
                    .collect();
                let mut messages = vec![
                    Message::DeploymentFailed {
                        deployment: &deployment,
                        why: Why::NothingRecorded,
                    },
                    Message::DeploymentStarted(&deployment),
                    Message::DeploymentCompleted(&deployment),
                ];
                for target in &targets {
                    let rollback = Rollback {
                        deployment: long_id.clone(),
                        target: target.clone(),
                        failed: Some(long_id.clone()),
                    };
                    messages.push(Message::RollbackFailed {
                        deployment: &deployment,
                        rollback: rollback.clone(),
                        why: Why::NothingRecorded,
                    });
                    messages.push(Message::RollingBack {
                        deployment: &deployment,
                        rollback: rollback.clone(),
                    });
                    for deployment in [&deployment, &no_id] {
                        messages.push(Message::RolledBack {
                            deployment,
                            rollback: rollback.clone(),
                        });
                    }
                }
                messages.extend(actions.iter().map(Message::ServiceAction));
                for message in &messages {
                    let payload: serde_json::Value =
                        serde_json::from_str(&render(message, None)).unwrap();
                    let header = payload["blocks"][0]["text"]["text"].as_str().unwrap();
                    let count = header.chars().count();
                    if count > limits::HEADER {
                        let kind: Vec<&str> = header.split(' ').take(3).collect();
                        kinds.insert(kind.join(" "));
                        over.push(format!(
                            "{count} code points, name of {len} {letter:?}: {header}"
                        ));
                    }
                }
            }
        }
        assert!(
            over.is_empty(),
            "{} headers over {} ({kinds:?}), the first: {}, the last: {}",
            over.len(),
            limits::HEADER,
            over.first().map_or("", String::as_str),
            over.last().map_or("", String::as_str)
        );
    }

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
