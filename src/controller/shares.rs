//! Shares of the reconcile slots per credentials Secret: the resources of one Secret run at most
//! `share` passes at once, so a Secret whose endpoint is slow or never answers holds that many
//! slots, not all of them, and the other teams' resources keep theirs: one team cannot stall the
//! others (docs/security-model.md).
//!
//! A resource whose Secret has used its share does not start a pass: it takes no slot, joins its
//! Secret's queue and is woken (through the controller's `reconcile_on`) when a pass of that
//! Secret ends; a late fallback requeue covers a wake-up lost to a race. Nothing here waits.
//! The queue has the two lanes of the OVH client's rate limit ([`Lane`]): a resource with work to
//! do is woken before every resource waiting for a routine pass (a resync).
//!
//! While the Secret is busy with work — a pass with work to do runs or waits, or one began or
//! ended in the last [`HOLD_OFF`] — routine passes hold at most [`ROUTINE_SLOTS_IN_BURST`] of its
//! slots; the others wait in the queue without a slot, rather than hold one while their calls
//! wait behind the burst's in the rate limit (which gives them a tenth of the calls then). So
//! that resyncs do not starve behind a burst that keeps the queue full, a routine pass deferred
//! for [`ROUTINE_MAX_DEFER`] is woken before the resources with work to do, for that one slot.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    hash::Hash,
    sync::Mutex,
    time::Duration,
};

use tokio::{
    sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel},
    time::Instant,
};

use crate::ovh::{HOLD_OFF, Lane};

/// How long a slot is kept for a resource woken for it (it comes back through the controller's
/// queue in moments; one that does not come lets go of it).
const CALLED_HOLD: Duration = Duration::from_secs(10);

/// The slots of a Secret that routine passes may hold while it is busy with work.
const ROUTINE_SLOTS_IN_BURST: usize = 1;

/// How long a routine pass waits behind resources with work to do before it goes first (for the
/// routine slot): a twentieth of the default --resync (10 minutes), so resyncs come late by
/// little, and long next to the first calls of a burst.
const ROUTINE_MAX_DEFER: Duration = Duration::from_secs(30);

/// A credentials Secret's namespace and name.
pub(super) type SecretKey = (String, String);

/// The share of `concurrency` slots one Secret gets by default: a quarter, at least one.
pub fn default_share(concurrency: u16) -> usize {
    usize::from(concurrency / 4).max(1)
}

/// The passes running per Secret and the resources waiting for their Secret's share. `R` names a
/// resource (an `ObjectRef` in the operator).
pub(super) struct Shares<R> {
    share: usize,
    state: Mutex<State<R>>,
    wake: UnboundedSender<R>,
}

struct State<R> {
    /// Per Secret, the passes running in each lane: `[priority, routine]`.
    running: HashMap<SecretKey, [usize; 2]>,
    /// Per Secret, the resources deferred, oldest first (each at most once).
    waiting: HashMap<SecretKey, Queue<R>>,
    /// Resources woken for a slot of their Secret, and when: no routine pass takes the slot they
    /// are on their way to.
    called: HashMap<R, (SecretKey, Instant)>,
    /// Per Secret, when a pass with work to do last began, ended, waited or was woken.
    priority_seen: HashMap<SecretKey, Instant>,
}

impl<R: Eq + Hash + Clone> State<R> {
    /// Slots of `key` kept for resources woken for them.
    fn kept_for_called(&self, key: &SecretKey) -> usize {
        self.called
            .values()
            .filter(|(k, at)| k == key && at.elapsed() < CALLED_HOLD)
            .count()
    }

    fn running(&self, key: &SecretKey) -> [usize; 2] {
        self.running.get(key).copied().unwrap_or_default()
    }

    /// Whether `key` is busy with work (see the module's documentation).
    fn busy(&self, key: &SecretKey) -> bool {
        self.running(key)[0] > 0
            || self.waiting.get(key).is_some_and(|q| !q.lanes[0].is_empty())
            || self
                .priority_seen
                .get(key)
                .is_some_and(|at| at.elapsed() < HOLD_OFF)
    }

    /// Whether a routine pass of `key` may take a free slot now.
    fn routine_may_run(&self, key: &SecretKey) -> bool {
        self.running(key)[1] < ROUTINE_SLOTS_IN_BURST || !self.busy(key)
    }
}

struct Queue<R> {
    /// Oldest first, in each lane, with when each joined: `[priority, routine]`.
    lanes: [VecDeque<(R, Instant)>; 2],
    members: HashSet<R>,
}

impl<R: Eq + Hash + Clone> Queue<R> {
    /// `who` waits in `lane` (once; a routine waiter now with work to do moves to the front lane).
    fn push(&mut self, who: &R, lane: Lane) {
        let now = Instant::now();
        if self.members.insert(who.clone()) {
            self.lanes[index(lane)].push_back((who.clone(), now));
        } else if lane == Lane::Priority && self.lanes[1].iter().any(|(r, _)| r == who) {
            self.lanes[1].retain(|(r, _)| r != who);
            self.lanes[0].push_back((who.clone(), now));
        }
    }

    fn remove(&mut self, who: &R) {
        if self.members.remove(who) {
            self.lanes.iter_mut().for_each(|l| l.retain(|(r, _)| r != who));
        }
    }

    /// The next to wake, and its lane: the oldest with work to do, unless the oldest routine
    /// waiter has waited [`ROUTINE_MAX_DEFER`]; a routine waiter only when `routine` allows.
    fn pop(&mut self, routine: bool) -> Option<(R, Lane)> {
        let routine_first = routine
            && self.lanes[1]
                .front()
                .is_some_and(|(_, since)| self.lanes[0].is_empty() || since.elapsed() >= ROUTINE_MAX_DEFER);
        let lane = if routine_first {
            Lane::Routine
        } else {
            Lane::Priority
        };
        let (next, _) = self.lanes[index(lane)].pop_front()?;
        self.members.remove(&next);
        Some((next, lane))
    }

    fn len(&self) -> usize {
        self.members.len()
    }
}

fn index(lane: Lane) -> usize {
    match lane {
        Lane::Priority => 0,
        Lane::Routine => 1,
    }
}

/// A pass of a Secret's share; the share's slot is given back (and the Secret's next waiting
/// resource woken) when it is dropped, however the pass ends.
pub(super) struct Permit<'a, R: Clone + Eq + Hash> {
    shares: &'a Shares<R>,
    key: SecretKey,
    lane: Lane,
}

impl<R: Clone + Eq + Hash> Drop for Permit<'_, R> {
    fn drop(&mut self) {
        self.shares.leave(&self.key, self.lane);
    }
}

impl<R: Clone + Eq + Hash> Shares<R> {
    /// Shares of `share` passes per Secret (at least one), and the stream of resources to wake.
    pub(super) fn new(share: usize) -> (Self, UnboundedReceiver<R>) {
        let (wake, woken) = unbounded_channel();
        let state = State {
            running: HashMap::new(),
            waiting: HashMap::new(),
            called: HashMap::new(),
            priority_seen: HashMap::new(),
        };
        let shares = Self {
            share: share.max(1),
            state: Mutex::new(state),
            wake,
        };
        (shares, woken)
    }

    /// A pass of `key`'s share for `who`, or None (then `who` waits in the Secret's queue, in
    /// `lane`).
    pub(super) fn enter(&self, key: &SecretKey, who: &R, lane: Lane) -> Option<Permit<'_, R>> {
        let mut state = self.state.lock().unwrap();
        let running = state.running(key);
        if lane == Lane::Priority {
            state.priority_seen.insert(key.clone(), Instant::now());
        }
        // A routine pass does not take a slot that a resource woken for it is on its way to,
        // nor, while the Secret is busy with work, more than the routine slots.
        let called = state.called.remove(who).is_some();
        let routine = lane == Lane::Routine && !called;
        let kept = if routine { state.kept_for_called(key) } else { 0 };
        if running[0] + running[1] + kept >= self.share || (routine && !state.routine_may_run(key)) {
            let queue = state.waiting.entry(key.clone()).or_insert_with(|| Queue {
                lanes: [VecDeque::new(), VecDeque::new()],
                members: HashSet::new(),
            });
            queue.push(who, lane);
            return None;
        }
        state.running.entry(key.clone()).or_default()[index(lane)] += 1;
        // Its turn came (woken, or a slot was free when it came back): it no longer waits.
        if let Some(queue) = state.waiting.get_mut(key) {
            queue.remove(who);
        }
        Some(Permit {
            shares: self,
            key: key.clone(),
            lane,
        })
    }

    fn leave(&self, key: &SecretKey, lane: Lane) {
        let mut state = self.state.lock().unwrap();
        let now = Instant::now();
        if let Some(running) = state.running.get_mut(key) {
            running[index(lane)] = running[index(lane)].saturating_sub(1);
            if *running == [0, 0] {
                state.running.remove(key);
            }
        }
        if lane == Lane::Priority {
            state.priority_seen.insert(key.clone(), now);
        }
        let routine = state.routine_may_run(key);
        let next = state.waiting.get_mut(key).and_then(|q| q.pop(routine));
        if state.waiting.get(key).is_some_and(|q| q.len() == 0) {
            state.waiting.remove(key);
        }
        state.called.retain(|_, (_, at)| at.elapsed() < CALLED_HOLD);
        state.priority_seen.retain(|_, at| at.elapsed() < HOLD_OFF);
        let next = next.map(|(next, lane)| {
            if lane == Lane::Priority {
                state.priority_seen.insert(key.clone(), now);
            }
            state.called.insert(next.clone(), (key.clone(), now));
            next
        });
        drop(state);
        if let Some(next) = next {
            // The receiver lives as long as the controller; after it, nothing is to be woken.
            let _ = self.wake.send(next);
        }
    }

    /// Drops `who` from every queue (the resource is gone).
    pub(super) fn forget(&self, who: &R) {
        let mut state = self.state.lock().unwrap();
        state.waiting.retain(|_, queue| {
            queue.remove(who);
            queue.len() > 0
        });
        state.called.remove(who);
    }

    /// Passes running and resources waiting, over all Secrets (for tests).
    #[cfg(test)]
    fn counts(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap();
        (
            state.running.values().flatten().sum(),
            state.waiting.values().map(Queue::len).sum(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str) -> SecretKey {
        ("team".to_string(), name.to_string())
    }

    #[test]
    fn the_default_share_is_a_quarter_of_the_slots_and_at_least_one() {
        assert_eq!(default_share(16), 4);
        assert_eq!(default_share(3), 1);
        assert_eq!(default_share(1), 1);
        assert_eq!(default_share(0), 1);
    }

    #[test]
    fn a_secret_runs_at_most_its_share_and_other_secrets_are_not_held() {
        let (shares, _woken) = Shares::<u32>::new(2);
        let silent = secret("silent");
        let a = shares.enter(&silent, &1, Lane::Priority).expect("first pass");
        let b = shares.enter(&silent, &2, Lane::Priority).expect("second pass");
        assert!(
            shares.enter(&silent, &3, Lane::Priority).is_none(),
            "over the share"
        );
        assert!(
            shares.enter(&silent, &3, Lane::Priority).is_none(),
            "still over it"
        );
        let other = shares
            .enter(&secret("other"), &10, Lane::Priority)
            .expect("another Secret has its own share");
        assert_eq!(
            shares.counts(),
            (3, 1),
            "resource 3 waits once, however often it came"
        );
        drop((a, b, other));
        assert_eq!(shares.counts(), (0, 0));
    }

    #[test]
    fn a_pass_that_ends_wakes_the_oldest_waiting_resource_of_its_secret() {
        let (shares, mut woken) = Shares::<u32>::new(1);
        let (silent, other) = (secret("silent"), secret("other"));
        let first = shares.enter(&silent, &1, Lane::Priority).unwrap();
        let _other = shares.enter(&other, &10, Lane::Priority).unwrap();
        assert!(shares.enter(&other, &11, Lane::Priority).is_none());
        for who in [2, 3, 2] {
            assert!(shares.enter(&silent, &who, Lane::Priority).is_none());
        }
        drop(first);
        assert_eq!(woken.try_recv().ok(), Some(2), "the oldest of its own Secret");
        assert!(woken.try_recv().is_err(), "one wake per pass ended");
        // The woken one takes the slot; the next pass's end wakes 3.
        let second = shares.enter(&silent, &2, Lane::Priority).expect("its turn");
        assert_eq!(shares.counts(), (2, 2));
        drop(second);
        assert_eq!(woken.try_recv().ok(), Some(3));
    }

    #[test]
    fn a_resource_with_work_to_do_is_woken_before_routine_ones_that_waited_longer() {
        let (shares, mut woken) = Shares::<u32>::new(1);
        let silent = secret("silent");
        let first = shares.enter(&silent, &1, Lane::Routine).unwrap();
        for (who, lane) in [
            (2, Lane::Routine),
            (3, Lane::Routine),
            (4, Lane::Priority),
            (3, Lane::Priority),
        ] {
            assert!(shares.enter(&silent, &who, lane).is_none());
        }
        assert_eq!(shares.counts(), (1, 3), "3 waits once, in the front lane now");
        drop(first);
        let mut order = Vec::new();
        while let Ok(next) = woken.try_recv() {
            order.push(next);
            drop(shares.enter(&silent, &next, Lane::Routine).expect("its turn"));
        }
        assert_eq!(order, [4, 3, 2]);
    }

    #[test]
    fn a_routine_pass_does_not_take_the_slot_a_woken_resource_with_work_to_do_comes_for() {
        let (shares, mut woken) = Shares::<u32>::new(1);
        let silent = secret("silent");
        let first = shares.enter(&silent, &1, Lane::Routine).unwrap();
        assert!(shares.enter(&silent, &2, Lane::Priority).is_none());
        drop(first);
        assert_eq!(woken.try_recv().ok(), Some(2));
        assert!(
            shares.enter(&silent, &3, Lane::Routine).is_none(),
            "2 was woken for this slot"
        );
        let second = shares.enter(&silent, &2, Lane::Priority).expect("its turn");
        drop(second);
        assert_eq!(woken.try_recv().ok(), Some(3), "then the routine one");
    }

    #[tokio::test(start_paused = true)]
    async fn while_a_secret_is_busy_with_work_routine_passes_hold_one_slot() {
        let (shares, mut woken) = Shares::<u32>::new(4);
        let team = secret("team");
        let work = shares.enter(&team, &1, Lane::Priority).unwrap();
        let resync = shares.enter(&team, &2, Lane::Routine).expect("the routine slot");
        assert!(
            shares.enter(&team, &3, Lane::Routine).is_none(),
            "two slots are free, but work is being done"
        );
        drop(resync);
        assert_eq!(woken.try_recv().ok(), Some(3), "the routine slot is free again");
        let resync = shares.enter(&team, &3, Lane::Routine).expect("its turn");
        drop(work);
        assert!(
            shares.enter(&team, &4, Lane::Routine).is_none(),
            "still held just after the work"
        );
        tokio::time::sleep(HOLD_OFF).await;
        let more = shares
            .enter(&team, &5, Lane::Routine)
            .expect("the hold-off is over");
        assert_eq!(shares.counts(), (2, 1));
        drop((resync, more));
    }

    #[tokio::test(start_paused = true)]
    async fn a_routine_pass_deferred_for_its_longest_goes_before_work() {
        let (shares, mut woken) = Shares::<u32>::new(1);
        let team = secret("team");
        let first = shares.enter(&team, &1, Lane::Priority).unwrap();
        for (who, lane) in [(2, Lane::Routine), (3, Lane::Priority), (4, Lane::Priority)] {
            assert!(shares.enter(&team, &who, lane).is_none());
        }
        drop(first);
        assert_eq!(woken.try_recv().ok(), Some(3), "work first");
        let second = shares.enter(&team, &3, Lane::Priority).unwrap();
        tokio::time::sleep(ROUTINE_MAX_DEFER).await;
        drop(second);
        assert_eq!(woken.try_recv().ok(), Some(2), "the resync waited its longest");
        let resync = shares.enter(&team, &2, Lane::Routine).expect("woken for it");
        drop(resync);
        assert_eq!(woken.try_recv().ok(), Some(4));
    }

    #[test]
    fn a_resource_gone_leaves_the_queues() {
        let (shares, mut woken) = Shares::<u32>::new(1);
        let silent = secret("silent");
        let first = shares.enter(&silent, &1, Lane::Priority).unwrap();
        assert!(shares.enter(&silent, &2, Lane::Priority).is_none());
        shares.forget(&2);
        assert_eq!(shares.counts(), (1, 0));
        drop(first);
        assert!(woken.try_recv().is_err(), "nothing left to wake");
    }
}
