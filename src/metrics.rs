//! Prometheus metrics and the probe endpoints: `/metrics`, `/healthz`, `/readyz`.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Instant,
};

use axum::{Router, extract::State, http::StatusCode, response::IntoResponse, routing::get};
use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric, text::encode},
    metrics::{
        MetricType,
        counter::{ConstCounter, Counter},
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use crate::ovh::CallStats;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    category: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabels {
    phase: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: String,
}

/// One resource's gauges: spend and budget, in the account's currency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProjectLabels {
    namespace: String,
    name: String,
    currency: String,
}

/// A resource's money, as its status says: spent this month, forecast, and the budget.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Money {
    pub currency: String,
    pub current: Option<f64>,
    pub forecast: Option<f64>,
    pub budget: Option<f64>,
}

type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;
type MoneyFamily = Family<ProjectLabels, FloatGauge>;

/// The operator's metrics. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    reconciliations: Counter,
    failures: Family<ErrorLabels, Counter>,
    duration: Histogram,
    orders: Counter,
    secret_reads: Counter,
    deferred: Counter,
    projects: Family<PhaseLabels, Gauge>,
    spend: Family<ProjectLabels, FloatGauge>,
    forecast: Family<ProjectLabels, FloatGauge>,
    budget: Family<ProjectLabels, FloatGauge>,
    stretch: FloatGauge,
    listings: Family<ResultLabels, Counter>,
    not_listed: Counter,
    ready: Arc<AtomicBool>,
}

/// Exposes the OVH client's call counts (by method, path template and status) at scrape time.
#[derive(Debug)]
struct OvhCalls(Arc<CallStats>);

impl Collector for OvhCalls {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut metric = encoder.encode_descriptor(
            "ovh_operator_ovh_requests",
            "OVH API calls by method, path template and HTTP status (0: no answer)",
            None,
            MetricType::Counter,
        )?;
        for ((method, route, status), count) in self.0.snapshot() {
            let labels = [
                ("method", method),
                ("route", route.to_string()),
                ("status", status.to_string()),
            ];
            ConstCounter::new(count).encode(metric.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

/// The per-resource money gauges and the routine intervals' stretch.
fn register_money(registry: &mut Registry) -> (MoneyFamily, MoneyFamily, MoneyFamily, FloatGauge) {
    let family = |registry: &mut Registry, name: &str, help: &str| {
        let family = Family::<ProjectLabels, FloatGauge>::default();
        registry.register(name, help, family.clone());
        family
    };
    let spend = family(
        registry,
        "ovh_operator_project_spend",
        "What OVH bills the project this month so far (status.spend.current), read on --spend-interval",
    );
    let forecast = family(
        registry,
        "ovh_operator_project_spend_forecast",
        "What OVH forecasts the project costs this month (status.spend.forecast)",
    );
    let budget = family(
        registry,
        "ovh_operator_project_budget",
        "The project's spec.budget.monthlyThreshold, as sent to OVH's alert",
    );
    let stretch = FloatGauge::default();
    registry.register(
        "ovh_operator_routine_interval_stretch",
        "How much --resync and --spend-interval were last stretched to keep a credentials Secret's routine OVH reads within half its rate limit (1: not stretched; the effective intervals are the flags times this)",
        stretch.clone(),
    );
    (spend, forecast, budget, stretch)
}

/// The account listings that notice projects gone from an account (`controller::listing`).
fn register_listing(registry: &mut Registry) -> (Family<ResultLabels, Counter>, Counter) {
    let listings = Family::<ResultLabels, Counter>::default();
    registry.register(
        "ovh_operator_project_listings",
        "Listings of a credentials Secret's projects (GET /cloud/project, once per --project-listing-interval) by result: listed, failed (retried at the next interval), tooLong (more ids than the operator reads), suspect (more than 20 and more than half of the Secret's Ready projects missing: taken for a wrong listing); unless listed, gone projects are noticed at their own resync only",
        listings.clone(),
    );
    let not_listed = Counter::default();
    registry.register(
        "ovh_operator_projects_not_listed",
        "Ready resources whose project a listing of their Secret's account did not show: each got a pass at once, which reads the project",
        not_listed.clone(),
    );
    (listings, not_listed)
}

impl Metrics {
    pub fn new(ovh_calls: Arc<CallStats>) -> Self {
        let mut registry = Registry::default();
        let reconciliations = Counter::default();
        let failures = Family::<ErrorLabels, Counter>::default();
        let duration = Histogram::new(exponential_buckets(0.005, 2.0, 14));
        let orders = Counter::default();
        registry.register(
            "ovh_operator_reconciliations",
            "Reconcile passes",
            reconciliations.clone(),
        );
        registry.register(
            "ovh_operator_reconcile_failures",
            "Failed reconcile passes by error category",
            failures.clone(),
        );
        registry.register(
            "ovh_operator_reconcile_duration_seconds",
            "Duration of reconcile passes",
            duration.clone(),
        );
        registry.register(
            "ovh_operator_orders_placed",
            "Orders placed (successful checkouts)",
            orders.clone(),
        );
        let secret_reads = Counter::default();
        registry.register(
            "ovh_operator_credentials_secret_reads",
            "Reads of a credentials Secret's data from the API server (once per Secret version, not per pass)",
            secret_reads.clone(),
        );
        let deferred = Counter::default();
        registry.register(
            "ovh_operator_passes_deferred",
            "Passes not started because the resource's credentials Secret had its share of the reconcile slots (--credentials-share); the resource runs when one of them ends",
            deferred.clone(),
        );
        let projects = Family::<PhaseLabels, Gauge>::default();
        registry.register(
            "ovh_operator_projects",
            "PublicCloudProjects by phase, as this operator last wrote them (alert on NeedsAttention, AwaitingPayment)",
            projects.clone(),
        );
        let (spend, forecast, budget, stretch) = register_money(&mut registry);
        let (listings, not_listed) = register_listing(&mut registry);
        registry.register_collector(Box::new(OvhCalls(ovh_calls)));
        Self {
            registry: Arc::new(registry),
            reconciliations,
            failures,
            duration,
            orders,
            secret_reads,
            deferred,
            projects,
            spend,
            forecast,
            budget,
            stretch,
            listings,
            not_listed,
            ready: Arc::default(),
        }
    }

    /// Counts a pass and, when dropped, records its duration.
    pub fn reconcile_timer(&self) -> impl Drop + use<> {
        self.reconciliations.inc();
        struct Timer(Histogram, Instant);
        impl Drop for Timer {
            fn drop(&mut self) {
                self.0.observe(self.1.elapsed().as_secs_f64());
            }
        }
        Timer(self.duration.clone(), Instant::now())
    }

    pub fn failure(&self, category: &str) {
        self.failures
            .get_or_create(&ErrorLabels {
                category: category.into(),
            })
            .inc();
    }

    /// A resource moved from one phase to another (None: not counted, e.g. gone).
    pub fn phase_changed(&self, from: Option<&str>, to: Option<&str>) {
        if from == to {
            return;
        }
        if let Some(from) = from {
            self.projects
                .get_or_create(&PhaseLabels { phase: from.into() })
                .dec();
        }
        if let Some(to) = to {
            self.projects
                .get_or_create(&PhaseLabels { phase: to.into() })
                .inc();
        }
    }

    /// Sets (or, with `None`, removes) a resource's money gauges.
    pub fn project_money(&self, namespace: &str, name: &str, money: Option<&Money>, before: Option<&Money>) {
        let labels = |currency: &str| ProjectLabels {
            namespace: namespace.into(),
            name: name.into(),
            currency: currency.into(),
        };
        if let Some(old) = before {
            let old = labels(&old.currency);
            for family in [&self.spend, &self.forecast, &self.budget] {
                family.remove(&old);
            }
        }
        let Some(money) = money else { return };
        let labels = labels(&money.currency);
        for (family, value) in [
            (&self.spend, money.current),
            (&self.forecast, money.forecast),
            (&self.budget, money.budget),
        ] {
            if let Some(value) = value {
                family.get_or_create(&labels).set(value);
            }
        }
    }

    /// The last stretch of the routine intervals (see `controller::budget`).
    pub fn routine_stretch(&self, factor: f64) {
        self.stretch.set(factor);
    }

    /// A listing of a Secret's projects ended with `result` (`listed`, `failed`, `tooLong`).
    pub fn project_listing(&self, result: &str) {
        self.listings
            .get_or_create(&ResultLabels {
                result: result.into(),
            })
            .inc();
    }

    /// `count` Ready resources were found whose project a listing did not show.
    pub fn projects_not_listed(&self, count: usize) {
        self.not_listed.inc_by(count as u64);
    }

    pub fn secret_read(&self) {
        self.secret_reads.inc();
    }

    pub fn pass_deferred(&self) {
        self.deferred.inc();
    }

    pub fn order_placed(&self) {
        self.orders.inc();
    }

    /// Marks the operator ready to serve (it reached the API server and found the CRD).
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/metrics",
                get(|State(m): State<Metrics>| async move {
                    (
                        [(
                            "content-type",
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )],
                        m.render(),
                    )
                }),
            )
            .route("/healthz", get(|| async { "ok" }))
            .route(
                "/readyz",
                get(|State(m): State<Metrics>| async move {
                    if m.ready.load(Ordering::Relaxed) {
                        (StatusCode::OK, "ready").into_response()
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "starting").into_response()
                    }
                }),
            )
            .with_state(self.clone())
    }
}
