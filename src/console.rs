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
    let mut url = console_base(partition, region)?;
    url.push_str("/ecs/v2/clusters");
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

/// The region's CloudWatch alarms page; `None` where the partition has no public console.
pub fn alarms_url(partition: Partition, region: &Region) -> Option<String> {
    let mut url = console_base(partition, region)?;
    url.push_str("/cloudwatch/home?region=");
    url.push_str(region.as_str());
    url.push_str("#alarmsV2:");
    Some(url)
}

/// A task's tab in the ECS console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskTab {
    /// Its task definition, containers, exit codes and reasons.
    Configuration,
    /// Its containers' logs (what the task definition's log configuration sends to CloudWatch).
    Logs,
}

/// A task's tab; `None` where the partition has no public console.
pub fn task_url(
    partition: Partition,
    region: &Region,
    cluster: &str,
    task_id: &str,
    tab: TaskTab,
) -> Option<String> {
    let mut url = console_base(partition, region)?;
    url.push_str("/ecs/v2/clusters/");
    url.extend(utf8_percent_encode(cluster, PATH_SEGMENT));
    url.push_str("/tasks/");
    url.extend(utf8_percent_encode(task_id, PATH_SEGMENT));
    url.push_str(match tab {
        TaskTab::Configuration => "/configuration?region=",
        TaskTab::Logs => "/logs?region=",
    });
    url.push_str(region.as_str());
    Some(url)
}

/// A log stream in the CloudWatch console, its events from `window` (epoch milliseconds, start
/// and end) when given; `None` where the partition has no public console. The console keeps
/// the place in its URL fragment, each part URL-encoded twice and every `%` then written as `$`
/// (`/` becomes `$252F`), its query likewise (`?start=` becomes `$3Fstart$3D`).
pub fn log_stream_url(
    partition: Partition,
    region: &Region,
    group: &str,
    stream: &str,
    window: Option<(u64, u64)>,
) -> Option<String> {
    let mut url = console_base(partition, region)?;
    url.push_str("/cloudwatch/home?region=");
    url.push_str(region.as_str());
    url.push_str("#logsV2:log-groups/log-group/");
    push_fragment_part(&mut url, group);
    url.push_str("/log-events/");
    push_fragment_part(&mut url, stream);
    if let Some((start, end)) = window {
        url.push_str(&format!("$3Fstart$3D{start}$26end$3D{end}"));
    }
    Some(url)
}

/// `text` as the CloudWatch console writes it in its fragment.
fn push_fragment_part(url: &mut String, text: &str) {
    // RFC 3986's unreserved characters stay; everything else is encoded, `(` and `)` too.
    let once = utf8_percent_encode(text, PATH_SEGMENT).to_string();
    let twice = utf8_percent_encode(&once, PATH_SEGMENT).to_string();
    url.push_str(&twice.replace('%', "$"));
}

/// `https://CONSOLE-HOST` for the partition and region.
fn console_base(partition: Partition, region: &Region) -> Option<String> {
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
    fn alarm_pages_per_partition() {
        let alarms = |partition, region| alarms_url(partition, &Region::parse(region).unwrap());
        assert_eq!(
            alarms(Partition::Aws, "us-west-2").as_deref(),
            Some(
                "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#alarmsV2:"
            )
        );
        assert_eq!(
            alarms(Partition::AwsCn, "cn-north-1").as_deref(),
            Some(
                "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:"
            )
        );
        assert_eq!(
            alarms(Partition::AwsUsGov, "us-gov-west-1").as_deref(),
            Some(
                "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:"
            )
        );
        assert_eq!(alarms(Partition::Other, "us-iso-east-1"), None);
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
        for (tab, path) in [
            (TaskTab::Configuration, "configuration"),
            (TaskTab::Logs, "logs"),
        ] {
            assert_eq!(
                task_url(Partition::Aws, &region, "prod-cluster", "4c8d", tab),
                Some(format!(
                    "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod-cluster/tasks/4c8d/{path}?region=us-east-1"
                ))
            );
        }
        let gov = Region::parse("us-gov-west-1").unwrap();
        assert!(
            task_url(Partition::AwsUsGov, &gov, "c d", "t", TaskTab::Logs)
                .unwrap()
                .starts_with(
                    "https://console.amazonaws-us-gov.com/ecs/v2/clusters/c%20d/tasks/t/logs?"
                )
        );
        assert_eq!(
            task_url(Partition::Other, &region, "c", "t", TaskTab::Logs),
            None
        );
    }

    /// Known-good links from public link builders' own tests: the `cloudwatch_logs_url` crate
    /// (sinofseven/cloudwatch_logs_url, src/lib.rs) and AllenInstitute/aibs-informatics-aws-utils
    /// (test/aibs_informatics_aws_utils/test_logs.py).
    #[test]
    fn log_stream_links_match_known_good_ones() {
        let tokyo = Region::parse("ap-northeast-1").unwrap();
        assert_eq!(
            log_stream_url(
                Partition::Aws,
                &tokyo,
                "/aws/lambda/luciferous-devio-index-cl-FunctionCheckIndividualS-qNWf7JYCZBBM",
                "2024/06/30/[39]3ca88f3a2fff4810b2de52cf027d0a40",
                Some((1_719_759_600_000, 1_722_437_999_000)),
            )
            .as_deref(),
            Some(
                "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fluciferous-devio-index-cl-FunctionCheckIndividualS-qNWf7JYCZBBM/log-events/2024$252F06$252F30$252F$255B39$255D3ca88f3a2fff4810b2de52cf027d0a40$3Fstart$3D1719759600000$26end$3D1722437999000"
            )
        );
        let oregon = Region::parse("us-west-2").unwrap();
        assert_eq!(
            log_stream_url(
                Partition::Aws,
                &oregon,
                "/aws/batch/job",
                "weird-_)(name",
                None
            )
            .as_deref(),
            Some(
                "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fjob/log-events/weird-_$2529$2528name"
            )
        );
    }

    #[test]
    fn log_stream_links_per_partition_and_odd_names_round_trip() {
        let cn = Region::parse("cn-north-1").unwrap();
        let gov = Region::parse("us-gov-west-1").unwrap();
        assert!(
            log_stream_url(Partition::AwsCn, &cn, "/ecs/a", "ecs/app/t", None)
                .unwrap()
                .starts_with("https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#logsV2:")
        );
        assert!(
            log_stream_url(Partition::AwsUsGov, &gov, "/ecs/a", "ecs/app/t", None)
                .unwrap()
                .starts_with("https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#logsV2:")
        );
        assert_eq!(log_stream_url(Partition::Other, &gov, "g", "s", None), None);
        // Decoding what the console decodes gives the names back, whatever they hold.
        let region = Region::parse("eu-west-1").unwrap();
        for (group, stream) in [
            ("/ecs/my service#1", "ecs/app $5/abc"),
            ("a/b#c$d", "p/c%20d/t?x=1&y"),
            ("/ecs/émoji", "ecs/ƒ/⚠"),
        ] {
            let url = log_stream_url(Partition::Aws, &region, group, stream, Some((1, 2))).unwrap();
            let fragment = url.split_once("#logsV2:log-groups/log-group/").unwrap().1;
            let decode = |part: &str| {
                let once = part.replace('$', "%");
                let once = percent_encoding::percent_decode_str(&once)
                    .decode_utf8()
                    .unwrap();
                percent_encoding::percent_decode_str(&once)
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            };
            let (encoded_group, rest) = fragment.split_once("/log-events/").unwrap();
            let (encoded_stream, query) = rest.split_once("$3F").unwrap();
            assert_eq!(decode(encoded_group), group);
            assert_eq!(decode(encoded_stream), stream);
            assert_eq!(query, "start$3D1$26end$3D2");
            assert!(
                !encoded_group.contains(['/', '#', ' ', '%'])
                    && !encoded_stream.contains(['/', '#', ' ', '%', '?', '&']),
                "{url}"
            );
        }
    }

    #[test]
    fn unknown_cluster_links_to_the_cluster_list() {
        assert_eq!(
            url(Partition::Aws, "us-east-1", None, "s").as_deref(),
            Some("https://us-east-1.console.aws.amazon.com/ecs/v2/clusters?region=us-east-1")
        );
    }
}
