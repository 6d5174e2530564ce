//! The worklist database's schema as forward migrations, one per `PRAGMA user_version`.
//! A migration is never edited once released: a change is a new entry at the end.

/// Marks a database as trialmatch's in the file header (`PRAGMA application_id`): "TMWL".
pub const APPLICATION_ID: i64 = 0x544D_574C;

/// Migration `i` takes a database from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the decision history, one row per change.
    "CREATE TABLE decision (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        patient_id TEXT NOT NULL CHECK (length(patient_id) > 0),
        trial_id TEXT NOT NULL CHECK (length(trial_id) > 0),
        status TEXT NOT NULL CHECK (status IN ('new', 'screening', 'contacted-study',
            'referred', 'enrolled', 'declined-by-patient', 'not-eligible', 'on-hold')),
        note TEXT NOT NULL DEFAULT '',
        who TEXT NOT NULL,
        at TEXT NOT NULL
    );",
    // 2: the history is append-only in the database itself, and the latest decision of a
    // pair is found through an index instead of a scan.
    "CREATE INDEX decision_pair ON decision (patient_id, trial_id, id);
     CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision
         BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END;
     CREATE TRIGGER decision_no_delete BEFORE DELETE ON decision
         BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END;",
];

/// The version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;
