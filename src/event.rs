//! The EventBridge envelope, generic over its `detail`, and the ECS details we read.
//!
//! Only the fields we use are read, unknown ones are ignored (AWS adds fields), strings are
//! borrowed from the body where they need no unescaping, and every error names its field.
//! Fields are first read as loosely typed [`Json`] values, so that a wrong type is reported
//! with the field's path.

use crate::error::Error;
use crate::json::{self, Json, Reader, SyntaxError};
use std::borrow::Cow;

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

/// The text of an event's `detail` object, checked as JSON and read once its type is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawDetail<'a>(&'a str);

/// Reads the members of the object at `reader` named in `names` as loose values, and the one
/// named `raw` (if any) as text; other members are skipped. A named member given twice is an
/// error, as serde's derive makes it.
fn members<'a, const N: usize>(
    reader: &mut Reader<'a>,
    names: [&'static str; N],
    raw: Option<&'static str>,
) -> Result<([Option<Json<'a>>; N], Option<&'a str>), SyntaxError> {
    let mut values = [const { None }; N];
    let mut raw_text = None;
    read_members(reader, &names, &mut values, raw, &mut raw_text)?;
    Ok((values, raw_text))
}

/// [`members`] without the array size, so that only one copy of it is compiled.
fn read_members<'a>(
    reader: &mut Reader<'a>,
    names: &[&'static str],
    values: &mut [Option<Json<'a>>],
    raw: Option<&'static str>,
    raw_text: &mut Option<&'a str>,
) -> Result<(), SyntaxError> {
    reader.object(&mut |reader, key| {
        let duplicate = |reader: &Reader, name| reader.error(format!("duplicate field `{name}`"));
        if let Some(i) = names.iter().position(|name| *name == key) {
            if values[i].is_some() {
                return Err(duplicate(reader, names[i]));
            }
            values[i] = Some(reader.value()?);
        } else if let Some(name) = raw.filter(|name| *name == key) {
            if raw_text.is_some() {
                return Err(duplicate(reader, name));
            }
            *raw_text = Some(reader.skip()?);
        } else {
            reader.skip()?;
        }
        Ok(())
    })
}

/// The member `name` of an object, taken out.
fn take<'a>(members: &mut Vec<(Cow<'a, str>, Json<'a>)>, name: &str) -> Option<Json<'a>> {
    let at = members.iter().position(|(key, _)| key == name)?;
    Some(members.swap_remove(at).1)
}

/// A field that must be a string; absent or null is [`Error::MissingField`].
fn required<'a>(field: Option<Json<'a>>, path: &'static str) -> Result<Cow<'a, str>, Error> {
    optional(field, path)?.ok_or(Error::MissingField(path))
}

/// A field that may be absent or null, and is a string otherwise.
fn optional<'a>(field: Option<Json<'a>>, path: &str) -> Result<Option<Cow<'a, str>>, Error> {
    match field {
        None | Some(Json::Other("null")) => Ok(None),
        Some(Json::Str(text)) => Ok(Some(text)),
        Some(other) => Err(wrong_type(path, "a string", other.kind())),
    }
}

/// A field that may be absent or null, and is an integer otherwise.
fn integer(field: Option<Json<'_>>, path: &str) -> Result<Option<i64>, Error> {
    match field {
        None | Some(Json::Other("null")) => Ok(None),
        Some(Json::Int(value)) => Ok(Some(value)),
        Some(other) => Err(wrong_type(path, "an integer", other.kind())),
    }
}

/// An optional array of strings.
fn strings<'a>(field: Option<Json<'a>>, path: &str) -> Result<Vec<Cow<'a, str>>, Error> {
    match field {
        None | Some(Json::Other("null")) => Ok(Vec::new()),
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

/// A `detail` payload: its members read loosely, then checked field by field.
pub trait Detail<'a>: Sized {
    /// Reads the payload from the members of `detail`, naming the path of a bad field.
    fn read(detail: &mut Reader<'a>) -> Result<Self, Error>;
}

/// [`members`] of a `detail`, where a syntax error is one in the field `detail`.
fn detail_members<'a, const N: usize>(
    detail: &mut Reader<'a>,
    names: [&'static str; N],
) -> Result<[Option<Json<'a>>; N], Error> {
    members(detail, names, None)
        .map(|(values, _)| values)
        .map_err(|error| Error::InvalidField {
            path: "detail".into(),
            reason: error.to_string(),
        })
}

/// The members `names` of a `detail` that are strings when present, in that order.
fn detail_strings<'a, const N: usize>(
    detail: &mut Reader<'a>,
    names: [&'static str; N],
) -> Result<[Option<Cow<'a, str>>; N], Error> {
    let mut strings = [const { None }; N];
    for ((string, value), name) in strings
        .iter_mut()
        .zip(detail_members(detail, names)?)
        .zip(names)
    {
        // The path is spelled out only for an error.
        *string = optional(value, "").map_err(|error| match error {
            Error::InvalidField { reason, .. } => Error::InvalidField {
                path: format!("detail.{name}"),
                reason,
            },
            other => other,
        })?;
    }
    Ok(strings)
}

/// Declares a `detail` whose fields are all optional strings, each named once with its JSON
/// name, and reads it with [`detail_strings`].
macro_rules! string_detail {
    ($(#[$doc:meta])* $name:ident { $($(#[$field_doc:meta])* $field:ident: $json:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct $name<'a> {
            $($(#[$field_doc])* pub $field: Option<Cow<'a, str>>,)*
        }

        impl<'a> Detail<'a> for $name<'a> {
            fn read(detail: &mut Reader<'a>) -> Result<Self, Error> {
                let [$($field),*] = detail_strings(detail, [$($json),*])?;
                Ok(Self { $($field),* })
            }
        }
    };
}

string_detail! {
    /// `detail` of `ECS Deployment State Change` events.
    DeploymentStateChange {
        /// `SERVICE_DEPLOYMENT_IN_PROGRESS`, `_COMPLETED` or `_FAILED`.
        event_name: "eventName",
        /// The deployment, such as `ecs-svc/123`.
        deployment_id: "deploymentId",
        /// When the deployment changed state.
        updated_at: "updatedAt",
        /// Why, in ECS's words.
        reason: "reason",
        /// The cluster; needed when the service ARN is in the old format.
        cluster_arn: "clusterArn",
    }
}

string_detail! {
    /// `detail` of `ECS Service Action` events.
    ServiceAction {
        /// `INFO`, `WARN` or `ERROR`.
        event_type: "eventType",
        /// Such as `SERVICE_TASK_PLACEMENT_FAILURE`.
        event_name: "eventName",
        /// The cluster.
        cluster_arn: "clusterArn",
        /// When it happened.
        created_at: "createdAt",
        /// Such as `RESOURCE:MEMORY`.
        reason: "reason",
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

impl<'a> Detail<'a> for TaskStateChange<'a> {
    fn read(detail: &mut Reader<'a>) -> Result<Self, Error> {
        let [
            last_status,
            started_by,
            group,
            stop_code,
            stopped_reason,
            stopped_at,
            task_arn,
            cluster_arn,
            task_definition_arn,
            containers,
        ] = detail_members(
            detail,
            [
                "lastStatus",
                "startedBy",
                "group",
                "stopCode",
                "stoppedReason",
                "stoppedAt",
                "taskArn",
                "clusterArn",
                "taskDefinitionArn",
                "containers",
            ],
        )?;
        let containers = match containers {
            None | Some(Json::Other("null")) => Vec::new(),
            Some(Json::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| container(item, i))
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(wrong_type("detail.containers", "an array", other.kind())),
        };
        Ok(Self {
            last_status: optional(last_status, "detail.lastStatus")?,
            started_by: optional(started_by, "detail.startedBy")?,
            group: optional(group, "detail.group")?,
            stop_code: optional(stop_code, "detail.stopCode")?,
            stopped_reason: optional(stopped_reason, "detail.stoppedReason")?,
            stopped_at: optional(stopped_at, "detail.stoppedAt")?,
            task_arn: optional(task_arn, "detail.taskArn")?,
            cluster_arn: optional(cluster_arn, "detail.clusterArn")?,
            task_definition_arn: optional(task_definition_arn, "detail.taskDefinitionArn")?,
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
        name: optional(take(&mut members, "name"), &path("name"))?,
        image: optional(take(&mut members, "image"), &path("image"))?,
        exit_code: integer(take(&mut members, "exitCode"), &path("exitCode"))?,
        reason: optional(take(&mut members, "reason"), &path("reason"))?,
    })
}

/// Parses and checks the envelope of an EventBridge event, leaving `detail` as raw JSON.
pub fn parse_envelope(body: &[u8]) -> Result<EventBridgeEvent<'_, RawDetail<'_>>, Error> {
    let invalid = |error: SyntaxError| Error::InvalidJson(error.to_string());
    let mut reader = Reader::new(json::text(body).map_err(invalid)?);
    match reader.peek() {
        None => return Err(Error::InvalidJson("the request body is empty".into())),
        Some(b'{') => {}
        Some(_) => {
            reader.skip().and_then(|_| reader.end()).map_err(invalid)?;
            return Err(Error::NotAnObject);
        }
    }
    // Every field accepts any value here, so this fails only on syntax or a duplicate key.
    let ([id, detail_type, source, account, region, time, resources], detail) = members(
        &mut reader,
        [
            "id",
            "detail-type",
            "source",
            "account",
            "region",
            "time",
            "resources",
        ],
        Some("detail"),
    )
    .map_err(invalid)?;
    reader.end().map_err(invalid)?;
    let event = EventBridgeEvent {
        id: required(id, "id")?,
        detail_type: required(detail_type, "detail-type")?,
        source: required(source, "source")?,
        account: required(account, "account")?,
        region: required(region, "region")?,
        time: required(time, "time")?,
        resources: strings(resources, "resources")?,
        detail: RawDetail(
            detail
                .filter(|text| *text != "null")
                .ok_or(Error::MissingField("detail"))?,
        ),
    };
    match event.detail.0.as_bytes()[0] {
        b'{' => Ok(event),
        b'[' => Err(wrong_type("detail", "an object", "an array")),
        b'"' => Err(wrong_type("detail", "an object", "a string")),
        b't' | b'f' => Err(wrong_type("detail", "an object", "a boolean")),
        _ => Err(wrong_type("detail", "an object", "a number")),
    }
}

impl<'a> EventBridgeEvent<'a, RawDetail<'a>> {
    /// Reads the raw `detail` as a `D`.
    pub fn with_detail<D: Detail<'a>>(self) -> Result<EventBridgeEvent<'a, D>, Error> {
        let detail = D::read(&mut Reader::new(self.detail.0))?;
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
    fn fields_that_are_read_nest_as_deep_as_serde_json_allows() {
        // The envelope itself is the first level, as it is for serde_json.
        for depth in 124..=128 {
            let nested = format!("{}\"arn\"{}", "[".repeat(depth), "]".repeat(depth));
            let body =
                FAILED.replacen("\"resources\": [", &format!("\"resources\": [{nested},"), 1);
            let too_deep =
                matches!(error_of(&body), Error::InvalidJson(m) if m.contains("recursion"));
            let serde_refuses = serde_json::from_str::<serde_json::Value>(&body).is_err();
            assert_eq!(too_deep, serde_refuses, "depth {depth}");
        }
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
