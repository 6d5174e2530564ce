//! Reading the worklist: the current decision of each pair, and a patient's history.

use super::{Store, StoreError, parse_stamp, sql};
use crate::worklist::{Decision, History, Status, Withdrawal};
use rusqlite::params;

impl Store {
    /// The current decision of every pair with one, by patient then study, optionally only
    /// one patient's or only those now in one status. A pair's current decision is its latest
    /// that was not withdrawn; a pair whose decisions were all withdrawn has none.
    pub fn current(
        &self,
        patient: Option<&str>,
        status: Option<Status>,
    ) -> Result<Vec<Decision>, StoreError> {
        let rows = self.query(
            "SELECT d.id, d.patient_id, d.trial_id, d.status, d.note, d.who, d.at, d.withdraws
             FROM decision d
             JOIN (SELECT max(x.id) AS id FROM decision x
                   WHERE x.withdraws IS NULL
                     AND (?1 IS NULL OR x.patient_id = ?1)
                     AND NOT EXISTS (SELECT 1 FROM decision w WHERE w.withdraws = x.id)
                   GROUP BY x.patient_id, x.trial_id) l
               ON d.id = l.id
             WHERE (?2 IS NULL OR d.status = ?2)
             ORDER BY d.patient_id, d.trial_id",
            params![patient, status.map(Status::key)],
        )?;
        Ok(rows.decisions)
    }

    /// Every entry of one patient (or one patient × study), oldest first: the decisions,
    /// withdrawn or not, and the withdrawals.
    /// With them, the facts entered in the app for the patient.
    pub fn history(&self, patient: &str, trial: Option<&str>) -> Result<History, StoreError> {
        let mut h = self.query(
            "SELECT id, patient_id, trial_id, status, note, who, at, withdraws FROM decision
             WHERE patient_id = ?1 AND (?2 IS NULL OR trial_id = ?2)
             ORDER BY id",
            params![patient, trial],
        )?;
        h.entered = self.entries(Some(patient))?;
        Ok(h)
    }

    /// Every decision and withdrawal of every patient and study, oldest first (no entered
    /// facts): what the screening log and its funnel read (`crate::screening`).
    pub fn all_history(&self) -> Result<History, StoreError> {
        self.query(
            "SELECT id, patient_id, trial_id, status, note, who, at, withdraws FROM decision
             ORDER BY id",
            [],
        )
    }

    /// The worklist's pseudonym key (made once, when the database was created or migrated to
    /// schema version 5): what `--deidentify` keys each patient's pseudonym with.
    pub fn pseudonym_key(&self) -> Result<[u8; 32], StoreError> {
        let key: Vec<u8> = self
            .conn
            .query_row("SELECT key FROM pseudonym_key WHERE id = 1", [], |r| {
                r.get(0)
            })
            .map_err(|e| sql(&self.path, e))?;
        key.try_into().map_err(|k: Vec<u8>| StoreError::Corrupt {
            path: self.path.clone(),
            detail: format!("the pseudonym key has {} bytes, not 32", k.len()),
        })
    }

    fn query(&self, q: &str, args: impl rusqlite::Params) -> Result<History, StoreError> {
        let err = |e| sql(&self.path, e);
        let mut stmt = self.conn.prepare_cached(q).map_err(err)?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                ))
            })
            .map_err(err)?;
        let mut out = History::default();
        for row in rows {
            let (seq, patient, trial, status, note, who, at, withdraws) = row.map_err(err)?;
            let bad = |what: &str, v: &str| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("decision {seq} has {what} '{v}'"),
            };
            let status = Status::parse(&status).ok_or_else(|| bad("the status", &status))?;
            let at = parse_stamp(&at).ok_or_else(|| bad("the time", &at))?;
            let row = Decision {
                seq,
                patient,
                trial,
                status,
                note,
                who,
                at,
            };
            match withdraws {
                Some(withdraws) => out.withdrawals.push(Withdrawal::of(row, withdraws)),
                None => out.decisions.push(row),
            }
        }
        Ok(out)
    }
}
