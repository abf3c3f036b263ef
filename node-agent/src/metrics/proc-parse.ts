// Pure parsers for the /proc files the metrics sampler reads; no I/O here so they test against captured files.

/** Aggregate CPU time from the first `cpu ` line of /proc/stat, in jiffies (USER_HZ ticks). */
export interface CpuTimes {
  /** Every state except guest/guest_nice, which the kernel already counts inside user/nice. */
  total: number;
  /** idle + iowait: time no task was running. */
  idle: number;
}

export const parseProcStat = (text: string): CpuTimes => {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no aggregate cpu line');
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  if (fields.length < 4 || fields.some((f) => !Number.isFinite(f)))
    throw new Error(`/proc/stat cpu line is malformed: ${line}`);
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait };
};

export interface MemInfo {
  memTotal: number;
  /** MemTotal - MemAvailable: what applications hold, not counting reclaimable page cache. */
  memUsed: number;
  memAvailable: number;
  swapTotal: number;
  swapUsed: number;
}

/** /proc/meminfo in bytes. MemAvailable (kernel 3.14+) is required: MemFree alone would call page cache "used". */
export const parseMeminfo = (text: string): MemInfo => {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([\w()]+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) kib.set(match[1], Number(match[2]) * 1024);
  }
  const need = (key: string): number => {
    const value = kib.get(key);
    if (value === undefined) throw new Error(`/proc/meminfo has no ${key}`);
    return value;
  };
  const memTotal = need('MemTotal');
  const memAvailable = Math.min(need('MemAvailable'), memTotal);
  const swapTotal = kib.get('SwapTotal') ?? 0;
  const swapFree = Math.min(kib.get('SwapFree') ?? 0, swapTotal);
  return { memTotal, memUsed: memTotal - memAvailable, memAvailable, swapTotal, swapUsed: swapTotal - swapFree };
};

export const parseLoadavg = (text: string): [number, number, number] => {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (a === undefined || b === undefined || c === undefined || ![a, b, c].every(Number.isFinite)) {
    throw new Error(`/proc/loadavg is malformed: ${text.trim()}`);
  }
  return [a, b, c];
};

/** Seconds since boot (first field of /proc/uptime). */
export const parseUptime = (text: string): number => {
  const seconds = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(seconds)) throw new Error(`/proc/uptime is malformed: ${text.trim()}`);
  return seconds;
};

export interface CpuInfo {
  model: string;
  count: number;
}

/** Model and logical CPU count. x86 says `model name`; some arm64 kernels only give `Hardware` or nothing. */
export const parseCpuinfo = (text: string): CpuInfo => {
  let model: string | undefined;
  let count = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'processor') count += 1;
    else if (model === undefined && (key === 'model name' || key === 'hardware' || key === 'cpu model') && value !== '')
      model = value;
  }
  return { model: model ?? 'unknown', count };
};

export interface NetCounters {
  name: string;
  rxBytes: number;
  txBytes: number;
}

/** Every interface in /proc/net/dev with its byte counters. */
export const parseNetDev = (text: string): NetCounters[] => {
  const result: NetCounters[] = [];
  for (const line of text.split('\n')) {
    // The name is right-aligned and the first counter may touch the colon when it is wide.
    const match = /^\s*([^\s:]+):\s*(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const fields = match[2].trim().split(/\s+/).map(Number);
    const rxBytes = fields[0];
    const txBytes = fields[8];
    if (rxBytes === undefined || txBytes === undefined || !Number.isFinite(rxBytes) || !Number.isFinite(txBytes))
      continue;
    result.push({ name: match[1], rxBytes, txBytes });
  }
  return result;
};

/** Physical NIC names, as PVE's PHYSICAL_NIC_RE: classic ethN, predictable enoN/ensN/enpXsY/enx…, wlan, InfiniBand. VLAN sub-interfaces (eno1.100) are excluded: their traffic is already on the parent. */
const PHYSICAL_NIC = /^(?:eth|en|wl|ib)[^.@:]*$/;
const LINUX_BRIDGE = /^vmbr\d+$/;

/**
 * Which interfaces count as the node's network traffic. We follow PVE: the physical NICs, which carry
 * the node's own traffic and its bridged guests' traffic exactly once. A vmbr bridge is not counted next
 * to them (its port is already counted; adding it would count the host's traffic twice, and routed/NAT
 * guest traffic twice more). Guest-side devices (tap*, veth*, fwbr*, fwpr*, fwln*), bonds (their slaves
 * are counted) and lo never count. Only when the node has no physical-looking NIC at all (a lab node or a
 * nested node whose uplink is a veth) do the vmbr bridges stand in, so the graph is not flat.
 */
export const countedInterfaces = (names: readonly string[]): string[] => {
  const physical = names.filter((name) => PHYSICAL_NIC.test(name));
  return physical.length > 0 ? physical : names.filter((name) => LINUX_BRIDGE.test(name));
};

/** Bytes received and sent by the node, summed over countedInterfaces. */
export const sumNodeTraffic = (counters: readonly NetCounters[]): { rx: number; tx: number } => {
  const counted = new Set(countedInterfaces(counters.map((c) => c.name)));
  let rx = 0;
  let tx = 0;
  for (const c of counters) {
    if (!counted.has(c.name)) continue;
    rx += c.rxBytes;
    tx += c.txBytes;
  }
  return { rx, tx };
};

/** The node's traffic straight from the text of /proc/net/dev. */
export const nodeTraffic = (netDev: string): { rx: number; tx: number } => sumNodeTraffic(parseNetDev(netDev));

export interface DiskCounters {
  name: string;
  /** Sectors in /proc/diskstats are always 512 bytes, whatever the device's sector size. */
  readBytes: number;
  writeBytes: number;
}

const SECTOR = 512;

export const parseDiskstats = (text: string): DiskCounters[] => {
  const result: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // major minor name reads merged sectorsRead msRead writes merged sectorsWritten …
    const name = f[2];
    const read = Number(f[5]);
    const written = Number(f[9]);
    if (name === undefined || !Number.isFinite(read) || !Number.isFinite(written)) continue;
    result.push({ name, readBytes: read * SECTOR, writeBytes: written * SECTOR });
  }
  return result;
};

/** Virtual or stacked block devices: their I/O is either not disk I/O (ram, zram) or already counted on the disks below (loop, dm-, md, nbd). sr/fd are removable media. */
const NOT_A_DISK = /^(?:loop|ram|zram|dm-|md|nbd|sr|fd)/;
/** Partition names by kernel convention, for when /sys/block cannot be read: sda1, vdb2, xvda1, hdc3, nvme0n1p1, mmcblk0p2. */
const PARTITION = /^(?:(?:s|v|xv|h)d[a-z]+\d+|(?:nvme\d+n\d+|mmcblk\d+|nbd\d+|rbd\d+)p\d+)$/;

/**
 * Whether a diskstats entry is a whole physical (or virtio) disk. `wholeDisks` is the listing of
 * /sys/block: the kernel's own answer (partitions live below their disk, not there); without it we
 * fall back to naming rules.
 */
export const isWholeDisk = (name: string, wholeDisks?: ReadonlySet<string>): boolean => {
  if (NOT_A_DISK.test(name)) return false;
  return wholeDisks !== undefined ? wholeDisks.has(name) : !PARTITION.test(name);
};

/** Bytes read and written by the node's disks, summed over whole disks so partitions are not counted twice. */
export const sumDiskIo = (
  counters: readonly DiskCounters[],
  wholeDisks?: ReadonlySet<string>,
): { read: number; write: number } => {
  let read = 0;
  let write = 0;
  for (const c of counters) {
    if (!isWholeDisk(c.name, wholeDisks)) continue;
    read += c.readBytes;
    write += c.writeBytes;
  }
  return { read, write };
};

/** The node's disk I/O straight from the text of /proc/diskstats (and the /sys/block listing, when there is one). */
export const diskIo = (diskstats: string, wholeDisks?: ReadonlySet<string>): { read: number; write: number } =>
  sumDiskIo(parseDiskstats(diskstats), wholeDisks);

export interface FsUsage {
  total: number;
  used: number;
  /** What an unprivileged writer can still use (excludes the root reserve), as df shows. */
  avail: number;
}

/** Usage from fs.statfs, as df computes it: used = blocks - bfree, avail = bavail. */
export const fsUsage = (stats: { bsize: number; blocks: number; bfree: number; bavail: number }): FsUsage => ({
  total: stats.blocks * stats.bsize,
  used: (stats.blocks - stats.bfree) * stats.bsize,
  avail: stats.bavail * stats.bsize,
});
