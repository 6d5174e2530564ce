//! The match table: the selected patient's studies ranked, one row each — verdict glyph and
//! colour, pass/fail/unknown counts, a score bar, the worklist status, whether the study is
//! recruiting (or its stated end date has passed) and the site — so the best fit, and what has
//! been done about it, is read at a glance.

use crate::text::sanitize;
use crate::tui::app::{App, List};
use crate::tui::theme::{bar, verdict_glyph};
use crate::tui::view::{
    VisibleRow, columns, draw_header, draw_note, draw_row, marker, pane, row_style, table_header,
    table_rows, visible_items,
};
use crate::tui::worklist::short_label;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Width of the score bar for a table this wide (none in a narrow one: the worklist status
/// needs the room more).
fn bar_width(w: u16) -> usize {
    match w {
        120.. => 10,
        100.. => 5,
        _ => 0,
    }
}

/// Column widths: marker, rank, study, cohort, verdict, counts, score, worklist, site.
pub fn widths(app: &App, w: u16) -> [Constraint; 9] {
    let wide = w >= 120;
    let bar = bar_width(w) as u16;
    [
        Constraint::Length(1),
        Constraint::Length(1),
        // The study's name, space, the not-recruiting mark.
        Constraint::Length(app.study_width() + 2),
        Constraint::Length(8),
        Constraint::Length(12),
        Constraint::Length(if wide { 14 } else { 8 }),
        Constraint::Length(if bar == 0 { 5 } else { bar + 5 }),
        Constraint::Length(12),
        Constraint::Fill(1),
    ]
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let focused = app.focus() == List::Matches && !app.typing_filter();
    let who = app
        .selected_patient()
        .and_then(|p| app.rows().get(p))
        .map_or(String::new(), |r| format!(" for {} · {}", r.id, r.name));
    pane(
        app,
        Line::styled(format!(" Studies{who} "), t.title),
        focused,
    )
    .render(area, buf);
    let header = table_header(area, 0);
    let rows = table_rows(area, 0);
    let wide = rows.width >= 120;
    let ws = widths(app, rows.width);
    draw_header(
        buf,
        header,
        &ws,
        &[
            "",
            "#",
            "Study",
            "Cohort",
            "Verdict",
            if wide { "Pass Fail Unk" } else { "P/F/U" },
            "Score",
            "Worklist",
            "Recruitment · site",
        ],
        t.header,
    );
    let matches = app.selected_matches();
    if matches.is_empty() {
        let msg = if app.trials().is_empty() {
            "No studies loaded."
        } else {
            "No patient selected."
        };
        draw_note(buf, rows, msg, t.dim);
        return;
    }
    let cols = columns(rows, &ws);
    let patient = app.selected_patient();
    let cursor = app.cursor(List::Matches);
    for (row, m) in visible_items(matches, cursor, rows) {
        let Some(trial) = app.trials().get(m.trial) else {
            continue;
        };
        let c = m.counts;
        let v = m.verdict();
        let VisibleRow {
            index: n,
            y,
            selected,
        } = row;
        let counts = if wide {
            format!("{:>4} {:>4} {:>3}", c.pass, c.fail, c.unknown)
        } else {
            format!("{}/{}/{}", c.pass, c.fail, c.unknown)
        };
        let cells = [
            marker(selected, focused),
            Line::raw((n + 1).to_string()),
            if super::not_recruiting(app, m.trial) {
                Line::from(vec![
                    Span::raw(super::study_name(trial)),
                    Span::styled(format!(" {}", super::NOT_RECRUITING), t.dim),
                ])
            } else {
                Line::raw(super::study_name(trial))
            },
            Line::raw(sanitize(app.cohort_id(m).unwrap_or("—"))),
            Line::from(Span::styled(
                format!("{} {}", verdict_glyph(v), v.as_str()),
                t.verdict(v),
            )),
            Line::raw(counts),
            Line::from(vec![
                Span::styled(bar(m.score(), bar_width(rows.width)), t.verdict(v)),
                Span::raw(format!("{:>4.0}%", m.score())),
            ]),
            match patient.and_then(|p| app.status_of(p, m.trial)) {
                Some(s) => Line::styled(short_label(s), t.label),
                None => Line::styled("—", t.dim),
            },
            Line::from(vec![
                Span::styled(format!("{} · ", trial.recruitment(app.as_of())), t.dim),
                Span::raw(sanitize(&trial.site_line())),
            ]),
        ];
        draw_row(
            buf,
            rows,
            y,
            &cols,
            &cells,
            row_style(app, selected, focused),
        );
    }
}
