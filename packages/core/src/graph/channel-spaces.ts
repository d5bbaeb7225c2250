import type { ChannelRef, ChannelSpace, Layout } from '@omniprune/plugin-api';

/** A channel, a layout (the channels along a tensor's last axis) and a channel space: declared in `@omniprune/plugin-api`. */
export type { ChannelRef, ChannelSpace, Layout };

/**
 * Channel spaces with union-find coupling: spaces tied by residual adds end in one class, and a frozen
 * class (touching a model input/output or an unknown layer) is never pruned.
 */
export class ChannelSpaces {
  readonly spaces: ChannelSpace[] = [];
  private readonly parent: number[] = [];
  private readonly frozen = new Map<number, string>();
  private readonly inexact = new Map<number, string>();

  /** Create a space of `size` channels and return its identity layout. */
  create(size: number, producer: string | null, frozenReason?: string): Layout {
    const id = this.spaces.length;
    this.spaces.push({ id, size, producer });
    this.parent.push(id);
    if (frozenReason) this.freeze(id, frozenReason);
    return Array.from({ length: size }, (_, ch) => ({ space: id, ch }));
  }

  /** Representative of a space's class. */
  find(id: number): number {
    let root = id;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[id] !== root) [id, this.parent[id]] = [this.parent[id], root];
    return root;
  }

  /** Tie two spaces (their channels are the same channels). Returns false if their sizes differ. */
  union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return true;
    if (this.spaces[ra].size !== this.spaces[rb].size) return false;
    const [keep, drop] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[drop] = keep;
    for (const map of [this.frozen, this.inexact]) {
      const r = map.get(drop);
      if (r !== undefined && !map.has(keep)) map.set(keep, r);
    }
    return true;
  }

  /** Mark a space's class as never prunable, keeping the first reason given. */
  freeze(id: number, reason: string): void {
    const root = this.find(id);
    if (!this.frozen.has(root)) this.frozen.set(root, reason);
  }

  /** Mark a space's class as coupled by a channel-mixing layer (removal is then not equal to masking). */
  markInexact(id: number, reason: string): void {
    const root = this.find(id);
    if (!this.inexact.has(root)) this.inexact.set(root, reason);
  }

  /** Why the class of `id` is frozen, or undefined. */
  frozenReason(id: number): string | undefined {
    return this.frozen.get(this.find(id));
  }

  /** Why removal in the class of `id` is not exactly masking, or undefined. */
  inexactReason(id: number): string | undefined {
    return this.inexact.get(this.find(id));
  }

  /** Every space in a layout, once. */
  static spacesOf(layout: Layout): number[] {
    return [...new Set(layout.map((r) => r.space))];
  }
}

/** The group (any object listing its space ids) whose spaces are coupled with `space`, or undefined. */
export function groupOfSpace<G extends { readonly spaces: readonly number[] }>(groups: readonly G[], spaces: ChannelSpaces, space: number): G | undefined {
  const root = spaces.find(space);
  return groups.find((g) => g.spaces.some((s) => spaces.find(s) === root));
}

/**
 * A test telling whether a channel reference is one of `indices` of the group containing `groupSpace`; shared by
 * plan application (which drops those positions) and masking (which zeroes them), so both remove the same channels.
 */
export function isRemovedChannel(spaces: ChannelSpaces, groupSpace: number, indices: readonly number[]): (ref: ChannelRef) => boolean {
  const root = spaces.find(groupSpace);
  const removed = new Set(indices);
  return (ref) => spaces.find(ref.space) === root && removed.has(ref.ch);
}
