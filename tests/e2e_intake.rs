//! End to end, in a real terminal (tmux): from an empty patients folder and an empty database,
//! a referral made with `N`, its facts and the investigator's attestations entered through
//! ask-next (`A`) in the forms of their kinds, each with its source, until it is "✔ eligible"
//! for KN5501 ASyS/RA (the study with the fewest facts to answer for a man with RA); then the
//! referral summary written from the match table (`e`) lists each entered fact with its source
//! under "## Facts entered in the app".
//!
//! Polls `tmux capture-pane` until the expected text appears, with a deadline; no fixed sleeps.
//! Skipped (with a note) only when tmux is not installed.

mod tmux_support;

use std::path::Path;
use tmux_support::{open_on_an_empty_queue, tmux_available};

const ID: &str = "R-901";

/// One step of answering a form: text typed literally, or a named key.
enum Step {
    Text(&'static str),
    Key(&'static str),
}
use Step::{Key, Text};

/// How to answer the fact a form asks for (its text as the form's title shows it), after the
/// source has been typed and the first field has the keys again; None: skip it (Ctrl-N).
/// What is answered is what makes a man with RA eligible for KN5501 ASyS/RA.
fn answer(fact: &str, treatment_given: &mut bool) -> Option<Vec<Step>> {
    let number = |v: &'static str| Some(vec![Text(v)]);
    let attest = |met: bool| {
        // The judgement is chosen by its first letter: nothing is chosen by default.
        let mut s = vec![Text(if met { "m" } else { "n" })];
        s.extend([Key("Tab"), Text("Dr Fictional Investigator")]);
        Some(s)
    };
    match fact {
        "consent signed" | "echo structure normal" => Some(vec![Text("y")]),
        "estimated survival" => number("520"),
        "ECOG" => number("1"),
        "LVEF" => number("60"),
        "NYHA class" => number("1"),
        "ast result" | "alt result" => Some(vec![
            Text("20"),
            Key("Tab"),
            Key("Tab"),
            Text("2026-11-15"),
            Key("Tab"),
            Text("40"),
        ]),
        // Asked: none, and no other allergies (each chosen: nothing is assumed).
        "allergy history" => Some(vec![
            Text("a"),
            Key("Tab"),
            Key("Tab"),
            Key("Tab"),
            Key("Tab"),
            Text("n"),
        ]),
        "prior clinical-trial treatment" => Some(vec![]),
        f if f.starts_with("history: ") => Some(vec![Text("c")]),
        f if f.starts_with("RA classification criteria") || f == "RA diagnosis date" => Some(vec![
            Text("d"),
            Key("Tab"),
            Key("Tab"),
            Text("ACR/EULAR 2010"),
            Key("Tab"),
            Text("2020-01-01"),
        ]),
        f if f.starts_with("treatment history (")
            || f.starts_with("complete treatment history (") =>
        {
            if std::mem::replace(treatment_given, true) {
                // Then: no treatment other than methotrexate.
                Some(vec![Text("n")])
            } else {
                // Methotrexate, stopped for no response.
                Some(vec![
                    Text("g"),
                    Key("Tab"),
                    Key("C-u"),
                    Text("methotr"),
                    Key("Right"),
                    Key("Tab"),
                    Text("2021-01-01"),
                    Key("Tab"),
                    Text("2022-01-01"),
                    Key("Tab"),
                    Key("Tab"),
                    Text("n"),
                ])
            }
        }
        "clinician attestation for A-I1"
        | "clinician attestation for A-I2"
        | "clinician attestation for A-I6" => attest(true),
        "clinician attestation for A-E1" => attest(false),
        _ => None,
    }
}

/// The fact in the open form's title: " Ask next #n · ID · fact ".
fn fact_in_title(screen: &str, n: usize) -> String {
    let head = format!("Ask next #{n} · {ID} · ");
    screen
        .lines()
        .find_map(|l| l.split_once(&head).map(|(_, rest)| rest))
        .map(|rest| {
            rest.split('━')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .unwrap_or_default()
}

#[test]
fn a_referral_entered_in_the_app_becomes_eligible_and_its_summary_lists_each_fact() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the intake terminal test");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (t, dir) = open_on_an_empty_queue(repo, env!("CARGO_BIN_EXE_trialmatch"));
    let db = dir.path().join("w.sqlite3");

    // The referral: a man with RA; the sex and diagnosis chosen by their first letters.
    t.keys(&["N"]);
    t.wait_for(&["Patient id"]);
    for (text, then) in [
        (ID, "Tab"),
        ("Test Referral Foxtrot", "Tab"),
        ("1980-05-01", "Tab"),
        ("m", "Tab"),
        ("Dr Fictional Referrer", "Tab"),
        ("referrals@example.org", "Tab"),
        ("", "Tab"),
        ("r", "Tab"),
        ("referral letter", "Enter"),
    ] {
        t.type_text(text);
        t.keys(&[then]);
    }
    t.wait_for(&[&format!("Saved #1 for {ID}")]);

    // Ask-next: each fact the study needs answered in its form, with a source of its own;
    // every other fact skipped.
    let mut sources = vec![(
        "new referral R-901".to_string(),
        "referral letter".to_string(),
    )];
    let mut treatment_given = false;
    let mut n = 1;
    let done = format!("Ask-next done for {ID}");
    loop {
        let asking = format!("Ask next #{n} · {ID} · ");
        let (which, screen) = t.wait_any(&[&asking, &done]);
        if which == 1 {
            break;
        }
        assert!(n < 400, "ask-next does not end:\n{screen}");
        let fact = fact_in_title(&screen, n);
        match answer(&fact, &mut treatment_given) {
            None => t.keys(&["C-n"]),
            Some(steps) => {
                let source = format!("phone call {n}");
                // Shift-Tab wraps to the last field, the source; Tab back to the first.
                t.keys(&["BTab"]);
                t.type_text(&source);
                t.keys(&["Tab"]);
                for s in steps {
                    match s {
                        Text(x) => t.type_text(x),
                        Key(k) => t.keys(&[k]),
                    }
                }
                t.keys(&["Enter"]);
                let next = format!("Ask next #{} · {ID} · ", n + 1);
                let (i, after) = t.wait_any(&[&next, &done, "Refused"]);
                assert_ne!(i, 2, "{fact}: refused:\n{after}");
                sources.push((fact, source));
            }
        }
        n += 1;
    }
    assert!(treatment_given, "no treatment fact was asked");

    // Eligible for the study, first in the match table; the summary written from there.
    t.keys(&["Enter"]);
    t.wait_for(&["e export"]);
    let screen = t.wait_for(&["✔ eligible"]);
    assert!(screen.contains("KN5501 ASyS/RA"), "{screen}");
    t.keys(&["e"]);
    t.wait_for(&["Referral summary written to"]);
    t.keys(&["q"]);
    t.wait_for(&["EXITED-0"]);

    let written: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path().join("referrals"))
        .unwrap_or_else(|e| panic!("referrals folder: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let text = std::fs::read_to_string(&written[0]).unwrap_or_default();
    assert!(text.contains("KN5501"), "{text}");
    let section = text
        .split_once("## Facts entered in the app")
        .map(|(_, s)| s.split("\n## ").next().unwrap_or_default())
        .unwrap_or_else(|| panic!("no entered-facts section:\n{text}"));
    // Every stored entry is listed with its source, and each answered fact has its line.
    let store = trialmatch::worklist::Store::open(&db).unwrap_or_else(|e| panic!("open: {e}"));
    let entries = store.entries(Some(ID)).unwrap_or_default();
    assert_eq!(entries.len(), sources.len(), "{entries:?}");
    let lines: Vec<&str> = section.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines.len(), entries.len(), "{section}");
    for (fact, source) in &sources {
        assert!(
            lines.iter().any(|l| l.ends_with(&format!(", {source}"))),
            "{fact}: no line with the source '{source}':\n{section}"
        );
    }
    for said in [
        "new referral R-901 (Test Referral Foxtrot), main diagnosis ra",
        "consent signed: yes",
        "LVEF 60%",
        "ECOG 1",
        "treatment methotrexate from 2021-01-01 to 2022-01-01, no response",
        "treatment history checked complete",
        "diagnosis ra (ACR/EULAR 2010) on 2020-01-01",
        "A-I1 met, attested by Dr Fictional Investigator",
        "A-E1 not met, attested by Dr Fictional Investigator",
        "allergies asked: none",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(said)),
            "'{said}' not listed:\n{section}"
        );
    }
}
