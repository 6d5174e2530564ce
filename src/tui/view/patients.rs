//! The patient list: the referral queue, best match first, with the fuzzy filter's matched
//! characters highlighted and each patient's worklist status (for the best-match study beside
//! it, or the one the status filter asks for; "+n" for more studies with a status). Names come
//! before diagnoses when the width is short. Only the visible window of rows is built.

use crate::tui::app::{App, List};
use crate::tui::theme::verdict_glyph;
use crate::tui::view::{
    VisibleRow, columns, draw_note, draw_row, highlighted, marker, pane, row_style, table_header,
    table_rows, visible_items,
};
use crate::tui::worklist::{StatusFilter, tiny_label};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Column widths: marker, id, name, sex/age, main diagnosis, best match, worklist.
pub fn widths(app: &App) -> [Constraint; 7] {
    [
        Constraint::Length(1),
        Constraint::Length(app.id_width()),
        // A name of 22 characters shows whole before the diagnosis takes the rest.
        Constraint::Length(22),
        Constraint::Length(5),
        Constraint::Fill(1),
        // Glyph, space, the study's name, space, the not-recruiting mark.
        Constraint::Length(app.study_width() + 4),
        Constraint::Length(12),
    ]
}

/// The list's title: how many, and the filters in force.
fn title(app: &App) -> String {
    let status = match app.status_filter() {
        StatusFilter::All => String::new(),
        f => format!(" · status: {}", f.label()),
    };
    if app.filter().is_empty() && status.is_empty() {
        format!(
            " Patients ({}) · best match first ",
            app.visible_patients().len()
        )
    } else if app.filter().is_empty() {
        format!(
            " Patients: {} of {}{status} ",
            app.visible_patients().len(),
            app.patients().len()
        )
    } else {
        format!(
            " Patients: {} of {} match /{}{status} ",
            app.visible_patients().len(),
            app.patients().len(),
            app.filter()
        )
    }
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let focused = app.focus() == List::Patients || app.typing_filter();
    let mut block = pane(app, Line::styled(title(app), t.title), focused);
    if (0..app.trials().len()).any(|j| super::not_recruiting(app, j)) {
        block = block.title_bottom(Line::styled(
            format!(
                " {} not recruiting on {} (stated status or end date) · Enter shows it ",
                super::NOT_RECRUITING,
                app.as_of()
            ),
            t.dim,
        ));
    }
    block.render(area, buf);
    let header = table_header(area, 0);
    let rows = table_rows(area, 0);
    let ws = widths(app);
    let hcols = columns(header, &ws);
    let diagnosis = if app.filter().is_empty() {
        "Main diagnosis"
    } else {
        "Diagnosis (best match to filter)"
    };
    let head: Vec<Line> = ["", "ID", "Name", "Sex", diagnosis, "Best match", "Worklist"]
        .iter()
        .map(|h| Line::styled(*h, t.header))
        .collect();
    draw_row(buf, header, header.y, &hcols, &head, Style::new());
    if app.visible_patients().is_empty() {
        let msg = if app.patients().is_empty() {
            "No patients loaded. Put patient files in ./sample-patients or pass --patients."
        } else if app.status_filter() != StatusFilter::All {
            "No patient matches the status filter. S changes it, Esc clears filters."
        } else {
            "No patient matches the filter. Esc clears it."
        };
        draw_note(buf, rows, msg, t.dim);
        return;
    }
    let cols = columns(rows, &ws);
    let cursor = app.cursor(List::Patients);
    for (VisibleRow { y, selected, .. }, &p) in visible_items(app.visible_patients(), cursor, rows)
    {
        let Some(r) = app.rows().get(p) else {
            continue;
        };
        let study = r.best.map_or("", |(_, t)| app.study_name(t));
        let best = match r.best {
            Some((v, j)) => {
                let mut spans = vec![
                    Span::styled(format!("{} ", verdict_glyph(v)), t.verdict(v)),
                    Span::raw(study.to_string()),
                ];
                if super::not_recruiting(app, j) {
                    spans.push(Span::styled(format!(" {}", super::NOT_RECRUITING), t.dim));
                }
                Line::from(spans)
            }
            None => Line::styled("no study", t.dim),
        };
        let best = highlight_study(app, best, study);
        let cells = [
            marker(selected, focused),
            highlighted(app, &r.id, &app.highlight(&r.id), Style::new()),
            highlighted(app, &r.name, &app.highlight(&r.name), Style::new()),
            Line::raw(r.sex_age.clone()),
            {
                let d = app.shown_diagnosis(r);
                highlighted(app, d, &app.highlight(d), Style::new())
            },
            best,
            match app.list_status(p) {
                (Some(s), 0) => Line::styled(tiny_label(s), t.label),
                (Some(s), more) => Line::from(vec![
                    Span::styled(tiny_label(s), t.label),
                    Span::styled(format!(" +{more}"), t.dim),
                ]),
                (None, 0) => Line::styled("—", t.dim),
                (None, more) => Line::styled(format!("— +{more}"), t.dim),
            },
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

/// The best-match cell with the filter's matches in the study name highlighted.
fn highlight_study(app: &App, line: Line<'static>, study: &str) -> Line<'static> {
    let idx = app.highlight(study);
    if idx.is_empty() || line.spans.len() != 2 {
        return line;
    }
    let mut spans = vec![line.spans[0].clone()];
    spans.extend(highlighted(app, study, &idx, Style::new()).spans);
    Line::from(spans)
}
