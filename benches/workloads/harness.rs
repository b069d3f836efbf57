//! A small, careful timing harness: every case runs its own inner loop (no dynamic call
//! per iteration), cases are interleaved round by round so that a noisy neighbour slows
//! them all alike, and each case reports the median of its rounds.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// What a sample measures: wall time (the default), or with `TYPENET_BENCH_CLOCK=thread`
/// the CPU time of the measuring thread (Linux), which leaves out the time other programs
/// hold the core: on a loaded machine it is close to an idle machine's wall time. Only
/// for cases that run on the calling thread.
#[derive(Clone, Copy, PartialEq)]
pub enum Clock {
    Wall,
    Thread,
}

impl Clock {
    pub fn from_env() -> Self {
        match std::env::var("TYPENET_BENCH_CLOCK").as_deref() {
            Ok("thread") if cfg!(target_os = "linux") => Clock::Thread,
            _ => Clock::Wall,
        }
    }

    pub fn start(self) -> Stamp {
        match self {
            Clock::Wall => Stamp::Wall(Instant::now()),
            Clock::Thread => Stamp::Thread(thread_cpu_ns()),
        }
    }
}

pub enum Stamp {
    Wall(Instant),
    Thread(u64),
}

impl Stamp {
    pub fn elapsed(&self) -> Duration {
        match self {
            Stamp::Wall(t) => t.elapsed(),
            Stamp::Thread(t) => Duration::from_nanos(thread_cpu_ns() - t),
        }
    }
}

#[cfg(target_os = "linux")]
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write; the clock id is a constant Linux knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu_ns() -> u64 {
    unreachable!("Clock::Thread is Linux only")
}

/// A benchmark case: `run(n)` performs `n` iterations of the workload.
pub struct Case<'a> {
    pub name: &'static str,
    pub run: Box<dyn FnMut(u64) + 'a>,
    /// Whether the case is measured (`TYPENET_BENCH_ROWS` leaves some out).
    pub enabled: bool,
    iters: u64,
    samples: Vec<f64>,
}

impl<'a> Case<'a> {
    pub fn new(name: &'static str, run: impl FnMut(u64) + 'a) -> Self {
        Self {
            name,
            run: Box::new(run),
            enabled: true,
            iters: 1,
            samples: Vec::new(),
        }
    }

    fn calibrate(&mut self, target: Duration, clock: Clock) {
        (self.run)(1); // warm caches and the branch predictors
        let mut n = 1u64;
        loop {
            let t = clock.start();
            (self.run)(n);
            let e = t.elapsed();
            if e >= target / 4 || n >= 1 << 40 {
                let per = e.as_secs_f64() / n as f64;
                self.iters = ((target.as_secs_f64() / per) as u64).max(1);
                return;
            }
            n *= 2;
        }
    }

    /// Median nanoseconds per iteration.
    pub fn median_ns(&self) -> f64 {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    }

    /// The spread between the 25th and 75th percentile, relative to the median.
    pub fn spread(&self) -> f64 {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        (s[s.len() * 3 / 4] - s[s.len() / 4]) / s[s.len() / 2]
    }
}

/// Runs all cases `rounds` times, interleaved, each sample lasting about `target`.
pub fn run(cases: &mut [Case<'_>], rounds: usize, target: Duration, clock: Clock) {
    for c in cases.iter_mut().filter(|c| c.enabled) {
        c.calibrate(target, clock);
    }
    for _ in 0..rounds {
        for c in cases.iter_mut().filter(|c| c.enabled) {
            let n = c.iters;
            let t = clock.start();
            (c.run)(black_box(n));
            c.samples.push(t.elapsed().as_secs_f64() * 1e9 / n as f64);
        }
    }
}

pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}
