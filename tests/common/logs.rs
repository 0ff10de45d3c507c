//! The operator's logs, captured where a test must search them (for a secret that must not be
//! there): in-process, every line the operator logs in this test binary at debug (as
//! `RUST_LOG=debug` would); as a subprocess, its stdout and stderr in a file.

use std::{
    path::PathBuf,
    process::{Child, Command},
    sync::{Mutex, Once},
};

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Sink;

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends the logs of the operator running in-process to memory, at debug and without colours;
/// once per test binary (later calls do nothing). Call it before the operator starts.
pub fn capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(|| Sink)
            .init();
    });
}

/// Everything captured since [`capture`], as text; asserts that something was (an operator that
/// executed an act logs `executed`).
pub fn captured() -> String {
    let logs = String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned();
    assert!(
        logs.contains("executed"),
        "the operator's logs are captured (logs::capture() at the test's start)"
    );
    logs
}

/// The operator's binary running `args`, with `RUST_LOG=debug` and its stdout and stderr in
/// `target/<name>.log`; killed when dropped. [`Binary::logs`] stops it and reads the file.
pub struct Binary {
    child: Child,
    pub log: PathBuf,
}

impl Binary {
    pub fn start(name: &str, args: &[&str]) -> Self {
        let log = super::repo_root().join(format!("target/{name}.log"));
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_ovh-publiccloud-operator"))
            .args(args)
            .env("KUBECONFIG", &super::control_plane().kubeconfig)
            .env("RUST_LOG", "debug")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("start the operator binary");
        Self { child, log }
    }

    /// Stops the binary and returns everything it logged; asserts that something was (an
    /// operator that executed an act logs `executed`).
    pub fn logs(&mut self) -> String {
        self.stop();
        let logs = std::fs::read_to_string(&self.log).unwrap();
        assert!(
            logs.contains("executed"),
            "the operator's logs were captured: {:?}",
            self.log
        );
        logs
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        self.stop();
    }
}
