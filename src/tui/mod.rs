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
//! - [`app`] owns all state; `update` is the only place it changes, and hands each action to
//!   the file of its concern (cursors, filter, navigation, focus, evaluation). Every patient is
//!   ranked once, at startup, on the fast path (verdicts and counts, in parallel), never per
//!   frame; the explained ranking and missing facts are computed in `update` for the patient a
//!   screen shows. The filter narrows its previous result as it grows.
//! - [`run`] starts the terminal on the [`loading`] screen at once, loads and evaluates on a
//!   background thread, then runs the event loop; the terminal is restored on every path. The
//!   loop waits on one channel fed by terminal input and by [`signals`], so SIGHUP, SIGTERM,
//!   SIGINT and SIGQUIT end it at once, a terminal that goes away ends it as if hung up, and
//!   Ctrl-Z / SIGTSTP suspend it (given back to the shell, taken again and redrawn on `fg`).
//! - [`view`] draws `&App` into a buffer, one file per pane, building rows only for the visible
//!   window of long lists. Every string from a data file goes through `text::sanitize`.
//! - [`worklist`] connects the UI to the decision database without making `update` impure:
//!   `update` queues requests (record a status, read a history, write a referral summary),
//!   the event loop runs them against the store and feeds each outcome back to
//!   `App::receive`. [`input`] is the note's text input. [`intake`] answers missing facts in
//!   the app (the entry form, ask-next, a new referral) through the same queue.
//! - [`watch`] watches the trial and patient folders and reads a changed file again as
//!   loading does; `App::reload_patient` and `App::reload_trials` (app/reload.rs) take it in.
//! - [`theme`] has the one `const THEME`; every colour is doubled by a glyph (✔ ? ✖) or a
//!   modifier, so NO_COLOR loses nothing.
//!
//! Adding a screen touches three files, one of them new (the funnel screen, `F`, was added so):
//!
//! 1. `app/screen.rs`, the one home of the screens: add, say,
//!    `Funnel (key 'F': "screening funnel per study", footer "") { Funnel: "Screening funnel" }`
//!    to the `screens!` declaration (a screen; the key that opens it from anywhere, with the
//!    help's and the footer's words; its list or lists, each list's help title). Its opening
//!    binding (`OPENING_KEYS`, which `keymap::KEYMAP` places among the global keys), its
//!    cursor (`App::cursor(List::Funnel)`), its keymap context (`Context::List(List::Funnel)`)
//!    and its place in the help follow from that. Then build: the compiler names every match
//!    in this file that needs an arm — how the list scrolls and how long it is, which patient
//!    and study the screen is about, what the worklist keys act on there, what opening it,
//!    ←/→ and Enter do (most screens share the arm of Help or Problems).
//! 2. `view/funnel.rs` (new): `render(app, body, buf)`, drawing only the rows in view with
//!    `view::visible_items`.
//! 3. `view/mod.rs`: `pub mod funnel;`, and the two arms the compiler asks for: where the
//!    list's rows are (`list_areas`, which paging, the mouse and scrolling share) and the call
//!    to `funnel::render`.
//!
//! Keys of the screen's own (beyond the moves every list has) go in `keymap.rs` under
//! `C::List(L::Funnel)`; the footer and the help read them there.
//! `Action::Show(screen)` opens any screen, so `action.rs` and `update` need nothing new;
//! state of the screen's own goes in `App` (`app/mod.rs`) with the code that changes it.

pub mod action;
pub mod app;
pub mod input;
pub mod intake;
pub mod keymap;
pub mod loading;
pub mod run;
pub mod signals;
pub mod theme;
pub mod view;
pub mod watch;
pub mod worklist;

pub use action::Action;
pub use app::App;
pub use run::{run, run_loading};
