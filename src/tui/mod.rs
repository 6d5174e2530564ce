//! The terminal UI: a thin shell over the domain that lets clinic staff work their referral
//! queue from a terminal, keyboard first.
//!
//! Architecture (The Elm Architecture, one direction only):
//!
//! ```text
//!   terminal event ──keymap::action_for──▶ Action ──App::update(&mut App)──▶ new state
//!          ▲                                                                   │
//!          └────────────── render(&App) (impl Widget for &App) ◀───────────────┘
//! ```
//!
//! - [`keymap`] holds the ONE table of keys; the key handler, the footer and the help screen
//!   all read it, so they cannot drift apart.
//! - [`action`] is the flat list of things a user can ask for.
//! - [`app`] owns all state; `update` is the only place it changes. Matches are evaluated once,
//!   at startup (`rank_all`), never per frame.
//! - [`view`] draws `&App` into a buffer, one file per pane, building rows only for the visible
//!   window of long lists. Every string from a data file goes through `text::sanitize`.
//! - [`theme`] has the one `const THEME`; every colour is doubled by a glyph (✔ ? ✖) or a
//!   modifier, so NO_COLOR loses nothing.

pub mod action;
pub mod app;
pub mod keymap;
pub mod theme;
pub mod view;

pub use action::Action;
pub use app::{App, run};
