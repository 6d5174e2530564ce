//! The queue overview: every (filtered) patient × every study as a matrix of verdict glyphs
//! with the worklist status beside each, sortable by any study column — "who in my queue may
//! go to study X, and where do they stand".

use crate::text::{sanitize, truncate};
use crate::tui::app::{App, List};
use crate::tui::theme::verdict_glyph;
use crate::tui::view::{
    VisibleRow, chrome, columns, draw_note, draw_row, marker, pane, row_style, table_header,
    table_rows, too_small, visible_items,
};
use crate::tui::worklist::{StatusFilter, short_label, tiny_label};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Width of one study column in a table `w` wide.
fn study_col(app: &App, w: u16) -> u16 {
    let n = app.trials().len().max(1) as u16;
    let fixed = 1 + app.id_width() + 20 + n + 2;
    (w.saturating_sub(fixed) / n).clamp(7, 18)
}

fn widths(app: &App, w: u16) -> Vec<Constraint> {
    let mut v = vec![
        Constraint::Length(1),
        Constraint::Length(app.id_width()),
        Constraint::Fill(1),
    ];
    let cw = study_col(app, w);
    v.extend(app.trials().iter().map(|_| Constraint::Length(cw)));
    v
}

/// The study column (trial index) under a screen cell, on the header or the rows.
pub fn column_at(app: &App, area: Rect, column: u16, row: u16) -> Option<usize> {
    if too_small(area) {
        return None;
    }
    let [_, body, _] = chrome(area);
    let header = table_header(body, 0);
    let rows = table_rows(body, 0);
    let span = Rect::new(
        header.x,
        header.y,
        header.width,
        header.height + rows.height,
    );
    let cols = columns(span, &widths(app, header.width));
    cols.iter()
        .skip(3)
        .position(|c| c.contains(Position::new(column, row)))
}

pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let sorted = match app
        .overview_sort()
        .and_then(|s| app.trials().get(s.column).map(|tr| (s, tr)))
    {
        Some((s, tr)) => format!(
            "sorted by {} ({}) ",
            sanitize(&tr.short_name),
            if s.reverse {
                "ineligible first"
            } else {
                "best first"
            }
        ),
        None => "in list order ".to_string(),
    };
    let status = match app.status_filter() {
        StatusFilter::All => String::new(),
        f => format!("status: {} · ", f.label()),
    };
    let n = app.overview_rows().len();
    let title = format!(
        " Queue overview · {n} patient{} × {} studies · {status}{sorted}",
        if n == 1 { "" } else { "s" },
        app.trials().len()
    );
    let column = app
        .trials()
        .get(app.overview_column())
        .map_or(String::new(), |tr| {
            let open = tr.recruitment(app.as_of());
            let mark = if tr.is_recruiting(app.as_of()) {
                String::new()
            } else {
                format!("{} ", super::NOT_RECRUITING)
            };
            format!(
                " {} · {mark}{open} · s sorts · Enter opens ",
                sanitize(&tr.short_name)
            )
        });
    let block =
        pane(app, Line::styled(title, t.title), true).title_bottom(Line::styled(column, t.dim));
    block.render(body, buf);
    let header = table_header(body, 0);
    let rows = table_rows(body, 0);
    let ws = widths(app, header.width);
    let cw = study_col(app, header.width) as usize;
    let mut head = vec![
        Line::raw(""),
        Line::styled("ID", t.header),
        Line::styled("Name", t.header),
    ];
    for (j, tr) in app.trials().iter().enumerate() {
        let arrow = match app.overview_sort() {
            Some(s) if s.column == j => {
                if s.reverse {
                    "▲"
                } else {
                    "▼"
                }
            }
            _ => "",
        };
        let pick = if j == app.overview_column() {
            "›"
        } else {
            ""
        };
        let closed = if super::not_recruiting(app, j) {
            format!(" {}", super::NOT_RECRUITING)
        } else {
            String::new()
        };
        let room = cw.saturating_sub(pick.len().min(1) + arrow.len().min(1) + closed.len().min(2));
        let text = format!(
            "{pick}{}{closed}{arrow}",
            truncate(&super::study_name(tr), room)
        );
        let style = if j == app.overview_column() {
            t.header.patch(t.selected)
        } else {
            t.header
        };
        head.push(Line::styled(text, style));
    }
    draw_row(
        buf,
        header,
        header.y,
        &columns(header, &ws),
        &head,
        Style::new(),
    );
    if app.overview_rows().is_empty() {
        let msg = if app.patients().is_empty() {
            "No patients loaded."
        } else {
            "No patient matches the filter."
        };
        draw_note(buf, rows, msg, t.dim);
        return;
    }
    let cols = columns(rows, &ws);
    let cursor = app.cursor(List::Overview);
    for (VisibleRow { y, selected, .. }, &p) in visible_items(app.overview_rows(), cursor, rows) {
        let Some(r) = app.rows().get(p) else {
            continue;
        };
        let mut cells = vec![
            marker(selected, true),
            Line::raw(r.id.clone()),
            Line::raw(r.name.clone()),
        ];
        for j in 0..app.trials().len() {
            let status = app.status_of(p, j).map(|s| {
                let short = short_label(s);
                if 2 + short.len() <= cw {
                    short
                } else {
                    tiny_label(s)
                }
            });
            cells.push(match app.match_for(p, j) {
                Some(m) => {
                    let v = m.verdict();
                    let score = format!(" {:>3.0}%", m.score());
                    let mut spans = vec![Span::styled(verdict_glyph(v), t.verdict(v))];
                    // The score gives way to the status when both do not fit.
                    match status {
                        Some(s) if cw >= 2 + score.len() + s.len() => {
                            spans.push(Span::styled(score, t.verdict(v)));
                            spans.push(Span::styled(format!(" {s}"), t.label));
                        }
                        Some(s) => spans.push(Span::styled(format!(" {s}"), t.label)),
                        None => spans.push(Span::styled(score, t.verdict(v))),
                    }
                    Line::from(spans)
                }
                None => Line::raw(status.unwrap_or("—")),
            });
        }
        draw_row(buf, rows, y, &cols, &cells, row_style(app, selected, true));
    }
}
