// The systemd unit `install` writes on a real node (root '/'). resources/hyperdesk-agent.service is the same
// text for packagers; a test keeps the two identical.
export const SYSTEMD_UNIT_NAME = 'hyperdesk-agent.service';
export const SYSTEMD_UNIT_PATH = '/etc/systemd/system/hyperdesk-agent.service';

export const SYSTEMD_UNIT = `# The Hyperdesk agent daemon: owns this node's guests, storage, network, firewall, tasks and metrics,
# and serves the desktop app over /run/hyperdesk/agent.sock. Written by "hyperdesk-agent install".
[Unit]
Description=Hyperdesk agent
After=network-online.target local-fs.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=/usr/lib/hyperdesk/bin/hyperdesk-agent daemon
Restart=on-failure
RestartSec=2s
TimeoutStopSec=30s
# Runs as root, with no Group=: it starts QEMU and LXC, manages bridges, nftables and storage, which all
# need root. The boundary is the socket: /run/hyperdesk is 0750 and the socket 0660, both group-owned by
# hyperdesk (the daemon sets that when the group exists), so only root and that group can talk to it.
RuntimeDirectory=hyperdesk
RuntimeDirectoryMode=0750
UMask=0027
# Guests are children of the daemon: restarting or updating the agent must not kill running VMs and
# containers, so only the daemon itself is signalled, and their threads do not count against a task limit.
KillMode=process
TasksMax=infinity
LimitNOFILE=1048576
# Sandboxing directives (ProtectSystem, ProtectKernel*, ProtectHostname, SystemCallFilter, LockPersonality,
# RestrictNamespaces, DevicePolicy, ...) are deliberately absent: QEMU and LXC inherit them, and they would
# break KVM, container namespaces, 32-bit containers, bridges and nftables.

[Install]
WantedBy=multi-user.target
`;
