//! Records that are what they claim (issue 11, section 3): the history cannot be rewritten
//! with `INSERT OR REPLACE`; a decision entered in error is withdrawn by a new entry, never
//! erased; a failed write (a full disk) leaves no truncated file behind; a foreign database is
//! inspected without being changed; and read-only commands never create a database.

mod tui_support;

use ratatui::crossterm::event::KeyCode;
use ratatui::style::Modifier;
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use trialmatch::tui::worklist::StatusFilter;
use trialmatch::worklist::{Entry, Status, Store};

const AS_OF: &str = "2026-11-22";

fn bin(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trialmatch"));
    c.arg("--db").arg(db).args(["--as-of", AS_OF]);
    c
}

/// Exit code, standard output and standard error.
fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin(db).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs trialmatch with files limited to `blocks` × 512 bytes (`ulimit -f`), SIGXFSZ ignored:
/// a write past the limit fails with "File too large", as a write to a full disk fails.
fn run_on_full_disk(db: &Path, blocks: u32, args: &[&str]) -> (i32, String, String) {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_trialmatch"))
        .arg("--db")
        .arg(db)
        .args(["--as-of", AS_OF])
        .args(args);
    let out = c.output().expect("runs sh");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("reads the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn count_rows(path: &Path) -> i64 {
    let c = Connection::open(path).expect("opens");
    c.query_row("SELECT count(*) FROM decision", [], |r| r.get(0))
        .expect("counts")
}

// ---------------------------------------------------------------------------------------
// 1. INSERT OR REPLACE cannot rewrite the history.

fn at(min: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 22, 9, min, 0)
        .single()
        .expect("valid time")
}

/// Every way SQL offers to put a row where one already is, or before the last one.
const REWRITES: &[&str] = &[
    "INSERT OR REPLACE INTO decision (id, patient_id, trial_id, status, note, who, at)
     VALUES (1, 'P01', 'KN5501-SLE', 'enrolled', 'forged', 'mallory', '2026-11-22T09:00:00.000Z')",
    "REPLACE INTO decision (id, patient_id, trial_id, status, note, who, at)
     VALUES (2, 'P01', 'KN5501-SLE', 'enrolled', 'forged', 'mallory', '2026-11-22T09:00:00.000Z')",
    "INSERT INTO decision (id, patient_id, trial_id, status, note, who, at)
     VALUES (1, 'P01', 'KN5501-SLE', 'enrolled', 'forged', 'mallory', '2026-11-22T09:00:00.000Z')
     ON CONFLICT (id) DO UPDATE SET note = 'forged'",
    "INSERT OR REPLACE INTO decision (id, patient_id, trial_id, status, note, who, at)
     VALUES (0, 'P01', 'KN5501-SLE', 'enrolled', 'backdated', 'mallory', '2026-01-01T00:00:00.000Z')",
    "INSERT OR REPLACE INTO decision (id, patient_id, trial_id, status, note, who, at)
     VALUES (-1, 'P01', 'KN5501-SLE', 'enrolled', 'backdated', 'mallory', '2026-01-01T00:00:00.000Z')",
];

fn assert_history_intact(path: &Path) {
    let s = Store::open(path).expect("opens");
    let h = s.history("P01", None).expect("reads");
    let seen: Vec<(i64, &str, &str)> = h
        .decisions
        .iter()
        .map(|d| (d.seq, d.note.as_str(), d.who.as_str()))
        .collect();
    assert_eq!(seen, vec![(1, "first", "ana"), (2, "second", "ben")]);
}

#[test]
fn insert_or_replace_cannot_rewrite_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite3");
    let mut s = Store::open(&path).unwrap();
    s.record_as(
        "P01",
        "KN5501-SLE",
        Status::Screening,
        "first",
        "ana",
        at(0),
    )
    .unwrap();
    s.record_as(
        "P01",
        "KN5501-SLE",
        Status::Referred,
        "second",
        "ben",
        at(1),
    )
    .unwrap();
    drop(s);
    let c = Connection::open(&path).unwrap();
    for q in REWRITES {
        let r = c.execute(q, []);
        let e = r.expect_err(q).to_string();
        assert!(e.contains("append-only"), "{q}: {e}");
    }
    drop(c);
    assert_eq!(count_rows(&path), 2);
    assert_history_intact(&path);
    // An ordinary append still works, and so does an explicit key past the last one.
    let c = Connection::open(&path).unwrap();
    c.execute(
        "INSERT INTO decision (id, patient_id, trial_id, status, note, who, at)
         VALUES (9, 'P02', 'KN5501-SLE', 'new', '', 'ana', '2026-11-22T09:00:00.000Z')",
        [],
    )
    .unwrap();
    drop(c);
    let mut s = Store::open(&path).unwrap();
    let d = s
        .record_as("P02", "KN5501-SLE", Status::Screening, "", "ana", at(2))
        .unwrap();
    assert_eq!(d.seq, 10);
}

/// Schema version 2 as released: the history with UPDATE and DELETE refused, REPLACE not.
const V2: &str = "CREATE TABLE decision (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        patient_id TEXT NOT NULL CHECK (length(patient_id) > 0),
        trial_id TEXT NOT NULL CHECK (length(trial_id) > 0),
        status TEXT NOT NULL CHECK (status IN ('new', 'screening', 'contacted-study',
            'referred', 'enrolled', 'declined-by-patient', 'not-eligible', 'on-hold')),
        note TEXT NOT NULL DEFAULT '',
        who TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX decision_pair ON decision (patient_id, trial_id, id);
    CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision
        BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END;
    CREATE TRIGGER decision_no_delete BEFORE DELETE ON decision
        BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END;
    PRAGMA application_id = 1414354764;
    PRAGMA user_version = 2;";

#[test]
fn a_version_2_database_is_migrated_and_then_refuses_replace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.sqlite3");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(V2).unwrap();
        c.execute_batch(
            "INSERT INTO decision (patient_id, trial_id, status, note, who, at) VALUES
             ('P01', 'KN5501-SLE', 'screening', 'first', 'ana', '2026-11-22T09:00:00.000Z'),
             ('P01', 'KN5501-SLE', 'referred', 'second', 'ben', '2026-11-22T09:01:00.000Z');",
        )
        .unwrap();
        // What version 2 let through.
        let c2 = Connection::open(&path).unwrap();
        c2.execute_batch("BEGIN").unwrap();
        assert!(c2.execute(REWRITES[0], []).is_ok(), "version 2 allowed it");
        c2.execute_batch("ROLLBACK").unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert!(s.schema_version().unwrap() >= 3);
    drop(s);
    let c = Connection::open(&path).unwrap();
    for q in REWRITES {
        assert!(c.execute(q, []).is_err(), "{q}");
    }
    drop(c);
    assert_history_intact(&path);
}

// ---------------------------------------------------------------------------------------
// 2. Entered in error: withdrawn by a new entry, never erased.

#[test]
fn a_decision_entered_in_error_is_withdrawn_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let set = |args: &[&str]| {
        let (code, out, err) = run(&db, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    set(&["status", "set", "P01", "KN5501-SLE", "screening"]);
    set(&[
        "status",
        "set",
        "P01",
        "KN5501-SLE",
        "referred",
        "--note",
        "faxed",
    ]);
    set(&["status", "set", "P01", "CHEC2024-181", "on-hold"]);

    let (code, out, err) = run(&db, &["status", "withdraw", "2", "--note", "meant for P02"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("#2") && out.contains("entered in error") && out.contains("screening"),
        "says what was withdrawn and what is current now:\n{out}"
    );

    // The current status is the latest decision not withdrawn; filters agree.
    let (_, out, _) = run(&db, &["status", "list", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["trial"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        vec![("CHEC2024-181", "on-hold"), ("KN5501-SLE", "screening")]
    );
    let (_, out, _) = run(&db, &["status", "list", "--status", "referred"]);
    assert_eq!(out.trim(), "No decisions recorded.", "{out}");

    // The history keeps the withdrawn decision, marked in words, and the withdrawal.
    let (_, out, _) = run(&db, &["status", "history", "P01", "KN5501-SLE"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "header, two decisions, the withdrawal:\n{out}"
    );
    assert!(
        lines[2].contains("referred") && lines[2].contains("withdrawn (entered in error)"),
        "{out}"
    );
    assert!(lines[2].contains("faxed"), "the original note stays: {out}");
    assert!(
        lines[3].contains("entered in error") && lines[3].contains("meant for P02"),
        "{out}"
    );
    let (_, out, _) = run(&db, &["status", "history", "P01", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["seq"], 2);
    assert_eq!(rows[1]["status"], "referred");
    assert_eq!(rows[1]["withdrawn_by"], 4);
    assert!(rows[0]["withdrawn_by"].is_null());
    assert_eq!(rows[3]["seq"], 4);
    assert_eq!(rows[3]["status"], "entered-in-error");
    assert_eq!(rows[3]["withdraws"], 2);
    assert_eq!(rows[3]["note"], "meant for P02");

    // Refused: twice, a withdrawal itself, a number that is not recorded.
    for (seq, why) in [
        ("2", "already withdrawn"),
        ("4", "withdrawal"),
        ("99", "no decision #99"),
    ] {
        let (code, _, err) = run(&db, &["status", "withdraw", seq]);
        assert_eq!(code, 1, "withdraw {seq}");
        assert!(err.contains(why), "withdraw {seq}: {err}");
    }
    // Nothing was deleted: four rows, the withdrawn one among them.
    assert_eq!(count_rows(&db), 4);

    // Withdrawing the only decision of a pair leaves the pair with no status.
    let (code, _, err) = run(&db, &["status", "withdraw", "3"]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(&db, &["status", "list", "--patient", "P01"]);
    assert!(!out.contains("CHEC2024-181"), "{out}");
    assert!(out.contains("KN5501-SLE"), "{out}");
}

#[test]
fn a_withdrawal_is_a_new_entry_and_the_current_status_skips_the_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite3");
    let mut s = Store::open(&path).unwrap();
    let sle = "KN5501-SLE";
    s.record_as("P01", sle, Status::Screening, "", "ana", at(0))
        .unwrap();
    let wrong = s
        .record_as("P01", sle, Status::Referred, "faxed", "ana", at(1))
        .unwrap();
    let later = s
        .record_as("P01", sle, Status::OnHold, "await echo", "ana", at(2))
        .unwrap();
    // Not only the latest can be withdrawn.
    let w = s
        .withdraw_as(wrong.seq, "  meant for P02  ", "ben", at(3))
        .unwrap();
    assert_eq!(
        (w.withdraws, w.status, w.note.as_str(), w.who.as_str()),
        (wrong.seq, Status::Referred, "meant for P02", "ben")
    );
    assert!(w.seq > later.seq);
    let status_of = |s: &Store| {
        s.current(Some("P01"), None)
            .unwrap()
            .iter()
            .map(|d| (d.seq, d.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(status_of(&s), vec![(later.seq, Status::OnHold)]);
    // The latest withdrawn: the one before it is current again; filters follow.
    s.withdraw_as(later.seq, "", "ben", at(4)).unwrap();
    assert_eq!(status_of(&s), vec![(1, Status::Screening)]);
    assert!(s.current(None, Some(Status::OnHold)).unwrap().is_empty());
    assert!(s.current(None, Some(Status::Referred)).unwrap().is_empty());
    assert_eq!(s.current(None, Some(Status::Screening)).unwrap().len(), 1);

    let h = s.history("P01", Some(sle)).unwrap();
    assert_eq!(h.decisions.len(), 3, "every decision stays");
    assert_eq!(h.withdrawals.len(), 2);
    let order: Vec<(i64, bool)> = h
        .entries()
        .iter()
        .map(|e| match e {
            Entry::Decision {
                decision,
                withdrawn,
            } => (decision.seq, withdrawn.is_some()),
            Entry::Withdrawal(w) => (w.seq, false),
        })
        .collect();
    assert_eq!(
        order,
        vec![(1, false), (2, true), (3, true), (4, false), (5, false)]
    );
    assert!(h.withdrawal_of(1).is_none());

    // Refused by the store, before writing.
    assert!(s.withdraw_as(wrong.seq, "", "ana", at(5)).is_err());
    assert!(s.withdraw_as(w.seq, "", "ana", at(5)).is_err());
    assert!(s.withdraw_as(99, "", "ana", at(5)).is_err());
    let long = "x".repeat(trialmatch::worklist::NOTE_MAX + 1);
    assert!(s.withdraw_as(1, &long, "ana", at(5)).is_err());
    drop(s);

    // And by the database itself, whatever writes to it.
    let c = Connection::open(&path).unwrap();
    let insert = |withdraws: i64, patient: &str, status: &str| {
        c.execute(
            "INSERT INTO decision (patient_id, trial_id, status, note, who, at, withdraws)
             VALUES (?1, 'KN5501-SLE', ?2, '', 'x', '2026-11-22T10:00:00.000Z', ?3)",
            rusqlite::params![patient, status, withdraws],
        )
    };
    for (withdraws, patient, status, why) in [
        (1, "P02", "screening", "another patient"),
        (1, "P01", "referred", "another status"),
        (4, "P01", "referred", "a withdrawal"),
        (2, "P01", "referred", "twice"),
        (77, "P01", "referred", "no such decision"),
    ] {
        assert!(insert(withdraws, patient, status).is_err(), "{why}");
    }
    let replace = c.execute(
        "INSERT OR REPLACE INTO decision (id, patient_id, trial_id, status, note, who, at)
         VALUES (4, 'P01', 'KN5501-SLE', 'referred', '', 'x', '2026-11-22T10:00:00.000Z')",
        [],
    );
    assert!(replace.is_err(), "a withdrawal cannot be replaced away");
    assert_eq!(count_rows(&path), 5);
}

#[test]
fn the_ui_history_strikes_a_withdrawn_decision_and_the_ui_status_skips_it() {
    use tui_support::*;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let (w, h) = (120, 30);
    let mut app = app_sized(w, h).with_zone(chrono::FixedOffset::east_opt(0).unwrap());
    let sle = trial_id(&app, "KN5501 SLE");
    store
        .record_as(
            "P03",
            &sle,
            Status::Screening,
            "labs requested",
            "ana",
            at(0),
        )
        .unwrap();
    let wrong = store
        .record_as("P03", &sle, Status::Referred, "sent to Dr Li", "ana", at(1))
        .unwrap();
    store
        .withdraw_as(wrong.seq, "meant for P08", "ben", at(2))
        .unwrap();
    // What the UI loads at start and after a change elsewhere.
    app.load_decisions(store.current(None, None).unwrap());
    let p = patient_index(&app, "P03");
    let t = app.trials().iter().position(|t| t.id == sle).unwrap();
    assert_eq!(app.status_of(p, t), Some(Status::Screening));
    app.set_status_filter(StatusFilter::Is(Status::Referred));
    assert!(
        !app.visible_patients().contains(&p),
        "not listed as referred"
    );
    app.set_status_filter(StatusFilter::Is(Status::Screening));
    assert!(app.visible_patients().contains(&p));
    app.set_status_filter(StatusFilter::All);

    select(&mut app, "P03");
    press(&mut app, KeyCode::Char('H'));
    app.run_requests(&mut store);
    assert_eq!(app.history_rows().len(), 2, "both decisions, oldest first");
    assert_eq!(
        app.cursor(trialmatch::tui::app::List::History).selected,
        1,
        "the newest selected"
    );
    let term = draw(&app, w, h);
    let buf = term.backend().buffer();
    let lines = screen(&app);
    let y = lines
        .iter()
        .position(|l| l.contains("sent to Dr Li"))
        .expect("the withdrawn decision's row");
    assert!(
        lines[y].contains("referred") && lines[y].contains("withdrawn (entered in error)"),
        "said in words: {}",
        lines[y]
    );
    let x = lines[y]
        .find("referred")
        .map(|b| lines[y][..b].chars().count())
        .unwrap();
    let cell = buf.cell((x as u16, y as u16)).unwrap();
    assert!(
        cell.modifier.contains(Modifier::CROSSED_OUT),
        "struck through: {cell:?}"
    );
    let kept = lines
        .iter()
        .position(|l| l.contains("labs requested"))
        .expect("the other decision's row");
    assert!(!lines[kept].contains("withdrawn"), "{}", lines[kept]);
    let text = lines.join("\n");
    assert!(
        text.contains("Withdrawn (entered in error)") && text.contains("meant for P08"),
        "the detail says who withdrew it and why:\n{text}"
    );
}

// ---------------------------------------------------------------------------------------
// 3. A failed write leaves nothing behind.

#[test]
fn export_on_a_full_disk_leaves_no_file_and_a_retry_works() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let (code, _, err) = run(&db, &["status", "set", "P03", "KN5501-SLE", "referred"]);
    assert_eq!(code, 0, "{err}");
    // Another trialmatch has the worklist open, so its shared-memory index exists already
    // and opening it writes nothing: only the summary meets the limit below.
    let open = Store::open(&db).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("p03.md");
    let outs = out.to_str().unwrap();
    // 2 KiB: far less than a referral summary.
    let (code, _, err) = run_on_full_disk(&db, 4, &["export", "P03", "KN5501-SLE", "--out", outs]);
    assert_eq!(code, 1, "the failed write is an error: {err}");
    assert!(err.contains("p03.md"), "names the file: {err}");
    assert!(!out.exists(), "no truncated summary is left");
    assert!(
        names(&out_dir).is_empty(),
        "nor a temporary file: {:?}",
        names(&out_dir)
    );
    // The retry is not blocked.
    let (code, stdout, err) = run(&db, &["export", "P03", "KN5501-SLE", "--out", outs]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("wrote"));
    let doc = std::fs::read_to_string(&out).unwrap();
    assert!(doc.starts_with("# Referral summary: patient P03"));
    assert!(doc.contains("## Decision history"), "the whole summary");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(names(&out_dir), vec!["p03.md"]);
    drop(open);
}

#[test]
fn generate_on_a_full_disk_leaves_no_partial_patient_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.sqlite3");
    let out = dir.path().join("queue");
    let outs = out.to_str().unwrap();
    // 1 KiB: a generated patient file is about 4 KB.
    let (code, _, err) = run_on_full_disk(&db, 2, &["generate", "--count", "3", "--out", outs]);
    assert_ne!(code, 0, "the failed write is an error: {err}");
    let left = names(&out);
    assert!(left.is_empty(), "no partial or temporary file: {left:?}");
    assert!(!db.exists());
}

#[test]
fn a_backup_on_a_full_disk_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let mut s = Store::open(&db).unwrap();
    {
        for i in 0..300 {
            s.record_as(
                &format!("P{i:03}"),
                "KN5501-SLE",
                Status::Screening,
                &"a longer note ".repeat(20),
                "ana",
                at(0),
            )
            .unwrap();
        }
    }
    // Kept open, as another window would: opening it again writes nothing.
    let _ = s.others_changed();
    let out_dir = dir.path().join("backups");
    std::fs::create_dir(&out_dir).unwrap();
    let copy = out_dir.join("copy.sqlite3");
    // 2 KiB: less than the copy.
    let (code, _, err) = run_on_full_disk(&db, 4, &["status", "backup", copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(names(&out_dir).is_empty(), "{:?}", names(&out_dir));
    let (code, _, err) = run(&db, &["status", "backup", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(names(&out_dir), vec!["copy.sqlite3"]);
    drop(s);
}

// ---------------------------------------------------------------------------------------
// 4. Foreign databases are inspected read-only.

/// The bytes of every file in `dir` whose name starts with `stem`.
fn snapshot(dir: &Path, stem: &str) -> Vec<(String, Vec<u8>)> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with(stem))
        .map(|n| {
            let b = std::fs::read(dir.join(&n)).unwrap();
            (n, b)
        })
        .collect()
}

/// Names and sizes, for messages.
fn sizes(files: &[(String, Vec<u8>)]) -> Vec<(&str, usize)> {
    files.iter().map(|(n, b)| (n.as_str(), b.len())).collect()
}

/// Copies `from` and its `-wal`/`-journal` files (as a crash would leave them) to `to`.
fn copy_with_sidecars(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    for side in ["-wal", "-journal"] {
        let f = PathBuf::from(format!("{}{side}", from.display()));
        if f.exists() {
            std::fs::copy(&f, format!("{}{side}", to.display())).unwrap();
        }
    }
}

#[test]
fn a_foreign_wal_database_is_left_exactly_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let c = Connection::open(&live).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE invoices (id INTEGER, amount TEXT);
         INSERT INTO invoices VALUES (7, 'unpaid');",
    )
    .unwrap();
    // The other program is still running: its changes are only in the write-ahead log.
    let other = dir.path().join("other.db");
    copy_with_sidecars(&live, &other);
    drop(c);
    assert!(dir.path().join("other.db-wal").exists());
    let before = snapshot(dir.path(), "other.db");
    let e = Store::open(&other).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("another program") && msg.contains("left unchanged"),
        "{msg}"
    );
    let after: Vec<(String, Vec<u8>)> = snapshot(dir.path(), "other.db")
        .into_iter()
        .filter(|(n, _)| !n.ends_with("-shm"))
        .collect();
    assert!(
        after == before,
        "database and log untouched, the log not checkpointed: {:?} became {:?}",
        sizes(&before),
        sizes(&after)
    );
    // The data is still only in the log, where the other program left it.
    let c = Connection::open(&other).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM invoices", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_quiet_foreign_wal_database_gains_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    {
        let c = Connection::open(&other).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE invoices (id INTEGER);
             INSERT INTO invoices VALUES (7);",
        )
        .unwrap();
    }
    let before = snapshot(dir.path(), "other.db");
    assert_eq!(before.len(), 1, "checkpointed and closed");
    assert!(Store::open(&other).is_err());
    let after = snapshot(dir.path(), "other.db");
    assert!(
        after == before,
        "{:?} became {:?}",
        sizes(&before),
        sizes(&after)
    );
}

#[test]
fn a_foreign_database_with_a_hot_journal_is_not_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let mut c = Connection::open(&live).unwrap();
    c.execute_batch(
        "CREATE TABLE invoices (id INTEGER, body TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
         INSERT INTO invoices SELECT i, printf('%.3000c', 'y') FROM n;
         PRAGMA cache_size = 1;",
    )
    .unwrap();
    let tx = c.transaction().unwrap();
    tx.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
         INSERT INTO invoices SELECT i, printf('%.3000c', 'z') FROM n;
         UPDATE invoices SET body = printf('%.3000c', 'w');",
    )
    .unwrap();
    // The other program crashed here, in the middle of its transaction.
    let other = dir.path().join("other.db");
    copy_with_sidecars(&live, &other);
    drop(tx);
    drop(c);
    assert!(
        dir.path().join("other.db-journal").exists(),
        "a hot journal beside it"
    );
    let before = snapshot(dir.path(), "other.db");
    let e = Store::open(&other).unwrap_err();
    let after = snapshot(dir.path(), "other.db");
    assert!(
        after == before,
        "not rolled back by trialmatch: {:?} became {:?}",
        sizes(&before),
        sizes(&after)
    );
    let msg = e.to_string();
    assert!(
        msg.contains("other.db") && msg.contains("left unchanged"),
        "{msg}"
    );
    assert!(msg.contains("unfinished"), "says what is there: {msg}");
}

#[test]
fn a_worklist_left_with_its_log_by_a_crash_still_opens_with_everything() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.sqlite3");
    let mut s = Store::open(&live).unwrap();
    s.record_as("P01", "KN5501-SLE", Status::Referred, "kept", "ana", at(0))
        .unwrap();
    // Copied while open: the schema and the decision may be only in the log.
    let copy = dir.path().join("crashed.sqlite3");
    copy_with_sidecars(&live, &copy);
    drop(s);
    let s = Store::open(&copy).unwrap();
    let h = s.history("P01", None).unwrap();
    assert_eq!(h.decisions.len(), 1);
    assert_eq!(h.decisions[0].note, "kept");
}

#[test]
fn the_read_only_inspection_finds_files_with_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("a dir ?#%&=")
        .join("w é 100%?x=1#y.sqlite3");
    let mut s = Store::open(&path).unwrap();
    s.record_as("P01", "KN5501-SLE", Status::New, "odd name", "ana", at(0))
        .unwrap();
    // Opened again while the first is open (log beside it), and after it closed (none).
    let again = Store::open_existing(&path).unwrap();
    assert_eq!(again.history("P01", None).unwrap().decisions.len(), 1);
    drop(again);
    drop(s);
    let s = Store::open_existing(&path).unwrap();
    assert_eq!(
        s.history("P01", None).unwrap().decisions[0].note,
        "odd name"
    );
    let parent = path.parent().unwrap();
    assert!(
        names(parent)
            .iter()
            .all(|n| n.starts_with("w é 100%?x=1#y.sqlite3")),
        "nothing created under another name: {:?}",
        names(parent)
    );
}

// ---------------------------------------------------------------------------------------
// 5. Read-only commands never create a database.

#[test]
fn read_only_commands_never_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo").join("deeper").join("w.sqlite3");
    let copy = dir.path().join("copy.sqlite3");
    for args in [
        vec!["status", "list"],
        vec!["status", "list", "--status", "referred"],
        vec!["status", "history", "P01"],
        vec!["status", "history", "P01", "KN5501-SLE", "--format", "json"],
        vec!["status", "backup", copy.to_str().unwrap()],
        vec!["status", "withdraw", "1"],
    ] {
        let (code, out, err) = run(&db, &args);
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(
            err.contains("no worklist") && err.contains("w.sqlite3"),
            "{args:?}: {err}"
        );
        assert!(!out.contains("No decisions recorded"), "{args:?}: {out}");
    }
    // Export still works without a worklist, and says it has no history to add.
    let (code, out, err) = run(&db, &["export", "P03", "KN5501-SLE"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("No decisions recorded in the worklist."),
        "{out}"
    );
    assert!(err.contains("no worklist"), "{err}");
    assert_eq!(names(dir.path()), Vec::<String>::new(), "nothing created");
    // Writing a decision creates it, as before.
    let (code, _, err) = run(&db, &["status", "set", "P01", "KN5501-SLE", "new"]);
    assert_eq!(code, 0, "{err}");
    assert!(db.is_file());
    let (code, out, _) = run(&db, &["status", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("P01"));
}
