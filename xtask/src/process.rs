//! Supervised child processes: labelled output (to the console or a log file), readiness
//! polling over HTTP, and a graceful stop (SIGTERM, then SIGKILL after a grace period).

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use anyhow::{Context, bail};
use nix::{sys::signal, unistd::Pid};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader},
    process::{Child, Command},
    time::{Instant, sleep, timeout},
};

/// Where a child's stdout and stderr go.
#[derive(Debug, Clone)]
pub enum Output {
    /// Each line printed with the service's label in front.
    Console,
    /// Appended to this file (tests keep the console for their own output).
    File(PathBuf),
}

/// A running child that is stopped, gracefully, when dropped or told to.
pub struct Service {
    pub name: String,
    child: Child,
}

impl Service {
    /// Starts `command` as `name`, sending its output where `output` says.
    pub async fn spawn(name: &str, mut command: Command, output: &Output) -> anyhow::Result<Self> {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let program = command.as_std().get_program().to_owned();
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {name} ({})", Path::new(&program).display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        forward(name, stdout, output.clone());
        forward(name, stderr, output.clone());
        Ok(Self {
            name: name.to_owned(),
            child,
        })
    }

    /// The operating system's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Resolves when the process exits by itself.
    pub async fn exited(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.child.wait().await
    }

    /// The exit status, if the process has already exited.
    pub fn try_exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Suspends (SIGSTOP) or resumes (SIGCONT) the process: a service that accepts
    /// connections but never answers, as a hung or overloaded one looks from outside.
    pub fn set_frozen(&self, frozen: bool) {
        if let Some(pid) = self.child.id() {
            let signal = if frozen {
                signal::Signal::SIGSTOP
            } else {
                signal::Signal::SIGCONT
            };
            let _ = signal::kill(Pid::from_raw(pid as i32), signal);
        }
    }

    /// SIGKILL now, while others may still be talking to the service (a later [`Service::kill`]
    /// or [`Service::stop`] reaps it): a crash at an instant of the caller's choosing.
    pub fn crash(&self) {
        if let Some(pid) = self.child.id() {
            let _ = signal::kill(Pid::from_raw(pid as i32), signal::Signal::SIGKILL);
        }
    }

    /// SIGKILL, as a crash or an out-of-memory kill ends it: no chance to clean up.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`.
    pub async fn stop(mut self, grace: Duration) {
        if let Some(pid) = self.child.id() {
            let _ = signal::kill(Pid::from_raw(pid as i32), signal::Signal::SIGTERM);
            if timeout(grace, self.child.wait()).await.is_ok() {
                return;
            }
        }
        let _ = self.child.kill().await;
    }
}

fn forward(name: &str, stream: impl AsyncRead + Unpin + Send + 'static, output: Output) {
    let label = format!("{name:>14} │ ");
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        match output {
            Output::Console => {
                while let Ok(Some(line)) = lines.next_line().await {
                    println!("{label}{line}");
                }
            }
            Output::File(path) => {
                let Ok(mut file) = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .await
                else {
                    return;
                };
                while let Ok(Some(line)) = lines.next_line().await {
                    let _ = file.write_all(format!("{label}{line}\n").as_bytes()).await;
                }
            }
        }
    });
}

/// A figure of a process's memory, as Linux's `/proc/<pid>/status` reports it.
#[derive(Debug, Clone, Copy)]
pub enum Memory {
    /// Resident now (`VmRSS`).
    Resident,
    /// The most it has been resident (`VmHWM`).
    PeakResident,
}

/// `figure` of process `pid`'s memory in MiB, while it runs.
pub fn memory_mib(pid: u32, figure: Memory) -> Option<f64> {
    let field = match figure {
        Memory::Resident => "VmRSS:",
        Memory::PeakResident => "VmHWM:",
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find(|line| line.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// How many sockets process `pid` holds open (listening, connected, to clients and
/// upstreams alike), while it runs.
pub fn open_sockets(pid: u32) -> Option<usize> {
    let descriptors = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(
        descriptors
            .flatten()
            .filter(|fd| {
                std::fs::read_link(fd.path())
                    .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
            })
            .count(),
    )
}

/// How many established TCP connections on this machine have `port` as their local end: the
/// connections a server listening on `port` is serving, from any client.
pub fn connections_served_on(port: u16) -> usize {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .map(|table| {
            table
                .lines()
                .skip(1)
                .filter(|line| {
                    // `sl local_address rem_address st …`, addresses as HEX_IP:HEX_PORT, state 01
                    // established.
                    let mut columns = line.split_whitespace().skip(1);
                    let local_port = columns
                        .next()
                        .and_then(|local| local.rsplit(':').next())
                        .and_then(|hex| u16::from_str_radix(hex, 16).ok());
                    let state = columns.nth(1);
                    local_port == Some(port) && state == Some("01")
                })
                .count()
        })
        .sum()
}

/// Polls `url` until it answers 2xx, the service exits, or `limit` passes.
pub async fn wait_ready(service: &mut Service, url: &str, limit: Duration) -> anyhow::Result<()> {
    wait_answering(service, url, limit, |client| client.get(url)).await
}

/// Sends `probe`'s request until it is answered 2xx, the service exits, or `limit` passes;
/// `url` names where in the error.
pub async fn wait_answering(
    service: &mut Service,
    url: &str,
    limit: Duration,
    probe: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = service.try_exited() {
            bail!("{} exited ({status}) before it was ready", service.name);
        }
        let answer = probe(&client).timeout(Duration::from_secs(2)).send().await;
        if matches!(&answer, Ok(response) if response.status().is_success()) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("{} was not ready at {url} within {limit:?}", service.name);
        }
        sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `command` to completion, failing with its output when it fails.
pub async fn run_to_completion(name: &str, mut command: Command) -> anyhow::Result<String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("cannot run {name}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "{name} failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}

/// A TCP port nothing on loopback listens on right now, for a service about to be started.
///
/// Picked below the kernel's ephemeral range, never from it: outgoing connections (to MongoDB,
/// between services) take their local ports from that range, and one of them could take a port
/// handed out there before the service binds it. Successive calls in a process hand out
/// different ports, starting from an offset that differs between processes.
pub fn free_port() -> anyhow::Result<u16> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32_768);
    const FIRST: u32 = 10_000;
    let span = ephemeral_start.saturating_sub(FIRST).max(1);
    let offset = std::process::id().wrapping_mul(7_919) % span;
    for _ in 0..span {
        let port = FIRST + (offset + NEXT.fetch_add(1, Ordering::Relaxed)) % span;
        let Ok(port) = u16::try_from(port) else {
            continue;
        };
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    bail!("no free TCP port between {FIRST} and {ephemeral_start} on 127.0.0.1")
}
