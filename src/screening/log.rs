//! Which patient × study pairs a screening log lists for a period, and what each row says:
//! the date screened, what trialmatch finds (verdict, failing and unknown criteria), the
//! current worklist status with the day it was reached and its note, and the day each funnel
//! step was first reached.
//!
//! A pair is *screened* when it has a worklist decision that was not withdrawn (a coordinator
//! considered the patient for the study), or when it has none and trialmatch finds the patient
//! eligible or possibly eligible (a candidate nobody has acted on yet). Its date screened is the
//! day of its first decision; a candidate's is the day the referral was received. Pairs with
//! no decision that trialmatch rules out are not in the log: every referral is checked against
//! every study automatically, and a sponsor's log is about the patients considered for its
//! study. Days are local calendar days.

use super::{Period, Step};
use crate::patient::Profile;
use crate::rank::{Verdict, match_trial};
use crate::trial::Trial;
use crate::worklist::{Decision, History, Status};
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What trialmatch finds for one pair (as of the log's as-of date, with every fact entered so
/// far): its best cohort's verdict and that cohort's failing and unknown criteria.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub verdict: Verdict,
    /// The best cohort's id (None for a study of one population).
    pub cohort: Option<String>,
    /// The failing criteria, as indices into the study's criteria, in file order.
    pub failing: Vec<usize>,
    /// The criteria still unknown, likewise.
    pub unknown: Vec<usize>,
}

/// Evaluates one pair and keeps what a log row says of it.
pub fn find(trial_index: usize, trial: &Trial, patient: &Profile, as_of: NaiveDate) -> Finding {
    let m = match_trial(trial_index, trial, patient, as_of);
    let Some(best) = m.cohorts.into_iter().next() else {
        return Finding {
            verdict: crate::rank::Counts::default().verdict(),
            cohort: None,
            failing: Vec::new(),
            unknown: Vec::new(),
        };
    };
    let with = |state| -> Vec<usize> {
        best.results
            .iter()
            .filter(|r| r.state == state)
            .map(|r| r.index)
            .collect()
    };
    Finding {
        verdict: best.verdict(),
        failing: with(crate::rank::State::Fail),
        unknown: with(crate::rank::State::Unknown),
        cohort: best.cohort,
    }
}

/// Where a row's date screened comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenedFrom {
    /// The day of the pair's first worklist decision.
    Decision,
    /// The day the referral was received (a candidate with no decision yet).
    Referral,
}

impl ScreenedFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            ScreenedFrom::Decision => "first decision",
            ScreenedFrom::Referral => "referral received",
        }
    }
}

/// The log's answer to "eligible?": trialmatch's verdict, unless the worklist's current status
/// rules the pair not eligible (a coordinator's ruling, from facts trialmatch may not hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eligible {
    Yes,
    Possible,
    No,
}

impl Eligible {
    pub fn as_str(self) -> &'static str {
        match self {
            Eligible::Yes => "yes",
            Eligible::Possible => "possible",
            Eligible::No => "no",
        }
    }

    fn of(verdict: Verdict, current: Option<&Current>) -> Eligible {
        match (verdict, current.map(|c| c.status)) {
            (_, Some(Status::NotEligible)) | (Verdict::Ineligible, _) => Eligible::No,
            (Verdict::Eligible, _) => Eligible::Yes,
            (Verdict::Possible, _) => Eligible::Possible,
        }
    }
}

/// A pair's current worklist status: its latest decision that was not withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub status: Status,
    /// The day the status was reached: the first of the latest decisions in this status (a
    /// note added later keeps the day).
    pub since: NaiveDate,
    /// The latest note among those decisions ("" for none): a decline's or hold's reason.
    pub note: String,
}

/// One row of the log: one patient × one study.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Indices into the patients and the trials.
    pub patient: usize,
    pub trial: usize,
    /// None only for a candidate whose referral has no received date (listed only in a log of
    /// every date).
    pub screened: Option<NaiveDate>,
    pub screened_from: ScreenedFrom,
    pub finding: Finding,
    pub eligible: Eligible,
    pub current: Option<Current>,
    /// The first day a decision reached each step of [`Step::BY_STATUS`] (contacted, referred,
    /// enrolled, declined).
    pub reached: [Option<NaiveDate>; 4],
}

impl Row {
    /// The first day the pair reached `step`; None for a step not reached, or not reached
    /// through a status (screened, eligible or possible).
    pub fn reached(&self, step: Step) -> Option<NaiveDate> {
        let i = Step::BY_STATUS.iter().position(|s| *s == step)?;
        self.reached[i]
    }
}

/// A screening log: its rows, study by study, and what it had to leave out.
#[derive(Debug, Clone, PartialEq)]
pub struct Log {
    pub as_of: NaiveDate,
    pub period: Period,
    /// The studies it covers (trial indices, in the trials' order): one, or all.
    pub studies: Vec<usize>,
    /// By study (in `studies` order), then date screened (undated last), then patient id.
    pub rows: Vec<Row>,
    /// Candidates with no referral date, left out of a log with a period (no day to place
    /// them on).
    pub undated: usize,
    /// Pairs with decisions whose patient or study is not loaded, left out (no verdict).
    pub not_loaded: usize,
}

/// What a log is built from.
pub struct Sources<'a> {
    pub trials: &'a [Trial],
    pub patients: &'a [Profile],
    /// The date the verdicts are for.
    pub as_of: NaiveDate,
    /// The worklist's decisions and withdrawals (all of them: `Store::all_history`).
    pub history: &'a History,
    /// Evaluate every row in full, for its unknown criteria (a written log). Without, only the
    /// rows trialmatch finds ineligible are (for their failing criteria) and the others carry
    /// their verdict alone: all a funnel reads, at a fraction of the cost (the UI).
    pub explain: bool,
}

/// A pair's decisions that count (not withdrawn), oldest first, summed up.
struct Decided {
    first: NaiveDate,
    days: Vec<NaiveDate>,
    current: Current,
    reached: [Option<NaiveDate>; 4],
}

fn decided(ds: &[&Decision], day: &impl Fn(DateTime<Utc>) -> NaiveDate) -> Option<Decided> {
    let (first, last) = (ds.first()?, ds.last()?);
    let run: Vec<&&Decision> = ds
        .iter()
        .rev()
        .take_while(|d| d.status == last.status)
        .collect();
    let since = run.last().map_or(day(last.at), |d| day(d.at));
    let note = run
        .iter()
        .find(|d| !d.note.is_empty())
        .map_or(String::new(), |d| d.note.clone());
    let reached = Step::BY_STATUS.map(|step| {
        ds.iter()
            .find(|d| step.reached_by(d.status))
            .map(|d| day(d.at))
    });
    Some(Decided {
        first: day(first.at),
        days: ds.iter().map(|d| day(d.at)).collect(),
        current: Current {
            status: last.status,
            since,
            note,
        },
        reached,
    })
}

/// A row before its finding is evaluated.
struct Pending {
    patient: usize,
    trial: usize,
    verdict: Option<Verdict>,
    screened: Option<NaiveDate>,
    from: ScreenedFrom,
    current: Option<Current>,
    reached: [Option<NaiveDate>; 4],
}

/// The decisions that count (not withdrawn) by (patient, trial) index pair, oldest first; and
/// how many pairs the log would have listed but cannot, their patient or study not loaded.
fn decisions_by_pair<'h>(
    src: &Sources<'h>,
    day: &impl Fn(DateTime<Utc>) -> NaiveDate,
    studies: &[usize],
    period: Period,
) -> (BTreeMap<(usize, usize), Vec<&'h Decision>>, usize) {
    // Ids are one patient whatever their case; the first file of an id wins, as when loading.
    let patient_ix: HashMap<String, usize> = src
        .patients
        .iter()
        .enumerate()
        .rev()
        .map(|(i, p)| (p.id().to_lowercase(), i))
        .collect();
    let trial_ix: HashMap<&str, usize> = src
        .trials
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let withdrawn: HashSet<i64> = src
        .history
        .withdrawals
        .iter()
        .map(|w| w.withdraws)
        .collect();
    let mut counted: Vec<&'h Decision> = src
        .history
        .decisions
        .iter()
        .filter(|d| !withdrawn.contains(&d.seq))
        .collect();
    counted.sort_by_key(|d| d.seq);
    let mut pairs: BTreeMap<(usize, usize), Vec<&'h Decision>> = BTreeMap::new();
    let mut not_loaded: HashSet<(String, &str)> = HashSet::new();
    for d in counted {
        let p = patient_ix.get(&d.patient.to_lowercase()).copied();
        let t = trial_ix.get(d.trial.as_str()).copied();
        match (p, t) {
            (Some(p), Some(t)) => pairs.entry((p, t)).or_default().push(d),
            // No verdict to show: left out, and counted when the log would have listed it.
            (_, t) => {
                let in_log = match t {
                    Some(t) => studies.contains(&t),
                    None => studies.len() == src.trials.len(),
                };
                if in_log && period.contains(day(d.at)) {
                    not_loaded.insert((d.patient.to_lowercase(), d.trial.as_str()));
                }
            }
        }
    }
    (pairs, not_loaded.len())
}

/// The log of `studies` (trial indices) for `period`. `verdict(patient, trial)` is the pair's
/// verdict (the UI passes the ranking it holds, the command line its own); `day` turns a
/// decision's time into the local calendar day. Only the rows' pairs are evaluated again.
pub fn build(
    src: &Sources<'_>,
    verdict: impl Fn(usize, usize) -> Option<Verdict>,
    day: impl Fn(DateTime<Utc>) -> NaiveDate,
    studies: &[usize],
    period: Period,
) -> Log {
    let (pairs, not_loaded) = decisions_by_pair(src, &day, studies, period);
    let mut pending = Vec::new();
    let mut undated = 0;
    for &t in studies {
        for (p, patient) in src.patients.iter().enumerate() {
            let v = verdict(p, t);
            if let Some(d) = pairs.get(&(p, t)).and_then(|ds| decided(ds, &day)) {
                let active = d.days.iter().any(|&x| period.contains(x));
                if period.is_all() || active {
                    pending.push(Pending {
                        patient: p,
                        trial: t,
                        verdict: v,
                        screened: Some(d.first),
                        from: ScreenedFrom::Decision,
                        current: Some(d.current),
                        reached: d.reached,
                    });
                }
                continue;
            }
            // No decision: a candidate when trialmatch finds the patient eligible or possible.
            if !matches!(v, Some(Verdict::Eligible | Verdict::Possible)) {
                continue;
            }
            let received = patient.data.referral.as_ref().and_then(|r| r.received);
            let listed = match received {
                Some(r) => period.contains(r),
                None if period.is_all() => true,
                None => {
                    undated += 1;
                    false
                }
            };
            if listed {
                pending.push(Pending {
                    patient: p,
                    trial: t,
                    verdict: v,
                    screened: received,
                    from: ScreenedFrom::Referral,
                    current: None,
                    reached: [None; 4],
                });
            }
        }
    }
    let mut rows: Vec<Row> = pending
        .into_par_iter()
        .filter_map(|r| {
            let (trial, patient) = (src.trials.get(r.trial)?, src.patients.get(r.patient)?);
            let finding = match r.verdict {
                Some(v @ (Verdict::Eligible | Verdict::Possible)) if !src.explain => Finding {
                    verdict: v,
                    cohort: None,
                    failing: Vec::new(),
                    unknown: Vec::new(),
                },
                _ => find(r.trial, trial, patient, src.as_of),
            };
            Some(Row {
                eligible: Eligible::of(finding.verdict, r.current.as_ref()),
                patient: r.patient,
                trial: r.trial,
                screened: r.screened,
                screened_from: r.from,
                finding,
                current: r.current,
                reached: r.reached,
            })
        })
        .collect();
    rows.sort_by_cached_key(|r| {
        (
            studies.iter().position(|&s| s == r.trial),
            r.screened.is_none(),
            r.screened,
            src.patients.get(r.patient).map(|p| p.id().to_lowercase()),
        )
    });
    Log {
        as_of: src.as_of,
        period,
        studies: studies.to_vec(),
        rows,
        undated,
        not_loaded,
    }
}
