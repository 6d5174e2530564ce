//! Decisions as the `status` commands print them: an aligned table for people (local time,
//! data sanitised) or JSON for scripts (UTC, RFC 3339).

use super::Decision;
use crate::text::{sanitize, truncate};
use chrono::Local;
use std::io::{self, Write};

/// One line per decision, under a header; `empty` is printed instead when there are none.
pub fn write_table(ds: &[Decision], empty: &str, out: &mut impl Write) -> io::Result<()> {
    if ds.is_empty() {
        return writeln!(out, "{empty}");
    }
    let width =
        |f: fn(&Decision) -> usize, head: &str| ds.iter().map(f).max().unwrap_or(0).max(head.len());
    let pw = width(|d| sanitize(&d.patient).chars().count().min(16), "Patient");
    let tw = width(|d| sanitize(&d.trial).chars().count().min(16), "Study");
    let sw = width(|d| d.status.label().len(), "Status");
    let ww = width(|d| sanitize(&d.who).chars().count().min(16), "Who");
    writeln!(
        out,
        "{:>5}  {:<16}  {:<pw$}  {:<tw$}  {:<sw$}  {:<ww$}  Note",
        "#", "When", "Patient", "Study", "Status", "Who"
    )?;
    for d in ds {
        writeln!(
            out,
            "{:>5}  {:<16}  {:<pw$}  {:<tw$}  {:<sw$}  {:<ww$}  {}",
            d.seq,
            d.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
            truncate(&sanitize(&d.patient), 16),
            truncate(&sanitize(&d.trial), 16),
            d.status.label(),
            truncate(&sanitize(&d.who), 16),
            sanitize(&d.note)
        )?;
    }
    Ok(())
}

/// A JSON array of `{seq, patient, trial, status, note, who, at}`.
pub fn write_json(ds: &[Decision], out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, ds)?;
    writeln!(out)
}
