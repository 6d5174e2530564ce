//! Decisions as the `status` commands print them: an aligned table for people (local time,
//! data sanitised) or JSON for scripts (UTC, RFC 3339). In a history, a decision withdrawn as
//! entered in error keeps its row, marked in words (and struck through on a terminal), and
//! the withdrawal has a row of its own.

use super::{Decision, Entry, History};
use crate::text::{sanitize, truncate};
use chrono::{DateTime, Local, Utc};
use std::io::{self, Write};

/// What a withdrawn decision's row says, readable without colour or strike-through.
pub const WITHDRAWN: &str = "withdrawn (entered in error)";

/// The status column of a withdrawal's row.
pub const ENTERED_IN_ERROR: &str = "entered in error";

/// One printed row.
struct Row {
    seq: i64,
    at: DateTime<Utc>,
    patient: String,
    trial: String,
    status: String,
    who: String,
    /// What precedes the note, never struck through.
    mark: String,
    note: String,
    /// Status and note struck through (a withdrawn decision), where the output allows.
    struck: bool,
}

impl Row {
    fn decision(d: &Decision) -> Row {
        Row {
            seq: d.seq,
            at: d.at,
            patient: sanitize(&d.patient),
            trial: sanitize(&d.trial),
            status: d.status.label().to_string(),
            who: sanitize(&d.who),
            mark: String::new(),
            note: sanitize(&d.note),
            struck: false,
        }
    }
}

fn rows(entries: &[Entry<'_>]) -> Vec<Row> {
    entries
        .iter()
        .map(|e| match *e {
            Entry::Decision {
                decision,
                withdrawn: None,
            } => Row::decision(decision),
            Entry::Decision {
                decision,
                withdrawn: Some(w),
            } => Row {
                mark: format!("[{WITHDRAWN}, #{}] ", w.seq),
                struck: true,
                ..Row::decision(decision)
            },
            Entry::Withdrawal(w) => Row {
                seq: w.seq,
                at: w.at,
                patient: sanitize(&w.patient),
                trial: sanitize(&w.trial),
                status: ENTERED_IN_ERROR.to_string(),
                who: sanitize(&w.who),
                mark: format!("withdraws #{} ({})", w.withdraws, w.status.label()),
                note: if w.note.is_empty() {
                    String::new()
                } else {
                    format!(": {}", sanitize(&w.note))
                },
                struck: false,
            },
        })
        .collect()
}

/// One line per decision, under a header; `empty` is printed instead when there are none.
pub fn write_table(ds: &[Decision], empty: &str, out: &mut impl Write) -> io::Result<()> {
    let rows: Vec<Row> = ds.iter().map(Row::decision).collect();
    write_rows(&rows, empty, false, out)
}

/// A history as a table, oldest first: withdrawn decisions marked "withdrawn (entered in
/// error)" (and struck through when `strike`, for a terminal), withdrawals on rows of their
/// own. `empty` is printed instead when there is nothing.
pub fn write_history_table(
    h: &History,
    empty: &str,
    strike: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    write_rows(&rows(&h.entries()), empty, strike, out)
}

fn write_rows(rows: &[Row], empty: &str, strike: bool, out: &mut impl Write) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "{empty}");
    }
    let width =
        |f: fn(&Row) -> usize, head: &str| rows.iter().map(f).max().unwrap_or(0).max(head.len());
    let pw = width(|r| r.patient.chars().count().min(16), "Patient");
    let tw = width(|r| r.trial.chars().count().min(16), "Study");
    let sw = width(|r| r.status.chars().count(), "Status");
    let ww = width(|r| r.who.chars().count().min(16), "Who");
    writeln!(
        out,
        "{:>5}  {:<16}  {:<pw$}  {:<tw$}  {:<sw$}  {:<ww$}  Note",
        "#", "When", "Patient", "Study", "Status", "Who"
    )?;
    // SGR 9 / 29: strike-through on and off.
    let (on, off) = if strike {
        ("\x1b[9m", "\x1b[29m")
    } else {
        ("", "")
    };
    for r in rows {
        let (on, off) = if r.struck { (on, off) } else { ("", "") };
        let pad = sw.saturating_sub(r.status.chars().count());
        let note = if r.note.is_empty() {
            String::new()
        } else {
            format!("{on}{}{off}", r.note)
        };
        writeln!(
            out,
            "{:>5}  {:<16}  {:<pw$}  {:<tw$}  {on}{}{off}{:pad$}  {:<ww$}  {}{}",
            r.seq,
            r.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
            truncate(&r.patient, 16),
            truncate(&r.trial, 16),
            r.status,
            "",
            truncate(&r.who, 16),
            r.mark,
            note
        )?;
    }
    Ok(())
}

/// A JSON array of `{seq, patient, trial, status, note, who, at}`.
pub fn write_json(ds: &[Decision], out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, ds)?;
    writeln!(out)
}

/// A history as a JSON array, oldest first. A decision is `{seq, patient, trial, status, note,
/// who, at, withdrawn_by}` (`withdrawn_by`: the withdrawal's `seq`, or null); a withdrawal is
/// `{seq, patient, trial, status: "entered-in-error", withdraws, note, who, at}`.
pub fn write_history_json(h: &History, out: &mut impl Write) -> io::Result<()> {
    let rows: Vec<JsonEntry<'_>> = h
        .entries()
        .into_iter()
        .map(|e| match e {
            Entry::Decision {
                decision: d,
                withdrawn,
            } => JsonEntry {
                seq: d.seq,
                patient: &d.patient,
                trial: &d.trial,
                status: d.status.key(),
                withdraws: None,
                note: &d.note,
                who: &d.who,
                at: d.at,
                withdrawn_by: Some(withdrawn.map(|w| w.seq)),
            },
            Entry::Withdrawal(w) => JsonEntry {
                seq: w.seq,
                patient: &w.patient,
                trial: &w.trial,
                status: "entered-in-error",
                withdraws: Some(w.withdraws),
                note: &w.note,
                who: &w.who,
                at: w.at,
                withdrawn_by: None,
            },
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)
}

/// One history row in JSON, keys in the order of a decision's.
#[derive(serde::Serialize)]
struct JsonEntry<'a> {
    seq: i64,
    patient: &'a str,
    trial: &'a str,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    withdraws: Option<i64>,
    note: &'a str,
    who: &'a str,
    at: DateTime<Utc>,
    /// Present (null or a number) on decisions only.
    #[serde(skip_serializing_if = "Option::is_none")]
    withdrawn_by: Option<Option<i64>>,
}
