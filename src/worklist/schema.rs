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
    // 3: (a) a row can only be appended. `INSERT OR REPLACE` (and an upsert) deletes the row
    // it conflicts with without firing the DELETE trigger, so an explicit key at or before
    // the last one is refused before the conflict is resolved; an automatic key reads as -1
    // there, so keys of 0 and below are refused once known, after the insert (ABORT undoes
    // the whole statement, a replaced row included).
    // (b) "entered in error": a row with `withdraws` set withdraws the decision it names — of
    // the same patient, study and status, not a withdrawal itself, and not withdrawn before.
    // The decision stays in the history; it no longer counts for the current status.
    "CREATE TRIGGER decision_append_only BEFORE INSERT ON decision
         WHEN NEW.id > 0 AND NEW.id <= (SELECT max(id) FROM decision)
         BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END;
     CREATE TRIGGER decision_positive_key AFTER INSERT ON decision
         WHEN NEW.id <= 0
         BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END;
     ALTER TABLE decision ADD COLUMN withdraws INTEGER REFERENCES decision (id);
     CREATE INDEX decision_withdrawn ON decision (withdraws) WHERE withdraws IS NOT NULL;
     CREATE TRIGGER decision_withdrawal BEFORE INSERT ON decision
         WHEN NEW.withdraws IS NOT NULL
         BEGIN
             SELECT RAISE(ABORT, 'a withdrawal names a decision of the same patient, study and status')
             WHERE NOT EXISTS (SELECT 1 FROM decision d
                 WHERE d.id = NEW.withdraws AND d.withdraws IS NULL
                   AND d.patient_id = NEW.patient_id AND d.trial_id = NEW.trial_id
                   AND d.status = NEW.status);
             SELECT RAISE(ABORT, 'that decision is already withdrawn')
             WHERE EXISTS (SELECT 1 FROM decision w WHERE w.withdraws = NEW.withdraws);
         END;",
    // 4: facts entered in the app (a lab read out on the phone, an investigator's judgement),
    // each a fragment in the patient-file format laid over the patient's file (if any) when
    // the patient is loaded. Append-only like the decisions: a correction is a new entry, a
    // mistake is withdrawn by a row naming it (`withdraws`), never edited or deleted.
    "CREATE TABLE fact_entry (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        patient_id TEXT NOT NULL CHECK (length(patient_id) > 0),
        fragment TEXT NOT NULL,
        summary TEXT NOT NULL,
        fact_date TEXT,
        source TEXT NOT NULL DEFAULT '',
        who TEXT NOT NULL,
        at TEXT NOT NULL,
        withdraws INTEGER REFERENCES fact_entry (id)
     );
     CREATE INDEX fact_entry_patient ON fact_entry (patient_id, id);
     CREATE TRIGGER fact_entry_no_update BEFORE UPDATE ON fact_entry
         BEGIN SELECT RAISE(ABORT, 'the entered facts are append-only'); END;
     CREATE TRIGGER fact_entry_no_delete BEFORE DELETE ON fact_entry
         BEGIN SELECT RAISE(ABORT, 'the entered facts are append-only'); END;
     CREATE TRIGGER fact_entry_append_only BEFORE INSERT ON fact_entry
         WHEN NEW.id > 0 AND NEW.id <= (SELECT max(id) FROM fact_entry)
         BEGIN SELECT RAISE(ABORT, 'the entered facts are append-only'); END;
     CREATE TRIGGER fact_entry_positive_key AFTER INSERT ON fact_entry
         WHEN NEW.id <= 0
         BEGIN SELECT RAISE(ABORT, 'the entered facts are append-only'); END;
     CREATE TRIGGER fact_entry_withdrawal BEFORE INSERT ON fact_entry
         WHEN NEW.withdraws IS NOT NULL
         BEGIN
             SELECT RAISE(ABORT, 'a withdrawal names an entry of the same patient')
             WHERE NOT EXISTS (SELECT 1 FROM fact_entry e
                 WHERE e.id = NEW.withdraws AND e.withdraws IS NULL
                   AND e.patient_id = NEW.patient_id);
             SELECT RAISE(ABORT, 'that entry is already withdrawn')
             WHERE EXISTS (SELECT 1 FROM fact_entry w WHERE w.withdraws = NEW.withdraws);
         END;",
    // 5: the worklist's pseudonym key, for logs sent outside the site (`trialmatch log
    // --deidentify`): 32 random bytes made once, here, by SQLite's generator (seeded from the
    // operating system), so the same patient gets the same pseudonym in every log written
    // from this worklist (and from its backups), and nobody without the database can link a
    // pseudonym back to a patient id. One row, never changed, replaced or deleted. Harmless
    // over a database that has it already (a copy whose version was set back): the key stays.
    "CREATE TABLE IF NOT EXISTS pseudonym_key (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        key BLOB NOT NULL CHECK (length(key) = 32)
     );
     INSERT INTO pseudonym_key (id, key)
         SELECT 1, randomblob(32) WHERE NOT EXISTS (SELECT 1 FROM pseudonym_key);
     CREATE TRIGGER IF NOT EXISTS pseudonym_key_no_update BEFORE UPDATE ON pseudonym_key
         BEGIN SELECT RAISE(ABORT, 'the pseudonym key never changes'); END;
     CREATE TRIGGER IF NOT EXISTS pseudonym_key_no_delete BEFORE DELETE ON pseudonym_key
         BEGIN SELECT RAISE(ABORT, 'the pseudonym key never changes'); END;
     CREATE TRIGGER IF NOT EXISTS pseudonym_key_once BEFORE INSERT ON pseudonym_key
         WHEN EXISTS (SELECT 1 FROM pseudonym_key)
         BEGIN SELECT RAISE(ABORT, 'the pseudonym key never changes'); END;",
];

/// The version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;
