//! Layer 3 for the worklist in the UI: keys applied to an App built from the shipped files and
//! given decisions, no database; the assertions are on App state and on the requests `update`
//! queues for the event loop. One test runs those requests against a real database.

mod tui_support;

use ratatui::crossterm::event::KeyCode;
use trialmatch::tui::App;
use trialmatch::tui::app::{List, Screen};
use trialmatch::tui::keymap::Context;
use trialmatch::tui::worklist::{Modal, Outcome, PickFor, Request, StatusFilter};
use trialmatch::worklist::{Status, Store};
use tui_support::*;

/// The app with P03 in the match table, its second study highlighted: (app, patient, trial).
fn on_p03_second_study(app: App) -> (App, usize, usize) {
    let mut app = app;
    select(&mut app, "P03");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.context(), Context::List(List::Matches));
    let p = patient_index(&app, "P03");
    let t = app.selected_matches()[1].trial;
    (app, p, t)
}

fn note(app: &App) -> String {
    match app.modal() {
        Some(Modal::Note(n)) => n.input.text().to_string(),
        other => panic!("no note open: {other:?}"),
    }
}

fn note_cursor(app: &App) -> usize {
    match app.modal() {
        Some(Modal::Note(n)) => n.input.cursor(),
        other => panic!("no note open: {other:?}"),
    }
}

#[test]
fn the_picker_chooses_a_status_and_enter_queues_it_with_the_note() {
    let (mut app, p, t) = on_p03_second_study(app());
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.context(), Context::Picker);
    let Some(Modal::Picker(picker)) = app.modal().cloned() else {
        panic!("picker open")
    };
    assert_eq!(
        picker.purpose,
        PickFor::Status {
            patient: p,
            trial: t,
            current: None
        }
    );
    assert_eq!(picker.selected, 0, "no status yet: starts on new");
    // Down three times (j is Down too), one back up, one more down: referred.
    for k in [KeyCode::Down, KeyCode::Char('j'), KeyCode::Down] {
        press(&mut app, k);
    }
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Down);
    assert!(matches!(app.modal(), Some(Modal::Picker(p)) if p.selected == 3));
    // Global keys are off: q is not quit, o opens nothing.
    press(&mut app, KeyCode::Char('q'));
    press(&mut app, KeyCode::Char('o'));
    assert!(!app.quitting());
    assert_eq!(app.screen(), Screen::Main);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Note);
    assert!(
        matches!(app.modal(), Some(Modal::Note(n)) if n.status == Status::Referred && !n.note_only)
    );
    type_str(&mut app, "sent to Dr Li, q by Friday");
    assert!(!app.quitting(), "q is text in a note");
    assert!(app.requests().is_empty(), "nothing before Enter");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.modal(), None);
    assert_eq!(
        app.requests(),
        &[Request::Record {
            patient: p,
            trial: t,
            status: Status::Referred,
            note: "sent to Dr Li, q by Friday".into()
        }]
    );
    assert_eq!(app.take_requests().len(), 1);
    assert!(app.requests().is_empty());
}

#[test]
fn digits_choose_directly_and_the_current_status_is_marked() {
    let base = app();
    let chec = trial_id(&base, "CHEC CAR-NK AID");
    let app = base.with_decisions(vec![decision(1, "P01", &chec, Status::Screening, "")]);
    let mut app = app;
    press(&mut app, KeyCode::Enter); // P01's match table, CHEC first
    let p = patient_index(&app, "P01");
    assert_eq!(app.trials()[app.selected_matches()[0].trial].id, chec);
    press(&mut app, KeyCode::Char('s'));
    let Some(Modal::Picker(picker)) = app.modal().cloned() else {
        panic!("picker open")
    };
    assert_eq!(picker.selected, 1, "starts on the current status");
    let marked: Vec<&str> = picker
        .entries(&app)
        .iter()
        .filter(|e| e.1)
        .map(|e| e.0)
        .collect();
    assert_eq!(marked, vec!["screening"]);
    press(&mut app, KeyCode::Char('7'));
    assert!(matches!(app.modal(), Some(Modal::Note(n)) if n.status == Status::NotEligible));
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.requests(),
        &[Request::Record {
            patient: p,
            trial: app.selected_matches()[0].trial,
            status: Status::NotEligible,
            note: String::new()
        }]
    );
}

#[test]
fn the_note_edits_at_the_cursor_by_characters_not_bytes() {
    let (mut app, _, _) = on_p03_second_study(app());
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('2'));
    type_str(&mut app, "ac");
    press(&mut app, KeyCode::Left);
    type_str(&mut app, "b");
    assert_eq!((note(&app).as_str(), note_cursor(&app)), ("abc", 2));
    // Multi-byte text, then insert in its middle.
    press(&mut app, KeyCode::End);
    type_str(&mut app, " é中😀");
    assert_eq!((note(&app).as_str(), note_cursor(&app)), ("abc é中😀", 7));
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    type_str(&mut app, "ü");
    assert_eq!(note(&app), "abc éü中😀");
    // Delete removes the character under the cursor, Backspace the one before.
    press(&mut app, KeyCode::Delete);
    assert_eq!(note(&app), "abc éü😀");
    press(&mut app, KeyCode::Backspace);
    assert_eq!((note(&app).as_str(), note_cursor(&app)), ("abc é😀", 5));
    // Home / End and their Ctrl forms.
    press(&mut app, KeyCode::Home);
    assert_eq!(note_cursor(&app), 0);
    press_ctrl(&mut app, 'e');
    assert_eq!(note_cursor(&app), 6);
    press_ctrl(&mut app, 'a');
    type_str(&mut app, "> ");
    assert_eq!(note(&app), "> abc é😀");
    // Ctrl-U clears everything before the cursor, keeping the rest.
    press(&mut app, KeyCode::Right);
    press_ctrl(&mut app, 'u');
    assert_eq!((note(&app).as_str(), note_cursor(&app)), ("bc é😀", 0));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.requests(),
        [Request::Record { status: Status::Screening, note, .. }] if note == "bc é😀"
    ));
}

#[test]
fn the_terminal_cursor_follows_the_note_in_display_columns() {
    let (mut app, _, _) = on_p03_second_study(app());
    assert_eq!(
        trialmatch::tui::view::cursor_position(&app, app.area()),
        None,
        "no cursor without a note"
    );
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Enter);
    let at = |app: &App| {
        trialmatch::tui::view::cursor_position(app, app.area())
            .unwrap_or_else(|| panic!("a cursor while typing"))
    };
    let start = at(&app);
    type_str(&mut app, "ab");
    assert_eq!(at(&app).x, start.x + 2);
    // 中 is two columns wide, é one.
    type_str(&mut app, "中é");
    assert_eq!(at(&app).x, start.x + 5);
    press(&mut app, KeyCode::Left);
    assert_eq!(at(&app).x, start.x + 4);
    // The screen shows the typed text on the cursor's row.
    // (A test buffer shows the cell a wide character covers as a space.)
    let line = &screen(&app)[start.y as usize];
    assert!(line.contains("> ab中 é"), "{line}");
    // A note longer than the window scrolls: the cursor stays inside it.
    type_str(&mut app, &"x".repeat(150));
    let end = at(&app);
    assert!(end.x < app.area().width - 2, "{end:?}");
    assert!(screen(&app)[start.y as usize].contains("xxxx"));
}

#[test]
fn esc_cancels_the_picker_or_the_note_without_recording() {
    let (mut app, _, _) = on_p03_second_study(app());
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.modal(), None);
    assert_eq!(app.focus(), List::Matches, "Esc closed the picker only");
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('4'));
    type_str(&mut app, "never mind");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.modal(), None);
    assert!(app.requests().is_empty());
    assert_eq!(app.context(), Context::List(List::Matches));
}

#[test]
fn add_note_keeps_the_status_and_needs_one() {
    let base = app();
    let sle = trial_id(&base, "KN5501 SLE");
    let mut app = base.with_decisions(vec![decision(4, "P03", &sle, Status::Referred, "")]);
    select(&mut app, "P03");
    press(&mut app, KeyCode::Enter);
    let p = patient_index(&app, "P03");
    // P03's first study is KN5501 SLE (referred); the second has no status.
    assert_eq!(app.trials()[app.selected_matches()[0].trial].id, sle);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.modal(), None);
    let msg = app.message().cloned().map(|m| m.text).unwrap_or_default();
    assert!(msg.contains("has no status yet: press s"), "{msg}");
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('n'));
    assert!(
        matches!(app.modal(), Some(Modal::Note(n)) if n.note_only && n.status == Status::Referred)
    );
    // An empty note records nothing.
    press(&mut app, KeyCode::Enter);
    assert!(app.requests().is_empty());
    press(&mut app, KeyCode::Char('n'));
    type_str(&mut app, "study team replied: visit on 3 Dec");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.requests(),
        &[Request::Record {
            patient: p,
            trial: app.selected_matches()[0].trial,
            status: Status::Referred,
            note: "study team replied: visit on 3 Dec".into()
        }]
    );
}

#[test]
fn s_in_the_patient_list_names_the_pair_and_keeps_the_focus() {
    let mut app = app_sized(120, 40);
    select(&mut app, "P02");
    assert_eq!(app.focus(), List::Patients);
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.focus(), List::Patients, "the focus stays in the list");
    let p = patient_index(&app, "P02");
    let best = app.matches()[p][0].trial;
    let study = app.study_name(best).to_string();
    assert!(matches!(
        app.modal(),
        Some(Modal::Picker(pk)) if pk.purpose == PickFor::Status { patient: p, trial: best, current: None }
    ));
    assert!(screen_text(&app).contains(&format!("Status · P02 · {study}")));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.modal(), None);
    assert_eq!(
        app.context(),
        Context::List(List::Patients),
        "Esc: back where it was"
    );
    // Status, note, Enter: recorded for P02, and the list still has the keys.
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('2'));
    assert!(screen_text(&app).contains(&format!("Note · P02 · {study}")));
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Record {
            patient: p,
            trial: best,
            status: Status::Screening,
            note: String::new()
        }]
    );
    assert_eq!(
        app.context(),
        Context::List(List::Patients),
        "the focus returned"
    );
    // So the next Down moves to the next patient, and the next s is for that patient.
    press(&mut app, KeyCode::Down);
    let next = app
        .selected_patient()
        .unwrap_or_else(|| panic!("a patient"));
    assert_ne!(next, p);
    press(&mut app, KeyCode::Char('s'));
    assert!(matches!(
        app.modal(),
        Some(Modal::Picker(pk)) if matches!(pk.purpose, PickFor::Status { patient, .. } if patient == next)
    ));
    assert!(screen_text(&app).contains(&format!("Status · {} · ", app.rows()[next].id)));
}

#[test]
fn n_and_e_in_the_patient_list_act_on_the_selected_patients_study_and_say_so() {
    let base = app_sized(120, 40);
    let sle = trial_id(&base, "KN5501 SLE");
    let mut app = base.with_decisions(vec![decision(4, "P03", &sle, Status::Referred, "")]);
    select(&mut app, "P03");
    let p = patient_index(&app, "P03");
    let t = app.matches()[p][0].trial;
    assert_eq!(app.trials()[t].id, sle, "P03's best match");
    press(&mut app, KeyCode::Char('n'));
    assert!(
        matches!(app.modal(), Some(Modal::Note(n)) if n.note_only && n.patient == p && n.trial == t)
    );
    assert!(screen_text(&app).contains("Note · P03 · KN5501 SLE"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::List(List::Patients));
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Export {
            patient: p,
            trial: t
        }]
    );
    app.receive(Outcome::Exported {
        patient: p,
        trial: t,
        result: Ok("/data/referrals/referral-P03.md".into()),
    });
    let status = screen(&app)[0].clone();
    assert!(
        status.contains(
            "Referral summary written to /data/referrals/referral-P03.md (P03 · KN5501 SLE)"
        ),
        "{status}"
    );
    // A patient with no status: n says so, naming the pair.
    select(&mut app, "P01");
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.modal(), None);
    let msg = app.message().cloned().map(|m| m.text).unwrap_or_default();
    let best = app.study_name(app.selected_matches()[0].trial).to_string();
    assert!(
        msg.contains(&format!("P01 · {best} has no status yet")),
        "{msg}"
    );
}

#[test]
fn ctrl_c_in_a_note_asks_before_discarding_it() {
    let (mut app, _, _) = on_p03_second_study(app_sized(120, 40));
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('4'));
    type_str(&mut app, "called the study team");
    press_ctrl(&mut app, 'c');
    assert!(!app.quitting(), "the first Ctrl-C asks");
    assert_eq!(note(&app), "called the study team");
    let msg = app
        .message()
        .cloned()
        .unwrap_or_else(|| panic!("a question"));
    assert!(
        msg.text.contains("not recorded") && msg.text.contains("Ctrl-C again quits"),
        "{msg:?}"
    );
    assert!(msg.text.contains("P03 · "), "names the patient: {msg:?}");
    assert!(screen(&app)[0].contains("Ctrl-C again quits"));
    // Typing on forgets the question.
    type_str(&mut app, ".");
    press_ctrl(&mut app, 'c');
    assert!(!app.quitting(), "asked again after typing");
    assert_eq!(note(&app), "called the study team.");
    press_ctrl(&mut app, 'c');
    assert!(app.quitting(), "the second Ctrl-C in a row quits");
    assert!(app.requests().is_empty());
}

#[test]
fn a_recorded_decision_shows_in_the_match_table_list_and_overview() {
    let (mut app, p, t) = on_p03_second_study(app());
    assert_eq!(app.status_of(p, t), None);
    assert_eq!(app.list_status(p), (None, 0));
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Enter);
    let Some(Request::Record {
        patient,
        trial,
        status,
        note,
    }) = app.take_requests().pop()
    else {
        panic!("a record request")
    };
    let d = decision(
        9,
        &app.rows()[patient].id.clone(),
        &app.trials()[trial].id.clone(),
        status,
        &note,
    );
    app.receive(Outcome::Recorded {
        patient,
        trial,
        result: Ok(d),
    });
    assert_eq!(app.status_of(p, t), Some(Status::Referred));
    // The list's cell sits beside the best match, which has no status: it says so, and
    // counts the second study's.
    assert_eq!(app.list_status(p), (None, 1));
    let msg = app.message().cloned().map(|m| m.text).unwrap_or_default();
    assert_eq!(
        msg,
        format!("Recorded P03 · {}: referred", app.study_name(t))
    );
    let text = screen_text(&app);
    assert!(text.contains(&format!("Recorded P03 · {}", app.study_name(t))));
    let p03 = screen(&app)
        .into_iter()
        .find(|l| l.contains("P03 Test"))
        .unwrap_or_default();
    assert!(p03.contains("— +1") && !p03.contains("referred"), "{p03}");
    // A second study's status: the list shows the latest and counts the other.
    let first = app.selected_matches()[0].trial;
    let d = decision(
        10,
        "P03",
        &app.trials()[first].id.clone(),
        Status::Screening,
        "",
    );
    app.receive(Outcome::Recorded {
        patient: p,
        trial: first,
        result: Ok(d),
    });
    assert_eq!(app.list_status(p), (Some(Status::Screening), 1));
    // A failed write says so and changes nothing.
    app.receive(Outcome::Recorded {
        patient: p,
        trial: first,
        result: Err("/tmp/w.sqlite3: database is locked".into()),
    });
    assert_eq!(app.status_of(p, first), Some(Status::Screening));
    let m = app
        .message()
        .cloned()
        .unwrap_or_else(|| panic!("a message"));
    assert!(m.error);
    assert!(m.text.contains("Not recorded for P03"), "{}", m.text);
    assert!(m.text.contains("database is locked"));
}

#[test]
fn the_status_filter_narrows_the_list_and_overview_and_composes_with_the_text_filter() {
    let base = app();
    let (sle, chec) = (
        trial_id(&base, "KN5501 SLE"),
        trial_id(&base, "CHEC CAR-NK AID"),
    );
    let mut app = base.with_decisions(vec![
        decision(1, "P03", &sle, Status::Referred, ""),
        decision(2, "P08", &sle, Status::Referred, ""),
        decision(3, "P01", &chec, Status::Referred, ""),
        decision(4, "P02", &chec, Status::Screening, ""),
        // An older decision of P02's pair no longer counts.
        decision(0, "P02", &chec, Status::Referred, ""),
    ]);
    let n = app.patients().len();
    press(&mut app, KeyCode::Char('S'));
    assert_eq!(app.context(), Context::Picker);
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(app.status_filter(), StatusFilter::Is(Status::Referred));
    let ids = |app: &App| -> Vec<String> {
        let mut v: Vec<String> = app
            .visible_patients()
            .iter()
            .map(|&p| app.rows()[p].id.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&app), vec!["P01", "P03", "P08"]);
    assert_eq!(app.overview_rows().len(), 3);
    let title = screen(&app)[1].clone();
    assert!(title.contains("Patients: 3 of"), "{title}");
    assert!(title.contains("status: referred"), "{title}");
    // With a text filter too: both must hold.
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "lupus");
    press(&mut app, KeyCode::Enter);
    assert_eq!(ids(&app), vec!["P03", "P08"]);
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.overview_rows().len(), 2);
    assert!(screen(&app)[1].contains("status: referred"));
    press(&mut app, KeyCode::Esc);
    // Esc clears the text filter first, then the status filter.
    press(&mut app, KeyCode::Esc);
    assert_eq!(ids(&app).len(), 3);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.status_filter(), StatusFilter::All);
    assert_eq!(app.visible_patients().len(), n);
    // "No decision yet": everyone without a decision.
    press(&mut app, KeyCode::Char('S'));
    press(&mut app, KeyCode::Char('9'));
    assert_eq!(app.visible_patients().len(), n - 4);
    assert!(!ids(&app).contains(&"P02".to_string()));
    // 0 is "all patients".
    press(&mut app, KeyCode::Char('S'));
    press(&mut app, KeyCode::Char('0'));
    assert_eq!(app.visible_patients().len(), n);
}

#[test]
fn a_decision_recorded_under_a_status_filter_refilters() {
    let base = app();
    let sle = trial_id(&base, "KN5501 SLE");
    let mut app = base.with_decisions(vec![decision(1, "P03", &sle, Status::New, "")]);
    app.set_status_filter(StatusFilter::Is(Status::New));
    assert_eq!(app.visible_patients().len(), 1);
    let (p, t) = (
        patient_index(&app, "P03"),
        app.trials().iter().position(|x| x.id == sle).unwrap_or(0),
    );
    app.receive(Outcome::Recorded {
        patient: p,
        trial: t,
        result: Ok(decision(2, "P03", &sle, Status::Screening, "")),
    });
    assert!(app.visible_patients().is_empty(), "P03 is no longer new");
}

#[test]
fn export_queues_the_highlighted_pair_and_says_where_it_wrote() {
    let (mut app, p, t) = on_p03_second_study(app_sized(160, 48));
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(
        app.requests(),
        &[Request::Export {
            patient: p,
            trial: t
        }]
    );
    app.take_requests();
    app.receive(Outcome::Exported {
        patient: p,
        trial: t,
        result: Ok("/data/referrals/referral-P03-X-2026-11-22.md".into()),
    });
    let status = screen(&app)[0].clone();
    assert!(
        status.contains("Referral summary written to /data/referrals/referral-P03-X-2026-11-22.md"),
        "{status}"
    );
    // From the drill-down, the study it shows.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Criteria);
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(
        app.requests(),
        &[Request::Export {
            patient: p,
            trial: t
        }]
    );
    app.receive(Outcome::Exported {
        patient: p,
        trial: t,
        result: Err("/data/referrals: permission denied".into()),
    });
    let m = app
        .message()
        .cloned()
        .unwrap_or_else(|| panic!("a message"));
    assert!(
        m.error
            && m.text
                .contains("not written: /data/referrals: permission denied")
    );
    // The message goes with the next key.
    press(&mut app, KeyCode::Down);
    assert_eq!(app.message(), None);
}

#[test]
fn a_worklist_that_did_not_open_is_surfaced_and_worklist_keys_only_say_so() {
    let mut app = app();
    app.worklist_unavailable("/home/c/w.sqlite3: not a trialmatch worklist\u{1b}[2J");
    let status = screen(&app)[0].clone();
    assert!(status.contains("Worklist unavailable"), "{status}");
    assert!(
        app.problems()
            .iter()
            .any(|p| p.message.contains("not a trialmatch worklist\\u{1b}[2J")),
        "listed with the problems, sanitized"
    );
    press(&mut app, KeyCode::Enter);
    for k in ['s', 'n', 'e', 'S', 'H'] {
        press(&mut app, KeyCode::Char(k));
        assert_eq!(app.modal(), None, "{k}");
        assert_eq!(app.screen(), Screen::Main, "{k}");
        let m = app
            .message()
            .cloned()
            .unwrap_or_else(|| panic!("{k}: a message"));
        assert!(m.error);
        assert!(
            m.text
                .starts_with("Worklist unavailable: /home/c/w.sqlite3: not a trialmatch worklist"),
            "{}",
            m.text
        );
        assert!(!m.text.contains('\u{1b}'));
    }
    assert!(app.requests().is_empty());
    // Matching still works.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Criteria);
    press(&mut app, KeyCode::Char('!'));
    assert!(screen_text(&app).contains("worklist database"));
}

#[test]
fn history_asks_for_the_patients_decisions_and_shows_them_newest_selected() {
    let (mut app, p, t) = on_p03_second_study(app());
    let (t_id, other_id) = (
        app.trials()[t].id.clone(),
        app.trials()[app.selected_matches()[0].trial].id.clone(),
    );
    press(&mut app, KeyCode::Char('H'));
    assert_eq!(app.screen(), Screen::History);
    assert_eq!(app.context(), Context::List(List::History));
    assert_eq!(app.take_requests(), vec![Request::History { patient: p }]);
    assert!(screen_text(&app).contains("Reading the worklist…"));
    let entries = vec![
        decision(1, "P03", &other_id, Status::New, ""),
        decision(2, "P03", &t_id, Status::Screening, "labs requested"),
        decision(3, "P03", &t_id, Status::Referred, "sent"),
    ];
    app.receive(Outcome::History {
        patient: p,
        result: Ok(entries),
    });
    assert_eq!(app.history_rows().len(), 3);
    assert_eq!(
        app.cursor(List::History).selected,
        2,
        "the newest is selected"
    );
    press(&mut app, KeyCode::Up);
    assert_eq!(
        app.history_rows()[app.cursor(List::History).selected].note,
        "labs requested"
    );
    // a: only the study highlighted when the history opened, and back.
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.history_rows().len(), 2);
    assert!(app.history_rows().iter().all(|d| d.trial == t_id));
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.history_rows().len(), 3);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), Screen::Main);
    // Another patient with no decisions.
    press(&mut app, KeyCode::Esc);
    select(&mut app, "P01");
    press(&mut app, KeyCode::Char('H'));
    let p01 = patient_index(&app, "P01");
    app.receive(Outcome::History {
        patient: p01,
        result: Ok(Vec::new()),
    });
    assert!(screen_text(&app).contains("No decisions recorded for this patient yet."));
    // A read error is shown where the rows would be.
    app.receive(Outcome::History {
        patient: p01,
        result: Err("/tmp/w.sqlite3: disk I/O error".into()),
    });
    assert!(screen_text(&app).contains("/tmp/w.sqlite3: disk I/O error"));
}

#[test]
fn requests_run_against_a_real_database() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    let mut store = Store::open(&db).unwrap_or_else(|e| panic!("open: {e}"));
    let (mut app, p, t) = on_p03_second_study(app());
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('3'));
    type_str(&mut app, "emailed the coordinator");
    press(&mut app, KeyCode::Enter);
    app.run_requests(&mut store);
    assert!(app.requests().is_empty());
    assert_eq!(app.status_of(p, t), Some(Status::ContactedStudy));
    let stored = store
        .current(Some("P03"), None)
        .unwrap_or_else(|e| panic!("current: {e}"));
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (
            stored[0].trial.as_str(),
            stored[0].status,
            stored[0].note.as_str()
        ),
        (
            app.trials()[t].id.as_str(),
            Status::ContactedStudy,
            "emailed the coordinator"
        )
    );
    // The history reads it back.
    press(&mut app, KeyCode::Char('H'));
    app.run_requests(&mut store);
    assert_eq!(app.history_rows().len(), 1);
    assert_eq!(app.history_rows()[0].note, "emailed the coordinator");
    press(&mut app, KeyCode::Esc);
    // The referral summary lands beside the database, owner-only.
    press(&mut app, KeyCode::Char('e'));
    app.run_requests(&mut store);
    let msg = app.message().cloned().map(|m| m.text).unwrap_or_default();
    // "Referral summary written to PATH (P03 · KN5501 SLE)".
    let path = msg
        .strip_prefix("Referral summary written to ")
        .and_then(|m| m.rsplit_once(" (").map(|(path, _)| path))
        .unwrap_or_else(|| panic!("{msg}"));
    let path = std::path::Path::new(path);
    assert!(path.starts_with(dir.path().join("referrals")), "{msg}");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read: {e}"));
    assert!(
        text.contains("emailed the coordinator"),
        "the history is in the summary"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
    }
    // A decision recorded elsewhere shows after loading the current decisions.
    let _ = store.record("P01", &app.trials()[0].id.clone(), Status::OnHold, "");
    let current = store.current(None, None).unwrap_or_default();
    app.load_decisions(current);
    assert_eq!(
        app.status_of(patient_index(&app, "P01"), 0),
        Some(Status::OnHold)
    );
    assert_eq!(app.status_of(p, t), Some(Status::ContactedStudy));
}

#[test]
fn decisions_recorded_elsewhere_reach_the_open_ui() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    let mut mine = Store::open(&db).unwrap_or_else(|e| panic!("open: {e}"));
    let (mut app, p, t) = on_p03_second_study(app());
    assert!(!app.refresh_from(&mut mine), "nothing changed yet");
    assert_eq!(app.status_of(p, t), None);
    // Another trialmatch (or `status set`) records a decision through its own connection.
    let mut other = Store::open(&db).unwrap_or_else(|e| panic!("open: {e}"));
    let trial_id = app.trials()[t].id.clone();
    other
        .record("P03", &trial_id, Status::OnHold, "waiting for echo")
        .unwrap_or_else(|e| panic!("record: {e}"));
    assert!(app.refresh_from(&mut mine));
    assert_eq!(app.status_of(p, t), Some(Status::OnHold));
    assert!(!app.refresh_from(&mut mine), "reloaded once per change");
}
