//! Typed configuration: one parse of the [`Settings`] gives everything a request needs, the
//! caller's authentication first, then where alerts go and how environments are named.

use crate::approvers::Approvers;
use crate::auth::AuthPolicy;
use crate::bot::{BotToken, ChannelId};
use crate::ecs_api::{AwsKey, EcsAccess};
use crate::endpoint::Endpoint;
use crate::environment::{EnvironmentResolver, parse_accounts, parse_rules};
use crate::error::Error;
use crate::logs::LogGroups;
use crate::routing::{App, Mentions, Routes, Target};
use crate::settings::{
    ACCOUNT_ENVIRONMENTS, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, DRY_RUN, ECS_API_URL,
    ENVIRONMENT_RULES, LOG_GROUPS, MENTIONS, NOTIFY, SLACK_API_URL, SLACK_APPROVERS,
    SLACK_BOT_TOKEN, SLACK_CHANNEL, SLACK_ROUTES, SLACK_SIGNING_SECRET, SLACK_WEBHOOK_URL,
    Settings,
};
use crate::signing::SigningSecret;
use crate::story::Message;
use crate::story::notify::Notify;

/// Slack's Web API, unless `slack_api_url` says otherwise.
pub const SLACK_API: &str = "https://slack.com/api";

/// Where alerts go.
#[derive(Debug)]
pub enum Delivery {
    /// Post to the environment's Slack route: a webhook, or a channel as the app.
    Slack(Box<Routes>),
    /// Build the payload and log it instead of sending it.
    DryRun,
}

/// Everything after authentication: where alerts go and how environments are named.
#[derive(Debug)]
pub struct AlertConfig {
    /// Where alerts go.
    pub delivery: Delivery,
    /// Environment naming rules.
    pub environments: EnvironmentResolver,
    /// Which kinds of message post.
    pub notify: Notify,
    /// Whom alerts mention, per environment.
    pub mentions: Mentions,
    /// Where each task definition family logs.
    pub log_groups: LogGroups,
    /// Acting from Slack, when the app's signing secret is set (app mode only).
    pub interactivity: Option<Interactivity>,
}

/// Acting from Slack: the signing secret that admits presses, and for pauses, who may press
/// and the key that calls ECS.
#[derive(Debug)]
pub struct Interactivity {
    /// `slack_signing_secret`.
    pub secret: SigningSecret,
    /// `slack_approvers`: none means no pause buttons.
    pub approvers: Approvers,
    /// The key that calls ECS, and where; none means no pause buttons.
    pub ecs: Option<EcsAccess>,
}

impl Interactivity {
    /// Parses the signing secret and, when it is set, the approvers and the AWS key; `None`
    /// without the secret. The key's id and secret come together, and approvers need them.
    pub fn parse(settings: &Settings) -> Result<Option<Self>, Error> {
        let Some(secret) = parsed(settings, SLACK_SIGNING_SECRET, SigningSecret::parse)? else {
            return Ok(None);
        };
        let approvers = parsed(settings, SLACK_APPROVERS, Approvers::parse)?.unwrap_or_default();
        let key = match (
            settings.get(AWS_ACCESS_KEY_ID),
            settings.get(AWS_SECRET_ACCESS_KEY),
        ) {
            (Some(id), Some(secret)) => {
                Some(AwsKey::parse(id, secret).map_err(|why| invalid(AWS_ACCESS_KEY_ID, why))?)
            }
            (None, None) => None,
            (None, Some(_)) => return Err(Error::ConfigMissing(AWS_ACCESS_KEY_ID)),
            (Some(_), None) => return Err(Error::ConfigMissing(AWS_SECRET_ACCESS_KEY)),
        };
        if key.is_none() && settings.get(SLACK_APPROVERS).is_some() {
            return Err(invalid(
                SLACK_APPROVERS,
                "approvers need `aws_access_key_id` and `aws_secret_access_key` to call ECS",
            ));
        }
        let api_url = parsed(settings, ECS_API_URL, Endpoint::parse)?;
        Ok(Some(Self {
            secret,
            approvers,
            ecs: key.map(|key| EcsAccess { key, api_url }),
        }))
    }

    /// Whether a pause in `environment` gets its buttons: someone may press them, and a key
    /// can call ECS.
    pub fn approves(&self, environment: &str) -> bool {
        self.ecs.is_some() && !self.approvers.of(environment).is_empty()
    }
}

/// The parsed configuration.
#[derive(Debug)]
pub struct Config {
    /// Who may call.
    pub auth: AuthPolicy,
    /// The alert settings, or what is wrong with them: told only to authenticated callers.
    pub alerts: Result<AlertConfig, Error>,
}

impl Config {
    /// Parses every setting once. Fails only when authentication cannot be set up; a problem
    /// with the rest is kept in [`Config::alerts`] until the caller has authenticated.
    pub fn parse(settings: &Settings) -> Result<Self, Error> {
        Ok(Self {
            auth: AuthPolicy::parse(settings)?,
            alerts: AlertConfig::parse(settings),
        })
    }
}

impl AlertConfig {
    /// Parses and checks every delivery, environment, routing and notify setting.
    pub fn parse(settings: &Settings) -> Result<Self, Error> {
        let dry_run = settings.flag(DRY_RUN)?;
        let routes = routes(settings)?;
        let delivery = match (dry_run, routes) {
            (true, _) => Delivery::DryRun,
            (false, routes) if routes.default.is_none() && routes.by_environment.is_empty() => {
                return Err(Error::ConfigMissing(SLACK_WEBHOOK_URL));
            }
            (false, routes) => Delivery::Slack(Box::new(routes)),
        };
        let accounts = parsed(settings, ACCOUNT_ENVIRONMENTS, parse_accounts)?.unwrap_or_default();
        let rules = parsed(settings, ENVIRONMENT_RULES, parse_rules)?;
        let notify = parsed(settings, NOTIFY, Notify::parse)?.unwrap_or_default();
        let mentions = parsed(settings, MENTIONS, Mentions::parse)?.unwrap_or_default();
        let log_groups = parsed(settings, LOG_GROUPS, LogGroups::parse)?.unwrap_or_default();
        // Buttons only where the app posts: a webhook's messages carry none.
        let app_mode = matches!(&delivery, Delivery::Slack(routes) if routes.app.is_some());
        let interactivity = if app_mode {
            Interactivity::parse(settings)?
        } else {
            None
        };
        Ok(Self {
            delivery,
            environments: EnvironmentResolver::new(accounts, rules),
            notify,
            mentions,
            log_groups,
            interactivity,
        })
    }
}

impl AlertConfig {
    /// Whom `message` mentions: alerts page someone; notices and recoveries carry no mention.
    pub fn mention(&self, message: &Message) -> Option<&str> {
        message
            .is_alert()
            .then(|| self.mentions.for_environment(message.service().environment))
            .flatten()
    }
}

/// The Slack routes: webhooks, channels and the app. A channel needs the bot token; with it,
/// `slack_channel` wins over `slack_webhook_url` as the default.
fn routes(settings: &Settings) -> Result<Routes, Error> {
    let webhook = parsed(settings, SLACK_WEBHOOK_URL, Endpoint::parse)?;
    let channel = parsed(settings, SLACK_CHANNEL, ChannelId::parse)?;
    let by_environment = parsed(settings, SLACK_ROUTES, Routes::parse_routes)?.unwrap_or_default();
    let token = parsed(settings, SLACK_BOT_TOKEN, BotToken::parse)?;
    let api = parsed(settings, SLACK_API_URL, Endpoint::parse)?;
    // Slack's own URL parsed only for an app: webhook mode never pays for it.
    let app = token.map(|token| App {
        token,
        api: api.unwrap_or_else(|| Endpoint::parse(SLACK_API).expect("Slack's own URL parses")),
    });
    if app.is_none() {
        if channel.is_some() {
            return Err(invalid(SLACK_CHANNEL, "a channel needs `slack_bot_token`"));
        }
        if let Some((environment, _)) = by_environment
            .iter()
            .find(|(_, target)| matches!(target, Target::Channel(_)))
        {
            return Err(invalid(
                SLACK_ROUTES,
                format!("the route of `{environment}` is a channel, which needs `slack_bot_token`"),
            ));
        }
    }
    let default = match (&app, channel) {
        (Some(_), Some(channel)) => Some(Target::Channel(channel)),
        _ => webhook.map(Target::Webhook),
    };
    Ok(Routes {
        default,
        by_environment,
        app,
    })
}

/// The value of an optional `key` through `parse`; a reason it gives names the key.
fn parsed<T, R: Into<String>>(
    settings: &Settings,
    key: &'static str,
    parse: impl FnOnce(&str) -> Result<T, R>,
) -> Result<Option<T>, Error> {
    settings
        .get(key)
        .map(|value| parse(value).map_err(|reason| invalid(key, reason)))
        .transpose()
}

fn invalid(key: &'static str, reason: impl Into<String>) -> Error {
    Error::ConfigInvalid {
        key,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::API_KEY;

    const WEBHOOK: &str = "https://hooks.slack.com/services/T000/B000/XXXX";

    fn alerts(pairs: &[(&str, &str)]) -> Result<AlertConfig, Error> {
        let mut pairs = pairs.to_vec();
        pairs.push((API_KEY, "k"));
        Config::parse(&Settings::from_pairs(&pairs)).unwrap().alerts
    }

    #[test]
    fn missing_webhook_is_a_503_naming_the_key() {
        let error = alerts(&[]).unwrap_err();
        assert_eq!(error, Error::ConfigMissing(SLACK_WEBHOOK_URL));
        assert_eq!(error.status(), 503);
    }

    #[test]
    fn routes_alone_are_enough_to_deliver() {
        let config = alerts(&[(
            SLACK_ROUTES,
            "production=https://hooks.slack.com/services/T/B/X",
        )])
        .unwrap();
        match config.delivery {
            Delivery::Slack(routes) => {
                assert!(routes.default.is_none());
                assert_eq!(routes.environments(), ["production"]);
            }
            Delivery::DryRun => panic!("not a dry run"),
        }
    }

    #[test]
    fn app_mode_needs_the_token_and_wins_over_the_default_webhook() {
        const TOKEN: &str = "xoxb-1-SECRET";
        let config = alerts(&[
            (SLACK_WEBHOOK_URL, WEBHOOK),
            (SLACK_CHANNEL, "C0ALERTS"),
            (SLACK_BOT_TOKEN, TOKEN),
            (
                SLACK_ROUTES,
                "staging=https://hooks.slack.com/services/T/S/X",
            ),
        ])
        .unwrap();
        let Delivery::Slack(routes) = config.delivery else {
            panic!("not a dry run")
        };
        assert_eq!(routes.modes(), [("staging", "webhook"), ("*", "app")]);
        let api = &routes.app.as_ref().unwrap().api;
        assert_eq!(
            (api.authority(), api.path_and_query()),
            ("slack.com", "/api")
        );
        // The channel alone is enough, too.
        assert!(alerts(&[(SLACK_CHANNEL, "C0ALERTS"), (SLACK_BOT_TOKEN, TOKEN)]).is_ok());
        for (pairs, key) in [
            (vec![(SLACK_CHANNEL, "C0ALERTS")], SLACK_CHANNEL),
            (
                vec![
                    (SLACK_WEBHOOK_URL, WEBHOOK),
                    (SLACK_ROUTES, "production=C0PROD"),
                ],
                SLACK_ROUTES,
            ),
            (
                vec![
                    (SLACK_CHANNEL, "C0ALERTS"),
                    (SLACK_BOT_TOKEN, "xoxp-SECRET"),
                ],
                SLACK_BOT_TOKEN,
            ),
            (
                vec![
                    (SLACK_CHANNEL, "C0ALERTS"),
                    (SLACK_BOT_TOKEN, TOKEN),
                    (SLACK_API_URL, "http://slack.example/api"),
                ],
                SLACK_API_URL,
            ),
        ] {
            let error = alerts(&pairs).unwrap_err();
            assert!(
                matches!(&error, Error::ConfigInvalid { key: k, .. } if *k == key),
                "{error:?}"
            );
            assert!(!error.to_string().contains("SECRET"), "{error}");
        }
    }

    #[test]
    fn dry_run_needs_no_webhook() {
        let config = alerts(&[(DRY_RUN, "true")]).unwrap();
        assert!(matches!(config.delivery, Delivery::DryRun));
    }

    #[test]
    fn invalid_webhook_is_a_500_that_does_not_echo_the_url() {
        let secret = "http://hooks.slack.com/services/T000/B000/SECRET";
        let error = alerts(&[(SLACK_WEBHOOK_URL, secret)]).unwrap_err();
        assert_eq!(error.status(), 500);
        let message = error.to_string();
        assert!(message.contains("`slack_webhook_url`"), "{message}");
        assert!(!message.contains("SECRET"), "{message}");
    }

    #[test]
    fn environment_problems_name_their_key() {
        for (key, value) in [
            (ENVIRONMENT_RULES, "prod"),
            (ACCOUNT_ENVIRONMENTS, "1=x"),
            (NOTIFY, "deployment_failed,everything"),
            (SLACK_ROUTES, "production=http://hooks.slack.com/x"),
            (MENTIONS, "production=@here"),
        ] {
            let error = alerts(&[(SLACK_WEBHOOK_URL, WEBHOOK), (key, value)]).unwrap_err();
            assert!(
                matches!(&error, Error::ConfigInvalid { key: k, .. } if *k == key),
                "{error:?}"
            );
        }
    }

    #[test]
    fn authentication_problems_fail_the_parse_and_others_wait() {
        let error = Config::parse(&Settings::from_pairs(&[])).unwrap_err();
        assert_eq!(error, Error::AuthNotConfigured);
        let config = Config::parse(&Settings::from_pairs(&[(API_KEY, "k")])).unwrap();
        assert!(config.alerts.is_err());
    }

    #[test]
    fn valid_settings_parse() {
        let config = alerts(&[
            (SLACK_WEBHOOK_URL, WEBHOOK),
            (ACCOUNT_ENVIRONMENTS, "111122223333=production"),
        ])
        .unwrap();
        assert!(matches!(config.delivery, Delivery::Slack(_)));
        assert_eq!(
            config.environments.resolve("111122223333", &["x", "y"]),
            "production"
        );
    }
}
