//! The worklist keys and outcomes as `impl App`: loading decisions, the status filter, what
//! s, n, e, H and S do, and taking in what the database said.

use crate::problem::Problem;
use crate::text::sanitize;
use crate::tui::action::Action;
use crate::tui::app::{App, Cursor, List, Screen};
use crate::tui::worklist::{
    HistoryView, Message, Modal, Outcome, PickFor, Picker, Request, StatusFilter, execute,
};
use crate::worklist::{Decision, History, Status, Store};
use chrono::FixedOffset;
use std::collections::HashMap;

impl App {
    /// The same app with these current decisions (the latest per pair, as
    /// `Store::current` returns them); decisions of patients or studies not loaded are left out.
    pub fn with_decisions(mut self, decisions: Vec<Decision>) -> App {
        self.load_decisions(decisions);
        self
    }

    /// Replaces the current decisions.
    pub fn load_decisions(&mut self, decisions: Vec<Decision>) {
        let patients: HashMap<&str, usize> = self
            .patients()
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id(), i))
            .collect();
        let mut current = HashMap::new();
        for d in decisions {
            let p = patients.get(d.patient.as_str()).copied();
            let t = self.trials().iter().position(|t| t.id == d.trial);
            if let (Some(p), Some(t)) = (p, t) {
                match current.get(&(p, t)) {
                    Some(old) if old_is_newer(old, &d) => {}
                    _ => {
                        current.insert((p, t), d);
                    }
                }
            }
        }
        self.worklist.current = current;
        self.funnel_changed();
        self.refilter();
        self.fit();
    }

    /// Marks the worklist unusable: worklist keys show `error` instead of acting, and it is
    /// listed with the problems and shown in the status bar.
    pub fn worklist_unavailable(&mut self, error: &str) {
        let e = sanitize(error);
        self.problems
            .push(Problem::file("worklist database", e.clone()));
        self.message = Some(Message {
            text: format!("Worklist unavailable (matching works; see !): {e}"),
            error: true,
        });
        self.worklist.error = Some(e);
    }

    /// The same app showing history times at a fixed UTC offset instead of the local zone.
    pub fn with_zone(mut self, zone: FixedOffset) -> App {
        self.worklist.zone = Some(zone);
        self
    }

    /// The queued requests, oldest first.
    pub fn requests(&self) -> &[Request] {
        &self.worklist.requests
    }

    /// Takes the queued requests for the event loop.
    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.worklist.requests)
    }

    /// The latest decision of patient × study.
    pub fn decision(&self, patient: usize, trial: usize) -> Option<&Decision> {
        self.worklist.current.get(&(patient, trial))
    }

    /// The current status of patient × study.
    pub fn status_of(&self, patient: usize, trial: usize) -> Option<Status> {
        self.decision(patient, trial).map(|d| d.status)
    }

    /// The status the patient list shows for a patient: the one the status filter asks for,
    /// else its best-match study's (none when that study has none); and how many other
    /// studies have a status.
    pub fn list_status(&self, patient: usize) -> (Option<Status>, usize) {
        let all: Vec<&Decision> = (0..self.trials().len())
            .filter_map(|t| self.decision(patient, t))
            .collect();
        // The status of the study the cell sits beside (the best match), never another
        // study's; under a status filter, the study that has it.
        let shown = match self.worklist.filter {
            StatusFilter::Is(s) => all.iter().find(|d| d.status == s).copied(),
            _ => self
                .rows()
                .get(patient)
                .and_then(|r| r.best)
                .and_then(|(_, t)| self.decision(patient, t)),
        };
        let others = all.len() - usize::from(shown.is_some());
        (shown.map(|d| d.status), others)
    }

    /// The history rows the screen shows, oldest first.
    pub fn history_rows(&self) -> Vec<&Decision> {
        let Some(h) = &self.worklist.history else {
            return Vec::new();
        };
        let study = h
            .study
            .filter(|_| h.only_study)
            .and_then(|t| self.trials().get(t))
            .map(|t| t.id.as_str());
        match &h.entries {
            Some(Ok(v)) => v
                .decisions
                .iter()
                .filter(|d| study.is_none_or(|s| d.trial == s))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The history's newest change selected (its last row), as when it opens.
    fn select_newest_history(&mut self) {
        let newest = self.history_rows().len().saturating_sub(1);
        *self.cursor_mut(List::History) = Cursor {
            selected: newest,
            offset: 0,
        };
    }

    pub(in crate::tui) fn say(&mut self, text: String, error: bool) {
        self.message = Some(Message { text, error });
    }

    /// False (and says why) when the worklist cannot be used.
    fn worklist_ready(&mut self) -> bool {
        match self.worklist.error.clone() {
            Some(e) => {
                self.say(format!("Worklist unavailable: {e}"), true);
                false
            }
            None => true,
        }
    }

    /// "P03 · KN5501 SLE".
    pub(super) fn pair_label(&self, patient: usize, trial: usize) -> String {
        let id = self.rows().get(patient).map_or("", |r| r.id.as_str());
        format!("{id} · {}", self.study_name(trial))
    }

    /// The pair a worklist key acts on, when the worklist is usable and a study is
    /// highlighted; otherwise says why and gives None.
    fn ready_target(&mut self) -> Option<(usize, usize)> {
        if !self.worklist_ready() {
            return None;
        }
        let target = self.worklist_target();
        if target.is_none() {
            self.say(
                "No study highlighted: choose one in the match table.".into(),
                true,
            );
        }
        target
    }

    /// The worklist actions outside a picker or note.
    pub(crate) fn worklist_action(&mut self, action: Action) {
        match action {
            Action::SetStatus => {
                // From the list too: the selected patient and the match table's highlighted
                // study (the best at first), both named by the picker; the focus stays.
                let Some((patient, trial)) = self.ready_target() else {
                    return;
                };
                let current = self.status_of(patient, trial);
                let selected = current
                    .and_then(|c| Status::ALL.iter().position(|s| *s == c))
                    .unwrap_or(0);
                self.modal = Some(Modal::Picker(Picker {
                    purpose: PickFor::Status {
                        patient,
                        trial,
                        current,
                    },
                    selected,
                }));
            }
            Action::AddNote => {
                let Some((patient, trial)) = self.ready_target() else {
                    return;
                };
                match self.status_of(patient, trial) {
                    Some(status) => self.open_note(patient, trial, status, true),
                    None => self.say(
                        format!(
                            "{} has no status yet: press s to set one (with a note).",
                            self.pair_label(patient, trial)
                        ),
                        true,
                    ),
                }
            }
            Action::Export => {
                if let Some((patient, trial)) = self.ready_target() {
                    self.worklist
                        .requests
                        .push(Request::Export { patient, trial });
                }
            }
            Action::HistoryScope => {
                if let Some(h) = &mut self.worklist.history
                    && h.study.is_some()
                {
                    h.only_study = !h.only_study;
                    self.select_newest_history();
                }
            }
            Action::StatusFilter => {
                if !self.worklist_ready() {
                    return;
                }
                let selected = StatusFilter::CHOICES
                    .iter()
                    .position(|f| *f == self.worklist.filter)
                    .unwrap_or(0);
                self.modal = Some(Modal::Picker(Picker {
                    purpose: PickFor::Filter,
                    selected,
                }));
            }
            _ => {}
        }
    }

    /// H: the worklist history of the patient the screen is about, read from the database
    /// (by the event loop), on the study the screen highlights.
    pub(in crate::tui) fn show_history(&mut self) {
        if !self.worklist_ready() {
            return;
        }
        let Some(patient) = self.current_patient() else {
            return;
        };
        let study = self.history_study();
        let same = self
            .worklist
            .history
            .as_ref()
            .is_some_and(|h| h.patient == patient);
        if !(same && self.screen() == Screen::History) {
            *self.cursor_mut(List::History) = Cursor::default();
        }
        self.worklist.history = Some(HistoryView {
            patient,
            study,
            only_study: false,
            entries: None,
        });
        self.worklist.requests.push(Request::History { patient });
        self.push(Screen::History);
    }

    /// Sets the status filter, keeping the selection when it still shows.
    pub fn set_status_filter(&mut self, f: StatusFilter) {
        if self.worklist.filter != f {
            self.worklist.filter = f;
            self.refilter();
        }
    }

    /// Runs the queued worklist requests against `store`, feeding each outcome back.
    pub fn run_requests(&mut self, store: &mut Store) {
        for r in self.take_requests() {
            let outcome = execute(store, self, &r);
            self.receive(outcome);
        }
    }

    /// Reloads the current decisions when another connection has changed the database;
    /// returns whether it did. A failed read is shown in the status bar.
    pub fn refresh_from(&mut self, store: &mut Store) -> bool {
        match store.others_changed() {
            Ok(false) => false,
            Ok(true) => match store.current(None, None) {
                Ok(ds) => {
                    self.load_decisions(ds);
                    self.keep_funnel_fresh();
                    true
                }
                Err(e) => {
                    self.say(sanitize(&e.to_string()), true);
                    true
                }
            },
            Err(_) => false,
        }
    }

    /// Takes in what a request came to.
    pub fn receive(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Recorded {
                patient,
                trial,
                result: Ok(d),
            } => {
                let text = format!(
                    "Recorded {}: {}{}",
                    self.pair_label(patient, trial),
                    d.status.label(),
                    if d.note.is_empty() {
                        ""
                    } else {
                        " (with note)"
                    }
                );
                if let Some(h) = &mut self.worklist.history
                    && h.patient == patient
                    && let Some(Ok(v)) = &mut h.entries
                {
                    v.decisions.push(d.clone());
                }
                self.worklist.current.insert((patient, trial), d);
                self.funnel_changed();
                if self.worklist.filter != StatusFilter::All {
                    self.refilter();
                }
                self.say(text, false);
            }
            Outcome::Recorded {
                patient,
                trial,
                result: Err(e),
            } => {
                let text = format!(
                    "Not recorded for {}: {}",
                    self.pair_label(patient, trial),
                    sanitize(&e)
                );
                self.say(text, true);
            }
            Outcome::History { patient, result } => {
                let result = result.map(|decisions| History {
                    decisions,
                    ..History::default()
                });
                self.receive(Outcome::HistoryRead { patient, result });
                return;
            }
            Outcome::HistoryRead { patient, result } => {
                if let Some(h) = &mut self.worklist.history
                    && h.patient == patient
                {
                    h.entries = Some(result.map_err(|e| sanitize(&e)));
                    self.select_newest_history();
                }
            }
            Outcome::Exported {
                patient,
                trial,
                result: Ok(path),
            } => {
                let text = format!(
                    "Referral summary written to {} ({})",
                    sanitize(&path.display().to_string()),
                    self.pair_label(patient, trial)
                );
                self.say(text, false);
            }
            Outcome::Entered { patient, result } => {
                self.receive_entered(patient, result);
                return;
            }
            Outcome::Funnel { result } => self.receive_funnel(result),
            Outcome::Exported {
                patient,
                trial,
                result: Err(e),
            } => {
                let text = format!(
                    "Referral summary of {} not written: {}",
                    self.pair_label(patient, trial),
                    sanitize(&e)
                );
                self.say(text, true);
            }
        }
        self.fit();
    }
}

/// Whether `old` was recorded after `new` (so stays the pair's current decision).
fn old_is_newer(old: &Decision, new: &Decision) -> bool {
    old.seq > new.seq
}
