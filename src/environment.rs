//! Which environment (production, staging, ...) a service belongs to: by AWS account first,
//! then by the words in its cluster and service names.

use crate::aws::AccountId;

/// The environment of a service that no rule matches.
pub const UNKNOWN: &str = "unknown";

/// The built-in rules, in `environment_rules` syntax.
pub const DEFAULT_RULES: &str =
    "production=prod|prd|production|live;staging=stg|stage|staging;development=dev|development";

/// One name rule: names containing any of `tokens` as a word belong to `environment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    environment: String,
    tokens: Vec<String>,
}

/// Decides environments from `account_environments` and `environment_rules`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentResolver {
    accounts: Vec<(AccountId, String)>,
    rules: Vec<Rule>,
}

impl Default for EnvironmentResolver {
    fn default() -> Self {
        Self {
            accounts: Vec::new(),
            rules: parse_rules(DEFAULT_RULES).expect("built-in rules parse"),
        }
    }
}

impl EnvironmentResolver {
    /// A resolver from account mappings and name rules (`None`: [`DEFAULT_RULES`]).
    pub fn new(accounts: Vec<(AccountId, String)>, rules: Option<Vec<Rule>>) -> Self {
        Self {
            accounts,
            rules: rules.unwrap_or_else(|| Self::default().rules),
        }
    }

    /// The environment of a service in `account` whose names (cluster first, then service)
    /// are `names`: the account's mapping if any, else the first name that has a word
    /// matching a rule (rules tried in order), else [`UNKNOWN`].
    pub fn resolve(&self, account: &str, names: &[&str]) -> &str {
        if let Some((_, environment)) = self.accounts.iter().find(|(a, _)| a.as_str() == account) {
            return environment;
        }
        names
            .iter()
            .find_map(|name| {
                self.rules.iter().find(|rule| {
                    words(name).any(|word| rule.tokens.iter().any(|t| t.eq_ignore_ascii_case(word)))
                })
            })
            .map_or(UNKNOWN, |rule| &rule.environment)
    }
}

/// The words of a resource name: runs of ASCII letters and digits (`api-prod_eu` has three).
fn words(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// An environment name: 1 to 64 letters, digits, `-` or `_`.
pub fn environment_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "environment name `{name}` must be 1 to 64 letters, digits, `-` or `_`"
        ))
    }
}

/// `ENV=word|word;ENV=word`: rules in priority order, each an environment and its words.
pub fn parse_rules(text: &str) -> Result<Vec<Rule>, String> {
    text.split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (environment, tokens) = part
                .split_once('=')
                .ok_or_else(|| format!("rule `{}` needs the form ENV=word|word", part.trim()))?;
            let tokens = tokens
                .split('|')
                .map(|token| {
                    let token = token.trim();
                    if !token.is_empty() && token.chars().all(|c| c.is_ascii_alphanumeric()) {
                        Ok(token.to_ascii_lowercase())
                    } else {
                        Err(format!(
                            "word `{token}` must be letters and digits (names are split into words at other characters)"
                        ))
                    }
                })
                .collect::<Result<_, _>>()?;
            Ok(Rule {
                environment: environment_name(environment)?,
                tokens,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|rules| {
            if rules.is_empty() {
                Err("no rules given".into())
            } else {
                Ok(rules)
            }
        })
}

/// `ACCOUNT=ENV,ACCOUNT=ENV`.
pub fn parse_accounts(text: &str) -> Result<Vec<(AccountId, String)>, String> {
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (account, environment) = part
                .split_once('=')
                .ok_or_else(|| format!("entry `{}` needs the form ACCOUNT=ENV", part.trim()))?;
            let account = AccountId::parse(account.trim())
                .map_err(|reason| format!("account `{}`: {reason}", account.trim()))?;
            Ok((account, environment_name(environment)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_resolve(cluster: &str, service: &str) -> String {
        EnvironmentResolver::default()
            .resolve("111122223333", &[cluster, service])
            .to_owned()
    }

    #[test]
    fn default_rules_match_words_not_substrings() {
        let cases = [
            ("prod-cluster", "api", "production"),
            ("main", "api-prd", "production"),
            ("Live", "api", "production"),
            ("apps_staging", "api", "staging"),
            ("stg", "api", "staging"),
            ("main", "api.stage.eu", "staging"),
            ("dev", "api", "development"),
            ("default", "servicetest", "unknown"),
            // Substrings are not words: "product" is not "prod", "devices" not "dev".
            ("product", "devices", "unknown"),
        ];
        for (cluster, service, expected) in cases {
            assert_eq!(
                default_resolve(cluster, service),
                expected,
                "{cluster}/{service}"
            );
        }
    }

    #[test]
    fn the_cluster_wins_over_the_service() {
        assert_eq!(default_resolve("staging", "api-prod"), "staging");
    }

    #[test]
    fn accounts_win_over_names() {
        let resolver = EnvironmentResolver::new(
            parse_accounts("111122223333=sandbox, 444455556666=production").unwrap(),
            None,
        );
        assert_eq!(resolver.resolve("111122223333", &["prod"]), "sandbox");
        assert_eq!(resolver.resolve("444455556666", &["dev"]), "production");
        assert_eq!(resolver.resolve("999999999999", &["dev"]), "development");
    }

    #[test]
    fn custom_rules_replace_the_defaults() {
        let resolver = EnvironmentResolver::new(
            Vec::new(),
            Some(parse_rules("qa=qa|test; prod=p1").unwrap()),
        );
        assert_eq!(resolver.resolve("111122223333", &["svc-QA"]), "qa");
        assert_eq!(resolver.resolve("111122223333", &["p1"]), "prod");
        assert_eq!(resolver.resolve("111122223333", &["production"]), "unknown");
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        for accounts in ["12345=prod", "111122223333", "111122223333=pro d"] {
            assert!(parse_accounts(accounts).is_err(), "{accounts}");
        }
        for rules in ["production", "production=pr-od", "=prod", ";;"] {
            assert!(parse_rules(rules).is_err(), "{rules}");
        }
    }
}
