//! Every date in a patient file is checked against the as-of date and against 1900: a value
//! dated in the future (an ALT "of 2062" would win as the latest) or before 1900 (a date of
//! birth of 0000-01-01 gives "age 2026") is a problem, and the dated value is not used.

use super::Checker;
use crate::patient::Patient;
use crate::problem::key_pos;
use chrono::NaiveDate;

/// The earliest date a file may hold.
fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

impl Checker<'_> {
    /// Whether `date` may be used; a problem at `offset` otherwise (found only then: a file
    /// without problems is never searched for places).
    fn date_ok(
        &mut self,
        date: NaiveDate,
        as_of: NaiveDate,
        offset: impl FnOnce() -> usize,
        field: &str,
    ) -> bool {
        let why = if date > as_of {
            format!("{date} is after the as-of date {as_of}; not used")
        } else if date < earliest() {
            format!("{date} is before 1900; not used")
        } else {
            return true;
        };
        self.at_offset(offset(), field, why);
        false
    }

    /// Whether an entry dated `date` (the key `key` of the table starting at `table`) may be
    /// kept: undated, or dated usably.
    fn dated(
        &mut self,
        date: Option<NaiveDate>,
        as_of: NaiveDate,
        table: impl FnOnce() -> usize,
        key: &str,
        field: &str,
    ) -> bool {
        let src = self.src;
        match date {
            Some(d) => self.date_ok(d, as_of, || key_pos(src, table(), key), field),
            None => true,
        }
    }

    /// As [`Checker::dated`] for a date the entry stands without: the date alone is dropped.
    fn drop_bad_date(
        &mut self,
        date: &mut Option<NaiveDate>,
        as_of: NaiveDate,
        table: impl FnOnce() -> usize,
        key: &str,
        field: &str,
    ) {
        if !self.dated(*date, as_of, table, key, field) {
            *date = None;
        }
    }
}

/// Drops (and reports) every date after `as_of` or before 1900: a dated result, score or
/// course is left out; the date alone is left out where the entry stands without it (a
/// diagnosis, a condition, the end of a course), so an exclusion never loses its entry.
pub(super) fn check_dates(c: &mut Checker, p: &mut Patient, as_of: NaiveDate) {
    if let Some(dob) = &p.dob
        && !c.date_ok(dob.get_ref().0, as_of, || dob.span().start, "dob")
    {
        p.dob = None;
    }
    for (m, field) in [
        (&mut p.weight, "weight.date"),
        (&mut p.height, "height.date"),
    ] {
        if let Some(s) = m
            && let Some(d) = s.get_ref().date
            && !c.date_ok(d, as_of, || s.span().start, field)
        {
            *m = None;
        }
    }
    if let Some(r) = &mut p.referral {
        let src = c.src;
        let at = || table(src, "[referral]");
        c.drop_bad_date(&mut r.received, as_of, at, "received", "referral.received");
    }
    for d in &mut p.diagnosis {
        let at = d.code.span().start;
        c.drop_bad_date(
            &mut d.diagnosed,
            as_of,
            || at,
            "diagnosed",
            "diagnosis.diagnosed",
        );
    }
    p.score.retain(|s| {
        let at = s.name.span().start;
        c.dated(s.date, as_of, || at, "date", "score.date")
    });
    p.lab.retain(|l| {
        let at = l.span().start;
        c.dated(l.get_ref().date, as_of, || at, "date", "lab.date")
    });
    p.treatment.retain_mut(|t| {
        let at = t.drug.span().start;
        c.drop_bad_date(&mut t.end, as_of, || at, "end", "treatment.end");
        c.dated(t.start, as_of, || at, "start", "treatment.start")
    });
    for k in &mut p.condition {
        let at = k.category.span().start;
        c.drop_bad_date(&mut k.onset, as_of, || at, "onset", "condition.onset");
        c.drop_bad_date(
            &mut k.resolved,
            as_of,
            || at,
            "resolved",
            "condition.resolved",
        );
    }
    for t in &mut p.trial_participation {
        if let Some(d) = t.last_treatment {
            let src = c.src;
            let at = || crate::problem::key_line(src, "last_treatment").unwrap_or(0);
            if !c.date_ok(d, as_of, at, "trial_participation.last_treatment") {
                t.last_treatment = None;
            }
        }
    }
    let src = c.src;
    p.attestation.retain(|a| {
        let at = || key_pos(src, a.criterion.span().start, "date");
        c.date_ok(a.date, as_of, at, "attestation.date")
    });
    if let Some(ch) = &mut p.checked {
        let at = || table(src, "[checked]");
        c.drop_bad_date(&mut ch.date, as_of, at, "date", "checked.date");
    }
}

/// Where the table with this header starts (the file's start when it is not found).
fn table(src: &str, header: &str) -> usize {
    src.lines()
        .scan(0, |at, line| {
            let start = *at;
            *at += line.len() + 1;
            Some((start, line))
        })
        .find(|(_, l)| l.trim() == header)
        .map_or(0, |(at, _)| at)
}
