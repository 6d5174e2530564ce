//! Starting and stopping the terminal UI, and its event loop. [`run_loading`] draws the
//! loading screen at once, reads and evaluates the files on a background thread while it
//! redraws the progress, then hands over to the event loop: key -> Action (the keymap) ->
//! `App::update` -> draw. The loop waits on one channel fed by an input thread (terminal
//! events) and a signal thread, so a signal acts at once, not when input goes quiet.
//!
//! The terminal is restored on every path: quit (also while loading), error, panic, SIGHUP,
//! SIGTERM, SIGINT, SIGQUIT, and the terminal going away (then the UI ends as if hung up).
//! Ctrl-Z and SIGTSTP give the terminal back and stop the process; on SIGCONT (`fg`) it takes
//! the terminal again and redraws.
//!
//! Timings for performance measurements: with `TRIALMATCH_TIMINGS=<file>` set, one line is
//! appended to that file on exit, `patients=N first_frame_ms=F files_ms=R loaded_ms=L`, in
//! milliseconds since the UI started: F when the first (loading) frame was drawn, R when the
//! files were read and parsed, L when the first frame of the loaded, evaluated queue was drawn
//! ("-" for a stage not reached, as when quit while loading).

use crate::cache::ProfileCache;
use crate::load::{Progress, Source, Workspace, load_cached};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap;
use crate::tui::loading::{self, Loading};
use crate::tui::signals::{self, Listener, Signal};
use crate::tui::theme::Theme;
use crate::tui::view;
use crate::tui::watch::{self, Changed};
use crate::worklist::{Store, StoreError};
use chrono::NaiveDate;
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseButton, MouseEventKind,
};
use ratatui::crossterm::terminal::{self as term, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::crossterm::{cursor, execute};
use ratatui::{DefaultTerminal, Frame};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How often the loading screen redraws (and so how soon the loaded queue replaces it).
const LOADING_TICK: Duration = Duration::from_millis(16);

/// How often the waiting event loop looks for decisions another trialmatch has recorded and
/// checks that its terminal is still there. Input and signals wake it at once.
const TICK: Duration = Duration::from_millis(100);

/// One thing the UI waits for. Terminal events (read on a thread of their own) and signals
/// arrive on one channel, so whichever comes first wakes the event loop.
enum Input {
    /// A key, mouse or resize event.
    Event(Event),
    /// Reading the terminal failed.
    Failed(io::Error),
    /// A signal the UI acts on.
    Signal(Signal),
    /// Trial or patient files changed on disk (`watch`).
    Files(Changed),
}

/// What waiting brought the event loop.
enum Wait {
    /// A terminal event to act on.
    Event(Event),
    /// Nothing, for the whole timeout.
    Idle,
    /// SIGTSTP: suspend.
    Suspend,
    /// SIGCONT: continued, after a suspend or a stop from outside; set the terminal up again.
    Resume,
    /// An ending signal, or the terminal has gone: stop.
    End,
    /// Files changed: read them again.
    Files(Changed),
}

/// The terminal in raw mode on the alternate screen with the mouse captured, and what the UI
/// waits for. Restored when dropped, so every return path (and `?`) gives the shell its
/// terminal back.
///
/// When the terminal has gone (a closed pane, a dropped SSH connection), its reads return end
/// of file at once and for ever: crossterm's reader then never returns, so it runs on a thread
/// of its own, and the session notices the loss itself (the terminal no longer answers as
/// one, or a write fails) and ends the UI as if hung up, returning normally so that the
/// worklist database is closed.
struct Session {
    /// `None` only once dropped.
    terminal: Option<DefaultTerminal>,
    inputs: Receiver<Input>,
    /// For more senders (the file watch).
    sender: Sender<Input>,
    /// Tells the input thread to stop reading.
    stop_reading: Arc<AtomicBool>,
    /// Whether standard input was a terminal (then it is the one crossterm reads).
    stdin_tty: bool,
    /// Whether the UI holds the terminal (raw mode, alternate screen, mouse), so that it is
    /// given back exactly once: leaving the alternate screen twice would move the shell's
    /// cursor back to where the UI started.
    held: bool,
    _signals: Listener,
}

impl Session {
    fn start() -> io::Result<Session> {
        signals::install()?;
        if !io::stdout().is_terminal() {
            return Err(io::Error::other(
                "the terminal UI needs a terminal; for plain output try `trialmatch report`",
            ));
        }
        let (tx, inputs) = mpsc::channel();
        let listener = {
            let tx = tx.clone();
            signals::listen(move |s| tx.send(Input::Signal(s)).is_ok())?
        };
        // try_init installs a panic hook that restores the terminal; ours also releases the
        // mouse. Should it fail half-way, what it changed is undone.
        let terminal = ratatui::try_init().inspect_err(|_| restore_terminal())?;
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(io::stdout(), DisableMouseCapture);
            hook(info);
        }));
        let session = Session {
            terminal: Some(terminal),
            inputs,
            sender: tx.clone(),
            stop_reading: Arc::new(AtomicBool::new(false)),
            stdin_tty: io::stdin().is_terminal(),
            held: true,
            _signals: listener,
        };
        execute!(io::stdout(), EnableMouseCapture)?;
        let stop = Arc::clone(&session.stop_reading);
        // Not joined: when the terminal has gone, crossterm's read never returns; the
        // process ends with it.
        std::thread::Builder::new()
            .name("trialmatch-input".into())
            .spawn(move || read_terminal(&tx, &stop))?;
        Ok(session)
    }

    fn terminal(&mut self) -> io::Result<&mut DefaultTerminal> {
        self.terminal
            .as_mut()
            .ok_or_else(|| io::Error::other("the terminal was closed"))
    }

    /// Whether the terminal has gone: after a hang-up, it no longer answers as a terminal.
    fn gone(&self) -> bool {
        !io::stdout().is_terminal() || (self.stdin_tty && !io::stdin().is_terminal())
    }

    /// The value of a terminal operation, or `None` when it failed because the terminal has
    /// gone (recorded as a hang-up): the UI then ends. Other errors are returned.
    fn alive<T>(&self, r: io::Result<T>) -> io::Result<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(_) if self.gone() => {
                signals::hung_up();
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Waits up to `timeout` for an event or a signal.
    fn wait(&mut self, timeout: Duration) -> io::Result<Wait> {
        match self.inputs.recv_timeout(timeout) {
            Ok(Input::Event(ev)) => Ok(Wait::Event(ev)),
            Ok(Input::Signal(Signal::End)) => Ok(Wait::End),
            Ok(Input::Signal(Signal::Suspend)) => Ok(Wait::Suspend),
            Ok(Input::Signal(Signal::Resume)) => Ok(Wait::Resume),
            Ok(Input::Failed(e)) => Ok(self.alive(Err(e))?.unwrap_or(Wait::End)),
            Ok(Input::Files(c)) => Ok(Wait::Files(c)),
            Err(RecvTimeoutError::Timeout) => Ok(if self.gone() {
                signals::hung_up();
                Wait::End
            } else {
                Wait::Idle
            }),
            Err(RecvTimeoutError::Disconnected) => Ok(self
                .alive(Err(io::Error::other("the terminal's input has closed")))?
                .unwrap_or(Wait::End)),
        }
    }

    /// Draws a frame; false when the terminal has gone.
    fn draw(&mut self, render: impl FnOnce(&mut Frame)) -> io::Result<bool> {
        let drawn = self.terminal()?.draw(render).map(|_| ());
        Ok(self.alive(drawn)?.is_some())
    }

    /// Gives the shell its terminal back, stops the process until it is continued (`fg`),
    /// then takes the terminal again; false when the UI is to end instead (the terminal has
    /// gone, or an ending signal came while stopped).
    fn suspend(&mut self) -> io::Result<bool> {
        self.give_back();
        if self.alive(signals::stop_self())?.is_none() {
            return Ok(false);
        }
        self.resume()
    }

    /// Raw mode, the alternate screen and the mouse again (after a suspend, or a stop from
    /// outside after which the shell may have reset the terminal), and a full redraw next;
    /// false when the UI is to end instead.
    fn resume(&mut self) -> io::Result<bool> {
        // Continued only to be ended (`kill %1` sends SIGTERM, then SIGCONT): leave the
        // terminal to the shell, which has it now; taking it from the background would stop
        // the process again (SIGTTOU).
        if signals::received().is_some() {
            return Ok(false);
        }
        let again = if self.held {
            // Stopped from outside (SIGSTOP): the shell may have set its own modes meanwhile;
            // raw mode again over them (crossterm skips a mode it believes is on).
            let _ = term::disable_raw_mode();
            term::enable_raw_mode()
        } else {
            term::enable_raw_mode()
                .and_then(|()| execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture))
        };
        self.held = true;
        let again = match again {
            Ok(()) => self.terminal()?.clear(),
            Err(e) => Err(e),
        };
        Ok(self.alive(again)?.is_some())
    }

    /// Gives the terminal back to the shell, if the UI holds it.
    fn give_back(&mut self) {
        if std::mem::take(&mut self.held) {
            restore_terminal();
        }
    }

    /// Tells `app` the terminal's size (it may have changed while suspended).
    fn resize(&mut self, app: &mut App) -> io::Result<bool> {
        let size = self.terminal()?.size();
        let Some(size) = self.alive(size)? else {
            return Ok(false);
        };
        app.update(Action::Resize {
            width: size.width,
            height: size.height,
        });
        Ok(true)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop_reading.store(true, Ordering::Relaxed);
        self.give_back();
        if let Some(terminal) = self.terminal.take()
            && self.gone()
        {
            // Dropping a terminal whose cursor is hidden writes to it, and on failure prints
            // to stderr — a panic when stderr is that same dead terminal. The process is
            // ending: leave it.
            std::mem::forget(terminal);
        }
    }
}

/// Leaves raw mode and the alternate screen, releases the mouse and shows the cursor, as far
/// as the terminal still allows; never fails, never prints.
fn restore_terminal() {
    let _ = execute!(io::stdout(), DisableMouseCapture);
    let _ = term::disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// The input thread: passes terminal events on until told to stop, its receiver has gone or
/// reading fails.
fn read_terminal(tx: &Sender<Input>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let next = match event::poll(TICK) {
            Ok(false) => continue,
            Ok(true) => event::read(),
            Err(e) => Err(e),
        };
        let (input, last) = match next {
            Ok(ev) => (Input::Event(ev), false),
            Err(e) => (Input::Failed(e), true),
        };
        if tx.send(input).is_err() || last {
            return;
        }
    }
}

impl App {
    /// Turns a terminal event into an action: a key through the keymap (in the context that
    /// has the keys; releases ignored), a click or the wheel, a resize.
    pub fn action_for(&self, ev: &Event) -> Option<Action> {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                keymap::action_for(self.context(), k)
            }
            Event::Mouse(m) => match m.kind {
                MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                    column: m.column,
                    row: m.row,
                }),
                MouseEventKind::ScrollUp => Some(Action::ScrollUp {
                    column: m.column,
                    row: m.row,
                }),
                MouseEventKind::ScrollDown => Some(Action::ScrollDown {
                    column: m.column,
                    row: m.row,
                }),
                _ => None,
            },
            Event::Resize(w, h) => Some(Action::Resize {
                width: *w,
                height: *h,
            }),
            _ => None,
        }
    }
}

/// Draws and handles events until the user quits, a signal ends the UI or its terminal goes
/// away; worklist requests go to `store`. Ctrl-Z and SIGTSTP suspend it, `fg` resumes it.
fn event_loop(
    session: &mut Session,
    app: &mut App,
    mut store: Option<&mut Store>,
    live: Option<&Live>,
) -> io::Result<()> {
    if !session.resize(app)? {
        return Ok(());
    }
    let mut redraw = true;
    while !app.quitting() {
        if redraw && !session.draw(|f| view::draw(app, f))? {
            return Ok(());
        }
        redraw = true;
        let carry_on = match session.wait(TICK)? {
            Wait::End => false,
            // Decisions another trialmatch or `status set` has recorded meanwhile.
            Wait::Idle => {
                redraw = store.as_deref_mut().is_some_and(|s| app.refresh_from(s));
                true
            }
            Wait::Suspend => session.suspend()? && session.resize(app)?,
            Wait::Resume => session.resume()? && session.resize(app)?,
            Wait::Files(changed) => {
                if let Some(l) = live {
                    let trial_paths = &l.watch.trial_paths;
                    watch::read(
                        app,
                        &changed,
                        &l.trials,
                        trial_paths,
                        l.as_of,
                        store.as_deref(),
                    );
                }
                true
            }
            Wait::Event(ev) => match app.action_for(&ev) {
                // A terminal matter, not a change of state.
                Some(Action::Suspend) => session.suspend()? && session.resize(app)?,
                Some(a) => {
                    app.update(a);
                    true
                }
                // Mouse movement and the like: nothing changes, nothing to redraw.
                None => {
                    redraw = false;
                    true
                }
            },
        };
        if !carry_on {
            return Ok(());
        }
        match store.as_deref_mut() {
            Some(s) => app.run_requests(s),
            // No database: the worklist keys already said why; nothing to run.
            None => app.worklist.requests.clear(),
        }
    }
    Ok(())
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
/// so); the terminal is restored on quit, on error, on a signal and on panic.
pub fn run(ws: Workspace, as_of: NaiveDate) -> io::Result<()> {
    let mut session = Session::start()?;
    let mut app = App::new(ws, as_of).with_theme(Theme::from_env());
    app.worklist_unavailable("this view was opened without a worklist database");
    event_loop(&mut session, &mut app, None, None)
}

/// Opens the UI at once on a loading screen, loads `trials` and `patients` and evaluates them
/// on a background thread, then shows the queue with the worklist's current decisions. q or
/// Ctrl-C quit at any time, Ctrl-Z suspends. `open_worklist` runs on the loading thread once
/// the terminal has started (so a run without a terminal creates no database). When the
/// worklist cannot be opened, matching works as usual and the worklist keys show the error
/// instead.
///
/// Returns normally (closing the worklist) when the user quits, when SIGHUP, SIGTERM, SIGINT
/// or SIGQUIT arrives, and when the terminal goes away; [`signals::received`] then tells
/// which signal (a lost terminal counts as SIGHUP).
pub fn run_loading(
    trials: Source,
    patients: Source,
    as_of: NaiveDate,
    cache: Option<PathBuf>,
    open_worklist: impl FnOnce() -> Result<Store, StoreError> + Send + 'static,
) -> io::Result<()> {
    let mut timings = Timings::start();
    let theme = Theme::from_env();
    let mut session = Session::start()?;
    let files = Arc::new(Progress::default());
    let evaluated = Arc::new(Progress::default());
    let screen = Loading {
        files: &files,
        evaluated: &evaluated,
        as_of,
        theme,
    };
    if !session.draw(|f| f.render_widget(&screen, f.area()))? {
        return Ok(());
    }
    timings.first_frame = Some(timings.start.elapsed());
    let sources = (trials.clone(), patients.clone());
    let worker = {
        let (files, evaluated) = (Arc::clone(&files), Arc::clone(&evaluated));
        std::thread::Builder::new()
            .name("trialmatch-load".into())
            .spawn(move || {
                let cache = cache.map(|c| ProfileCache::open(&c));
                let mut ws = load_cached(&trials, &patients, as_of, &files, cache.as_ref());
                // The facts entered in the app count as much as the files: laid over them
                // before anything is evaluated (a worklist that cannot be read says so).
                let store = open_worklist();
                if let Ok(store) = &store {
                    match store.entries(None) {
                        Ok(entries) => {
                            crate::intake::workspace::overlay_entries(&mut ws, &entries, as_of)
                        }
                        Err(e) => ws.problems.push(crate::problem::Problem::file(
                            &store.path().display().to_string(),
                            format!("the facts entered in the app could not be read: {e}"),
                        )),
                    }
                }
                let read = Instant::now();
                let app = App::with_progress(ws, as_of, &evaluated);
                (app, read, store, cache)
            })?
    };
    // Ending early drops the worker unjoined; the process ends with it.
    while !worker.is_finished() {
        let carry_on = match session.wait(LOADING_TICK)? {
            Wait::End => false,
            // Read once loaded: the watch starts then.
            Wait::Idle | Wait::Files(_) => true,
            Wait::Suspend => session.suspend()?,
            Wait::Resume => session.resume()?,
            Wait::Event(ev) => match loading::action(&ev) {
                Some(Action::Quit) => false,
                Some(Action::Suspend) => session.suspend()?,
                _ => true,
            },
        };
        if !carry_on || !session.draw(|f| f.render_widget(&screen, f.area()))? {
            return Ok(());
        }
    }
    let (app, read, worklist, cache) = worker
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
    timings.patients = app.patients().len();
    timings.files = Some(read.saturating_duration_since(timings.start));
    if !session.resize(&mut app)? || !session.draw(|f| view::draw(&app, f))? {
        return Ok(());
    }
    timings.loaded = Some(timings.start.elapsed());
    // Kept for the next start, written while the queue is already shown; a cache that cannot
    // be written only means the next start parses the files again.
    let saving = cache.and_then(|c| {
        std::thread::Builder::new()
            .name("trialmatch-cache".into())
            .spawn(move || c.save())
            .ok()
    });
    let live = start_watch(&session, &mut app, sources, as_of);
    let done = event_loop(&mut session, &mut app, store.as_mut(), live.as_ref());
    if let Some(s) = saving {
        let _ = s.join();
    }
    done
}

/// The files read again when they change (`watch`).
struct Live {
    watch: watch::Watch,
    trials: Source,
    as_of: NaiveDate,
}

/// Watches the trial and patient files the UI loaded; a watch that cannot start is a problem
/// in the list (the UI works on without it).
fn start_watch(
    session: &Session,
    app: &mut App,
    (trials, patients): (Source, Source),
    as_of: NaiveDate,
) -> Option<Live> {
    let tx = session.sender.clone();
    match watch::start(&trials, &patients, move |c| {
        tx.send(Input::Files(c)).is_ok()
    }) {
        Ok(watch) => Some(Live {
            watch,
            trials,
            as_of,
        }),
        Err(e) => {
            app.problems.push(crate::problem::Problem::file(
                "(live reload)",
                format!("changed files are not read again until a restart: {e}"),
            ));
            None
        }
    }
}
