//! `trialmatch log`: the screening and enrolment log with each study's funnel, for a period, as
//! a table, CSV or JSON, identified or deidentified. The log itself is built by
//! `trialmatch::screening` (as the UI's funnel screen is); here the inputs are gathered — the
//! files with the entered facts, every patient's verdicts, the worklist's history and, for a
//! deidentified log, its pseudonym key — and the notes go to standard error.

use super::args::{Format, Inputs};
use super::{Failed, exit_status, find_trial};
use rayon::prelude::*;
use std::io::{self, Write};
use std::process::ExitCode;
use trialmatch::load::Workspace;
use trialmatch::rank::{Verdict, match_trial_with};
use trialmatch::screening::{self, Period, Pseudonyms, Sources, Subjects};
use trialmatch::worklist::{History, Store, StoreError};

/// What `log` was asked for.
pub struct How<'a> {
    /// One study (id or short name), else all.
    pub trial: Option<&'a str>,
    pub period: Period,
    pub format: Format,
    pub deidentify: bool,
}

/// Runs `log`: a failure before anything is written is a message and exit status 1; a failed
/// write (a closed pipe) is an I/O error, as for `report`.
pub fn log(inputs: &Inputs, how: &How<'_>, out: &mut impl Write) -> io::Result<ExitCode> {
    let ws = inputs.load();
    let ready = match prepare(inputs, how, &ws) {
        Ok(r) => r,
        Err(f) => return Ok(exit_status(Err(f), out)),
    };
    let Ready { log, who } = ready;
    let funnels = screening::funnel(&log);
    let doc = screening::LogDoc {
        log: &log,
        funnels: &funnels,
        trials: &ws.trials,
        patients: &ws.patients,
        who: &who,
    };
    match how.format {
        Format::Table => screening::write_table(&doc, out)?,
        Format::Csv => screening::write_csv(&doc, out)?,
        Format::Json => screening::write_json(&doc, out)?,
    }
    // Counts only: no id, name or path (the log may be deidentified).
    let mut err = io::stderr().lock();
    if !ws.problems.is_empty() {
        writeln!(
            err,
            "trialmatch: note: {} problem(s) in the input files; `trialmatch check` lists them",
            ws.problems.len()
        )?;
    }
    if !matches!(how.format, Format::Table) {
        if log.undated > 0 {
            writeln!(
                err,
                "trialmatch: note: {} candidate(s) with no decision and no referral date are \
                 not placed in the period",
                log.undated
            )?;
        }
        if log.not_loaded > 0 {
            writeln!(
                err,
                "trialmatch: note: {} patient × study pair(s) with decisions are left out: the \
                 patient or study is not loaded",
                log.not_loaded
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The log built, and how it names its patients.
struct Ready {
    log: screening::Log,
    who: Subjects,
}

fn prepare(inputs: &Inputs, how: &How<'_>, ws: &Workspace) -> Result<Ready, Failed> {
    if let (Some(from), Some(to)) = (how.period.from, how.period.to)
        && from > to
    {
        return Err(Failed(format!(
            "--from {from} is after --to {to}: no day is in that period"
        )));
    }
    let studies: Vec<usize> = match how.trial {
        Some(name) => vec![find_trial(&ws.trials, name)?.0],
        None => (0..ws.trials.len()).collect(),
    };
    // Reading only: a log never creates a worklist where a mistyped --db points.
    let path = inputs.db_path()?;
    let (history, pseudonyms) = match Store::open_existing(&path) {
        Ok(store) => {
            let key = match how.deidentify {
                true => Some(Pseudonyms::new(store.pseudonym_key()?)),
                false => None,
            };
            (store.all_history()?, key)
        }
        Err(e @ StoreError::Missing { .. }) if how.deidentify => {
            return Err(Failed(format!(
                "{e}. A deidentified log needs the worklist: its pseudonyms are keyed with the \
                 worklist's own secret"
            )));
        }
        Err(e @ StoreError::Missing { .. }) => {
            let _ = writeln!(
                io::stderr(),
                "trialmatch: note: {e}; the log lists trialmatch's candidates only"
            );
            (History::default(), None)
        }
        Err(e) => return Err(e.into()),
    };
    let as_of = inputs.as_of();
    // Each patient's verdict for each study of the log, on the fast path.
    let verdicts: Vec<Vec<Option<Verdict>>> = ws
        .patients
        .par_iter()
        .map(|p| {
            let mut v = vec![None; ws.trials.len()];
            for &t in &studies {
                if let (Some(trial), Some(slot)) = (ws.trials.get(t), v.get_mut(t)) {
                    let m = match_trial_with(t, trial, p, as_of, false);
                    *slot = m.cohorts.first().map(|c| c.verdict());
                }
            }
            v
        })
        .collect();
    let src = Sources {
        trials: &ws.trials,
        patients: &ws.patients,
        as_of,
        history: &history,
        explain: true,
    };
    let log = screening::build(
        &src,
        |p, t| verdicts.get(p)?.get(t).copied().flatten(),
        |at| at.with_timezone(&chrono::Local).date_naive(),
        &studies,
        how.period,
    );
    let who = match &pseudonyms {
        Some(p) => Subjects::pseudonymised(&log, &ws.patients, p).map_err(Failed)?,
        None => Subjects::identified(),
    };
    Ok(Ready { log, who })
}
