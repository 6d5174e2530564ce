//! The entry form drawn over the screen: what it answers, one labelled line per field (a
//! choice shows its value between ◀ ▶, a completed field what the text may become), the
//! reasons a save was refused, and in ask-next what the last answer changed. The focused text field's cursor becomes the terminal's cursor.

use crate::text::sanitize;
use crate::tui::app::App;
use crate::tui::intake::{Field, Form, Purpose};
use crate::tui::view::{first_shown, width, wrap};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Widget};

/// Widest label column.
const LABEL_MAX: usize = 22;

fn label_width(form: &Form) -> u16 {
    form.fields
        .iter()
        .map(|f| width(&f.label) + 2)
        .max()
        .unwrap_or(8)
        .min(LABEL_MAX) as u16
}

/// The lines above the fields: the hint, the ask-next line, a blank.
fn intro(app: &App, form: &Form, w: usize) -> Vec<Line<'static>> {
    let t = app.theme();
    let mut out: Vec<Line> = wrap(&sanitize(&form.hint), w)
        .into_iter()
        .take(2)
        .map(|l| Line::styled(l, t.label))
        .collect();
    if let Some(a) = app.ask_next() {
        let last = a.last.clone().unwrap_or_else(|| "nothing saved yet".into());
        for l in wrap(&format!("Last: {last}"), w).into_iter().take(2) {
            out.push(Line::styled(l, t.dim));
        }
    }
    out.push(Line::raw(""));
    out
}

/// The lines below the fields: the reasons a save was refused, or that it is being checked.
fn outro(app: &App, form: &Form, w: usize) -> Vec<Line<'static>> {
    let t = app.theme();
    let mut out = Vec::new();
    if form.pending {
        out.push(Line::raw(""));
        out.push(Line::styled("Checking and saving…", t.dim));
    }
    if !form.errors.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled("✖ Refused, nothing stored:", t.warn));
        for e in &form.errors {
            for l in wrap(&format!("  {}", sanitize(e)), w) {
                out.push(Line::styled(l, t.warn));
            }
        }
    }
    out
}

/// The window's rectangle in `body` and the y of its first field.
fn layout(app: &App, form: &Form, body: Rect) -> (Rect, u16) {
    let w = body.width.saturating_sub(4).min(96);
    let inner_w = w.saturating_sub(2) as usize;
    let above = intro(app, form, inner_w).len() as u16;
    let below = outro(app, form, inner_w).len() as u16;
    let h = (above + form.fields.len() as u16 + below + 2).min(body.height);
    let area = Rect::new(
        body.x + (body.width - w) / 2,
        body.y + (body.height - h) / 2,
        w,
        h,
    );
    (area, area.y + 1 + above)
}

fn title(app: &App, form: &Form) -> String {
    let id = |p: usize| app.rows().get(p).map_or("", |r| r.id.as_str()).to_string();
    match &form.purpose {
        Purpose::Referral => " New referral ".into(),
        Purpose::Answer { patient, fact } => {
            let what = if app.ask_next().is_some() {
                let n = app.ask_next().map_or(0, |a| a.asked.len());
                format!("Ask next #{n}")
            } else {
                "Answer".into()
            };
            format!(" {what} · {} · {} ", id(*patient), sanitize(fact))
        }
    }
}

/// A completed field's line with what the typed text may become: "→ sle, ssc", or that
/// nothing in the list begins so.
fn with_matches<'a>(app: &App, f: &Field, line: Line<'a>) -> Line<'a> {
    let t = app.theme();
    let m = f.matches();
    let typed = f.input.text().trim();
    let note = match m.as_slice() {
        [] => Span::styled("  ✖ not in the list", t.warn),
        [one, ..] if one.eq_ignore_ascii_case(typed) => Span::styled("  ✔", t.dim),
        _ => {
            let more = if m.len() > 4 { ", …" } else { "" };
            let shown = m.iter().take(4).copied().collect::<Vec<_>>().join(", ");
            Span::styled(format!("  → {}{more}", sanitize(&shown)), t.dim)
        }
    };
    let mut spans = line.spans;
    spans.push(note);
    Line::from(spans)
}

pub fn render(app: &App, form: &Form, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let (area, first_y) = layout(app, form, body);
    Clear.render(area, buf);
    let skip = if app.ask_next().is_some() {
        " · Ctrl-N skip"
    } else {
        ""
    };
    let hint = format!(" Tab next field · Enter save · Esc cancel{skip} ");
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(t.border_focus)
        .title(Line::styled(title(app, form), t.title))
        .title_bottom(Line::styled(hint, t.dim));
    let inner = block.inner(area);
    block.render(area, buf);
    let w = inner.width as usize;
    let bottom = inner.bottom();
    let mut y = inner.y;
    for l in intro(app, form, w) {
        if y >= bottom {
            return;
        }
        buf.set_line(inner.x, y, &l, inner.width);
        y += 1;
    }
    let lw = label_width(form);
    y = first_y;
    for (i, f) in form.fields.iter().enumerate() {
        if y >= bottom {
            return;
        }
        let focused = i == form.focus;
        let mark = if focused { "▶" } else { " " };
        let label = format!("{mark}{}", f.label);
        buf.set_line(inner.x, y, &Line::styled(label, t.label), lw);
        let x = inner.x + lw;
        let room = inner.width.saturating_sub(lw);
        let line = if !f.choices.is_empty() {
            let mut spans = vec![Span::styled(
                format!("◀ {} ▶", sanitize(f.value())),
                if focused { t.selected } else { t.key },
            )];
            if focused {
                spans.push(Span::styled(
                    format!("  {} choices: ←/→ or a letter", f.choices.len()),
                    t.dim,
                ));
            }
            Line::from(spans)
        } else if f.input.is_empty() {
            Line::styled(format!("_ {}", f.hint), t.dim)
        } else {
            let shown: String = sanitize(f.input.text())
                .chars()
                .skip(if focused {
                    first_shown(&f.input, room as usize)
                } else {
                    0
                })
                .collect();
            Line::raw(shown)
        };
        let line = if focused && !f.completions.is_empty() {
            with_matches(app, f, line)
        } else {
            line
        };
        buf.set_line(x, y, &line, room);
        y += 1;
    }
    for l in outro(app, form, w) {
        if y >= bottom {
            return;
        }
        buf.set_line(inner.x, y, &l, inner.width);
        y += 1;
    }
}

/// Where the terminal cursor goes: in the focused text field.
pub fn cursor(app: &App, form: &Form, body: Rect) -> Option<Position> {
    let f = form.fields.get(form.focus)?;
    if !f.choices.is_empty() {
        return None;
    }
    let (area, first_y) = layout(app, form, body);
    let inner = Block::bordered().inner(area);
    let y = first_y + form.focus as u16;
    if y >= inner.bottom() {
        return None;
    }
    let lw = label_width(form);
    let room = inner.width.saturating_sub(lw);
    if room == 0 {
        return None;
    }
    let start = first_shown(&f.input, room as usize);
    let before: String = f.input.before_cursor().chars().skip(start).collect();
    let x = inner.x + lw + (width(&before) as u16).min(room.saturating_sub(1));
    Some(Position::new(x, y))
}
