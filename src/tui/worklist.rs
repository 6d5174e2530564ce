//! The worklist in the UI, kept out of the pure `App::update`: `update` never touches the
//! database; it queues a [`Request`] (record a status, read a history, write a referral
//! summary). The event loop runs each request against the [`Store`] with [`execute`] and hands
//! the [`Outcome`] back to `App::receive`. Tests build an App with decisions and no database,
//! press keys, and read the queued requests.
//!
//! Also here: the modal state (status picker, note input), the status filter and the history
//! screen's state, and the `impl App` for the worklist actions.

use crate::problem::Problem;
use crate::text::sanitize;
use crate::tui::action::Action;
use crate::tui::app::{App, Cursor, Pane, Screen};
use crate::tui::input::TextInput;
use crate::worklist::{Decision, NOTE_MAX, Status, Store};
use chrono::FixedOffset;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// Something `update` wants done with the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Record `status` (with `note`) for patient × study (indices into patients and trials).
    Record {
        patient: usize,
        trial: usize,
        status: Status,
        note: String,
    },
    /// Read every decision of a patient.
    History { patient: usize },
    /// Write the referral summary of patient × study.
    Export { patient: usize, trial: usize },
}

/// What a request came to; errors as display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Recorded {
        patient: usize,
        trial: usize,
        result: Result<Decision, String>,
    },
    History {
        patient: usize,
        result: Result<Vec<Decision>, String>,
    },
    Exported {
        result: Result<PathBuf, String>,
    },
}

/// Runs one request against the database. `app` supplies the ids, profiles and studies.
pub fn execute(store: &mut Store, app: &App, r: &Request) -> Outcome {
    let pid = |p: usize| app.patients.get(p).map(|p| p.id().to_string());
    let tid = |t: usize| app.trials.get(t).map(|t| t.id.clone());
    let gone = || "that patient or study is no longer loaded".to_string();
    match r {
        Request::Record {
            patient,
            trial,
            status,
            note,
        } => Outcome::Recorded {
            patient: *patient,
            trial: *trial,
            result: match (pid(*patient), tid(*trial)) {
                (Some(p), Some(t)) => store
                    .record(&p, &t, *status, note)
                    .map_err(|e| e.to_string()),
                _ => Err(gone()),
            },
        },
        Request::History { patient } => Outcome::History {
            patient: *patient,
            result: match pid(*patient) {
                Some(p) => store.history(&p, None).map_err(|e| e.to_string()),
                None => Err(gone()),
            },
        },
        Request::Export { patient, trial } => Outcome::Exported {
            result: match (app.patients.get(*patient), tid(*trial)) {
                (Some(p), Some(t)) => store
                    .history(p.id(), Some(&t))
                    .map_err(|e| e.to_string())
                    .and_then(|history| {
                        crate::export::write_referral(
                            &crate::export::referrals_dir(store.path()),
                            &app.trials,
                            *trial,
                            p,
                            app.as_of,
                            &history,
                        )
                        .map_err(|e| e.to_string())
                    }),
                _ => Err(gone()),
            },
        },
    }
}

/// Which patients the list and the overview show, by worklist status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Everyone.
    #[default]
    All,
    /// Patients with at least one study now in this status.
    Is(Status),
    /// Patients with no decision for any study.
    Undecided,
}

impl StatusFilter {
    /// The filter picker's entries, numbered 1-9 then 0.
    pub const CHOICES: [StatusFilter; 10] = [
        StatusFilter::Is(Status::New),
        StatusFilter::Is(Status::Screening),
        StatusFilter::Is(Status::ContactedStudy),
        StatusFilter::Is(Status::Referred),
        StatusFilter::Is(Status::Enrolled),
        StatusFilter::Is(Status::DeclinedByPatient),
        StatusFilter::Is(Status::NotEligible),
        StatusFilter::Is(Status::OnHold),
        StatusFilter::Undecided,
        StatusFilter::All,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "all patients",
            StatusFilter::Is(s) => s.label(),
            StatusFilter::Undecided => "no decision yet",
        }
    }
}

/// A status as table cells show it (at most 12 characters).
pub fn short_label(s: Status) -> &'static str {
    match s {
        Status::ContactedStudy => "contacted",
        Status::DeclinedByPatient => "declined",
        s => s.label(),
    }
}

/// A status in at most 9 characters, for the patient list's narrow column ("referred +1").
pub fn tiny_label(s: Status) -> &'static str {
    match s {
        Status::NotEligible => "not elig.",
        s => short_label(s),
    }
}

/// What a picker chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    /// The status of patient × study (indices), then a note.
    Status {
        patient: usize,
        trial: usize,
        current: Option<Status>,
    },
    /// The status filter of the list and the overview.
    Filter,
}

/// A small list to choose from, drawn over the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picker {
    pub purpose: PickFor,
    pub selected: usize,
}

impl Picker {
    /// The entries' labels and whether each is the current choice.
    pub fn entries(&self, app: &App) -> Vec<(&'static str, bool)> {
        match self.purpose {
            PickFor::Status { current, .. } => Status::ALL
                .iter()
                .map(|s| (s.label(), Some(*s) == current))
                .collect(),
            PickFor::Filter => StatusFilter::CHOICES
                .iter()
                .map(|f| (f.label(), *f == app.worklist.filter))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        match self.purpose {
            PickFor::Status { .. } => Status::ALL.len(),
            PickFor::Filter => StatusFilter::CHOICES.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The note being typed for a status about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteForm {
    pub patient: usize,
    pub trial: usize,
    pub status: Status,
    /// Only adding a note: the status stays what it was, and an empty note records nothing.
    pub note_only: bool,
    pub input: TextInput,
}

/// A small window over the screen that takes the keys until it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Picker(Picker),
    Note(NoteForm),
}

/// What the history screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryView {
    pub patient: usize,
    /// The study highlighted when the screen opened (a trial index), if any.
    pub study: Option<usize>,
    /// Only that study's decisions.
    pub only_study: bool,
    /// None while the database is read.
    pub entries: Option<Result<Vec<Decision>, String>>,
}

/// A line for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// The worklist's part of the UI state.
#[derive(Debug, Clone, Default)]
pub struct Worklist {
    /// The latest decision of each (patient index, trial index) pair.
    pub current: HashMap<(usize, usize), Decision>,
    /// Why the database cannot be used (sanitized); worklist keys then only say so.
    pub error: Option<String>,
    /// Requests for the event loop, oldest first.
    pub requests: Vec<Request>,
    pub filter: StatusFilter,
    pub history: Option<HistoryView>,
    /// The zone history times are shown in: None for the local zone.
    pub zone: Option<FixedOffset>,
}

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
            .patients
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id(), i))
            .collect();
        let mut current = HashMap::new();
        for d in decisions {
            let p = patients.get(d.patient.as_str()).copied();
            let t = self.trials.iter().position(|t| t.id == d.trial);
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
    /// else the latest change; and how many other studies have a status.
    pub fn list_status(&self, patient: usize) -> Option<(Status, usize)> {
        let all: Vec<&Decision> = (0..self.trials.len())
            .filter_map(|t| self.decision(patient, t))
            .collect();
        let shown = match self.worklist.filter {
            StatusFilter::Is(s) => all.iter().find(|d| d.status == s),
            _ => all.iter().max_by_key(|d| d.seq),
        }?;
        Some((shown.status, all.len() - 1))
    }

    /// Whether patient `p` passes the status filter.
    fn status_filter_keeps(&self, with_status: &HashSet<usize>, p: usize) -> bool {
        match self.worklist.filter {
            StatusFilter::All => true,
            StatusFilter::Is(_) => with_status.contains(&p),
            StatusFilter::Undecided => !with_status.contains(&p),
        }
    }

    /// Narrows `visible` to the status filter (called by `refilter` after the text filter).
    pub(crate) fn apply_status_filter(&mut self) {
        let want = match self.worklist.filter {
            StatusFilter::All => return,
            StatusFilter::Is(s) => Some(s),
            StatusFilter::Undecided => None,
        };
        let with_status: HashSet<usize> = self
            .worklist
            .current
            .iter()
            .filter(|(_, d)| want.is_none_or(|s| d.status == s))
            .map(|((p, _), _)| *p)
            .collect();
        let mut visible = std::mem::take(&mut self.visible);
        visible.retain(|&p| self.status_filter_keeps(&with_status, p));
        self.visible = visible;
    }

    /// The history rows the screen shows, oldest first.
    pub fn history_rows(&self) -> Vec<&Decision> {
        let Some(h) = &self.worklist.history else {
            return Vec::new();
        };
        let study = h
            .study
            .filter(|_| h.only_study)
            .and_then(|t| self.trials.get(t))
            .map(|t| t.id.as_str());
        match &h.entries {
            Some(Ok(v)) => v
                .iter()
                .filter(|d| study.is_none_or(|s| d.trial == s))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The patient × study that worklist keys act on: the highlighted row of the match table,
    /// or the study the drill-down shows.
    fn worklist_target(&self) -> Option<(usize, usize)> {
        match self.screen() {
            Screen::Main => {
                let p = self.selected_patient()?;
                let t = self
                    .selected_matches()
                    .get(self.cursors.matches.selected)?
                    .trial;
                Some((p, t))
            }
            Screen::Criteria => Some((self.drill.patient, self.drill_match()?.trial)),
            _ => None,
        }
    }

    fn say(&mut self, text: String, error: bool) {
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
    fn pair_label(&self, patient: usize, trial: usize) -> String {
        let id = self.rows.get(patient).map_or("", |r| r.id.as_str());
        format!("{id} · {}", self.study_name(trial))
    }

    /// The worklist actions outside a picker or note.
    pub(crate) fn worklist_action(&mut self, action: Action) {
        match action {
            Action::SetStatus => {
                // From the list: the match table's highlighted study (the best at first).
                if self.screen() == Screen::Main
                    && self.focus == Pane::Patients
                    && self.selected_patient().is_some()
                {
                    self.focus = Pane::Matches;
                }
                if !self.worklist_ready() {
                    return;
                }
                let Some((patient, trial)) = self.worklist_target() else {
                    self.say(
                        "No study highlighted: choose one in the match table.".into(),
                        true,
                    );
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
                if !self.worklist_ready() {
                    return;
                }
                let Some((patient, trial)) = self.worklist_target() else {
                    self.say(
                        "No study highlighted: choose one in the match table.".into(),
                        true,
                    );
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
                if !self.worklist_ready() {
                    return;
                }
                match self.worklist_target() {
                    Some((patient, trial)) => {
                        self.worklist
                            .requests
                            .push(Request::Export { patient, trial });
                    }
                    None => self.say(
                        "No study highlighted: choose one in the match table.".into(),
                        true,
                    ),
                }
            }
            Action::ShowHistory => {
                if !self.worklist_ready() {
                    return;
                }
                let Some(patient) = self.current_patient() else {
                    return;
                };
                let study = match self.screen() {
                    Screen::Overview => Some(self.overview_column),
                    _ => self.worklist_target().map(|(_, t)| t),
                }
                .filter(|t| *t < self.trials.len());
                let same = self
                    .worklist
                    .history
                    .as_ref()
                    .is_some_and(|h| h.patient == patient);
                if !(same && self.screen() == Screen::History) {
                    self.cursors.history = Cursor::default();
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
            Action::HistoryScope => {
                if let Some(h) = &mut self.worklist.history
                    && h.study.is_some()
                {
                    h.only_study = !h.only_study;
                    self.cursors.history = Cursor::default();
                    self.cursors.history.selected = self.history_rows().len().saturating_sub(1);
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

    fn open_note(&mut self, patient: usize, trial: usize, status: Status, note_only: bool) {
        self.modal = Some(Modal::Note(NoteForm {
            patient,
            trial,
            status,
            note_only,
            input: TextInput::new(NOTE_MAX),
        }));
    }

    /// Sets the status filter, keeping the selection when it still shows.
    pub fn set_status_filter(&mut self, f: StatusFilter) {
        if self.worklist.filter != f {
            self.worklist.filter = f;
            self.refilter();
        }
    }

    /// An action while a picker or the note input is open: they take every key. Returns
    /// false for the actions that still apply as usual (quit, resize).
    pub(crate) fn modal_action(&mut self, action: Action) -> bool {
        let Some(modal) = self.modal.as_mut() else {
            return false;
        };
        match (modal, action) {
            (_, Action::Quit | Action::Resize { .. }) => return false,
            (_, Action::Cancel | Action::Back) => self.modal = None,
            (Modal::Picker(p), Action::Up) => p.selected = p.selected.saturating_sub(1),
            (Modal::Picker(p), Action::Down) => {
                p.selected = (p.selected + 1).min(p.len().saturating_sub(1))
            }
            (Modal::Picker(p), Action::Top) => p.selected = 0,
            (Modal::Picker(p), Action::Bottom) => p.selected = p.len().saturating_sub(1),
            (Modal::Picker(p), Action::Pick(n)) => {
                // 1-9 are the first nine entries, 0 the tenth.
                let i = if n == 0 { 9 } else { n as usize - 1 };
                if i < p.len() {
                    p.selected = i;
                    let p = *p;
                    self.choose(p);
                }
            }
            (Modal::Picker(p), Action::Confirm | Action::Open) => {
                let p = *p;
                self.choose(p);
            }
            (Modal::Note(n), Action::Edit(e)) => n.input.apply(e),
            (Modal::Note(n), Action::Confirm | Action::Open) => {
                let n = n.clone();
                self.modal = None;
                let note = n.input.text().trim().to_string();
                if n.note_only && note.is_empty() {
                    self.say("Empty note: nothing recorded.".into(), false);
                } else {
                    self.worklist.requests.push(Request::Record {
                        patient: n.patient,
                        trial: n.trial,
                        status: n.status,
                        note,
                    });
                }
            }
            _ => {}
        }
        true
    }

    /// A picker's entry is chosen.
    fn choose(&mut self, p: Picker) {
        self.modal = None;
        match p.purpose {
            PickFor::Status { patient, trial, .. } => {
                if let Some(s) = Status::ALL.get(p.selected) {
                    self.open_note(patient, trial, *s, false);
                }
            }
            PickFor::Filter => {
                if let Some(f) = StatusFilter::CHOICES.get(p.selected) {
                    self.set_status_filter(*f);
                }
            }
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
                    v.push(d.clone());
                }
                self.worklist.current.insert((patient, trial), d);
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
                if let Some(h) = &mut self.worklist.history
                    && h.patient == patient
                {
                    h.entries = Some(result.map_err(|e| sanitize(&e)));
                    let n = self.history_rows().len();
                    self.cursors.history = Cursor::default();
                    self.cursors.history.selected = n.saturating_sub(1);
                }
            }
            Outcome::Exported { result: Ok(path) } => {
                let text = format!(
                    "Referral summary written to {}",
                    sanitize(&path.display().to_string())
                );
                self.say(text, false);
            }
            Outcome::Exported { result: Err(e) } => {
                let text = format!("Referral summary not written: {}", sanitize(&e));
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
