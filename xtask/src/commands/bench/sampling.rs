//! What the processes cost while a scenario runs, read from Linux's /proc: CPU time of the
//! machine and of each process, and each process's peak resident memory.

use std::time::Instant;

use xtask::process::{Memory, memory_mib};

/// CPU time counters, in clock ticks: the machine's busy and total time, and each process's
/// user + system time.
pub struct CpuTimes {
    at: Instant,
    machine_busy: u64,
    machine_total: u64,
    processes: Vec<(String, u64)>,
}

/// Clock ticks per second in /proc (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

impl CpuTimes {
    pub fn read(processes: &[(String, u32)]) -> anyhow::Result<Self> {
        let stat = std::fs::read_to_string("/proc/stat")?;
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|field| field.parse().ok())
            .collect();
        anyhow::ensure!(fields.len() >= 8, "/proc/stat has no cpu line: {stat:.80}");
        let machine_total: u64 = fields.iter().take(8).sum();
        // idle and iowait
        let idle = fields[3] + fields[4];
        let processes = processes
            .iter()
            .map(|(name, pid)| Ok((name.clone(), process_ticks(*pid)?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            at: Instant::now(),
            machine_busy: machine_total.saturating_sub(idle),
            machine_total,
            processes,
        })
    }

    /// The machine's busy share (percent) and each process's CPU (percent of one core) since
    /// `before`.
    pub fn since(&self, before: &Self) -> (f64, Vec<(String, f64)>) {
        let total = self
            .machine_total
            .saturating_sub(before.machine_total)
            .max(1) as f64;
        let busy = self.machine_busy.saturating_sub(before.machine_busy) as f64;
        let elapsed_seconds = self.at.duration_since(before.at).as_secs_f64();
        let processes = self
            .processes
            .iter()
            .zip(&before.processes)
            .map(|((name, now), (_, then))| {
                let seconds = now.saturating_sub(*then) as f64 / TICKS_PER_SECOND;
                (
                    name.clone(),
                    100.0 * seconds / elapsed_seconds.max(f64::EPSILON),
                )
            })
            .collect();
        (100.0 * busy / total, processes)
    }

    /// The CPU time every process together used since `before`, in seconds.
    pub fn process_seconds_since(&self, before: &Self) -> f64 {
        let ticks: u64 = self
            .processes
            .iter()
            .zip(&before.processes)
            .map(|((_, now), (_, then))| now.saturating_sub(*then))
            .sum();
        ticks as f64 / TICKS_PER_SECOND
    }
}

/// A process's user + system time so far, in clock ticks.
fn process_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th
    // and 13th.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<u64> = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(ticks.len() == 2, "/proc/{pid}/stat has no CPU times");
    Ok(ticks.iter().sum())
}

/// Peak resident memory (VmHWM) of each process, in MiB.
pub fn peak_rss(processes: &[(String, u32)]) -> Vec<(String, f64)> {
    processes
        .iter()
        .filter_map(|(name, pid)| Some((name.clone(), memory_mib(*pid, Memory::PeakResident)?)))
        .collect()
}

/// The machine, for the report: CPU model, cores, memory, OS.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let kib: f64 = info
                .lines()
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some(format!("{:.0} GiB RAM", kib / 1024.0 / 1024.0))
        })
        .unwrap_or_else(|| "unknown memory".to_owned());
    format!("{cpu}, {cores} cores, {memory}, {}", std::env::consts::OS)
}

/// `pid` and every process below it (a gateway that forks workers is measured whole).
pub fn process_tree(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let child: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // The field after the state, past the command name (which may hold spaces).
            let parent = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((child, parent))
        })
        .collect();
    let mut tree = vec![pid];
    let mut at = 0;
    while at < tree.len() {
        let parent = tree[at];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(child, _)| *child),
        );
        at += 1;
    }
    tree
}

/// Starts each process's peak resident memory (VmHWM) over from what it holds now (Linux's
/// `clear_refs`), so a run's peak is its own. A process that refuses keeps its earlier peak.
pub fn reset_peak_rss(pids: &[u32]) {
    for pid in pids {
        let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    }
}
