//! Every style the UI uses, in one const THEME, so a colour decision is made in one place;
//! meaning never rests on colour alone (glyphs ✔ ? ✖, reverse video, bold), and NO_COLOR
//! strips the colours while keeping those.

use crate::rank::{State, Verdict};
use ratatui::style::{Color, Modifier, Style};

/// The styles of the UI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub title: Style,
    pub header: Style,
    /// The selected row of the focused list.
    pub selected: Style,
    /// The selected row of a list that does not have the focus.
    pub selected_idle: Style,
    pub border: Style,
    pub border_focus: Style,
    pub eligible: Style,
    pub possible: Style,
    pub ineligible: Style,
    /// Characters matched by the fuzzy filter.
    pub matched: Style,
    pub status: Style,
    pub warn: Style,
    pub key: Style,
    pub dim: Style,
    pub label: Style,
}

/// The one theme.
pub const THEME: Theme = Theme {
    title: Style::new().add_modifier(Modifier::BOLD),
    header: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    selected: Style::new().add_modifier(Modifier::REVERSED),
    selected_idle: Style::new().add_modifier(Modifier::UNDERLINED),
    border: Style::new().fg(Color::DarkGray),
    border_focus: Style::new().fg(Color::Cyan),
    eligible: Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
    possible: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    ineligible: Style::new().fg(Color::Red),
    matched: Style::new()
        .fg(Color::Magenta)
        .add_modifier(Modifier::BOLD)
        .add_modifier(Modifier::UNDERLINED),
    status: Style::new().fg(Color::Black).bg(Color::Cyan),
    warn: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    dim: Style::new().fg(Color::DarkGray),
    label: Style::new().add_modifier(Modifier::BOLD),
};

const fn plain(s: Style) -> Style {
    Style {
        fg: None,
        bg: None,
        underline_color: None,
        ..s
    }
}

impl Theme {
    /// The same theme with every colour removed (modifiers kept).
    pub const fn monochrome(self) -> Theme {
        Theme {
            title: plain(self.title),
            header: plain(self.header),
            selected: plain(self.selected),
            selected_idle: plain(self.selected_idle),
            border: plain(self.border),
            border_focus: plain(self.border_focus),
            eligible: plain(self.eligible),
            possible: plain(self.possible),
            ineligible: plain(self.ineligible),
            matched: plain(self.matched),
            status: plain(self.status).add_modifier(Modifier::REVERSED),
            warn: plain(self.warn),
            key: plain(self.key),
            dim: plain(self.dim),
            label: plain(self.label),
        }
    }

    /// THEME, or its monochrome form when `no_color` (the NO_COLOR convention).
    pub const fn pick(no_color: bool) -> Theme {
        if no_color { THEME.monochrome() } else { THEME }
    }

    /// THEME unless the NO_COLOR environment variable is set to a non-empty value.
    pub fn from_env() -> Theme {
        Theme::pick(std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()))
    }

    pub fn verdict(&self, v: Verdict) -> Style {
        match v {
            Verdict::Eligible => self.eligible,
            Verdict::Possible => self.possible,
            Verdict::Ineligible => self.ineligible,
        }
    }

    pub fn state(&self, s: State) -> Style {
        match s {
            State::Pass => self.eligible,
            State::Unknown => self.possible,
            State::Fail => self.ineligible,
        }
    }
}

/// ✔ eligible, ? possible, ✖ ineligible.
pub fn verdict_glyph(v: Verdict) -> &'static str {
    crate::report::glyph(v)
}

/// ✔ pass, ? unknown, ✖ fail.
pub fn state_glyph(s: State) -> &'static str {
    match s {
        State::Pass => "✔",
        State::Unknown => "?",
        State::Fail => "✖",
    }
}

/// A bar of `width` cells filled in proportion to `percent` (eighths of a cell).
pub fn bar(percent: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let p = if percent.is_finite() {
        percent.clamp(0.0, 100.0)
    } else {
        0.0
    };
    let eighths = (p / 100.0 * (width * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if eighths / 8 < width {
        let rest = eighths % 8;
        if rest > 0 {
            s.push(PARTS[rest]);
        }
    }
    let n = s.chars().count();
    s.push_str(&"·".repeat(width.saturating_sub(n)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_fills_in_proportion() {
        assert_eq!(bar(100.0, 5), "█████");
        assert_eq!(bar(0.0, 5), "·····");
        assert_eq!(bar(50.0, 4), "██··");
        assert_eq!(bar(55.0, 5), "██▊··");
        assert_eq!(bar(f64::NAN, 3), "···");
    }

    #[test]
    fn monochrome_has_no_colour_but_keeps_modifiers() {
        let m = THEME.monochrome();
        assert_eq!(m.eligible.fg, None);
        assert!(m.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(m.matched.add_modifier.contains(Modifier::UNDERLINED));
        assert_eq!(Theme::pick(false), THEME);
    }
}
