//! A small, careful timing harness: every case runs its own inner loop (no dynamic call
//! per iteration), cases are interleaved round by round so that a noisy neighbour slows
//! them all alike, and each case reports the median of its rounds.

use std::hint::black_box;
use std::time::{Duration, Instant};

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

    fn calibrate(&mut self, target: Duration) {
        (self.run)(1); // warm caches and the branch predictors
        let mut n = 1u64;
        loop {
            let t = Instant::now();
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
pub fn run(cases: &mut [Case<'_>], rounds: usize, target: Duration) {
    for c in cases.iter_mut().filter(|c| c.enabled) {
        c.calibrate(target);
    }
    for _ in 0..rounds {
        for c in cases.iter_mut().filter(|c| c.enabled) {
            let n = c.iters;
            let t = Instant::now();
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
