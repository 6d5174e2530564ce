//! The entry forms for facts that have a kind of their own: a diagnosis (code completed from
//! the vocabulary), a treatment (drug completed from the catalogue), an allergy, a yes/no fact
//! and a recorded number checked against its range — each stored when valid, refused (form
//! open, nothing stored) when not; snapshots of a completed field and of a number form.

mod tui_support;

use ratatui::crossterm::event::KeyCode;
use trialmatch::tui::intake::FactKind;
use tui_support::intake::*;
use tui_support::*;

#[test]
fn a_diagnosis_code_is_completed_from_the_list_and_an_unknown_one_refused() {
    let (_dir, mut store) = store();
    let mut app = app();
    let fact = "PSS classification criteria";
    open(&mut app, fact);
    let form = app.form().cloned().unwrap_or_else(|| panic!("form"));
    assert_eq!(
        form.kind,
        FactKind::Diagnosis {
            code: Some("pss".into())
        }
    );
    assert_eq!(form.fields[1].value(), "pss");
    // No answer is chosen until one is: refused as it stands.
    refused(&mut app, &store, "Answer: choose an answer");
    to_field(&mut app, "Answer");
    press(&mut app, KeyCode::Char('d'));
    clear(&mut app, "Diagnosis code");
    type_str(&mut app, "xyz");
    refused(&mut app, &store, "'xyz' is not in the list");
    clear(&mut app, "Diagnosis code");
    type_str(&mut app, "ps");
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.form()
            .map(|f| f.fields[1].value().to_string())
            .as_deref(),
        Some("pss")
    );
    fill(&mut app, "Criteria met", "ACR/EULAR 2016");
    fill(&mut app, "Date diagnosed", "2019-05-01");
    stored(
        &mut app,
        &mut store,
        fact,
        &["code = \"pss\"", "ACR/EULAR 2016", "2019-05-01"],
    );
}

#[test]
fn a_treatment_is_stored_and_an_end_before_its_start_refused() {
    let (_dir, mut store) = store();
    let mut app = app();
    let fact = "treatment history (cyclophosphamide)";
    open(&mut app, fact);
    let form = app.form().cloned().unwrap_or_else(|| panic!("form"));
    assert_eq!(
        form.kind,
        FactKind::Treatment {
            drug: Some("cyclophosphamide".into())
        }
    );
    to_field(&mut app, "Answer");
    press(&mut app, KeyCode::Char('g'));
    fill(&mut app, "Start", "2024-01-01");
    fill(&mut app, "End (last dose)", "2023-01-01");
    refused(&mut app, &store, "is before the start");
    clear(&mut app, "Drug");
    type_str(&mut app, "zzdrug");
    clear(&mut app, "End (last dose)");
    type_str(&mut app, "2024-06-01");
    refused(&mut app, &store, "'zzdrug' is not in the list");
    clear(&mut app, "Drug");
    type_str(&mut app, "cyclop");
    to_field(&mut app, "Outcome");
    press(&mut app, KeyCode::Char('r'));
    stored(
        &mut app,
        &mut store,
        fact,
        &[
            "drug = \"cyclophosphamide\"",
            "outcome = \"response\"",
            "end = 2024-06-01",
        ],
    );
}

#[test]
fn an_allergy_is_stored_and_one_without_its_substance_refused() {
    let (_dir, mut store) = store();
    let mut app = app();
    open(&mut app, "allergy history");
    assert_eq!(app.form().map(|f| f.kind.clone()), Some(FactKind::Allergy));
    to_field(&mut app, "Answer");
    press(&mut app, KeyCode::Char('p'));
    refused(&mut app, &store, "Substance if present: required");
    fill(&mut app, "Substance if present", "penicillin");
    to_field(&mut app, "Severity");
    press(&mut app, KeyCode::Char('s'));
    // Whether other allergies were asked about is never assumed.
    refused(&mut app, &store, "Other allergies: choose an answer");
    to_field(&mut app, "Other allergies");
    press(&mut app, KeyCode::Char('n'));
    stored(
        &mut app,
        &mut store,
        "allergy history",
        &[
            "substance = \"penicillin\"",
            "severity = \"severe\"",
            "allergies = true",
        ],
    );
}

#[test]
fn a_reproductive_fact_needs_yes_or_no_chosen() {
    let (_dir, mut store) = store();
    let mut app = app();
    open(&mut app, "pregnant");
    assert_eq!(
        app.form().map(|f| f.kind.clone()),
        Some(FactKind::Flag { name: "pregnant" })
    );
    refused(&mut app, &store, "Answer: choose an answer");
    press(&mut app, KeyCode::Char('n'));
    stored(
        &mut app,
        &mut store,
        "pregnant",
        &["[reproductive]", "pregnant = false"],
    );
    // Contraception has its period.
    let (_dir, mut store) = self::store();
    let mut app = self::app();
    let fact = "contraception agreed for 6 months";
    open(&mut app, fact);
    press(&mut app, KeyCode::Char('y'));
    fill(&mut app, "For how long", "1 year");
    stored(
        &mut app,
        &mut store,
        fact,
        &[
            "contraception_agreed = true",
            "contraception_period = \"1 year\"",
        ],
    );
}

#[test]
fn a_cardiac_or_status_value_is_checked_against_its_range() {
    let (_dir, mut store) = store();
    let mut app = app();
    open(&mut app, "LVEF");
    assert_eq!(
        app.form().map(|f| f.kind.clone()),
        Some(FactKind::Recorded { name: "lvef" })
    );
    fill(&mut app, "LVEF %", "150");
    refused(&mut app, &store, "150 is impossible (from 0 to 100)");
    clear(&mut app, "LVEF %");
    type_str(&mut app, "62.5");
    stored(&mut app, &mut store, "LVEF", &["[cardiac]", "lvef = 62.5"]);
    // A class is a whole number; consent signed is a flag of [status].
    let (_dir, mut store) = self::store();
    let mut app = self::app();
    open(&mut app, "NYHA class");
    fill(&mut app, "NYHA class", "2.5");
    refused(&mut app, &store, "not a whole number");
    clear(&mut app, "NYHA class");
    type_str(&mut app, "2");
    stored(&mut app, &mut store, "NYHA class", &["nyha = 2"]);
    let (_dir, mut store) = self::store();
    let mut app = self::app();
    open(&mut app, "consent signed");
    press(&mut app, KeyCode::Char('y'));
    stored(
        &mut app,
        &mut store,
        "consent signed",
        &["[status]", "consent_signed = true"],
    );
}
