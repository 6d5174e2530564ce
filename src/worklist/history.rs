//! The worklist's history as the program sees it: decisions, withdrawals of decisions entered
//! in error, and a pair's or patient's history with both in the order they were recorded.

use super::Status;
use chrono::{DateTime, Utc};

/// One recorded change of a patient × study pair.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// Order of recording, increasing.
    pub seq: i64,
    pub patient: String,
    pub trial: String,
    #[serde(serialize_with = "status_key")]
    pub status: Status,
    pub note: String,
    pub who: String,
    pub at: DateTime<Utc>,
}

fn status_key<S: serde::Serializer>(s: &Status, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.key())
}

/// A decision withdrawn as entered in error (say, recorded for the wrong patient): a row of its
/// own in the history, appended like any change, naming the decision it withdraws. The
/// decision stays in the history, shown struck through, and no longer counts for the current
/// status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// This entry's place in the history (the same sequence as decisions).
    pub seq: i64,
    /// The decision withdrawn.
    pub withdraws: i64,
    pub patient: String,
    pub trial: String,
    /// The status of the decision withdrawn.
    pub status: Status,
    /// Why it was entered in error.
    pub note: String,
    pub who: String,
    pub at: DateTime<Utc>,
}

impl Withdrawal {
    /// The withdrawal of decision `withdraws` from a history row, which has a decision's
    /// fields: its own number, note, who and when, and the patient, study and status of the
    /// decision it withdraws.
    pub(super) fn of(row: Decision, withdraws: i64) -> Withdrawal {
        Withdrawal {
            seq: row.seq,
            withdraws,
            patient: row.patient,
            trial: row.trial,
            status: row.status,
            note: row.note,
            who: row.who,
            at: row.at,
        }
    }
}

/// A patient's (or one patient × study's) history, oldest first: every decision, withdrawn
/// or not, and every withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    pub decisions: Vec<Decision>,
    pub withdrawals: Vec<Withdrawal>,
    /// The facts entered in the app for the patient (and their withdrawals), in the order
    /// entered: where the facts the verdicts read came from.
    pub entered: Vec<crate::intake::FactEntry>,
}

/// One row of a [`History`] in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A decision, with the withdrawal that took it back if there is one.
    Decision {
        decision: &'a Decision,
        withdrawn: Option<&'a Withdrawal>,
    },
    /// The withdrawal of a decision (entered in error).
    Withdrawal(&'a Withdrawal),
}

impl Entry<'_> {
    pub fn seq(&self) -> i64 {
        match self {
            Entry::Decision { decision, .. } => decision.seq,
            Entry::Withdrawal(w) => w.seq,
        }
    }
}

impl History {
    /// The withdrawal of decision `seq`, if it was withdrawn.
    pub fn withdrawal_of(&self, seq: i64) -> Option<&Withdrawal> {
        self.withdrawals.iter().find(|w| w.withdraws == seq)
    }

    /// Decisions and withdrawals together, in the order they were recorded.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut out: Vec<Entry<'_>> = self
            .decisions
            .iter()
            .map(|d| Entry::Decision {
                decision: d,
                withdrawn: self.withdrawal_of(d.seq),
            })
            .chain(self.withdrawals.iter().map(Entry::Withdrawal))
            .collect();
        out.sort_by_key(Entry::seq);
        out
    }

    pub fn is_empty(&self) -> bool {
        self.decisions.is_empty() && self.withdrawals.is_empty()
    }
}
