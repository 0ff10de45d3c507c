//! A project's regions (`/cloud/project/{serviceName}/region`, `…/regionAvailable`): OVH
//! activates a region on `POST …/region {region}` (schema `cloud.ProjectRegionCreation`, answer
//! `cloud.Region`; tf `resource_cloud_project_region.go` posts it once and has no update, and its
//! delete does nothing: OVH has no route to remove a region). `regionAvailable` lists the regions
//! that "can be activated on your project" (schema `cloud.AvailableRegion`), so not the active
//! ones (mgr `apps/pci-quota` reads it apart from the project's regions). The account's catalog
//! of regions is test control (default [`DEFAULT_REGIONS`]). What OVH answers for a region
//! already active, or one it does not offer, is not documented: assumed 409 and 400.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::*;

/// The account's regions unless test control says otherwise; the first is active on a new
/// project (assumed).
pub const DEFAULT_REGIONS: &[&str] = &["GRA11", "SBG5", "BHS5", "DE1", "UK1", "WAW1"];

/// A region whose POST answered an error but takes effect later (a fault): it becomes active
/// once `reads_left` reads of `GET …/region` have passed without it, or at `due`.
#[derive(Debug, Clone)]
pub struct PendingRegion {
    pub reads_left: Option<u32>,
    pub due: Option<Instant>,
}

/// `cloud.Region` with every non-nullable field.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegionAnswer {
    availability_zones: Vec<String>,
    continent_code: &'static str,
    country_code: &'static str,
    datacenter_location: String,
    ip_countries: Vec<String>,
    name: String,
    services: Vec<serde_json::Value>,
    status: &'static str,
    #[serde(rename = "type")]
    region_type: &'static str,
}

/// `(continentCode, countryCode, datacenterLocation, type)` of a region name: OVH's known
/// regions by their prefix; an unknown name is an EU 1-AZ region in France (assumed).
fn region_facts(name: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    let prefix: String = name.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    match prefix.as_str() {
        "GRA" => ("EU", "fr", "Gravelines", "region"),
        "SBG" => ("EU", "fr", "Strasbourg", "region"),
        "BHS" => ("NA", "ca", "Beauharnois", "region"),
        "DE" => ("EU", "de", "Frankfurt", "region"),
        "UK" => ("EU", "gb", "London", "region"),
        "WAW" => ("EU", "pl", "Warsaw", "region"),
        "EU" => ("EU", "fr", "Paris", "region-3-az"),
        _ => ("EU", "fr", "Roubaix", "region"),
    }
}

impl World {
    /// `GET …/region` → `string[]`: the active regions. Each read first lets due pending
    /// regions become active.
    pub fn regions(&mut self, project_id: &str) -> SimResult<Vec<String>> {
        let state = self.day_two_read(project_id, "region")?;
        let now = Instant::now();
        let ready: Vec<String> = state
            .pending_regions
            .iter()
            .filter(|(_, p)| p.reads_left == Some(0) || p.due.is_some_and(|d| d <= now))
            .map(|(name, _)| name.clone())
            .collect();
        for name in ready {
            state.pending_regions.remove(&name);
            state.regions.insert(name);
        }
        for p in state.pending_regions.values_mut() {
            p.reads_left = p.reads_left.map(|n| n.saturating_sub(1));
        }
        Ok(state.regions.iter().cloned().collect())
    }

    /// `GET …/regionAvailable` (`cloud.AvailableRegion[]`): the account's regions not active on
    /// the project (a pending one still listed: OVH has not activated it).
    pub fn available_regions(&mut self, project_id: &str) -> SimResult<Vec<AvailableRegion>> {
        let catalog = self.region_catalog.clone();
        let state = self.day_two_read(project_id, "regionAvailable")?;
        Ok(catalog
            .into_iter()
            .filter(|name| !state.regions.contains(name))
            .map(|name| {
                let (continent, _, location, region_type) = region_facts(&name);
                AvailableRegion {
                    region_type: Some(region_type.into()),
                    continent_code: Some(continent.into()),
                    datacenter_location: Some(location.into()),
                    name,
                }
            })
            .collect())
    }

    /// The checks of a `POST …/region` before it acts, the call counted: a region the account
    /// does not offer is a 400, one already active a 409 (both assumed).
    fn region_post(&mut self, project_id: &str, region: &str) -> SimResult<()> {
        let offered = self.region_catalog.iter().any(|r| r == region);
        let state = self.day_two(project_id)?;
        *state.region_posts.entry(region.to_string()).or_default() += 1;
        if !offered {
            return Err(SimError::bad_request(format!(
                "Region {region} is not available for this project"
            )));
        }
        if state.regions.contains(region) {
            return Err(SimError::class(
                409,
                "Client::Conflict::RegionAlreadyActivated",
                format!("Region {region} is already activated on this project"),
            ));
        }
        Ok(())
    }

    /// `POST …/region {region}`: the region is active at once (assumed; tf reads
    /// `GET …/region/{regionName}` right after), a pending one too.
    pub fn add_region(
        &mut self,
        project_id: &str,
        body: ProjectRegionCreation,
    ) -> SimResult<serde_json::Value> {
        self.region_post(project_id, &body.region)?;
        let state = self.day_two(project_id)?;
        state.pending_regions.remove(&body.region);
        state.regions.insert(body.region.clone());
        let (continent, country, location, region_type) = region_facts(&body.region);
        let answer = RegionAnswer {
            availability_zones: Vec::new(),
            continent_code: continent,
            country_code: country,
            datacenter_location: location.into(),
            ip_countries: Vec::new(),
            name: body.region,
            services: Vec::new(),
            status: "UP",
            region_type,
        };
        Ok(serde_json::to_value(answer).expect("a region serialises"))
    }

    /// A `POST …/region` that a fault answers with an error although it takes effect later
    /// (public-cloud-roadmap #791: a region may appear hours later): after `reads` reads of
    /// `GET …/region` without it, or `after`. The checks of [`Self::add_region`] apply first.
    pub fn add_region_later(
        &mut self,
        project_id: &str,
        body: ProjectRegionCreation,
        reads: Option<u32>,
        after: Option<Duration>,
    ) -> SimResult<()> {
        self.region_post(project_id, &body.region)?;
        let pending = PendingRegion {
            reads_left: reads.or(if after.is_none() { Some(1) } else { None }),
            due: after.map(|a| Instant::now() + a),
        };
        let state = self.day_two(project_id)?;
        state.pending_regions.entry(body.region).or_insert(pending);
        Ok(())
    }

    /// Test control: the regions the account offers (each project's first region stays as it
    /// is).
    pub fn set_region_catalog(&mut self, names: Vec<String>) -> SimResult<()> {
        if names.iter().any(|n| n.is_empty()) {
            return Err(SimError::bad_request("A region name is empty"));
        }
        self.region_catalog = names;
        Ok(())
    }
}
