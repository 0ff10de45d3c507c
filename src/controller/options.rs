//! The operator's settings (`run` flags, each also read from an `OVH_OPERATOR_*` environment
//! variable) and their parsing.

use std::time::Duration;

impl Options {
    /// The settings the planner decides with.
    pub fn policy(&self) -> super::plan::Policy<'_> {
        super::plan::Policy {
            checkout_grace: self.checkout_grace,
            project_404_window: self.project_404_window,
            payment_settle: self.payment_settle,
            spend_interval: self.spend_interval,
            max_price: self.max_price.as_deref(),
            allow_terminate: self.allow_terminate,
        }
    }
}

/// Settings of the `run` subcommand.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Watch only this namespace (default: all namespaces).
    #[arg(long, env = "OVH_OPERATOR_NAMESPACE")]
    pub namespace: Option<String>,
    /// Credentials Secret (NAMESPACE/NAME) for resources without spec.credentialsSecretRef.
    #[arg(long, env = "OVH_OPERATOR_DEFAULT_CREDENTIALS", value_parser = parse_secret_ref)]
    pub default_credentials: Option<(String, String)>,
    /// How often a Ready project's status is read again from OVH (drift: suspended, deleted).
    #[arg(long, env = "OVH_OPERATOR_RESYNC", default_value = "10m", value_parser = parse_duration)]
    pub resync: Duration,
    /// How often each credentials Secret's account is listed (`GET /cloud/project`, one call) so
    /// that a Ready resource whose project left the account gets a pass at once, without
    /// waiting for its own resync, which the call budget may stretch (default: --resync, never
    /// stretched; 0: never listed).
    #[arg(long, env = "OVH_OPERATOR_PROJECT_LISTING_INTERVAL", value_parser = parse_duration)]
    pub project_listing_interval: Option<Duration>,
    /// Address of the /metrics, /healthz and /readyz server; empty to disable.
    #[arg(long, env = "OVH_OPERATOR_METRICS_ADDR", default_value = "0.0.0.0:8080")]
    pub metrics_addr: String,
    /// Resources reconciled at the same time.
    #[arg(long, env = "OVH_OPERATOR_CONCURRENCY", default_value_t = 16)]
    pub concurrency: u16,
    /// Reconcile slots (of --concurrency) the resources of one credentials Secret hold at most at
    /// once (default: a quarter of --concurrency, at least 1). A Secret whose endpoint is slow or
    /// never answers then holds these slots only; its other resources wait without one.
    #[arg(long, env = "OVH_OPERATOR_CREDENTIALS_SHARE")]
    pub credentials_share: Option<u16>,
    /// Longest a reconcile pass waits on OVH. Past it the pass stops before its next OVH call, or
    /// during a read, keeps what it recorded, says OvhTooSlow (naming the endpoint) and is
    /// retried with backoff; a POST already sent is never cut (its own timeout applies). At
    /// least --ovh-timeout.
    #[arg(long, env = "OVH_OPERATOR_PASS_BUDGET", default_value = "60s", value_parser = parse_duration)]
    pub pass_budget: Duration,
    /// Timeout of one OVH call.
    #[arg(long, env = "OVH_OPERATOR_OVH_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub ovh_timeout: Duration,
    /// Timeout of the checkout call. OVH's SDKs wait 180 s for any answer, and a checkout can
    /// commit after a shorter timeout gave up.
    #[arg(long, env = "OVH_OPERATOR_CHECKOUT_TIMEOUT", default_value = "180s", value_parser = parse_duration)]
    pub checkout_timeout: Duration,
    /// How long an open cart in CheckingOut waits after a checkout began before it is checked out
    /// again (an earlier checkout may still be running at OVH). Must exceed --checkout-timeout;
    /// before checking out again, the orders placed since are searched for it. An OpenStack user
    /// whose creation was recorded but does not show waits as long before it is created again.
    #[arg(long, env = "OVH_OPERATOR_CHECKOUT_GRACE", default_value = "240s", value_parser = parse_duration)]
    pub checkout_grace: Duration,
    /// How long after delivery a 404 on the ordered project means "not visible yet" rather than
    /// "gone": OVH takes minutes to show a new project (terraform-provider-ovh#1288 waits 10
    /// minutes, #1377 says that is sometimes too short).
    #[arg(long, env = "OVH_OPERATOR_PROJECT_404_WINDOW", default_value = "1h", value_parser = parse_duration)]
    pub project_404_window: Duration,
    /// How long a payment the operator requested may take to be registered by OVH. Deletion
    /// waits that long before it stops waiting for it; past it, an order still notPaid for which
    /// OVH shows no payment (`GET /me/order/{id}/payment` answers 404) is paid again (at most 3
    /// requests in all). OVH documents no figure.
    #[arg(long, env = "OVH_OPERATOR_PAYMENT_SETTLE", default_value = "30m", value_parser = parse_duration)]
    pub payment_settle: Duration,
    /// How often a Ready project's spend (`usage/current`, `usage/forecast`), service state,
    /// quotas and budget alerts are read (the status says when: status.spend.readAt). Never on
    /// every pass: these reads are the bulk of a Ready project's OVH calls.
    #[arg(long, env = "OVH_OPERATOR_SPEND_INTERVAL", default_value = "1h", value_parser = parse_duration)]
    pub spend_interval: Duration,
    /// Namespace of the Lease that elects the one replica allowed to work; without it, no
    /// election (run exactly one operator).
    #[arg(long, env = "OVH_OPERATOR_LEADER_ELECTION_NAMESPACE")]
    pub leader_election_namespace: Option<String>,
    /// Name of that Lease.
    #[arg(
        long,
        env = "OVH_OPERATOR_LEADER_ELECTION_LEASE",
        default_value = "ovh-publiccloud-operator"
    )]
    pub leader_election_lease: String,
    /// This replica's identity in the Lease (default: POD_NAME, HOSTNAME, or a random id).
    #[arg(long, env = "OVH_OPERATOR_LEADER_ELECTION_IDENTITY")]
    pub leader_election_identity: Option<String>,
    /// Seconds a Lease lasts without renewal; a new leader waits this long after a crash.
    #[arg(
        long,
        env = "OVH_OPERATOR_LEADER_ELECTION_LEASE_SECONDS",
        default_value_t = 30
    )]
    pub leader_election_lease_seconds: u64,
    /// Highest price (with tax, e.g. 25.00) any resource orders without a person's approval, on
    /// top of each resource's spec.maxPrice.
    #[arg(long, env = "OVH_OPERATOR_MAX_PRICE", value_parser = parse_price)]
    pub max_price: Option<String>,
    /// false: every deletionPolicy: Terminate is treated as Orphan (with a Warning); projects are
    /// never terminated by this operator.
    #[arg(long, env = "OVH_OPERATOR_ALLOW_TERMINATE", default_value_t = true, action = clap::ArgAction::Set)]
    pub allow_terminate: bool,
    /// Namespaces whose resources may use --default-credentials (comma-separated; `*`: all).
    /// Default: only the default Secret's own namespace, since any namespace could otherwise
    /// order on that account.
    #[arg(
        long,
        env = "OVH_OPERATOR_DEFAULT_CREDENTIALS_NAMESPACES",
        value_delimiter = ','
    )]
    pub default_credentials_namespaces: Vec<String>,
    /// Only resources whose labels match this selector (e.g. `team=a`): several operators can
    /// split one cluster's resources.
    #[arg(long, env = "OVH_OPERATOR_WATCH_SELECTOR")]
    pub watch_selector: Option<String>,
    /// OVH calls per second per credentials Secret (0: unlimited).
    #[arg(long, env = "OVH_OPERATOR_OVH_RATE_LIMIT", default_value_t = 10.0)]
    pub ovh_rate_limit: f64,
}

/// A price such as `25` or `25.00`.
fn parse_price(s: &str) -> Result<String, String> {
    let (units, decimals) = s.split_once('.').unwrap_or((s, ""));
    let ok = !units.is_empty()
        && units.bytes().all(|b| b.is_ascii_digit())
        && decimals.len() <= 2
        && decimals.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("not a price: {s:?} (e.g. 25 or 25.00)"))
    }
}

fn parse_secret_ref(s: &str) -> Result<(String, String), String> {
    match s.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() => Ok((ns.into(), name.into())),
        _ => Err(format!("expected NAMESPACE/NAME, got {s:?}")),
    }
}

/// Plain seconds (`90`) or jiff's friendly durations (`90s`, `10m`, `1h30m`, `250ms`).
fn parse_duration(s: &str) -> Result<Duration, String> {
    if let Ok(seconds) = s.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let signed: jiff::SignedDuration = s
        .parse()
        .map_err(|e| format!("not a duration: {s:?} (e.g. 90s, 10m, 1h): {e}"))?;
    Duration::try_from(signed).map_err(|_| format!("negative duration: {s:?}"))
}

impl Options {
    /// Passes one credentials Secret's resources run at once (see --credentials-share).
    pub fn credentials_share(&self) -> usize {
        let slots = usize::from(self.concurrency.max(1));
        self.credentials_share
            .map(usize::from)
            .unwrap_or_else(|| super::shares::default_share(self.concurrency))
            .clamp(1, slots)
    }

    /// How often each Secret's account is listed (see --project-listing-interval); None: never.
    pub fn project_listing_every(&self) -> Option<Duration> {
        Some(self.project_listing_interval.unwrap_or(self.resync)).filter(|every| !every.is_zero())
    }

    /// Defaults, for tests and embedding.
    pub fn defaults() -> Self {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            options: Options,
        }
        Wrapper::parse_from(["run"]).options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_secret_refs_parse() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("7").unwrap(), Duration::from_secs(7));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_secret_ref("ops/ovh").unwrap(), ("ops".into(), "ovh".into()));
        assert!(parse_secret_ref("ovh").is_err());
    }

    #[test]
    fn the_credentials_share_is_within_the_slots() {
        let mut options = Options::defaults();
        assert_eq!((options.concurrency, options.credentials_share()), (16, 4));
        options.credentials_share = Some(100);
        assert_eq!(options.credentials_share(), 16, "never more than every slot");
        options.credentials_share = Some(0);
        assert_eq!(options.credentials_share(), 1, "never none");
    }
}
