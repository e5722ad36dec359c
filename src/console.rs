//! Direct links into the AWS console, for each partition's console host.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::aws::{Partition, Region};

/// Characters left as they are in a path segment: RFC 3986's unreserved set.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The service's Deployments tab; the cluster list when the cluster is not known; `None`
/// where the partition has no public console.
pub fn deployments_url(
    partition: Partition,
    region: &Region,
    cluster: Option<&str>,
    service: &str,
) -> Option<String> {
    let mut url = ecs_base(partition, region)?;
    if let Some(cluster) = cluster {
        url.push('/');
        url.extend(utf8_percent_encode(cluster, PATH_SEGMENT));
        url.push_str("/services/");
        url.extend(utf8_percent_encode(service, PATH_SEGMENT));
        url.push_str("/deployments");
    }
    url.push_str("?region=");
    url.push_str(region.as_str());
    Some(url)
}

/// A task's Configuration tab; `None` where the partition has no public console.
pub fn task_url(
    partition: Partition,
    region: &Region,
    cluster: &str,
    task_id: &str,
) -> Option<String> {
    let mut url = ecs_base(partition, region)?;
    url.push('/');
    url.extend(utf8_percent_encode(cluster, PATH_SEGMENT));
    url.push_str("/tasks/");
    url.extend(utf8_percent_encode(task_id, PATH_SEGMENT));
    url.push_str("/configuration?region=");
    url.push_str(region.as_str());
    Some(url)
}

/// `https://CONSOLE-HOST/ecs/v2/clusters` for the partition.
fn ecs_base(partition: Partition, region: &Region) -> Option<String> {
    let mut url = String::with_capacity(160);
    match partition {
        Partition::Aws | Partition::AwsCn => {
            url.push_str("https://");
            url.push_str(region.as_str());
            url.push_str(match partition {
                Partition::Aws => ".console.aws.amazon.com",
                _ => ".console.amazonaws.cn",
            });
        }
        Partition::AwsUsGov => url.push_str("https://console.amazonaws-us-gov.com"),
        Partition::Other => return None,
    }
    url.push_str("/ecs/v2/clusters");
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(
        partition: Partition,
        region: &str,
        cluster: Option<&str>,
        service: &str,
    ) -> Option<String> {
        deployments_url(partition, &Region::parse(region).unwrap(), cluster, service)
    }

    #[test]
    fn each_partition_has_its_host() {
        assert_eq!(
            url(Partition::Aws, "us-west-2", Some("default"), "servicetest").as_deref(),
            Some(
                "https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/default/services/servicetest/deployments?region=us-west-2"
            )
        );
        assert_eq!(
            url(Partition::AwsCn, "cn-north-1", Some("c"), "s").as_deref(),
            Some(
                "https://cn-north-1.console.amazonaws.cn/ecs/v2/clusters/c/services/s/deployments?region=cn-north-1"
            )
        );
        assert_eq!(
            url(Partition::AwsUsGov, "us-gov-west-1", Some("c"), "s").as_deref(),
            Some(
                "https://console.amazonaws-us-gov.com/ecs/v2/clusters/c/services/s/deployments?region=us-gov-west-1"
            )
        );
        assert_eq!(url(Partition::Other, "us-iso-east-1", Some("c"), "s"), None);
    }

    #[test]
    fn segments_are_encoded() {
        let link = url(Partition::Aws, "eu-west-1", Some("a b?#"), "x&y=<z>").unwrap();
        assert!(
            link.ends_with(
                "/clusters/a%20b%3F%23/services/x%26y%3D%3Cz%3E/deployments?region=eu-west-1"
            ),
            "{link}"
        );
    }

    #[test]
    fn task_links_per_partition() {
        let region = Region::parse("us-east-1").unwrap();
        assert_eq!(
            task_url(Partition::Aws, &region, "prod-cluster", "4c8d").as_deref(),
            Some(
                "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod-cluster/tasks/4c8d/configuration?region=us-east-1"
            )
        );
        let gov = Region::parse("us-gov-west-1").unwrap();
        assert!(
            task_url(Partition::AwsUsGov, &gov, "c d", "t")
                .unwrap()
                .starts_with("https://console.amazonaws-us-gov.com/ecs/v2/clusters/c%20d/tasks/t/")
        );
        assert_eq!(task_url(Partition::Other, &region, "c", "t"), None);
    }

    #[test]
    fn unknown_cluster_links_to_the_cluster_list() {
        assert_eq!(
            url(Partition::Aws, "us-east-1", None, "s").as_deref(),
            Some("https://us-east-1.console.aws.amazon.com/ecs/v2/clusters?region=us-east-1")
        );
    }
}
