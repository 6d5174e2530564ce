//! Drawing `&App` into a buffer: the screen chrome (status bar, footer, "terminal too small"),
//! the layout every pane and the mouse share, and small helpers; one file per pane below.

pub mod contacts;
pub mod criteria;
pub mod form;
pub mod funnel;
pub mod help;
pub mod history;
pub mod matches;
pub mod missing;
pub mod overview;
pub mod patients;
pub mod picker;
pub mod problems;

use crate::tui::app::{App, Cursor, List, Screen};
use crate::tui::keymap;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};
use std::rc::Rc;

/// The smallest terminal the UI lays out in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Status bar, body and footer.
/// A study's short name as shown beside its verdicts, marked "⚠" when a rule of its trial
/// file could not be read (its verdicts then hold an unknown that must be fixed in the file).
pub fn study_name(t: &crate::trial::Trial) -> String {
    let name = crate::text::sanitize(&t.short_name);
    if t.unreadable() > 0 {
        format!("{name} ⚠")
    } else {
        name
    }
}

/// The mark beside a study the sources do not show taking patients on the as-of date (its
/// stated end date has passed, or it is not stated as recruiting).
pub const NOT_RECRUITING: &str = "⊘";

/// Whether study `t` gets the [`NOT_RECRUITING`] mark.
pub fn not_recruiting(app: &App, t: usize) -> bool {
    app.trials()
        .get(t)
        .is_some_and(|t| !t.is_recruiting(app.as_of()))
}

pub fn chrome(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The row windows of the lists on the current screen (used by rendering, paging and the
/// mouse alike, so they always agree).
pub fn list_areas(app: &App, area: Rect) -> Vec<(List, Rect)> {
    if too_small(area) {
        return Vec::new();
    }
    let [_, body, _] = chrome(area);
    match app.screen() {
        Screen::Main => {
            let [p, m] = main_panes(app, body);
            vec![
                (List::Patients, table_rows(p, 0)),
                (List::Matches, table_rows(m, 0)),
            ]
        }
        Screen::Criteria => vec![(List::Criteria, criteria::areas(body).rows)],
        Screen::Missing => vec![(List::Missing, table_rows(list_detail(body)[0], 0))],
        Screen::Contacts => vec![(List::Contacts, Block::bordered().inner(body))],
        Screen::Overview => vec![(List::Overview, table_rows(body, 0))],
        Screen::Help => vec![(List::Help, table_rows(body, 0))],
        Screen::Problems => vec![(List::Problems, table_rows(list_detail(body)[0], 0))],
        Screen::History => vec![(List::History, table_rows(list_detail(body)[0], 0))],
        Screen::Funnel => vec![(List::Funnel, table_rows(funnel::areas(app, body)[0], 0))],
    }
}

/// Draws a frame: the app, and the terminal cursor where text is being typed (a note).
pub fn draw(app: &App, f: &mut Frame) {
    f.render_widget(app, f.area());
    if let Some(p) = cursor_position(app, f.area()) {
        f.set_cursor_position(p);
    }
}

/// Where the terminal cursor belongs in a screen `area`: in the note input while it is open.
pub fn cursor_position(app: &App, area: Rect) -> Option<Position> {
    if too_small(area) {
        return None;
    }
    let [_, body, _] = chrome(area);
    picker::cursor(app, body)
}

/// The main screen: the patient list above, the match table (one row per study) below.
pub fn main_panes(app: &App, body: Rect) -> [Rect; 2] {
    let studies = app.trials().len().max(1) as u16;
    let m = (studies + 3).min(body.height / 2);
    Layout::vertical([Constraint::Fill(1), Constraint::Length(m)]).areas(body)
}

/// The main-screen pane under a screen cell (one of `Screen::Main.lists()`).
pub fn pane_at(app: &App, area: Rect, column: u16, row: u16) -> Option<List> {
    if too_small(area) {
        return None;
    }
    let [_, body, _] = chrome(area);
    let [p, m] = main_panes(app, body);
    let pos = Position::new(column, row);
    if p.contains(pos) {
        Some(List::Patients)
    } else if m.contains(pos) {
        Some(List::Matches)
    } else {
        None
    }
}

/// A list above, a detail box below.
pub fn list_detail(body: Rect) -> [Rect; 2] {
    let d = (body.height * 2 / 5).clamp(5, 16);
    Layout::vertical([Constraint::Fill(1), Constraint::Length(d)]).areas(body)
}

/// The rows of a bordered table: inside the border, below `skip` info lines and the header.
pub fn table_rows(block: Rect, skip: u16) -> Rect {
    let inner = Block::bordered().inner(block);
    let top = (skip + 1).min(inner.height);
    Rect::new(inner.x, inner.y + top, inner.width, inner.height - top)
}

/// The header line of a bordered table.
pub fn table_header(block: Rect, skip: u16) -> Rect {
    let inner = Block::bordered().inner(block);
    Rect::new(
        inner.x,
        inner.y + skip.min(inner.height),
        inner.width,
        inner.height.min(1),
    )
}

/// One row of a list that is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisibleRow {
    /// The row's index in the list.
    pub index: usize,
    /// The screen line it is drawn on.
    pub y: u16,
    /// Whether it is the cursor's selected row.
    pub selected: bool,
}

/// The rows of a list of `len` rows that fit in `rows` (one a line), scrolled as `cursor`
/// keeps its selection in view: only these are built and drawn.
pub fn visible_rows(cursor: Cursor, len: usize, rows: Rect) -> impl Iterator<Item = VisibleRow> {
    let height = rows.height as usize;
    let offset = cursor.window(len, height);
    (offset..len.min(offset + height)).map(move |index| VisibleRow {
        index,
        y: rows.y + (index - offset) as u16,
        selected: index == cursor.selected,
    })
}

/// [`visible_rows`] of `items`, each with its item.
pub fn visible_items<T>(
    items: &[T],
    cursor: Cursor,
    rows: Rect,
) -> impl Iterator<Item = (VisibleRow, &T)> {
    visible_rows(cursor, items.len(), rows).filter_map(|r| items.get(r.index).map(|item| (r, item)))
}

/// Column rectangles of a table row area (one space between columns).
pub fn columns(area: Rect, widths: &[Constraint]) -> Rc<[Rect]> {
    Layout::horizontal(widths.iter().copied())
        .spacing(1)
        .split(area)
}

/// A bordered pane; thick border when it has the focus.
pub fn pane<'a>(app: &App, title: Line<'a>, focused: bool) -> Block<'a> {
    let b = Block::bordered().title(title);
    if focused {
        b.border_type(BorderType::Thick)
            .border_style(app.theme().border_focus)
    } else {
        b.border_style(app.theme().border)
    }
}

/// Draws one table row: `style` over the whole row, then each cell clipped to its column.
/// A one-line note (an empty list's explanation) at the top of `rows`.
pub fn draw_note(buf: &mut Buffer, rows: Rect, msg: &str, style: Style) {
    buf.set_line(
        rows.x + 2,
        rows.y,
        &Line::styled(msg, style),
        rows.width.saturating_sub(2),
    );
}

/// A table's header row: `titles` in `style`, laid out in the table's columns.
pub fn draw_header(
    buf: &mut Buffer,
    area: Rect,
    widths: &[Constraint],
    titles: &[&str],
    style: Style,
) {
    let head: Vec<Line> = titles.iter().map(|h| Line::styled(*h, style)).collect();
    draw_row(
        buf,
        area,
        area.y,
        &columns(area, widths),
        &head,
        Style::new(),
    );
}

pub fn draw_row(buf: &mut Buffer, area: Rect, y: u16, cols: &[Rect], cells: &[Line], style: Style) {
    buf.set_style(Rect::new(area.x, y, area.width, 1), style);
    for (c, line) in cols.iter().zip(cells) {
        buf.set_line(c.x, y, line, c.width);
        // Show that a cut cell goes on.
        if line.width() > c.width as usize && c.width > 1 {
            buf.set_string(c.x + c.width - 1, y, "…", Style::new());
        }
    }
}

/// The selection marker column: ▶ on the selected row of the focused list, ▷ otherwise.
pub fn marker(selected: bool, focused: bool) -> Line<'static> {
    Line::raw(match (selected, focused) {
        (true, true) => "▶",
        (true, false) => "▷",
        _ => " ",
    })
}

/// Row style for a list row.
pub fn row_style(app: &App, selected: bool, focused: bool) -> Style {
    match (selected, focused) {
        (true, true) => app.theme().selected,
        (true, false) => app.theme().selected_idle,
        _ => Style::new(),
    }
}

/// `s` with the characters at `indices` (char positions) in the match style.
pub fn highlighted(app: &App, s: &str, indices: &[usize], base: Style) -> Line<'static> {
    if indices.is_empty() {
        return Line::from(Span::styled(s.to_string(), base));
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_hit = false;
    for (i, c) in s.chars().enumerate() {
        let hit = indices.contains(&i);
        if hit != run_hit && !run.is_empty() {
            let style = if run_hit {
                base.patch(app.theme().matched)
            } else {
                base
            };
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        run_hit = hit;
        run.push(c);
    }
    if !run.is_empty() {
        let style = if run_hit {
            base.patch(app.theme().matched)
        } else {
            base
        };
        spans.push(Span::styled(run, style));
    }
    Line::from(spans)
}

/// The part of a text input shown in a line `w` cells wide, so the cursor stays visible: the
/// index of its first character (one cell stays free for the cursor after the last one).
pub fn first_shown(input: &crate::tui::input::TextInput, w: usize) -> usize {
    let before: Vec<char> = input.before_cursor().chars().collect();
    let room = w.saturating_sub(1);
    let (mut start, mut used) = (before.len(), 0);
    while start > 0 {
        let cw = width(before[start - 1].encode_utf8(&mut [0; 4]));
        if used + cw > room {
            break;
        }
        used += cw;
        start -= 1;
    }
    start
}

/// Display width of a string.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// Word-wraps `s` to `w` columns (words longer than a line are cut); at least one line.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut lw = 0;
    for word in s.split(' ') {
        let ww = width(word);
        if line.is_empty() && ww <= w {
            line.push_str(word);
            lw = ww;
            continue;
        }
        if !line.is_empty() && lw + 1 + ww <= w {
            line.push(' ');
            line.push_str(word);
            lw += 1 + ww;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        lw = 0;
        for c in word.chars() {
            let cw = width(c.encode_utf8(&mut [0; 4]));
            if lw + cw > w && lw > 0 {
                out.push(std::mem::take(&mut line));
                lw = 0;
            }
            line.push(c);
            lw += cw;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Text from a data file, sanitized line by line (keeps its line breaks), wrapped to `w`.
pub fn wrap_source(s: &str, w: usize) -> Vec<String> {
    s.lines()
        .flat_map(|l| wrap(&crate::text::sanitize(l), w))
        .collect()
}

/// "label  value" lines with the value wrapped under itself.
pub fn labelled(
    app: &App,
    label: &str,
    value: &str,
    label_w: usize,
    w: usize,
    style: Style,
) -> Vec<Line<'static>> {
    let vw = w.saturating_sub(label_w + 1).max(10);
    wrap(value, vw)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let l = if i == 0 {
                format!("{label:<label_w$} ")
            } else {
                " ".repeat(label_w + 1)
            };
            Line::from(vec![
                Span::styled(l, app.theme().label),
                Span::styled(v, style),
            ])
        })
        .collect()
}

fn status_bar(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme();
    if let Some(m) = &app.message {
        let style = if m.error {
            t.status.patch(t.warn)
        } else {
            t.status.patch(t.title)
        };
        status_line(
            t,
            area,
            buf,
            vec![Span::styled(format!("│ {} ", m.text), style)],
        );
        return;
    }
    let n = app.problems().len();
    let mut spans = vec![Span::styled(
        format!(
            "│ as of {} │ {} patients │ {} studies │ ",
            app.as_of(),
            app.patients().len(),
            app.trials().len()
        ),
        t.status,
    )];
    let problems = format!("{n} problem{}", if n == 1 { "" } else { "s" });
    if n > 0 {
        spans.push(Span::styled(
            format!("{problems} (press !) "),
            t.status.patch(t.warn),
        ));
    } else {
        spans.push(Span::styled(format!("{problems} "), t.status));
    }
    if !app.filter().is_empty() {
        spans.push(Span::styled(
            format!(
                "│ /{} {} of {} ",
                app.filter(),
                app.visible_patients().len(),
                app.patients().len()
            ),
            t.status.patch(t.title),
        ));
    }
    status_line(t, area, buf, spans);
}

/// The status bar on `row`: the program's name, then `spans`, all in the status colours.
pub fn status_line(t: &Theme, row: Rect, buf: &mut Buffer, spans: Vec<Span<'static>>) {
    let mut line = vec![Span::styled(" trialmatch ", t.status.patch(t.title))];
    line.extend(spans);
    buf.set_style(row, t.status);
    buf.set_line(row.x, row.y, &Line::from(line), row.width);
}

/// The footer: the context's keys from the keymap on the left, help and quit pinned on the
/// right. Every entry the keymap gives a context fits at 120 columns (a test holds that); in a
/// narrower terminal the entries that do not fit are replaced by "…", never dropped silently,
/// and the help (pinned) lists them all.
fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    const SEP: &str = "  ";
    let t = app.theme();
    let entries = keymap::footer(app.context());
    let pinned = |l: &str| matches!(l, "help" | "quit");
    let item = |(k, l): &(String, &str)| -> Vec<Span<'static>> {
        vec![Span::styled(k.clone(), t.key), Span::raw(format!(" {l}"))]
    };
    let spans_w = |v: &[Span]| -> usize { v.iter().map(Span::width).sum() };
    let mut right: Vec<Span> = Vec::new();
    for e in entries.iter().filter(|(_, l)| pinned(l)) {
        if !right.is_empty() {
            right.push(Span::raw(SEP));
        }
        right.extend(item(e));
    }
    right.push(Span::raw(" "));
    let right_w = spans_w(&right);
    // Room for the left part, keeping a gap before the pinned keys.
    let room = (area.width as usize).saturating_sub(right_w + SEP.len());
    let mut left: Vec<Span> = vec![Span::raw(" ")];
    if app.typing_filter() {
        left.push(Span::styled(
            format!("Filter: /{}▏ ", app.filter()),
            t.title,
        ));
    }
    let items: Vec<Vec<Span>> = entries
        .iter()
        .filter(|(_, l)| !pinned(l))
        .map(item)
        .collect();
    let lead = spans_w(&left);
    let all: usize = lead
        + items.iter().map(|s| spans_w(s)).sum::<usize>()
        + SEP.len() * items.len().saturating_sub(1);
    let more = Span::styled(format!("{SEP}…"), t.dim);
    let mut used = lead;
    let mut cut = false;
    for (i, s) in items.into_iter().enumerate() {
        let sep = if i == 0 { 0 } else { SEP.len() };
        let w = sep + spans_w(&s);
        // When not everything fits, keep room for the "…" that says so.
        let reserve = if all <= room { 0 } else { more.width() };
        if used + w + reserve > room {
            cut = true;
            break;
        }
        used += w;
        if sep > 0 {
            left.push(Span::raw(SEP));
        }
        left.extend(s);
    }
    if cut {
        left.push(more);
    }
    buf.set_line(area.x, area.y, &Line::from(left), area.width);
    let x = area.x + (area.width as usize).saturating_sub(right_w) as u16;
    buf.set_line(
        x,
        area.y,
        &Line::from(right),
        area.width.saturating_sub(x - area.x),
    );
}

fn render_too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::styled("Terminal too small", app.theme().warn),
        Line::raw(format!(
            "{}×{} now; trialmatch needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::raw("Enlarge the window, or press q to quit."),
    ];
    let h = (text.len() as u16).min(area.height);
    let y = area.y + (area.height - h) / 2;
    Paragraph::new(text)
        .centered()
        .wrap(Wrap { trim: true })
        .render(
            Rect::new(area.x, y, area.width, area.height - (y - area.y)),
            buf,
        );
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if too_small(area) {
            render_too_small(self, area, buf);
            return;
        }
        let [status, body, foot] = chrome(area);
        status_bar(self, status, buf);
        match self.screen() {
            Screen::Main => {
                let [p, m] = main_panes(self, body);
                patients::render(self, p, buf);
                matches::render(self, m, buf);
            }
            Screen::Criteria => criteria::render(self, body, buf),
            Screen::Missing => missing::render(self, body, buf),
            Screen::Contacts => contacts::render(self, body, buf),
            Screen::Overview => overview::render(self, body, buf),
            Screen::Help => help::render(self, body, buf),
            Screen::Problems => problems::render(self, body, buf),
            Screen::History => history::render(self, body, buf),
            Screen::Funnel => funnel::render(self, body, buf),
        }
        picker::render(self, body, buf);
        footer(self, foot, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_words_and_cuts_long_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(wrap("a bcdefgh", 3), vec!["a", "bcd", "efg", "h"]);
    }

    #[test]
    fn source_text_keeps_line_breaks_and_neutralises_escapes() {
        assert_eq!(wrap_source("a\nb\u{1b}[2J", 20), vec!["a", "b\\u{1b}[2J"]);
    }
}
