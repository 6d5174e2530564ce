//! The ONE table of key bindings. The key handler (`action_for`), the footer (`footer`) and the
//! help screen (`help_rows`) all read `KEYMAP`, so what the screen says is what the keys do.
//! The help lists the contexts in the order the table first binds a key in them. The keys that
//! open a screen are declared with the screens (`app/screen.rs`) and placed in the table here.
//!
//! This file is longer than the others (about 1000 lines) because it is a data table: some 110
//! bindings, most of which rustfmt lays out over seven lines each. Splitting the table would
//! split the one place every key is read from; the code around it is about 200 lines.

use crate::tui::action::Action;
use crate::tui::app::{List, OPENING_KEYS};
use crate::tui::input::Edit;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a key is pressed. `Global` bindings apply everywhere except while typing (a filter,
/// a note) or choosing in a picker; a context's own bindings win over global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Global,
    /// A list (or text) of a screen has the keys.
    List(List),
    /// Typing a filter.
    Filter,
    /// Choosing in a picker.
    Picker,
    /// Typing a note.
    Note,
    /// Filling in the entry form (a missing fact, ask-next, a new referral).
    Form,
}

impl Context {
    /// Whether the global bindings apply: not while typing or choosing.
    pub fn takes_globals(self) -> bool {
        match self {
            Context::Global | Context::List(_) => true,
            Context::Filter | Context::Picker | Context::Note | Context::Form => false,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List(l) => l.title(),
            Context::Filter => "Typing a filter",
            Context::Picker => "Choosing a status",
            Context::Note => "Typing a note",
            Context::Form => "Filling in a form (a fact, ask-next, a referral)",
        }
    }
}

/// A key as written in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A key without Ctrl or Alt (Shift is part of the character: `G`, `?`).
    Code(KeyCode),
    /// Ctrl plus a letter.
    Ctrl(char),
    /// Any printable character (typed into the filter or a note).
    AnyChar,
}

/// One row of the keymap.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub context: Context,
    pub action: Action,
    /// The help screen's text.
    pub description: &'static str,
    /// A short label for the footer; empty = help screen only. Consecutive bindings with the
    /// same label share one footer entry ("↑↓ move").
    pub footer: &'static str,
}

const fn ch(c: char) -> Key {
    Key::Code(KeyCode::Char(c))
}
const UP: Key = Key::Code(KeyCode::Up);
const DOWN: Key = Key::Code(KeyCode::Down);
const LEFT: Key = Key::Code(KeyCode::Left);
const RIGHT: Key = Key::Code(KeyCode::Right);
const ENTER: Key = Key::Code(KeyCode::Enter);
const ESC: Key = Key::Code(KeyCode::Esc);
const TAB: Key = Key::Code(KeyCode::Tab);
const BACKTAB: Key = Key::Code(KeyCode::BackTab);
const HOME: Key = Key::Code(KeyCode::Home);
const END: Key = Key::Code(KeyCode::End);
const BACKSPACE: Key = Key::Code(KeyCode::Backspace);
/// Suspends everywhere, also while typing or choosing, as in any terminal program.
const CTRL_Z: Key = Key::Ctrl('z');
const SUSPEND: &str = "suspend to the shell (fg resumes)";
/// The picker's number keys.
const DIGITS: &[Key] = &[
    ch('1'),
    ch('2'),
    ch('3'),
    ch('4'),
    ch('5'),
    ch('6'),
    ch('7'),
    ch('8'),
    ch('9'),
    ch('0'),
];

pub(in crate::tui) const fn b(
    context: Context,
    keys: &'static [Key],
    action: Action,
    description: &'static str,
    footer: &'static str,
) -> Binding {
    Binding {
        keys,
        context,
        action,
        description,
        footer,
    }
}

use Context as C;
use List as L;

/// Every key binding of the UI: the moves and Esc, the keys that open screens (declared with
/// the screens, `app::screen::OPENING_KEYS`), then the rest.
pub const KEYMAP: &[Binding] = &TABLE;

const TABLE: [Binding; MOVES.len() + OPENING_KEYS.len() + REST.len()] =
    concat([MOVES, OPENING_KEYS, REST]);

/// The parts of the table one after the other (a constant: the table is built by the compiler).
const fn concat<const N: usize>(parts: [&[Binding]; 3]) -> [Binding; N] {
    let filler = b(Context::Global, &[], Action::Quit, "", "");
    let mut out = [filler; N];
    let (mut n, mut p) = (0, 0);
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[n] = parts[p][i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(n == N, "the table's length is the sum of its parts");
    out
}

/// The moves and Esc, everywhere (except while typing a filter).
const MOVES: &[Binding] = &[
    b(C::Global, &[UP, ch('k')], Action::Up, "move up one row", ""),
    b(
        C::Global,
        &[DOWN, ch('j')],
        Action::Down,
        "move down one row",
        "",
    ),
    b(
        C::Global,
        &[Key::Code(KeyCode::PageUp)],
        Action::PageUp,
        "move up one page",
        "",
    ),
    b(
        C::Global,
        &[Key::Code(KeyCode::PageDown)],
        Action::PageDown,
        "move down one page",
        "",
    ),
    b(
        C::Global,
        &[Key::Code(KeyCode::Home), ch('g')],
        Action::Top,
        "jump to the first row",
        "",
    ),
    b(
        C::Global,
        &[Key::Code(KeyCode::End), ch('G')],
        Action::Bottom,
        "jump to the last row",
        "",
    ),
    b(
        C::Global,
        &[ESC],
        Action::Back,
        "go back: close screen, leave table, clear filter",
        "back",
    ),
];

/// The rest of the table, after the keys that open screens.
const REST: &[Binding] = &[
    b(
        C::Global,
        &[ch('q'), Key::Ctrl('c')],
        Action::Quit,
        "quit trialmatch",
        "quit",
    ),
    b(C::Global, &[CTRL_Z], Action::Suspend, SUSPEND, ""),
    // Patient list.
    b(
        C::List(L::Patients),
        &[ENTER, RIGHT, ch('l')],
        Action::Open,
        "show the selected patient's studies",
        "studies",
    ),
    // The worklist keys act on the selected patient and the study highlighted in the match
    // table (the best match unless another was chosen there); the focus stays in the list.
    b(
        C::List(L::Patients),
        &[ch('s')],
        Action::SetStatus,
        "set the status of the patient's highlighted study (then a note)",
        "status",
    ),
    b(
        C::List(L::Patients),
        &[ch('n')],
        Action::AddNote,
        "add a note to the patient's highlighted study, keeping its status",
        "",
    ),
    b(
        C::List(L::Patients),
        &[ch('e')],
        Action::Export,
        "write the referral summary of the patient's highlighted study",
        "",
    ),
    b(
        C::List(L::Patients),
        &[ch('S')],
        Action::StatusFilter,
        "show only patients with a study in a status",
        "by status",
    ),
    b(
        C::List(L::Patients),
        &[TAB],
        Action::NextPane,
        "switch to the match table",
        "",
    ),
    b(
        C::List(L::Patients),
        &[BACKTAB],
        Action::PrevPane,
        "switch to the match table",
        "",
    ),
    b(
        C::List(L::Patients),
        &[ch('/')],
        Action::Filter,
        "filter patients (fuzzy: name, id, diagnosis, study)",
        "filter",
    ),
    b(
        C::List(L::Patients),
        &[ch('A')],
        Action::AskNext,
        "ask next: a form for each missing fact of the patient, most decisive first",
        "",
    ),
    b(
        C::List(L::Patients),
        &[ch('N')],
        Action::NewReferral,
        "new referral: id, name, birth date, sex, referrer, diagnosis (no file needed)",
        "",
    ),
    // Match table.
    b(
        C::List(L::Matches),
        &[ENTER],
        Action::Open,
        "criteria of the selected study",
        "criteria",
    ),
    b(
        C::List(L::Matches),
        &[ch('s')],
        Action::SetStatus,
        "set the worklist status of the study (then a note)",
        "status",
    ),
    b(
        C::List(L::Matches),
        &[ch('n')],
        Action::AddNote,
        "add a note to the study, keeping its status",
        "note",
    ),
    b(
        C::List(L::Matches),
        &[ch('e')],
        Action::Export,
        "write the study's referral summary (Markdown)",
        "export",
    ),
    b(
        C::List(L::Matches),
        &[ch('A')],
        Action::AskNext,
        "ask next: a form for each missing fact of the patient, most decisive first",
        "",
    ),
    b(
        C::List(L::Matches),
        &[ch('S')],
        Action::StatusFilter,
        "show only patients with a study in a status",
        "",
    ),
    // Esc (in the footer as "back") leaves the table as well.
    b(
        C::List(L::Matches),
        &[LEFT, ch('h')],
        Action::Left,
        "back to the patient list",
        "",
    ),
    b(
        C::List(L::Matches),
        &[TAB],
        Action::NextPane,
        "switch to the patient list",
        "",
    ),
    b(
        C::List(L::Matches),
        &[BACKTAB],
        Action::PrevPane,
        "switch to the patient list",
        "",
    ),
    b(
        C::List(L::Matches),
        &[ch('/')],
        Action::Filter,
        "filter patients",
        "",
    ),
    // Typing a filter.
    b(C::Filter, &[UP], Action::Up, "move up while filtering", ""),
    b(
        C::Filter,
        &[DOWN],
        Action::Down,
        "move down while filtering",
        "",
    ),
    b(
        C::Filter,
        &[ENTER],
        Action::FilterAccept,
        "keep the filter and stop typing",
        "keep",
    ),
    b(
        C::Filter,
        &[ESC],
        Action::FilterClear,
        "clear the filter",
        "clear",
    ),
    b(
        C::Filter,
        &[BACKSPACE],
        Action::FilterBackspace,
        "delete a character",
        "delete",
    ),
    b(
        C::Filter,
        &[Key::Ctrl('c')],
        Action::Quit,
        "quit trialmatch",
        "",
    ),
    b(C::Filter, &[CTRL_Z], Action::Suspend, SUSPEND, ""),
    b(
        C::Filter,
        &[Key::AnyChar],
        Action::FilterInput(' '),
        "type to filter",
        "type",
    ),
    // Criteria.
    b(
        C::List(L::Criteria),
        &[ch('f')],
        Action::OnlyFailing,
        "only failing criteria (again: all)",
        "failing",
    ),
    b(
        C::List(L::Criteria),
        &[ch('u')],
        Action::OnlyUnknown,
        "only unknown criteria (again: all)",
        "unknown",
    ),
    b(
        C::List(L::Criteria),
        &[ch('a')],
        Action::AllCriteria,
        "all criteria",
        "",
    ),
    b(
        C::List(L::Criteria),
        &[LEFT, ch('h')],
        Action::Left,
        "previous cohort",
        "cohort",
    ),
    b(
        C::List(L::Criteria),
        &[RIGHT, ch('l'), TAB],
        Action::Right,
        "next cohort",
        "cohort",
    ),
    b(
        C::List(L::Criteria),
        &[ch('s')],
        Action::SetStatus,
        "set the worklist status of this study (then a note)",
        "status",
    ),
    b(
        C::List(L::Criteria),
        &[ch('n')],
        Action::AddNote,
        "add a note to this study, keeping its status",
        "",
    ),
    b(
        C::List(L::Criteria),
        &[ch('e')],
        Action::Export,
        "write this study's referral summary (Markdown)",
        "",
    ),
    b(
        C::List(L::Criteria),
        &[ch('i')],
        Action::Answer,
        "answer the selected unknown criterion's first missing fact (a form)",
        "",
    ),
    // Missing data.
    b(
        C::List(L::Missing),
        &[ENTER],
        Action::Open,
        "criteria of the first study this fact could change (on the last row: unfold)",
        "criteria",
    ),
    b(
        C::List(L::Missing),
        &[ch('i')],
        Action::Answer,
        "answer the selected fact: a form shaped by the fact, checked, then stored",
        "answer",
    ),
    b(
        C::List(L::Missing),
        &[ch('A')],
        Action::AskNext,
        "ask next: form after form through these facts, most decisive first",
        "ask",
    ),
    b(
        C::List(L::Missing),
        &[ch('a')],
        Action::RuledOutFacts,
        "show or fold the facts that only concern studies already ruled out",
        "ruled out",
    ),
    // Contacts.
    b(
        C::List(L::Contacts),
        &[LEFT, ch('h')],
        Action::Left,
        "previous study",
        "study",
    ),
    b(
        C::List(L::Contacts),
        &[RIGHT, ch('l'), TAB],
        Action::Right,
        "next study",
        "study",
    ),
    // Queue overview.
    b(
        C::List(L::Overview),
        &[LEFT, ch('h')],
        Action::Left,
        "previous study column",
        "column",
    ),
    b(
        C::List(L::Overview),
        &[RIGHT, ch('l'), TAB],
        Action::Right,
        "next study column",
        "column",
    ),
    b(
        C::List(L::Overview),
        &[ch('s')],
        Action::Sort,
        "sort by the study column (again: reverse)",
        "sort",
    ),
    b(
        C::List(L::Overview),
        &[ENTER],
        Action::Open,
        "open the selected patient (Esc comes back here)",
        "open",
    ),
    b(
        C::List(L::Overview),
        &[ch('/')],
        Action::Filter,
        "filter patients",
        "filter",
    ),
    b(
        C::List(L::Overview),
        &[ch('S')],
        Action::StatusFilter,
        "show only patients with a study in a status",
        "",
    ),
    // Help: `q` closes it rather than quitting (a context's own binding wins over the global
    // one).
    b(
        C::List(L::Help),
        &[ch('q')],
        Action::Back,
        "close the help",
        "close",
    ),
    // Worklist history.
    b(
        C::List(L::History),
        &[ch('a')],
        Action::HistoryScope,
        "all studies, or only the highlighted one (toggle)",
        "all/one study",
    ),
    // Choosing a status (or the status filter).
    b(
        C::Picker,
        &[UP, ch('k')],
        Action::Up,
        "previous entry",
        "move",
    ),
    b(
        C::Picker,
        &[DOWN, ch('j')],
        Action::Down,
        "next entry",
        "move",
    ),
    b(
        C::Picker,
        &[ENTER],
        Action::Confirm,
        "choose the highlighted entry",
        "choose",
    ),
    b(
        C::Picker,
        DIGITS,
        Action::Pick(0),
        "choose the entry with that number",
        "",
    ),
    b(C::Picker, &[ESC], Action::Cancel, "cancel", "cancel"),
    b(
        C::Picker,
        &[Key::Ctrl('c')],
        Action::Quit,
        "quit trialmatch",
        "",
    ),
    b(C::Picker, &[CTRL_Z], Action::Suspend, SUSPEND, ""),
    // Typing a note.
    b(
        C::Note,
        &[ENTER],
        Action::Confirm,
        "record the status with the note",
        "save",
    ),
    b(
        C::Note,
        &[ESC],
        Action::Cancel,
        "cancel: record nothing",
        "cancel",
    ),
    b(
        C::Note,
        &[LEFT],
        Action::Edit(Edit::Left),
        "cursor one character left",
        "move",
    ),
    b(
        C::Note,
        &[RIGHT],
        Action::Edit(Edit::Right),
        "cursor one character right",
        "move",
    ),
    b(
        C::Note,
        &[HOME, Key::Ctrl('a')],
        Action::Edit(Edit::Home),
        "cursor to the start",
        "",
    ),
    b(
        C::Note,
        &[END, Key::Ctrl('e')],
        Action::Edit(Edit::End),
        "cursor to the end",
        "",
    ),
    b(
        C::Note,
        &[BACKSPACE],
        Action::Edit(Edit::Backspace),
        "delete the character before the cursor",
        "",
    ),
    b(
        C::Note,
        &[Key::Code(KeyCode::Delete)],
        Action::Edit(Edit::Delete),
        "delete the character under the cursor",
        "",
    ),
    b(
        C::Note,
        &[Key::Ctrl('u')],
        Action::Edit(Edit::ClearToStart),
        "delete everything before the cursor",
        "clear",
    ),
    b(
        C::Note,
        &[Key::Ctrl('c')],
        Action::Quit,
        "quit, after asking: press it again to quit without recording",
        "",
    ),
    b(C::Note, &[CTRL_Z], Action::Suspend, SUSPEND, ""),
    b(
        C::Note,
        &[Key::AnyChar],
        Action::Edit(Edit::Insert(' ')),
        "type the note",
        "",
    ),
    // Filling in a form.
    b(C::Form, &[TAB, DOWN], Action::Down, "next field", "field"),
    b(
        C::Form,
        &[BACKTAB, UP],
        Action::Up,
        "previous field",
        "field",
    ),
    b(
        C::Form,
        &[ENTER],
        Action::Confirm,
        "save: checked like a patient file; refused, the form stays open with the reasons",
        "save",
    ),
    b(
        C::Form,
        &[Key::Ctrl('n')],
        Action::Skip,
        "ask next: leave this fact unanswered, go to the next",
        "skip",
    ),
    b(
        C::Form,
        &[ESC],
        Action::Cancel,
        "close without saving (asks first when something was typed); stops ask next",
        "cancel",
    ),
    b(
        C::Form,
        &[LEFT],
        Action::Edit(Edit::Left),
        "cursor left; in a choice, the previous value",
        "move/choose",
    ),
    b(
        C::Form,
        &[RIGHT],
        Action::Edit(Edit::Right),
        "cursor right; in a choice, the next value; at the end of a drug or diagnosis, its \
         first match",
        "move/choose",
    ),
    b(
        C::Form,
        &[HOME, Key::Ctrl('a')],
        Action::Edit(Edit::Home),
        "cursor to the start (a choice: the first value)",
        "",
    ),
    b(
        C::Form,
        &[END, Key::Ctrl('e')],
        Action::Edit(Edit::End),
        "cursor to the end (a choice: the last value)",
        "",
    ),
    b(
        C::Form,
        &[BACKSPACE],
        Action::Edit(Edit::Backspace),
        "delete the character before the cursor",
        "",
    ),
    b(
        C::Form,
        &[Key::Code(KeyCode::Delete)],
        Action::Edit(Edit::Delete),
        "delete the character under the cursor",
        "",
    ),
    b(
        C::Form,
        &[Key::Ctrl('u')],
        Action::Edit(Edit::ClearToStart),
        "delete everything before the cursor",
        "",
    ),
    b(
        C::Form,
        &[Key::Ctrl('c')],
        Action::Quit,
        "quit, after asking when something was typed",
        "",
    ),
    b(C::Form, &[CTRL_Z], Action::Suspend, SUSPEND, ""),
    b(
        C::Form,
        &[Key::AnyChar],
        Action::Edit(Edit::Insert(' ')),
        "type into the field; in a choice, a letter picks the value starting with it",
        "",
    ),
];

fn matches(k: Key, ev: &KeyEvent) -> bool {
    let ctrl_alt = ev
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match k {
        Key::Ctrl(c) => {
            ev.modifiers.contains(KeyModifiers::CONTROL)
                && matches!(ev.code, KeyCode::Char(e) if e.eq_ignore_ascii_case(&c))
        }
        Key::Code(code) => !ctrl_alt && ev.code == code,
        Key::AnyChar => !ctrl_alt && matches!(ev.code, KeyCode::Char(c) if !c.is_control()),
    }
}

/// The binding a key press selects in a context: the context's own first, then the global
/// ones (never while typing or choosing).
pub fn binding_for(context: Context, ev: &KeyEvent) -> Option<&'static Binding> {
    let own = KEYMAP.iter().filter(|b| b.context == context);
    let global = KEYMAP
        .iter()
        .filter(move |b| b.context == Context::Global && context.takes_globals());
    own.chain(global)
        .find(|b| b.keys.iter().any(|k| matches(*k, ev)))
}

/// The action a key press means in a context.
pub fn action_for(context: Context, ev: &KeyEvent) -> Option<Action> {
    let b = binding_for(context, ev)?;
    match (b.action, ev.code) {
        (Action::FilterInput(_), KeyCode::Char(c)) => Some(Action::FilterInput(c)),
        (Action::Edit(Edit::Insert(_)), KeyCode::Char(c)) => Some(Action::Edit(Edit::Insert(c))),
        (Action::Pick(_), KeyCode::Char(c)) => c
            .to_digit(10)
            .and_then(|d| u8::try_from(d).ok())
            .map(Action::Pick),
        (a, _) => Some(a),
    }
}

/// How a key is shown on screen.
pub fn key_label(k: Key) -> String {
    match k {
        Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
        Key::AnyChar => "any key".into(),
        Key::Code(code) => match code {
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        },
    }
}

/// The first key bound to `action` in `context` ("?" when none is), for text that names it.
pub fn key_for(context: Context, action: Action) -> String {
    KEYMAP
        .iter()
        .find(|b| b.context == context && b.action == action)
        .and_then(|b| b.keys.first())
        .map_or("?".into(), |k| key_label(*k))
}

/// All keys of a binding: "↓ j".
pub fn keys_label(keys: &[Key]) -> String {
    keys.iter()
        .map(|k| key_label(*k))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The footer entries of a context, then the global ones: (keys, label). Consecutive bindings
/// sharing a label are merged with their first keys ("↑↓", "←→").
pub fn footer(context: Context) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut last: Option<(Context, &str)> = None;
    let global = context.takes_globals();
    for b in KEYMAP
        .iter()
        .filter(|b| b.context == context)
        .chain(
            KEYMAP
                .iter()
                .filter(|b| global && b.context == Context::Global),
        )
        .filter(|b| !b.footer.is_empty())
    {
        let first = b.keys.first().map(|k| key_label(*k)).unwrap_or_default();
        match (out.last_mut(), last) {
            (Some(prev), Some((c, l))) if c == b.context && l == b.footer => {
                let sep = if prev.0.chars().count() == 1 && first.chars().count() == 1 {
                    ""
                } else {
                    "/"
                };
                prev.0 = format!("{}{sep}{first}", prev.0);
            }
            _ => out.push((first, b.footer)),
        }
        last = Some((b.context, b.footer));
    }
    // A key shown for the context hides the same key's global entry.
    let mut seen: Vec<String> = Vec::new();
    out.retain(|(k, _)| {
        if seen.contains(k) {
            false
        } else {
            seen.push(k.clone());
            true
        }
    });
    out
}

/// Every context, in the order the help lists them: as the table first binds a key in each,
/// then every list it binds no key of its own in.
pub fn contexts() -> Vec<Context> {
    let mut out: Vec<Context> = Vec::new();
    let named = KEYMAP.iter().map(|b| b.context);
    for c in named.chain(List::ALL.map(Context::List)) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// The help screen's rows: (context, keys, description), grouped by context in table order.
pub fn help_rows() -> Vec<(Context, String, &'static str)> {
    contexts()
        .into_iter()
        .flat_map(|c| {
            KEYMAP
                .iter()
                .filter(move |b| b.context == c)
                .map(|b| (b.context, keys_label(b.keys), b.description))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_z_suspends_in_every_context_and_is_never_typed() {
        let ctrl_z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
        for c in contexts() {
            assert_eq!(action_for(c, &ctrl_z), Some(Action::Suspend), "{c:?}");
        }
        let z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE);
        assert_eq!(
            action_for(Context::Note, &z),
            Some(Action::Edit(Edit::Insert('z')))
        );
        assert_eq!(
            action_for(Context::Filter, &z),
            Some(Action::FilterInput('z'))
        );
    }
}
