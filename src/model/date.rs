//! Calendar dates (UTC, proleptic Gregorian): `YYYY-MM-DD` text or a count of days since
//! 1970-01-01 in, a [`Date`] that compares, subtracts and prints as `YYYY-MM-DD` out. The
//! runtime table's dates and the day lint checks them on are `Date`s.

use std::fmt;

/// A day, as days since 1970-01-01 (negative before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    /// The date of `year`-`month`-`day`, if that day exists.
    pub fn new(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// `YYYY-MM-DD` (exactly that shape), if it is a real day.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .filter(|d| d.iter().all(u8::is_ascii_digit))
                .and_then(|_| s[r].parse::<u32>().ok())
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::new(i64::from(digits(0..4)?), digits(5..7)?, digits(8..10)?)
    }

    /// The day `secs` seconds after 1970-01-01T00:00:00Z falls on.
    pub fn from_unix_seconds(secs: i64) -> Date {
        Date(secs.div_euclid(86_400))
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.0 - self.0
    }

    /// The date `days` days later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    fn civil(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's `days_from_civil` and `civil_from_days` (public domain algorithms,
// http://howardhinnant.github.io/date_algorithms.html): eras of 400 years, March-based
// years so that the leap day comes last.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_counts_days() {
        let d = Date::parse("2026-12-02").expect("a date");
        assert_eq!(d.to_string(), "2026-12-02");
        assert_eq!(Date::parse("1970-01-01"), Some(Date(0)));
        assert_eq!(
            Date::from_unix_seconds(1_795_000_000).to_string(),
            "2026-11-18"
        );
        assert_eq!(Date::from_unix_seconds(-1).to_string(), "1969-12-31");
        let later = Date::parse("2027-04-30").expect("a date");
        assert_eq!(d.days_until(later), 149);
        assert_eq!(d.plus_days(149), later);
        assert_eq!(
            Date::parse("2028-02-29").map(|d| d.plus_days(1).to_string()),
            Some("2028-03-01".into())
        );
    }

    #[test]
    fn rejects_what_is_not_a_day() {
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "26-01-01",
            "2026-01-01T00",
            "２０２６-01-01",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        let start = Date::parse("1900-01-01").expect("a date");
        for n in 0..146_097 {
            let d = start.plus_days(n);
            assert_eq!(Date::parse(&d.to_string()), Some(d));
        }
    }
}
