//! The referral summary as the study team reads it, printed or faxed: plain words (no Markdown
//! backslash escapes, no vocabulary codes), only the cohort it is about, "Recorded by" in the
//! history, and a sender block from the settings file (`TRIALMATCH_CONFIG` names it here);
//! and `trialmatch config`, which shows that file.

use chrono::{Local, NaiveDate};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use trialmatch::load::{Source, Workspace, load};
use trialmatch::rank::rank_with;
use trialmatch::worklist::{Decision, History, Status, Withdrawal};

const AS_OF: &str = "2026-11-22";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn workspace() -> Workspace {
    load(
        &Source::Paths(vec!["trials".into()]),
        &Source::Paths(vec!["sample-patients".into()]),
        as_of(),
    )
}

fn summary(ws: &Workspace, patient: &str, study: &str, history: &History) -> String {
    let t = ws.trials.iter().position(|t| t.id == study).unwrap();
    let p = ws.patients.iter().find(|p| p.id() == patient).unwrap();
    trialmatch::export::referral_markdown(&ws.trials, t, p, as_of(), history, Local::now()).unwrap()
}

/// The text of a Markdown section, from its heading to the next.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("## {heading}"))
        .unwrap_or_else(|| panic!("section {heading} in\n{doc}"));
    let rest = &doc[start + 3..];
    &doc[start..start + 3 + rest.find("\n## ").unwrap_or(rest.len())]
}

/// The words of `doc` as tokens of letters, digits, '_' and '-'.
fn tokens(doc: &str) -> BTreeSet<&str> {
    doc.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// A backslash before ASCII punctuation: a Markdown escape, shown as such when printed.
fn escapes(doc: &str) -> Vec<String> {
    let c: Vec<char> = doc.chars().collect();
    c.windows(2)
        .filter(|w| w[0] == '\\' && w[1].is_ascii_punctuation())
        .map(|w| w.iter().collect())
        .collect()
}

fn history(note: &str) -> History {
    let at = chrono::Utc::now();
    let d = |seq, status, note: &str| Decision {
        seq,
        patient: "P01".into(),
        trial: "X".into(),
        status,
        note: note.into(),
        who: "root".into(),
        at,
    };
    History {
        decisions: vec![
            d(1, Status::Screening, "typed for the wrong patient"),
            d(3, Status::ContactedStudy, note),
        ],
        withdrawals: vec![Withdrawal {
            seq: 2,
            withdraws: 1,
            patient: "P01".into(),
            trial: "X".into(),
            status: Status::Screening,
            note: "wrong patient".into(),
            who: "root".into(),
            at,
        }],
        entered: Vec::new(),
    }
}

#[test]
fn printed_it_shows_no_markdown_escapes() {
    let ws = workspace();
    let note = "asked for bilag_a & anti_dsdna <!-- --> results! a|b";
    // P01 × CHEC: the RA cohort's C-I25 quotes "arthritis: <!-- --> 1. Failure".
    let chec = summary(&ws, "P01", "CHEC2024-181", &history(note));
    assert!(escapes(&chec).is_empty(), "{:?}\n{chec}", escapes(&chec));
    assert!(!chec.contains('\\'), "{chec}");
    assert!(
        chec.contains("rheumatoid arthritis: `<!-- -->` 1. Failure"),
        "{chec}"
    );
    // A note is printed as typed; the comment is quoted, so it neither hides text nor shows
    // escapes.
    assert!(
        chec.contains("Note: asked for bilag_a & anti_dsdna `<!-- -->` results! a|b"),
        "{chec}"
    );
    // P03 × KN5501: BILAG and anti-dsDNA, B-cell-targeted, DRUG_INDUCED_LUPUS in the reasons.
    let sle = summary(&ws, "P03", "KN5501-SLE", &history(note));
    assert!(escapes(&sle).is_empty(), "{:?}\n{sle}", escapes(&sle));
    assert!(!sle.contains('\\'), "{sle}");
    assert!(
        sle.contains("Note: asked for bilag_a & anti_dsdna"),
        "{sle}"
    );
    // Every sample pair: nothing Markdown-escaped anywhere.
    for p in &ws.patients {
        for t in &ws.trials {
            let doc = summary(&ws, p.id(), &t.id, &History::default());
            assert!(
                escapes(&doc).is_empty(),
                "{} × {}: {:?}",
                p.id(),
                t.id,
                escapes(&doc)
            );
        }
    }
}

/// Emphasis markers the writer itself adds (`**bold**`, `_italic_`): shown as such when printed.
fn emphasis(doc: &str) -> Vec<&str> {
    doc.split_whitespace()
        .filter(|w| {
            let w = w.trim_end_matches([',', '.', ';', ':', ')']);
            w.starts_with("**") || (w.len() > 2 && w.starts_with('_') && w.ends_with('_'))
        })
        .collect()
}

#[test]
fn printed_it_shows_no_emphasis_markers() {
    let ws = workspace();
    // Every sample pair: verdicts, criteria lists and "not stated in source" fields.
    for p in &ws.patients {
        for t in &ws.trials {
            let doc = summary(&ws, p.id(), &t.id, &History::default());
            assert!(
                emphasis(&doc).is_empty(),
                "{} × {}: {:?}",
                p.id(),
                t.id,
                emphasis(&doc)
            );
        }
    }
    let sle = summary(&ws, "P03", "KN5501-SLE", &History::default());
    assert!(sle.contains("- Verdict: eligible — "), "{sle}");
    assert!(
        sle.contains("- Sponsor study id: not stated in source"),
        "{sle}"
    );
    assert!(sle.contains("- S-I1 (inclusion): Age:"), "{sle}");
}

#[test]
fn codes_are_said_in_plain_words() {
    let ws = workspace();
    let sle = summary(&ws, "P03", "KN5501-SLE", &History::default());
    for code in [
        "b_cell_targeted",
        "DRUG_INDUCED_LUPUS",
        "bilag_a",
        "anti_dsdna",
        "iv_antibiotic",
        "calcineurin_inhibitor",
    ] {
        assert!(!sle.contains(code), "{code} in\n{sle}");
    }
    for words in [
        "no B-cell-targeted within 1 month",
        "calcineurin inhibitor/biologic/bDMARD/B-cell-targeted for ≥ 6 months",
        "no dermatomyositis diagnosis",
        "no SSc diagnosis",
        "no drug-induced lupus diagnosis",
        "BILAG A 1 on 2026-11-13 ≥ 1: yes; BILAG B 2 on",
        "anti-dsDNA positive",
        "no IV antibiotic within 7 days",
    ] {
        assert!(sle.contains(words), "{words} in\n{sle}");
    }
    // No sample pair's summary carries a vocabulary code with an underscore, in any case.
    use trialmatch::vocab as v;
    let codes: BTreeSet<String> = [
        v::LABS,
        v::SCORES,
        v::DIAGNOSES,
        v::CLASSES,
        v::OUTCOMES,
        v::CATEGORIES,
    ]
    .iter()
    .chain(v::TAG_AXES)
    .flat_map(|l| l.iter())
    .filter(|c| c.contains('_'))
    .flat_map(|c| [c.to_string(), c.to_uppercase()])
    .collect();
    for p in &ws.patients {
        for t in &ws.trials {
            let doc = summary(&ws, p.id(), &t.id, &History::default());
            let raw: Vec<&str> = tokens(&doc)
                .into_iter()
                .filter(|w| codes.contains(*w))
                .collect();
            assert!(raw.is_empty(), "{} × {}: {raw:?}", p.id(), t.id);
        }
    }
}

#[test]
fn only_the_shown_cohort_is_in_the_summary() {
    let ws = workspace();
    let mut multi = 0;
    for p in &ws.patients {
        for m in rank_with(&ws.trials, p, as_of(), true) {
            let t = &ws.trials[m.trial];
            let best = m.best();
            let shown: BTreeSet<&str> = best
                .results
                .iter()
                .map(|r| t.criteria[r.index].id.as_str())
                .collect();
            let others: Vec<&str> = t
                .criteria
                .iter()
                .map(|c| c.id.as_str())
                .filter(|id| !shown.contains(id))
                .collect();
            if others.is_empty() {
                continue;
            }
            multi += 1;
            let doc = summary(&ws, p.id(), &t.id, &History::default());
            let words = tokens(&doc);
            for id in &others {
                assert!(
                    !words.contains(id),
                    "{} × {}: {id} belongs to another cohort:\n{doc}",
                    p.id(),
                    t.id
                );
            }
            // The open questions are exactly the shown cohort's missing facts.
            let facts: BTreeSet<&String> = best.results.iter().flat_map(|r| &r.missing).collect();
            let open = section(&doc, "Open questions");
            assert!(
                open.starts_with(&format!("## Open questions ({})", facts.len())),
                "{} × {}: {} facts\n{open}",
                p.id(),
                t.id,
                facts.len()
            );
            assert!(!doc.contains("Other cohort"), "{doc}");
        }
    }
    assert!(multi > 10, "pairs with cohorts checked: {multi}");
    // P01 × CHEC (RA cohort): nothing of the pSS, SSc or IIM cohorts.
    let doc = summary(&ws, "P01", "CHEC2024-181", &History::default());
    assert!(doc.contains("- Cohort: Relapsed/refractory rheumatoid arthritis (RA)"));
    for id in ["C-I12", "C-I17", "C-I19", "C-I20"] {
        assert!(!tokens(&doc).contains(id), "{id}:\n{doc}");
    }
}

#[test]
fn the_history_says_recorded_by() {
    let ws = workspace();
    let doc = summary(&ws, "P03", "KN5501-SLE", &history("left voicemail"));
    let hist = section(&doc, "Decision history");
    assert!(!hist.contains("Who"), "{hist}");
    assert!(!hist.contains('|'), "a list, not a table: {hist}");
    assert!(
        hist.contains(": contacted study. Recorded by root. Note: left voicemail"),
        "{hist}"
    );
    assert!(
        hist.contains(": ~~screening~~ — withdrawn (entered in error). Recorded by root."),
        "{hist}"
    );
    assert!(
        hist.contains(": entered in error: withdraws the screening of "),
        "{hist}"
    );
    assert!(hist.contains("Note: wrong patient"), "{hist}");
}

/// The binary with its settings file named by `TRIALMATCH_CONFIG`.
fn bin(config: &Path, db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trialmatch"));
    c.env("TRIALMATCH_CONFIG", config)
        .arg("--db")
        .arg(db)
        .args(["--as-of", AS_OF]);
    c
}

fn run(config: &Path, db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin(config, db).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_sender_block_comes_from_the_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let config = dir.path().join("settings.toml");

    // No file: the block says so, and how to fix it.
    let (code, doc, err) = run(&config, &db, &["export", "P03", "KN5501-SLE"]);
    assert_eq!(code, 0, "{err}");
    let from = section(&doc, "From");
    assert!(
        from.contains("Sender not configured — run `trialmatch config`"),
        "{from}"
    );
    assert!(from.contains("coordinator name, site or phone"), "{from}");

    // A full file: name, site and phone, as written.
    std::fs::write(
        &config,
        "[sender]\nname = \"Ana Lima\"\nsite = \"Leeds Rheumatology_Unit\"\n\
         phone = \"+44 113 496 0000\"\n",
    )
    .unwrap();
    let out = dir.path().join("p03.md");
    let (code, _, err) = run(
        &config,
        &db,
        &[
            "export",
            "P03",
            "KN5501-SLE",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let doc = std::fs::read_to_string(&out).unwrap();
    let from = section(&doc, "From");
    assert!(from.contains("- Coordinator: Ana Lima\n"), "{from}");
    assert!(from.contains("- Site: Leeds Rheumatology_Unit\n"), "{from}");
    assert!(from.contains("- Phone: +44 113 496 0000\n"), "{from}");
    assert!(!from.contains("not configured"), "{from}");
    // At the top, before the patient.
    assert!(doc.find("## From") < doc.find("## Patient"));

    // A field missing: named.
    std::fs::write(&config, "[sender]\nname = \"Ana Lima\"\nsite = \"Leeds\"\n").unwrap();
    let (_, doc, _) = run(&config, &db, &["export", "P03", "KN5501-SLE"]);
    let from = section(&doc, "From");
    assert!(from.contains("- Coordinator: Ana Lima"), "{from}");
    assert!(
        from.contains("Sender not configured — run `trialmatch config` (no phone given)"),
        "{from}"
    );

    // A malformed file: the export stops, naming the file, the line and the field.
    std::fs::write(&config, "[sender]\nname = \"Ana\"\nphone = 0113\n").unwrap();
    let bad_out = dir.path().join("bad.md");
    let (code, _, err) = run(
        &config,
        &db,
        &[
            "export",
            "P03",
            "KN5501-SLE",
            "--out",
            bad_out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("settings.toml: line 3"), "{err}");
    assert!(err.contains("field `sender.phone`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!bad_out.exists());
}

#[test]
fn the_ui_summary_carries_the_sender_given() {
    let ws = workspace();
    let dir = tempfile::tempdir().unwrap();
    let p = ws.patients.iter().find(|p| p.id() == "P03").unwrap();
    let sender = trialmatch::config::Sender {
        name: Some("Ana Lima".into()),
        site: Some("Leeds".into()),
        phone: None,
    };
    let path = trialmatch::export::write_referral_from(
        dir.path(),
        &ws.trials,
        0,
        p,
        as_of(),
        &History::default(),
        &sender,
    )
    .unwrap();
    let doc = std::fs::read_to_string(path).unwrap();
    assert!(
        doc.contains("- Coordinator: Ana Lima\n- Site: Leeds\n"),
        "{doc}"
    );
    assert!(doc.contains("(no phone given)"), "{doc}");
}

#[test]
fn trialmatch_config_shows_the_file_its_values_and_an_example() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite3");
    let config = dir.path().join("conf").join("config.toml");
    let shown = config.display().to_string();

    let (code, out, err) = run(&config, &db, &["config"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!(
            "Settings file: {shown} (named by TRIALMATCH_CONFIG)"
        )),
        "{out}"
    );
    assert!(out.contains("Exists: no"), "{out}");
    assert!(out.contains("Example file:"), "{out}");
    for line in ["[sender]", "name = \"", "site = \"", "phone = \""] {
        assert!(out.contains(line), "{line} in {out}");
    }
    assert!(!config.exists(), "config never writes without --init");

    // --init: owner-only, fields empty; never over an existing file.
    let (code, out, err) = run(&config, &db, &["config", "--init"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&shown), "{out}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let (_, out, _) = run(&config, &db, &["config"]);
    assert!(out.contains("Exists: yes"), "{out}");
    assert!(out.contains("name    not set"), "{out}");
    std::fs::write(
        &config,
        "[sender]\nname = \"Ana Lima\"\nsite = \"Leeds\"\nphone = \"0113 496 0000\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&config, &db, &["config", "--init"]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists and was not replaced"), "{err}");
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("Ana Lima")
    );

    // The values.
    let (code, out, _) = run(&config, &db, &["config"]);
    assert_eq!(code, 0);
    assert!(out.contains("name  = Ana Lima"), "{out}");
    assert!(out.contains("phone = 0113 496 0000"), "{out}");
    assert!(!out.contains("not set"), "{out}");

    // A malformed file: the problem, with the line and the field; exit 1.
    std::fs::write(&config, "[sender]\nname = \"Ana\"\n\nphnoe = \"0113\"\n").unwrap();
    let (code, out, _) = run(&config, &db, &["config"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Problem: "), "{out}");
    assert!(
        out.contains("config.toml: line 4, field `sender.phnoe`"),
        "{out}"
    );
    assert!(out.contains("unknown field"), "{out}");
}

/// The UI's `e` reads the settings file when it writes: run in a child process of this test
/// binary with `TRIALMATCH_CONFIG` set (see the test below), never on its own.
#[test]
#[ignore = "run by the_ui_export_reads_the_settings_file with TRIALMATCH_CONFIG set"]
fn ui_export_child() {
    // Run on its own (`--include-ignored`) it has nothing to do.
    let Some(into) = std::env::var_os("CHILD_OUT").map(std::path::PathBuf::from) else {
        return;
    };
    let ws = workspace();
    let p = ws.patients.iter().find(|p| p.id() == "P03").unwrap();
    let written =
        trialmatch::export::write_referral(&into, &ws.trials, 0, p, as_of(), &History::default());
    match written {
        Ok(path) => print!("WROTE\n{}", std::fs::read_to_string(path).unwrap()),
        Err(e) => print!("FAILED\n{e}"),
    }
}

#[test]
fn the_ui_export_reads_the_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("settings.toml");
    let into = dir.path().join("referrals");
    let child = |config: &Path| {
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "ui_export_child", "--ignored", "--nocapture"])
            .env("TRIALMATCH_CONFIG", config)
            .env("CHILD_OUT", &into)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    std::fs::write(&config, "[sender]\nname = \"Ana Lima\"\nsite = \"Leeds\"\n").unwrap();
    let out = child(&config);
    assert!(out.contains("WROTE"), "{out}");
    assert!(
        out.contains("- Coordinator: Ana Lima\n- Site: Leeds\n"),
        "{out}"
    );
    assert!(out.contains("(no phone given)"), "{out}");
    // A malformed file: nothing is written, and the message names the file, line and field.
    std::fs::write(&config, "[sender]\nsite = [1]\n").unwrap();
    let before = std::fs::read_dir(&into).unwrap().count();
    let out = child(&config);
    assert!(out.contains("FAILED"), "{out}");
    assert!(
        out.contains("settings.toml: line 2, field `sender.site`"),
        "{out}"
    );
    assert!(out.contains("no summary was written"), "{out}");
    assert_eq!(std::fs::read_dir(&into).unwrap().count(), before);
}
