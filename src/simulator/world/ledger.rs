//! The ledger test control shows (`GET /_sim/ledger`): every cart, order, project, user, each
//! project's day two and the e-mail count, as the typed [`Ledger`] tests read.

use super::*;
use crate::simulator::ledger::{
    Ledger, LedgerAlerting, LedgerCart, LedgerDayTwo, LedgerOrder, LedgerProject, LedgerUser,
};

impl World {
    /// The account as it stands now (deliveries and e-mails that are due happen first).
    pub fn ledger(&mut self) -> Ledger {
        self.deliver();
        self.flush_emails();
        let now = now();
        let carts = self
            .carts
            .values()
            .map(|c| LedgerCart {
                cart_id: c.id.clone(),
                description: c.description.clone(),
                read_only: c.read_only,
                assigned: c.assigned,
                expired: c.expire <= now,
                checkouts: c.checkouts,
                checkout_attempts: c.checkout_attempts,
                items: c.items.values().cloned().collect(),
            })
            .collect();
        let orders = self
            .orders
            .values()
            .map(|o| {
                let status = self.order_status(o.id).unwrap_or(OrderStatus::Unknown);
                LedgerOrder {
                    order_id: o.id,
                    cart_id: o.cart_id.clone(),
                    status,
                    project_id: (status == OrderStatus::Delivered).then(|| o.project_id.clone()),
                    paid_with: o.payment().map(|(_, with)| with.to_string()),
                    auto_pay_requested: o.auto_pay_requested,
                    waive_retractation_period: o.waive_retractation,
                    pay_attempts: o.pay_attempts,
                    url: self.order_url(o),
                    date: datetime(o.date),
                    expiration_date: datetime(o.expires),
                }
            })
            .collect();
        let projects = self
            .projects
            .values()
            .map(|p| LedgerProject {
                project_id: p.id.clone(),
                order_id: p.order_id,
                status: p.status.clone(),
                description: p.description.clone(),
                expired: p.expired,
            })
            .collect();
        let users = self
            .users
            .values()
            .map(|u| LedgerUser {
                user_id: u.id,
                project_id: u.project_id.clone(),
                description: u.description.clone(),
                username: u.username.clone(),
                role: u.role.clone(),
                deleted: u.deleted,
                passwords_issued: u.passwords_issued,
                password: u.password.clone(),
                passwords: u.passwords.clone(),
            })
            .collect();
        Ledger {
            carts,
            orders,
            projects,
            users,
            emails: self.emails.len(),
            day_two: self.day_two.iter().map(|(id, d)| day_two(id, d)).collect(),
        }
    }
}

fn day_two(project_id: &str, d: &SimDayTwo) -> LedgerDayTwo {
    let decimal = |ucents| Price::from_ucents(ucents, &d.currency).decimal();
    LedgerDayTwo {
        project_id: project_id.to_string(),
        spend_current: decimal(d.current_ucents),
        spend_forecast: decimal(d.forecast_ucents),
        currency: d.currency.clone(),
        service_status: d.service_status.clone(),
        expiration: d.expiration.clone(),
        manual_quota: d.manual_quota,
        manual_quota_puts: d.manual_quota_puts,
        reads: d.reads.clone(),
        alertings: d
            .alertings
            .values()
            .map(|a| LedgerAlerting {
                id: a.id.clone(),
                name: a.name.clone(),
                monthly_threshold: a.monthly_threshold,
                delay: a.delay,
                emails: a.emails.clone(),
                service: a.service.clone(),
                status: a.status.clone(),
                updates: a.updates,
                alerts: a.alerts.keys().copied().collect(),
            })
            .collect(),
        alertings_created: d.alertings_created,
        regions: d.regions.iter().cloned().collect(),
        pending_regions: d.pending_regions.keys().cloned().collect(),
        region_posts: d.region_posts.clone(),
    }
}
