//! AWS identifiers the alert is built from: account ids, regions, partitions and ECS ARNs,
//! each parsed once into a type that only holds valid values.

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountId(String);

impl AccountId {
    /// Parses an account id; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err("expected a 12-digit AWS account id")
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An AWS region code such as `us-west-2`: safe to put in a host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region(String);

impl Region {
    /// Parses a region code: lower-case letters, digits and `-`, starting with a letter.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let valid = (2..=32).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err("expected an AWS region code such as us-west-2")
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The AWS partition an ARN belongs to; it decides the console's host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// Commercial regions.
    Aws,
    /// China regions.
    AwsCn,
    /// AWS GovCloud (US).
    AwsUsGov,
    /// Any other partition (isolated regions): no public console link.
    Other,
}

impl Partition {
    fn parse(text: &str) -> Result<Self, &'static str> {
        match text {
            "aws" => Ok(Self::Aws),
            "aws-cn" => Ok(Self::AwsCn),
            "aws-us-gov" => Ok(Self::AwsUsGov),
            _ if text.starts_with("aws") => Ok(Self::Other),
            _ => Err("unknown partition"),
        }
    }
}

/// The longest ECS cluster or service name.
const MAX_NAME_CHARS: usize = 255;

/// An ECS service ARN, old (`service/NAME`) or new (`service/CLUSTER/NAME`) format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceArn {
    /// The partition.
    pub partition: Partition,
    /// The cluster name, present only in the new format.
    pub cluster: Option<String>,
    /// The service name.
    pub service: String,
}

/// An ECS cluster ARN (`cluster/NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterArn {
    /// The cluster name.
    pub cluster: String,
}

impl ServiceArn {
    /// Parses `arn:PARTITION:ecs:REGION:ACCOUNT:service/[CLUSTER/]NAME`.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let (partition, resource) = ecs_resource(text)?;
        let (cluster, service) =
            in_cluster(resource, "service/").ok_or("expected an ECS service ARN")??;
        Ok(Self {
            partition,
            cluster,
            service: name(service)?,
        })
    }
}

impl ClusterArn {
    /// Parses `arn:PARTITION:ecs:REGION:ACCOUNT:cluster/NAME`.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let (_, resource) = ecs_resource(text)?;
        let cluster = resource
            .strip_prefix("cluster/")
            .ok_or("expected an ECS cluster ARN")?;
        Ok(Self {
            cluster: name(cluster)?,
        })
    }
}

/// An ECS service deployment ARN,
/// `arn:PARTITION:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID`: what hook events
/// carry and `ContinueServiceDeployment` takes. Every part is checked to be of the characters
/// AWS uses for it (names and ids: letters, digits, `-` and `_`), so the whole ARN is safe as
/// one word of a shell command someone copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDeploymentArn {
    /// The ARN as given.
    pub arn: String,
    /// Its service, always with its cluster.
    pub service: ServiceArn,
}

impl ServiceDeploymentArn {
    /// Parses `arn:PARTITION:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID`.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "expected an ECS service deployment ARN \
             (arn:PARTITION:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID)";
        let (partition, resource) = ecs_resource(text)?;
        let mut parts = text.splitn(6, ':').skip(3);
        let (Some(region), Some(account)) = (parts.next(), parts.next()) else {
            return Err(EXPECTED);
        };
        Region::parse(region)?;
        AccountId::parse(account)?;
        let names: Vec<&str> = resource
            .strip_prefix("service-deployment/")
            .ok_or(EXPECTED)?
            .split('/')
            .collect();
        let plain = |part: &&str| {
            (1..=MAX_NAME_CHARS).contains(&part.len())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let [cluster, service, _id] = names[..] else {
            return Err(EXPECTED);
        };
        let partition_plain = text
            .split(':')
            .nth(1)
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        if !names.iter().all(plain) || !partition_plain {
            return Err("expected a service deployment ARN of letters, digits, `-` and `_`");
        }
        Ok(Self {
            arn: text.to_owned(),
            service: ServiceArn {
                partition,
                cluster: Some(cluster.to_owned()),
                service: service.to_owned(),
            },
        })
    }
}

impl ServiceDeploymentArn {
    /// Its region (checked when parsed).
    pub fn region(&self) -> &str {
        self.arn.split(':').nth(3).unwrap_or_default()
    }
}

/// An ECS task ARN, new (`task/CLUSTER/ID`) or old (`task/ID`) format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskArn {
    /// The cluster name, present only in the new format.
    pub cluster: Option<String>,
    /// The task id: letters, digits and `-`, safe in a URL path and a store key.
    pub id: String,
}

impl TaskArn {
    /// Parses `arn:PARTITION:ecs:REGION:ACCOUNT:task/[CLUSTER/]ID`.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let (_, resource) = ecs_resource(text)?;
        let (cluster, id) = in_cluster(resource, "task/").ok_or("expected an ECS task ARN")??;
        let valid = (1..=64).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err("expected a task id of 1 to 64 letters, digits or `-`");
        }
        Ok(Self {
            cluster,
            id: id.to_owned(),
        })
    }
}

/// A resource of `kind` (`service/`, `task/`) in the new format, `KIND/CLUSTER/ID`, or the old
/// one, `KIND/ID`: the checked cluster name if any, and the id. `None` for another kind.
fn in_cluster<'a>(
    resource: &'a str,
    kind: &str,
) -> Option<Result<(Option<String>, &'a str), &'static str>> {
    let names = resource.strip_prefix(kind)?;
    Some(match names.split_once('/') {
        Some((cluster, id)) => name(cluster).map(|cluster| (Some(cluster), id)),
        None => Ok((None, names)),
    })
}

/// Splits an ECS ARN into its partition and resource part.
fn ecs_resource(text: &str) -> Result<(Partition, &str), &'static str> {
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("ecs"), Some(_region), Some(_account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err("expected an ARN of the form arn:PARTITION:ecs:REGION:ACCOUNT:RESOURCE");
    };
    Ok((Partition::parse(partition)?, resource))
}

/// A cluster or service name: 1 to 255 characters, no `/` and no control characters.
fn name(text: &str) -> Result<String, &'static str> {
    let valid = !text.is_empty()
        && text.chars().count() <= MAX_NAME_CHARS
        && !text.chars().any(|c| c == '/' || c.is_control());
    if valid {
        Ok(text.to_owned())
    } else {
        Err("expected a name of 1 to 255 characters without `/`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(AccountId::parse("111122223333").is_ok());
        for bad in [
            "",
            "11112222333",
            "1111222233334",
            "11112222333a",
            "١١١١٢٢٢٢٣٣٣٣",
        ] {
            assert!(AccountId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions_cannot_smuggle_a_host() {
        for good in ["us-west-2", "cn-north-1", "us-gov-west-1", "eu-central-2"] {
            assert!(Region::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "US-WEST-2",
            "evil.com/",
            "us-west-2.evil.com",
            "a",
            "1us-west-2",
            "us west",
        ] {
            assert!(Region::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn task_arns_in_both_formats() {
        let new = TaskArn::parse(
            "arn:aws:ecs:us-east-1:111122223333:task/prod-cluster/4c8d2e1f0a9b47c6b5d3e2f1a0b9c8d7",
        )
        .unwrap();
        assert_eq!(new.cluster.as_deref(), Some("prod-cluster"));
        assert_eq!(new.id, "4c8d2e1f0a9b47c6b5d3e2f1a0b9c8d7");
        let old = TaskArn::parse(
            "arn:aws:ecs:us-east-1:111122223333:task/0b69d5c0-d655-4695-98cd-5d2d526d9d5a",
        )
        .unwrap();
        assert_eq!(old.cluster, None);
        for bad in [
            "arn:aws:ecs:us-east-1:111122223333:task/c/../x",
            "arn:aws:ecs:us-east-1:111122223333:task/c/",
            "arn:aws:ecs:us-east-1:111122223333:service/c/s",
            "arn:aws:ecs:us-east-1:111122223333:task/c/a b",
        ] {
            assert!(TaskArn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn service_arns_in_both_formats() {
        let new =
            ServiceArn::parse("arn:aws:ecs:us-west-2:111122223333:service/default/servicetest")
                .unwrap();
        assert_eq!(new.partition, Partition::Aws);
        assert_eq!(new.cluster.as_deref(), Some("default"));
        assert_eq!(new.service, "servicetest");

        let old = ServiceArn::parse("arn:aws-cn:ecs:cn-north-1:111122223333:service/web").unwrap();
        assert_eq!(old.partition, Partition::AwsCn);
        assert_eq!(old.cluster, None);
        assert_eq!(old.service, "web");

        let gov = ServiceArn::parse("arn:aws-us-gov:ecs:us-gov-west-1:111122223333:service/c/s");
        assert_eq!(gov.unwrap().partition, Partition::AwsUsGov);
        let iso = ServiceArn::parse("arn:aws-iso:ecs:us-iso-east-1:111122223333:service/c/s");
        assert_eq!(iso.unwrap().partition, Partition::Other);
    }

    #[test]
    fn other_arns_are_rejected() {
        for bad in [
            "",
            "servicetest",
            "arn:aws:ecs:us-west-2:111122223333:cluster/default",
            "arn:aws:ecs:us-west-2:111122223333:task/default/abc",
            "arn:aws:lambda:us-west-2:111122223333:function:f",
            "arn:aws:ecs:us-west-2:111122223333:service/a/b/c",
            "arn:aws:ecs:us-west-2:111122223333:service/",
            "arn:aws:ecs:us-west-2:111122223333:service/c/",
            "arn:gcp:ecs:us-west-2:111122223333:service/c/s",
        ] {
            assert!(ServiceArn::parse(bad).is_err(), "{bad}");
        }
        let long = format!(
            "arn:aws:ecs:us-west-2:111122223333:service/c/{}",
            "s".repeat(256)
        );
        assert!(ServiceArn::parse(&long).is_err());
    }

    #[test]
    fn service_deployment_arns_name_their_service_and_are_safe_to_copy() {
        let arn = "arn:aws:ecs:us-west-2:123456789012:service-deployment/prod/checkout/Fq7d2x-9_a";
        let parsed = ServiceDeploymentArn::parse(arn).unwrap();
        assert_eq!(parsed.arn, arn);
        assert_eq!(parsed.service.cluster.as_deref(), Some("prod"));
        assert_eq!(parsed.service.service, "checkout");
        assert_eq!(parsed.service.partition, Partition::Aws);
        for bad in [
            "arn:aws:ecs:us-west-2:123456789012:service/prod/checkout",
            "arn:aws:ecs:us-west-2:123456789012:service-deployment/prod/checkout",
            "arn:aws:ecs:us-west-2:123456789012:service-deployment/prod/checkout/a/b",
            "arn:aws:ecs:us-west-2:123456789012:service-deployment/prod/check out/x",
            "arn:aws:ecs:us-west-2:123456789012:service-deployment/prod/c;rm -rf/x",
            "arn:aws:ecs:us-west-2:123456789012:service-deployment/prod/$(id)/x",
            "arn:aws:ecs:us-west-2:123456789012:service-deployment//checkout/x",
            "arn:aws:ecs:US-WEST-2:123456789012:service-deployment/prod/checkout/x",
            "arn:aws:ecs:us-west-2:12345:service-deployment/prod/checkout/x",
            "arn:aws:ecs:us-west-2:123456789012:service-deployment/prod/checkout/x`y`",
        ] {
            assert!(ServiceDeploymentArn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cluster_arns() {
        let arn = ClusterArn::parse("arn:aws:ecs:us-west-2:111122223333:cluster/default").unwrap();
        assert_eq!(arn.cluster, "default");
        assert!(ClusterArn::parse("arn:aws:ecs:us-west-2:111122223333:service/x").is_err());
    }
}
