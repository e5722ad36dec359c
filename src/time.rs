//! Timestamps as Unix seconds: ECS's RFC 3339 times (read by `humantime`) and HTTP-dates
//! (RFC 9110 §5.6.7, read by `httpdate`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix seconds of an RFC 3339 UTC time such as `2025-11-25T14:57:05.921Z` (fractions
/// dropped; `Z` or `+00:00`, other offsets are not read), or `None`.
pub fn rfc3339(text: &str) -> Option<u64> {
    unix_seconds(humantime::parse_rfc3339(text).ok()?)
}

/// Unix seconds of an HTTP-date: IMF-fixdate, or the obsolete RFC 850 and asctime forms
/// that recipients must also accept (read by `httpdate`); `None` if it is not one.
pub fn http_date(text: &str) -> Option<u64> {
    unix_seconds(httpdate::parse_http_date(text).ok()?)
}

/// A time as a person reads it where Slack cannot show it in their own zone:
/// `2026-03-05 16:04 UTC`.
pub fn utc_minutes(secs: u64) -> String {
    let time = UNIX_EPOCH + Duration::from_secs(secs);
    let text = humantime::format_rfc3339_seconds(time).to_string();
    match (text.get(..10), text.get(11..16)) {
        (Some(date), Some(minutes)) => format!("{date} {minutes} UTC"),
        _ => text,
    }
}

/// Whole seconds since 1970 (both crates read only times from 1970 on).
fn unix_seconds(time: SystemTime) -> Option<u64> {
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 784111777 is 1994-11-06T08:49:37Z, RFC 9110's example in its three forms.
    const EXAMPLE: Option<u64> = Some(784_111_777);

    #[test]
    fn imf_fixdate() {
        assert_eq!(http_date("Sun, 06 Nov 1994 08:49:37 GMT"), EXAMPLE);
        assert_eq!(http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date("Tue, 29 Feb 2028 23:59:59 GMT"),
            Some(1_835_481_599)
        );
    }

    #[test]
    fn obsolete_rfc_850_date() {
        assert_eq!(http_date("Sunday, 06-Nov-94 08:49:37 GMT"), EXAMPLE);
        // httpdate reads two-digit years as 1970 to 2069.
        assert_eq!(http_date("Thursday, 01-Jan-70 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date("Friday, 27-Nov-26 00:02:00 GMT"),
            Some(1_795_737_720)
        );
    }

    #[test]
    fn asctime_date() {
        assert_eq!(http_date("Sun Nov  6 08:49:37 1994"), EXAMPLE);
        assert_eq!(http_date("Fri Nov 27 00:02:00 2026"), Some(1_795_737_720));
    }

    #[test]
    fn what_is_not_an_http_date_is_refused() {
        for bad in [
            "",
            "17",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            // The weekday must be the date's, the date a real one.
            "Mon, 06 Nov 1994 08:49:37 GMT",
            "Tue, 30 Feb 2027 00:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT\u{e9}",
        ] {
            assert_eq!(http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn ecs_timestamps() {
        assert_eq!(rfc3339("1994-11-06T08:49:37Z"), EXAMPLE);
        assert_eq!(rfc3339("2025-11-25T14:57:05.921Z"), Some(1_764_082_625));
        assert_eq!(rfc3339("2025-11-25T14:57:05+00:00"), Some(1_764_082_625));
        assert_eq!(rfc3339("2028-02-29T23:59:59Z"), Some(1_835_481_599));
        // Hook events carry nanoseconds.
        assert_eq!(
            rfc3339("2026-03-05T15:54:41.618059641Z"),
            rfc3339("2026-03-05T15:54:41Z")
        );
        assert_eq!(utc_minutes(1_835_481_599), "2028-02-29 23:59 UTC");
        assert_eq!(utc_minutes(0), "1970-01-01 00:00 UTC");
        for bad in [
            "",
            "2025-11-25",
            "2025-11-25T14:57:05",
            "2025-11-25T14:57:05+01:00",
            "2025-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2025-11-25T24:00:00Z",
            "x-y-zT1:2:3Z",
            "2025-11-25T14:57:05.9x1Z",
            "2025-11-25T14:57:05Z\u{e9}",
        ] {
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
    }
}
