//! Evidence says where each fact came from: a fact entered in the app (`entry add`) is quoted
//! in the evidence of every criterion that reads it with who entered it, when and from what
//! source — a lab, a recorded number, a derived value's input, an attestation, a history entry
//! — in the report and in the referral summary; the same fact written in the patient's file
//! carries no such note, and the note never changes a verdict or any other word of evidence.

use std::path::{Path, PathBuf};
use std::process::Command;

const AS_OF: &str = "2026-11-22";
const SOURCE: &str = "phone, Dr Tan";

/// The facts entered for P13 (whose file is sparse), each read by some criterion.
const FACTS: &[&str] = &[
    // A recorded number.
    "cardiac = { lvef = 58 }",
    // Labs.
    "lab = [{ name = \"ast\", value = 30, unit = \"U/L\", uln = 40, date = 2026-11-20 }]",
    "lab = [{ name = \"alt\", value = 40, unit = \"U/L\", uln = 40, date = 2026-11-20 }]",
    // Inputs of derived values: weight (CrCl) and the date of birth (age), as the file has it.
    "weight = { value = 61, unit = \"kg\" }",
    "dob = 1976-03-02",
    // An attestation.
    "attestation = [{ criterion = \"A-I6\", met = true, by = \"Dr Tan\", date = 2026-11-21 }]",
    // A history entry.
    "condition = [{ category = \"malignancy\", name = \"basal cell carcinoma\", status = \"cured\", \
     onset = 2015-01-01, resolved = 2015-06-01, tags = [\"skin\"] }]",
];

/// A folder holding P13's file alone (`text`, or the sample file as it is).
fn folder(dir: &Path, name: &str, text: Option<&str>) -> PathBuf {
    let patients = dir.join(name);
    std::fs::create_dir(&patients).unwrap();
    let sample = std::fs::read_to_string("sample-patients/p13-pss-sparse.toml").unwrap();
    std::fs::write(patients.join("p13.toml"), text.unwrap_or(&sample)).unwrap();
    patients
}

fn run(patients: &Path, db: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .args(["--trials", "trials", "--as-of", AS_OF, "--patients"])
        .arg(patients)
        .arg("--db")
        .arg(db)
        .env_remove("TRIALMATCH_CONFIG")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Every criterion of the report as (study, criterion id, state, reason), in report order.
fn criteria(patients: &Path, db: &Path) -> Vec<(String, String, String, String)> {
    let (code, out, err) = run(patients, db, &["report", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut out = Vec::new();
    for p in v["patients"].as_array().unwrap() {
        for m in p["matches"].as_array().unwrap() {
            for c in m["criteria"].as_array().unwrap() {
                out.push((s(&m["trial"]), s(&c["id"]), s(&c["state"]), s(&c["reason"])));
            }
        }
    }
    out
}

/// The reason of one criterion (of the first study listing it).
fn reason<'a>(all: &'a [(String, String, String, String)], id: &str) -> &'a str {
    all.iter()
        .find(|c| c.1 == id)
        .map(|c| c.3.as_str())
        .unwrap_or_else(|| panic!("no criterion {id}"))
}

/// `text` without the provenance notes: each " [… entered by …]".
fn without_notes(text: &str) -> String {
    let mut s = text.to_string();
    while let Some(at) = s.find("entered by ") {
        let open = s[..at]
            .rfind(" [")
            .unwrap_or_else(|| panic!("unbracketed note: {s}"));
        let close = at
            + s[at..]
                .find(']')
                .unwrap_or_else(|| panic!("unclosed note: {s}"));
        assert!(!s[open + 2..close].contains('['), "nested note: {s}");
        s.replace_range(open..=close, "");
    }
    s
}

/// P13 with the facts entered in the app; and P13's file with the same facts written in it.
fn entered_and_written() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let entered = folder(dir.path(), "entered", None);
    let db = dir.path().join("w.sqlite3");
    for fact in FACTS {
        let (code, _, err) = run(
            &entered,
            &db,
            &["entry", "add", "P13", fact, "--source", SOURCE],
        );
        assert_eq!(code, 0, "{fact}: {err}");
    }
    let sample = std::fs::read_to_string("sample-patients/p13-pss-sparse.toml").unwrap();
    let mut table: toml::Table = sample.parse().unwrap();
    for fact in FACTS {
        trialmatch::intake::merge::overlay(&mut table, &fact.parse().unwrap()).unwrap();
    }
    let written = folder(
        dir.path(),
        "written",
        Some(&toml::to_string(&table).unwrap()),
    );
    (dir, entered, written, db)
}

#[test]
fn entered_facts_carry_their_provenance_in_evidence_and_written_facts_none() {
    let (dir, entered, written, db) = entered_and_written();
    let with = criteria(&entered, &db);
    let note = |what: &str| format!("{what} [entered by ");
    let has = |id: &str, what: &str| {
        let r = reason(&with, id);
        assert!(r.contains(what), "{id}: {what:?} not in {r}");
        assert!(
            r.contains(&format!(", {SOURCE}]")),
            "{id}: no source in {r}"
        );
    };
    // A recorded number.
    has("S-I8", &note("LVEF 58%"));
    // A lab, as read through × ULN; an attestation; a derived value's input (weight → CrCl).
    has("A-I6", &note("AST 30 U/L on 2026-11-20"));
    has("A-I6", &note("ALT 40 U/L on 2026-11-20"));
    has(
        "A-I6",
        &note("clinician attestation by Dr Tan on 2026-11-21 says met"),
    );
    has(
        "C-I6",
        "[Cockcroft-Gault; creatinine 72 µmol/L on 2026-10-28] [date of birth, weight: entered by ",
    );
    // A history entry.
    has(
        "A-E6",
        &note("basal cell carcinoma (cured, onset 2015-01-01, resolved 2015-06-01, skin)"),
    );
    // Age, from the date of birth entered.
    assert!(
        with.iter().any(|c| c.3.contains(&note("(born 1976-03-02"))),
        "no age evidence with its provenance"
    );

    // The same facts written in the file: no note, and otherwise the very same report.
    let none = dir.path().join("none.sqlite3");
    let plain = criteria(&written, &none);
    assert!(
        plain.iter().all(|c| !c.3.contains("entered by")),
        "a written fact has no provenance note"
    );
    let stripped: Vec<_> = with
        .iter()
        .map(|(t, id, state, r)| (t.clone(), id.clone(), state.clone(), without_notes(r)))
        .collect();
    assert_eq!(stripped, plain, "the note changes nothing else");
}

#[test]
fn the_referral_summary_quotes_the_provenance_in_its_evidence() {
    let (_dir, entered, _, db) = entered_and_written();
    let (code, doc, err) = run(&entered, &db, &["export", "P13", "CHEC2024-181"]);
    assert_eq!(code, 0, "{err}");
    let evidence: Vec<&str> = doc
        .lines()
        .filter(|l| l.contains("Evidence:") || l.contains("Why unknown:"))
        .collect();
    assert!(
        evidence
            .iter()
            .any(|l| l.contains(", weight: entered by ") && l.contains(SOURCE)),
        "{doc}"
    );
    assert!(
        evidence
            .iter()
            .any(|l| l.contains("skin) [entered by ") && l.contains(SOURCE)),
        "{doc}"
    );
    // The patient's own facts say it too.
    assert!(
        doc.contains("- Date of birth: 1976-03-02 (age 50 on 2026-11-22) [entered by "),
        "{doc}"
    );
}

#[test]
fn a_file_may_say_where_its_facts_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string("sample-patients/p13-pss-sparse.toml").unwrap();
    let text = format!(
        "{sample}\n[cardiac]\nlvef = 55\n\n[entered]\n\"cardiac.lvef\" = \"letter of 2026-11-28\"\n"
    );
    let patients = folder(dir.path(), "p", Some(&text));
    let none = dir.path().join("none.sqlite3");
    let (code, out, err) = run(&patients, &none, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    let all = criteria(&patients, &none);
    assert!(
        reason(&all, "S-I8").contains("LVEF 55% [letter of 2026-11-28] ≥ 50: yes"),
        "{}",
        reason(&all, "S-I8")
    );
}
