//! Hosts on one machine, for the multi-host drills: each host a Linux network namespace with its
//! own address on one private segment (a bridge in a namespace of its own), and one more link
//! from this process's namespace so the drill can reach them. Faults are a host's link taken
//! down, or iptables rules inside one host's namespace. [`Network`] removes everything it made
//! when dropped, and removes what a killed earlier run left behind.

use std::{net::Ipv4Addr, path::Path, process::Stdio};

use anyhow::{Context, bail};
use tokio::process::Command;

/// Names of everything a network makes start with this, then its process id.
const PREFIX: &str = "sfdrill";
/// Addresses come from the range set aside for network tests (RFC 2544): 198.18.x.0/24.
const RANGE: [u8; 2] = [198, 18];
/// The drill process's own address on a segment; hosts get 10, 11, …
const OWN_HOST: u8 = 1;
const FIRST_HOST: u8 = 10;

/// One host: a network namespace with one interface and one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// What the drill calls it (`"router"`, `"cart"`, `"db-1"`, …).
    pub name: String,
    pub namespace: String,
    pub address: Ipv4Addr,
    /// Its link's end on the bridge: taken down, the host is cut off from everything.
    port: String,
}

impl Host {
    /// A command that runs `program` inside this host's namespace (`ip netns exec`, which
    /// execs it: the child's pid is the program's, so signals reach it).
    pub fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.namespace])
            .arg(program.as_ref());
        command
    }
}

/// Where a process runs: on this machine's loopback, or on a drill host.
pub fn command_on(host: Option<&Host>, program: impl AsRef<Path>) -> Command {
    match host {
        Some(host) => host.command(program),
        None => Command::new(program.as_ref()),
    }
}

/// A private segment of hosts; dropped, it removes its namespaces and links.
#[derive(Debug)]
pub struct Network {
    /// `sfdrill<pid>-<serial>`: every namespace of this network starts with it.
    stem: String,
    switch: String,
    /// The link from this process's namespace to the bridge.
    uplink: String,
    subnet: u8,
    hosts: Vec<Host>,
}

impl Network {
    /// Creates the segment (a bridge in a namespace of its own) and links this process to it.
    /// Needs root (or CAP_NET_ADMIN) and iproute2.
    pub async fn create() -> anyhow::Result<Self> {
        remove_leftovers().await;
        static SERIAL: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let pid = std::process::id();
        let stem = format!("{PREFIX}{pid}-{serial}");
        let subnet = free_subnet(pid + serial).await?;
        let network = Self {
            switch: format!("{stem}-switch"),
            // Interface names are at most 15 bytes: `sfd` + 6 hex digits of pid + serial.
            uplink: format!("sfd{:06x}u{serial}", pid & 0xff_ffff),
            stem,
            subnet,
            hosts: Vec::new(),
        };
        ip(&["netns", "add", &network.switch]).await?;
        ip_in(&network.switch, &["link", "add", "br0", "type", "bridge"]).await?;
        ip_in(&network.switch, &["link", "set", "br0", "up"]).await?;
        ip(&[
            "link",
            "add",
            &network.uplink,
            "type",
            "veth",
            "peer",
            "name",
            "up0",
            "netns",
            &network.switch,
        ])
        .await?;
        ip_in(
            &network.switch,
            &["link", "set", "up0", "master", "br0", "up"],
        )
        .await?;
        let own = format!("{}/24", network.address(OWN_HOST));
        ip(&["addr", "add", &own, "dev", &network.uplink]).await?;
        ip(&["link", "set", &network.uplink, "up"]).await?;
        Ok(network)
    }

    /// This process's own address on the segment (what hosts see the drill's traffic come from).
    pub fn own_address(&self) -> Ipv4Addr {
        self.address(OWN_HOST)
    }

    /// Adds host `name`: a namespace, a link to the bridge, the next address, loopback up.
    pub async fn add_host(&mut self, name: &str) -> anyhow::Result<Host> {
        let index = self.hosts.len();
        let address = self.address(FIRST_HOST + u8::try_from(index).context("too many hosts")?);
        let host = Host {
            name: name.to_owned(),
            namespace: format!("{}-{name}", self.stem),
            address,
            port: format!("p{index}"),
        };
        ip(&["netns", "add", &host.namespace]).await?;
        self.hosts.push(host.clone());
        ip_in(
            &self.switch,
            &[
                "link",
                "add",
                &host.port,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                &host.namespace,
            ],
        )
        .await?;
        ip_in(
            &self.switch,
            &["link", "set", &host.port, "master", "br0", "up"],
        )
        .await?;
        let cidr = format!("{address}/24");
        ip_in(&host.namespace, &["addr", "add", &cidr, "dev", "eth0"]).await?;
        ip_in(&host.namespace, &["link", "set", "eth0", "up"]).await?;
        ip_in(&host.namespace, &["link", "set", "lo", "up"]).await?;
        Ok(host)
    }

    /// Takes `host`'s link down (`up == false`) or up again: down, nothing reaches it and it
    /// reaches nothing, as when its switch port or cable fails.
    pub async fn set_link(&self, host: &Host, up: bool) -> anyhow::Result<()> {
        let state = if up { "up" } else { "down" };
        ip_in(&self.switch, &["link", "set", &host.port, state]).await
    }

    /// Drops every packet between `host` and `peer` (both ways, inside `host`'s namespace), or
    /// lets them through again: a partition of those two only.
    pub async fn set_partitioned(
        &self,
        host: &Host,
        peer: Ipv4Addr,
        partitioned: bool,
    ) -> anyhow::Result<()> {
        drop_between(host, peer, &[], partitioned).await
    }

    /// Drops each packet between `host` and `peer` with `probability` (both ways), or stops
    /// doing so (`lossy == false`, the same probability): loss on that path only, which TCP
    /// meets with retransmissions.
    pub async fn set_loss(
        &self,
        host: &Host,
        peer: Ipv4Addr,
        probability: f64,
        lossy: bool,
    ) -> anyhow::Result<()> {
        let probability = probability.to_string();
        let random = [
            "-m",
            "statistic",
            "--mode",
            "random",
            "--probability",
            &probability,
        ];
        drop_between(host, peer, &random, lossy).await
    }

    fn address(&self, host: u8) -> Ipv4Addr {
        Ipv4Addr::new(RANGE[0], RANGE[1], self.subnet, host)
    }
}

impl Drop for Network {
    /// Deleting a namespace deletes the links in it (and their peers); processes still inside
    /// keep it alive until they exit, which a stack's drop sees to.
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["link", "del", &self.uplink])
            .stderr(Stdio::null())
            .status();
        for namespace in self
            .hosts
            .iter()
            .map(|host| &host.namespace)
            .chain([&self.switch])
        {
            let _ = std::process::Command::new("ip")
                .args(["netns", "del", namespace])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A /24 in [`RANGE`] that this machine routes nowhere yet, starting from `seed`.
async fn free_subnet(seed: u32) -> anyhow::Result<u8> {
    let routes = output(Command::new("ip").args(["-4", "route", "show"])).await?;
    (0..250u32)
        .map(|step| ((seed + step) % 250 + 1) as u8)
        .find(|subnet| !routes.contains(&format!("{}.{}.{subnet}.", RANGE[0], RANGE[1])))
        .context("no free 198.18.x.0/24 on this machine")
}

/// Removes namespaces and links of networks whose process is gone (a drill killed outright).
async fn remove_leftovers() {
    let Ok(namespaces) = output(Command::new("ip").args(["netns", "list"])).await else {
        return;
    };
    for namespace in namespaces.lines().filter_map(|line| line.split(' ').next()) {
        let Some(pid) = namespace
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = ip(&["netns", "del", namespace]).await;
        }
    }
    // An uplink's peer lives in the switch namespace: deleting that namespace deleted it too.
}

async fn ip(args: &[&str]) -> anyhow::Result<()> {
    output(Command::new("ip").args(args)).await.map(drop)
}

async fn ip_in(namespace: &str, args: &[&str]) -> anyhow::Result<()> {
    output(Command::new("ip").args(["-n", namespace]).args(args))
        .await
        .map(drop)
}

/// Adds (or, `add == false`, removes) the rules in `host`'s namespace that drop the packets
/// from and to `peer` that `matching` selects (every one, when empty). A rule is removed by
/// naming it as it was added.
async fn drop_between(
    host: &Host,
    peer: Ipv4Addr,
    matching: &[&str],
    add: bool,
) -> anyhow::Result<()> {
    let peer = peer.to_string();
    let verb = if add { "-I" } else { "-D" };
    for (chain, direction) in [("INPUT", "-s"), ("OUTPUT", "-d")] {
        let mut iptables = host.command("iptables");
        iptables
            .args(["-w", verb, chain, direction, &peer])
            .args(matching)
            .args(["-j", "DROP"]);
        output(&mut iptables).await?;
    }
    Ok(())
}

/// Runs `command` to completion; its stdout, or an error carrying its stderr.
async fn output(command: &mut Command) -> anyhow::Result<String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .await
        .context("cannot run `ip`/`iptables` (Debian: apt-get install iproute2 iptables)")?;
    if !out.status.success() {
        bail!(
            "{:?} failed: {}",
            command.as_std(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
