//! The rate limit of one client (one credentials Secret): one call every `1 / rate` seconds,
//! handed out in two lanes sharing that one budget. A call of the priority lane (a resource with
//! work to do: ordering, paying, deleting, a spec change) is served before every call waiting in
//! the routine lane (resyncs of Ready projects, spend refreshes) that has waited less than
//! [`MAX_ROUTINE_WAIT`]; within a lane, first come first served. A routine call waits only while
//! priority calls wait: with none, it takes the next slot as before. One that has waited
//! [`MAX_ROUTINE_WAIT`] takes the next slot in any case: the pass that sent it holds one of its
//! Secret's reconcile slots while it waits, which the resources with work to do need.
//!
//! No task runs the limiter: the waiter at the head of the queue (the priority lane's first, else
//! the routine lane's) sleeps until the next slot and takes it; the others sleep until they are
//! the head. A waiter given up (its pass's time budget) leaves its place, waking the next head.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{sync::Notify, time::Instant};

/// The longest a routine call waits behind priority calls (ten slots at 10 calls per second).
pub const MAX_ROUTINE_WAIT: Duration = Duration::from_secs(1);

/// Which of a client's calls wait behind which (see the module's documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lane {
    /// Work to do: served first.
    #[default]
    Priority,
    /// Routine reads: served when no priority call waits.
    Routine,
}

impl Lane {
    fn index(self) -> usize {
        match self {
            Lane::Priority => 0,
            Lane::Routine => 1,
        }
    }
}

/// Calls of both lanes under one rate (None, or not above 0: no limit).
pub(super) struct Limiter {
    interval: Option<Duration>,
    state: Mutex<State>,
}

struct State {
    /// When the next call may be sent.
    next: Instant,
    /// The waiters of each lane, oldest first: `[priority, routine]`.
    lanes: [VecDeque<Waiter>; 2],
    last_id: u64,
}

struct Waiter {
    id: u64,
    wake: Arc<Notify>,
    since: Instant,
}

impl State {
    /// The next to be served: the oldest routine call once it has waited its longest, else the
    /// oldest priority call, else the oldest routine one.
    fn head(&self) -> Option<&Waiter> {
        let routine = self.lanes[1].front();
        if let Some(aged) = routine.filter(|w| w.since.elapsed() >= MAX_ROUTINE_WAIT) {
            return Some(aged);
        }
        self.lanes[0].front().or(routine)
    }

    fn wake_head(&self) {
        if let Some(head) = self.head() {
            head.wake.notify_one();
        }
    }

    /// Takes `id` out of `lane`; true when it was the head.
    fn remove(&mut self, lane: Lane, id: u64) -> bool {
        let was_head = self.head().is_some_and(|h| h.id == id);
        self.lanes[lane.index()].retain(|w| w.id != id);
        was_head
    }
}

/// A waiter's place in its lane, given up when it is dropped before its turn.
struct Place<'a> {
    limiter: &'a Limiter,
    lane: Lane,
    id: u64,
    served: bool,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if self.served {
            return;
        }
        let mut state = self.limiter.state.lock().unwrap();
        if state.remove(self.lane, self.id) {
            state.wake_head();
        }
    }
}

impl Limiter {
    pub(super) fn new(rate_per_second: Option<f64>) -> Self {
        let interval = rate_per_second
            .filter(|r| *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        let state = State {
            next: Instant::now(),
            lanes: [VecDeque::new(), VecDeque::new()],
            last_id: 0,
        };
        Self {
            interval,
            state: Mutex::new(state),
        }
    }

    /// Waits for a slot in `lane`'s turn.
    pub(super) async fn acquire(&self, lane: Lane) {
        let Some(interval) = self.interval else {
            return;
        };
        let wake = Arc::new(Notify::new());
        let id = {
            let mut state = self.state.lock().unwrap();
            let now = Instant::now();
            if state.head().is_none() && state.next <= now {
                state.next = now + interval;
                return;
            }
            state.last_id += 1;
            let id = state.last_id;
            let waiter = Waiter {
                id,
                wake: wake.clone(),
                since: now,
            };
            state.lanes[lane.index()].push_back(waiter);
            id
        };
        let aged_at = Instant::now() + MAX_ROUTINE_WAIT;
        let mut place = Place {
            limiter: self,
            lane,
            id,
            served: false,
        };
        loop {
            // Decided under the lock, waited for after it.
            let slot = {
                let mut state = self.state.lock().unwrap();
                match state.head() {
                    Some(head) if head.id == id => {
                        let now = Instant::now();
                        if state.next <= now {
                            state.remove(lane, id);
                            place.served = true;
                            state.next = now + interval;
                            state.wake_head();
                            return;
                        }
                        Some(state.next)
                    }
                    _ => None,
                }
            };
            match slot {
                // Another waiter may become the head meanwhile: then this one waits again.
                Some(slot) => tokio::time::sleep_until(slot).await,
                // A routine call looks again when it has waited its longest.
                None if lane == Lane::Routine && Instant::now() < aged_at => {
                    let _ = tokio::time::timeout_at(aged_at, wake.notified()).await;
                }
                None => wake.notified().await,
            }
        }
    }

    /// How many calls wait in each lane: `(priority, routine)`.
    #[cfg(test)]
    fn waiting(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap();
        (state.lanes[0].len(), state.lanes[1].len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spawns a call of `lane` that records `name` when served, and returns once it waits.
    async fn queue(
        limiter: &Arc<Limiter>,
        lane: Lane,
        name: &'static str,
        served: &Arc<Mutex<Vec<&'static str>>>,
    ) {
        let before = limiter.waiting();
        let (limiter_, served) = (limiter.clone(), served.clone());
        tokio::spawn(async move {
            limiter_.acquire(lane).await;
            served.lock().unwrap().push(name);
        });
        while limiter.waiting() == before {
            tokio::task::yield_now().await;
        }
    }

    async fn until_served(served: &Arc<Mutex<Vec<&'static str>>>, n: usize) -> Vec<&'static str> {
        while served.lock().unwrap().len() < n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        served.lock().unwrap().clone()
    }

    #[tokio::test(start_paused = true)]
    async fn a_priority_call_is_served_before_routine_calls_that_waited_longer() {
        let limiter = Arc::new(Limiter::new(Some(10.0)));
        let served = Arc::default();
        limiter.acquire(Lane::Routine).await; // the first slot, at once
        queue(&limiter, Lane::Routine, "routine 1", &served).await;
        queue(&limiter, Lane::Routine, "routine 2", &served).await;
        queue(&limiter, Lane::Priority, "priority 1", &served).await;
        queue(&limiter, Lane::Priority, "priority 2", &served).await;
        assert_eq!(limiter.waiting(), (2, 2));
        let order = until_served(&served, 4).await;
        assert_eq!(order, ["priority 1", "priority 2", "routine 1", "routine 2"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_routine_call_waits_behind_priority_calls_no_longer_than_its_longest() {
        let limiter = Arc::new(Limiter::new(Some(10.0)));
        let served = Arc::default();
        limiter.acquire(Lane::Priority).await;
        queue(&limiter, Lane::Routine, "routine", &served).await;
        const PRIORITY: [&str; 30] = [
            "p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p11", "p12", "p13",
            "p14", "p15", "p16", "p17", "p18", "p19", "p20", "p21", "p22", "p23", "p24", "p25", "p26", "p27",
            "p28", "p29",
        ];
        for name in PRIORITY {
            queue(&limiter, Lane::Priority, name, &served).await;
        }
        let order = until_served(&served, 31).await;
        let at = order.iter().position(|n| *n == "routine").unwrap();
        // Ten slots in a second: served after about ten priority calls, not after all thirty.
        assert!((8..=11).contains(&at), "served {at}th: {order:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn both_lanes_share_one_budget() {
        let limiter = Arc::new(Limiter::new(Some(2.0)));
        let served = Arc::default();
        let start = Instant::now();
        limiter.acquire(Lane::Priority).await;
        queue(&limiter, Lane::Routine, "routine", &served).await;
        queue(&limiter, Lane::Priority, "priority", &served).await;
        until_served(&served, 2).await;
        limiter.acquire(Lane::Routine).await;
        // Four calls at two per second: the fourth no sooner than 1.5 s after the first (the
        // clock is tokio's paused one: it moves only when every task waits).
        assert!(
            start.elapsed() >= Duration::from_millis(1500),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_given_up_leaves_its_place_to_the_next() {
        let limiter = Arc::new(Limiter::new(Some(1.0)));
        let served = Arc::default();
        limiter.acquire(Lane::Priority).await;
        // The head gives up before its slot: the routine call behind it is served.
        let gave_up = tokio::time::timeout(Duration::from_millis(100), limiter.acquire(Lane::Priority)).await;
        assert!(gave_up.is_err(), "no slot within 100 ms at one call per second");
        queue(&limiter, Lane::Routine, "routine", &served).await;
        assert_eq!(limiter.waiting(), (0, 1));
        assert_eq!(until_served(&served, 1).await, ["routine"]);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_rate_nothing_waits() {
        let limiter = Limiter::new(None);
        let start = Instant::now();
        for _ in 0..100 {
            limiter.acquire(Lane::Routine).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
