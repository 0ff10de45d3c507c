//! Starting the operator: its settings checked, the metrics server, the watches of the resources
//! and of the Secrets they use (metadata only), the controller, and leadership.

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    net::SocketAddr,
    sync::Arc,
};

use futures::{Stream, StreamExt};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::{
    Api, Client, ResourceExt,
    api::ListParams,
    runtime::{
        Controller, PredicateConfig, WatchStreamExt, controller,
        reflector::{self, ObjectRef, Store, reflector},
        watcher::{self, watcher},
    },
};

use super::{
    Context, CrashHook, Error, Options, context::SecretMeta, error_policy, events, leader, listing, outputs,
    reconcile, shares,
};
use crate::{api::PublicCloudProject, metrics::Metrics, ovh::CallStats};

/// Runs the operator until SIGTERM/SIGINT.
pub async fn run(options: Options) -> Result<(), Error> {
    let client = Client::try_default().await.map_err(Error::Kube)?;
    start(client, options, CrashHook::default()).await
}

/// Runs the operator with `client` (tests run it in-process, with a crash hook).
pub async fn start(client: Client, options: Options, crash_hook: CrashHook) -> Result<(), Error> {
    // Secrets are watched by metadata only: the operator does not hold every Secret's data.
    let (projects, secrets): (Api<PublicCloudProject>, Api<SecretMeta>) = match options.namespace.as_deref() {
        Some(ns) => (
            Api::namespaced(client.clone(), ns),
            Api::namespaced(client.clone(), ns),
        ),
        None => (Api::all(client.clone()), Api::all(client.clone())),
    };
    check(&options)?;
    projects
        .list(&ListParams::default().limit(1))
        .await
        .map_err(Error::CrdMissing)?;
    let ovh_stats = Arc::new(CallStats::default());
    let metrics = Metrics::new(ovh_stats.clone());
    serve_metrics(&options, &metrics).await?;
    let instance = std::env::var("POD_NAME")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok());
    // Ready: the API server answers and the CRD is installed (checked above).
    metrics.set_ready();
    let events = events::Events::new(client.clone(), crate::api::FIELD_MANAGER.into(), instance);
    let (secret_store, secret_writer) = reflector::store::<SecretMeta>();
    let secret_events = secret_watch(secrets, secret_writer);
    let (shares, woken) = shares::Shares::new(options.credentials_share());
    let ctx = Arc::new(Context::new(
        client,
        events,
        options.clone(),
        metrics.clone(),
        ovh_stats,
        secret_store,
        shares,
        crash_hook,
    ));
    let (store, writer) = reflector::store::<PublicCloudProject>();
    let project_events = project_watch(projects, writer, &store, &ctx);
    let owner_store = store.clone();
    let lost = leadership_lost(&ctx, &options).await?;
    // Started once the lease is held, and stopped with the controller.
    let (not_listed_tx, not_listed) = tokio::sync::mpsc::unbounded_channel();
    let listing = listing::run(ctx.clone(), store.clone(), not_listed_tx);
    tracing::info!(namespace = ?options.namespace, "operator started");
    let secrets_ctx = ctx.clone();
    let run = Controller::for_stream(project_events, store)
        .watches_stream(secret_events, move |secret: SecretMeta| {
            resources_of_secret(&secrets_ctx, &owner_store, &secret)
        })
        // A resource deferred for its Secret's share is woken when a pass of that Secret ends;
        // a Ready one whose project its account's listing did not show, at once.
        .reconcile_on(futures::stream::select(stream_of(woken), stream_of(not_listed)))
        .with_config(controller::Config::default().concurrency(options.concurrency))
        .shutdown_on_signal()
        .run(reconcile::reconcile, error_policy, ctx)
        .for_each(|result| async move {
            if let Err(e) = result {
                match e {
                    controller::Error::ReconcilerFailed(..) => {} // logged by error_policy
                    other => tracing::warn!(error = %other, "controller"),
                }
            }
        });
    tokio::select! {
        _ = run => Ok(()),
        _ = listing => Ok(()),
        _ = lost => {
            tracing::error!("lost the leader lease; stopping");
            Err(Error::LeaderElection("lost the lease; another replica takes over".into()))
        }
    }
}

/// Settings that cannot work together are refused before anything starts.
fn check(options: &Options) -> Result<(), Error> {
    if options.checkout_grace <= options.checkout_timeout.max(options.ovh_timeout) {
        return Err(Error::Options(format!(
            "--checkout-grace ({:?}) must be longer than --checkout-timeout ({:?}) and --ovh-timeout \
             ({:?}): a checkout may still be running at OVH until its timeout",
            options.checkout_grace, options.checkout_timeout, options.ovh_timeout
        )));
    }
    if options.pass_budget < options.ovh_timeout {
        return Err(Error::Options(format!(
            "--pass-budget ({:?}) must be at least --ovh-timeout ({:?}): a call that answers in \
             time must fit in a pass",
            options.pass_budget, options.ovh_timeout
        )));
    }
    Ok(())
}

/// /metrics, /healthz and /readyz on --metrics-addr (none when it is empty).
async fn serve_metrics(options: &Options, metrics: &Metrics) -> Result<(), Error> {
    if options.metrics_addr.is_empty() {
        return Ok(());
    }
    let addr: SocketAddr = options.metrics_addr.parse().map_err(|_| {
        Error::Options(format!(
            "--metrics-addr {:?} is not an address such as 0.0.0.0:8080",
            options.metrics_addr
        ))
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Options(format!("--metrics-addr {addr} cannot be listened on: {e}")))?;
    let router = metrics.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(())
}

/// The Secrets' metadata, cached with names and versions only (a Secret applied with kubectl
/// carries its data in an annotation): the OVH client cache reads the data only when a
/// credentials Secret's version changes.
fn secret_watch(
    secrets: Api<SecretMeta>,
    writer: reflector::store::Writer<SecretMeta>,
) -> impl Stream<Item = Result<SecretMeta, watcher::Error>> + Send + 'static {
    reflector(
        writer,
        watcher(secrets, watcher::Config::default()).modify(|s| {
            let keep = std::mem::take(&mut s.metadata);
            // An outputs Secret keeps its label and owner: they name the resource to re-make it.
            let outputs = keep
                .labels
                .as_ref()
                .is_some_and(|l| l.contains_key(outputs::OUTPUTS_OF_LABEL));
            s.metadata = ObjectMeta {
                name: keep.name,
                namespace: keep.namespace,
                resource_version: keep.resource_version,
                uid: keep.uid,
                labels: keep.labels.filter(|_| outputs),
                owner_references: keep.owner_references.filter(|_| outputs),
                ..Default::default()
            };
        }),
    )
    .touched_objects()
}

/// The resources' watch. Their cache holds no managedFields (nothing reads them), and only what a
/// person or the API server changes triggers a reconcile: the events of the operator's own status
/// writes do not (the pass that wrote them has already gone on from them), nor do the unchanged
/// objects of a re-list. The holdings index is fed from it before the cache.
fn project_watch(
    projects: Api<PublicCloudProject>,
    writer: reflector::store::Writer<PublicCloudProject>,
    store: &Store<PublicCloudProject>,
    ctx: &Arc<Context>,
) -> impl Stream<Item = Result<PublicCloudProject, watcher::Error>> + Send + 'static {
    let mut watch = watcher::Config::default().any_semantic();
    if let Some(selector) = ctx.options.watch_selector.as_deref() {
        watch = watch.labels(selector);
    }
    let holdings = ctx.holdings.clone();
    let (gone_ctx, gone_store) = (ctx.clone(), store.clone());
    reflector(
        writer,
        watcher(projects, watch)
            .modify(|p| p.metadata.managed_fields = None)
            .inspect(move |event| {
                if let Ok(event) = event {
                    holdings.observe(event);
                }
            }),
    )
    // A resource that leaves the watch (its finalizer removed by hand, or no longer selected)
    // leaves the operator's memory and gauges; a re-list reports no deletion: compare instead.
    .inspect(move |event| match event {
        // Counted for its Secret's call budget before its first pass (a resource whose Secret
        // reference does not resolve says so in its pass).
        Ok(watcher::Event::Apply(obj) | watcher::Event::InitApply(obj)) => {
            let _ = gone_ctx.note_secret_user(obj);
        }
        Ok(watcher::Event::Delete(obj)) => gone_ctx.forget_gone(obj),
        Ok(watcher::Event::InitDone) => gone_ctx.forget_all_gone(&gone_store),
        _ => {}
    })
    .applied_objects()
    .predicate_filter(not_our_writes, PredicateConfig::default())
}

/// What of a resource, when it changes, calls for a reconcile: its spec (generation), its
/// annotations (approval, order id, pause, termination token), its labels, its deletion. Not
/// its status, which the operator writes, nor its finalizers, which it adds.
fn not_our_writes(obj: &PublicCloudProject) -> Option<u64> {
    let mut h = DefaultHasher::new();
    obj.metadata.generation.hash(&mut h);
    obj.annotations().hash(&mut h);
    obj.labels().hash(&mut h);
    obj.metadata.deletion_timestamp.is_some().hash(&mut h);
    Some(h.finish())
}

/// The resources a changed Secret concerns: those using it for credentials, and the resource an
/// outputs Secret (labelled, owned) belongs to, re-made if deleted — only while that resource
/// exists: its deletion garbage-collects the Secret.
fn resources_of_secret(
    ctx: &Context,
    store: &Store<PublicCloudProject>,
    secret: &SecretMeta,
) -> Vec<ObjectRef<PublicCloudProject>> {
    let (ns, name) = (secret.namespace().unwrap_or_default(), secret.name_any());
    let mut refs = ctx.secret_changed(&ns, &name, secret.metadata.resource_version.as_deref());
    refs.extend(
        outputs::owner_of(secret)
            .map(|p| ObjectRef::new(&p).within(&ns))
            .filter(|r| store.get(r).is_some()),
    );
    refs
}

/// Only the Lease holder works; it stops the moment it is no longer sure to hold it, like a crash
/// (in-flight reconciles are dropped between two awaits, which the planner recovers from). The
/// future ends when leadership is lost (never without leader election).
async fn leadership_lost(
    ctx: &Context,
    options: &Options,
) -> Result<impl Future<Output = ()> + use<>, Error> {
    let mut leadership = match options.leader_election_namespace.as_deref() {
        Some(ns) => Some(leader::acquire_leadership(&ctx.client, ns, options).await?),
        None => None,
    };
    Ok(async move {
        match leadership.as_mut() {
            Some(rx) => loop {
                if rx.changed().await.is_err() || !*rx.borrow() {
                    return;
                }
            },
            None => std::future::pending::<()>().await,
        }
    })
}

/// The items of `rx` as a stream.
fn stream_of<T: Send + 'static>(
    rx: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> impl Stream<Item = T> + Send + 'static {
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
}
