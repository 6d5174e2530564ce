//! Answering missing facts in the app: each kind of form (lab, medical history, attestation,
//! score, diagnosis, treatment, allergy, yes/no facts, recorded numbers, the generic
//! patient-file form) saved into a temporary worklist database and the
//! patient re-evaluated at once; refused input keeps the form open with the reasons and stores
//! nothing; ask-next steps through the facts; a new referral joins the queue; snapshots of the
//! form and of ask-next at 80×24 and 160×48.

mod tui_support;

use ratatui::crossterm::event::KeyCode;
use trialmatch::tui::App;
use trialmatch::tui::app::{List, Screen};
use trialmatch::tui::intake::form::UNCHOSEN;
use trialmatch::tui::intake::{FactKind, Purpose};
use trialmatch::tui::keymap::Context;
use trialmatch::tui::worklist::Request;
use tui_support::intake::*;
use tui_support::*;

#[test]
fn a_lab_is_stored_and_the_patient_re_evaluated_at_once() {
    let (_dir, mut store) = store();
    let mut app = app();
    missing_screen(&mut app, "P13");
    let fact = select_fact(&mut app, |f| f == "hemoglobin result");
    assert_eq!(fact.as_deref(), Some("hemoglobin result"));
    press(&mut app, KeyCode::Char('i'));
    assert_eq!(app.context(), Context::Form);
    let form = app.form().cloned().unwrap_or_else(|| panic!("form"));
    assert!(matches!(&form.kind, FactKind::Lab { name, .. } if name == "hemoglobin"));
    let labels: Vec<&str> = form.fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["Value", "Unit", "Date", "Source"]);
    assert_eq!(form.fields[1].choices, ["g/L", "g/dL"]);
    fill(&mut app, "Value", "11.2");
    to_field(&mut app, "Unit");
    press(&mut app, KeyCode::Right);
    fill(&mut app, "Date", "2026-11-20");
    fill(&mut app, "Source", "phone, Dr Tan");
    save(&mut app, &mut store);
    assert_eq!(app.form(), None, "saved: the form closes");
    assert!(
        message(&app).starts_with("Saved #1 for P13 · "),
        "{}",
        message(&app)
    );
    assert_eq!(entries(&store, "P13"), 1);
    let stored = &store.entries(Some("P13")).unwrap_or_default()[0];
    assert!(stored.fragment.contains("g/dL"), "{}", stored.fragment);
    assert_eq!(stored.source, "phone, Dr Tan");
    assert_eq!(
        stored.fact_date.map(|d| d.to_string()).as_deref(),
        Some("2026-11-20")
    );
    // Re-evaluated: the fact is no longer missing, and the profile has the lab.
    assert!(!has_fact(&app, "hemoglobin result"));
    let p = patient_index(&app, "P13");
    assert!(!app.patients()[p].labs.is_empty());
}

#[test]
fn an_impossible_value_is_refused_the_form_stays_open_and_nothing_is_stored() {
    let (_dir, mut store) = store();
    let mut app = app();
    missing_screen(&mut app, "P13");
    select_fact(&mut app, |f| f == "hemoglobin result");
    press(&mut app, KeyCode::Char('i'));
    // Not a number: refused in the form, nothing even sent.
    fill(&mut app, "Value", "lots");
    press(&mut app, KeyCode::Enter);
    assert!(app.requests().is_empty());
    let errors = app.form().map(|f| f.errors.clone()).unwrap_or_default();
    assert!(errors[0].contains("'lots' is not a number"), "{errors:?}");
    // A number no living patient has: refused by the same checks as a file.
    to_field(&mut app, "Value");
    for _ in 0..4 {
        press(&mut app, KeyCode::Backspace);
    }
    type_str(&mut app, "900");
    save(&mut app, &mut store);
    let form = app
        .form()
        .cloned()
        .unwrap_or_else(|| panic!("the form stays open"));
    assert!(!form.pending);
    assert!(!form.errors.is_empty());
    assert!(
        form.errors.iter().any(|e| e.contains("hemoglobin")),
        "{:?}",
        form.errors
    );
    assert_eq!(form.fields[0].value(), "900", "what was typed stays");
    assert_eq!(entries(&store, "P13"), 0, "nothing stored");
    assert!(message(&app).starts_with("Refused, nothing stored"));
    // Esc with something typed asks first; the second closes it.
    press(&mut app, KeyCode::Esc);
    assert!(app.form().is_some());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.form(), None);
    assert_eq!(app.screen(), Screen::Missing);
}

#[test]
fn medical_history_checked_none_is_stored() {
    let (_dir, mut store) = store();
    let mut app = app();
    missing_screen(&mut app, "P13");
    select_fact(&mut app, |f| f == "history: cns disease");
    press(&mut app, KeyCode::Char('i'));
    let form = app.form().cloned().unwrap_or_else(|| panic!("form"));
    assert_eq!(
        form.kind,
        FactKind::History {
            category: "cns_disease".into()
        }
    );
    // Nothing is chosen at first: an unthinking Enter never records "checked: none".
    assert_eq!(form.fields[0].value(), UNCHOSEN);
    fill(&mut app, "Source", "letter of 2026-11-28");
    press(&mut app, KeyCode::Enter);
    assert!(app.requests().is_empty(), "refused in the form");
    let errors = app.form().map(|f| f.errors.clone()).unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("Answer: choose an answer")),
        "{errors:?}"
    );
    assert_eq!(entries(&store, "P13"), 0);
    to_field(&mut app, "Answer");
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.form()
            .map(|f| f.fields[0].value().to_string())
            .as_deref(),
        Some("checked: none")
    );
    save(&mut app, &mut store);
    assert_eq!(app.form(), None, "{:?}", app.form().map(|f| &f.errors));
    assert_eq!(entries(&store, "P13"), 1);
    assert!(!has_fact(&app, "history: cns disease"));
}

#[test]
fn medical_history_present_is_stored_as_a_condition() {
    let (_dir, mut store) = store();
    let mut app = app();
    missing_screen(&mut app, "P13");
    select_fact(&mut app, |f| f == "history: heart failure");
    press(&mut app, KeyCode::Char('i'));
    to_field(&mut app, "Answer");
    press(&mut app, KeyCode::Char('p'));
    to_field(&mut app, "Status if present");
    press(&mut app, KeyCode::Char('c'));
    fill(&mut app, "Onset if present", "2020-02-01");
    save(&mut app, &mut store);
    assert_eq!(app.form(), None, "{:?}", app.form().map(|f| &f.errors));
    let e = &store.entries(Some("P13")).unwrap_or_default()[0];
    assert!(e.fragment.contains("condition"), "{}", e.fragment);
    assert!(e.fragment.contains("heart_failure"), "{}", e.fragment);
    assert!(!has_fact(&app, "history: heart failure"));
}

#[test]
fn a_clinician_attestation_is_stored() {
    let (_dir, mut store) = store();
    let mut app = app();
    let (id, fact) = find_fact(&mut app, |f| f.starts_with("clinician attestation for "));
    press(&mut app, KeyCode::Char('i'));
    assert!(matches!(
        app.form().map(|f| &f.kind),
        Some(FactKind::Attestation { .. })
    ));
    // Without the attesting clinician: refused in the form.
    press(&mut app, KeyCode::Enter);
    assert!(app.requests().is_empty());
    fill(&mut app, "Attesting clinician", "Dr Fictional Investigator");
    fill(&mut app, "Note", "reviewed the letter");
    // Nor without a judgement chosen: met is never the default.
    press(&mut app, KeyCode::Enter);
    assert!(app.requests().is_empty());
    to_field(&mut app, "Judgement");
    press(&mut app, KeyCode::Right);
    save(&mut app, &mut store);
    assert_eq!(app.form(), None, "{:?}", app.form().map(|f| &f.errors));
    let e = &store.entries(Some(&id)).unwrap_or_default()[0];
    assert!(e.fragment.contains("attestation"), "{}", e.fragment);
    assert!(e.fragment.contains("met = true"), "{}", e.fragment);
    assert!(!has_fact(&app, &fact), "{fact} still missing");
}

#[test]
fn a_score_is_stored() {
    let (_dir, mut store) = store();
    let mut app = app();
    let (id, fact) = find_fact(&mut app, |f| {
        matches!(
            trialmatch::tui::intake::kind::kind_of(f),
            FactKind::Score { .. }
        )
    });
    press(&mut app, KeyCode::Char('i'));
    // A negative activity score, and a date after the screening date: refused by the checks
    // a file gets, the form open with what was typed, nothing stored.
    for (value, date, says) in [
        ("-3", "2026-11-20", "score.value"),
        ("8", "2099-01-01", "score.date"),
    ] {
        clear(&mut app, "Value");
        type_str(&mut app, value);
        clear(&mut app, "Date");
        type_str(&mut app, date);
        save(&mut app, &mut store);
        let errors = app.form().map(|f| f.errors.clone()).unwrap_or_default();
        assert!(errors.iter().any(|e| e.contains(says)), "{errors:?}");
        assert_eq!(entries(&store, &id), 0);
    }
    clear(&mut app, "Date");
    type_str(&mut app, "2026-11-20");
    save(&mut app, &mut store);
    assert_eq!(app.form(), None, "{:?}", app.form().map(|f| &f.errors));
    assert_eq!(entries(&store, &id), 1);
    assert!(!has_fact(&app, &fact), "{fact} still missing");
}

#[test]
fn any_other_fact_is_typed_in_the_patient_file_format() {
    let (_dir, mut store) = store();
    let mut app = app();
    missing_screen(&mut app, "P13");
    select_fact(&mut app, |f| f == "prior clinical-trial treatment");
    press(&mut app, KeyCode::Char('i'));
    let form = app.form().cloned().unwrap_or_else(|| panic!("form"));
    assert_eq!(form.kind, FactKind::Other);
    assert_eq!(form.fields[0].value(), "checked = { trials = true }");
    // Not TOML: refused in the form.
    type_str(&mut app, " ]");
    press(&mut app, KeyCode::Enter);
    assert!(app.requests().is_empty());
    assert!(
        app.form()
            .is_some_and(|f| f.errors[0].contains("patient-file format"))
    );
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    save(&mut app, &mut store);
    assert_eq!(app.form(), None, "{:?}", app.form().map(|f| &f.errors));
    assert_eq!(entries(&store, "P13"), 1);
    assert!(!has_fact(&app, "prior clinical-trial treatment"));
}

#[test]
fn i_on_an_unknown_criterion_answers_its_first_missing_fact() {
    let mut app = app();
    select(&mut app, "P13");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Criteria);
    let rows = app.drill_rows();
    let at = rows
        .iter()
        .position(|r| r.state == trialmatch::rank::State::Unknown && !r.missing.is_empty())
        .unwrap_or_else(|| panic!("an unknown criterion"));
    let fact = rows[at].missing[0].clone();
    for _ in 0..at {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Char('i'));
    let form = app.form().cloned().unwrap_or_else(|| panic!("form"));
    let p = patient_index(&app, "P13");
    assert_eq!(form.purpose, Purpose::Answer { patient: p, fact });
    // Esc with nothing typed closes it at once, back on the same criterion.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.form(), None);
    assert_eq!(app.screen(), Screen::Criteria);
    assert_eq!(app.cursor(List::Criteria).selected, at);
    // On a criterion that is not unknown, i says there is nothing to answer.
    if let Some(known) = app
        .drill_rows()
        .iter()
        .position(|r| r.state != trialmatch::rank::State::Unknown)
    {
        press(&mut app, KeyCode::Home);
        for _ in 0..known {
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Char('i'));
        assert_eq!(app.form(), None);
        assert!(message(&app).starts_with("No missing fact here"));
    }
}

#[test]
fn ask_next_walks_the_facts_most_decisive_first_skipping_and_saving() {
    let (_dir, mut store) = store();
    let mut app = app();
    missing_screen(&mut app, "P13");
    let facts: Vec<String> = app
        .missing_rows()
        .iter()
        .filter(|f| !f.only_ruled_out())
        .map(|f| f.fact.clone())
        .collect();
    press(&mut app, KeyCode::Char('A'));
    let fact_of = |app: &App| match app.form().map(|f| f.purpose.clone()) {
        Some(Purpose::Answer { fact, .. }) => fact,
        other => panic!("no answer form: {other:?}"),
    };
    assert_eq!(fact_of(&app), facts[0]);
    // Ctrl-N skips to the next.
    ctrl(&mut app, 'n');
    assert_eq!(fact_of(&app), facts[1]);
    // Saving goes on to the next fact not yet asked, with what the answer changed.
    let asked = fact_of(&app);
    assert_eq!(asked, "pregnant");
    press(&mut app, KeyCode::Char('n'));
    save(&mut app, &mut store);
    let ask = app
        .ask_next()
        .cloned()
        .unwrap_or_else(|| panic!("still asking"));
    assert_eq!(ask.answered, 1);
    assert!(
        ask.last
            .as_deref()
            .is_some_and(|l| l.starts_with("Saved #1 for P13"))
    );
    assert_eq!(fact_of(&app), facts[2]);
    assert_eq!(entries(&store, "P13"), 1);
    // Esc (nothing typed) stops.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.form(), None);
    assert!(app.ask_next().is_none());
    assert!(message(&app).contains("Ask-next stopped for P13: 1 answered"));
}

#[test]
fn a_new_referral_joins_the_queue_selected_and_ask_next_starts() {
    let (_dir, mut store) = store();
    let mut app = app();
    let before = app.patients().len();
    press(&mut app, KeyCode::Char('N'));
    assert!(matches!(
        app.form().map(|f| &f.purpose),
        Some(Purpose::Referral)
    ));
    fill(&mut app, "Patient id", "R-001");
    fill(&mut app, "Name", "New Referral Zulu");
    fill(&mut app, "Date of birth", "1980-01-02");
    to_field(&mut app, "Sex");
    press(&mut app, KeyCode::Char('f'));
    fill(&mut app, "Referring clinician", "Dr Fictional Referrer");
    fill(&mut app, "Contact", "referrals@example.org");
    to_field(&mut app, "Main diagnosis");
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(
        app.form()
            .map(|f| f.fields[f.focus].value().to_string())
            .as_deref(),
        Some("sle")
    );
    save(&mut app, &mut store);
    assert_eq!(app.patients().len(), before + 1);
    assert_eq!(selected_id(&app).as_deref(), Some("R-001"));
    assert!(
        message(&app).starts_with("Saved #1 for R-001"),
        "{}",
        message(&app)
    );
    let e = &store.entries(Some("R-001")).unwrap_or_default()[0];
    assert!(e.fragment.contains("id = \"R-001\""), "{}", e.fragment);
    let p = patient_index(&app, "R-001");
    assert_eq!(
        app.patients()[p].file,
        trialmatch::intake::workspace::NO_FILE
    );
    // Straight into ask-next for the new patient.
    assert_eq!(app.ask_next().map(|a| a.patient), Some(p));
    assert!(
        matches!(app.form().map(|f| &f.purpose), Some(Purpose::Answer { patient, .. }) if *patient == p)
    );
    // The same id again is refused, nothing stored.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('N'));
    fill(&mut app, "Patient id", "P13");
    save(&mut app, &mut store);
    let errors = app.form().map(|f| f.errors.clone()).unwrap_or_default();
    assert!(
        errors.iter().any(|e| e.contains("exists already")),
        "{errors:?}"
    );
    assert_eq!(entries(&store, "P13"), 0);
}

#[test]
fn enter_queues_one_request_and_nothing_without_a_save() {
    let mut app = app();
    missing_screen(&mut app, "P13");
    select_fact(&mut app, |f| f == "prior clinical-trial treatment");
    press(&mut app, KeyCode::Char('i'));
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quitting(), "q is text in a form");
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.requests(), [Request::Enter(_)]));
    assert!(app.form().is_some_and(|f| f.pending));
}

fn snap(name: &str, app: &App, w: u16, h: u16) {
    let t = draw(app, w, h);
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
}

#[test]
fn snapshots_of_the_form_and_of_ask_next() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = app_sized(w, h);
        missing_screen(&mut app, "P13");
        select_fact(&mut app, |f| f == "hemoglobin result");
        press(&mut app, KeyCode::Char('i'));
        fill(&mut app, "Value", "900");
        app.receive(trialmatch::tui::worklist::Outcome::Entered {
            patient: Some(patient_index(&app, "P13")),
            result: Err(vec![
                "hemoglobin: 900 g/L is outside the plausible range 30–250 g/L".into(),
            ]),
        });
        snap("intake_lab_form_refused", &app, w, h);

        let (_dir, mut store) = store();
        let mut app = app_sized(w, h);
        select(&mut app, "P13");
        press(&mut app, KeyCode::Char('A'));
        ctrl(&mut app, 'n');
        press(&mut app, KeyCode::Char('n'));
        save(&mut app, &mut store);
        snap("intake_ask_next", &app, w, h);

        let mut app = app_sized(w, h);
        press(&mut app, KeyCode::Char('N'));
        snap("intake_new_referral", &app, w, h);
    }
}

#[test]
fn snapshots_of_a_completed_field_and_a_choice() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = app_sized(w, h);
        open(&mut app, "treatment history (cyclophosphamide)");
        clear(&mut app, "Drug");
        type_str(&mut app, "me");
        snap("intake_treatment_completion", &app, w, h);
        let mut app = app_sized(w, h);
        open(&mut app, "LVEF");
        snap("intake_recorded_form", &app, w, h);
    }
}
