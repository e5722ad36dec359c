//! The EventBridge envelope, generic over its `detail`, and the ECS details we read.
//!
//! Only the fields we use are read, unknown ones are ignored (AWS adds fields), strings are
//! borrowed from the body where they need no unescaping, and every error names its field.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::Error;

/// An EventBridge event whose `detail` is a `D`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBridgeEvent<'a, D> {
    /// The event id; the same id may arrive more than once (at-least-once delivery).
    pub id: Cow<'a, str>,
    /// `detail-type`, such as `ECS Deployment State Change`.
    pub detail_type: Cow<'a, str>,
    /// `source`, such as `aws.ecs`.
    pub source: Cow<'a, str>,
    /// The AWS account id, as sent.
    pub account: Cow<'a, str>,
    /// The region code, as sent.
    pub region: Cow<'a, str>,
    /// The event time (RFC 3339).
    pub time: Cow<'a, str>,
    /// ARNs of the resources involved.
    pub resources: Vec<Cow<'a, str>>,
    /// The source-specific payload.
    pub detail: D,
}

/// The envelope as sent, before the required fields are checked.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "detail-type")]
    detail_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    account: Option<Cow<'a, str>>,
    #[serde(borrow)]
    region: Option<Cow<'a, str>>,
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resources: Option<Vec<Cow<'a, str>>>,
    detail: Option<IgnoredAny>,
}

/// `{"detail": D}`: reads only the detail of a body whose envelope was already checked.
#[derive(Deserialize)]
struct DetailOf<D> {
    detail: D,
}

/// `detail` of `ECS Deployment State Change` events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStateChange<'a> {
    /// `SERVICE_DEPLOYMENT_IN_PROGRESS`, `_COMPLETED` or `_FAILED`.
    #[serde(borrow)]
    pub event_name: Option<Cow<'a, str>>,
    /// The deployment, such as `ecs-svc/123`.
    #[serde(borrow)]
    pub deployment_id: Option<Cow<'a, str>>,
    /// When the deployment changed state.
    #[serde(borrow)]
    pub updated_at: Option<Cow<'a, str>>,
    /// Why, in ECS's words.
    #[serde(borrow)]
    pub reason: Option<Cow<'a, str>>,
    /// The cluster; needed when the service ARN is in the old format.
    #[serde(borrow)]
    pub cluster_arn: Option<Cow<'a, str>>,
}

/// Parses and checks the envelope of an EventBridge event, leaving `detail` unread.
pub fn parse_envelope(body: &[u8]) -> Result<EventBridgeEvent<'_, ()>, Error> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => return Err(Error::InvalidJson("the request body is empty".into())),
        Some(b'{') => {}
        // Reject arrays and scalars before serde, which would read an array as a struct.
        Some(_) => {
            return Err(match serde_json::from_slice::<IgnoredAny>(body) {
                Ok(_) => Error::NotAnObject,
                Err(error) => Error::InvalidJson(error.to_string()),
            });
        }
    }
    let raw: RawEnvelope = from_slice(body)?;
    let event = EventBridgeEvent {
        id: raw.id.ok_or(Error::MissingField("id"))?,
        detail_type: raw.detail_type.ok_or(Error::MissingField("detail-type"))?,
        source: raw.source.ok_or(Error::MissingField("source"))?,
        account: raw.account.ok_or(Error::MissingField("account"))?,
        region: raw.region.ok_or(Error::MissingField("region"))?,
        time: raw.time.ok_or(Error::MissingField("time"))?,
        resources: raw.resources.unwrap_or_default(),
        detail: (),
    };
    match raw.detail {
        Some(_) => Ok(event),
        None => Err(Error::MissingField("detail")),
    }
}

impl<'a> EventBridgeEvent<'a, ()> {
    /// Reads `detail` from the same `body` as a `D`.
    pub fn with_detail<D: Deserialize<'a>>(
        self,
        body: &'a [u8],
    ) -> Result<EventBridgeEvent<'a, D>, Error> {
        let DetailOf { detail } = from_slice(body)?;
        Ok(EventBridgeEvent {
            id: self.id,
            detail_type: self.detail_type,
            source: self.source,
            account: self.account,
            region: self.region,
            time: self.time,
            resources: self.resources,
            detail,
        })
    }
}

/// Deserializes a whole body. Valid bodies take the direct path; a failure is parsed again
/// with path tracking, only to name the mistyped field.
fn from_slice<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Error> {
    serde_json::from_slice(body).or_else(|_| from_slice_tracking_path(body))
}

fn from_slice_tracking_path<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            Error::InvalidField {
                path,
                reason: inner.to_string(),
            }
        } else {
            Error::InvalidJson(inner.to_string())
        }
    })?;
    deserializer
        .end()
        .map_err(|error| Error::InvalidJson(error.to_string()))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED: &str = include_str!("../fixtures/ecs-deployment-failed.json");

    #[test]
    fn parses_the_documented_failure_event() {
        let body = FAILED.as_bytes();
        let event = parse_envelope(body)
            .unwrap()
            .with_detail::<DeploymentStateChange>(body)
            .unwrap();
        assert_eq!(event.id, "ddca6449-b258-46c0-8653-e0e3aEXAMPLE");
        assert_eq!(event.detail_type, "ECS Deployment State Change");
        assert_eq!(event.source, "aws.ecs");
        assert_eq!(event.account, "111122223333");
        assert_eq!(event.region, "us-west-2");
        assert_eq!(event.time, "2020-05-23T12:31:14Z");
        assert_eq!(
            event.resources,
            ["arn:aws:ecs:us-west-2:111122223333:service/default/servicetest"]
        );
        assert_eq!(
            event.detail.event_name.as_deref(),
            Some("SERVICE_DEPLOYMENT_FAILED")
        );
        assert_eq!(event.detail.deployment_id.as_deref(), Some("ecs-svc/123"));
        assert_eq!(
            event.detail.updated_at.as_deref(),
            Some("2020-05-23T11:11:11Z")
        );
        assert_eq!(
            event.detail.reason.as_deref(),
            Some("ECS deployment circuit breaker: task failed to start.")
        );
        assert_eq!(event.detail.cluster_arn, None);
    }

    fn error_of(body: &str) -> Error {
        parse_envelope(body.as_bytes())
            .and_then(|event| event.with_detail::<DeploymentStateChange>(body.as_bytes()))
            .unwrap_err()
    }

    /// The failure event with one field replaced (`null` removes it).
    fn failed_with(path: &[&str], value: serde_json::Value) -> String {
        let mut event: serde_json::Value = serde_json::from_str(FAILED).unwrap();
        let (last, parents) = path.split_last().unwrap();
        let mut target = &mut event;
        for key in parents {
            target = &mut target[*key];
        }
        if value.is_null() {
            target.as_object_mut().unwrap().remove(*last);
        } else {
            target[*last] = value;
        }
        event.to_string()
    }

    #[test]
    fn missing_fields_are_named() {
        for field in [
            "id",
            "detail-type",
            "source",
            "account",
            "region",
            "time",
            "detail",
        ] {
            let body = failed_with(&[field], serde_json::Value::Null);
            assert_eq!(error_of(&body), Error::MissingField(field), "{field}");
        }
    }

    #[test]
    fn mistyped_fields_are_named_by_path() {
        let cases = [
            (vec!["id"], serde_json::json!(5), "id"),
            (vec!["detail-type"], serde_json::json!(["x"]), "detail-type"),
            (vec!["resources"], serde_json::json!("arn"), "resources"),
            (
                vec!["resources"],
                serde_json::json!(["ok", 7]),
                "resources[1]",
            ),
            (
                vec!["detail", "eventName"],
                serde_json::json!(5),
                "detail.eventName",
            ),
            (
                vec!["detail", "reason"],
                serde_json::json!({}),
                "detail.reason",
            ),
            (vec!["detail"], serde_json::json!("text"), "detail"),
        ];
        for (path, value, expected) in cases {
            let body = failed_with(&path, value);
            match error_of(&body) {
                Error::InvalidField { path, reason } => {
                    assert_eq!(path, expected, "{reason}");
                    assert!(reason.contains("invalid type"), "{reason}");
                }
                other => panic!("{expected}: {other:?}"),
            }
        }
    }

    #[test]
    fn non_objects_and_broken_json_are_told_apart() {
        for body in ["[]", "[1,2]", "\"event\"", "42", "null", " true "] {
            assert_eq!(error_of(body), Error::NotAnObject, "{body}");
        }
        for body in [
            "",
            "   ",
            "{",
            "{\"id\":}",
            "[1,",
            "nul",
            "{} trailing",
            "\u{feff}{}",
        ] {
            assert!(matches!(error_of(body), Error::InvalidJson(_)), "{body:?}");
        }
    }

    #[test]
    fn unknown_fields_and_escapes_are_fine() {
        let body = r#"{"id":"a\u0062c","detail-type":"x","source":"s","account":"1","region":"r",
            "time":"t","detail":{"eventName":"E","newField":[1,{"deep":true}]},"extra":{"a":1}}"#;
        let event = parse_envelope(body.as_bytes())
            .unwrap()
            .with_detail::<DeploymentStateChange>(body.as_bytes())
            .unwrap();
        assert_eq!(event.id, "abc");
        assert!(event.resources.is_empty());
        assert_eq!(event.detail.event_name.as_deref(), Some("E"));
    }
}
