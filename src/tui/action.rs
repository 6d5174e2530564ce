//! Everything a user can ask the UI to do, as plain values. Keys (through the keymap) and the
//! mouse become Actions; `App::update` is the only consumer. Nothing here touches the terminal.

use crate::tui::app::Screen;
use crate::tui::input::Edit;

/// One request from the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave trialmatch and give the terminal back.
    Quit,
    /// Suspend trialmatch and give the terminal to the shell; `fg` resumes it, redrawn.
    Suspend,
    /// Move the selection (or scroll the text) up one row.
    Up,
    /// Move the selection (or scroll the text) down one row.
    Down,
    /// Move up one page of the current list.
    PageUp,
    /// Move down one page of the current list.
    PageDown,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Go left: the patient list, the previous cohort, column or study, depending on the screen.
    Left,
    /// Go right: the match table, the next cohort, column or study, depending on the screen.
    Right,
    /// Move the focus to the next pane.
    NextPane,
    /// Move the focus to the previous pane.
    PrevPane,
    /// Drill into the selected row.
    Open,
    /// Go back one level: close the screen, leave the match table, or clear the filter.
    Back,
    /// Start typing a fuzzy filter for the patient list.
    Filter,
    /// Add a character to the filter being typed.
    FilterInput(char),
    /// Delete the last character of the filter.
    FilterBackspace,
    /// Stop typing and keep the filter.
    FilterAccept,
    /// Stop typing and clear the filter.
    FilterClear,
    /// Open a screen about the patient or study the current screen is about (`Screen::Main`
    /// and `Screen::Criteria` open otherwise: always open underneath, and by Enter on a study).
    Show(Screen),
    /// Criteria: show only the failing criteria (again: show all).
    OnlyFailing,
    /// Criteria: show only the unknown criteria (again: show all).
    OnlyUnknown,
    /// Criteria: show every criterion.
    AllCriteria,
    /// Missing data: show or fold the facts that only concern studies already ruled out.
    RuledOutFacts,
    /// Overview: sort by the selected study column (again: reverse).
    Sort,
    /// Worklist: choose a status for the highlighted study (a picker, then a note).
    SetStatus,
    /// Worklist: add a note to the highlighted study, keeping its status.
    AddNote,
    /// History: all studies, or only the study highlighted when it opened.
    HistoryScope,
    /// Worklist: write the referral summary of the highlighted study.
    Export,
    /// Worklist: choose a status to filter the patient list and overview by.
    StatusFilter,
    /// Open the entry form for the missing fact the screen shows (the selected fact, or the
    /// selected unknown criterion's first missing fact).
    Answer,
    /// Ask-next: form after form through the patient's missing facts, most decisive first.
    AskNext,
    /// Open the new-referral form.
    NewReferral,
    /// Ask-next: leave this fact unanswered and go to the next.
    Skip,
    /// Picker: choose the entry with this number (1-9; 0 is the tenth).
    Pick(u8),
    /// Picker or note: choose the highlighted entry, or save the note.
    Confirm,
    /// Picker or note: close without recording anything.
    Cancel,
    /// Note: edit the text being typed.
    Edit(Edit),
    /// Mouse click at a screen cell: select what is there.
    Click { column: u16, row: u16 },
    /// Mouse wheel up over a screen cell.
    ScrollUp { column: u16, row: u16 },
    /// Mouse wheel down over a screen cell.
    ScrollDown { column: u16, row: u16 },
    /// The terminal was resized.
    Resize { width: u16, height: u16 },
}
