import { copyFile, constants, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec';

/**
 * A disk file the Sandbox knows: the image's base disk (external: never deleted), an instance's
 * copy-on-write overlay, or a snapshot (a copy of a stopped instance's overlay). qcow2 chains them by
 * backing file, so a file may go only once nothing is backed by it any more: DeleteSnapshot and
 * TerminateInstances *release* a disk, and the file goes when it is released and has no children left —
 * at once, or when the last instance launched from it is terminated.
 */
export interface DiskNode {
  readonly id: string;
  readonly path: string;
  readonly parent: DiskNode | undefined;
  readonly external: boolean;
  readonly virtualGiB: number;
  /** Always qcow2 for the Sandbox's own files; a user's base image may be raw. */
  readonly format: 'qcow2' | 'raw';
  released: boolean;
  readonly children: Set<DiskNode>;
}

export class DiskStore {
  private readonly nodes = new Set<DiskNode>();
  private readonly deletions = new Set<Promise<void>>();
  private counter = 0;

  constructor(
    private readonly dir: string,
    private readonly qemuImg = 'qemu-img',
    private readonly remove: (path: string) => Promise<void> = (path) => unlink(path),
  ) {}

  /** The image's own disk: read by overlays, never written, never deleted. */
  external(path: string, format: 'qcow2' | 'raw', virtualGiB: number): DiskNode {
    return this.add({ path, parent: undefined, external: true, format, virtualGiB });
  }

  /** A new overlay on `parent`, `sizeGiB` large (at least the parent's size, as EBS volumes are). */
  async overlay(parent: DiskNode, name: string, sizeGiB: number): Promise<DiskNode> {
    const path = join(this.dir, `${name}-${++this.counter}.qcow2`);
    const size = Math.max(sizeGiB, parent.virtualGiB);
    await run(this.qemuImg, [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-b',
      parent.path,
      '-F',
      parent.format,
      path,
      `${size}G`,
    ]);
    return this.add({ path, parent, external: false, format: 'qcow2', virtualGiB: size });
  }

  /**
   * A snapshot of a stopped instance's disk: a copy of its overlay (reflinked where the filesystem can),
   * backed by the same parent, so it holds exactly what the instance changed.
   */
  async snapshot(source: DiskNode, name: string): Promise<DiskNode> {
    if (!source.parent) throw new Error(`${source.path} is a base disk, not an instance's`);
    const path = join(this.dir, `${name}-${++this.counter}.qcow2`);
    await copyFile(source.path, path, constants.COPYFILE_FICLONE);
    return this.add({
      path,
      parent: source.parent,
      external: false,
      format: 'qcow2',
      virtualGiB: source.virtualGiB,
    });
  }

  /** The EC2 resource behind `node` is gone; its file goes as soon as nothing is backed by it. */
  release(node: DiskNode): void {
    node.released = true;
    this.collect(node);
  }

  /** Files still on disk that the Sandbox made (for tests and for close). */
  files(): string[] {
    return [...this.nodes].filter((n) => !n.external).map((n) => n.path);
  }

  /** Waits for deletions under way. */
  async settled(): Promise<void> {
    while (this.deletions.size > 0) await Promise.all([...this.deletions]);
  }

  private add(fields: Omit<DiskNode, 'id' | 'released' | 'children'>): DiskNode {
    const node: DiskNode = {
      id: `disk-${this.nodes.size + 1}`,
      released: false,
      children: new Set(),
      ...fields,
    };
    node.parent?.children.add(node);
    this.nodes.add(node);
    return node;
  }

  private collect(node: DiskNode): void {
    if (!node.released || node.children.size > 0 || !this.nodes.has(node)) return;
    this.nodes.delete(node);
    node.parent?.children.delete(node);
    if (!node.external) {
      const deletion = this.remove(node.path)
        .catch(() => undefined)
        .finally(() => this.deletions.delete(deletion));
      this.deletions.add(deletion);
    }
    if (node.parent) this.collect(node.parent);
  }
}
