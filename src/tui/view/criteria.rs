//! The criterion drill-down: every criterion of one cohort of one study for one patient —
//! state, kind, the verbatim source text — and, for the selected criterion, the reason with
//! its evidence, the missing facts, the rule and its note. Filters: only failing / unknown.

use crate::rank::State;
use crate::text::sanitize;
use crate::tui::app::{App, List, Show};
use crate::tui::theme::{state_glyph, verdict_glyph};
use crate::tui::view::{
    VisibleRow, columns, draw_row, list_detail, marker, pane, row_style, visible_items, wrap,
    wrap_source,
};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

/// Where the drill-down's parts go.
pub struct Areas {
    pub list: Rect,
    /// Two lines: cohorts, then the filter.
    pub info: Rect,
    pub header: Rect,
    pub rows: Rect,
    pub detail: Rect,
}

pub fn areas(body: Rect) -> Areas {
    let [list, detail] = list_detail(body);
    let inner = Block::bordered().inner(list);
    let info_h = inner.height.min(2);
    let info = Rect::new(inner.x, inner.y, inner.width, info_h);
    let header = Rect::new(
        inner.x,
        inner.y + info_h,
        inner.width,
        (inner.height - info_h).min(1),
    );
    let top = info_h + header.height;
    let rows = Rect::new(inner.x, inner.y + top, inner.width, inner.height - top);
    Areas {
        list,
        info,
        header,
        rows,
        detail,
    }
}

fn widths(w: u16) -> Vec<Constraint> {
    let mut v = vec![
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(6),
        Constraint::Length(if w >= 120 { 9 } else { 4 }),
        Constraint::Fill(3),
    ];
    if w >= 120 {
        v.push(Constraint::Fill(2));
    }
    v
}

pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let a = areas(body);
    let Some(m) = app.drill_match() else {
        return;
    };
    let Some(trial) = app.trials().get(m.trial) else {
        return;
    };
    let Some(cohort) = m.cohorts.get(app.drill().cohort) else {
        return;
    };
    let who = app
        .rows()
        .get(app.drill().patient)
        .map_or(String::new(), |r| format!(" · {} {}", r.id, r.name));
    let unreadable = trial.unreadable();
    let warning = if unreadable > 0 {
        format!(
            " · ⚠ {unreadable} rule{} could not be read (check)",
            if unreadable == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let title = format!(" Criteria · {}{who}{warning} ", sanitize(&trial.short_name));
    pane(app, Line::styled(title, t.title), true).render(a.list, buf);

    // Cohorts: the chosen one in brackets, each with its verdict glyph.
    let mut spans = vec![Span::styled("Cohort ←→ ", t.label)];
    for (i, c) in m.cohorts.iter().enumerate() {
        let v = c.verdict();
        let name = sanitize(c.cohort.as_deref().unwrap_or("one population"));
        let text = if i == app.drill().cohort {
            format!(
                "[{name} {} {}/{}/{}]",
                verdict_glyph(v),
                c.counts.pass,
                c.counts.fail,
                c.counts.unknown
            )
        } else {
            format!(" {name} {} ", verdict_glyph(v))
        };
        let style = if i == app.drill().cohort {
            t.verdict(v).patch(t.title)
        } else {
            t.verdict(v)
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    if let Some(name) = cohort
        .cohort
        .as_deref()
        .and_then(|id| trial.cohorts.iter().find(|c| c.id == id))
        .map(|c| sanitize(&c.name))
    {
        spans.push(Span::styled(name, t.dim));
    }
    buf.set_line(a.info.x, a.info.y, &Line::from(spans), a.info.width);
    if a.info.height > 1 {
        let c = cohort.counts;
        let shown = match app.criteria_shown() {
            Show::All => "all",
            Show::Failing => "failing only",
            Show::Unknown => "unknown only",
        };
        let line = Line::from(vec![
            Span::styled("Showing ", t.label),
            Span::styled(format!("{shown} ({})", app.drill_rows().len()), t.title),
            Span::raw(format!(
                " · f: ✖ {} failing · u: ? {} unknown · a: all {}",
                c.fail,
                c.unknown,
                c.total()
            )),
        ]);
        buf.set_line(a.info.x, a.info.y + 1, &line, a.info.width);
    }

    let ws = widths(a.rows.width);
    let wide = a.rows.width >= 120;
    let mut head = vec!["", "", "ID", "Kind", "Source text (verbatim)"];
    if wide {
        head.push("Reason and evidence");
    }
    let head: Vec<Line> = head.iter().map(|h| Line::styled(*h, t.header)).collect();
    draw_row(
        buf,
        a.header,
        a.header.y,
        &columns(a.header, &ws),
        &head,
        Style::new(),
    );

    let rows = app.drill_rows();
    if rows.is_empty() {
        buf.set_line(
            a.rows.x + 2,
            a.rows.y,
            &Line::styled("No criterion in this view. Press a to show all.", t.dim),
            a.rows.width.saturating_sub(2),
        );
    }
    let cols = columns(a.rows, &ws);
    let cur = app.cursor(List::Criteria);
    for (VisibleRow { y, selected, .. }, r) in visible_items(&rows, cur, a.rows) {
        let Some(c) = trial.criteria.get(r.index) else {
            continue;
        };
        let kind = if wide {
            c.kind.as_str()
        } else {
            &c.kind.as_str()[..4]
        };
        let mut cells = vec![
            marker(selected, true),
            Line::styled(state_glyph(r.state), t.state(r.state)),
            Line::raw(sanitize(&c.id)),
            Line::raw(kind),
            Line::raw(sanitize(&c.text)),
        ];
        if wide {
            cells.push(Line::styled(sanitize(&r.reason), t.dim));
        }
        draw_row(
            buf,
            a.rows,
            y,
            &cols,
            &cells,
            row_style(app, selected, true),
        );
    }

    // Detail of the selected criterion.
    let Some(r) = rows.get(cur.selected.min(rows.len().saturating_sub(1))) else {
        Block::bordered()
            .border_style(t.border)
            .render(a.detail, buf);
        return;
    };
    let Some(c) = trial.criteria.get(r.index) else {
        return;
    };
    let cohort_name = c
        .cohort
        .as_deref()
        .map_or("common to every cohort".to_string(), |x| {
            format!("cohort {}", sanitize(x))
        });
    let dtitle = format!(
        " {} · {} · {cohort_name} ",
        sanitize(&c.id),
        c.kind.as_str()
    );
    let block = pane(app, Line::styled(dtitle, t.title), false);
    let inner = block.inner(a.detail);
    block.render(a.detail, buf);
    let w = inner.width as usize;
    let lines = detail_lines(app, c, r, w);
    for (i, l) in lines.iter().take(inner.height as usize).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
    }
}

fn detail_lines(
    app: &App,
    c: &crate::trial::Criterion,
    r: &crate::rank::CriterionResult,
    w: usize,
) -> Vec<Line<'static>> {
    let t = app.theme();
    const LW: usize = 8;
    let vw = w.saturating_sub(LW).max(10);
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut add = |label: &str, lines: Vec<String>, style: Style| {
        for (i, l) in lines.into_iter().enumerate() {
            let lab = if i == 0 {
                format!("{label:<LW$}")
            } else {
                " ".repeat(LW)
            };
            out.push(Line::from(vec![
                Span::styled(lab, t.label),
                Span::styled(l, style),
            ]));
        }
    };
    let state = match r.state {
        State::Pass => "pass",
        State::Fail => "fail",
        State::Unknown => "unknown",
    };
    add(
        "State",
        wrap(
            &format!("{} {state}: {}", state_glyph(r.state), sanitize(&r.reason)),
            vw,
        ),
        t.state(r.state),
    );
    if !r.missing.is_empty() {
        add(
            "Missing",
            wrap(&sanitize(&r.missing.join("; ")), vw),
            t.possible,
        );
    }
    add("Source", wrap_source(&c.text, vw), Style::new());
    add("Rule", wrap_source(&c.rule_text, vw), t.dim);
    if let Some(n) = &c.note {
        add("Note", wrap_source(n, vw), t.dim);
    }
    out
}
