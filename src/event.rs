//! The EventBridge envelope, generic over its `detail`, and the ECS details we read, as serde
//! types (the shape `aws_lambda_events` gives CloudWatch / EventBridge events).
//!
//! Only the fields we use are read and unknown ones are ignored (AWS adds fields); strings are
//! borrowed from the body where they need no unescaping. Duplicate keys and nesting depth are
//! serde_json's business. Every error names its field: a missing one (absent or `null`) by
//! name, a mistyped one by its path (`detail.containers[0].exitCode`), which is found by parsing
//! again with `serde_path_to_error` only when the first parse failed.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use serde_json::error::Category;
use serde_json::value::RawValue;

use crate::error::Error;

/// An EventBridge event whose `detail` is a `D`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct EventBridgeEvent<'a, D> {
    /// The event id; the same id may arrive more than once (at-least-once delivery).
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// `detail-type`, such as `ECS Deployment State Change`.
    #[serde(borrow)]
    pub detail_type: Cow<'a, str>,
    /// `source`, such as `aws.ecs`.
    #[serde(borrow)]
    pub source: Cow<'a, str>,
    /// The AWS account id, as sent.
    #[serde(borrow)]
    pub account: Cow<'a, str>,
    /// The region code, as sent.
    #[serde(borrow)]
    pub region: Cow<'a, str>,
    /// The event time (RFC 3339).
    #[serde(borrow)]
    pub time: Cow<'a, str>,
    /// ARNs of the resources involved.
    #[serde(borrow, default, deserialize_with = "null_as_empty")]
    pub resources: Vec<Cow<'a, str>>,
    /// The source-specific payload.
    pub detail: D,
}

/// The `detail` of an event whose type is not known yet: checked as JSON, read once it is.
pub type RawDetail<'a> = &'a RawValue;

/// `null` where a list is expected reads as an empty list, as an absent field does.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
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
    /// The service, in events whose resources name its deployment rather than itself.
    #[serde(borrow)]
    pub service_arn: Option<Cow<'a, str>>,
}

/// `detail` of `ECS Service Action` events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAction<'a> {
    /// `INFO`, `WARN` or `ERROR`.
    #[serde(borrow)]
    pub event_type: Option<Cow<'a, str>>,
    /// Such as `SERVICE_TASK_PLACEMENT_FAILURE`.
    #[serde(borrow)]
    pub event_name: Option<Cow<'a, str>>,
    /// The cluster.
    #[serde(borrow)]
    pub cluster_arn: Option<Cow<'a, str>>,
    /// When it happened.
    #[serde(borrow)]
    pub created_at: Option<Cow<'a, str>>,
    /// Such as `RESOURCE:MEMORY`.
    #[serde(borrow)]
    pub reason: Option<Cow<'a, str>>,
    /// The service, in events whose resources name its deployment rather than itself.
    #[serde(borrow)]
    pub service_arn: Option<Cow<'a, str>>,
}

/// `detail` of `ECS Hook State Change` events: a lifecycle hook of a service deployment
/// (ECS Developer Guide, "Amazon ECS service deployment hook state change events").
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookStateChange<'a> {
    /// `HOOK_IN_PROGRESS`, `HOOK_AWAITING_ACTION`, `HOOK_SUCCEEDED`, `HOOK_FAILED` or
    /// `HOOK_TIMED_OUT`.
    #[serde(borrow)]
    pub event_name: Option<Cow<'a, str>>,
    /// The hook, as `ContinueServiceDeployment` names it.
    #[serde(borrow)]
    pub hook_id: Option<Cow<'a, str>>,
    /// `PAUSE` or `AWS_LAMBDA`.
    #[serde(borrow)]
    pub hook_type: Option<Cow<'a, str>>,
    /// The deployment's stage the hook runs at, such as `PRE_PRODUCTION_TRAFFIC_SHIFT`.
    #[serde(borrow)]
    pub lifecycle_stage: Option<Cow<'a, str>>,
    /// When the hook gives up and ECS takes its timeout action.
    #[serde(borrow)]
    pub expires_at: Option<Cow<'a, str>>,
    /// When the hook changed state.
    #[serde(borrow)]
    pub updated_at: Option<Cow<'a, str>>,
    /// The cluster.
    #[serde(borrow)]
    pub cluster_arn: Option<Cow<'a, str>>,
    /// The service.
    #[serde(borrow)]
    pub service_arn: Option<Cow<'a, str>>,
    /// The service deployment the hook belongs to.
    #[serde(borrow)]
    pub service_deployment_arn: Option<Cow<'a, str>>,
}

/// What the details of deployment, service action and hook events carry alike: the event's
/// name, and the cluster and service they are about.
pub trait ServiceDetail<'a> {
    /// `detail.eventName`.
    fn event_name(&self) -> Option<&Cow<'a, str>>;
    /// `detail.clusterArn`.
    fn cluster_arn(&self) -> Option<&str>;
    /// `detail.serviceArn`.
    fn service_arn(&self) -> Option<&str>;
}

macro_rules! service_detail {
    ($($detail:ident),*) => {$(
        impl<'a> ServiceDetail<'a> for $detail<'a> {
            fn event_name(&self) -> Option<&Cow<'a, str>> {
                self.event_name.as_ref()
            }
            fn cluster_arn(&self) -> Option<&str> {
                self.cluster_arn.as_deref()
            }
            fn service_arn(&self) -> Option<&str> {
                self.service_arn.as_deref()
            }
        }
    )*};
}

service_detail!(DeploymentStateChange, ServiceAction, HookStateChange);

/// `detail` of `ECS Task State Change` events (the task as DescribeTasks shows it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStateChange<'a> {
    /// `RUNNING`, `STOPPED`, ...
    #[serde(borrow)]
    pub last_status: Option<Cow<'a, str>>,
    /// For a service's task, the deployment that started it (`ecs-svc/...`).
    #[serde(borrow)]
    pub started_by: Option<Cow<'a, str>>,
    /// `service:NAME` for a service's task.
    #[serde(borrow)]
    pub group: Option<Cow<'a, str>>,
    /// Why the task stopped, as a code (`EssentialContainerExited`, ...).
    #[serde(borrow)]
    pub stop_code: Option<Cow<'a, str>>,
    /// Why the task stopped, in ECS's words.
    #[serde(borrow)]
    pub stopped_reason: Option<Cow<'a, str>>,
    /// When it stopped.
    #[serde(borrow)]
    pub stopped_at: Option<Cow<'a, str>>,
    /// When it started running.
    #[serde(borrow)]
    pub started_at: Option<Cow<'a, str>>,
    /// When it was created.
    #[serde(borrow)]
    pub created_at: Option<Cow<'a, str>>,
    /// The task.
    #[serde(borrow)]
    pub task_arn: Option<Cow<'a, str>>,
    /// The cluster.
    #[serde(borrow)]
    pub cluster_arn: Option<Cow<'a, str>>,
    /// The task definition (`task-definition/FAMILY:REVISION`).
    #[serde(borrow)]
    pub task_definition_arn: Option<Cow<'a, str>>,
    /// Its containers.
    #[serde(borrow, default, deserialize_with = "null_as_empty")]
    pub containers: Vec<Container<'a>>,
}

/// A container of a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container<'a> {
    /// The container's name in the task definition.
    #[serde(borrow)]
    pub name: Option<Cow<'a, str>>,
    /// Its image.
    #[serde(borrow)]
    pub image: Option<Cow<'a, str>>,
    /// Its exit code, when it ran and exited.
    pub exit_code: Option<i64>,
    /// Why it stopped (`CannotPullContainerError: ...`, `OutOfMemoryError: ...`).
    #[serde(borrow)]
    pub reason: Option<Cow<'a, str>>,
}

/// Parses and checks the envelope of an EventBridge event, leaving `detail` as raw JSON.
pub fn parse_envelope(body: &[u8]) -> Result<EventBridgeEvent<'_, RawDetail<'_>>, Error> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(Error::InvalidJson("the request body is empty".into())),
        Some(b'{') => {}
        // A struct would also read from an array; anything but an object is refused, once
        // it is known to be JSON.
        Some(_) => {
            return Err(
                match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                    Ok(_) => Error::NotAnObject,
                    Err(error) => Error::InvalidJson(message(&error)),
                },
            );
        }
    }
    let event: EventBridgeEvent<RawDetail> = parse(body, "")?;
    match event.detail.get().as_bytes()[0] {
        b'{' => Ok(event),
        b'n' => Err(Error::MissingField("detail".into())),
        b'[' => Err(wrong_type("detail", "an array")),
        b'"' => Err(wrong_type("detail", "a string")),
        b't' | b'f' => Err(wrong_type("detail", "a boolean")),
        _ => Err(wrong_type("detail", "a number")),
    }
}

impl<'a> EventBridgeEvent<'a, RawDetail<'a>> {
    /// Reads the raw `detail` as a `D`.
    pub fn with_detail<D: Deserialize<'a>>(self) -> Result<EventBridgeEvent<'a, D>, Error> {
        let detail = parse(self.detail.get().as_bytes(), "detail")?;
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

/// Reads `json` (found at `path` in the event) as a `T`; on failure, reads it again tracking
/// where it failed, to name the field.
fn parse<'a, T: Deserialize<'a>>(json: &'a [u8], path: &str) -> Result<T, Error> {
    serde_json::from_slice(json).map_err(|error| {
        // Only a value of the wrong shape needs its path; broken JSON is broken anywhere.
        if error.classify() != Category::Data {
            return Error::InvalidJson(message(&error));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Ok(_) => Error::InvalidJson(message(&error)),
            Err(error) => {
                let at = error.path().to_string();
                let at = [path, at.trim_start_matches('.')]
                    .into_iter()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join(".");
                field_error(at, error.inner())
            }
        }
    })
}

/// The error for `error`, which serde_json met at `path`.
fn field_error(path: String, error: &serde_json::Error) -> Error {
    let text = message(error);
    if error.classify() != Category::Data {
        return Error::InvalidJson(text);
    }
    if let Some(field) = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let path = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return Error::MissingField(path.into());
    }
    if text.starts_with("invalid type: null") {
        return Error::MissingField(path.into());
    }
    if path.is_empty() {
        // Not about one field: a key given twice in the envelope.
        return Error::InvalidJson(text);
    }
    Error::InvalidField { path, reason: text }
}

/// serde_json's message without its position (`... at line 1 column 5`).
fn message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn wrong_type(path: &str, found: &str) -> Error {
    Error::InvalidField {
        path: path.to_owned(),
        reason: format!("invalid type: {found}, expected an object"),
    }
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
            .with_detail::<DeploymentStateChange>()
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
            .and_then(|event| event.with_detail::<DeploymentStateChange>())
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
            assert_eq!(
                error_of(&body),
                Error::MissingField(field.into()),
                "{field}"
            );
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
                    assert!(reason.starts_with("invalid type: "), "{reason}");
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
            &format!("{FAILED} trailing"),
            "\u{feff}{}",
        ] {
            assert!(matches!(error_of(body), Error::InvalidJson(_)), "{body:?}");
        }
    }

    #[test]
    fn duplicate_keys_and_deep_nesting_are_rejected_without_a_crash() {
        let duplicate = FAILED.replacen("\"id\"", "\"id\": \"x\", \"id\"", 1);
        assert!(
            matches!(error_of(&duplicate), Error::InvalidJson(m) if m.contains("duplicate field `id`"))
        );
        let duplicate_in_detail = FAILED.replacen("\"reason\"", "\"reason\": \"x\", \"reason\"", 1);
        assert!(
            matches!(error_of(&duplicate_in_detail), Error::InvalidField { path, .. } if path == "detail")
        );
        // Unknown fields are skipped, however deep; known ones are read within serde_json's
        // depth limit, so nesting never exhausts the stack.
        let nested = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        for (from, to) in [
            ("{", "{\"extra\": "),
            ("\"detail\": {", "\"detail\": {\"extra\": "),
        ] {
            let deep = FAILED.replacen(from, &format!("{to}{nested},"), 1);
            let body = deep.as_bytes();
            let event = parse_envelope(body).and_then(|e| e.with_detail::<DeploymentStateChange>());
            assert!(event.is_ok(), "{to}: {event:?}");
        }
        let deep_resources =
            FAILED.replacen("\"resources\": [", &format!("\"resources\": [{nested},"), 1);
        assert!(matches!(
            error_of(&deep_resources),
            Error::InvalidField { path, .. } if path == "resources[0]"
        ));
    }

    #[test]
    fn unknown_fields_and_escapes_are_fine() {
        let body = r#"{"id":"a\u0062c","detail-type":"x","source":"s","account":"1","region":"r",
            "time":"t","detail":{"eventName":"E","newField":[1,{"deep":true}]},"extra":{"a":1}}"#;
        let event = parse_envelope(body.as_bytes())
            .unwrap()
            .with_detail::<DeploymentStateChange>()
            .unwrap();
        assert_eq!(event.id, "abc");
        assert!(event.resources.is_empty());
        assert_eq!(event.detail.event_name.as_deref(), Some("E"));
    }
}
