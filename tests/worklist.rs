//! The worklist database: status changes and their history, the append-only rule, schema
//! migration from an older version, files it must refuse (and leave unchanged), permissions,
//! and two connections writing at once.

use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use trialmatch::worklist::{Status, Store, StoreError};

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data").join("worklist.sqlite3")
}

fn at(min: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, min, 0)
        .single()
        .expect("valid time")
}

#[test]
fn status_changes_are_appended_and_the_latest_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&db(&dir)).unwrap();
    let a = s
        .record_as("P01", "KN5501-SLE", Status::Screening, "", "ana", at(0))
        .unwrap();
    let b = s
        .record_as(
            "P01",
            "KN5501-SLE",
            Status::Referred,
            "  faxed to site  ",
            "ben",
            at(5),
        )
        .unwrap();
    s.record_as(
        "P01",
        "NCT06613490",
        Status::OnHold,
        "await echo",
        "ana",
        at(6),
    )
    .unwrap();
    s.record_as("P02", "KN5501-SLE", Status::Referred, "", "ana", at(7))
        .unwrap();
    assert!(b.seq > a.seq);
    assert_eq!(b.note, "faxed to site", "notes are trimmed");

    let current = s.current(None, None).unwrap();
    let pairs: Vec<(&str, &str, Status)> = current
        .iter()
        .map(|d| (d.patient.as_str(), d.trial.as_str(), d.status))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("P01", "KN5501-SLE", Status::Referred),
            ("P01", "NCT06613490", Status::OnHold),
            ("P02", "KN5501-SLE", Status::Referred),
        ]
    );
    let referred = s.current(None, Some(Status::Referred)).unwrap();
    assert_eq!(referred.len(), 2);
    assert!(referred.iter().all(|d| d.status == Status::Referred));
    let p02 = s.current(Some("P02"), None).unwrap();
    assert_eq!(p02.len(), 1);
    assert_eq!(p02[0].who, "ana");

    let history = s.history("P01", None).unwrap().decisions;
    let seen: Vec<(Status, &str, &str)> = history
        .iter()
        .map(|d| (d.status, d.who.as_str(), d.note.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Status::Screening, "ana", ""),
            (Status::Referred, "ben", "faxed to site"),
            (Status::OnHold, "ana", "await echo"),
        ]
    );
    assert_eq!(history[1].at, at(5));
    let one = s.history("P01", Some("KN5501-SLE")).unwrap().decisions;
    assert_eq!(one.len(), 2);
    assert!(s.history("P99", None).unwrap().is_empty());

    // Reopening finds everything again.
    drop(s);
    let s = Store::open(&db(&dir)).unwrap();
    assert_eq!(s.history("P01", None).unwrap().decisions, history);
}

#[test]
fn record_uses_the_os_user_and_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&db(&dir)).unwrap();
    let before = Utc::now() - chrono::Duration::seconds(1);
    let d = s.record("P03", "KN5501-SLE", Status::New, "").unwrap();
    assert_eq!(d.who, trialmatch::worklist::os_user());
    assert!(!d.who.is_empty());
    assert!(d.at >= before && d.at <= Utc::now() + chrono::Duration::seconds(1));
}

#[test]
fn bad_changes_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&db(&dir)).unwrap();
    let long = "x".repeat(trialmatch::worklist::NOTE_MAX + 1);
    let e = s
        .record_as("P01", "KN5501-SLE", Status::New, &long, "ana", at(0))
        .unwrap_err();
    assert!(e.to_string().contains("2001 characters"), "{e}");
    assert!(
        s.record_as(" ", "KN5501-SLE", Status::New, "", "ana", at(0))
            .is_err()
    );
    assert!(s.current(None, None).unwrap().is_empty());
}

#[test]
fn the_history_cannot_be_rewritten_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut s = Store::open(&path).unwrap();
    s.record_as("P01", "KN5501-SLE", Status::Referred, "x", "ana", at(0))
        .unwrap();
    drop(s);
    let c = Connection::open(&path).unwrap();
    let upd = c.execute("UPDATE decision SET status = 'enrolled'", []);
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = c.execute("DELETE FROM decision", []);
    assert!(del.unwrap_err().to_string().contains("append-only"));
    let bad = c.execute(
        "INSERT INTO decision (patient_id, trial_id, status, note, who, at) \
         VALUES ('P01', 'T', 'maybe', '', 'x', '2026-01-01T00:00:00Z')",
        [],
    );
    assert!(bad.is_err(), "an unknown status is refused by the schema");
    let n: i64 = c
        .query_row("SELECT count(*) FROM decision", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_new_database_is_owner_only_in_wal_mode_at_the_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut s = Store::open(&path).unwrap();
    s.record_as("P01", "KN5501-SLE", Status::New, "", "ana", at(0))
        .unwrap();
    assert_eq!(s.schema_version().unwrap(), 5);
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    // While open, the write-ahead log exists and has the file's permissions.
    let wal = path.with_extension("sqlite3-wal");
    assert!(wal.exists(), "WAL mode keeps a -wal file while open");
    assert_eq!(mode(&wal), 0o600);
    let c = Connection::open(&path).unwrap();
    let jm: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(jm, "wal");
    let app: i64 = c
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, 0x544D_574C);
}

/// The schema as trialmatch's first worklist release wrote it (version 1).
const V1: &str = "CREATE TABLE decision (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        patient_id TEXT NOT NULL CHECK (length(patient_id) > 0),
        trial_id TEXT NOT NULL CHECK (length(trial_id) > 0),
        status TEXT NOT NULL CHECK (status IN ('new', 'screening', 'contacted-study',
            'referred', 'enrolled', 'declined-by-patient', 'not-eligible', 'on-hold')),
        note TEXT NOT NULL DEFAULT '',
        who TEXT NOT NULL,
        at TEXT NOT NULL
    );
    PRAGMA application_id = 1414354764;
    PRAGMA user_version = 1;";

#[test]
fn an_older_schema_is_migrated_and_keeps_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(V1).unwrap();
        c.execute_batch(
            "INSERT INTO decision (patient_id, trial_id, status, note, who, at) VALUES
             ('P05', 'KN5501-SLE', 'screening', 'old note', 'dee', '2026-01-02T03:04:05.000Z'),
             ('P05', 'KN5501-SLE', 'referred', '', 'dee', '2026-01-03T03:04:05.000Z');",
        )
        .unwrap();
        // Version 1 allowed rewriting history; versions 2 and later must not.
        assert!(
            c.execute("UPDATE decision SET note = 'edited' WHERE id = 1", [])
                .is_ok()
        );
    }
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), 5);
    let h = s.history("P05", None).unwrap().decisions;
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].note, "edited");
    assert_eq!(h[1].status, Status::Referred);
    assert_eq!(
        h[0].at,
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).single().unwrap()
    );
    s.record_as("P05", "KN5501-SLE", Status::Enrolled, "", "eve", at(0))
        .unwrap();
    assert_eq!(
        s.current(Some("P05"), None).unwrap()[0].status,
        Status::Enrolled
    );
    drop(s);
    let c = Connection::open(&path).unwrap();
    assert!(c.execute("UPDATE decision SET note = 'again'", []).is_err());
    let idx: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'decision_pair'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(idx, 1);
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "patient list, do not lose\n").unwrap();
    let before = bytes(&path);
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::NotADatabase { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("notes.txt") && msg.contains("left unchanged"),
        "{msg}"
    );
    assert_eq!(bytes(&path), before);
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "no -wal or -journal file was created");
}

#[test]
fn another_programs_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE invoices (id INTEGER); INSERT INTO invoices VALUES (7);")
            .unwrap();
    }
    let before = bytes(&path);
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Foreign { .. }), "{e:?}");
    assert!(e.to_string().contains("another program"), "{e}");
    assert_eq!(bytes(&path), before);
}

#[test]
fn a_database_from_a_newer_trialmatch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    drop(Store::open(&path).unwrap());
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA user_version = 9;").unwrap();
    }
    let before = bytes(&path);
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Newer { found: 9, .. }), "{e:?}");
    assert!(e.to_string().contains("newer trialmatch"));
    assert_eq!(bytes(&path), before);
}

#[test]
fn a_damaged_database_is_reported_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite3");
    {
        let mut s = Store::open(&path).unwrap();
        for i in 0..400 {
            s.record_as(
                &format!("P{i:03}"),
                "KN5501-SLE",
                Status::Screening,
                &"note ".repeat(40),
                "ana",
                at(0),
            )
            .unwrap();
        }
    }
    // Overwrite the pages after the first with noise, keeping the header intact.
    let mut data = bytes(&path);
    assert!(data.len() > 8192, "several pages were written");
    let page = 4096;
    for (i, b) in data[page..].iter_mut().enumerate() {
        *b = (i * 7 % 251) as u8;
    }
    std::fs::write(&path, &data).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("damaged") && msg.contains("backup") && msg.contains("w.sqlite3"),
        "{msg}"
    );
    assert_eq!(bytes(&path), data);
}

#[test]
fn two_connections_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    drop(Store::open(&path).unwrap());
    let per = 150;
    let writers: Vec<_> = ["ana", "ben"]
        .into_iter()
        .map(|who| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&path).unwrap();
                let mut seqs = Vec::new();
                for i in 0..per {
                    let d = s
                        .record_as(
                            "P01",
                            "KN5501-SLE",
                            Status::ALL[i % 8],
                            &format!("{who} {i}"),
                            who,
                            Utc::now(),
                        )
                        .unwrap();
                    seqs.push(d.seq);
                }
                seqs
            })
        })
        .collect();
    let mut seqs: Vec<i64> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 2 * per, "every write got its own row");
    let s = Store::open(&path).unwrap();
    let h = s.history("P01", None).unwrap().decisions;
    assert_eq!(h.len(), 2 * per);
    for who in ["ana", "ben"] {
        let notes: Vec<&str> = h
            .iter()
            .filter(|d| d.who == who)
            .map(|d| d.note.as_str())
            .collect();
        let want: Vec<String> = (0..per).map(|i| format!("{who} {i}")).collect();
        assert_eq!(notes, want, "{who}'s writes in order");
    }
}

#[test]
fn a_missing_folder_is_created_and_a_folder_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = Store::open(dir.path()).unwrap_err();
    assert!(e.to_string().contains("not a file"), "{e}");
    let deep = dir.path().join("a/b/c/w.sqlite3");
    Store::open(&deep).unwrap();
    assert!(deep.is_file());
}

#[test]
fn a_store_notices_changes_made_through_another_connection() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut a = Store::open(&path).unwrap();
    let mut b = Store::open(&path).unwrap();
    assert!(!a.others_changed().unwrap(), "nothing new since opening");
    a.record_as("P01", "KN5501-SLE", Status::New, "", "ana", at(0))
        .unwrap();
    assert!(
        !a.others_changed().unwrap(),
        "its own change does not count"
    );
    b.record_as("P01", "KN5501-SLE", Status::Referred, "", "ben", at(1))
        .unwrap();
    assert!(a.others_changed().unwrap());
    assert!(!a.others_changed().unwrap(), "answered once per change");
    assert!(b.others_changed().unwrap(), "b sees a's change");
}

#[test]
fn a_backup_is_a_private_consistent_copy_and_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut s = Store::open(&path).unwrap();
    for (i, st) in [Status::Screening, Status::Referred]
        .into_iter()
        .enumerate()
    {
        s.record_as("P07", "CHEC2024-181", st, "n", "ana", at(i as u32))
            .unwrap();
    }
    let copy = dir.path().join("copy.sqlite3");
    // Taken while the store (and its write-ahead log) is still open.
    s.backup_to(&copy).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let b = Store::open(&copy).unwrap();
    assert_eq!(
        b.history("P07", None).unwrap(),
        s.history("P07", None).unwrap()
    );
    assert_eq!(b.schema_version().unwrap(), 5);
    drop(b);
    let before = bytes(&copy);
    let e = s.backup_to(&copy).unwrap_err();
    assert!(e.to_string().contains("not replaced"), "{e}");
    assert_eq!(bytes(&copy), before);
}

#[test]
fn the_pseudonym_key_is_made_once_per_worklist_and_never_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let key = Store::open(&path).unwrap().pseudonym_key().unwrap();
    let c = Connection::open(&path).unwrap();
    for sql in [
        "UPDATE pseudonym_key SET key = zeroblob(32)",
        "DELETE FROM pseudonym_key",
        "INSERT OR REPLACE INTO pseudonym_key (id, key) VALUES (1, zeroblob(32))",
        "INSERT INTO pseudonym_key (id, key) VALUES (2, zeroblob(32))",
    ] {
        assert!(c.execute(sql, []).is_err(), "{sql}");
    }
    drop(c);
    assert_eq!(Store::open(&path).unwrap().pseudonym_key().unwrap(), key);
    // A worklist set back to version 4 and migrated again keeps its key.
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 4;")
        .unwrap();
    assert_eq!(Store::open(&path).unwrap().pseudonym_key().unwrap(), key);
    // Another worklist has a key of its own.
    let other = Store::open(&dir.path().join("other.sqlite3")).unwrap();
    assert_ne!(other.pseudonym_key().unwrap(), key);
}
