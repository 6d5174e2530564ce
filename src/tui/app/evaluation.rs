//! Ranking the queue: every patient once, at startup, on the fast path (verdict counts only,
//! in parallel) into the list's rows, their standings and the list order; and the explained
//! ranking and missing facts of the patients a screen shows, computed on demand and kept in a
//! small cache. What the drill-down and the missing-data screen list is read from them here.

use crate::load::Progress;
use crate::missing::{MissingFact, missing_facts};
use crate::patient::{Profile, Sex};
use crate::rank::{Counts, CriterionResult, State, TrialMatch, Verdict, rank, rank_with};
use crate::text::sanitize;
use crate::trial::Trial;
use crate::tui::app::{App, List, Screen, char_mask};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::sync::atomic::Ordering;

/// Which criteria the drill-down shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    All,
    Failing,
    Unknown,
}

/// One patient's display strings, sanitized once.
#[derive(Debug, Clone)]
pub struct PatientRow {
    pub id: String,
    pub name: String,
    /// "F 54", "M ?".
    pub sex_age: String,
    /// Every diagnosis (name, else the upper-cased code); the first is the main one.
    pub diagnoses: Vec<String>,
    /// The diagnosis codes, for the filter.
    pub codes: Vec<String>,
    /// Best verdict and its trial index.
    pub best: Option<(Verdict, usize)>,
    /// `char_mask` of the id, the name, all diagnoses and all codes, for the filter.
    pub(super) masks: [u64; 4],
}

impl PatientRow {
    /// The main diagnosis, as the list shows it.
    pub fn main_diagnosis(&self) -> &str {
        self.diagnoses
            .first()
            .map_or("no diagnosis recorded", String::as_str)
    }
}

/// One study's result for one patient without the explanation: the trial, its best cohort
/// and that cohort's counts. This is all the lists, the match table and the overview need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Index into the trial list.
    pub trial: usize,
    /// The best cohort, as an index into the trial's `cohort_ids()`.
    pub cohort: usize,
    /// The best cohort's counts.
    pub counts: Counts,
}

impl Standing {
    /// The best cohort's verdict.
    pub fn verdict(&self) -> Verdict {
        self.counts.verdict()
    }
    /// The best cohort's score (percent of its criteria that pass).
    pub fn score(&self) -> f64 {
        self.counts.score()
    }
    fn of(trials: &[Trial], m: &TrialMatch) -> Standing {
        let best = m.cohorts.first();
        let cohort = match (trials.get(m.trial), best.and_then(|c| c.cohort.as_deref())) {
            (Some(t), Some(id)) => t.cohorts.iter().position(|c| c.id == id).unwrap_or(0),
            _ => 0,
        };
        Standing {
            trial: m.trial,
            cohort,
            counts: best.map(|c| c.counts).unwrap_or_default(),
        }
    }
}

/// The explained ranking of one patient (reasons, missing facts) and that patient's missing
/// facts, computed when a screen shows the patient.
#[derive(Debug, Clone)]
pub struct Explained {
    pub patient: usize,
    /// Ranked as [`App::matches`] ranks the same patient.
    pub matches: Vec<TrialMatch>,
    /// Most decisive first.
    pub missing: Vec<MissingFact>,
}

fn sex_age(p: &Profile, as_of: NaiveDate) -> String {
    let sex = match p.data.sex.as_ref().map(|s| *s.get_ref()) {
        Some(Sex::Female) => "F",
        Some(Sex::Male) => "M",
        None => "?",
    };
    let age = crate::patient::derive::age(p, as_of)
        .value
        .map_or("?".to_string(), |a| format!("{a:.0}"));
    format!("{sex} {age}")
}

/// A patient's place in the list: their best study's rank key (no study last).
fn sort_key(m: &[Standing]) -> (bool, Option<crate::rank::RankKey>) {
    let best = m.first().map(|b| b.counts.rank_key());
    (best.is_none(), best)
}

/// Ranks one patient on the fast path and builds its list row.
fn evaluate(trials: &[Trial], p: &Profile, as_of: NaiveDate) -> (Vec<Standing>, PatientRow) {
    let m: Vec<Standing> = rank_with(trials, p, as_of, false)
        .iter()
        .map(|m| Standing::of(trials, m))
        .collect();
    let diagnoses: Vec<String> = p
        .data
        .diagnosis
        .iter()
        .map(|d| match &d.name {
            Some(n) => sanitize(n),
            None => sanitize(&d.code.get_ref().to_uppercase()),
        })
        .collect();
    let codes: Vec<String> = p
        .data
        .diagnosis
        .iter()
        .map(|d| sanitize(d.code.get_ref()))
        .collect();
    let (id, name) = (sanitize(p.id()), sanitize(p.name()));
    let all = |v: &[String]| v.iter().fold(0, |m, s| m | char_mask(s));
    let row = PatientRow {
        masks: [
            char_mask(&id),
            char_mask(&name),
            all(&diagnoses),
            all(&codes),
        ],
        id,
        name,
        sex_age: sex_age(p, as_of),
        diagnoses,
        codes,
        best: m.first().map(|b| (b.verdict(), b.trial)),
    };
    (m, row)
}

/// Every patient ranked: what `App` is built from.
pub(super) struct Ranked {
    /// Each patient's studies, best first (index-aligned with the patients).
    pub matches: Vec<Vec<Standing>>,
    /// Each patient's list row.
    pub rows: Vec<PatientRow>,
    /// Patient indices, best match first.
    pub order: Vec<usize>,
    /// Width of the id column.
    pub id_width: u16,
    /// Study short names by trial index, marked "⚠" where a rule of the trial file could
    /// not be read.
    pub study_names: Vec<String>,
    /// Width of the longest study name.
    pub study_width: u16,
}

/// Ranks every patient on the fast path, in parallel, counting them into `progress` (its
/// `total` is set first).
pub(super) fn rank_all(
    trials: &[Trial],
    patients: &[Profile],
    as_of: NaiveDate,
    progress: &Progress,
) -> Ranked {
    progress.total.store(patients.len(), Ordering::Relaxed);
    let (matches, rows): (Vec<Vec<Standing>>, Vec<PatientRow>) = patients
        .par_iter()
        .map(|p| {
            let r = evaluate(trials, p, as_of);
            progress.done.fetch_add(1, Ordering::Relaxed);
            r
        })
        .unzip();
    let mut order: Vec<usize> = (0..patients.len()).collect();
    order.par_sort_by(|&a, &b| {
        sort_key(&matches[a])
            .cmp(&sort_key(&matches[b]))
            .then_with(|| rows[a].id.cmp(&rows[b].id))
    });
    let width = |s: &str| ratatui::text::Span::raw(s).width();
    let id_width = rows
        .par_iter()
        .map(|r| width(&r.id))
        .max()
        .unwrap_or(2)
        .clamp(2, 12) as u16;
    let study_names: Vec<String> = trials.iter().map(crate::tui::view::study_name).collect();
    let study_width = study_names
        .iter()
        .map(|s| width(s))
        .max()
        .unwrap_or(5)
        .clamp(5, 20) as u16;
    Ranked {
        matches,
        rows,
        order,
        id_width,
        study_names,
        study_width,
    }
}

impl App {
    /// Keeps the explained results of the patients that the open drill-down and missing-data
    /// screens show, computing those not yet explained and dropping the rest: the only place
    /// the slow, explaining evaluation runs.
    pub(super) fn explain(&mut self) {
        let mut want: Vec<usize> = Vec::with_capacity(2);
        if self.stack.contains(&Screen::Criteria) {
            want.push(self.drill.patient);
        }
        if self.stack.contains(&Screen::Missing) && !want.contains(&self.missing_patient) {
            want.push(self.missing_patient);
        }
        want.retain(|&p| p < self.patients.len());
        self.explained.retain(|e| want.contains(&e.patient));
        for p in want {
            if self.explained(p).is_none() {
                let matches = rank(&self.trials, &self.patients[p], self.as_of);
                let missing = missing_facts(&self.trials, &matches);
                self.explained.push(Explained {
                    patient: p,
                    matches,
                    missing,
                });
            }
        }
    }

    /// Puts a patient's new profile in place (`at`; None: a new patient, appended) and ranks
    /// that patient alone again, moving it to its place in the list; the others stay as they
    /// were. With `select`, the list shows and selects it (clearing filters that hide it).
    /// Returns its index.
    pub(in crate::tui) fn put_patient(
        &mut self,
        at: Option<usize>,
        profile: Profile,
        select: bool,
    ) -> usize {
        let (m, row) = evaluate(&self.trials, &profile, self.as_of);
        let width = ratatui::text::Span::raw(row.id.as_str())
            .width()
            .clamp(2, 12) as u16;
        self.id_width = self.id_width.max(width);
        let p = match at.filter(|&p| p < self.patients.len()) {
            Some(p) => {
                self.patients[p] = profile;
                self.matches[p] = m;
                self.rows[p] = row;
                p
            }
            None => {
                self.patients.push(profile);
                self.matches.push(m);
                self.rows.push(row);
                self.patients.len() - 1
            }
        };
        self.order.retain(|&i| i != p);
        let key = |i: usize| (sort_key(&self.matches[i]), &self.rows[i].id);
        let pos = self.order.partition_point(|&i| key(i) < key(p));
        self.order.insert(pos, p);
        self.explained.retain(|e| e.patient != p);
        self.funnel_changed();
        self.trail.clear();
        if select && !self.visible.contains(&p) {
            self.filter.clear();
            self.worklist.filter = crate::tui::worklist::StatusFilter::All;
        }
        self.refilter();
        if select && let Some(pos) = self.visible.iter().position(|&i| i == p) {
            self.cursors[List::Patients].selected = pos;
            self.cursors[List::Matches] = Default::default();
            self.focus = List::Patients;
        }
        self.explain();
        self.fit();
        p
    }

    /// Patient `p`'s missing facts, most decisive first (as the missing-data screen lists
    /// them), from its explained result when a screen shows it, else evaluated now.
    pub(in crate::tui) fn missing_of(&self, p: usize) -> Vec<MissingFact> {
        if let Some(e) = self.explained(p) {
            return e.missing.clone();
        }
        let Some(profile) = self.patients.get(p) else {
            return Vec::new();
        };
        missing_facts(&self.trials, &rank(&self.trials, profile, self.as_of))
    }

    /// The explained results of patient `p`, when a screen shows that patient.
    pub fn explained(&self, p: usize) -> Option<&Explained> {
        self.explained.iter().find(|e| e.patient == p)
    }

    /// Every explained result kept (at most two: the drill-down's and the missing data's).
    pub fn explanations(&self) -> &[Explained] {
        &self.explained
    }

    /// The match of patient `p` for trial index `t`.
    pub fn match_for(&self, p: usize, t: usize) -> Option<&Standing> {
        self.matches.get(p)?.iter().find(|m| m.trial == t)
    }

    /// The id of a standing's best cohort (None for a study of one population).
    pub fn cohort_id(&self, s: &Standing) -> Option<&str> {
        self.trials
            .get(s.trial)?
            .cohorts
            .get(s.cohort)
            .map(|c| c.id.as_str())
    }

    /// The match the drill-down shows, explained.
    pub fn drill_match(&self) -> Option<&TrialMatch> {
        self.explained(self.drill.patient)?
            .matches
            .get(self.drill.rank)
    }

    /// The criteria rows the drill-down shows (after the failing/unknown filter).
    pub fn drill_rows(&self) -> Vec<&CriterionResult> {
        let Some(m) = self.drill_match() else {
            return Vec::new();
        };
        let Some(c) = m.cohorts.get(self.drill.cohort) else {
            return Vec::new();
        };
        c.results
            .iter()
            .filter(|r| match self.show {
                Show::All => true,
                Show::Failing => r.state == State::Fail,
                Show::Unknown => r.state == State::Unknown,
            })
            .collect()
    }

    /// The missing facts of the patient the missing-data screen shows.
    pub fn missing_list(&self) -> &[MissingFact] {
        self.explained(self.missing_patient)
            .map_or(&[], |e| e.missing.as_slice())
    }

    /// The facts the missing-data screen lists, in its order: those that could change a
    /// verdict, then (unfolded) those that only concern studies already ruled out.
    pub fn missing_rows(&self) -> Vec<&MissingFact> {
        let all = self.missing_list();
        let open = all.iter().filter(|f| !f.only_ruled_out());
        if self.missing_ruled_out {
            open.chain(all.iter().filter(|f| f.only_ruled_out()))
                .collect()
        } else {
            open.collect()
        }
    }

    /// How many facts the missing-data screen folds into its last row (0: none folded).
    pub fn missing_folded(&self) -> usize {
        if self.missing_ruled_out {
            0
        } else {
            self.missing_list()
                .iter()
                .filter(|f| f.only_ruled_out())
                .count()
        }
    }

    /// The study of the selected missing fact: the first it could change, else the first it
    /// blocks; on the folded row, the patient's best match.
    pub(super) fn missing_fact_trial(&self) -> Option<usize> {
        self.missing_rows()
            .get(self.cursors[List::Missing].selected)
            .and_then(|f| f.decisive_for.first().or(f.blocks.first().map(|b| &b.0)))
            .copied()
            .or_else(|| {
                self.matches
                    .get(self.missing_patient)?
                    .first()
                    .map(|m| m.trial)
            })
    }
}
