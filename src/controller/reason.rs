//! The one vocabulary of reasons: every condition reason, event reason, planner wait and error
//! category is a [`Reason`], and each knows what it means for the resource's health (the mapping
//! GitOps tools and alerts rely on). The reasons reference (docs/reference/reasons.md) is generated from this list
//! (a test fails when they differ).

use crate::ovh::OvhError;

/// How a reason reads for a person or a GitOps tool (Argo CD's health statuses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Health {
    /// The project is there and ok.
    Healthy,
    /// The operator or OVH is working; nothing to do but wait.
    Progressing,
    /// A person must act (approve, pay) before anything moves.
    Suspended,
    /// Something failed or needs a person to look.
    Degraded,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "Healthy",
            Self::Progressing => "Progressing",
            Self::Suspended => "Suspended",
            Self::Degraded => "Degraded",
        }
    }
}

macro_rules! reasons {
    ($($name:ident => $health:ident, $meaning:literal, $action:literal;)*) => {
        /// A condition or event reason (PascalCase, stable: alerts and scripts match on it).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Reason {
            $($name,)*
        }

        impl Reason {
            pub const ALL: &'static [Reason] = &[$(Reason::$name,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Reason::$name => stringify!($name),)*
                }
            }

            pub fn health(self) -> Health {
                match self {
                    $(Reason::$name => Health::$health,)*
                }
            }

            /// One line for people: when the reason is given.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Reason::$name => $meaning,)*
                }
            }

            /// What a person does when a resource shows this reason.
            pub fn action(self) -> &'static str {
                match self {
                    $(Reason::$name => $action,)*
                }
            }
        }
    };
}

reasons! {
    // ---- ordering ----
    Ordering => Progressing, "the cart is being made, configured and priced, or a checkout is under way", "nothing: the operator goes on";
    CartCreated => Progressing, "a cart was created at OVH", "nothing: the operator goes on";
    CartFound => Progressing, "a cart created earlier but not recorded was found by its marker", "nothing: the operator goes on";
    CartForgotten => Progressing, "a cart found by its marker no longer exists; a new one is made", "nothing: the operator goes on";
    CartAssigned => Progressing, "the cart was assigned to the account", "nothing: the operator goes on";
    ItemAdded => Progressing, "the project item was added to the cart", "nothing: the operator goes on";
    ItemUnanswered => Progressing, "the cart holds a project item whose answer the status did not record (a crash after its POST): the checkout waits --checkout-grace, as after a lost answer", "nothing: the operator goes on";
    ItemRemoved => Progressing, "an item that no longer matches the spec was removed", "nothing: the operator goes on";
    Configured => Progressing, "an item configuration was set or removed", "nothing: the operator goes on";
    OptionAdded => Progressing, "an option of spec.options was added to the project item", "nothing: the operator goes on";
    Priced => Progressing, "the cart's price was read before buying", "nothing: the operator goes on";
    CartExpired => Progressing, "the cart expired before checkout; a new one is made", "nothing: the operator goes on";
    CartAbandoned => Progressing, "what is bought changed after the cart's price was shown: the cart was deleted and a new one is made, which an approval of the old cart does not cover", "nothing: the operator goes on";
    CartDeleted => Progressing, "the cart was deleted (resource deleted before any order)", "nothing: the operator goes on";
    AwaitingApproval => Suspended, "approval: Manual, or a price above the ceiling: the priced cart waits for the approve annotation", "an approver checks the price and annotates the cart id (`kubectl pcp approve`)";
    ProjectExists => Degraded, "the account already has a project with this description that no resource holds (spec.onExisting: Stop), or several (spec.onExisting: Adopt): nothing is ordered or adopted", "follow the existing project (`onExisting: Adopt` or `spec.projectId`), or order another (`onExisting: Order`)";
    OrderHintRefused => Degraded, "the order-id annotation names an order another resource holds, or one that does not order what the spec asks: it is not recorded", "fix the `order-id` annotation: the order must be this resource's, not another resource's";
    ProjectHeld => Degraded, "the project named (spec.projectId, or delivered by a recorded order) is held by another resource, the first to order or adopt it: nothing is done with it here", "name another project, or delete the resource that holds it (with `deletionPolicy: Orphan`) first";
    ProjectReleased => Progressing, "a project id this status recorded belongs to another resource that holds it: it is forgotten here, nothing was done at OVH", "nothing: the operator goes on";
    Paused => Suspended, "the paused annotation stops every OVH call for this resource", "remove the paused annotation when the resource may work again";
    CheckingOut => Progressing, "the checkout was recorded, then sent", "nothing: the operator goes on";
    OrderPlaced => Progressing, "the checkout placed an order", "nothing: the operator goes on";
    SearchingOrder => Progressing, "a checkout's answer was lost and more orders were placed since it began than one pass reads (a hundred): the search goes on over the next passes, each order read once", "nothing: the operator goes on";
    OrderFound => Progressing, "the order of a checkout whose answer was lost was found", "nothing: the operator goes on";
    OrderExpiry => Progressing, "the unpaid order's expiration date was recorded", "nothing: the operator goes on";
    NoPaymentMethod => Degraded, "payment: Automatic on a priced order without a VALID default payment method: nothing is ordered", "add or fix the account's default payment method in the OVH console, or set `payment: Manual`";
    // ---- paying ----
    AwaitingPayment => Suspended, "the order waits for a person to pay it at status.order.url", "pay the order at `status.order.url`";
    NoUsablePaymentMethod => Suspended, "the order is unpaid and the account has no VALID default payment method: a person pays it", "pay the order at `status.order.url`, or fix the default payment method";
    PaymentBegun => Progressing, "a payment attempt was recorded before it is sent", "nothing: the operator goes on";
    PaymentRequested => Progressing, "the operator paid the order", "nothing: the operator goes on";
    PaymentPending => Progressing, "a payment was requested and OVH has not registered it yet (requested again only if, after --payment-settle, the order is notPaid and OVH shows no payment)", "nothing: the operator goes on";
    PaymentDeferred => Progressing, "OVH answered 429 to the payment (not processed): it is requested again after Retry-After", "nothing: the operator goes on";
    PaymentRequestedAgain => Progressing, "the order is notPaid and OVH shows no payment for it (404) after a 429 or --payment-settle: the payment is recorded and requested again", "nothing: the operator goes on";
    PaymentUnverified => Suspended, "the order is still notPaid but OVH's answer does not tell whether a payment exists: not requested again; a person checks and pays at status.order.url", "check the order's payment in the OVH console and the credentials' rights (`GET /me/order/*/payment`)";
    PaymentNotRegistered => Suspended, "the payment was requested 3 times and OVH has not registered it: a person pays at status.order.url", "check the order in the OVH console and pay it at `status.order.url` if it is still unpaid";
    OrderPriceNotAllowed => Suspended, "payment: Automatic, but the order's own price is above the price shown (and approved) or a ceiling: the operator does not pay it; a person who accepts it pays at status.order.url", "pay it at `status.order.url` if the new price is accepted, else delete and recreate the resource";
    PaymentRefused => Suspended, "OVH refused the operator's payment; a person pays at status.order.url", "pay the order at `status.order.url` (OVH's message says why the operator could not)";
    OrderExpired => Degraded, "the order was not paid before OVH's expiration date", "delete and recreate the resource to order again";
    // ---- delivering ----
    OrderNotPaid => Progressing, "OVH reports the order notPaid", "nothing: the operator goes on";
    OrderChecking => Progressing, "OVH reports the order checking", "nothing: the operator goes on";
    OrderDelivering => Progressing, "OVH reports the order delivering", "nothing: the operator goes on";
    OrderDelivered => Progressing, "OVH reports the order delivered", "nothing: the operator goes on";
    OrderCancelled => Degraded, "OVH cancelled the order", "delete and recreate the resource to order again";
    OrderDocumentsRequested => Degraded, "OVH reports the order documentsRequested", "send OVH the documents it asks for (OVH console, e-mails)";
    OrderStatusUnknown => Degraded, "OVH reports the order in an unknown state", "check the order at `status.order.url` and with OVH support";
    DocumentsRequested => Degraded, "OVH requests documents before delivering the order", "send OVH the documents it asks for (OVH console, e-mails)";
    Delivering => Progressing, "OVH is checking or delivering the order, or the project is being created", "nothing: the operator goes on";
    ProjectDelivered => Progressing, "the delivered order named its project", "nothing: the operator goes on";
    ProjectNotVisibleYet => Progressing, "the project was just delivered and OVH does not show it yet (404 for minutes)", "nothing: the operator goes on";
    ProjectStatus => Progressing, "the project's status at OVH changed", "nothing: the operator goes on";
    ProjectRenamed => Progressing, "spec.description changed after delivery or adoption (it differs from status.projectDescription): the project was renamed at OVH", "nothing: the operator goes on";
    SpendRead => Healthy, "the project's spend and service state were read (status.spend), on the spend schedule (--spend-interval)", "nothing";
    ServiceNotOk => Degraded, "OVH shows the project's service as unPaid, pendingDebt or expired (status.spend.service): it is suspended next", "settle the account's bills in the OVH console (Billing)";
    ForecastOverBudget => Degraded, "OVH forecasts the month's spend above spec.budget.monthlyThreshold (condition ForecastOverBudget)", "look at what the project runs; raise the budget if it is expected";
    ForecastWithinBudget => Healthy, "OVH's forecast of the month's spend is within spec.budget.monthlyThreshold", "nothing";
    BudgetAlertRequested => Progressing, "the budget alert's creation was recorded before it is sent, so it is never made twice", "nothing: the operator goes on";
    BudgetAlertCreated => Healthy, "OVH made the budget alert (status.budget.id); it e-mails spec.budget.emails when the month's spend passes the threshold", "nothing";
    BudgetAlertFound => Healthy, "a budget alert with this resource's marker, made earlier but not recorded (a lost answer), was found and kept; no other one was made", "nothing";
    BudgetAlertUpdated => Healthy, "spec.budget changed: the alert was updated at OVH", "nothing";
    BudgetAlertDeleted => Healthy, "the budget alert was deleted at OVH (spec.budget removed, or a second alert with this resource's marker)", "nothing";
    BudgetAlertGone => Progressing, "the recorded budget alert no longer exists at OVH (deleted in the Control Panel?): a new one is made", "nothing: the operator makes it again";
    BudgetAlertSent => Degraded, "OVH e-mailed a budget alert: the project's spend this month passed spec.budget.monthlyThreshold", "look at what the project runs; raise the budget if it is expected";
    RegionsRead => Healthy, "the project's active regions were read (status.regions.active)", "nothing";
    RegionRequested => Progressing, "a region of spec.regions is being added; its request was recorded before it is sent", "nothing: the operator goes on";
    RegionAdded => Healthy, "OVH added a region of spec.regions to the project", "nothing";
    RegionPending => Progressing, "OVH failed to answer the addition of a region (5xx); it may still appear, and is asked again only after a back-off", "nothing: the operator reads the regions again; if it never appears, ask OVH support";
    RegionNotOffered => Degraded, "spec.regions names a region OVH does not offer this project (the message lists those it offers)", "fix spec.regions";
    RegionKept => Healthy, "a region the operator added left spec.regions: OVH has no way to remove a region, so it stays active", "nothing, or stop using the region";
    QuotaPolicySet => Healthy, "spec.quota.automaticUpgrade was sent as the project's manualQuota", "nothing";
    QuotasRead => Healthy, "the project's quotas per region were read (status.quota.regions)", "nothing";
    Ready => Healthy, "the project is ok", "nothing: the operator goes on";
    ProjectNotFound => Degraded, "OVH answers 404 for the project (adopted, or long after delivery)", "check the project id and the credentials' account in the OVH console";
    ProjectExpired => Degraded, "OVH answers 460: the project expired", "renew the project in the OVH console";
    ProjectNotOk => Degraded, "the project is suspended, deleting or deleted at OVH", "check the project's state in the OVH console (suspended: unpaid bills)";
    NeedsAttention => Degraded, "the operator cannot be sure of something it must not guess; the message says what to check", "do what the message says (e.g. find the order in the OVH console and set the `order-id` annotation)";
    // ---- outputs ----
    WritingOutputs => Progressing, "the project is ok; its OpenStack user is being created or the outputs Secret written", "nothing: the operator goes on";
    OutputsWritten => Healthy, "the spec.writeOutputsTo Secret was written", "nothing: the operator goes on";
    OutputsSecretUnwritable => Degraded, "the Kubernetes API refused the write of the spec.writeOutputsTo Secret (RBAC, admission policy): no password is asked of OVH until it succeeds", "let the operator write Secrets in the namespace (RBAC, admission policies)";
    OutputsSecretTaken => Degraded, "a Secret named by spec.writeOutputsTo exists and is not the operator's: it is left alone", "choose another `spec.writeOutputsTo`, or delete the Secret that is not the operator's";
    OpenstackUserRequested => Progressing, "the OpenStack user's creation was recorded, then sent", "nothing: the operator goes on";
    OpenstackUserCreated => Progressing, "OVH created the OpenStack user (its id is recorded before anything else)", "nothing: the operator goes on";
    OpenstackUserFound => Progressing, "a user created earlier but not recorded was found by its marker; its password is regenerated", "nothing: the operator goes on";
    ExtraOpenstackUsers => Degraded, "several users carry this resource's marker (a creation sent again after a slow answer): the lowest id is kept, the others are named for a person to delete", "delete the extra OpenStack users named in the message in the OVH console";
    PasswordRegenerated => Progressing, "the user's password was lost before reaching the Secret: OVH made a new one (never a second user)", "nothing: the operator goes on";
    OpenstackUserGone => Progressing, "the recorded OpenStack user no longer exists at OVH; a new one is made", "nothing: the operator goes on";
    OpenstackUserNotOk => Degraded, "the OpenStack user is disabled, deleting or deleted at OVH", "check the OpenStack user in the OVH console";
    OpenstackUserDeleted => Progressing, "the OpenStack user was deleted (Terminate, or Orphan with deleteOnOrphan)", "nothing: the operator goes on";
    // ---- deleting ----
    Terminating => Progressing, "deletionPolicy: Terminate: termination is being asked or confirmed", "nothing: the operator goes on";
    TerminationRequested => Progressing, "OVH was asked to terminate the project and e-mails a token", "nothing: the operator goes on";
    TerminationRefused => Progressing, "OVH answered 404 or 460 to the termination: nothing left to terminate", "nothing: the operator goes on";
    ProjectTerminated => Progressing, "the termination was confirmed with the token", "nothing: the operator goes on";
    Released => Healthy, "the finalizer was removed; the note says what stays at OVH", "nothing: the operator goes on";
    LeftBehind => Degraded, "the finalizer was removed but something may remain at OVH; the note says what to check", "check at OVH what the message names; delete it there if it should go";
    // ---- credentials and Kubernetes ----
    Authenticated => Healthy, "OVH accepted the credentials", "nothing: the operator goes on";
    NoCredentials => Degraded, "no credentials Secret is named and the operator has no default", "set `spec.credentialsSecretRef`, or start the operator with `--default-credentials`";
    SecretNotFound => Degraded, "the credentials Secret does not exist", "create the credentials Secret the resource names";
    SecretInvalid => Degraded, "the credentials Secret lacks keys or mixes methods", "fix the Secret's keys (one method: application keys or OAuth2 client)";
    DefaultCredentialsRefused => Degraded, "the operator's default credentials may not be used from this namespace", "use a credentials Secret of the namespace, or add it to `--default-credentials-namespaces`";
    KubernetesError => Progressing, "the Kubernetes API failed; retried with backoff", "nothing: the operator goes on";
    CrdMissing => Degraded, "the PublicCloudProject CRD is not installed", "install the CRD (`kubectl apply -f crds/`, or the chart)";
    LeaderElection => Degraded, "the leader lease could not be held", "check the operator's Lease permissions and the API server";
    InvalidOptions => Degraded, "the operator's flags do not read or contradict each other", "fix the operator's flags (the message names them)";
    // ---- OVH answers (the error categories of the OVH client) ----
    OvhBadRequest => Degraded, "OVH refused a call (400); retried after 30 minutes or a spec change", "read OVH's message: fix the spec (a change retries at once)";
    OvhForbidden => Degraded, "OVH refused the credentials or a right (401/403)", "fix the credentials or their access rules (`ovh-publiccloud-operator credentials`)";
    OvhNotFound => Degraded, "OVH does not know an object the operator needs (404)", "check that the object OVH does not know belongs to the credentials' account";
    OvhConflict => Degraded, "OVH answered 409", "read OVH's message and query id; ask OVH support if it persists";
    OvhRateLimited => Progressing, "OVH rate-limits the account (429); retried with backoff", "nothing: the operator goes on";
    OvhServiceExpired => Degraded, "OVH answered 460: the service expired", "renew the service in the OVH console";
    OvhServerError => Progressing, "OVH failed (5xx); retried with backoff", "nothing: the operator goes on";
    OvhError => Degraded, "OVH answered an unexpected status", "read OVH's message and query id; ask OVH support if it persists";
    OvhTimeout => Progressing, "OVH did not answer in time; retried with backoff (POSTs are never repeated blindly)", "nothing: the operator goes on";
    OvhUnreachable => Progressing, "OVH could not be reached; retried with backoff", "nothing: the operator goes on";
    OvhTooSlow => Progressing, "a pass waited on OVH longer than --pass-budget (the endpoint is slow or does not answer): it stopped between two steps, kept what it recorded, and is retried with backoff", "nothing: the operator goes on";
    OvhInvalidResponse => Degraded, "OVH's answer could not be read", "check the endpoint (a proxy answering in OVH's place?); report OVH's query id";
    OvhListTooLong => Degraded, "an OVH listing (projects, orders, e-mails) is longer than the operator reads in one lookup; the message says which and what to do instead", "set what the message names instead of the listing (`onExisting: Order`, an annotation)";
    OvhRedirected => Degraded, "the endpoint answered a redirect (3xx), which is never followed (it would send signed requests elsewhere): check the credentials Secret's endpoint", "fix the credentials' `endpoint`: it must be OVH's API itself, not a redirect";
    OvhOAuth2Failed => Degraded, "the OAuth2 token endpoint refused the client id or secret", "fix the credentials or their access rules (`ovh-publiccloud-operator credentials`)";
    OvhCredentialsInvalid => Degraded, "the credentials' endpoint or keys are unusable", "fix the credentials or their access rules (`ovh-publiccloud-operator credentials`)";
}

impl Reason {
    /// A routine step of the order flow: logged, recorded in the status, but not worth an event
    /// of its own (the phase change it may bring is one).
    pub fn routine(self) -> bool {
        matches!(
            self,
            Self::Ordering
                | Self::CartCreated
                | Self::OrderDelivered
                | Self::ProjectDelivered
                | Self::SpendRead
                | Self::ForecastWithinBudget
                | Self::BudgetAlertRequested
                | Self::RegionsRead
                | Self::RegionRequested
                | Self::QuotasRead
                | Self::CheckingOut
                | Self::CartAssigned
                | Self::ItemAdded
                | Self::ItemUnanswered
                | Self::Configured
                | Self::Priced
                | Self::PaymentBegun
                | Self::OrderExpiry
                | Self::OrderNotPaid
                | Self::OrderChecking
                | Self::OrderDelivering
                | Self::ProjectStatus
                | Self::Terminating
        )
    }
}

impl From<&OvhError> for Reason {
    /// The category of an OVH client error, as a reason: [`OvhError::category`] is the one
    /// mapping (a test checks that each category is a reason).
    fn from(error: &OvhError) -> Self {
        let category = error.category();
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == category)
            .unwrap_or(Self::OvhError)
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The reasons reference's table (docs/reference/reasons.md), generated from [`Reason::ALL`].
pub fn markdown_table() -> String {
    let mut table =
        String::from("| reason | health | event | when | what a person does |\n|---|---|---|---|---|\n");
    for reason in Reason::ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            reason.as_str(),
            reason.health().as_str(),
            reason.event(),
            reason.meaning(),
            reason.action()
        ));
    }
    table
}

impl Reason {
    /// Whether a pass that ends waiting on this reason publishes it (when the Ready condition
    /// changes): not OVH's delivery, the normal course after the OrderPlaced and
    /// PaymentRequested events (and before Ready), which the Ready condition shows. Three events
    /// tell an order's story, not seven.
    pub fn announced_when_waiting(self) -> bool {
        !matches!(self, Self::Delivering)
    }

    /// When the reason is published as an event (the reconcile loop publishes a step's reason
    /// unless it is routine, a wait's reason when the Ready condition changes, every warning).
    pub fn event(self) -> &'static str {
        match self {
            Self::Delivering => "never (the Ready condition shows it)",
            // Only the CredentialsValid condition carries it (Pass::mark_credentials_valid).
            Self::Authenticated => "never (condition only)",
            // Startup failures: no resource to attach an event to; the operator logs and stops.
            Self::CrdMissing | Self::LeaderElection | Self::InvalidOptions => {
                "never (the operator stops, logged)"
            }
            // A failed status write is logged and retried; reading a credentials Secret that
            // fails is reported on the resource.
            Self::KubernetesError => "when a credentials Secret cannot be read; otherwise logged",
            r if r.routine() => "only when a pass ends waiting on it",
            _ => "yes",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ovh::error::ApiError;

    #[test]
    fn the_readme_lists_exactly_these_reasons() {
        let readme = include_str!("../../docs/reference/reasons.md");
        let begin = "<!-- reasons:begin (generated from src/controller/reason.rs) -->\n";
        let start = readme
            .find(begin)
            .expect("docs/reference/reasons.md has the reasons markers")
            + begin.len();
        let end = readme[start..].find("<!-- reasons:end -->").expect("end marker") + start;
        assert_eq!(
            &readme[start..end],
            markdown_table(),
            "docs/reference/reasons.md is stale: cargo run -q -- docs-reference docs/reference"
        );
    }

    #[test]
    fn every_reason_a_person_must_act_on_says_what_to_do() {
        for reason in Reason::ALL {
            if matches!(reason.health(), Health::Suspended | Health::Degraded) {
                assert!(
                    !reason.action().starts_with("nothing"),
                    "{reason}: say what a person does"
                );
            }
        }
    }

    #[test]
    fn reasons_are_unique_pascal_case() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            assert!(seen.insert(r.as_str()), "{r} twice");
            assert!(r.as_str().chars().next().unwrap().is_ascii_uppercase());
            assert!(r.as_str().chars().all(|c| c.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn ovh_error_categories_are_reasons() {
        let api = |status| {
            OvhError::Api(Box::new(ApiError {
                method: "GET".into(),
                route: "/me",
                status,
                class: None,
                error_code: None,
                message: "m".into(),
                query_id: None,
                retry_after: None,
            }))
        };
        let errors = [
            api(400),
            api(401),
            api(403),
            api(404),
            api(409),
            api(429),
            api(460),
            api(503),
            api(418),
            OvhError::Timeout {
                method: "GET".into(),
                route: "/me",
                seconds: 1,
            },
            OvhError::Transport {
                method: "GET".into(),
                route: "/me",
                reason: "r".into(),
            },
            OvhError::Decode {
                method: "GET".into(),
                route: "/me",
                expected: "x",
                reason: "r".into(),
            },
            OvhError::OAuth2 {
                token_url: "u".into(),
                status: None,
                reason: "r".into(),
            },
            OvhError::Config("c".into()),
            OvhError::Redirected {
                method: "GET".into(),
                route: "/me",
                status: 302,
            },
            OvhError::ListTooLong {
                route: "/cloud/project",
                count: 2,
                max: 1,
                hint: "h",
            },
        ];
        for e in &errors {
            assert_eq!(Reason::from(e).as_str(), e.category(), "{e:?}");
        }
    }
}
