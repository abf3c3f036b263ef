import { describe, expect, it } from 'vitest';
import { isAppError } from '../../node-agent/src/api/errors';
import { checkNodeCount, checkStateDir, HOST_LINK, labLayout, MAX_NODES } from './lab-layout';
import { planNetworkDown, planNetworkUp, type IpStep } from './network-plan';

const layout = labLayout('/var/tmp/hdlab', 2);
const plan = planNetworkUp(layout);
const line = (step: IpStep): string => step.args.join(' ');
const indexOf = (text: string): number => plan.findIndex((step) => line(step) === text);

describe('lab network plan', () => {
  it('makes the switch, the host link and one namespace per node, in that order', () => {
    expect(plan.flatMap((s) => (s.creates ? [s.creates] : []))).toEqual([
      { kind: 'namespace', name: 'hdlab-sw' },
      { kind: 'host-link', name: 'hdlab0' },
      { kind: 'namespace', name: 'hdlab-n1' },
      { kind: 'namespace', name: 'hdlab-n2' },
    ]);
  });

  it('touches nothing in the host namespace but hdlab0', () => {
    const onHost = plan.filter((s) => s.args[0] !== '-n' && s.args[0] !== 'netns');
    expect(onHost.length).toBeGreaterThan(0);
    for (const step of onHost) expect(step.args).toContain(HOST_LINK);
    expect(onHost.map(line)).toEqual([
      'link add hdlab0 type veth peer name host0 netns hdlab-sw',
      'link set hdlab0 addrgenmode none',
      'addr add 198.18.0.1/24 dev hdlab0',
      'link set hdlab0 up',
    ]);
  });

  it('puts each node address on vmbr0 inside the node, with eth0 as the bridge port', () => {
    expect(indexOf('-n hdlab-n2 addr add 198.18.0.12/24 dev vmbr0')).toBeGreaterThan(
      indexOf('-n hdlab-n2 link add vmbr0 type bridge'),
    );
    expect(indexOf('-n hdlab-n2 link set eth0 master vmbr0 addrgenmode none')).toBeGreaterThan(-1);
    expect(indexOf('-n hdlab-sw link add n2 type veth peer name eth0 netns hdlab-n2')).toBeGreaterThan(
      indexOf('netns add hdlab-n2'),
    );
    expect(indexOf('-n hdlab-sw link set n2 master sw0 addrgenmode none')).toBeGreaterThan(-1);
  });

  it('uses only addresses in 198.18.0.0/24', () => {
    const addresses = plan.filter((s) => s.args.includes('addr')).map((s) => s.args[s.args.indexOf('add') + 1]);
    expect(addresses).toEqual(['198.18.0.1/24', '198.18.0.11/24', '198.18.0.12/24']);
  });

  it('turns off IPv6 address generation before any link comes up', () => {
    const ups = plan.filter((s) => s.args.at(-1) === 'up' && s.args.at(-2) !== 'lo');
    for (const up of ups) {
      const ns = up.args[0] === '-n' ? up.args.slice(0, 2) : [];
      const dev = up.args.at(-2) ?? '';
      const quiet = plan.findIndex(
        (s) =>
          s.args.slice(0, ns.length).join(' ') === ns.join(' ') &&
          s.args.includes(dev) &&
          s.args.includes('addrgenmode'),
      );
      expect(quiet, `addrgenmode for ${line(up)}`).toBeGreaterThan(-1);
      expect(quiet).toBeLessThan(plan.indexOf(up));
    }
  });

  it('takes down the host link first, then the namespaces newest first', () => {
    const made = plan.flatMap((s) => (s.creates ? [s.creates] : []));
    expect(planNetworkDown(made).map(line)).toEqual([
      'link del hdlab0',
      'netns del hdlab-n2',
      'netns del hdlab-n1',
      'netns del hdlab-sw',
    ]);
    expect(planNetworkDown(made.slice(0, 1)).map(line)).toEqual(['netns del hdlab-sw']);
  });
});

describe('lab layout', () => {
  it('names nodes n1…, namespaces hdlab-n1…, addresses from .11', () => {
    expect(layout.map((n) => [n.name, n.namespace, n.address, n.root])).toEqual([
      ['n1', 'hdlab-n1', '198.18.0.11', '/var/tmp/hdlab/nodes/n1/root'],
      ['n2', 'hdlab-n2', '198.18.0.12', '/var/tmp/hdlab/nodes/n2/root'],
    ]);
    expect(layout[0]?.agentPidFile).toBe('/var/tmp/hdlab/nodes/n1/root/run/hyperdesk/agent.pid');
  });

  it.each([0, -1, 1.5, MAX_NODES + 1])('refuses %s nodes', (count) => {
    expect(() => checkNodeCount(count)).toThrow(expect.objectContaining({ code: 'invalid-params' }) as Error);
  });

  it.each(['/', '/tmp', 'var/tmp/hdlab', '/var/tmp/with space', '/var/tmp/a"b'])('refuses state dir %s', (dir) => {
    let caught: unknown;
    try {
      checkStateDir(dir);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'invalid-params')).toBe(true);
  });

  it('accepts a plain state dir and normalises it', () => {
    expect(checkStateDir('/var/tmp/hdlab/')).toBe('/var/tmp/hdlab');
  });
});
