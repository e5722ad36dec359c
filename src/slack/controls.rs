//! What people can do from a message (app mode, once the signing secret is set): say they are
//! on it, continue or roll back a paused deployment; and what they did: who is on it, who
//! ended the pause. Buttons carry only an opaque value: the press is decided from the store.

use std::borrow::Cow;

use super::blocks::{Button, Confirm, Text};
use super::mrkdwn::push_date;
use crate::ecs_api::HookAction;
use crate::press::{ACK, HOOK_CONTINUE, HOOK_ROLLBACK};
use crate::remembered::{Ack, Decision};

/// The buttons a message carries and what people did about it.
#[derive(Debug, Default, Clone, Copy)]
pub struct Controls<'a> {
    /// "I'm on it", with its value: the story's thread (empty for a message in none).
    pub ack: Option<&'a str>,
    /// A pause's "Continue" and "Roll back", with their value: the pause's opaque id.
    pub pause: Option<&'a str>,
    /// Who said they are on it.
    pub acks: &'a [Ack],
    /// How a person ended the pause from Slack.
    pub decision: Option<&'a Decision>,
}

impl<'a> Controls<'a> {
    /// The buttons, in the order they show: the pause's (while nobody decided), then "I'm
    /// on it".
    pub(super) fn buttons(&self) -> Vec<Button<'a>> {
        let mut buttons = Vec::with_capacity(3);
        if let Some(id) = self.pause.filter(|_| self.decision.is_none()) {
            buttons.push(pause_button(HookAction::Continue, id));
            buttons.push(pause_button(HookAction::Rollback, id));
        }
        if let Some(story) = self.ack {
            buttons.push(Button {
                text: Text::plain("👀 I'm on it", true),
                action_id: ACK,
                url: None,
                value: Some(story),
                style: None,
                confirm: None,
            });
        }
        buttons
    }

    /// "👀 <@A> and <@B> are on it", when someone is.
    pub(super) fn on_it(&self) -> Option<String> {
        let (last, first) = self.acks.split_last()?;
        let mut text = String::from("👀 ");
        for (at, ack) in first.iter().enumerate() {
            if at > 0 {
                text.push_str(", ");
            }
            text.push_str(&ack.user.mention());
        }
        if !first.is_empty() {
            text.push_str(" and ");
        }
        text.push_str(&last.user.mention());
        text.push_str(if first.is_empty() {
            " is on it"
        } else {
            " are on it"
        });
        Some(text)
    }
}

/// The header of a pause a person ended: its icon and title.
pub(super) fn decided_header(decision: &Decision) -> (&'static str, &'static str) {
    match decision.action {
        HookAction::Continue => ("▶️", "Continued"),
        HookAction::Rollback => ("↩️", "Rollback requested"),
    }
}

/// "▶️ Continued by <@U> · DATE": who ended the pause, and when.
pub fn decision_line(decision: &Decision) -> String {
    let (icon, title) = decided_header(decision);
    let mut text = String::with_capacity(120);
    text.push_str(icon);
    text.push(' ');
    text.push_str(title);
    text.push_str(" by ");
    text.push_str(&decision.by.mention());
    text.push_str(" · ");
    push_date(&mut text, decision.at);
    text
}

/// "👀 <@U> is on it · DATE": the thread's reply to a press of "I'm on it".
pub fn ack_line(ack: &Ack) -> String {
    let mut text = format!("👀 {} is on it · ", ack.user.mention());
    push_date(&mut text, ack.at);
    text
}

/// A pause's button, with Slack's confirmation: a press changes a production deployment.
fn pause_button(action: HookAction, id: &str) -> Button<'_> {
    let (label, action_id, style, asks, goes) = match action {
        HookAction::Continue => (
            "Continue",
            HOOK_CONTINUE,
            "primary",
            "ECS goes on with the deployment past this pause.",
            "Continue",
        ),
        HookAction::Rollback => (
            "Roll back",
            HOOK_ROLLBACK,
            "danger",
            "ECS rolls the deployment back to the previous revision.",
            "Roll back",
        ),
    };
    Button {
        text: Text::plain(label, false),
        action_id,
        url: None,
        value: Some(id),
        style: Some(style),
        confirm: Some(Confirm {
            title: Text::plain(
                Cow::Borrowed(if action == HookAction::Continue {
                    "Continue the deployment?"
                } else {
                    "Roll the deployment back?"
                }),
                false,
            ),
            text: Text::mrkdwn(asks),
            confirm: Text::plain(goes, false),
            deny: Text::plain("Cancel", false),
            style: (action == HookAction::Rollback).then_some("danger"),
        }),
    }
}
