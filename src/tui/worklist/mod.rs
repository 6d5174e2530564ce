//! The worklist in the UI, kept out of the pure `App::update`: `update` never touches the
//! database; it queues a [`Request`] (record a status, read a history, write a referral
//! summary). The event loop runs each request against the [`Store`] with [`execute`] and hands
//! the [`Outcome`] back to `App::receive`. Entering a fact goes the same way (`tui::intake`). Tests build an App with decisions and no database,
//! press keys, and read the queued requests.
//!
//! Here: the requests and their execution, the worklist's state in the App (decisions, status
//! filter, history screen, funnel); [`modal`] has the status picker and the note input,
//! [`actions`] the `impl App` for the worklist keys and outcomes, [`funnel`] the funnel
//! screen's (the whole history read, the funnel computed by `crate::screening`).

mod actions;
pub mod funnel;
pub mod modal;

pub use modal::{Modal, NoteForm, PickFor, Picker};

use crate::tui::app::App;
use crate::worklist::{Decision, History, Status, Store};
use chrono::FixedOffset;
use std::collections::HashMap;
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
    /// Read every decision, for the funnel screen.
    Funnel,
    /// Check a form's answer against the patient and store it (see `tui::intake`).
    Enter(crate::tui::intake::EntryRequest),
}

/// What a request came to; errors as display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Recorded {
        patient: usize,
        trial: usize,
        result: Result<Decision, String>,
    },
    /// A history of decisions alone (none withdrawn): what a test or an older caller gives.
    History {
        patient: usize,
        result: Result<Vec<Decision>, String>,
    },
    /// A history as the database holds it: decisions, withdrawn ones with their withdrawals.
    HistoryRead {
        patient: usize,
        result: Result<History, String>,
    },
    /// The referral summary of patient × study (indices), written or not.
    Exported {
        patient: usize,
        trial: usize,
        result: Result<PathBuf, String>,
    },
    /// Every decision and withdrawal, for the funnel screen.
    Funnel { result: Result<History, String> },
    /// A form's answer stored (the patient as it now stands), or refused with the reasons.
    Entered {
        patient: Option<usize>,
        result: Result<crate::tui::intake::Entered, Vec<String>>,
    },
}

/// Runs one request against the database. `app` supplies the ids, profiles and studies.
pub fn execute(store: &mut Store, app: &App, r: &Request) -> Outcome {
    let pid = |p: usize| app.patients().get(p).map(|p| p.id().to_string());
    let tid = |t: usize| app.trials().get(t).map(|t| t.id.clone());
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
        Request::History { patient } => Outcome::HistoryRead {
            patient: *patient,
            result: match pid(*patient) {
                Some(p) => store.history(&p, None).map_err(|e| e.to_string()),
                None => Err(gone()),
            },
        },
        Request::Export { patient, trial } => Outcome::Exported {
            patient: *patient,
            trial: *trial,
            result: match (app.patients().get(*patient), tid(*trial)) {
                (Some(p), Some(t)) => store
                    .history(p.id(), Some(&t))
                    .map_err(|e| e.to_string())
                    .and_then(|history| {
                        crate::export::write_referral(
                            &crate::export::referrals_dir(store.path()),
                            app.trials(),
                            *trial,
                            p,
                            app.as_of(),
                            &history,
                        )
                        .map_err(|e| e.to_string())
                    }),
                _ => Err(gone()),
            },
        },
        Request::Funnel => Outcome::Funnel {
            result: store.all_history().map_err(|e| e.to_string()),
        },
        Request::Enter(e) => crate::tui::intake::execute(store, app, e),
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

/// What the history screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryView {
    pub patient: usize,
    /// The study highlighted when the screen opened (a trial index), if any.
    pub study: Option<usize>,
    /// Only that study's decisions.
    pub only_study: bool,
    /// None while the database is read.
    pub entries: Option<Result<History, String>>,
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
    /// Ask-next, while it walks a patient's missing facts.
    pub ask: Option<crate::tui::intake::AskNext>,
    /// What the funnel screen shows, once opened.
    pub funnel: Option<funnel::FunnelView>,
}
