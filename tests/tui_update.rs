//! Layer 3: actions applied to an App built from the shipped files (as of 2026-11-22); the
//! assertions are on App state, reached through real key events where a user would press keys.

mod tui_support;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use trialmatch::missing::missing_facts;
use trialmatch::rank::{State, Verdict, rank};
use trialmatch::tui::Action;
use trialmatch::tui::app::{List, Screen, Show};
use trialmatch::tui::keymap::Context;
use tui_support::*;

fn best_verdict(app: &trialmatch::tui::App, p: usize) -> Verdict {
    app.matches()[p][0].verdict()
}

#[test]
fn opens_on_the_patient_list_ordered_by_best_match() {
    let app = app();
    assert_eq!(app.screen(), Screen::Main);
    assert_eq!(app.context(), Context::List(List::Patients));
    assert_eq!(app.visible_patients().len(), app.patients().len());
    assert!(app.patients().len() >= 17, "shipped sample patients");
    assert_eq!(app.trials().len(), 4);
    assert_eq!(selected_id(&app).as_deref(), Some("P01"));
    let verdicts: Vec<Verdict> = app
        .visible_patients()
        .iter()
        .map(|&p| best_verdict(&app, p))
        .collect();
    assert!(verdicts.windows(2).all(|w| w[0] <= w[1]), "{verdicts:?}");
    assert_eq!(verdicts[0], Verdict::Eligible);
    // Within a verdict, higher best score first.
    for w in app.visible_patients().windows(2) {
        let (a, b) = (&app.matches()[w[0]][0], &app.matches()[w[1]][0]);
        if a.verdict() == b.verdict() {
            assert!(a.score() >= b.score());
        }
    }
    // Every patient's matches are ranked: four studies, best first.
    assert!(app.matches().iter().all(|m| m.len() == 4));
}

#[test]
fn moving_in_the_list_with_arrows_vim_keys_and_pages() {
    let mut app = app();
    let n = app.visible_patients().len();
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.cursor(List::Patients).selected, 0, "stays at the top");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Down);
    assert_eq!(app.cursor(List::Patients).selected, 2);
    press(&mut app, KeyCode::Up);
    assert_eq!(app.cursor(List::Patients).selected, 1);
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.cursor(List::Patients).selected, n - 1);
    // 80×24: the patient pane shows 12 rows, so the last row is at offset n-12.
    assert_eq!(app.cursor(List::Patients).offset, n - 12);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.cursor(List::Patients).selected, 0);
    assert_eq!(app.cursor(List::Patients).offset, 0);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.cursor(List::Patients).selected, 12);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.cursor(List::Patients).selected, 0);
    press(&mut app, KeyCode::End);
    assert_eq!(app.cursor(List::Patients).selected, n - 1);
    press(&mut app, KeyCode::Home);
    assert_eq!(app.cursor(List::Patients).selected, 0);
}

#[test]
fn choosing_another_patient_shows_their_matches() {
    let mut app = app();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let p = app.selected_patient().unwrap_or(usize::MAX);
    assert_eq!(app.rows()[p].id, selected_id(&app).unwrap_or_default());
    assert_eq!(app.selected_matches().len(), 4);
    assert_eq!(app.selected_matches()[0].trial, app.matches()[p][0].trial);
}

#[test]
fn enter_drills_from_patient_to_study_to_criteria_and_esc_comes_back() {
    let mut app = app();
    press(&mut app, KeyCode::Down); // P02
    let p = app.selected_patient().unwrap_or(usize::MAX);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.focus(), List::Matches);
    assert_eq!(app.context(), Context::List(List::Matches));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Criteria);
    assert_eq!(app.drill().patient, p);
    assert_eq!(app.drill().rank, 1);
    assert_eq!(app.drill().cohort, 0, "starts on the best cohort");
    let m = &app.matches()[p][1];
    assert_eq!(app.drill_rows().len(), m.counts.total());
    assert_eq!(app.drill_match().map(|d| d.trial), Some(m.trial));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Main);
    assert_eq!(app.focus(), List::Matches, "back where we were");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.focus(), List::Patients);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus(), List::Matches);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus(), List::Patients);
}

/// Opens the criteria of the first patient/study with a failing criterion.
fn open_study_with_failures(app: &mut trialmatch::tui::App) {
    let target = app
        .visible_patients()
        .iter()
        .enumerate()
        .find_map(|(row, &p)| {
            app.matches()[p]
                .iter()
                .position(|m| app.trials()[m.trial].cohorts.len() > 1 && m.counts.fail > 0)
                .map(|r| (row, r))
        });
    let Some((row, rank)) = target else {
        panic!("the samples have a multi-cohort study with failures");
    };
    for _ in 0..row {
        press(app, KeyCode::Down);
    }
    press(app, KeyCode::Enter);
    for _ in 0..rank {
        press(app, KeyCode::Down);
    }
    press(app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Criteria);
}

#[test]
fn criteria_filters_show_only_failing_or_unknown_and_toggle_back() {
    let mut app = app_sized(160, 48);
    open_study_with_failures(&mut app);
    let all = app.drill_rows().len();
    let counts = app
        .drill_match()
        .map(|m| m.best().counts)
        .unwrap_or_default();
    assert_eq!(all, counts.total());
    press(&mut app, KeyCode::Char('f'));
    assert_eq!(app.criteria_shown(), Show::Failing);
    assert_eq!(app.drill_rows().len(), counts.fail);
    assert!(app.drill_rows().iter().all(|r| r.state == State::Fail));
    press(&mut app, KeyCode::Char('u'));
    assert_eq!(app.criteria_shown(), Show::Unknown);
    assert_eq!(app.drill_rows().len(), counts.unknown);
    assert!(app.drill_rows().iter().all(|r| r.state == State::Unknown));
    press(&mut app, KeyCode::Char('u'));
    assert_eq!(app.criteria_shown(), Show::All, "pressing again shows all");
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.drill_rows().len(), all);
}

#[test]
fn cohort_switch_cycles_through_the_study_cohorts() {
    let mut app = app();
    open_study_with_failures(&mut app);
    let n = app.drill_match().map_or(0, |m| m.cohorts.len());
    assert!(n > 1);
    let first = app.drill_match().and_then(|m| m.cohorts[0].cohort.clone());
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.drill().cohort, 1);
    let second = app.drill_match().and_then(|m| m.cohorts[1].cohort.clone());
    assert_ne!(first, second);
    let expected = app.drill_match().map_or(0, |m| m.cohorts[1].results.len());
    assert_eq!(app.drill_rows().len(), expected);
    press(&mut app, KeyCode::Char('h'));
    press(&mut app, KeyCode::Char('h'));
    assert_eq!(app.drill().cohort, n - 1, "wraps around");
}

#[test]
fn missing_data_lists_the_selected_patients_missing_facts_most_decisive_first() {
    let mut app = app();
    // P13 is the sparse referral.
    let row = app
        .visible_patients()
        .iter()
        .position(|&p| app.rows()[p].id == "P13")
        .unwrap_or(usize::MAX);
    for _ in 0..row {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(selected_id(&app).as_deref(), Some("P13"));
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.screen(), Screen::Missing);
    let p = app.missing_patient();
    assert_eq!(app.rows()[p].id, "P13");
    let expected = missing_facts(
        app.trials(),
        &rank(app.trials(), &app.patients()[p], as_of()),
    );
    assert_eq!(app.missing_list(), expected.as_slice());
    assert!(!expected.is_empty());
    let decisive: Vec<usize> = app
        .missing_list()
        .iter()
        .map(|f| f.decisive_for.len())
        .collect();
    assert!(decisive.windows(2).all(|w| w[0] >= w[1]));
    assert!(decisive[0] >= 1, "some fact could change a verdict for P13");
    // Enter opens the first study the fact blocks, on that criterion.
    let (t, _, cid) = app.missing_list()[0].blocks[0].clone();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Criteria);
    assert_eq!(app.drill_match().map(|m| m.trial), Some(t));
    let sel = app.drill_rows()[app.cursor(List::Criteria).selected].index;
    assert_eq!(app.trials()[t].criteria[sel].id, cid);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Missing);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Main);
}

#[test]
fn facts_only_for_ruled_out_studies_are_folded_into_one_row() {
    let mut app = app();
    select(&mut app, "P03");
    press(&mut app, KeyCode::Char('m'));
    let all = app.missing_list().to_vec();
    let open: Vec<_> = all.iter().filter(|f| !f.decisive_for.is_empty()).collect();
    let folded = all.len() - open.len();
    assert!(!open.is_empty() && folded > 0, "P03 has both kinds");
    // The facts that could change a verdict, then one row for the others.
    assert_eq!(app.list_len(List::Missing), open.len() + 1);
    let text = screen_text(&app);
    assert!(
        text.contains(&format!(
            "+ {folded} facts only for studies already ruled out — a shows them"
        )),
        "{text}"
    );
    assert!(!text.contains("already ruled out)"), "{text}");
    // The cursor stops on that row; Enter there unfolds, on the first fact it showed.
    press(&mut app, KeyCode::End);
    assert_eq!(app.cursor(List::Missing).selected, open.len());
    assert!(screen_text(&app).contains("knowing them changes no verdict"));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Missing, "Enter on the row unfolds");
    assert_eq!(app.list_len(List::Missing), all.len());
    assert_eq!(app.cursor(List::Missing).selected, open.len());
    assert!(
        screen_text(&app).contains("— (already"),
        "{}",
        screen_text(&app)
    );
    // a folds them again: the selection on a folded fact goes to the row standing for it.
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.list_len(List::Missing), open.len() + 1);
    assert_eq!(app.cursor(List::Missing).selected, open.len());
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.list_len(List::Missing), all.len(), "a unfolds too");
    press(&mut app, KeyCode::Char('a'));
    // Enter on a fact opens a study it could change.
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Criteria);
    let t = app.drill_match().map(|m| m.trial);
    assert!(t.is_some_and(|t| open[0].decisive_for.contains(&t)));
    // A patient with nothing open: one row says so.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    select(&mut app, "P01");
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.list_len(List::Missing), 1);
    assert!(
        screen_text(&app).contains("No missing fact could change a verdict:"),
        "{}",
        screen_text(&app)
    );
}

#[test]
fn enter_in_the_overview_opens_the_patient_and_esc_comes_back() {
    let mut app = app();
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let p = app.overview_patient();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Main);
    assert_eq!(app.context(), Context::List(List::Patients));
    assert_eq!(app.selected_patient(), p);
    // Into the match table and out again, then back to the overview on the same row.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::List(List::Matches));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::List(List::Patients));
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.screen(),
        Screen::Overview,
        "Esc returns to the overview"
    );
    assert_eq!(app.overview_patient(), p);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Main);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.open_screens(), vec![Screen::Main]);
    assert!(!app.quitting());
}

#[test]
fn contacts_follow_the_selected_study_and_cycle_with_left_right() {
    let mut app = app();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    let t = app.selected_matches()[1].trial;
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.screen(), Screen::Contacts);
    assert_eq!(app.contacts_trial(), t);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.contacts_trial(), (t + 1) % 4);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    assert_eq!(app.contacts_trial(), (t + 3) % 4);
    // From the patient list, contacts are for the best match.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.focus(), List::Patients);
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(
        Some(app.contacts_trial()),
        app.selected_matches().first().map(|m| m.trial)
    );
}

#[test]
fn contacts_scroll_stops_at_the_last_line() {
    let mut app = app();
    press(&mut app, KeyCode::Char('c'));
    let lines = app.list_len(List::Contacts);
    // 80×24: 22 body rows minus the border = 20 visible lines.
    assert!(lines > 20);
    for _ in 0..200 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.cursor(List::Contacts).selected, lines - 20);
    press(&mut app, KeyCode::Up);
    assert_eq!(
        app.cursor(List::Contacts).selected,
        lines - 21,
        "one Up scrolls back at once"
    );
    press(&mut app, KeyCode::Home);
    assert_eq!(app.cursor(List::Contacts).selected, 0);
}

#[test]
fn fuzzy_filter_narrows_keeps_the_selection_and_esc_clears() {
    let mut app = app();
    press(&mut app, KeyCode::Char('/'));
    assert!(app.typing_filter());
    assert_eq!(app.context(), Context::Filter);
    type_str(&mut app, "charlie");
    assert_eq!(app.filter(), "charlie");
    let ids: Vec<&str> = app
        .visible_patients()
        .iter()
        .map(|&p| app.rows()[p].id.as_str())
        .collect();
    assert_eq!(ids, vec!["P03"]);
    assert_eq!(selected_id(&app).as_deref(), Some("P03"));
    // The matched characters are those of the name.
    assert_eq!(
        app.highlight("Test Patient Charlie"),
        vec![13, 14, 15, 16, 17, 18, 19]
    );
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.filter(), "charli");
    press(&mut app, KeyCode::Enter);
    assert!(!app.typing_filter(), "Enter keeps the filter");
    assert_eq!(app.filter(), "charli");
    assert_eq!(app.context(), Context::List(List::Patients));
    press(&mut app, KeyCode::Esc);
    assert!(app.filter().is_empty(), "Esc in the list clears the filter");
    assert_eq!(app.visible_patients().len(), app.patients().len());
    assert_eq!(selected_id(&app).as_deref(), Some("P03"), "selection kept");
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "zzzzqqq");
    assert!(app.visible_patients().is_empty());
    assert_eq!(app.selected_patient(), None);
    press(&mut app, KeyCode::Esc);
    assert!(!app.typing_filter());
    assert_eq!(app.visible_patients().len(), app.patients().len());
}

#[test]
fn filter_searches_ids_diagnoses_and_studies_not_ruled_out() {
    let mut app = app();
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "P14");
    assert_eq!(selected_id(&app).as_deref(), Some("P14"));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "Sjögren");
    let ids: Vec<&str> = app
        .visible_patients()
        .iter()
        .map(|&p| app.rows()[p].id.as_str())
        .collect();
    assert!(ids.contains(&"P07") && ids.contains(&"P13"), "{ids:?}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "Paed CD19");
    assert!(!app.visible_patients().is_empty());
    for &p in app.visible_patients() {
        let paed = app.matches()[p]
            .iter()
            .find(|m| app.trials()[m.trial].short_name == "Paed CD19/BCMA")
            .map(|m| m.verdict());
        assert_ne!(
            paed,
            Some(Verdict::Ineligible),
            "{} is ruled out of the study",
            app.rows()[p].id
        );
    }
}

/// The shipped files plus copies of P14 (eligible for Paed CD19/BCMA) as P19 and P1, listed
/// last among the eligible.
fn app_with_p19_and_p1() -> trialmatch::tui::App {
    let mut ws = workspace();
    let p14 = ws
        .patients
        .iter()
        .find(|p| p.id() == "P14")
        .cloned()
        .unwrap_or_else(|| panic!("P14 shipped"));
    for (id, name) in [("P19", "Test Patient Sierra"), ("P1", "Test Patient Tango")] {
        let mut p = p14.clone();
        p.data.id = id.into();
        p.data.name = Some(name.into());
        ws.patients.push(p);
    }
    let mut app = trialmatch::tui::App::new(ws, as_of());
    app.update(Action::Resize {
        width: 80,
        height: 24,
    });
    app
}

#[test]
fn an_exact_id_ranks_first_is_selected_and_m_opens_that_patient() {
    let mut app = app_with_p19_and_p1();
    let p19 = patient_index(&app, "P19");
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "P19");
    assert_eq!(app.visible_patients().first(), Some(&p19), "exact id first");
    assert_eq!(selected_id(&app).as_deref(), Some("P19"));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.screen(), Screen::Missing);
    assert_eq!(app.missing_patient(), p19, "m opens P19's missing data");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    // Any case; and first even when other ids also match ("P1" is in P10..P18).
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "p1");
    assert!(app.visible_patients().len() > 1);
    assert_eq!(selected_id(&app).as_deref(), Some("P1"));
    assert_eq!(
        app.visible_patients().first(),
        Some(&patient_index(&app, "P1"))
    );
    // Back to "p": no exact id, the list order again, the selection kept.
    press(&mut app, KeyCode::Backspace);
    assert_eq!(selected_id(&app).as_deref(), Some("P1"));
    assert_ne!(
        app.visible_patients().first(),
        Some(&patient_index(&app, "P1"))
    );
}

#[test]
fn the_filter_is_tight_enough_for_a_clinical_list() {
    let mut app = app_with_p19_and_p1();
    let ids = |app: &trialmatch::tui::App| -> Vec<String> {
        let mut v: Vec<String> = app
            .visible_patients()
            .iter()
            .map(|&p| app.rows()[p].id.clone())
            .collect();
        v.sort();
        v
    };
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "P19");
    assert_eq!(
        ids(&app),
        vec!["P19"],
        "not every patient of Paed CD19/BCMA"
    );
    press(&mut app, KeyCode::Esc);
    // /sle: the SLE patients (by code, name, acronym of the diagnosis, or a study they are not
    // ruled out of), never the RA or SSc patients through scattered letters.
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "sle");
    let sle = ids(&app);
    for id in ["P03", "P04", "P08", "P11", "P16", "P17"] {
        assert!(sle.contains(&id.to_string()), "{id} missing from {sle:?}");
    }
    for id in ["P01", "P05", "P10", "P18", "P09", "P02", "P06"] {
        assert!(!sle.contains(&id.to_string()), "{id} in /sle: {sle:?}");
    }
    // The highlighted letters are those that matched: the acronym of the diagnosis.
    assert_eq!(
        app.highlight("Systemic lupus erythematosus"),
        vec![0, 9, 15]
    );
    assert_eq!(app.highlight("Systemic sclerosis"), Vec::<usize>::new());
    press(&mut app, KeyCode::Esc);
    // Still fuzzy where it helps: word starts and runs.
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "cd19");
    assert!(ids(&app).contains(&"P14".to_string()), "study name run");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "srns");
    assert_eq!(ids(&app), vec!["P1", "P14", "P19"], "diagnosis code");
}

#[test]
fn overview_sorts_by_any_study_column_and_reverses() {
    let mut app = app_sized(160, 48);
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.screen(), Screen::Overview);
    assert_eq!(
        app.overview_rows(),
        app.visible_patients(),
        "list order until sorted"
    );
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.overview_column(), 2);
    press(&mut app, KeyCode::Char('s'));
    let col: Vec<(Verdict, f64)> = app
        .overview_rows()
        .iter()
        .filter_map(|&p| app.match_for(p, 2).map(|m| (m.verdict(), m.score())))
        .collect();
    assert_eq!(col.len(), app.patients().len());
    assert!(
        col.windows(2)
            .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1))
    );
    press(&mut app, KeyCode::Char('s'));
    let rev: Vec<Verdict> = app
        .overview_rows()
        .iter()
        .filter_map(|&p| app.match_for(p, 2).map(|m| m.verdict()))
        .collect();
    assert!(
        rev.windows(2).all(|w| w[0] >= w[1]),
        "reversed: ineligible first"
    );
    for _ in 0..10 {
        press(&mut app, KeyCode::Char('l'));
    }
    assert_eq!(app.overview_column(), 3, "stops at the last study");
    // Enter opens the patient in the main list.
    press(&mut app, KeyCode::Char('G'));
    let p = app.overview_patient();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Main);
    assert_eq!(app.selected_patient(), p);
}

#[test]
fn help_and_problems_open_and_close() {
    let mut app = app();
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.screen(), Screen::Help);
    press(&mut app, KeyCode::Char('!'));
    assert_eq!(app.screen(), Screen::Problems);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(
        app.open_screens(),
        vec![Screen::Main, Screen::Help],
        "no duplicate screens"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Main);
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.screen(),
        Screen::Main,
        "Esc on the base screen does not quit"
    );
    assert!(!app.quitting());
}

#[test]
fn q_and_ctrl_c_quit_but_q_is_text_while_filtering() {
    let mut app = app();
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quitting());
    assert_eq!(app.filter(), "q");
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    if let Some(a) = app.action_for(&ctrl_c) {
        app.update(a);
    }
    assert!(app.quitting());
    let mut app = app_sized(80, 24);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quitting());
}

#[test]
fn key_releases_are_ignored() {
    let app = app();
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert_eq!(app.action_for(&Event::Key(release)), None);
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let mut app = app();
    // 80×24: status row 0, patient border row 1, header row 2, first patient row 3.
    app.update(Action::Click { column: 10, row: 7 });
    assert_eq!(app.cursor(List::Patients).selected, 4);
    // The match table: border at 16, header 17, first study row 18.
    app.update(Action::Click {
        column: 10,
        row: 20,
    });
    assert_eq!(app.focus(), List::Matches);
    assert_eq!(app.cursor(List::Matches).selected, 2);
    app.update(Action::ScrollDown { column: 10, row: 5 });
    assert_eq!(
        app.cursor(List::Patients).selected,
        7,
        "wheel moves the list under the mouse"
    );
    app.update(Action::ScrollUp { column: 10, row: 5 });
    app.update(Action::ScrollUp { column: 10, row: 5 });
    assert_eq!(app.cursor(List::Patients).selected, 1);
    // A click below the last row of a short list selects nothing new.
    app.update(Action::Click { column: 10, row: 0 });
    assert_eq!(app.cursor(List::Patients).selected, 1);
}

#[test]
fn mouse_click_in_the_overview_picks_the_column_and_row() {
    let mut app = app_sized(160, 48);
    press(&mut app, KeyCode::Char('o'));
    // Rows start at y=3; the last study column is at the right edge.
    app.update(Action::Click {
        column: 150,
        row: 5,
    });
    assert_eq!(app.overview_column(), 3);
    assert_eq!(app.cursor(List::Overview).selected, 2);
}

#[test]
fn resizing_keeps_the_selection_visible() {
    let mut app = app_sized(160, 48);
    press(&mut app, KeyCode::Char('G'));
    let last = app.cursor(List::Patients).selected;
    app.update(Action::Resize {
        width: 80,
        height: 24,
    });
    let c = app.cursor(List::Patients);
    assert_eq!(c.selected, last);
    assert!(c.offset <= c.selected && c.selected < c.offset + 12);
    app.update(Action::Resize {
        width: 40,
        height: 10,
    });
    assert!(screen_text(&app).contains("Terminal too small"));
    app.update(Action::Resize {
        width: 80,
        height: 24,
    });
    assert_eq!(app.cursor(List::Patients).selected, last);
}

#[test]
fn the_wheel_scrolls_contacts_three_lines_at_a_time() {
    let mut app = app();
    press(&mut app, KeyCode::Char('c'));
    app.update(Action::ScrollDown {
        column: 20,
        row: 10,
    });
    assert_eq!(app.cursor(List::Contacts).selected, 3);
    app.update(Action::ScrollUp {
        column: 20,
        row: 10,
    });
    app.update(Action::ScrollUp {
        column: 20,
        row: 10,
    });
    assert_eq!(app.cursor(List::Contacts).selected, 0);
}

#[test]
fn startup_explains_no_one_and_drilling_in_explains_exactly_the_shown_patient() {
    let mut app = app();
    assert!(
        app.explanations().is_empty(),
        "startup ranks on the fast path only"
    );
    for row in 0..app.visible_patients().len() {
        let p = app.visible_patients()[row];
        // Select the patient, open its best study, then its missing data.
        press(&mut app, KeyCode::Home);
        for _ in 0..row {
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen(), Screen::Criteria);
        assert_eq!(app.drill().patient, p);
        assert_eq!(app.explanations().len(), 1);
        // The lazily explained view is the explained ranking of that patient...
        let want = rank(app.trials(), &app.patients()[p], as_of());
        let got = app.explained(p).map(|e| &e.matches);
        assert_eq!(format!("{got:?}"), format!("{:?}", Some(&want)));
        // ...and agrees with the fast standings the lists show, study by study.
        assert_eq!(app.matches()[p].len(), want.len());
        for (s, m) in app.matches()[p].iter().zip(&want) {
            assert_eq!(s.trial, m.trial, "{}", app.rows()[p].id);
            assert_eq!(s.counts, m.best().counts, "{}", app.rows()[p].id);
            assert_eq!(app.cohort_id(s), m.best().cohort.as_deref());
        }
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(app.screen(), Screen::Missing);
        assert_eq!(
            app.missing_list(),
            missing_facts(app.trials(), &want).as_slice()
        );
        // Back on the list, nothing stays explained.
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), Screen::Main);
        assert!(app.explanations().is_empty());
    }
}

#[test]
fn two_screens_on_the_stack_keep_two_patients_explained() {
    let mut app = app();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter); // criteria of the first patient
    let first = app.drill().patient;
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char('m')); // missing data of the overview's last patient
    let last = app.missing_patient();
    assert_ne!(first, last);
    assert_eq!(app.open_screens().len(), 4);
    assert!(app.explained(first).is_some() && app.explained(last).is_some());
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Criteria);
    assert_eq!(
        app.drill_match().map(|m| m.trial),
        Some(app.matches()[first][0].trial)
    );
    assert_eq!(app.explanations().len(), 1);
}

/// The tight match, written out as its definition: the pattern's characters in order (ASCII
/// letters without case unless the pattern has an ASCII capital), each one either right after
/// the previous one or at a word start. Tries every alignment.
fn tight(s: &str, pattern: &str) -> bool {
    fn from(t: &[char], p: &[char], after: Option<usize>, sensitive: bool) -> bool {
        let Some((&c, rest)) = p.split_first() else {
            return true;
        };
        let lo = after.map_or(0, |a| a + 1);
        (lo..t.len()).any(|j| {
            let same = if sensitive {
                t[j] == c
            } else {
                t[j].eq_ignore_ascii_case(&c)
            };
            let placed = match after {
                None => true,
                Some(a) => j == a + 1 || j == 0 || !t[j - 1].is_alphanumeric(),
            };
            same && placed && from(t, rest, Some(j), sensitive)
        })
    }
    let t: Vec<char> = s.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    from(
        &t,
        &p,
        None,
        pattern.chars().any(|c| c.is_ascii_uppercase()),
    )
}

/// The patients a filter matches, searched from scratch: id, name, diagnoses, codes and the
/// studies not ruled out; a patient whose id is the filter first.
fn brute_force(app: &trialmatch::tui::App, filter: &str) -> Vec<usize> {
    let hit = |s: &str| tight(s, filter);
    let mut v: Vec<usize> = app
        .patient_order()
        .iter()
        .copied()
        .filter(|&p| {
            let r = &app.rows()[p];
            hit(&r.id)
                || hit(&r.name)
                || r.diagnoses.iter().any(|d| hit(d))
                || r.codes.iter().any(|c| hit(c))
                || app.matches()[p]
                    .iter()
                    .filter(|s| s.verdict() != Verdict::Ineligible)
                    .any(|s| hit(&app.trials()[s.trial].short_name))
        })
        .collect();
    if let Some(i) = v.iter().position(|&p| {
        !filter.trim().is_empty() && app.rows()[p].id.to_lowercase() == filter.trim().to_lowercase()
    }) {
        let p = v.remove(i);
        v.insert(0, p);
    }
    v
}

#[test]
fn the_incremental_filter_finds_what_a_full_search_finds() {
    let mut app = app();
    press(&mut app, KeyCode::Char('/'));
    // Growing (narrowed from the previous result), across a switch to case-sensitive, and
    // back with Backspace (earlier results reused), then growing on another branch.
    let mut typed = String::new();
    for step in [
        "s", "l", "E", "\x08", "\x08", "j", "ö", "\x08", "\x08", "\x08", "P", "1", "3", "\x08",
        "\x08", "\x08", "k", "n", " ", "s", "\x08", "\x08", "\x08", "r", "x",
    ] {
        if step == "\x08" {
            press(&mut app, KeyCode::Backspace);
            typed.pop();
        } else {
            type_str(&mut app, step);
            typed.push_str(step);
        }
        assert_eq!(app.filter(), typed);
        assert_eq!(
            app.visible_patients(),
            brute_force(&app, &typed),
            "filter /{typed}"
        );
        assert!(
            app.cursor(List::Patients).selected < app.visible_patients().len().max(1),
            "filter /{typed}"
        );
    }
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.visible_patients(), app.patient_order());
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "sle");
    assert_eq!(
        app.visible_patients(),
        brute_force(&app, "sle"),
        "after a clear"
    );
}

#[test]
fn the_filter_pattern_is_its_definition_and_never_looser_than_skim() {
    use fuzzy_matcher::FuzzyMatcher;
    use trialmatch::tui::app::{Pattern, char_mask};
    let skim = fuzzy_matcher::skim::SkimMatcherV2::default();
    let app = app();
    let mut choices: Vec<String> = app
        .rows()
        .iter()
        .flat_map(|r| {
            [r.id.clone(), r.name.clone()]
                .into_iter()
                .chain(r.diagnoses.iter().cloned())
                .chain(r.codes.iter().cloned())
        })
        .chain(app.trials().iter().map(|t| t.short_name.clone()))
        .collect();
    choices.extend(
        [
            "",
            "ÄÖÜ äöü ß",
            "Émilie Noël",
            "aaa",
            "ABC abc",
            "x-y_z 1/2",
            "İstanbul ıi",
        ]
        .map(String::from),
    );
    let patterns = [
        "a",
        "s",
        "S",
        "sle",
        "SLE",
        "slE",
        "Sjö",
        "sjö",
        "SJÖ",
        "ö",
        "Ö",
        "é",
        "É",
        "p1",
        "P1",
        "kn5501 sle",
        "KN5501 SLE",
        "aa",
        "aaaa",
        "  ",
        " ",
        "x/2",
        "-",
        "ß",
        "ss",
        "i",
        "İ",
        "ı",
        "zzz",
        "rheum",
        "Rheum",
        "rhEUm",
        "1",
        "0001",
        "cd19",
        "P19",
        "p19",
        "SySc",
        "sysc",
        "ra",
        "ild",
        "nsip",
        "lupus n",
    ];
    for p in patterns {
        let pattern = Pattern::new(p);
        for c in &choices {
            assert_eq!(pattern.hits(c), tight(c, p), "/{p} in {c:?}");
            // Every tight match is a skim match (so a filter narrows its prefix's result).
            assert!(
                !pattern.hits(c) || skim.fuzzy_match(c, p).is_some(),
                "/{p} in {c:?}"
            );
            // The highlighted characters are a match of the pattern.
            if let Some(ix) = pattern.indices(c) {
                let chars: Vec<char> = c.chars().collect();
                assert_eq!(ix.len(), p.chars().count(), "/{p} in {c:?}");
                assert!(ix.windows(2).all(|w| w[0] < w[1]), "/{p} in {c:?}");
                assert!(ix.iter().all(|&i| i < chars.len()), "/{p} in {c:?}");
            }
            // The character-class pre-check never rules out a match.
            assert!(
                !pattern.hits(c) || pattern.may_hit(char_mask(c)),
                "/{p} in {c:?}"
            );
        }
    }
}

#[test]
fn an_attestation_to_ask_for_is_written_out_as_the_question() {
    let mut app = app();
    let row = app
        .visible_patients()
        .iter()
        .position(|&p| app.rows()[p].id == "P18")
        .unwrap_or(usize::MAX);
    for _ in 0..row {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Char('m'));
    let at = app
        .missing_list()
        .iter()
        .position(|f| f.fact == "clinician attestation for C-I25 (problematic)")
        .expect("P18 awaits the C-I25 judgement");
    for _ in 0..at {
        press(&mut app, KeyCode::Down);
    }
    let text = screen(&app).join("\n");
    assert!(
        text.contains("Ask the investigator (C-I25, problematic):"),
        "{text}"
    );
    assert!(text.contains("EULAR definition of refractory"), "{text}");
}
