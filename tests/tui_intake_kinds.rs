//! The entry forms for facts that have a kind of their own: a diagnosis (code completed from
//! the vocabulary), a treatment (drug completed from the catalogue), an allergy, a yes/no fact,
//! a recorded number checked against its range, a qualitative result, a weight or height with
//! its unit, a date of birth and a sex — each stored when valid, refused (form open, nothing
//! stored) when not.

mod tui_support;

use chrono::NaiveDate;
use ratatui::crossterm::event::KeyCode;
use trialmatch::tui::input::Edit;
use trialmatch::tui::intake::{FactKind, Form};
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

#[test]
fn a_qualitative_result_needs_its_answer_chosen_and_keeps_titre_and_method() {
    let (_dir, mut store) = store();
    let mut app = app();
    let (id, fact) = find_fact(&mut app, |f| f == "anti_dsdna result");
    press(&mut app, KeyCode::Char('i'));
    assert_eq!(
        app.form().map(|f| f.kind.clone()),
        Some(FactKind::Qualitative {
            name: "anti_dsdna".into()
        })
    );
    // Never "negative" by default: an unthinking Enter would be a false pass on absence.
    refused_for(&mut app, &store, &id, "Result: choose an answer");
    to_field(&mut app, "Result");
    press(&mut app, KeyCode::Char('p'));
    fill(&mut app, "Titre", "1:320");
    fill(&mut app, "Method", "Crithidia IIF");
    fill(&mut app, "Date", "2026-02-30");
    refused_for(&mut app, &store, &id, "Date: '2026-02-30' is not a date");
    clear(&mut app, "Date");
    type_str(&mut app, "2026-11-20");
    stored_for(
        &mut app,
        &mut store,
        &id,
        &fact,
        &[
            "name = \"anti_dsdna\"",
            "result = \"positive\"",
            "titre = \"1:320\"",
            "method = \"Crithidia IIF\"",
            "date = 2026-11-20",
        ],
    );
}

/// A form for `fact` with `typed` entered field by field (by label; a choice takes the first
/// letter), built as Enter would build it.
fn built(fact: &str, typed: &[(&str, &str)]) -> Result<String, Vec<String>> {
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default();
    let mut form = Form::answer(0, fact, as_of);
    for (label, text) in typed {
        let at = form.fields.iter().position(|f| f.label == *label);
        let at = at.unwrap_or_else(|| panic!("no field {label} in {fact}'s form"));
        while form.focus != at {
            form.move_focus(1);
        }
        for c in text.chars() {
            form.edit(Edit::Insert(c));
        }
    }
    form.build().map(|b| b.fragment)
}

#[test]
fn a_weight_or_height_keeps_its_unit_and_a_value_that_is_no_number_is_refused() {
    assert_eq!(
        Form::answer(0, "weight", NaiveDate::MIN).kind,
        FactKind::Measure { key: "weight" }
    );
    let errors = built("weight", &[("Value", "sixty")])
        .err()
        .unwrap_or_default();
    assert!(
        errors.iter().any(|e| e == "Value: 'sixty' is not a number"),
        "{errors:?}"
    );
    let errors = built("weight", &[]).err().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e.starts_with("Value: required")),
        "{errors:?}"
    );
    // The unit chosen is stored as chosen (pounds), converted only where it is read.
    let ok = built(
        "weight",
        &[("Value", "132"), ("Unit", "l"), ("Date", "2026-11-30")],
    );
    let ok = ok.unwrap_or_else(|e| panic!("{e:?}"));
    for has in [
        "[weight]",
        "value = 132",
        "unit = \"lb\"",
        "date = 2026-11-30",
    ] {
        assert!(ok.contains(has), "{has} not in {ok}");
    }
    let ok =
        built("height", &[("Value", "1.62"), ("Unit", "m")]).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        ok.contains("unit = \"m\"") && ok.contains("value = 1.62"),
        "{ok}"
    );
}

#[test]
fn a_date_of_birth_must_be_a_date_and_a_sex_must_be_chosen() {
    let errors = built("date of birth", &[("Date of birth", "02/01/1980")])
        .err()
        .unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("'02/01/1980' is not a date (YYYY-MM-DD)")),
        "{errors:?}"
    );
    let ok = built("date of birth", &[("Date of birth", "1980-01-02")]);
    assert!(ok.is_ok_and(|f| f.contains("dob = 1980-01-02")));
    let errors = built("sex", &[]).err().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e == "Sex: choose an answer (←/→)"),
        "{errors:?}"
    );
    let ok = built("sex", &[("Sex", "m")]);
    assert!(ok.is_ok_and(|f| f.contains("sex = \"male\"")));
}

#[test]
fn asked_about_a_listed_treatment_the_entry_completes_it_rather_than_adding_one() {
    let (_dir, mut store) = store();
    let mut app = app();
    let (id, fact) = find_fact(&mut app, |f| {
        f.starts_with("outcome of ") || f.starts_with("dates of ")
    });
    let p = patient_index(&app, &id);
    let listed = app.patients()[p].data.treatment.len();
    press(&mut app, KeyCode::Char('i'));
    let form = app.form().cloned().unwrap_or_else(|| panic!("form"));
    let drug = form.fields[1].value().to_string();
    assert!(fact.contains(&drug), "{drug} is the drug {fact} asks about");
    assert_eq!(form.fields[0].value(), "completes the listed one");
    // Nothing given: nothing to fill in.
    refused_for(&mut app, &store, &id, "nothing to fill in");
    if fact.starts_with("outcome of ") {
        to_field(&mut app, "Outcome");
        press(&mut app, KeyCode::Char('n'));
    } else {
        fill(&mut app, "Start", "2024-01-01");
        fill(&mut app, "End (last dose)", "2024-02-01");
    }
    stored_for(
        &mut app,
        &mut store,
        &id,
        &fact,
        &[&format!("amends = \"{drug}\"")],
    );
    let p = patient_index(&app, &id);
    assert_eq!(
        app.patients()[p].data.treatment.len(),
        listed,
        "completed, not added"
    );
}
