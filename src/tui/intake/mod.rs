//! Answering a missing fact where it is shown, in the app: the entry form ([`form`], shaped by
//! the fact's [`kind`]; the clinical kinds' fields in [`clinical`]; its answer made a fragment
//! in [`build`]), ask-next (form after form through a patient's missing facts, most
//! decisive first) and a new referral. `update` stays pure: saving queues a
//! `Request::Enter`; the event loop checks the fragment against the patient as it stands
//! (`intake::check::with_entry`, as `trialmatch entry add` does), stores it, and hands back
//! the merged profile and the verdicts it changed; a refused entry leaves the form open with
//! the reasons and nothing stored.

pub mod build;
pub mod clinical;
pub mod form;
pub mod kind;

pub use form::{Built, Field, Form, Purpose};
pub use kind::FactKind;

use crate::intake::check::{verdict_changes, with_entry};
use crate::intake::workspace::NO_FILE;
use crate::intake::{FactEntry, in_force};
use crate::load::patient_text;
use crate::patient::Profile;
use crate::rank::State;
use crate::text::sanitize;
use crate::tui::action::Action;
use crate::tui::app::{App, List, Screen};
use crate::tui::worklist::{Modal, Outcome, Request};
use crate::worklist::{NewEntry, Store};

/// A form's answer to check and store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRequest {
    /// The patient (an index), or None for a new referral.
    pub patient: Option<usize>,
    pub built: Built,
}

/// A stored entry: its number, the patient as it now stands, the verdicts it changed.
#[derive(Debug, Clone)]
pub struct Entered {
    pub seq: i64,
    pub id: String,
    pub profile: Box<Profile>,
    /// "CHEC CAR-NK AID: ? possible → ✔ eligible", one per study that changed (for a new
    /// referral: every study's verdict).
    pub changes: Vec<String>,
}

impl PartialEq for Entered {
    fn eq(&self, other: &Entered) -> bool {
        (self.seq, &self.id, &self.changes) == (other.seq, &other.id, &other.changes)
    }
}
impl Eq for Entered {}

/// Ask-next: the patient whose missing facts are being walked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskNext {
    pub patient: usize,
    /// The facts already put to the user (answered or skipped), not asked again.
    pub asked: Vec<String>,
    /// How many were answered.
    pub answered: usize,
    /// What the last answer changed ("Saved #12 … · …"), shown in the next form.
    pub last: Option<String>,
}

/// Checks an entry against the patient as it stands and stores it (see the module doc).
pub fn execute(store: &mut Store, app: &App, r: &EntryRequest) -> Outcome {
    Outcome::Entered {
        patient: r.patient,
        result: enter(store, app, r),
    }
}

fn enter(store: &mut Store, app: &App, r: &EntryRequest) -> Result<Entered, Vec<String>> {
    let one = |s: String| vec![s];
    let before = match r.patient {
        Some(p) => Some(
            app.patients()
                .get(p)
                .ok_or_else(|| one("that patient is no longer loaded".into()))?,
        ),
        None => None,
    };
    let id = match (before, &r.built.id) {
        (Some(p), _) => p.id().to_string(),
        (None, Some(id)) => id.clone(),
        (None, None) => return Err(one("a new referral needs an id".into())),
    };
    if before.is_none()
        && let Some(p) = app
            .patients()
            .iter()
            .find(|p| p.id().eq_ignore_ascii_case(&id))
    {
        return Err(one(format!(
            "Patient id: '{}' exists already; answer its missing facts instead",
            p.id()
        )));
    }
    let file = match before {
        Some(p) if p.file != NO_FILE => {
            Some(patient_text(&p.file).map_err(|e| one(e.to_string()))?)
        }
        _ => None,
    };
    let own = store.entries(Some(&id)).map_err(|e| one(e.to_string()))?;
    let own: Vec<FactEntry> = in_force(&own).cloned().collect();
    let b = &r.built;
    let candidate = FactEntry {
        seq: i64::MAX,
        patient: id.clone(),
        fragment: b.fragment.clone(),
        summary: b.summary.clone(),
        fact_date: b.fact_date,
        source: b.source.clone(),
        who: String::new(),
        at: chrono::Utc::now(),
        withdraws: None,
    };
    let mut profile = with_entry(file.as_deref(), &own, &candidate, app.as_of())?;
    if !profile.id().eq_ignore_ascii_case(&id) {
        return Err(one("an entry does not change a patient's id".into()));
    }
    profile.file = before.map_or(NO_FILE.to_string(), |p| p.file.clone());
    let stored = store
        .add_entry(&NewEntry {
            patient: &id,
            fragment: &b.fragment,
            summary: &b.summary,
            fact_date: b.fact_date,
            source: &b.source,
        })
        .map_err(|e| one(format!("not stored: {e}")))?;
    let changes = verdict_changes(app.trials(), before, &profile, app.as_of());
    Ok(Entered {
        seq: stored.seq,
        id,
        profile: Box::new(profile),
        changes,
    })
}

impl App {
    /// The form open, if one is.
    pub fn form(&self) -> Option<&Form> {
        match &self.modal {
            Some(Modal::Form(f)) => Some(f.as_ref()),
            _ => None,
        }
    }

    /// Ask-next, while it walks a patient's facts.
    pub fn ask_next(&self) -> Option<&AskNext> {
        self.worklist.ask.as_ref()
    }

    /// False (and says why) when entries cannot be stored.
    fn intake_ready(&mut self) -> bool {
        match self.worklist.error.clone() {
            Some(e) => {
                self.say(format!("Entries need the worklist database: {e}"), true);
                false
            }
            None => true,
        }
    }

    /// The answer keys outside a form: i (answer the fact shown), A (ask-next), N (new
    /// referral).
    pub(crate) fn intake_action(&mut self, action: Action) {
        if !self.intake_ready() {
            return;
        }
        match action {
            Action::Answer => match self.fact_here() {
                Some((p, fact)) => self.open_answer(p, &fact),
                None => self.say(
                    "No missing fact here: choose one on the missing-data screen, or an \
                     unknown criterion."
                        .into(),
                    true,
                ),
            },
            Action::AskNext => match self.current_patient() {
                Some(p) => {
                    self.worklist.ask = Some(AskNext {
                        patient: p,
                        ..AskNext::default()
                    });
                    self.ask_following();
                }
                None => self.say("No patient selected.".into(), true),
            },
            Action::NewReferral => {
                self.worklist.ask = None;
                self.modal = Some(Modal::Form(Box::new(Form::referral(self.as_of()))));
            }
            _ => {}
        }
    }

    /// The patient and missing fact the screen shows: the selected fact on the missing-data
    /// screen; the first missing fact of the selected (unknown) criterion in the drill-down.
    fn fact_here(&self) -> Option<(usize, String)> {
        match self.screen() {
            Screen::Missing => {
                let rows = self.missing_rows();
                let f = rows.get(self.cursor(List::Missing).selected)?;
                Some((self.missing_patient(), f.fact.clone()))
            }
            Screen::Criteria => {
                let rows = self.drill_rows();
                let r = rows.get(self.cursor(List::Criteria).selected)?;
                (r.state == State::Unknown)
                    .then(|| r.missing.first().cloned())
                    .flatten()
                    .map(|f| (self.drill().patient, f))
            }
            _ => None,
        }
    }

    fn open_answer(&mut self, patient: usize, fact: &str) {
        self.modal = Some(Modal::Form(Box::new(Form::answer(
            patient,
            fact,
            self.as_of(),
        ))));
    }

    /// Ask-next: the form for the patient's next missing fact not yet asked (most decisive
    /// first, only facts that could change a verdict), or the end of the walk.
    fn ask_following(&mut self) {
        let Some(ask) = self.worklist.ask.clone() else {
            return;
        };
        let next = self
            .missing_of(ask.patient)
            .into_iter()
            .filter(|f| !f.only_ruled_out())
            .find(|f| !ask.asked.contains(&f.fact));
        match next {
            Some(f) => {
                if let Some(a) = &mut self.worklist.ask {
                    a.asked.push(f.fact.clone());
                }
                self.open_answer(ask.patient, &f.fact);
            }
            None => {
                self.worklist.ask = None;
                self.modal = None;
                let id = self.rows().get(ask.patient).map_or("", |r| r.id.as_str());
                // What the last answer changed first: it is what the user waits to see.
                let last = ask.last.map(|l| format!("{l} · ")).unwrap_or_default();
                self.say(
                    format!(
                        "{last}Ask-next done for {id}, {} answered: no other missing fact could \
                         change a verdict",
                        ask.answered
                    ),
                    false,
                );
            }
        }
    }

    /// A key while the form is open (it takes every key). Returns false for the actions that
    /// still apply as usual (quit, resize).
    pub(crate) fn form_action(&mut self, action: Action) -> bool {
        let Some(Modal::Form(form)) = self.modal.as_mut() else {
            return false;
        };
        let typed = form.typed();
        let quit_asked = std::mem::replace(&mut form.quit_asked, false);
        let discard_asked = std::mem::replace(&mut form.discard_asked, false);
        match action {
            Action::Resize { .. } => {
                form.quit_asked = quit_asked;
                form.discard_asked = discard_asked;
                return false;
            }
            Action::Quit if typed && !quit_asked => {
                form.quit_asked = true;
                self.say(
                    "What was typed is not stored: Ctrl-C again quits without it, Enter saves it"
                        .into(),
                    true,
                );
            }
            Action::Quit => return false,
            Action::Down => form.move_focus(1),
            Action::Up => form.move_focus(-1),
            Action::Edit(e) => form.edit(e),
            Action::Confirm | Action::Open if !form.pending => match form.build() {
                Err(errors) => form.errors = errors,
                Ok(built) => {
                    form.errors.clear();
                    form.pending = true;
                    let patient = match &form.purpose {
                        Purpose::Answer { patient, .. } => Some(*patient),
                        Purpose::Referral => None,
                    };
                    self.worklist
                        .requests
                        .push(Request::Enter(EntryRequest { patient, built }));
                }
            },
            Action::Cancel | Action::Back if typed && !discard_asked => {
                form.discard_asked = true;
                self.say(
                    "What was typed is not stored: Esc again discards it, Enter saves it".into(),
                    true,
                );
            }
            Action::Cancel | Action::Back => {
                self.modal = None;
                if let Some(a) = self.worklist.ask.take() {
                    let id = self.rows().get(a.patient).map_or("", |r| r.id.as_str());
                    let text = format!("Ask-next stopped for {id}: {} answered", a.answered);
                    self.say(text, false);
                }
            }
            Action::Skip if self.worklist.ask.is_some() => self.ask_following(),
            _ => {}
        }
        true
    }

    /// Takes in what saving an entry came to.
    pub(crate) fn receive_entered(
        &mut self,
        patient: Option<usize>,
        result: Result<Entered, Vec<String>>,
    ) {
        match result {
            Err(reasons) => {
                let reasons: Vec<String> = reasons.iter().map(|r| sanitize(r)).collect();
                if let Some(Modal::Form(f)) = self.modal.as_mut() {
                    f.pending = false;
                    f.errors = reasons.clone();
                }
                self.say(
                    format!("Refused, nothing stored: {}", reasons.join("; ")),
                    true,
                );
            }
            Ok(e) => {
                let new = patient.is_none();
                let p = self.put_patient(patient, *e.profile, new);
                let changes = if e.changes.is_empty() {
                    "no verdict changed".to_string()
                } else {
                    e.changes.join(" · ")
                };
                let text = sanitize(&format!("Saved #{} for {} · {changes}", e.seq, e.id));
                self.modal = None;
                if new {
                    self.worklist.ask = Some(AskNext {
                        patient: p,
                        ..AskNext::default()
                    });
                }
                if let Some(a) = &mut self.worklist.ask
                    && a.patient == p
                {
                    a.answered += usize::from(!new);
                    a.last = Some(text.clone());
                }
                self.say(text, false);
                if self.worklist.ask.is_some() {
                    self.ask_following();
                }
            }
        }
        self.fit();
    }
}
