//! Shared test harness: one real etcd + kube-apiserver per test binary, on free loopback ports,
//! built from the Go module proxy by `scripts/build-control-plane` and cached outside the repo.
//!
//! The processes are spawned from a thread that never exits, with `PR_SET_PDEATHSIG`, so they die
//! with the test binary even if it is killed; on a normal exit (also after failed tests) an
//! `atexit` hook kills them by pid and removes the temp dir.
#![allow(dead_code)]

pub mod logs;
pub mod operator;
pub mod poll;
pub mod secrets;
pub mod sim;

pub use poll::eventually;

use std::{
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Mutex, OnceLock, mpsc},
    time::{Duration, Instant},
};

use k8s_openapi::{
    api::core::v1::Namespace, apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
};
use kube::{
    Api, Client, Config, CustomResourceExt, ResourceExt,
    api::{Patch, PatchParams, PostParams},
    config::{KubeConfigOptions, Kubeconfig},
    runtime::wait::{Condition, await_condition, conditions},
};
use ovh_publiccloud_operator::PublicCloudProject;

pub struct ControlPlane {
    pub dir: PathBuf,
    pub bin_dir: PathBuf,
    pub kubeconfig: PathBuf,
}

static CONTROL_PLANE: OnceLock<ControlPlane> = OnceLock::new();
/// The control-plane processes, by name, in start order.
static CHILDREN: Mutex<Vec<(&'static str, Child)>> = Mutex::new(Vec::new());
/// The kube-apiserver's binary and flags, to start it again the same way.
static APISERVER: OnceLock<(PathBuf, Vec<String>)> = OnceLock::new();
/// Requests to the keeper thread (the only thread that may spawn control-plane processes).
type Reply = mpsc::Sender<Result<Duration, String>>;
static KEEPER: OnceLock<Mutex<mpsc::Sender<Reply>>> = OnceLock::new();

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the cached helm against the shared control plane, with its state in the control plane's
/// directory (chart and admission tests).
pub fn helm(args: &[&str]) -> std::process::Output {
    let cp = control_plane();
    Command::new(cp.bin_dir.join("helm"))
        .args(args)
        .env("KUBECONFIG", &cp.kubeconfig)
        .env("HELM_CACHE_HOME", cp.dir.join("helm/cache"))
        .env("HELM_CONFIG_HOME", cp.dir.join("helm/config"))
        .env("HELM_DATA_HOME", cp.dir.join("helm/data"))
        .output()
        .expect("run helm")
}

/// The shared control plane, started on first use.
pub fn control_plane() -> &'static ControlPlane {
    CONTROL_PLANE.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        let (requests, restarts) = mpsc::channel::<Reply>();
        KEEPER.set(Mutex::new(requests)).expect("one keeper");
        // PR_SET_PDEATHSIG fires when the *spawning thread* exits, so spawn from a thread that
        // lives as long as the process; it also serves restarts of the kube-apiserver.
        std::thread::Builder::new()
            .name("control-plane-keeper".into())
            .spawn(move || {
                tx.send(start()).expect("test thread waits for the control plane");
                // The sender lives in KEEPER for the whole process: this never ends.
                for reply in restarts {
                    let _ = reply.send(restart_apiserver_here());
                }
            })
            .expect("spawn control-plane thread");
        unsafe { libc::atexit(stop_at_exit) };
        rx.recv()
            .expect("control-plane thread answers")
            .unwrap_or_else(|e| panic!("cannot start the test control plane: {e}"))
    })
}

/// Kills the kube-apiserver (SIGKILL, as a crashed node would) and starts it again with the same
/// binary, flags, port and certificates (etcd keeps the data); returns once it is ready, with how
/// long it was gone. Every test of the binary sees the outage: use it only in a test binary of its
/// own (tests/chaos.rs). Blocking.
pub fn restart_apiserver() -> Result<Duration, String> {
    control_plane();
    let (tx, rx) = mpsc::channel();
    KEEPER
        .get()
        .expect("the keeper runs")
        .lock()
        .unwrap()
        .send(tx)
        .map_err(|_| "control-plane keeper gone".to_string())?;
    rx.recv().map_err(|_| "control-plane keeper gone".to_string())?
}

fn restart_apiserver_here() -> Result<Duration, String> {
    let cp = CONTROL_PLANE.get().ok_or("no control plane")?;
    let (bin, flags) = APISERVER.get().ok_or("no kube-apiserver started")?;
    let started = Instant::now();
    {
        let mut children = CHILDREN.lock().unwrap();
        let at = children
            .iter()
            .position(|(name, _)| *name == "kube-apiserver")
            .ok_or("no kube-apiserver running")?;
        let (_, mut child) = children.remove(at);
        let _ = child.kill();
        let _ = child.wait();
    }
    spawn(&cp.dir, "kube-apiserver", Command::new(bin).args(flags))?;
    wait_ready(cp)?;
    Ok(started.elapsed())
}

/// A client for the shared control plane. Each test gets its own: a kube `Client` is bound to the
/// tokio runtime it was created on, and every `#[tokio::test]` has its own runtime.
pub async fn client() -> Client {
    let cp = control_plane();
    let kubeconfig = Kubeconfig::read_from(&cp.kubeconfig).expect("read kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig is valid");
    Client::try_from(config).expect("client")
}

/// A fresh namespace for one test.
pub async fn namespace(client: &Client, prefix: &str) -> String {
    let name = format!("{prefix}-{:08x}", rand::random::<u32>());
    let ns: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .expect("create namespace");
    name
}

/// Installs the committed CRD (server-side apply, idempotent) and waits until it is Established.
pub async fn install_crd(client: &Client) -> CustomResourceDefinition {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let text = std::fs::read_to_string(repo_root().join("crds/publiccloudproject.yaml")).unwrap();
    let crd: CustomResourceDefinition = serde_yaml::from_str(&text).expect("committed CRD parses");
    let name = PublicCloudProject::crd_name();
    crds.patch(name, &PatchParams::apply("tests").force(), &Patch::Apply(&crd))
        .await
        .expect("apply CRD");
    let crd = wait_for(&crds, name, 30, conditions::is_crd_established())
        .await
        .expect("CRD Established within 30 s")
        .expect("an Established CRD exists");
    // Discovery caches in the apiserver can lag the Established condition by a moment.
    let api: Api<PublicCloudProject> = Api::all(client.clone());
    eventually("PublicCloudProjects listable", 10, async || {
        api.list(&Default::default()).await.map(drop)
    })
    .await;
    assert!(!crd.name_any().is_empty());
    crd
}

/// The deadline of a [`wait_for`] passed.
#[derive(Debug)]
pub struct TimedOut;

/// Watches the object `name` (kube's `await_condition`) until `done` holds, and returns the object
/// then (`None`: it does not exist, for conditions that wait for a deletion); `TimedOut` after
/// `seconds`. A watch that fails is started again until the deadline.
pub async fn wait_for<K>(
    api: &Api<K>,
    name: &str,
    seconds: u64,
    done: impl Condition<K>,
) -> Result<Option<K>, TimedOut>
where
    K: Clone + std::fmt::Debug + Send + serde::de::DeserializeOwned + kube::Resource + 'static,
{
    let watch = async {
        loop {
            match await_condition(api.clone(), name, |o: Option<&K>| done.matches_object(o)).await {
                Ok(obj) => return obj,
                Err(e) => {
                    eprintln!("watching {name}: {e}; watching again");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(seconds), watch)
        .await
        .map_err(|_| TimedOut)
}

/// What a process said: stdout then stderr.
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts that `text` contains every one of `needles`, naming the first missing one.
#[track_caller]
pub fn assert_mentions(text: &str, needles: &[&str]) {
    if let Some(missing) = needles.iter().find(|n| !text.contains(**n)) {
        panic!("{missing:?} missing from: {text}");
    }
}

/// Runs the cached kubectl against the shared control plane.
pub fn kubectl(args: &[&str]) -> std::process::Output {
    kubectl_with_input(args, "")
}

/// Runs kubectl with `input` on its stdin (for `-f -`).
pub fn kubectl_with_input(args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let cp = control_plane();
    let mut child = Command::new(cp.bin_dir.join("kubectl"))
        .args(args)
        .env("KUBECONFIG", &cp.kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().expect("kubectl finishes")
}

/// A loopback port free at the time of asking (e.g. for the operator's `--metrics-addr`).
pub fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// `N` loopback ports free at the time of asking, distinct from each other and from every port
/// this process was given before: each listener is held until all are chosen (a port dropped at
/// once may be handed out again by the next bind: etcd's peer port and kube-apiserver's port once
/// came out the same).
pub fn free_ports<const N: usize>() -> [u16; N] {
    static GIVEN: std::sync::Mutex<std::collections::BTreeSet<u16>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut given = GIVEN.lock().unwrap();
    let mut held = Vec::new();
    let mut ports = [0; N];
    let mut chosen = 0;
    while chosen < N {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        held.push(listener);
        if given.insert(port) {
            ports[chosen] = port;
            chosen += 1;
        }
    }
    ports
}

/// The kube-apiserver flags shared with `scripts/dev-cluster` (tests/kube-apiserver.flags), with
/// the placeholders filled in.
fn apiserver_flags(dir: &Path, etcd_url: &str, port: u16) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(repo_root().join("tests/kube-apiserver.flags"))?;
    let dir = dir.to_string_lossy();
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.replace("{ETCD_URL}", etcd_url)
                .replace("{PORT}", &port.to_string())
                .replace("{DIR}", dir.trim_end_matches('/'))
        })
        .collect())
}

fn start() -> Result<ControlPlane, String> {
    let bin_dir = build_binaries()?;
    let dir = std::env::temp_dir().join(format!("ovh-operator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let token = write_credentials(&dir).map_err(|e| e.to_string())?;
    let [etcd_port, peer_port, api_port] = free_ports::<3>();

    let etcd_url = format!("http://127.0.0.1:{etcd_port}");
    spawn(
        &dir,
        "etcd",
        Command::new(bin_dir.join("etcd")).args([
            "--data-dir",
            &dir.join("etcd").to_string_lossy(),
            "--listen-client-urls",
            &etcd_url,
            "--advertise-client-urls",
            &etcd_url,
            "--listen-peer-urls",
            &format!("http://127.0.0.1:{peer_port}"),
            "--unsafe-no-fsync",
        ]),
    )?;
    let flags = apiserver_flags(&dir, &etcd_url, api_port).map_err(|e| e.to_string())?;
    let apiserver = bin_dir.join("kube-apiserver");
    spawn(&dir, "kube-apiserver", Command::new(&apiserver).args(&flags))?;
    let _ = APISERVER.set((apiserver, flags));

    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: https://127.0.0.1:{api_port}\n    certificate-authority: {ca}\nusers:\n- name: admin\n  user:\n    token: {token}\ncontexts:\n- name: test\n  context: {{cluster: test, user: admin}}\ncurrent-context: test\n",
            ca = dir.join("ca.crt").display()
        ),
    )
    .map_err(|e| e.to_string())?;

    let cp = ControlPlane {
        dir,
        bin_dir,
        kubeconfig,
    };
    wait_ready(&cp)?;
    Ok(cp)
}

/// The Kubernetes version to test against: `OVH_OPERATOR_K8S_VERSION` (e.g. `1.30.14`, the chart's
/// lowest supported minor, which scripts/test runs a few tests against), else the default of
/// `scripts/build-control-plane`.
pub fn k8s_version() -> Option<String> {
    std::env::var("OVH_OPERATOR_K8S_VERSION")
        .ok()
        .filter(|v| !v.is_empty())
}

/// The minor of the Kubernetes version under test (36 unless `OVH_OPERATOR_K8S_VERSION` says
/// otherwise), for the few assertions that depend on an API an older version does not serve.
pub fn k8s_minor() -> u32 {
    k8s_version()
        .and_then(|v| v.split('.').nth(1).and_then(|m| m.parse().ok()))
        .unwrap_or(36)
}

/// Builds (or finds cached) binaries through the project script, the single place that knows how.
fn build_binaries() -> Result<PathBuf, String> {
    let mut cmd = Command::new(repo_root().join("scripts/build-control-plane"));
    if let Some(version) = k8s_version() {
        cmd.env("K8S_VERSION", version);
    }
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("scripts/build-control-plane: {e}"))?;
    if !out.status.success() {
        return Err(format!("scripts/build-control-plane failed ({})", out.status));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn write_credentials(dir: &Path) -> Result<String, rcgen::Error> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "test-ca");
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate()?;
    let mut server_params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "kube-apiserver");
    let server_cert = server_params.signed_by(&server_key, &issuer)?;

    let sa_key = KeyPair::generate()?;
    let token = format!("{:032x}", rand::random::<u128>());
    let files = [
        ("ca.crt", ca_cert.pem()),
        ("apiserver.crt", server_cert.pem()),
        ("apiserver.key", server_key.serialize_pem()),
        ("sa.key", sa_key.serialize_pem()),
        ("sa.pub", sa_key.public_key_pem()),
        ("tokens.csv", format!("{token},admin,admin,\"system:masters\"\n")),
    ];
    for (name, content) in files {
        std::fs::write(dir.join(name), content).expect("write control-plane credentials");
    }
    Ok(token)
}

fn spawn(dir: &Path, name: &'static str, cmd: &mut Command) -> Result<(), String> {
    // Appended to: a restarted process adds to its log.
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("{name}.log")))
        .map_err(|e| e.to_string())?;
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("spawn {name}: {e}"))?;
    CHILDREN.lock().unwrap().push((name, child));
    Ok(())
}

fn wait_ready(cp: &ControlPlane) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        let ready = Command::new(cp.bin_dir.join("kubectl"))
            .args(["get", "--raw", "/readyz"])
            .env("KUBECONFIG", &cp.kubeconfig)
            .output()
            .is_ok_and(|o| o.status.success());
        if ready {
            return Ok(());
        }
        if let Some(exited) = CHILDREN
            .lock()
            .unwrap()
            .iter_mut()
            .find_map(|(_, c)| c.try_wait().ok().flatten())
        {
            return Err(format!(
                "a control-plane process exited ({exited}); logs in {}",
                cp.dir.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(format!(
        "kube-apiserver not ready after 90 s; logs in {}",
        cp.dir.display()
    ))
}

extern "C" fn stop_at_exit() {
    let Ok(mut children) = CHILDREN.lock() else { return };
    // apiserver first, then etcd: reverse start order.
    for (_, child) in children.iter_mut().rev() {
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    children.clear();
    if let Some(cp) = CONTROL_PLANE.get()
        && std::env::var_os("KEEP_TEST_CONTROL_PLANE").is_none()
    {
        let _ = std::fs::remove_dir_all(&cp.dir);
    }
}
