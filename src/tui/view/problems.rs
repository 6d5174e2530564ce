//! Problems: what went wrong while loading the data files, each at its file and line, so a
//! bad file can be fixed; the good files load regardless.

use crate::text::sanitize;
use crate::tui::app::{App, List};
use crate::tui::view::{
    VisibleRow, columns, draw_header, draw_note, draw_row, list_detail, marker, pane, row_style,
    table_header, table_rows, visible_items, wrap,
};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::Widget;

fn place(p: &crate::problem::Problem) -> String {
    let f = sanitize(&p.file);
    match (p.line, p.column) {
        (Some(l), Some(c)) => format!("{f}:{l}:{c}"),
        (Some(l), None) => format!("{f}:{l}"),
        _ => f,
    }
}

pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let [list, detail] = list_detail(body);
    let title = format!(" Problems found while loading · {} ", app.problems().len());
    pane(app, Line::styled(title, t.title), true).render(list, buf);
    let header = table_header(list, 0);
    let rows = table_rows(list, 0);
    let ws = [
        Constraint::Length(1),
        Constraint::Fill(2),
        Constraint::Fill(3),
    ];
    draw_header(
        buf,
        header,
        &ws,
        &["", "File:line:column", "Problem"],
        t.header,
    );
    if app.problems().is_empty() {
        let msg = format!(
            "No problems: {} studies and {} patients loaded cleanly.",
            app.trials().len(),
            app.patients().len()
        );
        draw_note(buf, rows, &msg, t.dim);
    }
    let cols = columns(rows, &ws);
    let cur = app.cursor(List::Problems);
    for (VisibleRow { y, selected, .. }, p) in visible_items(app.problems(), cur, rows) {
        let cells = [
            marker(selected, true),
            Line::raw(place(p)),
            Line::styled(sanitize(&p.message), t.warn),
        ];
        draw_row(buf, rows, y, &cols, &cells, row_style(app, selected, true));
    }
    let block = pane(app, Line::styled(" Selected problem ", t.title), false);
    let inner = block.inner(detail);
    block.render(detail, buf);
    if let Some(p) = app.problems().get(cur.selected) {
        let text = format!("{}: {}", place(p), sanitize(&p.message));
        for (i, l) in wrap(&text, inner.width as usize)
            .iter()
            .take(inner.height as usize)
            .enumerate()
        {
            buf.set_line(
                inner.x,
                inner.y + i as u16,
                &Line::raw(l.clone()),
                inner.width,
            );
        }
    }
}
