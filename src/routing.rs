//! Routing and urgency: which incoming webhook (so which channel) an environment's messages go
//! to, and whom an alert in that environment mentions. Both settings are `ENV=VALUE` pairs
//! separated by `;`, with the environment names the environment rules produce.

use crate::environment::environment_name;
use crate::webhook::WebhookUrl;

/// Webhooks by environment, and the default for the others.
#[derive(Debug, Default)]
pub struct Routes {
    /// `slack_webhook_url`: for environments without a route of their own.
    pub default: Option<WebhookUrl>,
    /// `slack_routes`: one webhook per environment.
    pub by_environment: Vec<(String, WebhookUrl)>,
}

impl Routes {
    /// Parses `slack_routes`: `ENV=WEBHOOK_URL;...`. Errors name the environment, never the URL.
    pub fn parse_routes(text: &str) -> Result<Vec<(String, WebhookUrl)>, String> {
        pairs(text)?
            .into_iter()
            .map(|(environment, url)| {
                WebhookUrl::parse(url)
                    .map(|url| (environment.clone(), url))
                    .map_err(|reason| format!("the webhook of `{environment}`: {reason}"))
            })
            .collect()
    }

    /// The webhook for messages about `environment`.
    pub fn webhook_for(&self, environment: &str) -> Option<&WebhookUrl> {
        self.by_environment
            .iter()
            .find(|(name, _)| name == environment)
            .map(|(_, url)| url)
            .or(self.default.as_ref())
    }

    /// The environments with a route of their own (names only: the URLs are secrets).
    pub fn environments(&self) -> Vec<&str> {
        self.by_environment
            .iter()
            .map(|(name, _)| name.as_str())
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
        rest.strip_suffix('>').is_some_and(|id| {
            (2..=32).contains(&id.len())
                && first.contains(&id.as_bytes()[0])
                && id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
    };
    matches!(text, "<!here>" | "<!channel>")
        || text.strip_prefix("<@").is_some_and(|rest| id(rest, b"UW"))
        || text
            .strip_prefix("<!subteam^")
            .is_some_and(|rest| id(rest, b"S"))
}

/// `ENV=VALUE;ENV=VALUE`: valid, distinct environment names and their raw values.
fn pairs(text: &str) -> Result<Vec<(String, &str)>, String> {
    let mut pairs: Vec<(String, &str)> = Vec::new();
    for part in text.split(';').filter(|part| !part.trim().is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or("every entry needs the form ENV=VALUE")?;
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

    #[test]
    fn each_environment_has_its_webhook_and_the_rest_fall_back() {
        let routes = Routes {
            default: WebhookUrl::parse("https://hooks.slack.com/services/T/ALL/SECRET3").ok(),
            by_environment: Routes::parse_routes(&format!(
                "production={PROD}; staging = {STAGING};"
            ))
            .unwrap(),
        };
        let path = |env: &str| routes.webhook_for(env).unwrap().path_and_query().to_owned();
        assert_eq!(path("production"), "/services/T/PROD/SECRET1");
        assert_eq!(path("staging"), "/services/T/STG/SECRET2");
        assert_eq!(path("unknown"), "/services/T/ALL/SECRET3");
        assert_eq!(routes.environments(), ["production", "staging"]);
        let only_routes = Routes {
            default: None,
            by_environment: routes.by_environment,
        };
        assert!(only_routes.webhook_for("development").is_none());
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
