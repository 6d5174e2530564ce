//! Contacts: whom to call about a study — its sites, investigators, phone and email, registry
//! and sponsor ids, recruitment status and regimen — saying "not stated in source" for every
//! absent fact, and listing registry facts separately with their source.

use crate::text::sanitize;
use crate::trial::{NOT_STATED, Trial};
use crate::tui::app::{App, List};
use crate::tui::view::{labelled, pane, wrap};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

const LW: usize = 22;

fn or_not_stated(v: &Option<String>) -> String {
    v.as_deref().map_or(NOT_STATED.to_string(), sanitize)
}

fn section(app: &App, name: &str) -> Vec<Line<'static>> {
    vec![
        Line::raw(""),
        Line::styled(name.to_string(), app.theme().header),
    ]
}

fn field(app: &App, label: &str, v: &Option<String>, w: usize) -> Vec<Line<'static>> {
    let style = if v.is_some() {
        Style::new()
    } else {
        app.theme().dim
    };
    labelled(app, label, &or_not_stated(v), LW, w, style)
}

/// Every line of the contacts screen for the chosen study, wrapped to `w` columns.
pub fn lines(app: &App, w: u16) -> Vec<Line<'static>> {
    let Some(t) = app.trials().get(app.contacts_trial()) else {
        return vec![Line::styled("No studies loaded.", app.theme().dim)];
    };
    study_lines(app, t, w as usize)
}

fn study_lines(app: &App, t: &Trial, w: usize) -> Vec<Line<'static>> {
    let th = app.theme();
    let m = &t.meta;
    let mut out: Vec<Line<'static>> = wrap(&sanitize(&t.title), w)
        .into_iter()
        .map(|l| Line::styled(l, th.title))
        .collect();
    out.push(Line::raw(""));
    out.extend(labelled(
        app,
        "Study id",
        &sanitize(&t.id),
        LW,
        w,
        Style::new(),
    ));
    out.extend(field(app, "Registry id", &m.registry_id, w));
    out.extend(field(app, "Sponsor study id", &m.sponsor_id, w));
    out.extend(field(app, "Recruitment status", &m.status, w));
    out.extend(field(app, "Phase", &m.phase, w));
    out.extend(field(app, "Enrollment", &m.enrollment, w));
    out.extend(field(app, "Sponsor", &m.sponsor, w));
    out.extend(field(
        app,
        "Principal investigator",
        &m.principal_investigator,
        w,
    ));
    out.extend(field(app, "Intervention", &m.intervention, w));
    out.extend(field(app, "Lymphodepletion", &m.lymphodepletion, w));
    out.extend(field(app, "Age range", &m.age_range, w));
    let conditions = (!m.conditions.is_empty()).then(|| m.conditions.join("; "));
    out.extend(field(app, "Conditions", &conditions, w));
    out.extend(labelled(
        app,
        "Trial file",
        &sanitize(&t.file),
        LW,
        w,
        th.dim,
    ));

    out.extend(section(app, &format!("Sites ({})", t.sites.len())));
    if t.sites.is_empty() {
        out.push(Line::styled(format!("  {NOT_STATED}"), th.dim));
    }
    for s in &t.sites {
        let place: Vec<String> = [&s.city, &s.region, &s.country]
            .iter()
            .filter_map(|x| x.as_deref().map(sanitize))
            .collect();
        let place = if place.is_empty() {
            format!("place {NOT_STATED}")
        } else {
            place.join(", ")
        };
        let status = s
            .status
            .as_deref()
            .map_or(format!("status {NOT_STATED}"), sanitize);
        let mut text = format!("{} — {place} — {status}", sanitize(&s.name));
        if let Some(n) = &s.note {
            text.push_str(&format!(" — {}", sanitize(n)));
        }
        out.extend(bullet(&text, w, Style::new()));
    }

    out.extend(section(
        app,
        &format!("Investigators and contacts ({})", t.contacts.len()),
    ));
    if t.contacts.is_empty() {
        out.push(Line::styled(format!("  {NOT_STATED}"), th.dim));
    }
    for c in &t.contacts {
        out.extend(bullet(&sanitize(&c.name), w, th.label));
        let phone = match c
            .phone
            .as_deref()
            .and_then(crate::trial::international_phone)
        {
            Some(intl) => format!("{intl} (as written: {})", or_not_stated(&c.phone)),
            None => or_not_stated(&c.phone),
        };
        for (label, value) in [
            ("Role", or_not_stated(&c.role)),
            ("Phone", phone),
            ("Email", or_not_stated(&c.email)),
            ("Site", or_not_stated(&c.site)),
        ] {
            let lines = labelled(app, label, &value, 8, w.saturating_sub(4), Style::new());
            out.extend(indent(lines));
        }
    }

    out.extend(section(
        app,
        "Facts from other sources (not the trial document)",
    ));
    if t.external_facts.is_empty() {
        out.push(Line::styled("  none recorded", th.dim));
    }
    for f in &t.external_facts {
        let conf = f
            .confidence
            .as_deref()
            .map_or(String::new(), |c| format!("; {}", sanitize(c)));
        let text = format!(
            "{}: {} — source: {}{conf}",
            sanitize(&f.field),
            sanitize(&f.value),
            sanitize(&f.source)
        );
        out.extend(bullet(&text, w, Style::new()));
    }

    if !m.notes.is_empty() {
        out.extend(section(app, "Notes"));
        for n in &m.notes {
            out.extend(bullet(&sanitize(n), w, th.dim));
        }
    }
    out
}

fn bullet(text: &str, w: usize, style: Style) -> Vec<Line<'static>> {
    wrap(text, w.saturating_sub(4))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let lead = if i == 0 { "  • " } else { "    " };
            Line::from(vec![Span::raw(lead), Span::styled(l, style)])
        })
        .collect()
}

fn indent(lines: Vec<Line<'static>>) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|mut l| {
            l.spans.insert(0, Span::raw("    "));
            l
        })
        .collect()
}

pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let th = app.theme();
    let name = app
        .trials()
        .get(app.contacts_trial())
        .map_or(String::new(), |t| sanitize(&t.short_name));
    let title = format!(
        " Contacts · {name} ({} of {}) · ←→ other studies ",
        app.contacts_trial() + 1,
        app.trials().len()
    );
    let block = pane(app, Line::styled(title, th.title), true);
    let inner = Block::bordered().inner(body);
    block.render(body, buf);
    let all = lines(app, inner.width);
    let top = app
        .cursor(List::Contacts)
        .selected
        .min(all.len().saturating_sub(inner.height as usize));
    for (i, l) in all.iter().skip(top).take(inner.height as usize).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
    }
    if all.len() > inner.height as usize {
        let more = format!(
            " lines {}–{} of {} ",
            top + 1,
            (top + inner.height as usize).min(all.len()),
            all.len()
        );
        let x = body.x + body.width.saturating_sub(more.chars().count() as u16 + 2);
        buf.set_string(x, body.y + body.height.saturating_sub(1), more, th.dim);
    }
}
