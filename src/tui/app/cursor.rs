//! Where each list's selection and scroll stand, and moving them: by keys, by pages, by the
//! mouse, and back into view whenever the lists or the terminal change (`fit`).

use crate::tui::app::{App, List, Screen, Scrolling};
use crate::tui::view;
use ratatui::layout::{Position, Rect};
use std::ops::{Index, IndexMut};

/// Rows the mouse wheel moves.
pub const WHEEL_STEP: isize = 3;

/// Selection and scroll position of one list. For text (contacts), `selected` is the top line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` rows, staying within `0..len`.
    pub fn step(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let to = (self.selected as isize).saturating_add(delta);
        self.selected = to.clamp(0, len as isize - 1) as usize;
    }

    /// The first visible row for a window of `height` rows: as close to the stored offset as
    /// keeps the selection visible and the window full.
    pub fn window(&self, len: usize, height: usize) -> usize {
        if height == 0 || len == 0 {
            return 0;
        }
        let selected = self.selected.min(len - 1);
        let mut off = self.offset.min(len.saturating_sub(height));
        if selected < off {
            off = selected;
        } else if selected >= off + height {
            off = selected + 1 - height;
        }
        off
    }

    /// Clamps the selection to `len` rows and scrolls it into a window of `height` rows.
    pub fn fit(&mut self, len: usize, height: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        self.offset = self.window(len, height);
    }
}

/// The cursor of every list, indexed by the list.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cursors([Cursor; List::COUNT]);

impl Index<List> for Cursors {
    type Output = Cursor;
    fn index(&self, l: List) -> &Cursor {
        &self.0[l as usize]
    }
}

impl IndexMut<List> for Cursors {
    fn index_mut(&mut self, l: List) -> &mut Cursor {
        &mut self.0[l as usize]
    }
}

impl App {
    /// The selection and scroll of list `l`.
    pub fn cursor(&self, l: List) -> Cursor {
        self.cursors[l]
    }

    pub(in crate::tui) fn cursor_mut(&mut self, l: List) -> &mut Cursor {
        &mut self.cursors[l]
    }

    /// Where list `l` is drawn on the current screen, if it is.
    fn list_area(&self, l: List) -> Option<Rect> {
        view::list_areas(self, self.area)
            .into_iter()
            .find(|(x, _)| *x == l)
            .map(|(_, r)| r)
    }

    /// Rows of list `l` on screen; 1 when it is not shown, so that a page is a row.
    fn height(&self, l: List) -> usize {
        self.list_area(l).map_or(1, |r| r.height as usize)
    }

    /// The width text in list `l` wraps to: its area's, else the terminal's.
    pub(super) fn text_width(&self, l: List) -> u16 {
        self.list_area(l).map_or(self.area.width, |r| r.width)
    }

    /// Clamps every cursor and scrolls the visible lists so their selection shows.
    pub(in crate::tui) fn fit(&mut self) {
        let areas = view::list_areas(self, self.area);
        for l in List::ALL {
            let area = areas.iter().find(|(x, _)| *x == l).map(|(_, r)| *r);
            match l.scrolling() {
                Scrolling::Rows => {
                    let len = self.list_len(l);
                    let h = area.map_or(0, |r| r.height as usize);
                    let c = &mut self.cursors[l];
                    if h == 0 {
                        c.selected = c.selected.min(len.saturating_sub(1));
                    } else {
                        c.fit(len, h);
                    }
                }
                // Text is measured only where it is shown (it wraps to its area).
                Scrolling::Text => {
                    if let Some(r) = area {
                        let top = self.list_len(l).saturating_sub(r.height as usize);
                        let c = &mut self.cursors[l];
                        c.selected = c.selected.min(top);
                        c.offset = c.selected;
                    }
                }
            }
        }
    }

    /// Moves the selection of list `l` by `delta` rows (scrolls for text).
    pub(super) fn step(&mut self, l: List, delta: isize) {
        let len = self.list_len(l);
        let before = self.selected_patient();
        match l.scrolling() {
            Scrolling::Rows => self.cursors[l].step(delta, len),
            Scrolling::Text => {
                let h = self.height(l);
                self.cursors[l].step(delta, len.saturating_sub(h) + 1);
            }
        }
        self.new_patient_restarts_matches(before);
    }

    /// Moves a page (the list's height) up (`direction` < 0) or down.
    pub(super) fn page(&mut self, l: List, direction: isize) {
        let rows = self.height(l).max(1) as isize;
        self.step(l, direction * rows);
    }

    /// The match table starts at its top for another patient: call with the patient selected
    /// before the change.
    pub(super) fn new_patient_restarts_matches(&mut self, before: Option<usize>) {
        if self.selected_patient() != before {
            self.cursors[List::Matches] = Cursor::default();
        }
    }

    fn list_at(&self, column: u16, row: u16) -> Option<(List, Rect)> {
        let pos = Position::new(column, row);
        view::list_areas(self, self.area)
            .into_iter()
            .find(|(_, r)| r.contains(pos))
    }

    /// A click: picks the overview's column and the main screen's pane under it, and selects
    /// the row under it.
    pub(super) fn click(&mut self, column: u16, row: u16) {
        if self.screen() == Screen::Overview
            && let Some(c) = view::overview::column_at(self, self.area, column, row)
        {
            self.overview_column = c;
        }
        if self.screen() == Screen::Main
            && let Some(p) = view::pane_at(self, self.area, column, row)
        {
            self.focus = p;
        }
        let Some((l, r)) = self.list_at(column, row) else {
            return;
        };
        if l.scrolling() == Scrolling::Text {
            return;
        }
        let len = self.list_len(l);
        let i = self.cursors[l].window(len, r.height as usize) + (row - r.y) as usize;
        if i < len {
            let before = self.selected_patient();
            self.cursors[l].selected = i;
            self.new_patient_restarts_matches(before);
        }
    }

    /// The mouse wheel: moves the list under the mouse, else the focused one.
    pub(super) fn wheel(&mut self, column: u16, row: u16, delta: isize) {
        let l = self
            .list_at(column, row)
            .map_or(self.focused_list(), |(l, _)| l);
        self.step(l, delta);
    }
}
