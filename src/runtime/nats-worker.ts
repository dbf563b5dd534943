/**
 * A worker process of the `nats` runtime: it takes tasks from the queue group, computes them on
 * `concurrency` worker threads (a {@link ThreadPool}; injected delays count from receipt, since
 * this machine's clock need not be the server's) and publishes each reply to the task's reply
 * subject. Cancel messages reach every thread. The connection reconnects for ever, so a worker
 * survives a server restart and rejoins by itself.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { closeNats, connectNats, DEFAULT_PREFIX, decodeCancel, type NatsConnectOptions } from './nats.ts';
import { ThreadPool } from './thread-pool.ts';

export interface NatsWorkerOptions extends NatsConnectOptions {
  /** Worker threads in this process (≥ 1). */
  concurrency: number;
  /**
   * Called once if a compute thread dies: the worker has already left the queue group (so no more
   * tasks come to it); the owner should close it and exit non-zero, for a supervisor to restart.
   */
  onFatal?: (why: string) => void;
}

export interface NatsWorker {
  connection: NatsConnection;
  /** Tasks received and replies published so far. */
  counts(): { tasks: number; replies: number };
  close(): Promise<void>;
}

export async function startNatsWorker(o: NatsWorkerOptions): Promise<NatsWorker> {
  const pool = new ThreadPool(o.concurrency, 'receipt');
  let nc: NatsConnection;
  try {
    await pool.ready;
    nc = await connectNats({ ...o, name: o.name ?? 'uep-worker' });
  } catch (err) {
    // no connection (wrong server, refused credentials): stop the threads, or they keep the process alive
    await pool.close();
    throw err;
  }
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  let tasks = 0;
  let replies = 0;
  let next = 0;
  pool.onReply((bytes, replyTo) => {
    try {
      nc.publish(replyTo, bytes);
      replies++;
    } catch {
      // disconnected beyond buffering, or the reply is over the max payload: the server sees a straggler
    }
  });
  const tasksSub = nc.subscribe(`${prefix}.task`, {
    queue: `${prefix}-workers`,
    callback: (_err, msg) => {
      if (!msg.reply) return;
      tasks++;
      pool.submit(msg.data, next++, msg.reply);
    },
  });
  nc.subscribe(`${prefix}.cancel`, {
    callback: (_err, msg) => {
      const c = decodeCancel(msg.data);
      if (c) pool.cancel(c);
    },
  });
  pool.onDeath((_thread, why) => {
    // a zombie worker would keep taking its share of the queue group's tasks and answer none
    tasksSub.unsubscribe();
    o.onFatal?.(why);
  });
  await nc.flush();
  return {
    connection: nc,
    counts: () => ({ tasks, replies }),
    async close() {
      await closeNats(nc);
      await pool.close();
    },
  };
}
