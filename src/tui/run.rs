//! Starting and stopping the terminal UI. [`run_loading`] draws the loading screen at once,
//! reads and evaluates the files on a background thread while it redraws the progress, then
//! hands over to the event loop. The terminal is restored on every path: quit (also while
//! loading), error and panic.
//!
//! Timings for performance measurements: with `TRIALMATCH_TIMINGS=<file>` set, one line is
//! appended to that file on exit, `patients=N first_frame_ms=F files_ms=R loaded_ms=L`, in
//! milliseconds since the UI started: F when the first (loading) frame was drawn, R when the
//! files were read and parsed, L when the first frame of the loaded, evaluated queue was drawn
//! ("-" for a stage not reached, as when quit while loading).

use crate::load::{Progress, Source, Workspace, load_with};
use crate::tui::app::App;
use crate::tui::loading::{Loading, quits};
use crate::tui::theme::Theme;
use crate::worklist::{Store, StoreError};
use chrono::NaiveDate;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the loading screen redraws (and so how soon the loaded queue replaces it).
const LOADING_TICK: Duration = Duration::from_millis(16);

/// The terminal in raw mode on the alternate screen with the mouse captured; restored when
/// dropped, so every return path (and `?`) gives the shell its terminal back.
struct Session {
    terminal: DefaultTerminal,
}

impl Session {
    fn start() -> io::Result<Session> {
        crate::tui::signals::install()?;
        if !io::stdout().is_terminal() {
            return Err(io::Error::other(
                "the terminal UI needs a terminal; for plain output try `trialmatch report`",
            ));
        }
        // try_init installs a panic hook that restores the terminal; ours also releases the
        // mouse.
        let terminal = ratatui::try_init()?;
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(io::stdout(), DisableMouseCapture);
            hook(info);
        }));
        let session = Session { terminal };
        execute!(io::stdout(), EnableMouseCapture)?;
        Ok(session)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// The optional startup timings (see the module docs).
struct Timings {
    start: Instant,
    file: Option<PathBuf>,
    patients: usize,
    first_frame: Option<Duration>,
    files: Option<Duration>,
    loaded: Option<Duration>,
}

impl Timings {
    fn start() -> Timings {
        Timings {
            start: Instant::now(),
            file: std::env::var_os("TRIALMATCH_TIMINGS").map(PathBuf::from),
            patients: 0,
            first_frame: None,
            files: None,
            loaded: None,
        }
    }
}

impl Drop for Timings {
    fn drop(&mut self) {
        let Some(path) = &self.file else { return };
        let ms = |d: Option<Duration>| {
            d.map_or("-".to_string(), |d| format!("{:.1}", d.as_secs_f64() * 1e3))
        };
        let line = format!(
            "patients={} first_frame_ms={} files_ms={} loaded_ms={}\n",
            self.patients,
            ms(self.first_frame),
            ms(self.files),
            ms(self.loaded)
        );
        let mut open = std::fs::OpenOptions::new();
        open.create(true).append(true);
        // Like everything trialmatch writes: readable by its owner only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        if let Ok(mut f) = open.open(path) {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// Opens the UI on a loaded workspace, without a worklist database (the worklist keys say
/// so); the terminal is restored on quit, on error and on panic.
pub fn run(ws: Workspace, as_of: NaiveDate) -> io::Result<()> {
    let mut session = Session::start()?;
    let mut app = App::new(ws, as_of).with_theme(Theme::from_env());
    app.worklist_unavailable("this view was opened without a worklist database");
    app.run_loop(&mut session.terminal, None)
}

/// Opens the UI at once on a loading screen, loads `trials` and `patients` and evaluates them
/// on a background thread, then shows the queue with the worklist's current decisions. q or
/// Ctrl-C quit at any time. `open_worklist` runs on the loading thread once the terminal has
/// started (so a run without a terminal creates no database). When the worklist cannot be
/// opened, matching works as usual and the worklist keys show the error instead.
pub fn run_loading(
    trials: Source,
    patients: Source,
    as_of: NaiveDate,
    open_worklist: impl FnOnce() -> Result<Store, StoreError> + Send + 'static,
) -> io::Result<()> {
    let mut timings = Timings::start();
    let theme = Theme::from_env();
    let mut session = Session::start()?;
    let terminal = &mut session.terminal;
    let files = Arc::new(Progress::default());
    let evaluated = Arc::new(Progress::default());
    let screen = Loading {
        files: &files,
        evaluated: &evaluated,
        as_of,
        theme,
    };
    terminal.draw(|f| f.render_widget(&screen, f.area()))?;
    timings.first_frame = Some(timings.start.elapsed());
    let worker = {
        let (files, evaluated) = (Arc::clone(&files), Arc::clone(&evaluated));
        std::thread::Builder::new()
            .name("trialmatch-load".into())
            .spawn(move || {
                let ws = load_with(&trials, &patients, as_of, &files);
                let read = Instant::now();
                let app = App::with_progress(ws, as_of, &evaluated);
                (app, read, open_worklist())
            })?
    };
    while !worker.is_finished() {
        // Quitting drops the worker unjoined; the process ends with it.
        if event::poll(LOADING_TICK)? && quits(&event::read()?) {
            return Ok(());
        }
        if crate::tui::signals::received().is_some() {
            return Ok(());
        }
        terminal.draw(|f| f.render_widget(&screen, f.area()))?;
    }
    let (app, read, worklist) = worker
        .join()
        .map_err(|_| io::Error::other("loading the files failed"))?;
    let mut app = app.with_theme(theme);
    let mut store = match worklist {
        Ok(store) => match store.current(None, None) {
            Ok(decisions) => {
                app.load_decisions(decisions);
                Some(store)
            }
            Err(e) => {
                app.worklist_unavailable(&e.to_string());
                None
            }
        },
        Err(e) => {
            app.worklist_unavailable(&e.to_string());
            None
        }
    };
    timings.patients = app.patients.len();
    timings.files = Some(read.saturating_duration_since(timings.start));
    let size = terminal.size()?;
    app.update(crate::tui::Action::Resize {
        width: size.width,
        height: size.height,
    });
    terminal.draw(|f| crate::tui::view::draw(&app, f))?;
    timings.loaded = Some(timings.start.elapsed());
    app.run_loop(terminal, store.as_mut())
}
