//! Waiting for something that happens a moment later, the one way every test does it.

use std::{
    fmt::Debug,
    time::{Duration, Instant},
};

/// How long [`eventually`] waits between two looks.
const EVERY: Duration = Duration::from_millis(200);

/// Looks with `probe` until it answers `Ok`, and returns what it answered then. `Err` means "not
/// yet" and carries what the probe saw; after `seconds` the test fails with `what` was awaited
/// and the last thing seen.
pub async fn eventually<T, Seen: Debug>(
    what: &str,
    seconds: u64,
    mut probe: impl AsyncFnMut() -> Result<T, Seen>,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let seen = match probe().await {
            Ok(done) => return done,
            Err(seen) => seen,
        };
        if Instant::now() >= deadline {
            panic!("{what}: not seen in {seconds} s; last seen: {seen:#?}");
        }
        tokio::time::sleep(EVERY).await;
    }
}
