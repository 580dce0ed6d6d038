import { describe, expect, it } from 'vitest';
import { macFor, qemuArgs, smbiosUuidFor, type MachineSpec } from '../../../../src/sandbox/vm/qemu-args';
import { relayCommand } from '../../../../src/sandbox/vm/relay';

const spec = (more: Partial<MachineSpec> = {}): MachineSpec => ({
  accel: { kind: 'tcg' },
  memoryMiB: 1024,
  disk: '/work/i-0123456789abcdef0-1.qcow2',
  boot: {
    kind: 'kernel',
    kernel: '/img/vmlinuz',
    initrd: '/img/initrd.img',
    cmdline: 'root=/dev/vda console=ttyS0',
  },
  consolePath: '/work/i-0123456789abcdef0/console.log',
  qmpSocket: '/work/i-0123456789abcdef0/qmp.sock',
  mac: macFor('i-0123456789abcdef0'),
  smbiosUuid: smbiosUuidFor('i-0123456789abcdef0'),
  instanceType: 't3.micro',
  forwards: [{ address: '169.254.169.254', port: 80, command: relayCommand('/work/relay.sh', 4321) }],
  ...more,
});

function after(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('the QEMU command line', () => {
  it('isolates the guest: user networking with restrict=on, only the forwarded addresses reachable', () => {
    const [netdev] = after(qemuArgs(spec()), '-netdev');
    expect(netdev).toBe(
      'user,id=net0,net=169.254.169.0/24,restrict=on,ipv6=off,guestfwd=tcp:169.254.169.254:80-cmd:bash /work/relay.sh 4321',
    );
  });

  it('repeats guestfwd for each forward and doubles commas inside values', () => {
    const args = qemuArgs(
      spec({
        forwards: [
          { address: '169.254.169.254', port: 80, command: 'bash /a,b/relay.sh 1' },
          { address: '169.254.169.251', port: 3142, command: 'bash /r.sh 2' },
        ],
        consolePath: '/odd,dir/console.log',
      }),
    );
    const [netdev] = after(args, '-netdev');
    expect(netdev).toContain(',guestfwd=tcp:169.254.169.254:80-cmd:bash /a,,b/relay.sh 1,');
    expect(netdev).toMatch(/,guestfwd=tcp:169\.254\.169\.251:3142-cmd:bash \/r\.sh 2$/);
    expect(after(args, '-chardev')[0]).toBe('file,id=console0,path=/odd,,dir/console.log,append=on');
  });

  it('boots the kernel directly with the image command line, or the disk through its bootloader', () => {
    const direct = qemuArgs(spec());
    expect(after(direct, '-kernel')).toEqual(['/img/vmlinuz']);
    expect(after(direct, '-initrd')).toEqual(['/img/initrd.img']);
    expect(after(direct, '-append')).toEqual(['root=/dev/vda console=ttyS0']);
    const firmware = qemuArgs(spec({ boot: { kind: 'firmware' } }));
    expect(firmware).not.toContain('-kernel');
    expect(firmware).not.toContain('-append');
  });

  it('says EC2 in DMI, with uuid and serial equal and starting with ec2 (what cloud-init checks)', () => {
    const [smbios] = after(qemuArgs(spec()), '-smbios');
    const uuid = smbiosUuidFor('i-0123456789abcdef0');
    expect(uuid).toMatch(/^ec2[0-9a-f]{5}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(smbios).toBe(`type=1,manufacturer=Amazon EC2,product=t3.micro,serial=${uuid},uuid=${uuid}`);
  });

  it('uses KVM with the host CPU only when the probe found it working, TCG otherwise', () => {
    const kvm = qemuArgs(spec({ accel: { kind: 'kvm', cpu: 'host' } }));
    expect(after(kvm, '-machine')).toEqual(['q35,accel=kvm']);
    expect(after(kvm, '-cpu')).toEqual(['host']);
    const tcg = qemuArgs(spec());
    expect(after(tcg, '-machine')).toEqual(['q35,accel=tcg']);
    expect(tcg).not.toContain('-cpu');
  });

  it('gives the memory asked, one vCPU, a throwaway-cached overlay, and QMP on the Sandbox socket', () => {
    const args = qemuArgs(spec({ memoryMiB: 2048 }));
    expect(after(args, '-m')).toEqual(['2048']);
    expect(after(args, '-smp')).toEqual(['1']);
    expect(after(args, '-drive')).toEqual([
      'if=virtio,file=/work/i-0123456789abcdef0-1.qcow2,format=qcow2,cache=unsafe,discard=unmap',
    ]);
    expect(after(args, '-chardev')[1]).toBe('socket,id=qmp0,path=/work/i-0123456789abcdef0/qmp.sock');
    expect(after(args, '-mon')).toEqual(['chardev=qmp0,mode=control']);
    expect(args).not.toContain('-no-reboot');
  });

  it('derives a stable, locally administered MAC from the instance id', () => {
    expect(macFor('i-0123456789abcdef0')).toBe('0a:01:23:45:67:89');
    expect(macFor('i-0123456789abcdef0')).toBe(macFor('i-0123456789abcdef0'));
  });

  it('quotes a relay path the way a shell would, for libslirp to split', () => {
    expect(relayCommand('/tmp/qx vm/relay.sh', 80)).toBe("bash '/tmp/qx vm/relay.sh' 80");
  });
});
