//! A calendar day in UTC: all "days in phase" needs, without a date crate.

use std::fmt;

use serde::{Serialize, Serializer};

/// A calendar day in UTC, counted from 1970-01-01: all "days in phase" needs, without a date crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    /// The day of a calendar date; `None` for a date that does not exist (2025-02-30).
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        // Howard Hinnant's days_from_civil: years start in March, so the leap day is the last day of a year.
        let (m, d) = (i64::from(month), i64::from(day));
        let y = if m <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let found = Day(era * 146_097 + doe - 719_468);
        // 2025-02-30 lands on 2025-03-02: a date is valid when it comes back unchanged.
        (found.ymd() == (year, month, day)).then_some(found)
    }

    /// Year, month (1–12) and day (1–31).
    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        // Both are in range by construction (1..=31, 1..=12).
        (year, day_u32(month), day_u32(day))
    }

    /// `YYYY-MM-DD`, or an RFC 3339 timestamp (`2025-11-03T13:10:00Z`, `…+01:00`) taken as its UTC day.
    pub fn parse(text: &str) -> Option<Day> {
        let text = text.trim();
        let date = Day::parse_date(text.get(..10)?)?;
        let rest = text.get(10..)?;
        if rest.is_empty() {
            return Some(date);
        }
        let time = rest.strip_prefix(['T', 't', ' '])?;
        let seconds = seconds_of_day(time)?;
        Some(Day(date.0 + seconds.div_euclid(86_400)))
    }

    /// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 timestamp (`2025-11-03T13:10:00Z`, `…+01:00`).
    pub fn unix_seconds(text: &str) -> Option<i64> {
        let text = text.trim();
        let date = Day::parse_date(text.get(..10)?)?;
        let time = text.get(10..)?.strip_prefix(['T', 't', ' '])?;
        Some(date.0 * 86_400 + seconds_of_day(time)?)
    }

    fn parse_date(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(text.get(0..4)?)?;
        let month = digits(text.get(5..7)?)?;
        let day = digits(text.get(8..10)?)?;
        Day::from_ymd(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
    }

    /// Today in UTC, from the system clock (only the command line asks: [`build`] takes the date).
    pub fn today() -> Day {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Day(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Whole days from `earlier` to `self`; negative when `earlier` is later.
    pub fn days_since(self, earlier: Day) -> i64 {
        self.0 - earlier.0
    }

    /// The day `n` days later (earlier for a negative `n`).
    pub fn plus_days(self, n: i64) -> Day {
        Day(self.0 + n)
    }

    /// The calendar quarter: (year, 1–4).
    pub fn quarter(self) -> (i64, u32) {
        let (year, month, _) = self.ymd();
        (year, (month - 1) / 3 + 1)
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u32 {
        day_u32((self.0 + 3).rem_euclid(7))
    }

    /// The ISO 8601 week number: the week belongs to the year its Thursday falls in.
    pub fn iso_week(self) -> u32 {
        let thursday = Day(self.0 - i64::from(self.weekday()) + 3);
        let (year, _, _) = thursday.ymd();
        let first = Day::from_ymd(year, 1, 1).map_or(thursday.0, |d| d.0);
        day_u32((thursday.0 - first) / 7 + 1)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn day_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A run of ASCII digits as a number (no sign, no spaces).
fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `HH:MM:SS[.frac](Z|±HH:MM)` → seconds since midnight UTC of the same date (may be negative or over a day).
fn seconds_of_day(time: &str) -> Option<i64> {
    let b = time.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, s) = (
        digits(time.get(0..2)?)?,
        digits(time.get(3..5)?)?,
        digits(time.get(6..8)?)?,
    );
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let s = s.min(59); // a leap second (:60) belongs to the day it ends
    let mut zone = time.get(8..)?;
    if let Some(frac) = zone.strip_prefix('.') {
        zone = frac.trim_start_matches(|c: char| c.is_ascii_digit());
        if zone.len() == frac.len() {
            return None; // a dot with no digits
        }
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = zone.get(1..)?.split_once(':')?;
            let (oh, om) = (digits(oh)?, digits(om)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(h * 3600 + m * 60 + s - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i64, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).expect("a valid date")
    }

    #[test]
    fn days_count_from_1970() {
        assert_eq!(day(1970, 1, 1), Day(0));
        assert_eq!(day(1970, 1, 2), Day(1));
        assert_eq!(day(1969, 12, 31), Day(-1));
        assert_eq!(day(2000, 3, 1).days_since(day(2000, 2, 28)), 2); // 2000 is a leap year
        assert_eq!(day(1900, 3, 1).days_since(day(1900, 2, 28)), 1); // 1900 is not
        assert_eq!(day(2025, 11, 10).days_since(day(2025, 9, 2)), 69);
        assert_eq!(day(2025, 11, 10).to_string(), "2025-11-10");
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let mut expected = day(1900, 1, 1).0;
        for y in 1900..2300 {
            for m in 1..=12 {
                for d in 1..=31 {
                    if let Some(found) = Day::from_ymd(y, m, d) {
                        assert_eq!(found.0, expected, "{y}-{m}-{d}");
                        expected += 1;
                    }
                }
            }
        }
        assert_eq!(expected, day(2300, 1, 1).0);
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(Day::from_ymd(2025, 2, 29), None);
        assert_eq!(Day::from_ymd(2025, 4, 31), None);
        assert_eq!(Day::from_ymd(2025, 13, 1), None);
        assert_eq!(Day::from_ymd(2025, 0, 1), None);
        assert!(Day::from_ymd(2024, 2, 29).is_some());
    }

    #[test]
    fn timestamps_are_read_as_their_utc_day() {
        let p = |s: &str| Day::parse(s).map(|d| d.to_string());
        assert_eq!(p("2025-11-03T13:10:00Z").as_deref(), Some("2025-11-03"));
        assert_eq!(p("2025-11-03").as_deref(), Some("2025-11-03"));
        assert_eq!(p("2025-11-03T13:10:00.123Z").as_deref(), Some("2025-11-03"));
        assert_eq!(
            p("2025-11-03T00:30:00+01:00").as_deref(),
            Some("2025-11-02")
        );
        assert_eq!(
            p("2025-11-03T23:30:00-01:00").as_deref(),
            Some("2025-11-04")
        );
        assert_eq!(p("2025-12-31T23:59:60Z").as_deref(), Some("2025-12-31"));
        for bad in [
            "",
            "yesterday",
            "2025-11-3",
            "2025-02-30T00:00:00Z",
            "2025-11-03T25:00:00Z",
            "2025-11-03T13:10:00",
            "2025-11-03T13:10:00.Z",
            "2025-11-03T13:10:00+0100",
            "2025-11-03X13:10:00Z",
            "+025-11-03",
            "2025-11-03T13:10:00Zjunk",
            "2025-11-0ø",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn weekdays_and_iso_weeks() {
        assert_eq!(day(2025, 11, 10).weekday(), 0); // a Monday
        assert_eq!(day(2025, 11, 16).weekday(), 6);
        assert_eq!(day(2025, 11, 10).iso_week(), 46);
        assert_eq!(day(2021, 1, 3).iso_week(), 53); // belongs to 2020's last week
        assert_eq!(day(2024, 12, 30).iso_week(), 1); // belongs to 2025's first week
        assert_eq!(day(2026, 1, 1).iso_week(), 1);
    }
}
