//! Timestamps as Unix seconds: ECS's RFC 3339 times and HTTP-dates (RFC 9110 §5.6.7).

use std::time::UNIX_EPOCH;

/// Unix seconds of an RFC 3339 UTC time such as `2025-11-25T14:57:05.921Z` (fractions
/// dropped; offsets other than `Z` are not read), or `None`.
pub fn rfc3339(text: &str) -> Option<u64> {
    let (date, clock) = text.split_once(['T', 't'])?;
    let mut date = date.split('-');
    let (year, month, day) = (date.next()?, date.next()?, date.next()?);
    if date.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let clock = clock.strip_suffix(['Z', 'z'])?;
    let clock = clock.split('.').next()?;
    unix_seconds(
        year.parse().ok()?,
        month.parse().ok()?,
        day.parse().ok()?,
        clock,
    )
}

/// Unix seconds of an HTTP-date: IMF-fixdate, or the obsolete RFC 850 and asctime forms
/// that recipients must also accept (read by `httpdate`); `None` if it is not one.
pub fn http_date(text: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(text).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

/// Unix seconds of a date and an `HH:MM:SS` clock, all checked.
fn unix_seconds(year: u64, month: u64, day: u64, clock: &str) -> Option<u64> {
    let mut parts = clock.split(':').map(|part| part.parse::<u64>().ok());
    let (Some(Some(h)), Some(Some(m)), Some(Some(s)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let valid = (1970..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && h <= 23
        && m <= 59
        && s <= 60;
    valid.then(|| days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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
        assert_eq!(rfc3339("1994-11-06T08:49:37Z"), Some(784_111_777));
        assert_eq!(rfc3339("2025-11-25T14:57:05.921Z"), Some(1_764_082_625));
        for bad in [
            "",
            "2025-11-25",
            "2025-11-25T14:57:05",
            "2025-13-01T00:00:00Z",
            "x-y-zT1:2:3Z",
        ] {
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
    }
}
