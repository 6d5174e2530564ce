//! Moving between screens: the stack of open screens and Esc, what Enter opens (a patient's
//! studies, a study's criteria, a fact's criterion, the overview's patient), what the keys
//! that open a screen take with them, and ←/→ within a screen (cohort, study, column).

use crate::tui::app::{App, Cursor, List, Screen, Show};
use crate::tui::worklist::StatusFilter;

/// What the criterion drill-down shows: a patient's match (by rank) and one of its cohorts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drill {
    pub patient: usize,
    /// Index into the patient's ranked matches.
    pub rank: usize,
    /// Index into that match's cohorts (0 = the best).
    pub cohort: usize,
}

/// `i` moved by `d` within `0..n`, wrapping around (0 when `n` is 0).
fn wrapped(i: usize, d: isize, n: usize) -> usize {
    if n == 0 {
        0
    } else {
        (i as isize + d).rem_euclid(n as isize) as usize
    }
}

impl App {
    /// Shows screen `s`: on top of the stack, or, when it is already open, by closing the
    /// screens above it (so no screen is open twice).
    pub(in crate::tui) fn push(&mut self, s: Screen) {
        match self.stack.iter().position(|x| *x == s) {
            Some(i) => self.stack.truncate(i + 1),
            None => self.stack.push(s),
        }
    }

    /// Esc: leaves the match table, else closes the screen, else clears the filter, else the
    /// status filter. Never quits.
    pub(super) fn back(&mut self) {
        if self.screen() == Screen::Main && self.focus == List::Matches {
            self.focus = List::Patients;
        } else if self.stack.len() > 1 {
            self.stack.pop();
        } else if !self.filter.is_empty() {
            self.filter.clear();
            self.refilter();
        } else if self.worklist.filter != StatusFilter::All {
            self.set_status_filter(StatusFilter::All);
        }
    }

    /// Enter on the main screen: from the list into the match table, from the table into the
    /// highlighted study's criteria.
    pub(super) fn open_from_main(&mut self) {
        if self.focus == List::Matches {
            let rank = self.cursors[List::Matches].selected;
            if let Some(p) = self.selected_patient()
                && rank < self.selected_matches().len()
            {
                let d = Drill {
                    patient: p,
                    rank,
                    cohort: 0,
                };
                self.open_drill(d, None);
            }
        } else if self.selected_patient().is_some() {
            self.focus = List::Matches;
        }
    }

    /// Enter in the overview: the patient in the list, opened over the overview so that Esc
    /// comes back to it.
    pub(super) fn open_overview_patient(&mut self) {
        if let Some(p) = self.overview_patient() {
            self.select_patient(p);
            self.stack.push(Screen::Main);
            self.focus = List::Patients;
        }
    }

    /// Enter on a missing fact: the criteria of the first study the fact could change (else
    /// the first it blocks), on the criterion it blocks. On the row that stands for the folded
    /// facts: unfolds them.
    pub(super) fn open_missing_fact(&mut self) {
        let p = self.missing_patient;
        let rows = self.missing_rows();
        let Some(f) = rows.get(self.cursors[List::Missing].selected) else {
            if self.missing_folded() > 0 {
                self.missing_ruled_out = true;
            }
            return;
        };
        let Some((t, cohort, cid)) = f
            .blocks
            .iter()
            .find(|b| f.decisive_for.contains(&b.0))
            .or(f.blocks.first())
            .cloned()
        else {
            return;
        };
        let Some((rank, m)) = self
            .explained(p)
            .and_then(|e| e.matches.iter().enumerate().find(|(_, m)| m.trial == t))
        else {
            return;
        };
        let cohort = m
            .cohorts
            .iter()
            .position(|c| c.cohort == cohort)
            .unwrap_or(0);
        let d = Drill {
            patient: p,
            rank,
            cohort,
        };
        self.open_drill(d, Some(&cid));
    }

    /// Opens the drill-down on `d`, showing all criteria, the selection on `criterion` (an id)
    /// when given.
    fn open_drill(&mut self, d: Drill, criterion: Option<&str>) {
        self.drill = d;
        self.show = Show::All;
        self.cursors[List::Criteria] = Cursor::default();
        self.push(Screen::Criteria);
        self.explain();
        if let Some(id) = criterion {
            let trial = self.drill_match().map(|m| m.trial);
            let pos = self.drill_rows().iter().position(|r| {
                trial
                    .and_then(|t| self.trials.get(t))
                    .and_then(|t| t.criteria.get(r.index))
                    .is_some_and(|c| c.id == id)
            });
            self.cursors[List::Criteria].selected = pos.unwrap_or(0);
        }
    }

    /// Selects patient `p` in the list, if it shows.
    fn select_patient(&mut self, p: usize) {
        if let Some(pos) = self.visible.iter().position(|&i| i == p) {
            let before = self.selected_patient();
            self.cursors[List::Patients].selected = pos;
            self.new_patient_restarts_matches(before);
        }
    }

    /// m: the missing data of the patient the screen is about.
    pub(super) fn show_missing(&mut self) {
        if let Some(p) = self.current_patient() {
            if p != self.missing_patient || self.screen() != Screen::Missing {
                self.cursors[List::Missing] = Cursor::default();
            }
            self.missing_patient = p;
            self.push(Screen::Missing);
        }
    }

    /// c: the contacts of the study the screen is about.
    pub(super) fn show_contacts(&mut self) {
        if let Some(t) = self.current_trial() {
            if t != self.contacts_trial {
                self.cursors[List::Contacts] = Cursor::default();
            }
            self.contacts_trial = t;
            self.push(Screen::Contacts);
        }
    }

    /// The drill-down's previous (`d` < 0) or next cohort, wrapping around.
    pub(super) fn next_cohort(&mut self, d: isize) {
        let n = self.drill_match().map_or(0, |m| m.cohorts.len());
        self.drill.cohort = wrapped(self.drill.cohort, d, n);
        self.cursors[List::Criteria] = Cursor::default();
    }

    /// The contacts of the previous or next study, wrapping around.
    pub(super) fn next_contacts_study(&mut self, d: isize) {
        self.contacts_trial = wrapped(self.contacts_trial, d, self.trials.len());
        self.cursors[List::Contacts] = Cursor::default();
    }

    /// The overview's study column to the left or right, stopping at the ends.
    pub(super) fn move_overview_column(&mut self, d: isize) {
        let n = self.trials.len();
        self.overview_column =
            (self.overview_column as isize + d).clamp(0, n.saturating_sub(1) as isize) as usize;
    }

    /// f, u, a in the drill-down: only the failing or unknown criteria (pressed again: all).
    pub(super) fn toggle_shown(&mut self, want: Show) {
        self.show = if self.show == want { Show::All } else { want };
        self.cursors[List::Criteria] = Cursor::default();
    }
}
