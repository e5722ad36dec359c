//! Where a task's logs go: the `log_groups` setting, `FAMILY=LOG_GROUP[:STREAM_PREFIX];…`. The
//! task state change event does not carry the task definition's log configuration, so the
//! `awslogs` group and stream prefix of each task definition family come from here (`*` for
//! any other family). With them, a cause links its container's log stream itself.

/// The log group (and `awslogs-stream-prefix`) of each task definition family.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogGroups {
    /// Families and where their logs go, in the order given.
    families: Vec<(String, LogTarget)>,
    /// Where the logs of any other family go (`*`).
    default: Option<LogTarget>,
}

/// A CloudWatch Logs group, and the stream prefix its `awslogs` containers use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTarget {
    /// The log group.
    pub group: String,
    /// `awslogs-stream-prefix`; without it, stream names are not predictable.
    pub prefix: Option<String>,
}

impl LogGroups {
    /// Parses `FAMILY=LOG_GROUP[:STREAM_PREFIX]` entries separated by `;`; the reason never
    /// quotes more than the entry's position.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut groups = Self::default();
        for (i, entry) in text.split(';').map(str::trim).enumerate() {
            if entry.is_empty() {
                continue;
            }
            let n = i + 1;
            let (family, target) = entry
                .split_once('=')
                .ok_or_else(|| format!("entry {n} is not FAMILY=LOG_GROUP[:STREAM_PREFIX]"))?;
            let (group, prefix) = match target.trim().split_once(':') {
                Some((group, prefix)) => (group, Some(prefix)),
                None => (target.trim(), None),
            };
            let target = LogTarget {
                group: checked(group, is_group_char, 512)
                    .ok_or_else(|| format!("entry {n}: the log group is not a valid name"))?,
                prefix: prefix
                    .map(|prefix| {
                        checked(prefix, |c| c != ':' && c != '*', 512)
                            .ok_or_else(|| format!("entry {n}: the stream prefix is not valid"))
                    })
                    .transpose()?,
            };
            match family.trim() {
                "*" if groups.default.is_none() => groups.default = Some(target),
                "*" => return Err(format!("entry {n}: `*` is given twice")),
                family => {
                    let family = checked(family, is_family_char, 255).ok_or_else(|| {
                        format!("entry {n}: the family is not a task definition family or `*`")
                    })?;
                    if groups.families.iter().any(|(known, _)| *known == family) {
                        return Err(format!("entry {n}: the family is given twice"));
                    }
                    groups.families.push((family, target));
                }
            }
        }
        Ok(groups)
    }

    /// Where the logs of the task definition `family:revision` (or `family`) go.
    pub fn for_task_definition(&self, task_definition: &str) -> Option<&LogTarget> {
        let family = task_definition
            .rsplit_once(':')
            .map_or(task_definition, |(family, _)| family);
        self.families
            .iter()
            .find(|(known, _)| known == family)
            .map(|(_, target)| target)
            .or(self.default.as_ref())
    }
}

impl LogTarget {
    /// The `awslogs` stream of `container` in task `task_id`: `PREFIX/CONTAINER/TASK_ID`.
    pub fn stream(&self, container: &str, task_id: &str) -> Option<String> {
        let prefix = self.prefix.as_deref()?;
        Some(format!("{prefix}/{container}/{task_id}"))
    }
}

/// `text` when it is 1 to `max` characters that all pass `allowed`.
fn checked(text: &str, allowed: impl Fn(char) -> bool, max: usize) -> Option<String> {
    let text = text.trim();
    let fits = (1..=max).contains(&text.chars().count()) && text.chars().all(allowed);
    fits.then(|| text.to_owned())
}

/// CloudWatch Logs group names: letters, digits, `_ - / . #`.
fn is_group_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-/.#".contains(c)
}

/// Task definition families: letters, digits, `_ -`.
fn is_family_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_find_their_group_and_others_the_default() {
        let groups =
            LogGroups::parse(" api = /ecs/api:ecs ; worker=/ecs/worker ;*=/ecs/default:svc")
                .unwrap();
        let api = groups.for_task_definition("api:42").unwrap();
        assert_eq!(
            (api.group.as_str(), api.prefix.as_deref()),
            ("/ecs/api", Some("ecs"))
        );
        assert_eq!(api.stream("app", "4c8d").as_deref(), Some("ecs/app/4c8d"));
        let worker = groups.for_task_definition("worker:1").unwrap();
        assert_eq!(worker.stream("app", "t"), None);
        assert_eq!(
            groups.for_task_definition("other:3").unwrap().group,
            "/ecs/default"
        );
        assert_eq!(groups.for_task_definition("api").unwrap().group, "/ecs/api");
        let only = LogGroups::parse("api=/ecs/api:ecs").unwrap();
        assert_eq!(only.for_task_definition("other:1"), None);
        assert_eq!(LogGroups::parse("").unwrap(), LogGroups::default());
    }

    #[test]
    fn invalid_entries_name_their_position() {
        for (text, reason) in [
            ("api", "entry 1 is not"),
            ("api=/ecs/api;worker", "entry 2 is not"),
            ("api=", "entry 1: the log group"),
            ("api=/ecs/a b", "entry 1: the log group"),
            ("api=/ecs/api:a*b", "entry 1: the stream prefix"),
            ("api=/ecs/api:", "entry 1: the stream prefix"),
            ("a:b=/ecs/api", "entry 1: the family"),
            ("*=/a;*=/b", "entry 2: `*` is given twice"),
            ("api=/a;api=/b", "entry 2: the family is given twice"),
        ] {
            let error = LogGroups::parse(text).unwrap_err();
            assert!(error.starts_with(reason), "{text}: {error}");
        }
    }
}
