//! Verdicts and ordering: each criterion's eligibility state, each cohort's verdict, the
//! study's best cohort, and the ranking of the studies for a patient.
//!
//! Score: the share of the cohort's criteria that pass, in percent. Studies (and cohorts) are
//! ordered by verdict (eligible, possible, ineligible), then by that share (higher first), then
//! by fewer unknown, then fewer failed criteria, then by trial id.

use crate::eval::{Ctx, Truth, eval};
use crate::patient::Profile;
use crate::trial::{Kind, Trial};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A criterion's state from the eligibility point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Pass,
    Fail,
    Unknown,
}

impl State {
    /// Inclusion passes when its rule holds; exclusion passes when its condition is absent.
    pub fn from_truth(kind: Kind, t: Truth) -> State {
        match (kind, t) {
            (_, Truth::Unknown) => State::Unknown,
            (Kind::Inclusion, Truth::True) | (Kind::Exclusion, Truth::False) => State::Pass,
            _ => State::Fail,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pass => "pass",
            State::Fail => "fail",
            State::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Eligible,
    Possible,
    Ineligible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Eligible => "eligible",
            Verdict::Possible => "possible",
            Verdict::Ineligible => "ineligible",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
}

impl Counts {
    fn add(&mut self, s: State) {
        match s {
            State::Pass => self.pass += 1,
            State::Fail => self.fail += 1,
            State::Unknown => self.unknown += 1,
        }
    }
    pub fn total(&self) -> usize {
        self.pass + self.fail + self.unknown
    }
    pub fn verdict(&self) -> Verdict {
        if self.fail > 0 {
            Verdict::Ineligible
        } else if self.unknown > 0 {
            Verdict::Possible
        } else {
            Verdict::Eligible
        }
    }
    /// Percent of criteria that pass.
    pub fn score(&self) -> f64 {
        if self.total() == 0 {
            0.0
        } else {
            100.0 * self.pass as f64 / self.total() as f64
        }
    }
}

/// One criterion evaluated for one patient.
#[derive(Debug, Clone)]
pub struct CriterionResult {
    /// Index into the trial's criteria.
    pub index: usize,
    pub state: State,
    pub reason: String,
    pub missing: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CohortResult {
    pub cohort: Option<String>,
    pub counts: Counts,
    pub results: Vec<CriterionResult>,
}

impl CohortResult {
    pub fn verdict(&self) -> Verdict {
        self.counts.verdict()
    }
}

/// A patient's result for one study: every cohort, the best first.
#[derive(Debug, Clone)]
pub struct TrialMatch {
    /// Index into the trial list.
    pub trial: usize,
    /// Cohorts, best first.
    pub cohorts: Vec<CohortResult>,
}

impl TrialMatch {
    pub fn best(&self) -> &CohortResult {
        &self.cohorts[0]
    }
    pub fn verdict(&self) -> Verdict {
        self.best().verdict()
    }
    pub fn score(&self) -> f64 {
        self.best().counts.score()
    }
}

/// Where a set of counts ranks: the one definition of "better" for cohorts, studies and the
/// patient list. Ordered best first: by verdict, then the higher score, then fewer unknowns,
/// then fewer failures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankKey {
    verdict: Verdict,
    score: f64,
    unknown: usize,
    fail: usize,
}

impl Eq for RankKey {}

impl Ord for RankKey {
    fn cmp(&self, o: &Self) -> Ordering {
        self.verdict
            .cmp(&o.verdict)
            .then(o.score.total_cmp(&self.score))
            .then(self.unknown.cmp(&o.unknown))
            .then(self.fail.cmp(&o.fail))
    }
}

impl PartialOrd for RankKey {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Counts {
    /// The key these counts rank by (smaller is better); see [`RankKey`].
    pub fn rank_key(&self) -> RankKey {
        RankKey {
            verdict: self.verdict(),
            score: self.score(),
            unknown: self.unknown,
            fail: self.fail,
        }
    }
}

fn order(a: &Counts, b: &Counts) -> Ordering {
    a.rank_key().cmp(&b.rank_key())
}

/// Evaluates one patient against one study, every cohort.
pub fn match_trial(trial_index: usize, trial: &Trial, p: &Profile, as_of: NaiveDate) -> TrialMatch {
    match_trial_with(trial_index, trial, p, as_of, true)
}

/// As [`match_trial`]; with `explain` off each cohort carries its counts only (no criterion
/// results, reasons or missing facts): the fast path for bulk screening and large queues.
pub fn match_trial_with(
    trial_index: usize,
    trial: &Trial,
    p: &Profile,
    as_of: NaiveDate,
    explain: bool,
) -> TrialMatch {
    let mut cohorts: Vec<CohortResult> = if explain {
        explained_cohorts(trial, p, as_of)
    } else {
        counted_cohorts(trial, p, as_of)
    };
    // The patient's own disease cohort comes first (a 71-year-old with RA sees the RA cohort
    // failing on age, not the IIM cohort failing on its diagnosis); the verdict and the pass
    // share decide among cohorts alike in that.
    let own = |c: &CohortResult| -> bool {
        let Some(id) = c.cohort.as_deref() else {
            return false;
        };
        trial
            .cohorts
            .iter()
            .find(|k| k.id == id)
            .and_then(|k| k.disease_rule.as_ref())
            .is_some_and(|r| {
                let cx = Ctx {
                    patient: p,
                    as_of,
                    criterion: id,
                    explain: false,
                };
                crate::eval::truth(r, &cx) == Truth::True
            })
    };
    let mut keyed: Vec<(bool, CohortResult)> = cohorts.drain(..).map(|c| (!own(&c), c)).collect();
    keyed.sort_by(|(a_other, a), (b_other, b)| {
        a_other
            .cmp(b_other)
            .then_with(|| order(&a.counts, &b.counts))
    });
    cohorts = keyed.into_iter().map(|(_, c)| c).collect();
    TrialMatch {
        trial: trial_index,
        cohorts,
    }
}

/// Every cohort with each of its criteria explained. Each criterion is evaluated once; cohorts
/// share the common ones.
fn explained_cohorts(trial: &Trial, p: &Profile, as_of: NaiveDate) -> Vec<CohortResult> {
    let all: Vec<CriterionResult> = trial
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cx = Ctx {
                patient: p,
                as_of,
                criterion: &c.id,
                explain: true,
            };
            let o = eval(&c.rule, &cx);
            CriterionResult {
                index: i,
                state: State::from_truth(c.kind, o.truth),
                reason: o.reason,
                missing: o.missing,
            }
        })
        .collect();
    trial
        .cohort_ids()
        .into_iter()
        .map(|cid| {
            let results: Vec<CriterionResult> =
                trial.criteria_for(cid).map(|i| all[i].clone()).collect();
            let mut counts = Counts::default();
            for r in &results {
                counts.add(r.state);
            }
            CohortResult {
                cohort: cid.map(str::to_string),
                counts,
                results,
            }
        })
        .collect()
}

/// Every cohort with its counts only (the fast path): each criterion's truth alone, counted
/// into every cohort it belongs to as it is found, with no per-criterion result kept.
fn counted_cohorts(trial: &Trial, p: &Profile, as_of: NaiveDate) -> Vec<CohortResult> {
    let ids = trial.cohort_ids();
    let mut counts = vec![Counts::default(); ids.len()];
    for c in &trial.criteria {
        let cx = Ctx {
            patient: p,
            as_of,
            criterion: &c.id,
            explain: false,
        };
        let state = State::from_truth(c.kind, crate::eval::truth(&c.rule, &cx));
        for (k, id) in counts.iter_mut().zip(&ids) {
            if c.applies_to(*id) {
                k.add(state);
            }
        }
    }
    ids.into_iter()
        .zip(counts)
        .map(|(cid, counts)| CohortResult {
            cohort: cid.map(str::to_string),
            counts,
            results: Vec::new(),
        })
        .collect()
}

/// Evaluates a patient against every study and ranks them, best first.
pub fn rank(trials: &[Trial], p: &Profile, as_of: NaiveDate) -> Vec<TrialMatch> {
    rank_with(trials, p, as_of, true)
}

/// As [`rank`]; `explain` off gives states only (see [`match_trial_with`]).
pub fn rank_with(
    trials: &[Trial],
    p: &Profile,
    as_of: NaiveDate,
    explain: bool,
) -> Vec<TrialMatch> {
    let mut m: Vec<TrialMatch> = trials
        .iter()
        .enumerate()
        .map(|(i, t)| match_trial_with(i, t, p, as_of, explain))
        .collect();
    m.sort_by(|a, b| {
        order(&a.best().counts, &b.best().counts)
            .then_with(|| trials[a.trial].id.cmp(&trials[b.trial].id))
    });
    m
}

/// Ranks every patient's studies; index-aligned with `patients`.
pub fn rank_all(trials: &[Trial], patients: &[Profile], as_of: NaiveDate) -> Vec<Vec<TrialMatch>> {
    patients.iter().map(|p| rank(trials, p, as_of)).collect()
}
