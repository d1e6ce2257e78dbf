/**
 * The block lists of this instance's connections, kept current. Each connection reads its
 * person's list as it starts (ws/client.ts holds it); a `block_changed` auth event, which every
 * instance hears, then changes the lists of the blocker's connections here, and marks a direct
 * room of the two as closed (or open again) for both people's subscriptions to it. Events sent
 * while the auth events connection was down are lost: when it comes back, every list is read
 * again, and the database decides again about every direct room at its next message.
 */
import type { Db } from '@murmur/shared/db';
import { GroupBatcher } from '@murmur/shared/group-batcher';
import type { Logger } from '@murmur/shared/logger';
import { readBlockLists } from '../store/blocks.repo.js';
import type { Client } from '../ws/client.js';

/** People whose lists one query reads after the auth events connection came back. */
const MAX_READ_BATCH = 1_000;

/** A block made or undone, as the `block_changed` auth event says. */
export interface BlockChange {
  blockerId: number;
  blockedId: number;
  blocked: boolean;
}

export class BlockLists {
  /** userId → the person's connections here. A person with none is deleted. */
  private readonly connections = new Map<number, Set<Client>>();
  private readonly reads: GroupBatcher<number, number[]>;

  constructor(
    db: Db,
    private readonly logger: Logger,
  ) {
    this.reads = new GroupBatcher({ run: (userIds) => readBlockLists(db, userIds), maxBatch: MAX_READ_BATCH });
  }

  /** The connection's list follows the events from now on (call before its list is first read). */
  attach(client: Client): void {
    let clients = this.connections.get(client.user.id);
    if (!clients) this.connections.set(client.user.id, (clients = new Set()));
    clients.add(client);
  }

  detach(client: Client): void {
    const clients = this.connections.get(client.user.id);
    if (clients?.delete(client) && clients.size === 0) this.connections.delete(client.user.id);
  }

  changed(change: BlockChange): void {
    const { blockerId, blockedId, blocked } = change;
    for (const client of this.connections.get(blockerId) ?? []) client.blocks.change(blockedId, blocked);
    this.markDirectRoom(blockerId, blockedId, blocked);
    this.markDirectRoom(blockedId, blockerId, blocked);
  }

  /**
   * Reads every connection's list again. Until a direct room's next message the database
   * decides about it alone: a block still standing the other way is found there.
   */
  reloadAll(): void {
    for (const [userId, clients] of this.connections) {
      const reads = [...clients].map((client) => ({ client, read: client.blocks.beginRead() }));
      this.markDirectRoom(userId, undefined, false);
      this.reads.submit(userId).then(
        (ids) => {
          for (const { client, read } of reads) client.blocks.finishRead(read, ids);
        },
        (err: unknown) => {
          this.logger.warn({ err, userId }, 'reading a block list again failed');
          for (const { client, read } of reads) client.blocks.finishRead(read, undefined);
        },
      );
    }
  }

  /** Marks `userId`'s subscriptions here to their direct room with `peer` (with any, when undefined). */
  private markDirectRoom(userId: number, peer: number | undefined, blocked: boolean): void {
    for (const client of this.connections.get(userId) ?? []) {
      for (const room of client.subscriptions.values()) {
        if (room.directPeer !== undefined && (peer === undefined || room.directPeer === peer)) room.pairBlocked = blocked;
      }
    }
  }
}
