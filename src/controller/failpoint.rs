//! A failpoint for the crash tests, compiled only with the `failpoints` cargo feature: without it
//! [`CrashHook`] is an empty type whose calls do nothing, so the production binary carries none
//! of it.

#[cfg(feature = "failpoints")]
use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use super::plan::Act;

/// A failpoint for crash tests: freezes the reconcile at the n-th executed step, before its OVH
/// call or between the call and the status write, so a test can kill the operator exactly there.
/// Inert unless a test arms it.
#[cfg(feature = "failpoints")]
#[derive(Clone, Default)]
pub struct CrashHook(Option<Arc<CrashPoint>>);

#[cfg(feature = "failpoints")]
pub struct CrashPoint {
    /// 1-based index of the step to freeze at.
    pub step: usize,
    /// Freeze after the OVH call (before the status write) rather than before the call.
    pub after_call: bool,
    /// Count only the steps of this act (its name, e.g. `RequestTermination`).
    pub act: Option<&'static str>,
    /// Pause rather than freeze: before the status write that precedes the act's call, until
    /// `resume` is notified (a test changes the resource meanwhile).
    pub pause_before_write: bool,
    /// Notified by the test to end a pause.
    pub resume: tokio::sync::Notify,
    seen: AtomicUsize,
    /// Notified when the operator froze.
    pub reached: tokio::sync::Notify,
    /// Name of the step it froze at.
    pub frozen_at: Mutex<Option<String>>,
}

#[cfg(feature = "failpoints")]
impl CrashHook {
    pub fn at(step: usize, after_call: bool) -> (Self, Arc<CrashPoint>) {
        Self::point(step, after_call, None)
    }

    /// Freezes at the first step of the act named `act`.
    pub fn at_act(act: &'static str, after_call: bool) -> (Self, Arc<CrashPoint>) {
        Self::point(1, after_call, Some(act))
    }

    /// Pauses before the status write that precedes the first step of `act`, until resumed.
    pub fn pause_before_write(act: &'static str) -> (Self, Arc<CrashPoint>) {
        let (hook, _) = Self::point(1, false, Some(act));
        let mut point = Arc::into_inner(hook.0.expect("just made")).expect("one owner");
        point.pause_before_write = true;
        let point = Arc::new(point);
        (Self(Some(point.clone())), point)
    }

    fn point(step: usize, after_call: bool, act: Option<&'static str>) -> (Self, Arc<CrashPoint>) {
        let point = Arc::new(CrashPoint {
            step,
            after_call,
            act,
            pause_before_write: false,
            resume: tokio::sync::Notify::new(),
            seen: AtomicUsize::new(0),
            reached: tokio::sync::Notify::new(),
            frozen_at: Mutex::new(None),
        });
        (Self(Some(point.clone())), point)
    }

    pub(super) async fn before(&self, step: &Act) {
        if self.0.as_ref().is_some_and(|p| !p.pause_before_write) {
            self.maybe_freeze(step, false).await
        }
    }

    pub(super) async fn before_write(&self, step: &Act) {
        let Some(point) = self.0.as_ref().filter(|p| p.pause_before_write) else {
            return;
        };
        let name = step.name();
        if point.act.is_some_and(|act| act != name) {
            return;
        }
        if point.seen.fetch_add(1, Ordering::SeqCst) + 1 == point.step {
            *point.frozen_at.lock().unwrap() = point.act.map(String::from);
            point.reached.notify_one();
            point.resume.notified().await;
        }
    }

    pub(super) async fn after_call(&self, step: &Act) {
        self.maybe_freeze(step, true).await
    }

    async fn maybe_freeze(&self, step: &Act, after_call: bool) {
        let Some(point) = self.0.as_ref() else { return };
        if after_call != point.after_call {
            return;
        }
        let name = step.name();
        if point.act.is_some_and(|act| act != name) {
            return;
        }
        if point.seen.fetch_add(1, Ordering::SeqCst) + 1 == point.step {
            *point.frozen_at.lock().unwrap() = Some(name);
            point.reached.notify_one();
            std::future::pending::<()>().await;
        }
    }
}

/// Without the `failpoints` feature: no state, no effect.
#[cfg(not(feature = "failpoints"))]
#[derive(Clone, Copy, Default)]
pub struct CrashHook(());

#[cfg(not(feature = "failpoints"))]
impl CrashHook {
    pub(super) async fn before(&self, _: &Act) {}

    pub(super) async fn after_call(&self, _: &Act) {}

    pub(super) async fn before_write(&self, _: &Act) {}
}
