//! Caller authentication: the EventBridge Connection's API key header, or its Basic
//! credentials, compared in constant time.

use std::fmt;

use base64::Engine as _;
use subtle::ConstantTimeEq;

use crate::error::Error;
use crate::host::RequestHead;
use crate::settings::{
    ALLOW_UNAUTHENTICATED, API_KEY, API_KEY_HEADER, BASIC_AUTH_PASSWORD, BASIC_AUTH_USERNAME,
    Settings,
};

/// The header EventBridge API_KEY connections are usually configured with.
pub const DEFAULT_API_KEY_HEADER: &str = "x-api-key";

/// Bytes that must not be shown anywhere: `Debug` prints a placeholder.
#[derive(Clone)]
struct Secret(Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Secret {
    fn matches(&self, offered: &[u8]) -> bool {
        // Lengths may leak; contents do not.
        self.0.as_slice().ct_eq(offered).into()
    }
}

/// Who may call: anyone presenting one of the configured credentials, or anyone at all when
/// none are configured and `allow_unauthenticated` is true (both credentials `None`).
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// The header name (lower-case) and the key.
    api_key: Option<(String, Secret)>,
    /// The expected `user:password` token, base64-encoded as sent.
    basic: Option<Secret>,
}

impl AuthPolicy {
    /// Reads the authentication settings. Configured credentials are always enforced;
    /// with none, `allow_unauthenticated` must say so explicitly.
    pub fn parse(settings: &Settings) -> Result<Self, Error> {
        // Every key is checked, also those the current combination does not use.
        let header = header_name(settings.get(API_KEY_HEADER))?;
        let allow_unauthenticated = settings.flag(ALLOW_UNAUTHENTICATED)?;
        let api_key = settings
            .get(API_KEY)
            .map(|key| (header, Secret(key.as_bytes().to_vec())));
        let basic = match (
            settings.get(BASIC_AUTH_USERNAME),
            settings.get(BASIC_AUTH_PASSWORD),
        ) {
            (Some(user), Some(password)) => {
                if user.contains(':') {
                    return Err(Error::ConfigInvalid {
                        key: BASIC_AUTH_USERNAME,
                        reason: "a Basic user name cannot contain `:`".into(),
                    });
                }
                let token = base64(format!("{user}:{password}").as_bytes());
                Some(Secret(token.into_bytes()))
            }
            (Some(_), None) => return Err(Error::ConfigMissing(BASIC_AUTH_PASSWORD)),
            (None, Some(_)) => return Err(Error::ConfigMissing(BASIC_AUTH_USERNAME)),
            (None, None) => None,
        };
        if api_key.is_none() && basic.is_none() && !allow_unauthenticated {
            return Err(Error::AuthNotConfigured);
        }
        Ok(Self { api_key, basic })
    }

    /// Whether the request carries the configured API key, judged from [`API_KEY`] and
    /// [`API_KEY_HEADER`] alone. `false` decides nothing: the whole policy
    /// ([`AuthPolicy::parse`] with every authentication key, then
    /// [`AuthPolicy::authenticate`]) then decides, and names any configuration problem.
    /// Admitting here is safe because a configured key is always enforced and always enough.
    pub fn admits_by_api_key(settings: &Settings, request: &RequestHead) -> bool {
        let (Some(key), Ok(header)) = (
            settings.get(API_KEY),
            header_name(settings.get(API_KEY_HEADER)),
        ) else {
            return false;
        };
        // A repeated Authorization header is the whole policy's to refuse, as everywhere.
        if single(request, "authorization").is_none() {
            return false;
        }
        single(request, &header)
            .flatten()
            .is_some_and(|offered| Secret(key.as_bytes().to_vec()).matches(offered))
    }

    /// Admits the request if it carries one of the configured credentials. A request that
    /// repeats a credential header is refused, whichever copy would match: which copy a
    /// proxy or the host forwards first is not ours to guess.
    pub fn authenticate(&self, request: &RequestHead) -> Result<(), Error> {
        let Self { api_key, basic } = self;
        if api_key.is_none() && basic.is_none() {
            return Ok(());
        }
        let denied = Error::Unauthorized {
            basic_challenge: basic.is_some(),
        };
        let key_ok = match api_key {
            Some((header, key)) => single(request, header)
                .ok_or_else(|| denied.clone())?
                .is_some_and(|offered| key.matches(offered)),
            None => false,
        };
        let basic_ok = match basic {
            Some(token) => single(request, "authorization")
                .ok_or_else(|| denied.clone())?
                .and_then(basic_token)
                .is_some_and(|offered| token.matches(offered)),
            None => false,
        };
        if key_ok || basic_ok {
            Ok(())
        } else {
            Err(denied)
        }
    }
}

/// The value of a header that may appear at most once: `None` if it is repeated.
fn single<'a>(request: &RequestHead<'a>, name: &str) -> Option<Option<&'a [u8]>> {
    let mut values = request.header_values(name);
    let first = values.next();
    values.next().is_none().then_some(first)
}

/// The configured API key header name, lower-cased, or the default.
fn header_name(configured: Option<&str>) -> Result<String, Error> {
    let name = configured.unwrap_or(DEFAULT_API_KEY_HEADER).trim();
    // RFC 9110 token characters.
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if valid {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(Error::ConfigInvalid {
            key: API_KEY_HEADER,
            reason: "not a valid HTTP header name".into(),
        })
    }
}

/// The token of an `Authorization: Basic TOKEN` header (scheme case-insensitive).
fn basic_token(value: &[u8]) -> Option<&[u8]> {
    let value = value.trim_ascii();
    let (scheme, token) = value.split_at_checked(6)?;
    (scheme.eq_ignore_ascii_case(b"basic ")).then(|| token.trim_ascii())
}

/// Standard base64 with padding (RFC 4648 §4), as Basic credentials are sent.
fn base64(input: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(headers: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect()
    }

    fn check(settings: &[(&str, &str)], headers: &[(&str, &str)]) -> Result<(), Error> {
        let policy = AuthPolicy::parse(&Settings::from_pairs(settings))?;
        let headers = head(headers);
        policy.authenticate(&RequestHead {
            method: "POST",
            path: "/",
            headers: &headers,
        })
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ] {
            assert_eq!(base64(input.as_bytes()), encoded);
        }
    }

    const KEY: &[(&str, &str)] = &[(API_KEY, "s3cret")];

    #[test]
    fn api_key_in_the_default_header() {
        assert_eq!(check(KEY, &[("x-api-key", "s3cret")]), Ok(()));
        assert_eq!(check(KEY, &[("X-Api-Key", "s3cret")]), Ok(()));
        let denied = Err(Error::Unauthorized {
            basic_challenge: false,
        });
        assert_eq!(check(KEY, &[("x-api-key", "s3cre")]), denied);
        assert_eq!(check(KEY, &[("x-api-key", "s3cret ")]), denied);
        assert_eq!(check(KEY, &[]), denied);
        assert_eq!(check(KEY, &[("authorization", "s3cret")]), denied);
    }

    #[test]
    fn api_key_in_a_custom_header() {
        let settings = &[(API_KEY, "k"), (API_KEY_HEADER, "X-EventBridge-Token")];
        assert_eq!(check(settings, &[("x-eventbridge-token", "k")]), Ok(()));
        assert!(check(settings, &[("x-api-key", "k")]).is_err());
        // The whole policy reports invalid values even where the combination would not use
        // them (the API key's own admission, `admits_by_api_key`, does not read them).
        for bad in [
            &[(API_KEY, "k"), (API_KEY_HEADER, "bad header")][..],
            &[
                (ALLOW_UNAUTHENTICATED, "true"),
                (API_KEY_HEADER, "bad header"),
            ],
        ] {
            assert!(matches!(
                check(bad, &[]),
                Err(Error::ConfigInvalid {
                    key: API_KEY_HEADER,
                    ..
                })
            ));
        }
        assert!(matches!(
            check(&[(API_KEY, "k"), (ALLOW_UNAUTHENTICATED, "maybe")], &[]),
            Err(Error::ConfigInvalid {
                key: ALLOW_UNAUTHENTICATED,
                ..
            })
        ));
    }

    const BASIC: &[(&str, &str)] = &[
        (BASIC_AUTH_USERNAME, "Aladdin"),
        (BASIC_AUTH_PASSWORD, "open sesame"),
    ];

    #[test]
    fn basic_credentials() {
        let token = "QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
        assert_eq!(
            check(BASIC, &[("authorization", &format!("Basic {token}"))]),
            Ok(())
        );
        assert_eq!(
            check(BASIC, &[("Authorization", &format!("basic  {token}"))]),
            Ok(())
        );
        let denied = Err(Error::Unauthorized {
            basic_challenge: true,
        });
        assert_eq!(
            check(BASIC, &[("authorization", &format!("Bearer {token}"))]),
            denied
        );
        assert_eq!(
            check(BASIC, &[("authorization", "Basic QWxhZGRpbjpvcGVu")]),
            denied
        );
        assert_eq!(check(BASIC, &[("authorization", "Basic")]), denied);
        assert_eq!(check(BASIC, &[]), denied);
    }

    #[test]
    fn a_repeated_credential_header_is_refused_whatever_the_order() {
        let denied = Err(Error::Unauthorized {
            basic_challenge: false,
        });
        for headers in [
            [("x-api-key", "s3cret"), ("x-api-key", "wrong")],
            [("x-api-key", "wrong"), ("X-API-KEY", "s3cret")],
            [("x-api-key", "s3cret"), ("x-api-key", "s3cret")],
        ] {
            assert_eq!(check(KEY, &headers), denied, "{headers:?}");
        }
        let token = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
        let both = &[KEY[0], BASIC[0], BASIC[1]];
        assert!(
            check(
                both,
                &[("authorization", token), ("authorization", "Basic x")]
            )
            .is_err()
        );
        // Each credential is judged on its own header: a repeated one fails the request.
        assert!(
            check(
                both,
                &[
                    ("authorization", token),
                    ("x-api-key", "a"),
                    ("x-api-key", "b")
                ]
            )
            .is_err()
        );
    }

    #[test]
    fn either_configured_credential_is_enough() {
        let both = &[KEY[0], BASIC[0], BASIC[1]];
        assert_eq!(check(both, &[("x-api-key", "s3cret")]), Ok(()));
        assert_eq!(
            check(
                both,
                &[("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")]
            ),
            Ok(())
        );
        assert_eq!(
            check(both, &[]),
            Err(Error::Unauthorized {
                basic_challenge: true
            })
        );
    }

    #[test]
    fn half_configured_basic_names_the_missing_key() {
        assert_eq!(
            check(&[BASIC[0]], &[]),
            Err(Error::ConfigMissing(BASIC_AUTH_PASSWORD))
        );
        assert_eq!(
            check(&[BASIC[1]], &[]),
            Err(Error::ConfigMissing(BASIC_AUTH_USERNAME))
        );
    }

    #[test]
    fn no_credentials_needs_an_explicit_opt_out() {
        assert_eq!(check(&[], &[]), Err(Error::AuthNotConfigured));
        assert_eq!(check(&[(ALLOW_UNAUTHENTICATED, "true")], &[]), Ok(()));
        assert_eq!(
            check(&[(ALLOW_UNAUTHENTICATED, "false")], &[]),
            Err(Error::AuthNotConfigured)
        );
        // Configured credentials are enforced even when unauthenticated calls are allowed.
        let mixed = &[KEY[0], (ALLOW_UNAUTHENTICATED, "true")];
        assert!(check(mixed, &[]).is_err());
    }

    #[test]
    fn the_api_key_alone_admits_only_its_exact_single_header() {
        let admits = |settings: &[(&str, &str)], headers: &[(&str, &str)]| {
            let headers = head(headers);
            AuthPolicy::admits_by_api_key(
                &Settings::from_pairs(settings),
                &RequestHead {
                    method: "POST",
                    path: "/",
                    headers: &headers,
                },
            )
        };
        assert!(admits(KEY, &[("X-API-Key", "s3cret")]));
        let custom = &[KEY[0], (API_KEY_HEADER, "X-Token")];
        assert!(admits(custom, &[("x-token", "s3cret")]));
        // Anything else is left to the whole policy, which refuses or names the problem.
        assert!(!admits(custom, &[("x-api-key", "s3cret")]));
        assert!(!admits(KEY, &[("x-api-key", "s3cre")]));
        assert!(!admits(
            KEY,
            &[("x-api-key", "s3cret"), ("x-api-key", "s3cret")]
        ));
        assert!(!admits(KEY, &[]));
        assert!(!admits(
            &[(API_KEY_HEADER, "x-api-key")],
            &[("x-api-key", "")]
        ));
        assert!(!admits(
            &[KEY[0], (API_KEY_HEADER, "bad header")],
            &[("bad header", "s3cret")]
        ));
        let repeated = [("authorization", "Basic x"), ("authorization", "Basic y")];
        assert!(!admits(
            KEY,
            &[("x-api-key", "s3cret"), repeated[0], repeated[1]]
        ));
        let basic_only = &[BASIC[0], BASIC[1]];
        assert!(!admits(
            basic_only,
            &[("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")]
        ));
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let policy =
            AuthPolicy::parse(&Settings::from_pairs(&[KEY[0], BASIC[0], BASIC[1]])).unwrap();
        let shown = format!("{policy:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("QWxh"),
            "{shown}"
        );
    }
}
