//! Layer 2: key → Action, per context, read from the one keymap table; and the footer and
//! help screen generated from that same table.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use trialmatch::tui::Action;
use trialmatch::tui::app::{List, Screen};
use trialmatch::tui::input::Edit;
use trialmatch::tui::keymap::{Context, KEYMAP, action_for, footer, help_rows};

fn key(code: KeyCode) -> KeyEvent {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() || "?!".contains(c) => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    KeyEvent::new(code, mods)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn act(ctx: Context, code: KeyCode) -> Option<Action> {
    action_for(ctx, &key(code))
}

#[test]
fn navigation_works_in_every_list_context_with_arrows_and_vim_keys() {
    for ctx in [
        Context::List(List::Patients),
        Context::List(List::Matches),
        Context::List(List::Criteria),
        Context::List(List::Missing),
        Context::List(List::Contacts),
        Context::List(List::Overview),
        Context::List(List::Help),
        Context::List(List::Problems),
    ] {
        assert_eq!(act(ctx, KeyCode::Down), Some(Action::Down), "{ctx:?}");
        assert_eq!(act(ctx, KeyCode::Char('j')), Some(Action::Down), "{ctx:?}");
        assert_eq!(act(ctx, KeyCode::Up), Some(Action::Up), "{ctx:?}");
        assert_eq!(act(ctx, KeyCode::Char('k')), Some(Action::Up), "{ctx:?}");
        assert_eq!(
            act(ctx, KeyCode::PageDown),
            Some(Action::PageDown),
            "{ctx:?}"
        );
        assert_eq!(act(ctx, KeyCode::PageUp), Some(Action::PageUp), "{ctx:?}");
        assert_eq!(act(ctx, KeyCode::Home), Some(Action::Top), "{ctx:?}");
        assert_eq!(act(ctx, KeyCode::Char('g')), Some(Action::Top), "{ctx:?}");
        assert_eq!(act(ctx, KeyCode::End), Some(Action::Bottom), "{ctx:?}");
        assert_eq!(
            act(ctx, KeyCode::Char('G')),
            Some(Action::Bottom),
            "{ctx:?}"
        );
        // In the help `q` closes the help; everywhere else it quits.
        let q = if ctx == Context::List(List::Help) {
            Action::Back
        } else {
            Action::Quit
        };
        assert_eq!(act(ctx, KeyCode::Char('q')), Some(q), "{ctx:?}");
        assert_eq!(action_for(ctx, &ctrl('c')), Some(Action::Quit), "{ctx:?}");
        assert_eq!(
            act(ctx, KeyCode::Char('?')),
            Some(Action::Show(Screen::Help)),
            "{ctx:?}"
        );
        assert_eq!(
            act(ctx, KeyCode::Char('!')),
            Some(Action::Show(Screen::Problems)),
            "{ctx:?}"
        );
        assert_eq!(
            act(ctx, KeyCode::Char('o')),
            Some(Action::Show(Screen::Overview)),
            "{ctx:?}"
        );
        assert_eq!(
            act(ctx, KeyCode::Char('m')),
            Some(Action::Show(Screen::Missing)),
            "{ctx:?}"
        );
        assert_eq!(
            act(ctx, KeyCode::Char('c')),
            Some(Action::Show(Screen::Contacts)),
            "{ctx:?}"
        );
        assert_eq!(act(ctx, KeyCode::Esc), Some(Action::Back), "{ctx:?}");
    }
}

#[test]
fn patient_list_keys() {
    let c = Context::List(List::Patients);
    assert_eq!(act(c, KeyCode::Enter), Some(Action::Open));
    assert_eq!(act(c, KeyCode::Right), Some(Action::Open));
    assert_eq!(act(c, KeyCode::Char('l')), Some(Action::Open));
    assert_eq!(act(c, KeyCode::Tab), Some(Action::NextPane));
    assert_eq!(
        action_for(c, &KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        Some(Action::PrevPane)
    );
    assert_eq!(act(c, KeyCode::Char('/')), Some(Action::Filter));
    assert_eq!(
        act(c, KeyCode::Char('f')),
        None,
        "f means nothing in the list"
    );
}

#[test]
fn match_table_keys() {
    let c = Context::List(List::Matches);
    assert_eq!(act(c, KeyCode::Enter), Some(Action::Open));
    assert_eq!(act(c, KeyCode::Left), Some(Action::Left));
    assert_eq!(act(c, KeyCode::Char('h')), Some(Action::Left));
    assert_eq!(act(c, KeyCode::Tab), Some(Action::NextPane));
    assert_eq!(act(c, KeyCode::Char('/')), Some(Action::Filter));
}

#[test]
fn typing_a_filter_takes_letters_that_are_commands_elsewhere() {
    let c = Context::Filter;
    for ch in ['q', 'j', 'k', 'm', 'c', 'o', '?', '!', 'G', '/', ' '] {
        assert_eq!(
            act(c, KeyCode::Char(ch)),
            Some(Action::FilterInput(ch)),
            "{ch:?}"
        );
    }
    assert_eq!(act(c, KeyCode::Esc), Some(Action::FilterClear));
    assert_eq!(act(c, KeyCode::Enter), Some(Action::FilterAccept));
    assert_eq!(act(c, KeyCode::Backspace), Some(Action::FilterBackspace));
    assert_eq!(act(c, KeyCode::Down), Some(Action::Down));
    assert_eq!(act(c, KeyCode::Up), Some(Action::Up));
    assert_eq!(
        action_for(c, &ctrl('c')),
        Some(Action::Quit),
        "Ctrl-C always quits"
    );
    assert_eq!(
        act(c, KeyCode::PageDown),
        None,
        "global keys are off while typing"
    );
}

#[test]
fn criteria_keys() {
    let c = Context::List(List::Criteria);
    assert_eq!(act(c, KeyCode::Char('f')), Some(Action::OnlyFailing));
    assert_eq!(act(c, KeyCode::Char('u')), Some(Action::OnlyUnknown));
    assert_eq!(act(c, KeyCode::Char('a')), Some(Action::AllCriteria));
    assert_eq!(act(c, KeyCode::Char('h')), Some(Action::Left));
    assert_eq!(act(c, KeyCode::Left), Some(Action::Left));
    assert_eq!(act(c, KeyCode::Char('l')), Some(Action::Right));
    assert_eq!(act(c, KeyCode::Right), Some(Action::Right));
    assert_eq!(act(c, KeyCode::Tab), Some(Action::Right));
    assert_eq!(act(c, KeyCode::Char('/')), None);
}

#[test]
fn overview_contacts_and_missing_keys() {
    assert_eq!(
        act(Context::List(List::Overview), KeyCode::Char('s')),
        Some(Action::Sort)
    );
    assert_eq!(
        act(Context::List(List::Overview), KeyCode::Char('l')),
        Some(Action::Right)
    );
    assert_eq!(
        act(Context::List(List::Overview), KeyCode::Char('h')),
        Some(Action::Left)
    );
    assert_eq!(
        act(Context::List(List::Overview), KeyCode::Enter),
        Some(Action::Open)
    );
    assert_eq!(
        act(Context::List(List::Overview), KeyCode::Char('/')),
        Some(Action::Filter)
    );
    assert_eq!(
        act(Context::List(List::Contacts), KeyCode::Right),
        Some(Action::Right)
    );
    assert_eq!(
        act(Context::List(List::Contacts), KeyCode::Char('h')),
        Some(Action::Left)
    );
    assert_eq!(
        act(Context::List(List::Missing), KeyCode::Enter),
        Some(Action::Open)
    );
    assert_eq!(
        act(Context::List(List::Missing), KeyCode::Char('a')),
        Some(Action::RuledOutFacts),
        "a shows (again: folds) the facts only for studies already ruled out"
    );
    assert_eq!(act(Context::List(List::Help), KeyCode::Enter), None);
    assert_eq!(act(Context::List(List::Problems), KeyCode::Char('s')), None);
}

#[test]
fn modifiers_are_not_ignored() {
    let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
    assert_eq!(action_for(Context::List(List::Patients), &ctrl_j), None);
    let alt_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::ALT);
    assert_eq!(action_for(Context::List(List::Patients), &alt_q), None);
    assert_eq!(
        action_for(Context::Filter, &alt_q),
        None,
        "Alt-q is not typed"
    );
}

#[test]
fn no_key_is_bound_twice_in_one_context() {
    for (i, a) in KEYMAP.iter().enumerate() {
        for b in &KEYMAP[i + 1..] {
            if a.context != b.context {
                continue;
            }
            for k in a.keys {
                assert!(!b.keys.contains(k), "{k:?} bound twice in {:?}", a.context);
            }
        }
    }
}

#[test]
fn every_keyboard_action_has_a_key_and_a_description() {
    let wanted = [
        Action::Quit,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Left,
        Action::Right,
        Action::NextPane,
        Action::PrevPane,
        Action::Open,
        Action::Back,
        Action::Filter,
        Action::FilterBackspace,
        Action::FilterAccept,
        Action::FilterClear,
        Action::Show(Screen::Missing),
        Action::Show(Screen::Contacts),
        Action::Show(Screen::Overview),
        Action::Show(Screen::Help),
        Action::Show(Screen::Problems),
        Action::OnlyFailing,
        Action::OnlyUnknown,
        Action::AllCriteria,
        Action::RuledOutFacts,
        Action::Sort,
        Action::SetStatus,
        Action::AddNote,
        Action::Show(Screen::History),
        Action::HistoryScope,
        Action::Export,
        Action::StatusFilter,
        Action::Confirm,
        Action::Cancel,
        Action::Edit(Edit::Left),
        Action::Edit(Edit::Right),
        Action::Edit(Edit::Home),
        Action::Edit(Edit::End),
        Action::Edit(Edit::Backspace),
        Action::Edit(Edit::Delete),
        Action::Edit(Edit::ClearToStart),
    ];
    for a in wanted {
        assert!(KEYMAP.iter().any(|b| b.action == a), "{a:?} has no key");
    }
    assert!(
        KEYMAP
            .iter()
            .any(|b| matches!(b.action, Action::FilterInput(_)))
    );
    assert!(
        KEYMAP
            .iter()
            .all(|b| !b.description.is_empty() && !b.keys.is_empty())
    );
}

#[test]
fn help_lists_every_binding_grouped_by_context() {
    let rows = help_rows();
    assert_eq!(rows.len(), KEYMAP.len());
    assert_eq!(rows[0].0, Context::Global);
    assert!(
        rows.iter()
            .any(|(c, k, d)| *c == Context::Global && k == "q Ctrl-C" && *d == "quit trialmatch")
    );
    assert!(
        rows.iter()
            .any(|(c, k, _)| *c == Context::List(List::Criteria) && k == "f")
    );
    assert!(
        rows.iter()
            .any(|(c, k, _)| *c == Context::Filter && k == "any key")
    );
    // Grouped: once a context's rows end, it does not come back.
    let mut seen = Vec::new();
    for (c, _, _) in &rows {
        if seen.last() != Some(c) {
            assert!(!seen.contains(c), "{c:?} split in the help");
            seen.push(*c);
        }
    }
}

#[test]
fn footer_shows_the_context_keys_first_then_global_ones() {
    let f = footer(Context::List(List::Criteria));
    let labels: Vec<(&str, &str)> = f.iter().map(|(k, l)| (k.as_str(), *l)).collect();
    assert_eq!(
        &labels[..4],
        &[
            ("f", "failing"),
            ("u", "unknown"),
            ("←→", "cohort"),
            ("s", "status")
        ]
    );
    assert!(labels.contains(&("?", "help")));
    assert!(labels.contains(&("q", "quit")));
    let p = footer(Context::List(List::Patients));
    assert_eq!(p[0], ("Enter".to_string(), "studies"));
    assert!(p.iter().any(|(k, l)| k == "/" && *l == "filter"));
    let typing = footer(Context::Filter);
    assert!(
        typing.iter().all(|(_, l)| *l != "help"),
        "no global keys while typing"
    );
    assert!(typing.iter().any(|(k, l)| k == "Esc" && *l == "clear"));
}

#[test]
fn worklist_keys_in_the_list_match_table_drill_down_and_overview() {
    let (p, m, cr, o) = (
        Context::List(List::Patients),
        Context::List(List::Matches),
        Context::List(List::Criteria),
        Context::List(List::Overview),
    );
    assert_eq!(act(m, KeyCode::Char('s')), Some(Action::SetStatus));
    assert_eq!(act(m, KeyCode::Char('n')), Some(Action::AddNote));
    assert_eq!(act(m, KeyCode::Char('e')), Some(Action::Export));
    assert_eq!(act(m, KeyCode::Char('S')), Some(Action::StatusFilter));
    assert_eq!(act(cr, KeyCode::Char('s')), Some(Action::SetStatus));
    assert_eq!(act(cr, KeyCode::Char('n')), Some(Action::AddNote));
    assert_eq!(act(cr, KeyCode::Char('e')), Some(Action::Export));
    assert_eq!(act(p, KeyCode::Char('s')), Some(Action::SetStatus));
    assert_eq!(act(p, KeyCode::Char('S')), Some(Action::StatusFilter));
    // In the list, n and e act on the selected patient's highlighted study, as s does.
    assert_eq!(act(p, KeyCode::Char('n')), Some(Action::AddNote));
    assert_eq!(act(p, KeyCode::Char('e')), Some(Action::Export));
    assert_eq!(act(o, KeyCode::Char('S')), Some(Action::StatusFilter));
    assert_eq!(
        act(o, KeyCode::Char('s')),
        Some(Action::Sort),
        "s still sorts"
    );
    for ctx in [
        p,
        m,
        cr,
        o,
        Context::List(List::Missing),
        Context::List(List::Contacts),
        Context::List(List::Help),
    ] {
        assert_eq!(
            act(ctx, KeyCode::Char('H')),
            Some(Action::Show(Screen::History)),
            "{ctx:?}"
        );
    }
    assert_eq!(
        act(Context::List(List::History), KeyCode::Char('a')),
        Some(Action::HistoryScope)
    );
    assert_eq!(
        act(Context::List(List::History), KeyCode::Esc),
        Some(Action::Back)
    );
    assert_eq!(
        act(Context::List(List::History), KeyCode::Down),
        Some(Action::Down)
    );
}

#[test]
fn the_picker_takes_arrows_numbers_enter_and_esc_and_nothing_global() {
    let c = Context::Picker;
    assert_eq!(act(c, KeyCode::Down), Some(Action::Down));
    assert_eq!(act(c, KeyCode::Char('j')), Some(Action::Down));
    assert_eq!(act(c, KeyCode::Up), Some(Action::Up));
    assert_eq!(act(c, KeyCode::Char('k')), Some(Action::Up));
    assert_eq!(act(c, KeyCode::Enter), Some(Action::Confirm));
    assert_eq!(act(c, KeyCode::Esc), Some(Action::Cancel));
    for (ch, n) in [('1', 1), ('4', 4), ('8', 8), ('9', 9), ('0', 0)] {
        assert_eq!(act(c, KeyCode::Char(ch)), Some(Action::Pick(n)), "{ch}");
    }
    for ch in ['q', 'o', 'm', '?', 'H'] {
        assert_eq!(act(c, KeyCode::Char(ch)), None, "{ch} is not global here");
    }
    assert_eq!(action_for(c, &ctrl('c')), Some(Action::Quit));
}

#[test]
fn the_note_types_every_character_and_edits_with_readline_keys() {
    let c = Context::Note;
    for ch in ['q', 's', 'j', 'H', '?', '!', '/', ' ', '1', 'é', '中'] {
        assert_eq!(
            act(c, KeyCode::Char(ch)),
            Some(Action::Edit(Edit::Insert(ch))),
            "{ch:?}"
        );
    }
    assert_eq!(act(c, KeyCode::Left), Some(Action::Edit(Edit::Left)));
    assert_eq!(act(c, KeyCode::Right), Some(Action::Edit(Edit::Right)));
    assert_eq!(act(c, KeyCode::Home), Some(Action::Edit(Edit::Home)));
    assert_eq!(act(c, KeyCode::End), Some(Action::Edit(Edit::End)));
    assert_eq!(action_for(c, &ctrl('a')), Some(Action::Edit(Edit::Home)));
    assert_eq!(action_for(c, &ctrl('e')), Some(Action::Edit(Edit::End)));
    assert_eq!(
        action_for(c, &ctrl('u')),
        Some(Action::Edit(Edit::ClearToStart))
    );
    assert_eq!(
        act(c, KeyCode::Backspace),
        Some(Action::Edit(Edit::Backspace))
    );
    assert_eq!(act(c, KeyCode::Delete), Some(Action::Edit(Edit::Delete)));
    assert_eq!(act(c, KeyCode::Enter), Some(Action::Confirm));
    assert_eq!(act(c, KeyCode::Esc), Some(Action::Cancel));
    assert_eq!(
        act(c, KeyCode::PageDown),
        None,
        "no global keys while typing"
    );
    assert_eq!(action_for(c, &ctrl('c')), Some(Action::Quit));
    assert_eq!(
        action_for(c, &KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT)),
        None
    );
}

#[test]
fn the_main_screen_footer_shows_the_status_key_and_help_lists_the_worklist() {
    let p = footer(Context::List(List::Patients));
    assert_eq!(p[1], ("s".to_string(), "status"), "{p:?}");
    assert!(p.iter().any(|(k, l)| k == "S" && *l == "by status"));
    let m = footer(Context::List(List::Matches));
    let first: Vec<(&str, &str)> = m.iter().take(4).map(|(k, l)| (k.as_str(), *l)).collect();
    assert_eq!(
        first,
        vec![
            ("Enter", "criteria"),
            ("s", "status"),
            ("n", "note"),
            ("e", "export")
        ]
    );
    let note = footer(Context::Note);
    let note: Vec<(&str, &str)> = note.iter().map(|(k, l)| (k.as_str(), *l)).collect();
    assert_eq!(
        note,
        vec![
            ("Enter", "save"),
            ("Esc", "cancel"),
            ("←→", "move"),
            ("Ctrl-U", "clear")
        ]
    );
    let rows = help_rows();
    for (ctx, keys, desc) in [
        (
            Context::List(List::Matches),
            "s",
            "set the worklist status of the study (then a note)",
        ),
        (
            Context::Global,
            "H",
            "worklist history of the selected patient",
        ),
        (
            Context::Picker,
            "1 2 3 4 5 6 7 8 9 0",
            "choose the entry with that number",
        ),
        (Context::Note, "Home Ctrl-A", "cursor to the start"),
    ] {
        assert!(
            rows.iter()
                .any(|(c, k, d)| *c == ctx && k == keys && *d == desc),
            "{ctx:?} {keys}"
        );
    }
}

#[test]
fn q_in_the_help_closes_it_instead_of_quitting() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use trialmatch::tui::Action;
    use trialmatch::tui::app::List;
    use trialmatch::tui::keymap::{Context, action_for};
    let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(
        action_for(Context::List(List::Help), &q),
        Some(Action::Back)
    );
    assert_eq!(
        action_for(Context::List(List::Patients), &q),
        Some(Action::Quit)
    );
}
