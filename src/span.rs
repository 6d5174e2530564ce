//! Durations written in trial and patient files ("3 months", "28 days", a trial's screening
//! window): parsed once, measured back from a date in calendar units.

use chrono::{Months, NaiveDate};

/// A window or minimum duration such as "3 months".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub n: u32,
    pub unit: SpanUnit,
    /// Written `within=screening`: the trial's screening window, a site setting (resolved
    /// when the trial file is loaded, see [`Rule::resolve_screening`]).
    pub screening: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl Span {
    /// The date `self` before `date` (calendar months and years).
    pub fn before(self, date: NaiveDate) -> NaiveDate {
        let back = match self.unit {
            SpanUnit::Days => date.checked_sub_days(chrono::Days::new(u64::from(self.n))),
            SpanUnit::Weeks => date.checked_sub_days(chrono::Days::new(u64::from(self.n) * 7)),
            SpanUnit::Months => date.checked_sub_months(Months::new(self.n)),
            SpanUnit::Years => date.checked_sub_months(Months::new(self.n * 12)),
        };
        back.unwrap_or(NaiveDate::MIN)
    }

    /// Roughly how many days the span holds (months 30.44 days, years 365.25), for comparing
    /// two spans written in different units.
    pub fn approx_days(self) -> f64 {
        let n = f64::from(self.n);
        match self.unit {
            SpanUnit::Days => n,
            SpanUnit::Weeks => n * 7.0,
            SpanUnit::Months => n * 365.25 / 12.0,
            SpanUnit::Years => n * 365.25,
        }
    }

    /// Shorter than [`Span::text`], for lists of missing facts: "the 28-day screening window".
    pub fn short(self) -> String {
        if self.screening {
            format!("the {}-{} screening window", self.n, self.unit_word())
        } else {
            self.text()
        }
    }

    pub fn text(self) -> String {
        if self.screening {
            return format!(
                "{} {}{} (screening window: a site setting, not stated in source)",
                self.n,
                self.unit_word(),
                if self.n == 1 { "" } else { "s" }
            );
        }
        let word = match self.unit {
            SpanUnit::Days => "day",
            SpanUnit::Weeks => "week",
            SpanUnit::Months => "month",
            SpanUnit::Years => "year",
        };
        format!("{} {}{}", self.n, word, if self.n == 1 { "" } else { "s" })
    }

    fn unit_word(self) -> &'static str {
        match self.unit {
            SpanUnit::Days => "day",
            SpanUnit::Weeks => "week",
            SpanUnit::Months => "month",
            SpanUnit::Years => "year",
        }
    }
}

pub fn parse_span(s: &str) -> Option<Span> {
    let mut it = s.split_whitespace();
    let n: u32 = it.next()?.parse().ok()?;
    let unit = match it.next()?.trim_end_matches('s') {
        "day" => SpanUnit::Days,
        "week" => SpanUnit::Weeks,
        "month" => SpanUnit::Months,
        "year" => SpanUnit::Years,
        _ => return None,
    };
    if it.next().is_some() {
        return None;
    }
    Some(Span {
        n,
        unit,
        screening: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_back_calendar_months() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let s = parse_span("1 month").unwrap();
        assert_eq!(s.before(d), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(
            parse_span("2 weeks").unwrap().before(d),
            NaiveDate::from_ymd_opt(2026, 3, 17).unwrap()
        );
        assert_eq!(
            parse_span("1 years").unwrap().before(d),
            NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
        );
        assert!(parse_span("three months").is_none());
    }
}
