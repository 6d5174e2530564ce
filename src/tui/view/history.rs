//! The worklist history of one patient: every recorded status change, oldest first (the newest
//! last, selected when it opens), with who made it and why; the selected entry's whole note
//! below. Times are shown in the local zone. A change withdrawn as entered in error keeps its
//! row, struck through and marked "withdrawn (entered in error)" in words, so it reads the
//! same without colour; the detail says who withdrew it, when and why.

use crate::text::sanitize;
use crate::tui::app::{App, List};
use crate::tui::view::{
    VisibleRow, columns, draw_header, draw_note, draw_row, list_detail, marker, pane, row_style,
    table_header, table_rows, visible_items, wrap,
};
use crate::tui::worklist::short_label;
use crate::worklist::print::WITHDRAWN;
use crate::worklist::{Decision, Withdrawal};
use chrono::{DateTime, Local, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// "2026-11-22 09:30" in the app's zone (the local one unless a test fixed it).
pub fn when(app: &App, at: DateTime<Utc>) -> String {
    const FORMAT: &str = "%Y-%m-%d %H:%M";
    match app.worklist.zone {
        Some(z) => at.with_timezone(&z).format(FORMAT).to_string(),
        None => at.with_timezone(&Local).format(FORMAT).to_string(),
    }
}

/// A study id as the screen names it: its short name when loaded.
fn study(app: &App, trial_id: &str) -> String {
    match app.trials().iter().position(|t| t.id == trial_id) {
        Some(t) => app.study_name(t).to_string(),
        None => sanitize(trial_id),
    }
}

pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let [list, detail] = list_detail(body);
    let Some(h) = &app.worklist.history else {
        return;
    };
    let who = app
        .rows()
        .get(h.patient)
        .map_or(String::new(), |r| format!("{} {}", r.id, r.name));
    let (scope, other) = match h.study {
        Some(s) if h.only_study => (
            format!("{} only", app.study_name(s)),
            " · a: all studies".to_string(),
        ),
        Some(s) => (
            "all studies".to_string(),
            format!(" · a: only {}", app.study_name(s)),
        ),
        None => ("all studies".to_string(), String::new()),
    };
    let rows_data = app.history_rows();
    let title = format!(" History · {who} · {scope} ");
    pane(app, Line::styled(title, t.title), true)
        .title_bottom(Line::styled(format!(" oldest first{other} "), t.dim))
        .render(list, buf);
    let header = table_header(list, 0);
    let rows = table_rows(list, 0);
    let wide = rows.width >= 120;
    let ws = [
        Constraint::Length(1),
        Constraint::Length(5),
        Constraint::Length(16),
        Constraint::Length(app.study_width()),
        Constraint::Length(if wide { 19 } else { 12 }),
        Constraint::Length(if wide { 16 } else { 8 }),
        Constraint::Fill(1),
    ];
    draw_header(
        buf,
        header,
        &ws,
        &["", "#", "When", "Study", "Status", "Who", "Note"],
        t.header,
    );
    match &h.entries {
        None => draw_note(buf, rows, "Reading the worklist…", t.dim),
        Some(Err(e)) => draw_note(buf, rows, e, t.warn),
        Some(Ok(_)) if rows_data.is_empty() => {
            let msg = if h.only_study {
                "No decisions recorded for this study yet."
            } else {
                "No decisions recorded for this patient yet."
            };
            draw_note(buf, rows, msg, t.dim);
        }
        Some(Ok(_)) => {}
    }
    let cols = columns(rows, &ws);
    let withdrawn = |seq: i64| match &h.entries {
        Some(Ok(history)) => history.withdrawal_of(seq),
        _ => None,
    };
    let struck = t.dim.add_modifier(Modifier::CROSSED_OUT);
    let cur = app.cursor(List::History);
    for (VisibleRow { y, selected, .. }, d) in visible_items(&rows_data, cur, rows) {
        let status = if wide {
            d.status.label()
        } else {
            short_label(d.status)
        };
        let (status, note) = match withdrawn(d.seq) {
            None => (Line::styled(status, t.label), Line::raw(sanitize(&d.note))),
            Some(_) => (
                Line::styled(status, struck),
                Line::from(vec![
                    Span::styled(format!("{WITHDRAWN} "), t.warn),
                    Span::styled(sanitize(&d.note), struck),
                ]),
            ),
        };
        let cells = [
            marker(selected, true),
            Line::raw(d.seq.to_string()),
            Line::raw(when(app, d.at)),
            Line::raw(study(app, &d.trial)),
            status,
            Line::raw(sanitize(&d.who)),
            note,
        ];
        draw_row(buf, rows, y, &cols, &cells, row_style(app, selected, true));
    }
    let block = pane(app, Line::styled(" Selected change ", t.title), false);
    let inner = block.inner(detail);
    block.render(detail, buf);
    if let Some(d) = rows_data.get(cur.selected) {
        for (i, l) in detail_lines(app, d, withdrawn(d.seq), inner.width as usize)
            .into_iter()
            .take(inner.height as usize)
            .enumerate()
        {
            buf.set_line(inner.x, inner.y + i as u16, &l, inner.width);
        }
    }
}

/// The selected change in full: what, when, who, whether and why it was withdrawn, then the
/// note wrapped.
fn detail_lines(
    app: &App,
    d: &Decision,
    withdrawn: Option<&Withdrawal>,
    w: usize,
) -> Vec<Line<'static>> {
    let t = app.theme();
    let head = format!(
        "{} → {} · {} · by {}",
        study(app, &d.trial),
        d.status.label(),
        when(app, d.at),
        sanitize(&d.who)
    );
    let mut out = Vec::new();
    match withdrawn {
        None => out.push(Line::styled(head, t.label)),
        Some(x) => {
            out.push(Line::styled(
                head,
                t.label.add_modifier(Modifier::CROSSED_OUT),
            ));
            let why = if x.note.is_empty() {
                String::new()
            } else {
                format!(": {}", sanitize(&x.note))
            };
            let text = format!(
                "{} · #{} · {} · by {}{why}",
                upper_first(WITHDRAWN),
                x.seq,
                when(app, x.at),
                sanitize(&x.who)
            );
            out.extend(wrap(&text, w).into_iter().map(|l| Line::styled(l, t.warn)));
        }
    }
    if d.note.is_empty() {
        out.push(Line::styled("(no note)", t.dim));
    } else {
        let style = match withdrawn {
            Some(_) => t.dim.add_modifier(Modifier::CROSSED_OUT),
            None => ratatui::style::Style::new(),
        };
        out.extend(
            wrap(&sanitize(&d.note), w)
                .into_iter()
                .map(|l| Line::styled(l, style)),
        );
    }
    out
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
