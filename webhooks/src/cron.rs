//! Cron schedules exactly as Argo CD parses sync-window schedules: robfig/cron v3 (pinned at
//! `bc59245fe10e`) with the parser flags `Minute | Hour | Dom | Month | Dow`. Five fields, no
//! seconds (always 0), no descriptors; names `JAN`..`DEC` and `SUN`..`SAT`, ranges, lists, steps,
//! `*` and `?`. Error texts are robfig's, so messages built on them match upstream.
//!
//! [`Schedule::next`] ports robfig's `SpecSchedule.Next` on civil (wall-clock) times: Argo always
//! hands it a UTC time shifted by the zone offset, so no time zone (and no DST) is involved here.

use jiff::SignedDuration;
use jiff::civil::{Date, DateTime};

/// Set when a field was `*` or `?` (with no step other than 1), as robfig's `starBit`. It decides
/// whether day-of-month and day-of-week are ANDed or ORed.
const STAR_BIT: u64 = 1 << 63;

/// A field's bounds and names (robfig's `bounds`).
struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[
        ("sun", 0),
        ("mon", 1),
        ("tue", 2),
        ("wed", 3),
        ("thu", 4),
        ("fri", 5),
        ("sat", 6),
    ],
};

/// Why a schedule does not parse. The texts are robfig's, except [`CronError::TimeZonePrefix`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    #[error("empty spec string")]
    Empty,
    /// robfig accepts a `TZ=<zone> ` / `CRON_TZ=<zone> ` prefix whatever the flags, and Argo then
    /// applies its own `timeZone` shift on top, so the zone counts twice. Upstream behaviour is
    /// effectively undefined; we reject the prefix rather than reproduce it.
    #[error("time zone prefix is not supported, use the window's timeZone instead: {0}")]
    TimeZonePrefix(String),
    #[error("parser does not accept descriptors: {0}")]
    Descriptor(String),
    #[error("expected exactly 5 fields, found {}: [{}]", .0.len(), .0.join(" "))]
    FieldCount(Vec<String>),
    #[error("too many hyphens: {0}")]
    TooManyHyphens(String),
    #[error("too many slashes: {0}")]
    TooManySlashes(String),
    /// `strconv.Atoi` failed; `reason` is Go's ("invalid syntax" or "value out of range").
    #[error("failed to parse int from {expr}: strconv.Atoi: parsing {expr:?}: {reason}")]
    ParseInt { expr: String, reason: &'static str },
    #[error("negative number ({num}) not allowed: {expr}")]
    Negative { num: i64, expr: String },
    #[error("beginning of range ({start}) below minimum ({min}): {expr}")]
    BelowMinimum { start: u64, min: u64, expr: String },
    #[error("end of range ({end}) above maximum ({max}): {expr}")]
    AboveMaximum { end: u64, max: u64, expr: String },
    #[error("beginning of range ({start}) beyond end of range ({end}): {expr}")]
    StartBeyondEnd { start: u64, end: u64, expr: String },
    #[error("step of range should be a positive number: {0}")]
    ZeroStep(String),
    #[error("provided bad location {zone}: {reason}")]
    BadLocation { zone: String, reason: String },
    #[error("failed to parse duration {spec}: {reason}")]
    EveryDuration { spec: String, reason: String },
    #[error("unrecognized descriptor: {0}")]
    UnknownDescriptor(String),
}

/// A parsed schedule: one bitset per field, as robfig's `SpecSchedule` (seconds are always 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
}

impl Schedule {
    /// Parses a five-field spec the way `cron.NewParser(Minute|Hour|Dom|Month|Dow).Parse` does.
    pub fn parse(spec: &str) -> Result<Schedule, CronError> {
        if spec.is_empty() {
            return Err(CronError::Empty);
        }
        if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
            return Err(CronError::TimeZonePrefix(spec.to_string()));
        }
        // robfig tests the raw spec, so " @daily" is a one-field spec, not a descriptor.
        if spec.starts_with('@') {
            return Err(CronError::Descriptor(spec.to_string()));
        }
        let fields: Vec<&str> = spec.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(CronError::FieldCount(
                fields.iter().map(|f| f.to_string()).collect(),
            ));
        }
        Ok(Schedule {
            minute: get_field(fields[0], &MINUTES)?,
            hour: get_field(fields[1], &HOURS)?,
            dom: get_field(fields[2], &DOM)?,
            month: get_field(fields[3], &MONTHS)?,
            dow: get_field(fields[4], &DOW)?,
        })
    }

    /// Checks a spec the way `cron.ParseStandard` accepts it (Argo Workflows' CronWorkflow
    /// schedules and Argo Events' sensor resets): five fields as [`Schedule::parse`], or a
    /// descriptor (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`,
    /// `@hourly`, `@every <Go duration>`), optionally after a `TZ=<zone> ` / `CRON_TZ=<zone> `
    /// prefix naming a known zone. The schedule itself is evaluated by those controllers.
    pub fn check_standard(spec: &str) -> Result<(), CronError> {
        let mut rest = spec;
        if rest.starts_with("TZ=") || rest.starts_with("CRON_TZ=") {
            let (prefix, after) = rest.split_once(' ').unwrap_or((rest, ""));
            let zone = prefix.split_once('=').map_or("", |(_, z)| z);
            jiff::tz::TimeZone::get(zone).map_err(|e| CronError::BadLocation {
                zone: zone.to_string(),
                reason: e.to_string(),
            })?;
            rest = after.trim();
        }
        if let Some(descriptor) = rest.strip_prefix('@') {
            return match descriptor {
                "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                    Ok(())
                }
                _ => match descriptor.strip_prefix("every ") {
                    Some(d) => crate::windows::parse_go_duration(d.trim())
                        .map(|_| ())
                        .map_err(|reason| CronError::EveryDuration {
                            spec: rest.to_string(),
                            reason,
                        }),
                    None => Err(CronError::UnknownDescriptor(rest.to_string())),
                },
            };
        }
        Schedule::parse(rest).map(|_| ())
    }

    /// The first fire time strictly after `after` (fire times have zero seconds), or `None` when
    /// nothing fires within five years, where robfig returns the zero time (Argo then treats
    /// the window as permanently active). Sub-second precision of `after` is dropped first, as
    /// robfig starts from "the upcoming second".
    pub fn next(&self, after: DateTime) -> Option<DateTime> {
        let mut t = after
            .with()
            .subsec_nanosecond(0)
            .build()
            .ok()?
            .checked_add(SignedDuration::from_secs(1))
            .ok()?;
        // Whether a field has been moved forward; the first move resets the smaller fields.
        let mut added = false;
        let year_limit = t.year() + 5;

        'wrap: loop {
            if t.year() > year_limit {
                return None;
            }

            while bit(t.month() as u64) & self.month == 0 {
                if !added {
                    added = true;
                    t = DateTime::new(t.year(), t.month(), 1, 0, 0, 0, 0).ok()?;
                }
                t = add_months(t, 1)?;
                if t.month() == 1 {
                    continue 'wrap;
                }
            }

            while !self.day_matches(t) {
                if !added {
                    added = true;
                    t = t.date().to_datetime(jiff::civil::Time::midnight());
                }
                t = t.checked_add(SignedDuration::from_hours(24)).ok()?;
                if t.day() == 1 {
                    continue 'wrap;
                }
            }

            while bit(t.hour() as u64) & self.hour == 0 {
                if !added {
                    added = true;
                    t = t
                        .with()
                        .minute(0)
                        .second(0)
                        .subsec_nanosecond(0)
                        .build()
                        .ok()?;
                }
                t = t.checked_add(SignedDuration::from_hours(1)).ok()?;
                if t.hour() == 0 {
                    continue 'wrap;
                }
            }

            while bit(t.minute() as u64) & self.minute == 0 {
                if !added {
                    added = true;
                    t = t.with().second(0).subsec_nanosecond(0).build().ok()?;
                }
                t = t.checked_add(SignedDuration::from_mins(1)).ok()?;
                if t.minute() == 0 {
                    continue 'wrap;
                }
            }

            // The seconds field is always exactly {0}.
            while t.second() != 0 {
                if !added {
                    added = true;
                    t = t.with().subsec_nanosecond(0).build().ok()?;
                }
                t = t.checked_add(SignedDuration::from_secs(1)).ok()?;
                if t.second() == 0 {
                    continue 'wrap;
                }
            }

            return Some(t);
        }
    }

    /// robfig's `dayMatches`: if either day field was `*`/`?` both must match, else either.
    fn day_matches(&self, t: DateTime) -> bool {
        let dom_match = bit(t.day() as u64) & self.dom != 0;
        let dow_match = bit(t.weekday().to_sunday_zero_offset() as u64) & self.dow != 0;
        if self.dom & STAR_BIT != 0 || self.dow & STAR_BIT != 0 {
            dom_match && dow_match
        } else {
            dom_match || dow_match
        }
    }
}

fn bit(n: u64) -> u64 {
    1u64 << n
}

/// Go's `AddDate(0, months, 0)`: the day is kept and overflow normalises into the next month.
fn add_months(t: DateTime, months: i32) -> Option<DateTime> {
    let total = t.year() as i32 * 12 + (t.month() as i32 - 1) + months;
    let year = i16::try_from(total.div_euclid(12)).ok()?;
    let month = (total.rem_euclid(12) + 1) as i8;
    let first = Date::new(year, month, 1).ok()?;
    let date = first
        .checked_add(jiff::Span::new().days(i64::from(t.day()) - 1))
        .ok()?;
    Some(date.to_datetime(t.time()))
}

/// robfig's `getField`: a comma-separated list of ranges (empty items are skipped, so `,` alone
/// parses to an empty set that never fires).
fn get_field(field: &str, r: &Bounds) -> Result<u64, CronError> {
    let mut bits = 0;
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        bits |= get_range(expr, r)?;
    }
    Ok(bits)
}

/// robfig's `getRange`: `number | number "-" number [ "/" number ]`, `*`, `?`, with names.
fn get_range(expr: &str, r: &Bounds) -> Result<u64, CronError> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single_digit = low_and_high.len() == 1;

    let (start, mut end);
    let mut extra = 0;
    // As robfig: a leading `*`/`?` takes the whole range and ignores anything after a hyphen.
    if low_and_high[0] == "*" || low_and_high[0] == "?" {
        start = r.min;
        end = r.max;
        extra = STAR_BIT;
    } else {
        start = parse_int_or_name(low_and_high[0], r)?;
        end = match low_and_high.len() {
            1 => start,
            2 => parse_int_or_name(low_and_high[1], r)?,
            _ => return Err(CronError::TooManyHyphens(expr.to_string())),
        };
    }

    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1])?;
            // "N/step" means "N-max/step".
            if single_digit {
                end = r.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(CronError::TooManySlashes(expr.to_string())),
    };

    if start < r.min {
        return Err(CronError::BelowMinimum {
            start,
            min: r.min,
            expr: expr.to_string(),
        });
    }
    if end > r.max {
        return Err(CronError::AboveMaximum {
            end,
            max: r.max,
            expr: expr.to_string(),
        });
    }
    if start > end {
        return Err(CronError::StartBeyondEnd {
            start,
            end,
            expr: expr.to_string(),
        });
    }
    if step == 0 {
        return Err(CronError::ZeroStep(expr.to_string()));
    }

    let mut bits = 0;
    let mut i = start;
    while i <= end {
        bits |= bit(i);
        i += step;
    }
    Ok(bits | extra)
}

fn parse_int_or_name(expr: &str, r: &Bounds) -> Result<u64, CronError> {
    let lower = expr.to_ascii_lowercase();
    if let Some((_, n)) = r.names.iter().find(|(name, _)| *name == lower) {
        return Ok(*n);
    }
    must_parse_int(expr)
}

/// robfig's `mustParseInt` over Go's `strconv.Atoi` (optional sign, decimal digits, int64).
fn must_parse_int(expr: &str) -> Result<u64, CronError> {
    let num: i64 = expr.parse().map_err(|e: std::num::ParseIntError| {
        let reason = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "value out of range"
            }
            _ => "invalid syntax",
        };
        CronError::ParseInt {
            expr: expr.to_string(),
            reason,
        }
    })?;
    if num < 0 {
        return Err(CronError::Negative {
            num,
            expr: expr.to_string(),
        });
    }
    Ok(num as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn dt(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> DateTime {
        date(y, mo, d).at(h, mi, 0, 0)
    }

    fn next(spec: &str, after: DateTime) -> Option<DateTime> {
        Schedule::parse(spec).unwrap().next(after)
    }

    fn err(spec: &str) -> String {
        Schedule::parse(spec).unwrap_err().to_string()
    }

    #[test]
    fn parses_standard_forms() {
        for spec in [
            "* * * * *",
            "0 9 * * MON-FRI",
            "*/15 0-6,22-23 1,15 jan-Jun/2 ?",
            "30 2 * * sun",
            "0 0 1 1 *",
            "5/10 * * * *",
            "0   9  *  *  *",
        ] {
            assert!(Schedule::parse(spec).is_ok(), "{spec}");
        }
    }

    #[test]
    fn field_count_errors_name_the_fields() {
        assert_eq!(
            err("0 0 9 * * *"),
            "expected exactly 5 fields, found 6: [0 0 9 * * *]"
        );
        assert_eq!(err("0 9 *"), "expected exactly 5 fields, found 3: [0 9 *]");
        assert_eq!(err("   "), "expected exactly 5 fields, found 0: []");
        assert_eq!(err(""), "empty spec string");
    }

    #[test]
    fn standard_specs_take_descriptors_and_zones() {
        for ok in [
            "@daily",
            "@every 1h30m",
            "CRON_TZ=America/New_York 0 9 * * 1-5",
            "TZ=UTC @hourly",
            "*/5 * * * *",
        ] {
            assert_eq!(Schedule::check_standard(ok), Ok(()), "{ok}");
        }
        let err = |s: &str| Schedule::check_standard(s).unwrap_err().to_string();
        assert_eq!(err("@fortnightly"), "unrecognized descriptor: @fortnightly");
        assert!(
            err("@every 1d").starts_with("failed to parse duration @every 1d: time: unknown unit")
        );
        assert!(err("TZ=Mars/Olympus 0 * * * *").starts_with("provided bad location Mars/Olympus"));
        assert!(err("0 * * *").starts_with("expected exactly 5 fields"));
    }

    #[test]
    fn descriptors_and_zone_prefixes_are_rejected() {
        assert_eq!(err("@daily"), "parser does not accept descriptors: @daily");
        assert_eq!(
            err("@every 1h"),
            "parser does not accept descriptors: @every 1h"
        );
        assert!(matches!(
            Schedule::parse("TZ=Europe/Paris 0 9 * * *"),
            Err(CronError::TimeZonePrefix(_))
        ));
        assert!(matches!(
            Schedule::parse("CRON_TZ=UTC 0 9 * * *"),
            Err(CronError::TimeZonePrefix(_))
        ));
    }

    #[test]
    fn range_errors_use_robfig_texts() {
        assert_eq!(
            err("60 * * * *"),
            "end of range (60) above maximum (59): 60"
        );
        assert_eq!(
            err("0 0 0 * *"),
            "beginning of range (0) below minimum (1): 0"
        );
        assert_eq!(err("0 0 * * 7"), "end of range (7) above maximum (6): 7");
        assert_eq!(
            err("5-1 * * * *"),
            "beginning of range (5) beyond end of range (1): 5-1"
        );
        assert_eq!(
            err("*/0 * * * *"),
            "step of range should be a positive number: */0"
        );
        assert_eq!(err("1-2-3 * * * *"), "too many hyphens: 1-2-3");
        assert_eq!(err("*/2/3 * * * *"), "too many slashes: */2/3");
        assert_eq!(
            err("x * * * *"),
            "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            err("0 0 * FOO *"),
            "failed to parse int from FOO: strconv.Atoi: parsing \"FOO\": invalid syntax"
        );
        assert_eq!(err("*/-1 * * * *"), "negative number (-1) not allowed: -1");
        assert_eq!(
            err("99999999999999999999 * * * *"),
            "failed to parse int from 99999999999999999999: strconv.Atoi: parsing \
             \"99999999999999999999\": value out of range"
        );
    }

    #[test]
    fn next_is_strictly_after() {
        let s = "0 9 * * *";
        assert_eq!(next(s, dt(2025, 3, 10, 8, 0)), Some(dt(2025, 3, 10, 9, 0)));
        assert_eq!(next(s, dt(2025, 3, 10, 9, 0)), Some(dt(2025, 3, 11, 9, 0)));
        // A fraction of a second before the fire still finds it.
        let just_before = dt(2025, 3, 10, 8, 59).with().second(59).build().unwrap();
        assert_eq!(next(s, just_before), Some(dt(2025, 3, 10, 9, 0)));
    }

    #[test]
    fn next_steps_ranges_and_names() {
        let t = dt(2025, 3, 10, 8, 7); // a Monday
        assert_eq!(next("*/15 * * * *", t), Some(dt(2025, 3, 10, 8, 15)));
        assert_eq!(next("10-40/20 * * * *", t), Some(dt(2025, 3, 10, 8, 10)));
        assert_eq!(
            next("10-40/20 * * * *", dt(2025, 3, 10, 8, 10)),
            Some(dt(2025, 3, 10, 8, 30))
        );
        // "N/step" runs to the maximum.
        assert_eq!(
            next("50/5 * * * *", dt(2025, 3, 10, 8, 56)),
            Some(dt(2025, 3, 10, 9, 50))
        );
        assert_eq!(next("0 22 * * SAT", t), Some(dt(2025, 3, 15, 22, 0)));
        assert_eq!(next("0 0 1 JUN *", t), Some(dt(2025, 6, 1, 0, 0)));
        assert_eq!(next("0 0 1 feb *", t), Some(dt(2026, 2, 1, 0, 0)));
        assert_eq!(
            next("0 9 * * mon-fri", dt(2025, 3, 14, 10, 0)),
            Some(dt(2025, 3, 17, 9, 0))
        );
    }

    #[test]
    fn day_of_month_and_week_or_rule() {
        // Both restricted: either matches. 2025-03-10 is a Monday; the 13th is a Thursday.
        let from = dt(2025, 3, 10, 12, 0);
        assert_eq!(next("0 0 13 * FRI", from), Some(dt(2025, 3, 13, 0, 0)));
        assert_eq!(
            next("0 0 13 * FRI", dt(2025, 3, 13, 12, 0)),
            Some(dt(2025, 3, 14, 0, 0))
        );
        // One field is a star: both must match, and the star matches every day.
        assert_eq!(next("0 0 13 * *", from), Some(dt(2025, 3, 13, 0, 0)));
        assert_eq!(next("0 0 * * FRI", from), Some(dt(2025, 3, 14, 0, 0)));
        // `*/1` keeps the star bit, `*/2` drops it, as in robfig.
        assert_eq!(next("0 0 */1 * FRI", from), Some(dt(2025, 3, 14, 0, 0)));
        assert_eq!(next("0 0 */2 * FRI", from), Some(dt(2025, 3, 11, 0, 0)));
    }

    #[test]
    fn impossible_schedules_have_no_next() {
        assert_eq!(next("0 0 30 2 *", dt(2025, 1, 1, 0, 0)), None);
        assert_eq!(next("0 0 31 4,6,9,11 *", dt(2025, 1, 1, 0, 0)), None);
        // A field of only commas parses to an empty set.
        assert_eq!(next(", * * * *", dt(2025, 1, 1, 0, 0)), None);
        // Feb 29 is possible within five years.
        assert_eq!(
            next("0 0 29 2 *", dt(2025, 1, 1, 0, 0)),
            Some(dt(2028, 2, 29, 0, 0))
        );
    }

    #[test]
    fn month_end_and_year_wrap() {
        assert_eq!(
            next("0 0 31 * *", dt(2025, 4, 1, 0, 0)),
            Some(dt(2025, 5, 31, 0, 0))
        );
        assert_eq!(
            next("59 23 31 12 *", dt(2025, 12, 31, 23, 59)),
            Some(dt(2026, 12, 31, 23, 59))
        );
    }
}
