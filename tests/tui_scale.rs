//! 10,000 generated patients (the sample profiles cloned under new ids): selection, scrolling,
//! paging, mouse, sorting and filtering stay correct, and only the visible rows are drawn.
//! Startup ranks on the fast path (no explanations), so this test stays quick; timings are
//! measured in `benches/ui.rs`, never asserted here.

mod tui_support;

use ratatui::crossterm::event::KeyCode;
use trialmatch::load::Workspace;
use trialmatch::rank::Verdict;
use trialmatch::tui::app::{List, Screen};
use trialmatch::tui::{Action, App};
use tui_support::*;

const N: usize = 10_000;

fn big_app() -> App {
    let base = workspace();
    assert!(!base.patients.is_empty());
    let patients = (0..N)
        .map(|i| {
            let mut p = base.patients[i % base.patients.len()].clone();
            p.data.id = format!("Q{i:05}");
            p.data.name = Some(format!("{} #{i:05}", p.name()));
            p
        })
        .collect();
    let ws = Workspace {
        trials: base.trials,
        patients,
        problems: Vec::new(),
    };
    let mut app = App::new(ws, as_of());
    app.update(Action::Resize {
        width: 80,
        height: 24,
    });
    app
}

/// The patient rows on screen (80×24: rows 3..15 of the patient pane).
fn shown_ids(app: &App) -> Vec<String> {
    screen(app)[3..15]
        .iter()
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with('Q'))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn ten_thousand_patients() {
    let mut app = big_app();
    assert_eq!(app.patients().len(), N);
    assert_eq!(app.visible_patients().len(), N);
    assert_eq!(app.matches().len(), N, "evaluated once, at startup");
    assert!(
        app.explanations().is_empty(),
        "startup ranks on the fast path and explains no one"
    );

    // Ordered by best match.
    let verdicts: Vec<Verdict> = app
        .visible_patients()
        .iter()
        .map(|&p| app.matches()[p][0].verdict())
        .collect();
    assert!(verdicts.windows(2).all(|w| w[0] <= w[1]));

    // Only the 12 visible rows are drawn, and they are the window at the offset.
    let first: Vec<String> = app.visible_patients()[..12]
        .iter()
        .map(|&p| app.rows()[p].id.clone())
        .collect();
    assert_eq!(shown_ids(&app), first);

    // End / Home.
    press(&mut app, KeyCode::End);
    assert_eq!(app.cursor(List::Patients).selected, N - 1);
    assert_eq!(app.cursor(List::Patients).offset, N - 12);
    let last = app.rows()[app.visible_patients()[N - 1]].id.clone();
    assert_eq!(shown_ids(&app).last(), Some(&last));
    assert!(screen_text(&app).contains(&format!("▶ {last}")));
    press(&mut app, KeyCode::Home);
    assert_eq!(
        (
            app.cursor(List::Patients).selected,
            app.cursor(List::Patients).offset
        ),
        (0, 0)
    );

    // Paging and scrolling keep the selection in the window.
    for _ in 0..3 {
        press(&mut app, KeyCode::PageDown);
    }
    assert_eq!(app.cursor(List::Patients).selected, 36);
    assert_eq!(app.cursor(List::Patients).offset, 25);
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('k'));
    }
    assert_eq!(app.cursor(List::Patients).selected, 16);
    assert_eq!(app.cursor(List::Patients).offset, 16);
    let want = app.rows()[app.visible_patients()[16]].id.clone();
    assert_eq!(shown_ids(&app).first(), Some(&want));

    // The mouse hits the row drawn under it.
    app.update(Action::Click { column: 8, row: 8 });
    assert_eq!(app.cursor(List::Patients).selected, 16 + 5);
    app.update(Action::ScrollDown { column: 8, row: 8 });
    assert_eq!(app.cursor(List::Patients).selected, 24);

    // Filtering by a unique name number finds exactly that patient, and Esc keeps it selected.
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "#04217");
    let ids: Vec<&str> = app
        .visible_patients()
        .iter()
        .map(|&p| app.rows()[p].id.as_str())
        .collect();
    assert_eq!(ids, vec!["Q04217"]);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.visible_patients().len(), N);
    assert_eq!(selected_id(&app).as_deref(), Some("Q04217"));
    let c = app.cursor(List::Patients);
    assert!(c.offset <= c.selected && c.selected < c.offset + 12);
    assert!(shown_ids(&app).contains(&"Q04217".to_string()));

    // Filtering by a study name keeps exactly the patients not ruled out of it.
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "KN5501 SLE");
    let sle = app
        .trials()
        .iter()
        .position(|t| t.short_name == "KN5501 SLE");
    let expected = (0..N)
        .filter(|&p| {
            sle.and_then(|t| app.match_for(p, t))
                .is_some_and(|m| m.verdict() != Verdict::Ineligible)
        })
        .count();
    assert!(expected > 0);
    assert_eq!(app.visible_patients().len(), expected);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.cursor(List::Patients).selected, 2);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.visible_patients().len(), N);

    // The overview sorts all 10,000 rows by a study column, and back.
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.screen(), Screen::Overview);
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('s'));
    let key = |app: &App, p: usize| app.match_for(p, 1).map(|m| (m.verdict(), -m.score()));
    let keys: Vec<_> = app.overview_rows().iter().map(|&p| key(&app, p)).collect();
    assert_eq!(keys.len(), N);
    assert!(
        keys.windows(2)
            .all(|w| w[0].partial_cmp(&w[1]).is_some_and(|o| o.is_le()))
    );
    press(&mut app, KeyCode::Char('s'));
    let keys: Vec<_> = app.overview_rows().iter().map(|&p| key(&app, p)).collect();
    assert!(
        keys.windows(2)
            .all(|w| w[0].partial_cmp(&w[1]).is_some_and(|o| o.is_ge()))
    );
    press(&mut app, KeyCode::End);
    assert_eq!(app.cursor(List::Overview).selected, N - 1);
    assert_eq!(
        app.cursor(List::Overview).offset,
        N - 19,
        "80×24 overview shows 19 rows"
    );
    let bottom = app.rows()[app.overview_rows()[N - 1]].id.clone();
    assert!(screen_text(&app).contains(&format!("▶ {bottom}")));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), Screen::Main);
    assert_eq!(selected_id(&app), Some(bottom));
}

#[test]
fn ten_thousand_patients_with_a_worklist() {
    use trialmatch::tui::worklist::StatusFilter;
    use trialmatch::worklist::Status;
    let app = big_app();
    let trial = app.trials()[0].id.clone();
    // Every seventh patient referred to the first study, every eleventh screening.
    let decisions: Vec<_> = (0..N)
        .filter_map(|i| {
            let status = if i % 7 == 0 {
                Status::Referred
            } else if i % 11 == 0 {
                Status::Screening
            } else {
                return None;
            };
            Some(decision(i as i64, &format!("Q{i:05}"), &trial, status, ""))
        })
        .collect();
    let mut app = app.with_decisions(decisions);
    app.set_status_filter(StatusFilter::Is(Status::Referred));
    let referred = (0..N).filter(|i| i % 7 == 0).count();
    assert_eq!(app.visible_patients().len(), referred);
    assert_eq!(app.overview_rows().len(), referred);
    assert!(screen_text(&app).contains("status: referred"));
    // With the text filter: exactly the referred among the text filter's own result.
    app.set_status_filter(StatusFilter::All);
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "#0777");
    let text_only = app.visible_patients().to_vec();
    assert!(text_only.len() > 1);
    app.set_status_filter(StatusFilter::Is(Status::Referred));
    let both: Vec<usize> = text_only
        .into_iter()
        .filter(|&p| {
            app.rows()[p].id[1..]
                .parse::<usize>()
                .is_ok_and(|i| i % 7 == 0)
        })
        .collect();
    assert!(!both.is_empty());
    assert_eq!(app.visible_patients(), both);
    press(&mut app, KeyCode::Esc);
    app.set_status_filter(StatusFilter::Undecided);
    let undecided = (0..N).filter(|i| i % 7 != 0 && i % 11 != 0).count();
    assert_eq!(app.visible_patients().len(), undecided);
    // The list rows show the statuses of the patients drawn.
    app.set_status_filter(StatusFilter::Is(Status::Screening));
    let first = app.visible_patients()[0];
    assert_eq!(app.list_status(first), (Some(Status::Screening), 0));
    assert!(screen(&app)[3].contains("screening"), "{}", screen(&app)[3]);
}
