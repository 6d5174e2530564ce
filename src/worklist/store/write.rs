//! Writing the worklist: a decision or the withdrawal of one appended, each in its own
//! immediate transaction, and a consistent copy of the whole database.

use super::{Store, StoreError, parse_stamp, sql, stamp};
use crate::worklist::{Decision, NOTE_MAX, Status, Withdrawal};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use std::path::Path;

impl Store {
    /// Writes a consistent copy of the whole database to `dest`, a new file created
    /// owner-only (an existing file is never replaced), all or nothing: the copy is made and
    /// synced beside it under a temporary name and only then named `dest`
    /// ([`crate::fsutil::write_new_private`]). Safe while others are writing.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.to_str().is_none() {
            return Err(StoreError::Invalid(format!(
                "{}: the backup path must be valid UTF-8",
                dest.display()
            )));
        }
        let mut failed: Option<rusqlite::Error> = None;
        let written =
            crate::fsutil::write_new_private(dest, crate::fsutil::Durability::Synced, |_, temp| {
                let to = temp.to_str().ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "not valid UTF-8")
                })?;
                // VACUUM INTO fills the empty temporary file with a compacted copy.
                self.conn
                    .execute("VACUUM INTO ?1", [to])
                    .map(|_| ())
                    .map_err(|e| {
                        let io = std::io::Error::other(e.to_string());
                        failed = Some(e);
                        io
                    })
            });
        match (written, failed) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(e)) => Err(sql(dest, e)),
            (Err(e), None) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(StoreError::Invalid(format!(
                    "{}: already exists and was not replaced; choose a new file name",
                    dest.display()
                )))
            }
            (Err(source), None) => Err(StoreError::Io {
                path: dest.to_path_buf(),
                source,
            }),
        }
    }

    /// Records a change by the OS user, now.
    pub fn record(
        &mut self,
        patient: &str,
        trial: &str,
        status: Status,
        note: &str,
    ) -> Result<Decision, StoreError> {
        self.record_as(
            patient,
            trial,
            status,
            note,
            &crate::worklist::os_user(),
            Utc::now(),
        )
    }

    /// Appends one decision in its own transaction and returns it as stored.
    pub fn record_as(
        &mut self,
        patient: &str,
        trial: &str,
        status: Status,
        note: &str,
        who: &str,
        at: DateTime<Utc>,
    ) -> Result<Decision, StoreError> {
        if patient.trim().is_empty() || trial.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a decision needs a patient id and a study id".into(),
            ));
        }
        let note = checked_note(note)?;
        let (tx, path) = self.begin()?;
        let err = |e| sql(&path, e);
        tx.execute(
            "INSERT INTO decision (patient_id, trial_id, status, note, who, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![patient, trial, status.key(), note, who, stamp(at)],
        )
        .map_err(err)?;
        let seq = tx.last_insert_rowid();
        tx.commit().map_err(err)?;
        Ok(Decision {
            seq,
            patient: patient.to_string(),
            trial: trial.to_string(),
            status,
            note: note.to_string(),
            who: who.to_string(),
            at: stored_time(at),
        })
    }

    /// Withdraws decision `seq` as entered in error, by the OS user, now.
    pub fn withdraw(&mut self, seq: i64, note: &str) -> Result<Withdrawal, StoreError> {
        self.withdraw_as(seq, note, &crate::worklist::os_user(), Utc::now())
    }

    /// Appends the withdrawal of decision `seq` (entered in error) in its own transaction and
    /// returns it as stored. The decision must exist, be a decision (not a withdrawal), and
    /// not be withdrawn already; the database refuses anything else too.
    pub fn withdraw_as(
        &mut self,
        seq: i64,
        note: &str,
        who: &str,
        at: DateTime<Utc>,
    ) -> Result<Withdrawal, StoreError> {
        let note = checked_note(note)?;
        let (tx, path) = self.begin()?;
        let err = |e| sql(&path, e);
        let row: Option<(String, String, String, Option<i64>)> = tx
            .query_row(
                "SELECT patient_id, trial_id, status, withdraws FROM decision WHERE id = ?1",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(err)?;
        let (patient, trial, status) = match row {
            None => {
                return Err(StoreError::Invalid(format!(
                    "no decision #{seq} is recorded in {}; `trialmatch status history \
                     PATIENT` shows the numbers",
                    path.display()
                )));
            }
            Some((.., Some(of))) => {
                return Err(StoreError::Invalid(format!(
                    "#{seq} is itself a withdrawal (of #{of}), not a decision; to restore \
                     that decision, record its status again with `status set`"
                )));
            }
            Some((patient, trial, status, None)) => (patient, trial, status),
        };
        let by: Option<i64> = tx
            .query_row("SELECT id FROM decision WHERE withdraws = ?1", [seq], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        if let Some(by) = by {
            return Err(StoreError::Invalid(format!(
                "decision #{seq} is already withdrawn (by #{by})"
            )));
        }
        let parsed = Status::parse(&status).ok_or_else(|| StoreError::Corrupt {
            path: path.clone(),
            detail: format!("decision {seq} has the status '{status}'"),
        })?;
        tx.execute(
            "INSERT INTO decision (patient_id, trial_id, status, note, who, at, withdraws)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![patient, trial, status, note, who, stamp(at), seq],
        )
        .map_err(err)?;
        let new_seq = tx.last_insert_rowid();
        tx.commit().map_err(err)?;
        Ok(Withdrawal {
            seq: new_seq,
            withdraws: seq,
            patient,
            trial,
            status: parsed,
            note: note.to_string(),
            who: who.to_string(),
            at: stored_time(at),
        })
    }
}

/// A time as the database holds it: to the millisecond.
fn stored_time(at: DateTime<Utc>) -> DateTime<Utc> {
    parse_stamp(&stamp(at)).unwrap_or(at)
}

/// A note as stored: trimmed, and refused when longer than [`NOTE_MAX`] characters.
pub(super) fn checked_note(note: &str) -> Result<&str, StoreError> {
    let chars = note.chars().count();
    if chars > NOTE_MAX {
        return Err(StoreError::Invalid(format!(
            "the note has {chars} characters; at most {NOTE_MAX} are kept"
        )));
    }
    Ok(note.trim())
}
