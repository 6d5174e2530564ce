//! The screening funnel: a table of the studies with the count of each step (screened,
//! eligible or possible, contacted, referred, enrolled, declined), and below it the funnel
//! drawn as bars — of the selected study, or of every study side by side when they all fit —
//! with each count printed beside its bar and the most frequent reasons not eligible. Bars
//! are block characters, so the chart reads the same without colour. The numbers are those of
//! `trialmatch log` over every date (`crate::screening`).

use crate::screening::{Step, StudyFunnel, bar};
use crate::tui::app::{App, List};
use crate::tui::view::{
    VisibleRow, columns, draw_header, draw_note, draw_row, marker, pane, row_style, table_header,
    table_rows, visible_items,
};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

/// The table of studies above (one row each), the chart below.
pub fn areas(app: &App, body: Rect) -> [Rect; 2] {
    let n = app.trials().len().max(1) as u16;
    let list = (n + 3).min(body.height / 2).max(4);
    Layout::vertical([Constraint::Length(list), Constraint::Fill(1)]).areas(body)
}

/// Column headers of the table, after the marker and the study.
const HEADS: [&str; 6] = [
    "Screened",
    "Elig/poss",
    "Contacted",
    "Referred",
    "Enrolled",
    "Declined",
];

pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let [list, detail] = areas(app, body);
    let view = app.funnel_view();
    let title = format!(
        " Screening funnel · all decisions to date · verdicts as of {} ",
        app.as_of()
    );
    let bottom = match view.and_then(|v| v.note.as_deref()) {
        Some(note) => Line::styled(format!(" {note} "), t.warn),
        None => Line::styled(" for a period: trialmatch log --from --to ", t.dim),
    };
    pane(app, Line::styled(title, t.title), true)
        .title_bottom(bottom)
        .render(list, buf);
    let header = table_header(list, 0);
    let rows = table_rows(list, 0);
    let mut ws = vec![Constraint::Length(1), Constraint::Length(app.study_width())];
    ws.extend(HEADS.iter().map(|h| Constraint::Length(h.len() as u16)));
    let mut titles = vec!["", "Study"];
    titles.extend(HEADS);
    draw_header(buf, header, &ws, &titles, t.header);
    match view.and_then(|v| v.studies.as_ref()) {
        None => draw_note(buf, rows, "Reading the worklist…", t.dim),
        Some(Err(e)) => draw_note(buf, rows, e, t.warn),
        Some(Ok(_)) => {}
    }
    let cols = columns(rows, &ws);
    let cur = app.cursor(List::Funnel);
    let studies = app.funnel_studies();
    for (VisibleRow { y, selected, .. }, f) in visible_items(studies, cur, rows) {
        let mut cells = vec![marker(selected, true), Line::raw(app.study_name(f.trial))];
        // Numbers right-aligned under their headers.
        cells.extend(
            f.counts
                .iter()
                .zip(HEADS)
                .map(|(n, h)| Line::raw(format!("{n:>w$}", w = h.len()))),
        );
        draw_row(buf, rows, y, &cols, &cells, row_style(app, selected, true));
    }
    render_charts(app, studies, cur.selected, detail, buf);
}

/// The chart of the selected study, or of every study in a grid when all fit (two columns
/// from 120 cells wide), the selected one marked.
fn render_charts(
    app: &App,
    studies: &[StudyFunnel],
    selected: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let t = app.theme();
    let height = |f: &StudyFunnel| chart_lines(app, f, 40).len() as u16;
    let tallest = studies.iter().map(height).max().unwrap_or(0);
    let inner = Block::bordered().inner(area);
    let across: u16 = if inner.width >= 120 { 2 } else { 1 };
    let down = (studies.len() as u16).div_ceil(across);
    // Each chart under a heading, a blank line between rows of charts.
    let grid = studies.len() > 1 && down * (tallest + 2) <= inner.height + 1;
    let title = match studies.get(selected) {
        Some(f) if !grid => format!(" {} · funnel ", app.study_name(f.trial)),
        _ => " Funnel per study · ▶ selected ".to_string(),
    };
    pane(app, Line::styled(title, t.title), false).render(area, buf);
    if !grid {
        if let Some(f) = studies.get(selected) {
            draw_lines(buf, inner, chart_lines(app, f, inner.width as usize));
        }
        return;
    }
    let col_w = inner.width.saturating_sub(2 * (across - 1)) / across;
    for (i, f) in studies.iter().enumerate() {
        let (row, col) = (i as u16 / across, i as u16 % across);
        let cell = Rect::new(
            inner.x + col * (col_w + 2),
            inner.y + row * (tallest + 2),
            col_w,
            tallest + 1,
        )
        .intersection(inner);
        let mark = if i == selected { "▶ " } else { "  " };
        let mut lines = vec![Line::from(vec![
            Span::raw(mark),
            Span::styled(app.study_name(f.trial).to_string(), t.label),
        ])];
        lines.extend(chart_lines(app, f, col_w as usize));
        draw_lines(buf, cell, lines);
    }
}

fn draw_lines(buf: &mut Buffer, area: Rect, lines: Vec<Line<'static>>) {
    for (i, l) in lines.iter().take(area.height as usize).enumerate() {
        buf.set_line(area.x, area.y + i as u16, l, area.width);
    }
}

/// One study's chart in `w` cells: a bar per step with its count and its share of the
/// screened, a blank line, then the most frequent reasons not eligible.
fn chart_lines(app: &App, f: &StudyFunnel, w: usize) -> Vec<Line<'static>> {
    let t = app.theme();
    const LABEL: usize = 20;
    const NUMBERS: usize = 11;
    let bar_w = w.saturating_sub(LABEL + NUMBERS + 2).max(1);
    let (max, screened) = (f.max(), f.count(Step::Screened));
    let mut out: Vec<Line<'static>> = Step::ALL
        .iter()
        .map(|s| {
            let n = f.count(*s);
            let share = match s {
                Step::Screened => String::new(),
                _ if screened > 0 => format!("{:.0}%", 100.0 * n as f64 / screened as f64),
                _ => String::new(),
            };
            Line::from(vec![
                Span::styled(format!("{:<LABEL$}", s.label()), t.label),
                Span::raw(format!("{n:>5} {share:>5} ")),
                Span::raw(bar(n, max, bar_w)),
            ])
        })
        .collect();
    out.push(Line::raw(""));
    let trial = app.trials().get(f.trial);
    match trial {
        Some(trial) if !f.reasons.is_empty() => {
            out.push(Line::styled(
                format!(
                    "Most frequent reasons not eligible (of {}):",
                    f.not_eligible
                ),
                t.label,
            ));
            let ids: Vec<String> = f.reasons.iter().map(|r| r.reason.id(trial)).collect();
            let id_w = ids.iter().map(|i| i.chars().count()).max().unwrap_or(0);
            for (r, id) in f.reasons.iter().zip(ids) {
                out.push(Line::raw(format!(
                    "{:>4}  {id:<id_w$}  {}",
                    r.count,
                    r.reason.text(trial)
                )));
            }
        }
        _ => out.push(Line::styled("No screened patient was ruled out.", t.dim)),
    }
    out
}
