//! `trialmatch entry` and `trialmatch patient`: facts entered without a text editor (checked
//! like a file, stored append-only in the worklist with who, when and from what source), and
//! a patient's merged profile printed as a patient file.

use super::args::{EntryCommand, Inputs, ListFormat, PatientCommand};
use super::{Failed, find_patient};
use std::io::Write;
use trialmatch::intake::check::{verdict_changes, with_entry};
use trialmatch::intake::workspace::NO_FILE;
use trialmatch::intake::{FactEntry, apply, in_force};
use trialmatch::load::patient_text;
use trialmatch::text::sanitize;
use trialmatch::worklist::NewEntry;

/// Runs one `entry` subcommand.
pub fn entry_command(
    inputs: &Inputs,
    command: EntryCommand,
    out: &mut impl Write,
) -> Result<(), Failed> {
    match command {
        EntryCommand::Add {
            patient,
            facts,
            source,
            new,
        } => add(inputs, &patient, &facts, &source, new, out),
        EntryCommand::List { patient, format } => list(inputs, patient.as_deref(), format, out),
        EntryCommand::Withdraw { seq, note } => {
            let w = inputs.worklist()?.withdraw_entry(seq, &note)?;
            writeln!(
                out,
                "#{} withdraws entry #{} for {} (by {} at {})",
                w.seq,
                w.withdraws.unwrap_or_default(),
                sanitize(&w.patient),
                sanitize(&w.who),
                w.at.format("%Y-%m-%d %H:%M UTC")
            )?;
            Ok(())
        }
    }
}

/// Runs one `patient` subcommand.
pub fn patient_command(
    inputs: &Inputs,
    command: PatientCommand,
    out: &mut impl Write,
) -> Result<(), Failed> {
    match command {
        PatientCommand::Export { patient } => {
            let ws = inputs.load();
            let id = find_patient(&ws, &patient)?.id().to_string();
            let (file, own) = file_and_entries(inputs, &id)?;
            let text = apply(file.as_deref(), &own).map_err(|e| Failed(e.message))?;
            write!(out, "{text}")?;
            Ok(())
        }
        PatientCommand::Template => {
            let ws = trialmatch::load::load_trials(&inputs.trial_source());
            let text = trialmatch::intake::template::template(&ws.trials, inputs.as_of());
            write!(out, "{text}")?;
            Ok(())
        }
    }
}

/// The text of patient `id`'s file (None for a referral made in the app) and its entries.
fn file_and_entries(inputs: &Inputs, id: &str) -> Result<(Option<String>, Vec<FactEntry>), Failed> {
    let files = inputs.load_files();
    let file = match files
        .patients
        .iter()
        .find(|p| p.id().eq_ignore_ascii_case(id))
    {
        Some(p) if p.file != NO_FILE => {
            Some(patient_text(&p.file).map_err(|p| Failed(p.to_string()))?)
        }
        _ => None,
    };
    let own = inputs
        .entries()
        .map_err(|p| Failed(p.to_string()))?
        .into_iter()
        .filter(|e| e.patient.eq_ignore_ascii_case(id))
        .collect();
    Ok((file, own))
}

/// The first `date` (or `start`, `onset`) written in a fragment: the fact's own date.
fn fact_date(t: &toml::Table) -> Option<chrono::NaiveDate> {
    for key in ["date", "start", "onset"] {
        if let Some(toml::Value::Datetime(d)) = t.get(key) {
            let d = d.date?;
            return chrono::NaiveDate::from_ymd_opt(
                i32::from(d.year),
                u32::from(d.month),
                u32::from(d.day),
            );
        }
    }
    t.values().find_map(|v| match v {
        toml::Value::Table(t) => fact_date(t),
        toml::Value::Array(items) => items.iter().find_map(|i| i.as_table().and_then(fact_date)),
        _ => None,
    })
}

/// `entry add`: checked against the patient as it stands, stored, and the verdicts it changed.
fn add(
    inputs: &Inputs,
    patient: &str,
    facts: &str,
    source: &str,
    new: bool,
    out: &mut impl Write,
) -> Result<(), Failed> {
    let mut table: toml::Table = facts.parse().map_err(|e: toml::de::Error| {
        Failed(format!(
            "the facts are not in the patient-file format: {} (write them as in a patient \
             file, e.g. 'cardiac = {{ lvef = 58 }}' or 'lab = [{{ name = \"alt\", value = 40, \
             unit = \"U/L\", date = 2026-11-20 }}]')",
            e.message().trim()
        ))
    })?;
    let ws = inputs.load();
    let before = if new {
        if let Some(p) = ws
            .patients
            .iter()
            .find(|p| p.id().eq_ignore_ascii_case(patient.trim()))
        {
            return Err(Failed(format!(
                "patient '{}' exists already; leave out --new to add facts to it",
                sanitize(p.id())
            )));
        }
        match table.get("id").and_then(|v| v.as_str()) {
            Some(id) if id.trim() != patient.trim() => {
                return Err(Failed(format!(
                    "the facts give the id '{}', the command '{}'; give one id",
                    sanitize(id),
                    sanitize(patient)
                )));
            }
            _ => {
                table.insert("id".into(), toml::Value::String(patient.trim().to_string()));
            }
        }
        None
    } else {
        if table.contains_key("id") {
            return Err(Failed(
                "an entry does not change a patient's id; leave `id` out".into(),
            ));
        }
        Some(find_patient(&ws, patient)?.clone())
    };
    let id = before
        .as_ref()
        .map_or(patient.trim().to_string(), |p| p.id().to_string());
    // The fragment as stored: the facts as typed (with the id of a new referral first).
    let fragment = if new {
        toml::to_string(&table).map_err(|e| Failed(e.to_string()))?
    } else {
        facts.to_string()
    };
    let summary: String = facts.split_whitespace().collect::<Vec<_>>().join(" ");
    let (file, own) = file_and_entries(inputs, &id)?;
    let candidate = FactEntry {
        seq: i64::MAX,
        patient: id.clone(),
        fragment: fragment.clone(),
        summary: summary.clone(),
        fact_date: fact_date(&table),
        source: source.to_string(),
        who: String::new(),
        at: chrono::Utc::now(),
        withdraws: None,
    };
    let own_in_force: Vec<FactEntry> = in_force(&own).cloned().collect();
    let after =
        with_entry(file.as_deref(), &own_in_force, &candidate, inputs.as_of()).map_err(|why| {
            Failed(format!(
                "nothing was stored; the entry is refused: {}",
                why.join("; ")
            ))
        })?;
    let stored = inputs.worklist()?.add_entry(&NewEntry {
        patient: &id,
        fragment: &fragment,
        summary: &summary,
        fact_date: candidate.fact_date,
        source,
    })?;
    writeln!(
        out,
        "#{} entered for {}: {} ({})",
        stored.seq,
        sanitize(&id),
        sanitize(&stored.summary),
        sanitize(&stored.provenance())
    )?;
    let changes = verdict_changes(&ws.trials, before.as_ref(), &after, inputs.as_of());
    if changes.is_empty() {
        writeln!(out, "No verdict changed.")?;
    }
    for c in changes {
        writeln!(out, "  {}", sanitize(&c))?;
    }
    Ok(())
}

/// `entry list`: entries oldest first, withdrawn ones marked.
fn list(
    inputs: &Inputs,
    patient: Option<&str>,
    format: ListFormat,
    out: &mut impl Write,
) -> Result<(), Failed> {
    let mut entries = inputs.entries().map_err(|p| Failed(p.to_string()))?;
    if let Some(id) = patient {
        entries.retain(|e| e.patient.eq_ignore_ascii_case(id.trim()));
    }
    if let ListFormat::Json = format {
        serde_json::to_writer_pretty(&mut *out, &entries).map_err(|e| Failed(e.to_string()))?;
        writeln!(out)?;
        return Ok(());
    }
    if entries.is_empty() {
        writeln!(
            out,
            "No facts entered{}.",
            patient.map_or(String::new(), |p| format!(" for {}", sanitize(p)))
        )?;
        return Ok(());
    }
    for e in &entries {
        let withdrawn = entries
            .iter()
            .find(|w| w.withdraws == Some(e.seq))
            .map_or(String::new(), |w| format!(" [withdrawn by #{}]", w.seq));
        match e.withdraws {
            Some(of) => writeln!(
                out,
                "#{} {} withdraws #{of}: {} ({} at {})",
                e.seq,
                sanitize(&e.patient),
                sanitize(&e.summary),
                sanitize(&e.who),
                e.at.format("%Y-%m-%d %H:%M UTC")
            )?,
            None => writeln!(
                out,
                "#{} {} {}{}{withdrawn} — {}",
                e.seq,
                sanitize(&e.patient),
                sanitize(&e.summary),
                e.fact_date
                    .map_or(String::new(), |d| format!(" (dated {d})")),
                sanitize(&e.provenance())
            )?,
        }
    }
    Ok(())
}
