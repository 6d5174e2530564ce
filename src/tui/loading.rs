//! The loading screen, drawn from the first frame while a background thread reads the patient
//! files and then evaluates them: how many of how many, with a bar for each stage. Only the
//! keymap's quit keys (q, Ctrl-C) and its suspend key (Ctrl-Z) do anything here.

use crate::load::Progress;
use crate::tui::action::Action;
use crate::tui::keymap::{self, Context};
use crate::tui::theme::{Theme, bar};
use crate::tui::view::status_line;
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyEventKind};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};
use std::sync::atomic::Ordering;

/// What the loading screen shows: the two stages' counters, shared with the loading thread.
pub struct Loading<'a> {
    /// Patient files listed and parsed (`load::load_with` fills it).
    pub files: &'a Progress,
    /// Patients evaluated (`App::with_progress` fills it; `total` is 0 until it starts).
    pub evaluated: &'a Progress,
    pub as_of: NaiveDate,
    pub theme: Theme,
}

/// `n` with thousands separators: 10000 → "10,000".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What an event asks for while loading: [`Action::Quit`] or [`Action::Suspend`], for a key
/// the keymap binds to them everywhere; nothing else acts here.
pub fn action(ev: &Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => keymap::action_for(Context::Global, k)
            .filter(|a| matches!(a, Action::Quit | Action::Suspend)),
        _ => None,
    }
}

/// (done, total) of a stage, done never above total.
fn counts(p: &Progress) -> (usize, usize) {
    let total = p.total.load(Ordering::Relaxed);
    (p.done.load(Ordering::Relaxed).min(total), total)
}

impl Loading<'_> {
    /// The stage lines: what is happening, then its bar (`w` columns wide).
    fn lines(&self, w: usize) -> Vec<Line<'static>> {
        let t = &self.theme;
        let stage = |label: &str, (done, total): (usize, usize)| -> [Line<'static>; 2] {
            let percent = if total == 0 {
                0.0
            } else {
                100.0 * done as f64 / total as f64
            };
            [
                Line::raw(format!(
                    "{label} {} / {}…",
                    thousands(done),
                    thousands(total)
                )),
                Line::from(vec![
                    Span::styled(bar(percent, w.saturating_sub(5)), t.eligible),
                    Span::raw(format!("{percent:>4.0}%")),
                ]),
            ]
        };
        let files = counts(self.files);
        let evaluated = counts(self.evaluated);
        let mut lines = Vec::new();
        if files.1 == 0 && evaluated.1 == 0 {
            lines.push(Line::raw(
                "Reading the study files and listing patient files…",
            ));
            lines.push(Line::raw(""));
        } else {
            let done = if evaluated.1 > 0 {
                (files.1, files.1)
            } else {
                files
            };
            lines.extend(stage("Loading patients", done));
        }
        lines.push(Line::raw(""));
        if evaluated.1 > 0 {
            lines.extend(stage("Evaluating patients", evaluated));
        } else {
            lines.push(Line::styled(
                "Evaluating patients: waiting for the files",
                t.dim,
            ));
            lines.push(Line::raw(""));
        }
        lines
    }
}

impl Widget for &Loading<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        if area.height < 9 || area.width < 30 {
            // Too small for the box: the first stage line alone.
            let lines = self.lines(area.width as usize);
            if let Some(l) = lines.first() {
                buf.set_line(area.x, area.y, l, area.width);
            }
            return;
        }
        let status = Rect::new(area.x, area.y, area.width, 1);
        let loading = format!("│ as of {} │ loading… ", self.as_of);
        status_line(t, status, buf, vec![Span::styled(loading, t.status)]);
        let foot = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
        buf.set_line(
            foot.x,
            foot.y,
            &Line::from(vec![
                Span::raw(" "),
                Span::styled("q", t.key),
                Span::raw(" quit"),
            ]),
            foot.width,
        );
        let w = area.width.saturating_sub(4).min(64);
        let h = 7;
        let x = area.x + (area.width - w) / 2;
        let y = area.y + (area.height - h) / 2;
        let block = Block::bordered()
            .border_type(BorderType::Thick)
            .border_style(t.border_focus)
            .title(Line::styled(" Opening the referral queue ", t.title));
        let outer = Rect::new(x, y, w, h);
        let inner = block.inner(outer).inner(ratatui::layout::Margin::new(1, 0));
        block.render(outer, buf);
        for (i, l) in self.lines(inner.width as usize).iter().enumerate() {
            if (i as u16) < inner.height {
                buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn only_quit_and_suspend_act_while_loading() {
        let key = |code, mods| Event::Key(KeyEvent::new(code, mods));
        let none = KeyModifiers::NONE;
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(action(&key(KeyCode::Char('q'), none)), Some(Action::Quit));
        assert_eq!(action(&key(KeyCode::Char('c'), ctrl)), Some(Action::Quit));
        assert_eq!(
            action(&key(KeyCode::Char('z'), ctrl)),
            Some(Action::Suspend)
        );
        assert_eq!(action(&key(KeyCode::Char('j'), none)), None);
        assert_eq!(action(&key(KeyCode::Char('?'), none)), None);
        assert_eq!(action(&Event::Resize(80, 24)), None);
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(3456), "3,456");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
