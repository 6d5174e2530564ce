//! Help: a table generated from the keymap (never a hand-written string), so every key shown
//! is a key that works; plus the legend of the verdict glyphs.

use crate::tui::app::{App, List};
use crate::tui::keymap::help_rows;
use crate::tui::view::{
    VisibleRow, columns, draw_header, draw_row, marker, pane, row_style, table_header, table_rows,
    visible_items,
};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::Widget;

pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let rows_data = help_rows();
    let legend = " ✔ eligible · ? possible (criteria unknown) · ✖ ineligible · Esc closes ";
    pane(
        app,
        Line::styled(" Help · every key, from the keymap ", t.title),
        true,
    )
    .title_bottom(Line::styled(legend, t.dim))
    .render(body, buf);
    let header = table_header(body, 0);
    let rows = table_rows(body, 0);
    let ws = [
        Constraint::Length(1),
        Constraint::Length(15),
        Constraint::Length(12),
        Constraint::Fill(1),
    ];
    draw_header(
        buf,
        header,
        &ws,
        &["", "Where", "Keys", "What it does"],
        t.header,
    );
    let cols = columns(rows, &ws);
    let cursor = app.cursor(List::Help);
    for (row, (ctx, keys, desc)) in visible_items(&rows_data, cursor, rows) {
        let VisibleRow {
            index: n,
            y,
            selected,
        } = row;
        // The context is named on its first row, and on the top row of the window.
        let first = n == 0 || rows_data.get(n - 1).is_some_and(|p| p.0 != *ctx) || y == rows.y;
        let cells = [
            marker(selected, true),
            Line::styled(if first { ctx.title() } else { "" }, t.label),
            Line::styled(keys.clone(), t.key),
            Line::raw(*desc),
        ];
        draw_row(buf, rows, y, &cols, &cells, row_style(app, selected, true));
    }
}
