//! End to end, the UI's life cycle in a real terminal (tmux): it ends, promptly and with its
//! database closed, when its terminal goes away (a killed pane, a killed tmux server) instead of
//! spinning on end-of-file; SIGINT and SIGQUIT leave the shell a usable terminal (cooked mode,
//! main screen, mouse released); SIGTSTP and Ctrl-Z suspend it cleanly and `fg` brings it back
//! redrawn and answering keys.
//!
//! Polls `tmux capture-pane`, tmux's pane flags and the process table with deadlines; no fixed
//! sleeps. Every test kills the app it started (by its pid) and its own tmux server when it
//! ends, also on failure. Skipped (with a note) only when tmux is not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long the app may take to open (a debug build, a loaded machine).
const DEADLINE: Duration = Duration::from_secs(30);
/// How soon the app must end once its terminal has gone away.
const GONE_WITHIN: Duration = Duration::from_secs(3);
/// What the queue screen shows once the app is up.
const UP: [&str; 2] = ["best match first", "? help"];

/// A tmux server of our own (its own socket, no user config), killed on drop.
struct Tmux {
    socket: String,
    /// The pane the app runs in.
    pane: String,
}

impl Tmux {
    /// A 120×40 session running a plain bash with prompt "$ " in the repository.
    fn start() -> Tmux {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let socket = format!("trialmatch-life-{}-{nanos}", std::process::id());
        let mut t = Tmux {
            socket,
            pane: String::new(),
        };
        let repo = env!("CARGO_MANIFEST_DIR");
        let out = t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-P",
            "-F",
            "#{pane_id}",
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            repo,
            "env PS1='$ ' TERM=xterm-256color bash --norc --noprofile",
        ]);
        t.pane = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(t.pane.starts_with('%'), "pane id {:?}", t.pane);
        t
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self.try_run(args);
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn try_run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("tmux {args:?}: {e}"))
    }

    /// Types text literally into the app's pane.
    fn type_text(&self, s: &str) {
        self.run(&["send-keys", "-t", &self.pane, "-l", s]);
    }

    /// Presses named keys (Enter, C-z, q, ...) in the app's pane.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", &self.pane, k]);
        }
    }

    fn capture(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", &self.pane]).stdout)
            .into_owned()
    }

    /// A tmux format for the app's pane, e.g. `#{alternate_on}`.
    fn format(&self, f: &str) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["display-message", "-p", "-t", &self.pane, f])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// Whether the pane is on the alternate screen, and whether any mouse reporting is on:
    /// "alternate=1 mouse=1" while the app runs, "alternate=0 mouse=0" in the shell.
    fn modes(&self) -> String {
        let flags = self.format(concat!(
            "#{alternate_on} ",
            "#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}",
            "#{mouse_sgr_flag}#{mouse_utf8_flag}",
        ));
        let (alternate, mouse) = flags.split_once(' ').unwrap_or((&flags, ""));
        format!(
            "alternate={alternate} mouse={}",
            u8::from(mouse.contains('1'))
        )
    }

    /// Polls until `check` holds, or fails at `deadline` with what the pane shows.
    fn until(&self, what: &str, deadline: Duration, mut check: impl FnMut(&Tmux) -> bool) {
        let start = Instant::now();
        while !check(self) {
            if start.elapsed() > deadline {
                panic!(
                    "waited {deadline:?} for {what}; modes {}; the screen shows:\n{}",
                    self.modes(),
                    self.capture()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls the screen until every `wanted` text shows; the screen.
    fn wait_for(&self, wanted: &[&str]) -> String {
        let mut screen = String::new();
        self.until(&format!("{wanted:?}"), DEADLINE, |t| {
            screen = t.capture();
            wanted.iter().all(|w| screen.contains(w))
        });
        screen
    }

    /// Polls until the pane's modes read `want` (see [`Tmux::modes`]).
    fn wait_modes(&self, want: &str) {
        self.until(&format!("modes {want}"), DEADLINE, |t| t.modes() == want);
    }

    /// The pid of the app: the process named trialmatch under the pane's shell (its child, or
    /// a grandchild under `setsid`), once there is one.
    fn app_pid(&self) -> u32 {
        let shell = self.format("#{pane_pid}");
        let mut pid = 0;
        self.until("trialmatch under the pane's shell", DEADLINE, |_| {
            let mut parents = vec![shell.clone()];
            for _ in 0..3 {
                let mut kids = Vec::new();
                for parent in &parents {
                    let out = Command::new("pgrep")
                        .args(["-P", parent])
                        .output()
                        .unwrap_or_else(|e| panic!("pgrep: {e}"));
                    kids.extend(
                        String::from_utf8_lossy(&out.stdout)
                            .split_whitespace()
                            .map(str::to_string),
                    );
                }
                if let Some(app) = kids.iter().find(|k| command_name(k) == "trialmatch") {
                    pid = app.parse().unwrap_or(0);
                    return pid != 0;
                }
                parents = kids;
            }
            false
        });
        pid
    }
}

/// A process's command name ("" once it has gone).
fn command_name(pid: &str) -> String {
    Command::new("ps")
        .args(["-o", "comm=", "-p", pid])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The app's process: killed (SIGKILL, by its pid) on drop if it is still there, so that a
/// failing test leaves nothing running. Declared after its [`Tmux`], so dropped before it.
struct AppProcess {
    pid: u32,
}

impl AppProcess {
    /// Whether the process exists and has not exited (a zombie has).
    fn alive(&self) -> bool {
        Command::new("ps")
            .args(["-o", "stat=", "-p", &self.pid.to_string()])
            .output()
            .is_ok_and(|o| {
                let stat = String::from_utf8_lossy(&o.stdout);
                o.status.success() && !stat.trim().is_empty() && !stat.trim().starts_with('Z')
            })
    }

    /// Polls until the process has ended; fails if it is still there after `within`.
    fn wait_gone(&self, within: Duration, after: &str) {
        let start = Instant::now();
        while self.alive() {
            if start.elapsed() > within {
                let ps = Command::new("ps")
                    .args([
                        "-o",
                        "pid,stat,pcpu,etime,args",
                        "-p",
                        &self.pid.to_string(),
                    ])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap_or_default();
                panic!(
                    "trialmatch (pid {}) still runs {within:?} after {after}:\n{ps}",
                    self.pid
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{name} {}", self.pid);
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        if self.alive() {
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
        }
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The command line that runs the app on the shipped files with a worklist `db` of its own.
fn app_command(db: &Path) -> String {
    let bin = env!("CARGO_BIN_EXE_trialmatch");
    format!("'{bin}' --as-of 2026-11-22 --db '{}'", db.display())
}

/// `command`, after which the shell says how it ended and whether its terminal settings are
/// the ones it had before.
fn reporting(command: &str) -> String {
    format!(
        "S=$(stty -g); {command}; echo EXITED-$?; [ \"$S\" = \"$(stty -g)\" ] && echo STTY-RESTORED"
    )
}

/// Runs `command` in the pane and waits for the app's queue; the app's process.
fn open_app(t: &Tmux, command: &str) -> AppProcess {
    t.wait_for(&["$"]); // the prompt (capture-pane trims the trailing space)
    t.type_text(command);
    t.keys(&["Enter"]);
    // Known (and so killed on failure) before anything else is waited for.
    let app = AppProcess { pid: t.app_pid() };
    t.wait_for(&UP);
    // The app's modes, as the later checks expect them to be restored from.
    t.wait_modes("alternate=1 mouse=1");
    app
}

/// The shell answers, with the terminal in cooked mode (canonical input, echo).
fn shell_is_usable(t: &Tmux) {
    t.type_text(
        "echo SHELL-$((40+2)) COOKED-$(stty -a | tr ' ;' '\\n\\n' | grep -cx -e icanon -e echo)",
    );
    t.keys(&["Enter"]);
    t.wait_for(&["SHELL-42 COOKED-2"]);
}

/// The worklist database's write-ahead log, which SQLite removes when the last connection
/// closes normally.
fn wal(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

/// How the app is started in its pane.
#[derive(Clone, Copy)]
enum Start {
    /// By the pane's shell, as a job of its own.
    Job,
    /// In a session of its own (`setsid`): no SIGHUP reaches it when its terminal goes, so
    /// only reading end of file tells it.
    OwnSession,
}

/// Runs `end` on an app opened as `start` says and checks that the process ends within
/// [`GONE_WITHIN`] with its database closed. With `split`, a second pane keeps the window, the
/// session and the server alive.
fn ends_when_its_terminal_goes(start: Start, split: bool, end: impl FnOnce(&Tmux), what: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    let t = Tmux::start();
    if split {
        t.run(&["split-window", "-d", "-t", &t.pane]);
    }
    let command = match start {
        Start::Job => app_command(&db),
        Start::OwnSession => format!("setsid -w {}", app_command(&db)),
    };
    let app = open_app(&t, &command);
    assert!(wal(&db).exists(), "the worklist database is open");
    end(&t);
    app.wait_gone(GONE_WITHIN, what);
    assert!(
        !wal(&db).exists(),
        "the database was closed normally (its write-ahead log removed)"
    );
    if split {
        // Only the app's pane went; tmux carries on.
        let panes = t.run(&["list-panes", "-a", "-F", "#{pane_id}"]);
        let panes = String::from_utf8_lossy(&panes.stdout);
        assert_eq!(panes.lines().count(), 1, "{panes}");
    }
}

#[test]
fn a_killed_pane_ends_the_app_within_3_seconds() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end lifecycle test");
        return;
    }
    ends_when_its_terminal_goes(
        Start::Job,
        true,
        |t| {
            t.run(&["kill-pane", "-t", &t.pane]);
        },
        "tmux kill-pane",
    );
}

#[test]
fn a_killed_pane_ends_the_app_within_3_seconds_without_a_sighup() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end lifecycle test");
        return;
    }
    ends_when_its_terminal_goes(
        Start::OwnSession,
        true,
        |t| {
            t.run(&["kill-pane", "-t", &t.pane]);
        },
        "tmux kill-pane (the app in a session of its own)",
    );
}

#[test]
fn a_killed_tmux_server_ends_the_app_within_3_seconds() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end lifecycle test");
        return;
    }
    ends_when_its_terminal_goes(
        Start::Job,
        false,
        |t| {
            t.run(&["kill-server"]);
        },
        "tmux kill-server",
    );
}

/// Sends `signal` (a `kill` name) to the open app and checks that it ends with `status`
/// (128 + the signal) leaving the shell a usable terminal and its database closed.
fn ends_cleanly_on(signal: &str, status: u8) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    let t = Tmux::start();
    let app = open_app(&t, &reporting(&app_command(&db)));
    app.signal(signal);
    app.wait_gone(DEADLINE, &format!("SIG{signal}"));
    // Off the alternate screen, mouse released, terminal settings as before.
    t.wait_modes("alternate=0 mouse=0");
    let screen = t.wait_for(&[&format!("EXITED-{status}"), "STTY-RESTORED"]);
    assert!(
        !screen.contains("best match first"),
        "SIG{signal}: the shell's screen is back:\n{screen}"
    );
    shell_is_usable(&t);
    assert!(
        !wal(&db).exists(),
        "SIG{signal}: the database was closed normally"
    );
}

#[test]
fn sigint_gives_the_shell_a_usable_terminal() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end lifecycle test");
        return;
    }
    ends_cleanly_on("INT", 130);
}

#[test]
fn sigquit_gives_the_shell_a_usable_terminal() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end lifecycle test");
        return;
    }
    ends_cleanly_on("QUIT", 131);
}

/// Suspends the open app with `suspend`, checks the shell got a usable terminal, resumes it
/// with `fg` and checks it is redrawn and answers keys, then quits it.
fn suspends_and_resumes(suspend: impl FnOnce(&Tmux, &AppProcess)) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    let t = Tmux::start();
    let app = open_app(&t, &app_command(&db));
    suspend(&t, &app);
    // Stopped, with the terminal given back first: main screen, no mouse, cooked mode.
    t.wait_for(&["Stopped"]);
    t.wait_modes("alternate=0 mouse=0");
    let stopped = t.capture();
    assert!(
        !stopped.contains("best match first"),
        "the shell's screen is back while suspended:\n{stopped}"
    );
    assert!(app.alive(), "suspended, not ended");
    shell_is_usable(&t);
    // Resumed: raw mode, alternate screen and mouse again, and a full redraw.
    t.type_text("fg");
    t.keys(&["Enter"]);
    t.wait_modes("alternate=1 mouse=1");
    let screen = t.wait_for(&UP);
    assert!(
        !screen.contains("Stopped") && !screen.contains("SHELL-42"),
        "redrawn in full:\n{screen}"
    );
    // A single key acts at once (raw mode: no Enter needed).
    t.keys(&["?"]);
    t.wait_for(&["Help · every key, from the keymap"]);
    // `q` closes the help, then quits.
    t.keys(&["q"]);
    t.wait_for(&["best match first"]);
    t.keys(&["q"]);
    app.wait_gone(DEADLINE, "q");
    t.wait_modes("alternate=0 mouse=0");
    t.type_text("echo EXITED-$?");
    t.keys(&["Enter"]);
    t.wait_for(&["EXITED-0"]);
    shell_is_usable(&t);
}

#[test]
fn sigtstp_suspends_cleanly_and_fg_resumes_redrawn_and_responsive() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end lifecycle test");
        return;
    }
    suspends_and_resumes(|_, app| app.signal("TSTP"));
}

#[test]
fn ctrl_z_suspends_cleanly_and_fg_resumes_redrawn_and_responsive() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end lifecycle test");
        return;
    }
    suspends_and_resumes(|t, _| t.keys(&["C-z"]));
}
