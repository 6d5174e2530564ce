//! The screening and enrolment log a site keeps for every study and sends its sponsor each
//! month, and the per-study funnel (screened → eligible or possible → contacted → referred →
//! enrolled, with declined beside them): who was screened, what trialmatch finds, how far each
//! patient got and why the others dropped off, built from what trialmatch already holds — the
//! verdicts, the failing and unknown criteria, and the worklist's decisions with their dates.
//! The command line (`trialmatch log`) and the UI's funnel screen both call [`build`] and
//! [`funnel`], so their numbers are the same. No terminal code.
//!
//! - `log`: which patient × study pairs a log lists for a period, and what each row says.
//! - `funnel`: the steps counted per study, the most frequent ineligibility reasons, bars.
//! - `pseudonym`: a stable pseudonym per patient for a deidentified log.
//! - `write`: the log and its funnel as CSV or JSON (and how a log names its patients).
//! - `table`: the log and its funnel as a plain-text table.
//!
//! The definitions (date screened, the period, which status counts as which step) are in
//! docs/screening-log.md; the code below follows it.

mod funnel;
mod log;
mod pseudonym;
mod table;
mod write;

pub use funnel::{Reason, ReasonCount, StudyFunnel, TOP_REASONS, bar, funnel};
pub use log::{Current, Eligible, Finding, Log, Row, ScreenedFrom, Sources, build, find};
pub use pseudonym::Pseudonyms;
pub use table::write_table;
pub use write::{Subjects, write_csv, write_json};

use crate::patient::Profile;
use crate::trial::Trial;
use crate::worklist::Status;
use chrono::NaiveDate;

/// What each of the log's formats writes: the log, its funnels, the studies and patients its
/// rows point into, and how the patients are named.
#[derive(Clone, Copy)]
pub struct LogDoc<'a> {
    pub log: &'a Log,
    pub funnels: &'a [StudyFunnel],
    pub trials: &'a [Trial],
    pub patients: &'a [Profile],
    pub who: &'a Subjects,
}

/// The days a log covers, both ends included; an end left out is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// Every day: the whole worklist (the UI's funnel, a log without `--from` or `--to`).
    pub const ALL: Period = Period {
        from: None,
        to: None,
    };

    /// Whether `day` is in the period (both ends included).
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }

    /// Whether the period is every day.
    pub fn is_all(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// "2026-11-01 to 2026-11-30", "from 2026-11-01", "to 2026-11-30" or "all dates".
    pub fn describe(&self) -> String {
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("{f} to {t}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("to {t}"),
            (None, None) => "all dates".to_string(),
        }
    }
}

/// The funnel's steps, in order. Screened and eligible-or-possible come from the log's rows
/// (the date screened, the verdict and a not-eligible ruling); the others from the worklist's
/// statuses ([`Step::reached_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Screened,
    EligibleOrPossible,
    Contacted,
    Referred,
    Enrolled,
    Declined,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Screened,
        Step::EligibleOrPossible,
        Step::Contacted,
        Step::Referred,
        Step::Enrolled,
        Step::Declined,
    ];

    /// The steps a worklist decision reaches, in the order of [`Row::reached`].
    pub const BY_STATUS: [Step; 4] = [
        Step::Contacted,
        Step::Referred,
        Step::Enrolled,
        Step::Declined,
    ];

    /// The words people read: "eligible or possible".
    pub fn label(self) -> &'static str {
        match self {
            Step::Screened => "screened",
            Step::EligibleOrPossible => "eligible or possible",
            Step::Contacted => "contacted",
            Step::Referred => "referred",
            Step::Enrolled => "enrolled",
            Step::Declined => "declined",
        }
    }

    /// The key in JSON and the CSV header: "eligible_or_possible".
    pub fn key(self) -> &'static str {
        match self {
            Step::EligibleOrPossible => "eligible_or_possible",
            s => s.label(),
        }
    }

    /// Whether a decision in `status` takes a pair to this step: the one mapping of the
    /// worklist's statuses onto the funnel. A status further along the way counts for the
    /// steps before it (a pair recorded as referred without a "contacted study" before it was
    /// contacted); declined-by-patient is a drop-off of its own, at whatever step it came.
    /// new, screening, on-hold and not-eligible reach no step (not-eligible rules a pair out
    /// of eligible-or-possible instead, see [`Eligible`]).
    pub fn reached_by(self, status: Status) -> bool {
        match self {
            Step::Contacted => matches!(
                status,
                Status::ContactedStudy | Status::Referred | Status::Enrolled
            ),
            Step::Referred => matches!(status, Status::Referred | Status::Enrolled),
            Step::Enrolled => status == Status::Enrolled,
            Step::Declined => status == Status::DeclinedByPatient,
            Step::Screened | Step::EligibleOrPossible => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn a_period_includes_both_ends() {
        let p = Period {
            from: Some(day(1)),
            to: Some(day(30)),
        };
        assert!(p.contains(day(1)) && p.contains(day(30)));
        assert!(!p.contains(day(1).pred_opt().unwrap_or_default()));
        assert!(!p.contains(day(30).succ_opt().unwrap_or_default()));
        assert!(Period::ALL.contains(day(5)) && Period::ALL.is_all());
        assert_eq!(p.describe(), "2026-11-01 to 2026-11-30");
    }

    #[test]
    fn statuses_reach_the_steps_before_them() {
        use Status as S;
        let reached = |s: S| -> Vec<&str> {
            Step::BY_STATUS
                .iter()
                .filter(|step| step.reached_by(s))
                .map(|step| step.label())
                .collect()
        };
        assert_eq!(reached(S::Enrolled), ["contacted", "referred", "enrolled"]);
        assert_eq!(reached(S::Referred), ["contacted", "referred"]);
        assert_eq!(reached(S::ContactedStudy), ["contacted"]);
        assert_eq!(reached(S::DeclinedByPatient), ["declined"]);
        for s in [S::New, S::Screening, S::OnHold, S::NotEligible] {
            assert!(reached(s).is_empty(), "{s}");
        }
    }
}
