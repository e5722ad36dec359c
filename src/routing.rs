//! Routing and urgency: where an environment's messages go (an incoming webhook, or a channel
//! through the Slack app's bot token), and whom an alert in that environment mentions. Both
//! settings are `ENV=VALUE` pairs separated by `;`, with the environment names the environment
//! rules produce.

use crate::bot::{BotToken, ChannelId, is_slack_id};
use crate::endpoint::Endpoint;
use crate::environment::environment_name;

/// Where one environment's messages go, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An incoming webhook (bound to its channel).
    Webhook(Endpoint),
    /// A channel, through the app's bot token.
    Channel(ChannelId),
}

/// The Slack app: its bot token and where its Web API is.
#[derive(Debug)]
pub struct App {
    /// `slack_bot_token`.
    pub token: BotToken,
    /// `slack_api_url`: `https://slack.com/api` unless set.
    pub api: Endpoint,
}

/// How one message reaches Slack.
#[derive(Debug, Clone, Copy)]
pub enum Route<'a> {
    /// POST to an incoming webhook.
    Webhook(&'a Endpoint),
    /// Call the Web API as the app, in `channel`.
    App {
        /// The channel.
        channel: &'a ChannelId,
        /// The app.
        app: &'a App,
    },
}

/// Where messages go, by environment, and the default for the others.
#[derive(Debug, Default)]
pub struct Routes {
    /// For environments without a route of their own: `slack_channel` with the bot token,
    /// else `slack_webhook_url`.
    pub default: Option<Target>,
    /// `slack_routes`: a webhook or a channel per environment.
    pub by_environment: Vec<(String, Target)>,
    /// The Slack app, when a bot token is set.
    pub app: Option<App>,
}

impl Routes {
    /// Parses `slack_routes`: `ENV=WEBHOOK_URL_OR_CHANNEL_ID;...`. Errors name the
    /// environment, never the URL.
    pub fn parse_routes(text: &str) -> Result<Vec<(String, Target)>, String> {
        pairs(text)?
            .into_iter()
            .map(|(environment, value)| {
                let target = if ChannelId::looks_like(value) {
                    ChannelId::parse(value).map(Target::Channel)
                } else {
                    Endpoint::parse(value).map(Target::Webhook)
                };
                target
                    .map(|target| (environment.clone(), target))
                    .map_err(|reason| format!("the route of `{environment}`: {reason}"))
            })
            .collect()
    }

    /// Whether `slack_routes` (as written) routes an environment to a channel: a look at the
    /// values before the app's keys are read; [`Routes::parse_routes`] checks them.
    pub fn name_a_channel(text: &str) -> bool {
        entries(text).any(|entry| entry.is_some_and(|(_, value)| ChannelId::looks_like(value)))
    }

    /// How messages about `environment` reach Slack: its own route, else the default. A
    /// channel without the app (which configuration refuses) has no route.
    pub fn route_for(&self, environment: &str) -> Option<Route<'_>> {
        let target = self
            .by_environment
            .iter()
            .find(|(name, _)| name == environment)
            .map(|(_, target)| target)
            .or(self.default.as_ref())?;
        match target {
            Target::Webhook(url) => Some(Route::Webhook(url)),
            Target::Channel(channel) => self.app.as_ref().map(|app| Route::App { channel, app }),
        }
    }

    /// The environments with a route of their own (names only: the URLs are secrets).
    pub fn environments(&self) -> Vec<&str> {
        self.by_environment
            .iter()
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Each environment with a route of its own and its mode (`app` or `webhook`), then `*`
    /// for the others when there is a default.
    pub fn modes(&self) -> Vec<(&str, &'static str)> {
        let mode = |target: &Target| match target {
            Target::Webhook(_) => "webhook",
            Target::Channel(_) => "app",
        };
        self.by_environment
            .iter()
            .map(|(name, target)| (name.as_str(), mode(target)))
            .chain(self.default.as_ref().map(|target| ("*", mode(target))))
            .collect()
    }
}

/// Whom alerts mention, by environment: `mentions`, such as `production=<!here>`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Mentions(Vec<(String, String)>);

impl Mentions {
    /// Parses `ENV=MENTION MENTION...;...`. Allowed: `<!here>`, `<!channel>`, `<@U...>` and
    /// `<@W...>` (users), `<!subteam^S...>` (user groups); anything else names the entry.
    pub fn parse(text: &str) -> Result<Self, String> {
        pairs(text)?
            .into_iter()
            .map(|(environment, value)| {
                let mentions: Vec<&str> = value.split_whitespace().collect();
                if mentions.is_empty() {
                    return Err(format!("entry `{environment}=` has no mention"));
                }
                if let Some(bad) = mentions.iter().find(|m| !is_mention(m)) {
                    return Err(format!(
                        "entry `{environment}={}`: `{bad}` is not one of <!here>, <!channel>, \
                         <@U...>, <@W...>, <!subteam^S...>",
                        value.trim()
                    ));
                }
                Ok((environment, mentions.join(" ")))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The mentions for alerts about `environment`, if any.
    pub fn for_environment(&self, environment: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| name == environment)
            .map(|(_, mentions)| mentions.as_str())
    }
}

/// One of Slack's mention forms, with an id of capital letters and digits.
fn is_mention(text: &str) -> bool {
    let id = |rest: &str, first: &[u8]| {
        rest.strip_suffix('>')
            .is_some_and(|id| is_slack_id(id, first, 2..=32))
    };
    matches!(text, "<!here>" | "<!channel>")
        || text.strip_prefix("<@").is_some_and(|rest| id(rest, b"UW"))
        || text
            .strip_prefix("<!subteam^")
            .is_some_and(|rest| id(rest, b"S"))
}

/// The entries of `ENV=VALUE;ENV=VALUE` as written, `None` for one without `=`; empty ones
/// skipped.
pub(crate) fn entries(text: &str) -> impl Iterator<Item = Option<(&str, &str)>> {
    text.split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| part.split_once('='))
}

/// `ENV=VALUE;ENV=VALUE`: valid, distinct environment names and their raw values.
fn pairs(text: &str) -> Result<Vec<(String, &str)>, String> {
    let mut pairs: Vec<(String, &str)> = Vec::new();
    for entry in entries(text) {
        let (name, value) = entry.ok_or("every entry needs the form ENV=VALUE")?;
        let name = environment_name(name)?;
        if pairs.iter().any(|(known, _)| *known == name) {
            return Err(format!("environment `{name}` appears twice"));
        }
        pairs.push((name, value.trim()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROD: &str = "https://hooks.slack.com/services/T/PROD/SECRET1";
    const STAGING: &str = "https://hooks.slack.com/services/T/STG/SECRET2";

    fn path(routes: &Routes, env: &str) -> String {
        match routes.route_for(env) {
            Some(Route::Webhook(url)) => url.path_and_query().to_owned(),
            Some(Route::App { channel, .. }) => channel.as_str().to_owned(),
            None => "none".to_owned(),
        }
    }

    #[test]
    fn each_environment_has_its_route_and_the_rest_fall_back() {
        let routes = Routes {
            default: Endpoint::parse("https://hooks.slack.com/services/T/ALL/SECRET3")
                .ok()
                .map(Target::Webhook),
            by_environment: Routes::parse_routes(&format!(
                "production={PROD}; staging = {STAGING};"
            ))
            .unwrap(),
            app: None,
        };
        assert_eq!(path(&routes, "production"), "/services/T/PROD/SECRET1");
        assert_eq!(path(&routes, "staging"), "/services/T/STG/SECRET2");
        assert_eq!(path(&routes, "unknown"), "/services/T/ALL/SECRET3");
        assert_eq!(routes.environments(), ["production", "staging"]);
        let only_routes = Routes {
            default: None,
            by_environment: routes.by_environment,
            app: None,
        };
        assert_eq!(path(&only_routes, "development"), "none");
    }

    #[test]
    fn channels_route_through_the_app_beside_webhooks() {
        let app = App {
            token: BotToken::parse("xoxb-1-SECRET").unwrap(),
            api: Endpoint::parse("https://slack.com/api").unwrap(),
        };
        let routes = Routes {
            default: Some(Target::Channel(ChannelId::parse("C0ALL").unwrap())),
            by_environment: Routes::parse_routes(&format!("production=C0PROD;staging={STAGING}"))
                .unwrap(),
            app: Some(app),
        };
        assert_eq!(path(&routes, "production"), "C0PROD");
        assert_eq!(path(&routes, "staging"), "/services/T/STG/SECRET2");
        assert_eq!(path(&routes, "development"), "C0ALL");
        assert_eq!(
            routes.modes(),
            [("production", "app"), ("staging", "webhook"), ("*", "app")]
        );
        // A channel without the app goes nowhere (configuration refuses it first).
        let without_app = Routes {
            app: None,
            ..routes
        };
        assert_eq!(path(&without_app, "production"), "none");
        // The look before the app's keys are read.
        assert!(Routes::name_a_channel(&format!(
            "staging={STAGING};production=C0PROD"
        )));
        assert!(!Routes::name_a_channel(&format!(
            "staging={STAGING};broken"
        )));
        let error = Routes::parse_routes("production=#alerts").unwrap_err();
        assert!(
            error.contains("`production`") && error.contains("channel ID"),
            "{error}"
        );
    }

    #[test]
    fn bad_routes_name_the_problem_never_the_url() {
        for (text, expected) in [
            (
                format!("production={PROD};production={STAGING}"),
                "appears twice",
            ),
            (format!("={PROD}"), "environment name"),
            (format!("pro duction={PROD}"), "environment name"),
            (PROD.to_owned(), "ENV=VALUE"),
            (
                "production=http://hooks.slack.com/services/T/B/SECRET".to_owned(),
                "`production`",
            ),
            (
                "staging=https://user:SECRET@hooks.slack.com/x".to_owned(),
                "`staging`",
            ),
        ] {
            let error = Routes::parse_routes(&text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(!error.contains("SECRET"), "{error}");
        }
    }

    #[test]
    fn mentions_allow_only_slack_forms() {
        let mentions =
            Mentions::parse("production=<!here> <@U012AB3CD>;staging=<!subteam^S0123ABCD>")
                .unwrap();
        assert_eq!(
            mentions.for_environment("production"),
            Some("<!here> <@U012AB3CD>")
        );
        assert_eq!(
            mentions.for_environment("staging"),
            Some("<!subteam^S0123ABCD>")
        );
        assert_eq!(mentions.for_environment("unknown"), None);
        assert!(Mentions::parse("unknown=<!channel> <@W0123456>").is_ok());
        for bad in [
            "production=@here",
            "production=<!everyone>",
            "production=<!here|here>",
            "production=<@u012>",
            "production=<@X012>",
            "production=<@U>",
            "production=<!subteam^T012>",
            "production=<https://evil.example|click>",
            "production=<#C123>",
            "production=",
            "production=<!here>;production=<!channel>",
            "=<!here>",
        ] {
            assert!(Mentions::parse(bad).is_err(), "{bad}");
        }
        let error = Mentions::parse("production=<!here> <!everyone>").unwrap_err();
        assert!(
            error.contains("`production=<!here> <!everyone>`"),
            "{error}"
        );
    }
}
