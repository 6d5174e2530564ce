//! The small windows drawn over a screen while the worklist asks something: the status picker
//! (also used to choose the status filter) and the one-line note input, whose cursor becomes
//! the terminal's cursor.

use crate::text::sanitize;
use crate::tui::app::App;
use crate::tui::view::{first_shown, marker, row_style, width};
use crate::tui::worklist::{Modal, NoteForm, PickFor, Picker};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Widget};

/// A `w`×`h` rectangle centred in `area` (clipped to it).
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn popup<'a>(app: &App, title: String, hint: &'a str) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(app.theme().border_focus)
        .title(Line::styled(title, app.theme().title))
        .title_bottom(Line::styled(hint, app.theme().dim))
}

/// Draws the open picker or note input over `body`.
pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    match &app.modal {
        Some(Modal::Picker(p)) => render_picker(app, p, body, buf),
        Some(Modal::Note(n)) => render_note(app, n, body, buf),
        Some(Modal::Form(f)) => super::form::render(app, f, body, buf),
        None => {}
    }
}

fn render_picker(app: &App, p: &Picker, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let entries = p.entries(app);
    let title = match p.purpose {
        PickFor::Status { patient, trial, .. } => format!(
            " Status · {} · {} ",
            app.rows().get(patient).map_or("", |r| r.id.as_str()),
            app.study_name(trial)
        ),
        PickFor::Filter => " Show patients with a study in status ".to_string(),
    };
    let hint = match p.purpose {
        PickFor::Status { .. } => " 1-8 or Enter chooses · Esc cancels ",
        PickFor::Filter => " 0-9 or Enter chooses · Esc cancels ",
    };
    let area = centred(body, 46, entries.len() as u16 + 2);
    Clear.render(area, buf);
    let block = popup(app, title, hint);
    let inner = block.inner(area);
    block.render(area, buf);
    for (i, (label, current)) in entries.iter().enumerate() {
        if i as u16 >= inner.height {
            break;
        }
        let y = inner.y + i as u16;
        let selected = i == p.selected;
        let number = if i == 9 { 0 } else { i + 1 };
        let mut spans = vec![
            Span::raw(format!(" {number} ")),
            Span::styled(label.to_string(), t.label),
        ];
        if *current {
            spans.push(Span::styled("  ● current", t.dim));
        }
        buf.set_style(
            Rect::new(inner.x, y, inner.width, 1),
            row_style(app, selected, true),
        );
        buf.set_line(inner.x, y, &marker(selected, true), 1);
        buf.set_line(
            inner.x + 1,
            y,
            &Line::from(spans),
            inner.width.saturating_sub(1),
        );
    }
}

/// The note window's rectangle in `body`.
fn note_area(body: Rect) -> Rect {
    centred(body, body.width.saturating_sub(4).min(72), 5)
}

/// Where the input line is: inside the window, after the "> " prompt.
fn input_line(body: Rect) -> Rect {
    let inner = Block::bordered().inner(note_area(body));
    Rect::new(
        inner.x + 2,
        inner.y + 1,
        inner.width.saturating_sub(2),
        inner.height.min(1),
    )
}

fn render_note(app: &App, n: &NoteForm, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let area = note_area(body);
    let id = app.rows().get(n.patient).map_or("", |r| r.id.as_str());
    let title = format!(" Note · {id} · {} ", app.study_name(n.trial));
    Clear.render(area, buf);
    let block = popup(app, title, " Enter saves · Esc cancels ");
    let inner = block.inner(area);
    block.render(area, buf);
    let was = app
        .status_of(n.patient, n.trial)
        .map_or("no status yet".to_string(), |s| {
            format!("now {}", s.label())
        });
    let what = if n.note_only {
        Line::from(vec![
            Span::raw("Adding a note; the status stays "),
            Span::styled(n.status.label(), t.label),
        ])
    } else {
        Line::from(vec![
            Span::raw("New status: "),
            Span::styled(n.status.label(), t.label),
            Span::styled(format!(" ({was}) · note optional"), t.dim),
        ])
    };
    buf.set_line(inner.x, inner.y, &what, inner.width);
    let line = input_line(body);
    buf.set_line(inner.x, line.y, &Line::styled("> ", t.key), 2);
    let shown: String = sanitize(n.input.text())
        .chars()
        .skip(first_shown(&n.input, line.width as usize))
        .collect();
    buf.set_line(line.x, line.y, &Line::raw(shown), line.width);
    let count = format!("{}/{} characters", n.input.len(), n.input.max());
    buf.set_line(
        inner.x,
        inner.y + 2,
        &Line::styled(count, t.dim),
        inner.width,
    );
}

/// Where the terminal cursor goes: in the note input (or the form's field) while it is open.
pub fn cursor(app: &App, body: Rect) -> Option<Position> {
    let n = match &app.modal {
        Some(Modal::Note(n)) => n,
        Some(Modal::Form(f)) => return super::form::cursor(app, f, body),
        _ => return None,
    };
    let line = input_line(body);
    if line.width == 0 || line.height == 0 {
        return None;
    }
    let start = first_shown(&n.input, line.width as usize);
    let before: String = n.input.before_cursor().chars().skip(start).collect();
    let x = line.x + (width(&before) as u16).min(line.width.saturating_sub(1));
    Some(Position::new(x, line.y))
}
