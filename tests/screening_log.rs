//! `trialmatch log`: the screening log and funnel against a worklist built here (patients in
//! several studies, status histories, a withdrawn decision, a ruling with a later note), the
//! period's both ends, `--deidentify` in every format, the CSV in a spreadsheet, the same
//! numbers as the UI's funnel, and the errors.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use trialmatch::load::{Source, Workspace, load};
use trialmatch::worklist::{Status, Store};

const AS_OF: &str = "2026-11-22";

/// A folder of patient files (the shipped samples, copied under a name that must never show in
/// a deidentified log) and a worklist.
struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    patients: PathBuf,
}

/// Noon UTC on `day` (the tests run the binary with TZ=UTC).
fn at(day: &str) -> DateTime<Utc> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_else(|e| panic!("{day}: {e}"));
    Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap_or_default())
}

/// The worklist: KN5501-SLE — P03 screening 11-03, contacted 11-05, referred 11-10, enrolled
/// 11-20; P04 screening 11-04, not eligible 11-06, again with a note 11-07; P11 screening 11-30
/// (the last day of November); P08 contacted 10-31 (the day before), declined 11-02; P17
/// screening 12-01 (the day after). CHEC2024-181 — P01 referred 11-01 (the first day); P05
/// screening 11-15; P02 referred 11-16, withdrawn 11-17; P03 on hold 10-31. NCT06613490 — P01
/// screening 10-15, on hold 11-08.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let patients = dir.path().join("Patients of Example Clinic");
    std::fs::create_dir(&patients).unwrap_or_else(|e| panic!("{e}"));
    for e in std::fs::read_dir("sample-patients").unwrap_or_else(|e| panic!("{e}")) {
        let src = e.unwrap_or_else(|e| panic!("{e}")).path();
        let name = src.file_name().unwrap_or_default();
        std::fs::copy(&src, patients.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let db = dir.path().join("w.sqlite3");
    let mut s = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = |p: &str, t: &str, st: Status, note: &str, day: &str| {
        s.record_as(p, t, st, note, "coordinator", at(day))
            .unwrap_or_else(|e| panic!("{e}"))
            .seq
    };
    let (sle, chec, nct) = ("KN5501-SLE", "CHEC2024-181", "NCT06613490");
    rec("P01", nct, Status::Screening, "", "2026-10-15");
    rec("P08", sle, Status::ContactedStudy, "", "2026-10-31");
    rec("P03", chec, Status::OnHold, "await labs", "2026-10-31");
    rec(
        "P01",
        chec,
        Status::Referred,
        "faxed to Dr Tan",
        "2026-11-01",
    );
    rec(
        "P08",
        sle,
        Status::DeclinedByPatient,
        "travel",
        "2026-11-02",
    );
    rec("P03", sle, Status::Screening, "", "2026-11-03");
    rec("P04", sle, Status::Screening, "", "2026-11-04");
    rec("P03", sle, Status::ContactedStudy, "", "2026-11-05");
    rec("P04", sle, Status::NotEligible, "pregnant", "2026-11-06");
    rec(
        "P04",
        sle,
        Status::NotEligible,
        "confirmed by Dr X",
        "2026-11-07",
    );
    rec("P01", nct, Status::OnHold, "await echo", "2026-11-08");
    rec("P03", sle, Status::Referred, "sent to Dr Li", "2026-11-10");
    rec("P05", chec, Status::Screening, "", "2026-11-15");
    let wrong = rec("P02", chec, Status::Referred, "", "2026-11-16");
    rec("P03", sle, Status::Enrolled, "", "2026-11-20");
    rec("P11", sle, Status::Screening, "", "2026-11-30");
    rec("P17", sle, Status::Screening, "", "2026-12-01");
    s.withdraw_as(wrong, "meant for P01", "coordinator", at("2026-11-17"))
        .unwrap_or_else(|e| panic!("{e}"));
    Fixture {
        _dir: dir,
        db,
        patients,
    }
}

/// Runs `trialmatch log ARGS` on the fixture: exit code, standard output and error.
fn log(f: &Fixture, db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .env("TZ", "UTC")
        .arg("--db")
        .arg(db)
        .arg("--patients")
        .arg(&f.patients)
        .args(["--as-of", AS_OF, "log"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("runs: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(f: &Fixture, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = log(f, &f.db, &all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

const NOVEMBER: [&str; 4] = ["--from", "2026-11-01", "--to", "2026-11-30"];

fn rows(v: &Value) -> Vec<Value> {
    v["rows"].as_array().cloned().unwrap_or_default()
}

fn row<'a>(rows: &'a [Value], study: &str, subject: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["study"] == study && r["subject"] == subject)
        .unwrap_or_else(|| panic!("no row {subject} × {study} in {rows:#?}"))
}

fn subjects(rows: &[Value], study: &str) -> Vec<String> {
    rows.iter()
        .filter(|r| r["study"] == study)
        .map(|r| r["subject"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn funnel<'a>(v: &'a Value, study: &str) -> &'a Value {
    v["funnel"]
        .as_array()
        .and_then(|f| f.iter().find(|x| x["study"] == study))
        .unwrap_or_else(|| panic!("no funnel for {study}"))
}

/// The fixture's patient files, loaded as the binary loads them.
fn workspace(f: &Fixture) -> Workspace {
    load(
        &Source::Paths(vec!["trials".into()]),
        &Source::Paths(vec![f.patients.clone()]),
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
    )
}

/// The ids of the criteria patient `id` fails for study `trial` (the engine as the oracle).
fn failing(ws: &Workspace, id: &str, trial: &str) -> Vec<String> {
    let (t, study) = ws
        .trials
        .iter()
        .enumerate()
        .find(|(_, t)| t.id == trial)
        .unwrap_or_else(|| panic!("no {trial}"));
    let p = ws
        .patients
        .iter()
        .find(|p| p.id() == id)
        .unwrap_or_else(|| panic!("no {id}"));
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    trialmatch::screening::find(t, study, p, as_of)
        .failing
        .iter()
        .map(|&i| study.criteria[i].id.clone())
        .collect()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_november_log_of_one_study_and_its_funnel() {
    let f = fixture();
    let mut args = vec!["--trial", "kn5501-sle"];
    args.extend(NOVEMBER);
    let v = json(&f, &args);
    assert_eq!(v["studies"], serde_json::json!(["KN5501-SLE"]));
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("2026-11-01"), Some("2026-11-30"))
    );
    let rs = rows(&v);
    // By date screened: P08 (first decision the day before, declined in the period), P03, P04,
    // P11 (the last day). P17 (the day after) is not there.
    assert_eq!(subjects(&rs, "KN5501-SLE"), ["P08", "P03", "P04", "P11"]);
    let p03 = row(&rs, "KN5501-SLE", "P03");
    assert_eq!(p03["screened"], "2026-11-03");
    assert_eq!(p03["screened_from"], "first decision");
    assert_eq!(p03["eligible"], "yes");
    assert_eq!(p03["status"], "enrolled");
    assert_eq!(p03["status_since"], "2026-11-20");
    assert_eq!(p03["contacted_on"], "2026-11-05");
    assert_eq!(p03["referred_on"], "2026-11-10");
    assert_eq!(p03["enrolled_on"], "2026-11-20");
    assert_eq!(p03["name"], "Test Patient Charlie");
    assert_eq!(p03["dob"], "1997-05-30");
    // P04: ruled not eligible; the status dates from the first ruling, the note is the latest.
    let p04 = row(&rs, "KN5501-SLE", "P04");
    assert_eq!(p04["eligible"], "no");
    assert_eq!(p04["status"], "not-eligible");
    assert_eq!(p04["status_since"], "2026-11-06");
    assert_eq!(p04["note"], "confirmed by Dr X");
    let ws = workspace(&f);
    assert_eq!(
        ids(&p04["ineligibility_reasons"]),
        failing(&ws, "P04", "KN5501-SLE")
    );
    let p08 = row(&rs, "KN5501-SLE", "P08");
    assert_eq!(p08["screened"], "2026-10-31");
    assert_eq!(p08["status"], "declined-by-patient");
    assert_eq!(p08["note"], "travel");
    assert_eq!(p08["declined_on"], "2026-11-02");
    let p11 = row(&rs, "KN5501-SLE", "P11");
    assert_eq!(p11["screened"], "2026-11-30");
    assert_eq!(
        ids(&p11["ineligibility_reasons"]),
        failing(&ws, "P11", "KN5501-SLE")
    );
    // The funnel counts what happened in November: P08 was screened and contacted in October.
    let fu = funnel(&v, "KN5501-SLE");
    let steps: Vec<u64> = [
        "screened",
        "eligible_or_possible",
        "contacted",
        "referred",
        "enrolled",
        "declined",
        "not_eligible",
    ]
    .iter()
    .map(|k| fu[*k].as_u64().unwrap_or(99))
    .collect();
    assert_eq!(steps, [3, 1, 1, 1, 1, 1, 2]);
    // The reasons: P04's and P11's failing criteria, each counted once per patient.
    let mut expected: Vec<(String, u64)> = Vec::new();
    for id in failing(&ws, "P04", "KN5501-SLE")
        .into_iter()
        .chain(failing(&ws, "P11", "KN5501-SLE"))
    {
        match expected.iter_mut().find(|(i, _)| *i == id) {
            Some((_, n)) => *n += 1,
            None => expected.push((id, 1)),
        }
    }
    let top: Vec<(String, u64)> = fu["top_reasons"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let id = r["id"].as_str().unwrap_or_default().to_string();
                    (id, r["count"].as_u64().unwrap_or(0))
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(!top.is_empty() && top.len() <= 5, "{top:?}");
    for t in &top {
        assert!(expected.contains(t), "{t:?} not among {expected:?}");
    }
    assert!(
        top.windows(2).all(|w| w[0].1 >= w[1].1),
        "most frequent first"
    );
    // The table says the same.
    let (code, out, err) = log(&f, &f.db, &args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("screened                 3"), "{out}");
    assert!(out.contains("declined                 1"), "{out}");
    assert!(out.contains("note: confirmed by Dr X"), "{out}");
}

#[test]
fn the_period_includes_both_ends_and_not_the_days_beside() {
    let f = fixture();
    let v = json(&f, &NOVEMBER);
    let rs = rows(&v);
    // The first day (P01 referred to CHEC on 11-01) and the last (P11 on 11-30) are in.
    assert_eq!(row(&rs, "CHEC2024-181", "P01")["status"], "referred");
    row(&rs, "KN5501-SLE", "P11");
    // The day before (P03's hold for CHEC on 10-31) and the day after (P17 on 12-01) are not.
    assert!(!subjects(&rs, "CHEC2024-181").contains(&"P03".to_string()));
    assert!(!subjects(&rs, "KN5501-SLE").contains(&"P17".to_string()));
    // Moving each end by a day moves the pairs at the ends.
    let v = json(&f, &["--from", "2026-11-02", "--to", "2026-11-29"]);
    let rs = rows(&v);
    assert!(!subjects(&rs, "CHEC2024-181").contains(&"P01".to_string()));
    assert!(!subjects(&rs, "KN5501-SLE").contains(&"P11".to_string()));
    let v = json(&f, &["--from", "2026-10-31", "--to", "2026-12-01"]);
    let rs = rows(&v);
    assert!(subjects(&rs, "CHEC2024-181").contains(&"P03".to_string()));
    assert!(subjects(&rs, "KN5501-SLE").contains(&"P17".to_string()));
    // P08's contact on 10-31 counts from that day on.
    assert_eq!(funnel(&v, "KN5501-SLE")["contacted"], 2);
    assert_eq!(funnel(&json(&f, &NOVEMBER), "KN5501-SLE")["contacted"], 1);
    // A single day.
    let v = json(&f, &["--from", "2026-10-31", "--to", "2026-10-31"]);
    assert_eq!(subjects(&rows(&v), "CHEC2024-181"), ["P03"]);
    assert_eq!(funnel(&v, "KN5501-SLE")["contacted"], 1);
    assert_eq!(funnel(&v, "KN5501-SLE")["declined"], 0);
}

#[test]
fn a_patient_in_several_studies_has_a_row_for_each_and_withdrawals_do_not_count() {
    let f = fixture();
    let v = json(&f, &NOVEMBER);
    let rs = rows(&v);
    let chec = row(&rs, "CHEC2024-181", "P01");
    assert_eq!(chec["status_since"], "2026-11-01");
    assert_eq!(chec["note"], "faxed to Dr Tan");
    // Screened in October, on hold in November: listed, but not screened in November.
    let nct = row(&rs, "NCT06613490", "P01");
    assert_eq!(nct["screened"], "2026-10-15");
    assert_eq!(nct["status"], "on-hold");
    assert_eq!(nct["status_since"], "2026-11-08");
    assert_eq!(nct["note"], "await echo");
    assert!(nct["contacted_on"].is_null());
    // P02's referral was withdrawn: not referred, and (its referral received in October) not
    // in November's log.
    assert!(!subjects(&rs, "CHEC2024-181").contains(&"P02".to_string()));
    assert_eq!(funnel(&v, "CHEC2024-181")["referred"], 1);
    // Over every date P02 is a candidate for CHEC (eligible, no decision), screened on the
    // day its referral was received.
    let v = json(&f, &[]);
    let rs = rows(&v);
    let p02 = row(&rs, "CHEC2024-181", "P02");
    assert!(p02["status"].is_null(), "{p02}");
    assert_eq!(p02["screened_from"], "referral received");
    assert_eq!(p02["screened"], "2026-10-28");
    assert_eq!(v["left_out"]["not_loaded"], 0);
}

/// Every name, date of birth and file path of the fixture's patients, and the notes.
fn identifying(f: &Fixture) -> Vec<String> {
    let ws = workspace(f);
    let mut out = vec![
        f.patients.display().to_string(),
        "Patients of Example Clinic".to_string(),
        "sample-patients".to_string(),
    ];
    for p in &ws.patients {
        out.extend(p.data.name.clone());
        out.push(p.file.clone());
        if let Some(stem) = Path::new(&p.file).file_stem() {
            out.push(stem.to_string_lossy().into_owned());
        }
        if let Some(d) = &p.data.dob {
            let d = d.get_ref().0;
            out.push(d.to_string());
            out.push(d.format("%d/%m/%Y").to_string());
            out.push(d.format("%Y%m%d").to_string());
        }
        // Patient ids can be hospital numbers: replaced too.
        out.push(format!("\"{}\"", p.id()));
        out.push(format!(",{},", p.id()));
        out.push(format!(" {} ", p.id()));
    }
    out.extend(
        [
            "Dr X",
            "Dr Li",
            "Dr Tan",
            "travel",
            "await echo",
            "meant for",
        ]
        .map(String::from),
    );
    out
}

#[test]
fn a_deidentified_log_has_no_name_path_date_of_birth_or_note_in_any_format() {
    let f = fixture();
    let secrets = identifying(&f);
    let mut first: Option<String> = None;
    for format in ["table", "csv", "json"] {
        for period in [&[][..], &NOVEMBER[..]] {
            let mut args = vec!["--deidentify", "--format", format];
            args.extend(period);
            let (code, out, err) = log(&f, &f.db, &args);
            assert_eq!(code, 0, "{err}");
            for s in &secrets {
                assert!(!out.contains(s.as_str()), "{format}: '{s}' in\n{out}");
                assert!(!err.contains(s.as_str()), "{format}: '{s}' in\n{err}");
            }
            assert!(out.contains("S-"), "{out}");
            // Identified, the same log does show them (the check above is not vacuous).
            let (_, plain, _) = log(&f, &f.db, &args[1..]);
            assert!(plain.contains("Test Patient Charlie"), "{plain}");
            if format == "json" && period.is_empty() {
                first = Some(out);
            }
        }
    }
    let first = first.unwrap_or_default();
    let v: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["deidentified"], true);
    for r in rows(&v) {
        for k in ["name", "file", "dob", "note"] {
            assert!(r.get(k).is_none(), "{k} in {r}");
        }
        assert!(r["age"].is_u64(), "ages stay: {r}");
    }
    // Stable: the same pseudonyms in every run, and in a backup of the worklist.
    let (_, again, _) = log(&f, &f.db, &["--deidentify", "--format", "json"]);
    assert_eq!(again, first);
    let copy = f.db.with_file_name("copy.sqlite3");
    Store::open_existing(&f.db)
        .and_then(|s| s.backup_to(&copy))
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, from_copy, _) = log(&f, &copy, &["--deidentify", "--format", "json"]);
    assert_eq!(from_copy, first);
    // Another worklist keys other pseudonyms.
    let other = f.db.with_file_name("other.sqlite3");
    drop(Store::open(&other).unwrap_or_else(|e| panic!("{e}")));
    let (_, elsewhere, _) = log(&f, &other, &["--deidentify", "--format", "json"]);
    // P03's pseudonym under each worklist's key (P03 is in both logs: decided in one, a
    // candidate in the other).
    let key = |db: &Path| {
        let k = Store::open_existing(db)
            .and_then(|s| s.pseudonym_key())
            .unwrap_or_else(|e| panic!("{e}"));
        trialmatch::screening::Pseudonyms::new(k).of("P03")
    };
    let (mine, theirs) = (key(&f.db), key(&other));
    assert_ne!(mine, theirs);
    assert!(first.contains(&mine) && !first.contains(&theirs), "{first}");
    assert!(elsewhere.contains(&theirs) && !elsewhere.contains(&mine));
}

/// Fields of one CSV line (quotes as the writer puts them).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[test]
fn the_csv_opens_cleanly_in_a_spreadsheet() {
    let f = fixture();
    let mut s = Store::open(&f.db).unwrap_or_else(|e| panic!("{e}"));
    s.record_as(
        "P05",
        "CHEC2024-181",
        Status::OnHold,
        "=HYPERLINK(\"http://x\"), \"call\"",
        "coordinator",
        at("2026-11-21"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(s);
    for deidentify in [false, true] {
        let mut args = vec!["--format", "csv"];
        if deidentify {
            args.push("--deidentify");
        }
        let (code, out, err) = log(&f, &f.db, &args);
        assert_eq!(code, 0, "{err}");
        let mut blocks = out.split("\n\n");
        let rows: Vec<&str> = blocks.next().unwrap_or_default().lines().collect();
        let funnel: Vec<&str> = blocks.next().unwrap_or_default().lines().collect();
        let width = csv_fields(rows[0]).len();
        assert!(rows.len() > 5, "{out}");
        for r in &rows {
            let fields = csv_fields(r);
            assert_eq!(fields.len(), width, "{r}");
            assert!(
                fields.iter().all(|f| !f.starts_with(['=', '+', '-', '@'])),
                "a formula reaches the spreadsheet: {r}"
            );
        }
        assert_eq!(
            csv_fields(rows[0]).contains(&"note".to_string()),
            !deidentify
        );
        if !deidentify {
            assert!(
                out.contains("\"'=HYPERLINK(\"\"http://x\"\"), \"\"call\"\"\""),
                "{out}"
            );
        }
        assert_eq!(funnel.len(), 5, "a header and four studies: {funnel:?}");
        assert!(funnel[0].starts_with("study,study_name,screened,eligible_or_possible"));
    }
}

#[test]
fn the_uis_funnel_has_the_logs_numbers() {
    let f = fixture();
    let v = json(&f, &[]);
    let ws = workspace(&f);
    let history = Store::open_existing(&f.db)
        .and_then(|s| s.all_history())
        .unwrap_or_else(|e| panic!("{e}"));
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let mut app = trialmatch::tui::App::new(ws, as_of);
    app.update(trialmatch::tui::Action::Show(
        trialmatch::tui::app::Screen::Funnel,
    ));
    app.receive(trialmatch::tui::worklist::Outcome::Funnel {
        result: Ok(history),
    });
    assert_eq!(app.funnel_studies().len(), 4);
    for fu in app.funnel_studies() {
        let t = &app.trials()[fu.trial];
        let logged = funnel(&v, &t.id);
        let keys = [
            "screened",
            "eligible_or_possible",
            "contacted",
            "referred",
            "enrolled",
            "declined",
        ];
        for (k, n) in keys.iter().zip(fu.counts) {
            assert_eq!(logged[*k].as_u64(), Some(n as u64), "{} {k}", t.id);
        }
        let reasons: Vec<String> = fu.reasons.iter().map(|r| r.reason.id(t)).collect();
        assert_eq!(ids(&logged["top_reasons"]), reasons, "{}", t.id);
    }
}

#[test]
fn bad_periods_a_missing_worklist_and_unknown_studies_are_explained() {
    let f = fixture();
    let (code, _, err) = log(&f, &f.db, &["--from", "2026-11-30", "--to", "2026-11-01"]);
    assert_eq!(code, 1);
    assert!(err.contains("is after --to"), "{err}");
    let (code, _, err) = log(&f, &f.db, &["--trial", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("no study 'nope'"), "{err}");
    // No worklist: the candidates alone (and nothing created); deidentified, refused.
    let none = f.db.with_file_name("none.sqlite3");
    let (code, out, err) = log(&f, &none, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("candidates only"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(rows(&v).iter().all(|r| r["status"].is_null()));
    let (code, out, err) = log(&f, &none, &["--deidentify"]);
    assert_eq!(code, 1);
    assert!(
        out.is_empty() && err.contains("pseudonyms are keyed"),
        "{err}"
    );
    assert!(!none.exists(), "a log never creates a worklist");
}
