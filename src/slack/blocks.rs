//! The Block Kit types a message is made of, serialized by serde in Slack's JSON shape.
//!
//! Only what the messages use is modelled. Texts borrow where the value already exists (a
//! mention, a static label) and own what was composed from event values.

use std::borrow::Cow;

use serde::Serialize;

/// The body of a webhook POST, or of a Web API call (which also says where).
#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    /// The channel (Web API).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<&'a str>,
    /// The message to rewrite (`chat.update`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<&'a str>,
    /// The parent of the thread to reply in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<&'a str>,
    /// Whether the reply is also shown in the channel.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reply_broadcast: bool,
    /// The plain-text fallback, used for notifications.
    pub text: String,
    /// The message's blocks, in order.
    pub blocks: Vec<Block<'a>>,
    /// Whether Slack may preview links in the message (not for a rewrite, which keeps the
    /// message's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_links: Option<bool>,
    /// Whether Slack may preview media in the message (likewise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_media: Option<bool>,
}

/// A layout block, tagged with its `type`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block<'a> {
    /// A header: plain text, at most 150 characters.
    Header {
        /// Its text.
        text: Text<'a>,
    },
    /// A section: a text, fields shown in two columns, or both.
    Section {
        /// The text above the fields.
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<Text<'a>>,
        /// The fields, at most 10.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        fields: Vec<Text<'a>>,
    },
    /// Buttons: links, and the ones Slack sends to the interactions path.
    Actions {
        /// The buttons.
        elements: Vec<Button<'a>>,
    },
    /// Small print under the message.
    Context {
        /// Its texts.
        elements: Vec<Text<'a>>,
    },
}

impl<'a> Block<'a> {
    /// A section of one text and no fields.
    pub fn section(text: Text<'a>) -> Self {
        Block::Section {
            text: Some(text),
            fields: Vec::new(),
        }
    }

    /// How many characters of text it shows (a button's URL is not shown).
    pub fn char_count(&self) -> usize {
        match self {
            Block::Header { text } => text.char_count(),
            Block::Section { text, fields } => text
                .iter()
                .chain(fields)
                .map(Text::char_count)
                .sum::<usize>(),
            Block::Actions { elements } => elements.iter().map(|b| b.text.char_count()).sum(),
            Block::Context { elements } => elements.iter().map(Text::char_count).sum(),
        }
    }
}

/// A text object, tagged with its `type`. Build it with [`Text::plain`] or [`Text::mrkdwn`].
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Text<'a> {
    /// Shown as it is (but for emoji shortcodes where `emoji`).
    PlainText {
        /// The text.
        text: Cow<'a, str>,
        /// Whether `:shortcodes:` become emoji.
        emoji: bool,
    },
    /// Slack's markup.
    Mrkdwn {
        /// The text.
        text: Cow<'a, str>,
        /// Always true: see [`Text::mrkdwn`].
        verbatim: bool,
    },
}

impl<'a> Text<'a> {
    /// How many characters it holds.
    pub fn char_count(&self) -> usize {
        match self {
            Text::PlainText { text, .. } | Text::Mrkdwn { text, .. } => text.chars().count(),
        }
    }

    /// A plain-text object.
    pub fn plain(text: impl Into<Cow<'a, str>>, emoji: bool) -> Self {
        Text::PlainText {
            text: text.into(),
            emoji,
        }
    }

    /// A mrkdwn text object, always `verbatim`: Slack neither links URLs nor resolves names
    /// in it, so a URL or `@name` in event text stays text.
    pub fn mrkdwn(text: impl Into<Cow<'a, str>>) -> Self {
        Text::Mrkdwn {
            text: text.into(),
            verbatim: true,
        }
    }
}

/// A button: a link (`url`), or one whose press Slack sends to the interactions path with its
/// `action_id` and `value`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "button")]
pub struct Button<'a> {
    /// Its label: plain text, at most 75 characters.
    pub text: Text<'a>,
    /// Identifies the button in interaction payloads.
    pub action_id: &'a str,
    /// Where it leads, at most 3000 characters: a link button.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Cow<'a, str>>,
    /// What a press sends back, at most 2000 characters: never more than an opaque id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
    /// `primary` or `danger`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<&'static str>,
    /// The dialog Slack shows before it sends the press.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<Confirm>,
}

/// Slack's "are you sure?" dialog (a confirmation object).
#[derive(Debug, Serialize)]
pub struct Confirm {
    /// Its title, plain text.
    pub title: Text<'static>,
    /// What it asks, mrkdwn.
    pub text: Text<'static>,
    /// The button that goes ahead, plain text.
    pub confirm: Text<'static>,
    /// The button that does not, plain text.
    pub deny: Text<'static>,
    /// `danger` makes the confirm button red.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<&'static str>,
}
