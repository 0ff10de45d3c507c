//! A local OVH API that speaks OVH's wire format: signatures, OAuth2, carts, orders, projects,
//! termination e-mails, OVH's error bodies and query ids; plus test controls under `/_sim/`
//! (ledger, stats, paying, validating consumer keys, fault injection), all reproducible from a seed.

mod control;
pub mod credentials;
mod gate;
pub mod ledger;
pub mod routes;
pub mod world;

use std::{net::SocketAddr, sync::Arc};

use tokio::sync::Mutex;

use gate::Faults;
use world::World;

/// Simulator settings; every flag has the default the tests and scripts rely on (docs/reference/simulator.md).
#[derive(clap::Args, Clone, Debug)]
pub struct SimConfig {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Base URL clients use, when it differs from http://<listen> (e.g. behind a proxy).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Seed of every random choice (ids, tokens, fault dice).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value = "sim-ak")]
    pub application_key: String,
    #[arg(long, default_value = "sim-as")]
    pub application_secret: String,
    #[arg(long, default_value = "sim-ck")]
    pub consumer_key: String,
    #[arg(long, default_value = "sim-client")]
    pub client_id: String,
    #[arg(long, default_value = "sim-secret")]
    pub client_secret: String,
    /// Lifetime of OAuth2 access tokens.
    #[arg(long, default_value_t = 3599)]
    pub token_ttl_secs: u64,
    /// Seconds the simulated server clock is ahead of this machine's (clients must correct).
    #[arg(long, default_value_t = 0)]
    pub clock_skew_secs: i64,
    /// Lifetime of a cart that is not given an explicit `expire`.
    #[arg(long, default_value_t = 86_400)]
    pub cart_ttl_secs: u64,
    /// Price of the Public Cloud project offer without tax (tax of 20 % is added), e.g. 0.00 or
    /// 12.50, in EUR (USD on `--region us`).
    #[arg(long = "price", default_value = "0.00", value_parser = parse_price_ucents)]
    pub price_ucents: i64,
    /// Price of each Public Cloud option (e.g. `certification.hds.2018`) without tax, like
    /// `--price` (assumed: OVH publishes no figure for the options of a project).
    #[arg(long = "option-price", default_value = "0.00", value_parser = parse_price_ucents)]
    pub option_price_ucents: i64,
    /// Account without any payment method (to test the fidelityAccount path).
    #[arg(long)]
    pub no_payment_method: bool,
    /// Time a paid order spends in `checking`.
    #[arg(long, default_value_t = 1000)]
    pub checking_ms: u64,
    /// Time an order spends in `delivering`.
    #[arg(long, default_value_t = 1000)]
    pub delivering_ms: u64,
    /// Time a delivered project still answers 404 (terraform-provider-ovh#1288).
    #[arg(long, default_value_t = 2000)]
    pub project_404_ms: u64,
    /// Which OVH API this is: `eu` (EU and CA subsidiaries, plan code `project.2018`, EUR) or
    /// `us` (subsidiary `US`, plan code `project`, USD, no order-detail `extension` but
    /// `operations`).
    #[arg(long, value_enum, default_value_t = Region::Eu)]
    pub region: Region,
    /// `paymentType` of the account's default payment method, e.g. CREDIT_CARD, BANK_ACCOUNT
    /// (cannot pay: terraform-provider-ovh#646), SEPA_DIRECT_DEBIT, PAYPAL.
    #[arg(long, default_value = "CREDIT_CARD")]
    pub payment_method_type: String,
    /// `status` of the default payment method (`me.payment.method.StatusEnum`); only VALID pays.
    #[arg(long, default_value = "VALID")]
    pub payment_method_status: String,
    /// Delay after which a checkout with `autoPayWithPreferredPaymentMethod` is paid (until then
    /// the order is `notPaid`).
    #[arg(long, default_value_t = 1500)]
    pub autopay_ms: u64,
    /// Delay before the termination e-mail arrives (terraform-provider-ovh PR #295: minutes).
    #[arg(long, default_value_t = 0)]
    pub termination_email_ms: u64,
    /// Time a new OpenStack user stays `creating` before it is `ok` (terraform-provider-ovh
    /// waits for creating → ok after `POST /cloud/project/{id}/user`).
    #[arg(long, default_value_t = 300)]
    pub user_creation_ms: u64,
    /// Lifetime of an unpaid order (`billing.Order.expirationDate` = date + this). 14 days is
    /// assumed.
    #[arg(long, default_value_t = 14 * 86_400)]
    pub order_ttl_secs: u64,
    /// Delay added to every OVH API call (every route under `/1.0`, not test control nor the
    /// OAuth2 token endpoint), on top of any fault's `latencyMs`: a uniform stand-in for the network
    /// round trip plus OVH's processing time (assumed: OVH documents no latency; the benchmark's
    /// default of 20 ms is a round trip within Europe).
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Print the OVH routes served, `METHOD /template` one a line, and exit without serving
    /// (scripts/trim-ovh-schema reads them).
    #[arg(long)]
    pub print_routes: bool,
}

/// The OVH API a simulator stands for.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Region {
    /// `eu.api.ovh.com` (and `ca.api.ovh.com`, which orders the same way).
    #[default]
    Eu,
    /// `api.us.ovhcloud.com`.
    Us,
}

impl SimConfig {
    /// `http://host:port`, the origin clients see.
    pub fn public_origin(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches("/1.0").trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    pub fn base_url(&self) -> String {
        format!("{}/1.0", self.public_origin())
    }

    /// Defaults for tests, listening on `listen`.
    pub fn for_tests(listen: SocketAddr) -> Self {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            cfg: SimConfig,
        }
        let mut cfg = Wrapper::parse_from(["simulator"]).cfg;
        cfg.listen = listen;
        cfg
    }
}

pub(crate) fn parse_price_ucents(s: &str) -> Result<i64, String> {
    let (units, cents) = s.split_once('.').unwrap_or((s, "0"));
    let units: i64 = units.parse().map_err(|_| format!("not a price: {s}"))?;
    let cents: i64 = format!("{cents:0<2}")[..2]
        .parse()
        .map_err(|_| format!("not a price: {s}"))?;
    if units < 0 {
        return Err("price must not be negative".into());
    }
    Ok((units * 100 + cents) * 1_000_000)
}

/// Shared simulator state.
pub struct Sim {
    pub cfg: SimConfig,
    pub world: Mutex<World>,
    faults: Mutex<Faults>,
    stats: std::sync::Mutex<ledger::Stats>,
    tokens: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
    /// Consumer keys issued by `POST /auth/credential`, and the built-in one.
    pub consumer_keys: std::sync::Mutex<credentials::ConsumerKeys>,
    query_counter: std::sync::atomic::AtomicU64,
}

impl Sim {
    pub fn new(cfg: SimConfig) -> Arc<Self> {
        Arc::new(Self {
            world: Mutex::new(World::new(cfg.clone())),
            faults: Mutex::new(Faults::new(cfg.seed)),
            consumer_keys: std::sync::Mutex::new(credentials::ConsumerKeys::new(cfg.seed, &cfg.consumer_key)),
            cfg,
            stats: Default::default(),
            tokens: Default::default(),
            query_counter: Default::default(),
        })
    }
}

/// A running simulator (tests start it in-process).
pub struct Running {
    pub base_url: String,
    pub sim: Arc<Sim>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Binds `cfg.listen` (port 0 picks a free port) and serves in the background.
pub async fn start(mut cfg: SimConfig) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
    cfg.listen = listener.local_addr()?;
    let sim = Sim::new(cfg);
    let base_url = sim.cfg.base_url();
    let app = router(sim.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .await
            .expect("simulator serves until dropped");
    });
    Ok(Running { base_url, sim, task })
}

/// Serves until killed, printing the base URL first (scripts read that line); or, with
/// `--print-routes`, prints the routes served and returns.
pub async fn run(cfg: SimConfig) -> std::io::Result<()> {
    if cfg.print_routes {
        for route in routes::ROUTES {
            println!("{} {}", route.method, route.template);
        }
        return Ok(());
    }
    let running = start(cfg).await?;
    println!("{}", running.base_url);
    tracing::info!(base_url = %running.base_url, "OVH simulator listening");
    running.task.await.map_err(std::io::Error::other)
}

pub fn router(sim: Arc<Sim>) -> axum::Router {
    routes::ovh_routes(sim.clone())
        .merge(control::routes(sim.clone()))
        .merge(routes::oauth2_routes(sim))
}
