//! The rate limit of one client (one credentials Secret): one call every `1 / rate` seconds,
//! handed out in two lanes sharing that one budget. A call of the priority lane (a resource with
//! work to do: ordering, paying, deleting, a spec change) goes before every call of the routine
//! lane (resyncs of Ready projects, spend refreshes); within a lane, first come first served.
//!
//! Being served first is not enough: a burst of orders alone can use the whole budget, yet between
//! two of its calls (a pass writing its status) no priority call waits for a moment, and a routine
//! call taking that slot delays the burst's next call by a whole slot. So while the client is in a
//! *hold-off* — a priority call waits, or one was served in the last [`HOLD_OFF`] — routine calls
//! are held back: they get one slot in [`ROUTINE_SPACING`] (10 % of the rate) and no more, even
//! when that leaves a slot unused. That reserved slot goes before waiting priority calls, so
//! routine reads never starve: during the longest burst they still run at a tenth of the rate
//! (one per second at 10 per second). Outside a hold-off a routine call takes the next free slot.
//! And a routine call that has waited [`MAX_ROUTINE_WAIT`] takes the next slot in any case: the
//! pass that sent it must not run into its time budget (a low rate makes ten slots long, and the
//! passes that were running when the burst began share the reserved slot).
//!
//! No task runs the limiter: the waiter at the head of the queue (the routine lane's first when
//! it may go, else the priority lane's) sleeps until the next slot and takes it; the others sleep
//! until they are the head (the routine lane's first also until its reserved slot or the end of
//! the hold-off). A waiter given up (its pass's time budget) leaves its place, waking the next.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{sync::Notify, time::Instant};

/// How long after a priority call routine calls are still held back: longer than the pause
/// between two calls of a pass (its status write), so a burst is one hold-off, not many.
pub const HOLD_OFF: Duration = Duration::from_secs(2);

/// During a hold-off the routine lane gets one slot in this many (at least this many slots apart).
pub const ROUTINE_SPACING: u32 = 10;

/// The longest a routine call waits: a spend refresh's eight calls then take at most 40 s, within
/// the default --pass-budget (60 s).
pub const MAX_ROUTINE_WAIT: Duration = Duration::from_secs(5);

/// Which of a client's calls wait behind which (see the module's documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lane {
    /// Work to do: served first.
    #[default]
    Priority,
    /// Routine reads: held back while priority calls are being made.
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
    /// When the routine lane may next take a slot during a hold-off.
    routine_next: Instant,
    /// When a priority call was last served (None: never).
    priority_served: Option<Instant>,
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
    /// When the hold-off ends if no priority call comes: None while one waits (it lasts), else
    /// a time, past when there is none.
    fn hold_off_end(&self, now: Instant) -> Option<Instant> {
        if !self.lanes[0].is_empty() {
            return None;
        }
        Some(self.priority_served.map_or(now, |at| at + HOLD_OFF))
    }

    /// When the routine lane may take a slot: now outside a hold-off, else at its reserved slot,
    /// when the hold-off ends or when its oldest call has waited its longest, whichever comes
    /// first.
    fn routine_from(&self, now: Instant) -> Instant {
        let aged = self.lanes[1].front().map(|w| w.since + MAX_ROUTINE_WAIT);
        let held = match self.hold_off_end(now) {
            Some(end) => end.min(self.routine_next),
            None => self.routine_next,
        };
        aged.map_or(held, |aged| aged.min(held))
    }

    /// The next to be served: the oldest routine call when its lane may go, else the oldest
    /// priority call (None: only held routine calls wait).
    fn head(&self, now: Instant) -> Option<&Waiter> {
        match self.lanes[1].front() {
            Some(routine) if self.routine_from(now) <= now => Some(routine),
            _ => self.lanes[0].front(),
        }
    }

    /// Wakes the head, and the routine lane's first (which keeps the time it may go).
    fn wake(&self, now: Instant) {
        if let Some(head) = self.head(now) {
            head.wake.notify_one();
        }
        if let Some(routine) = self.lanes[1].front() {
            routine.wake.notify_one();
        }
    }

    /// Takes a slot for `lane` at `now`.
    fn serve(&mut self, lane: Lane, now: Instant, interval: Duration) {
        self.next = now + interval;
        match lane {
            Lane::Priority => self.priority_served = Some(now),
            Lane::Routine => self.routine_next = now + interval * ROUTINE_SPACING,
        }
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
        state.lanes[self.lane.index()].retain(|w| w.id != self.id);
        state.wake(Instant::now());
    }
}

impl Limiter {
    pub(super) fn new(rate_per_second: Option<f64>) -> Self {
        let interval = rate_per_second
            .filter(|r| *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        let now = Instant::now();
        let state = State {
            next: now,
            routine_next: now,
            priority_served: None,
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
            let lane_may_go = lane == Lane::Priority || state.routine_from(now) <= now;
            if state.head(now).is_none() && state.next <= now && lane_may_go {
                state.serve(lane, now, interval);
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
        let mut place = Place {
            limiter: self,
            lane,
            id,
            served: false,
        };
        loop {
            // Decided under the lock, waited for after it: the slot of the head, or the time the
            // routine lane's first may go (it is woken besides whenever the queue moves).
            let (slot, look_again) = {
                let mut state = self.state.lock().unwrap();
                let now = Instant::now();
                match state.head(now) {
                    Some(head) if head.id == id => {
                        if state.next <= now {
                            state.lanes[lane.index()].pop_front();
                            place.served = true;
                            state.serve(lane, now, interval);
                            state.wake(now);
                            return;
                        }
                        (Some(state.next), None)
                    }
                    _ if state.lanes[1].front().is_some_and(|w| w.id == id) => {
                        (None, Some(state.routine_from(now)))
                    }
                    _ => (None, None),
                }
            };
            match (slot, look_again) {
                // Another waiter may become the head meanwhile: then this one waits again.
                (Some(slot), _) => tokio::time::sleep_until(slot).await,
                (None, Some(at)) => {
                    let _ = tokio::time::timeout_at(at, wake.notified()).await;
                }
                (None, None) => wake.notified().await,
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
    async fn during_a_burst_the_routine_lane_gets_one_slot_in_ten() {
        let limiter = Arc::new(Limiter::new(Some(10.0)));
        let served = Arc::default();
        limiter.acquire(Lane::Priority).await;
        for name in ["r0", "r1", "r2"] {
            queue(&limiter, Lane::Routine, name, &served).await;
        }
        const PRIORITY: [&str; 30] = [
            "p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p11", "p12", "p13",
            "p14", "p15", "p16", "p17", "p18", "p19", "p20", "p21", "p22", "p23", "p24", "p25", "p26", "p27",
            "p28", "p29",
        ];
        for name in PRIORITY {
            queue(&limiter, Lane::Priority, name, &served).await;
        }
        let order = until_served(&served, 33).await;
        let at: Vec<usize> = ["r0", "r1", "r2"]
            .iter()
            .map(|r| order.iter().position(|n| n == r).unwrap())
            .collect();
        // Its reserved slot goes ahead of the burst, then nine of the burst's, and so on: routine
        // reads neither starve nor take more than a tenth.
        assert_eq!(at, [0, 10, 20], "{order:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_routine_call_is_held_during_a_hold_off_though_a_slot_is_free() {
        let limiter = Limiter::new(Some(10.0));
        let start = Instant::now();
        limiter.acquire(Lane::Priority).await;
        limiter.acquire(Lane::Routine).await; // the reserved slot, at 0.1 s
        limiter.acquire(Lane::Priority).await; // 0.2 s
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Slots are free from 0.3 s on, but no priority call has waited that long ago.
        limiter.acquire(Lane::Routine).await;
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(1100),
            "ten slots after the last"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_routine_call_goes_when_the_hold_off_ends() {
        // At one call per second, ten slots are longer than the hold-off.
        let limiter = Limiter::new(Some(1.0));
        let start = Instant::now();
        limiter.acquire(Lane::Priority).await;
        limiter.acquire(Lane::Routine).await; // the reserved slot, at 1 s
        limiter.acquire(Lane::Routine).await;
        assert_eq!(start.elapsed(), HOLD_OFF, "two seconds after the priority call");
    }

    #[tokio::test(start_paused = true)]
    async fn a_routine_call_waits_no_longer_than_its_longest() {
        // At one call per second the reserved slot is ten seconds apart: a routine call behind a
        // burst goes after five seconds, not after ten.
        let limiter = Arc::new(Limiter::new(Some(1.0)));
        let served = Arc::default();
        limiter.acquire(Lane::Priority).await;
        limiter.acquire(Lane::Routine).await; // the reserved slot, at 1 s
        queue(&limiter, Lane::Routine, "routine", &served).await;
        const PRIORITY: [&str; 8] = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"];
        for name in PRIORITY {
            queue(&limiter, Lane::Priority, name, &served).await;
        }
        let order = until_served(&served, 9).await;
        let at = order.iter().position(|n| *n == "routine").unwrap();
        // Slots at 2, 3, 4, 5 s go to the burst; the routine call, waiting since 1 s, takes 6 s.
        assert_eq!(at, 4, "{order:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn outside_a_hold_off_routine_calls_take_every_slot() {
        let limiter = Limiter::new(Some(10.0));
        limiter.acquire(Lane::Priority).await;
        tokio::time::sleep(HOLD_OFF).await;
        let start = Instant::now();
        for _ in 0..10 {
            limiter.acquire(Lane::Routine).await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(900));
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
