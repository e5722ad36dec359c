//! The EventBridge envelope, generic over its `detail`, and the ECS details we read.
//!
//! Only the fields we use are read, unknown ones are ignored (AWS adds fields), strings are
//! borrowed from the body where they need no unescaping, and every error names its field.
//! Fields are first read as loosely typed [`Json`] values, so that a wrong type is reported
//! by us with the field's path rather than by serde without one.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, SeqAccess, Visitor};
use serde_json::value::RawValue;

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

/// A JSON value as far as events need it: strings (borrowed where possible), integers,
/// arrays and objects are kept, anything else is only named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json<'a> {
    /// A string.
    Str(Cow<'a, str>),
    /// An integer.
    Int(i64),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object's members, in order.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
    /// Any other value, by kind: "a number", "a boolean", ...
    Other(&'static str),
}

impl<'de: 'a, 'a> Deserialize<'de> for Json<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor(PhantomData))
    }
}

struct JsonVisitor<'a>(PhantomData<Json<'a>>);

impl<'de: 'a, 'a> Visitor<'de> for JsonVisitor<'a> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Owned(v)))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Json::Other("a boolean"))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Json::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).map_or(Json::Other("a number"), Json::Int))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Json::Other("a number"))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Json::Other("null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(entry) = map.next_entry::<Cow<'de, str>, Json<'a>>()? {
            members.push(entry);
        }
        Ok(Json::Object(members))
    }
}

impl<'a> Json<'a> {
    fn kind(&self) -> &'static str {
        match self {
            Json::Str(_) => "a string",
            Json::Int(_) => "a number",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
            Json::Other(kind) => kind,
        }
    }

    /// The member `name` of an object, taken out.
    fn take(members: &mut Vec<(Cow<'a, str>, Json<'a>)>, name: &str) -> Option<Json<'a>> {
        let at = members.iter().position(|(key, _)| key == name)?;
        Some(members.swap_remove(at).1)
    }
}

/// A field that must be a string; absent or null is [`Error::MissingField`].
fn required<'a>(field: Option<Json<'a>>, path: &'static str) -> Result<Cow<'a, str>, Error> {
    optional(field, path)?.ok_or(Error::MissingField(path))
}

/// A field that may be absent or null, and is a string otherwise.
fn optional<'a>(field: Option<Json<'a>>, path: &str) -> Result<Option<Cow<'a, str>>, Error> {
    match field {
        None => Ok(None),
        Some(Json::Str(text)) => Ok(Some(text)),
        Some(other) => Err(wrong_type(path, "a string", other.kind())),
    }
}

/// A field that may be absent or null, and is an integer otherwise.
fn integer(field: Option<Json<'_>>, path: &str) -> Result<Option<i64>, Error> {
    match field {
        None => Ok(None),
        Some(Json::Int(value)) => Ok(Some(value)),
        Some(other) => Err(wrong_type(path, "an integer", other.kind())),
    }
}

/// An optional array of strings.
fn strings<'a>(field: Option<Json<'a>>, path: &str) -> Result<Vec<Cow<'a, str>>, Error> {
    match field {
        None => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Json::Str(text) => Ok(text),
                other => Err(wrong_type(
                    &format!("{path}[{i}]"),
                    "a string",
                    other.kind(),
                )),
            })
            .collect(),
        Some(other) => Err(wrong_type(path, "an array", other.kind())),
    }
}

fn wrong_type(path: &str, expected: &str, found: &str) -> Error {
    Error::InvalidField {
        path: path.to_owned(),
        reason: format!("expected {expected}, found {found}"),
    }
}

/// The envelope as sent, before the required fields are checked.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(borrow)]
    id: Option<Json<'a>>,
    #[serde(borrow, rename = "detail-type")]
    detail_type: Option<Json<'a>>,
    #[serde(borrow)]
    source: Option<Json<'a>>,
    #[serde(borrow)]
    account: Option<Json<'a>>,
    #[serde(borrow)]
    region: Option<Json<'a>>,
    #[serde(borrow)]
    time: Option<Json<'a>>,
    #[serde(borrow)]
    resources: Option<Json<'a>>,
    #[serde(borrow)]
    detail: Option<&'a RawValue>,
}

/// The kind of a JSON value, from its first character.
fn kind_of(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        _ => "a number",
    }
}

/// A `detail` payload: read loosely as [`Detail::Raw`], then checked field by field.
pub trait Detail<'a>: Sized {
    /// The payload with every field loosely typed.
    type Raw: Deserialize<'a>;
    /// Checks the fields, naming the path of a bad one.
    fn check(raw: Self::Raw) -> Result<Self, Error>;
}

/// `detail` of `ECS Deployment State Change` events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentStateChange<'a> {
    /// `SERVICE_DEPLOYMENT_IN_PROGRESS`, `_COMPLETED` or `_FAILED`.
    pub event_name: Option<Cow<'a, str>>,
    /// The deployment, such as `ecs-svc/123`.
    pub deployment_id: Option<Cow<'a, str>>,
    /// When the deployment changed state.
    pub updated_at: Option<Cow<'a, str>>,
    /// Why, in ECS's words.
    pub reason: Option<Cow<'a, str>>,
    /// The cluster; needed when the service ARN is in the old format.
    pub cluster_arn: Option<Cow<'a, str>>,
}

/// [`DeploymentStateChange`] as sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawDeploymentStateChange<'a> {
    #[serde(borrow)]
    event_name: Option<Json<'a>>,
    #[serde(borrow)]
    deployment_id: Option<Json<'a>>,
    #[serde(borrow)]
    updated_at: Option<Json<'a>>,
    #[serde(borrow)]
    reason: Option<Json<'a>>,
    #[serde(borrow)]
    cluster_arn: Option<Json<'a>>,
}

impl<'a> Detail<'a> for DeploymentStateChange<'a> {
    type Raw = RawDeploymentStateChange<'a>;

    fn check(raw: Self::Raw) -> Result<Self, Error> {
        Ok(Self {
            event_name: optional(raw.event_name, "detail.eventName")?,
            deployment_id: optional(raw.deployment_id, "detail.deploymentId")?,
            updated_at: optional(raw.updated_at, "detail.updatedAt")?,
            reason: optional(raw.reason, "detail.reason")?,
            cluster_arn: optional(raw.cluster_arn, "detail.clusterArn")?,
        })
    }
}

/// `detail` of `ECS Task State Change` events (the task as DescribeTasks shows it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskStateChange<'a> {
    /// `RUNNING`, `STOPPED`, ...
    pub last_status: Option<Cow<'a, str>>,
    /// For a service's task, the deployment that started it (`ecs-svc/...`).
    pub started_by: Option<Cow<'a, str>>,
    /// `service:NAME` for a service's task.
    pub group: Option<Cow<'a, str>>,
    /// Why the task stopped, as a code (`EssentialContainerExited`, ...).
    pub stop_code: Option<Cow<'a, str>>,
    /// Why the task stopped, in ECS's words.
    pub stopped_reason: Option<Cow<'a, str>>,
    /// When it stopped.
    pub stopped_at: Option<Cow<'a, str>>,
    /// The task.
    pub task_arn: Option<Cow<'a, str>>,
    /// The cluster.
    pub cluster_arn: Option<Cow<'a, str>>,
    /// The task definition (`task-definition/FAMILY:REVISION`).
    pub task_definition_arn: Option<Cow<'a, str>>,
    /// Its containers.
    pub containers: Vec<Container<'a>>,
}

/// A container of a task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container<'a> {
    /// The container's name in the task definition.
    pub name: Option<Cow<'a, str>>,
    /// Its image.
    pub image: Option<Cow<'a, str>>,
    /// Its exit code, when it ran and exited.
    pub exit_code: Option<i64>,
    /// Why it stopped (`CannotPullContainerError: ...`, `OutOfMemoryError: ...`).
    pub reason: Option<Cow<'a, str>>,
}

/// [`TaskStateChange`] as sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawTaskStateChange<'a> {
    #[serde(borrow)]
    last_status: Option<Json<'a>>,
    #[serde(borrow)]
    started_by: Option<Json<'a>>,
    #[serde(borrow)]
    group: Option<Json<'a>>,
    #[serde(borrow)]
    stop_code: Option<Json<'a>>,
    #[serde(borrow)]
    stopped_reason: Option<Json<'a>>,
    #[serde(borrow)]
    stopped_at: Option<Json<'a>>,
    #[serde(borrow)]
    task_arn: Option<Json<'a>>,
    #[serde(borrow)]
    cluster_arn: Option<Json<'a>>,
    #[serde(borrow)]
    task_definition_arn: Option<Json<'a>>,
    #[serde(borrow)]
    containers: Option<Json<'a>>,
}

impl<'a> Detail<'a> for TaskStateChange<'a> {
    type Raw = RawTaskStateChange<'a>;

    fn check(raw: Self::Raw) -> Result<Self, Error> {
        let containers = match raw.containers {
            None => Vec::new(),
            Some(Json::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| container(item, i))
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(wrong_type("detail.containers", "an array", other.kind())),
        };
        Ok(Self {
            last_status: optional(raw.last_status, "detail.lastStatus")?,
            started_by: optional(raw.started_by, "detail.startedBy")?,
            group: optional(raw.group, "detail.group")?,
            stop_code: optional(raw.stop_code, "detail.stopCode")?,
            stopped_reason: optional(raw.stopped_reason, "detail.stoppedReason")?,
            stopped_at: optional(raw.stopped_at, "detail.stoppedAt")?,
            task_arn: optional(raw.task_arn, "detail.taskArn")?,
            cluster_arn: optional(raw.cluster_arn, "detail.clusterArn")?,
            task_definition_arn: optional(raw.task_definition_arn, "detail.taskDefinitionArn")?,
            containers,
        })
    }
}

fn container<'a>(item: Json<'a>, i: usize) -> Result<Container<'a>, Error> {
    let path = |field: &str| format!("detail.containers[{i}].{field}");
    let mut members = match item {
        Json::Object(members) => members,
        other => {
            return Err(wrong_type(
                &format!("detail.containers[{i}]"),
                "an object",
                other.kind(),
            ));
        }
    };
    Ok(Container {
        name: optional(Json::take(&mut members, "name"), &path("name"))?,
        image: optional(Json::take(&mut members, "image"), &path("image"))?,
        exit_code: integer(Json::take(&mut members, "exitCode"), &path("exitCode"))?,
        reason: optional(Json::take(&mut members, "reason"), &path("reason"))?,
    })
}

/// `detail` of `ECS Service Action` events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceAction<'a> {
    /// `INFO`, `WARN` or `ERROR`.
    pub event_type: Option<Cow<'a, str>>,
    /// Such as `SERVICE_TASK_PLACEMENT_FAILURE`.
    pub event_name: Option<Cow<'a, str>>,
    /// The cluster.
    pub cluster_arn: Option<Cow<'a, str>>,
    /// When it happened.
    pub created_at: Option<Cow<'a, str>>,
    /// Such as `RESOURCE:MEMORY`.
    pub reason: Option<Cow<'a, str>>,
}

/// [`ServiceAction`] as sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawServiceAction<'a> {
    #[serde(borrow)]
    event_type: Option<Json<'a>>,
    #[serde(borrow)]
    event_name: Option<Json<'a>>,
    #[serde(borrow)]
    cluster_arn: Option<Json<'a>>,
    #[serde(borrow)]
    created_at: Option<Json<'a>>,
    #[serde(borrow)]
    reason: Option<Json<'a>>,
}

impl<'a> Detail<'a> for ServiceAction<'a> {
    type Raw = RawServiceAction<'a>;

    fn check(raw: Self::Raw) -> Result<Self, Error> {
        Ok(Self {
            event_type: optional(raw.event_type, "detail.eventType")?,
            event_name: optional(raw.event_name, "detail.eventName")?,
            cluster_arn: optional(raw.cluster_arn, "detail.clusterArn")?,
            created_at: optional(raw.created_at, "detail.createdAt")?,
            reason: optional(raw.reason, "detail.reason")?,
        })
    }
}

/// Parses and checks the envelope of an EventBridge event, leaving `detail` as raw JSON.
pub fn parse_envelope(body: &[u8]) -> Result<EventBridgeEvent<'_, &RawValue>, Error> {
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
    // Every field accepts any value, so serde fails only on syntax or a duplicate key.
    let raw: RawEnvelope =
        serde_json::from_slice(body).map_err(|error| Error::InvalidJson(error.to_string()))?;
    let event = EventBridgeEvent {
        id: required(raw.id, "id")?,
        detail_type: required(raw.detail_type, "detail-type")?,
        source: required(raw.source, "source")?,
        account: required(raw.account, "account")?,
        region: required(raw.region, "region")?,
        time: required(raw.time, "time")?,
        resources: strings(raw.resources, "resources")?,
        detail: raw.detail.ok_or(Error::MissingField("detail"))?,
    };
    match kind_of(event.detail) {
        "an object" => Ok(event),
        found => Err(wrong_type("detail", "an object", found)),
    }
}

impl<'a> EventBridgeEvent<'a, &'a RawValue> {
    /// Reads the raw `detail` as a `D`.
    pub fn with_detail<D: Detail<'a>>(self) -> Result<EventBridgeEvent<'a, D>, Error> {
        // The envelope parsed, so only a duplicate key or nesting past serde_json's depth
        // limit inside `detail` fails here. Bytes, not `from_str`: one reader type fewer in
        // the component.
        let detail: D::Raw =
            serde_json::from_slice(self.detail.get().as_bytes()).map_err(|error| {
                Error::InvalidField {
                    path: "detail".into(),
                    reason: error.to_string(),
                }
            })?;
        Ok(EventBridgeEvent {
            id: self.id,
            detail_type: self.detail_type,
            source: self.source,
            account: self.account,
            region: self.region,
            time: self.time,
            resources: self.resources,
            detail: D::check(detail)?,
        })
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
                    assert!(reason.starts_with("expected "), "{reason}");
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
    fn duplicate_keys_and_deep_nesting_are_rejected_without_a_crash() {
        let duplicate = FAILED.replacen("\"id\"", "\"id\": \"x\", \"id\"", 1);
        assert!(
            matches!(error_of(&duplicate), Error::InvalidJson(m) if m.contains("duplicate field `id`"))
        );
        let duplicate_in_detail = FAILED.replacen("\"reason\"", "\"reason\": \"x\", \"reason\"", 1);
        assert!(
            matches!(error_of(&duplicate_in_detail), Error::InvalidField { path, .. } if path == "detail")
        );
        // Unknown fields are skipped without recursion, however deep; known ones are read
        // with serde_json's depth limit, so nesting never exhausts the stack.
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
        assert!(
            matches!(error_of(&deep_resources), Error::InvalidJson(m) if m.contains("recursion")),
        );
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
