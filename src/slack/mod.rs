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
//!
//! [`draft`] says what each message is made of, [`mrkdwn`] makes values safe, [`blocks`] is
//! the Block Kit shape that serde writes.

mod blocks;
mod controls;
mod draft;
pub mod hints;
mod hook;
mod mrkdwn;
#[cfg(test)]
mod replies;
mod status;
#[cfg(test)]
mod tests;
mod why;
mod words;

use std::borrow::Cow;

use blocks::{Block, Button, Payload, Text};
use draft::Draft;

pub use controls::{Controls, ack_line, decision_line};
use mrkdwn::{labelled_code, labelled_code_block, push_code, push_escaped};

use serde_json::value::RawValue;

use crate::classify::Service;
use crate::console;
use crate::logs::LogGroups;
use crate::remembered::Status;
use crate::story::Message;
use crate::story::causes::Why;

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
    /// Our own bound on a message's text in all: Slack refuses longer ones with
    /// `msg_blocks_too_long`, at a limit it does not document.
    pub const MESSAGE: usize = 12_000;
}

/// How a message is drawn, beyond what its story says.
#[derive(Debug, Clone, Copy)]
pub struct Look<'a> {
    /// Validated Slack mention syntax from the configuration: it leads the fallback text and
    /// the first section.
    pub mention: Option<&'a str>,
    /// Where each task definition family logs, for the causes' log links.
    pub log_groups: &'a LogGroups,
    /// Where the story stands now, for a thread's parent drawn again: its header and a
    /// status line say so, unless the message itself already does.
    pub status: Option<&'a Status>,
    /// For a reply in a thread: what its parent shows, which the reply does not repeat.
    pub reply_to: Option<Parent<'a>>,
    /// Its buttons, and what people did about it (app mode).
    pub controls: Controls<'a>,
}

/// What a thread's parent shows of its deployment, for a reply that must not repeat it.
#[derive(Debug, Default, Clone, Copy)]
pub struct Parent<'a> {
    /// The deployment it names.
    pub deployment: Option<&'a str>,
    /// ECS's reason it shows.
    pub reason: Option<&'a str>,
}

impl<'a> Look<'a> {
    /// A message drawn as its story tells it, with `mention` and log links from `log_groups`.
    pub fn new(mention: Option<&'a str>, log_groups: &'a LogGroups) -> Self {
        Self {
            mention,
            log_groups,
            status: None,
            reply_to: None,
            controls: Controls::default(),
        }
    }
}

/// Where a Web API call puts the message; all empty for a webhook, which is bound to its
/// channel.
#[derive(Debug, Default, Clone, Copy)]
pub struct Address<'a> {
    /// The channel.
    pub channel: Option<&'a str>,
    /// The message to rewrite (`chat.update`).
    pub ts: Option<&'a str>,
    /// The parent of the thread to reply in.
    pub thread_ts: Option<&'a str>,
    /// Whether the reply is also shown in the channel.
    pub reply_broadcast: bool,
}

impl<'a> Address<'a> {
    /// A new message in `channel`.
    pub fn channel(channel: &'a str) -> Self {
        Self {
            channel: Some(channel),
            ..Self::default()
        }
    }

    /// A reply in the thread of `parent` (its `ts`) in `channel`, also shown in the channel
    /// if `broadcast`.
    pub fn reply(channel: &'a str, parent: &'a str, broadcast: bool) -> Self {
        Self {
            channel: Some(channel),
            thread_ts: Some(parent),
            reply_broadcast: broadcast,
            ..Self::default()
        }
    }

    /// A rewrite of the message `ts` in `channel`.
    pub fn update(channel: &'a str, ts: &'a str) -> Self {
        Self {
            channel: Some(channel),
            ts: Some(ts),
            ..Self::default()
        }
    }
}

/// Renders a message as the JSON body of a webhook POST, or of the Web API call `address`
/// describes.
pub fn render(message: &Message, look: &Look, address: &Address) -> Box<RawValue> {
    let status = look
        .status
        .filter(|status| message.status().as_ref() != Some(*status));
    let mut payload = payload(draft::draft(message), look, status);
    payload.channel = address.channel;
    payload.ts = address.ts;
    payload.thread_ts = address.thread_ts;
    payload.reply_broadcast = address.reply_broadcast;
    if address.ts.is_some() {
        // A rewrite keeps the message's previews setting.
        (payload.unfurl_links, payload.unfurl_media) = (None, None);
    }
    // Strings, bools and sequences only: serde_json cannot fail on them. As raw JSON, a dry
    // run's answer and log line carry it without reading it again.
    serde_json::value::to_raw_value(&payload).expect("a Block Kit payload always serializes")
}

/// Renders one line of mrkdwn (ours, with user mentions and dates: not event text) as a Web
/// API message at `address`.
pub fn line(text: &str, address: &Address) -> Box<RawValue> {
    let payload = Payload {
        channel: address.channel,
        ts: address.ts,
        thread_ts: address.thread_ts,
        reply_broadcast: address.reply_broadcast,
        text: text.to_owned(),
        blocks: vec![Block::section(Text::mrkdwn(text))],
        unfurl_links: Some(false),
        unfurl_media: Some(false),
    };
    serde_json::value::to_raw_value(&payload).expect("a Block Kit payload always serializes")
}

/// The message's blocks: header, status, summary, facts, reason, Why, console button, event.
/// A reply in a thread leaves out what its parent shows: the facts, and a reason or a
/// deployment the same as the parent's.
fn payload<'a>(draft: Draft<'a>, look: &Look<'a>, status: Option<&Status>) -> Payload<'a> {
    let Draft {
        service,
        icon,
        title,
        names_service,
        summary,
        deployment,
        reason,
        why,
        commands,
        alarms,
        event_id,
        time,
        fallback,
    } = draft;
    let reply_to = look.reply_to;
    // A parent drawn again says first where its story stands.
    let fallback = match status {
        Some(status) => status::fallback(status, &fallback),
        None => fallback,
    };
    // The notification's text leads with the mention too.
    let text = match look.mention {
        Some(mention) => prefixed(mention, " ", &fallback),
        None => fallback,
    };
    let mut blocks = Vec::with_capacity(8);
    let controls = look.controls;
    let (icon, title) = match (controls.decision, status) {
        // A pause a person ended says so first.
        (Some(decision), _) => {
            let (icon, title) = controls::decided_header(decision);
            (icon, title.to_owned())
        }
        (None, Some(status)) => (status::icon(status), status::titled(&title, status)),
        (None, None) => (icon, title),
    };
    blocks.push(Block::Header {
        text: Text::plain(header(icon, &title, names_service, &service.name), true),
    });
    if let Some(status) = status {
        blocks.push(Block::section(Text::mrkdwn(status::line(status))));
    }
    if let Some(decision) = controls.decision {
        blocks.push(Block::section(Text::mrkdwn(decision_line(decision))));
    }
    if let Some(on_it) = controls.on_it() {
        blocks.push(Block::section(Text::mrkdwn(on_it)));
    }
    // The mention goes first into the first section after the header.
    let mut mention = look.mention;
    if let Some(summary) = summary {
        let text = match mention.take() {
            Some(mention) => prefixed(mention, "\n", &summary),
            None => summary,
        };
        blocks.push(Block::section(Text::mrkdwn(text)));
    }
    match reply_to {
        Some(_) => blocks.extend(mention.take().map(|m| Block::section(Text::mrkdwn(m)))),
        None => blocks.push(Block::Section {
            text: mention.take().map(Text::mrkdwn),
            fields: facts(service, deployment),
        }),
    }
    let new_reason =
        reason.filter(|reason| reply_to.is_none_or(|parent| parent.reason != Some(*reason)));
    if let Some(reason) = new_reason {
        let mut text = String::with_capacity(reason.len().min(limits::SECTION_TEXT) + 32);
        labelled_code_block(&mut text, "Reason", reason, limits::SECTION_TEXT);
        blocks.push(Block::section(Text::mrkdwn(text)));
    }
    // What someone can do holds only while the story goes on, and nobody ended the pause.
    let over = status.is_some_and(Status::is_final) || controls.decision.is_some();
    if let Some(commands) = commands.filter(|_| !over) {
        blocks.push(Block::section(Text::mrkdwn(commands)));
    }
    let new_deployment = deployment
        .filter(|deployment| reply_to.is_some_and(|parent| parent.deployment != Some(*deployment)));
    let context = context(event_id, time, new_deployment);
    if let Some(why) = why {
        // What the message shows besides the Why, and what it still adds: within the bound.
        let shown: usize = blocks.iter().map(Block::char_count).sum();
        let mut room = limits::MESSAGE.saturating_sub(shown + context.chars().count() + 200);
        let causes = match why {
            Why::Causes { groups, .. } => groups.len(),
            Why::NothingRecorded | Why::StoreUnavailable => 0,
        };
        for (shown, text) in why::why_sections(why, service, look.log_groups)
            .into_iter()
            .enumerate()
        {
            let size = text.chars().count();
            if size > room {
                let more = causes.saturating_sub(shown).max(1);
                blocks.push(Block::section(Text::mrkdwn(why::more_causes(more))));
                break;
            }
            room -= size;
            blocks.push(Block::section(Text::mrkdwn(text)));
        }
    }
    // A cut URL is a broken link: drop the button instead.
    let console = service
        .console_url()
        .map(|url| ("Open in AWS console", url, "open_console"));
    let alarms = alarms
        .then(|| console::alarms_url(service.partition, &service.region))
        .flatten()
        .map(|url| ("CloudWatch alarms", url, "open_alarms"));
    let links = console
        .into_iter()
        .chain(alarms)
        .filter(|(_, url, _)| url.chars().count() <= limits::BUTTON_URL)
        .map(|(text, url, action_id)| Button {
            text: Text::plain(text, false),
            action_id,
            url: Some(Cow::Owned(url)),
            value: None,
            style: None,
            confirm: None,
        });
    let buttons: Vec<Button> = controls.buttons().into_iter().chain(links).collect();
    if !buttons.is_empty() {
        blocks.push(Block::Actions { elements: buttons });
    }
    blocks.push(Block::Context {
        elements: vec![Text::mrkdwn(context)],
    });
    Payload {
        channel: None,
        ts: None,
        thread_ts: None,
        reply_broadcast: false,
        text,
        blocks,
        // No link previews: a URL in event text must not pull one in.
        unfurl_links: Some(false),
        unfurl_media: Some(false),
    }
}

/// The facts grid: environment, cluster, service, region, account and the deployment.
fn facts<'a>(service: &Service, deployment: Option<&str>) -> Vec<Text<'a>> {
    let cluster = service.cluster.as_deref().unwrap_or("unknown");
    let facts = [
        ("Environment", service.environment),
        ("Cluster", cluster),
        ("Service", &service.name),
        ("Region", service.region.as_str()),
        ("Account", service.account.as_str()),
    ];
    let deployment = deployment.map(|deployment| ("Deployment", deployment));
    facts
        .into_iter()
        .chain(deployment)
        .map(|(label, value)| {
            let mut text = String::with_capacity(label.len() + value.len().min(limits::FIELD) + 8);
            labelled_code(&mut text, label, value, limits::FIELD);
            Text::mrkdwn(text)
        })
        .collect()
}

/// The small print: `Event `ID` · `TIME``, and a reply's deployment when its parent shows
/// another.
fn context(event_id: &str, time: &str, deployment: Option<&str>) -> String {
    let mut context = String::with_capacity(event_id.len().min(1000) + time.len().min(100) + 16);
    context.push_str("Event ");
    push_code(&mut context, event_id, 1000);
    context.push_str(" · ");
    push_code(&mut context, time, 100);
    if let Some(deployment) = deployment {
        context.push_str(" · Deployment ");
        push_code(&mut context, deployment, 200);
    }
    context
}

/// The header: icon, title and, unless the title names it, the service; within Slack's limit.
/// The title may carry the event's values (a service, a stage): escaped like them.
fn header(icon: &str, title: &str, names_service: bool, service: &str) -> String {
    let mut text = String::with_capacity(limits::HEADER * 2);
    text.push_str(icon);
    text.push(' ');
    // Slack counts code points, and an icon may be several (`↩️` is two): the room left is
    // counted from what the header holds, never assumed.
    let room = limits::HEADER.saturating_sub(text.chars().count());
    if names_service {
        push_escaped(&mut text, title, room);
    } else {
        // The service's name gets the room the title leaves, at least a third of it.
        push_escaped(&mut text, title, room - room / 3);
        text.push_str(": ");
        let room = limits::HEADER.saturating_sub(text.chars().count());
        push_escaped(&mut text, service, room);
    }
    text
}

/// `first`, `separator` and `rest` as one text.
fn prefixed(first: &str, separator: &str, rest: &str) -> String {
    let mut text = String::with_capacity(first.len() + separator.len() + rest.len());
    text.push_str(first);
    text.push_str(separator);
    text.push_str(rest);
    text
}
