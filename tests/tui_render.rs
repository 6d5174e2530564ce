//! Layer 4: whole-screen snapshots of every screen at 80×24 and 160×48 (ratatui TestBackend +
//! insta), built from the shipped files as of 2026-11-22; plus what must hold on any screen:
//! no raw control characters, NO_COLOR, "terminal too small".

mod tui_support;

use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use std::ops::Not;
use trialmatch::problem::Problem;
use trialmatch::tui::App;
use trialmatch::tui::app::List;
use trialmatch::tui::keymap::{self, Context};
use trialmatch::tui::theme::Theme;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// Builds an App at each size, drives it with `keys`, and snapshots the screen.
fn snap(name: &str, keys: &[KeyCode]) {
    for (w, h) in SIZES {
        let mut app = app_sized(w, h);
        for k in keys {
            press(&mut app, *k);
        }
        let t = draw(&app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

/// Keys that move to the patient `id` in the list.
fn to_patient(app_keys: &mut Vec<KeyCode>, id: &str) {
    let app = app();
    let row = app
        .visible_patients()
        .iter()
        .position(|&p| app.rows()[p].id == id)
        .unwrap_or(0);
    app_keys.extend(std::iter::repeat_n(KeyCode::Down, row));
}

#[test]
fn patient_list_and_match_table() {
    snap("main", &[]);
}

#[test]
fn match_table_focused() {
    snap(
        "matches",
        &[KeyCode::Down, KeyCode::Down, KeyCode::Enter, KeyCode::Down],
    );
}

#[test]
fn filter_while_typing() {
    let mut keys = vec![KeyCode::Char('/')];
    keys.extend("sle".chars().map(KeyCode::Char));
    snap("filter", &keys);
}

#[test]
fn criteria_drill_down() {
    // P05 (RA, age 70): second study is ineligible on age.
    let mut keys = Vec::new();
    to_patient(&mut keys, "P05");
    keys.extend([KeyCode::Enter, KeyCode::Down, KeyCode::Enter]);
    snap("criteria", &keys);
    keys.push(KeyCode::Char('f'));
    snap("criteria_failing", &keys);
    keys.extend([
        KeyCode::Char('a'),
        KeyCode::Char('l'),
        KeyCode::Down,
        KeyCode::Down,
    ]);
    snap("criteria_next_cohort", &keys);
}

#[test]
fn missing_data() {
    let mut keys = Vec::new();
    to_patient(&mut keys, "P13");
    keys.push(KeyCode::Char('m'));
    snap("missing", &keys);
}

#[test]
fn missing_data_folds_facts_only_for_ruled_out_studies() {
    // P03: two facts could change a verdict; the rest only concern ruled-out studies, folded
    // into the last row (selected, so the bottom pane explains it).
    let mut keys = Vec::new();
    to_patient(&mut keys, "P03");
    keys.extend([KeyCode::Char('m'), KeyCode::End]);
    snap("missing_folded", &keys);
}

#[test]
fn contacts() {
    // P01's second study is NCT06613490, the one with named investigators.
    snap(
        "contacts",
        &[KeyCode::Enter, KeyCode::Down, KeyCode::Char('c')],
    );
    snap(
        "contacts_scrolled",
        &[
            KeyCode::Enter,
            KeyCode::Down,
            KeyCode::Char('c'),
            KeyCode::PageDown,
        ],
    );
    // The paediatric study states no site or contact: "not stated in source".
    snap(
        "contacts_not_stated",
        &[KeyCode::Char('c'), KeyCode::Left, KeyCode::PageDown],
    );
}

#[test]
fn queue_overview_sorted() {
    snap(
        "overview",
        &[KeyCode::Char('o'), KeyCode::Char('l'), KeyCode::Char('s')],
    );
}

#[test]
fn help_from_the_keymap() {
    snap("help", &[KeyCode::Char('?')]);
}

#[test]
fn problems_empty() {
    snap("problems_none", &[KeyCode::Char('!')]);
}

fn app_with_problems(w: u16, h: u16) -> App {
    let mut ws = workspace();
    ws.problems.push(Problem::at(
        "sample-patients/p99-bad.toml",
        12,
        7,
        "lab.unit: 'mg/dl\u{1b}[2J' is not a known unit".into(),
    ));
    ws.problems
        .push(Problem::file("trials/broken.toml", "file is empty".into()));
    let mut app = App::new(ws, as_of());
    app.update(trialmatch::tui::Action::Resize {
        width: w,
        height: h,
    });
    app
}

#[test]
fn problems_with_file_and_line() {
    for (w, h) in SIZES {
        let mut app = app_with_problems(w, h);
        let status = screen(&app)[0].clone();
        assert!(status.contains("2 problems (press !)"), "{status}");
        press(&mut app, KeyCode::Char('!'));
        let text = screen_text(&app);
        assert!(text.contains("sample-patients/p99-bad.toml:12:7"));
        assert!(text.contains("\\u{1b}[2J"), "escape shown, not interpreted");
        insta::assert_snapshot!(format!("problems_{w}x{h}"), draw(&app, w, h).backend());
    }
}

#[test]
fn terminal_too_small_says_how_big_it_must_be() {
    let mut app = app_sized(50, 12);
    let t = draw(&app, 50, 12);
    insta::assert_snapshot!("too_small_50x12", t.backend());
    let text = screen_text(&app);
    assert!(text.contains("Terminal too small"));
    assert!(text.contains("50×12 now; trialmatch needs at least 60×16"));
    // Keys still work: q quits.
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quitting());
}

#[test]
fn control_characters_in_data_never_reach_the_screen() {
    let mut ws = workspace();
    let mut evil = ws.patients[0].clone();
    evil.data.id = "X\u{1b}[31mRED".into();
    evil.data.name = Some("Evil\u{7}\u{9b}Name\r\nNext".into());
    ws.patients.push(evil);
    let mut app = App::new(ws, as_of());
    app.update(trialmatch::tui::Action::Resize {
        width: 160,
        height: 48,
    });
    press(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "Evil");
    let screens = [
        screen(&app),
        {
            press(&mut app, KeyCode::Enter);
            press(&mut app, KeyCode::Char('o'));
            screen(&app)
        },
        {
            press(&mut app, KeyCode::Esc);
            press(&mut app, KeyCode::Char('m'));
            screen(&app)
        },
    ];
    for s in &screens {
        for line in s {
            assert!(
                !line.chars().any(char::is_control),
                "control char in {line:?}"
            );
        }
    }
    let text = screens[0].join("\n");
    assert!(text.contains("Evil\\u{7}\\u{9b}Name"), "{text}");
    assert!(text.contains("X\\u{1b}[31mRED"));
}

#[test]
fn no_color_uses_no_colour_but_keeps_glyphs_and_reverse_video() {
    let mut app = app_sized(80, 24).with_theme(Theme::pick(true));
    press(&mut app, KeyCode::Char('o'));
    let t = draw(&app, 80, 24);
    let buf = t.backend().buffer();
    let mut glyphs = 0;
    for c in buf.content() {
        assert!(
            matches!(c.fg, Color::Reset),
            "colour {:?} at {:?}",
            c.fg,
            c.symbol()
        );
        assert!(matches!(c.bg, Color::Reset));
        if matches!(c.symbol(), "✔" | "?" | "✖") {
            glyphs += 1;
        }
    }
    assert!(glyphs >= 4 * 17);
    // The selected row is in reverse video.
    let selected = buf.cell((3, 3)).map(|c| c.modifier);
    assert!(selected.is_some_and(|m| m.contains(ratatui::style::Modifier::REVERSED)));
    // With colour, verdicts are coloured.
    let coloured = app_sized(80, 24);
    let t = draw(&coloured, 80, 24);
    assert!(
        t.backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg == Color::Green)
    );
}

#[test]
fn long_lists_draw_only_what_fits_and_the_selection_shows() {
    let mut app = app();
    press(&mut app, KeyCode::Char('G'));
    let lines = screen(&app);
    let last = app.rows()[app.visible_patients()[app.visible_patients().len() - 1]]
        .id
        .clone();
    let first = app.rows()[app.visible_patients()[0]].id.clone();
    assert!(lines.iter().any(|l| l.contains(&format!("▶ {last}"))));
    assert!(
        !lines[3..15]
            .iter()
            .any(|l| l.contains(&format!(" {first} "))),
        "scrolled past the first"
    );
}

#[test]
fn an_empty_workspace_explains_itself_on_every_screen() {
    let mut app = App::new(trialmatch::load::Workspace::default(), as_of());
    app.update(trialmatch::tui::Action::Resize {
        width: 80,
        height: 24,
    });
    let main = screen_text(&app);
    assert!(main.contains("0 patients │ 0 studies │ 0 problems"));
    assert!(main.contains("No patients loaded."));
    for k in ['m', 'c', 'o', '?', '!', '/'] {
        press(&mut app, KeyCode::Char(k));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Down);
        let _ = screen(&app);
    }
    press(&mut app, KeyCode::Char('o'));
    assert!(screen_text(&app).contains("No patients loaded."));
    press(&mut app, KeyCode::Char('!'));
    assert!(screen_text(&app).contains("No problems: 0 studies and 0 patients loaded cleanly."));
}

/// The loading screen over fake progress counters, as the loading thread leaves them.
fn loading_screen(files: (usize, usize), evaluated: (usize, usize), w: u16, h: u16) -> String {
    use std::sync::atomic::Ordering;
    use trialmatch::load::Progress;
    use trialmatch::tui::loading::Loading;
    let progress = |(done, total): (usize, usize)| {
        let p = Progress::default();
        p.done.store(done, Ordering::Relaxed);
        p.total.store(total, Ordering::Relaxed);
        p
    };
    let (files, evaluated) = (progress(files), progress(evaluated));
    let screen = Loading {
        files: &files,
        evaluated: &evaluated,
        as_of: as_of(),
        theme: trialmatch::tui::theme::THEME,
    };
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h))
        .unwrap_or_else(|e| panic!("terminal: {e}"));
    t.draw(|f| f.render_widget(&screen, f.area()))
        .unwrap_or_else(|e| panic!("draw: {e}"));
    let name = format!(
        "loading_{}_of_{}_eval_{}_{w}x{h}",
        files.done.load(Ordering::Relaxed),
        files.total.load(Ordering::Relaxed),
        evaluated.done.load(Ordering::Relaxed)
    );
    insta::assert_snapshot!(name, t.backend());
    format!("{}", t.backend())
}

#[test]
fn the_loading_screen_shows_how_far_loading_has_got() {
    // Reading the files: how many of how many, with thousands separators and a bar.
    let s = loading_screen((3456, 10_000), (0, 0), 80, 24);
    assert!(s.contains("Loading patients 3,456 / 10,000…"), "{s}");
    assert!(s.contains("35%"), "{s}");
    assert!(
        s.contains("Evaluating patients: waiting for the files"),
        "{s}"
    );
    assert!(s.contains("q quit"), "{s}");
    assert!(s.contains("as of 2026-11-22"), "{s}");
    // Evaluating: the files stage is complete, the second shows its own count.
    let s = loading_screen((10_000, 10_000), (2500, 10_000), 160, 48);
    assert!(s.contains("Loading patients 10,000 / 10,000…"), "{s}");
    assert!(s.contains("Evaluating patients 2,500 / 10,000…"), "{s}");
    assert!(s.contains(" 25%"), "{s}");
    // Before the files are listed; and a terminal too small for the box still says something.
    let s = loading_screen((0, 0), (0, 0), 80, 24);
    assert!(s.contains("listing patient files"), "{s}");
    let s = loading_screen((5, 10), (0, 0), 40, 5);
    assert!(s.contains("Loading patients 5 / 10…"), "{s}");
}

/// The shipped files with a few worklist decisions, history times in UTC.
fn worklist_app(w: u16, h: u16) -> App {
    use trialmatch::worklist::Status;
    let base = app_sized(w, h);
    let (sle, chec, paed) = (
        trial_id(&base, "KN5501 SLE"),
        trial_id(&base, "CHEC CAR-NK AID"),
        trial_id(&base, "Paed CD19/BCMA"),
    );
    base.with_zone(chrono::FixedOffset::east_opt(0).unwrap_or_else(|| panic!("UTC")))
        .with_decisions(vec![
            decision(1, "P03", &sle, Status::Referred, "sent to Dr Li"),
            decision(2, "P03", &paed, Status::NotEligible, "adult"),
            decision(3, "P01", &chec, Status::Screening, ""),
            decision(4, "P08", &sle, Status::Referred, ""),
            decision(5, "P02", &chec, Status::DeclinedByPatient, "travel"),
        ])
}

/// Snapshots the worklist app at both sizes after `drive`.
fn snap_worklist(name: &str, drive: impl Fn(&mut App)) {
    for (w, h) in SIZES {
        let mut app = worklist_app(w, h);
        drive(&mut app);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&app, w, h).backend());
    }
}

/// P03's match table with the second study (Paed CD19/BCMA) highlighted.
fn to_p03_second_study(app: &mut App) {
    select(app, "P03");
    press(app, KeyCode::Enter);
    press(app, KeyCode::Down);
}

#[test]
fn worklist_statuses_in_the_match_table_and_list() {
    snap_worklist("worklist_matches", to_p03_second_study);
    let mut app = worklist_app(80, 24);
    to_p03_second_study(&mut app);
    let lines = screen(&app);
    let p03 = lines.iter().find(|l| l.contains("P03 Test")).cloned();
    // The cell beside "KN5501 SLE" shows that study's status, never the paediatric one's.
    assert!(
        p03.as_deref()
            .is_some_and(|l| l.contains("KN5501 SLE        referred +1")),
        "{p03:?}"
    );
    let paed = lines.iter().find(|l| l.contains("2 Paed CD19/BCMA"));
    assert!(paed.is_some_and(|l| l.contains("not eligible")), "{paed:?}");
}

#[test]
fn worklist_status_picker() {
    snap_worklist("worklist_picker", |app| {
        to_p03_second_study(app);
        press(app, KeyCode::Char('s'));
        press(app, KeyCode::Down);
    });
    let mut app = worklist_app(80, 24);
    to_p03_second_study(&mut app);
    press(&mut app, KeyCode::Char('s'));
    let text = screen_text(&app);
    assert!(text.contains("Status · P03 · Paed CD19/BCMA"), "{text}");
    assert!(text.contains("7 not eligible  ● current"), "{text}");
}

#[test]
fn worklist_note_input() {
    snap_worklist("worklist_note", |app| {
        to_p03_second_study(app);
        press(app, KeyCode::Char('s'));
        press(app, KeyCode::Char('4'));
        type_str(app, "sent to Dr Li — réponse 中");
        press(app, KeyCode::Left);
    });
}

#[test]
fn worklist_history_screen() {
    use trialmatch::tui::worklist::Outcome;
    use trialmatch::worklist::Status;
    snap_worklist("worklist_history", |app| {
        to_p03_second_study(app);
        press(app, KeyCode::Char('H'));
        let p = patient_index(app, "P03");
        let (sle, paed) = (trial_id(app, "KN5501 SLE"), trial_id(app, "Paed CD19/BCMA"));
        app.receive(Outcome::History {
            patient: p,
            result: Ok(vec![
                decision(1, "P03", &sle, Status::Screening, "labs requested"),
                decision(
                    2,
                    "P03",
                    &paed,
                    Status::NotEligible,
                    "adult: the study is for children",
                ),
                decision(
                    3,
                    "P03",
                    &sle,
                    Status::Referred,
                    "sent to Dr Li with the latest labs; she will call the patient \
                     about a screening visit in the first week of December",
                ),
            ]),
        });
        press(app, KeyCode::Up);
    });
    let mut app = worklist_app(80, 24);
    to_p03_second_study(&mut app);
    press(&mut app, KeyCode::Char('H'));
    let p = patient_index(&app, "P03");
    app.receive(Outcome::History {
        patient: p,
        result: Ok(vec![decision(
            90,
            "P03",
            &trial_id(&app, "KN5501 SLE"),
            Status::Referred,
            "x",
        )]),
    });
    let text = screen_text(&app);
    assert!(
        text.contains("2026-11-22 10:30"),
        "local (here UTC) time:\n{text}"
    );
    assert!(text.contains("KN5501 SLE"));
}

#[test]
fn worklist_overview_and_status_filter() {
    snap_worklist("worklist_overview", |app| press(app, KeyCode::Char('o')));
    snap_worklist("worklist_filter_picker", |app| {
        press(app, KeyCode::Char('S'));
    });
    snap_worklist("worklist_status_filter", |app| {
        press(app, KeyCode::Char('S'));
        press(app, KeyCode::Char('4'));
    });
    snap_worklist("worklist_status_filter_overview", |app| {
        press(app, KeyCode::Char('S'));
        press(app, KeyCode::Char('4'));
        press(app, KeyCode::Char('o'));
    });
}

/// Keys that reach each context of the keymap from the start.
const CONTEXTS: [(Context, &[KeyCode]); 14] = [
    (Context::List(List::Patients), &[]),
    (Context::List(List::Matches), &[KeyCode::Enter]),
    (Context::Filter, &[KeyCode::Char('/')]),
    (
        Context::List(List::Criteria),
        &[KeyCode::Enter, KeyCode::Enter],
    ),
    (Context::List(List::Missing), &[KeyCode::Char('m')]),
    (Context::List(List::Contacts), &[KeyCode::Char('c')]),
    (Context::List(List::Overview), &[KeyCode::Char('o')]),
    (Context::List(List::Help), &[KeyCode::Char('?')]),
    (Context::List(List::Problems), &[KeyCode::Char('!')]),
    (Context::List(List::History), &[KeyCode::Char('H')]),
    (Context::List(List::Funnel), &[KeyCode::Char('F')]),
    (Context::Picker, &[KeyCode::Enter, KeyCode::Char('s')]),
    (
        Context::Note,
        &[KeyCode::Enter, KeyCode::Char('s'), KeyCode::Char('1')],
    ),
    (Context::Form, &[KeyCode::Char('N')]),
];

/// The footer line of `app` drawn at its size.
fn footer_line(app: &App) -> String {
    screen(app).last().cloned().unwrap_or_default()
}

#[test]
fn at_120_columns_the_footer_shows_every_key_it_promises() {
    let covered: Vec<Context> = CONTEXTS.iter().map(|(c, _)| *c).collect();
    for c in keymap::contexts() {
        assert!(
            c == Context::Global || covered.contains(&c),
            "{c:?} not checked"
        );
    }
    for (ctx, keys) in CONTEXTS {
        let mut app = app_sized(120, 40);
        for k in keys {
            press(&mut app, *k);
        }
        assert_eq!(app.context(), ctx);
        let line = footer_line(&app);
        for (k, l) in keymap::footer(ctx) {
            assert!(
                line.contains(&format!("{k} {l}")),
                "{ctx:?}: \"{k} {l}\" not in the footer at 120 columns:\n{line}"
            );
        }
        assert!(!line.contains('…'), "{ctx:?}: {line}");
    }
}

#[test]
fn a_narrow_footer_says_it_left_keys_out() {
    for (ctx, keys) in CONTEXTS {
        let mut app = app_sized(80, 24);
        for k in keys {
            press(&mut app, *k);
        }
        let line = footer_line(&app);
        let all = keymap::footer(ctx)
            .iter()
            .all(|(k, l)| line.contains(&format!("{k} {l}")));
        assert!(all || line.contains('…'), "{ctx:?} cut silently: {line}");
        assert!(
            line.contains("? help") || ctx.takes_globals().not(),
            "{line}"
        );
    }
}

#[test]
fn recruitment_is_shown_beside_the_verdict_on_the_list_table_and_overview() {
    // As of 2026-11-22 only KN5501 SLE is stated recruiting: CHEC's and NCT06613490's end dates
    // have passed and the paediatric study states no status.
    let mut app = app_sized(80, 24);
    let lines = screen(&app);
    let row = |id: &str| {
        lines
            .iter()
            .find(|l| l.contains(&format!("{id} Test")))
            .cloned()
    };
    assert!(
        row("P01").is_some_and(|l| l.contains("✔ CHEC CAR-NK AID ⊘")),
        "{lines:?}"
    );
    let p03 = row("P03").unwrap_or_default();
    assert!(p03.contains("✔ KN5501 SLE") && !p03.contains('⊘'), "{p03}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("⊘ not recruiting on 2026-11-22"))
    );
    // The match table: the mark beside each study but the recruiting one, the words beside.
    let table: Vec<&String> = lines.iter().filter(|l| l.contains("% —")).collect();
    assert_eq!(
        table.iter().filter(|l| l.contains('⊘')).count(),
        3,
        "{table:?}"
    );
    // The overview: the mark in the column headers and the column's status in words.
    press(&mut app, KeyCode::Char('o'));
    let text = screen_text(&app);
    let head = text.lines().nth(2).unwrap_or_default();
    assert_eq!(head.matches('⊘').count(), 3, "{head}");
    assert!(
        text.contains("CHEC CAR-NK AID · ⊘ end date 2026-06-30 passed"),
        "{text}"
    );
    press(&mut app, KeyCode::Right);
    assert!(screen_text(&app).contains("KN5501 SLE · recruiting ·"));
}
