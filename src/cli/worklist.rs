//! `trialmatch status`: recording decisions in the worklist, withdrawing one entered in
//! error, listing the current ones and a patient's history, where the database is, and a
//! backup.

use super::args::{Inputs, ListFormat, StatusCommand};
use super::{Failed, find_patient, find_trial};
use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::Path;
use trialmatch::load::load_trials;
use trialmatch::text::sanitize;
use trialmatch::worklist::{Status, Store, print};

/// Runs one `status` subcommand.
pub fn status_command(
    inputs: &Inputs,
    command: StatusCommand,
    out: &mut impl Write,
) -> Result<(), Failed> {
    match command {
        StatusCommand::Set {
            patient,
            trial,
            status,
            note,
        } => record(inputs, &patient, &trial, status, &note, out),
        StatusCommand::List {
            patient,
            status,
            format,
        } => list(inputs, patient.as_deref(), status, format, out),
        StatusCommand::History {
            patient,
            trial,
            format,
        } => history(inputs, &patient, trial.as_deref(), format, out),
        StatusCommand::Path => Ok(writeln!(out, "{}", inputs.db_path()?.display())?),
        StatusCommand::Withdraw { seq, note } => withdraw(inputs, seq, &note, out),
        StatusCommand::Backup { file } => backup(inputs, &file, out),
    }
}

/// `status set`: a decision recorded for a loaded patient and a known study.
fn record(
    inputs: &Inputs,
    patient: &str,
    trial: &str,
    status: Status,
    note: &str,
    out: &mut impl Write,
) -> Result<(), Failed> {
    let ws = inputs.load();
    let (_, t) = find_trial(&ws.trials, trial)?;
    // Recorded under the file's own spelling of the id, whatever case was typed.
    let patient = find_patient(&ws, patient)?.id().to_string();
    let d = inputs.worklist()?.record(&patient, &t.id, status, note)?;
    // Printed only once the change is committed.
    writeln!(
        out,
        "#{} {} × {}: {} ({})",
        d.seq,
        sanitize(&d.patient),
        sanitize(&t.short_name),
        d.status.label(),
        by_whom_when(&d.who, d.at)
    )?;
    Ok(())
}

/// `status list`: the current decision of every pair, or of one patient's, or of those in
/// one status.
fn list(
    inputs: &Inputs,
    patient: Option<&str>,
    status: Option<Status>,
    format: ListFormat,
    out: &mut impl Write,
) -> Result<(), Failed> {
    // Reading never creates a database where a mistyped --db points.
    let store = Store::open_existing(&inputs.db_path()?)?;
    let mut ds = store.current(patient, status)?;
    // Nothing under the id as typed: the patient's own spelling, or why there is none
    // ("no patient 'P3' (did you mean 'P03'?)" rather than "No decisions recorded").
    if let Some(typed) = patient
        && ds.is_empty()
    {
        let id = known_patient(inputs, typed)?;
        if id != typed {
            ds = store.current(Some(&id), status)?;
        }
    }
    match format {
        ListFormat::Table => print::write_table(&ds, "No decisions recorded.", out)?,
        ListFormat::Json => print::write_json(&ds, out)?,
    }
    Ok(())
}

/// `status history`: every recorded change for a patient (optionally one study), oldest
/// first.
fn history(
    inputs: &Inputs,
    patient: &str,
    trial: Option<&str>,
    format: ListFormat,
    out: &mut impl Write,
) -> Result<(), Failed> {
    let trial_id = match trial {
        Some(name) => {
            let ws = load_trials(&inputs.trial_source());
            Some(find_trial(&ws.trials, name)?.1.id.clone())
        }
        None => None,
    };
    let store = Store::open_existing(&inputs.db_path()?)?;
    let mut h = store.history(patient, trial_id.as_deref())?;
    if h.decisions.is_empty() {
        let id = known_patient(inputs, patient)?;
        if id != patient {
            h = store.history(&id, trial_id.as_deref())?;
        }
    }
    match format {
        ListFormat::Table => {
            use std::io::IsTerminal;
            let empty = "No decisions recorded for this patient.";
            let strike = std::io::stdout().is_terminal();
            print::write_history_table(&h, empty, strike, out)?
        }
        ListFormat::Json => print::write_history_json(&h, out)?,
    }
    Ok(())
}

/// `status withdraw`: a decision withdrawn as entered in error, and what the pair's status
/// is now.
fn withdraw(inputs: &Inputs, seq: i64, note: &str, out: &mut impl Write) -> Result<(), Failed> {
    let mut store = Store::open_existing(&inputs.db_path()?)?;
    let w = store.withdraw(seq, note)?;
    let ws = load_trials(&inputs.trial_source());
    let study = ws
        .trials
        .iter()
        .find(|t| t.id == w.trial)
        .map_or(w.trial.as_str(), |t| t.short_name.as_str());
    let pair = format!("{} × {}", sanitize(&w.patient), sanitize(study));
    let now = store.current(Some(&w.patient), None)?;
    let now = now.iter().find(|d| d.trial == w.trial);
    // Printed only once the withdrawal is committed.
    writeln!(
        out,
        "#{} withdrew #{} ({pair}: {}) as entered in error ({})",
        w.seq,
        w.withdraws,
        w.status.label(),
        by_whom_when(&w.who, w.at)
    )?;
    match now {
        Some(d) => writeln!(out, "{pair} is now: {} (#{})", d.status.label(), d.seq)?,
        None => writeln!(out, "{pair} now has no status")?,
    }
    Ok(())
}

/// `status backup`: a consistent copy of the database in a new file.
fn backup(inputs: &Inputs, file: &Path, out: &mut impl Write) -> Result<(), Failed> {
    let store = Store::open_existing(&inputs.db_path()?)?;
    store.backup_to(file)?;
    writeln!(
        out,
        "backed up {} to {}",
        store.path().display(),
        file.display()
    )?;
    Ok(())
}

/// The loaded patient's own spelling of a typed id, or why there is none (with a suggestion).
fn known_patient(inputs: &Inputs, typed: &str) -> Result<String, Failed> {
    let ws = inputs.load();
    find_patient(&ws, typed).map(|p| p.id().to_string())
}

/// Who recorded a change and when, in local time: "by ann at 2026-11-22 09:30:00".
fn by_whom_when(who: &str, at: DateTime<Utc>) -> String {
    format!(
        "by {} at {}",
        sanitize(who),
        at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S")
    )
}
