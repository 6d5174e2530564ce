//! Facts entered without a text editor, from the command line: `entry add` checks a fact like
//! a file and refuses what a file would refuse (nothing stored), `entry withdraw` takes one
//! back, a referral can be made with no file, every command reads the files with the entries
//! laid over them, `patient export` round-trips through `check` to the same report, input
//! files are never written, the entries are append-only in the database, and a SIGKILL loop
//! loses no acknowledged entry.

mod crash_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use trialmatch::worklist::Store;

const AS_OF: &str = "2026-11-22";

/// A private copy of the sample patients, and a database path beside it.
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let patients = dir.path().join("patients");
    std::fs::create_dir(&patients).unwrap();
    for f in std::fs::read_dir("sample-patients").unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, patients.join(f.file_name().unwrap())).unwrap();
    }
    let db = dir.path().join("w.sqlite3");
    (dir, patients, db)
}

/// A folder holding one sample patient, P13, whose file is short to read.
fn one_patient() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let patients = dir.path().join("patients");
    std::fs::create_dir(&patients).unwrap();
    std::fs::copy(
        "sample-patients/p13-pss-sparse.toml",
        patients.join("p13.toml"),
    )
    .unwrap();
    (dir, patients)
}

fn bin(patients: &Path, db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trialmatch"));
    c.args(["--trials", "trials", "--as-of", AS_OF, "--patients"])
        .arg(patients)
        .arg("--db")
        .arg(db)
        .env_remove("TRIALMATCH_CONFIG");
    c
}

fn run(patients: &Path, db: &Path, args: &[&str]) -> (i32, String, String) {
    let o = bin(patients, db).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The report as JSON with the file names left out (a merged profile has none of its own),
/// patients in id order.
fn report(patients: &Path, db: &Path) -> serde_json::Value {
    let (code, out, err) = run(patients, db, &["report", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("file");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    // In id order: a file's place in its folder is not a fact about the patient.
    if let Some(ps) = v["patients"].as_array_mut() {
        ps.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    }
    v
}

/// One patient's entry in a JSON report.
fn patient<'a>(report: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    report["patients"]
        .as_array()?
        .iter()
        .find(|p| p["id"].as_str() == Some(id))
}

fn checksums(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| {
            let p = f.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn an_entry_counts_like_a_file_and_is_refused_where_a_file_would_be() {
    let (_dir, patients, db) = workspace();
    let files_before = checksums(&patients);
    let before = report(&patients, &db);
    // P13 lacks facts; an LVEF read out on the phone is entered, with its source.
    let (code, out, err) = run(
        &patients,
        &db,
        &[
            "entry",
            "add",
            "p13",
            "cardiac = { lvef = 58 }",
            "--source",
            "phone, Dr Tan",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("#1 entered for P13: cardiac = { lvef = 58 }"),
        "{out}"
    );
    assert!(out.contains("phone, Dr Tan"), "{out}");
    let after = report(&patients, &db);
    assert_ne!(
        patient(&before, "P13"),
        patient(&after, "P13"),
        "the entry counts"
    );
    assert_eq!(
        patient(&before, "P01"),
        patient(&after, "P01"),
        "only for P13"
    );

    // Refused as a file would be: an impossible value, a wrong unit, an unknown name, an id.
    for (facts, why) in [
        (
            "cardiac = { lvef = 580 }",
            "cardiac.lvef: 580 is impossible",
        ),
        (
            "lab = [{ name = \"hemoglobin\", value = 10.5, unit = \"g/L\", date = 2026-11-20 }]",
            "was it g/dL?",
        ),
        (
            "lab = [{ name = \"alt\", value = 40, unit = \"furlongs\", date = 2026-11-20 }]",
            "furlongs",
        ),
        (
            "lab = [{ name = \"hemoglobn\", value = 10.5, unit = \"g/dL\" }]",
            "did you mean",
        ),
        ("id = \"P99\"", "does not change a patient's id"),
        ("cardiac = {", "not in the patient-file format"),
    ] {
        let (code, out, err) = run(&patients, &db, &["entry", "add", "P13", facts]);
        assert_eq!(code, 1, "{facts}: {out}");
        assert!(err.contains(why), "{facts}: {err}");
    }
    let (_, list, _) = run(&patients, &db, &["entry", "list", "P13"]);
    assert_eq!(
        list.lines().count(),
        1,
        "nothing refused was stored: {list}"
    );
    assert_eq!(report(&patients, &db), after);

    // Withdrawn, the fact no longer counts; the entry stays listed, marked.
    let (code, out, err) = run(
        &patients,
        &db,
        &["entry", "withdraw", "1", "--note", "wrong patient"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("#2 withdraws entry #1 for P13"), "{out}");
    assert_eq!(report(&patients, &db), before);
    let (_, list, _) = run(&patients, &db, &["entry", "list", "P13"]);
    assert!(list.contains("[withdrawn by #2]"), "{list}");
    assert!(
        list.contains("#2 P13 withdraws #1: wrong patient"),
        "{list}"
    );
    let (code, _, err) = run(&patients, &db, &["entry", "withdraw", "1"]);
    assert_eq!(code, 1);
    assert!(err.contains("already withdrawn (by #2)"), "{err}");
    // A correction is a new entry.
    let (code, _, err) = run(
        &patients,
        &db,
        &["entry", "add", "P13", "cardiac = { lvef = 60 }"],
    );
    assert_eq!(code, 0, "{err}");

    // The referral summary says which facts were entered, by whom and from what source;
    // the withdrawn one is not among them.
    let (code, doc, err) = run(&patients, &db, &["export", "P13", "CHEC2024-181"]);
    assert_eq!(code, 0, "{err}");
    assert!(doc.contains("## Facts entered in the app (1)"), "{doc}");
    assert!(
        doc.contains("- cardiac = { lvef = 60 } — entered by "),
        "{doc}"
    );
    assert!(!doc.contains("lvef = 58"), "{doc}");

    assert_eq!(
        checksums(&patients),
        files_before,
        "input files are never written"
    );
}

#[test]
fn a_referral_made_without_a_file_joins_the_queue() {
    let (_dir, patients, db) = workspace();
    let (code, out, err) = run(
        &patients,
        &db,
        &[
            "entry",
            "add",
            "R-2026-001",
            "name = \"New Referral\"\ndob = 1980-03-04\nsex = \"female\"\ndiagnosis = [{ code = \"sle\" }]",
            "--new",
            "--source",
            "letter of 2026-11-20",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // A new patient: every study's verdict is said.
    assert!(out.contains("KN5501 SLE: ?"), "{out}");
    let r = report(&patients, &db);
    assert!(patient(&r, "R-2026-001").is_some(), "in the report");
    let (code, out, _) = run(&patients, &db, &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("19 patients"), "{out}");
    // An id that exists is not a new referral.
    let (code, _, err) = run(
        &patients,
        &db,
        &["entry", "add", "p01", "name = \"X\"", "--new"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("exists already"), "{err}");
    // Withdrawn, the referral is gone.
    run(&patients, &db, &["entry", "withdraw", "1"]);
    assert!(patient(&report(&patients, &db), "R-2026-001").is_none());
}

#[test]
fn patient_export_round_trips_through_check_to_the_same_report() {
    let (dir, patients, db) = workspace();
    for (id, facts, new) in [
        ("P13", "cardiac = { lvef = 58 }", false),
        (
            "P03",
            "lab = [{ name = \"alt\", value = 40, unit = \"U/L\", uln = 40, date = 2026-11-20 }]",
            false,
        ),
        (
            "R1",
            "name = \"New\"\ndob = 1970-01-02\nsex = \"male\"",
            true,
        ),
    ] {
        let mut args = vec!["entry", "add", id, facts];
        if new {
            args.push("--new");
        }
        let (code, _, err) = run(&patients, &db, &args);
        assert_eq!(code, 0, "{id}: {err}");
    }
    let merged = report(&patients, &db);
    // The exported profiles replace the files; no database.
    let exported = dir.path().join("exported");
    std::fs::create_dir(&exported).unwrap();
    for f in std::fs::read_dir(&patients).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("p13") && !name.starts_with("p03") {
            std::fs::copy(&f, exported.join(name)).unwrap();
        }
    }
    for id in ["P13", "P03", "R1"] {
        let (code, out, err) = run(&patients, &db, &["patient", "export", id]);
        assert_eq!(code, 0, "{err}");
        std::fs::write(exported.join(format!("{id}.toml")), out).unwrap();
    }
    let none = dir.path().join("none.sqlite3");
    let (code, out, err) = run(&exported, &none, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(report(&exported, &none), merged);
    assert!(!none.exists(), "a read-only command creates no database");
}

#[test]
fn the_entries_are_append_only_and_two_windows_both_count() {
    let (_dir, _patients, db) = workspace();
    let mut a = Store::open(&db).unwrap();
    let mut b = Store::open(&db).unwrap();
    let entry = |facts: &'static str| trialmatch::worklist::NewEntry {
        patient: "P13",
        fragment: facts,
        summary: facts,
        fact_date: None,
        source: "",
    };
    a.add_entry(&entry("cardiac = { lvef = 58 }")).unwrap();
    b.add_entry(&entry("status = { spo2 = 97 }")).unwrap();
    a.add_entry(&entry("cardiac = { nyha = 1 }")).unwrap();
    let seen: Vec<i64> = b
        .entries(Some("P13"))
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seen, [1, 2, 3]);
    drop((a, b));
    let c = rusqlite::Connection::open(&db).unwrap();
    for sql in [
        "UPDATE fact_entry SET fragment = 'cardiac = { lvef = 10 }' WHERE id = 1",
        "DELETE FROM fact_entry WHERE id = 1",
        "INSERT OR REPLACE INTO fact_entry (id, patient_id, fragment, summary, who, at)
         VALUES (1, 'P13', 'x = 1', 'x', 'me', '2026-01-01T00:00:00.000Z')",
        "INSERT INTO fact_entry (patient_id, fragment, summary, who, at, withdraws)
         VALUES ('P01', '', 'x', 'me', '2026-01-01T00:00:00.000Z', 1)",
    ] {
        let e = c.execute(sql, []);
        assert!(e.is_err(), "{sql}");
    }
    let n: i64 = c
        .query_row("SELECT count(*) FROM fact_entry", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
}

#[test]
fn a_previous_schema_is_migrated_with_its_decisions_kept() {
    let (_dir, patients, db) = workspace();
    // A worklist of the previous version (3), with a decision.
    let (code, _, err) = run(
        &patients,
        &db,
        &["status", "set", "P01", "KN5501-SLE", "screening"],
    );
    assert_eq!(code, 0, "{err}");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("DROP TABLE fact_entry; PRAGMA user_version = 3;")
            .unwrap();
    }
    let mut s = Store::open(&db).unwrap();
    assert_eq!(s.schema_version().unwrap(), 5);
    assert_eq!(s.current(Some("P01"), None).unwrap().len(), 1);
    let e = s.add_entry(&trialmatch::worklist::NewEntry {
        patient: "P01",
        fragment: "cardiac = { lvef = 58 }",
        summary: "LVEF 58 %",
        fact_date: None,
        source: "",
    });
    assert!(e.is_ok(), "{e:?}");
}

/// `entry add` started again and again and killed with SIGKILL at varying moments, two at a
/// time: every entry whose command reported success is in the database afterwards, and the
/// database passes SQLite's integrity check.
#[test]
fn entry_add_survives_sigkill() {
    let (dir, patients) = one_patient();
    let db = dir.path().join("w.sqlite3");
    let out = crash_support::sigkill_loop(24, |round, k| {
        let source = format!("round {round} writer {k}");
        let child = bin(&patients, &db)
            .args([
                "entry",
                "add",
                "P13",
                "status = { spo2 = 97 }",
                "--source",
                &source,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        (source, child)
    });
    let store = Store::open(&db).unwrap();
    let stored: Vec<String> = store
        .entries(Some("P13"))
        .unwrap()
        .into_iter()
        .map(|e| e.source)
        .collect();
    for s in &out.succeeded {
        assert!(stored.contains(s), "an acknowledged entry was lost: {s}");
    }
    drop(store);
    assert_eq!(crash_support::integrity(&db), "ok");
}

#[test]
fn the_template_is_a_patient_file_that_check_reads() {
    let (dir, _patients, db) = workspace();
    let (code, text, err) = run(Path::new("sample-patients"), &db, &["patient", "template"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("# ── The investigator's judgements ──"),
        "{text}"
    );
    assert!(text.contains("#   - clinician attestation for C-E12 (C-E12; CHEC CAR-NK AID)"));
    let only = dir.path().join("template");
    std::fs::create_dir(&only).unwrap();
    std::fs::write(only.join("new.toml"), &text).unwrap();
    let (code, out, err) = run(&only, &db, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 patients, 0 problems"), "{out}");
}

#[test]
fn names_are_forgiven_in_files_and_entries_alike_values_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, written) = (dir.path().join("plain"), dir.path().join("written"));
    std::fs::create_dir(&plain).unwrap();
    std::fs::create_dir(&written).unwrap();
    let file = |sex: &str, dx: &str, lab: &str, score: &str| {
        format!(
            "id = \"N1\"\ndob = 1990-01-01\nsex = \"{sex}\"\n[[diagnosis]]\ncode = \"{dx}\"\n\
             [[lab]]\nname = \"{lab}\"\nvalue = 10.5\nunit = \"g/dL\"\ndate = 2026-11-20\n\
             [[score]]\nname = \"{score}\"\nvalue = 12\ndate = 2026-11-20\n"
        )
    };
    std::fs::write(
        plain.join("n1.toml"),
        file("female", "sle", "hemoglobin", "sledai2k"),
    )
    .unwrap();
    std::fs::write(
        written.join("n1.toml"),
        file("F", "Lupus", "Hb", "SLEDAI-2K"),
    )
    .unwrap();
    let db = dir.path().join("none.sqlite3");
    let (code, out, err) = run(&written, &db, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(report(&written, &db), report(&plain, &db));
    // The same in an entry; a value is still never guessed.
    let db = dir.path().join("w.sqlite3");
    let (code, _, err) = run(
        &plain,
        &db,
        &[
            "entry",
            "add",
            "N1",
            "lab = [{ name = \"SGPT\", value = 30, unit = \"U/L\", date = 2026-11-20 }]",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&plain, &db, &["entry", "add", "N1", "sex = \"female-ish\""]);
    assert_eq!(code, 1);
    assert!(err.contains("write female or male (F or M)"), "{err}");
}

/// Two windows (or two commands) that create the same new worklist at the same moment both
/// succeed: neither mistakes the other's half-made database for a foreign or locked one.
#[test]
fn two_commands_creating_one_new_worklist_both_succeed() {
    let (dir, patients) = one_patient();
    for round in 0..40u64 {
        let db = dir.path().join(format!("new-{round}.sqlite3"));
        let spawn = |who: &str| {
            bin(&patients, &db)
                .args([
                    "entry",
                    "add",
                    "P13",
                    "status = { spo2 = 97 }",
                    "--source",
                    who,
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        // The second starts a little later each round, to meet the first at every stage.
        let first = spawn("a");
        std::thread::sleep(std::time::Duration::from_millis(round % 8));
        let second = spawn("b");
        for c in [first, second] {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let n = Store::open(&db).unwrap().entries(None).unwrap().len();
        assert_eq!(n, 2, "round {round}");
    }
}
