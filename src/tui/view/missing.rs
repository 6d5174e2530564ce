//! Missing data: every fact missing for one patient, with the criteria and studies it blocks,
//! most decisive first — the list of what to ask the referring clinician for. Facts that only
//! concern studies or cohorts already ruled out are folded into one last row until its key
//! (or Enter on that row) shows them.

use crate::missing::MissingFact;
use crate::text::sanitize;
use crate::tui::action::Action;
use crate::tui::app::{App, List};
use crate::tui::keymap::{self, Context};
use crate::tui::view::{
    VisibleRow, columns, draw_header, draw_note, draw_row, list_detail, marker, pane, row_style,
    table_header, table_rows, visible_rows,
};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

fn study(app: &App, t: usize) -> String {
    app.trials()
        .get(t)
        .map_or("?".into(), |t| sanitize(&t.short_name))
}

pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let t = app.theme();
    let [list, detail] = list_detail(body);
    let who = app
        .rows()
        .get(app.missing_patient())
        .map_or(String::new(), |r| format!(" · {} {}", r.id, r.name));
    let facts = app.missing_rows();
    let folded = app.missing_folded();
    let total = app.missing_list().len();
    let title = if folded > 0 {
        format!(
            " Missing data{who} · {} of {total} facts, most decisive first ",
            facts.len()
        )
    } else {
        format!(" Missing data{who} · {total} facts, most decisive first ")
    };
    pane(app, Line::styled(title, t.title), true).render(list, buf);
    let header = table_header(list, 0);
    let rows = table_rows(list, 0);
    let ws = [
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Fill(2),
    ];
    draw_header(
        buf,
        header,
        &ws,
        &["", "#", "Missing fact", "Could change", "Blocks"],
        t.header,
    );
    if total == 0 {
        let msg = "Nothing is missing: every criterion of every study is decided for this patient.";
        draw_note(buf, rows, msg, t.dim);
    }
    let cols = columns(rows, &ws);
    let cur = app.cursor(List::Missing);
    let len = facts.len() + usize::from(folded > 0);
    let key = keymap::key_for(Context::List(List::Missing), Action::RuledOutFacts);
    for row in visible_rows(cur, len, rows) {
        match facts.get(row.index) {
            Some(f) => fact_row(app, buf, rows, &cols, row, f),
            // The row that stands for the folded facts, after the others.
            None => {
                let more = if facts.is_empty() {
                    "No missing fact could change a verdict:"
                } else {
                    "+"
                };
                let text = format!(
                    "{more} {folded} {} only for studies already ruled out — {key} shows {}",
                    if folded == 1 { "fact" } else { "facts" },
                    if folded == 1 { "it" } else { "them" },
                );
                let VisibleRow { y, selected, .. } = row;
                buf.set_style(
                    Rect::new(rows.x, y, rows.width, 1),
                    row_style(app, selected, true),
                );
                buf.set_line(rows.x, y, &marker(selected, true), 1);
                let x = cols.get(2).map_or(rows.x + 2, |c| c.x);
                buf.set_line(
                    x,
                    y,
                    &Line::styled(text, t.dim),
                    rows.right().saturating_sub(x),
                );
            }
        }
    }

    // What the selected fact blocks, criterion by criterion; on the folded row, what it holds.
    let title = if cur.selected < facts.len() {
        " Blocked criteria · Enter opens the first "
    } else {
        " Folded facts · Enter lists them "
    };
    let block = pane(app, Line::styled(title, t.title), false);
    let inner = block.inner(detail);
    block.render(detail, buf);
    let Some(f) = facts.get(cur.selected) else {
        if folded > 0 {
            let text = format!(
                "These facts only concern studies or cohorts that a failing criterion already \
                 rules out: knowing them changes no verdict. {key} or Enter lists them; {key} \
                 again folds them."
            );
            for (i, l) in super::wrap(&text, inner.width as usize)
                .into_iter()
                .take(inner.height as usize)
                .enumerate()
            {
                buf.set_line(
                    inner.x,
                    inner.y + i as u16,
                    &Line::styled(l, t.dim),
                    inner.width,
                );
            }
        }
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    let width = inner.width as usize;
    // A judgement to ask for: the question in words, from the criterion's text and note.
    if let Some(what) = f.fact.strip_prefix("clinician attestation for ") {
        let (id, part) = match what.split_once(" (") {
            Some((id, part)) => (id, Some(part.trim_end_matches(')'))),
            None => (what, None),
        };
        let criterion = f.blocks.iter().find_map(|(ti, _, cid)| {
            (cid == id)
                .then(|| app.trials().get(*ti)?.criteria.iter().find(|c| c.id == id))
                .flatten()
        });
        if let Some(c) = criterion {
            let ask = match part {
                Some(p) => format!("Ask the investigator ({id}, {p}):"),
                None => format!("Ask the investigator ({id}): is this met?"),
            };
            lines.push(Line::styled(ask, t.label));
            for l in super::wrap(&sanitize(&c.text), width) {
                lines.push(Line::raw(l));
            }
            if let Some(note) = &c.note {
                for l in super::wrap(&format!("How it is read: {}", sanitize(note)), width) {
                    lines.push(Line::styled(l, t.dim));
                }
            }
            lines.push(Line::raw(""));
        }
    }
    for (ti, cohort, cid) in &f.blocks {
        let text = app
            .trials()
            .get(*ti)
            .and_then(|tr| tr.criteria.iter().find(|c| &c.id == cid))
            .map_or(String::new(), |c| sanitize(&c.text));
        let head = format!(
            "{} · {}{} ",
            study(app, *ti),
            sanitize(cid),
            cohort
                .as_deref()
                .map_or(String::new(), |c| format!(" ({})", sanitize(c)))
        );
        lines.push(Line::from(vec![
            Span::styled(head, t.label),
            Span::raw(text),
        ]));
    }
    let shown = inner.height as usize;
    let cut = lines.len() > shown;
    for (i, l) in lines.iter().take(shown).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
        // Text cut at the pane's edge ends with "…".
        if l.width() > width && width > 0 {
            buf.set_string(inner.x + inner.width - 1, inner.y + i as u16, "…", t.dim);
        }
    }
    if cut && shown > 0 {
        buf.set_string(
            inner.x + inner.width.saturating_sub(1),
            inner.bottom() - 1,
            "…",
            t.dim,
        );
    }
}

/// One missing fact's row: the fact, the studies it could change, the criteria it blocks.
fn fact_row(
    app: &App,
    buf: &mut Buffer,
    rows: Rect,
    cols: &[Rect],
    row: VisibleRow,
    f: &MissingFact,
) {
    let t = app.theme();
    let VisibleRow {
        index: n,
        y,
        selected,
    } = row;
    let decisive = if f.decisive_for.is_empty() {
        Line::styled("— (already ruled out)", t.dim)
    } else {
        Line::styled(
            f.decisive_for
                .iter()
                .map(|&i| study(app, i))
                .collect::<Vec<_>>()
                .join(", "),
            t.possible,
        )
    };
    // Criterion ids grouped by study: "KN5501 SLE: S-E1 S-E9; …".
    let mut groups: Vec<(usize, Vec<String>)> = Vec::new();
    for (ti, _, cid) in &f.blocks {
        match groups.iter_mut().find(|g| g.0 == *ti) {
            Some(g) => g.1.push(sanitize(cid)),
            None => groups.push((*ti, vec![sanitize(cid)])),
        }
    }
    let wide = rows.width >= 120;
    let blocks = groups
        .iter()
        .map(|(ti, ids)| {
            if wide {
                format!("{} {}", ids.join(" "), study(app, *ti))
            } else {
                ids.join(" ")
            }
        })
        .collect::<Vec<_>>()
        .join(if wide { "; " } else { " " });
    let cells = [
        marker(selected, true),
        Line::raw(format!("{:>2}", n + 1)),
        Line::raw(sanitize(&f.fact)),
        decisive,
        Line::raw(blocks),
    ];
    draw_row(buf, rows, y, cols, &cells, row_style(app, selected, true));
}
