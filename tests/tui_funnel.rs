//! The funnel screen (`F`): snapshots at 80×24 and 160×48 over the shipped files with a
//! worklist of several studies and status histories; it reads the whole history through the
//! event loop's queue, says so while it waits, counts as `trialmatch log` does (withdrawn
//! decisions not at all), reads without colour, and is read again when a decision changes.

mod tui_support;

use ratatui::crossterm::event::KeyCode;
use trialmatch::screening::Step;
use trialmatch::tui::App;
use trialmatch::tui::app::{List, Screen};
use trialmatch::tui::worklist::{Outcome, Request};
use trialmatch::worklist::{History, Status, Withdrawal};
use tui_support::*;

/// A history over three studies: P03 walks KN5501 SLE to enrolled, P04 is ruled not eligible
/// (then a note added), P08 declines after contact, P11 is screened (and ineligible); P01 is
/// referred to CHEC, P05 screened there, P02's referral to CHEC withdrawn as entered in error;
/// P01 also on hold for KN5501 ASyS/RA.
fn history(app: &App) -> History {
    let (sle, chec, nct) = (
        trial_id(app, "KN5501 SLE"),
        trial_id(app, "CHEC CAR-NK AID"),
        trial_id(app, "KN5501 ASyS/RA"),
    );
    use Status as S;
    let decisions = vec![
        decision(1, "P03", &sle, S::Screening, ""),
        decision(2, "P03", &sle, S::ContactedStudy, ""),
        decision(3, "P03", &sle, S::Referred, "sent to Dr Li"),
        decision(4, "P03", &sle, S::Enrolled, ""),
        decision(5, "P04", &sle, S::Screening, ""),
        decision(6, "P04", &sle, S::NotEligible, "pregnant"),
        decision(7, "P04", &sle, S::NotEligible, "confirmed"),
        decision(8, "P11", &sle, S::Screening, ""),
        decision(9, "P08", &sle, S::ContactedStudy, ""),
        decision(10, "P08", &sle, S::DeclinedByPatient, "travel"),
        decision(11, "P01", &chec, S::Referred, ""),
        decision(12, "P05", &chec, S::Screening, ""),
        decision(13, "P02", &chec, S::Referred, ""),
        decision(15, "P01", &nct, S::Screening, ""),
        decision(16, "P01", &nct, S::OnHold, "await echo"),
    ];
    let w = decision(14, "P02", &chec, S::Referred, "wrong patient");
    History {
        decisions,
        withdrawals: vec![Withdrawal {
            seq: 14,
            withdraws: 13,
            patient: w.patient,
            trial: w.trial,
            status: w.status,
            note: w.note,
            who: w.who,
            at: w.at,
        }],
        entered: Vec::new(),
    }
}

/// The app at `w`×`h` with the funnel open and its history read.
fn funnel_app(w: u16, h: u16) -> App {
    let mut app = app_sized(w, h);
    press(&mut app, KeyCode::Char('F'));
    let h = history(&app);
    app.receive(Outcome::Funnel { result: Ok(h) });
    app
}

#[test]
fn funnel_screen_snapshots() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = funnel_app(w, h);
        // KN5501 SLE: every step, and reasons from two patients.
        press(&mut app, KeyCode::Down);
        insta::assert_snapshot!(format!("funnel_{w}x{h}"), draw(&app, w, h).backend());
    }
}

/// The funnel's counts of one study, by short name.
fn counts(app: &App, short: &str) -> [usize; 6] {
    let t = app
        .trials()
        .iter()
        .position(|t| t.short_name == short)
        .unwrap_or_else(|| panic!("no study {short}"));
    app.funnel_studies()
        .iter()
        .find(|f| f.trial == t)
        .map(|f| f.counts)
        .unwrap_or_else(|| panic!("no funnel for {short}"))
}

#[test]
fn opening_reads_the_history_and_says_so_meanwhile() {
    let mut app = app_sized(80, 24);
    press(&mut app, KeyCode::Char('F'));
    assert_eq!(app.screen(), Screen::Funnel);
    assert_eq!(app.requests(), &[Request::Funnel]);
    assert!(screen_text(&app).contains("Reading the worklist…"));
    let h = history(&app);
    app.receive(Outcome::Funnel { result: Ok(h) });
    assert!(!screen_text(&app).contains("Reading the worklist…"));
    // A failed read says why, and shows no numbers.
    let mut app = app_sized(80, 24);
    press(&mut app, KeyCode::Char('F'));
    app.receive(Outcome::Funnel {
        result: Err("database is locked".into()),
    });
    assert!(screen_text(&app).contains("database is locked"));
    assert!(app.funnel_studies().is_empty());
}

#[test]
fn steps_follow_the_history_and_withdrawn_decisions_do_not_count() {
    let app = funnel_app(80, 24);
    // Screened: P03, P04, P11 and P08 (decisions); eligible or possible: P03 and P08 (P04 is
    // ruled not eligible, P11 ineligible); contacted: P03 and P08 (who then declined);
    // referred and enrolled: P03.
    assert_eq!(counts(&app, "KN5501 SLE"), [4, 2, 2, 1, 1, 1]);
    // CHEC: referred only P01 — P02's referral was withdrawn as entered in error.
    let chec = counts(&app, "CHEC CAR-NK AID");
    assert_eq!((chec[2], chec[3]), (1, 1), "{chec:?}");
    // P01's hold for KN5501 ASyS/RA reaches no step.
    assert_eq!(counts(&app, "KN5501 ASyS/RA")[2..], [0, 0, 0, 0]);
    // The same numbers and reasons as the log computes, fully explained, over every date.
    let h = history(&app);
    let src = trialmatch::screening::Sources {
        trials: app.trials(),
        patients: app.patients(),
        as_of: app.as_of(),
        history: &h,
        explain: true,
    };
    let studies: Vec<usize> = (0..app.trials().len()).collect();
    let log = trialmatch::screening::build(
        &src,
        |p, t| app.match_for(p, t).map(|s| s.verdict()),
        |at| at.date_naive(),
        &studies,
        trialmatch::screening::Period::ALL,
    );
    assert_eq!(trialmatch::screening::funnel(&log), app.funnel_studies());
    // The reasons of KN5501 SLE: P04's and P11's failing criteria, once per patient.
    let sle = app
        .funnel_studies()
        .iter()
        .find(|f| app.trials()[f.trial].short_name == "KN5501 SLE")
        .unwrap_or_else(|| panic!("no SLE funnel"));
    assert_eq!(sle.not_eligible, 2);
    assert_eq!(sle.count(Step::Declined), 1);
    assert!(!sle.reasons.is_empty() && sle.reasons.len() <= 5);
}

#[test]
fn the_chart_reads_without_colour() {
    use ratatui::style::Color;
    let mut app = app_sized(80, 24).with_theme(trialmatch::tui::theme::Theme::pick(true));
    press(&mut app, KeyCode::Char('F'));
    let h = history(&app);
    app.receive(Outcome::Funnel { result: Ok(h) });
    let t = draw(&app, 80, 24);
    for c in t.backend().buffer().content() {
        assert!(matches!(c.fg, Color::Reset) && matches!(c.bg, Color::Reset));
    }
    let text = screen_text(&app);
    // Bars are characters, each with its number beside it.
    assert!(
        text.contains("screened                7       ████"),
        "{text}"
    );
    assert!(
        text.contains("contacted               1   14% ██████▍"),
        "{text}"
    );
}

#[test]
fn a_changed_decision_is_read_again_while_the_funnel_shows() {
    let mut app = funnel_app(80, 24);
    // The read that opened it, run.
    assert_eq!(app.take_requests(), [Request::Funnel]);
    let p = patient_index(&app, "P09");
    let t = app
        .trials()
        .iter()
        .position(|t| t.short_name == "CHEC CAR-NK AID")
        .unwrap_or_default();
    let id = app.trials()[t].id.clone();
    app.receive(Outcome::Recorded {
        patient: p,
        trial: t,
        result: Ok(decision(20, "P09", &id, Status::ContactedStudy, "")),
    });
    assert!(app.funnel_view().is_some_and(|f| f.stale));
    press(&mut app, KeyCode::Down);
    assert_eq!(app.requests(), &[Request::Funnel]);
    // Decisions another trialmatch recorded (reloaded): the same.
    let _ = app.take_requests();
    let mut app = app.with_decisions(Vec::new());
    press(&mut app, KeyCode::Up);
    assert_eq!(app.requests(), &[Request::Funnel]);
}

#[test]
fn contacts_from_the_funnel_are_the_selected_studys() {
    let mut app = funnel_app(80, 24);
    press(&mut app, KeyCode::Down);
    let selected = app.funnel_studies()[app.cursor(List::Funnel).selected].trial;
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.screen(), Screen::Contacts);
    assert_eq!(app.contacts_trial(), selected);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Funnel);
}

#[test]
fn without_a_worklist_the_funnel_counts_the_candidates_and_says_why() {
    let mut app = app_sized(80, 24);
    app.worklist_unavailable("w.sqlite3: database disk image is malformed");
    press(&mut app, KeyCode::Char('F'));
    assert!(app.requests().is_empty());
    let text = screen_text(&app);
    assert!(text.contains("Worklist unavailable"), "{text}");
    // Candidates only: nobody contacted.
    assert_eq!(counts(&app, "KN5501 SLE")[2..], [0, 0, 0, 0]);
    // An empty queue draws an empty funnel.
    let mut app = App::new(trialmatch::load::Workspace::default(), as_of());
    press(&mut app, KeyCode::Char('F'));
    app.receive(Outcome::Funnel {
        result: Ok(History::default()),
    });
    assert!(screen_text(&app).contains("Screening funnel"));
}

#[test]
fn f_opens_the_funnel_from_every_list_and_nothing_else_binds_it() {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    use trialmatch::tui::Action;
    use trialmatch::tui::keymap::{Context, KEYMAP, Key, action_for};
    let f = KeyEvent::new(KeyCode::Char('F'), KeyModifiers::SHIFT);
    for list in List::ALL {
        assert_eq!(
            action_for(Context::List(list), &f),
            Some(Action::Show(Screen::Funnel)),
            "{list:?}"
        );
    }
    let bound: Vec<Context> = KEYMAP
        .iter()
        .filter(|b| b.keys.contains(&Key::Code(KeyCode::Char('F'))))
        .map(|b| b.context)
        .collect();
    assert_eq!(bound, [Context::Global]);
    // Typing takes it as a letter.
    assert_eq!(
        action_for(Context::Filter, &f),
        Some(Action::FilterInput('F'))
    );
}
