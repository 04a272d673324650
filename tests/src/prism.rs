//! Stoplight Prism serving the spec on a loopback port: an independent server
//! that checks every request against the spec and answers from its examples.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Prism mock server, stopped on drop.
pub struct Prism {
    child: Child,
    address: SocketAddr,
}

impl Prism {
    /// Starts Prism on a free port on 127.0.0.1 and waits until it listens.
    ///
    /// Fails (never skips) when Prism is not installed, saying how to
    /// install it.
    pub fn start(spec: &Path) -> Result<Self, String> {
        let binary = prism_binary();
        if !binary.exists() {
            return Err(format!(
                "Prism is not installed at {}; run `npm ci` in the workspace root (it installs the pinned @stoplight/prism-cli from package-lock.json)",
                binary.display()
            ));
        }
        // Another process may take the free port before Prism binds it;
        // Prism then exits, and a fresh port is tried.
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port()?;
            let child = Command::new(&binary)
                .args([
                    "mock",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port.to_string(),
                    "--errors",
                ])
                .arg(spec)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|err| format!("cannot start {}: {err}", binary.display()))?;
            let mut prism = Self {
                child,
                address: SocketAddr::from(([127, 0, 0, 1], port)),
            };
            match prism.wait_until_listening(Duration::from_secs(60)) {
                Ok(()) => return Ok(prism),
                Err(err) => last_error = err,
            }
        }
        Err(last_error)
    }

    /// The base URL to point a client at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn wait_until_listening(&mut self, limit: Duration) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "Prism exited with {status} before listening on {}",
                    self.address
                ));
            }
            if TcpStream::connect_timeout(&self.address, Duration::from_millis(200)).is_ok() {
                // Something listens; make sure it is our Prism and not a
                // server that took the port first.
                std::thread::sleep(Duration::from_millis(300));
                return match self.child.try_wait() {
                    Ok(None) => Ok(()),
                    _ => Err(format!("Prism could not bind {}", self.address)),
                };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "Prism did not listen on {} within {limit:?}",
            self.address
        ))
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn prism_binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../node_modules/.bin/prism")
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|err| format!("no free port on 127.0.0.1: {err}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|err| err.to_string())
}
