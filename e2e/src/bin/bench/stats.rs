//! Percentiles of a sample, nearest-rank, in the units they were taken in.

/// p50 / p95 / p99 / max of a set of samples.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(samples: &[f64]) -> Summary {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |p: f64| {
            if sorted.is_empty() {
                return f64::NAN;
            }
            let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
            sorted[rank.clamp(1, sorted.len()) - 1]
        };
        Summary {
            n: sorted.len(),
            p50: at(50.0),
            p95: at(95.0),
            p99: at(99.0),
            max: at(100.0),
        }
    }

    /// `p50 1.2 · p95 3.4 · max 5.6 ms (n = 60)`.
    pub fn line(&self, unit: &str) -> String {
        format!(
            "p50 {:.1} · p95 {:.1} · p99 {:.1} · max {:.1} {unit} (n = {})",
            self.p50, self.p95, self.p99, self.max, self.n
        )
    }
}
