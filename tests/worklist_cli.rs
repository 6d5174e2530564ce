//! The worklist from the command line: `status set/list/history`, `export`, their errors, the
//! referral summary's content, and a crash test that kills `status set` with SIGKILL.

mod crash_support;

use chrono::{Local, NaiveDate};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use trialmatch::load::{Source, load};
use trialmatch::rank::{State, rank_with};
use trialmatch::worklist::{Decision, History, Status, Store};

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

#[test]
fn status_set_list_and_history_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let (code, out, err) = run(
        &db,
        &[
            "status",
            "set",
            "P01",
            "kn5501 asys/ra",
            "referred",
            "--note",
            "sent to site",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("P01 × KN5501 ASyS/RA: referred"), "{out}");
    let (code, _, _) = run(&db, &["status", "set", "P01", "CHEC2024-181", "screening"]);
    assert_eq!(code, 0);
    let (code, _, _) = run(
        &db,
        &[
            "status",
            "set",
            "P01",
            "CHEC2024-181",
            "on hold",
            "--note",
            "await echo",
        ],
    );
    assert_eq!(code, 0);

    let (code, out, _) = run(&db, &["status", "list", "--format", "json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["trial"], "CHEC2024-181");
    assert_eq!(rows[0]["status"], "on-hold");
    assert_eq!(rows[0]["note"], "await echo");
    assert_eq!(rows[1]["trial"], "NCT06613490", "stored under the study id");
    assert_eq!(rows[1]["status"], "referred");
    for r in rows {
        for k in ["seq", "patient", "trial", "status", "note", "who", "at"] {
            assert!(!r[k].is_null(), "{k}");
        }
        assert!(
            chrono::DateTime::parse_from_rfc3339(r["at"].as_str().unwrap()).is_ok(),
            "RFC 3339 time"
        );
    }

    let (_, out, _) = run(&db, &["status", "list", "--status", "referred"]);
    assert!(
        out.contains("NCT06613490") && !out.contains("CHEC2024-181"),
        "{out}"
    );
    assert!(out.contains("Status") && out.contains("sent to site"));

    let (_, out, _) = run(
        &db,
        &[
            "status",
            "history",
            "P01",
            "chec2024-181",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let statuses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["screening", "on-hold"]);
    let (_, out, _) = run(&db, &["status", "history", "P01"]);
    assert_eq!(out.lines().count(), 4, "header and three changes:\n{out}");
    let (_, out, _) = run(&db, &["status", "history", "P09"]);
    assert_eq!(out.trim(), "No decisions recorded for this patient.");
    let (_, out, _) = run(&db, &["status", "path"]);
    assert_eq!(out.trim(), db.display().to_string());
    let copy = db.with_file_name("copy.sqlite3");
    let (code, _, err) = run(&db, &["status", "backup", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, from_copy, _) = run(&copy, &["status", "history", "P01", "--format", "json"]);
    let (_, original, _) = run(&db, &["status", "history", "P01", "--format", "json"]);
    assert_eq!(from_copy, original);
}

#[test]
fn mistakes_are_refused_and_nothing_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let (code, _, err) = run(&db, &["status", "set", "P1", "KN5501-SLE", "referred"]);
    assert_eq!(code, 1);
    assert!(err.contains("no patient 'P1'"), "{err}");
    let (code, _, err) = run(&db, &["status", "set", "P01", "CASTLE", "referred"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no study 'CASTLE'") && err.contains("KN5501-SLE"),
        "{err}"
    );
    let (code, _, err) = run(&db, &["status", "set", "P01", "KN5501-SLE", "refered"]);
    assert_eq!(code, 2, "clap rejects the status");
    assert!(err.contains("declined-by-patient"), "{err}");
    assert!(!db.exists(), "no database was created for refused commands");
}

#[test]
fn a_damaged_or_foreign_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    std::fs::write(&db, "not a database").unwrap();
    let (code, _, err) = run(&db, &["status", "list"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("w.sqlite3") && err.contains("not a trialmatch worklist"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "not a database");
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn workspace() -> trialmatch::load::Workspace {
    load(
        &Source::Paths(vec!["trials".into()]),
        &Source::Paths(vec!["sample-patients".into()]),
        as_of(),
    )
}

/// The text of a Markdown section, from its heading to the next.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("## {heading}"))
        .unwrap_or_else(|| panic!("section {heading}"));
    let rest = &doc[start + 3..];
    &doc[start..start + 3 + rest.find("\n## ").unwrap_or(rest.len())]
}

#[test]
fn the_referral_summary_holds_what_the_study_team_needs() {
    let ws = workspace();
    // A pair with open questions: a "possible" best cohort.
    let (p, m) = ws
        .patients
        .iter()
        .find_map(|p| {
            rank_with(&ws.trials, p, as_of(), true)
                .into_iter()
                .find(|m| m.best().verdict() == trialmatch::rank::Verdict::Possible)
                .map(|m| (p, m))
        })
        .expect("a sample patient with unknown criteria");
    let t = &ws.trials[m.trial];
    let history = History {
        decisions: vec![Decision {
            seq: 4,
            patient: p.id().to_string(),
            trial: t.id.clone(),
            status: Status::ContactedStudy,
            note: "left voicemail | call back".into(),
            who: "ana".into(),
            at: chrono::Utc::now(),
        }],
        withdrawals: Vec::new(),
        entered: Vec::new(),
    };
    let doc = trialmatch::export::referral_markdown(
        &ws.trials,
        m.trial,
        p,
        as_of(),
        &history,
        Local::now(),
    )
    .unwrap();

    assert!(doc.starts_with(&format!("# Referral summary: patient {}", p.id())));
    assert!(doc.contains("as of 2026-11-22 by trialmatch"));
    let patient = section(&doc, "Patient");
    assert!(patient.contains(&format!("- Patient id: {}", p.id())));
    let study = section(&doc, "Study");
    assert!(study.contains(&t.id));
    let best = m.best();
    let c = best.counts;
    assert!(study.contains(&format!(
        "- Verdict: possible — {} of {} criteria pass, 0 fail, {} unknown",
        c.pass,
        c.total(),
        c.unknown
    )));
    if let Some(cohort) = &best.cohort {
        assert!(
            study.contains(&format!("({cohort})")),
            "cohort named: {study}"
        );
    }

    let met = section(&doc, "Criteria met");
    assert!(met.starts_with(&format!("## Criteria met ({})", c.pass)));
    for r in &best.results {
        let id = &t.criteria[r.index].id;
        let listed = met.contains(&format!("\n- {id} ("));
        assert_eq!(listed, r.state == State::Pass, "{id} in criteria met");
    }
    assert_eq!(met.matches("  - Evidence: ").count(), c.pass);

    // The shown cohort's missing facts (in words), each with the criteria it blocks.
    let open = section(&doc, "Open questions");
    let mut missing: Vec<(&String, &str)> = Vec::new();
    for r in best.results.iter().filter(|r| r.state == State::Unknown) {
        for f in &r.missing {
            missing.push((f, t.criteria[r.index].id.as_str()));
        }
    }
    assert!(!missing.is_empty());
    let facts: std::collections::BTreeSet<&String> = missing.iter().map(|(f, _)| *f).collect();
    assert!(open.starts_with(&format!("## Open questions ({})", facts.len())));
    for (f, id) in missing {
        assert!(open.contains(id), "{f} ({id}) in {open}");
    }

    let contacts = section(&doc, "Whom to contact");
    for ct in &t.contacts {
        assert!(contacts.contains(&ct.name));
        match &ct.phone {
            Some(ph) => assert!(contacts.contains(ph.as_str())),
            None => assert!(contacts.contains("phone: not stated in source")),
        }
    }
    if t.contacts.is_empty() {
        assert!(contacts.contains("Contacts: not stated in source"));
    }

    // One line per entry, no table: the note as typed, the account as "Recorded by".
    let hist = section(&doc, "Decision history");
    assert!(
        hist.contains(": contacted study. Recorded by ana. Note: left voicemail | call back\n"),
        "{hist}"
    );
    // Printed, it reads as written: no Markdown escapes (a backslash before punctuation).
    let c: Vec<char> = doc.chars().collect();
    assert!(
        !c.windows(2)
            .any(|w| w[0] == '\\' && w[1].is_ascii_punctuation()),
        "{doc}"
    );
}

#[test]
fn export_writes_an_owner_only_file_and_never_replaces_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let (code, _, _) = run(
        &db,
        &[
            "status",
            "set",
            "P03",
            "KN5501-SLE",
            "referred",
            "--note",
            "emailed PI",
        ],
    );
    assert_eq!(code, 0);
    let out = dir.path().join("p03.md");
    let outs = out.to_str().unwrap();
    let (code, stdout, err) = run(&db, &["export", "P03", "kn5501-sle", "--out", outs]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("wrote"));
    let doc = std::fs::read_to_string(&out).unwrap();
    assert!(doc.contains("# Referral summary: patient P03 for KN5501 SLE"));
    assert!(doc.contains(": referred. Recorded by ") && doc.contains("Note: emailed PI"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let (code, _, err) = run(&db, &["export", "P03", "kn5501-sle", "--out", outs]);
    assert_eq!(code, 1);
    assert!(err.contains("not replaced"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), doc);
    // Without --out the summary goes to standard output.
    let (code, stdout, _) = run(&db, &["export", "P03", "KN5501-SLE"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# Referral summary: patient P03"));
}

#[test]
fn the_ui_export_names_a_fresh_file_each_time() {
    let ws = workspace();
    let dir = tempfile::tempdir().unwrap();
    let into = trialmatch::export::referrals_dir(&dir.path().join("w.sqlite3"));
    assert_eq!(into, dir.path().join("referrals"));
    let p = &ws.patients[0];
    let none = History::default();
    let a = trialmatch::export::write_referral(&into, &ws.trials, 0, p, as_of(), &none).unwrap();
    let b = trialmatch::export::write_referral(&into, &ws.trials, 0, p, as_of(), &none).unwrap();
    assert_ne!(a, b);
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        name(&a),
        format!("referral-{}-{}-2026-11-22.md", p.id(), ws.trials[0].id)
    );
    assert!(name(&b).ends_with("-2.md"));
    assert!(
        std::fs::read_to_string(&b)
            .unwrap()
            .contains("No decisions recorded in the worklist.")
    );
}

/// `status set` is started again and again and killed with SIGKILL at varying moments, two
/// at a time. Every change whose command reported success must be in the database
/// afterwards, and the database must pass SQLite's integrity check.
#[test]
fn status_set_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let out = crash_support::sigkill_loop(48, |round, k| {
        let note = format!("round {round} writer {k}");
        let status = Status::ALL[(round + k) % 8].key();
        let child = bin(&db)
            .args(["status", "set", "P01", "KN5501-SLE", status])
            .args(["--note", &note])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        (note, child)
    });
    assert!(
        out.succeeded.len() > 2,
        "some commands finished before their kill"
    );
    let store = Store::open(&db).expect("the database opens after the kills");
    let notes: Vec<String> = store
        .history("P01", Some("KN5501-SLE"))
        .unwrap()
        .decisions
        .into_iter()
        .map(|d| d.note)
        .collect();
    for n in &out.succeeded {
        assert!(notes.contains(n), "a reported change was lost: {n}");
    }
    drop(store);
    assert_eq!(crash_support::integrity(&db), "ok");
    eprintln!(
        "{} of {} commands succeeded, {} killed, {} rows",
        out.succeeded.len(),
        2 * 48 + 2,
        out.killed,
        notes.len()
    );
}
