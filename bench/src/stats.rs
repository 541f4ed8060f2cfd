//! Latency percentiles and the result tables.

use std::fmt::Write as _;
use std::time::Duration;

/// Sorted latency samples.
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut samples: Vec<Duration>) -> Latencies {
        samples.sort_unstable();
        Latencies(samples)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Nearest-rank percentile (`p` in 0..=100); zero when there are no samples.
    pub fn pct(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    pub fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }

    /// "p50 / p99 / max" in milliseconds.
    pub fn summary(&self) -> String {
        format!(
            "{} / {} / {}",
            ms(self.pct(50.0)),
            ms(self.pct(99.0)),
            ms(self.max())
        )
    }
}

pub fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1000.0;
    if v < 10.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.1} ms")
    }
}

pub fn bytes(n: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if n as f64 >= MIB {
        format!("{:.1} MiB", n as f64 / MIB)
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}

/// A table of measurements, each with the target where it has one.
pub struct Table {
    title: String,
    rows: Vec<[String; 3]>,
}

impl Table {
    pub fn new(title: impl Into<String>) -> Table {
        Table {
            title: title.into(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, what: impl Into<String>, value: impl Into<String>) {
        self.rows.push([what.into(), value.into(), String::new()]);
    }

    /// A row with a target; `met` says whether the measured value reaches it.
    pub fn target(
        &mut self,
        what: impl Into<String>,
        value: impl Into<String>,
        target: &str,
        met: bool,
    ) {
        let verdict = if met { "met" } else { "MISSED" };
        self.rows
            .push([what.into(), value.into(), format!("{target} ({verdict})")]);
    }

    pub fn render(&self) -> String {
        let w0 = self
            .rows
            .iter()
            .map(|r| r[0].len())
            .max()
            .unwrap_or(0)
            .max(6);
        let w1 = self
            .rows
            .iter()
            .map(|r| r[1].len())
            .max()
            .unwrap_or(0)
            .max(5);
        let mut out = String::new();
        let _ = writeln!(out, "\n== {} ==", self.title);
        let _ = writeln!(out, "{:<w0$} | {:<w1$} | target", "metric", "value");
        let _ = writeln!(
            out,
            "{}-+-{}-+-{}",
            "-".repeat(w0),
            "-".repeat(w1),
            "-".repeat(20)
        );
        for r in &self.rows {
            let _ = writeln!(out, "{:<w0$} | {:<w1$} | {}", r[0], r[1], r[2]);
        }
        out
    }
}
