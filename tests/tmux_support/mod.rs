//! A tmux server of the tests' own for the end-to-end tests: started on a private socket with
//! no user configuration, driven by keys, its screen polled with a deadline (never a fixed
//! sleep), killed when dropped.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub const DEADLINE: Duration = Duration::from_secs(30);

/// A tmux server of our own (its own socket, no user config), killed on drop.
pub struct Tmux {
    pub socket: String,
    pub session: String,
    /// The shell's `XDG_CACHE_HOME`: the app's parsed-profile cache goes here, not into the
    /// user's own cache folder.
    pub cache: tempfile::TempDir,
}

impl Tmux {
    pub fn start(dir: &Path) -> Tmux {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let id = format!("trialmatch-e2e-{}-{nanos}", std::process::id());
        let t = Tmux {
            socket: id.clone(),
            session: id,
            cache: tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")),
        };
        let dir = dir.display().to_string();
        t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            "-s",
            &t.session,
            "-c",
            &dir,
            &format!(
                "env PS1='$ ' TERM=xterm-256color XDG_CACHE_HOME='{}' bash --norc --noprofile",
                t.cache.path().display()
            ),
        ]);
        t
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("tmux {args:?}: {e}"));
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Types text literally.
    pub fn type_text(&self, s: &str) {
        if !s.is_empty() {
            self.run(&["send-keys", "-t", &self.session, "-l", s]);
        }
    }

    /// Presses named keys (Enter, Escape, j, ...).
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", &self.session, k]);
        }
    }

    pub fn capture(&self) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["capture-pane", "-p", "-t", &self.session])
                .stdout,
        )
        .into_owned()
    }

    /// Polls the screen until every `wanted` text shows, or fails at the deadline.
    pub fn wait_for(&self, wanted: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if wanted.iter().all(|w| screen.contains(w)) {
                return screen;
            }
            if start.elapsed() > DEADLINE {
                panic!("waited {DEADLINE:?} for {wanted:?}; the screen shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls the screen until one of `wanted` shows: which one, and the screen; fails at the
    /// deadline.
    pub fn wait_any(&self, wanted: &[&str]) -> (usize, String) {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if let Some(i) = wanted.iter().position(|w| screen.contains(w)) {
                return (i, screen);
            }
            if start.elapsed() > DEADLINE {
                panic!("waited {DEADLINE:?} for one of {wanted:?}; the screen shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The app started in a new tmux server on an empty patients folder and a new database (both
/// in the returned folder), waited for until its empty patient list shows; the shell prints
/// `EXITED-<status>` when it ends.
pub fn open_on_an_empty_queue(repo: &Path, bin: &str) -> (Tmux, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let patients = dir.path().join("patients");
    std::fs::create_dir(&patients).unwrap_or_else(|e| panic!("{e}"));
    let t = Tmux::start(repo);
    t.wait_for(&["$"]);
    t.type_text(&format!(
        "'{bin}' --as-of 2026-11-22 --patients '{}' --db '{}'; echo EXITED-$?",
        patients.display(),
        dir.path().join("w.sqlite3").display()
    ));
    t.keys(&["Enter"]);
    t.wait_for(&["Patients (0)"]);
    (t, dir)
}
