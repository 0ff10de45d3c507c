//! The steady state's call budget. Every resource of one credentials Secret is read again on
//! each --resync and has its spend read on each --spend-interval; with many resources those
//! routine reads alone would pass the Secret's rate limit (--ovh-rate-limit) and new orders would
//! queue behind them. So routine reads use at most [`ROUTINE_SHARE`] of the limit: when the
//! resources of a Secret need more, both intervals are lengthened in proportion (the status
//! says when each project was last read: status.spend.readAt), and each resync is spread by a
//! random jitter so passes do not come in waves.

use std::time::Duration;

/// The share of a Secret's rate limit that routine reads may use; the rest is left to work
/// (orders, payments, deletions, spec changes).
pub const ROUTINE_SHARE: f64 = 0.5;

/// OVH calls of one routine pass over a Ready project (its status: `GET /cloud/project/{id}`).
pub const CALLS_PER_RESYNC: f64 = 1.0;

/// OVH calls of one spend refresh with every day-two feature (usage ×2, serviceInfos, quota,
/// regions, the alerts, one alert, its sent alerts), as the simulator counts them.
pub const CALLS_PER_SPEND_READ: f64 = 8.0;

/// How much the routine intervals are stretched for `resources` of one Secret: 1 when they fit in
/// the budget, else the factor that makes them fit. No rate limit (0): never stretched.
pub fn stretch(resources: usize, rate_limit: f64, resync: Duration, spend: Duration) -> f64 {
    if rate_limit <= 0.0 || resources == 0 {
        return 1.0;
    }
    let per_second = |calls: f64, every: Duration| calls / every.as_secs_f64().max(1.0);
    let demand =
        resources as f64 * (per_second(CALLS_PER_RESYNC, resync) + per_second(CALLS_PER_SPEND_READ, spend));
    (demand / (ROUTINE_SHARE * rate_limit)).max(1.0)
}

/// `every` stretched by `factor`, then spread by ±10 % (`jitter` in 0..1).
pub fn spread(every: Duration, factor: f64, jitter: f64) -> Duration {
    every.mul_f64(factor * (0.9 + 0.2 * jitter.clamp(0.0, 1.0)))
}

/// When the first routine pass of a resource after a start (or a change of leader) runs: at
/// once while the budget holds, else at a random point (`jitter` in 0..1) of the stretched
/// interval — not all of a Secret's projects read again in one round at the rate limit (at
/// 10,000, 17 minutes at 10 calls/s). The account's listing (`listing`, never stretched) still
/// sees a project gone meanwhile at once.
pub fn first_pass_delay(every: Duration, factor: f64, jitter: f64) -> Option<Duration> {
    (factor > 1.0).then(|| every.mul_f64(factor * jitter.clamp(0.0, 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN_MINUTES: Duration = Duration::from_secs(600);
    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_first_pass_waits_only_when_the_budget_stretches() {
        assert_eq!(first_pass_delay(TEN_MINUTES, 1.0, 0.7), None);
        assert_eq!(
            first_pass_delay(TEN_MINUTES, 3.0, 0.5),
            Some(Duration::from_secs(900))
        );
        assert_eq!(first_pass_delay(TEN_MINUTES, 3.0, 0.0), Some(Duration::ZERO));
    }

    #[test]
    fn few_resources_keep_the_intervals_many_stretch_them_to_half_the_limit() {
        assert_eq!(stretch(100, 10.0, TEN_MINUTES, HOUR), 1.0);
        // 10,000 resources: 10,000 × (1/600 + 8/3600) ≈ 38.9 calls/s against 5 allowed.
        let factor = stretch(10_000, 10.0, TEN_MINUTES, HOUR);
        assert!((factor - 7.78).abs() < 0.01, "{factor}");
        let per_second = 10_000.0 * (1.0 / (600.0 * factor) + 8.0 / (3600.0 * factor));
        assert!((per_second - 5.0).abs() < 1e-6, "{per_second}");
        assert_eq!(
            stretch(10_000, 0.0, TEN_MINUTES, HOUR),
            1.0,
            "no limit: no stretch"
        );
    }

    #[test]
    fn a_resync_is_spread_within_ten_percent() {
        assert_eq!(spread(TEN_MINUTES, 1.0, 0.0), Duration::from_secs(540));
        assert_eq!(spread(TEN_MINUTES, 1.0, 1.0), Duration::from_secs(660));
        assert_eq!(spread(TEN_MINUTES, 2.0, 0.5), Duration::from_secs(1200));
    }
}
