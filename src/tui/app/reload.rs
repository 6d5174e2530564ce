//! A file changed while the UI runs (see `tui::watch`): the patient it holds is evaluated
//! again in place, a new file's patient joins the queue, and the patient of a file that is
//! gone or no longer valid leaves it — its last good state is dropped, never shown as current
//! — with the file's problems in the problem list. Changed trial files re-rank every patient.
//! The selection stays on the patient it was on.

use super::evaluation::rank_all;
use super::{App, List, Screen};
use crate::load::Progress;
use crate::patient::Profile;
use crate::problem::Problem;
use crate::text::sanitize;
use crate::trial::Trial;
use crate::tui::worklist::Message;

/// Whether `problem` is about the file loaded as `name` (alone, or with entries laid over it).
fn about(problem: &Problem, name: &str) -> bool {
    problem.file == name
        || problem
            .file
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(" + "))
}

impl App {
    /// Takes in the patient file loaded as `name` read again: `profile` is its patient (None
    /// when the file is gone or cannot be read as a patient), `problems` what reading it found.
    /// Says what changed in the status bar.
    pub fn reload_patient(
        &mut self,
        name: &str,
        profile: Option<Profile>,
        mut problems: Vec<Problem>,
    ) {
        let file = short(name);
        let at = self.patients.iter().position(|p| p.file == name);
        let keep = self.selected_id();
        // A patient whose id another file holds already stays out, as when loading.
        let profile = profile.filter(|p| {
            let taken = self
                .patients
                .iter()
                .enumerate()
                .any(|(i, q)| Some(i) != at && q.id().eq_ignore_ascii_case(p.id()));
            if taken {
                problems.push(Problem::file(
                    name,
                    format!(
                        "id: patient id '{}' is already used by another file (ids are compared \
                         without case); this one is skipped",
                        p.id()
                    ),
                ));
            }
            !taken
        });
        self.problems.retain(|p| !about(p, name));
        let n = problems.len();
        self.problems.extend(problems);
        let text = match (profile, at) {
            (Some(profile), at) => {
                let id = sanitize(profile.id());
                self.put_patient(at, profile, false);
                let what = if at.is_some() {
                    "evaluated again"
                } else {
                    "added to the queue"
                };
                match n {
                    0 => format!("{file} changed: {id} {what}"),
                    n => format!("{file} changed: {id} {what}; {n} problem(s) (press !)"),
                }
            }
            (None, Some(p)) => {
                let id = sanitize(self.patients[p].id());
                self.drop_patient(p);
                if n == 0 {
                    format!("{file} is gone: {id} is off the queue")
                } else {
                    format!(
                        "{file} cannot be read: {id} is off the queue until it is fixed (press !)"
                    )
                }
            }
            (None, None) if n > 0 => format!("{file} cannot be read (press !)"),
            (None, None) => return,
        };
        self.select_id(keep.as_deref());
        self.message = Some(Message { text, error: n > 0 });
    }

    /// Takes in the trial files read again: every patient is ranked anew against `trials`;
    /// `problems` replace those of the trial files (`trial_files`: the names they were loaded
    /// under, and the folders they were listed from).
    pub fn reload_trials(
        &mut self,
        trials: Vec<Trial>,
        problems: Vec<Problem>,
        trial_files: &[String],
    ) {
        let keep = self.selected_id();
        let ranked = rank_all(&trials, &self.patients, self.as_of, &Progress::default());
        let decisions: Vec<_> = self.worklist.current.drain().map(|(_, d)| d).collect();
        self.trials = trials;
        self.matches = ranked.matches;
        self.rows = ranked.rows;
        self.order = ranked.order;
        self.study_masks = ranked
            .study_names
            .iter()
            .map(|s| super::char_mask(s))
            .collect();
        self.study_names = ranked.study_names;
        self.id_width = ranked.id_width;
        self.study_width = ranked.study_width;
        self.close_patient_screens();
        self.contacts_trial = 0;
        self.overview_column = 0;
        self.sort = None;
        self.load_decisions(decisions);
        self.problems
            .retain(|p| !trial_files.iter().any(|t| p.file.starts_with(t.as_str())));
        let n = problems.len();
        self.problems.extend(problems);
        self.trail.clear();
        self.refilter();
        self.select_id(keep.as_deref());
        self.explain();
        self.fit();
        self.message = Some(Message {
            text: match n {
                0 => format!(
                    "Study files changed: {} studies, every patient ranked again",
                    self.trials.len()
                ),
                n => format!(
                    "Study files changed: {} studies, every patient ranked again; {n} problem(s) (press !)",
                    self.trials.len()
                ),
            },
            error: n > 0,
        });
    }

    /// Takes patient `p` out of the queue. The screens and forms about a patient close (their
    /// indices would no longer hold), the decisions are keyed again by patient.
    fn drop_patient(&mut self, p: usize) {
        let decisions: Vec<_> = self.worklist.current.drain().map(|(_, d)| d).collect();
        self.patients.remove(p);
        self.matches.remove(p);
        self.rows.remove(p);
        let shift = |i: usize| if i > p { i - 1 } else { i };
        self.order.retain(|&i| i != p);
        for i in &mut self.order {
            *i = shift(*i);
        }
        self.visible = self.order.clone();
        self.trail.clear();
        self.close_patient_screens();
        self.load_decisions(decisions);
        self.refilter();
        self.explain();
        self.fit();
    }

    /// Back to the main screen with nothing open that names a patient or a study by index
    /// (the funnel is computed again when next opened).
    fn close_patient_screens(&mut self) {
        self.stack.truncate(1);
        self.worklist.funnel = None;
        self.modal = None;
        self.worklist.history = None;
        self.worklist.ask = None;
        self.worklist.requests.clear();
        self.explained.clear();
        self.drill = Default::default();
        self.missing_patient = 0;
    }

    /// The selected patient's id.
    fn selected_id(&self) -> Option<String> {
        self.selected_patient()
            .and_then(|p| self.rows.get(p))
            .map(|r| r.id.clone())
    }

    /// Selects the patient `id` in the list, when it is shown.
    fn select_id(&mut self, id: Option<&str>) {
        let Some(id) = id else { return };
        let at = self
            .visible
            .iter()
            .position(|&i| self.rows.get(i).is_some_and(|r| r.id == id));
        if let Some(pos) = at {
            if self.cursors[List::Patients].selected != pos {
                self.cursors[List::Matches] = Default::default();
            }
            self.cursors[List::Patients].selected = pos;
            if self.screen() == Screen::Main {
                self.fit();
            }
        }
    }
}

/// A file's name without its folder, for the status bar.
fn short(name: &str) -> String {
    let base = std::path::Path::new(name)
        .file_name()
        .map_or(name.to_string(), |n| n.to_string_lossy().into_owned());
    sanitize(&base)
}
