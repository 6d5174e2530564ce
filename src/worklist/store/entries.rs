//! Facts entered in the app, kept beside the decisions: each entry appended in its own
//! immediate transaction, a mistake withdrawn by a row naming it, nothing edited or deleted.

use super::{Store, StoreError, parse_stamp, sql, stamp};
use crate::intake::FactEntry;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

/// Longest fragment accepted, in bytes: one referral's facts, not a file dump.
pub const FRAGMENT_MAX: usize = 64 * 1024;

/// What is entered: the fragment and its description.
#[derive(Debug, Clone, Default)]
pub struct NewEntry<'a> {
    pub patient: &'a str,
    /// The fact(s) in the patient-file format.
    pub fragment: &'a str,
    /// What was entered, in words.
    pub summary: &'a str,
    pub fact_date: Option<NaiveDate>,
    /// Where it came from ("phone, Dr Tan"); may be empty.
    pub source: &'a str,
}

impl Store {
    /// Appends an entry by the OS user, now.
    pub fn add_entry(&mut self, new: &NewEntry) -> Result<FactEntry, StoreError> {
        self.add_entry_as(new, &crate::worklist::os_user(), Utc::now())
    }

    /// Appends one entry in its own transaction and returns it as stored. The fragment must
    /// be a TOML table (the patient-file format); whether its facts are valid is for the
    /// caller to check against the patient before storing (see `intake`).
    pub fn add_entry_as(
        &mut self,
        new: &NewEntry,
        who: &str,
        at: DateTime<Utc>,
    ) -> Result<FactEntry, StoreError> {
        let patient = new.patient.trim();
        if patient.is_empty() {
            return Err(StoreError::Invalid("an entry needs a patient id".into()));
        }
        if new.fragment.len() > FRAGMENT_MAX {
            return Err(StoreError::Invalid(format!(
                "the entry has {} bytes; at most {FRAGMENT_MAX} are kept",
                new.fragment.len()
            )));
        }
        match new.fragment.parse::<toml::Table>() {
            Ok(t) if !t.is_empty() => {}
            Ok(_) => return Err(StoreError::Invalid("the entry holds no fact".into())),
            Err(e) => {
                return Err(StoreError::Invalid(format!(
                    "the entry is not in the patient-file format: {}",
                    e.message().trim()
                )));
            }
        }
        let summary = super::write::checked_note(new.summary)?;
        let source = super::write::checked_note(new.source)?;
        let (tx, path) = self.begin()?;
        let err = |e| sql(&path, e);
        tx.execute(
            "INSERT INTO fact_entry (patient_id, fragment, summary, fact_date, source, who, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                patient,
                new.fragment,
                summary,
                new.fact_date.map(|d| d.to_string()),
                source,
                who,
                stamp(at)
            ],
        )
        .map_err(err)?;
        let seq = tx.last_insert_rowid();
        tx.commit().map_err(err)?;
        Ok(FactEntry {
            seq,
            patient: patient.to_string(),
            fragment: new.fragment.to_string(),
            summary: summary.to_string(),
            fact_date: new.fact_date,
            source: source.to_string(),
            who: who.to_string(),
            at: parse_stamp(&stamp(at)).unwrap_or(at),
            withdraws: None,
        })
    }

    /// Withdraws entry `seq` as entered in error, by the OS user, now.
    pub fn withdraw_entry(&mut self, seq: i64, why: &str) -> Result<FactEntry, StoreError> {
        self.withdraw_entry_as(seq, why, &crate::worklist::os_user(), Utc::now())
    }

    /// Appends the withdrawal of entry `seq` in its own transaction. The entry must exist, be
    /// an entry (not a withdrawal), and not be withdrawn already; the database refuses
    /// anything else too.
    pub fn withdraw_entry_as(
        &mut self,
        seq: i64,
        why: &str,
        who: &str,
        at: DateTime<Utc>,
    ) -> Result<FactEntry, StoreError> {
        let why = super::write::checked_note(why)?;
        let (tx, path) = self.begin()?;
        let err = |e| sql(&path, e);
        let row: Option<(String, Option<i64>)> = tx
            .query_row(
                "SELECT patient_id, withdraws FROM fact_entry WHERE id = ?1",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(err)?;
        let patient = match row {
            None => {
                return Err(StoreError::Invalid(format!(
                    "no entry #{seq} is recorded in {}; `trialmatch entry list PATIENT` shows \
                     the numbers",
                    path.display()
                )));
            }
            Some((_, Some(of))) => {
                return Err(StoreError::Invalid(format!(
                    "#{seq} is itself a withdrawal (of #{of}); to restore that entry, enter \
                     the fact again"
                )));
            }
            Some((patient, None)) => patient,
        };
        let by: Option<i64> = tx
            .query_row(
                "SELECT id FROM fact_entry WHERE withdraws = ?1",
                [seq],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        if let Some(by) = by {
            return Err(StoreError::Invalid(format!(
                "entry #{seq} is already withdrawn (by #{by})"
            )));
        }
        tx.execute(
            "INSERT INTO fact_entry (patient_id, fragment, summary, source, who, at, withdraws)
             VALUES (?1, '', ?2, '', ?3, ?4, ?5)",
            params![patient, why, who, stamp(at), seq],
        )
        .map_err(err)?;
        let new_seq = tx.last_insert_rowid();
        tx.commit().map_err(err)?;
        Ok(FactEntry {
            seq: new_seq,
            patient,
            fragment: String::new(),
            summary: why.to_string(),
            fact_date: None,
            source: String::new(),
            who: who.to_string(),
            at: parse_stamp(&stamp(at)).unwrap_or(at),
            withdraws: Some(seq),
        })
    }

    /// Every entry and withdrawal, of one patient or of all, in the order entered.
    pub fn entries(&self, patient: Option<&str>) -> Result<Vec<FactEntry>, StoreError> {
        let err = |e| sql(&self.path, e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, patient_id, fragment, summary, fact_date, source, who, at, withdraws
                 FROM fact_entry WHERE (?1 IS NULL OR patient_id = ?1) ORDER BY id",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([patient], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                ))
            })
            .map_err(err)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, patient, fragment, summary, fact_date, source, who, at, withdraws) =
                row.map_err(err)?;
            let bad = |what: &str, v: &str| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("entry {seq} has {what} '{v}'"),
            };
            let at = parse_stamp(&at).ok_or_else(|| bad("the time", &at))?;
            let fact_date = match fact_date {
                Some(d) => Some(
                    NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                        .map_err(|_| bad("the fact date", &d))?,
                ),
                None => None,
            };
            out.push(FactEntry {
                seq,
                patient,
                fragment,
                summary,
                fact_date,
                source,
                who,
                at,
                withdraws,
            });
        }
        Ok(out)
    }
}
