//! What we alert on: an ECS deployment failure becomes an [`Alert`] (what failed, where, in
//! which environment, with a console link); every other valid event is ignored.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::aws::{AccountId, ClusterArn, Region, ServiceArn};
use crate::console;
use crate::environment::EnvironmentResolver;
use crate::error::Error;
use crate::event::{DeploymentStateChange, EventBridgeEvent};

/// `source` of Amazon ECS events.
pub const ECS_SOURCE: &str = "aws.ecs";
/// `detail-type` of deployment state changes.
pub const DEPLOYMENT_STATE_CHANGE: &str = "ECS Deployment State Change";
/// `detail.eventName` of a failed deployment (needs the deployment circuit breaker).
pub const DEPLOYMENT_FAILED: &str = "SERVICE_DEPLOYMENT_FAILED";

/// A failed ECS deployment, with everything the Slack message shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert<'a> {
    /// The EventBridge event id.
    pub event_id: Cow<'a, str>,
    /// When the deployment failed (`detail.updatedAt`, else the event time).
    pub time: Cow<'a, str>,
    /// The service's account.
    pub account: AccountId,
    /// The service's region.
    pub region: Region,
    /// The cluster, when the event names it.
    pub cluster: Option<String>,
    /// The service.
    pub service: String,
    /// The failed deployment.
    pub deployment_id: Option<Cow<'a, str>>,
    /// ECS's reason.
    pub reason: Option<Cow<'a, str>>,
    /// The environment the service belongs to.
    pub environment: &'a str,
    /// The service's Deployments tab in the AWS console.
    pub console_url: Option<String>,
}

/// What to do with a valid event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assessment<'a> {
    /// Tell Slack.
    Alert(Box<Alert<'a>>),
    /// Not something we alert on.
    Ignored {
        /// `detail.eventName` of ECS deployment events.
        event_name: Option<Cow<'a, str>>,
        /// Why, for the answer and the log.
        why: String,
    },
}

/// Decides whether `event` is an alert, and builds it.
pub fn assess<'a>(
    event: EventBridgeEvent<'a, &'a RawValue>,
    environments: &'a EnvironmentResolver,
) -> Result<Assessment<'a>, Error> {
    if event.source != ECS_SOURCE || event.detail_type != DEPLOYMENT_STATE_CHANGE {
        return Ok(Assessment::Ignored {
            event_name: None,
            why: format!(
                "only `{DEPLOYMENT_STATE_CHANGE}` events from `{ECS_SOURCE}` are alerted on"
            ),
        });
    }
    let event = event.with_detail::<DeploymentStateChange>()?;
    let event_name = event
        .detail
        .event_name
        .clone()
        .ok_or(Error::MissingField("detail.eventName"))?;
    if event_name != DEPLOYMENT_FAILED {
        return Ok(Assessment::Ignored {
            event_name: Some(event_name),
            why: format!("only `{DEPLOYMENT_FAILED}` deployments are alerted on"),
        });
    }
    let account = AccountId::parse(&event.account).map_err(|e| invalid("account", e))?;
    let region = Region::parse(&event.region).map_err(|e| invalid("region", e))?;
    let service_arn = service_arn(&event.resources)?;
    let cluster = match (service_arn.cluster, &event.detail.cluster_arn) {
        (Some(cluster), _) => Some(cluster),
        (None, Some(arn)) => Some(
            ClusterArn::parse(arn)
                .map_err(|e| invalid("detail.clusterArn", e))?
                .cluster,
        ),
        (None, None) => None,
    };
    let service = service_arn.service;
    let names: Vec<&str> = cluster
        .iter()
        .map(String::as_str)
        .chain([service.as_str()])
        .collect();
    let environment = environments.resolve(account.as_str(), &names);
    let console_url =
        console::deployments_url(service_arn.partition, &region, cluster.as_deref(), &service);
    let detail = event.detail;
    Ok(Assessment::Alert(Box::new(Alert {
        event_id: event.id,
        time: detail.updated_at.unwrap_or(event.time),
        account,
        region,
        cluster,
        service,
        deployment_id: detail.deployment_id,
        reason: detail.reason,
        environment,
        console_url,
    })))
}

/// The first ECS service ARN among the event's resources.
fn service_arn(resources: &[Cow<'_, str>]) -> Result<ServiceArn, Error> {
    match resources {
        [] => Err(Error::MissingField("resources")),
        [only] => ServiceArn::parse(only).map_err(|e| invalid("resources[0]", e)),
        _ => resources
            .iter()
            .find_map(|arn| ServiceArn::parse(arn).ok())
            .ok_or_else(|| invalid("resources", "no ECS service ARN among the resources")),
    }
}

fn invalid(path: &str, reason: &str) -> Error {
    Error::InvalidField {
        path: path.into(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::parse_envelope;

    const FAILED: &str = include_str!("../fixtures/ecs-deployment-failed.json");

    fn assess_str<'a>(
        body: &'a str,
        environments: &'a EnvironmentResolver,
    ) -> Result<Assessment<'a>, Error> {
        assess(parse_envelope(body.as_bytes())?, environments)
    }

    fn alert_of(body: &str) -> Alert<'static> {
        let environments = Box::leak(Box::new(EnvironmentResolver::default()));
        let body: &'static str = Box::leak(body.to_owned().into_boxed_str());
        match assess_str(body, environments).unwrap() {
            Assessment::Alert(alert) => *alert,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_documented_failure_is_an_alert() {
        let alert = alert_of(FAILED);
        assert_eq!(alert.event_id, "ddca6449-b258-46c0-8653-e0e3aEXAMPLE");
        assert_eq!(alert.time, "2020-05-23T11:11:11Z");
        assert_eq!(alert.account.as_str(), "111122223333");
        assert_eq!(alert.region.as_str(), "us-west-2");
        assert_eq!(alert.cluster.as_deref(), Some("default"));
        assert_eq!(alert.service, "servicetest");
        assert_eq!(alert.deployment_id.as_deref(), Some("ecs-svc/123"));
        assert_eq!(alert.environment, "unknown");
        assert_eq!(
            alert.console_url.as_deref(),
            Some(
                "https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/default/services/servicetest/deployments?region=us-west-2"
            )
        );
    }

    #[test]
    fn short_arns_take_the_cluster_from_cluster_arn() {
        let body = FAILED
            .replace("service/default/servicetest", "service/api-prod")
            .replace(
                "\"eventType\"",
                "\"clusterArn\": \"arn:aws:ecs:us-west-2:111122223333:cluster/main\", \"eventType\"",
            );
        let alert = alert_of(&body);
        assert_eq!(alert.cluster.as_deref(), Some("main"));
        assert_eq!(alert.service, "api-prod");
        assert_eq!(alert.environment, "production");
    }

    #[test]
    fn short_arns_without_cluster_link_to_the_cluster_list() {
        let alert = alert_of(&FAILED.replace("service/default/servicetest", "service/web"));
        assert_eq!(alert.cluster, None);
        assert!(
            alert
                .console_url
                .unwrap()
                .ends_with("/ecs/v2/clusters?region=us-west-2")
        );
    }

    #[test]
    fn other_events_are_ignored() {
        let environments = EnvironmentResolver::default();
        for (from, to) in [
            ("SERVICE_DEPLOYMENT_FAILED", "SERVICE_DEPLOYMENT_COMPLETED"),
            ("\"aws.ecs\"", "\"aws.ec2\""),
            ("ECS Deployment State Change", "ECS Service Action"),
        ] {
            let body = FAILED.replace(from, to);
            assert!(
                matches!(
                    assess_str(&body, &environments),
                    Ok(Assessment::Ignored { .. })
                ),
                "{to}"
            );
        }
    }

    #[test]
    fn ignored_sources_need_no_ecs_detail() {
        let body = r#"{"id":"1","detail-type":"Object Created","source":"aws.s3","account":"x",
            "region":"y","time":"z","detail":{"eventName":42}}"#;
        let environments = EnvironmentResolver::default();
        assert!(matches!(
            assess_str(body, &environments),
            Ok(Assessment::Ignored { .. })
        ));
    }

    #[test]
    fn bad_identity_fields_are_named() {
        let environments = EnvironmentResolver::default();
        let cases = [
            (FAILED.replace("\"111122223333\"", "\"acct\""), "account"),
            (
                FAILED.replace("\"region\": \"us-west-2\"", "\"region\": \"evil.com/\""),
                "region",
            ),
            (
                FAILED.replace(
                    "arn:aws:ecs:us-west-2:111122223333:service/default/servicetest",
                    "nope",
                ),
                "resources[0]",
            ),
            (
                FAILED.replace(
                    "\"arn:aws:ecs:us-west-2:111122223333:service/default/servicetest\"",
                    "\"a\", \"b\"",
                ),
                "resources",
            ),
        ];
        for (body, path) in cases {
            match assess_str(&body, &environments) {
                Err(Error::InvalidField { path: p, .. }) => assert_eq!(p, path),
                other => panic!("{path}: {other:?}"),
            }
        }
        let no_resources = FAILED.replace(
            "\"arn:aws:ecs:us-west-2:111122223333:service/default/servicetest\"",
            "",
        );
        assert_eq!(
            assess_str(&no_resources, &environments),
            Err(Error::MissingField("resources"))
        );
        let no_name = FAILED.replace("\"eventName\": \"SERVICE_DEPLOYMENT_FAILED\",", "");
        assert_eq!(
            assess_str(&no_name, &environments),
            Err(Error::MissingField("detail.eventName"))
        );
    }
}
